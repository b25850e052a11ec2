/*
 * conf_discover: the services SNMP discovery found, as configuration.
 *
 * For every registered host with a device_profile, the last complete
 * discovery in the cache file (probes/discover.h) is turned into ordinary
 * service definitions: written as object text, parsed by the same reader
 * as object files (so every check is verified the same way) and inherited
 * from the discovered-service template. The daemon discovers hosts the
 * cache lacks and rewrites the cache; `pharosd -v` only reads it.
 *
 *   define service {
 *       use                  generic-service
 *       host_name            sw1
 *       service_description  Interface Gi0/1
 *       check_command        snmp_if!Gi0/1
 *       _DISCOVERY           switch/interfaces/10101
 *   }
 *
 * A hand-written service of the same host and description wins: the
 * discovered one is left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "discover.h"

#define CONF_DISC_DEFAULT_TEMPLATE "generic-service"

struct conf_disc {
	struct conf_ctx *ctx;
	const struct discover_cache *cache;
	const char *tmpl;         /* template name, or NULL: inline defaults */
	struct objidx written;    /* (host, description) written by hand */
	char *buf;                /* object text of one host */
	size_t len, cap;
	size_t skipped;           /* unusable strings in the cache */
};

static bool
conf_disc_grow(struct conf_disc *cd, size_t more)
{
	char *nb;
	size_t cap = cd->cap ? cd->cap : 4096;

	while (cap - cd->len <= more)
		cap *= 2;
	if (cap == cd->cap)
		return true;
	if ((nb = realloc(cd->buf, cap)) == NULL)
		return false;
	cd->buf = nb;
	cd->cap = cap;
	return true;
}

/* Append "  key value\n", escaping ';' (a comment otherwise). */
static bool
conf_disc_kv(struct conf_disc *cd, const char *key, const char *v)
{
	size_t i, n = strlen(v);

	if (!conf_disc_grow(cd, strlen(key) + 2 * n + 8))
		return false;
	cd->len += (size_t)snprintf(cd->buf + cd->len, cd->cap - cd->len,
	    "  %s ", key);
	for (i = 0; i < n; i++) {
		if (v[i] == ';')
			cd->buf[cd->len++] = '\\';
		cd->buf[cd->len++] = v[i];
	}
	cd->buf[cd->len++] = '\n';
	cd->buf[cd->len] = '\0';
	return true;
}

/* A value that would not survive the object syntax: line breaks, other
 * control characters, a trailing backslash (a continuation). */
static bool
conf_disc_usable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[n - 1] == '\\')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Index (host, description) of every registered service written by hand. */
static int
conf_disc_index(struct conf_disc *cd, size_t ndefs)
{
	struct conf_ctx *ctx = cd->ctx;
	struct conf_list l;
	const char *desc;
	size_t i, k;
	int rc;

	for (i = 0; i < ndefs; i++) {
		const struct conf_def *d = ctx->defs[i];

		if (d->type != CT_SERVICE || !d->registered ||
		    (desc = conf_rval(d, "service_description")) == NULL)
			continue;
		if (conf_list(ctx, conf_rval(d, "host_name"), &l) != 0)
			return -ENOMEM;
		for (k = 0; k < l.n; k++) {
			char *h = conf_keep(ctx, strdup(l.items[k]));

			if (h == NULL) {
				conf_list_free(&l);
				return -ENOMEM;
			}
			rc = objects_idx_put(&cd->written, h, desc, cd);
			if (rc != 0 && rc != -EEXIST) {
				conf_list_free(&l);
				return rc;
			}
		}
		conf_list_free(&l);
	}
	return 0;
}

/* Append raw text. */
static bool
conf_disc_text(struct conf_disc *cd, const char *text)
{
	size_t n = strlen(text);

	if (!conf_disc_grow(cd, n))
		return false;
	memcpy(cd->buf + cd->len, text, n + 1);
	cd->len += n;
	return true;
}

static bool
conf_disc_service(struct conf_disc *cd, const char *host,
    const struct discover_service *s)
{
	if (objects_idx_get(&cd->written, host, s->description) != NULL)
		return true;
	if (!conf_disc_usable(s->description) ||
	    !conf_disc_usable(s->check_command)) {
		cd->skipped++;
		return true;
	}
	if (!conf_disc_text(cd, "define service {\n"))
		return false;
	if (cd->tmpl != NULL ? !conf_disc_kv(cd, "use", cd->tmpl) :
	    !conf_disc_kv(cd, "max_check_attempts", "3") ||
	    !conf_disc_kv(cd, "check_interval", "5") ||
	    !conf_disc_kv(cd, "retry_interval", "1"))
		return false;
	if (s->origin != NULL && conf_disc_usable(s->origin) &&
	    !conf_disc_kv(cd, "_DISCOVERY", s->origin))
		return false;
	return conf_disc_kv(cd, "host_name", host) &&
	    conf_disc_kv(cd, "service_description", s->description) &&
	    conf_disc_kv(cd, "check_command", s->check_command) &&
	    conf_disc_text(cd, "}\n");
}

static int
conf_disc_host(struct conf_disc *cd, const struct conf_def *d)
{
	const char *host = conf_rval(d, "host_name");
	const char *prof = conf_rval(d, "device_profile");
	const struct discover_result *e;
	const struct conf_rkv *kv;
	char name[1024];
	size_t i;

	if (host == NULL || prof == NULL ||
	    (e = discover_cache_get(cd->cache, host)) == NULL)
		return 0;
	if (strcmp(e->profile, prof) != 0) {
		kv = conf_rget(d, "device_profile");
		conf_msg(cd->ctx, CONF_WARNING, kv->file, kv->line,
		    "host '%s': the discovery cache holds profile '%s', not '%s'; its services come after the next discovery",
		    host, e->profile, prof);
		return 0;
	}
	cd->len = 0;
	for (i = 0; i < e->nservices; i++)
		if (!conf_disc_service(cd, host, &e->services[i]))
			return -ENOMEM;
	if (cd->len == 0)
		return 0;
	snprintf(name, sizeof(name), "%s (host %s)",
	    cd->ctx->cfg->discovery_cache_file, host);
	return conf_parse_buffer(cd->ctx, name, cd->buf, cd->len);
}

/* The template discovered services use, or NULL for inline defaults
 * (when the default template does not exist). */
static int
conf_disc_template(struct conf_disc *cd, size_t ndefs)
{
	const char *want = cd->ctx->cfg->discovered_service_template;
	size_t i;

	cd->tmpl = NULL;
	for (i = 0; i < ndefs; i++) {
		const struct conf_def *d = cd->ctx->defs[i];

		if (d->type == CT_SERVICE && d->tname != NULL &&
		    strcmp(d->tname, want != NULL ? want :
		    CONF_DISC_DEFAULT_TEMPLATE) == 0) {
			cd->tmpl = d->tname;
			return 0;
		}
	}
	if (want != NULL) {
		conf_msg(cd->ctx, CONF_ERROR, cd->ctx->cfg->main_file, 0,
		    "discovered_service_template '%s' is not a service template",
		    want);
		return -EINVAL;
	}
	return 0;
}

static bool
conf_disc_wanted(const struct conf_ctx *ctx, size_t ndefs)
{
	size_t i;

	for (i = 0; i < ndefs; i++)
		if (ctx->defs[i]->type == CT_HOST &&
		    ctx->defs[i]->registered &&
		    conf_rval(ctx->defs[i], "device_profile") != NULL)
			return true;
	return false;
}

static struct discover_cache *
conf_disc_load(struct conf_ctx *ctx)
{
	struct discover_cache *c = NULL;
	const char *path = ctx->cfg->discovery_cache_file;
	size_t dropped = 0;
	char err[512];
	int rc;

	if (path == NULL) {
		conf_msg(ctx, CONF_WARNING, ctx->cfg->main_file, 0,
		    "hosts have device_profile but no discovery_cache_file is set: profile services are not created");
		return NULL;
	}
	rc = discover_cache_load(path, &c, &dropped, err, sizeof(err));
	if (rc == -ENOMEM) {
		ctx->oom = true;
		return NULL;
	}
	if (rc != 0) {
		conf_msg(ctx, CONF_WARNING, path, 0,
		    "discovery cache not used (%s); profile services come after the next discovery",
		    err);
		return NULL;
	}
	if (dropped > 0)
		conf_msg(ctx, CONF_WARNING, path, 0,
		    "%zu malformed host entries of the discovery cache dropped",
		    dropped);
	return c;
}

int
conf_discovered(struct conf_ctx *ctx)
{
	struct conf_disc cd = { .ctx = ctx };
	struct discover_cache *cache;
	size_t i, ndefs = ctx->ndefs;
	int rc = 0;

	if (!conf_disc_wanted(ctx, ndefs) ||
	    (cache = conf_disc_load(ctx)) == NULL)
		return ctx->oom ? -ENOMEM : 0;
	cd.cache = cache;
	if (conf_disc_template(&cd, ndefs) != 0) {
		discover_cache_free(cache);
		return 0;
	}
	rc = conf_disc_index(&cd, ndefs);
	for (i = 0; i < ndefs && rc == 0; i++)
		if (ctx->defs[i]->type == CT_HOST && ctx->defs[i]->registered)
			rc = conf_disc_host(&cd, ctx->defs[i]);
	if (cd.skipped > 0)
		conf_msg(ctx, CONF_WARNING, ctx->cfg->discovery_cache_file, 0,
		    "%zu discovered services left out: their name or command holds control characters",
		    cd.skipped);
	objects_idx_free(&cd.written);
	free(cd.buf);
	discover_cache_free(cache);
	return rc;
}

static bool
conf_disc_is_discovered(const struct service *s)
{
	size_t i;

	for (i = 0; i < s->nvars; i++)
		if (strcmp(s->vars[i].name, "DISCOVERY") == 0)
			return true;
	return false;
}

void
conf_print_discovered(const struct objects *o, FILE *fp)
{
	size_t i, k, n, total = 0;

	for (i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];

		if (h->device_profile == NULL)
			continue;
		for (k = n = 0; k < h->nservices; k++)
			n += conf_disc_is_discovered(h->services[k]);
		total += n;
		fprintf(fp, "\t  %s: profile %s, %zu service%s from SNMP discovery%s\n",
		    h->name, h->device_profile, n, n == 1 ? "" : "s",
		    n == 0 ? " (not discovered yet)" : "");
	}
	if (total > 0)
		fprintf(fp, "\t%zu service%s from SNMP discovery.\n", total,
		    total == 1 ? "" : "s");
}
