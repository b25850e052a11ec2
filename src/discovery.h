/*
 * discovery: pharosd's SNMP discovery of the hosts with a device_profile.
 *
 * It keeps its own copy of what it needs of each such host (name, profile,
 * SNMP target at the checked address), so it survives the configuration
 * being loaded again. Profiles are read once per name from profile_dir;
 * results go to the discovery cache file (written atomically after every
 * change), and what changed is written to the event log:
 *
 *   SNMP DISCOVERY: sw1;switch;OK;18 services;2 added;1 vanished;0 changed
 *   SNMP DISCOVERY SERVICE: sw1;Interface Gi0/9;added
 *   SNMP DISCOVERY SERVICE: sw1;Interface Gi0/5;vanished
 *
 * Services are made from the cache when the configuration is loaded
 * (conf_discover.c): the daemon primes the cache for hosts it lacks before
 * it starts checking, then rediscovers every host each discovery_interval.
 * Added services are created at the next start; vanished ones keep being
 * checked (and say the interface is gone) until then.
 */
#ifndef PHAROS_DISCOVERY_H
#define PHAROS_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct evlog;
struct loop;
struct snmp_poller;
struct discovery;
struct discover_result;

struct discovery_counters {
	uint64_t hosts;       /* hosts with a usable profile */
	uint64_t runs;        /* discoveries started */
	uint64_t ok, failed;
	uint64_t changed;     /* discoveries that changed a host's services */
	uint64_t cache_writes, cache_errors;
	uint64_t bad_profiles; /* hosts whose profile did not load */
};

/* Set up discovery for cfg's hosts (borrowed during the call only) at
 * addresses (by host index; NULL entries use host->address). Returns 0,
 * or -ENOMEM. Problems with profiles or the cache are logged, never
 * fatal. Caller frees. */
int discovery_new(struct loop *loop, struct snmp_poller *poller,
    const struct config *cfg, char *const *addresses, struct evlog *ev,
    struct discovery **out) __attribute__((warn_unused_result));
void discovery_free(struct discovery *disc);

/* Discover at once every host the cache lacks (or holds for another
 * profile); done(arg) is called when the last finishes. Returns how many
 * were started (0: done is never called). */
size_t discovery_prime(struct discovery *disc, void (*done)(void *),
    void *arg);
/* Whether the cache changed since discovery_new (services to make). */
bool discovery_changed(const struct discovery *disc);
/* Rediscover every host each interval; the first rounds are spread
 * evenly over the first interval. */
void discovery_start(struct discovery *disc);
void discovery_get_counters(const struct discovery *disc,
    struct discovery_counters *out);
/* The last complete discovery of host held in memory (borrowed: valid
 * until the next discovery ends), or NULL: none, or no host has a
 * device_profile (the cache is then not loaded). */
const struct discover_result *discovery_get(const struct discovery *disc,
    const char *host);

#endif
