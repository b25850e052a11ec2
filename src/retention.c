/*
 * retention: the retention file (retention.h, docs/retention.md).
 *
 * The file is one JSON object: version, generation (raised by each full
 * save), the next comment and downtime ids, then arrays "hosts",
 * "services", "comments", "downtimes", "acknowledgements", one entry per
 * line. A save writes it entry by entry into PATH.tmp (in 256 KiB
 * writes, never the whole file in memory), then fsync, rename, fsync of the directory: at every
 * instant PATH is the old file or the new one, whole. PATH.tmp has a fixed
 * name so that a crash leaves at most one stale copy, overwritten by the
 * next save (pharosd's lock file keeps a second writer away).
 *
 * A load reads the whole file with jansson, checks every field and keeps
 * the status entries until retention_apply(); annot data goes straight
 * into the caller's annot. The journal (retention_journal.c) is replayed
 * only when its generation is the file's: a journal left over from before
 * the last save is stale, its content already in the file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "retention_int.h"

int64_t
rt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
rt_sync_dir(const char *path)
{
	char buf[PATH_MAX];
	int fd, rc = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

static char *
rt_path(const char *path, const char *suffix)
{
	size_t a = strlen(path), b = strlen(suffix);
	char *p;

	if (a + b + 1 > PATH_MAX || (p = malloc(a + b + 1)) == NULL)
		return NULL;
	memcpy(p, path, a);
	memcpy(p + a, suffix, b + 1);
	return p;
}

int
retention_new(const char *path, struct retention **out)
{
	struct retention *r;

	*out = NULL;
	if (strlen(path) + sizeof(".journal") > PATH_MAX)
		return -ENAMETOOLONG;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	r->jfd = -1;
	r->path = rt_path(path, "");
	r->tmp = rt_path(path, ".tmp");
	r->jpath = rt_path(path, ".journal");
	if (r->path == NULL || r->tmp == NULL || r->jpath == NULL) {
		retention_free(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
}

static void
rt_free_entries(struct retention *r)
{
	for (size_t i = 0; i < r->n; i++)
		rt_entry_clear(&r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

void
retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	if (r->jfd >= 0)
		close(r->jfd);
	rt_free_entries(r);
	free(r->path);
	free(r->tmp);
	free(r->jpath);
	free(r);
}

const struct retention_stats *
retention_get_stats(const struct retention *r)
{
	return &r->stats;
}

/* ---- load ----------------------------------------------------------- */

/* Read all of path into *buf (NUL-terminated). -ENOENT when missing. */
int
rt_read_all(const char *path, char **buf, size_t *len, char *err,
    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	struct stat sb;
	size_t n = 0;
	ssize_t k = 0;

	*buf = NULL;
	if (fd < 0 || fstat(fd, &sb) != 0)
		rc = -errno;
	else if (sb.st_size > RETENTION_FILE_MAX)
		rc = -EFBIG;
	else if ((*buf = malloc((size_t)sb.st_size + 1)) == NULL)
		rc = -ENOMEM;
	while (rc == 0 && n < (size_t)sb.st_size) {
		k = read(fd, *buf + n, (size_t)sb.st_size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	if (rc == 0 && k < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc != 0 && rc != -ENOENT)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		return rc;
	}
	(*buf)[n] = '\0';
	*len = n;
	return 0;
}


static int
rt_top_u64(json_t *root, const char *key, uint64_t min, uint64_t *out,
    struct rt_ctx *c)
{
	json_t *v = json_object_get(root, key);

	if (!json_is_integer(v) || json_integer_value(v) < (json_int_t)min)
		return rt_fail(c, "\"%s\" must be an integer of at least %llu",
		    key, (unsigned long long)min);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
rt_top_array(json_t *root, const char *key, json_t **out, struct rt_ctx *c)
{
	*out = json_object_get(root, key);
	if (!json_is_array(*out))
		return rt_fail(c, "\"%s\" must be an array", key);
	return 0;
}

static int
rt_load_status(struct retention *r, json_t *arr, bool svc, struct rt_ctx *c)
{
	size_t i;
	json_t *o;
	int rc;

	json_array_foreach(arr, i, o) {
		snprintf(c->where, sizeof(c->where), "%s[%zu]",
		    svc ? "services" : "hosts", i);
		rc = rt_status_parse(o, svc, &r->v[r->n], c);
		r->n++; /* cleared by rt_free_entries, even when half read */
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
rt_load_annot(json_t *arr, const char *name, struct annot *a,
    int (*restore)(json_t *, struct annot *, struct rt_ctx *),
    struct rt_ctx *c)
{
	size_t i;
	json_t *o;
	int rc;

	json_array_foreach(arr, i, o) {
		snprintf(c->where, sizeof(c->where), "%s[%zu]", name, i);
		if ((rc = restore(o, a, c)) != 0)
			return rc;
	}
	return 0;
}

/* The optional "program" object: four booleans. */
static int
rt_load_program(struct retention *r, json_t *root, struct rt_ctx *c)
{
	static const char *const keys[] = { "enable_notifications",
		"execute_host_checks", "execute_service_checks",
		"enable_event_handlers" };
	bool *dst[] = { &r->prog.notifications, &r->prog.host_checks,
		&r->prog.service_checks, &r->prog.event_handlers };
	json_t *o = json_object_get(root, "program"), *v;
	size_t i;

	if (o == NULL)
		return 0;
	if (!json_is_object(o))
		return rt_fail(c, "\"program\" must be an object");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_object_get(o, keys[i]);
		if (!json_is_boolean(v))
			return rt_fail(c, "\"program\".\"%s\" must be true or "
			    "false", keys[i]);
		*dst[i] = json_is_true(v);
	}
	r->prog.set = true;
	return 0;
}

static int
rt_load_root(struct retention *r, json_t *root, struct annot *a,
    struct rt_ctx *c)
{
	json_t *v = json_object_get(root, "version"), *h, *s, *cm, *dt, *ak;
	uint64_t gen, nc, nd;
	int rc;

	if (!json_is_object(root) || !json_is_integer(v))
		return rt_fail(c, "not a Pharos retention file (no version)");
	if (json_integer_value(v) != RETENTION_VERSION)
		return rt_fail(c, "version %lld is not supported (this "
		    "pharosd reads version %d)",
		    (long long)json_integer_value(v), RETENTION_VERSION);
	if ((rc = rt_top_u64(root, "generation", 0, &gen, c)) != 0 ||
	    (rc = rt_top_u64(root, "next_comment_id", 1, &nc, c)) != 0 ||
	    (rc = rt_top_u64(root, "next_downtime_id", 1, &nd, c)) != 0 ||
	    (rc = rt_top_array(root, "hosts", &h, c)) != 0 ||
	    (rc = rt_top_array(root, "services", &s, c)) != 0 ||
	    (rc = rt_top_array(root, "comments", &cm, c)) != 0 ||
	    (rc = rt_top_array(root, "downtimes", &dt, c)) != 0 ||
	    (rc = rt_top_array(root, "acknowledgements", &ak, c)) != 0 ||
	    (rc = rt_load_program(r, root, c)) != 0)
		return rc;
	if (json_array_size(h) + json_array_size(s) > RETENTION_OBJECTS_MAX)
		return rt_fail(c, "more than %d hosts and services",
		    RETENTION_OBJECTS_MAX);
	r->v = calloc(json_array_size(h) + json_array_size(s) + 1,
	    sizeof(*r->v));
	if (r->v == NULL)
		return -ENOMEM;
	if ((rc = rt_load_status(r, h, false, c)) != 0 ||
	    (rc = rt_load_status(r, s, true, c)) != 0 ||
	    (rc = rt_load_annot(cm, "comments", a, rt_comment_restore,
	    c)) != 0 ||
	    (rc = rt_load_annot(dt, "downtimes", a, rt_downtime_restore,
	    c)) != 0 ||
	    (rc = rt_load_annot(ak, "acknowledgements", a, rt_ack_restore,
	    c)) != 0)
		return rc;
	annot_set_next_ids(a, nc, nd);
	r->gen = gen;
	r->known = r->n;
	r->stats.hosts = json_array_size(h);
	r->stats.services = json_array_size(s);
	return 0;
}

static int
rt_load_file(struct retention *r, struct annot *a, char *err, size_t errlen)
{
	struct rt_ctx c = { r->path, "top level", err, errlen };
	json_error_t je;
	json_t *root;
	char *buf;
	size_t len;
	int rc = rt_read_all(r->path, &buf, &len, err, errlen);

	if (rc == -ENOENT)
		return 0;
	if (rc == -EFBIG)
		return rt_fail(&c, "over the limit of %ld bytes",
		    RETENTION_FILE_MAX);
	if (rc != 0)
		return rc;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (root == NULL) {
		snprintf(err, errlen, "%s: line %d, column %d (byte %d): %s",
		    r->path, je.line, je.column, je.position, je.text);
		return -EINVAL;
	}
	rc = rt_load_root(r, root, a, &c);
	json_decref(root);
	return rc;
}

static int
rt_count_ack(void *arg, const struct annot_ack *k)
{
	(*(size_t *)arg)++;
	return 0;
}

int
retention_load(struct retention *r, struct annot *a, char *err,
    size_t errlen)
{
	int rc;

	rt_free_entries(r);
	if (r->jfd >= 0)
		close(r->jfd);
	r->jfd = -1;
	r->gen = 0;
	r->known = 0;
	r->jlen = r->jvalid = 0;
	memset(&r->stats, 0, sizeof(r->stats));
	memset(&r->prog, 0, sizeof(r->prog));
	rc = rt_load_file(r, a, err, errlen);
	if (rc == 0)
		rc = rt_journal_load(r, a, err, errlen);
	if (rc != 0) {
		rt_free_entries(r);
		r->known = 0;
		return rc;
	}
	r->stats.volatile_dropped = annot_drop_volatile(a);
	annot_changes_clear(a);
	r->stats.generation = r->gen;
	r->stats.comments = annot_comment_count(a);
	r->stats.downtimes = annot_downtime_count(a);
	(void)annot_ack_foreach(a, rt_count_ack, &r->stats.acks);
	return 0;
}

int
retention_apply(struct retention *r,
    int (*fn)(void *arg, struct retention_entry *e), void *arg,
    size_t *applied, size_t *dropped)
{
	size_t ok = 0, gone = 0;
	int rc = 0;

	for (size_t i = 0; i < r->n && rc == 0; i++) {
		rc = fn(arg, &r->v[i]);
		if (rc == -ENOENT) {
			gone++;
			rc = 0;
		} else if (rc == 0) {
			ok++;
		}
	}
	rt_free_entries(r);
	r->stats.applied += ok;
	r->stats.dropped += gone;
	if (applied != NULL)
		*applied = ok;
	if (dropped != NULL)
		*dropped = gone;
	return rc;
}

/* ---- save ----------------------------------------------------------- */

static int
rt_ioerr(void)
{
	return errno != 0 ? -errno : -EIO;
}

#define RT_FLUSH (256 * 1024) /* bytes gathered per fwrite */

/* The file being written: text gathers in b, goes out in large writes. */
struct rt_out {
	FILE *f;
	struct rt_buf b;
	int rc; /* the first error */
	bool first; /* no entry yet in the current array */
};

static void
rt_out_flush(struct rt_out *o, bool force)
{
	if (o->b.err != 0 && o->rc == 0)
		o->rc = o->b.err;
	if (o->rc != 0 || (!force && o->b.len < RT_FLUSH))
		return;
	if (o->b.len > 0 && fwrite(o->b.p, 1, o->b.len, o->f) != o->b.len)
		o->rc = rt_ioerr();
	o->b.len = 0;
}

/* Close the previous array (unless NULL) and open "name": [. */
static void
rt_out_array(struct rt_out *o, const char *name)
{
	rt_emitf(&o->b, "],\n \"%s\": [", name);
	o->first = true;
}

static void
rt_out_next(struct rt_out *o)
{
	rt_emit(&o->b, o->first ? "\n  " : ",\n  ");
	o->first = false;
}

static int
rt_dump_ack(void *arg, const struct annot_ack *k)
{
	struct rt_out *o = arg;

	rt_out_next(o);
	rt_emit_ack(&o->b, k);
	rt_out_flush(o, false);
	return o->rc;
}

static void
rt_dump_annot(struct rt_out *o, const struct annot *a)
{
	rt_out_array(o, "comments");
	for (size_t i = 0; o->rc == 0 && i < annot_comment_count(a); i++) {
		rt_out_next(o);
		rt_emit_comment(&o->b, annot_comment_at(a, i));
		rt_out_flush(o, false);
	}
	rt_out_array(o, "downtimes");
	for (size_t i = 0; o->rc == 0 && i < annot_downtime_count(a); i++) {
		rt_out_next(o);
		rt_emit_downtime(&o->b, annot_downtime_at(a, i));
		rt_out_flush(o, false);
	}
	rt_out_array(o, "acknowledgements");
	if (o->rc == 0)
		(void)annot_ack_foreach(a, rt_dump_ack, o);
}

static int
rt_dump(FILE *f, const struct retention_entry *v, size_t n,
    const struct annot *a, uint64_t gen, const struct retention_program *p)
{
	struct rt_out o = { .f = f, .first = true };
	uint64_t nc, nd;

	annot_next_ids(a, &nc, &nd);
	rt_emitf(&o.b, "{\"version\": %d, \"generation\": %llu, "
	    "\"written\": %lld,\n", RETENTION_VERSION,
	    (unsigned long long)gen, (long long)time(NULL));
	if (p->set) { /* rt_emitf() takes 127 bytes at a time */
		rt_emitf(&o.b, " \"program\": {\"enable_notifications\": %s, "
		    "\"execute_host_checks\": %s, ",
		    p->notifications ? "true" : "false",
		    p->host_checks ? "true" : "false");
		rt_emitf(&o.b, "\"execute_service_checks\": %s, "
		    "\"enable_event_handlers\": %s},\n",
		    p->service_checks ? "true" : "false",
		    p->event_handlers ? "true" : "false");
	}
	rt_emitf(&o.b, " \"next_comment_id\": %llu, \"next_downtime_id\": "
	    "%llu,\n \"hosts\": [", (unsigned long long)nc,
	    (unsigned long long)nd);
	for (int svc = 0; svc < 2; svc++) {
		if (svc == 1)
			rt_out_array(&o, "services");
		for (size_t i = 0; o.rc == 0 && i < n; i++) {
			if ((v[i].service != NULL) != (svc == 1))
				continue;
			rt_out_next(&o);
			rt_emit_status(&o.b, &v[i]);
			rt_out_flush(&o, false);
		}
	}
	rt_dump_annot(&o, a);
	rt_emit(&o.b, "]\n}\n");
	rt_out_flush(&o, true);
	rt_buf_free(&o.b);
	return o.rc;
}

/* Write PATH.tmp, fsync it and rename it over PATH. On error PATH.tmp is
 * removed and PATH untouched. */
static int
rt_write_tmp(struct retention *r, const struct retention_entry *v, size_t n,
    const struct annot *a, size_t *bytes, char *err, size_t errlen)
{
	int fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	FILE *f;
	int rc;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: %s", r->tmp, strerror(-rc));
		return rc;
	}
	errno = 0;
	rc = rt_dump(f, v, n, a, r->gen + 1, &r->prog);
	if (rc == 0 && fflush(f) != 0)
		rc = rt_ioerr();
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	*bytes = (size_t)ftello(f);
	if (fclose(f) != 0 && rc == 0)
		rc = rt_ioerr();
	if (rc == 0 && rename(r->tmp, r->path) != 0)
		rc = -errno;
	if (rc != 0) {
		snprintf(err, errlen, "writing %s: %s (%s is unchanged)",
		    r->tmp, strerror(-rc), r->path);
		unlink(r->tmp);
	}
	return rc;
}

int
retention_save(struct retention *r, const struct retention_entry *v,
    size_t n, struct annot *a, unsigned flags, char *err, size_t errlen)
{
	int64_t t0 = rt_now_ns();
	size_t bytes = 0;
	int rc;

	if (n == 0 && r->known > 0 && !(flags & RETENTION_FORCE)) {
		snprintf(err, errlen, "%s: refusing to replace the state of %zu "
		    "hosts and services with none (an empty configuration?); "
		    "force to write anyway", r->path, r->known);
		return -ECANCELED;
	}
	if (n > RETENTION_OBJECTS_MAX) {
		snprintf(err, errlen, "%s: %zu hosts and services, over the "
		    "limit of %d", r->path, n, RETENTION_OBJECTS_MAX);
		return -E2BIG;
	}
	if ((rc = rt_write_tmp(r, v, n, a, &bytes, err, errlen)) != 0)
		return rc;
	/* The new file is in place: account for it whatever follows. */
	r->gen++;
	r->known = n;
	annot_changes_clear(a);
	rt_journal_reset(r);
	r->stats.generation = r->gen;
	r->stats.last_save_bytes = bytes;
	if ((rc = rt_sync_dir(r->path)) != 0)
		snprintf(err, errlen, "%s: fsync of its directory: %s",
		    r->path, strerror(-rc));
	r->stats.last_save_ns = rt_now_ns() - t0;
	return rc;
}

/* ---- move aside ----------------------------------------------------- */

/* Rename src to src.corrupt-STAMP[-N]; -ENOENT when src is missing. */
static int
rt_move_one(const char *src, const char *stamp, char *dst, size_t len,
    char *err, size_t errlen)
{
	struct stat sb;
	int rc;

	if (lstat(src, &sb) != 0) {
		rc = -errno;
		if (rc != -ENOENT)
			snprintf(err, errlen, "%s: %s", src, strerror(-rc));
		return rc;
	}
	for (int i = 0; i < 100; i++) {
		int w = i == 0 ? snprintf(dst, len, "%s.corrupt-%s", src, stamp) :
		    snprintf(dst, len, "%s.corrupt-%s-%d", src, stamp, i);

		if (w < 0 || (size_t)w >= len) {
			snprintf(err, errlen, "%s: name too long", src);
			return -ENAMETOOLONG;
		}
		if (lstat(dst, &sb) == 0 || errno != ENOENT)
			continue;
		if (rename(src, dst) == 0)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "renaming %s to %s: %s", src, dst,
		    strerror(-rc));
		return rc;
	}
	snprintf(err, errlen, "%s: no free name to move it aside", src);
	return -EEXIST;
}

int
retention_move_aside(const char *path, char *moved, size_t movedlen,
    char *err, size_t errlen)
{
	char stamp[32], jpath[PATH_MAX], dst[PATH_MAX], jdst[PATH_MAX];
	time_t now = time(NULL);
	struct tm tm;
	int rc, jrc;

	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	if (snprintf(jpath, sizeof(jpath), "%s.journal", path) >=
	    (int)sizeof(jpath)) {
		snprintf(err, errlen, "%.200s...: name too long", path);
		return -ENAMETOOLONG;
	}
	rc = rt_move_one(path, stamp, dst, sizeof(dst), err, errlen);
	if (rc != 0 && rc != -ENOENT)
		return rc;
	jrc = rt_move_one(jpath, stamp, jdst, sizeof(jdst), err, errlen);
	if (jrc != 0 && jrc != -ENOENT)
		return jrc;
	if (rc == -ENOENT && jrc == -ENOENT) {
		snprintf(err, errlen, "%s: no such file", path);
		return -ENOENT;
	}
	if (moved != NULL)
		snprintf(moved, movedlen, "%s", rc == 0 ? dst : jdst);
	(void)rt_sync_dir(path);
	return 0;
}

void
retention_set_program(struct retention *r, const struct retention_program *p)
{
	r->prog = *p;
}

const struct retention_program *
retention_get_program(const struct retention *r)
{
	return &r->prog;
}
