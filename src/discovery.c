/*
 * discovery: one struct disc_host per host with a device_profile, in one
 * array; one loaded profile per distinct profile name (shared). Each host
 * has a timer (the next rediscovery) and at most one discovery running.
 */
#include "discovery.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "discover.h"
#include "evlog.h"
#include "log.h"
#include "loop.h"
#include "objects.h"
#include "profile.h"
#include "snmp.h"

#ifndef PHAROS_PROFILEDIR
#define PHAROS_PROFILEDIR "/usr/share/pharos/profiles"
#endif

#define DISC_RETRY_NS (600 * LOOP_NS_PER_SEC) /* after a failed discovery */
/* Results are written to the cache file at most this often (and once
 * when the first discoveries end): rewriting it after each of hundreds
 * of discoveries kept the loop from reading their answers. */
#define DISC_SAVE_DELAY_NS (5 * LOOP_NS_PER_SEC)

struct disc_prof {
	char *name;
	struct profile *p; /* NULL: did not load */
};

struct disc_host {
	struct discovery *disc;
	char *name;
	struct disc_prof *prof; /* borrowed from disc->profs */
	struct snmp_target t;
	struct discover *run;   /* while discovering */
	bool priming;
	struct loop_timer timer;
};

struct discovery {
	struct loop *loop;
	struct snmp_poller *poller;
	struct evlog *ev;
	char *cache_path; /* NULL: results are not kept */
	struct discover_cache *cache;
	struct disc_prof *profs;
	size_t nprofs;
	struct disc_host *hosts;
	size_t nhosts;
	int64_t interval_ns;
	size_t priming;   /* primed discoveries still running */
	void (*primed)(void *);
	void *primed_arg;
	bool changed;
	bool dirty;                /* the cache file is behind */
	struct loop_timer save_timer;
	struct discovery_counters c;
};

static struct disc_prof *
disc_profile(struct discovery *disc, const char *dir, const char *name)
{
	struct disc_prof *dp;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < disc->nprofs; i++)
		if (strcmp(disc->profs[i].name, name) == 0)
			return &disc->profs[i];
	dp = &disc->profs[disc->nprofs];
	if ((dp->name = strdup(name)) == NULL)
		return NULL;
	disc->nprofs++;
	rc = profile_load(dir, name, &dp->p, err, sizeof(err));
	if (rc != 0)
		log_warnx("device profile '%s': %s", name,
		    rc == -ENOMEM ? "out of memory" : err);
	return dp;
}

/* The host's target at the address the checks use. */
static void
disc_target(struct snmp_target *t, const struct host *h, const char *addr)
{
	if (h->snmp != NULL)
		*t = *h->snmp;
	else {
		memset(t, 0, sizeof(*t));
		t->version = SNMP_V2C;
		t->retries = 1;
		snprintf(t->community, sizeof(t->community), "public");
	}
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
}

static void disc_timer(struct loop *loop, struct loop_timer *t, void *arg);

static void disc_save(struct discovery *disc);

static void
disc_save_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct discovery *disc = arg;

	if (disc->dirty)
		disc_save(disc);
}

static int
disc_add_hosts(struct discovery *disc, const struct config *cfg,
    char *const *addresses)
{
	const struct objects *o = &cfg->objects;
	const char *dir = cfg->profile_dir ? cfg->profile_dir :
	    PHAROS_PROFILEDIR;
	struct disc_host *dh;
	size_t i;

	disc->hosts = calloc(o->nhosts + 1, sizeof(*disc->hosts));
	disc->profs = calloc(o->nhosts + 1, sizeof(*disc->profs));
	if (disc->hosts == NULL || disc->profs == NULL)
		return -ENOMEM;
	for (i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];

		if (h->device_profile == NULL)
			continue;
		dh = &disc->hosts[disc->nhosts];
		if ((dh->prof = disc_profile(disc, dir,
		    h->device_profile)) == NULL ||
		    (dh->name = strdup(h->name)) == NULL)
			return -ENOMEM;
		if (dh->prof->p == NULL) {
			disc->c.bad_profiles++;
			free(dh->name);
			continue;
		}
		dh->disc = disc;
		disc_target(&dh->t, h, addresses != NULL &&
		    addresses[i] != NULL ? addresses[i] : h->address);
		loop_timer_init(&dh->timer, disc_timer, dh);
		disc->nhosts++;
	}
	disc->c.hosts = disc->nhosts;
	return 0;
}

static void
disc_load_cache(struct discovery *disc)
{
	size_t dropped = 0;
	char err[512];
	int rc;

	if (disc->cache_path != NULL) {
		rc = discover_cache_load(disc->cache_path, &disc->cache,
		    &dropped, err, sizeof(err));
		if (rc != 0 && rc != -ENOMEM)
			log_warnx("discovery cache: %s (starting empty)", err);
		if (dropped > 0)
			log_warnx("discovery cache: %zu malformed entries "
			    "dropped", dropped);
	}
	if (disc->cache == NULL && discover_cache_new(&disc->cache) != 0)
		disc->cache = NULL;
}

int
discovery_new(struct loop *loop, struct snmp_poller *poller,
    const struct config *cfg, char *const *addresses, struct evlog *ev,
    struct discovery **out)
{
	struct discovery *disc = calloc(1, sizeof(*disc));

	*out = NULL;
	if (disc == NULL)
		return -ENOMEM;
	disc->loop = loop;
	disc->poller = poller;
	disc->ev = ev;
	disc->interval_ns = (int64_t)cfg->discovery_interval *
	    LOOP_NS_PER_SEC;
	loop_timer_init(&disc->save_timer, disc_save_timer, disc);
	if ((cfg->discovery_cache_file != NULL && (disc->cache_path =
	    strdup(cfg->discovery_cache_file)) == NULL) ||
	    disc_add_hosts(disc, cfg, addresses) != 0) {
		discovery_free(disc);
		return -ENOMEM;
	}
	if (disc->nhosts > 0)
		disc_load_cache(disc);
	if (disc->nhosts > 0 && disc->cache == NULL) {
		discovery_free(disc);
		return -ENOMEM;
	}
	*out = disc;
	return 0;
}

void
discovery_free(struct discovery *disc)
{
	size_t i;

	if (disc == NULL)
		return;
	loop_timer_stop(disc->loop, &disc->save_timer);
	if (disc->dirty)
		disc_save(disc);
	for (i = 0; i < disc->nhosts; i++) {
		struct disc_host *dh = &disc->hosts[i];

		loop_timer_stop(disc->loop, &dh->timer);
		dh->priming = false;
		if (dh->run != NULL)
			discover_cancel(dh->run); /* done: result dropped */
		free(dh->name);
	}
	for (i = 0; i < disc->nprofs; i++) {
		profile_free(disc->profs[i].p);
		free(disc->profs[i].name);
	}
	discover_cache_free(disc->cache);
	free(disc->hosts);
	free(disc->profs);
	free(disc->cache_path);
	free(disc);
}

static void
disc_log_diff(struct discovery *disc, const struct disc_host *dh,
    const struct discover_result *r, const struct discover_diff *df)
{
	size_t i;

	evlog_write(disc->ev, "SNMP DISCOVERY: %s;%s;OK;%zu services;"
	    "%zu added;%zu vanished;%zu changed", dh->name, r->profile,
	    r->nservices, df->nadded, df->nvanished, df->nchanged);
	for (i = 0; i < df->nadded; i++)
		evlog_write(disc->ev, "SNMP DISCOVERY SERVICE: %s;%s;added",
		    dh->name, df->added[i]->description);
	for (i = 0; i < df->nvanished; i++)
		evlog_write(disc->ev, "SNMP DISCOVERY SERVICE: %s;%s;vanished",
		    dh->name, df->vanished[i]->description);
	for (i = 0; i < df->nchanged; i++)
		evlog_write(disc->ev, "SNMP DISCOVERY SERVICE: %s;%s;changed",
		    dh->name, df->changed[i]->description);
}

static void
disc_save(struct discovery *disc)
{
	char err[512];

	disc->dirty = false;
	if (disc->cache_path == NULL)
		return;
	if (discover_cache_save(disc->cache, disc->cache_path, err,
	    sizeof(err)) != 0) {
		disc->c.cache_errors++;
		log_warnx("discovery cache: %s", err);
	} else
		disc->c.cache_writes++;
}

/* A complete result: log what changed, keep it, write the cache. */
static void
disc_store(struct discovery *disc, struct disc_host *dh,
    const struct discover_result *r)
{
	const struct discover_result *old;
	struct discover_diff df;
	bool changed;

	old = discover_cache_get(disc->cache, dh->name);
	if (old != NULL && strcmp(old->profile, r->profile) != 0)
		old = NULL;
	if (discover_diff(old, r, &df) != 0) {
		log_warnx("discovery of %s: out of memory", dh->name);
		return;
	}
	changed = old == NULL || df.nadded + df.nvanished + df.nchanged > 0;
	if (changed) {
		disc_log_diff(disc, dh, r, &df);
		disc->c.changed++;
	}
	discover_diff_free(&df);
	if (!changed)
		return;
	if (discover_cache_put(disc->cache, dh->name, r) != 0) {
		log_warnx("discovery of %s: cannot keep the result",
		    dh->name);
		return;
	}
	disc->changed = true;
	disc->dirty = true;
	if (disc->priming == 0 && !loop_timer_active(&disc->save_timer) &&
	    loop_timer_start(disc->loop, &disc->save_timer,
	    loop_now(disc->loop) + DISC_SAVE_DELAY_NS) != 0)
		disc_save(disc);
}

static void
disc_done(struct discover_result *r, void *arg)
{
	struct disc_host *dh = arg;
	struct discovery *disc = dh->disc;
	int64_t next = disc->interval_ns;

	dh->run = NULL;
	if (r->status == DISCOVER_ABORTED) { /* discovery_free */
		discover_result_free(r);
		return;
	}
	if (r->status == DISCOVER_OK) {
		disc->c.ok++;
		disc_store(disc, dh, r);
	} else {
		disc->c.failed++;
		evlog_write(disc->ev, "SNMP DISCOVERY: %s;%s;FAILED;%s",
		    dh->name, dh->prof->name, r->error);
		if (next > DISC_RETRY_NS)
			next = DISC_RETRY_NS;
	}
	discover_result_free(r);
	if (dh->priming) {
		dh->priming = false;
		if (--disc->priming > 0)
			return;
		if (disc->dirty)
			disc_save(disc);
		if (disc->primed != NULL)
			disc->primed(disc->primed_arg);
		return;
	}
	if (loop_timer_start(disc->loop, &dh->timer, loop_now(disc->loop) +
	    next) != 0)
		log_warnx("discovery of %s: cannot schedule the next one",
		    dh->name);
}

static bool
disc_run(struct disc_host *dh)
{
	char err[512];
	int rc;

	dh->disc->c.runs++;
	rc = discover_start(dh->disc->poller, &dh->t, dh->prof->p, disc_done,
	    dh, &dh->run, err, sizeof(err));
	if (rc != 0) {
		dh->disc->c.failed++;
		log_warnx("discovery of %s: %s", dh->name,
		    rc == -ENOMEM ? "out of memory" : err);
		return false;
	}
	return true;
}

static void
disc_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct disc_host *dh = arg;

	if (dh->run == NULL && !disc_run(dh) &&
	    loop_timer_start(loop, &dh->timer, loop_now(loop) +
	    DISC_RETRY_NS) != 0)
		log_warnx("discovery of %s: cannot schedule it", dh->name);
}

size_t
discovery_prime(struct discovery *disc, void (*done)(void *), void *arg)
{
	const struct discover_result *e;
	size_t i;

	disc->primed = done;
	disc->primed_arg = arg;
	for (i = 0; i < disc->nhosts; i++) {
		struct disc_host *dh = &disc->hosts[i];

		e = discover_cache_get(disc->cache, dh->name);
		if (e != NULL && strcmp(e->profile, dh->prof->name) == 0)
			continue;
		dh->priming = true;
		disc->priming++;
		if (!disc_run(dh)) {
			dh->priming = false;
			disc->priming--;
		}
	}
	return disc->priming;
}

bool
discovery_changed(const struct discovery *disc)
{
	return disc->changed;
}

void
discovery_start(struct discovery *disc)
{
	int64_t now = loop_now(disc->loop), step;
	size_t i;

	if (disc->nhosts == 0)
		return;
	step = disc->interval_ns / (int64_t)disc->nhosts;
	for (i = 0; i < disc->nhosts; i++)
		if (loop_timer_start(disc->loop, &disc->hosts[i].timer,
		    now + (int64_t)(i + 1) * step) != 0)
			log_warnx("discovery of %s: cannot schedule it",
			    disc->hosts[i].name);
}

void
discovery_get_counters(const struct discovery *disc,
    struct discovery_counters *out)
{
	*out = disc->c;
}

const struct discover_result *
discovery_get(const struct discovery *disc, const char *host)
{
	if (disc == NULL || disc->cache == NULL)
		return NULL;
	return discover_cache_get(disc->cache, host);
}
