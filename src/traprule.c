/*
 * traprule: matching traps to rules and rendering outputs (see
 * traprule.h). Pure functions over borrowed data: no state of its own,
 * nothing allocated while matching or rendering (outputs go to the
 * caller's buffer).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "traprule.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_mib.h"

#define TRAP_OID_PREFIX ".1.3.6.1.6.3.1.1.5."
#define IFINDEX_OID ".1.3.6.1.2.1.2.2.1.1"

static const struct {
	const char *oid;
	const char *name;
} traprule_std[] = {
	{ TRAP_OID_PREFIX "1", "coldStart" },
	{ TRAP_OID_PREFIX "2", "warmStart" },
	{ TRAP_OID_PREFIX "3", "linkDown" },
	{ TRAP_OID_PREFIX "4", "linkUp" },
	{ TRAP_OID_PREFIX "5", "authenticationFailure" },
	{ TRAP_OID_PREFIX "6", "egpNeighborLoss" },
};

const char *
traprule_std_name(const char *oid)
{
	for (size_t i = 0; i < sizeof(traprule_std) / sizeof(traprule_std[0]);
	    i++)
		if (strcmp(oid, traprule_std[i].oid) == 0)
			return traprule_std[i].name;
	return NULL;
}

/* Whether numeric OID o is prefix itself or under it. */
static bool
traprule_oid_under(const char *o, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(o, prefix, n) == 0 && (o[n] == '\0' || o[n] == '.');
}

void
traprule_escape(char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			*s = ' ';
		else if (c == '|')
			*s = '/';
	}
}

void
traprule_vb_value(const struct snmp_vb *vb, char *buf, size_t len)
{
	size_t j = 0;

	buf[0] = '\0';
	switch (vb->type) {
	case SNMP_T_INTEGER:
		snprintf(buf, len, "%" PRId64, vb->i);
		return;
	case SNMP_T_COUNTER32:
	case SNMP_T_GAUGE32:
	case SNMP_T_TIMETICKS:
	case SNMP_T_COUNTER64:
		snprintf(buf, len, "%" PRIu64, vb->u);
		return;
	case SNMP_T_IPADDRESS:
		if (vb->len == 4)
			snprintf(buf, len, "%u.%u.%u.%u", vb->bytes[0],
			    vb->bytes[1], vb->bytes[2], vb->bytes[3]);
		return;
	case SNMP_T_STRING:
	case SNMP_T_OID:
	case SNMP_T_OPAQUE:
		for (size_t i = 0; i < vb->len && j + 1 < len; i++) {
			unsigned char c = vb->bytes[i];

			buf[j++] = c < 0x20 || c == 0x7f ? '.' : (char)c;
		}
		buf[j] = '\0';
		return;
	default:
		/* the part after "= " of net-snmp's text */
		if (vb->text != NULL) {
			const char *eq = strstr(vb->text, " = ");

			snprintf(buf, len, "%s", eq != NULL ? eq + 3 :
			    vb->text);
		}
		return;
	}
}

bool
traprule_var(const struct traprule_trap *t, const char *oid, char *buf,
    size_t len)
{
	for (size_t i = 0; i < t->nvbs; i++)
		if (traprule_oid_under(t->vbs[i].oid, oid)) {
			traprule_vb_value(&t->vbs[i], buf, len);
			return true;
		}
	if (len > 0)
		buf[0] = '\0';
	return false;
}

static bool
traprule_vbm_ok(const struct traprule_vbm *m, const struct traprule_trap *t)
{
	char val[TRAPRULE_OUTPUT_MAX];
	bool have = traprule_var(t, m->oid, val, sizeof(val)), hit;

	switch (m->op) {
	case TRV_EQ:
		return have && strcmp(val, m->value) == 0;
	case TRV_NE:
		return !have || strcmp(val, m->value) != 0;
	case TRV_REGEX:
	case TRV_NOT_REGEX:
		hit = have && m->has_re && regexec(&m->re, val, 0, NULL, 0) ==
		    0;
		return m->op == TRV_REGEX ? hit : !hit;
	}
	return false;
}

bool
traprule_match(const struct traprule *r, const struct traprule_trap *t)
{
	bool host_ok;

	if (strcmp(r->oid, t->trap_oid) != 0)
		return false;
	host_ok = r->nhosts == 0 && r->nhostgroups == 0;
	for (size_t i = 0; !host_ok && t->host != NULL && i < r->nhosts; i++)
		host_ok = strcmp(r->hosts[i], t->host) == 0 ||
		    strcmp(r->hosts[i], "*") == 0;
	for (size_t i = 0; !host_ok && t->host != NULL && i < r->nhostgroups;
	    i++)
		for (size_t k = 0; !host_ok && k < t->ngroups; k++)
			host_ok = strcmp(r->hostgroups[i], t->groups[k]) == 0;
	if (!host_ok)
		return false;
	for (size_t i = 0; i < r->nvbm; i++)
		if (!traprule_vbm_ok(&r->vbm[i], t))
			return false;
	return true;
}

/* Append s (len n) to out at *j, within len. */
static void
traprule_put(char *out, size_t len, size_t *j, const char *s, size_t n)
{
	if (*j + 1 >= len)
		return;
	if (n > len - 1 - *j)
		n = len - 1 - *j;
	memcpy(out + *j, s, n);
	*j += n;
	out[*j] = '\0';
}

static void
traprule_put_vars(char *out, size_t len, size_t *j,
    const struct traprule_trap *t)
{
	char val[TRAPRULE_OUTPUT_MAX];

	/* skip sysUpTime.0 and snmpTrapOID.0 */
	for (size_t i = 2; i < t->nvbs; i++) {
		if (i > 2)
			traprule_put(out, len, j, ", ", 2);
		traprule_put(out, len, j, t->vbs[i].oid,
		    strlen(t->vbs[i].oid));
		traprule_put(out, len, j, "=", 1);
		traprule_vb_value(&t->vbs[i], val, sizeof(val));
		traprule_put(out, len, j, val, strlen(val));
	}
}

void
traprule_render(const char *tmpl, const struct traprule *r,
    const struct traprule_trap *t, char *out, size_t len)
{
	char val[TRAPRULE_OUTPUT_MAX];
	const char *p = tmpl, *end;
	size_t j = 0;

	if (len == 0)
		return;
	out[0] = '\0';
	while (*p != '\0' && j + 1 < len) {
		const char *name = NULL;
		size_t start;

		if (*p != '$' || (end = strchr(p + 1, '$')) == NULL) {
			traprule_put(out, len, &j, p, 1);
			p++;
			continue;
		}
		start = j;
		if (strncmp(p, "$TRAPVAR:", 9) == 0 && end > p + 9) {
			char oid[SNMP_MIB_TEXT_MAX];
			size_t n = (size_t)(end - p - 9);

			if (n < sizeof(oid)) {
				memcpy(oid, p + 9, n);
				oid[n] = '\0';
				(void)traprule_var(t, oid, val, sizeof(val));
				traprule_put(out, len, &j, val, strlen(val));
			}
		} else if (strncmp(p, "$TRAPOID$", 9) == 0)
			name = t->trap_oid;
		else if (strncmp(p, "$TRAPNAME$", 10) == 0)
			name = r != NULL ? r->name :
			    traprule_std_name(t->trap_oid) != NULL ?
			    traprule_std_name(t->trap_oid) : t->trap_oid;
		else if (strncmp(p, "$TRAPHOST$", 10) == 0)
			name = t->host != NULL ? t->host : t->source;
		else if (strncmp(p, "$TRAPSOURCE$", 12) == 0)
			name = t->source;
		else if (strncmp(p, "$TRAPVARS$", 10) == 0)
			traprule_put_vars(out, len, &j, t);
		else {
			/* not ours: as written, up to the next '$' */
			traprule_put(out, len, &j, p, (size_t)(end - p));
			p = end;
			continue;
		}
		if (name != NULL)
			traprule_put(out, len, &j, name, strlen(name));
		traprule_escape(out + start);
		p = end + 1;
	}
	traprule_escape(out);
}

char *
traprule_template_compile(const char *tmpl, char *err, size_t errlen)
{
	size_t cap = strlen(tmpl) + 1, n = 0;
	char *out = malloc(cap), *tmp;
	const char *p = tmpl;

	if (out == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	while (*p != '\0') {
		const char *end;
		char name[256], num[SNMP_MIB_TEXT_MAX], rerr[300];
		size_t k, need;

		if (strncmp(p, "$TRAPVAR:", 9) != 0) {
			out[n++] = *p++;
			continue;
		}
		if ((end = strchr(p + 9, '$')) == NULL || end == p + 9 ||
		    (size_t)(end - p - 9) >= sizeof(name)) {
			snprintf(err, errlen, "unterminated or empty "
			    "$TRAPVAR:...$ in output");
			free(out);
			return NULL;
		}
		k = (size_t)(end - p - 9);
		memcpy(name, p + 9, k);
		name[k] = '\0';
		if (snmp_mib_resolve(name, num, sizeof(num), rerr,
		    sizeof(rerr)) != 0) {
			snprintf(err, errlen, "$TRAPVAR:%.60s$: %s", name, rerr);
			free(out);
			return NULL;
		}
		need = n + strlen(num) + 11 + strlen(end + 1) + 1;
		if (need > cap) {
			if ((tmp = realloc(out, need)) == NULL) {
				free(out);
				snprintf(err, errlen, "out of memory");
				return NULL;
			}
			out = tmp;
			cap = need;
		}
		n += (size_t)snprintf(out + n, cap - n, "$TRAPVAR:%s$", num);
		p = end + 1;
	}
	out[n] = '\0';
	return out;
}

void
traprule_free_fields(struct traprule *r)
{
	free(r->name);
	free(r->oid);
	for (size_t i = 0; i < r->nhosts; i++)
		free(r->hosts[i]);
	free(r->hosts);
	for (size_t i = 0; i < r->nhostgroups; i++)
		free(r->hostgroups[i]);
	free(r->hostgroups);
	for (size_t i = 0; i < r->nvbm; i++) {
		free(r->vbm[i].oid);
		free(r->vbm[i].value);
		if (r->vbm[i].has_re)
			regfree(&r->vbm[i].re);
	}
	free(r->vbm);
	free(r->service);
	free(r->output);
	free(r->clear_oid);
	free(r->clear_key);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

static int
traprule_builtin(struct traprule *r, const char *name, const char *oid,
    enum traprule_target target, const char *service, int state,
    const char *output, const char *clear_oid, int clear_after)
{
	memset(r, 0, sizeof(*r));
	r->builtin = true;
	r->target = target;
	r->state = state;
	r->clear_after = clear_after;
	r->name = strdup(name);
	r->oid = strdup(oid);
	r->output = strdup(output);
	r->service = service != NULL ? strdup(service) : NULL;
	if (clear_oid != NULL) {
		r->clear_oid = strdup(clear_oid);
		r->clear_key = strdup(IFINDEX_OID);
	}
	if (r->name == NULL || r->oid == NULL || r->output == NULL ||
	    (service != NULL && r->service == NULL) ||
	    (clear_oid != NULL && (r->clear_oid == NULL ||
	    r->clear_key == NULL))) {
		traprule_free_fields(r);
		return -ENOMEM;
	}
	return 0;
}

int
traprule_add_builtins(struct traprule **rules, size_t *n,
    const char *service)
{
	struct traprule *nr;
	int rc = 0;

	if ((nr = realloc(*rules, (*n + 5) * sizeof(**rules))) == NULL)
		return -ENOMEM;
	*rules = nr;
	nr += *n;
	/* a reboot is worth a look, not an alarm: WARNING for an hour */
	rc |= traprule_builtin(&nr[0], "coldStart", TRAP_OID_PREFIX "1",
	    TRT_SERVICE, service, 1, "WARNING - $TRAPHOST$ restarted "
	    "(coldStart trap)", NULL, 3600);
	rc |= traprule_builtin(&nr[1], "warmStart", TRAP_OID_PREFIX "2",
	    TRT_SERVICE, service, 1, "WARNING - $TRAPHOST$ restarted "
	    "(warmStart trap)", NULL, 3600);
	rc |= traprule_builtin(&nr[2], "linkDown", TRAP_OID_PREFIX "3",
	    TRT_IFSERVICE, NULL, 2, "CRITICAL - linkDown trap: ifIndex "
	    "$TRAPVAR:" IFINDEX_OID "$ ifAdminStatus "
	    "$TRAPVAR:.1.3.6.1.2.1.2.2.1.7$ ifOperStatus "
	    "$TRAPVAR:.1.3.6.1.2.1.2.2.1.8$", TRAP_OID_PREFIX "4", 0);
	rc |= traprule_builtin(&nr[3], "linkUp", TRAP_OID_PREFIX "4",
	    TRT_IFSERVICE, NULL, 0, "OK - linkUp trap: ifIndex "
	    "$TRAPVAR:" IFINDEX_OID "$ ifAdminStatus "
	    "$TRAPVAR:.1.3.6.1.2.1.2.2.1.7$ ifOperStatus "
	    "$TRAPVAR:.1.3.6.1.2.1.2.2.1.8$", NULL, 0);
	rc |= traprule_builtin(&nr[4], "authenticationFailure",
	    TRAP_OID_PREFIX "5", TRT_SERVICE, service, 1, "WARNING - "
	    "$TRAPHOST$ refused an SNMP request (authenticationFailure "
	    "trap)", NULL, 3600);
	if (rc != 0) {
		for (int i = 0; i < 5; i++)
			traprule_free_fields(&nr[i]);
		return -ENOMEM;
	}
	*n += 5;
	return 0;
}
