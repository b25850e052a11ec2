/*
 * state: the state engine. It turns check results into host and service
 * states the way Nagios does (soft and hard states, attempts, retries,
 * recoveries) and decides reachability: a failing host's parents are
 * checked at once, and the host's state is decided only after they have
 * returned; a host whose every parent is DOWN or UNREACHABLE is
 * UNREACHABLE, not DOWN. When a host recovers, its children that are not UP
 * are checked at once. State changes are written to the event log.
 */
#ifndef PHAROS_STATE_H
#define PHAROS_STATE_H

#include <stdint.h>

#include "check.h"
#include "objects.h"

struct evlog;
struct state;

/* What the engine asks of the scheduler (sched.c in the daemon; a recorder
 * in unit tests). Deadlines are monotonic ns. */
struct state_ops {
	void (*host_check_now)(void *arg, struct host *h);
	void (*host_next)(void *arg, struct host *h, int64_t deadline);
	void (*service_next)(void *arg, struct service *s, int64_t deadline);
	/* Optional: after each result is applied (s NULL for a host), with
	 * the state and type before it; alert is true when the change was
	 * logged as an ALERT. For flapping, acknowledgements, downtimes and
	 * notifications. */
	void (*applied)(void *arg, struct host *h, struct service *s,
	    int prev_state, enum state_type prev_type, bool alert);
	void *arg;
};

struct state_counters {
	uint64_t host_results;
	uint64_t service_results;
	uint64_t parent_waits;   /* failing results held for parent checks */
	uint64_t overlapped_results; /* dropped: overlapped a parent outage */
	uint64_t host_alerts;
	uint64_t service_alerts;
};

/* objs and ev are borrowed and must outlive the engine (ev may be NULL).
 * Returns 0 or -ENOMEM. */
int state_new(struct objects *objs, const struct state_ops *ops,
    struct evlog *ev, struct state **out) __attribute__((warn_unused_result));
void state_free(struct state *st); /* NULL no-op */

/* Process a finished check. res is borrowed; its strings may be taken. */
void state_host_result(struct state *st, struct host *h,
    struct check_result *res);
void state_service_result(struct state *st, struct service *s,
    struct check_result *res);

/* Write CURRENT HOST STATE / CURRENT SERVICE STATE lines (at start). */
void state_log_current(struct state *st);

/* True while a failing result of h waits for its parents' checks. */
bool state_host_waiting(const struct state *st, const struct host *h);

const struct state_counters *state_get_counters(const struct state *st);

#endif
