/* Unit tests of the perfdata parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "perfdata.h"

static struct perfdata_item items[PERFDATA_ITEMS_MAX];

static void
test_perfdata_parses_full_items(void **state)
{
	size_t n = 0;

	assert_int_equal(perfdata_parse("rta=0.043ms;200.000;500.000;0; "
	    "pl=0%;40;80;0;100", items, PERFDATA_ITEMS_MAX, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].label, "rta");
	assert_true(items[0].value == 0.043);
	assert_string_equal(items[0].uom, "ms");
	assert_string_equal(items[0].warn, "200.000");
	assert_string_equal(items[0].crit, "500.000");
	assert_true(items[0].has_min && items[0].min == 0);
	assert_false(items[0].has_max);
	assert_string_equal(items[1].label, "pl");
	assert_string_equal(items[1].uom, "%");
	assert_true(items[1].has_max && items[1].max == 100);
}

static void
test_perfdata_quoted_labels_doubled_quotes(void **state)
{
	size_t n = 0;

	assert_int_equal(perfdata_parse("'/var lib'=5GB;;;0;10 "
	    "'it''s'=1c 'a=b'=2", items, PERFDATA_ITEMS_MAX, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].label, "/var lib");
	assert_string_equal(items[0].uom, "GB");
	assert_string_equal(items[1].label, "it's");
	assert_string_equal(items[1].uom, "c");
	assert_string_equal(items[2].label, "a=b");
}

static void
test_perfdata_unknown_value_missing_fields(void **state)
{
	size_t n = 0;

	assert_int_equal(perfdata_parse("a=U b=3 c=4;@10:20;~:5 d=1,5s;;;;;;",
	    items, PERFDATA_ITEMS_MAX, &n), 0);
	assert_int_equal(n, 4);
	assert_true(items[0].value_unknown);
	assert_false(items[1].value_unknown);
	assert_true(items[1].value == 3);
	assert_string_equal(items[1].uom, "");
	assert_string_equal(items[2].warn, "@10:20");
	assert_string_equal(items[2].crit, "~:5");
	assert_true(items[3].value == 1.5);
	assert_string_equal(items[3].uom, "s");
}

static void
test_perfdata_skips_and_counts_junk(void **state)
{
	size_t n = 0;

	/* no '=', empty label, no value, junk value, 1.2.3, nan, then ok */
	assert_int_equal(perfdata_parse("junk =1 a= b=x c=1.2.3 d=nan e=-2e3",
	    items, PERFDATA_ITEMS_MAX, &n), 6);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].label, "e");
	assert_true(items[0].value == -2000);
	assert_int_equal(perfdata_parse(NULL, items, PERFDATA_ITEMS_MAX, &n),
	    0);
	assert_int_equal(n, 0);
	assert_int_equal(perfdata_parse("   \t\n", items, PERFDATA_ITEMS_MAX,
	    &n), 0);
	assert_int_equal(n, 0);
}

static void
test_perfdata_unterminated_quote_ends_parsing(void **state)
{
	size_t n = 0;

	assert_int_equal(perfdata_parse("a=1 'open=2 b=3", items,
	    PERFDATA_ITEMS_MAX, &n), 1);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].label, "a");
}

static void
test_perfdata_caps_items(void **state)
{
	char buf[4096];
	size_t len = 0, n = 0;
	int i;

	for (i = 0; i < PERFDATA_ITEMS_MAX + 10; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "m%d=%d ", i, i);
	assert_int_equal(perfdata_parse(buf, items, PERFDATA_ITEMS_MAX, &n),
	    10);
	assert_int_equal(n, PERFDATA_ITEMS_MAX);
	assert_string_equal(items[63].label, "m63");
}

static void
test_perfdata_caps_label_uom_and_range(void **state)
{
	char buf[1024];
	size_t n = 0;

	memset(buf, 'x', PERFDATA_LABEL_MAX + 1);
	snprintf(buf + PERFDATA_LABEL_MAX + 1, sizeof(buf) -
	    PERFDATA_LABEL_MAX - 1, "=1 ok=2");
	assert_int_equal(perfdata_parse(buf, items, PERFDATA_ITEMS_MAX, &n),
	    1);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].label, "ok");

	memset(buf, 'y', PERFDATA_LABEL_MAX);
	snprintf(buf + PERFDATA_LABEL_MAX, sizeof(buf) - PERFDATA_LABEL_MAX,
	    "=1");
	assert_int_equal(perfdata_parse(buf, items, PERFDATA_ITEMS_MAX, &n),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(items[0].label), PERFDATA_LABEL_MAX);

	assert_int_equal(perfdata_parse("a=1abcdefghijklmnopq "
	    "b=1;0123456789012345678901234567890123 c=1", items,
	    PERFDATA_ITEMS_MAX, &n), 2);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].label, "c");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfdata_parses_full_items),
		cmocka_unit_test(test_perfdata_quoted_labels_doubled_quotes),
		cmocka_unit_test(test_perfdata_unknown_value_missing_fields),
		cmocka_unit_test(test_perfdata_skips_and_counts_junk),
		cmocka_unit_test(test_perfdata_unterminated_quote_ends_parsing),
		cmocka_unit_test(test_perfdata_caps_items),
		cmocka_unit_test(test_perfdata_caps_label_uom_and_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
