/*
 * netdisc_sweep: which addresses of IPv4 ranges answer ICMP echo (see
 * netdisc.h), on the daemon's prober.
 *
 * Data: one array of target addresses (host order) and one byte per
 * target for "answered". A before-sleep hook keeps at most
 * NETDISC_SWEEP_WINDOW probes in flight, each one echo request; the
 * prober's global pacing holds the rate. The run ends when every probe
 * completed, or at a bound computed from the rate and the timeout.
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
	uint32_t *addr;
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

static void nd_sweep_pump(struct loop *loop, void *arg);

static void
nd_sweep_done(const struct icmp_result *res, void *arg)
{
	struct nd_probe *p = arg;
	struct nd_sweep *s = p->s;

	if (!res->aborted && res->received > 0)
		s->alive[p->i] = 1;
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
		struct nd_probe *p = malloc(sizeof(*p));
		int rc;

		if (p == NULL) {
			s->start_errno = ENOMEM;
			s->next = s->n;
			return;
		}
		memset(&req, 0, sizeof(req));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(s->addr[s->next]);
		req.addrlen = sizeof(*sin);
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
nd_cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

/* Collect the targets of every range, sorted, each once. */
static int
nd_sweep_targets(struct nd_sweep *s, const char *const *ranges, size_t nr,
    char *err, size_t errlen)
{
	uint64_t total = 0;
	uint32_t first, last, a;
	size_t i, j, k;

	for (i = 0; i < nr; i++) {
		if (netdisc_cidr(ranges[i], &first, &last) != 0) {
			snprintf(err, errlen, "'%s' is not an IPv4 address or "
			    "CIDR range (A.B.C.D/LEN)", ranges[i]);
			return -EINVAL;
		}
		total += (uint64_t)(last - first) + 1;
		if (total > NETDISC_SWEEP_MAX) {
			snprintf(err, errlen, "more than %d addresses to sweep "
			    "(a /16 at most)", NETDISC_SWEEP_MAX);
			return -EINVAL;
		}
	}
	s->addr = calloc(total ? total : 1, sizeof(*s->addr));
	s->alive = calloc(total ? total : 1, 1);
	if (s->addr == NULL || s->alive == NULL)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (netdisc_cidr(ranges[i], &first, &last) != 0)
			return -EINVAL; /* checked above */
		for (a = first;; a++) {
			s->addr[s->n++] = a;
			if (a == last)
				break;
		}
	}
	/* overlapping or unordered ranges: sort, then squeeze */
	for (i = 1; i < s->n && s->addr[i] > s->addr[i - 1]; i++)
		;
	if (i < s->n) {
		qsort(s->addr, s->n, sizeof(*s->addr), nd_cmp_u32);
		for (j = k = 0; j < s->n; j++)
			if (k == 0 || s->addr[j] != s->addr[k - 1])
				s->addr[k++] = s->addr[j];
		s->n = k;
	}
	return 0;
}

int
netdisc_sweep(struct loop *loop, const char *const *ranges, size_t nranges,
    int rate, int timeout_ms, struct netdisc_alive **out, size_t *nout,
    char *err, size_t errlen)
{
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
			alive += s.alive[i];
		if (alive == 0) {
			rc = -s.start_errno;
			snprintf(err, errlen, "no echo request could be sent: %s",
			    strerror(s.start_errno));
			goto out;
		}
	}
	for (i = 0; i < s.n; i++)
		k += s.alive[i];
	res = calloc(k ? k : 1, sizeof(*res));
	if (res == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0, k = 0; i < s.n; i++) {
		struct in_addr a;

		if (!s.alive[i])
			continue;
		a.s_addr = htonl(s.addr[i]);
		inet_ntop(AF_INET, &a, res[k++].addr, sizeof(res[0].addr));
	}
	*out = res;
	*nout = k;
out:
	free(s.addr);
	free(s.alive);
	return rc;
}
