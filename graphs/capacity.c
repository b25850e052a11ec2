/*
 * capacity: statistics over RRD rows for capacity planning.
 *
 * Keeps no state: every function works on the caller's arrays or on one
 * librrd fetch that it frees before returning. Invariants of the numbers:
 * unknown rows (NaN) never enter a statistic; a report is only made from
 * at least one known row; a trend needs two rows at distinct times, and
 * without one the slope is 0 (so the outlook is ABOVE or NEVER, never a
 * date made up from one point).
 *
 * Trade-off: the trend is an ordinary least-squares line over every known
 * row of the period, as rrdtool's LSLSLOPE/LSLINT compute it. It is cheap
 * and explainable, but sensitive to a step change (a link upgraded in the
 * middle of the period tilts the line); the report shows the 95th
 * percentile and the current value beside it so a reader can tell.
 */
#include "capacity.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rrd.h>

#include "store.h"

#define CAPACITY_PATH_MAX	4096

/* --- pure statistics ------------------------------------------------- */

static int
capacity_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
capacity_percentile(double *values, size_t n, unsigned int pct)
{
	size_t known = 0, i, rank;

	if (pct < 1 || pct > 100)
		return NAN;
	for (i = 0; i < n; i++)
		if (!isnan(values[i]))
			values[known++] = values[i];
	for (i = known; i < n; i++)
		values[i] = NAN;	/* the same values, reordered */
	if (known == 0)
		return NAN;
	qsort(values, known, sizeof(*values), capacity_cmp_double);
	/* ceil(pct * known / 100) in integers; known <= SIZE_MAX / 100 for
	 * any array that fits in memory. */
	rank = (pct * known + 99) / 100;
	if (rank < 1)
		rank = 1;
	return values[rank - 1];
}

int
capacity_fit(const double *x, const double *y, size_t n,
    struct capacity_trend *out)
{
	double mx = 0, my = 0, sxx = 0, sxy = 0, dx;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		mx += x[i];
		my += y[i];
		k++;
	}
	out->n = k;
	out->slope = 0;
	out->intercept = k > 0 ? my / (double)k : NAN;
	if (k < 2)
		return -ENODATA;
	mx /= (double)k;
	my /= (double)k;
	for (i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		dx = x[i] - mx;
		sxx += dx * dx;
		sxy += dx * (y[i] - my);
	}
	out->intercept = my;
	if (sxx == 0)
		return -EDOM;
	out->slope = sxy / sxx;
	out->intercept = my - out->slope * mx;
	return 0;
}

enum capacity_outlook
capacity_project(double now_value, double slope_per_day, int64_t now,
    double threshold, int64_t *cross, double *days)
{
	double d, at;

	*cross = 0;
	*days = 0;
	if (now_value >= threshold) {
		*cross = now;
		return CAPACITY_ABOVE;
	}
	if (!(slope_per_day > 0) || !isfinite(slope_per_day))
		return CAPACITY_NEVER;
	d = (threshold - now_value) / slope_per_day;
	at = (double)now + d * CAPACITY_DAY;
	/* 9.2e18 s: anything near it is "never" for all practical uses. */
	if (!isfinite(at) || at >= 9.0e18)
		return CAPACITY_NEVER;
	*days = d;
	*cross = (int64_t)llround(at);
	return CAPACITY_CROSSES;
}

/* --- one file ---------------------------------------------------------- */

static const char *
capacity_rrd_error(void)
{
	const char *e = rrd_get_error();

	return e != NULL && e[0] != '\0' ? e : "unknown librrd error";
}

/* The statistics of column col of a fetch of rows rows from start. */
static int
capacity_compute(const rrd_value_t *data, unsigned long rows,
    unsigned long ncol, unsigned long col, time_t start, unsigned long step,
    int64_t end, double threshold, struct capacity_report *r)
{
	double *x = NULL, *y = NULL, v;
	struct capacity_trend t;
	unsigned long i;
	size_t k = 0;
	int rc;

	memset(r, 0, sizeof(*r));
	r->end = end;
	r->step = (int64_t)step;
	r->max = -INFINITY;
	x = malloc((rows > 0 ? rows : 1) * sizeof(*x));
	y = malloc((rows > 0 ? rows : 1) * sizeof(*y));
	if (x == NULL || y == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < rows; i++) {
		v = data[i * ncol + col];
		if (isnan(v))
			continue;
		/* Row i covers (start + i * step, start + (i + 1) * step]. */
		x[k] = ((double)start + (double)(i + 1) * (double)step -
		    (double)end) / CAPACITY_DAY;
		y[k] = v;
		r->current = v;
		if (v > r->max)
			r->max = v;
		k++;
	}
	r->samples = k;
	if (k == 0) {
		rc = -ENODATA;
		goto out;
	}
	rc = capacity_fit(x, y, k, &t);
	/* One row (or all at one time): no slope, the level is the mean. */
	r->slope = rc == 0 ? t.slope : 0;
	r->intercept = t.intercept;
	r->p95 = capacity_percentile(y, k, 95);
	r->outlook = capacity_project(r->intercept, r->slope, end, threshold,
	    &r->cross, &r->days_left);
	rc = 0;
out:
	free(x);
	free(y);
	return rc;
}

int
capacity_read(const char *path, const char *ds, int64_t end, int64_t period,
    double threshold, struct capacity_report *out, char *err, size_t errlen)
{
	time_t start = (time_t)(end - period), stop = (time_t)end;
	unsigned long step = 1, ncol = 0, i, col = ULONG_MAX, rows;
	char **names = NULL;
	rrd_value_t *data = NULL;
	int rc;

	rrd_clear_error();
	if (rrd_fetch_r(path, "AVERAGE", &start, &stop, &step, &ncol, &names,
	    &data) != 0) {
		snprintf(err, errlen, "%s: %s", path, capacity_rrd_error());
		rrd_clear_error();
		return -EIO;
	}
	for (i = 0; i < ncol; i++)
		if (col == ULONG_MAX && strcmp(names[i], ds) == 0)
			col = i;
	rows = step > 0 && stop > start ?
	    (unsigned long)(stop - start) / step : 0;
	if (col == ULONG_MAX)
		rc = -ENOENT;
	else
		rc = capacity_compute(data, rows, ncol, col, start, step, end,
		    threshold, out);
	for (i = 0; i < ncol; i++)
		rrd_freemem(names[i]);
	rrd_freemem(names);
	rrd_freemem(data);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return rc;
}

/* --- names --------------------------------------------------------------- */

static int
capacity_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;	/* the store writes upper case only */
}

static int
capacity_is_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/*
 * Only the exact output of store_name_escape() decodes: a safe byte kept
 * as is (a leading '.' never), %XX only for a byte the store escapes. So
 * decoding is the inverse of escaping, and a name put there by hand shows
 * as its file name instead of a guess.
 */
char *
capacity_name_decode(const char *name)
{
	size_t len = strlen(name), i, n = 0;
	char *out;
	int hi, lo;

	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	if (strcmp(name, "%") == 0) {
		out[0] = '\0';
		return out;
	}
	if (len == 0)
		goto bad;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c != '%') {
			if (!capacity_is_safe(c) || (i == 0 && c == '.'))
				goto bad;
			out[n++] = (char)c;
			continue;
		}
		if (i + 2 >= len)
			goto bad;
		if ((hi = capacity_hex(name[i + 1])) < 0 ||
		    (lo = capacity_hex(name[i + 2])) < 0)
			goto bad;
		c = (unsigned char)(hi << 4 | lo);
		if (c == '\0' || (capacity_is_safe(c) && !(i == 0 && c == '.')))
			goto bad;
		out[n++] = (char)c;
		i += 2;
	}
	out[n] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* --- the scan -------------------------------------------------------------- */

/* The order of reports alone (capacity_entry_cmp without the names). */
static int
capacity_report_cmp(const struct capacity_report *a,
    const struct capacity_report *b)
{
	if (a->outlook != b->outlook)
		return a->outlook < b->outlook ? -1 : 1;
	if (a->outlook == CAPACITY_CROSSES && a->cross != b->cross)
		return a->cross < b->cross ? -1 : 1;
	if (a->p95 != b->p95)
		return a->p95 > b->p95 ? -1 : 1;
	return 0;
}

int
capacity_entry_cmp(const struct capacity_entry *a,
    const struct capacity_entry *b)
{
	int c;

	if ((c = capacity_report_cmp(&a->r, &b->r)) != 0)
		return c;
	if ((c = strcmp(a->host, b->host)) != 0)
		return c;
	if (a->service == NULL || b->service == NULL)
		return (a->service != NULL) - (b->service != NULL);
	return strcmp(a->service, b->service);
}

static int
capacity_qsort_cmp(const void *a, const void *b)
{
	return capacity_entry_cmp(a, b);
}

void
capacity_entries_free(struct capacity_entry *e, size_t n)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(e[i].host);
		free(e[i].service);
	}
	free(e);
}

struct capacity_scan {
	const struct capacity_query *q;
	int64_t end;
	char ds[STORE_DS_NAME_MAX + 1];	/* the metric's DS (not if_util) */
	struct capacity_entry *e;
	size_t n, cap, skipped;
	char first_err[256];		/* of the first file skipped */
};

/* Keep the first librrd error of the scan; returns rc. */
static int
capacity_scan_error(struct capacity_scan *sc, int rc, const char *err)
{
	if (sc->first_err[0] == '\0')
		snprintf(sc->first_err, sizeof(sc->first_err), "%s", err);
	return rc;
}

/* The report of the query's metric in path into *e (e->r, e->ds).
 * Returns 0, -ENOENT when the file lacks it, or another -errno. */
static int
capacity_scan_file(struct capacity_scan *sc, const char *path,
    struct capacity_entry *e)
{
	static const char *const dir[2] = { "in_util", "out_util" };
	struct capacity_entry other;
	char err[256];
	int rc, i, found = 0;

	if (sc->q->metric != NULL) {
		snprintf(e->metric, sizeof(e->metric), "%s", sc->q->metric);
		snprintf(e->ds, sizeof(e->ds), "%s", sc->ds);
		rc = capacity_read(path, sc->ds, sc->end, sc->q->period,
		    sc->q->threshold, &e->r, err, sizeof(err));
		return rc == -EIO ? capacity_scan_error(sc, rc, err) : rc;
	}
	snprintf(e->metric, sizeof(e->metric), "%s", CAPACITY_IF_UTIL);
	for (i = 0; i < 2; i++) {
		other = *e;
		rc = capacity_read(path, dir[i], sc->end, sc->q->period,
		    sc->q->threshold, &other.r, err, sizeof(err));
		if (rc == -ENOENT || rc == -ENODATA)
			continue;
		if (rc != 0)
			return capacity_scan_error(sc, rc, err);
		snprintf(other.ds, sizeof(other.ds), "%s", dir[i]);
		/* The worse direction: the one that sorts first. */
		if (!found || capacity_report_cmp(&other.r, &e->r) < 0)
			*e = other;
		found = 1;
	}
	return found ? 0 : -ENOENT;
}

/* The service of file name fname (without ".rrd") into e. */
static int
capacity_scan_names(struct capacity_entry *e, const char *hostdir,
    const char *fname)
{
	if ((e->host = capacity_name_decode(hostdir)) == NULL &&
	    (e->host = strdup(hostdir)) == NULL)
		return -ENOMEM;
	if (strcmp(fname, "_HOST_") == 0)
		return 0;	/* the host check */
	if (strcmp(fname, "%5FHOST_") == 0)
		e->service = strdup("_HOST_");
	else if ((e->service = capacity_name_decode(fname)) == NULL)
		e->service = strdup(fname);
	return e->service != NULL ? 0 : -ENOMEM;
}

static int
capacity_scan_add(struct capacity_scan *sc, const char *hostdir,
    const char *file, const char *path)
{
	struct capacity_entry e, *ne;
	char fname[CAPACITY_PATH_MAX];
	size_t len = strlen(file);
	int rc;

	memset(&e, 0, sizeof(e));
	rc = capacity_scan_file(sc, path, &e);
	if (rc == -ENOENT || rc == -ENODATA)
		return 0;
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0) {
		sc->skipped++;
		return 0;
	}
	snprintf(fname, sizeof(fname), "%.*s", (int)(len - 4), file);
	if (sc->n == sc->cap) {
		size_t cap = sc->cap > 0 ? 2 * sc->cap : 64;

		if ((ne = realloc(sc->e, cap * sizeof(*ne))) == NULL)
			return -ENOMEM;
		sc->e = ne;
		sc->cap = cap;
	}
	if ((rc = capacity_scan_names(&e, hostdir, fname)) != 0) {
		free(e.host);
		free(e.service);
		return rc;
	}
	sc->e[sc->n++] = e;
	return 0;
}

/* Every <name>.rrd regular file of one host's directory. */
static int
capacity_scan_host(struct capacity_scan *sc, const char *rrd_dir,
    const char *hostdir)
{
	char path[CAPACITY_PATH_MAX];
	struct dirent *de;
	struct stat st;
	size_t len;
	DIR *d;
	int rc = 0, w;

	w = snprintf(path, sizeof(path), "%s/%s", rrd_dir, hostdir);
	if (w < 0 || (size_t)w >= sizeof(path) || (d = opendir(path)) == NULL)
		return 0;	/* not a directory, or gone */
	while (rc == 0 && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 4 ||
		    strcmp(de->d_name + len - 4, ".rrd") != 0)
			continue;
		w = snprintf(path, sizeof(path), "%s/%s/%s", rrd_dir, hostdir,
		    de->d_name);
		if (w < 0 || (size_t)w >= sizeof(path) ||
		    stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		rc = capacity_scan_add(sc, hostdir, de->d_name, path);
	}
	closedir(d);
	return rc;
}

int
capacity_scan(const char *rrd_dir, const struct capacity_query *q,
    struct capacity_entry **out, size_t *n, size_t *skipped, char *err,
    size_t errlen)
{
	struct capacity_scan sc;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*out = NULL;
	*n = 0;
	memset(&sc, 0, sizeof(sc));
	sc.q = q;
	sc.end = q->end != 0 ? q->end : (int64_t)time(NULL);
	if (q->metric != NULL)
		store_ds_name(q->metric, sc.ds);
	if ((d = opendir(rrd_dir)) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", rrd_dir, strerror(errno));
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;	/* ".", "..": the store never makes them */
		rc = capacity_scan_host(&sc, rrd_dir, de->d_name);
	}
	closedir(d);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory");
		capacity_entries_free(sc.e, sc.n);
		return rc;
	}
	if (sc.n > 1)
		qsort(sc.e, sc.n, sizeof(*sc.e), capacity_qsort_cmp);
	*out = sc.e;
	*n = sc.n;
	if (skipped != NULL)
		*skipped = sc.skipped;
	snprintf(err, errlen, "%s", sc.first_err);
	return 0;
}
