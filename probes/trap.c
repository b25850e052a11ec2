/*
 * trap: the SNMP trap receiver (see trap.h for the contract).
 *
 * Keeps one struct trap_listener per trap_listen address: a net-snmp
 * server transport (opened by net-snmp while root, then made non-blocking
 * and close-on-exec) inside a single session of its own, whose socket the
 * loop watches. net-snmp decodes the message (BER, v3 USM: user lookup,
 * digest, decryption, time window, and the engine ID discovery Reports of
 * informs), then calls two hooks of ours:
 *
 * - trap_post_parse() sees every packet with net-snmp's parse result: a
 *   failure is counted and logged by its reason, and dropped.
 * - trap_nsnmp_cb() gets the parsed PDU, and acts only when the hook
 *   passed it (net-snmp also calls it from inside its parse with the
 *   readable PDU of a v3 message whose digest failed): version and PDU
 *   type checked (a v1 Trap-PDU only in v1, Trap2/Inform only in
 *   v2c/v3), community or user authorized for the source network, the v1
 *   trap converted to the v2 form (RFC 3584), the inform answered, and
 *   the result handed on.
 *
 * Every datagram read is counted once: the read loop compares the
 * counters around each read, and a datagram that reached neither hook
 * (net-snmp dropped it unparsed: empty, truncated header) is counted as
 * malformed. The v3 users are made by trap_usm.c. The receiver keeps
 * deep copies of its options; its only process-wide state is net-snmp's
 * (library setup, the USM user list and the local engine ID), shared
 * with the poller.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "trap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trap_int.h"

#define TRAP_LISTEN_MAX 32
#define TRAP_READ_BATCH 256  /* datagrams read per readiness event */
#define TRAP_RCVBUF (4 << 20) /* socket receive buffer, bytes */

struct trap_listener {
	struct trap_rx *rx;
	void *sess;              /* net-snmp single session, owns the socket */
	int fd;
	uint16_t port;
	bool watched;
	/* the datagram being read passed net-snmp's parse and the USM
	 * (set by the post-parse hook, cleared before each read) */
	bool passed;
};

struct trap_rx {
	struct loop *loop;
	struct trap_listener *ls;
	size_t nls;
	struct trap_community *comms;
	size_t ncomms;
	struct trap_user *users;
	size_t nusers;
	trap_msg_fn *msg;
	trap_drop_fn *drop;
	void *arg;
	struct trap_counters c;
};

static const char *const trap_drop_names[TRAP_DROP_NKINDS] = {
	[TRAP_DROP_MALFORMED] = "malformed",
	[TRAP_DROP_COMMUNITY] = "wrong_community",
	[TRAP_DROP_NETWORK] = "unauthorized_network",
	[TRAP_DROP_UNKNOWN_USER] = "unknown_user",
	[TRAP_DROP_BAD_DIGEST] = "bad_digest",
	[TRAP_DROP_DECRYPT] = "decryption_error",
	[TRAP_DROP_SECLEVEL] = "bad_security_level",
	[TRAP_DROP_TIME_WINDOW] = "not_in_time_window",
	[TRAP_DROP_DISCOVERY] = "engine_discovery",
	[TRAP_DROP_NOT_NOTIFICATION] = "not_a_notification",
};

const char *
trap_drop_name(enum trap_drop why)
{
	return (unsigned)why < TRAP_DROP_NKINDS ? trap_drop_names[why] : "?";
}

/* ---- networks ---- */

bool
trap_addr_parse(const char *s, int *family, unsigned char *a)
{
	memset(a, 0, 16);
	if (s == NULL)
		return false;
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

int
trap_net_parse(const char *s, struct trap_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	memset(n, 0, sizeof(*n));
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (!trap_addr_parse(buf, &n->family, n->addr))
		return -EINVAL;
	n->prefix = max = n->family == AF_INET ? 32 : 128;
	if (slash != NULL) {
		char *end;
		unsigned long v;

		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(slash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || v > max)
			return -EINVAL;
		n->prefix = (unsigned)v;
	}
	return 0;
}

static bool
trap_net_has(const struct trap_net *n, int family, const unsigned char *a)
{
	unsigned full = n->prefix / 8, rest = n->prefix % 8;

	if (n->family != family)
		return false;
	if (memcmp(n->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((n->addr[full] ^ a[full]) & (0xffu << (8 - rest)) & 0xffu) ==
	    0;
}

bool
trap_net_match(const struct trap_net *nets, size_t n, const char *addr)
{
	unsigned char a[16];
	int family;

	if (n == 0)
		return true;
	if (!trap_addr_parse(addr, &family, a))
		return false;
	for (size_t i = 0; i < n; i++)
		if (trap_net_has(&nets[i], family, a))
			return true;
	return false;
}

size_t
trap_engine_id_generate(unsigned char *id)
{
	/* RFC 3411 SnmpEngineID: enterprise 8072 (net-snmp's) with the
	 * high bit, format 5 (octets), then 12 random octets */
	static const unsigned char head[5] = { 0x80, 0x00, 0x1f, 0x88, 0x05 };
	size_t n = sizeof(head) + 12;

	memcpy(id, head, sizeof(head));
	if (getrandom(id + sizeof(head), 12, 0) != 12) {
		/* no entropy source: time and pid still make it unique */
		uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

		memset(id + sizeof(head), 0x5a, 12);
		memcpy(id + sizeof(head), &t, sizeof(t));
	}
	return n;
}

/* ---- source addresses ---- */

static void
trap_sockaddr_text(const struct sockaddr *sa, size_t salen, char *buf,
    size_t len, uint16_t *port)
{
	buf[0] = '\0';
	*port = 0;
	if (sa == NULL || salen < sizeof(struct sockaddr_in))
		return;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)len);
		*port = ntohs(s4->sin_port);
	} else if (sa->sa_family == AF_INET6 &&
	    salen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf,
			    (socklen_t)len);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, buf,
			    (socklen_t)len);
		*port = ntohs(s6->sin6_port);
	}
}

/* The packet's source: net-snmp's UDP transports keep the remote address
 * first in transport_data (a sockaddr, or an address pair starting with
 * one). */
static void
trap_pdu_source(const netsnmp_pdu *pdu, char *buf, size_t len,
    uint16_t *port)
{
	trap_sockaddr_text(pdu->transport_data, pdu->transport_data_length >
	    0 ? (size_t)pdu->transport_data_length : 0, buf, len, port);
}

/* ---- drops ---- */

static void
trap_dropped(struct trap_rx *rx, enum trap_drop why, const char *source,
    const char *detail)
{
	rx->c.dropped[why]++;
	if (rx->drop != NULL)
		rx->drop(why, source, detail != NULL ? detail : "", rx->arg);
}

/* net-snmp's parse result as a drop reason (the USM's own codes and
 * the general ones it maps them to). */
static enum trap_drop
trap_parse_error(int ret, const netsnmp_pdu *pdu)
{
	switch (ret) {
	case SNMPERR_UNKNOWN_USER_NAME:
	case SNMPERR_USM_UNKNOWNSECURITYNAME:
		return TRAP_DROP_UNKNOWN_USER;
	case SNMPERR_AUTHENTICATION_FAILURE:
	case SNMPERR_USM_AUTHENTICATIONFAILURE:
		return TRAP_DROP_BAD_DIGEST;
	case SNMPERR_DECRYPTION_ERR:
	case SNMPERR_USM_DECRYPTIONERROR:
		return TRAP_DROP_DECRYPT;
	case SNMPERR_UNSUPPORTED_SEC_LEVEL:
	case SNMPERR_USM_UNSUPPORTEDSECURITYLEVEL:
		return TRAP_DROP_SECLEVEL;
	case SNMPERR_NOT_IN_TIME_WINDOW:
	case SNMPERR_USM_NOTINTIMEWINDOW:
		return TRAP_DROP_TIME_WINDOW;
	case SNMPERR_UNKNOWN_ENG_ID:
	case SNMPERR_USM_UNKNOWNENGINEID:
		/* the discovery of an inform sender (no user yet; net-snmp
		 * answered with a Report), else an engine ID no user has */
		return pdu->securityNameLen == 0 ? TRAP_DROP_DISCOVERY :
		    TRAP_DROP_UNKNOWN_USER;
	default:
		return TRAP_DROP_MALFORMED;
	}
}

/* net-snmp's post-parse hook: every packet, parsed or not. */
static int
trap_post_parse(netsnmp_session *sp, netsnmp_pdu *pdu, int ret)
{
	struct trap_listener *l = sp->callback_magic;
	char src[64], detail[300];
	uint16_t port;

	if (ret == SNMPERR_SUCCESS) {
		l->passed = true;
		return 1;
	}
	trap_pdu_source(pdu, src, sizeof(src), &port);
	if (pdu->version == SNMP_VERSION_3 && pdu->securityName != NULL &&
	    pdu->securityNameLen > 0)
		snprintf(detail, sizeof(detail), "%s (v3 user %.*s)",
		    snmp_api_errstring(ret), (int)(pdu->securityNameLen < 64 ?
		    pdu->securityNameLen : 64), pdu->securityName);
	else
		snprintf(detail, sizeof(detail), "%s", snmp_api_errstring(ret));
	trap_dropped(l->rx, trap_parse_error(ret, pdu), src, detail);
	return 0;
}

/* ---- authorization ---- */

/* Printable copy of untrusted bytes for a log line. */
static void
trap_printable(char *out, size_t len, const u_char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 4 < len; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			out[j++] = (char)s[i];
		else
			j += (size_t)snprintf(out + j, len - j, "\\x%02x",
			    s[i]);
	}
	out[j < len ? j : len - 1] = '\0';
}

/* 0 when allowed (*secname set), else the drop reason. */
static int
trap_authorize(struct trap_rx *rx, const netsnmp_pdu *pdu, const char *src,
    const char **secname, char *detail, size_t dlen)
{
	if (pdu->version == SNMP_VERSION_3) {
		for (size_t i = 0; i < rx->nusers; i++) {
			const struct trap_user *u = &rx->users[i];

			if (pdu->securityName == NULL || strlen(u->name) !=
			    pdu->securityNameLen || memcmp(u->name,
			    pdu->securityName, pdu->securityNameLen) != 0)
				continue;
			snprintf(detail, dlen, "v3 user %s", u->name);
			if (pdu->securityLevel < SNMP_SEC_LEVEL_AUTHNOPRIV)
				return TRAP_DROP_SECLEVEL;
			if (!trap_net_match(u->nets, u->nnets, src))
				return TRAP_DROP_NETWORK;
			*secname = u->name;
			return 0;
		}
		trap_printable(detail, dlen, (const u_char *)pdu->securityName,
		    pdu->securityName != NULL ? pdu->securityNameLen : 0);
		return TRAP_DROP_UNKNOWN_USER;
	}
	for (size_t i = 0; i < rx->ncomms; i++) {
		const struct trap_community *c = &rx->comms[i];

		if (pdu->community == NULL || strlen(c->community) !=
		    pdu->community_len || memcmp(c->community, pdu->community,
		    pdu->community_len) != 0)
			continue;
		if (!trap_net_match(c->nets, c->nnets, src)) {
			snprintf(detail, dlen, "community not accepted from "
			    "this network");
			continue;
		}
		*secname = c->community;
		return 0;
	}
	if (detail[0] != '\0')
		return TRAP_DROP_NETWORK;
	/* never log a wrong community itself: it may be another device's */
	snprintf(detail, dlen, "community of %zu bytes not configured",
	    pdu->community_len);
	return TRAP_DROP_COMMUNITY;
}

/* ---- v2 form ---- */

static const oid trap_sysuptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
static const oid trap_trapoid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
static const oid trap_trapaddr[] = { 1, 3, 6, 1, 6, 3, 18, 1, 3, 0 };
static const oid trap_trapent[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0 };
static const oid trap_generic[] = { 1, 3, 6, 1, 6, 3, 1, 1, 5, 0 };

#define NOID(a) (sizeof(a) / sizeof((a)[0]))

static bool
trap_vb_is(const netsnmp_variable_list *v, const oid *o, size_t n)
{
	return v != NULL && snmp_oid_compare(v->name, v->name_length, o, n) ==
	    0;
}

/* RFC 3584 3.1: the v2 varbinds of a v1 trap, as a new list (caller
 * frees with snmp_free_varbind). NULL on a bad trap or no memory. */
static netsnmp_variable_list *
trap_v1_to_v2(const netsnmp_pdu *pdu)
{
	netsnmp_variable_list *list = NULL;
	oid toid[MAX_OID_LEN];
	size_t tlen;
	long up = (long)pdu->time;

	if (pdu->trap_type < 0 || pdu->trap_type > 6)
		return NULL;
	if (pdu->trap_type < 6) {
		memcpy(toid, trap_generic, sizeof(trap_generic));
		tlen = NOID(trap_generic);
		toid[tlen - 1] = (oid)pdu->trap_type + 1;
	} else {
		if (pdu->enterprise == NULL || pdu->enterprise_length == 0 ||
		    pdu->enterprise_length + 2 > MAX_OID_LEN)
			return NULL;
		memcpy(toid, pdu->enterprise, pdu->enterprise_length *
		    sizeof(oid));
		tlen = pdu->enterprise_length;
		toid[tlen++] = 0;
		toid[tlen++] = (oid)pdu->specific_type;
	}
	if (snmp_varlist_add_variable(&list, trap_sysuptime,
	    NOID(trap_sysuptime), ASN_TIMETICKS, &up, sizeof(up)) == NULL ||
	    snmp_varlist_add_variable(&list, trap_trapoid, NOID(trap_trapoid),
	    ASN_OBJECT_ID, toid, tlen * sizeof(oid)) == NULL)
		goto fail;
	for (const netsnmp_variable_list *v = pdu->variables; v != NULL;
	    v = v->next_variable)
		if (snmp_varlist_add_variable(&list, v->name, v->name_length,
		    v->type, v->val.string, v->val_len) == NULL)
			goto fail;
	/* snmpTrapCommunity.0 (optional in RFC 3584) is left out: a
	 * community is a secret, and varbinds end up in the event log */
	if (snmp_varlist_add_variable(&list, trap_trapaddr,
	    NOID(trap_trapaddr), ASN_IPADDRESS, pdu->agent_addr, 4) == NULL)
		goto fail;
	if (pdu->enterprise != NULL && pdu->enterprise_length > 0 &&
	    snmp_varlist_add_variable(&list, trap_trapent, NOID(trap_trapent),
	    ASN_OBJECT_ID, pdu->enterprise, pdu->enterprise_length *
	    sizeof(oid)) == NULL)
		goto fail;
	return list;
fail:
	snmp_free_varbind(list);
	return NULL;
}

/* Answer an authorized inform: a Response with the same request-id and
 * varbinds (RFC 3416 4.2.7). */
static void
trap_answer(struct trap_listener *l, netsnmp_pdu *pdu)
{
	netsnmp_pdu *reply = snmp_clone_pdu(pdu);

	if (reply == NULL) {
		l->rx->c.response_errors++;
		return;
	}
	reply->command = SNMP_MSG_RESPONSE;
	reply->errstat = 0;
	reply->errindex = 0;
	if (snmp_sess_send(l->sess, reply) == 0) {
		snmp_free_pdu(reply);
		l->rx->c.response_errors++;
		return;
	}
	l->rx->c.responses++;
}

static void
trap_deliver(struct trap_listener *l, netsnmp_pdu *pdu,
    const netsnmp_variable_list *vars, const char *src, uint16_t port,
    const char *secname)
{
	struct trap_rx *rx = l->rx;
	struct trap_msg m = { 0 };
	struct snmp_vbset set;
	const netsnmp_variable_list *v;
	char toid[MAX_OID_LEN * 11 + 1];
	size_t n = 0;

	for (v = vars; v != NULL && n < TRAP_VBS_MAX; v = v->next_variable)
		n++;
	/* sysUpTime.0 then snmpTrapOID.0 (RFC 3416 4.2.6) */
	if (!trap_vb_is(vars, trap_sysuptime, NOID(trap_sysuptime)) ||
	    !trap_vb_is(vars->next_variable, trap_trapoid,
	    NOID(trap_trapoid)) || vars->next_variable->type !=
	    ASN_OBJECT_ID || vars->next_variable->val_len / sizeof(oid) >
	    MAX_OID_LEN) {
		trap_dropped(rx, TRAP_DROP_MALFORMED, src, "no sysUpTime.0 and "
		    "snmpTrapOID.0 first");
		return;
	}
	if (snmp_vbset_build(&set, vars, n) != 0) {
		trap_dropped(rx, TRAP_DROP_MALFORMED, src, "out of memory");
		return;
	}
	snmp_oid_text(toid, sizeof(toid), vars->next_variable->val.objid,
	    vars->next_variable->val_len / sizeof(oid));
	if (pdu->command == SNMP_MSG_INFORM)
		trap_answer(l, pdu);
	m.version = pdu->version == SNMP_VERSION_1 ? 1 :
	    pdu->version == SNMP_VERSION_3 ? 3 : 2;
	m.inform = pdu->command == SNMP_MSG_INFORM;
	snprintf(m.source, sizeof(m.source), "%s", src);
	m.source_port = port;
	if (pdu->version == SNMP_VERSION_1)
		inet_ntop(AF_INET, pdu->agent_addr, m.agent, sizeof(m.agent));
	else
		for (v = vars; v != NULL; v = v->next_variable)
			if (trap_vb_is(v, trap_trapaddr, NOID(trap_trapaddr)) &&
			    v->type == ASN_IPADDRESS && v->val_len == 4) {
				inet_ntop(AF_INET, v->val.string, m.agent,
				    sizeof(m.agent));
				break;
			}
	m.secname = secname;
	m.trap_oid = toid;
	if (vars->type == ASN_TIMETICKS && vars->val.integer != NULL)
		m.uptime = (uint64_t)(unsigned long)*vars->val.integer;
	m.vbs = set.vbs;
	m.nvbs = set.n;
	m.nsvars = vars;
	rx->c.delivered++;
	if (m.inform)
		rx->c.informs++;
	if (m.version == 1)
		rx->c.v1++;
	else if (m.version == 2)
		rx->c.v2c++;
	else
		rx->c.v3++;
	rx->msg(&m, rx->arg);
	snmp_vbset_free(&set);
}

/* net-snmp's callback: a PDU that parsed (and passed the USM). */
static int
trap_nsnmp_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic)
{
	struct trap_listener *l = magic;
	struct trap_rx *rx = l->rx;
	const char *secname = NULL;
	char src[64], detail[300] = "";
	uint16_t port;
	int why;

	(void)s;
	(void)reqid;
	/* net-snmp also calls back, from inside its parse, with the PDU of
	 * a v3 message whose digest failed (for agents that send an
	 * authenticationFailure trap): decoded when it was not encrypted.
	 * Only a PDU that passed the post-parse hook is a notification;
	 * the hook counts the others. */
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || !l->passed)
		return 1;
	trap_pdu_source(pdu, src, sizeof(src), &port);
	if (pdu->command == SNMP_MSG_TRAP ? pdu->version != SNMP_VERSION_1 :
	    (pdu->command == SNMP_MSG_TRAP2 || pdu->command ==
	    SNMP_MSG_INFORM) && pdu->version == SNMP_VERSION_1) {
		trap_dropped(rx, TRAP_DROP_MALFORMED, src, pdu->command ==
		    SNMP_MSG_TRAP ? "v1 Trap-PDU in a v2c or v3 message" :
		    "v2 notification in a v1 message");
		return 1;
	}
	if (pdu->command != SNMP_MSG_TRAP && pdu->command != SNMP_MSG_TRAP2 &&
	    pdu->command != SNMP_MSG_INFORM) {
		snprintf(detail, sizeof(detail), "PDU type 0x%02x",
		    (unsigned)pdu->command & 0xffu);
		trap_dropped(rx, TRAP_DROP_NOT_NOTIFICATION, src, detail);
		return 1;
	}
	if ((why = trap_authorize(rx, pdu, src, &secname, detail,
	    sizeof(detail))) != 0) {
		trap_dropped(rx, (enum trap_drop)why, src, detail);
		return 1;
	}
	if (pdu->command == SNMP_MSG_TRAP) {
		netsnmp_variable_list *vars = trap_v1_to_v2(pdu);

		if (vars == NULL) {
			trap_dropped(rx, TRAP_DROP_MALFORMED, src, "bad v1 "
			    "trap (generic-trap or enterprise)");
			return 1;
		}
		trap_deliver(l, pdu, vars, src, port, secname);
		snmp_free_varbind(vars);
		return 1;
	}
	if (pdu->variables == NULL || pdu->variables->next_variable == NULL) {
		trap_dropped(rx, TRAP_DROP_MALFORMED, src, "fewer than two "
		    "varbinds");
		return 1;
	}
	trap_deliver(l, pdu, pdu->variables, src, port, secname);
	return 1;
}

/* ---- sockets ---- */

static uint64_t
trap_seen(const struct trap_rx *rx)
{
	uint64_t n = rx->c.delivered;

	for (int i = 0; i < TRAP_DROP_NKINDS; i++)
		n += rx->c.dropped[i];
	return n;
}

static void
trap_on_read(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct trap_listener *l = arg;
	struct trap_rx *rx = l->rx;

	(void)loop;
	(void)events;
	for (int i = 0; i < TRAP_READ_BATCH; i++) {
		netsnmp_large_fd_set set;
		char peek;
		uint64_t before;

		if (recv(fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) < 0)
			break;
		before = trap_seen(rx);
		rx->c.datagrams++;
		l->passed = false;
		netsnmp_large_fd_set_init(&set, fd + 1);
		NETSNMP_LARGE_FD_SET(fd, &set);
		(void)snmp_sess_read2(l->sess, &set);
		netsnmp_large_fd_set_cleanup(&set);
		if (trap_seen(rx) == before) {
			/* net-snmp dropped it before any hook: an empty
			 * or unreadable datagram; make sure it is gone */
			char junk[1];

			(void)recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
			trap_dropped(rx, TRAP_DROP_MALFORMED, "",
			    "not an SNMP message");
		}
	}
}

int
trap_listen_parse(const char *s, char *out, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char tmp[16];
	const char *port = "162", *colon;
	size_t alen;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			return -EINVAL;
		alen = (size_t)(close - s - 1);
		if (alen >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s + 1, alen);
		addr[alen] = '\0';
		if (close[1] == ':')
			port = close + 2;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		alen = (size_t)(colon - s);
		if (alen >= sizeof(addr))
			return -EINVAL;
		memcpy(addr, s, alen);
		addr[alen] = '\0';
		port = colon + 1;
	} else {
		if (strlen(s) >= sizeof(addr))
			return -EINVAL;
		snprintf(addr, sizeof(addr), "%s", s);
	}
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port) ||
	    strlen(port) > 5 || strtoul(port, NULL, 10) > 65535)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, tmp) == 1)
		snprintf(out, len, "udp:%s:%s", addr, port);
	else if (inet_pton(AF_INET6, addr, tmp) == 1)
		snprintf(out, len, "udp6:[%s]:%s", addr, port);
	else
		return -EINVAL;
	return 0;
}

static int
trap_listener_open(struct trap_rx *rx, struct trap_listener *l,
    const char *spec, char *err, size_t errlen)
{
	netsnmp_transport *tr;
	netsnmp_session s;
	char ts[INET6_ADDRSTRLEN + 32];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char ignored[64];
	int flags, rcvbuf = TRAP_RCVBUF;

	l->rx = rx;
	l->fd = -1;
	if (trap_listen_parse(spec, ts, sizeof(ts)) != 0) {
		snprintf(err, errlen, "trap_listen '%.80s': expected ADDR, "
		    "ADDR:PORT or [IPV6]:PORT", spec);
		return -EINVAL;
	}
	errno = 0;
	tr = netsnmp_transport_open_server("snmptrap", ts);
	if (tr == NULL) {
		int e = errno != 0 ? errno : EADDRNOTAVAIL;

		snprintf(err, errlen, "trap_listen %.80s: cannot bind: %s",
		    spec, strerror(e));
		return -e;
	}
	snmp_sess_init(&s);
	s.peername = SNMP_DEFAULT_PEERNAME;
	s.version = SNMP_DEFAULT_VERSION;
	s.callback = trap_nsnmp_cb;
	s.callback_magic = l;
	s.isAuthoritative = SNMP_SESS_UNKNOWNAUTH;
	l->fd = tr->sock;
	/* snmp_sess_add takes the transport, failure or not */
	l->sess = snmp_sess_add(&s, tr, NULL, trap_post_parse);
	if (l->sess == NULL) {
		l->fd = -1;
		snprintf(err, errlen, "trap_listen %.80s: %s", spec,
		    snmp_api_errstring(s.s_snmp_errno));
		return -ENOMEM;
	}
	/* the hooks get the session's copy: point it at l too */
	snmp_sess_session(l->sess)->callback_magic = l;
	flags = fcntl(l->fd, F_GETFL);
	if (flags < 0 || fcntl(l->fd, F_SETFL, flags | O_NONBLOCK) != 0 ||
	    fcntl(l->fd, F_SETFD, FD_CLOEXEC) != 0) {
		snprintf(err, errlen, "trap_listen %.80s: %s", spec,
		    strerror(errno));
		return -errno;
	}
	/* room for bursts (a storm, a switch reboot): ask for a large
	 * receive buffer, beyond rmem_max while root */
	if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
	    sizeof(rcvbuf)) != 0)
		(void)setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		    sizeof(rcvbuf));
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) == 0)
		trap_sockaddr_text((struct sockaddr *)&ss, sl, ignored,
		    sizeof(ignored), &l->port);
	if (loop_io_add(rx->loop, l->fd, LOOP_READ, trap_on_read, l) != 0) {
		snprintf(err, errlen, "trap_listen %.80s: cannot watch the "
		    "socket", spec);
		return -ENOMEM;
	}
	l->watched = true;
	return 0;
}

/* ---- options ---- */

static int
trap_nets_copy(struct trap_net **dst, const struct trap_net *src, size_t n)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	if ((*dst = calloc(n, sizeof(**dst))) == NULL)
		return -ENOMEM;
	memcpy(*dst, src, n * sizeof(**dst));
	return 0;
}

static int
trap_opts_copy(struct trap_rx *rx, const struct trap_opts *o)
{
	if (o->ncomms > 0 &&
	    (rx->comms = calloc(o->ncomms, sizeof(*rx->comms))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < o->ncomms; i++) {
		rx->comms[i] = o->comms[i];
		rx->comms[i].nets = NULL;
		rx->ncomms = i + 1;
		if (trap_nets_copy(&rx->comms[i].nets, o->comms[i].nets,
		    o->comms[i].nnets) != 0)
			return -ENOMEM;
	}
	if (o->nusers > 0 &&
	    (rx->users = calloc(o->nusers, sizeof(*rx->users))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < o->nusers; i++) {
		rx->users[i] = o->users[i];
		rx->users[i].nets = NULL;
		rx->nusers = i + 1;
		if (trap_nets_copy(&rx->users[i].nets, o->users[i].nets,
		    o->users[i].nnets) != 0)
			return -ENOMEM;
	}
	return 0;
}

int
trap_rx_new(struct loop *loop, const struct trap_opts *opts,
    trap_msg_fn *msg, trap_drop_fn *drop, void *arg, struct trap_rx **out,
    char *err, size_t errlen)
{
	struct trap_rx *rx;
	int rc = -ENOMEM;

	*out = NULL;
	snprintf(err, errlen, "out of memory");
	if (opts->nlisten > TRAP_LISTEN_MAX) {
		snprintf(err, errlen, "more than %d trap_listen addresses",
		    TRAP_LISTEN_MAX);
		return -EINVAL;
	}
	if ((rx = calloc(1, sizeof(*rx))) == NULL)
		return -ENOMEM;
	rx->loop = loop;
	rx->msg = msg;
	rx->drop = drop;
	rx->arg = arg;
	if (trap_opts_copy(rx, opts) != 0)
		goto fail;
	snmp_lib_init();
	/* net-snmp's messages about refused packets go to stderr after its
	 * init (with no handler at all it falls back to stderr): a handler
	 * that drops them; each refusal is counted and logged here instead */
	snmp_disable_log();
	(void)netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);
	if (opts->engine_id_len > 0 &&
	    set_exact_engineID(opts->engine_id, opts->engine_id_len) !=
	    SNMPERR_SUCCESS) {
		snprintf(err, errlen, "cannot set the local engine ID");
		rc = -EINVAL;
		goto fail;
	}
	/* the USM knows an engine by its time record: net-snmp made one
	 * for the default engine ID at init, make it for ours */
	if (opts->engine_boots > 1) {
		/* net-snmp's own persistent-state token sets it: it holds
		 * the count of the previous start and adds this one */
		char boots[24];

		snprintf(boots, sizeof(boots), "%lu", opts->engine_boots - 1);
		engineBoots_conf("engineBoots", boots);
	}
	if (opts->engine_id_len > 0)
		(void)set_enginetime(opts->engine_id,
		    (u_int)opts->engine_id_len,
		    (u_int)snmpv3_local_snmpEngineBoots(),
		    (u_int)snmpv3_local_snmpEngineTime(), TRUE);
	if ((rc = trap_users_setup(rx->users, rx->nusers, err, errlen)) != 0)
		goto fail;
	if (opts->nlisten > 0 &&
	    (rx->ls = calloc(opts->nlisten, sizeof(*rx->ls))) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < opts->nlisten; i++) {
		rx->nls = i + 1;
		if ((rc = trap_listener_open(rx, &rx->ls[i], opts->listen[i],
		    err, errlen)) != 0)
			goto fail;
	}
	err[0] = '\0';
	*out = rx;
	return 0;
fail:
	trap_rx_free(rx);
	return rc;
}

int
trap_rx_set_communities(struct trap_rx *rx, const struct trap_community *c,
    size_t n)
{
	struct trap_community *nc = NULL;

	if (n > 0 && (nc = calloc(n, sizeof(*nc))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		nc[i] = c[i];
		if (trap_nets_copy(&nc[i].nets, c[i].nets, c[i].nnets) != 0) {
			for (size_t k = 0; k < i; k++)
				free(nc[k].nets);
			free(nc);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < rx->ncomms; i++)
		free(rx->comms[i].nets);
	free(rx->comms);
	rx->comms = nc;
	rx->ncomms = n;
	return 0;
}

void
trap_rx_free(struct trap_rx *rx)
{
	if (rx == NULL)
		return;
	for (size_t i = 0; i < rx->nls; i++) {
		struct trap_listener *l = &rx->ls[i];

		if (l->watched)
			loop_io_del(rx->loop, l->fd);
		if (l->sess != NULL)
			snmp_sess_close(l->sess);
	}
	free(rx->ls);
	for (size_t i = 0; i < rx->ncomms; i++)
		free(rx->comms[i].nets);
	for (size_t i = 0; i < rx->nusers; i++)
		free(rx->users[i].nets);
	free(rx->comms);
	free(rx->users);
	free(rx);
}

void
trap_rx_counters(const struct trap_rx *rx, struct trap_counters *out)
{
	*out = rx->c;
}

uint16_t
trap_rx_port(const struct trap_rx *rx, size_t i)
{
	return i < rx->nls ? rx->ls[i].port : 0;
}
