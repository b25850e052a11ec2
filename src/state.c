/*
 * state: per host, besides the public struct check_status, the engine keeps
 * a struct state_host (array parallel to objects.hosts):
 *
 *   waiting       a failing result is held until the host's parents have
 *                 fresh results; while waiting the host has no regular
 *                 check armed (its held result decides the next one);
 *   wait_since    start time of the held result; a parent's result is
 *                 fresh when its check started at or after this instant, so
 *                 a parent check already in flight from before the failure
 *                 does not count and the parent is checked again;
 *   last_start    start time of the last result applied to the host;
 *   up_since      start time of the result that last brought the host
 *                 back UP from DOWN or UNREACHABLE.
 *
 * A failing result whose check started before one of the host's parents
 * came back UP overlapped the parent's outage: it says nothing about the
 * host itself, so it is dropped and the host is checked again at once,
 * instead of being decided DOWN.
 *
 * Invariants: a waiting host's held result is failing; a host is decided
 * (its state applied) only when no parent is waiting and every parent is
 * fresh, or as soon as one fresh parent is UP. Since parent cycles are
 * rejected by the configuration, waits always end: each parent check ends
 * in bounded time and the root hosts never wait.
 */
#include "state.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "log.h"

struct state_host {
	bool waiting;
	int64_t wait_since;
	struct check_result held;
	int64_t last_start;
	int64_t up_since;
};

struct state {
	struct objects *objs;
	struct state_ops ops;
	struct evlog *ev;
	struct state_host *hosts;
	struct state_counters counters;
};

static void state_host_evaluate(struct state *st, struct host *h);

int
state_new(struct objects *objs, const struct state_ops *ops, struct evlog *ev,
    struct state **out)
{
	struct state *st;
	size_t i;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return -ENOMEM;
	st->hosts = calloc(objs->nhosts + 1, sizeof(*st->hosts));
	if (st->hosts == NULL) {
		free(st);
		return -ENOMEM;
	}
	for (i = 0; i < objs->nhosts; i++)
		st->hosts[i].last_start = INT64_MIN;
	for (i = 0; i < objs->nhosts; i++)
		st->hosts[i].up_since = INT64_MIN;
	st->objs = objs;
	st->ops = *ops;
	st->ev = ev;
	*out = st;
	return 0;
}

void
state_free(struct state *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->objs->nhosts; i++)
		check_result_clear(&st->hosts[i].held);
	free(st->hosts);
	free(st);
}

const struct state_counters *
state_get_counters(const struct state *st)
{
	return &st->counters;
}

bool
state_host_waiting(const struct state *st, const struct host *h)
{
	return st->hosts[h->index].waiting;
}

static const char *
state_str(const char *s)
{
	return s != NULL ? s : "";
}

/* Move a result's strings into the status (the result keeps NULLs). */
static void
state_take_output(struct check_status *cs, struct check_result *res)
{
	free(cs->output);
	free(cs->long_output);
	free(cs->perfdata);
	cs->output = res->output;
	cs->long_output = res->long_output;
	cs->perfdata = res->perfdata;
	res->output = NULL;
	res->long_output = NULL;
	res->perfdata = NULL;
}

/* Nagios' soft/hard bookkeeping, shared by hosts and services. ok is the
 * state's "good" value (UP or OK); force_hard skips the retries (a service
 * whose host is down). Returns true when the change must be logged. */
static bool
state_transition(struct check_status *cs, int new_state, int ok, int pending,
    int max_attempts, bool force_hard, bool log_repeats, bool *recovered)
{
	bool was_ok = cs->state == ok || cs->state == pending;
	bool log = false;

	*recovered = false;
	if (new_state == ok) {
		if (!was_ok) {
			log = true;
			*recovered = true;
		}
		cs->current_attempt = 1;
		cs->state_type = STATE_HARD;
	} else if (was_ok) {
		cs->current_attempt = 1;
		cs->state_type = (max_attempts <= 1 || force_hard) ?
		    STATE_HARD : STATE_SOFT;
		log = true;
	} else if (cs->state_type == STATE_SOFT) {
		if (cs->current_attempt < max_attempts)
			cs->current_attempt++;
		if (cs->current_attempt >= max_attempts || force_hard)
			cs->state_type = STATE_HARD;
		log = true;
	} else {
		cs->current_attempt = max_attempts;
		log = new_state != cs->state || log_repeats;
	}
	return log;
}

/* The interval to the next regular check, as Nagios reads the settings:
 * retries use retry_interval (check_interval when that is 0), and a
 * check_interval of 0 means no regular checks at all (0 returned). */
static int64_t
state_interval(bool retrying, int64_t retry_ns, int64_t check_ns)
{
	if (check_ns <= 0)
		return 0;
	if (retrying && retry_ns > 0)
		return retry_ns;
	return check_ns;
}

static void
state_record(struct check_status *cs, int new_state,
    struct check_result *res)
{
	if (new_state != cs->state)
		cs->last_state_change_time = res->start_time;
	if (cs->state_type == STATE_HARD && new_state != cs->last_hard_state) {
		cs->last_hard_state_change_time = res->start_time;
		cs->last_hard_state = new_state;
	}
	cs->state = new_state;
	cs->last_check_time = res->start_time;
	cs->has_been_checked = true;
	state_take_output(cs, res);
}

static void
state_host_apply(struct state *st, struct host *h, int new_state,
    struct check_result *res)
{
	struct check_status *cs = &h->st;
	struct state_host *sh = &st->hosts[h->index];
	bool log, recovered;
	int64_t iv;
	size_t i;

	/* A recovery is logged with the type of the problem it ends. */
	enum state_type log_type;

	int prev_state = cs->state;
	enum state_type prev_type = cs->state_type;

	log = state_transition(cs, new_state, HOST_UP, HOST_PENDING,
	    h->max_check_attempts, false, false, &recovered);
	log_type = recovered ? (cs->last_hard_state == HOST_UP ||
	    cs->last_hard_state == HOST_PENDING ? STATE_SOFT : STATE_HARD) :
	    cs->state_type;
	if (new_state == HOST_UP && (cs->state == HOST_DOWN ||
	    cs->state == HOST_UNREACHABLE))
		sh->up_since = res->start_ns;
	state_record(cs, new_state, res);
	sh->last_start = res->start_ns;

	if (log) {
		st->counters.host_alerts++;
		evlog_write(st->ev, "HOST ALERT: %s;%s;%s;%d;%s", h->name,
		    host_state_name(new_state), state_type_name(log_type),
		    cs->current_attempt, state_str(cs->output));
	}
	if (st->ops.applied != NULL)
		st->ops.applied(st->ops.arg, h, NULL, prev_state, prev_type,
		    log);

	iv = state_interval(new_state != HOST_UP &&
	    cs->state_type == STATE_SOFT, h->retry_interval_ns,
	    h->check_interval_ns);
	if (iv > 0)
		st->ops.host_next(st->ops.arg, h, res->start_ns + iv);

	/* A host that answers proves a path through one of its parents:
	 * check the ones still believed down now, not at their next slot. */
	for (i = 0; new_state == HOST_UP && i < h->nparents; i++) {
		struct host *p = h->parents[i];

		if (p->st.state != HOST_UP && !st->hosts[p->index].waiting)
			st->ops.host_check_now(st->ops.arg, p);
	}
	for (i = 0; i < h->nchildren; i++) {
		struct host *c = h->children[i];

		if (recovered && c->st.state != HOST_UP &&
		    !st->hosts[c->index].waiting)
			st->ops.host_check_now(st->ops.arg, c);
		else if (st->hosts[c->index].waiting)
			state_host_evaluate(st, c);
	}
}

/* Decide a waiting host if its parents allow it; otherwise make sure every
 * parent that is not fresh gets checked. */
static void
state_host_evaluate(struct state *st, struct host *h)
{
	struct state_host *sh = &st->hosts[h->index];
	struct check_result held;
	bool all_fresh = true, any_up = false, overlapped = false;
	size_t i;

	if (!sh->waiting)
		return;
	for (i = 0; i < h->nparents; i++) {
		struct host *p = h->parents[i];
		struct state_host *sp = &st->hosts[p->index];

		if (sp->waiting) {
			all_fresh = false; /* its decision will call us */
			continue;
		}
		if (sp->last_start < sh->wait_since) {
			all_fresh = false;
			st->ops.host_check_now(st->ops.arg, p);
			continue;
		}
		if (p->st.state == HOST_UP) {
			any_up = true;
			if (sp->up_since > sh->wait_since)
				overlapped = true;
		}
	}
	if (overlapped) {
		check_result_clear(&sh->held);
		sh->waiting = false;
		st->counters.overlapped_results++;
		st->ops.host_check_now(st->ops.arg, h);
		return;
	}
	if (!all_fresh && !any_up)
		return;

	held = sh->held;
	memset(&sh->held, 0, sizeof(sh->held));
	sh->waiting = false;
	state_host_apply(st, h, any_up ? HOST_DOWN : HOST_UNREACHABLE, &held);
	check_result_clear(&held);
}

void
state_host_result(struct state *st, struct host *h, struct check_result *res)
{
	struct state_host *sh = &st->hosts[h->index];
	bool up = res->code == CHECK_OK || res->code == CHECK_WARNING;

	st->counters.host_results++;
	if (up || h->nparents == 0) {
		if (sh->waiting) {
			check_result_clear(&sh->held);
			sh->waiting = false;
		}
		state_host_apply(st, h, up ? HOST_UP : HOST_DOWN, res);
		return;
	}

	/* Failing, with parents: hold the result until they are known. A
	 * newer failing result replaces a held one. */
	check_result_clear(&sh->held);
	sh->held = *res;
	res->output = NULL;
	res->long_output = NULL;
	res->perfdata = NULL;
	if (!sh->waiting) {
		sh->waiting = true;
		sh->wait_since = res->start_ns;
		st->counters.parent_waits++;
	}
	state_host_evaluate(st, h);
}

void
state_service_result(struct state *st, struct service *s,
    struct check_result *res)
{
	struct check_status *cs = &s->st;
	int host_state = s->host->st.state;
	bool host_problem, log, recovered;
	enum state_type log_type, prev_type;
	int new_state, prev_state;
	int64_t iv;

	st->counters.service_results++;
	new_state = res->code;
	if (new_state < SERVICE_OK || new_state > SERVICE_UNKNOWN)
		new_state = SERVICE_CRITICAL;
	/* Nagios: while the host is not UP, service problems go hard at
	 * once (there is nothing to retry against). */
	host_problem = host_state == HOST_DOWN ||
	    host_state == HOST_UNREACHABLE;

	prev_state = cs->state;
	prev_type = cs->state_type;
	log = state_transition(cs, new_state, SERVICE_OK, SERVICE_PENDING,
	    s->max_check_attempts, host_problem, s->is_volatile, &recovered);
	log_type = recovered ? (cs->last_hard_state == SERVICE_OK ||
	    cs->last_hard_state == SERVICE_PENDING ? STATE_SOFT : STATE_HARD) :
	    cs->state_type;
	state_record(cs, new_state, res);
	if (log) {
		st->counters.service_alerts++;
		evlog_write(st->ev, "SERVICE ALERT: %s;%s;%s;%s;%d;%s", s->host->name,
		    s->description, service_state_name(new_state),
		    state_type_name(log_type), cs->current_attempt,
		    state_str(cs->output));
	}
	if (st->ops.applied != NULL)
		st->ops.applied(st->ops.arg, s->host, s, prev_state, prev_type,
		    log);
	iv = state_interval(new_state != SERVICE_OK &&
	    cs->state_type == STATE_SOFT, s->retry_interval_ns,
	    s->check_interval_ns);
	if (iv > 0)
		st->ops.service_next(st->ops.arg, s, res->start_ns + iv);
}

void
state_log_current(struct state *st)
{
	size_t i;

	for (i = 0; i < st->objs->nhosts; i++) {
		struct host *h = st->objs->hosts[i];

		evlog_write(st->ev, "CURRENT HOST STATE: %s;%s;%s;%d;%s",
		    h->name, host_state_name(h->st.state),
		    state_type_name(h->st.state_type), h->st.current_attempt,
		    state_str(h->st.output));
	}
	for (i = 0; i < st->objs->nservices; i++) {
		struct service *s = st->objs->services[i];

		evlog_write(st->ev, "CURRENT SERVICE STATE: %s;%s;%s;%s;%d;%s",
		    s->host->name, s->description,
		    service_state_name(s->st.state),
		    state_type_name(s->st.state_type), s->st.current_attempt,
		    state_str(s->st.output));
	}
}
