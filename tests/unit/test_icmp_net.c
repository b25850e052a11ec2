/*
 * test_icmp_net: the environment of the prober's tests. A private network
 * namespace with `lo` up (entered as root, or through an unprivileged user
 * namespace), reject routes in it, the responder's raw sockets (opened
 * before CAP_NET_RAW is dropped for the datagram runs), and the kernel's
 * receive timestamps switched on for the whole run.
 */
#include "test_icmp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/net_tstamp.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h> /* CLONE_*; <sched.h> is shadowed by src/sched.h */

int
test_write_file(const char *path, const char *s)
{
	int fd, ret = 0;
	size_t len = strlen(s);

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

bool
tnet_enter(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (syscall(SYS_unshare, CLONE_NEWNET) == 0)
		return true;
	if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNET) != 0)
		return false;
	(void)test_write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (test_write_file("/proc/self/uid_map", map) != 0)
		return false;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	return test_write_file("/proc/self/gid_map", map) == 0;
}

int
tnet_lo_up(void)
{
	struct ifreq ifr;
	int s, ret = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		ret = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (ret == 0 && ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		ret = -errno;
	close(s);
	return ret;
}

/* Is ::1 there (IPv6 enabled, lo up)? */
bool
tnet_have_ipv6(void)
{
	struct sockaddr_in6 sin6;
	int s;
	bool ok;

	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ok = bind(s, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(s);
	return ok;
}

/*
 * Linux switches software receive timestamps on for the whole system in a
 * deferred work item when the first socket asks for them, and off again
 * when the last one closes (net_enable_timestamp()); each fixture opens
 * and closes its prober. The prober copes (those replies are timed with
 * the monotonic clock), but the tests want the steady state: keep one
 * stamping socket open for the whole run, and wait until a datagram to
 * ourselves comes back stamped. Returns the socket, or -1.
 */
int
tnet_keep_rx_stamps(void)
{
	union {
		struct cmsghdr align;
		uint8_t buf[256];
	} ctl;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct timespec ts[3], nap = { 0, 1000000 };
	struct cmsghdr *cm;
	struct msghdr msg;
	struct iovec iov;
	char b[8] = "stamp?";
	int fd, on = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
	int i;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &slen) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPING, &on, sizeof(on)) != 0)
		goto fail;
	for (i = 0; i < 2000; i++) {
		(void)sendto(fd, b, sizeof(b), 0, (struct sockaddr *)&sin,
		    sizeof(sin));
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = b;
		iov.iov_len = sizeof(b);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		if (recvmsg(fd, &msg, 0) > 0)
			for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
			     cm = CMSG_NXTHDR(&msg, cm)) {
				if (cm->cmsg_level != SOL_SOCKET ||
				    cm->cmsg_type != SCM_TIMESTAMPING)
					continue;
				memcpy(ts, CMSG_DATA(cm), sizeof(ts));
				if (ts[0].tv_sec != 0)
					return fd;
			}
		nanosleep(&nap, NULL);
	}
fail:
	close(fd);
	return -1;
}

/* Reject routes, as `ip route add unreachable` makes them (no tool
 * needed): sending into them fails at once with EHOSTUNREACH. */
void
tnet_add_reject_routes(void)
{
	struct in6_rtmsg r6;
	struct rtentry r4;
	struct sockaddr_in *sin;
	char dev[] = "lo";
	int s;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		memset(&r4, 0, sizeof(r4));
		sin = (struct sockaddr_in *)&r4.rt_dst;
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, "10.99.0.0", &sin->sin_addr);
		sin = (struct sockaddr_in *)&r4.rt_genmask;
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, "255.255.0.0", &sin->sin_addr);
		r4.rt_flags = RTF_UP | RTF_REJECT;
		r4.rt_dev = dev;
		if (ioctl(s, SIOCADDRT, &r4) != 0)
			fprintf(stderr, "test_icmp: IPv4 reject route: %s\n",
			    strerror(errno));
		close(s);
	}
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		memset(&r6, 0, sizeof(r6));
		inet_pton(AF_INET6, "2001:db8:dead::", &r6.rtmsg_dst);
		r6.rtmsg_dst_len = 48;
		r6.rtmsg_metric = 1;
		r6.rtmsg_type = RTN_UNREACHABLE;
		r6.rtmsg_flags = RTF_UP | RTF_REJECT;
		r6.rtmsg_ifindex = (int)if_nametoindex("lo");
		if (ioctl(s, SIOCADDRT, &r6) != 0)
			fprintf(stderr, "test_icmp: IPv6 reject route: %s\n",
			    strerror(errno));
		close(s);
	}
}

/* An nftables output rule dropping sends to DROP4 and DROP6 (a route to
 * the latter first, over lo): such sends fail with EPERM after the kernel
 * numbered them for their send stamp. False without nft. */
bool
tnet_add_drop_rules(void)
{
	struct in6_rtmsg r6;
	int s;

	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		memset(&r6, 0, sizeof(r6));
		inet_pton(AF_INET6, "2001:db8:77::", &r6.rtmsg_dst);
		r6.rtmsg_dst_len = 48;
		r6.rtmsg_metric = 1;
		r6.rtmsg_flags = RTF_UP;
		r6.rtmsg_ifindex = (int)if_nametoindex("lo");
		(void)ioctl(s, SIOCADDRT, &r6);
		close(s);
	}
	return system("nft add table inet pharos_test && "
		      "nft add chain inet pharos_test o "
		      "'{ type filter hook output priority 0; }' && "
		      "nft add rule inet pharos_test o ip daddr " DROP4
		      " drop && "
		      "nft add rule inet pharos_test o ip6 daddr " DROP6
		      " drop 2>/dev/null") == 0;
}

int
tnet_drop_net_raw(void)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	int i = CAP_TO_INDEX(CAP_NET_RAW);
	uint32_t m = CAP_TO_MASK(CAP_NET_RAW);

	memset(&h, 0, sizeof(h));
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &h, d) != 0)
		return -errno;
	d[i].effective &= ~m;
	d[i].permitted &= ~m;
	d[i].inheritable &= ~m;
	if (syscall(SYS_capset, &h, d) != 0)
		return -errno;
	return 0;
}

/* The responder's sockets, opened while CAP_NET_RAW is still held. */
void
tnet_open_responders(struct env *env)
{
	struct icmp6_filter f;
	int on = 1;

	env->resp4_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMP);
	if (env->resp4_fd >= 0 &&
	    setsockopt(env->resp4_fd, IPPROTO_IP, IP_HDRINCL, &on,
		sizeof(on)) != 0) {
		close(env->resp4_fd);
		env->resp4_fd = -1;
	}
	if (!env->ipv6)
		return;
	env->resp6_rx_fd = socket(AF_INET6,
	    SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	env->resp6_tx_fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC,
	    IPPROTO_RAW);
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REQUEST, &f);
	if (env->resp6_rx_fd < 0 || env->resp6_tx_fd < 0 ||
	    setsockopt(env->resp6_rx_fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f,
		sizeof(f)) != 0) {
		if (env->resp6_rx_fd >= 0)
			close(env->resp6_rx_fd);
		if (env->resp6_tx_fd >= 0)
			close(env->resp6_tx_fd);
		env->resp6_rx_fd = env->resp6_tx_fd = -1;
	}
}
