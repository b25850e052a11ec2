/*
 * forge_echo: a test tool that answers ICMP echo requests it did not
 * receive. It watches the IPv4 packets this namespace sends (an AF_PACKET
 * socket, outgoing packets only) and, for every echo request to TARGET,
 * sends back through a raw IP_HDRINCL socket an echo reply that looks like
 * it came from TARGET: same identifier, same sequence, payload of the same
 * length with every bit flipped, correct IP and ICMP checksums.
 *
 * A prober that checks only identifier and sequence takes these replies for
 * real ones; Pharos carries a per-probe cookie in the payload and must drop
 * and count them (icmp.rx_bad_cookie).
 *
 * Flood mode (-f K) is a spoofing attacker that sees the requests: for each
 * request to TARGET it sends K replies from TARGET with random payloads (so
 * random cookies): sequence numbers around the request's (seq - K/2 ..
 * seq + K - 1 - K/2, the request's own among them), every fourth one with
 * the neighbouring identifier (id + 1) as another pinger's would carry.
 * With -r PPS it also sends a steady stream of PPS replies per second with
 * the last identifier seen and sequence numbers counting up from the last
 * one seen, so that they land on sequence numbers not in flight. Pharos
 * must count them (rx_bad_cookie, rx_late, rx_foreign) and keep answering
 * for its other targets.
 *
 * The forged reply is addressed to the request's source, an address of this
 * namespace, so the kernel delivers it locally (through lo); raw ICMP and
 * datagram ICMP sockets of the namespace receive it like any reply.
 *
 *   forge_echo -t TARGET_IPV4 [-i IFNAME] [-d SECONDS] [-n MAX]
 *              [-f K [-r PPS]]
 *
 * Runs at most SECONDS (default 30) and forges at most MAX replies (default
 * unlimited), stops early on SIGINT/SIGTERM, and prints "saw N requests"
 * and "forged N replies". Needs CAP_NET_RAW. Exit 0, or 1 on an error, 2 on
 * bad usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FORGE_MAX_PACKET 65535
#define FORGE_MAX_SECONDS 3600L
#define FORGE_MAX_REPLIES 10000000L
#define FORGE_MAX_BURST 1000L
#define FORGE_MAX_RATE 100000L
/* Stream replies sent at once at most, when the loop fell behind. */
#define FORGE_MAX_CATCHUP 100

static volatile sig_atomic_t forge_stop;

struct forge_opts {
	struct in_addr target;
	const char *ifname; /* NULL: every interface */
	long seconds;
	long max;   /* 0: no limit */
	long burst; /* -f: replies per request in flood mode, 0: not flooding */
	long rate;  /* -r: stream replies per second in flood mode, 0: none */
};

struct forge {
	int rx_fd; /* AF_PACKET, SOCK_DGRAM, ETH_P_ALL */
	int tx_fd; /* AF_INET, SOCK_RAW, IPPROTO_RAW */
	struct in_addr target;
	uint16_t ip_id;
	long max;
	long forged;
	long requests;
	long send_errors;
	uint64_t rng; /* xorshift64 state, never 0 */
	/* The last request to the target seen, for the stream: where to send,
	 * its identifier, the next sequence number and the payload length. */
	int have_last;
	uint8_t last_src[4];
	uint16_t last_id;
	uint16_t next_seq;
	size_t last_plen;
};

static void
forge_on_signal(int sig)
{
	(void)sig;
	forge_stop = 1;
}

static void
forge_usage(void)
{
	fprintf(stderr, "usage: forge_echo -t TARGET_IPV4 [-i IFNAME] "
	                "[-d SECONDS] [-n MAX] [-f K [-r PPS]]\n");
}

static int64_t
forge_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Parse a decimal number in [min, max]; 0 or -1 on error. */
static int
forge_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
forge_parse_args(int argc, char **argv, struct forge_opts *o)
{
	int c;
	int have_target = 0;

	memset(o, 0, sizeof(*o));
	o->seconds = 30;
	while ((c = getopt(argc, argv, "t:i:d:n:f:r:")) != -1) {
		switch (c) {
		case 't':
			if (inet_pton(AF_INET, optarg, &o->target) != 1) {
				fprintf(stderr,
				        "forge_echo: -t needs an IPv4 "
				        "address: %s\n",
				        optarg);
				return -1;
			}
			have_target = 1;
			break;
		case 'i':
			if (strlen(optarg) >= IF_NAMESIZE) {
				fprintf(stderr,
				        "forge_echo: interface name "
				        "too long: %s\n",
				        optarg);
				return -1;
			}
			o->ifname = optarg;
			break;
		case 'd':
			if (forge_parse_long(optarg, 1, FORGE_MAX_SECONDS,
			                     &o->seconds) < 0) {
				fprintf(stderr,
				        "forge_echo: -d needs 1..%ld "
				        "seconds: %s\n",
				        FORGE_MAX_SECONDS, optarg);
				return -1;
			}
			break;
		case 'n':
			if (forge_parse_long(optarg, 1, FORGE_MAX_REPLIES,
			                     &o->max) < 0) {
				fprintf(stderr,
				        "forge_echo: -n needs 1..%ld: "
				        "%s\n",
				        FORGE_MAX_REPLIES, optarg);
				return -1;
			}
			break;
		case 'f':
			if (forge_parse_long(optarg, 1, FORGE_MAX_BURST,
			                     &o->burst) < 0) {
				fprintf(stderr,
				        "forge_echo: -f needs 1..%ld: %s\n",
				        FORGE_MAX_BURST, optarg);
				return -1;
			}
			break;
		case 'r':
			if (forge_parse_long(optarg, 1, FORGE_MAX_RATE,
			                     &o->rate) < 0) {
				fprintf(stderr,
				        "forge_echo: -r needs 1..%ld: %s\n",
				        FORGE_MAX_RATE, optarg);
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	if (o->rate > 0 && o->burst == 0) {
		fprintf(stderr, "forge_echo: -r needs flood mode (-f)\n");
		return -1;
	}
	if (!have_target || optind != argc) {
		forge_usage();
		return -1;
	}
	return 0;
}

/* The Internet checksum (RFC 1071) of len bytes. */
static uint16_t
forge_cksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
forge_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
forge_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static int
forge_open(struct forge *f, const struct forge_opts *o)
{
	struct sockaddr_ll sll;
	unsigned ifindex = 0;

	f->rx_fd = -1;
	f->tx_fd = -1;
	f->target = o->target;
	f->ip_id = (uint16_t)getpid();
	f->max = o->max;
	if (getrandom(&f->rng, sizeof(f->rng), 0) != sizeof(f->rng))
		f->rng = (uint64_t)forge_now_ns();
	f->rng |= 1;
	if (o->ifname != NULL) {
		ifindex = if_nametoindex(o->ifname);
		if (ifindex == 0) {
			fprintf(stderr, "forge_echo: no interface %s: %s\n",
			        o->ifname, strerror(errno));
			goto fail;
		}
	}
	/* Outgoing packets reach only ETH_P_ALL packet sockets, so take all
	 * and keep IPv4 in forge_run(). */
	f->rx_fd =
	    socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (f->rx_fd < 0) {
		fprintf(stderr, "forge_echo: packet socket: %s\n",
		        strerror(errno));
		goto fail;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)ifindex;
	if (bind(f->rx_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "forge_echo: bind packet socket: %s\n",
		        strerror(errno));
		goto fail;
	}
	f->tx_fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (f->tx_fd < 0) {
		fprintf(stderr, "forge_echo: raw socket: %s\n",
		        strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (f->rx_fd >= 0)
		close(f->rx_fd);
	if (f->tx_fd >= 0)
		close(f->tx_fd);
	f->rx_fd = f->tx_fd = -1;
	return -1;
}

static uint64_t
forge_random(struct forge *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

/*
 * Send one echo reply from the target to dst (an address of this host):
 * identifier id, sequence seq, plen bytes of payload, which are req's with
 * every bit flipped, or random when req is NULL. Counts it; nothing is
 * sent once MAX replies were.
 */
static void
forge_send(struct forge *f, const uint8_t dst4[4], uint16_t id, uint16_t seq,
           const uint8_t *req, size_t plen)
{
	static uint8_t out[FORGE_MAX_PACKET];
	struct sockaddr_in dst;
	size_t icmp_len = 8 + plen, i;
	uint8_t *icmp = out + 20;

	if ((f->max != 0 && f->forged >= f->max) || 20 + icmp_len > sizeof(out))
		return;
	/* IP header without options: from target to dst. */
	memset(out, 0, 20);
	out[0] = 0x45;
	forge_put16(out + 2, (uint16_t)(20 + icmp_len));
	forge_put16(out + 4, f->ip_id++);
	out[8] = 64;
	out[9] = IPPROTO_ICMP;
	memcpy(out + 12, &f->target.s_addr, 4);
	memcpy(out + 16, dst4, 4);
	forge_put16(out + 10, forge_cksum(out, 20));

	icmp[0] = ICMP_ECHOREPLY;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	forge_put16(icmp + 4, id);
	forge_put16(icmp + 6, seq);
	for (i = 0; i < plen; i++)
		icmp[8 + i] =
		    req != NULL ? (uint8_t)~req[i] : (uint8_t)forge_random(f);
	forge_put16(icmp + 2, forge_cksum(icmp, icmp_len));

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	memcpy(&dst.sin_addr.s_addr, dst4, 4);
	if (sendto(f->tx_fd, out, 20 + icmp_len, 0, (struct sockaddr *)&dst,
	           sizeof(dst)) < 0) {
		if (f->send_errors++ == 0)
			fprintf(stderr, "forge_echo: sendto: %s\n",
			        strerror(errno));
		return;
	}
	f->forged++;
}

/*
 * If pkt (len bytes, an IPv4 packet this host sent) is an unfragmented
 * echo request to the target, answer it: one bit-flipped reply, or in
 * flood mode burst random ones around it. Everything is checked against
 * len before it is read.
 */
static void
forge_handle(struct forge *f, const uint8_t *pkt, size_t len, long burst)
{
	size_t ihl, total, plen;
	uint16_t id, seq;
	long j;

	if (len < 20 || (pkt[0] >> 4) != 4)
		return;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = forge_get16(pkt + 2);
	if (ihl < 20 || total > len || total < ihl + 8)
		return;
	if (pkt[9] != IPPROTO_ICMP)
		return;
	if ((forge_get16(pkt + 6) & 0x3fff) != 0) /* MF or an offset */
		return;
	if (memcmp(pkt + 16, &f->target.s_addr, 4) != 0)
		return;
	if (pkt[ihl] != ICMP_ECHO || pkt[ihl + 1] != 0)
		return;

	f->requests++;
	plen = total - ihl - 8;
	id = forge_get16(pkt + ihl + 4);
	seq = forge_get16(pkt + ihl + 6);
	if (burst == 0) {
		forge_send(f, pkt + 12, id, seq, pkt + ihl + 8, plen);
		return;
	}
	for (j = 0; j < burst; j++)
		forge_send(f, pkt + 12, j % 4 == 3 ? (uint16_t)(id + 1) : id,
		           (uint16_t)(seq + j - burst / 2), NULL, plen);
	f->have_last = 1;
	memcpy(f->last_src, pkt + 12, 4);
	f->last_id = id;
	/* Ahead of the requests: sequence numbers not sent yet. */
	f->next_seq = (uint16_t)(seq + burst);
	f->last_plen = plen;
}

/* The stream: replies due by now at rate per second, from *next_ns. */
static void
forge_stream(struct forge *f, long rate, int64_t now, int64_t *next_ns)
{
	int64_t period = 1000000000 / rate;
	int n = 0;

	if (!f->have_last) {
		*next_ns = now + period;
		return;
	}
	while (*next_ns <= now && n++ < FORGE_MAX_CATCHUP) {
		forge_send(f, f->last_src, f->last_id, f->next_seq++, NULL,
		           f->last_plen);
		*next_ns += period;
	}
	if (*next_ns <= now) /* fell behind: do not make up for it */
		*next_ns = now + period;
}

/* Read and handle packets until the deadline, the limit or a signal. */
static int
forge_run(struct forge *f, const struct forge_opts *o)
{
	static uint8_t buf[FORGE_MAX_PACKET];
	int64_t deadline = forge_now_ns() + (int64_t)o->seconds * 1000000000;
	int64_t next_stream = forge_now_ns();

	while (!forge_stop && (o->max == 0 || f->forged < o->max)) {
		struct pollfd pfd = {.fd = f->rx_fd, .events = POLLIN};
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		int64_t now = forge_now_ns(), left = deadline - now;
		ssize_t n;
		int r;

		if (left <= 0)
			break;
		if (o->rate > 0) {
			forge_stream(f, o->rate, now, &next_stream);
			if (next_stream - now < left)
				left = next_stream - now;
		}
		r = poll(&pfd, 1, (int)(left / 1000000 + 1));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "forge_echo: poll: %s\n",
			        strerror(errno));
			return -1;
		}
		if (r == 0)
			continue;
		n = recvfrom(f->rx_fd, buf, sizeof(buf), MSG_DONTWAIT,
		             (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "forge_echo: recvfrom: %s\n",
			        strerror(errno));
			return -1;
		}
		if (from.sll_pkttype != PACKET_OUTGOING ||
		    from.sll_protocol != htons(ETH_P_IP))
			continue;
		forge_handle(f, buf, (size_t)n, o->burst);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct forge_opts o;
	struct forge f;
	struct sigaction sa;
	int rc;

	if (forge_parse_args(argc, argv, &o) < 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forge_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	memset(&f, 0, sizeof(f));
	if (forge_open(&f, &o) < 0)
		return 1;
	rc = forge_run(&f, &o);
	close(f.rx_fd);
	close(f.tx_fd);
	printf("saw %ld requests\n", f.requests);
	printf("forged %ld replies\n", f.forged);
	if (f.send_errors > 0)
		fprintf(stderr, "forge_echo: %ld replies could not be sent\n",
		        f.send_errors);
	fflush(stdout);
	return rc < 0 ? 1 : 0;
}
