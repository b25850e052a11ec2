/*
 * pharos_status: `pharos status [--json] [--host H] [--state S]...`, the
 * hosts and services of the daemon as tables (or JSON), every string from
 * the daemon printed with control characters replaced.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "pharos_int.h"
#include "strnum.h"

/* Every state name the protocol knows; filters take these. */
static const char *const pharos_states[] = {
    "UP", "DOWN",    "UNREACHABLE", "PENDING",
    "OK", "WARNING", "CRITICAL",    "UNKNOWN",
};

/* ---- formatting fields ---- */

/* A string field, or "-" when missing, not a string or empty. */
static const char *
pharos_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL && *s != '\0' ? s : "-";
}

static bool
pharos_int(json_t *obj, const char *key, long long *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/* 1h02m style: the two largest units. */
static void
pharos_duration(long long secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(buf, len, "%llds", secs);
	else if (secs < 3600)
		snprintf(buf, len, "%lldm%02llds", secs / 60, secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%lldh%02lldm", secs / 3600, secs / 60 % 60);
	else
		snprintf(buf, len, "%lldd%02lldh", secs / 86400,
		         secs / 3600 % 24);
}

/* ISO 8601 local time with the zone offset, or "-" for 0 (never). */
static void
pharos_time(json_t *obj, const char *key, char *buf, size_t len)
{
	long long v;
	struct tm tm;
	time_t t;

	snprintf(buf, len, "-");
	if (!pharos_int(obj, key, &v) || v <= 0 || v > INT64_MAX / 2)
		return;
	t = (time_t)v;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		snprintf(buf, len, "-");
}

static void
pharos_since(json_t *obj, const char *key, time_t now, char *buf, size_t len)
{
	long long v;

	if (!pharos_int(obj, key, &v) || v <= 0)
		snprintf(buf, len, "-");
	else
		pharos_duration((long long)now - v, buf, len);
}

static void
pharos_attempt(json_t *obj, char *buf, size_t len)
{
	char cur[24] = "-", max[24] = "-";
	long long v;

	if (pharos_int(obj, "current_attempt", &v))
		snprintf(cur, sizeof(cur), "%lld", v);
	if (pharos_int(obj, "max_attempts", &v))
		snprintf(max, sizeof(max), "%lld", v);
	if (strcmp(cur, "-") == 0 && strcmp(max, "-") == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s/%s", cur, max);
}

/* ---- tables ---- */

#define PHAROS_MAX_COLS 8

struct pharos_table {
	size_t ncols;
	size_t nrows;
	size_t cap;
	char **cells; /* nrows * ncols, owned; row 0 is the header */
};

static int
pharos_table_add(struct pharos_table *t, const char *const *row)
{
	char **p;
	size_t i, cap;

	if (t->nrows == t->cap) {
		cap = t->cap == 0 ? 16 : t->cap * 2;
		if (cap > SIZE_MAX / sizeof(*p) / t->ncols)
			return -ENOMEM;
		if ((p = realloc(t->cells, cap * t->ncols * sizeof(*p))) ==
		    NULL)
			return -ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	p = t->cells + t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		if ((p[i] = strdup(row[i])) == NULL) {
			while (i-- > 0)
				free(p[i]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

static void
pharos_table_free(struct pharos_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* Columns padded to their widest cell, two spaces apart; the last one is
 * cut to fit total columns (0: no limit). */
static void
pharos_table_print(const struct pharos_table *t, size_t total)
{
	size_t width[PHAROS_MAX_COLS] = {0}, used = 0, last, r, c, w;
	char **row;

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c + 1 < t->ncols; c++) {
			w = pharos_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (c = 0; c + 1 < t->ncols; c++)
		used += width[c] + 2;
	last = total == 0                         ? SIZE_MAX
	       : total > used + PHAROS_MIN_OUTPUT ? total - used
	                                          : PHAROS_MIN_OUTPUT;
	for (r = 0; r < t->nrows; r++) {
		row = t->cells + r * t->ncols;
		for (c = 0; c + 1 < t->ncols; c++)
			pharos_put(stdout, row[c], SIZE_MAX, width[c] + 2);
		pharos_put(stdout, row[t->ncols - 1], last, 0);
		fputc('\n', stdout);
	}
}

/* ---- status ---- */

struct pharos_status_args {
	bool json;
	json_t *hosts;  /* array of names */
	json_t *states; /* array of state names */
};

/* The program-wide switches that are off (DISABLE_NOTIFICATIONS,
 * STOP_EXECUTING_*_CHECKS, DISABLE_EVENT_HANDLERS), on one line:
 * "disabled: notifications, service checks"; nothing when all are on. */
static void
pharos_print_switches(json_t *prog)
{
	static const char *const keys[][2] = {
		{ "enable_notifications", "notifications" },
		{ "execute_host_checks", "host checks" },
		{ "execute_service_checks", "service checks" },
		{ "enable_event_handlers", "event handlers" },
	};
	const char *sep = "disabled: ";
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_is_false(json_object_get(prog, keys[i][0])))
			continue;
		printf("%s%s", sep, keys[i][1]);
		sep = ", ";
	}
	if (sep[0] == ',')
		putchar('\n');
}

/* "pharosd 12345 up 3m12s, icmp raw, 6 hosts, 0 services"; pieces the
 * daemon did not send are left out. */
static void
pharos_print_program(json_t *data, time_t now)
{
	json_t *prog = json_object_get(data, "program");
	json_t *icmp = json_object_get(prog, "icmp");
	long long v, nh, ns;
	char dur[32];

	fputs("pharosd", stdout);
	if (pharos_int(prog, "pid", &v))
		printf(" %lld", v);
	if (pharos_int(prog, "start_time", &v) && v > 0) {
		pharos_duration((long long)now - v, dur, sizeof(dur));
		printf(" up %s", dur);
	}
	if (json_is_string(json_object_get(icmp, "mode"))) {
		fputs(", icmp ", stdout);
		pharos_put(stdout, pharos_str(icmp, "mode"), SIZE_MAX, 0);
	}
	if (json_is_string(json_object_get(icmp, "mode6"))) {
		fputs(", icmpv6 ", stdout);
		pharos_put(stdout, pharos_str(icmp, "mode6"), SIZE_MAX, 0);
	}
	if (!pharos_int(prog, "hosts", &nh))
		nh = (long long)json_array_size(json_object_get(data, "hosts"));
	if (!pharos_int(prog, "services", &ns))
		ns = (long long)json_array_size(
		    json_object_get(data, "services"));
	printf(", %lld host%s, %lld service%s\n", nh, nh == 1 ? "" : "s", ns,
	       ns == 1 ? "" : "s");
	pharos_print_switches(prog);
}

/* Most columns of a status table. */
#define PHAROS_MAX_COLS 8

/* One table of hosts or services: leading columns from the string fields
 * named in keys (titled by titles), then the columns both kinds share:
 * attempt, last check, time since the last state change, output. */
static int
pharos_print_objects(json_t *objs, const char *const *keys,
                     const char *const *titles, size_t nkeys, time_t now,
                     size_t total)
{
	struct pharos_table t = {.ncols = nkeys + 4};
	char attempt[64], last[64], since[32];
	const char *row[PHAROS_MAX_COLS];
	json_t *o;
	size_t i, k;
	int rc;

	for (k = 0; k < nkeys; k++)
		row[k] = titles[k];
	row[k++] = "ATTEMPT";
	row[k++] = "LAST CHECK";
	row[k++] = "SINCE";
	row[k] = "OUTPUT";
	rc = pharos_table_add(&t, row);
	for (i = 0; rc == 0 && i < json_array_size(objs); i++) {
		o = json_array_get(objs, i);
		pharos_attempt(o, attempt, sizeof(attempt));
		pharos_time(o, "last_check", last, sizeof(last));
		pharos_since(o, "last_state_change", now, since, sizeof(since));
		for (k = 0; k < nkeys; k++)
			row[k] = pharos_str(o, keys[k]);
		row[k++] = attempt;
		row[k++] = last;
		row[k++] = since;
		row[k] = pharos_str(o, "output");
		rc = pharos_table_add(&t, row);
	}
	if (rc == 0)
		pharos_table_print(&t, total);
	pharos_table_free(&t);
	return rc;
}

static int
pharos_print_hosts(json_t *hosts, time_t now, size_t total)
{
	static const char *const keys[] = {"name", "state", "state_type"};
	static const char *const titles[] = {"HOST", "STATE", "TYPE"};

	return pharos_print_objects(hosts, keys, titles, 3, now, total);
}

static int
pharos_print_services(json_t *services, time_t now, size_t total)
{
	static const char *const keys[] = {"host", "description", "state",
	                                   "state_type"};
	static const char *const titles[] = {"HOST", "SERVICE", "STATE",
	                                     "TYPE"};

	return pharos_print_objects(services, keys, titles, 4, now, total);
}

static int
pharos_status_print(json_t *data, bool filtered)
{
	json_t *hosts = json_object_get(data, "hosts");
	json_t *services = json_object_get(data, "services");
	size_t total = isatty(STDOUT_FILENO) ? PHAROS_TTY_COLS : 0;
	time_t now = time(NULL);
	long long v;

	/* Durations by the daemon's clock when it sent one. */
	if (pharos_int(json_object_get(data, "program"), "now", &v) && v > 0 &&
	    v < INT64_MAX / 2)
		now = (time_t)v;

	pharos_print_program(data, now);
	fputc('\n', stdout);
	if (json_array_size(hosts) == 0)
		printf("%s\n", filtered ? "No hosts match." : "No hosts.");
	else if (pharos_print_hosts(hosts, now, total) != 0)
		goto nomem;
	if (json_array_size(services) > 0) {
		fputc('\n', stdout);
		if (pharos_print_services(services, now, total) != 0)
			goto nomem;
	}
	return pharos_flush();
nomem:
	fprintf(stderr, "pharos: out of memory\n");
	return PHAROS_EXIT_ERROR;
}

/* Add a state name to a, upper-cased; usage error for unknown names. */
static int
pharos_status_state(json_t *a, const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(pharos_states) / sizeof(pharos_states[0]); i++)
		if (strcasecmp(s, pharos_states[i]) == 0)
			return json_array_append_new(
			           a, json_string(pharos_states[i])) == 0
			           ? PHAROS_EXIT_OK
			           : pharos_usage_error("out of memory", NULL);
	return pharos_usage_error("status: unknown state", s);
}

static int
pharos_status_host(json_t *a, const char *s)
{
	json_t *v;

	if (*s == '\0')
		return pharos_usage_error("status: empty host name", NULL);
	if ((v = json_string(s)) == NULL)
		return pharos_usage_error("status: host name is not UTF-8", s);
	if (json_array_append_new(a, v) != 0)
		return pharos_usage_error("out of memory", NULL);
	return PHAROS_EXIT_OK;
}

/* argv[0] is "status". */
static int
pharos_status_args(int argc, char **argv, struct pharos_status_args *a)
{
	const char *arg, *val;
	size_t n;
	int i, rc;

	for (i = 1; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "--json") == 0) {
			a->json = true;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			pharos_usage(stdout);
			return -1;
		}
		if (strncmp(arg, "--host", 6) == 0 &&
		    (arg[6] == '\0' || arg[6] == '='))
			n = 6;
		else if (strncmp(arg, "--state", 7) == 0 &&
		         (arg[7] == '\0' || arg[7] == '='))
			n = 7;
		else
			return pharos_usage_error("status: unknown argument",
			                          arg);
		if (arg[n] == '=')
			val = arg + n + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return pharos_usage_error("status: missing value for",
			                          arg);
		rc = n == 6 ? pharos_status_host(a->hosts, val)
		            : pharos_status_state(a->states, val);
		if (rc != PHAROS_EXIT_OK)
			return rc;
	}
	return PHAROS_EXIT_OK;
}

int
pharos_status(const struct pharos_opts *o, int argc, char **argv)
{
	struct pharos_status_args a = {false, json_array(), json_array()};
	json_t *req = NULL, *resp = NULL, *data;
	int rc;

	if (a.hosts == NULL || a.states == NULL) {
		rc = pharos_usage_error("out of memory", NULL);
		goto out;
	}
	if ((rc = pharos_status_args(argc, argv, &a)) != PHAROS_EXIT_OK) {
		if (rc < 0) /* --help */
			rc = PHAROS_EXIT_OK;
		goto out;
	}
	req = json_pack("{s:i,s:s}", "v", 1, "op", "status");
	if (req == NULL ||
	    (json_array_size(a.hosts) > 0 &&
	     json_object_set(req, "hosts", a.hosts) != 0) ||
	    (json_array_size(a.states) > 0 &&
	     json_object_set_new(
	         req, "filter", json_pack("{s:O}", "states", a.states)) != 0)) {
		rc = pharos_usage_error("out of memory", NULL);
		goto out;
	}
	if ((rc = pharos_call(o, req, &resp)) != PHAROS_EXIT_OK ||
	    (rc = pharos_check(resp)) != PHAROS_EXIT_OK)
		goto out;
	data = json_object_get(resp, "data");
	if (!json_is_object(data)) {
		fprintf(stderr, "pharos: the daemon's status answer has no "
		                "data object\n");
		rc = PHAROS_EXIT_CONNECT;
		goto out;
	}
	if (a.json) {
		if (json_dumpf(data, stdout, JSON_INDENT(2)) != 0) {
			rc = PHAROS_EXIT_ERROR;
			goto out;
		}
		fputc('\n', stdout);
		rc = pharos_flush();
	} else {
		rc = pharos_status_print(data,
		                         json_array_size(a.hosts) > 0 ||
		                             json_array_size(a.states) > 0);
	}
out:
	json_decref(resp);
	json_decref(req);
	json_decref(a.hosts);
	json_decref(a.states);
	return rc;
}

