/*
 * notify_int: what notify.c (decisions, timers) and notify_send.c
 * (recipients, escalations, macros, commands, log lines) share. Not for
 * use outside the notification engine.
 */
#ifndef PHAROS_NOTIFY_INT_H
#define PHAROS_NOTIFY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify.h"

#define NT_NOPOS SIZE_MAX

/* Per host and service (n->obj: hosts first, then services). */
struct nt_obj {
	int number;           /* current_notification_number */
	int hard_state;       /* the last hard state seen */
	unsigned notified_on; /* OBJ_OPT_STATE bits notified this problem */
	bool no_more;         /* interval 0: no more problem notifications */
	int64_t last;         /* last problem notification sent */
	int64_t next;         /* no re-notification before this */
	int64_t last_ok;      /* last time seen UP/OK; 0: never */
	int64_t timer;        /* heap key; meaningful while hpos is set */
	uint64_t seq;         /* heap tie-break: equal times keep order */
	size_t hpos;          /* position in n->heap, or NT_NOPOS */
};

struct notify {
	struct objects *objs;
	const struct tp_table *tps;
	struct notify_params p;
	struct notify_ops ops;
	struct nt_obj *obj;	  /* nhosts + nservices */
	size_t *heap;		  /* ids into obj, min-heap on (timer, seq) */
	size_t nheap;
	uint64_t seq;
	struct contact **scratch; /* recipients of one notification */
	struct notify_counters counters;
};

/* The object a notification is about. */
struct nt_target {
	const struct host *h;    /* the host, or the service's host */
	const struct service *s; /* NULL: a host notification */
	const struct obj_opts *op;
	const struct check_status *st;
	struct nt_obj *o;
};

/* What one notification carries. */
struct nt_msg {
	enum notify_type type;
	unsigned options; /* NOTIFY_OPT_* */
	const char *author;
	const char *comment;
	int64_t now;
};

/* notify.c: is now inside tp (NULL: always)? */
bool nt_period_in(const struct notify *n, const struct timeperiod *tp,
    int64_t now);

/* notify_send.c */

/* Send m about t to every contact that should get it (escalations,
 * contact filters), running each contact's commands. Returns how many
 * contacts were notified. */
size_t nt_send(struct notify *n, const struct nt_target *t,
    const struct nt_msg *m);
/* The re-notification interval in seconds for t at its current number:
 * the object's notification_interval, or the smallest of the escalations
 * that apply. */
int64_t nt_interval(const struct notify *n, const struct nt_target *t,
    int64_t now);

#endif
