/*
 * topology_run: pharosd's own refresh of the saved topology
 * (docs/topology.md). When the configuration uses it (a host with
 * `parents auto`, default_parents=auto or topology_file set), pharosd
 * polls every host's LLDP, bridge and ARP tables over SNMP (netdisc.h) a
 * few seconds after start and then every discovery_interval, infers the
 * tree with its own routes (topology.h) and writes the saved topology
 * (topology_file.h) that `parents auto` and `pharosd -v` read at the next
 * load. The running parents never change here: a host whose inferred
 * parent is not among them is logged (once per new inference). It keeps
 * its own copy of the hosts, so a reload makes a new one.
 */
#ifndef PHAROS_TOPOLOGY_RUN_H
#define PHAROS_TOPOLOGY_RUN_H

#include <stdint.h>

struct config;
struct loop;
struct snmp_poller;
struct topology_run;

#define TOPOLOGY_RUN_FIRST_NS (3 * INT64_C(1000000000)) /* after start */

/* Set up for cfg's hosts (borrowed during the call) at addresses (by host
 * index; NULL entries use host->address). *out is NULL when cfg does not
 * use the saved topology. Returns 0 or -ENOMEM. Caller frees. */
int topology_run_new(struct loop *loop, struct snmp_poller *poller,
    const struct config *cfg, char *const *addresses,
    struct topology_run **out) __attribute__((warn_unused_result));
/* Stop (a poll in flight is cancelled, nothing is written) and free. NULL
 * is a no-op. */
void topology_run_free(struct topology_run *tr);
/* The first run TOPOLOGY_RUN_FIRST_NS from now, then every interval.
 * NULL is a no-op. */
void topology_run_start(struct topology_run *tr);

#endif
