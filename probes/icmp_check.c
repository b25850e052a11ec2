/*
 * icmp_check: the built-in `icmp` check command, check_icmp compatible.
 *
 * Arguments: $ARG1$ warning and $ARG2$ critical as "rta,pl%" (round trip
 * average in milliseconds, packet loss in percent, the '%' optional),
 * $ARG3$ the packet count, $ARG4$ "warn,crit" jitter in milliseconds.
 * Empty or missing arguments take check_icmp's defaults (no jitter
 * thresholds). Numbers are parsed by hand (digits, an optional fraction),
 * so no locale, sign, exponent, hex or "inf" sneaks in, with bounds.
 *
 * State, as check_icmp computes it: each of rta, pl (and jitter, when
 * thresholds are set and two replies or more give one) is compared with
 * ">=": a value equal to a threshold triggers it. The worst wins; no reply
 * at all is CRITICAL whatever the thresholds.
 *
 * Statistics over the replies: min, max, average (rta), median and 90th
 * percentile by nearest rank (the value at rank ceil(p/100 x n) of the
 * sorted RTTs: always one measured RTT, no interpolation, meaningful for
 * the 5-20 packets of a check; with 9 replies or fewer rtp90 is the
 * maximum), and jitter: the mean absolute difference of consecutive RTTs
 * in send order, computed by the prober.
 *
 * Timing: requests go out ICMP_CHECK_INTERVAL_NS apart and the probe waits
 * max(1 s, 2 x critical rta) after the last one, so a check on a dead host
 * lasts (count - 1) x interval + timeout: 1.4 s with the defaults.
 */
#include "icmp_check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"

#define ICMP_CHECK_WARN_RTA	 200.0
#define ICMP_CHECK_WARN_PL	 40.0
#define ICMP_CHECK_CRIT_RTA	 500.0
#define ICMP_CHECK_CRIT_PL	 80.0
#define ICMP_CHECK_COUNT	 5
#define ICMP_CHECK_COUNT_MAX	 20
#define ICMP_CHECK_RTA_MAX	 60000.0 /* ms; keeps the timeout sane */
#define ICMP_CHECK_PL_MAX	 100.0
#define ICMP_CHECK_INTERVAL_NS	 (100 * LOOP_NS_PER_MSEC)
#define ICMP_CHECK_MIN_TIMEOUT_NS LOOP_NS_PER_SEC
#define ICMP_CHECK_NUM_MAX	 16 /* characters in one number */
#define ICMP_CHECK_SCOPE_MAX	 IF_NAMESIZE /* "%eth0" of an IPv6 address */

/*
 * Parse a non-negative decimal number "123" or "123.45" taking exactly the
 * len bytes at s, at most max. Returns 0 or -EINVAL.
 */
static int
icmp_check_number(const char *s, size_t len, double max, double *out)
{
	double v = 0.0, scale = 1.0;
	bool frac = false, digits = false, fdigits = false;
	size_t i;

	if (len == 0 || len > ICMP_CHECK_NUM_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && !frac) {
			frac = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (frac) {
			scale /= 10.0;
			v += (s[i] - '0') * scale;
			fdigits = true;
		} else {
			v = v * 10.0 + (s[i] - '0');
			digits = true;
		}
	}
	if (!digits || (frac && !fdigits) || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "rta,pl%" or "rta,pl" into *rta and *pl. Returns 0 or -EINVAL. */
static int
icmp_check_threshold(const char *s, double *rta, double *pl)
{
	const char *comma;
	size_t len = strlen(s), plen;

	comma = memchr(s, ',', len);
	if (comma == NULL)
		return -EINVAL;
	plen = len - (size_t)(comma + 1 - s);
	if (plen > 0 && comma[plen] == '%')
		plen--;
	if (icmp_check_number(s, (size_t)(comma - s), ICMP_CHECK_RTA_MAX,
		rta) != 0 ||
	    icmp_check_number(comma + 1, plen, ICMP_CHECK_PL_MAX, pl) != 0)
		return -EINVAL;
	return 0;
}

/* "warn,crit" jitter in ms into *warn and *crit. Returns 0 or -EINVAL. */
static int
icmp_check_jitter(const char *s, double *warn, double *crit)
{
	const char *comma;
	size_t len = strlen(s);

	comma = memchr(s, ',', len);
	if (comma == NULL ||
	    icmp_check_number(s, (size_t)(comma - s), ICMP_CHECK_RTA_MAX,
		warn) != 0 ||
	    icmp_check_number(comma + 1, len - (size_t)(comma + 1 - s),
		ICMP_CHECK_RTA_MAX, crit) != 0)
		return -EINVAL;
	return 0;
}

static int
icmp_check_count(const char *s, int *out)
{
	size_t i, len = strlen(s);
	int v = 0;

	if (len == 0 || len > 2)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > ICMP_CHECK_COUNT_MAX)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool
icmp_check_given(char *const *args, size_t nargs, size_t i)
{
	return i < nargs && args[i] != NULL && args[i][0] != '\0';
}

int
icmp_check_parse(char *const *args, size_t nargs,
    struct icmp_check_params *out, char *err, size_t errlen)
{
	struct icmp_check_params p;
	int64_t timeout;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.warn_rta_ms = ICMP_CHECK_WARN_RTA;
	p.warn_pl = ICMP_CHECK_WARN_PL;
	p.crit_rta_ms = ICMP_CHECK_CRIT_RTA;
	p.crit_pl = ICMP_CHECK_CRIT_PL;
	p.count = ICMP_CHECK_COUNT;
	p.interval_ns = ICMP_CHECK_INTERVAL_NS;

	if (icmp_check_given(args, nargs, 0) &&
	    icmp_check_threshold(args[0], &p.warn_rta_ms, &p.warn_pl) != 0) {
		snprintf(err, errlen, "icmp: ARG1 '%s': expected rta,pl%%",
		    args[0]);
		return -EINVAL;
	}
	if (icmp_check_given(args, nargs, 1) &&
	    icmp_check_threshold(args[1], &p.crit_rta_ms, &p.crit_pl) != 0) {
		snprintf(err, errlen, "icmp: ARG2 '%s': expected rta,pl%%",
		    args[1]);
		return -EINVAL;
	}
	if (icmp_check_given(args, nargs, 2) &&
	    icmp_check_count(args[2], &p.count) != 0) {
		snprintf(err, errlen,
		    "icmp: ARG3 '%s': expected a packet count from 1 to %d",
		    args[2], ICMP_CHECK_COUNT_MAX);
		return -EINVAL;
	}
	if (icmp_check_given(args, nargs, 3)) {
		if (icmp_check_jitter(args[3], &p.warn_jitter_ms,
			&p.crit_jitter_ms) != 0) {
			snprintf(err, errlen,
			    "icmp: ARG4 '%s': expected warn,crit jitter in ms",
			    args[3]);
			return -EINVAL;
		}
		if (p.warn_jitter_ms > p.crit_jitter_ms) {
			snprintf(err, errlen,
			    "icmp: ARG4 '%s': jitter warning exceeds critical",
			    args[3]);
			return -EINVAL;
		}
		p.jitter_set = true;
	}
	for (i = 4; i < nargs; i++) {
		if (icmp_check_given(args, nargs, i)) {
			snprintf(err, errlen,
			    "icmp: ARG%zu '%s': unexpected argument (icmp "
			    "takes warning, critical, packet count and "
			    "jitter)",
			    i + 1, args[i]);
			return -EINVAL;
		}
	}
	if (p.warn_rta_ms > p.crit_rta_ms || p.warn_pl > p.crit_pl) {
		snprintf(err, errlen,
		    "icmp: warning %g,%g%% (ARG1) exceeds critical %g,%g%% "
		    "(ARG2)",
		    p.warn_rta_ms, p.warn_pl, p.crit_rta_ms, p.crit_pl);
		return -EINVAL;
	}

	/* max(1 s, 2 x critical rta): a reply slower than twice the
	 * critical average changes nothing but the detection time. */
	timeout = (int64_t)(2.0 * p.crit_rta_ms * (double)LOOP_NS_PER_MSEC);
	p.timeout_ns = timeout > ICMP_CHECK_MIN_TIMEOUT_NS ?
	    timeout : ICMP_CHECK_MIN_TIMEOUT_NS;
	*out = p;
	return 0;
}

/* The IPv6 literal in s, with an optional "%scope" (an interface name or
 * index), into sin6. Returns 0 or -EINVAL. */
static int
icmp_check_in6(const char *s, struct sockaddr_in6 *sin6)
{
	char buf[INET6_ADDRSTRLEN];
	const char *pct = strchr(s, '%');
	size_t alen = pct != NULL ? (size_t)(pct - s) : strlen(s);
	unsigned idx;

	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET6, buf, &sin6->sin6_addr) != 1)
		return -EINVAL;
	if (pct == NULL)
		return 0;
	if (pct[1] == '\0' || strlen(pct + 1) >= ICMP_CHECK_SCOPE_MAX)
		return -EINVAL;
	idx = if_nametoindex(pct + 1);
	if (idx == 0)
		return -EINVAL;
	sin6->sin6_scope_id = idx;
	return 0;
}

int
icmp_check_request(const struct icmp_check_params *p, const char *address,
    struct icmp_request *req, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(req, 0, sizeof(*req));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if (address != NULL && inet_pton(AF_INET, address, &sin.sin_addr) == 1) {
		memcpy(&req->addr, &sin, sizeof(sin));
		req->addrlen = sizeof(sin);
	} else if (address != NULL && icmp_check_in6(address, &sin6) == 0) {
		memcpy(&req->addr, &sin6, sizeof(sin6));
		req->addrlen = sizeof(sin6);
	} else {
		snprintf(err, errlen,
		    "icmp: address '%s' is not an IPv4 or IPv6 address (host "
		    "names must be resolved before the check)",
		    address != NULL ? address : "");
		return -EINVAL;
	}
	req->count = p->count;
	req->interval_ns = p->interval_ns;
	req->timeout_ns = p->timeout_ns;
	return 0;
}

static const char *
icmp_check_state_name(int code)
{
	switch (code) {
	case CHECK_OK:
		return "OK";
	case CHECK_WARNING:
		return "WARNING";
	case CHECK_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}

/* State of one value against its thresholds, check_icmp style (>=). */
static int
icmp_check_level(double v, double warn, double crit)
{
	if (v >= crit)
		return CHECK_CRITICAL;
	if (v >= warn)
		return CHECK_WARNING;
	return CHECK_OK;
}

/* The value of rank ceil(pct/100 x n) among v[0 .. n) (at most
 * ICMP_MAX_COUNT are read), by nearest rank; 0 without values. v is
 * borrowed (the result's rtt_ms). */
static double
icmp_check_percentile(const double *v, int n, int pct)
{
	double s[ICMP_MAX_COUNT], x;
	int i, j, rank;

	if (v == NULL || n <= 0)
		return 0.0;
	if (n > ICMP_MAX_COUNT)
		n = ICMP_MAX_COUNT;
	for (i = 0; i < n; i++) { /* insertion sort: n is small */
		x = v[i];
		for (j = i; j > 0 && s[j - 1] > x; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
	rank = (pct * n + 99) / 100;
	return s[rank > 0 ? rank - 1 : 0];
}

void
icmp_check_result(const struct icmp_check_params *p, const char *address,
    const struct icmp_result *r, struct check_result *out)
{
	const char *eo = "", *ec = "", *so = "", *st = "", *sc = "";
	char jout[48] = "", jperf[96] = "";
	int code, c, elen = 0;
	unsigned pl;

	if (address == NULL)
		address = "?";
	if (r->aborted) {
		check_result_set(out, CHECK_UNKNOWN,
		    "UNKNOWN - icmp check aborted");
		return;
	}
	if (r->sent <= 0) {
		check_result_set(out, CHECK_UNKNOWN,
		    "UNKNOWN - %s: no packets sent", address);
		return;
	}

	/* Integer percent, rounded down, as check_icmp does. */
	pl = (unsigned)((r->sent - (r->received < r->sent ? r->received :
		r->sent)) * 100 / r->sent);

	/* Why packets were lost, when we know: " (<ICMP error>)" and
	 * " (send failed: <strerror>)". The error text is read within its
	 * array even if a caller left it unterminated. */
	if (r->icmp_errors > 0 && r->icmp_error_text[0] != '\0') {
		eo = " (";
		ec = ")";
		elen = (int)strnlen(r->icmp_error_text,
		    sizeof(r->icmp_error_text));
	}
	if (r->send_errno != 0) {
		so = " (send failed: ";
		st = strerror(r->send_errno);
		sc = ")";
	}

	if (r->received <= 0) {
		check_result_set(out, CHECK_CRITICAL,
		    "CRITICAL - %s rta nan, lost 100%%%s%.*s%s%s%s%s|"
		    "pl=100%%;%g;%g;0;100",
		    address, eo, elen, r->icmp_error_text, ec, so, st, sc,
		    p->warn_pl, p->crit_pl);
		return;
	}

	code = icmp_check_level(r->rtt_avg_ms, p->warn_rta_ms, p->crit_rta_ms);
	c = icmp_check_level(pl, p->warn_pl, p->crit_pl);
	if (c > code)
		code = c;
	/* Jitter needs two replies; without, it is neither shown nor
	 * judged. */
	if (r->received > 1 && p->jitter_set) {
		c = icmp_check_level(r->rtt_jitter_ms, p->warn_jitter_ms,
		    p->crit_jitter_ms);
		if (c > code)
			code = c;
		snprintf(jout, sizeof(jout), ", jitter %.3fms",
		    r->rtt_jitter_ms);
		snprintf(jperf, sizeof(jperf), " jitter=%.3fms;%.3f;%.3f;0;",
		    r->rtt_jitter_ms, p->warn_jitter_ms, p->crit_jitter_ms);
	} else if (r->received > 1)
		snprintf(jperf, sizeof(jperf), " jitter=%.3fms;;;0;",
		    r->rtt_jitter_ms);
	check_result_set(out, code,
	    "%s - %s rta %.3fms, lost %u%%%s%s%.*s%s%s%s%s|"
	    "rta=%.3fms;%.3f;%.3f;0; pl=%u%%;%g;%g;0;100 "
	    "rtmax=%.3fms;;;; rtmin=%.3fms;;;; rtmed=%.3fms;;;; "
	    "rtp90=%.3fms;;;;%s",
	    icmp_check_state_name(code), address, r->rtt_avg_ms, pl, jout, eo,
	    elen, r->icmp_error_text, ec, so, st, sc, r->rtt_avg_ms,
	    p->warn_rta_ms, p->crit_rta_ms, pl, p->warn_pl, p->crit_pl,
	    r->rtt_max_ms, r->rtt_min_ms,
	    icmp_check_percentile(r->rtt_ms, r->received, 50),
	    icmp_check_percentile(r->rtt_ms, r->received, 90), jperf);
}
