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
 *   A probe whose last reply came before some of its send stamps were read
 *   waits on its socket's list of waiters until they are read, or until
 *   the error queue was drained empty (the kernel queues a send stamp
 *   before the reply can exist: it is lost then), ICMP_TS_WAIT_NS at most.
 *
 * - Probes are on a doubly linked list while in flight (one malloc per
 *   probe, sized by its count: no per-probe state is sized by
 *   ICMP_MAX_COUNT; the result is built on the stack at completion, its
 *   RTT arrays lent to the callback). A probe due to send is on the ready queue (a FIFO, doubly
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
#include "icmp_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "icmp_parse.h"
#include "log.h"

/* ---- helpers ---- */

int
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

void
icmp_enter(struct icmp *icmp)
{
	icmp->busy++;
}

void
icmp_leave(struct icmp *icmp)
{
	if (--icmp->busy == 0 && icmp->dead)
		free(icmp);
}

const char *
icmp_addr_text(const union icmp_addr *a, char *buf, size_t len)
{
	const void *p = a->sa.sa_family == AF_INET6 ?
	    (const void *)&a->sin6.sin6_addr : (const void *)&a->sin.sin_addr;

	if (inet_ntop(a->sa.sa_family == AF_INET6 ? AF_INET6 : AF_INET, p, buf,
		(socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}

/* A random cookie for a new probe. Cookies are drawn ICMP_COOKIE_POOL at a
 * time: one getrandom() per probe was a system call per echo request for
 * `pharos ping`. The pool is as unpredictable as the kernel's source; it
 * lives in the prober's memory, as the cookies of probes in flight do. */
static int
icmp_cookie(struct icmp *icmp, uint64_t *cookie)
{
	int ret;

	if (icmp->ncookies == 0) {
		ret = icmp_random(icmp->cookies, sizeof(icmp->cookies));
		if (ret < 0)
			return ret;
		icmp->ncookies = ICMP_COOKIE_POOL;
	}
	*cookie = icmp->cookies[--icmp->ncookies];
	icmp->cookies[icmp->ncookies] = 0;
	return 0;
}

/* ---- sequence map ---- */

int
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

void
icmp_seq_release(struct icmp *icmp, struct icmp_probe *p, uint16_t seq)
{
	struct icmp_seqent *e = &icmp->seqmap[seq];

	if (e->probe != p)
		return;
	e->probe = NULL;
	e->index = 0;
	icmp->seq_used--;
}

/* ---- probe life cycle ---- */

static void
icmp_probe_on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct icmp_probe *p = arg;
	struct icmp *icmp = p->icmp;

	icmp_enter(icmp);
	if (p->sent >= p->count)
		icmp_probe_finish(p, false); /* timeout, or nothing left */
	else if (icmp_tx_queue(icmp, p) != 0) {
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
	for (i = 0; i < r->received && r->rtt_ms != NULL; i++) {
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

/* Fill r, the RTTs into rtt[] and req[] (p->count entries each), in send
 * order. */
static void
icmp_probe_summarize(struct icmp_probe *p, struct icmp_result *r,
    double *rtt, int *req)
{
	char addr[INET6_ADDRSTRLEN];
	bool kernel;
	int i, n = 0;

	r->sent = p->sent;
	r->send_errno = p->send_errno;
	r->icmp_errors = p->icmp_errors;
	r->icmp_error_text[0] = '\0';
	if (p->icmp_errors > 0)
		snprintf(r->icmp_error_text, sizeof(r->icmp_error_text),
		    "%s from %s",
		    p->sock->family == AF_INET ?
			icmp_parse_error_text(p->err_type, p->err_code) :
			icmp_parse_error_text6(p->err_type, p->err_code),
		    icmp_addr_text(&p->err_from, addr, sizeof(addr)));
	r->rtt_kernel = 0;
	for (i = 0; i < p->sent; i++) {
		if (p->req[i].state != ICMP_REQ_ANSWERED)
			continue;
		rtt[n] = (double)icmp_req_rtt(p->icmp, &p->req[i], &kernel) /
		    (double)LOOP_NS_PER_MSEC;
		req[n] = i;
		r->rtt_kernel += kernel;
		n++;
	}
	r->received = n;
	r->rtt_ms = n > 0 ? rtt : NULL;
	r->rtt_req = n > 0 ? req : NULL;
	icmp_result_stats(r);
}

/*
 * Complete p: detach it from the timer, the ready queue, the sequence map
 * and the list, run its callback, free it. Must not touch the prober after
 * the callback beyond icmp_leave(): the callback may have called
 * icmp_free().
 */
void
icmp_probe_finish(struct icmp_probe *p, bool aborted)
{
	struct icmp *icmp = p->icmp;
	double rtt[ICMP_MAX_COUNT];
	int req[ICMP_MAX_COUNT];
	struct icmp_result res = { .aborted = aborted };
	uint8_t st;
	int i;

	loop_timer_stop(icmp->loop, &p->timer);
	icmp_tx_dequeue(icmp, p);
	icmp_tx_unorphan(icmp, p);
	icmp_rx_unwait(p);
	for (i = 0; i < p->sent; i++) {
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

	icmp_probe_summarize(p, &res, rtt, req);
	icmp_enter(icmp);
	p->fn(&res, p->arg);
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
	icmp->pace_next_ns = INT64_MIN / 2;
	loop_timer_init(&icmp->send_timer, icmp_tx_on_timer, icmp);
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
		ret = loop_io_add(loop, s->fd, LOOP_READ, icmp_rx_on_io, s);
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
	if (!icmp->dead && icmp_tx_arm(icmp) != 0)
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
	ret = icmp_cookie(icmp, &p->cookie);
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
	ret = icmp_tx_queue(icmp, p);
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
