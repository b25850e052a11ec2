/*
 * icmp: the asynchronous ICMP echo prober (IPv4; IPv6 gets a second
 * struct icmp_sock and parser next to these).
 *
 * Data structures and invariants:
 *
 * - One socket per address family (struct icmp_sock), raw when it could
 *   be opened, else an unprivileged datagram ICMP socket. It is watched by
 *   the loop for LOOP_READ (errors come as LOOP_ERROR). Raw sockets carry
 *   ICMP_FILTER so only echo replies and the three errors we parse are
 *   queued; datagram sockets get replies from the kernel already matched to
 *   their identifier, and ICMP errors through IP_RECVERR's error queue.
 *
 * - The sequence map (fping's seqmap idea): one 16-bit counter per prober
 *   and a preallocated 65536-entry table seqmap[seq] -> (probe, packet
 *   index). An entry is taken when a request is sent and is held until its
 *   probe completes, answered or not, so duplicates of an answered request
 *   are still recognised. Allocation walks the counter forward and skips
 *   entries still held; seq_used counts held entries, so the walk always
 *   ends. No allocation per packet: per-packet state lives in arrays inside
 *   the probe, sized for the maximum count.
 *
 * - A reply is accepted only if its sequence entry is held, the cookie and
 *   packet index in its payload match the probe's (a random 64-bit cookie
 *   per probe, so off-path forgeries and stale replies to a reused sequence
 *   number are dropped), its source is the probe's target, and the packet
 *   is still pending. Everything else is dropped into one counter.
 *
 * - Probes are on a doubly linked list while in flight (one malloc per
 *   probe) and each has one embedded loop_timer: for the next send while
 *   requests remain, then for the end (timeout after the last send). A
 *   probe completes exactly once, through icmp_probe_finish(), which first
 *   detaches it from the timer, the sequence map and the list, and only
 *   then runs the callback; the probe is freed right after. So a callback
 *   may start or cancel other probes freely.
 *
 * - icmp_free() may be called from a callback: `busy` counts the prober's
 *   frames on the stack (io handler, timer, callbacks); icmp_free() marks the
 *   prober dead, aborts every probe and closes the socket at once, and the
 *   struct itself is freed when the outermost frame leaves.
 *
 * - Pacing: at most ICMP_SEND_BUDGET requests per loop pass; a probe whose
 *   turn comes after the budget is spent re-arms its timer with the same
 *   deadline and sends in the next pass, after the socket was drained.
 *   Reading is bounded too (ICMP_DRAIN_MAX per wakeup), so neither side
 *   starves the loop.
 *
 * - A request answered by an ICMP error is settled (lost, with the error
 *   text kept); once every request is answered, settled or failed to send,
 *   the probe completes without waiting for the timeout.
 *
 * Trade-off: the RTT is measured in user space (CLOCK_MONOTONIC right
 * before sendto and right after recvmsg), so it includes scheduling delay
 * of this process; kernel timestamps come later.
 */
#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>

#include "icmp_parse.h"
#include "log.h"
#include "loop.h"

#define ICMP_MAX_COUNT	 100   /* requests per probe (icmp_result.rtt_ms) */
#define ICMP_SEQ_SPACE	 65536 /* 16-bit sequence numbers */
#define ICMP_DRAIN_MAX	 256   /* datagrams read per wakeup */
#define ICMP_SEND_BUDGET 128   /* requests sent per loop pass */
#define ICMP_RECV_BUFLEN 2048  /* more than any datagram we accept */
#define ICMP_SOCKBUF	 (1 << 20) /* socket buffers, for bursts of replies */
#define ICMP_MAX_WAIT_NS (3600 * LOOP_NS_PER_SEC) /* interval, timeout */

/* State of one request of a probe. */
enum icmp_pkt {
	ICMP_PKT_UNSENT = 0,
	ICMP_PKT_PENDING,     /* on the wire; holds its sequence entry */
	ICMP_PKT_ANSWERED,    /* holds its entry until the probe completes */
	ICMP_PKT_ERROR,       /* an ICMP error quoted it; holds its entry */
	ICMP_PKT_SEND_FAILED, /* never left; holds no entry */
};

struct icmp_seqent {
	struct icmp_probe *probe; /* NULL when free */
	uint8_t index;            /* packet index within the probe */
};

struct icmp_sock {
	struct icmp *icmp;
	int fd; /* -1 when closed */
	enum icmp_mode mode;
	uint16_t id; /* echo identifier (host order) */
};

struct icmp_probe {
	struct icmp *icmp;
	struct icmp_probe *prev, *next;
	struct sockaddr_in dst;
	int count;
	int64_t interval_ns;
	int64_t timeout_ns;
	icmp_done_fn *fn;
	void *arg;
	uint64_t cookie;
	struct loop_timer timer;
	int npending;         /* requests in ICMP_PKT_PENDING */
	int64_t last_send_ns; /* monotonic, of the latest request */
	double rtt_sum_ms;
	uint16_t seq[ICMP_MAX_COUNT];
	uint8_t pkt[ICMP_MAX_COUNT]; /* enum icmp_pkt */
	int64_t sent_ns[ICMP_MAX_COUNT];
	struct icmp_result res; /* res.sent: requests sent so far */
};

struct icmp {
	struct loop *loop;
	struct icmp_sock v4;
	struct icmp_probe *probes; /* in flight */
	size_t nprobes;
	uint16_t next_seq;
	size_t seq_used; /* held entries of seqmap */
	int64_t budget_pass; /* loop_now() of the pass budget_left is for */
	int budget_left;     /* requests this pass may still send */
	int busy;        /* prober frames on the stack */
	bool dead;       /* icmp_free() called; free when busy drops to 0 */
	struct icmp_counters counters;
	struct icmp_seqent seqmap[ICMP_SEQ_SPACE];
};

static void icmp_probe_finish(struct icmp_probe *p, bool aborted);

/* ---- helpers ---- */

static int
icmp_random(void *buf, size_t len)
{
	uint8_t *b = buf;
	ssize_t n;

	while (len > 0) {
		n = getrandom(b, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
icmp_enter(struct icmp *icmp)
{
	icmp->busy++;
}

static void
icmp_leave(struct icmp *icmp)
{
	if (--icmp->busy == 0 && icmp->dead)
		free(icmp);
}

static const char *
icmp_ntop(struct in_addr a, char *buf, size_t len)
{
	if (inet_ntop(AF_INET, &a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* ---- sequence map ---- */

static int
icmp_seq_take(struct icmp *icmp, struct icmp_probe *p, int index,
    uint16_t *seq)
{
	struct icmp_seqent *e;

	if (icmp->seq_used >= ICMP_SEQ_SPACE)
		return -ENOBUFS;
	/* Terminates: at least one entry is free. */
	while (icmp->seqmap[icmp->next_seq].probe != NULL)
		icmp->next_seq++;
	*seq = icmp->next_seq++;
	e = &icmp->seqmap[*seq];
	e->probe = p;
	e->index = (uint8_t)index;
	icmp->seq_used++;
	return 0;
}

static void
icmp_seq_release(struct icmp *icmp, struct icmp_probe *p, uint16_t seq)
{
	struct icmp_seqent *e = &icmp->seqmap[seq];

	if (e->probe != p)
		return;
	e->probe = NULL;
	e->index = 0;
	icmp->seq_used--;
}

/* ---- sockets ---- */

static void
icmp_sock_buffers(int fd)
{
	int sz = ICMP_SOCKBUF;

	/* The FORCE variants pass rmem_max/wmem_max when privileged; the
	 * plain ones are capped by them. Either way best effort. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int
icmp_sock_raw_v4(struct icmp_sock *s, int fd, char *err, size_t errlen)
{
	struct icmp_filter filt;
	int ret;

	/* ICMP_FILTER: set bits are dropped by the kernel. */
	filt.data = ~(uint32_t)(1u << ICMP_ECHOREPLY | 1u << ICMP_DEST_UNREACH |
	    1u << ICMP_TIME_EXCEEDED | 1u << ICMP_PARAMETERPROB);
	if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt)) != 0) {
		ret = -errno;
		snprintf(err, errlen, "icmp: ICMP_FILTER: %s", strerror(-ret));
		return ret;
	}
	/* A random identifier, not the pid: not guessable, and two
	 * probers on one host rarely share it (cookies cover the rest). */
	ret = icmp_random(&s->id, sizeof(s->id));
	if (ret < 0) {
		snprintf(err, errlen, "icmp: getrandom: %s", strerror(-ret));
		return ret;
	}
	s->mode = ICMP_MODE_RAW;
	return 0;
}

static int
icmp_sock_dgram_v4(struct icmp_sock *s, int fd, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	socklen_t slen;
	int on = 1, ret;

	/* Binding to port 0 makes the kernel pick the identifier now, so
	 * that we can read it before the first send. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		ret = -errno;
		snprintf(err, errlen, "icmp: bind datagram ICMP socket: %s",
		    strerror(-ret));
		return ret;
	}
	slen = sizeof(sin);
	if (getsockname(fd, (struct sockaddr *)&sin, &slen) != 0) {
		ret = -errno;
		snprintf(err, errlen, "icmp: getsockname: %s", strerror(-ret));
		return ret;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) != 0) {
		ret = -errno;
		snprintf(err, errlen, "icmp: IP_RECVERR: %s", strerror(-ret));
		return ret;
	}
	s->id = ntohs(sin.sin_port);
	s->mode = ICMP_MODE_DGRAM;
	return 0;
}

/* Open the IPv4 socket: raw, else (not permitted) datagram. */
static int
icmp_sock_open_v4(struct icmp_sock *s, char *err, size_t errlen)
{
	int fd, raw_errno, ret;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMP);
	if (fd >= 0) {
		ret = icmp_sock_raw_v4(s, fd, err, errlen);
		if (ret < 0)
			goto fail;
	} else if (errno == EPERM || errno == EACCES) {
		raw_errno = errno;
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ICMP);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, errlen,
			    "icmp: cannot open a raw ICMP socket (%s) nor a "
			    "datagram ICMP socket (%s): run with CAP_NET_RAW "
			    "or allow the group in net.ipv4.ping_group_range",
			    strerror(raw_errno), strerror(-ret));
			return ret;
		}
		ret = icmp_sock_dgram_v4(s, fd, err, errlen);
		if (ret < 0)
			goto fail;
	} else {
		ret = -errno;
		snprintf(err, errlen, "icmp: raw ICMP socket: %s",
		    strerror(-ret));
		return ret;
	}
	icmp_sock_buffers(fd);
	s->fd = fd;
	return 0;

fail:
	close(fd);
	return ret;
}

/* ---- receiving ---- */

static void
icmp_probe_check_done(struct icmp_probe *p)
{
	if (p->res.sent == p->count && p->npending == 0)
		icmp_probe_finish(p, false);
}

static void
icmp_on_reply(struct icmp *icmp, const struct icmp_parse_result *pr,
    struct in_addr sender, int64_t now)
{
	struct icmp_seqent *e = &icmp->seqmap[pr->seq];
	struct icmp_probe *p = e->probe;
	struct icmp_result *r;
	int idx;
	double rtt;

	if (p == NULL) {
		icmp->counters.rx_late++;
		return;
	}
	idx = e->index;
	if (icmp_parse_cookie_check(pr->payload, pr->payload_len, p->cookie,
		(uint16_t)idx) != ICMP_PARSE_COOKIE_OK) {
		icmp->counters.rx_bad_cookie++;
		return;
	}
	if (sender.s_addr != p->dst.sin_addr.s_addr) {
		icmp->counters.rx_foreign++;
		return;
	}
	if (p->pkt[idx] != ICMP_PKT_PENDING) {
		icmp->counters.rx_duplicate++;
		return;
	}
	p->pkt[idx] = ICMP_PKT_ANSWERED;
	p->npending--;
	rtt = now > p->sent_ns[idx] ?
	    (double)(now - p->sent_ns[idx]) / (double)LOOP_NS_PER_MSEC : 0.0;
	r = &p->res;
	if (r->received == 0 || rtt < r->rtt_min_ms)
		r->rtt_min_ms = rtt;
	if (r->received == 0 || rtt > r->rtt_max_ms)
		r->rtt_max_ms = rtt;
	r->rtt_ms[r->received++] = rtt;
	p->rtt_sum_ms += rtt;
	icmp_probe_check_done(p);
}

static void
icmp_on_error(struct icmp *icmp, const struct icmp_parse_result *pr,
    struct in_addr sender)
{
	struct icmp_seqent *e = &icmp->seqmap[pr->seq];
	struct icmp_probe *p = e->probe;
	struct icmp_result *r;
	char addr[INET_ADDRSTRLEN];
	int idx;

	if (p == NULL) {
		icmp->counters.rx_late++;
		return;
	}
	idx = e->index;
	if (pr->quoted_dst.s_addr != p->dst.sin_addr.s_addr) {
		icmp->counters.rx_foreign++;
		return;
	}
	/* Routers may quote only 8 bytes of our request: no cookie to
	 * check then, the identifier, sequence and destination matched. */
	if (icmp_parse_cookie_check(pr->payload, pr->payload_len, p->cookie,
		(uint16_t)idx) == ICMP_PARSE_COOKIE_BAD) {
		icmp->counters.rx_bad_cookie++;
		return;
	}
	if (p->pkt[idx] != ICMP_PKT_PENDING) {
		icmp->counters.rx_duplicate++;
		return;
	}
	/* No reply will follow an error: the request is settled as lost. */
	p->pkt[idx] = ICMP_PKT_ERROR;
	p->npending--;
	r = &p->res;
	r->icmp_errors++;
	snprintf(r->icmp_error_text, sizeof(r->icmp_error_text), "%s from %s",
	    icmp_parse_error_text(pr->type, pr->code),
	    icmp_ntop(sender, addr, sizeof(addr)));
	icmp_probe_check_done(p);
}

static void
icmp_dispatch(struct icmp *icmp, enum icmp_parse_outcome o,
    const struct icmp_parse_result *pr, struct in_addr sender, int64_t now)
{
	struct icmp_counters *c = &icmp->counters;

	switch (o) {
	case ICMP_PARSE_ECHO_REPLY:
		icmp_on_reply(icmp, pr, sender, now);
		break;
	case ICMP_PARSE_ERROR:
		icmp_on_error(icmp, pr, sender);
		break;
	case ICMP_PARSE_SHORT:
		c->rx_short++;
		break;
	case ICMP_PARSE_BAD_CHECKSUM:
		c->rx_bad_checksum++;
		break;
	case ICMP_PARSE_FOREIGN_ID:
	case ICMP_PARSE_OTHER_TYPE:
		c->rx_foreign++;
		break;
	}
}

/* Read a datagram socket's error queue: ICMP errors quoting our requests. */
static void
icmp_drain_errqueue(struct icmp_sock *s)
{
	struct icmp *icmp = s->icmp;
	struct icmp_parse_result pr;
	enum icmp_parse_outcome o;
	struct sock_extended_err ee;
	struct sockaddr_in dst, off;
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	union {
		struct cmsghdr align;
		uint8_t buf[256];
	} ctl;
	uint8_t buf[ICMP_RECV_BUFLEN];
	bool found;
	ssize_t n;
	int64_t now;
	int i;

	for (i = 0; i < ICMP_DRAIN_MAX && !icmp->dead; i++) {
		memset(&msg, 0, sizeof(msg));
		memset(&dst, 0, sizeof(dst));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		msg.msg_name = &dst;
		msg.msg_namelen = sizeof(dst);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(s->fd, &msg, MSG_ERRQUEUE);
		now = loop_clock();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug("icmp: error queue: %s",
				    strerror(errno));
			return;
		}
		icmp->counters.rx_packets++;
		found = false;
		memset(&off, 0, sizeof(off));
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		     cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level != SOL_IP ||
			    cm->cmsg_type != IP_RECVERR ||
			    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
				continue;
			memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
			if (cm->cmsg_len >= CMSG_LEN(sizeof(ee) + sizeof(off)))
				memcpy(&off, CMSG_DATA(cm) + sizeof(ee),
				    sizeof(off));
			found = true;
		}
		/* Local errors (no ICMP message behind them) are not input. */
		if (!found || ee.ee_origin != SO_EE_ORIGIN_ICMP) {
			icmp->counters.rx_foreign++;
			continue;
		}
		if (off.sin_family != AF_INET)
			off.sin_addr.s_addr = INADDR_ANY;
		if (msg.msg_namelen < sizeof(dst) || dst.sin_family != AF_INET)
			dst.sin_addr.s_addr = INADDR_ANY;
		o = icmp_parse_v4_errqueue(buf, (size_t)n, s->id, ee.ee_type,
		    ee.ee_code, off.sin_addr, dst.sin_addr, &pr);
		icmp_dispatch(icmp, o, &pr, off.sin_addr, now);
	}
}

/* Read up to ICMP_DRAIN_MAX datagrams from the socket's receive queue. */
static void
icmp_drain(struct icmp_sock *s)
{
	struct icmp *icmp = s->icmp;
	struct icmp_parse_result pr;
	enum icmp_parse_outcome o;
	struct sockaddr_in from;
	struct msghdr msg;
	struct iovec iov;
	uint8_t buf[ICMP_RECV_BUFLEN];
	ssize_t n;
	int64_t now;
	int i;

	for (i = 0; i < ICMP_DRAIN_MAX && !icmp->dead; i++) {
		memset(&msg, 0, sizeof(msg));
		memset(&from, 0, sizeof(from));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(s->fd, &msg, 0);
		now = loop_clock();
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			/* A pending socket error, reported once: on a
			 * datagram socket an ICMP error whose details wait
			 * in the error queue. */
			log_debug("icmp: recvmsg: %s", strerror(errno));
			if (s->mode == ICMP_MODE_DGRAM)
				icmp_drain_errqueue(s);
			continue;
		}
		icmp->counters.rx_packets++;
		if (msg.msg_flags & MSG_TRUNC) {
			/* Larger than any reply or error of ours. */
			icmp->counters.rx_foreign++;
			continue;
		}
		if (msg.msg_namelen < sizeof(from) ||
		    from.sin_family != AF_INET)
			from.sin_addr.s_addr = INADDR_ANY;
		o = icmp_parse_v4(buf, (size_t)n,
		    s->mode == ICMP_MODE_RAW ? ICMP_PARSE_WITH_IP :
					       ICMP_PARSE_ICMP_ONLY,
		    s->mode == ICMP_MODE_RAW, s->id, &pr);
		icmp_dispatch(icmp, o, &pr, from.sin_addr, now);
	}
}

static void
icmp_on_io(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct icmp_sock *s = arg;
	struct icmp *icmp = s->icmp;

	icmp_enter(icmp);
	if (s->mode == ICMP_MODE_DGRAM && (events & LOOP_ERROR))
		icmp_drain_errqueue(s);
	if (!icmp->dead)
		icmp_drain(s);
	icmp_leave(icmp);
}

/* ---- sending and probe life cycle ---- */

static void
icmp_probe_send(struct icmp_probe *p)
{
	struct icmp *icmp = p->icmp;
	uint8_t pkt[ICMP_PARSE_PACKET_LEN];
	char addr[INET_ADDRSTRLEN];
	int idx = p->res.sent, e, ret;
	uint16_t seq;
	ssize_t n;

	p->res.sent++;
	p->last_send_ns = loop_clock();
	ret = icmp_seq_take(icmp, p, idx, &seq);
	if (ret < 0) {
		e = -ret;
		goto failed;
	}
	p->seq[idx] = seq;
	(void)icmp_parse_build_echo(pkt, sizeof(pkt), icmp->v4.id, seq,
	    p->cookie, (uint16_t)idx);
	p->sent_ns[idx] = loop_clock();
	n = sendto(icmp->v4.fd, pkt, sizeof(pkt), 0,
	    (const struct sockaddr *)&p->dst, sizeof(p->dst));
	if (n == (ssize_t)sizeof(pkt)) {
		p->pkt[idx] = ICMP_PKT_PENDING;
		p->npending++;
		p->last_send_ns = p->sent_ns[idx];
		return;
	}
	e = n < 0 ? errno : EMSGSIZE;
	icmp_seq_release(icmp, p, seq);

failed:
	/* Counted as sent and lost, so that a target we cannot even send
	 * to is down, with the reason in send_errno. */
	p->pkt[idx] = ICMP_PKT_SEND_FAILED;
	p->res.send_errno = e;
	icmp->counters.tx_errors++;
	log_debug("icmp: send to %s: %s",
	    icmp_ntop(p->dst.sin_addr, addr, sizeof(addr)), strerror(e));
}

/*
 * May one more request go out in this loop pass? Thousands of probes
 * started together would otherwise send thousands of requests in one pass
 * and have as many replies queued before the socket is read once, more
 * than a receive buffer holds. The budget paces them: ICMP_SEND_BUDGET per
 * pass, the rest in the next passes, with the socket drained in between.
 * A pass is recognised by its cached loop time.
 */
static bool
icmp_send_allowed(struct icmp *icmp)
{
	int64_t now = loop_now(icmp->loop);

	if (now != icmp->budget_pass) {
		icmp->budget_pass = now;
		icmp->budget_left = ICMP_SEND_BUDGET;
	}
	if (icmp->budget_left == 0)
		return false;
	icmp->budget_left--;
	return true;
}

static void
icmp_probe_on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct icmp_probe *p = arg;
	struct icmp *icmp = p->icmp;
	int64_t deadline;

	icmp_enter(icmp);
	if (p->res.sent >= p->count) {
		icmp_probe_finish(p, false); /* timeout after the last */
		goto out;
	}
	while (p->res.sent < p->count) {
		if (!icmp_send_allowed(icmp)) {
			/* Same deadline: runs in the next pass, ahead of
			 * timers due later. */
			deadline = t->deadline;
			goto arm;
		}
		icmp_probe_send(p);
		if (p->interval_ns > 0)
			break;
	}
	if (p->res.sent < p->count)
		deadline = p->last_send_ns + p->interval_ns;
	else if (p->npending == 0) {
		icmp_probe_finish(p, false); /* nothing left to wait for */
		goto out;
	} else
		deadline = p->last_send_ns + p->timeout_ns;
arm:
	if (loop_timer_start(loop, &p->timer, deadline) != 0) {
		log_warnx("icmp: cannot arm a probe timer: out of memory");
		icmp_probe_finish(p, true);
	}
out:
	icmp_leave(icmp);
}

/*
 * Complete p: detach it from the timer, the sequence map and the list,
 * run its callback, free it. Must not touch the prober after the callback
 * beyond icmp_leave(): the callback may have called icmp_free().
 */
static void
icmp_probe_finish(struct icmp_probe *p, bool aborted)
{
	struct icmp *icmp = p->icmp;
	struct icmp_result *r = &p->res;
	int i;

	loop_timer_stop(icmp->loop, &p->timer);
	for (i = 0; i < r->sent; i++)
		if (p->pkt[i] == ICMP_PKT_PENDING ||
		    p->pkt[i] == ICMP_PKT_ANSWERED ||
		    p->pkt[i] == ICMP_PKT_ERROR)
			icmp_seq_release(icmp, p, p->seq[i]);
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		icmp->probes = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	icmp->nprobes--;

	r->aborted = aborted;
	if (r->received > 0)
		r->rtt_avg_ms = p->rtt_sum_ms / r->received;
	icmp_enter(icmp);
	p->fn(r, p->arg);
	free(p);
	icmp_leave(icmp);
}

/* ---- public ---- */

int
icmp_new(struct loop *loop, struct icmp **out, char *err, size_t errlen)
{
	struct icmp *icmp;
	int ret;

	*out = NULL;
	icmp = calloc(1, sizeof(*icmp));
	if (icmp == NULL) {
		snprintf(err, errlen, "icmp: out of memory");
		return -ENOMEM;
	}
	icmp->loop = loop;
	icmp->v4.icmp = icmp;
	icmp->v4.fd = -1;
	ret = icmp_sock_open_v4(&icmp->v4, err, errlen);
	if (ret < 0)
		goto fail;
	ret = icmp_random(&icmp->next_seq, sizeof(icmp->next_seq));
	if (ret < 0) {
		snprintf(err, errlen, "icmp: getrandom: %s", strerror(-ret));
		goto fail;
	}
	ret = loop_io_add(loop, icmp->v4.fd, LOOP_READ, icmp_on_io,
	    &icmp->v4);
	if (ret < 0) {
		snprintf(err, errlen, "icmp: cannot watch the socket: %s",
		    strerror(-ret));
		goto fail;
	}
	log_info("icmp: IPv4 probes use %s socket, identifier %u",
	    icmp->v4.mode == ICMP_MODE_RAW ? "a raw ICMP" :
					     "an unprivileged datagram ICMP",
	    (unsigned)icmp->v4.id);
	*out = icmp;
	return 0;

fail:
	if (icmp->v4.fd >= 0)
		close(icmp->v4.fd);
	free(icmp);
	return ret;
}

void
icmp_free(struct icmp *icmp)
{
	if (icmp == NULL || icmp->dead)
		return;
	icmp_enter(icmp);
	icmp->dead = true; /* from here on icmp_probe_start() refuses */
	while (icmp->probes != NULL)
		icmp_probe_finish(icmp->probes, true);
	if (icmp->v4.fd >= 0) {
		loop_io_del(icmp->loop, icmp->v4.fd);
		close(icmp->v4.fd);
		icmp->v4.fd = -1;
	}
	icmp_leave(icmp);
}

enum icmp_mode
icmp_get_mode(const struct icmp *icmp)
{
	return icmp->v4.mode;
}

const struct icmp_counters *
icmp_get_counters(const struct icmp *icmp)
{
	return &icmp->counters;
}

size_t
icmp_pending(const struct icmp *icmp)
{
	return icmp->nprobes;
}

int
icmp_probe_start(struct icmp *icmp, const struct icmp_request *req,
    icmp_done_fn *fn, void *arg, struct icmp_probe **out)
{
	struct icmp_probe *p;
	int ret;

	if (out != NULL)
		*out = NULL;
	if (icmp->dead)
		return -ESHUTDOWN;
	if (req == NULL || fn == NULL)
		return -EINVAL;
	if (req->addr.ss_family != AF_INET)
		return -EAFNOSUPPORT;
	if (req->addrlen < (socklen_t)sizeof(struct sockaddr_in) ||
	    req->count < 1 || req->count > ICMP_MAX_COUNT ||
	    req->interval_ns < 0 || req->interval_ns > ICMP_MAX_WAIT_NS ||
	    req->timeout_ns < 0 || req->timeout_ns > ICMP_MAX_WAIT_NS)
		return -EINVAL;

	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	ret = icmp_random(&p->cookie, sizeof(p->cookie));
	if (ret < 0)
		goto fail;
	p->icmp = icmp;
	memcpy(&p->dst, &req->addr, sizeof(p->dst));
	p->count = req->count;
	p->interval_ns = req->interval_ns;
	p->timeout_ns = req->timeout_ns;
	p->fn = fn;
	p->arg = arg;
	/* The first request goes out from the timer, in the loop's next
	 * pass: the callback never runs before icmp_probe_start() returns. */
	loop_timer_init(&p->timer, icmp_probe_on_timer, p);
	ret = loop_timer_start(icmp->loop, &p->timer, loop_now(icmp->loop));
	if (ret < 0)
		goto fail;

	p->next = icmp->probes;
	if (icmp->probes != NULL)
		icmp->probes->prev = p;
	icmp->probes = p;
	icmp->nprobes++;
	if (out != NULL)
		*out = p;
	return 0;

fail:
	free(p);
	return ret;
}

void
icmp_probe_cancel(struct icmp *icmp, struct icmp_probe *p)
{
	if (p == NULL || p->icmp != icmp)
		return;
	icmp_probe_finish(p, true);
}
