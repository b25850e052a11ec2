/*
 * icmp_sock: opening and configuring the prober's sockets, one per family.
 *
 * Raw when the process may open one (a random identifier, and a kernel
 * filter that passes only echo replies and the errors we parse), else an
 * unprivileged datagram socket (the kernel picks the identifier, filters
 * replies by it, and reports ICMP errors on the error queue). Either way,
 * best effort: large buffers, kernel timestamps with send numbering
 * (OPT_ID), and the kernel's drop count with each datagram.
 */
#include "icmp_int.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/icmp.h>
#include <linux/net_tstamp.h>

#include "log.h"

const char *
icmp_proto_name(int family)
{
	return family == AF_INET6 ? "ICMPv6" : "ICMP";
}

socklen_t
icmp_addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct sockaddr_in6) :
				    sizeof(struct sockaddr_in);
}

/* Best effort: large buffers, kernel timestamps, drop counts. */
static void
icmp_sock_options(struct icmp_sock *s)
{
	int rcv = ICMP_RCVBUF, snd = ICMP_SNDBUF, on = 1, ts;

	/* The FORCE variants pass rmem_max/wmem_max when privileged; the
	 * plain ones are capped by them. */
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) !=
	    0)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv,
		    sizeof(rcv));
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) !=
	    0)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &snd,
		    sizeof(snd));
	(void)setsockopt(s->fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof(on));
	/* OPT_ID numbers the sends from 0 (ee_data of each send stamp);
	 * OPT_TSONLY returns the stamp without the packet, which keeps
	 * the error queue small and works for unprivileged sockets. */
	ts = SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE |
	    SOF_TIMESTAMPING_SOFTWARE | SOF_TIMESTAMPING_OPT_ID |
	    SOF_TIMESTAMPING_OPT_TSONLY;
	s->ts = setsockopt(s->fd, SOL_SOCKET, SO_TIMESTAMPING, &ts,
		    sizeof(ts)) == 0;
	if (!s->ts)
		log_debug("icmp: no kernel timestamps on the %s socket: %s",
		    icmp_proto_name(s->family), strerror(errno));
}

static int
icmp_sock_raw(struct icmp_sock *s, char *err, size_t errlen)
{
	struct icmp6_filter f6;
	struct icmp_filter f4;
	int ret;

	if (s->family == AF_INET) {
		/* ICMP_FILTER: set bits are dropped by the kernel. */
		f4.data = ~(uint32_t)(1u << ICMP_ECHOREPLY |
		    1u << ICMP_DEST_UNREACH | 1u << ICMP_TIME_EXCEEDED |
		    1u << ICMP_PARAMETERPROB);
		ret = setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &f4, sizeof(f4));
	} else {
		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f6);
		ICMP6_FILTER_SETPASS(ICMP6_PARAM_PROB, &f6);
		ret = setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6,
		    sizeof(f6));
	}
	if (ret != 0) {
		ret = -errno;
		snprintf(err, errlen, "%s filter: %s",
		    icmp_proto_name(s->family), strerror(-ret));
		return ret;
	}
	/* A random identifier, not the pid: not guessable, and two
	 * probers on one host rarely share it (cookies cover the rest). */
	ret = icmp_random(&s->id, sizeof(s->id));
	if (ret < 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(-ret));
		return ret;
	}
	s->mode = ICMP_MODE_RAW;
	return 0;
}

static int
icmp_sock_dgram(struct icmp_sock *s, char *err, size_t errlen)
{
	union icmp_addr a;
	socklen_t alen;
	int on = 1, ret;

	/* Binding to port 0 makes the kernel pick the identifier now, so
	 * that we can read it before the first send. */
	memset(&a, 0, sizeof(a));
	a.sa.sa_family = (sa_family_t)s->family;
	alen = icmp_addr_len(s->family);
	if (bind(s->fd, &a.sa, alen) != 0) {
		ret = -errno;
		snprintf(err, errlen, "bind datagram %s socket: %s",
		    icmp_proto_name(s->family), strerror(-ret));
		return ret;
	}
	if (getsockname(s->fd, &a.sa, &alen) != 0) {
		ret = -errno;
		snprintf(err, errlen, "getsockname: %s", strerror(-ret));
		return ret;
	}
	if (s->family == AF_INET)
		ret = setsockopt(s->fd, IPPROTO_IP, IP_RECVERR, &on,
		    sizeof(on));
	else
		ret = setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
		    sizeof(on));
	if (ret != 0) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s",
		    s->family == AF_INET ? "IP_RECVERR" : "IPV6_RECVERR",
		    strerror(-ret));
		return ret;
	}
	s->id = ntohs(s->family == AF_INET ? a.sin.sin_port :
					     a.sin6.sin6_port);
	s->mode = ICMP_MODE_DGRAM;
	return 0;
}

/* Open the socket of s->family: raw, else (not permitted) datagram. Fills
 * err (without a prefix) on failure. */
int
icmp_sock_open(struct icmp_sock *s, char *err, size_t errlen)
{
	const char *name = icmp_proto_name(s->family);
	int proto = s->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int raw_errno, ret;

	s->fd = socket(s->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    proto);
	if (s->fd >= 0) {
		ret = icmp_sock_raw(s, err, errlen);
	} else if (errno == EPERM || errno == EACCES) {
		raw_errno = errno;
		s->fd = socket(s->family,
		    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (s->fd < 0) {
			ret = -errno;
			snprintf(err, errlen,
			    "cannot open a raw %s socket (%s) nor a "
			    "datagram %s socket (%s): run with CAP_NET_RAW "
			    "or allow the group in net.ipv4.ping_group_range",
			    name, strerror(raw_errno), name, strerror(-ret));
			return ret;
		}
		ret = icmp_sock_dgram(s, err, errlen);
	} else {
		ret = -errno;
		snprintf(err, errlen, "raw %s socket: %s", name,
		    strerror(-ret));
		return ret;
	}
	if (ret < 0) {
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	icmp_sock_options(s);
	return 0;
}

void
icmp_sock_close(struct icmp_sock *s)
{
	if (s->fd < 0)
		return;
	loop_io_del(s->icmp->loop, s->fd);
	close(s->fd);
	s->fd = -1;
}
