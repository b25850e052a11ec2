/*
 * daemon: start-up order matters and is written out in daemon_run():
 * privileged things first (ICMP sockets), files and the query socket next,
 * then the privilege drop, then the scheduler. Every module is owned here
 * and freed in reverse order. The query socket's ops are dispatched here:
 * status (daemon_status.c), command (daemon_cmd.c), reload
 * (daemon_reload.c, also on SIGHUP).
 */
#include "daemon.h"
#include "daemon_authz.h"
#include "daemon_int.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arp.h"
#include "conf.h"
#include "discovery.h"
#include "topology_run.h"
#include "evlog.h"
#include "exec.h"
#include "icmp.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "priv.h"
#include "query.h"
#include "resolve.h"
#include "sched.h"
#include "snmp.h"
#include "snmp_check.h"
#include "state.h"
#include "stats.h"
#include "store.h"


/* --- wiring between scheduler and state engine -------------------------- */

/* Every result's perfdata goes to the metric store (never blocking: the
 * store queues it for its writer thread), then to the state engine. */
void
daemon_host_result(void *arg, struct host *h, struct check_result *res)
{
	struct daemon *d = arg;

	if (res->unanswered && daemon_remote_unanswered(d, h, res))
		return;
	if (d->store != NULL && res->perfdata != NULL)
		(void)store_submit(d->store, h->name, NULL, res->start_time,
		    res->perfdata, h->check_interval_ns / LOOP_NS_PER_SEC);
	state_host_result(d->state, h, res);
}

void
daemon_service_result(void *arg, struct service *s, struct check_result *res)
{
	struct daemon *d = arg;

	if (d->store != NULL && res->perfdata != NULL)
		(void)store_submit(d->store, s->host->name, s->description,
		    res->start_time, res->perfdata,
		    s->check_interval_ns / LOOP_NS_PER_SEC);
	state_service_result(d->state, s, res);
}

/* Active results from the scheduler: those of hosts the monitor is cut
 * off from are dropped (daemon_netaware.c); passive ones always count. */
static void
daemon_sched_host_result(void *arg, struct host *h, struct check_result *res)
{
	if (!daemon_netaware_drop(arg, h, NULL, res))
		daemon_host_result(arg, h, res);
}

static void
daemon_sched_service_result(void *arg, struct service *s,
    struct check_result *res)
{
	if (!daemon_netaware_drop(arg, s->host, s, res))
		daemon_service_result(arg, s, res);
}

static void
daemon_check_now(void *arg, struct host *h)
{
	struct daemon *d = arg;

	sched_host_check_now(d->sched, h);
}

static void
daemon_host_next(void *arg, struct host *h, int64_t deadline)
{
	struct daemon *d = arg;

	sched_host_next(d->sched, h, deadline);
}

static void
daemon_service_next(void *arg, struct service *s, int64_t deadline)
{
	struct daemon *d = arg;

	sched_service_next(d->sched, s, deadline);
}

static int
daemon_query(const char *op, json_t *req, json_t **data, char *err,
    size_t errlen, void *arg)
{
	struct daemon *d = arg;

	/* Requests made for a web user: only what that user may do. */
	if (daemon_authz_check(d, op, req, err, errlen) != 0)
		return -1;
	if (strcmp(op, "status") == 0)
		return daemon_op_status(d, req, data, err, errlen);
	if (strcmp(op, "log") == 0)
		return daemon_op_log(d, req, data, err, errlen);
	if (strcmp(op, "command") == 0)
		return daemon_op_command(d, req, data, err, errlen);
	if (strcmp(op, "reload") == 0)
		return daemon_op_reload(d, req, data, err, errlen);
	if (strcmp(op, "traps") == 0)
		return daemon_op_traps(d, req, data, err, errlen) != 0 ? -1 :
		    daemon_authz_filter(d, op, req, *data, err, errlen);
	if (strcmp(op, "stats") == 0) {
		int rc = stats_op(d->stats, &d->cfg->objects, loop_now(d->loop),
		    d->start_time, data, err, errlen);

		if (rc == 0 && d->traps != NULL && json_is_object(*data))
			json_object_set_new(*data, "traps",
			    daemon_traps_json(d));
		if (rc == 0 && json_is_object(*data))
			json_object_set_new(*data, "network",
			    daemon_netaware_json(d));
		return rc;
	}
	snprintf(err, errlen, "unknown op '%s'", op);
	return -1;
}

/* Execution dependencies (hostdependency/servicedependency with
 * execution_failure_criteria): a failing master skips the check. */
static bool
daemon_may_run(void *arg, struct host *h, struct service *s)
{
	struct daemon *d = arg;

	/* Monitor isolation: no check of hosts the monitor is cut off from
	 * (daemon_netaware.c). */
	if (daemon_netaware_paused(d, h))
		return false;
	/* STOP_EXECUTING_HOST_CHECKS / _SVC_CHECKS (daemon_cmd.c) */
	if (!(s != NULL ? d->prog.service_checks : d->prog.host_checks))
		return false;
	return d->notify == NULL || !notify_deps_failed(d->notify, h, s, true,
	    (int64_t)time(NULL));
}

/* The engine on cfg: executor, scheduler and state engine, wired to the
 * daemon. At start and at each reload. */
int
daemon_engine_new(struct daemon *d, struct config *cfg, char **addrs,
    struct exec **exec, struct sched **sched, struct state **state)
{
	struct sched_handler sh = {
		.host_result = daemon_sched_host_result,
		.service_result = daemon_sched_service_result,
		.may_run = daemon_may_run,
		.arg = d,
	};
	struct state_ops so = {
		.host_check_now = daemon_check_now,
		.host_next = daemon_host_next,
		.service_next = daemon_service_next,
		.applied = daemon_applied,
		.arg = d,
	};

	*exec = NULL;
	*sched = NULL;
	*state = NULL;
	if (exec_new(d->loop, d->icmp, d->snmp_checks, cfg, exec) != 0 ||
	    sched_new(d->loop, *exec, &cfg->objects,
	    (const char *const *)addrs, &sh, sched) != 0 ||
	    state_new(&cfg->objects, &so, d->ev, state) != 0) {
		sched_free(*sched);
		exec_free(*exec);
		*exec = NULL;
		*sched = NULL;
		return -ENOMEM;
	}
	exec_set_self(*exec, daemon_self_check, d);
	exec_set_arp(*exec, d->arp);
	exec_set_remote(*exec, d->remote);
	daemon_remote_reloaded(d, cfg);
	sched_set_stats(*sched, d->stats);
	sched_set_timeouts(*sched,
	    (int64_t)cfg->host_check_timeout * LOOP_NS_PER_SEC,
	    (int64_t)cfg->service_check_timeout * LOOP_NS_PER_SEC);
	return 0;
}

/* --- signals ------------------------------------------------------------ */

static void
daemon_wake(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct daemon *d = arg;
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	if (*d->opts->stop_flag) {
		log_info("stopping on signal");
		loop_stop(loop);
	}
	/* Before the engine exists (discovery at start) the flag stays set:
	 * daemon_run() reloads once the engine runs. */
	if (*d->opts->hup_flag && !*d->opts->stop_flag && d->sched != NULL) {
		*d->opts->hup_flag = 0;
		daemon_reload_signal(d);
	}
}

/* --- start and stop ----------------------------------------------------- */

/* After a rotation the new file starts with the current states, as in
 * Nagios. */
static void
daemon_rotated(void *arg)
{
	struct daemon *d = arg;

	if (d->state != NULL)
		state_log_current(d->state);
}

/* The archive folder of the event log (log_archive_path, else "archives"
 * next to log_file), made and given to the daemon's user while root. */
static void
daemon_archive_dir(struct daemon *d, bool root, uid_t uid, gid_t gid)
{
	const char *lf = d->cfg->log_file, *slash;

	if (lf == NULL || d->cfg->log_rotation_method == LOGARCH_NONE)
		return;
	if (d->cfg->log_archive_path != NULL)
		snprintf(d->archive_dir, sizeof(d->archive_dir), "%s",
		    d->cfg->log_archive_path);
	else if ((slash = strrchr(lf, '/')) != NULL)
		snprintf(d->archive_dir, sizeof(d->archive_dir),
		    "%.*s/archives", (int)(slash - lf), lf);
	if (d->archive_dir[0] == '\0')
		return;
	if (mkdir(d->archive_dir, 0755) != 0 && errno != EEXIST)
		log_warn("cannot create %s", d->archive_dir);
	else if (root && chown(d->archive_dir, uid, gid) != 0)
		log_warn("cannot give %s to %s", d->archive_dir,
		    d->cfg->pharos_user);
}

/* Every SNMP agent holds a socket: while still root, lift the hard limit
 * on open files to the kernel's nr_open (the poller raises the soft limit
 * to it later). Without root the hard limit stays as it is. */
static void
daemon_raise_nofile(void)
{
	struct rlimit rl;
	FILE *fp;
	long max = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if ((fp = fopen("/proc/sys/fs/nr_open", "r")) != NULL) {
		if (fscanf(fp, "%ld", &max) != 1)
			max = 0;
		fclose(fp);
	}
	if (max > 0 && (rlim_t)max > rl.rlim_max) {
		rlim_t was = rl.rlim_max;

		rl.rlim_max = (rlim_t)max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_info("open files limit stays at %llu (%s)",
			    (unsigned long long)was, strerror(errno));
	}
}

static void
daemon_free(struct daemon *d)
{
	query_free(d->query);
	daemon_traps_free(d);
	daemon_netaware_stop(d);
	daemon_commands_stop(d);
	if (d->sched != NULL)
		sched_stop(d->sched);
	daemon_event_stop(d);
	daemon_retain_stop(d); /* writes the retention file */
	daemon_notify_stop(d);
	exec_free(d->exec); /* aborts jobs: the stopped scheduler drops them */
	arp_free(d->arp);
	daemon_remote_stop(d); /* after the executor that borrows it */
	snmp_checks_free(d->snmp_checks);
	discovery_free(d->disc);
	topology_run_free(d->topo);
	snmp_poller_free(d->snmp);
	sched_free(d->sched);
	stats_free(d->stats); /* after the scheduler, which borrows it */
	state_free(d->state);
	store_free(d->store); /* drains what the writer has not written */
	icmp_free(d->icmp);
	evlog_close(d->ev);
	loop_free(d->loop);
	resolve_free(d->addresses, d->cfg->objects.nhosts);
}

static void
daemon_primed(void *arg)
{
	struct daemon *d = arg;

	loop_stop(d->loop);
}

/* Load the configuration again, now with the discovered services, before
 * the engine exists. On errors the configuration loaded at start stays. */
static void
daemon_prime_reload(struct daemon *d)
{
	struct config *nc = NULL;
	char **addrs = NULL;
	size_t unresolved = 0;

	if (conf_load_flags(d->cfg->main_file, CONF_MONITOR_HOST, &nc) != 0 ||
	    nc->nerrors > 0) {
		if (nc != NULL)
			conf_print_msgs(nc, stderr);
		log_warnx("configuration with discovered services has errors; "
		    "they are not used until the next start");
		conf_free(nc);
		return;
	}
	if (resolve_hosts(&nc->objects, &addrs, &unresolved) != 0) {
		conf_free(nc);
		return;
	}
	resolve_free(d->addresses, d->cfg->objects.nhosts);
	d->addresses = addrs;
	log_info("discovered services added: %zu services now",
	    nc->objects.nservices);
	conf_free(d->cfg);
	d->cfg = *d->cfgp = nc;
}

/* Run the loop until the first discoveries end; then reload when they
 * changed the cache. Returns 0, 1 when a stop was asked meanwhile. */
static int
daemon_prime(struct daemon *d)
{
	size_t n = discovery_prime(d->disc, daemon_primed, d);
	int rc;

	if (n == 0)
		return 0;
	log_info("discovering %zu host(s) with a device profile before "
	    "checks start", n);
	if ((rc = loop_run(d->loop)) != 0) {
		log_warnx("event loop failed: %s", strerror(-rc));
		return -1;
	}
	if (*d->opts->stop_flag)
		return 1;
	if (discovery_changed(d->disc))
		daemon_prime_reload(d);
	return 0;
}

int
daemon_run(struct config **cfgp, const struct daemon_opts *opts)
{
	struct config *cfg = *cfgp;
	struct daemon d = { .cfg = cfg, .cfgp = cfgp, .opts = opts };
	char err[512];
	size_t unresolved = 0;
	uid_t uid = 0;
	gid_t gid = 0;
	bool root = geteuid() == 0;
	int rc, ret = 1;

	d.start_time = (int64_t)time(NULL);
	if (root && priv_lookup(cfg->pharos_user, cfg->pharos_group, &uid,
	    &gid, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return 1;
	}
	if (loop_new(&d.loop) != 0) {
		log_warnx("cannot create the event loop");
		return 1;
	}
	loop_set_slack(d.loop, LOOP_CHECK_SLACK_NS);
	/* Stoppable from the start; given their callbacks when armed. */
	loop_timer_init(&d.annot_timer, NULL, NULL);
	loop_timer_init(&d.retain_timer, NULL, NULL);
	loop_timer_init(&d.notify_timer, NULL, NULL);
	loop_timer_init(&d.fresh_timer, NULL, NULL);
	if (stats_new(loop_clock(), &d.stats) != 0) {
		log_warnx("out of memory");
		goto out;
	}

	/* 1. Privileged: the ICMP sockets and the open files limit. */
	if (root)
		daemon_raise_nofile();
	err[0] = '\0';
	rc = icmp_new(d.loop, &d.icmp, err, sizeof(err));
	if (rc != 0) {
		log_warnx("icmp: %s", err[0] ? err : strerror(-rc));
		goto out;
	}
	icmp_set_pacing(d.icmp, LOOP_NS_PER_SEC / cfg->icmp_max_rate);
	if (daemon_arp_open(&d, root) != 0)
		goto out;
	/* SNMP traps: the engine ID file and the UDP sockets (port 162). */
	if (daemon_traps_open(&d, root, uid, gid) != 0)
		goto out;

	/* 2. Files and the query socket, handed to the daemon's user. */
	rc = evlog_open(cfg->log_file, &d.ev, err, sizeof(err));
	if (rc != 0) {
		log_warnx("%s", err);
		goto out;
	}
	if (root && evlog_chown(d.ev, uid, gid) != 0)
		log_warn("cannot give log_file to %s", cfg->pharos_user);
	daemon_archive_dir(&d, root, uid, gid);
	daemon_confarch_prepare(&d, root, uid, gid);
	if (cfg->query_socket != NULL) {
		rc = query_new(d.loop, cfg->query_socket, daemon_query, &d,
		    &d.query, err, sizeof(err));
		if (rc != 0) {
			log_warnx("query socket: %s", err);
			goto out;
		}
		if (root && chown(cfg->query_socket, uid, gid) != 0)
			log_warn("cannot give %s to %s", cfg->query_socket,
			    cfg->pharos_user);
	} else
		log_info("no query_socket configured: status queries are "
		    "off");
	if (loop_io_add(d.loop, opts->wake_fd, LOOP_READ, daemon_wake, &d) !=
	    0) {
		log_warnx("cannot watch the signal pipe");
		goto out;
	}

	if (daemon_remote_prepare(&d) != 0) /* the poller key, as root */
		goto out;

	/* 3. No privilege from here on. */
	if (priv_drop(uid, gid, err, sizeof(err)) != 0) {
		log_warnx("dropping privileges: %s", err);
		goto out;
	}
	if (root)
		log_info("running as %s:%s, no capabilities left (CapEff %llx)",
		    cfg->pharos_user, cfg->pharos_group, priv_cap_eff());

	/* 4. The metric store's writer thread, as the daemon's user. */
	if (cfg->rrd_dir != NULL) {
		struct store_options so = { 0 };

		so.rrdcached_address = cfg->rrdcached_address;
		rc = store_new(cfg->rrd_dir, &so, &d.store, err, sizeof(err));
		if (rc != 0) {
			log_warnx("metric store: %s", err);
			goto out;
		}
	}

	/* 5. Names to addresses, once. */
	if (resolve_hosts(&cfg->objects, &d.addresses, &unresolved) != 0) {
		log_warnx("out of memory");
		goto out;
	}
	if (unresolved > 0)
		evlog_write(d.ev, "Warning: %zu host address(es) could not be "
		    "resolved; see pharosd's messages", unresolved);

	/* 6. The SNMP poller (unprivileged UDP sockets, opened per agent on
	 * first use), its checks and discovery: hosts with a device_profile
	 * the discovery cache lacks are discovered before checks start. */
	if (snmp_poller_new(d.loop, NULL, &d.snmp) != 0 ||
	    snmp_checks_new(d.loop, d.snmp, &d.snmp_checks) != 0 ||
	    discovery_new(d.loop, d.snmp, cfg, d.addresses, d.ev,
	    &d.disc) != 0) {
		log_warnx("cannot start the SNMP poller");
		goto out;
	}
	if (daemon_remote_start(&d) != 0)
		goto out;
	if ((rc = daemon_prime(&d)) != 0) {
		ret = rc < 0 ? 1 : 0;
		goto out;
	}
	cfg = d.cfg;

	/* 7. The engine. */
	if (daemon_engine_new(&d, cfg, d.addresses, &d.exec, &d.sched,
	    &d.state) != 0) {
		log_warnx("out of memory");
		goto out;
	}
	evlog_write(d.ev, "Pharos %s starting... (PID=%ld)", PACKAGE_VERSION,
	    (long)getpid());
	evlog_write(d.ev, "LOG VERSION: 2.0");
	/* 8. Retained state, notifications, downtimes, external commands. */
	daemon_program_defaults(&d);
	if (daemon_notify_start(&d) != 0 || daemon_retain_start(&d) != 0 ||
	    daemon_event_start(&d) != 0 ||
	    daemon_commands_start(&d) != 0 ||
	    daemon_netaware_start(&d) != 0)
		goto out;
	daemon_annot_begin(&d);
	daemon_notify_rearm(&d); /* re-notifications of retained problems */
	state_log_current(d.state);
	sched_start(d.sched);
	discovery_start(d.disc);
	if (topology_run_new(d.loop, d.snmp, cfg, d.addresses, &d.topo) != 0)
		log_warnx("topology: out of memory; the saved topology is "
		    "not refreshed");
	topology_run_start(d.topo);
	if (d.archive_dir[0] != '\0' && evlog_set_rotation(d.ev, d.loop,
	    (enum logarch_method)cfg->log_rotation_method, d.archive_dir,
	    daemon_rotated, &d) != 0)
		log_warnx("event log rotation is off: out of memory");
	log_info("monitoring %zu hosts and %zu services",
	    cfg->objects.nhosts, cfg->objects.nservices);
	daemon_confarch_snapshot(&d);
	if (*opts->hup_flag && !*opts->stop_flag) { /* came during the start */
		*opts->hup_flag = 0;
		daemon_reload_signal(&d);
	}

	rc = loop_run(d.loop);
	if (rc != 0) {
		log_warnx("event loop failed: %s", strerror(-rc));
		goto out;
	}
	evlog_write(d.ev, "Caught SIGTERM, shutting down...");
	evlog_write(d.ev, "Successfully shutdown... (PID=%ld)",
	    (long)getpid());
	ret = 0;
out:
	daemon_free(&d);
	return ret;
}
