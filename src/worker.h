/*
 * worker: the job runner of pharos-worker (docs/scaling.md). It serves the
 * gearmand queues "pharos_<poller>" of its pollers, opens each sealed job
 * with the shared key, runs it on the same probers pharosd uses (ICMP,
 * SNMP checks, the plugin runner) on one event loop, and sends the sealed
 * result to the job's result queue. There is no state engine: a worker
 * knows nothing of hosts beyond the job in hand.
 *
 * A job that does not open (wrong key, altered, expired), does not read,
 * or names another poller than the queue it came on is rejected: logged
 * and counted, never run. At most max_jobs jobs run at once; gearmand
 * keeps the rest queued.
 */
#ifndef PHAROS_WORKER_H
#define PHAROS_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "jobwire.h"

struct loop;
struct icmp;
struct arp;
struct worker;

struct worker_options {
	const char *servers;          /* gearman_servers */
	const char *const *pollers;   /* poller names served */
	size_t npollers;
	const struct jobwire_key *key;
	size_t max_jobs;              /* 0: 64 */
	const char *identifier;       /* in results and gearadmin; NULL:
				       * the host name */
};

struct worker_counters {
	uint64_t received;
	uint64_t rejected;  /* bad seal, body or queue */
	uint64_t run;       /* jobs started */
	uint64_t answered;  /* results sent */
	uint64_t send_failed;
};

/* Run jobs on loop with the ICMP prober icmp and the ARP prober arp
 * (borrowed; opened while root; arp may be NULL: arp checks are
 * UNKNOWN). Returns 0 or -errno with err filled. */
int worker_new(struct loop *loop, struct icmp *icmp, struct arp *arp,
    const struct worker_options *opts, struct worker **out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* Stop serving, abort running jobs (no results are sent), free. NULL is
 * a no-op. */
void worker_free(struct worker *w);
void worker_get_counters(const struct worker *w, struct worker_counters *c);

#endif
