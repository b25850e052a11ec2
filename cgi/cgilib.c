/*
 * cgilib: strict form parsing, context escaping and cgi.cfg (cgilib.h).
 * The request, the page frame and the daemon are in cgi_req.c; dates and
 * CSRF tokens in cgi_csrf.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"
#include "maincfg.h"
#include "strnum.h"

#define CGI_MAX_CFG_LINE 8192

/* --- parameters ---------------------------------------------------------- */

static int
cgi_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decode s[0..len) into a new string; -EINVAL for a bad escape or a NUL
 * byte, -ENOMEM. */
static int
cgi_decode(const char *s, size_t len, char **out, char *err, size_t errlen)
{
	char *d;
	size_t i, n = 0;
	int hi, lo;

	if ((d = malloc(len + 1)) == NULL)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '+') {
			ch = ' ';
		} else if (ch == '%') {
			if (i + 2 >= len)
				goto bad_escape;
			hi = cgi_hex((unsigned char)s[i + 1]);
			lo = cgi_hex((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad_escape;
			ch = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (ch == '\0') {
			snprintf(err, errlen, "NUL byte in a parameter");
			free(d);
			return -EINVAL;
		}
		d[n++] = (char)ch;
	}
	d[n] = '\0';
	*out = d;
	return 0;
bad_escape:
	snprintf(err, errlen, "bad %%-escape in a parameter");
	free(d);
	return -EINVAL;
}

static const struct cgi_allow *
cgi_allowed(const struct cgi_allow *allow, const char *name)
{
	for (; allow != NULL && allow->name != NULL; allow++)
		if (strcmp(allow->name, name) == 0)
			return allow;
	return NULL;
}

int
cgi_form_parse(const char *s, size_t len, const struct cgi_allow *allow,
    struct cgi_form *out, char *err, size_t errlen)
{
	const struct cgi_allow *a;
	const char *p = s, *end = s + len, *amp, *eq;
	char *name = NULL, *value = NULL;
	struct cgi_param *nv;
	size_t i;
	int rc;

	out->v = NULL;
	out->n = 0;
	if (len > CGI_MAX_INPUT) {
		snprintf(err, errlen, "request too long (limit %d bytes)",
		    CGI_MAX_INPUT);
		return -EINVAL;
	}
	if (len > 0 && memchr(s, '\0', len) != NULL) {
		snprintf(err, errlen, "NUL byte in the request");
		return -EINVAL;
	}
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			snprintf(err, errlen, "empty parameter");
			rc = -EINVAL;
			goto fail;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((rc = cgi_decode(p, (size_t)(eq - p), &name, err,
		    errlen)) != 0)
			goto fail;
		if ((rc = cgi_decode(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, &value, err,
		    errlen)) != 0)
			goto fail;
		if ((a = cgi_allowed(allow, name)) == NULL) {
			snprintf(err, errlen, "unknown parameter '%.40s'",
			    name);
			rc = -EINVAL;
			goto fail;
		}
		if (strlen(value) > a->maxlen) {
			snprintf(err, errlen, "parameter '%s' too long "
			    "(limit %zu bytes)", a->name, a->maxlen);
			rc = -EINVAL;
			goto fail;
		}
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i].name, name) == 0)
				break;
		if (i < out->n) {
			snprintf(err, errlen, "repeated parameter '%s'",
			    a->name);
			rc = -EINVAL;
			goto fail;
		}
		if (out->n >= CGI_MAX_PARAMS) {
			snprintf(err, errlen, "too many parameters");
			rc = -EINVAL;
			goto fail;
		}
		nv = realloc(out->v, (out->n + 1) * sizeof(*nv));
		if (nv == NULL) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		out->v = nv;
		out->v[out->n].name = name;
		out->v[out->n].value = value;
		out->n++;
		name = value = NULL;
		p = amp < end ? amp + 1 : end;
		if (amp + 1 == end) {
			snprintf(err, errlen, "empty parameter");
			rc = -EINVAL;
			goto fail;
		}
	}
	return 0;
fail:
	free(name);
	free(value);
	cgi_form_free(out);
	return rc;
}

const char *
cgi_form_get(const struct cgi_form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return f->v[i].value;
	return NULL;
}

void
cgi_form_free(struct cgi_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

const char *
cgi_param(const struct cgi *c, const char *name)
{
	const char *v = cgi_form_get(&c->query, name);

	return v != NULL ? v : cgi_form_get(&c->form, name);
}

/* --- escaping ------------------------------------------------------------ */

static void
cgi_put_escaped(FILE *f, const char *s, bool attr)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		return;
	for (; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		case '\n':
		case '\t':
			if (attr)
				fprintf(f, "&#%d;", *p);
			else
				fputc(*p, f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fputs("\xef\xbf\xbd", f);
			else
				fputc(*p, f);
		}
	}
}

void
cgi_put_html(FILE *f, const char *s)
{
	cgi_put_escaped(f, s, false);
}

void
cgi_put_attr(FILE *f, const char *s)
{
	cgi_put_escaped(f, s, true);
}

void
cgi_put_url(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		return;
	for (; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		    *p == '_' || *p == '~')
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
	}
}

void
cgi_put_js(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		return;
	for (; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == ' ' || *p == '-' ||
		    *p == '.' || *p == '_' || *p == ':' || *p == ',' ||
		    *p >= 0x80)
			fputc(*p, f);
		else
			fprintf(f, "\\x%02x", *p);
	}
}

void
cgi_printf(struct cgi *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
}

/* --- cgi.cfg ------------------------------------------------------------- */

static int
cgi_set_str(char **dst, const char *v)
{
	char *n = strdup(v);

	if (n == NULL)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static int
cgi_config_user_tz(struct cgi_config *c, const char *v)
{
	const char *colon = strchr(v, ':');
	struct cgi_user_tz *n;

	if (colon == NULL || colon == v || colon[1] == '\0')
		return -EINVAL;
	n = realloc(c->user_tz, (c->nuser_tz + 1) * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	c->user_tz = n;
	n = &c->user_tz[c->nuser_tz];
	n->user = strndup(v, (size_t)(colon - v));
	n->zone = strdup(colon + 1);
	if (n->user == NULL || n->zone == NULL) {
		free(n->user);
		free(n->zone);
		return -ENOMEM;
	}
	c->nuser_tz++;
	return 0;
}

/* One key=value of cgi.cfg; -EINVAL with err filled for a bad value. */
static int
cgi_config_key(struct cgi_config *c, const char *k, const char *v,
    char *err, size_t errlen)
{
	int rc;
	long n;

	if ((rc = authz_cfg_set(&c->authz, k, v)) != 0)
		return rc < 0 ? rc : 0;
	if (strcmp(k, "main_config_file") == 0)
		return cgi_set_str(&c->main_config_file, v);
	if (strcmp(k, "csrf_secret_file") == 0)
		return cgi_set_str(&c->csrf_secret_file, v);
	if (strcmp(k, "default_time_zone") == 0)
		return cgi_set_str(&c->time_zone, v);
	if (strcmp(k, "url_html_path") == 0)
		return cgi_set_str(&c->url_html_path, v);
	if (strcmp(k, "url_cgi_path") == 0)
		return cgi_set_str(&c->url_cgi_path, v);
	if (strcmp(k, "user_time_zone") == 0) {
		rc = cgi_config_user_tz(c, v);
		if (rc == -EINVAL)
			snprintf(err, errlen, "user_time_zone must be "
			    "USER:ZONE");
		return rc;
	}
	if (strcmp(k, "date_format") == 0) {
		if (strcmp(v, "iso8601") == 0)
			c->strict_iso8601 = false;
		else if (strcmp(v, "strict-iso8601") == 0)
			c->strict_iso8601 = true;
		else {
			snprintf(err, errlen, "date_format must be iso8601 "
			    "or strict-iso8601 (dates always carry their "
			    "zone)");
			return -EINVAL;
		}
		return 0;
	}
	if (strcmp(k, "refresh_rate") == 0) {
		if (strnum_long(v, 0, 86400, &n) != 0) {
			snprintf(err, errlen, "refresh_rate must be seconds "
			    "(0 to 86400)");
			return -EINVAL;
		}
		c->refresh_rate = (int)n;
		return 0;
	}
	return 0; /* other Nagios cgi.cfg keys */
}

/* The main config's paths the CGIs need. */
static int
cgi_config_main(struct cgi_config *c, char *err, size_t errlen)
{
	static const char *const keys[] = { "query_socket", "log_file",
		"log_archive_path", "rrd_dir", "discovery_cache_file" };
	char *vals[5];
	int rc;

	rc = maincfg_paths(c->main_config_file, keys, vals, 5, err, errlen);
	if (rc != 0)
		return rc;
	c->query_socket = vals[0];
	c->log_file = vals[1];
	c->log_archive_path = vals[2];
	c->rrd_dir = vals[3];
	c->discovery_cache_file = vals[4];
	return 0;
}

int
cgi_config_load(const char *path, struct cgi_config *c, char *err,
    size_t errlen)
{
	char line[CGI_MAX_CFG_LINE], *k, *eq, suberr[256];
	const char *slash;
	unsigned lineno = 0;
	FILE *f;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	authz_cfg_init(&c->authz);
	c->refresh_rate = 60;
	if ((c->path = strdup(path)) == NULL)
		return -ENOMEM;
	if ((f = fopen(path, "r")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(-rc));
		cgi_config_free(c);
		return rc;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		k = strnum_trim(line);
		if (*k == '#' || *k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			snprintf(err, errlen, "%s:%u: expected key=value",
			    path, lineno);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		suberr[0] = '\0';
		rc = cgi_config_key(c, strnum_trim(k), strnum_trim(eq + 1), suberr,
		    sizeof(suberr));
		if (rc != 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno,
			    rc == -ENOMEM ? "out of memory" : suberr);
			break;
		}
	}
	fclose(f);
	if (rc == 0 && c->csrf_secret_file == NULL) {
		slash = strrchr(path, '/');
		if (asprintf(&c->csrf_secret_file, "%.*scsrf.key",
		    slash != NULL ? (int)(slash - path + 1) : 0, path) < 0) {
			c->csrf_secret_file = NULL;
			rc = -ENOMEM;
		}
	}
	if (rc == 0 && c->main_config_file != NULL)
		rc = cgi_config_main(c, err, errlen);
	if (rc == 0 && c->log_archive_path == NULL && c->log_file != NULL) {
		slash = strrchr(c->log_file, '/');
		if (slash != NULL && asprintf(&c->log_archive_path,
		    "%.*sarchives", (int)(slash - c->log_file + 1),
		    c->log_file) < 0)
			c->log_archive_path = NULL;
	}
	if (rc != 0)
		cgi_config_free(c);
	return rc;
}

void
cgi_config_free(struct cgi_config *c)
{
	size_t i;

	free(c->path);
	free(c->main_config_file);
	free(c->query_socket);
	free(c->log_file);
	free(c->log_archive_path);
	free(c->rrd_dir);
	free(c->discovery_cache_file);
	free(c->csrf_secret_file);
	free(c->time_zone);
	free(c->url_html_path);
	free(c->url_cgi_path);
	for (i = 0; i < c->nuser_tz; i++) {
		free(c->user_tz[i].user);
		free(c->user_tz[i].zone);
	}
	free(c->user_tz);
	authz_cfg_free(&c->authz);
	memset(c, 0, sizeof(*c));
}

const char *
cgi_config_time_zone(const struct cgi_config *c, const char *user)
{
	size_t i;

	for (i = 0; user != NULL && i < c->nuser_tz; i++)
		if (strcmp(c->user_tz[i].user, user) == 0)
			return c->user_tz[i].zone;
	return c->time_zone;
}
