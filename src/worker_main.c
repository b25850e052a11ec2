/*
 * pharos-worker: runs Pharos checks for remote pollers (docs/scaling.md).
 *
 *   pharos-worker [-x] [-c FILE] [-s SERVERS] [-p POLLER,...] [-k KEYFILE]
 *                 [-n MAX_JOBS] [-i IDENTIFIER] [-u USER] [-g GROUP]
 *
 * Options beat the file's keys (gearman_servers, pollers, poller_key_file,
 * max_jobs, identifier, pharos_user, pharos_group). The ICMP sockets are
 * opened and the key read while root, then privileges are dropped as in
 * pharosd (priv.h). Runs in the foreground; messages go to stderr. The
 * only mutable globals are the signal flag and the self-pipe.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "arp.h"
#include "icmp.h"
#include "jobwire.h"
#include "log.h"
#include "loop.h"
#include "priv.h"
#include "remote.h"
#include "remote_gm.h"
#include "strnum.h"
#include "worker.h"

#define WMAIN_MAX_POLLERS 64

static volatile sig_atomic_t wmain_stop;
static int wmain_wake_fd = -1;

struct wmain_opts {
	char *servers, *pollers, *key_file, *identifier, *user, *group;
	long max_jobs;
};

static void
wmain_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	wmain_stop = 1;
	if (wmain_wake_fd >= 0)
		(void)!write(wmain_wake_fd, &c, 1);
	errno = saved;
}

static void
wmain_wake(struct loop *loop, int fd, unsigned events, void *arg)
{
	char buf[64];

	(void)events;
	(void)arg;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (wmain_stop) {
		log_info("stopping on signal");
		loop_stop(loop);
	}
}

static void
wmain_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos-worker [-x] [-c FILE] [-s SERVERS] [-p POLLERS]\n"
	    "                     [-k KEYFILE] [-n MAX_JOBS] [-i ID] [-u USER]"
	    " [-g GROUP]\n"
	    "\n"
	    "  -c  configuration file (key=value lines: gearman_servers,\n"
	    "      pollers, poller_key_file, max_jobs, identifier,\n"
	    "      pharos_user, pharos_group); options beat it\n"
	    "  -s  gearmand servers, host[:port],... (port 4730)\n"
	    "  -p  pollers served, name,... (queues pharos_NAME)\n"
	    "  -k  the shared key file (32 bytes or 64 hex digits, mode 600)\n"
	    "  -n  checks run at once (default 64)\n"
	    "  -i  name in results and in gearadmin (default the host name)\n"
	    "  -u, -g  user and group after start as root (default pharos)\n"
	    "  -x  debug messages (every job)\n");
}

/* An option's value (the last one given wins). */
static void
wmain_opt(char **field, const char *v)
{
	free(*field);
	if ((*field = strdup(v)) == NULL)
		fatalx("out of memory");
}

/* Set *field to a copy of v unless the command line already did. */
static int
wmain_set(char **field, const char *v)
{
	if (*field != NULL)
		return 0;
	return (*field = strdup(v)) == NULL ? -1 : 0;
}

/* Read the file's keys; errors as "file:line: error: text". */
static int
wmain_read_file(const char *path, struct wmain_opts *o)
{
	char line[4096], *k, *v, *eq;
	FILE *fp = fopen(path, "r");
	int n = 0, errors = 0;
	long l;

	if (fp == NULL) {
		fprintf(stderr, "%s: error: cannot open: %s\n", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		k = strnum_trim(line);
		if (*k == '\0' || *k == '#' || *k == ';')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			fprintf(stderr, "%s:%d: error: expected key=value\n",
			    path, n);
			errors++;
			continue;
		}
		*eq = '\0';
		k = strnum_trim(k);
		v = strnum_trim(eq + 1);
		if (strcmp(k, "gearman_servers") == 0)
			errors += wmain_set(&o->servers, v) != 0;
		else if (strcmp(k, "pollers") == 0)
			errors += wmain_set(&o->pollers, v) != 0;
		else if (strcmp(k, "poller_key_file") == 0)
			errors += wmain_set(&o->key_file, v) != 0;
		else if (strcmp(k, "identifier") == 0)
			errors += wmain_set(&o->identifier, v) != 0;
		else if (strcmp(k, "pharos_user") == 0)
			errors += wmain_set(&o->user, v) != 0;
		else if (strcmp(k, "pharos_group") == 0)
			errors += wmain_set(&o->group, v) != 0;
		else if (strcmp(k, "max_jobs") == 0) {
			if (strnum_long(v, 1, 100000, &l) != 0) {
				fprintf(stderr, "%s:%d: error: max_jobs must be "
				    "1 to 100000\n", path, n);
				errors++;
			} else if (o->max_jobs == 0)
				o->max_jobs = l;
		} else {
			fprintf(stderr, "%s:%d: error: unknown key '%.60s'\n",
			    path, n, k);
			errors++;
		}
	}
	fclose(fp);
	return errors > 0 ? -1 : 0;
}

/* Split the poller list in place; -1 on a bad name (reported). */
static int
wmain_pollers(char *list, const char **names, size_t *n)
{
	char *save = NULL, *p;

	*n = 0;
	for (p = strtok_r(list, ", ", &save); p != NULL;
	    p = strtok_r(NULL, ", ", &save)) {
		if (!remote_name_ok(p) || *n == WMAIN_MAX_POLLERS) {
			fprintf(stderr, "pharos-worker: bad poller name "
			    "'%.80s' (letters, digits, '-', '_', '.'; at most "
			    "%d pollers)\n", p, WMAIN_MAX_POLLERS);
			return -1;
		}
		names[(*n)++] = p;
	}
	return *n > 0 ? 0 : -1;
}

static void
wmain_free(struct wmain_opts *o)
{
	free(o->servers);
	free(o->pollers);
	free(o->key_file);
	free(o->identifier);
	free(o->user);
	free(o->group);
}

int
main(int argc, char **argv)
{
	struct wmain_opts o = { 0 };
	struct worker_options wo = { 0 };
	struct jobwire_key *key = NULL;
	const char *pollers[WMAIN_MAX_POLLERS];
	const char *file = NULL;
	struct loop *loop = NULL;
	struct icmp *icmp = NULL;
	struct arp *arp = NULL;
	struct worker *w = NULL;
	struct sigaction sa;
	char err[512];
	uid_t uid = 0;
	gid_t gid = 0;
	bool root = geteuid() == 0;
	size_t npollers = 0;
	int ch, debug = 0, pipefd[2] = { -1, -1 }, ret = 1, rc;
	long l;

	while ((ch = getopt(argc, argv, "c:g:hi:k:n:p:s:u:Vx")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'g':
			wmain_opt(&o.group, optarg);
			break;
		case 'i':
			wmain_opt(&o.identifier, optarg);
			break;
		case 'k':
			wmain_opt(&o.key_file, optarg);
			break;
		case 'p':
			wmain_opt(&o.pollers, optarg);
			break;
		case 's':
			wmain_opt(&o.servers, optarg);
			break;
		case 'u':
			wmain_opt(&o.user, optarg);
			break;
		case 'x':
			debug = 1;
			break;
		case 'n':
			if (strnum_long(optarg, 1, 100000, &l) != 0) {
				fprintf(stderr, "pharos-worker: -n must be 1 "
				    "to 100000\n");
				return 2;
			}
			o.max_jobs = l;
			break;
		case 'V':
			printf("pharos-worker %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			wmain_usage(stdout);
			return 0;
		default:
			wmain_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		wmain_usage(stderr);
		return 2;
	}
	log_init("pharos-worker", debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (file != NULL && wmain_read_file(file, &o) != 0)
		goto out;
	if (o.servers == NULL || o.pollers == NULL || o.key_file == NULL) {
		fprintf(stderr, "pharos-worker: gearman servers (-s), pollers "
		    "(-p) and the key file (-k) are needed\n");
		goto out;
	}
	err[0] = '\0';
	if (remote_gm_parse_servers(o.servers, NULL, NULL, 8, err,
	    sizeof(err)) < 0 ||
	    wmain_pollers(o.pollers, pollers, &npollers) != 0) {
		if (err[0] != '\0')
			fprintf(stderr, "pharos-worker: %s\n", err);
		goto out;
	}
	if (jobwire_init() != 0 ||
	    (key = sodium_malloc(sizeof(*key))) == NULL) {
		fprintf(stderr, "pharos-worker: libsodium cannot start\n");
		goto out;
	}
	if (jobwire_key_load(o.key_file, key, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos-worker: %s\n", err);
		goto out;
	}
	if (root && priv_lookup(o.user != NULL ? o.user : "pharos",
	    o.group != NULL ? o.group : "pharos", &uid, &gid, err,
	    sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = wmain_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	wmain_wake_fd = pipefd[1];
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	if (loop_new(&loop) != 0 ||
	    loop_io_add(loop, pipefd[0], LOOP_READ, wmain_wake, NULL) != 0) {
		log_warnx("cannot create the event loop");
		goto out;
	}
	loop_set_slack(loop, LOOP_CHECK_SLACK_NS);
	/* Privileged: the ICMP sockets and the ARP capture handles. Then no
	 * privilege at all. */
	err[0] = '\0';
	if ((rc = icmp_new(loop, &icmp, err, sizeof(err))) != 0) {
		log_warnx("icmp: %s", err[0] ? err : strerror(-rc));
		goto out;
	}
	if (arp_new(loop, NULL, &arp) != 0) { /* pcap handles, as root */
		log_warnx("arp: cannot start the ARP prober");
		goto out;
	}
	if (priv_drop(uid, gid, err, sizeof(err)) != 0) {
		log_warnx("dropping privileges: %s", err);
		goto out;
	}
	if (root)
		log_info("running as %s:%s, no capabilities left (CapEff %llx)",
		    o.user != NULL ? o.user : "pharos",
		    o.group != NULL ? o.group : "pharos", priv_cap_eff());

	wo.servers = o.servers;
	wo.pollers = pollers;
	wo.npollers = npollers;
	wo.key = key;
	wo.max_jobs = (size_t)o.max_jobs;
	wo.identifier = o.identifier;
	if (worker_new(loop, icmp, arp, &wo, &w, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		goto out;
	}
	sodium_free(key); /* the worker keeps its own copy */
	key = NULL;
	log_info("serving %zu poller(s) from %s, at most %ld checks at once",
	    npollers, o.servers, o.max_jobs > 0 ? o.max_jobs : 64L);
	if (!wmain_stop && (rc = loop_run(loop)) != 0) {
		log_warnx("event loop failed: %s", strerror(-rc));
		goto out;
	}
	{
		struct worker_counters c;

		worker_get_counters(w, &c);
		log_info("stopped: %llu jobs received, %llu run, %llu "
		    "answered, %llu rejected",
		    (unsigned long long)c.received, (unsigned long long)c.run,
		    (unsigned long long)c.answered,
		    (unsigned long long)c.rejected);
	}
	ret = 0;
out:
	worker_free(w);
	arp_free(arp);
	icmp_free(icmp);
	loop_free(loop);
	if (key != NULL)
		sodium_free(key);
	wmain_wake_fd = -1;
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	wmain_free(&o);
	return ret;
}
