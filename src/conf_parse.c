/*
 * conf_parse: the object file reader and the template resolver.
 *
 * Reading turns Nagios-syntax object files into definitions (struct
 * conf_def: a type, the file and line of its "define", and its directives
 * each with its own line), appended to ctx->defs in the order read. A file
 * is read whole and scanned once, line by line, so the cost is linear in
 * its size. Lines are capped at CONF_MAX_LINE bytes and each file at
 * CONF_MAX_ERRORS_PER_FILE errors, after which the rest of the file is
 * skipped: a binary or truncated file costs a bounded number of messages.
 * Directive names are checked against the tables of what Nagios 4 accepts
 * per type (objects.c), values against their syntax where they are
 * written, so a bad value in a template is reported once, at its line.
 *
 * Resolving templates (conf_inherit) then gives each definition its
 * directives with everything it inherits: conf_def.r, sorted by key, so
 * inheriting from a template is one linear merge of two sorted arrays.
 * Nagios precedence: local values win; templates count in "use" order,
 * each with everything it inherited, so earlier ones win; "null" is a
 * value that blocks inheritance and reads as unset; "+list" appends to the
 * first inherited value found. Each definition is resolved once (rstate);
 * a definition met again while it is being resolved is a loop.
 */
#include "conf_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define CONF_MAX_TEMPLATE_DEPTH 64

/* Longest interval accepted: one year. */
#define CONF_MAX_INTERVAL_S (366.0 * 86400.0)

/* Long names of option letters, as Nagios accepts them. */
static const struct {
	const char *word;
	char letter;
} conf_opt_words[] = {
	{ "up", 'o' }, { "ok", 'o' }, { "down", 'd' }, { "unreachable", 'u' },
	{ "unknown", 'u' }, { "warning", 'w' }, { "critical", 'c' },
	{ "recovery", 'r' }, { "flapping", 'f' }, { "downtime", 's' },
	{ "none", 'n' }, { "all", 'a' }, { "notifications", 'N' },
};
#define CONF_NWORDS (sizeof(conf_opt_words) / sizeof(conf_opt_words[0]))

/* Reader state for one file. */
struct conf_reader {
	struct conf_ctx *ctx;
	const char *file; /* pooled */
	struct conf_def *cur;  /* open definition, or NULL */
	bool skipping;	       /* inside a definition of an unknown type */
	bool cur_registered;   /* for accepted-not-built types */
	unsigned nerr;
	bool stop;
};

static void __attribute__((format(printf, 3, 4)))
conf_rerr(struct conf_reader *rd, int line, const char *fmt, ...)
{
	va_list ap;

	if (rd->stop)
		return;
	va_start(ap, fmt);
	conf_vmsg(rd->ctx, CONF_ERROR, rd->file, line, fmt, ap);
	va_end(ap);
	rd->ctx->priv->read_errors++;
	if (++rd->nerr >= CONF_MAX_ERRORS_PER_FILE) {
		conf_msg(rd->ctx, CONF_ERROR, rd->file, line,
		    "too many errors (%d); the rest of this file is skipped",
		    CONF_MAX_ERRORS_PER_FILE);
		rd->ctx->priv->read_errors++;
		rd->stop = true;
	}
}

/* Plain decimal with optional sign and fraction: no hex, no inf/nan, no
 * exponent, no spaces. */
static bool
conf_is_decimal(const char *s, size_t len, bool allow_frac)
{
	size_t i = 0, digits = 0;
	bool dot = false;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] == '.' && allow_frac && !dot)
			dot = true;
		else
			return false;
	}
	return digits > 0;
}

/* Check the value of directive k. Returns NULL when fine, else a static
 * reason. "null" (cancel inheritance) is always fine. */
static const char *
conf_value_check(const struct conf_ctx *ctx, const struct conf_key *k,
    const char *v)
{
	size_t len = strlen(v), i, j, wl;
	const char *p, *w;
	double d;
	char *end;
	int fam;

	if (strcmp(v, "null") == 0)
		return NULL;
	switch (k->kind) {
	case VK_ANY:
	case VK_LIST:
		return NULL;
	case VK_BOOL:
		return strcmp(v, "0") == 0 || strcmp(v, "1") == 0 ? NULL :
		    "expected 0 or 1";
	case VK_INT:
	case VK_NUM:
		if (!conf_is_decimal(v, len, k->kind == VK_NUM))
			return k->kind == VK_INT ? "not an integer" :
			    "not a number";
		errno = 0;
		d = strtod(v, &end);
		if (errno != 0 || *end != '\0' || !isfinite(d))
			return "not a number";
		if (d < k->min || d > k->max)
			return "out of range";
		return NULL;
	case VK_INTERVAL:
		if (len > 0 && v[len - 1] == 's')
			len--;
		if (!conf_is_decimal(v, len, true) || v[0] == '-' ||
		    v[0] == '+')
			return "expected a non-negative number of interval units, or seconds like 10s";
		d = strtod(v, &end);
		if (!isfinite(d))
			return "not a number";
		if (v[len] != 's')
			d *= ctx->cfg->interval_length;
		if (d > CONF_MAX_INTERVAL_S)
			return "longer than a year";
		return NULL;
	case VK_OPTS:
	case VK_STATE:
		for (p = v, i = 0; conf_next_item(&p, &w, &wl); i++) {
			if (wl == 1 && strchr(k->opts, w[0]) != NULL)
				continue;
			for (j = 0; j < CONF_NWORDS; j++)
				if (strlen(conf_opt_words[j].word) == wl &&
				    strncmp(conf_opt_words[j].word, w,
				    wl) == 0 &&
				    strchr(k->opts, conf_opt_words[j].letter))
					break;
			if (j == CONF_NWORDS)
				return wl == 0 ? "empty option" :
				    "unknown option";
		}
		return k->kind == VK_STATE && i > 1 ? "expected one state" :
		    NULL;
	case VK_ADDR:
	case VK_ADDR6:
		/* Syntax only: names are resolved by the daemon, not here. */
		fam = objects_address_family(v);
		if (fam < 0 || (k->kind == VK_ADDR6 && fam == AF_INET))
			return k->kind == VK_ADDR ?
			    "expected an IPv4 or IPv6 address or a host name" :
			    "expected an IPv6 address or a host name";
		return NULL;
	}
	return NULL;
}

int64_t
conf_interval_ns(const char *value, int interval_length)
{
	size_t len = strlen(value);
	double d = strtod(value, NULL);

	if (!isfinite(d) || d < 0)
		return 0;
	if (len == 0 || value[len - 1] != 's')
		d *= interval_length;
	if (d > CONF_MAX_INTERVAL_S)
		d = CONF_MAX_INTERVAL_S;
	return (int64_t)(d * 1e9 + 0.5);
}

static int
conf_def_add(struct conf_ctx *ctx, struct conf_def *d, char *key,
    char *value, int line, unsigned flags)
{
	if (key == NULL || value == NULL ||
	    !CONF_ROOM(&ctx->oom, d->kvs, d->nkvs)) {
		free(key);
		free(value);
		return -ENOMEM;
	}
	d->kvs[d->nkvs].key = key;
	d->kvs[d->nkvs].value = value;
	d->kvs[d->nkvs].line = line;
	d->kvs[d->nkvs].flags = flags;
	d->nkvs++;
	return 0;
}

void
conf_def_free(struct conf_def *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nkvs; i++) {
		free(d->kvs[i].key);
		free(d->kvs[i].value);
	}
	free(d->kvs);
	free(d->r);
	free(d);
}

/* One directive inside a definition. Bad values are reported and kept
 * flagged CONF_KV_BAD: they count as set (no "missing" error follows) and
 * the default applies. */
static int
conf_directive(struct conf_reader *rd, int line, char *name, char *value)
{
	struct conf_def *d = rd->cur;
	const struct conf_key *k;
	static const struct conf_key k_register = { "register", VK_BOOL, 0, 1,
	    NULL };
	const char *why, *ranges;
	char tkey[256], why_buf[256], *q;
	unsigned flags = 0;

	if ((unsigned)d->type >= CT_NBUILT) {
		/* Accepted, not acted on: any directive goes. */
		if (strcmp(name, "register") == 0 && strcmp(value, "0") == 0)
			rd->cur_registered = false;
		return 0;
	}
	if (strcmp(name, "register") == 0)
		k = &k_register;
	else if (strcmp(name, "name") == 0 || strcmp(name, "use") == 0 ||
	    name[0] == '_')
		k = NULL;
	else if ((k = objects_key_find(d->type, name)) == NULL) {
		if (d->type != CT_TIMEPERIOD) {
			conf_rerr(rd, line,
			    "unknown directive '%s' in %s definition", name,
			    objects_type_name(d->type));
			return 0;
		}
		if (objects_timeperiod_line(name, value, tkey, sizeof(tkey),
		    &ranges, why_buf, sizeof(why_buf)) != 0) {
			conf_rerr(rd, line, "%s", why_buf);
			return 0;
		}
		return conf_def_add(rd->ctx, d, strdup(tkey), strdup(ranges),
		    line, CONF_KV_TIME);
	}
	if (name[0] == '_' && name[1] == '\0') {
		conf_rerr(rd, line, "custom variable without a name");
		return 0;
	}
	if (k != NULL && (why = conf_value_check(rd->ctx, k, value)) != NULL) {
		conf_rerr(rd, line,
		    "invalid %s '%.64s' for '%s' in %s definition: %s",
		    k->kind == VK_ADDR || k->kind == VK_ADDR6 ? "address" :
		    "value", value, name, objects_type_name(d->type), why);
		flags |= CONF_KV_BAD;
	}
	if (name[0] == '_')
		for (q = name; *q != '\0'; q++)
			*q = (char)toupper((unsigned char)*q);
	return conf_def_add(rd->ctx, d, strdup(name), strdup(value), line,
	    flags);
}

static int
conf_rkv_cmp(const void *a, const void *b)
{
	const struct conf_rkv *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

const struct conf_rkv *
conf_rget(const struct conf_def *d, const char *key)
{
	size_t lo = 0, hi = d->nr, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = strcmp(key, d->r[mid].key)) == 0)
			return strcmp(d->r[mid].value, "null") == 0 ? NULL :
			    &d->r[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
conf_rval(const struct conf_def *d, const char *key)
{
	const struct conf_rkv *r = conf_rget(d, key);

	return r == NULL || (r->flags & CONF_KV_BAD) ? NULL : r->value;
}

const char *
conf_rval_or(const struct conf_def *d, const char *key, const char *dflt)
{
	const char *v = conf_rval(d, key);

	return v != NULL ? v : dflt;
}

const char *
conf_def_label(const struct conf_def *d)
{
	static const char *const keys[CT_NBUILT] = { "host_name",
		"hostgroup_name", "service_description", "command_name",
		"contact_name", "contactgroup_name", "timeperiod_name",
		"dependent_host_name", "dependent_service_description",
		"host_name", "service_description", "rule_name" };
	size_t i;

	if (d->tname != NULL)
		return d->tname;
	for (i = 0; i < d->nkvs; i++)
		if (strcmp(d->kvs[i].key, keys[d->type]) == 0)
			return d->kvs[i].value;
	return objects_type_name(d->type);
}

/* A definition is complete: read name, use and register, and sort its
 * directives into d->r (the later of two equal keys wins, with a warning)
 * for the resolver. */
static int
conf_def_finish(struct conf_ctx *ctx, struct conf_def *d)
{
	size_t i, n = 0;

	d->registered = true;
	d->useline = d->line;
	if ((d->r = calloc(d->nkvs + 1, sizeof(*d->r))) == NULL)
		return -ENOMEM;
	for (i = 0; i < d->nkvs; i++) {
		if (strcmp(d->kvs[i].key, "name") == 0)
			d->tname = d->kvs[i].value;
		else if (strcmp(d->kvs[i].key, "use") == 0) {
			d->use = d->kvs[i].value;
			d->useline = d->kvs[i].line;
		} else if (strcmp(d->kvs[i].key, "register") == 0)
			d->registered = strcmp(d->kvs[i].value, "0") != 0;
		else {
			d->r[n].key = d->kvs[i].key;
			d->r[n].value = d->kvs[i].value;
			d->r[n].file = d->file;
			d->r[n].line = d->kvs[i].line;
			d->r[n].seq = d->seq;
			d->r[n++].flags = d->kvs[i].flags;
		}
	}
	qsort(d->r, n, sizeof(*d->r), conf_rkv_cmp);
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(d->r[i].key, d->r[i + 1].key) == 0 &&
		    !objects_key_repeatable(d->type, d->r[i].key))
			conf_msg(ctx, CONF_WARNING, d->file, d->r[i + 1].line,
			    "'%s' is set more than once in this %s definition; the last value wins",
			    d->r[i].key, objects_type_name(d->type));
		else
			d->r[d->nr++] = d->r[i];
	}
	return 0;
}

static int
conf_close_def(struct conf_reader *rd)
{
	struct conf_ctx *ctx = rd->ctx;
	struct conf_def *d = rd->cur;

	rd->cur = NULL;
	if (d == NULL)
		return 0;
	if ((unsigned)d->type >= CT_NBUILT) {
		if (rd->cur_registered)
			ctx->cfg->objects.nignored++;
		conf_def_free(d);
		return 0;
	}
	if (conf_def_finish(ctx, d) != 0 ||
	    !CONF_ROOM(&ctx->oom, ctx->defs, ctx->ndefs)) {
		conf_def_free(d);
		return -ENOMEM;
	}
	ctx->defs[ctx->ndefs++] = d;
	return 0;
}

/* "define TYPE {" (also "define TYPE{"), with s after "define". */
static int
conf_open_def(struct conf_reader *rd, int line, char *s)
{
	char *type, *p;
	bool brace;
	int t;

	while (*s == ' ' || *s == '\t')
		s++;
	type = s;
	while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '{')
		s++;
	p = s;
	while (*s == ' ' || *s == '\t')
		s++;
	brace = *s == '{';
	if (p == type) {
		conf_rerr(rd, line, "'define' without an object type");
		rd->skipping = brace;
		return 0;
	}
	*p = '\0';
	if ((t = objects_type_find(type)) < 0)
		t = CT_NTYPES;
	if (!brace) {
		conf_rerr(rd, line, "expected '{' after 'define %.40s'", type);
		rd->skipping = true;
		return 0;
	}
	if (s[1] != '\0')
		conf_rerr(rd, line, "unexpected text after 'define %.40s {'",
		    type);
	if (t == CT_NTYPES) {
		conf_rerr(rd, line, "invalid object definition type '%.40s'",
		    type);
		rd->skipping = true;
		return 0;
	}
	if (t >= CT_NBUILT)
		conf_msg(rd->ctx, CONF_WARNING, rd->file, line,
		    t >= CT_HOSTEXTINFO ?
		    "%s definitions are deprecated; accepted but not acted on" :
		    "%s definitions are accepted but not acted on yet",
		    type);
	rd->cur = calloc(1, sizeof(*rd->cur));
	if (rd->cur == NULL)
		return -ENOMEM;
	rd->cur->type = (enum conf_type)t;
	rd->cur->file = rd->file;
	rd->cur->line = line;
	rd->cur->seq = rd->ctx->seq++;
	rd->cur_registered = true;
	return 0;
}

static bool
conf_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* One logical line (comments not yet removed), NUL-terminated in s. */
static int
conf_line(struct conf_reader *rd, int line, char *s, size_t len)
{
	char *p, *w, *name, *value;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			conf_rerr(rd, line, c == 0 ?
			    "binary data (NUL byte) in line" :
			    "invalid control character 0x%02x in line", c);
			return 0;
		}
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '#')
		return 0;
	/* Cut at the first unescaped ';', turning "\;" into ';'. */
	for (p = w = s; *p != '\0'; p++) {
		if (*p == '\\' && p[1] == ';') {
			*w++ = ';';
			p++;
		} else if (*p == ';')
			break;
		else
			*w++ = *p;
	}
	while (w > s && (w[-1] == ' ' || w[-1] == '\t'))
		w--;
	*w = '\0';
	if (*s == '\0')
		return 0;

	if (strncmp(s, "define", 6) == 0 && (s[6] == ' ' || s[6] == '\t' ||
	    s[6] == '{' || s[6] == '\0')) {
		if (rd->cur != NULL) {
			conf_rerr(rd, line,
			    "nested define: the %s definition at line %d is not closed",
			    objects_type_name(rd->cur->type), rd->cur->line);
			if (conf_close_def(rd) != 0)
				return -ENOMEM;
		}
		rd->skipping = false;
		return conf_open_def(rd, line, s + 6);
	}
	if (s[0] == '}' && s[1] == '\0') {
		if (rd->cur == NULL && !rd->skipping)
			conf_rerr(rd, line, "'}' outside a definition");
		rd->skipping = false;
		return conf_close_def(rd);
	}
	if (rd->skipping)
		return 0;
	if (rd->cur == NULL) {
		conf_rerr(rd, line, "directive outside a definition: '%.40s'",
		    s);
		return 0;
	}
	name = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	for (p = name; p < s; p++)
		if (!conf_name_char(*p)) {
			conf_rerr(rd, line, "invalid directive name '%.*s'",
			    (int)(s - name > 40 ? 40 : s - name), name);
			return 0;
		}
	value = s;
	while (*value == ' ' || *value == '\t')
		value++;
	*s = '\0';
	if (*value == '\0') {
		conf_rerr(rd, line, "directive '%s' has no value", name);
		return 0;
	}
	return conf_directive(rd, line, name, value);
}

/* Split buf into physical lines, join continuations ("\" at the end) into
 * logical lines of at most CONF_MAX_LINE bytes, and hand them on. */
static int
conf_scan(struct conf_reader *rd, const char *buf, size_t len)
{
	char *lb;
	const char *p = buf, *end = buf + len, *nl;
	size_t ll = 0, pl;
	int lineno = 0, start = 0, rc = 0;
	bool cont = false, toolong = false, nul = false;

	lb = malloc(CONF_MAX_LINE + 1);
	if (lb == NULL)
		return -ENOMEM;
	while (p < end && !rd->stop && rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		pl = (size_t)((nl != NULL ? nl : end) - p);
		lineno++;
		if (!cont) {
			start = lineno;
			ll = 0;
			toolong = nul = false;
		}
		if (pl > 0 && p[pl - 1] == '\r')
			pl--;
		cont = pl > 0 && p[pl - 1] == '\\';
		if (cont)
			pl--;
		if (memchr(p, '\0', pl) != NULL)
			nul = true;
		if (ll + pl > CONF_MAX_LINE)
			toolong = true;
		else {
			memcpy(lb + ll, p, pl);
			ll += pl;
		}
		p = nl != NULL ? nl + 1 : end;
		if (cont && p < end)
			continue;
		lb[ll] = '\0';
		if (toolong)
			conf_rerr(rd, start, "line longer than %d bytes",
			    CONF_MAX_LINE);
		else if (nul)
			conf_rerr(rd, start, "binary data (NUL byte) in line");
		else
			rc = conf_line(rd, start, lb, ll);
		cont = false;
	}
	free(lb);
	if (rc != 0) {
		conf_def_free(rd->cur);
		rd->cur = NULL;
	} else if (rd->cur != NULL) {
		if (!rd->stop)
			conf_rerr(rd, rd->cur->line,
			    "unterminated %s definition: no closing '}' before the end of the file",
			    objects_type_name(rd->cur->type));
		rc = conf_close_def(rd);
	}
	return rc;
}

int
conf_parse_buffer(struct conf_ctx *ctx, const char *name, const char *buf,
    size_t len)
{
	struct conf_reader rd = { .ctx = ctx };

	if ((rd.file = conf_pool_file(ctx, name)) == NULL)
		return -ENOMEM;
	return conf_scan(&rd, buf, len);
}

int
conf_parse_file(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line)
{
	struct conf_reader rd = { .ctx = ctx };
	struct stat st;
	char *buf;
	size_t len, i;
	int rc;

	rc = conf_slurp(path, CONF_MAX_FILE_SIZE, &buf, &len, &st);
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0) {
		conf_msg(ctx, CONF_ERROR, from, from_line,
		    "cannot open object config file '%s': %s", path,
		    conf_slurp_error(rc));
		ctx->priv->read_errors++;
		return 0;
	}
	/* A file named twice (cfg_file and a cfg_dir, a link) is read once. */
	for (i = 0; i < ctx->nseen; i++)
		if (ctx->seen[i].dev == st.st_dev &&
		    ctx->seen[i].ino == st.st_ino) {
			conf_msg(ctx, CONF_WARNING, from, from_line,
			    "object config file '%s' is named more than once; read once",
			    path);
			free(buf);
			return 0;
		}
	if (!CONF_ROOM(&ctx->oom, ctx->seen, ctx->nseen) ||
	    (rd.file = conf_pool_file(ctx, path)) == NULL) {
		free(buf);
		return -ENOMEM;
	}
	ctx->seen[ctx->nseen].dev = st.st_dev;
	ctx->seen[ctx->nseen++].ino = st.st_ino;
	ctx->priv->nfiles_read++;
	rc = conf_scan(&rd, buf, len);
	free(buf);
	return rc;
}

static int
conf_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
conf_dir(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line, int depth)
{
	DIR *dir;
	struct dirent *de;
	struct stat st;
	char **names = NULL, *full = NULL;
	size_t n = 0, i, len;
	int rc = 0;

	if (depth > CONF_MAX_DIR_DEPTH) {
		conf_msg(ctx, CONF_ERROR, from, from_line,
		    "cfg_dir '%s' nests deeper than %d folders", path,
		    CONF_MAX_DIR_DEPTH);
		ctx->priv->read_errors++;
		return 0;
	}
	if ((dir = opendir(path)) == NULL) {
		conf_msg(ctx, CONF_ERROR, from, from_line,
		    "cannot open object config folder '%s': %s", path,
		    strerror(errno));
		ctx->priv->read_errors++;
		return 0;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!CONF_ROOM(&ctx->oom, names, n) ||
		    (names[n] = strdup(de->d_name)) == NULL)
			goto oom;
		n++;
	}
	/* Sorted, so nothing depends on the order of directory entries. */
	if (n > 1)
		qsort(names, n, sizeof(*names), conf_strcmp);
	for (i = 0; i < n && rc == 0; i++) {
		len = strlen(path) + strlen(names[i]) + 2;
		if ((full = malloc(len)) == NULL)
			goto oom;
		snprintf(full, len, "%s/%s", path, names[i]);
		if (stat(full, &st) != 0)
			;	/* a dangling link: nothing to read */
		else if (S_ISDIR(st.st_mode))
			rc = conf_dir(ctx, full, from, from_line, depth + 1);
		else if (S_ISREG(st.st_mode) && strlen(names[i]) > 4 &&
		    strcmp(names[i] + strlen(names[i]) - 4, ".cfg") == 0)
			rc = conf_parse_file(ctx, full, from, from_line);
		free(full);
		full = NULL;
	}
	goto out;
oom:
	rc = -ENOMEM;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

int
conf_parse_dir(struct conf_ctx *ctx, const char *path, const char *from,
    int from_line)
{
	return conf_dir(ctx, path, from, from_line, 0);
}

/* Template resolution state. */
struct conf_inh {
	struct conf_ctx *ctx;
	struct objidx tmpl[CT_NBUILT]; /* template name -> def */
	struct conf_def **chain;       /* templates being resolved */
	size_t nchain;
};

static int conf_inherit_def(struct conf_inh *ih, struct conf_def *d);

/* Merge template t's resolved directives under d's (both sorted). */
static int
conf_merge(struct conf_inh *ih, struct conf_def *d, const struct conf_def *t)
{
	struct conf_rkv *c, x;
	size_t i = 0, j = 0, n = 0, len;
	int cmp;
	char *s;

	if ((c = calloc(d->nr + t->nr + 1, sizeof(*c))) == NULL)
		return -ENOMEM;
	while (i < d->nr || j < t->nr) {
		cmp = i < d->nr && j < t->nr ?
		    strcmp(d->r[i].key, t->r[j].key) : i < d->nr ? -1 : 1;
		if (cmp != 0) {
			c[n++] = cmp < 0 ? d->r[i++] : t->r[j++];
			continue;
		}
		if (objects_key_repeatable(d->type, d->r[i].key)) {
			c[n++] = d->r[i++]; /* the template's follow */
			continue;
		}
		x = d->r[i++];
		if (x.value[0] == '+' && objects_key_additive(x.key) &&
		    strcmp(t->r[j].value, "null") != 0) {
			len = strlen(t->r[j].value) + strlen(x.value) + 1;
			if ((s = conf_keep(ih->ctx, malloc(len))) == NULL) {
				free(c);
				return -ENOMEM;
			}
			snprintf(s, len, "%s,%s", t->r[j].value, x.value + 1);
			x.value = s;
		} else if (d->type == CT_SERVICE && t->r[j].value[0] == '!' &&
		    strcmp(x.key, "check_command") == 0)
			x = t->r[j]; /* "!cmd" in a template overrides */
		c[n++] = x;
		j++;
	}
	free(d->r);
	d->r = c;
	d->nr = n;
	return 0;
}

/* Inherit from each template of d's "use", in order. */
static int
conf_use(struct conf_inh *ih, struct conf_def *d, int useline)
{
	struct conf_list l;
	struct conf_def *t;
	char buf[900];
	size_t i, k, len;
	int rc = 0;

	if (conf_list(ih->ctx, d->use, &l) != 0)
		return -ENOMEM;
	for (i = 0; i < l.n && rc == 0; i++) {
		if ((t = objects_idx_get(&ih->tmpl[d->type], l.items[i],
		    NULL)) == NULL) {
			conf_msg(ih->ctx, CONF_ERROR, d->file, useline,
			    "unknown %s template '%s' in 'use'",
			    objects_type_name(d->type), l.items[i]);
		} else if (t->rstate == 1) {
			for (k = 0; k < ih->nchain && ih->chain[k] != t; k++)
				;
			for (len = 0; k < ih->nchain && len < sizeof(buf); k++)
				len += (size_t)snprintf(buf + len,
				    sizeof(buf) - len, "%s -> ",
				    conf_def_label(ih->chain[k]));
			if (len < sizeof(buf))
				snprintf(buf + len, sizeof(buf) - len, "%s",
				    t->tname);
			conf_msg(ih->ctx, CONF_ERROR, d->file, useline,
			    "template loop: %s", buf);
		} else if (ih->nchain >= CONF_MAX_TEMPLATE_DEPTH) {
			conf_msg(ih->ctx, CONF_ERROR, d->file, useline,
			    "templates nest deeper than %d levels",
			    CONF_MAX_TEMPLATE_DEPTH);
			break;
		} else if ((rc = conf_inherit_def(ih, t)) == 0)
			rc = conf_merge(ih, d, t);
	}
	conf_list_free(&l);
	return rc;
}

/* Resolve d: its own directives (sorted when it was read), then its
 * templates in order. */
static int
conf_inherit_def(struct conf_inh *ih, struct conf_def *d)
{
	size_t i;
	int rc = 0;

	if (d->rstate != 0)
		return 0;
	d->rstate = 1;
	if (d->use != NULL) {
		if (!CONF_ROOM(&ih->ctx->oom, ih->chain, ih->nchain))
			return -ENOMEM;
		ih->chain[ih->nchain++] = d;
		rc = conf_use(ih, d, d->useline);
		ih->nchain--;
	}
	for (i = 0; i < d->nr; i++)
		if (d->r[i].value[0] == '+' &&
		    objects_key_additive(d->r[i].key))
			d->r[i].value++;
	d->rstate = 2;
	return rc;
}

/* Index templates by name. */
static int
conf_prepare(struct conf_inh *ih, struct conf_def *d)
{
	const struct conf_def *first;
	int rc;

	if (d->tname == NULL ||
	    (rc = objects_idx_put(&ih->tmpl[d->type], d->tname, NULL, d)) == 0)
		return 0;
	if (rc == -EEXIST) {
		first = objects_idx_get(&ih->tmpl[d->type], d->tname, NULL);
		conf_msg(ih->ctx, CONF_ERROR, d->file, d->line,
		    "duplicate %s template '%s' (first defined at %s:%d)",
		    objects_type_name(d->type), d->tname, first->file,
		    first->line);
		rc = 0;
	}
	return rc;
}

int
conf_inherit(struct conf_ctx *ctx, size_t from)
{
	struct conf_inh ih = { .ctx = ctx };
	size_t i;
	int rc = 0;

	/* Templates of earlier passes are indexed again, silently. */
	for (i = 0; i < ctx->ndefs && rc == 0; i++)
		if (i >= from)
			rc = conf_prepare(&ih, ctx->defs[i]);
		else if (ctx->defs[i]->tname != NULL &&
		    (rc = objects_idx_put(&ih.tmpl[ctx->defs[i]->type],
		    ctx->defs[i]->tname, NULL, ctx->defs[i])) == -EEXIST)
			rc = 0;
	for (i = from; i < ctx->ndefs && rc == 0; i++)
		if (ctx->defs[i]->registered)
			rc = conf_inherit_def(&ih, ctx->defs[i]);
	for (i = 0; i < CT_NBUILT; i++)
		objects_idx_free(&ih.tmpl[i]);
	free(ih.chain);
	return rc;
}
