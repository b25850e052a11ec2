/*
 * conf_remote: remote pollers in the configuration (docs/scaling.md).
 *
 *   main file   gearman_servers=host[:port],...   where jobs go
 *               poller_key_file=path             the shared 32-byte key
 *               gearman_result_queue=name        default pharos_results
 *               poller_timeout=seconds           added to a check's own
 *                                                timeout; default 10
 *   objects     poller NAME in a host or a hostgroup (and their
 *               templates); a host's own value beats its groups'.
 *
 * Every poller named gets a service "Poller NAME" on the monitor's own
 * host (built-in pharos_self!poller!NAME): it goes CRITICAL "poller NAME
 * unavailable" when no worker serves the poller's queue, the one problem
 * raised for a site whose workers are gone.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "jobwire.h"
#include "objects.h"
#include "remote.h"
#include "remote_gm.h"
#include "strnum.h"

#define CONF_REMOTE_MAX_POLLERS 256

static char *
conf_remote_path(const struct config *cfg, const char *value)
{
	size_t len;
	char *p;

	if (value[0] == '/' || cfg->base_dir == NULL)
		return strdup(value);
	len = strlen(cfg->base_dir) + strlen(value) + 2;
	if ((p = malloc(len)) != NULL)
		snprintf(p, len, "%s/%s", cfg->base_dir, value);
	return p;
}

static void __attribute__((format(printf, 3, 4)))
conf_remote_err(struct conf_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(ctx, CONF_ERROR, ctx->cfg->main_file, line, fmt, ap);
	va_end(ap);
	ctx->priv->main_errors++;
}

static void
conf_remote_set(struct conf_ctx *ctx, char **field, char *v)
{
	if (v == NULL) {
		ctx->oom = true;
		return;
	}
	free(*field);
	*field = v;
}

bool
conf_remote_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value)
{
	struct config *cfg = ctx->cfg;
	struct jobwire_key k;
	char err[512];
	long l;
	int rc;

	if (strcmp(key, "gearman_servers") == 0) {
		if (remote_gm_parse_servers(value, NULL, NULL, 8, err,
		    sizeof(err)) < 0)
			conf_remote_err(ctx, line, "gearman_servers: %s", err);
		else
			conf_remote_set(ctx, &cfg->gearman_servers,
			    strdup(value));
		return true;
	}
	if (strcmp(key, "gearman_result_queue") == 0) {
		if (!conf_remote_name_ok(value))
			conf_remote_err(ctx, line, "gearman_result_queue: "
			    "'%.80s' is not a queue name (letters, digits, "
			    "'-', '_' and '.', at most 64)", value);
		else
			conf_remote_set(ctx, &cfg->gearman_result_queue,
			    strdup(value));
		return true;
	}
	if (strcmp(key, "poller_timeout") == 0) {
		if (strnum_long(value, 1, 3600, &l) != 0)
			conf_remote_err(ctx, line, "invalid poller_timeout "
			    "'%.40s': expected seconds, 1 to 3600", value);
		else
			cfg->poller_timeout = (int)l;
		return true;
	}
	if (strcmp(key, "poller_key_file") != 0)
		return false;
	if (*value == '\0') {
		conf_remote_err(ctx, line, "'%s' has no value", key);
		return true;
	}
	conf_remote_set(ctx, &cfg->poller_key_file,
	    conf_remote_path(cfg, value));
	if (cfg->poller_key_file == NULL)
		return true;
	/* A reload runs without root and may not read a root-only key:
	 * only what can be judged is judged. */
	if (jobwire_init() != 0) {
		conf_remote_err(ctx, line, "libsodium cannot start");
		return true;
	}
	rc = jobwire_key_load(cfg->poller_key_file, &k, err, sizeof(err));
	memset(&k, 0, sizeof(k));
	if (rc != 0 && rc != -EACCES)
		conf_remote_err(ctx, line, "poller_key_file: %s", err);
	return true;
}

bool
conf_remote_name_ok(const char *s)
{
	return remote_name_ok(s);
}

/* The poller key of d, checked; NULL when unset or bad (reported). */
static const char *
conf_remote_def_poller(struct conf_ctx *ctx, const struct conf_def *d)
{
	const struct conf_rkv *kv = conf_rget(d, "poller");

	if (kv == NULL)
		return NULL;
	if (!conf_remote_name_ok(kv->value)) {
		conf_msg(ctx, CONF_ERROR, kv->file, kv->line,
		    "poller '%.80s' is not a poller name (letters, digits, "
		    "'-', '_' and '.', at most 64)", kv->value);
		return NULL;
	}
	return kv->value;
}

int
conf_remote_host(struct conf_ctx *ctx, const struct conf_def *d,
    struct host *h)
{
	const char *v = conf_remote_def_poller(ctx, d);

	if (v != NULL && (h->poller = strdup(v)) == NULL)
		return -ENOMEM;
	return 0;
}

/* Hostgroup pollers go to member hosts without one of their own; two
 * groups naming different pollers for one host is an error at the
 * host. */
static int
conf_remote_groups(struct conf_ctx *ctx, bool *from_group)
{
	struct objects *o = &ctx->cfg->objects;
	const struct conf_def *d;
	const char *v, *name;
	struct hostgroup *g;
	struct host *h;
	size_t i, j, k;

	for (i = 0; i < ctx->ndefs; i++) {
		d = ctx->defs[i];
		if (d->type != CT_HOSTGROUP || !d->registered ||
		    (v = conf_remote_def_poller(ctx, d)) == NULL ||
		    (name = conf_rval(d, "hostgroup_name")) == NULL)
			continue;
		for (g = NULL, j = 0; j < o->nhostgroups; j++)
			if (strcmp(o->hostgroups[j]->name, name) == 0)
				g = o->hostgroups[j];
		if (g == NULL)
			continue;
		for (k = 0; k < g->nmembers; k++) {
			h = g->members[k];
			if (h->poller == NULL) {
				if ((h->poller = strdup(v)) == NULL)
					return -ENOMEM;
				from_group[h->index] = true;
			} else if (from_group[h->index] &&
			    strcmp(h->poller, v) != 0)
				conf_msg(ctx, CONF_ERROR, h->loc.file,
				    h->loc.line, "host '%s' is in hostgroups "
				    "with different pollers ('%s', '%s'): set "
				    "poller on the host", h->name, h->poller,
				    v);
		}
	}
	return 0;
}

int
conf_remote_resolve(struct conf_ctx *ctx)
{
	struct config *cfg = ctx->cfg;
	struct objects *o = &cfg->objects;
	struct host *first = NULL;
	bool *from_group;
	size_t i;
	int rc;

	if ((from_group = calloc(o->nhosts + 1, sizeof(bool))) == NULL)
		return -ENOMEM;
	rc = conf_remote_groups(ctx, from_group);
	free(from_group);
	if (rc != 0)
		return rc;
	for (i = 0; i < o->nhosts && first == NULL; i++)
		if (o->hosts[i]->poller != NULL)
			first = o->hosts[i];
	if (first == NULL)
		return 0;
	if (cfg->gearman_servers == NULL)
		conf_msg(ctx, CONF_ERROR, first->loc.file, first->loc.line,
		    "host '%s' has poller '%s' but gearman_servers is not set "
		    "in the main file", first->name, first->poller);
	if (cfg->poller_key_file == NULL)
		conf_msg(ctx, CONF_ERROR, first->loc.file, first->loc.line,
		    "host '%s' has poller '%s' but poller_key_file is not set "
		    "in the main file", first->name, first->poller);
	return 0;
}

/* Is there a registered service desc on host name (by hand)? */
static bool
conf_remote_has_service(const struct conf_ctx *ctx, size_t n,
    const char *host, const char *desc)
{
	const char *h, *s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ctx->defs[i]->type != CT_SERVICE ||
		    !ctx->defs[i]->registered)
			continue;
		h = conf_rval(ctx->defs[i], "host_name");
		s = conf_rval(ctx->defs[i], "service_description");
		if (h != NULL && s != NULL && strcmp(h, host) == 0 &&
		    strcmp(s, desc) == 0)
			return true;
	}
	return false;
}

int
conf_remote_monitor(struct conf_ctx *ctx)
{
	const char *mon = ctx->cfg->monitor_host_name != NULL ?
	    ctx->cfg->monitor_host_name : "pharos";
	const char *names[CONF_REMOTE_MAX_POLLERS], *v;
	char desc[128], buf[512];
	size_t n = 0, i, j, ndefs = ctx->ndefs;
	int len, rc;

	if ((ctx->flags & CONF_MONITOR_HOST) == 0 || strcmp(mon, "-") == 0)
		return 0;
	for (i = 0; i < ndefs && n < CONF_REMOTE_MAX_POLLERS; i++) {
		if ((ctx->defs[i]->type != CT_HOST &&
		    ctx->defs[i]->type != CT_HOSTGROUP) ||
		    !ctx->defs[i]->registered ||
		    (v = conf_rval(ctx->defs[i], "poller")) == NULL ||
		    !conf_remote_name_ok(v))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(names[j], v) == 0)
				break;
		if (j == n)
			names[n++] = v;
	}
	for (i = 0; i < n; i++) {
		snprintf(desc, sizeof(desc), "Poller %s", names[i]);
		if (conf_remote_has_service(ctx, ndefs, mon, desc))
			continue;
		len = snprintf(buf, sizeof(buf), "define service {\n"
		    "  host_name %s\n  service_description %s\n"
		    "  check_command pharos_self!poller!%s\n"
		    "  max_check_attempts 1\n  check_interval 1\n"
		    "  retry_interval 1\n}\n", mon, desc, names[i]);
		if (len <= 0 || (size_t)len >= sizeof(buf))
			continue;
		if ((rc = conf_parse_buffer(ctx, "(the monitor's pollers)",
		    buf, (size_t)len)) != 0)
			return rc;
	}
	return 0;
}
