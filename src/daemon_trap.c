/*
 * daemon_trap: pharosd's trap reception (docs/traps.md), between the
 * receiver (probes/trap.c) and the engine.
 *
 * Keeps, in struct daemon_traps:
 * - the receiver, opened as root at start with Pharos' engine ID (made
 *   once, kept in trap_engine_id_file: daemon_trap_engine.c);
 * - the host index: every host's checked address (and address6) as
 *   binary, sorted, for a bsearch per trap; rebuilt when the
 *   configuration in use changes (a reload), detected by pointer;
 * - the storm table: one token bucket per source address in a fixed
 *   open-addressed table (STORM_SLOTS, probes bounded; a full probe run
 *   reuses the least recently seen slot after summarising it), so memory
 *   stays bounded whatever the sources; traps over the bucket are counted
 *   per trap name and summarised once per trap_storm_window;
 * - the history: a ring of the last trap_history traps, fixed-size
 *   records, for the `traps` op;
 * - active rule states: services a rule set that clear by a later trap
 *   or after clear_after, a bounded array (oldest dropped when full),
 *   emptied when the configuration changes.
 *
 * A trap is matched to a host by its packet source, or by the v1
 * agent-addr / snmpTrapAddress.0 when the source is in
 * trap_trusted_networks (a proxy or relay). Then: event log line
 * "SNMP TRAP: host;name;varbinds", history, clears, the first matching
 * rule (passive result through daemon_service_result; for linkDown/linkUp
 * also an immediate check of that interface service, whose result then
 * governs).
 */
#include "daemon_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "discover.h"
#include "evlog.h"
#include "log.h"
#include "sched.h"
#include "snmp_mib.h"
#include "trap.h"
#include "trap_send.h"
#include "trap_storm.h"
#include "traprule.h"

#define STORM_SLOTS 4096
#define ACTIVE_MAX 4096
#define VARS_TEXT_MAX 1024
#define IFINDEX_OID ".1.3.6.1.2.1.2.2.1.1"
#define IFNAME_OID ".1.3.6.1.2.1.31.1.1.1.1"
#define IFDESCR_OID ".1.3.6.1.2.1.2.2.1.2"

struct trap_rec {
	int64_t time;
	int version;
	bool inform;
	bool known;
	char host[128];          /* host name, or "" */
	char source[64];
	char oid[160];
	char name[64];
	char vars[VARS_TEXT_MAX];
};

struct host_addr {
	int family;
	unsigned char a[16];
	struct host *h;
};

struct active {
	const struct traprule *rule;
	struct service *svc;
	char key[128];
	int64_t deadline;        /* monotonic ns; 0: no clear_after */
};

struct daemon_traps {
	struct trap_rx *rx;
	const struct config *cfg_indexed; /* what hosts/active belong to, */
	uint64_t reloads_indexed;         /* with d->reloads then */
	struct host_addr *hosts;
	size_t nhosts;
	struct discover_cache *disc;
	struct trap_storm *storm;
	struct loop_timer storm_timer;
	struct loop_timer clear_timer;
	struct trap_rec *ring;
	size_t ring_cap, ring_next, ring_n;
	struct active *act;
	size_t nact;
	/* counters beyond the receiver's */
	uint64_t unknown_source, storm_summaries;
	uint64_t rules_applied, no_service, cleared;
	uint64_t loops;          /* our own forwarded notifications */
	char engine_hex[2 * TRAP_ENGINE_MAX + 1];
};

/* ---- host index ---- */

static int
host_addr_cmp(const void *a, const void *b)
{
	const struct host_addr *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->a, y->a, 16);
}

static void
daemon_trap_index(struct daemon *d)
{
	struct daemon_traps *t = d->traps;
	const struct objects *o = &d->cfg->objects;
	struct host_addr *arr;
	size_t n = 0;
	char err[300];

	free(t->hosts);
	t->hosts = NULL;
	t->nhosts = 0;
	t->nact = 0; /* services of the old configuration */
	t->cfg_indexed = d->cfg;
	t->reloads_indexed = d->reloads;
	discover_cache_free(t->disc);
	t->disc = NULL;
	if (d->cfg->discovery_cache_file != NULL &&
	    discover_cache_load(d->cfg->discovery_cache_file, &t->disc, NULL,
	    err, sizeof(err)) != 0)
		t->disc = NULL;
	if ((arr = calloc(2 * o->nhosts + 1, sizeof(*arr))) == NULL)
		return;
	for (size_t i = 0; i < o->nhosts; i++) {
		struct host *h = o->hosts[i];
		const char *a = d->addresses != NULL && d->addresses[i] != NULL ?
		    d->addresses[i] : h->address;

		if (trap_addr_parse(a, &arr[n].family, arr[n].a))
			arr[n++].h = h;
		if (h->address6 != NULL && trap_addr_parse(h->address6,
		    &arr[n].family, arr[n].a))
			arr[n++].h = h;
	}
	qsort(arr, n, sizeof(*arr), host_addr_cmp);
	t->hosts = arr;
	t->nhosts = n;
}

static struct host *
daemon_trap_host(struct daemon *d, const char *addr)
{
	struct daemon_traps *t = d->traps;
	struct host_addr key, *hit;

	if (t->cfg_indexed != d->cfg || t->reloads_indexed != d->reloads)
		daemon_trap_index(d);
	if (!trap_addr_parse(addr, &key.family, key.a))
		return NULL;
	hit = bsearch(&key, t->hosts, t->nhosts, sizeof(*t->hosts),
	    host_addr_cmp);
	return hit != NULL ? hit->h : NULL;
}

/* ---- storm control (probes/trap_storm.c) ---- */

static void
thousands(char *out, size_t len, uint64_t v)
{
	char tmp[32];
	size_t n = (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v), j = 0;

	for (size_t i = 0; i < n && j + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = tmp[i];
	}
	out[j] = '\0';
}

static int
storm_window(const struct daemon *d)
{
	return d->cfg->trap != NULL ? d->cfg->trap->storm_window :
	    TRAP_DEFAULT_STORM_WINDOW;
}

/* One summary line per source and trap name (trap_storm_fn). */
static void
storm_report(const char *source, const char *label, const char *name,
    uint64_t n, void *arg)
{
	struct daemon *d = arg;
	char num[32];

	(void)source;
	thousands(num, sizeof(num), n);
	if (name != NULL)
		evlog_write(d->ev, "SNMP TRAP STORM: %s;%s %s from %s in %d s "
		    "(counted, not logged one by one)", label, num, name,
		    label, storm_window(d));
	else
		evlog_write(d->ev, "SNMP TRAP STORM: %s;%s other traps from %s "
		    "in %d s (counted, not logged one by one)", label, num,
		    label, storm_window(d));
	d->traps->storm_summaries++;
}

static void
storm_on_timer(struct loop *loop, struct loop_timer *lt, void *arg)
{
	struct daemon *d = arg;

	(void)trap_storm_flush(d->traps->storm);
	if (loop_timer_start(loop, lt, loop_now(loop) +
	    (int64_t)storm_window(d) * LOOP_NS_PER_SEC) != 0)
		log_warnx("trap storm summaries stopped: out of memory");
}

/* Take a token from src's bucket (the rate of the configuration in use:
 * set at open and by daemon_traps_reload). false: over the rate, counted
 * under name for the storm summary. */
static bool
storm_admit(struct daemon *d, const char *src, const char *host,
    const char *name)
{
	return trap_storm_admit(d->traps->storm, src, host, name,
	    loop_now(d->loop));
}

/* ---- rules ---- */

/* The snmp_if service of h for the trap's ifIndex: its argument is the
 * index itself, or the interface's name (ifName/ifDescr in the trap, or
 * the discovery cache's name for that index). */
static struct service *
daemon_trap_ifservice(struct daemon_traps *t, struct host *h,
    const struct traprule_trap *tt)
{
	char idx[32], names[3][256] = { "", "", "" };
	const struct discover_result *dr;
	unsigned long ix;
	char *end;

	if (!traprule_var(tt, IFINDEX_OID, idx, sizeof(idx)) || idx[0] ==
	    '\0')
		return NULL;
	(void)traprule_var(tt, IFNAME_OID, names[0], sizeof(names[0]));
	(void)traprule_var(tt, IFDESCR_OID, names[1], sizeof(names[1]));
	errno = 0;
	ix = strtoul(idx, &end, 10);
	if (t->disc != NULL && errno == 0 && *end == '\0' &&
	    (dr = discover_cache_get(t->disc, h->name)) != NULL)
		for (size_t i = 0; i < dr->nifaces; i++)
			if (dr->ifaces[i].index == ix) {
				snprintf(names[2], sizeof(names[2]), "%s",
				    dr->ifaces[i].name);
				break;
			}
	for (size_t i = 0; i < h->nservices; i++) {
		struct service *s = h->services[i];
		const char *a;

		if (s->check.command == NULL || strcmp(s->check.command->name,
		    "snmp_if") != 0 || s->check.nargs < 1)
			continue;
		a = s->check.args[0];
		if (strcmp(a, idx) == 0)
			return s;
		for (int k = 0; k < 3; k++)
			if (names[k][0] != '\0' && strcmp(a, names[k]) == 0)
				return s;
	}
	return NULL;
}

static void
daemon_trap_result(struct daemon *d, struct service *s, int code,
    const char *output)
{
	struct check_result res = { 0 };

	check_result_set(&res, code, "%s", output);
	res.start_ns = res.end_ns = loop_clock();
	res.start_time = (int64_t)time(NULL);
	daemon_service_result(d, s, &res);
	check_result_clear(&res);
}

static void
active_arm(struct daemon *d)
{
	struct daemon_traps *t = d->traps;
	int64_t next = 0;

	for (size_t i = 0; i < t->nact; i++)
		if (t->act[i].deadline != 0 && (next == 0 ||
		    t->act[i].deadline < next))
			next = t->act[i].deadline;
	if (next == 0)
		loop_timer_stop(d->loop, &t->clear_timer);
	else if (loop_timer_start(d->loop, &t->clear_timer, next) != 0)
		log_warnx("trap clear_after timer: out of memory");
}

static void
active_remove(struct daemon_traps *t, size_t i)
{
	t->act[i] = t->act[--t->nact];
}

static void
active_add(struct daemon *d, const struct traprule *r, struct service *s,
    const char *key)
{
	struct daemon_traps *t = d->traps;
	struct active *a = NULL;

	if (r->clear_after == 0 && r->clear_oid == NULL)
		return;
	for (size_t i = 0; i < t->nact && a == NULL; i++)
		if (t->act[i].svc == s && t->act[i].rule == r &&
		    strcmp(t->act[i].key, key) == 0)
			a = &t->act[i];
	if (a == NULL) {
		if (t->nact == ACTIVE_MAX)
			active_remove(t, 0); /* bounded: forget one */
		a = &t->act[t->nact++];
	}
	a->rule = r;
	a->svc = s;
	snprintf(a->key, sizeof(a->key), "%s", key);
	a->deadline = r->clear_after > 0 ? loop_now(d->loop) +
	    (int64_t)r->clear_after * LOOP_NS_PER_SEC : 0;
	active_arm(d);
}

static void
clear_on_timer(struct loop *loop, struct loop_timer *lt, void *arg)
{
	struct daemon *d = arg;
	struct daemon_traps *t = d->traps;
	int64_t now = loop_now(loop);
	char out[300];

	(void)lt;
	if (t->cfg_indexed != d->cfg || t->reloads_indexed != d->reloads) {
		t->nact = 0; /* services of a configuration now gone */
		return;
	}
	for (size_t i = 0; i < t->nact;) {
		struct active *a = &t->act[i];

		if (a->deadline == 0 || a->deadline > now) {
			i++;
			continue;
		}
		snprintf(out, sizeof(out), "OK - %s cleared after %d s without "
		    "a new trap", a->rule->name, a->rule->clear_after);
		daemon_trap_result(d, a->svc, CHECK_OK, out);
		t->cleared++;
		active_remove(t, i);
	}
	active_arm(d);
}

/* Clears by this trap: states set by rules whose clear_trap it is, on
 * the same host, with the same clear_key value. */
static void
daemon_trap_clears(struct daemon *d, struct host *h,
    const struct traprule_trap *tt, const char *name)
{
	struct daemon_traps *t = d->traps;
	char key[128], out[400];

	for (size_t i = 0; i < t->nact;) {
		struct active *a = &t->act[i];

		if (a->svc->host != h || a->rule->clear_oid == NULL ||
		    strcmp(a->rule->clear_oid, tt->trap_oid) != 0) {
			i++;
			continue;
		}
		key[0] = '\0';
		if (a->rule->clear_key != NULL)
			(void)traprule_var(tt, a->rule->clear_key, key,
			    sizeof(key));
		if (strcmp(key, a->key) != 0) {
			i++;
			continue;
		}
		snprintf(out, sizeof(out), "OK - %s cleared by %s trap%s%s",
		    a->rule->name, name, key[0] ? " for " : "", key);
		traprule_escape(out);
		daemon_trap_result(d, a->svc, CHECK_OK, out);
		t->cleared++;
		active_remove(t, i);
	}
	active_arm(d);
}

static void
daemon_trap_rules(struct daemon *d, struct host *h,
    const struct traprule_trap *tt)
{
	struct daemon_traps *t = d->traps;
	const struct trap_conf *tc = d->cfg->trap;
	char out[TRAPRULE_OUTPUT_MAX], key[128];

	for (size_t i = 0; i < tc->nrules; i++) {
		const struct traprule *r = &tc->rules[i];
		struct service *s;

		if (!traprule_match(r, tt))
			continue;
		s = r->target == TRT_IFSERVICE ?
		    daemon_trap_ifservice(t, h, tt) :
		    objects_service_find(&d->cfg->objects, h->name,
		    r->service);
		if (s == NULL) {
			t->no_service++;
			return;
		}
		if (!s->opts.passive_checks_enabled)
			return;
		traprule_render(r->output, r, tt, out, sizeof(out));
		daemon_trap_result(d, s, r->state, out);
		t->rules_applied++;
		key[0] = '\0';
		if (r->clear_key != NULL)
			(void)traprule_var(tt, r->clear_key, key, sizeof(key));
		if (r->state != CHECK_OK)
			active_add(d, r, s, key);
		/* the interface's own poll decides from now on */
		if (r->target == TRT_IFSERVICE && d->sched != NULL)
			sched_service_check_now(d->sched, s);
		return;
	}
}

/* ---- receiver callbacks ---- */

static void
vars_text(const struct trap_msg *m, char *out, size_t len)
{
	/* net-snmp's rendering, with MIB names (trap_mibs_load at open) */
	(void)trap_msg_vars(m, out, len);
	/* one log line: newlines and other controls become spaces */
	traprule_escape(out);
}

static void
ring_put(struct daemon_traps *t, const struct trap_msg *m,
    const char *host, const char *name, const char *vars)
{
	struct trap_rec *r;

	if (t->ring_cap == 0)
		return;
	r = &t->ring[t->ring_next];
	t->ring_next = (t->ring_next + 1) % t->ring_cap;
	if (t->ring_n < t->ring_cap)
		t->ring_n++;
	r->time = (int64_t)time(NULL);
	r->version = m->version;
	r->inform = m->inform;
	r->known = host != NULL;
	snprintf(r->host, sizeof(r->host), "%s", host != NULL ? host : "");
	snprintf(r->source, sizeof(r->source), "%s", m->source);
	snprintf(r->oid, sizeof(r->oid), "%s", m->trap_oid);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->vars, sizeof(r->vars), "%s", vars);
}

/* Whether m is a PHAROS-MIB notification whose sender is this Pharos:
 * forwarding that reached ourselves (dropped, or it would go round). */
static bool
daemon_trap_is_loop(const struct daemon_traps *t, const struct trap_msg *m)
{
	size_t n = strlen(PHAROS_MIB_OID ".0.");

	if (strncmp(m->trap_oid, PHAROS_MIB_OID ".0.", n) != 0 ||
	    t->engine_hex[0] == '\0')
		return false;
	for (size_t i = 2; i < m->nvbs; i++) {
		const struct snmp_vb *vb = &m->vbs[i];

		if (strcmp(vb->oid, PHAROS_MIB_SENDER) == 0 ||
		    strcmp(vb->oid, PHAROS_MIB_SENDER ".0") == 0)
			return vb->type == SNMP_T_STRING &&
			    vb->len == strlen(t->engine_hex) &&
			    strncasecmp((const char *)vb->bytes, t->engine_hex,
			    vb->len) == 0;
	}
	return false;
}

static void
daemon_trap_msg(const struct trap_msg *m, void *arg)
{
	struct daemon *d = arg;
	struct daemon_traps *t = d->traps;
	const struct trap_conf *tc = d->cfg->trap;
	const char *addr = m->source, *name;
	const char *groups[64];
	struct traprule_trap tt = { 0 };
	struct host *h;
	char vars[VARS_TEXT_MAX];

	if (m->agent[0] != '\0' && tc != NULL &&
	    trap_net_match(tc->trusted, tc->ntrusted, m->source) &&
	    tc->ntrusted > 0)
		addr = m->agent;
	if (daemon_trap_is_loop(t, m)) {
		t->loops++;
		if (storm_admit(d, m->source, NULL, "refused (loop)"))
			evlog_write(d->ev, "SNMP TRAP REFUSED: %s;loop;a "
			    "notification this Pharos forwarded came back to "
			    "it (forwarding to itself?)", m->source);
		return;
	}
	h = daemon_trap_host(d, addr);
	name = traprule_std_name(m->trap_oid);
	if (name == NULL)
		name = m->trap_oid;
	if (h == NULL)
		t->unknown_source++;
	if (!storm_admit(d, m->source, h != NULL ? h->name : NULL, name))
		return;
	vars_text(m, vars, sizeof(vars));
	if (h != NULL)
		evlog_write(d->ev, "SNMP TRAP: %s;%s;%s", h->name, name, vars);
	else
		evlog_write(d->ev, "SNMP TRAP: unknown source %s;%s;%s", addr,
		    name, vars);
	ring_put(t, m, h != NULL ? h->name : NULL, name, vars);
	/* no rules before the engine exists (discovery at start) or when a
	 * reload removed the trap keys */
	if (h == NULL || tc == NULL || d->state == NULL)
		return;
	tt.trap_oid = m->trap_oid;
	tt.vbs = m->vbs;
	tt.nvbs = m->nvbs;
	tt.host = h->name;
	tt.source = m->source;
	for (size_t i = 0; i < h->ngroups && i < 64; i++)
		groups[i] = h->groups[i]->name;
	tt.groups = groups;
	tt.ngroups = h->ngroups < 64 ? h->ngroups : 64;
	daemon_trap_clears(d, h, &tt, name);
	daemon_trap_rules(d, h, &tt);
}

static void
daemon_trap_drop(enum trap_drop why, const char *source, const char *detail,
    void *arg)
{
	struct daemon *d = arg;
	char name[64];

	snprintf(name, sizeof(name), "refused (%s)", trap_drop_name(why));
	if (!storm_admit(d, source[0] ? source : "?", NULL, name))
		return;
	evlog_write(d->ev, "SNMP TRAP REFUSED: %s;%s;%s", source[0] ? source :
	    "?", trap_drop_name(why), detail);
}

/* ---- start, stop, ops ---- */

int
daemon_traps_open(struct daemon *d, bool root, uid_t uid, gid_t gid)
{
	const struct trap_conf *tc = d->cfg->trap;
	struct trap_opts o = { 0 };
	struct daemon_traps *t;
	char err[512];

	if (tc == NULL || tc->nlisten == 0)
		return 0;
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    trap_storm_new(STORM_SLOTS, tc->storm_rate, tc->storm_burst,
	    storm_report, d, &t->storm) != 0 ||
	    (t->ring = calloc((size_t)tc->history, sizeof(*t->ring))) ==
	    NULL || (t->act = calloc(ACTIVE_MAX, sizeof(*t->act))) == NULL) {
		if (t != NULL) {
			trap_storm_free(t->storm);
			free(t->ring);
			free(t);
		}
		log_warnx("traps: out of memory");
		return -1;
	}
	t->ring_cap = (size_t)tc->history;
	loop_timer_init(&t->storm_timer, storm_on_timer, d);
	loop_timer_init(&t->clear_timer, clear_on_timer, d);
	d->traps = t;
	if (daemon_trap_engine(d->cfg, root, uid, gid, o.engine_id,
	    &o.engine_id_len, &o.engine_boots) != 0)
		return -1;
	for (size_t i = 0; i < o.engine_id_len; i++)
		snprintf(t->engine_hex + 2 * i, 3, "%02x", o.engine_id[i]);
	/* varbinds are logged with MIB names (docs/traps.md) */
	trap_mibs_load();
	o.listen = (const char *const *)tc->listen;
	o.nlisten = tc->nlisten;
	o.comms = tc->comms;
	o.ncomms = tc->ncomms;
	o.users = tc->users;
	o.nusers = tc->nusers;
	if (trap_rx_new(d->loop, &o, daemon_trap_msg, daemon_trap_drop, d,
	    &t->rx, err, sizeof(err)) != 0) {
		log_warnx("traps: %s", err);
		return -1;
	}
	for (size_t i = 0; i < tc->nlisten; i++)
		log_info("receiving SNMP traps on %s (port %u)", tc->listen[i],
		    trap_rx_port(t->rx, i));
	if (loop_timer_start(d->loop, &t->storm_timer, loop_now(d->loop) +
	    (int64_t)tc->storm_window * LOOP_NS_PER_SEC) != 0) {
		log_warnx("traps: out of memory");
		return -1;
	}
	return 0;
}

/* ---- reload ---- */

static bool
nets_equal(const struct trap_net *a, size_t na, const struct trap_net *b,
    size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].family != b[i].family || a[i].prefix != b[i].prefix ||
		    memcmp(a[i].addr, b[i].addr, sizeof(a[i].addr)) != 0)
			return false;
	return true;
}

static bool
listen_equal(const struct trap_conf *a, const struct trap_conf *b)
{
	size_t na = a != NULL ? a->nlisten : 0, nb = b != NULL ? b->nlisten : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return false;
	return true;
}

static bool
users_equal(const struct trap_conf *a, const struct trap_conf *b)
{
	size_t na = a != NULL ? a->nusers : 0, nb = b != NULL ? b->nusers : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		const struct trap_user *x = &a->users[i], *y = &b->users[i];

		if (strcmp(x->name, y->name) != 0 || x->auth != y->auth ||
		    x->priv != y->priv || strcmp(x->auth_pass,
		    y->auth_pass) != 0 || strcmp(x->priv_pass,
		    y->priv_pass) != 0 || strcmp(x->engine_id,
		    y->engine_id) != 0 || !nets_equal(x->nets, x->nnets,
		    y->nets, y->nnets))
			return false;
	}
	return true;
}

static bool
comms_equal(const struct trap_conf *a, const struct trap_conf *b)
{
	size_t na = a != NULL ? a->ncomms : 0, nb = b != NULL ? b->ncomms : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a->comms[i].community, b->comms[i].community) != 0 ||
		    !nets_equal(a->comms[i].nets, a->comms[i].nnets,
		    b->comms[i].nets, b->comms[i].nnets))
			return false;
	return true;
}

static void
reload_restart(struct daemon *d, json_t *warn, const char *what)
{
	log_warnx("reload: restart required for %s; the running value stays "
	    "until pharosd restarts", what);
	evlog_write(d->ev, "Warning: restart required for %s; the running "
	    "value stays until pharosd restarts", what);
	json_array_append_new(warn, json_sprintf("restart required for %s",
	    what));
}

/* Swap the listen, user or engine ID file settings of a and b. */
static void
keep_listen(struct trap_conf *a, struct trap_conf *b)
{
	char **l = a->listen;
	size_t n = a->nlisten;

	a->listen = b->listen;
	a->nlisten = b->nlisten;
	b->listen = l;
	b->nlisten = n;
}

static void
keep_users(struct trap_conf *a, struct trap_conf *b)
{
	struct trap_user *u = a->users;
	size_t n = a->nusers;
	char *f = a->engine_id_file;

	a->users = b->users;
	a->nusers = b->nusers;
	b->users = u;
	b->nusers = n;
	a->engine_id_file = b->engine_id_file;
	b->engine_id_file = f;
}

void
daemon_traps_reload(struct daemon *d, struct config *nc, json_t *warn)
{
	struct trap_conf *o = d->cfg->trap, *n = nc->trap;
	struct daemon_traps *t = d->traps;
	bool users, file;

	if (t != NULL && n != NULL) /* the new rate applies at once */
		trap_storm_set(t->storm, n->storm_rate, n->storm_burst);
	/* Sockets were opened as root, the v3 users made in net-snmp's USM
	 * and the engine ID file read at start: those keep their running
	 * values, which the new configuration takes over (swapped: the old
	 * one, freed after the reload, takes the new values), so the next
	 * reload compares with what runs. */
	if (!listen_equal(o, n)) {
		reload_restart(d, warn, "trap_listen");
		if (o != NULL && n != NULL)
			keep_listen(o, n);
	}
	if (t == NULL || t->rx == NULL || o == NULL || n == NULL) {
		if (t != NULL && t->rx != NULL &&
		    trap_rx_set_communities(t->rx, NULL, 0) == 0)
			log_info("reload: no trap keys: every trap is refused");
		return;
	}
	users = !users_equal(o, n);
	file = (o->engine_id_file == NULL) != (n->engine_id_file == NULL) ||
	    (o->engine_id_file != NULL &&
	    strcmp(o->engine_id_file, n->engine_id_file) != 0);
	if (users)
		reload_restart(d, warn, "trap_user");
	if (file)
		reload_restart(d, warn, "trap_engine_id_file");
	if (users || file)
		keep_users(o, n); /* both belong to the USM setup */
	if (comms_equal(o, n))
		return;
	if (trap_rx_set_communities(t->rx, n->comms, n->ncomms) != 0) {
		log_warnx("reload: out of memory; the previous trap "
		    "communities stay");
		return;
	}
	log_info("reload: trap communities changed: %zu accepted now",
	    n->ncomms);
	evlog_write(d->ev, "SNMP TRAP: communities changed by the reload: %zu "
	    "accepted now", n->ncomms);
}

void
daemon_traps_free(struct daemon *d)
{
	struct daemon_traps *t = d->traps;

	if (t == NULL)
		return;
	loop_timer_stop(d->loop, &t->storm_timer);
	loop_timer_stop(d->loop, &t->clear_timer);
	trap_rx_free(t->rx);
	discover_cache_free(t->disc);
	free(t->hosts);
	trap_storm_free(t->storm);
	free(t->ring);
	free(t->act);
	free(t);
	d->traps = NULL;
}

json_t *
daemon_traps_json(const struct daemon *d)
{
	const struct daemon_traps *t = d->traps;
	struct trap_counters c;
	json_t *o, *dr;

	if (t == NULL || t->rx == NULL)
		return json_null();
	trap_rx_counters(t->rx, &c);
	o = json_object();
	dr = json_object();
	for (int i = 0; i < TRAP_DROP_NKINDS; i++)
		json_object_set_new(dr, trap_drop_name((enum trap_drop)i),
		    json_integer((json_int_t)c.dropped[i]));
	json_object_set_new(o, "datagrams", json_integer((json_int_t)
	    c.datagrams));
	json_object_set_new(o, "received", json_integer((json_int_t)
	    c.delivered));
	json_object_set_new(o, "v1", json_integer((json_int_t)c.v1));
	json_object_set_new(o, "v2c", json_integer((json_int_t)c.v2c));
	json_object_set_new(o, "v3", json_integer((json_int_t)c.v3));
	json_object_set_new(o, "informs", json_integer((json_int_t)c.informs));
	json_object_set_new(o, "inform_responses", json_integer((json_int_t)
	    c.responses));
	json_object_set_new(o, "inform_response_errors",
	    json_integer((json_int_t)c.response_errors));
	json_object_set_new(o, "dropped", dr);
	json_object_set_new(o, "unknown_source", json_integer((json_int_t)
	    t->unknown_source));
	json_object_set_new(o, "storm_suppressed", json_integer((json_int_t)
	    trap_storm_suppressed(t->storm)));
	json_object_set_new(o, "storm_summaries", json_integer((json_int_t)
	    t->storm_summaries));
	json_object_set_new(o, "rules_applied", json_integer((json_int_t)
	    t->rules_applied));
	json_object_set_new(o, "no_service", json_integer((json_int_t)
	    t->no_service));
	json_object_set_new(o, "cleared", json_integer((json_int_t)
	    t->cleared));
	json_object_set_new(o, "loops", json_integer((json_int_t)t->loops));
	json_object_set_new(o, "history", json_integer((json_int_t)
	    t->ring_n));
	return o;
}

static json_t *
trap_rec_json(const struct trap_rec *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "time", json_integer((json_int_t)r->time));
	json_object_set_new(o, "host", r->known ? json_string(r->host) :
	    json_null());
	json_object_set_new(o, "source", json_string(r->source));
	json_object_set_new(o, "version", json_string(r->version == 1 ? "1" :
	    r->version == 2 ? "2c" : "3"));
	json_object_set_new(o, "inform", json_boolean(r->inform));
	json_object_set_new(o, "oid", json_string(r->oid));
	json_object_set_new(o, "name", json_string(r->name));
	/* varbind text is untrusted bytes: json_string refuses invalid
	 * UTF-8, so fall back to a lossy ASCII copy */
	if (json_object_set_new(o, "varbinds", json_string(r->vars)) != 0) {
		char tmp[VARS_TEXT_MAX];
		size_t i;

		for (i = 0; r->vars[i] != '\0' && i + 1 < sizeof(tmp); i++)
			tmp[i] = (unsigned char)r->vars[i] < 0x80 ?
			    r->vars[i] : '?';
		tmp[i] = '\0';
		json_object_set_new(o, "varbinds", json_string(tmp));
	}
	return o;
}

static bool
trap_rec_match(const struct trap_rec *r, const char *host, const char *oid,
    const char *num, int64_t since)
{
	if (r->time < since)
		return false;
	if (host != NULL && strcmp(host, r->known ? r->host : r->source) != 0)
		return false;
	if (oid != NULL && strcmp(oid, r->name) != 0 &&
	    strcmp(oid, r->oid) != 0 && (num[0] == '\0' ||
	    strcmp(num, r->oid) != 0))
		return false;
	return true;
}

int
daemon_op_traps(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen)
{
	const struct daemon_traps *t = d->traps;
	const char *host = json_string_value(json_object_get(req, "host"));
	const char *oid = json_string_value(json_object_get(req, "oid"));
	json_t *jsince = json_object_get(req, "since");
	json_t *jlimit = json_object_get(req, "limit");
	int64_t since = json_is_integer(jsince) ?
	    (int64_t)json_integer_value(jsince) : 0;
	json_int_t limit = json_is_integer(jlimit) ?
	    json_integer_value(jlimit) : 100;
	char num[SNMP_MIB_TEXT_MAX] = "", merr[300];
	json_t *arr;
	size_t start, n = 0, skip;

	if (t == NULL) {
		snprintf(err, errlen, "trap reception is off (no trap_listen "
		    "in the main config file)");
		return -1;
	}
	if (limit <= 0 || limit > 1000000) {
		snprintf(err, errlen, "limit: expected 1 to 1000000");
		return -1;
	}
	if (oid != NULL && traprule_std_name(oid) == NULL &&
	    snmp_mib_resolve(oid, num, sizeof(num), merr, sizeof(merr)) != 0 &&
	    !snmp_mib_is_numeric(oid)) {
		/* maybe a name we print (linkDown): compared by name below */
		num[0] = '\0';
	}
	arr = json_array();
	/* newest last, from the oldest kept; two passes so that only the
	 * newest limit matches are rendered */
	start = (t->ring_next + t->ring_cap - t->ring_n) % (t->ring_cap ?
	    t->ring_cap : 1);
	for (int pass = 0; pass < 2; pass++) {
		size_t seen = 0;

		skip = pass == 1 && n > (size_t)limit ? n - (size_t)limit : 0;
		for (size_t k = 0; k < t->ring_n; k++) {
			const struct trap_rec *r =
			    &t->ring[(start + k) % t->ring_cap];

			if (!trap_rec_match(r, host, oid, num, since))
				continue;
			if (pass == 0)
				n++;
			else if (seen++ >= skip)
				json_array_append_new(arr, trap_rec_json(r));
		}
	}
	*data = json_object();
	json_object_set_new(*data, "traps", arr);
	json_object_set_new(*data, "counters", daemon_traps_json(d));
	return 0;
}
