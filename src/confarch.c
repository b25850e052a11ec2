/*
 * confarch: snapshots of configurations as folders of an archive (the
 * layout is in confarch.h).
 *
 * Invariants: a folder whose name does not start with '.' and that holds a
 * valid MANIFEST is a complete snapshot (it was renamed into place after
 * every copy was written and synced); its seq is higher than every older
 * one's. Snapshots are never modified after the rename. Stored names are
 * relative, without "." or ".." components, so reading a snapshot never
 * leaves its folder. Diff, revert and the "running" mark are in
 * confarch_revert.c.
 *
 * Trade-off: the content hash in the name (FNV-1a, 64 bits folded to 32)
 * only tells snapshots apart for people; deduplication compares the files
 * byte by byte.
 */
#include "confarch.h"
#include "confarch_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "strnum.h"

#define CONFARCH_MAGIC "pharos-config-snapshot 1"
#define CONFARCH_MANIFEST "MANIFEST"
#define CONFARCH_MAX_MANIFEST (16L << 20)
#define CONFARCH_FNV_OFFSET 14695981039346656037ULL
#define CONFARCH_FNV_PRIME 1099511628211ULL

int
confarch_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	len = strlen(err);
	if (rc != 0 && len < errlen)
		snprintf(err + len, errlen - len, ": %s", strerror(-rc));
	return rc;
}

/* snprintf into buf, -ENAMETOOLONG when it does not fit. */
int
confarch_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void
confarch_fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		*h ^= c[i];
		*h *= CONFARCH_FNV_PRIME;
	}
}

/* Snapshot ids, and names given for them: letters, digits and '-'. */
bool
confarch_id_ok(const char *id)
{
	size_t i;

	if (id[0] == '\0' || id[0] == '-' || strlen(id) >= CONFARCH_ID_MAX)
		return false;
	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
		    (id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') || id[i] == '-'))
			return false;
	return true;
}

/* A lexically normal absolute path: no "//", "." or "..". */
int
confarch_norm(const char *in, char *out, size_t outlen)
{
	const char *p = in, *e;
	size_t o = 0, len;

	if (in[0] != '/' || outlen < 2)
		return -EINVAL;
	out[0] = '\0';
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, '/');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			out[o] = '\0';
		} else if (len != 1 || p[0] != '.') {
			if (o + len + 2 > outlen)
				return -ENAMETOOLONG;
			out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
			out[o] = '\0';
		}
		p += len;
	}
	if (o == 0)
		snprintf(out, outlen, "/");
	return 0;
}

/* A stored name stays inside files/: relative, no "." or ".." part, no
 * tab or line break. */
static bool
confarch_stored_ok(const char *s)
{
	const char *p = s, *e;
	size_t len;

	if (*s == '\0' || *s == '/' || strpbrk(s, "\t\n") != NULL)
		return false;
	while (p != NULL && *p != '\0') {
		e = strchr(p, '/');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p = e != NULL ? e + 1 : NULL;
	}
	return true;
}

/* Where path goes under files/: relative to base (the main file's
 * folder, normalized), else _root + its whole path. */
static int
confarch_stored_name(const char *base, const char *path, char *out,
    size_t outlen)
{
	char np[CONFARCH_PATH];
	size_t blen = strlen(base);
	int rc;

	if ((rc = confarch_norm(path, np, sizeof(np))) != 0)
		return rc;
	if (strcmp(base, "/") == 0)
		return confarch_path(out, outlen, "%s", np + 1);
	if (strncmp(np, base, blen) == 0 && np[blen] == '/')
		return confarch_path(out, outlen, "%s", np + blen + 1);
	return confarch_path(out, outlen, "_root%s", np);
}

/* Make the folders of rel (not its last part) under root. */
static int
confarch_mkdirs(const char *root, const char *rel, mode_t mode)
{
	char p[CONFARCH_PATH];
	size_t rlen = strlen(root);
	char *s;

	if (confarch_path(p, sizeof(p), "%s/%s", root, rel) != 0)
		return -ENAMETOOLONG;
	for (s = p + rlen + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

static int
confarch_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void
confarch_rmtree(const char *path)
{
	(void)nftw(path, confarch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Copy in to out (both open); fold what was copied into *hash (may be
 * NULL). */
int
confarch_copy_fd(int in, int out, uint64_t *hash, size_t *total)
{
	char buf[65536];
	ssize_t r, w;
	size_t off;

	for (;;) {
		r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return 0;
		if (hash != NULL)
			confarch_fnv(hash, buf, (size_t)r);
		if (total != NULL)
			*total += (size_t)r;
		for (off = 0; off < (size_t)r; off += (size_t)w) {
			w = write(out, buf + off, (size_t)r - off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -errno;
		}
	}
}

/* Whole small file, NUL-terminated (caller frees). */
int
confarch_slurp(const char *path, size_t cap, char **out)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t len = 0;
	int fd, rc = 0;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode))
		rc = -EINVAL;
	else if ((size_t)st.st_size > cap)
		rc = -EFBIG;
	if (rc != 0) {
		close(fd);
		return rc;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* ---- the manifest ------------------------------------------------------ */

void
confarch_files_free(struct confarch_file *f, size_t n)
{
	size_t i;

	for (i = 0; f != NULL && i < n; i++) {
		free(f[i].path);
		free(f[i].stored);
	}
	free(f);
}

static int
confarch_mode_parse(const char *s, unsigned *mode)
{
	unsigned m = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7' || i >= 4)
			return -EINVAL;
		m = m * 8 + (unsigned)(s[i] - '0');
	}
	if (i == 0)
		return -EINVAL;
	*mode = m;
	return 0;
}

/* One "file MODE STORED<TAB>PATH" line (in place). */
static int
confarch_file_line(char *s, struct confarch_file *f)
{
	char *sp = strchr(s, ' '), *tab;

	if (sp == NULL || (tab = strchr(sp + 1, '\t')) == NULL)
		return -EINVAL;
	*sp = '\0';
	*tab = '\0';
	if (confarch_mode_parse(s, &f->mode) != 0 ||
	    !confarch_stored_ok(sp + 1) || tab[1] != '/')
		return -EINVAL;
	if ((f->stored = strdup(sp + 1)) == NULL ||
	    (f->path = strdup(tab + 1)) == NULL)
		return -ENOMEM;
	return 0;
}

/* Read snapshot folder snap's MANIFEST: the header into *h, the files
 * into *files when files is not NULL. */
static int
confarch_manifest(const char *snap, struct confarch_snap *h,
    struct confarch_file **files, size_t *nfiles)
{
	char path[CONFARCH_PATH], *buf, *line, *next;
	struct confarch_file *v = NULL, *nv;
	size_t n = 0, cap = 0;
	long l;
	int rc, lineno = 0;
	bool seq = false, tm = false;

	if (confarch_path(path, sizeof(path), "%s/" CONFARCH_MANIFEST,
	    snap) != 0)
		return -ENAMETOOLONG;
	if ((rc = confarch_slurp(path, CONFARCH_MAX_MANIFEST, &buf)) != 0)
		return rc;
	rc = 0;
	memset(h, 0, sizeof(*h));
	for (line = buf; rc == 0 && line != NULL && *line != '\0';
	    line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (lineno++ == 0) {
			rc = strcmp(line, CONFARCH_MAGIC) == 0 ? 0 : -EINVAL;
		} else if (strncmp(line, "seq ", 4) == 0) {
			rc = strnum_long(line + 4, 1, LONG_MAX, &l);
			h->seq = (uint64_t)l;
			seq = true;
		} else if (strncmp(line, "time ", 5) == 0) {
			rc = strnum_long(line + 5, 0, LONG_MAX, &l);
			h->time = (int64_t)l;
			tm = true;
		} else if (strncmp(line, "hash ", 5) == 0) {
			snprintf(h->hash, sizeof(h->hash), "%s", line + 5);
		} else if (strncmp(line, "file ", 5) == 0) {
			h->nfiles++;
			if (files == NULL)
				continue;
			if (n == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				if ((nv = realloc(v, cap * sizeof(*v))) ==
				    NULL) {
					rc = -ENOMEM;
					break;
				}
				v = nv;
			}
			memset(&v[n], 0, sizeof(v[n]));
			rc = confarch_file_line(line + 5, &v[n++]);
		}
	}
	free(buf);
	if (rc == 0 && (!seq || !tm || h->nfiles == 0))
		rc = -EINVAL;
	if (rc != 0 || files == NULL) {
		confarch_files_free(v, n);
		return rc;
	}
	*files = v;
	*nfiles = n;
	return 0;
}

static int
confarch_write_manifest(const char *snap, uint64_t seq, int64_t now,
    const char *hash, const struct confarch_file *f, size_t n)
{
	char path[CONFARCH_PATH];
	size_t i;
	FILE *fp;
	int rc = 0;

	if (confarch_path(path, sizeof(path), "%s/" CONFARCH_MANIFEST,
	    snap) != 0)
		return -ENAMETOOLONG;
	if ((fp = fopen(path, "wxe")) == NULL)
		return -errno;
	fprintf(fp, CONFARCH_MAGIC "\nseq %llu\ntime %lld\nhash %s\n",
	    (unsigned long long)seq, (long long)now, hash);
	for (i = 0; i < n; i++)
		fprintf(fp, "file %04o %s\t%s\n", f[i].mode, f[i].stored,
		    f[i].path);
	if (fflush(fp) != 0 || ferror(fp) || fdatasync(fileno(fp)) != 0)
		rc = -errno != 0 ? -errno : -EIO;
	if (fclose(fp) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* ---- listing ----------------------------------------------------------- */

static int
confarch_snap_cmp(const void *a, const void *b)
{
	const struct confarch_snap *x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->id, y->id);
}

int
confarch_list(const char *dir, struct confarch_snap **out, size_t *n,
    char *err, size_t errlen)
{
	struct confarch_snap *v = NULL, *nv, h;
	size_t cap = 0, k = 0;
	char snap[CONFARCH_PATH];
	struct dirent *de;
	DIR *dp;

	*out = NULL;
	*n = 0;
	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return confarch_err(err, errlen, -errno, "cannot read the "
		    "configuration archive %s", dir);
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || !confarch_id_ok(de->d_name) ||
		    confarch_path(snap, sizeof(snap), "%s/%s", dir,
		    de->d_name) != 0 ||
		    confarch_manifest(snap, &h, NULL, NULL) != 0)
			continue;
		if (k == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				closedir(dp);
				return confarch_err(err, errlen, -ENOMEM,
				    "listing %s", dir);
			}
			v = nv;
		}
		snprintf(h.id, sizeof(h.id), "%.63s", de->d_name);
		v[k++] = h;
	}
	closedir(dp);
	if (k > 0)
		qsort(v, k, sizeof(*v), confarch_snap_cmp);
	*out = v;
	*n = k;
	return 0;
}

int
confarch_find(const char *dir, const char *name, char *id, size_t idlen,
    char *err, size_t errlen)
{
	struct confarch_snap *v;
	char run[CONFARCH_ID_MAX];
	size_t n, i, found = SIZE_MAX, len = strlen(name);
	int rc;

	if ((rc = confarch_list(dir, &v, &n, err, errlen)) != 0)
		return rc;
	if (strcmp(name, "running") == 0) {
		if (confarch_get_running(dir, run, sizeof(run)) != 0) {
			free(v);
			return confarch_err(err, errlen, -ENOENT, "no "
			    "snapshot is marked as running in %s", dir);
		}
		name = run;
		len = strlen(run);
	}
	if (strcmp(name, "newest") == 0 && n > 0)
		found = n - 1;
	for (i = 0; found == SIZE_MAX && i < n && confarch_id_ok(name); i++)
		if (strcmp(v[i].id, name) == 0)
			found = i;
	for (i = 0; found == SIZE_MAX && i < n && confarch_id_ok(name);
	    i++) {
		if (strncmp(v[i].id, name, len) != 0)
			continue;
		for (found = i++; i < n; i++)
			if (strncmp(v[i].id, name, len) == 0) {
				free(v);
				return confarch_err(err, errlen, -EINVAL,
				    "'%s' names more than one snapshot; give "
				    "more of the id", name);
			}
	}
	if (found == SIZE_MAX) {
		free(v);
		return confarch_err(err, errlen, -ENOENT, "no snapshot '%s' "
		    "in %s (see 'pharos config list')", name, dir);
	}
	snprintf(id, idlen, "%s", v[found].id);
	free(v);
	return 0;
}

int
confarch_files(const char *dir, const char *id, struct confarch_file **out,
    size_t *n, char *err, size_t errlen)
{
	char snap[CONFARCH_PATH];
	struct confarch_snap h;
	int rc;

	*out = NULL;
	*n = 0;
	if (!confarch_id_ok(id) || confarch_path(snap, sizeof(snap),
	    "%s/%s", dir, id) != 0)
		return confarch_err(err, errlen, -EINVAL, "'%s' is not a "
		    "snapshot id", id);
	if ((rc = confarch_manifest(snap, &h, out, n)) != 0)
		return confarch_err(err, errlen, rc, "snapshot %s/%s", dir,
		    id);
	return 0;
}

/* ---- making a snapshot ------------------------------------------------- */

static int
confarch_same_file(const char *a, const char *b)
{
	char ba[65536], bb[65536];
	ssize_t ra, rb;
	int fa, fb, same = 0;

	if ((fa = open(a, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if ((fb = open(b, O_RDONLY | O_CLOEXEC)) < 0) {
		close(fa);
		return 0;
	}
	for (;;) {
		/* Regular files on a local disk: whole reads. */
		ra = read(fa, ba, sizeof(ba));
		rb = read(fb, bb, sizeof(bb));
		if (ra < 0 || rb < 0 || ra != rb ||
		    memcmp(ba, bb, (size_t)ra) != 0)
			break;
		if (ra == 0) {
			same = 1;
			break;
		}
	}
	close(fa);
	close(fb);
	return same;
}

/* Does snapshot id hold exactly the files f, copied under tmp? */
static bool
confarch_same(const char *dir, const char *id, const char *tmp,
    const struct confarch_file *f, size_t n)
{
	struct confarch_file *g;
	char e[256], pa[CONFARCH_PATH], pb[CONFARCH_PATH];
	size_t m, i;
	bool same;

	if (confarch_files(dir, id, &g, &m, e, sizeof(e)) != 0)
		return false;
	same = m == n;
	for (i = 0; same && i < n; i++)
		same = strcmp(f[i].path, g[i].path) == 0 &&
		    strcmp(f[i].stored, g[i].stored) == 0 &&
		    f[i].mode == g[i].mode &&
		    confarch_path(pa, sizeof(pa), "%s/files/%s", tmp,
		    f[i].stored) == 0 &&
		    confarch_path(pb, sizeof(pb), "%s/%s/files/%s", dir, id,
		    g[i].stored) == 0 && confarch_same_file(pa, pb);
	confarch_files_free(g, m);
	return same;
}

/* Copy one file into the temporary snapshot tmp, hashing it. */
static int
confarch_take(const char *tmp, struct confarch_file *f, uint64_t *hash,
    char *err, size_t errlen)
{
	char dst[CONFARCH_PATH], files[CONFARCH_PATH];
	struct stat st;
	size_t total = 0;
	int in, out, rc;

	if (confarch_path(files, sizeof(files), "%s/files", tmp) != 0 ||
	    confarch_path(dst, sizeof(dst), "%s/%s", files, f->stored) != 0)
		return confarch_err(err, errlen, -ENAMETOOLONG, "%s",
		    f->path);
	if ((rc = confarch_mkdirs(files, f->stored, 0750)) != 0)
		return confarch_err(err, errlen, rc, "cannot make the folders "
		    "of %s", dst);
	if ((in = open(f->path, O_RDONLY | O_CLOEXEC)) < 0)
		return confarch_err(err, errlen, -errno, "cannot read %s",
		    f->path);
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(in);
		confarch_err(err, errlen, 0, "cannot archive %s: not a "
		    "regular file", f->path);
		return -EINVAL;
	}
	f->mode = (unsigned)(st.st_mode & 07777);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    (st.st_mode & 0640) | 0600);
	if (out < 0) {
		rc = -errno;
		close(in);
		return confarch_err(err, errlen, rc, "cannot write %s", dst);
	}
	confarch_fnv(hash, f->stored, strlen(f->stored) + 1);
	rc = confarch_copy_fd(in, out, hash, &total);
	confarch_fnv(hash, &total, sizeof(total));
	if (rc == 0 && fdatasync(out) != 0)
		rc = -errno;
	close(in);
	if (close(out) != 0 && rc == 0)
		rc = -errno;
	if (rc != 0)
		return confarch_err(err, errlen, rc, "copying %s to %s",
		    f->path, dst);
	return 0;
}

/* Fill f with stored names for paths; refuse names that cannot be kept. */
static int
confarch_plan(const char *const *paths, size_t n, struct confarch_file *f,
    char *err, size_t errlen)
{
	char base[CONFARCH_PATH], st[CONFARCH_PATH], *slash;
	size_t i, j;
	int rc;

	if ((rc = confarch_norm(paths[0], base, sizeof(base))) != 0)
		return confarch_err(err, errlen, rc, "cannot archive '%s'",
		    paths[0]);
	slash = strrchr(base, '/');
	if (slash == base)
		slash[1] = '\0';
	else
		*slash = '\0';
	for (i = 0; i < n; i++) {
		if (paths[i][0] != '/' || strpbrk(paths[i], "\t\n") != NULL)
			return confarch_err(err, errlen, -EINVAL, "cannot "
			    "archive '%s': not an absolute path, or a tab or "
			    "line break in it", paths[i]);
		if ((rc = confarch_stored_name(base, paths[i], st,
		    sizeof(st))) != 0 || !confarch_stored_ok(st))
			return confarch_err(err, errlen, rc != 0 ? rc :
			    -EINVAL, "cannot archive '%s'", paths[i]);
		for (j = 0; j < i; j++)
			if (strcmp(f[j].stored, st) == 0)
				return confarch_err(err, errlen, -EEXIST,
				    "%s and %s would be stored as %s",
				    paths[j], paths[i], st);
		if ((f[i].stored = strdup(st)) == NULL ||
		    (f[i].path = strdup(paths[i])) == NULL)
			return confarch_err(err, errlen, -ENOMEM, "archiving");
	}
	return 0;
}

/* Rename tmp into dir as YYYYMMDD-HHMMSS-hash (-2, -3... when taken). */
static int
confarch_publish(const char *dir, const char *tmp, int64_t now,
    const char *hash, char *id, size_t idlen, char *err, size_t errlen)
{
	char stamp[32], base[CONFARCH_ID_MAX], dst[CONFARCH_PATH];
	time_t t = (time_t)now;
	struct tm tm;
	int k;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	snprintf(base, sizeof(base), "%s-%s", stamp, hash);
	for (k = 1; k < 100; k++) {
		if (k == 1)
			snprintf(id, idlen, "%s", base);
		else
			snprintf(id, idlen, "%s-%d", base, k);
		if (confarch_path(dst, sizeof(dst), "%s/%s", dir, id) != 0)
			return confarch_err(err, errlen, -ENAMETOOLONG, "%s",
			    dir);
		if (rename(tmp, dst) == 0)
			return 0;
		if (errno != EEXIST && errno != ENOTEMPTY)
			return confarch_err(err, errlen, -errno, "cannot "
			    "rename %s to %s", tmp, dst);
	}
	return confarch_err(err, errlen, -EEXIST, "too many snapshots named "
	    "%s", base);
}

void
confarch_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int
confarch_snapshot(const char *dir, const char *const *paths, size_t n,
    int64_t now, char *id, size_t idlen, bool *created, char *err,
    size_t errlen)
{
	struct confarch_file *f = NULL;
	struct confarch_snap *list = NULL;
	char tmp[CONFARCH_PATH], files[CONFARCH_PATH], hash[9];
	uint64_t h = CONFARCH_FNV_OFFSET, seq;
	size_t nlist = 0, i;
	bool made = false;
	int rc;

	*created = false;
	if (n == 0)
		return confarch_err(err, errlen, -EINVAL, "no files to "
		    "archive");
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return confarch_err(err, errlen, -errno, "cannot create the "
		    "configuration archive %s", dir);
	if ((rc = confarch_list(dir, &list, &nlist, err, errlen)) != 0)
		return rc;
	seq = nlist > 0 ? list[nlist - 1].seq + 1 : 1;
	if ((f = calloc(n, sizeof(*f))) == NULL) {
		rc = confarch_err(err, errlen, -ENOMEM, "archiving");
		goto out;
	}
	if ((rc = confarch_plan(paths, n, f, err, errlen)) != 0)
		goto out;
	if (confarch_path(tmp, sizeof(tmp), "%s/.new-%ld-%llu", dir,
	    (long)getpid(), (unsigned long long)seq) != 0 ||
	    confarch_path(files, sizeof(files), "%s/files", tmp) != 0) {
		rc = confarch_err(err, errlen, -ENAMETOOLONG, "%s", dir);
		goto out;
	}
	confarch_rmtree(tmp); /* left by a crash of a process with our pid */
	if (mkdir(tmp, 0750) != 0 || mkdir(files, 0750) != 0) {
		rc = confarch_err(err, errlen, -errno, "cannot write in the "
		    "configuration archive %s", dir);
		goto out;
	}
	made = true;
	for (i = 0; i < n; i++)
		if ((rc = confarch_take(tmp, &f[i], &h, err, errlen)) != 0)
			goto out;
	snprintf(hash, sizeof(hash), "%08x", (unsigned)((h ^ (h >> 32)) &
	    0xffffffffU));
	if ((rc = confarch_write_manifest(tmp, seq, now, hash, f, n)) != 0) {
		confarch_err(err, errlen, rc, "cannot write the manifest in "
		    "%s", tmp);
		goto out;
	}
	if (nlist > 0 && confarch_same(dir, list[nlist - 1].id, tmp, f, n)) {
		snprintf(id, idlen, "%s", list[nlist - 1].id);
		goto out; /* rc 0, the temporary folder removed below */
	}
	if ((rc = confarch_publish(dir, tmp, now, hash, id, idlen, err,
	    errlen)) != 0)
		goto out;
	made = false;
	*created = true;
	confarch_sync_dir(dir);
out:
	if (made)
		confarch_rmtree(tmp);
	confarch_files_free(f, n);
	free(list);
	return rc;
}

