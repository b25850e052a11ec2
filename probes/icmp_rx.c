/*
 * icmp_rx: receiving. Each wakeup drains the error queue (send timestamps;
 * ICMP errors on datagram sockets), then the receive queue (replies; ICMP
 * errors on raw sockets), ICMP_BATCH messages per recvmmsg(), at most
 * ICMP_DRAIN_MAX per queue. Every message is parsed by icmp_parse and
 * either settles a request of a probe in flight or is dropped and counted.
 * Callbacks run from here (a probe completes when its last request is
 * settled), so every step re-checks `dead`.
 *
 * Send stamps: the kernel queues a request's send stamp on the error queue
 * before the request leaves, so before its reply can come. A reply read
 * while its stamp is still unread (the error queue was drained only in
 * part, or filled meanwhile) makes its probe wait on the socket's list of
 * waiters; after the receive queue the error queue is drained again, and
 * a drain that empties it releases every waiter: their stamps were read,
 * or the kernel dropped them. A timer bounds the wait in any case.
 */
#include "icmp_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

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

void
icmp_rx_unwait(struct icmp_probe *p)
{
	if (!p->stamp_waiting)
		return;
	if (p->sw_prev != NULL)
		p->sw_prev->sw_next = p->sw_next;
	else
		p->sock->waiters = p->sw_next;
	if (p->sw_next != NULL)
		p->sw_next->sw_prev = p->sw_prev;
	p->sw_prev = p->sw_next = NULL;
	p->stamp_waiting = false;
}

static void
icmp_probe_check_done(struct icmp_probe *p)
{
	struct icmp_sock *s = p->sock;
	int64_t at;

	if (p->sent < p->count || p->npending > 0)
		return;
	if (p->nwait_tx == 0) {
		icmp_probe_finish(p, false);
		return;
	}
	if (p->stamp_waiting)
		return;
	p->sw_prev = NULL;
	p->sw_next = s->waiters;
	if (s->waiters != NULL)
		s->waiters->sw_prev = p;
	s->waiters = p;
	p->stamp_waiting = true;
	at = loop_now(p->icmp->loop) + ICMP_TS_WAIT_NS;
	if ((!loop_timer_active(&p->timer) || p->timer.deadline > at) &&
	    loop_timer_start(p->icmp->loop, &p->timer, at) != 0)
		icmp_probe_finish(p, false); /* without the stamps then */
}

/* The error queue was found empty: no waiter's stamp will come any more. */
static void
icmp_release_waiters(struct icmp_sock *s)
{
	while (s->waiters != NULL && !s->icmp->dead)
		icmp_probe_finish(s->waiters, false);
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
	struct icmp_probe *p;
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
	/* Kept as type, code and sender: the text is made once, when the
	 * probe completes (icmp_probe_summarize()). */
	p->icmp_errors++;
	p->err_type = pr->type;
	p->err_code = pr->code;
	p->err_from = *sender;
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

/* May the stamp at ts, expected for send k (entry x), be for the
 * neighbouring send t instead? Not if t went in the same batch as x: all
 * of a batch share one sent_rt, so the stamp would fit any of them and
 * the choice would be a guess. */
static bool
icmp_ts_fits_instead(const struct icmp_tsent *t, uint32_t cand,
    const struct icmp_tsent *x, uint32_t k, int64_t ts)
{
	if (x->key == k && x->sent_rt == t->sent_rt)
		return false;
	return icmp_ts_fits(t, cand, ts);
}

/* The send a kernel stamp with key kkey belongs to, or NULL. */
static struct icmp_tsent *
icmp_ts_find(struct icmp_sock *s, uint32_t kkey, int64_t ts)
{
	uint32_t k = kkey - s->key_adj, cand;
	struct icmp_tsent *t, *x;
	int d;

	x = &s->ring[k % ICMP_TS_RING];
	if (icmp_ts_fits(x, k, ts))
		return x;
	/* Out of step with the kernel's counter: a send failed after it
	 * was counted, or the other way round. The nearest send the stamp
	 * fits gives the new offset. */
	for (d = 1; d <= ICMP_TS_RESYNC; d++) {
		cand = k - (uint32_t)d;
		t = &s->ring[cand % ICMP_TS_RING];
		if (!icmp_ts_fits_instead(t, cand, x, k, ts)) {
			cand = k + (uint32_t)d;
			t = &s->ring[cand % ICMP_TS_RING];
			if (!icmp_ts_fits_instead(t, cand, x, k, ts))
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
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (errqueue)
					icmp_release_waiters(s);
				return;
			}
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
		if (n < ICMP_BATCH) {
			if (errqueue)
				icmp_release_waiters(s);
			return;
		}
	}
}

void
icmp_rx_on_io(struct loop *loop, int fd, unsigned events, void *arg)
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
	/* Replies read in this pass whose stamps were queued after the
	 * error queue was read: read them now. */
	if (!icmp->dead && s->waiters != NULL)
		icmp_drain(s, true);
	icmp_leave(icmp);
}
