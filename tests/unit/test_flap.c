/*
 * Unit tests of flap detection. The expected percentages are worked by
 * hand from Nagios 4's formula: the 21 recorded states give 20
 * transitions x = 1 (oldest) .. 20 (newest); a transition where the state
 * changed weighs w(x) = 0.75 + (x - 1) * 0.5 / 19 = 0.75 + (x - 1) / 38,
 * and the percent is sum(w) * 100 / 20 = 5 * sum(w).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flap.h"

#define EPS 1e-9

/* cmocka 1.1 compares floats only; percentages need doubles. */
static void
near_at(double a, double b, double eps, const char *file, int line)
{
	double d = a > b ? a - b : b - a;

	if (d <= eps)
		return;
	print_error("%.9f != %.9f (+/- %g)\n", a, b, eps);
	_fail(file, line);
}
#define assert_near(a, b, eps) near_at((a), (b), (eps), __FILE__, __LINE__)

/* Record each state of seq in turn; return how many starts and stops. */
static void
record_all(struct flap *f, const int *seq, size_t n,
    const struct flap_params *p, int *starts, int *stops)
{
	bool started, stopped;
	size_t i;

	for (i = 0; i < n; i++) {
		flap_record(f, seq[i], p, &started, &stopped);
		*starts += started;
		*stops += stopped;
	}
}

static void
test_flap_fresh_history_is_zero_percent(void **state)
{
	struct flap f;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_true(flap_percent(&f) == 0.0);
	assert_false(f.flapping);
}

static void
test_flap_single_change_at_newest_end_weighs_1_25(void **state)
{
	struct flap_params p;
	struct flap f;

	(void)state;
	memset(&f, 0, sizeof(f));
	flap_params_init(&p);
	/* 20 initial UPs then DOWN: only transition 20 changes.
	 * w(20) = 0.75 + 19/38 = 1.25 -> 5 * 1.25 = 6.25% */
	flap_record(&f, 1, &p, NULL, NULL);
	assert_near(flap_percent(&f), 6.25, EPS);
}

static void
test_flap_every_transition_changing_is_100_percent(void **state)
{
	static const int seq[FLAP_HISTORY] = {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
	    0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
	struct flap_params p;
	struct flap f;
	int starts = 0, stops = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	flap_params_init(&p);
	record_all(&f, seq, FLAP_HISTORY, &p, &starts, &stops);
	/* sum over x = 1..20 of 0.75 + (x - 1)/38 = 15 + 190/38 = 20
	 * -> 5 * 20 = 100% */
	assert_near(flap_percent(&f), 100.0, EPS);
	assert_true(f.flapping);
	assert_int_equal(starts, 1);
	assert_int_equal(stops, 0);
}

static void
test_flap_changes_are_weighted_by_age(void **state)
{
	/* changes at transitions 1, 5, 10, 15 and 20 */
	static const int seq[FLAP_HISTORY] = {0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1,
	    1, 1, 1, 1, 0, 0, 0, 0, 0, 1};
	/* only transition 1 (the oldest) changes */
	static const int old[FLAP_HISTORY] = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	struct flap_params p;
	struct flap f;
	int starts = 0, stops = 0;

	(void)state;
	flap_params_init(&p);
	memset(&f, 0, sizeof(f));
	record_all(&f, seq, FLAP_HISTORY, &p, &starts, &stops);
	/* w = 0.75 * 5 + (0 + 4 + 9 + 14 + 19) / 38 = 3.75 + 46/38
	 *   = 4.960526..., -> 5 * 4.960526 = 24.802631...% */
	assert_near(flap_percent(&f), 5.0 * (3.75 + 46.0 / 38.0),
	    EPS);
	assert_near(flap_percent(&f), 24.80263, 1e-5);

	memset(&f, 0, sizeof(f));
	record_all(&f, old, FLAP_HISTORY, &p, &starts, &stops);
	/* w(1) = 0.75 -> 3.75% (a change at the newest end: 6.25%) */
	assert_near(flap_percent(&f), 3.75, EPS);
}

static void
test_flap_fewer_than_21_states_count_the_rest_as_ok(void **state)
{
	static const int three[] = {2, 2, 2};
	struct flap_params p;
	struct flap f;
	int starts = 0, stops = 0;
	size_t i;

	(void)state;
	flap_params_init(&p);
	memset(&f, 0, sizeof(f));
	record_all(&f, three, 3, &p, &starts, &stops);
	/* 18 initial OKs then 3 CRITICALs: one change, at transition 18.
	 * w(18) = 0.75 + 17/38 = 1.197368... -> 5.986842...% */
	assert_near(flap_percent(&f), 5.0 * (0.75 + 17.0 / 38.0),
	    EPS);
	assert_near(flap_percent(&f), 5.98684, 1e-5);
	/* 18 more CRITICALs push the last initial OK out: 0% */
	for (i = 0; i < 18; i++)
		flap_record(&f, 2, &p, NULL, NULL);
	assert_near(flap_percent(&f), 0.0, EPS);
}

static void
test_flap_starts_at_high_and_stops_at_low_with_hysteresis(void **state)
{
	struct flap_params p;
	struct flap f;
	bool started, stopped;
	int k;

	(void)state;
	flap_params_init(&p); /* 5.0 / 20.0 */
	memset(&f, 0, sizeof(f));
	/* DOWN, UP, DOWN: transitions 18, 19, 20 change:
	 * 3 * 0.75 + (17 + 18 + 19)/38 = 2.25 + 54/38 = 3.671053
	 * -> 18.355263% < 20: not yet */
	flap_record(&f, 1, &p, &started, &stopped);
	flap_record(&f, 0, &p, &started, &stopped);
	flap_record(&f, 1, &p, &started, &stopped);
	assert_near(flap_percent(&f), 18.355263, 1e-6);
	assert_false(started);
	assert_false(f.flapping);
	/* UP: transitions 17..20: 3 + (16 + 17 + 18 + 19)/38 = 3 + 70/38
	 * = 4.842105 -> 24.210526% >= 20: started */
	flap_record(&f, 0, &p, &started, &stopped);
	assert_near(flap_percent(&f), 24.210526, 1e-6);
	assert_true(started);
	assert_false(stopped);
	assert_true(f.flapping);
	/* k more UPs move the four changes to transitions 17-k..20-k:
	 * 5 * (3 + (70 - 4k)/38). k = 1..16 stays above 5% (k = 16 gives
	 * 5 * (3 + 6/38) = 15.789%): still flapping although < 20%. */
	for (k = 1; k <= 16; k++) {
		flap_record(&f, 0, &p, &started, &stopped);
		assert_near(flap_percent(&f),
		    5.0 * (3.0 + (70.0 - 4.0 * k) / 38.0), EPS);
		assert_false(started);
		assert_false(stopped);
		assert_true(f.flapping);
	}
	/* k = 17: the oldest change fell out; 1, 2, 3 remain:
	 * 2.25 + 3/38 -> 11.644737%. k = 18: 1.5 + 1/38 -> 7.631579% */
	flap_record(&f, 0, &p, &started, &stopped);
	assert_near(flap_percent(&f), 11.644737, 1e-6);
	flap_record(&f, 0, &p, &started, &stopped);
	assert_near(flap_percent(&f), 7.631579, 1e-6);
	assert_true(f.flapping);
	/* k = 19: only transition 1: 0.75 -> 3.75% <= 5: stopped */
	flap_record(&f, 0, &p, &started, &stopped);
	assert_near(flap_percent(&f), 3.75, EPS);
	assert_false(started);
	assert_true(stopped);
	assert_false(f.flapping);
	/* and stays stopped without repeating the event */
	flap_record(&f, 0, &p, &started, &stopped);
	assert_false(stopped);
}

static void
test_flap_thresholds_are_inclusive(void **state)
{
	struct flap_params p;
	struct flap f;
	bool started, stopped;
	int i;

	(void)state;
	flap_params_init(&p);
	p.high = 6.25; /* exactly one newest change: 5 * 1.25 */
	p.low = 3.75;  /* exactly one oldest change: 5 * 0.75 */
	memset(&f, 0, sizeof(f));
	flap_record(&f, 1, &p, &started, &stopped);
	assert_true(started); /* 6.25 >= 6.25 */
	for (i = 0; i < 18; i++) {
		flap_record(&f, 1, &p, &started, &stopped);
		assert_false(stopped);
	}
	/* the change is now transition 1: 3.75 <= 3.75 stops (Nagios) */
	flap_record(&f, 1, &p, &started, &stopped);
	assert_near(flap_percent(&f), 3.75, EPS);
	assert_true(stopped);
}

static void
test_flap_object_thresholds_override_globals(void **state)
{
	static const int seq[] = {1, 0, 1, 0};
	struct flap_params p;
	struct flap f;
	int starts = 0, stops = 0;

	(void)state;
	flap_params_init(&p);
	assert_near(flap_low(&p), 5.0, EPS);
	assert_near(flap_high(&p), 20.0, EPS);
	p.high = 30.0;
	p.global_low = 2.0;
	assert_near(flap_high(&p), 30.0, EPS);
	assert_near(flap_low(&p), 2.0, EPS);
	memset(&f, 0, sizeof(f));
	record_all(&f, seq, 4, &p, &starts, &stops);
	/* 24.21% (see the hysteresis test) < 30: no start */
	assert_int_equal(starts, 0);
	p.high = -1.0; /* <= 0: the global 20 again */
	flap_record(&f, 0, &p, NULL, NULL);
	/* k = 1: 5 * (3 + 66/38) = 23.684% >= 20 */
	assert_true(f.flapping);
}

static void
test_flap_options_filter_which_states_are_recorded(void **state)
{
	struct flap_params p;
	struct flap f;
	unsigned opts = 0;

	(void)state;
	flap_params_init(&p);
	assert_int_equal(flap_options_parse("o,c", FLAP_SERVICE, &opts), 0);
	assert_int_equal(opts, 1u << 0 | 1u << 2);
	p.options = opts;
	memset(&f, 0, sizeof(f));
	flap_record(&f, 2, &p, NULL, NULL); /* CRITICAL: 6.25% */
	assert_near(flap_percent(&f), 6.25, EPS);
	flap_record(&f, 1, &p, NULL, NULL); /* WARNING: not recorded */
	flap_record(&f, 3, &p, NULL, NULL); /* UNKNOWN: not recorded */
	assert_near(flap_percent(&f), 6.25, EPS);
	flap_record(&f, 0, &p, NULL, NULL); /* OK: 19 and 20 change */
	/* 0.75 + 18/38 + 1.25 = 2.473684 -> 12.368421% */
	assert_near(flap_percent(&f), 12.368421, 1e-6);
	/* out-of-range states are never recorded */
	p.options = FLAP_OPT_ALL;
	flap_record(&f, -1, &p, NULL, NULL);
	flap_record(&f, 99, &p, NULL, NULL);
	assert_near(flap_percent(&f), 12.368421, 1e-6);
}

static void
test_flap_options_parse_nagios_words(void **state)
{
	unsigned o = 77;

	(void)state;
	assert_int_equal(flap_options_parse("o,d,u", FLAP_HOST, &o), 0);
	assert_int_equal(o, 7u);
	assert_int_equal(flap_options_parse("down unreachable", FLAP_HOST,
	    &o), 0);
	assert_int_equal(o, 6u);
	assert_int_equal(flap_options_parse("w, u", FLAP_SERVICE, &o), 0);
	assert_int_equal(o, 1u << 1 | 1u << 3);
	assert_int_equal(flap_options_parse("n", FLAP_SERVICE, &o), 0);
	assert_int_equal(o, 0u);
	assert_int_equal(flap_options_parse("all", FLAP_HOST, &o), 0);
	assert_int_equal(o, FLAP_OPT_ALL);
	o = 77;
	assert_int_equal(flap_options_parse("d", FLAP_SERVICE, &o), -EINVAL);
	assert_int_equal(flap_options_parse("o,x", FLAP_HOST, &o), -EINVAL);
	assert_int_equal(flap_options_parse("w", FLAP_HOST, &o), -EINVAL);
	assert_int_equal(o, 77u);
}

static void
test_flap_service_counts_hard_states_and_soft_recoveries(void **state)
{
	(void)state;
	assert_true(flap_service_counts(2, true));
	assert_true(flap_service_counts(0, true));
	assert_true(flap_service_counts(0, false));
	assert_false(flap_service_counts(2, false));
	assert_false(flap_service_counts(1, false));
}

static void
test_flap_disabled_records_but_never_starts(void **state)
{
	static const int seq[] = {1, 0, 1, 0, 1, 0};
	struct flap_params p;
	struct flap f;
	int starts = 0, stops = 0;

	(void)state;
	flap_params_init(&p);
	p.enabled = false;
	memset(&f, 0, sizeof(f));
	record_all(&f, seq, 6, &p, &starts, &stops);
	assert_int_equal(starts, 0);
	assert_false(f.flapping);
	assert_true(flap_percent(&f) > 20.0);
	p.enabled = true;
	flap_record(&f, 0, &p, NULL, NULL);
	assert_true(f.flapping);
	assert_true(flap_disable(&f));
	assert_false(f.flapping);
	assert_false(flap_disable(&f));
}

static void
test_flap_format_matches_nagios_lines(void **state)
{
	static const int seq[] = {1, 0, 1, 0};
	struct flap_params p;
	struct flap f;
	char buf[256];
	int n = 0;

	(void)state;
	flap_params_init(&p);
	memset(&f, 0, sizeof(f));
	record_all(&f, seq, 4, &p, &n, &n);
	/* 24.210526% */
	flap_format(buf, sizeof(buf), "sw1", NULL, FLAP_STARTED, &f, &p);
	assert_string_equal(buf, "HOST FLAPPING ALERT: sw1;STARTED; Host "
	    "appears to have started flapping (24.2% change > 20.0% "
	    "threshold)");
	flap_format(buf, sizeof(buf), "sw1", "PING", FLAP_STARTED, &f, &p);
	assert_string_equal(buf, "SERVICE FLAPPING ALERT: sw1;PING;STARTED; "
	    "Service appears to have started flapping (24.2% change >= "
	    "20.0% threshold)");
	memset(&f, 0, sizeof(f));
	f.states[1] = 1; /* oldest entry differs: 3.75% */
	f.next = 1;
	flap_format(buf, sizeof(buf), "sw1", "PING", FLAP_STOPPED, &f, &p);
	assert_string_equal(buf, "SERVICE FLAPPING ALERT: sw1;PING;STOPPED; "
	    "Service appears to have stopped flapping (3.8% change < 5.0% "
	    "threshold)");
	flap_format(buf, sizeof(buf), "sw1", NULL, FLAP_STOPPED, &f, &p);
	assert_string_equal(buf, "HOST FLAPPING ALERT: sw1;STOPPED; Host "
	    "appears to have stopped flapping (3.8% change < 5.0% "
	    "threshold)");
	flap_format(buf, sizeof(buf), "sw1", NULL, FLAP_DISABLED, &f, &p);
	assert_string_equal(buf, "HOST FLAPPING ALERT: sw1;DISABLED; Flap "
	    "detection has been disabled");
	assert_int_equal(flap_format(buf, 8, "sw1", "PING", FLAP_DISABLED,
	    &f, &p), (int)strlen("SERVICE FLAPPING ALERT: sw1;PING;DISABLED; "
	    "Flap detection has been disabled"));
	assert_string_equal(buf, "SERVICE");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flap_fresh_history_is_zero_percent),
		cmocka_unit_test(
		    test_flap_single_change_at_newest_end_weighs_1_25),
		cmocka_unit_test(
		    test_flap_every_transition_changing_is_100_percent),
		cmocka_unit_test(test_flap_changes_are_weighted_by_age),
		cmocka_unit_test(
		    test_flap_fewer_than_21_states_count_the_rest_as_ok),
		cmocka_unit_test(
		    test_flap_starts_at_high_and_stops_at_low_with_hysteresis),
		cmocka_unit_test(test_flap_thresholds_are_inclusive),
		cmocka_unit_test(test_flap_object_thresholds_override_globals),
		cmocka_unit_test(
		    test_flap_options_filter_which_states_are_recorded),
		cmocka_unit_test(test_flap_options_parse_nagios_words),
		cmocka_unit_test(
		    test_flap_service_counts_hard_states_and_soft_recoveries),
		cmocka_unit_test(test_flap_disabled_records_but_never_starts),
		cmocka_unit_test(test_flap_format_matches_nagios_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
