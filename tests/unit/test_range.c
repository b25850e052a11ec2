/*
 * test_range: every form of Nagios threshold range, evaluated at and just
 * beyond its ends, and the malformed ones refused with a message that says
 * why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "range.h"

static struct range
parse_ok(const char *s)
{
	struct range r;
	char err[256] = "";

	if (range_parse(s, &r, err, sizeof(err)) != 0)
		fail_msg("range '%s' refused: %s", s, err);
	assert_true(r.set);
	assert_string_equal(r.text, s);
	return r;
}

static void
parse_bad(const char *s, const char *why)
{
	struct range r;
	char err[256] = "";

	memset(&r, 0, sizeof(r));
	assert_int_equal(range_parse(s, &r, err, sizeof(err)), -EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("range '%s': error '%s' does not say '%s'", s, err,
		    why);
	assert_false(r.set);
}

static void
test_range_plain_number_is_zero_to_n(void **state)
{
	struct range r = parse_ok("10");

	assert_false(r.inside);
	assert_true(r.start == 0.0 && r.end == 10.0);
	assert_false(range_alert(&r, 0.0));
	assert_false(range_alert(&r, 10.0));
	assert_true(range_alert(&r, 10.001));
	assert_true(range_alert(&r, -0.5));
}

static void
test_range_open_end_alerts_below_start(void **state)
{
	struct range r = parse_ok("10:");

	assert_true(r.end_inf);
	assert_false(range_alert(&r, 10.0));
	assert_false(range_alert(&r, 1e12));
	assert_true(range_alert(&r, 9.99));
}

static void
test_range_tilde_start_alerts_above_end(void **state)
{
	struct range r = parse_ok("~:10");

	assert_true(r.start_inf);
	assert_false(range_alert(&r, -1e12));
	assert_false(range_alert(&r, 10.0));
	assert_true(range_alert(&r, 10.5));
}

static void
test_range_both_ends_alert_outside(void **state)
{
	struct range r = parse_ok("10:20");

	assert_true(range_alert(&r, 9.0));
	assert_false(range_alert(&r, 10.0));
	assert_false(range_alert(&r, 15.0));
	assert_false(range_alert(&r, 20.0));
	assert_true(range_alert(&r, 20.1));
}

static void
test_range_at_alerts_inside_inclusive(void **state)
{
	struct range r = parse_ok("@10:20");

	assert_true(r.inside);
	assert_false(range_alert(&r, 9.9));
	assert_true(range_alert(&r, 10.0));
	assert_true(range_alert(&r, 15.0));
	assert_true(range_alert(&r, 20.0));
	assert_false(range_alert(&r, 20.1));
}

static void
test_range_negative_and_fractional_numbers(void **state)
{
	struct range r = parse_ok("-5.5:2.25");

	assert_true(r.start == -5.5 && r.end == 2.25);
	assert_true(range_alert(&r, -5.6));
	assert_false(range_alert(&r, -5.5));
	assert_true(range_alert(&r, 2.26));
	r = parse_ok("@~:0");
	assert_true(range_alert(&r, -3.0));
	assert_true(range_alert(&r, 0.0));
	assert_false(range_alert(&r, 0.1));
}

static void
test_range_colon_forms_like_the_plugins(void **state)
{
	struct range r = parse_ok(":10"); /* empty start is 0 */

	assert_true(r.start == 0.0 && r.end == 10.0 && !r.start_inf);
	r = parse_ok("~:"); /* everything: never alerts */
	assert_false(range_alert(&r, -1e300));
	assert_false(range_alert(&r, 1e300));
	r = parse_ok("10:10");
	assert_false(range_alert(&r, 10.0));
	assert_true(range_alert(&r, 10.01));
}

static void
test_range_unset_never_alerts(void **state)
{
	struct range r;

	memset(&r, 0, sizeof(r));
	assert_false(range_alert(&r, 1e9));
	assert_false(range_alert(&r, -1e9));
}

static void
test_range_bad_ranges_are_refused_clearly(void **state)
{
	parse_bad("10:5", "start 10 is greater than end 5");
	parse_bad("abc", "'abc' is not a number");
	parse_bad("@", "nothing after '@'");
	parse_bad("1:2:3", "more than one ':'");
	parse_bad("", "empty range");
	parse_bad("~", "'~' (no lower end) needs a ':'");
	parse_bad("~5:10", "start '~5' is not a number");
	parse_bad("x:10", "start 'x' is not a number");
	parse_bad("10:y", "'y' is not a number");
	parse_bad("1e3", "'1e3' is not a number");
	parse_bad("0x10", "'0x10' is not a number");
	parse_bad("inf", "'inf' is not a number");
	parse_bad("-", "'-' is not a number");
	parse_bad("1.2.3", "'1.2.3' is not a number");
	parse_bad("@@1", "'@1' is not a number");
	parse_bad("1234567890123456789012345678901234567890",
	    "longer than 31 characters");
}

static void
test_range_error_names_the_forms(void **state)
{
	struct range r;
	char err[256];

	assert_int_equal(range_parse("10:5", &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "bad range '10:5': start 10 is greater "
	    "than end 5 (forms: 10, 10:, ~:10, 10:20, @10:20)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_plain_number_is_zero_to_n),
		cmocka_unit_test(test_range_open_end_alerts_below_start),
		cmocka_unit_test(test_range_tilde_start_alerts_above_end),
		cmocka_unit_test(test_range_both_ends_alert_outside),
		cmocka_unit_test(test_range_at_alerts_inside_inclusive),
		cmocka_unit_test(test_range_negative_and_fractional_numbers),
		cmocka_unit_test(test_range_colon_forms_like_the_plugins),
		cmocka_unit_test(test_range_unset_never_alerts),
		cmocka_unit_test(test_range_bad_ranges_are_refused_clearly),
		cmocka_unit_test(test_range_error_names_the_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
