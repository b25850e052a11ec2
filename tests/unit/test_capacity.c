/*
 * Unit tests of capacity planning: the pure statistics (percentile,
 * least squares, projection, name decoding, order) on known series, then
 * a scan of real RRD files made with librrd in a mkdtemp directory: 30
 * days of 5-minute rows ending at a fixed "now", one interface growing
 * from 20% to 60%, one flat at 30%, one whose out direction grows slowly,
 * and a host check without interface metrics.
 */
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <rrd.h>

#include "capacity.h"
#include "capacity_cli.h"
#include "store.h"

#define STEP	300
#define DAYS	30
#define ROWS	(DAYS * CAPACITY_DAY / STEP)	/* 8640 */

/* --- percentile ------------------------------------------------------- */

static void
test_capacity_percentile_nearest_rank_even_count(void **state)
{
	double v[20];
	size_t i;

	/* 1..20 shuffled: rank ceil(0.95 * 20) = 19. */
	for (i = 0; i < 20; i++)
		v[i] = (double)((i * 7) % 20 + 1);
	assert_true(capacity_percentile(v, 20, 95) == 19.0);
	/* 1..100: rank 95, the value 95 exactly. */
	{
		double w[100];

		for (i = 0; i < 100; i++)
			w[i] = (double)(100 - i);
		assert_true(capacity_percentile(w, 100, 95) == 95.0);
		assert_true(capacity_percentile(w, 100, 100) == 100.0);
		assert_true(capacity_percentile(w, 100, 1) == 1.0);
	}
}

static void
test_capacity_percentile_nearest_rank_odd_count(void **state)
{
	double v[21], one = 42.0;
	size_t i;

	/* 1..21: rank ceil(19.95) = 20. */
	for (i = 0; i < 21; i++)
		v[i] = (double)(21 - i);
	assert_true(capacity_percentile(v, 21, 95) == 20.0);
	/* 5 values: rank ceil(4.75) = 5, the maximum. */
	{
		double w[5] = { 3, 1, 5, 2, 4 };

		assert_true(capacity_percentile(w, 5, 95) == 5.0);
	}
	assert_true(capacity_percentile(&one, 1, 95) == 42.0);
}

static void
test_capacity_percentile_skips_nan(void **state)
{
	double v[14], none[3] = { NAN, NAN, NAN };
	size_t i, k = 0;

	/* 1..10 with four unknown rows: rank ceil(9.5) = 10 of the 10. */
	for (i = 0; i < 14; i++)
		v[i] = i % 3 == 1 && k < 4 ? (k++, NAN) :
		    (double)(i + 1 - k);
	assert_true(capacity_percentile(v, 14, 95) == 10.0);
	assert_true(capacity_percentile(v, 14, 50) == 5.0);
	assert_true(isnan(capacity_percentile(none, 3, 95)));
	assert_true(isnan(capacity_percentile(none, 0, 95)));
	assert_true(isnan(capacity_percentile(v, 14, 0)));
	assert_true(isnan(capacity_percentile(v, 14, 101)));
}

/* --- least squares ------------------------------------------------------ */

static void
test_capacity_fit_exact_line(void **state)
{
	double x[100], y[100];
	struct capacity_trend t;
	size_t i;

	for (i = 0; i < 100; i++) {
		x[i] = (double)i * 0.25;
		y[i] = 2.5 * x[i] - 7.0;
	}
	assert_int_equal(capacity_fit(x, y, 100, &t), 0);
	assert_int_equal(t.n, 100);
	assert_true(fabs(t.slope - 2.5) < 1e-9);
	assert_true(fabs(t.intercept + 7.0) < 1e-9);

	/* Epoch seconds as x lose nothing: the sums are around the mean. */
	for (i = 0; i < 100; i++) {
		x[i] = 1.7e9 + (double)i * STEP;
		y[i] = 20.0 + ((double)i * STEP) * 1e-4;
	}
	assert_int_equal(capacity_fit(x, y, 100, &t), 0);
	assert_true(fabs(t.slope - 1e-4) < 1e-9);
}

static void
test_capacity_fit_noisy_line_and_nan(void **state)
{
	double x[1000], y[1000];
	struct capacity_trend t;
	size_t i;

	/* y = 3x + 10 with noise of +-1 (a fixed pseudo-random pattern),
	 * and every 10th row unknown. */
	srand(7);
	for (i = 0; i < 1000; i++) {
		x[i] = (double)i / 10.0;
		y[i] = i % 10 == 3 ? NAN :
		    3.0 * x[i] + 10.0 + (rand() % 2001 - 1000) / 1000.0;
	}
	assert_int_equal(capacity_fit(x, y, 1000, &t), 0);
	assert_int_equal(t.n, 900);
	assert_true(fabs(t.slope - 3.0) < 0.01);
	assert_true(fabs(t.intercept - 10.0) < 0.2);
}

static void
test_capacity_fit_needs_two_distinct_points(void **state)
{
	double x[3] = { 1, 1, 1 }, y[3] = { 5, NAN, 7 };
	struct capacity_trend t;

	assert_int_equal(capacity_fit(x, y, 1, &t), -ENODATA);
	assert_true(t.intercept == 5.0 && t.slope == 0);
	assert_int_equal(capacity_fit(x, y, 2, &t), -ENODATA);
	assert_int_equal(capacity_fit(x, y, 3, &t), -EDOM);
	assert_true(t.intercept == 6.0 && t.slope == 0);
}

/* --- projection ---------------------------------------------------------- */

static void
test_capacity_project_date(void **state)
{
	const int64_t now = 1700000100;
	int64_t cross;
	double days;

	/* 60 now, +4/3 a day: 80 in 15 days. */
	assert_int_equal(capacity_project(60.0, 4.0 / 3.0, now, 80.0, &cross,
	    &days), CAPACITY_CROSSES);
	assert_true(fabs(days - 15.0) < 1e-9);
	assert_true(cross == now + 15 * CAPACITY_DAY);
	/* 2023-11-14 22:15 UTC + 15 days = 2023-11-29. */
	{
		time_t t = (time_t)cross;
		struct tm tm;
		char buf[16];

		assert_non_null(gmtime_r(&t, &tm));
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		assert_string_equal(buf, "2023-11-29");
	}
	/* Half a day. */
	assert_int_equal(capacity_project(79.0, 2.0, now, 80.0, &cross,
	    &days), CAPACITY_CROSSES);
	assert_true(cross == now + CAPACITY_DAY / 2);
}

static void
test_capacity_project_already_above(void **state)
{
	int64_t cross;
	double days;

	assert_int_equal(capacity_project(85.0, 1.0, 1000, 80.0, &cross,
	    &days), CAPACITY_ABOVE);
	assert_true(cross == 1000 && days == 0);
	/* At the threshold counts as reached; a falling trend too. */
	assert_int_equal(capacity_project(80.0, -3.0, 1000, 80.0, &cross,
	    &days), CAPACITY_ABOVE);
}

static void
test_capacity_project_never_when_flat_or_declining(void **state)
{
	int64_t cross;
	double days;

	assert_int_equal(capacity_project(30.0, 0.0, 1000, 80.0, &cross,
	    &days), CAPACITY_NEVER);
	assert_int_equal(capacity_project(30.0, -0.5, 1000, 80.0, &cross,
	    &days), CAPACITY_NEVER);
	assert_int_equal(capacity_project(30.0, NAN, 1000, 80.0, &cross,
	    &days), CAPACITY_NEVER);
	/* So slow it would cross after int64 seconds end. */
	assert_int_equal(capacity_project(30.0, 1e-300, 1000, 80.0, &cross,
	    &days), CAPACITY_NEVER);
}

/* --- names and order ------------------------------------------------------- */

static void
test_capacity_name_decode_inverts_store_escape(void **state)
{
	static const char *const names[] = {
		"core1", "a/b", "../../etc/passwd", ".", "..", "", "\xc3\xa9t\xc3\xa9",
		"ge-0/0/1", "50% off", "x\ty",
	};
	char esc[STORE_NAME_MAX + 1], *d;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(store_name_escape(names[i], esc,
		    sizeof(esc)), 0);
		d = capacity_name_decode(esc);
		assert_non_null(d);
		assert_string_equal(d, names[i]);
		free(d);
	}
	/* Not the store's output: shown as the file name instead. */
	assert_null(capacity_name_decode("a%2fb"));	/* lower case */
	assert_null(capacity_name_decode("a%41"));	/* 'A' is kept */
	assert_null(capacity_name_decode("a%4"));
	assert_null(capacity_name_decode("a%"));
	assert_null(capacity_name_decode(".hidden"));
	assert_null(capacity_name_decode("a b"));
	assert_null(capacity_name_decode("%00"));
	assert_null(capacity_name_decode(""));
}

static void
test_capacity_order_above_then_soonest_then_p95(void **state)
{
	struct capacity_entry e[4];

	memset(e, 0, sizeof(e));
	e[0].host = "a";
	e[0].r.outlook = CAPACITY_NEVER;
	e[0].r.p95 = 70;
	e[1].host = "b";
	e[1].r.outlook = CAPACITY_NEVER;
	e[1].r.p95 = 10;
	e[2].host = "c";
	e[2].r.outlook = CAPACITY_CROSSES;
	e[2].r.cross = 2000;
	e[3].host = "d";
	e[3].r.outlook = CAPACITY_ABOVE;
	assert_true(capacity_entry_cmp(&e[3], &e[2]) < 0);
	assert_true(capacity_entry_cmp(&e[2], &e[0]) < 0);
	assert_true(capacity_entry_cmp(&e[0], &e[1]) < 0);
	e[1].r.p95 = 70;	/* ties fall back to the names */
	assert_true(capacity_entry_cmp(&e[0], &e[1]) < 0);
	e[1].host = "a";
	e[1].service = "x";	/* the host check first */
	assert_true(capacity_entry_cmp(&e[0], &e[1]) < 0);
}

/* --- real RRD files ------------------------------------------------------ */

struct fixture {
	char dir[64];
	int64_t now;	/* the end of the data, a multiple of STEP */
};

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

typedef double series_fn(int64_t t, int64_t t0);

static double
grow_20_60(int64_t t, int64_t t0)
{
	return 20.0 + 40.0 * (double)(t - t0) / (DAYS * CAPACITY_DAY);
}

static double
flat_30(int64_t t, int64_t t0)
{
	(void)t;
	(void)t0;
	return 30.0;
}

static double
flat_5(int64_t t, int64_t t0)
{
	(void)t;
	(void)t0;
	return 5.0;
}

static double
grow_10_25(int64_t t, int64_t t0)
{
	return 10.0 + 15.0 * (double)(t - t0) / (DAYS * CAPACITY_DAY);
}

/* rrd_dir/host/service.rrd (escaped as the store does) with the DSs ds
 * ("a:b"), fed every STEP over DAYS days ending at fx->now. */
static void
make_rrd(const struct fixture *fx, const char *host, const char *service,
    const char *d1, series_fn *f1, const char *d2, series_fn *f2)
{
	char path[4096], def1[64], def2[64], tmpl[64];
	const char *argv[8];
	char (*vals)[64];
	const char **upd;
	int64_t t0 = fx->now - DAYS * CAPACITY_DAY, t;
	int argc = 0, i;

	assert_int_equal(store_path(fx->dir, host, service, path,
	    sizeof(path)), 0);
	*strrchr(path, '/') = '\0';
	mkdir(path, 0755);
	assert_int_equal(store_path(fx->dir, host, service, path,
	    sizeof(path)), 0);
	snprintf(def1, sizeof(def1), "DS:%s:GAUGE:600:U:U", d1);
	argv[argc++] = def1;
	if (d2 != NULL) {
		snprintf(def2, sizeof(def2), "DS:%s:GAUGE:600:U:U", d2);
		argv[argc++] = def2;
	}
	/* The store's layout at a 5-minute step. */
	argv[argc++] = "RRA:AVERAGE:0.5:1:8928";
	argv[argc++] = "RRA:MAX:0.5:1:8928";
	argv[argc++] = "RRA:AVERAGE:0.5:12:8784";
	argv[argc++] = "RRA:AVERAGE:0.5:288:1830";
	rrd_clear_error();
	assert_int_equal(rrd_create_r2(path, STEP, (time_t)t0, 1, NULL, NULL,
	    argc, argv), 0);

	vals = calloc(ROWS, sizeof(*vals));
	upd = calloc(ROWS, sizeof(*upd));
	assert_non_null(vals);
	assert_non_null(upd);
	for (i = 0; i < ROWS; i++) {
		t = t0 + (int64_t)(i + 1) * STEP;
		if (d2 != NULL)
			snprintf(vals[i], sizeof(vals[i]), "%lld:%.6f:%.6f",
			    (long long)t, f1(t, t0), f2(t, t0));
		else
			snprintf(vals[i], sizeof(vals[i]), "%lld:%.6f",
			    (long long)t, f1(t, t0));
		upd[i] = vals[i];
	}
	snprintf(tmpl, sizeof(tmpl), "%s%s%s", d1, d2 != NULL ? ":" : "",
	    d2 != NULL ? d2 : "");
	assert_int_equal(rrd_update_r(path, tmpl, ROWS, upd), 0);
	free(upd);
	free(vals);
}

static int
setup_rrds(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_capacity.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	fx->now = ((int64_t)time(NULL) / STEP) * STEP;
	make_rrd(fx, "core1", "ge-0/0/1", "in_util", grow_20_60, "out_util",
	    flat_5);
	make_rrd(fx, "core1", "ge-0/0/2", "in_util", flat_30, "out_util",
	    flat_30);
	make_rrd(fx, "edge 2", "uplink", "in_util", flat_5, "out_util",
	    grow_10_25);
	make_rrd(fx, "core1", NULL, "rta", flat_5, "pl", flat_5);
	*state = fx;
	return 0;
}

static int
teardown_rrds(void **state)
{
	struct fixture *fx = *state;

	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static void
test_capacity_read_growing_interface(void **state)
{
	struct fixture *fx = *state;
	struct capacity_report r;
	char path[4096], err[256];

	assert_int_equal(store_path(fx->dir, "core1", "ge-0/0/1", path,
	    sizeof(path)), 0);
	assert_int_equal(capacity_read(path, "in_util", fx->now,
	    DAYS * CAPACITY_DAY, 80.0, &r, err, sizeof(err)), 0);
	assert_int_equal(r.step, STEP);
	assert_int_equal(r.samples, ROWS);
	assert_true(fabs(r.current - 60.0) < 1e-4);
	assert_true(fabs(r.max - 60.0) < 1e-4);
	assert_true(fabs(r.slope - 40.0 / DAYS) < 1e-6);
	assert_true(fabs(r.intercept - 60.0) < 1e-4);
	/* rank 8208 of 8640: the row at 8208 * 300 s after the start. */
	assert_true(fabs(r.p95 - grow_20_60(8208 * STEP, 0)) < 1e-4);
	assert_int_equal(r.outlook, CAPACITY_CROSSES);
	assert_true(fabs(r.days_left - 15.0) < 1e-3);

	assert_int_equal(capacity_read(path, "nosuch", fx->now,
	    DAYS * CAPACITY_DAY, 80.0, &r, err, sizeof(err)), -ENOENT);
	assert_int_equal(capacity_read("/nonexistent/x.rrd", "in_util",
	    fx->now, DAYS * CAPACITY_DAY, 80.0, &r, err, sizeof(err)), -EIO);
	assert_true(err[0] != '\0');
}

static void
test_capacity_scan_growing_interface_first(void **state)
{
	struct fixture *fx = *state;
	struct capacity_query q = { NULL, 80.0, DAYS * CAPACITY_DAY, 0 };
	struct capacity_entry *e = NULL;
	size_t n = 0, skipped = 9;
	char err[256];
	int64_t expect = fx->now + 15 * CAPACITY_DAY;

	q.end = fx->now;
	assert_int_equal(capacity_scan(fx->dir, &q, &e, &n, &skipped, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 3);	/* the host check has no if_util */
	assert_int_equal(skipped, 0);

	assert_string_equal(e[0].host, "core1");
	assert_string_equal(e[0].service, "ge-0/0/1");
	assert_string_equal(e[0].metric, "if_util");
	assert_string_equal(e[0].ds, "in_util");
	assert_int_equal(e[0].r.outlook, CAPACITY_CROSSES);
	assert_true(llabs(e[0].r.cross - expect) < CAPACITY_DAY);

	/* out grows 0.5 a day from 25: 80 in 110 days. */
	assert_string_equal(e[1].host, "edge 2");
	assert_string_equal(e[1].ds, "out_util");
	assert_int_equal(e[1].r.outlook, CAPACITY_CROSSES);
	assert_true(fabs(e[1].r.days_left - 110.0) < 0.01);

	assert_string_equal(e[2].service, "ge-0/0/2");
	assert_int_equal(e[2].r.outlook, CAPACITY_NEVER);
	assert_true(fabs(e[2].r.p95 - 30.0) < 1e-6);
	capacity_entries_free(e, n);

	/* Threshold 28: two already above (the higher 95th percentile
	 * first), then the one that crosses in 6 days. */
	q.threshold = 28.0;
	assert_int_equal(capacity_scan(fx->dir, &q, &e, &n, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].service, "ge-0/0/1");
	assert_int_equal(e[0].r.outlook, CAPACITY_ABOVE);
	assert_true(e[0].r.cross == fx->now && e[0].r.days_left == 0);
	assert_string_equal(e[1].service, "ge-0/0/2");
	assert_int_equal(e[1].r.outlook, CAPACITY_ABOVE);
	assert_string_equal(e[2].host, "edge 2");
	assert_int_equal(e[2].r.outlook, CAPACITY_CROSSES);
	assert_true(fabs(e[2].r.days_left - 6.0) < 0.01);
	capacity_entries_free(e, n);
}

static void
test_capacity_scan_metric_label_and_host_check(void **state)
{
	struct fixture *fx = *state;
	struct capacity_query q = { "rta", 80.0, DAYS * CAPACITY_DAY, 0 };
	struct capacity_entry *e = NULL;
	size_t n = 0;
	char err[256];

	q.end = fx->now;
	assert_int_equal(capacity_scan(fx->dir, &q, &e, &n, NULL, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].host, "core1");
	assert_null(e[0].service);
	assert_string_equal(e[0].metric, "rta");
	assert_int_equal(e[0].r.outlook, CAPACITY_NEVER);
	capacity_entries_free(e, n);

	assert_int_equal(capacity_scan("/nonexistent", &q, &e, &n, NULL, err,
	    sizeof(err)), -ENOENT);
	assert_null(e);
}

static void
test_capacity_print_table_and_json(void **state)
{
	struct fixture *fx = *state;
	struct capacity_query q = { NULL, 80.0, DAYS * CAPACITY_DAY, 0 };
	struct capacity_entry *e = NULL;
	size_t n = 0, len = 0;
	char err[256], *buf = NULL, date[16], *line;
	time_t cross;
	struct tm tm;
	json_t *j, *first;
	FILE *fp;

	q.end = fx->now;
	assert_int_equal(capacity_scan(fx->dir, &q, &e, &n, NULL, err,
	    sizeof(err)), 0);
	cross = (time_t)e[0].r.cross;
	assert_non_null(localtime_r(&cross, &tm));
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(capacity_cli_print(fp, e, n, 2, &q, 0, 0), 0);
	fclose(fp);
	assert_true(strncmp(buf, "HOST", 4) == 0);
	line = strchr(buf, '\n') + 1;
	assert_true(strncmp(line, "core1 ", 6) == 0);
	assert_non_null(strstr(line, "ge-0/0/1"));
	assert_non_null(strstr(line, "if_util/in"));
	assert_non_null(strstr(line, date));
	assert_non_null(strstr(buf, "2 of 3 entries shown"));
	assert_null(strstr(buf, "ge-0/0/2"));	/* past the limit */
	free(buf);

	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(capacity_cli_print(fp, e, n, 0, &q, 0, 1), 0);
	fclose(fp);
	j = json_loads(buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "entries")), 3);
	first = json_array_get(json_object_get(j, "entries"), 0);
	assert_string_equal(json_string_value(json_object_get(first,
	    "service")), "ge-0/0/1");
	assert_string_equal(json_string_value(json_object_get(first,
	    "outlook")), "crosses");
	assert_string_equal(json_string_value(json_object_get(first,
	    "projected_date")), date);
	first = json_array_get(json_object_get(j, "entries"), 2);
	assert_true(json_is_null(json_object_get(first, "projected")));
	json_decref(j);
	free(buf);
	capacity_entries_free(e, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_capacity_percentile_nearest_rank_even_count),
		cmocka_unit_test(
		    test_capacity_percentile_nearest_rank_odd_count),
		cmocka_unit_test(test_capacity_percentile_skips_nan),
		cmocka_unit_test(test_capacity_fit_exact_line),
		cmocka_unit_test(test_capacity_fit_noisy_line_and_nan),
		cmocka_unit_test(test_capacity_fit_needs_two_distinct_points),
		cmocka_unit_test(test_capacity_project_date),
		cmocka_unit_test(test_capacity_project_already_above),
		cmocka_unit_test(
		    test_capacity_project_never_when_flat_or_declining),
		cmocka_unit_test(
		    test_capacity_name_decode_inverts_store_escape),
		cmocka_unit_test(test_capacity_order_above_then_soonest_then_p95),
		cmocka_unit_test_setup_teardown(
		    test_capacity_read_growing_interface, setup_rrds,
		    teardown_rrds),
		cmocka_unit_test_setup_teardown(
		    test_capacity_scan_growing_interface_first, setup_rrds,
		    teardown_rrds),
		cmocka_unit_test_setup_teardown(
		    test_capacity_scan_metric_label_and_host_check, setup_rrds,
		    teardown_rrds),
		cmocka_unit_test_setup_teardown(
		    test_capacity_print_table_and_json, setup_rrds,
		    teardown_rrds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
