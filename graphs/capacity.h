/*
 * capacity: capacity planning over the metric store (docs/capacity.md).
 * For one data source of one RRD file over a period: the 95th percentile
 * (nearest rank, the billing convention), the least-squares linear trend,
 * and when the trend reaches a threshold; plus a scan of every file under
 * rrd_dir that ranks what fills up first. The statistics are pure
 * functions, testable without files; librrd stays inside capacity.c.
 */
#ifndef PHAROS_CAPACITY_H
#define PHAROS_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#define CAPACITY_DAY		86400
#define CAPACITY_PERIOD_MAX	(1830LL * CAPACITY_DAY)	/* the RRAs' span */
#define CAPACITY_IF_UTIL	"if_util"	/* in_util and out_util */

/* What the trend says about the threshold. */
enum capacity_outlook {
	CAPACITY_ABOVE,		/* the trend is at or above it already */
	CAPACITY_CROSSES,	/* rising: reaches it at cross */
	CAPACITY_NEVER,		/* below it and flat or declining */
};

/* y = intercept + slope * x, fitted by least squares. */
struct capacity_trend {
	double slope;		/* per unit of x */
	double intercept;	/* the value at x = 0 */
	size_t n;		/* points used (y not NaN) */
};

/* The report of one data source over a period. */
struct capacity_report {
	size_t samples;		/* rows that are not unknown */
	double current;		/* the last known row */
	double max;
	double p95;		/* capacity_percentile(..., 95) */
	double slope;		/* per day */
	double intercept;	/* the trend's value at end */
	int64_t end;		/* epoch s: the period's end (now) */
	int64_t step;		/* s: the resolution read */
	enum capacity_outlook outlook;
	int64_t cross;		/* epoch s, for CAPACITY_CROSSES */
	double days_left;	/* 0 for CAPACITY_ABOVE, for CROSSES */
};

/*
 * The pct-th percentile (1..100) of the values that are not NaN, by the
 * nearest-rank rule billing uses: sort ascending the n' known values and
 * take the one of 1-based rank k = ceil(pct * n' / 100), computed in
 * integers. For 95 and 8,640 five-minute samples (30 days) that is rank
 * 8,208: the 432 highest samples (36 hours) are discarded, and 95% of the
 * samples are at or below the result. Reorders values[] in place (the known
 * values first, sorted, then the NaNs). Returns NaN when no value is known or pct is not
 * in 1..100.
 */
double capacity_percentile(double *values, size_t n, unsigned int pct);

/*
 * Least squares over the points (x[i], y[i]) whose y is not NaN, computed
 * around the means (two passes) so that large x such as epoch seconds lose
 * no precision. Returns 0; -ENODATA with fewer than two points; -EDOM when
 * every x is the same.
 */
int capacity_fit(const double *x, const double *y, size_t n,
    struct capacity_trend *out) __attribute__((warn_unused_result));

/*
 * When a trend of value now_value at time now (epoch s), moving by
 * slope_per_day, reaches threshold. CAPACITY_ABOVE when now_value >=
 * threshold (*cross = now, *days = 0), whatever the slope;
 * CAPACITY_NEVER when slope_per_day <= 0 (or not finite);
 * CAPACITY_CROSSES otherwise, with *cross rounded to the second. A
 * crossing later than INT64 seconds can hold is CAPACITY_NEVER.
 */
enum capacity_outlook capacity_project(double now_value,
    double slope_per_day, int64_t now, double threshold, int64_t *cross,
    double *days);

/*
 * The report of data source ds (a DS name, borrowed) of the RRD file path
 * (borrowed) over (end - period, end]: AVERAGE rows at the best resolution
 * that covers the period (librrd picks it for a requested step of 1 s).
 * The trend's x is days relative to end, so intercept is the trend at end
 * and it is what capacity_project() starts from. Returns 0; -ENOENT when
 * the file has no such DS; -ENODATA when no row is known; -EIO for a
 * librrd error (message in err); -ENOMEM. Uses librrd's per-thread
 * error: call from one thread at a time per file.
 */
int capacity_read(const char *path, const char *ds, int64_t end,
    int64_t period, double threshold, struct capacity_report *out,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* One file's line of a scan. */
struct capacity_entry {
	char *host;		/* owned: the decoded name, or the file's */
	char *service;		/* owned; NULL for the host check */
	char metric[128];	/* "if_util" or the perfdata label */
	char ds[24];		/* the DS reported (for if_util: the worse) */
	struct capacity_report r;
};

struct capacity_query {
	const char *metric;	/* a perfdata label; NULL: if_util */
	double threshold;
	int64_t period;		/* s */
	int64_t end;		/* epoch s; 0: now */
};

/*
 * Read every rrd_dir/<host>/<service>.rrd (borrowed names) that has the
 * metric and return the entries sorted by capacity_entry_cmp() in *out
 * (*n of them; free with capacity_entries_free()). For if_util a file's
 * in_util and out_util are both read and the worse of the two (by the
 * same order) is kept. Files that cannot be read are skipped and counted
 * in *skipped (may be NULL), and err holds the first one's error (else
 * ""). Returns 0, or -errno when rrd_dir cannot be read (message in err)
 * or memory ran out.
 */
int capacity_scan(const char *rrd_dir, const struct capacity_query *q,
    struct capacity_entry **out, size_t *n, size_t *skipped, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/*
 * The report's order: CAPACITY_ABOVE first, then CAPACITY_CROSSES by the
 * earliest crossing, then CAPACITY_NEVER; within ABOVE and NEVER (and
 * equal crossings) by the higher 95th percentile; then by host and
 * service names, so the order is total and stable across runs.
 */
int capacity_entry_cmp(const struct capacity_entry *a,
    const struct capacity_entry *b);

/* Decode a component escaped by store_name_escape() (borrowed) into a new
 * string (caller frees). Returns NULL when name is not such a component
 * (it could not come from the store) or memory ran out. */
char *capacity_name_decode(const char *name);

/* Free n entries and the array. NULL is a no-op. */
void capacity_entries_free(struct capacity_entry *e, size_t n);

#endif
