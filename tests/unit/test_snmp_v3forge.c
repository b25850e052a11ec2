/*
 * test_snmp_v3forge: the poller (probes/snmp.h) must never accept a v3
 * Response that fails the USM. net-snmp 5.9 calls the session callback
 * from inside its parse (usm_handle_report) with the decoded PDU of a
 * message whose digest is wrong; such a packet must be dropped and counted
 * unauthenticated, and the request must still get the genuine answer or
 * time out.
 *
 * A fake v3 agent on loopback, on the test's own loop: it decodes each
 * request with net-snmp (the poller's USM user, shared in the process,
 * holds the keys), builds the Response with net-snmp for the same user,
 * and sends a forgery of it (digest bits flipped, or the authoritative
 * engine ID changed), then, if asked, the genuine one.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#pragma GCC diagnostic pop

#include "loop.h"
#include "snmp.h"

#define OID_ASKED ".1.3.6.1.2.1.1.5.0"
#define ENGINE_HEX "80001f8880aabbccdd01020304"
#define VAL_FORGED 666
#define VAL_GENUINE 42

enum forge {
	FORGE_DIGEST,   /* a bit of msgAuthenticationParameters flipped */
	FORGE_ENGINE,   /* the last byte of msgAuthoritativeEngineID */
};

struct fake {
	struct loop *loop;
	int fd;
	uint16_t port;
	enum forge forge;
	bool genuine;        /* after the forgery, the genuine answer */
	int requests;        /* decoded */
	int undecoded;
	int forged;          /* forgeries sent */
	int genuines;
};

struct outcome {
	int done;
	enum snmp_status status;
	char error[512];
	size_t n;
	int64_t value;
};

struct env {
	struct loop *loop;
	struct snmp_poller *p;
	struct fake f;
};

static void
on_done(const struct snmp_result *res, void *arg)
{
	struct outcome *o = arg;

	o->done++;
	o->status = res->status;
	snprintf(o->error, sizeof(o->error), "%s", res->error);
	o->n = res->nvbs;
	if (res->nvbs > 0)
		o->value = res->vbs[0].i;
}

/* One BER header at p (before end): *hdr its length, *len the content's.
 * Returns 0 or -1. */
static int
ber_hdr(const u_char *p, const u_char *end, size_t *hdr, size_t *len)
{
	size_t h = 2, l;

	if (end - p < 2)
		return -1;
	l = p[1];
	if (l & 0x80) {
		size_t k = l & 0x7f;

		if (k == 0 || k > 3 || (size_t)(end - p) < 2 + k)
			return -1;
		l = 0;
		for (size_t i = 0; i < k; i++)
			l = (l << 8) | p[2 + i];
		h += k;
	}
	if ((size_t)(end - p) < h + l)
		return -1;
	*hdr = h;
	*len = l;
	return 0;
}

/* In the v3 message m, the content of msgAuthoritativeEngineID (which =
 * 0) or of msgAuthenticationParameters (which = 4); *n its length. */
static u_char *
usm_field(u_char *m, size_t mlen, int which, size_t *n)
{
	u_char *p = m, *end = m + mlen;
	size_t h, l;

	/* message SEQUENCE: into it */
	if (ber_hdr(p, end, &h, &l) != 0)
		return NULL;
	p += h;
	/* msgVersion, msgGlobalData: over them */
	for (int i = 0; i < 2; i++) {
		if (ber_hdr(p, end, &h, &l) != 0)
			return NULL;
		p += h + l;
	}
	/* msgSecurityParameters OCTET STRING, then its SEQUENCE: into */
	for (int i = 0; i < 2; i++) {
		if (ber_hdr(p, end, &h, &l) != 0)
			return NULL;
		p += h;
	}
	for (int i = 0; i < which; i++) {
		if (ber_hdr(p, end, &h, &l) != 0)
			return NULL;
		p += h + l;
	}
	if (ber_hdr(p, end, &h, &l) != 0 || l == 0)
		return NULL;
	*n = l;
	return p + h;
}

/* The Response to req (decoded), every varbind the INTEGER val, encoded
 * into buf. Returns its length, 0 on failure. */
static size_t
build_response(const netsnmp_pdu *req, long val, u_char *buf, size_t max)
{
	netsnmp_session s;
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_RESPONSE);
	u_char *pkt;
	size_t pktlen = 2048, off = 0, n = 0;

	assert_non_null(pdu);
	snmp_sess_init(&s);
	s.version = SNMP_VERSION_3;
	s.securityModel = USM_SEC_MODEL_NUMBER;
	s.securityLevel = req->securityLevel;
	s.securityName = req->securityName;
	s.securityNameLen = req->securityNameLen;
	s.securityEngineID = req->securityEngineID;
	s.securityEngineIDLen = req->securityEngineIDLen;
	pdu->version = SNMP_VERSION_3;
	pdu->reqid = req->reqid;
	pdu->msgid = req->msgid;
	pdu->securityModel = USM_SEC_MODEL_NUMBER;
	pdu->securityLevel = req->securityLevel;
	/* the request's context, which net-snmp checks on the answer */
	pdu->contextEngineID = netsnmp_memdup(req->contextEngineID,
	    req->contextEngineIDLen);
	pdu->contextEngineIDLen = req->contextEngineIDLen;
	pdu->contextName = strdup(req->contextName != NULL ?
	    req->contextName : "");
	pdu->contextNameLen = req->contextNameLen;
	assert_non_null(pdu->contextEngineID);
	assert_non_null(pdu->contextName);
	for (const netsnmp_variable_list *v = req->variables; v != NULL;
	    v = v->next_variable)
		assert_non_null(snmp_pdu_add_variable(pdu, v->name,
		    v->name_length, ASN_INTEGER, &val, sizeof(val)));
	pkt = malloc(pktlen);
	assert_non_null(pkt);
	/* net-snmp encodes backwards by default: the message ends the
	 * buffer */
	assert_true(netsnmp_ds_get_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_REVERSE_ENCODE));
	if (snmp_build(&pkt, &pktlen, &off, &s, pdu) == 0 && off <= max) {
		memcpy(buf, pkt + pktlen - off, off);
		n = off;
	}
	free(pkt);
	snmp_free_pdu(pdu);
	return n;
}

static void
fake_send(struct fake *f, const u_char *m, size_t n,
    const struct sockaddr_in *to)
{
	assert_int_equal(sendto(f->fd, m, n, 0, (const struct sockaddr *)to,
	    sizeof(*to)), (ssize_t)n);
}

static void
fake_on_read(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct fake *f = arg;
	u_char in[4096], out[4096];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	netsnmp_session s;
	netsnmp_pdu *req;
	ssize_t got;
	size_t n, fn = 0;
	u_char *field;

	(void)loop;
	(void)events;
	got = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
	if (got <= 0)
		return;
	/* decode as a non-authoritative engine: the engine ID is not ours,
	 * the user and keys are the poller's */
	snmp_sess_init(&s);
	s.version = SNMP_VERSION_3;
	s.isAuthoritative = SNMP_SESS_NONAUTHORITATIVE;
	req = snmp_pdu_create(0);
	assert_non_null(req);
	if (snmp_parse(NULL, &s, req, in, (size_t)got) != SNMPERR_SUCCESS ||
	    req->variables == NULL) {
		f->undecoded++;
		snmp_free_pdu(req);
		return;
	}
	f->requests++;
	n = build_response(req, VAL_FORGED, out, sizeof(out));
	assert_true(n > 0);
	field = usm_field(out, n, f->forge == FORGE_DIGEST ? 4 : 0, &fn);
	assert_non_null(field);
	field[fn - 1] ^= 0x01;
	fake_send(f, out, n, &from);
	f->forged++;
	if (f->genuine) {
		n = build_response(req, VAL_GENUINE, out, sizeof(out));
		assert_true(n > 0);
		fake_send(f, out, n, &from);
		f->genuines++;
	}
	snmp_free_pdu(req);
}

static void
fake_start(struct env *e, enum forge forge, bool genuine)
{
	struct fake *f = &e->f;
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	memset(f, 0, sizeof(*f));
	f->loop = e->loop;
	f->forge = forge;
	f->genuine = genuine;
	f->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(f->fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(f->fd, (struct sockaddr *)&sin, &sl), 0);
	f->port = ntohs(sin.sin_port);
	assert_int_equal(loop_io_add(e->loop, f->fd, LOOP_READ, fake_on_read,
	    f), 0);
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->f.fd = -1;
	assert_int_equal(loop_new(&e->loop), 0);
	assert_int_equal(snmp_poller_new(e->loop, NULL, &e->p), 0);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	snmp_poller_free(e->p);
	if (e->f.fd >= 0) {
		loop_io_del(e->loop, e->f.fd);
		close(e->f.fd);
	}
	loop_free(e->loop);
	free(e);
	return 0;
}

static void
target(struct env *e, struct snmp_target *t, enum snmp_seclevel level)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->addr, sizeof(t->addr), "127.0.0.1");
	t->port = e->f.port;
	t->version = SNMP_V3;
	/* one user per level: net-snmp keeps one per engine and name */
	snprintf(t->user, sizeof(t->user), "%s", level == SNMP_AUTHPRIV ?
	    "forgepriv" : "forgeauth");
	t->seclevel = level;
	t->auth = SNMP_AUTH_SHA;
	t->priv = SNMP_PRIV_AES;
	snprintf(t->auth_pass, sizeof(t->auth_pass), "authpass123");
	snprintf(t->priv_pass, sizeof(t->priv_pass), "privpass123");
	snprintf(t->engine_id, sizeof(t->engine_id), "%s", ENGINE_HEX);
	t->timeout_ns = 200 * LOOP_NS_PER_MSEC;
	t->retries = 1;
}

static void
run(struct env *e, const struct snmp_target *t, struct outcome *o)
{
	const char *oids[] = { OID_ASKED };
	char err[256];

	memset(o, 0, sizeof(*o));
	assert_int_equal(snmp_get(e->p, t, oids, 1, on_done, o, NULL, err,
	    sizeof(err)), 0);
	while (snmp_poller_pending(e->p) > 0)
		assert_true(loop_run_once(e->loop, -1) >= 0);
}

/* Only forgeries: each dropped and counted, the request times out with
 * note (what the USM said) in its text. */
static void
check_forged_only(struct env *e, enum snmp_seclevel level,
    enum forge forge, const char *note)
{
	struct snmp_target t;
	struct snmp_counters c;
	struct outcome o;

	fake_start(e, forge, false);
	target(e, &t, level);
	run(e, &t, &o);
	snmp_poller_counters(e->p, &c);
	assert_int_equal(o.done, 1);
	if (o.status != SNMP_TIMEOUT)
		fail_msg("forged answer used: status %d value %lld error %s",
		    (int)o.status, (long long)o.value, o.error);
	if (strstr(o.error, note) == NULL)
		fail_msg("\"%s\" not in: %s", note, o.error);
	assert_int_equal(e->f.undecoded, 0);
	assert_int_equal(e->f.requests, 2);     /* the try and the retry */
	assert_int_equal(e->f.forged, 2);
	assert_int_equal(c.unauthenticated, 2);
	assert_int_equal(c.responses, 0);
	assert_int_equal(c.timeouts, 1);
	assert_int_equal(c.ok + c.errors, 0);
}

/* A forgery, then the genuine answer: that one is used. */
static void
check_forged_then_genuine(struct env *e, enum snmp_seclevel level,
    enum forge forge)
{
	struct snmp_target t;
	struct snmp_counters c;
	struct outcome o;

	fake_start(e, forge, true);
	target(e, &t, level);
	run(e, &t, &o);
	snmp_poller_counters(e->p, &c);
	assert_int_equal(e->f.undecoded, 0);
	assert_int_equal(e->f.requests, 1);
	assert_int_equal(o.done, 1);
	if (o.status != SNMP_OK || o.value != VAL_GENUINE)
		fail_msg("genuine answer not used: status %d value %lld "
		    "error %s", (int)o.status, (long long)o.value, o.error);
	assert_int_equal(o.n, 1);
	assert_int_equal(c.unauthenticated, 1);
	assert_int_equal(c.responses, 1);
	assert_int_equal(c.stale + c.unmatched, 0);
}

static void
test_v3_authnopriv_wrong_digest_times_out(void **state)
{
	check_forged_only(*state, SNMP_AUTHNOPRIV, FORGE_DIGEST,
	    "refused: USM authentication failure");
}

static void
test_v3_authnopriv_wrong_digest_then_genuine(void **state)
{
	check_forged_then_genuine(*state, SNMP_AUTHNOPRIV, FORGE_DIGEST);
}

static void
test_v3_authpriv_wrong_digest_times_out(void **state)
{
	check_forged_only(*state, SNMP_AUTHPRIV, FORGE_DIGEST,
	    "refused: USM authentication failure");
}

static void
test_v3_authpriv_wrong_digest_then_genuine(void **state)
{
	check_forged_then_genuine(*state, SNMP_AUTHPRIV, FORGE_DIGEST);
}

static void
test_v3_wrong_engine_id_times_out(void **state)
{
	check_forged_only(*state, SNMP_AUTHNOPRIV, FORGE_ENGINE,
	    "usmStatsUnknownEngineIDs");
}

static void
test_v3_wrong_engine_id_then_genuine(void **state)
{
	check_forged_then_genuine(*state, SNMP_AUTHNOPRIV, FORGE_ENGINE);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_v3_authnopriv_wrong_digest_times_out),
		T(test_v3_authnopriv_wrong_digest_then_genuine),
		T(test_v3_authpriv_wrong_digest_times_out),
		T(test_v3_authpriv_wrong_digest_then_genuine),
		T(test_v3_wrong_engine_id_times_out),
		T(test_v3_wrong_engine_id_then_genuine),
	};

	return cmocka_run_group_tests_name("snmp_v3forge", tests, NULL,
	    NULL);
}
