/*
 * netlink_int.h: the parsing steps of probes/netlink.c, visible to its unit
 * tests only. libnl types are allowed here (and nowhere outside probes/).
 */
#ifndef PHAROS_NETLINK_INT_H
#define PHAROS_NETLINK_INT_H

#include <netlink/msg.h>

#include "netlink.h"

/* Check one event message and apply it to the caches: returns 0 when
 * applied, -ENODEV when it names an interface the link cache does not know
 * (dropped, counted as unknown_ifindex), -EBADMSG when libnl cannot parse it
 * or it is of a kind the caches do not hold (dropped, counted as malformed).
 * The change callback runs for applied messages. The message is borrowed. */
int netlink_apply_msg(struct netlink *nl, struct nl_msg *msg);

/* Parse the kernel's answer to RTM_GETROUTE into out (ifindex, gateway,
 * source, onlink; not ifname nor link_up). Returns 0, -ENETUNREACH for an
 * unreachable, blackhole or prohibit route, -EBADMSG for a malformed
 * message. */
int netlink_route_parse(struct nlmsghdr *h, struct netlink_route *out);

#endif
