/*
 * snmp_check_parse: the $ARGn$ of `snmp` and `snmp_if` into struct
 * snmp_check_params, with an error naming the argument for pharosd -v.
 * Lists are split at ',' (so string=TEXT cannot hold a comma); OIDs are
 * numeric or MIB names, made numeric here by snmp_mib (so pharosd -v names
 * an unknown name at the service's line) and stored with a leading dot;
 * numbers are plain decimals read by hand by range_number (no locale,
 * exponent, hex, "inf").
 */
#include "snmp_check_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "range.h"
#include "snmp_mib.h"
#include "strnum.h"

#define SC_ARG_MAX	1024	/* bytes of one field copied to parse */

/* A decimal "-12.5" (optional sign, digits, one '.'), surrounded by
 * optional blanks, from len bytes at s: range_number's rules once the
 * blanks are off. Returns 0 or -EINVAL. */
int
snmp_check_number(const char *s, size_t len, double *out)
{
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	return range_number(s, len, out);
}

/* ---- parsing ---- */

static bool
sc_given(char *const *args, size_t nargs, size_t i)
{
	return i < nargs && args[i] != NULL && args[i][0] != '\0';
}

static const char *
sc_arg(char *const *args, size_t nargs, size_t i)
{
	return sc_given(args, nargs, i) ? args[i] : "";
}

/* Split s at ',' into at most max fields (start, length), blanks around
 * each cut. Returns the number of fields, max + 1 when there are more; 0
 * for "". */
static size_t
sc_fields(const char *s, const char **f, size_t *flen, size_t max)
{
	size_t n = 0, len;
	const char *c;

	if (*s == '\0')
		return 0;
	for (;;) {
		c = strchr(s, ',');
		if (n == max)
			return max + 1;
		len = c != NULL ? (size_t)(c - s) : strlen(s);
		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		f[n] = s;
		flen[n++] = len;
		if (c == NULL)
			return n;
		s = c + 1;
	}
}

/* An OID as written (len bytes at s): "1.3.6.1", ".1.3.6.1", or a MIB
 * name ("sysUpTime.0", "IF-MIB::ifHCInOctets.3"), into out
 * (SNMP_CHECK_OID_LEN bytes) as ".1.3.6.1...". Returns 0 or -EINVAL with
 * why filled. */
static int
sc_oid(const char *s, size_t len, char *out, char *why, size_t whylen)
{
	char buf[SC_ARG_MAX];

	if (len >= sizeof(buf)) {
		snprintf(why, whylen, "'%.32s...' is too long for an OID", s);
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
	return snmp_mib_resolve(buf, out, SNMP_CHECK_OID_LEN, why, whylen);
}

/* Default label: the OID's last arcs (up to 3, at most 19 bytes) joined
 * with '_': ".1.3.6.1.4.1.2021.11.9.0" -> "11_9_0". */
static void
sc_default_label(const char *oid, char *out, size_t outlen)
{
	const char *end = oid + strlen(oid), *p = end, *start = end;
	int arcs = 0;

	while (p > oid && arcs < 3) {
		const char *q = p;

		while (q > oid && q[-1] != '.')
			q--;
		if ((size_t)(end - q) > 19 && arcs > 0)
			break;
		start = q;
		arcs++;
		p = q > oid ? q - 1 : q;
	}
	snprintf(out, outlen, "%.*s", (int)(end - start), start);
	for (char *c = out; *c != '\0'; c++)
		if (*c == '.')
			*c = '_';
}

static bool
sc_chars_ok(const char *s, size_t len, const char *extra)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(extra, c) != NULL) ||
		    c == '\0')
			return false;
	}
	return len > 0;
}

/* Thresholds of ARGi: none, one for all k values, or one per value. */
static int
sc_parse_ranges(const char *arg, size_t i, const char *what, size_t k,
    struct range *out, char *err, size_t errlen)
{
	const char *f[SNMP_CHECK_OIDS_MAX + 1];
	size_t flen[SNMP_CHECK_OIDS_MAX + 1], n, j;
	char buf[SC_ARG_MAX], why[200];

	n = sc_fields(arg, f, flen, SNMP_CHECK_OIDS_MAX);
	if (n != 0 && n != 1 && n != k) {
		snprintf(err, errlen, "snmp: ARG%zu (%s) '%s': %zu ranges for "
		    "%zu value%s: give one for all or one per value", i + 1,
		    what, arg, n, k, k == 1 ? "" : "s");
		return -EINVAL;
	}
	for (j = 0; j < k && n > 0; j++) {
		size_t m = n == 1 ? 0 : j;

		memset(&out[j], 0, sizeof(out[j]));
		if (flen[m] == 0)
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)flen[m], f[m]);
		if (range_parse(buf, &out[j], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "snmp: ARG%zu (%s): %s", i + 1,
			    what, why);
			return -EINVAL;
		}
	}
	return 0;
}

/* ARG4: one distinct label per value, or the defaults. */
static int
sc_parse_labels(const char *labels, struct snmp_check_params *p, char *err,
    size_t errlen)
{
	const char *f[SNMP_CHECK_OIDS_MAX + 1];
	size_t flen[SNMP_CHECK_OIDS_MAX + 1], n, j, k = p->nvalues;

	n = sc_fields(labels, f, flen, SNMP_CHECK_OIDS_MAX);
	if (n != 0 && n != k) {
		snprintf(err, errlen, "snmp: ARG4 (labels) '%s': %zu labels "
		    "for %zu value%s", labels, n, k, k == 1 ? "" : "s");
		return -EINVAL;
	}
	for (j = 0; j < k; j++) {
		if (n == 0) {
			sc_default_label(p->oids[j], p->labels[j],
			    sizeof(p->labels[j]));
			continue;
		}
		if (flen[j] > SNMP_CHECK_LABEL_MAX ||
		    !sc_chars_ok(f[j], flen[j], "_.-")) {
			snprintf(err, errlen, "snmp: ARG4 (labels): label "
			    "'%.*s' must be 1 to %d of A-Z a-z 0-9 _ . -",
			    (int)flen[j], f[j], SNMP_CHECK_LABEL_MAX);
			return -EINVAL;
		}
		snprintf(p->labels[j], sizeof(p->labels[j]), "%.*s",
		    (int)flen[j], f[j]);
	}
	for (j = 0; j < k; j++)
		for (size_t m = 0; m < j; m++)
			if (strcmp(p->labels[j], p->labels[m]) == 0) {
				snprintf(err, errlen, "snmp: label '%s' "
				    "twice: give distinct labels as ARG4",
				    p->labels[j]);
				return -EINVAL;
			}
	return 0;
}

/* ARG5: none, one unit for all values, or one per value. */
static int
sc_parse_units(const char *units, struct snmp_check_params *p, char *err,
    size_t errlen)
{
	const char *f[SNMP_CHECK_OIDS_MAX + 1];
	size_t flen[SNMP_CHECK_OIDS_MAX + 1], n, j, k = p->nvalues;

	n = sc_fields(units, f, flen, SNMP_CHECK_OIDS_MAX);
	if (n != 0 && n != 1 && n != k) {
		snprintf(err, errlen, "snmp: ARG5 (units) '%s': %zu units for "
		    "%zu values: give one for all or one per value", units, n,
		    k);
		return -EINVAL;
	}
	for (j = 0; j < k; j++) {
		size_t m = n <= 1 ? 0 : j;

		if (n == 0) {
			snprintf(p->units[j], sizeof(p->units[j]), "%s",
			    p->pct ? "%" : "");
			continue;
		}
		if (flen[m] > 0 && (flen[m] > SNMP_CHECK_UNIT_MAX ||
		    !sc_chars_ok(f[m], flen[m], "%"))) {
			snprintf(err, errlen, "snmp: ARG5 (units): unit "
			    "'%.*s' must be up to %d of A-Z a-z 0-9 %%",
			    (int)flen[m], f[m], SNMP_CHECK_UNIT_MAX);
			return -EINVAL;
		}
		snprintf(p->units[j], sizeof(p->units[j]), "%.*s",
		    (int)flen[m], f[m]);
	}
	return 0;
}

/* One OPTIONS item (len bytes at s). */
static int
sc_parse_option(const char *s, size_t len, struct snmp_check_params *p,
    bool *mult_set, char *err, size_t errlen)
{
	const char *v = memchr(s, '=', len);
	size_t nlen = v != NULL ? (size_t)(v - s) : len, vlen = 0;
	bool dup = false;

	if (v != NULL) {
		vlen = len - nlen - 1;
		v++;
	}
	if (v == NULL && nlen == 4 && memcmp(s, "rate", 4) == 0) {
		dup = p->rate;
		p->rate = true;
	} else if (v == NULL && nlen == 3 && memcmp(s, "pct", 3) == 0) {
		dup = p->pct;
		p->pct = true;
	} else if (v != NULL && nlen == 4 && memcmp(s, "mult", 4) == 0) {
		dup = *mult_set;
		*mult_set = true;
		if (snmp_check_number(v, vlen, &p->mult) != 0 ||
		    p->mult <= 0.0 || p->mult > 1e12 ||
		    memchr(v, ' ', vlen) != NULL) {
			snprintf(err, errlen, "snmp: ARG6 (options): mult="
			    "'%.*s' is not a positive decimal number",
			    (int)vlen, v);
			return -EINVAL;
		}
	} else if (v != NULL && nlen == 6 && memcmp(s, "string", 6) == 0) {
		dup = p->string_set;
		p->string_set = true;
		if (vlen > SNMP_CHECK_STRING_MAX) {
			snprintf(err, errlen, "snmp: ARG6 (options): string= "
			    "longer than %d bytes", SNMP_CHECK_STRING_MAX);
			return -EINVAL;
		}
		snprintf(p->string, sizeof(p->string), "%.*s", (int)vlen, v);
	} else if (v != NULL && nlen == 4 && memcmp(s, "name", 4) == 0) {
		char why[512];

		dup = p->name_oid[0] != '\0';
		if (sc_oid(v, vlen, p->name_oid, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "snmp: ARG6 (options): name=: %s",
			    why);
			return -EINVAL;
		}
	} else {
		snprintf(err, errlen, "snmp: ARG6 (options): unknown option "
		    "'%.*s' (options: rate, mult=F, pct, string=TEXT, "
		    "name=OID)", (int)len, s);
		return -EINVAL;
	}
	if (dup) {
		snprintf(err, errlen, "snmp: ARG6 (options): '%.*s' given "
		    "twice", (int)nlen, s);
		return -EINVAL;
	}
	return 0;
}

/* OPTIONS, then the combinations that make no sense. */
static int
sc_parse_options(const char *arg, struct snmp_check_params *p, char *err,
    size_t errlen)
{
	const char *f[8];
	size_t flen[8], n, j;
	bool mult_set = false;

	n = sc_fields(arg, f, flen, 7);
	if (n > 7) {
		snprintf(err, errlen, "snmp: ARG6 (options) '%s': too many "
		    "options", arg);
		return -EINVAL;
	}
	for (j = 0; j < n; j++)
		if (sc_parse_option(f[j], flen[j], p, &mult_set, err,
		    errlen) != 0)
			return -EINVAL;
	if (p->pct && p->noids != 2) {
		snprintf(err, errlen, "snmp: pct needs exactly two OIDs "
		    "(used, size), not %zu", p->noids);
		return -EINVAL;
	}
	if ((p->pct && (p->rate || mult_set)) ||
	    (p->string_set && (p->rate || p->pct || mult_set))) {
		snprintf(err, errlen, "snmp: ARG6 (options) '%s': %s cannot be "
		    "combined with %s", arg, p->string_set ? "string=" : "pct",
		    p->pct && p->string_set ? "pct" : p->rate ? "rate" :
		    "mult=");
		return -EINVAL;
	}
	return 0;
}

static int
sc_parse_snmp(char *const *args, size_t nargs, struct snmp_check_params *p,
    char *err, size_t errlen)
{
	const char *f[SNMP_CHECK_OIDS_MAX + 1], *a1 = sc_arg(args, nargs, 0);
	size_t flen[SNMP_CHECK_OIDS_MAX + 1], n, j;
	char why[512];

	n = sc_fields(a1, f, flen, SNMP_CHECK_OIDS_MAX);
	if (n == 0 || n > SNMP_CHECK_OIDS_MAX) {
		snprintf(err, errlen, n == 0 ? "snmp: ARG1 is empty: give one "
		    "or more OIDs, e.g. .1.3.6.1.2.1.1.3.0 or sysUpTime.0" :
		    "snmp: ARG1: more than %d OIDs", SNMP_CHECK_OIDS_MAX);
		return -EINVAL;
	}
	for (j = 0; j < n; j++)
		if (sc_oid(f[j], flen[j], p->oids[j], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "snmp: ARG1: %s", why);
			return -EINVAL;
		}
	p->noids = n;
	if (sc_parse_options(sc_arg(args, nargs, 5), p, err, errlen) != 0)
		return -EINVAL;
	p->nvalues = p->pct ? 1 : n;
	if (sc_parse_ranges(sc_arg(args, nargs, 1), 1, "warning", p->nvalues,
	    p->warn, err, errlen) != 0 ||
	    sc_parse_ranges(sc_arg(args, nargs, 2), 2, "critical", p->nvalues,
	    p->crit, err, errlen) != 0)
		return -EINVAL;
	if (p->string_set && (sc_given(args, nargs, 1) ||
	    sc_given(args, nargs, 2))) {
		snprintf(err, errlen, "snmp: string= takes no thresholds "
		    "(ARG2, ARG3): a value other than the string is CRITICAL");
		return -EINVAL;
	}
	if (sc_parse_labels(sc_arg(args, nargs, 3), p, err, errlen) != 0)
		return -EINVAL;
	return sc_parse_units(sc_arg(args, nargs, 4), p, err, errlen);
}

static int
sc_parse_if_range(char *const *args, size_t nargs, size_t i,
    const char *dflt, struct range *out, char *err, size_t errlen)
{
	const char *what[] = { "", "warning utilization %",
		"critical utilization %", "warning errors/s",
		"critical errors/s" };
	const char *s = sc_given(args, nargs, i) ? args[i] : dflt;
	char why[200];

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return 0;
	if (range_parse(s, out, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "snmp_if: ARG%zu (%s): %s", i + 1,
		    what[i], why);
		return -EINVAL;
	}
	return 0;
}

static int
sc_parse_if(char *const *args, size_t nargs, struct snmp_check_params *p,
    char *err, size_t errlen)
{
	const char *s = sc_arg(args, nargs, 0);
	size_t len = strlen(s);

	if (len == 0 || len > SNMP_CHECK_IFACE_MAX) {
		snprintf(err, errlen, "snmp_if: ARG1 (interface) %s: give an "
		    "ifIndex, ifName, ifDescr or ifAlias", len == 0 ?
		    "is empty" : "is too long");
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '|' ||
		    s[i] == 0x7f) {
			snprintf(err, errlen, "snmp_if: ARG1 (interface) "
			    "'%s': control characters and '|' are not "
			    "allowed", s);
			return -EINVAL;
		}
	if (s[0] >= '0' && s[0] <= '9' &&
	    strspn(s, "0123456789") == len &&
	    strnum_long(s, 1, 2147483647L, &p->ifindex) != 0) {
		snprintf(err, errlen, "snmp_if: ARG1 (interface) '%s': an "
		    "ifIndex is 1 to 2147483647", s);
		return -EINVAL;
	}
	snprintf(p->iface, sizeof(p->iface), "%s", s);
	if (sc_parse_if_range(args, nargs, 1, "80", &p->warn_util, err,
	    errlen) != 0 ||
	    sc_parse_if_range(args, nargs, 2, "90", &p->crit_util, err,
	    errlen) != 0 ||
	    sc_parse_if_range(args, nargs, 3, NULL, &p->warn_err, err,
	    errlen) != 0 ||
	    sc_parse_if_range(args, nargs, 4, NULL, &p->crit_err, err,
	    errlen) != 0)
		return -EINVAL;
	return 0;
}

bool
snmp_check_is_builtin(const char *command_name)
{
	return command_name != NULL && (strcmp(command_name, "snmp") == 0 ||
	    strcmp(command_name, "snmp_if") == 0);
}

int
snmp_check_parse(const char *command_name, char *const *args, size_t nargs,
    struct snmp_check_params *out, char *err, size_t errlen)
{
	struct snmp_check_params p;
	bool is_if = command_name != NULL &&
	    strcmp(command_name, "snmp_if") == 0;
	size_t maxargs = is_if ? 5 : 6, i;
	uint64_t h;

	if (!snmp_check_is_builtin(command_name)) {
		snprintf(err, errlen, "'%s' is not a built-in SNMP check "
		    "(snmp, snmp_if)", command_name ? command_name : "");
		return -EINVAL;
	}
	memset(&p, 0, sizeof(p));
	p.kind = is_if ? SNMP_CHECK_IF : SNMP_CHECK_GENERIC;
	p.mult = 1.0;
	for (i = maxargs; i < nargs; i++)
		if (sc_given(args, nargs, i)) {
			snprintf(err, errlen, "%s: ARG%zu '%s': unexpected "
			    "argument (%s takes %zu)", command_name, i + 1,
			    args[i], command_name, maxargs);
			return -EINVAL;
		}
	if ((is_if ? sc_parse_if(args, nargs, &p, err, errlen) :
	    sc_parse_snmp(args, nargs, &p, err, errlen)) != 0)
		return -EINVAL;
	h = snmp_check_fnv(SC_FNV_BASIS, command_name);
	for (i = 0; i < nargs && i < maxargs; i++)
		h = snmp_check_fnv(snmp_check_fnv(h, "!"),
		    sc_arg(args, nargs, i));
	p.fingerprint = h;
	*out = p;
	return 0;
}

void
snmp_check_params_clear(struct snmp_check_params *p)
{
	if (p != NULL)
		memset(p, 0, sizeof(*p));
}
