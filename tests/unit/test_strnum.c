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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strnum_accepts_plain_decimals_in_bounds),
		cmocka_unit_test(test_strnum_rejects_junk),
		cmocka_unit_test(test_strnum_rejects_out_of_bounds_and_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
