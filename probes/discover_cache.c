/*
 * discover_cache: discovery results, the cache of the last complete
 * result per host, its JSON file, and the diff of two results.
 *
 * The cache is an array of (host, result) sorted by host name (bsearch;
 * a put inserts in place). Each result is a deep copy owned by the cache.
 * The file is read whole after a size check (DISCOVER_CACHE_FILE_MAX) and
 * every field is checked: a host entry with a missing or mistyped field,
 * an over-long string or too many services is dropped whole (never half
 * an entry) and counted; anything wrong at the top level refuses the file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discover_int.h"

#define DC_CACHE_VERSION 1
#define DC_HOST_MAX 256

struct dc_host {
	char *host;
	struct discover_result *r;
};

struct discover_cache {
	struct dc_host *v;
	size_t n, cap;
};

static char *
dc_strdup_clean(const char *s)
{
	size_t len = strlen(s);
	char *d = malloc(len + 1);

	if (d != NULL)
		dc_clean_text(d, len + 1, s, len);
	return d;
}

int
dc_result_add_service(struct discover_result *r, const char *desc,
    const char *cmd, const char *origin)
{
	struct discover_service *s;

	if (r->nservices == DISCOVER_SERVICES_MAX)
		return -E2BIG;
	s = realloc(r->services, (r->nservices + 1) * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	r->services = s;
	s = &r->services[r->nservices];
	s->description = dc_strdup_clean(desc);
	s->check_command = dc_strdup_clean(cmd);
	s->origin = dc_strdup_clean(origin);
	if (s->description == NULL || s->check_command == NULL ||
	    s->origin == NULL) {
		free(s->description);
		free(s->check_command);
		free(s->origin);
		return -ENOMEM;
	}
	r->nservices++;
	return 0;
}

int
dc_result_add_iface(struct discover_result *r, const struct discover_iface *in)
{
	struct discover_iface *f;

	if (r->nifaces == PROFILE_ROWS_MAX)
		return -E2BIG;
	f = realloc(r->ifaces, (r->nifaces + 1) * sizeof(*f));
	if (f == NULL)
		return -ENOMEM;
	r->ifaces = f;
	f = &r->ifaces[r->nifaces];
	*f = *in;
	f->name = dc_strdup_clean(in->name);
	f->descr = dc_strdup_clean(in->descr);
	f->alias = dc_strdup_clean(in->alias);
	if (f->name == NULL || f->descr == NULL || f->alias == NULL) {
		free(f->name);
		free(f->descr);
		free(f->alias);
		return -ENOMEM;
	}
	r->nifaces++;
	return 0;
}

void
dc_result_clear(struct discover_result *r)
{
	for (size_t i = 0; i < r->nservices; i++) {
		free(r->services[i].description);
		free(r->services[i].check_command);
		free(r->services[i].origin);
	}
	for (size_t i = 0; i < r->nifaces; i++) {
		free(r->ifaces[i].name);
		free(r->ifaces[i].descr);
		free(r->ifaces[i].alias);
	}
	free(r->services);
	free(r->ifaces);
	r->services = NULL;
	r->ifaces = NULL;
	r->nservices = r->nifaces = 0;
}

void
discover_result_free(struct discover_result *r)
{
	if (r == NULL)
		return;
	dc_result_clear(r);
	free(r);
}

/* A deep copy of a complete result. */
static struct discover_result *
dc_result_dup(const struct discover_result *in)
{
	struct discover_result *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	*r = *in;
	r->services = NULL;
	r->ifaces = NULL;
	r->nservices = r->nifaces = 0;
	for (size_t i = 0; i < in->nservices; i++)
		if (dc_result_add_service(r, in->services[i].description,
		    in->services[i].check_command,
		    in->services[i].origin) != 0)
			goto fail;
	for (size_t i = 0; i < in->nifaces; i++)
		if (dc_result_add_iface(r, &in->ifaces[i]) != 0)
			goto fail;
	return r;
fail:
	discover_result_free(r);
	return NULL;
}

int
discover_cache_new(struct discover_cache **out)
{
	*out = calloc(1, sizeof(**out));
	return *out == NULL ? -ENOMEM : 0;
}

void
discover_cache_free(struct discover_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].host);
		discover_result_free(c->v[i].r);
	}
	free(c->v);
	free(c);
}

/* Position of host, or where it would go (*found false). */
static size_t
dc_cache_pos(const struct discover_cache *c, const char *host, bool *found)
{
	size_t lo = 0, hi = c->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->v[mid].host, host);

		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
dc_host_valid(const char *host)
{
	size_t n = strlen(host);

	if (n == 0 || n >= DC_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)host[i] < 0x20 || host[i] == 0x7f)
			return false;
	return true;
}

/* Insert or replace, taking ownership of r (freed on failure). */
static int
dc_cache_set(struct discover_cache *c, const char *host,
    struct discover_result *r)
{
	bool found;
	size_t pos = dc_cache_pos(c, host, &found);
	char *h;

	if (found) {
		discover_result_free(c->v[pos].r);
		c->v[pos].r = r;
		return 0;
	}
	if (c->n == DISCOVER_CACHE_HOSTS_MAX) {
		discover_result_free(r);
		return -E2BIG;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap == 0 ? 16 : c->cap * 2;
		struct dc_host *n = realloc(c->v, ncap * sizeof(*n));

		if (n == NULL) {
			discover_result_free(r);
			return -ENOMEM;
		}
		c->v = n;
		c->cap = ncap;
	}
	h = strdup(host);
	if (h == NULL) {
		discover_result_free(r);
		return -ENOMEM;
	}
	memmove(&c->v[pos + 1], &c->v[pos], (c->n - pos) * sizeof(*c->v));
	c->v[pos].host = h;
	c->v[pos].r = r;
	c->n++;
	return 0;
}

int
discover_cache_put(struct discover_cache *c, const char *host,
    const struct discover_result *r)
{
	struct discover_result *copy;

	if (r == NULL || r->status != DISCOVER_OK || !dc_host_valid(host))
		return -EINVAL;
	copy = dc_result_dup(r);
	if (copy == NULL)
		return -ENOMEM;
	return dc_cache_set(c, host, copy);
}

const struct discover_result *
discover_cache_get(const struct discover_cache *c, const char *host)
{
	bool found;
	size_t pos = dc_cache_pos(c, host, &found);

	return found ? c->v[pos].r : NULL;
}

bool
discover_cache_remove(struct discover_cache *c, const char *host)
{
	bool found;
	size_t pos = dc_cache_pos(c, host, &found);

	if (!found)
		return false;
	free(c->v[pos].host);
	discover_result_free(c->v[pos].r);
	memmove(&c->v[pos], &c->v[pos + 1], (c->n - pos - 1) * sizeof(*c->v));
	c->n--;
	return true;
}

size_t
discover_cache_count(const struct discover_cache *c)
{
	return c->n;
}

/* ---- reading -------------------------------------------------------- */

/* A string member of o no longer than max-1 into dst ("" when absent and
 * optional). Returns false when mistyped or too long. */
static bool
dc_json_str(const json_t *o, const char *key, char *dst, size_t max,
    bool optional)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL && optional) {
		dst[0] = '\0';
		return true;
	}
	if (!json_is_string(v) || json_string_length(v) >= max)
		return false;
	dc_clean_text(dst, max, json_string_value(v), json_string_length(v));
	return true;
}

static bool
dc_json_int(const json_t *o, const char *key, json_int_t min, json_int_t max,
    json_int_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool
dc_load_service(struct discover_result *r, const json_t *o)
{
	char desc[DISCOVER_TEXT_MAX], cmd[DISCOVER_TEXT_MAX];
	char origin[DISCOVER_TEXT_MAX];

	return json_is_object(o) &&
	    dc_json_str(o, "description", desc, sizeof(desc), false) &&
	    dc_json_str(o, "check_command", cmd, sizeof(cmd), false) &&
	    dc_json_str(o, "origin", origin, sizeof(origin), true) &&
	    desc[0] != '\0' && cmd[0] != '\0' &&
	    dc_result_add_service(r, desc, cmd, origin) == 0;
}

static bool
dc_load_iface(struct discover_result *r, const json_t *o)
{
	char name[DISCOVER_STR_MAX], descr[DISCOVER_STR_MAX];
	char alias[DISCOVER_STR_MAX];
	struct discover_iface f = { .name = name, .descr = descr,
		.alias = alias };
	json_int_t idx, type = 0, admin = 0, oper = 0;

	if (!json_is_object(o) ||
	    !dc_json_int(o, "index", 1, 0x7fffffff, &idx) ||
	    !dc_json_str(o, "name", name, sizeof(name), true) ||
	    !dc_json_str(o, "descr", descr, sizeof(descr), true) ||
	    !dc_json_str(o, "alias", alias, sizeof(alias), true))
		return false;
	if ((json_object_get(o, "type") != NULL &&
	    !dc_json_int(o, "type", 0, 0x7fffffff, &type)) ||
	    (json_object_get(o, "admin") != NULL &&
	    !dc_json_int(o, "admin", 0, 0x7fffffff, &admin)) ||
	    (json_object_get(o, "oper") != NULL &&
	    !dc_json_int(o, "oper", 0, 0x7fffffff, &oper)))
		return false;
	f.index = (uint32_t)idx;
	f.type = (int)type;
	f.admin = (int)admin;
	f.oper = (int)oper;
	return dc_result_add_iface(r, &f) == 0;
}

static bool
dc_load_lists(struct discover_result *r, const json_t *o)
{
	const json_t *svcs = json_object_get(o, "services");
	const json_t *ifs = json_object_get(o, "interfaces");
	size_t i;
	json_t *v;

	if (!json_is_array(svcs) ||
	    json_array_size(svcs) > DISCOVER_SERVICES_MAX ||
	    (ifs != NULL && (!json_is_array(ifs) ||
	    json_array_size(ifs) > PROFILE_ROWS_MAX)))
		return false;
	json_array_foreach(svcs, i, v)
		if (!dc_load_service(r, v))
			return false;
	json_array_foreach(ifs, i, v)
		if (!dc_load_iface(r, v))
			return false;
	return true;
}

/* One host entry, whole or nothing. */
static struct discover_result *
dc_load_host(const json_t *o)
{
	struct discover_result *r = calloc(1, sizeof(*r));
	json_int_t t;

	if (r == NULL || !json_is_object(o) ||
	    !dc_json_int(o, "time", 0, INT64_MAX, &t) ||
	    !dc_json_str(o, "profile", r->profile, sizeof(r->profile), false) ||
	    !dc_json_str(o, "sysObjectID", r->sys_object_id,
	    sizeof(r->sys_object_id), true) ||
	    !dc_json_str(o, "sysName", r->sys_name, sizeof(r->sys_name),
	    true) ||
	    !dc_json_str(o, "sysDescr", r->sys_descr, sizeof(r->sys_descr),
	    true) || !dc_load_lists(r, o)) {
		discover_result_free(r);
		return NULL;
	}
	r->time = (int64_t)t;
	r->status = DISCOVER_OK;
	return r;
}

static int
dc_load_hosts(struct discover_cache *c, json_t *hosts, size_t *dropped)
{
	const char *host;
	json_t *v;

	json_object_foreach(hosts, host, v) {
		struct discover_result *r;
		int rc;

		if (!dc_host_valid(host) || (r = dc_load_host(v)) == NULL) {
			(*dropped)++;
			continue;
		}
		rc = dc_cache_set(c, host, r);
		if (rc == -E2BIG) {
			(*dropped)++;
			continue;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Open path and refuse what cannot be a cache by its size. */
static int
dc_open_bounded(const char *path, FILE **out, char *err, size_t errlen)
{
	struct stat st;
	FILE *f = fopen(path, "r");

	*out = NULL;
	if (f == NULL) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > DISCOVER_CACHE_FILE_MAX) {
		snprintf(err, errlen, "%s: not a discovery cache (not a "
		    "regular file, or larger than %d bytes)", path,
		    DISCOVER_CACHE_FILE_MAX);
		fclose(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

int
discover_cache_load(const char *path, struct discover_cache **out,
    size_t *dropped, char *err, size_t errlen)
{
	struct discover_cache *c = NULL;
	json_error_t je;
	json_t *root = NULL, *hosts;
	size_t drops = 0;
	FILE *f;
	int rc;

	*out = NULL;
	rc = dc_open_bounded(path, &f, err, errlen);
	if (rc == -ENOENT)
		return discover_cache_new(out);
	if (rc != 0)
		return rc;
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: corrupt discovery cache: %s",
		    path, je.line, je.column, je.text);
		return -EINVAL;
	}
	hosts = json_object_get(root, "hosts");
	if (!json_is_object(root) || json_integer_value(json_object_get(root,
	    "version")) != DC_CACHE_VERSION || !json_is_object(hosts)) {
		snprintf(err, errlen, "%s: not a discovery cache (version %d "
		    "with a \"hosts\" object)", path, DC_CACHE_VERSION);
		rc = -EINVAL;
		goto out;
	}
	rc = discover_cache_new(&c);
	if (rc == 0)
		rc = dc_load_hosts(c, hosts, &drops);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		discover_cache_free(c);
		goto out;
	}
	if (dropped != NULL)
		*dropped = drops;
	*out = c;
out:
	json_decref(root);
	return rc;
}

/* ---- writing -------------------------------------------------------- */

static json_t *
dc_json_service(const struct discover_service *s)
{
	return json_pack("{s:s, s:s, s:s}", "description", s->description,
	    "check_command", s->check_command, "origin", s->origin);
}

static json_t *
dc_json_iface(const struct discover_iface *f)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:i}", "index",
	    (json_int_t)f->index, "name", f->name, "descr", f->descr, "alias",
	    f->alias, "type", f->type, "admin", f->admin, "oper", f->oper);
}

static json_t *
dc_json_host(const struct discover_result *r)
{
	json_t *svcs = json_array(), *ifs = json_array(), *o;
	int bad = svcs == NULL || ifs == NULL;

	for (size_t i = 0; i < r->nservices && !bad; i++)
		bad = json_array_append_new(svcs,
		    dc_json_service(&r->services[i])) != 0;
	for (size_t i = 0; i < r->nifaces && !bad; i++)
		bad = json_array_append_new(ifs,
		    dc_json_iface(&r->ifaces[i])) != 0;
	if (bad) {
		json_decref(svcs);
		json_decref(ifs);
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o}", "time",
	    (json_int_t)r->time, "profile", r->profile, "sysObjectID",
	    r->sys_object_id, "sysName", r->sys_name, "sysDescr", r->sys_descr,
	    "services", svcs, "interfaces", ifs);
	return o;
}

char *
discover_result_json(const struct discover_result *r, const char *host)
{
	json_t *o = dc_json_host(r);
	char *text = NULL, h[DC_HOST_MAX];

	dc_clean_text(h, sizeof(h), host, strlen(host));
	if (o != NULL && json_object_set_new(o, "host", json_string(h)) == 0 &&
	    (r->status == DISCOVER_OK || json_object_set_new(o, "error",
	    json_string(r->error)) == 0))
		text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

static json_t *
dc_json_cache(const struct discover_cache *c)
{
	json_t *hosts = json_object();

	if (hosts == NULL)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		json_t *h = dc_json_host(c->v[i].r);

		if (h == NULL ||
		    json_object_set_new(hosts, c->v[i].host, h) != 0) {
			json_decref(hosts);
			return NULL;
		}
	}
	return json_pack("{s:i, s:o}", "version", DC_CACHE_VERSION, "hosts",
	    hosts);
}

/* fsync the directory holding path, so the rename is durable. */
static int
dc_sync_dir(const char *path)
{
	char buf[4096];
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

static int
dc_write_tmp(json_t *root, int fd)
{
	FILE *f = fdopen(fd, "w");
	int rc = 0;

	if (f == NULL) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (json_dumpf(root, f, JSON_INDENT(1)) != 0 || fputc('\n', f) == EOF ||
	    fflush(f) != 0)
		rc = -(errno != 0 ? errno : EIO);
	if (rc == 0 && fsync(fileno(f)) != 0)
		rc = -errno;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int
discover_cache_save(const struct discover_cache *c, const char *path,
    char *err, size_t errlen)
{
	char tmp[4096];
	json_t *root;
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%.200s...: path too long", path);
		return -ENAMETOOLONG;
	}
	root = dc_json_cache(c);
	if (root == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", tmp, strerror(-rc));
		json_decref(root);
		return rc;
	}
	errno = 0;
	rc = dc_write_tmp(root, fd);
	json_decref(root);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	rc = dc_sync_dir(path);
	if (rc != 0)
		snprintf(err, errlen, "%s: fsync of its directory: %s", path,
		    strerror(-rc));
	return rc;
}

/* ---- diff ----------------------------------------------------------- */

static int
dc_svc_cmp(const void *a, const void *b)
{
	const struct discover_service *const *x = a, *const *y = b;

	return strcmp((*x)->description, (*y)->description);
}

static const struct discover_service **
dc_sorted(const struct discover_result *r)
{
	size_t n = r == NULL ? 0 : r->nservices;
	const struct discover_service **v = calloc(n + 1, sizeof(*v));

	if (v == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		v[i] = &r->services[i];
	qsort(v, n, sizeof(*v), dc_svc_cmp);
	return v;
}

/* Mark by merging the sorted lists: 1 = added/vanished, 2 = changed. */
static void
dc_diff_mark(const struct discover_result *old,
    const struct discover_result *cur, const struct discover_service **a,
    const struct discover_service **b, unsigned char *ma, unsigned char *mb)
{
	size_t i = 0, k = 0, na = old == NULL ? 0 : old->nservices;

	while (i < na || k < cur->nservices) {
		int cmp = i == na ? 1 : k == cur->nservices ? -1 :
		    strcmp(a[i]->description, b[k]->description);

		if (cmp < 0) {
			ma[a[i++] - old->services] = 1;
		} else if (cmp > 0) {
			mb[b[k++] - cur->services] = 1;
		} else {
			if (strcmp(a[i]->check_command,
			    b[k]->check_command) != 0)
				mb[b[k] - cur->services] = 2;
			i++;
			k++;
		}
	}
}

static int
dc_diff_collect(const struct discover_result *r, const unsigned char *m,
    unsigned char want, const struct discover_service ***out, size_t *n)
{
	size_t total = r == NULL ? 0 : r->nservices;

	*out = calloc(total + 1, sizeof(**out));
	if (*out == NULL)
		return -ENOMEM;
	*n = 0;
	for (size_t i = 0; i < total; i++)
		if (m[i] == want)
			(*out)[(*n)++] = &r->services[i];
	return 0;
}

int
discover_diff(const struct discover_result *old,
    const struct discover_result *cur, struct discover_diff *out)
{
	const struct discover_service **a = dc_sorted(old);
	const struct discover_service **b = dc_sorted(cur);
	size_t na = old == NULL ? 0 : old->nservices;
	unsigned char *ma = calloc(na + 1, 1);
	unsigned char *mb = calloc(cur->nservices + 1, 1);
	int rc = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (a != NULL && b != NULL && ma != NULL && mb != NULL) {
		dc_diff_mark(old, cur, a, b, ma, mb);
		rc = dc_diff_collect(cur, mb, 1, &out->added, &out->nadded);
		if (rc == 0)
			rc = dc_diff_collect(old, ma, 1, &out->vanished,
			    &out->nvanished);
		if (rc == 0)
			rc = dc_diff_collect(cur, mb, 2, &out->changed,
			    &out->nchanged);
	}
	free(a);
	free(b);
	free(ma);
	free(mb);
	if (rc != 0)
		discover_diff_free(out);
	return rc;
}

void
discover_diff_free(struct discover_diff *d)
{
	if (d == NULL)
		return;
	free(d->added);
	free(d->vanished);
	free(d->changed);
	memset(d, 0, sizeof(*d));
}
