/*
 * worker: one struct worker_job per running job, in a list so that
 * worker_free() can abort them. A job ends once, through its prober's
 * callback (worker_finish), which seals and sends the result and frees a
 * concurrency slot. Rejected payloads never become jobs.
 */
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "arp.h"
#include "check.h"
#include "icmp.h"
#include "icmp_check.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "remote.h"
#include "remote_gm.h"
#include "snmp.h"
#include "snmp_check.h"

#define WORKER_DEFAULT_JOBS 64
#define WORKER_RESULT_TTL_MS (300 * 1000)

struct worker_job {
	struct worker *w;
	struct worker_job *prev, *next;
	char id[JOBWIRE_ID_LEN + 1];
	struct jobwire_job job;
	struct icmp_check_params icmp_params;
	struct icmp_probe *probe;
	struct arp_probe *arp;
	struct snmp_check_params *snmp_params; /* SNMP jobs only */
	struct snmp_check_run *snmp;
	struct plugin_job *plugin;
	struct check_result res;
	int64_t start_ns;
	int64_t start_time;
};

struct worker {
	struct loop *loop;
	struct icmp *icmp;
	struct arp *arp;
	struct snmp_poller *snmp;
	struct snmp_checks *snmp_checks;
	struct plugin_runner *plugins;
	struct remote_gm *gm;
	struct jobwire_key key;
	char identifier[64];
	struct worker_job *jobs;
	bool stopping;
	struct worker_counters counters;
};

static void
worker_reject(struct worker *w, const char *queue, const char *err)
{
	w->counters.rejected++;
	if (w->counters.rejected <= 100 || w->counters.rejected % 1000 == 0)
		log_warnx("rejected a job on %s: %s (%llu rejected so far)",
		    queue, err, (unsigned long long)w->counters.rejected);
}

static void
worker_job_free(struct worker_job *j)
{
	struct worker *w = j->w;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		w->jobs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	jobwire_job_clear(&j->job);
	free(j->snmp_params);
	check_result_clear(&j->res);
	free(j);
	remote_gm_done(w->gm);
}

/* Seal j's result and send it to the job's result queue; free j. */
static void
worker_finish(struct worker_job *j)
{
	struct worker *w = j->w;
	struct jobwire_result r = { 0 };
	unsigned char *buf;
	size_t len;
	json_t *body;
	int rc = -ENOMEM;

	if (w->stopping) {
		worker_job_free(j);
		return;
	}
	r.worker = w->identifier;
	r.code = j->res.code >= 0 && j->res.code <= 3 ? j->res.code :
	    CHECK_UNKNOWN;
	r.output = j->res.output != NULL ? j->res.output : "";
	r.long_output = j->res.long_output;
	r.perfdata = j->res.perfdata;
	r.start_time = j->start_time;
	r.duration_ms = (loop_clock() - j->start_ns) / LOOP_NS_PER_MSEC;
	if (r.duration_ms < 0)
		r.duration_ms = 0;
	if ((body = jobwire_result_json(&r)) != NULL) {
		rc = jobwire_seal(&w->key, JOBWIRE_RESULT, j->id,
		    jobwire_now_ms() + WORKER_RESULT_TTL_MS, body, &buf, &len);
		json_decref(body);
		if (rc == 0) {
			rc = remote_gm_submit(w->gm, j->job.result_queue, NULL,
			    buf, len);
			free(buf);
		}
	}
	if (rc == 0)
		w->counters.answered++;
	else {
		w->counters.send_failed++;
		log_warnx("cannot send the result of %s;%s: %s", j->job.host,
		    j->job.service != NULL ? j->job.service : "",
		    strerror(-rc));
	}
	log_debug("%s;%s: %d %s", j->job.host,
	    j->job.service != NULL ? j->job.service : "(host)", r.code,
	    r.output);
	worker_job_free(j);
}

static void
worker_take(struct worker_job *j, struct check_result *res)
{
	j->res.code = res->code;
	j->res.output = res->output;
	j->res.long_output = res->long_output;
	j->res.perfdata = res->perfdata;
	res->output = res->long_output = res->perfdata = NULL;
}

static void
worker_icmp_done(const struct icmp_result *r, void *arg)
{
	struct worker_job *j = arg;

	j->probe = NULL;
	icmp_check_result(&j->icmp_params, j->job.address, r, &j->res);
	worker_finish(j);
}

static void
worker_arp_done(const struct arp_result *r, void *arg)
{
	struct worker_job *j = arg;

	j->arp = NULL;
	arp_check_result(j->job.address, r, &j->res);
	worker_finish(j);
}

static void
worker_snmp_done(struct check_result *res, void *arg)
{
	struct worker_job *j = arg;

	j->snmp = NULL;
	worker_take(j, res);
	worker_finish(j);
}

static void
worker_plugin_done(struct check_result *res, const struct plugin_info *info,
    void *arg)
{
	struct worker_job *j = arg;

	(void)info;
	j->plugin = NULL;
	worker_take(j, res);
	worker_finish(j);
}

/* Start j on its prober; on failure fill j->res and return -1 (the
 * result is sent at once). */
static int
worker_start(struct worker *w, struct worker_job *j)
{
	struct jobwire_job *jb = &j->job;
	struct icmp_request req;
	struct snmp_target t;
	char err[512], key[2100], **argv;
	int rc;

	if (strcmp(jb->kind, "icmp") == 0) {
		if (icmp_check_parse(jb->args, jb->nargs, &j->icmp_params, err,
		    sizeof(err)) != 0 ||
		    icmp_check_request(&j->icmp_params, jb->address, &req, err,
		    sizeof(err)) != 0)
			goto fail;
		if ((rc = icmp_probe_start(w->icmp, &req, worker_icmp_done, j,
		    &j->probe)) != 0) {
			snprintf(err, sizeof(err), "icmp: cannot start probe: "
			    "%s", strerror(-rc));
			goto fail;
		}
		return 0;
	}
	if (strcmp(jb->kind, "arp") == 0) {
		struct arp_request ar = { .count = 0 };

		if (arp_check_parse(jb->args, jb->nargs, &ar.count, err,
		    sizeof(err)) != 0)
			goto fail;
		if (w->arp == NULL ||
		    inet_pton(AF_INET, jb->address, &ar.target) != 1) {
			snprintf(err, sizeof(err), "ARP UNKNOWN - %s: %s",
			    jb->address, w->arp == NULL ? "no ARP prober on "
			    "this worker" : "ARP checks need an IPv4 address");
			goto fail;
		}
		if (arp_probe_start(w->arp, &ar, worker_arp_done, j,
		    &j->arp) != 0) {
			snprintf(err, sizeof(err), "arp: out of memory");
			goto fail;
		}
		return 0;
	}
	if (strcmp(jb->kind, "plugin") == 0) {
		if ((argv = calloc(jb->nargv + 1, sizeof(char *))) == NULL) {
			snprintf(err, sizeof(err), "out of memory");
			goto fail;
		}
		memcpy(argv, jb->argv, jb->nargv * sizeof(char *));
		rc = plugin_run(w->plugins, argv, jb->timeout_ms *
		    LOOP_NS_PER_MSEC, jb->host_check, worker_plugin_done, j,
		    &j->plugin);
		free(argv);
		if (rc != 0) {
			snprintf(err, sizeof(err), "cannot run plugin: %s",
			    strerror(-rc));
			goto fail;
		}
		return 0;
	}
	/* snmp, snmp_if */
	if (!jb->has_snmp) {
		snprintf(err, sizeof(err), "%s: job without SNMP settings",
		    jb->kind);
		goto fail;
	}
	t = jb->snmp;
	if (snprintf(t.addr, sizeof(t.addr), "%s", jb->address) >=
	    (int)sizeof(t.addr)) {
		snprintf(err, sizeof(err), "%s: address too long", jb->kind);
		goto fail;
	}
	snprintf(key, sizeof(key), "%s;%s", jb->host,
	    jb->service != NULL ? jb->service : "");
	/* Allocated for SNMP jobs only: the other kinds need not zero it. */
	if ((j->snmp_params = malloc(sizeof(*j->snmp_params))) == NULL) {
		snprintf(err, sizeof(err), "out of memory");
		goto fail;
	}
	if (snmp_check_parse(jb->kind, jb->args, jb->nargs, j->snmp_params,
	    err, sizeof(err)) != 0 ||
	    snmp_check_start(w->snmp_checks, j->snmp_params, &t, key,
	    worker_snmp_done, j, &j->snmp, err, sizeof(err)) != 0)
		goto fail;
	return 0;
fail:
	check_result_set(&j->res, CHECK_UNKNOWN, "%s", err);
	return -1;
}

static void
worker_on_job(void *arg, const char *queue, void *data, size_t len)
{
	struct worker *w = arg;
	struct worker_job *j;
	char err[256], want[300];
	int64_t exp;
	json_t *body;
	int rc;

	w->counters.received++;
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		free(data);
		worker_reject(w, queue, "out of memory");
		remote_gm_done(w->gm);
		return;
	}
	rc = jobwire_open(&w->key, JOBWIRE_JOB, data, len, jobwire_now_ms(),
	    j->id, &exp, &body, err, sizeof(err));
	free(data);
	if (rc == 0) {
		rc = jobwire_job_read(body, &j->job, err, sizeof(err));
		json_decref(body);
	}
	if (rc == 0) {
		snprintf(want, sizeof(want), "%s%s", REMOTE_QUEUE_PREFIX,
		    j->job.poller);
		if (strcmp(want, queue) != 0) {
			snprintf(err, sizeof(err), "job for poller %.64s came "
			    "on another queue", j->job.poller);
			rc = -EINVAL;
		}
	}
	if (rc != 0) {
		worker_reject(w, queue, err);
		jobwire_job_clear(&j->job);
		free(j);
		remote_gm_done(w->gm);
		return;
	}
	j->w = w;
	j->start_ns = loop_clock();
	j->start_time = (int64_t)time(NULL);
	j->next = w->jobs;
	if (w->jobs != NULL)
		w->jobs->prev = j;
	w->jobs = j;
	w->counters.run++;
	if (worker_start(w, j) != 0)
		worker_finish(j);
}

int
worker_new(struct loop *loop, struct icmp *icmp, struct arp *arp,
    const struct worker_options *o, struct worker **out, char *err,
    size_t errlen)
{
	struct remote_gm_options go = { 0 };
	struct plugin_options po;
	struct worker *w;
	char **queues = NULL;
	size_t i, len;
	int rc = -ENOMEM;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto oom;
	w->loop = loop;
	w->icmp = icmp;
	w->arp = arp;
	w->key = *o->key;
	if (o->identifier != NULL)
		snprintf(w->identifier, sizeof(w->identifier), "%s",
		    o->identifier);
	else if (gethostname(w->identifier, sizeof(w->identifier) - 1) != 0)
		snprintf(w->identifier, sizeof(w->identifier), "worker");
	plugin_options_default(&po);
	po.max_running = o->max_jobs > 0 ? o->max_jobs : WORKER_DEFAULT_JOBS;
	if (snmp_poller_new(loop, NULL, &w->snmp) != 0 ||
	    snmp_checks_new(loop, w->snmp, &w->snmp_checks) != 0 ||
	    plugin_runner_new(loop, &po, &w->plugins) != 0)
		goto oom;
	if ((queues = calloc(o->npollers, sizeof(char *))) == NULL)
		goto oom;
	for (i = 0; i < o->npollers; i++) {
		len = strlen(REMOTE_QUEUE_PREFIX) + strlen(o->pollers[i]) + 1;
		if ((queues[i] = malloc(len)) == NULL)
			goto oom;
		snprintf(queues[i], len, "%s%s", REMOTE_QUEUE_PREFIX,
		    o->pollers[i]);
	}
	go.servers = o->servers;
	go.queues = (const char *const *)queues;
	go.nqueues = o->npollers;
	go.max_inflight = po.max_running;
	go.identifier = w->identifier;
	go.on_job = worker_on_job;
	go.arg = w;
	rc = remote_gm_new(loop, &go, &w->gm, err, errlen);
	for (i = 0; i < o->npollers; i++)
		free(queues[i]);
	free(queues);
	if (rc != 0) {
		worker_free(w);
		return rc;
	}
	*out = w;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	if (queues != NULL) {
		for (i = 0; i < o->npollers; i++)
			free(queues[i]);
		free(queues);
	}
	worker_free(w);
	return rc;
}

void
worker_get_counters(const struct worker *w, struct worker_counters *c)
{
	*c = w->counters;
}

void
worker_free(struct worker *w)
{
	struct worker_job *j;

	if (w == NULL)
		return;
	w->stopping = true;
	remote_gm_free(w->gm); /* no new jobs */
	w->gm = NULL;
	while ((j = w->jobs) != NULL) {
		if (j->probe != NULL)
			icmp_probe_cancel(w->icmp, j->probe); /* finishes */
		else if (j->arp != NULL) {
			arp_probe_cancel(w->arp, j->arp); /* silent */
			j->arp = NULL;
			worker_job_free(j);
		} else if (j->plugin != NULL)
			plugin_cancel(w->plugins, j->plugin); /* finishes */
		else {
			snmp_check_cancel(w->snmp_checks, j->snmp);
			j->snmp = NULL;
			worker_job_free(j);
		}
	}
	plugin_runner_free(w->plugins);
	snmp_checks_free(w->snmp_checks);
	snmp_poller_free(w->snmp);
	memset(&w->key, 0, sizeof(w->key));
	free(w);
}
