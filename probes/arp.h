/*
 * arp: the ARP prober, for devices on a link of the monitor's own
 * (libpcap): ARP for IPv4, neighbour solicitation (NDP) for IPv6.
 *
 * At start, while pharosd is still root, one capture handle is opened per
 * Ethernet interface that is up (immediate mode, a BPF filter that only
 * lets ARP replies and neighbour advertisements through, non-blocking,
 * its selectable fd on the event
 * loop). A probe asks the kernel for the route towards the target (it must
 * be on-link), then injects COUNT ARP requests from the interface's MAC and
 * source address, INTERVAL apart, and waits TIMEOUT after the last. A reply
 * counts only when it comes on that interface, from the target's address,
 * to our address and our MAC, for a probe that is waiting: replies for
 * addresses never asked, replies to other hosts' requests and gratuitous
 * ARP are dropped and counted, never taken for an answer. For IPv6 the
 * same holds for neighbour advertisements: from the target, to our
 * address and MAC, solicited, with a valid checksum and hop limit 255;
 * unsolicited ones count as gratuitous. The reply time
 * is the monotonic time from the request to the reply's arrival.
 *
 * This header only uses Pharos and libc types: libpcap stays in arp*.c.
 */
#ifndef PHAROS_ARP_H
#define PHAROS_ARP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct arp;
struct arp_probe;

#define ARP_COUNT_MAX 20

struct arp_request {
	int family;          /* AF_INET (also 0) or AF_INET6 */
	struct in_addr target;   /* AF_INET */
	struct in6_addr target6; /* AF_INET6 */
	int count;           /* requests, 1..ARP_COUNT_MAX; 0 = 3 */
	int64_t interval_ns; /* between requests; 0 = 200 ms */
	int64_t timeout_ns;  /* after the last request; 0 = 1 s */
};

struct arp_result {
	int err;          /* 0, or -errno: the probe could not run (no route,
			     not on-link, no capture handle); text says why */
	char text[256];   /* why it could not run */
	char ifname[16];  /* the interface probed */
	int family;       /* AF_INET: ARP; AF_INET6: neighbour solicitation */
	int sent;
	int replies;
	int64_t rtt_min_ns, rtt_avg_ns, rtt_max_ns; /* when replies > 0 */
	char mac[18];     /* the replying MAC, "aa:bb:cc:dd:ee:ff" */
};

/* Called exactly once per started probe (never from arp_probe_start), but
 * not after arp_probe_cancel(). The result is borrowed. */
typedef void arp_done_fn(const struct arp_result *r, void *arg);

struct arp_counters {
	uint64_t probes;
	uint64_t sent;        /* requests injected */
	uint64_t replies;     /* replies matched to a probe */
	uint64_t foreign;     /* dropped: not for a waiting probe of ours */
	uint64_t gratuitous;  /* dropped: gratuitous ARP */
	uint64_t malformed;   /* dropped: not a well-formed Ethernet ARP */
	uint64_t send_errors;
};

/* Open capture handles on every Ethernet interface that is up, or only on
 * those named in ifnames (NULL-terminated; NULL = all). Needs CAP_NET_RAW
 * (root) for the handles; without it the prober still exists and every
 * probe says it has no capture handle. Interfaces that fail are logged.
 * Returns 0 or -errno (out of memory, loop errors). */
int arp_new(struct loop *loop, const char *const *ifnames, struct arp **out)
    __attribute__((warn_unused_result));
/* Cancel running probes (their callbacks do not fire) and close. NULL
 * no-op. */
void arp_free(struct arp *a);

/* Number of open capture handles. */
size_t arp_handles(const struct arp *a);

/* Start a probe. Returns 0 (fn will be called, also for failures known at
 * once) or -ENOMEM. *out (may be NULL) identifies the probe for
 * arp_probe_cancel() until fn runs. */
int arp_probe_start(struct arp *a, const struct arp_request *req,
    arp_done_fn *fn, void *arg, struct arp_probe **out)
    __attribute__((warn_unused_result));
void arp_probe_cancel(struct arp *a, struct arp_probe *p);

void arp_get_counters(const struct arp *a, struct arp_counters *out);

/* Route lookups through nl (borrowed; NULL: a one-shot netlink socket per
 * probe, the default). Unset it before freeing nl. */
struct netlink;
void arp_set_netlink(struct arp *a, struct netlink *nl);
/* Without nl, lookups through lk (borrowed; a batch opened by the caller,
 * for a sweep of many targets). Unset it before closing lk. */
struct netlink_lookup;
void arp_set_lookup(struct arp *a, struct netlink_lookup *lk);

/* The built-in `arp` check command: arguments "" or "N" (requests, 1-20).
 * Returns 0 or -EINVAL with err filled (also for pharosd -v). */
int arp_check_parse(char *const *args, size_t nargs, int *count, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* A probe's result as a check result: OK with the reply time and MAC when
 * a reply came, CRITICAL when none did, UNKNOWN when the probe could not
 * run; perfdata rta and pl as the icmp check gives them. */
struct check_result;
void arp_check_result(const char *address, const struct arp_result *r,
    struct check_result *res);

#endif
