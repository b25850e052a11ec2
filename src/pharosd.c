/*
 * pharosd: the monitoring daemon's main. It parses the command line, loads
 * the configuration, and either prints the verification report (-v) or
 * runs the daemon, in the foreground or detached (-d, as nagios -d). The
 * only mutable globals of the
 * program live here: the flags the signal handlers set, and the self-pipe
 * they write to so the event loop wakes up.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "log.h"

static volatile sig_atomic_t pharosd_stop;
static volatile sig_atomic_t pharosd_hup;
static int pharosd_wake_fd = -1;

static void
pharosd_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig == SIGHUP)
		pharosd_hup = 1;
	else
		pharosd_stop = 1;
	if (pharosd_wake_fd >= 0)
		(void)!write(pharosd_wake_fd, &c, 1);
	errno = saved;
}

/* As nagios -d: the parent returns at once (0), the child leaves the
 * session and the terminal; stdin, stdout and stderr become /dev/null and
 * diagnostics go to syslog. The configuration was verified before. */
static int
pharosd_detach(void)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	if ((pid = fork()) < 0) {
		log_warn("fork");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") != 0) {
		log_warn("detaching");
		return -1;
	}
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	log_to_syslog();
	log_info("detached, pid %ld", (long)getpid());
	return 0;
}

static void
pharosd_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharosd [-xM] CONFIG_FILE    run in the foreground\n"
	    "       pharosd -d [-xM] CONFIG_FILE run as a daemon (detached;\n"
	    "                                    messages to syslog)\n"
	    "       pharosd -v CONFIG_FILE       verify the configuration\n"
	    "       pharosd -V                   print the version\n"
	    "\n"
	    "  -x  debug messages\n"
	    "\n"
	    "SIGHUP reloads the configuration (kept when it has errors); "
	    "SIGTERM stops.\n"
	    "  -M  move a corrupt retention file aside and start without it\n"
	    "      (without -M such a file stops the start)\n");
}

int
main(int argc, char **argv)
{
	struct daemon_opts opts;
	struct config *cfg = NULL;
	struct sigaction sa;
	int pipefd[2];
	int ch, verify = 0, debug = 0, detach = 0, aside = 0, rc;

	/* Fixed malloc thresholds. glibc otherwise raises them each time a
	 * large block is freed, the trim threshold up to 64 MB, and the arena
	 * the configuration is parsed in (conf_read_objects) then keeps its
	 * freed pages for good: 56 MB resident at 10,000 hosts. */
	(void)mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 1024 * 1024);

	while ((ch = getopt(argc, argv, "dhMvVx")) != -1) {
		switch (ch) {
		case 'M':
			aside = 1;
			break;
		case 'd':
			detach = 1;
			break;
		case 'x':
			debug = 1;
			break;
		case 'v':
			verify = 1;
			break;
		case 'V':
			printf("pharosd %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			pharosd_usage(stdout);
			return 0;
		default:
			pharosd_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		pharosd_usage(stderr);
		return 2;
	}
	log_init("pharosd", debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);

	/* Before the configuration is read: a SIGHUP (systemctl reload)
	 * during a long start must not kill pharosd (its default action);
	 * it is acted on once the daemon runs. */
	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0)
		fatal("pipe");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pharosd_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (!verify) {
		pharosd_wake_fd = pipefd[1];
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);

	if (conf_load_flags(argv[optind], CONF_MONITOR_HOST, &cfg) != 0) {
		fprintf(stderr, "pharosd: out of memory reading the "
		    "configuration\n");
		return 1;
	}
	if (verify) {
		conf_print_report(cfg, stdout);
		rc = cfg->nerrors > 0 ? 1 : 0;
		conf_free(cfg);
		return rc;
	}
	if (cfg->nerrors > 0) {
		conf_print_msgs(cfg, stderr);
		fprintf(stderr, "pharosd: %u error(s) in the configuration; "
		    "run 'pharosd -v %s' for the full report\n", cfg->nerrors,
		    argv[optind]);
		conf_free(cfg);
		return 1;
	}
	if (cfg->nwarnings > 0)
		conf_print_msgs(cfg, stderr);
	/* Loading parsed every file into temporary structures; give the
	 * freed heap back before running for months. */
	malloc_trim(0);
	if (detach && pharosd_detach() != 0) {
		conf_free(cfg);
		return 1;
	}


	opts.config_path = argv[optind];
	opts.stop_flag = &pharosd_stop;
	opts.hup_flag = &pharosd_hup;
	opts.wake_fd = pipefd[0];
	opts.move_retention_aside = aside != 0;
	rc = daemon_run(&cfg, &opts);

	pharosd_wake_fd = -1;
	close(pipefd[0]);
	close(pipefd[1]);
	conf_free(cfg);
	return rc;
}
