/*
 * test_notify: the notification engine on a loaded configuration
 * (tests/unit/conf/notify/engine.cfg), with a fake wall clock and
 * recording callbacks. States are set on the objects as the state engine
 * would set them, then the engine is told a check result was applied.
 *
 * The clock runs in UTC from Monday 2024-01-01 10:00.
 */
#include <limits.h>
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
#include "notify.h"
#include "timeperiod.h"

#define MONDAY_10H INT64_C(1704103200) /* 2024-01-01 10:00 UTC */
#define MAX_RECORDS 64

struct record {
	char contact[32];
	enum notify_type type;
	int number;
	char line[512]; /* argv joined by spaces */
};

struct fx {
	char tmp[64];
	char main[128];
	struct config *cfg;
	struct tp_table *tps;
	struct notify *n;
	int64_t now;
	/* What the callbacks answer: the one object (host or service) that
	 * is acknowledged, in downtime, flapping. */
	const void *acked, *downtime, *flapping;
	struct record runs[MAX_RECORDS];
	size_t nruns;
	char logs[MAX_RECORDS][512];
	size_t nlogs;
};

static bool
fx_is(const void *which, const struct host *h, const struct service *s)
{
	return which != NULL && which == (s != NULL ? (const void *)s :
	    (const void *)h);
}

static bool
fx_downtime(void *arg, const struct host *h, const struct service *s)
{
	return fx_is(((struct fx *)arg)->downtime, h, s);
}

static bool
fx_flapping(void *arg, const struct host *h, const struct service *s)
{
	return fx_is(((struct fx *)arg)->flapping, h, s);
}

static bool
fx_acked(void *arg, const struct host *h, const struct service *s)
{
	return fx_is(((struct fx *)arg)->acked, h, s);
}

static void
fx_run(void *arg, const struct notify_job *job)
{
	struct fx *f = arg;
	struct record *r;
	size_t i, off = 0;

	assert_true(f->nruns < MAX_RECORDS);
	r = &f->runs[f->nruns++];
	snprintf(r->contact, sizeof(r->contact), "%s", job->contact->name);
	r->type = job->type;
	r->number = job->number;
	for (i = 0; job->argv[i] != NULL && off < sizeof(r->line); i++)
		off += (size_t)snprintf(r->line + off, sizeof(r->line) - off,
		    "%s%s", i > 0 ? " " : "", job->argv[i]);
}

static void
fx_log(void *arg, const char *line)
{
	struct fx *f = arg;

	assert_true(f->nlogs < MAX_RECORDS);
	snprintf(f->logs[f->nlogs++], sizeof(f->logs[0]), "%s", line);
}

static int
fx_setup(void **state)
{
	struct notify_ops ops = { fx_downtime, fx_flapping, fx_acked, fx_run,
		fx_log, NULL };
	struct notify_params p = { .enabled = true };
	const char *top = getenv("top_srcdir");
	struct fx *f = calloc(1, sizeof(*f));
	char dir[PATH_MAX], path[PATH_MAX];
	FILE *fp;

	if (f == NULL)
		return -1;
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(path, sizeof(path), "%s/tests/unit/conf/notify",
	    top != NULL && *top != '\0' ? top : ".");
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_notify.XXXXXX");
	if (realpath(path, dir) == NULL || mkdtemp(f->tmp) == NULL)
		return -1;
	snprintf(f->main, sizeof(f->main), "%s/main.cfg", f->tmp);
	if ((fp = fopen(f->main, "w")) == NULL)
		return -1;
	fprintf(fp, "cfg_file=%s/engine.cfg\n", dir);
	fclose(fp);
	if (conf_load(f->main, &f->cfg) != 0 || f->cfg->nerrors != 0) {
		conf_print_msgs(f->cfg, stderr);
		return -1;
	}
	if (timeperiod_table_new(&f->cfg->objects, NULL, NULL, &f->tps) != 0)
		return -1;
	ops.arg = f;
	f->now = MONDAY_10H;
	p.start_time = f->now - 3600;
	p.user_macros = f->cfg->user_macros;
	p.nuser_macros = CONF_MAX_USER_MACROS;
	if (notify_new(&f->cfg->objects, f->tps, &p, &ops, &f->n) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	notify_free(f->n);
	timeperiod_table_free(f->tps);
	conf_free(f->cfg);
	unlink(f->main);
	rmdir(f->tmp);
	free(f);
	return 0;
}

static struct host *
fx_host(struct fx *f, const char *name)
{
	struct host *h = objects_host_find(&f->cfg->objects, name);

	assert_non_null(h);
	return h;
}

static struct service *
fx_svc(struct fx *f, const char *host, const char *desc)
{
	struct service *s = objects_service_find(&f->cfg->objects, host,
	    desc);

	assert_non_null(s);
	return s;
}

/* Apply a result as the state engine would, then tell the engine. */
static void
fx_status(struct check_status *st, int state, enum state_type type,
    const char *output)
{
	st->state = state;
	st->state_type = type;
	if (type == STATE_HARD)
		st->last_hard_state = state;
	free(st->output);
	st->output = strdup(output);
	assert_non_null(st->output);
	st->has_been_checked = true;
}

static void
fx_host_result(struct fx *f, const char *name, int state,
    enum state_type type)
{
	struct host *h = fx_host(f, name);

	fx_status(&h->st, state, type, state == HOST_UP ? "PING OK" :
	    "PING CRITICAL");
	notify_host_checked(f->n, h, f->now);
}

static void
fx_svc_result(struct fx *f, const char *host, const char *desc, int state,
    enum state_type type)
{
	struct service *s = fx_svc(f, host, desc);

	fx_status(&s->st, state, type, state == SERVICE_OK ? "all good" :
	    "broken");
	notify_service_checked(f->n, s, f->now);
}

/* Move the clock to t, ticking whenever the engine asks to. */
static void
fx_advance(struct fx *f, int64_t t)
{
	int64_t next;

	while ((next = notify_next_time(f->n)) <= t) {
		if (next > f->now)
			f->now = next;
		notify_tick(f->n, f->now);
	}
	f->now = t;
}

/* How many runs for contact (NULL: any) there were from index from on. */
static size_t
fx_count(const struct fx *f, size_t from, const char *contact)
{
	size_t i, k = 0;

	for (i = from; i < f->nruns; i++)
		k += contact == NULL ||
		    strcmp(f->runs[i].contact, contact) == 0;
	return k;
}

static void
test_notify_router_down_children_unreachable_once(void **state)
{
	struct fx *f = *state;
	char name[8];
	int i;

	fx_host_result(f, "router", HOST_DOWN, STATE_HARD);
	for (i = 1; i <= 5; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		fx_host_result(f, name, HOST_UNREACHABLE, STATE_HARD);
	}
	/* Default host options are d,r,f,s: no UNREACHABLE notifications. */
	assert_int_equal(f->nruns, 1);
	assert_string_equal(f->runs[0].contact, "alice");
	assert_int_equal(f->runs[0].type, NOTIFY_PROBLEM);
	assert_string_equal(f->runs[0].line, "/bin/notify-host PROBLEM router "
	    "DOWN alice 1 noc +1-555-0101");
	assert_int_equal(f->nlogs, 1);
	assert_string_equal(f->logs[0], "HOST NOTIFICATION: alice;router;DOWN;"
	    "notify-host;PING CRITICAL");
	/* ... nor later, when their re-notification time would come. */
	fx_advance(f, f->now + 3 * 3600);
	assert_int_equal(fx_count(f, 1, NULL), 18);
	for (i = 1; i < (int)f->nruns; i++)
		assert_non_null(strstr(f->runs[i].line, " router "));
}

static void
test_notify_recovery_after_notified_problem(void **state)
{
	struct fx *f = *state;

	fx_host_result(f, "web", HOST_DOWN, STATE_SOFT);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	f->now += 60;
	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].type, NOTIFY_RECOVERY);
	/* Nagios counts the recovery too. */
	assert_int_equal(f->runs[1].number, 2);
	assert_string_equal(f->logs[1], "HOST NOTIFICATION: alice;web;UP;"
	    "notify-host;PING OK");
	assert_int_equal(notify_next_time(f->n), INT64_MAX);
	/* The next problem starts counting again. */
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 3);
	assert_int_equal(f->runs[2].number, 1);
}

static void
test_notify_no_recovery_after_soft_problem(void **state)
{
	struct fx *f = *state;

	fx_host_result(f, "web", HOST_DOWN, STATE_SOFT);
	fx_host_result(f, "web", HOST_DOWN, STATE_SOFT);
	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	fx_advance(f, f->now + 3600);
	assert_int_equal(f->nruns, 0);
	assert_int_equal(f->nlogs, 0);
}

static void
test_notify_renotifies_every_interval(void **state)
{
	struct fx *f = *state;
	int64_t t0 = f->now;

	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(notify_next_time(f->n), t0 + 600);
	fx_advance(f, t0 + 599);
	assert_int_equal(f->nruns, 1);
	/* A check result before the interval passed sends nothing. */
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	fx_advance(f, t0 + 600);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].number, 2);
	fx_advance(f, t0 + 1800);
	assert_int_equal(f->nruns, 4);
	assert_int_equal(f->runs[3].number, 4);
	assert_int_equal(notify_next_time(f->n), t0 + 2400);
}

static void
test_notify_interval_zero_notifies_once(void **state)
{
	struct fx *f = *state;
	struct notify_state ns;

	fx_host_result(f, "once", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	assert_int_equal(notify_next_time(f->n), INT64_MAX);
	fx_advance(f, f->now + 86400);
	fx_host_result(f, "once", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	notify_get_state(f->n, fx_host(f, "once"), NULL, &ns);
	assert_true(ns.no_more);
	assert_int_equal(ns.number, 1);
	/* The recovery still goes out. */
	fx_host_result(f, "once", HOST_UP, STATE_HARD);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].type, NOTIFY_RECOVERY);
}

static void
test_notify_first_notification_delay(void **state)
{
	struct fx *f = *state;
	int64_t t0 = f->now;

	fx_host_result(f, "delayed", HOST_UP, STATE_HARD);
	f->now = t0 + 60;
	fx_host_result(f, "delayed", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 0);
	/* 5 units from the last time it was UP. */
	assert_int_equal(notify_next_time(f->n), t0 + 300);
	fx_advance(f, t0 + 299);
	assert_int_equal(f->nruns, 0);
	fx_advance(f, t0 + 300);
	assert_int_equal(f->nruns, 1);
	assert_int_equal(f->runs[0].number, 1);

	/* Back before the delay passed: nothing at all, not even a
	 * recovery. */
	fx_host_result(f, "delayed", HOST_UP, STATE_HARD);
	assert_int_equal(f->nruns, 2);
	f->now += 60;
	fx_host_result(f, "delayed", HOST_DOWN, STATE_HARD);
	f->now += 120;
	fx_host_result(f, "delayed", HOST_UP, STATE_HARD);
	fx_advance(f, f->now + 3600);
	assert_int_equal(f->nruns, 2);
}

static void
test_notify_acknowledgement(void **state)
{
	struct fx *f = *state;
	struct host *web = fx_host(f, "web");
	int64_t t0 = f->now;

	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	f->now += 30;
	notify_event(f->n, web, NULL, NOTIFY_ACKNOWLEDGEMENT, "bob",
	    "on it `rm -rf`", f->now);
	f->acked = web;
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].type, NOTIFY_ACKNOWLEDGEMENT);
	/* The number does not move; outside text is stripped. */
	assert_string_equal(f->runs[1].line, "/bin/notify-host "
	    "ACKNOWLEDGEMENT web DOWN alice 1 bob noc +1-555-0101");
	assert_string_equal(f->logs[1], "HOST NOTIFICATION: alice;web;"
	    "ACKNOWLEDGEMENT (DOWN);notify-host;PING CRITICAL;bob;"
	    "on it `rm -rf`");
	/* No re-notification while acknowledged. */
	fx_advance(f, t0 + 3 * 600);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 2);
	/* The acknowledgement removed: the next check result notifies. */
	f->acked = NULL;
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 3);
	assert_int_equal(f->runs[2].number, 2);
	/* No acknowledgement of an UP host. */
	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	notify_event(f->n, web, NULL, NOTIFY_ACKNOWLEDGEMENT, "bob", NULL,
	    f->now);
	assert_int_equal(f->nruns, 4);
}

static void
test_notify_downtime_suppresses(void **state)
{
	struct fx *f = *state;
	struct host *web = fx_host(f, "web");

	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	notify_event(f->n, web, NULL, NOTIFY_DOWNTIMESTART, "bob", "patching",
	    f->now);
	f->downtime = web;
	assert_int_equal(f->nruns, 1);
	assert_int_equal(f->runs[0].type, NOTIFY_DOWNTIMESTART);
	assert_string_equal(f->logs[0], "HOST NOTIFICATION: alice;web;"
	    "DOWNTIMESTART (UP);notify-host;PING OK");
	f->now += 60;
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	fx_advance(f, f->now + 3600);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	f->downtime = NULL;
	notify_event(f->n, web, NULL, NOTIFY_DOWNTIMEEND, NULL, NULL, f->now);
	assert_int_equal(f->nruns, 2);
	assert_string_equal(f->logs[1], "HOST NOTIFICATION: alice;web;"
	    "DOWNTIMEEND (DOWN);notify-host;PING CRITICAL");
	/* Still down after the downtime: the next check notifies. */
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 3);
	assert_int_equal(f->runs[2].type, NOTIFY_PROBLEM);
	assert_int_equal(f->runs[2].number, 1);
}

static void
test_notify_flapping_suppresses(void **state)
{
	struct fx *f = *state;
	struct host *web = fx_host(f, "web");

	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	f->flapping = web;
	notify_event(f->n, web, NULL, NOTIFY_FLAPPINGSTART, NULL, NULL, f->now);
	assert_int_equal(f->nruns, 1);
	assert_string_equal(f->logs[0], "HOST NOTIFICATION: alice;web;"
	    "FLAPPINGSTART (UP);notify-host;PING OK");
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	f->flapping = NULL;
	notify_event(f->n, web, NULL, NOTIFY_FLAPPINGSTOP, NULL, NULL, f->now);
	assert_int_equal(f->nruns, 2);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 3);
}

static void
test_notify_outside_period_waits_for_it(void **state)
{
	struct fx *f = *state;
	int64_t saturday = MONDAY_10H + 5 * 86400 + 2 * 3600;
	int64_t monday9 = MONDAY_10H + 7 * 86400 - 3600;

	f->now = saturday;
	fx_host_result(f, "office", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 0);
	assert_int_equal(notify_next_time(f->n), monday9);
	fx_advance(f, monday9 - 1);
	assert_int_equal(f->nruns, 0);
	fx_advance(f, monday9);
	assert_int_equal(f->nruns, 1);
	assert_int_equal(f->runs[0].number, 1);
	assert_int_equal(notify_next_time(f->n), monday9 + 600);
}

static void
test_notify_escalation_from_third_adds_contact(void **state)
{
	struct fx *f = *state;
	int64_t t0 = f->now;

	fx_host_result(f, "esc", HOST_DOWN, STATE_HARD);
	fx_advance(f, t0 + 600);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(fx_count(f, 0, "carol"), 0);
	fx_advance(f, t0 + 1200);
	assert_int_equal(f->nruns, 4);
	assert_int_equal(f->runs[2].number, 3);
	assert_int_equal(fx_count(f, 2, "alice"), 1);
	assert_int_equal(fx_count(f, 2, "carol"), 1);
	/* The escalation's interval (5 units) from now on. */
	assert_int_equal(notify_next_time(f->n), t0 + 1200 + 300);
	/* A recovery goes to who heard of the problem. */
	fx_host_result(f, "esc", HOST_UP, STATE_HARD);
	assert_int_equal(fx_count(f, 4, "carol"), 1);
	assert_int_equal(f->runs[4].type, NOTIFY_RECOVERY);
}

static void
test_notify_service_on_down_host_not_notified(void **state)
{
	struct fx *f = *state;

	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	fx_svc_result(f, "web", "HTTP", SERVICE_CRITICAL, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	assert_int_equal(fx_count(f, 0, NULL), 1);
	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	assert_int_equal(f->nruns, 2);
	/* The host is back and the service still failing: now it is. */
	fx_svc_result(f, "web", "HTTP", SERVICE_CRITICAL, STATE_HARD);
	assert_int_equal(f->nruns, 3);
	assert_string_equal(f->runs[2].line, "/bin/notify-service PROBLEM web "
	    "HTTP CRITICAL alice 1");
	assert_string_equal(f->logs[2], "SERVICE NOTIFICATION: alice;web;HTTP;"
	    "CRITICAL;notify-service;broken");
}

static void
test_notify_dependencies_suppress(void **state)
{
	struct fx *f = *state;

	fx_host_result(f, "db", HOST_DOWN, STATE_HARD);
	fx_host_result(f, "app", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	assert_non_null(strstr(f->runs[0].line, " db "));
	assert_true(notify_deps_failed(f->n, fx_host(f, "app"), NULL, false,
	    f->now));
	assert_false(notify_deps_failed(f->n, fx_host(f, "app"), NULL, true,
	    f->now));
	/* A soft master counts with its last hard state. */
	fx_host_result(f, "db", HOST_UP, STATE_HARD);
	fx_host_result(f, "db", HOST_DOWN, STATE_SOFT);
	fx_host_result(f, "app", HOST_DOWN, STATE_HARD);
	assert_int_equal(fx_count(f, 0, NULL), 3);
	assert_non_null(strstr(f->runs[2].line, " app "));

	/* Service dependency: API depends on db's SQL (criteria c). */
	fx_host_result(f, "db", HOST_UP, STATE_HARD);
	fx_host_result(f, "app", HOST_UP, STATE_HARD);
	f->nruns = 0;
	fx_svc_result(f, "db", "SQL", SERVICE_CRITICAL, STATE_HARD);
	fx_svc_result(f, "app", "API", SERVICE_CRITICAL, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	assert_non_null(strstr(f->runs[0].line, " SQL "));
}

static void
test_notify_volatile_service_every_result(void **state)
{
	struct fx *f = *state;

	fx_svc_result(f, "web", "Syslog", SERVICE_CRITICAL, STATE_HARD);
	fx_svc_result(f, "web", "Syslog", SERVICE_CRITICAL, STATE_HARD);
	fx_svc_result(f, "web", "Syslog", SERVICE_CRITICAL, STATE_HARD);
	assert_int_equal(f->nruns, 3);
	assert_int_equal(f->runs[2].number, 3);
}

static void
test_notify_custom_and_disabled(void **state)
{
	struct fx *f = *state;
	struct host *web = fx_host(f, "web");

	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	notify_custom(f->n, web, NULL, 0, "bob", "test page", f->now);
	assert_int_equal(f->nruns, 1);
	assert_int_equal(f->runs[0].type, NOTIFY_CUSTOM);
	assert_string_equal(f->logs[0], "HOST NOTIFICATION: alice;web;CUSTOM "
	    "(UP);notify-host;PING OK;bob;test page");
	notify_set_enabled(f->n, false);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	notify_custom(f->n, web, NULL, 0, "bob", "again", f->now);
	assert_int_equal(f->nruns, 1);
	/* Forced goes through everything. */
	notify_custom(f->n, web, NULL, NOTIFY_OPT_FORCED |
	    NOTIFY_OPT_INCREMENT, "bob", "forced", f->now);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].number, 1);
	assert_int_equal(notify_get_counters(f->n)->notifications, 2);
}

static void
test_notify_new_problem_state_notifies_at_once(void **state)
{
	struct fx *f = *state;

	fx_host_result(f, "web", HOST_UP, STATE_HARD);
	fx_svc_result(f, "web", "HTTP", SERVICE_WARNING, STATE_HARD);
	f->now += 60;
	fx_svc_result(f, "web", "HTTP", SERVICE_CRITICAL, STATE_HARD);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].number, 2);
	assert_string_equal(f->logs[1], "SERVICE NOTIFICATION: alice;web;HTTP;"
	    "CRITICAL;notify-service;broken");
	/* Re-notification counts from the last one. */
	assert_int_equal(notify_next_time(f->n), f->now + 600);
}

static void
test_notify_state_survives_restart(void **state)
{
	struct notify_ops ops = { fx_downtime, fx_flapping, fx_acked, fx_run,
		fx_log, NULL };
	struct notify_params p = { .enabled = true };
	struct fx *f = *state;
	struct host *web = fx_host(f, "web");
	struct notify_state ns;
	int64_t t0 = f->now;

	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	notify_get_state(f->n, web, NULL, &ns);
	assert_int_equal(ns.number, 1);
	assert_int_equal(ns.next, t0 + 600);
	assert_int_equal(ns.timer, t0 + 600);
	notify_free(f->n);
	ops.arg = f;
	assert_int_equal(notify_new(&f->cfg->objects, f->tps, &p, &ops,
	    &f->n), 0);
	f->now = t0 + 300;
	notify_set_state(f->n, web, NULL, &ns, f->now);
	assert_int_equal(notify_next_time(f->n), t0 + 600);
	fx_host_result(f, "web", HOST_DOWN, STATE_HARD);
	assert_int_equal(f->nruns, 1);
	fx_advance(f, t0 + 600);
	assert_int_equal(f->nruns, 2);
	assert_int_equal(f->runs[1].number, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_notify_router_down_children_unreachable_once),
		T(test_notify_recovery_after_notified_problem),
		T(test_notify_no_recovery_after_soft_problem),
		T(test_notify_renotifies_every_interval),
		T(test_notify_interval_zero_notifies_once),
		T(test_notify_first_notification_delay),
		T(test_notify_acknowledgement),
		T(test_notify_downtime_suppresses),
		T(test_notify_flapping_suppresses),
		T(test_notify_outside_period_waits_for_it),
		T(test_notify_escalation_from_third_adds_contact),
		T(test_notify_service_on_down_host_not_notified),
		T(test_notify_dependencies_suppress),
		T(test_notify_volatile_service_every_result),
		T(test_notify_custom_and_disabled),
		T(test_notify_new_problem_state_notifies_at_once),
		T(test_notify_state_survives_restart),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
