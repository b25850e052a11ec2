/*
 * test_snmp_check: the snmp and snmp_if checks. Group "pure": arguments,
 * rate arithmetic and results judged from hand-made varbinds at given
 * times, exact text expected. Group "agents": two real snmpd on free
 * loopback ports, "real" (the host's MIBs, a v3 user) and "fake" (IF-MIB
 * and a test subtree served by tests/unit/snmp_pass_counters.sh from a
 * state file the tests write: counters wrap, interfaces renumber); skipped
 * without snmpd. No timing thresholds: a short sleep only lets sysUpTime
 * and the clock advance between two checks.
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
#include <time.h>

#include "loop.h"
#include "snmp.h"
#include "snmp_check.h"
#include "snmpd_fixture.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

#define S ((int64_t)LOOP_NS_PER_SEC)
#define UPTIME ".1.3.6.1.2.1.1.3.0"
#define ARGS(...) (char *[]){ __VA_ARGS__ }, \
	sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)

/* ---- helpers ---- */

#define vb_u(o, t, v) ((struct snmp_vb){ .oid = (o), .type = (t), .u = (v) })
#define vb_i(o, v) ((struct snmp_vb){ .oid = (o), .type = SNMP_T_INTEGER, \
	.i = (v) })
#define vb_s(o, s) ((struct snmp_vb){ .oid = (o), .type = SNMP_T_STRING, \
	.bytes = (const unsigned char *)(s), .len = strlen(s) })

static void
parse_ok(const char *cmd, char **args, size_t n, struct snmp_check_params *p)
{
	char err[512] = "";

	if (snmp_check_parse(cmd, args, n, p, err, sizeof(err)) != 0)
		fail_msg("%s refused: %s", cmd, err);
}

static void
parse_bad(const char *cmd, char **args, size_t n, const char *why)
{
	struct snmp_check_params p;
	char err[512] = "";

	assert_int_equal(snmp_check_parse(cmd, args, n, &p, err, sizeof(err)),
	    -EINVAL);
	if (strstr(err, why) == NULL)
		fail_msg("%s: error '%s' does not say '%s'", cmd, err, why);
}

/* Judge vbs at time t (seconds) for key; out holds the result. */
static void
eval(struct snmp_checks *sc, const struct snmp_check_params *p,
    const char *key, const struct snmp_vb *vbs, size_t n, int64_t t,
    struct check_result *out)
{
	check_result_clear(out);
	snmp_check_eval(sc, p, key, vbs, n, t * S, out);
}

static void
expect(const struct check_result *r, int code, const char *output,
    const char *perf)
{
	if (strcmp(r->output, output) != 0)
		fail_msg("output '%s', expected '%s'", r->output, output);
	if ((perf == NULL) != (r->perfdata == NULL) ||
	    (perf != NULL && strcmp(r->perfdata, perf) != 0))
		fail_msg("perfdata '%s', expected '%s'", r->perfdata ?
		    r->perfdata : "(none)", perf ? perf : "(none)");
	assert_int_equal(r->code, code);
}

static int
pure_setup(void **state)
{
	struct snmp_checks *sc;

	assert_int_equal(snmp_checks_new(NULL, NULL, &sc), 0);
	*state = sc;
	return 0;
}

static int
pure_teardown(void **state)
{
	snmp_checks_free(*state);
	return 0;
}

/* ---- arguments ---- */

static void
test_parse_defaults_and_lists(void **state)
{
	struct snmp_check_params p, q;

	parse_ok("snmp", ARGS("1.3.6.1.4.1.2021.11.9.0,.1.3.6.1.2.1.1.7.0"),
	    &p);
	assert_int_equal(p.kind, SNMP_CHECK_GENERIC);
	assert_int_equal(p.noids, 2);
	assert_string_equal(p.oids[0], ".1.3.6.1.4.1.2021.11.9.0");
	assert_string_equal(p.labels[0], "11_9_0");
	assert_string_equal(p.labels[1], "1_7_0");
	assert_false(p.warn[0].set || p.crit[1].set || p.rate || p.pct);
	assert_true(p.mult == 1.0);
	parse_ok("snmp", ARGS(".1.3.6.1.2.1.1.3.0, .1.3.6.1.2.1.1.7.0", "80",
	    ", ~:5", "up,svc", "s", "rate,mult=0.01,name=.1.3.6.1.2.1.1.5.0"),
	    &p);
	assert_true(p.warn[0].set && p.warn[1].set && p.warn[1].end == 80.0);
	assert_false(p.crit[0].set);
	assert_true(p.crit[1].start_inf && p.crit[1].end == 5.0);
	assert_string_equal(p.labels[1], "svc");
	assert_string_equal(p.units[1], "s");
	assert_true(p.rate && p.mult == 0.01);
	assert_string_equal(p.name_oid, ".1.3.6.1.2.1.1.5.0");
	parse_ok("snmp_if", ARGS("Gi0/1"), &p);
	assert_true(p.kind == SNMP_CHECK_IF && p.ifindex == 0);
	assert_string_equal(p.warn_util.text, "80");
	assert_string_equal(p.crit_util.text, "90");
	assert_false(p.warn_err.set || p.crit_err.set);
	parse_ok("snmp_if", ARGS("12", "", "95", "1", "10"), &q);
	assert_int_equal(q.ifindex, 12);
	assert_string_equal(q.warn_util.text, "80");
	assert_true(q.crit_util.end == 95.0 && q.crit_err.end == 10.0);
	assert_true(p.fingerprint != q.fingerprint);
	assert_true(snmp_check_is_builtin("snmp") &&
	    snmp_check_is_builtin("snmp_if"));
	assert_false(snmp_check_is_builtin("check_snmp"));
}

static void
test_parse_bad_args_each_clear_error(void **state)
{
	parse_bad("snmp", ARGS(""), "ARG1 is empty: give one or more");
	parse_bad("snmp", ARGS("1.3.6.x"), "'1.3.6.x' is not a numeric OID");
	parse_bad("snmp", ARGS("NO-SUCH-MIB::ifInOctets.1"),
	    "unknown MIB object 'NO-SUCH-MIB::ifInOctets.1'");
	parse_bad("snmp", ARGS("1.3..6"), "'1.3..6' is not a numeric OID");
	parse_bad("snmp", ARGS("1.3.4294967296"), "not a numeric OID");
	parse_bad("snmp", ARGS("1.3.6.1", "10:5"),
	    "ARG2 (warning): bad range '10:5': start 10 is greater than end 5");
	parse_bad("snmp", ARGS("1.3.6.1", "", "abc"),
	    "ARG3 (critical): bad range 'abc'");
	parse_bad("snmp", ARGS("1.3.6.1,1.3.6.2,1.3.6.3", "1,2"),
	    "ARG2 (warning) '1,2': 2 ranges for 3 values");
	parse_bad("snmp", ARGS("1.3.6.1,1.3.6.2", "", "", "a"),
	    "ARG4 (labels) 'a': 1 labels for 2 values");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "a b"), "label 'a b'");
	parse_bad("snmp", ARGS("1.3.6.1,1.3.6.1"), "label '3_6_1' twice");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "m/s"), "unit 'm/s'");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "fast"),
	    "unknown option 'fast'");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "rate,rate"),
	    "'rate' given twice");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "mult=-2"),
	    "mult='-2' is not a positive decimal number");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "pct"),
	    "pct needs exactly two OIDs");
	parse_bad("snmp", ARGS("1.3.6.1,1.3.6.2", "", "", "", "", "pct,rate"),
	    "pct cannot be combined with rate");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "string=up,rate"),
	    "string= cannot be combined with rate");
	parse_bad("snmp", ARGS("1.3.6.1", "5", "", "", "", "string=up"),
	    "string= takes no thresholds");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "name=noSuchName"),
	    "name=: unknown MIB object 'noSuchName'");
	parse_bad("snmp", ARGS("1.3.6.1", "", "", "", "", "", "x"),
	    "ARG7 'x': unexpected argument (snmp takes 6)");
	parse_bad("snmp_if", ARGS(""), "ARG1 (interface) is empty");
	parse_bad("snmp_if", ARGS("0"), "an ifIndex is 1 to 2147483647");
	parse_bad("snmp_if", ARGS("a|b"), "'|' are not allowed");
	parse_bad("snmp_if", ARGS("eth0", "1:2:3"),
	    "ARG2 (warning utilization %): bad range '1:2:3': more than");
	parse_bad("snmp_if", ARGS("eth0", "", "", "", "@"),
	    "ARG5 (critical errors/s): bad range '@': nothing after '@'");
	parse_bad("snmp_if", ARGS("eth0", "", "", "", "", "x"),
	    "ARG6 'x': unexpected argument (snmp_if takes 5)");
	parse_bad("check_snmp", ARGS("x"), "not a built-in SNMP check");
}

/* ---- rate arithmetic ---- */

static void
test_rate_counter32_wraps_when_uptime_grew(void **state)
{
	struct snmp_check_sample a = { true, SNMP_T_COUNTER32, 4294967290u, 0 };
	struct snmp_check_sample b = { true, SNMP_T_COUNTER32, 10, 0 };
	struct snmp_check_when t0 = { 1 * S, true, 1000 }, t1 = { 11 * S,
		true, 2000 };
	double r = -1;

	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_WRAPPED);
	assert_true(r == 1.6); /* 16 over 10 s */
	t1.uptime = 1000; /* the agent's clock did not move: not a wrap */
	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_CLEARED);
	t0.have_uptime = false; /* unknown uptime: trust the wrap */
	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_WRAPPED);
}

static void
test_rate_counter64_backwards_clears(void **state)
{
	struct snmp_check_sample a = { true, SNMP_T_COUNTER64, 1000, 0 };
	struct snmp_check_sample b = { true, SNMP_T_COUNTER64, 5, 0 };
	struct snmp_check_when t0 = { 1 * S, true, 1000 }, t1 = { 2 * S, true,
		1100 };
	double r = -1;

	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_CLEARED);
	assert_true(r == -1);
	b.u = UINT64_C(18446744073709551615);
	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_OK);
	assert_true(r == (double)(UINT64_C(18446744073709551615) - 1000));
}

static void
test_rate_sysuptime_reset_is_a_restart(void **state)
{
	struct snmp_check_sample a = { true, SNMP_T_COUNTER32, 100, 0 };
	struct snmp_check_sample b = { true, SNMP_T_COUNTER32, 200, 0 };
	struct snmp_check_when t0 = { 1 * S, true, 500000 }, t1 = { 61 * S,
		true, 3000 };
	double r;

	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_RESTARTED);
	/* restarted and up longer than it was: shorter than the gap */
	t0.uptime = 100;
	t1 = (struct snmp_check_when){ 3601 * S, true, 6000 };
	assert_true(snmp_check_uptime_restarted(100, 6000, 3600 * S));
	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_RESTARTED);
	/* sysUpTime's own wrap after 497 days is no restart */
	assert_false(snmp_check_uptime_restarted(4294967000u, 700, 10 * S));
	assert_true(snmp_check_uptime_restarted(4294967000u, 700, 1 * S));
	assert_false(snmp_check_uptime_restarted(100, 6100, 60 * S));
}

static void
test_rate_first_sample_no_time_and_gauges(void **state)
{
	struct snmp_check_sample none = { false, SNMP_T_COUNTER32, 0, 0 };
	struct snmp_check_sample a = { true, SNMP_T_GAUGE32, 0, 50.0 };
	struct snmp_check_sample b = { true, SNMP_T_GAUGE32, 0, 30.0 };
	struct snmp_check_sample c = { true, SNMP_T_COUNTER64, 0, 0 };
	struct snmp_check_when t0 = { 1 * S, false, 0 }, t1 = { 5 * S, false,
		0 };
	double r;

	assert_int_equal(snmp_check_rate(&none, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_FIRST);
	assert_int_equal(snmp_check_rate(&a, &t0, &c, &t1, &r),
	    SNMP_CHECK_RATE_FIRST); /* the type changed */
	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t0, &r),
	    SNMP_CHECK_RATE_NO_TIME);
	assert_int_equal(snmp_check_rate(&a, &t0, &b, &t1, &r),
	    SNMP_CHECK_RATE_OK);
	assert_true(r == -5.0); /* a gauge may fall */
}

/* ---- snmp results ---- */

static void
test_snmp_thresholds_output_and_perfdata(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb v[] = { vb_u(".1.3.6.1.9.1", SNMP_T_GAUGE32, 95),
		vb_i(".1.3.6.1.9.2", 40) };

	parse_ok("snmp", ARGS("1.3.6.1.9.1,1.3.6.1.9.2", "80", "90",
	    "cpu,mem", "%"), &p);
	eval(*state, &p, "h;s", v, 2, 1, &r);
	expect(&r, CHECK_CRITICAL, "SNMP CRITICAL - cpu *95%*, mem 40%",
	    "cpu=95%;80;90;; mem=40%;80;90;;");
	v[0].u = 85;
	eval(*state, &p, "h;s", v, 2, 2, &r);
	expect(&r, CHECK_WARNING, "SNMP WARNING - cpu *85%*, mem 40%",
	    "cpu=85%;80;90;; mem=40%;80;90;;");
	v[0].u = 12;
	eval(*state, &p, "h;s", v, 2, 3, &r);
	expect(&r, CHECK_OK, "SNMP OK - cpu 12%, mem 40%",
	    "cpu=12%;80;90;; mem=40%;80;90;;");
	check_result_clear(&r);
}

static void
test_snmp_strings_names_and_string_match(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb v[] = { vb_s(".1.3.6.1.9.1", " 12.5 "),
		vb_s(".1.3.6.1.9.5", "CPU Temp") };

	parse_ok("snmp", ARGS("1.3.6.1.9.1", "@~:0", "50:", "temp", "C",
	    "mult=2,name=1.3.6.1.9.5"), &p);
	eval(*state, &p, "h;s", v, 2, 1, &r);
	expect(&r, CHECK_CRITICAL, "SNMP CRITICAL - CPU Temp: temp *25C*",
	    "temp=25C;@~:0;50:;;");
	v[0] = vb_s(".1.3.6.1.9.1", "n/a");
	v[0].text = ".1.3.6.1.9.1 = STRING: \"n/a\"";
	eval(*state, &p, "h;s", v, 2, 2, &r);
	expect(&r, CHECK_UNKNOWN, "SNMP UNKNOWN - OID .1.3.6.1.9.1: STRING: "
	    "\"n/a\" is not a number", NULL);
	parse_ok("snmp", ARGS("1.3.6.1.9.1", "", "", "svc", "",
	    "string=running"), &p);
	v[0] = vb_s(".1.3.6.1.9.1", "running");
	eval(*state, &p, "h;s", v, 1, 1, &r);
	expect(&r, CHECK_OK, "SNMP OK - svc \"running\"", NULL);
	v[0] = vb_s(".1.3.6.1.9.1", "stopped");
	eval(*state, &p, "h;s", v, 1, 2, &r);
	expect(&r, CHECK_CRITICAL, "SNMP CRITICAL - svc \"stopped\" (expected "
	    "\"running\")", NULL);
	check_result_clear(&r);
}

static void
test_snmp_pct_and_printer_levels(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb v[] = { vb_i(".1.3.6.1.9.1", 250),
		vb_i(".1.3.6.1.9.2", 1000) };

	parse_ok("snmp", ARGS("1.3.6.1.9.1,1.3.6.1.9.2", "20:", "10:",
	    "toner", "", "pct"), &p);
	eval(*state, &p, "h;s", v, 2, 1, &r);
	expect(&r, CHECK_OK, "SNMP OK - toner 25%", "toner=25%;20:;10:;0;100");
	v[0].i = 150;
	eval(*state, &p, "h;s", v, 2, 2, &r);
	expect(&r, CHECK_WARNING, "SNMP WARNING - toner *15%*",
	    "toner=15%;20:;10:;0;100");
	v[0].i = -3;
	eval(*state, &p, "h;s", v, 2, 3, &r);
	expect(&r, CHECK_OK, "SNMP OK - toner: level some remaining (-3)",
	    NULL);
	v[0].i = 5;
	v[1].i = 0;
	eval(*state, &p, "h;s", v, 2, 4, &r);
	expect(&r, CHECK_UNKNOWN, "SNMP UNKNOWN - toner: .1.3.6.1.9.2 is 0, "
	    "no percentage", NULL);
	check_result_clear(&r);
}

static void
test_snmp_rate_first_sample_then_32bit_wrap(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb v[] = { vb_u(".1.3.6.1.9.1", SNMP_T_COUNTER32,
		4294967290u), vb_u(UPTIME, SNMP_T_TIMETICKS, 1000) };

	parse_ok("snmp", ARGS("1.3.6.1.9.1", "", "100", "in", "",
	    "rate,mult=8"), &p);
	eval(*state, &p, "h;rate", v, 2, 1, &r);
	expect(&r, CHECK_OK, "SNMP OK - first sample: rates start with the "
	    "next check", NULL);
	v[0].u = 10;
	v[1].u = 2000;
	eval(*state, &p, "h;rate", v, 2, 11, &r);
	expect(&r, CHECK_OK, "SNMP OK - in 12.8", "in=12.8;;100;;");
	v[0].u = 1010; /* 1000 octets in 5 s: 1600 bits/s */
	v[1].u = 2500;
	eval(*state, &p, "h;rate", v, 2, 16, &r);
	expect(&r, CHECK_CRITICAL, "SNMP CRITICAL - in *1600*",
	    "in=1600;;100;;");
	check_result_clear(&r);
}

static void
test_snmp_rate_c64_backwards_and_restart(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb v[] = { vb_u(".1.3.6.1.9.1", SNMP_T_COUNTER64, 1000),
		vb_u(".1.3.6.1.9.2", SNMP_T_COUNTER64, 1000),
		vb_u(UPTIME, SNMP_T_TIMETICKS, 100000) };

	parse_ok("snmp", ARGS("1.3.6.1.9.1,1.3.6.1.9.2", "", "", "a,b", "",
	    "rate"), &p);
	eval(*state, &p, "h;r64", v, 3, 1, &r);
	v[0].u = 1050;
	v[1].u = 5; /* cleared */
	v[2].u = 101000;
	eval(*state, &p, "h;r64", v, 3, 11, &r);
	expect(&r, CHECK_OK, "SNMP OK - a 5, b (counter went backwards, "
	    "cleared?: no rate this time)", "a=5;;;;");
	v[0].u = 1100;
	v[1].u = 105;
	v[2].u = 102000;
	eval(*state, &p, "h;r64", v, 3, 21, &r);
	expect(&r, CHECK_OK, "SNMP OK - a 5, b 10", "a=5;;;; b=10;;;;");
	v[0].u = 3; /* the agent restarted: no spike, no rate */
	v[1].u = 4;
	v[2].u = 50;
	eval(*state, &p, "h;r64", v, 3, 31, &r);
	expect(&r, CHECK_OK, "SNMP OK - agent restarted (sysUpTime 1020.00s "
	    "-> 0.50s): rates start with the next check", NULL);
	v[0].u = 13;
	v[2].u = 1050;
	eval(*state, &p, "h;r64", v, 3, 41, &r);
	expect(&r, CHECK_OK, "SNMP OK - a 1, b 0", "a=1;;;; b=0;;;;");
	check_result_clear(&r);
}

static void
test_snmp_rate_memory_is_bounded(void **state)
{
	struct snmp_checks *sc;
	struct snmp_check_params p;
	struct snmp_check_counters c;
	struct check_result r = { 0 };
	struct snmp_vb v[] = { vb_u(".1.3.6.1.9.1", SNMP_T_COUNTER32, 1) };

	assert_int_equal(snmp_checks_new(NULL, NULL, &sc), 0);
	snmp_checks_set_mem_max(sc, 1);
	parse_ok("snmp", ARGS("1.3.6.1.9.1", "", "", "", "", "rate"), &p);
	eval(sc, &p, "a;1", v, 1, 1, &r);
	assert_int_equal(r.code, CHECK_OK);
	eval(sc, &p, "a;2", v, 1, 1, &r);
	expect(&r, CHECK_UNKNOWN, "SNMP UNKNOWN - rate memory full (1 "
	    "checks): no rate", NULL);
	eval(sc, &p, "a;1", v, 1, 2, &r); /* the kept one still works */
	assert_int_equal(r.code, CHECK_OK);
	snmp_checks_counters(sc, &c);
	assert_int_equal(c.mem_entries, 1);
	assert_int_equal(c.mem_drops, 1);
	check_result_clear(&r);
	snmp_checks_free(sc);
}

/* ---- snmp_if results ---- */

#define IFX(col) ".1.3.6.1.2.1.31.1.1.1." #col ".7"
#define IFT(col) ".1.3.6.1.2.1.2.2.1." #col ".7"

static size_t
ifvals(struct snmp_vb *v, long admin, long oper, uint64_t in, uint64_t out,
    uint32_t uptime, bool hc)
{
	size_t n = 0;

	v[n++] = vb_u(UPTIME, SNMP_T_TIMETICKS, uptime);
	v[n++] = vb_i(IFT(7), admin);
	v[n++] = vb_i(IFT(8), oper);
	v[n++] = vb_s(IFX(1), "Gi0/1");
	v[n++] = vb_u(IFT(5), SNMP_T_GAUGE32, 100000000);
	v[n++] = vb_u(IFX(15), SNMP_T_GAUGE32, 100);
	v[n++] = vb_u(hc ? IFX(6) : IFT(10), hc ? SNMP_T_COUNTER64 :
	    SNMP_T_COUNTER32, in);
	v[n++] = vb_u(hc ? IFX(10) : IFT(16), hc ? SNMP_T_COUNTER64 :
	    SNMP_T_COUNTER32, out);
	v[n++] = vb_u(hc ? IFT(10) : IFX(6), SNMP_T_NOSUCHINSTANCE, 0);
	v[n++] = vb_u(IFT(14), SNMP_T_COUNTER32, 0);
	v[n++] = vb_u(IFT(20), SNMP_T_COUNTER32, 0);
	v[n++] = vb_u(IFT(13), SNMP_T_COUNTER32, 0);
	v[n++] = vb_u(IFT(19), SNMP_T_COUNTER32, 0);
	return n;
}

static void
test_if_up_rates_utilization_and_perfdata(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb f[14];
	size_t n;

	parse_ok("snmp_if", ARGS("7"), &p);
	n = ifvals(f, 1, 1, 1000, 5000, 1000, true);
	eval(*state, &p, "h;if", f, n, 1, &r);
	expect(&r, CHECK_OK, "OK - Gi0/1 up, first sample: rates start with "
	    "the next check", NULL);
	n = ifvals(f, 1, 1, 1000 + 125000, 5000, 1100, true);
	f[9].u = 3; /* 3 in-errors in 1 s */
	eval(*state, &p, "h;if", f, n, 2, &r);
	expect(&r, CHECK_OK, "OK - Gi0/1 up, in 1.0 Mb/s (1.0%), out 0.0 b/s "
	    "(0.0%), 3.0 err/s", "in_bps=1000000;;;0;100000000 "
	    "out_bps=0;;;0;100000000 in_util=1.00%;80;90;0;100 "
	    "out_util=0.00%;80;90;0;100 in_errors=3;;;0; out_errors=0;;;0; "
	    "in_discards=0;;;0; out_discards=0;;;0;");
	n = ifvals(f, 1, 1, 126000 + 11250000, 5000, 1200, true);
	f[9].u = 3;
	eval(*state, &p, "h;if", f, n, 3, &r); /* 90 Mb/s: in 0:90 */
	assert_int_equal(r.code, CHECK_WARNING);
	assert_non_null(strstr(r.output, "in 90.0 Mb/s (90.0%)"));
	n = ifvals(f, 1, 1, 11376000 + 11375000, 5000, 1300, true);
	f[9].u = 3;
	eval(*state, &p, "h;if", f, n, 4, &r); /* 91 Mb/s */
	assert_int_equal(r.code, CHECK_CRITICAL);
	assert_non_null(strstr(r.output, "in 91.0 Mb/s (91.0%)"));
	check_result_clear(&r);
}

static void
test_if_down_and_admin_down(void **state)
{
	struct snmp_check_params p, q;
	struct check_result r = { 0 };
	struct snmp_vb f[14];
	size_t n;

	parse_ok("snmp_if", ARGS("7"), &p);
	n = ifvals(f, 1, 2, 0, 0, 100, true);
	eval(*state, &p, "h;down", f, n, 1, &r);
	expect(&r, CHECK_CRITICAL, "CRITICAL - Gi0/1 is down (admin up)",
	    NULL);
	n = ifvals(f, 2, 2, 0, 0, 200, true);
	eval(*state, &p, "h;down", f, n, 2, &r);
	assert_int_equal(r.code, CHECK_OK);
	assert_string_equal(r.output, "OK - Gi0/1 administratively down");
	assert_non_null(r.perfdata); /* graphs keep going */
	n = ifvals(f, 1, 7, 0, 0, 300, true);
	eval(*state, &p, "h;down", f, n, 3, &r);
	assert_string_equal(r.output,
	    "CRITICAL - Gi0/1 is lowerLayerDown (admin up)");
	parse_ok("snmp_if", ARGS("8"), &q); /* not on the agent */
	eval(*state, &q, "h;gone", f, n, 1, &r);
	expect(&r, CHECK_UNKNOWN, "UNKNOWN - ifIndex 8 not on agent (no "
	    "ifAdminStatus/ifOperStatus)", NULL);
	check_result_clear(&r);
}

static void
test_if_32bit_wrap_faster_than_line(void **state)
{
	struct snmp_check_params p;
	struct check_result r = { 0 };
	struct snmp_vb f[14];
	size_t n;

	parse_ok("snmp_if", ARGS("7"), &p);
	n = ifvals(f, 1, 1, 4294967000u, 0, 1000, false);
	eval(*state, &p, "h;c32", f, n, 1, &r);
	n = ifvals(f, 1, 1, 1000, 0, 1100, false); /* 1296 B in 1 s */
	eval(*state, &p, "h;c32", f, n, 2, &r);
	assert_int_equal(r.code, CHECK_OK);
	assert_non_null(strstr(r.output, "in 10.4 kb/s (0.0%)"));
	/* a wrap that would mean 2^31 octets in 1 s on 100 Mb/s */
	n = ifvals(f, 1, 1, 2147484648u, 0, 1200, false);
	eval(*state, &p, "h;c32", f, n, 3, &r);
	n = ifvals(f, 1, 1, 1000, 0, 1300, false);
	eval(*state, &p, "h;c32", f, n, 4, &r);
	expect(&r, CHECK_OK, "OK - Gi0/1 up, counter discontinuity (cleared, "
	    "or a 32-bit wrap faster than the line): no rate this time", NULL);
	check_result_clear(&r);
}

/* ---- against real agents ---- */

struct net {
	char dir[64];
	char state[96];
	struct snmpd_fixture agent[2]; /* real, fake */
	uint16_t dead_port;
	struct loop *loop;
	struct snmp_poller *poller;
	struct snmp_checks *sc;
};

struct got {
	int n;
	int code;
	char out[1024];
	char perf[1024];
};

static void
on_done(struct check_result *res, void *arg)
{
	struct got *g = arg;

	g->n++;
	g->code = res->code;
	snprintf(g->out, sizeof(g->out), "%s", res->output);
	snprintf(g->perf, sizeof(g->perf), "%s",
	    res->perfdata ? res->perfdata : "");
}

static void
target_of(uint16_t port, struct snmp_target *t)
{
	*t = (struct snmp_target){ .addr = "127.0.0.1", .port = port,
		.version = SNMP_V2C, .community = "public",
		.timeout_ns = 300 * LOOP_NS_PER_MSEC, .retries = 1 };
}

/* Start a check on agent i (or t when given) and run the loop until its
 * done fired, exactly once. */
static void
run_t(struct net *e, int i, const struct snmp_target *t, const char *cmd,
    char **args, size_t nargs, const char *key, struct got *g)
{
	struct snmp_check_params p;
	struct snmp_target d;
	char err[256];

	target_of(i >= 0 ? e->agent[i].port : 0, &d);
	parse_ok(cmd, args, nargs, &p);
	memset(g, 0, sizeof(*g));
	assert_int_equal(snmp_check_start(e->sc, &p, t ? t : &d, key, on_done,
	    g, NULL, err, sizeof(err)), 0);
	assert_int_equal(g->n, 0); /* never from inside start */
	while (g->n == 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
	assert_int_equal(g->n, 1);
}

#define run(e, i, ...) run_t((e), (i), NULL, __VA_ARGS__)

/* Replace the fake agent's state file (atomically: snmpd may read it). */
static void
state_write(struct net *e, const char *text)
{
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", e->state);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(rename(tmp, e->state), 0);
}

/* Let sysUpTime (1/100 s) and the monotonic clock move on: 50 ms. */
#define tick() nanosleep(&(struct timespec){ 0, 50000000 }, NULL)

static void
wait_ready(struct net *e, int i)
{
	struct got g;

	for (int k = 0; k < 50; k++) { /* up to 50 tries of 2 x 300 ms */
		run(e, i, "snmp", ARGS(UPTIME), "ready", &g);
		if (g.code == CHECK_OK)
			return;
	}
	fail_msg("snmpd %d did not answer: %s", i, g.out);
}

static int
net_setup(void **state)
{
	struct net *e = calloc(1, sizeof(*e));
	char fake[1024];
	const char *script = TEST_SRCDIR "/tests/unit/snmp_pass_counters.sh";

	*state = NULL;
	if (!snmpd_available()) {
		free(e);
		return 0;
	}
	snprintf(e->dir, sizeof(e->dir), "/tmp/test_snmp_check.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->state, sizeof(e->state), "%s/state", e->dir);
	snprintf(fake, sizeof(fake),
	    "pass -p 1 .1.3.6.1.2.1.2.2 /bin/sh %s %s\n"
	    "pass -p 1 .1.3.6.1.2.1.31.1.1 /bin/sh %s %s\n"
	    "pass .1.3.6.1.4.1.99999 /bin/sh %s %s\n", script, e->state,
	    script, e->state, script, e->state);
	assert_int_equal(snmpd_start(&e->agent[0],
	    "createUser pharosck SHA authpass123 AES privpass123\n"
	    "rouser pharosck priv\n"), 0);
	assert_int_equal(snmpd_start(&e->agent[1], fake), 0);
	e->dead_port = snmpd_free_port();
	assert_int_equal(loop_new(&e->loop), 0);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &e->poller), 0);
	assert_int_equal(snmp_checks_new(e->loop, e->poller, &e->sc), 0);
	wait_ready(e, 0);
	wait_ready(e, 1);
	*state = e;
	return 0;
}

static int
net_teardown(void **state)
{
	struct net *e = *state;
	char cmd[128];

	if (e == NULL)
		return 0;
	snmp_checks_free(e->sc);
	snmp_poller_free(e->poller);
	loop_free(e->loop);
	for (int i = 0; i < 2; i++)
		snmpd_stop(&e->agent[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd) != 0) {
		/* leftovers in /tmp are harmless */
	}
	free(e);
	return 0;
}

#define NEED_SNMPD(e) do { if ((e) == NULL) skip(); } while (0)

#define C32 ".1.3.6.1.4.1.99999.1.0"
#define C64 ".1.3.6.1.4.1.99999.2.0"

static void
test_net_counter32_wraps_and_counter64_clears_for_real(void **state)
{
	struct net *e = *state;
	struct got g;
	double v;

	NEED_SNMPD(e);
	state_write(e, C32 " counter 4294967290\n" C64 " counter64 1000\n");
	run(e, 1, "snmp", ARGS(C32 "," C64, "", "", "in,c64", "", "rate"),
	    "h;c", &g);
	assert_string_equal(g.out, "SNMP OK - first sample: rates start with "
	    "the next check");
	state_write(e, C32 " counter 10\n" C64 " counter64 5\n");
	tick();
	run(e, 1, "snmp", ARGS(C32 "," C64, "", "", "in,c64", "", "rate"),
	    "h;c", &g);
	assert_int_equal(g.code, CHECK_OK);
	assert_true(strncmp(g.out, "SNMP OK - in ", 13) == 0);
	assert_non_null(strstr(g.out, ", c64 (counter went backwards, "
	    "cleared?: no rate this time)"));
	assert_true(strncmp(g.perf, "in=", 3) == 0);
	assert_null(strstr(g.perf, "c64="));
	/* 16 over at least the 50 ms slept; a missed wrap gives ~2^64 */
	v = strtod(g.perf + 3, NULL);
	if (!(v > 0.0 && v <= 16.0 / 0.05))
		fail_msg("rate %g from '%s'", v, g.perf);
}

static void
test_net_missing_oid_timeout_and_v3_failure_are_unknown(void **state)
{
	struct net *e = *state;
	struct snmp_target t;
	struct got g;

	NEED_SNMPD(e);
	run(e, 0, "snmp", ARGS(".1.3.6.1.2.1.1.99.0"), "h;miss", &g);
	assert_int_equal(g.code, CHECK_UNKNOWN);
	assert_string_equal(g.out, "SNMP UNKNOWN - OID .1.3.6.1.2.1.1.99.0 "
	    "not on agent (noSuchObject)");
	run(e, 1, "snmp", ARGS(UPTIME "," C32 ".9"), "h;miss", &g);
	assert_string_equal(g.out, "SNMP UNKNOWN - OID .1.3.6.1.4.1.99999.1.0"
	    ".9 not on agent (noSuchInstance)");
	target_of(e->dead_port, &t);
	run_t(e, -1, &t, "snmp", ARGS(UPTIME), "h;dead", &g);
	assert_int_equal(g.code, CHECK_UNKNOWN);
	assert_non_null(strstr(g.out, "SNMP UNKNOWN - timeout: no answer "
	    "from 127.0.0.1"));
	target_of(e->agent[0].port, &t);
	t.version = SNMP_V3;
	snprintf(t.user, sizeof(t.user), "pharosck");
	t.seclevel = SNMP_AUTHPRIV;
	snprintf(t.auth_pass, sizeof(t.auth_pass), "wrongpass123");
	snprintf(t.priv_pass, sizeof(t.priv_pass), "privpass123");
	t.timeout_ns = LOOP_NS_PER_SEC;
	run_t(e, -1, &t, "snmp", ARGS(UPTIME), "h;v3", &g);
	assert_int_equal(g.code, CHECK_UNKNOWN);
	assert_non_null(strstr(g.out, "Authentication failure"));
}

static void
test_net_snmp_if_lo_rates_on_the_second_run(void **state)
{
	struct net *e = *state;
	struct snmp_check_counters c0, c1;
	struct got g;

	NEED_SNMPD(e);
	snmp_checks_counters(e->sc, &c0);
	run(e, 0, "snmp_if", ARGS("lo", "100000", "100000"), "h;lo", &g);
	assert_string_equal(g.out, "OK - lo up, first sample: rates start "
	    "with the next check");
	assert_string_equal(g.perf, "");
	tick();
	run(e, 0, "snmp_if", ARGS("lo", "100000", "100000"), "h;lo", &g);
	if (g.code != CHECK_OK || strncmp(g.out, "OK - lo up, in ", 15) != 0)
		fail_msg("second run: %d '%s'", g.code, g.out);
	assert_non_null(strstr(g.out, "err/s"));
	assert_true(strncmp(g.perf, "in_bps=", 7) == 0);
	assert_non_null(strstr(g.perf, " in_util="));
	assert_non_null(strstr(g.perf, " out_discards="));
	snmp_checks_counters(e->sc, &c1);
	assert_int_equal(c1.resolves, c0.resolves + 1); /* then cached */
}

#define IF7 ".1.3.6.1.2.1.31.1.1.1.1.7 string Gi0/1\n" \
	".1.3.6.1.2.1.2.2.1.2.7 string GigabitEthernet0/1\n" \
	".1.3.6.1.2.1.2.2.1.7.7 integer 1\n" \
	".1.3.6.1.2.1.2.2.1.5.7 gauge 1000000000\n" \
	".1.3.6.1.2.1.31.1.1.1.15.7 gauge 1000\n"
#define IF9 ".1.3.6.1.2.1.31.1.1.1.1.9 string Gi0/1\n" \
	".1.3.6.1.2.1.31.1.1.1.18.9 string uplink to core\n" \
	".1.3.6.1.2.1.2.2.1.7.9 integer 1\n" \
	".1.3.6.1.2.1.2.2.1.8.9 integer 1\n" \
	".1.3.6.1.2.1.31.1.1.1.15.9 gauge 1000\n" \
	".1.3.6.1.2.1.31.1.1.1.18.11 string dup\n" \
	".1.3.6.1.2.1.31.1.1.1.18.12 string dup\n"

static void
test_net_snmp_if_down_renumbered_alias_and_ambiguous(void **state)
{
	struct net *e = *state;
	struct snmp_check_counters c0, c1;
	struct got g;

	NEED_SNMPD(e);
	snmp_checks_counters(e->sc, &c0);
	state_write(e, IF7 ".1.3.6.1.2.1.2.2.1.8.7 integer 2\n"
	    ".1.3.6.1.2.1.31.1.1.1.6.7 counter64 100\n"
	    ".1.3.6.1.2.1.31.1.1.1.10.7 counter64 100\n");
	run(e, 1, "snmp_if", ARGS("Gi0/1"), "h;gi", &g);
	assert_int_equal(g.code, CHECK_CRITICAL);
	assert_string_equal(g.out, "CRITICAL - Gi0/1 is down (admin up)");
	/* after a "reboot" the interface is ifIndex 9, with 32-bit octets */
	state_write(e, IF9 ".1.3.6.1.2.1.2.2.1.10.9 counter 4294967000\n"
	    ".1.3.6.1.2.1.2.2.1.16.9 counter 7\n");
	run(e, 1, "snmp_if", ARGS("Gi0/1"), "h;gi", &g);
	assert_string_equal(g.out, "OK - Gi0/1 up, first sample: rates start "
	    "with the next check");
	state_write(e, IF9 ".1.3.6.1.2.1.2.2.1.10.9 counter 1000\n"
	    ".1.3.6.1.2.1.2.2.1.16.9 counter 7\n");
	tick();
	run(e, 1, "snmp_if", ARGS("Gi0/1"), "h;gi", &g);
	assert_int_equal(g.code, CHECK_OK);
	assert_true(strncmp(g.out, "OK - Gi0/1 up, in ", 18) == 0);
	assert_non_null(strstr(g.out, ", out 0.0 b/s (0.0%)"));
	assert_true(strncmp(g.perf, "in_bps=", 7) == 0);
	snmp_checks_counters(e->sc, &c1);
	assert_int_equal(c1.resolves, c0.resolves + 2);
	run(e, 1, "snmp_if", ARGS("uplink to core"), "h;alias", &g);
	assert_string_equal(g.out, "OK - uplink to core up, first sample: "
	    "rates start with the next check");
	run(e, 1, "snmp_if", ARGS("dup"), "h;dup", &g);
	assert_int_equal(g.code, CHECK_UNKNOWN);
	assert_string_equal(g.out, "UNKNOWN - 'dup' is ambiguous: ifAlias of "
	    "ifIndex 11, 12; give the ifIndex");
	run(e, 1, "snmp_if", ARGS("Gi9/9"), "h;none", &g);
	assert_string_equal(g.out, "UNKNOWN - interface 'Gi9/9' not found in "
	    "ifName, ifDescr or ifAlias");
}

static void
test_net_cancel_and_free_fire_done_correctly(void **state)
{
	struct net *e = *state;
	struct snmp_check_params p;
	struct snmp_check_run *run;
	struct snmp_checks *sc2;
	struct snmp_target t;
	struct got a, b;
	char err[256];

	NEED_SNMPD(e);
	parse_ok("snmp", ARGS(UPTIME), &p);
	target_of(e->agent[0].port, &t);
	memset(&a, 0, sizeof(a));
	assert_int_equal(snmp_check_start(e->sc, &p, &t, "h;x", on_done, &a,
	    &run, err, sizeof(err)), 0);
	snmp_check_cancel(e->sc, run);
	while (snmp_poller_pending(e->poller) > 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(snmp_checks_new(e->loop, e->poller, &sc2), 0);
	memset(&b, 0, sizeof(b));
	assert_int_equal(snmp_check_start(sc2, &p, &t, "h;y", on_done, &b,
	    NULL, err, sizeof(err)), 0);
	assert_true(loop_run_once(e->loop, 0) >= 0); /* on the wire */
	snmp_checks_free(sc2);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.code, CHECK_UNKNOWN);
	assert_string_equal(b.out, "SNMP UNKNOWN - check aborted (SNMP checks "
	    "shut down)");
	while (snmp_poller_pending(e->poller) > 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(b.n, 1);
}

static int
net_tests(void)
{
	const struct CMUnitTest net[] = {
		cmocka_unit_test(
		    test_net_counter32_wraps_and_counter64_clears_for_real),
		cmocka_unit_test(
		    test_net_missing_oid_timeout_and_v3_failure_are_unknown),
		cmocka_unit_test(test_net_snmp_if_lo_rates_on_the_second_run),
		cmocka_unit_test(
		    test_net_snmp_if_down_renumbered_alias_and_ambiguous),
		cmocka_unit_test(test_net_cancel_and_free_fire_done_correctly),
	};

	return cmocka_run_group_tests_name("agents", net, net_setup,
	    net_teardown);
}
int
main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_parse_defaults_and_lists),
		cmocka_unit_test(test_parse_bad_args_each_clear_error),
		cmocka_unit_test(test_rate_counter32_wraps_when_uptime_grew),
		cmocka_unit_test(test_rate_counter64_backwards_clears),
		cmocka_unit_test(test_rate_sysuptime_reset_is_a_restart),
		cmocka_unit_test(test_rate_first_sample_no_time_and_gauges),
		cmocka_unit_test(test_snmp_thresholds_output_and_perfdata),
		cmocka_unit_test(test_snmp_strings_names_and_string_match),
		cmocka_unit_test(test_snmp_pct_and_printer_levels),
		cmocka_unit_test(test_snmp_rate_first_sample_then_32bit_wrap),
		cmocka_unit_test(test_snmp_rate_c64_backwards_and_restart),
		cmocka_unit_test(test_snmp_rate_memory_is_bounded),
		cmocka_unit_test(test_if_up_rates_utilization_and_perfdata),
		cmocka_unit_test(test_if_down_and_admin_down),
		cmocka_unit_test(test_if_32bit_wrap_faster_than_line),
	};
	int failed = cmocka_run_group_tests_name("pure", pure, pure_setup,
	    pure_teardown);

	return failed + net_tests();
}
