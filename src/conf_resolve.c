/*
 * conf_resolve: from inherited definitions to the object model. Objects
 * are built type by type (commands, time periods, contacts, groups, hosts)
 * and indexed by name; then the references between them are linked and
 * checked (groups and their members, parents, contacts, services on the
 * hosts they name), and last the services are made, one per host.
 *
 * Every definition was resolved by conf_inherit() first: conf_def.r holds
 * its directives with everything inherited, sorted by key.
 *
 * Messages about a missing or unknown reference carry the file and line of
 * the object's "define"; messages about a value carry the line it is on
 * (conf_parse.c reports those). An object with a bad reference is still
 * built, without it, so one mistake gives one message.
 */
#include "conf_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arp.h"
#include "icmp_check.h"
#include "snmp_check.h"

#define ERR(d, ...) \
	conf_msg(rs->ctx, CONF_ERROR, (d)->file, (d)->line, __VA_ARGS__)
#define ROOM(arr, n) CONF_ROOM(&rs->ctx->oom, arr, n)
/* Append an object and its definition to parallel arrays of length n. */
#define PUSH(arr, defs, n, obj, d)                                     \
	(ROOM(arr, n) && ROOM(defs, n) ? ((defs)[n] = (d),            \
	    (arr)[(n)++] = (obj), true) : false)

/* One kind of group (contact or host groups) while it is linked. */
struct conf_gkind {
	struct conf_def **defs; /* per group, parallel to the objects */
	struct objects_grp *g;	/* per group: members as named */
	struct objidx ix;	/* group name -> its objects_grp */
	size_t n;
	struct objidx *members; /* member objects by name */
	void *const *all;	/* every member object, for "*" */
	size_t nall;
	const char *mtype, *subkey;
};

struct conf_res {
	struct conf_ctx *ctx;
	struct objects *o;
	struct objects_priv *p;
	/* The definition of each object, parallel to the object arrays. */
	struct conf_def **hdefs, **cdefs, **tpdefs;
	struct conf_gkind gk[2]; /* contact groups, host groups */
	int *svc_spec; /* per service: 2 by host_name, 1 by group or "*" */
	int *spec;     /* per host, while one service definition expands */
	size_t *touched; /* hosts with spec set */
	size_t ntouched;
};

static int
conf_vars(struct conf_res *rs, const struct conf_def *d,
    struct custom_var **vars, size_t *nvars)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		if (d->r[i].key[0] != '_' || strcmp(d->r[i].value, "null") == 0)
			continue;
		if (!ROOM(*vars, *nvars))
			return -ENOMEM;
		(*vars)[*nvars].name = conf_strdup(rs->ctx, d->r[i].key + 1);
		(*vars)[(*nvars)++].value = conf_strdup(rs->ctx, d->r[i].value);
	}
	return rs->ctx->oom ? -ENOMEM : 0;
}

/* check_command into spec: "cmd!arg1!arg2" where "\!" is a literal '!'.
 * Without a value: the built-in icmp check. */
static int
conf_check_spec(struct conf_res *rs, const struct conf_def *d,
    const char *what, struct check_spec *spec)
{
	const char *v = conf_rval(d, "check_command");
	struct icmp_check_params params;
	struct snmp_check_params sp;
	int arp_count;
	char name[512], err[512];
	int rc;

	memset(spec, 0, sizeof(*spec));
	if (v == NULL) {
		spec->command = rs->o->commands[0];
		return 0;
	}
	if ((rc = objects_check_split(v, name, sizeof(name), spec)) == -ENOMEM)
		return rc;
	if (rc == -E2BIG)
		ERR(d, "more than %d arguments in check_command of %s",
		    CONF_MAX_ARGS, what);
	if ((spec->command = objects_idx_get(&rs->p->commands, name,
	    NULL)) == NULL) {
		ERR(d, "unknown command '%s' in check_command of %s", name,
		    what);
		spec->command = rs->o->commands[0];
	} else if (spec->command->builtin == BUILTIN_ICMP &&
	    icmp_check_parse(spec->args, spec->nargs, &params, err,
	    sizeof(err)) != 0)
		ERR(d, "invalid arguments for the icmp check of %s: %s", what,
		    err);
	else if ((spec->command->builtin == BUILTIN_SNMP ||
	    spec->command->builtin == BUILTIN_SNMP_IF) &&
	    snmp_check_parse(spec->command->name, spec->args, spec->nargs,
	    &sp, err, sizeof(err)) != 0)
		ERR(d, "invalid arguments for the %s check of %s: %s",
		    spec->command->name, what, err);
	else if (spec->command->builtin == BUILTIN_ARP &&
	    arp_check_parse(spec->args, spec->nargs, &arp_count, err,
	    sizeof(err)) != 0)
		ERR(d, "invalid arguments for the arp check of %s: %s", what,
		    err);
	return 0;
}

static int
conf_build_command(struct conf_res *rs, const struct conf_def *d)
{
	struct objects *o = rs->o;
	const char *name = conf_obj_name(rs->ctx, d, "command_name");
	const char *line = conf_rval(d, "command_line");
	struct command *c;

	if (name == NULL || conf_taken(rs->ctx, d, &rs->p->commands, name,
	    offsetof(struct command, loc)))
		return 0;
	if (line == NULL)
		ERR(d, "command '%s' has no command_line", name);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    !ROOM(o->commands, o->ncommands)) {
		free(c);
		return -ENOMEM;
	}
	o->commands[o->ncommands++] = c;
	c->name = conf_strdup(rs->ctx, name);
	c->line = conf_strdup(rs->ctx, line);
	c->loc.file = d->file;
	c->loc.line = d->line;
	return rs->ctx->oom ? -ENOMEM :
	    objects_idx_put(&rs->p->commands, c->name, NULL, c);
}

static int
conf_tpline_cmp(const void *a, const void *b)
{
	const struct conf_rkv *x = *(const struct conf_rkv *const *)a;
	const struct conf_rkv *y = *(const struct conf_rkv *const *)b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

static int
conf_build_timeperiod(struct conf_res *rs, struct conf_def *d)
{
	struct objects *o = rs->o;
	const char *name = conf_obj_name(rs->ctx, d, "timeperiod_name");
	const struct conf_rkv **tl;
	struct timeperiod *tp;
	size_t i, n = 0, len, pass;
	char *s;

	if (name == NULL || conf_taken(rs->ctx, d, &rs->p->timeperiods, name,
	    offsetof(struct timeperiod, loc)))
		return 0;
	if ((tp = calloc(1, sizeof(*tp))) == NULL ||
	    !PUSH(o->timeperiods, rs->tpdefs, o->ntimeperiods, tp, d)) {
		free(tp);
		return -ENOMEM;
	}
	tp->name = conf_strdup(rs->ctx, name);
	tp->alias = conf_strdup(rs->ctx, conf_rval_or(d, "alias", name));
	tp->loc.file = d->file;
	tp->loc.line = d->line;
	if (rs->ctx->oom || (tl = calloc(d->nr + 1, sizeof(*tl))) == NULL)
		return -ENOMEM;
	for (i = 0; i < d->nr; i++)
		if (d->r[i].flags & CONF_KV_TIME)
			tl[n++] = &d->r[i];
	/* As written: this definition's lines, then the inherited ones. */
	qsort(tl, n, sizeof(*tl), conf_tpline_cmp);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && !rs->ctx->oom; i++) {
			if ((tl[i]->seq == d->seq) != (pass == 0))
				continue;
			len = strlen(tl[i]->key) + strlen(tl[i]->value) + 2;
			if (!ROOM(tp->lines, tp->nlines) ||
			    (s = malloc(len)) == NULL) {
				rs->ctx->oom = true;
				break;
			}
			snprintf(s, len, "%s %s", tl[i]->key, tl[i]->value);
			tp->lines[tp->nlines++] = s;
		}
	free(tl);
	return rs->ctx->oom ? -ENOMEM :
	    objects_idx_put(&rs->p->timeperiods, tp->name, NULL, tp);
}

static int
conf_build_contact(struct conf_res *rs, struct conf_def *d)
{
	struct objects *o = rs->o;
	const char *name = conf_obj_name(rs->ctx, d, "contact_name");
	struct contact *c;

	if (name == NULL || conf_taken(rs->ctx, d, &rs->p->contacts, name,
	    offsetof(struct contact, loc)))
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    !PUSH(o->contacts, rs->cdefs, o->ncontacts, c, d)) {
		free(c);
		return -ENOMEM;
	}
	c->name = conf_strdup(rs->ctx, name);
	c->alias = conf_strdup(rs->ctx, conf_rval_or(d, "alias", name));
	c->email = conf_rval(d, "email") ? conf_strdup(rs->ctx,
	    conf_rval(d, "email")) : NULL;
	c->pager = conf_rval(d, "pager") ? conf_strdup(rs->ctx,
	    conf_rval(d, "pager")) : NULL;
	c->loc.file = d->file;
	c->loc.line = d->line;
	if (rs->ctx->oom || conf_vars(rs, d, &c->vars, &c->nvars) != 0 ||
	    conf_notify_contact(rs->ctx, d, c) != 0)
		return -ENOMEM;
	return objects_idx_put(&rs->p->contacts, c->name, NULL, c);
}

/* Host groups and contact groups share name, alias and loc. */
#define CONF_GROUP_FILL(g, d, name)                                       \
	do {                                                              \
		(g)->name = conf_strdup(rs->ctx, (name));                 \
		(g)->alias = conf_strdup(rs->ctx,                         \
		    conf_rval_or((d), "alias", (name)));                  \
		(g)->loc.file = (d)->file;                                \
		(g)->loc.line = (d)->line;                                \
	} while (0)

static int
conf_build_group(struct conf_res *rs, struct conf_def *d)
{
	struct objects *o = rs->o;
	bool host = d->type == CT_HOSTGROUP;
	const char *name = conf_obj_name(rs->ctx, d, host ? "hostgroup_name" :
	    "contactgroup_name");
	struct objidx *ix = host ? &rs->p->hostgroups : &rs->p->contactgroups;
	struct contactgroup *cg;
	struct hostgroup *hg;

	if (name == NULL || conf_taken(rs->ctx, d, ix, name, host ?
	    offsetof(struct hostgroup, loc) : offsetof(struct contactgroup,
	    loc)))
		return 0;
	if (host) {
		if ((hg = calloc(1, sizeof(*hg))) == NULL ||
		    !PUSH(o->hostgroups, rs->gk[1].defs, o->nhostgroups, hg,
		    d)) {
			free(hg);
			return -ENOMEM;
		}
		CONF_GROUP_FILL(hg, d, name);
		return rs->ctx->oom ? -ENOMEM :
		    objects_idx_put(ix, hg->name, NULL, hg);
	}
	if ((cg = calloc(1, sizeof(*cg))) == NULL ||
	    !PUSH(o->contactgroups, rs->gk[0].defs, o->ncontactgroups, cg,
	    d)) {
		free(cg);
		return -ENOMEM;
	}
	CONF_GROUP_FILL(cg, d, name);
	return rs->ctx->oom ? -ENOMEM : objects_idx_put(ix, cg->name, NULL, cg);
}

static int
conf_grp_add(struct conf_res *rs, struct objects_grp *g, void *m, bool ex)
{
	if (ex ? !ROOM(g->excl, g->nexcl) : !ROOM(g->direct, g->ndirect))
		return -ENOMEM;
	if (ex)
		g->excl[g->nexcl++] = m;
	else
		g->direct[g->ndirect++] = m;
	return 0;
}

/* Add member to each group of kind k that key of d names (a host's
 * hostgroups, a contact's contactgroups). */
static int
conf_member_of(struct conf_res *rs, struct conf_gkind *k,
    const struct conf_def *d, const char *key, void *member)
{
	struct objects_grp *g;
	struct conf_list l;
	size_t i;
	int rc = 0;

	if (conf_list(rs->ctx, conf_rval(d, key), &l) != 0)
		return -ENOMEM;
	for (i = 0; i < l.n && rc == 0; i++)
		if ((g = objects_idx_get(&k->ix, l.items[i], NULL)) == NULL)
			ERR(d, "unknown %sgroup '%s' in %s of %s '%s'",
			    k->mtype, l.items[i], key,
			    objects_type_name(d->type),
			    conf_def_label(d));
		else
			rc = conf_grp_add(rs, g, member, false);
	conf_list_free(&l);
	return rc;
}

/* Group gi's direct members from "members" ("*" all, "!x" excluded) and
 * its nested groups from "*group_members". */
static int
conf_group_refs(struct conf_res *rs, struct conf_gkind *k, size_t gi)
{
	const struct conf_def *d = k->defs[gi];
	struct objects_grp *g = &k->g[gi], *sub;
	struct conf_list l;
	const char *it;
	size_t i, j;
	void *m;
	bool ex;
	int rc = 0;

	if (conf_list(rs->ctx, conf_rval(d, "members"), &l) != 0)
		return -ENOMEM;
	for (i = 0; i < l.n && rc == 0; i++) {
		it = l.items[i] + (ex = l.items[i][0] == '!');
		if (strcmp(it, "*") == 0 && !ex)
			for (j = 0; j < k->nall && rc == 0; j++)
				rc = conf_grp_add(rs, g, k->all[j], false);
		else if ((m = objects_idx_get(k->members, it, NULL)) != NULL)
			rc = conf_grp_add(rs, g, m, ex);
		else
			ERR(d, "unknown %s '%s' in members of %s '%s'",
			    k->mtype, it, objects_type_name(d->type),
			    conf_def_label(d));
	}
	conf_list_free(&l);
	if (rc != 0 || conf_list(rs->ctx, conf_rval(d, k->subkey), &l) != 0)
		return -ENOMEM;
	for (i = 0; i < l.n && ROOM(g->subs, g->nsubs); i++)
		if ((sub = objects_idx_get(&k->ix, l.items[i], NULL)) == NULL)
			ERR(d, "unknown %s '%s' in %s of '%s'",
			    objects_type_name(d->type), l.items[i], k->subkey,
			    conf_def_label(d));
		else
			g->subs[g->nsubs++] = (size_t)(sub - k->g);
	conf_list_free(&l);
	return rs->ctx->oom ? -ENOMEM : 0;
}

/* Set up kind k (0 contact groups, 1 host groups) once every object is
 * built: per-group working data, indexed by group name. */
static int
conf_gkind_init(struct conf_res *rs, int kind)
{
	struct conf_gkind *k = &rs->gk[kind];
	struct objects *o = rs->o;
	size_t i;

	k->n = kind ? o->nhostgroups : o->ncontactgroups;
	k->members = kind ? &rs->p->hosts : &rs->p->contacts;
	k->all = kind ? (void *const *)o->hosts : (void *const *)o->contacts;
	k->nall = kind ? o->nhosts : o->ncontacts;
	k->mtype = kind ? "host" : "contact";
	k->subkey = kind ? "hostgroup_members" : "contactgroup_members";
	if ((k->g = calloc(k->n + 1, sizeof(*k->g))) == NULL)
		return -ENOMEM;
	for (i = 0; i < k->n; i++)
		if (objects_idx_put(&k->ix, kind ? o->hostgroups[i]->name :
		    o->contactgroups[i]->name, NULL, &k->g[i]) == -ENOMEM)
			return -ENOMEM;
	for (i = 0; i < k->n; i++)
		if (conf_group_refs(rs, k, i) != 0)
			return -ENOMEM;
	return 0;
}

/* Contacts of a host or service from contacts + contact_groups, without
 * duplicates, in the order named. */
static int
conf_contacts(struct conf_res *rs, const struct conf_def *d, const char *what,
    struct contact ***out, size_t *n)
{
	struct contactgroup *g;
	struct conf_list l;
	struct contact *c;
	size_t i, j;
	int rc;

	if ((rc = conf_list(rs->ctx, conf_rval(d, "contacts"), &l)) != 0)
		return rc;
	for (i = 0; i < l.n && rc == 0; i++)
		if ((c = objects_idx_get(&rs->p->contacts, l.items[i],
		    NULL)) != NULL)
			rc = objects_contact_add(out, n, c);
		else
			ERR(d, "unknown contact '%s' in contacts of %s",
			    l.items[i], what);
	conf_list_free(&l);
	if (rc != 0 || (rc = conf_list(rs->ctx, conf_rval(d,
	    "contact_groups"), &l)) != 0)
		return rc;
	for (i = 0; i < l.n && rc == 0; i++) {
		if ((g = objects_idx_get(&rs->p->contactgroups, l.items[i],
		    NULL)) == NULL)
			ERR(d, "unknown contactgroup '%s' in contact_groups "
			    "of %s", l.items[i], what);
		for (j = 0; g != NULL && j < g->nmembers && rc == 0; j++)
			rc = objects_contact_add(out, n, g->members[j]);
	}
	conf_list_free(&l);
	return rc;
}

/* Intervals, attempts and active checks, shared by hosts and services;
 * what names the object for a missing max_check_attempts (NULL: quiet). */
static void
conf_check_params(struct conf_res *rs, const struct conf_def *d,
    const char *what, int64_t *ci, int64_t *ri, int *mca, bool *active)
{
	int il = rs->ctx->cfg->interval_length;
	const char *v;

	v = conf_rget(d, "check_interval") != NULL ?
	    conf_rval(d, "check_interval") :
	    conf_rval(d, "normal_check_interval");
	*ci = conf_interval_ns(v != NULL ? v : "5", il);
	v = conf_rget(d, "retry_interval") != NULL ?
	    conf_rval(d, "retry_interval") :
	    conf_rval(d, "retry_check_interval");
	*ri = conf_interval_ns(v != NULL ? v : "1", il);
	*mca = (int)strtol(conf_rval_or(d, "max_check_attempts", "1"), NULL,
	    10);
	if (what != NULL && conf_rget(d, "max_check_attempts") == NULL)
		ERR(d, "%s has no max_check_attempts", what);
	*active = strcmp(conf_rval_or(d, "active_checks_enabled", "1"), "0") !=
	    0;
}

static int
conf_build_host(struct conf_res *rs, struct conf_def *d)
{
	struct objects *o = rs->o;
	const char *name = conf_obj_name(rs->ctx, d, "host_name"), *v, *v6;
	char what[300];
	struct host *h;

	if (name == NULL || conf_taken(rs->ctx, d, &rs->p->hosts, name,
	    offsetof(struct host, loc)))
		return 0;
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    !PUSH(o->hosts, rs->hdefs, o->nhosts, h, d)) {
		free(h);
		return -ENOMEM;
	}
	h->index = o->nhosts - 1;
	snprintf(what, sizeof(what), "host '%s'", name);
	h->name = conf_strdup(rs->ctx, name);
	h->alias = conf_strdup(rs->ctx, conf_rval_or(d, "alias", name));
	h->display_name = conf_strdup(rs->ctx, conf_rval_or(d, "display_name",
	    name));
	/* Nagios defaults the address to host_name; Pharos wants one. A
	 * host with only address6 is checked at that address. */
	v = conf_rval(d, "address");
	v6 = conf_rval(d, "address6");
	if (conf_rget(d, "address") == NULL && conf_rget(d, "address6") == NULL)
		ERR(d, "host '%s' has no address (set address or address6)",
		    name);
	h->address = conf_strdup(rs->ctx, v != NULL ? v : v6 != NULL ? v6 :
	    name);
	if (v6 != NULL)
		h->address6 = conf_strdup(rs->ctx, v6);
	h->loc.file = d->file;
	h->loc.line = d->line;
	conf_check_params(rs, d, what, &h->check_interval_ns,
	    &h->retry_interval_ns, &h->max_check_attempts,
	    &h->active_checks_enabled);
	objects_status_init(&h->st, HOST_PENDING);
	if (rs->ctx->oom || conf_vars(rs, d, &h->vars, &h->nvars) != 0 ||
	    conf_snmp_host(rs->ctx, d, h) != 0 ||
	    conf_remote_host(rs->ctx, d, h) != 0 ||
	    conf_check_spec(rs, d, what, &h->check) != 0)
		return -ENOMEM;
	/* host_check_fallback (docs/network-awareness.md). */
	v = conf_rval(d, "host_check_fallback");
	h->check_fallback = (enum host_fallback)rs->ctx->cfg->host_check_fallback;
	if (v != NULL && strcmp(v, "arp") == 0)
		h->check_fallback = HOST_FALLBACK_ARP;
	else if (v != NULL && strcmp(v, "none") == 0)
		h->check_fallback = HOST_FALLBACK_NONE;
	else if (v != NULL)
		ERR(d, "host_check_fallback of %s must be arp or none, not "
		    "'%.40s'", what, v);
	if (conf_notify_host(rs->ctx, d, h) != 0)
		return -ENOMEM;
	return objects_idx_put(&rs->p->hosts, h->name, NULL, h);
}

/* A host's parents and contacts. */
static int
conf_link_host(struct conf_res *rs, size_t hi)
{
	struct host *h = rs->o->hosts[hi], *p;
	const struct conf_def *d = rs->hdefs[hi];
	const char *pv = conf_rval(d, "parents");
	struct conf_list l;
	char what[300];
	size_t i, k;

	if (conf_topology_parents(rs->ctx, d, h->name, &pv) != 0 ||
	    conf_list(rs->ctx, pv, &l) != 0)
		return -ENOMEM;
	for (i = 0; i < l.n; i++) {
		if ((p = objects_idx_get(&rs->p->hosts, l.items[i], NULL)) ==
		    NULL) {
			ERR(d, "unknown parent host '%s' of host '%s'",
			    l.items[i], h->name);
			continue;
		}
		for (k = 0; k < h->nparents && h->parents[k] != p; k++)
			;
		if (k == h->nparents && ROOM(h->parents, h->nparents))
			h->parents[h->nparents++] = p;
	}
	conf_list_free(&l);
	snprintf(what, sizeof(what), "host '%s'", h->name);
	if (rs->ctx->oom ||
	    conf_contacts(rs, d, what, &h->contacts, &h->ncontacts) != 0)
		return -ENOMEM;
	return 0;
}

static void
conf_cycle_msg(void *arg, const struct host *first, const char *cycle)
{
	conf_msg(arg, CONF_ERROR, first->loc.file, first->loc.line,
	    "parent cycle: %s", cycle);
}

/* Mark host i for the service being expanded: 1 by a group or "*", 2 by
 * name, -1 excluded (final). Remembers which hosts were touched. */
static int
conf_mark(struct conf_res *rs, size_t i, int how)
{
	int *s = &rs->spec[i];

	if (*s == 0) {
		if (!ROOM(rs->touched, rs->ntouched))
			return -ENOMEM;
		rs->touched[rs->ntouched++] = i;
	}
	if (how < 0 || *s < 0)
		*s = -1;
	else if (*s < how)
		*s = how;
	return 0;
}

/* Mark the hosts a service definition applies to, from host_name and
 * hostgroup_name, each with "*" and "!exclusions". */
static int
conf_service_hosts(struct conf_res *rs, const struct conf_def *d,
    const char *desc)
{
	struct conf_list l;
	struct hostgroup *g;
	struct host *h;
	const char *it;
	size_t i, j, n;
	int pass, rc = 0;
	bool ex;

	for (pass = 0; pass < 2 && rc == 0; pass++) {
		if (conf_list(rs->ctx, conf_rval(d, pass == 0 ? "host_name" :
		    "hostgroup_name"), &l) != 0)
			return -ENOMEM;
		for (i = 0; i < l.n && rc == 0; i++) {
			it = l.items[i] + (ex = l.items[i][0] == '!');
			g = NULL;
			h = NULL;
			if (strcmp(it, "*") != 0 && (pass == 0 ?
			    (h = objects_idx_get(&rs->p->hosts, it, NULL)) ==
			    NULL : (g = objects_idx_get(&rs->p->hostgroups,
			    it, NULL)) == NULL)) {
				ERR(d, "unknown %s '%s' in %s of service '%s'",
				    pass == 0 ? "host" : "hostgroup", it,
				    pass == 0 ? "host_name" : "hostgroup_name",
				    desc);
				continue;
			}
			n = h != NULL ? 1 : g != NULL ? g->nmembers :
			    rs->o->nhosts;
			for (j = 0; j < n && rc == 0; j++)
				rc = conf_mark(rs, h != NULL ? h->index :
				    g != NULL ? g->members[j]->index : j,
				    ex ? -1 : h != NULL ? 2 : 1);
		}
		conf_list_free(&l);
	}
	return rc;
}

static int
conf_index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Add service s to the model (taking ownership) unless another has the
 * same host and description. spec says how specifically its definition
 * names the host (higher wins); *specs is kept parallel to o->services.
 * Returns 0 (added), 1 (s replaced the less specific *old, which the
 * caller frees), 2 (s is less specific than *old: not added) or -EEXIST
 * (as specific as *old: not added); in those two cases the caller still
 * owns s. -ENOMEM: not added. */
static int
conf_service_insert(struct objects *o, struct service *s, int spec,
    int **specs, struct service **old)
{
	struct objects_priv *p = o->priv;
	bool oom = false;

	if ((*old = objects_idx_get(&p->services, s->host->name,
	    s->description)) != NULL) {
		if (spec == (*specs)[(*old)->index])
			return -EEXIST;
		if (spec < (*specs)[(*old)->index])
			return 2;
		s->index = (*old)->index;
		o->services[s->index] = s;
		(*specs)[s->index] = spec;
		objects_idx_set(&p->services, s->host->name, s->description, s);
		return 1;
	}
	if (!CONF_ROOM(&oom, o->services, o->nservices) ||
	    !CONF_ROOM(&oom, *specs, o->nservices))
		return -ENOMEM;
	s->index = o->nservices;
	(*specs)[s->index] = spec;
	if (objects_idx_put(&p->services, s->host->name, s->description,
	    s) != 0)
		return -ENOMEM;
	o->services[o->nservices++] = s;
	return 0;
}

/* Service desc of definition d on host h. A duplicate (host, description)
 * is an error, unless one names the host and the other reaches it by a
 * group or "*": then the one naming the host wins, with a warning. */
static int
conf_add_service(struct conf_res *rs, const struct conf_def *d,
    struct host *h, int spec, const struct check_spec *cs, const char *desc)
{
	struct service *s, *old;
	size_t i;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -ENOMEM;
	s->host = h;
	s->description = conf_strdup(rs->ctx, desc);
	s->display_name = conf_strdup(rs->ctx, conf_rval_or(d, "display_name",
	    desc));
	s->loc.file = d->file;
	s->loc.line = d->line;
	conf_check_params(rs, d, NULL, &s->check_interval_ns,
	    &s->retry_interval_ns, &s->max_check_attempts,
	    &s->active_checks_enabled);
	s->is_volatile = strcmp(conf_rval_or(d, "is_volatile", "0"), "0") != 0;
	objects_status_init(&s->st, SERVICE_PENDING);
	s->check = *cs;
	s->check.args = NULL;
	s->check.nargs = 0;
	for (i = 0; i < cs->nargs && ROOM(s->check.args, s->check.nargs); i++)
		s->check.args[s->check.nargs++] = conf_strdup(rs->ctx,
		    cs->args[i]);
	if (rs->ctx->oom || conf_vars(rs, d, &s->vars, &s->nvars) != 0 ||
	    conf_notify_service(rs->ctx, d, s) != 0)
		goto oom;
	if (conf_rget(d, "contacts") == NULL &&
	    conf_rget(d, "contact_groups") == NULL) {
		/* Implied inheritance: the host's contacts. */
		for (i = 0; i < h->ncontacts; i++) {
			if (!ROOM(s->contacts, s->ncontacts))
				goto oom;
			s->contacts[s->ncontacts++] = h->contacts[i];
		}
	} else if (conf_contacts(rs, d, "service", &s->contacts,
	    &s->ncontacts) != 0)
		goto oom;
	if ((rc = conf_service_insert(rs->o, s, spec, &rs->svc_spec,
	    &old)) == 0)
		return 0;
	if (rc == -ENOMEM)
		goto oom;
	if (rc == -EEXIST)
		ERR(d, "duplicate service '%s' on host '%s' (first defined at %s:%d)",
		    desc, h->name, old->loc.file, old->loc.line);
	else
		conf_msg(rs->ctx, CONF_WARNING, d->file, d->line,
		    "service '%s' on host '%s' is also defined at %s:%d; "
		    "the definition naming the host in host_name wins",
		    desc, h->name, old->loc.file, old->loc.line);
	objects_service_free(rc == 1 ? old : s);
	return 0;
oom:
	objects_service_free(s);
	return -ENOMEM;
}

static int
conf_build_services(struct conf_res *rs, const struct conf_def *d)
{
	const char *desc = conf_obj_name(rs->ctx, d, "service_description");
	struct check_spec cs;
	char what[300];
	size_t i, hi, n = 0;
	int rc;

	if (desc == NULL)
		return 0;
	snprintf(what, sizeof(what), "service '%s'", desc);
	if (conf_rget(d, "host_name") == NULL &&
	    conf_rget(d, "hostgroup_name") == NULL) {
		ERR(d, "%s has no host_name or hostgroup_name", what);
		return 0;
	}
	if (conf_rget(d, "check_command") == NULL)
		ERR(d, "%s has no check_command", what);
	if (conf_rget(d, "max_check_attempts") == NULL)
		ERR(d, "%s has no max_check_attempts", what);
	conf_notify_service_refs(rs->ctx, d);
	rc = conf_check_spec(rs, d, what, &cs);
	if (rc == 0)
		rc = conf_service_hosts(rs, d, desc);
	/* In host order; the marks are cleared for the next definition. */
	if (rs->ntouched > 1)
		qsort(rs->touched, rs->ntouched, sizeof(*rs->touched),
		    conf_index_cmp);
	for (i = 0; i < rs->ntouched; i++) {
		hi = rs->touched[i];
		if (rc == 0 && rs->spec[hi] > 0 && ++n)
			rc = conf_add_service(rs, d, rs->o->hosts[hi],
			    rs->spec[hi], &cs, desc);
		rs->spec[hi] = 0;
	}
	rs->ntouched = 0;
	if (rc == 0 && n == 0)
		conf_msg(rs->ctx, CONF_WARNING, d->file, d->line,
		    "%s applies to no host", what);
	for (i = 0; i < cs.nargs; i++)
		free(cs.args[i]);
	free(cs.args);
	return rc;
}

static void
conf_res_free(struct conf_res *rs)
{
	struct conf_gkind *k;
	size_t i;

	for (k = rs->gk; k < rs->gk + 2; k++) {
		for (i = 0; k->g != NULL && i < k->n; i++) {
			free(k->g[i].direct);
			free(k->g[i].excl);
			free(k->g[i].subs);
		}
		free(k->g);
		free(k->defs);
		objects_idx_free(&k->ix);
	}
	free(rs->hdefs);
	free(rs->cdefs);
	free(rs->tpdefs);
	free(rs->svc_spec);
	free(rs->spec);
	free(rs->touched);
}

/* Build the objects of one type from the registered definitions. */
static int
conf_build_type(struct conf_res *rs, enum conf_type t)
{
	struct conf_def *d;
	size_t i;
	int rc = 0;

	for (i = 0; i < rs->ctx->ndefs && rc == 0; i++) {
		d = rs->ctx->defs[i];
		if (!d->registered || d->type != t)
			continue;
		rc = t == CT_COMMAND ? conf_build_command(rs, d) :
		    t == CT_TIMEPERIOD ? conf_build_timeperiod(rs, d) :
		    t == CT_CONTACT ? conf_build_contact(rs, d) :
		    t == CT_HOST ? conf_build_host(rs, d) :
		    t == CT_SERVICE ? conf_build_services(rs, d) :
		    conf_build_group(rs, d);
	}
	return rc;
}

/* Links that need every object of a kind: excludes, groups, hosts. */
static int
conf_link(struct conf_res *rs)
{
	struct objects *o = rs->o;
	struct conf_list l;
	size_t i, j;

	for (i = 0; i < o->ntimeperiods; i++) {
		if (conf_list(rs->ctx, conf_rval(rs->tpdefs[i], "exclude"),
		    &l) != 0)
			return -ENOMEM;
		for (j = 0; j < l.n; j++)
			if (objects_idx_get(&rs->p->timeperiods, l.items[j],
			    NULL) == NULL)
				ERR(rs->tpdefs[i], "unknown timeperiod '%s' in "
				    "exclude of timeperiod '%s'", l.items[j],
				    o->timeperiods[i]->name);
		conf_list_free(&l);
	}
	if (conf_gkind_init(rs, 0) != 0 || conf_gkind_init(rs, 1) != 0)
		return -ENOMEM;
	for (i = 0; i < o->ncontacts; i++)
		if (conf_member_of(rs, &rs->gk[0], rs->cdefs[i],
		    "contactgroups", o->contacts[i]) != 0)
			return -ENOMEM;
	for (i = 0; i < o->nhosts; i++)
		if (conf_member_of(rs, &rs->gk[1], rs->hdefs[i], "hostgroups",
		    o->hosts[i]) != 0)
			return -ENOMEM;
	if (objects_groups_finish(o, rs->gk[1].g, rs->gk[0].g) != 0)
		return -ENOMEM;
	for (i = 0; i < o->nhosts; i++)
		if (conf_link_host(rs, i) != 0)
			return -ENOMEM;
	return objects_parent_cycles(o, conf_cycle_msg, rs->ctx);
}

int
conf_resolve(struct conf_ctx *ctx)
{
	static const enum conf_type order[] = { CT_COMMAND, CT_TIMEPERIOD,
		CT_CONTACT, CT_CONTACTGROUP, CT_HOSTGROUP, CT_HOST };
	struct conf_res r = { .ctx = ctx, .o = &ctx->cfg->objects,
		.p = ctx->priv }, *rs = &r;
	struct objects *o = rs->o;
	size_t i;
	int rc;

	if ((rc = objects_builtins(o)) != 0)
		goto out;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if ((rc = conf_build_type(rs, order[i])) != 0)
			goto out;
	if ((rc = conf_link(rs)) != 0)
		goto out;
	if ((rs->spec = calloc(o->nhosts + 1, sizeof(*rs->spec))) == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = conf_build_type(rs, CT_SERVICE)) != 0)
		goto out;
	rc = objects_link(o);
	if (rc == 0)
		rc = conf_notify_resolve(ctx);
	if (rc == 0 && ctx->oom)
		rc = -ENOMEM;
out:
	conf_res_free(rs);
	return rc;
}
