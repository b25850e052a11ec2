/*
 * test_snmp: the SNMP poller (probes/snmp.h), in two groups.
 *
 * - Against a real snmpd that the group starts on a free loopback port,
 *   with a v1/v2c community and v3 users in a private persistent
 *   directory (skipped when snmpd is missing): GET, walks, timeouts, caps,
 *   cancel, and the v3 failures an agent reports.
 * - Against snmp_responder (tests/unit/snmp_responder.h), a small agent on
 *   the test's own loop that misbehaves on purpose: junk, wrong
 *   request-ids, duplicates, non-increasing OIDs, tooBig, v1 noSuchName,
 *   a 100,000-row table, answers only to a retransmission.
 *
 * No timing thresholds: outcomes and counters only.
 */
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "loop.h"
#include "snmp.h"
#include "snmp_responder.h"
#include "snmpd_fixture.h"

#define SYSDESCR ".1.3.6.1.2.1.1.1.0"
#define SYSUPTIME ".1.3.6.1.2.1.1.3.0"
#define SYSNAME ".1.3.6.1.2.1.1.5.0"

struct env {
	struct snmpd_fixture agent;
	uint16_t dead_port;
	struct loop *loop;
	struct snmp_poller *p;
};

#define OUT_VBS 16

struct outcome {
	int done;            /* times done fired */
	enum snmp_status status;
	char error[512];
	char text[OUT_VBS][256]; /* GET: rendered varbinds */
	enum snmp_type type[OUT_VBS];
	int64_t value[OUT_VBS];
	size_t n;
	uint64_t rows;
	bool saw_sysname;
	int order;           /* completion order */
	int *counter;
	/* walks of the responder's table (on_rows) */
	uint64_t seen;       /* rows through each */
	bool disorder;       /* a row other than the next one */
	bool mem;            /* sample the heap in use at each batch */
	size_t mem_lo, mem_hi;
};

static void
on_done(const struct snmp_result *res, void *arg)
{
	struct outcome *o = arg;

	o->done++;
	o->status = res->status;
	snprintf(o->error, sizeof(o->error), "%s", res->error);
	o->rows = res->rows;
	for (size_t i = 0; i < res->nvbs && i < OUT_VBS; i++) {
		snprintf(o->text[i], sizeof(o->text[i]), "%s",
		    res->vbs[i].text);
		o->type[i] = res->vbs[i].type;
		o->value[i] = res->vbs[i].i;
	}
	o->n = res->nvbs;
	if (o->counter != NULL)
		o->order = ++*o->counter;
}

static void
on_each(const struct snmp_vb *vbs, size_t n, void *arg)
{
	struct outcome *o = arg;

	for (size_t i = 0; i < n; i++)
		if (strcmp(vbs[i].oid, SYSNAME) == 0 &&
		    vbs[i].type == SNMP_T_STRING && vbs[i].len == 5 &&
		    memcmp(vbs[i].bytes, "core1", 5) == 0)
			o->saw_sysname = true;
}

static void
run_until_idle(struct env *e)
{
	while (snmp_poller_pending(e->p) > 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
}

static void
target(struct env *e, struct snmp_target *t, enum snmp_version v,
    const char *community, uint16_t port)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
	t->port = port != 0 ? port : e->agent.port;
	t->version = v;
	snprintf(t->community, sizeof(t->community), "%s", community);
	t->timeout_ns = 300 * LOOP_NS_PER_MSEC;
	t->retries = 1;
}

static void
target_v3(struct env *e, struct snmp_target *t, const char *user,
    const char *auth_pass, const char *priv_pass)
{
	target(e, t, SNMP_V3, "", 0);
	snprintf(t->user, sizeof(t->user), "%s", user);
	t->seclevel = SNMP_AUTHPRIV;
	t->auth = SNMP_AUTH_SHA;
	t->priv = SNMP_PRIV_AES;
	snprintf(t->auth_pass, sizeof(t->auth_pass), "%s", auth_pass);
	snprintf(t->priv_pass, sizeof(t->priv_pass), "%s", priv_pass);
	t->timeout_ns = LOOP_NS_PER_SEC;
}

static int
get1(struct env *e, const struct snmp_target *t, const char *const *oids,
    size_t n, struct outcome *o)
{
	char err[256];

	memset(o, 0, sizeof(*o));
	return snmp_get(e->p, t, oids, n, on_done, o, NULL, err, sizeof(err));
}

static int
setup(void **state)
{
	struct env *e;
	struct snmp_target t;
	struct outcome o;
	const char *oids[] = { SYSNAME };

	*state = NULL;
	if (!snmpd_available())
		return 0;
	e = calloc(1, sizeof(*e));
	assert_non_null(e);
	assert_int_equal(snmpd_start(&e->agent,
	    "sysName core1\nsysDescr Pharos test agent\n"
	    "createUser pharosv3 SHA authpass123 AES privpass123\n"
	    "rouser pharosv3 priv\n"
	    /* used only with wrong passphrases: net-snmp keeps one key
	     * set per engine and user in the process */
	    "createUser pharoswd SHA authpass123 AES privpass123\n"
	    "rouser pharoswd priv\n"
	    "createUser pharospd SHA authpass123 AES privpass123\n"
	    "rouser pharospd priv\n"
	    "createUser pharosen SHA authpass123 AES privpass123\n"
	    "rouser pharosen priv\n"), 0);
	e->dead_port = snmpd_free_port();
	assert_true(e->dead_port != 0 && e->dead_port != e->agent.port);
	assert_int_equal(loop_new(&e->loop), 0);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &e->p), 0);
	/* wait until it answers: up to 50 tries of 300 ms */
	target(e, &t, SNMP_V2C, "public", 0);
	for (int i = 0; i < 50; i++) {
		assert_int_equal(get1(e, &t, oids, 1, &o), 0);
		run_until_idle(e);
		if (o.status == SNMP_OK)
			break;
	}
	assert_int_equal(o.status, SNMP_OK);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	if (e == NULL)
		return 0;
	snmp_poller_free(e->p);
	loop_free(e->loop);
	snmpd_stop(&e->agent);
	free(e);
	return 0;
}

#define NEED_SNMPD(e) do { if ((e) == NULL) skip(); } while (0)

static void
test_snmp_get_system_v2c_and_v1(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME, SYSDESCR, SYSUPTIME };
	struct snmp_target t2, t1;
	struct outcome o2, o1;

	NEED_SNMPD(e);
	target(e, &t2, SNMP_V2C, "public", 0);
	target(e, &t1, SNMP_V1, "public", 0);
	assert_int_equal(get1(e, &t2, oids, 3, &o2), 0);
	assert_int_equal(get1(e, &t1, oids, 3, &o1), 0);
	run_until_idle(e);
	for (int k = 0; k < 2; k++) {
		struct outcome *o = k == 0 ? &o2 : &o1;

		assert_int_equal(o->done, 1);
		assert_int_equal(o->status, SNMP_OK);
		assert_int_equal(o->n, 3);
		assert_string_equal(o->text[0],
		    ".1.3.6.1.2.1.1.5.0 = STRING: \"core1\"");
		assert_string_equal(o->text[1],
		    ".1.3.6.1.2.1.1.1.0 = STRING: \"Pharos test agent\"");
		assert_int_equal(o->type[2], SNMP_T_TIMETICKS);
		assert_non_null(strstr(o->text[2], " = Timeticks: ("));
	}
}

static void
test_snmp_get_missing_oid_is_nosuchobject(void **state)
{
	struct env *e = *state;
	const char *oids[] = { ".1.3.6.1.2.1.1.99.0" };
	struct snmp_target t;
	struct outcome o;

	NEED_SNMPD(e);
	target(e, &t, SNMP_V2C, "public", 0);
	assert_int_equal(get1(e, &t, oids, 1, &o), 0);
	run_until_idle(e);
	assert_int_equal(o.status, SNMP_OK);
	assert_int_equal(o.type[0], SNMP_T_NOSUCHOBJECT);
}

static void
test_snmp_walk_system_and_iftable(void **state)
{
	struct env *e = *state;
	const char *roots[] = { ".1.3.6.1.2.1.1", ".1.3.6.1.2.1.2.2" };
	enum snmp_version vs[] = { SNMP_V2C, SNMP_V1 };
	char err[256];

	NEED_SNMPD(e);
	for (int v = 0; v < 2; v++)
		for (int k = 0; k < 2; k++) {
			struct snmp_target t;
			struct outcome o;

			memset(&o, 0, sizeof(o));
			target(e, &t, vs[v], "public", 0);
			t.bulk_reps = 3; /* several PDUs per walk */
			assert_int_equal(snmp_walk(e->p, &t, roots[k], on_each,
			    on_done, &o, NULL, err, sizeof(err)), 0);
			run_until_idle(e);
			assert_int_equal(o.done, 1);
			assert_int_equal(o.status, SNMP_OK);
			assert_true(o.rows > 3);
			assert_true(o.saw_sysname == (k == 0));
		}
}

static void
test_snmp_wrong_community_times_out_without_blocking(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	struct snmp_target bad, good;
	struct outcome ob, og;
	int order = 0;

	NEED_SNMPD(e);
	target(e, &bad, SNMP_V2C, "wrong", 0);
	target(e, &good, SNMP_V2C, "public", 0);
	assert_int_equal(get1(e, &bad, oids, 1, &ob), 0);
	assert_int_equal(get1(e, &good, oids, 1, &og), 0);
	ob.counter = og.counter = &order;
	run_until_idle(e);
	assert_int_equal(ob.done, 1);
	assert_int_equal(ob.status, SNMP_TIMEOUT);
	assert_non_null(strstr(ob.error, "timeout: no answer from 127.0.0.1"));
	assert_int_equal(og.status, SNMP_OK);
	assert_true(og.order < ob.order); /* completed meanwhile */
}

static void
test_snmp_dead_port_times_out(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	struct snmp_target t;
	struct outcome o;
	struct snmp_counters c0, c1;

	NEED_SNMPD(e);
	snmp_poller_counters(e->p, &c0);
	target(e, &t, SNMP_V2C, "public", e->dead_port);
	assert_int_equal(get1(e, &t, oids, 1, &o), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(o.done, 1);
	assert_int_equal(o.status, SNMP_TIMEOUT);
	assert_int_equal(c1.timeouts, c0.timeouts + 1);
}

static void
test_snmp_per_agent_cap_is_respected(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	struct snmp_target t;
	struct outcome o[6];
	struct snmp_counters c;

	NEED_SNMPD(e);
	target(e, &t, SNMP_V2C, "public", 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(get1(e, &t, oids, 1, &o[i]), 0);
	run_until_idle(e);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(o[i].done, 1);
		assert_int_equal(o[i].status, SNMP_OK);
	}
	snmp_poller_counters(e->p, &c);
	assert_int_equal(c.agent_inflight_max, 1);
}

static void
test_snmp_cancel_and_free_abort_once(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	struct snmp_target t;
	struct outcome a, b;
	struct snmp_req *ra;
	char err[256];
	struct loop *loop;
	struct snmp_poller *p;

	NEED_SNMPD(e);
	target(e, &t, SNMP_V2C, "public", 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(snmp_get(e->p, &t, oids, 1, on_done, &a, &ra, err,
	    sizeof(err)), 0);
	assert_int_equal(a.done, 0); /* never from inside snmp_get */
	snmp_cancel(e->p, ra);
	assert_int_equal(a.done, 1);
	assert_int_equal(a.status, SNMP_ABORTED);
	/* in flight, then the poller freed */
	assert_int_equal(loop_new(&loop), 0);
	assert_int_equal(snmp_poller_new(loop, NULL, &p), 0);
	memset(&b, 0, sizeof(b));
	assert_int_equal(snmp_get(p, &t, oids, 1, on_done, &b, NULL, err,
	    sizeof(err)), 0);
	assert_true(loop_run_once(loop, 0) >= 0); /* sent */
	snmp_poller_free(p);
	loop_free(loop);
	assert_int_equal(b.done, 1);
	assert_int_equal(b.status, SNMP_ABORTED);
	run_until_idle(e);
	assert_int_equal(a.done, 1);
}

static void
test_snmp_v3_authpriv_get_and_wrong_passphrase(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	struct snmp_target good, bad;
	struct outcome og, ob;
	struct snmp_counters c;

	NEED_SNMPD(e);
	target_v3(e, &good, "pharosv3", "authpass123", "privpass123");
	target_v3(e, &bad, "pharosv3", "wrongpass123", "privpass123");
	assert_int_equal(get1(e, &good, oids, 1, &og), 0);
	run_until_idle(e);
	assert_int_equal(get1(e, &bad, oids, 1, &ob), 0);
	run_until_idle(e);
	assert_int_equal(og.done, 1);
	assert_int_equal(og.status, SNMP_OK);
	assert_string_equal(og.text[0],
	    ".1.3.6.1.2.1.1.5.0 = STRING: \"core1\"");
	assert_int_equal(ob.done, 1);
	assert_int_equal(ob.status, SNMP_ERROR);
	/* net-snmp's process-wide USM table already holds this user with
	 * the right keys: refused clearly rather than sent with them (a
	 * fresh process gets the agent's "Authentication failure" Report:
	 * tests/integration/test_snmp_cli.sh) */
	assert_non_null(strstr(ob.error, "other passphrases"));
	snmp_poller_counters(e->p, &c);
	assert_true(c.engine_probes >= 2);
}

static void
test_snmp_bad_arguments_are_refused(void **state)
{
	struct env *e = *state;
	const char *bad[] = { "1.3.x" };
	struct snmp_target t;
	struct outcome o;

	NEED_SNMPD(e);
	target(e, &t, SNMP_V2C, "public", 0);
	assert_int_equal(get1(e, &t, bad, 1, &o), -EINVAL);
	snprintf(t.addr, sizeof(t.addr), "localhost");
	assert_int_equal(get1(e, &t, bad, 1, &o), -EINVAL);
	assert_int_equal(snmp_target_parse_addr(&t, "[::1]:1161"), 0);
	assert_string_equal(t.addr, "::1");
	assert_int_equal(t.port, 1161);
	assert_int_equal(snmp_target_parse_addr(&t, "10.0.0.1:0"), -EINVAL);
	assert_int_equal(o.done, 0);
}

static void
test_snmp_v3_agent_reports_are_named(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	struct snmp_target t[3];
	struct outcome o[3];
	const char *want[3] = { "usmStatsUnknownUserNames",
	    "usmStatsWrongDigests", "wrong community or credentials" };

	NEED_SNMPD(e);
	target_v3(e, &t[0], "nosuchuser", "authpass123", "privpass123");
	t[0].seclevel = SNMP_NOAUTH;
	target_v3(e, &t[1], "pharoswd", "wrongpass123", "privpass123");
	/* snmpd answers nothing it cannot decrypt (as snmpget shows) */
	target_v3(e, &t[2], "pharospd", "authpass123", "wrongpriv123");
	t[2].timeout_ns = 200 * LOOP_NS_PER_MSEC;
	for (int k = 0; k < 3; k++) {
		assert_int_equal(get1(e, &t[k], oids, 1, &o[k]), 0);
		run_until_idle(e);
		assert_int_equal(o[k].done, 1);
		assert_int_equal(o[k].status, k < 2 ? SNMP_ERROR :
		    SNMP_TIMEOUT);
		assert_non_null(strstr(o[k].error, want[k]));
	}
	assert_non_null(strstr(o[0].error, "v3 user nosuchuser"));
	/* the CLI's integration test greps this part of the text */
	assert_non_null(strstr(o[1].error, "Authentication failure"));
}

/* A wrong engine ID: when net-snmp knows the user on the agent's real
 * engine (pharosv3, discovered before), the agent's Report comes through;
 * when it does not (pharosen), the USM refuses the Report and the request
 * times out. Either way the text names both engine IDs. */
static void
test_snmp_v3_wrong_engine_id_is_named(void **state)
{
	struct env *e = *state;
	const char *oids[] = { SYSNAME };
	const char *users[2] = { "pharosv3", "pharosen" };
	enum snmp_status want[2] = { SNMP_ERROR, SNMP_TIMEOUT };
	struct snmp_counters c0, c1;

	NEED_SNMPD(e);
	for (int k = 0; k < 2; k++) {
		struct snmp_target t;
		struct outcome o;

		target_v3(e, &t, users[k], "authpass123", "privpass123");
		snprintf(t.engine_id, sizeof(t.engine_id),
		    "80001f8880aabbccdd");
		t.timeout_ns = 200 * LOOP_NS_PER_MSEC;
		snmp_poller_counters(e->p, &c0);
		assert_int_equal(get1(e, &t, oids, 1, &o), 0);
		run_until_idle(e);
		snmp_poller_counters(e->p, &c1);
		assert_int_equal(o.done, 1);
		assert_int_equal(o.status, want[k]);
		assert_non_null(strstr(o.error, "usmStatsUnknownEngineIDs"));
		/* net-snmp's engine IDs start with its enterprise number */
		assert_non_null(strstr(o.error, "the agent's engine ID is "
		    "80001f88"));
		assert_non_null(strstr(o.error, "not 80001f8880aabbccdd"));
		assert_true(k == 0 || c1.unauthenticated > c0.unauthenticated);
		assert_int_equal(c1.engine_probes, c0.engine_probes);
	}
}

/* ---- the misbehaving responder ---- */

static int
setup_responder(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(loop_new(&e->loop), 0);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &e->p), 0);
	*state = e;
	return 0;
}

static struct snmp_responder *
responder(struct env *e, const struct snmp_responder_opts *o,
    struct snmp_target *t, enum snmp_version v)
{
	struct snmp_responder *r;

	assert_int_equal(snmp_responder_new(e->loop, o, &r), 0);
	target(e, t, v, "public", snmp_responder_port(r));
	return r;
}

/* Rows of the responder's table: .TABLE.i for i = 1, 2, ... */
static void
on_rows(const struct snmp_vb *vbs, size_t n, void *arg)
{
	struct outcome *o = arg;

	for (size_t i = 0; i < n; i++) {
		const char *dot = strrchr(vbs[i].oid, '.');

		if (strncmp(vbs[i].oid, SNMP_RESPONDER_TABLE ".",
		    strlen(SNMP_RESPONDER_TABLE ".")) != 0 || dot == NULL ||
		    strtoull(dot + 1, NULL, 10) != o->seen + 1 ||
		    vbs[i].type != SNMP_T_INTEGER ||
		    vbs[i].i != (int64_t)o->seen + 1)
			o->disorder = true;
		o->seen++;
	}
	if (o->mem) {
		size_t used = mallinfo2().uordblks;

		if (o->mem_lo == 0 || used < o->mem_lo)
			o->mem_lo = used;
		if (used > o->mem_hi)
			o->mem_hi = used;
	}
}

static int
walk1(struct env *e, const struct snmp_target *t, struct outcome *o)
{
	char err[256];

	memset(o, 0, sizeof(*o));
	return snmp_walk(e->p, t, SNMP_RESPONDER_TABLE, on_rows, on_done, o,
	    NULL, err, sizeof(err));
}

static void
test_snmp_junk_is_malformed_answer_used(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .junk_before = 4 };
	const char *oids[] = { SNMP_RESPONDER_SCALAR ".2.0",
	    SNMP_RESPONDER_SCALAR ".7.0" };
	struct snmp_counters c1;
	struct snmp_target t;
	struct outcome o;
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V2C);

	assert_int_equal(get1(e, &t, oids, 2, &o), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(o.done, 1);
	assert_int_equal(o.status, SNMP_OK);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.value[0], 20);
	assert_int_equal(o.value[1], 70);
	/* truncated, wrong version, length past the end, text: each one
	 * counted once, nothing else */
	assert_int_equal(snmp_responder_stats(r)->junk, 4);
	assert_int_equal(c1.malformed, 4);
	assert_int_equal(c1.responses, 1);
	assert_int_equal(c1.unmatched + c1.stale, 0);
	snmp_responder_free(r);
}

static void
test_snmp_wrong_reqid_is_unmatched(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts before = { .wrong_reqid_before = true };
	struct snmp_responder_opts only = { .wrong_reqid_only = true };
	const char *oids[] = { SNMP_RESPONDER_SCALAR ".3.0" };
	struct snmp_counters c1, c2;
	struct snmp_target t1, t2;
	struct outcome o1, o2;
	struct snmp_responder *r1 = responder(e, &before, &t1, SNMP_V2C);
	struct snmp_responder *r2 = responder(e, &only, &t2, SNMP_V2C);

	assert_int_equal(get1(e, &t1, oids, 1, &o1), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(o1.done, 1);
	assert_int_equal(o1.status, SNMP_OK);
	assert_int_equal(o1.value[0], 30);
	assert_int_equal(c1.unmatched, 1);
	/* only wrong ones: every try's answer dropped, then the timeout */
	t2.timeout_ns = 100 * LOOP_NS_PER_MSEC;
	assert_int_equal(get1(e, &t2, oids, 1, &o2), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c2);
	assert_int_equal(o2.done, 1);
	assert_int_equal(o2.status, SNMP_TIMEOUT);
	assert_non_null(strstr(o2.error, "after 2 tries"));
	assert_int_equal(c2.unmatched - c1.unmatched, 2);
	assert_int_equal(c2.responses, c1.responses);
	snmp_responder_free(r1);
	snmp_responder_free(r2);
}

static void
test_snmp_duplicates_are_stale_done_once(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .twice = true, .rows = 50 };
	const char *oids[] = { SNMP_RESPONDER_SCALAR ".1.0" };
	struct snmp_counters c1;
	struct snmp_target t;
	struct outcome g, w;
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V2C);

	t.bulk_reps = 7;
	assert_int_equal(get1(e, &t, oids, 1, &g), 0);
	assert_int_equal(walk1(e, &t, &w), 0);
	run_until_idle(e);
	while (loop_run_once(e->loop, 0) > 0)
		; /* read the duplicates already sent */
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(g.done, 1);
	assert_int_equal(g.status, SNMP_OK);
	assert_int_equal(w.done, 1);
	assert_int_equal(w.status, SNMP_OK);
	assert_int_equal(w.seen, 50);
	assert_false(w.disorder);
	/* one GET and 8 GETBULKs (7 x 7 rows + the end), each answered
	 * twice: every second copy stale */
	assert_int_equal(snmp_responder_stats(r)->answers, 9);
	assert_int_equal(c1.responses, 9);
	assert_int_equal(c1.stale, 9);
	assert_int_equal(c1.unmatched, 0);
	snmp_responder_free(r);
}

static void
test_snmp_answer_after_cancel_is_stale(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { 0 };
	const char *oids[] = { SNMP_RESPONDER_SCALAR ".1.0" };
	struct snmp_counters c1;
	struct snmp_target t;
	struct outcome o;
	struct snmp_req *req;
	char err[256];
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V2C);

	memset(&o, 0, sizeof(o));
	assert_int_equal(snmp_get(e->p, &t, oids, 1, on_done, &o, &req, err,
	    sizeof(err)), 0);
	assert_true(loop_run_once(e->loop, 0) >= 0); /* sent */
	snmp_cancel(e->p, req);
	while (loop_run_once(e->loop, 0) > 0)
		; /* the answer arrives */
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(o.done, 1);
	assert_int_equal(o.status, SNMP_ABORTED);
	assert_int_equal(snmp_responder_stats(r)->answers, 1);
	assert_int_equal(c1.stale, 1);
	assert_int_equal(c1.responses, 0);
	snmp_responder_free(r);
}

static void
test_snmp_walk_non_increasing_oid_fails(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .rows = 20, .backwards_at = 8 };
	enum snmp_version vs[] = { SNMP_V2C, SNMP_V1 };

	for (int v = 0; v < 2; v++) {
		struct snmp_target t;
		struct outcome o;
		struct snmp_responder *r = responder(e, &ro, &t, vs[v]);

		t.bulk_reps = 5;
		assert_int_equal(walk1(e, &t, &o), 0);
		run_until_idle(e);
		assert_int_equal(o.done, 1);
		assert_int_equal(o.status, SNMP_ERROR);
		assert_non_null(strstr(o.error, "returned OID "
		    SNMP_RESPONDER_TABLE ".6, not increasing after "
		    SNMP_RESPONDER_TABLE ".7"));
		assert_int_equal(o.seen, 7); /* the rows before it */
		assert_false(o.disorder);
		snmp_responder_free(r);
	}
}

static void
test_snmp_walk_toobig_halves_repetitions(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .rows = 30, .max_vbs = 4 };
	struct snmp_counters c1;
	struct snmp_target t;
	struct outcome o;
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V2C);
	const struct snmp_responder_stats *st = snmp_responder_stats(r);

	t.bulk_reps = 20;
	assert_int_equal(walk1(e, &t, &o), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(o.status, SNMP_OK);
	assert_int_equal(o.seen, 30);
	assert_false(o.disorder);
	/* 20 -> 10 -> 5 -> 2 repetitions */
	assert_int_equal(st->toobig, 3);
	assert_int_equal(c1.toobig_retries, 3);
	assert_int_equal(st->max_reps, 20);
	assert_int_equal(st->min_reps, 2);
	snmp_responder_free(r);
}

static void
test_snmp_get_toobig_is_split(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .max_vbs = 4 };
	enum snmp_version vs[] = { SNMP_V2C, SNMP_V1 };
	const size_t want[] = { 12, 6, 3, 3, 3, 3 };
	char names[12][64];
	const char *oids[12];

	for (int i = 0; i < 12; i++) {
		snprintf(names[i], sizeof(names[i]), "%s.%d.0",
		    SNMP_RESPONDER_SCALAR, i + 1);
		oids[i] = names[i];
	}
	for (int v = 0; v < 2; v++) {
		struct snmp_counters c0, c1;
		struct snmp_target t;
		struct outcome o;
		struct snmp_responder *r = responder(e, &ro, &t, vs[v]);
		const struct snmp_responder_stats *st =
		    snmp_responder_stats(r);

		snmp_poller_counters(e->p, &c0);
		assert_int_equal(get1(e, &t, oids, 12, &o), 0);
		run_until_idle(e);
		snmp_poller_counters(e->p, &c1);
		assert_int_equal(o.status, SNMP_OK);
		assert_int_equal(o.n, 12);
		for (int i = 0; i < 12; i++)
			assert_int_equal(o.value[i], 10 * (i + 1));
		assert_int_equal(c1.toobig_splits - c0.toobig_splits, 2);
		assert_int_equal(st->ngets, 6);
		for (size_t i = 0; i < 6; i++)
			assert_int_equal(st->gets[i], want[i]);
		snmp_responder_free(r);
	}
}

static void
test_snmp_v1_nosuchname_per_oid_and_walk_end(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .rows = 5 };
	const char *oids[] = { SNMP_RESPONDER_SCALAR ".1.0",
	    SNMP_RESPONDER_SCALAR ".99.0", SNMP_RESPONDER_SCALAR ".3.0",
	    ".1.3.6.1.4.1.99999.7" };
	struct snmp_counters c1;
	struct snmp_target t;
	struct outcome g, w;
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V1);
	const struct snmp_responder_stats *st = snmp_responder_stats(r);

	assert_int_equal(get1(e, &t, oids, 4, &g), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(g.done, 1);
	assert_int_equal(g.status, SNMP_OK); /* not a failed check */
	assert_int_equal(g.n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(g.type[i], i % 2 == 0 ? SNMP_T_INTEGER :
		    SNMP_T_NOSUCHOBJECT);
	assert_int_equal(g.value[2], 30);
	assert_non_null(strstr(g.text[1], SNMP_RESPONDER_SCALAR ".99.0 = "));
	assert_int_equal(c1.nosuchname_retries, 2);
	assert_int_equal(st->ngets, 3); /* 4 OIDs, then 3, then 2 */
	assert_int_equal(st->gets[2], 2);
	/* a v1 walk of the MIB's last table ends at noSuchName */
	assert_int_equal(walk1(e, &t, &w), 0);
	run_until_idle(e);
	assert_int_equal(w.status, SNMP_OK);
	assert_int_equal(w.seen, 5);
	assert_false(w.disorder);
	assert_int_equal(st->nosuchname, 3);
	snmp_responder_free(r);
}

static void
test_snmp_walk_100000_rows_bounded_memory(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .rows = 100000 };
	struct snmp_target t;
	struct outcome o;
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V2C);

	t.bulk_reps = 50;
	assert_int_equal(walk1(e, &t, &o), 0);
	o.mem = true;
	run_until_idle(e);
	assert_int_equal(o.done, 1);
	assert_int_equal(o.status, SNMP_OK);
	assert_int_equal(o.rows, 100000);
	assert_int_equal(o.seen, 100000);
	assert_false(o.disorder);
	/* rows are freed batch by batch: the heap in use stays flat (kept
	 * rows would take tens of MB). Sanitizer builds use their own
	 * allocator, which mallinfo2() does not see: then both are equal. */
	assert_true(o.mem_hi - o.mem_lo < 4 * 1024 * 1024);
	snmp_responder_free(r);
}

static void
test_snmp_answer_only_to_the_third_try(void **state)
{
	struct env *e = *state;
	struct snmp_responder_opts ro = { .answer_try = 3 };
	const char *oids[] = { SNMP_RESPONDER_SCALAR ".5.0" };
	struct snmp_counters c1, c2;
	struct snmp_target t;
	struct outcome ok, to;
	struct snmp_responder *r = responder(e, &ro, &t, SNMP_V2C);

	t.timeout_ns = 100 * LOOP_NS_PER_MSEC;
	t.retries = 2;
	assert_int_equal(get1(e, &t, oids, 1, &ok), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c1);
	assert_int_equal(ok.done, 1);
	assert_int_equal(ok.status, SNMP_OK);
	assert_int_equal(ok.value[0], 50);
	assert_int_equal(c1.retransmits, 2);
	t.retries = 1;
	assert_int_equal(get1(e, &t, oids, 1, &to), 0);
	run_until_idle(e);
	snmp_poller_counters(e->p, &c2);
	assert_int_equal(to.done, 1);
	assert_int_equal(to.status, SNMP_TIMEOUT);
	assert_non_null(strstr(to.error, "after 2 tries"));
	assert_int_equal(c2.retransmits - c1.retransmits, 1);
	assert_int_equal(snmp_responder_stats(r)->requests, 5);
	snmp_responder_free(r);
}

static void
test_snmp_poller_raises_nofile_limit(void **state)
{
	struct env *e = *state;
	struct rlimit saved, low, now;
	struct snmp_poller *p;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	if (saved.rlim_max <= 256)
		skip();
	low = (struct rlimit){ 256, saved.rlim_max };
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &p), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	snmp_poller_free(p);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
	assert_true(now.rlim_cur > 256);
	assert_true(now.rlim_cur == saved.rlim_max ||
	    saved.rlim_max == RLIM_INFINITY);
}

/* Each with its own loop and poller: counters and sessions of one test
 * never see another's. */
#define RESPONDER_TEST(f) \
	cmocka_unit_test_setup_teardown(f, setup_responder, teardown)

int
main(void)
{
	const struct CMUnitTest snmpd[] = {
		cmocka_unit_test(test_snmp_get_system_v2c_and_v1),
		cmocka_unit_test(test_snmp_get_missing_oid_is_nosuchobject),
		cmocka_unit_test(test_snmp_walk_system_and_iftable),
		cmocka_unit_test(
		    test_snmp_wrong_community_times_out_without_blocking),
		cmocka_unit_test(test_snmp_dead_port_times_out),
		cmocka_unit_test(test_snmp_per_agent_cap_is_respected),
		cmocka_unit_test(test_snmp_cancel_and_free_abort_once),
		cmocka_unit_test(
		    test_snmp_v3_authpriv_get_and_wrong_passphrase),
		cmocka_unit_test(test_snmp_v3_agent_reports_are_named),
		cmocka_unit_test(test_snmp_v3_wrong_engine_id_is_named),
		cmocka_unit_test(test_snmp_bad_arguments_are_refused),
	};
	const struct CMUnitTest bad[] = {
		RESPONDER_TEST(test_snmp_junk_is_malformed_answer_used),
		RESPONDER_TEST(test_snmp_wrong_reqid_is_unmatched),
		RESPONDER_TEST(test_snmp_duplicates_are_stale_done_once),
		RESPONDER_TEST(test_snmp_answer_after_cancel_is_stale),
		RESPONDER_TEST(test_snmp_walk_non_increasing_oid_fails),
		RESPONDER_TEST(test_snmp_walk_toobig_halves_repetitions),
		RESPONDER_TEST(test_snmp_get_toobig_is_split),
		RESPONDER_TEST(test_snmp_v1_nosuchname_per_oid_and_walk_end),
		RESPONDER_TEST(test_snmp_walk_100000_rows_bounded_memory),
		RESPONDER_TEST(test_snmp_answer_only_to_the_third_try),
		RESPONDER_TEST(test_snmp_poller_raises_nofile_limit),
	};
	int failed = cmocka_run_group_tests_name("snmpd", snmpd, setup,
	    teardown);

	return failed + cmocka_run_group_tests_name("responder", bad, NULL,
	    NULL);
}
