/*
 * topology_file: read and write the saved topology (see topology_file.h).
 *
 * Data: an array of entries with their own strings, sorted by host once
 * read (so a host is found by binary search). Host and parent names
 * are checked as the configuration would take them (no blanks, no
 * control characters, no ';'), so a saved file can never inject text into
 * a host's parents.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "topology.h"
#include "topology_file.h"

#define TOPO_FILE_MAGIC "# pharos topology 1"

void
topo_file_free(struct topo_saved *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->e[i].host);
		free(s->e[i].parent);
		free(s->e[i].kind);
	}
	free(s->e);
	free(s);
}

static bool
topo_file_name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) >= TOPO_NAME_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == 0x7f || c == ';' || c == ',')
			return false;
	}
	return true;
}

void
topo_file_default(const char *topology_file,
    const char *state_retention_file, const char *main_file, char *buf,
    size_t len)
{
	const char *near = state_retention_file ? state_retention_file
	                                        : main_file;
	const char *slash = strrchr(near, '/');

	if (topology_file != NULL) {
		snprintf(buf, len, "%s", topology_file);
		return;
	}
	if (slash == NULL)
		snprintf(buf, len, "%s", TOPO_FILE_NAME);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - near), near,
		    TOPO_FILE_NAME);
}

int
topo_file_save(const char *path, const struct topo *t, char *err,
    size_t errlen)
{
	char tmp[4096];
	struct topo_place p;
	FILE *fp;
	size_t i;
	int fd, rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	fprintf(fp, "%s\n# host, parent (- for the monitor), evidence kind; "
	    "written by pharos topology --save\n", TOPO_FILE_MAGIC);
	for (i = 0; i < topo_nhosts(t); i++) {
		if (topo_place_get(t, i, &p) != 0 || !p.placed ||
		    !topo_file_name_ok(p.name))
			continue;
		fprintf(fp, "%s\t%s\t%s\n", p.name, p.parent ? p.parent : "-",
		    topo_ev_kind_name(p.kind));
	}
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
		rc = -errno;
	if (fclose(fp) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
	}
	return rc;
}

static int
topo_file_line(struct topo_saved *s, char *line, const char *path,
    unsigned ln, char *err, size_t errlen)
{
	char *f[3], *save = NULL;
	struct topo_saved_entry *e;
	int i;

	for (i = 0; i < 3; i++) {
		f[i] = strtok_r(i == 0 ? line : NULL, "\t", &save);
		if (f[i] == NULL) {
			snprintf(err, errlen, "%s:%u: expected host, parent and "
			    "kind separated by tabs", path, ln);
			return -EINVAL;
		}
	}
	if (strtok_r(NULL, "\t", &save) != NULL || !topo_file_name_ok(f[0]) ||
	    !topo_file_name_ok(f[1]) || !topo_file_name_ok(f[2])) {
		snprintf(err, errlen, "%s:%u: malformed line", path, ln);
		return -EINVAL;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;

		if ((e = realloc(s->e, cap * sizeof(*e))) == NULL)
			return -ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	e = &s->e[s->n];
	e->line = ln;
	e->host = strdup(f[0]);
	e->parent = strcmp(f[1], "-") == 0 ? NULL : strdup(f[1]);
	e->kind = strdup(f[2]);
	s->n++;
	if (e->host == NULL || e->kind == NULL ||
	    (strcmp(f[1], "-") != 0 && e->parent == NULL))
		return -ENOMEM;
	return 0;
}

static int
topo_file_cmp(const void *a, const void *b)
{
	const struct topo_saved_entry *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

/* bsearch: a host name against an entry. */
static int
topo_file_cmp_key(const void *key, const void *b)
{
	const struct topo_saved_entry *y = b;

	return strcmp(key, y->host);
}

/* Sort s by host; a host listed twice is an error at the line of its
 * second listing (the earliest such line, as a line by line check would
 * find it). Returns 0 or -EINVAL with err filled. */
static int
topo_file_sort(struct topo_saved *s, const char *path, char *err,
    size_t errlen)
{
	const struct topo_saved_entry *dup = NULL;
	size_t i;

	if (s->n > 1)
		qsort(s->e, s->n, sizeof(*s->e), topo_file_cmp);
	for (i = 1; i < s->n; i++)
		if (strcmp(s->e[i - 1].host, s->e[i].host) == 0 &&
		    (dup == NULL || s->e[i].line < dup->line))
			dup = &s->e[i];
	if (dup == NULL)
		return 0;
	snprintf(err, errlen, "%s:%u: host '%s' listed twice", path,
	    dup->line, dup->host);
	return -EINVAL;
}

int
topo_file_load(const char *path, struct topo_saved **out, char *err,
    size_t errlen)
{
	struct topo_saved *s;
	char line[1024];
	unsigned ln = 0;
	size_t total = 0;
	FILE *fp;
	int rc = 0;

	*out = NULL;
	fp = fopen(path, "re");
	if (fp == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		fclose(fp);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);

		ln++;
		total += len;
		if (total > TOPO_FILE_MAX || (len == sizeof(line) - 1 &&
		    line[len - 1] != '\n')) {
			snprintf(err, errlen, "%s:%u: line or file too long",
			    path, ln);
			rc = -EINVAL;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (ln == 1 && strcmp(line, TOPO_FILE_MAGIC) != 0) {
			snprintf(err, errlen, "%s:1: not a Pharos topology file "
			    "(expected '%s')", path, TOPO_FILE_MAGIC);
			rc = -EINVAL;
			break;
		}
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((rc = topo_file_line(s, line, path, ln, err, errlen)) != 0)
			break;
	}
	/* Duplicates come before any later error: they are on earlier lines
	 * (a line that failed is not among the entries). */
	if ((rc == 0 || rc == -EINVAL) &&
	    topo_file_sort(s, path, err, errlen) != 0)
		rc = -EINVAL;
	if (rc == 0 && ln == 0) {
		snprintf(err, errlen, "%s: empty file", path);
		rc = -EINVAL;
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -EIO;
	}
	fclose(fp);
	if (rc != 0) {
		topo_file_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

const struct topo_saved_entry *
topo_file_find(const struct topo_saved *s, const char *host)
{
	if (s == NULL || s->n == 0)
		return NULL;
	return bsearch(host, s->e, s->n, sizeof(*s->e), topo_file_cmp_key);
}
