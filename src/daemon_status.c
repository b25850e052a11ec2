/*
 * daemon_status: the status op of the query socket (docs/query-protocol.md):
 * the program's counters (every module's) and each host's and service's
 * status, read from the live objects. Answered by the daemon because only
 * it sees all modules at once; before the engine exists (SNMP discovery at
 * start) its counters read as zero.
 */
#include <jansson.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "annot.h"
#include "conf.h"
#include "daemon_authz.h"
#include "daemon_int.h"
#include "discover.h"
#include "discovery.h"
#include "exec.h"
#include "icmp.h"
#include "loop.h"
#include "plugin.h"
#include "query.h"
#include "sched.h"
#include "snmp.h"
#include "snmp_check.h"
#include "state.h"
#include "store.h"

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
		{ "signaled", pc->signaled },
		{ "output_truncated", pc->output_truncated },
		{ "output_held", pc->output_held },
		{ "spawn_failed", pc->spawn_failed },
		{ "aborted", pc->aborted },
		{ "queued", pc->queued },
		{ "queue_len", pc->queue_len },
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
		{ "rrdcached_connected", c.rrdcached_connected },
		{ "reconnects", c.reconnects },
		{ "sent", c.sent },
		{ "acked", c.acked },
		{ "replayed", c.replayed },
		{ "replayed_already_applied", c.replayed_already_applied },
		{ "rrdcached_errors", c.rrdcached_errors },
		{ "rrdcached_dropped", c.rrdcached_dropped },
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
		{ "skipped_dependency", sc->skipped_dependency },
		{ "service_checks", sc->service_checks },
		{ "running", ec->running },
		{ "parent_waits", stc->parent_waits },
		{ "overlapped_results", stc->overlapped_results },
		{ "host_alerts", stc->host_alerts },
		{ "service_alerts", stc->service_alerts },
	};

	json_t *o;

	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o, s:o}",
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
	    "notifications", daemon_notify_json(d),
	    "config", daemon_reload_json(d));
	if (o != NULL) /* the program-wide switches (daemon_cmd.c) */
		daemon_program_json_into(d, o);
	return o;
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

/* The names of the hosts of v (n of them) the requester sees. */
static json_t *
daemon_host_names(const struct daemon_view *v, struct host *const *hv,
    size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		if (daemon_view_host(v, hv[i]))
			json_array_append_new(a, json_string(hv[i]->name));
	return a;
}

/* What discovery knows of h (sysDescr, interfaces), or null: its copy
 * in memory, as a cache entry, never the file (on the event loop). */
static json_t *
daemon_host_facts(const struct daemon *d, const struct host *h)
{
	const struct discover_result *r = discovery_get(d->disc, h->name);
	char *text;
	json_t *e;

	if (r == NULL || (text = discover_result_json(r, h->name)) == NULL)
		return json_null();
	e = json_loads(text, 0, NULL);
	free(text);
	if (e == NULL)
		return json_null();
	json_object_del(e, "host");
	json_object_del(e, "services"); /* check commands: config */
	return e;
}

/* Whether h is the monitor's own host (monitor_host_name, default
 * "pharos" as in conf_monitor.c; "-": none): the map's root. */
static bool
daemon_is_monitor(const struct daemon *d, const struct host *h)
{
	const char *mon = d->cfg->monitor_host_name != NULL ?
	    d->cfg->monitor_host_name : "pharos";

	return strcmp(mon, "-") != 0 && strcmp(h->name, mon) == 0;
}

/* Whether o is acknowledged, in downtime: 1 acknowledged, 2 in
 * downtime, 0 neither. */
static int
daemon_handled(const struct daemon *d, const struct host *h,
    const struct service *s)
{
	const char *svc = s != NULL ? s->description : NULL;

	if (d->annot == NULL)
		return 0;
	if (annot_ack_get(d->annot, h->name, svc) != NULL)
		return 1;
	return annot_in_downtime(d->annot, h->name, svc) > 0 ? 2 : 0;
}

/* The fields lists need, for large answers ("brief"). */
static json_t *
daemon_brief_json(const struct daemon *d, const struct daemon_view *v,
    const struct host *h, const struct service *s)
{
	const struct check_status *cs = s != NULL ? &s->st : &h->st;
	int hd = daemon_handled(d, h, s);
	json_t *o;

	if (s != NULL)
		o = json_pack("{s:s, s:s, s:s, s:i, s:i}", "host", h->name,
		    "description", s->description, "state",
		    service_state_name(cs->state), "current_attempt",
		    cs->current_attempt, "max_attempts", s->max_check_attempts);
	else
		o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:I}", "name",
		    h->name, "address", h->address, "state",
		    host_state_name(cs->state), "parents",
		    daemon_host_names(v, h->parents, h->nparents), "children",
		    daemon_host_names(v, h->children, h->nchildren),
		    "nservices", (json_int_t)h->nservices);
	if (o == NULL)
		return NULL;
	if (s == NULL && daemon_is_monitor(d, h))
		json_object_set_new(o, "monitor", json_true());
	json_object_set_new(o, "state_type",
	    json_string(state_type_name(cs->state_type)));
	json_object_set_new(o, "output", daemon_str(cs->output));
	json_object_set_new(o, "last_check", json_integer(cs->last_check_time));
	json_object_set_new(o, "last_state_change",
	    json_integer(cs->last_state_change_time));
	json_object_set_new(o, "acknowledged", json_boolean(hd == 1));
	json_object_set_new(o, "scheduled_downtime_depth",
	    json_integer(hd == 2));
	if (hd == 1) {
		const struct annot_ack *ack = annot_ack_get(d->annot, h->name,
		    s != NULL ? s->description : NULL);

		json_object_set_new(o, "acknowledgement", json_pack(
		    "{s:s, s:s}", "author", ack->author, "comment",
		    ack->comment));
	}
	return o;
}

/* counts[state name] = {total, unhandled, acknowledged, downtime}. */
static void
daemon_count(json_t *counts, const char *state, int handled)
{
	static const char *const keys[] = { "unhandled", "acknowledged",
		"downtime" };
	json_t *c = json_object_get(counts, state);

	if (c == NULL) {
		c = json_pack("{s:i, s:i, s:i, s:i}", "total", 0, "unhandled",
		    0, "acknowledged", 0, "downtime", 0);
		if (c == NULL || json_object_set_new(counts, state, c) != 0)
			return;
	}
	json_object_set_new(c, "total", json_integer(json_integer_value(
	    json_object_get(c, "total")) + 1));
	json_object_set_new(c, keys[handled], json_integer(json_integer_value(
	    json_object_get(c, keys[handled])) + 1));
}

static json_t *
daemon_host_json(const struct daemon *d, const struct daemon_view *v,
    const struct host *h, bool details)
{
	json_t *o, *groups;
	size_t i;

	groups = json_array();
	for (i = 0; groups != NULL && i < h->ngroups; i++)
		json_array_append_new(groups, json_string(h->groups[i]->name));
	o = json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:o, s:o, s:o, s:I, s:b}",
	    "name", h->name, "alias", h->alias, "display_name",
	    h->display_name, "address", h->address,
	    "state", host_state_name(h->st.state),
	    "parents", daemon_host_names(v, h->parents, h->nparents),
	    "children", daemon_host_names(v, h->children, h->nchildren),
	    "hostgroups", groups, "nservices", (json_int_t)h->nservices,
	    "waiting_on_parents", d->state != NULL &&
	    state_host_waiting(d->state, h));
	if (o != NULL)
		daemon_status_common(d, o, &h->st, h->max_check_attempts);
	if (o != NULL)
		daemon_annot_json(d, h, NULL, o);
	if (o != NULL && details)
		json_object_set_new(o, "snmp", daemon_host_facts(d, h));
	if (o != NULL && daemon_is_monitor(d, h))
		json_object_set_new(o, "monitor", json_true());
	return o;
}

static json_t *
daemon_service_json(const struct daemon *d, const struct service *s)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s?, s:s}", "host", s->host->name,
	    "description", s->description, "display_name", s->display_name,
	    "state", service_state_name(s->st.state));
	if (o != NULL)
		daemon_status_common(d, o, &s->st, s->max_check_attempts);
	if (o != NULL)
		daemon_annot_json(d, s->host, s, o);
	return o;
}

/* Keep the comments and downtimes of objects the requester sees. */
static json_t *
daemon_annot_visible(const struct daemon_view *v, json_t *lists)
{
	const char *keys[] = { "comments", "downtimes" };
	json_t *arr, *e;
	size_t k, i;

	if (v->user == NULL || lists == NULL)
		return lists;
	for (k = 0; k < 2; k++) {
		arr = json_object_get(lists, keys[k]);
		for (i = json_array_size(arr); i-- > 0;) {
			e = json_array_get(arr, i);
			if (!daemon_view_names(v, json_string_value(
			    json_object_get(e, "host")), json_string_value(
			    json_object_get(e, "service"))))
				json_array_remove(arr, i);
		}
	}
	return lists;
}

/* The hostgroups with at least one member the requester sees, and those
 * members. */
static json_t *
daemon_hostgroups_json(const struct daemon *d, const struct daemon_view *v)
{
	const struct objects *o = &d->cfg->objects;
	json_t *a = json_array(), *m;
	size_t i;

	for (i = 0; a != NULL && i < o->nhostgroups; i++) {
		const struct hostgroup *g = o->hostgroups[i];

		m = daemon_host_names(v, g->members, g->nmembers);
		if (json_array_size(m) == 0) {
			json_decref(m);
			continue;
		}
		json_array_append_new(a, json_pack("{s:s, s:s?, s:o}", "name",
		    g->name, "alias", g->alias, "members", m));
	}
	return a;
}

/* The program as a user without authorized_for_system_information sees
 * it: no counters, no configuration; counts of what they see. */
static json_t *
daemon_program_user(const struct daemon *d, size_t nh, size_t ns)
{
	return json_pack("{s:s, s:I, s:I, s:I, s:I}", "version",
	    PACKAGE_VERSION, "start_time", (json_int_t)d->start_time, "now",
	    (json_int_t)time(NULL), "hosts", (json_int_t)nh, "services",
	    (json_int_t)ns);
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

/* Keep only the keys of o named in fields (NULL: all); o returned. */
static json_t *
daemon_keep_fields(json_t *o, json_t *fields)
{
	const char *k;
	json_t *v;
	void *tmp;

	if (o == NULL || fields == NULL)
		return o;
	json_object_foreach_safe(o, tmp, k, v) {
		if (!daemon_in_list(fields, k))
			json_object_del(o, k);
	}
	return o;
}

/* Lists for a page of a large network: filtered by a hostgroup and a
 * text, sorted, and cut to one page (offset, limit). */
enum daemon_sort { DAEMON_SORT_NONE, DAEMON_SORT_STATE, DAEMON_SORT_NAME,
	DAEMON_SORT_AGE };

struct daemon_list_opts {
	const char *match;     /* NULL: any */
	const char *hostgroup; /* NULL: any */
	enum daemon_sort sort;
	size_t offset, limit;  /* limit 0: all */
};

static int
daemon_severity(const char *st)
{
	static const char *const order[] = { "DOWN", "CRITICAL",
		"UNREACHABLE", "UNKNOWN", "WARNING", "PENDING", "UP", "OK" };
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (strcmp(st, order[i]) == 0)
			return (int)i;
	return 99;
}

static int
daemon_cmp_status(const struct check_status *a, const struct check_status *b,
    const char *sa, const char *sb, enum daemon_sort k)
{
	if (k == DAEMON_SORT_STATE)
		return daemon_severity(sa) - daemon_severity(sb);
	if (k == DAEMON_SORT_AGE) /* oldest change first */
		return a->last_state_change_time < b->last_state_change_time ?
		    -1 : a->last_state_change_time > b->last_state_change_time;
	return 0;
}

static int
daemon_cmp_host(const void *x, const void *y, void *arg)
{
	const struct host *a = *(const struct host *const *)x;
	const struct host *b = *(const struct host *const *)y;
	int r = daemon_cmp_status(&a->st, &b->st, host_state_name(a->st.state),
	    host_state_name(b->st.state), *(const enum daemon_sort *)arg);

	return r != 0 ? r : strcmp(a->name, b->name);
}

static int
daemon_cmp_service(const void *x, const void *y, void *arg)
{
	const struct service *a = *(const struct service *const *)x;
	const struct service *b = *(const struct service *const *)y;
	int r = daemon_cmp_status(&a->st, &b->st,
	    service_state_name(a->st.state), service_state_name(b->st.state),
	    *(const enum daemon_sort *)arg);

	if (r == 0)
		r = strcmp(a->host->name, b->host->name);
	return r != 0 ? r : strcmp(a->description, b->description);
}

static bool
daemon_in_group(const struct host *h, const char *group)
{
	size_t i;

	if (group == NULL)
		return true;
	for (i = 0; i < h->ngroups; i++)
		if (strcmp(h->groups[i]->name, group) == 0)
			return true;
	return false;
}

static bool
daemon_has_text(const char *s, const char *match)
{
	return s != NULL && strcasestr(s, match) != NULL;
}

static bool
daemon_host_matches(const struct host *h, const char *match)
{
	return match == NULL || daemon_has_text(h->name, match) ||
	    daemon_has_text(h->address, match) ||
	    daemon_has_text(h->st.output, match);
}

static bool
daemon_service_matches(const struct service *s, const char *match)
{
	return match == NULL || daemon_host_matches(s->host, match) ||
	    daemon_has_text(s->description, match) ||
	    daemon_has_text(s->st.output, match);
}

static int
daemon_list_opts(json_t *req, struct daemon_list_opts *lo, char *err,
    size_t errlen)
{
	json_t *v;
	const char *k;

	memset(lo, 0, sizeof(*lo));
	if ((v = json_object_get(req, "match")) != NULL) {
		if (!json_is_string(v) || json_string_length(v) > 256) {
			snprintf(err, errlen, "'match' must be a string of at "
			    "most 256 bytes");
			return -1;
		}
		lo->match = json_string_length(v) > 0 ? json_string_value(v) :
		    NULL;
	}
	if ((v = json_object_get(req, "hostgroup")) != NULL) {
		if (!json_is_string(v)) {
			snprintf(err, errlen, "'hostgroup' must be a string");
			return -1;
		}
		lo->hostgroup = json_string_value(v);
	}
	if ((v = json_object_get(req, "sort")) != NULL) {
		k = json_string_value(v);
		if (k != NULL && strcmp(k, "state") == 0)
			lo->sort = DAEMON_SORT_STATE;
		else if (k != NULL && strcmp(k, "name") == 0)
			lo->sort = DAEMON_SORT_NAME;
		else if (k != NULL && strcmp(k, "age") == 0)
			lo->sort = DAEMON_SORT_AGE;
		else {
			snprintf(err, errlen, "'sort' must be state, name or "
			    "age");
			return -1;
		}
	}
	if ((v = json_object_get(req, "offset")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			snprintf(err, errlen, "'offset' must be 0 or more");
			return -1;
		}
		lo->offset = (size_t)json_integer_value(v);
	}
	if ((v = json_object_get(req, "limit")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			snprintf(err, errlen, "'limit' must be 1 or more");
			return -1;
		}
		lo->limit = (size_t)json_integer_value(v);
	}
	return 0;
}

/* The slice [offset, offset + limit) of n. */
static void
daemon_slice(const struct daemon_list_opts *lo, size_t n, size_t *from,
    size_t *to)
{
	*from = lo->offset < n ? lo->offset : n;
	*to = lo->limit > 0 && lo->limit < n - *from ? *from + lo->limit : n;
}

int
daemon_op_status(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen)
{
	const struct objects *o = &d->cfg->objects;
	json_t *names, *states = NULL, *filter, *hosts, *services, *program;
	json_t *counts, *show, *fields, *groups;
	const struct host **hv = NULL;
	const struct service **sv = NULL;
	struct daemon_list_opts lo;
	struct daemon_view v;
	size_t i, nh = 0, ns = 0, nhv = 0, nsv = 0, from, to;
	bool details, brief, with_hosts, with_services, unhandled = false;
	int hd;

	if (daemon_view_init(d, req, &v, err, errlen) != 0)
		goto fail;
	if (daemon_string_list(req, "hosts", &names, err, errlen) != 0 ||
	    daemon_string_list(req, "fields", &fields, err, errlen) != 0 ||
	    daemon_list_opts(req, &lo, err, errlen) != 0)
		goto fail;
	filter = json_object_get(req, "filter");
	if (filter != NULL) {
		if (!json_is_object(filter)) {
			snprintf(err, errlen, "'filter' must be an object");
			goto fail;
		}
		if (daemon_string_list(filter, "states", &states, err,
		    errlen) != 0)
			goto fail;
		unhandled = json_is_true(json_object_get(filter,
		    "unhandled"));
	}
	brief = json_is_true(json_object_get(req, "brief"));
	if ((show = json_object_get(req, "show")) != NULL &&
	    (!json_is_string(show) || (strcmp(json_string_value(show),
	    "all") != 0 && strcmp(json_string_value(show), "hosts") != 0 &&
	    strcmp(json_string_value(show), "services") != 0))) {
		snprintf(err, errlen, "'show' must be all, hosts or services");
		goto fail;
	}
	with_hosts = show == NULL ||
	    strcmp(json_string_value(show), "services") != 0;
	with_services = show == NULL ||
	    strcmp(json_string_value(show), "hosts") != 0;
	/* Host details (SNMP facts) when one host is asked for. */
	details = json_array_size(names) == 1 && !brief;
	hv = calloc(o->nhosts + 1, sizeof(*hv));
	sv = calloc(o->nservices + 1, sizeof(*sv));
	if (hv == NULL || sv == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}

	counts = json_pack("{s:{}, s:{}}", "hosts", "services");
	for (i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];
		const char *st = host_state_name(h->st.state);

		if (!daemon_view_host(&v, h))
			continue;
		nh++;
		hd = daemon_handled(d, h, NULL);
		daemon_count(json_object_get(counts, "hosts"), st, hd);
		if (with_hosts && (!unhandled || hd == 0) &&
		    daemon_in_list(names, h->name) &&
		    daemon_in_list(states, st) &&
		    daemon_in_group(h, lo.hostgroup) &&
		    daemon_host_matches(h, lo.match))
			hv[nhv++] = h;
	}
	for (i = 0; i < o->nservices; i++) {
		const struct service *s = o->services[i];
		const char *st = service_state_name(s->st.state);

		if (!daemon_view_service(&v, s))
			continue;
		ns++;
		hd = daemon_handled(d, s->host, s);
		daemon_count(json_object_get(counts, "services"), st, hd);
		if (with_services && (!unhandled || hd == 0) &&
		    daemon_in_list(names, s->host->name) &&
		    daemon_in_list(states, st) &&
		    daemon_in_group(s->host, lo.hostgroup) &&
		    daemon_service_matches(s, lo.match))
			sv[nsv++] = s;
	}
	if (lo.sort != DAEMON_SORT_NONE) {
		qsort_r(hv, nhv, sizeof(*hv), daemon_cmp_host, &lo.sort);
		qsort_r(sv, nsv, sizeof(*sv), daemon_cmp_service, &lo.sort);
	}
	hosts = json_array();
	daemon_slice(&lo, nhv, &from, &to);
	for (i = from; i < to; i++)
		json_array_append_new(hosts, daemon_keep_fields(brief ?
		    daemon_brief_json(d, &v, hv[i], NULL) :
		    daemon_host_json(d, &v, hv[i], details), fields));
	services = json_array();
	daemon_slice(&lo, nsv, &from, &to);
	for (i = from; i < to; i++)
		json_array_append_new(services, daemon_keep_fields(brief ?
		    daemon_brief_json(d, &v, sv[i]->host, sv[i]) :
		    daemon_service_json(d, sv[i]), fields));
	groups = daemon_hostgroups_json(d, &v);
	for (i = 0; fields != NULL && i < json_array_size(groups); i++)
		daemon_keep_fields(json_array_get(groups, i), fields);
	program = daemon_view_has(&v, AUTHZ_SYSTEM_INFORMATION) ?
	    daemon_program_json(d) : daemon_program_user(d, nh, ns);
	*data = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:I}}",
	    "program", program, "hosts", hosts, "services", services,
	    "counts", counts, "annotations", daemon_annot_visible(&v,
	    daemon_annot_lists_json(d)), "hostgroups", groups, "matched",
	    "hosts", (json_int_t)nhv, "services", (json_int_t)nsv);
	if (*data == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	free(hv);
	free(sv);
	daemon_view_close(&v);
	return 0;
fail:
	free(hv);
	free(sv);
	daemon_view_close(&v);
	return -1;
}
