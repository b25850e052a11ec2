/*
 * arp: ARP probes through libpcap capture handles on the event loop.
 *
 * Data: a list of interfaces (name, index, MAC, capture handle and its
 * selectable fd watched by the loop) fixed at arp_new(), and a list of
 * running probes, each with its own loop timer that paces its requests
 * and ends it. Invariants: a probe is in the list from arp_probe_start()
 * until its callback runs or it is cancelled, never longer; a captured
 * frame reaches a probe only through arp_input(), which accepts a reply
 * only from the probe's target to the probe's source address and to the
 * interface's MAC, on the probe's interface.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "check.h"
#include "log.h"
#include "loop.h"
#include "strnum.h"
#include "arp.h"
#include "arp_int.h"
#include "netlink.h"

#define ETH_HLEN_ 14
#define ARP_LEN_ 28
#define ETHERTYPE_ARP_ 0x0806
#define ETHERTYPE_IPV6_ 0x86dd
#define IP6_HLEN_ 40
#define NS_LEN_ 32  /* ICMPv6 NS with a source link-layer option */
#define NA_MINLEN_ 24
#define ARP_DEFAULT_COUNT 3
#define ARP_DEFAULT_INTERVAL (200 * LOOP_NS_PER_MSEC)
#define ARP_DEFAULT_TIMEOUT LOOP_NS_PER_SEC
/* Only ARP replies and ICMPv6 neighbour advertisements reach us. */
#define ARP_FILTER "(arp and arp[6:2] = 2) or (icmp6 and ip6[40] = 136)"

struct arp_if {
	struct arp *a;
	struct arp_if *next;
	char name[IF_NAMESIZE];
	int ifindex;
	unsigned char mac[6];
	pcap_t *p;   /* NULL for a test interface */
	int fd;      /* watched; -1 when none */
};

struct arp_probe {
	struct arp *a;
	struct arp_probe *prev, *next;
	struct arp_if *ifc;   /* NULL when it failed at once */
	int family;
	struct in_addr target, src;
	struct in6_addr target6, src6;
	int count, attempts, sent, replies;
	int64_t interval_ns, timeout_ns;
	int64_t sent_ns[ARP_COUNT_MAX];
	int64_t rtt_sum, rtt_min, rtt_max;
	unsigned char mac[6];
	struct loop_timer timer;
	arp_done_fn *fn;
	void *arg;
	struct arp_result res;
};

struct arp {
	struct loop *loop;
	struct arp_if *ifs;
	struct arp_probe *probes;
	size_t nhandles;
	struct netlink *nl;   /* borrowed; NULL: lk or one-shot lookups */
	struct netlink_lookup *lk; /* borrowed; NULL: one-shot lookups */
	struct arp_counters c;
};

/* ----- interfaces -------------------------------------------------------- */

static int
arp_if_mac(const char *name, unsigned char mac[6])
{
	struct ifreq ifr;
	int s, rc = -1;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
		rc = 0;
	}
	close(s);
	return rc;
}

static void arp_readable(struct loop *loop, int fd, unsigned events,
    void *arg);

/* Open a capture handle on name; NULL with a logged reason when it does
 * not suit. */
static pcap_t *
arp_if_open(const char *name)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	pcap_t *p;

	p = pcap_create(name, eb);
	if (p == NULL) {
		log_debug("arp: %s: %s", name, eb);
		return NULL;
	}
	if (pcap_set_snaplen(p, 128) != 0 ||
	    pcap_set_immediate_mode(p, 1) != 0 ||
	    pcap_set_buffer_size(p, 256 * 1024) != 0 ||
	    pcap_activate(p) < 0) {
		log_debug("arp: %s: %s", name, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return NULL;
	}
	if (pcap_setdirection(p, PCAP_D_IN) != 0)
		log_debug("arp: %s: %s", name, pcap_geterr(p));
	if (pcap_compile(p, &prog, ARP_FILTER, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(p, &prog) != 0) {
		log_warnx("arp: %s: filter: %s", name, pcap_geterr(p));
		pcap_close(p);
		return NULL;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(p, 1, eb) != 0 || pcap_get_selectable_fd(p) < 0) {
		log_warnx("arp: %s: cannot be non-blocking: %s", name, eb);
		pcap_close(p);
		return NULL;
	}
	return p;
}

static bool
arp_wanted(const char *name, const char *const *ifnames)
{
	if (ifnames == NULL)
		return true;
	for (size_t i = 0; ifnames[i] != NULL; i++)
		if (strcmp(ifnames[i], name) == 0)
			return true;
	return false;
}

static int
arp_if_add(struct arp *a, const char *name, int ifindex,
    const unsigned char mac[6], pcap_t *p, struct arp_if **out)
{
	struct arp_if *ifc = calloc(1, sizeof(*ifc));

	if (ifc == NULL)
		return -ENOMEM;
	ifc->a = a;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->ifindex = ifindex;
	memcpy(ifc->mac, mac, 6);
	ifc->p = p;
	ifc->fd = -1;
	if (p != NULL) {
		int fd = pcap_get_selectable_fd(p);
		int rc = loop_io_add(a->loop, fd, LOOP_READ, arp_readable, ifc);
		if (rc != 0) {
			free(ifc);
			return rc;
		}
		ifc->fd = fd;
		a->nhandles++;
	}
	ifc->next = a->ifs;
	a->ifs = ifc;
	if (out != NULL)
		*out = ifc;
	return 0;
}

int
arp_if_fake(struct arp *a, const char *name, int ifindex,
    const unsigned char mac[6], struct arp_if **out)
{
	return arp_if_add(a, name, ifindex, mac, NULL, out);
}

int
arp_new(struct loop *loop, const char *const *ifnames, struct arp **out)
{
	char eb[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL;
	struct arp *a;

	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	a->loop = loop;
	if (ifnames != NULL && ifnames[0] == NULL) {
		*out = a;
		return 0;
	}
	if (pcap_findalldevs(&all, eb) != 0) {
		log_warnx("arp: cannot list interfaces: %s", eb);
		*out = a;
		return 0;
	}
	for (pcap_if_t *d = all; d != NULL; d = d->next) {
		unsigned char mac[6];
		unsigned ix;
		pcap_t *p;
		int rc;

		if ((d->flags & PCAP_IF_LOOPBACK) || !(d->flags & PCAP_IF_UP) ||
		    !arp_wanted(d->name, ifnames) ||
		    strlen(d->name) >= IF_NAMESIZE ||
		    (ix = if_nametoindex(d->name)) == 0 ||
		    arp_if_mac(d->name, mac) != 0)
			continue;
		p = arp_if_open(d->name);
		if (p == NULL)
			continue;
		rc = arp_if_add(a, d->name, (int)ix, mac, p, NULL);
		if (rc != 0) {
			pcap_close(p);
			pcap_freealldevs(all);
			arp_free(a);
			return rc;
		}
		log_debug("arp: capturing ARP replies on %s", d->name);
	}
	pcap_freealldevs(all);
	*out = a;
	return 0;
}

size_t
arp_handles(const struct arp *a)
{
	return a->nhandles;
}

/* ----- probes ------------------------------------------------------------ */

static void
arp_probe_unlink(struct arp_probe *pr)
{
	struct arp *a = pr->a;

	if (pr->prev != NULL)
		pr->prev->next = pr->next;
	else
		a->probes = pr->next;
	if (pr->next != NULL)
		pr->next->prev = pr->prev;
	loop_timer_stop(a->loop, &pr->timer);
}

static void
arp_probe_finish(struct arp_probe *pr)
{
	struct arp_result *r = &pr->res;

	arp_probe_unlink(pr);
	r->sent = pr->sent;
	r->replies = pr->replies;
	if (pr->replies > 0) {
		r->rtt_min_ns = pr->rtt_min;
		r->rtt_max_ns = pr->rtt_max;
		r->rtt_avg_ns = pr->rtt_sum / pr->replies;
		snprintf(r->mac, sizeof(r->mac),
		    "%02x:%02x:%02x:%02x:%02x:%02x", pr->mac[0], pr->mac[1],
		    pr->mac[2], pr->mac[3], pr->mac[4], pr->mac[5]);
	}
	pr->fn(r, pr->arg);
	free(pr);
}

/* The ICMPv6 checksum of len bytes at icmp, from src to dst. */
static uint16_t
nd_checksum(const struct in6_addr *src, const struct in6_addr *dst,
    const unsigned char *icmp, size_t len)
{
	uint32_t sum = 0;
	const unsigned char *s = (const unsigned char *)src;
	const unsigned char *d = (const unsigned char *)dst;

	for (size_t i = 0; i < 16; i += 2)
		sum += (uint32_t)((s[i] << 8) | s[i + 1]) +
		    (uint32_t)((d[i] << 8) | d[i + 1]);
	sum += (uint32_t)len + 58;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((icmp[i] << 8) | icmp[i + 1]);
	if (len & 1)
		sum += (uint32_t)(icmp[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A neighbour solicitation for the probe's target, to its solicited-node
 * multicast address, with our MAC as source link-layer option. */
static size_t
nd_solicit(const struct arp_probe *pr, unsigned char *f)
{
	const unsigned char *t = pr->target6.s6_addr;
	unsigned char *ip = f + ETH_HLEN_, *icmp = ip + IP6_HLEN_;
	struct in6_addr dst;
	uint16_t ck;

	memset(&dst, 0, sizeof(dst));
	dst.s6_addr[0] = 0xff;
	dst.s6_addr[1] = 0x02;
	dst.s6_addr[11] = 0x01;
	dst.s6_addr[12] = 0xff;
	memcpy(dst.s6_addr + 13, t + 13, 3);
	f[0] = 0x33;
	f[1] = 0x33;
	memcpy(f + 2, dst.s6_addr + 12, 4);
	memcpy(f + 6, pr->ifc->mac, 6);
	f[12] = ETHERTYPE_IPV6_ >> 8;
	f[13] = ETHERTYPE_IPV6_ & 0xff;
	memset(ip, 0, IP6_HLEN_);
	ip[0] = 0x60;
	ip[5] = NS_LEN_;
	ip[6] = 58;   /* ICMPv6 */
	ip[7] = 255;  /* hop limit, as NDP requires */
	memcpy(ip + 8, &pr->src6, 16);
	memcpy(ip + 24, &dst, 16);
	memset(icmp, 0, NS_LEN_);
	icmp[0] = 135;
	memcpy(icmp + 8, t, 16);
	icmp[24] = 1; /* source link-layer address */
	icmp[25] = 1;
	memcpy(icmp + 26, pr->ifc->mac, 6);
	ck = nd_checksum(&pr->src6, &dst, icmp, NS_LEN_);
	icmp[2] = (unsigned char)(ck >> 8);
	icmp[3] = (unsigned char)(ck & 0xff);
	return ETH_HLEN_ + IP6_HLEN_ + NS_LEN_;
}

static void
arp_send(struct arp_probe *pr, int64_t now)
{
	struct arp_if *ifc = pr->ifc;
	unsigned char f[ETH_HLEN_ + IP6_HLEN_ + NS_LEN_];
	unsigned char *arp = f + ETH_HLEN_;
	size_t len = ETH_HLEN_ + ARP_LEN_;

	memset(f, 0xff, 6);                 /* broadcast */
	memcpy(f + 6, ifc->mac, 6);
	f[12] = ETHERTYPE_ARP_ >> 8;
	f[13] = ETHERTYPE_ARP_ & 0xff;
	arp[0] = 0; arp[1] = 1;             /* Ethernet */
	arp[2] = 0x08; arp[3] = 0x00;       /* IPv4 */
	arp[4] = 6; arp[5] = 4;
	arp[6] = 0; arp[7] = 1;             /* request */
	memcpy(arp + 8, ifc->mac, 6);
	memcpy(arp + 14, &pr->src, 4);
	memset(arp + 18, 0, 6);
	memcpy(arp + 24, &pr->target, 4);
	if (pr->family == AF_INET6)
		len = nd_solicit(pr, f);
	if (ifc->p != NULL && pcap_inject(ifc->p, f, len) < 0) {
		pr->a->c.send_errors++;
		log_debug("arp: %s: %s", ifc->name, pcap_geterr(ifc->p));
		return;
	}
	pr->sent_ns[pr->sent++] = now;
	pr->a->c.sent++;
}

static void
arp_probe_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct arp_probe *pr = arg;
	int64_t now = loop_clock();

	(void)t;
	if (pr->res.err != 0 || pr->attempts >= pr->count) {
		arp_probe_finish(pr);
		return;
	}
	pr->attempts++;
	arp_send(pr, now);
	if (loop_timer_start(loop, &pr->timer, now + (pr->attempts < pr->count ?
	    pr->interval_ns : pr->timeout_ns)) != 0)
		arp_probe_finish(pr);
}

static struct arp_probe *
arp_probe_alloc(struct arp *a, const struct arp_request *req,
    arp_done_fn *fn, void *arg)
{
	struct arp_probe *pr = calloc(1, sizeof(*pr));

	if (pr == NULL)
		return NULL;
	pr->a = a;
	pr->family = req->family == AF_INET6 ? AF_INET6 : AF_INET;
	pr->res.family = pr->family;
	pr->target = req->target;
	pr->target6 = req->target6;
	pr->count = req->count > 0 ? req->count : ARP_DEFAULT_COUNT;
	if (pr->count > ARP_COUNT_MAX)
		pr->count = ARP_COUNT_MAX;
	pr->interval_ns = req->interval_ns > 0 ? req->interval_ns :
	    ARP_DEFAULT_INTERVAL;
	pr->timeout_ns = req->timeout_ns > 0 ? req->timeout_ns :
	    ARP_DEFAULT_TIMEOUT;
	pr->fn = fn;
	pr->arg = arg;
	loop_timer_init(&pr->timer, arp_probe_timer, pr);
	pr->next = a->probes;
	if (a->probes != NULL)
		a->probes->prev = pr;
	a->probes = pr;
	a->c.probes++;
	return pr;
}

int
arp_probe_start_on(struct arp *a, struct arp_if *ifc, const void *src,
    const struct arp_request *req, arp_done_fn *fn, void *arg,
    struct arp_probe **out)
{
	struct arp_probe *pr = arp_probe_alloc(a, req, fn, arg);

	if (pr == NULL)
		return -ENOMEM;
	pr->ifc = ifc;
	if (pr->family == AF_INET6)
		memcpy(&pr->src6, src, sizeof(pr->src6));
	else
		memcpy(&pr->src, src, sizeof(pr->src));
	snprintf(pr->res.ifname, sizeof(pr->res.ifname), "%s", ifc->name);
	/* The first request goes out on the next loop pass. */
	if (loop_timer_start(a->loop, &pr->timer, loop_now(a->loop)) != 0) {
		arp_probe_unlink(pr);
		free(pr);
		return -ENOMEM;
	}
	if (out != NULL)
		*out = pr;
	return 0;
}

int
arp_probe_start(struct arp *a, const struct arp_request *req,
    arp_done_fn *fn, void *arg, struct arp_probe **out)
{
	struct sockaddr_storage dst;
	struct netlink_route r;
	struct arp_probe *pr;
	struct arp_if *ifc = NULL;
	int fam = req->family == AF_INET6 ? AF_INET6 : AF_INET;
	const char *proto = fam == AF_INET6 ? "neighbour solicitation" : "ARP";
	char err[256] = "", gw[INET6_ADDRSTRLEN] = "?", t[INET6_ADDRSTRLEN];
	const void *srca;
	int rc;

	memset(&dst, 0, sizeof(dst));
	dst.ss_family = (sa_family_t)fam;
	if (fam == AF_INET6)
		((struct sockaddr_in6 *)&dst)->sin6_addr = req->target6;
	else
		((struct sockaddr_in *)&dst)->sin_addr = req->target;
	inet_ntop(fam, fam == AF_INET6 ? (const void *)&req->target6 :
	    (const void *)&req->target, t, sizeof(t));
	if (a->nl != NULL)
		rc = netlink_route_get(a->nl, (const struct sockaddr *)&dst,
		    &r, err, sizeof(err));
	else if (a->lk != NULL)
		rc = netlink_lookup_route(a->lk,
		    (const struct sockaddr *)&dst, &r, err, sizeof(err));
	else
		rc = netlink_route_lookup((const struct sockaddr *)&dst, &r,
		    err, sizeof(err));
	if (rc == 0 && !r.onlink) {
		netlink_addr_text(&r.gateway, gw, sizeof(gw));
		snprintf(err, sizeof(err), "%s is not on a link of the "
		    "monitor (via %s on %s): %s cannot reach it", t, gw,
		    r.ifname, proto);
		rc = -EHOSTUNREACH;
	}
	if (rc == 0) {
		for (ifc = a->ifs; ifc != NULL; ifc = ifc->next)
			if (ifc->ifindex == r.ifindex)
				break;
		if (ifc == NULL) {
			snprintf(err, sizeof(err), "no ARP capture handle on "
			    "%s (opened at start, as root, on the Ethernet "
			    "interfaces that were up)", r.ifname);
			rc = -ENODEV;
		} else if (r.src.ss_family != fam) {
			snprintf(err, sizeof(err), "no IPv%d source address "
			    "on %s", fam == AF_INET6 ? 6 : 4, r.ifname);
			rc = -EADDRNOTAVAIL;
		}
	}
	if (rc == 0) {
		srca = fam == AF_INET6 ? (const void *)&((const struct
		    sockaddr_in6 *)(const void *)&r.src)->sin6_addr :
		    (const void *)&((const struct sockaddr_in *)(const void *)
		    &r.src)->sin_addr;
		return arp_probe_start_on(a, ifc, srca, req, fn, arg, out);
	}

	/* Known at once: delivered on the next pass. */
	pr = arp_probe_alloc(a, req, fn, arg);
	if (pr == NULL)
		return -ENOMEM;
	pr->res.err = rc;
	snprintf(pr->res.text, sizeof(pr->res.text), "%s", err);
	if (loop_timer_start(a->loop, &pr->timer, loop_now(a->loop)) != 0) {
		arp_probe_unlink(pr);
		free(pr);
		return -ENOMEM;
	}
	if (out != NULL)
		*out = pr;
	return 0;
}

void
arp_probe_cancel(struct arp *a, struct arp_probe *pr)
{
	(void)a;
	if (pr == NULL)
		return;
	arp_probe_unlink(pr);
	free(pr);
}

/* ----- capture ----------------------------------------------------------- */

/* A reply for pr from mac at now: timed against the oldest unanswered
 * request; the probe ends when every request was answered. */
static void
arp_answer(struct arp_probe *pr, int64_t now, const unsigned char *mac)
{
	int64_t rtt = now - pr->sent_ns[pr->replies];

	if (rtt < 0)
		rtt = 0;
	if (pr->replies == 0 || rtt < pr->rtt_min)
		pr->rtt_min = rtt;
	if (rtt > pr->rtt_max)
		pr->rtt_max = rtt;
	pr->rtt_sum += rtt;
	memcpy(pr->mac, mac, 6);
	pr->replies++;
	pr->a->c.replies++;
	if (pr->replies >= pr->count)
		arp_probe_finish(pr);
}

/* An IPv6 frame: a neighbour advertisement answering a waiting probe, or
 * dropped. */
static enum arp_frame
nd_input(struct arp *a, struct arp_if *ifc, const unsigned char *f,
    size_t len, int64_t now)
{
	const unsigned char *ip = f + ETH_HLEN_, *icmp = ip + IP6_HLEN_;
	const unsigned char *mac = f + 6;
	struct in6_addr src, dst, target;
	struct arp_probe *pr;
	size_t plen, off;

	if (len < ETH_HLEN_ + IP6_HLEN_ + NA_MINLEN_ || (ip[0] >> 4) != 6 ||
	    ip[6] != 58 || ip[7] != 255 || icmp[0] != 136 || icmp[1] != 0) {
		a->c.malformed++;
		return ARP_FRAME_MALFORMED;
	}
	plen = (size_t)((ip[4] << 8) | ip[5]);
	if (plen < NA_MINLEN_ || plen > len - ETH_HLEN_ - IP6_HLEN_) {
		a->c.malformed++;
		return ARP_FRAME_MALFORMED;
	}
	memcpy(&src, ip + 8, 16);
	memcpy(&dst, ip + 24, 16);
	memcpy(&target, icmp + 8, 16);
	if (nd_checksum(&src, &dst, icmp, plen) != 0) {
		a->c.malformed++;
		return ARP_FRAME_MALFORMED;
	}
	if (!(icmp[4] & 0x40)) { /* not solicited: an announcement */
		a->c.gratuitous++;
		return ARP_FRAME_GRATUITOUS;
	}
	/* The target link-layer address option, when given, names the MAC. */
	for (off = NA_MINLEN_; off + 8 <= plen && icmp[off + 1] > 0;
	    off += (size_t)icmp[off + 1] * 8)
		if (icmp[off] == 2 && icmp[off + 1] == 1) {
			mac = icmp + off + 2;
			break;
		}
	for (pr = a->probes; pr != NULL; pr = pr->next) {
		if (pr->family != AF_INET6 || pr->ifc != ifc ||
		    pr->res.err != 0 || pr->replies >= pr->sent ||
		    memcmp(&pr->target6, &target, 16) != 0 ||
		    memcmp(&pr->src6, &dst, 16) != 0 ||
		    memcmp(f, ifc->mac, 6) != 0)
			continue;
		arp_answer(pr, now, mac);
		return ARP_FRAME_REPLY;
	}
	a->c.foreign++;
	return ARP_FRAME_FOREIGN;
}

enum arp_frame
arp_input(struct arp *a, struct arp_if *ifc, const unsigned char *f,
    size_t len, int64_t now)
{
	const unsigned char *arp = f + ETH_HLEN_;
	struct in_addr spa, tpa;
	struct arp_probe *pr;

	if (len >= ETH_HLEN_ && ((f[12] << 8) | f[13]) == ETHERTYPE_IPV6_)
		return nd_input(a, ifc, f, len, now);
	if (len < ETH_HLEN_ + ARP_LEN_ ||
	    ((f[12] << 8) | f[13]) != ETHERTYPE_ARP_ ||
	    arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0 ||
	    arp[4] != 6 || arp[5] != 4) {
		a->c.malformed++;
		return ARP_FRAME_MALFORMED;
	}
	memcpy(&spa, arp + 14, 4);
	memcpy(&tpa, arp + 24, 4);
	if (spa.s_addr == tpa.s_addr) {
		a->c.gratuitous++;
		return ARP_FRAME_GRATUITOUS;
	}
	if (arp[6] != 0 || arp[7] != 2)
		return ARP_FRAME_REQUEST;
	for (pr = a->probes; pr != NULL; pr = pr->next) {
		if (pr->family != AF_INET || pr->ifc != ifc ||
		    pr->res.err != 0 || pr->replies >= pr->sent ||
		    pr->target.s_addr != spa.s_addr ||
		    pr->src.s_addr != tpa.s_addr ||
		    memcmp(arp + 18, ifc->mac, 6) != 0)
			continue;
		arp_answer(pr, now, arp + 8);
		return ARP_FRAME_REPLY;
	}
	a->c.foreign++;
	return ARP_FRAME_FOREIGN;
}

struct arp_dispatch {
	struct arp_if *ifc;
	int64_t now;
};

static void
arp_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct arp_dispatch *ad = (struct arp_dispatch *)(void *)user;

	(void)arp_input(ad->ifc->a, ad->ifc, bytes, h->caplen, ad->now);
}

static void
arp_readable(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct arp_if *ifc = arg;
	struct arp_dispatch ad = { ifc, loop_clock() };

	(void)loop;
	(void)fd;
	(void)events;
	/* At most 64 frames per wake-up; the loop calls again for more. */
	if (pcap_dispatch(ifc->p, 64, arp_packet, (u_char *)&ad) < 0)
		log_debug("arp: %s: %s", ifc->name, pcap_geterr(ifc->p));
}

void
arp_free(struct arp *a)
{
	if (a == NULL)
		return;
	while (a->probes != NULL)
		arp_probe_cancel(a, a->probes);
	while (a->ifs != NULL) {
		struct arp_if *ifc = a->ifs;
		a->ifs = ifc->next;
		if (ifc->fd >= 0)
			loop_io_del(a->loop, ifc->fd);
		if (ifc->p != NULL)
			pcap_close(ifc->p);
		free(ifc);
	}
	free(a);
}

void
arp_get_counters(const struct arp *a, struct arp_counters *out)
{
	*out = a->c;
}

void
arp_set_netlink(struct arp *a, struct netlink *nl)
{
	a->nl = nl;
}

void
arp_set_lookup(struct arp *a, struct netlink_lookup *lk)
{
	a->lk = lk;
}

/* ----- the `arp` check --------------------------------------------------- */

int
arp_check_parse(char *const *args, size_t nargs, int *count, char *err,
    size_t errlen)
{
	long n;

	*count = ARP_DEFAULT_COUNT;
	if (nargs == 0 || args[0] == NULL || args[0][0] == '\0')
		return 0;
	if (nargs > 1) {
		snprintf(err, errlen, "arp takes one argument (the number of "
		    "requests), not %zu", nargs);
		return -EINVAL;
	}
	if (strnum_long(args[0], 1, ARP_COUNT_MAX, &n) != 0) {
		snprintf(err, errlen, "arp: '%.40s' is not a number of "
		    "requests from 1 to %d", args[0], ARP_COUNT_MAX);
		return -EINVAL;
	}
	*count = (int)n;
	return 0;
}

void
arp_check_result(const char *address, const struct arp_result *r,
    struct check_result *res)
{
	const char *proto = r->family == AF_INET6 ? "NDP" : "ARP";
	unsigned pl;

	if (r->err != 0) {
		check_result_set(res, CHECK_UNKNOWN, "ARP UNKNOWN - %s: %s",
		    address, r->text);
		return;
	}
	if (r->sent <= 0) {
		check_result_set(res, CHECK_UNKNOWN, "ARP UNKNOWN - %s: no "
		    "request could be sent on %s", address, r->ifname);
		return;
	}
	pl = (unsigned)((r->sent - (r->replies < r->sent ? r->replies :
	    r->sent)) * 100 / r->sent);
	if (r->replies <= 0) {
		check_result_set(res, CHECK_CRITICAL, "ARP CRITICAL - %s does "
		    "not answer %s on %s (%d requests)|pl=100%%;;;0;100",
		    address, proto, r->ifname, r->sent);
		return;
	}
	check_result_set(res, CHECK_OK, "ARP OK - %s answers %s on %s from "
	    "%s in %.3f ms, %d/%d replies|rta=%.3fms;;;0; pl=%u%%;;;0;100 "
	    "rtmax=%.3fms;;;; rtmin=%.3fms;;;;", address, proto, r->ifname,
	    r->mac,
	    (double)r->rtt_avg_ns / 1e6, r->replies, r->sent,
	    (double)r->rtt_avg_ns / 1e6, pl, (double)r->rtt_max_ns / 1e6,
	    (double)r->rtt_min_ns / 1e6);
}
