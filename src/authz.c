/*
 * authz: cgi.cfg rights and contact visibility (authz.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "objects.h"
#include "strnum.h"

#define AUTHZ_MAX_LINE 8192

static const char *const authz_keys[AUTHZ_NRIGHTS] = {
	"authorized_for_all_hosts",
	"authorized_for_all_services",
	"authorized_for_all_host_commands",
	"authorized_for_all_service_commands",
	"authorized_for_system_information",
	"authorized_for_system_commands",
	"authorized_for_configuration_information",
	"authorized_for_read_only",
};

const char *
authz_right_key(enum authz_right r)
{
	return (unsigned)r < AUTHZ_NRIGHTS ? authz_keys[r] : "";
}

void
authz_cfg_init(struct authz_cfg *c)
{
	memset(c, 0, sizeof(*c));
}

static void
authz_list_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
authz_cfg_free(struct authz_cfg *c)
{
	size_t r;

	for (r = 0; r < AUTHZ_NRIGHTS; r++)
		authz_list_free(c->users[r], c->nusers[r]);
	authz_cfg_init(c);
}

int
authz_cfg_set(struct authz_cfg *c, const char *key, const char *value)
{
	const char *p = value, *e;
	char **v = NULL, **nv;
	size_t r, n = 0;

	for (r = 0; r < AUTHZ_NRIGHTS; r++)
		if (strcmp(key, authz_keys[r]) == 0)
			break;
	if (r == AUTHZ_NRIGHTS)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		e = p;
		while (*e != '\0' && *e != ',')
			e++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > p) {
			nv = realloc(v, (n + 1) * sizeof(*v));
			if (nv == NULL)
				goto nomem;
			v = nv;
			if ((v[n] = strndup(p, (size_t)(e - p))) == NULL)
				goto nomem;
			n++;
		}
		p = e;
		while (*p != '\0' && *p != ',')
			p++;
	}
	authz_list_free(c->users[r], c->nusers[r]);
	c->users[r] = v;
	c->nusers[r] = n;
	return 1;
nomem:
	authz_list_free(v, n);
	return -ENOMEM;
}

int
authz_cfg_load(const char *path, struct authz_cfg *c, char *err,
    size_t errlen)
{
	char line[AUTHZ_MAX_LINE], *k, *eq;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		k = strnum_trim(line);
		if (*k == '#' || *k == '\0' || (eq = strchr(k, '=')) == NULL)
			continue;
		*eq = '\0';
		if (authz_cfg_set(c, strnum_trim(k), strnum_trim(eq + 1)) < 0) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "cannot read %s", path);
	}
	fclose(f);
	return rc;
}

bool
authz_has(const struct authz_cfg *c, enum authz_right r, const char *user)
{
	size_t i;

	if (c == NULL || user == NULL || *user == '\0' ||
	    (unsigned)r >= AUTHZ_NRIGHTS)
		return false;
	for (i = 0; i < c->nusers[r]; i++)
		if (strcmp(c->users[r][i], "*") == 0 ||
		    strcmp(c->users[r][i], user) == 0)
			return true;
	return false;
}

bool
authz_is_contact(struct contact *const *contacts, size_t n, const char *user)
{
	size_t i;

	if (user == NULL || *user == '\0')
		return false;
	for (i = 0; i < n; i++)
		if (strcmp(contacts[i]->name, user) == 0)
			return true;
	return false;
}

bool
authz_host_visible(const struct authz_cfg *c, const char *user,
    const struct host *h)
{
	return authz_has(c, AUTHZ_ALL_HOSTS, user) ||
	    authz_is_contact(h->contacts, h->ncontacts, user);
}

bool
authz_service_visible(const struct authz_cfg *c, const char *user,
    const struct service *s)
{
	return authz_has(c, AUTHZ_ALL_SERVICES, user) ||
	    authz_host_visible(c, user, s->host) ||
	    authz_is_contact(s->contacts, s->ncontacts, user);
}

/* A user who is a contact with can_submit_commands 0 never may; one who
 * is no contact may when a cgi.cfg right says so. */
static bool
authz_may_submit(const struct authz_cfg *c, const struct objects *o,
    const char *user)
{
	size_t i;

	if (user == NULL || *user == '\0' ||
	    authz_has(c, AUTHZ_READ_ONLY, user))
		return false;
	for (i = 0; o != NULL && i < o->ncontacts; i++)
		if (strcmp(o->contacts[i]->name, user) == 0)
			return o->contacts[i]->can_submit_commands;
	return true;
}

bool
authz_host_command(const struct authz_cfg *c, const struct objects *o,
    const char *user, const struct host *h)
{
	if (!authz_may_submit(c, o, user))
		return false;
	return authz_has(c, AUTHZ_ALL_HOST_COMMANDS, user) ||
	    authz_is_contact(h->contacts, h->ncontacts, user);
}

bool
authz_service_command(const struct authz_cfg *c, const struct objects *o,
    const char *user, const struct service *s)
{
	if (!authz_may_submit(c, o, user))
		return false;
	return authz_has(c, AUTHZ_ALL_SERVICE_COMMANDS, user) ||
	    authz_is_contact(s->contacts, s->ncontacts, user) ||
	    authz_is_contact(s->host->contacts, s->host->ncontacts, user);
}

bool
authz_system_command(const struct authz_cfg *c, const char *user)
{
	return authz_has(c, AUTHZ_SYSTEM_COMMANDS, user) &&
	    !authz_has(c, AUTHZ_READ_ONLY, user);
}

/* Field n (1-based) of the ';'-separated fields into buf; false when
 * there is no such field or it is empty. */
static bool
authz_field(const char *fields, int n, char *buf, size_t len)
{
	const char *p = fields, *end;
	size_t k;

	while (--n > 0) {
		if ((p = strchr(p, ';')) == NULL)
			return false;
		p++;
	}
	end = strchr(p, ';');
	if (end == NULL)
		end = p + strlen(p);
	k = (size_t)(end - p);
	if (k == 0 || len == 0)
		return false;
	if (k >= len)
		k = len - 1;
	memcpy(buf, p, k);
	buf[k] = '\0';
	return true;
}

int
authz_log_subject(const char *line, char *host, size_t hostlen,
    char *service, size_t servicelen)
{
	static const struct {
		const char *type;
		int host, service;
	} except[] = {
		{ "HOST NOTIFICATION", 2, 0 },
		{ "SERVICE NOTIFICATION", 2, 3 },
		{ "EXTERNAL COMMAND", 2, 3 },
		{ "SNMP DISCOVERY", 1, 0 },
	};
	const char *p = line, *colon;
	char type[64];
	size_t i, tl;
	int hf = 0, sf = 0;

	if (*p != '[' || (p = strchr(p, ']')) == NULL || p[1] != ' ')
		return 0;
	p += 2;
	if ((colon = strstr(p, ": ")) == NULL)
		return 0;
	tl = (size_t)(colon - p);
	if (tl >= sizeof(type))
		return 0;
	memcpy(type, p, tl);
	type[tl] = '\0';
	for (i = 0; i < sizeof(except) / sizeof(except[0]); i++)
		if (strcmp(type, except[i].type) == 0)
			break;
	if (i < sizeof(except) / sizeof(except[0])) {
		hf = except[i].host;
		sf = except[i].service;
	} else {
		sf = strstr(type, "SERVICE") != NULL ? 2 : 0;
		hf = sf != 0 || strstr(type, "HOST") != NULL ? 1 : 0;
	}
	if (hf == 0 || !authz_field(colon + 2, hf, host, hostlen))
		return 0;
	if (sf == 0 || !authz_field(colon + 2, sf, service, servicelen))
		return 1;
	return 2;
}
