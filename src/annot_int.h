/*
 * annot_int: what annot.c (objects, comments, acks) and annot_dt.c
 * (downtimes) share. Private to the annot module.
 */
#ifndef PHAROS_ANNOT_INT_H
#define PHAROS_ANNOT_INT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "annot.h"

/* ann_dt.flag and ann_comment.flag, scratch of one operation. */
enum { AN_KEEP = 0, AN_REAP = 1, AN_LIVE = 2 };

struct ann_obj {
	struct ann_obj *next; /* hash chain */
	uint64_t hash;
	char *host;
	char *service;
	struct annot_ack ack; /* type ANNOT_ACK_NONE: not acknowledged */
	char *ack_author;
	char *ack_comment;
	unsigned depth;
	size_t nflex;
	size_t nrefs;
	uint64_t mark;
};

struct ann_comment {
	struct annot_comment pub;
	struct ann_obj *obj;
	char *author;
	char *text;
	int flag;
};

struct ann_dt {
	struct annot_downtime pub;
	struct ann_obj *obj;
	char *author;
	char *comment;
	int flag;
};

struct annot {
	struct ann_obj **buckets;
	size_t nbuckets, nobjs;
	struct ann_comment **cm;
	size_t ncm, cmcap;
	struct ann_dt **dt;
	size_t ndt, dtcap;
	uint64_t next_cid, next_did;
	size_t max;
	struct annot_change *chg;
	size_t nchg, chgcap;
	bool chg_overflow;
	uint64_t walk;
};

/* annot.c */
struct ann_obj *an_obj_find(const struct annot *a, const char *host,
    const char *service);
/* The object, created when missing; NULL when out of memory. */
struct ann_obj *an_obj_get(struct annot *a, const char *host,
    const char *service);
/* Record a change of an entry of o (see annot_changes()). */
void an_changed(struct annot *a, enum annot_change_kind kind, uint64_t id,
    const struct ann_obj *o);
/* Checks that fill err and return 0 or -EINVAL. */
int an_check_obj(const char *host, const char *service, char *err,
    size_t errlen);
int an_check_text(const char *author, const char *text, char *err,
    size_t errlen);
int an_check_time(const char *what, int64_t t, char *err, size_t errlen);
/* Fill err with "too many <what>" and return -ENOSPC. */
int an_full(const char *what, size_t max, char *err, size_t errlen);
char *an_dup(const char *s); /* strdup of s, or of "" when NULL */
/* Index of comment id in a->cm, or -1. */
ssize_t an_cm_index(const struct annot *a, uint64_t id);
/* Remove the comments flagged AN_REAP; returns how many. */
size_t an_cm_reap(struct annot *a);

/* annot_dt.c */
/* Remove the downtimes flagged AN_REAP and their comments, without
 * callbacks (the caller made them); returns how many. */
size_t an_dt_reap(struct annot *a);
void an_dt_free(struct ann_dt *w);

#endif
