/*
 * conf_depend: escalations and dependencies, built once every host and
 * service exists (conf_notify_resolve(), called by conf_resolve.c after
 * objects_link()).
 *
 * An escalation definition gives each host or service it names a struct
 * escalation of its own in opts.escalations, since what it inherits (the
 * object's contacts, notification_interval and notification_period when
 * it sets none) differs per object. A dependency definition gives each
 * dependent object a struct dependency per master in opts.deps. The
 * dependency graphs (hosts, services; dependent -> master, execution and
 * notification edges together) must be acyclic: each cycle is an error
 * at the "define" line of the dependency that closes it, printed as the
 * cycle ("host dependency cycle: a -> b -> a"). The search is iterative,
 * so long chains cannot overflow the stack.
 *
 * Unknown names are errors at the definition's "define" line, reported
 * once per definition and object; a definition that applies to nothing
 * otherwise gets a warning.
 */
#include "conf_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"

#define ERR(d, ...) \
	conf_msg(ctx, CONF_ERROR, (d)->file, (d)->line, __VA_ARGS__)
#define ROOM(arr, n) CONF_ROOM(&ctx->oom, arr, n)

#define CN_DEFAULT_INTERVAL "30"
#define CN_HOST_STATES (OBJ_OPT_STATE(HOST_UP) | OBJ_OPT_STATE(HOST_DOWN) | \
	OBJ_OPT_STATE(HOST_UNREACHABLE))
#define CN_SVC_STATES (OBJ_OPT_STATE(SERVICE_OK) |                       \
	OBJ_OPT_STATE(SERVICE_WARNING) | OBJ_OPT_STATE(SERVICE_CRITICAL) |   \
	OBJ_OPT_STATE(SERVICE_UNKNOWN))

/* The hosts a definition names: mark[i] is 2 for a host named, 1 for one
 * reached by a group or "*", -1 for one excluded ("!x"). */
struct cn_set {
	signed char *mark; /* per host */
	size_t *list;	   /* hosts marked, to clear and walk them */
	size_t n;
};

struct cn_res {
	struct conf_ctx *ctx;
	struct objects *o;
	struct objects_priv *p;
	struct cn_set set[2]; /* masters (or the only set), dependents */
};

static int
cn_mark(struct conf_ctx *ctx, struct cn_set *set, size_t i, int how)
{
	signed char *m = &set->mark[i];

	if (*m == 0) {
		if (!ROOM(set->list, set->n))
			return -ENOMEM;
		set->list[set->n++] = i;
	}
	if (how < 0 || *m < 0)
		*m = -1;
	else if (*m < how)
		*m = (signed char)how;
	return 0;
}

static int
cn_index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Mark the hosts of directives hkey (host names) and gkey (host groups),
 * each with "*" and "!exclusions"; then sort the set by host index. */
static int
cn_hosts(struct cn_res *r, const struct conf_def *d, struct cn_set *set,
    const char *hkey, const char *gkey)
{
	struct conf_ctx *ctx = r->ctx;
	const char *key, *it;
	struct hostgroup *g;
	struct conf_list l;
	struct host *h;
	size_t i, j, n;
	int pass, rc = 0;
	bool ex;

	for (pass = 0; pass < 2 && rc == 0; pass++) {
		key = pass == 0 ? hkey : gkey;
		if (conf_list(ctx, conf_rval(d, key), &l) != 0)
			return -ENOMEM;
		for (i = 0; i < l.n && rc == 0; i++) {
			it = l.items[i] + (ex = l.items[i][0] == '!');
			g = NULL;
			h = NULL;
			if (strcmp(it, "*") != 0 && (pass == 0 ?
			    (h = objects_idx_get(&r->p->hosts, it, NULL)) ==
			    NULL : (g = objects_idx_get(&r->p->hostgroups, it,
			    NULL)) == NULL)) {
				ERR(d, "unknown %s '%s' in %s of %s",
				    pass == 0 ? "host" : "hostgroup", it, key,
				    objects_type_name(d->type));
				continue;
			}
			n = h != NULL ? 1 : g != NULL ? g->nmembers :
			    r->o->nhosts;
			for (j = 0; j < n && rc == 0; j++)
				rc = cn_mark(ctx, set, h != NULL ? h->index :
				    g != NULL ? g->members[j]->index : j,
				    ex ? -1 : h != NULL ? 2 : 1);
		}
		conf_list_free(&l);
	}
	if (set->n > 1)
		qsort(set->list, set->n, sizeof(*set->list), cn_index_cmp);
	return rc;
}

static void
cn_set_clear(struct cn_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		set->mark[set->list[i]] = 0;
	set->n = 0;
}

/* The services of host h that directive key of d names (descriptions,
 * "*" for all, "!x" excluded), in the host's order. Unknown ones are
 * reported. *out: caller frees. */
static int
cn_services(struct cn_res *r, const struct conf_def *d, const char *key,
    const struct host *h, struct service ***out, size_t *n)
{
	struct conf_ctx *ctx = r->ctx;
	struct conf_list l;
	struct service *s;
	size_t i, j;
	bool ex;

	*out = NULL;
	*n = 0;
	if (conf_list(ctx, conf_rval(d, key), &l) != 0)
		return -ENOMEM;
	for (j = 0; j < h->nservices; j++) {
		s = h->services[j];
		for (i = 0, ex = false; i < l.n && !ex; i++)
			ex = l.items[i][0] == '!' &&
			    strcmp(l.items[i] + 1, s->description) == 0;
		for (i = 0; i < l.n && !ex; i++)
			if (strcmp(l.items[i], "*") == 0 ||
			    strcmp(l.items[i], s->description) == 0)
				break;
		if (!ex && i < l.n && !ROOM(*out, *n))
			break;
		if (!ex && i < l.n)
			(*out)[(*n)++] = s;
	}
	for (i = 0; i < l.n && !ctx->oom; i++)
		if (l.items[i][0] != '!' && strcmp(l.items[i], "*") != 0 &&
		    objects_service_find(r->o, h->name, l.items[i]) == NULL)
			ERR(d, "unknown service '%s' on host '%s' in %s of %s",
			    l.items[i], h->name, key,
			    objects_type_name(d->type));
	conf_list_free(&l);
	if (!ctx->oom)
		return 0;
	free(*out);
	*out = NULL;
	*n = 0;
	return -ENOMEM;
}

/* Contacts of an escalation from contacts + contact_groups (reported
 * when unknown), without duplicates. */
static int
cn_contacts(struct cn_res *r, const struct conf_def *d, struct contact ***out,
    size_t *n)
{
	struct conf_ctx *ctx = r->ctx;
	struct contactgroup *g;
	struct conf_list l;
	struct contact *c;
	size_t i, j;
	int rc;

	if ((rc = conf_list(ctx, conf_rval(d, "contacts"), &l)) != 0)
		return rc;
	for (i = 0; i < l.n && rc == 0; i++)
		if ((c = objects_idx_get(&r->p->contacts, l.items[i], NULL)) !=
		    NULL)
			rc = objects_contact_add(out, n, c);
		else
			ERR(d, "unknown contact '%s' in contacts of %s",
			    l.items[i], objects_type_name(d->type));
	conf_list_free(&l);
	if (rc != 0 || (rc = conf_list(ctx, conf_rval(d, "contact_groups"),
	    &l)) != 0)
		return rc;
	for (i = 0; i < l.n && rc == 0; i++) {
		if ((g = objects_idx_get(&r->p->contactgroups, l.items[i],
		    NULL)) == NULL)
			ERR(d, "unknown contactgroup '%s' in contact_groups "
			    "of %s", l.items[i], objects_type_name(d->type));
		for (j = 0; g != NULL && j < g->nmembers && rc == 0; j++)
			rc = objects_contact_add(out, n, g->members[j]);
	}
	conf_list_free(&l);
	return rc;
}

/* What one escalation definition says, resolved once. */
struct cn_esc {
	struct contact **contacts;
	size_t ncontacts;
	bool own_contacts, own_interval, own_period;
	struct escalation e; /* the fields set by the definition */
};

/* Add escalation ce to the object with opts op and contacts oc. */
static int
cn_esc_add(struct conf_ctx *ctx, const struct cn_esc *ce, struct obj_opts *op,
    struct contact **oc, size_t noc)
{
	struct escalation *e;
	size_t i, n = ce->own_contacts ? ce->ncontacts : noc;

	if (!ROOM(op->escalations, op->nescalations))
		return -ENOMEM;
	e = &op->escalations[op->nescalations];
	*e = ce->e;
	e->contacts = NULL;
	e->ncontacts = 0;
	if (!ce->own_interval)
		e->notification_interval_ns = op->notification_interval_ns;
	if (!ce->own_period)
		e->escalation_period = op->notification_period;
	if (n > 0 && (e->contacts = calloc(n, sizeof(*e->contacts))) == NULL) {
		ctx->oom = true;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		e->contacts[i] = ce->own_contacts ? ce->contacts[i] : oc[i];
	e->ncontacts = n;
	op->nescalations++;
	return 0;
}

/* The parts of an escalation definition that do not depend on the
 * object. Returns 0 or -ENOMEM (ce->contacts: caller frees). */
static int
cn_esc_prepare(struct cn_res *r, const struct conf_def *d, struct cn_esc *ce)
{
	struct conf_ctx *ctx = r->ctx;
	bool host = d->type == CT_HOSTESCALATION;
	const char *v;
	long l;

	memset(ce, 0, sizeof(*ce));
	ce->own_contacts = conf_rget(d, "contacts") != NULL ||
	    conf_rget(d, "contact_groups") != NULL;
	ce->own_interval = conf_rget(d, "notification_interval") != NULL;
	ce->own_period = conf_rget(d, "escalation_period") != NULL;
	ce->e.loc.file = d->file;
	ce->e.loc.line = d->line;
	if ((v = conf_rval(d, "first_notification")) != NULL &&
	    strnum_long(v, 0, INT32_MAX, &l) == 0)
		ce->e.first_notification = (int)l;
	else if (conf_rget(d, "first_notification") == NULL)
		ERR(d, "%s has no first_notification",
		    objects_type_name(d->type));
	if ((v = conf_rval(d, "last_notification")) != NULL &&
	    strnum_long(v, 0, INT32_MAX, &l) == 0)
		ce->e.last_notification = (int)l;
	else if (conf_rget(d, "last_notification") == NULL)
		ERR(d, "%s has no last_notification",
		    objects_type_name(d->type));
	ce->e.notification_interval_ns = conf_ivl_or(ctx, d,
	    "notification_interval", CN_DEFAULT_INTERVAL);
	ce->e.escalation_period = conf_period(ctx, d, "escalation_period",
	    false);
	ce->e.escalation_options = conf_opts_or(d, "escalation_options", host ?
	    OPTK_HOST_STATES : OPTK_SVC_STATES, host ? CN_HOST_STATES :
	    CN_SVC_STATES) & (host ? CN_HOST_STATES : CN_SVC_STATES);
	return ce->own_contacts ? cn_contacts(r, d, &ce->contacts,
	    &ce->ncontacts) : 0;
}

/* A hostescalation or serviceescalation definition, on every object it
 * names. */
static int
cn_escalation(struct cn_res *r, const struct conf_def *d)
{
	struct conf_ctx *ctx = r->ctx;
	struct cn_set *set = &r->set[0];
	bool host = d->type == CT_HOSTESCALATION;
	unsigned nerrors = ctx->cfg->nerrors;
	struct service **svcs;
	struct cn_esc ce;
	struct host *h;
	size_t i, j, ns, napplied = 0;
	int rc;

	if ((rc = cn_esc_prepare(r, d, &ce)) != 0)
		goto out;
	if (conf_rget(d, "host_name") == NULL &&
	    conf_rget(d, "hostgroup_name") == NULL) {
		ERR(d, "%s has no host_name or hostgroup_name",
		    objects_type_name(d->type));
		goto out;
	}
	if (!host && conf_rget(d, "service_description") == NULL) {
		ERR(d, "serviceescalation has no service_description");
		goto out;
	}
	if ((rc = cn_hosts(r, d, set, "host_name", "hostgroup_name")) != 0)
		goto out;
	for (i = 0; i < set->n && rc == 0; i++) {
		h = r->o->hosts[set->list[i]];
		if (set->mark[h->index] <= 0)
			continue;
		if (host) {
			rc = cn_esc_add(ctx, &ce, &h->opts, h->contacts,
			    h->ncontacts);
			napplied++;
			continue;
		}
		if ((rc = cn_services(r, d, "service_description", h, &svcs,
		    &ns)) != 0)
			break;
		for (j = 0; j < ns && rc == 0; j++, napplied++)
			rc = cn_esc_add(ctx, &ce, &svcs[j]->opts,
			    svcs[j]->contacts, svcs[j]->ncontacts);
		free(svcs);
	}
	*(host ? &r->o->nhostescalations : &r->o->nserviceescalations) +=
	    napplied;
	if (rc == 0 && napplied == 0 && ctx->cfg->nerrors == nerrors)
		conf_msg(ctx, CONF_WARNING, d->file, d->line,
		    "%s applies to no %s", objects_type_name(d->type), host ?
		    "host" : "service");
out:
	cn_set_clear(set);
	free(ce.contacts);
	return rc != 0 || ctx->oom ? -ENOMEM : 0;
}

/* The dependency fields that do not depend on the objects. */
static void
cn_dep_prepare(struct cn_res *r, const struct conf_def *d,
    struct dependency *t)
{
	enum objects_optkind k = d->type == CT_HOSTDEPENDENCY ?
	    OPTK_HOST_STATES : OPTK_SVC_STATES;

	memset(t, 0, sizeof(*t));
	t->execution_failure_criteria = conf_opts_or(d,
	    "execution_failure_criteria", k, 0);
	t->notification_failure_criteria = conf_opts_or(d,
	    "notification_failure_criteria", k, 0);
	t->inherits_parent = conf_bool_or(d, "inherits_parent", false);
	t->dependency_period = conf_period(r->ctx, d, "dependency_period",
	    false);
	t->loc.file = d->file;
	t->loc.line = d->line;
}

/* Make the object with opts op depend on mh or ms, as t says. */
static int
cn_dep_add(struct conf_ctx *ctx, struct obj_opts *op,
    const struct dependency *t, struct host *mh, struct service *ms)
{
	if (!ROOM(op->deps, op->ndeps))
		return -ENOMEM;
	op->deps[op->ndeps] = *t;
	op->deps[op->ndeps].master_host = mh;
	op->deps[op->ndeps++].master_service = ms;
	return 0;
}

/* A hostdependency: every dependent host on every master host. A host
 * named on both sides is an error; one reached through a group is
 * skipped. */
static int
cn_hostdep(struct cn_res *r, const struct conf_def *d)
{
	struct conf_ctx *ctx = r->ctx;
	struct cn_set *ms = &r->set[0], *ds = &r->set[1];
	struct dependency t;
	size_t i, j, n = 0;
	struct host *dh;
	int rc = 0;

	if (conf_rget(d, "host_name") == NULL &&
	    conf_rget(d, "hostgroup_name") == NULL)
		ERR(d, "hostdependency has no host_name or hostgroup_name");
	else if (conf_rget(d, "dependent_host_name") == NULL &&
	    conf_rget(d, "dependent_hostgroup_name") == NULL)
		ERR(d, "hostdependency has no dependent_host_name or "
		    "dependent_hostgroup_name");
	else if ((rc = cn_hosts(r, d, ms, "host_name", "hostgroup_name")) ==
	    0 && (rc = cn_hosts(r, d, ds, "dependent_host_name",
	    "dependent_hostgroup_name")) == 0) {
		cn_dep_prepare(r, d, &t);
		for (i = 0; i < ds->n && rc == 0; i++) {
			dh = r->o->hosts[ds->list[i]];
			for (j = 0; j < ms->n && rc == 0 &&
			    ds->mark[dh->index] > 0; j++) {
				if (ms->mark[ms->list[j]] <= 0)
					continue;
				if (ms->list[j] != dh->index) {
					rc = cn_dep_add(ctx, &dh->opts, &t,
					    r->o->hosts[ms->list[j]], NULL);
					n++;
				} else if (ms->mark[dh->index] == 2 &&
				    ds->mark[dh->index] == 2)
					ERR(d, "hostdependency makes host '%s' "
					    "depend on itself", dh->name);
			}
		}
	}
	r->o->nhostdependencies += n;
	cn_set_clear(ms);
	cn_set_clear(ds);
	return rc;
}

/* Is "*" one of the items of directive key? */
static bool
cn_wild(const struct conf_def *d, const char *key)
{
	const char *p = conf_rval(d, key), *it;
	size_t len;

	while (p != NULL && conf_next_item(&p, &it, &len))
		if (len == 1 && *it == '*')
			return true;
	return false;
}

/* Every service of dependent services dsv on every one of msv. */
static int
cn_svcdep_pairs(struct cn_res *r, const struct conf_def *d,
    const struct dependency *t, struct service **dsv, size_t nd,
    struct service **msv, size_t nm)
{
	struct conf_ctx *ctx = r->ctx;
	bool wild = cn_wild(d, "service_description") ||
	    cn_wild(d, "dependent_service_description");
	size_t i, j;
	int rc = 0;

	for (i = 0; i < nd && rc == 0; i++)
		for (j = 0; j < nm && rc == 0; j++) {
			if (dsv[i] != msv[j]) {
				rc = cn_dep_add(ctx, &dsv[i]->opts, t, NULL,
				    msv[j]);
				r->o->nservicedependencies++;
			} else if (!wild)
				ERR(d, "servicedependency makes service '%s' "
				    "on host '%s' depend on itself",
				    dsv[i]->description, dsv[i]->host->name);
		}
	return rc;
}

/* The dependent services on every dependent host (for a dependency that
 * names dependent hosts). *out: caller frees. */
static int
cn_svcdep_dependents(struct cn_res *r, const struct conf_def *d,
    struct service ***out, size_t *n)
{
	struct conf_ctx *ctx = r->ctx;
	struct cn_set *ds = &r->set[1];
	struct service **sv;
	size_t i, j, ns;
	int rc;

	if ((rc = cn_hosts(r, d, ds, "dependent_host_name",
	    "dependent_hostgroup_name")) != 0)
		return rc;
	for (i = 0; i < ds->n && rc == 0; i++) {
		if (ds->mark[ds->list[i]] <= 0)
			continue;
		if ((rc = cn_services(r, d, "dependent_service_description",
		    r->o->hosts[ds->list[i]], &sv, &ns)) != 0)
			break;
		for (j = 0; j < ns && ROOM(*out, *n); j++)
			(*out)[(*n)++] = sv[j];
		free(sv);
	}
	return rc != 0 || ctx->oom ? -ENOMEM : 0;
}

/* A servicedependency. Without dependent hosts, the dependent services
 * are on each master host (Nagios' same-host dependency). */
static int
cn_svcdep(struct cn_res *r, const struct conf_def *d)
{
	struct conf_ctx *ctx = r->ctx;
	struct cn_set *ms = &r->set[0];
	struct service **msv = NULL, **dsv = NULL, **all = NULL;
	bool same = conf_rget(d, "dependent_host_name") == NULL &&
	    conf_rget(d, "dependent_hostgroup_name") == NULL;
	size_t i, nm, nd, nall = 0;
	struct dependency t;
	struct host *mh;
	int rc = 0;

	if (conf_rget(d, "servicegroup_name") != NULL ||
	    conf_rget(d, "dependent_servicegroup_name") != NULL)
		conf_msg(ctx, CONF_WARNING, d->file, d->line, "servicegroup "
		    "names in servicedependency are not acted on yet");
	if (conf_rget(d, "host_name") == NULL &&
	    conf_rget(d, "hostgroup_name") == NULL)
		ERR(d, "servicedependency has no host_name or hostgroup_name");
	else if (conf_rget(d, "service_description") == NULL ||
	    conf_rget(d, "dependent_service_description") == NULL)
		ERR(d, "servicedependency has no %s",
		    conf_rget(d, "service_description") == NULL ?
		    "service_description" : "dependent_service_description");
	else if ((rc = cn_hosts(r, d, ms, "host_name", "hostgroup_name")) ==
	    0 && (same || (rc = cn_svcdep_dependents(r, d, &all,
	    &nall)) == 0)) {
		cn_dep_prepare(r, d, &t);
		for (i = 0; i < ms->n && rc == 0; i++) {
			mh = r->o->hosts[ms->list[i]];
			if (ms->mark[mh->index] <= 0)
				continue;
			dsv = NULL;
			nd = 0;
			if ((rc = cn_services(r, d, "service_description", mh,
			    &msv, &nm)) == 0 && same)
				rc = cn_services(r, d,
				    "dependent_service_description", mh, &dsv,
				    &nd);
			if (rc == 0)
				rc = cn_svcdep_pairs(r, d, &t, same ? dsv : all,
				    same ? nd : nall, msv, nm);
			free(msv);
			free(dsv);
		}
	}
	free(all);
	cn_set_clear(ms);
	cn_set_clear(&r->set[1]);
	return rc;
}

/* ---- dependency cycles --------------------------------------------------- */

/* Node i of the host (svc false) or service dependency graph. */
static const struct obj_opts *
cn_node(const struct objects *o, bool svc, size_t i)
{
	return svc ? &o->services[i]->opts : &o->hosts[i]->opts;
}

static size_t
cn_master(const struct dependency *dep)
{
	return dep->master_service != NULL ? dep->master_service->index :
	    dep->master_host->index;
}

static void
cn_node_name(const struct objects *o, bool svc, size_t i, char *buf,
    size_t len)
{
	if (svc)
		snprintf(buf, len, "%s;%s", o->services[i]->host->name,
		    o->services[i]->description);
	else
		snprintf(buf, len, "%s", o->hosts[i]->name);
}

/* Report the cycle path[0..n) closed by dependency dep. */
static void
cn_cycle_report(struct conf_ctx *ctx, bool svc, const size_t *path,
    size_t n, const struct dependency *dep)
{
	const struct objects *o = &ctx->cfg->objects;
	char buf[900], name[300];
	size_t i, len = 0;

	for (i = 0; i < n && len < sizeof(buf) - 64; i++) {
		cn_node_name(o, svc, path[i], name, sizeof(name));
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s -> ",
		    name);
	}
	cn_node_name(o, svc, path[0], name, sizeof(name));
	snprintf(buf + len, sizeof(buf) - len, "%s%s", i < n ? "... -> " :
	    "", name);
	conf_msg(ctx, CONF_ERROR, dep->loc.file, dep->loc.line,
	    "%s dependency cycle: %s", svc ? "service" : "host", buf);
}

/* Depth-first over dependent -> master edges with an explicit stack
 * (state 0 new, 1 on the path, 2 done); an edge to a node on the path
 * closes a cycle. */
static int
cn_cycles(struct conf_ctx *ctx, bool svc)
{
	const struct objects *o = &ctx->cfg->objects;
	size_t nn = svc ? o->nservices : o->nhosts, *path, *next, *pos, np, r;
	const struct obj_opts *op;
	unsigned char *state;
	size_t m;
	int rc = -ENOMEM;

	path = calloc(nn + 1, sizeof(*path));
	next = calloc(nn + 1, sizeof(*next));
	pos = calloc(nn + 1, sizeof(*pos));
	state = calloc(nn + 1, 1);
	if (path == NULL || next == NULL || pos == NULL || state == NULL)
		goto out;
	for (r = 0; r < nn; r++) {
		if (state[r] != 0)
			continue;
		path[0] = r;
		next[0] = 0;
		pos[r] = 0;
		state[r] = 1;
		np = 1;
		while (np > 0) {
			op = cn_node(o, svc, path[np - 1]);
			if (next[np - 1] == op->ndeps) {
				state[path[--np]] = 2;
				continue;
			}
			m = cn_master(&op->deps[next[np - 1]++]);
			if (state[m] == 1)
				cn_cycle_report(ctx, svc, path + pos[m],
				    np - pos[m], &op->deps[next[np - 1] - 1]);
			if (state[m] != 0)
				continue;
			path[np] = m;
			next[np] = 0;
			pos[m] = np++;
			state[m] = 1;
		}
	}
	rc = 0;
out:
	free(path);
	free(next);
	free(pos);
	free(state);
	return rc;
}

/* ---- the whole pass ---------------------------------------------------- */

int
conf_notify_resolve(struct conf_ctx *ctx)
{
	struct cn_res r = { .ctx = ctx, .o = &ctx->cfg->objects,
		.p = ctx->priv };
	const struct conf_def *d;
	size_t i;
	int rc = -ENOMEM;

	for (i = 0; i < r.o->ntimeperiods; i++)
		r.o->timeperiods[i]->index = i;
	for (i = 0; i < 2; i++)
		if ((r.set[i].mark = calloc(r.o->nhosts + 1, 1)) == NULL)
			goto out;
	rc = 0;
	for (i = 0; i < ctx->ndefs && rc == 0; i++) {
		d = ctx->defs[i];
		if (!d->registered)
			continue;
		if (d->type == CT_HOSTESCALATION ||
		    d->type == CT_SERVICEESCALATION)
			rc = cn_escalation(&r, d);
		else if (d->type == CT_HOSTDEPENDENCY)
			rc = cn_hostdep(&r, d);
		else if (d->type == CT_SERVICEDEPENDENCY)
			rc = cn_svcdep(&r, d);
	}
	if (rc == 0 && (rc = cn_cycles(ctx, false)) == 0)
		rc = cn_cycles(ctx, true);
out:
	for (i = 0; i < 2; i++) {
		free(r.set[i].mark);
		free(r.set[i].list);
	}
	return rc != 0 || ctx->oom ? -ENOMEM : 0;
}

void
conf_print_notify(const struct objects *o, FILE *fp, bool paths)
{
	if (paths) {
		fprintf(fp, "\tChecked %zu service dependencies\n",
		    o->nservicedependencies);
		fprintf(fp, "\tChecked %zu host dependencies\n",
		    o->nhostdependencies);
		return;
	}
	fprintf(fp, "\tChecked %zu host escalations.\n", o->nhostescalations);
	fprintf(fp, "\tChecked %zu service escalations.\n",
	    o->nserviceescalations);
}
