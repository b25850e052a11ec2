/*
 * conf: the configuration loader's entry point. It reads the main file
 * (key=value lines) and the resource files ($USERn$ macros), has
 * conf_parse.c read the object files it names and resolve templates, has
 * conf_resolve.c build the objects, and keeps the diagnostics. It prints
 * them and the `pharosd -v` report, and holds the small helpers the loader
 * shares (growing arrays, comma lists, reading a whole file).
 *
 * The main file is read completely before any object file, so where a key
 * such as interval_length appears in it does not matter. Diagnostics are
 * kept in cfg->msgs in the order found; objects.priv records how many came
 * from which step, for the report.
 */
#include "conf_int.h"
#include "logarch.h"
#include "strnum.h"
#include "traprule.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_MAIN_SIZE (16L << 20)

/* Main file keys Pharos acts on that hold a path. */
static const struct {
	const char *name;
	size_t off;
} conf_path_keys[] = {
	{ "log_file", offsetof(struct config, log_file) },
	{ "query_socket", offsetof(struct config, query_socket) },
	{ "command_file", offsetof(struct config, command_file) },
	{ "state_retention_file",
	    offsetof(struct config, state_retention_file) },
	{ "rrd_dir", offsetof(struct config, rrd_dir) },
	{ "discovery_cache_file",
	    offsetof(struct config, discovery_cache_file) },
	{ "profile_dir", offsetof(struct config, profile_dir) },
	{ "log_archive_path", offsetof(struct config, log_archive_path) },
	{ "config_archive_dir", offsetof(struct config, config_archive_dir) },
	{ "cgi_config_file", offsetof(struct config, cgi_config_file) },
	{ "topology_file", offsetof(struct config, topology_file) },
};

/* Keys of Nagios 4's nagios.cfg (Debian's sample, commented-out entries
 * included) that Pharos does not act on yet: accepted with a warning.
 * Space-separated, with a space at both ends. */
static const char conf_nagios_keys[] =
    " accept_passive_host_checks accept_passive_service_checks "
    "additional_freshness_latency admin_email admin_pager "
    "aggregate_status_updates allow_empty_hostgroup_assignment "
    "auto_reschedule_checks auto_rescheduling_interval "
    "auto_rescheduling_window bare_update_check broker_module "
    "cached_host_check_horizon cached_service_check_horizon "
    "check_external_commands check_for_orphaned_hosts "
    "check_for_orphaned_services check_for_updates "
    "check_host_freshness check_result_buffer_slots check_result_path "
    "check_result_reaper_frequency check_service_freshness "
    "check_workers child_processes_fork_twice command_check_interval "
    "daemon_dumps_core date_format debug_file debug_level "
    "debug_verbosity enable_embedded_perl enable_environment_macros "
    "enable_predictive_host_dependency_checks "
    "enable_predictive_service_dependency_checks event_broker_options "
    "event_handler_timeout execute_host_checks execute_service_checks "
    "external_command_buffer_slots free_child_process_memory "
    "host_down_disable_service_checks "
    "host_freshness_check_interval host_inter_check_delay_method "
    "host_perfdata_command host_perfdata_file host_perfdata_file_mode "
    "host_perfdata_file_processing_command "
    "host_perfdata_file_processing_interval "
    "host_perfdata_file_template host_perfdata_process_empty_results "
    "host_skip_check_dependency_status illegal_macro_output_chars "
    "illegal_object_name_chars loadctl_options lock_file "
    "log_current_states log_event_handlers "
    "log_external_commands log_host_retries log_initial_states "
    "log_notifications log_passive_checks "
    "log_service_retries max_check_result_file_age "
    "max_check_result_list_items max_check_result_reaper_time "
    "max_concurrent_checks max_debug_file_size max_host_check_spread "
    "max_service_check_spread nagios_group nagios_user "
    "notification_timeout object_cache_file obsess_over_hosts "
    "obsess_over_services ochp_command ochp_timeout ocsp_command "
    "ocsp_timeout p1_file passive_host_checks_are_soft "
    "perfdata_timeout precached_object_file process_performance_data "
    "retain_state_information retained_contact_host_attribute_mask "
    "retained_contact_service_attribute_mask "
    "retained_host_attribute_mask retained_process_host_attribute_mask "
    "retained_process_service_attribute_mask "
    "retained_service_attribute_mask "
    "service_check_timeout_state "
    "service_freshness_check_interval service_inter_check_delay_method "
    "service_interleave_factor service_perfdata_command "
    "service_perfdata_file service_perfdata_file_mode "
    "service_perfdata_file_processing_command "
    "service_perfdata_file_processing_interval "
    "service_perfdata_file_template "
    "service_perfdata_process_empty_results service_reaper_frequency "
    "service_skip_check_dependency_status "
    "service_skip_check_host_down_status "
    "service_skip_check_parent_status sleep_time "
    "soft_state_dependencies status_file status_update_interval "
    "temp_file temp_path time_change_threshold "
    "translate_passive_host_checks use_aggressive_host_checking "
    "use_embedded_perl_implicitly use_large_installation_tweaks "
    "use_regexp_matching use_retained_program_state "
    "use_retained_scheduling_info use_syslog use_timezone "
    "use_true_regexp_matching website_url ";

/* An object file or folder named by the main file, read after it. */
struct conf_include {
	char *path;
	int line;
	bool dir;
};

struct conf_main {
	struct conf_include *inc;
	size_t ninc;
	struct conf_include *res; /* resource files */
	size_t nres;
};

void
conf_vmsg(struct conf_ctx *ctx, enum conf_level level, const char *file,
    int line, const char *fmt, va_list ap)
{
	struct config *cfg = ctx->cfg;
	struct conf_msg *m;
	char buf[1024];

	if (level == CONF_ERROR)
		cfg->nerrors++;
	else
		cfg->nwarnings++;
	/* Past the cap, messages are only counted; the note conf_load()
	 * adds at the end (without a file) still goes in. */
	if (cfg->nmsgs >= CONF_MAX_MSGS && file != NULL) {
		ctx->priv->nhidden++;
		return;
	}
	if (!CONF_ROOM(&ctx->oom, cfg->msgs, cfg->nmsgs))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	m = &cfg->msgs[cfg->nmsgs];
	m->level = level;
	m->line = line;
	m->file = file != NULL ? strdup(file) : NULL;
	m->text = strdup(buf);
	if (m->text == NULL || (file != NULL && m->file == NULL)) {
		free(m->file);
		free(m->text);
		ctx->oom = true;
		return;
	}
	cfg->nmsgs++;
}

void
conf_msg(struct conf_ctx *ctx, enum conf_level level, const char *file,
    int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(ctx, level, file, line, fmt, ap);
	va_end(ap);
}

const char *
conf_pool_file(struct conf_ctx *ctx, const char *path)
{
	struct objects_priv *p = ctx->priv;

	if (p->nfiles > 0 && strcmp(p->files[p->nfiles - 1], path) == 0)
		return p->files[p->nfiles - 1];
	if (!CONF_ROOM(&ctx->oom, p->files, p->nfiles) ||
	    (p->files[p->nfiles] = conf_strdup(ctx, path)) == NULL)
		return NULL;
	return p->files[p->nfiles++];
}

char *
conf_keep(struct conf_ctx *ctx, char *s)
{
	if (s == NULL || !CONF_ROOM(&ctx->oom, ctx->strs, ctx->nstrs)) {
		free(s);
		ctx->oom = true;
		return NULL;
	}
	return ctx->strs[ctx->nstrs++] = s;
}

char *
conf_strdup(struct conf_ctx *ctx, const char *s)
{
	char *r = strdup(s != NULL ? s : "");

	if (r == NULL)
		ctx->oom = true;
	return r;
}

void *
conf_room(void *arr, size_t n, size_t size, bool *oom)
{
	void *p;

	if (*oom || (n != 0 && (n < 8 || (n & (n - 1)) != 0)))
		return arr;
	if ((p = reallocarray(arr, n == 0 ? 8 : n * 2, size)) == NULL) {
		*oom = true;
		return arr;
	}
	return p;
}

bool
conf_next_item(const char **p, const char **item, size_t *len)
{
	const char *s = *p, *e;

	if (s == NULL)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	for (e = s; *e != '\0' && *e != ','; e++)
		;
	*p = *e == ',' ? e + 1 : NULL;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*item = s;
	*len = (size_t)(e - s);
	return true;
}

int
conf_list(struct conf_ctx *ctx, const char *value, struct conf_list *l)
{
	const char *p = value, *item;
	size_t len, off = 0;

	memset(l, 0, sizeof(*l));
	if (value == NULL)
		return 0;
	/* Items are copied NUL-terminated into buf, which is never longer
	 * than the value. */
	if ((l->buf = malloc(strlen(value) + 1)) == NULL)
		goto oom;
	while (conf_next_item(&p, &item, &len)) {
		if (len == 0)
			continue;
		if (!CONF_ROOM(&ctx->oom, l->items, l->n))
			goto oom;
		memcpy(l->buf + off, item, len);
		l->buf[off + len] = '\0';
		l->items[l->n++] = l->buf + off;
		off += len + 1;
	}
	return 0;
oom:
	ctx->oom = true;
	conf_list_free(l);
	return -ENOMEM;
}

void
conf_list_free(struct conf_list *l)
{
	free(l->buf);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

const char *
conf_obj_name(struct conf_ctx *ctx, const struct conf_def *d, const char *key)
{
	const char *v = conf_rval(d, key);

	if (v == NULL && conf_rget(d, key) == NULL)
		conf_msg(ctx, CONF_ERROR, d->file, d->line,
		    "%s definition has no %s", objects_type_name(d->type), key);
	return v;
}

bool
conf_taken(struct conf_ctx *ctx, const struct conf_def *d,
    const struct objidx *ix, const char *name, size_t off)
{
	const char *obj = objects_idx_get(ix, name, NULL);
	const struct srcloc *l;

	if (obj == NULL)
		return false;
	l = (const struct srcloc *)(const void *)(obj + off);
	if (l->file == NULL)
		conf_msg(ctx, CONF_ERROR, d->file, d->line,
		    "'%s' is a reserved built-in %s name", name,
		    objects_type_name(d->type));
	else
		conf_msg(ctx, CONF_ERROR, d->file, d->line,
		    "duplicate %s '%s' (first defined at %s:%d)",
		    objects_type_name(d->type), name, l->file, l->line);
	return true;
}

/* Next line of buf (NUL-terminated in place, '\r' and surrounding blanks
 * removed) or NULL at the end. *nul tells whether the line held a NUL. */
static char *
conf_next_line(char **cursor, char *end, int *lineno, bool *nul)
{
	char *s = *cursor, *e, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	e = nl != NULL ? nl : end;
	*nul = memchr(s, '\0', (size_t)(e - s)) != NULL;
	*cursor = nl != NULL ? nl + 1 : end;
	(*lineno)++;
	*e = '\0';
	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Split "key=value" in place; both trimmed. Returns false without '='. */
static bool
conf_split_kv(char *s, char **key, char **value)
{
	char *eq = strchr(s, '='), *e;

	if (eq == NULL)
		return false;
	e = eq;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	*key = s;
	for (s = eq + 1; *s == ' ' || *s == '\t'; s++)
		;
	*value = s;
	return true;
}

/* An absolute path for value, relative ones against the main file's
 * folder. NULL when memory ran out. */
static char *
conf_abs_path(const struct config *cfg, const char *value)
{
	size_t len;
	char *p;

	if (value[0] == '/')
		return strdup(value);
	while (value[0] == '.' && value[1] == '/')
		value += 2;
	len = strlen(cfg->base_dir) + strlen(value) + 2;
	if ((p = malloc(len)) == NULL)
		return NULL;
	snprintf(p, len, "%s%s%s", cfg->base_dir,
	    strcmp(cfg->base_dir, "/") == 0 ? "" : "/", value);
	return p;
}

static int
conf_add_include(struct conf_ctx *ctx, struct conf_include **arr, size_t *n,
    char *path, int line, bool dir)
{
	if (path == NULL || !CONF_ROOM(&ctx->oom, *arr, *n)) {
		free(path);
		return -ENOMEM;
	}
	(*arr)[*n].path = path;
	(*arr)[*n].line = line;
	(*arr)[*n].dir = dir;
	(*n)++;
	return 0;
}

static void __attribute__((format(printf, 4, 5)))
conf_main_err(struct conf_ctx *ctx, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(ctx, CONF_ERROR, file, line, fmt, ap);
	va_end(ap);
	ctx->priv->main_errors++;
}

/* Set a string key, warning when it was set before. */
static int
conf_set_str(struct conf_ctx *ctx, char **field, char *v, const char *key,
    int line)
{
	if (v == NULL)
		return -ENOMEM;
	if (*field != NULL)
		conf_msg(ctx, CONF_WARNING, ctx->cfg->main_file, line,
		    "'%s' is set more than once; the last value wins", key);
	free(*field);
	*field = v;
	return 0;
}

/* An integer key from 1 to max (what: its unit, for the message); *out
 * keeps its value when value is not one. */
static void
conf_main_int(struct conf_ctx *ctx, int line, const char *key,
    const char *value, long max, const char *what, int *out)
{
	long l;

	if (strnum_long(value, 1, max, &l) != 0)
		conf_main_err(ctx, ctx->cfg->main_file, line,
		    "invalid %s '%.40s': expected %s, 1 to %ld", key, value,
		    what, max);
	else
		*out = (int)l;
}

static int
conf_main_key(struct conf_ctx *ctx, struct conf_main *m, int line,
    const char *key, const char *value)
{
	struct config *cfg = ctx->cfg;
	const char *file = cfg->main_file, *p;
	size_t i;

	/* The list starts with a space, so p[-1] is always inside it. */
	for (p = conf_nagios_keys; *key != '\0' &&
	    (p = strstr(p + 1, key)) != NULL;)
		if (p[-1] == ' ' && p[strlen(key)] == ' ') {
			conf_msg(ctx, CONF_WARNING, file, line,
			    "'%s' ignored: not used by Pharos yet", key);
			return 0;
		}
	if (conf_notify_main_key(ctx, line, key, value))
		return 0;
	if (conf_trap_main_key(ctx, line, key, value))
		return 0;
	if (conf_remote_main_key(ctx, line, key, value))
		return 0;
	if (conf_topology_main_key(ctx, line, key, value))
		return 0;
	if (*value == '\0' && (strcmp(key, "cfg_file") == 0 ||
	    strcmp(key, "trap_rules") == 0 ||
	    strcmp(key, "cfg_dir") == 0 || strcmp(key, "resource_file") == 0 ||
	    strcmp(key, "interval_length") == 0 ||
	    strcmp(key, "icmp_max_rate") == 0 ||
	    strcmp(key, "service_check_timeout") == 0 ||
	    strcmp(key, "host_check_timeout") == 0 ||
	    strcmp(key, "discovery_interval") == 0 ||
	    strcmp(key, "discovered_service_template") == 0 ||
	    strcmp(key, "pharos_user") == 0 ||
	    strcmp(key, "pharos_group") == 0)) {
		conf_main_err(ctx, file, line, "'%s' has no value", key);
		return 0;
	}
	/* trap_rules=FILE: an object file like cfg_file (docs/traps.md) */
	if (strcmp(key, "cfg_file") == 0 || strcmp(key, "cfg_dir") == 0 ||
	    strcmp(key, "trap_rules") == 0)
		return conf_add_include(ctx, &m->inc, &m->ninc,
		    conf_abs_path(cfg, value), line, key[4] == 'd');
	if (strcmp(key, "resource_file") == 0)
		return conf_add_include(ctx, &m->res, &m->nres,
		    conf_abs_path(cfg, value), line, false);
	for (i = 0; i < sizeof(conf_path_keys) / sizeof(conf_path_keys[0]);
	    i++) {
		if (strcmp(key, conf_path_keys[i].name) != 0)
			continue;
		if (*value == '\0') {
			conf_main_err(ctx, file, line, "'%s' has no value",
			    key);
			return 0;
		}
		return conf_set_str(ctx,
		    (char **)((char *)cfg + conf_path_keys[i].off),
		    conf_abs_path(cfg, value), key, line);
	}
	if (strcmp(key, "rrdcached_address") == 0) {
		if (*value == '\0') {
			conf_main_err(ctx, file, line, "'%s' has no value",
			    key);
			return 0;
		}
		return conf_set_str(ctx, &cfg->rrdcached_address,
		    strdup(value), key, line);
	}
	if (strcmp(key, "pharos_user") == 0)
		return conf_set_str(ctx, &cfg->pharos_user, strdup(value), key,
		    line);
	if (strcmp(key, "pharos_group") == 0)
		return conf_set_str(ctx, &cfg->pharos_group, strdup(value), key,
		    line);
	if (strcmp(key, "monitor_host_name") == 0)
		return conf_set_str(ctx, &cfg->monitor_host_name, strdup(value),
		    key, line);
	if (strcmp(key, "global_host_event_handler") == 0)
		return conf_set_str(ctx, &cfg->global_host_event_handler,
		    strdup(value), key, line);
	if (strcmp(key, "global_service_event_handler") == 0)
		return conf_set_str(ctx, &cfg->global_service_event_handler,
		    strdup(value), key, line);
	if (strcmp(key, "enable_event_handlers") == 0) {
		cfg->enable_event_handlers = strcmp(value, "0") != 0;
		return 0;
	}
	if (strcmp(key, "log_rotation_method") == 0) {
		enum logarch_method lm;

		if (logarch_method_parse(value, &lm) != 0)
			conf_main_err(ctx, file, line,
			    "invalid log_rotation_method '%.40s': expected n, h, d, w or m",
			    value);
		else
			cfg->log_rotation_method = (int)lm;
		return 0;
	}
	if (strcmp(key, "discovered_service_template") == 0)
		return conf_set_str(ctx, &cfg->discovered_service_template,
		    strdup(value), key, line);
	if (strcmp(key, "interval_length") == 0)
		conf_main_int(ctx, line, key, value, 3600, "whole seconds",
		    &cfg->interval_length);
	else if (strcmp(key, "icmp_max_rate") == 0)
		conf_main_int(ctx, line, key, value, CONF_MAX_ICMP_RATE,
		    "packets per second", &cfg->icmp_max_rate);
	else if (strcmp(key, "host_check_fallback") == 0) {
		if (strcmp(value, "arp") == 0)
			cfg->host_check_fallback = HOST_FALLBACK_ARP;
		else if (strcmp(value, "none") == 0)
			cfg->host_check_fallback = HOST_FALLBACK_NONE;
		else
			conf_main_err(ctx, file, line, "host_check_fallback "
			    "must be arp or none, not '%.40s'", value);
	}
	else if (strcmp(key, "service_check_timeout") == 0)
		conf_main_int(ctx, line, key, value, 86400, "seconds",
		    &cfg->service_check_timeout);
	else if (strcmp(key, "host_check_timeout") == 0)
		conf_main_int(ctx, line, key, value, 86400, "seconds",
		    &cfg->host_check_timeout);
	else if (strcmp(key, "retention_update_interval") == 0)
		conf_main_int(ctx, line, key, value, 1440, "minutes",
		    &cfg->retention_update_interval);
	else if (strcmp(key, "discovery_interval") == 0)
		conf_main_int(ctx, line, key, value, 30 * 86400, "seconds",
		    &cfg->discovery_interval);
	else
		conf_main_err(ctx, file, line,
		    "unknown key '%.60s' in main config file", key);
	return 0;
}

static int
conf_read_main(struct conf_ctx *ctx, struct conf_main *m)
{
	struct config *cfg = ctx->cfg;
	char *buf, *cur, *end, *s, *key, *value;
	size_t len;
	int rc, lineno = 0;
	bool nul;

	rc = conf_slurp(cfg->main_file, CONF_MAX_MAIN_SIZE, &buf, &len, NULL);
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0) {
		conf_main_err(ctx, cfg->main_file, 0,
		    "cannot read main config file: %s", conf_slurp_error(rc));
		ctx->priv->main_unreadable = true;
		return 0;
	}
	cur = buf;
	end = buf + len;
	while (rc == 0 &&
	    (s = conf_next_line(&cur, end, &lineno, &nul)) != NULL) {
		if (nul)
			conf_main_err(ctx, cfg->main_file, lineno,
			    "binary data (NUL byte) in line");
		else if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		else if (!conf_split_kv(s, &key, &value))
			conf_main_err(ctx, cfg->main_file, lineno,
			    "expected key=value, got '%.40s'", s);
		else
			rc = conf_main_key(ctx, m, lineno, key, value);
	}
	free(buf);
	return rc;
}

/* $USER1$=value lines. */
static int
conf_read_resource(struct conf_ctx *ctx, const struct conf_include *r)
{
	struct config *cfg = ctx->cfg;
	char *buf, *cur, *end, *s, *key, *value;
	const char *file;
	size_t len, klen;
	long n;
	int rc, lineno = 0;
	bool nul;

	rc = conf_slurp(r->path, CONF_MAX_MAIN_SIZE, &buf, &len, NULL);
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0) {
		conf_main_err(ctx, cfg->main_file, r->line,
		    "cannot read resource file '%s': %s", r->path,
		    conf_slurp_error(rc));
		return 0;
	}
	if ((file = conf_pool_file(ctx, r->path)) == NULL) {
		free(buf);
		return -ENOMEM;
	}
	cur = buf;
	end = buf + len;
	while ((s = conf_next_line(&cur, end, &lineno, &nul)) != NULL) {
		if (nul) {
			conf_main_err(ctx, file, lineno,
			    "binary data (NUL byte) in line");
			continue;
		}
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (!conf_split_kv(s, &key, &value)) {
			conf_main_err(ctx, file, lineno,
			    "expected $USERn$=value, got '%.40s'", s);
			continue;
		}
		klen = strlen(key);
		n = 0;
		if (klen > 6 && strncmp(key, "$USER", 5) == 0 &&
		    key[klen - 1] == '$' && key[5] != '0') {
			key[klen - 1] = '\0';
			if (strnum_long(key + 5, 1, CONF_MAX_USER_MACROS,
			    &n) != 0)
				n = 0;
			key[klen - 1] = '$';
		}
		if (n < 1 || n > CONF_MAX_USER_MACROS) {
			conf_main_err(ctx, file, lineno,
			    "invalid macro name '%.40s' (expected $USER1$ to $USER%d$)",
			    key, CONF_MAX_USER_MACROS);
			continue;
		}
		free(cfg->user_macros[n - 1]);
		if ((cfg->user_macros[n - 1] = strdup(value)) == NULL) {
			free(buf);
			return -ENOMEM;
		}
	}
	free(buf);
	return 0;
}

/* Warn once per $USERn$ that a command line uses but no resource file
 * sets. */
static void
conf_check_user_macros(struct conf_ctx *ctx)
{
	const struct objects *o = &ctx->cfg->objects;
	bool warned[CONF_MAX_USER_MACROS] = { false };
	const char *p;
	char *end;
	size_t i;
	long n;

	for (i = 0; i < o->ncommands; i++) {
		if (o->commands[i]->line == NULL)
			continue;
		for (p = o->commands[i]->line;
		    (p = strstr(p, "$USER")) != NULL; p += 5) {
			if (p[5] < '1' || p[5] > '9')
				continue;
			n = strtol(p + 5, &end, 10);
			if (*end != '$' || n < 1 || n > CONF_MAX_USER_MACROS ||
			    ctx->cfg->user_macros[n - 1] != NULL ||
			    warned[n - 1])
				continue;
			warned[n - 1] = true;
			conf_msg(ctx, CONF_WARNING, o->commands[i]->loc.file,
			    o->commands[i]->loc.line,
			    "command '%s' uses $USER%ld$, which no resource_file sets",
			    o->commands[i]->name, n);
		}
	}
}

/* main_file and base_dir from the path given. */
static int
conf_set_main_path(struct config *cfg, const char *path)
{
	char cwd[PATH_MAX], *slash;
	size_t len;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/')
		cfg->main_file = strdup(path);
	else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			snprintf(cwd, sizeof(cwd), ".");
		len = strlen(cwd) + strlen(path) + 2;
		if ((cfg->main_file = malloc(len)) != NULL)
			snprintf(cfg->main_file, len, "%s/%s", cwd, path);
	}
	if (cfg->main_file == NULL ||
	    (cfg->base_dir = strdup(cfg->main_file)) == NULL)
		return -ENOMEM;
	slash = strrchr(cfg->base_dir, '/');
	if (slash == cfg->base_dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return 0;
}

static void
conf_ctx_free(struct conf_ctx *ctx, struct conf_main *m)
{
	size_t i;

	for (i = 0; i < ctx->ndefs; i++)
		conf_def_free(ctx->defs[i]);
	free(ctx->defs);
	free(ctx->seen);
	for (i = 0; i < ctx->nstrs; i++)
		free(ctx->strs[i]);
	free(ctx->strs);
	conf_topology_free(ctx);
	for (i = 0; i < m->ninc; i++)
		free(m->inc[i].path);
	free(m->inc);
	for (i = 0; i < m->nres; i++)
		free(m->res[i].path);
	free(m->res);
}

struct conf_reading {
	struct conf_ctx *ctx;
	struct conf_main *m;
	int rc;
};

/* Parse the object files into raw definitions and apply templates. */
static void *
conf_read_objects_run(void *arg)
{
	struct conf_reading *r = arg;
	struct conf_ctx *ctx = r->ctx;
	struct conf_main *m = r->m;
	size_t i, n;

	r->rc = 0;
	for (i = 0; i < m->ninc && !ctx->oom; i++) {
		r->rc = m->inc[i].dir ?
		    conf_parse_dir(ctx, m->inc[i].path, ctx->cfg->main_file,
		    m->inc[i].line) :
		    conf_parse_file(ctx, m->inc[i].path, ctx->cfg->main_file,
		    m->inc[i].line);
		if (r->rc != 0)
			return NULL;
	}
	conf_files_note(ctx); /* before the text made from the cache */
	if (!ctx->priv->main_unreadable && m->ninc == 0)
		conf_main_err(ctx, ctx->cfg->main_file, 0,
		    "no object config files: add cfg_file or cfg_dir lines");
	ctx->priv->check_msgs = ctx->cfg->nmsgs;
	if (ctx->priv->main_unreadable)
		return NULL;
	n = ctx->ndefs;
	if ((r->rc = conf_inherit(ctx, 0)) == 0 &&
	    (r->rc = conf_discovered(ctx)) == 0 &&
	    (r->rc = conf_monitor(ctx)) == 0 &&
	    (r->rc = conf_remote_monitor(ctx)) == 0)
		r->rc = conf_inherit(ctx, n);
	return NULL;
}

/*
 * The raw definitions are many small allocations that all die at the end of
 * loading, while the resolved objects live for months. Made on one heap
 * they interleave, and the freed definitions leave the daemon's pages half
 * used for good (measured: 13 MB resident for 4.5 MB of objects at 10,000
 * hosts). So they are made on a short-lived thread of their own: glibc
 * gives it a separate arena, which empties completely once the definitions
 * are freed and is handed back by malloc_trim(). The thread is joined
 * before anything else happens; nothing runs concurrently.
 */
static int
conf_read_objects(struct conf_ctx *ctx, struct conf_main *m)
{
	struct conf_reading r = { ctx, m, 0 };
	pthread_t t;

	if (pthread_create(&t, NULL, conf_read_objects_run, &r) != 0)
		conf_read_objects_run(&r); /* same result, more fragmentation */
	else
		pthread_join(t, NULL);
	return r.rc;
}

static void
conf_spec_free(struct check_spec *spec)
{
	size_t i;

	if (spec == NULL)
		return;
	for (i = 0; i < spec->nargs; i++)
		free(spec->args[i]);
	free(spec->args);
	free(spec);
}

/* global_host_event_handler and global_service_event_handler ("cmd!args")
 * into specs; an unknown command is an error of the main file. */
static int
conf_global_spec(struct conf_ctx *ctx, const char *text, const char *key,
    struct check_spec **out)
{
	struct check_spec *spec;
	char name[512];
	int rc;

	if (text == NULL)
		return 0;
	if ((spec = calloc(1, sizeof(*spec))) == NULL)
		return -ENOMEM;
	if ((rc = objects_check_split(text, name, sizeof(name), spec)) ==
	    -ENOMEM) {
		conf_spec_free(spec);
		return rc;
	}
	spec->command = objects_command_find(&ctx->cfg->objects, name);
	if (spec->command == NULL || spec->command->line == NULL) {
		conf_main_err(ctx, ctx->cfg->main_file, 0,
		    "%s: unknown command '%s'", key, name);
		conf_spec_free(spec);
		return 0;
	}
	*out = spec;
	return 0;
}

static int
conf_global_handlers(struct conf_ctx *ctx)
{
	int rc = conf_global_spec(ctx, ctx->cfg->global_host_event_handler,
	    "global_host_event_handler", &ctx->cfg->global_host_handler);

	return rc != 0 ? rc : conf_global_spec(ctx,
	    ctx->cfg->global_service_event_handler,
	    "global_service_event_handler", &ctx->cfg->global_service_handler);
}

int
conf_load(const char *path, struct config **out)
{
	return conf_load_flags(path, 0, out);
}

int
conf_load_flags(const char *path, unsigned flags, struct config **out)
{
	struct conf_ctx ctx = { 0 };
	struct conf_main m = { 0 };
	struct config *cfg;
	size_t i;
	int rc = -ENOMEM;

	*out = NULL;
	ctx.flags = flags;
	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return -ENOMEM;
	ctx.cfg = cfg;
	cfg->interval_length = 60;
	cfg->icmp_max_rate = CONF_DEFAULT_ICMP_RATE;
	cfg->service_check_timeout = 60;
	cfg->host_check_timeout = 30;
	cfg->discovery_interval = CONF_DEFAULT_DISCOVERY_INTERVAL;
	cfg->log_rotation_method = LOGARCH_DAILY;
	cfg->retention_update_interval = 60;
	cfg->enable_event_handlers = true;
	conf_notify_defaults(cfg);
	if ((ctx.priv = calloc(1, sizeof(*ctx.priv))) == NULL)
		goto fail;
	cfg->objects.priv = ctx.priv;
	if (conf_set_main_path(cfg, path) != 0)
		goto fail;
	if ((rc = conf_read_main(&ctx, &m)) != 0)
		goto fail;
	rc = -ENOMEM;
	if ((cfg->pharos_user == NULL &&
	    (cfg->pharos_user = strdup("pharos")) == NULL) ||
	    (cfg->pharos_group == NULL &&
	    (cfg->pharos_group = strdup("pharos")) == NULL))
		goto fail;
	for (i = 0; i < m.nres; i++) {
		if ((rc = conf_read_resource(&ctx, &m.res[i])) != 0)
			goto fail;
		free(cfg->resource_file);
		cfg->resource_file = m.res[i].path;
		m.res[i].path = NULL;
	}
	if ((rc = conf_read_objects(&ctx, &m)) != 0)
		goto fail;
	if (!ctx.priv->main_unreadable) {
		if ((rc = conf_resolve(&ctx)) != 0)
			goto fail;
		conf_check_user_macros(&ctx);
		if ((rc = conf_global_handlers(&ctx)) != 0 ||
		    (rc = conf_remote_resolve(&ctx)) != 0)
			goto fail;
		if ((rc = conf_trap_finish(&ctx)) != 0)
			goto fail;
	}
	if (ctx.priv->nhidden > 0) {
		conf_msg(&ctx, CONF_WARNING, NULL, 0,
		    "%zu more problems not shown (at most %d are listed)",
		    ctx.priv->nhidden, CONF_MAX_MSGS);
		cfg->nwarnings--; /* a note, not a problem of its own */
	}
	if (ctx.oom) {
		rc = -ENOMEM;
		goto fail;
	}
	conf_ctx_free(&ctx, &m);
	*out = cfg;
	return 0;
fail:
	conf_ctx_free(&ctx, &m);
	conf_free(cfg);
	return rc;
}

void
conf_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->main_file);
	free(cfg->base_dir);
	free(cfg->log_file);
	free(cfg->query_socket);
	free(cfg->cgi_config_file);
	free(cfg->command_file);
	free(cfg->state_retention_file);
	free(cfg->resource_file);
	free(cfg->rrd_dir);
	free(cfg->rrdcached_address);
	free(cfg->gearman_servers);
	free(cfg->poller_key_file);
	free(cfg->gearman_result_queue);
	conf_files_free(cfg);
	free(cfg->discovery_cache_file);
	free(cfg->topology_file);
	free(cfg->log_archive_path);
	free(cfg->global_host_event_handler);
	free(cfg->monitor_host_name);
	free(cfg->global_service_event_handler);
	conf_spec_free(cfg->global_host_handler);
	conf_spec_free(cfg->global_service_handler);
	free(cfg->profile_dir);
	free(cfg->discovered_service_template);
	free(cfg->pharos_user);
	free(cfg->pharos_group);
	conf_trap_free(cfg->trap);
	for (i = 0; i < CONF_MAX_USER_MACROS; i++)
		free(cfg->user_macros[i]);
	objects_free(&cfg->objects);
	for (i = 0; i < cfg->nmsgs; i++) {
		free(cfg->msgs[i].file);
		free(cfg->msgs[i].text);
	}
	free(cfg->msgs);
	free(cfg);
}
