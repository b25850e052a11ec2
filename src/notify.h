/*
 * notify: the notification engine. It decides, as Nagios 4 does, when a
 * host or service problem, recovery, acknowledgement, flapping or downtime
 * event is sent, to which contacts, with which commands, and when a
 * problem is sent again; see docs/notifications.md for the rules.
 *
 * The engine owns no timers, processes or files. The daemon tells it what
 * happened (a check result was applied, an acknowledgement, a downtime
 * started, ...) and asks it through notify_next_time() when to call
 * notify_tick(); the engine answers through struct notify_ops: queries
 * (downtime, flapping, acknowledgement) and outputs (a command to run, an
 * event-log line). Commands are expanded here with src/macro.h and the
 * NOTIFICATION/CONTACT macros; running them is the caller's job.
 *
 * Times are wall-clock epoch seconds (the notification periods are
 * wall-clock time periods, so notification times follow the wall clock as
 * in Nagios; a clock step moves them). Everything runs on the caller's
 * thread; no callback may call back into the engine.
 */
#ifndef PHAROS_NOTIFY_H
#define PHAROS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects.h"

struct notify;
struct tp_table;

/* Why a notification goes out ($NOTIFICATIONTYPE$ is the name). */
enum notify_type {
	NOTIFY_PROBLEM,           /* "PROBLEM": hard problem, re-notification */
	NOTIFY_RECOVERY,          /* "RECOVERY" */
	NOTIFY_ACKNOWLEDGEMENT,   /* "ACKNOWLEDGEMENT" */
	NOTIFY_FLAPPINGSTART,     /* "FLAPPINGSTART" */
	NOTIFY_FLAPPINGSTOP,      /* "FLAPPINGSTOP" */
	NOTIFY_FLAPPINGDISABLED,  /* "FLAPPINGDISABLED" */
	NOTIFY_DOWNTIMESTART,     /* "DOWNTIMESTART" */
	NOTIFY_DOWNTIMEEND,       /* "DOWNTIMEEND" */
	NOTIFY_DOWNTIMECANCELLED, /* "DOWNTIMECANCELLED" */
	NOTIFY_CUSTOM,            /* "CUSTOM" */
};

/* The options of SEND_CUSTOM_HOST_NOTIFICATION and
 * SEND_CUSTOM_SVC_NOTIFICATION, Nagios' bit values. */
#define NOTIFY_OPT_BROADCAST 1u /* escalated and normal contacts alike */
#define NOTIFY_OPT_FORCED 2u    /* past every filter (enable, period...) */
#define NOTIFY_OPT_INCREMENT 4u /* counts in the notification number */

/* One command to run for one contact, handed to ops->run. Everything is
 * borrowed for the duration of the call (copy argv to keep it). */
struct notify_job {
	enum notify_type type;
	const struct host *host;
	const struct service *service; /* NULL for a host notification */
	const struct contact *contact;
	const struct command *command; /* the notification command */
	char *const *argv;             /* expanded, NULL-terminated */
	bool shell;                    /* argv is {"/bin/sh", "-c", line} */
	int number;                    /* $NOTIFICATIONNUMBER$ */
};

struct notify_ops {
	/* Is the object (s NULL: the host h itself) in scheduled downtime?
	 * For DOWNTIMESTART the downtime that starts must not count yet,
	 * for DOWNTIMEEND/CANCELLED the one that ends no longer. NULL:
	 * never. */
	bool (*in_downtime)(void *arg, const struct host *h,
	    const struct service *s);
	/* Is it flapping now? NULL: never. */
	bool (*is_flapping)(void *arg, const struct host *h,
	    const struct service *s);
	/* Is its current problem acknowledged? NULL: never. */
	bool (*is_acknowledged)(void *arg, const struct host *h,
	    const struct service *s);
	/* Run one notification command (required). */
	void (*run)(void *arg, const struct notify_job *job);
	/* Write one event-log line, without the "[time] " prefix, e.g.
	 * "HOST NOTIFICATION: alice;router;DOWN;notify-by-email;PING
	 * CRITICAL". NULL: not logged. */
	void (*log)(void *arg, const char *line);
	void *arg;
};

struct notify_params {
	bool enabled;             /* the main file's enable_notifications */
	/* $USER1$.. (config->user_macros, CONF_MAX_USER_MACROS); borrowed */
	char *const *user_macros;
	size_t nuser_macros;
	/* When the daemon started: first_notification_delay counts from
	 * here for an object never seen UP or OK. */
	int64_t start_time;
};

struct notify_counters {
	uint64_t notifications; /* object notifications that reached a
				 * contact */
	uint64_t contacts;      /* contact notifications */
	uint64_t commands;      /* commands handed to ops->run */
	uint64_t expand_failed; /* commands not run: expansion failed */
};

/* What the engine keeps per host or service (for status and retention). */
struct notify_state {
	int number;         /* current_notification_number */
	int64_t last;       /* last problem notification; 0: none */
	int64_t next;       /* next re-notification allowed; 0: any time */
	unsigned notified_on; /* OBJ_OPT_STATE bits notified this problem */
	bool no_more;       /* notification_interval 0 reached */
	int64_t timer;      /* when notify_tick() acts on it; 0: no timer */
};

/*
 * A new engine for objs (borrowed; the objects, their opts and contacts
 * must outlive it) with the compiled time periods tps (borrowed; NULL:
 * every period is "always"), params p (copied; user_macros borrowed) and
 * ops (copied). Every object starts with no notification pending, as if
 * last seen in its current state. Returns 0 or -ENOMEM (-EINVAL without
 * ops->run). Caller frees with notify_free().
 */
int notify_new(struct objects *objs, const struct tp_table *tps,
    const struct notify_params *p, const struct notify_ops *ops,
    struct notify **out) __attribute__((warn_unused_result));
void notify_free(struct notify *n); /* NULL is a no-op */

/* ENABLE_NOTIFICATIONS / DISABLE_NOTIFICATIONS. */
void notify_set_enabled(struct notify *n, bool on);

/*
 * Call after every check result of h (or s) was applied to its st (the
 * state engine's work): the engine compares with the last hard state it
 * saw. A new hard problem state notifies now; a hard recovery after a
 * notified problem sends RECOVERY; soft states notify nothing; a hard
 * problem that is due (blocked earlier, e.g. while acknowledged or in
 * downtime) is tried again, as Nagios retries at the next check; a
 * volatile service notifies on every hard problem result. now: wall
 * clock seconds.
 */
void notify_host_checked(struct notify *n, const struct host *h,
    int64_t now);
void notify_service_checked(struct notify *n, const struct service *s,
    int64_t now);

/*
 * An event that is not a check result: NOTIFY_ACKNOWLEDGEMENT (author,
 * comment), NOTIFY_FLAPPING*, NOTIFY_DOWNTIME* (see ops->in_downtime) on
 * h (s NULL) or s (h ignored, s->host used). author and comment may be
 * NULL; they are $NOTIFICATIONAUTHOR$ and $NOTIFICATIONCOMMENT$. PROBLEM,
 * RECOVERY and CUSTOM are ignored here.
 */
void notify_event(struct notify *n, const struct host *h,
    const struct service *s, enum notify_type type, const char *author,
    const char *comment, int64_t now);

/* SEND_CUSTOM_HOST_NOTIFICATION / SEND_CUSTOM_SVC_NOTIFICATION with
 * NOTIFY_OPT_* options. */
void notify_custom(struct notify *n, const struct host *h,
    const struct service *s, unsigned options, const char *author,
    const char *comment, int64_t now);

/* When notify_tick() has work next (re-notifications, delayed first
 * notifications, periods that begin), or INT64_MAX for never. */
int64_t notify_next_time(const struct notify *n);
/* Do what is due at now (wall clock seconds). */
void notify_tick(struct notify *n, int64_t now);

/*
 * Do h's (s NULL) or s's dependencies fail at now? execution selects
 * execution_failure_criteria (for the scheduler), else notification
 * criteria. A master counts with its hard state (its last hard state
 * while it is soft, as Nagios with soft_state_dependencies=0); a
 * dependency outside its dependency_period does not apply;
 * inherits_parent follows the master's own dependencies.
 */
bool notify_deps_failed(const struct notify *n, const struct host *h,
    const struct service *s, bool execution, int64_t now);

/* The engine's state of h (s NULL) or s. */
void notify_get_state(const struct notify *n, const struct host *h,
    const struct service *s, struct notify_state *out);

/* Restore what notify_get_state() gave before a restart (retention),
 * once the object's st is restored too: a notified hard problem gets its
 * re-notification timer back (at the saved next time, or now when that
 * passed). The timer field of in is ignored. */
void notify_set_state(struct notify *n, const struct host *h,
    const struct service *s, const struct notify_state *in, int64_t now);

const struct notify_counters *notify_get_counters(const struct notify *n);

/* "PROBLEM", "RECOVERY", ... */
const char *notify_type_name(enum notify_type t);

#endif
