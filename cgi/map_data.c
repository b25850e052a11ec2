/*
 * map_data: the status op's answer turned into the map's input
 * (map_data.h). Hosts are found by name through an index sorted once
 * (hosts) and services through another (host, description); each lookup
 * is a binary search, so 1,000 hosts with 50,000 services stay cheap.
 */
#include "map_data.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "perfdata.h"

struct md_svc {
	const char *host, *desc;
	json_t *o;
};

static int
md_cmp_host(const void *a, const void *b, void *arg)
{
	const struct map_data *md = arg;

	return strcmp(md->in[*(const size_t *)a].name,
	    md->in[*(const size_t *)b].name);
}

/* The index of name among md's hosts (idx sorted by name), or SIZE_MAX. */
static size_t
md_find(const struct map_data *md, const size_t *idx, const char *name)
{
	size_t lo = 0, hi = md->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, md->in[idx[mid]].name);

		if (c == 0)
			return idx[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIZE_MAX;
}

static const char *
md_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * The monitor's own host, when the user sees it and it has no parent of
 * its own, becomes the parent of every other host without one: the tree
 * grows from the monitor outward (Nagios' statusmap does the same). *pi:
 * the next free entry of md->par, which has room for one more per host.
 */
static void
map_data_root(struct map_data *md, size_t *pi)
{
	size_t i;

	if (md->monitor == SIZE_MAX || md->in[md->monitor].nparents > 0)
		return;
	for (i = 0; i < md->n; i++)
		if (i != md->monitor && md->in[i].nparents == 0) {
			md->in[i].parents = &md->par[*pi];
			md->par[(*pi)++] = md->monitor;
			md->in[i].nparents = 1;
			md->adopted++;
		}
}

int
map_data_build(json_t *status, struct map_data *md, char *err, size_t errlen)
{
	json_t *hosts = json_object_get(status, "hosts"), *h, *v;
	size_t nh, i, k, npar = 0, ngrp = 0, *idx = NULL, pi = 0, gi = 0;
	int st;

	memset(md, 0, sizeof(*md));
	if (!json_is_array(hosts)) {
		snprintf(err, errlen, "pharosd's status answer has no hosts");
		return -EINVAL;
	}
	nh = json_array_size(hosts);
	json_array_foreach(hosts, i, h) {
		npar += json_array_size(json_object_get(h, "parents"));
		ngrp += json_array_size(json_object_get(h, "hostgroups"));
	}
	md->in = calloc(nh + 1, sizeof(*md->in));
	/* room for the monitor as the parent of every other root */
	md->par = calloc(npar + nh + 1, sizeof(*md->par));
	md->grp = calloc(ngrp + 1, sizeof(*md->grp));
	idx = calloc(nh + 1, sizeof(*idx));
	if (md->in == NULL || md->par == NULL || md->grp == NULL ||
	    idx == NULL)
		goto nomem;
	md->status = json_incref(status);
	md->monitor = SIZE_MAX;
	json_array_foreach(hosts, i, h) {
		struct maplayout_in *in = &md->in[md->n];
		const char *name = md_str(h, "name"), *s = md_str(h, "state");

		if (name == NULL)
			continue;
		in->name = name;
		st = s != NULL ? maplayout_state_parse(s) : -1;
		in->state = st >= 0 ? (enum maplayout_state)st :
		    MAPLAYOUT_PENDING;
		in->util = -1;
		in->groups = &md->grp[gi];
		json_array_foreach(json_object_get(h, "hostgroups"), k, v)
			if (json_is_string(v) && gi < ngrp) {
				md->grp[gi++] = json_string_value(v);
				in->ngroups++;
			}
		if (json_is_true(json_object_get(h, "monitor")) &&
		    md->monitor == SIZE_MAX)
			md->monitor = md->n;
		idx[md->n] = md->n;
		md->n++;
	}
	qsort_r(idx, md->n, sizeof(*idx), md_cmp_host, md);
	/* parents by name, among the hosts the user sees; the k-th host with
	 * a name is the k-th entry of in[] */
	k = 0;
	json_array_foreach(hosts, i, h) {
		size_t j, p;

		if (md_str(h, "name") == NULL)
			continue;
		md->in[k].parents = &md->par[pi];
		json_array_foreach(json_object_get(h, "parents"), j, v) {
			if (!json_is_string(v) || pi >= npar ||
			    md->in[k].nparents >= MAPLAYOUT_PARENTS_MAX)
				continue;
			p = md_find(md, idx, json_string_value(v));
			if (p == SIZE_MAX || p == k)
				continue;
			md->par[pi++] = p;
			md->in[k].nparents++;
		}
		k++;
	}
	free(idx);
	map_data_root(md, &pi);
	return 0;
nomem:
	free(idx);
	map_data_free(md);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

void
map_data_free(struct map_data *md)
{
	if (md == NULL)
		return;
	free(md->in);
	free(md->par);
	free(md->grp);
	json_decref(md->status);
	memset(md, 0, sizeof(*md));
}

double
map_data_util(const char *perfdata)
{
	struct perfdata_item it[PERFDATA_ITEMS_MAX];
	size_t n = 0, i;
	double u = -1;

	(void)perfdata_parse(perfdata, it, PERFDATA_ITEMS_MAX, &n);
	for (i = 0; i < n; i++)
		if ((strcmp(it[i].label, "in_util") == 0 ||
		    strcmp(it[i].label, "out_util") == 0) &&
		    !it[i].value_unknown && it[i].value >= 0 &&
		    it[i].value <= 1000 && it[i].value > u)
			u = it[i].value;
	return u;
}

/* --- links -------------------------------------------------------------- */

/* Whether word occurs in text as a whole word (case-insensitive; the
 * characters around it are not letters, digits, '-', '_' or '.'). */
static int
md_word(const char *text, const char *word)
{
	size_t wl = strlen(word);
	const char *p = text;

	if (wl == 0)
		return 0;
	while ((p = strcasestr(p, word)) != NULL) {
		unsigned char before = p > text ? (unsigned char)p[-1] : ' ';
		unsigned char after = (unsigned char)p[wl];

		if (!isalnum(before) && before != '-' && before != '_' &&
		    before != '.' && !isalnum(after) && after != '-' &&
		    after != '_' && after != '.')
			return 1;
		p++;
	}
	return 0;
}

/* The interface of owner (its discovery) that names other, or NULL. */
static const struct discover_iface *
md_iface_naming(const struct discover_result *r, const char *other)
{
	size_t i;

	for (i = 0; r != NULL && i < r->nifaces; i++)
		if ((r->ifaces[i].alias != NULL &&
		    md_word(r->ifaces[i].alias, other)) ||
		    (r->ifaces[i].descr != NULL &&
		    md_word(r->ifaces[i].descr, other)))
			return &r->ifaces[i];
	return NULL;
}

static int
md_cmp_svc(const void *a, const void *b)
{
	const struct md_svc *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	return c != 0 ? c : strcmp(x->desc, y->desc);
}

/* The state and utilization of owner's interface ifc. */
static void
md_link_state(struct maplayout_in *in, const struct md_svc *svc, size_t ns,
    const char *owner, const struct discover_iface *ifc)
{
	char desc[512];
	struct md_svc key, *f;
	const char *st;

	in->link = ifc->oper == 1 ? MAPLAYOUT_LINK_UP : ifc->oper > 1 ?
	    MAPLAYOUT_LINK_DOWN : MAPLAYOUT_LINK_UNKNOWN;
	in->util = -1;
	snprintf(desc, sizeof(desc), "Interface %s", ifc->name);
	key.host = owner;
	key.desc = desc;
	f = ns > 0 ? bsearch(&key, svc, ns, sizeof(*svc), md_cmp_svc) : NULL;
	if (f == NULL)
		return;
	st = md_str(f->o, "state");
	if (st != NULL && strcmp(st, "OK") == 0)
		in->link = MAPLAYOUT_LINK_UP;
	else if (st != NULL && (strcmp(st, "CRITICAL") == 0 ||
	    strcmp(st, "WARNING") == 0))
		in->link = MAPLAYOUT_LINK_DOWN;
	if (in->link == MAPLAYOUT_LINK_UP)
		in->util = map_data_util(md_str(f->o, "perfdata"));
}

void
map_data_links(struct map_data *md, const char *cache_path)
{
	struct discover_cache *cache = NULL;
	json_t *svcs = json_object_get(md->status, "services"), *s;
	struct md_svc *svc = NULL;
	size_t ns = 0, i;
	char err[512];

	if (cache_path == NULL || discover_cache_load(cache_path, &cache,
	    NULL, err, sizeof(err)) != 0 || discover_cache_count(cache) == 0)
		goto done;
	if (json_array_size(svcs) > 0 &&
	    (svc = calloc(json_array_size(svcs), sizeof(*svc))) != NULL) {
		json_array_foreach(svcs, i, s) {
			const char *h = md_str(s, "host");
			const char *d = md_str(s, "description");

			if (h != NULL && d != NULL)
				svc[ns++] = (struct md_svc){ h, d, s };
		}
		qsort(svc, ns, sizeof(*svc), md_cmp_svc);
	}
	for (i = 0; i < md->n; i++) {
		struct maplayout_in *in = &md->in[i];
		const char *pname, *owner;
		const struct discover_iface *ifc;

		if (in->nparents == 0)
			continue;
		pname = md->in[in->parents[0]].name;
		owner = pname;
		ifc = md_iface_naming(discover_cache_get(cache, pname),
		    in->name);
		if (ifc == NULL) {
			owner = in->name;
			ifc = md_iface_naming(discover_cache_get(cache,
			    in->name), pname);
		}
		if (ifc == NULL || ifc->name == NULL)
			continue;
		md_link_state(in, svc, ns, owner, ifc);
		md->links++;
	}
done:
	free(svc);
	discover_cache_free(cache);
}
