/*
 * test_trap_storm: per-source token buckets admit a burst then the rate,
 * count what is over per trap name, report it once per flush, keep
 * sources apart, and stay within a fixed table (a reused slot reports
 * its counts first).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "trap_storm.h"

#define SEC 1000000000LL

static char reported[16][160];
static size_t nreported;

static void
report(const char *source, const char *label, const char *name, uint64_t n,
    void *arg)
{
	(void)arg;
	if (nreported < 16)
		snprintf(reported[nreported++], sizeof(reported[0]),
		    "%s;%s;%s;%llu", source, label, name != NULL ? name :
		    "(other)", (unsigned long long)n);
}

static int
reset(void **state)
{
	(void)state;
	nreported = 0;
	memset(reported, 0, sizeof(reported));
	return 0;
}

static void
test_trap_storm_burst_then_rate(void **state)
{
	struct trap_storm *s;
	int ok = 0;

	(void)state;
	assert_int_equal(trap_storm_new(64, 10, 5, report, NULL, &s), 0);
	for (int i = 0; i < 20; i++)
		ok += trap_storm_admit(s, "10.0.0.1", "sw1", "linkDown", 0);
	assert_int_equal(ok, 5); /* the burst */
	assert_int_equal(trap_storm_suppressed(s), 15);
	/* half a second later: 5 more tokens at 10/s */
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += trap_storm_admit(s, "10.0.0.1", "sw1", "linkDown",
		    SEC / 2);
	assert_int_equal(ok, 5);
	/* a long quiet time refills only up to the burst */
	ok = 0;
	for (int i = 0; i < 20; i++)
		ok += trap_storm_admit(s, "10.0.0.1", "sw1", "linkDown",
		    3600 * SEC);
	assert_int_equal(ok, 5);
	trap_storm_free(s);
}

static void
test_trap_storm_sources_are_apart(void **state)
{
	struct trap_storm *s;

	(void)state;
	assert_int_equal(trap_storm_new(64, 1, 1, report, NULL, &s), 0);
	assert_true(trap_storm_admit(s, "10.0.0.1", NULL, "a", 0));
	assert_false(trap_storm_admit(s, "10.0.0.1", NULL, "a", 0));
	assert_true(trap_storm_admit(s, "10.0.0.2", NULL, "a", 0));
	trap_storm_free(s);
}

static void
test_trap_storm_flush_reports_per_name_once(void **state)
{
	struct trap_storm *s;

	(void)state;
	assert_int_equal(trap_storm_new(64, 1, 1, report, NULL, &s), 0);
	(void)trap_storm_admit(s, "10.0.0.3", "sw3", "linkDown", 0);
	for (int i = 0; i < 1204; i++)
		(void)trap_storm_admit(s, "10.0.0.3", "sw3", "linkDown", 0);
	for (int i = 0; i < 7; i++)
		(void)trap_storm_admit(s, "10.0.0.3", "sw3", "linkUp", 0);
	/* four names at most, then "other" */
	(void)trap_storm_admit(s, "10.0.0.3", "sw3", "n3", 0);
	(void)trap_storm_admit(s, "10.0.0.3", "sw3", "n4", 0);
	(void)trap_storm_admit(s, "10.0.0.3", "sw3", "n5", 0);
	(void)trap_storm_admit(s, "10.0.0.3", "sw3", "n6", 0);
	assert_int_equal(trap_storm_flush(s), 1);
	assert_int_equal(nreported, 5);
	assert_string_equal(reported[0], "10.0.0.3;sw3;linkDown;1204");
	assert_string_equal(reported[1], "10.0.0.3;sw3;linkUp;7");
	assert_string_equal(reported[4], "10.0.0.3;sw3;(other);2");
	/* reported once */
	assert_int_equal(trap_storm_flush(s), 0);
	assert_int_equal(nreported, 5);
	trap_storm_free(s);
}

static void
test_trap_storm_table_is_fixed_and_reports_reused_slots(void **state)
{
	struct trap_storm *s;
	char src[32];

	(void)state;
	/* one slot: every new source takes it over */
	assert_int_equal(trap_storm_new(1, 1, 1, report, NULL, &s), 0);
	(void)trap_storm_admit(s, "10.0.0.1", NULL, "a", 0);
	(void)trap_storm_admit(s, "10.0.0.1", NULL, "a", 0);
	assert_true(trap_storm_admit(s, "10.0.0.2", NULL, "b", 1));
	assert_int_equal(nreported, 1);
	assert_string_equal(reported[0], "10.0.0.1;10.0.0.1;a;1");
	trap_storm_free(s);
	/* many sources, a small table: no growth, no failure */
	assert_int_equal(trap_storm_new(8, 1, 1, report, NULL, &s), 0);
	for (int i = 0; i < 10000; i++) {
		snprintf(src, sizeof(src), "10.1.%d.%d", i / 256, i % 256);
		(void)trap_storm_admit(s, src, NULL, "x", i);
	}
	trap_storm_free(s);
}

static void
test_trap_storm_bad_arguments(void **state)
{
	struct trap_storm *s = NULL;

	(void)state;
	assert_int_equal(trap_storm_new(0, 1, 1, report, NULL, &s), -EINVAL);
	assert_int_equal(trap_storm_new(1, 0, 1, report, NULL, &s), -EINVAL);
	assert_int_equal(trap_storm_new(1, 1, 0, report, NULL, &s), -EINVAL);
	assert_null(s);
	trap_storm_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_trap_storm_burst_then_rate, reset),
		cmocka_unit_test_setup(test_trap_storm_sources_are_apart,
		    reset),
		cmocka_unit_test_setup(
		    test_trap_storm_flush_reports_per_name_once, reset),
		cmocka_unit_test_setup(
		    test_trap_storm_table_is_fixed_and_reports_reused_slots,
		    reset),
		cmocka_unit_test_setup(test_trap_storm_bad_arguments, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
