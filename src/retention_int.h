/*
 * retention_int: what the retention files share (retention.c: the file,
 * load, save, move aside; retention_json.c: the JSON form of each entry;
 * retention_journal.c: the journal). Private to the retention module.
 */
#ifndef PHAROS_RETENTION_INT_H
#define PHAROS_RETENTION_INT_H

#include <sys/types.h>

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annot.h"
#include "retention.h"

struct retention {
	char *path;  /* the file */
	char *tmp;   /* path.tmp: the next version, renamed over path */
	char *jpath; /* path.journal */
	struct retention_entry *v; /* loaded, until retention_apply */
	size_t n;
	size_t known;   /* objects in the file on disk (the wipe guard) */
	uint64_t gen;   /* generation of the file on disk */
	int jfd;        /* journal, open for appending, or -1 */
	off_t jlen;     /* its length (everything before is committed) */
	off_t jvalid;   /* a loaded journal of this generation: its committed
			   length, kept at the first sync; 0: start afresh */
	struct retention_stats stats;
	struct retention_program prog; /* loaded, or to be saved */
};

/* Where a message points: "file: where: text". */
struct rt_ctx {
	const char *file;
	char where[96];
	char *err;
	size_t errlen;
};

/* Fill the context's err and return -EINVAL. */
int rt_fail(struct rt_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A growing text buffer; err is 0 or -ENOMEM (then nothing more is
 * added). */
struct rt_buf {
	char *p;
	size_t len, cap;
	int err;
};

void rt_emit(struct rt_buf *b, const char *s); /* literal text */
void rt_emitf(struct rt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rt_buf_free(struct rt_buf *b);

/* Entries as one-line JSON objects, and back. */
void rt_emit_status(struct rt_buf *b, const struct retention_entry *e);
void rt_emit_comment(struct rt_buf *b, const struct annot_comment *x);
void rt_emit_downtime(struct rt_buf *b, const struct annot_downtime *x);
void rt_emit_ack(struct rt_buf *b, const struct annot_ack *x);
/* {"host_name": h, "service_description": s or null} */
void rt_emit_names(struct rt_buf *b, const char *host, const char *service);
/* Fill *e (zeroed by the caller; strings allocated: rt_entry_clear them,
 * also after a failure). */
int rt_status_parse(json_t *o, bool service, struct retention_entry *e,
    struct rt_ctx *c);
void rt_entry_clear(struct retention_entry *e);

/* Parse o and restore it into a (upsert). 0, -EINVAL (c filled), -ENOMEM. */
int rt_comment_restore(json_t *o, struct annot *a, struct rt_ctx *c);
int rt_downtime_restore(json_t *o, struct annot *a, struct rt_ctx *c);
int rt_ack_restore(json_t *o, struct annot *a, struct rt_ctx *c);
/* The names, as rt_emit_names() writes them (borrowed from o). */
int rt_names_parse(json_t *o, const char **host, const char **service,
    struct rt_ctx *c);

/* retention.c */
int64_t rt_now_ns(void);
/* Read all of path (at most RETENTION_FILE_MAX bytes, else -EFBIG) into
 * *buf, NUL-terminated; the caller frees it. -ENOENT when missing; other
 * errors fill err. */
int rt_read_all(const char *path, char **buf, size_t *len, char *err,
    size_t errlen);
/* fsync the directory holding path. 0 or -errno. */
int rt_sync_dir(const char *path);

/* retention_journal.c */
/* Replay r->jpath into a when its generation is r->gen. 0, -EINVAL (err
 * names the journal and the line), -errno. */
int rt_journal_load(struct retention *r, struct annot *a, char *err,
    size_t errlen);
/* After a full save: the journal's content is in the file; drop it. */
void rt_journal_reset(struct retention *r);

#endif
