/*
 * test_timeperiod: Nagios time periods. Every day-line form Nagios 4
 * documents, Nagios' precedence (dates over weekdays), exclude and nested
 * exclude, rejected exclude loops, 24:00, timeperiod_next() across weeks,
 * months and years, days of 23 and 25 hours (Europe/Berlin, 2026-03-29
 * and 2026-10-25; America/Havana, which moves the clock at midnight), one
 * clear error per bad line, and Debian's nagios4 sample time periods.
 *
 * Periods are compiled from a struct objects built here and freed before
 * any query, so the table is shown to be self-contained. Tests run in UTC
 * unless they set another zone.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "objects.h"
#include "timeperiod.h"

#define FX_MAXLINES 16
#define FX_MAXMSGS 16

struct def {
	const char *name;
	const char *lines[FX_MAXLINES];
};

struct fx {
	struct tp_table *t;
	char msgs[FX_MAXMSGS][800];
	size_t nmsgs;
};

static void
fx_tz(const char *zone)
{
	assert_int_equal(setenv("TZ", zone, 1), 0);
	tzset();
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	fx_tz("UTC");
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	timeperiod_table_free(f->t);
	free(f);
	return 0;
}

static void
fx_report(void *arg, const struct timeperiod *src, const char *msg)
{
	struct fx *f = arg;

	assert_non_null(src);
	/* Every message names its time period. */
	assert_non_null(strstr(msg, src->name));
	if (f->nmsgs < FX_MAXMSGS)
		snprintf(f->msgs[f->nmsgs++], sizeof(f->msgs[0]), "%s", msg);
}

/* Compile defs (up to one with a NULL name) into f->t. The objects are
 * freed before this returns. */
static int
fx_compile(struct fx *f, const struct def *defs)
{
	struct objects o;
	struct timeperiod *tp;
	size_t n, j;
	int rc;

	memset(&o, 0, sizeof(o));
	for (n = 0; defs[n].name != NULL; n++)
		;
	o.timeperiods = calloc(n + 1, sizeof(*o.timeperiods));
	assert_non_null(o.timeperiods);
	for (o.ntimeperiods = 0; o.ntimeperiods < n; o.ntimeperiods++) {
		tp = o.timeperiods[o.ntimeperiods] = calloc(1, sizeof(*tp));
		assert_non_null(tp);
		tp->name = strdup(defs[o.ntimeperiods].name);
		tp->lines = calloc(FX_MAXLINES, sizeof(*tp->lines));
		assert_true(tp->name != NULL && tp->lines != NULL);
		for (j = 0; defs[o.ntimeperiods].lines[j] != NULL; j++)
			tp->lines[tp->nlines++] =
			    strdup(defs[o.ntimeperiods].lines[j]);
	}
	timeperiod_table_free(f->t);
	f->t = NULL;
	f->nmsgs = 0;
	rc = timeperiod_table_new(&o, fx_report, f, &f->t);
	objects_free(&o);
	return rc;
}

static void
fx_compile_ok(struct fx *f, const struct def *defs)
{
	size_t i;

	if (fx_compile(f, defs) != 0)
		for (i = 0; i < f->nmsgs; i++)
			print_error("%s\n", f->msgs[i]);
	assert_int_equal(f->nmsgs, 0);
	assert_non_null(f->t);
}

static const struct tp *
fx_tp(const struct fx *f, const char *name)
{
	const struct tp *tp = timeperiod_find(f->t, name);

	if (tp == NULL)
		fail_msg("no time period '%s'", name);
	return tp;
}

/* y-m-d h:mi:s in the current zone (not for skipped or repeated times),
 * or in UTC (for the clock-change days). */
static time_t
fx_time(bool utc, int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return utc ? timegm(&tm) : mktime(&tm);
}

#define lt(...) fx_time(false, __VA_ARGS__)
#define ut(...) fx_time(true, __VA_ARGS__)

/* Noon of each "YYYY-MM-DD" in the blank-separated list is inside period
 * name (want true) or outside it. */
static void
fx_days(const struct fx *f, const char *name, bool want, const char *list)
{
	const char *s;
	int y, m, d, n;

	for (s = list; sscanf(s, "%d-%d-%d%n", &y, &m, &d, &n) == 3; s += n)
		if (timeperiod_in(fx_tp(f, name), lt(y, m, d, 12, 0, 0)) != want)
			fail_msg("%s: %04d-%02d-%02d should be %s", name, y, m,
			    d, want ? "inside" : "outside");
}

#define IN(name, t) assert_true(timeperiod_in(fx_tp(f, name), t))
#define OUT(name, t) assert_false(timeperiod_in(fx_tp(f, name), t))
#define DAYS_IN(name, list) fx_days(f, name, true, list)
#define DAYS_OUT(name, list) fx_days(f, name, false, list)
#define NEXT(name, from, want) \
	assert_int_equal((long long)timeperiod_next(fx_tp(f, name), from), \
	    (long long)(want))

#define ALLWEEK "sunday 00:00-24:00", "monday 00:00-24:00", \
	"tuesday 00:00-24:00", "wednesday 00:00-24:00", \
	"thursday 00:00-24:00", "friday 00:00-24:00", "saturday 00:00-24:00"
#define WORKWEEK "monday 09:00-17:00", "tuesday 09:00-17:00", \
	"wednesday 09:00-17:00", "thursday 09:00-17:00", "friday 09:00-17:00"

/* --- weekday lines ---------------------------------------------------- */

static void
test_timeperiod_weekday_ranges_are_half_open(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "w", { "monday 00:00-09:00,17:00-24:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	/* 2026-01-05 is a Monday. */
	IN("w", lt(2026, 1, 5, 0, 0, 0));
	IN("w", lt(2026, 1, 5, 8, 59, 59));
	OUT("w", lt(2026, 1, 5, 9, 0, 0));
	OUT("w", lt(2026, 1, 5, 16, 59, 59));
	IN("w", lt(2026, 1, 5, 17, 0, 0));
	IN("w", lt(2026, 1, 5, 23, 59, 59));
	OUT("w", lt(2026, 1, 6, 0, 0, 0));
	OUT("w", lt(2026, 1, 4, 23, 59, 59));
	IN("w", lt(2026, 1, 12, 3, 0, 0));
}

static void
test_timeperiod_24_00_ends_at_midnight(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "late", { "tuesday 23:00-24:00", "wednesday 0:00-0:30",
		    NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	NEXT("late", lt(2026, 1, 6, 12, 0, 0), lt(2026, 1, 6, 23, 0, 0));
	IN("late", lt(2026, 1, 6, 23, 59, 59));
	NEXT("late", lt(2026, 1, 6, 23, 30, 0), lt(2026, 1, 6, 23, 30, 0));
	IN("late", lt(2026, 1, 7, 0, 0, 0));
	IN("late", lt(2026, 1, 7, 0, 29, 59));
	OUT("late", lt(2026, 1, 7, 0, 30, 0));
	NEXT("late", lt(2026, 1, 7, 0, 30, 0), lt(2026, 1, 13, 23, 0, 0));
}

static void
test_timeperiod_first_line_for_a_weekday_wins(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "twice", { "monday 09:00-10:00", "monday 11:00-12:00",
		    NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	IN("twice", lt(2026, 1, 5, 9, 30, 0));
	OUT("twice", lt(2026, 1, 5, 11, 30, 0));
}

/* An unset period (NULL) is always; a period without lines never. */
static void
test_timeperiod_unset_is_always_empty_is_never(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "none", { NULL } },
		{ NULL, { NULL } },
	};
	time_t t = lt(2026, 5, 17, 3, 4, 5);

	assert_true(timeperiod_in(NULL, t));
	assert_true(timeperiod_in(NULL, 0));
	assert_int_equal((long long)timeperiod_next(NULL, t), (long long)t);
	fx_compile_ok(f, defs);
	OUT("none", t);
	NEXT("none", t, -1);
}

/* --- calendar dates --------------------------------------------------- */

static void
test_timeperiod_calendar_dates(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "xmas", { "2026-12-25 00:00-24:00", NULL } },
		{ "range", { "2026-12-24 - 2027-01-02 10:00-12:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	IN("xmas", lt(2026, 12, 25, 0, 0, 0));
	IN("xmas", lt(2026, 12, 25, 23, 59, 59));
	OUT("xmas", lt(2026, 12, 24, 23, 59, 59));
	OUT("xmas", lt(2026, 12, 26, 0, 0, 0));
	DAYS_OUT("xmas", "2027-12-25");
	IN("range", lt(2026, 12, 24, 10, 0, 0));
	IN("range", lt(2026, 12, 31, 11, 0, 0));
	IN("range", lt(2027, 1, 2, 11, 59, 59));
	OUT("range", lt(2027, 1, 2, 12, 0, 0));
	OUT("range", lt(2027, 1, 3, 11, 0, 0));
	OUT("range", lt(2026, 12, 23, 11, 0, 0));
}

static void
test_timeperiod_calendar_dates_with_skip(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "weekly", { "2026-01-01 / 7 08:00-09:00", NULL } },
		{ "every10", { "2026-01-01 - 2026-01-31 / 10 00:00-24:00",
		    NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	IN("weekly", lt(2026, 1, 1, 8, 30, 0));
	IN("weekly", lt(2026, 1, 8, 8, 0, 0));
	OUT("weekly", lt(2026, 1, 9, 8, 30, 0));
	OUT("weekly", lt(2026, 1, 8, 9, 0, 0));
	IN("weekly", lt(2026, 12, 31, 8, 30, 0)); /* 52 weeks on */
	IN("weekly", lt(2028, 1, 6, 8, 30, 0));   /* no end */
	OUT("weekly", lt(2025, 12, 25, 8, 30, 0));
	DAYS_IN("every10", "2026-01-01 2026-01-11 2026-01-21 2026-01-31");
	DAYS_OUT("every10", "2026-01-02 2026-02-10");
}

/* --- day N ------------------------------------------------------------ */

static void
test_timeperiod_days_of_every_month(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "first", { "day 1 09:00-10:00", NULL } },
		{ "last", { "day -1 00:00-24:00", NULL } },
		{ "odd", { "day 1 - 15 / 2 00:00-24:00", NULL } },
		{ "tail", { "day 20 - -1 00:00-24:00", NULL } },
		{ "d31", { "day 31 00:00-24:00", NULL } },
		{ "wrap", { "day 28 - day 3 00:00-24:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	IN("first", lt(2026, 7, 1, 9, 59, 0));
	OUT("first", lt(2026, 7, 1, 10, 0, 0));
	DAYS_OUT("first", "2026-07-02");
	DAYS_IN("last", "2026-02-28");
	DAYS_OUT("last", "2026-02-27");
	DAYS_IN("last", "2028-02-29");
	DAYS_OUT("last", "2028-02-28");
	DAYS_IN("last", "2026-01-31 2026-04-30");
	DAYS_IN("odd", "2026-05-01 2026-05-03 2026-05-15");
	DAYS_OUT("odd", "2026-05-02 2026-05-14 2026-05-16 2026-05-17");
	DAYS_IN("tail", "2026-01-20 2026-01-31");
	DAYS_OUT("tail", "2026-01-19");
	DAYS_OUT("d31", "2026-04-30");
	DAYS_IN("d31", "2026-05-31");
	NEXT("d31", lt(2026, 4, 1, 0, 0, 0), lt(2026, 5, 31, 0, 0, 0));
	DAYS_IN("wrap", "2026-02-28 2026-03-01 2026-03-03");
	DAYS_OUT("wrap", "2026-03-04 2026-02-27");
}

/* --- month dates ------------------------------------------------------ */

static void
test_timeperiod_month_dates(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "xmas", { "december 25 00:00-24:00", NULL } },
		{ "jul", { "july 10 - 15 00:00-24:00", NULL } },
		{ "spring", { "april 10 - may 15 00:00-24:00", NULL } },
		{ "feblast", { "february -1 00:00-24:00", NULL } },
		{ "newyear", { "december 30 - january 2 00:00-24:00", NULL } },
		{ "julskip", { "july 10 - 15 / 2 00:00-24:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	DAYS_IN("xmas", "2026-12-25 2030-12-25");
	DAYS_OUT("xmas", "2026-12-24");
	DAYS_IN("jul", "2026-07-10 2026-07-15");
	DAYS_OUT("jul", "2026-07-09 2026-07-16");
	DAYS_IN("spring", "2026-04-10 2026-04-30 2026-05-15");
	DAYS_OUT("spring", "2026-05-16 2026-04-09");
	DAYS_IN("feblast", "2026-02-28 2028-02-29");
	DAYS_OUT("feblast", "2028-02-28");
	/* 2026-01-02: in the range that began in 2025. */
	DAYS_IN("newyear", "2026-12-31 2027-01-01 2026-01-02");
	DAYS_OUT("newyear", "2026-01-03 2026-12-29");
	DAYS_IN("julskip", "2026-07-10 2026-07-12 2026-07-14");
	DAYS_OUT("julskip", "2026-07-11 2026-07-13 2026-07-15");
}

/* --- weekday N [month] ------------------------------------------------ */

static void
test_timeperiod_weekdays_of_every_month(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "mon3", { "monday 3 00:00-24:00", NULL } },
		{ "fri-2", { "friday -2 00:00-24:00", NULL } },
		{ "span", { "monday 3 - thursday 4 00:00-24:00", NULL } },
		{ "mon5", { "monday 5 00:00-24:00", NULL } },
		{ "thu", { "thursday 2 - 4 00:00-24:00", NULL } },
		{ "turn", { "friday -1 - monday 1 00:00-24:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	DAYS_IN("mon3", "2026-03-16 2026-04-20");
	DAYS_OUT("mon3", "2026-03-09 2026-03-23");
	DAYS_IN("fri-2", "2026-01-23 2026-04-17");
	DAYS_OUT("fri-2", "2026-01-30");
	DAYS_IN("span", "2026-03-16 2026-03-26");
	DAYS_OUT("span", "2026-03-15 2026-03-27");
	DAYS_IN("span", "2026-04-21");
	DAYS_OUT("span", "2026-04-24");
	DAYS_IN("mon5", "2026-03-30");
	NEXT("mon5", lt(2026, 4, 1, 0, 0, 0), lt(2026, 6, 29, 0, 0, 0));
	DAYS_IN("thu", "2026-03-12 2026-03-20 2026-03-26");
	DAYS_OUT("thu", "2026-03-11 2026-03-27");
	DAYS_IN("turn", "2026-01-30 2026-02-01 2026-02-02");
	DAYS_OUT("turn", "2026-02-03 2026-01-29");
}

static void
test_timeperiod_weekdays_of_a_named_month(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "thanks", { "thursday -1 november 00:00-24:00", NULL } },
		{ "thanks4", { "thursday 4 november 00:00-24:00", NULL } },
		{ "labor", { "monday 1 september 00:00-24:00", NULL } },
		{ "winter", { "monday 1 january - thursday 4 february / 3 "
		    "00:00-24:00", NULL } },
		{ "holidays", { "monday -1 december - friday 1 january "
		    "00:00-24:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	DAYS_IN("thanks", "2026-11-26");
	DAYS_OUT("thanks", "2026-11-19 2026-10-29");
	DAYS_IN("thanks4", "2026-11-26");
	DAYS_IN("labor", "2026-09-07");
	DAYS_OUT("labor", "2026-09-01");
	/* 2026-01-05 to 2026-02-26, every third day. */
	DAYS_IN("winter", "2026-01-05 2026-01-08");
	DAYS_OUT("winter", "2026-01-06");
	DAYS_IN("winter", "2026-02-25");
	DAYS_OUT("winter", "2026-02-26 2026-01-02 2026-03-02");
	/* 2026-12-28 to 2027-01-01. */
	DAYS_IN("holidays", "2026-12-28 2027-01-01");
	DAYS_OUT("holidays", "2027-01-02 2026-12-27");
}

/* --- precedence ------------------------------------------------------- */

static void
test_timeperiod_exceptions_override_weekdays(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "work", { WORKWEEK, "december 25 00:00-00:00",
		    "day 1 12:00-13:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	/* 2026-12-25 is a Friday: the holiday claims the day, no time. */
	OUT("work", lt(2026, 12, 25, 12, 0, 0));
	IN("work", lt(2026, 12, 24, 12, 0, 0));
	/* 2026-06-01 is a Monday: "day 1" replaces its hours. */
	IN("work", lt(2026, 6, 1, 12, 30, 0));
	OUT("work", lt(2026, 6, 1, 10, 0, 0));
	/* 2026-08-01 is a Saturday: an exception adds a day. */
	IN("work", lt(2026, 8, 1, 12, 30, 0));
	OUT("work", lt(2026, 8, 8, 12, 30, 0));
	NEXT("work", lt(2026, 12, 24, 18, 0, 0), lt(2026, 12, 28, 9, 0, 0));
}

static void
test_timeperiod_exception_kinds_in_nagios_order(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		/* Written weakest first: the order of kinds still decides. */
		{ "kinds", { "monday 1 14:00-15:00", "day 1 08:00-09:00",
		    "june 1 16:00-17:00", "2026-06-01 10:00-11:00", NULL } },
		{ "order", { "day 1 08:00-09:00", "day 1 - 5 10:00-11:00",
		    NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	/* 2026-06-01: a Monday, day 1, june 1 and the date itself. */
	IN("kinds", lt(2026, 6, 1, 10, 30, 0));
	OUT("kinds", lt(2026, 6, 1, 8, 30, 0));
	OUT("kinds", lt(2026, 6, 1, 14, 30, 0));
	OUT("kinds", lt(2026, 6, 1, 16, 30, 0));
	/* 2027-06-01: june 1 beats day 1. */
	IN("kinds", lt(2027, 6, 1, 16, 30, 0));
	OUT("kinds", lt(2027, 6, 1, 8, 30, 0));
	/* 2026-07-01, a Wednesday: day 1. */
	IN("kinds", lt(2026, 7, 1, 8, 30, 0));
	/* 2026-07-06, the first Monday: only "monday 1" matches. */
	IN("kinds", lt(2026, 7, 6, 14, 30, 0));
	OUT("kinds", lt(2026, 7, 6, 8, 30, 0));
	/* Same kind: the line written first wins on the 1st. */
	IN("order", lt(2026, 3, 1, 8, 30, 0));
	OUT("order", lt(2026, 3, 1, 10, 30, 0));
	IN("order", lt(2026, 3, 2, 10, 30, 0));
}

/* --- exclude ---------------------------------------------------------- */

static void
test_timeperiod_exclude_removes_time(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "offhours", { ALLWEEK, "exclude work", NULL } },
		{ "work", { WORKWEEK, NULL } },
		{ "weekend", { "saturday 00:00-24:00", "sunday 00:00-24:00",
		    NULL } },
		{ "nights", { ALLWEEK, "exclude work, weekend", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	OUT("offhours", lt(2026, 1, 5, 10, 0, 0));
	IN("offhours", lt(2026, 1, 5, 18, 0, 0));
	IN("offhours", lt(2026, 1, 10, 12, 0, 0));
	NEXT("offhours", lt(2026, 1, 5, 10, 0, 0), lt(2026, 1, 5, 17, 0, 0));
	OUT("nights", lt(2026, 1, 10, 12, 0, 0));
	OUT("nights", lt(2026, 1, 5, 10, 0, 0));
	IN("nights", lt(2026, 1, 5, 8, 59, 0));
	IN("nights", lt(2026, 1, 9, 17, 0, 0));
	/* Saturday: the next time is after the weekend. */
	NEXT("nights", lt(2026, 1, 10, 12, 0, 0), lt(2026, 1, 12, 0, 0, 0));
}

static void
test_timeperiod_nested_exclude(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "a", { ALLWEEK, "exclude b", NULL } },
		{ "b", { "december 1 - 31 00:00-24:00", "exclude c", NULL } },
		{ "c", { "december 25 00:00-24:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	DAYS_IN("a", "2026-11-30");
	DAYS_OUT("a", "2026-12-24");
	DAYS_IN("a", "2026-12-25"); /* excluded from the exclusion */
	DAYS_OUT("a", "2026-12-26");
	DAYS_IN("a", "2027-01-01");
	NEXT("a", lt(2026, 12, 1, 0, 0, 0), lt(2026, 12, 25, 0, 0, 0));
	NEXT("a", lt(2026, 12, 25, 23, 0, 0), lt(2026, 12, 25, 23, 0, 0));
	NEXT("a", lt(2026, 12, 26, 0, 0, 0), lt(2027, 1, 1, 0, 0, 0));
}

static void
test_timeperiod_exclude_loops_are_rejected(void **state)
{
	struct fx *f = *state;
	static const struct def loop2[] = {
		{ "a", { ALLWEEK, "exclude b", NULL } },
		{ "b", { "exclude a", NULL } },
		{ NULL, { NULL } },
	};
	static const struct def self[] = {
		{ "s", { "monday 09:00-10:00", "exclude s", NULL } },
		{ NULL, { NULL } },
	};
	static const struct def loop3[] = {
		{ "x", { "exclude y", NULL } },
		{ "y", { "exclude z", NULL } },
		{ "z", { "exclude ok,x", NULL } },
		{ "ok", { "monday 09:00-10:00", NULL } },
		{ NULL, { NULL } },
	};

	assert_int_equal(fx_compile(f, loop2), -EINVAL);
	assert_null(f->t);
	assert_int_equal(f->nmsgs, 1);
	assert_string_equal(f->msgs[0],
	    "timeperiod 'a': exclude loop: a -> b -> a");
	assert_int_equal(fx_compile(f, self), -EINVAL);
	assert_int_equal(f->nmsgs, 1);
	assert_string_equal(f->msgs[0],
	    "timeperiod 's': exclude loop: s -> s");
	assert_int_equal(fx_compile(f, loop3), -EINVAL);
	assert_int_equal(f->nmsgs, 1);
	assert_string_equal(f->msgs[0],
	    "timeperiod 'x': exclude loop: x -> y -> z -> x");
}

static void
test_timeperiod_exclude_of_unknown_period(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "a", { ALLWEEK, "exclude nope", NULL } },
		{ NULL, { NULL } },
	};

	assert_int_equal(fx_compile(f, defs), -EINVAL);
	assert_null(f->t);
	assert_int_equal(f->nmsgs, 1);
	assert_string_equal(f->msgs[0],
	    "timeperiod 'a': unknown timeperiod 'nope' in exclude");
}

/* --- timeperiod_next() ------------------------------------------------ */

static void
test_timeperiod_next_across_weeks_months_years(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "work", { WORKWEEK, NULL } },
		{ "first", { "day 1 09:00-10:00", NULL } },
		{ "ny", { "january 1 00:00-24:00", NULL } },
		{ "past", { "2025-12-25 00:00-24:00", NULL } },
		{ "far", { "2027-06-01 00:00-24:00", NULL } },
		{ "leap", { "february 29 06:00-07:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	NEXT("work", lt(2026, 1, 9, 18, 0, 0), lt(2026, 1, 12, 9, 0, 0));
	NEXT("work", lt(2026, 1, 12, 8, 0, 0), lt(2026, 1, 12, 9, 0, 0));
	NEXT("work", lt(2026, 1, 12, 9, 30, 0), lt(2026, 1, 12, 9, 30, 0));
	NEXT("work", lt(2026, 12, 31, 17, 0, 0), lt(2027, 1, 1, 9, 0, 0));
	NEXT("first", lt(2026, 1, 15, 0, 0, 0), lt(2026, 2, 1, 9, 0, 0));
	NEXT("first", lt(2026, 12, 1, 10, 0, 0), lt(2027, 1, 1, 9, 0, 0));
	NEXT("ny", lt(2026, 6, 1, 0, 0, 0), lt(2027, 1, 1, 0, 0, 0));
	NEXT("past", lt(2026, 1, 1, 0, 0, 0), -1);
	/* The horizon: a year and a day. */
	NEXT("far", lt(2026, 1, 1, 0, 0, 0), -1);
	NEXT("far", lt(2026, 6, 2, 0, 0, 0), lt(2027, 6, 1, 0, 0, 0));
	NEXT("leap", lt(2026, 3, 1, 0, 0, 0), -1);
	NEXT("leap", lt(2027, 3, 1, 0, 0, 0), lt(2028, 2, 29, 6, 0, 0));
}

/* --- days of 23 and 25 hours ------------------------------------------ */

static void
test_timeperiod_berlin_spring_forward(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "sun", { "sunday 00:00-24:00", NULL } },
		{ "gap", { "sunday 02:00-03:00", NULL } },
		{ "gap2", { "sunday 02:30-04:00", NULL } },
		{ "late", { "sunday 23:00-24:00", NULL } },
		{ "mon", { "monday 00:00-01:00", NULL } },
		{ "skip", { "2026-03-01 / 7 12:00-13:00", NULL } },
		{ NULL, { NULL } },
	};

	fx_tz("Europe/Berlin");
	fx_compile_ok(f, defs);
	/* 2026-03-29: 02:00 CET (01:00 UTC) becomes 03:00 CEST. */
	IN("sun", ut(2026, 3, 28, 23, 0, 0));  /* 00:00 CET */
	IN("sun", ut(2026, 3, 29, 0, 59, 59)); /* 01:59:59 CET */
	IN("sun", ut(2026, 3, 29, 1, 0, 0));   /* 03:00 CEST */
	IN("sun", ut(2026, 3, 29, 21, 59, 59)); /* 23:59:59 CEST */
	OUT("sun", ut(2026, 3, 29, 22, 0, 0));  /* monday */
	OUT("sun", ut(2026, 3, 28, 22, 59, 59));
	/* 02:00-03:00 does not exist that day. */
	OUT("gap", ut(2026, 3, 29, 1, 0, 0));
	NEXT("gap", ut(2026, 3, 28, 23, 0, 0), ut(2026, 4, 5, 0, 0, 0));
	/* 02:30-04:00 starts when the clock reads 03:00. */
	NEXT("gap2", ut(2026, 3, 28, 23, 0, 0), ut(2026, 3, 29, 1, 0, 0));
	OUT("gap2", ut(2026, 3, 29, 0, 59, 59));
	IN("gap2", ut(2026, 3, 29, 1, 59, 59));
	OUT("gap2", ut(2026, 3, 29, 2, 0, 0));
	/* 23:00 is 22 hours after midnight, monday 00:00 23 hours. */
	NEXT("late", ut(2026, 3, 28, 23, 0, 0), ut(2026, 3, 29, 21, 0, 0));
	NEXT("mon", ut(2026, 3, 29, 10, 0, 0), ut(2026, 3, 29, 22, 0, 0));
	/* Skips count calendar days across the change. */
	IN("skip", lt(2026, 3, 29, 12, 30, 0));
	IN("skip", lt(2026, 4, 5, 12, 30, 0));
	OUT("skip", lt(2026, 3, 30, 12, 30, 0));
	NEXT("skip", lt(2026, 3, 22, 13, 0, 0), lt(2026, 3, 29, 12, 0, 0));
}

static void
test_timeperiod_berlin_fall_back(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "sun", { "sunday 00:00-24:00", NULL } },
		{ "rep", { "sunday 02:00-03:00", NULL } },
		{ "late", { "sunday 23:00-24:00", NULL } },
		{ "half", { "sunday 02:30-02:45", NULL } },
		{ NULL, { NULL } },
	};

	fx_tz("Europe/Berlin");
	fx_compile_ok(f, defs);
	/* 2026-10-25: 03:00 CEST (01:00 UTC) becomes 02:00 CET. */
	IN("rep", ut(2026, 10, 25, 0, 0, 0));   /* 02:00 CEST */
	IN("rep", ut(2026, 10, 25, 0, 59, 59)); /* 02:59:59 CEST */
	IN("rep", ut(2026, 10, 25, 1, 0, 0));   /* 02:00 CET */
	IN("rep", ut(2026, 10, 25, 1, 59, 59)); /* 02:59:59 CET */
	OUT("rep", ut(2026, 10, 25, 2, 0, 0));  /* 03:00 CET */
	OUT("rep", ut(2026, 10, 24, 23, 59, 59)); /* 01:59:59 CEST */
	NEXT("rep", ut(2026, 10, 25, 0, 30, 0), ut(2026, 10, 25, 0, 30, 0));
	NEXT("rep", ut(2026, 10, 24, 22, 0, 0), ut(2026, 10, 25, 0, 0, 0));
	NEXT("rep", ut(2026, 10, 25, 2, 0, 0), ut(2026, 11, 1, 1, 0, 0));
	/* After the first 02:45, the repeated 02:30 comes next. */
	NEXT("half", ut(2026, 10, 25, 0, 50, 0), ut(2026, 10, 25, 1, 30, 0));
	OUT("half", ut(2026, 10, 25, 0, 50, 0));
	/* 23:00 is 24 hours after midnight; the day ends 25 hours in. */
	NEXT("late", ut(2026, 10, 24, 22, 0, 0), ut(2026, 10, 25, 22, 0, 0));
	IN("sun", ut(2026, 10, 25, 22, 59, 59)); /* 23:59:59 CET */
	OUT("sun", ut(2026, 10, 25, 23, 0, 0));
	IN("sun", ut(2026, 10, 24, 22, 0, 0)); /* 00:00 CEST */
	OUT("sun", ut(2026, 10, 24, 21, 59, 59));
}

/* Havana moves the clock at midnight: 2026-03-08 begins at 01:00, and
 * on 2026-11-01 00:00-00:59 happens twice. */
static void
test_timeperiod_midnight_skipped_or_repeated(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "sun", { "sunday 00:00-24:00", NULL } },
		{ "early", { "sunday 00:15-00:30", NULL } },
		{ NULL, { NULL } },
	};

	fx_tz("America/Havana");
	fx_compile_ok(f, defs);
	NEXT("sun", ut(2026, 3, 7, 17, 0, 0), ut(2026, 3, 8, 5, 0, 0));
	OUT("sun", ut(2026, 3, 8, 4, 59, 59)); /* saturday 23:59:59 */
	IN("sun", ut(2026, 3, 8, 5, 0, 0));    /* sunday 01:00 CDT */
	NEXT("early", ut(2026, 3, 7, 17, 0, 0), ut(2026, 3, 15, 4, 15, 0));
	NEXT("sun", ut(2026, 10, 31, 16, 0, 0), ut(2026, 11, 1, 4, 0, 0));
	IN("sun", ut(2026, 11, 1, 5, 30, 0)); /* the second 00:30 */
	OUT("sun", ut(2026, 11, 1, 3, 59, 59));
	NEXT("early", ut(2026, 11, 1, 4, 40, 0), ut(2026, 11, 1, 5, 15, 0));
}

/* --- errors ----------------------------------------------------------- */

static void
assert_line_error(const char *line, const char *want)
{
	char err[256];

	err[0] = '\0';
	assert_int_equal(timeperiod_line_check(line, err, sizeof(err)),
	    -EINVAL);
	if (strstr(err, want) == NULL)
		fail_msg("'%s': got \"%s\", want \"%s\"", line, err, want);
}

static void
test_timeperiod_bad_lines_each_have_a_clear_error(void **state)
{
	(void)state;
	assert_line_error("mondy 09:00-17:00", "unknown day 'mondy'");
	assert_line_error("monday 25:00-26:00",
	    "invalid time range '25:00-26:00' (expected HH:MM-HH:MM");
	assert_line_error("monday 09:00-24:30", "invalid time range");
	assert_line_error("monday 9-17", "no time ranges");
	assert_line_error("monday 09:00", "invalid time range '09:00'");
	assert_line_error("monday 17:00-09:00",
	    "time range '17:00-09:00' ends before it starts");
	assert_line_error("monday 09:00-10:00,", "empty time range");
	assert_line_error("monday", "no time ranges");
	assert_line_error("09:00-10:00", "no day before the time ranges");
	assert_line_error("day 32 00:00-24:00", "day 32 is out of range");
	assert_line_error("day 0 00:00-24:00", "day 0 is out of range");
	assert_line_error("day x 00:00-24:00",
	    "expected a day of the month, not 'x'");
	assert_line_error("day 00:00-24:00",
	    "expected a day of the month at the end");
	assert_line_error("day day 5 00:00-24:00",
	    "expected a day of the month, not 'day'");
	assert_line_error("february 30 00:00-24:00",
	    "february 30 is out of range (1 to 29, or -1 to -29");
	assert_line_error("april 10 - may 32 00:00-24:00", "may 32");
	assert_line_error("monday 6 00:00-24:00", "monday 6 is out of range");
	assert_line_error("monday -6 00:00-24:00", "monday -6 is out of range");
	assert_line_error("2026-02-30 00:00-24:00",
	    "invalid date '2026-02-30'");
	assert_line_error("2026-13-01 00:00-24:00", "invalid date");
	assert_line_error("2026-1-01 00:00-24:00", "unknown day '2026-1-01'");
	assert_line_error("2026-12-24 - 2026-12-01 00:00-24:00",
	    "the end date 2026-12-01 is before the start date 2026-12-24");
	assert_line_error("2026-12-24 - christmas 00:00-24:00",
	    "expected a date YYYY-MM-DD, not 'christmas'");
	assert_line_error("day 1 - 15 / 0 00:00-24:00",
	    "expected a number of days (1 to 36600) after '/', not '0'");
	assert_line_error("day 1 - 15 / 00:00-24:00",
	    "expected a number of days (1 to 36600) after '/' at the end");
	assert_line_error("day 1 foo 09:00-10:00",
	    "unexpected 'foo' after the day");
	assert_line_error("thursday -1 november - friday 09:00-10:00",
	    "expected which week");
	assert_line_error("thursday -1 november - 2 09:00-10:00",
	    "expected a weekday after '-'");
	assert_line_error("monday 1 january - friday 2 09:00-10:00",
	    "expected a month after 'friday 2'");
	assert_line_error("monday / 2 09:00-10:00", "expected which week");
}

static void
test_timeperiod_bad_lines_are_reported_with_name_and_line(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "good", { WORKWEEK, NULL } },
		{ "bad", { "mondy 09:00-17:00", "tuesday 09:00-17:00",
		    "day 32 00:00-24:00", NULL } },
		{ "worse", { "friday 17:00-09:00", "exclude good", NULL } },
		{ NULL, { NULL } },
	};

	assert_int_equal(fx_compile(f, defs), -EINVAL);
	assert_null(f->t);
	assert_int_equal(f->nmsgs, 3);
	assert_string_equal(f->msgs[0], "timeperiod 'bad': invalid line "
	    "'mondy 09:00-17:00': unknown day 'mondy' (expected a weekday, "
	    "a month, 'day' or a date YYYY-MM-DD)");
	assert_non_null(strstr(f->msgs[1], "timeperiod 'bad': invalid line "
	    "'day 32 00:00-24:00': day 32 is out of range"));
	assert_non_null(strstr(f->msgs[2], "timeperiod 'worse': invalid line "
	    "'friday 17:00-09:00': time range"));
}

static void
test_timeperiod_good_lines_pass_the_line_check(void **state)
{
	static const char *const good[] = {
		"monday 00:00-09:00,17:00-24:00", "sunday 0:00-24:00",
		"monday 09:00-12:00, 13:00-17:00", "2026-12-25 00:00-00:00",
		"2026-12-24 - 2027-01-02 00:00-24:00",
		"2026-01-01 / 7 00:00-24:00", "day 1 00:00-24:00",
		"day -1 00:00-24:00", "day 1 - 15 / 2 00:00-24:00",
		"day 20 - -1 00:00-24:00", "day 4 - day 6 / 2 00:00-24:00",
		"december 25 00:00-24:00", "july 10 - 15 00:00-24:00",
		"april 10 - may 15 / 6 00:00-24:00", "february -1 08:00-09:00",
		"monday 3 00:00-24:00", "friday -2 00:00-24:00",
		"monday 3 - thursday 4 / 2 00:00-24:00",
		"thursday -1 november 00:00-24:00",
		"tuesday 1 april - friday 2 may / 6 00:00-24:00",
		"monday 1 january - thursday 4 february / 3 00:00-24:00",
		"Monday 09:00-17:00",
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (timeperiod_line_check(good[i], err, sizeof(err)) != 0)
			fail_msg("'%s': %s", good[i], err);
}

/* --- the table -------------------------------------------------------- */

static void
test_timeperiod_table_lookups(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "zeta", { "monday 09:00-10:00", NULL } },
		{ "alpha", { "tuesday 09:00-10:00", NULL } },
		{ "mid", { NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	assert_ptr_equal(timeperiod_find(f->t, "zeta"), timeperiod_at(f->t, 0));
	assert_ptr_equal(timeperiod_find(f->t, "alpha"),
	    timeperiod_at(f->t, 1));
	assert_ptr_equal(timeperiod_find(f->t, "mid"), timeperiod_at(f->t, 2));
	assert_null(timeperiod_find(f->t, "nope"));
	assert_null(timeperiod_at(f->t, 3));
	assert_string_equal(timeperiod_name(timeperiod_at(f->t, 1)), "alpha");
	IN("alpha", lt(2026, 1, 6, 9, 30, 0));
	timeperiod_table_free(NULL);
}

/* --- Debian's nagios4 samples ----------------------------------------- */

/* The definitions of /etc/nagios4/objects/timeperiods.cfg as the loader
 * keeps them: 24x7_sans_holidays uses us-holidays, so it gets its own
 * weekday lines, then the holiday lines. */
#define US_HOLIDAYS "january 1 00:00-00:00", "monday -1 may 00:00-00:00", \
	"july 4 00:00-00:00", "monday 1 september 00:00-00:00", \
	"thursday 4 november 00:00-00:00", "december 25 00:00-00:00"

static void
test_timeperiod_nagios_sample_forms(void **state)
{
	struct fx *f = *state;
	static const struct def defs[] = {
		{ "24x7", { ALLWEEK, NULL } },
		{ "workhours", { WORKWEEK, NULL } },
		{ "none", { NULL } },
		{ "us-holidays", { US_HOLIDAYS, NULL } },
		{ "24x7_sans_holidays", { ALLWEEK, US_HOLIDAYS, NULL } },
		{ NULL, { NULL } },
	};

	fx_compile_ok(f, defs);
	DAYS_IN("24x7", "2026-12-25");
	DAYS_OUT("us-holidays", "2026-12-25");
	NEXT("us-holidays", lt(2026, 1, 1, 0, 0, 0), -1);
	NEXT("none", lt(2026, 1, 1, 0, 0, 0), -1);
	DAYS_IN("24x7_sans_holidays", "2026-12-24");
	DAYS_OUT("24x7_sans_holidays", "2026-12-25 2026-05-25"); /* Memorial Day */
	DAYS_OUT("24x7_sans_holidays", "2026-09-07"); /* Labor Day */
	DAYS_OUT("24x7_sans_holidays", "2026-11-26"); /* Thanksgiving */
	DAYS_IN("24x7_sans_holidays", "2026-11-27");
	NEXT("24x7_sans_holidays", lt(2026, 7, 4, 10, 0, 0),
	    lt(2026, 7, 5, 0, 0, 0));
	OUT("workhours", lt(2026, 1, 10, 12, 0, 0));
	IN("workhours", lt(2026, 1, 9, 12, 0, 0));
}

/* The file itself, through the configuration loader. */
static void
test_timeperiod_debian_nagios4_sample_file_compiles(void **state)
{
	static const char sample[] = "/etc/nagios4/objects/timeperiods.cfg";
	struct fx *f = *state;
	char dir[] = "/tmp/test_timeperiod.XXXXXX", path[64];
	struct config *cfg = NULL;
	const struct tp *tp;
	FILE *fp;

	if (access(sample, R_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.cfg", dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "cfg_file=%s\npharos_user=nobody\n", sample);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(conf_load(path, &cfg), 0);
	assert_true(cfg->objects.ntimeperiods >= 5);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	if (timeperiod_table_new(&cfg->objects, fx_report, f, &f->t) != 0)
		fail_msg("%s", f->msgs[0]);
	assert_non_null(tp = timeperiod_find(f->t, "24x7_sans_holidays"));
	assert_true(timeperiod_in(tp, lt(2026, 12, 24, 12, 0, 0)));
	assert_false(timeperiod_in(tp, lt(2026, 12, 25, 12, 0, 0)));
	assert_false(timeperiod_in(tp, lt(2026, 11, 26, 12, 0, 0)));
	assert_non_null(tp = timeperiod_find(f->t, "none"));
	assert_int_equal((long long)timeperiod_next(tp, 0), -1);
	conf_free(cfg);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_timeperiod_weekday_ranges_are_half_open),
		T(test_timeperiod_24_00_ends_at_midnight),
		T(test_timeperiod_first_line_for_a_weekday_wins),
		T(test_timeperiod_unset_is_always_empty_is_never),
		T(test_timeperiod_calendar_dates),
		T(test_timeperiod_calendar_dates_with_skip),
		T(test_timeperiod_days_of_every_month),
		T(test_timeperiod_month_dates),
		T(test_timeperiod_weekdays_of_every_month),
		T(test_timeperiod_weekdays_of_a_named_month),
		T(test_timeperiod_exceptions_override_weekdays),
		T(test_timeperiod_exception_kinds_in_nagios_order),
		T(test_timeperiod_exclude_removes_time),
		T(test_timeperiod_nested_exclude),
		T(test_timeperiod_exclude_loops_are_rejected),
		T(test_timeperiod_exclude_of_unknown_period),
		T(test_timeperiod_next_across_weeks_months_years),
		T(test_timeperiod_berlin_spring_forward),
		T(test_timeperiod_berlin_fall_back),
		T(test_timeperiod_midnight_skipped_or_repeated),
		T(test_timeperiod_bad_lines_each_have_a_clear_error),
		T(test_timeperiod_bad_lines_are_reported_with_name_and_line),
		T(test_timeperiod_good_lines_pass_the_line_check),
		T(test_timeperiod_table_lookups),
		T(test_timeperiod_nagios_sample_forms),
		T(test_timeperiod_debian_nagios4_sample_file_compiles),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
