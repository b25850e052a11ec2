/*
 * annot_dt: the scheduled downtimes of annot (annot.h; the data and its
 * invariants are described at the top of annot.c).
 *
 * A downtime is PENDING, then ACTIVE from actual_start, then removed (ENDED
 * only during the callback that says so). The passes of annot_tick() run
 * in id order, so a trigger (smaller id) is settled before the downtimes it
 * triggers: a chain starts, or stops, in one tick.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "annot.h"
#include "annot_int.h"

void
an_dt_free(struct ann_dt *w)
{
	free(w->author);
	free(w->comment);
	free(w);
}

/* ---- downtimes: entries --------------------------------------------- */

static size_t
an_dt_lower(const struct annot *a, uint64_t id)
{
	size_t lo = 0, hi = a->ndt;

	if (hi != 0 && a->dt[hi - 1]->pub.id < id)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->dt[mid]->pub.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct ann_dt *
an_dt_get(const struct annot *a, uint64_t id)
{
	size_t i = an_dt_lower(a, id);

	return i < a->ndt && a->dt[i]->pub.id == id ? a->dt[i] : NULL;
}

const struct annot_downtime *
annot_downtime_find(const struct annot *a, uint64_t id)
{
	const struct ann_dt *w = an_dt_get(a, id);

	return w != NULL ? &w->pub : NULL;
}

size_t
annot_downtime_count(const struct annot *a)
{
	return a->ndt;
}

const struct annot_downtime *
annot_downtime_at(const struct annot *a, size_t i)
{
	return i < a->ndt ? &a->dt[i]->pub : NULL;
}

unsigned
annot_in_downtime(const struct annot *a, const char *host,
    const char *service)
{
	const struct ann_obj *o = an_obj_find(a, host, service);

	return o != NULL ? o->depth : 0;
}

/* Count w in (d = 1) or out of (d = -1) its object's depth and nflex. */
static void
an_dt_count(struct ann_dt *w, int d)
{
	struct ann_obj *o = w->obj;

	if (w->pub.state == ANNOT_DT_ACTIVE) {
		if (d > 0)
			o->depth++;
		else
			o->depth--;
	} else if (w->pub.state == ANNOT_DT_PENDING && !w->pub.fixed &&
	    w->pub.trigger_id == 0) {
		if (d > 0)
			o->nflex++;
		else
			o->nflex--;
	}
}

/* Remove the downtimes flagged AN_REAP, and their comments. No callback:
 * the caller made them. Returns how many. */
size_t
an_dt_reap(struct annot *a)
{
	size_t j = 0, n = 0;

	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];
		ssize_t c;

		if (w->flag != AN_REAP) {
			a->dt[j++] = w;
			continue;
		}
		if ((c = an_cm_index(a, w->pub.comment_id)) >= 0)
			a->cm[c]->flag = AN_REAP;
		an_changed(a, ANNOT_CHANGE_DOWNTIME, w->pub.id, w->obj);
		an_dt_count(w, -1);
		w->obj->nrefs--;
		an_dt_free(w);
		n++;
	}
	a->ndt = j;
	(void)an_cm_reap(a);
	return n;
}

static int
an_dt_check(const struct annot *a, const struct annot_downtime *d,
    int64_t now, char *err, size_t errlen)
{
	int rc = an_check_obj(d->host, d->service, err, errlen);

	if (rc == 0)
		rc = an_check_text(d->author, d->comment, err, errlen);
	if (rc == 0)
		rc = an_check_time("the start time", d->start_time, err, errlen);
	if (rc == 0)
		rc = an_check_time("the end time", d->end_time, err, errlen);
	if (rc == 0)
		rc = an_check_time("the entry time", d->entry_time, err,
		    errlen);
	if (rc != 0)
		return rc;
	if (d->end_time <= d->start_time) {
		snprintf(err, errlen, "the downtime ends (%lld) before it "
		    "starts (%lld)", (long long)d->end_time,
		    (long long)d->start_time);
		return -EINVAL;
	}
	if (now >= 0 && d->end_time <= now) {
		snprintf(err, errlen, "the downtime is over already (it ends "
		    "at %lld, now is %lld)", (long long)d->end_time,
		    (long long)now);
		return -EINVAL;
	}
	if (!d->fixed && (d->duration <= 0 || d->duration > ANNOT_TIME_MAX)) {
		snprintf(err, errlen, "a flexible downtime needs a duration "
		    "in seconds above 0 (got %lld)", (long long)d->duration);
		return -EINVAL;
	}
	if (now >= 0 && d->trigger_id != 0 && !an_dt_get(a, d->trigger_id)) {
		snprintf(err, errlen, "downtime %llu (the trigger) does not "
		    "exist", (unsigned long long)d->trigger_id);
		return -ENOENT;
	}
	return 0;
}

/* Insert d with its id (replacing an entry with that id). */
static int
an_dt_put(struct annot *a, const struct annot_downtime *d, char *err,
    size_t errlen)
{
	struct ann_dt *w, *old = an_dt_get(a, d->id);
	size_t i;

	if (old == NULL && a->ndt >= a->max)
		return an_full("downtimes", a->max, err, errlen);
	if (a->ndt == a->dtcap) {
		size_t cap = a->dtcap != 0 ? a->dtcap * 2 : 16;
		struct ann_dt **v = realloc(a->dt, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		a->dt = v;
		a->dtcap = cap;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->obj = an_obj_get(a, d->host, d->service);
	w->author = an_dup(d->author);
	w->comment = an_dup(d->comment);
	if (w->obj == NULL || w->author == NULL || w->comment == NULL) {
		an_dt_free(w);
		return -ENOMEM;
	}
	w->pub = *d;
	w->pub.host = w->obj->host;
	w->pub.service = w->obj->service;
	w->pub.author = w->author;
	w->pub.comment = w->comment;
	if (old != NULL) {
		old->pub.comment_id = 0; /* the comment is not replaced */
		old->flag = AN_REAP;
		(void)an_dt_reap(a);
	}
	i = an_dt_lower(a, d->id);
	memmove(&a->dt[i + 1], &a->dt[i], (a->ndt - i) * sizeof(*a->dt));
	a->dt[i] = w;
	a->ndt++;
	w->obj->nrefs++;
	an_dt_count(w, 1);
	if (d->id >= a->next_did)
		a->next_did = d->id + 1;
	an_changed(a, ANNOT_CHANGE_DOWNTIME, d->id, w->obj);
	return 0;
}

int
annot_downtime_restore(struct annot *a, const struct annot_downtime *d,
    char *err, size_t errlen)
{
	int rc = an_dt_check(a, d, -1, err, errlen);

	if (rc == 0 && d->id == 0) {
		snprintf(err, errlen, "downtime id 0 is not valid");
		rc = -EINVAL;
	}
	if (rc == 0 && d->state != ANNOT_DT_PENDING &&
	    d->state != ANNOT_DT_ACTIVE) {
		snprintf(err, errlen, "downtime state %d is not 0 (pending) "
		    "or 1 (in effect)", (int)d->state);
		rc = -EINVAL;
	}
	return rc != 0 ? rc : an_dt_put(a, d, err, errlen);
}

/* Nagios' date_format=us. */
static void
an_fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%m-%d-%Y %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* The DOWNTIME comment's text, worded as Nagios words it. */
static void
an_dt_text(const struct annot_downtime *d, char *buf, size_t len)
{
	const char *what = d->service != NULL ? "service" : "host";
	char s[64], e[64];

	an_fmt_time(d->start_time, s, sizeof(s));
	an_fmt_time(d->end_time, e, sizeof(e));
	if (d->fixed)
		snprintf(buf, len, "This %s has been scheduled for fixed "
		    "downtime from %s to %s.  Notifications for the %s will "
		    "not be sent out during that time period.", what, s, e,
		    what);
	else
		snprintf(buf, len, "This %s has been scheduled for flexible "
		    "downtime starting between %s and %s and lasting for a "
		    "period of %lld hours and %lld minutes.  Notifications "
		    "for the %s will not be sent out during that time period.",
		    what, s, e, (long long)(d->duration / 3600),
		    (long long)(d->duration % 3600 / 60), what);
}

/* Add one checked downtime and its comment. */
static int
an_dt_add_one(struct annot *a, const struct annot_downtime *req,
    uint64_t *id, char *err, size_t errlen)
{
	struct annot_comment c = { 0 };
	struct annot_downtime d = *req;
	char text[512];
	int rc;

	an_dt_text(req, text, sizeof(text));
	c.host = req->host;
	c.service = req->service;
	c.entry_time = req->entry_time;
	c.author = ANNOT_PROCESS_AUTHOR;
	c.text = text;
	c.type = ANNOT_COMMENT_DOWNTIME;
	if ((rc = annot_comment_add(a, &c, &d.comment_id, err, errlen)) != 0)
		return rc;
	d.id = a->next_did;
	d.state = ANNOT_DT_PENDING;
	d.actual_start = 0;
	if (d.fixed)
		d.duration = d.end_time - d.start_time;
	if ((rc = an_dt_put(a, &d, err, errlen)) != 0)
		(void)annot_comment_delete(a, d.comment_id);
	else
		*id = d.id;
	return rc;
}

/* Room for n more downtimes (and their comments)? */
static int
an_dt_room(const struct annot *a, size_t n, char *err, size_t errlen)
{
	if (n > a->max || a->ndt > a->max - n)
		return an_full("downtimes", a->max, err, errlen);
	if (a->ncm > a->max - n)
		return an_full("comments", a->max, err, errlen);
	return 0;
}

/* Undo the adds of downtimes first..last (pending, so no callback). */
static void
an_dt_rollback(struct annot *a, uint64_t first, uint64_t last)
{
	for (size_t i = 0; i < a->ndt; i++)
		if (a->dt[i]->pub.id >= first && a->dt[i]->pub.id <= last)
			a->dt[i]->flag = AN_REAP;
	(void)an_dt_reap(a);
}

int
annot_downtime_add(struct annot *a, const struct annot_downtime *req,
    int64_t now, uint64_t *id, char *err, size_t errlen)
{
	uint64_t tmp;
	int rc = an_dt_check(a, req, now < 0 ? 0 : now, err, errlen);

	if (rc == 0)
		rc = an_dt_room(a, 1, err, errlen);
	return rc != 0 ? rc : an_dt_add_one(a, req, id ? id : &tmp, err,
	    errlen);
}

int
annot_downtime_add_services(struct annot *a,
    const struct annot_downtime *req, const char *const *services, size_t n,
    int64_t now, uint64_t *first_id, char *err, size_t errlen)
{
	struct annot_downtime d = *req;
	uint64_t first = a->next_did, id;
	int rc = an_dt_room(a, n, err, errlen);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		d.service = services[i];
		rc = an_dt_check(a, &d, now < 0 ? 0 : now, err, errlen);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		d.service = services[i];
		rc = an_dt_add_one(a, &d, &id, err, errlen);
	}
	if (rc != 0)
		an_dt_rollback(a, first, a->next_did);
	else if (first_id != NULL)
		*first_id = first;
	return rc;
}

/* Append name to the walk's list unless already there (-EEXIST). */
static int
an_walk_push(struct annot *a, const char ***q, size_t *n, size_t *cap,
    const char *name)
{
	struct ann_obj *o = an_obj_get(a, name, NULL);
	const char **v;

	if (o == NULL)
		return -ENOMEM;
	if (o->mark == a->walk)
		return -EEXIST;
	o->mark = a->walk;
	if (*n >= a->max)
		return -ENOSPC;
	if (*n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 16;
		if ((v = realloc(*q, *cap * sizeof(*v))) == NULL)
			return -ENOMEM;
		*q = v;
	}
	(*q)[(*n)++] = name;
	return 0;
}

/* The names of host and its descendants, each once, breadth first, into
 * *out (names borrowed; the caller frees the array). */
static int
an_descendants(struct annot *a, const char *host, annot_child_fn *child,
    void *arg, const char ***out, size_t *n, char *err, size_t errlen)
{
	const char **q = NULL, *c;
	size_t nq = 0, cap = 0;
	int rc;

	a->walk++;
	rc = an_walk_push(a, &q, &nq, &cap, host);
	for (size_t qi = 0; rc == 0 && qi < nq; qi++) {
		for (size_t i = 0; rc == 0 &&
		    (c = child(arg, q[qi], i)) != NULL; i++) {
			rc = an_walk_push(a, &q, &nq, &cap, c);
			if (rc == -EEXIST)
				rc = 0;
		}
	}
	if (rc == -ENOSPC)
		rc = an_full("downtimes", a->max, err, errlen);
	if (rc != 0) {
		free(q);
		return rc;
	}
	*out = q;
	*n = nq;
	return 0;
}

int
annot_downtime_add_propagated(struct annot *a,
    const struct annot_downtime *req, bool triggered, annot_child_fn *child,
    void *arg, int64_t now, uint64_t *first_id, size_t *count, char *err,
    size_t errlen)
{
	struct annot_downtime d = *req;
	const char **names = NULL;
	uint64_t first = a->next_did, id;
	size_t n = 0;
	int rc = an_dt_check(a, req, now < 0 ? 0 : now, err, errlen);

	d.service = NULL;
	if (rc == 0)
		rc = an_descendants(a, req->host, child, arg, &names, &n, err,
		    errlen);
	if (rc == 0)
		rc = an_dt_room(a, n, err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		d.host = names[i];
		rc = an_check_obj(d.host, NULL, err, errlen);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		d.host = names[i];
		d.trigger_id = i == 0 ? req->trigger_id :
		    triggered ? first : 0;
		rc = an_dt_add_one(a, &d, &id, err, errlen);
	}
	free(names);
	if (rc != 0) {
		an_dt_rollback(a, first, a->next_did);
		return rc;
	}
	if (first_id != NULL)
		*first_id = first;
	if (count != NULL)
		*count = n;
	return 0;
}

/* ---- downtimes: transitions ----------------------------------------- */

static void
an_dt_event(struct ann_dt *w, enum annot_dt_event ev,
    const struct annot_callbacks *cb)
{
	if (cb != NULL && cb->downtime != NULL)
		cb->downtime(cb->arg, &w->pub, ev, w->obj->depth);
}

static void
an_dt_start(struct annot *a, struct ann_dt *w, int64_t now,
    const struct annot_callbacks *cb)
{
	an_dt_count(w, -1);
	w->pub.state = ANNOT_DT_ACTIVE;
	w->pub.actual_start = now;
	an_dt_count(w, 1);
	an_changed(a, ANNOT_CHANGE_DOWNTIME, w->pub.id, w->obj);
	an_dt_event(w, ANNOT_DT_STARTED, cb);
}

/* End w (STOPPED or CANCELLED when in effect, else EXPIRED) and flag it
 * for an_dt_reap(). */
static void
an_dt_end(struct ann_dt *w, enum annot_dt_event ev,
    const struct annot_callbacks *cb)
{
	if (w->pub.state == ANNOT_DT_ACTIVE) {
		an_dt_count(w, -1);
		w->pub.state = ANNOT_DT_ENDED;
		an_dt_event(w, ev, cb);
	} else {
		an_dt_event(w, ANNOT_DT_EXPIRED, cb);
	}
	w->flag = AN_REAP;
}

/* Whether w's trigger is missing or going away. */
static bool
an_dt_orphan(const struct annot *a, const struct ann_dt *w)
{
	const struct ann_dt *t = an_dt_get(a, w->pub.trigger_id);

	return t == NULL || t->flag == AN_REAP ||
	    t->pub.state == ANNOT_DT_ENDED;
}

/* Start what is due: fixed ones in their window, triggered ones whose
 * trigger is in effect; expire the pending ones past their window (not
 * when only_triggered). Id order settles trigger chains in one pass. */
static void
an_dt_start_pass(struct annot *a, int64_t now, bool only_triggered,
    const struct annot_callbacks *cb)
{
	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];
		const struct ann_dt *t;

		if (w->pub.state != ANNOT_DT_PENDING || w->flag == AN_REAP)
			continue;
		if (!only_triggered && (now > w->pub.end_time ||
		    (w->pub.trigger_id != 0 && an_dt_orphan(a, w))))
			an_dt_end(w, ANNOT_DT_EXPIRED, cb);
		else if (w->pub.trigger_id != 0) {
			t = an_dt_get(a, w->pub.trigger_id);
			if (t != NULL && t->flag != AN_REAP &&
			    t->pub.state == ANNOT_DT_ACTIVE)
				an_dt_start(a, w, now, cb);
		} else if (!only_triggered && w->pub.fixed &&
		    now >= w->pub.start_time && now < w->pub.end_time)
			an_dt_start(a, w, now, cb);
	}
}

/* Stop what is due: fixed ones at their end, flexible ones after their
 * duration, triggered ones with their trigger at the latest. */
static void
an_dt_end_pass(struct annot *a, int64_t now, const struct annot_callbacks *cb)
{
	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];
		bool end;

		if (w->flag == AN_REAP)
			continue;
		if (w->pub.state == ANNOT_DT_PENDING) {
			if (w->pub.trigger_id != 0 && an_dt_orphan(a, w))
				an_dt_end(w, ANNOT_DT_EXPIRED, cb);
			continue;
		}
		end = w->pub.fixed ? now >= w->pub.end_time :
		    now >= w->pub.actual_start + w->pub.duration;
		if (end || (w->pub.trigger_id != 0 && an_dt_orphan(a, w)))
			an_dt_end(w, ANNOT_DT_STOPPED, cb);
	}
}

static int64_t
an_dt_next_due(const struct annot *a, int64_t now)
{
	int64_t next = INT64_MAX, t[2];

	for (size_t i = 0; i < a->ndt; i++) {
		const struct annot_downtime *d = &a->dt[i]->pub;

		t[0] = t[1] = INT64_MAX;
		if (d->state == ANNOT_DT_PENDING) {
			t[0] = d->end_time + 1;
			if (d->fixed && d->trigger_id == 0)
				t[1] = d->start_time;
		} else {
			t[0] = d->fixed ? d->end_time :
			    d->actual_start + d->duration;
		}
		for (int k = 0; k < 2; k++)
			if (t[k] > now && t[k] < next)
				next = t[k];
	}
	return next;
}

int64_t
annot_tick(struct annot *a, int64_t now, const struct annot_callbacks *cb)
{
	an_dt_start_pass(a, now, false, cb);
	an_dt_end_pass(a, now, cb);
	(void)an_dt_reap(a);
	return an_dt_next_due(a, now);
}

void
annot_problem(struct annot *a, const char *host, const char *service,
    int64_t now, const struct annot_callbacks *cb)
{
	const struct ann_obj *o = an_obj_find(a, host, service);
	bool started = false;

	if (o == NULL || o->nflex == 0)
		return;
	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];

		if (w->obj == o && w->pub.state == ANNOT_DT_PENDING &&
		    !w->pub.fixed && w->pub.trigger_id == 0 &&
		    now >= w->pub.start_time && now <= w->pub.end_time) {
			an_dt_start(a, w, now, cb);
			started = true;
		}
	}
	if (started)
		an_dt_start_pass(a, now, true, cb);
}

/* Flag, in one pass in id order, every downtime triggered (directly or
 * not) by a flagged one. */
static void
an_dt_cascade(struct annot *a)
{
	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];
		const struct ann_dt *t;

		if (w->flag == AN_REAP || w->pub.trigger_id == 0)
			continue;
		t = an_dt_get(a, w->pub.trigger_id);
		if (t != NULL && t->flag == AN_REAP)
			w->flag = AN_REAP;
	}
}

/* Cancel the flagged downtimes and those they trigger. */
static size_t
an_dt_cancel_flagged(struct annot *a, const struct annot_callbacks *cb)
{
	an_dt_cascade(a);
	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];

		if (w->flag == AN_REAP && w->pub.state == ANNOT_DT_ACTIVE) {
			an_dt_count(w, -1);
			w->pub.state = ANNOT_DT_ENDED;
			an_dt_event(w, ANNOT_DT_CANCELLED, cb);
		}
	}
	return an_dt_reap(a);
}

int
annot_downtime_delete(struct annot *a, uint64_t id,
    const struct annot_callbacks *cb)
{
	struct ann_dt *w = an_dt_get(a, id);

	if (w == NULL)
		return -ENOENT;
	w->flag = AN_REAP;
	(void)an_dt_cancel_flagged(a, cb);
	return 0;
}

size_t
annot_downtime_delete_by_host(struct annot *a, const char *host,
    const char *service, const struct annot_callbacks *cb)
{
	for (size_t i = 0; i < a->ndt; i++) {
		struct ann_dt *w = a->dt[i];

		if (strcmp(w->obj->host, host) == 0 && (service == NULL ||
		    (w->obj->service != NULL &&
		    strcmp(w->obj->service, service) == 0)))
			w->flag = AN_REAP;
	}
	return an_dt_cancel_flagged(a, cb);
}

int
annot_downtime_alert(const struct annot_downtime *dt, enum annot_dt_event ev,
    unsigned depth, char *buf, size_t len)
{
	static const char *const what[] = { "STARTED", "STOPPED",
		"CANCELLED" };
	static const char *const host_text[] = {
		"Host has entered a period of scheduled downtime",
		"Host has exited from a period of scheduled downtime",
		"Scheduled downtime for host has been cancelled.",
	};
	static const char *const svc_text[] = {
		"Service has entered a period of scheduled downtime",
		"Service has exited from a period of scheduled downtime",
		"Scheduled downtime for service has been cancelled.",
	};

	if (len > 0)
		buf[0] = '\0';
	if (ev == ANNOT_DT_EXPIRED || (ev == ANNOT_DT_STARTED && depth != 1) ||
	    (ev != ANNOT_DT_STARTED && depth != 0))
		return 0;
	if (dt->service == NULL)
		snprintf(buf, len, "HOST DOWNTIME ALERT: %s;%s; %s", dt->host,
		    what[ev], host_text[ev]);
	else
		snprintf(buf, len, "SERVICE DOWNTIME ALERT: %s;%s;%s; %s",
		    dt->host, dt->service, what[ev], svc_text[ev]);
	return 1;
}
