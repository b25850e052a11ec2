/*
 * topology_run: the daemon's periodic refresh of the saved topology (see
 * topology_run.h).
 *
 * Data: one netdisc_dev per host (its name, checked address and SNMP
 * target) and beside it the host's running parents (copied: they are
 * only compared and logged, never changed), one loop timer, and the
 * netdisc run in flight (at most one). Each run starts from empty
 * tables; its done callback infers the tree, logs the hosts whose
 * running parents differ, writes the file and arms the timer for the
 * next run. Freeing cancels the run with `closing` set, so its done
 * callback only lets go.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "loop.h"
#include "netdisc.h"
#include "objects.h"
#include "topology.h"
#include "topology_file.h"
#include "topology_run.h"

/* monitor_host_name's default (conf_monitor.c). */
#define TR_MONITOR "pharos"
#define TR_PARENTS 512 /* a host's running parents, comma-separated */

/* What one host of the running configuration has, and what was last
 * logged of a difference. */
struct tr_host {
	char parents[TR_PARENTS];    /* "" none; truncated: not compared */
	bool truncated;
	char logged[NETDISC_NAME_MAX + 1]; /* inferred parent last logged */
	bool has_logged;
};

struct topology_run {
	struct loop *loop;
	struct snmp_poller *poller;
	struct netdisc_dev *dev;
	struct tr_host *run_h;     /* parallel to dev */
	size_t n;
	char path[4096];
	int64_t interval_ns;
	struct loop_timer timer;
	struct netdisc_run *run;   /* in flight, or NULL */
	bool closing;
};

static bool
tr_used(const struct config *cfg)
{
	return cfg->default_parents_auto || cfg->topology_file != NULL ||
	    cfg->topology_auto_used;
}

static void
tr_arm(struct topology_run *tr, int64_t delay_ns)
{
	if (loop_timer_start(tr->loop, &tr->timer, loop_clock() + delay_ns) !=
	    0)
		log_warnx("topology: cannot arm its timer (out of memory)");
}

/* Is name one of the comma-separated list? */
static bool
tr_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p != '\0';) {
		const char *c = strchr(p, ',');
		size_t l = c != NULL ? (size_t)(c - p) : strlen(p);

		if (l == n && strncmp(p, name, n) == 0)
			return true;
		p += l + (c != NULL);
	}
	return false;
}

/* The place of dev[i], named name: host i of t when netdisc_feed()
 * registered every dev in order (all named, none twice), so no search. */
static int
tr_place(const struct topo *t, size_t i, const char *name,
    struct topo_place *p)
{
	if (topo_place_get(t, i, p) == 0 && strcmp(p->name, name) == 0)
		return 0;
	return topo_place_find(t, name, p);
}

/* Log, once per new inference, a host whose inferred parent is not among
 * its running parents: the running parents do not move until a reload. */
static void
tr_log_changes(struct topology_run *tr, const struct topo *t)
{
	for (size_t i = 0; i < tr->n; i++) {
		struct tr_host *rh = &tr->run_h[i];
		struct topo_place p;
		const char *want;

		if (rh->truncated || tr_place(t, i, tr->dev[i].name, &p) != 0 ||
		    !p.placed)
			continue;
		want = p.parent != NULL ? p.parent : "";
		if ((want[0] == '\0' && rh->parents[0] == '\0') ||
		    (want[0] != '\0' && tr_in_list(rh->parents, want)))
			continue;
		if (rh->has_logged && strcmp(rh->logged, want) == 0)
			continue;
		log_info("topology: host '%s': the topology says parent %s "
		    "(%s evidence), the running configuration has %s; "
		    "running parents stay until a reload (parents auto "
		    "takes it then)",
		    tr->dev[i].name, want[0] ? want : "none (next to the "
		    "monitor)", topo_ev_kind_name(p.kind), rh->parents[0] ?
		    rh->parents : "none");
		snprintf(rh->logged, sizeof(rh->logged), "%s", want);
		rh->has_logged = true;
	}
}

static void
tr_done(void *arg)
{
	struct topology_run *tr = arg;
	struct topo_counters c;
	struct topo *t = NULL;
	unsigned route_fail = 0;
	size_t i, placed = 0, silent = 0;
	char err[512];

	tr->run = NULL;
	if (tr->closing)
		return;
	for (i = 0; i < tr->n; i++)
		silent += !tr->dev[i].snmp_ok;
	if (netdisc_topology(tr->dev, tr->n, &t, &route_fail) != 0) {
		log_warnx("topology: out of memory; %s not written", tr->path);
	} else {
		for (i = 0; i < topo_nhosts(t); i++) {
			struct topo_place p;

			placed += topo_place_get(t, i, &p) == 0 && p.placed;
		}
		topo_counters(t, &c);
		tr_log_changes(tr, t);
		if (topo_file_save(tr->path, t, err, sizeof(err)) != 0)
			log_warnx("topology: %s", err);
		else
			log_info("topology: saved %zu of %zu hosts to %s "
			    "(%llu evidence rows used, %zu hosts without "
			    "SNMP, %u routes unknown)", placed, tr->n, tr->path,
			    (unsigned long long)c.used, silent, route_fail);
		topo_free(t);
	}
	tr_arm(tr, tr->interval_ns);
}

static void
tr_fire(struct loop *loop, struct loop_timer *timer, void *arg)
{
	struct topology_run *tr = arg;
	size_t i;

	(void)loop;
	(void)timer;
	if (tr->run != NULL)
		return;
	for (i = 0; i < tr->n; i++) {
		struct netdisc_dev *d = &tr->dev[i];

		netdisc_dev_clear(d);
		d->snmp_ok = false;
		d->error[0] = d->sysdescr[0] = d->sysobjectid[0] = '\0';
		d->sysname[0] = d->engine_id[0] = '\0';
		d->dropped = 0;
		d->failed_walks = 0;
	}
	if (netdisc_start(tr->poller, tr->dev, tr->n,
	    NETDISC_SYSTEM | NETDISC_TABLES, NULL, 0, tr_done, tr,
	    &tr->run) == 0) {
		log_warnx("topology: nothing to poll");
		tr_arm(tr, tr->interval_ns);
	}
}

int
topology_run_new(struct loop *loop, struct snmp_poller *poller,
    const struct config *cfg, char *const *addresses,
    struct topology_run **out)
{
	const struct objects *o = &cfg->objects;
	const char *mon = cfg->monitor_host_name != NULL ?
	    cfg->monitor_host_name : TR_MONITOR;
	struct topology_run *tr;
	size_t i;

	*out = NULL;
	if (!tr_used(cfg))
		return 0;
	tr = calloc(1, sizeof(*tr));
	if (tr == NULL)
		return -ENOMEM;
	tr->dev = calloc(o->nhosts ? o->nhosts : 1, sizeof(*tr->dev));
	tr->run_h = calloc(o->nhosts ? o->nhosts : 1, sizeof(*tr->run_h));
	if (tr->dev == NULL || tr->run_h == NULL) {
		free(tr->dev);
		free(tr->run_h);
		free(tr);
		return -ENOMEM;
	}
	tr->loop = loop;
	tr->poller = poller;
	tr->interval_ns = (int64_t)(cfg->discovery_interval > 0 ?
	    cfg->discovery_interval : CONF_DEFAULT_DISCOVERY_INTERVAL) *
	    LOOP_NS_PER_SEC;
	topo_file_default(cfg->topology_file, cfg->state_retention_file,
	    cfg->main_file, tr->path, sizeof(tr->path));
	loop_timer_init(&tr->timer, tr_fire, tr);
	for (i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];
		const char *a = addresses != NULL && addresses[i] != NULL ?
		    addresses[i] : h->address;
		struct netdisc_dev *d = &tr->dev[tr->n];
		struct tr_host *rh = &tr->run_h[tr->n];
		size_t k, l = 0;

		if (strlen(a) >= sizeof(d->addr) ||
		    strlen(h->name) >= sizeof(d->name) ||
		    strcmp(h->name, mon) == 0) /* the root itself */
			continue;
		if (h->snmp != NULL) {
			d->t = *h->snmp;
		} else {
			d->t.version = SNMP_V2C;
			snprintf(d->t.community, sizeof(d->t.community),
			    "public");
		}
		d->t.timeout_ns = LOOP_NS_PER_SEC;
		d->t.retries = 1;
		snprintf(d->addr, sizeof(d->addr), "%s", a);
		snprintf(d->t.addr, sizeof(d->t.addr), "%s", a);
		snprintf(d->name, sizeof(d->name), "%s", h->name);
		for (k = 0; k < h->nparents && !rh->truncated; k++) {
			int w = snprintf(rh->parents + l, sizeof(rh->parents) -
			    l, "%s%s", k ? "," : "", h->parents[k]->name);

			if (w < 0 || (size_t)w >= sizeof(rh->parents) - l)
				rh->truncated = true;
			else
				l += (size_t)w;
		}
		tr->n++;
	}
	*out = tr;
	return 0;
}

void
topology_run_start(struct topology_run *tr)
{
	if (tr != NULL)
		tr_arm(tr, TOPOLOGY_RUN_FIRST_NS);
}

void
topology_run_free(struct topology_run *tr)
{
	size_t i;

	if (tr == NULL)
		return;
	tr->closing = true;
	loop_timer_stop(tr->loop, &tr->timer);
	if (tr->run != NULL)
		netdisc_cancel(tr->run);
	for (i = 0; i < tr->n; i++)
		netdisc_dev_clear(&tr->dev[i]);
	free(tr->dev);
	free(tr->run_h);
	free(tr);
}
