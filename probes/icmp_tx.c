/*
 * icmp_tx: sending. Probes whose next request is due wait on the ready
 * queue, in the order they became due; one prober timer drains it: with no
 * pacing gap, up to ICMP_SEND_BUDGET requests per loop pass, in sendmmsg()
 * batches of one family; with a gap, one request per pacing slot, slots
 * gap apart (pace_next_ns is the next one), the slots that passed while
 * the loop slept sent together. Each request
 * sent is remembered in its socket's stamp ring under the number the
 * kernel gives it (OPT_ID), so that its send timestamp finds it.
 *
 * Nothing in the batch loop runs a callback: a probe with nothing left
 * after a send completes from its own timer, so the batch loop never sees
 * a probe freed under it. A probe whose timer could not be armed (out of
 * memory) is an orphan; the send timer finishes orphans, aborted, after
 * its batches.
 */
#include "icmp_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "log.h"

static int64_t
icmp_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * LOOP_NS_PER_SEC + ts.tv_nsec;
}

int
icmp_tx_arm(struct icmp *icmp)
{
	int64_t at = loop_now(icmp->loop);

	if (icmp->rq_head == NULL)
		return 0;
	if (icmp->gap_ns > 0 && icmp->pace_next_ns > at)
		at = icmp->pace_next_ns;
	if (loop_timer_active(&icmp->send_timer) &&
	    icmp->send_timer.deadline <= at)
		return 0;
	return loop_timer_start(icmp->loop, &icmp->send_timer, at);
}

void
icmp_tx_dequeue(struct icmp *icmp, struct icmp_probe *p)
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

/* A linear walk: the list is empty but after an allocation failed. */
void
icmp_tx_unorphan(struct icmp *icmp, struct icmp_probe *p)
{
	struct icmp_probe **pp;

	if (!p->orphaned)
		return;
	for (pp = &icmp->orphans; *pp != p; pp = &(*pp)->orphan_next)
		;
	*pp = p->orphan_next;
	p->orphan_next = NULL;
	p->orphaned = false;
}

/* Queue p's next request behind those already waiting. Returns 0, or
 * -ENOMEM when the send timer cannot be armed (p is not queued then). */
int
icmp_tx_queue(struct icmp *icmp, struct icmp_probe *p)
{
	int64_t now = loop_now(icmp->loop);
	bool paced = icmp->gap_ns > 0 &&
	    (icmp->rq_head != NULL || now < icmp->pace_next_ns);
	int ret;

	/* Slots missed while nothing waited are gone: no catch-up burst. */
	if (icmp->rq_head == NULL && icmp->pace_next_ns < now)
		icmp->pace_next_ns = now;
	p->rq_prev = icmp->rq_tail;
	p->rq_next = NULL;
	if (icmp->rq_tail != NULL)
		icmp->rq_tail->rq_next = p;
	else
		icmp->rq_head = p;
	icmp->rq_tail = p;
	p->queued = true;
	ret = icmp_tx_arm(icmp);
	if (ret < 0) {
		icmp_tx_dequeue(icmp, p);
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

/* Request idx of p failed with e; tried: it was handed to the kernel (it
 * holds a sequence entry), else it never left the prober (no entry free). */
static void
icmp_send_failed(struct icmp_sock *s, struct icmp_probe *p, int idx, int e,
    bool tried)
{
	char addr[INET6_ADDRSTRLEN];

	if (tried)
		icmp_seq_release(s->icmp, p, p->req[idx].seq);
	if (tried && s->ts && icmp_send_counted(e))
		s->tx_key++;
	/* Counted as sent and lost, so that a target we cannot even send
	 * to is down, with the reason in send_errno. */
	p->req[idx].state = ICMP_REQ_SEND_FAILED;
	p->send_errno = e;
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

	if (p->sent < p->count && p->interval_ns == 0 &&
	    icmp_tx_queue(icmp, p) == 0)
		return;
	if (p->sent < p->count)
		at = p->last_send_ns + p->interval_ns;
	else if (p->npending > 0)
		at = p->last_send_ns + p->timeout_ns;
	else
		at = loop_now(icmp->loop);
	if (loop_timer_start(icmp->loop, &p->timer, at) == 0)
		return;
	/* Nothing would ever complete it: the send pass finishes it, once
	 * its batches are done (no callback runs from here). */
	log_warnx("icmp: cannot arm a probe timer: out of memory");
	p->orphan_next = icmp->orphans;
	icmp->orphans = p;
	p->orphaned = true;
}

/*
 * Message m failed inside a sendmmsg() that sent the ones before it:
 * Linux then returns the count sent and drops m's errno, although the
 * kernel may have numbered m for its send stamp (OPT_ID) already. Send m
 * again, alone, at once, to learn the errno: *e is that errno, or 0 if
 * it went this time; *retried is set, for m was attempted twice.
 *
 * Trade-off: the errno of the first attempt is assumed to be that of the
 * second (same datagram, same destination, microseconds apart: a
 * firewall's verdict or a route does not change). When the second
 * attempt succeeds, the first is assumed to have failed before it was
 * numbered (a full send buffer, EAGAIN: the kernel gives the number back
 * then); if that is wrong, the stamps of the following batches resync
 * (icmp_ts_find()), at the cost of this batch's stamps.
 */
static void
icmp_send_again(struct icmp_sock *s, const struct msghdr *m, int *e,
    bool *retried)
{
	ssize_t r;

	*retried = true;
	do
		r = sendmsg(s->fd, m, 0);
	while (r < 0 && errno == EINTR);
	*e = r < 0 ? errno : 0;
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
	bool retried[ICMP_BATCH]; /* per message: attempted twice */
	int n = 0, nmsg = 0, i, r;
	int64_t mono, rt;
	uint16_t seq;

	while (n < max && icmp->rq_head != NULL && icmp->rq_head->sock == s) {
		p = icmp->rq_head;
		icmp_tx_dequeue(icmp, p);
		tx = &icmp->tx[n++];
		tx->probe = p;
		tx->index = p->sent++;
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
		retried[nmsg] = false;
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
	for (i = 0; i < nmsg;) {
		r = sendmmsg(s->fd, &icmp->txmm[i], (unsigned)(nmsg - i), 0);
		if (r < 0 && errno == EINTR)
			continue;
		icmp->counters.tx_batches++;
		if (r > 0) {
			i += r;
			if (i < nmsg) {
				icmp_send_again(s, &icmp->txmm[i].msg_hdr,
				    &err[i], &retried[i]);
				i++;
			}
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
		/* A message tried twice: its first attempt was numbered
		 * first, if the kernel numbered it. */
		if (tx->msg >= 0 && retried[tx->msg] && s->ts &&
		    icmp_send_counted(err[tx->msg]))
			s->tx_key++;
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

void
icmp_tx_on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct icmp *icmp = arg;
	int budget = ICMP_SEND_BUDGET;
	int64_t now, slots, behind;
	int k;

	icmp_enter(icmp);
	while (icmp->rq_head != NULL && budget > 0) {
		if (icmp->gap_ns > 0) {
			now = loop_clock();
			if (now < icmp->pace_next_ns)
				break;
			slots = 1 + (now - icmp->pace_next_ns) / icmp->gap_ns;
			if (slots > ICMP_BATCH)
				slots = ICMP_BATCH;
			k = icmp_send_batch(icmp, (int)slots);
			budget -= k;
			icmp->pace_next_ns += (int64_t)k * icmp->gap_ns;
			/* A loop far behind does not owe a burst; one that
			 * woke within its timer slack is not far behind. */
			behind = ICMP_BATCH * icmp->gap_ns;
			if (behind < loop_slack(loop) + icmp->gap_ns)
				behind = loop_slack(loop) + icmp->gap_ns;
			if (icmp->pace_next_ns < now - behind)
				icmp->pace_next_ns = now;
		} else
			budget -= icmp_send_batch(icmp,
			    budget < ICMP_BATCH ? budget : ICMP_BATCH);
	}
	/* The timer just fired: its slot is free, arming cannot fail. */
	if (icmp_tx_arm(icmp) != 0)
		log_warnx("icmp: cannot arm the send timer: out of memory");
	/* Last: a callback may free the prober (icmp_free() finishes the
	 * orphans then, with every probe in flight). */
	while (icmp->orphans != NULL && !icmp->dead)
		icmp_probe_finish(icmp->orphans, true);
	icmp_leave(icmp);
}
