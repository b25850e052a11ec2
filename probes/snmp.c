/*
 * snmp: the asynchronous SNMP poller on net-snmp's single-session API:
 * requests, queues, and the matching of every incoming packet.
 *
 * - struct snmp_agent, one per target identity (a key string of address,
 *   port, version, credentials, timeout and retries), in one list and in
 *   a hash table by key (open addressing, at most half full). It owns
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
 * - Every packet net-snmp reads on a session first meets
 *   snmp_packet_check() (net-snmp's post-parse hook, see snmp_sess.c),
 *   before net-snmp looks for its request: undecodable packets are counted
 *   malformed, packets the v3 USM refused unauthenticated; a well-formed
 *   PDU that is not an answer to a request on the wire is dropped there and
 *   counted stale (its request-id is in the agent's ring of finished ones:
 *   a duplicate or late answer) or unmatched (anything else). So each
 *   arriving packet is counted exactly once, and no packet but a response
 *   or Report for a request-id this session used ever reaches net-snmp's
 *   request matching (a stale one finds no request there, or the one of a
 *   cancelled request, which net-snmp then forgets). The callback takes an
 *   answer only from a packet that passed there (a->verified): net-snmp
 *   also calls it from inside the parse of a v3 message with a wrong
 *   digest, with the PDU decoded (authNoPriv: the forged varbinds).
 *
 * - net-snmp's callback runs inside snmp_sess_read2/snmp_sess_timeout. It
 *   never calls user code: it finds the request by (agent, reqid), keeps
 *   the answer (snmp_answer_keep: a Response's varbinds are taken over,
 *   not copied) or the timeout, and moves it to the ready list.
 *   A zero-delay loop timer (kick) then processes the ready list
 *   (snmp_answer.c: walk steps, GET parts, done callbacks) and starts
 *   queued requests. So done callbacks never run inside snmp_get/snmp_walk
 *   nor inside net-snmp. A request leaving the wire puts its request-id in
 *   the agent's ring (SNMP_RECENT entries, no allocation).
 *
 * - A failed agent (no session) is set back to NEW after each pass over
 *   the queue, so that the next request tries again; the poller counts
 *   its failed agents and looks for them only while there are some.
 *
 * - v3: a session needs the agent's engine ID before it can send without
 *   net-snmp's synchronous probe. With a configured engine ID the session
 *   is opened with it. Otherwise the agent is first in state DISCOVER: a
 *   separate noAuthNoPriv session (flag DONT_PROBE) sends an empty GET, the
 *   agent's Report carries its engine ID, and the real session is opened
 *   with it (net-snmp then localizes the keys and creates the USM user).
 *   net-snmp gives a v3 retransmission a new message ID and reports it
 *   through the RESEND callback, which keeps req->msgid current.
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

/* Remember that reqid left a's wire: a later answer with it is stale. */
static void
agent_forget(struct snmp_agent *a, long reqid)
{
	if (reqid == 0)
		return;
	a->recent[a->recent_next] = reqid;
	a->recent_next = (a->recent_next + 1) % SNMP_RECENT;
}

static bool
agent_recent(const struct snmp_agent *a, long reqid)
{
	for (size_t i = 0; i < SNMP_RECENT; i++)
		if (a->recent[i] == reqid)
			return true;
	return false;
}

/* Take r off the wire (its agent's flight list). */
static void
req_off_wire(struct snmp_req *r)
{
	list_remove(&r->agent->flight, r);
	agent_forget(r->agent, r->reqid);
	r->reqid = 0;
}

static void
req_unlink(struct snmp_req *r)
{
	struct snmp_list *l = req_list(r);

	if (r->on == ON_FLIGHT)
		req_off_wire(r);
	else if (l != NULL)
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

/* ---- completion ---- */

void
snmp_req_finish(struct snmp_req *r, enum snmp_status st, const char *error,
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
	snmp_get_items_free(r);
	free(r);
}

/* ---- requests on the wire ---- */

/* The request on a's wire that (reqid, msgid) answers. v1/v2c match on
 * the request-id; v3 on the message ID net-snmp sent last, and on the
 * request-id too unless it is 0 (a Report the agent could not decrypt). */
static struct snmp_req *
flight_find(struct snmp_agent *a, long reqid, long msgid)
{
	bool v3 = a->t.version == SNMP_V3;

	for (struct snmp_req *r = a->flight.head; r != NULL; r = r->next)
		if (v3 ? r->msgid == msgid && (reqid == 0 ||
		    r->reqid == reqid) : r->reqid == reqid)
			return r;
	return NULL;
}

static struct snmp_req *
flight_find_reqid(struct snmp_agent *a, long reqid)
{
	for (struct snmp_req *r = a->flight.head; r != NULL; r = r->next)
		if (r->reqid == reqid)
			return r;
	return NULL;
}

static bool
sec_error(int ret)
{
	return (ret <= SNMPERR_UNKNOWN_ENG_ID &&
	    ret >= SNMPERR_DECRYPTION_ERR) ||
	    (ret <= SNMPERR_USM_GENERICERROR &&
	    ret >= SNMPERR_USM_DECRYPTIONERROR);
}

int
snmp_packet_check(struct snmp_agent *a, netsnmp_pdu *pdu, int ret)
{
	struct snmp_counters *c = &a->p->c;

	if (ret != SNMPERR_SUCCESS) {
		/* net-snmp drops it (v3: and may resend at once) */
		if (sec_error(ret))
			c->unauthenticated++;
		else
			c->malformed++;
		return 1;
	}
	if (pdu->command != SNMP_MSG_RESPONSE &&
	    pdu->command != SNMP_MSG_REPORT) {
		c->unmatched++;
		return 0;
	}
	if (flight_find(a, pdu->reqid, pdu->msgid) != NULL)
		return 1;
	/* v3: the same request-id on the wire with an older message ID is
	 * an answer to an earlier transmission */
	if (pdu->reqid != 0 && (agent_recent(a, pdu->reqid) ||
	    flight_find_reqid(a, pdu->reqid) != NULL)) {
		/* let net-snmp match it: it finds no request (dropped), or
		 * the one of a cancelled request, which it then forgets */
		c->stale++;
		return 1;
	}
	c->unmatched++;
	return 0;
}

int
snmp_nsnmp_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct snmp_agent *a = magic;
	struct snmp_req *r;
	bool answer = op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
	    op == NETSNMP_CALLBACK_OP_SEC_ERROR;

	if (a->closing)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_RESEND) {
		/* a retransmission, under a new v3 message ID */
		r = flight_find_reqid(a, reqid);
		if (r != NULL && pdu != NULL)
			r->msgid = pdu->msgid;
		a->p->c.retransmits++;
		return 1;
	}
	if (answer && !a->verified) {
		/* net-snmp's call from inside the parse of a v3 message that
		 * failed authentication (a wrong digest): never an answer;
		 * the post-parse hook counts it unauthenticated next */
		return 1;
	}
	r = answer && pdu != NULL ? flight_find(a, reqid, pdu->msgid) :
	    flight_find_reqid(a, reqid);
	/* None: the timeout of a cancelled request, or the second call
	 * net-snmp makes for one v3 Report; the packet was counted by
	 * snmp_packet_check already. */
	if (r == NULL)
		return 1;
	req_off_wire(r);
	r->op = op;
	if (answer && pdu != NULL) {
		a->p->c.responses++;
		if (pdu->command == SNMP_MSG_RESPONSE)
			a->secnote[0] = '\0';
		r->resp = snmp_answer_keep(pdu);
	}
	list_push(&a->p->ready, r, ON_READY);
	snmp_kick_arm(a->p);
	return 1;
}

/* The GET PDU of r's next part: up to r->chunk of its unanswered OIDs,
 * in order; their indices go to r->sent. NULL on -ENOMEM. */
static netsnmp_pdu *
get_pdu(struct snmp_req *r)
{
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);

	if (pdu == NULL)
		return NULL;
	r->nsent = 0;
	for (size_t i = 0; i < r->n && r->nsent < r->chunk; i++) {
		if (r->items[i].val != NULL)
			continue;
		if (snmp_add_null_var(pdu, r->items[i].name,
		    r->items[i].len) == NULL) {
			snmp_free_pdu(pdu);
			return NULL;
		}
		r->sent[r->nsent++] = i;
	}
	return pdu;
}

/* The GETNEXT (v1) or GETBULK of r's next walk step. NULL on -ENOMEM. */
static netsnmp_pdu *
walk_pdu(struct snmp_req *r)
{
	bool v1 = r->agent->t.version == SNMP_V1;
	netsnmp_pdu *pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT :
	    SNMP_MSG_GETBULK);

	if (pdu == NULL)
		return NULL;
	if (!v1) {
		pdu->non_repeaters = 0;
		pdu->max_repetitions = r->reps;
	}
	if (snmp_add_null_var(pdu, r->cur, r->cur_len) == NULL) {
		snmp_free_pdu(pdu);
		return NULL;
	}
	return pdu;
}

/* Send r's next PDU on its agent's session. r is on the flight list.
 * Returns 0 or -1 with err filled. */
static int
req_send(struct snmp_req *r, char *err, size_t errlen)
{
	struct snmp_agent *a = r->agent;
	netsnmp_pdu *pdu;

	pdu = r->kind == REQ_GET ? get_pdu(r) : walk_pdu(r);
	if (pdu == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
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
}

void
snmp_req_resend(struct snmp_req *r)
{
	char err[200];

	list_push(&r->agent->flight, r, ON_FLIGHT);
	if (req_send(r, err, sizeof(err)) != 0)
		snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
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
		snmp_agent_set_state(a, AGENT_FAILED);
		return;
	}
	snmp_agent_open(a, englen > 0 ? eng : NULL, englen);
}

void
snmp_agent_set_state(struct snmp_agent *a, enum snmp_agent_state st)
{
	if (a->state == AGENT_FAILED)
		a->p->nfailed--;
	if (st == AGENT_FAILED)
		a->p->nfailed++;
	a->state = st;
}

/* Set the failed agents without a session back to NEW. */
static void
agent_retry_failed(struct snmp_poller *p)
{
	for (struct snmp_agent *a = p->agents; a != NULL; a = a->next)
		if (a->state == AGENT_FAILED && a->sess == NULL &&
		    a->probe == NULL)
			snmp_agent_set_state(a, AGENT_NEW);
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
			snmp_req_finish(r, SNMP_ERROR, a->fail, NULL, 0);
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
			snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
			next = p->queue.head;
		}
	}
	/* a failure is not forever: the next request tries again */
	if (p->nfailed > 0)
		agent_retry_failed(p);
}

static void
poller_kick(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct snmp_poller *p = arg;
	struct snmp_req *r;

	while ((r = p->ready.head) != NULL) {
		list_remove(&p->ready, r);
		snmp_req_answer(r);
	}
	agent_pump_all(p);
}

/* ---- the public API ---- */

/* Every agent holds a socket: raise RLIMIT_NOFILE's soft limit to the
 * hard one, best effort. An infinite hard limit is capped by the kernel's
 * fs.nr_open (default 2^20), which setrlimit() would refuse to exceed. */
static void
poller_raise_nofile(void)
{
	struct rlimit rl;
	rlim_t cur;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	cur = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0 ||
	    rl.rlim_max != RLIM_INFINITY || cur >= (rlim_t)1 << 20)
		return;
	rl.rlim_cur = (rlim_t)1 << 20;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

int
snmp_poller_new(struct loop *loop, const struct snmp_poller_opts *opts,
    struct snmp_poller **out)
{
	struct snmp_poller *p;

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
	poller_raise_nofile();
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
		snmp_req_finish(r, SNMP_ABORTED, "poller freed", NULL, 0);
	while ((r = p->ready.head) != NULL)
		snmp_req_finish(r, SNMP_ABORTED, "poller freed", NULL, 0);
	for (a = p->agents; a != NULL; a = a->next)
		while ((r = a->flight.head) != NULL)
			snmp_req_finish(r, SNMP_ABORTED, "poller freed", NULL,
			    0);
	for (a = p->agents; a != NULL; a = next) {
		next = a->next;
		snmp_agent_close(a, &a->sess, &a->fd, &a->timer);
		snmp_agent_close(a, &a->probe, &a->probe_fd, &a->probe_timer);
		free(a);
	}
	free(p->tab);
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

/* ---- agents by key ---- */

/* FNV-1a of the key string. */
static size_t
agent_hash(const char *key)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *q = (const unsigned char *)key; *q != '\0';
	    q++) {
		h ^= *q;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* The slot of p's table that holds the agent with key (hash h), or the
 * free slot where it goes. The table has free slots. */
static struct snmp_agent **
agent_slot(struct snmp_poller *p, const char *key, size_t h)
{
	size_t mask = p->tab_cap - 1, i = h & mask;

	while (p->tab[i] != NULL && (p->tab[i]->hash != h ||
	    strcmp(p->tab[i]->key, key) != 0))
		i = (i + 1) & mask;
	return &p->tab[i];
}

/* Make room for one more agent: double the table when it would be more
 * than half full. Returns 0 or -ENOMEM (the table unchanged). */
static int
agent_tab_reserve(struct snmp_poller *p)
{
	struct snmp_agent **old = p->tab;
	size_t oldcap = p->tab_cap, cap = oldcap > 0 ? 2 * oldcap : 64;

	if (2 * (p->nagents + 1) <= oldcap)
		return 0;
	p->tab = calloc(cap, sizeof(*p->tab));
	if (p->tab == NULL) {
		p->tab = old;
		return -ENOMEM;
	}
	p->tab_cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i] != NULL)
			*agent_slot(p, old[i]->key, old[i]->hash) = old[i];
	free(old);
	return 0;
}

/* Find or create the agent for t (normalised). NULL on -ENOMEM. */
static struct snmp_agent *
agent_get(struct snmp_poller *p, const struct snmp_target *t)
{
	struct snmp_agent *a;
	char key[SNMP_KEY_MAX];
	size_t h;

	snprintf(key, sizeof(key), "%s|%u|%d|%s|%s|%d|%d|%s|%d|%s|%s|%"
	    PRId64 "|%d", t->addr, t->port, (int)t->version, t->community,
	    t->user, (int)t->seclevel, (int)t->auth, t->auth_pass,
	    (int)t->priv, t->priv_pass, t->engine_id, t->timeout_ns,
	    t->retries);
	h = agent_hash(key);
	if (p->tab_cap > 0) {
		a = *agent_slot(p, key, h);
		if (a != NULL)
			return a;
	}
	if (agent_tab_reserve(p) != 0)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return NULL;
	a->p = p;
	memcpy(a->key, key, sizeof(key));
	a->hash = h;
	*agent_slot(p, key, h) = a;
	p->nagents++;
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
	r->n = r->chunk = n;
	r->items = calloc(n, sizeof(*r->items));
	r->sent = calloc(n, sizeof(*r->sent));
	if (r->items == NULL || r->sent == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < n; i++)
		if (oid_parse(oids[i], r->items[i].name, &r->items[i].len) !=
		    0) {
			snprintf(err, errlen, "not a numeric OID: %.128s",
			    oids[i]);
			rc = -EINVAL;
			goto fail;
		}
	req_enqueue(p, r, req);
	return 0;
fail:
	snmp_get_items_free(r);
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
	snmp_req_finish(r, SNMP_ABORTED, "cancelled", NULL, 0);
}
