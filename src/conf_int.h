/*
 * conf_int: what the parts of the configuration loader share (conf.c,
 * conf_parse.c, conf_resolve.c) and the loader-private data objects.c keeps
 * behind struct objects.priv. Not for use outside the loader and objects.c.
 *
 * Loading runs in three steps over one struct conf_ctx:
 *   conf.c          main file, resource files, then names the object files;
 *   conf_parse.c    object files -> raw definitions (struct conf_def), each
 *                   directive with its file and line, values syntax-checked;
 *   conf_resolve.c  templates, typed objects, references, checks.
 */
#ifndef PHAROS_CONF_INT_H
#define PHAROS_CONF_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"

#define CONF_MAX_LINE 65536	      /* bytes in one logical line */
#define CONF_MAX_ERRORS_PER_FILE 50   /* then "too many errors" and stop */
#define CONF_MAX_FILE_SIZE (512L << 20) /* larger object files are refused */
#define CONF_MAX_DIR_DEPTH 32	      /* cfg_dir recursion */
#define CONF_MAX_ARGS 32	      /* $ARG1$..$ARG32$ */

/* Definition types, the built ones first. */
enum conf_type {
	CT_HOST,
	CT_HOSTGROUP,
	CT_SERVICE,
	CT_COMMAND,
	CT_CONTACT,
	CT_CONTACTGROUP,
	CT_TIMEPERIOD,
	CT_NBUILT, /* types below are accepted but not acted on */
	CT_SERVICEGROUP = CT_NBUILT,
	CT_HOSTDEPENDENCY,
	CT_SERVICEDEPENDENCY,
	CT_HOSTESCALATION,
	CT_SERVICEESCALATION,
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
};

struct conf_key {
	const char *name;
	enum conf_vkind kind;
	double min, max;  /* VK_INT, VK_NUM */
	const char *opts; /* VK_OPTS, VK_STATE: allowed letters */
};

/* One directive as written. For timeperiod date lines the key is the date
 * part ("monday", "december 25") and the value the time ranges. */
#define CONF_KV_TIME 0x1u
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
	size_t nkvs, capkvs;

	/* Filled by conf_resolve.c. */
	const char *tname; /* template name ("name"), borrowed */
	const char *use;   /* borrowed */
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
	size_t nfiles, capfiles;

	/* For conf_print_report(). */
	bool main_unreadable; /* main file could not be opened */
	unsigned main_errors; /* errors in the main and resource files */
	unsigned read_errors; /* errors reading object files */
	size_t check_msgs;    /* index of the first message of the checks */
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
	struct conf_def **defs;
	size_t ndefs, capdefs;
	struct conf_file_id *seen; /* object files already read */
	size_t nseen, capseen;
	char **strs; /* strings made while resolving, freed at the end */
	size_t nstrs, capstrs;
	unsigned seq;
	unsigned file_errors; /* errors in the object file being read */
	bool oom;
};

/* conf.c */

/* Add a diagnostic (file borrowed, copied; may be NULL). Sets ctx->oom
 * when memory runs out. */
void conf_msg(struct conf_ctx *ctx, enum conf_level level, const char *file,
    int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void conf_vmsg(struct conf_ctx *ctx, enum conf_level level, const char *file,
    int line, const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* A pooled copy of a file name that lives as long as the objects, or NULL
 * when memory ran out (ctx->oom set). */
const char *conf_pool_file(struct conf_ctx *ctx, const char *path);
/* Keep a malloc'd string until the end of loading (takes ownership). Returns
 * s, or NULL (s freed, ctx->oom set) when memory ran out. */
char *conf_keep(struct conf_ctx *ctx, char *s);

/* conf_parse.c */

/* Read one object file, or every *.cfg file below a folder (sorted, dot
 * names skipped). from/from_line name the main file line that asked for it,
 * for "not found" errors. Return 0 or -ENOMEM; other problems are
 * diagnostics. */
int conf_parse_file(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line) __attribute__((warn_unused_result));
int conf_parse_dir(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line) __attribute__((warn_unused_result));
void conf_def_free(struct conf_def *d);
const char *conf_type_name(enum conf_type t);
/* The directive description for a type, or NULL when it is not one the
 * type knows. Custom variables ("_X") and timeperiod date lines are not in
 * the tables. */
const struct conf_key *conf_key_find(enum conf_type t, const char *name);
/* Additive ("+value") list directive? */
bool conf_key_additive(const char *name);
/* Convert a value already checked as VK_INTERVAL to nanoseconds. */
int64_t conf_interval_ns(const char *value, int interval_length);

/* conf_resolve.c */

/* Templates, objects, references and checks into ctx->cfg->objects.
 * Returns 0 or -ENOMEM. */
int conf_resolve(struct conf_ctx *ctx) __attribute__((warn_unused_result));

/* objects.c: the name indexes. */

/* Add k1/k2 -> val. Returns 0, -EEXIST (index unchanged) or -ENOMEM. */
int objects_idx_put(struct objidx *ix, const char *k1, const char *k2, void *val)
    __attribute__((warn_unused_result));
/* Replace the value (and the borrowed key pointers, which must point to
 * equal strings) of an existing entry; no-op when absent. */
void objects_idx_set(struct objidx *ix, const char *k1, const char *k2, void *val);
void *objects_idx_get(const struct objidx *ix, const char *k1, const char *k2);
void objects_idx_free(struct objidx *ix);
void objects_priv_free(struct objects_priv *p);
/* Free one service (used when a duplicate loses to a more specific one). */
void objects_service_free(struct service *s);

#endif
