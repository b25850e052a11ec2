/*
 * trapreplay: a test tool that captures trap datagrams and sends them
 * again, many times, fast. snmptrap costs milliseconds of CPU per process
 * and cannot flood a receiver; resending captured datagrams can.
 *
 *   trapreplay capture [-a ADDR] -p PORT -n COUNT -o FILE [-t SECONDS]
 *       receive COUNT datagrams on ADDR:PORT (default 127.0.0.1) and write
 *       each as one line of hex to FILE; exits 1 when fewer arrived
 *       within SECONDS (default 10).
 *   trapreplay send -d ADDR -p PORT -i FILE -n COUNT [-r PER_SECOND]
 *       send the datagrams of FILE round robin, COUNT in all, at most
 *       PER_SECOND (default: as fast as the socket takes them).
 *   trapreplay junk -d ADDR -p PORT
 *       send a fixed set of malformed datagrams: empty, random bytes,
 *       truncated BER, a bogus version, an overlong length.
 *
 * Exit status: 0 done, 1 failure (said on stderr), 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXDG 65535
#define MAXLINES 64

struct dgram {
	unsigned char *b;
	size_t n;
};

static int
usage(void)
{
	fprintf(stderr, "usage: trapreplay capture [-a ADDR] -p PORT -n COUNT "
	    "-o FILE [-t SECONDS]\n"
	    "       trapreplay send -d ADDR -p PORT -i FILE -n COUNT "
	    "[-r PER_SECOND]\n"
	    "       trapreplay junk -d ADDR -p PORT\n");
	return 2;
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

/* ADDR:PORT into ss; IPv4 or IPv6. */
static int
addr_of(const char *a, long port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, a, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, a, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*s6);
		return 0;
	}
	return -1;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
do_capture(const char *a, long port, long count, const char *out, long secs)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	static unsigned char buf[MAXDG];
	double end = mono() + (double)secs;
	FILE *fp;
	int fd;
	long got = 0;

	if (addr_of(a, port, &ss, &sl) != 0) {
		fprintf(stderr, "trapreplay: bad address %s\n", a);
		return 2;
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		fprintf(stderr, "trapreplay: bind %s:%ld: %s\n", a, port,
		    strerror(errno));
		return 1;
	}
	if ((fp = fopen(out, "w")) == NULL) {
		fprintf(stderr, "trapreplay: %s: %s\n", out, strerror(errno));
		close(fd);
		return 1;
	}
	/* ready: the caller waits for this line before sending */
	printf("ready\n");
	fflush(stdout);
	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = end - mono();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			break;
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
			continue;
		for (ssize_t i = 0; i < n; i++)
			fprintf(fp, "%02x", buf[i]);
		fputc('\n', fp);
		got++;
	}
	close(fd);
	if (fclose(fp) != 0 || got < count) {
		fprintf(stderr, "trapreplay: %ld of %ld datagrams captured\n",
		    got, count);
		return 1;
	}
	return 0;
}

static size_t
load(const char *path, struct dgram *d, size_t max)
{
	static char line[2 * MAXDG + 4];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), fp) != NULL) {
		size_t k = strcspn(line, "\r\n");

		if (k == 0 || k % 2 != 0)
			continue;
		if ((d[n].b = malloc(k / 2)) == NULL)
			break;
		for (size_t i = 0; i < k / 2; i++) {
			unsigned v;

			if (sscanf(line + 2 * i, "%2x", &v) != 1)
				v = 0;
			d[n].b[i] = (unsigned char)v;
		}
		d[n].n = k / 2;
		n++;
	}
	fclose(fp);
	return n;
}

static int
do_send(const char *a, long port, const char *in, long count, long rate)
{
	struct dgram d[MAXLINES];
	struct sockaddr_storage ss;
	socklen_t sl;
	size_t nd;
	double start = mono();
	long sent = 0, fails = 0;
	int fd, rc = 0;

	if (addr_of(a, port, &ss, &sl) != 0)
		return usage();
	if ((nd = load(in, d, MAXLINES)) == 0) {
		fprintf(stderr, "trapreplay: no datagrams in %s\n", in);
		return 1;
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0) {
		fprintf(stderr, "trapreplay: socket: %s\n", strerror(errno));
		return 1;
	}
	while (sent < count) {
		const struct dgram *g = &d[(size_t)sent % nd];

		if (rate > 0) {
			double due = start + (double)sent / (double)rate;
			double now = mono();

			if (due > now)
				usleep((useconds_t)((due - now) * 1e6));
		}
		if (sendto(fd, g->b, g->n, 0, (struct sockaddr *)&ss, sl) < 0) {
			/* a full socket buffer: wait a little, bounded */
			if (++fails > 100000) {
				fprintf(stderr, "trapreplay: sendto: %s\n",
				    strerror(errno));
				rc = 1;
				break;
			}
			usleep(50);
			continue;
		}
		sent++;
	}
	close(fd);
	printf("sent %ld datagrams in %.2f s\n", sent, mono() - start);
	for (size_t i = 0; i < nd; i++)
		free(d[i].b);
	return rc;
}

static int
do_junk(const char *a, long port)
{
	static const unsigned char trunc[] = { 0x30, 0x82, 0x01, 0x00, 0x02,
	    0x01, 0x01, 0x04, 0x06, 'p', 'u' };
	static const unsigned char badver[] = { 0x30, 0x0b, 0x02, 0x01, 0x09,
	    0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c' };
	static const unsigned char overlong[] = { 0x30, 0x84, 0x7f, 0xff, 0xff,
	    0xff, 0x02, 0x01, 0x01 };
	unsigned char rnd[200];
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;
	unsigned seed = 12345;

	if (addr_of(a, port, &ss, &sl) != 0)
		return usage();
	for (size_t i = 0; i < sizeof(rnd); i++) {
		seed = seed * 1103515245u + 12345u;
		rnd[i] = (unsigned char)(seed >> 16);
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0)
		return 1;
	if (sendto(fd, "", 0, 0, (struct sockaddr *)&ss, sl) < 0 ||
	    sendto(fd, rnd, sizeof(rnd), 0, (struct sockaddr *)&ss, sl) < 0 ||
	    sendto(fd, trunc, sizeof(trunc), 0, (struct sockaddr *)&ss, sl) <
	    0 || sendto(fd, badver, sizeof(badver), 0, (struct sockaddr *)&ss,
	    sl) < 0 || sendto(fd, overlong, sizeof(overlong), 0,
	    (struct sockaddr *)&ss, sl) < 0) {
		fprintf(stderr, "trapreplay: sendto: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	printf("sent 5 malformed datagrams\n");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *mode, *addr = NULL, *file = NULL;
	long port = -1, count = -1, rate = 0, secs = 10;
	int ch;

	if (argc < 2)
		return usage();
	mode = argv[1];
	argv++;
	argc--;
	while ((ch = getopt(argc, argv, "a:d:p:n:o:i:r:t:")) != -1) {
		switch (ch) {
		case 'a':
		case 'd':
			addr = optarg;
			break;
		case 'p':
			port = num(optarg, 0, 65535);
			break;
		case 'n':
			count = num(optarg, 1, 100000000);
			break;
		case 'o':
		case 'i':
			file = optarg;
			break;
		case 'r':
			rate = num(optarg, 1, 100000000);
			break;
		case 't':
			secs = num(optarg, 1, 3600);
			break;
		default:
			return usage();
		}
	}
	if (port < 0 || rate < 0 || secs < 0)
		return usage();
	if (strcmp(mode, "capture") == 0 && count > 0 && file != NULL)
		return do_capture(addr != NULL ? addr : "127.0.0.1", port,
		    count, file, secs);
	if (strcmp(mode, "send") == 0 && addr != NULL && file != NULL &&
	    count > 0)
		return do_send(addr, port, file, count, rate);
	if (strcmp(mode, "junk") == 0 && addr != NULL)
		return do_junk(addr, port);
	return usage();
}
