/*
 * conf_int: what the parts of the configuration loader share (conf.c,
 * conf_parse.c, conf_resolve.c) and the loader-private data objects.c keeps
 * behind struct objects.priv. Not for use outside the loader and objects.c.
 *
 * Loading runs in steps over one struct conf_ctx:
 *   conf.c          the main file and resource files; names the object
 *                   files; keeps the diagnostics;
 *   conf_parse.c    object files -> definitions (struct conf_def), each
 *                   directive with its file and line and its value
 *                   checked, then templates and inheritance (conf_def.r);
 *   conf_resolve.c  definitions -> typed objects, references, checks;
 *   objects.c       what each object type accepts (the directive tables),
 *                   the name indexes and the model-level steps (groups,
 *                   reverse links, parent cycles).
 */
#ifndef PHAROS_CONF_INT_H
#define PHAROS_CONF_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "conf.h"

#define CONF_MAX_LINE 65536	      /* bytes in one logical line */
#define CONF_MAX_ERRORS_PER_FILE 50   /* then "too many errors" and stop */
#define CONF_MAX_FILE_SIZE (512L << 20) /* larger object files are refused */
#define CONF_MAX_DIR_DEPTH 32	      /* cfg_dir recursion */
#define CONF_MAX_ARGS 32	      /* $ARG1$..$ARG32$ */
#define CONF_MAX_MSGS 10000	      /* diagnostics kept; more are counted */

/* Definition types, the built ones first. */
enum conf_type {
	CT_HOST,
	CT_HOSTGROUP,
	CT_SERVICE,
	CT_COMMAND,
	CT_CONTACT,
	CT_CONTACTGROUP,
	CT_TIMEPERIOD,
	CT_HOSTDEPENDENCY, /* built by conf_notify.c */
	CT_SERVICEDEPENDENCY,
	CT_HOSTESCALATION,
	CT_SERVICEESCALATION,
	CT_TRAPRULE, /* built by conf_trap.c */
	CT_NBUILT, /* types below are accepted but not acted on */
	CT_SERVICEGROUP = CT_NBUILT,
	CT_HOSTEXTINFO,
	CT_SERVICEEXTINFO,
	CT_NTYPES,
};

/* Value syntax of a directive, checked where the value is written. */
enum conf_vkind {
	VK_ANY,	     /* free text */
	VK_LIST,     /* comma-separated names; "+" (additive) allowed */
	VK_BOOL,     /* 0 or 1 */
	VK_INT,	     /* integer in [min, max] */
	VK_NUM,	     /* decimal number in [min, max] */
	VK_INTERVAL, /* number of interval units, or seconds with "s" */
	VK_OPTS,     /* option letters from opts (or their long names) */
	VK_STATE,    /* one option letter from opts */
	VK_ADDR,     /* IPv4 or IPv6 literal, or a DNS name */
	VK_ADDR6,    /* IPv6 literal, or a DNS name */
};

struct conf_key {
	const char *name;
	enum conf_vkind kind;
	double min, max;  /* VK_INT, VK_NUM */
	const char *opts; /* VK_OPTS, VK_STATE: allowed letters */
};

/* One directive as written. For timeperiod date lines the key is the date
 * part ("monday", "december 25") and the value the time ranges. */
#define CONF_KV_TIME 0x1u /* a timeperiod date line */
#define CONF_KV_BAD 0x2u  /* invalid value, already reported: use default */
struct conf_kv {
	char *key;
	char *value;
	int line;
	unsigned flags;
};

/* A directive after inheritance: pointers borrowed from raw definitions
 * (or from conf_ctx.strs for additive values). */
struct conf_rkv {
	const char *key;
	const char *value;
	const char *file;
	int line;
	unsigned seq;	/* sequence number of the definition it came from */
	unsigned flags;
};

struct conf_def {
	enum conf_type type;
	const char *file; /* pooled */
	int line;	  /* of the "define" line */
	unsigned seq;	  /* order of definitions over all files */
	struct conf_kv *kvs;
	size_t nkvs;

	/* Filled when the definition is complete and by conf_inherit(). */
	const char *tname; /* template name ("name"), borrowed */
	const char *use;   /* borrowed */
	int useline;
	bool registered;
	int rstate; /* 0 unresolved, 1 resolving, 2 resolved */
	struct conf_rkv *r; /* sorted by key */
	size_t nr;
};

/* A string -> pointer hash index (open addressing). Keys are borrowed and
 * must outlive the index. k2 may be NULL (single-key index). */
struct objidx_ent {
	const char *k1;
	const char *k2;
	void *val;
	uint32_t hash;
};

struct objidx {
	struct objidx_ent *ents;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

/* Loader-private part of struct objects (objects.priv). */
struct objects_priv {
	struct objidx hosts, services, commands;
	struct objidx contacts, contactgroups, hostgroups, timeperiods;
	char **files; /* pooled file names for struct srcloc */
	size_t nfiles;

	/* For conf_print_report(). */
	bool main_unreadable; /* main file could not be opened */
	unsigned main_errors; /* errors in the main and resource files */
	unsigned read_errors; /* errors reading object files */
	size_t check_msgs;    /* index of the first message of the checks */
	size_t nhidden;	      /* messages over CONF_MAX_MSGS, only counted */
	size_t nfiles_read;
};

struct conf_file_id {
	dev_t dev;
	ino_t ino;
};

/* The state of one conf_load() run. */
struct conf_ctx {
	struct config *cfg;
	struct objects_priv *priv;
	struct conf_def **defs; /* in the order read (CONF_ROOM array) */
	size_t ndefs;
	struct conf_file_id *seen; /* object files already read */
	size_t nseen;
	char **strs; /* strings made while resolving, freed at the end */
	size_t nstrs;
	unsigned seq; /* next conf_def.seq */
	bool oom;     /* memory ran out: conf_load() fails with -ENOMEM */
	unsigned flags; /* CONF_MONITOR_HOST */
	struct conf_topology *topo; /* conf_topology.c: the saved topology */
};

/* conf_files.c: note the files read so far (main, resource and object
 * files) for conf_files(), and the default config_archive_dir; sets
 * ctx->oom when memory runs out. conf_files_free(): what it made. */
void conf_files_note(struct conf_ctx *ctx);
void conf_files_free(struct config *cfg);

/* conf_snmp.c: a host's snmp_* keys and device_profile (h->snmp,
 * h->device_profile); errors reported at the key's line. -ENOMEM or 0. */
struct host;
int conf_snmp_host(struct conf_ctx *ctx, const struct conf_def *d,
    struct host *h) __attribute__((warn_unused_result));

/* conf.c */

/* Add a diagnostic (file borrowed, copied; may be NULL). Sets ctx->oom
 * when memory runs out. */
void conf_msg(struct conf_ctx *ctx, enum conf_level level, const char *file,
    int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void conf_vmsg(struct conf_ctx *ctx, enum conf_level level, const char *file,
    int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));
/* A pooled copy of a file name that lives as long as the objects, or NULL
 * when memory ran out (ctx->oom set). */
const char *conf_pool_file(struct conf_ctx *ctx, const char *path);
/* Keep a malloc'd string until the end of loading (takes ownership). Returns
 * s, or NULL (s freed, ctx->oom set) when memory ran out. */
char *conf_keep(struct conf_ctx *ctx, char *s);
/* strdup(s ? s : ""), setting ctx->oom on failure. Caller frees. */
char *conf_strdup(struct conf_ctx *ctx, const char *s);
/* The object name (directive key) of d; an error when it is missing. */
const char *conf_obj_name(struct conf_ctx *ctx, const struct conf_def *d,
    const char *key);
/* Is name taken in ix? Reports the duplicate (or the reserved built-in
 * name) at d; off is the offset of the struct srcloc in the objects. */
bool conf_taken(struct conf_ctx *ctx, const struct conf_def *d,
    const struct objidx *ix, const char *name, size_t off);
/* Read a whole regular file of at most cap bytes, NUL-terminated (*out:
 * caller frees). Returns 0 or -errno: -EFBIG too large, -EINVAL not a
 * regular file. */
int conf_slurp(const char *path, size_t cap, char **out, size_t *len,
    struct stat *st) __attribute__((warn_unused_result));
const char *conf_slurp_error(int rc);

/* Arrays grown in powers of two from 8: make room for element n (the
 * capacity follows from n alone). On failure *oom is set and arr kept. */
void *conf_room(void *arr, size_t n, size_t size, bool *oom);
#define CONF_ROOM(oomp, arr, n) \
	((arr) = conf_room((arr), (n), sizeof(*(arr)), (oomp)), !*(oomp))

/* A comma-separated list split into trimmed, non-empty items. */
struct conf_list {
	char *buf;
	char **items;
	size_t n;
};
int conf_list(struct conf_ctx *ctx, const char *value, struct conf_list *l)
    __attribute__((warn_unused_result));
void conf_list_free(struct conf_list *l);
/* Next comma-separated item at *p (trimmed, may be empty): false at the
 * end of the string. */
bool conf_next_item(const char **p, const char **item, size_t *len);

/* conf_parse.c */

/* Read one object file, or every *.cfg file below a folder (sorted, dot
 * names skipped). from/from_line name the main file line that asked for it,
 * for "not found" errors. Return 0 or -ENOMEM; other problems are
 * diagnostics. */
int conf_parse_file(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line) __attribute__((warn_unused_result));
int conf_parse_dir(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line) __attribute__((warn_unused_result));
/* Object definitions from memory (made by the loader itself); name stands
 * for the file in diagnostics. */
int conf_parse_buffer(struct conf_ctx *ctx, const char *name,
    const char *buf, size_t len) __attribute__((warn_unused_result));
void conf_def_free(struct conf_def *d);
/* Templates and inheritance: fill conf_def.r of every registered
 * definition from index from on with what it inherits (templates of any
 * index apply). Template problems (unknown, loops) are diagnostics.
 * Returns 0 or -ENOMEM. */
int conf_inherit(struct conf_ctx *ctx, size_t from)
    __attribute__((warn_unused_result));

/* conf_discover.c: for each host with device_profile, the services its
 * last discovery found (cfg->discovery_cache_file) as service
 * definitions appended to ctx->defs, not yet inherited. Hand-written
 * services of the same description win. Returns 0 or -ENOMEM. */
int conf_discovered(struct conf_ctx *ctx) __attribute__((warn_unused_result));
/* conf_monitor.c: the monitor's own host and its "Pharos health" service
 * (built-in pharos_self checks), unless written by hand or turned off
 * with monitor_host_name=-. Appended to ctx->defs, not yet inherited.
 * Returns 0 or -ENOMEM. */
int conf_monitor(struct conf_ctx *ctx) __attribute__((warn_unused_result));
/* For `pharosd -v`: per host with a device_profile, how many services
 * came from the discovery cache ("\t  sw1: profile switch, 18 services
 * from SNMP discovery"), and the total. */
void conf_print_discovered(const struct objects *o, FILE *fp);
/* The directive key of d after inheritance (d->r), or NULL when it is
 * unset or "null". */
const struct conf_rkv *conf_rget(const struct conf_def *d, const char *key);
/* Its value, or NULL when unset, "null" or invalid (already reported);
 * conf_rval_or() gives dflt instead of NULL. */
const char *conf_rval(const struct conf_def *d, const char *key);
const char *conf_rval_or(const struct conf_def *d, const char *key,
    const char *dflt);
/* The name of a definition for messages: template or object name. */
const char *conf_def_label(const struct conf_def *d);
/* Convert a value already checked as VK_INTERVAL to nanoseconds. */
int64_t conf_interval_ns(const char *value, int interval_length);

/* Option kinds: which letters mean which OBJ_OPT bits. */
enum objects_optkind {
	OPTK_HOST,	   /* notification options d,u,r,f,s (n, a) */
	OPTK_SERVICE,	   /* w,u,c,r,f,s (n, a) */
	OPTK_HOST_STATES,  /* flap options, criteria, escalations: o,d,u,p,r */
	OPTK_SVC_STATES,   /* o,w,c,u,p,r */
};

/* conf_notify.c: notification, flapping, freshness and event handler
 * settings (docs/notifications.md). Unknown references are errors at the
 * object's "define" line; the object is kept without them. */

/* The main file keys enable_notifications, enable_flap_detection and the
 * four *_flap_threshold keys: true when key is one of them (its value
 * then checked, an error reported at line), false otherwise. */
bool conf_notify_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value);
/* Their defaults, set before the main file is read. */
void conf_notify_defaults(struct config *cfg);

/* conf_remote.c: remote pollers (docs/scaling.md). The main keys
 * gearman_servers, gearman_result_queue, poller_timeout and
 * poller_key_file (true when key is one of them); a host's poller key
 * (h->poller); after resolving, hostgroup pollers to their members and
 * the checks that need the main keys; before the second inheritance, a
 * "Poller NAME" service on the monitor's host per poller named. */
/* conf_topology.c: the main key default_parents (true when key is it);
 * a host's parents value (*parents, borrowed; NULL when unset) replaced
 * for `parents auto` from the saved topology, and checked against it
 * (warnings); conf_topology_free() at the end of the load. */
bool conf_topology_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value);
int conf_topology_parents(struct conf_ctx *ctx, const struct conf_def *d,
    const char *host, const char **parents)
    __attribute__((warn_unused_result));
void conf_topology_free(struct conf_ctx *ctx);

bool conf_remote_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value);
bool conf_remote_name_ok(const char *s);
int conf_remote_host(struct conf_ctx *ctx, const struct conf_def *d,
    struct host *h) __attribute__((warn_unused_result));
int conf_remote_resolve(struct conf_ctx *ctx)
    __attribute__((warn_unused_result));
int conf_remote_monitor(struct conf_ctx *ctx)
    __attribute__((warn_unused_result));
/* A contact's notification settings from d (periods, options, commands,
 * addresses, switches). Returns 0 or -ENOMEM. */
int conf_notify_contact(struct conf_ctx *ctx, const struct conf_def *d,
    struct contact *c) __attribute__((warn_unused_result));
/* A host's opts from d. Returns 0 or -ENOMEM. */
int conf_notify_host(struct conf_ctx *ctx, const struct conf_def *d,
    struct host *h) __attribute__((warn_unused_result));
/* Report the unknown references of service definition d once (periods,
 * event handler), before it is expanded to its hosts. */
void conf_notify_service_refs(struct conf_ctx *ctx, const struct conf_def *d);
/* A service's opts from d, with what it inherits from its host (set
 * s->host first); quiet about references conf_notify_service_refs()
 * reported. Returns 0 or -ENOMEM. */
int conf_notify_service(struct conf_ctx *ctx, const struct conf_def *d,
    struct service *s) __attribute__((warn_unused_result));
/* Values of a definition's directive for conf_depend.c: a boolean, an
 * option set, an interval (in ns) with its default as written, a time
 * period (NULL when unset or unknown; unknown ones reported unless
 * quiet). */
bool conf_bool_or(const struct conf_def *d, const char *key, bool dflt);
unsigned conf_opts_or(const struct conf_def *d, const char *key,
    enum objects_optkind k, unsigned dflt);
int64_t conf_ivl_or(struct conf_ctx *ctx, const struct conf_def *d,
    const char *key, const char *dflt);
struct timeperiod *conf_period(struct conf_ctx *ctx,
    const struct conf_def *d, const char *key, bool quiet);

/* conf_depend.c: escalations and dependencies (docs/dependencies.md). */

/* Once every host and service exists (after objects_link()): number the
 * time periods, build escalations and dependencies into the objects'
 * opts, reject dependency cycles. Returns 0 or -ENOMEM. */
int conf_notify_resolve(struct conf_ctx *ctx)
    __attribute__((warn_unused_result));
/* For `pharosd -v`: "Checked N host escalations." and the service ones
 * (paths false), or the dependency counts of "Checking for circular
 * paths..." (paths true), as Nagios prints them. */
void conf_print_notify(const struct objects *o, FILE *fp, bool paths);

/* conf_resolve.c */

/* Typed objects, references and checks from the inherited definitions
 * into ctx->cfg->objects. Returns 0 or -ENOMEM. */
int conf_resolve(struct conf_ctx *ctx) __attribute__((warn_unused_result));

/* objects.c: the object types and their directives, the name indexes and
 * the model-level steps of loading. */

const char *objects_type_name(enum conf_type t);
/* The type named name ("host", ...), or -1. */
int objects_type_find(const char *name);
/* The directive name of type t (Nagios 4's set for that type), or NULL
 * when the type does not know it. Custom variables ("_X"), name, use,
 * register and timeperiod date lines are not in the tables. */
const struct conf_key *objects_key_find(enum conf_type t, const char *name);
/* Is name a list directive where "+value" appends to the inherited one? */
bool objects_key_additive(const char *name);
/* May name be written more than once in one definition (traprule
 * "match")? Every occurrence is kept, and a template's are added to the
 * object's. */
bool objects_key_repeatable(enum conf_type t, const char *name);

/* Add k1/k2 -> val. Returns 0, -EEXIST (index unchanged) or -ENOMEM. */
int objects_idx_put(struct objidx *ix, const char *k1, const char *k2,
    void *val) __attribute__((warn_unused_result));
/* Replace the value (and the borrowed key pointers, which must point to
 * equal strings) of an existing entry; no-op when absent. */
void objects_idx_set(struct objidx *ix, const char *k1, const char *k2,
    void *val);
void *objects_idx_get(const struct objidx *ix, const char *k1,
    const char *k2);
void objects_idx_free(struct objidx *ix);
void objects_priv_free(struct objects_priv *p);
/* Free one service (used when a duplicate loses to a more specific one). */
void objects_service_free(struct service *s);

/* objects_notify.c: the directives of dependencies and escalations, option
 * letters, and freeing what conf_notify.c builds. */

/* objects_key_find() for CT_HOSTDEPENDENCY .. CT_SERVICEESCALATION. */
const struct conf_key *objects_notify_key_find(enum conf_type t,
    const char *name);
/* An option value (already checked by the parser: letters or Nagios' long
 * names, comma-separated) as OBJ_OPT bits; "n"/"none" clears, "a"/"all"
 * sets every bit of the kind. */
unsigned objects_opts_parse(const char *value, enum objects_optkind kind);
/* Free the notification parts of a contact, and an obj_opts (both left
 * in a freeable state; NULL-safe). */
void objects_contact_notify_free(struct contact *c);
void objects_opts_free(struct obj_opts *op);
/* Free a check_spec's arguments (not the struct). */
void objects_spec_args_free(struct check_spec *spec);

/* Members of a group (host group or contact group) while flattening. */
struct objects_grp {
	void **direct; /* hosts or contacts named directly */
	size_t ndirect;
	void **excl; /* "!name" members */
	size_t nexcl;
	size_t *subs; /* indexes of nested groups (*group_members) */
	size_t nsubs;
};

/* The built-in commands, made before any definition is read:
 * commands[0] is "icmp" (BUILTIN_ICMP, no command line). 0 or -ENOMEM. */
int objects_builtins(struct objects *o) __attribute__((warn_unused_result));
/* The state a loaded host or service starts in: pending, hard, attempt 1. */
void objects_status_init(struct check_status *st, int pending);
/* Split a check_command value "name!arg1!arg2" ("\!" is a literal '!'; a
 * leading '!', a template's override mark, is skipped): the command name
 * into name (truncated to namelen) and, when spec is not NULL, the
 * arguments into spec->args (owned by spec). Returns 0, -E2BIG when there
 * are more than CONF_MAX_ARGS (the first ones kept) or -ENOMEM. */
int objects_check_split(const char *value, char *name, size_t namelen,
    struct check_spec *spec) __attribute__((warn_unused_result));
/* Check a timeperiod date line, split into its first word (name) and the
 * rest (value): a date part ("monday", "december 25", "day 1 - 15",
 * "monday -1 may", "2025-01-01 - 2025-01-10 / 2") then time ranges
 * "HH:MM-HH:MM[,HH:MM-HH:MM...]". The date part, single-spaced, goes to
 * key (keylen bytes); *ranges points into value. Returns 0, or -EINVAL
 * with err filled. */
int objects_timeperiod_line(const char *name, const char *value, char *key,
    size_t keylen, const char **ranges, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Append c to the array *arr of *n contacts unless it is there already.
 * Returns 0 or -ENOMEM. */
int objects_contact_add(struct contact ***arr, size_t *n, struct contact *c)
    __attribute__((warn_unused_result));
/* Flatten every host group (hg[i] describes o->hostgroups[i]) and contact
 * group (cg[i], o->contactgroups[i]): a group's members are its own, those
 * of the groups nested in it (loops are harmless), minus its exclusions,
 * without duplicates; each member's groups list is filled in too. Returns
 * 0 or -ENOMEM. */
int objects_groups_finish(struct objects *o, const struct objects_grp *hg,
    const struct objects_grp *cg) __attribute__((warn_unused_result));
/* Fill host->children (from parents) and host->services (from services).
 * Returns 0 or -ENOMEM. */
int objects_link(struct objects *o) __attribute__((warn_unused_result));
/* Call fn once for each cycle of parents with the first host on it (where
 * the cycle closes) and the cycle as text, "a -> b -> c -> a" (each host
 * followed by its parent; long cycles shortened with "..."). Iterative: no
 * recursion on long chains. Returns 0 or -ENOMEM. */
int objects_parent_cycles(const struct objects *o,
    void (*fn)(void *arg, const struct host *first, const char *cycle),
    void *arg) __attribute__((warn_unused_result));

#endif
