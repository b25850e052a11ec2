/*
 * netlink: libnl caches of links, addresses, routes and neighbours, kept up
 * to date by one subscribed socket on the event loop; route lookups asked
 * of the kernel on a second socket.
 *
 * Invariants: the four caches were filled at netlink_new() and since then
 * only changed by netlink_apply_msg() (or refilled after an overrun). An
 * address, neighbour or route event naming an interface absent from the
 * link cache never reaches a cache. The event socket is non-blocking and
 * only read when the loop says it is readable.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/cache.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>

#include "loop.h"
#include "netlink.h"
#include "netlink_int.h"

struct netlink {
	struct loop *loop;       /* borrowed; NULL for one-shot lookups */
	struct nl_sock *req;     /* requests: cache fills, RTM_GETROUTE */
	struct nl_sock *ev;      /* subscribed, non-blocking */
	int ev_fd;               /* -1 when not watched */
	struct nl_cache *links;
	struct nl_cache *addrs;
	struct nl_cache *routes;
	struct nl_cache *neighs;
	netlink_change_fn *change_fn;
	void *change_arg;
	struct netlink_stats stats;
};

static void
nl_seterr(char *err, size_t errlen, const char *what, int nlerr)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "netlink: %s: %s", what, nl_geterror(nlerr));
}

/* ----- route lookup ------------------------------------------------------ */

static int
addr_to_ss(int family, const struct nlattr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET && nla_len(a) == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, nla_data(a), 4);
		return 0;
	}
	if (family == AF_INET6 && nla_len(a) == 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, nla_data(a), 16);
		return 0;
	}
	return -EBADMSG;
}

int
netlink_route_parse(struct nlmsghdr *h, struct netlink_route *out)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;

	memset(out, 0, sizeof(*out));
	out->gateway.ss_family = AF_UNSPEC;
	out->src.ss_family = AF_UNSPEC;
	if (h->nlmsg_type != RTM_NEWROUTE ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return -EBADMSG;
	if (nlmsg_parse(h, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
		return -EBADMSG;
	rtm = nlmsg_data(h);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EBADMSG;
	switch (rtm->rtm_type) {
	case RTN_UNREACHABLE:
	case RTN_BLACKHOLE:
	case RTN_PROHIBIT:
	case RTN_THROW:
		return -ENETUNREACH;
	default:
		break;
	}
	if (tb[RTA_OIF] == NULL || nla_len(tb[RTA_OIF]) != 4)
		return -EBADMSG;
	out->ifindex = (int)nla_get_u32(tb[RTA_OIF]);
	if (out->ifindex <= 0)
		return -EBADMSG;
	if (tb[RTA_GATEWAY] != NULL &&
	    addr_to_ss(rtm->rtm_family, tb[RTA_GATEWAY], &out->gateway) < 0)
		return -EBADMSG;
	if (tb[RTA_PREFSRC] != NULL &&
	    addr_to_ss(rtm->rtm_family, tb[RTA_PREFSRC], &out->src) < 0)
		return -EBADMSG;
	out->onlink = out->gateway.ss_family == AF_UNSPEC;
	return 0;
}

struct route_reply {
	struct netlink_route *out;
	int rc;      /* 0, -errno from the kernel or the parser */
	bool got;
};

static int
route_valid_cb(struct nl_msg *msg, void *arg)
{
	struct route_reply *rr = arg;

	if (!rr->got) {
		rr->rc = netlink_route_parse(nlmsg_hdr(msg), rr->out);
		rr->got = true;
	}
	return NL_OK;
}

static int
route_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct route_reply *rr = arg;

	(void)who;
	rr->rc = e->error < 0 ? e->error : -EPROTO;
	rr->got = true;
	return NL_STOP;
}

/* Ask the kernel (RTM_GETROUTE) over sk. Fills out but ifname/link_up. */
static int
route_query(struct nl_sock *sk, const struct sockaddr *dst,
    struct netlink_route *out, char *err, size_t errlen)
{
	struct route_reply rr = { .out = out, .rc = 0, .got = false };
	struct rtmsg rtm;
	struct nl_msg *msg = NULL;
	struct nl_cb *cb, *sockcb;
	const void *a;
	int alen, rc;

	memset(out, 0, sizeof(*out));
	if (dst->sa_family == AF_INET) {
		a = &((const struct sockaddr_in *)(const void *)dst)->sin_addr;
		alen = 4;
	} else if (dst->sa_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)(const void *)dst)->sin6_addr;
		alen = 16;
	} else {
		snprintf(err, errlen, "netlink: route lookup: not an IPv4 or "
		    "IPv6 address");
		return -EAFNOSUPPORT;
	}
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (unsigned char)dst->sa_family;
	rtm.rtm_dst_len = (unsigned char)(alen * 8);
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST);
	if (msg == NULL) {
		snprintf(err, errlen, "netlink: out of memory");
		return -ENOMEM;
	}
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, alen, a) < 0) {
		nlmsg_free(msg);
		snprintf(err, errlen, "netlink: out of memory");
		return -ENOMEM;
	}
	rc = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		nl_seterr(err, errlen, "route request", rc);
		return -EIO;
	}
	/* Callbacks on a clone, so none points at this frame afterwards. */
	sockcb = nl_socket_get_cb(sk);
	cb = nl_cb_clone(sockcb);
	nl_cb_put(sockcb);
	if (cb == NULL) {
		snprintf(err, errlen, "netlink: out of memory");
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, route_valid_cb, &rr);
	nl_cb_err(cb, NL_CB_CUSTOM, route_err_cb, &rr);
	/* One reply: the route, or an error message. Bounded: each call
	 * reads at least one message or fails. */
	for (int i = 0; i < 4 && !rr.got; i++) {
		rc = nl_recvmsgs(sk, cb);
		if (rc < 0 && !rr.got) {
			nl_cb_put(cb);
			nl_seterr(err, errlen, "route reply", rc);
			return -EIO;
		}
	}
	nl_cb_put(cb);
	if (!rr.got) {
		snprintf(err, errlen, "netlink: no answer to the route request");
		return -EIO;
	}
	if (rr.rc == -ENETUNREACH || rr.rc == -EHOSTUNREACH) {
		snprintf(err, errlen, "no route to the address: %s",
		    strerror(-rr.rc));
		return rr.rc;
	}
	if (rr.rc < 0) {
		snprintf(err, errlen, "netlink: route lookup: %s",
		    rr.rc == -EBADMSG ? "malformed answer" : strerror(-rr.rc));
		return rr.rc;
	}
	return 0;
}

static void
route_link(struct nl_cache *links, struct netlink_route *out)
{
	struct rtnl_link *l = rtnl_link_get(links, out->ifindex);

	out->ifname[0] = '\0';
	out->link_up = false;
	if (l == NULL)
		return;
	snprintf(out->ifname, sizeof(out->ifname), "%s",
	    rtnl_link_get_name(l) != NULL ? rtnl_link_get_name(l) : "");
	out->link_up = (rtnl_link_get_flags(l) & (IFF_UP | IFF_RUNNING)) ==
	    (IFF_UP | IFF_RUNNING);
	rtnl_link_put(l);
}

int
netlink_route_get(struct netlink *nl, const struct sockaddr *dst,
    struct netlink_route *out, char *err, size_t errlen)
{
	int rc = route_query(nl->req, dst, out, err, errlen);

	if (rc < 0)
		return rc;
	route_link(nl->links, out);
	return 0;
}

bool
netlink_addr_parse(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (s == NULL)
		return false;
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

const char *
netlink_addr_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = NULL;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr;
	if (a == NULL || inet_ntop(ss->ss_family, a, buf, (socklen_t)len) ==
	    NULL)
		snprintf(buf, len, "?");
	return buf;
}

struct netlink_lookup {
	struct nl_sock *sk;
	struct nl_cache *links;
};

void
netlink_lookup_close(struct netlink_lookup *lk)
{
	if (lk == NULL)
		return;
	if (lk->links != NULL)
		nl_cache_free(lk->links);
	nl_socket_free(lk->sk);
	free(lk);
}

int
netlink_lookup_open(struct netlink_lookup **out, char *err, size_t errlen)
{
	struct netlink_lookup *lk;
	int rc;

	*out = NULL;
	if ((lk = calloc(1, sizeof(*lk))) == NULL ||
	    (lk->sk = nl_socket_alloc()) == NULL) {
		free(lk);
		snprintf(err, errlen, "netlink: out of memory");
		return -ENOMEM;
	}
	rc = nl_connect(lk->sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_seterr(err, errlen, "connect", rc);
		netlink_lookup_close(lk);
		return -EIO;
	}
	rc = rtnl_link_alloc_cache(lk->sk, AF_UNSPEC, &lk->links);
	if (rc < 0) {
		nl_seterr(err, errlen, "reading links", rc);
		lk->links = NULL;
		netlink_lookup_close(lk);
		return -EIO;
	}
	*out = lk;
	return 0;
}

int
netlink_lookup_route(struct netlink_lookup *lk, const struct sockaddr *dst,
    struct netlink_route *out, char *err, size_t errlen)
{
	int rc = route_query(lk->sk, dst, out, err, errlen);

	if (rc == 0)
		route_link(lk->links, out);
	return rc;
}

int
netlink_route_lookup(const struct sockaddr *dst, struct netlink_route *out,
    char *err, size_t errlen)
{
	struct netlink_lookup *lk;
	int rc = netlink_lookup_open(&lk, err, errlen);

	if (rc != 0)
		return rc;
	rc = netlink_lookup_route(lk, dst, out, err, errlen);
	netlink_lookup_close(lk);
	return rc;
}

/* ----- events ------------------------------------------------------------ */

struct apply_ctx {
	struct netlink *nl;
	int rc;
	int ifindex;
	enum netlink_change what;
	bool seen;
};

static bool
link_known(struct netlink *nl, int ifindex)
{
	struct rtnl_link *l;

	if (ifindex <= 0)
		return false;
	l = rtnl_link_get(nl->links, ifindex);
	if (l == NULL)
		return false;
	rtnl_link_put(l);
	return true;
}

/* The interface a route is about: its first nexthop's (0 when it has
 * none, as unreachable routes); -1 when a nexthop names an unknown one. */
static int
route_ifindex(struct netlink *nl, struct rtnl_route *r)
{
	int n = rtnl_route_get_nnexthops(r), first = 0;

	for (int i = 0; i < n; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
		int ix = nh != NULL ? rtnl_route_nh_get_ifindex(nh) : 0;
		if (ix == 0)
			continue;
		if (!link_known(nl, ix))
			return -1;
		if (first == 0)
			first = ix;
	}
	return first;
}

static void
apply_obj(struct nl_object *obj, void *arg)
{
	struct apply_ctx *c = arg;
	struct netlink *nl = c->nl;
	const char *type = nl_object_get_type(obj);
	struct nl_cache *cache = NULL;
	int ix = 0;

	if (c->seen)
		return;
	c->seen = true;
	if (type == NULL) {
		c->rc = -EBADMSG;
		return;
	}
	if (strcmp(type, "route/link") == 0) {
		ix = rtnl_link_get_ifindex((struct rtnl_link *)obj);
		if (ix <= 0) {
			c->rc = -EBADMSG;
			return;
		}
		/* A new link is news; a change or removal of one we never
		 * saw is not. */
		if (nl_object_get_msgtype(obj) != RTM_NEWLINK &&
		    !link_known(nl, ix)) {
			c->rc = -ENODEV;
			return;
		}
		cache = nl->links;
		c->what = NETLINK_CHG_LINK;
	} else if (strcmp(type, "route/addr") == 0) {
		ix = rtnl_addr_get_ifindex((struct rtnl_addr *)obj);
		cache = nl->addrs;
		c->what = NETLINK_CHG_ADDR;
		if (!link_known(nl, ix)) {
			c->rc = -ENODEV;
			return;
		}
	} else if (strcmp(type, "route/neigh") == 0) {
		ix = rtnl_neigh_get_ifindex((struct rtnl_neigh *)obj);
		cache = nl->neighs;
		c->what = NETLINK_CHG_NEIGH;
		if (!link_known(nl, ix)) {
			c->rc = -ENODEV;
			return;
		}
	} else if (strcmp(type, "route/route") == 0) {
		ix = route_ifindex(nl, (struct rtnl_route *)obj);
		cache = nl->routes;
		c->what = NETLINK_CHG_ROUTE;
		if (ix < 0) {
			c->rc = -ENODEV;
			return;
		}
	} else {
		c->rc = -EBADMSG;
		return;
	}
	c->ifindex = ix;
	if (nl_cache_include(cache, obj, NULL, NULL) < 0)
		c->rc = -EBADMSG;
}

int
netlink_apply_msg(struct netlink *nl, struct nl_msg *msg)
{
	struct apply_ctx c = { .nl = nl, .rc = 0, .ifindex = 0,
		.what = NETLINK_CHG_LINK, .seen = false };
	int rc;

	rc = nl_msg_parse(msg, apply_obj, &c);
	if (rc < 0 || !c.seen)
		c.rc = -EBADMSG;
	if (c.rc == -ENODEV) {
		nl->stats.unknown_ifindex++;
		return -ENODEV;
	}
	if (c.rc < 0) {
		nl->stats.malformed++;
		return -EBADMSG;
	}
	nl->stats.events++;
	if (nl->change_fn != NULL)
		nl->change_fn(nl, c.what, c.ifindex, nl->change_arg);
	return 0;
}

static int
ev_valid_cb(struct nl_msg *msg, void *arg)
{
	(void)netlink_apply_msg(arg, msg);
	return NL_OK;
}

/* Events were lost (the socket buffer overran): read everything again. */
static void
resync(struct netlink *nl)
{
	nl->stats.resyncs++;
	(void)nl_cache_refill(nl->req, nl->links);
	(void)nl_cache_refill(nl->req, nl->addrs);
	(void)nl_cache_refill(nl->req, nl->routes);
	(void)nl_cache_refill(nl->req, nl->neighs);
	if (nl->change_fn != NULL)
		nl->change_fn(nl, NETLINK_CHG_LINK, 0, nl->change_arg);
}

static void
ev_readable(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct netlink *nl = arg;

	(void)loop;
	(void)fd;
	(void)events;
	/* Bounded: at most 64 reads per wake-up; the loop calls again while
	 * more is queued. */
	for (int i = 0; i < 64; i++) {
		int rc = nl_recvmsgs_default(nl->ev);
		if (rc == -NLE_AGAIN || rc == 0)
			return;
		if (rc == -NLE_NOMEM) {      /* ENOBUFS: overrun */
			resync(nl);
			continue;
		}
		if (rc < 0) {
			nl->stats.malformed++;
			return;
		}
	}
}

static int
alloc_cache(struct netlink *nl, const char *name, struct nl_cache **out,
    char *err, size_t errlen)
{
	int rc = nl_cache_alloc_name(name, out);

	if (rc == 0)
		rc = nl_cache_refill(nl->req, *out);
	if (rc < 0) {
		nl_seterr(err, errlen, name, rc);
		return -EIO;
	}
	return 0;
}

int
netlink_new(struct loop *loop, struct netlink **out, char *err, size_t errlen)
{
	struct netlink *nl;
	int rc;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (nl == NULL) {
		snprintf(err, errlen, "netlink: out of memory");
		return -ENOMEM;
	}
	nl->loop = loop;
	nl->ev_fd = -1;
	nl->req = nl_socket_alloc();
	nl->ev = nl_socket_alloc();
	if (nl->req == NULL || nl->ev == NULL) {
		snprintf(err, errlen, "netlink: out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	rc = nl_connect(nl->req, NETLINK_ROUTE);
	if (rc < 0) {
		nl_seterr(err, errlen, "connect", rc);
		rc = -EIO;
		goto fail;
	}
	/* Subscribe before filling, so no change falls between the two. */
	nl_socket_disable_seq_check(nl->ev);
	nl_socket_modify_cb(nl->ev, NL_CB_VALID, NL_CB_CUSTOM, ev_valid_cb, nl);
	rc = nl_connect(nl->ev, NETLINK_ROUTE);
	if (rc == 0)
		rc = nl_socket_add_memberships(nl->ev, RTNLGRP_LINK,
		    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
		    RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_NEIGH, 0);
	if (rc == 0)
		rc = nl_socket_set_nonblocking(nl->ev);
	/* Room for a burst (a link going down takes its routes with it);
	 * an overrun still only costs a refill (resync()). */
	if (rc == 0)
		(void)nl_socket_set_buffer_size(nl->ev, 1024 * 1024, 0);
	if (rc < 0) {
		nl_seterr(err, errlen, "subscribing to changes", rc);
		rc = -EIO;
		goto fail;
	}
	if ((rc = alloc_cache(nl, "route/link", &nl->links, err, errlen)) < 0 ||
	    (rc = alloc_cache(nl, "route/addr", &nl->addrs, err, errlen)) < 0 ||
	    (rc = alloc_cache(nl, "route/route", &nl->routes, err, errlen)) < 0 ||
	    (rc = alloc_cache(nl, "route/neigh", &nl->neighs, err, errlen)) < 0)
		goto fail;
	if (loop != NULL) {
		rc = loop_io_add(loop, nl_socket_get_fd(nl->ev), LOOP_READ,
		    ev_readable, nl);
		if (rc < 0) {
			snprintf(err, errlen, "netlink: watching the socket: %s",
			    strerror(-rc));
			goto fail;
		}
		nl->ev_fd = nl_socket_get_fd(nl->ev);
	}
	*out = nl;
	return 0;
fail:
	netlink_free(nl);
	return rc;
}

void
netlink_free(struct netlink *nl)
{
	if (nl == NULL)
		return;
	if (nl->ev_fd >= 0)
		loop_io_del(nl->loop, nl->ev_fd);
	if (nl->links != NULL)
		nl_cache_free(nl->links);
	if (nl->addrs != NULL)
		nl_cache_free(nl->addrs);
	if (nl->routes != NULL)
		nl_cache_free(nl->routes);
	if (nl->neighs != NULL)
		nl_cache_free(nl->neighs);
	if (nl->req != NULL)
		nl_socket_free(nl->req);
	if (nl->ev != NULL)
		nl_socket_free(nl->ev);
	free(nl);
}

void
netlink_set_change_cb(struct netlink *nl, netlink_change_fn *fn, void *arg)
{
	nl->change_fn = fn;
	nl->change_arg = arg;
}

bool
netlink_link_up(struct netlink *nl, int ifindex)
{
	struct netlink_route r = { .ifindex = ifindex };

	route_link(nl->links, &r);
	return r.link_up;
}

const char *
netlink_link_name(struct netlink *nl, int ifindex, char *buf, size_t len)
{
	struct netlink_route r = { .ifindex = ifindex };

	route_link(nl->links, &r);
	snprintf(buf, len, "%s", r.ifname);
	return buf;
}

void
netlink_stats(const struct netlink *nl, struct netlink_stats *out)
{
	*out = nl->stats;
}
