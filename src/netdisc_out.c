/*
 * netdisc_out: write, read back and compare discovered object files (see
 * netdisc_out.h).
 *
 * Reading is a small line scanner of its own rather than the daemon's
 * configuration loader: the file alone is not a configuration (its
 * templates and profiles live elsewhere), and only a few keys of host
 * blocks matter for the diff. Lines are capped; a file that is not in
 * object syntax is an error with its line.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netdisc_out.h"

#define NDO_LINE_MAX 4096
#define NDO_HOSTS_MAX 100000

static void
ndo_put(FILE *fp, const char *key, const char *v)
{
	fprintf(fp, "    %-20s", key);
	for (; *v != '\0'; v++) {
		if (*v == ';')
			fputc('\\', fp);
		fputc(*v, fp);
	}
	fputc('\n', fp);
}

static bool
ndo_seen(const struct netdisc_host *h, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(h[j].group, h[i].group) == 0)
			return true;
	return false;
}

int
netdisc_out_write(FILE *fp, const char *header, const struct netdisc_host *h,
    size_t n, const char *tmpl, const char *snmp_keys)
{
	size_t i;

	fputs(header, fp);
	if (tmpl == NULL || tmpl[0] == '\0') {
		tmpl = NETDISC_OUT_TEMPLATE;
		fputs("\n; What every discovered host uses unless --template "
		    "names another.\ndefine host {\n", fp);
		ndo_put(fp, "name", tmpl);
		ndo_put(fp, "max_check_attempts", "3");
		ndo_put(fp, "check_interval", "5");
		ndo_put(fp, "retry_interval", "1");
		ndo_put(fp, "register", "0");
		fputs("}\n", fp);
	}
	for (i = 0; i < n; i++) {
		if (h[i].group[0] == '\0' || ndo_seen(h, i))
			continue;
		fputs("\ndefine hostgroup {\n", fp);
		ndo_put(fp, "hostgroup_name", h[i].group);
		fprintf(fp, "    %-20s%s devices (pharos discover)\n", "alias",
		    h[i].group);
		fputs("}\n", fp);
	}
	for (i = 0; i < n; i++) {
		fputs("\ndefine host {\n", fp);
		ndo_put(fp, "use", tmpl);
		ndo_put(fp, "host_name", h[i].name);
		if (h[i].alias[0] != '\0')
			ndo_put(fp, "alias", h[i].alias);
		ndo_put(fp, "address", h[i].address);
		if (h[i].profile[0] != '\0') {
			ndo_put(fp, "device_profile", h[i].profile);
			if (snmp_keys != NULL)
				fputs(snmp_keys, fp);
		}
		if (h[i].group[0] != '\0')
			ndo_put(fp, "hostgroups", h[i].group);
		if (h[i].parents[0] != '\0')
			ndo_put(fp, "parents", h[i].parents);
		if (h[i].fallback[0] != '\0')
			ndo_put(fp, "host_check_fallback", h[i].fallback);
		if (h[i].note[0] != '\0')
			fprintf(fp, "    ; %s\n", h[i].note);
		fputs("}\n", fp);
	}
	return ferror(fp) ? -EIO : 0;
}

/* Trim both ends; cut the comment at an unescaped ';' and unescape "\;". */
static char *
ndo_clean(char *s)
{
	char *r, *w, *e;

	for (r = w = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == ';') {
			*w++ = ';';
			r++;
			continue;
		}
		if (*r == ';')
			break;
		*w++ = *r;
	}
	*w = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
ndo_set(struct netdisc_host *h, const char *key, const char *val)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"host_name", offsetof(struct netdisc_host, name)},
		{"alias", offsetof(struct netdisc_host, alias)},
		{"address", offsetof(struct netdisc_host, address)},
		{"device_profile", offsetof(struct netdisc_host, profile)},
		{"hostgroups", offsetof(struct netdisc_host, group)},
		{"parents", offsetof(struct netdisc_host, parents)},
		{"host_check_fallback", offsetof(struct netdisc_host,
		    fallback)},
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			snprintf((char *)h + keys[i].off, NETDISC_OUT_VAL, "%s",
			    val);
}

int
netdisc_out_read(const char *path, struct netdisc_host **out, size_t *n,
    char *err, size_t errlen)
{
	struct netdisc_host *hs = NULL, *cur = NULL;
	char line[NDO_LINE_MAX];
	bool in_other = false;
	unsigned ln = 0;
	FILE *fp;
	int rc = 0;

	*out = NULL;
	*n = 0;
	fp = fopen(path, "re");
	if (fp == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		char *s, *key, *val;

		ln++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line longer than %d bytes",
			    path, ln, NDO_LINE_MAX - 1);
			rc = -EINVAL;
			break;
		}
		s = ndo_clean(line);
		s[strcspn(s, "\n")] = '\0';
		if (s[0] == '#' || s[0] == '\0')
			continue;
		if (strncmp(s, "define", 6) == 0 && cur == NULL && !in_other) {
			char *type = ndo_clean(s + 6);
			size_t tl = strcspn(type, " \t{");

			if (strchr(type, '{') == NULL) {
				snprintf(err, errlen, "%s:%u: expected '{' "
				    "after define", path, ln);
				rc = -EINVAL;
				break;
			}
			if (tl != 4 || strncmp(type, "host", 4) != 0) {
				in_other = true;
				continue;
			}
			if (*n >= NDO_HOSTS_MAX) {
				snprintf(err, errlen, "%s:%u: more than %d hosts",
				    path, ln, NDO_HOSTS_MAX);
				rc = -EINVAL;
				break;
			}
			cur = realloc(hs, (*n + 1) * sizeof(*hs));
			if (cur == NULL) {
				rc = -ENOMEM;
				break;
			}
			hs = cur;
			cur = &hs[(*n)++];
			memset(cur, 0, sizeof(*cur));
			continue;
		}
		if (strcmp(s, "}") == 0 && (cur != NULL || in_other)) {
			if (cur != NULL && cur->name[0] == '\0')
				(*n)--; /* a template: no host of its own */
			cur = NULL;
			in_other = false;
			continue;
		}
		if (cur == NULL && !in_other) {
			snprintf(err, errlen, "%s:%u: '%.40s' outside a define "
			    "block", path, ln, s);
			rc = -EINVAL;
			break;
		}
		if (cur == NULL)
			continue;
		key = s;
		val = s + strcspn(s, " \t");
		if (*val != '\0')
			*val++ = '\0';
		ndo_set(cur, key, ndo_clean(val));
	}
	if (rc == 0 && (cur != NULL || in_other)) {
		snprintf(err, errlen, "%s:%u: define block never closed", path,
		    ln);
		rc = -EINVAL;
	}
	fclose(fp);
	if (rc != 0) {
		free(hs);
		*n = 0;
		return rc;
	}
	*out = hs;
	return 0;
}

static const struct netdisc_host *
ndo_find(const struct netdisc_host *h, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(h[i].name, name) == 0)
			return &h[i];
	return NULL;
}

size_t
netdisc_out_diff(FILE *fp, const struct netdisc_host *old, size_t nold,
    const struct netdisc_host *cur, size_t ncur)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"address", offsetof(struct netdisc_host, address)},
		{"device_profile", offsetof(struct netdisc_host, profile)},
		{"hostgroups", offsetof(struct netdisc_host, group)},
		{"parents", offsetof(struct netdisc_host, parents)},
		{"host_check_fallback", offsetof(struct netdisc_host,
		    fallback)},
	};
	size_t i, k, ndiff = 0;

	for (i = 0; i < ncur; i++) {
		const struct netdisc_host *o = ndo_find(old, nold, cur[i].name);
		bool changed = false;

		if (o == NULL) {
			fprintf(fp, "new      %s (%s, %s)\n", cur[i].name,
			    cur[i].address, cur[i].group);
			ndiff++;
			continue;
		}
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const char *a = (const char *)o + keys[k].off;
			const char *b = (const char *)&cur[i] + keys[k].off;

			if (strcmp(a, b) == 0)
				continue;
			fprintf(fp, "changed  %s: %s %s -> %s\n", cur[i].name,
			    keys[k].key, a[0] ? a : "(none)",
			    b[0] ? b : "(none)");
			changed = true;
		}
		ndiff += changed;
	}
	for (i = 0; i < nold; i++)
		if (ndo_find(cur, ncur, old[i].name) == NULL) {
			fprintf(fp, "gone     %s (%s)\n", old[i].name,
			    old[i].address);
			ndiff++;
		}
	return ndiff;
}
