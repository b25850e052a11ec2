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

/* The latency and execution time histograms of one step of
 * STATS_HIST_STEP_S seconds: [kind][0 latency, 1 execution time]. */
struct stats_hist_slot {
	int64_t step; /* STATS_NO_SEC: never used */
	uint32_t n[2][2][STATS_HIST_NBUCKETS];
};

struct stats {
	int64_t start_ns;
	struct stats_per_kind k[2]; /* by enum stats_kind */
	struct stats_bucket ring[STATS_WINDOW_S];
	struct stats_hist_slot hist[STATS_HIST_NSLOTS];
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
	for (i = 0; i < STATS_HIST_NSLOTS; i++)
		st->hist[i].step = STATS_NO_SEC;
	*out = st;
	return 0;
}

void
stats_free(struct stats *st)
{
	free(st);
}

/* Whole seconds of a monotonic time, rounded down. */
/* a / b rounded down, and a mod b in [0, b), for b > 0 and any a. */
static int64_t
stats_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static size_t
stats_mod(int64_t a, int64_t b)
{
	int64_t m = a % b;

	return (size_t)(m < 0 ? m + b : m);
}

static int64_t
stats_sec(int64_t ns)
{
	return stats_floordiv(ns, STATS_NS_PER_SEC);
}

static size_t
stats_slot(int64_t sec)
{
	return stats_mod(sec, STATS_WINDOW_S);
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

/* ---- the histograms ---- */

size_t
stats_hist_bucket(int64_t ns)
{
	uint64_t v;
	int e;

	if (ns < (INT64_C(1) << STATS_HIST_MIN_SHIFT))
		return 0;
	v = (uint64_t)ns;
	e = 63 - __builtin_clzll(v);
	if (e >= STATS_HIST_MIN_SHIFT + STATS_HIST_DOUBLINGS)
		return STATS_HIST_NBUCKETS - 1;
	return 1 + (size_t)(e - STATS_HIST_MIN_SHIFT) * STATS_HIST_SUB +
	    (size_t)((v >> (e - STATS_HIST_SUB_BITS)) &
	    (STATS_HIST_SUB - 1));
}

int64_t
stats_hist_upper(size_t b)
{
	int e;
	size_t sub;

	if (b == 0)
		return INT64_C(1) << STATS_HIST_MIN_SHIFT;
	if (b >= STATS_HIST_NBUCKETS - 1)
		return INT64_MAX;
	e = STATS_HIST_MIN_SHIFT + (int)((b - 1) / STATS_HIST_SUB);
	sub = (b - 1) % STATS_HIST_SUB;
	return (INT64_C(1) << e) +
	    (int64_t)(sub + 1) * (INT64_C(1) << (e - STATS_HIST_SUB_BITS));
}

/* The step (STATS_HIST_STEP_S seconds) of a monotonic time. */
static int64_t
stats_step(int64_t ns)
{
	return stats_floordiv(stats_sec(ns), STATS_HIST_STEP_S);
}

static size_t
stats_hist_idx(int64_t step)
{
	return stats_mod(step, STATS_HIST_NSLOTS);
}

static void
stats_hist_add(struct stats *st, size_t kind, int64_t lat_ns,
    int64_t exec_ns, int64_t now_ns)
{
	int64_t step = stats_step(now_ns);
	struct stats_hist_slot *h = &st->hist[stats_hist_idx(step)];
	uint32_t *a, *b;

	if (h->step > step)
		return; /* older than what the ring holds */
	if (h->step < step) {
		memset(h->n, 0, sizeof(h->n));
		h->step = step;
	}
	a = &h->n[kind][0][stats_hist_bucket(lat_ns)];
	b = &h->n[kind][1][stats_hist_bucket(exec_ns)];
	if (*a < UINT32_MAX)
		(*a)++;
	if (*b < UINT32_MAX)
		(*b)++;
}

/* Sum the histograms of what of kind over the steps in the last window_s
 * seconds before now_ns into n; returns the count. */
static uint64_t
stats_hist_sum(const struct stats *st, enum stats_kind kind, int what,
    int window_s, int64_t now_ns, uint64_t n[STATS_HIST_NBUCKETS])
{
	int64_t now = stats_step(now_ns), oldest;
	uint64_t total = 0;
	size_t i, b;
	int steps;

	memset(n, 0, sizeof(n[0]) * STATS_HIST_NBUCKETS);
	steps = (window_s + STATS_HIST_STEP_S - 1) / STATS_HIST_STEP_S;
	if (steps < 1)
		steps = 1;
	if (steps > STATS_HIST_NSLOTS)
		steps = STATS_HIST_NSLOTS;
	oldest = now - steps + 1;
	for (i = 0; i < STATS_HIST_NSLOTS; i++) {
		const struct stats_hist_slot *h = &st->hist[i];

		if (h->step < oldest || h->step > now)
			continue;
		for (b = 0; b < STATS_HIST_NBUCKETS; b++) {
			n[b] += h->n[kind][what][b];
			total += h->n[kind][what][b];
		}
	}
	return total;
}

uint64_t
stats_quantile(const struct stats *st, enum stats_kind kind, bool exec,
    double q, int window_s, int64_t now_ns, int64_t *value_ns)
{
	uint64_t n[STATS_HIST_NBUCKETS], total, rank, seen = 0;
	const struct stats_sum *sum;
	size_t b;
	int64_t v = 0;

	*value_ns = 0;
	if (st == NULL)
		return 0;
	kind = kind == STATS_HOST ? STATS_HOST : STATS_SERVICE;
	total = stats_hist_sum(st, kind, exec ? 1 : 0, window_s, now_ns, n);
	if (total == 0)
		return 0;
	if (q < 0.0)
		q = 0.0;
	if (q > 1.0)
		q = 1.0;
	/* The rank-th smallest value (1-based, nearest rank). */
	rank = (uint64_t)(q * (double)total + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	for (b = 0; b < STATS_HIST_NBUCKETS; b++) {
		seen += n[b];
		if (seen >= rank) {
			v = stats_hist_upper(b);
			break;
		}
	}
	/* No value exceeds the largest seen since start. */
	sum = exec ? &st->k[kind].exec : &st->k[kind].latency;
	if (v > sum->max_ns)
		v = sum->max_ns;
	*value_ns = v;
	return total;
}

void
stats_active(struct stats *st, enum stats_kind kind, int64_t deadline_ns,
    int64_t start_ns, int64_t end_ns, int64_t now_ns)
{
	struct stats_per_kind *k;
	size_t ki = kind == STATS_HOST ? STATS_HOST : STATS_SERVICE;

	if (st == NULL)
		return;
	k = &st->k[ki];
	k->active++;
	stats_sum_add(&k->latency, start_ns - deadline_ns);
	stats_sum_add(&k->exec, end_ns - start_ns);
	stats_ring_add(st, stats_idx(kind, true), now_ns);
	stats_hist_add(st, ki, start_ns - deadline_ns, end_ns - start_ns,
	    now_ns);
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

/* {"count": n, "p50": s, "p99": s} of the last window_s seconds. */
static json_t *
stats_pct_json(const struct stats *st, enum stats_kind kind, bool exec,
    int window_s, int64_t now_ns)
{
	int64_t p50, p99;
	uint64_t n;

	n = stats_quantile(st, kind, exec, 0.5, window_s, now_ns, &p50);
	(void)stats_quantile(st, kind, exec, 0.99, window_s, now_ns, &p99);
	return json_pack("{s:I, s:f, s:f}", "count", (json_int_t)n,
	    "p50", stats_secs((double)p50), "p99", stats_secs((double)p99));
}

static json_t *
stats_sum_json(const struct stats *st, enum stats_kind kind, bool exec,
    int64_t now_ns)
{
	const struct stats_sum *s = exec ? &st->k[kind].exec :
	    &st->k[kind].latency;
	bool any = s->count > 0;

	return json_pack("{s:I, s:f, s:f, s:f, s:{s:o, s:o}}",
	    "count", (json_int_t)s->count,
	    "min", any ? stats_secs((double)s->min_ns) : 0.0,
	    "max", any ? stats_secs((double)s->max_ns) : 0.0,
	    "avg", any ? stats_secs(s->sum_ns / (double)s->count) : 0.0,
	    "recent",
	    "last_1min", stats_pct_json(st, kind, exec, 60, now_ns),
	    "last_5min", stats_pct_json(st, kind, exec, STATS_HIST_WINDOW_S,
	    now_ns));
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
	    "latency", stats_sum_json(st, kind, false, now_ns),
	    "execution_time", stats_sum_json(st, kind, true, now_ns));
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
