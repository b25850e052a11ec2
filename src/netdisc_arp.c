/*
 * netdisc_arp: the ARP half of a discovery sweep (see netdisc.h): the
 * addresses that did not answer ICMP echo and lie in the subnet of one of
 * the monitor's own interface addresses are asked by ARP, IPv6 ones by
 * neighbour solicitation (probes/arp.h), so a device on the monitor's LAN
 * that drops ICMP is still found.
 *
 * Data: the candidates (indexes into the sweep's address array), capture
 * handles only on the interfaces those subnets belong to, and a
 * before-sleep hook that keeps at most NETDISC_ARP_WINDOW probes in
 * flight, started at the sweep's rate. Each probe is one request; its
 * route is looked up by the prober, so an address of the subnet that is
 * routed elsewhere is not asked (counted as skipped).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "loop.h"
#include "netdisc.h"
#include "netlink.h"

#define NETDISC_ARP_WINDOW 256 /* probes in flight */
#define NETDISC_ARP_IFS 32     /* interfaces with candidates */

struct nd_arp_probe {
	struct nd_arp *s;
	size_t i;
};

struct nd_arp {
	struct loop *loop;
	struct arp *arp;
	const struct in6_addr *addr;
	uint8_t *alive;
	size_t *cand;            /* indexes into addr */
	struct nd_arp_probe *pa; /* the probes' arguments, one per candidate */
	size_t n, next, inflight, done;
	int rate, timeout_ms;
	int64_t t0;
	struct netdisc_arp_stats *st;
	int start_errno;
};

/* Does a lie in the subnet of address ia with mask m (len bytes each),
 * other than ia itself? */
static bool
nd_arp_in(const uint8_t *a, const uint8_t *ia, const uint8_t *m, size_t len)
{
	bool full = true;

	for (size_t i = 0; i < len; i++) {
		if ((a[i] & m[i]) != (ia[i] & m[i]))
			return false;
		full &= m[i] == 0xff;
	}
	return !full && memcmp(a, ia, len) != 0;
}

/* The up, non-loopback interface address whose subnet holds a (IPv4 as
 * ::ffff:a.b.c.d), other than a itself; NULL when none. IPv6 link-local
 * addresses do not count. */
static const struct ifaddrs *
nd_arp_subnet(const struct ifaddrs *ifs, const struct in6_addr *a)
{
	bool v4 = IN6_IS_ADDR_V4MAPPED(a);

	for (const struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || i->ifa_netmask == NULL ||
		    (i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
			continue;
		if (v4 && i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *ia = (const void *)i->ifa_addr;
			const struct sockaddr_in *m = (const void *)
			    i->ifa_netmask;

			if (nd_arp_in(a->s6_addr + 12, (const uint8_t *)
			    &ia->sin_addr, (const uint8_t *)&m->sin_addr, 4))
				return i;
		} else if (!v4 && i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *ia = (const void *)
			    i->ifa_addr;
			const struct sockaddr_in6 *m = (const void *)
			    i->ifa_netmask;

			if (!IN6_IS_ADDR_LINKLOCAL(&ia->sin6_addr) &&
			    nd_arp_in(a->s6_addr, ia->sin6_addr.s6_addr,
			    m->sin6_addr.s6_addr, 16))
				return i;
		}
	}
	return NULL;
}

static void
nd_arp_done(const struct arp_result *r, void *arg)
{
	struct nd_arp_probe *p = arg;
	struct nd_arp *s = p->s;

	if (r->err != 0)
		s->st->skipped++;
	else if (r->replies > 0 && !s->alive[p->i]) {
		s->alive[p->i] = NETDISC_BY_ARP;
		s->st->found++;
	}
	s->inflight--;
	s->done++;
}

static void
nd_arp_pump(struct loop *loop, void *arg)
{
	struct nd_arp *s = arg;
	/* requests allowed so far at the rate, and one to start with */
	uint64_t allowed = 1 + (uint64_t)(loop_clock() - s->t0) *
	    (uint64_t)s->rate / LOOP_NS_PER_SEC;

	(void)loop;
	while (s->inflight < NETDISC_ARP_WINDOW && s->next < s->n &&
	    s->next < allowed) {
		struct nd_arp_probe *p = &s->pa[s->next];
		const struct in6_addr *t = &s->addr[s->cand[s->next]];
		struct arp_request req;

		memset(&req, 0, sizeof(req));
		if (IN6_IS_ADDR_V4MAPPED(t)) {
			req.family = AF_INET;
			memcpy(&req.target, t->s6_addr + 12, 4);
		} else {
			req.family = AF_INET6;
			req.target6 = *t;
		}
		req.count = 1;
		req.timeout_ns = (int64_t)s->timeout_ms * LOOP_NS_PER_MSEC;
		p->s = s;
		p->i = s->cand[s->next++];
		if (arp_probe_start(s->arp, &req, nd_arp_done, p, NULL) != 0) {
			s->start_errno = ENOMEM;
			s->done++;
			continue;
		}
		s->inflight++;
		s->st->asked++;
	}
}

int
netdisc_sweep_arp(struct loop *loop, const struct in6_addr *addr,
    uint8_t *alive, size_t n, int rate, int timeout_ms,
    struct netdisc_arp_stats *st)
{
	const char *ifnames[NETDISC_ARP_IFS + 1];
	struct ifaddrs *ifs = NULL;
	struct netlink_lookup *lk = NULL;
	struct nd_arp s;
	char err[256];
	size_t nif = 0, i, k;
	int64_t bound;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	if (n == 0 || getifaddrs(&ifs) != 0)
		return 0;
	s.cand = calloc(n, sizeof(*s.cand));
	s.pa = calloc(n, sizeof(*s.pa));
	if (s.cand == NULL || s.pa == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct ifaddrs *f;

		if (alive[i] || (f = nd_arp_subnet(ifs, &addr[i])) == NULL)
			continue;
		s.cand[s.n++] = i;
		for (k = 0; k < nif && strcmp(ifnames[k], f->ifa_name) != 0;
		    k++)
			;
		if (k == nif && nif < NETDISC_ARP_IFS)
			ifnames[nif++] = f->ifa_name;
	}
	ifnames[nif] = NULL;
	st->candidates = s.n;
	if (s.n == 0)
		goto out;
	rc = arp_new(loop, ifnames, &s.arp);
	if (rc != 0)
		goto out;
	st->handles = arp_handles(s.arp);
	if (st->handles == 0)
		goto out; /* not root: ICMP alone */
	/* Each probe asks its route: one socket and one read of the links
	 * for them all (else a socket per probe). */
	if (netlink_lookup_open(&lk, err, sizeof(err)) == 0)
		arp_set_lookup(s.arp, lk);
	s.loop = loop;
	s.addr = addr;
	s.alive = alive;
	s.rate = rate;
	s.timeout_ms = timeout_ms;
	s.st = st;
	s.t0 = loop_clock();
	/* the requests at the rate, the windows' timeouts, and slack */
	bound = s.t0 + (int64_t)(s.n / (size_t)rate + 1) * LOOP_NS_PER_SEC +
	    (int64_t)(s.n / NETDISC_ARP_WINDOW + 1) * timeout_ms *
	    LOOP_NS_PER_MSEC + 5 * LOOP_NS_PER_SEC;
	loop_set_before_sleep(loop, nd_arp_pump, &s);
	while (s.done < s.n && loop_clock() < bound) {
		rc = loop_run_once(loop, 10 * LOOP_NS_PER_MSEC);
		if (rc < 0)
			break;
		rc = 0;
	}
	loop_set_before_sleep(loop, NULL, NULL);
	st->unfinished = s.n - s.done; /* the bound passed: not asked */
	if (rc == 0 && s.start_errno != 0)
		rc = -s.start_errno;
out:
	arp_free(s.arp); /* cancels what still runs, without callbacks */
	netlink_lookup_close(lk);
	free(s.pa);
	free(s.cand);
	freeifaddrs(ifs);
	return rc;
}
