/*
 * daemon_authz: per-user visibility on the query socket (daemon_authz.h)
 * and the log op.
 */
#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "annot.h"
#include "conf.h"
#include "daemon_authz.h"
#include "daemon_int.h"
#include "extcmd.h"
#include "logsearch.h"
#include "objects.h"
#include "strnum.h"

#define DAEMON_LOG_DEFAULT 200
#define DAEMON_LOG_MAX 5000
#define DAEMON_LOG_TYPES 16

int
daemon_view_init(const struct daemon *d, json_t *req, struct daemon_view *v,
    char *err, size_t errlen)
{
	json_t *u = json_object_get(req, "auth_user");
	char e[512];

	memset(v, 0, sizeof(*v));
	authz_cfg_init(&v->authz);
	v->d = d;
	if (u == NULL)
		return 0;
	if (!json_is_string(u) || json_string_length(u) == 0 ||
	    json_string_length(u) > 256 ||
	    strlen(json_string_value(u)) != json_string_length(u)) {
		snprintf(err, errlen, "'auth_user' must be a user name");
		return -1;
	}
	v->user = json_string_value(u);
	if (d->cfg->cgi_config_file != NULL &&
	    authz_cfg_load(d->cfg->cgi_config_file, &v->authz, e,
	    sizeof(e)) != 0) {
		/* Refuse rather than guess: the lists may grant or restrict. */
		snprintf(err, errlen, "cgi_config_file: %s", e);
		return -1;
	}
	return 0;
}

void
daemon_view_close(struct daemon_view *v)
{
	authz_cfg_free(&v->authz);
}

bool
daemon_view_host(const struct daemon_view *v, const struct host *h)
{
	return v->user == NULL || authz_host_visible(&v->authz, v->user, h);
}

bool
daemon_view_service(const struct daemon_view *v, const struct service *s)
{
	return v->user == NULL ||
	    authz_service_visible(&v->authz, v->user, s);
}

bool
daemon_view_has(const struct daemon_view *v, enum authz_right r)
{
	return v->user == NULL || authz_has(&v->authz, r, v->user);
}

bool
daemon_view_names(const struct daemon_view *v, const char *host,
    const char *service)
{
	const struct objects *o = &v->d->cfg->objects;
	const struct host *h;
	const struct service *s;

	if (v->user == NULL)
		return true;
	if (host == NULL || (h = objects_host_find(o, host)) == NULL)
		return false;
	if (service == NULL)
		return daemon_view_host(v, h);
	s = objects_service_find(o, host, service);
	return s != NULL ? daemon_view_service(v, s) :
	    daemon_view_host(v, h);
}

/* --- commands ------------------------------------------------------------ */

static const void *
daemon_authz_find_host(const char *name, void *arg)
{
	const struct objects *o = arg;

	return objects_host_find(o, name);
}

static const void *
daemon_authz_find_service(const char *host, const char *desc, void *arg)
{
	const struct objects *o = arg;

	return objects_service_find(o, host, desc);
}

/* May the user command the object of one annotation (by names)? */
static bool
daemon_authz_annot(const struct daemon_view *v, const char *host,
    const char *service)
{
	const struct objects *o = &v->d->cfg->objects;
	const struct host *h = host != NULL ? objects_host_find(o, host) :
	    NULL;
	const struct service *s;

	if (h == NULL)
		return authz_has(&v->authz, AUTHZ_ALL_HOST_COMMANDS, v->user);
	if (service == NULL)
		return authz_host_command(&v->authz, o, v->user, h);
	s = objects_service_find(o, host, service);
	if (s == NULL)
		return authz_has(&v->authz, AUTHZ_ALL_SERVICE_COMMANDS,
		    v->user);
	return authz_service_command(&v->authz, o, v->user, s);
}

static int
daemon_authz_command(struct daemon *d, const struct daemon_view *v,
    json_t *req, char *err, size_t errlen)
{
	const struct objects *o = &d->cfg->objects;
	struct extcmd_lookup lk = { daemon_authz_find_host,
		daemon_authz_find_service, (void *)(uintptr_t)o };
	json_t *line = json_object_get(req, "line");
	const struct annot_downtime *w;
	const struct annot_comment *cm;
	struct extcmd *x = NULL;
	bool ok;
	int rc;

	if (!json_is_string(line))
		return 0; /* the op says what is wrong */
	rc = extcmd_parse(json_string_value(line), json_string_length(line),
	    0, &lk, &x, err, errlen);
	if (rc == -ENOENT) /* the same answer as for an object not seen */
		snprintf(err, errlen, "user '%.64s' may not send this command "
		    "for this object", v->user);
	if (rc != 0)
		return -1;
	switch (x->kind) {
	case EXTCMD_DEL_HOST_DOWNTIME:
	case EXTCMD_DEL_SVC_DOWNTIME:
		w = d->annot != NULL ? annot_downtime_find(d->annot, x->id) :
		    NULL;
		ok = w == NULL || daemon_authz_annot(v, w->host, w->service);
		break;
	case EXTCMD_DEL_HOST_COMMENT:
	case EXTCMD_DEL_SVC_COMMENT:
		cm = d->annot != NULL ? annot_comment_find(d->annot, x->id) :
		    NULL;
		ok = cm == NULL || daemon_authz_annot(v, cm->host,
		    cm->service);
		break;
	case EXTCMD_SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME:
	case EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME:
		/* reaches hosts behind this one, seen or not */
		ok = authz_has(&v->authz, AUTHZ_ALL_HOST_COMMANDS, v->user) &&
		    authz_host_command(&v->authz, o, v->user, x->host);
		break;
	case EXTCMD_ENABLE_NOTIFICATIONS:
	case EXTCMD_DISABLE_NOTIFICATIONS:
	case EXTCMD_START_EXECUTING_HOST_CHECKS:
	case EXTCMD_STOP_EXECUTING_HOST_CHECKS:
	case EXTCMD_START_EXECUTING_SVC_CHECKS:
	case EXTCMD_STOP_EXECUTING_SVC_CHECKS:
	case EXTCMD_ENABLE_EVENT_HANDLERS:
	case EXTCMD_DISABLE_EVENT_HANDLERS:
		/* program-wide: for administrators only */
		if (!authz_system_command(&v->authz, v->user)) {
			snprintf(err, errlen, "user '%.64s' may not send %s: "
			    "it needs authorized_for_system_commands",
			    v->user, x->name);
			extcmd_free(x);
			return -1;
		}
		ok = true;
		break;
	default:
		if (x->service != NULL)
			ok = authz_service_command(&v->authz, o, v->user,
			    x->service);
		else if (x->host != NULL)
			ok = authz_host_command(&v->authz, o, v->user,
			    x->host);
		else
			ok = authz_system_command(&v->authz, v->user);
	}
	if (!ok)
		snprintf(err, errlen, "user '%.64s' may not send this command "
		    "for this object", v->user);
	else if (x->author != NULL && strcmp(x->author, v->user) != 0) {
		snprintf(err, errlen, "the author of %s must be the user "
		    "'%.64s'", x->name, v->user);
		ok = false;
	}
	extcmd_free(x);
	return ok ? 0 : -1;
}

int
daemon_authz_check(struct daemon *d, const char *op, json_t *req, char *err,
    size_t errlen)
{
	struct daemon_view v;
	int rc = 0;

	if (json_object_get(req, "auth_user") == NULL)
		return 0;
	if (daemon_view_init(d, req, &v, err, errlen) != 0) {
		daemon_view_close(&v);
		return -1;
	}
	if (strcmp(op, "status") == 0 || strcmp(op, "log") == 0 ||
	    strcmp(op, "traps") == 0)
		rc = 0;
	else if (strcmp(op, "stats") == 0) {
		if (!daemon_view_has(&v, AUTHZ_SYSTEM_INFORMATION)) {
			snprintf(err, errlen, "user '%.64s' is not "
			    "authorized for system information", v.user);
			rc = -1;
		}
	} else if (strcmp(op, "reload") == 0) {
		if (!authz_system_command(&v.authz, v.user)) {
			snprintf(err, errlen, "user '%.64s' is not "
			    "authorized for system commands", v.user);
			rc = -1;
		}
	} else if (strcmp(op, "command") == 0)
		rc = daemon_authz_command(d, &v, req, err, errlen);
	else {
		snprintf(err, errlen, "op '%.64s' is not available for "
		    "auth_user requests", op);
		rc = -1;
	}
	daemon_view_close(&v);
	return rc;
}

int
daemon_authz_filter(struct daemon *d, const char *op, json_t *req,
    json_t *data, char *err, size_t errlen)
{
	struct daemon_view v;
	json_t *arr, *host;
	size_t i;

	if (json_object_get(req, "auth_user") == NULL ||
	    strcmp(op, "traps") != 0)
		return 0;
	arr = json_object_get(data, "traps");
	if (daemon_view_init(d, req, &v, err, errlen) != 0) {
		/* cgi.cfg went away since the check: show nothing */
		daemon_view_close(&v);
		json_array_clear(arr);
		json_object_del(data, "counters");
		return 0;
	}
	for (i = json_array_size(arr); i-- > 0;) {
		host = json_object_get(json_array_get(arr, i), "host");
		if (json_is_string(host) ? !daemon_view_names(&v,
		    json_string_value(host), NULL) :
		    !daemon_view_has(&v, AUTHZ_SYSTEM_INFORMATION))
			json_array_remove(arr, i);
	}
	if (!daemon_view_has(&v, AUTHZ_SYSTEM_INFORMATION))
		json_object_del(data, "counters");
	daemon_view_close(&v);
	return 0;
}

/* --- the log op ---------------------------------------------------------- */

static int
daemon_log_time(json_t *req, const char *key, int64_t *out, char *err,
    size_t errlen)
{
	json_t *t = json_object_get(req, key);

	if (t == NULL)
		return 0;
	if (!json_is_integer(t) || json_integer_value(t) < 0) {
		snprintf(err, errlen, "'%s' must be epoch seconds", key);
		return -1;
	}
	*out = (int64_t)json_integer_value(t);
	return 0;
}

static int
daemon_log_str(json_t *req, const char *key, const char **out, char *err,
    size_t errlen)
{
	json_t *s = json_object_get(req, key);

	*out = NULL;
	if (s == NULL)
		return 0;
	if (!json_is_string(s)) {
		snprintf(err, errlen, "'%s' must be a string", key);
		return -1;
	}
	*out = json_string_value(s);
	return 0;
}

/* One printed line as JSON, or NULL when the requester may not see it. */
static json_t *
daemon_log_line(const struct daemon_view *v, const char *line)
{
	char host[1024], svc[1024], type[64];
	const char *p, *colon;
	long when;
	int n;
	char num[24];
	size_t k;

	n = authz_log_subject(line, host, sizeof(host), svc, sizeof(svc));
	if (n == 0 ? !daemon_view_has(v, AUTHZ_SYSTEM_INFORMATION) :
	    !daemon_view_names(v, host, n == 2 ? svc : NULL))
		return NULL;
	p = strchr(line, ']');
	k = p != NULL ? (size_t)(p - line - 1) : 0;
	if (p == NULL || k == 0 || k >= sizeof(num))
		return NULL;
	memcpy(num, line + 1, k);
	num[k] = '\0';
	if (strnum_long(num, 0, LONG_MAX, &when) != 0)
		return NULL;
	p += 2;
	colon = strstr(p, ": ");
	if (colon == NULL || (size_t)(colon - p) >= sizeof(type)) {
		type[0] = '\0';
		colon = p - 2;
	} else {
		memcpy(type, p, (size_t)(colon - p));
		type[colon - p] = '\0';
	}
	return json_pack("{s:I, s:s, s:s, s:s?, s:s?}", "time",
	    (json_int_t)when, "type", type, "text", colon + 2, "host",
	    n > 0 ? host : NULL, "service", n == 2 ? svc : NULL);
}

int
daemon_op_log(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen)
{
	struct logsearch_query q = { .since = INT64_MIN, .until = INT64_MAX };
	const char *types[DAEMON_LOG_TYPES];
	struct logsearch_stats st;
	struct daemon_view v;
	json_t *jt, *lines = NULL, *e, *limit;
	char *buf = NULL, *line, *save = NULL, serr[256] = "";
	size_t len = 0, i, max = DAEMON_LOG_DEFAULT;
	FILE *m;
	int rc = -1;

	if (daemon_view_init(d, req, &v, err, errlen) != 0)
		goto out;
	if (daemon_log_time(req, "since", &q.since, err, errlen) != 0 ||
	    daemon_log_time(req, "until", &q.until, err, errlen) != 0 ||
	    daemon_log_str(req, "host", &q.host, err, errlen) != 0 ||
	    daemon_log_str(req, "service", &q.service, err, errlen) != 0)
		goto out;
	if ((limit = json_object_get(req, "limit")) != NULL) {
		if (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
		    json_integer_value(limit) > DAEMON_LOG_MAX) {
			snprintf(err, errlen, "'limit' must be 1 to %d",
			    DAEMON_LOG_MAX);
			goto out;
		}
		max = (size_t)json_integer_value(limit);
	}
	if ((jt = json_object_get(req, "types")) != NULL) {
		if (!json_is_array(jt) || json_array_size(jt) >
		    DAEMON_LOG_TYPES) {
			snprintf(err, errlen, "'types' must be a list of at "
			    "most %d strings", DAEMON_LOG_TYPES);
			goto out;
		}
		json_array_foreach(jt, i, e) {
			if (!json_is_string(e)) {
				snprintf(err, errlen, "'types' must be a "
				    "list of strings");
				goto out;
			}
			types[i] = json_string_value(e);
		}
		q.types = types;
		q.ntypes = json_array_size(jt);
	}
	if ((m = open_memstream(&buf, &len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	q.sanitize = true;
	if (daemon_view_has(&v, AUTHZ_ALL_SERVICES) &&
	    daemon_view_has(&v, AUTHZ_ALL_HOSTS) &&
	    daemon_view_has(&v, AUTHZ_SYSTEM_INFORMATION))
		q.limit = max; /* sees every line: no need to read them all */
	(void)!logsearch_run(d->cfg->log_file, d->archive_dir[0] != '\0' ?
	    d->archive_dir : NULL, &q, m, &st, serr, sizeof(serr));
	fclose(m);
	lines = json_array();
	for (line = strtok_r(buf, "\n", &save); line != NULL && lines != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		json_t *l = daemon_log_line(&v, line);

		if (l == NULL)
			continue;
		json_array_append_new(lines, l);
		if (json_array_size(lines) > max)
			json_array_remove(lines, 0);
	}
	*data = json_pack("{s:o, s:I, s:I, s:s}", "lines", lines,
	    "files", (json_int_t)st.files, "malformed",
	    (json_int_t)st.malformed, "error", serr);
	lines = NULL;
	if (*data == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	json_decref(lines);
	free(buf);
	daemon_view_close(&v);
	return rc;
}
