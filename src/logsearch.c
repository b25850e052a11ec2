/*
 * logsearch: the search behind `pharos log`.
 *
 * Files: the archives of archive_dir are listed, sorted by the hour in
 * their names, and read oldest first, then the current log. An archive
 * named for rotation hour R_i holds the events from the rotation before
 * (R_i-1) up to R_i, or to the end of hour R_i when the rotation ran
 * late; the first archive holds everything before it. A file is read
 * when that span, widened by LOGSEARCH_SLACK for late rotations and the
 * hour a daylight-saving change repeats, meets [since, until]. Every line
 * is still checked against the window: the spans only save reading.
 *
 * Lines: read through a capped buffer (LOGSEARCH_LINE); longer lines,
 * lines with NUL bytes and lines not starting with "[digits] " are
 * malformed, counted and skipped. With -n N the last N matches are kept
 * in a ring of copies (N pointers, the lines themselves) and printed at
 * the end; otherwise every match is printed as soon as it is read.
 *
 * Host and service fields: "HOST ALERT: h;..." and most Nagios types
 * name the host first and, for service types, the service second; the
 * exceptions are in logsearch_fields (notifications start with the
 * contact; an external command starts with its name).
 */
#include "logsearch.h"
#include "maincfg.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logarch.h"
#include "strnum.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define LOGSEARCH_DEFAULT_CFG SYSCONFDIR "/pharos/pharos.cfg"
#define LOGSEARCH_LINE 16384     /* longest line read (evlog: 8 KiB) */
#define LOGSEARCH_SLACK 7200     /* s: late rotation + a repeated hour */
#define LOGSEARCH_MAX_TYPES 16
#define LOGSEARCH_MAX_LIMIT 1000000
#define LOGSEARCH_MAX_TYPE_LEN 64
#define LOGSEARCH_MAX_AGO 3153600000L /* 100 years, in seconds */

struct logsearch_file {
	char *path;
	int64_t when; /* the rotation hour in the name */
};

/* One parsed line; pointers into the line buffer. */
struct logsearch_line {
	int64_t when;
	const char *type; /* "" when the text has no "TYPE: " */
	size_t typelen;
	const char *fields;
};

struct logsearch_ctx {
	const struct logsearch_query *q;
	FILE *out;
	struct logsearch_stats *st;
	char **ring; /* q->limit slots when limiting */
	size_t head; /* oldest kept match */
	size_t kept;
	int rc; /* first failure */
	char *err;
	size_t errlen;
};

/* ---- lines ---- */

/* Read one line (without its '\n') into buf. Returns its length, -1 at
 * the end of the file; *bad is set when it held a NUL byte or did not
 * fit (the rest of it is read and dropped). */
static long
logsearch_getline(FILE *fp, char *buf, size_t cap, bool *bad)
{
	size_t n = 0;
	bool any = false;
	int c;

	*bad = false;
	while ((c = getc_unlocked(fp)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (c == '\0' || n + 1 >= cap)
			*bad = true;
		else
			buf[n++] = (char)c;
	}
	if (!any)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (long)n;
}

/* "[epoch] TYPE: fields" or "[epoch] free text". */
static bool
logsearch_parse_line(const char *s, struct logsearch_line *l)
{
	const char *colon, *semi;
	int64_t v = 0;
	int digits = 0;

	if (*s++ != '[')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 18)
			return false;
		v = v * 10 + (*s - '0');
	}
	if (digits == 0 || s[0] != ']' || s[1] != ' ')
		return false;
	s += 2;
	l->when = v;
	l->type = "";
	l->typelen = 0;
	l->fields = s;
	colon = strchr(s, ':');
	semi = strchr(s, ';');
	if (colon == NULL || colon == s ||
	    colon - s > LOGSEARCH_MAX_TYPE_LEN ||
	    (semi != NULL && semi < colon) ||
	    (colon[1] != ' ' && colon[1] != '\0'))
		return true;
	l->type = s;
	l->typelen = (size_t)(colon - s);
	l->fields = colon[1] == ' ' ? colon + 2 : colon + 1;
	return true;
}

static bool
logsearch_type_is(const struct logsearch_line *l, const char *t)
{
	return strlen(t) == l->typelen &&
	    strncasecmp(l->type, t, l->typelen) == 0;
}

/* Does the type hold word w ("HOST", "SERVICE") as a whole word? */
static bool
logsearch_type_has(const struct logsearch_line *l, const char *w)
{
	size_t wl = strlen(w), i;

	for (i = 0; i + wl <= l->typelen; i++)
		if (strncasecmp(l->type + i, w, wl) == 0 &&
		    (i == 0 || l->type[i - 1] == ' ') &&
		    (i + wl == l->typelen || l->type[i + wl] == ' '))
			return true;
	return false;
}

/* Which fields (1-based, 0: none) name the host and the service. */
static void
logsearch_fields(const struct logsearch_line *l, int *hf, int *sf)
{
	static const struct {
		const char *type;
		int host, service;
	} except[] = {
	    {"HOST NOTIFICATION", 2, 0},
	    {"SERVICE NOTIFICATION", 2, 3},
	    {"EXTERNAL COMMAND", 2, 3},
	    {"SNMP DISCOVERY", 1, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(except) / sizeof(except[0]); i++)
		if (logsearch_type_is(l, except[i].type)) {
			*hf = except[i].host;
			*sf = except[i].service;
			return;
		}
	*sf = logsearch_type_has(l, "SERVICE") ? 2 : 0;
	*hf = *sf != 0 || logsearch_type_has(l, "HOST") ? 1 : 0;
}

/* Is field n (1-based) of the ';'-separated fields exactly want? */
static bool
logsearch_field_is(const char *fields, int n, const char *want)
{
	const char *p = fields, *end;

	if (n <= 0)
		return false;
	while (--n > 0) {
		if ((p = strchr(p, ';')) == NULL)
			return false;
		p++;
	}
	end = strchr(p, ';');
	if (end == NULL)
		end = p + strlen(p);
	return (size_t)(end - p) == strlen(want) &&
	    strncmp(p, want, (size_t)(end - p)) == 0;
}

static bool
logsearch_match(const struct logsearch_query *q,
    const struct logsearch_line *l)
{
	int hf, sf;
	size_t i;

	if (l->when < q->since || l->when > q->until)
		return false;
	if (q->ntypes > 0) {
		for (i = 0; i < q->ntypes; i++)
			if (logsearch_type_is(l, q->types[i]))
				break;
		if (i == q->ntypes)
			return false;
	}
	if (q->host == NULL && q->service == NULL)
		return true;
	logsearch_fields(l, &hf, &sf);
	if (q->host != NULL && !logsearch_field_is(l->fields, hf, q->host))
		return false;
	if (q->service != NULL &&
	    !logsearch_field_is(l->fields, sf, q->service))
		return false;
	return true;
}

/* ---- output ---- */

/* Print a line, with control characters (C0 but tab, DEL, C1) replaced
 * by '?' when sanitizing. */
static void
logsearch_put(FILE *out, const char *s, bool sanitize)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!sanitize) {
		fputs(s, out);
		fputc('\n', out);
		return;
	}
	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			fputc('?', out);
		} else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fputc('?', out);
			p++;
		} else {
			fputc(*p, out);
		}
	}
	fputc('\n', out);
}

static int
logsearch_emit(struct logsearch_ctx *c, const char *line)
{
	size_t slot, lim = c->q->limit;
	char *copy;

	c->st->matched++;
	if (lim == 0) {
		logsearch_put(c->out, line, c->q->sanitize);
		return 0;
	}
	if ((copy = strdup(line)) == NULL)
		return -ENOMEM;
	if (c->kept < lim) {
		slot = (c->head + c->kept++) % lim;
	} else {
		slot = c->head;
		free(c->ring[slot]);
		c->head = (c->head + 1) % lim;
	}
	c->ring[slot] = copy;
	return 0;
}

static void
logsearch_flush_ring(struct logsearch_ctx *c)
{
	size_t i, slot;

	for (i = 0; i < c->kept; i++) {
		slot = (c->head + i) % c->q->limit;
		logsearch_put(c->out, c->ring[slot], c->q->sanitize);
		free(c->ring[slot]);
	}
	c->kept = 0;
}

/* ---- files ---- */

static void
logsearch_fail(struct logsearch_ctx *c, int rc, const char *path)
{
	c->st->failed++;
	if (c->rc != 0)
		return;
	c->rc = rc;
	snprintf(c->err, c->errlen, "cannot read %s: %s", path,
	    strerror(-rc));
}

/* Search one file. Returns 0, or -ENOMEM (read errors are recorded in
 * the context and the search goes on). */
static int
logsearch_file(struct logsearch_ctx *c, const char *path)
{
	struct logsearch_line l;
	char *buf;
	bool bad;
	FILE *fp;
	int rc = 0;

	if ((fp = fopen(path, "re")) == NULL) {
		logsearch_fail(c, -errno, path);
		return 0;
	}
	if ((buf = malloc(LOGSEARCH_LINE)) == NULL) {
		fclose(fp);
		return -ENOMEM;
	}
	c->st->files++;
	while (logsearch_getline(fp, buf, LOGSEARCH_LINE, &bad) >= 0) {
		c->st->lines++;
		if (bad || !logsearch_parse_line(buf, &l)) {
			c->st->malformed++;
			continue;
		}
		if (logsearch_match(c->q, &l) &&
		    (rc = logsearch_emit(c, buf)) != 0)
			break;
	}
	if (rc == 0 && ferror(fp))
		logsearch_fail(c, -EIO, path);
	free(buf);
	fclose(fp);
	return rc;
}

static int
logsearch_file_cmp(const void *a, const void *b)
{
	const struct logsearch_file *x = a, *y = b;

	if (x->when != y->when)
		return x->when < y->when ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void
logsearch_files_free(struct logsearch_file *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(f[i].path);
	free(f);
}

/* Add dir/name to the list. */
static int
logsearch_add(struct logsearch_file **f, size_t *n, size_t *cap,
    const char *dir, const char *name, int64_t when)
{
	struct logsearch_file *nf;
	size_t len = strlen(dir) + strlen(name) + 2;

	if (*n == *cap) {
		*cap = *cap != 0 ? *cap * 2 : 64;
		if ((nf = realloc(*f, *cap * sizeof(**f))) == NULL)
			return -ENOMEM;
		*f = nf;
	}
	if (((*f)[*n].path = malloc(len)) == NULL)
		return -ENOMEM;
	snprintf((*f)[*n].path, len, "%s/%s", dir, name);
	(*f)[*n].when = when;
	(*n)++;
	return 0;
}

/* The archives in dir, oldest first. Caller frees with
 * logsearch_files_free(). */
static int
logsearch_archives(struct logsearch_ctx *c, const char *dir,
    struct logsearch_file **out, size_t *nout)
{
	struct logsearch_file *f = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int64_t when;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if ((d = opendir(dir)) == NULL) {
		logsearch_fail(c, -errno, dir);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (logarch_name_parse(de->d_name, &when) == 0 &&
		    (rc = logsearch_add(&f, &n, &cap, dir, de->d_name,
		         when)) != 0)
			break;
	closedir(d);
	if (rc != 0) {
		logsearch_files_free(f, n);
		return rc;
	}
	if (n > 0)
		qsort(f, n, sizeof(*f), logsearch_file_cmp);
	*out = f;
	*nout = n;
	return 0;
}

/* Can a file holding events from start to end meet the window? */
static bool
logsearch_overlaps(const struct logsearch_query *q, int64_t start,
    int64_t end)
{
	return start <= q->until && end >= q->since;
}

static int
logsearch_all(struct logsearch_ctx *c, const char *log_path,
    const char *archive_dir)
{
	struct logsearch_file *f = NULL;
	int64_t start = INT64_MIN;
	size_t n = 0, i;
	int rc = 0;

	if (archive_dir != NULL &&
	    (rc = logsearch_archives(c, archive_dir, &f, &n)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		if (logsearch_overlaps(c->q, start,
		        f[i].when + LOGSEARCH_SLACK))
			rc = logsearch_file(c, f[i].path);
		start = f[i].when - LOGSEARCH_SLACK;
	}
	if (rc == 0 && log_path != NULL &&
	    logsearch_overlaps(c->q, start, INT64_MAX))
		rc = logsearch_file(c, log_path);
	logsearch_files_free(f, n);
	return rc;
}

int
logsearch_run(const char *log_path, const char *archive_dir,
    const struct logsearch_query *q, FILE *out, struct logsearch_stats *st,
    char *err, size_t errlen)
{
	struct logsearch_ctx c;
	size_t i;
	int rc;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	c.q = q;
	c.out = out;
	c.st = st;
	c.err = err;
	c.errlen = errlen;
	if (q->limit > 0 &&
	    (c.ring = calloc(q->limit, sizeof(*c.ring))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = logsearch_all(&c, log_path, archive_dir);
	if (rc == 0 && q->limit > 0)
		logsearch_flush_ring(&c);
	for (i = 0; i < c.kept; i++)
		free(c.ring[(c.head + i) % q->limit]);
	free(c.ring);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	return c.rc;
}

/* ---- time arguments ---- */

/* n decimal digits at s into *v. */
static bool
logsearch_digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* "-30m": now minus an amount of s, m, h, d or w. */
static int
logsearch_ago(const char *s, int64_t now, int64_t *out)
{
	static const char units[] = "smhdw";
	static const long mult[] = {1, 60, 3600, 86400, 604800};
	char num[24];
	size_t n = strlen(s);
	const char *u;
	long v;

	if (n < 2 || n - 1 >= sizeof(num) ||
	    (u = strchr(units, s[n - 1])) == NULL)
		return -EINVAL;
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	if (strnum_long(num, 0, LOGSEARCH_MAX_AGO / mult[u - units], &v) !=
	    0)
		return -EINVAL;
	*out = now - (int64_t)v * mult[u - units];
	return 0;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS]]" in local time. */
static int
logsearch_date(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t n = strlen(s);
	struct tm tm;
	time_t t;

	if ((n != 10 && n != 16 && n != 19) ||
	    !logsearch_digits(s, 4, &y) || s[4] != '-' ||
	    !logsearch_digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !logsearch_digits(s + 8, 2, &d))
		return -EINVAL;
	if (n > 10 && ((s[10] != ' ' && s[10] != 'T') ||
	                  !logsearch_digits(s + 11, 2, &h) || s[13] != ':' ||
	                  !logsearch_digits(s + 14, 2, &mi)))
		return -EINVAL;
	if (n == 19 && (s[16] != ':' || !logsearch_digits(s + 17, 2, &se)))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || tm.tm_mon != mo - 1)
		return -EINVAL; /* e.g. 2025-02-30 */
	*out = (int64_t)t;
	return 0;
}

int
logsearch_parse_time(const char *s, int64_t now, int64_t *out)
{
	long v;

	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (s[0] == '-')
		return logsearch_ago(s + 1, now, out);
	if (strnum_long(s, 0, LONG_MAX, &v) == 0) {
		*out = v;
		return 0;
	}
	return logsearch_date(s, out);
}

/* ---- the command ---- */

struct logsearch_opts {
	struct logsearch_query q;
	const char *types[LOGSEARCH_MAX_TYPES];
	const char *cfg;     /* borrowed */
	const char *log;     /* borrowed from argv */
	const char *archive; /* borrowed from argv */
	char *cfg_log;       /* owned: from the main config */
	char *cfg_archive;   /* owned */
	bool verbose;
};

static void
logsearch_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos [-c MAIN_CFG] log [--since TIME] [--until TIME] "
	    "[--host H]\n"
	    "           [--service S] [--type TYPE]... [--log FILE] "
	    "[--archive DIR]\n"
	    "           [-n N] [-v]\n"
	    "\n"
	    "Search the event log and its archives; print matching lines "
	    "oldest first.\n"
	    "\n"
	    "  --since, --until TIME  the window (inclusive): an epoch, now, "
	    "YYYY-MM-DD\n"
	    "                  [HH:MM[:SS]] in local time, or -30s -15m -1h "
	    "-2d -1w ago\n"
	    "  --host H        lines about host H (its services included)\n"
	    "  --service S     service lines about service S\n"
	    "  --type TYPE     lines of this type, e.g. 'HOST ALERT', "
	    "'SERVICE ALERT',\n"
	    "                  'HOST NOTIFICATION', 'EXTERNAL COMMAND' "
	    "(repeat for any)\n"
	    "  --log FILE      the current log (default: log_file= of the "
	    "main config)\n"
	    "  --archive DIR   the archives (default: log_archive_path=, "
	    "else the\n"
	    "                  folder archives next to the log)\n"
	    "  -c MAIN_CFG     the main config (default %s)\n"
	    "  -n N            only the last N matching lines\n"
	    "  -v              counts on stderr (files, lines, matches, "
	    "malformed)\n"
	    "\n"
	    "exit status: 0 ok, 1 a file could not be read, 2 usage error\n",
	    LOGSEARCH_DEFAULT_CFG);
}

static int
logsearch_usage_error(const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos log: %s '%s'\n", what, arg);
	else
		fprintf(stderr, "pharos log: %s\n", what);
	fprintf(stderr, "Try 'pharos log --help'.\n");
	return LOGSEARCH_EXIT_USAGE;
}

/* log_file and log_archive_path of the main config (maincfg.h). */
static int
logsearch_read_cfg(struct logsearch_opts *o)
{
	static const char *const keys[] = { "log_file", "log_archive_path" };
	char *v[2], err[512];
	int rc;

	if ((rc = maincfg_paths(o->cfg, keys, v, 2, err, sizeof(err))) != 0) {
		fprintf(stderr, "pharos log: %s\n", err);
		return rc;
	}
	free(o->cfg_log);
	free(o->cfg_archive);
	o->cfg_log = v[0];
	o->cfg_archive = v[1];
	return 0;
}

/* The default archive folder: "archives" next to the log, when it is a
 * folder. Caller frees; NULL when there is none. */
static char *
logsearch_default_archive(const char *log)
{
	const char *slash = strrchr(log, '/');
	struct stat st;
	size_t len;
	char *p;

	len = (slash != NULL ? (size_t)(slash - log) : 1) + sizeof("/archives");
	if ((p = malloc(len)) == NULL)
		return NULL;
	snprintf(p, len, "%.*s/archives",
	    slash != NULL ? (int)(slash - log) : 1, slash != NULL ? log : ".");
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
		free(p);
		return NULL;
	}
	return p;
}

/* Decide the paths: explicit ones, else the main config's. */
static int
logsearch_paths(struct logsearch_opts *o, const char **log,
    const char **archive)
{
	*log = o->log;
	*archive = o->archive;
	if (o->log != NULL && o->cfg == NULL)
		return 0;
	if (o->cfg == NULL)
		o->cfg = LOGSEARCH_DEFAULT_CFG;
	if (logsearch_read_cfg(o) != 0)
		return LOGSEARCH_EXIT_USAGE;
	if (*log == NULL)
		*log = o->cfg_log;
	if (*log == NULL)
		return logsearch_usage_error("no log_file in the main config; "
		                             "give --log", NULL);
	if (*archive == NULL && o->cfg_archive == NULL)
		o->cfg_archive = logsearch_default_archive(*log);
	if (*archive == NULL)
		*archive = o->cfg_archive;
	return 0;
}

static int
logsearch_opt_time(const char *arg, int64_t *out)
{
	if (logsearch_parse_time(arg, (int64_t)time(NULL), out) != 0)
		return logsearch_usage_error("bad TIME (epoch, YYYY-MM-DD "
		                             "[HH:MM[:SS]], -1h)", arg);
	return 0;
}

static int
logsearch_opt(struct logsearch_opts *o, int ch, const char *arg)
{
	long v;

	switch (ch) {
	case 'S':
		return logsearch_opt_time(arg, &o->q.since);
	case 'U':
		return logsearch_opt_time(arg, &o->q.until);
	case 'H':
		o->q.host = arg;
		return 0;
	case 'D':
		o->q.service = arg;
		return 0;
	case 'T':
		if (o->q.ntypes == LOGSEARCH_MAX_TYPES)
			return logsearch_usage_error("too many --type", NULL);
		o->types[o->q.ntypes++] = arg;
		return 0;
	case 'L':
		o->log = arg;
		return 0;
	case 'A':
		o->archive = arg;
		return 0;
	case 'c':
		o->cfg = arg;
		return 0;
	case 'n':
		if (strnum_long(arg, 1, LOGSEARCH_MAX_LIMIT, &v) != 0)
			return logsearch_usage_error("-n takes 1 to 1000000, "
			                             "not", arg);
		o->q.limit = (size_t)v;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	default:
		return logsearch_usage_error("unknown option", NULL);
	}
}

static int
logsearch_args(struct logsearch_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"since", required_argument, NULL, 'S'},
	    {"until", required_argument, NULL, 'U'},
	    {"host", required_argument, NULL, 'H'},
	    {"service", required_argument, NULL, 'D'},
	    {"type", required_argument, NULL, 'T'},
	    {"log", required_argument, NULL, 'L'},
	    {"archive", required_argument, NULL, 'A'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+c:n:vh", longopts, NULL)) !=
	       -1) {
		if (ch == 'h') {
			logsearch_usage(stdout);
			return -1;
		}
		if (ch == '?')
			return LOGSEARCH_EXIT_USAGE;
		if ((rc = logsearch_opt(o, ch, optarg)) != 0)
			return rc;
	}
	if (optind < argc)
		return logsearch_usage_error("unexpected argument",
		                             argv[optind]);
	if (o->q.since > o->q.until)
		return logsearch_usage_error("--since is after --until", NULL);
	return 0;
}

int
logsearch_main(int argc, char **argv, const char *cfg)
{
	struct logsearch_opts o;
	struct logsearch_stats st;
	const char *log, *archive;
	char err[512];
	int rc;

	memset(&o, 0, sizeof(o));
	o.q.since = INT64_MIN;
	o.q.until = INT64_MAX;
	o.q.types = o.types;
	o.cfg = cfg;
	if ((rc = logsearch_args(&o, argc, argv)) != 0)
		return rc < 0 ? LOGSEARCH_EXIT_OK : rc;
	if ((rc = logsearch_paths(&o, &log, &archive)) != 0)
		goto out;
	o.q.sanitize = isatty(fileno(stdout)) == 1;
	rc = logsearch_run(log, archive, &o.q, stdout, &st, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "pharos log: %s\n", err);
	if (o.verbose)
		fprintf(stderr, "pharos log: %zu files, %zu lines, %zu "
		    "matched, %zu malformed lines skipped\n", st.files,
		    st.lines, st.matched, st.malformed);
	if (fflush(stdout) != 0 && rc == 0)
		rc = -EIO;
	rc = rc == 0 ? LOGSEARCH_EXIT_OK
	    : rc == -ENOMEM ? LOGSEARCH_EXIT_USAGE : LOGSEARCH_EXIT_READ;
out:
	free(o.cfg_log);
	free(o.cfg_archive);
	return rc;
}
