/*
 * arp_forge: a test tool that fills a LAN with foreign ARP about one
 * address, the traffic that must never make the ARP prober believe a dead
 * device is there. Every INTERVAL it sends out of IFNAME (an AF_PACKET
 * socket):
 *
 *   - a gratuitous ARP reply for TARGET (sender = target = TARGET),
 *   - a gratuitous ARP request for TARGET,
 *   - an ARP reply from TARGET to another host's address (OTHER_IP),
 *   - an ARP reply from TARGET to the prober's address (PROBER_IP) but to
 *     another MAC than the prober's (02:00:00:00:00:99), as a reply to
 *     someone else's request would look on a hub.
 *
 *   arp_forge -i IFNAME -t TARGET -p PROBER_IP -o OTHER_IP [-d SECONDS]
 *             [-m MILLISECONDS]
 *
 * Runs at most SECONDS (default 30), stops early on SIGINT/SIGTERM, prints
 * "sent N frames". Needs CAP_NET_RAW. Exit 0, 1 on an error, 2 on bad
 * usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long
num(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		return -1;
	return v;
}

static size_t
frame(unsigned char *f, const unsigned char *src, const unsigned char *dst,
    int op, const unsigned char *sha, struct in_addr spa,
    const unsigned char *tha, struct in_addr tpa)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4;
	f[20] = 0;
	f[21] = (unsigned char)op;
	memcpy(f + 22, sha, 6);
	memcpy(f + 28, &spa, 4);
	memcpy(f + 32, tha, 6);
	memcpy(f + 38, &tpa, 4);
	return 42;
}

int
main(int argc, char **argv)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff };
	static const unsigned char other_mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	static const unsigned char zero[6] = { 0 };
	const char *ifname = NULL, *target = NULL, *prober = NULL, *other = NULL;
	struct in_addr t, p, o;
	struct sockaddr_ll sll;
	struct ifreq ifr;
	unsigned char mac[6], f[64];
	long secs = 30, ms = 50;
	unsigned long sent = 0;
	time_t end;
	int c, s;

	while ((c = getopt(argc, argv, "i:t:p:o:d:m:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 't': target = optarg; break;
		case 'p': prober = optarg; break;
		case 'o': other = optarg; break;
		case 'd': secs = num(optarg, 1, 3600); break;
		case 'm': ms = num(optarg, 1, 10000); break;
		default: return 2;
		}
	}
	if (ifname == NULL || target == NULL || prober == NULL ||
	    other == NULL || secs < 0 || ms < 0 ||
	    inet_pton(AF_INET, target, &t) != 1 ||
	    inet_pton(AF_INET, prober, &p) != 1 ||
	    inet_pton(AF_INET, other, &o) != 1 ||
	    strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "usage: arp_forge -i IFNAME -t TARGET -p "
		    "PROBER_IP -o OTHER_IP [-d SECONDS] [-m MS]\n");
		return 2;
	}
	s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
	if (s < 0) {
		perror("arp_forge: socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) != 0) {
		perror("arp_forge: SIOCGIFHWADDR");
		return 1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, bcast, 6);
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "arp_forge: no interface %s\n", ifname);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	end = time(NULL) + secs;
	while (!stop && time(NULL) < end) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		size_t n[4], i;
		unsigned char fs[4][64];

		n[0] = frame(fs[0], mac, bcast, 2, mac, t, bcast, t);
		n[1] = frame(fs[1], mac, bcast, 1, mac, t, zero, t);
		n[2] = frame(fs[2], mac, bcast, 2, mac, t, other_mac, o);
		n[3] = frame(fs[3], mac, bcast, 2, mac, t, other_mac, p);
		for (i = 0; i < 4; i++) {
			memcpy(f, fs[i], n[i]);
			if (sendto(s, f, n[i], 0, (struct sockaddr *)&sll,
			    sizeof(sll)) < 0) {
				perror("arp_forge: sendto");
				close(s);
				return 1;
			}
			sent++;
		}
		nanosleep(&ts, NULL);
	}
	close(s);
	printf("sent %lu frames\n", sent);
	return 0;
}
