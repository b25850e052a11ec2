/*
 * timeperiod: Nagios time periods, compiled.
 *
 * Each struct tp keeps its day lines as rules, each with a mask of the
 * 1440 wall-clock minutes of a day (bit HH * 60 + MM), sorted in Nagios'
 * precedence: by kind (calendar dates, month dates, days of every month,
 * weekdays of a named month, weekdays of every month, and last the plain
 * weekday lines), then as written; and excl, the periods it excludes
 * (borrowed from the same table). Invariants: the excludes form no cycle
 * (checked when compiling, so the recursion in tp_day() ends); no mask has
 * a bit past minute 1439.
 *
 * A date is evaluated as Nagios evaluates it: the first rule that matches
 * the date gives the day's minutes (so a date rule overrides the weekday
 * line, and "00:00-00:00" claims the day with no minute at all); then the
 * minutes of every excluded period on that date are removed. Dates are
 * day numbers (days since 1970-01-01) in plain integer arithmetic; the
 * time zone only enters where an instant becomes a local date and minute
 * (tp_local(), with localtime_r) and where a local date becomes instants
 * again (tp_day_start(), tp_first_in_day()): that is where days of 23 and
 * 25 hours are handled.
 *
 * Trade-off: nothing is cached between queries, so a query costs one
 * evaluation per date (per excluded period, recursively), and
 * timeperiod_next() may evaluate a year of dates. That is microseconds for
 * configurations people write, and keeps the table immutable and shareable.
 */
#include "timeperiod.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "objects.h"

#define TP_MINUTES 1440
#define TP_WORDS ((TP_MINUTES + 63) / 64)
#define TP_MAX_WORDS 16   /* date words before the time ranges */
#define TP_MAX_SKIP 36600 /* days in "/ n" (named in a message below) */
#define TP_NONE LONG_MIN  /* no such day */
#define TP_EXCLUDE(l) \
	(strncmp(l, "exclude", 7) == 0 && (l[7] == ' ' || l[7] == '\t'))
/* Whether day dn is in [s, e], on an every-skip-th day from s. */
#define TP_IN_SPAN(r, dn, s, e) ((s) != TP_NONE && (e) != TP_NONE && \
	(s) <= (dn) && (dn) <= (e) && ((dn) - (s)) % (r)->skip == 0)
#define TP_YEARLY(k) ((k) == TPK_MONTH_DATE || (k) == TPK_MONTH_WDAY)

typedef uint64_t tp_mask[TP_WORDS];

enum tp_kind {
	TPK_DATE,       /* 2026-12-24 [- 2027-01-02] */
	TPK_MONTH_DATE, /* december 25, july 10 - 15, april 10 - may 15 */
	TPK_MONTH_DAY,  /* day 1, day -1, day 1 - 15 */
	TPK_MONTH_WDAY, /* thursday -1 november [- friday 2 december] */
	TPK_WDAY,       /* monday 3, monday 3 - thursday 4 */
	TPK_WEEKDAY,    /* monday: the weekly schedule, checked last */
};

/* One end of a date range; which fields count depends on the kind. */
struct tp_when {
	int year; /* TPK_DATE */
	int mon;  /* 1..12 */
	int mday; /* 1..31, or -1..-31 counting from the end of the month */
	int wday; /* 0 (sunday) .. 6 */
	int nth;  /* 1..5, or -1..-5: which such weekday of the month */
};

struct tp_rule {
	enum tp_kind kind;
	struct tp_when s, e; /* e == s when the line names one day */
	bool has_end;
	long skip;     /* every skip-th day from the start; 1: every day */
	long sdn, edn; /* TPK_DATE: day numbers (edn LONG_MAX: no end) */
	tp_mask mask;
};

struct tp {
	char *name;
	struct tp_rule *rules;
	size_t nrules;
	const struct tp **excl;
	size_t nexcl;
	int mark; /* while compiling: 0 new, 1 being visited, 2 done */
};

struct tp_table {
	struct tp *tps; /* parallel to objects.timeperiods */
	size_t n;
	struct tp **byname; /* sorted by name */
};

/* A local date. */
struct tp_date {
	long dn; /* days since 1970-01-01 */
	int y, m, d, wday;
};

/* One line being parsed: the date words, then the time ranges. */
struct tp_parse {
	const char *w[TP_MAX_WORDS];
	size_t len[TP_MAX_WORDS];
	size_t n, pos;
	const char *ranges;
	char *err;
	size_t errlen;
};

static const char *const tp_wdays[] = { "sunday", "monday", "tuesday",
	"wednesday", "thursday", "friday", "saturday" };
static const char *const tp_months[] = { "january", "february", "march",
	"april", "may", "june", "july", "august", "september", "october",
	"november", "december" };
static const char *const tp_day_word[] = { "day" };

/* --- calendar arithmetic (proleptic Gregorian, no time zone) ---------- */

/* Days since 1970-01-01 of y-m-d (H. Hinnant's days_from_civil). */
static long
tp_days(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
tp_date_set(struct tp_date *d, long dn)
{
	long z = dn + 719468, era, doe, yoe, doy, mp, w;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d->dn = dn;
	d->d = (int)(doy - (153 * mp + 2) / 5 + 1);
	d->m = (int)(mp < 10 ? mp + 3 : mp - 9);
	d->y = (int)(yoe + era * 400 + (d->m <= 2));
	w = (dn + 4) % 7; /* 1970-01-01 was a Thursday */
	d->wday = (int)(w < 0 ? w + 7 : w);
}

static int
tp_mdays(long y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ?
	    29 : n[m - 1];
}

/* Day mday of y-m (negative: counted from the end), or TP_NONE. */
static long
tp_mday(long y, int m, int mday)
{
	int len = tp_mdays(y, m);

	if (mday < 0)
		mday += len + 1;
	return mday >= 1 && mday <= len ? tp_days(y, m, mday) : TP_NONE;
}

/* The nth wday of y-m (negative: counted from the end), or TP_NONE. */
static long
tp_nth(long y, int m, int wday, int nth)
{
	struct tp_date first, last;
	int len = tp_mdays(y, m), d;

	tp_date_set(&first, tp_days(y, m, 1));
	tp_date_set(&last, first.dn + len - 1);
	if (nth > 0)
		d = (wday - first.wday + 7) % 7 + 1 + (nth - 1) * 7;
	else
		d = len - (last.wday - wday + 7) % 7 + (nth + 1) * 7;
	return d >= 1 && d <= len ? first.dn + d - 1 : TP_NONE;
}

/* --- matching dates ---------------------------------------------------- */

/* The day one end (w) of a recurring rule falls on in unit u (a year, or
 * a month as y * 12 + m - 1), or TP_NONE. With clamp, an end past the end
 * of its month (day 31 in April, a fifth Monday) becomes the month's last
 * day, as Nagios does for the end of a range. */
static long
tp_resolve(const struct tp_rule *r, const struct tp_when *w, long u,
    bool clamp)
{
	long y = TP_YEARLY(r->kind) ? u : u / 12, dn;
	int m = TP_YEARLY(r->kind) ? w->mon : (int)(u % 12) + 1;

	if (r->kind == TPK_MONTH_DATE || r->kind == TPK_MONTH_DAY)
		dn = tp_mday(y, m, w->mday);
	else
		dn = tp_nth(y, m, w->wday, w->nth);
	if (dn == TP_NONE && clamp && (w->mday > 0 || w->nth > 0))
		dn = tp_days(y, m, tp_mdays(y, m));
	return dn;
}

/* Whether rule r covers date d. A recurring range may have begun in the
 * unit before d's (november 15 - february 5, day 25 - 5): both are tried.
 * An end before the start moves to the next unit. */
static bool
tp_rule_match(const struct tp_rule *r, const struct tp_date *d)
{
	long u, s, e;
	int k;

	if (r->kind == TPK_WEEKDAY)
		return r->s.wday == d->wday;
	if (r->kind == TPK_DATE)
		return TP_IN_SPAN(r, d->dn, r->sdn, r->edn);
	u = TP_YEARLY(r->kind) ? d->y : d->y * 12L + d->m - 1;
	for (k = 0; k < 2; k++) {
		if ((s = tp_resolve(r, &r->s, u - k, false)) == TP_NONE)
			continue;
		e = s;
		if (r->has_end &&
		    (e = tp_resolve(r, &r->e, u - k, true)) != TP_NONE && e < s)
			e = tp_resolve(r, &r->e, u - k + 1, true);
		if (TP_IN_SPAN(r, d->dn, s, e))
			return true;
	}
	return false;
}

/* --- minute masks ------------------------------------------------------ */

static void
tp_mask_set(uint64_t *m, int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		m[i / 64] |= UINT64_C(1) << (i % 64);
}

static bool
tp_mask_has(const uint64_t *m, int i)
{
	return i >= 0 && i < TP_MINUTES && (m[i / 64] >> (i % 64)) & 1;
}

/* The first minute >= from in m, or -1. */
static int
tp_mask_next(const uint64_t *m, int from)
{
	uint64_t w;
	int i = from;

	while (i >= 0 && i < TP_MINUTES) {
		if ((w = m[i / 64] >> (i % 64)) != 0)
			return i + __builtin_ctzll(w);
		i = (i / 64 + 1) * 64;
	}
	return -1;
}

/* The minutes of date d that lie inside tp, into out. */
static void
tp_day(const struct tp *tp, const struct tp_date *d, uint64_t *out)
{
	tp_mask ex;
	size_t i, w;

	memset(out, 0, sizeof(tp_mask));
	for (i = 0; i < tp->nrules; i++)
		if (tp_rule_match(&tp->rules[i], d)) {
			memcpy(out, tp->rules[i].mask, sizeof(tp_mask));
			break;
		}
	for (i = 0; i < tp->nexcl && tp_mask_next(out, 0) >= 0; i++) {
		tp_day(tp->excl[i], d, ex);
		for (w = 0; w < TP_WORDS; w++)
			out[w] &= ~ex[w];
	}
}

/* --- local time -------------------------------------------------------- */

/* The local date (day number) of t and its wall-clock second of the day. */
static bool
tp_local(time_t t, long *dn, int *sec)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return false;
	*dn = tp_days(tm.tm_year + 1900L, tm.tm_mon + 1, tm.tm_mday);
	*sec = tm.tm_hour * 3600 + tm.tm_min * 60 +
	    (tm.tm_sec > 59 ? 59 : tm.tm_sec);
	return true;
}

/* What a search over instants looks for: the first instant on or after
 * local date dn; or (linear) the first one, after a, that is no longer on
 * date dn with the wall clock in step with real time since a (where it
 * read wa): a clock change, or the next date. */
struct tp_probe {
	long dn;
	bool linear;
	time_t a;
	int wa;
};

static bool
tp_past(const struct tp_probe *p, time_t x)
{
	long xdn;
	int wx;

	if (!tp_local(x, &xdn, &wx))
		return true;
	if (!p->linear)
		return xdn >= p->dn;
	return xdn != p->dn || (time_t)(wx - p->wa) != x - p->a;
}

/* The first instant in (lo, hi] that tp_past() holds for, given that it
 * does not hold at lo and holds at hi. */
static time_t
tp_search(const struct tp_probe *p, time_t lo, time_t hi)
{
	time_t mid;

	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (tp_past(p, mid))
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* The first instant of local date dn: midnight, or later where the clock
 * skips midnight. UTC offsets lie within a day, so that instant lies
 * within a day of midnight UTC. */
static time_t
tp_day_start(long dn)
{
	struct tp_probe p = { dn, false, 0, 0 };

	return tp_search(&p, (time_t)dn * 86400 - 86400,
	    (time_t)dn * 86400 + 86400);
}

/* The first instant in [from, end), all on local date dn, whose wall-clock
 * minute is in m, or -1. The day is walked in stretches between clock
 * changes: on a 23-hour day the skipped minutes never match, on a 25-hour
 * day the repeated ones match twice. */
static time_t
tp_first_in_day(const uint64_t *m, long dn, time_t from, time_t end)
{
	struct tp_probe p = { dn, true, from, 0 };
	time_t b, x;
	long adn;
	int i;

	for (; p.a < end; p.a = b) {
		if (!tp_local(p.a, &adn, &p.wa) || adn != dn)
			return -1;
		b = tp_past(&p, end - 1) ? tp_search(&p, p.a, end - 1) : end;
		if (tp_mask_has(m, p.wa / 60))
			return p.a;
		i = tp_mask_next(m, p.wa / 60 + 1);
		if (i >= 0 && (x = p.a + (i * 60 - p.wa)) < b)
			return x;
	}
	return -1;
}

/* --- queries ----------------------------------------------------------- */

bool
timeperiod_in(const struct tp *tp, time_t t)
{
	struct tp_date d;
	tp_mask m;
	long dn;
	int sec;

	if (tp == NULL)
		return true;
	if (!tp_local(t, &dn, &sec))
		return false;
	tp_date_set(&d, dn);
	tp_day(tp, &d, m);
	return tp_mask_has(m, sec / 60);
}

time_t
timeperiod_next(const struct tp *tp, time_t t)
{
	struct tp_date d;
	tp_mask m;
	time_t x;
	long dn0, k;
	int sec;

	if (tp == NULL)
		return t;
	if (!tp_local(t, &dn0, &sec))
		return -1;
	for (k = 0; k <= TIMEPERIOD_HORIZON_DAYS; k++) {
		tp_date_set(&d, dn0 + k);
		tp_day(tp, &d, m);
		if (tp_mask_next(m, 0) < 0)
			continue;
		x = tp_first_in_day(m, d.dn, k == 0 ? t : tp_day_start(d.dn),
		    tp_day_start(d.dn + 1));
		if (x != (time_t)-1)
			return x;
	}
	return -1;
}

/* --- parsing one line -------------------------------------------------- */

static int __attribute__((format(printf, 2, 3)))
tp_err(struct tp_parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Index of the current word in list (any case), or -1. */
static int
tp_word(const struct tp_parse *p, const char *const *list, int n)
{
	int i;

	for (i = 0; p->pos < p->n && i < n; i++)
		if (strlen(list[i]) == p->len[p->pos] &&
		    strncasecmp(list[i], p->w[p->pos], p->len[p->pos]) == 0)
			return i;
	return -1;
}

/* Consume the current word when it is lit. */
static bool
tp_accept(struct tp_parse *p, const char *lit)
{
	const char *const list[] = { lit };

	return tp_word(p, list, 1) == 0 && ++p->pos > 0;
}

/* The value of the n (1 to 5) digits at s, or -1. */
static long
tp_digits(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return n > 0 && n <= 5 ? v : -1;
}

/* The current word as a number, optionally negative, in [min, max]. */
static int
tp_number(struct tp_parse *p, const char *what, long min, long max,
    long *out)
{
	const char *s = p->pos < p->n ? p->w[p->pos] : NULL;
	size_t len = s != NULL ? p->len[p->pos] : 0;
	size_t neg = s != NULL && s[0] == '-';
	long v;

	if (s == NULL)
		return tp_err(p, "expected %s at the end", what);
	if ((v = tp_digits(s + neg, len - neg)) < 0 ||
	    (v = neg ? -v : v) < min || v > max)
		return tp_err(p, "expected %s, not '%.*s'", what,
		    (int)(len > 24 ? 24 : len), s);
	*out = v;
	p->pos++;
	return 0;
}

/* The number after label ("day", a month, a weekday): 1..max, or
 * -1..-max counted from the end of the month. */
static int
tp_ordinal(struct tp_parse *p, const char *label, int max, int *out)
{
	long v;
	int rc;

	if ((rc = tp_number(p, max == 5 ? "which week (1 to 5, or -1 to -5)"
	    : "a day of the month", -99, 99, &v)) != 0)
		return rc;
	if (v == 0 || v > max || v < -max)
		return tp_err(p, "%s %ld is out of range (1 to %d, or -1 to -%d "
		    "counting from the end of the month)", label, v, max, max);
	*out = (int)v;
	return 0;
}

/* A day of month mon, or which weekday wday of the month. */
#define TP_MDAY(p, mon, out) \
	tp_ordinal(p, tp_months[(mon) - 1], tp_mdays(2000, mon), out)
#define TP_NTH(p, wday, out) tp_ordinal(p, tp_wdays[wday], 5, out)

/* A date word YYYY-MM-DD into w and *dn. */
static int
tp_date_word(struct tp_parse *p, struct tp_when *w, long *dn)
{
	const char *s = p->pos < p->n ? p->w[p->pos] : "";
	size_t len = p->pos < p->n ? p->len[p->pos] : 0;

	if (len != 10 || s[4] != '-' || s[7] != '-' ||
	    (w->year = (int)tp_digits(s, 4)) < 0 ||
	    (w->mon = (int)tp_digits(s + 5, 2)) < 0 ||
	    (w->mday = (int)tp_digits(s + 8, 2)) < 0)
		return tp_err(p, "expected a date YYYY-MM-DD, not '%.*s'",
		    (int)(len > 24 ? 24 : len), s);
	if (w->mon < 1 || w->mon > 12 || w->mday < 1 ||
	    w->mday > tp_mdays(w->year, w->mon))
		return tp_err(p, "invalid date '%.10s'", s);
	*dn = tp_days(w->year, w->mon, w->mday);
	p->pos++;
	return 0;
}

/* Which kind of line the date words make, or -1. */
static int
tp_kind_of(struct tp_parse *p)
{
	bool month;

	if (p->len[0] == 10 && p->w[0][4] == '-')
		return TPK_DATE;
	if (tp_word(p, tp_months, 12) >= 0)
		return TPK_MONTH_DATE;
	if (tp_word(p, tp_wdays, 7) < 0)
		return tp_word(p, tp_day_word, 1) == 0 ? TPK_MONTH_DAY : -1;
	if (p->n == 1)
		return TPK_WEEKDAY;
	p->pos = 2;
	month = tp_word(p, tp_months, 12) >= 0;
	p->pos = 0;
	return month ? TPK_MONTH_WDAY : TPK_WDAY;
}

/* One end of a range of r's kind into w (and *dn for dates). The end may
 * leave out a leading word the start has ("july 10 - 15", "day 1 - 15",
 * "thursday 2 - 4"): w holds the start's values when it is parsed. */
static int
tp_parse_when(struct tp_parse *p, const struct tp_rule *r,
    struct tp_when *w, long *dn)
{
	int i, rc;

	if (r->kind == TPK_DATE)
		return tp_date_word(p, w, dn);
	if (r->kind == TPK_MONTH_DAY) {
		(void)tp_accept(p, "day");
		return tp_ordinal(p, "day", 31, &w->mday);
	}
	if (r->kind == TPK_MONTH_DATE) {
		if ((i = tp_word(p, tp_months, 12)) >= 0) {
			w->mon = i + 1;
			p->pos++;
		}
		return TP_MDAY(p, w->mon, &w->mday);
	}
	/* weekday, weekday N, weekday N month */
	if ((i = tp_word(p, tp_wdays, 7)) >= 0) {
		w->wday = i;
		p->pos++;
	} else if (r->kind == TPK_MONTH_WDAY)
		return tp_err(p, "expected a weekday after '-' (as in "
		    "'monday 1 january - friday -1 january')");
	if (r->kind == TPK_WEEKDAY)
		return 0;
	if ((rc = TP_NTH(p, w->wday, &w->nth)) != 0 || r->kind == TPK_WDAY)
		return rc;
	if ((i = tp_word(p, tp_months, 12)) < 0)
		return tp_err(p, "expected a month after '%s %d'",
		    tp_wdays[w->wday], w->nth);
	w->mon = i + 1;
	p->pos++;
	return 0;
}

/* The date words of a line into r (kind, ends, skip). */
static int
tp_parse_days(struct tp_parse *p, struct tp_rule *r)
{
	long skip;
	int k, rc;

	if ((k = tp_kind_of(p)) < 0)
		return tp_err(p, "unknown day '%.*s' (expected a weekday, a "
		    "month, 'day' or a date YYYY-MM-DD)",
		    (int)(p->len[0] > 24 ? 24 : p->len[0]), p->w[0]);
	r->kind = (enum tp_kind)k;
	if ((rc = tp_parse_when(p, r, &r->s, &r->sdn)) != 0)
		return rc;
	r->e = r->s;
	r->edn = r->sdn;
	if (r->kind != TPK_WEEKDAY && tp_accept(p, "-")) {
		r->has_end = true;
		if ((rc = tp_parse_when(p, r, &r->e, &r->edn)) != 0)
			return rc;
		if (r->edn < r->sdn)
			return tp_err(p, "the end date %04d-%02d-%02d is "
			    "before the start date %04d-%02d-%02d", r->e.year,
			    r->e.mon, r->e.mday, r->s.year, r->s.mon,
			    r->s.mday);
	}
	if (r->kind != TPK_WEEKDAY && tp_accept(p, "/")) {
		if ((rc = tp_number(p, "a number of days (1 to 36600) after "
		    "'/'", 1, TP_MAX_SKIP, &skip)) != 0)
			return rc;
		r->skip = skip;
		if (r->kind == TPK_DATE && !r->has_end)
			r->edn = LONG_MAX; /* "2026-01-01 / 7": no end */
	}
	if (p->pos < p->n)
		return tp_err(p, "unexpected '%.*s' after the day",
		    (int)(p->len[p->pos] > 24 ? 24 : p->len[p->pos]),
		    p->w[p->pos]);
	return 0;
}

/* "H:MM" or "HH:MM" of len bytes, hours 0..24 (24 only as 24:00):
 * minutes since midnight, or -1. */
static int
tp_hhmm(const char *s, size_t len)
{
	long h, m;

	if (len < 4 || len > 5 || s[len - 3] != ':' ||
	    (h = tp_digits(s, len - 3)) < 0 ||
	    (m = tp_digits(s + len - 2, 2)) < 0)
		return -1;
	return h > 24 || m > 59 || (h == 24 && m != 0) ? -1 :
	    (int)(h * 60 + m);
}

/* The next item of a comma-separated list at *s, without blanks around
 * it (it may be empty); false after the last. */
static bool
tp_item(const char **s, const char **item, size_t *len)
{
	const char *p = *s, *e;

	if (p == NULL)
		return false;
	while (*p == ' ' || *p == '\t')
		p++;
	for (e = p; *e != '\0' && *e != ','; e++)
		;
	for (*len = (size_t)(e - p); *len > 0 && (p[*len - 1] == ' ' ||
	    p[*len - 1] == '\t'); (*len)--)
		;
	*item = p;
	*s = *e == ',' ? e + 1 : NULL;
	return true;
}

/* "09:00-12:00,13:00-17:00" into mask. */
static int
tp_parse_ranges(struct tp_parse *p, uint64_t *mask)
{
	const char *l = p->ranges, *s, *dash;
	size_t len;
	int a, b;

	while (tp_item(&l, &s, &len)) {
		if (len == 0)
			return tp_err(p, "empty time range");
		dash = memchr(s, '-', len);
		if (dash == NULL || (a = tp_hhmm(s, (size_t)(dash - s))) < 0 ||
		    (b = tp_hhmm(dash + 1, len - (size_t)(dash + 1 - s))) < 0)
			return tp_err(p, "invalid time range '%.*s' (expected "
			    "HH:MM-HH:MM, hours 00 to 24, minutes 00 to 59)",
			    (int)(len > 40 ? 40 : len), s);
		if (a > b)
			return tp_err(p, "time range '%.*s' ends before it "
			    "starts (a range cannot cross midnight: write "
			    "22:00-24:00 on one day, 00:00-06:00 on the next)",
			    (int)len, s);
		tp_mask_set(mask, a, b);
	}
	return 0;
}

/* One day line into r: the date words, then the time ranges from the
 * first word that holds a ':'. */
static int
tp_parse_line(const char *line, struct tp_rule *r, char *err,
    size_t errlen)
{
	struct tp_parse p = { .err = err, .errlen = errlen };
	const char *s = line, *t;
	int rc;

	memset(r, 0, sizeof(*r));
	r->skip = 1;
	for (;; s = t) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return tp_err(&p, "no time ranges (expected "
			    "HH:MM-HH:MM after the day)");
		for (t = s; *t != '\0' && *t != ' ' && *t != '\t'; t++)
			;
		if (memchr(s, ':', (size_t)(t - s)) != NULL)
			break;
		if (p.n == TP_MAX_WORDS)
			return tp_err(&p, "too many words before the time "
			    "ranges");
		p.w[p.n] = s;
		p.len[p.n++] = (size_t)(t - s);
	}
	p.ranges = s;
	if (p.n == 0)
		return tp_err(&p, "no day before the time ranges");
	if ((rc = tp_parse_days(&p, r)) != 0)
		return rc;
	return tp_parse_ranges(&p, r->mask);
}

int
timeperiod_line_check(const char *line, char *err, size_t errlen)
{
	struct tp_rule r;

	return tp_parse_line(line, &r, err, errlen);
}

/* --- compiling a table ------------------------------------------------- */

struct tp_build {
	const struct objects *o;
	struct tp_table *t;
	timeperiod_report_fn *report;
	void *arg;
	size_t nerr;
	size_t *stack; /* the exclude path being walked */
	size_t depth;
};

static void __attribute__((format(printf, 3, 4)))
tp_report(struct tp_build *b, size_t i, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	b->nerr++;
	if (b->report == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->report(b->arg, b->o->timeperiods[i], msg);
}

/* Parse the day lines of period i. Of two lines for one weekday the
 * first wins (the loader puts a definition's own lines before inherited
 * ones). */
static int
tp_build_lines(struct tp_build *b, size_t i)
{
	const struct timeperiod *src = b->o->timeperiods[i];
	struct tp *tp = &b->t->tps[i];
	struct tp_rule r, *nr;
	char err[256];
	size_t j, k;

	for (j = 0; j < src->nlines; j++) {
		if (TP_EXCLUDE(src->lines[j]))
			continue;
		if (tp_parse_line(src->lines[j], &r, err, sizeof(err)) != 0) {
			tp_report(b, i, "timeperiod '%s': invalid line "
			    "'%.200s': %s", src->name, src->lines[j], err);
			continue;
		}
		if ((nr = realloc(tp->rules, (tp->nrules + 1) *
		    sizeof(*nr))) == NULL)
			return -ENOMEM;
		tp->rules = nr;
		/* After the rules of its kind and those before it. */
		for (k = tp->nrules; k > 0 && nr[k - 1].kind > r.kind; k--)
			;
		memmove(&nr[k + 1], &nr[k], (tp->nrules++ - k) * sizeof(r));
		nr[k] = r;
	}
	return 0;
}

static int
tp_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(struct tp *const *)elem)->name);
}

static int
tp_name_cmp(const void *a, const void *b)
{
	return tp_key_cmp((*(struct tp *const *)a)->name, b);
}

/* Resolve the names in "exclude a,b" lines of period i. */
static int
tp_build_excl(struct tp_build *b, size_t i)
{
	const struct timeperiod *src = b->o->timeperiods[i];
	struct tp *tp = &b->t->tps[i];
	const struct tp *x, **nx;
	const char *l, *s;
	char name[256];
	size_t j, len;

	for (j = 0; j < src->nlines; j++) {
		if (!TP_EXCLUDE(src->lines[j]))
			continue;
		for (l = src->lines[j] + 8; tp_item(&l, &s, &len);) {
			if (len == 0)
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)len, s);
			if ((x = timeperiod_find(b->t, name)) == NULL) {
				tp_report(b, i, "timeperiod '%s': unknown "
				    "timeperiod '%s' in exclude", src->name,
				    name);
				continue;
			}
			if ((nx = realloc(tp->excl, (tp->nexcl + 1) *
			    sizeof(*nx))) == NULL)
				return -ENOMEM;
			tp->excl = nx;
			tp->excl[tp->nexcl++] = x;
		}
	}
	return 0;
}

/* Report the loop that closes at period i (on the current path). */
static void
tp_report_loop(struct tp_build *b, size_t i)
{
	char buf[512];
	size_t k, len = 0;

	for (k = 0; k < b->depth && b->stack[k] != i; k++)
		;
	for (; k < b->depth && len < sizeof(buf); k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s -> ",
		    b->t->tps[b->stack[k]].name);
	if (len < sizeof(buf))
		snprintf(buf + len, sizeof(buf) - len, "%s", b->t->tps[i].name);
	tp_report(b, i, "timeperiod '%s': exclude loop: %s",
	    b->t->tps[i].name, buf);
}

/* Depth-first walk of the excludes from period i; reports each loop. */
static void
tp_walk(struct tp_build *b, size_t i)
{
	struct tp *tp = &b->t->tps[i];
	size_t k;

	if (tp->mark != 0) {
		if (tp->mark == 1)
			tp_report_loop(b, i);
		return;
	}
	tp->mark = 1;
	b->stack[b->depth++] = i;
	for (k = 0; k < tp->nexcl; k++)
		tp_walk(b, (size_t)(tp->excl[k] - b->t->tps));
	b->depth--;
	tp->mark = 2;
}

static int
tp_build(struct tp_build *b)
{
	const struct objects *o = b->o;
	struct tp_table *t = b->t;
	size_t i;
	int rc;

	for (i = 0; i < o->ntimeperiods; i++) {
		if ((t->tps[i].name = strdup(o->timeperiods[i]->name)) == NULL)
			return -ENOMEM;
		t->byname[i] = &t->tps[i];
		t->n++;
		if ((rc = tp_build_lines(b, i)) != 0)
			return rc;
	}
	qsort(t->byname, t->n, sizeof(*t->byname), tp_name_cmp);
	for (i = 0; i < t->n; i++)
		if ((rc = tp_build_excl(b, i)) != 0)
			return rc;
	for (i = 0; i < t->n; i++)
		tp_walk(b, i);
	return 0;
}

int
timeperiod_table_new(const struct objects *o, timeperiod_report_fn *report,
    void *arg, struct tp_table **out)
{
	struct tp_build b;
	size_t n = o->ntimeperiods;
	int rc = -ENOMEM;

	*out = NULL;
	memset(&b, 0, sizeof(b));
	b.o = o;
	b.report = report;
	b.arg = arg;
	if ((b.t = calloc(1, sizeof(*b.t))) == NULL ||
	    (b.t->tps = calloc(n + 1, sizeof(*b.t->tps))) == NULL ||
	    (b.t->byname = calloc(n + 1, sizeof(*b.t->byname))) == NULL ||
	    (b.stack = calloc(n + 1, sizeof(*b.stack))) == NULL)
		goto fail;
	if ((rc = tp_build(&b)) != 0)
		goto fail;
	if (b.nerr > 0) {
		rc = -EINVAL;
		goto fail;
	}
	free(b.stack);
	*out = b.t;
	return 0;
fail:
	free(b.stack);
	timeperiod_table_free(b.t);
	return rc;
}

void
timeperiod_table_free(struct tp_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->tps[i].name);
		free(t->tps[i].rules);
		free(t->tps[i].excl);
	}
	free(t->tps);
	free(t->byname);
	free(t);
}

const struct tp *
timeperiod_find(const struct tp_table *t, const char *name)
{
	struct tp *const *p = bsearch(name, t->byname, t->n,
	    sizeof(*t->byname), tp_key_cmp);

	return p != NULL ? *p : NULL;
}

const struct tp *
timeperiod_at(const struct tp_table *t, size_t i)
{
	return i < t->n ? &t->tps[i] : NULL;
}

const char *
timeperiod_name(const struct tp *tp)
{
	return tp->name;
}
