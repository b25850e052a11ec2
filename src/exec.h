/*
 * exec: the executor. It takes check jobs and hands back exactly one result
 * per job, choosing the prober by the job's command: built-in `icmp` goes to
 * the ICMP prober, `arp` to the ARP prober (which also follows a failed
 * host check of a host with host_check_fallback arp), `snmp` and
 * `snmp_if` to the SNMP checks, any other
 * command line is expanded (macro.h) and run as a Nagios plugin
 * (plugin.h). The scheduler sees only exec_submit() and its callback.
 */
#ifndef PHAROS_EXEC_H
#define PHAROS_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"

struct loop;
struct icmp;
struct snmp_checks;
struct config;
struct plugin_counters;
struct exec;

struct exec_counters {
	uint64_t submitted;
	uint64_t completed;
	uint64_t running;
};

/* Create an executor on loop using the ICMP prober icmp, the SNMP checks
 * snmp (may be NULL: `snmp` and `snmp_if` checks then say UNKNOWN) and the
 * $USERn$ macros of cfg (all borrowed; must outlive the executor). Returns
 * 0 or -errno. */
int exec_new(struct loop *loop, struct icmp *icmp, struct snmp_checks *snmp,
    const struct config *cfg, struct exec **out)
    __attribute__((warn_unused_result));
/* Abort running jobs (each callback fires once with an UNKNOWN "aborted"
 * result), then free. NULL is a no-op. */
void exec_free(struct exec *ex);
const struct exec_counters *exec_get_counters(const struct exec *ex);
const struct plugin_counters *exec_get_plugin_counters(const struct exec *ex);

/* Run job; fn is called exactly once, never from within exec_submit itself
 * (failures that are known at once are delivered on the next loop pass).
 * The job and what it points to are borrowed only during this call. Returns
 * 0, or -ENOMEM (then fn is never called). */
int exec_submit(struct exec *ex, const struct check_job *job,
    check_done_fn *fn, void *arg) __attribute__((warn_unused_result));

/* The built-in pharos_self check: fn fills res (state, output, perfdata)
 * for the job at once. */
typedef void exec_self_fn(void *arg, const struct check_job *job,
    struct check_result *res);
void exec_set_self(struct exec *ex, exec_self_fn *fn, void *arg);

/* The ARP prober for `arp` checks and host_check_fallback arp (borrowed;
 * must outlive the executor; NULL: arp checks are UNKNOWN, no fallback). */
struct arp;
void exec_set_arp(struct exec *ex, struct arp *arp);

/* Checks of hosts with a poller go to remote (borrowed; must outlive the
 * executor; NULL: they are UNKNOWN "no poller answered"). */
struct remote;
void exec_set_remote(struct exec *ex, struct remote *remote);

/* Run a command (notifications) as a plugin: its own process group, a
 * timeout, no result but a logged failure. argv is borrowed. Returns 0 or
 * -errno. */
int exec_command(struct exec *ex, char *const *argv, int64_t timeout_ns)
    __attribute__((warn_unused_result));

#endif
