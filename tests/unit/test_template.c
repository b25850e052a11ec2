/*
 * Unit tests of the graph template parser and matcher: the shipped
 * templates load and pick the right template for the files the checks
 * write; every kind of bad input is refused with file:line, and a text
 * with an error adds nothing to the set.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "template.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

static const char *
srcdir(void)
{
	const char *s = getenv("top_srcdir");

	return s != NULL && s[0] != '\0' ? s : TEST_SRCDIR;
}

static struct template_set *
load_shipped(void)
{
	struct template_set *set = template_set_new();
	char dir[4096], err[512] = "";
	int rc;

	assert_non_null(set);
	snprintf(dir, sizeof(dir), "%s/graphs/templates", srcdir());
	rc = template_set_load_dir(set, dir, err, sizeof(err));
	if (rc != 0)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	return set;
}

static const char *
pick(const struct template_set *set, const char *const *ds, size_t n)
{
	const struct template *t = template_set_match(set, ds, n);

	return t != NULL ? t->name : "(none)";
}

static void
test_template_shipped_load(void **state)
{
	static const char *const names[] = { "generic", "traffic",
		"utilization", "latency", "loss", "percent", "supplies" };
	struct template_set *set = load_shipped();
	const struct template *t;
	size_t i;

	(void)state;
	assert_int_equal(template_set_count(set), 7);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_non_null(template_set_find(set, names[i]));
	t = template_set_find(set, "latency");
	assert_string_equal(t->vlabel, "ms");
	assert_int_equal(t->elem[0].kind, TEMPLATE_SMOKE);
	assert_string_equal(t->elem[0].ds, "rtmin");
	assert_string_equal(t->elem[0].ds2, "rtmax");
	assert_true(t->has_lower && t->lower == 0);
	t = template_set_find(set, "traffic");
	assert_int_equal(t->elem[1].kind, TEMPLATE_AREA);
	assert_true(t->elem[1].mirror);
	assert_int_equal(t->elem[3].kind, TEMPLATE_PERCENTILE);
	assert_int_equal(t->elem[3].pct, 95);
	assert_true(t->elem[3].mirror);
	assert_null(template_set_find(set, "nope"));
	template_set_free(set);
}

static void
test_template_match_picks_by_labels(void **state)
{
	static const char *const icmp[] = { "rta", "pl", "rtmax", "rtmin",
		"rtmed", "rtp90", "jitter" };
	static const char *const snmp_if[] = { "in_bps", "out_bps",
		"in_util", "out_util", "in_errors", "out_errors" };
	static const char *const util[] = { "in_util", "out_util" };
	static const char *const cpu[] = { "cpu" };
	static const char *const load[] = { "load1", "load5", "load15" };
	static const char *const pool[] = { "used", "free" };
	static const char *const level[] = { "level" };
	static const char *const pl[] = { "pl" };
	struct template_set *set = load_shipped();

	(void)state;
	assert_string_equal(pick(set, icmp, 7), "latency");
	assert_string_equal(pick(set, snmp_if, 6), "traffic");
	assert_string_equal(pick(set, util, 2), "utilization");
	assert_string_equal(pick(set, cpu, 1), "percent");
	assert_string_equal(pick(set, load, 3), "generic");
	/* `only`: bytes next to used keep a pool off the percent graph */
	assert_string_equal(pick(set, pool, 2), "generic");
	assert_string_equal(pick(set, pool, 1), "percent");
	assert_string_equal(pick(set, level, 1), "supplies");
	assert_string_equal(pick(set, pl, 1), "loss");
	template_set_free(set);
}

static void
test_template_pattern_labels_and_globs(void **state)
{
	char ds[STORE_DS_NAME_MAX + 1];

	(void)state;
	store_ds_name("/var/lib/docker", ds);
	/* a label that is not a DS name finds its hashed DS */
	assert_true(template_pattern_match("/var/lib/docker", ds));
	assert_false(template_pattern_match("/var/lib", ds));
	assert_true(template_pattern_match("_var_*", ds));
	assert_true(template_pattern_match("a|b|rta", "rta"));
	assert_false(template_pattern_match("a|b", "rta"));
	assert_true(template_pattern_match("in_*", "in_bps"));
	assert_true(template_pattern_exact("rta"));
	assert_false(template_pattern_exact("rta|pl"));
	assert_false(template_pattern_exact("r?a"));
}

static void
test_template_priority_tie_keeps_first(void **state)
{
	static const char text[] =
	    "define template {\n name a\n match x\n line ds=x\n}\n"
	    "define  template{\n name b\n match x\n line ds=x\n}\n"
	    "define template {\n name c\n match x\n priority 101\n"
	    " line ds=x\n}\n";
	static const char *const x[] = { "x" };
	struct template_set *set = template_set_new();
	char err[256];

	(void)state;
	assert_int_equal(template_set_parse(set, "t", text, err, sizeof(err)),
	    0);
	assert_string_equal(pick(set, x, 1), "c");
	assert_int_equal(template_set_parse(set, "u",
	    "define template {\n name d\n match x\n priority 101\n"
	    " area ds=x\n}\n", err, sizeof(err)), 0);
	assert_string_equal(pick(set, x, 1), "c");
	template_set_free(set);
}

static void
test_template_options_parsed(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "; comment too\n"
	    "define template {\n"
	    "  name     t1        ; inline comment\n"
	    "  title    \"a \\\"quoted\\\" title; not a comment\"\n"
	    "  vlabel   bits/s\n"
	    "  base     1024\n"
	    "  lower    -5.5\n"
	    "  upper    1e3\n"
	    "  rigid    yes\n"
	    "  stats    last,max\n"
	    "  format   %5.1lf%%\n"
	    "  match    in_bps out_bps\n"
	    "  line     ds=in_bps color=#AABBCC80 width=3 cf=MAX scale=8 "
	    "legend=\"in; bits\" stack=yes\n"
	    "  tick     ds=pl fraction=0.5\n"
	    "  hrule    value=-1\n"
	    "}\n";
	struct template_set *set = template_set_new();
	const struct template *t;
	char err[256];

	(void)state;
	assert_int_equal(template_set_parse(set, "t", text, err, sizeof(err)),
	    0);
	t = template_set_find(set, "t1");
	assert_non_null(t);
	assert_string_equal(t->title, "a \"quoted\" title; not a comment");
	assert_string_equal(t->vlabel, "bits/s");
	assert_int_equal(t->base, 1024);
	assert_true(t->lower == -5.5 && t->upper == 1000 && t->rigid);
	assert_int_equal(t->stats, TEMPLATE_STAT_LAST | TEMPLATE_STAT_MAX);
	assert_string_equal(t->format, "%5.1lf%%");
	assert_int_equal(t->nmatch, 2);
	assert_int_equal(t->nelem, 3);
	assert_string_equal(t->elem[0].color, "#AABBCC80");
	assert_int_equal(t->elem[0].width, 3);
	assert_int_equal(t->elem[0].cf, TEMPLATE_CF_MAX);
	assert_true(t->elem[0].scale == 8 && t->elem[0].stack);
	assert_string_equal(t->elem[0].legend, "in; bits");
	assert_int_equal(t->elem[0].line, 14);
	assert_true(t->elem[1].fraction == 0.5);
	assert_true(t->elem[2].value == -1);
	template_set_free(set);
}

/* Each bad text and the "where:line: ..." start of its message. */
static const struct {
	const char *text, *msg;
} bad[] = {
	{ "template {\n", "bad.cfg:1: expected 'define template {'" },
	{ "define host {\n", "bad.cfg:1: expected" },
	{ "\n\ndefine template {\n name x\n match x\n line ds=x\n",
	    "bad.cfg:6: missing '}'" },
	{ "define template {\n name X\n", "bad.cfg:2: name:" },
	{ "define template {\n match x\n line ds=x\n}\n",
	    "bad.cfg:4: template without a name" },
	{ "define template {\n name a\n line ds=x\n}\n",
	    "bad.cfg:4: template a: no match" },
	{ "define template {\n name a\n match x\n}\n",
	    "bad.cfg:4: template a: nothing to draw" },
	{ "define template {\n name a\n colour red\n", "bad.cfg:3: unknown key" },
	{ "define template {\n name a\n title\n", "bad.cfg:3: title: missing" },
	{ "define template {\n name a\n title \"open\n",
	    "bad.cfg:3: title: unterminated quote" },
	{ "define template {\n name a\n priority 1001\n",
	    "bad.cfg:3: priority must be" },
	{ "define template {\n name a\n priority -1\n",
	    "bad.cfg:3: priority must be" },
	{ "define template {\n name a\n base 1010\n", "bad.cfg:3: base must" },
	{ "define template {\n name a\n lower nan\n", "bad.cfg:3: lower must" },
	{ "define template {\n name a\n upper 1e999\n",
	    "bad.cfg:3: upper must" },
	{ "define template {\n name a\n only maybe\n", "bad.cfg:3: only must" },
	{ "define template {\n name a\n stats median\n",
	    "bad.cfg:3: stats: unknown" },
	{ "define template {\n name a\n format %d\n", "bad.cfg:3: format:" },
	{ "define template {\n name a\n format %lf %lf\n",
	    "bad.cfg:3: format:" },
	{ "define template {\n name a\n format %lf:\n", "bad.cfg:3: format:" },
	{ "define template {\n name a\n match a||b\n",
	    "bad.cfg:3: bad match pattern" },
	{ "define template {\n name a\n match a b c d e f g h i j k l m n o p "
	    "q\n", "bad.cfg:3: more than 16 match" },
	{ "define template {\n name a\n line\n", "bad.cfg:3: line needs ds=" },
	{ "define template {\n name a\n smoke low=a\n",
	    "bad.cfg:3: smoke needs low= and high=" },
	{ "define template {\n name a\n smoke low=a* high=b\n",
	    "bad.cfg:3: smoke takes labels" },
	{ "define template {\n name a\n hrule color=#000000\n",
	    "bad.cfg:3: hrule needs value=" },
	{ "define template {\n name a\n line ds=x pct=5\n",
	    "bad.cfg:3: line takes no option 'pct'" },
	{ "define template {\n name a\n line ds=x bogus=1\n",
	    "bad.cfg:3: line takes no option 'bogus'" },
	{ "define template {\n name a\n line ds=x ds=y\n",
	    "bad.cfg:3: option 'ds' given twice" },
	{ "define template {\n name a\n line ds=x color=red\n",
	    "bad.cfg:3: color: color must be" },
	{ "define template {\n name a\n line ds=x color=#12345\n",
	    "bad.cfg:3: color:" },
	{ "define template {\n name a\n line ds=x width=11\n",
	    "bad.cfg:3: width:" },
	{ "define template {\n name a\n line ds=x cf=LAST\n", "bad.cfg:3: cf:" },
	{ "define template {\n name a\n line ds=x scale=0\n",
	    "bad.cfg:3: scale:" },
	{ "define template {\n name a\n line ds=x mirror=1x\n",
	    "bad.cfg:3: mirror:" },
	{ "define template {\n name a\n percentile ds=x pct=100\n",
	    "bad.cfg:3: pct:" },
	{ "define template {\n name a\n tick ds=x fraction=2\n",
	    "bad.cfg:3: fraction:" },
	{ "define template {\n name a\n line ds=x legend=\"open\n",
	    "bad.cfg:3: unterminated quote" },
	{ "define template {\n name a\n line ds=x legend=\"a\"b\n",
	    "bad.cfg:3: text after the closing quote" },
	{ "define template {\n name a\n line x\n",
	    "bad.cfg:3: expected key=value" },
	{ "define template {\n name a\n match x\n lower 5\n upper 1\n"
	    " line ds=x\n}\n", "bad.cfg:7: template a: lower >= upper" },
};

static void
test_template_bad_input_has_file_line(void **state)
{
	struct template_set *set = template_set_new();
	char err[512];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		rc = template_set_parse(set, "bad.cfg", bad[i].text, err,
		    sizeof(err));
		if (rc != -EINVAL || strncmp(err, bad[i].msg,
		    strlen(bad[i].msg)) != 0)
			fail_msg("case %zu: rc %d, '%s', expected '%s'", i, rc,
			    err, bad[i].msg);
		assert_int_equal(template_set_count(set), 0);
	}
	template_set_free(set);
}

static void
test_template_error_adds_nothing(void **state)
{
	static const char good[] =
	    "define template {\n name a\n match x\n line ds=x\n}\n";
	struct template_set *set = template_set_new();
	char err[512], text[256];

	(void)state;
	snprintf(text, sizeof(text), "%s%s", good,
	    "define template {\n name b\n match x\n line ds=x width=0\n}\n");
	assert_int_equal(template_set_parse(set, "f", text, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "f:9: width: width must be 1..10");
	assert_int_equal(template_set_count(set), 0);
	assert_int_equal(template_set_parse(set, "f", good, err, sizeof(err)),
	    0);
	assert_int_equal(template_set_parse(set, "g", good, err, sizeof(err)),
	    -EEXIST);
	assert_string_equal(err, "g:5: template a defined twice");
	assert_int_equal(template_set_count(set), 1);
	template_set_free(set);
}

static void
test_template_bounds(void **state)
{
	struct template_set *set = template_set_new();
	char err[512], *text;
	size_t i, n = 0, cap = 64 * 1024;

	(void)state;
	text = malloc(cap);
	assert_non_null(text);
	/* a line over TEMPLATE_LINE_MAX */
	memset(text, 'x', 2000);
	memcpy(text, "define template {\n", 18);
	text[2000] = '\0';
	assert_int_equal(template_set_parse(set, "long", text, err,
	    sizeof(err)), -E2BIG);
	assert_string_equal(err, "long:2: line longer than 1024 bytes");
	/* more than TEMPLATE_ELEM_MAX elements */
	n = (size_t)snprintf(text, cap, "define template {\nname a\nmatch x\n");
	for (i = 0; i <= TEMPLATE_ELEM_MAX; i++)
		n += (size_t)snprintf(text + n, cap - n, "line ds=x\n");
	assert_int_equal(template_set_parse(set, "many", text, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "many:36: more than 32 elements");
	/* more than TEMPLATE_SET_MAX templates */
	n = 0;
	for (i = 0; i <= TEMPLATE_SET_MAX; i++)
		n += (size_t)snprintf(text + n, cap - n, "define template {\n"
		    "name t%zu\nmatch x\nline ds=x\n}\n", i);
	assert_int_equal(template_set_parse(set, "set", text, err,
	    sizeof(err)), -E2BIG);
	assert_string_equal(err, "set:325: more than 64 templates");
	assert_int_equal(template_set_count(set), 0);
	free(text);
	template_set_free(set);
}

static void
test_template_load_errors(void **state)
{
	struct template_set *set = template_set_new();
	char dir[] = "/tmp/test_template.XXXXXX", path[256], err[512];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(template_set_load_dir(set, dir, err, sizeof(err)),
	    -ENOENT);
	snprintf(path, sizeof(path), "%s/b.cfg", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("define template {\n name b\n match x\n line ds=x\n}\n"
	    "define template {\n name c\n", fp);
	fclose(fp);
	assert_int_equal(template_set_load_dir(set, dir, err, sizeof(err)),
	    -EINVAL);
	snprintf(path, sizeof(path), "%s/b.cfg:7: missing '}' of the "
	    "template opened at line 6", dir);
	assert_string_equal(err, path);
	assert_int_equal(template_set_count(set), 0);
	snprintf(path, sizeof(path), "%s/b.cfg", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing.cfg", dir);
	assert_int_equal(template_set_load_file(set, path, err, sizeof(err)),
	    -ENOENT);
	rmdir(dir);
	template_set_free(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_shipped_load),
		cmocka_unit_test(test_template_match_picks_by_labels),
		cmocka_unit_test(test_template_pattern_labels_and_globs),
		cmocka_unit_test(test_template_priority_tie_keeps_first),
		cmocka_unit_test(test_template_options_parsed),
		cmocka_unit_test(test_template_bad_input_has_file_line),
		cmocka_unit_test(test_template_error_adds_nothing),
		cmocka_unit_test(test_template_bounds),
		cmocka_unit_test(test_template_load_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
