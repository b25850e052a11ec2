/*
 * range: Nagios threshold ranges, as the monitoring plugins take them in
 * -w/-c and write them in performance data.
 *
 *   10       alert when v < 0 or v > 10
 *   10:      alert when v < 10
 *   ~:10     alert when v > 10
 *   10:20    alert when v < 10 or v > 20
 *   @10:20   alert when 10 <= v <= 20 (inside)
 *
 * Ends are inclusive: a value equal to an end is inside the range. Numbers
 * are plain decimals with an optional sign and fraction ("-2.5"); no
 * exponent, hex, "inf" or "nan". ":10" means 0:10, like the plugins.
 */
#ifndef PHAROS_RANGE_H
#define PHAROS_RANGE_H

#include <stdbool.h>
#include <stddef.h>

#define RANGE_TEXT_MAX 31 /* bytes of a range as written (perfdata cap) */

struct range {
	bool set;          /* false: no threshold, never alerts */
	bool inside;       /* '@': alert inside instead of outside */
	bool start_inf;    /* '~': no lower end */
	bool end_inf;      /* "N:": no upper end */
	double start;
	double end;
	char text[RANGE_TEXT_MAX + 1]; /* as given, for perfdata */
};

/* Parse s (borrowed) into *out. An empty string is an error here: callers
 * decide what "no threshold" looks like. Returns 0, or -EINVAL with err
 * naming the problem ("start 10 is greater than end 5", ...). */
int range_parse(const char *s, struct range *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* True when v must raise an alert under r; an unset range never does. */
bool range_alert(const struct range *r, double v);

#define RANGE_NUMBER_DIGITS 32 /* characters of a number after its sign */

/* Parse exactly the len bytes at s (borrowed) as a plain decimal: an
 * optional leading '-' or '+', then digits with at most one '.', at least
 * one digit, at most RANGE_NUMBER_DIGITS characters after the sign. No
 * blanks, exponent, hex, "inf" or "nan"; callers that allow blanks or a
 * tighter length strip or check them first. Returns 0 with *out set, or
 * -EINVAL with *out untouched. */
int range_number(const char *s, size_t len, double *out)
    __attribute__((warn_unused_result));

#endif
