/*
 * daemon_status: the status op of the query socket (docs/query-protocol.md):
 * the program's counters (every module's) and each host's and service's
 * status, read from the live objects. Answered by the daemon because only
 * it sees all modules at once; before the engine exists (SNMP discovery at
 * start) its counters read as zero.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "daemon_int.h"
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

	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o,"
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

int
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
