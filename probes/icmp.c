/*
 * icmp: the asynchronous ICMP echo prober, IPv4 and IPv6.
 *
 * Data structures and invariants:
 *
 * - One socket per address family (struct icmp_sock), raw when it could be
 *   opened, else an unprivileged datagram socket; a family whose socket
 *   cannot be opened has fd -1. Raw sockets carry ICMP_FILTER /
 *   ICMP6_FILTER so only echo replies and the errors we parse are queued;
 *   datagram sockets get replies already matched to their identifier, and
 *   ICMP errors through IP_RECVERR / IPV6_RECVERR's error queue. Both carry
 *   SO_TIMESTAMPING: transmit stamps come back on the error queue, keyed by
 *   the kernel's per-socket send counter (OPT_ID); receive stamps come with
 *   each datagram.
 *
 * - The sequence map (fping's seqmap idea): one 16-bit counter per prober
 *   for both families and a preallocated 65536-entry table seqmap[seq] ->
 *   (probe, request index). An entry is taken when a request is sent and is
 *   held until its probe completes, answered or not, so duplicates of an
 *   answered request are still recognised. Allocation walks the counter
 *   forward and skips held entries; seq_used counts them, so the walk ends.
 *
 * - The stamp ring of each socket: ring[k % ICMP_TS_RING] remembers the
 *   k-th send the kernel counted (sequence, index, cookie, realtime of the
 *   send). A transmit stamp with key K looks up k = K - key_adj; an entry
 *   whose realtime does not fit the stamp means our count and the kernel's
 *   drifted (a send that failed after the kernel counted it), and the few
 *   neighbours are tried and key_adj relearned. Stale or unmatched stamps
 *   are dropped and counted; a request without a stamp is timed with the
 *   monotonic clock.
 *
 * - Per request (struct icmp_req, an array sized for the probe's count in
 *   the probe's one allocation): its state, sequence, the monotonic times
 *   around send and receive, and the kernel's realtime stamps. RTTs are
 *   computed once, when the probe completes: rx_stamp - tx_stamp when both
 *   exist and the result is possible (not negative, not longer than the
 *   monotonic round trip that encloses it), else the monotonic round trip.
 *   A reply whose transmit stamp is still unread holds the probe back at
 *   most ICMP_TS_WAIT_NS.
 *
 * - Probes are on a doubly linked list while in flight (one malloc per
 *   probe). A probe due to send is on the ready queue (a FIFO, doubly
 *   linked for O(1) cancel); otherwise its embedded timer is armed for its
 *   next request, its timeout, or a short wait for stamps. One prober timer
 *   (send_timer) drains the ready queue: with no pacing gap, up to
 *   ICMP_SEND_BUDGET requests per loop pass in sendmmsg() batches of one
 *   family; with a gap, one request per gap. Requests keep queue order.
 *   The budget, with the socket drained between passes, keeps replies
 *   within the receive buffer. The send path never runs callbacks: a probe
 *   that has nothing left after a send completes from its timer.
 *
 * - A probe completes exactly once, through icmp_probe_finish(), which
 *   detaches it from timer, ready queue, sequence map and list before the
 *   callback runs; it is freed right after. So a callback may start or
 *   cancel other probes, or free the prober: `busy` counts the prober's
 *   frames on the stack and the struct is freed when the outermost leaves.
 *
 * - No allocation per packet: send and receive buffers (ICMP_BATCH
 *   messages each way) live in the prober.
 */
#include "icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/icmp.h>
#include <linux/net_tstamp.h>

#include "icmp_parse.h"
#include "log.h"
#include "loop.h"

#define ICMP_SEQ_SPACE	 65536 /* 16-bit sequence numbers */
#define ICMP_DRAIN_MAX	 256   /* messages read per wakeup and queue */
#define ICMP_SEND_BUDGET 128   /* requests sent per loop pass */
#define ICMP_BATCH	 32    /* messages per sendmmsg / recvmmsg */
#define ICMP_RECV_BUFLEN 2048  /* more than any datagram we accept */
#define ICMP_CTL_LEN	 256   /* stamps, extended error, drops */
#define ICMP_RCVBUF	 (4 << 20) /* bursts of replies */
#define ICMP_SNDBUF	 (1 << 20)
#define ICMP_MAX_WAIT_NS (3600 * LOOP_NS_PER_SEC) /* interval, timeout */
#define ICMP_TS_RING	 1024  /* sends remembered for their stamps */
#define ICMP_TS_RESYNC	 8     /* neighbours tried when out of step */
#define ICMP_TS_TX_WINDOW_NS (20 * LOOP_NS_PER_MSEC) /* send -> stamp */
#define ICMP_TS_WAIT_NS	 (2 * LOOP_NS_PER_MSEC) /* reply waits for stamp */
#define ICMP_TS_SLACK_NS 10000 /* clock read rounding, 10 us */

/* State of one request of a probe. */
enum icmp_state {
	ICMP_REQ_UNSENT = 0,
	ICMP_REQ_PENDING,     /* on the wire; holds its sequence entry */
	ICMP_REQ_ANSWERED,    /* holds its entry until the probe completes */
	ICMP_REQ_ERROR,       /* an ICMP error quoted it; holds its entry */
	ICMP_REQ_SEND_FAILED, /* never left; holds no entry */
};

struct icmp_req {
	int64_t sent_ns; /* monotonic, just before the send */
	int64_t rx_ns;   /* monotonic, just after the receive */
	int64_t tx_ts;   /* kernel send stamp, realtime ns, 0 if none */
	int64_t rx_ts;   /* kernel receive stamp, realtime ns, 0 if none */
	uint16_t seq;
	uint8_t state;   /* enum icmp_state */
	bool wait_tx;    /* answered, its send stamp still unread */
};

struct icmp_seqent {
	struct icmp_probe *probe; /* NULL when free */
	uint8_t index;            /* request index within the probe */
};

struct icmp_tsent {
	uint32_t key;    /* our count of this send */
	bool live;
	uint8_t index;
	uint16_t seq;
	uint64_t cookie; /* of the probe: a reused sequence is not it */
	int64_t sent_rt; /* CLOCK_REALTIME just before the send */
};

union icmp_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

struct icmp_sock {
	struct icmp *icmp;
	int fd; /* -1 when closed or never opened */
	int family;
	enum icmp_mode mode;
	uint16_t id;      /* echo identifier (host order) */
	bool ts;          /* SO_TIMESTAMPING is on */
	bool ts_tx_seen;  /* a send stamp came back at least once */
	uint32_t tx_key;  /* sends the kernel counted, as we count them */
	uint32_t key_adj; /* kernel's key - ours */
	uint32_t drops;   /* last SO_RXQ_OVFL value */
	struct icmp_tsent ring[ICMP_TS_RING];
};

struct icmp_probe {
	struct icmp *icmp;
	struct icmp_probe *prev, *next;       /* in flight */
	struct icmp_probe *rq_prev, *rq_next; /* ready queue */
	bool queued;
	struct icmp_sock *sock;
	union icmp_addr dst;
	socklen_t dstlen;
	int count;
	int64_t interval_ns;
	int64_t timeout_ns;
	icmp_done_fn *fn;
	void *arg;
	uint64_t cookie;
	struct loop_timer timer;
	int npending;         /* requests in ICMP_REQ_PENDING */
	int nwait_tx;         /* answered requests with wait_tx */
	int64_t last_send_ns; /* monotonic, of the latest request */
	struct icmp_result res; /* res.sent: requests sent so far */
	struct icmp_req req[]; /* count entries */
};

/* One message of a receive batch. */
struct icmp_rxslot {
	union icmp_addr from;
	union {
		struct cmsghdr align;
		uint8_t buf[ICMP_CTL_LEN];
	} ctl;
	uint8_t data[ICMP_RECV_BUFLEN];
};

/* One request of a send batch: the probe and which request (-1: it
 * failed before reaching the socket). */
struct icmp_txslot {
	struct icmp_probe *probe;
	int index;
	int msg; /* index into txmm, or -1 */
};

struct icmp {
	struct loop *loop;
	struct icmp_sock v4, v6;
	struct icmp_probe *probes; /* in flight */
	size_t nprobes;
	struct icmp_probe *rq_head, *rq_tail; /* ready to send, in order */
	struct loop_timer send_timer;
	int64_t gap_ns;     /* pacing; 0 = none */
	int64_t last_tx_ns; /* monotonic, of the latest send */
	uint16_t next_seq;
	size_t seq_used; /* held entries of seqmap */
	int busy;        /* prober frames on the stack */
	bool dead;       /* icmp_free() called; free when busy drops to 0 */
	struct icmp_counters counters;
	struct mmsghdr txmm[ICMP_BATCH];
	struct iovec txiov[ICMP_BATCH];
	struct icmp_txslot tx[ICMP_BATCH];
	uint8_t txbuf[ICMP_BATCH][ICMP_PARSE_PACKET_LEN];
	struct mmsghdr rxmm[ICMP_BATCH];
	struct iovec rxiov[ICMP_BATCH];
	struct icmp_rxslot rx[ICMP_BATCH];
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

static int64_t
icmp_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * LOOP_NS_PER_SEC + ts.tv_nsec;
}

static const char *
icmp_addr_text(const union icmp_addr *a, char *buf, size_t len)
{
	const void *p = a->sa.sa_family == AF_INET6 ?
	    (const void *)&a->sin6.sin6_addr : (const void *)&a->sin.sin_addr;

	if (inet_ntop(a->sa.sa_family == AF_INET6 ? AF_INET6 : AF_INET, p, buf,
		(socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* Same host? Addresses only: ports and IPv6 scopes do not matter. */
static bool
icmp_addr_equal(const union icmp_addr *a, const union icmp_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET6)
		return memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr,
			   sizeof(a->sin6.sin6_addr)) == 0;
	return a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
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

static const char *
icmp_proto_name(int family)
{
	return family == AF_INET6 ? "ICMPv6" : "ICMP";
}

static socklen_t
icmp_addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct sockaddr_in6) :
				    sizeof(struct sockaddr_in);
}

/* Best effort: large buffers, kernel timestamps, drop counts. */
static void
icmp_sock_options(struct icmp_sock *s)
{
	int rcv = ICMP_RCVBUF, snd = ICMP_SNDBUF, on = 1, ts;

	/* The FORCE variants pass rmem_max/wmem_max when privileged; the
	 * plain ones are capped by them. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) !=
	    0)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv,
		    sizeof(rcv));
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) !=
	    0)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &snd,
		    sizeof(snd));
	(void)setsockopt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	/* OPT_ID numbers the sends from 0 (ee_data of each send stamp);
	 * OPT_TSONLY returns the stamp without the packet, which keeps
	 * the error queue small and works for unprivileged sockets. */
	ts = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
	    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
	    SOF_TIMESTAMPING_OPT_TSONLY;
	s->ts = setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &ts,
		    sizeof(ts)) == 0;
	if (!s->ts)
		log_debug("icmp: no kernel timestamps on the %s socket: %s",
		    icmp_proto_name(s->family), strerror(errno));
}

static int
icmp_sock_raw(struct icmp_sock *s, char *err, size_t errlen)
{
	struct icmp6_filter f6;
	struct icmp_filter f4;
	int ret;

	if (s->family == AF_INET) {
		/* ICMP_FILTER: set bits are dropped by the kernel. */
		f4.data = ~(uint32_t)(1u << ICMP_ECHOREPLY |
		    1u << ICMP_DEST_UNREACH | 1u << ICMP_TIME_EXCEEDED |
		    1u << ICMP_PARAMETERPROB);
		ret = setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &f4, sizeof(f4));
	} else {
		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f6);
		ret = setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6,
		    sizeof(f6));
	}
	if (ret != 0) {
		ret = -errno;
		snprintf(err, errlen, "%s filter: %s",
		    icmp_proto_name(s->family), strerror(-ret));
		return ret;
	}
	/* A random identifier, not the pid: not guessable, and two
	 * probers on one host rarely share it (cookies cover the rest). */
	ret = icmp_random(&s->id, sizeof(s->id));
	if (ret < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(-ret));
		return ret;
	}
	s->mode = ICMP_MODE_RAW;
	return 0;
}

static int
icmp_sock_dgram(struct icmp_sock *s, char *err, size_t errlen)
{
	union icmp_addr a;
	socklen_t alen;
	int on = 1, ret;

	/* Binding to port 0 makes the kernel pick the identifier now, so
	 * that we can read it before the first send. */
	memset(&a, 0, sizeof(a));
	a.sa.sa_family = (sa_family_t)s->family;
	alen = icmp_addr_len(s->family);
	if (bind(s->fd, &a.sa, alen) != 0) {
		ret = -errno;
		snprintf(err, errlen, "bind datagram %s socket: %s",
		    icmp_proto_name(s->family), strerror(-ret));
		return ret;
	}
	if (getsockname(s->fd, &a.sa, &alen) != 0) {
		ret = -errno;
		snprintf(err, errlen, "getsockname: %s", strerror(-ret));
		return ret;
	}
	if (s->family == AF_INET)
		ret = setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &on,
		    sizeof(on));
	else
		ret = setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
		    sizeof(on));
	if (ret != 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s",
		    s->family == AF_INET ? "IP_RECVERR" : "IPV6_RECVERR",
		    strerror(-ret));
		return ret;
	}
	s->id = ntohs(s->family == AF_INET ? a.sin.sin_port :
					     a.sin6.sin6_port);
	s->mode = ICMP_MODE_DGRAM;
	return 0;
}

/* Open the socket of s->family: raw, else (not permitted) datagram. Fills
 * err (without a prefix) on failure. */
static int
icmp_sock_open(struct icmp_sock *s, char *err, size_t errlen)
{
	const char *name = icmp_proto_name(s->family);
	int proto = s->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int raw_errno, ret;

	s->fd = socket(s->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto);
	if (s->fd >= 0) {
		ret = icmp_sock_raw(s, err, errlen);
	} else if (errno == EPERM || errno == EACCES) {
		raw_errno = errno;
		s->fd = socket(s->family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (s->fd < 0) {
			ret = -errno;
			snprintf(err, errlen,
			    "cannot open a raw %s socket (%s) nor a "
			    "datagram %s socket (%s): run with CAP_NET_RAW "
			    "or allow the group in net.ipv4.ping_group_range",
			    name, strerror(raw_errno), name, strerror(-ret));
			return ret;
		}
		ret = icmp_sock_dgram(s, err, errlen);
	} else {
		ret = -errno;
		snprintf(err, errlen, "raw %s socket: %s", name,
		    strerror(-ret));
		return ret;
	}
	if (ret < 0) {
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	icmp_sock_options(s);
	return 0;
}

static void
icmp_sock_close(struct icmp_sock *s)
{
	if (s->fd < 0)
		return;
	loop_io_del(s->icmp->loop, s->fd);
	close(s->fd);
	s->fd = -1;
}

/* ---- receiving ---- */

static void
icmp_probe_check_done(struct icmp_probe *p)
{
	int64_t at;

	if (p->res.sent < p->count || p->npending > 0)
		return;
	if (p->nwait_tx == 0) {
		icmp_probe_finish(p, false);
		return;
	}
	/* The send stamps of answered requests are due any moment (the
	 * kernel queued them before the replies could come): wait a
	 * little for them, not for the timeout. */
	at = loop_now(p->icmp->loop) + ICMP_TS_WAIT_NS;
	if ((!loop_timer_active(&p->timer) || p->timer.deadline > at) &&
	    loop_timer_start(p->icmp->loop, &p->timer, at) != 0)
		icmp_probe_finish(p, false); /* without the stamps then */
}

/* The probe and request a sequence number belongs to, on this socket. */
static struct icmp_probe *
icmp_lookup(struct icmp_sock *s, uint16_t seq, int *idx)
{
	struct icmp_seqent *e = &s->icmp->seqmap[seq];

	if (e->probe == NULL) {
		s->icmp->counters.rx_late++;
		return NULL;
	}
	if (e->probe->sock != s) {
		/* Our identifier on the other family's sequence. */
		s->icmp->counters.rx_foreign++;
		return NULL;
	}
	*idx = e->index;
	return e->probe;
}

static void
icmp_on_reply(struct icmp_sock *s, const struct icmp_parse_result *pr,
    const union icmp_addr *sender, int64_t now, int64_t rx_ts)
{
	struct icmp_counters *c = &s->icmp->counters;
	struct icmp_probe *p;
	struct icmp_req *rq;
	int idx;

	p = icmp_lookup(s, pr->seq, &idx);
	if (p == NULL)
		return;
	if (icmp_parse_cookie_check(pr->payload, pr->payload_len, p->cookie,
		(uint16_t)idx) != ICMP_PARSE_COOKIE_OK) {
		c->rx_bad_cookie++;
		return;
	}
	if (!icmp_addr_equal(sender, &p->dst)) {
		c->rx_foreign++;
		return;
	}
	rq = &p->req[idx];
	if (rq->state != ICMP_REQ_PENDING) {
		c->rx_duplicate++;
		return;
	}
	rq->state = ICMP_REQ_ANSWERED;
	rq->rx_ns = now;
	rq->rx_ts = rx_ts;
	p->npending--;
	p->res.received++;
	if (s->ts_tx_seen && rq->tx_ts == 0 && rx_ts != 0) {
		rq->wait_tx = true;
		p->nwait_tx++;
	}
	icmp_probe_check_done(p);
}

static void
icmp_on_error(struct icmp_sock *s, const struct icmp_parse_result *pr,
    const union icmp_addr *sender)
{
	struct icmp_counters *c = &s->icmp->counters;
	char addr[INET6_ADDRSTRLEN];
	struct icmp_probe *p;
	struct icmp_result *r;
	union icmp_addr qdst;
	int idx;

	p = icmp_lookup(s, pr->seq, &idx);
	if (p == NULL)
		return;
	memset(&qdst, 0, sizeof(qdst));
	qdst.sa.sa_family = (sa_family_t)s->family;
	if (s->family == AF_INET)
		qdst.sin.sin_addr = pr->quoted_dst;
	else
		qdst.sin6.sin6_addr = pr->quoted_dst6;
	if (!icmp_addr_equal(&qdst, &p->dst)) {
		c->rx_foreign++;
		return;
	}
	/* Routers may quote only 8 bytes of our request: no cookie to
	 * check then, the identifier, sequence and destination matched. */
	if (icmp_parse_cookie_check(pr->payload, pr->payload_len, p->cookie,
		(uint16_t)idx) == ICMP_PARSE_COOKIE_BAD) {
		c->rx_bad_cookie++;
		return;
	}
	if (p->req[idx].state != ICMP_REQ_PENDING) {
		c->rx_duplicate++;
		return;
	}
	/* No reply will follow an error: the request is settled as lost. */
	p->req[idx].state = ICMP_REQ_ERROR;
	p->npending--;
	c->rx_icmp_errors++;
	r = &p->res;
	r->icmp_errors++;
	snprintf(r->icmp_error_text, sizeof(r->icmp_error_text), "%s from %s",
	    s->family == AF_INET ? icmp_parse_error_text(pr->type, pr->code) :
				   icmp_parse_error_text6(pr->type, pr->code),
	    icmp_addr_text(sender, addr, sizeof(addr)));
	icmp_probe_check_done(p);
}

static void
icmp_dispatch(struct icmp_sock *s, enum icmp_parse_outcome o,
    const struct icmp_parse_result *pr, const union icmp_addr *sender,
    int64_t now, int64_t rx_ts)
{
	struct icmp_counters *c = &s->icmp->counters;

	switch (o) {
	case ICMP_PARSE_ECHO_REPLY:
		icmp_on_reply(s, pr, sender, now, rx_ts);
		break;
	case ICMP_PARSE_ERROR:
		icmp_on_error(s, pr, sender);
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

/* Was the stamp at ts taken for the send t? It follows the send closely. */
static bool
icmp_ts_fits(const struct icmp_tsent *t, uint32_t key, int64_t ts)
{
	return t->live && t->key == key && ts >= t->sent_rt &&
	    ts - t->sent_rt <= ICMP_TS_TX_WINDOW_NS;
}

/* The send a kernel stamp with key kkey belongs to, or NULL. */
static struct icmp_tsent *
icmp_ts_find(struct icmp_sock *s, uint32_t kkey, int64_t ts)
{
	uint32_t k = kkey - s->key_adj, cand;
	struct icmp_tsent *t;
	int d;

	t = &s->ring[k % ICMP_TS_RING];
	if (icmp_ts_fits(t, k, ts))
		return t;
	/* Out of step with the kernel's counter: a send failed after it
	 * was counted, or the other way round. The nearest send the stamp
	 * fits gives the new offset. */
	for (d = 1; d <= ICMP_TS_RESYNC; d++) {
		cand = k - (uint32_t)d;
		t = &s->ring[cand % ICMP_TS_RING];
		if (!icmp_ts_fits(t, cand, ts)) {
			cand = k + (uint32_t)d;
			t = &s->ring[cand % ICMP_TS_RING];
			if (!icmp_ts_fits(t, cand, ts))
				continue;
		}
		log_debug("icmp: %s send stamps resynchronised (%+d)",
		    icmp_proto_name(s->family), (int)(k - cand));
		s->key_adj = kkey - cand;
		return t;
	}
	return NULL;
}

static void
icmp_on_tx_stamp(struct icmp_sock *s, uint32_t kkey, int64_t ts)
{
	struct icmp *icmp = s->icmp;
	struct icmp_seqent *e;
	struct icmp_tsent *t;
	struct icmp_probe *p;
	struct icmp_req *rq;

	s->ts_tx_seen = true;
	t = icmp_ts_find(s, kkey, ts);
	if (t == NULL) {
		icmp->counters.ts_unmatched++;
		return;
	}
	t->live = false;
	e = &icmp->seqmap[t->seq];
	p = e->probe;
	if (p == NULL || p->cookie != t->cookie || e->index != t->index) {
		icmp->counters.ts_unmatched++; /* its probe has completed */
		return;
	}
	rq = &p->req[t->index];
	rq->tx_ts = ts;
	if (rq->wait_tx) {
		rq->wait_tx = false;
		p->nwait_tx--;
		icmp_probe_check_done(p);
	}
}

static void
icmp_note_drops(struct icmp_sock *s, const struct icmp_parse_anc *anc)
{
	if (!anc->have_drops)
		return;
	s->icmp->counters.rx_kernel_drops += (uint32_t)(anc->drops - s->drops);
	s->drops = anc->drops;
}

/* One entry of the error queue: a send stamp, or (datagram sockets) an
 * ICMP error quoting one of our requests. */
static void
icmp_on_errqueue(struct icmp_sock *s, struct icmp_rxslot *slot, size_t len,
    const struct msghdr *msg, int64_t now)
{
	struct icmp_counters *c = &s->icmp->counters;
	struct icmp_parse_result pr;
	struct icmp_parse_anc anc;
	enum icmp_parse_outcome o;
	union icmp_addr off, dst;
	uint8_t want;

	icmp_parse_anc(msg, &anc);
	if (anc.have_ee && anc.ee_origin == ICMP_PARSE_EE_TIMESTAMPING) {
		if (anc.ee_errno == ENOMSG && anc.have_stamp)
			icmp_on_tx_stamp(s, anc.ee_data, anc.stamp_ns);
		return;
	}
	c->rx_packets++;
	want = s->family == AF_INET ? ICMP_PARSE_EE_ICMP : ICMP_PARSE_EE_ICMP6;
	/* Local errors (no ICMP message behind them) are not input. */
	if (!anc.have_ee || anc.ee_origin != want) {
		c->rx_foreign++;
		return;
	}
	memset(&off, 0, sizeof(off));
	memset(&dst, 0, sizeof(dst));
	off.sa.sa_family = dst.sa.sa_family = (sa_family_t)s->family;
	if (anc.offender.ss_family == s->family)
		memcpy(&off, &anc.offender, icmp_addr_len(s->family));
	if (msg->msg_namelen >= icmp_addr_len(s->family) &&
	    slot->from.sa.sa_family == s->family)
		dst = slot->from;
	if (s->family == AF_INET)
		o = icmp_parse_v4_errqueue(slot->data, len, s->id, anc.ee_type,
		    anc.ee_code, off.sin.sin_addr, dst.sin.sin_addr, &pr);
	else
		o = icmp_parse_v6_errqueue(slot->data, len, s->id, anc.ee_type,
		    anc.ee_code, &off.sin6.sin6_addr, &dst.sin6.sin6_addr, &pr);
	icmp_dispatch(s, o, &pr, &off, now, 0);
}

/* One datagram of the receive queue: reply, error (raw sockets), junk. */
static void
icmp_on_datagram(struct icmp_sock *s, struct icmp_rxslot *slot, size_t len,
    const struct msghdr *msg, int64_t now)
{
	struct icmp_counters *c = &s->icmp->counters;
	struct icmp_parse_result pr;
	struct icmp_parse_anc anc;
	enum icmp_parse_outcome o;
	bool raw = s->mode == ICMP_MODE_RAW;

	c->rx_packets++;
	icmp_parse_anc(msg, &anc);
	icmp_note_drops(s, &anc);
	if (msg->msg_flags & MSG_TRUNC) {
		/* Larger than any reply or error of ours. */
		c->rx_foreign++;
		return;
	}
	if (msg->msg_namelen < icmp_addr_len(s->family) ||
	    slot->from.sa.sa_family != s->family) {
		memset(&slot->from, 0, sizeof(slot->from));
		slot->from.sa.sa_family = (sa_family_t)s->family;
	}
	if (s->family == AF_INET)
		o = icmp_parse_v4(slot->data, len,
		    raw ? ICMP_PARSE_WITH_IP : ICMP_PARSE_ICMP_ONLY, raw, s->id,
		    &pr);
	else
		o = icmp_parse_v6(slot->data, len, s->id, &pr);
	icmp_dispatch(s, o, &pr, &slot->from, now,
	    anc.have_stamp ? anc.stamp_ns : 0);
}

/* Read up to ICMP_DRAIN_MAX messages from the socket's receive queue or
 * its error queue, ICMP_BATCH per recvmmsg(). */
static void
icmp_drain(struct icmp_sock *s, bool errqueue)
{
	struct icmp *icmp = s->icmp;
	struct msghdr *m;
	int total = 0, n, i;
	int64_t now;

	while (total < ICMP_DRAIN_MAX && !icmp->dead) {
		for (i = 0; i < ICMP_BATCH; i++) {
			m = &icmp->rxmm[i].msg_hdr;
			memset(m, 0, sizeof(*m));
			icmp->rxiov[i].iov_base = icmp->rx[i].data;
			icmp->rxiov[i].iov_len = sizeof(icmp->rx[i].data);
			m->msg_name = &icmp->rx[i].from;
			m->msg_namelen = sizeof(icmp->rx[i].from);
			m->msg_iov = &icmp->rxiov[i];
			m->msg_iovlen = 1;
			m->msg_control = icmp->rx[i].ctl.buf;
			m->msg_controllen = sizeof(icmp->rx[i].ctl.buf);
		}
		n = recvmmsg(s->fd, icmp->rxmm, ICMP_BATCH,
		    MSG_DONTWAIT | (errqueue ? MSG_ERRQUEUE : 0), NULL);
		now = loop_clock();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* A pending socket error, reported once: on a
			 * datagram socket an ICMP error whose details wait
			 * in the error queue. */
			log_debug("icmp: recvmmsg: %s", strerror(errno));
			if (errqueue || s->mode != ICMP_MODE_DGRAM)
				return;
			icmp_drain(s, true);
			total++;
			continue;
		}
		icmp->counters.rx_batches++;
		for (i = 0; i < n && !icmp->dead; i++) {
			if (errqueue)
				icmp_on_errqueue(s, &icmp->rx[i],
				    icmp->rxmm[i].msg_len,
				    &icmp->rxmm[i].msg_hdr, now);
			else
				icmp_on_datagram(s, &icmp->rx[i],
				    icmp->rxmm[i].msg_len,
				    &icmp->rxmm[i].msg_hdr, now);
		}
		total += n;
		if (n < ICMP_BATCH)
			return;
	}
}

static void
icmp_on_io(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct icmp_sock *s = arg;
	struct icmp *icmp = s->icmp;

	icmp_enter(icmp);
	/* Error queue first: send stamps are queued before the replies
	 * they belong to can arrive. */
	if (events & LOOP_ERROR)
		icmp_drain(s, true);
	if (!icmp->dead)
		icmp_drain(s, false);
	icmp_leave(icmp);
}

/* ---- sending ---- */

static int
icmp_send_arm(struct icmp *icmp)
{
	int64_t at = loop_now(icmp->loop);

	if (icmp->rq_head == NULL)
		return 0;
	if (icmp->gap_ns > 0 && icmp->last_tx_ns + icmp->gap_ns > at)
		at = icmp->last_tx_ns + icmp->gap_ns;
	if (loop_timer_active(&icmp->send_timer) &&
	    icmp->send_timer.deadline <= at)
		return 0;
	return loop_timer_start(icmp->loop, &icmp->send_timer, at);
}

static void
icmp_rq_remove(struct icmp *icmp, struct icmp_probe *p)
{
	if (!p->queued)
		return;
	if (p->rq_prev != NULL)
		p->rq_prev->rq_next = p->rq_next;
	else
		icmp->rq_head = p->rq_next;
	if (p->rq_next != NULL)
		p->rq_next->rq_prev = p->rq_prev;
	else
		icmp->rq_tail = p->rq_prev;
	p->rq_prev = p->rq_next = NULL;
	p->queued = false;
}

/* Queue p's next request behind those already waiting. Returns 0, or
 * -ENOMEM when the send timer cannot be armed (p is not queued then). */
static int
icmp_rq_push(struct icmp *icmp, struct icmp_probe *p)
{
	bool paced = icmp->gap_ns > 0 &&
	    (icmp->rq_head != NULL ||
		loop_now(icmp->loop) < icmp->last_tx_ns + icmp->gap_ns);
	int ret;

	p->rq_prev = icmp->rq_tail;
	p->rq_next = NULL;
	if (icmp->rq_tail != NULL)
		icmp->rq_tail->rq_next = p;
	else
		icmp->rq_head = p;
	icmp->rq_tail = p;
	p->queued = true;
	ret = icmp_send_arm(icmp);
	if (ret < 0) {
		icmp_rq_remove(icmp, p);
		return ret;
	}
	if (paced)
		icmp->counters.tx_paced++;
	return 0;
}

/* May the kernel have counted a send that failed with e? Failures before
 * the datagram is built (routing, arguments, buffer space) leave its
 * counter alone; later ones (a firewall's EPERM, a full queue) do not. */
static bool
icmp_send_counted(int e)
{
	return e == EPERM || e == ENOBUFS;
}

static void
icmp_sent(struct icmp_sock *s, struct icmp_probe *p, int idx, int64_t rt)
{
	struct icmp_req *rq = &p->req[idx];
	struct icmp_tsent *t;

	rq->state = ICMP_REQ_PENDING;
	p->npending++;
	s->icmp->counters.tx_packets++;
	if (!s->ts)
		return;
	t = &s->ring[s->tx_key % ICMP_TS_RING];
	t->key = s->tx_key++;
	t->live = true;
	t->index = (uint8_t)idx;
	t->seq = rq->seq;
	t->cookie = p->cookie;
	t->sent_rt = rt;
}

static void
icmp_send_failed(struct icmp_sock *s, struct icmp_probe *p, int idx, int e,
    bool held)
{
	char addr[INET6_ADDRSTRLEN];

	if (held)
		icmp_seq_release(s->icmp, p, p->req[idx].seq);
	if (s->ts && icmp_send_counted(e))
		s->tx_key++;
	/* Counted as sent and lost, so that a target we cannot even send
	 * to is down, with the reason in send_errno. */
	p->req[idx].state = ICMP_REQ_SEND_FAILED;
	p->res.send_errno = e;
	s->icmp->counters.tx_errors++;
	log_debug("icmp: send to %s: %s",
	    icmp_addr_text(&p->dst, addr, sizeof(addr)), strerror(e));
}

/* After a send: queue the next request, or arm the timer for it, for the
 * timeout, or (nothing pending) for completion in the next pass. */
static void
icmp_after_send(struct icmp_probe *p)
{
	struct icmp *icmp = p->icmp;
	int64_t at;

	if (p->res.sent < p->count && p->interval_ns == 0 &&
	    icmp_rq_push(icmp, p) == 0)
		return;
	if (p->res.sent < p->count)
		at = p->last_send_ns + p->interval_ns;
	else if (p->npending > 0)
		at = p->last_send_ns + p->timeout_ns;
	else
		at = loop_now(icmp->loop);
	/* The probe's own timer was idle while it was queued, so its heap
	 * slot is free and this cannot fail for want of memory. */
	if (loop_timer_start(icmp->loop, &p->timer, at) != 0)
		log_warnx("icmp: cannot arm a probe timer: out of memory");
}

/*
 * Send up to max queued requests, all of the family of the queue's head,
 * in one sendmmsg() where the kernel takes them all. Returns how many
 * requests were taken from the queue. Runs no callback.
 */
static int
icmp_send_batch(struct icmp *icmp, int max)
{
	struct icmp_sock *s = icmp->rq_head->sock;
	struct icmp_txslot *tx;
	struct icmp_probe *p;
	struct msghdr *m;
	int err[ICMP_BATCH]; /* per message: errno of its failure, or 0 */
	int n = 0, nmsg = 0, i, r;
	int64_t mono, rt;
	uint16_t seq;

	while (n < max && icmp->rq_head != NULL && icmp->rq_head->sock == s) {
		p = icmp->rq_head;
		icmp_rq_remove(icmp, p);
		tx = &icmp->tx[n++];
		tx->probe = p;
		tx->index = p->res.sent++;
		tx->msg = -1;
		if (icmp_seq_take(icmp, p, tx->index, &seq) < 0)
			continue;
		p->req[tx->index].seq = seq;
		if (s->family == AF_INET)
			(void)icmp_parse_build_echo(icmp->txbuf[nmsg],
			    ICMP_PARSE_PACKET_LEN, s->id, seq, p->cookie,
			    (uint16_t)tx->index);
		else
			(void)icmp_parse_build_echo6(icmp->txbuf[nmsg],
			    ICMP_PARSE_PACKET_LEN, s->id, seq, p->cookie,
			    (uint16_t)tx->index);
		err[nmsg] = 0;
		icmp->txiov[nmsg].iov_base = icmp->txbuf[nmsg];
		icmp->txiov[nmsg].iov_len = ICMP_PARSE_PACKET_LEN;
		m = &icmp->txmm[nmsg].msg_hdr;
		memset(m, 0, sizeof(*m));
		m->msg_name = &p->dst;
		m->msg_namelen = p->dstlen;
		m->msg_iov = &icmp->txiov[nmsg];
		m->msg_iovlen = 1;
		tx->msg = nmsg++;
	}

	mono = loop_clock();
	rt = s->ts ? icmp_realtime() : 0;
	icmp->last_tx_ns = mono;
	for (i = 0; i < nmsg;) {
		r = sendmmsg(s->fd, &icmp->txmm[i], (unsigned)(nmsg - i), 0);
		if (r < 0 && errno == EINTR)
			continue;
		icmp->counters.tx_batches++;
		if (r > 0) {
			i += r;
			continue;
		}
		/* The first message failed: note why, go on with the rest. */
		err[i++] = r < 0 ? errno : EIO;
	}
	for (i = 0; i < n; i++) {
		tx = &icmp->tx[i];
		p = tx->probe;
		p->last_send_ns = mono;
		p->req[tx->index].sent_ns = mono;
		if (tx->msg < 0)
			icmp_send_failed(s, p, tx->index, ENOBUFS, false);
		else if (err[tx->msg] != 0)
			icmp_send_failed(s, p, tx->index, err[tx->msg], true);
		else
			icmp_sent(s, p, tx->index, rt);
		icmp_after_send(p);
	}
	return n;
}

static void
icmp_on_send_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct icmp *icmp = arg;
	int budget = ICMP_SEND_BUDGET;

	icmp_enter(icmp);
	while (icmp->rq_head != NULL && budget > 0) {
		if (icmp->gap_ns > 0) {
			if (loop_clock() < icmp->last_tx_ns + icmp->gap_ns)
				break;
			budget -= icmp_send_batch(icmp, 1);
		} else
			budget -= icmp_send_batch(icmp,
			    budget < ICMP_BATCH ? budget : ICMP_BATCH);
	}
	/* The timer just fired: its slot is free, arming cannot fail. */
	if (icmp_send_arm(icmp) != 0)
		log_warnx("icmp: cannot arm the send timer: out of memory");
	icmp_leave(icmp);
}

/* ---- probe life cycle ---- */

static void
icmp_probe_on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct icmp_probe *p = arg;
	struct icmp *icmp = p->icmp;

	icmp_enter(icmp);
	if (p->res.sent >= p->count)
		icmp_probe_finish(p, false); /* timeout, or nothing left */
	else if (icmp_rq_push(icmp, p) != 0) {
		log_warnx("icmp: cannot queue a request: out of memory");
		icmp_probe_finish(p, true);
	}
	icmp_leave(icmp);
}

/* The RTT of an answered request, from kernel stamps when possible. */
static int64_t
icmp_req_rtt(struct icmp *icmp, const struct icmp_req *rq, bool *kernel)
{
	int64_t mono = rq->rx_ns > rq->sent_ns ? rq->rx_ns - rq->sent_ns : 0;
	int64_t k;

	*kernel = false;
	if (rq->tx_ts == 0 || rq->rx_ts == 0) {
		icmp->counters.ts_fallback++;
		return mono;
	}
	/* The kernel's stamps lie within the monotonic reads around send
	 * and receive; a result outside (a stepped clock, a mismatched
	 * stamp) is impossible and not used. */
	k = rq->rx_ts - rq->tx_ts;
	if (k < 0 || k > mono + ICMP_TS_SLACK_NS) {
		icmp->counters.rx_bad_timestamp++;
		icmp->counters.ts_fallback++;
		return mono;
	}
	*kernel = true;
	return k;
}

void
icmp_result_stats(struct icmp_result *r)
{
	double sum = 0.0, jit = 0.0, d;
	int i;

	r->rtt_min_ms = r->rtt_max_ms = r->rtt_avg_ms = 0.0;
	r->rtt_jitter_ms = 0.0;
	for (i = 0; i < r->received && i < ICMP_MAX_COUNT; i++) {
		if (i == 0 || r->rtt_ms[i] < r->rtt_min_ms)
			r->rtt_min_ms = r->rtt_ms[i];
		if (i == 0 || r->rtt_ms[i] > r->rtt_max_ms)
			r->rtt_max_ms = r->rtt_ms[i];
		sum += r->rtt_ms[i];
		if (i > 0) {
			d = r->rtt_ms[i] - r->rtt_ms[i - 1];
			jit += d < 0 ? -d : d;
		}
	}
	if (i > 0)
		r->rtt_avg_ms = sum / i;
	if (i > 1)
		r->rtt_jitter_ms = jit / (i - 1);
}

/* Fill the RTT fields of p's result, in send order. */
static void
icmp_probe_summarize(struct icmp_probe *p)
{
	struct icmp_result *r = &p->res;
	bool kernel;
	int i, n = 0;

	for (i = 0; i < r->sent; i++) {
		if (p->req[i].state != ICMP_REQ_ANSWERED)
			continue;
		r->rtt_ms[n] = (double)icmp_req_rtt(p->icmp, &p->req[i],
				   &kernel) /
		    (double)LOOP_NS_PER_MSEC;
		r->rtt_req[n] = (uint8_t)i;
		r->rtt_kernel += kernel;
		n++;
	}
	r->received = n;
	icmp_result_stats(r);
}

/*
 * Complete p: detach it from the timer, the ready queue, the sequence map
 * and the list, run its callback, free it. Must not touch the prober after
 * the callback beyond icmp_leave(): the callback may have called
 * icmp_free().
 */
static void
icmp_probe_finish(struct icmp_probe *p, bool aborted)
{
	struct icmp *icmp = p->icmp;
	uint8_t st;
	int i;

	loop_timer_stop(icmp->loop, &p->timer);
	icmp_rq_remove(icmp, p);
	for (i = 0; i < p->res.sent; i++) {
		st = p->req[i].state;
		if (st == ICMP_REQ_PENDING || st == ICMP_REQ_ANSWERED ||
		    st == ICMP_REQ_ERROR)
			icmp_seq_release(icmp, p, p->req[i].seq);
	}
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		icmp->probes = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->prev = p->next = NULL;
	icmp->nprobes--;

	p->res.aborted = aborted;
	icmp_probe_summarize(p);
	icmp_enter(icmp);
	p->fn(&p->res, p->arg);
	free(p);
	icmp_leave(icmp);
}

/* ---- public ---- */

int
icmp_new(struct loop *loop, struct icmp **out, char *err, size_t errlen)
{
	char err4[256] = "", err6[256] = "";
	struct icmp_sock *s, *socks[2];
	struct icmp *icmp;
	int ret, ret4, ret6, i;

	*out = NULL;
	icmp = calloc(1, sizeof(*icmp));
	if (icmp == NULL) {
		snprintf(err, errlen, "icmp: out of memory");
		return -ENOMEM;
	}
	icmp->loop = loop;
	icmp->last_tx_ns = INT64_MIN / 2;
	loop_timer_init(&icmp->send_timer, icmp_on_send_timer, icmp);
	socks[0] = &icmp->v4;
	socks[1] = &icmp->v6;
	icmp->v4.family = AF_INET;
	icmp->v6.family = AF_INET6;
	for (i = 0; i < 2; i++) {
		socks[i]->icmp = icmp;
		socks[i]->fd = -1;
		socks[i]->mode = ICMP_MODE_NONE;
	}
	ret4 = icmp_sock_open(&icmp->v4, err4, sizeof(err4));
	ret6 = icmp_sock_open(&icmp->v6, err6, sizeof(err6));
	if (ret4 < 0 && ret6 < 0) {
		snprintf(err, errlen, "icmp: IPv4: %s; IPv6: %s", err4, err6);
		ret = ret4;
		goto fail;
	}
	ret = icmp_random(&icmp->next_seq, sizeof(icmp->next_seq));
	if (ret < 0) {
		snprintf(err, errlen, "icmp: getrandom: %s", strerror(-ret));
		goto fail;
	}
	for (i = 0; i < 2; i++) {
		s = socks[i];
		if (s->fd < 0) {
			log_info("icmp: no IPv%c probes: %s",
			    s->family == AF_INET ? '4' : '6',
			    s->family == AF_INET ? err4 : err6);
			continue;
		}
		ret = loop_io_add(loop, s->fd, LOOP_READ, icmp_on_io, s);
		if (ret < 0) {
			snprintf(err, errlen,
			    "icmp: cannot watch the socket: %s",
			    strerror(-ret));
			goto fail;
		}
		log_info("icmp: IPv%c probes use %s %s socket, identifier %u, "
			 "%s",
		    s->family == AF_INET ? '4' : '6',
		    s->mode == ICMP_MODE_RAW ? "a raw" :
					       "an unprivileged datagram",
		    icmp_proto_name(s->family), (unsigned)s->id,
		    s->ts ? "kernel timestamps" : "no kernel timestamps");
	}
	*out = icmp;
	return 0;

fail:
	for (i = 0; i < 2; i++)
		icmp_sock_close(socks[i]);
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
	loop_timer_stop(icmp->loop, &icmp->send_timer);
	icmp_sock_close(&icmp->v4);
	icmp_sock_close(&icmp->v6);
	icmp_leave(icmp);
}

enum icmp_mode
icmp_get_mode(const struct icmp *icmp)
{
	return icmp->v4.mode;
}

enum icmp_mode
icmp_get_mode6(const struct icmp *icmp)
{
	return icmp->v6.mode;
}

bool
icmp_has_family(const struct icmp *icmp, int family)
{
	if (family == AF_INET)
		return icmp->v4.fd >= 0;
	if (family == AF_INET6)
		return icmp->v6.fd >= 0;
	return false;
}

void
icmp_set_pacing(struct icmp *icmp, int64_t gap_ns)
{
	if (gap_ns < 0)
		gap_ns = 0;
	if (gap_ns > ICMP_MAX_WAIT_NS)
		gap_ns = ICMP_MAX_WAIT_NS;
	icmp->gap_ns = gap_ns;
	/* Waiting requests may go sooner (or must go later: the timer
	 * then finds it early and re-arms). */
	if (!icmp->dead && icmp_send_arm(icmp) != 0)
		log_warnx("icmp: cannot arm the send timer: out of memory");
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
	struct icmp_sock *s;
	struct icmp_probe *p;
	socklen_t len;
	int ret;

	if (out != NULL)
		*out = NULL;
	if (icmp->dead)
		return -ESHUTDOWN;
	if (req == NULL || fn == NULL)
		return -EINVAL;
	if (req->addr.ss_family == AF_INET) {
		s = &icmp->v4;
		len = sizeof(struct sockaddr_in);
	} else if (req->addr.ss_family == AF_INET6) {
		s = &icmp->v6;
		len = sizeof(struct sockaddr_in6);
	} else
		return -EAFNOSUPPORT;
	if (s->fd < 0)
		return -EAFNOSUPPORT;
	if (req->addrlen < len || req->count < 1 ||
	    req->count > ICMP_MAX_COUNT || req->interval_ns < 0 ||
	    req->interval_ns > ICMP_MAX_WAIT_NS || req->timeout_ns < 0 ||
	    req->timeout_ns > ICMP_MAX_WAIT_NS)
		return -EINVAL;

	p = calloc(1, sizeof(*p) + (size_t)req->count * sizeof(p->req[0]));
	if (p == NULL)
		return -ENOMEM;
	ret = icmp_random(&p->cookie, sizeof(p->cookie));
	if (ret < 0)
		goto fail;
	p->icmp = icmp;
	p->sock = s;
	memcpy(&p->dst, &req->addr, len);
	/* Raw IPv6 sockets take a nonzero port as a protocol number. */
	if (s->family == AF_INET)
		p->dst.sin.sin_port = 0;
	else
		p->dst.sin6.sin6_port = 0;
	p->dstlen = len;
	p->count = req->count;
	p->interval_ns = req->interval_ns;
	p->timeout_ns = req->timeout_ns;
	p->fn = fn;
	p->arg = arg;
	loop_timer_init(&p->timer, icmp_probe_on_timer, p);
	/* The first request goes out from the send timer, in a later loop
	 * pass: the callback never runs before icmp_probe_start() returns. */
	ret = icmp_rq_push(icmp, p);
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
