/*
 * conf_topology: `parents auto` and the saved topology in the
 * configuration (docs/topology.md).
 *
 * The main-file keys topology_file (a path; default topology.dat next to
 * state_retention_file, else next to the main file) and default_parents
 * (auto or none: what a host without a parents directive gets). A host's
 * `parents auto` takes the parent the saved topology (topology_file.h)
 * gives it; a host with parents written out is checked against the saved
 * topology, and a contradiction is a warning at the parents line, so
 * `pharosd -v` shows it with file:line. A missing saved topology is a
 * warning where `auto` needs it and silence otherwise.
 *
 * The saved file is read once per load, on first need, into a struct
 * conf_topology hung on the loader's context and freed with it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "objects.h"
#include "topology_file.h"

/* monitor_host_name's default (conf_monitor.c). */
#define CONF_TOPOLOGY_MONITOR "pharos"

struct conf_topology {
	bool loaded;
	int rc;                  /* of topo_file_load */
	char path[4096];
	char err[512];
	struct topo_saved *saved;
	bool told;               /* the missing-file warning was given */
};

bool
conf_topology_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value)
{
	if (strcmp(key, "default_parents") != 0)
		return false;
	if (strcmp(value, "auto") == 0) {
		ctx->cfg->default_parents_auto = true;
	} else if (strcmp(value, "none") == 0) {
		ctx->cfg->default_parents_auto = false;
	} else {
		conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, line,
		    "invalid default_parents '%.40s': expected auto or none",
		    value);
		ctx->priv->main_errors++;
	}
	return true;
}

void
conf_topology_free(struct conf_ctx *ctx)
{
	if (ctx->topo == NULL)
		return;
	topo_file_free(ctx->topo->saved);
	free(ctx->topo);
	ctx->topo = NULL;
}

/* The saved topology, read on first need; NULL when there is none (the
 * reason in ctx->topo->err). */
static const struct topo_saved *
conf_topology_saved(struct conf_ctx *ctx)
{
	struct conf_topology *t = ctx->topo;

	if (t == NULL) {
		t = calloc(1, sizeof(*t));
		if (t == NULL) {
			ctx->oom = true;
			return NULL;
		}
		ctx->topo = t;
	}
	if (!t->loaded) {
		t->loaded = true;
		topo_file_default(ctx->cfg->topology_file,
		    ctx->cfg->state_retention_file, ctx->cfg->main_file,
		    t->path, sizeof(t->path));
		t->rc = topo_file_load(t->path, &t->saved, t->err,
		    sizeof(t->err));
		if (t->rc == -ENOMEM)
			ctx->oom = true;
		else if (t->rc != 0 && t->rc != -ENOENT)
			/* a damaged file is worth saying once */
			conf_msg(ctx, CONF_WARNING, NULL, 0,
			    "saved topology not used: %s", t->err);
	}
	return t->saved;
}

/* Is name one of the comma-separated items of list? */
static bool
conf_topology_in(const char *list, const char *name)
{
	size_t n = strlen(name), len;
	const char *p = list, *item;

	while (conf_next_item(&p, &item, &len))
		if (len == n && strncmp(item, name, n) == 0)
			return true;
	return false;
}

int
conf_topology_parents(struct conf_ctx *ctx, const struct conf_def *d,
    const char *host, const char **parents)
{
	const struct conf_rkv *kv = conf_rget(d, "parents");
	const char *file = kv != NULL ? kv->file : d->file;
	int line = kv != NULL ? kv->line : d->line;
	const char *pv = *parents;
	const struct topo_saved_entry *e;
	const struct topo_saved *s;
	bool is_auto;

	const char *mon = ctx->cfg->monitor_host_name != NULL ?
	    ctx->cfg->monitor_host_name : CONF_TOPOLOGY_MONITOR;

	/* The monitor's own host is the root: no default for it. */
	if (pv == NULL && strcmp(host, mon) == 0)
		return 0;
	is_auto = pv != NULL ? conf_topology_in(pv, "auto")
	                     : ctx->cfg->default_parents_auto;
	if (pv != NULL && is_auto && strcmp(pv, "auto") != 0) {
		conf_msg(ctx, CONF_ERROR, file, line, "parents of host '%s': "
		    "auto stands alone, not in a list", host);
		*parents = NULL;
		return ctx->oom ? -ENOMEM : 0;
	}
	s = conf_topology_saved(ctx);
	if (ctx->oom)
		return -ENOMEM;
	e = topo_file_find(s, host);
	if (is_auto) {
		ctx->cfg->topology_auto_used = true;
		*parents = NULL;
		if (s == NULL) {
			conf_msg(ctx, CONF_WARNING, file, line,
			    "parents auto of host '%s': no saved topology "
			    "(%s); run `pharos topology --save`", host,
			    ctx->topo->rc == -ENOENT ? ctx->topo->path :
			    ctx->topo->err);
		} else if (e == NULL) {
			conf_msg(ctx, CONF_WARNING, file, line,
			    "parents auto of host '%s': not in the saved "
			    "topology %s; no parents", host, ctx->topo->path);
		} else if (e->parent != NULL &&
		    objects_idx_get(&ctx->priv->hosts, e->parent, NULL) ==
		    NULL) {
			conf_msg(ctx, CONF_WARNING, file, line,
			    "parents auto of host '%s': the saved topology's "
			    "parent '%s' is no host; no parents", host,
			    e->parent);
		} else {
			*parents = e->parent;
		}
		return ctx->oom ? -ENOMEM : 0;
	}
	if (e == NULL)
		return 0;
	if (pv == NULL && e->parent == NULL)
		return 0;
	if (pv != NULL && e->parent != NULL && conf_topology_in(pv, e->parent))
		return 0;
	conf_msg(ctx, CONF_WARNING, file, line, "parents of host '%s' (%s) "
	    "contradict the saved topology %s: %s (%s evidence)", host,
	    pv != NULL ? pv : "none", ctx->topo->path,
	    e->parent != NULL ? e->parent : "a child of the monitor",
	    e->kind);
	return ctx->oom ? -ENOMEM : 0;
}
