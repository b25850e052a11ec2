/*
 * objects: the resolved object model (hosts, services, commands, contacts,
 * groups, time periods) that the configuration loader builds and the engine
 * runs on.
 *
 * Everything here is plain data. The configuration loader (conf.c) allocates
 * and fills it; objects_free() releases it. All strings and arrays belong to
 * the struct objects that holds them. Cross references (parents, children,
 * members, a service's host) are borrowed pointers into the same struct
 * objects. Templates are gone by the time an object lands here: every value
 * is already inherited and resolved.
 *
 * The runtime part of hosts and services (struct check_status) is owned by
 * the engine (sched.c, state.c); the loader zero-fills it and sets state to
 * PENDING.
 */
#ifndef PHAROS_OBJECTS_H
#define PHAROS_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct snmp_target;

/* Host states, numbered as Nagios numbers them. */
enum host_state {
	HOST_UP = 0,
	HOST_DOWN = 1,
	HOST_UNREACHABLE = 2,
	HOST_PENDING = 3,
};

/* Service states, numbered as the plugin exit codes. */
enum service_state {
	SERVICE_OK = 0,
	SERVICE_WARNING = 1,
	SERVICE_CRITICAL = 2,
	SERVICE_UNKNOWN = 3,
	SERVICE_PENDING = 4,
};

enum state_type {
	STATE_SOFT = 0,
	STATE_HARD = 1,
};

/* Built-in check commands: predefined command objects with reserved names. */
enum builtin {
	BUILTIN_NONE = 0, /* an ordinary command_line (a plugin) */
	BUILTIN_ICMP,     /* "icmp" */
	BUILTIN_SNMP,     /* "snmp" */
	BUILTIN_SNMP_IF,  /* "snmp_if" */
};

/* Where an object was defined, for messages. file is borrowed from the
 * objects' string pool and lives as long as the struct objects. */
struct srcloc {
	const char *file;
	int line;
};

struct custom_var {
	char *name; /* upper-cased, without the leading '_' */
	char *value;
};

struct command {
	char *name;
	char *line;           /* command_line as written; NULL for built-ins */
	enum builtin builtin;
	struct srcloc loc;
};

struct timeperiod {
	char *name;
	char *alias;
	/* The ranges are parsed and checked by the loader; the engine does not
	 * act on time periods yet, so they are kept only as written. */
	char **lines;
	size_t nlines;
	struct srcloc loc;
};

struct contact {
	char *name;
	char *alias;
	char *email;
	char *pager;
	struct contactgroup **groups;
	size_t ngroups;
	struct custom_var *vars;
	size_t nvars;
	struct srcloc loc;
};

struct contactgroup {
	char *name;
	char *alias;
	struct contact **members; /* flattened, contactgroup_members included */
	size_t nmembers;
	struct srcloc loc;
};

/* A check as configured: which command and its $ARGn$ values. */
struct check_spec {
	struct command *command; /* never NULL after loading (icmp default) */
	char **args;             /* $ARG1$.. as split on unescaped '!' */
	size_t nargs;
};

/* Runtime check state, owned by the engine. Times: *_ns are monotonic
 * nanoseconds, *_time are wall-clock epoch seconds (for display). */
struct check_status {
	int state;              /* enum host_state or enum service_state */
	int last_hard_state;
	enum state_type state_type;
	int current_attempt;    /* 1..max_check_attempts */
	char *output;           /* first line; engine-owned, may be NULL */
	char *long_output;
	char *perfdata;
	int64_t last_check_time;
	int64_t last_state_change_time;
	int64_t last_hard_state_change_time;
	int64_t next_check_ns;
	bool has_been_checked;
};

struct service;

struct host {
	char *name;
	char *alias;
	char *display_name;
	/* What the host's checks ($HOSTADDRESS$, the built-in icmp check)
	 * use: an IPv4 or IPv6 literal or a DNS name, never NULL. When the
	 * configuration sets only address6, address is a copy of it. */
	char *address;
	char *address6; /* an IPv6 literal or a DNS name; NULL when unset */
	/* The snmp_* keys (addr left empty: the checked address goes there),
	 * or NULL when the host sets none: then SNMP checks use v2c,
	 * community "public", port 161. Owned. */
	struct snmp_target *snmp;
	char *device_profile; /* NULL when unset */
	struct check_spec check;
	int64_t check_interval_ns;
	int64_t retry_interval_ns;
	int max_check_attempts;
	bool active_checks_enabled;
	struct host **parents; /* borrowed */
	size_t nparents;
	struct host **children; /* borrowed; the reverse of parents */
	size_t nchildren;
	struct hostgroup **groups;
	size_t ngroups;
	struct contact **contacts; /* flattened from contacts + contact_groups */
	size_t ncontacts;
	struct service **services; /* borrowed */
	size_t nservices;
	struct custom_var *vars;
	size_t nvars;
	struct srcloc loc;
	size_t index; /* position in objects.hosts */

	struct check_status st; /* engine-owned */
	void *engine;           /* engine-owned per-host data, NULL from loader */
};

struct service {
	struct host *host; /* borrowed */
	char *description;
	char *display_name;
	struct check_spec check;
	int64_t check_interval_ns;
	int64_t retry_interval_ns;
	int max_check_attempts;
	bool active_checks_enabled;
	bool is_volatile;
	struct contact **contacts;
	size_t ncontacts;
	struct custom_var *vars;
	size_t nvars;
	struct srcloc loc;
	size_t index; /* position in objects.services */

	struct check_status st; /* engine-owned */
	void *engine;
};

struct hostgroup {
	char *name;
	char *alias;
	struct host **members; /* flattened, hostgroup_members included */
	size_t nmembers;
	struct srcloc loc;
};

struct objects {
	struct host **hosts;
	size_t nhosts;
	struct service **services;
	size_t nservices;
	struct command **commands; /* built-ins first */
	size_t ncommands;
	struct contact **contacts;
	size_t ncontacts;
	struct contactgroup **contactgroups;
	size_t ncontactgroups;
	struct hostgroup **hostgroups;
	size_t nhostgroups;
	struct timeperiod **timeperiods;
	size_t ntimeperiods;
	/* Counts of definitions Nagios knows and Pharos accepts without acting
	 * on them yet (servicegroup, escalations, dependencies, extinfo). */
	size_t nignored;
	void *priv; /* loader-private: name indexes, string pool */
};

/* Lookups by name (O(1) average). Return borrowed pointers or NULL. */
struct host *objects_host_find(const struct objects *o, const char *name);
struct service *objects_service_find(const struct objects *o,
    const char *host, const char *description);
struct command *objects_command_find(const struct objects *o,
    const char *name);

/* Custom variable lookup (name without '_', any case). Borrowed or NULL. */
const char *objects_var_find(const struct custom_var *vars, size_t nvars,
    const char *name);

/* What an address value is: AF_INET or AF_INET6 for a literal that
 * inet_pton() takes, AF_UNSPEC for a host name to resolve (dot-separated
 * labels of ASCII letters, digits and '-': none empty, over 63 bytes, or
 * starting or ending with '-', the last not all digits; 253 bytes at most,
 * a final '.' allowed), or -EINVAL for anything else. Nothing is resolved
 * here. */
int objects_address_family(const char *s);

/* Free everything the struct objects holds, including engine-owned
 * output strings in check_status (not the engine pointers). NULL is a
 * no-op. */
void objects_free(struct objects *o);

const char *host_state_name(int state);     /* "UP", "DOWN", ... */
const char *service_state_name(int state);  /* "OK", "WARNING", ... */
const char *state_type_name(enum state_type t); /* "SOFT", "HARD" */

#endif
