/*
 * stats_cli: `pharos stats`. The text follows nagiostats' layout: one
 * "Label:" per line padded to column STATS_CLI_COL, several values " / "
 * apart (min / max / avg for times, in seconds with three decimals, then
 * p50 / p99 of the last minutes), a
 * block for services, one for hosts, then the check counts of the last
 * minutes. Only numbers are read from the answer (never strings), so
 * nothing the daemon sends reaches the terminal as text.
 */
#include "stats_cli.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* pharos' exit codes (pharos.c). */
#define STATS_CLI_EXIT_OK 0
#define STATS_CLI_EXIT_ERROR 1
#define STATS_CLI_EXIT_USAGE 2
#define STATS_CLI_EXIT_CONNECT 3

/* The column values start at, as in nagiostats. */
#define STATS_CLI_COL 40

enum stats_cli_fmt {
	STATS_CLI_INT, /* an integer */
	STATS_CLI_SEC, /* seconds, printed with three decimals */
};

/* One block of the report: hosts or services. */
struct stats_cli_kind {
	const char *key;    /* in the report: "hosts", "services" */
	const char *plural; /* "Hosts" */
	const char *single; /* "Host" */
	const char *states_label;
	const char *const *states; /* paths under key, in print order */
	size_t nstates;
};

static const char *const stats_cli_svc_states[] = {
	"states.OK", "states.WARNING", "states.UNKNOWN", "states.CRITICAL",
};
static const char *const stats_cli_host_states[] = {
	"states.UP", "states.DOWN", "states.UNREACHABLE",
};

static const struct stats_cli_kind stats_cli_kinds[] = {
	{"services", "Services", "Service", "Services Ok/Warn/Unk/Crit",
	 stats_cli_svc_states, 4},
	{"hosts", "Hosts", "Host", "Hosts Up/Down/Unreach",
	 stats_cli_host_states, 3},
};

static const char *const stats_cli_minmaxavg[] = {"min", "max", "avg"};
static const char *const stats_cli_p50p99[] = {"p50", "p99"};
static const char *const stats_cli_last15[] = {
	"last_1min", "last_5min", "last_15min",
};
static const char *const stats_cli_last60[] = {
	"last_1min", "last_5min", "last_15min", "last_60min",
};

static void
stats_cli_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos [-c MAIN_CFG | -s SOCKET] stats [--json]\n"
	    "\n"
	    "What pharosd tells about itself, as nagiostats does: hosts and\n"
	    "services by state, active and passive checks of the last 1, 5\n"
	    "and 15 minutes, check latency and execution time (min / max /\n"
	    "avg since start, median / 99th percentile of the last 1 and 5\n"
	    "minutes; seconds). --json prints the daemon's answer as is.\n");
}

/* The value at a dotted path under root ("latency.min"); NULL when a step
 * is missing. Paths are this file's constants. */
static json_t *
stats_cli_get(json_t *root, const char *path)
{
	const char *dot;
	char key[64];
	size_t len;

	while (root != NULL && *path != '\0') {
		dot = strchr(path, '.');
		len = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(key))
			return NULL;
		memcpy(key, path, len);
		key[len] = '\0';
		root = json_object_get(root, key);
		path += len + (dot != NULL ? 1 : 0);
	}
	return root;
}

static void
stats_cli_value(char *buf, size_t len, json_t *v, enum stats_cli_fmt fmt)
{
	if (fmt == STATS_CLI_SEC && json_is_number(v))
		snprintf(buf, len, "%.3f", json_number_value(v));
	else if (fmt == STATS_CLI_INT && json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	else
		snprintf(buf, len, "-");
}

static void
stats_cli_label(FILE *out, const char *label)
{
	int n = fprintf(out, "%s:", label);

	for (; n >= 0 && n < STATS_CLI_COL; n++)
		fputc(' ', out);
}

/* "Label:    v1 / v2 / v3[ sec]": the values at base.prefix.keys[i]
 * (prefix may be NULL). */
static void
stats_cli_row(FILE *out, const char *label, json_t *base, const char *prefix,
    const char *const *keys, size_t n, enum stats_cli_fmt fmt)
{
	char v[64];
	size_t i;

	if (prefix != NULL)
		base = stats_cli_get(base, prefix);
	stats_cli_label(out, label);
	for (i = 0; i < n; i++) {
		stats_cli_value(v, sizeof(v), stats_cli_get(base, keys[i]),
		    fmt);
		fprintf(out, "%s%s", i > 0 ? " / " : "", v);
	}
	if (fmt == STATS_CLI_SEC)
		fputs(" sec", out);
	fputc('\n', out);
}

/* A row of one integer field. */
static void
stats_cli_int(FILE *out, const char *label, json_t *base, const char *key)
{
	stats_cli_row(out, label, base, NULL, &key, 1, STATS_CLI_INT);
}

static void
stats_cli_kind(FILE *out, json_t *report, const struct stats_cli_kind *k)
{
	static const char *const hard_soft[] = {"hard", "soft"};
	json_t *o = json_object_get(report, k->key);
	char label[64];

	snprintf(label, sizeof(label), "Total %s", k->plural);
	stats_cli_int(out, label, o, "total");
	snprintf(label, sizeof(label), "%s Checked", k->plural);
	stats_cli_int(out, label, o, "checked");
	snprintf(label, sizeof(label), "%s Scheduled", k->plural);
	stats_cli_int(out, label, o, "scheduled");
	snprintf(label, sizeof(label), "%s Actively Checked", k->plural);
	stats_cli_int(out, label, o, "actively_checked");
	snprintf(label, sizeof(label), "%s Passively Checked", k->plural);
	stats_cli_int(out, label, o, "passively_checked");
	snprintf(label, sizeof(label), "Active %s Latency", k->single);
	stats_cli_row(out, label, o, "latency", stats_cli_minmaxavg, 3,
	    STATS_CLI_SEC);
	snprintf(label, sizeof(label), "Active %s Latency p50/p99 1m",
	    k->single);
	stats_cli_row(out, label, o, "latency.recent.last_1min",
	    stats_cli_p50p99, 2, STATS_CLI_SEC);
	snprintf(label, sizeof(label), "Active %s Latency p50/p99 5m",
	    k->single);
	stats_cli_row(out, label, o, "latency.recent.last_5min",
	    stats_cli_p50p99, 2, STATS_CLI_SEC);
	snprintf(label, sizeof(label), "Active %s Execution Time", k->single);
	stats_cli_row(out, label, o, "execution_time", stats_cli_minmaxavg, 3,
	    STATS_CLI_SEC);
	snprintf(label, sizeof(label), "Active %s Exec Time p50/p99 5m",
	    k->single);
	stats_cli_row(out, label, o, "execution_time.recent.last_5min",
	    stats_cli_p50p99, 2, STATS_CLI_SEC);
	snprintf(label, sizeof(label), "Active %s Last 1/5/15/60 min",
	    k->plural);
	stats_cli_row(out, label, o, "recently_checked.active",
	    stats_cli_last60, 4, STATS_CLI_INT);
	snprintf(label, sizeof(label), "Passive %s Last 1/5/15/60 min",
	    k->plural);
	stats_cli_row(out, label, o, "recently_checked.passive",
	    stats_cli_last60, 4, STATS_CLI_INT);
	stats_cli_row(out, k->states_label, o, NULL, k->states, k->nstates,
	    STATS_CLI_INT);
	snprintf(label, sizeof(label), "%s Pending", k->plural);
	stats_cli_int(out, label, o, "states.PENDING");
	snprintf(label, sizeof(label), "%s Hard/Soft", k->plural);
	stats_cli_row(out, label, o, NULL, hard_soft, 2, STATS_CLI_INT);
}

/* "0d 5h 20m 39s", or "-". */
static void
stats_cli_duration(FILE *out, json_t *v)
{
	json_int_t s;

	if (!json_is_integer(v) || (s = json_integer_value(v)) < 0) {
		fputs("-\n", out);
		return;
	}
	fprintf(out, "%" JSON_INTEGER_FORMAT "d %" JSON_INTEGER_FORMAT "h %"
	    JSON_INTEGER_FORMAT "m %" JSON_INTEGER_FORMAT "s\n", s / 86400,
	    s / 3600 % 24, s / 60 % 60, s % 60);
}

/* Local time of an epoch value, or "-". */
static void
stats_cli_time(FILE *out, json_t *v)
{
	char buf[64];
	json_int_t e;
	struct tm tm;
	time_t t;

	if (!json_is_integer(v) || (e = json_integer_value(v)) <= 0 ||
	    e > INT64_MAX / 2) {
		fputs("-\n", out);
		return;
	}
	t = (time_t)e;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(buf, sizeof(buf), "-");
	fprintf(out, "%s\n", buf);
}

int
stats_cli_print(json_t *report, FILE *out)
{
	json_t *prog = json_object_get(report, "program");
	char label[64];
	size_t i;

	fputs("Pharos statistics\n", out);
	fputs("------------------------------------------------------\n", out);
	stats_cli_label(out, "Program Start Time");
	stats_cli_time(out, json_object_get(prog, "start_time"));
	stats_cli_label(out, "Program Running Time");
	stats_cli_duration(out, json_object_get(prog, "uptime"));
	for (i = 0; i < sizeof(stats_cli_kinds) / sizeof(stats_cli_kinds[0]);
	    i++) {
		fputc('\n', out);
		stats_cli_kind(out, report, &stats_cli_kinds[i]);
	}
	fputc('\n', out);
	for (i = sizeof(stats_cli_kinds) / sizeof(stats_cli_kinds[0]); i-- > 0;) {
		const struct stats_cli_kind *k = &stats_cli_kinds[i];
		json_t *o = json_object_get(report, k->key);

		snprintf(label, sizeof(label), "Active %s Checks Last 1/5/15 min",
		    k->single);
		stats_cli_row(out, label, o, "active_checks", stats_cli_last15,
		    3, STATS_CLI_INT);
		snprintf(label, sizeof(label),
		    "Passive %s Checks Last 1/5/15 min", k->single);
		stats_cli_row(out, label, o, "passive_checks",
		    stats_cli_last15, 3, STATS_CLI_INT);
	}
	return ferror(out) ? -1 : 0;
}

int
stats_cli_main(int argc, char **argv, stats_cli_call_fn *call, void *arg)
{
	json_t *req, *resp = NULL, *data;
	bool json = false;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			stats_cli_usage(stdout);
			return fflush(stdout) == 0 ? STATS_CLI_EXIT_OK :
			    STATS_CLI_EXIT_ERROR;
		} else {
			fprintf(stderr, "pharos: stats: unknown argument "
			    "'%s'\nTry 'pharos stats --help'.\n", argv[i]);
			return STATS_CLI_EXIT_USAGE;
		}
	}
	if ((req = json_pack("{s:i, s:s}", "v", 1, "op", "stats")) == NULL) {
		fprintf(stderr, "pharos: out of memory\n");
		return STATS_CLI_EXIT_ERROR;
	}
	if ((rc = call(arg, req, &resp)) != STATS_CLI_EXIT_OK)
		goto out;
	data = json_object_get(resp, "data");
	if (!json_is_object(data)) {
		fprintf(stderr, "pharos: the daemon's stats answer has no "
		    "data object\n");
		rc = STATS_CLI_EXIT_CONNECT;
		goto out;
	}
	if (json)
		rc = json_dumpf(data, stdout, JSON_INDENT(2)) != 0 ||
		    fputc('\n', stdout) == EOF;
	else
		rc = stats_cli_print(data, stdout) != 0;
	if (fflush(stdout) != 0 || rc != 0) {
		fprintf(stderr, "pharos: cannot write the output\n");
		rc = STATS_CLI_EXIT_ERROR;
	}
out:
	json_decref(resp);
	json_decref(req);
	return rc;
}
