/*
 * test_icmp_check: arguments, states at the thresholds, output and
 * perfdata of the built-in icmp check, and the statistics behind them
 * (median, 90th percentile, jitter) with exact expected values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>

#include "icmp_check.h"
#include "loop.h"

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

static int
parse(size_t nargs, char *const *args, struct icmp_check_params *p,
    char *err, size_t errlen)
{
	err[0] = '\0';
	return icmp_check_parse(args, nargs, p, err, errlen);
}

static void
test_check_defaults_without_args(void **state)
{
	struct icmp_check_params p;
	char err[256];

	assert_int_equal(parse(0, NULL, &p, err, sizeof(err)), 0);
	assert_true(p.warn_rta_ms == 200.0);
	assert_true(p.warn_pl == 40.0);
	assert_true(p.crit_rta_ms == 500.0);
	assert_true(p.crit_pl == 80.0);
	assert_int_equal(p.count, 5);
	assert_int_equal(p.interval_ns, 100 * LOOP_NS_PER_MSEC);
	/* max(1 s, 2 x 500 ms) */
	assert_int_equal(p.timeout_ns, LOOP_NS_PER_SEC);
}

static void
test_check_empty_args_take_defaults(void **state)
{
	char *args[] = { "", "", "" };
	char *args2[] = { "", "300,60%" };
	char *args3[] = { NULL, NULL, "3" };
	struct icmp_check_params p;
	char err[256];

	assert_int_equal(parse(NARGS(args), args, &p, err, sizeof(err)), 0);
	assert_true(p.warn_rta_ms == 200.0 && p.crit_rta_ms == 500.0);
	assert_int_equal(p.count, 5);
	assert_int_equal(parse(NARGS(args2), args2, &p, err, sizeof(err)), 0);
	assert_true(p.warn_rta_ms == 200.0 && p.warn_pl == 40.0);
	assert_true(p.crit_rta_ms == 300.0 && p.crit_pl == 60.0);
	assert_int_equal(parse(NARGS(args3), args3, &p, err, sizeof(err)), 0);
	assert_int_equal(p.count, 3);
}

static void
test_check_parses_given_args(void **state)
{
	char *args[] = { "100,20%", "300,60%", "3" };
	char *frac[] = { "200.5,40%", "800.25,80.5" };
	char *maxed[] = { "0,0%", "60000,100%", "20" };
	struct icmp_check_params p;
	char err[256];

	assert_int_equal(parse(NARGS(args), args, &p, err, sizeof(err)), 0);
	assert_true(p.warn_rta_ms == 100.0 && p.warn_pl == 20.0);
	assert_true(p.crit_rta_ms == 300.0 && p.crit_pl == 60.0);
	assert_int_equal(p.count, 3);
	assert_int_equal(p.timeout_ns, LOOP_NS_PER_SEC);

	assert_int_equal(parse(NARGS(frac), frac, &p, err, sizeof(err)), 0);
	assert_true(p.warn_rta_ms == 200.5 && p.warn_pl == 40.0);
	assert_true(p.crit_rta_ms == 800.25 && p.crit_pl == 80.5);
	/* 2 x 800.25 ms */
	assert_int_equal(p.timeout_ns, 1600500 * INT64_C(1000));

	assert_int_equal(parse(NARGS(maxed), maxed, &p, err, sizeof(err)), 0);
	assert_int_equal(p.count, 20);
	assert_int_equal(p.timeout_ns, 120 * LOOP_NS_PER_SEC);
}

static void
test_check_bad_threshold_names_argument(void **state)
{
	static const char *const bad[] = { "20x,5%", "-1,5%", "200,-5%",
		"200,101%", "200", ",40%", "200,", "200,%", "200,40%%",
		" 200,40%", "200,40% ", "1e3,40%", "0x10,40%", "inf,40%",
		"nan,40%", "200..5,40%", ".5,40%", "5.,40%", "200,40,5%",
		"60001,40%", "+200,40%", "200%,40%", "12345678901234567,1%" };
	struct icmp_check_params p;
	char err[256], want[256];
	char *args[2];
	size_t i;

	for (i = 0; i < NARGS(bad); i++) {
		args[0] = (char *)(uintptr_t)bad[i];
		assert_int_equal(parse(1, args, &p, err, sizeof(err)),
		    -EINVAL);
		snprintf(want, sizeof(want),
		    "icmp: ARG1 '%s': expected rta,pl%%", bad[i]);
		assert_string_equal(err, want);

		args[0] = "";
		args[1] = (char *)(uintptr_t)bad[i];
		assert_int_equal(parse(2, args, &p, err, sizeof(err)),
		    -EINVAL);
		snprintf(want, sizeof(want),
		    "icmp: ARG2 '%s': expected rta,pl%%", bad[i]);
		assert_string_equal(err, want);
	}
}

static void
test_check_bad_count(void **state)
{
	static const char *const bad[] = { "0", "21", "-1", "5x", "x",
		"100", " 5", "5 ", "+5", "2.0" };
	char *args[3] = { "", "" };
	struct icmp_check_params p;
	char err[256], want[256];
	size_t i;

	for (i = 0; i < NARGS(bad); i++) {
		args[2] = (char *)(uintptr_t)bad[i];
		assert_int_equal(parse(3, args, &p, err, sizeof(err)),
		    -EINVAL);
		snprintf(want, sizeof(want),
		    "icmp: ARG3 '%s': expected a packet count from 1 to 20",
		    bad[i]);
		assert_string_equal(err, want);
	}
	args[2] = "1";
	assert_int_equal(parse(3, args, &p, err, sizeof(err)), 0);
	assert_int_equal(p.count, 1);
}

static void
test_check_warning_must_not_exceed_critical(void **state)
{
	char *rta[] = { "600,40%" };        /* default critical 500 */
	char *pl[] = { "200,90%" };         /* default critical 80% */
	char *both[] = { "300,60%", "200,80%" };
	char *equal[] = { "300,60%", "300,60%" };
	struct icmp_check_params p;
	char err[256];

	assert_int_equal(parse(1, rta, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "icmp: warning 600,40% (ARG1) exceeds "
				 "critical 500,80% (ARG2)");
	assert_int_equal(parse(1, pl, &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(2, both, &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(parse(2, equal, &p, err, sizeof(err)), 0);
}

static void
test_check_extra_args(void **state)
{
	char *extra[] = { "", "", "", "x" };
	char *empty_extra[] = { "", "", "", "" };
	struct icmp_check_params p;
	char err[256];

	char *extra5[] = { "", "", "", "", "y" };
	char *empty5[] = { "", "", "", "", "" };

	assert_int_equal(parse(4, extra, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
	    "icmp: ARG4 'x': expected warn,crit jitter in ms");
	assert_int_equal(parse(4, empty_extra, &p, err, sizeof(err)), 0);
	assert_false(p.jitter_set);
	assert_int_equal(parse(5, extra5, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "icmp: ARG5 'y': unexpected argument (icmp "
				 "takes warning, critical, packet count and "
				 "jitter)");
	assert_int_equal(parse(5, empty5, &p, err, sizeof(err)), 0);
}

static void
test_check_request(void **state)
{
	char *args[] = { "", "", "3" };
	const struct sockaddr_in *sin;
	struct icmp_check_params p;
	struct icmp_request req;
	char err[256];

	assert_int_equal(parse(3, args, &p, err, sizeof(err)), 0);
	assert_int_equal(icmp_check_request(&p, "192.0.2.1", &req, err,
			     sizeof(err)),
	    0);
	sin = (const struct sockaddr_in *)&req.addr;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0000201);
	assert_int_equal(req.addrlen, sizeof(struct sockaddr_in));
	assert_int_equal(req.count, 3);
	assert_int_equal(req.interval_ns, p.interval_ns);
	assert_int_equal(req.timeout_ns, p.timeout_ns);

	assert_int_equal(icmp_check_request(&p, "router1", &req, err,
			     sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "icmp: address 'router1' is not an IPv4 or "
				 "IPv6 address (host names must be resolved "
				 "before the check)");
	assert_int_equal(icmp_check_request(&p, "1.2.3", &req, err,
			     sizeof(err)),
	    -EINVAL);
	assert_int_equal(icmp_check_request(&p, "1.2.3.4 ", &req, err,
			     sizeof(err)),
	    -EINVAL);
	assert_int_equal(icmp_check_request(&p, NULL, &req, err, sizeof(err)),
	    -EINVAL);
}

/* ---- results ---- */

struct fx {
	struct icmp_check_params p;
	struct icmp_result r;
	double rtt[ICMP_MAX_COUNT]; /* r.rtt_ms points here */
	struct check_result out;
};

static int
fx_setup(void **state)
{
	static struct fx f;
	char err[64];

	memset(&f, 0, sizeof(f));
	assert_int_equal(icmp_check_parse(NULL, 0, &f.p, err, sizeof(err)), 0);
	*state = &f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	check_result_clear(&f->out);
	return 0;
}

/* Fill f->r with received RTTs equal to avg (kept in f->rtt) and the given
 * statistics. */
static void
set_rtt(struct fx *f, int sent, int received, double min, double avg,
    double max)
{
	struct icmp_result *r = &f->r;
	int i;

	memset(r, 0, sizeof(*r));
	r->sent = sent;
	r->received = received;
	r->rtt_min_ms = min;
	r->rtt_avg_ms = avg;
	r->rtt_max_ms = max;
	for (i = 0; i < received && i < ICMP_MAX_COUNT; i++)
		f->rtt[i] = avg;
	r->rtt_ms = f->rtt;
}

static void
result(struct fx *f)
{
	icmp_check_result(&f->p, "192.0.2.1", &f->r, &f->out);
}

static void
test_check_result_ok_output_and_perfdata(void **state)
{
	struct fx *f = *state;

	set_rtt(f, 5, 5, 0.301, 0.412, 0.512);
	result(f);
	assert_int_equal(f->out.code, CHECK_OK);
	assert_string_equal(f->out.output,
	    "OK - 192.0.2.1 rta 0.412ms, lost 0%");
	assert_string_equal(f->out.perfdata,
	    "rta=0.412ms;200.000;500.000;0; pl=0%;40;80;0;100 "
	    "rtmax=0.512ms;;;; rtmin=0.301ms;;;; rtmed=0.412ms;;;; "
	    "rtp90=0.412ms;;;; jitter=0.000ms;;;0;");
}

static void
test_check_result_rta_at_thresholds(void **state)
{
	static const struct {
		double rta;
		int code;
	} cases[] = {
		{ 199.999, CHECK_OK },
		{ 200.0, CHECK_WARNING }, /* >= triggers, as check_icmp */
		{ 200.001, CHECK_WARNING },
		{ 499.999, CHECK_WARNING },
		{ 500.0, CHECK_CRITICAL },
		{ 2000.0, CHECK_CRITICAL },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < NARGS(cases); i++) {
		set_rtt(f, 5, 5, cases[i].rta, cases[i].rta, cases[i].rta);
		result(f);
		assert_int_equal(f->out.code, cases[i].code);
	}
	set_rtt(f, 5, 5, 190.0, 200.0, 210.0);
	result(f);
	assert_string_equal(f->out.output,
	    "WARNING - 192.0.2.1 rta 200.000ms, lost 0%");
	set_rtt(f, 5, 5, 500.0, 500.0, 500.0);
	result(f);
	assert_string_equal(f->out.output,
	    "CRITICAL - 192.0.2.1 rta 500.000ms, lost 0%");
}

static void
test_check_result_loss_at_thresholds(void **state)
{
	static const struct {
		int sent, received;
		int code;
		const char *pl;
	} cases[] = {
		{ 5, 4, CHECK_OK, "lost 20%" },
		{ 5, 3, CHECK_WARNING, "lost 40%" }, /* = warning */
		{ 5, 2, CHECK_WARNING, "lost 60%" },
		{ 5, 1, CHECK_CRITICAL, "lost 80%" }, /* = critical */
		{ 10, 7, CHECK_OK, "lost 30%" },
		{ 10, 6, CHECK_WARNING, "lost 40%" },
		{ 3, 2, CHECK_OK, "lost 33%" }, /* rounded down */
		{ 20, 5, CHECK_WARNING, "lost 75%" },
	};
	struct fx *f = *state;
	char want[128];
	size_t i;

	for (i = 0; i < NARGS(cases); i++) {
		set_rtt(f, cases[i].sent, cases[i].received, 1.0, 1.0,
		    1.0);
		result(f);
		assert_int_equal(f->out.code, cases[i].code);
		snprintf(want, sizeof(want), "rta 1.000ms, %s", cases[i].pl);
		assert_non_null(strstr(f->out.output, want));
	}
	set_rtt(f, 5, 3, 1.0, 1.5, 2.0);
	result(f);
	assert_string_equal(f->out.perfdata,
	    "rta=1.500ms;200.000;500.000;0; pl=40%;40;80;0;100 "
	    "rtmax=2.000ms;;;; rtmin=1.000ms;;;; rtmed=1.500ms;;;; "
	    "rtp90=1.500ms;;;; jitter=0.000ms;;;0;");
}

static void
test_check_result_worse_of_rta_and_loss(void **state)
{
	struct fx *f = *state;

	set_rtt(f, 5, 3, 600.0, 600.0, 600.0); /* rta crit, pl warn */
	result(f);
	assert_int_equal(f->out.code, CHECK_CRITICAL);
	set_rtt(f, 5, 1, 1.0, 1.0, 1.0); /* rta ok, pl crit */
	result(f);
	assert_int_equal(f->out.code, CHECK_CRITICAL);
	set_rtt(f, 5, 5, 250.0, 250.0, 250.0); /* rta warn, pl ok */
	result(f);
	assert_int_equal(f->out.code, CHECK_WARNING);
}

static void
test_check_result_total_loss(void **state)
{
	struct fx *f = *state;

	set_rtt(f, 5, 0, 0, 0, 0);
	icmp_check_result(&f->p, "10.66.11.10", &f->r, &f->out);
	assert_int_equal(f->out.code, CHECK_CRITICAL);
	assert_string_equal(f->out.output,
	    "CRITICAL - 10.66.11.10 rta nan, lost 100%");
	assert_string_equal(f->out.perfdata, "pl=100%;40;80;0;100");

	/* 100% loss is CRITICAL even when critical pl is 100%. */
	f->p.crit_pl = 100.0;
	result(f);
	assert_int_equal(f->out.code, CHECK_CRITICAL);
	assert_string_equal(f->out.perfdata, "pl=100%;40;100;0;100");
}

static void
test_check_result_total_loss_with_reasons(void **state)
{
	struct fx *f = *state;

	set_rtt(f, 5, 0, 0, 0, 0);
	f->r.icmp_errors = 5;
	snprintf(f->r.icmp_error_text, sizeof(f->r.icmp_error_text),
	    "Destination Host Unreachable from 10.66.1.2");
	icmp_check_result(&f->p, "10.66.11.10", &f->r, &f->out);
	assert_int_equal(f->out.code, CHECK_CRITICAL);
	assert_string_equal(f->out.output,
	    "CRITICAL - 10.66.11.10 rta nan, lost 100% (Destination Host "
	    "Unreachable from 10.66.1.2)");

	set_rtt(f, 5, 0, 0, 0, 0);
	f->r.send_errno = EHOSTUNREACH;
	icmp_check_result(&f->p, "10.66.11.10", &f->r, &f->out);
	assert_string_equal(f->out.output,
	    "CRITICAL - 10.66.11.10 rta nan, lost 100% (send failed: No route "
	    "to host)");
	assert_string_equal(f->out.perfdata, "pl=100%;40;80;0;100");

	/* Both reasons. */
	f->r.icmp_errors = 1;
	snprintf(f->r.icmp_error_text, sizeof(f->r.icmp_error_text),
	    "Time to live exceeded from 10.66.1.2");
	icmp_check_result(&f->p, "10.66.11.10", &f->r, &f->out);
	assert_string_equal(f->out.output,
	    "CRITICAL - 10.66.11.10 rta nan, lost 100% (Time to live exceeded "
	    "from 10.66.1.2) (send failed: No route to host)");

	/* An unterminated error text is read within its array only. */
	memset(f->r.icmp_error_text, 'x', sizeof(f->r.icmp_error_text));
	f->r.send_errno = 0;
	icmp_check_result(&f->p, "10.66.11.10", &f->r, &f->out);
	assert_int_equal(strlen(f->out.output),
	    strlen("CRITICAL - 10.66.11.10 rta nan, lost 100% ()") +
		sizeof(f->r.icmp_error_text));

	/* Partial loss keeps the reason too. */
	set_rtt(f, 5, 3, 1.0, 1.0, 1.0);
	f->r.icmp_errors = 2;
	snprintf(f->r.icmp_error_text, sizeof(f->r.icmp_error_text),
	    "Time to live exceeded from 10.66.1.2");
	result(f);
	assert_string_equal(f->out.output,
	    "WARNING - 192.0.2.1 rta 1.000ms, lost 40% (Time to live exceeded "
	    "from 10.66.1.2)");
}

static void
test_check_result_aborted(void **state)
{
	struct fx *f = *state;

	set_rtt(f, 2, 1, 1.0, 1.0, 1.0);
	f->r.aborted = true;
	result(f);
	assert_int_equal(f->out.code, CHECK_UNKNOWN);
	assert_string_equal(f->out.output, "UNKNOWN - icmp check aborted");
	assert_null(f->out.perfdata);
}

static void
test_check_result_custom_thresholds_in_perfdata(void **state)
{
	char *args[] = { "100.5,20%", "300,60.5%", "3" };
	struct fx *f = *state;
	char err[64];

	assert_int_equal(icmp_check_parse(args, 3, &f->p, err, sizeof(err)),
	    0);
	set_rtt(f, 3, 3, 0.043, 0.043, 0.043);
	result(f);
	assert_string_equal(f->out.output,
	    "OK - 192.0.2.1 rta 0.043ms, lost 0%");
	assert_string_equal(f->out.perfdata,
	    "rta=0.043ms;100.500;300.000;0; pl=0%;20;60.5;0;100 "
	    "rtmax=0.043ms;;;; rtmin=0.043ms;;;; rtmed=0.043ms;;;; "
	    "rtp90=0.043ms;;;; jitter=0.000ms;;;0;");
}


static void
test_check_request_ipv6(void **state)
{
	char *args[] = { "", "", "4" };
	const struct sockaddr_in6 *sin6;
	struct icmp_check_params p;
	struct icmp_request req;
	struct in6_addr want;
	char err[256];
	static const char *const bad[] = { "::1%", "::1%nosuchif0",
		"::1%lo%lo", "2001:db8::1::2", "[::1]", "::1 ", "%lo",
		"fe80::1%aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"2001:0db8:0000:0000:0000:0000:0000:0000:1", "" };
	size_t i;

	assert_int_equal(parse(3, args, &p, err, sizeof(err)), 0);
	assert_int_equal(icmp_check_request(&p, "2001:db8::7", &req, err,
			     sizeof(err)),
	    0);
	sin6 = (const struct sockaddr_in6 *)&req.addr;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(req.addrlen, sizeof(struct sockaddr_in6));
	inet_pton(AF_INET6, "2001:db8::7", &want);
	assert_memory_equal(&sin6->sin6_addr, &want, sizeof(want));
	assert_int_equal(sin6->sin6_scope_id, 0);
	assert_int_equal(req.count, 4);
	assert_int_equal(req.timeout_ns, p.timeout_ns);

	/* Link-local with its interface. */
	assert_int_equal(icmp_check_request(&p, "fe80::1%lo", &req, err,
			     sizeof(err)),
	    0);
	assert_int_equal(sin6->sin6_scope_id, if_nametoindex("lo"));
	/* IPv4-mapped is IPv6 syntax, fine. */
	assert_int_equal(icmp_check_request(&p, "::ffff:192.0.2.1", &req, err,
			     sizeof(err)),
	    0);
	for (i = 0; i < NARGS(bad); i++)
		assert_int_equal(icmp_check_request(&p, bad[i], &req, err,
				     sizeof(err)),
		    -EINVAL);
}

static void
test_check_jitter_thresholds_parse(void **state)
{
	static const char *const bad[] = { "5", ",5", "5,", "x,1", "-1,2",
		"1,2,3", "1;2", "5 ,10", "1e1,20", "60001,60002", "inf,inf" };
	char *args[4] = { "", "", "", NULL };
	struct icmp_check_params p;
	char err[256], want[256];
	size_t i;

	args[3] = "5,20";
	assert_int_equal(parse(4, args, &p, err, sizeof(err)), 0);
	assert_true(p.jitter_set);
	assert_true(p.warn_jitter_ms == 5.0 && p.crit_jitter_ms == 20.0);
	args[3] = "0.5,0.5"; /* equal is fine */
	assert_int_equal(parse(4, args, &p, err, sizeof(err)), 0);
	assert_true(p.warn_jitter_ms == 0.5 && p.crit_jitter_ms == 0.5);
	args[3] = "";
	assert_int_equal(parse(4, args, &p, err, sizeof(err)), 0);
	assert_false(p.jitter_set);
	for (i = 0; i < NARGS(bad); i++) {
		args[3] = (char *)(uintptr_t)bad[i];
		assert_int_equal(parse(4, args, &p, err, sizeof(err)),
		    -EINVAL);
		snprintf(want, sizeof(want),
		    "icmp: ARG4 '%s': expected warn,crit jitter in ms", bad[i]);
		assert_string_equal(err, want);
	}
	args[3] = "20,5";
	assert_int_equal(parse(4, args, &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
	    "icmp: ARG4 '20,5': jitter warning exceeds critical");
}

/* icmp_result_stats(): min, max, average, jitter over rtt_ms. */
static void
test_result_stats_exact(void **state)
{
	static const double v[] = { 1.0, 3.0, 2.0, 6.0 };
	struct icmp_result r;
	double rtt[4];

	memset(&r, 0, sizeof(r));
	memcpy(rtt, v, sizeof(v));
	r.rtt_ms = rtt;
	r.received = 4;
	icmp_result_stats(&r);
	assert_true(r.rtt_min_ms == 1.0);
	assert_true(r.rtt_max_ms == 6.0);
	assert_true(r.rtt_avg_ms == 3.0);
	/* (|3-1| + |2-3| + |6-2|) / 3 */
	assert_true(r.rtt_jitter_ms == 7.0 / 3.0);

	/* A constant RTT has no jitter; one reply has none either. */
	rtt[0] = rtt[1] = rtt[2] = 0.25;
	r.received = 3;
	icmp_result_stats(&r);
	assert_true(r.rtt_jitter_ms == 0.0 && r.rtt_avg_ms == 0.25);
	r.received = 1;
	icmp_result_stats(&r);
	assert_true(r.rtt_jitter_ms == 0.0);
	assert_true(r.rtt_min_ms == 0.25 && r.rtt_max_ms == 0.25);
	r.received = 0;
	icmp_result_stats(&r);
	assert_true(r.rtt_avg_ms == 0.0 && r.rtt_max_ms == 0.0);
	/* No array at all: nothing to read. */
	r.rtt_ms = NULL;
	r.received = 0;
	icmp_result_stats(&r);
	assert_true(r.rtt_avg_ms == 0.0 && r.rtt_jitter_ms == 0.0);
}

/* Fill r with n RTTs (send order) and their statistics. */
static void
set_rtts(struct icmp_result *r, int sent, const double *v, int n)
{
	memset(r, 0, sizeof(*r));
	r->sent = sent;
	r->received = n;
	r->rtt_ms = v; /* borrowed: v outlives r's use */
	icmp_result_stats(r);
}

/* Median and 90th percentile by nearest rank, in the perfdata. */
static void
test_check_result_percentiles_exact(void **state)
{
	static const double five[] = { 5.0, 1.0, 4.0, 2.0, 3.0 };
	static const double two[] = { 1.0, 3.0 };
	static const double one[] = { 7.5 };
	double twenty[20];
	struct fx *f = *state;
	int i;

	/* 5 replies: ranks 3 (median) and 5 (p90: the maximum). Jitter:
	 * (4 + 3 + 2 + 1) / 4 = 2.5. */
	set_rtts(&f->r, 5, five, 5);
	result(f);
	assert_string_equal(f->out.perfdata,
	    "rta=3.000ms;200.000;500.000;0; pl=0%;40;80;0;100 "
	    "rtmax=5.000ms;;;; rtmin=1.000ms;;;; rtmed=3.000ms;;;; "
	    "rtp90=5.000ms;;;; jitter=2.500ms;;;0;");
	/* 2 replies of 5: the lower one is the median (rank 1). */
	set_rtts(&f->r, 5, two, 2);
	result(f);
	assert_string_equal(f->out.perfdata,
	    "rta=2.000ms;200.000;500.000;0; pl=60%;40;80;0;100 "
	    "rtmax=3.000ms;;;; rtmin=1.000ms;;;; rtmed=1.000ms;;;; "
	    "rtp90=3.000ms;;;; jitter=2.000ms;;;0;");
	/* 1 reply: no jitter to show. */
	set_rtts(&f->r, 5, one, 1);
	result(f);
	assert_string_equal(f->out.perfdata,
	    "rta=7.500ms;200.000;500.000;0; pl=80%;40;80;0;100 "
	    "rtmax=7.500ms;;;; rtmin=7.500ms;;;; rtmed=7.500ms;;;; "
	    "rtp90=7.500ms;;;;");
	/* 20 replies, 20 down to 1 ms: ranks 10 and 18. */
	for (i = 0; i < 20; i++)
		twenty[i] = 20.0 - i;
	set_rtts(&f->r, 20, twenty, 20);
	result(f);
	assert_string_equal(f->out.perfdata,
	    "rta=10.500ms;200.000;500.000;0; pl=0%;40;80;0;100 "
	    "rtmax=20.000ms;;;; rtmin=1.000ms;;;; rtmed=10.000ms;;;; "
	    "rtp90=18.000ms;;;; jitter=1.000ms;;;0;");
}

/* With ARG4, jitter is judged (>=, like rta and pl) and shown; the state
 * is the worst of the three. */
static void
test_check_result_jitter_thresholds(void **state)
{
	static const struct {
		double a, b;
		int code;
		const char *out;
	} cases[] = {
		{ 1.0, 5.998, CHECK_OK,
		    "OK - 192.0.2.1 rta 3.499ms, lost 0%, jitter 4.998ms" },
		{ 1.0, 6.0, CHECK_WARNING,
		    "WARNING - 192.0.2.1 rta 3.500ms, lost 0%, jitter 5.000ms" },
		{ 1.0, 21.0, CHECK_CRITICAL,
		    "CRITICAL - 192.0.2.1 rta 11.000ms, lost 0%, jitter "
		    "20.000ms" },
	};
	char *args[] = { "", "", "", "5,20" };
	struct fx *f = *state;
	char err[64];
	double v[2];
	size_t i;

	assert_int_equal(icmp_check_parse(args, 4, &f->p, err, sizeof(err)),
	    0);
	for (i = 0; i < NARGS(cases); i++) {
		v[0] = cases[i].a;
		v[1] = cases[i].b;
		set_rtts(&f->r, 2, v, 2);
		result(f);
		assert_int_equal(f->out.code, cases[i].code);
		assert_string_equal(f->out.output, cases[i].out);
	}
	assert_string_equal(f->out.perfdata,
	    "rta=11.000ms;200.000;500.000;0; pl=0%;40;80;0;100 "
	    "rtmax=21.000ms;;;; rtmin=1.000ms;;;; rtmed=1.000ms;;;; "
	    "rtp90=21.000ms;;;; jitter=20.000ms;5.000;20.000;0;");

	/* Worst of three: loss warning beats an OK jitter; a critical
	 * jitter beats a loss warning. */
	v[0] = 1.0;
	v[1] = 2.0;
	set_rtts(&f->r, 4, v, 2); /* 50% lost: WARNING */
	result(f);
	assert_int_equal(f->out.code, CHECK_WARNING);
	v[1] = 30.0;
	set_rtts(&f->r, 4, v, 2);
	result(f);
	assert_int_equal(f->out.code, CHECK_CRITICAL);
	/* One reply: no jitter, not judged, not shown. */
	set_rtts(&f->r, 2, v, 1);
	result(f);
	assert_int_equal(f->out.code, CHECK_WARNING);
	assert_string_equal(f->out.output,
	    "WARNING - 192.0.2.1 rta 1.000ms, lost 50%");
}

#define FX(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_defaults_without_args),
		cmocka_unit_test(test_check_empty_args_take_defaults),
		cmocka_unit_test(test_check_parses_given_args),
		cmocka_unit_test(test_check_bad_threshold_names_argument),
		cmocka_unit_test(test_check_bad_count),
		cmocka_unit_test(test_check_warning_must_not_exceed_critical),
		cmocka_unit_test(test_check_extra_args),
		cmocka_unit_test(test_check_request),
		cmocka_unit_test(test_check_request_ipv6),
		cmocka_unit_test(test_check_jitter_thresholds_parse),
		cmocka_unit_test(test_result_stats_exact),
		FX(test_check_result_ok_output_and_perfdata),
		FX(test_check_result_rta_at_thresholds),
		FX(test_check_result_loss_at_thresholds),
		FX(test_check_result_worse_of_rta_and_loss),
		FX(test_check_result_total_loss),
		FX(test_check_result_total_loss_with_reasons),
		FX(test_check_result_aborted),
		FX(test_check_result_custom_thresholds_in_perfdata),
		FX(test_check_result_percentiles_exact),
		FX(test_check_result_jitter_thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
