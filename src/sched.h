/*
 * sched: when checks run. One embedded timer per host and per service; on
 * expiry the check is submitted to the executor, and its result goes to the
 * result handler (the state engine), which decides when the next check is
 * due (sched_host_next / sched_service_next). Initial checks are spread
 * evenly over each object's first check interval, so ten thousand hosts do
 * not fire at once. At most one check per object runs at a time.
 */
#ifndef PHAROS_SCHED_H
#define PHAROS_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "objects.h"

struct loop;
struct exec;
struct sched;
struct stats;

struct sched_handler {
	/* A host's check finished. The result is borrowed for the call. */
	void (*host_result)(void *arg, struct host *h,
	    struct check_result *res);
	void (*service_result)(void *arg, struct service *s,
	    struct check_result *res);
	/* Optional: false skips a regular check (execution dependencies);
	 * the object is scheduled again one check_interval later. */
	bool (*may_run)(void *arg, struct host *h, struct service *s);
	void *arg;
};

struct sched_counters {
	uint64_t host_checks;      /* started */
	uint64_t host_checks_on_demand;
	uint64_t service_checks;
	uint64_t skipped_running;  /* timer fired while a check ran */
	uint64_t skipped_dependency; /* an execution dependency failed */
};

/* Create a scheduler for objs (borrowed; must outlive it). addresses
 * (borrowed, may be NULL) holds, per host index, the address to probe when
 * it differs from the configured one (a resolved name); a NULL entry means
 * the host's own address. Returns 0 or -ENOMEM. Nothing runs until
 * sched_start(). */
int sched_new(struct loop *loop, struct exec *ex, struct objects *objs,
    const char *const *addresses, const struct sched_handler *h,
    struct sched **out)
    __attribute__((warn_unused_result));
void sched_free(struct sched *s); /* NULL no-op; stops all timers */
/* Shutting down: stop all timers and discard the results of checks still
 * running (the executor aborts them) instead of passing them on. */
void sched_stop(struct sched *s);

/* Time limits for plugin checks (ns; the ICMP prober bounds its own). */
void sched_set_timeouts(struct sched *s, int64_t host_ns, int64_t service_ns);

/* Feed st (borrowed, must outlive the scheduler or be unset first; NULL:
 * none, the default) with every finished active check: its latency (start
 * versus the deadline it was due at; an on-demand check is due when asked
 * for) and its execution time (stats.h). Results dropped by sched_stop()
 * are not counted. */
void sched_set_stats(struct sched *s, struct stats *st);

/* Arm the initial checks, spread over each object's first interval. */
void sched_start(struct sched *s);

/* Check h now unless a check of h is already running (its result will
 * come). Used for parents of a failing host and children of a recovered
 * one. */
void sched_host_check_now(struct sched *s, struct host *h);
bool sched_host_running(const struct sched *s, const struct host *h);
/* Schedule h's next regular check at the monotonic deadline (ns). */
void sched_host_next(struct sched *s, struct host *h, int64_t deadline);
void sched_service_next(struct sched *s, struct service *sv,
    int64_t deadline);

/* A service's check now, unless one is running (forced checks). */
void sched_service_check_now(struct sched *s, struct service *sv);
/* ENABLE/DISABLE_*_CHECK: turn regular checks on (the first one now) or
 * off (the pending one is dropped; a running one still reports). */
void sched_host_enable(struct sched *s, struct host *h, bool on);
void sched_service_enable(struct sched *s, struct service *sv, bool on);

const struct sched_counters *sched_get_counters(const struct sched *s);

#endif
