/*
 * trap_send: one PHAROS-MIB notification out (see trap_send.h), with a
 * classic net-snmp session opened for the call and closed after it. An
 * inform waits for the Response (snmp_synch_response, net-snmp's
 * retransmissions); v3 informs discover the receiver's engine ID first
 * (net-snmp's probe at open), as snmpinform does.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "trap_send.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trap_int.h"

static int
send_oid(const char *text, oid *o, size_t *n)
{
	*n = MAX_OID_LEN;
	return read_objid(text, o, n) ? 0 : -1;
}

/* Add "name.0 = STRING value" to pdu (a scalar's instance). */
static int
send_add_str(netsnmp_pdu *pdu, const char *name, const char *value)
{
	oid o[MAX_OID_LEN];
	size_t n;
	char inst[128];

	snprintf(inst, sizeof(inst), "%s.0", name);
	if (send_oid(inst, o, &n) != 0)
		return -1;
	return snmp_pdu_add_variable(pdu, o, n, ASN_OCTET_STR, value,
	    strlen(value)) != NULL ? 0 : -1;
}

static int
send_session(const struct trap_send_opts *o, netsnmp_session *s,
    char *peer, size_t peerlen, char *err, size_t errlen)
{
	const struct snmp_target *t = &o->t;

	snmp_sess_init(s);
	if (trap_listen_parse(o->to, peer, peerlen) != 0) {
		snprintf(err, errlen, "--to '%s': expected ADDR, ADDR:PORT or "
		    "[IPV6]:PORT", o->to);
		return -1;
	}
	s->peername = peer;
	s->timeout = (long)(t->timeout_ns > 0 ? t->timeout_ns / 1000 :
	    1000000);
	s->retries = t->retries;
	if (t->version != SNMP_V3) {
		s->version = SNMP_VERSION_2c;
		s->community = (u_char *)(uintptr_t)t->community;
		s->community_len = strlen(t->community);
		return 0;
	}
	/* the command line has no noAuth: at least authNoPriv */
	return snmp_sess_v3(s, t, err, errlen) != 0 ? -1 : 0;
}

static netsnmp_pdu *
send_pdu(const struct trap_send_opts *o)
{
	static const oid uptime[] = { 1, 3, 6, 1, 2, 1, 1, 3, 0 };
	static const oid trapoid[] = { 1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0 };
	netsnmp_pdu *pdu = snmp_pdu_create(o->inform ? SNMP_MSG_INFORM :
	    SNMP_MSG_TRAP2);
	oid nt[MAX_OID_LEN];
	size_t ntlen;
	long up = get_uptime();

	if (pdu == NULL || send_oid(o->service != NULL ?
	    PHAROS_MIB_SERVICE_NOTIF : PHAROS_MIB_HOST_NOTIF, nt, &ntlen) != 0)
		goto fail;
	if (snmp_pdu_add_variable(pdu, uptime, sizeof(uptime) /
	    sizeof(uptime[0]), ASN_TIMETICKS, &up, sizeof(up)) == NULL ||
	    snmp_pdu_add_variable(pdu, trapoid, sizeof(trapoid) /
	    sizeof(trapoid[0]), ASN_OBJECT_ID, nt, ntlen * sizeof(oid)) ==
	    NULL)
		goto fail;
	if (send_add_str(pdu, PHAROS_MIB_TYPE, o->type) != 0 ||
	    send_add_str(pdu, PHAROS_MIB_HOST, o->host) != 0 ||
	    (o->service != NULL && send_add_str(pdu, PHAROS_MIB_SERVICE,
	    o->service) != 0) ||
	    send_add_str(pdu, PHAROS_MIB_STATE, o->state) != 0 ||
	    send_add_str(pdu, PHAROS_MIB_OUTPUT, o->output) != 0 ||
	    (o->sender != NULL && send_add_str(pdu, PHAROS_MIB_SENDER,
	    o->sender) != 0))
		goto fail;
	return pdu;
fail:
	if (pdu != NULL)
		snmp_free_pdu(pdu);
	return NULL;
}

int
trap_send(const struct trap_send_opts *o, char *err, size_t errlen)
{
	netsnmp_session s, *ss;
	netsnmp_pdu *pdu, *resp = NULL;
	char peer[INET6_ADDRSTRLEN + 32];
	int rc = -1, st;

	snmp_lib_init();
	if (o->t.version == SNMP_V3 && !o->inform) {
		snprintf(err, errlen, "v3 notifications are sent as informs "
		    "(--inform)");
		return -1;
	}
	if (send_session(o, &s, peer, sizeof(peer), err, errlen) != 0) {
		free(s.securityAuthProto);
		free(s.securityPrivProto);
		return -1;
	}
	ss = snmp_open(&s);
	free(s.securityAuthProto);
	free(s.securityPrivProto);
	if (ss == NULL) {
		snprintf(err, errlen, "%s: %s", o->to,
		    snmp_api_errstring(s.s_snmp_errno));
		return -1;
	}
	if ((pdu = send_pdu(o)) == NULL) {
		snprintf(err, errlen, "cannot build the notification");
		goto out;
	}
	if (!o->inform) {
		if (snmp_send(ss, pdu) == 0) {
			snprintf(err, errlen, "%s: %s", o->to,
			    snmp_api_errstring(ss->s_snmp_errno));
			snmp_free_pdu(pdu);
			goto out;
		}
		rc = 0;
		goto out;
	}
	st = snmp_synch_response(ss, pdu, &resp);
	if (st == STAT_SUCCESS && resp != NULL &&
	    resp->errstat == SNMP_ERR_NOERROR)
		rc = 0;
	else if (st == STAT_TIMEOUT)
		snprintf(err, errlen, "%s: no acknowledgement (timeout)",
		    o->to);
	else
		snprintf(err, errlen, "%s: %s", o->to, st == STAT_SUCCESS &&
		    resp != NULL ? snmp_errstring((int)resp->errstat) :
		    snmp_api_errstring(ss->s_snmp_errno));
	if (resp != NULL)
		snmp_free_pdu(resp);
out:
	snmp_close(ss);
	return rc;
}
