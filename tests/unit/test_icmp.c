/*
 * test_icmp: the prober against real sockets on loopback, IPv4 and IPv6.
 *
 * When it may (root, or an unprivileged user namespace), the test moves
 * into a network namespace of its own with only `lo` up, so that it can
 * change sysctls there (net.ipv4.ping_group_range, echo_ignore_all), add
 * reject routes, probe addresses without a route, and play the peer itself
 * (test_icmp_peer.c). The namespace goes away with the process.
 *
 * The environment is set up by test_icmp_net.c. The suite runs with the
 * sockets the prober opens (raw when privileged),
 * once per family, and in the namespace once more per family after
 * dropping CAP_NET_RAW, so that the datagram socket path (kernel
 * identifier, error queue) is exercised too. Without any ICMP socket every
 * test is skipped. No test depends on how fast the machine is: timing is
 * checked through the prober's own counters and completion order.
 */
#include "test_icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "icmp_check.h"
#include "log.h"

#define NO_ROUTE4  "10.255.255.1"
#define NO_ROUTE6  "2001:db8:1::1"
#define REJECT4    "10.99.0.1"          /* in 10.99.0.0/16, unreachable */
#define REJECT6    "2001:db8:dead::1"   /* in 2001:db8:dead::/48, too */

/* ---- fixture ---- */

static int
resp_rx_fd(const struct env *env)
{
	return env->family == AF_INET ? env->resp4_fd : env->resp6_rx_fd;
}

static int
fx_setup(void **state)
{
	struct env *env = *state;
	char err[512];
	struct fx *fx;
	uint8_t junk[2048];
	int ret;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->env = env;
	fx->family = env->family;
	assert_int_equal(loop_new(&fx->loop), 0);
	ret = icmp_new(fx->loop, &fx->icmp, err, sizeof(err));
	if (ret < 0) {
		if (!env->told)
			print_message("no ICMP socket: %s\n", err);
		env->told = true;
		fx->icmp = NULL;
	}
	fx->resp.env = env;
	fx->resp.family = env->family;
	fx->resp.rnd = 2463534242u;
	if (resp_rx_fd(env) >= 0)
		while (recv(resp_rx_fd(env), junk, sizeof(junk), 0) >= 0)
			;
	*state = fx;
	return 0;
}

static const char *
echo_ignore_path(int family)
{
	return family == AF_INET ? "/proc/sys/net/ipv4/icmp_echo_ignore_all" :
				   "/proc/sys/net/ipv6/icmp/echo_ignore_all";
}

static int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->resp_on)
		loop_io_del(fx->loop, resp_rx_fd(fx->env));
	icmp_free(fx->icmp);
	free(fx->many);
	assert_int_equal(loop_timer_count(fx->loop), 0);
	loop_free(fx->loop);
	if (fx->echo_ignored)
		(void)test_write_file(echo_ignore_path(fx->family), "0");
	free(fx);
	return 0;
}

const char *
tgt(const struct fx *fx)
{
	return fx->family == AF_INET ? "127.0.0.1" : "::1";
}

const char *
other(const struct fx *fx)
{
	return fx->family == AF_INET ? "127.0.0.9" : "fd00::9";
}

/* Skip unless the prober has a socket of this run's family; check the
 * mode of this run. */
void
need_icmp(struct fx *fx)
{
	if (fx->icmp == NULL || !icmp_has_family(fx->icmp, fx->family))
		skip();
	if (fx->env->want_dgram)
		assert_int_equal(fx->family == AF_INET ?
			icmp_get_mode(fx->icmp) :
			icmp_get_mode6(fx->icmp),
		    ICMP_MODE_DGRAM);
}

/* Additionally: be the peer (kernel echo replies off), in mode m. */
void
need_responder(struct fx *fx, enum resp_mode m)
{
	need_icmp(fx);
	if (!fx->env->netns || resp_rx_fd(fx->env) < 0)
		skip();
	assert_int_equal(test_write_file(echo_ignore_path(fx->family), "1"),
	    0);
	fx->echo_ignored = true;
	fx->resp.mode = m;
	assert_int_equal(loop_io_add(fx->loop, resp_rx_fd(fx->env), LOOP_READ,
			     resp_on_read, &fx->resp),
	    0);
	fx->resp_on = true;
}

static struct icmp_request
mkreq(int family, const char *a, int count, int64_t interval_ns,
    int64_t timeout_ns)
{
	struct icmp_request req;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&req.addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.addr;

	memset(&req, 0, sizeof(req));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, a, &sin->sin_addr), 1);
		req.addrlen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, a, &sin6->sin6_addr), 1);
		req.addrlen = sizeof(*sin6);
	}
	req.count = count;
	req.interval_ns = interval_ns;
	req.timeout_ns = timeout_ns;
	return req;
}

static void
on_done(const struct icmp_result *res, void *arg)
{
	struct done *d = arg;
	struct icmp_request req;

	d->calls++;
	/* The result and its arrays are borrowed: keep copies. */
	assert_true(res->received >= 0 && res->received <= ICMP_MAX_COUNT);
	assert_true(res->received == 0 ||
	    (res->rtt_ms != NULL && res->rtt_req != NULL));
	d->res = *res;
	if (res->received > 0) {
		memcpy(d->rtt_ms, res->rtt_ms,
		    (size_t)res->received * sizeof(*d->rtt_ms));
		memcpy(d->rtt_req, res->rtt_req,
		    (size_t)res->received * sizeof(*d->rtt_req));
	}
	d->res.rtt_ms = d->rtt_ms;
	d->res.rtt_req = d->rtt_req;
	d->at_ns = loop_clock();
	d->finished_as = d->fx->finished++;
	if (d->completed != NULL)
		(*d->completed)++;
	if (d->cancel != NULL) {
		icmp_probe_cancel(d->fx->icmp, d->cancel);
		d->cancel = NULL;
	}
	if (d->start_new != NULL) {
		req = mkreq(d->fx->family, tgt(d->fx), 2, 5 * MS,
		    LOOP_NS_PER_SEC);
		d->start_new->fx = d->fx;
		assert_int_equal(icmp_probe_start(d->fx->icmp, &req, on_done,
				     d->start_new, NULL),
		    0);
		d->start_new = NULL;
	}
	if (d->free_icmp) {
		icmp_free(d->fx->icmp);
		d->fx->icmp = NULL;
	}
}

/* Run loop passes until *calls reaches want or max_ns passed. */
void
run_until(struct fx *fx, const int *calls, int want, int64_t max_ns)
{
	int64_t end = loop_clock() + max_ns;

	while (*calls < want && loop_clock() < end)
		assert_true(loop_run_once(fx->loop, 10 * MS) >= 0);
}

void
run_for(struct fx *fx, int64_t ns)
{
	int64_t end = loop_clock() + ns;

	while (loop_clock() < end)
		assert_true(loop_run_once(fx->loop, 5 * MS) >= 0);
}

void
start(struct fx *fx, const char *a, int count, int64_t interval_ns,
    int64_t timeout_ns, struct done *d, struct icmp_probe **out)
{
	struct icmp_request req = mkreq(fx->family, a, count, interval_ns,
	    timeout_ns);

	d->fx = fx;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, out), 0);
}

/* ---- tests: the kernel answers ---- */

static void
test_icmp_loopback_all_received(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	const struct icmp_counters *c;
	bool raw;
	int i;

	need_icmp(fx);
	raw = (fx->family == AF_INET ? icmp_get_mode(fx->icmp) :
				       icmp_get_mode6(fx->icmp)) ==
	    ICMP_MODE_RAW;
	start(fx, tgt(fx), 5, 10 * MS, LOOP_NS_PER_SEC, d, NULL);
	assert_int_equal(icmp_pending(fx->icmp), 1);
	assert_int_equal(d->calls, 0); /* never from icmp_probe_start() */
	run_until(fx, &d->calls, 1, 5 * LOOP_NS_PER_SEC);
	assert_int_equal(d->calls, 1);
	assert_false(d->res.aborted);
	assert_int_equal(d->res.sent, 5);
	assert_int_equal(d->res.received, 5);
	assert_int_equal(d->res.send_errno, 0);
	assert_int_equal(d->res.icmp_errors, 0);
	/* RTTs in send order, positive and not absurd; the statistics
	 * consistent with them. */
	for (i = 0; i < 5; i++) {
		assert_int_equal(d->res.rtt_req[i], i);
		assert_true(d->res.rtt_ms[i] > 0.0);
		assert_true(d->res.rtt_ms[i] < 1000.0);
	}
	assert_true(d->res.rtt_min_ms <= d->res.rtt_avg_ms);
	assert_true(d->res.rtt_avg_ms <= d->res.rtt_max_ms);
	assert_true(d->res.rtt_jitter_ms >= 0.0);
	assert_true(d->res.rtt_jitter_ms <=
	    d->res.rtt_max_ms - d->res.rtt_min_ms + 1e-9);
	assert_int_equal(icmp_pending(fx->icmp), 0);
	c = icmp_get_counters(fx->icmp);
	assert_true(c->rx_packets >= 5);
	assert_int_equal(c->tx_packets, 5);
	assert_int_equal(c->rx_bad_cookie, 0);
	assert_int_equal(c->rx_bad_checksum, 0);
	assert_int_equal(c->tx_errors, 0);
	assert_int_equal(c->rx_bad_timestamp, 0);
	assert_int_equal(c->ts_unmatched, 0);
	/* On loopback with a raw socket every RTT comes from the kernel's
	 * send and receive stamps. */
	if (raw) {
		assert_int_equal(d->res.rtt_kernel, 5);
		assert_int_equal(c->ts_fallback, 0);
	} else
		assert_int_equal(c->ts_fallback,
		    (uint64_t)(5 - d->res.rtt_kernel));
}

/* Completes early: well before the timeout once all are answered. */
static void
test_icmp_completes_when_all_answered(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	int64_t t0;

	need_icmp(fx);
	t0 = loop_clock();
	start(fx, tgt(fx), 2, 0, 10 * LOOP_NS_PER_SEC, d, NULL);
	run_until(fx, &d->calls, 1, 5 * LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 2);
	assert_true(d->at_ns - t0 < 2 * LOOP_NS_PER_SEC);
}

static void
test_icmp_cancel_fires_once_aborted(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	struct icmp_probe *p;

	need_icmp(fx);
	start(fx, tgt(fx), 5, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC, d, &p);
	assert_non_null(p);
	run_for(fx, 30 * MS);
	assert_int_equal(d->calls, 0);
	icmp_probe_cancel(fx->icmp, p);
	assert_int_equal(d->calls, 1);
	assert_true(d->res.aborted);
	assert_int_equal(d->res.sent, 1);
	assert_int_equal(icmp_pending(fx->icmp), 0);
	run_for(fx, 50 * MS);
	assert_int_equal(d->calls, 1);
}

static void
test_icmp_free_aborts_each_pending_once(void **state)
{
	struct fx *fx = *state;
	struct done *d = fx->d;
	int i;

	need_icmp(fx);
	for (i = 0; i < 10; i++)
		start(fx, tgt(fx), 3, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC, &d[i],
		    NULL);
	run_for(fx, 20 * MS);
	assert_int_equal(icmp_pending(fx->icmp), 10);
	icmp_free(fx->icmp);
	fx->icmp = NULL;
	for (i = 0; i < 10; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_true(d[i].res.aborted);
	}
	assert_int_equal(loop_timer_count(fx->loop), 0);
}

static void
test_icmp_rejects_bad_requests(void **state)
{
	struct fx *fx = *state;
	struct icmp_request req;
	struct done *d = &fx->d[0];
	struct icmp_probe *p = (struct icmp_probe *)d;

	need_icmp(fx);
	d->fx = fx;
	req = mkreq(fx->family, tgt(fx), 0, MS, MS);
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, &p),
	    -EINVAL);
	assert_null(p);
	req.count = ICMP_MAX_COUNT + 1;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req.count = ICMP_MAX_COUNT;
	req.interval_ns = -1;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req = mkreq(fx->family, tgt(fx), 1, MS, -1);
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req = mkreq(fx->family, tgt(fx), 1, MS, MS);
	req.addr.ss_family = AF_UNIX;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EAFNOSUPPORT);
	req = mkreq(fx->family, tgt(fx), 1, MS, MS);
	req.addrlen = fx->family == AF_INET ? 4 :
					      sizeof(struct sockaddr_in);
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	run_for(fx, 10 * MS);
	assert_int_equal(d->calls, 0);
	assert_int_equal(icmp_pending(fx->icmp), 0);
}

/* 2000 probes in flight at once (IPv4: to distinct 127/8 addresses),
 * sent and read in batches. */
static void
test_icmp_2000_probes_in_flight(void **state)
{
	enum { N = 2000, COUNT = 3 };
	struct fx *fx = *state;
	struct done *d;
	const struct icmp_counters *c;
	char a[INET6_ADDRSTRLEN];
	int i;

	need_icmp(fx);
	d = fx->many = calloc(N, sizeof(*d));
	assert_non_null(d);
	for (i = 0; i < N; i++) {
		if (fx->family == AF_INET)
			snprintf(a, sizeof(a), "127.%d.%d.%d", 1 + i / 62500,
			    i / 250 % 250, 1 + i % 250);
		else
			snprintf(a, sizeof(a), "::1");
		d[i].completed = &fx->completed;
		start(fx, a, COUNT, 20 * MS, 2 * LOOP_NS_PER_SEC, &d[i], NULL);
	}
	assert_int_equal(icmp_pending(fx->icmp), N);
	run_until(fx, &fx->completed, N, 30 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->completed, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(d[i].calls, 1);
		assert_false(d[i].res.aborted);
		assert_int_equal(d[i].res.sent, COUNT);
		assert_int_equal(d[i].res.received, COUNT);
	}
	c = icmp_get_counters(fx->icmp);
	assert_int_equal(c->rx_bad_cookie, 0);
	assert_int_equal(c->rx_duplicate, 0);
	assert_int_equal(c->tx_errors, 0);
	assert_int_equal(c->tx_packets, N * COUNT);
	assert_int_equal(c->tx_paced, 0);
	/* Requests that became due together left together: at least 8 per
	 * sendmmsg() on average, and replies were read several per call. */
	assert_true(c->tx_batches * 8 <= c->tx_packets);
	assert_true(c->rx_batches < c->rx_packets);
	assert_int_equal(icmp_pending(fx->icmp), 0);
}

/* A callback may start a new probe and cancel another. */
static void
test_icmp_callback_starts_and_cancels(void **state)
{
	struct fx *fx = *state;
	struct done *first = &fx->d[0], *victim = &fx->d[1];
	struct done *fresh = &fx->d[2];
	struct icmp_probe *pv;

	need_icmp(fx);
	start(fx, tgt(fx), 1, MS, LOOP_NS_PER_SEC, first, NULL);
	start(fx, tgt(fx), 5, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC, victim, &pv);
	first->cancel = pv;
	first->start_new = fresh;
	run_until(fx, &fresh->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(first->calls, 1);
	assert_int_equal(first->res.received, 1);
	assert_int_equal(victim->calls, 1);
	assert_true(victim->res.aborted);
	assert_int_equal(fresh->calls, 1);
	assert_int_equal(fresh->res.received, 2);
	run_for(fx, 20 * MS);
	assert_int_equal(first->calls + victim->calls + fresh->calls, 3);
}

/* icmp_free() from inside a callback (fired from the socket handler). */
static void
test_icmp_free_from_callback(void **state)
{
	struct fx *fx = *state;
	struct done *first = &fx->d[0], *others = &fx->d[1];
	int i;

	need_icmp(fx);
	start(fx, tgt(fx), 1, MS, LOOP_NS_PER_SEC, first, NULL);
	for (i = 0; i < 5; i++)
		start(fx, tgt(fx), 3, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC,
		    &others[i], NULL);
	first->free_icmp = true;
	run_until(fx, &first->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(first->calls, 1);
	assert_null(fx->icmp);
	for (i = 0; i < 5; i++) {
		assert_int_equal(others[i].calls, 1);
		assert_true(others[i].res.aborted);
	}
	run_for(fx, 20 * MS);
	assert_int_equal(first->calls, 1);
}

/* Sends that fail at once: every request is settled, so the probe ends
 * without waiting for its (long) timeout, 100% lost, with the reason. */
static void
check_send_fails(struct fx *fx, const char *a, int e, const char *want)
{
	struct done *d = &fx->d[0];
	struct icmp_check_params p;
	struct check_result cr;
	char err[128];

	start(fx, a, 3, 10 * MS, 3600 * LOOP_NS_PER_SEC, d, NULL);
	run_until(fx, &d->calls, 1, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(d->calls, 1);
	assert_false(d->res.aborted);
	assert_int_equal(d->res.sent, 3);
	assert_int_equal(d->res.received, 0);
	assert_int_equal(d->res.send_errno, e);
	assert_int_equal(icmp_get_counters(fx->icmp)->tx_errors, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->tx_packets, 0);

	memset(&cr, 0, sizeof(cr));
	assert_int_equal(icmp_check_parse(NULL, 0, &p, err, sizeof(err)), 0);
	icmp_check_result(&p, a, &d->res, &cr);
	assert_int_equal(cr.code, CHECK_CRITICAL);
	assert_string_equal(cr.output, want);
	check_result_clear(&cr);
}

static void
test_icmp_no_route_send_fails(void **state)
{
	struct fx *fx = *state;

	need_icmp(fx);
	if (!fx->env->netns)
		skip();
	if (fx->family == AF_INET)
		check_send_fails(fx, NO_ROUTE4, ENETUNREACH,
		    "CRITICAL - " NO_ROUTE4 " rta nan, lost 100% (send "
		    "failed: Network is unreachable)");
	else
		check_send_fails(fx, NO_ROUTE6, ENETUNREACH,
		    "CRITICAL - " NO_ROUTE6 " rta nan, lost 100% (send "
		    "failed: Network is unreachable)");
}

/* An `unreachable` route: Linux fails the send with EHOSTUNREACH (it
 * sends itself no ICMP error for it), in both families. */
static void
test_icmp_reject_route_send_fails(void **state)
{
	struct fx *fx = *state;

	need_icmp(fx);
	if (!fx->env->netns)
		skip();
	if (fx->family == AF_INET)
		check_send_fails(fx, REJECT4, EHOSTUNREACH,
		    "CRITICAL - " REJECT4 " rta nan, lost 100% (send "
		    "failed: No route to host)");
	else
		check_send_fails(fx, REJECT6, EHOSTUNREACH,
		    "CRITICAL - " REJECT6 " rta nan, lost 100% (send "
		    "failed: No route to host)");
}

/*
 * Failed sends mixed into the same batches as good ones: the kernel's
 * send numbering (OPT_ID) skips the failures, and so must the pairing of
 * send stamps with requests. Every answered request still gets its RTT
 * from kernel stamps (raw sockets), and no stamp is left unmatched.
 */
static void
test_icmp_send_failures_keep_stamps_in_step(void **state)
{
	struct fx *fx = *state;
	struct done *d = fx->d;
	const char *bad;
	int i;

	need_icmp(fx);
	if (!fx->env->netns)
		skip();
	bad = fx->family == AF_INET ? NO_ROUTE4 : NO_ROUTE6;
	for (i = 0; i < 12; i++)
		start(fx, i % 3 == 1 ? bad : tgt(fx), 3, 5 * MS,
		    LOOP_NS_PER_SEC, &d[i], NULL);
	run_until(fx, &fx->finished, 12, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, 12);
	for (i = 0; i < 12; i++) {
		if (i % 3 == 1) {
			assert_int_equal(d[i].res.received, 0);
			continue;
		}
		assert_int_equal(d[i].res.received, 3);
		if ((fx->family == AF_INET ? icmp_get_mode(fx->icmp) :
					     icmp_get_mode6(fx->icmp)) ==
		    ICMP_MODE_RAW)
			assert_int_equal(d[i].res.rtt_kernel, 3);
	}
	assert_int_equal(icmp_get_counters(fx->icmp)->tx_errors, 12);
	assert_int_equal(icmp_get_counters(fx->icmp)->ts_unmatched, 0);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_bad_timestamp, 0);
}

/*
 * Sends a firewall drops (EPERM) mixed into batches with good ones: the
 * kernel numbers a dropped send for its stamp, and a failure inside a
 * sendmmsg() that sent earlier messages makes the prober try that message
 * twice, so the kernel counts it twice. The stamp pairing must follow:
 * every answered request timed from kernel stamps (raw sockets), none
 * unmatched or impossible.
 */
static void
test_icmp_dropped_sends_keep_stamps_in_step(void **state)
{
	struct fx *fx = *state;
	struct done *d = fx->d;
	const struct icmp_counters *c;
	const char *bad;
	bool hidden;
	int i;

	need_icmp(fx);
	if (!fx->env->netns || !fx->env->nft_drop)
		skip();
	bad = fx->family == AF_INET ? DROP4 : DROP6;
	/* Linux's datagram ICMPv6 sockets ignore the verdict of the output
	 * path (icmpv6_push_pending_frames()): the drop is silent there,
	 * the sends lost, not failed. */
	hidden = fx->family == AF_INET6 && fx->env->want_dgram;
	for (i = 0; i < 16; i++)
		start(fx, i % 4 == 1 || i % 4 == 2 ? bad : tgt(fx), 3, 5 * MS,
		    LOOP_NS_PER_SEC, &d[i], NULL);
	run_until(fx, &fx->finished, 16, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, 16);
	c = icmp_get_counters(fx->icmp);
	for (i = 0; i < 16; i++) {
		if (i % 4 == 1 || i % 4 == 2) {
			assert_int_equal(d[i].res.received, 0);
			assert_int_equal(d[i].res.send_errno,
			    hidden ? 0 : EPERM);
			continue;
		}
		assert_int_equal(d[i].res.received, 3);
		if ((fx->family == AF_INET ? icmp_get_mode(fx->icmp) :
					     icmp_get_mode6(fx->icmp)) ==
		    ICMP_MODE_RAW)
			assert_int_equal(d[i].res.rtt_kernel, 3);
	}
	assert_int_equal(c->tx_errors, hidden ? 0 : 24);
	assert_int_equal(c->ts_unmatched, 0);
	assert_int_equal(c->rx_bad_timestamp, 0);
}

/*
 * More requests in flight than there are sequence numbers: the excess
 * fails with ENOBUFS inside the prober, without reaching the kernel, so
 * the kernel's send numbering and the stamp pairing stay in step.
 */
static void
test_icmp_sequence_space_exhausted(void **state)
{
	enum { N = 700, COUNT = 100 }; /* 70000 > 65536 */
	struct fx *fx = *state;
	const struct icmp_counters *c;
	struct done *d;
	int i, received = 0, kernel = 0, failed = 0;

	need_icmp(fx);
	d = fx->many = calloc(N, sizeof(*d));
	assert_non_null(d);
	for (i = 0; i < N; i++)
		start(fx, tgt(fx), COUNT, 0, 10 * LOOP_NS_PER_SEC, &d[i], NULL);
	run_until(fx, &fx->finished, N, 120 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(d[i].res.sent, COUNT);
		received += d[i].res.received;
		kernel += d[i].res.rtt_kernel;
		if (d[i].res.send_errno != 0) {
			assert_int_equal(d[i].res.send_errno, ENOBUFS);
			failed++;
		}
	}
	c = icmp_get_counters(fx->icmp);
	assert_true(c->tx_errors > 0 && failed > 0);
	assert_int_equal(c->tx_packets + c->tx_errors, N * COUNT);
	/* Every request sent is answered, or its answer is counted: late
	 * (after its timeout, on a loaded machine) or dropped by the kernel
	 * with the socket's buffer full. */
	assert_int_equal((uint64_t)received + c->rx_late + c->rx_kernel_drops,
	    c->tx_packets);
	assert_int_equal(c->rx_bad_timestamp, 0);
	/* Every RTT has a source: the kernel's stamps, or the monotonic
	 * clock, counted. A send stamp that arrives after its probe
	 * completed (a loaded machine) is counted unmatched; it can only
	 * belong to a request that got no kernel RTT. On a quiet machine
	 * both counters stay at 0. */
	assert_true((uint64_t)kernel + c->ts_fallback >= (uint64_t)received);
	assert_true(c->ts_unmatched <= c->tx_packets - (uint64_t)kernel);
	if ((fx->family == AF_INET ? icmp_get_mode(fx->icmp) :
				     icmp_get_mode6(fx->icmp)) ==
	    ICMP_MODE_RAW && c->ts_unmatched == 0 && c->rx_late == 0)
		assert_int_equal(kernel, received);
}

/*
 * Global pacing: N probes started together wait for their turn one gap
 * apart, and complete in the order they were started (each answer comes
 * long before the next request may leave). Only the first went out
 * without waiting.
 */
static void
test_icmp_pacing_counts_and_order(void **state)
{
	enum { N = 8 };
	struct fx *fx = *state;
	const struct icmp_counters *c;
	uint64_t batches;
	int i;

	need_icmp(fx);
	icmp_set_pacing(fx->icmp, 5 * MS);
	for (i = 0; i < N; i++)
		start(fx, tgt(fx), 1, 0, LOOP_NS_PER_SEC, &fx->d[i], NULL);
	run_until(fx, &fx->finished, N, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(fx->d[i].res.received, 1);
		assert_int_equal(fx->d[i].finished_as, i);
	}
	c = icmp_get_counters(fx->icmp);
	assert_int_equal(c->tx_packets, N);
	assert_int_equal(c->tx_paced, N - 1);
	/* One request per slot; two only if the loop woke a slot late. */
	assert_true(c->tx_batches <= N);
	batches = c->tx_batches;

	/* Back to unpaced: nothing waits. */
	icmp_set_pacing(fx->icmp, 0);
	fx->finished = 0;
	for (i = 0; i < N; i++)
		start(fx, tgt(fx), 1, 0, LOOP_NS_PER_SEC, &fx->d[8 + i],
		    NULL);
	run_until(fx, &fx->finished, N, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, N);
	assert_int_equal(c->tx_paced, N - 1);
	assert_int_equal(c->tx_batches, batches + 1); /* one sendmmsg */
}

/*
 * A gap shorter than the loop's millisecond timer resolution still holds
 * the rate: the requests of the slots that passed while the loop slept go
 * out together, in order, instead of one per wakeup (which would cap the
 * rate near 1,000/s whatever the gap).
 */
static void
test_icmp_pacing_below_timer_resolution_batches_due_slots(void **state)
{
	enum { N = 64 };
	struct fx *fx = *state;
	const struct icmp_counters *c;
	struct done d[N];
	int i;

	need_icmp(fx);
	memset(d, 0, sizeof(d));
	icmp_set_pacing(fx->icmp, 100 * 1000); /* 100 us */
	for (i = 0; i < N; i++)
		start(fx, tgt(fx), 1, 0, LOOP_NS_PER_SEC, &d[i], NULL);
	run_until(fx, &fx->finished, N, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(d[i].res.received, 1);
		assert_int_equal(d[i].finished_as, i);
	}
	c = icmp_get_counters(fx->icmp);
	assert_int_equal(c->tx_packets, N);
	assert_int_equal(c->tx_paced, N - 1);
	assert_true(c->tx_batches < N);
}

/* Changing the gap while requests wait takes effect for them. */
static void
test_icmp_pacing_change_while_waiting(void **state)
{
	struct fx *fx = *state;
	int i;

	need_icmp(fx);
	icmp_set_pacing(fx->icmp, 3600 * LOOP_NS_PER_SEC);
	for (i = 0; i < 4; i++)
		start(fx, tgt(fx), 1, 0, LOOP_NS_PER_SEC, &fx->d[i], NULL);
	run_until(fx, &fx->finished, 1, 5 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, 1); /* the others wait an hour */
	run_for(fx, 20 * MS);
	assert_int_equal(fx->finished, 1);
	icmp_set_pacing(fx->icmp, 0);
	run_until(fx, &fx->finished, 4, 5 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(fx->d[i].finished_as, i);
}

#define T(t) cmocka_unit_test_prestate_setup_teardown(t, fx_setup, \
    fx_teardown, &env)

int
main(void)
{
	struct env env = { .resp4_fd = -1, .resp6_rx_fd = -1,
		.resp6_tx_fd = -1 };
	const struct CMUnitTest tests[] = {
		T(test_icmp_loopback_all_received),
		T(test_icmp_completes_when_all_answered),
		T(test_icmp_cancel_fires_once_aborted),
		T(test_icmp_free_aborts_each_pending_once),
		T(test_icmp_rejects_bad_requests),
		T(test_icmp_2000_probes_in_flight),
		T(test_icmp_callback_starts_and_cancels),
		T(test_icmp_free_from_callback),
		T(test_icmp_no_route_send_fails),
		T(test_icmp_reject_route_send_fails),
		T(test_icmp_send_failures_keep_stamps_in_step),
		T(test_icmp_dropped_sends_keep_stamps_in_step),
		T(test_icmp_sequence_space_exhausted),
		T(test_icmp_pacing_counts_and_order),
		T(test_icmp_pacing_change_while_waiting),
		T(test_icmp_pacing_below_timer_resolution_batches_due_slots),
		T(test_icmp_timeout_without_reply),
		T(test_icmp_duplicates_counted_not_delivered),
		T(test_icmp_forged_cookie_dropped),
		T(test_icmp_bad_checksum_dropped),
		T(test_icmp_reply_from_wrong_source_dropped),
		T(test_icmp_late_reply_counted),
		T(test_icmp_unreachable_reported),
		T(test_icmp_prohibited_reported),
		T(test_icmp_junk_dropped),
		T(test_icmp_flood_of_spoofed_replies_dropped),
		T(test_icmp_pacing_keeps_request_order),
	};
	static const char *const mode[2] = { "raw", "datagram" };
	struct loop *loop;
	struct icmp *icmp;
	char err[512], name[96];
	bool raw = false, any = false;
	int rc = 0, run, fam, stamps;

	log_init("test_icmp", LOG_LEVEL_WARN);
	env.netns = tnet_enter() && tnet_lo_up() == 0;
	env.ipv6 = tnet_have_ipv6();
	stamps = tnet_keep_rx_stamps();
	if (stamps < 0)
		fprintf(stderr, "test_icmp: receive timestamps are not on\n");
	if (env.netns) {
		/* Datagram ICMP sockets for every group, in here only (the
		 * same sysctl governs ICMPv6 datagram sockets). */
		if (test_write_file("/proc/sys/net/ipv4/ping_group_range",
			"0 2147483647") != 0)
			/* In a user namespace only mapped groups are valid. */
			(void)test_write_file(
			    "/proc/sys/net/ipv4/ping_group_range", "0 0");
		tnet_add_reject_routes();
		env.nft_drop = tnet_add_drop_rules();
		if (!env.nft_drop)
			fprintf(stderr, "test_icmp: no nftables rule; "
					"dropped sends untested\n");
		tnet_open_responders(&env);
	} else
		fprintf(stderr, "test_icmp: no private network namespace; "
				"tests needing one are skipped\n");

	if (loop_new(&loop) == 0) {
		if (icmp_new(loop, &icmp, err, sizeof(err)) == 0) {
			any = true;
			raw = icmp_get_mode(icmp) == ICMP_MODE_RAW;
			icmp_free(icmp);
		}
		loop_free(loop);
	}

	/* run 0: the sockets we get; run 1: datagram, CAP_NET_RAW dropped */
	for (run = 0; run < 2; run++) {
		if (run == 1) {
			if (!env.netns || !raw)
				break;
			if (tnet_drop_net_raw() != 0) {
				fprintf(stderr, "test_icmp: cannot drop "
						"CAP_NET_RAW; datagram sockets "
						"untested\n");
				break;
			}
			env.want_dgram = true;
		}
		for (fam = 0; fam < 2; fam++) {
			env.family = fam == 0 ? AF_INET : AF_INET6;
			if (env.family == AF_INET6 && !env.ipv6) {
				fprintf(stderr, "test_icmp: no IPv6 here\n");
				continue;
			}
			snprintf(name, sizeof(name), "icmp, IPv%c, %s sockets",
			    fam == 0 ? '4' : '6',
			    mode[run == 1 || !raw ? 1 : 0]);
			rc |= cmocka_run_group_tests_name(name, tests, NULL,
			    NULL);
		}
	}
	if (env.resp4_fd >= 0)
		close(env.resp4_fd);
	if (env.resp6_rx_fd >= 0)
		close(env.resp6_rx_fd);
	if (env.resp6_tx_fd >= 0)
		close(env.resp6_tx_fd);
	if (stamps >= 0)
		close(stamps);
	/* 77: skipped, for the automake test driver. */
	return rc != 0 || any ? rc : 77;
}
