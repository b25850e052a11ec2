/*
 * netdisc_sweep: which addresses of IPv4 and IPv6 ranges answer ICMP
 * echo (see netdisc.h), on the daemon's prober; then netdisc_arp.c asks
 * the silent ones on the monitor's own links by ARP or neighbour
 * solicitation.
 *
 * Data: one sorted array of target addresses (IPv6; IPv4 ones as
 * ::ffff:a.b.c.d) and one byte per target for "answered". A
 * before-sleep hook keeps at most NETDISC_SWEEP_WINDOW probes in flight,
 * each one echo request; the prober's global pacing holds the rate. The
 * run ends when every probe completed, or at a bound computed from the
 * rate and the timeout.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "loop.h"
#include "netdisc.h"
#include "strnum.h"

#define NETDISC_SWEEP_WINDOW 16384 /* of the prober's 65536 sequence numbers */

struct nd_sweep {
	struct loop *loop;
	struct icmp *icmp;
	struct in6_addr *addr;   /* IPv4 as ::ffff:a.b.c.d */
	uint8_t *alive;
	size_t n, next, inflight, done;
	int timeout_ms;
	int start_errno;
};

struct nd_probe {
	struct nd_sweep *s;
	size_t i;
};

int
netdisc_cidr(const char *s, uint32_t *first, uint32_t *last)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	struct in_addr a;
	long len = 32;
	uint32_t mask;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	if (slash != NULL && strnum_long(slash + 1, 0, 32, &len) != 0)
		return -EINVAL;
	mask = len == 0 ? 0 : 0xffffffffu << (32 - len);
	*first = ntohl(a.s_addr) & mask;
	*last = *first | ~mask;
	if (len < 31 && *last - *first >= 2) { /* network, broadcast */
		(*first)++;
		(*last)--;
	}
	return 0;
}

int
netdisc_cidr6(const char *s, struct in6_addr *first, uint32_t *count)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	long len = 128;
	size_t n = slash ? (size_t)(slash - s) : strlen(s), i;
	uint32_t host;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, first) != 1)
		return -EINVAL;
	if (slash != NULL && strnum_long(slash + 1, 0, 128, &len) != 0)
		return -EINVAL;
	if (len < 128 - NETDISC_SWEEP6_BITS)
		return -E2BIG;
	for (i = 0; i < 16; i++) { /* clear the host part */
		long keep = len - (long)i * 8;

		if (keep <= 0)
			first->s6_addr[i] = 0;
		else if (keep < 8)
			first->s6_addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
	host = 128 - (uint32_t)len;
	*count = 1u << host;
	if (host > 1) { /* the all-zero one is the subnet-router anycast */
		first->s6_addr[15] |= 1;
		(*count)--;
	}
	return 0;
}

int
netdisc_range_check(const char *s, char *err, size_t errlen)
{
	struct in6_addr a6;
	uint32_t a, b;
	int rc;

	if (netdisc_cidr(s, &a, &b) == 0)
		return 0;
	rc = netdisc_cidr6(s, &a6, &a);
	if (rc == 0)
		return 0;
	if (rc == -E2BIG)
		snprintf(err, errlen, "'%.60s' is too large: IPv6 ranges are "
		    "swept from a /%d (%u addresses) on", s,
		    128 - NETDISC_SWEEP6_BITS, 1u << NETDISC_SWEEP6_BITS);
	else
		snprintf(err, errlen, "'%.60s' is not an IPv4 address or range "
		    "A.B.C.D/LEN, nor an IPv6 one X:Y::Z/LEN", s);
	return -EINVAL;
}

static void nd_sweep_pump(struct loop *loop, void *arg);

static void
nd_sweep_done(const struct icmp_result *res, void *arg)
{
	struct nd_probe *p = arg;
	struct nd_sweep *s = p->s;

	if (!res->aborted && res->received > 0)
		s->alive[p->i] = NETDISC_BY_ICMP;
	s->inflight--;
	s->done++;
	free(p);
}

static void
nd_sweep_pump(struct loop *loop, void *arg)
{
	struct nd_sweep *s = arg;

	(void)loop;
	while (s->inflight < NETDISC_SWEEP_WINDOW && s->next < s->n) {
		struct icmp_request req;
		struct sockaddr_in *sin = (struct sockaddr_in *)&req.addr;
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&req.addr;
		struct nd_probe *p = malloc(sizeof(*p));
		int rc;

		if (p == NULL) {
			s->start_errno = ENOMEM;
			s->next = s->n;
			return;
		}
		memset(&req, 0, sizeof(req));
		if (IN6_IS_ADDR_V4MAPPED(&s->addr[s->next])) {
			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, s->addr[s->next].s6_addr + 12, 4);
			req.addrlen = sizeof(*sin);
		} else {
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = s->addr[s->next];
			req.addrlen = sizeof(*sin6);
		}
		req.count = 1;
		req.interval_ns = LOOP_NS_PER_SEC;
		req.timeout_ns = (int64_t)s->timeout_ms * LOOP_NS_PER_MSEC;
		p->s = s;
		p->i = s->next++;
		rc = icmp_probe_start(s->icmp, &req, nd_sweep_done, p, NULL);
		if (rc != 0) {
			free(p);
			s->done++;
			s->start_errno = -rc;
			continue;
		}
		s->inflight++;
	}
}

static int
nd_cmp_addr(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct in6_addr));
}

/* Collect the targets of every range, sorted, each once. */
static int
nd_sweep_targets(struct nd_sweep *s, const char *const *ranges, size_t nr,
    char *err, size_t errlen)
{
	uint64_t total = 0;
	uint32_t first, last, cnt, a;
	struct in6_addr f6;
	size_t i, j, k;

	for (i = 0; i < nr; i++) {
		if (netdisc_range_check(ranges[i], err, errlen) != 0)
			return -EINVAL;
		if (netdisc_cidr(ranges[i], &first, &last) == 0)
			total += (uint64_t)(last - first) + 1;
		else if (netdisc_cidr6(ranges[i], &f6, &cnt) == 0)
			total += cnt;
		if (total > NETDISC_SWEEP_MAX) {
			snprintf(err, errlen, "more than %d addresses to sweep "
			    "(a /16 or a /112 at most)", NETDISC_SWEEP_MAX);
			return -EINVAL;
		}
	}
	s->addr = calloc(total ? total : 1, sizeof(*s->addr));
	s->alive = calloc(total ? total : 1, 1);
	if (s->addr == NULL || s->alive == NULL)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (netdisc_cidr(ranges[i], &first, &last) == 0) {
			for (a = first;; a++) {
				struct in6_addr *t = &s->addr[s->n++];
				uint32_t be = htonl(a);

				t->s6_addr[10] = 0xff;
				t->s6_addr[11] = 0xff;
				memcpy(t->s6_addr + 12, &be, 4);
				if (a == last)
					break;
			}
		} else if (netdisc_cidr6(ranges[i], &f6, &cnt) == 0) {
			uint32_t low;

			memcpy(&low, f6.s6_addr + 12, 4);
			low = ntohl(low);
			for (a = 0; a < cnt; a++) { /* the host part is <= 16 bits */
				struct in6_addr *t = &s->addr[s->n++];
				uint32_t be = htonl(low + a);

				*t = f6;
				memcpy(t->s6_addr + 12, &be, 4);
			}
		}
	}
	/* overlapping or unordered ranges: sort, then squeeze */
	for (i = 1; i < s->n && nd_cmp_addr(&s->addr[i], &s->addr[i - 1]) > 0;
	    i++)
		;
	if (i < s->n) {
		qsort(s->addr, s->n, sizeof(*s->addr), nd_cmp_addr);
		for (j = k = 0; j < s->n; j++)
			if (k == 0 || nd_cmp_addr(&s->addr[j],
			    &s->addr[k - 1]) != 0)
				s->addr[k++] = s->addr[j];
		s->n = k;
	}
	return 0;
}

int
netdisc_sweep(struct loop *loop, const char *const *ranges, size_t nranges,
    int rate, int timeout_ms, struct netdisc_alive **out, size_t *nout,
    struct netdisc_arp_stats *arp, char *err, size_t errlen)
{
	struct netdisc_arp_stats ast;
	struct nd_sweep s;
	struct netdisc_alive *res = NULL;
	int64_t bound;
	size_t i, k = 0;
	int rc;

	*out = NULL;
	*nout = 0;
	memset(&s, 0, sizeof(s));
	s.loop = loop;
	s.timeout_ms = timeout_ms;
	if (rate < 1 || timeout_ms < 1) {
		snprintf(err, errlen, "rate and timeout must be positive");
		return -EINVAL;
	}
	rc = nd_sweep_targets(&s, ranges, nranges, err, errlen);
	if (rc != 0)
		goto out;
	rc = icmp_new(loop, &s.icmp, err, errlen);
	if (rc != 0)
		goto out;
	icmp_set_pacing(s.icmp, LOOP_NS_PER_SEC / rate);
	/* every request at the rate, the last one's timeout, and slack */
	bound = loop_clock() + (int64_t)(s.n / (size_t)rate + 1) *
	    LOOP_NS_PER_SEC + (int64_t)timeout_ms * LOOP_NS_PER_MSEC +
	    5 * LOOP_NS_PER_SEC;
	loop_set_before_sleep(loop, nd_sweep_pump, &s);
	while (s.done < s.n && loop_clock() < bound) {
		rc = loop_run_once(loop, 100 * LOOP_NS_PER_MSEC);
		if (rc < 0)
			break;
		rc = 0;
	}
	loop_set_before_sleep(loop, NULL, NULL);
	icmp_free(s.icmp); /* aborts the rest: their callbacks free them */
	if (rc != 0) {
		snprintf(err, errlen, "event loop: %s", strerror(-rc));
		goto out;
	}
	if (s.start_errno != 0 && s.done == s.n) {
		size_t alive = 0;

		for (i = 0; i < s.n; i++)
			alive += s.alive[i] != 0;
		if (alive == 0) {
			rc = -s.start_errno;
			snprintf(err, errlen, "no echo request could be sent: %s",
			    strerror(s.start_errno));
			goto out;
		}
	}
	/* the silent ones on the monitor's own links: ARP */
	rc = netdisc_sweep_arp(loop, s.addr, s.alive, s.n, rate, timeout_ms,
	    &ast);
	if (arp != NULL)
		*arp = ast;
	if (rc != 0) {
		snprintf(err, errlen, "ARP sweep: %s", strerror(-rc));
		goto out;
	}
	for (i = 0; i < s.n; i++)
		k += s.alive[i] != 0;
	res = calloc(k ? k : 1, sizeof(*res));
	if (res == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0, k = 0; i < s.n; i++) {
		if (!s.alive[i])
			continue;
		res[k].by_arp = s.alive[i] == NETDISC_BY_ARP;
		if (IN6_IS_ADDR_V4MAPPED(&s.addr[i]))
			inet_ntop(AF_INET, s.addr[i].s6_addr + 12, res[k].addr,
			    sizeof(res[0].addr));
		else
			inet_ntop(AF_INET6, &s.addr[i], res[k].addr,
			    sizeof(res[0].addr));
		k++;
	}
	*out = res;
	*nout = k;
out:
	free(s.addr);
	free(s.alive);
	return rc;
}
