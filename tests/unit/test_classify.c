/*
 * test_classify: the shipped rules (probes/profiles/classify.cfg) give the
 * test network's devices their classes; sysServices fallbacks, OID arc
 * boundaries, first match wins, has_oid; every malformed rules file is
 * refused with its file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "classify.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

static int
setup(void **state)
{
	struct classify_rules *r;
	char err[256] = "";

	if (classify_load(TEST_SRCDIR "/probes/profiles/classify.cfg", &r, err,
	    sizeof(err)) != 0)
		fail_msg("shipped rules refused: %s", err);
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	classify_free(*state);
	return 0;
}

static bool
has_printer_mib(const char *oid, void *arg)
{
	(void)arg;
	return strcmp(oid, ".1.3.6.1.2.1.43.5.1.1.16.1") == 0;
}

static bool
has_any(const char *oid, void *arg)
{
	(void)oid;
	(void)arg;
	return true;
}

static const char *
cls(const struct classify_rules *r, const char *oid, const char *descr,
    long services, bool printer_mib)
{
	struct classify_device d = {oid, descr, services,
	    printer_mib ? has_printer_mib : NULL, NULL};
	struct classify_result res;

	if (classify_match(r, &d, &res) != 0)
		return "(none)";
	return res.cls;
}

/* The devices of tests/integration/netns.sh, as their agents say. */
static void
test_classify_shipped_rules_know_the_test_network(void **state)
{
	struct classify_rules *r = *state;

	assert_string_equal(cls(r, ".1.3.6.1.4.1.9.1.1", "Pharos lab router",
	    6, false), "router");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.9.1.516", "switch", 6, false),
	    "switch");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.8072.3.2.10", "Linux", 72,
	    false), "server");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.2636.1.1.1.2.39", "fw", 76,
	    false), "firewall");
	/* The printer by its Printer-MIB, and by HP's OID alone. */
	assert_string_equal(cls(r, ".1.3.6.1.4.1.99999", "box", 72, true),
	    "printer");
	assert_string_equal(cls(r, "1.3.6.1.4.1.11.2.3.9.1", NULL, -1, false),
	    "printer");
}

static void
test_classify_services_fallbacks(void **state)
{
	struct classify_rules *r = *state;
	struct classify_device d = {".1.3.6.1.4.1.99999.1", NULL, 6, NULL,
	    NULL};
	struct classify_result res;

	assert_string_equal(cls(r, ".1.3.6.1.4.1.99999.1", NULL, 4, false),
	    "router");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.99999.1", NULL, 2, false),
	    "switch");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.99999.1", NULL, 72, false),
	    "server");
	assert_int_equal(classify_match(r, &d, &res), 0);
	assert_string_equal(res.cls, "router");
	assert_string_equal(res.profile, "router");
	assert_string_equal(res.file, "classify.cfg");
	assert_true(res.line > 0);
	/* Nothing known: the default, with the generic profile. */
	d.sysobjectid = NULL;
	d.services = -1;
	assert_int_equal(classify_match(r, &d, &res), 0);
	assert_string_equal(res.cls, "other");
	assert_string_equal(res.profile, "generic");
	/* Out-of-range sysServices is unknown, not a layer set. */
	assert_string_equal(cls(r, NULL, NULL, 1000, false), "other");
}

static void
test_classify_oid_prefix_on_arc_boundaries(void **state)
{
	struct classify_rules *r = *state;

	/* .1.3.6.1.4.1.9.1.1 is a router; .1.3.6.1.4.1.9.1.11 is not it. */
	assert_string_equal(cls(r, ".1.3.6.1.4.1.9.1.1", NULL, -1, false),
	    "router");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.9.1.1.5", NULL, -1, false),
	    "router");
	assert_string_equal(cls(r, ".1.3.6.1.4.1.9.1.11", NULL, -1, false),
	    "other");
}

static void
test_classify_first_match_wins_and_sysdescr(void **state)
{
	struct classify_rules *r;
	struct classify_result res;
	struct classify_device d = {".1.3.6.1.4.1.8072.3.2.10",
	    "FreeBSD pfSense 2.7", 76, NULL, NULL};
	const char *const *oids;
	char err[256] = "";
	static const char text[] =
	    "# own rules first\n"
	    "define classify {\n"
	    "    class    firewall ; pfSense runs net-snmp\n"
	    "    profile  fw-custom\n"
	    "    sysdescr PFSENSE\n"
	    "    has_oid  .1.2.3, 1.2.4\n"
	    "}\n"
	    "define classify {\n"
	    "\tclass server\n"
	    "\tsysobjectid .1.3.6.1.4.1.8072\n"
	    "\thas_oid .1.2.3\n"
	    "}\n";

	(void)state;
	assert_int_equal(classify_parse("mine.cfg", text, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(classify_nrules(r), 2);
	assert_int_equal(classify_oids(r, &oids), 2);
	assert_string_equal(oids[0], ".1.2.3");
	assert_string_equal(oids[1], ".1.2.4");
	/* No has_oid answer: neither rule can match. */
	assert_int_equal(classify_match(r, &d, &res), -ENOENT);
	/* Everything exists: both match, the first in the file wins. */
	d.has_oid = has_any;
	assert_int_equal(classify_match(r, &d, &res), 0);
	assert_string_equal(res.cls, "firewall");
	assert_string_equal(res.profile, "fw-custom");
	assert_int_equal(res.line, 2);
	/* Not pfSense: the second. */
	d.sysdescr = "Linux";
	assert_int_equal(classify_match(r, &d, &res), 0);
	assert_string_equal(res.cls, "server");
	assert_int_equal(res.line, 8);
	classify_free(r);
}

static void
bad(const char *text, const char *why)
{
	struct classify_rules *r = (void *)1;
	char err[256] = "";

	assert_int_equal(classify_parse("x/bad.cfg", text, &r, err,
	    sizeof(err)), -EINVAL);
	assert_null(r);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' does not say '%s'", text, err, why);
}

static void
test_classify_bad_files_name_file_and_line(void **state)
{
	(void)state;
	bad("define classify {\n class router\n colour red\n}\n",
	    "bad.cfg:3: error: unknown key 'colour'");
	bad("define classify {\n class router\n sysobjectid .1.3.x\n}\n",
	    "bad.cfg:3: error: sysobjectid: '.1.3.x' is not a numeric OID");
	bad("define classify {\n class router\n sysobjectid 1..3\n}\n",
	    "not a numeric OID");
	bad("define classify {\n class router\n services_all 8\n}\n",
	    "bad.cfg:3: error: services_all: '8' is not a layer from 1 to 7");
	bad("\n\ndefine classify {\n profile router\n}\n",
	    "bad.cfg:3: error: rule without a class");
	bad("define classify {\n class router\n", "is never closed");
	bad("define classify {\n class Router!\n}\n", "class 'Router!'");
	bad("class router\n", "bad.cfg:1: error: expected 'define classify {'");
	bad("define host {\n}\n", "expected 'define classify {'");
	bad("# nothing\n", "no rules");
	bad("define classify {\n class\n}\n", "'class' needs a value");
}

static void
test_classify_missing_file_is_an_error(void **state)
{
	struct classify_rules *r;
	char err[256] = "";

	(void)state;
	assert_int_equal(classify_load("/nonexistent/classify.cfg", &r, err,
	    sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/classify.cfg"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_classify_shipped_rules_know_the_test_network, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_classify_services_fallbacks,
		setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_classify_oid_prefix_on_arc_boundaries, setup, teardown),
	    cmocka_unit_test(test_classify_first_match_wins_and_sysdescr),
	    cmocka_unit_test(test_classify_bad_files_name_file_and_line),
	    cmocka_unit_test(test_classify_missing_file_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
