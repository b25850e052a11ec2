/*
 * notify: the decisions. Per host and service the engine keeps a struct
 * nt_obj (notify_int.h) in one array, hosts first: the notification
 * number, the last hard state it saw, which problem states were notified,
 * the last and next notification times and its place in the timer heap.
 *
 * A problem notification goes out when a hard problem state is new, when
 * its re-notification time comes (a timer), or when a check result finds
 * it due after a filter held it back (Nagios retries at every check). The
 * filters are Nagios 4's, in its order (docs/notifications.md); a filter
 * with a known end (the notification period, first_notification_delay,
 * the re-notification interval) arms the object's timer for that time,
 * the others wait for the next check result or event.
 *
 * Timers are a binary min-heap of object ids keyed by (time, sequence),
 * with each object's position stored in it, so re-arming or cancelling
 * is O(log n) and equal times fire in the order they were set. Invariant:
 * an object is in the heap iff its hpos is not NT_NOPOS, and then
 * heap[hpos] is its id.
 */
#include "notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "notify_int.h"
#include "timeperiod.h"

/* inherits_parent chains followed at most this deep (cycles are
 * rejected by the loader; this bounds the walk whatever it is given). */
#define NT_MAX_DEPTH 64
/* Nagios: a period with no time left schedules a year ahead. */
#define NT_YEAR (365 * 86400)
#define NT_SEC INT64_C(1000000000)

static const char *const nt_type_names[] = {
	[NOTIFY_PROBLEM] = "PROBLEM",
	[NOTIFY_RECOVERY] = "RECOVERY",
	[NOTIFY_ACKNOWLEDGEMENT] = "ACKNOWLEDGEMENT",
	[NOTIFY_FLAPPINGSTART] = "FLAPPINGSTART",
	[NOTIFY_FLAPPINGSTOP] = "FLAPPINGSTOP",
	[NOTIFY_FLAPPINGDISABLED] = "FLAPPINGDISABLED",
	[NOTIFY_DOWNTIMESTART] = "DOWNTIMESTART",
	[NOTIFY_DOWNTIMEEND] = "DOWNTIMEEND",
	[NOTIFY_DOWNTIMECANCELLED] = "DOWNTIMECANCELLED",
	[NOTIFY_CUSTOM] = "CUSTOM",
};

const char *
notify_type_name(enum notify_type t)
{
	return (unsigned)t <= NOTIFY_CUSTOM ? nt_type_names[t] : "UNKNOWN";
}

int
notify_new(struct objects *objs, const struct tp_table *tps,
    const struct notify_params *p, const struct notify_ops *ops,
    struct notify **out)
{
	size_t i, nobj = objs->nhosts + objs->nservices;
	struct notify *n;

	*out = NULL;
	if (ops->run == NULL)
		return -EINVAL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return -ENOMEM;
	n->obj = calloc(nobj + 1, sizeof(*n->obj));
	n->heap = calloc(nobj + 1, sizeof(*n->heap));
	n->scratch = calloc(objs->ncontacts + 1, sizeof(*n->scratch));
	if (n->obj == NULL || n->heap == NULL || n->scratch == NULL) {
		notify_free(n);
		return -ENOMEM;
	}
	for (i = 0; i < nobj; i++) {
		n->obj[i].hpos = NT_NOPOS;
		n->obj[i].hard_state = i < objs->nhosts ?
		    objs->hosts[i]->st.state :
		    objs->services[i - objs->nhosts]->st.state;
	}
	n->objs = objs;
	n->tps = tps;
	n->p = *p;
	n->ops = *ops;
	*out = n;
	return 0;
}

void
notify_free(struct notify *n)
{
	if (n == NULL)
		return;
	free(n->obj);
	free(n->heap);
	free(n->scratch);
	free(n);
}

void
notify_set_enabled(struct notify *n, bool on)
{
	n->p.enabled = on;
}

const struct notify_counters *
notify_get_counters(const struct notify *n)
{
	return &n->counters;
}

bool
nt_period_in(const struct notify *n, const struct timeperiod *tp,
    int64_t now)
{
	if (tp == NULL || n->tps == NULL)
		return true;
	return timeperiod_in(timeperiod_at(n->tps, tp->index), (time_t)now);
}

/* The next time inside tp at or after now; a year ahead when none. */
static int64_t
nt_period_next(const struct notify *n, const struct timeperiod *tp,
    int64_t now)
{
	time_t t;

	if (tp == NULL || n->tps == NULL)
		return now;
	t = timeperiod_next(timeperiod_at(n->tps, tp->index), (time_t)now);
	return t == (time_t)-1 ? now + NT_YEAR : (int64_t)t;
}

/* ---- the timer heap ------------------------------------------------------ */

static bool
nt_less(const struct notify *n, size_t a, size_t b)
{
	const struct nt_obj *x = &n->obj[a], *y = &n->obj[b];

	return x->timer < y->timer || (x->timer == y->timer &&
	    x->seq < y->seq);
}

static void
nt_place(struct notify *n, size_t pos, size_t id)
{
	n->heap[pos] = id;
	n->obj[id].hpos = pos;
}

static void
nt_sift(struct notify *n, size_t pos)
{
	size_t id = n->heap[pos], c;

	while (pos > 0 && nt_less(n, id, n->heap[(pos - 1) / 2])) {
		nt_place(n, pos, n->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		c = 2 * pos + 1;
		if (c >= n->nheap)
			break;
		if (c + 1 < n->nheap && nt_less(n, n->heap[c + 1], n->heap[c]))
			c++;
		if (!nt_less(n, n->heap[c], id))
			break;
		nt_place(n, pos, n->heap[c]);
		pos = c;
	}
	nt_place(n, pos, id);
}

static void
nt_timer_set(struct notify *n, struct nt_obj *o, int64_t when)
{
	size_t id = (size_t)(o - n->obj);

	o->timer = when;
	o->seq = n->seq++;
	if (o->hpos == NT_NOPOS)
		nt_place(n, n->nheap++, id);
	nt_sift(n, o->hpos);
}

static void
nt_timer_del(struct notify *n, struct nt_obj *o)
{
	size_t pos = o->hpos;

	if (pos == NT_NOPOS)
		return;
	o->hpos = NT_NOPOS;
	if (pos == --n->nheap)
		return;
	nt_place(n, pos, n->heap[n->nheap]);
	nt_sift(n, pos);
}

int64_t
notify_next_time(const struct notify *n)
{
	return n->nheap > 0 ? n->obj[n->heap[0]].timer : INT64_MAX;
}

/* ---- targets and queries ------------------------------------------------- */

static void
nt_target(struct notify *n, const struct host *h, const struct service *s,
    struct nt_target *t)
{
	t->s = s;
	t->h = s != NULL ? s->host : h;
	t->op = s != NULL ? &s->opts : &h->opts;
	t->st = s != NULL ? &s->st : &h->st;
	t->o = s != NULL ? &n->obj[n->objs->nhosts + s->index] :
	    &n->obj[h->index];
}

static bool
nt_ask(const struct notify *n, bool (*q)(void *, const struct host *,
    const struct service *), const struct host *h, const struct service *s)
{
	return q != NULL && q(n->ops.arg, h, s);
}

/* In downtime: the object, and for a service with host also its host. */
static bool
nt_downtime(const struct notify *n, const struct nt_target *t, bool host)
{
	return nt_ask(n, n->ops.in_downtime, t->h, t->s) ||
	    (host && t->s != NULL && nt_ask(n, n->ops.in_downtime, t->h, NULL));
}

/* Do the dependencies in op fail (execution or notification criteria)? */
static bool
nt_deps_fail(const struct notify *n, const struct obj_opts *op, bool exec,
    int64_t now, int depth)
{
	const struct check_status *st;
	const struct dependency *dep;
	unsigned crit;
	size_t i;
	int state;

	for (i = 0; i < op->ndeps; i++) {
		dep = &op->deps[i];
		if (!nt_period_in(n, dep->dependency_period, now))
			continue;
		st = dep->master_host != NULL ? &dep->master_host->st :
		    &dep->master_service->st;
		state = st->state_type == STATE_SOFT ? st->last_hard_state :
		    st->state;
		crit = exec ? dep->execution_failure_criteria :
		    dep->notification_failure_criteria;
		if (crit & OBJ_OPT_STATE(state))
			return true;
		if (dep->inherits_parent && depth < NT_MAX_DEPTH &&
		    nt_deps_fail(n, dep->master_host != NULL ?
		    &dep->master_host->opts : &dep->master_service->opts,
		    exec, now, depth + 1))
			return true;
	}
	return false;
}

bool
notify_deps_failed(const struct notify *n, const struct host *h,
    const struct service *s, bool execution, int64_t now)
{
	if (s == NULL)
		return nt_deps_fail(n, &h->opts, execution, now, 0);
	return nt_deps_fail(n, &s->opts, execution, now, 0) || (!execution &&
	    nt_deps_fail(n, &s->host->opts, false, now, 0));
}

void
notify_get_state(const struct notify *n, const struct host *h,
    const struct service *s, struct notify_state *out)
{
	const struct nt_obj *o = s != NULL ?
	    &n->obj[n->objs->nhosts + s->index] : &n->obj[h->index];

	out->number = o->number;
	out->last = o->last;
	out->next = o->next;
	out->notified_on = o->notified_on;
	out->no_more = o->no_more;
	out->timer = o->hpos != NT_NOPOS ? o->timer : 0;
}

void
notify_set_state(struct notify *n, const struct host *h,
    const struct service *s, const struct notify_state *in, int64_t now)
{
	struct nt_target t;
	bool problem;

	nt_target(n, h, s, &t);
	t.o->number = in->number;
	t.o->last = in->last;
	t.o->next = in->next;
	t.o->notified_on = in->notified_on;
	t.o->no_more = in->no_more;
	t.o->hard_state = t.st->state_type == STATE_HARD ? t.st->state :
	    t.o->hard_state;
	problem = t.st->state_type == STATE_HARD && t.st->state != HOST_UP &&
	    t.st->state != (s != NULL ? SERVICE_PENDING : HOST_PENDING);
	if (problem && in->number > 0 && !in->no_more)
		nt_timer_set(n, t.o, in->next > now ? in->next : now);
	else
		nt_timer_del(n, t.o);
}

/* ---- problems and recoveries --------------------------------------------- */

/* The filters of a problem or recovery notification, in Nagios' order.
 * Returns true to send; otherwise *at is when a timer should try again
 * (0: at the next check result or event). */
static bool
nt_normal_ok(struct notify *n, const struct nt_target *t, int64_t now,
    int64_t *at)
{
	int state = t->st->state;
	bool recovery = state == HOST_UP; /* == SERVICE_OK */
	int64_t first;

	*at = 0;
	if (!n->p.enabled)
		return false;
	if (!nt_period_in(n, t->op->notification_period, now)) {
		*at = nt_period_next(n, t->op->notification_period, now);
		return false;
	}
	if (!t->op->notifications_enabled || t->st->state_type != STATE_HARD)
		return false;
	if (!recovery && nt_ask(n, n->ops.is_acknowledged, t->h, t->s))
		return false;
	if (notify_deps_failed(n, t->h, t->s, false, now))
		return false;
	if (!(t->op->notification_options & OBJ_OPT_STATE(state)))
		return false;
	if (recovery && t->o->notified_on == 0)
		return false;
	if (!recovery && t->o->number == 0) {
		first = t->o->last_ok > 0 ? t->o->last_ok : n->p.start_time;
		first += t->op->first_notification_delay_ns / NT_SEC;
		if (now < first) {
			*at = first;
			return false;
		}
	}
	if (nt_ask(n, n->ops.is_flapping, t->h, t->s))
		return false;
	if (recovery)
		return true;
	if (t->s == NULL && nt_downtime(n, t, false))
		return false;
	if (t->o->no_more && (t->s == NULL || !t->s->is_volatile))
		return false;
	/* Services of a host that is down are not notified about. */
	if (t->s != NULL && (t->h->st.state == HOST_DOWN ||
	    t->h->st.state == HOST_UNREACHABLE) &&
	    t->h->st.state_type == STATE_HARD)
		return false;
	if (now < t->o->next && (t->s == NULL || !t->s->is_volatile)) {
		*at = t->o->next;
		return false;
	}
	return t->s == NULL || !nt_downtime(n, t, true);
}

/* A problem or recovery notification about t, if the filters let it. */
static void
nt_normal(struct notify *n, const struct nt_target *t, int64_t now)
{
	struct nt_msg m = { .now = now };
	struct nt_obj *o = t->o;
	int64_t at, iv;

	if (!nt_normal_ok(n, t, now, &at)) {
		if (at > 0)
			nt_timer_set(n, o, at);
		return;
	}
	m.type = t->st->state == HOST_UP ? NOTIFY_RECOVERY : NOTIFY_PROBLEM;
	o->number++;
	if (nt_send(n, t, &m) == 0) {
		o->number--;
		return;
	}
	if (m.type == NOTIFY_RECOVERY)
		return;
	o->notified_on |= OBJ_OPT_STATE(t->st->state);
	o->last = now;
	iv = nt_interval(n, t, now);
	o->no_more = iv == 0 && (t->s == NULL || !t->s->is_volatile);
	o->next = now + iv;
	if (iv > 0)
		nt_timer_set(n, o, o->next);
	else
		nt_timer_del(n, o);
}

/* A problem is over: forget its notifications. */
static void
nt_reset(struct notify *n, struct nt_obj *o)
{
	o->number = 0;
	o->notified_on = 0;
	o->no_more = false;
	o->next = 0;
	nt_timer_del(n, o);
}

static void
nt_checked(struct notify *n, const struct nt_target *t, int64_t now)
{
	struct nt_obj *o = t->o;
	int state = t->st->state;
	int pending = t->s != NULL ? SERVICE_PENDING : HOST_PENDING;

	if (state == HOST_UP)
		o->last_ok = now;
	if (t->st->state_type != STATE_HARD || state == pending)
		return;
	if (state == HOST_UP) {
		/* A recovery, sent only after a notified problem. */
		if (o->hard_state != HOST_UP && o->hard_state != pending &&
		    o->notified_on != 0)
			nt_normal(n, t, now);
		nt_reset(n, o);
		o->hard_state = state;
		return;
	}
	if (state != o->hard_state) {
		/* A new problem state notifies at once, whatever the
		 * interval said about the previous one. */
		o->hard_state = state;
		o->next = 0;
		o->no_more = false;
	}
	nt_normal(n, t, now);
}

void
notify_host_checked(struct notify *n, const struct host *h, int64_t now)
{
	struct nt_target t;

	nt_target(n, h, NULL, &t);
	nt_checked(n, &t, now);
}

void
notify_service_checked(struct notify *n, const struct service *s,
    int64_t now)
{
	struct nt_target t;

	nt_target(n, NULL, s, &t);
	nt_checked(n, &t, now);
}

/* ---- other events ------------------------------------------------------ */

/* The filters of acknowledgement, flapping, downtime and custom
 * notifications (Nagios: the three general ones, then their own). */
static bool
nt_event_ok(const struct notify *n, const struct nt_target *t,
    const struct nt_msg *m)
{
	unsigned opts = t->op->notification_options;

	if (m->options & NOTIFY_OPT_FORCED)
		return true;
	if (!n->p.enabled ||
	    !nt_period_in(n, t->op->notification_period, m->now) ||
	    !t->op->notifications_enabled)
		return false;
	switch (m->type) {
	case NOTIFY_CUSTOM:
		return !nt_downtime(n, t, true);
	case NOTIFY_ACKNOWLEDGEMENT:
		return t->st->state != HOST_UP;
	case NOTIFY_FLAPPINGSTART:
	case NOTIFY_FLAPPINGSTOP:
	case NOTIFY_FLAPPINGDISABLED:
		return (opts & OBJ_OPT_FLAPPING) && !nt_downtime(n, t, true);
	case NOTIFY_DOWNTIMESTART:
	case NOTIFY_DOWNTIMEEND:
	case NOTIFY_DOWNTIMECANCELLED:
		return (opts & OBJ_OPT_DOWNTIME) && !nt_downtime(n, t, false);
	default:
		return false;
	}
}

void
notify_event(struct notify *n, const struct host *h,
    const struct service *s, enum notify_type type, const char *author,
    const char *comment, int64_t now)
{
	struct nt_msg m = { type, 0, author, comment, now };
	struct nt_target t;

	if (type == NOTIFY_PROBLEM || type == NOTIFY_RECOVERY ||
	    type == NOTIFY_CUSTOM)
		return;
	nt_target(n, h, s, &t);
	if (nt_event_ok(n, &t, &m))
		(void)nt_send(n, &t, &m);
}

void
notify_custom(struct notify *n, const struct host *h,
    const struct service *s, unsigned options, const char *author,
    const char *comment, int64_t now)
{
	struct nt_msg m = { NOTIFY_CUSTOM, options, author, comment, now };
	struct nt_target t;
	bool inc = (options & NOTIFY_OPT_INCREMENT) != 0;

	nt_target(n, h, s, &t);
	if (!nt_event_ok(n, &t, &m))
		return;
	t.o->number += inc;
	if (nt_send(n, &t, &m) == 0)
		t.o->number -= inc;
}

void
notify_tick(struct notify *n, int64_t now)
{
	struct nt_target t;
	struct nt_obj *o;
	size_t id;

	while (n->nheap > 0 && n->obj[n->heap[0]].timer <= now) {
		id = n->heap[0];
		o = &n->obj[id];
		nt_timer_del(n, o);
		if (id < n->objs->nhosts)
			nt_target(n, n->objs->hosts[id], NULL, &t);
		else
			nt_target(n, NULL,
			    n->objs->services[id - n->objs->nhosts], &t);
		/* Only a hard problem still standing has anything due. */
		if (t.st->state_type == STATE_HARD &&
		    t.st->state == o->hard_state && t.st->state != HOST_UP &&
		    t.st->state != (t.s != NULL ? SERVICE_PENDING :
		    HOST_PENDING))
			nt_normal(n, &t, now);
	}
}
