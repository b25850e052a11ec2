/*
 * snmp_sess: the net-snmp side of the SNMP poller (see snmp.c for the data
 * structures): process-wide library setup, opening an agent's session with
 * its credentials, the asynchronous v3 engine ID discovery, the socket
 * watcher and retransmission timer of each session, and the conversion of
 * net-snmp varbinds into struct snmp_vb (all the strings of one batch in
 * one buffer; the OID rendered by a digit loop, the value by net-snmp's
 * sprint_realloc_by_type, so that a vb's text is byte for byte what
 * snmpget -On prints).
 *
 * Sessions are opened as snmp_sess_open() does (a client transport for the
 * peer, then snmp_sess_add) but with a post-parse hook, the one place that
 * sees every packet read on the socket with net-snmp's parse result before
 * net-snmp matches it to a request: snmp_packet_check() counts and filters
 * there. Trade-off: this relies on net-snmp calling the hook for failed
 * parses too, which 5.9's _sess_process_packet does (the unit tests send
 * junk to prove it).
 *
 * The hooks also mark the packet being processed as verified (parsed, the
 * USM satisfied, matched by snmp_packet_check; a pre-parse hook clears the
 * mark for each packet): net-snmp 5.9 calls the session callback from
 * inside its parse, before the post-parse hook, with the decoded PDU of a
 * v3 message that failed authentication (usm_handle_report, for
 * authNoPriv the forged varbinds in clear). snmp_nsnmp_cb takes an answer
 * only from a verified packet (tests/unit/test_snmp_v3forge.c).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "snmp_int.h"

static int snmp_probe_cb(int op, netsnmp_session *s, int reqid,
    netsnmp_pdu *pdu, void *magic);

void
snmp_engine_hex(char *buf, size_t len, const u_char *id, size_t idlen)
{
	buf[0] = '\0';
	for (size_t i = 0; i < idlen && i < 32 && 2 * i + 2 < len; i++)
		snprintf(buf + 2 * i, 3, "%02x", id[i]);
}

/* v3: the USM refused a packet (ret); keep what it tells for the timeout
 * text. An engine ID other than the one configured is the usual cause. */
static void
sess_note_refusal(struct snmp_agent *a, const netsnmp_session *sp,
    const netsnmp_pdu *pdu, int ret)
{
	char got[2 * 32 + 1], want[2 * 32 + 1];

	if (pdu->securityEngineIDLen > 0 && (pdu->securityEngineIDLen !=
	    sp->securityEngineIDLen || memcmp(pdu->securityEngineID,
	    sp->securityEngineID, pdu->securityEngineIDLen) != 0)) {
		snmp_engine_hex(got, sizeof(got), pdu->securityEngineID,
		    pdu->securityEngineIDLen);
		snmp_engine_hex(want, sizeof(want), sp->securityEngineID,
		    sp->securityEngineIDLen);
		snprintf(a->secnote, sizeof(a->secnote), "the agent's engine "
		    "ID is %s, not %s (usmStatsUnknownEngineIDs)", got, want);
		return;
	}
	snprintf(a->secnote, sizeof(a->secnote), "the agent's packets are "
	    "refused: %s", snmp_api_errstring(ret));
}

/* net-snmp's pre-parse hook of both sessions of an agent (magic): a new
 * packet, not verified until the post-parse hook says so. */
static int
sess_pre_parse(netsnmp_session *sp, netsnmp_transport *tr, void *opaque,
    int olen)
{
	struct snmp_agent *a = sp->callback_magic;

	(void)tr;
	(void)opaque;
	(void)olen;
	a->verified = false;
	return 1;
}

/* net-snmp's post-parse hook of both sessions of an agent (magic). */
static int
sess_post_parse(netsnmp_session *sp, netsnmp_pdu *pdu, int ret)
{
	struct snmp_agent *a = sp->callback_magic;
	int pass;

	a->verified = false;
	if (a->probe != NULL && sp == snmp_sess_session(a->probe)) {
		/* the discovery's Report may well fail the USM: only junk
		 * is counted there */
		if (ret == SNMPERR_ASN_PARSE_ERR ||
		    ret == SNMPERR_BAD_VERSION || ret == SNMPERR_BAD_PARSE)
			a->p->c.malformed++;
		return 1;
	}
	if (ret != SNMPERR_SUCCESS && pdu->version == SNMP_VERSION_3 &&
	    sp->version == SNMP_VERSION_3)
		sess_note_refusal(a, sp, pdu, ret);
	pass = snmp_packet_check(a, pdu, ret);
	a->verified = ret == SNMPERR_SUCCESS && pass == 1;
	return pass;
}

/* Open s to peer with the post-parse hook. NULL on failure (s's
 * s_snmp_errno set). */
static void *
sess_open_hooked(netsnmp_session *s, const char *peer)
{
	netsnmp_transport *tr = netsnmp_transport_open_client("snmp", peer);

	if (tr == NULL) {
		s->s_snmp_errno = SNMPERR_BAD_ADDRESS;
		return NULL;
	}
	/* it takes the transport, failure or not, as in snmp_sess_open() */
	return snmp_sess_add(s, tr, sess_pre_parse, sess_post_parse);
}

/* ---- varbind conversion ---- */

/* Room for one arc of an OID in text: a dot and the digits of a u_long. */
#define OID_ARC_TEXT 22

/* ".1.3.6..." of the n arcs at o into out, which has room for n *
 * OID_ARC_TEXT bytes; not terminated. Returns the length. A digit loop
 * rather than snprintf per arc: rendering OIDs was the poller's largest
 * cost. Prints what net-snmp prints for a numeric OID (-On). */
static size_t
oid_digits(char *out, const oid *o, size_t n)
{
	char *q = out;

	for (size_t i = 0; i < n; i++) {
		char tmp[OID_ARC_TEXT];
		size_t k = 0;
		unsigned long v = (unsigned long)o[i];

		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v != 0);
		*q++ = '.';
		while (k > 0)
			*q++ = tmp[--k];
	}
	return (size_t)(q - out);
}

void
snmp_oid_text(char *buf, size_t len, const oid *o, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n && off + 1 < len; i++) {
		char arc[OID_ARC_TEXT];
		size_t w = oid_digits(arc, &o[i], 1);

		if (w > len - 1 - off)
			w = len - 1 - off;
		memcpy(buf + off, arc, w);
		off += w;
	}
	buf[off] = '\0';
}

void
snmp_vbset_free(struct snmp_vbset *s)
{
	free(s->arena);
	free(s->vbs);
	memset(s, 0, sizeof(*s));
}

/* Room for more bytes at the end of s's arena. Returns 0 or -ENOMEM. */
static int
arena_room(struct snmp_vbset *s, size_t more)
{
	size_t cap = s->size > 0 ? s->size : 256;
	u_char *nb;

	if (s->used + more < s->size)
		return 0;
	while (cap <= s->used + more)
		cap *= 2;
	nb = realloc(s->arena, cap);
	if (nb == NULL)
		return -ENOMEM;
	s->arena = nb;
	s->size = cap;
	return 0;
}

/* Append len bytes and a NUL (not counted in used: the next append
 * overwrites it unless terminate). Returns 0 or -ENOMEM. */
static int
arena_put(struct snmp_vbset *s, const void *bytes, size_t len,
    bool terminate)
{
	if (arena_room(s, len + 1) != 0)
		return -ENOMEM;
	if (len > 0)
		memcpy(s->arena + s->used, bytes, len);
	s->used += len;
	s->arena[s->used] = '\0';
	if (terminate)
		s->used++;
	return 0;
}

static int
arena_oid(struct snmp_vbset *s, const oid *o, size_t n, bool terminate)
{
	if (arena_room(s, n * OID_ARC_TEXT + 1) != 0)
		return -ENOMEM;
	s->used += oid_digits((char *)s->arena + s->used, o, n);
	s->arena[s->used] = '\0';
	if (terminate)
		s->used++;
	return 0;
}

/* What sprint_realloc_variable prints for an exception after " = "
 * (sprint_realloc_by_type does not know them); NULL for a value. */
static const char *
vb_exception_text(u_char type)
{
	switch (type) {
	case SNMP_NOSUCHOBJECT:
		return "No Such Object available on this agent at this OID";
	case SNMP_NOSUCHINSTANCE:
		return "No Such Instance currently exists at this OID";
	case SNMP_ENDOFMIBVIEW:
		return "No more variables left in this MIB View (It is past "
		    "the end of the MIB tree)";
	default:
		return NULL;
	}
}

/* Where the strings of one vb are in the arena while it may still move. */
struct vb_where {
	size_t oid, text, bytes, len;
};

/* Append v's strings to s's arena: its OID; the line snmpget -On prints,
 * as sprint_realloc_variable would render it without MIBs (the OID once
 * more, " = ", the value by sprint_realloc_by_type or the exception's
 * text); and the bytes of a string (terminated) or the text of an OID
 * value. Returns 0 or -ENOMEM. */
static int
vb_render(struct snmp_vbset *s, struct vb_where *w,
    const netsnmp_variable_list *v)
{
	const char *exc = vb_exception_text(v->type);
	size_t oidlen;

	w->oid = s->used;
	if (arena_oid(s, v->name, v->name_length, true) != 0)
		return -ENOMEM;
	oidlen = s->used - 1 - w->oid;
	w->text = s->used;
	if (arena_room(s, oidlen + 3) != 0)
		return -ENOMEM;
	memcpy(s->arena + s->used, s->arena + w->oid, oidlen);
	memcpy(s->arena + s->used + oidlen, " = ", 3);
	s->used += oidlen + 3;
	if (exc != NULL ? arena_put(s, exc, strlen(exc), false) != 0 :
	    !sprint_realloc_by_type(&s->arena, &s->size, &s->used, 1, v, NULL,
	    NULL, NULL))
		return -ENOMEM;
	if (arena_put(s, NULL, 0, true) != 0)
		return -ENOMEM;
	w->bytes = s->used;
	switch (v->type) {
	case ASN_OCTET_STR:
	case ASN_IPADDRESS:
	case ASN_OPAQUE:
		w->len = v->val_len;
		return arena_put(s, v->val.string, v->val_len, true);
	case ASN_OBJECT_ID:
		if (arena_oid(s, v->val.objid, v->val_len / sizeof(oid),
		    true) != 0)
			return -ENOMEM;
		w->len = s->used - 1 - w->bytes;
		return 0;
	default:
		return 0;
	}
}

/* The type and numbers of vb from v (no strings). */
static void
vb_value(struct snmp_vb *vb, const netsnmp_variable_list *v)
{
	switch (v->type) {
	case ASN_INTEGER:
		vb->type = SNMP_T_INTEGER;
		vb->i = *v->val.integer;
		break;
	case ASN_OCTET_STR:
		vb->type = SNMP_T_STRING;
		break;
	case ASN_IPADDRESS:
		vb->type = SNMP_T_IPADDRESS;
		break;
	case ASN_OPAQUE:
		vb->type = SNMP_T_OPAQUE;
		break;
	case ASN_OBJECT_ID:
		vb->type = SNMP_T_OID;
		break;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
		vb->type = v->type == ASN_COUNTER ? SNMP_T_COUNTER32 :
		    v->type == ASN_GAUGE ? SNMP_T_GAUGE32 : SNMP_T_TIMETICKS;
		vb->u = (uint32_t)*v->val.integer;
		break;
	case ASN_COUNTER64:
		vb->type = SNMP_T_COUNTER64;
		vb->u = ((uint64_t)v->val.counter64->high << 32) |
		    (uint32_t)v->val.counter64->low;
		break;
	case ASN_NULL:
		vb->type = SNMP_T_NULL;
		break;
	case SNMP_NOSUCHOBJECT:
		vb->type = SNMP_T_NOSUCHOBJECT;
		break;
	case SNMP_NOSUCHINSTANCE:
		vb->type = SNMP_T_NOSUCHINSTANCE;
		break;
	case SNMP_ENDOFMIBVIEW:
		vb->type = SNMP_T_ENDOFMIBVIEW;
		break;
	default:
		vb->type = SNMP_T_OTHER;
		break;
	}
}

/* Point vb's strings into the arena, which no longer moves. */
static void
vb_place(const struct snmp_vbset *s, struct snmp_vb *vb,
    const struct vb_where *w)
{
	const char *base = (const char *)s->arena;

	vb->oid = base + w->oid;
	vb->text = base + w->text;
	if (vb->type == SNMP_T_STRING || vb->type == SNMP_T_IPADDRESS ||
	    vb->type == SNMP_T_OPAQUE || vb->type == SNMP_T_OID) {
		vb->bytes = (const unsigned char *)base + w->bytes;
		vb->len = w->len;
	}
}

int
snmp_vbset_build(struct snmp_vbset *s, const netsnmp_variable_list *list,
    size_t n)
{
	struct vb_where *w = NULL;
	size_t i = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return 0;
	s->vbs = calloc(n, sizeof(*s->vbs));
	w = calloc(n, sizeof(*w));
	/* about what one ifTable row takes: one growth at most, mostly */
	if (s->vbs == NULL || w == NULL || arena_room(s, n * 96) != 0)
		goto fail;
	for (const netsnmp_variable_list *v = list; v != NULL && i < n;
	    v = v->next_variable, i++) {
		vb_value(&s->vbs[i], v);
		if (vb_render(s, &w[i], v) != 0)
			goto fail;
	}
	s->n = i;
	for (i = 0; i < s->n; i++)
		vb_place(s, &s->vbs[i], &w[i]);
	free(w);
	return 0;
fail:
	free(w);
	snmp_vbset_free(s);
	return -ENOMEM;
}

static void
agent_io(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct snmp_agent *a = arg;
	void *sess = fd == a->fd ? a->sess : a->probe;
	netsnmp_large_fd_set set;

	if (sess == NULL)
		return;
	netsnmp_large_fd_set_init(&set, fd + 1);
	NETSNMP_LARGE_FD_SET(fd, &set);
	snmp_sess_read2(sess, &set);
	netsnmp_large_fd_set_cleanup(&set);
	/* the callback may have closed the probe session */
	if (sess == a->sess)
		snmp_agent_rearm(a, a->sess, &a->timer);
	else if (a->probe != NULL)
		snmp_agent_rearm(a, a->probe, &a->probe_timer);
}

void
snmp_agent_on_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct snmp_agent *a = arg;
	void *sess = t == &a->timer ? a->sess : a->probe;

	if (sess == NULL)
		return;
	snmp_sess_timeout(sess);
	if (t == &a->timer)
		snmp_agent_rearm(a, a->sess, &a->timer);
	else if (a->probe != NULL)
		snmp_agent_rearm(a, a->probe, &a->probe_timer);
}

/* Point timer t at net-snmp's next retransmission deadline of sess. */
void
snmp_agent_rearm(struct snmp_agent *a, void *sess, struct loop_timer *t)
{
	netsnmp_large_fd_set set;
	struct timeval tv = { 0, 0 };
	int nfds = 0, block = 1;
	int64_t when;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	snmp_sess_select_info2(sess, &nfds, &set, &tv, &block);
	netsnmp_large_fd_set_cleanup(&set);
	if (block) {
		loop_timer_stop(a->p->loop, t);
		return;
	}
	when = loop_clock() + (int64_t)tv.tv_sec * LOOP_NS_PER_SEC +
	    (int64_t)tv.tv_usec * 1000;
	if (loop_timer_start(a->p->loop, t, when) != 0) {
		/* -ENOMEM: retry soon rather than never */
	}
}

void
snmp_agent_close(struct snmp_agent *a, void **sess, int *fd,
    struct loop_timer *t)
{
	if (*sess == NULL)
		return;
	loop_timer_stop(a->p->loop, t);
	if (*fd >= 0)
		loop_io_del(a->p->loop, *fd);
	a->closing = true;
	snmp_sess_close(*sess);
	a->closing = false;
	*sess = NULL;
	*fd = -1;
}

int
snmp_hex_decode(const char *hex, u_char *out, size_t max, size_t *len)
{
	size_t n = strlen(hex), i;

	if (n >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) {
		hex += 2;
		n -= 2;
	}
	if (n == 0 || n % 2 != 0 || n / 2 > max)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++) {
			char ch = hex[2 * i + (size_t)k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v |= (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				v |= (unsigned)(ch - 'A' + 10);
			else
				return -EINVAL;
		}
		out[i] = (u_char)v;
	}
	*len = n / 2;
	return 0;
}

/* Fill s (already snmp_sess_init'ed) from the agent's target. The strings
 * point into a->t, which lives as long as the agent; net-snmp copies them
 * at open. Returns 0, or -EINVAL with a->fail set. */
static int
agent_fill_session(struct snmp_agent *a, netsnmp_session *s, char *peer,
    size_t peerlen, u_char *engine, size_t englen)
{
	const struct snmp_target *t = &a->t;

	if (strchr(t->addr, ':') != NULL)
		snprintf(peer, peerlen, "udp6:[%s]:%u", t->addr, t->port);
	else
		snprintf(peer, peerlen, "udp:%s:%u", t->addr, t->port);
	s->peername = peer;
	s->timeout = (long)(t->timeout_ns / 1000);
	s->retries = t->retries;
	s->callback = snmp_nsnmp_cb;
	s->callback_magic = a;
	if (t->version != SNMP_V3) {
		s->version = t->version == SNMP_V1 ? SNMP_VERSION_1 :
		    SNMP_VERSION_2c;
		s->community = (u_char *)a->t.community;
		s->community_len = strlen(t->community);
		return 0;
	}
	s->securityEngineID = engine;
	s->securityEngineIDLen = englen;
	s->flags |= SNMP_FLAGS_DONT_PROBE;
	return snmp_sess_v3(s, t, a->fail, sizeof(a->fail));
}

/* ---- v3 security (also the trap receiver's and sender's) ---- */

const oid *
snmp_auth_proto(enum snmp_auth auth)
{
	return auth == SNMP_AUTH_MD5 ? usmHMACMD5AuthProtocol :
	    auth == SNMP_AUTH_SHA256 ? usmHMAC192SHA256AuthProtocol :
	    usmHMACSHA1AuthProtocol;
}

const oid *
snmp_priv_proto(enum snmp_priv priv)
{
	return priv == SNMP_PRIV_DES ? usmDESPrivProtocol : usmAESPrivProtocol;
}

int
snmp_sess_v3(netsnmp_session *s, const struct snmp_target *t, char *err,
    size_t errlen)
{
	s->version = SNMP_VERSION_3;
	s->securityName = (char *)(uintptr_t)t->user;
	s->securityNameLen = strlen(t->user);
	s->securityModel = USM_SEC_MODEL_NUMBER;
	s->securityLevel = t->seclevel == SNMP_AUTHPRIV ?
	    SNMP_SEC_LEVEL_AUTHPRIV : t->seclevel == SNMP_AUTHNOPRIV ?
	    SNMP_SEC_LEVEL_AUTHNOPRIV : SNMP_SEC_LEVEL_NOAUTH;
	if (t->seclevel >= SNMP_AUTHNOPRIV) {
		s->securityAuthProto = snmp_duplicate_objid(
		    snmp_auth_proto(t->auth), SNMP_PROTO_LEN);
		s->securityAuthProtoLen = SNMP_PROTO_LEN;
		s->securityAuthKeyLen = USM_AUTH_KU_LEN;
		if (s->securityAuthProto == NULL ||
		    generate_Ku(s->securityAuthProto, s->securityAuthProtoLen,
		    (const u_char *)t->auth_pass, strlen(t->auth_pass),
		    s->securityAuthKey, &s->securityAuthKeyLen) !=
		    SNMPERR_SUCCESS) {
			snprintf(err, errlen,
			    "cannot derive the v3 authentication key "
			    "(passphrase of at least 8 characters?)");
			return -EINVAL;
		}
	}
	if (t->seclevel == SNMP_AUTHPRIV) {
		s->securityPrivProto = snmp_duplicate_objid(
		    snmp_priv_proto(t->priv), SNMP_PROTO_LEN);
		s->securityPrivProtoLen = SNMP_PROTO_LEN;
		s->securityPrivKeyLen = USM_PRIV_KU_LEN;
		if (s->securityPrivProto == NULL ||
		    generate_Ku(s->securityAuthProto, s->securityAuthProtoLen,
		    (const u_char *)t->priv_pass, strlen(t->priv_pass),
		    s->securityPrivKey, &s->securityPrivKeyLen) !=
		    SNMPERR_SUCCESS) {
			snprintf(err, errlen,
			    "cannot derive the v3 privacy key "
			    "(passphrase of at least 8 characters?)");
			return -EINVAL;
		}
	}
	return 0;
}

/* net-snmp keeps one USM user per (engine ID, name) for the process and
 * create_user_from_session() keeps an existing one as it is. So a second
 * target with the same user on the same engine but other passphrases
 * would silently use the first one's keys: detect it by localizing ours
 * and comparing. True when there is no such user or the keys match. */
static bool
usm_keys_match(netsnmp_session *s)
{
	struct usmUser *u = usm_get_user(s->securityEngineID,
	    s->securityEngineIDLen, s->securityName);
	u_char kul[USM_AUTH_KU_LEN];
	size_t kullen = sizeof(kul);

	if (u == NULL || s->securityLevel == SNMP_SEC_LEVEL_NOAUTH)
		return true;
	if (generate_kul(s->securityAuthProto, s->securityAuthProtoLen,
	    s->securityEngineID, s->securityEngineIDLen, s->securityAuthKey,
	    s->securityAuthKeyLen, kul, &kullen) != SNMPERR_SUCCESS ||
	    u->authKey == NULL || u->authKeyLen != kullen ||
	    memcmp(u->authKey, kul, kullen) != 0)
		return false;
	if (s->securityLevel != SNMP_SEC_LEVEL_AUTHPRIV)
		return true;
	kullen = sizeof(kul);
	if (generate_kul(s->securityAuthProto, s->securityAuthProtoLen,
	    s->securityEngineID, s->securityEngineIDLen, s->securityPrivKey,
	    s->securityPrivKeyLen, kul, &kullen) != SNMPERR_SUCCESS ||
	    u->privKey == NULL || u->privKeyLen > kullen ||
	    memcmp(u->privKey, kul, u->privKeyLen) != 0)
		return false;
	return true;
}

/* Open a's real session (engine: the v3 engine ID, or NULL). On failure
 * the agent is AGENT_FAILED with a->fail set. */
void
snmp_agent_open(struct snmp_agent *a, u_char *engine, size_t englen)
{
	netsnmp_session s;
	char peer[128];
	netsnmp_transport *tr;

	snmp_sess_init(&s);
	if (agent_fill_session(a, &s, peer, sizeof(peer), engine, englen) != 0)
		goto fail;
	if (a->t.version == SNMP_V3 && !usm_keys_match(&s)) {
		snprintf(a->fail, sizeof(a->fail), "v3 user %.64s on this "
		    "engine is already in use here with other passphrases "
		    "(net-snmp keeps one key set per engine and user)",
		    a->t.user);
		goto fail;
	}
	a->sess = sess_open_hooked(&s, peer);
	if (a->sess == NULL) {
		snprintf(a->fail, sizeof(a->fail), "cannot open a session to "
		    "%s: %s", peer, snmp_api_errstring(s.s_snmp_errno));
		goto fail;
	}
	a->p->c.sessions++;
	if (a->t.version == SNMP_V3) {
		netsnmp_session *ss = snmp_sess_session(a->sess);

		/* net-snmp clears the flag at open; an engine ID is set, but
		 * never let it probe synchronously. */
		ss->flags |= SNMP_FLAGS_DONT_PROBE;
		if (create_user_from_session(ss) != SNMPERR_SUCCESS) {
			snprintf(a->fail, sizeof(a->fail),
			    "cannot create the v3 user %.64s", a->t.user);
			goto fail;
		}
	}
	tr = snmp_sess_transport(a->sess);
	a->fd = tr != NULL ? tr->sock : -1;
	if (a->fd < 0 || loop_io_add(a->p->loop, a->fd, LOOP_READ, agent_io,
	    a) != 0) {
		snprintf(a->fail, sizeof(a->fail), "cannot watch the socket");
		a->fd = -1;
		goto fail;
	}
	snmp_agent_set_state(a, AGENT_READY);
	SNMP_FREE(s.securityAuthProto);
	SNMP_FREE(s.securityPrivProto);
	return;
fail:
	SNMP_FREE(s.securityAuthProto);
	SNMP_FREE(s.securityPrivProto);
	snmp_agent_close(a, &a->sess, &a->fd, &a->timer);
	snmp_agent_set_state(a, AGENT_FAILED);
}

/* The USM user "" without keys, through which the discovery's Report is
 * accepted (net-snmp's own probe relies on it too; it lives in net-snmp's
 * process-wide user list). Returns 0 or -ENOMEM. */
static int
snmp_empty_user(void)
{
	struct usmUser *u;

	if (usm_get_user(NULL, 0, "") != NULL)
		return 0;
	u = usm_create_user();
	if (u == NULL)
		return -ENOMEM;
	u->name = strdup("");
	u->secName = strdup("");
	if (u->name == NULL || u->secName == NULL) {
		usm_free_user(u);
		return -ENOMEM;
	}
	usm_add_user(u);
	return 0;
}

/* v3 without a configured engine ID: send the discovery probe. */
void
snmp_agent_discover(struct snmp_agent *a)
{
	netsnmp_session s;
	netsnmp_pdu *pdu;
	netsnmp_transport *tr;
	char peer[128];
	const struct snmp_target *t = &a->t;

	snmp_sess_init(&s);
	if (strchr(t->addr, ':') != NULL)
		snprintf(peer, sizeof(peer), "udp6:[%s]:%u", t->addr, t->port);
	else
		snprintf(peer, sizeof(peer), "udp:%s:%u", t->addr, t->port);
	s.peername = peer;
	s.version = SNMP_VERSION_3;
	s.timeout = (long)(t->timeout_ns / 1000);
	s.retries = t->retries;
	s.securityModel = USM_SEC_MODEL_NUMBER;
	s.securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	/* RFC 3414 discovery: noAuthNoPriv, empty engine ID; net-snmp wants
	 * a name, and any user draws the unknownEngineID Report */
	s.securityName = a->t.user;
	s.securityNameLen = strlen(a->t.user);
	s.flags |= SNMP_FLAGS_DONT_PROBE;
	s.callback = snmp_probe_cb;
	s.callback_magic = a;
	a->probe = sess_open_hooked(&s, peer);
	if (a->probe == NULL) {
		snprintf(a->fail, sizeof(a->fail), "cannot open a session to "
		    "%s: %s", peer, snmp_api_errstring(s.s_snmp_errno));
		goto fail;
	}
	snmp_sess_session(a->probe)->flags |= SNMP_FLAGS_DONT_PROBE;
	tr = snmp_sess_transport(a->probe);
	a->probe_fd = tr != NULL ? tr->sock : -1;
	if (a->probe_fd < 0 || loop_io_add(a->p->loop, a->probe_fd,
	    LOOP_READ, agent_io, a) != 0) {
		a->probe_fd = -1;
		snprintf(a->fail, sizeof(a->fail), "cannot watch the socket");
		goto fail;
	}
	pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (pdu == NULL)
		goto fail;
	pdu->version = SNMP_VERSION_3;
	pdu->securityLevel = SNMP_SEC_LEVEL_NOAUTH;
	pdu->securityModel = USM_SEC_MODEL_NUMBER;
	pdu->securityName = strdup("");
	pdu->securityNameLen = 0;
	if (pdu->securityName == NULL || snmp_empty_user() != 0) {
		snmp_free_pdu(pdu);
		goto fail;
	}
	a->probe_reqid = snmp_sess_async_send(a->probe, pdu, snmp_probe_cb, a);
	if (a->probe_reqid == 0) {
		snmp_free_pdu(pdu);
		snprintf(a->fail, sizeof(a->fail), "cannot send the v3 engine "
		    "ID discovery: %s", snmp_api_errstring(
		    snmp_sess_session(a->probe)->s_snmp_errno));
		goto fail;
	}
	a->p->c.engine_probes++;
	a->p->c.pdus_sent++;
	snmp_agent_set_state(a, AGENT_DISCOVER);
	snmp_agent_rearm(a, a->probe, &a->probe_timer);
	return;
fail:
	snmp_agent_close(a, &a->probe, &a->probe_fd, &a->probe_timer);
	snmp_agent_set_state(a, AGENT_FAILED);
}

/* net-snmp's callback for the discovery session. Keeps only the engine ID;
 * the session itself is closed from kick (not inside net-snmp). */
static int
snmp_probe_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct snmp_agent *a = magic;

	if (a->closing || a->state != AGENT_DISCOVER)
		return 1;
	/* net-snmp 5.9 hands the unknownEngineID Report over as a
	 * security error */
	if ((op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE ||
	    op == NETSNMP_CALLBACK_OP_SEC_ERROR) && pdu != NULL &&
	    pdu->securityEngineIDLen > 0 && pdu->securityEngineIDLen <= 32) {
		snmp_engine_hex(a->t.engine_id, sizeof(a->t.engine_id),
		    pdu->securityEngineID, pdu->securityEngineIDLen);
		/* kick opens the real session */
		snmp_agent_set_state(a, AGENT_NEW);
	} else {
		snprintf(a->fail, sizeof(a->fail), "timeout: no answer to "
		    "the v3 engine ID discovery from %s:%u", a->t.addr,
		    a->t.port);
		snmp_agent_set_state(a, AGENT_FAILED);
	}
	snmp_kick_arm(a->p);
	return 1;
}

int
snmp_target_parse_addr(struct snmp_target *t, const char *s)
{
	const char *host = s, *port = NULL;
	size_t hlen;
	unsigned char buf[16];
	char tmp[64];

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			return -EINVAL;
		host = s + 1;
		hlen = (size_t)(close - host);
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return -EINVAL;
	} else if (strchr(s, ':') != NULL && strchr(s, ':') == strrchr(s, ':')) {
		hlen = (size_t)(strchr(s, ':') - s);
		port = strchr(s, ':') + 1;
	} else {
		hlen = strlen(s);
	}
	if (hlen == 0 || hlen >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, host, hlen);
	tmp[hlen] = '\0';
	if (inet_pton(AF_INET, tmp, buf) != 1 &&
	    inet_pton(AF_INET6, tmp, buf) != 1)
		return -EINVAL;
	t->port = 161;
	if (port != NULL) {
		char *end;
		unsigned long v;

		if (*port < '0' || *port > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(port, &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 || v > 65535)
			return -EINVAL;
		t->port = (uint16_t)v;
	}
	snprintf(t->addr, sizeof(t->addr), "%s", tmp);
	return 0;
}

void
snmp_lib_init(void)
{
	/* net-snmp's own process-wide state says whether it is set up. */
	if (netsnmp_ds_get_string(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_APPTYPE) != NULL)
		return;
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS,
	    0);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_MIB_ERRORS, 0);
	/* no MIB modules: numeric OIDs only, as Debian's "mibs :" (this
	 * line is processed with the pre-MIB configuration even though no
	 * file is read) */
	{
		char mibs[] = "mibs :";

		netsnmp_config_remember(mibs);
	}
	netsnmp_set_mib_directory("");
	/* net-snmp's own log would print to stderr; errors come back to
	 * callers as text instead */
	snmp_disable_log();
	init_snmp("pharos");
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, NETSNMP_OID_OUTPUT_NUMERIC);
}
