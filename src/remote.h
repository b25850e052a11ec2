/*
 * remote: pharosd's remote executor. A check of a host with a poller goes
 * out as a sealed background job (jobwire.h) on gearmand's queue
 * "pharos_<poller>"; pharos-worker answers with a sealed result on the
 * result queue, which pharosd serves (remote_gm.h). Each pending job has a
 * deadline (its check timeout plus poller_timeout): when it passes, the
 * job is sent once more with the same id; when the second deadline passes
 * too, the job ends with no answer. Results for ids that already ended
 * (late, or duplicates) and results that do not open are dropped and
 * counted.
 *
 * A poller is unavailable when gearmand reports no worker on its queue,
 * or when its last REMOTE_TIMEOUTS_DOWN jobs in a row went unanswered.
 */
#ifndef PHAROS_REMOTE_H
#define PHAROS_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jobwire.h"

struct loop;
struct remote;
struct remote_job;

#define REMOTE_TIMEOUTS_DOWN 3
#define REMOTE_DEFAULT_RESULT_QUEUE "pharos_results"
#define REMOTE_QUEUE_PREFIX "pharos_"

struct remote_options {
	const char *servers;       /* gearman_servers */
	const struct jobwire_key *key;
	const char *result_queue;  /* NULL: pharos_results */
	int64_t grace_ns;          /* poller_timeout; 0: 10 s */
};

/* The end of a job: res is the worker's result (borrowed for the call),
 * or NULL when no poller answered in time. poller: the job's poller name
 * (borrowed). */
typedef void remote_done_fn(void *arg, const char *poller,
    const struct jobwire_result *res);

struct remote_counters {
	uint64_t submitted;   /* jobs sent (first tries) */
	uint64_t resubmitted; /* second tries after a deadline */
	uint64_t answered;
	uint64_t unanswered;  /* ended with no answer */
	uint64_t late;        /* results after the job ended unanswered */
	uint64_t duplicate;   /* second results for an answered job */
	uint64_t unknown;     /* results for ids never sent (or forgotten) */
	uint64_t rejected;    /* payloads that did not open or read */
	uint64_t submit_failed; /* gearmand did not take a job */
};

struct remote_poller_info {
	int workers;            /* from gearmand's status; -1 unknown */
	uint64_t sent, answered, unanswered;
	unsigned timeouts_in_row;
	int64_t last_answer;    /* epoch seconds, 0 never */
	char last_worker[64];
	bool available;
};

/* A poller or queue name: 1 to 64 of letters, digits, '-', '_', '.'. */
bool remote_name_ok(const char *s);

/* Start the gearman threads for opts (copied; key copied). Returns 0 or
 * -errno with err filled. */
int remote_new(struct loop *loop, const struct remote_options *opts,
    struct remote **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Drop pending jobs silently (their callbacks never run: cancel them
 * first, see remote_cancel) and stop the threads. NULL is a no-op. */
void remote_free(struct remote *r);

/* Send job (borrowed; its result_queue and poller are filled in from r
 * and poller for the call only, timeout_ms from timeout_ns when 0) to poller's queue with a deadline timeout_ns + the grace from
 * now. fn runs exactly once, later, unless the job is cancelled. Returns
 * 0 or -ENOMEM / -EINVAL (fn never runs). */
int remote_submit(struct remote *r, const char *poller,
    struct jobwire_job *job, int64_t timeout_ns, remote_done_fn *fn,
    void *arg, struct remote_job **out) __attribute__((warn_unused_result));
/* Forget a pending job: its callback never runs; a result for it later
 * counts as late. */
void remote_cancel(struct remote *r, struct remote_job *j);

void remote_get_counters(const struct remote *r, struct remote_counters *c);

/* remote_job.c: the job for a check of a host with a poller: the kind by
 * the command (icmp, snmp, snmp_if, arp, or a plugin whose command line is
 * expanded here, with cfg's $USERn$), the SNMP settings for SNMP kinds.
 * 0, or -EINVAL / -ENOMEM with err filled; out cleared with
 * jobwire_job_clear(). */
struct check_job;
struct check_result;
struct config;
int remote_job_build(const struct check_job *cj, const struct config *cfg,
    struct jobwire_job *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* A worker's result (or NULL: none came) as a check result in res
 * (empty before). No answer is UNKNOWN "no poller answered for NAME",
 * marked unanswered so that a host keeps its state. */
void remote_job_result(const char *poller, const struct jobwire_result *jr,
    struct check_result *res);
/* What is known of poller name (one named in the configuration or not). */
void remote_poller_info(struct remote *r, const char *name,
    struct remote_poller_info *info);

#endif
