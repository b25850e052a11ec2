/*
 * snmp_check_eval: rates from counter samples, values from varbinds, and
 * the result of a `snmp` check (check_snmp style output and perfdata),
 * plus the small text helpers both checks use.
 *
 * Rates: deltas over the monotonic time between the answers' arrivals. A
 * sysUpTime that went backwards (not a plausible 2^32 wrap) or is shorter
 * than the time since the last sample means the agent restarted: no rate
 * that time, never a spike. See snmp_check_rate() for the counters.
 */
#include "snmp_check_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"

void
snmp_check_buf_add(struct snmp_check_buf *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (b == NULL || b->len >= sizeof(b->s) - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		b->len += (size_t)w < sizeof(b->s) - b->len ? (size_t)w :
		    sizeof(b->s) - 1 - b->len;
}

const char *
snmp_check_state_name(int code)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN" };

	return code >= 0 && code <= 3 ? names[code] : "UNKNOWN";
}

int
snmp_check_worst(int a, int b)
{
	return b > a ? b : a;
}

/* Copy len bytes of agent text into out, printable ASCII only ('|' would
 * split the output from the perfdata). */
static void
sc_clean(const void *bytes, size_t len, char *out, size_t outlen)
{
	const unsigned char *b = bytes;
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = b[i] >= 0x20 && b[i] < 0x7f && b[i] != '|' ?
		    (char)b[i] : '?';
	if (outlen > 0)
		out[i] = '\0';
}

/* A value for output and perfdata: integers as such, else 3 decimals
 * (6 below 1), trailing zeros cut; never an exponent. */
void
snmp_check_fmt_num(double v, char *buf, size_t len)
{
	size_t n;

	if (fabs(v) < 1e15 && v == floor(v)) {
		snprintf(buf, len, "%.0f", v == 0.0 ? 0.0 : v);
		return;
	}
	snprintf(buf, len, "%.*f", fabs(v) >= 1.0 ? 3 : 6, v);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

void
snmp_check_fmt_bps(double bps, char *buf, size_t len)
{
	static const char *const unit[] = { "b/s", "kb/s", "Mb/s", "Gb/s",
		"Tb/s" };
	size_t u = 0;

	while (fabs(bps) >= 1000.0 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		bps /= 1000.0;
		u++;
	}
	snprintf(buf, len, "%.1f %s", bps, unit[u]);
}

/* ---- rates ---- */

bool
snmp_check_uptime_restarted(uint32_t old, uint32_t now, int64_t elapsed_ns)
{
	uint64_t elapsed = elapsed_ns > 0 ?
	    (uint64_t)elapsed_ns / (LOOP_NS_PER_SEC / SC_TICKS_PER_S) : 0;
	uint64_t slack = elapsed / 20 + 2 * SC_TICKS_PER_S; /* 5% + 2 s */

	if (now < old) /* a wrap is plausible when it matches the time */
		return (uint64_t)now + (UINT64_C(1) << 32) - old >
		    elapsed + slack;
	return (uint64_t)now + slack < elapsed;
}

bool
snmp_check_is_counter(enum snmp_type t)
{
	return t == SNMP_T_COUNTER32 || t == SNMP_T_COUNTER64;
}

enum snmp_check_rate_status
snmp_check_rate(const struct snmp_check_sample *prev,
    const struct snmp_check_when *then, const struct snmp_check_sample *now,
    const struct snmp_check_when *when, double *rate)
{
	int64_t elapsed = when->ns - then->ns;
	bool both = then->have_uptime && when->have_uptime;
	double secs = (double)elapsed / (double)LOOP_NS_PER_SEC, delta;

	if (!prev->valid || !now->valid || then->ns == 0 ||
	    prev->type != now->type)
		return SNMP_CHECK_RATE_FIRST;
	if (elapsed <= 0)
		return SNMP_CHECK_RATE_NO_TIME;
	if (both && snmp_check_uptime_restarted(then->uptime, when->uptime,
	    elapsed))
		return SNMP_CHECK_RATE_RESTARTED;
	if (!snmp_check_is_counter(now->type)) {
		*rate = (now->d - prev->d) / secs;
		return SNMP_CHECK_RATE_OK;
	}
	if (now->u >= prev->u) {
		*rate = (double)(now->u - prev->u) / secs;
		return SNMP_CHECK_RATE_OK;
	}
	/* backwards: a Counter32 wraps while the agent's clock runs */
	if (now->type == SNMP_T_COUNTER64 ||
	    (both && when->uptime == then->uptime) || prev->u > UINT32_MAX)
		return SNMP_CHECK_RATE_CLEARED;
	delta = (double)(now->u + (UINT64_C(1) << 32) - prev->u);
	*rate = delta / secs;
	return SNMP_CHECK_RATE_WRAPPED;
}

/* ---- values from varbinds ---- */

const char *
snmp_check_missing(enum snmp_type t)
{
	switch (t) {
	case SNMP_T_NOSUCHOBJECT:
		return "noSuchObject";
	case SNMP_T_NOSUCHINSTANCE:
		return "noSuchInstance";
	case SNMP_T_ENDOFMIBVIEW:
		return "endOfMibView";
	case SNMP_T_NULL:
		return "NULL";
	default:
		return NULL;
	}
}

/* A number from a varbind: counters keep their type and raw value;
 * strings (and opaque floats) that read as decimals are accepted. */
int
snmp_check_vb_number(const struct snmp_vb *vb, struct snmp_check_sample *s)
{
	const char *f;

	memset(s, 0, sizeof(*s));
	s->valid = true;
	s->type = SNMP_T_GAUGE32;
	switch (vb->type) {
	case SNMP_T_INTEGER:
		s->d = (double)vb->i;
		return 0;
	case SNMP_T_COUNTER32:
	case SNMP_T_COUNTER64:
		s->type = vb->type;
		/* FALLTHROUGH */
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
		s->u = vb->u;
		s->d = (double)vb->u;
		return 0;
	case SNMP_T_STRING:
		return snmp_check_number((const char *)vb->bytes, vb->len,
		    &s->d);
	default:
		/* net-snmp renders Opaque floats "... = Opaque: Float: 1.5" */
		f = vb->text != NULL ? strstr(vb->text, "Float: ") : NULL;
		if (f == NULL && vb->text != NULL)
			f = strstr(vb->text, "Double: ");
		if (f == NULL)
			return -EINVAL;
		f = strchr(f, ' ') + 1;
		return snmp_check_number(f, strlen(f), &s->d);
	}
}

/* The text of a varbind for string= and name=. Returns 0 or -EINVAL. */
int
snmp_check_vb_string(const struct snmp_vb *vb, char *out, size_t outlen)
{
	switch (vb->type) {
	case SNMP_T_STRING:
	case SNMP_T_OID:
		sc_clean(vb->bytes, vb->len, out, outlen);
		return 0;
	case SNMP_T_INTEGER:
		snprintf(out, outlen, "%" PRId64, vb->i);
		return 0;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		snprintf(out, outlen, "%" PRIu64, vb->u);
		return 0;
	case SNMP_T_IPADDRESS:
		if (vb->len != 4)
			return -EINVAL;
		snprintf(out, outlen, "%u.%u.%u.%u", vb->bytes[0], vb->bytes[1],
		    vb->bytes[2], vb->bytes[3]);
		return 0;
	default:
		return -EINVAL;
	}
}

const struct snmp_vb *
snmp_check_find_vb(const struct snmp_vb *vbs, size_t n, const char *oid)
{
	for (size_t i = 0; i < n; i++)
		if (vbs[i].oid != NULL && strcmp(vbs[i].oid, oid) == 0)
			return &vbs[i];
	return NULL;
}

/* sysUpTime.0 of an answer, when it came. */
void
snmp_check_when_of(const struct snmp_vb *vbs, size_t n, int64_t now_ns,
    struct snmp_check_when *w)
{
	const struct snmp_vb *vb = snmp_check_find_vb(vbs, n, SC_SYSUPTIME);

	memset(w, 0, sizeof(*w));
	w->ns = now_ns;
	if (vb != NULL && vb->type == SNMP_T_TIMETICKS) {
		w->have_uptime = true;
		w->uptime = (uint32_t)vb->u;
	}
}

/* The note when a whole answer gives no rates, or "". */
void
snmp_check_rate_note(const struct snmp_check_mem *m,
    const struct snmp_check_when *w, enum snmp_check_rate_status st,
    char *buf, size_t len)
{
	buf[0] = '\0';
	if (st == SNMP_CHECK_RATE_FIRST)
		snprintf(buf, len, "first sample: rates start with the next "
		    "check");
	else if (st == SNMP_CHECK_RATE_NO_TIME)
		snprintf(buf, len, "no time since the last sample: no rate "
		    "this time");
	else if (st == SNMP_CHECK_RATE_RESTARTED)
		snprintf(buf, len, "agent restarted (sysUpTime %.2fs -> "
		    "%.2fs): rates start with the next check",
		    m->when.uptime / (double)SC_TICKS_PER_S,
		    w->uptime / (double)SC_TICKS_PER_S);
}

/* The status shared by all samples of an answer (time, restart). */
enum snmp_check_rate_status
snmp_check_rate_global(const struct snmp_check_mem *m,
    const struct snmp_check_when *w)
{
	struct snmp_check_sample a = { .valid = true }, b = { .valid = true };
	double r;

	a.type = b.type = SNMP_T_GAUGE32;
	return snmp_check_rate(&a, &m->when, &b, w, &r);
}

/* ---- snmp ---- */

struct sc_value {
	bool have;
	double v;
	char why[96]; /* when !have */
};

/* Thresholds, output and perfdata of the values. */
static void
sc_report(const struct snmp_check_params *p, const char *name,
    const struct sc_value *val, struct check_result *out)
{
	/* malloc, not calloc: an empty buffer needs only its first byte and
	 * its length cleared, not all SC_TEXT_MAX bytes (at every check). */
	struct snmp_check_buf *text = malloc(sizeof(*text));
	struct snmp_check_buf *perf = malloc(sizeof(*perf));
	int code = CHECK_OK;
	char num[64];

	if (text == NULL || perf == NULL)
		goto fail;
	text->s[0] = perf->s[0] = '\0';
	text->len = perf->len = 0;
	for (size_t i = 0; i < p->nvalues; i++) {
		const char *sep = i > 0 ? ", " : "", *star = "";
		bool c, w;

		if (!val[i].have) {
			snmp_check_buf_add(text, "%s%s %s", sep, p->labels[i],
			    val[i].why);
			continue;
		}
		c = range_alert(&p->crit[i], val[i].v);
		w = !c && range_alert(&p->warn[i], val[i].v);
		code = snmp_check_worst(code, c ? CHECK_CRITICAL : w ?
		    CHECK_WARNING : CHECK_OK);
		star = c || w ? "*" : "";
		snmp_check_fmt_num(val[i].v, num, sizeof(num));
		snmp_check_buf_add(text, "%s%s %s%s%s%s", sep, p->labels[i],
		    star, num, p->units[i], star);
		snmp_check_buf_add(perf, "%s%s=%s%s;%s;%s;%s",
		    perf->len ? " " : "", p->labels[i], num, p->units[i],
		    p->warn[i].text, p->crit[i].text, p->pct ? "0;100" : ";");
	}
	check_result_set(out, code, "SNMP %s - %s%s%s%s%s",
	    snmp_check_state_name(code), name ? name : "", name ? ": " : "",
	    text->s, perf->len ? "|" : "", perf->s);
fail:
	if (text == NULL || perf == NULL)
		check_result_set(out, CHECK_UNKNOWN, "SNMP UNKNOWN - out of "
		    "memory");
	free(text);
	free(perf);
}

/* string=TEXT: every value must read TEXT. */
static void
sc_eval_string(const struct snmp_check_params *p, const char *name,
    const struct snmp_vb *vbs, struct check_result *out)
{
	struct snmp_check_buf text = { .len = 0 };
	char s[SNMP_CHECK_STRING_MAX + 2];
	int code = CHECK_OK;

	for (size_t i = 0; i < p->noids; i++) {
		bool ok;

		s[0] = '\0';
		ok = snmp_check_vb_string(&vbs[i], s, sizeof(s)) == 0 &&
		    strcmp(s, p->string) == 0;

		if (!ok)
			code = CHECK_CRITICAL;
		snmp_check_buf_add(&text, "%s%s \"%s\"%s", i ? ", " : "",
		    p->labels[i], s, ok ? "" : " (expected \"");
		if (!ok)
			snmp_check_buf_add(&text, "%s\")", p->string);
	}
	check_result_set(out, code, "SNMP %s - %s%s%s",
	    snmp_check_state_name(code), name ? name : "", name ? ": " : "",
	    text.s);
}

/* pct: 100 * OID1 / OID2; Printer-MIB's negative levels are notes. */
static void
sc_eval_pct(const struct snmp_check_params *p, const char *name,
    const struct snmp_check_sample *s, struct check_result *out)
{
	static const char *const special[] = { "other", "unknown",
		"some remaining" };
	struct sc_value v = { .have = true };
	int i = s[0].d < 0 ? 0 : s[1].d < 0 ? 1 : -1;

	if (i >= 0) {
		int k = (int)-s[i].d;

		check_result_set(out, CHECK_OK, "SNMP OK - %s%s%s: %s %s (%g)",
		    name ? name : "", name ? ": " : "", p->labels[0],
		    i == 0 ? "level" : "capacity", k >= 1 && k <= 3 ?
		    special[k - 1] : "not a number", s[i].d);
		return;
	}
	if (s[1].d == 0.0) {
		check_result_set(out, CHECK_UNKNOWN, "SNMP UNKNOWN - %s: %s "
		    "is 0, no percentage", p->labels[0], p->oids[1]);
		return;
	}
	v.v = 100.0 * s[0].d / s[1].d;
	sc_report(p, name, &v, out);
}

/* rate: per-second rates of the values, then the memory updated. */
static void
sc_eval_rate(const struct snmp_check_params *p, struct snmp_check_mem *m,
    const char *name, const struct snmp_check_sample *s,
    const struct snmp_check_when *w, struct check_result *out)
{
	struct sc_value val[SNMP_CHECK_OIDS_MAX];
	enum snmp_check_rate_status g = snmp_check_rate_global(m, w), st;
	char note[160];

	memset(val, 0, sizeof(val));
	snmp_check_rate_note(m, w, g, note, sizeof(note));
	for (size_t i = 0; i < p->noids && note[0] == '\0'; i++) {
		st = snmp_check_rate(&m->s[i], &m->when, &s[i], w, &val[i].v);
		val[i].have = st == SNMP_CHECK_RATE_OK ||
		    st == SNMP_CHECK_RATE_WRAPPED;
		val[i].v *= p->mult;
		if (st == SNMP_CHECK_RATE_CLEARED)
			snprintf(val[i].why, sizeof(val[i].why), "(counter "
			    "went backwards, cleared?: no rate this time)");
		else if (!val[i].have)
			snprintf(val[i].why, sizeof(val[i].why), "(first "
			    "sample: the rate starts with the next check)");
	}
	memcpy(m->s, s, p->noids * sizeof(*s));
	m->when = *w;
	if (note[0] != '\0') {
		check_result_set(out, CHECK_OK, "SNMP OK - %s%s%s",
		    name ? name : "", name ? ": " : "", note);
		return;
	}
	sc_report(p, name, val, out);
}

/* The values and the name= varbind of an answer: all there, none an
 * exception. Returns 0, or -1 with out set UNKNOWN. */
static int
sc_answer_ok(const struct snmp_check_params *p, const struct snmp_vb *vbs,
    size_t n, const struct snmp_vb **nvb, struct check_result *out)
{
	*nvb = NULL;
	if (n < p->noids) {
		check_result_set(out, CHECK_UNKNOWN, "SNMP UNKNOWN - the "
		    "agent returned %zu values for %zu OIDs", n, p->noids);
		return -1;
	}
	if (p->name_oid[0] != '\0') {
		*nvb = snmp_check_find_vb(vbs + p->noids, n - p->noids,
		    p->name_oid);
		if (*nvb == NULL)
			*nvb = snmp_check_find_vb(vbs, p->noids, p->name_oid);
	}
	for (size_t i = 0; i <= p->noids; i++) {
		const struct snmp_vb *vb = i < p->noids ? &vbs[i] : *nvb;
		const char *miss = vb != NULL ? snmp_check_missing(vb->type) :
		    NULL;

		if (miss != NULL) {
			check_result_set(out, CHECK_UNKNOWN, "SNMP UNKNOWN - "
			    "OID %s not on agent (%s)", vb->oid, miss);
			return -1;
		}
	}
	return 0;
}

/* The numbers of the values. Returns 0, or -1 with out set UNKNOWN. */
static int
sc_numbers(const struct snmp_check_params *p, const struct snmp_vb *vbs,
    struct snmp_check_sample *s, struct check_result *out)
{
	for (size_t i = 0; i < p->noids; i++) {
		const char *v;
		char clean[128];

		if (snmp_check_vb_number(&vbs[i], &s[i]) == 0)
			continue;
		v = vbs[i].text ? strstr(vbs[i].text, " = ") : NULL;
		v = v != NULL ? v + 3 : "a value"; /* "STRING: ..." */
		sc_clean(v, strlen(v), clean, sizeof(clean));
		check_result_set(out, CHECK_UNKNOWN, "SNMP UNKNOWN - OID %s: "
		    "%s is not a number", vbs[i].oid, clean);
		return -1;
	}
	return 0;
}

void
snmp_check_eval_snmp(struct snmp_checks *sc, const struct snmp_check_params *p,
    struct snmp_check_mem *m, const struct snmp_vb *vbs, size_t n,
    int64_t now_ns, struct check_result *out)
{
	struct snmp_check_sample s[SNMP_CHECK_OIDS_MAX];
	struct snmp_check_when w;
	struct sc_value val[SNMP_CHECK_OIDS_MAX];
	const struct snmp_vb *nvb;
	char name[128], *np = NULL;

	if (sc_answer_ok(p, vbs, n, &nvb, out) != 0)
		return;
	if (nvb != NULL && snmp_check_vb_string(nvb, name, sizeof(name)) == 0)
		np = name;
	if (p->string_set) {
		sc_eval_string(p, np, vbs, out);
	} else if (sc_numbers(p, vbs, s, out) != 0) {
		/* out set */
	} else if (p->pct) {
		sc_eval_pct(p, np, s, out);
	} else if (p->rate && m == NULL) {
		check_result_set(out, CHECK_UNKNOWN, "SNMP UNKNOWN - rate "
		    "memory full (%zu checks): no rate", sc->mem_max);
	} else if (p->rate) {
		snmp_check_when_of(vbs, n, now_ns, &w);
		sc_eval_rate(p, m, np, s, &w, out);
	} else {
		memset(val, 0, sizeof(val));
		for (size_t i = 0; i < p->noids; i++) {
			val[i].have = true;
			val[i].v = s[i].d * p->mult;
		}
		sc_report(p, np, val, out);
	}
}
