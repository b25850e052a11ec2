/*
 * test_profile: the profile parser (probes/profile.h). Every shipped
 * profile loads; every kind of bad input gives one clear FILE:LINE error;
 * `use` resolves in order with overrides, choices and loops. Each test
 * writes its profiles into a fresh temporary directory.
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

#include "profile.h"

struct env {
	char dir[64];
	char err[1024];
	struct profile *p;
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	snprintf(e->dir, sizeof(e->dir), "/tmp/test_profile.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	profile_free(e->p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0) {
		/* leftovers in /tmp are harmless */
	}
	free(e);
	return 0;
}

static void
write_file(struct env *e, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.cfg", e->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int
load(struct env *e, const char *name)
{
	profile_free(e->p);
	e->p = NULL;
	e->err[0] = '\0';
	return profile_load(e->dir, name, &e->p, e->err, sizeof(e->err));
}

/* Loading name fails with -EINVAL and an error that starts with want. */
static void
expect_error(struct env *e, const char *name, const char *want)
{
	assert_int_equal(load(e, name), -EINVAL);
	assert_null(e->p);
	if (strncmp(e->err, want, strlen(want)) != 0)
		fail_msg("error '%s' does not start with '%s'", e->err, want);
}

static const struct profile_entry *
entry(const struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nentries; i++)
		if (strcmp(p->entries[i].name, name) == 0)
			return &p->entries[i];
	return NULL;
}

static size_t
entry_pos(const struct profile *p, const char *name)
{
	const struct profile_entry *x = entry(p, name);

	assert_non_null(x);
	return (size_t)(x - p->entries);
}

#define HDR(n) "define profile {\n    name " n "\n}\n"
#define SVC(n, d) "define service {\n    name " n "\n    description " d \
    "\n    check_command snmp!.1.3.6.1.2.1.1.3.0!!!uptime\n}\n"

static void
test_profile_shipped_profiles_load(void **state)
{
	static const char *const names[] = { "generic", "network", "router",
		"switch", "firewall", "printer", "server" };
	const char *top = getenv("top_srcdir");
	char dir[4096];
	struct env *e = *state;

	snprintf(dir, sizeof(dir), "%s/probes/profiles", top != NULL ? top :
	    ".");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		profile_free(e->p);
		e->p = NULL;
		if (profile_load(dir, names[i], &e->p, e->err,
		    sizeof(e->err)) != 0)
			fail_msg("%s: %s", names[i], e->err);
		assert_string_equal(e->p->name, names[i]);
		assert_non_null(entry(e->p, "uptime")); /* from generic */
	}
	/* router: its own first, then network's vendor CPUs before the
	 * generic fallbacks */
	assert_int_equal(load(e, "router"), -ENOENT); /* not in e->dir */
	assert_int_equal(profile_load(dir, "router", &e->p, e->err,
	    sizeof(e->err)), 0);
	assert_true(entry_pos(e->p, "bgp") < entry_pos(e->p, "cpu-cisco"));
	assert_true(entry_pos(e->p, "cpu-cisco") < entry_pos(e->p, "cpu-ucd"));
	assert_true(entry(e->p, "interfaces")->interfaces);
	assert_int_equal(entry(e->p, "bgp-cisco")->name_index,
	    PROFILE_NAMEIDX_INETADDRESS);
	assert_string_equal(entry(e->p, "cpu-cisco")->sysobjectid[0],
	    ".1.3.6.1.4.1.9");
}

static void
test_profile_reads_every_key(void **state)
{
	struct env *e = *state;
	const struct profile_entry *t;

	write_file(e, "full", HDR("full")
	    "# a comment line\n"
	    "define table {   ; a comment after the brace\n"
	    "    name          ifs\n"
	    "    choice        nics\n"
	    "    sysobjectid   .1.3.6.1.4.1.9., .1.3.6.1.4.1.2636\n"
	    "    require_oid   .1.3.6.1.2.1.2.2.1.1\n"
	    "    walk          .1.3.6.1.2.1.2.2.1.1\n"
	    "    name_oid      .1.3.6.1.2.1.31.1.1.1.1 , .1.3.6.1.2.1.2.2.1.2\n"
	    "    filter        .1.3.6.1.2.1.2.2.1.3 = 6, 117\n"
	    "    filter        name !~ ^(Null|lo)\n"
	    "    scale         entity-sensor .1.3.6.1.2.1.99.1.1.1.2 "
	    ".1.3.6.1.2.1.99.1.1.1.3\n"
	    "    interfaces    yes\n"
	    "    max_rows      500\n"
	    "    description   Port $NAME$ \\; really\n"
	    "    check_command snmp_if!$NAME$!80!90 \\\n"
	    "                  !1!5\n"
	    "}\n");
	assert_int_equal(load(e, "full"), 0);
	assert_int_equal(e->p->nentries, 1);
	t = &e->p->entries[0];
	assert_int_equal(t->kind, PROFILE_TABLE);
	assert_string_equal(t->choice, "nics");
	assert_int_equal(t->nsysobjectid, 2);
	assert_string_equal(t->sysobjectid[0], ".1.3.6.1.4.1.9");
	assert_int_equal(t->nname_oid, 2);
	assert_string_equal(t->name_oid[1], ".1.3.6.1.2.1.2.2.1.2");
	assert_int_equal(t->nfilters, 2);
	assert_int_equal(t->filters[0].op, PROFILE_FILTER_EQ);
	assert_string_equal(t->filters[0].value, "6, 117");
	assert_string_equal(t->filters[1].oid, "");
	assert_int_equal(t->filters[1].op, PROFILE_FILTER_NOMATCH);
	assert_int_equal(t->scale, PROFILE_SCALE_ENTITY_SENSOR);
	assert_true(t->interfaces);
	assert_int_equal(t->max_rows, 500);
	assert_string_equal(t->description, "Port $NAME$ ; really");
	assert_string_equal(t->check_command, "snmp_if!$NAME$!80!90 !1!5");
	assert_string_equal(t->file, "full.cfg");
	assert_int_equal(t->line, 5);
}

static void
test_profile_unknown_key_is_an_error(void **state)
{
	struct env *e = *state;

	write_file(e, "a", HDR("a") "define service {\n    name x\n"
	    "    colour blue\n}\n");
	expect_error(e, "a", "a.cfg:6: error: unknown key 'colour' in define "
	    "service");
	/* a table key in a service */
	write_file(e, "b", HDR("b") "define service {\n    walk .1.3.6.1\n}\n");
	expect_error(e, "b", "b.cfg:5: error: unknown key 'walk'");
	write_file(e, "c", HDR("c") "define host {\n}\n");
	expect_error(e, "c", "c.cfg:4: error: unknown block type 'host'");
}

static void
test_profile_missing_brace_is_an_error(void **state)
{
	struct env *e = *state;

	write_file(e, "a", HDR("a") "define service {\n    name x\n");
	expect_error(e, "a", "a.cfg:5: error: file ends inside define service "
	    "opened at line 4 (missing '}')");
	write_file(e, "b", HDR("b") "define service {\n    name x\n"
	    "define service {\n");
	expect_error(e, "b", "b.cfg:6: error: missing '}' before this define "
	    "(define service opened at line 4)");
	write_file(e, "c", HDR("c") "}\n");
	expect_error(e, "c", "c.cfg:4: error: '}' without a block");
	write_file(e, "d", "define profile\n    name d\n}\n");
	expect_error(e, "d", "d.cfg:1: error: expected 'define TYPE {'");
}

static void
test_profile_unknown_use_is_an_error(void **state)
{
	struct env *e = *state;

	write_file(e, "a", "define profile {\n    name a\n    use nosuch\n}\n");
	expect_error(e, "a", "a.cfg:3: error: unknown profile 'nosuch' in use");
	/* a name that could leave the directory is not even looked up */
	write_file(e, "b", "define profile {\n    name b\n    use ../b\n}\n");
	expect_error(e, "b", "b.cfg:3: error: bad profile name '../b'");
}

static void
test_profile_use_loop_is_an_error(void **state)
{
	struct env *e = *state;

	write_file(e, "a", "define profile {\n    name a\n    use b\n}\n");
	write_file(e, "b", "define profile {\n    name b\n    use c\n}\n");
	write_file(e, "c", "define profile {\n    name c\n    use a\n}\n");
	expect_error(e, "a", "c.cfg:3: error: use loop: a -> b -> c -> a");
	write_file(e, "s", "define profile {\n    name s\n    use s\n}\n");
	expect_error(e, "s", "s.cfg:3: error: use loop: s -> s");
}

static void
test_profile_bad_oid_is_an_error(void **state)
{
	struct env *e = *state;

	write_file(e, "a", HDR("a") "define service {\n    name x\n"
	    "    require_oid 1.3.6.1.2.1\n}\n");
	expect_error(e, "a", "a.cfg:6: error: bad OID '1.3.6.1.2.1' in "
	    "require_oid");
	write_file(e, "b", HDR("b") "define table {\n    name x\n"
	    "    walk .1.3..6\n}\n");
	expect_error(e, "b", "b.cfg:6: error: bad OID '.1.3..6' in walk");
	write_file(e, "c", HDR("c") "define table {\n    name x\n"
	    "    filter .1.3.x = 1\n}\n");
	expect_error(e, "c", "c.cfg:6: error: bad OID '.1.3.x' in filter");
	write_file(e, "d", HDR("d") "define table {\n    name x\n"
	    "    filter .1.3.6 ~ ([a\n}\n");
	expect_error(e, "d", "d.cfg:6: error: bad regular expression");
}

static void
test_profile_duplicate_names_are_errors(void **state)
{
	struct env *e = *state;

	write_file(e, "a", HDR("a") SVC("cpu", "CPU") SVC("cpu", "CPU 2"));
	expect_error(e, "a", "a.cfg:13: error: duplicate name 'cpu' (first at "
	    "line 4)");
	/* two fixed services with one description, not alternatives */
	write_file(e, "b", HDR("b") SVC("one", "CPU") SVC("two", "CPU"));
	expect_error(e, "b", "b.cfg:9: error: duplicate service description "
	    "'CPU' (also b.cfg:4");
	write_file(e, "c", HDR("c") "define service {\n    name x\n"
	    "    name y\n}\n");
	expect_error(e, "c", "c.cfg:6: error: key 'name' given twice");
}

static void
test_profile_oversize_line_is_an_error(void **state)
{
	struct env *e = *state;
	char text[4096];

	snprintf(text, sizeof(text), HDR("a") "define service {\n"
	    "    description %01500d\n}\n", 7);
	write_file(e, "a", text);
	expect_error(e, "a", "a.cfg:5: error: line longer than 1024 bytes");
	/* continuations are bounded too */
	snprintf(text, sizeof(text), HDR("b") "define service {\n"
	    "    description %0600d\\\n%0600d\n}\n", 1, 2);
	write_file(e, "b", text);
	expect_error(e, "b", "b.cfg:6: error: line longer than 1024 bytes");
}

static void
test_profile_templates_are_checked(void **state)
{
	struct env *e = *state;

	write_file(e, "a", HDR("a") "define service {\n    name x\n"
	    "    description CPU $INDEX$\n"
	    "    check_command snmp!.1.3.6.1.2.1.1.3.0\n}\n");
	expect_error(e, "a", "a.cfg:8: error: '$' in the description of a "
	    "define service");
	write_file(e, "b", HDR("b") "define table {\n    name x\n"
	    "    walk .1.3.6.1.2.1.2.2.1.1\n    description If $NAME$\n"
	    "    check_command snmp_if!$IFNAME$\n}\n");
	expect_error(e, "b", "b.cfg:9: error: unknown variable '$IFNAME$' in "
	    "check_command");
	write_file(e, "c", HDR("c") "define table {\n    name x\n"
	    "    walk .1.3.6.1.2.1.2.2.1.1\n    description Interfaces\n"
	    "    check_command snmp_if!$NAME$\n}\n");
	expect_error(e, "c", "c.cfg:9: error: the description of a table must "
	    "use $NAME$ or $INDEX$");
	write_file(e, "d", HDR("d") "define table {\n    name x\n"
	    "    description If $NAME$\n    check_command snmp_if!$NAME$\n}\n");
	expect_error(e, "d", "d.cfg:8: error: define table needs walk");
	write_file(e, "f", HDR("f") "define service {\n    name x\n"
	    "    description CPU\n}\n");
	expect_error(e, "f", "f.cfg:7: error: define service needs name, "
	    "description and check_command");
}

static void
test_profile_header_rules(void **state)
{
	struct env *e = *state;

	write_file(e, "a", HDR("b"));
	expect_error(e, "a", "a.cfg:2: error: profile 'b' must be in a file "
	    "named b.cfg");
	write_file(e, "c", SVC("x", "X"));
	expect_error(e, "c", "c.cfg:1: error: the first block must be 'define "
	    "profile'");
	write_file(e, "d", "# nothing\n");
	expect_error(e, "d", "d.cfg:1: error: no 'define profile' block");
	write_file(e, "f", HDR("f") HDR("f"));
	expect_error(e, "f", "f.cfg:4: error: a second define profile");
	assert_int_equal(load(e, "../etc/passwd"), -EINVAL);
	assert_int_equal(load(e, "missing"), -ENOENT);
	assert_non_null(strstr(e->err, "missing.cfg"));
}

static void
test_profile_use_overrides_and_orders_choices(void **state)
{
	struct env *e = *state;

	write_file(e, "base", HDR("base") SVC("uptime", "Uptime")
	    "define service {\n    name cpu-generic\n    choice cpu\n"
	    "    description CPU\n    check_command snmp!.1.3.6.1.2.1.1.3.0\n"
	    "}\n");
	write_file(e, "mid", "define profile {\n    name mid\n    use base\n"
	    "}\n" SVC("uptime", "Uptime (mid)"));
	write_file(e, "top", "define profile {\n    name top\n"
	    "    use mid, base\n    description Top\n}\n"
	    "define service {\n    name cpu-vendor\n    choice cpu\n"
	    "    sysobjectid .1.3.6.1.4.1.9\n    description CPU\n"
	    "    check_command snmp!.1.3.6.1.4.1.9.1.0\n}\n");
	assert_int_equal(load(e, "top"), 0);
	assert_string_equal(e->p->description, "Top");
	assert_int_equal(e->p->nentries, 3);
	assert_string_equal(e->p->entries[0].name, "cpu-vendor");
	assert_string_equal(e->p->entries[1].name, "uptime");
	assert_string_equal(e->p->entries[1].description, "Uptime (mid)");
	assert_string_equal(e->p->entries[1].profile, "mid");
	assert_string_equal(e->p->entries[2].name, "cpu-generic");
	assert_string_equal(e->p->entries[2].file, "base.cfg");
}

static void
test_profile_use_depth_is_bounded(void **state)
{
	struct env *e = *state;
	char name[16], text[256];

	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		snprintf(text, sizeof(text), "define profile {\n    name p%d\n"
		    "    use p%d\n}\n", i, i + 1);
		write_file(e, name, text);
	}
	write_file(e, "p10", HDR("p10"));
	expect_error(e, "p0", "p7.cfg:3: error: use nested deeper than 8");
	assert_int_equal(load(e, "p3"), 0);
}

static void
test_profile_oid_valid(void **state)
{
	(void)state;
	assert_true(profile_oid_valid(".1.3"));
	assert_true(profile_oid_valid(".1.3.6.1.4.1.9.9.109.1.1.1.1.8"));
	assert_false(profile_oid_valid("1.3.6"));
	assert_false(profile_oid_valid(".1"));
	assert_false(profile_oid_valid(".1.3."));
	assert_false(profile_oid_valid(".1.3.99999999999"));
	assert_false(profile_oid_valid(""));
	assert_false(profile_oid_valid(NULL));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_profile_shipped_profiles_load),
		T(test_profile_reads_every_key),
		T(test_profile_unknown_key_is_an_error),
		T(test_profile_missing_brace_is_an_error),
		T(test_profile_unknown_use_is_an_error),
		T(test_profile_use_loop_is_an_error),
		T(test_profile_bad_oid_is_an_error),
		T(test_profile_duplicate_names_are_errors),
		T(test_profile_oversize_line_is_an_error),
		T(test_profile_templates_are_checked),
		T(test_profile_header_rules),
		T(test_profile_use_overrides_and_orders_choices),
		T(test_profile_use_depth_is_bounded),
		T(test_profile_oid_valid),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
