/*
 * traprule: what a received trap does (docs/traps.md).
 *
 * A rule matches a trap by its snmpTrapOID (numeric, resolved from a MIB
 * name when the configuration is loaded), the host it came from (names or
 * host groups) and varbind values (equality or extended regex), and sets a
 * passive service's state with an output made from a template. It is
 * cleared by another trap (clear_trap, with the same value of clear_key,
 * e.g. linkUp for the same ifIndex) or after clear_after seconds.
 *
 * Rules are `define traprule` objects of the object files (cfg_file,
 * cfg_dir, trap_rules; compiled by conf_trap.c), in the order read,
 * followed by the built-in
 * ones (coldStart, warmStart, linkDown, linkUp, authenticationFailure).
 * The first rule that matches applies.
 *
 * The receiver's settings (trap_listen, trap_community, trap_user, ...)
 * are kept here too, as read from the main file: struct trap_conf.
 */
#ifndef PHAROS_TRAPRULE_H
#define PHAROS_TRAPRULE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp.h"
#include "trap.h"

struct conf_ctx;

#define TRAPRULE_OUTPUT_MAX 1024   /* bytes of a rendered output */
#define TRAPRULE_VBM_MAX 16        /* varbind conditions of one rule */
#define TRAP_DEFAULT_SERVICE "SNMP traps"
#define TRAP_DEFAULT_HISTORY 1000
#define TRAP_DEFAULT_STORM_RATE 50   /* traps per second per source */
#define TRAP_DEFAULT_STORM_BURST 200
#define TRAP_DEFAULT_STORM_WINDOW 10 /* seconds per storm summary */

enum traprule_op { TRV_EQ, TRV_NE, TRV_REGEX, TRV_NOT_REGEX };

/* One varbind condition: the first varbind whose OID is oid or under it
 * must have (or not have) the value. A missing varbind fails EQ and
 * REGEX and passes NE and NOT_REGEX. */
struct traprule_vbm {
	char *oid;            /* numeric, leading dot */
	enum traprule_op op;
	char *value;
	regex_t re;           /* REGEX kinds */
	bool has_re;
};

/* What a rule does to the service it names. */
enum traprule_target {
	TRT_SERVICE,          /* the host's service named service */
	TRT_IFSERVICE,        /* the host's snmp_if service for the trap's
				 ifIndex (built-in linkDown/linkUp) */
};

struct traprule {
	char *name;           /* rule_name */
	char *oid;            /* numeric snmpTrapOID, leading dot */
	char **hosts;         /* host_name list; none: any host */
	size_t nhosts;
	char **hostgroups;
	size_t nhostgroups;
	struct traprule_vbm *vbm;
	size_t nvbm;
	enum traprule_target target;
	char *service;        /* TRT_SERVICE: service_description */
	int state;            /* 0 OK .. 3 UNKNOWN */
	char *output;         /* template, $TRAPVAR:<numeric>$ after load */
	char *clear_oid;      /* numeric; NULL: not cleared by a trap */
	char *clear_key;      /* numeric OID of the varbind that must be
				 equal in the clearing trap; NULL: any */
	int clear_after;      /* seconds; 0: never */
	bool builtin;
	char *file;           /* NULL for built-ins */
	int line;
};

/* A trap as the rules see it; everything borrowed. */
struct traprule_trap {
	const char *trap_oid;
	const struct snmp_vb *vbs;
	size_t nvbs;
	const char *host;             /* NULL: unknown source */
	const char *const *groups;    /* the host's host groups */
	size_t ngroups;
	const char *source;
};

/* The main file's trap keys and the loaded rules (conf_trap.c). */
struct trap_conf {
	char **listen;
	size_t nlisten;
	struct trap_community *comms;
	size_t ncomms;
	struct trap_user *users;
	size_t nusers;
	struct trap_net *trusted;     /* trap_trusted_networks */
	size_t ntrusted;
	char *engine_id_file;         /* NULL: next to the retention file */
	char *service;                /* trap_service, default "SNMP traps" */
	int history;                  /* traps kept for `pharos traps` */
	int storm_rate, storm_burst, storm_window;
	struct traprule *rules;       /* user rules, then built-ins */
	size_t nrules;
};

/* Whether rule r matches trap t (OID, host or group, varbinds). */
bool traprule_match(const struct traprule *r, const struct traprule_trap *t);
/* The value of the first varbind at or under numeric oid, as text, into
 * buf (printable: control characters become '.'); false when absent. */
bool traprule_var(const struct traprule_trap *t, const char *oid, char *buf,
    size_t len);
/* The value text of one varbind (integers in decimal, strings as bytes,
 * OIDs numeric, addresses dotted). */
void traprule_vb_value(const struct snmp_vb *vb, char *buf, size_t len);
/* Render template tmpl for trap t (rule r, may be NULL) into out:
 * $TRAPVAR:<numeric oid>$, $TRAPOID$, $TRAPNAME$, $TRAPHOST$,
 * $TRAPSOURCE$, $TRAPVARS$; unknown macros are left as written. Values
 * are made safe for a plugin output line: control characters become
 * spaces and '|' (the perfdata separator) becomes '/'. Truncated to len. */
void traprule_render(const char *tmpl, const struct traprule *r,
    const struct traprule_trap *t, char *out, size_t len);
/* Escape text for one output line in place (as traprule_render does). */
void traprule_escape(char *s);
/* The name of a standard notification ("linkDown") or NULL. */
const char *traprule_std_name(const char *oid);

/* Check and normalise a template: $TRAPVAR:name$ resolved to numeric.
 * Returns a new string (caller frees), or NULL with err filled. */
char *traprule_template_compile(const char *tmpl, char *err, size_t errlen);

/* Append the built-in rules to *rules (service: trap_service). 0 or
 * -ENOMEM. */
int traprule_add_builtins(struct traprule **rules, size_t *n,
    const char *service);
void traprule_free_fields(struct traprule *r);

/* conf_trap.c, called by conf.c: a main file key (true when it is one of
 * the trap keys; errors reported at line), the rule files and the checks
 * that need the whole configuration (after resolution), and freeing. */
bool conf_trap_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value);
int conf_trap_finish(struct conf_ctx *ctx)
    __attribute__((warn_unused_result));
void conf_trap_free(struct trap_conf *tc);

#endif
