/* Unit tests of bounded number parsing. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "strnum.h"

static void
test_strnum_accepts_plain_decimals_in_bounds(void **state)
{
	long v = -1;

	assert_int_equal(strnum_long("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(strnum_long("3600", 1, 3600, &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(strnum_long("007", 0, 10, &v), 0);
	assert_int_equal(v, 7);
}

static void
test_strnum_rejects_junk(void **state)
{
	const char *bad[] = { "", " 1", "+1", "-1", "1 ", "1x", "0x10",
		"1e3", "1.5", "abc" };
	long v = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(strnum_long(bad[i], 0, LONG_MAX, &v),
		    -EINVAL);
	assert_int_equal(v, 42); /* untouched on error */
}

static void
test_strnum_rejects_out_of_bounds_and_overflow(void **state)
{
	long v = 42;

	assert_int_equal(strnum_long("0", 1, 10, &v), -ERANGE);
	assert_int_equal(strnum_long("11", 1, 10, &v), -ERANGE);
	assert_int_equal(strnum_long("99999999999999999999999", 0, LONG_MAX,
	    &v), -ERANGE);
	assert_int_equal(v, 42);
}

static void
test_strnum_period_units_and_bounds(void **state)
{
	long long v = 42;

	assert_int_equal(strnum_period("30", "smhdw", 3600, 1830LL * 86400,
	    &v), 0);
	assert_int_equal(v, 30LL * 86400); /* plain N is days */
	assert_int_equal(strnum_period("2w", "smhdw", 3600, 1830LL * 86400,
	    &v), 0);
	assert_int_equal(v, 14LL * 86400);
	assert_int_equal(strnum_period("3600s", "smhdw", 3600,
	    1830LL * 86400, &v), 0);
	assert_int_equal(v, 3600);
	v = 42;
	assert_int_equal(strnum_period("3600s", "hdw", 3600, 1830LL * 86400,
	    &v), -EINVAL); /* s is not one of the units */
	assert_int_equal(strnum_period("59m", "smhdw", 3600, 1830LL * 86400,
	    &v), -ERANGE);
	assert_int_equal(strnum_period("1831d", "smhdw", 3600,
	    1830LL * 86400, &v), -ERANGE);
	assert_int_equal(strnum_period("", "smhdw", 1, 86400, &v), -EINVAL);
	assert_int_equal(strnum_period("d", "smhdw", 1, 86400, &v), -EINVAL);
	assert_int_equal(strnum_period("1x", "smhdw", 1, 86400, &v),
	    -EINVAL);
	assert_int_equal(v, 42);
}

static void
test_strnum_double_finite_in_bounds(void **state)
{
	double v = 42;

	assert_int_equal(strnum_double("80.5", 100, &v), 0);
	assert_true(v == 80.5);
	assert_int_equal(strnum_double("-1e2", 100, &v), 0);
	assert_true(v == -100);
	v = 42;
	assert_int_equal(strnum_double("", 100, &v), -EINVAL);
	assert_int_equal(strnum_double("1x", 100, &v), -EINVAL);
	assert_int_equal(strnum_double("101", 100, &v), -EINVAL);
	assert_int_equal(strnum_double("nan", 1e300, &v), -EINVAL);
	assert_int_equal(strnum_double("inf", 1e300, &v), -EINVAL);
	assert_int_equal(strnum_double("1e999", 1e300, &v), -EINVAL);
	assert_true(v == 42);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strnum_accepts_plain_decimals_in_bounds),
		cmocka_unit_test(test_strnum_rejects_junk),
		cmocka_unit_test(test_strnum_rejects_out_of_bounds_and_overflow),
		cmocka_unit_test(test_strnum_period_units_and_bounds),
		cmocka_unit_test(test_strnum_double_finite_in_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
