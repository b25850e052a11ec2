/*
 * remote_gm: gearmand for the event loop. libgearman (the only module that
 * includes it) runs on two threads of its own so that nothing blocks the
 * loop:
 *
 *   - the submitter sends background jobs (SUBMIT_JOB_BG) queued by
 *     remote_gm_submit(), up to 64 per round trip (a job waits at most
 *     10 ms for others to join its batch), and every few seconds asks
 *     each server's admin port for "status" (jobs and available workers
 *     per function);
 *   - the grabber (only when queues to serve are given) is a Gearman
 *     worker on those queues: each job's payload is copied and handed to
 *     the loop through an eventfd; the job is complete for gearmand as
 *     soon as it is copied (jobs are background jobs: the answer, if
 *     any, is a new job on another queue). At most max_inflight handed
 *     jobs are outstanding: the grabber waits until remote_gm_done()
 *     frees a slot.
 *
 * Both reconnect by themselves: a failed call is retried after a pause,
 * and a restarted gearmand is found again without a restart of the
 * process. A failed submission is counted and dropped: the caller's own
 * deadline decides what happens to the job.
 */
#ifndef PHAROS_REMOTE_GM_H
#define PHAROS_REMOTE_GM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct remote_gm;

/* A payload from a served queue, on the loop thread. data is malloc'd and
 * handed over (the callee frees it). */
typedef void remote_gm_job_fn(void *arg, const char *queue, void *data,
    size_t len);

struct remote_gm_options {
	const char *servers;          /* "host[:port],..." (4730 default) */
	const char *const *queues;    /* to serve; may be NULL */
	size_t nqueues;
	size_t max_inflight;          /* 0: no limit */
	const char *identifier;       /* worker id shown by gearadmin */
	remote_gm_job_fn *on_job;
	void *arg;
	int64_t status_interval_ns;   /* 0: 2 s */
};

struct remote_gm_counters {
	uint64_t submitted;      /* accepted by gearmand */
	uint64_t submit_failed;  /* dropped: no server took it */
	uint64_t received;       /* payloads from served queues */
	uint64_t grab_errors;    /* failed worker calls (reconnects) */
	bool connected;          /* the last submission or status worked */
};

/* Parse "host[:port],..." (at most 8 servers). Returns the count, or
 * -EINVAL with err filled. hosts/ports may be NULL to only check. */
int remote_gm_parse_servers(const char *s, char hosts[][256],
    uint16_t *ports, size_t max, char *err, size_t errlen);

/* Start the threads. All of opts is copied. Returns 0 or -errno with err
 * filled. Caller frees with remote_gm_free(). */
int remote_gm_new(struct loop *loop, const struct remote_gm_options *opts,
    struct remote_gm **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Stop and join the threads (at most a few seconds), drop what is
 * queued. NULL is a no-op. */
void remote_gm_free(struct remote_gm *g);

/* Queue a background job (data copied). uniq: gearmand's unique key
 * (NULL: none). Returns 0 or -ENOMEM, -ENOBUFS when the queue is full. */
int remote_gm_submit(struct remote_gm *g, const char *queue,
    const char *uniq, const void *data, size_t len)
    __attribute__((warn_unused_result));
/* A job handed to on_job is finished (frees a max_inflight slot). */
void remote_gm_done(struct remote_gm *g);

/* From the last status round: the workers available for function queue,
 * summed over the servers that answered; -1 when no server answered yet
 * or in the last round. */
int remote_gm_workers(struct remote_gm *g, const char *queue);
void remote_gm_counters(struct remote_gm *g, struct remote_gm_counters *c);

#endif
