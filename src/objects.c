/*
 * objects: lookups by name, freeing, and state names.
 *
 * The name indexes are open-addressing hash tables (linear probing, FNV-1a)
 * of borrowed keys: hosts by name, services by (host name, description),
 * commands, contacts, groups and time periods by name. The table is at most
 * half full, so a probe sequence always ends at an empty slot. The loader
 * builds them (conf_resolve.c) and keeps them in objects.priv along with
 * the pooled file names that struct srcloc points to.
 */
#include "objects.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"

static uint32_t
objects_hash(const char *k1, const char *k2)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)k1; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	if (k2 != NULL) {
		h = (h ^ 0xffu) * 16777619u;
		for (p = (const unsigned char *)k2; *p != '\0'; p++)
			h = (h ^ *p) * 16777619u;
	}
	return h;
}

static bool
objects_idx_match(const struct objidx_ent *e, uint32_t h, const char *k1,
    const char *k2)
{
	if (e->hash != h || strcmp(e->k1, k1) != 0)
		return false;
	if (e->k2 == NULL || k2 == NULL)
		return e->k2 == k2;
	return strcmp(e->k2, k2) == 0;
}

/* The slot holding k1/k2, or the empty slot where it would go. */
static struct objidx_ent *
objects_idx_slot(const struct objidx *ix, uint32_t h, const char *k1,
    const char *k2)
{
	size_t i = h & (ix->cap - 1);

	while (ix->ents[i].k1 != NULL && !objects_idx_match(&ix->ents[i], h,
	    k1, k2))
		i = (i + 1) & (ix->cap - 1);
	return &ix->ents[i];
}

static int
objects_idx_grow(struct objidx *ix)
{
	struct objidx_ent *old = ix->ents, *e;
	size_t oldcap = ix->cap, i, ncap;

	ncap = oldcap == 0 ? 64 : oldcap * 2;
	if (ncap > SIZE_MAX / sizeof(*old))
		return -ENOMEM;
	ix->ents = calloc(ncap, sizeof(*ix->ents));
	if (ix->ents == NULL) {
		ix->ents = old;
		return -ENOMEM;
	}
	ix->cap = ncap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].k1 == NULL)
			continue;
		e = objects_idx_slot(ix, old[i].hash, old[i].k1, old[i].k2);
		*e = old[i];
	}
	free(old);
	return 0;
}

int
objects_idx_put(struct objidx *ix, const char *k1, const char *k2, void *val)
{
	struct objidx_ent *e;
	uint32_t h = objects_hash(k1, k2);

	if (ix->cap != 0) {
		e = objects_idx_slot(ix, h, k1, k2);
		if (e->k1 != NULL)
			return -EEXIST;
	}
	if ((ix->n + 1) * 2 > ix->cap && objects_idx_grow(ix) != 0)
		return -ENOMEM;
	e = objects_idx_slot(ix, h, k1, k2);
	e->k1 = k1;
	e->k2 = k2;
	e->val = val;
	e->hash = h;
	ix->n++;
	return 0;
}

void
objects_idx_set(struct objidx *ix, const char *k1, const char *k2, void *val)
{
	struct objidx_ent *e;

	if (ix->cap == 0)
		return;
	e = objects_idx_slot(ix, objects_hash(k1, k2), k1, k2);
	if (e->k1 != NULL) {
		/* The new value may own other (equal) key strings. */
		e->k1 = k1;
		e->k2 = k2;
		e->val = val;
	}
}

void *
objects_idx_get(const struct objidx *ix, const char *k1, const char *k2)
{
	struct objidx_ent *e;

	if (ix->cap == 0 || k1 == NULL)
		return NULL;
	e = objects_idx_slot(ix, objects_hash(k1, k2), k1, k2);
	return e->k1 != NULL ? e->val : NULL;
}

void
objects_idx_free(struct objidx *ix)
{
	free(ix->ents);
	ix->ents = NULL;
	ix->cap = ix->n = 0;
}

void
objects_priv_free(struct objects_priv *p)
{
	size_t i;

	if (p == NULL)
		return;
	objects_idx_free(&p->hosts);
	objects_idx_free(&p->services);
	objects_idx_free(&p->commands);
	objects_idx_free(&p->contacts);
	objects_idx_free(&p->contactgroups);
	objects_idx_free(&p->hostgroups);
	objects_idx_free(&p->timeperiods);
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p);
}

struct host *
objects_host_find(const struct objects *o, const char *name)
{
	const struct objects_priv *p = o->priv;

	return p == NULL ? NULL : objects_idx_get(&p->hosts, name, NULL);
}

struct service *
objects_service_find(const struct objects *o, const char *host,
    const char *description)
{
	const struct objects_priv *p = o->priv;

	if (p == NULL || description == NULL)
		return NULL;
	return objects_idx_get(&p->services, host, description);
}

struct command *
objects_command_find(const struct objects *o, const char *name)
{
	const struct objects_priv *p = o->priv;

	return p == NULL ? NULL : objects_idx_get(&p->commands, name, NULL);
}

const char *
objects_var_find(const struct custom_var *vars, size_t nvars,
    const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < nvars; i++)
		if (strcasecmp(vars[i].name, name) == 0)
			return vars[i].value;
	return NULL;
}

static void
objects_vars_free(struct custom_var *vars, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	free(vars);
}

static void
objects_check_free(struct check_spec *c, struct check_status *st)
{
	size_t i;

	for (i = 0; i < c->nargs; i++)
		free(c->args[i]);
	free(c->args);
	free(st->output);
	free(st->long_output);
	free(st->perfdata);
}

static void
objects_host_free(struct host *h)
{
	if (h == NULL)
		return;
	free(h->name);
	free(h->alias);
	free(h->display_name);
	free(h->address);
	objects_check_free(&h->check, &h->st);
	free(h->parents);
	free(h->children);
	free(h->groups);
	free(h->contacts);
	free(h->services);
	objects_vars_free(h->vars, h->nvars);
	free(h);
}

void
objects_service_free(struct service *s)
{
	if (s == NULL)
		return;
	free(s->description);
	free(s->display_name);
	objects_check_free(&s->check, &s->st);
	free(s->contacts);
	objects_vars_free(s->vars, s->nvars);
	free(s);
}

void
objects_free(struct objects *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nhosts; i++)
		objects_host_free(o->hosts[i]);
	free(o->hosts);
	for (i = 0; i < o->nservices; i++)
		objects_service_free(o->services[i]);
	free(o->services);
	for (i = 0; i < o->ncommands; i++) {
		if (o->commands[i] == NULL)
			continue;
		free(o->commands[i]->name);
		free(o->commands[i]->line);
		free(o->commands[i]);
	}
	free(o->commands);
	for (i = 0; i < o->ncontacts; i++) {
		if (o->contacts[i] == NULL)
			continue;
		free(o->contacts[i]->name);
		free(o->contacts[i]->alias);
		free(o->contacts[i]->email);
		free(o->contacts[i]->pager);
		free(o->contacts[i]->groups);
		objects_vars_free(o->contacts[i]->vars, o->contacts[i]->nvars);
		free(o->contacts[i]);
	}
	free(o->contacts);
	for (i = 0; i < o->ncontactgroups; i++) {
		if (o->contactgroups[i] == NULL)
			continue;
		free(o->contactgroups[i]->name);
		free(o->contactgroups[i]->alias);
		free(o->contactgroups[i]->members);
		free(o->contactgroups[i]);
	}
	free(o->contactgroups);
	for (i = 0; i < o->nhostgroups; i++) {
		if (o->hostgroups[i] == NULL)
			continue;
		free(o->hostgroups[i]->name);
		free(o->hostgroups[i]->alias);
		free(o->hostgroups[i]->members);
		free(o->hostgroups[i]);
	}
	free(o->hostgroups);
	for (i = 0; i < o->ntimeperiods; i++) {
		struct timeperiod *tp = o->timeperiods[i];
		size_t j;

		if (tp == NULL)
			continue;
		free(tp->name);
		free(tp->alias);
		for (j = 0; j < tp->nlines; j++)
			free(tp->lines[j]);
		free(tp->lines);
		free(tp);
	}
	free(o->timeperiods);
	objects_priv_free(o->priv);
	memset(o, 0, sizeof(*o));
}

const char *
host_state_name(int state)
{
	switch (state) {
	case HOST_UP:
		return "UP";
	case HOST_DOWN:
		return "DOWN";
	case HOST_UNREACHABLE:
		return "UNREACHABLE";
	case HOST_PENDING:
		return "PENDING";
	default:
		return "UNKNOWN";
	}
}

const char *
service_state_name(int state)
{
	switch (state) {
	case SERVICE_OK:
		return "OK";
	case SERVICE_WARNING:
		return "WARNING";
	case SERVICE_CRITICAL:
		return "CRITICAL";
	case SERVICE_UNKNOWN:
		return "UNKNOWN";
	case SERVICE_PENDING:
		return "PENDING";
	default:
		return "UNKNOWN";
	}
}

const char *
state_type_name(enum state_type t)
{
	return t == STATE_HARD ? "HARD" : "SOFT";
}
