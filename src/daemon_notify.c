/*
 * daemon_notify: the notification engine (notify.h) in pharosd. It is told
 * of every applied result and of acknowledgements, downtimes, flapping and
 * custom notifications; it asks back whether an object is in downtime,
 * flapping or acknowledged, and runs the contacts' commands as plugins.
 * Re-notifications and delayed ones come from one loop timer aimed at
 * notify_next_time() (wall clock).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "annot.h"
#include "conf.h"
#include "daemon_int.h"
#include "evlog.h"
#include "exec.h"
#include "log.h"
#include "notify.h"
#include "timeperiod.h"

#define DAEMON_NOTIFY_TIMEOUT (30 * LOOP_NS_PER_SEC)

static const char *
daemon_sname(const struct service *s)
{
	return s != NULL ? s->description : NULL;
}

static bool
daemon_n_downtime(void *arg, const struct host *h, const struct service *s)
{
	struct daemon *d = arg;
	unsigned own = annot_in_downtime(d->annot, h->name, daemon_sname(s));

	/* The downtime whose start is being notified does not count yet. */
	if (d->dt_starting != NULL && d->dt_starting == (s != NULL ?
	    (const void *)s : (const void *)h) && own > 0)
		own--;
	return own > 0 ||
	    (s != NULL && annot_in_downtime(d->annot, h->name, NULL) > 0);
}

static bool
daemon_n_flapping(void *arg, const struct host *h, const struct service *s)
{
	struct daemon *d = arg;

	return s != NULL ? d->svc_flap[s->index].flapping :
	    d->host_flap[h->index].flapping;
}

static bool
daemon_n_acked(void *arg, const struct host *h, const struct service *s)
{
	struct daemon *d = arg;

	return annot_ack_get(d->annot, h->name, daemon_sname(s)) != NULL;
}

static void
daemon_n_run(void *arg, const struct notify_job *job)
{
	struct daemon *d = arg;
	int rc;

	rc = exec_command(d->exec, job->argv, DAEMON_NOTIFY_TIMEOUT);
	if (rc != 0)
		log_warnx("notification command %s: %s", job->command->name,
		    strerror(-rc));
}

static void
daemon_n_log(void *arg, const char *line)
{
	struct daemon *d = arg;

	evlog_write(d->ev, "%s", line);
}

static void daemon_notify_timer(struct loop *loop, struct loop_timer *t,
    void *arg);

static void
daemon_notify_arm(struct daemon *d)
{
	int64_t next = notify_next_time(d->notify), now = (int64_t)time(NULL);
	int64_t wait;

	loop_timer_stop(d->loop, &d->notify_timer);
	if (next == INT64_MAX)
		return;
	wait = next > now ? next - now : 0;
	if (wait > 3600)
		wait = 3600; /* re-aimed hourly: the wall clock may move */
	if (loop_timer_start(d->loop, &d->notify_timer, loop_now(d->loop) +
	    wait * LOOP_NS_PER_SEC) != 0)
		log_warnx("notifications: cannot arm their timer");
}

static void
daemon_notify_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;

	notify_tick(d->notify, (int64_t)time(NULL));
	daemon_notify_arm(d);
}

static void
daemon_tp_report(void *arg, const struct timeperiod *src, const char *msg)
{
	log_warnx("%s:%d: %s", src->loc.file, src->loc.line, msg);
}

int
daemon_notify_start(struct daemon *d)
{
	struct notify_params p = {
		.enabled = d->prog.notifications, /* daemon_cmd.c */
		.user_macros = d->cfg->user_macros,
		.nuser_macros = CONF_MAX_USER_MACROS,
		.start_time = (int64_t)time(NULL),
	};
	struct notify_ops ops = {
		.in_downtime = daemon_n_downtime,
		.is_flapping = daemon_n_flapping,
		.is_acknowledged = daemon_n_acked,
		.run = daemon_n_run,
		.log = daemon_n_log,
		.arg = d,
	};
	int rc;

	rc = timeperiod_table_new(&d->cfg->objects, daemon_tp_report, d,
	    &d->tps);
	if (rc != 0) {
		log_warnx("time periods: %s", rc == -ENOMEM ? "out of memory" :
		    "invalid (see above)");
		return -1;
	}
	if (notify_new(&d->cfg->objects, d->tps, &p, &ops, &d->notify) != 0) {
		log_warnx("notifications: cannot start");
		return -1;
	}
	loop_timer_init(&d->notify_timer, daemon_notify_timer, d);
	return 0;
}

void
daemon_notify_stop(struct daemon *d)
{
	if (d->loop != NULL)
		loop_timer_stop(d->loop, &d->notify_timer);
	notify_free(d->notify);
	d->notify = NULL;
	timeperiod_table_free(d->tps);
	d->tps = NULL;
}

void
daemon_notify_rearm(struct daemon *d)
{
	if (d->notify != NULL)
		daemon_notify_arm(d);
}

void
daemon_notify_checked(struct daemon *d, const struct host *h,
    const struct service *s)
{
	if (d->notify == NULL)
		return;
	if (s != NULL)
		notify_service_checked(d->notify, s, (int64_t)time(NULL));
	else
		notify_host_checked(d->notify, h, (int64_t)time(NULL));
	daemon_notify_arm(d);
}

void
daemon_notify_event(struct daemon *d, const struct host *h,
    const struct service *s, enum notify_type type, const char *author,
    const char *comment)
{
	if (d->notify == NULL)
		return;
	notify_event(d->notify, h, s, type, author, comment,
	    (int64_t)time(NULL));
	daemon_notify_arm(d);
}

void
daemon_notify_custom(struct daemon *d, const struct extcmd *x)
{
	if (d->notify == NULL)
		return;
	notify_custom(d->notify, x->host, x->service, x->options, x->author,
	    x->comment, (int64_t)time(NULL));
	daemon_notify_arm(d);
}

json_t *
daemon_notify_json(const struct daemon *d)
{
	const struct notify_counters *c;

	if (d->notify == NULL)
		return json_null();
	c = notify_get_counters(d->notify);
	return json_pack("{s:I, s:I, s:I, s:I}", "notifications",
	    (json_int_t)c->notifications, "contacts", (json_int_t)c->contacts,
	    "commands", (json_int_t)c->commands, "expand_failed",
	    (json_int_t)c->expand_failed);
}
