/*
 * capacity_cli: `pharos capacity`. Parses the options (bounded number
 * parsing only), finds rrd_dir (-d, or a plain line scan of the main
 * configuration for rrd_dir=, relative to the file's folder as the daemon
 * takes it), runs capacity_scan() and prints the first --limit entries as
 * a table or as JSON. Keeps nothing between calls; every buffer is owned
 * by capacity_cli_main() and freed on its single exit path.
 *
 * Names come from file names, which anyone able to write rrd_dir can
 * choose: control bytes are replaced in the table, and a name that is
 * not UTF-8 is shown escaped (as on disk) in JSON.
 */
#include "capacity_cli.h"
#include "maincfg.h"

#include <errno.h>
#include <float.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "store.h"
#include "strnum.h"

#define CAPACITY_CLI_EXIT_OK	0
#define CAPACITY_CLI_EXIT_ERROR	1
#define CAPACITY_CLI_EXIT_USAGE	2

#define CAPACITY_CLI_DEFAULT_CFG	SYSCONFDIR "/pharos/pharos.cfg"
#define CAPACITY_CLI_LIMIT	20	/* entries shown by default */
#define CAPACITY_CLI_LIMIT_MAX	1000000
#define CAPACITY_CLI_THRESHOLD	80.0	/* percent, for if_util */
#define CAPACITY_CLI_PERIOD	(30LL * CAPACITY_DAY)
#define CAPACITY_CLI_NAME_W	32	/* widest name column */

struct capacity_cli_opts {
	const char *cfg;	/* borrowed */
	const char *dir;	/* borrowed: -d */
	char *cfg_dir;		/* owned: rrd_dir of the main config */
	struct capacity_query q;
	size_t limit;
	int json;
};

static void
capacity_cli_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos capacity [-d RRD_DIR | -c MAIN_CFG] "
	    "[--metric LABEL]\n"
	    "           [--threshold N] [--period N[smhdw]] [--limit N] "
	    "[--json]\n"
	    "\n"
	    "Which metrics reach a threshold first, from the trend of the "
	    "RRD files.\n"
	    "\n"
	    "  -d, --rrd-dir DIR  the metric files (default: rrd_dir of the "
	    "main config)\n"
	    "  -c, --config FILE  the main config (default %s)\n"
	    "  --metric LABEL     a perfdata label (default: if_util, the "
	    "higher of\n"
	    "                     in_util and out_util of each interface)\n"
	    "  --threshold N      the level to reach (default 80)\n"
	    "  --period N[smhdw]  the history to read (default 30d; plain N "
	    "is days)\n"
	    "  --limit N          entries shown (default %d, 0: all)\n"
	    "  --json             one JSON object\n",
	    CAPACITY_CLI_DEFAULT_CFG, CAPACITY_CLI_LIMIT);
}

static int
capacity_cli_usage_error(const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos capacity: %s '%s'\n", what, arg);
	else
		fprintf(stderr, "pharos capacity: %s\n", what);
	fprintf(stderr, "Try 'pharos capacity --help'.\n");
	return CAPACITY_CLI_EXIT_USAGE;
}

/* --- rrd_dir from the main configuration ---------------------------------- */

/* Keep the last rrd_dir= of o->cfg in o->cfg_dir. Returns 0, -ENOENT when
 * there is none, or -errno (printed). */
static int
capacity_cli_read_cfg(struct capacity_cli_opts *o)
{
	static const char *const key[] = { "rrd_dir" };
	char err[512];
	int rc;

	if ((rc = maincfg_paths(o->cfg, key, &o->cfg_dir, 1, err,
	    sizeof(err))) != 0) {
		fprintf(stderr, "pharos capacity: %s\n", err);
		return rc;
	}
	if (o->cfg_dir == NULL) {
		fprintf(stderr, "pharos capacity: no rrd_dir in %s; give -d\n",
		    o->cfg);
		return -ENOENT;
	}
	return 0;
}

/* --- output ------------------------------------------------------------------ */

/* s with control bytes replaced, cut to w bytes, into buf (w + 1). */
static const char *
capacity_cli_safe(const char *s, char *buf, size_t w)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < w; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ?
		    '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void
capacity_cli_date(int64_t when, char *buf, size_t len)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, len, "?");
}

static const char *
capacity_cli_outlook(enum capacity_outlook o)
{
	switch (o) {
	case CAPACITY_ABOVE:
		return "above";
	case CAPACITY_CROSSES:
		return "crosses";
	case CAPACITY_NEVER:
		break;
	}
	return "never";
}

/* The metric column: "if_util/in" says which direction was the worse. */
static void
capacity_cli_metric(const struct capacity_entry *e, char *buf, size_t len)
{
	if (strcmp(e->metric, CAPACITY_IF_UTIL) == 0)
		snprintf(buf, len, "%s/%s", e->metric,
		    strcmp(e->ds, "in_util") == 0 ? "in" : "out");
	else
		snprintf(buf, len, "%s", e->metric);
}

static int
capacity_cli_table(FILE *out, const struct capacity_entry *e, size_t n,
    const struct capacity_query *q, size_t skipped, size_t total)
{
	char host[CAPACITY_CLI_NAME_W + 1], svc[CAPACITY_CLI_NAME_W + 1];
	char met[CAPACITY_CLI_NAME_W + 1], raw[160], date[32], days[32];
	int wh = 4, ws = 7, wm = 6, l;
	size_t i;

	for (i = 0; i < n; i++) {
		l = (int)strlen(capacity_cli_safe(e[i].host, host,
		    CAPACITY_CLI_NAME_W));
		wh = l > wh ? l : wh;
		l = (int)strlen(capacity_cli_safe(e[i].service != NULL ?
		    e[i].service : "-", svc, CAPACITY_CLI_NAME_W));
		ws = l > ws ? l : ws;
		capacity_cli_metric(&e[i], raw, sizeof(raw));
		l = (int)strlen(capacity_cli_safe(raw, met,
		    CAPACITY_CLI_NAME_W));
		wm = l > wm ? l : wm;
	}
	fprintf(out, "%-*s  %-*s  %-*s  %9s  %9s  %10s  %-13s  %9s\n", wh,
	    "HOST", ws, "SERVICE", wm, "METRIC", "CURRENT", "P95",
	    "SLOPE/DAY", "PROJECTED", "DAYS LEFT");
	for (i = 0; i < n; i++) {
		const struct capacity_report *r = &e[i].r;

		capacity_cli_metric(&e[i], raw, sizeof(raw));
		if (r->outlook == CAPACITY_CROSSES) {
			capacity_cli_date(r->cross, date, sizeof(date));
			snprintf(days, sizeof(days), "%.1f", r->days_left);
		} else {
			snprintf(date, sizeof(date), "%s",
			    r->outlook == CAPACITY_ABOVE ? "already above" :
			    "never");
			snprintf(days, sizeof(days), "%s",
			    r->outlook == CAPACITY_ABOVE ? "0" : "-");
		}
		fprintf(out,
		    "%-*s  %-*s  %-*s  %9.2f  %9.2f  %+10.3f  %-13s  %9s\n",
		    wh, capacity_cli_safe(e[i].host, host, CAPACITY_CLI_NAME_W),
		    ws, capacity_cli_safe(e[i].service != NULL ?
		    e[i].service : "-", svc, CAPACITY_CLI_NAME_W),
		    wm, capacity_cli_safe(raw, met, CAPACITY_CLI_NAME_W),
		    r->current, r->p95, r->slope, date, days);
	}
	capacity_cli_safe(q->metric != NULL ? q->metric : CAPACITY_IF_UTIL,
	    met, CAPACITY_CLI_NAME_W);
	fprintf(out, "%zu of %zu entries shown; metric %s, threshold %g, "
	    "period %lld %s", n, total, met, q->threshold,
	    (long long)(q->period % CAPACITY_DAY == 0 ?
	    q->period / CAPACITY_DAY : q->period % 3600 == 0 ?
	    q->period / 3600 : q->period),
	    q->period % CAPACITY_DAY == 0 ? "days" :
	    q->period % 3600 == 0 ? "hours" : "seconds");
	if (skipped > 0)
		fprintf(out, "; %zu files could not be read", skipped);
	fprintf(out, "\n");
	return ferror(out) ? -1 : 0;
}

/* A JSON string of a name: as is when UTF-8, else escaped as on disk. */
static json_t *
capacity_cli_jname(const char *s)
{
	char esc[STORE_NAME_MAX + 1];
	json_t *j;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	if (store_name_escape(s, esc, sizeof(esc)) != 0)
		return json_string("?");
	return json_string(esc);
}

static json_t *
capacity_cli_jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
capacity_cli_jentry(const struct capacity_entry *e)
{
	const struct capacity_report *r = &e->r;
	bool crosses = r->outlook == CAPACITY_CROSSES;
	char date[32];

	capacity_cli_date(r->cross, date, sizeof(date));
	return json_pack("{s:o, s:o, s:o, s:s, s:I, s:I, s:o, s:o, s:o, s:o, "
	    "s:o, s:s, s:o, s:o, s:o}",
	    "host", capacity_cli_jname(e->host),
	    "service", capacity_cli_jname(e->service),
	    "metric", capacity_cli_jname(e->metric),
	    "ds", e->ds,
	    "samples", (json_int_t)r->samples,
	    "step", (json_int_t)r->step,
	    "current", capacity_cli_jreal(r->current),
	    "max", capacity_cli_jreal(r->max),
	    "p95", capacity_cli_jreal(r->p95),
	    "slope_per_day", capacity_cli_jreal(r->slope),
	    "trend_now", capacity_cli_jreal(r->intercept),
	    "outlook", capacity_cli_outlook(r->outlook),
	    "projected", r->outlook != CAPACITY_NEVER ?
	    json_integer((json_int_t)r->cross) : json_null(),
	    "projected_date", r->outlook != CAPACITY_NEVER ?
	    json_string(date) : json_null(),
	    "days_left", crosses ? json_real(r->days_left) :
	    r->outlook == CAPACITY_ABOVE ? json_real(0) : json_null());
}

static int
capacity_cli_json(FILE *out, const struct capacity_entry *e, size_t n,
    const struct capacity_query *q, size_t skipped, size_t total)
{
	json_t *root, *arr, *j;
	size_t i;
	int rc = -1;

	root = json_pack("{s:o, s:f, s:I, s:I, s:I, s:I}",
	    "metric", capacity_cli_jname(q->metric != NULL ? q->metric :
	    CAPACITY_IF_UTIL),
	    "threshold", q->threshold, "period", (json_int_t)q->period,
	    "end", (json_int_t)q->end, "total", (json_int_t)total,
	    "skipped", (json_int_t)skipped);
	if (root == NULL || (arr = json_array()) == NULL ||
	    json_object_set_new(root, "entries", arr) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if ((j = capacity_cli_jentry(&e[i])) == NULL ||
		    json_array_append_new(arr, j) != 0)
			goto out;
	if (json_dumpf(root, out, JSON_INDENT(2)) != 0)
		goto out;
	fputc('\n', out);
	rc = ferror(out) ? -1 : 0;
out:
	json_decref(root);
	return rc;
}

int
capacity_cli_print(FILE *out, const struct capacity_entry *e, size_t n,
    size_t limit, const struct capacity_query *q, size_t skipped, int json)
{
	size_t shown = limit > 0 && limit < n ? limit : n;

	if (json)
		return capacity_cli_json(out, e, shown, q, skipped, n);
	return capacity_cli_table(out, e, shown, q, skipped, n);
}

/* --- main ---------------------------------------------------------------------- */

enum {
	CAPACITY_OPT_METRIC = 256,
	CAPACITY_OPT_THRESHOLD,
	CAPACITY_OPT_PERIOD,
	CAPACITY_OPT_LIMIT,
	CAPACITY_OPT_JSON,
};

/* Parse argv into o. Returns 0, a usage exit code, or -1 for --help. */
static int
capacity_cli_parse(struct capacity_cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rrd-dir", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "metric", required_argument, NULL, CAPACITY_OPT_METRIC },
		{ "threshold", required_argument, NULL,
		    CAPACITY_OPT_THRESHOLD },
		{ "period", required_argument, NULL, CAPACITY_OPT_PERIOD },
		{ "limit", required_argument, NULL, CAPACITY_OPT_LIMIT },
		{ "json", no_argument, NULL, CAPACITY_OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool cfg_given = false;
	long long period;
	long v;
	int ch;

	while ((ch = getopt_long(argc, argv, "d:c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o->dir = optarg;
			break;
		case 'c':
			o->cfg = optarg;
			cfg_given = true;
			break;
		case CAPACITY_OPT_METRIC:
			if (optarg[0] == '\0' || strlen(optarg) >=
			    sizeof(((struct capacity_entry *)NULL)->metric))
				return capacity_cli_usage_error(
				    "--metric takes a perfdata label, not",
				    optarg);
			o->q.metric = strcmp(optarg, CAPACITY_IF_UTIL) == 0 ?
			    NULL : optarg;
			break;
		case CAPACITY_OPT_THRESHOLD:
			if (strnum_double(optarg, DBL_MAX,
			    &o->q.threshold) != 0)
				return capacity_cli_usage_error(
				    "--threshold takes a number, not", optarg);
			break;
		case CAPACITY_OPT_PERIOD:
			if (strnum_period(optarg, "smhdw", 3600,
			    CAPACITY_PERIOD_MAX, &period) != 0)
				return capacity_cli_usage_error(
				    "--period takes 1h to 1830d (N[smhdw]), "
				    "not", optarg);
			o->q.period = period;
			break;
		case CAPACITY_OPT_LIMIT:
			if (strnum_long(optarg, 0, CAPACITY_CLI_LIMIT_MAX,
			    &v) != 0)
				return capacity_cli_usage_error(
				    "--limit takes 0 to 1000000, not", optarg);
			o->limit = (size_t)v;
			break;
		case CAPACITY_OPT_JSON:
			o->json = 1;
			break;
		case 'h':
			capacity_cli_usage(stdout);
			return -1;
		default:
			fprintf(stderr, "Try 'pharos capacity --help'.\n");
			return CAPACITY_CLI_EXIT_USAGE;
		}
	}
	if (optind < argc)
		return capacity_cli_usage_error("unexpected argument",
		    argv[optind]);
	if (o->dir != NULL && cfg_given)
		return capacity_cli_usage_error("give -d or -c, not both",
		    NULL);
	return 0;
}

int
capacity_cli_main(int argc, char **argv, const char *cfg)
{
	struct capacity_cli_opts o;
	struct capacity_entry *e = NULL;
	size_t n = 0, skipped = 0;
	char err[512];
	int rc;

	memset(&o, 0, sizeof(o));
	o.cfg = cfg != NULL ? cfg : CAPACITY_CLI_DEFAULT_CFG;
	o.q.threshold = CAPACITY_CLI_THRESHOLD;
	o.q.period = CAPACITY_CLI_PERIOD;
	o.limit = CAPACITY_CLI_LIMIT;
	if ((rc = capacity_cli_parse(&o, argc, argv)) != 0) {
		if (rc < 0)
			rc = fflush(stdout) != 0 ? CAPACITY_CLI_EXIT_ERROR :
			    CAPACITY_CLI_EXIT_OK;
		goto out;
	}
	if (o.dir == NULL) {
		if (capacity_cli_read_cfg(&o) != 0) {
			rc = CAPACITY_CLI_EXIT_USAGE;
			goto out;
		}
		o.dir = o.cfg_dir;
	}
	o.q.end = (int64_t)time(NULL);
	if (capacity_scan(o.dir, &o.q, &e, &n, &skipped, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "pharos capacity: %s\n", err);
		rc = CAPACITY_CLI_EXIT_ERROR;
		goto out;
	}
	if (skipped > 0) {
		char safe[sizeof(err)];

		fprintf(stderr, "pharos capacity: %zu files skipped, the "
		    "first: %s\n", skipped,
		    capacity_cli_safe(err, safe, sizeof(safe) - 1));
	}
	if (capacity_cli_print(stdout, e, n, o.limit, &o.q, skipped,
	    o.json) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "pharos capacity: cannot write the output: "
		    "%s\n", strerror(errno));
		rc = CAPACITY_CLI_EXIT_ERROR;
		goto out;
	}
	rc = CAPACITY_CLI_EXIT_OK;
out:
	capacity_entries_free(e, n);
	free(o.cfg_dir);
	return rc;
}
