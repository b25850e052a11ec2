/*
 * stats: per kind (host, service) a summary of latency and of execution
 * time since start (count, min, max, sum), the totals of active and
 * passive results, and one ring of STATS_WINDOW_S one-second buckets for
 * the counts of the last minutes.
 *
 * Ring invariant: ring[i] holds the counts of the second ring[i].sec, and
 * ring[i].sec mod STATS_WINDOW_S == i, or ring[i].sec is STATS_NO_SEC (never
 * used). A bucket is reset lazily when a later second needs its slot, so a
 * record is O(1) and nothing runs on a timer; the count of the last N
 * seconds sums the buckets whose second lies in (now - N, now]. A bucket
 * left from more than 15 minutes ago lies outside every window, so it
 * never needs clearing. A result older than the second already stored in
 * its slot (a caller's clock 15 minutes behind) counts in the totals only.
 */
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "objects.h"

#define STATS_NS_PER_SEC INT64_C(1000000000)
#define STATS_NO_SEC INT64_MIN
/* Counts kept per second, indexed by stats_idx(): host active, host
 * passive, service active, service passive. */
#define STATS_NCOUNTS 4
/* The windows of the recent counts, in minutes (the ring's and, for
 * objects checked lately, nagiostats' 60). */
static const int stats_windows[] = {1, 5, 15};
static const char *const stats_window_keys[] = {
	"last_1min", "last_5min", "last_15min", "last_60min",
};
#define STATS_NOBJ_WINDOWS 4
static const int stats_obj_windows[STATS_NOBJ_WINDOWS] = {1, 5, 15, 60};

struct stats_sum {
	uint64_t count;
	int64_t min_ns;
	int64_t max_ns;
	/* A double, not an int64: ten thousand checks a second that each
	 * take a second would overflow int64 nanoseconds within days; the
	 * price is a rounding error far below a nanosecond in the mean. */
	double sum_ns;
};

struct stats_bucket {
	int64_t sec;
	uint32_t n[STATS_NCOUNTS];
};

struct stats_per_kind {
	struct stats_sum latency;
	struct stats_sum exec;
	uint64_t active;
	uint64_t passive;
};

struct stats {
	int64_t start_ns;
	struct stats_per_kind k[2]; /* by enum stats_kind */
	struct stats_bucket ring[STATS_WINDOW_S];
};

int
stats_new(int64_t now_ns, struct stats **out)
{
	struct stats *st;
	size_t i;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -ENOMEM;
	st->start_ns = now_ns;
	for (i = 0; i < STATS_WINDOW_S; i++)
		st->ring[i].sec = STATS_NO_SEC;
	*out = st;
	return 0;
}

void
stats_free(struct stats *st)
{
	free(st);
}

/* Whole seconds of a monotonic time, rounded down. */
static int64_t
stats_sec(int64_t ns)
{
	int64_t s = ns / STATS_NS_PER_SEC;

	if (ns % STATS_NS_PER_SEC < 0)
		s--;
	return s;
}

static size_t
stats_slot(int64_t sec)
{
	int64_t m = sec % STATS_WINDOW_S;

	return (size_t)(m < 0 ? m + STATS_WINDOW_S : m);
}

static size_t
stats_idx(enum stats_kind kind, bool active)
{
	return (kind == STATS_HOST ? 0 : 2) + (active ? 0 : 1);
}

static void
stats_ring_add(struct stats *st, size_t idx, int64_t now_ns)
{
	int64_t sec = stats_sec(now_ns);
	struct stats_bucket *b = &st->ring[stats_slot(sec)];

	if (b->sec > sec)
		return; /* older than what the ring holds */
	if (b->sec < sec) {
		memset(b->n, 0, sizeof(b->n));
		b->sec = sec;
	}
	if (b->n[idx] < UINT32_MAX)
		b->n[idx]++;
}

static void
stats_sum_add(struct stats_sum *s, int64_t v)
{
	if (v < 0)
		v = 0;
	if (s->count == 0 || v < s->min_ns)
		s->min_ns = v;
	if (s->count == 0 || v > s->max_ns)
		s->max_ns = v;
	s->count++;
	s->sum_ns += (double)v;
}

void
stats_active(struct stats *st, enum stats_kind kind, int64_t deadline_ns,
    int64_t start_ns, int64_t end_ns, int64_t now_ns)
{
	struct stats_per_kind *k;

	if (st == NULL)
		return;
	k = &st->k[kind == STATS_HOST ? STATS_HOST : STATS_SERVICE];
	k->active++;
	stats_sum_add(&k->latency, start_ns - deadline_ns);
	stats_sum_add(&k->exec, end_ns - start_ns);
	stats_ring_add(st, stats_idx(kind, true), now_ns);
}

void
stats_passive(struct stats *st, enum stats_kind kind, int64_t now_ns)
{
	if (st == NULL)
		return;
	st->k[kind == STATS_HOST ? STATS_HOST : STATS_SERVICE].passive++;
	stats_ring_add(st, stats_idx(kind, false), now_ns);
}

uint64_t
stats_recent(const struct stats *st, enum stats_kind kind, bool active,
    int window_s, int64_t now_ns)
{
	int64_t now = stats_sec(now_ns), oldest;
	size_t i, idx = stats_idx(kind, active);
	uint64_t n = 0;

	if (st == NULL || window_s <= 0)
		return 0;
	if (window_s > STATS_WINDOW_S)
		window_s = STATS_WINDOW_S;
	oldest = now - window_s + 1;
	for (i = 0; i < STATS_WINDOW_S; i++)
		if (st->ring[i].sec >= oldest && st->ring[i].sec <= now)
			n += st->ring[i].n[idx];
	return n;
}

/* ---- JSON ---- */

static double
stats_secs(double ns)
{
	return ns / (double)STATS_NS_PER_SEC;
}

static json_t *
stats_sum_json(const struct stats_sum *s)
{
	bool any = s->count > 0;

	return json_pack("{s:I, s:f, s:f, s:f}", "count", (json_int_t)s->count,
	    "min", any ? stats_secs((double)s->min_ns) : 0.0,
	    "max", any ? stats_secs((double)s->max_ns) : 0.0,
	    "avg", any ? stats_secs(s->sum_ns / (double)s->count) : 0.0);
}

static json_t *
stats_checks_json(const struct stats *st, enum stats_kind kind, bool active,
    uint64_t total, int64_t now_ns)
{
	json_t *o = json_object();
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < sizeof(stats_windows) / sizeof(stats_windows[0]);
	    i++) {
		if (json_object_set_new(o, stats_window_keys[i],
		    json_integer((json_int_t)stats_recent(st, kind, active,
		    stats_windows[i] * 60, now_ns))) != 0)
			goto fail;
	}
	if (json_object_set_new(o, "total", json_integer((json_int_t)total)) !=
	    0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
stats_kind_json(const struct stats *st, enum stats_kind kind, int64_t now_ns)
{
	const struct stats_per_kind *k = &st->k[kind];

	return json_pack("{s:o, s:o, s:o, s:o}",
	    "active_checks", stats_checks_json(st, kind, true, k->active,
	    now_ns),
	    "passive_checks", stats_checks_json(st, kind, false, k->passive,
	    now_ns),
	    "latency", stats_sum_json(&k->latency),
	    "execution_time", stats_sum_json(&k->exec));
}

static int64_t
stats_uptime(const struct stats *st, int64_t now_ns)
{
	int64_t up = stats_sec(now_ns - st->start_ns);

	return up > 0 ? up : 0;
}

json_t *
stats_json(const struct stats *st, int64_t now_ns)
{
	return json_pack("{s:I, s:o, s:o}",
	    "uptime", (json_int_t)stats_uptime(st, now_ns),
	    "hosts", stats_kind_json(st, STATS_HOST, now_ns),
	    "services", stats_kind_json(st, STATS_SERVICE, now_ns));
}

/* ---- the objects: totals and states ---- */

/* Counts over the hosts or the services. "Actively checked" is an object
 * with active checks on, "passively checked" one with them off, so the two
 * add up to the total as in nagiostats (which goes by the type of each
 * object's last check, a thing Pharos does not keep). */
struct stats_objs {
	uint64_t total;
	uint64_t checked;   /* has_been_checked */
	uint64_t scheduled; /* active checks on and check_interval > 0 */
	uint64_t active;
	uint64_t passive;
	uint64_t states[SERVICE_PENDING + 1];
	uint64_t hard; /* among the checked ones */
	uint64_t soft;
	/* Objects whose last check started within each stats_obj_windows
	 * minutes: [0] active checks on, [1] off. */
	uint64_t recent[2][STATS_NOBJ_WINDOWS];
};

static void
stats_objs_add(struct stats_objs *c, const struct check_status *cs,
    bool active, int64_t interval_ns, int64_t wall_now)
{
	size_t w;

	c->total++;
	if (active)
		c->active++;
	else
		c->passive++;
	if (active && interval_ns > 0)
		c->scheduled++;
	if (cs->state >= 0 && cs->state <= SERVICE_PENDING)
		c->states[cs->state]++;
	if (!cs->has_been_checked)
		return;
	c->checked++;
	if (cs->state_type == STATE_HARD)
		c->hard++;
	else
		c->soft++;
	for (w = 0; w < STATS_NOBJ_WINDOWS; w++)
		if (wall_now - cs->last_check_time <=
		    (int64_t)stats_obj_windows[w] * 60)
			c->recent[active ? 0 : 1][w]++;
}

static json_t *
stats_windows_json(const uint64_t *n)
{
	json_t *o = json_object();
	size_t w;

	for (w = 0; o != NULL && w < STATS_NOBJ_WINDOWS; w++) {
		if (json_object_set_new(o, stats_window_keys[w],
		    json_integer((json_int_t)n[w])) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* Add c's counts to kind_obj (stats_kind_json()'s object). nstates
 * states, named by name(). Returns 0 or -1. */
static int
stats_objs_json(json_t *kind_obj, const struct stats_objs *c, int nstates,
    const char *(*name)(int))
{
	json_t *states = json_object(), *add;
	int i;

	for (i = 0; states != NULL && i < nstates; i++) {
		if (json_object_set_new(states, name(i),
		    json_integer((json_int_t)c->states[i])) != 0) {
			json_decref(states);
			states = NULL;
		}
	}
	add = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I,"
	    " s:{s:o, s:o}}",
	    "total", (json_int_t)c->total,
	    "checked", (json_int_t)c->checked,
	    "scheduled", (json_int_t)c->scheduled,
	    "actively_checked", (json_int_t)c->active,
	    "passively_checked", (json_int_t)c->passive,
	    "states", states,
	    "hard", (json_int_t)c->hard,
	    "soft", (json_int_t)c->soft,
	    "recently_checked",
	    "active", stats_windows_json(c->recent[0]),
	    "passive", stats_windows_json(c->recent[1]));
	if (add == NULL || json_object_update(kind_obj, add) != 0) {
		json_decref(add);
		return -1;
	}
	json_decref(add);
	return 0;
}

json_t *
stats_report(const struct stats *st, const struct objects *objs,
    int64_t now_ns, int64_t start_time)
{
	struct stats_objs hc = {0}, sc = {0};
	int64_t up = stats_uptime(st, now_ns), wall = start_time + up;
	json_t *rep, *prog;
	size_t i;

	for (i = 0; i < objs->nhosts; i++) {
		const struct host *h = objs->hosts[i];

		stats_objs_add(&hc, &h->st, h->active_checks_enabled,
		    h->check_interval_ns, wall);
	}
	for (i = 0; i < objs->nservices; i++) {
		const struct service *s = objs->services[i];

		stats_objs_add(&sc, &s->st, s->active_checks_enabled,
		    s->check_interval_ns, wall);
	}
	if ((rep = stats_json(st, now_ns)) == NULL)
		return NULL;
	json_object_del(rep, "uptime"); /* in "program" */
	prog = json_pack("{s:I, s:I, s:I}", "start_time",
	    (json_int_t)start_time, "uptime", (json_int_t)up, "now",
	    (json_int_t)wall);
	if (json_object_set_new(rep, "program", prog) != 0 ||
	    stats_objs_json(json_object_get(rep, "hosts"), &hc,
	    HOST_PENDING + 1, host_state_name) != 0 ||
	    stats_objs_json(json_object_get(rep, "services"), &sc,
	    SERVICE_PENDING + 1, service_state_name) != 0) {
		json_decref(rep);
		return NULL;
	}
	return rep;
}

int
stats_op(const struct stats *st, const struct objects *objs, int64_t now_ns,
    int64_t start_time, json_t **data, char *err, size_t errlen)
{
	*data = NULL;
	if (st == NULL) {
		snprintf(err, errlen, "statistics are not available");
		return -1;
	}
	if ((*data = stats_report(st, objs, now_ns, start_time)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
