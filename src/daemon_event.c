/*
 * daemon_event: event handlers and freshness checks, as Nagios has them.
 *
 * - Event handlers run after every logged state change of a host or a
 *   service (soft and hard, and each soft retry): first the global one
 *   (global_host_event_handler, global_service_event_handler), then the
 *   object's own (event_handler, when event_handler_enabled), with the
 *   object's macros ($SERVICESTATE$, $SERVICESTATETYPE$,
 *   $SERVICEATTEMPT$...). They run as plugins; nobody waits for them. Log
 *   lines: "SERVICE EVENT HANDLER: h;s;CRITICAL;SOFT;1;restart-httpd",
 *   "GLOBAL HOST EVENT HANDLER: ...".
 * - Freshness: every DAEMON_FRESH_EVERY seconds, a host or service with
 *   check_freshness whose last result is older than freshness_threshold
 *   (0: its check_interval plus 30 s) gets an active check at once, with
 *   Nagios' "are stale" warning. It is forced once per stale period.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "daemon_int.h"
#include "evlog.h"
#include "exec.h"
#include "log.h"
#include "macro.h"
#include "sched.h"

#define DAEMON_FRESH_EVERY 10                    /* seconds */
#define DAEMON_HANDLER_TIMEOUT (30 * LOOP_NS_PER_SEC)

/* Run one handler spec for h (and s); log it as what. */
static void
daemon_event_run(struct daemon *d, const struct check_spec *spec,
    struct host *h, struct service *s, const char *what)
{
	const struct check_status *cs = s != NULL ? &s->st : &h->st;
	struct macro_ctx mc = {
		.host = h,
		.service = s,
		.spec = spec,
		.user_macros = d->cfg->user_macros,
		.nuser_macros = CONF_MAX_USER_MACROS,
	};
	struct macro_argv av;
	char err[512];
	int rc;

	if (spec == NULL || spec->command == NULL ||
	    spec->command->line == NULL)
		return;
	if (macro_command(&mc, spec->command->line, &av, err,
	    sizeof(err)) != 0) {
		log_warnx("event handler %s: %s", spec->command->name, err);
		return;
	}
	if (s != NULL)
		evlog_write(d->ev, "%sSERVICE EVENT HANDLER: %s;%s;%s;%s;%d;%s",
		    what, h->name, s->description,
		    service_state_name(cs->state),
		    state_type_name(cs->state_type), cs->current_attempt,
		    spec->command->name);
	else
		evlog_write(d->ev, "%sHOST EVENT HANDLER: %s;%s;%s;%d;%s", what,
		    h->name, host_state_name(cs->state),
		    state_type_name(cs->state_type), cs->current_attempt,
		    spec->command->name);
	if ((rc = exec_command(d->exec, av.argv, DAEMON_HANDLER_TIMEOUT)) != 0)
		log_warnx("event handler %s: %s", spec->command->name,
		    strerror(-rc));
	macro_argv_free(&av);
}

void
daemon_event_handlers(struct daemon *d, struct host *h, struct service *s)
{
	const struct obj_opts *o = s != NULL ? &s->opts : &h->opts;
	const struct check_spec *global = s != NULL ?
	    d->cfg->global_service_handler : d->cfg->global_host_handler;

	if (!d->prog.event_handlers) /* the program-wide switch */
		return;
	daemon_event_run(d, global, h, s, "GLOBAL ");
	if (o->event_handler_enabled)
		daemon_event_run(d, o->event_handler, h, s, "");
}

/* ---- freshness --------------------------------------------------------- */

static int64_t
daemon_fresh_threshold(const struct obj_opts *o, int64_t check_ns)
{
	if (o->freshness_threshold > 0)
		return o->freshness_threshold;
	if (check_ns <= 0)
		return 0;
	return check_ns / LOOP_NS_PER_SEC + 30;
}

/* Stale: force a check once per stale period (*forced holds when). The
 * object has check_freshness (the scan visits only those). */
static bool
daemon_stale(struct daemon *d, const struct check_status *cs,
    const struct obj_opts *o, int64_t check_ns, int64_t *forced,
    int64_t now, int64_t *age, int64_t *thr)
{
	int64_t last = cs->last_check_time > 0 ? cs->last_check_time :
	    d->start_time;

	if ((*thr = daemon_fresh_threshold(o, check_ns)) <= 0)
		return false;
	*age = now - last;
	if (*age <= *thr || *forced > last)
		return false;
	*forced = now;
	return true;
}

static void
daemon_fresh_scan(struct daemon *d)
{
	const struct objects *o = &d->cfg->objects;
	int64_t now = (int64_t)time(NULL), age, thr;
	struct daemon_fresh *f;
	size_t k;

	for (k = 0; k < d->nfresh_svcs; k++) {
		struct service *s = o->services[(f = &d->fresh_svcs[k])->index];

		if (!daemon_stale(d, &s->st, &s->opts, s->check_interval_ns,
		    &f->forced, now, &age, &thr))
			continue;
		evlog_write(d->ev, "Warning: The results of service '%s' on "
		    "host '%s' are stale by %lld seconds (threshold=%lld "
		    "seconds).  I'm forcing an immediate check of the "
		    "service.", s->description, s->host->name,
		    (long long)(age - thr), (long long)thr);
		sched_service_check_now(d->sched, s);
	}
	for (k = 0; k < d->nfresh_hosts; k++) {
		struct host *h = o->hosts[(f = &d->fresh_hosts[k])->index];

		if (!daemon_stale(d, &h->st, &h->opts, h->check_interval_ns,
		    &f->forced, now, &age, &thr))
			continue;
		evlog_write(d->ev, "Warning: The results of host '%s' are "
		    "stale by %lld seconds (threshold=%lld seconds).  I'm "
		    "forcing an immediate check of the host.", h->name,
		    (long long)(age - thr), (long long)thr);
		sched_host_check_now(d->sched, h);
	}
}

static void
daemon_fresh_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;

	daemon_fresh_scan(d);
	if (loop_timer_start(loop, t, loop_now(loop) +
	    DAEMON_FRESH_EVERY * LOOP_NS_PER_SEC) != 0)
		log_warnx("freshness checks: cannot arm their timer");
}

int
daemon_event_start(struct daemon *d)
{
	const struct objects *o = &d->cfg->objects;
	size_t i;

	d->fresh_hosts = calloc(o->nhosts + 1, sizeof(*d->fresh_hosts));
	d->fresh_svcs = calloc(o->nservices + 1, sizeof(*d->fresh_svcs));
	if (d->fresh_hosts == NULL || d->fresh_svcs == NULL)
		return -1;
	/* check_freshness comes from the configuration only: the scan
	 * visits those objects, not every one of tens of thousands. */
	d->nfresh_hosts = d->nfresh_svcs = 0;
	for (i = 0; i < o->nhosts; i++)
		if (o->hosts[i]->opts.check_freshness)
			d->fresh_hosts[d->nfresh_hosts++].index = i;
	for (i = 0; i < o->nservices; i++)
		if (o->services[i]->opts.check_freshness)
			d->fresh_svcs[d->nfresh_svcs++].index = i;
	loop_timer_init(&d->fresh_timer, daemon_fresh_timer, d);
	if (loop_timer_start(d->loop, &d->fresh_timer, loop_now(d->loop) +
	    DAEMON_FRESH_EVERY * LOOP_NS_PER_SEC) != 0)
		return -1;
	return 0;
}

void
daemon_event_stop(struct daemon *d)
{
	if (d->loop != NULL)
		loop_timer_stop(d->loop, &d->fresh_timer);
	free(d->fresh_hosts);
	free(d->fresh_svcs);
	d->fresh_hosts = d->fresh_svcs = NULL;
	d->nfresh_hosts = d->nfresh_svcs = 0;
}
