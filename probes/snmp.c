/*
 * snmp: the asynchronous SNMP poller on net-snmp's single-session API.
 *
 * - struct snmp_agent, one per target identity (a key string of address,
 *   port, version, credentials, timeout and retries), in one list. It owns
 *   the net-snmp session (opened on first use, closed at poller free), the
 *   watcher of its socket and one loop timer for net-snmp's retransmission
 *   deadline (snmp_sess_select_info2 -> timer -> snmp_sess_timeout).
 *
 * - struct snmp_req, one per accepted request, always on exactly one list:
 *   the poller's FIFO of waiting requests (queued), its agent's list of
 *   requests on the wire (inflight), or the poller's list of requests with
 *   an answer to process (ready). A request holds an agent slot and a
 *   poller slot from leaving the queue until it is done.
 *
 * - net-snmp's callback runs inside snmp_sess_read2/snmp_sess_timeout. It
 *   never calls user code: it finds the request by (agent, reqid), keeps a
 *   clone of the answer (or the timeout) and moves it to the ready list.
 *   A zero-delay loop timer (kick) then processes the ready list (walk
 *   steps, done callbacks) and starts queued requests. So done callbacks
 *   never run inside snmp_get/snmp_walk nor inside net-snmp, and an answer
 *   for a cancelled request finds no request: it is counted stale.
 *
 * - v3: a session needs the agent's engine ID before it can send without
 *   net-snmp's synchronous probe. With a configured engine ID the session
 *   is opened with it. Otherwise the agent is first in state DISCOVER: a
 *   separate noAuthNoPriv session (flag DONT_PROBE) sends an empty GET, the
 *   agent's Report carries its engine ID, and the real session is opened
 *   with it (net-snmp then localizes the keys and creates the USM user).
 *
 * The only process-wide state is net-snmp's own (init_snmp, its USM user
 * list); whether it is initialised is read back from net-snmp (its app type).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "snmp_int.h"


/* ---- small helpers ---- */

static void
list_push(struct snmp_list *l, struct snmp_req *r, enum snmp_req_list on)
{
	r->prev = l->tail;
	r->next = NULL;
	if (l->tail != NULL)
		l->tail->next = r;
	else
		l->head = r;
	l->tail = r;
	r->on = on;
}

static void
list_remove(struct snmp_list *l, struct snmp_req *r)
{
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		l->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		l->tail = r->prev;
	r->prev = r->next = NULL;
	r->on = ON_NONE;
}

static struct snmp_list *
req_list(struct snmp_req *r)
{
	switch (r->on) {
	case ON_QUEUE:
		return &r->p->queue;
	case ON_READY:
		return &r->p->ready;
	case ON_FLIGHT:
		return &r->agent->flight;
	default:
		return NULL;
	}
}

static void
req_unlink(struct snmp_req *r)
{
	struct snmp_list *l = req_list(r);

	if (l != NULL)
		list_remove(l, r);
}

void
snmp_kick_arm(struct snmp_poller *p)
{
	if (!loop_timer_active(&p->kick) &&
	    loop_timer_start(p->loop, &p->kick, 0) != 0) {
		/* -ENOMEM: the next event arms it again */
	}
}

static int
oid_parse(const char *s, oid *out, size_t *len)
{
	size_t n = 0;
	const char *q = s;

	if (*q == '.')
		q++;
	while (*q != '\0') {
		char *end;
		unsigned long v;

		if (*q < '0' || *q > '9' || n == MAX_OID_LEN)
			return -EINVAL;
		errno = 0;
		v = strtoul(q, &end, 10);
		if (errno != 0 || v > 0xffffffffUL)
			return -EINVAL;
		out[n++] = (oid)v;
		q = end;
		if (*q == '.') {
			q++;
			if (*q == '\0')
				return -EINVAL;
		} else if (*q != '\0') {
			return -EINVAL;
		}
	}
	if (n < 2)
		return -EINVAL;
	*len = n;
	return 0;
}


/* ---- varbind conversion ---- */





/* ---- completion ---- */


/* Finish r: release its slots, call done once, free it. */
static void
req_finish(struct snmp_req *r, enum snmp_status st, const char *error,
    const struct snmp_vb *vbs, size_t nvbs)
{
	struct snmp_poller *p = r->p;
	struct snmp_result res;
	req_unlink(r);
	if (r->held) {
		r->held = false;
		r->agent->inflight--;
		p->inflight--;
		snmp_kick_arm(p); /* a slot freed: start queued requests */
	}
	p->pending--;
	memset(&res, 0, sizeof(res));
	res.status = st;
	snprintf(res.error, sizeof(res.error), "%s", error ? error : "");
	res.vbs = vbs;
	res.nvbs = nvbs;
	res.rows = r->rows;
	switch (st) {
	case SNMP_OK: p->c.ok++; break;
	case SNMP_TIMEOUT: p->c.timeouts++; break;
	case SNMP_ERROR: p->c.errors++; break;
	case SNMP_ABORTED: p->c.aborted++; break;
	}
	if (r->resp != NULL)
		snmp_free_pdu(r->resp);
	r->resp = NULL;
	r->done(&res, r->arg);
	free(r->oids);
	free(r->oid_lens);
	free(r);
}

/* ---- sessions ---- */












/* ---- requests on the wire ---- */

int
snmp_nsnmp_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct snmp_agent *a = magic;
	struct snmp_req *r;

	if (a->closing || op == NETSNMP_CALLBACK_OP_RESEND)
		return 1; /* a retransmission: still on the wire */
	/* v3 Reports come with reqid 0: match them by message ID */
	for (r = a->flight.head; r != NULL; r = r->next)
		if (reqid != 0 ? r->reqid == reqid :
		    pdu != NULL && r->msgid == pdu->msgid)
			break;
	if (r == NULL) {
		a->p->c.stale++;
		return 1;
	}
	list_remove(&a->flight, r);
	r->op = op;
	r->reqid = 0;
	if ((op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
	    op == NETSNMP_CALLBACK_OP_SEC_ERROR) && pdu != NULL) {
		a->p->c.responses++;
		r->resp = snmp_clone_pdu(pdu);
	}
	list_push(&a->p->ready, r, ON_READY);
	snmp_kick_arm(a->p);
	return 1;
}

/* Send r's next PDU on its agent's session. r is on the flight list.
 * Returns 0 or -1 with err filled. */
static int
req_send(struct snmp_req *r, char *err, size_t errlen)
{
	struct snmp_agent *a = r->agent;
	netsnmp_pdu *pdu;

	if (r->kind == REQ_GET) {
		pdu = snmp_pdu_create(SNMP_MSG_GET);
		if (pdu == NULL)
			goto nomem;
		for (size_t i = 0; i < r->n; i++)
			if (snmp_add_null_var(pdu, r->oids[i],
			    r->oid_lens[i]) == NULL) {
				snmp_free_pdu(pdu);
				goto nomem;
			}
	} else {
		pdu = snmp_pdu_create(a->t.version == SNMP_V1 ?
		    SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
		if (pdu == NULL)
			goto nomem;
		if (a->t.version != SNMP_V1) {
			pdu->non_repeaters = 0;
			pdu->max_repetitions = r->reps;
		}
		if (snmp_add_null_var(pdu, r->cur, r->cur_len) == NULL) {
			snmp_free_pdu(pdu);
			goto nomem;
		}
	}
	r->msgid = pdu->msgid;
	r->reqid = snmp_sess_async_send(a->sess, pdu, snmp_nsnmp_cb, a);
	if (r->reqid == 0) {
		snprintf(err, errlen, "cannot send to %s:%u: %s", a->t.addr,
		    a->t.port, snmp_api_errstring(
		    snmp_sess_session(a->sess)->s_snmp_errno));
		snmp_free_pdu(pdu);
		return -1;
	}
	r->p->c.pdus_sent++;
	snmp_agent_rearm(a, a->sess, &a->timer);
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* Put r back on the wire for its next step; finishes it on failure. */
static void
req_resend(struct snmp_req *r)
{
	char err[200];

	list_push(&r->agent->flight, r, ON_FLIGHT);
	if (req_send(r, err, sizeof(err)) != 0)
		req_finish(r, SNMP_ERROR, err, NULL, 0);
}

static const char *
report_text(netsnmp_pdu *pdu)
{
	int type = snmpv3_get_report_type(pdu);

	return snmp_api_errstring(type);
}

/* A walk's answer: deliver the rows inside the subtree, then step, end or
 * fail. r is on no list and still holds its slots. */
static void
walk_step(struct snmp_req *r, netsnmp_pdu *pdu)
{
	struct snmp_poller *p = r->p;
	const netsnmp_variable_list *v;
	struct snmp_vbset set;
	size_t k = 0, total = 0;
	bool end = false;
	char err[400] = "";

	for (v = pdu->variables; v != NULL; v = v->next_variable) {
		total++;
		if (v->type == SNMP_ENDOFMIBVIEW ||
		    netsnmp_oid_is_subtree(r->root, r->root_len, v->name,
		    v->name_length) != 0) {
			end = true;
			break;
		}
		if (snmp_oid_compare(v->name, v->name_length, r->cur,
		    r->cur_len) <= 0) {
			char now[MAX_OID_LEN * 11], prev[MAX_OID_LEN * 11];

			snmp_oid_text(now, sizeof(now), v->name, v->name_length);
			snmp_oid_text(prev, sizeof(prev), r->cur, r->cur_len);
			snprintf(err, sizeof(err), "agent %s:%u returned OID "
			    "%.80s, not increasing after %.80s", r->agent->t.addr,
			    r->agent->t.port, now, prev);
			break;
		}
		if (r->rows + k >= p->o.max_rows) {
			snprintf(err, sizeof(err), "walk stopped at the cap of "
			    "%" PRIu64 " rows", p->o.max_rows);
			break;
		}
		if (v->name_length > MAX_OID_LEN)
			break;
		memcpy(r->cur, v->name, v->name_length * sizeof(oid));
		r->cur_len = v->name_length;
		k++;
	}
	if (total == 0)
		snprintf(err, sizeof(err), "agent %s:%u returned no varbinds",
		    r->agent->t.addr, r->agent->t.port);
	if (k > 0) {
		if (snmp_vbset_build(&set, pdu->variables, k) != 0) {
			req_finish(r, SNMP_ERROR, "out of memory", NULL, 0);
			return;
		}
		r->rows += set.n;
		r->busy = true;
		if (r->each != NULL)
			r->each(set.vbs, set.n, r->arg);
		r->busy = false;
		snmp_vbset_free(&set);
		if (r->cancelled) {
			req_finish(r, SNMP_ABORTED, "cancelled", NULL, 0);
			return;
		}
	}
	if (err[0] != '\0')
		req_finish(r, SNMP_ERROR, err, NULL, 0);
	else if (end)
		req_finish(r, SNMP_OK, NULL, NULL, 0);
	else
		req_resend(r);
}

/* Process one answered request (popped from the ready list). */
static void
req_answer(struct snmp_req *r)
{
	struct snmp_agent *a = r->agent;
	netsnmp_pdu *pdu = r->resp;
	struct snmp_vbset set;
	char err[256];
	size_t n = 0;

	r->resp = NULL;
	if (r->op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		snprintf(err, sizeof(err), "timeout: no answer from %s:%u "
		    "after %d %s (agent down, or wrong community or "
		    "credentials)", a->t.addr, a->t.port, a->t.retries + 1,
		    a->t.retries == 0 ? "try" : "tries");
		req_finish(r, SNMP_TIMEOUT, err, NULL, 0);
		goto out;
	}
	if (pdu == NULL) {
		snprintf(err, sizeof(err), "%s %s:%u", r->op ==
		    NETSNMP_CALLBACK_OP_SEC_ERROR ? "security error (wrong v3 "
		    "credentials?) with" : r->op == NETSNMP_CALLBACK_OP_SEND_FAILED ?
		    "cannot send to" : "no usable answer from", a->t.addr,
		    a->t.port);
		req_finish(r, SNMP_ERROR, err, NULL, 0);
		goto out;
	}
	if (pdu->command == SNMP_MSG_REPORT) {
		snprintf(err, sizeof(err), "%s:%u: %s", a->t.addr, a->t.port,
		    report_text(pdu));
		req_finish(r, SNMP_ERROR, err, NULL, 0);
		goto out;
	}
	if (pdu->errstat == SNMP_ERR_TOOBIG && r->kind == REQ_WALK &&
	    r->reps > 1) {
		r->reps /= 2;
		r->p->c.toobig_retries++;
		req_resend(r);
		goto out;
	}
	if (pdu->errstat == SNMP_ERR_NOSUCHNAME && r->kind == REQ_WALK) {
		req_finish(r, SNMP_OK, NULL, NULL, 0); /* v1: end of MIB */
		goto out;
	}
	if (pdu->errstat != SNMP_ERR_NOERROR) {
		snprintf(err, sizeof(err), "%s:%u: %s (error-index %ld)",
		    a->t.addr, a->t.port, snmp_errstring((int)pdu->errstat),
		    pdu->errindex);
		req_finish(r, SNMP_ERROR, err, NULL, 0);
		goto out;
	}
	if (r->kind == REQ_WALK) {
		walk_step(r, pdu);
		goto out;
	}
	for (netsnmp_variable_list *v = pdu->variables; v != NULL;
	    v = v->next_variable)
		n++;
	if (snmp_vbset_build(&set, pdu->variables, n) != 0) {
		req_finish(r, SNMP_ERROR, "out of memory", NULL, 0);
		goto out;
	}
	req_finish(r, SNMP_OK, NULL, set.vbs, set.n);
	snmp_vbset_free(&set);
out:
	if (pdu != NULL)
		snmp_free_pdu(pdu);
}

/* Move the agent of a queued request towards READY. */
static void
agent_prepare(struct snmp_agent *a)
{
	u_char eng[32];
	size_t englen = 0;

	if (a->probe != NULL && a->state != AGENT_DISCOVER)
		snmp_agent_close(a, &a->probe, &a->probe_fd, &a->probe_timer);
	if (a->state != AGENT_NEW)
		return;
	if (a->t.version == SNMP_V3 && a->t.engine_id[0] == '\0') {
		snmp_agent_discover(a);
		return;
	}
	if (a->t.version == SNMP_V3 &&
	    snmp_hex_decode(a->t.engine_id, eng, sizeof(eng), &englen) != 0) {
		snprintf(a->fail, sizeof(a->fail), "bad engine ID %s",
		    a->t.engine_id);
		a->state = AGENT_FAILED;
		return;
	}
	snmp_agent_open(a, englen > 0 ? eng : NULL, englen);
}

/* Start queued requests while slots allow, in FIFO order. */
static void
agent_pump_all(struct snmp_poller *p)
{
	struct snmp_req *r, *next;
	char err[200];

	for (r = p->queue.head; r != NULL; r = next) {
		struct snmp_agent *a = r->agent;

		next = r->next;
		if (p->inflight >= (size_t)p->o.max_inflight)
			break;
		agent_prepare(a);
		if (a->state == AGENT_FAILED) {
			req_finish(r, SNMP_ERROR, a->fail, NULL, 0);
			next = p->queue.head; /* the callback may cancel any */
			continue;
		}
		if (a->state != AGENT_READY ||
		    a->inflight >= p->o.max_per_agent)
			continue;
		list_remove(&p->queue, r);
		a->inflight++;
		p->inflight++;
		if ((uint64_t)a->inflight > p->c.agent_inflight_max)
			p->c.agent_inflight_max = (uint64_t)a->inflight;
		if ((uint64_t)p->inflight > p->c.inflight_max)
			p->c.inflight_max = (uint64_t)p->inflight;
		r->held = true;
		list_push(&a->flight, r, ON_FLIGHT);
		if (req_send(r, err, sizeof(err)) != 0) {
			req_finish(r, SNMP_ERROR, err, NULL, 0);
			next = p->queue.head;
		}
	}
	/* a failure is not forever: the next request tries again */
	for (struct snmp_agent *a = p->agents; a != NULL; a = a->next)
		if (a->state == AGENT_FAILED && a->sess == NULL &&
		    a->probe == NULL)
			a->state = AGENT_NEW;
}

static void
poller_kick(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct snmp_poller *p = arg;
	struct snmp_req *r;

	while ((r = p->ready.head) != NULL) {
		list_remove(&p->ready, r);
		r->on = ON_NONE;
		req_answer(r);
	}
	agent_pump_all(p);
}

/* ---- the public API ---- */



int
snmp_poller_new(struct loop *loop, const struct snmp_poller_opts *opts,
    struct snmp_poller **out)
{
	struct snmp_poller *p;
	struct rlimit rl;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->loop = loop;
	if (opts != NULL)
		p->o = *opts;
	if (p->o.max_per_agent <= 0)
		p->o.max_per_agent = 1;
	if (p->o.max_inflight <= 0)
		p->o.max_inflight = SNMP_DEFAULT_INFLIGHT;
	if (p->o.max_rows == 0)
		p->o.max_rows = SNMP_WALK_ROWS_MAX;
	loop_timer_init(&p->kick, poller_kick, p);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl); /* best effort */
	}
	snmp_lib_init();
	*out = p;
	return 0;
}

void
snmp_poller_free(struct snmp_poller *p)
{
	struct snmp_agent *a, *next;
	struct snmp_req *r;

	if (p == NULL)
		return;
	while ((r = p->queue.head) != NULL)
		req_finish(r, SNMP_ABORTED, "poller freed", NULL, 0);
	while ((r = p->ready.head) != NULL)
		req_finish(r, SNMP_ABORTED, "poller freed", NULL, 0);
	for (a = p->agents; a != NULL; a = a->next)
		while ((r = a->flight.head) != NULL)
			req_finish(r, SNMP_ABORTED, "poller freed", NULL, 0);
	for (a = p->agents; a != NULL; a = next) {
		next = a->next;
		snmp_agent_close(a, &a->sess, &a->fd, &a->timer);
		snmp_agent_close(a, &a->probe, &a->probe_fd, &a->probe_timer);
		free(a);
	}
	loop_timer_stop(p->loop, &p->kick);
	free(p);
}

void
snmp_poller_counters(const struct snmp_poller *p, struct snmp_counters *out)
{
	*out = p->c;
}

size_t
snmp_poller_pending(const struct snmp_poller *p)
{
	return p->pending;
}

/* Find or create the agent for t (normalised). NULL on -ENOMEM. */
static struct snmp_agent *
agent_get(struct snmp_poller *p, const struct snmp_target *t)
{
	struct snmp_agent *a;
	char key[SNMP_KEY_MAX];

	snprintf(key, sizeof(key), "%s|%u|%d|%s|%s|%d|%d|%s|%d|%s|%s|%"
	    PRId64 "|%d", t->addr, t->port, (int)t->version, t->community,
	    t->user, (int)t->seclevel, (int)t->auth, t->auth_pass,
	    (int)t->priv, t->priv_pass, t->engine_id, t->timeout_ns,
	    t->retries);
	for (a = p->agents; a != NULL; a = a->next)
		if (strcmp(a->key, key) == 0)
			return a;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->p = p;
	memcpy(a->key, key, sizeof(key));
	a->t = *t;
	a->fd = a->probe_fd = -1;
	loop_timer_init(&a->timer, snmp_agent_on_timer, a);
	loop_timer_init(&a->probe_timer, snmp_agent_on_timer, a);
	a->next = p->agents;
	p->agents = a;
	return a;
}

/* Validate and normalise t into n. Returns 0 or -EINVAL (err filled). */
static int
target_check(const struct snmp_target *t, struct snmp_target *n, char *err,
    size_t errlen)
{
	unsigned char buf[16];

	*n = *t;
	n->addr[sizeof(n->addr) - 1] = '\0';
	if (inet_pton(AF_INET, n->addr, buf) != 1 &&
	    inet_pton(AF_INET6, n->addr, buf) != 1) {
		snprintf(err, errlen, "not a numeric address: %.64s", n->addr);
		return -EINVAL;
	}
	if (n->port == 0)
		n->port = 161;
	if (n->version != SNMP_V1 && n->version != SNMP_V2C &&
	    n->version != SNMP_V3) {
		snprintf(err, errlen, "bad SNMP version");
		return -EINVAL;
	}
	if (n->timeout_ns <= 0)
		n->timeout_ns = LOOP_NS_PER_SEC;
	if (n->timeout_ns > 3600 * LOOP_NS_PER_SEC || n->retries < 0 ||
	    n->retries > 20) {
		snprintf(err, errlen, "timeout or retries out of range");
		return -EINVAL;
	}
	if (n->bulk_reps <= 0)
		n->bulk_reps = SNMP_DEFAULT_REPS;
	if (n->bulk_reps > 1000)
		n->bulk_reps = 1000;
	if (n->version == SNMP_V3) {
		if (n->user[0] == '\0') {
			snprintf(err, errlen, "SNMPv3 needs a user");
			return -EINVAL;
		}
		if (n->seclevel < SNMP_NOAUTH || n->seclevel > SNMP_AUTHPRIV)
			n->seclevel = SNMP_NOAUTH;
		if (n->auth == 0)
			n->auth = SNMP_AUTH_SHA;
		if (n->priv == 0)
			n->priv = SNMP_PRIV_AES;
		if ((n->seclevel >= SNMP_AUTHNOPRIV &&
		    strlen(n->auth_pass) < 8) || (n->seclevel == SNMP_AUTHPRIV &&
		    strlen(n->priv_pass) < 8)) {
			snprintf(err, errlen, "SNMPv3 passphrases need at least "
			    "8 characters");
			return -EINVAL;
		}
	}
	return 0;
}

static int
req_new(struct snmp_poller *p, const struct snmp_target *t,
    snmp_done_fn *done, void *arg, struct snmp_req **out, char *err,
    size_t errlen)
{
	struct snmp_target n;
	struct snmp_req *r;
	int rc;

	if (done == NULL) {
		snprintf(err, errlen, "no done callback");
		return -EINVAL;
	}
	rc = target_check(t, &n, err, errlen);
	if (rc != 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto nomem;
	r->p = p;
	r->agent = agent_get(p, &n);
	if (r->agent == NULL) {
		free(r);
		goto nomem;
	}
	r->done = done;
	r->arg = arg;
	r->reps = n.bulk_reps;
	*out = r;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

static void
req_enqueue(struct snmp_poller *p, struct snmp_req *r, struct snmp_req **h)
{
	list_push(&p->queue, r, ON_QUEUE);
	p->pending++;
	p->c.requests++;
	if (h != NULL)
		*h = r;
	snmp_kick_arm(p);
}

int
snmp_get(struct snmp_poller *p, const struct snmp_target *t,
    const char *const *oids, size_t n, snmp_done_fn *done, void *arg,
    struct snmp_req **req, char *err, size_t errlen)
{
	struct snmp_req *r;
	int rc;

	if (n == 0 || n > SNMP_GET_OIDS_MAX) {
		snprintf(err, errlen, "a GET takes 1 to %d OIDs",
		    SNMP_GET_OIDS_MAX);
		return -EINVAL;
	}
	rc = req_new(p, t, done, arg, &r, err, errlen);
	if (rc != 0)
		return rc;
	r->kind = REQ_GET;
	r->n = n;
	r->oids = calloc(n, sizeof(*r->oids));
	r->oid_lens = calloc(n, sizeof(*r->oid_lens));
	if (r->oids == NULL || r->oid_lens == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (oid_parse(oids[i], r->oids[i], &r->oid_lens[i]) != 0) {
			snprintf(err, errlen, "not a numeric OID: %.128s",
			    oids[i]);
			rc = -EINVAL;
			goto fail;
		}
	req_enqueue(p, r, req);
	return 0;
fail:
	free(r->oids);
	free(r->oid_lens);
	free(r);
	return rc;
}

int
snmp_walk(struct snmp_poller *p, const struct snmp_target *t,
    const char *root, snmp_each_fn *each, snmp_done_fn *done, void *arg,
    struct snmp_req **req, char *err, size_t errlen)
{
	struct snmp_req *r;
	int rc;

	rc = req_new(p, t, done, arg, &r, err, errlen);
	if (rc != 0)
		return rc;
	r->kind = REQ_WALK;
	r->each = each;
	if (oid_parse(root, r->root, &r->root_len) != 0) {
		snprintf(err, errlen, "not a numeric OID: %.128s", root);
		free(r);
		return -EINVAL;
	}
	memcpy(r->cur, r->root, r->root_len * sizeof(oid));
	r->cur_len = r->root_len;
	req_enqueue(p, r, req);
	return 0;
}

void
snmp_cancel(struct snmp_poller *p, struct snmp_req *r)
{
	if (r == NULL)
		return;
	if (r->busy) {
		r->cancelled = true;
		return;
	}
	req_finish(r, SNMP_ABORTED, "cancelled", NULL, 0);
}
