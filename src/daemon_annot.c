/*
 * daemon_annot: pharosd's user data and what follows each result.
 *
 * - Acknowledgements, comments and downtimes (annot.h) from external
 *   commands; every change is made durable (retention_sync: a journal
 *   append and fdatasync) before the command is answered.
 * - Downtimes start and stop on a loop timer aimed at annot_tick()'s next
 *   due time, and are logged as Nagios logs them.
 * - After every result (state.h's applied hook): flap detection (flap.h),
 *   the end of normal acknowledgements on a state change, flexible
 *   downtimes starting on a problem.
 * - Retention (retention.h): loaded before the first check (a corrupt file
 *   stops the start unless pharosd -M moves it aside), written at stop and
 *   every retention_update_interval.
 *
 * Per-object engine data (the flap history) lives in two arrays indexed
 * like the objects.
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
#include "evlog.h"
#include "flap.h"
#include "log.h"
#include "notify.h"
#include "loop.h"
#include "retention.h"

static const char *
daemon_svc_name(const struct service *s)
{
	return s != NULL ? s->description : NULL;
}

/* ---- downtimes -------------------------------------------------------- */

static void
daemon_dt_event(void *arg, const struct annot_downtime *dt,
    enum annot_dt_event ev, unsigned depth)
{
	struct daemon *d = arg;
	const struct host *h;
	const struct service *s = NULL;
	char line[1024];

	if (!annot_downtime_alert(dt, ev, depth, line, sizeof(line)))
		return;
	evlog_write(d->ev, "%s", line);
	if ((h = objects_host_find(&d->cfg->objects, dt->host)) == NULL ||
	    (dt->service != NULL && (s = objects_service_find(&d->cfg->objects,
	    dt->host, dt->service)) == NULL) || ev == ANNOT_DT_EXPIRED)
		return;
	if (ev == ANNOT_DT_STARTED)
		d->dt_starting = s != NULL ? (const void *)s : (const void *)h;
	daemon_notify_event(d, h, s, ev == ANNOT_DT_STARTED ?
	    NOTIFY_DOWNTIMESTART : ev == ANNOT_DT_CANCELLED ?
	    NOTIFY_DOWNTIMECANCELLED : NOTIFY_DOWNTIMEEND, dt->author,
	    dt->comment);
	d->dt_starting = NULL;
}

static const struct annot_callbacks *
daemon_dt_cb(struct daemon *d)
{
	d->annot_cb.downtime = daemon_dt_event;
	d->annot_cb.arg = d;
	return &d->annot_cb;
}

static void daemon_annot_timer(struct loop *loop, struct loop_timer *t,
    void *arg);

/* Run the due downtime transitions and aim the timer at the next one. */
static void
daemon_annot_tick(struct daemon *d)
{
	int64_t now = (int64_t)time(NULL), next, wait;

	next = annot_tick(d->annot, now, daemon_dt_cb(d));
	loop_timer_stop(d->loop, &d->annot_timer);
	if (next == INT64_MAX)
		return;
	wait = next > now ? next - now : 0;
	if (wait > 3600)
		wait = 3600; /* re-aim hourly: the wall clock may move */
	if (loop_timer_start(d->loop, &d->annot_timer, loop_now(d->loop) +
	    wait * LOOP_NS_PER_SEC) != 0)
		log_warnx("downtimes: cannot arm their timer");
}

static void
daemon_annot_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	daemon_annot_tick(arg);
	(void)daemon_annot_sync(arg);
}

void
daemon_annot_begin(struct daemon *d)
{
	loop_timer_init(&d->annot_timer, daemon_annot_timer, d);
	daemon_annot_tick(d);
}

/* ---- commands --------------------------------------------------------- */

static int
daemon_ack(struct daemon *d, const struct extcmd *x, char *err,
    size_t errlen)
{
	int rc;

	const struct host *h = x->host;
	const struct service *s = x->service;
	struct annot_ack ack = {
		.host = h->name,
		.service = daemon_svc_name(s),
		.type = x->sticky ? ANNOT_ACK_STICKY : ANNOT_ACK_NORMAL,
		.state = s != NULL ? s->st.state : h->st.state,
		.notify = x->notify,
		.persistent = x->persistent,
		.entry_time = (int64_t)time(NULL),
		.author = x->author,
		.comment = x->comment,
	};

	if (ack.state == (s != NULL ? SERVICE_PENDING : HOST_PENDING))
		ack.state = 0;
	if ((rc = annot_ack_set(d->annot, &ack, err, errlen)) == 0 &&
	    x->notify)
		daemon_notify_event(d, h, s, NOTIFY_ACKNOWLEDGEMENT, x->author,
		    x->comment);
	return rc;
}

/* The i-th child of host (annot_downtime_add_propagated). */
static const char *
daemon_child(void *arg, const char *host, size_t i)
{
	struct daemon *d = arg;
	const struct host *h = objects_host_find(&d->cfg->objects, host);

	return h != NULL && i < h->nchildren ? h->children[i]->name : NULL;
}

static int
daemon_downtime(struct daemon *d, const struct extcmd *x, char *err,
    size_t errlen)
{
	const struct host *h = x->host;
	struct annot_downtime dt = {
		.host = h->name,
		.service = daemon_svc_name(x->service),
		.entry_time = (int64_t)time(NULL),
		.start_time = x->start_time,
		.end_time = x->end_time,
		.fixed = x->fixed,
		.duration = x->duration,
		.trigger_id = x->trigger_id,
		.author = x->author,
		.comment = x->comment,
	};
	const char **names;
	uint64_t id;
	size_t i;
	int rc;

	if (x->kind == EXTCMD_SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME ||
	    x->kind == EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME)
		return annot_downtime_add_propagated(d->annot, &dt, x->kind ==
		    EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME,
		    daemon_child, d, dt.entry_time, &id, &i, err, errlen);
	if (x->kind != EXTCMD_SCHEDULE_HOST_SVC_DOWNTIME)
		return annot_downtime_add(d->annot, &dt, dt.entry_time, &id,
		    err, errlen);
	if ((names = calloc(h->nservices + 1, sizeof(*names))) == NULL)
		return -ENOMEM;
	for (i = 0; i < h->nservices; i++)
		names[i] = h->services[i]->description;
	rc = annot_downtime_add_services(d->annot, &dt, names, h->nservices,
	    dt.entry_time, &id, err, errlen);
	free(names);
	return rc;
}

static int
daemon_comment(struct daemon *d, const struct extcmd *x, char *err,
    size_t errlen)
{
	const struct host *h = x->host;
	struct annot_comment c = {
		.host = h->name,
		.service = daemon_svc_name(x->service),
		.entry_time = (int64_t)time(NULL),
		.author = x->author,
		.text = x->comment,
		.persistent = x->persistent,
		.type = ANNOT_COMMENT_USER,
	};
	uint64_t id;

	return annot_comment_add(d->annot, &c, &id, err, errlen);
}

static int
daemon_notifications(struct daemon *d, const struct extcmd *x, char *err,
    size_t errlen)
{
	/* The objects the parse found, writable. */
	struct host *h = objects_host_find(&d->cfg->objects, x->host_name);
	struct service *s = x->service_description == NULL ? NULL :
	    objects_service_find(&d->cfg->objects, x->host_name,
	    x->service_description);
	bool on = x->kind == EXTCMD_ENABLE_HOST_NOTIFICATIONS ||
	    x->kind == EXTCMD_ENABLE_SVC_NOTIFICATIONS;

	if (s != NULL)
		s->opts.notifications_enabled = on;
	else if (h != NULL)
		h->opts.notifications_enabled = on;
	return 0;
}

static int
daemon_annot_apply(struct daemon *d, const struct extcmd *x, char *err,
    size_t errlen)
{
	switch (x->kind) {
	case EXTCMD_ACKNOWLEDGE_HOST_PROBLEM:
	case EXTCMD_ACKNOWLEDGE_SVC_PROBLEM:
		return daemon_ack(d, x, err, errlen);
	case EXTCMD_REMOVE_HOST_ACKNOWLEDGEMENT:
	case EXTCMD_REMOVE_SVC_ACKNOWLEDGEMENT:
		if (annot_ack_remove(d->annot, ((const struct host *)
		    x->host)->name, daemon_svc_name(x->service)) != 0) {
			snprintf(err, errlen, "no acknowledgement to remove");
			return -ENOENT;
		}
		return 0;
	case EXTCMD_SCHEDULE_HOST_DOWNTIME:
	case EXTCMD_SCHEDULE_SVC_DOWNTIME:
	case EXTCMD_SCHEDULE_HOST_SVC_DOWNTIME:
	case EXTCMD_SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME:
	case EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME:
		return daemon_downtime(d, x, err, errlen);
	case EXTCMD_DEL_HOST_DOWNTIME:
	case EXTCMD_DEL_SVC_DOWNTIME:
		if (annot_downtime_delete(d->annot, x->id,
		    daemon_dt_cb(d)) != 0) {
			snprintf(err, errlen, "no downtime with id %lu", x->id);
			return -ENOENT;
		}
		return 0;
	case EXTCMD_ADD_HOST_COMMENT:
	case EXTCMD_ADD_SVC_COMMENT:
		return daemon_comment(d, x, err, errlen);
	case EXTCMD_DEL_HOST_COMMENT:
	case EXTCMD_DEL_SVC_COMMENT:
		if (annot_comment_delete(d->annot, x->id) != 0) {
			snprintf(err, errlen, "no comment with id %lu", x->id);
			return -ENOENT;
		}
		return 0;
	case EXTCMD_ENABLE_HOST_NOTIFICATIONS:
	case EXTCMD_DISABLE_HOST_NOTIFICATIONS:
	case EXTCMD_ENABLE_SVC_NOTIFICATIONS:
	case EXTCMD_DISABLE_SVC_NOTIFICATIONS:
		return daemon_notifications(d, x, err, errlen);
	case EXTCMD_SEND_CUSTOM_HOST_NOTIFICATION:
	case EXTCMD_SEND_CUSTOM_SVC_NOTIFICATION:
		daemon_notify_custom(d, x);
		return 0;
	default:
		snprintf(err, errlen, "%s is not carried out by this version",
		    x->name);
		return -ENOTSUP;
	}
}

int
daemon_annot_command(struct daemon *d, const struct extcmd *x, char *err,
    size_t errlen)
{
	int rc = daemon_annot_apply(d, x, err, errlen);

	if (rc != 0)
		return rc;
	daemon_annot_tick(d);
	/* Durable before the command is answered. */
	return daemon_annot_sync(d) == 0 ? 0 :
	    (snprintf(err, errlen, "done, but not yet on disk (see the "
	    "log)"), -EIO);
}

int
daemon_annot_sync(struct daemon *d)
{
	char err[512];
	int rc;

	if (d->retention == NULL)
		return 0;
	rc = retention_sync(d->retention, d->annot, err, sizeof(err));
	if (rc == -EOVERFLOW)
		return daemon_retention_save(d);
	if (rc != 0) {
		log_warnx("retention: %s", err);
		snprintf(d->retention_error, sizeof(d->retention_error), "%s",
		    err);
	} else
		d->retention_error[0] = '\0';
	return rc;
}

/* ---- after each result ------------------------------------------------ */

static void
daemon_flap_params(const struct daemon *d, const struct obj_opts *n,
    bool service, struct flap_params *p)
{
	flap_params_init(p);
	p->low = n->low_flap_threshold;
	p->high = n->high_flap_threshold;
	p->global_low = service ? d->cfg->low_service_flap_threshold :
	    d->cfg->low_host_flap_threshold;
	p->global_high = service ? d->cfg->high_service_flap_threshold :
	    d->cfg->high_host_flap_threshold;
	p->options = n->flap_detection_options;
	p->enabled = d->cfg->enable_flap_detection &&
	    n->flap_detection_enabled;
}

static void
daemon_flap(struct daemon *d, struct host *h, struct service *s)
{
	const struct check_status *cs = s != NULL ? &s->st : &h->st;
	struct flap *f = s != NULL ? &d->svc_flap[s->index] :
	    &d->host_flap[h->index];
	struct flap_params p;
	bool started, stopped;
	char line[512];

	if (s != NULL && !flap_service_counts(cs->state,
	    cs->state_type == STATE_HARD))
		return;
	daemon_flap_params(d, s != NULL ? &s->opts : &h->opts, s != NULL,
	    &p);
	flap_record(f, cs->state, &p, &started, &stopped);
	if (!started && !stopped)
		return;
	if (flap_format(line, sizeof(line), h->name, daemon_svc_name(s),
	    started ? FLAP_STARTED : FLAP_STOPPED, f, &p) > 0)
		evlog_write(d->ev, "%s", line);
	daemon_notify_event(d, h, s, started ? NOTIFY_FLAPPINGSTART :
	    NOTIFY_FLAPPINGSTOP, NULL, NULL);
}

void
daemon_applied(void *arg, struct host *h, struct service *s, int prev_state,
    enum state_type prev_type, bool alert)
{
	struct daemon *d = arg;
	const struct check_status *cs = s != NULL ? &s->st : &h->st;
	bool ok = s != NULL ? cs->state == SERVICE_OK : cs->state == HOST_UP;

	daemon_flap(d, h, s);
	if (cs->state != prev_state && annot_state_change(d->annot, h->name,
	    daemon_svc_name(s), cs->state, ok) > 0)
		(void)daemon_annot_sync(d);
	if (!ok) {
		annot_problem(d->annot, h->name, daemon_svc_name(s),
		    (int64_t)time(NULL), daemon_dt_cb(d));
		daemon_annot_tick(d);
	}
	daemon_notify_checked(d, h, s);
	if (alert)
		daemon_event_handlers(d, h, s);
	(void)prev_type;
}

/* ---- status ------------------------------------------------------------ */

void
daemon_annot_json(const struct daemon *d, const struct host *h,
    const struct service *s, json_t *o)
{
	const struct annot_ack *ack;
	const struct flap *f;

	if (d->annot == NULL)
		return;
	ack = annot_ack_get(d->annot, h->name, daemon_svc_name(s));
	json_object_set_new(o, "acknowledged", json_boolean(ack != NULL));
	if (ack != NULL)
		json_object_set_new(o, "acknowledgement", json_pack(
		    "{s:s, s:s, s:s, s:I}", "type", ack->type ==
		    ANNOT_ACK_STICKY ? "sticky" : "normal", "author",
		    ack->author, "comment", ack->comment, "time",
		    (json_int_t)ack->entry_time));
	json_object_set_new(o, "scheduled_downtime_depth", json_integer(
	    annot_in_downtime(d->annot, h->name, daemon_svc_name(s))));
	f = s != NULL ? &d->svc_flap[s->index] : &d->host_flap[h->index];
	json_object_set_new(o, "is_flapping", json_boolean(f->flapping));
	json_object_set_new(o, "percent_state_change",
	    json_real(flap_percent(f)));
}

json_t *
daemon_annot_lists_json(const struct daemon *d)
{
	json_t *cm = json_array(), *dt = json_array();
	size_t i;

	for (i = 0; d->annot != NULL && i < annot_comment_count(d->annot);
	    i++) {
		const struct annot_comment *c = annot_comment_at(d->annot, i);

		json_array_append_new(cm, json_pack("{s:I, s:s, s:s?, s:I, "
		    "s:s, s:s, s:b, s:i}", "id", (json_int_t)c->id, "host",
		    c->host, "service", c->service, "time",
		    (json_int_t)c->entry_time, "author", c->author, "text",
		    c->text, "persistent", c->persistent, "type", c->type));
	}
	for (i = 0; d->annot != NULL && i < annot_downtime_count(d->annot);
	    i++) {
		const struct annot_downtime *w = annot_downtime_at(d->annot, i);

		json_array_append_new(dt, json_pack("{s:I, s:s, s:s?, s:I, "
		    "s:I, s:b, s:I, s:I, s:s, s:s, s:b}", "id",
		    (json_int_t)w->id, "host", w->host, "service", w->service,
		    "start", (json_int_t)w->start_time, "end",
		    (json_int_t)w->end_time, "fixed", w->fixed, "duration",
		    (json_int_t)w->duration, "trigger_id",
		    (json_int_t)w->trigger_id, "author", w->author, "comment",
		    w->comment, "in_effect", w->state == ANNOT_DT_ACTIVE));
	}
	return json_pack("{s:o, s:o}", "comments", cm, "downtimes", dt);
}
