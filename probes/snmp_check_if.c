/*
 * snmp_check_if: the result of a `snmp_if` check from one GET of an
 * interface's IF-MIB columns: status, then (when up) utilization of each
 * direction against the interface speed and errors+discards per second.
 * Octets come from ifHC*Octets (Counter64) when the agent has them, else
 * from ifIn/OutOctets (Counter32); the memory entry remembers which.
 */
#include "snmp_check_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const snmp_check_ifcol_oid[IFC_N] = {
	".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.2.2.1.7", ".1.3.6.1.2.1.2.2.1.8",
	".1.3.6.1.2.1.2.2.1.5", ".1.3.6.1.2.1.2.2.1.10",
	".1.3.6.1.2.1.2.2.1.16", ".1.3.6.1.2.1.2.2.1.14",
	".1.3.6.1.2.1.2.2.1.20", ".1.3.6.1.2.1.2.2.1.13",
	".1.3.6.1.2.1.2.2.1.19", ".1.3.6.1.2.1.31.1.1.1.1",
	".1.3.6.1.2.1.31.1.1.1.15", ".1.3.6.1.2.1.31.1.1.1.6",
	".1.3.6.1.2.1.31.1.1.1.10", ".1.3.6.1.2.1.31.1.1.1.18",
};

const char *const snmp_check_ifcol_name[IFC_N] = {
	"ifDescr", "ifAdminStatus", "ifOperStatus", "ifSpeed", "ifInOctets",
	"ifOutOctets", "ifInErrors", "ifOutErrors", "ifInDiscards",
	"ifOutDiscards", "ifName", "ifHighSpeed", "ifHCInOctets",
	"ifHCOutOctets", "ifAlias",
};

/* The answer's varbinds by column, for ifIndex idx. */
static void
sc_if_columns(const struct snmp_vb *vbs, size_t n, long idx,
    const struct snmp_vb **col)
{
	char oid[SNMP_CHECK_OID_LEN];

	for (int c = 0; c < IFC_N; c++) {
		snprintf(oid, sizeof(oid), "%s.%ld", snmp_check_ifcol_oid[c],
		    idx);
		col[c] = snmp_check_find_vb(vbs, n, oid);
		if (col[c] != NULL && snmp_check_missing(col[c]->type) != NULL)
			col[c] = NULL;
	}
}

/* Bits per second of the interface, 0 when unknown: ifHighSpeed (Mbit/s),
 * or ifSpeed when it is exact (below 2^32-1 and agreeing with ifHighSpeed)
 * or ifHighSpeed is 0 or missing. */
static double
sc_if_speed(const struct snmp_vb *hs, const struct snmp_vb *sp)
{
	bool sp_ok = sp != NULL && sp->type == SNMP_T_GAUGE32 && sp->u > 0;

	if (hs != NULL && hs->type == SNMP_T_GAUGE32 && hs->u > 0) {
		if (sp_ok && sp->u < UINT32_MAX &&
		    llround((double)sp->u / 1e6) == (long long)hs->u)
			return (double)sp->u;
		return (double)hs->u * 1e6;
	}
	return sp_ok ? (double)sp->u : 0.0;
}

static void
sc_sample_of(const struct snmp_vb *vb, struct snmp_check_sample *s)
{
	memset(s, 0, sizeof(*s));
	if (vb != NULL && snmp_check_is_counter(vb->type))
		snmp_check_vb_number(vb, s);
}

struct sc_if_rates {
	bool have[SC_IF_SAMPLES];
	double r[SC_IF_SAMPLES]; /* octets/s, then errors and discards/s */
	bool cleared;
	char note[160];
};

/* Rates of the six counters; a 32-bit wrap faster than the line is a
 * discontinuity. Updates the memory. */
static void
sc_if_rates(struct snmp_check_mem *m, const struct snmp_vb **col, bool hc,
    double speed, const struct snmp_check_when *w, struct sc_if_rates *r)
{
	static const enum snmp_check_ifcol c32[SC_IF_SAMPLES] = { IFC_IN32,
		IFC_OUT32, IFC_INERR, IFC_OUTERR, IFC_INDISC, IFC_OUTDISC };
	struct snmp_check_sample s[SC_IF_SAMPLES];
	enum snmp_check_rate_status g = snmp_check_rate_global(m, w), st;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < SC_IF_SAMPLES; i++)
		sc_sample_of(col[hc && i < 2 ?
		    (enum snmp_check_ifcol)(IFC_HCIN + i) : c32[i]], &s[i]);
	snmp_check_rate_note(m, w, g, r->note, sizeof(r->note));
	for (int i = 0; i < SC_IF_SAMPLES && r->note[0] == '\0'; i++) {
		st = snmp_check_rate(&m->s[i], &m->when, &s[i], w, &r->r[i]);
		if (st == SNMP_CHECK_RATE_WRAPPED && i < 2 && speed > 0.0 &&
		    r->r[i] * 8.0 > speed)
			st = SNMP_CHECK_RATE_CLEARED;
		r->have[i] = st == SNMP_CHECK_RATE_OK ||
		    st == SNMP_CHECK_RATE_WRAPPED;
		r->cleared |= st == SNMP_CHECK_RATE_CLEARED;
	}
	if (r->note[0] == '\0' && r->cleared)
		snprintf(r->note, sizeof(r->note), "counter discontinuity "
		    "(cleared, or a 32-bit wrap faster than the line): no "
		    "rate this time");
	if (r->note[0] == '\0' && (!r->have[0] || !r->have[1]))
		snprintf(r->note, sizeof(r->note), "first sample: rates "
		    "start with the next check");
	memcpy(m->s, s, sizeof(s));
	m->when = *w;
}

/* Octet rates: text "in 12.3 Mb/s (1.2%)", perfdata in/out_bps and, with
 * a speed, in/out_util. Returns the state of the utilization. */
static int
sc_if_octets(const struct snmp_check_params *p, const struct sc_if_rates *r,
    double speed, struct snmp_check_buf *text, struct snmp_check_buf *perf)
{
	static const char *const dir[] = { "in", "out" };
	char bps[32], num[64], max[40] = "";
	double util[2] = { 0.0, 0.0 };
	int code = CHECK_OK;

	if (speed > 0.0)
		snprintf(max, sizeof(max), "%.0f", speed);
	for (int i = 0; i < 2; i++) {
		snmp_check_fmt_bps(r->r[i] * 8.0, bps, sizeof(bps));
		snmp_check_buf_add(text, ", %s %s", dir[i], bps);
		snmp_check_fmt_num(r->r[i] * 8.0, num, sizeof(num));
		snmp_check_buf_add(perf, "%s_bps=%s;;;0;%s ", dir[i], num, max);
		if (speed <= 0.0)
			continue;
		util[i] = 100.0 * r->r[i] * 8.0 / speed;
		code = snmp_check_worst(code, range_alert(&p->crit_util,
		    util[i]) ? CHECK_CRITICAL : range_alert(&p->warn_util,
		    util[i]) ? CHECK_WARNING : CHECK_OK);
		snmp_check_buf_add(text, " (%.1f%%)", util[i]);
	}
	for (int i = 0; i < 2 && speed > 0.0; i++)
		snmp_check_buf_add(perf, "%s_util=%.2f%%;%s;%s;0;100 ", dir[i],
		    util[i], p->warn_util.text, p->crit_util.text);
	if (speed <= 0.0)
		snmp_check_buf_add(text, " (speed unknown)");
	return code;
}

/* Errors and discards per second: their sum in the text and against the
 * thresholds, each in perfdata. Returns the state. */
static int
sc_if_errors(const struct snmp_check_params *p, const struct sc_if_rates *r,
    struct snmp_check_buf *text, struct snmp_check_buf *perf)
{
	static const char *const lbl[] = { "in_errors", "out_errors",
		"in_discards", "out_discards" };
	char num[64];
	double err = 0.0;
	bool have = false;

	for (int i = 2; i < SC_IF_SAMPLES; i++) {
		if (!r->have[i])
			continue;
		have = true;
		err += r->r[i];
		snmp_check_fmt_num(r->r[i], num, sizeof(num));
		snmp_check_buf_add(perf, "%s=%s;;;0; ", lbl[i - 2], num);
	}
	if (!have)
		return CHECK_OK;
	snmp_check_buf_add(text, err == 0.0 || err >= 0.1 ? ", %.1f err/s" :
	    ", %.3f err/s", err);
	return range_alert(&p->crit_err, err) ? CHECK_CRITICAL :
	    range_alert(&p->warn_err, err) ? CHECK_WARNING : CHECK_OK;
}

/* The name shown: IFACE as given, or for an ifIndex its ifName (else
 * ifDescr, else "ifIndex N"). */
static void
sc_if_name(const struct snmp_check_params *p, const struct snmp_vb **col,
    long idx, char *out, size_t len)
{
	out[0] = '\0';
	if (p->ifindex == 0) {
		snprintf(out, len, "%s", p->iface);
		return;
	}
	if (col[IFC_NAME] == NULL ||
	    snmp_check_vb_string(col[IFC_NAME], out, len) != 0 ||
	    out[0] == '\0')
		if (col[IFC_DESCR] == NULL ||
		    snmp_check_vb_string(col[IFC_DESCR], out, len) != 0)
			out[0] = '\0';
	if (out[0] == '\0')
		snprintf(out, len, "ifIndex %ld", idx);
}

/* The state from ifAdminStatus/ifOperStatus, -1 when up (rates judge). */
static int
sc_if_status(long admin, long oper, const char *ifname,
    struct snmp_check_buf *text)
{
	static const char *const opers[] = { "?", "up", "down", "testing",
		"unknown", "dormant", "notPresent", "lowerLayerDown" };
	const char *os = oper >= 1 && oper <= 7 ? opers[oper] : "?";

	if (admin != 1) {
		snmp_check_buf_add(text, "%s administratively %s", ifname,
		    admin == 3 ? "testing" : "down");
		return CHECK_OK;
	}
	if (oper == 1) {
		snmp_check_buf_add(text, "%s up", ifname);
		return -1;
	}
	snmp_check_buf_add(text, "%s is %s (admin up)", ifname, os);
	return oper == 5 ? CHECK_OK : oper == 3 || oper == 4 ? CHECK_WARNING :
	    CHECK_CRITICAL;
}

/* Which octet counters to use; UNKNOWN text in why when none. */
static int
sc_if_pick_hc(struct snmp_check_mem *m, const struct snmp_vb **col, bool *hc,
    char *why, size_t len)
{
	bool h = col[IFC_HCIN] && col[IFC_HCOUT] &&
	    col[IFC_HCIN]->type == SNMP_T_COUNTER64 &&
	    col[IFC_HCOUT]->type == SNMP_T_COUNTER64;
	bool l = col[IFC_IN32] && col[IFC_OUT32];

	if (m->hc == SC_HC_YES && !h) {
		m->hc = SC_HC_UNKNOWN; /* the next check asks for both */
		snprintf(why, len, "ifHCInOctets/ifHCOutOctets no longer on "
		    "agent");
		return -1;
	}
	if (!h && !l) {
		snprintf(why, len, "no octet counters (ifHCInOctets or "
		    "ifInOctets) for this ifIndex");
		return -1;
	}
	*hc = h && m->hc != SC_HC_NO;
	if (m->hc == SC_HC_UNKNOWN)
		m->hc = h ? SC_HC_YES : SC_HC_NO;
	return 0;
}

void
snmp_check_eval_if(struct snmp_checks *sc, const struct snmp_check_params *p,
    struct snmp_check_mem *m, long idx, const struct snmp_vb *vbs, size_t n,
    int64_t now_ns, struct check_result *out)
{
	const struct snmp_vb *col[IFC_N];
	struct snmp_check_buf *text = calloc(1, sizeof(*text));
	struct snmp_check_buf *perf = calloc(1, sizeof(*perf));
	struct snmp_check_when w;
	struct sc_if_rates r;
	char ifname[SNMP_CHECK_IFACE_MAX + 1], why[160];
	int code, rc;
	bool hc = false;
	double speed;

	if (text == NULL || perf == NULL || m == NULL) {
		check_result_set(out, CHECK_UNKNOWN, "UNKNOWN - %s", m == NULL ?
		    "rate memory full: no interface state kept" :
		    "out of memory");
		goto out;
	}
	sc_if_columns(vbs, n, idx, col);
	if (col[IFC_ADMIN] == NULL || col[IFC_OPER] == NULL ||
	    col[IFC_ADMIN]->type != SNMP_T_INTEGER ||
	    col[IFC_OPER]->type != SNMP_T_INTEGER) {
		check_result_set(out, CHECK_UNKNOWN, "UNKNOWN - ifIndex %ld "
		    "not on agent (no ifAdminStatus/ifOperStatus)", idx);
		goto out;
	}
	if (sc_if_pick_hc(m, col, &hc, why, sizeof(why)) != 0) {
		check_result_set(out, CHECK_UNKNOWN, "UNKNOWN - %s: %s",
		    p->iface, why);
		goto out;
	}
	sc_if_name(p, col, idx, ifname, sizeof(ifname));
	speed = sc_if_speed(col[IFC_HIGHSPEED], col[IFC_SPEED]);
	snmp_check_when_of(vbs, n, now_ns, &w);
	sc_if_rates(m, col, hc, speed, &w, &r);
	code = sc_if_status(col[IFC_ADMIN]->i, col[IFC_OPER]->i, ifname, text);
	if (r.note[0] == '\0') { /* rates in the text only when up */
		struct snmp_check_buf *t = code < 0 ? text : NULL;

		rc = sc_if_octets(p, &r, speed, t, perf); /* text in order */
		rc = snmp_check_worst(rc, sc_if_errors(p, &r, t, perf));
		if (code < 0)
			code = rc;
	} else if (code < 0)
		snmp_check_buf_add(text, ", %s", r.note);
	if (code < 0)
		code = CHECK_OK;
	check_result_set(out, code, "%s - %s%s%s", snmp_check_state_name(code),
	    text->s, perf->len ? "|" : "", perf->s);
out:
	free(text);
	free(perf);
}
