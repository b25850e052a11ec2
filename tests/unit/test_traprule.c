/*
 * test_traprule: trap rules match on trap OID, host or host group and
 * varbind values; outputs are rendered from templates with trap values
 * made safe for one output line; trap keys and rule files are checked by
 * the configuration loader with file:line errors; networks and listen
 * addresses parse as documented.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "trap.h"
#include "traprule.h"

#define IFINDEX ".1.3.6.1.2.1.2.2.1.1"
#define IFDESCR ".1.3.6.1.2.1.2.2.1.2"
#define LINKDOWN ".1.3.6.1.6.3.1.1.5.3"

static struct snmp_vb vbs[5];
static const char *groups[] = { "core", "switches" };

static void
vb_int(struct snmp_vb *vb, const char *oid, int64_t v)
{
	memset(vb, 0, sizeof(*vb));
	vb->oid = oid;
	vb->type = SNMP_T_INTEGER;
	vb->i = v;
}

static void
vb_str(struct snmp_vb *vb, const char *oid, const char *s)
{
	memset(vb, 0, sizeof(*vb));
	vb->oid = oid;
	vb->type = SNMP_T_STRING;
	vb->bytes = (const unsigned char *)s;
	vb->len = strlen(s);
}

/* A linkDown from sw1 for ifIndex 7 with an ifDescr the sender chose. */
static struct traprule_trap
linkdown(const char *descr)
{
	struct traprule_trap t = { 0 };

	memset(&vbs[0], 0, sizeof(vbs[0]));
	vbs[0].oid = ".1.3.6.1.2.1.1.3.0";
	vbs[0].type = SNMP_T_TIMETICKS;
	vbs[0].u = 1234;
	vb_str(&vbs[1], ".1.3.6.1.6.3.1.1.4.1.0", LINKDOWN);
	vbs[1].type = SNMP_T_OID;
	vb_int(&vbs[2], IFINDEX ".7", 7);
	vb_str(&vbs[3], IFDESCR ".7", descr);
	vb_int(&vbs[4], ".1.3.6.1.2.1.2.2.1.8.7", 2);
	t.trap_oid = LINKDOWN;
	t.vbs = vbs;
	t.nvbs = 5;
	t.host = "sw1";
	t.groups = groups;
	t.ngroups = 2;
	t.source = "192.0.2.7";
	return t;
}

static char rule_oid[128];

static struct traprule
rule(const char *oid)
{
	struct traprule r;

	memset(&r, 0, sizeof(r));
	snprintf(rule_oid, sizeof(rule_oid), "%s", oid);
	r.name = (char *)"test";
	r.oid = rule_oid;
	return r;
}

static void
test_traprule_matches_the_trap_oid_only(void **state)
{
	struct traprule_trap t = linkdown("Gi0/7");
	struct traprule r = rule(LINKDOWN);

	(void)state;
	assert_true(traprule_match(&r, &t));
	r.oid = (char *)".1.3.6.1.6.3.1.1.5.4";
	assert_false(traprule_match(&r, &t));
	/* a prefix of the trap OID is another trap */
	r.oid = (char *)".1.3.6.1.6.3.1.1.5";
	assert_false(traprule_match(&r, &t));
}

static void
test_traprule_host_and_hostgroup_restrict(void **state)
{
	struct traprule_trap t = linkdown("Gi0/7");
	struct traprule r = rule(LINKDOWN);
	char *hosts[] = { (char *)"sw2", (char *)"sw1" };
	char *other[] = { (char *)"sw9" };
	char *hg[] = { (char *)"switches" };
	char *nohg[] = { (char *)"routers" };

	(void)state;
	r.hosts = hosts;
	r.nhosts = 2;
	assert_true(traprule_match(&r, &t));
	r.hosts = other;
	r.nhosts = 1;
	assert_false(traprule_match(&r, &t));
	/* host or group: either one is enough */
	r.hostgroups = hg;
	r.nhostgroups = 1;
	assert_true(traprule_match(&r, &t));
	r.hostgroups = nohg;
	assert_false(traprule_match(&r, &t));
	/* an unknown source never matches a rule that names hosts */
	r.hosts = hosts;
	r.nhosts = 2;
	t.host = NULL;
	assert_false(traprule_match(&r, &t));
}

static void
test_traprule_varbind_equality_and_regex(void **state)
{
	struct traprule_trap t = linkdown("GigabitEthernet0/7");
	struct traprule r = rule(LINKDOWN);
	struct traprule_vbm m[2];

	(void)state;
	memset(m, 0, sizeof(m));
	m[0].oid = (char *)IFINDEX;
	m[0].op = TRV_EQ;
	m[0].value = (char *)"7";
	r.vbm = m;
	r.nvbm = 1;
	assert_true(traprule_match(&r, &t));
	m[0].value = (char *)"8";
	assert_false(traprule_match(&r, &t));
	m[0].op = TRV_NE;
	assert_true(traprule_match(&r, &t));

	m[0].op = TRV_EQ;
	m[0].value = (char *)"7";
	m[1].oid = (char *)IFDESCR;
	m[1].op = TRV_REGEX;
	assert_int_equal(regcomp(&m[1].re, "^Gigabit.*/7$", REG_EXTENDED |
	    REG_NOSUB), 0);
	m[1].has_re = true;
	r.nvbm = 2;
	assert_true(traprule_match(&r, &t));
	m[1].op = TRV_NOT_REGEX;
	assert_false(traprule_match(&r, &t));
	regfree(&m[1].re);

	/* a varbind the trap lacks: equality fails, inequality holds */
	m[0].oid = (char *)".1.3.6.1.2.1.31.1.1.1.1";
	m[0].op = TRV_EQ;
	r.nvbm = 1;
	assert_false(traprule_match(&r, &t));
	m[0].op = TRV_NE;
	assert_true(traprule_match(&r, &t));
}

static void
test_traprule_render_fills_trap_values(void **state)
{
	struct traprule_trap t = linkdown("Gi0/7");
	struct traprule r = rule(LINKDOWN);
	char out[256];

	(void)state;
	r.name = (char *)"port-down";
	traprule_render("CRITICAL - $TRAPNAME$ on $TRAPHOST$: $TRAPVAR:"
	    IFDESCR "$ (ifIndex $TRAPVAR:" IFINDEX "$) from $TRAPSOURCE$",
	    &r, &t, out, sizeof(out));
	assert_string_equal(out, "CRITICAL - port-down on sw1: Gi0/7 "
	    "(ifIndex 7) from 192.0.2.7");
	traprule_render("$TRAPOID$ $TRAPVAR:.1.9.9$.", &r, &t, out,
	    sizeof(out));
	assert_string_equal(out, LINKDOWN " .");
	traprule_render("$TRAPVARS$", NULL, &t, out, sizeof(out));
	assert_string_equal(out, IFINDEX ".7=7, " IFDESCR ".7=Gi0/7, "
	    ".1.3.6.1.2.1.2.2.1.8.7=2");
	/* not our macros: as written; a lone '$' too */
	traprule_render("cost $5 and $HOSTNAME$", &r, &t, out, sizeof(out));
	assert_string_equal(out, "cost $5 and $HOSTNAME$");
}

static void
test_traprule_render_makes_values_safe(void **state)
{
	struct traprule_trap t = linkdown("a\nb|c\r<script>$(rm -rf /)`x`");
	char out[256];

	(void)state;
	traprule_render("X $TRAPVAR:" IFDESCR "$ Y", NULL, &t, out,
	    sizeof(out));
	/* one line, no perfdata separator; HTML and shell characters are
	 * kept as text (pages escape them, commands strip them) */
	assert_null(strchr(out, '\n'));
	assert_null(strchr(out, '\r'));
	assert_null(strchr(out, '|'));
	assert_string_equal(out, "X a.b/c.<script>$(rm -rf /)`x` Y");
	/* truncated, always terminated */
	traprule_render("$TRAPVARS$", NULL, &t, out, 10);
	assert_int_equal(strlen(out), 9);
}

static void
test_traprule_template_compile_checks_trapvars(void **state)
{
	char err[300] = "";
	char *s;

	(void)state;
	s = traprule_template_compile("if $TRAPVAR:1.3.6.1.2.1.2.2.1.1$ down",
	    err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(s, "if $TRAPVAR:.1.3.6.1.2.1.2.2.1.1$ down");
	free(s);
	assert_null(traprule_template_compile("x $TRAPVAR:1.3.6", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "unterminated"));
	assert_null(traprule_template_compile("x $TRAPVAR:1.3.x$", err,
	    sizeof(err)));
}

static void
test_traprule_builtins_cover_the_standard_traps(void **state)
{
	struct traprule *rules = NULL;
	size_t n = 0;
	struct traprule_trap t = linkdown("Gi0/7");
	bool hit = false;

	(void)state;
	assert_int_equal(traprule_add_builtins(&rules, &n, "SNMP traps"), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		if (traprule_match(&rules[i], &t)) {
			assert_int_equal(rules[i].target, TRT_IFSERVICE);
			assert_int_equal(rules[i].state, 2);
			assert_string_equal(rules[i].clear_oid,
			    ".1.3.6.1.6.3.1.1.5.4");
			hit = true;
		}
	assert_true(hit);
	assert_string_equal(traprule_std_name(".1.3.6.1.6.3.1.1.5.1"),
	    "coldStart");
	assert_null(traprule_std_name(".1.3.6.1.6.3.1.1.5.9"));
	for (size_t i = 0; i < n; i++)
		traprule_free_fields(&rules[i]);
	free(rules);
}

static void
test_trap_networks_and_listen_addresses(void **state)
{
	struct trap_net n[2];
	char spec[128];

	(void)state;
	assert_int_equal(trap_net_parse("10.1.0.0/16", &n[0]), 0);
	assert_int_equal(trap_net_parse("2001:db8::/32", &n[1]), 0);
	assert_true(trap_net_match(n, 2, "10.1.200.3"));
	assert_false(trap_net_match(n, 2, "10.2.0.1"));
	assert_true(trap_net_match(n, 2, "2001:db8:1::9"));
	assert_false(trap_net_match(n, 2, "2001:db9::1"));
	assert_false(trap_net_match(n, 2, "junk"));
	assert_true(trap_net_match(n, 0, "10.2.0.1")); /* none: any */
	assert_int_equal(trap_net_parse("10.0.0.1/33", &n[0]), -EINVAL);
	assert_int_equal(trap_net_parse("10.0.0/8", &n[0]), -EINVAL);
	assert_int_equal(trap_net_parse("10.0.0.0/", &n[0]), -EINVAL);

	assert_int_equal(trap_listen_parse("0.0.0.0", spec, sizeof(spec)), 0);
	assert_string_equal(spec, "udp:0.0.0.0:162");
	assert_int_equal(trap_listen_parse("127.0.0.1:1162", spec,
	    sizeof(spec)), 0);
	assert_string_equal(spec, "udp:127.0.0.1:1162");
	assert_int_equal(trap_listen_parse("[::]:1162", spec, sizeof(spec)),
	    0);
	assert_string_equal(spec, "udp6:[::]:1162");
	assert_int_equal(trap_listen_parse("::1", spec, sizeof(spec)), 0);
	assert_string_equal(spec, "udp6:[::1]:162");
	assert_int_equal(trap_listen_parse("host.example:162", spec,
	    sizeof(spec)), -EINVAL);
	assert_int_equal(trap_listen_parse("1.2.3.4:70000", spec,
	    sizeof(spec)), -EINVAL);
	assert_int_equal(trap_listen_parse("[::1:162", spec, sizeof(spec)),
	    -EINVAL);
}

/* ---- the configuration ---- */

static char dir[] = "/tmp/pharos-test-traprule.XXXXXX";

static void
write_file(const char *name, const char *text)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

static struct config *
load(const char *main_text)
{
	char path[512];
	struct config *cfg = NULL;

	write_file("pharos.cfg", main_text);
	snprintf(path, sizeof(path), "%s/pharos.cfg", dir);
	assert_int_equal(conf_load(path, &cfg), 0);
	return cfg;
}

/* Whether a message at file:line contains text. */
static bool
has_msg(const struct config *cfg, const char *file, int line,
    const char *text)
{
	for (size_t i = 0; i < cfg->nmsgs; i++) {
		const struct conf_msg *m = &cfg->msgs[i];
		const char *base;

		if (m->file == NULL || (base = strrchr(m->file, '/')) == NULL)
			continue;
		if (strcmp(base + 1, file) == 0 && m->line == line &&
		    strstr(m->text, text) != NULL)
			return true;
	}
	return false;
}

static const char objects[] =
    "define host {\n"
    "\thost_name sw1\n"
    "\taddress 192.0.2.1\n"
    "\tmax_check_attempts 1\n"
    "\thostgroups switches\n"
    "}\n"
    "define hostgroup {\n"
    "\thostgroup_name switches\n"
    "}\n"
    "define command {\n"
    "\tcommand_name dummy\n"
    "\tcommand_line /bin/true\n"
    "}\n"
    "define service {\n"
    "\thost_name sw1\n"
    "\tservice_description PSU\n"
    "\tcheck_command dummy\n"
    "\tmax_check_attempts 1\n"
    "\tcheck_interval 5\n"
    "\tretry_interval 1\n"
    "}\n";

static int
setup_dir(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	write_file("objects.cfg", objects);
	return 0;
}

static int
teardown_dir(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_conf_trap_good_keys_and_rules(void **state)
{
	struct config *cfg;
	const struct trap_conf *tc;

	(void)state;
	write_file("rules.cfg",
	    "# a vendor trap\n"
	    "define traprule {\n"
	    "\trule_name      psu ; the power supply\n"
	    "\ttrap_oid       .1.3.6.1.4.1.9.9.13.3.0.5\n"
	    "\thostgroup_name switches\n"
	    "\tmatch          .1.3.6.1.4.1.9.9.13.1.5.1.3 ~ ^(critical|shutdown)$\n"
	    "\tservice_description PSU\n"
	    "\tstate          WARNING\n"
	    "\toutput         PSU $TRAPVAR:.1.3.6.1.4.1.9.9.13.1.5.1.2$\\; bad\n"
	    "\tclear_after    600\n"
	    "}\n");
	cfg = load("cfg_file=objects.cfg\n"
	    "trap_listen=0.0.0.0:1162\n"
	    "trap_listen=[::]:1162\n"
	    "trap_community=public 192.0.2.0/24,2001:db8::/32\n"
	    "trap_user=nms SHA authpass1 AES privpass1 engine=0x80001f8880 "
	    "from=192.0.2.0/24\n"
	    "trap_rules=rules.cfg\n"
	    "trap_storm_rate=10\n");
	if (cfg->nerrors > 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);
	assert_non_null(tc = cfg->trap);
	assert_int_equal(tc->nlisten, 2);
	assert_int_equal(tc->ncomms, 1);
	assert_int_equal(tc->comms[0].nnets, 2);
	assert_int_equal(tc->nusers, 1);
	assert_string_equal(tc->users[0].engine_id, "80001f8880");
	assert_int_equal(tc->users[0].priv, SNMP_PRIV_AES);
	assert_int_equal(tc->storm_rate, 10);
	assert_int_equal(tc->nrules, 1 + 5);
	assert_string_equal(tc->rules[0].name, "psu");
	assert_int_equal(tc->rules[0].state, 1);
	assert_int_equal(tc->rules[0].clear_after, 600);
	assert_string_equal(tc->rules[0].output,
	    "PSU $TRAPVAR:.1.3.6.1.4.1.9.9.13.1.5.1.2$; bad");
	assert_true(tc->rules[5].builtin);
	conf_free(cfg);
}

static void
test_conf_trap_bad_keys_at_their_lines(void **state)
{
	struct config *cfg;

	(void)state;
	cfg = load("cfg_file=objects.cfg\n"
	    "trap_listen=somehost:162\n"
	    "trap_community=public 10.0.0.0/40\n"
	    "trap_user=nms SHA1X authpass1\n"
	    "trap_user=nms SHA authpass1 AES privpass1 engine=xyz\n"
	    "trap_storm_rate=0\n"
	    "trap_bogus=1\n");
	assert_true(has_msg(cfg, "pharos.cfg", 2, "invalid trap_listen"));
	assert_true(has_msg(cfg, "pharos.cfg", 3, "invalid network"));
	assert_true(has_msg(cfg, "pharos.cfg", 4, "authentication protocol"));
	assert_true(has_msg(cfg, "pharos.cfg", 5, "invalid engine ID"));
	assert_true(has_msg(cfg, "pharos.cfg", 6, "trap_storm_rate"));
	assert_true(has_msg(cfg, "pharos.cfg", 7, "trap_bogus"));
	conf_free(cfg);
}

/* traprule is an object type: read from cfg_file with the other objects,
 * templates (name/use/register) included; every "match" is kept and a
 * template's are added to the object's. */
static void
test_conf_traprule_objects_and_templates(void **state)
{
	struct config *cfg;
	const struct trap_conf *tc;
	const struct traprule *r;

	(void)state;
	write_file("withrules.cfg",
	    "define traprule {\n"
	    "\tname             psu-tmpl\n"
	    "\thostgroup_name   switches\n"
	    "\tmatch            .1.3.6.1.4.1.9.9.13.1.5.1.3 ~ ^(3|4|5)$\n"
	    "\tservice_description PSU\n"
	    "\tclear_after      3600\n"
	    "\tregister         0\n"
	    "}\n"
	    "define traprule {\n"
	    "\tuse              psu-tmpl\n"
	    "\trule_name        psu-a\n"
	    "\ttrap_oid         .1.3.6.1.4.1.9.9.13.3.0.5\n"
	    "\tmatch            .1.3.6.1.4.1.9.9.13.1.5.1.2 = PSU A\n"
	    "\tmatch            .1.3.6.1.4.1.9.9.13.1.5.1.4 != 0\n"
	    "\tstate            WARNING\n"
	    "}\n"
	    "define traprule {\n"
	    "\tuse              psu-tmpl\n"
	    "\trule_name        psu-any\n"
	    "\ttrap_oid         .1.3.6.1.4.1.9.9.13.3.0.5\n"
	    "\tclear_after      60\n"
	    "}\n");
	cfg = load("cfg_file=objects.cfg\n"
	    "cfg_file=withrules.cfg\n"
	    "trap_listen=127.0.0.1:1162\n"
	    "trap_community=public\n");
	if (cfg->nerrors > 0 || cfg->nwarnings > 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);
	assert_int_equal(cfg->nwarnings, 0);
	assert_non_null(tc = cfg->trap);
	assert_int_equal(tc->nrules, 2 + 5); /* the template is no rule */
	r = &tc->rules[0];
	assert_string_equal(r->name, "psu-a");
	assert_int_equal(r->state, 1);
	assert_int_equal(r->nvbm, 3); /* its two and the template's */
	assert_int_equal(r->nhostgroups, 1);
	assert_string_equal(r->hostgroups[0], "switches");
	assert_string_equal(r->service, "PSU");
	assert_int_equal(r->clear_after, 3600);
	assert_int_equal(r->line, 9);
	assert_non_null(strstr(r->file, "withrules.cfg"));
	r = &tc->rules[1];
	assert_string_equal(r->name, "psu-any");
	assert_int_equal(r->state, 2); /* CRITICAL by default */
	assert_int_equal(r->nvbm, 1);
	assert_int_equal(r->clear_after, 60); /* its own wins */
	assert_true(tc->rules[2].builtin);
	conf_free(cfg);
}

/* trap_rules=FILE is read as an object file: it may hold other objects,
 * and a traprule from a cfg_file comes first (the order read). A
 * traprule without trap_listen is checked, with a warning. */
static void
test_conf_trap_rules_is_an_object_file(void **state)
{
	struct config *cfg;

	(void)state;
	write_file("mixed.cfg",
	    "define service {\n"
	    "\thost_name sw1\n"
	    "\tservice_description Traps\n"
	    "\tcheck_command dummy\n"
	    "\tmax_check_attempts 1\n"
	    "\tcheck_interval 5\n"
	    "\tretry_interval 1\n"
	    "}\n"
	    "define traprule {\n"
	    "\trule_name second\n"
	    "\ttrap_oid .1.3.6.1.4.1.1.0.2\n"
	    "\tservice_description Traps\n"
	    "}\n");
	write_file("first.cfg",
	    "define traprule {\n"
	    "\trule_name first\n"
	    "\ttrap_oid .1.3.6.1.4.1.1.0.1\n"
	    "\tservice_description PSU\n"
	    "}\n");
	cfg = load("cfg_file=objects.cfg\n"
	    "cfg_file=first.cfg\n"
	    "trap_rules=mixed.cfg\n");
	if (cfg->nerrors > 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);
	assert_non_null(objects_service_find(&cfg->objects, "sw1", "Traps"));
	assert_non_null(cfg->trap);
	assert_int_equal(cfg->trap->nrules, 2 + 5);
	assert_string_equal(cfg->trap->rules[0].name, "first");
	assert_string_equal(cfg->trap->rules[1].name, "second");
	assert_true(has_msg(cfg, "pharos.cfg", 0, "without trap_listen"));
	conf_free(cfg);

	/* a rule_name used twice: an error at the second, which is left out */
	write_file("dup.cfg",
	    "define traprule {\n"
	    "\trule_name first\n"
	    "\ttrap_oid .1.3.6.1.4.1.1.0.3\n"
	    "\tservice_description PSU\n"
	    "}\n");
	cfg = load("cfg_file=objects.cfg\n"
	    "cfg_file=first.cfg\n"
	    "trap_rules=dup.cfg\n");
	assert_true(has_msg(cfg, "dup.cfg", 1, "duplicate traprule 'first' "
	    "(first defined at "));
	assert_int_equal(cfg->trap->nrules, 1 + 5);
	conf_free(cfg);

	/* a missing trap_rules file is an error at its main file line */
	cfg = load("cfg_file=objects.cfg\n"
	    "trap_rules=nosuch.cfg\n");
	assert_true(cfg->nerrors > 0);
	assert_true(has_msg(cfg, "pharos.cfg", 2, "nosuch.cfg"));
	conf_free(cfg);
}

static void
test_conf_trap_bad_rules_at_their_lines(void **state)
{
	struct config *cfg;

	(void)state;
	write_file("bad.cfg",
	    "define traprule {\n"                          /* 1 */
	    "\ttrap_oid .1.3.6.1.6.3.1.1.5.1\n"             /* 2 */
	    "\tservice_description PSU\n"                  /* 3 */
	    "}\n"                                          /* 4: no name */
	    "define traprule {\n"                          /* 5 */
	    "\trule_name r2\n"                             /* 6 */
	    "\ttrap_oid .1.3.6.1.6.3.1.1.5.1\n"             /* 7 */
	    "\tmatch .1.3.6.1.2.1.1.5 ~ ([unclosed\n"       /* 8 */
	    "\tstate BROKEN\n"                             /* 9 */
	    "\tcolour blue\n"                              /* 10 */
	    "\thost_name nosuchhost\n"                     /* 11 */
	    "\tservice_description PSU\n"                  /* 12 */
	    "}\n"                                          /* 13 */
	    "define traprule {\n"                          /* 14 */
	    "\trule_name r3\n"                             /* 15 */
	    "\ttrap_oid .1.3.6.1.6.3.1.1.5.1\n"             /* 16 */
	    "\tservice_description PSU\n"                  /* 17 */
	    "\tclear_after forever\n"                      /* 18 */
	    "}\n"                                          /* 19 */
	    "define traprule {\n"                          /* 20 */
	    "\trule_name r3\n"                             /* 21 */
	    "\ttrap_oid .1.3.6.1.6.3.1.1.5.1\n"             /* 22 */
	    "\tservice_description PSU\n"                  /* 23 */
	    "}\n"                                          /* 24 */
	    "define traprule {\n"                          /* 25 */
	    "\trule_name r4\n"                             /* 26 */
	    "\ttrap_oid noSuchMibName\n"                   /* 27 */
	    "\tservice_description PSU\n"                  /* 28 */
	    "}\n");                                        /* 29 */
	cfg = load("cfg_file=objects.cfg\n"
	    "trap_listen=127.0.0.1:1162\n"
	    "trap_community=public\n"
	    "trap_rules=bad.cfg\n");
	assert_true(has_msg(cfg, "bad.cfg", 1, "no rule_name"));
	assert_true(has_msg(cfg, "bad.cfg", 8, "bad regular expression"));
	assert_true(has_msg(cfg, "bad.cfg", 9, "state"));
	assert_true(has_msg(cfg, "bad.cfg", 10, "unknown directive 'colour' "
	    "in traprule definition"));
	assert_true(has_msg(cfg, "bad.cfg", 5, "unknown host 'nosuchhost'"));
	assert_true(has_msg(cfg, "bad.cfg", 18, "clear_after"));
	assert_true(has_msg(cfg, "bad.cfg", 27, "trap_oid"));
	/* r3 at line 14 was left out (bad clear_after): line 20 is the
	 * first r3 kept */
	assert_int_equal(cfg->nerrors, 7);
	/* the bad rules left out: r3 of line 20 and the built-ins */
	assert_int_equal(cfg->trap->nrules, 1 + 5);
	assert_string_equal(cfg->trap->rules[0].name, "r3");
	assert_int_equal(cfg->trap->rules[0].line, 20);
	conf_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traprule_matches_the_trap_oid_only),
		cmocka_unit_test(test_traprule_host_and_hostgroup_restrict),
		cmocka_unit_test(test_traprule_varbind_equality_and_regex),
		cmocka_unit_test(test_traprule_render_fills_trap_values),
		cmocka_unit_test(test_traprule_render_makes_values_safe),
		cmocka_unit_test(test_traprule_template_compile_checks_trapvars),
		cmocka_unit_test(test_traprule_builtins_cover_the_standard_traps),
		cmocka_unit_test(test_trap_networks_and_listen_addresses),
		cmocka_unit_test(test_conf_trap_good_keys_and_rules),
		cmocka_unit_test(test_conf_trap_bad_keys_at_their_lines),
		cmocka_unit_test(test_conf_traprule_objects_and_templates),
		cmocka_unit_test(test_conf_trap_rules_is_an_object_file),
		cmocka_unit_test(test_conf_trap_bad_rules_at_their_lines),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
