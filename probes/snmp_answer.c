/*
 * snmp_answer: what an answer means for a request of the SNMP poller (see
 * snmp.c for the lists and the matching of packets).
 *
 * Runs from the poller's kick timer, on a request popped from the ready
 * list: on no list, still holding its slots, with r->resp what
 * snmp_answer_keep() kept of the answer (owned; NULL after a timeout).
 * Each function ends by finishing the request or putting it back on the
 * wire, exactly once.
 *
 * - What is kept of an answer: net-snmp frees the PDU it hands to the
 *   callback once the callback returns. For a Response (5.9's
 *   _sess_process_packet_handle_pdu) it only removes the request and
 *   frees the PDU after that, so its varbinds are taken over (the list
 *   unlinked, the PDU left without varbinds) into a bare PDU with the
 *   fields read here; no copy. A Report is cloned whole: net-snmp still
 *   reads its varbinds after the callback (snmpv3_get_report_type, and a
 *   second callback with the same PDU).
 *
 * - A walk delivers the rows of each answer inside the subtree through
 *   each_fn, converted for the call and freed after it: nothing of a row
 *   outlives its batch, so a walk's memory does not grow with its length.
 *   It ends at the end of the subtree, at endOfMibView, or at noSuchName
 *   (v1); a non-increasing OID or the row cap ends it with an error. tooBig
 *   halves a GETBULK's max-repetitions and sends it again.
 *
 * - A GET keeps one slot per OID asked (struct snmp_get_item) and sends
 *   its unanswered OIDs in parts of at most r->chunk. tooBig halves the
 *   part; noSuchName (v1) fills that OID's slot with noSuchObject and the
 *   rest is asked again, as snmpget -Cf does. Every varbind of an answer
 *   must name the OID asked at its place, or the GET fails.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_int.h"

#define OID_TEXT_MAX (MAX_OID_LEN * 11)

void
snmp_get_items_free(struct snmp_req *r)
{
	if (r->items != NULL)
		for (size_t i = 0; i < r->n; i++)
			if (r->items[i].val != NULL)
				snmp_free_var(r->items[i].val);
	free(r->items);
	free(r->sent);
	r->items = NULL;
	r->sent = NULL;
}

netsnmp_pdu *
snmp_answer_keep(netsnmp_pdu *pdu)
{
	netsnmp_pdu *keep;

	if (pdu->command != SNMP_MSG_RESPONSE)
		return snmp_clone_pdu(pdu);
	/* what snmp_req_answer reads; snmp_free_pdu frees it (no security
	 * model, no strings) */
	keep = calloc(1, sizeof(*keep));
	if (keep == NULL)
		return NULL;
	keep->version = pdu->version;
	keep->command = pdu->command;
	keep->reqid = pdu->reqid;
	keep->msgid = pdu->msgid;
	keep->errstat = pdu->errstat;
	keep->errindex = pdu->errindex;
	keep->variables = pdu->variables;
	pdu->variables = NULL;
	return keep;
}

/* What the USM statistic of a v3 Report says to the operator. */
static const char *
report_hint(int type)
{
	switch (type) {
	case SNMPERR_UNKNOWN_USER_NAME:
		return "usmStatsUnknownUserNames: the agent has no such user";
	case SNMPERR_AUTHENTICATION_FAILURE:
		return "usmStatsWrongDigests: wrong authentication passphrase "
		    "or protocol";
	case SNMPERR_DECRYPTION_ERR:
		return "usmStatsDecryptionErrors: wrong privacy passphrase "
		    "or protocol";
	case SNMPERR_UNSUPPORTED_SEC_LEVEL:
		return "usmStatsUnsupportedSecLevels: the user is not set up "
		    "for this security level";
	case SNMPERR_UNKNOWN_ENG_ID:
		return "usmStatsUnknownEngineIDs: wrong engine ID";
	case SNMPERR_NOT_IN_TIME_WINDOW:
		return "usmStatsNotInTimeWindows: the agent's engine time "
		    "moved (rebooted?)";
	default:
		return NULL;
	}
}

static void
report_text(char *err, size_t len, const struct snmp_agent *a,
    netsnmp_pdu *pdu)
{
	int type = snmpv3_get_report_type(pdu);
	const char *hint = report_hint(type);
	char eng[2 * 32 + 1];

	snmp_engine_hex(eng, sizeof(eng), pdu->securityEngineID,
	    pdu->securityEngineIDLen);
	if (type == SNMPERR_UNKNOWN_ENG_ID)
		snprintf(err, len, "%s:%u: %s (Report %s; the agent's engine "
		    "ID is %s, not %s)", a->t.addr, a->t.port,
		    snmp_api_errstring(type), hint, eng, a->t.engine_id);
	else if (hint != NULL)
		snprintf(err, len, "%s:%u: %s (Report %s; v3 user %.64s)",
		    a->t.addr, a->t.port, snmp_api_errstring(type), hint,
		    a->t.user);
	else
		snprintf(err, len, "%s:%u: %s (v3 Report)", a->t.addr,
		    a->t.port, snmp_api_errstring(type));
}

static void
timeout_text(char *err, size_t len, const struct snmp_agent *a)
{
	snprintf(err, len, "timeout: no answer from %s:%u after %d %s (agent "
	    "down, or wrong community or credentials)%s%s", a->t.addr,
	    a->t.port, a->t.retries + 1, a->t.retries == 0 ? "try" : "tries",
	    a->secnote[0] != '\0' ? "; " : "", a->secnote);
}

/* ---- walks ---- */

/* Count the varbinds of pdu that are rows of r's walk (in the subtree,
 * increasing, under the cap), stepping r->cur over them. Sets *end at the
 * end of the subtree; fills err on a bad one. */
static size_t
walk_rows(struct snmp_req *r, netsnmp_pdu *pdu, bool *end, char *err,
    size_t errlen)
{
	const netsnmp_variable_list *v;
	size_t k = 0;

	for (v = pdu->variables; v != NULL; v = v->next_variable, k++) {
		if (v->type == SNMP_ENDOFMIBVIEW ||
		    netsnmp_oid_is_subtree(r->root, r->root_len, v->name,
		    v->name_length) != 0) {
			*end = true;
			break;
		}
		if (v->name_length > MAX_OID_LEN ||
		    snmp_oid_compare(v->name, v->name_length, r->cur,
		    r->cur_len) <= 0) {
			char now[OID_TEXT_MAX], prev[OID_TEXT_MAX];

			snmp_oid_text(now, sizeof(now), v->name,
			    v->name_length < MAX_OID_LEN ? v->name_length :
			    MAX_OID_LEN);
			snmp_oid_text(prev, sizeof(prev), r->cur, r->cur_len);
			snprintf(err, errlen, "agent %s:%u returned OID %.80s, "
			    "not increasing after %.80s", r->agent->t.addr,
			    r->agent->t.port, now, prev);
			break;
		}
		if (r->rows + k >= r->p->o.max_rows) {
			snprintf(err, errlen, "walk stopped at the cap of %"
			    PRIu64 " rows", r->p->o.max_rows);
			break;
		}
		memcpy(r->cur, v->name, v->name_length * sizeof(oid));
		r->cur_len = v->name_length;
	}
	if (pdu->variables == NULL)
		snprintf(err, errlen, "agent %s:%u returned no varbinds",
		    r->agent->t.addr, r->agent->t.port);
	return k;
}

/* A walk's answer without error-status: deliver its rows, then step, end
 * or fail. */
static void
walk_step(struct snmp_req *r, netsnmp_pdu *pdu)
{
	struct snmp_vbset set;
	bool end = false;
	char err[400] = "";
	size_t k = walk_rows(r, pdu, &end, err, sizeof(err));

	if (k > 0) {
		if (snmp_vbset_build(&set, pdu->variables, k) != 0) {
			snmp_req_finish(r, SNMP_ERROR, "out of memory", NULL,
			    0);
			return;
		}
		r->rows += set.n;
		r->busy = true;
		if (r->each != NULL)
			r->each(set.vbs, set.n, r->arg);
		r->busy = false;
		snmp_vbset_free(&set);
		if (r->cancelled) {
			snmp_req_finish(r, SNMP_ABORTED, "cancelled", NULL, 0);
			return;
		}
	}
	if (err[0] != '\0')
		snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
	else if (end)
		snmp_req_finish(r, SNMP_OK, NULL, NULL, 0);
	else
		snmp_req_resend(r);
}

/* ---- GETs ---- */

/* Every varbind of pdu names the OID asked at its place. Returns 0, or -1
 * with err filled. */
static int
get_check(const struct snmp_req *r, netsnmp_pdu *pdu, char *err,
    size_t errlen)
{
	const struct snmp_agent *a = r->agent;
	const netsnmp_variable_list *v = pdu->variables;
	size_t k;

	for (k = 0; v != NULL && k < r->nsent; v = v->next_variable, k++) {
		const struct snmp_get_item *it = &r->items[r->sent[k]];

		if (snmp_oid_compare(v->name, v->name_length, it->name,
		    it->len) != 0) {
			char got[OID_TEXT_MAX], want[OID_TEXT_MAX];

			snmp_oid_text(got, sizeof(got), v->name,
			    v->name_length < MAX_OID_LEN ? v->name_length :
			    MAX_OID_LEN);
			snmp_oid_text(want, sizeof(want), it->name, it->len);
			snprintf(err, errlen, "agent %s:%u answered OID %.80s "
			    "for %.80s", a->t.addr, a->t.port, got, want);
			return -1;
		}
	}
	if (k != r->nsent || v != NULL) {
		for (; v != NULL; v = v->next_variable)
			k++;
		snprintf(err, errlen, "agent %s:%u returned %zu varbinds for "
		    "%zu OIDs", a->t.addr, a->t.port, k, r->nsent);
		return -1;
	}
	return 0;
}

/* All OIDs answered: convert them in the order asked and finish. */
static void
get_finish(struct snmp_req *r)
{
	struct snmp_vbset set;
	int rc;

	for (size_t i = 0; i + 1 < r->n; i++)
		r->items[i].val->next_variable = r->items[i + 1].val;
	rc = snmp_vbset_build(&set, r->items[0].val, r->n);
	for (size_t i = 0; i < r->n; i++)
		r->items[i].val->next_variable = NULL;
	if (rc != 0) {
		snmp_req_finish(r, SNMP_ERROR, "out of memory", NULL, 0);
		return;
	}
	snmp_req_finish(r, SNMP_OK, NULL, set.vbs, set.n);
	snmp_vbset_free(&set);
}

/* Ask the OIDs still unanswered, or finish when there are none. */
static void
get_next_part(struct snmp_req *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].val == NULL) {
			snmp_req_resend(r);
			return;
		}
	get_finish(r);
}

/* A GET part's answer without error-status: move its varbinds (owned by
 * r->resp) into their slots. */
static void
get_store(struct snmp_req *r, netsnmp_pdu *pdu)
{
	char err[256];
	netsnmp_variable_list *v;

	if (get_check(r, pdu, err, sizeof(err)) != 0) {
		snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
		return;
	}
	v = pdu->variables;
	pdu->variables = NULL;
	for (size_t k = 0; k < r->nsent; k++) {
		netsnmp_variable_list *next = v->next_variable;

		v->next_variable = NULL;
		r->items[r->sent[k]].val = v;
		v = next;
	}
	get_next_part(r);
}

/* noSuchName (v1) at errindex: that OID is noSuchObject, ask the rest. */
static void
get_nosuchname(struct snmp_req *r, netsnmp_pdu *pdu)
{
	struct snmp_agent *a = r->agent;
	struct snmp_get_item *it;
	char err[256];

	if (pdu->errindex < 1 || (size_t)pdu->errindex > r->nsent) {
		snprintf(err, sizeof(err), "%s:%u: noSuchName with a bad "
		    "error-index %ld for %zu OIDs", a->t.addr, a->t.port,
		    pdu->errindex, r->nsent);
		snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
		return;
	}
	it = &r->items[r->sent[pdu->errindex - 1]];
	it->val = snmp_varlist_add_variable(&it->val, it->name, it->len,
	    SNMP_NOSUCHOBJECT, NULL, 0);
	if (it->val == NULL) {
		snmp_req_finish(r, SNMP_ERROR, "out of memory", NULL, 0);
		return;
	}
	r->p->c.nosuchname_retries++;
	get_next_part(r);
}

/* A GET part's answer with an error-status. */
static void
get_error(struct snmp_req *r, netsnmp_pdu *pdu)
{
	struct snmp_agent *a = r->agent;
	char err[256];

	if (pdu->errstat == SNMP_ERR_TOOBIG && r->nsent > 1) {
		r->chunk = r->nsent / 2;
		r->p->c.toobig_splits++;
		snmp_req_resend(r);
		return;
	}
	if (pdu->errstat == SNMP_ERR_NOSUCHNAME) {
		get_nosuchname(r, pdu);
		return;
	}
	snprintf(err, sizeof(err), "%s:%u: %s (error-index %ld)", a->t.addr,
	    a->t.port, snmp_errstring((int)pdu->errstat), pdu->errindex);
	snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
}

/* ---- dispatch ---- */

/* An answer without a PDU to use: timeout, send failure, v3 security. */
static void
answer_nothing(struct snmp_req *r)
{
	const struct snmp_agent *a = r->agent;
	char err[512];

	if (r->op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		timeout_text(err, sizeof(err), a);
		snmp_req_finish(r, SNMP_TIMEOUT, err, NULL, 0);
		return;
	}
	snprintf(err, sizeof(err), "%s %s:%u", r->op ==
	    NETSNMP_CALLBACK_OP_SEC_ERROR ? "security error (wrong v3 "
	    "credentials?) with" : r->op == NETSNMP_CALLBACK_OP_SEND_FAILED ?
	    "cannot send to" : "no usable answer from", a->t.addr, a->t.port);
	snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
}

static void
walk_error(struct snmp_req *r, netsnmp_pdu *pdu)
{
	const struct snmp_agent *a = r->agent;
	char err[256];

	if (pdu->errstat == SNMP_ERR_TOOBIG && a->t.version != SNMP_V1 &&
	    r->reps > 1) {
		r->reps /= 2;
		r->p->c.toobig_retries++;
		snmp_req_resend(r);
		return;
	}
	if (pdu->errstat == SNMP_ERR_NOSUCHNAME) {
		snmp_req_finish(r, SNMP_OK, NULL, NULL, 0); /* v1: MIB end */
		return;
	}
	snprintf(err, sizeof(err), "%s:%u: %s (error-index %ld)", a->t.addr,
	    a->t.port, snmp_errstring((int)pdu->errstat), pdu->errindex);
	snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
}

void
snmp_req_answer(struct snmp_req *r)
{
	netsnmp_pdu *pdu = r->resp;
	char err[512];

	r->resp = NULL;
	if (pdu == NULL) {
		answer_nothing(r);
	} else if (pdu->command == SNMP_MSG_REPORT) {
		report_text(err, sizeof(err), r->agent, pdu);
		snmp_req_finish(r, SNMP_ERROR, err, NULL, 0);
	} else if (r->kind == REQ_WALK) {
		if (pdu->errstat != SNMP_ERR_NOERROR)
			walk_error(r, pdu);
		else
			walk_step(r, pdu);
	} else {
		if (pdu->errstat != SNMP_ERR_NOERROR)
			get_error(r, pdu);
		else
			get_store(r, pdu);
	}
	snmp_free_pdu(pdu);
}
