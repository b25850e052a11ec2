/*
 * test_icmp: the prober against real sockets on loopback.
 *
 * When it may (root, or an unprivileged user namespace), the test moves
 * into a network namespace of its own with only `lo` up, so that it can
 * change sysctls there (net.ipv4.ping_group_range, icmp_echo_ignore_all)
 * without touching the host, probe an address without a route, and play
 * the peer itself: with the kernel's echo replies switched off, a raw
 * "responder" socket answers our requests with duplicates, forged
 * cookies, bad checksums, wrong sources, late replies and ICMP errors.
 * The namespace goes away with the process.
 *
 * The suite runs once with the socket the prober opens (raw when
 * privileged) and, in the namespace, once more after dropping CAP_NET_RAW,
 * so that the datagram socket path (kernel identifier, error queue) is
 * exercised too. Without any ICMP socket every test is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/sched.h> /* CLONE_*; <sched.h> is shadowed by src/sched.h */

#include "icmp.h"
#include "icmp_check.h"
#include "icmp_parse.h"
#include "log.h"
#include "loop.h"

#define MS LOOP_NS_PER_MSEC

/* What the process could arrange, shared by all tests (prestate). */
struct env {
	bool netns;       /* in a private network namespace */
	int resp_fd;      /* raw responder socket, -1 without netns */
	bool want_dgram;  /* this run must use datagram sockets */
	bool told;        /* "no ICMP socket" already printed */
};

enum resp_mode {
	RESP_ECHO,         /* one correct reply */
	RESP_DUP,          /* the reply twice */
	RESP_BAD_COOKIE,   /* forged cookie, then the reply */
	RESP_BAD_CKSUM,    /* corrupt checksum, then the reply */
	RESP_WRONG_SRC,    /* the reply from another address, then the reply */
	RESP_UNREACH,      /* host unreachable from 127.0.0.9 instead */
	RESP_HOLD,         /* keep the reply for later */
	RESP_JUNK,         /* short error, foreign id, foreign error; reply */
};

struct responder {
	int fd;
	enum resp_mode mode;
	int seen; /* echo requests seen */
	uint8_t held[ICMP_PARSE_PACKET_LEN];
	struct in_addr held_src, held_dst;
	bool have_held;
};

struct fx;

struct done {
	int calls;
	struct icmp_result res;
	int64_t at_ns;
	/* Actions from inside the callback. */
	struct fx *fx;
	struct icmp_probe *cancel;
	struct done *start_new; /* start a probe to 127.0.0.1 with it */
	bool free_icmp;
	int *completed; /* shared counter */
};

struct fx {
	struct env *env;
	struct loop *loop;
	struct icmp *icmp;
	struct responder resp;
	bool resp_on;
	bool echo_ignored;
	/* Callback records live here, not on a test's stack: when a test
	 * fails, teardown aborts its probes and their callbacks still write
	 * to valid memory. */
	struct done d[16];
	struct done *many;
	int completed;
};


/* ---- environment ---- */

static int
write_file(const char *path, const char *s)
{
	int fd, ret = 0;
	size_t len = strlen(s);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

static bool
enter_netns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (syscall(SYS_unshare, CLONE_NEWNET) == 0)
		return true;
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET) != 0)
		return false;
	(void)write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) != 0)
		return false;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	return write_file("/proc/self/gid_map", map) == 0;
}

static int
lo_up(void)
{
	struct ifreq ifr;
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ret == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		ret = -errno;
	close(s);
	return ret;
}

static int
drop_net_raw(void)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_NET_RAW);
	uint32_t m = CAP_TO_MASK(CAP_NET_RAW);

	memset(&h, 0, sizeof(h));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) != 0)
		return -errno;
	d[i].effective &= ~m;
	d[i].permitted &= ~m;
	d[i].inheritable &= ~m;
	if (syscall(SYS_capset, &h, d) != 0)
		return -errno;
	return 0;
}

/* ---- the responder: plays the peer on loopback ---- */

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
fix_cksum(uint8_t *icmp, size_t len)
{
	put16(icmp + 2, 0);
	put16(icmp + 2, icmp_parse_checksum(icmp, len));
}

/* Send an ICMP message with a source of our choice (IP_HDRINCL). */
static void
resp_send(int fd, struct in_addr src, struct in_addr dst, const uint8_t *msg,
    size_t len)
{
	uint8_t pkt[1024];
	struct sockaddr_in to;

	assert_true(len + 20 <= sizeof(pkt));
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	put16(pkt + 2, (unsigned)(20 + len));
	pkt[8] = 64;
	pkt[9] = IPPROTO_ICMP;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	memcpy(pkt + 20, msg, len);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr = dst;
	assert_int_equal(sendto(fd, pkt, 20 + len, 0,
			     (const struct sockaddr *)&to, sizeof(to)),
	    (ssize_t)(20 + len));
}

static struct in_addr
addr(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* An ICMP error of type/code from 127.0.0.9 quoting quote (qlen bytes,
 * IP header first). */
static void
resp_send_error(int fd, uint8_t type, uint8_t code, struct in_addr to,
    const uint8_t *quote, size_t qlen)
{
	uint8_t msg[8 + 128];

	if (qlen > 128)
		qlen = 128;
	memset(msg, 0, 8);
	msg[0] = type;
	msg[1] = code;
	memcpy(msg + 8, quote, qlen);
	fix_cksum(msg, 8 + qlen);
	resp_send(fd, addr("127.0.0.9"), to, msg, 8 + qlen);
}

static void
resp_act(struct responder *r, const uint8_t *pkt, size_t n, size_t hl)
{
	struct in_addr src, dst;
	uint8_t reply[ICMP_PARSE_PACKET_LEN], bad[ICMP_PARSE_PACKET_LEN];
	uint8_t udp[28];
	size_t len = n - hl;

	memcpy(&src, pkt + 12, 4);
	memcpy(&dst, pkt + 16, 4);
	if (len != sizeof(reply))
		return;
	memcpy(reply, pkt + hl, len);
	reply[0] = ICMP_PARSE_ECHO_REPLY_TYPE;
	fix_cksum(reply, len);
	memcpy(bad, reply, len);

	switch (r->mode) {
	case RESP_ECHO:
		resp_send(r->fd, dst, src, reply, len);
		break;
	case RESP_DUP:
		resp_send(r->fd, dst, src, reply, len);
		resp_send(r->fd, dst, src, reply, len);
		break;
	case RESP_BAD_COOKIE:
		bad[8 + 3] ^= 0x5a;
		fix_cksum(bad, len);
		resp_send(r->fd, dst, src, bad, len);
		resp_send(r->fd, dst, src, reply, len);
		break;
	case RESP_BAD_CKSUM:
		bad[2] ^= 0x01;
		resp_send(r->fd, dst, src, bad, len);
		resp_send(r->fd, dst, src, reply, len);
		break;
	case RESP_WRONG_SRC:
		resp_send(r->fd, addr("127.0.0.9"), src, reply, len);
		resp_send(r->fd, dst, src, reply, len);
		break;
	case RESP_UNREACH:
		resp_send_error(r->fd, 3, 1, src, pkt, n);
		break;
	case RESP_HOLD:
		memcpy(r->held, reply, len);
		r->held_src = dst;
		r->held_dst = src;
		r->have_held = true;
		break;
	case RESP_JUNK:
		/* An error whose quote is cut inside the IP header. */
		resp_send_error(r->fd, 3, 1, src, pkt, 10);
		/* Another identifier. */
		bad[4] ^= 0xff;
		fix_cksum(bad, len);
		resp_send(r->fd, dst, src, bad, len);
		/* An error quoting a UDP datagram. */
		memset(udp, 0, sizeof(udp));
		memcpy(udp, pkt, 20);
		udp[0] = 0x45;
		udp[9] = IPPROTO_UDP;
		resp_send_error(r->fd, 3, 3, src, udp, sizeof(udp));
		resp_send(r->fd, dst, src, reply, len);
		break;
	}
}

static void
resp_on_read(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct responder *r = arg;
	uint8_t pkt[2048];
	ssize_t n;
	size_t hl;

	for (;;) {
		n = recv(fd, pkt, sizeof(pkt), 0);
		if (n < 0)
			return;
		if (n < 28 || pkt[9] != IPPROTO_ICMP)
			continue;
		hl = (size_t)(pkt[0] & 0x0f) * 4;
		if ((size_t)n < hl + 8 || pkt[hl] != ICMP_PARSE_ECHO_TYPE)
			continue;
		r->seen++;
		resp_act(r, pkt, (size_t)n, hl);
	}
}

static void
resp_release_held(struct responder *r)
{
	assert_true(r->have_held);
	resp_send(r->fd, r->held_src, r->held_dst, r->held,
	    sizeof(r->held));
	r->have_held = false;
}

/* ---- fixture ---- */

static int
fx_setup(void **state)
{
	struct env *env = *state;
	char err[256];
	struct fx *fx;
	uint8_t junk[2048];
	int ret;

	fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->env = env;
	assert_int_equal(loop_new(&fx->loop), 0);
	ret = icmp_new(fx->loop, &fx->icmp, err, sizeof(err));
	if (ret < 0) {
		if (!env->told)
			print_message("no ICMP socket: %s\n", err);
		env->told = true;
		fx->icmp = NULL;
	}
	fx->resp.fd = env->resp_fd;
	if (env->resp_fd >= 0)
		while (recv(env->resp_fd, junk, sizeof(junk), 0) >= 0)
			;
	*state = fx;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->resp_on)
		loop_io_del(fx->loop, fx->resp.fd);
	icmp_free(fx->icmp);
	free(fx->many);
	assert_int_equal(loop_timer_count(fx->loop), 0);
	loop_free(fx->loop);
	if (fx->echo_ignored)
		(void)write_file("/proc/sys/net/ipv4/icmp_echo_ignore_all",
		    "0");
	free(fx);
	return 0;
}

/* Skip unless the prober has a socket; check the mode of this run. */
static void
need_icmp(struct fx *fx)
{
	if (fx->icmp == NULL)
		skip();
	if (fx->env->want_dgram)
		assert_int_equal(icmp_get_mode(fx->icmp), ICMP_MODE_DGRAM);
}

/* Additionally: be the peer (kernel echo replies off), in mode m. */
static void
need_responder(struct fx *fx, enum resp_mode m)
{
	need_icmp(fx);
	if (!fx->env->netns || fx->env->resp_fd < 0)
		skip();
	assert_int_equal(write_file("/proc/sys/net/ipv4/icmp_echo_ignore_all",
			     "1"),
	    0);
	fx->echo_ignored = true;
	fx->resp.mode = m;
	assert_int_equal(loop_io_add(fx->loop, fx->resp.fd, LOOP_READ,
			     resp_on_read, &fx->resp),
	    0);
	fx->resp_on = true;
}

static struct icmp_request
req_v4(const char *a, int count, int64_t interval_ns, int64_t timeout_ns)
{
	struct icmp_request req;
	struct sockaddr_in sin;

	memset(&req, 0, sizeof(req));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = addr(a);
	memcpy(&req.addr, &sin, sizeof(sin));
	req.addrlen = sizeof(sin);
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
	d->res = *res;
	d->at_ns = loop_clock();
	if (d->completed != NULL)
		(*d->completed)++;
	if (d->cancel != NULL) {
		icmp_probe_cancel(d->fx->icmp, d->cancel);
		d->cancel = NULL;
	}
	if (d->start_new != NULL) {
		req = req_v4("127.0.0.1", 2, 5 * MS, LOOP_NS_PER_SEC);
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
static void
run_until(struct fx *fx, const int *calls, int want, int64_t max_ns)
{
	int64_t end = loop_clock() + max_ns;

	while (*calls < want && loop_clock() < end)
		assert_true(loop_run_once(fx->loop, 10 * MS) >= 0);
}

static void
run_for(struct fx *fx, int64_t ns)
{
	int64_t end = loop_clock() + ns;

	while (loop_clock() < end)
		assert_true(loop_run_once(fx->loop, 5 * MS) >= 0);
}

static void
start(struct fx *fx, const char *a, int count, int64_t interval_ns,
    int64_t timeout_ns, struct done *d, struct icmp_probe **out)
{
	struct icmp_request req = req_v4(a, count, interval_ns, timeout_ns);

	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, out), 0);
}

/* ---- tests ---- */

static void
test_icmp_loopback_all_received(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	const struct icmp_counters *c;
	int i;

	need_icmp(fx);
	start(fx, "127.0.0.1", 3, 10 * MS, LOOP_NS_PER_SEC, d, NULL);
	assert_int_equal(icmp_pending(fx->icmp), 1);
	assert_int_equal(d->calls, 0); /* never from icmp_probe_start() */
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->calls, 1);
	assert_false(d->res.aborted);
	assert_int_equal(d->res.sent, 3);
	assert_int_equal(d->res.received, 3);
	assert_int_equal(d->res.send_errno, 0);
	assert_int_equal(d->res.icmp_errors, 0);
	assert_true(d->res.rtt_min_ms <= d->res.rtt_avg_ms);
	assert_true(d->res.rtt_avg_ms <= d->res.rtt_max_ms);
	assert_true(d->res.rtt_max_ms < 1000.0);
	for (i = 0; i < 3; i++)
		assert_true(d->res.rtt_ms[i] >= 0.0 &&
		    d->res.rtt_ms[i] < 1000.0);
	assert_int_equal(icmp_pending(fx->icmp), 0);
	c = icmp_get_counters(fx->icmp);
	assert_true(c->rx_packets >= 3);
	assert_int_equal(c->rx_bad_cookie, 0);
	assert_int_equal(c->rx_bad_checksum, 0);
	assert_int_equal(c->tx_errors, 0);
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
	start(fx, "127.0.0.1", 2, 0, 10 * LOOP_NS_PER_SEC, d, NULL);
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
	start(fx, "127.0.0.1", 5, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC, d, &p);
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
		start(fx, "127.0.0.1", 3, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC,
		    &d[i], NULL);
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
	req = req_v4("127.0.0.1", 0, MS, MS);
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, &p),
	    -EINVAL);
	assert_null(p);
	req.count = 101;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req.count = 100;
	req.interval_ns = -1;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req = req_v4("127.0.0.1", 1, MS, -1);
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req = req_v4("127.0.0.1", 1, MS, MS);
	req.addr.ss_family = AF_UNIX;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EAFNOSUPPORT);
	req.addr.ss_family = AF_INET6; /* shorter than a sockaddr_in6 */
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	req = req_v4("127.0.0.1", 1, MS, MS);
	req.addrlen = 4;
	assert_int_equal(icmp_probe_start(fx->icmp, &req, on_done, d, NULL),
	    -EINVAL);
	run_for(fx, 10 * MS);
	assert_int_equal(d->calls, 0);
	assert_int_equal(icmp_pending(fx->icmp), 0);
}

/* 2000 probes in flight at once, to distinct 127/8 addresses. */
static void
test_icmp_2000_probes_in_flight(void **state)
{
	enum { N = 2000, COUNT = 3 };
	struct fx *fx = *state;
	struct done *d;
	const struct icmp_counters *c;
	char a[INET_ADDRSTRLEN];
	int i;

	need_icmp(fx);
	d = fx->many = calloc(N, sizeof(*d));
	assert_non_null(d);
	for (i = 0; i < N; i++) {
		snprintf(a, sizeof(a), "127.%d.%d.%d", 1 + i / 62500,
		    i / 250 % 250, 1 + i % 250);
		d[i].completed = &fx->completed;
		start(fx, a, COUNT, 20 * MS, 2 * LOOP_NS_PER_SEC, &d[i], NULL);
	}
	assert_int_equal(icmp_pending(fx->icmp), N);
	run_until(fx, &fx->completed, N, 20 * LOOP_NS_PER_SEC);
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
	start(fx, "127.0.0.1", 1, MS, LOOP_NS_PER_SEC, first, NULL);
	start(fx, "127.0.0.2", 5, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC, victim,
	    &pv);
	first->fx = fx;
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
	start(fx, "127.0.0.1", 1, MS, LOOP_NS_PER_SEC, first, NULL);
	for (i = 0; i < 5; i++)
		start(fx, "127.0.0.3", 3, LOOP_NS_PER_SEC, LOOP_NS_PER_SEC,
		    &others[i], NULL);
	first->fx = fx;
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

/* No route: every send fails; the probe ends without waiting for the
 * timeout, 100% lost, with the reason. */
static void
test_icmp_no_route_send_fails(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	struct icmp_check_params p;
	struct check_result cr;
	char err[128];
	int64_t t0;

	need_icmp(fx);
	if (!fx->env->netns)
		skip();
	t0 = loop_clock();
	start(fx, "10.255.255.1", 3, 10 * MS, 5 * LOOP_NS_PER_SEC, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->calls, 1);
	assert_true(d->at_ns - t0 < LOOP_NS_PER_SEC);
	assert_int_equal(d->res.sent, 3);
	assert_int_equal(d->res.received, 0);
	assert_int_equal(d->res.send_errno, ENETUNREACH);
	assert_int_equal(icmp_get_counters(fx->icmp)->tx_errors, 3);

	memset(&cr, 0, sizeof(cr));
	assert_int_equal(icmp_check_parse(NULL, 0, &p, err, sizeof(err)), 0);
	icmp_check_result(&p, "10.255.255.1", &d->res, &cr);
	assert_int_equal(cr.code, CHECK_CRITICAL);
	assert_string_equal(cr.output, "CRITICAL - 10.255.255.1 rta nan, lost "
				       "100% (send failed: Network is "
				       "unreachable)");
	check_result_clear(&cr);
}

/* Nobody answers: the probe lasts (count-1) x interval + timeout. */
static void
test_icmp_timeout_without_reply(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	int64_t t0, took;

	need_responder(fx, RESP_HOLD);
	t0 = loop_clock();
	start(fx, "127.0.0.1", 2, 30 * MS, 100 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	took = d->at_ns - t0;
	assert_int_equal(d->calls, 1);
	assert_int_equal(d->res.sent, 2);
	assert_int_equal(d->res.received, 0);
	assert_int_equal(fx->resp.seen, 2);
	assert_true(took >= 130 * MS);
	assert_true(took < 1000 * MS);
}

static void
test_icmp_duplicates_counted_not_delivered(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];

	need_responder(fx, RESP_DUP);
	start(fx, "127.0.0.1", 3, 10 * MS, 500 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	run_for(fx, 20 * MS); /* let the last duplicate arrive */
	assert_int_equal(d->res.received, 3);
	/* The last duplicate arrives after completion: late, not dup. */
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_duplicate +
		icmp_get_counters(fx->icmp)->rx_late,
	    3);
	assert_true(icmp_get_counters(fx->icmp)->rx_duplicate >= 2);
}

static void
test_icmp_forged_cookie_dropped(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];

	need_responder(fx, RESP_BAD_COOKIE);
	start(fx, "127.0.0.1", 3, 10 * MS, 500 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_bad_cookie, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_duplicate, 0);
}

static void
test_icmp_bad_checksum_dropped(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	const struct icmp_counters *c;

	need_responder(fx, RESP_BAD_CKSUM);
	start(fx, "127.0.0.1", 3, 10 * MS, 500 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 3);
	c = icmp_get_counters(fx->icmp);
	/* Raw sockets see it and drop it; for datagram sockets the
	 * kernel already did. */
	if (icmp_get_mode(fx->icmp) == ICMP_MODE_RAW)
		assert_int_equal(c->rx_bad_checksum, 3);
	else
		assert_int_equal(c->rx_bad_checksum, 0);
	assert_int_equal(c->rx_duplicate, 0);
}

static void
test_icmp_reply_from_wrong_source_dropped(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];

	need_responder(fx, RESP_WRONG_SRC);
	start(fx, "127.0.0.1", 3, 10 * MS, 500 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_foreign, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_duplicate, 0);
}

static void
test_icmp_late_reply_counted(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];

	need_responder(fx, RESP_HOLD);
	start(fx, "127.0.0.1", 1, MS, 30 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 0);
	resp_release_held(&fx->resp);
	run_for(fx, 30 * MS);
	assert_int_equal(d->calls, 1);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_late, 1);
}

static void
test_icmp_unreachable_reported(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	int64_t t0;

	need_responder(fx, RESP_UNREACH);
	t0 = loop_clock();
	start(fx, "127.0.0.1", 3, 10 * MS, 5 * LOOP_NS_PER_SEC, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->calls, 1);
	/* Every request settled by an error: no need to wait. */
	assert_true(d->at_ns - t0 < LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 0);
	assert_int_equal(d->res.icmp_errors, 3);
	assert_string_equal(d->res.icmp_error_text,
	    "Destination Host Unreachable from 127.0.0.9");
}

static void
test_icmp_junk_dropped(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	const struct icmp_counters *c;

	need_responder(fx, RESP_JUNK);
	start(fx, "127.0.0.1", 2, 10 * MS, 500 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	assert_int_equal(d->res.received, 2);
	assert_int_equal(d->res.icmp_errors, 0);
	c = icmp_get_counters(fx->icmp);
	if (icmp_get_mode(fx->icmp) == ICMP_MODE_RAW) {
		assert_int_equal(c->rx_short, 2);
		/* foreign id + error quoting UDP, per request */
		assert_int_equal(c->rx_foreign, 4);
	}
	assert_int_equal(c->rx_bad_cookie, 0);
	assert_int_equal(c->rx_duplicate, 0);
}

#define T(t) cmocka_unit_test_prestate_setup_teardown(t, fx_setup, \
    fx_teardown, &env)

int
main(void)
{
	struct env env = { .netns = false, .resp_fd = -1 };
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
		T(test_icmp_timeout_without_reply),
		T(test_icmp_duplicates_counted_not_delivered),
		T(test_icmp_forged_cookie_dropped),
		T(test_icmp_bad_checksum_dropped),
		T(test_icmp_reply_from_wrong_source_dropped),
		T(test_icmp_late_reply_counted),
		T(test_icmp_unreachable_reported),
		T(test_icmp_junk_dropped),
	};
	struct loop *loop;
	struct icmp *icmp;
	char err[256];
	bool raw = false, any = false;
	int on = 1, rc;

	log_init("test_icmp", LOG_LEVEL_WARN);
	env.netns = enter_netns() && lo_up() == 0;
	if (env.netns) {
		/* Datagram ICMP sockets for every group, in here only. */
		if (write_file("/proc/sys/net/ipv4/ping_group_range",
			"0 2147483647") != 0)
			/* In a user namespace only mapped groups are valid. */
			(void)write_file("/proc/sys/net/ipv4/ping_group_range",
			    "0 0");
		env.resp_fd = socket(AF_INET,
		    SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (env.resp_fd >= 0 &&
		    setsockopt(env.resp_fd, IPPROTO_IP, IP_HDRINCL, &on,
			sizeof(on)) != 0) {
			close(env.resp_fd);
			env.resp_fd = -1;
		}
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

	rc = cmocka_run_group_tests_name(raw ? "icmp, raw socket" :
					       "icmp, datagram socket",
	    tests, NULL, NULL);
	if (env.netns && raw) {
		if (drop_net_raw() == 0) {
			env.want_dgram = true;
			rc |= cmocka_run_group_tests_name(
			    "icmp, datagram socket (CAP_NET_RAW dropped)",
			    tests, NULL, NULL);
		} else
			fprintf(stderr, "test_icmp: cannot drop CAP_NET_RAW; "
					"datagram sockets untested\n");
	}
	if (env.resp_fd >= 0)
		close(env.resp_fd);
	/* 77: skipped, for the automake test driver. */
	return rc != 0 || any ? rc : 77;
}
