/*
 * classify: device classes from rules as data (see classify.h).
 *
 * Data: an array of rules in file order, each with its own fixed-size
 * lists; a flat, de-duplicated list of every has_oid OID for the caller to
 * fetch. Invariants: every rule has a class; OIDs are stored with a
 * leading dot and digits/dots only; layer masks hold bits 0..6.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "strnum.h"

struct classify_rule {
	char cls[CLASSIFY_NAME_MAX];
	char profile[CLASSIFY_NAME_MAX];
	unsigned line;
	char oid[CLASSIFY_LIST_MAX][CLASSIFY_OID_MAX];
	size_t noid;
	char has[CLASSIFY_LIST_MAX][CLASSIFY_OID_MAX];
	size_t nhas;
	char descr[256];
	unsigned all, none;    /* layer masks, bit L-1 for layer L */
	bool services;         /* services_all or services_none given */
};

struct classify_rules {
	char file[CLASSIFY_NAME_MAX];
	struct classify_rule *rule;
	size_t n;
	const char **oids;     /* into rule[].has */
	size_t noids;
};

static int __attribute__((format(printf, 5, 6)))
classify_err(char *err, size_t errlen, const char *file, unsigned line,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err != NULL && errlen > 0)
		(void)snprintf(err, errlen, "%s:%u: error: %s", file, line, msg);
	return -EINVAL;
}

/* A dotted OID with an optional leading dot, stored with one. */
static int
classify_oid(const char *s, char *out, size_t outlen)
{
	const char *p = s[0] == '.' ? s + 1 : s;
	size_t i, n = strlen(p);

	if (n == 0 || n + 2 > outlen || p[0] == '.' || p[n - 1] == '.')
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (p[i] == '.' && p[i + 1] == '.')
			return -EINVAL;
		if (p[i] != '.' && !isdigit((unsigned char)p[i]))
			return -EINVAL;
	}
	(void)snprintf(out, outlen, ".%s", p);
	return 0;
}

static int
classify_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= CLASSIFY_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* Split a comma list into out[] (each trimmed, checked as OID). */
static int
classify_oid_list(char *v, char out[][CLASSIFY_OID_MAX], size_t *n,
    const char **bad)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(v, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		tok = strnum_trim(tok);
		*bad = tok;
		if (*n >= CLASSIFY_LIST_MAX)
			return -E2BIG;
		if (classify_oid(tok, out[*n], CLASSIFY_OID_MAX) != 0)
			return -EINVAL;
		(*n)++;
	}
	return 0;
}

static int
classify_layers(char *v, unsigned *mask, const char **bad)
{
	char *save = NULL, *tok;
	long l;

	for (tok = strtok_r(v, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		tok = strnum_trim(tok);
		*bad = tok;
		if (strnum_long(tok, 1, 7, &l) != 0)
			return -EINVAL;
		*mask |= 1u << (l - 1);
	}
	return 0;
}

/* One `key value` line of a block. */
static int
classify_key(struct classify_rule *r, char *key, char *val, const char *file,
    unsigned line, char *err, size_t errlen)
{
	const char *bad = val;
	int rc;

	if (strcmp(key, "class") == 0 || strcmp(key, "profile") == 0) {
		if (!classify_name_ok(val))
			return classify_err(err, errlen, file, line,
			    "%s '%s' must be 1 to %d of a-z 0-9 _ -", key, val,
			    CLASSIFY_NAME_MAX - 1);
		(void)snprintf(key[0] == 'c' ? r->cls : r->profile,
		    CLASSIFY_NAME_MAX, "%s", val);
		return 0;
	}
	if (strcmp(key, "sysobjectid") == 0 || strcmp(key, "has_oid") == 0) {
		bool so = key[0] == 's';

		rc = classify_oid_list(val, so ? r->oid : r->has,
		    so ? &r->noid : &r->nhas, &bad);
		if (rc == -E2BIG)
			return classify_err(err, errlen, file, line,
			    "more than %d OIDs in %s", CLASSIFY_LIST_MAX, key);
		if (rc != 0)
			return classify_err(err, errlen, file, line,
			    "%s: '%s' is not a numeric OID", key, bad);
		return 0;
	}
	if (strcmp(key, "services_all") == 0 ||
	    strcmp(key, "services_none") == 0) {
		if (classify_layers(val, key[9] == 'a' ? &r->all : &r->none,
		    &bad) != 0)
			return classify_err(err, errlen, file, line,
			    "%s: '%s' is not a layer from 1 to 7", key, bad);
		r->services = true;
		return 0;
	}
	if (strcmp(key, "sysdescr") == 0) {
		if (strlen(val) >= sizeof(r->descr))
			return classify_err(err, errlen, file, line,
			    "sysdescr longer than %zu bytes",
			    sizeof(r->descr) - 1);
		(void)snprintf(r->descr, sizeof(r->descr), "%s", val);
		return 0;
	}
	return classify_err(err, errlen, file, line, "unknown key '%s'", key);
}

static int
classify_index_oids(struct classify_rules *rs)
{
	size_t i, j, k, total = 0;

	for (i = 0; i < rs->n; i++)
		total += rs->rule[i].nhas;
	rs->oids = calloc(total ? total : 1, sizeof(*rs->oids));
	if (rs->oids == NULL)
		return -ENOMEM;
	for (i = 0; i < rs->n; i++)
		for (j = 0; j < rs->rule[i].nhas; j++) {
			const char *o = rs->rule[i].has[j];

			for (k = 0; k < rs->noids; k++)
				if (strcmp(rs->oids[k], o) == 0)
					break;
			if (k == rs->noids)
				rs->oids[rs->noids++] = o;
		}
	return 0;
}

int
classify_parse(const char *name, const char *text,
    struct classify_rules **out, char *err, size_t errlen)
{
	struct classify_rules *rs;
	struct classify_rule *cur = NULL;
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	const char *p = text;
	unsigned line = 0, open_line = 0;
	char buf[1024];
	int rc = -EINVAL;

	*out = NULL;
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return -ENOMEM;
	(void)snprintf(rs->file, sizeof(rs->file), "%s", base);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *s, *c, *key, *val;

		line++;
		if (len >= sizeof(buf)) {
			rc = classify_err(err, errlen, rs->file, line,
			    "line longer than %zu bytes", sizeof(buf) - 1);
			goto fail;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p = nl ? nl + 1 : p + len;
		s = strnum_trim(buf);
		if (s[0] == '#' || s[0] == ';' || s[0] == '\0')
			continue;
		if ((c = strchr(s, ';')) != NULL) {
			*c = '\0';
			s = strnum_trim(s);
		}
		if (cur == NULL) {
			if (strncmp(s, "define", 6) != 0 ||
			    (s[6] != ' ' && s[6] != '\t') ||
			    strcmp(strnum_trim(s + 6), "classify {") != 0) {
				rc = classify_err(err, errlen, rs->file, line,
				    "expected 'define classify {', not '%.64s'",
				    s);
				goto fail;
			}
			if (rs->n >= CLASSIFY_RULES_MAX) {
				rc = classify_err(err, errlen, rs->file, line,
				    "more than %d rules", CLASSIFY_RULES_MAX);
				goto fail;
			}
			cur = realloc(rs->rule, (rs->n + 1) * sizeof(*cur));
			if (cur == NULL) {
				rc = -ENOMEM;
				goto fail;
			}
			rs->rule = cur;
			cur = &rs->rule[rs->n++];
			memset(cur, 0, sizeof(*cur));
			cur->line = open_line = line;
			continue;
		}
		if (strcmp(s, "}") == 0) {
			if (cur->cls[0] == '\0') {
				rc = classify_err(err, errlen, rs->file,
				    open_line, "rule without a class");
				goto fail;
			}
			if (cur->profile[0] == '\0')
				(void)snprintf(cur->profile,
				    sizeof(cur->profile), "%s", cur->cls);
			cur = NULL;
			continue;
		}
		key = s;
		val = s + strcspn(s, " \t");
		if (*val != '\0')
			*val++ = '\0';
		val = strnum_trim(val);
		if (*val == '\0') {
			rc = classify_err(err, errlen, rs->file, line,
			    "'%s' needs a value", key);
			goto fail;
		}
		if ((rc = classify_key(cur, key, val, rs->file, line, err,
		    errlen)) != 0)
			goto fail;
	}
	if (cur != NULL) {
		rc = classify_err(err, errlen, rs->file, open_line,
		    "'define classify {' is never closed");
		goto fail;
	}
	if (rs->n == 0) {
		rc = classify_err(err, errlen, rs->file, line, "no rules");
		goto fail;
	}
	if ((rc = classify_index_oids(rs)) != 0)
		goto fail;
	*out = rs;
	return 0;
fail:
	classify_free(rs);
	return rc;
}

int
classify_load(const char *path, struct classify_rules **out, char *err,
    size_t errlen)
{
	FILE *fp;
	char *text;
	size_t n;
	int rc;

	*out = NULL;
	fp = fopen(path, "re");
	if (fp == NULL) {
		rc = -errno;
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	text = malloc(CLASSIFY_FILE_MAX + 1);
	if (text == NULL) {
		fclose(fp);
		return -ENOMEM;
	}
	n = fread(text, 1, CLASSIFY_FILE_MAX + 1, fp);
	rc = ferror(fp) ? -EIO : 0;
	fclose(fp);
	if (rc == 0 && n > CLASSIFY_FILE_MAX) {
		(void)snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CLASSIFY_FILE_MAX);
		rc = -EINVAL;
	} else if (rc != 0) {
		(void)snprintf(err, errlen, "%s: read error", path);
	}
	if (rc == 0 && memchr(text, '\0', n) != NULL) {
		(void)snprintf(err, errlen, "%s: contains a NUL byte", path);
		rc = -EINVAL;
	}
	if (rc == 0) {
		text[n] = '\0';
		rc = classify_parse(path, text, out, err, errlen);
	}
	free(text);
	return rc;
}

void
classify_free(struct classify_rules *r)
{
	if (r == NULL)
		return;
	free(r->rule);
	free(r->oids);
	free(r);
}

/* Does oid start with prefix, on an arc boundary? Both with a leading dot
 * (oid's is optional). */
static bool
classify_prefix(const char *oid, const char *prefix)
{
	size_t n = strlen(prefix);

	if (oid[0] != '.') { /* compare without the prefix's dot */
		prefix++;
		n--;
	}
	return strncmp(oid, prefix, n) == 0 &&
	    (oid[n] == '\0' || oid[n] == '.');
}

static bool
classify_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static bool
classify_rule_match(const struct classify_rule *r,
    const struct classify_device *d)
{
	size_t i;

	if (r->noid > 0) {
		bool any = false;

		if (d->sysobjectid == NULL || d->sysobjectid[0] == '\0')
			return false;
		for (i = 0; i < r->noid && !any; i++)
			any = classify_prefix(d->sysobjectid, r->oid[i]);
		if (!any)
			return false;
	}
	if (r->descr[0] != '\0' &&
	    (d->sysdescr == NULL || !classify_contains(d->sysdescr, r->descr)))
		return false;
	if (r->services) {
		if (d->services < 0 || d->services > 127)
			return false;
		if (((unsigned)d->services & r->all) != r->all ||
		    ((unsigned)d->services & r->none) != 0)
			return false;
	}
	for (i = 0; i < r->nhas; i++)
		if (d->has_oid == NULL || !d->has_oid(r->has[i], d->arg))
			return false;
	return true;
}

int
classify_match(const struct classify_rules *r,
    const struct classify_device *d, struct classify_result *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->n; i++) {
		if (!classify_rule_match(&r->rule[i], d))
			continue;
		out->cls = r->rule[i].cls;
		out->profile = r->rule[i].profile;
		out->file = r->file;
		out->line = r->rule[i].line;
		return 0;
	}
	return -ENOENT;
}

size_t
classify_oids(const struct classify_rules *r, const char *const **oids)
{
	*oids = r->oids;
	return r->noids;
}

size_t
classify_nrules(const struct classify_rules *r)
{
	return r->n;
}
