/*
 * store: a bounded FIFO of parsed updates between the event loop thread
 * and one writer thread, and the writer's view of the RRD files.
 *
 * Invariants:
 * - The ring (ring, head, count <= cap) and the flags paused/stopping are
 *   only touched under mu. The loop thread holds mu only to enqueue; it
 *   never waits for space: a full ring drops the update and counts it.
 * - Every librrd call and every file system call runs on the writer
 *   thread. librrd 1.7 keeps its error string per thread, and only the
 *   writer uses librrd, so rrd_clear_error()/rrd_get_error() are safe.
 * - The writer's file table (files[]) caches, per path, the DS names of
 *   the file and the time of its last update. An entry is dropped whenever
 *   librrd reports an error for the file, so the next update re-reads the
 *   file instead of trusting a stale view.
 * - Counters are atomics: written by either thread, read by any.
 *
 * Trade-off: the writer takes up to STORE_BATCH updates at a time and
 * merges those for the same file and the same second (later values win
 * per label, labels are united), because RRD refuses a second update at
 * the same timestamp. An update whose second was already written is not
 * merged but dropped and counted as stale.
 *
 * With rrdcached (rc != NULL; store_rrdcached.c), files are still created,
 * read and tuned with librrd, but updates become UPDATE lines with the
 * values in the file's DS order (rrdcached takes no template). The writer
 * dequeues only while connected and with nothing pending, so while
 * rrdcached is down updates wait in the ring and its bound applies.
 * f->last is set when a line is queued for rrdcached, so the same-second
 * rules above hold unchanged.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rrd.h>

#include "log.h"
#include "perfdata.h"
#include "store_rrdcached.h"

#define STORE_BATCH		256
#define STORE_BUCKETS		4096
#define STORE_DIR_MAX		3000	/* bytes of rrd_dir */
#define STORE_STEP_DEFAULT	300
#define STORE_STEP_MAX		86400
#define STORE_HB_MIN		60
#define STORE_VALUE_MAX		31
#define STORE_DEF_MAX		64	/* bytes of a DS: or RRA: */
#define STORE_RRA_MAX		12
#define STORE_LOG_INTERVAL_NS	(60LL * 1000000000LL)

enum store_ctr {
	STORE_C_SUBMITTED,
	STORE_C_WRITTEN,
	STORE_C_DROPPED,
	STORE_C_BAD_ITEMS,
	STORE_C_BAD_NAMES,
	STORE_C_RRD_ERRORS,
	STORE_C_CREATED,
	STORE_C_DS_ADDED,
	STORE_C_DS_REFUSED,
	STORE_C_COALESCED,
	STORE_C_STALE,
	STORE_C_COUNT
};

struct store_item {
	char ds[STORE_DS_NAME_MAX + 1];
	char value[STORE_VALUE_MAX + 1];	/* "U" or a number */
	int derive;				/* UOM "c" */
};

/* One queued update; owned by the ring, then by the writer. */
struct store_update {
	char *path;		/* owned */
	int64_t when;
	int64_t step;
	size_t n;
	struct store_item items[];
};

/* The writer's view of one RRD file. */
struct store_file {
	struct store_file *next;
	char *path;				/* owned */
	int64_t last;				/* last update, epoch s */
	int refused;				/* by rrdcached: reload */
	size_t nds;
	char (*ds)[STORE_DS_NAME_MAX + 1];	/* owned, nds entries */
};

struct store {
	char *dir;				/* owned */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	struct store_update **ring;		/* owned, cap entries */
	size_t cap, head, count;
	int paused, stopping;			/* under mu */
	int started, stopped;			/* caller's thread only */
	pthread_t thread;
	atomic_uint_least64_t ctr[STORE_C_COUNT];
	struct store_rc *rc;			/* owned; NULL: direct */

	/* Scratch of the submitting thread. */
	struct perfdata_item items[PERFDATA_ITEMS_MAX];
	char path[PATH_MAX];

	/* Writer thread only. */
	struct store_file *files[STORE_BUCKETS];
	struct store_update *batch[STORE_BATCH];
	struct store_item merged[STORE_FILE_DS_MAX];
	int keep[STORE_FILE_DS_MAX];
	char defs[STORE_FILE_DS_MAX + STORE_RRA_MAX][STORE_DEF_MAX];
	const char *argv[STORE_FILE_DS_MAX + STORE_RRA_MAX + 2];
	char tmpl[STORE_FILE_DS_MAX * (STORE_DS_NAME_MAX + 1) + 1];
	char vals[32 + STORE_FILE_DS_MAX * (STORE_VALUE_MAX + 1)];
	int64_t log_last_ns;
	uint64_t log_suppressed;
};

static void
store_count(struct store *s, enum store_ctr c, uint64_t n)
{
	atomic_fetch_add_explicit(&s->ctr[c], n, memory_order_relaxed);
}

static uint32_t
store_hash(const char *str)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *str != '\0'; str++) {
		h ^= (unsigned char)*str;
		h *= 16777619u;
	}
	return h;
}

/* --- names ------------------------------------------------------------ */

static int
store_is_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

int
store_name_escape(const char *name, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t limit = len > 0 ? len - 1 : 0;
	size_t n = 0, i;

	if (limit > STORE_NAME_MAX)
		limit = STORE_NAME_MAX;
	if (name[0] == '\0') {
		if (limit < 1)
			return -ENAMETOOLONG;
		buf[0] = '%';	/* never the result of escaping a byte */
		buf[1] = '\0';
		return 0;
	}
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];

		if (store_is_safe(c) && !(i == 0 && c == '.')) {
			if (n + 1 > limit)
				return -ENAMETOOLONG;
			buf[n++] = (char)c;
		} else {
			if (n + 3 > limit)
				return -ENAMETOOLONG;
			buf[n++] = '%';
			buf[n++] = hex[c >> 4];
			buf[n++] = hex[c & 15];
		}
	}
	buf[n] = '\0';
	return 0;
}

void
store_ds_name(const char *label, char *out)
{
	size_t len = strlen(label), i;
	int clean = len >= 1 && len <= STORE_DS_NAME_MAX;

	for (i = 0; clean && i < len; i++)
		if (!store_is_safe((unsigned char)label[i]) ||
		    label[i] == '-' || label[i] == '.')
			clean = 0;
	if (clean) {
		memcpy(out, label, len + 1);
		return;
	}
	/* 12 sanitized bytes, '_', 6 hex digits: 19 bytes at most. */
	for (i = 0; i < len && i < 12; i++) {
		unsigned char c = (unsigned char)label[i];

		out[i] = store_is_safe(c) && c != '-' && c != '.' ?
		    (char)c : '_';
	}
	snprintf(out + i, STORE_DS_NAME_MAX + 1 - i, "_%06x",
	    (unsigned int)(store_hash(label) & 0xffffffu));
}

int
store_path(const char *rrd_dir, const char *host, const char *service,
    char *buf, size_t len)
{
	char h[STORE_NAME_MAX + 1], sv[STORE_NAME_MAX + 1];
	int n;

	if (store_name_escape(host, h, sizeof(h)) != 0)
		return -ENAMETOOLONG;
	if (service == NULL)
		snprintf(sv, sizeof(sv), "_HOST_");
	else if (strcmp(service, "_HOST_") == 0)
		snprintf(sv, sizeof(sv), "%%5FHOST_");	/* not the host */
	else if (store_name_escape(service, sv, sizeof(sv)) != 0)
		return -ENAMETOOLONG;
	n = snprintf(buf, len, "%s/%s/%s.rrd", rrd_dir, h, sv);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* --- the writer: errors ---------------------------------------------- */

static int64_t
store_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Log an error at most once a minute, with how many were suppressed. */
static void __attribute__((format(printf, 2, 3)))
store_log_error(struct store *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int64_t now = store_now_ns();

	if (s->log_last_ns != 0 &&
	    now - s->log_last_ns < STORE_LOG_INTERVAL_NS) {
		s->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->log_suppressed > 0)
		log_warnx("store: %s (%llu similar errors suppressed)", msg,
		    (unsigned long long)s->log_suppressed);
	else
		log_warnx("store: %s", msg);
	s->log_last_ns = now;
	s->log_suppressed = 0;
}

/* The current librrd error of this thread, never NULL. */
static const char *
store_rrd_error(void)
{
	const char *e = rrd_get_error();

	return e != NULL && e[0] != '\0' ? e : "unknown librrd error";
}

/* --- the writer: the file table -------------------------------------- */

static struct store_file **
store_file_slot(struct store *s, const char *path)
{
	struct store_file **fp = &s->files[store_hash(path) % STORE_BUCKETS];

	while (*fp != NULL && strcmp((*fp)->path, path) != 0)
		fp = &(*fp)->next;
	return fp;
}

static void
store_file_free(struct store_file *f)
{
	if (f == NULL)
		return;
	free(f->path);
	free(f->ds);
	free(f);
}

/* Forget what the table knows of path (after an error). */
static void
store_file_forget(struct store *s, const char *path)
{
	struct store_file **fp = store_file_slot(s, path);
	struct store_file *f = *fp;

	if (f != NULL) {
		*fp = f->next;
		store_file_free(f);
	}
}

static int
store_file_has(const struct store_file *f, const char *ds)
{
	size_t i;

	for (i = 0; i < f->nds; i++)
		if (strcmp(f->ds[i], ds) == 0)
			return 1;
	return 0;
}

static int
store_file_add_ds(struct store_file *f, const char *ds)
{
	char (*nds)[STORE_DS_NAME_MAX + 1];

	nds = realloc(f->ds, (f->nds + 1) * sizeof(*nds));
	if (nds == NULL)
		return -ENOMEM;
	f->ds = nds;
	snprintf(f->ds[f->nds++], sizeof(f->ds[0]), "%s", ds);
	return 0;
}

/* Read the DS names and last update of an existing file into the table.
 * Returns the entry, or NULL (logged and counted). */
static struct store_file *
store_file_load(struct store *s, const char *path)
{
	struct store_file *f = NULL, **fp;
	time_t last = 0;
	unsigned long cnt = 0, i;
	char **names = NULL, **lastds = NULL;

	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &cnt, &names, &lastds) != 0) {
		store_log_error(s, "%s: %s", path, store_rrd_error());
		store_count(s, STORE_C_RRD_ERRORS, 1);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->path = strdup(path)) == NULL)
		goto fail;
	f->last = (int64_t)last;
	for (i = 0; i < cnt; i++)
		if (store_file_add_ds(f, names[i]) != 0)
			goto fail;
	goto done;
fail:
	store_log_error(s, "%s: out of memory", path);
	store_file_free(f);
	f = NULL;
done:
	for (i = 0; i < cnt; i++) {
		rrd_freemem(names[i]);
		rrd_freemem(lastds[i]);
	}
	rrd_freemem(names);
	rrd_freemem(lastds);
	if (f != NULL) {
		fp = store_file_slot(s, path);
		f->next = *fp;
		*fp = f;
	}
	return f;
}

static void
store_def_ds(char *buf, const struct store_item *it, int64_t step)
{
	int64_t hb = 2 * step < STORE_HB_MIN ? STORE_HB_MIN : 2 * step;

	snprintf(buf, STORE_DEF_MAX, "DS:%s:%s:%lld:%s:U", it->ds,
	    it->derive ? "DERIVE" : "GAUGE", (long long)hb,
	    it->derive ? "0" : "U");
}

/*
 * The RRAs of a file with this step: AVERAGE, MIN and MAX at the step for
 * 2 days, then at the whole number of steps nearest below 5 minutes for
 * 31 days, 1 hour for 366 days and 1 day for 1830 days. A level whose
 * steps per row equal the previous level's merges into it (keeping the
 * longer span). Writes into s->defs from index at; returns the count.
 */
static size_t
store_def_rras(struct store *s, size_t at, int64_t step)
{
	static const int64_t level[4][2] = {
		{ 0, 2 * 86400 }, { 300, 31 * 86400 },
		{ 3600, 366 * 86400 }, { 86400, 1830 * 86400 },
	};
	static const char *const cf[3] = { "AVERAGE", "MIN", "MAX" };
	int64_t spr[4], rows[4];
	size_t nl = 0, i, k, n = 0;

	for (i = 0; i < 4; i++) {
		int64_t p = level[i][0] / step, r;

		if (p < 1)
			p = 1;
		r = (level[i][1] + p * step - 1) / (p * step);
		if (nl > 0 && spr[nl - 1] == p) {
			if (r > rows[nl - 1])
				rows[nl - 1] = r;
			continue;
		}
		spr[nl] = p;
		rows[nl++] = r;
	}
	for (i = 0; i < nl; i++)
		for (k = 0; k < 3; k++)
			snprintf(s->defs[at + n++], STORE_DEF_MAX,
			    "RRA:%s:0.5:%lld:%lld", cf[k],
			    (long long)spr[i], (long long)rows[i]);
	return n;
}

/* Create path with a DS per item, its directory first. Returns 0, or
 * -EEXIST when the file appeared meanwhile, or -EIO (logged, counted). */
static int
store_file_create(struct store *s, const char *path, int64_t when,
    int64_t step, const struct store_item *items, size_t n)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t i, nd;

	if (slash != NULL && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			store_log_error(s, "mkdir %s: %s", dir,
			    strerror(errno));
			store_count(s, STORE_C_RRD_ERRORS, 1);
			return -EIO;
		}
	}
	for (i = 0; i < n; i++)
		store_def_ds(s->defs[i], &items[i], step);
	nd = n + store_def_rras(s, n, step);
	for (i = 0; i < nd; i++)
		s->argv[i] = s->defs[i];
	rrd_clear_error();
	if (rrd_create_r2(path, (unsigned long)step, (time_t)(when - 1), 1,
	    NULL, NULL, (int)nd, s->argv) != 0) {
		if (access(path, F_OK) == 0)
			return -EEXIST;
		store_log_error(s, "create %s: %s", path, store_rrd_error());
		store_count(s, STORE_C_RRD_ERRORS, 1);
		return -EIO;
	}
	store_count(s, STORE_C_CREATED, 1);
	return 0;
}

/* The table entry of path, loading or creating the file. NULL on error
 * (logged and counted). */
static struct store_file *
store_file_get(struct store *s, const char *path, int64_t when,
    int64_t step, const struct store_item *items, size_t n)
{
	struct store_file *f = *store_file_slot(s, path);
	int rc;

	if (f != NULL && f->refused)
		store_file_forget(s, path);
	else if (f != NULL)
		return f;
	if (access(path, F_OK) != 0) {
		rc = store_file_create(s, path, when, step, items, n);
		if (rc != 0 && rc != -EEXIST)
			return NULL;
	} else if (s->rc != NULL) {
		/* What rrdcached holds for the file goes to disk first. */
		(void)store_rc_flush(s->rc, path);
	}
	return store_file_load(s, path);
}

/* Add the DSs of the kept items that the file lacks. Items beyond the
 * file's DS cap are un-kept and counted. Returns 0 or -EIO. */
static int
store_file_tune(struct store *s, struct store_file *f,
    const struct store_item *items, int *keep, size_t n, int64_t step)
{
	char *argv[STORE_FILE_DS_MAX + 2];
	size_t i, na = 0, have = f->nds;

	for (i = 0; i < n; i++) {
		if (!keep[i] || store_file_has(f, items[i].ds))
			continue;
		if (have + na >= STORE_FILE_DS_MAX) {
			keep[i] = 0;
			store_count(s, STORE_C_DS_REFUSED, 1);
			continue;
		}
		store_def_ds(s->defs[na], &items[i], step);
		argv[2 + na] = s->defs[na];
		na++;
	}
	if (na == 0)
		return 0;
	/* rrdcached must write what it holds with the old DS count first. */
	if (s->rc != NULL && (store_rc_flush(s->rc, f->path) != 0 ||
	    f->refused)) {
		store_log_error(s, "adding data sources to %s: rrdcached "
		    "unreachable", f->path);
		store_count(s, STORE_C_RRD_ERRORS, 1);
		return -EIO;
	}
	argv[0] = s->defs[STORE_FILE_DS_MAX];	/* "tune" */
	snprintf(argv[0], STORE_DEF_MAX, "tune");
	argv[1] = f->path;
	rrd_clear_error();
	if (rrd_tune((int)(na + 2), argv) != 0) {
		store_log_error(s, "adding data sources to %s: %s", f->path,
		    store_rrd_error());
		store_count(s, STORE_C_RRD_ERRORS, 1);
		return -EIO;
	}
	for (i = 0; i < na; i++) {
		char *name = argv[2 + i] + 3;	/* after "DS:" */

		*strchr(name, ':') = '\0';
		if (store_file_add_ds(f, name) != 0)
			return -EIO;
	}
	store_count(s, STORE_C_DS_ADDED, na);
	return 0;
}

/* --- the writer: updates --------------------------------------------- */

/* Queue the update of s->merged[0..n) (kept items) for rrdcached: the
 * values in the file's DS order, "U" for a DS without a value. */
static void
store_write_rc(struct store *s, struct store_file *f, int64_t when,
    size_t n)
{
	size_t i, k, vl = 0;
	const char *v;

	for (i = 0; i < f->nds; i++) {
		v = "U";
		for (k = 0; k < n; k++)
			if (s->keep[k] && strcmp(s->merged[k].ds, f->ds[i]) == 0)
				v = s->merged[k].value;
		vl += (size_t)snprintf(s->vals + vl, sizeof(s->vals) - vl,
		    "%s%s", i > 0 ? ":" : "", v);
	}
	if (store_rc_update(s->rc, f->path, when, s->vals) != 0) {
		store_log_error(s, "%s: out of memory", f->path);
		store_count(s, STORE_C_RRD_ERRORS, 1);
		return;
	}
	f->last = when;
}

/* Write one (possibly merged) update of s->merged[0..n). */
static void
store_write(struct store *s, const char *path, int64_t when, int64_t step,
    size_t n)
{
	struct store_file *f;
	const char *argv[1];
	const char *e;
	size_t i, tl = 0, vl;
	int kept = 0;

	f = store_file_get(s, path, when, step, s->merged, n);
	if (f == NULL)
		return;
	if (when <= f->last) {
		store_count(s, STORE_C_STALE, 1);
		return;
	}
	for (i = 0; i < n; i++)
		s->keep[i] = 1;
	if (store_file_tune(s, f, s->merged, s->keep, n, step) != 0)
		goto forget;
	vl = (size_t)snprintf(s->vals, sizeof(s->vals), "%lld",
	    (long long)when);
	for (i = 0; i < n; i++) {
		if (!s->keep[i])
			continue;
		/* Both buffers are sized for STORE_FILE_DS_MAX items. */
		tl += (size_t)snprintf(s->tmpl + tl, sizeof(s->tmpl) - tl,
		    "%s%s", kept ? ":" : "", s->merged[i].ds);
		vl += (size_t)snprintf(s->vals + vl, sizeof(s->vals) - vl,
		    ":%s", s->merged[i].value);
		kept++;
	}
	if (kept == 0)
		return;
	if (s->rc != NULL) {
		store_write_rc(s, f, when, n);
		return;
	}
	argv[0] = s->vals;
	rrd_clear_error();
	if (rrd_update_r(path, s->tmpl, 1, argv) != 0) {
		e = store_rrd_error();
		if (strstr(e, "illegal attempt to update") != NULL ||
		    strstr(e, "minimum one second step") != NULL) {
			store_count(s, STORE_C_STALE, 1);
		} else {
			store_log_error(s, "update %s: %s", path, e);
			store_count(s, STORE_C_RRD_ERRORS, 1);
		}
		goto forget;
	}
	f->last = when;
	store_count(s, STORE_C_WRITTEN, 1);
	return;
forget:
	store_file_forget(s, path);
}

/* Merge the items of u into s->merged[0..*n): a label already there takes
 * u's value, a new one is appended while there is room. */
static void
store_merge(struct store *s, const struct store_update *u, size_t *n)
{
	size_t i, k;

	for (i = 0; i < u->n; i++) {
		for (k = 0; k < *n; k++)
			if (strcmp(s->merged[k].ds, u->items[i].ds) == 0)
				break;
		if (k < *n)
			s->merged[k] = u->items[i];
		else if (*n < STORE_FILE_DS_MAX)
			s->merged[(*n)++] = u->items[i];
		else
			store_count(s, STORE_C_DS_REFUSED, 1);
	}
}

static void
store_update_free(struct store_update *u)
{
	if (u == NULL)
		return;
	free(u->path);
	free(u);
}

/* Write a batch in order, merging later updates of the same file and
 * second into the first one. */
static void
store_write_batch(struct store *s, size_t nb)
{
	struct store_update *u, *v;
	size_t i, j, n;

	for (i = 0; i < nb; i++) {
		u = s->batch[i];
		if (u == NULL)
			continue;
		n = 0;
		store_merge(s, u, &n);
		for (j = i + 1; j < nb; j++) {
			v = s->batch[j];
			if (v == NULL || v->when != u->when ||
			    strcmp(v->path, u->path) != 0)
				continue;
			store_merge(s, v, &n);
			store_count(s, STORE_C_COALESCED, 1);
			store_update_free(v);
			s->batch[j] = NULL;
		}
		store_write(s, u->path, u->when, u->step, n);
		store_update_free(u);
		s->batch[i] = NULL;
	}
	if (s->rc != NULL)
		(void)store_rc_send(s->rc, 0);
}

/* The rrdcached callback: a file's update was refused; mark the entry
 * (the caller may hold it) so that its next use re-reads the file. */
static void
store_forget_cb(void *arg, const char *path)
{
	struct store_file *f = *store_file_slot(arg, path);

	if (f != NULL)
		f->refused = 1;
}

/* Nothing waits for rrdcached (always true without it). */
static int
store_rc_idle(const struct store *s)
{
	return s->rc == NULL || store_rc_pending(s->rc) == 0;
}

/*
 * With rrdcached: connect and send what is pending before taking more
 * from the ring. Called and returns with mu held. Returns 0 to go on,
 * 1 to wait (mu was waited on until the next attempt), -1 to end (stop
 * with rrdcached unreachable: what is left is counted as dropped).
 */
static int
store_rc_step(struct store *s)
{
	int stopping = s->stopping, rv;
	struct timespec ts;
	int64_t at;

	if (store_rc_idle(s) && store_rc_connected(s->rc))
		return 0;
	pthread_mutex_unlock(&s->mu);
	rv = store_rc_send(s->rc, stopping);
	pthread_mutex_lock(&s->mu);
	if (rv == 0)
		return 0;
	if (stopping) {		/* store_free() frees what is left */
		store_rc_drop(s->rc, s->count);
		return -1;
	}
	at = store_rc_retry_at(s->rc);
	ts.tv_sec = (time_t)(at / 1000000000LL);
	ts.tv_nsec = (long)(at % 1000000000LL);
	if (!s->stopping)
		(void)pthread_cond_timedwait(&s->cond, &s->mu, &ts);
	return 1;
}

static void *
store_writer(void *arg)
{
	struct store *s = arg;
	size_t nb;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while ((s->paused || (s->count == 0 && store_rc_idle(s))) &&
		    !s->stopping)
			pthread_cond_wait(&s->cond, &s->mu);
		if (s->count == 0 && store_rc_idle(s))
			break;	/* stopping and drained */
		if (s->rc != NULL) {
			int st = store_rc_step(s);

			if (st < 0)
				break;
			if (st > 0 || s->count == 0)
				continue;
		}
		for (nb = 0; nb < STORE_BATCH && s->count > 0; nb++) {
			s->batch[nb] = s->ring[s->head];
			s->ring[s->head] = NULL;
			s->head = (s->head + 1) % s->cap;
			s->count--;
		}
		pthread_mutex_unlock(&s->mu);
		store_write_batch(s, nb);
		pthread_mutex_lock(&s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* --- the public API ---------------------------------------------------- */

int
store_new(const char *rrd_dir, const struct store_options *opt,
    struct store **out, char *err, size_t errlen)
{
	struct store *s;
	pthread_condattr_t ca;
	const char *addr = opt != NULL ? opt->rrdcached_address : NULL;
	int rc;

	*out = NULL;
	if (strlen(rrd_dir) > STORE_DIR_MAX) {
		snprintf(err, errlen, "rrd directory name too long");
		return -ENAMETOOLONG;
	}
	/* rrdcached reads a relative path against its own -b directory and
	 * splits its commands at white space. */
	if (addr != NULL && (rrd_dir[0] != '/' ||
	    strpbrk(rrd_dir, " \t\n\r\\") != NULL)) {
		snprintf(err, errlen, "with rrdcached, the rrd directory must "
		    "be an absolute path without white space or backslash");
		return -EINVAL;
	}
	if (mkdir(rrd_dir, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "mkdir %s: %s", rrd_dir, strerror(errno));
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->cap = opt != NULL && opt->queue_max > 0 ? opt->queue_max :
	    STORE_QUEUE_DEFAULT;
	s->paused = opt != NULL && opt->start_paused;
	s->dir = strdup(rrd_dir);
	s->ring = calloc(s->cap, sizeof(*s->ring));
	rc = s->dir == NULL || s->ring == NULL ? -ENOMEM : 0;
	/* The window holds at most as many lines as the ring. */
	if (rc == 0 && addr != NULL)
		rc = store_rc_new(addr, s->cap, store_forget_cb, s, &s->rc,
		    err, errlen);
	if (rc != 0) {
		free(s->dir);
		free(s->ring);
		free(s);
		if (rc == -ENOMEM)
			goto nomem;
		return rc;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	rc = pthread_create(&s->thread, NULL, store_writer, s);
	if (rc != 0) {
		snprintf(err, errlen, "store writer thread: %s", strerror(rc));
		s->stopped = 1;
		store_free(s);
		return -rc;
	}
	s->started = 1;
	*out = s;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int
store_submit(struct store *s, const char *host, const char *service,
    int64_t when_s, const char *perfdata, int64_t step_s)
{
	struct store_update *u;
	size_t n = 0, bad, i, k, m = 0;

	if (s->stopped)
		return -ESHUTDOWN;
	if (store_path(s->dir, host, service, s->path, sizeof(s->path)) != 0) {
		store_count(s, STORE_C_BAD_NAMES, 1);
		return -ENAMETOOLONG;
	}
	bad = perfdata_parse(perfdata, s->items, PERFDATA_ITEMS_MAX, &n);
	if (bad > 0)
		store_count(s, STORE_C_BAD_ITEMS, bad);
	if (n == 0)
		return -ENODATA;
	u = malloc(sizeof(*u) + n * sizeof(u->items[0]));
	if (u == NULL || (u->path = strdup(s->path)) == NULL) {
		free(u);
		return -ENOMEM;
	}
	if (step_s <= 0)
		step_s = STORE_STEP_DEFAULT;
	u->when = when_s;
	u->step = step_s > STORE_STEP_MAX ? STORE_STEP_MAX : step_s;
	for (i = 0; i < n; i++) {
		struct store_item *it = &u->items[m];
		const struct perfdata_item *p = &s->items[i];

		store_ds_name(p->label, it->ds);
		for (k = 0; k < m; k++)
			if (strcmp(u->items[k].ds, it->ds) == 0)
				break;
		if (k < m) {	/* the same label twice: the first wins */
			store_count(s, STORE_C_DS_REFUSED, 1);
			continue;
		}
		if (p->value_unknown)
			snprintf(it->value, sizeof(it->value), "U");
		else
			snprintf(it->value, sizeof(it->value), "%.17g",
			    p->value);
		it->derive = strcmp(p->uom, "c") == 0;
		m++;
	}
	u->n = m;

	pthread_mutex_lock(&s->mu);
	if (s->count == s->cap) {
		pthread_mutex_unlock(&s->mu);
		store_count(s, STORE_C_DROPPED, 1);
		store_update_free(u);
		return -ENOBUFS;
	}
	s->ring[(s->head + s->count) % s->cap] = u;
	s->count++;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	store_count(s, STORE_C_SUBMITTED, 1);
	return 0;
}

void
store_resume(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	s->paused = 0;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
}

void
store_stop(struct store *s)
{
	if (!s->started || s->stopped)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	s->stopped = 1;
}

void
store_get_counters(struct store *s, struct store_counters *c)
{
	struct store_rc_counters r = { 0 };

#define GET(i)	atomic_load_explicit(&s->ctr[i], memory_order_relaxed)
	c->submitted = GET(STORE_C_SUBMITTED);
	c->written = GET(STORE_C_WRITTEN);
	c->dropped_queue_full = GET(STORE_C_DROPPED);
	c->bad_perfdata_items = GET(STORE_C_BAD_ITEMS);
	c->bad_names = GET(STORE_C_BAD_NAMES);
	c->rrd_errors = GET(STORE_C_RRD_ERRORS);
	c->files_created = GET(STORE_C_CREATED);
	c->ds_added = GET(STORE_C_DS_ADDED);
	c->ds_refused = GET(STORE_C_DS_REFUSED);
	c->coalesced = GET(STORE_C_COALESCED);
	c->stale = GET(STORE_C_STALE);
#undef GET
	if (s->rc != NULL)
		store_rc_get_counters(s->rc, &r);
	c->written += r.written;
	c->stale += r.stale;
	c->rrdcached_connected = r.connected;
	c->reconnects = r.reconnects;
	c->sent = r.sent;
	c->acked = r.acked;
	c->replayed = r.replayed;
	c->replayed_already_applied = r.replayed_already_applied;
	c->rrdcached_errors = r.errors;
	c->rrdcached_dropped = r.dropped;
}

void
store_free(struct store *s)
{
	struct store_file *f;
	size_t i;

	if (s == NULL)
		return;
	store_stop(s);
	for (i = 0; i < s->count; i++)
		store_update_free(s->ring[(s->head + i) % s->cap]);
	for (i = 0; i < STORE_BUCKETS; i++) {
		while ((f = s->files[i]) != NULL) {
			s->files[i] = f->next;
			store_file_free(f);
		}
	}
	store_rc_free(s->rc);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	free(s->ring);
	free(s->dir);
	free(s);
}
