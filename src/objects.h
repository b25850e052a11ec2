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
	BUILTIN_SELF,     /* "pharos_self": the monitor's own health */
	BUILTIN_ARP,      /* "arp": ARP or NDP to an on-link device */
};

/* What a failed host check tries before the host is DOWN
 * (host_check_fallback; docs/network-awareness.md). */
enum host_fallback {
	HOST_FALLBACK_NONE = 0,
	HOST_FALLBACK_ARP, /* ARP (IPv4) or neighbour solicitation (IPv6)
			      to on-link addresses */
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
	size_t index; /* position in objects.timeperiods (timeperiod_at()) */
};

/*
 * Option sets (notification, escalation and flap detection options,
 * dependency failure criteria) are bit sets: OBJ_OPT_STATE(s) for a state
 * s as numbered above, so that "opts & OBJ_OPT_STATE(st.state)" tests the
 * current state. The letters map as Nagios maps them:
 *   hosts:    o/r = UP, d = DOWN, u = UNREACHABLE, p = PENDING
 *   services: o/r = OK, w = WARNING, c = CRITICAL, u = UNKNOWN,
 *             p = PENDING
 * r (recovery) and o (ok/up) are the same bit; f and s are the flapping
 * and downtime bits of notification options.
 */
#define OBJ_OPT_STATE(s) (1u << (unsigned)(s))
#define OBJ_OPT_RECOVERY OBJ_OPT_STATE(0)
#define OBJ_OPT_FLAPPING (1u << 8)
#define OBJ_OPT_DOWNTIME (1u << 9)
#define OBJ_OPT_HOST_ALL (OBJ_OPT_RECOVERY | OBJ_OPT_STATE(HOST_DOWN) | \
	OBJ_OPT_STATE(HOST_UNREACHABLE) | OBJ_OPT_FLAPPING | OBJ_OPT_DOWNTIME)
#define OBJ_OPT_SERVICE_ALL (OBJ_OPT_RECOVERY |                          \
	OBJ_OPT_STATE(SERVICE_WARNING) | OBJ_OPT_STATE(SERVICE_CRITICAL) |   \
	OBJ_OPT_STATE(SERVICE_UNKNOWN) | OBJ_OPT_FLAPPING | OBJ_OPT_DOWNTIME)

struct check_spec;

struct contact {
	char *name;
	char *alias;
	char *email;
	char *pager;
	char *address[6]; /* address1..address6; NULL when unset */
	struct contactgroup **groups;
	size_t ngroups;
	struct custom_var *vars;
	size_t nvars;
	/* Notification settings; periods NULL mean always. Options default
	 * to all (OBJ_OPT_HOST_ALL, OBJ_OPT_SERVICE_ALL). Commands are split
	 * like check_command ("notify-by-email!arg"), in the order given. */
	struct timeperiod *host_notification_period;
	struct timeperiod *service_notification_period;
	unsigned host_notification_options;
	unsigned service_notification_options;
	struct check_spec *host_notification_commands;
	size_t nhost_notification_commands;
	struct check_spec *service_notification_commands;
	size_t nservice_notification_commands;
	bool host_notifications_enabled;    /* default 1 */
	bool service_notifications_enabled; /* default 1 */
	bool can_submit_commands;           /* default 1 */
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
struct host;

/* One hostescalation or serviceescalation as it applies to one host or
 * service (a definition naming several objects gives each its own). */
struct escalation {
	struct contact **contacts; /* flattened contacts + contact_groups;
				    * the object's when neither is set */
	size_t ncontacts;
	int first_notification;
	int last_notification;   /* 0: no end */
	/* The object's notification_interval when not set; 0: no more
	 * re-notifications while this escalation applies. */
	int64_t notification_interval_ns;
	/* The object's notification_period when not set; NULL: always. */
	struct timeperiod *escalation_period;
	unsigned escalation_options; /* OBJ_OPT_*; default all (d,u,r or
				      * w,u,c,r) */
	struct srcloc loc;
};

/* One hostdependency or servicedependency, kept by the dependent object:
 * its master is a host (hostdependency) or a service. Criteria are
 * OBJ_OPT_STATE bits of the master's states (o,d,u,p / o,w,u,c,p); 0
 * (unset or "n") never fails. */
struct dependency {
	struct host *master_host;       /* borrowed; NULL for a service's */
	struct service *master_service; /* borrowed; NULL for a host's */
	unsigned execution_failure_criteria;
	unsigned notification_failure_criteria;
	bool inherits_parent;
	struct timeperiod *dependency_period; /* NULL: always */
	struct srcloc loc;
};

/* What hosts and services share about notifications, flapping,
 * freshness and event handlers, as configured. The engine reads these at
 * each decision (runtime commands may change the booleans in place). */
struct obj_opts {
	/* OBJ_OPT_* bits. Host default d,r,f,s: unlike Nagios (d,u,r,f,s),
	 * Pharos does not notify about UNREACHABLE hosts unless 'u' is set.
	 * Service default w,u,c,r,f,s. */
	unsigned notification_options;
	int64_t notification_interval_ns; /* default 30 units; 0: once */
	int64_t first_notification_delay_ns;
	/* A service takes its host's notification_interval, periods and
	 * contacts when it sets none (Nagios' implied inheritance). NULL
	 * periods mean always. */
	struct timeperiod *notification_period;
	struct timeperiod *check_period;
	bool notifications_enabled; /* default 1 */
	struct check_spec *event_handler; /* NULL when unset; owned */
	bool event_handler_enabled;       /* default 1 */
	bool flap_detection_enabled;      /* default 1 */
	double low_flap_threshold;   /* 0.0: the global one */
	double high_flap_threshold;
	unsigned flap_detection_options; /* OBJ_OPT_STATE bits; default all */
	bool check_freshness;            /* default 0 */
	int freshness_threshold;         /* seconds; 0: automatic */
	bool passive_checks_enabled;     /* default 1 */
	struct escalation *escalations;  /* owned, in definition order */
	size_t nescalations;
	struct dependency *deps; /* owned: where this object is the dependent */
	size_t ndeps;
};

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
	/* The remote poller that runs this host's checks (its own poller
	 * key, else its hostgroups'; docs/scaling.md), or NULL: local. */
	char *poller;
	struct check_spec check;
	enum host_fallback check_fallback; /* host_check_fallback */
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
	struct obj_opts opts; /* notifications, flapping, freshness */
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
	struct obj_opts opts;
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
	 * on them yet (servicegroup, extinfo). */
	size_t nignored;
	/* Escalations and dependencies as applied to objects (one per
	 * object a definition names), kept in the objects' opts. */
	size_t nhostescalations, nserviceescalations;
	size_t nhostdependencies, nservicedependencies;
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
