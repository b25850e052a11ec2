/*
 * timeperiod: Nagios time periods (the "timeperiod" object), compiled once
 * from the object model and then queried: is a time inside the period, and
 * when does it next begin. docs/timeperiods.md lists the syntax.
 *
 * A compiled table is immutable and self-contained: it copies what it needs
 * from the struct objects, which may be freed afterwards. Queries use the
 * process's local time zone (localtime_r, so TZ and tzset() apply) and
 * read no other state: they may run from any thread.
 *
 * A time period that is not set (NULL) means "always", as in Nagios: an
 * object without a notification_period may notify at any time.
 */
#ifndef PHAROS_TIMEPERIOD_H
#define PHAROS_TIMEPERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct objects;
struct timeperiod;

/* One compiled time period. Borrowed from its table; lives as long as it. */
struct tp;

/* The compiled time periods of one struct objects. */
struct tp_table;

/* How far timeperiod_next() looks ahead: the day of t and this many days
 * after it (a year, and the same date a year later). */
#define TIMEPERIOD_HORIZON_DAYS 366

/*
 * Receives one problem found while compiling. src is the time period the
 * problem is in (borrowed, valid during the call: use src->loc for the
 * file and line of its "define"); msg names the time period and quotes the
 * bad line, e.g. "timeperiod 'workhours': invalid line 'day 32
 * 00:00-24:00': day 32 is out of range (1 to 31, or -1 to -31 counting
 * from the end of the month)".
 */
typedef void timeperiod_report_fn(void *arg, const struct timeperiod *src,
    const char *msg);

/*
 * Compile every time period of o. Each string of a period's `lines` is one
 * day line as the loader keeps it ("monday 09:00-17:00",
 * "day 1 - 15 / 2 08:00-09:00", "thursday -1 november 00:00-24:00") or an
 * exclude line "exclude name1,name2" naming other periods of o (struct
 * timeperiod has no field for exclude: the loader passes it as a line).
 *
 * Returns 0 and sets *out (caller frees with timeperiod_table_free()).
 * Returns -EINVAL when any line is bad, an exclude names an unknown period
 * or excludes loop: every problem was passed to report (which may be NULL)
 * and *out is NULL. Returns -ENOMEM (*out NULL) when memory ran out.
 */
int timeperiod_table_new(const struct objects *o, timeperiod_report_fn *report,
    void *arg, struct tp_table **out) __attribute__((warn_unused_result));

/* Free a table and every struct tp in it. NULL is a no-op. */
void timeperiod_table_free(struct tp_table *t);

/* The period named name, or NULL when there is none (borrowed). */
const struct tp *timeperiod_find(const struct tp_table *t, const char *name);

/* The period compiled from o->timeperiods[i], or NULL when i is out of
 * range (borrowed). */
const struct tp *timeperiod_at(const struct tp_table *t, size_t i);

/* The period's timeperiod_name (borrowed from the table). */
const char *timeperiod_name(const struct tp *tp);

/*
 * Check one time period line on its own, as timeperiod_table_new() would
 * ("exclude" lines excepted: names are checked against a table). Returns 0,
 * or -EINVAL with the reason in err (without the line or period name).
 * Lets a loader report the file line a bad value is on.
 */
int timeperiod_line_check(const char *line, char *err, size_t errlen);

/*
 * Whether t lies inside tp. Time ranges are local wall-clock times: on a
 * day of 23 or 25 hours "00:00-24:00" still covers the whole day, times the
 * clock skips are never inside, and times it repeats are inside both
 * times. NULL (an unset period) is always true.
 */
bool timeperiod_in(const struct tp *tp, time_t t);

/*
 * The first time at or after t that lies inside tp: t itself when
 * timeperiod_in(tp, t), else the start of the next valid range. Returns
 * (time_t)-1 when no such time exists within TIMEPERIOD_HORIZON_DAYS (the
 * period "none", a date that has passed). NULL returns t.
 */
time_t timeperiod_next(const struct tp *tp, time_t t);

#endif
