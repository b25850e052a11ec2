/*
 * jobwire_body: job and result bodies to and from JSON. Reading is
 * strict: an authentic payload from a peer with a different version or a
 * bug must not reach a prober half-filled, so every field is checked for
 * type and range and the first bad one is named in err.
 */
#include "jobwire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOBWIRE_STR_MAX 4096
#define JOBWIRE_OUT_MAX (64 * 1024)

static void
jobwire_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
jobwire_job_clear(struct jobwire_job *job)
{
	free(job->poller);
	free(job->result_queue);
	free(job->host);
	free(job->service);
	free(job->kind);
	free(job->address);
	jobwire_strv_free(job->args, job->nargs);
	jobwire_strv_free(job->argv, job->nargv);
	memset(job, 0, sizeof(*job));
}

void
jobwire_result_clear(struct jobwire_result *res)
{
	free(res->worker);
	free(res->output);
	free(res->long_output);
	free(res->perfdata);
	memset(res, 0, sizeof(*res));
}

static json_t *
jobwire_strv_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* Set key to a string when s is not NULL; false when out of memory. */
static bool
jobwire_set_str(json_t *o, const char *key, const char *s)
{
	return s == NULL || json_object_set_new(o, key, json_string(s)) == 0;
}

static json_t *
jobwire_snmp_json(const struct snmp_target *t)
{
	return json_pack("{s:i, s:i, s:s, s:s, s:i, s:i, s:s, s:i, s:s, s:s, "
	    "s:I, s:i, s:i}", "port", (int)t->port, "version", (int)t->version,
	    "community", t->community, "user", t->user, "seclevel",
	    (int)t->seclevel, "auth", (int)t->auth, "auth_pass", t->auth_pass,
	    "priv", (int)t->priv, "priv_pass", t->priv_pass, "engine_id",
	    t->engine_id, "timeout_ns", (json_int_t)t->timeout_ns, "retries",
	    t->retries, "bulk_reps", t->bulk_reps);
}

json_t *
jobwire_job_json(const struct jobwire_job *job)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I}",
	    "poller", job->poller, "result_queue", job->result_queue, "host",
	    job->host, "kind", job->kind, "address", job->address,
	    "host_check", (int)job->host_check, "timeout_ms",
	    (json_int_t)job->timeout_ms);

	if (o == NULL)
		return NULL;
	if (!jobwire_set_str(o, "service", job->service) ||
	    json_object_set_new(o, "args",
	    jobwire_strv_json(job->args, job->nargs)) != 0 ||
	    json_object_set_new(o, "argv",
	    jobwire_strv_json(job->argv, job->nargv)) != 0 ||
	    (job->has_snmp && json_object_set_new(o, "snmp",
	    jobwire_snmp_json(&job->snmp)) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* A string field: required or not, at most max bytes, no NUL. 0, or -1
 * with err filled. */
static int
jobwire_get_str(json_t *o, const char *key, bool required, size_t max,
    char **out, bool *oom, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "field '%s' is missing", key);
		return -1;
	}
	if (!json_is_string(v) || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, errlen, "field '%s' is not a string of at most "
		    "%zu bytes", key, max);
		return -1;
	}
	if ((*out = strdup(json_string_value(v))) == NULL) {
		*oom = true;
		return -1;
	}
	return 0;
}

static int
jobwire_get_int(json_t *o, const char *key, int64_t min, int64_t max,
    int64_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max) {
		snprintf(err, errlen, "field '%s' is not an integer in "
		    "%lld..%lld", key, (long long)min, (long long)max);
		return -1;
	}
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int
jobwire_get_strv(json_t *o, const char *key, char ***out, size_t *n,
    bool *oom, char *err, size_t errlen)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) > JOBWIRE_MAX_ARGS) {
		snprintf(err, errlen, "field '%s' is not an array of at most "
		    "%d strings", key, JOBWIRE_MAX_ARGS);
		return -1;
	}
	if (json_array_size(a) == 0)
		return 0;
	if ((*out = calloc(json_array_size(a), sizeof(char *))) == NULL) {
		*oom = true;
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) ||
		    json_string_length(v) > JOBWIRE_STR_MAX ||
		    strlen(json_string_value(v)) != json_string_length(v)) {
			snprintf(err, errlen, "field '%s' item %zu is not a "
			    "string", key, i);
			return -1;
		}
		if (((*out)[i] = strdup(json_string_value(v))) == NULL) {
			*oom = true;
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int
jobwire_get_fixed(json_t *o, const char *key, char *dst, size_t size,
    char *err, size_t errlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v) || json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, errlen, "field 'snmp.%s' is not a string under "
		    "%zu bytes", key, size);
		return -1;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
jobwire_snmp_read(json_t *o, struct snmp_target *t, char *err,
    size_t errlen)
{
	int64_t port, ver, sl, auth, priv, tmo, retries, reps;

	memset(t, 0, sizeof(*t));
	if (!json_is_object(o)) {
		snprintf(err, errlen, "field 'snmp' is not an object");
		return -1;
	}
	if (jobwire_get_int(o, "port", 0, 65535, &port, err, errlen) != 0 ||
	    jobwire_get_int(o, "version", SNMP_V1, SNMP_V3, &ver, err,
	    errlen) != 0 ||
	    jobwire_get_int(o, "seclevel", 0, SNMP_AUTHPRIV, &sl, err,
	    errlen) != 0 ||
	    jobwire_get_int(o, "auth", 0, SNMP_AUTH_SHA256, &auth, err,
	    errlen) != 0 ||
	    jobwire_get_int(o, "priv", 0, SNMP_PRIV_AES, &priv, err,
	    errlen) != 0 ||
	    jobwire_get_int(o, "timeout_ns", 0, INT64_C(600000000000), &tmo,
	    err, errlen) != 0 ||
	    jobwire_get_int(o, "retries", 0, 20, &retries, err, errlen) != 0 ||
	    jobwire_get_int(o, "bulk_reps", 0, 1000, &reps, err, errlen) != 0 ||
	    jobwire_get_fixed(o, "community", t->community,
	    sizeof(t->community), err, errlen) != 0 ||
	    jobwire_get_fixed(o, "user", t->user, sizeof(t->user), err,
	    errlen) != 0 ||
	    jobwire_get_fixed(o, "auth_pass", t->auth_pass,
	    sizeof(t->auth_pass), err, errlen) != 0 ||
	    jobwire_get_fixed(o, "priv_pass", t->priv_pass,
	    sizeof(t->priv_pass), err, errlen) != 0 ||
	    jobwire_get_fixed(o, "engine_id", t->engine_id,
	    sizeof(t->engine_id), err, errlen) != 0)
		return -1;
	t->port = (uint16_t)port;
	t->version = (enum snmp_version)ver;
	t->seclevel = (enum snmp_seclevel)sl;
	t->auth = (enum snmp_auth)auth;
	t->priv = (enum snmp_priv)priv;
	t->timeout_ns = tmo;
	t->retries = (int)retries;
	t->bulk_reps = (int)reps;
	return 0;
}

static bool
jobwire_kind_ok(const char *k)
{
	return strcmp(k, "icmp") == 0 || strcmp(k, "snmp") == 0 ||
	    strcmp(k, "snmp_if") == 0 || strcmp(k, "arp") == 0 ||
	    strcmp(k, "plugin") == 0;
}

int
jobwire_job_read(json_t *b, struct jobwire_job *job, char *err,
    size_t errlen)
{
	bool oom = false;
	json_t *hc, *snmp;
	int64_t tmo;

	memset(job, 0, sizeof(*job));
	if (jobwire_get_str(b, "poller", true, 256, &job->poller, &oom, err,
	    errlen) != 0 ||
	    jobwire_get_str(b, "result_queue", true, 256, &job->result_queue,
	    &oom, err, errlen) != 0 ||
	    jobwire_get_str(b, "host", true, 1024, &job->host, &oom, err,
	    errlen) != 0 ||
	    jobwire_get_str(b, "service", false, 1024, &job->service, &oom,
	    err, errlen) != 0 ||
	    jobwire_get_str(b, "kind", true, 32, &job->kind, &oom, err,
	    errlen) != 0 ||
	    jobwire_get_str(b, "address", true, 1024, &job->address, &oom,
	    err, errlen) != 0 ||
	    jobwire_get_strv(b, "args", &job->args, &job->nargs, &oom, err,
	    errlen) != 0 ||
	    jobwire_get_strv(b, "argv", &job->argv, &job->nargv, &oom, err,
	    errlen) != 0 ||
	    jobwire_get_int(b, "timeout_ms", 1, 3600 * 1000, &tmo, err,
	    errlen) != 0)
		goto fail;
	job->timeout_ms = tmo;
	if (!jobwire_kind_ok(job->kind)) {
		snprintf(err, errlen, "unknown check kind '%.32s'", job->kind);
		goto fail;
	}
	if (strcmp(job->kind, "plugin") == 0 &&
	    (job->nargv == 0 || job->argv[0][0] != '/')) {
		snprintf(err, errlen, "plugin job without an absolute argv[0]");
		goto fail;
	}
	hc = json_object_get(b, "host_check");
	if (!json_is_boolean(hc)) {
		snprintf(err, errlen, "field 'host_check' is not a boolean");
		goto fail;
	}
	job->host_check = json_is_true(hc);
	if ((snmp = json_object_get(b, "snmp")) != NULL) {
		if (jobwire_snmp_read(snmp, &job->snmp, err, errlen) != 0)
			goto fail;
		job->has_snmp = true;
	}
	return 0;
fail:
	jobwire_job_clear(job);
	if (oom) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return -EINVAL;
}

json_t *
jobwire_result_json(const struct jobwire_result *res)
{
	json_t *o = json_pack("{s:s, s:i, s:s, s:I, s:I}", "worker",
	    res->worker != NULL ? res->worker : "", "code", res->code,
	    "output", res->output != NULL ? res->output : "", "start_time",
	    (json_int_t)res->start_time, "duration_ms",
	    (json_int_t)res->duration_ms);

	if (o == NULL)
		return NULL;
	if (!jobwire_set_str(o, "long_output", res->long_output) ||
	    !jobwire_set_str(o, "perfdata", res->perfdata)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
jobwire_result_read(json_t *b, struct jobwire_result *res, char *err,
    size_t errlen)
{
	bool oom = false;
	int64_t code, st, dur;

	memset(res, 0, sizeof(*res));
	if (jobwire_get_str(b, "worker", true, 256, &res->worker, &oom, err,
	    errlen) != 0 ||
	    jobwire_get_int(b, "code", 0, 3, &code, err, errlen) != 0 ||
	    jobwire_get_str(b, "output", true, JOBWIRE_OUT_MAX, &res->output,
	    &oom, err, errlen) != 0 ||
	    jobwire_get_str(b, "long_output", false, JOBWIRE_OUT_MAX,
	    &res->long_output, &oom, err, errlen) != 0 ||
	    jobwire_get_str(b, "perfdata", false, JOBWIRE_OUT_MAX,
	    &res->perfdata, &oom, err, errlen) != 0 ||
	    jobwire_get_int(b, "start_time", 0, INT64_C(1) << 40, &st, err,
	    errlen) != 0 ||
	    jobwire_get_int(b, "duration_ms", 0, INT64_C(86400000), &dur, err,
	    errlen) != 0) {
		jobwire_result_clear(res);
		if (oom) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		return -EINVAL;
	}
	res->code = (int)code;
	res->start_time = st;
	res->duration_ms = dur;
	return 0;
}
