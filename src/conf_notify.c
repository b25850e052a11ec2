/*
 * conf_notify: the loader's part for notifications. From the inherited
 * definitions it fills, per contact, the notification periods, options,
 * commands and addresses, and per host and service, struct obj_opts
 * (notification options and timing, periods, event handler, flapping and
 * freshness settings). It also reads the main file keys that switch
 * notifications and flap detection. Escalations and dependencies, which
 * need every object, are conf_depend.c's.
 *
 * Defaults are Nagios 4's, with one Pharos rule: a host notifies about
 * UNREACHABLE only when its notification_options ask for 'u' (the default
 * is d,r,f,s). Services take their host's notification_interval,
 * notification_period and check_period when they set none (Nagios'
 * implied inheritance). Contacts without options get all of them.
 *
 * References to unknown objects are errors at the definition's "define"
 * line, reported once per definition; the object is built without them.
 */
#include "conf_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"

#define ERR(d, ...) \
	conf_msg(ctx, CONF_ERROR, (d)->file, (d)->line, __VA_ARGS__)
#define ROOM(arr, n) CONF_ROOM(&ctx->oom, arr, n)

/* Nagios' default notification_interval, in interval units. */
#define CN_DEFAULT_INTERVAL "30"
/* Pharos' host default: no UNREACHABLE notifications unless asked. */
#define CN_HOST_DEFAULT (OBJ_OPT_HOST_ALL & ~OBJ_OPT_STATE(HOST_UNREACHABLE))
#define CN_HOST_STATES (OBJ_OPT_STATE(HOST_UP) | OBJ_OPT_STATE(HOST_DOWN) | \
	OBJ_OPT_STATE(HOST_UNREACHABLE))
#define CN_SVC_STATES (OBJ_OPT_STATE(SERVICE_OK) |                       \
	OBJ_OPT_STATE(SERVICE_WARNING) | OBJ_OPT_STATE(SERVICE_CRITICAL) |   \
	OBJ_OPT_STATE(SERVICE_UNKNOWN))

/* ---- main file keys ----------------------------------------------------- */

void
conf_notify_defaults(struct config *cfg)
{
	cfg->enable_notifications = true;
	cfg->enable_flap_detection = true;
	cfg->low_host_flap_threshold = cfg->low_service_flap_threshold = 5.0;
	cfg->high_host_flap_threshold = cfg->high_service_flap_threshold =
	    20.0;
}

/* A percentage: a plain decimal number from 0 to 100. */
static int
cn_percent(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double d;

	if (*p == '\0')
		return -EINVAL;
	for (; *p != '\0'; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0 || d > 100)
		return -EINVAL;
	*out = d;
	return 0;
}

static void __attribute__((format(printf, 3, 4)))
cn_main_err(struct conf_ctx *ctx, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(ctx, CONF_ERROR, ctx->cfg->main_file, line, fmt, ap);
	va_end(ap);
	ctx->priv->main_errors++;
}

bool
conf_notify_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value)
{
	static const struct {
		const char *name;
		size_t off;
	} pct[] = {
		{ "low_host_flap_threshold",
		    offsetof(struct config, low_host_flap_threshold) },
		{ "high_host_flap_threshold",
		    offsetof(struct config, high_host_flap_threshold) },
		{ "low_service_flap_threshold",
		    offsetof(struct config, low_service_flap_threshold) },
		{ "high_service_flap_threshold",
		    offsetof(struct config, high_service_flap_threshold) },
	};
	struct config *cfg = ctx->cfg;
	bool *flag = NULL;
	size_t i;

	if (strcmp(key, "enable_notifications") == 0)
		flag = &cfg->enable_notifications;
	else if (strcmp(key, "enable_flap_detection") == 0)
		flag = &cfg->enable_flap_detection;
	if (flag != NULL) {
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			cn_main_err(ctx, line,
			    "invalid %s '%.40s': expected 0 or 1", key, value);
		else
			*flag = value[0] == '1';
		return true;
	}
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		if (strcmp(key, pct[i].name) != 0)
			continue;
		if (cn_percent(value, (double *)(void *)((char *)cfg +
		    pct[i].off)) != 0)
			cn_main_err(ctx, line, "invalid %s '%.40s': expected "
			    "a percentage, 0 to 100", key, value);
		return true;
	}
	return false;
}

/* ---- values of one definition ------------------------------------------ */

bool
conf_bool_or(const struct conf_def *d, const char *key, bool dflt)
{
	const char *v = conf_rval(d, key);

	return v == NULL ? dflt : strcmp(v, "1") == 0;
}

unsigned
conf_opts_or(const struct conf_def *d, const char *key,
    enum objects_optkind k, unsigned dflt)
{
	const char *v = conf_rval(d, key);

	return v == NULL ? dflt : objects_opts_parse(v, k);
}

int64_t
conf_ivl_or(struct conf_ctx *ctx, const struct conf_def *d,
    const char *key, const char *dflt)
{
	return conf_interval_ns(conf_rval_or(d, key, dflt),
	    ctx->cfg->interval_length);
}

struct timeperiod *
conf_period(struct conf_ctx *ctx, const struct conf_def *d,
    const char *key, bool quiet)
{
	const char *v = conf_rval(d, key);
	struct timeperiod *tp;

	if (v == NULL)
		return NULL;
	tp = objects_idx_get(&ctx->priv->timeperiods, v, NULL);
	if (tp == NULL && !quiet)
		ERR(d, "unknown timeperiod '%s' in %s of %s '%s'", v, key,
		    objects_type_name(d->type), conf_def_label(d));
	return tp;
}

/* One command reference v ("name!arg1!arg2") of key into spec, whose
 * arguments it then owns. Returns 0, 1 when the command is unknown or a
 * built-in check (reported unless quiet; spec left empty) or -ENOMEM. */
static int
cn_spec(struct conf_ctx *ctx, const struct conf_def *d, const char *key,
    const char *v, struct check_spec *spec, bool quiet)
{
	char name[512];
	int rc;

	memset(spec, 0, sizeof(*spec));
	if ((rc = objects_check_split(v, name, sizeof(name), spec)) ==
	    -ENOMEM) {
		objects_spec_args_free(spec);
		ctx->oom = true;
		return rc;
	}
	if (rc == -E2BIG && !quiet)
		ERR(d, "more than %d arguments in %s of %s '%s'",
		    CONF_MAX_ARGS, key, objects_type_name(d->type),
		    conf_def_label(d));
	spec->command = objects_idx_get(&ctx->priv->commands, name, NULL);
	if (spec->command != NULL && spec->command->builtin == BUILTIN_NONE)
		return 0;
	if (quiet)
		;
	else if (spec->command == NULL)
		ERR(d, "unknown command '%s' in %s of %s '%s'", name, key,
		    objects_type_name(d->type), conf_def_label(d));
	else
		ERR(d, "'%s' is a built-in check and cannot be used in %s "
		    "of %s '%s'", name, key, objects_type_name(d->type),
		    conf_def_label(d));
	objects_spec_args_free(spec);
	spec->command = NULL;
	return 1;
}

/* The commands of a list directive, in order, without unknown ones. */
static int
cn_spec_list(struct conf_ctx *ctx, const struct conf_def *d, const char *key,
    struct check_spec **out, size_t *n)
{
	struct conf_list l;
	size_t i;
	int rc = 0;

	if (conf_list(ctx, conf_rval(d, key), &l) != 0)
		return -ENOMEM;
	for (i = 0; i < l.n && rc >= 0; i++) {
		if (!ROOM(*out, *n)) {
			rc = -ENOMEM;
			break;
		}
		if ((rc = cn_spec(ctx, d, key, l.items[i], &(*out)[*n],
		    false)) == 0)
			(*n)++;
	}
	conf_list_free(&l);
	return rc < 0 ? rc : 0;
}

/* The event handler of d into op (NULL when unset or unknown). */
static int
cn_event_handler(struct conf_ctx *ctx, const struct conf_def *d,
    struct obj_opts *op, bool quiet)
{
	const char *v = conf_rval(d, "event_handler");
	int rc;

	if (v == NULL)
		return 0;
	if ((op->event_handler = calloc(1, sizeof(*op->event_handler))) ==
	    NULL) {
		ctx->oom = true;
		return -ENOMEM;
	}
	if ((rc = cn_spec(ctx, d, "event_handler", v, op->event_handler,
	    quiet)) != 0) {
		free(op->event_handler);
		op->event_handler = NULL;
	}
	return rc < 0 ? rc : 0;
}

/* ---- contacts, hosts and services ---------------------------------------- */

int
conf_notify_contact(struct conf_ctx *ctx, const struct conf_def *d,
    struct contact *c)
{
	char key[16];
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(c->address) / sizeof(c->address[0]); i++) {
		snprintf(key, sizeof(key), "address%zu", i + 1);
		if ((v = conf_rval(d, key)) != NULL)
			c->address[i] = conf_strdup(ctx, v);
	}
	c->host_notification_period = conf_period(ctx, d,
	    "host_notification_period", false);
	c->service_notification_period = conf_period(ctx, d,
	    "service_notification_period", false);
	c->host_notification_options = conf_opts_or(d,
	    "host_notification_options", OPTK_HOST, OBJ_OPT_HOST_ALL);
	c->service_notification_options = conf_opts_or(d,
	    "service_notification_options", OPTK_SERVICE, OBJ_OPT_SERVICE_ALL);
	c->host_notifications_enabled = conf_bool_or(d,
	    "host_notifications_enabled", true);
	c->service_notifications_enabled = conf_bool_or(d,
	    "service_notifications_enabled", true);
	c->can_submit_commands = conf_bool_or(d, "can_submit_commands", true);
	if (ctx->oom || cn_spec_list(ctx, d, "host_notification_commands",
	    &c->host_notification_commands,
	    &c->nhost_notification_commands) != 0 ||
	    cn_spec_list(ctx, d, "service_notification_commands",
	    &c->service_notification_commands,
	    &c->nservice_notification_commands) != 0)
		return -ENOMEM;
	return 0;
}

/* What hosts and services share. */
static int
cn_opts_common(struct conf_ctx *ctx, const struct conf_def *d,
    struct obj_opts *op, bool host, bool quiet)
{
	const char *v;
	long l;

	op->notification_options = conf_opts_or(d, "notification_options",
	    host ? OPTK_HOST : OPTK_SERVICE, host ? CN_HOST_DEFAULT :
	    OBJ_OPT_SERVICE_ALL);
	op->first_notification_delay_ns = conf_ivl_or(ctx, d,
	    "first_notification_delay", "0");
	op->notifications_enabled = conf_bool_or(d, "notifications_enabled",
	    true);
	op->event_handler_enabled = conf_bool_or(d, "event_handler_enabled",
	    true);
	op->flap_detection_enabled = conf_bool_or(d, "flap_detection_enabled",
	    true);
	if ((v = conf_rval(d, "low_flap_threshold")) != NULL)
		op->low_flap_threshold = strtod(v, NULL);
	if ((v = conf_rval(d, "high_flap_threshold")) != NULL)
		op->high_flap_threshold = strtod(v, NULL);
	op->flap_detection_options = conf_opts_or(d, "flap_detection_options",
	    host ? OPTK_HOST_STATES : OPTK_SVC_STATES, host ? CN_HOST_STATES :
	    CN_SVC_STATES) & (host ? CN_HOST_STATES : CN_SVC_STATES);
	op->check_freshness = conf_bool_or(d, "check_freshness", false);
	if ((v = conf_rval(d, "freshness_threshold")) != NULL &&
	    strnum_long(v, 0, INT32_MAX, &l) == 0)
		op->freshness_threshold = (int)l;
	op->passive_checks_enabled = conf_bool_or(d, "passive_checks_enabled",
	    true);
	return cn_event_handler(ctx, d, op, quiet);
}

int
conf_notify_host(struct conf_ctx *ctx, const struct conf_def *d,
    struct host *h)
{
	struct obj_opts *op = &h->opts;

	op->notification_interval_ns = conf_ivl_or(ctx, d,
	    "notification_interval", CN_DEFAULT_INTERVAL);
	op->notification_period = conf_period(ctx, d, "notification_period",
	    false);
	op->check_period = conf_period(ctx, d, "check_period", false);
	return cn_opts_common(ctx, d, op, true, false);
}

void
conf_notify_service_refs(struct conf_ctx *ctx, const struct conf_def *d)
{
	struct check_spec spec;

	(void)conf_period(ctx, d, "notification_period", false);
	(void)conf_period(ctx, d, "check_period", false);
	if (conf_rval(d, "event_handler") != NULL &&
	    cn_spec(ctx, d, "event_handler", conf_rval(d, "event_handler"),
	    &spec, false) == 0)
		objects_spec_args_free(&spec);
}

int
conf_notify_service(struct conf_ctx *ctx, const struct conf_def *d,
    struct service *s)
{
	struct obj_opts *op = &s->opts;
	const struct obj_opts *hop = &s->host->opts;

	op->notification_interval_ns = conf_rget(d, "notification_interval") ?
	    conf_ivl_or(ctx, d, "notification_interval", CN_DEFAULT_INTERVAL) :
	    hop->notification_interval_ns;
	op->notification_period = conf_rget(d, "notification_period") ?
	    conf_period(ctx, d, "notification_period", true) :
	    hop->notification_period;
	op->check_period = conf_rget(d, "check_period") ?
	    conf_period(ctx, d, "check_period", true) : hop->check_period;
	return cn_opts_common(ctx, d, op, false, true);
}
