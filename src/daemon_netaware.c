/*
 * daemon_netaware: monitor isolation (docs/network-awareness.md).
 *
 * pharosd follows its own links and routes through probes/netlink.h. For
 * every host with a literal address it keeps the interface its route last
 * went out of, and whether the monitor is cut off from it: the route's
 * interface is down (no carrier, or administratively down), or the host
 * had a route and has none any more. Such a host is isolated: its checks
 * and its services' checks are paused (skipped through the scheduler's
 * may_run hook; results of checks already running are dropped, so no DOWN
 * nor CRITICAL is ever decided from them), and one problem is raised on
 * the monitor itself instead, through its "Pharos health" service:
 * "monitor isolated from N hosts via IF". When the route and link return,
 * the hosts and their services are checked at once; results of checks
 * that started before that moment are dropped and checked again.
 *
 * Trade-offs, said plainly: a host never reachable (a route out of a link
 * that is up) since the start is not isolated: it is checked and goes
 * DOWN, as a misconfiguration should, and a monitor started while its
 * uplink is down alerts as it always did. Each evaluation asks the kernel once per host
 * (a local round trip, no network); bursts of link and route events are
 * coalesced into one evaluation per loop pass, and a failing result is
 * checked against the kernel before it is believed, so a result that
 * arrives before the link event is read is never taken for an outage.
 *
 * Hosts checked by a remote poller are never isolated: their checks do
 * not go through the monitor's links.
 *
 * State: struct netaware, one entry per host index of the running
 * configuration; rebuilt (isolation carried over by host name) after a
 * reload.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "conf.h"
#include "daemon_int.h"
#include "evlog.h"
#include "log.h"
#include "netlink.h"
#include "sched.h"

#define NA_GROUPS_MAX 32 /* distinct interfaces named in one message */

struct na_host {
	char *name;          /* owned copy, to carry state over a reload */
	struct sockaddr_storage addr;
	bool has_addr;
	bool seen_up;        /* reachable (route, link up) at some time since
				start or reload */
	bool isolated;
	char ifname[NETLINK_IFNAME_MAX]; /* where its route last went */
	int64_t resumed_ns;  /* results of checks started earlier dropped */
};

struct netaware {
	struct daemon *d;
	struct netlink *nl;
	struct loop_timer eval_timer; /* coalesces bursts of events */
	bool dirty;                   /* events since the last evaluation */
	uint64_t built_reloads;       /* d->reloads the table was built for */
	bool built;
	struct na_host *hosts;
	size_t nhosts;
	size_t nisolated;
	uint64_t dropped_isolated;    /* results dropped while isolated */
	uint64_t dropped_stale;       /* results of checks from before */
};

static void
na_free_hosts(struct na_host *hs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(hs[i].name);
	free(hs);
}

/* The table for the running configuration; entries of hosts that were
 * there before a reload keep their state. */
static int
na_build(struct netaware *na)
{
	struct daemon *d = na->d;
	const struct objects *o = &d->cfg->objects;
	struct na_host *hs;
	size_t old = 0;

	hs = calloc(o->nhosts > 0 ? o->nhosts : 1, sizeof(*hs));
	if (hs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];
		const char *a = d->addresses != NULL &&
		    d->addresses[i] != NULL ? d->addresses[i] : h->address;
		struct na_host *prev = NULL;

		hs[i].name = strdup(h->name);
		if (hs[i].name == NULL) {
			na_free_hosts(hs, i);
			return -ENOMEM;
		}
		/* Hosts a remote poller checks are not behind our links. */
		hs[i].has_addr = h->poller == NULL && netlink_addr_parse(a,
		    &hs[i].addr);
		/* The same host most often keeps its place. */
		if (i < na->nhosts && strcmp(na->hosts[i].name, h->name) == 0)
			prev = &na->hosts[i];
		for (size_t k = 0; prev == NULL && k < na->nhosts; k++) {
			size_t j = (old + k) % na->nhosts;
			if (strcmp(na->hosts[j].name, h->name) == 0) {
				prev = &na->hosts[j];
				old = j + 1;
			}
		}
		if (prev != NULL) {
			hs[i].seen_up = prev->seen_up;
			hs[i].isolated = prev->isolated;
			memcpy(hs[i].ifname, prev->ifname, sizeof(hs[i].ifname));
			hs[i].resumed_ns = prev->resumed_ns;
		}
	}
	na_free_hosts(na->hosts, na->nhosts);
	na->hosts = hs;
	na->nhosts = o->nhosts;
	na->built = true;
	na->built_reloads = d->reloads;
	na->dirty = true;
	return 0;
}

/* Ask the kernel about one host: isolated now? Updates seen_up and
 * ifname. */
static bool
na_host_cut_off(struct netaware *na, struct na_host *nh)
{
	struct netlink_route r;
	char err[256];
	int rc;

	if (!nh->has_addr)
		return false;
	rc = netlink_route_get(na->nl, (const struct sockaddr *)&nh->addr, &r,
	    err, sizeof(err));
	if (rc == 0) {
		if (r.ifname[0] != '\0')
			memcpy(nh->ifname, r.ifname, sizeof(nh->ifname));
		if (r.link_up) {
			nh->seen_up = true;
			return false;
		}
		log_debug("netaware: %s: route via %s, link down", nh->name,
		    r.ifname);
		return nh->seen_up;
	}
	if (rc == -ENETUNREACH || rc == -EHOSTUNREACH)
		return nh->seen_up;
	log_debug("netaware: %s: %s", nh->name, err);
	return false;
}

struct na_group {
	const char *ifname;
	size_t n;
};

static void
na_count(struct na_group *g, size_t *ng, const char *ifname)
{
	const char *name = ifname[0] != '\0' ? ifname : "?";

	for (size_t i = 0; i < *ng; i++)
		if (strcmp(g[i].ifname, name) == 0) {
			g[i].n++;
			return;
		}
	if (*ng < NA_GROUPS_MAX) {
		g[*ng].ifname = name;
		g[*ng].n = 1;
		(*ng)++;
	} else
		g[NA_GROUPS_MAX - 1].n++;
}

/* Check the monitor's health service(s) now: the isolation shows there. */
static void
na_health_now(struct netaware *na)
{
	const struct objects *o = &na->d->cfg->objects;

	for (size_t i = 0; i < o->nservices; i++) {
		struct service *s = o->services[i];
		if (s->check.command != NULL &&
		    s->check.command->builtin == BUILTIN_SELF &&
		    s->check.nargs > 0 &&
		    strcmp(s->check.args[0], "health") == 0)
			sched_service_check_now(na->d->sched, s);
	}
}

static void
na_resume(struct netaware *na, size_t i, int64_t now)
{
	struct host *h = na->d->cfg->objects.hosts[i];

	na->hosts[i].resumed_ns = now;
	if (h->active_checks_enabled)
		sched_host_check_now(na->d->sched, h);
	for (size_t k = 0; k < h->nservices; k++)
		if (h->services[k]->active_checks_enabled)
			sched_service_check_now(na->d->sched, h->services[k]);
}

/* Evaluate every host; log and act on what changed. */
static void
na_evaluate(struct netaware *na)
{
	struct na_group cut[NA_GROUPS_MAX], back[NA_GROUPS_MAX];
	size_t ncut = 0, nback = 0, nisolated = 0;
	int64_t now;
	bool *was;

	if (!na->built || na->built_reloads != na->d->reloads) {
		if (na_build(na) != 0) {
			log_warnx("netaware: out of memory");
			return;
		}
	}
	na->dirty = false;
	if (na->d->sched == NULL)
		return;
	loop_update_time(na->d->loop);
	now = loop_now(na->d->loop);
	was = calloc(na->nhosts > 0 ? na->nhosts : 1, sizeof(*was));
	if (was == NULL) {
		log_warnx("netaware: out of memory");
		return;
	}
	for (size_t i = 0; i < na->nhosts; i++) {
		struct na_host *nh = &na->hosts[i];
		was[i] = nh->isolated;
		nh->isolated = na_host_cut_off(na, nh);
		if (nh->isolated != was[i])
			log_debug("netaware: %s %s via %s", nh->name,
			    nh->isolated ? "cut off" : "reachable again",
			    nh->ifname[0] != '\0' ? nh->ifname : "?");
		if (nh->isolated)
			nisolated++;
		if (nh->isolated && !was[i])
			na_count(cut, &ncut, nh->ifname);
		else if (!nh->isolated && was[i])
			na_count(back, &nback, nh->ifname);
	}
	na->nisolated = nisolated;
	for (size_t g = 0; g < ncut; g++)
		evlog_write(na->d->ev, "MONITOR ISOLATED: %s;%zu hosts;checks "
		    "paused", cut[g].ifname, cut[g].n);
	for (size_t g = 0; g < nback; g++)
		evlog_write(na->d->ev, "MONITOR RECONNECTED: %s;%zu hosts;"
		    "checking them now", back[g].ifname, back[g].n);
	for (size_t i = 0; i < na->nhosts; i++)
		if (was[i] && !na->hosts[i].isolated)
			na_resume(na, i, now);
	free(was);
	if (ncut > 0 || nback > 0)
		na_health_now(na);
}

static void
na_eval_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct netaware *na = arg;

	(void)loop;
	(void)t;
	if (na->dirty)
		na_evaluate(na);
}

static void
na_changed(struct netlink *nl, enum netlink_change what, int ifindex,
    void *arg)
{
	struct netaware *na = arg;

	(void)nl;
	(void)ifindex;
	if (what != NETLINK_CHG_LINK && what != NETLINK_CHG_ROUTE)
		return;
	na->dirty = true;
	if (!loop_timer_active(&na->eval_timer) &&
	    loop_timer_start(na->d->loop, &na->eval_timer,
	    loop_now(na->d->loop)) != 0)
		na_evaluate(na); /* no timer: at once */
}

int
daemon_netaware_start(struct daemon *d)
{
	struct netaware *na;
	char err[256] = "";
	int rc;

	na = calloc(1, sizeof(*na));
	if (na == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	na->d = d;
	loop_timer_init(&na->eval_timer, na_eval_timer, na);
	rc = netlink_new(d->loop, &na->nl, err, sizeof(err));
	if (rc != 0) {
		/* Not fatal: pharosd works as before, without isolation. */
		log_warnx("network awareness is off: %s", err);
		evlog_write(d->ev, "Warning: network awareness is off (%s); "
		    "an outage of the monitor's own link will mark hosts DOWN",
		    err);
		free(na);
		return 0;
	}
	netlink_set_change_cb(na->nl, na_changed, na);
	if (d->arp != NULL)
		arp_set_netlink(d->arp, na->nl);
	d->netaware = na;
	na_evaluate(na);
	return 0;
}

void
daemon_netaware_stop(struct daemon *d)
{
	struct netaware *na = d->netaware;

	if (na == NULL)
		return;
	loop_timer_stop(d->loop, &na->eval_timer);
	if (d->arp != NULL)
		arp_set_netlink(d->arp, NULL);
	netlink_free(na->nl);
	na_free_hosts(na->hosts, na->nhosts);
	free(na);
	d->netaware = NULL;
}

/* The entry of h, with the table current; NULL without awareness. */
static struct na_host *
na_entry(struct daemon *d, const struct host *h)
{
	struct netaware *na = d->netaware;

	if (na == NULL)
		return NULL;
	if (na->dirty || !na->built || na->built_reloads != d->reloads)
		na_evaluate(na);
	if (h->index >= na->nhosts)
		return NULL;
	return &na->hosts[h->index];
}

bool
daemon_netaware_paused(struct daemon *d, const struct host *h)
{
	struct na_host *nh = na_entry(d, h);

	return nh != NULL && nh->isolated;
}

bool
daemon_netaware_drop(struct daemon *d, struct host *h, struct service *s,
    const struct check_result *res)
{
	struct netaware *na = d->netaware;
	struct na_host *nh = na_entry(d, h);

	if (nh == NULL)
		return false;
	/* A failure may be news of an outage not read yet: ask the kernel
	 * before believing it. */
	if (!nh->isolated && res->code != CHECK_OK && nh->has_addr) {
		if (na_host_cut_off(na, nh)) {
			na_evaluate(na);
			nh = &na->hosts[h->index];
		}
	}
	if (nh->isolated) {
		na->dropped_isolated++;
		return true;
	}
	if (res->start_ns < nh->resumed_ns) {
		na->dropped_stale++;
		if (s != NULL)
			sched_service_check_now(d->sched, s);
		else
			sched_host_check_now(d->sched, h);
		return true;
	}
	return false;
}

int
daemon_netaware_isolation(struct daemon *d, char *buf, size_t len)
{
	struct netaware *na = d->netaware;
	struct na_group g[NA_GROUPS_MAX];
	size_t ng = 0, off = 0;

	if (len > 0)
		buf[0] = '\0';
	if (na == NULL)
		return 0;
	if (na->dirty)
		na_evaluate(na);
	for (size_t i = 0; i < na->nhosts; i++)
		if (na->hosts[i].isolated)
			na_count(g, &ng, na->hosts[i].ifname);
	for (size_t i = 0; i < ng && off < len; i++) {
		int n = snprintf(buf + off, len - off, "%smonitor isolated "
		    "from %zu host%s via %s", i > 0 ? ", " : "", g[i].n,
		    g[i].n == 1 ? "" : "s", g[i].ifname);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return (int)na->nisolated;
}

/* Does the configuration use ARP (an arp check, host_check_fallback)? */
static bool
na_uses_arp(const struct objects *o)
{
	for (size_t i = 0; i < o->nhosts; i++)
		if (o->hosts[i]->check_fallback == HOST_FALLBACK_ARP ||
		    (o->hosts[i]->check.command != NULL &&
		    o->hosts[i]->check.command->builtin == BUILTIN_ARP))
			return true;
	for (size_t i = 0; i < o->nservices; i++)
		if (o->services[i]->check.command != NULL &&
		    o->services[i]->check.command->builtin == BUILTIN_ARP)
			return true;
	return false;
}

int
daemon_arp_open(struct daemon *d, bool root)
{
	static const char *const none[] = { NULL };
	bool want = na_uses_arp(&d->cfg->objects);

	if (arp_new(d->loop, want ? NULL : none, &d->arp) != 0) {
		log_warnx("out of memory");
		return -1;
	}
	if (want && arp_handles(d->arp) == 0)
		log_warnx("arp: no capture handle could be opened%s: arp "
		    "checks will be UNKNOWN", root ? "" : " (pharosd is not "
		    "root)");
	else if (want)
		log_info("arp: capturing ARP replies on %zu interface(s)",
		    arp_handles(d->arp));
	return 0;
}

json_t *
daemon_netaware_json(struct daemon *d)
{
	struct netaware *na = d->netaware;
	struct netlink_stats ns;
	struct arp_counters ac;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (na != NULL) {
		if (na->dirty)
			na_evaluate(na);
		netlink_stats(na->nl, &ns);
		json_object_set_new(o, "isolated_hosts",
		    json_integer((json_int_t)na->nisolated));
		json_object_set_new(o, "dropped_isolated",
		    json_integer((json_int_t)na->dropped_isolated));
		json_object_set_new(o, "dropped_stale",
		    json_integer((json_int_t)na->dropped_stale));
		json_object_set_new(o, "netlink", json_pack("{s:I, s:I, s:I, "
		    "s:I}", "events", (json_int_t)ns.events, "unknown_ifindex",
		    (json_int_t)ns.unknown_ifindex, "malformed",
		    (json_int_t)ns.malformed, "resyncs",
		    (json_int_t)ns.resyncs));
	} else
		json_object_set_new(o, "netlink", json_null());
	if (d->arp != NULL) {
		arp_get_counters(d->arp, &ac);
		json_object_set_new(o, "arp", json_pack("{s:I, s:I, s:I, s:I, "
		    "s:I, s:I, s:I, s:I}", "handles",
		    (json_int_t)arp_handles(d->arp), "probes",
		    (json_int_t)ac.probes, "sent", (json_int_t)ac.sent,
		    "replies", (json_int_t)ac.replies, "foreign",
		    (json_int_t)ac.foreign, "gratuitous",
		    (json_int_t)ac.gratuitous, "malformed",
		    (json_int_t)ac.malformed, "send_errors",
		    (json_int_t)ac.send_errors));
	}
	return o;
}
