/*
 * test_discover: discovery (probes/discover.h) against a real snmpd that
 * the group starts on a free loopback port (as test_snmp does), with
 * `extend` rows whose outputs make awkward names (shared, '!', '$');
 * and the discovery cache: round trip, diff, refusal of corrupt files.
 * Skipped (the agent tests) when snmpd is missing. No timing thresholds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "discover.h"
#include "loop.h"
#include "profile.h"
#include "snmp.h"
#include "snmpd_fixture.h"

#define IFDESCR ".1.3.6.1.2.1.2.2.1.2"

struct env {
	struct snmpd_fixture agent;
	char dir[64];            /* profiles and caches the tests write */
	char profdir[4096];      /* the shipped profiles */
	uint16_t dead_port;
	struct loop *loop;
	struct snmp_poller *p;
	struct profile *prof;
	struct discover_result *res;
	int done;                /* times done fired */
	bool in_start;           /* set while discover_start runs */
	bool done_in_start;
	char err[1024];
};

static void
target(const struct env *e, struct snmp_target *t, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
	t->port = port != 0 ? port : e->agent.port;
	t->version = SNMP_V2C;
	snprintf(t->community, sizeof(t->community), "public");
	t->timeout_ns = 500 * LOOP_NS_PER_MSEC;
	t->retries = 1;
}

static void
on_done(struct discover_result *res, void *arg)
{
	struct env *e = arg;

	e->done++;
	e->done_in_start |= e->in_start;
	discover_result_free(e->res);
	e->res = res;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
run_until_done(struct env *e)
{
	while (e->done == 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
	assert_int_equal(snmp_poller_pending(e->p), 0);
}

static int
load_profile(struct env *e, const char *dir, const char *name)
{
	profile_free(e->prof);
	e->prof = NULL;
	return profile_load(dir, name, &e->prof, e->err, sizeof(e->err));
}

/* Discover the agent at port (0 = ours) with e->prof, to the end. */
static void
discover(struct env *e, uint16_t port)
{
	struct snmp_target t;

	target(e, &t, port);
	e->done = 0;
	e->in_start = true;
	assert_int_equal(discover_start(e->p, &t, e->prof, on_done, e, NULL,
	    e->err, sizeof(e->err)), 0);
	e->in_start = false;
	run_until_done(e);
	assert_int_equal(e->done, 1);
	assert_false(e->done_in_start);
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	const char *top = getenv("top_srcdir");

	assert_non_null(e);
	*state = e; /* teardown cleans up whatever setup got to */
	snprintf(e->profdir, sizeof(e->profdir), "%s/probes/profiles",
	    top != NULL ? top : ".");
	snprintf(e->dir, sizeof(e->dir), "/tmp/test_discover.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_int_equal(loop_new(&e->loop), 0);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &e->p), 0);
	if (snmpd_available()) {
		assert_int_equal(snmpd_start(&e->agent,
		    "sysName core1\nsysDescr Pharos test agent\n"
		    "extend same1 /bin/echo twin\n"
		    "extend same2 /bin/echo twin\n"
		    "extend bang /bin/echo bang!x\n"
		    "extend dollar /bin/echo a$b\n"), 0);
		e->dead_port = snmpd_free_port();
		assert_true(e->dead_port != 0 &&
		    e->dead_port != e->agent.port);
		/* wait until it answers: a discovery with generic */
		assert_int_equal(load_profile(e, e->profdir, "generic"), 0);
		for (int i = 0; i < 30; i++) {
			discover(e, 0);
			if (e->res->status == DISCOVER_OK)
				break;
		}
		assert_int_equal(e->res->status, DISCOVER_OK);
	}
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	char cmd[128];

	if (e == NULL)
		return 0;
	snmp_poller_free(e->p);
	loop_free(e->loop);
	discover_result_free(e->res);
	profile_free(e->prof);
	snmpd_stop(&e->agent);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0) {
		/* leftovers in /tmp are harmless */
	}
	free(e);
	return 0;
}

#define NEED_SNMPD(e) do { if ((e)->agent.pid <= 0) skip(); } while (0)

static const struct discover_service *
service(const struct discover_result *r, const char *desc)
{
	for (size_t i = 0; i < r->nservices; i++)
		if (strcmp(r->services[i].description, desc) == 0)
			return &r->services[i];
	return NULL;
}

static const struct discover_iface *
iface(const struct discover_result *r, const char *name)
{
	for (size_t i = 0; i < r->nifaces; i++)
		if (strcmp(r->ifaces[i].name, name) == 0)
			return &r->ifaces[i];
	return NULL;
}

static void
count_each(const struct snmp_vb *vbs, size_t n, void *arg)
{
	(void)vbs;
	*(size_t *)arg += n;
}

static void
count_done(const struct snmp_result *res, void *arg)
{
	(void)arg;
	assert_int_equal(res->status, SNMP_OK);
}

/* How many interfaces the agent has, by a walk of ifDescr. */
static size_t
agent_ifaces(struct env *e)
{
	struct snmp_target t;
	size_t n = 0;

	target(e, &t, 0);
	assert_int_equal(snmp_walk(e->p, &t, IFDESCR, count_each, count_done,
	    &n, NULL, e->err, sizeof(e->err)), 0);
	while (snmp_poller_pending(e->p) > 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
	return n;
}

static void
test_discover_server_finds_lo_interfaces_and_disks(void **state)
{
	struct env *e = *state;
	const struct discover_service *s;
	const struct discover_iface *lo;
	const struct discover_result *r;
	bool disk = false;

	NEED_SNMPD(e);
	assert_int_equal(load_profile(e, e->profdir, "server"), 0);
	discover(e, 0);
	r = e->res;
	assert_int_equal(r->status, DISCOVER_OK);
	assert_string_equal(r->error, "");
	assert_string_equal(r->profile, "server");
	assert_string_equal(r->sys_name, "core1");
	assert_string_equal(r->sys_descr, "Pharos test agent");
	assert_true(strncmp(r->sys_object_id, ".1.3.6.1.4.1.8072.", 18) == 0);
	assert_true(r->time > 0);
	/* every interface of the agent is listed; lo is up and watched */
	assert_int_equal(r->nifaces, agent_ifaces(e));
	lo = iface(r, "lo");
	assert_non_null(lo);
	assert_int_equal(lo->type, 24);
	assert_int_equal(lo->admin, 1);
	assert_string_equal(lo->descr, "lo");
	s = service(r, "Interface lo");
	assert_non_null(s);
	assert_string_equal(s->check_command, "snmp_if!lo");
	assert_string_equal(s->origin + strlen(s->origin) - 2, "/1");
	/* hrStorage fixed disks: at least the root file system */
	for (size_t i = 0; i < r->nservices; i++)
		if (strncmp(r->services[i].description, "Disk ", 5) == 0 &&
		    strncmp(r->services[i].check_command,
		    "snmp!.1.3.6.1.2.1.25.2.3.1.6.", 29) == 0 &&
		    strstr(r->services[i].check_command, "!80!90!used!%!pct"))
			disk = true;
	assert_true(disk);
	s = service(r, "Uptime");
	assert_non_null(s);
	assert_string_equal(s->origin, "generic/uptime");
}

static void
test_discover_switch_like_profile_filters_rows(void **state)
{
	struct env *e = *state;
	const struct discover_result *r;
	size_t wanted = 0;

	NEED_SNMPD(e);
	/* Ethernet and loopback ports that are up, but never "lo" by name:
	 * only the other interfaces of this machine */
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/sw.cfg", e->dir);
		write_text(path, "define profile {\n    name sw\n}\n"
		    "define table {\n    name ports\n"
		    "    walk .1.3.6.1.2.1.2.2.1.1\n"
		    "    filter .1.3.6.1.2.1.2.2.1.3 = 6, 24\n"
		    "    filter .1.3.6.1.2.1.2.2.1.7 = 1\n"
		    "    filter name !~ ^lo$\n"
		    "    name_oid .1.3.6.1.2.1.31.1.1.1.1, "
		    ".1.3.6.1.2.1.2.2.1.2\n"
		    "    interfaces yes\n"
		    "    description Port $NAME$\n"
		    "    check_command snmp_if!$NAME$!80!90\n}\n");
	}
	assert_int_equal(load_profile(e, e->dir, "sw"), 0);
	discover(e, 0);
	r = e->res;
	assert_int_equal(r->status, DISCOVER_OK);
	assert_int_equal(r->nifaces, agent_ifaces(e));
	assert_null(service(r, "Port lo"));
	for (size_t i = 0; i < r->nifaces; i++) {
		const struct discover_iface *f = &r->ifaces[i];
		char desc[300], cmd[300];

		if ((f->type != 6 && f->type != 24) || f->admin != 1 ||
		    strcmp(f->name, "lo") == 0)
			continue;
		wanted++;
		snprintf(desc, sizeof(desc), "Port %s", f->name);
		snprintf(cmd, sizeof(cmd), "snmp_if!%s!80!90", f->name);
		assert_non_null(service(r, desc));
		assert_string_equal(service(r, desc)->check_command, cmd);
	}
	assert_int_equal(r->nservices, wanted);
}

/* extend rows: "twin" twice, "bang!x", "a$b" (NET-SNMP-EXTEND-MIB
 * nsExtendOutput1Line, indexed by the extend's name). */
static void
test_discover_awkward_names(void **state)
{
	struct env *e = *state;
	const struct discover_result *r;
	const struct discover_service *s;
	char path[256];

	NEED_SNMPD(e);
	snprintf(path, sizeof(path), "%s/ext.cfg", e->dir);
	write_text(path, "define profile {\n    name ext\n}\n"
	    "define table {\n    name ext\n"
	    "    walk .1.3.6.1.4.1.8072.1.3.2.3.1.1\n"
	    "    description Extend $NAME$\n"
	    "    check_command check_x!$NAME$!$INDEX$\n}\n");
	assert_int_equal(load_profile(e, e->dir, "ext"), 0);
	discover(e, 0);
	r = e->res;
	assert_int_equal(r->status, DISCOVER_OK);
	assert_int_equal(r->nservices, 4);
	/* a shared name: descriptions made unique, commands use the index */
	s = service(r, "Extend twin #5.115.97.109.101.49");
	assert_non_null(s);
	assert_string_equal(s->check_command,
	    "check_x!5.115.97.109.101.49!5.115.97.109.101.49");
	assert_non_null(service(r, "Extend twin #5.115.97.109.101.50"));
	/* '!' is escaped in the command, cleaned from the description */
	s = service(r, "Extend bang_x");
	assert_non_null(s);
	assert_string_equal(s->check_command,
	    "check_x!bang\\!x!4.98.97.110.103");
	/* '$' cannot go into a command: the index does */
	s = service(r, "Extend a_b");
	assert_non_null(s);
	assert_string_equal(s->check_command,
	    "check_x!6.100.111.108.108.97.114!6.100.111.108.108.97.114");
	assert_int_equal(r->unnamed, 3);
	assert_int_equal(r->dropped, 0);
}

static void
test_discover_conditions_and_choices(void **state)
{
	struct env *e = *state;
	const struct discover_result *r;
	char path[256];

	NEED_SNMPD(e);
	snprintf(path, sizeof(path), "%s/ch.cfg", e->dir);
	write_text(path, "define profile {\n    name ch\n}\n"
	    "define service {\n    name a\n    choice c\n"
	    "    require_oid .1.3.6.1.4.1.99999.1\n    description Pick\n"
	    "    check_command a\n}\n"
	    "define service {\n    name b\n    choice c\n"
	    "    sysobjectid .1.3.6.1.4.1.9.\n    description Pick\n"
	    "    check_command b\n}\n"
	    "define service {\n    name c\n    choice c\n"
	    "    sysobjectid .1.3.6.1.4.1.8072\n"
	    "    require_oid .1.3.6.1.2.1.1.3, .1.3.6.1.2.1.1.5\n"
	    "    description Pick\n    check_command c\n}\n"
	    "define service {\n    name d\n    choice c\n    description Pick\n"
	    "    check_command d\n}\n"
	    "define service {\n    name e\n    require_oid .1.3.6.1.4.1.99999\n"
	    "    description Never\n    check_command e\n}\n"
	    "define service {\n    name f\n    description Always\n"
	    "    check_command f\n}\n");
	assert_int_equal(load_profile(e, e->dir, "ch"), 0);
	discover(e, 0);
	r = e->res;
	assert_int_equal(r->status, DISCOVER_OK);
	assert_int_equal(r->nservices, 2);
	assert_string_equal(r->services[0].check_command, "c");
	assert_string_equal(r->services[0].origin, "ch/c");
	assert_string_equal(r->services[1].check_command, "f");
}

static void
test_discover_dead_agent_times_out_without_services(void **state)
{
	struct env *e = *state;

	assert_int_equal(load_profile(e, e->profdir, "server"), 0);
	discover(e, e->dead_port);
	assert_int_equal(e->res->status, DISCOVER_TIMEOUT);
	assert_non_null(strstr(e->res->error, "timeout"));
	assert_int_equal(e->res->nservices, 0);
	assert_int_equal(e->res->nifaces, 0);
}

static void
test_discover_row_cap_fails_the_discovery(void **state)
{
	struct env *e = *state;
	char path[256];

	NEED_SNMPD(e);
	snprintf(path, sizeof(path), "%s/cap.cfg", e->dir);
	write_text(path, "define profile {\n    name cap\n}\n"
	    "define service {\n    name up\n    description Up\n"
	    "    check_command up\n}\n"
	    "define table {\n    name sysor\n    max_rows 2\n"
	    "    walk .1.3.6.1.2.1.1.9.1.2\n    description OR $INDEX$\n"
	    "    check_command x!$INDEX$\n}\n");
	assert_int_equal(load_profile(e, e->dir, "cap"), 0);
	discover(e, 0);
	assert_int_equal(e->res->status, DISCOVER_ERROR);
	assert_non_null(strstr(e->res->error, "table sysor: more than 2 rows"));
	assert_int_equal(e->res->nservices, 0); /* never a partial list */
}

static void
test_discover_cancel_and_free_abort_once(void **state)
{
	struct env *e = *state;
	struct snmp_target t;
	struct discover *d;

	assert_int_equal(load_profile(e, e->profdir, "server"), 0);
	target(e, &t, e->dead_port);
	e->done = 0;
	assert_int_equal(discover_start(e->p, &t, e->prof, on_done, e, &d,
	    e->err, sizeof(e->err)), 0);
	assert_int_equal(e->done, 0);
	discover_cancel(d);
	assert_int_equal(e->done, 1);
	assert_int_equal(e->res->status, DISCOVER_ABORTED);
	assert_int_equal(snmp_poller_pending(e->p), 0);
	/* freeing the poller ends a running discovery, once */
	e->done = 0;
	assert_int_equal(discover_start(e->p, &t, e->prof, on_done, e, NULL,
	    e->err, sizeof(e->err)), 0);
	snmp_poller_free(e->p);
	e->p = NULL;
	assert_int_equal(e->done, 1);
	assert_int_equal(e->res->status, DISCOVER_ABORTED);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &e->p), 0);
}

static void
assert_same_result(const struct discover_result *a,
    const struct discover_result *b)
{
	assert_string_equal(a->profile, b->profile);
	assert_string_equal(a->sys_object_id, b->sys_object_id);
	assert_string_equal(a->sys_name, b->sys_name);
	assert_string_equal(a->sys_descr, b->sys_descr);
	assert_int_equal(a->time, b->time);
	assert_int_equal(a->nservices, b->nservices);
	for (size_t i = 0; i < a->nservices; i++) {
		assert_string_equal(a->services[i].description,
		    b->services[i].description);
		assert_string_equal(a->services[i].check_command,
		    b->services[i].check_command);
		assert_string_equal(a->services[i].origin,
		    b->services[i].origin);
	}
	assert_int_equal(a->nifaces, b->nifaces);
	for (size_t i = 0; i < a->nifaces; i++) {
		assert_int_equal(a->ifaces[i].index, b->ifaces[i].index);
		assert_string_equal(a->ifaces[i].name, b->ifaces[i].name);
		assert_string_equal(a->ifaces[i].alias, b->ifaces[i].alias);
		assert_int_equal(a->ifaces[i].oper, b->ifaces[i].oper);
	}
}

static char *
dup_or_fail(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

/* r without "Interface lo", Uptime's command changed, "New" added. */
static struct discover_result *
edited_copy(const struct discover_result *r)
{
	struct discover_result *c = calloc(1, sizeof(*c));
	size_t n = 0;

	assert_non_null(c);
	c->status = DISCOVER_OK;
	c->services = calloc(r->nservices + 1, sizeof(*c->services));
	assert_non_null(c->services);
	for (size_t i = 0; i < r->nservices; i++) {
		const struct discover_service *s = &r->services[i];
		struct discover_service *o = &c->services[n];

		if (strcmp(s->description, "Interface lo") == 0)
			continue;
		o->description = dup_or_fail(s->description);
		o->check_command = dup_or_fail(strcmp(s->description,
		    "Uptime") == 0 ? "snmp!.1.3.6.1.2.1.1.3.0" :
		    s->check_command);
		o->origin = dup_or_fail(s->origin);
		n++;
	}
	c->services[n].description = dup_or_fail("New");
	c->services[n].check_command = dup_or_fail("new");
	c->services[n].origin = dup_or_fail("test");
	c->nservices = n + 1;
	return c;
}

static void
test_discover_cache_round_trips_and_diffs(void **state)
{
	struct env *e = *state;
	struct discover_cache *c, *back;
	struct discover_diff d;
	struct discover_result *cut;
	char path[256];
	size_t dropped = 99;

	NEED_SNMPD(e);
	assert_int_equal(load_profile(e, e->profdir, "server"), 0);
	discover(e, 0);
	assert_int_equal(e->res->status, DISCOVER_OK);
	snprintf(path, sizeof(path), "%s/cache.json", e->dir);
	/* no file yet: an empty cache */
	assert_int_equal(discover_cache_load(path, &c, &dropped, e->err,
	    sizeof(e->err)), 0);
	assert_int_equal(discover_cache_count(c), 0);
	assert_int_equal(discover_cache_put(c, "core1", e->res), 0);
	assert_int_equal(discover_cache_put(c, "other", e->res), 0);
	assert_int_equal(discover_cache_put(c, "core1", e->res), 0);
	assert_int_equal(discover_cache_count(c), 2);
	assert_int_equal(discover_cache_save(c, path, e->err, sizeof(e->err)),
	    0);
	assert_int_equal(discover_cache_load(path, &back, &dropped, e->err,
	    sizeof(e->err)), 0);
	assert_int_equal(dropped, 0);
	assert_int_equal(discover_cache_count(back), 2);
	assert_same_result(discover_cache_get(back, "core1"), e->res);
	assert_null(discover_cache_get(back, "nosuch"));
	/* the same services: nothing changed */
	assert_int_equal(discover_diff(discover_cache_get(back, "core1"),
	    e->res, &d), 0);
	assert_int_equal(d.nadded + d.nvanished + d.nchanged, 0);
	discover_diff_free(&d);
	/* an interface vanished, a command changed, a service added */
	cut = edited_copy(e->res);
	assert_int_equal(discover_diff(e->res, cut, &d), 0);
	assert_int_equal(d.nvanished, 1);
	assert_string_equal(d.vanished[0]->description, "Interface lo");
	assert_int_equal(d.nchanged, 1);
	assert_string_equal(d.changed[0]->description, "Uptime");
	assert_int_equal(d.nadded, 1);
	assert_string_equal(d.added[0]->description, "New");
	discover_diff_free(&d);
	/* no previous discovery: everything is added */
	assert_int_equal(discover_diff(NULL, cut, &d), 0);
	assert_int_equal(d.nadded, cut->nservices);
	discover_diff_free(&d);
	discover_result_free(cut);
	assert_true(discover_cache_remove(c, "other"));
	assert_false(discover_cache_remove(c, "other"));
	/* a put of an incomplete result is refused */
	e->res->status = DISCOVER_TIMEOUT;
	assert_int_equal(discover_cache_put(c, "core1", e->res), -EINVAL);
	e->res->status = DISCOVER_OK;
	assert_int_equal(discover_cache_put(c, "", e->res), -EINVAL);
	discover_cache_free(back);
	discover_cache_free(c);
}

/* path holds text; loading it fails with an error starting with want. */
static void
expect_refused(struct env *e, const char *path, const char *text,
    const char *want)
{
	struct discover_cache *c = (struct discover_cache *)e; /* non-NULL */
	char full[512];

	write_text(path, text);
	assert_int_equal(discover_cache_load(path, &c, NULL, e->err,
	    sizeof(e->err)), -EINVAL);
	assert_null(c);
	snprintf(full, sizeof(full), "%s%s", path, want);
	if (strncmp(e->err, full, strlen(full)) != 0)
		fail_msg("error '%s' does not start with '%s'", e->err, full);
}

static void
test_discover_cache_refuses_corrupt_files(void **state)
{
	struct env *e = *state;
	struct discover_cache *c;
	char path[256];
	size_t dropped = 0;
	const char *good = "{\"time\": 5, \"profile\": \"generic\", "
	    "\"services\": [{\"description\": \"Uptime\", "
	    "\"check_command\": \"snmp!.1.3.6.1.2.1.1.3.0\"}], "
	    "\"interfaces\": [{\"index\": 1, \"name\": \"lo\"}]}";
	char text[2048];

	snprintf(path, sizeof(path), "%s/bad.json", e->dir);
	expect_refused(e, path, "{\"version\": 1, \"hosts\": {\"a\": {\"ti",
	    ":1:");
	assert_non_null(strstr(e->err, "corrupt discovery cache"));
	expect_refused(e, path, "", ":");
	expect_refused(e, path, "\x01\x02garbage", ":1:");
	expect_refused(e, path, "[1, 2]", ": not a discovery cache");
	expect_refused(e, path, "{\"version\": 2, \"hosts\": {}}",
	    ": not a discovery cache");
	expect_refused(e, path, "{\"version\": 1, \"hosts\": {}, "
	    "\"version\": 1}", ":1:");
	/* bad entries are dropped whole and counted, the rest is kept */
	snprintf(text, sizeof(text), "{\"version\": 1, \"hosts\": {"
	    "\"good\": %s, \"notobj\": 3, \"nosvcs\": {\"time\": 1, "
	    "\"profile\": \"x\"}, \"badsvc\": {\"time\": 1, \"profile\": "
	    "\"x\", \"services\": [{\"description\": 7}]}, \"negtime\": "
	    "{\"time\": -1, \"profile\": \"x\", \"services\": []}}}",
	    good);
	write_text(path, text);
	assert_int_equal(discover_cache_load(path, &c, &dropped, e->err,
	    sizeof(e->err)), 0);
	assert_int_equal(dropped, 4);
	assert_int_equal(discover_cache_count(c), 1);
	assert_int_equal(discover_cache_get(c, "good")->nservices, 1);
	assert_int_equal(discover_cache_get(c, "good")->ifaces[0].index, 1);
	assert_string_equal(discover_cache_get(c, "good")->ifaces[0].alias, "");
	discover_cache_free(c);
	/* a directory is not a cache; a save never leaves a temporary */
	assert_int_equal(discover_cache_load(e->dir, &c, NULL, e->err,
	    sizeof(e->err)), -EINVAL);
	assert_int_equal(discover_cache_new(&c), 0);
	assert_true(discover_cache_save(c, "/nonexistent/dir/cache.json",
	    e->err, sizeof(e->err)) < 0);
	assert_non_null(strstr(e->err, "/nonexistent/dir/cache.json"));
	discover_cache_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test(f)
		T(test_discover_server_finds_lo_interfaces_and_disks),
		T(test_discover_switch_like_profile_filters_rows),
		T(test_discover_awkward_names),
		T(test_discover_conditions_and_choices),
		T(test_discover_dead_agent_times_out_without_services),
		T(test_discover_row_cap_fails_the_discovery),
		T(test_discover_cancel_and_free_abort_once),
		T(test_discover_cache_round_trips_and_diffs),
		T(test_discover_cache_refuses_corrupt_files),
#undef T
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
