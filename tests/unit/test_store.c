/*
 * Unit tests of the metric store, with real librrd and real files in a
 * mkdtemp directory. Values are read back with librrd's rrd_fetch_r and
 * rrd_lastupdate_r after store_stop(), which drains the writer, so no test
 * depends on timing.
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
#include <unistd.h>

#include <cmocka.h>
#include <rrd.h>

#include "store.h"

#define T0	1700000100	/* a multiple of 300 */

struct fixture {
	char dir[64];
	char path[4096];
	struct store *s;
	struct store_counters c;
};

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	store_free(fx->s);
	nftw(fx->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

static void
start(struct fixture *fx, size_t queue_max, int paused)
{
	struct store_options opt = { queue_max, paused, NULL };
	char err[256];

	store_free(fx->s);
	fx->s = NULL;
	assert_int_equal(store_new(fx->dir, &opt, &fx->s, err, sizeof(err)),
	    0);
}

/* Drain and join the writer, then snapshot the counters. */
static void
finish(struct fixture *fx)
{
	store_stop(fx->s);
	store_get_counters(fx->s, &fx->c);
}

static const char *
path_of(struct fixture *fx, const char *host, const char *service)
{
	assert_int_equal(store_path(fx->dir, host, service, fx->path,
	    sizeof(fx->path)), 0);
	return fx->path;
}

/* The AVERAGE of ds in the step-300 row ending at t, NAN if unknown. */
static double
fetch(const char *path, const char *ds, time_t t)
{
	time_t start = t - 300, end = t, rt;
	unsigned long step = 300, cnt = 0, i, k;
	char **names = NULL;
	rrd_value_t *data = NULL, *row;
	double v = NAN;

	rrd_clear_error();
	assert_int_equal(rrd_fetch_r(path, "AVERAGE", &start, &end, &step,
	    &cnt, &names, &data), 0);
	assert_int_equal(step, 300);
	for (rt = start + (time_t)step, row = data; rt <= end;
	    rt += (time_t)step, row += cnt)
		for (k = 0; k < cnt; k++)
			if (rt == t && strcmp(names[k], ds) == 0)
				v = row[k];
	for (i = 0; i < cnt; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	return v;
}

/* The number of DSs and the last update time of a file. */
static unsigned long
lastupdate(const char *path, time_t *last)
{
	unsigned long cnt = 0, i;
	char **names = NULL, **vals = NULL;

	rrd_clear_error();
	assert_int_equal(rrd_lastupdate_r(path, last, &cnt, &names, &vals),
	    0);
	for (i = 0; i < cnt; i++) {
		rrd_freemem(names[i]);
		rrd_freemem(vals[i]);
	}
	rrd_freemem(names);
	rrd_freemem(vals);
	return cnt;
}

static void
test_store_names_stay_inside_and_distinct(void **state)
{
	const char *names[] = { "../../etc/passwd", "a/b", "a%2Fb", "a_b",
		".", "..", "", "%", "\xc3\xa9t\xc3\xa9", ".hidden", "a b",
		"_HOST_" };
	char out[12][STORE_NAME_MAX + 1], big[300];
	size_t n = sizeof(names) / sizeof(names[0]), i, j;

	for (i = 0; i < n; i++) {
		assert_int_equal(store_name_escape(names[i], out[i],
		    sizeof(out[i])), 0);
		assert_null(strchr(out[i], '/'));
		assert_true(out[i][0] != '.' && out[i][0] != '\0');
		for (j = 0; j < i; j++)
			assert_string_not_equal(out[i], out[j]);
	}
	assert_string_equal(out[0], "%2E.%2F..%2Fetc%2Fpasswd");
	assert_string_equal(out[1], "a%2Fb");
	assert_string_equal(out[4], "%2E");
	assert_string_equal(out[8], "%C3%A9t%C3%A9");

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(store_name_escape(big, out[0], sizeof(out[0])),
	    -ENAMETOOLONG);
	assert_int_equal(store_name_escape("a/b", out[0], 4), -ENAMETOOLONG);

	assert_int_equal(store_path("/d", "h", NULL, big, sizeof(big)), 0);
	assert_string_equal(big, "/d/h/_HOST_.rrd");
	assert_int_equal(store_path("/d", "h", "_HOST_", big, sizeof(big)),
	    0);
	assert_string_equal(big, "/d/h/%5FHOST_.rrd");
}

static void
test_store_hostile_names_write_inside_rrd_dir(void **state)
{
	struct fixture *fx = *state;
	char want[4096];
	struct stat sb;

	start(fx, 0, 0);
	assert_int_equal(store_submit(fx->s, "../../etc/passwd", "a/b", T0,
	    "x=1", 300), 0);
	assert_int_equal(store_submit(fx->s, "..", "..", T0, "x=1", 300), 0);
	assert_int_equal(store_submit(fx->s, "h", NULL, T0, "rta=1ms", 300),
	    0);
	finish(fx);
	assert_int_equal(fx->c.files_created, 3);
	assert_int_equal(fx->c.rrd_errors, 0);
	snprintf(want, sizeof(want),
	    "%s/%%2E.%%2F..%%2Fetc%%2Fpasswd/a%%2Fb.rrd",
	    fx->dir);
	assert_int_equal(stat(want, &sb), 0);
	snprintf(want, sizeof(want), "%s/%%2E./%%2E..rrd", fx->dir);
	assert_int_equal(stat(want, &sb), 0);
	snprintf(want, sizeof(want), "%s/h/_HOST_.rrd", fx->dir);
	assert_int_equal(stat(want, &sb), 0);
}

static int
ds_name_ok(const char *ds)
{
	size_t len = strlen(ds), i;

	if (len < 1 || len > STORE_DS_NAME_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!(ds[i] == '_' || (ds[i] >= '0' && ds[i] <= '9') ||
		    (ds[i] >= 'a' && ds[i] <= 'z') ||
		    (ds[i] >= 'A' && ds[i] <= 'Z')))
			return 0;
	return 1;
}

static void
test_store_ds_names_valid_unique_and_stable(void **state)
{
	const char *labels[] = { "rta", "a_b", "a b", "a-b", "a.b",
		"abcdefghijklmnopqrs", "abcdefghijklmnopqrst",
		"abcdefghijklmnopqrsu", "/var/lib/docker", "/var/lib/dockes",
		"\xc3\xa9", "it's" };
	char ds[12][STORE_DS_NAME_MAX + 1], again[STORE_DS_NAME_MAX + 1];
	size_t n = sizeof(labels) / sizeof(labels[0]), i, j;

	for (i = 0; i < n; i++) {
		store_ds_name(labels[i], ds[i]);
		assert_true(ds_name_ok(ds[i]));
		store_ds_name(labels[i], again);
		assert_string_equal(ds[i], again);
		for (j = 0; j < i; j++)
			assert_string_not_equal(ds[i], ds[j]);
	}
	assert_string_equal(ds[0], "rta");
	assert_string_equal(ds[1], "a_b");
	assert_string_equal(ds[5], "abcdefghijklmnopqrs");	/* 19: kept */
	assert_int_equal(strlen(ds[6]), 19);
	assert_memory_equal(ds[6], "abcdefghijkl_", 13);
	assert_memory_equal(ds[2], "a_b_", 4);
}

static void
test_store_gauge_and_derive_read_back(void **state)
{
	struct fixture *fx = *state;
	const char *p;

	start(fx, 0, 0);
	assert_int_equal(store_submit(fx->s, "h", "ping", T0,
	    "rta=10ms pkts=0c", 300), 0);
	assert_int_equal(store_submit(fx->s, "h", "ping", T0 + 300,
	    "rta=20ms pkts=600c", 300), 0);
	assert_int_equal(store_submit(fx->s, "h", "ping", T0 + 600,
	    "rta=30ms pkts=1200c", 300), 0);
	finish(fx);
	assert_int_equal(fx->c.submitted, 3);
	assert_int_equal(fx->c.written, 3);
	assert_int_equal(fx->c.files_created, 1);
	assert_int_equal(fx->c.rrd_errors, 0);
	p = path_of(fx, "h", "ping");
	assert_true(fetch(p, "rta", T0 + 300) == 20);
	assert_true(fetch(p, "rta", T0 + 600) == 30);
	assert_true(fetch(p, "pkts", T0 + 300) == 2);	/* 600 in 300 s */
	assert_true(fetch(p, "pkts", T0 + 600) == 2);
}

static void
test_store_new_label_added_history_kept(void **state)
{
	struct fixture *fx = *state;
	const char *p;
	time_t last = 0;

	start(fx, 0, 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0, "a=1", 300), 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, "a=2", 300),
	    0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 600,
	    "a=3 'b c'=7", 300), 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 900,
	    "a=4 'b c'=8", 300), 0);
	finish(fx);
	assert_int_equal(fx->c.written, 4);
	assert_int_equal(fx->c.files_created, 1);
	assert_int_equal(fx->c.ds_added, 1);
	assert_int_equal(fx->c.rrd_errors, 0);
	p = path_of(fx, "h", "s");
	assert_int_equal(lastupdate(p, &last), 2);
	assert_int_equal(last, T0 + 900);
	assert_true(fetch(p, "a", T0 + 300) == 2);	/* before the tune */
	assert_true(fetch(p, "a", T0 + 900) == 4);
	{
		char ds[STORE_DS_NAME_MAX + 1];

		store_ds_name("b c", ds);
		assert_true(fetch(p, ds, T0 + 900) == 8);
	}
}

static void
test_store_same_second_coalesced_later_wins(void **state)
{
	struct fixture *fx = *state;
	const char *p;
	time_t last = 0;

	start(fx, 0, 1);	/* paused: all land in one batch */
	assert_int_equal(store_submit(fx->s, "h", "s", T0, "a=1", 300), 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, "a=10 b=2",
	    300), 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, "a=20",
	    300), 0);
	store_resume(fx->s);
	finish(fx);
	assert_int_equal(fx->c.submitted, 3);
	assert_int_equal(fx->c.coalesced, 1);
	assert_int_equal(fx->c.written, 2);
	assert_int_equal(fx->c.stale, 0);
	p = path_of(fx, "h", "s");
	assert_true(fetch(p, "a", T0 + 300) == 20);	/* the later wins */
	assert_true(fetch(p, "b", T0 + 300) == 2);	/* labels merged */

	/* A second already written, seen by a new store: stale, no error. */
	start(fx, 0, 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, "a=30",
	    300), 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 600, "a=40",
	    300), 0);
	finish(fx);
	assert_int_equal(fx->c.stale, 1);
	assert_int_equal(fx->c.written, 1);
	assert_int_equal(fx->c.rrd_errors, 0);
	assert_int_equal(fx->c.files_created, 0);
	assert_int_equal(lastupdate(p, &last), 2);
	assert_int_equal(last, T0 + 600);
}

static void
test_store_queue_full_drops_and_counts(void **state)
{
	struct fixture *fx = *state;
	int i, ok = 0, full = 0, rc;

	start(fx, 4, 1);	/* the writer takes nothing until resumed */
	for (i = 0; i < 10; i++) {
		rc = store_submit(fx->s, "h", "s", T0 + 300 * i, "a=1", 300);
		if (rc == 0)
			ok++;
		else if (rc == -ENOBUFS)
			full++;
	}
	assert_int_equal(ok, 4);
	assert_int_equal(full, 6);
	store_get_counters(fx->s, &fx->c);
	assert_int_equal(fx->c.dropped_queue_full, 6);
	assert_int_equal(fx->c.written, 0);
	store_resume(fx->s);
	finish(fx);
	assert_int_equal(fx->c.submitted, 4);
	assert_int_equal(fx->c.written, 4);
}

static void
test_store_free_drains_queue(void **state)
{
	struct fixture *fx = *state;
	time_t last = 0;
	int i;

	start(fx, 0, 1);	/* paused: store_free must still drain */
	for (i = 0; i < 50; i++)
		assert_int_equal(store_submit(fx->s, "h", NULL, T0 + 60 * i,
		    "rta=1ms pl=0%", 60), 0);
	store_free(fx->s);
	fx->s = NULL;
	assert_int_equal(lastupdate(path_of(fx, "h", NULL), &last), 2);
	assert_int_equal(last, T0 + 60 * 49);
}

static void
test_store_bad_input_counted(void **state)
{
	struct fixture *fx = *state;
	char big[300];

	start(fx, 0, 0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0, "junk a=1 b=", 300),
	    0);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, "junk", 300),
	    -ENODATA);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, NULL, 300),
	    -ENODATA);
	assert_int_equal(store_submit(fx->s, "h", "s", T0 + 300, "a=1 a=2",
	    300), 0);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(store_submit(fx->s, big, "s", T0, "a=1", 300),
	    -ENAMETOOLONG);
	finish(fx);
	assert_int_equal(fx->c.bad_perfdata_items, 3);
	assert_int_equal(fx->c.bad_names, 1);
	assert_int_equal(fx->c.ds_refused, 1);
	assert_int_equal(fx->c.submitted, 2);
	assert_int_equal(fx->c.written, 2);
	assert_true(fetch(path_of(fx, "h", "s"), "a", T0 + 300) == 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_names_stay_inside_and_distinct),
		cmocka_unit_test_setup_teardown(
		    test_store_hostile_names_write_inside_rrd_dir, setup,
		    teardown),
		cmocka_unit_test(test_store_ds_names_valid_unique_and_stable),
		cmocka_unit_test_setup_teardown(
		    test_store_gauge_and_derive_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_store_new_label_added_history_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_store_same_second_coalesced_later_wins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_store_queue_full_drops_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_free_drains_queue,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_bad_input_counted,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
