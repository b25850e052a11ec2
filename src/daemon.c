/*
 * daemon: start-up order matters and is written out in daemon_run():
 * privileged things first (ICMP sockets), files and the query socket next,
 * then the privilege drop, then the scheduler. Every module is owned here
 * and freed in reverse order. The status op of the query socket is answered
 * here because only the daemon sees all modules at once.
 */
#include "daemon.h"
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

#include "conf.h"
#include "discovery.h"
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
#include "store.h"


/* --- wiring between scheduler and state engine -------------------------- */

/* Every result's perfdata goes to the metric store (never blocking: the
 * store queues it for its writer thread), then to the state engine. */
void
daemon_host_result(void *arg, struct host *h, struct check_result *res)
{
	struct daemon *d = arg;

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

/* --- the status op ------------------------------------------------------ */

/* Monotonic deadline to epoch seconds, 0 when unset. */
static json_int_t
daemon_mono_to_epoch(const struct daemon *d, int64_t mono)
{
	int64_t delta;

	if (mono == 0)
		return 0;
	delta = mono - loop_now(d->loop);
	return (json_int_t)time(NULL) + (json_int_t)(delta / LOOP_NS_PER_SEC);
}

static json_t *
daemon_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static const char *
daemon_icmp_mode(const struct icmp *icmp, int family)
{
	enum icmp_mode m;

	if (!icmp_has_family(icmp, family))
		return "none";
	m = family == AF_INET ? icmp_get_mode(icmp) : icmp_get_mode6(icmp);
	return m == ICMP_MODE_RAW ? "raw" : "dgram";
}

/* A named counter of a module, for the status op. */
struct daemon_counter {
	const char *name;
	uint64_t v;
};

#define DAEMON_NCOUNTERS(f) (sizeof(f) / sizeof((f)[0]))

/* Add the counters to o (a new object when o is NULL); NULL when memory
 * ran out. */
static json_t *
daemon_counters_json(json_t *o, const struct daemon_counter *f, size_t n)
{
	size_t i;

	if (o == NULL)
		o = json_object();
	for (i = 0; o != NULL && i < n; i++)
		json_object_set_new(o, f[i].name,
		    json_integer((json_int_t)f[i].v));
	return o;
}

/* The prober's mode per family and every drop and pacing counter. */
static json_t *
daemon_icmp_json(const struct daemon *d)
{
	const struct icmp_counters *c = icmp_get_counters(d->icmp);
	const struct daemon_counter f[] = {
		{ "in_flight", icmp_pending(d->icmp) },
		{ "rx_packets", c->rx_packets },
		{ "rx_short", c->rx_short },
		{ "rx_bad_checksum", c->rx_bad_checksum },
		{ "rx_foreign", c->rx_foreign },
		{ "rx_bad_cookie", c->rx_bad_cookie },
		{ "rx_duplicate", c->rx_duplicate },
		{ "rx_late", c->rx_late },
		{ "rx_icmp_errors", c->rx_icmp_errors },
		{ "rx_kernel_drops", c->rx_kernel_drops },
		{ "rx_bad_timestamp", c->rx_bad_timestamp },
		{ "rx_batches", c->rx_batches },
		{ "tx_packets", c->tx_packets },
		{ "tx_errors", c->tx_errors },
		{ "tx_batches", c->tx_batches },
		{ "tx_paced", c->tx_paced },
		{ "ts_fallback", c->ts_fallback },
		{ "ts_unmatched", c->ts_unmatched },
	};
	json_t *o;

	o = json_pack("{s:s, s:s}", "mode", daemon_icmp_mode(d->icmp, AF_INET),
	    "mode6", daemon_icmp_mode(d->icmp, AF_INET6));
	return daemon_counters_json(o, f, DAEMON_NCOUNTERS(f));
}

static json_t *
daemon_query_json(const struct daemon *d)
{
	const struct query_counters *qc;

	if (d->query == NULL)
		return json_null();
	qc = query_get_counters(d->query);
	const struct daemon_counter f[] = {
		{ "requests", qc->requests },
		{ "bad_requests", qc->bad_requests },
		{ "oversized", qc->oversized },
		{ "refused_clients", qc->refused_clients },
	};
	return daemon_counters_json(NULL, f, DAEMON_NCOUNTERS(f));
}

static json_t *
daemon_plugins_json(const struct daemon *d)
{
	static const struct plugin_counters none;
	const struct plugin_counters *pc = d->exec != NULL ?
	    exec_get_plugin_counters(d->exec) : &none;
	const struct daemon_counter f[] = {
		{ "started", pc->started },
		{ "finished", pc->finished },
		{ "timed_out", pc->timed_out },
		{ "killed", pc->killed },
		{ "output_truncated", pc->output_truncated },
		{ "spawn_failed", pc->spawn_failed },
		{ "queued", pc->queued },
		{ "queued_max", pc->queued_max },
		{ "running", pc->running },
		{ "running_max", pc->running_max },
	};

	return daemon_counters_json(NULL, f, DAEMON_NCOUNTERS(f));
}

static json_t *
daemon_snmp_json(const struct daemon *d)
{
	struct snmp_counters c;

	snmp_poller_counters(d->snmp, &c);
	const struct daemon_counter f[] = {
		{ "pending", snmp_poller_pending(d->snmp) },
		{ "requests", c.requests },
		{ "ok", c.ok },
		{ "timeouts", c.timeouts },
		{ "errors", c.errors },
		{ "aborted", c.aborted },
		{ "pdus_sent", c.pdus_sent },
		{ "responses", c.responses },
		{ "stale", c.stale },
		{ "toobig_retries", c.toobig_retries },
		{ "sessions", c.sessions },
		{ "engine_probes", c.engine_probes },
		{ "agent_inflight_max", c.agent_inflight_max },
		{ "inflight_max", c.inflight_max },
		{ "malformed", c.malformed },
		{ "unauthenticated", c.unauthenticated },
		{ "unmatched", c.unmatched },
		{ "retransmits", c.retransmits },
		{ "toobig_splits", c.toobig_splits },
		{ "nosuchname_retries", c.nosuchname_retries },
	};
	struct snmp_check_counters k;
	struct discovery_counters dc;
	json_t *o;

	snmp_checks_counters(d->snmp_checks, &k);
	discovery_get_counters(d->disc, &dc);
	const struct daemon_counter checks[] = {
		{ "started", k.started },
		{ "finished", k.finished },
		{ "cancelled", k.cancelled },
		{ "if_resolves", k.resolves },
		{ "rate_entries", k.mem_entries },
		{ "rate_drops", k.mem_drops },
	};
	const struct daemon_counter disc[] = {
		{ "hosts", dc.hosts },
		{ "runs", dc.runs },
		{ "ok", dc.ok },
		{ "failed", dc.failed },
		{ "changed", dc.changed },
		{ "cache_writes", dc.cache_writes },
		{ "cache_errors", dc.cache_errors },
		{ "bad_profiles", dc.bad_profiles },
	};
	o = daemon_counters_json(NULL, f, DAEMON_NCOUNTERS(f));
	if (o != NULL) {
		json_object_set_new(o, "checks", daemon_counters_json(NULL,
		    checks, DAEMON_NCOUNTERS(checks)));
		json_object_set_new(o, "discovery", daemon_counters_json(NULL,
		    disc, DAEMON_NCOUNTERS(disc)));
	}
	return o;
}

static json_t *
daemon_store_json(const struct daemon *d)
{
	struct store_counters c;

	if (d->store == NULL)
		return json_null();
	store_get_counters(d->store, &c);
	const struct daemon_counter f[] = {
		{ "submitted", c.submitted },
		{ "written", c.written },
		{ "dropped_queue_full", c.dropped_queue_full },
		{ "bad_perfdata_items", c.bad_perfdata_items },
		{ "bad_names", c.bad_names },
		{ "rrd_errors", c.rrd_errors },
		{ "files_created", c.files_created },
		{ "ds_added", c.ds_added },
		{ "ds_refused", c.ds_refused },
		{ "coalesced", c.coalesced },
		{ "stale", c.stale },
	};
	return daemon_counters_json(NULL, f, DAEMON_NCOUNTERS(f));
}

static json_t *
daemon_program_json(const struct daemon *d)
{
	/* Before the engine exists (SNMP discovery at start), all zero. */
	static const struct sched_counters sc0;
	static const struct state_counters stc0;
	static const struct exec_counters ec0;
	const struct sched_counters *sc = d->sched != NULL ?
	    sched_get_counters(d->sched) : &sc0;
	const struct state_counters *stc = d->state != NULL ?
	    state_get_counters(d->state) : &stc0;
	const struct exec_counters *ec = d->exec != NULL ?
	    exec_get_counters(d->exec) : &ec0;
	const struct daemon_counter checks[] = {
		{ "host_checks", sc->host_checks },
		{ "host_checks_on_demand", sc->host_checks_on_demand },
		{ "service_checks", sc->service_checks },
		{ "running", ec->running },
		{ "parent_waits", stc->parent_waits },
		{ "overlapped_results", stc->overlapped_results },
		{ "host_alerts", stc->host_alerts },
		{ "service_alerts", stc->service_alerts },
	};

	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o}",
	    "version", PACKAGE_VERSION,
	    "pid", (json_int_t)getpid(),
	    "start_time", (json_int_t)d->start_time,
	    "now", (json_int_t)time(NULL),
	    "hosts", (json_int_t)d->cfg->objects.nhosts,
	    "services", (json_int_t)d->cfg->objects.nservices,
	    "icmp", daemon_icmp_json(d),
	    "snmp", daemon_snmp_json(d),
	    "checks", daemon_counters_json(NULL, checks,
	    DAEMON_NCOUNTERS(checks)),
	    "query", daemon_query_json(d),
	    "plugins", daemon_plugins_json(d),
	    "store", daemon_store_json(d),
	    "commands", daemon_commands_json(d),
	    "notifications", daemon_notify_json(d));
}

static void
daemon_status_common(const struct daemon *d, json_t *o,
    const struct check_status *cs, int max_attempts)
{
	json_object_set_new(o, "state_type",
	    json_string(state_type_name(cs->state_type)));
	json_object_set_new(o, "current_attempt",
	    json_integer(cs->current_attempt));
	json_object_set_new(o, "max_attempts", json_integer(max_attempts));
	json_object_set_new(o, "output", daemon_str(cs->output));
	json_object_set_new(o, "long_output", daemon_str(cs->long_output));
	json_object_set_new(o, "perfdata", daemon_str(cs->perfdata));
	json_object_set_new(o, "has_been_checked",
	    json_boolean(cs->has_been_checked));
	json_object_set_new(o, "last_check",
	    json_integer(cs->last_check_time));
	json_object_set_new(o, "last_state_change",
	    json_integer(cs->last_state_change_time));
	json_object_set_new(o, "last_hard_state_change",
	    json_integer(cs->last_hard_state_change_time));
	json_object_set_new(o, "next_check",
	    json_integer(daemon_mono_to_epoch(d, cs->next_check_ns)));
}

static json_t *
daemon_host_json(const struct daemon *d, const struct host *h)
{
	json_t *o, *parents;
	size_t i;

	parents = json_array();
	for (i = 0; i < h->nparents; i++)
		json_array_append_new(parents, json_string(h->parents[i]->name));
	o = json_pack("{s:s, s:s, s:s, s:o, s:b}", "name", h->name,
	    "address", h->address, "state", host_state_name(h->st.state),
	    "parents", parents,
	    "waiting_on_parents", d->state != NULL &&
	    state_host_waiting(d->state, h));
	if (o != NULL)
		daemon_status_common(d, o, &h->st, h->max_check_attempts);
	if (o != NULL)
		daemon_annot_json(d, h, NULL, o);
	return o;
}

static json_t *
daemon_service_json(const struct daemon *d, const struct service *s)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s}", "host", s->host->name,
	    "description", s->description,
	    "state", service_state_name(s->st.state));
	if (o != NULL)
		daemon_status_common(d, o, &s->st, s->max_check_attempts);
	if (o != NULL)
		daemon_annot_json(d, s->host, s, o);
	return o;
}

/* True when name is among the strings of arr (NULL arr matches all). */
static bool
daemon_in_list(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;

	if (arr == NULL)
		return true;
	json_array_foreach(arr, i, v) {
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

static int
daemon_string_list(json_t *req, const char *key, json_t **out, char *err,
    size_t errlen)
{
	json_t *arr = json_object_get(req, key);
	size_t i;
	json_t *v;

	*out = NULL;
	if (arr == NULL)
		return 0;
	if (!json_is_array(arr))
		goto bad;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			goto bad;
	}
	*out = arr;
	return 0;
bad:
	snprintf(err, errlen, "'%s' must be a list of strings", key);
	return -1;
}

static int
daemon_op_status(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen)
{
	const struct objects *o = &d->cfg->objects;
	json_t *names, *states = NULL, *filter, *hosts, *services;
	size_t i;

	if (daemon_string_list(req, "hosts", &names, err, errlen) != 0)
		return -1;
	filter = json_object_get(req, "filter");
	if (filter != NULL) {
		if (!json_is_object(filter)) {
			snprintf(err, errlen, "'filter' must be an object");
			return -1;
		}
		if (daemon_string_list(filter, "states", &states, err,
		    errlen) != 0)
			return -1;
	}
	/* auth_user is reserved: accepted, not enforced yet. */

	hosts = json_array();
	services = json_array();
	for (i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];

		if (!daemon_in_list(names, h->name) ||
		    !daemon_in_list(states, host_state_name(h->st.state)))
			continue;
		json_array_append_new(hosts, daemon_host_json(d, h));
	}
	for (i = 0; i < o->nservices; i++) {
		const struct service *s = o->services[i];

		if (!daemon_in_list(names, s->host->name) ||
		    !daemon_in_list(states, service_state_name(s->st.state)))
			continue;
		json_array_append_new(services, daemon_service_json(d, s));
	}
	*data = json_pack("{s:o, s:o, s:o, s:o}", "program",
	    daemon_program_json(d), "hosts", hosts, "services", services,
	    "annotations", daemon_annot_lists_json(d));
	if (*data == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
daemon_query(const char *op, json_t *req, json_t **data, char *err,
    size_t errlen, void *arg)
{
	struct daemon *d = arg;

	if (strcmp(op, "status") == 0)
		return daemon_op_status(d, req, data, err, errlen);
	if (strcmp(op, "command") == 0)
		return daemon_op_command(d, req, data, err, errlen);
	snprintf(err, errlen, "unknown op '%s'", op);
	return -1;
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
	if (*d->opts->hup_flag) {
		*d->opts->hup_flag = 0;
		log_warnx("SIGHUP: configuration reload is not available in "
		    "this version; restart pharosd to apply changes");
		evlog_write(d->ev, "Warning: reload requested; restart "
		    "required to apply configuration changes");
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
	daemon_commands_stop(d);
	if (d->sched != NULL)
		sched_stop(d->sched);
	daemon_event_stop(d);
	daemon_retain_stop(d); /* writes the retention file */
	daemon_notify_stop(d);
	exec_free(d->exec); /* aborts jobs: the stopped scheduler drops them */
	snmp_checks_free(d->snmp_checks);
	discovery_free(d->disc);
	snmp_poller_free(d->snmp);
	sched_free(d->sched);
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

/* Load the configuration again, now with the discovered services. On
 * errors the configuration loaded at start stays. */
static void
daemon_reload(struct daemon *d)
{
	struct config *nc = NULL;
	char **addrs = NULL;
	size_t unresolved = 0;

	if (conf_load(d->cfg->main_file, &nc) != 0 || nc->nerrors > 0) {
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
		daemon_reload(d);
	return 0;
}

int
daemon_run(struct config **cfgp, const struct daemon_opts *opts)
{
	struct config *cfg = *cfgp;
	struct daemon d = { .cfg = cfg, .cfgp = cfgp, .opts = opts };
	struct sched_handler sh = {
		.host_result = daemon_host_result,
		.service_result = daemon_service_result,
		.arg = &d,
	};
	struct state_ops so = {
		.host_check_now = daemon_check_now,
		.host_next = daemon_host_next,
		.service_next = daemon_service_next,
		.applied = daemon_applied,
		.arg = &d,
	};
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
	/* Stoppable from the start; given their callbacks when armed. */
	loop_timer_init(&d.annot_timer, NULL, NULL);
	loop_timer_init(&d.retain_timer, NULL, NULL);
	loop_timer_init(&d.notify_timer, NULL, NULL);
	loop_timer_init(&d.fresh_timer, NULL, NULL);

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

	/* 2. Files and the query socket, handed to the daemon's user. */
	rc = evlog_open(cfg->log_file, &d.ev, err, sizeof(err));
	if (rc != 0) {
		log_warnx("%s", err);
		goto out;
	}
	if (root && evlog_chown(d.ev, uid, gid) != 0)
		log_warn("cannot give log_file to %s", cfg->pharos_user);
	daemon_archive_dir(&d, root, uid, gid);
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
		rc = store_new(cfg->rrd_dir, NULL, &d.store, err, sizeof(err));
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
	if ((rc = daemon_prime(&d)) != 0) {
		ret = rc < 0 ? 1 : 0;
		goto out;
	}
	cfg = d.cfg;

	/* 7. The engine. */
	if (exec_new(d.loop, d.icmp, d.snmp_checks, cfg, &d.exec) != 0 ||
	    sched_new(d.loop, d.exec, &cfg->objects,
	    (const char *const *)d.addresses, &sh, &d.sched) != 0 ||
	    state_new(&cfg->objects, &so, d.ev, &d.state) != 0) {
		log_warnx("out of memory");
		goto out;
	}
	sched_set_timeouts(d.sched,
	    (int64_t)cfg->host_check_timeout * LOOP_NS_PER_SEC,
	    (int64_t)cfg->service_check_timeout * LOOP_NS_PER_SEC);
	evlog_write(d.ev, "Pharos %s starting... (PID=%ld)", PACKAGE_VERSION,
	    (long)getpid());
	evlog_write(d.ev, "LOG VERSION: 2.0");
	/* 8. Retained state, notifications, downtimes, external commands. */
	if (daemon_retain_start(&d) != 0 || daemon_notify_start(&d) != 0 ||
	    daemon_event_start(&d) != 0 ||
	    daemon_commands_start(&d) != 0)
		goto out;
	daemon_annot_begin(&d);
	state_log_current(d.state);
	sched_start(d.sched);
	discovery_start(d.disc);
	if (d.archive_dir[0] != '\0' && evlog_set_rotation(d.ev, d.loop,
	    (enum logarch_method)cfg->log_rotation_method, d.archive_dir,
	    daemon_rotated, &d) != 0)
		log_warnx("event log rotation is off: out of memory");
	log_info("monitoring %zu hosts and %zu services",
	    cfg->objects.nhosts, cfg->objects.nservices);

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
