/*
 * test_stats: the statistics behind `pharos stats`, on a fake clock.
 * Recent counts per 1, 5 and 15 minutes from one-second buckets that roll
 * over (checked against a brute-force count over hours of results), active
 * and passive results and hosts and services kept apart, latency and
 * execution time min/avg/max, their median and p99 from log-bucket
 * histograms over a sliding window, no allocation per result (bounded memory:
 * malloc, calloc and realloc are wrapped with -Wl,--wrap and counted), the
 * JSON shape, the report's counts by state from objects loaded with
 * conf_load(), and the text `pharos stats` prints from a report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "objects.h"
#include "stats.h"
#include "stats_cli.h"

#define SEC INT64_C(1000000000)
#define MS INT64_C(1000000)
/* The fake clock starts here (any value works; not 0, to catch code that
 * takes 0 for "unset"). */
#define T0 (INT64_C(5000) * SEC)

/* ---- allocation counting (bounded memory) ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static size_t test_allocs;

void *
__wrap_malloc(size_t n)
{
	test_allocs++;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	test_allocs++;
	return __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	test_allocs++;
	return __real_realloc(p, n);
}

/* ---- helpers ---- */

static struct stats *
new_stats(void)
{
	struct stats *st = NULL;

	assert_int_equal(stats_new(T0, &st), 0);
	assert_non_null(st);
	return st;
}

static void
host_check(struct stats *st, int64_t now)
{
	stats_active(st, STATS_HOST, now - 2 * SEC, now - SEC, now, now);
}

/* The number at a dotted path of a JSON object. */
static json_t *
jget(json_t *o, const char *path)
{
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); o != NULL && tok != NULL;
	    tok = strtok_r(NULL, ".", &save))
		o = json_object_get(o, tok);
	return o;
}

static long long
jint(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return (long long)json_integer_value(v);
}

static void
assert_secs(json_t *o, const char *path, double want)
{
	json_t *v = jget(o, path);
	double got;

	if (!json_is_number(v))
		fail_msg("%s is not a number", path);
	got = json_number_value(v);
	if (got < want - 1e-9 || got > want + 1e-9)
		fail_msg("%s: got %.9f, want %.9f", path, got, want);
}

/* ---- recent counts ---- */

static void
test_stats_counts_last_1_5_15_minutes(void **state)
{
	struct stats *st = new_stats();
	int64_t now = T0 + 2000 * SEC;

	(void)state;
	host_check(st, now - 910 * SEC); /* outside every window */
	host_check(st, now - 890 * SEC);
	host_check(st, now - 310 * SEC);
	host_check(st, now - 290 * SEC);
	host_check(st, now - 70 * SEC);
	host_check(st, now - 10 * SEC);
	host_check(st, now);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60, now), 2);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 300, now), 4);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 900, now), 6);
	/* Longer windows than the ring are the ring. */
	assert_int_equal(stats_recent(st, STATS_HOST, true, 3600, now), 6);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 0, now), 0);
	stats_free(st);
}

/* A result of second S is in the last minute until S + 59 ends. */
static void
test_stats_window_edges_are_whole_seconds(void **state)
{
	struct stats *st = new_stats();
	int64_t at = T0 + 100 * SEC + 250 * MS;

	(void)state;
	host_check(st, at);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60, at), 1);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60,
	    T0 + 159 * SEC + 999 * MS), 1);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60,
	    T0 + 160 * SEC), 0);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 900,
	    T0 + 999 * SEC), 1);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 900,
	    T0 + 1000 * SEC), 0);
	/* A query from before the result does not see it. */
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60,
	    T0 + 99 * SEC), 0);
	stats_free(st);
}

/* Three hours of results at uneven steps: every window count equals a
 * brute-force count of the results in it, so reused buckets were reset. */
static void
test_stats_buckets_roll_over(void **state)
{
	static const int windows[] = {60, 300, 900};
	static int64_t times[4000];
	struct stats *st = new_stats();
	size_t n = 0, i, w;
	int64_t t = T0, now;
	uint64_t want;

	(void)state;
	while (t < T0 + 3 * 3600 * SEC && n < 4000) {
		times[n++] = t;
		host_check(st, t);
		/* 0.3 s to 9.7 s apart; some seconds get two results. */
		t += (int64_t)(300 + (n * 7919) % 9400) * MS;
		now = t;
		if (n % 97 != 0)
			continue;
		for (w = 0; w < 3; w++) {
			want = 0;
			for (i = 0; i < n; i++)
				if (times[i] / SEC > now / SEC - windows[w] &&
				    times[i] / SEC <= now / SEC)
					want++;
			assert_int_equal(stats_recent(st, STATS_HOST, true,
			    windows[w], now), want);
		}
	}
	assert_true(n > 1000);
	/* Quiet for 15 minutes: nothing recent, the total stays. */
	now = t + 901 * SEC;
	assert_int_equal(stats_recent(st, STATS_HOST, true, 900, now), 0);
	stats_free(st);
}

/* A result a slot already holds a later second for (the caller's clock
 * 15 minutes behind) counts in the totals, never in the recent counts of
 * the later second. */
static void
test_stats_old_result_counts_in_totals_only(void **state)
{
	struct stats *st = new_stats();
	int64_t late = T0 + 1000 * SEC;
	json_t *j;

	(void)state;
	host_check(st, late);
	host_check(st, late - 900 * SEC); /* the same slot, 15 min before */
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60, late), 1);
	j = stats_json(st, late);
	assert_int_equal(jint(j, "hosts.active_checks.total"), 2);
	json_decref(j);
	stats_free(st);
}

static void
test_stats_active_and_passive_apart(void **state)
{
	struct stats *st = new_stats();
	int64_t now = T0 + 10 * SEC;
	json_t *j;

	(void)state;
	host_check(st, now);
	stats_passive(st, STATS_HOST, now);
	stats_passive(st, STATS_HOST, now);
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60, now), 1);
	assert_int_equal(stats_recent(st, STATS_HOST, false, 60, now), 2);
	j = stats_json(st, now);
	assert_int_equal(jint(j, "hosts.active_checks.total"), 1);
	assert_int_equal(jint(j, "hosts.passive_checks.total"), 2);
	assert_int_equal(jint(j, "hosts.passive_checks.last_15min"), 2);
	/* Passive results have no latency or execution time. */
	assert_int_equal(jint(j, "hosts.latency.count"), 1);
	json_decref(j);
	stats_free(st);
}

static void
test_stats_hosts_and_services_apart(void **state)
{
	struct stats *st = new_stats();
	int64_t now = T0 + 10 * SEC;
	json_t *j;

	(void)state;
	host_check(st, now);
	stats_active(st, STATS_SERVICE, now, now + 3 * SEC, now + 5 * SEC,
	    now + 5 * SEC);
	stats_active(st, STATS_SERVICE, now, now + 3 * SEC, now + 5 * SEC,
	    now + 5 * SEC);
	stats_passive(st, STATS_SERVICE, now);
	now += 5 * SEC;
	assert_int_equal(stats_recent(st, STATS_HOST, true, 60, now), 1);
	assert_int_equal(stats_recent(st, STATS_SERVICE, true, 60, now), 2);
	assert_int_equal(stats_recent(st, STATS_HOST, false, 60, now), 0);
	assert_int_equal(stats_recent(st, STATS_SERVICE, false, 60, now), 1);
	j = stats_json(st, now);
	assert_int_equal(jint(j, "hosts.latency.count"), 1);
	assert_secs(j, "hosts.latency.max", 1.0);
	assert_int_equal(jint(j, "services.latency.count"), 2);
	assert_secs(j, "services.latency.max", 3.0);
	assert_secs(j, "services.execution_time.avg", 2.0);
	json_decref(j);
	stats_free(st);
}

/* ---- latency and execution time ---- */

static void
test_stats_latency_and_execution_min_avg_max(void **state)
{
	static const int64_t lat[] = {1 * SEC, 6 * SEC, 2 * SEC};
	static const int64_t run[] = {250 * MS, 500 * MS, 1250 * MS};
	struct stats *st = new_stats();
	int64_t due = T0 + 60 * SEC, start, end;
	json_t *j;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		start = due + lat[i];
		end = start + run[i];
		stats_active(st, STATS_SERVICE, due, start, end, end);
		due += 60 * SEC;
	}
	j = stats_json(st, due);
	assert_int_equal(jint(j, "services.latency.count"), 3);
	assert_secs(j, "services.latency.min", 1.0);
	assert_secs(j, "services.latency.max", 6.0);
	assert_secs(j, "services.latency.avg", 3.0);
	assert_int_equal(jint(j, "services.execution_time.count"), 3);
	assert_secs(j, "services.execution_time.min", 0.25);
	assert_secs(j, "services.execution_time.max", 1.25);
	assert_secs(j, "services.execution_time.avg", 2.0 / 3.0);
	/* Hosts saw nothing: zeros, count 0. */
	assert_int_equal(jint(j, "hosts.latency.count"), 0);
	assert_secs(j, "hosts.latency.min", 0.0);
	assert_secs(j, "hosts.latency.avg", 0.0);
	assert_secs(j, "hosts.execution_time.max", 0.0);
	json_decref(j);
	stats_free(st);
}

/* A check that started "before" its deadline or ended before it started
 * (two clocks) counts 0, not a negative time. */
static void
test_stats_negative_times_count_as_zero(void **state)
{
	struct stats *st = new_stats();
	int64_t now = T0 + 10 * SEC;
	json_t *j;

	(void)state;
	stats_active(st, STATS_HOST, now, now - 5 * MS, now - 10 * MS, now);
	j = stats_json(st, now);
	assert_secs(j, "hosts.latency.min", 0.0);
	assert_secs(j, "hosts.latency.max", 0.0);
	assert_secs(j, "hosts.execution_time.max", 0.0);
	json_decref(j);
	stats_free(st);
}

/* ---- percentiles ---- */

/* Every bucket's range is [upper(b-1), upper(b)): the bucket of a value
 * holds it, buckets grow with the value, and a value is known within
 * 1/STATS_HIST_SUB of itself. */
static void
test_stats_hist_buckets_cover_all_times(void **state)
{
	int64_t v, lo, hi;
	size_t b, prev = 0;
	int i;

	(void)state;
	assert_int_equal(stats_hist_bucket(-5), 0);
	assert_int_equal(stats_hist_bucket(0), 0);
	assert_int_equal(stats_hist_bucket(1023), 0);
	assert_int_equal(stats_hist_bucket(1024), 1);
	assert_int_equal(stats_hist_bucket(INT64_MAX),
	    STATS_HIST_NBUCKETS - 1);
	assert_int_equal(stats_hist_upper(STATS_HIST_NBUCKETS - 1), INT64_MAX);
	for (b = 1; b < STATS_HIST_NBUCKETS; b++)
		assert_true(stats_hist_upper(b) > stats_hist_upper(b - 1));
	/* Values from 1 us to an hour, ~0.5% apart, and each bucket edge. */
	for (i = 0, v = 1000; v < 3600 * SEC && i < 100000; i++) {
		b = stats_hist_bucket(v);
		assert_true(b >= prev);
		prev = b;
		hi = stats_hist_upper(b);
		lo = b > 0 ? stats_hist_upper(b - 1) : 0;
		assert_true(v >= lo && v < hi);
		if (b > 0)
			assert_true((double)(hi - lo) <=
			    (double)lo / STATS_HIST_SUB + 1.0);
		v += v / 200 + 1;
	}
	for (b = 0; b + 1 < STATS_HIST_NBUCKETS; b++) {
		assert_int_equal(stats_hist_bucket(stats_hist_upper(b)), b + 1);
		assert_int_equal(stats_hist_bucket(stats_hist_upper(b) - 1), b);
	}
}

static void
assert_near(int64_t got, int64_t want)
{
	/* An upper bucket edge: at or above the value, within 1/SUB. */
	if (got < want || (double)got > (double)want * (1.0 +
	    1.0 / STATS_HIST_SUB) + 1.0)
		fail_msg("got %lld ns, want %lld ns (+%d%%)", (long long)got,
		    (long long)want, 100 / STATS_HIST_SUB);
}

/* 1000 latencies of 1..1000 ms in shuffled order: median ~500 ms, p99
 * ~990 ms; execution times apart; hosts apart. */
static void
test_stats_median_and_p99(void **state)
{
	struct stats *st = new_stats();
	int64_t now = T0 + 100 * SEC, v, start;
	json_t *j;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		v = (int64_t)(((i * 617) % 1000) + 1) * MS;
		start = now - 20 * SEC;
		stats_active(st, STATS_SERVICE, start - v, start,
		    start + 2 * MS, now);
	}
	stats_active(st, STATS_HOST, now - 7 * SEC, now - 7 * SEC, now, now);
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.5, 60,
	    now, &v), 1000);
	assert_near(v, 500 * MS);
	(void)stats_quantile(st, STATS_SERVICE, false, 0.99, 60, now, &v);
	assert_near(v, 990 * MS);
	/* p100 is the largest value, no more (the clamp to max). */
	(void)stats_quantile(st, STATS_SERVICE, false, 1.0, 60, now, &v);
	assert_int_equal(v, 1000 * MS);
	(void)stats_quantile(st, STATS_SERVICE, false, 0.0, 60, now, &v);
	assert_near(v, 1 * MS);
	(void)stats_quantile(st, STATS_SERVICE, true, 0.99, 60, now, &v);
	assert_int_equal(v, 2 * MS); /* clamped to the max, 2 ms */
	assert_int_equal(stats_quantile(st, STATS_HOST, true, 0.5, 60, now,
	    &v), 1);
	assert_int_equal(v, 7 * SEC);
	(void)stats_quantile(st, STATS_HOST, false, 0.5, 60, now, &v);
	assert_int_equal(v, 0);

	j = stats_json(st, now);
	assert_int_equal(jint(j, "services.latency.recent.last_1min.count"),
	    1000);
	assert_int_equal(jint(j, "services.latency.recent.last_5min.count"),
	    1000);
	assert_int_equal(jint(j, "hosts.execution_time.recent.last_5min."
	    "count"), 1);
	assert_secs(j, "hosts.execution_time.recent.last_1min.p99", 7.0);
	assert_secs(j, "hosts.latency.recent.last_1min.p50", 0.0);
	json_decref(j);
	stats_free(st);
}

/* Nothing counted: count 0, percentiles 0. */
static void
test_stats_percentiles_empty(void **state)
{
	struct stats *st = new_stats();
	int64_t v = 42;
	json_t *j;

	(void)state;
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.99, 300,
	    T0, &v), 0);
	assert_int_equal(v, 0);
	v = 42;
	assert_int_equal(stats_quantile(NULL, STATS_SERVICE, false, 0.5, 60,
	    T0, &v), 0);
	assert_int_equal(v, 0);
	j = stats_json(st, T0 + SEC);
	assert_int_equal(jint(j, "services.latency.recent.last_5min.count"),
	    0);
	assert_secs(j, "services.latency.recent.last_5min.p99", 0.0);
	assert_secs(j, "services.execution_time.recent.last_1min.p50", 0.0);
	json_decref(j);
	stats_free(st);
}

/* The window slides in steps of STATS_HIST_STEP_S: slow checks 4 minutes
 * ago weigh in the 5-minute p99 but not the 1-minute one, and are gone 6
 * minutes later; a ring slot reused after 5 minutes starts empty. */
static void
test_stats_percentiles_slide(void **state)
{
	struct stats *st = new_stats();
	int64_t t = T0 + 1000 * SEC, now, v;
	int i;

	(void)state;
	for (i = 0; i < 50; i++) /* 4 minutes before now: slow */
		stats_active(st, STATS_SERVICE, t - 3 * SEC, t, t + MS,
		    t + MS);
	now = t + 240 * SEC;
	for (i = 0; i < 950; i++) /* now: fast */
		stats_active(st, STATS_SERVICE, now - 10 * MS, now, now + MS,
		    now);
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.99, 60,
	    now, &v), 950);
	assert_near(v, 10 * MS);
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.99, 300,
	    now, &v), 1000);
	assert_near(v, 3 * SEC);
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.5, 300,
	    now, &v), 1000);
	assert_near(v, 10 * MS);
	/* 6 minutes later, one check: only it counts. */
	now += 360 * SEC;
	stats_active(st, STATS_SERVICE, now - 20 * MS, now, now + MS, now);
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.99, 300,
	    now, &v), 1);
	assert_near(v, 20 * MS);
	/* Exactly one ring turn later the same slot holds only new ones. */
	now += STATS_HIST_WINDOW_S * SEC;
	stats_active(st, STATS_SERVICE, now - 30 * MS, now, now + MS, now);
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.5, 300,
	    now, &v), 1);
	assert_near(v, 30 * MS);
	/* A window longer than the ring is the ring. */
	assert_int_equal(stats_quantile(st, STATS_SERVICE, false, 0.5, 86400,
	    now, &v), 1);
	stats_free(st);
}

/* ---- memory ---- */

/* After stats_new(), a million results over ten hours allocate nothing:
 * memory does not grow with results or time. */
static void
test_stats_records_without_allocating(void **state)
{
	struct stats *st;
	int64_t t = T0;
	size_t before, i;

	(void)state;
	before = test_allocs;
	st = new_stats();
	assert_int_equal(test_allocs, before + 1); /* the wrap counts */
	before = test_allocs;
	for (i = 0; i < 1000000; i++) {
		t += 36 * MS;
		stats_active(st, i % 2 ? STATS_HOST : STATS_SERVICE, t - MS, t,
		    t + MS, t + MS);
		if (i % 5 == 0)
			stats_passive(st, STATS_SERVICE, t);
		if (i % 4096 == 0)
			(void)stats_recent(st, STATS_HOST, true, 900, t);
	}
	assert_int_equal(test_allocs, before);
	assert_true(stats_recent(st, STATS_SERVICE, true, 60, t) > 0);
	stats_free(st);
}

static void
test_stats_null_is_noop(void **state)
{
	(void)state;
	stats_active(NULL, STATS_HOST, 0, 1, 2, 3);
	stats_passive(NULL, STATS_SERVICE, 3);
	stats_free(NULL);
	assert_int_equal(stats_recent(NULL, STATS_HOST, true, 60, T0), 0);
}

/* ---- JSON ---- */

static void
test_stats_json_shape(void **state)
{
	static const char *const kinds[] = {"hosts", "services"};
	static const char *const parts[] = {
		"active_checks.last_1min", "active_checks.last_5min",
		"active_checks.last_15min", "active_checks.total",
		"passive_checks.last_1min", "passive_checks.last_5min",
		"passive_checks.last_15min", "passive_checks.total",
		"latency.count", "execution_time.count",
	};
	struct stats *st = new_stats();
	char path[128];
	json_t *j;
	size_t k, p;

	(void)state;
	j = stats_json(st, T0 + 61 * SEC + 500 * MS);
	assert_non_null(j);
	assert_int_equal(jint(j, "uptime"), 61);
	for (k = 0; k < 2; k++) {
		for (p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
			snprintf(path, sizeof(path), "%s.%s", kinds[k],
			    parts[p]);
			assert_int_equal(jint(j, path), 0);
		}
		snprintf(path, sizeof(path), "%s.latency.avg", kinds[k]);
		assert_secs(j, path, 0.0);
	}
	json_decref(j);
	stats_free(st);
}

/* ---- the report, from objects loaded by conf_load() ---- */

static const char test_objects[] =
    "define host {\n"
    "	host_name		r1\n"
    "	address			192.0.2.1\n"
    "	check_interval		5\n"
    "	max_check_attempts	1\n"
    "}\n"
    "define host {\n"
    "	host_name		r2\n"
    "	address			192.0.2.2\n"
    "	check_interval		5\n"
    "	max_check_attempts	3\n"
    "}\n"
    "define host {\n"
    "	host_name		r3\n"
    "	address			192.0.2.3\n"
    "	check_interval		0\n"
    "	max_check_attempts	1\n"
    "}\n"
    "define service {\n"
    "	host_name		r1,r2\n"
    "	service_description	ping\n"
    "	check_command		icmp\n"
    "	check_interval		5\n"
    "	max_check_attempts	1\n"
    "}\n"
    "define service {\n"
    "	host_name		r1\n"
    "	service_description	backup\n"
    "	check_command		icmp\n"
    "	active_checks_enabled	0\n"
    "	max_check_attempts	1\n"
    "}\n"
    "define service {\n"
    "	host_name		r3\n"
    "	service_description	disk\n"
    "	check_command		icmp\n"
    "	check_interval		5\n"
    "	max_check_attempts	1\n"
    "}\n";

struct fx {
	char dir[64];
	char main[128];
	char objs[128];
	struct config *cfg;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_stats.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		goto fail;
	snprintf(f->main, sizeof(f->main), "%s/main.cfg", f->dir);
	snprintf(f->objs, sizeof(f->objs), "%s/objects.cfg", f->dir);
	if ((fp = fopen(f->objs, "w")) == NULL)
		goto fail;
	fputs(test_objects, fp);
	if (fclose(fp) != 0)
		goto fail;
	if ((fp = fopen(f->main, "w")) == NULL)
		goto fail;
	fprintf(fp, "cfg_file=objects.cfg\ninterval_length=1\n");
	if (fclose(fp) != 0)
		goto fail;
	if (conf_load(f->main, &f->cfg) != 0 || f->cfg->nerrors != 0) {
		if (f->cfg != NULL)
			conf_print_msgs(f->cfg, stderr);
		goto fail;
	}
	*state = f;
	return 0;
fail:
	conf_free(f->cfg);
	unlink(f->objs);
	unlink(f->main);
	rmdir(f->dir);
	free(f);
	return -1;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	conf_free(f->cfg);
	unlink(f->objs);
	unlink(f->main);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
checked(struct check_status *cs, int state, enum state_type type,
    int64_t last_check)
{
	cs->state = state;
	cs->state_type = type;
	cs->has_been_checked = true;
	cs->last_check_time = last_check;
}

/* Start at epoch 1,700,000,000, report 1000.5 s later. */
#define EPOCH INT64_C(1700000000)

static void
test_stats_report_counts_by_state(void **state)
{
	struct fx *f = *state;
	struct objects *o = &f->cfg->objects;
	int64_t now = T0 + 1000 * SEC + 500 * MS, wall = EPOCH + 1000;
	struct stats *st = new_stats();
	json_t *r;

	assert_int_equal(o->nhosts, 3);
	assert_int_equal(o->nservices, 4);
	checked(&objects_host_find(o, "r1")->st, HOST_UP, STATE_HARD, wall);
	checked(&objects_host_find(o, "r2")->st, HOST_DOWN, STATE_SOFT, wall);
	/* r3 stays PENDING, never checked. */
	checked(&objects_service_find(o, "r1", "ping")->st, SERVICE_OK,
	    STATE_HARD, wall);
	checked(&objects_service_find(o, "r2", "ping")->st, SERVICE_CRITICAL,
	    STATE_HARD, wall);
	checked(&objects_service_find(o, "r1", "backup")->st, SERVICE_WARNING,
	    STATE_HARD, wall);
	host_check(st, now);

	r = stats_report(st, o, now, EPOCH);
	assert_non_null(r);
	assert_null(json_object_get(r, "uptime"));
	assert_int_equal(jint(r, "program.start_time"), EPOCH);
	assert_int_equal(jint(r, "program.uptime"), 1000);
	assert_int_equal(jint(r, "program.now"), wall);

	assert_int_equal(jint(r, "hosts.total"), 3);
	assert_int_equal(jint(r, "hosts.checked"), 2);
	assert_int_equal(jint(r, "hosts.scheduled"), 2); /* r3: interval 0 */
	assert_int_equal(jint(r, "hosts.actively_checked"), 3);
	assert_int_equal(jint(r, "hosts.passively_checked"), 0);
	assert_int_equal(jint(r, "hosts.states.UP"), 1);
	assert_int_equal(jint(r, "hosts.states.DOWN"), 1);
	assert_int_equal(jint(r, "hosts.states.UNREACHABLE"), 0);
	assert_int_equal(jint(r, "hosts.states.PENDING"), 1);
	assert_int_equal(jint(r, "hosts.hard"), 1);
	assert_int_equal(jint(r, "hosts.soft"), 1);
	assert_int_equal(jint(r, "hosts.active_checks.last_1min"), 1);

	assert_int_equal(jint(r, "services.total"), 4);
	assert_int_equal(jint(r, "services.checked"), 3);
	assert_int_equal(jint(r, "services.scheduled"), 3);
	assert_int_equal(jint(r, "services.actively_checked"), 3);
	assert_int_equal(jint(r, "services.passively_checked"), 1);
	assert_int_equal(jint(r, "services.states.OK"), 1);
	assert_int_equal(jint(r, "services.states.WARNING"), 1);
	assert_int_equal(jint(r, "services.states.CRITICAL"), 1);
	assert_int_equal(jint(r, "services.states.UNKNOWN"), 0);
	assert_int_equal(jint(r, "services.states.PENDING"), 1);
	assert_int_equal(jint(r, "services.hard"), 3);
	assert_int_equal(jint(r, "services.soft"), 0);
	assert_int_equal(jint(r, "services.active_checks.total"), 0);
	json_decref(r);
	stats_free(st);
}

/* Objects whose last check started within 1/5/15/60 minutes of the
 * report's wall-clock now, split by active checks on or off. */
static void
test_stats_report_recently_checked(void **state)
{
	struct fx *f = *state;
	struct objects *o = &f->cfg->objects;
	int64_t now = T0 + 7200 * SEC, wall = EPOCH + 7200;
	struct stats *st = new_stats();
	json_t *r;

	checked(&objects_host_find(o, "r1")->st, HOST_UP, STATE_HARD,
	    wall - 30);
	checked(&objects_host_find(o, "r2")->st, HOST_UP, STATE_HARD,
	    wall - 240);
	checked(&objects_host_find(o, "r3")->st, HOST_UP, STATE_HARD,
	    wall - 3000);
	checked(&objects_service_find(o, "r1", "backup")->st, SERVICE_OK,
	    STATE_HARD, wall - 600);
	checked(&objects_service_find(o, "r1", "ping")->st, SERVICE_OK,
	    STATE_HARD, wall - 7000);

	r = stats_report(st, o, now, EPOCH);
	assert_non_null(r);
	assert_int_equal(jint(r, "hosts.recently_checked.active.last_1min"), 1);
	assert_int_equal(jint(r, "hosts.recently_checked.active.last_5min"), 2);
	assert_int_equal(jint(r, "hosts.recently_checked.active.last_15min"),
	    2);
	assert_int_equal(jint(r, "hosts.recently_checked.active.last_60min"),
	    3);
	assert_int_equal(jint(r, "hosts.recently_checked.passive.last_60min"),
	    0);
	assert_int_equal(
	    jint(r, "services.recently_checked.passive.last_5min"), 0);
	assert_int_equal(
	    jint(r, "services.recently_checked.passive.last_15min"), 1);
	assert_int_equal(
	    jint(r, "services.recently_checked.active.last_60min"), 0);
	json_decref(r);
	stats_free(st);
}

static void
test_stats_op_answers_or_explains(void **state)
{
	struct fx *f = *state;
	struct stats *st = new_stats();
	json_t *data = NULL;
	char err[128] = "";

	assert_int_equal(stats_op(NULL, &f->cfg->objects, T0, EPOCH, &data,
	    err, sizeof(err)), -1);
	assert_null(data);
	assert_non_null(strstr(err, "not available"));
	assert_int_equal(stats_op(st, &f->cfg->objects, T0, EPOCH, &data,
	    err, sizeof(err)), 0);
	assert_int_equal(jint(data, "hosts.total"), 3);
	json_decref(data);
	stats_free(st);
}

/* ---- the text of `pharos stats` ---- */

static char *
print_report(json_t *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(stats_cli_print(r, fp), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* The line for label, e.g. "Total Services:" padded to column 40 and the
 * value. */
static void
assert_line(const char *text, const char *label, const char *value)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%-40s%s\n", label, value);
	if (strstr(text, want) == NULL)
		fail_msg("no line '%s%s' in:\n%s", label, value, text);
}

static void
test_stats_cli_prints_sections(void **state)
{
	struct fx *f = *state;
	struct objects *o = &f->cfg->objects;
	int64_t now = T0 + 3725 * SEC;
	struct stats *st = new_stats();
	json_t *r;
	char *text;

	checked(&objects_host_find(o, "r1")->st, HOST_UP, STATE_HARD,
	    EPOCH + 3700);
	checked(&objects_host_find(o, "r2")->st, HOST_DOWN, STATE_HARD,
	    EPOCH + 3700);
	checked(&objects_service_find(o, "r2", "ping")->st, SERVICE_CRITICAL,
	    STATE_SOFT, EPOCH + 3700);
	stats_active(st, STATS_SERVICE, now - 10 * SEC, now - 9 * SEC,
	    now - 8 * SEC, now - 8 * SEC);
	stats_active(st, STATS_SERVICE, now - 10 * SEC, now - 7 * SEC,
	    now - 2 * SEC, now - 2 * SEC);
	stats_active(st, STATS_HOST, now - 400 * SEC, now - 400 * SEC,
	    now - 399 * SEC, now - 399 * SEC);
	stats_passive(st, STATS_HOST, now);
	r = stats_report(st, o, now, EPOCH);
	assert_non_null(r);
	text = print_report(r);

	assert_line(text, "Program Running Time:", "0d 1h 2m 5s");
	assert_line(text, "Total Services:", "4");
	assert_line(text, "Services Checked:", "1");
	assert_line(text, "Services Scheduled:", "3");
	assert_line(text, "Services Actively Checked:", "3");
	assert_line(text, "Services Passively Checked:", "1");
	assert_line(text, "Active Service Latency:",
	    "1.000 / 3.000 / 2.000 sec");
	assert_line(text, "Active Service Execution Time:",
	    "1.000 / 5.000 / 3.000 sec");
	/* 1 s and 3 s: median 1 s (the upper edge of its bucket, 1.007 s),
	 * p99 3 s (the largest, by the clamp to the max). */
	assert_line(text, "Active Service Latency p50/p99 1m:",
	    "1.007 / 3.000 sec");
	assert_line(text, "Active Service Exec Time p50/p99 5m:",
	    "1.007 / 5.000 sec");
	assert_line(text, "Active Host Latency p50/p99 5m:",
	    "0.000 / 0.000 sec");
	assert_line(text, "Active Services Last 1/5/15/60 min:",
	    "1 / 1 / 1 / 1");
	assert_line(text, "Services Ok/Warn/Unk/Crit:", "0 / 0 / 0 / 1");
	assert_line(text, "Services Pending:", "3");
	assert_line(text, "Services Hard/Soft:", "0 / 1");
	assert_line(text, "Total Hosts:", "3");
	assert_line(text, "Hosts Up/Down/Unreach:", "1 / 1 / 0");
	assert_line(text, "Active Host Latency:", "0.000 / 0.000 / 0.000 sec");
	assert_line(text, "Active Host Checks Last 1/5/15 min:", "0 / 0 / 1");
	assert_line(text, "Passive Host Checks Last 1/5/15 min:",
	    "1 / 1 / 1");
	assert_line(text, "Active Service Checks Last 1/5/15 min:",
	    "2 / 2 / 2");
	/* Hosts before services in the check counts, as nagiostats. */
	assert_true(strstr(text, "Active Host Checks") <
	    strstr(text, "Active Service Checks"));
	free(text);
	json_decref(r);
	stats_free(st);
}

/* An answer missing fields (an older or broken daemon) prints "-". */
static void
test_stats_cli_missing_fields_print_dash(void **state)
{
	json_t *r = json_pack("{s:{s:s}, s:{s:I}}", "program", "uptime", "x",
	    "hosts", "total", (json_int_t)7);
	char *text;

	(void)state;
	assert_non_null(r);
	text = print_report(r);
	assert_line(text, "Program Running Time:", "-");
	assert_line(text, "Total Hosts:", "7");
	assert_line(text, "Total Services:", "-");
	assert_line(text, "Active Host Latency:", "- / - / - sec");
	assert_line(text, "Services Ok/Warn/Unk/Crit:", "- / - / - / -");
	free(text);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_counts_last_1_5_15_minutes),
		cmocka_unit_test(test_stats_window_edges_are_whole_seconds),
		cmocka_unit_test(test_stats_buckets_roll_over),
		cmocka_unit_test(test_stats_old_result_counts_in_totals_only),
		cmocka_unit_test(test_stats_active_and_passive_apart),
		cmocka_unit_test(test_stats_hosts_and_services_apart),
		cmocka_unit_test(test_stats_latency_and_execution_min_avg_max),
		cmocka_unit_test(test_stats_negative_times_count_as_zero),
		cmocka_unit_test(test_stats_hist_buckets_cover_all_times),
		cmocka_unit_test(test_stats_median_and_p99),
		cmocka_unit_test(test_stats_percentiles_empty),
		cmocka_unit_test(test_stats_percentiles_slide),
		cmocka_unit_test(test_stats_records_without_allocating),
		cmocka_unit_test(test_stats_null_is_noop),
		cmocka_unit_test(test_stats_json_shape),
		cmocka_unit_test_setup_teardown(
		    test_stats_report_counts_by_state, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_stats_report_recently_checked, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_stats_op_answers_or_explains, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_stats_cli_prints_sections, fx_setup, fx_teardown),
		cmocka_unit_test(test_stats_cli_missing_fields_print_dash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
