/*
 * sched: an array of entries parallel to objects.hosts and another parallel
 * to objects.services (entry i belongs to the object with index i). Each
 * entry embeds the object's loop timer and a running flag. Invariant: an
 * entry has at most one job in the executor; its timer may be armed while
 * the job runs (a result always re-arms it through the handler). So an
 * entry keeps two deadlines: the armed timer's (armed_ns) and the one the
 * running check was due at (due_ns), which its result's latency is
 * measured against.
 */
#include "sched.h"

#include <errno.h>
#include <stdlib.h>

#include "exec.h"
#include "log.h"
#include "loop.h"
#include "stats.h"

/* Nagios' default time limits for plugin checks. */
#define SCHED_HOST_TIMEOUT_NS (30 * LOOP_NS_PER_SEC)
#define SCHED_SERVICE_TIMEOUT_NS (60 * LOOP_NS_PER_SEC)

struct sched_entry {
	struct sched *s;
	struct host *host;       /* exactly one of host, service is set */
	struct service *service;
	struct loop_timer timer;
	int64_t armed_ns; /* the timer's deadline when last armed */
	int64_t due_ns;   /* when the running check was due */
	bool running;
};

struct sched {
	struct loop *loop;
	struct exec *exec;
	struct objects *objs;
	const char *const *addresses;
	struct sched_handler handler;
	struct sched_entry *hosts;
	struct sched_entry *services;
	struct sched_counters counters;
	struct stats *stats; /* borrowed; NULL: none */
	int64_t host_timeout_ns;
	int64_t service_timeout_ns;
	bool stopped;
};

static void sched_fire(struct loop *loop, struct loop_timer *t, void *arg);

int
sched_new(struct loop *loop, struct exec *ex, struct objects *objs,
    const char *const *addresses, const struct sched_handler *h,
    struct sched **out)
{
	struct sched *s;
	size_t i;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->hosts = calloc(objs->nhosts + 1, sizeof(*s->hosts));
	s->services = calloc(objs->nservices + 1, sizeof(*s->services));
	if (s->hosts == NULL || s->services == NULL) {
		free(s->hosts);
		free(s->services);
		free(s);
		return -ENOMEM;
	}
	s->loop = loop;
	s->exec = ex;
	s->objs = objs;
	s->addresses = addresses;
	s->handler = *h;
	s->host_timeout_ns = SCHED_HOST_TIMEOUT_NS;
	s->service_timeout_ns = SCHED_SERVICE_TIMEOUT_NS;
	for (i = 0; i < objs->nhosts; i++) {
		s->hosts[i].s = s;
		s->hosts[i].host = objs->hosts[i];
		loop_timer_init(&s->hosts[i].timer, sched_fire, &s->hosts[i]);
	}
	for (i = 0; i < objs->nservices; i++) {
		s->services[i].s = s;
		s->services[i].service = objs->services[i];
		loop_timer_init(&s->services[i].timer, sched_fire,
		    &s->services[i]);
	}
	*out = s;
	return 0;
}

void
sched_stop(struct sched *s)
{
	size_t i;

	s->stopped = true;
	for (i = 0; i < s->objs->nhosts; i++)
		loop_timer_stop(s->loop, &s->hosts[i].timer);
	for (i = 0; i < s->objs->nservices; i++)
		loop_timer_stop(s->loop, &s->services[i].timer);
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	sched_stop(s);
	free(s->hosts);
	free(s->services);
	free(s);
}

const struct sched_counters *
sched_get_counters(const struct sched *s)
{
	return &s->counters;
}

static void
sched_arm(struct sched *s, struct sched_entry *e, int64_t deadline)
{
	e->armed_ns = deadline;
	if (loop_timer_start(s->loop, &e->timer, deadline) != 0)
		log_warnx("cannot schedule a check of %s: out of memory",
		    e->host != NULL ? e->host->name : e->service->description);
}

void
sched_set_timeouts(struct sched *s, int64_t host_ns, int64_t service_ns)
{
	s->host_timeout_ns = host_ns;
	s->service_timeout_ns = service_ns;
}

void
sched_set_stats(struct sched *s, struct stats *st)
{
	s->stats = st;
}

void
sched_start(struct sched *s)
{
	int64_t now = loop_now(s->loop);
	size_t i, n;

	/* Even spread: object i of n starts i/n of the way into its first
	 * interval. */
	n = s->objs->nhosts;
	for (i = 0; i < n; i++) {
		struct host *h = s->objs->hosts[i];
		/* check_interval 0: no regular checks (Nagios). */
		if (!h->active_checks_enabled || h->check_interval_ns <= 0)
			continue;
		sched_arm(s, &s->hosts[i],
		    now + (int64_t)((double)h->check_interval_ns * i / n));
	}
	n = s->objs->nservices;
	for (i = 0; i < n; i++) {
		struct service *sv = s->objs->services[i];
		if (!sv->active_checks_enabled || sv->check_interval_ns <= 0)
			continue;
		sched_arm(s, &s->services[i],
		    now + (int64_t)((double)sv->check_interval_ns * i / n));
	}
}

static void
sched_done(struct check_result *res, void *arg)
{
	struct sched_entry *e = arg;
	struct sched *s = e->s;

	e->running = false;
	if (s->stopped)
		return;
	stats_active(s->stats, e->host != NULL ? STATS_HOST : STATS_SERVICE,
	    e->due_ns, res->start_ns, res->end_ns, loop_now(s->loop));
	if (e->host != NULL) {
		e->host->st.next_check_ns = 0;
		s->handler.host_result(s->handler.arg, e->host, res);
	} else {
		e->service->st.next_check_ns = 0;
		s->handler.service_result(s->handler.arg, e->service, res);
	}
}

/* The address a check of host h probes. */
static const char *
sched_address(const struct sched *s, const struct host *h)
{
	if (s->addresses != NULL && s->addresses[h->index] != NULL)
		return s->addresses[h->index];
	return h->address;
}

/* Submit e's check, due at the monotonic time due. */
static void
sched_run(struct sched *s, struct sched_entry *e, int64_t due)
{
	struct check_job job;
	int rc;

	if (s->stopped)
		return;
	if (e->running) {
		s->counters.skipped_running++;
		return;
	}
	if (e->host != NULL) {
		job.timeout_ns = s->host_timeout_ns;
		job.host = e->host;
		job.service = NULL;
		job.address = sched_address(s, e->host);
		job.spec = &e->host->check;
		job.host_check = true;
		s->counters.host_checks++;
	} else {
		job.timeout_ns = s->service_timeout_ns;
		job.host = e->service->host;
		job.service = e->service;
		job.address = sched_address(s, e->service->host);
		job.spec = &e->service->check;
		job.host_check = false;
		s->counters.service_checks++;
	}
	rc = exec_submit(s->exec, &job, sched_done, e);
	if (rc != 0) {
		/* Out of memory: try again in a second rather than lose the
		 * object's schedule. */
		log_warnx("cannot start a check: out of memory; retrying");
		sched_arm(s, e, loop_now(s->loop) + LOOP_NS_PER_SEC);
		e->armed_ns = due; /* its latency counts from the first try */
		return;
	}
	e->due_ns = due;
	e->running = true;
}

/* Execution dependencies: a regular check whose master fails is not
 * run, and comes back one interval later (as Nagios skips it). */
static bool
sched_skip(struct sched *s, struct sched_entry *e)
{
	int64_t iv = e->host != NULL ? e->host->check_interval_ns :
	    e->service->check_interval_ns;

	if (s->handler.may_run == NULL || s->handler.may_run(s->handler.arg,
	    e->host != NULL ? e->host : e->service->host, e->service))
		return false;
	s->counters.skipped_dependency++;
	if (iv > 0)
		sched_arm(s, e, loop_now(s->loop) + iv);
	return true;
}

static void
sched_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct sched_entry *e = arg;

	if (sched_skip(e->s, e))
		return;
	sched_run(e->s, e, e->armed_ns);
}

void
sched_host_check_now(struct sched *s, struct host *h)
{
	struct sched_entry *e = &s->hosts[h->index];

	if (e->running)
		return;
	s->counters.host_checks_on_demand++;
	sched_run(s, e, loop_now(s->loop));
}

void
sched_service_check_now(struct sched *s, struct service *sv)
{
	struct sched_entry *e = &s->services[sv->index];

	if (!e->running)
		sched_run(s, e, loop_now(s->loop));
}

static void
sched_enable(struct sched *s, struct sched_entry *e, bool *flag,
    int64_t *next_ns, bool on)
{
	if (*flag == on)
		return;
	*flag = on;
	if (on) {
		sched_arm(s, e, loop_now(s->loop));
		return;
	}
	loop_timer_stop(s->loop, &e->timer);
	*next_ns = 0;
}

void
sched_host_enable(struct sched *s, struct host *h, bool on)
{
	sched_enable(s, &s->hosts[h->index], &h->active_checks_enabled,
	    &h->st.next_check_ns, on);
}

void
sched_service_enable(struct sched *s, struct service *sv, bool on)
{
	sched_enable(s, &s->services[sv->index], &sv->active_checks_enabled,
	    &sv->st.next_check_ns, on);
}

bool
sched_host_running(const struct sched *s, const struct host *h)
{
	return s->hosts[h->index].running;
}

void
sched_host_next(struct sched *s, struct host *h, int64_t deadline)
{
	if (!h->active_checks_enabled)
		return;
	h->st.next_check_ns = deadline;
	sched_arm(s, &s->hosts[h->index], deadline);
}

void
sched_service_next(struct sched *s, struct service *sv, int64_t deadline)
{
	if (!sv->active_checks_enabled)
		return;
	sv->st.next_check_ns = deadline;
	sched_arm(s, &s->services[sv->index], deadline);
}
