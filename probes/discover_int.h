/*
 * discover_int: what the files of the discover module share (discover.c:
 * the requests; discover_rows.c: rows, names and templates;
 * discover_cache.c: results, the cache and diffs). Not a public header.
 */
#ifndef PHAROS_DISCOVER_INT_H
#define PHAROS_DISCOVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discover.h"
#include "profile.h"
#include "snmp.h"

/* One instance of a walked column. */
struct dc_cell {
	char *suffix;          /* the instance after the column: "10101" */
	char *value;           /* text; strings raw (NUL-terminated, maybe
				  with NULs inside: see len) */
	size_t len;            /* bytes of value */
	enum snmp_type type;
	bool numeric;          /* INTEGER or an unsigned kind: i is valid */
	int64_t i;
};

/* A column walked for the tables that need it. */
struct dc_column {
	char oid[PROFILE_OID_MAX];
	size_t oidlen;
	unsigned max_rows;     /* the largest max_rows of its tables */
	const char *table;     /* a table that needs it (for errors) */
	struct dc_cell *cells; /* in walk (OID) order */
	size_t n, cap;
	struct dc_cell **by_suffix;  /* sorted by suffix, after the walk */
	struct discover *d;    /* request state, discover.c */
	struct snmp_req *req;
};

struct dc_columns {
	struct dc_column *v;
	size_t n;
};

/* The column of oid, or NULL. */
struct dc_column *dc_columns_find(struct dc_columns *cols, const char *oid);
/* Sort a walked column for dc_column_get. Returns 0 or -ENOMEM. */
int dc_column_index(struct dc_column *c) __attribute__((warn_unused_result));
/* The cell of the instance suffix, or NULL. */
const struct dc_cell *dc_column_get(const struct dc_column *c,
    const char *suffix);
void dc_columns_free(struct dc_columns *cols);

/* Build the services (and interfaces) of the active entries into r from
 * the walked columns. Returns 0, or -ENOMEM / -E2BIG with err filled. */
int dc_build(const struct profile *prof, const bool *active,
    struct dc_columns *cols, struct discover_result *r, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Copy len bytes of src into dst (size dstlen) as printable UTF-8: stop
 * at a NUL, control characters and invalid UTF-8 become '?'. */
void dc_clean_text(char *dst, size_t dstlen, const char *src, size_t len);

/* Append to a result (copies). Return 0, -ENOMEM or -E2BIG (cap). */
int dc_result_add_service(struct discover_result *r, const char *desc,
    const char *cmd, const char *origin) __attribute__((warn_unused_result));
int dc_result_add_iface(struct discover_result *r,
    const struct discover_iface *in) __attribute__((warn_unused_result));
/* Free what r owns and empty it (r itself stays). */
void dc_result_clear(struct discover_result *r);

#endif
