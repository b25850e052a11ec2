/*
 * daemon_reload: SIGHUP and the query socket's "reload" op
 * (docs/reload.md), and the snapshots of every configuration loaded.
 *
 * A reload loads the main file again, as at start. A configuration with
 * errors is refused: its errors are logged with their file and line and
 * answered, and the running one stays. Otherwise it runs in two steps:
 *
 * 1. prepare, touching nothing that runs (a failure frees what was made
 *    and keeps the old engine): host addresses resolved, time periods
 *    compiled once as a check, discovery, executor, scheduler and state
 *    engine made for the new objects, flap arrays allocated, and the map
 *    from each new host and service to the old one of the same name;
 * 2. commit: the old scheduler stopped, every object's notification state
 *    saved, notifications and event handlers stopped, the old executor
 *    freed (running checks are aborted and their results dropped, as at
 *    shutdown), the new pieces installed, and each host and service that
 *    still exists gets back its status, check and notification switches,
 *    flap history, notification state and its next check time (so an
 *    object checked a moment ago is not checked again in a burst; objects
 *    whose check was running are checked at once, new ones are spread over
 *    their first interval as at start). New objects start PENDING;
 *    annotations of objects that are gone are dropped.
 *
 * Kept as they are: the loop, ICMP prober, SNMP poller and SNMP checks
 * (their rate memory is by name), query socket, command FIFO and external
 * commands, event log, metric store, annotations and retention. The
 * main-file keys these were made from keep their running value; a changed
 * one is logged as "restart required".
 *
 * Invariant: between the two steps nothing runs (a reload is synchronous
 * on the loop), so no callback sees half an engine.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "annot.h"
#include "command.h"
#include "conf.h"
#include "confarch.h"
#include "daemon_int.h"
#include "discovery.h"
#include "topology_run.h"
#include "evlog.h"
#include "exec.h"
#include "log.h"
#include "notify.h"
#include "resolve.h"
#include "sched.h"
#include "state.h"
#include "timeperiod.h"

#define DAEMON_RELOAD_LOGGED 100 /* diagnostics logged per reload */
#define DAEMON_NONE ((size_t)-1)

/* Main-file keys read only when pharosd starts: what they made (the
 * privilege drop, sockets, files, threads) stays as it is. */
static const struct {
	const char *name;
	size_t off;
	bool str;
} daemon_restart_keys[] = {
	{ "pharos_user", offsetof(struct config, pharos_user), true },
	{ "pharos_group", offsetof(struct config, pharos_group), true },
	{ "query_socket", offsetof(struct config, query_socket), true },
	{ "command_file", offsetof(struct config, command_file), true },
	{ "log_file", offsetof(struct config, log_file), true },
	{ "log_archive_path", offsetof(struct config, log_archive_path), true },
	{ "log_rotation_method", offsetof(struct config, log_rotation_method),
	    false },
	{ "rrd_dir", offsetof(struct config, rrd_dir), true },
	{ "state_retention_file", offsetof(struct config,
	    state_retention_file), true },
	{ "config_archive_dir", offsetof(struct config, config_archive_dir),
	    true },
	{ "icmp_max_rate", offsetof(struct config, icmp_max_rate), false },
};

/* What a reload makes before it touches the running engine. */
struct daemon_next {
	struct config *cfg;
	char **addrs;
	struct discovery *disc;
	struct exec *exec;
	struct sched *sched;
	struct state *state;
	struct flap *host_flap, *svc_flap;
	size_t *hmap, *smap;        /* new index -> old index, or NONE */
	struct notify_state *saved; /* old hosts, then old services */
	size_t kept_hosts, kept_services;
};

static void
daemon_next_free(struct daemon_next *n)
{
	sched_free(n->sched);
	exec_free(n->exec);
	state_free(n->state);
	discovery_free(n->disc);
	free(n->host_flap);
	free(n->svc_flap);
	free(n->hmap);
	free(n->smap);
	free(n->saved);
	if (n->cfg != NULL)
		resolve_free(n->addrs, n->cfg->objects.nhosts);
	conf_free(n->cfg);
	memset(n, 0, sizeof(*n));
}

/* ---- diagnostics ------------------------------------------------------- */

static void
daemon_msg_text(const struct conf_msg *m, char *buf, size_t len)
{
	const char *lvl = m->level == CONF_ERROR ? "error" : "warning";

	if (m->file != NULL && m->line > 0)
		snprintf(buf, len, "%s:%d: %s: %s", m->file, m->line, lvl,
		    m->text);
	else if (m->file != NULL)
		snprintf(buf, len, "%s: %s: %s", m->file, lvl, m->text);
	else
		snprintf(buf, len, "%s: %s", lvl, m->text);
}

/* Log the diagnostics of one level; with err, also add the errors to it
 * (as many as fit). */
static void
daemon_reload_msgs(const struct config *nc, enum conf_level level,
    char *err, size_t errlen)
{
	char line[1024];
	size_t i, len, n = 0, shown = 0;

	for (i = 0; i < nc->nmsgs; i++) {
		if (nc->msgs[i].level != level)
			continue;
		daemon_msg_text(&nc->msgs[i], line, sizeof(line));
		if (n++ < DAEMON_RELOAD_LOGGED)
			log_warnx("reload: %s", line);
		if (err == NULL || (len = strlen(err)) + strlen(line) + 64 >=
		    errlen)
			continue;
		snprintf(err + len, errlen - len, "\n%s", line);
		shown++;
	}
	if (err != NULL && shown < nc->nerrors) {
		len = strlen(err);
		snprintf(err + len, errlen - len, "\n(%zu more; see pharosd -v "
		    "%s)", (size_t)nc->nerrors - shown, nc->main_file);
	}
}

static void
daemon_reload_refuse(struct daemon *d, const struct config *nc, char *err,
    size_t errlen)
{
	size_t i;
	char line[1024];

	snprintf(err, errlen, "%u error(s) in the configuration; still "
	    "running the previous one", nc->nerrors);
	daemon_reload_msgs(nc, CONF_ERROR, err, errlen);
	evlog_write(d->ev, "Error: Configuration reload failed: %u error(s); "
	    "still running the previous configuration", nc->nerrors);
	for (i = 0; i < nc->nmsgs; i++)
		if (nc->msgs[i].level == CONF_ERROR) {
			daemon_msg_text(&nc->msgs[i], line, sizeof(line));
			evlog_write(d->ev, "Error: %s", line);
			break; /* the first; the rest are in pharosd's log */
		}
}

/* Keys that need a restart keep their running value in the new
 * configuration (string values are swapped: the old configuration, freed
 * after the reload, takes the new ones). */
static void
daemon_restart_keys_keep(struct daemon *d, struct config *nc, json_t *warn)
{
	size_t i;

	for (i = 0; i < sizeof(daemon_restart_keys) /
	    sizeof(daemon_restart_keys[0]); i++) {
		size_t off = daemon_restart_keys[i].off;
		const char *name = daemon_restart_keys[i].name;

		if (daemon_restart_keys[i].str) {
			char **o = (char **)(void *)((char *)d->cfg + off);
			char **n = (char **)(void *)((char *)nc + off);
			char *t;

			if ((*o == NULL && *n == NULL) || (*o != NULL &&
			    *n != NULL && strcmp(*o, *n) == 0))
				continue;
			t = *o;
			*o = *n;
			*n = t;
		} else {
			int *o = (int *)(void *)((char *)d->cfg + off);
			int *n = (int *)(void *)((char *)nc + off);

			if (*o == *n)
				continue;
			*n = *o;
		}
		log_warnx("reload: restart required for %s; the running value "
		    "stays until pharosd restarts", name);
		evlog_write(d->ev, "Warning: restart required for %s; the "
		    "running value stays until pharosd restarts", name);
		json_array_append_new(warn, json_sprintf("restart required "
		    "for %s", name));
	}
}

/* ---- prepare ----------------------------------------------------------- */

static void
daemon_tp_silent(void *arg, const struct timeperiod *src, const char *msg)
{
	log_warnx("reload: %s:%d: %s", src->loc.file, src->loc.line, msg);
	(void)arg;
}

static int
daemon_reload_prepare(struct daemon *d, struct daemon_next *nx, char *err,
    size_t errlen)
{
	const struct objects *oo = &d->cfg->objects, *no = &nx->cfg->objects;
	struct tp_table *tps = NULL;
	size_t i, unresolved = 0;
	int rc;

	rc = timeperiod_table_new(no, daemon_tp_silent, d, &tps);
	timeperiod_table_free(tps);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "invalid time periods (see pharosd's "
		    "log); still running the previous configuration");
		return -1;
	}
	if (rc != 0 || resolve_hosts(no, &nx->addrs, &unresolved) != 0)
		goto oom;
	if (unresolved > 0)
		evlog_write(d->ev, "Warning: %zu host address(es) could not be "
		    "resolved; see pharosd's messages", unresolved);
	nx->host_flap = calloc(no->nhosts + 1, sizeof(*nx->host_flap));
	nx->svc_flap = calloc(no->nservices + 1, sizeof(*nx->svc_flap));
	nx->hmap = calloc(no->nhosts + 1, sizeof(*nx->hmap));
	nx->smap = calloc(no->nservices + 1, sizeof(*nx->smap));
	nx->saved = calloc(oo->nhosts + oo->nservices + 1,
	    sizeof(*nx->saved));
	if (nx->host_flap == NULL || nx->svc_flap == NULL ||
	    nx->hmap == NULL || nx->smap == NULL || nx->saved == NULL)
		goto oom;
	if (discovery_new(d->loop, d->snmp, nx->cfg, nx->addrs, d->ev,
	    &nx->disc) != 0 || daemon_engine_new(d, nx->cfg, nx->addrs,
	    &nx->exec, &nx->sched, &nx->state) != 0)
		goto oom;
	for (i = 0; i < no->nhosts; i++) {
		const struct host *oh = objects_host_find(oo,
		    no->hosts[i]->name);

		nx->hmap[i] = oh != NULL ? oh->index : DAEMON_NONE;
		nx->kept_hosts += oh != NULL;
	}
	for (i = 0; i < no->nservices; i++) {
		const struct service *s = no->services[i];
		const struct service *os = objects_service_find(oo,
		    s->host->name, s->description);

		nx->smap[i] = os != NULL ? os->index : DAEMON_NONE;
		nx->kept_services += os != NULL;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory; still running the previous "
	    "configuration");
	return -1;
}

/* ---- commit ------------------------------------------------------------ */

/* Move from's status to to (its strings too; from is freed later). */
static void
daemon_take_status(struct check_status *to, struct check_status *from,
    int max_attempts)
{
	free(to->output);
	free(to->long_output);
	free(to->perfdata);
	*to = *from;
	from->output = from->long_output = from->perfdata = NULL;
	if (to->current_attempt > max_attempts)
		to->current_attempt = max_attempts;
}

/* Status, switches and flap history of every object that stays. */
static void
daemon_transfer(struct daemon *d, struct config *oc, struct daemon_next *nx)
{
	const struct objects *no = &d->cfg->objects, *oo = &oc->objects;
	size_t i;

	for (i = 0; i < no->nhosts; i++) {
		struct host *h = no->hosts[i], *oh;

		if (nx->hmap[i] == DAEMON_NONE)
			continue;
		oh = oo->hosts[nx->hmap[i]];
		daemon_take_status(&h->st, &oh->st, h->max_check_attempts);
		h->active_checks_enabled = oh->active_checks_enabled;
		h->opts.notifications_enabled = oh->opts.notifications_enabled;
		nx->host_flap[i] = d->host_flap[oh->index];
	}
	for (i = 0; i < no->nservices; i++) {
		struct service *s = no->services[i], *os;

		if (nx->smap[i] == DAEMON_NONE)
			continue;
		os = oo->services[nx->smap[i]];
		daemon_take_status(&s->st, &os->st, s->max_check_attempts);
		s->active_checks_enabled = os->active_checks_enabled;
		s->opts.notifications_enabled = os->opts.notifications_enabled;
		nx->svc_flap[i] = d->svc_flap[os->index];
	}
}

static void
daemon_notify_save(struct daemon *d, struct notify_state *saved)
{
	const struct objects *o = &d->cfg->objects;
	size_t i;

	for (i = 0; d->notify != NULL && i < o->nhosts; i++)
		notify_get_state(d->notify, o->hosts[i], NULL, &saved[i]);
	for (i = 0; d->notify != NULL && i < o->nservices; i++)
		notify_get_state(d->notify, o->services[i]->host,
		    o->services[i], &saved[o->nhosts + i]);
}

static void
daemon_notify_restore(struct daemon *d, const struct daemon_next *nx,
    size_t old_nhosts)
{
	const struct objects *o = &d->cfg->objects;
	int64_t now = (int64_t)time(NULL);
	size_t i;

	for (i = 0; i < o->nhosts; i++)
		if (nx->hmap[i] != DAEMON_NONE)
			notify_set_state(d->notify, o->hosts[i], NULL,
			    &nx->saved[nx->hmap[i]], now);
	for (i = 0; i < o->nservices; i++)
		if (nx->smap[i] != DAEMON_NONE)
			notify_set_state(d->notify, o->services[i]->host,
			    o->services[i], &nx->saved[old_nhosts +
			    nx->smap[i]], now);
}

/* The next check of an object that stays: when it was due, within one
 * interval of the new configuration from now. */
static void
daemon_rearm(struct daemon *d, const struct daemon_next *nx)
{
	const struct objects *o = &d->cfg->objects;
	int64_t now = loop_now(d->loop), t;
	size_t i;

	for (i = 0; i < o->nhosts; i++) {
		struct host *h = o->hosts[i];

		if (nx->hmap[i] == DAEMON_NONE || h->st.next_check_ns <= 0 ||
		    !h->active_checks_enabled || h->check_interval_ns <= 0)
			continue;
		t = h->st.next_check_ns;
		if (t > now + h->check_interval_ns)
			t = now + h->check_interval_ns;
		sched_host_next(d->sched, h, t);
	}
	for (i = 0; i < o->nservices; i++) {
		struct service *s = o->services[i];

		if (nx->smap[i] == DAEMON_NONE || s->st.next_check_ns <= 0 ||
		    !s->active_checks_enabled || s->check_interval_ns <= 0)
			continue;
		t = s->st.next_check_ns;
		if (t > now + s->check_interval_ns)
			t = now + s->check_interval_ns;
		sched_service_next(d->sched, s, t);
	}
}

static bool
daemon_still_exists(void *arg, const char *host, const char *service)
{
	struct daemon *d = arg;

	return service != NULL ? objects_service_find(&d->cfg->objects, host,
	    service) != NULL : objects_host_find(&d->cfg->objects, host) !=
	    NULL;
}

/* Replace the engine by nx's (taken). Returns 0, or -1 when memory ran
 * out half way: the daemon cannot go on. */
static int
daemon_reload_commit(struct daemon *d, struct daemon_next *nx)
{
	struct config *oc = d->cfg;
	char **oaddrs = d->addresses;
	size_t onh = oc->objects.nhosts, pruned;

	sched_stop(d->sched);
	daemon_notify_save(d, nx->saved);
	daemon_event_stop(d);
	daemon_notify_stop(d);
	exec_free(d->exec); /* aborts checks, the stopped sched drops them */
	sched_free(d->sched);
	state_free(d->state);
	discovery_free(d->disc);

	d->cfg = *d->cfgp = nx->cfg;
	d->addresses = nx->addrs;
	d->disc = nx->disc;
	d->exec = nx->exec;
	d->sched = nx->sched;
	d->state = nx->state;
	if (d->commands != NULL)
		commands_set_objects(d->commands, &d->cfg->objects);
	daemon_transfer(d, oc, nx);
	free(d->host_flap);
	free(d->svc_flap);
	d->host_flap = nx->host_flap;
	d->svc_flap = nx->svc_flap;
	nx->cfg = NULL;
	nx->addrs = NULL;
	nx->disc = NULL;
	nx->exec = NULL;
	nx->sched = NULL;
	nx->state = NULL;
	nx->host_flap = nx->svc_flap = NULL;
	resolve_free(oaddrs, onh);
	conf_free(oc);

	if (daemon_notify_start(d) != 0 || daemon_event_start(d) != 0)
		return -1;
	daemon_notify_restore(d, nx, onh);
	daemon_notify_rearm(d);
	pruned = annot_prune(d->annot, daemon_still_exists, d);
	if (pruned > 0) {
		log_info("reload: %zu comments, downtimes or acknowledgements "
		    "of objects no longer configured dropped", pruned);
		(void)daemon_annot_sync(d);
	}
	sched_start(d->sched);
	daemon_rearm(d, nx);
	discovery_start(d->disc);
	/* the saved topology's refresh follows the new hosts */
	topology_run_free(d->topo);
	if (topology_run_new(d->loop, d->snmp, d->cfg, d->addresses,
	    &d->topo) != 0)
		log_warnx("topology: out of memory; the saved topology is "
		    "not refreshed");
	topology_run_start(d->topo);
	return 0;
}

/* ---- the reload -------------------------------------------------------- */

static int
daemon_reload_run(struct daemon *d, const char *why, json_t **data,
    char *err, size_t errlen)
{
	struct daemon_next nx = { 0 };
	size_t onh = d->cfg->objects.nhosts, ons = d->cfg->objects.nservices;
	json_t *warn;
	int rc;

	evlog_write(d->ev, "%s", why);
	log_info("%s", why);
	if (d->sched == NULL || d->commands == NULL) {
		snprintf(err, errlen, "pharosd is starting; try again");
		log_warnx("reload: %s", err);
		return -1;
	}
	d->last_reload = (int64_t)time(NULL);
	rc = conf_load_flags(d->cfg->main_file, CONF_MONITOR_HOST, &nx.cfg);
	if (rc != 0 || nx.cfg->nerrors > 0) {
		if (rc != 0)
			snprintf(err, errlen, "out of memory reading the "
			    "configuration; still running the previous one");
		else
			daemon_reload_refuse(d, nx.cfg, err, errlen);
		goto refused;
	}
	daemon_reload_msgs(nx.cfg, CONF_WARNING, NULL, 0);
	if (daemon_reload_prepare(d, &nx, err, errlen) != 0)
		goto refused;
	if ((warn = json_array()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto refused;
	}
	daemon_restart_keys_keep(d, nx.cfg, warn);
	daemon_traps_reload(d, nx.cfg, warn);
	if (daemon_reload_commit(d, &nx) != 0) {
		daemon_next_free(&nx);
		json_decref(warn);
		log_warnx("reload: out of memory while replacing the engine; "
		    "stopping");
		evlog_write(d->ev, "Error: out of memory during a reload; "
		    "shutting down");
		loop_stop(d->loop);
		snprintf(err, errlen, "out of memory during the reload; "
		    "pharosd stops");
		return -1;
	}
	d->reloads++;
	evlog_write(d->ev, "Configuration reloaded: %zu hosts, %zu services",
	    d->cfg->objects.nhosts, d->cfg->objects.nservices);
	log_info("configuration reloaded: %zu hosts (%zu kept, %zu new, %zu "
	    "gone), %zu services (%zu kept, %zu new, %zu gone)",
	    d->cfg->objects.nhosts, nx.kept_hosts, d->cfg->objects.nhosts -
	    nx.kept_hosts, onh - nx.kept_hosts, d->cfg->objects.nservices,
	    nx.kept_services, d->cfg->objects.nservices - nx.kept_services,
	    ons - nx.kept_services);
	daemon_confarch_snapshot(d);
	if (data != NULL)
		*data = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s?, s:o}",
		    "hosts", (json_int_t)d->cfg->objects.nhosts,
		    "services", (json_int_t)d->cfg->objects.nservices,
		    "hosts_kept", (json_int_t)nx.kept_hosts,
		    "services_kept", (json_int_t)nx.kept_services,
		    "hosts_removed", (json_int_t)(onh - nx.kept_hosts),
		    "services_removed", (json_int_t)(ons - nx.kept_services),
		    "snapshot", d->config_snapshot[0] != '\0' ?
		    d->config_snapshot : NULL, "warnings", warn);
	else
		json_decref(warn);
	daemon_next_free(&nx);
	return 0;
refused:
	d->reload_failures++;
	if (nx.cfg == NULL || nx.cfg->nerrors == 0) {
		log_warnx("reload: %s", err);
		evlog_write(d->ev, "Error: Configuration reload failed: %s",
		    err);
	}
	daemon_next_free(&nx);
	return -1;
}

void
daemon_reload_signal(struct daemon *d)
{
	char err[512];

	err[0] = '\0';
	(void)daemon_reload_run(d, "Caught SIGHUP, restarting...", NULL, err,
	    sizeof(err));
}

/* {"v":1,"op":"reload"} */
int
daemon_op_reload(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen)
{
	(void)req;
	if (daemon_reload_run(d, "Reload requested on the query socket, "
	    "restarting...", data, err, errlen) != 0)
		return -1;
	if (*data == NULL) {
		snprintf(err, errlen, "reloaded, but out of memory for the "
		    "answer");
		return -1;
	}
	return 0;
}

json_t *
daemon_reload_json(const struct daemon *d)
{
	return json_pack("{s:s?, s:s?, s:I, s:I, s:I}", "snapshot",
	    d->config_snapshot[0] != '\0' ? d->config_snapshot : NULL,
	    "archive", d->cfg->config_archive_dir,
	    "reloads", (json_int_t)d->reloads,
	    "reload_failures", (json_int_t)d->reload_failures,
	    "last_reload", (json_int_t)d->last_reload);
}

/* ---- configuration snapshots ------------------------------------------- */

void
daemon_confarch_prepare(struct daemon *d, bool root, uid_t uid, gid_t gid)
{
	const char *dir = d->cfg->config_archive_dir;

	if (dir == NULL)
		return;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		log_warn("cannot create %s; configuration snapshots may fail",
		    dir);
	else if (root && chown(dir, uid, gid) != 0)
		log_warn("cannot give %s to %s", dir, d->cfg->pharos_user);
}

void
daemon_confarch_snapshot(struct daemon *d)
{
	const char *dir = d->cfg->config_archive_dir;
	const char *const *files;
	size_t n = conf_files(d->cfg, &files);
	char id[CONFARCH_ID_MAX], err[512];
	bool created;

	if (dir == NULL || n == 0)
		return;
	if (confarch_snapshot(dir, files, n, (int64_t)time(NULL), id,
	    sizeof(id), &created, err, sizeof(err)) != 0) {
		log_warnx("configuration snapshot: %s", err);
		evlog_write(d->ev, "Warning: configuration snapshot failed: %s",
		    err);
		d->config_snapshot[0] = '\0';
		return;
	}
	snprintf(d->config_snapshot, sizeof(d->config_snapshot), "%s", id);
	if (created)
		log_info("configuration snapshot %s saved in %s (%zu files)",
		    id, dir, n);
	if (confarch_set_running(dir, id, err, sizeof(err)) != 0)
		log_warnx("configuration snapshot: %s", err);
}
