/*
 * perfdata: a single left-to-right pass over the string with one cursor.
 * Each item is parsed into a scratch item; only a complete, valid item is
 * copied into the caller's array, so a malformed item never leaves a
 * half-filled entry behind. After a malformed item the cursor skips to the
 * next white space (or, for an unterminated quote, to the end), so parsing
 * always advances and always ends.
 */
#include "perfdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PERFDATA_NUM_MAX	63	/* bytes of a number's text */

static int
perfdata_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Ends a field: white space, ';' or the end of the string. */
static int
perfdata_is_field_end(char c)
{
	return c == '\0' || c == ';' || perfdata_is_space(c);
}

static const char *
perfdata_skip_token(const char *p)
{
	while (*p != '\0' && !perfdata_is_space(*p))
		p++;
	return p;
}

/*
 * Parse a label at *pp into out (cap PERFDATA_LABEL_MAX). On success *pp
 * points at the '=' that must follow. Returns 0, or -1 when the label is
 * malformed; then *pp is where scanning should resume.
 */
static int
perfdata_label(const char **pp, char *out)
{
	const char *p = *pp;
	size_t n = 0;
	int toolong = 0;

	if (*p == '\'') {
		p++;
		for (;;) {
			if (*p == '\0') {	/* unterminated: give up */
				*pp = p;
				return -1;
			}
			if (*p == '\'') {
				if (p[1] != '\'')
					break;
				p++;	/* '' is one quote */
			}
			if (n < PERFDATA_LABEL_MAX)
				out[n++] = *p;
			else
				toolong = 1;
			p++;
		}
		p++;	/* closing quote */
	} else {
		while (*p != '=' && *p != '\0' && !perfdata_is_space(*p)) {
			if (n < PERFDATA_LABEL_MAX)
				out[n++] = *p;
			else
				toolong = 1;
			p++;
		}
	}
	out[n] = '\0';
	if (*p != '=' || n == 0 || toolong) {
		*pp = perfdata_skip_token(p);
		return -1;
	}
	*pp = p;
	return 0;
}

/*
 * Parse a decimal number at *pp ([-+]digits[.digits][e[-+]digits], ','
 * accepted as the decimal point) into *out. Returns 0 with *pp after the
 * number, or -1 when there is no finite number there.
 */
static int
perfdata_number(const char **pp, double *out)
{
	char buf[PERFDATA_NUM_MAX + 1];
	const char *p = *pp;
	size_t n = 0;
	int digits = 0;
	char *end;
	double v;

#define PUT(c)                                                                 \
	do {                                                                   \
		if (n >= PERFDATA_NUM_MAX)                                     \
			return -1;                                             \
		buf[n++] = (c);                                                \
	} while (0)
	if (*p == '-' || *p == '+')
		PUT(*p++);
	while (*p >= '0' && *p <= '9') {
		PUT(*p++);
		digits++;
	}
	if (*p == '.' || *p == ',') {
		PUT('.');
		p++;
		while (*p >= '0' && *p <= '9') {
			PUT(*p++);
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if ((*p == 'e' || *p == 'E') &&
	    ((p[1] >= '0' && p[1] <= '9') ||
	    ((p[1] == '-' || p[1] == '+') && p[2] >= '0' && p[2] <= '9'))) {
		PUT(*p++);
		if (*p == '-' || *p == '+')
			PUT(*p++);
		while (*p >= '0' && *p <= '9')
			PUT(*p++);
	}
#undef PUT
	buf[n] = '\0';
	v = strtod(buf, &end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	*pp = p;
	return 0;
}

/* Copy the field at *pp (up to ';', space or end) into out of cap bytes
 * plus NUL. Returns 0, or -1 when it does not fit. */
static int
perfdata_text_field(const char **pp, char *out, size_t cap)
{
	const char *p = *pp;
	size_t n = 0;

	while (!perfdata_is_field_end(*p)) {
		if (n >= cap)
			return -1;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	return 0;
}

/* An optional min or max: empty is absent, junk is treated as absent
 * (plugins write units or garbage there and Nagios does not care). */
static void
perfdata_bound(const char **pp, double *out, int *has)
{
	const char *p = *pp;

	*has = 0;
	if (!perfdata_is_field_end(*p) && perfdata_number(&p, out) == 0)
		*has = 1;
	while (!perfdata_is_field_end(*p))
		p++;
	*pp = p;
}

/* Parse one item starting at a non-space *pp. Returns 0 with *it filled,
 * or -1; either way *pp has advanced past the item. */
static int
perfdata_item(const char **pp, struct perfdata_item *it)
{
	const char *p = *pp;

	memset(it, 0, sizeof(*it));
	if (perfdata_label(&p, it->label) != 0)
		goto fail;
	p++;	/* '=' */
	if (*p == 'U' && (perfdata_is_field_end(p[1]))) {
		it->value_unknown = 1;
		p++;
	} else if (perfdata_number(&p, &it->value) != 0) {
		goto fail;
	} else if ((*p >= '0' && *p <= '9') || *p == '.' || *p == ',') {
		goto fail;	/* "1.2.3": not a number followed by a unit */
	}
	if (perfdata_text_field(&p, it->uom, PERFDATA_UOM_MAX) != 0)
		goto fail;
	if (*p == ';') {
		p++;
		if (perfdata_text_field(&p, it->warn, PERFDATA_RANGE_MAX) != 0)
			goto fail;
	}
	if (*p == ';') {
		p++;
		if (perfdata_text_field(&p, it->crit, PERFDATA_RANGE_MAX) != 0)
			goto fail;
	}
	if (*p == ';') {
		p++;
		perfdata_bound(&p, &it->min, &it->has_min);
	}
	if (*p == ';') {
		p++;
		perfdata_bound(&p, &it->max, &it->has_max);
	}
	/* Trailing extra fields (";;;;;") are tolerated and ignored. */
	p = perfdata_skip_token(p);
	*pp = p;
	return 0;
fail:
	*pp = perfdata_skip_token(p);
	return -1;
}

size_t
perfdata_parse(const char *perfdata, struct perfdata_item *items,
    size_t cap, size_t *nitems)
{
	struct perfdata_item scratch;
	const char *p = perfdata != NULL ? perfdata : "";
	size_t n = 0, bad = 0;

	for (;;) {
		while (perfdata_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (perfdata_item(&p, &scratch) != 0)
			bad++;
		else if (n < cap)
			items[n++] = scratch;
		else
			bad++;
	}
	*nitems = n;
	return bad;
}
