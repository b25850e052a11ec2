/*
 * netlink: the monitor's own view of its network, from the kernel (libnl).
 *
 * A struct netlink keeps libnl caches of the links, addresses, routes and
 * neighbours of the namespace pharosd runs in, and one netlink socket
 * subscribed to RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
 * RTNLGRP_NEIGH and the address groups, watched by the event loop: changes
 * arrive as events, nothing is polled. Every event is checked before it
 * reaches a cache: an address, route or neighbour message naming an
 * interface the link cache does not know, and any message libnl cannot
 * parse, is dropped and counted (netlink_stats()).
 *
 * Route lookups ask the kernel itself (RTM_GETROUTE, the request behind
 * `ip route get`) on a second, unsubscribed socket: the answer is the
 * kernel's own choice, policy routing included. The lookup is a local
 * round trip to the kernel and never waits on the network.
 *
 * This header only uses Pharos and libc types: libnl stays in netlink*.c.
 */
#ifndef PHAROS_NETLINK_H
#define PHAROS_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct netlink;

#define NETLINK_IFNAME_MAX 16 /* IFNAMSIZ */

/* The kernel's route towards one destination. */
struct netlink_route {
	int ifindex;                     /* outgoing interface */
	char ifname[NETLINK_IFNAME_MAX]; /* its name, "" when unknown */
	bool onlink;                     /* no gateway: the target is on-link */
	bool link_up;                    /* the interface is up with carrier */
	struct sockaddr_storage gateway; /* ss_family AF_UNSPEC when on-link */
	struct sockaddr_storage src;     /* preferred source address, or
					    AF_UNSPEC when the kernel gave none */
};

/* What changed, passed to the change callback. */
enum netlink_change {
	NETLINK_CHG_LINK,  /* a link appeared, vanished, or went up or down */
	NETLINK_CHG_ROUTE, /* an IPv4 or IPv6 route was added or removed */
	NETLINK_CHG_ADDR,  /* an address was added or removed */
	NETLINK_CHG_NEIGH, /* a neighbour entry changed */
};

/* Called from the loop after an event was applied to the caches. ifindex is
 * the interface the event is about (0 when none). The callback may call
 * netlink_route_get() but must not free the struct netlink. */
typedef void netlink_change_fn(struct netlink *nl, enum netlink_change what,
    int ifindex, void *arg);

/* Counters of events. */
struct netlink_stats {
	uint64_t events;          /* messages applied to a cache */
	uint64_t unknown_ifindex; /* dropped: interface not in the link cache */
	uint64_t malformed;       /* dropped: libnl could not parse them */
	uint64_t resyncs;         /* caches refilled after a lost event
				     (socket buffer overrun) */
};

/* Fill the caches and subscribe to changes on the loop. Returns 0 or
 * -errno with err filled. Caller frees with netlink_free(). */
int netlink_new(struct loop *loop, struct netlink **out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* Unsubscribe (removes the fd watcher) and free. NULL is a no-op. */
void netlink_free(struct netlink *nl);

/* One change callback (NULL clears). */
void netlink_set_change_cb(struct netlink *nl, netlink_change_fn *fn,
    void *arg);

/* The kernel's route towards dst (AF_INET or AF_INET6). Returns 0, or
 * -ENETUNREACH / -EHOSTUNREACH when there is no route, or another -errno,
 * with err filled. link_up and ifname come from the link cache. */
int netlink_route_get(struct netlink *nl, const struct sockaddr *dst,
    struct netlink_route *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* A one-shot lookup without an event loop, for client commands: opens a
 * socket, asks, closes it. Same results as netlink_route_get(). */
int netlink_route_lookup(const struct sockaddr *dst,
    struct netlink_route *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The same lookups in a batch: one socket and one read of the links for
 * many destinations (the links as they were at open). open returns 0 or
 * -errno with err filled; close takes NULL. */
struct netlink_lookup;
int netlink_lookup_open(struct netlink_lookup **out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
int netlink_lookup_route(struct netlink_lookup *lk, const struct sockaddr *dst,
    struct netlink_route *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void netlink_lookup_close(struct netlink_lookup *lk);

/* The IPv4 or IPv6 literal s (NULL: none) into ss, zeroed first, as a
 * destination for the lookups. false when s is neither. */
bool netlink_addr_parse(const char *s, struct sockaddr_storage *ss);
/* The address of ss (AF_INET or AF_INET6, as in struct netlink_route) as
 * text into buf, "?" for another family; returns buf. */
const char *netlink_addr_text(const struct sockaddr_storage *ss, char *buf,
    size_t len);

/* Is the interface up (administratively up and with carrier)? false for
 * unknown interfaces. */
bool netlink_link_up(struct netlink *nl, int ifindex);
/* The interface's name into buf ("" when unknown); returns buf. */
const char *netlink_link_name(struct netlink *nl, int ifindex, char *buf,
    size_t len);

/* Counters since netlink_new(). */
void netlink_stats(const struct netlink *nl, struct netlink_stats *out);

#endif
