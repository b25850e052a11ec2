/*
 * topology: the parent tree from evidence tables (see topology.h).
 *
 * Data: node 0 is the monitor, nodes 1..n the hosts in registration
 * order. Addresses and MACs are flat arrays of (key, node); the first
 * host to claim a key keeps it. Every accepted piece of evidence is one
 * raw edge (two nodes, a kind, a line of text). topo_solve() reclassifies
 * FDB edges whose bridge port saw several known MACs as shared, merges raw
 * edges by node pair (cost = the cheapest kind, evidence lines kept in
 * order of strength), and runs Dijkstra from node 0 on the merged edges
 * with an O(V^2) scan: fine for the few thousand hosts of one monitor and
 * free of heap bookkeeping.
 *
 * Invariants: raw edges never join a node to itself; after solve every
 * host's parent is a node with a smaller cost, so the tree has no cycle.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "topology.h"

#define TOPO_INF UINT32_MAX

struct topo_key {
	uint8_t fam;       /* AF_INET, AF_INET6; 0 for a MAC */
	uint8_t b[16];
	uint32_t node;
};

struct topo_node {
	char *name;
	char **alias;
	size_t nalias;
};

struct topo_raw {
	uint32_t a, b;        /* a is the reporter (or the nearer end) */
	enum topo_ev_kind kind;
	long port;            /* FDB: the bridge port */
	char text[TOPO_EV_TEXT];
};

struct topo_edge {
	uint32_t u, v;        /* u < v */
	uint32_t cost;
	enum topo_ev_kind kind;
	const char *ev[TOPO_EV_KEEP];
	size_t nev, total;
};

struct topo {
	struct topo_node *node; /* [0] is the monitor */
	size_t nnode, capnode;
	struct topo_key *key;
	size_t nkey, capkey;
	struct topo_raw *raw;
	size_t nraw, capraw;
	struct topo_edge *edge;
	size_t nedge;
	/* after solve */
	uint32_t *dist, *parent, *other, *pedge, *depth;
	bool *amb;
	bool solved;
	struct topo_counters cnt;
};

static const uint32_t topo_cost[] = {
	[TOPO_EV_ONLINK] = 1,    [TOPO_EV_LLDP] = 1,
	[TOPO_EV_FDB] = 1,       [TOPO_EV_ARP] = 4,
	[TOPO_EV_FDB_SHARED] = 64, [TOPO_EV_GATEWAY] = 4096,
};

const char *
topo_ev_kind_name(enum topo_ev_kind k)
{
	switch (k) {
	case TOPO_EV_ONLINK: return "on-link";
	case TOPO_EV_LLDP: return "lldp";
	case TOPO_EV_FDB: return "fdb";
	case TOPO_EV_ARP: return "arp";
	case TOPO_EV_FDB_SHARED: return "fdb-shared";
	case TOPO_EV_GATEWAY: return "gateway";
	}
	return "?";
}

void
topo_mac_text(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
	    mac[2], mac[3], mac[4], mac[5]);
}

/* snprintf that may cut: evidence lines are bounded on purpose. */
static void __attribute__((format(printf, 3, 4)))
topo_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Grow *arr (of *cap elements of size sz) to hold n + 1. */
static int
topo_grow(void *arr, size_t *cap, size_t n, size_t sz)
{
	void **p = arr;
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	q = realloc(*p, ncap * sz);
	if (q == NULL)
		return -ENOMEM;
	*p = q;
	*cap = ncap;
	return 0;
}

int
topo_new(struct topo **out)
{
	struct topo *t = calloc(1, sizeof(*t));

	*out = NULL;
	if (t == NULL)
		return -ENOMEM;
	if (topo_grow(&t->node, &t->capnode, 0, sizeof(*t->node)) != 0 ||
	    (t->node[0].name = strdup(TOPO_MONITOR)) == NULL) {
		topo_free(t);
		return -ENOMEM;
	}
	t->node[0].alias = NULL;
	t->node[0].nalias = 0;
	t->nnode = 1;
	*out = t;
	return 0;
}

void
topo_free(struct topo *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < t->nnode; i++) {
		free(t->node[i].name);
		for (j = 0; j < t->node[i].nalias; j++)
			free(t->node[i].alias[j]);
		free(t->node[i].alias);
	}
	free(t->node);
	free(t->key);
	free(t->raw);
	free(t->edge);
	free(t->dist);
	free(t->parent);
	free(t->other);
	free(t->pedge);
	free(t->depth);
	free(t->amb);
	free(t);
}

/* The node of a host name (NULL: the monitor), or -1. */
static long
topo_node_of(const struct topo *t, const char *name)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 1; i < t->nnode; i++)
		if (strcmp(t->node[i].name, name) == 0)
			return (long)i;
	return -1;
}

int
topo_host_add(struct topo *t, const char *name)
{
	char *copy;

	if (t->solved)
		return -EBUSY;
	if (name == NULL || name[0] == '\0' || strlen(name) >= TOPO_NAME_MAX)
		return -EINVAL;
	if (topo_node_of(t, name) >= 0)
		return -EEXIST;
	if (topo_grow(&t->node, &t->capnode, t->nnode, sizeof(*t->node)) != 0)
		return -ENOMEM;
	copy = strdup(name);
	if (copy == NULL)
		return -ENOMEM;
	t->node[t->nnode].name = copy;
	t->node[t->nnode].alias = NULL;
	t->node[t->nnode].nalias = 0;
	t->nnode++;
	return 0;
}

static int
topo_addr_key(const char *addr, struct topo_key *k)
{
	memset(k, 0, sizeof(*k));
	if (addr == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, addr, k->b) == 1) {
		k->fam = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, k->b) == 1) {
		k->fam = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static bool
topo_mac_ok(const uint8_t *mac)
{
	static const uint8_t zero[6];

	return mac != NULL && memcmp(mac, zero, 6) != 0 && (mac[0] & 1) == 0;
}

static void
topo_mac_key(const uint8_t mac[6], struct topo_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->b, mac, 6);
}

/* The node holding key k, or -1. */
static long
topo_key_node(const struct topo *t, const struct topo_key *k)
{
	size_t i;

	for (i = 0; i < t->nkey; i++)
		if (t->key[i].fam == k->fam &&
		    memcmp(t->key[i].b, k->b, sizeof(k->b)) == 0)
			return (long)t->key[i].node;
	return -1;
}

static int
topo_key_add(struct topo *t, const char *host, struct topo_key *k)
{
	long n, owner;

	if (t->solved)
		return -EBUSY;
	n = topo_node_of(t, host);
	if (n < 0)
		return -ENOENT;
	owner = topo_key_node(t, k);
	if (owner == n)
		return 0;
	if (owner >= 0) {
		t->cnt.bad++;
		return -EEXIST;
	}
	if (topo_grow(&t->key, &t->capkey, t->nkey, sizeof(*t->key)) != 0)
		return -ENOMEM;
	k->node = (uint32_t)n;
	t->key[t->nkey++] = *k;
	return 0;
}

int
topo_host_addr(struct topo *t, const char *host, const char *addr)
{
	struct topo_key k;

	if (topo_addr_key(addr, &k) != 0)
		return -EINVAL;
	return topo_key_add(t, host, &k);
}

int
topo_host_mac(struct topo *t, const char *host, const uint8_t mac[6])
{
	struct topo_key k;

	if (!topo_mac_ok(mac))
		return -EINVAL;
	topo_mac_key(mac, &k);
	return topo_key_add(t, host, &k);
}

int
topo_host_alias(struct topo *t, const char *host, const char *alias)
{
	struct topo_node *nd;
	char **p, *copy;
	long n;

	if (t->solved)
		return -EBUSY;
	if (alias == NULL || alias[0] == '\0' || strlen(alias) >= TOPO_NAME_MAX)
		return -EINVAL;
	n = topo_node_of(t, host);
	if (n < 0)
		return -ENOENT;
	nd = &t->node[n];
	p = realloc(nd->alias, (nd->nalias + 1) * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	nd->alias = p;
	copy = strdup(alias);
	if (copy == NULL)
		return -ENOMEM;
	nd->alias[nd->nalias++] = copy;
	return 0;
}

/* Does name match s, whole or as the first label of s ("dist1" matches
 * "dist1.example.net")? Case-insensitive, as DNS names are. */
static bool
topo_name_match(const char *name, const char *s)
{
	size_t n = strlen(name);

	if (strcasecmp(name, s) == 0)
		return true;
	return strncasecmp(name, s, n) == 0 && s[n] == '.';
}

/* The node a system name designates: a host's name or alias; -1 when none
 * or several do. */
static long
topo_name_node(const struct topo *t, const char *s)
{
	long found = -1;
	size_t i, j;

	for (i = 1; i < t->nnode; i++) {
		bool m = topo_name_match(t->node[i].name, s);

		for (j = 0; !m && j < t->node[i].nalias; j++)
			m = topo_name_match(t->node[i].alias[j], s);
		if (!m)
			continue;
		if (found >= 0 && found != (long)i)
			return -1;
		found = (long)i;
	}
	return found;
}

/* Record one edge; counts the outcome. */
static int
topo_raw_add(struct topo *t, long a, long b, enum topo_ev_kind kind,
    long port, const char *text)
{
	struct topo_raw *r;

	if (a == b) {
		t->cnt.self++;
		return -ELOOP;
	}
	if (topo_grow(&t->raw, &t->capraw, t->nraw, sizeof(*t->raw)) != 0)
		return -ENOMEM;
	r = &t->raw[t->nraw++];
	r->a = (uint32_t)a;
	r->b = (uint32_t)b;
	r->kind = kind;
	r->port = port;
	snprintf(r->text, sizeof(r->text), "%s", text);
	t->cnt.used++;
	return 0;
}

/* Start an evidence call: count it, refuse after solve, find the
 * reporter. Returns the reporter's node or a negative errno. */
static long
topo_ev_begin(struct topo *t, const char *reporter)
{
	long r;

	t->cnt.evidence++;
	if (t->solved) {
		t->cnt.bad++;
		return -EBUSY;
	}
	r = topo_node_of(t, reporter);
	if (r < 0) {
		t->cnt.bad++;
		return -EINVAL;
	}
	return r;
}

int
topo_ev_route(struct topo *t, const char *target, const char *gateway,
    const char *ifname)
{
	char text[TOPO_EV_TEXT];
	struct topo_key k;
	long tn, gn;
	int rc;

	if ((rc = (int)topo_ev_begin(t, NULL)) < 0)
		return rc;
	if (topo_addr_key(target, &k) != 0 ||
	    (gateway != NULL && topo_addr_key(gateway, &k) != 0)) {
		t->cnt.bad++;
		return -EINVAL;
	}
	(void)topo_addr_key(target, &k);
	tn = topo_key_node(t, &k);
	if (tn < 0) {
		t->cnt.unknown++;
		return -ENOENT;
	}
	if (ifname == NULL)
		ifname = "?";
	if (gateway == NULL) {
		topo_fmt(text, sizeof(text),
		    "route: %s (%s) is on-link via %s", t->node[tn].name,
		    target, ifname);
		return topo_raw_add(t, 0, tn, TOPO_EV_ONLINK, 0, text);
	}
	(void)topo_addr_key(gateway, &k);
	gn = topo_key_node(t, &k);
	if (gn <= 0) {
		/* A gateway that is no monitored host says nothing here. */
		t->cnt.unknown++;
		return -ENOENT;
	}
	topo_fmt(text, sizeof(text), "route: gateway %s (%s) is on-link via %s",
	    t->node[gn].name, gateway, ifname);
	if ((rc = topo_raw_add(t, 0, gn, TOPO_EV_ONLINK, 0, text)) != 0)
		return rc;
	if (gn == tn)
		return 0;
	topo_fmt(text, sizeof(text), "route: %s (%s) is reached through "
	    "gateway %s (%s)", t->node[tn].name, target, t->node[gn].name,
	    gateway);
	t->cnt.used--; /* one call, counted once */
	return topo_raw_add(t, gn, tn, TOPO_EV_GATEWAY, 0, text);
}

int
topo_ev_lldp(struct topo *t, const char *reporter, const char *port,
    const char *mgmt_addr, const uint8_t *chassis_mac, const char *sysname)
{
	char text[TOPO_EV_TEXT], mac[18] = "", by[TOPO_EV_TEXT];
	struct topo_key k;
	long r, n = -1;

	if ((r = topo_ev_begin(t, reporter)) < 0)
		return (int)r;
	if (mgmt_addr != NULL && topo_addr_key(mgmt_addr, &k) == 0 &&
	    (n = topo_key_node(t, &k)) >= 0)
		topo_fmt(by, sizeof(by), "management address %s", mgmt_addr);
	if (n < 0 && topo_mac_ok(chassis_mac)) {
		topo_mac_key(chassis_mac, &k);
		topo_mac_text(chassis_mac, mac, sizeof(mac));
		if ((n = topo_key_node(t, &k)) >= 0)
			topo_fmt(by, sizeof(by), "chassis %s", mac);
	}
	if (n < 0 && sysname != NULL && sysname[0] != '\0' &&
	    (n = topo_name_node(t, sysname)) >= 0)
		topo_fmt(by, sizeof(by), "system name %.*s", TOPO_NAME_MAX,
		    sysname);
	if (n < 0) {
		t->cnt.unknown++;
		return -ENOENT;
	}
	topo_fmt(text, sizeof(text), "lldp: %s port %.40s sees %s (%s)",
	    t->node[r].name, port != NULL && port[0] ? port : "?",
	    t->node[n].name, by);
	return topo_raw_add(t, r, n, TOPO_EV_LLDP, 0, text);
}

int
topo_ev_fdb(struct topo *t, const char *reporter, long port,
    const uint8_t mac[6])
{
	char text[TOPO_EV_TEXT], m[18];
	struct topo_key k;
	long r, n;

	if ((r = topo_ev_begin(t, reporter)) < 0)
		return (int)r;
	if (!topo_mac_ok(mac) || port < 0) {
		t->cnt.bad++;
		return -EINVAL;
	}
	topo_mac_key(mac, &k);
	n = topo_key_node(t, &k);
	if (n < 0) {
		t->cnt.unknown++;
		return -ENOENT;
	}
	topo_mac_text(mac, m, sizeof(m));
	topo_fmt(text, sizeof(text), "fdb: %s bridge port %ld learned %s (%s)",
	    t->node[r].name, port, m, t->node[n].name);
	return topo_raw_add(t, r, n, TOPO_EV_FDB, port, text);
}

int
topo_ev_arp(struct topo *t, const char *reporter, const char *addr,
    const uint8_t *mac)
{
	char text[TOPO_EV_TEXT], m[18] = "?";
	struct topo_key k;
	long r, n;

	if ((r = topo_ev_begin(t, reporter)) < 0)
		return (int)r;
	if (topo_addr_key(addr, &k) != 0) {
		t->cnt.bad++;
		return -EINVAL;
	}
	n = topo_key_node(t, &k);
	if (n < 0 && topo_mac_ok(mac)) {
		topo_mac_key(mac, &k);
		n = topo_key_node(t, &k);
	}
	if (n < 0) {
		t->cnt.unknown++;
		return -ENOENT;
	}
	if (topo_mac_ok(mac))
		topo_mac_text(mac, m, sizeof(m));
	topo_fmt(text, sizeof(text), "arp: %s has %s at %s (%s)",
	    t->node[r].name, addr, m, t->node[n].name);
	return topo_raw_add(t, r, n, TOPO_EV_ARP, 0, text);
}

/* qsort orders. */
static int
topo_cmp_fdb(const void *x, const void *y)
{
	const struct topo_raw *a = *(struct topo_raw *const *)x;
	const struct topo_raw *b = *(struct topo_raw *const *)y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return 0;
}

static void
topo_pair(const struct topo_raw *r, uint32_t *u, uint32_t *v)
{
	*u = r->a < r->b ? r->a : r->b;
	*v = r->a < r->b ? r->b : r->a;
}

static int
topo_cmp_pair(const void *x, const void *y)
{
	const struct topo_raw *a = *(struct topo_raw *const *)x;
	const struct topo_raw *b = *(struct topo_raw *const *)y;
	uint32_t au, av, bu, bv;

	topo_pair(a, &au, &av);
	topo_pair(b, &bu, &bv);
	if (au != bu)
		return au < bu ? -1 : 1;
	if (av != bv)
		return av < bv ? -1 : 1;
	if (topo_cost[a->kind] != topo_cost[b->kind])
		return topo_cost[a->kind] < topo_cost[b->kind] ? -1 : 1;
	return a < b ? -1 : (a > b);
}

/* FDB rows on a port where several known hosts were learned say "behind
 * this port", not "next to it". */
static int
topo_mark_shared(struct topo *t)
{
	struct topo_raw **v;
	size_t n = 0, i, j, k, distinct;

	v = calloc(t->nraw ? t->nraw : 1, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < t->nraw; i++)
		if (t->raw[i].kind == TOPO_EV_FDB)
			v[n++] = &t->raw[i];
	qsort(v, n, sizeof(*v), topo_cmp_fdb);
	for (i = 0; i < n; i = j) {
		distinct = 1;
		for (j = i + 1; j < n && v[j]->a == v[i]->a &&
		    v[j]->port == v[i]->port; j++)
			if (v[j]->b != v[j - 1]->b)
				distinct++;
		if (distinct < 2)
			continue;
		for (k = i; k < j; k++)
			v[k]->kind = TOPO_EV_FDB_SHARED;
	}
	free(v);
	return 0;
}

/* Is text already among e's kept lines? */
static bool
topo_ev_dup(const struct topo_edge *e, const char *text)
{
	size_t i;

	for (i = 0; i < e->nev; i++)
		if (strcmp(e->ev[i], text) == 0)
			return true;
	return false;
}

/* Merge raw edges by pair into t->edge; identical lines once. */
static int
topo_merge(struct topo *t)
{
	struct topo_raw **v;
	size_t i, j;

	v = calloc(t->nraw ? t->nraw : 1, sizeof(*v));
	t->edge = calloc(t->nraw ? t->nraw : 1, sizeof(*t->edge));
	if (v == NULL || t->edge == NULL) {
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < t->nraw; i++)
		v[i] = &t->raw[i];
	qsort(v, t->nraw, sizeof(*v), topo_cmp_pair);
	for (i = 0; i < t->nraw; i = j) {
		struct topo_edge *e = &t->edge[t->nedge++];
		uint32_t u, w, u2, w2;

		topo_pair(v[i], &u, &w);
		e->u = u;
		e->v = w;
		e->kind = v[i]->kind; /* sorted: the cheapest first */
		e->cost = topo_cost[e->kind];
		for (j = i; j < t->nraw; j++) {
			topo_pair(v[j], &u2, &w2);
			if (u2 != u || w2 != w)
				break;
			if (topo_ev_dup(e, v[j]->text))
				continue; /* two tables saying the same */
			if (e->nev < TOPO_EV_KEEP)
				e->ev[e->nev++] = v[j]->text;
			e->total++;
		}
	}
	free(v);
	return 0;
}

/* Is parent candidate a better than b for the same cost (by name, the
 * monitor first)? */
static bool
topo_prefer(const struct topo *t, uint32_t a, uint32_t b)
{
	if (a == 0 || b == 0)
		return a == 0 && b != 0;
	return strcmp(t->node[a].name, t->node[b].name) < 0;
}

static void
topo_dijkstra(struct topo *t)
{
	size_t n = t->nnode, i, e;
	bool *done = t->amb + n; /* the second half of amb's allocation */

	for (i = 0; i < n; i++) {
		t->dist[i] = TOPO_INF;
		t->parent[i] = TOPO_INF;
		t->other[i] = TOPO_INF;
		t->pedge[i] = TOPO_INF;
		t->depth[i] = 0;
		t->amb[i] = false;
		done[i] = false;
	}
	t->dist[0] = 0;
	for (;;) {
		uint32_t u = TOPO_INF, best = TOPO_INF;

		for (i = 0; i < n; i++)
			if (!done[i] && t->dist[i] < best) {
				best = t->dist[i];
				u = (uint32_t)i;
			}
		if (u == TOPO_INF)
			break;
		done[u] = true;
		if (u != 0)
			t->depth[u] = t->depth[t->parent[u]] + 1;
		for (e = 0; e < t->nedge; e++) {
			const struct topo_edge *ed = &t->edge[e];
			uint32_t w, d;

			if (ed->u == u)
				w = ed->v;
			else if (ed->v == u)
				w = ed->u;
			else
				continue;
			if (done[w])
				continue;
			d = best + ed->cost;
			if (d < t->dist[w]) {
				t->dist[w] = d;
				t->parent[w] = u;
				t->pedge[w] = (uint32_t)e;
				t->amb[w] = false;
				t->other[w] = TOPO_INF;
			} else if (d == t->dist[w] && t->parent[w] != u) {
				t->amb[w] = true;
				if (topo_prefer(t, u, t->parent[w])) {
					t->other[w] = t->parent[w];
					t->parent[w] = u;
					t->pedge[w] = (uint32_t)e;
				} else if (t->other[w] == TOPO_INF ||
				    topo_prefer(t, u, t->other[w])) {
					t->other[w] = u;
				}
			}
		}
	}
}

int
topo_solve(struct topo *t)
{
	size_t n = t->nnode;

	if (t->solved)
		return 0;
	t->dist = calloc(n, sizeof(*t->dist));
	t->parent = calloc(n, sizeof(*t->parent));
	t->other = calloc(n, sizeof(*t->other));
	t->pedge = calloc(n, sizeof(*t->pedge));
	t->depth = calloc(n, sizeof(*t->depth));
	t->amb = calloc(2 * n, sizeof(*t->amb));
	if (t->dist == NULL || t->parent == NULL || t->other == NULL ||
	    t->pedge == NULL || t->depth == NULL || t->amb == NULL)
		return -ENOMEM;
	if (topo_mark_shared(t) != 0 || topo_merge(t) != 0)
		return -ENOMEM;
	topo_dijkstra(t);
	t->solved = true;
	return 0;
}

void
topo_counters(const struct topo *t, struct topo_counters *out)
{
	*out = t->cnt;
}

size_t
topo_nhosts(const struct topo *t)
{
	return t->nnode - 1;
}

int
topo_place_get(const struct topo *t, size_t i, struct topo_place *out)
{
	size_t n = i + 1;
	const struct topo_edge *e;

	memset(out, 0, sizeof(*out));
	if (!t->solved)
		return -EAGAIN;
	if (n >= t->nnode)
		return -ENOENT;
	out->name = t->node[n].name;
	if (t->dist[n] == TOPO_INF)
		return 0;
	out->placed = true;
	out->cost = t->dist[n];
	out->depth = t->depth[n];
	out->parent = t->parent[n] == 0 ? NULL : t->node[t->parent[n]].name;
	out->ambiguous = t->amb[n];
	if (t->amb[n] && t->other[n] != TOPO_INF)
		out->other = t->other[n] == 0 ? NULL
		                              : t->node[t->other[n]].name;
	e = &t->edge[t->pedge[n]];
	out->kind = e->kind;
	out->nev = e->nev;
	out->ev = e->ev;
	out->nev_total = e->total;
	return 0;
}

int
topo_place_find(const struct topo *t, const char *name,
    struct topo_place *out)
{
	long n = name != NULL ? topo_node_of(t, name) : -1;

	if (n <= 0) {
		memset(out, 0, sizeof(*out));
		return -ENOENT;
	}
	return topo_place_get(t, (size_t)n - 1, out);
}
