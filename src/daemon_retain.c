/*
 * daemon_retain: what pharosd keeps across restarts (retention.h). Before
 * the first check, the retention file is read: each host's and service's
 * status, switches, flap history and notification state are put back, and
 * the comments, acknowledgements and downtimes of objects still configured
 * are kept. A corrupt file stops the start, unless pharosd -M was given:
 * then it is moved aside and pharosd starts empty. The file is written at
 * every retention_update_interval and at stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "annot.h"
#include "conf.h"
#include "daemon.h"
#include "daemon_int.h"
#include "flap.h"
#include "log.h"
#include "notify.h"
#include "retention.h"

/* Status <-> retention ---------------------------------------------------- */

static void
daemon_flap_out(const struct flap *f, struct retention_status *rs)
{
	size_t i;

	for (i = 0; i < FLAP_HISTORY; i++)
		rs->state_history[i] = f->states[(f->next + i) % FLAP_HISTORY];
	rs->nhistory = FLAP_HISTORY;
	rs->percent_state_change = flap_percent(f);
	rs->is_flapping = f->flapping;
}

static void
daemon_flap_in(struct flap *f, const struct retention_status *rs)
{
	size_t i, n = rs->nhistory < FLAP_HISTORY ? rs->nhistory :
	    FLAP_HISTORY;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++)
		f->states[FLAP_HISTORY - n + i] =
		    (unsigned char)rs->state_history[i];
	f->next = 0;
	f->flapping = rs->is_flapping;
}

static void
daemon_status_out(const struct daemon *d, const struct host *h,
    const struct service *s, struct retention_entry *e)
{
	const struct check_status *cs = s != NULL ? &s->st : &h->st;
	const struct obj_opts *o = s != NULL ? &s->opts : &h->opts;
	struct retention_status *rs = &e->st;
	struct notify_state ns = { 0 };

	e->host = h->name;
	e->service = s != NULL ? s->description : NULL;
	rs->state = cs->state;
	rs->last_hard_state = cs->last_hard_state;
	rs->state_type = cs->state_type;
	rs->current_attempt = cs->current_attempt;
	rs->last_check = cs->last_check_time;
	rs->last_state_change = cs->last_state_change_time;
	rs->last_hard_state_change = cs->last_hard_state_change_time;
	rs->output = cs->output;
	rs->long_output = cs->long_output;
	rs->perfdata = cs->perfdata;
	rs->has_been_checked = cs->has_been_checked;
	rs->notifications_enabled = o->notifications_enabled;
	rs->active_checks_enabled = s != NULL ? s->active_checks_enabled :
	    h->active_checks_enabled;
	if (d->notify != NULL)
		notify_get_state(d->notify, h, s, &ns);
	rs->last_notification = ns.last;
	rs->current_notification_number = ns.number;
	daemon_flap_out(s != NULL ? &d->svc_flap[s->index] :
	    &d->host_flap[h->index], rs);
}

/* A problem that was notified before the restart stays notified: no new
 * PROBLEM notification for it (no storm after a restart with many hosts
 * down); re-notification resumes from the saved time. */
static void
daemon_notify_in(struct daemon *d, const struct host *h,
    const struct service *s, const struct retention_status *rs)
{
	const struct check_status *cs = s != NULL ? &s->st : &h->st;
	const struct obj_opts *o = s != NULL ? &s->opts : &h->opts;
	struct notify_state ns = { 0 };
	bool ok = s != NULL ? cs->state == SERVICE_OK : cs->state == HOST_UP;

	if (d->notify == NULL || rs->current_notification_number <= 0 || ok)
		return;
	ns.number = rs->current_notification_number;
	ns.last = rs->last_notification;
	ns.next = o->notification_interval_ns > 0 ? rs->last_notification +
	    o->notification_interval_ns / LOOP_NS_PER_SEC : 0;
	ns.notified_on = OBJ_OPT_STATE(cs->state);
	ns.no_more = o->notification_interval_ns <= 0;
	notify_set_state(d->notify, h, s, &ns, (int64_t)time(NULL));
}

static char *
daemon_take(char **p)
{
	char *v = *p;

	*p = NULL;
	return v;
}

static int
daemon_status_in(void *arg, struct retention_entry *e)
{
	struct daemon *d = arg;
	struct host *h = objects_host_find(&d->cfg->objects, e->host);
	struct service *s = NULL;
	struct check_status *cs;
	struct retention_status *rs = &e->st;

	if (h == NULL || (e->service != NULL && (s = objects_service_find(
	    &d->cfg->objects, e->host, e->service)) == NULL))
		return -ENOENT;
	cs = s != NULL ? &s->st : &h->st;
	cs->state = rs->state;
	cs->last_hard_state = rs->last_hard_state;
	cs->state_type = rs->state_type == STATE_SOFT ? STATE_SOFT :
	    STATE_HARD;
	cs->current_attempt = rs->current_attempt;
	cs->last_check_time = rs->last_check;
	cs->last_state_change_time = rs->last_state_change;
	cs->last_hard_state_change_time = rs->last_hard_state_change;
	free(cs->output);
	free(cs->long_output);
	free(cs->perfdata);
	cs->output = daemon_take(&rs->output);
	cs->long_output = daemon_take(&rs->long_output);
	cs->perfdata = daemon_take(&rs->perfdata);
	cs->has_been_checked = rs->has_been_checked;
	(s != NULL ? &s->opts : &h->opts)->notifications_enabled =
	    rs->notifications_enabled;
	if (s != NULL)
		s->active_checks_enabled = rs->active_checks_enabled;
	else
		h->active_checks_enabled = rs->active_checks_enabled;
	daemon_flap_in(s != NULL ? &d->svc_flap[s->index] :
	    &d->host_flap[h->index], rs);
	daemon_notify_in(d, h, s, rs);
	return 0;
}

static bool
daemon_exists(void *arg, const char *host, const char *service)
{
	struct daemon *d = arg;

	return service != NULL ? objects_service_find(&d->cfg->objects, host,
	    service) != NULL : objects_host_find(&d->cfg->objects, host) !=
	    NULL;
}

/* Save ------------------------------------------------------------------- */

int
daemon_retention_save(struct daemon *d)
{
	const struct objects *o = &d->cfg->objects;
	struct retention_entry *v;
	size_t i, n = 0;
	char err[512];
	int rc;

	if (d->retention == NULL)
		return 0;
	if ((v = calloc(o->nhosts + o->nservices + 1, sizeof(*v))) == NULL)
		return -ENOMEM;
	for (i = 0; i < o->nhosts; i++)
		daemon_status_out(d, o->hosts[i], NULL, &v[n++]);
	for (i = 0; i < o->nservices; i++)
		daemon_status_out(d, o->services[i]->host, o->services[i],
		    &v[n++]);
	retention_set_program(d->retention, &(struct retention_program){
	    true, d->prog.notifications, d->prog.host_checks,
	    d->prog.service_checks, d->prog.event_handlers });
	rc = retention_save(d->retention, v, n, d->annot, 0, err, sizeof(err));
	free(v);
	if (rc != 0) {
		log_warnx("retention: %s", err);
		snprintf(d->retention_error, sizeof(d->retention_error), "%s",
		    err);
	} else
		d->retention_error[0] = '\0';
	return rc;
}

static void
daemon_retain_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct daemon *d = arg;

	(void)daemon_retention_save(d);
	if (loop_timer_start(loop, t, loop_now(loop) +
	    (int64_t)d->cfg->retention_update_interval * 60 *
	    LOOP_NS_PER_SEC) != 0)
		log_warnx("retention: cannot arm its timer");
}

/* Load ------------------------------------------------------------------- */

static int
daemon_retention_open(struct daemon *d)
{
	const char *path = d->cfg->state_retention_file;
	char err[512], moved[4096];
	int rc;

	if (retention_new(path, &d->retention) != 0)
		return -1;
	rc = retention_load(d->retention, d->annot, err, sizeof(err));
	if (rc == 0)
		return 0;
	if (rc != -EINVAL || !d->opts->move_retention_aside) {
		log_warnx("retention: %s", err);
		if (rc == -EINVAL)
			log_warnx("the retention file is kept as it is; start "
			    "with pharosd -M to move it aside and start "
			    "without the retained state");
		/* Never written over at stop: it is the user's to look at. */
		retention_free(d->retention);
		d->retention = NULL;
		return -1;
	}
	if (retention_move_aside(path, moved, sizeof(moved), err,
	    sizeof(err)) != 0) {
		log_warnx("retention: %s", err);
		return -1;
	}
	log_warnx("retention: corrupt file moved to %s; starting without "
	    "retained state", moved);
	retention_free(d->retention);
	annot_free(d->annot);
	d->annot = NULL;
	if (annot_new(0, &d->annot) != 0 ||
	    retention_new(path, &d->retention) != 0)
		return -1;
	return 0;
}

int
daemon_retain_start(struct daemon *d)
{
	const struct objects *o = &d->cfg->objects;
	const struct retention_program *prog;
	size_t applied = 0, dropped = 0;

	d->host_flap = calloc(o->nhosts + 1, sizeof(*d->host_flap));
	d->svc_flap = calloc(o->nservices + 1, sizeof(*d->svc_flap));
	if (d->host_flap == NULL || d->svc_flap == NULL ||
	    annot_new(0, &d->annot) != 0) {
		log_warnx("out of memory");
		return -1;
	}
	loop_timer_init(&d->retain_timer, daemon_retain_timer, d);
	if (d->cfg->state_retention_file == NULL)
		return 0;
	if (daemon_retention_open(d) != 0)
		return -1;
	prog = retention_get_program(d->retention);
	if (prog->set) {
		/* the switches as they were at the last save */
		d->prog.notifications = prog->notifications;
		d->prog.host_checks = prog->host_checks;
		d->prog.service_checks = prog->service_checks;
		d->prog.event_handlers = prog->event_handlers;
		if (d->notify != NULL)
			notify_set_enabled(d->notify, prog->notifications);
	}
	if (retention_apply(d->retention, daemon_status_in, d, &applied,
	    &dropped) != 0) {
		log_warnx("retention: out of memory");
		return -1;
	}
	dropped += annot_prune(d->annot, daemon_exists, d);
	log_info("retention: %zu objects restored, %zu entries of objects no "
	    "longer configured dropped", applied, dropped);
	if (loop_timer_start(d->loop, &d->retain_timer, loop_now(d->loop) +
	    (int64_t)d->cfg->retention_update_interval * 60 *
	    LOOP_NS_PER_SEC) != 0)
		log_warnx("retention: cannot arm its timer");
	return 0;
}

void
daemon_retain_stop(struct daemon *d)
{
	if (d->loop != NULL) {
		loop_timer_stop(d->loop, &d->retain_timer);
		loop_timer_stop(d->loop, &d->annot_timer);
	}
	if (d->retention != NULL && d->state != NULL)
		(void)daemon_retention_save(d);
	retention_free(d->retention);
	d->retention = NULL;
	annot_free(d->annot);
	d->annot = NULL;
	free(d->host_flap);
	free(d->svc_flap);
	d->host_flap = d->svc_flap = NULL;
}
