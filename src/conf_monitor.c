/*
 * conf_monitor: the monitor as a host of its own.
 *
 * When pharosd loads its configuration (conf_load_flags() with
 * CONF_MONITOR_HOST) and monitor_host_name is not "-", it gets a host of that
 * name (default "pharos") and its service "Pharos health", both checked by
 * the built-in pharos_self command: problems of Pharos itself (retention
 * that cannot be written, a command file that could not be opened, plugins
 * that cannot be started, failed SNMP discoveries, event log rotation
 * errors) become a state, alerts and notifications like any other. A host
 * or service of the same name written by hand wins (to add contacts,
 * say); what is missing is written here as object text and read like an
 * object file:
 *
 *   define host {
 *       host_name           pharos
 *       alias               Pharos, the monitor itself
 *       address             127.0.0.1
 *       check_command       pharos_self
 *       max_check_attempts  1
 *       check_interval      1
 *       retry_interval      1
 *   }
 *   define service {
 *       host_name            pharos
 *       service_description  Pharos health
 *       check_command        pharos_self!health
 *       max_check_attempts   1
 *       check_interval       1
 *       retry_interval       1
 *   }
 *
 * (One interval unit: a minute with Nagios' interval_length of 60.)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

#define CONF_MONITOR_DEFAULT "pharos"
#define CONF_MONITOR_SERVICE "Pharos health"

static bool
conf_mon_has_host(const struct conf_ctx *ctx, size_t n, const char *name)
{
	const char *v;
	size_t i;

	for (i = 0; i < n; i++)
		if (ctx->defs[i]->type == CT_HOST && ctx->defs[i]->registered &&
		    (v = conf_rval(ctx->defs[i], "host_name")) != NULL &&
		    strcmp(v, name) == 0)
			return true;
	return false;
}

static bool
conf_mon_has_service(const struct conf_ctx *ctx, size_t n, const char *host)
{
	const char *h, *d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (ctx->defs[i]->type != CT_SERVICE ||
		    !ctx->defs[i]->registered)
			continue;
		h = conf_rval(ctx->defs[i], "host_name");
		d = conf_rval(ctx->defs[i], "service_description");
		if (h != NULL && d != NULL && strcmp(h, host) == 0 &&
		    strcmp(d, CONF_MONITOR_SERVICE) == 0)
			return true;
	}
	return false;
}

int
conf_monitor(struct conf_ctx *ctx)
{
	const char *name = ctx->cfg->monitor_host_name != NULL ?
	    ctx->cfg->monitor_host_name : CONF_MONITOR_DEFAULT;
	size_t n = ctx->ndefs;
	char buf[1024];
	int len = 0;

	if ((ctx->flags & CONF_MONITOR_HOST) == 0 || strcmp(name, "-") == 0)
		return 0;
	if (!conf_mon_has_host(ctx, n, name))
		len += snprintf(buf + len, sizeof(buf) - (size_t)len,
		    "define host {\n  host_name %s\n"
		    "  alias Pharos, the monitor itself\n"
		    "  address 127.0.0.1\n  check_command pharos_self\n"
		    "  max_check_attempts 1\n  check_interval 1\n"
		    "  retry_interval 1\n}\n", name);
	if (!conf_mon_has_service(ctx, n, name))
		len += snprintf(buf + len, sizeof(buf) - (size_t)len,
		    "define service {\n  host_name %s\n"
		    "  service_description %s\n"
		    "  check_command pharos_self!health\n"
		    "  max_check_attempts 1\n  check_interval 1\n"
		    "  retry_interval 1\n}\n", name, CONF_MONITOR_SERVICE);
	if (len <= 0)
		return 0;
	if ((size_t)len >= sizeof(buf)) {
		conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, 0,
		    "monitor_host_name is too long");
		return 0;
	}
	return conf_parse_buffer(ctx, "(the monitor's own host)", buf,
	    (size_t)len);
}
