/*
 * profile: device profiles, the data that says which SNMP services a class
 * of device is given (see docs/snmp-profiles.md).
 *
 * A profile is one file DIR/NAME.cfg in a Nagios-like syntax: a
 * `define profile` block (its name, the profiles it uses, a description),
 * then `define service` blocks (one fixed service, optionally only when the
 * device's sysObjectID starts with a prefix and/or some OID exists on it)
 * and `define table` blocks (one service per row of an SNMP table, from
 * templates using $INDEX$, $NAME$ and $MULT$). Entries that share a
 * `choice` are alternatives: discovery keeps the first one whose
 * conditions hold.
 *
 * profile_load() reads a profile and everything it uses into one flat,
 * ordered list of entries: the profile's own entries in file order, then
 * each used profile's (in `use` order, recursively), an entry named like
 * one already in the list being overridden and left out. Every error
 * names the file and line ("router.cfg:12: error: ...").
 *
 * Pure data: no SNMP, no I/O besides reading the files.
 */
#ifndef PHAROS_PROFILE_H
#define PHAROS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#define PROFILE_NAME_MAX 64        /* profile, entry and choice names */
#define PROFILE_OID_MAX 128        /* a dotted OID, leading dot */
#define PROFILE_TEXT_MAX 512       /* description, check_command, values */
#define PROFILE_LINE_MAX 1024      /* one (logical) line of a file */
#define PROFILE_FILE_MAX (256 * 1024)  /* bytes of one file */
#define PROFILE_ENTRIES_MAX 256    /* entries of a loaded profile */
#define PROFILE_DEPTH_MAX 8        /* `use` nesting */
#define PROFILE_USE_MAX 4          /* profiles one profile uses */
#define PROFILE_LIST_MAX 8         /* sysobjectid, require_oid, name_oid */
#define PROFILE_FILTERS_MAX 8      /* filters of a table */
#define PROFILE_ROWS_DEFAULT 10000 /* max_rows of a table */
#define PROFILE_ROWS_MAX 100000

enum profile_kind {
	PROFILE_SERVICE,   /* define service: one fixed service */
	PROFILE_TABLE,     /* define table: one service per row */
};

enum profile_filter_op {
	PROFILE_FILTER_EQ,     /* value is one of the comma-separated list */
	PROFILE_FILTER_NE,     /* value is none of them */
	PROFILE_FILTER_MATCH,  /* value matches the POSIX extended regex */
	PROFILE_FILTER_NOMATCH,
};

/* How a table row's $NAME$ is made when there is no name_oid. */
enum profile_name_index {
	PROFILE_NAMEIDX_NONE,        /* the walked column's value */
	PROFILE_NAMEIDX_PLAIN,       /* the index itself, "192.0.2.1" */
	PROFILE_NAMEIDX_INETADDRESS, /* InetAddressType.len.bytes -> address */
};

enum profile_scale {
	PROFILE_SCALE_NONE,          /* $MULT$ is 1 */
	PROFILE_SCALE_ENTITY_SENSOR, /* ENTITY-SENSOR-MIB scale and precision */
};

struct profile_filter {
	char oid[PROFILE_OID_MAX];   /* the column; "" = the row's name */
	enum profile_filter_op op;
	char value[PROFILE_TEXT_MAX]; /* list or regex (checked at load) */
};

struct profile_entry {
	enum profile_kind kind;
	char name[PROFILE_NAME_MAX];     /* unique in the loaded profile */
	char profile[PROFILE_NAME_MAX];  /* the profile that defined it */
	char file[PROFILE_NAME_MAX + 8]; /* "router.cfg" */
	unsigned line;                   /* of its `define` */
	char choice[PROFILE_NAME_MAX];   /* "" = not an alternative */
	char description[PROFILE_TEXT_MAX];
	char check_command[PROFILE_TEXT_MAX];
	/* conditions: any sysobjectid prefix, and every require_oid */
	char sysobjectid[PROFILE_LIST_MAX][PROFILE_OID_MAX];
	size_t nsysobjectid;
	char require_oid[PROFILE_LIST_MAX][PROFILE_OID_MAX];
	size_t nrequire_oid;
	/* tables only */
	char walk[PROFILE_OID_MAX];      /* column whose instances are rows */
	char name_oid[PROFILE_LIST_MAX][PROFILE_OID_MAX]; /* first non-empty */
	size_t nname_oid;
	enum profile_name_index name_index;
	struct profile_filter filters[PROFILE_FILTERS_MAX];
	size_t nfilters;
	enum profile_scale scale;
	char scale_oid[PROFILE_OID_MAX];
	char precision_oid[PROFILE_OID_MAX];
	bool interfaces;                 /* rows are IF-MIB interfaces */
	unsigned max_rows;
};

struct profile {
	char name[PROFILE_NAME_MAX];
	char description[PROFILE_TEXT_MAX];
	struct profile_entry *entries;   /* owned, in order */
	size_t nentries;
};

/* Load DIR/NAME.cfg and the profiles it uses (from the same dir). NAME is
 * letters, digits, '-', '_'. On error returns -EINVAL (a file:line message
 * in err), -ENOENT (err names the missing file), -ENOMEM; *out is then
 * NULL. Caller frees with profile_free(). */
int profile_load(const char *dir, const char *name, struct profile **out,
    char *err, size_t errlen) __attribute__((warn_unused_result));
/* NULL is a no-op. */
void profile_free(struct profile *p);

/* Whether s is a numeric OID as profiles write it: a leading dot, then
 * 2..128 decimal sub-identifiers separated by single dots. */
bool profile_oid_valid(const char *s);

#endif
