/*
 * stats: what nagiostats tells about a running pharosd, kept while it runs.
 *
 * The scheduler feeds it one call per finished active check, with the
 * deadline it had armed (latency: how late the check started; execution
 * time: how long it ran); the daemon counts passive results. The module
 * keeps, for hosts and services apart, min/max/sum/count of latency and
 * execution time since start, and the checks (active and passive apart) of
 * the last 1, 5 and 15 minutes in a fixed ring of one-second buckets, and
 * the median and 99th percentile of latency and execution time over the
 * last 1 and 5 minutes from a ring of fixed-size log-bucket histograms
 * (one per STATS_HIST_STEP_S seconds): memory does not grow with the
 * number of checks or with time.
 *
 * The query op "stats" answers stats_report(): the program's start and
 * uptime, hosts and services by state, and the above (docs/stats.md).
 *
 * No clock is read here: every call takes the monotonic time (ns) from the
 * caller, so tests drive it with a fake clock.
 */
#ifndef PHAROS_STATS_H
#define PHAROS_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct objects;
struct stats;

enum stats_kind {
	STATS_HOST = 0,
	STATS_SERVICE = 1,
};

/* The longest window counted (15 minutes), in one-second buckets. */
#define STATS_WINDOW_S 900

/* The histograms: bucket 0 holds times below 2^STATS_HIST_MIN_SHIFT ns
 * (about 1 us); then each doubling up to 2^(MIN_SHIFT + DOUBLINGS) ns
 * (about 73 minutes) is cut into STATS_HIST_SUB equal buckets (a value is
 * known within 1/STATS_HIST_SUB of itself); the last bucket holds longer
 * times. One set per STATS_HIST_STEP_S seconds, STATS_HIST_NSLOTS of
 * them: the percentiles cover the last STATS_HIST_WINDOW_S seconds. */
#define STATS_HIST_MIN_SHIFT 10
#define STATS_HIST_DOUBLINGS 32
#define STATS_HIST_SUB_BITS 3
#define STATS_HIST_SUB (1 << STATS_HIST_SUB_BITS)
#define STATS_HIST_NBUCKETS (2 + STATS_HIST_DOUBLINGS * STATS_HIST_SUB)
#define STATS_HIST_STEP_S 10
#define STATS_HIST_NSLOTS 30
#define STATS_HIST_WINDOW_S (STATS_HIST_STEP_S * STATS_HIST_NSLOTS)

/* Create the statistics of a program started at the monotonic time
 * now_ns (uptime counts from it). Returns 0 or -ENOMEM. */
int stats_new(int64_t now_ns, struct stats **out)
    __attribute__((warn_unused_result));
void stats_free(struct stats *st); /* NULL no-op */

/* An active check of kind finished at now_ns. deadline_ns is when it was
 * due (the timer's deadline, or the request time of an on-demand check),
 * start_ns and end_ns when it ran (the result's). A latency or execution
 * time below 0 (clock skew between probers) counts as 0. NULL st: no-op. */
void stats_active(struct stats *st, enum stats_kind kind, int64_t deadline_ns,
    int64_t start_ns, int64_t end_ns, int64_t now_ns);
/* A passive result of kind arrived at now_ns. NULL st: no-op. */
void stats_passive(struct stats *st, enum stats_kind kind, int64_t now_ns);

/* Checks of kind (active or passive ones) whose result came in the last
 * window_s seconds before now_ns (1..STATS_WINDOW_S; whole seconds: the
 * current second counts as one). */
uint64_t stats_recent(const struct stats *st, enum stats_kind kind,
    bool active, int window_s, int64_t now_ns);

/* The bucket of a time of ns nanoseconds (below 0 counts as 0), and the
 * upper end (exclusive) of bucket b in ns (INT64_MAX for the last). */
size_t stats_hist_bucket(int64_t ns);
int64_t stats_hist_upper(size_t b);

/* The q-quantile (0..1, nearest rank) of the latency (exec false) or the
 * execution time (exec true) of the active checks of kind whose result
 * came in the last window_s seconds before now_ns, counted in whole steps
 * of STATS_HIST_STEP_S (the current step counts whole; at most
 * STATS_HIST_WINDOW_S). *value_ns: the upper end of the bucket the
 * quantile falls in, at most the largest time seen since start; 0 when
 * nothing was counted. Returns how many checks the window holds. */
uint64_t stats_quantile(const struct stats *st, enum stats_kind kind,
    bool exec, double q, int window_s, int64_t now_ns, int64_t *value_ns);

/* What the module keeps (st borrowed, not NULL), as JSON (a new
 * reference, NULL on no memory):
 *   {"uptime": s, "hosts": K, "services": K} where K is
 *   {"active_checks":  {"last_1min": n, "last_5min": n, "last_15min": n,
 *                       "total": n},
 *    "passive_checks": {... the same},
 *    "latency":        {"count": n, "min": s, "max": s, "avg": s,
 *                       "recent": {"last_1min": P, "last_5min": P}},
 *    "execution_time": {... the same}}
 * where P is {"count": n, "p50": s, "p99": s} (stats_quantile()).
 * Times are seconds (reals); min/max/avg/p50/p99 are 0 while count is 0. */
json_t *stats_json(const struct stats *st, int64_t now_ns);

/* The whole report of the "stats" op (st borrowed, not NULL; a new
 * reference, NULL on no memory): stats_json()'s hosts and services, each
 * completed with the
 * objects of objs (borrowed) by state, and the program's start_time
 * (epoch seconds) and uptime. See docs/stats.md for every field. */
json_t *stats_report(const struct stats *st, const struct objects *objs,
    int64_t now_ns, int64_t start_time);

/* The "stats" op in the shape of a query handler (query.h): 0 and *data
 * set (a new reference), or -1 with err filled (st NULL: not available;
 * no memory). */
int stats_op(const struct stats *st, const struct objects *objs,
    int64_t now_ns, int64_t start_time, json_t **data, char *err,
    size_t errlen) __attribute__((warn_unused_result));

#endif
