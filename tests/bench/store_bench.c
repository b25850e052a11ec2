/*
 * store_bench: the driver of tests/bench/rrd_vs_rrdtool.sh. Built by
 * `make bench` only (EXTRA_PROGRAMS), never installed.
 *
 *   store_bench run [-a ADDR] [-q QUEUE] [-w WARM] DIR HOSTS SERVICES T0 MINUTES
 *
 * Opens the metric store on DIR (with rrdcached at ADDR when given) and
 * submits, for minute m = 0 .. MINUTES-1, one ICMP-like result
 * ("rta=..ms pl=..% rtmax=..ms", step 60) at T0 + 60 m for each of the
 * HOSTS x SERVICES files DIR/hNNNNN/sNN.rrd, as fast as the queue takes
 * them (a full queue: wait 100 us and submit again; the refusals are
 * counted in dropped_queue_full). The first WARM minutes (default 0) are
 * submitted and drained before the clock starts: they fill the writer's
 * cache of files (or create the files). Then it waits until every update
 * is accounted for (written, coalesced, stale or an error) and prints one
 * line of key=value: counts, wall seconds, CPU seconds of the process
 * (both threads) and of the submitting thread alone.
 *
 *   store_bench rc ADDR COMMAND...
 *
 * Sends one command line to rrdcached on the UNIX socket ADDR
 * (unix:/path or /path) and prints its answer (STATS, FLUSHALL, ...).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static uint64_t
accounted(const struct store_counters *c)
{
	return c->written + c->coalesced + c->stale + c->rrd_errors +
	    c->bad_names + (c->rrdcached_errors > c->reconnects ?
	    c->rrdcached_errors - c->reconnects : 0);
}

/* Submit minutes [m0, m1) of every file; returns 0 or -1. */
static int
submit_minutes(struct store *s, long hosts, long services, int64_t t0,
    long m0, long m1, uint64_t *retries)
{
	char host[32], svc[32], perf[128];
	long m, h, v;
	int rv;

	for (m = m0; m < m1; m++) {
		for (h = 0; h < hosts; h++) {
			snprintf(host, sizeof(host), "h%05ld", h);
			for (v = 0; v < services; v++) {
				snprintf(svc, sizeof(svc), "s%02ld", v);
				snprintf(perf, sizeof(perf),
				    "rta=%ld.%03ldms;200;500;0 pl=%ld%%;20;60 "
				    "rtmax=%ld.%03ldms", (h + m) % 3,
				    (v * 37 + m) % 1000, (m + h) % 2 ? 0L : 20L,
				    (h + m) % 3 + 1, (v * 53 + m) % 1000);
				while ((rv = store_submit(s, host, svc,
				    t0 + 60 * m, perf, 60)) == -ENOBUFS) {
					(*retries)++;
					nap_us(100);
				}
				if (rv != 0) {
					fprintf(stderr, "store_bench: submit %s/%s: "
					    "%s\n", host, svc, strerror(-rv));
					return -1;
				}
			}
		}
	}
	return 0;
}

/* Wait until every submitted update is accounted for; -1 after 600 s. */
static int
drain(struct store *s, struct store_counters *c)
{
	double until = now_s() + 600;

	for (;;) {
		store_get_counters(s, c);
		if (accounted(c) >= c->submitted)
			return 0;
		if (now_s() > until) {
			fprintf(stderr, "store_bench: not drained after 600 s: "
			    "submitted %" PRIu64 ", accounted %" PRIu64 "\n",
			    c->submitted, accounted(c));
			return -1;
		}
		nap_us(200);
	}
}

static int
cmd_run(int argc, char **argv)
{
	struct store_options opt = { 0 };
	struct store_counters c0, c;
	struct store *s;
	char err[256];
	const char *dir;
	long hosts, services, minutes, warm = 0;
	int64_t t0;
	uint64_t retries = 0, n;
	double w0, w1, w2, p0, p1, m0, m1, wup;
	int ch, rv;

	while ((ch = getopt(argc, argv, "a:q:w:")) != -1) {
		switch (ch) {
		case 'a':
			opt.rrdcached_address = optarg;
			break;
		case 'q':
			opt.queue_max = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			warm = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 5) {
		fprintf(stderr, "usage: store_bench run [-a ADDR] [-q QUEUE] "
		    "[-w WARM] DIR HOSTS SERVICES T0 MINUTES\n");
		return 2;
	}
	dir = argv[optind];
	hosts = strtol(argv[optind + 1], NULL, 10);
	services = strtol(argv[optind + 2], NULL, 10);
	t0 = strtoll(argv[optind + 3], NULL, 10);
	minutes = strtol(argv[optind + 4], NULL, 10);
	if (hosts < 1 || hosts > 99999 || services < 1 || services > 99 ||
	    minutes < 1 || warm < 0 || warm >= minutes) {
		fprintf(stderr, "store_bench: bad sizes\n");
		return 2;
	}
	rv = store_new(dir, &opt, &s, err, sizeof(err));
	if (rv != 0) {
		fprintf(stderr, "store_bench: %s\n", err);
		return 1;
	}
	wup = now_s();
	if (warm > 0 && (submit_minutes(s, hosts, services, t0, 0, warm,
	    &retries) != 0 || drain(s, &c0) != 0)) {
		store_free(s);
		return 1;
	}
	wup = now_s() - wup;
	store_get_counters(s, &c0);
	retries = 0;
	p0 = cpu_s(RUSAGE_SELF);
	m0 = cpu_s(RUSAGE_THREAD);
	w0 = now_s();
	if (submit_minutes(s, hosts, services, t0, warm, minutes,
	    &retries) != 0) {
		store_free(s);
		return 1;
	}
	w1 = now_s();
	m1 = cpu_s(RUSAGE_THREAD);
	if (drain(s, &c) != 0) {
		store_free(s);
		return 1;
	}
	w2 = now_s();
	p1 = cpu_s(RUSAGE_SELF);
	n = c.submitted - c0.submitted;
	printf("updates=%" PRIu64 " written=%" PRIu64 " stale=%" PRIu64
	    " coalesced=%" PRIu64 " rrd_errors=%" PRIu64
	    " rrdcached_errors=%" PRIu64 " files_created=%" PRIu64
	    " queue_full_retries=%" PRIu64 " acked=%" PRIu64
	    " warm_wall=%.3f submit_wall=%.3f wall=%.3f cpu=%.3f"
	    " cpu_submit=%.3f\n",
	    n, c.written - c0.written, c.stale - c0.stale,
	    c.coalesced - c0.coalesced, c.rrd_errors,
	    c.rrdcached_errors, c.files_created, retries,
	    c.acked - c0.acked, wup, w1 - w0, w2 - w0, p1 - p0, m1 - m0);
	fflush(stdout);
	store_free(s);
	return c.rrd_errors == 0 && c.rrdcached_errors == 0 &&
	    c.written - c0.written == n ? 0 : 1;
}

/* One command to rrdcached on a UNIX socket; prints the answer. */
static int
cmd_rc(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path;
	char buf[4096], line[4096];
	long want = -1, got = 0;
	int fd, i;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: store_bench rc ADDR COMMAND...\n");
		return 2;
	}
	path = argv[1];
	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	if (strlen(path) >= sizeof(sa.sun_path))
		return 2;
	strcpy(sa.sun_path, path);
	line[0] = '\0';
	for (i = 2; i < argc; i++) {
		if (strlen(line) + strlen(argv[i]) + 2 >= sizeof(line))
			return 2;
		strcat(line, argv[i]);
		strcat(line, i + 1 < argc ? " " : "\n");
	}
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "store_bench: connect %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line)) {
		close(fd);
		return 1;
	}
	/* "N message\n" then N lines when N > 0. */
	f = fdopen(fd, "r");
	if (f == NULL) {
		close(fd);
		return 1;
	}
	while (fgets(buf, (int)sizeof(buf), f) != NULL) {
		if (want < 0)
			want = strtol(buf, NULL, 10);
		else
			got++;
		fputs(buf, stdout);
		if (want <= got)
			break;
	}
	fclose(f);
	return want < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "rc") == 0)
		return cmd_rc(argc - 1, argv + 1);
	fprintf(stderr, "usage: store_bench run|rc ...\n");
	return 2;
}
