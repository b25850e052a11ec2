/*
 * range: the parser and evaluation of Nagios threshold ranges (see
 * range.h for the forms). A parsed range keeps its text as given so that
 * performance data can echo it; the text is capped at RANGE_TEXT_MAX, the
 * perfdata parser's cap for a warn or crit field.
 *
 * Numbers are read by hand (digits, one optional '.', an optional leading
 * sign), so the locale, exponents, hex and "inf"/"nan" never sneak in;
 * range_number is exported so that other plain-decimal inputs (the snmp
 * checks' values and multipliers) follow the same rules.
 */
#include "range.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RANGE_NUM_MAX 24 /* characters of one end of a range */

int
range_number(const char *s, size_t len, double *out)
{
	double v = 0.0, scale = 1.0;
	bool neg = false, frac = false, digits = false;
	size_t i = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		neg = s[i++] == '-';
	if (len - i > RANGE_NUMBER_DIGITS)
		return -EINVAL;
	for (; i < len; i++) {
		if (s[i] == '.' && !frac) {
			frac = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		digits = true;
		if (frac) {
			scale /= 10.0;
			v += (s[i] - '0') * scale;
		} else
			v = v * 10.0 + (s[i] - '0');
	}
	if (!digits)
		return -EINVAL;
	*out = neg ? -v : v;
	return 0;
}

/* One end of a range: a number of at most RANGE_NUM_MAX characters, sign
 * included (tighter than range_number's own cap). */
static int
range_bound(const char *s, size_t len, double *out)
{
	if (len > RANGE_NUM_MAX)
		return -EINVAL;
	return range_number(s, len, out);
}

/* The lower end: "" (0), "~" (none) or a number. */
static int
range_start(const char *s, size_t len, struct range *r, char *err,
    size_t errlen)
{
	if (len == 0) {
		r->start = 0.0;
		return 0;
	}
	if (len == 1 && s[0] == '~') {
		r->start_inf = true;
		return 0;
	}
	if (range_bound(s, len, &r->start) != 0) {
		snprintf(err, errlen, "start '%.*s' is not a number", (int)len,
		    s);
		return -EINVAL;
	}
	return 0;
}

int
range_parse(const char *s, struct range *out, char *err, size_t errlen)
{
	struct range r;
	const char *body = s, *colon;
	size_t len = strlen(s);
	char why[96] = "";

	memset(&r, 0, sizeof(r));
	if (len == 0) {
		snprintf(err, errlen, "empty range");
		return -EINVAL;
	}
	if (len > RANGE_TEXT_MAX) {
		snprintf(err, errlen, "range '%.40s...' is longer than %d "
		    "characters", s, RANGE_TEXT_MAX);
		return -EINVAL;
	}
	memcpy(r.text, s, len + 1);
	if (*body == '@') {
		r.inside = true;
		body++;
	}
	colon = strchr(body, ':');
	if (*body == '\0')
		snprintf(why, sizeof(why), "nothing after '@'");
	else if (colon != NULL && strchr(colon + 1, ':') != NULL)
		snprintf(why, sizeof(why), "more than one ':'");
	else if (colon == NULL && body[0] == '~')
		snprintf(why, sizeof(why), "'~' (no lower end) needs a ':' "
		    "after it, as in ~:10");
	else if (colon != NULL &&
	    range_start(body, (size_t)(colon - body), &r, why, sizeof(why)) !=
	    0) {
		/* why filled */
	} else {
		const char *e = colon != NULL ? colon + 1 : body;

		if (*e == '\0')
			r.end_inf = true;
		else if (range_bound(e, strlen(e), &r.end) != 0)
			snprintf(why, sizeof(why), "'%s' is not a number", e);
	}
	if (why[0] == '\0' && !r.start_inf && !r.end_inf && r.start > r.end)
		snprintf(why, sizeof(why), "start %g is greater than end %g",
		    r.start, r.end);
	if (why[0] != '\0') {
		snprintf(err, errlen, "bad range '%s': %s (forms: 10, 10:, "
		    "~:10, 10:20, @10:20)", s, why);
		return -EINVAL;
	}
	r.set = true;
	*out = r;
	return 0;
}

bool
range_alert(const struct range *r, double v)
{
	bool in;

	if (!r->set)
		return false;
	in = (r->start_inf || v >= r->start) && (r->end_inf || v <= r->end);
	return r->inside ? in : !in;
}
