/*
 * arp_int.h: the inside of probes/arp.c, visible to its unit tests only.
 */
#ifndef PHAROS_ARP_INT_H
#define PHAROS_ARP_INT_H

#include "arp.h"

struct arp_if;

/* What one captured frame was. */
enum arp_frame {
	ARP_FRAME_REPLY,      /* matched a waiting probe */
	ARP_FRAME_FOREIGN,    /* a reply not for a waiting probe of ours */
	ARP_FRAME_GRATUITOUS, /* sender address = target address */
	ARP_FRAME_REQUEST,    /* someone's request: not ours to judge */
	ARP_FRAME_MALFORMED,  /* short, not Ethernet ARP for IPv4 */
};

/* Sort one captured Ethernet frame that arrived on ifc at monotonic time
 * now, count it, and hand a matching reply to its probe. */
enum arp_frame arp_input(struct arp *a, struct arp_if *ifc,
    const unsigned char *frame, size_t len, int64_t now);

/* An interface without a capture handle, for tests: frames are fed with
 * arp_input(), and requests "sent" on it are only counted. Returns 0 or
 * -ENOMEM. */
int arp_if_fake(struct arp *a, const char *name, int ifindex,
    const unsigned char mac[6], struct arp_if **out);

/* Start a probe on ifc from src (a struct in_addr for IPv4 requests, a
 * struct in6_addr for IPv6), without a route lookup. */
int arp_probe_start_on(struct arp *a, struct arp_if *ifc, const void *src,
    const struct arp_request *req, arp_done_fn *fn, void *arg,
    struct arp_probe **out);

#endif
