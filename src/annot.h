/*
 * annot: the user data attached to hosts and services, as Nagios has it:
 * comments, acknowledgements and scheduled downtimes (docs/downtime-acks.md).
 *
 * Objects are named by strings (host name, service description) so that the
 * data survives reloads; nothing here points into struct objects. All times
 * are wall-clock epoch seconds: downtimes are scheduled by the calendar, and
 * the caller passes "now" in, so tests drive a clock of their own.
 *
 * The module never logs and never notifies. It calls back when a downtime
 * starts, stops, is cancelled or expires (struct annot_callbacks); the
 * engine logs the Nagios line (annot_downtime_alert) and suppresses
 * notifications while annot_in_downtime() is non-zero.
 *
 * Ids: comments and downtimes have ids of their own, from 1, increasing,
 * never reused while the retention file lives (the next ids are retained).
 * Every pointer returned is borrowed: valid until the next call that
 * changes the annot. Strings passed in are copied. Not thread-safe.
 */
#ifndef PHAROS_ANNOT_H
#define PHAROS_ANNOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANNOT_MAX_DEFAULT 1000000 /* comments, and downtimes, each */
#define ANNOT_NAME_MAX 1024       /* bytes of a host, service or author */
#define ANNOT_TEXT_MAX 8192       /* bytes of a comment text */
#define ANNOT_TIME_MAX 253402300799LL /* 9999-12-31 23:59:59 UTC */
#define ANNOT_PROCESS_AUTHOR "(Pharos Process)"

struct annot;

/* Nagios' entry_type numbers. */
enum annot_comment_type {
	ANNOT_COMMENT_USER = 1,
	ANNOT_COMMENT_DOWNTIME = 2, /* made by a downtime, gone with it */
	ANNOT_COMMENT_FLAPPING = 3, /* made by the engine while flapping */
	ANNOT_COMMENT_ACK = 4,      /* made by an acknowledgement */
};

/* A comment. As input (annot_comment_add) id is ignored. */
struct annot_comment {
	uint64_t id;
	const char *host;
	const char *service; /* NULL: a host comment */
	int64_t entry_time;
	const char *author;
	const char *text;
	bool persistent; /* survives restarts (user and ack comments) */
	enum annot_comment_type type;
};

enum annot_ack_type {
	ANNOT_ACK_NONE = 0,
	ANNOT_ACK_NORMAL = 1, /* ends on any state change */
	ANNOT_ACK_STICKY = 2, /* ends only on recovery to UP/OK */
};

/* The acknowledgement of one host or service. As input (annot_ack_set)
 * comment_id is ignored and state is the object's current state. */
struct annot_ack {
	const char *host;
	const char *service; /* NULL: the host */
	enum annot_ack_type type;
	int state;           /* the problem state acknowledged (0 = UP/OK) */
	bool notify;         /* send an ACKNOWLEDGEMENT notification */
	bool persistent;     /* its comment outlives the ack and restarts */
	int64_t entry_time;
	const char *author;
	const char *comment;
	uint64_t comment_id; /* its ACK comment */
};

enum annot_dt_state {
	ANNOT_DT_PENDING = 0, /* waiting for its start (or a problem) */
	ANNOT_DT_ACTIVE = 1,  /* in effect since actual_start */
	ANNOT_DT_ENDED = 2,   /* only seen in the STOPPED/CANCELLED call */
};

/* A scheduled downtime. As input (annot_downtime_add) id, comment_id,
 * state and actual_start are ignored. */
struct annot_downtime {
	uint64_t id;
	const char *host;
	const char *service; /* NULL: a host downtime */
	int64_t entry_time;
	int64_t start_time; /* the window [start_time, end_time] */
	int64_t end_time;
	bool fixed;          /* in effect exactly over the window */
	int64_t duration;    /* flexible: seconds in effect once started */
	uint64_t trigger_id; /* 0, or the downtime whose start starts it */
	const char *author;
	const char *comment;
	uint64_t comment_id; /* its DOWNTIME comment */
	enum annot_dt_state state;
	int64_t actual_start; /* 0 while pending */
};

enum annot_dt_event {
	ANNOT_DT_STARTED,
	ANNOT_DT_STOPPED,   /* ended normally (its time, or its trigger's) */
	ANNOT_DT_CANCELLED, /* deleted while in effect */
	ANNOT_DT_EXPIRED,   /* removed without ever starting */
};

/* Called for each downtime transition; depth is the object's count of
 * downtimes in effect after it. The callback must not change the annot. */
struct annot_callbacks {
	void (*downtime)(void *arg, const struct annot_downtime *dt,
	    enum annot_dt_event ev, unsigned depth);
	void *arg;
};

/* max_entries caps comments and downtimes each (0: ANNOT_MAX_DEFAULT).
 * Returns 0 or -ENOMEM. */
int annot_new(size_t max_entries, struct annot **out)
    __attribute__((warn_unused_result));
void annot_free(struct annot *a); /* NULL no-op */

/* ---- comments ------------------------------------------------------- */

/* Add a comment (ADD_HOST_COMMENT, ADD_SVC_COMMENT, or a process comment).
 * NULL author/text mean "". Returns 0 and *id, -EINVAL (err says why) or
 * -ENOSPC (too many comments) or -ENOMEM. */
int annot_comment_add(struct annot *a, const struct annot_comment *c,
    uint64_t *id, char *err, size_t errlen)
    __attribute__((warn_unused_result));
const struct annot_comment *annot_comment_find(const struct annot *a,
    uint64_t id);
/* DEL_HOST_COMMENT / DEL_SVC_COMMENT. Returns 0 or -ENOENT. */
int annot_comment_delete(struct annot *a, uint64_t id);
/* Delete the comments of one object (service NULL: the host's own) of a
 * type, or of every type when type is 0 (DEL_ALL_HOST_COMMENTS,
 * DEL_ALL_SVC_COMMENTS). Returns how many. */
size_t annot_comment_delete_all(struct annot *a, const char *host,
    const char *service, int type);
/* In id order, i < annot_comment_count(). */
size_t annot_comment_count(const struct annot *a);
const struct annot_comment *annot_comment_at(const struct annot *a, size_t i);

/* ---- acknowledgements ----------------------------------------------- */

/* ACKNOWLEDGE_HOST_PROBLEM / ACKNOWLEDGE_SVC_PROBLEM: set (or replace) the
 * ack and add its ACK comment. Refused (-EINVAL) when ack->state is 0: an
 * object that is UP or OK has no problem to acknowledge. */
int annot_ack_set(struct annot *a, const struct annot_ack *ack,
    char *err, size_t errlen) __attribute__((warn_unused_result));
/* NULL when the object is not acknowledged. */
const struct annot_ack *annot_ack_get(const struct annot *a,
    const char *host, const char *service);
/* REMOVE_*_ACKNOWLEDGEMENT: drop the ack and the object's non-persistent
 * ACK comments. Returns 0 or -ENOENT. */
int annot_ack_remove(struct annot *a, const char *host, const char *service);
/* Tell of a state change of an object (call on every change of state, soft
 * or hard; a call with the acknowledged state is not a change). A normal
 * ack ends on any change, a sticky one only when ok (UP/OK). Returns 1 when
 * an ack ended (its non-persistent comments went with it), else 0. */
int annot_state_change(struct annot *a, const char *host, const char *service,
    int new_state, bool ok);
/* Call fn for each ack (in no particular order) until it returns non-zero;
 * returns that value, or 0. fn must not change the annot. */
int annot_ack_foreach(const struct annot *a,
    int (*fn)(void *arg, const struct annot_ack *ack), void *arg);

/* ---- downtimes ------------------------------------------------------ */

/* SCHEDULE_HOST_DOWNTIME / SCHEDULE_SVC_DOWNTIME: add a pending downtime
 * and its DOWNTIME comment. Refused (-EINVAL) when end <= start, end <=
 * now, a flexible one has no duration, or times are out of range; -ENOENT
 * when trigger_id names no downtime; -ENOSPC at the bound. */
int annot_downtime_add(struct annot *a, const struct annot_downtime *req,
    int64_t now, uint64_t *id, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* SCHEDULE_HOST_SVC_DOWNTIME: one downtime for each of the n services of
 * req->host (as Nagios, not for the host itself). All or nothing; the ids
 * are consecutive from *first_id. */
int annot_downtime_add_services(struct annot *a,
    const struct annot_downtime *req, const char *const *services, size_t n,
    int64_t now, uint64_t *first_id, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* The i-th child host of host (borrowed until the call that asked
 * returns), NULL after the last. */
typedef const char *annot_child_fn(void *arg, const char *host, size_t i);
/* SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME (triggered false: each descendant
 * host gets an independent copy) and ..._TRIGGERED_HOST_DOWNTIME (triggered
 * true: every descendant's downtime is triggered by req->host's). Each
 * descendant once, however many paths lead to it. All or nothing;
 * consecutive ids from *first_id (req->host's), *count of them. */
int annot_downtime_add_propagated(struct annot *a,
    const struct annot_downtime *req, bool triggered, annot_child_fn *child,
    void *arg, int64_t now, uint64_t *first_id, size_t *count, char *err,
    size_t errlen) __attribute__((warn_unused_result));
const struct annot_downtime *annot_downtime_find(const struct annot *a,
    uint64_t id);
/* DEL_HOST_DOWNTIME / DEL_SVC_DOWNTIME: delete a downtime, the downtimes it
 * triggers (recursively) and their comments; those in effect are
 * CANCELLED through cb (may be NULL). Returns 0 or -ENOENT. */
int annot_downtime_delete(struct annot *a, uint64_t id,
    const struct annot_callbacks *cb);
/* DEL_DOWNTIME_BY_HOST_NAME: the downtimes of host (service NULL: the
 * host's and all its services') or of one service, as above. Returns how
 * many were deleted, triggered ones included. */
size_t annot_downtime_delete_by_host(struct annot *a, const char *host,
    const char *service, const struct annot_callbacks *cb);
size_t annot_downtime_count(const struct annot *a);
const struct annot_downtime *annot_downtime_at(const struct annot *a,
    size_t i); /* in id order */

/* Scheduled downtime depth: how many downtimes of this object (service
 * NULL: the host's own) are in effect. A service is not in downtime
 * because its host is; the engine checks both. */
unsigned annot_in_downtime(const struct annot *a, const char *host,
    const char *service);

/* Time-driven transitions at now: fixed downtimes start at start_time and
 * stop at end_time; flexible ones in effect stop at actual_start +
 * duration; triggered ones start with their trigger (or at once if it is
 * already in effect) and stop with it at the latest; a pending one whose
 * window has passed expires. Ended ones are removed with their comments.
 * Returns the next time something is due (INT64_MAX: nothing), to arm a
 * timer; call it at least then, and after adding downtimes. */
int64_t annot_tick(struct annot *a, int64_t now,
    const struct annot_callbacks *cb);
/* Tell of a result in a problem state (not UP/OK) at now: a pending
 * flexible downtime of that object whose window holds now starts (and the
 * ones it triggers). Call it for every problem result; cheap when the
 * object has no pending flexible downtime. */
void annot_problem(struct annot *a, const char *host, const char *service,
    int64_t now, const struct annot_callbacks *cb);
/* The text of the Nagios log line for a transition ("HOST DOWNTIME ALERT:
 * h;STARTED; Host has entered a period of scheduled downtime"), into buf.
 * Returns 1 when the line is to be logged (a start to depth 1, a stop or
 * cancel to depth 0), else 0 (buf then empty). */
int annot_downtime_alert(const struct annot_downtime *dt,
    enum annot_dt_event ev, unsigned depth, char *buf, size_t len);

/* ---- persistence support (retention.c) ------------------------------ */

/* Insert an entry as saved (its id kept; an entry with that id, or the
 * object's ack, is replaced). Depth counts follow; nothing is called back
 * and no comment is made. Returns 0, -EINVAL (err says why), -ENOSPC or
 * -ENOMEM. */
int annot_comment_restore(struct annot *a, const struct annot_comment *c,
    char *err, size_t errlen) __attribute__((warn_unused_result));
int annot_downtime_restore(struct annot *a, const struct annot_downtime *d,
    char *err, size_t errlen) __attribute__((warn_unused_result));
int annot_ack_restore(struct annot *a, const struct annot_ack *ack,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* The next ids to give. annot_set_next_ids only raises them. */
void annot_next_ids(const struct annot *a, uint64_t *comment,
    uint64_t *downtime);
void annot_set_next_ids(struct annot *a, uint64_t comment, uint64_t downtime);

/* What does not survive a restart, as Nagios: non-persistent user
 * comments, non-persistent ACK comments of objects no longer acknowledged,
 * DOWNTIME comments whose downtime is gone. Returns how many went. */
size_t annot_drop_volatile(struct annot *a);
/* Drop everything of the objects for which exists() is false (no longer
 * configured). Returns how many entries went (comments, downtimes, acks). */
size_t annot_prune(struct annot *a,
    bool (*exists)(void *arg, const char *host, const char *service),
    void *arg);

/* The change list: which entries changed since annot_changes_clear(),
 * oldest first, for the retention journal. An entry may appear more than
 * once; its current state (or absence: deleted) is what counts. Past
 * max_entries changes the list is dropped and *overflow set: only a full
 * save then captures the state. */
enum annot_change_kind {
	ANNOT_CHANGE_COMMENT,
	ANNOT_CHANGE_DOWNTIME,
	ANNOT_CHANGE_ACK,
};

struct annot_change {
	enum annot_change_kind kind;
	uint64_t id;         /* comment or downtime */
	const char *host;    /* ack: the object */
	const char *service;
};

const struct annot_change *annot_changes(const struct annot *a, size_t *n,
    bool *overflow);
void annot_changes_clear(struct annot *a);

#endif
