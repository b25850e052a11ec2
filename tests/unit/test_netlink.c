/*
 * test_netlink: events from the kernel checked before they reach the
 * caches. Crafted netlink messages about interfaces the link cache does not
 * know (address, route, neighbour, link removal) are dropped and counted,
 * never applied; malformed ones likewise; a new link is accepted and then
 * its address too. The parser of RTM_GETROUTE answers: gateway, on-link,
 * unreachable kinds, malformed answers. And one real lookup (loopback).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "loop.h"
#include "netlink.h"
#include "netlink_int.h"

/* An interface index no test machine has. */
#define UNKNOWN_IX 0x7ffffff0

struct fixture {
	struct loop *loop;
	struct netlink *nl;
	int changes;
	enum netlink_change last_what;
	int last_ix;
};

static void
on_change(struct netlink *nl, enum netlink_change what, int ifindex,
    void *arg)
{
	struct fixture *f = arg;

	(void)nl;
	f->changes++;
	f->last_what = what;
	f->last_ix = ifindex;
}

static int
setup(void **state)
{
	static struct fixture f;
	char err[256] = "";

	memset(&f, 0, sizeof(f));
	if (loop_new(&f.loop) != 0)
		return -1;
	if (netlink_new(f.loop, &f.nl, err, sizeof(err)) != 0) {
		fprintf(stderr, "netlink_new: %s\n", err);
		loop_free(f.loop);
		return -1;
	}
	netlink_set_change_cb(f.nl, on_change, &f);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	netlink_free(f->nl);
	loop_free(f->loop);
	return 0;
}

static struct nl_msg *
msg_new(int type, void *hdr, size_t len)
{
	struct nl_msg *m = nlmsg_alloc_simple(type, 0);

	assert_non_null(m);
	nlmsg_set_proto(m, NETLINK_ROUTE);
	if (len > 0)
		assert_int_equal(nlmsg_append(m, hdr, len, NLMSG_ALIGNTO), 0);
	return m;
}

static struct nl_msg *
addr_msg(int ifindex)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = 24,
		.ifa_index = (unsigned)ifindex };
	struct in_addr a;
	struct nl_msg *m = msg_new(RTM_NEWADDR, &ifa, sizeof(ifa));

	inet_pton(AF_INET, "192.0.2.77", &a);
	assert_int_equal(nla_put(m, IFA_LOCAL, 4, &a), 0);
	assert_int_equal(nla_put(m, IFA_ADDRESS, 4, &a), 0);
	return m;
}

static void
expect_dropped(struct fixture *f, struct nl_msg *m, int want,
    uint64_t unknown, uint64_t malformed)
{
	struct netlink_stats st;

	assert_int_equal(netlink_apply_msg(f->nl, m), want);
	nlmsg_free(m);
	netlink_stats(f->nl, &st);
	assert_int_equal(st.unknown_ifindex, unknown);
	assert_int_equal(st.malformed, malformed);
	assert_int_equal(st.events, 0);
	assert_int_equal(f->changes, 0);
}

static void
test_netlink_addr_on_unknown_interface_dropped(void **state)
{
	expect_dropped(*state, addr_msg(UNKNOWN_IX), -ENODEV, 1, 0);
}

static void
test_netlink_route_via_unknown_interface_dropped(void **state)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24,
		.rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
	struct nl_msg *m = msg_new(RTM_NEWROUTE, &rtm, sizeof(rtm));
	struct in_addr dst, gw;

	inet_pton(AF_INET, "198.51.100.0", &dst);
	inet_pton(AF_INET, "192.0.2.1", &gw);
	assert_int_equal(nla_put(m, RTA_DST, 4, &dst), 0);
	assert_int_equal(nla_put(m, RTA_GATEWAY, 4, &gw), 0);
	assert_int_equal(nla_put_u32(m, RTA_OIF, UNKNOWN_IX), 0);
	assert_int_equal(nla_put_u32(m, RTA_TABLE, RT_TABLE_MAIN), 0);
	expect_dropped(*state, m, -ENODEV, 1, 0);
}

static void
test_netlink_neigh_on_unknown_interface_dropped(void **state)
{
	struct ndmsg nd = { .ndm_family = AF_INET,
		.ndm_ifindex = UNKNOWN_IX, .ndm_state = NUD_REACHABLE };
	struct nl_msg *m = msg_new(RTM_NEWNEIGH, &nd, sizeof(nd));
	struct in_addr a;
	const unsigned char mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };

	inet_pton(AF_INET, "192.0.2.77", &a);
	assert_int_equal(nla_put(m, NDA_DST, 4, &a), 0);
	assert_int_equal(nla_put(m, NDA_LLADDR, 6, mac), 0);
	expect_dropped(*state, m, -ENODEV, 1, 0);
}

static void
test_netlink_removal_of_unknown_link_dropped(void **state)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
		.ifi_index = UNKNOWN_IX };
	struct nl_msg *m = msg_new(RTM_DELLINK, &ifi, sizeof(ifi));

	assert_int_equal(nla_put_string(m, IFLA_IFNAME, "ghost0"), 0);
	expect_dropped(*state, m, -ENODEV, 1, 0);
}

static void
test_netlink_malformed_dropped(void **state)
{
	struct fixture *f = *state;
	struct fib_rule_hdr_like { unsigned char b[12]; } rule = { { 0 } };

	/* An address message with no ifaddrmsg at all. */
	expect_dropped(f, msg_new(RTM_NEWADDR, NULL, 0), -EBADMSG, 0, 1);
	/* A kind of message the caches do not hold. */
	expect_dropped(f, msg_new(RTM_NEWRULE, &rule, sizeof(rule)),
	    -EBADMSG, 0, 2);
	/* A link with index 0. */
	{
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
		struct nl_msg *m = msg_new(RTM_NEWLINK, &ifi, sizeof(ifi));
		assert_int_equal(nla_put_string(m, IFLA_IFNAME, "zero0"), 0);
		expect_dropped(f, m, -EBADMSG, 0, 3);
	}
}

static void
test_netlink_new_link_then_its_address_accepted(void **state)
{
	struct fixture *f = *state;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
		.ifi_index = UNKNOWN_IX, .ifi_flags = IFF_UP | IFF_RUNNING,
		.ifi_change = 0xffffffff };
	struct nl_msg *m = msg_new(RTM_NEWLINK, &ifi, sizeof(ifi));
	struct netlink_stats st;
	char name[NETLINK_IFNAME_MAX];

	assert_false(netlink_link_up(f->nl, UNKNOWN_IX));
	assert_int_equal(nla_put_string(m, IFLA_IFNAME, "phtest0"), 0);
	assert_int_equal(netlink_apply_msg(f->nl, m), 0);
	nlmsg_free(m);
	assert_int_equal(f->changes, 1);
	assert_int_equal(f->last_what, NETLINK_CHG_LINK);
	assert_int_equal(f->last_ix, UNKNOWN_IX);
	assert_true(netlink_link_up(f->nl, UNKNOWN_IX));
	assert_string_equal(netlink_link_name(f->nl, UNKNOWN_IX, name,
	    sizeof(name)), "phtest0");

	m = addr_msg(UNKNOWN_IX);
	assert_int_equal(netlink_apply_msg(f->nl, m), 0);
	nlmsg_free(m);
	assert_int_equal(f->changes, 2);
	assert_int_equal(f->last_what, NETLINK_CHG_ADDR);

	/* Carrier lost: still known, no longer up. */
	ifi.ifi_flags = IFF_UP;
	m = msg_new(RTM_NEWLINK, &ifi, sizeof(ifi));
	assert_int_equal(nla_put_string(m, IFLA_IFNAME, "phtest0"), 0);
	assert_int_equal(netlink_apply_msg(f->nl, m), 0);
	nlmsg_free(m);
	assert_false(netlink_link_up(f->nl, UNKNOWN_IX));

	netlink_stats(f->nl, &st);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.unknown_ifindex, 0);
}

/* ----- RTM_GETROUTE answers ---------------------------------------------- */

static struct nl_msg *
reply(int family, int type)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)family,
		.rtm_dst_len = family == AF_INET ? 32 : 128,
		.rtm_table = RT_TABLE_MAIN, .rtm_type = (unsigned char)type };

	return msg_new(RTM_NEWROUTE, &rtm, sizeof(rtm));
}

static void
test_netlink_route_parse_gateway_and_source(void **state)
{
	struct nl_msg *m = reply(AF_INET6, RTN_UNICAST);
	struct netlink_route r;
	struct in6_addr gw, src;
	char buf[INET6_ADDRSTRLEN];

	(void)state;
	inet_pton(AF_INET6, "fd66::1", &gw);
	inet_pton(AF_INET6, "fd66::2", &src);
	assert_int_equal(nla_put_u32(m, RTA_OIF, 7), 0);
	assert_int_equal(nla_put(m, RTA_GATEWAY, 16, &gw), 0);
	assert_int_equal(nla_put(m, RTA_PREFSRC, 16, &src), 0);
	assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r), 0);
	nlmsg_free(m);
	assert_int_equal(r.ifindex, 7);
	assert_false(r.onlink);
	assert_int_equal(r.gateway.ss_family, AF_INET6);
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&r.gateway)->sin6_addr,
	    buf, sizeof(buf));
	assert_string_equal(buf, "fd66::1");
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&r.src)->sin6_addr,
	    buf, sizeof(buf));
	assert_string_equal(buf, "fd66::2");
}

static void
test_netlink_route_parse_onlink(void **state)
{
	struct nl_msg *m = reply(AF_INET, RTN_UNICAST);
	struct netlink_route r;

	(void)state;
	assert_int_equal(nla_put_u32(m, RTA_OIF, 3), 0);
	assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r), 0);
	nlmsg_free(m);
	assert_true(r.onlink);
	assert_int_equal(r.gateway.ss_family, AF_UNSPEC);
	assert_int_equal(r.src.ss_family, AF_UNSPEC);
}

static void
test_netlink_route_parse_unreachable_kinds(void **state)
{
	const int kinds[] = { RTN_UNREACHABLE, RTN_BLACKHOLE, RTN_PROHIBIT };
	struct netlink_route r;

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct nl_msg *m = reply(AF_INET, kinds[i]);
		assert_int_equal(nla_put_u32(m, RTA_OIF, 1), 0);
		assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r),
		    -ENETUNREACH);
		nlmsg_free(m);
	}
}

static void
test_netlink_route_parse_malformed(void **state)
{
	struct netlink_route r;
	struct nl_msg *m;
	unsigned char shortgw[3] = { 10, 0, 0 };

	(void)state;
	/* No outgoing interface. */
	m = reply(AF_INET, RTN_UNICAST);
	assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r), -EBADMSG);
	nlmsg_free(m);
	/* A gateway of the wrong length. */
	m = reply(AF_INET, RTN_UNICAST);
	assert_int_equal(nla_put_u32(m, RTA_OIF, 2), 0);
	assert_int_equal(nla_put(m, RTA_GATEWAY, 3, shortgw), 0);
	assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r), -EBADMSG);
	nlmsg_free(m);
	/* Not a route at all. */
	m = msg_new(RTM_NEWADDR, NULL, 0);
	assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r), -EBADMSG);
	nlmsg_free(m);
	/* A family the kernel never answers with. */
	m = reply(AF_UNIX, RTN_UNICAST);
	assert_int_equal(nla_put_u32(m, RTA_OIF, 2), 0);
	assert_int_equal(netlink_route_parse(nlmsg_hdr(m), &r), -EBADMSG);
	nlmsg_free(m);
}

static void
test_netlink_route_get_loopback(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in bad = { .sin_family = AF_UNIX };
	struct netlink_route r, r2;
	char err[256] = "";

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(netlink_route_get(f->nl, (struct sockaddr *)&sin, &r,
	    err, sizeof(err)), 0);
	assert_string_equal(r.ifname, "lo");
	assert_true(r.onlink);
	assert_true(r.link_up);
	assert_int_equal(netlink_route_lookup((struct sockaddr *)&sin, &r2,
	    err, sizeof(err)), 0);
	assert_int_equal(r2.ifindex, r.ifindex);
	assert_int_equal(netlink_route_get(f->nl, (struct sockaddr *)&bad, &r,
	    err, sizeof(err)), -EAFNOSUPPORT);
	assert_non_null(strstr(err, "not an IPv4 or IPv6"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_netlink_addr_on_unknown_interface_dropped),
		T(test_netlink_route_via_unknown_interface_dropped),
		T(test_netlink_neigh_on_unknown_interface_dropped),
		T(test_netlink_removal_of_unknown_link_dropped),
		T(test_netlink_malformed_dropped),
		T(test_netlink_new_link_then_its_address_accepted),
		T(test_netlink_route_get_loopback),
		cmocka_unit_test(test_netlink_route_parse_gateway_and_source),
		cmocka_unit_test(test_netlink_route_parse_onlink),
		cmocka_unit_test(test_netlink_route_parse_unreachable_kinds),
		cmocka_unit_test(test_netlink_route_parse_malformed),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
