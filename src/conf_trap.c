/*
 * conf_trap: the trap keys of the main file and the trap rule files
 * (docs/traps.md), into cfg->trap (struct trap_conf, traprule.h).
 *
 * Main keys are checked as they are read (errors at their line); $USERn$
 * in communities and passphrases are replaced once the resource files
 * are read. Rules are an object type (`define traprule { ... }`, read
 * with the other objects from cfg_file, cfg_dir and trap_rules files by
 * conf_parse.c, templates included); they are compiled here after the
 * objects are resolved, so host, host group and service names are
 * checked against the configuration. Every problem is reported at its
 * file and line, and the rule is left out.
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

#include "conf.h"
#include "conf_int.h"
#include "snmp_mib.h"
#include "strnum.h"
#include "traprule.h"

static struct trap_conf *
conf_trap_get(struct conf_ctx *ctx)
{
	struct trap_conf *tc = ctx->cfg->trap;

	if (tc != NULL)
		return tc;
	if ((tc = calloc(1, sizeof(*tc))) == NULL) {
		ctx->oom = true;
		return NULL;
	}
	tc->history = TRAP_DEFAULT_HISTORY;
	tc->storm_rate = TRAP_DEFAULT_STORM_RATE;
	tc->storm_burst = TRAP_DEFAULT_STORM_BURST;
	tc->storm_window = TRAP_DEFAULT_STORM_WINDOW;
	ctx->cfg->trap = tc;
	return tc;
}

static bool
conf_trap_grow(struct conf_ctx *ctx, void **arr, size_t n, size_t size)
{
	void *p = realloc(*arr, (n + 1) * size);

	if (p == NULL) {
		ctx->oom = true;
		return false;
	}
	*arr = p;
	return true;
}

/* "NET,NET,..." into *nets. false (error reported) on a bad one. */
static bool
conf_trap_nets(struct conf_ctx *ctx, int line, const char *key,
    const char *list, struct trap_net **nets, size_t *n)
{
	char buf[1024], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		struct trap_net net;

		while (isspace((unsigned char)*tok))
			tok++;
		if (trap_net_parse(tok, &net) != 0) {
			conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, line,
			    "%s: invalid network '%.60s': expected ADDRESS or "
			    "ADDRESS/PREFIX", key, tok);
			return false;
		}
		if (!conf_trap_grow(ctx, (void **)nets, *n, sizeof(**nets)))
			return false;
		(*nets)[(*n)++] = net;
	}
	return true;
}

static bool
conf_trap_copy(char *dst, size_t len, const char *v)
{
	if (strlen(v) >= len)
		return false;
	snprintf(dst, len, "%s", v);
	return true;
}

/* trap_user=NAME AUTH AUTHPASS [PRIV PRIVPASS] [engine=HEX] [from=NETS] */
static void
conf_trap_user(struct conf_ctx *ctx, struct trap_conf *tc, int line,
    const char *value)
{
	const char *file = ctx->cfg->main_file;
	char buf[2048], *w[8], *save = NULL, *tok;
	struct trap_user u;
	size_t nw = 0, pos = 3;

	memset(&u, 0, sizeof(u));
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL && nw < 8;
	    tok = strtok_r(NULL, " \t", &save))
		w[nw++] = tok;
	if (nw < 3 || tok != NULL) {
		conf_msg(ctx, CONF_ERROR, file, line, "trap_user: expected "
		    "NAME MD5|SHA|SHA256 AUTHPASS [AES|DES PRIVPASS] "
		    "[engine=HEX] [from=NETWORKS]");
		return;
	}
	if (!conf_trap_copy(u.name, sizeof(u.name), w[0]) ||
	    !conf_trap_copy(u.auth_pass, sizeof(u.auth_pass), w[2])) {
		conf_msg(ctx, CONF_ERROR, file, line, "trap_user: name or "
		    "passphrase too long");
		return;
	}
	if (strcasecmp(w[1], "MD5") == 0)
		u.auth = SNMP_AUTH_MD5;
	else if (strcasecmp(w[1], "SHA") == 0 || strcasecmp(w[1], "SHA1") == 0)
		u.auth = SNMP_AUTH_SHA;
	else if (strcasecmp(w[1], "SHA256") == 0 ||
	    strcasecmp(w[1], "SHA-256") == 0)
		u.auth = SNMP_AUTH_SHA256;
	else {
		conf_msg(ctx, CONF_ERROR, file, line, "trap_user %s: unknown "
		    "authentication protocol '%.20s': expected MD5, SHA or "
		    "SHA256", u.name, w[1]);
		return;
	}
	if (nw >= 5 && strchr(w[3], '=') == NULL) {
		if (strcasecmp(w[3], "AES") == 0 ||
		    strcasecmp(w[3], "AES128") == 0)
			u.priv = SNMP_PRIV_AES;
		else if (strcasecmp(w[3], "DES") == 0)
			u.priv = SNMP_PRIV_DES;
		else {
			conf_msg(ctx, CONF_ERROR, file, line, "trap_user %s: "
			    "unknown privacy protocol '%.20s': expected AES "
			    "or DES", u.name, w[3]);
			return;
		}
		if (!conf_trap_copy(u.priv_pass, sizeof(u.priv_pass), w[4])) {
			conf_msg(ctx, CONF_ERROR, file, line, "trap_user: "
			    "passphrase too long");
			return;
		}
		pos = 5;
	}
	for (; pos < nw; pos++) {
		if (strncmp(w[pos], "engine=", 7) == 0) {
			unsigned char eng[TRAP_ENGINE_MAX];
			size_t elen = strlen(w[pos] + 7);
			const char *h = w[pos] + 7;

			if (strncmp(h, "0x", 2) == 0 || strncmp(h, "0X", 2) == 0)
				h += 2;
			elen = strlen(h);
			if (elen < 10 || elen > 2 * sizeof(eng) || elen % 2 != 0 ||
			    strspn(h, "0123456789abcdefABCDEF") != elen) {
				conf_msg(ctx, CONF_ERROR, file, line,
				    "trap_user %s: invalid engine ID '%.70s': "
				    "expected 5 to 32 bytes in hex", u.name,
				    w[pos] + 7);
				return;
			}
			snprintf(u.engine_id, sizeof(u.engine_id), "%s", h);
		} else if (strncmp(w[pos], "from=", 5) == 0) {
			if (!conf_trap_nets(ctx, line, "trap_user", w[pos] + 5,
			    &u.nets, &u.nnets))
				goto fail;
		} else {
			conf_msg(ctx, CONF_ERROR, file, line, "trap_user %s: "
			    "unexpected '%.40s'", u.name, w[pos]);
			goto fail;
		}
	}
	if (!conf_trap_grow(ctx, (void **)&tc->users, tc->nusers,
	    sizeof(*tc->users)))
		goto fail;
	tc->users[tc->nusers++] = u;
	return;
fail:
	free(u.nets);
}

/* trap_community=COMMUNITY [NETWORKS] */
static void
conf_trap_community(struct conf_ctx *ctx, struct trap_conf *tc, int line,
    const char *value)
{
	struct trap_community c;
	const char *sp = value + strcspn(value, " \t");

	memset(&c, 0, sizeof(c));
	if (sp == value || (size_t)(sp - value) >= sizeof(c.community)) {
		conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, line,
		    "trap_community: expected COMMUNITY [NETWORK,...]");
		return;
	}
	memcpy(c.community, value, (size_t)(sp - value));
	while (*sp == ' ' || *sp == '\t')
		sp++;
	if (*sp != '\0' && !conf_trap_nets(ctx, line, "trap_community", sp,
	    &c.nets, &c.nnets)) {
		free(c.nets);
		return;
	}
	if (!conf_trap_grow(ctx, (void **)&tc->comms, tc->ncomms,
	    sizeof(*tc->comms))) {
		free(c.nets);
		return;
	}
	tc->comms[tc->ncomms++] = c;
}

static char *
conf_trap_path(struct conf_ctx *ctx, const char *v)
{
	char *p;
	size_t n;

	if (v[0] == '/')
		return strdup(v);
	n = strlen(ctx->cfg->base_dir) + strlen(v) + 2;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s/%s", ctx->cfg->base_dir, v);
	return p;
}

static void
conf_trap_int(struct conf_ctx *ctx, int line, const char *key,
    const char *value, long max, int *out)
{
	long l;

	if (strnum_long(value, 1, max, &l) != 0)
		conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, line,
		    "invalid %s '%.40s': expected 1 to %ld", key, value, max);
	else
		*out = (int)l;
}

static bool
conf_trap_str(struct conf_ctx *ctx, char **field, char *v)
{
	if (v == NULL) {
		ctx->oom = true;
		return true;
	}
	free(*field);
	*field = v;
	return true;
}

bool
conf_trap_main_key(struct conf_ctx *ctx, int line, const char *key,
    const char *value)
{
	const char *file = ctx->cfg->main_file;
	struct trap_conf *tc;
	char spec[128];

	/* trap_rules is an object file: conf.c reads it as cfg_file */
	if (strncmp(key, "trap_", 5) != 0 || strcmp(key, "trap_rules") == 0)
		return false;
	if ((tc = conf_trap_get(ctx)) == NULL)
		return true;
	if (*value == '\0') {
		conf_msg(ctx, CONF_ERROR, file, line, "'%s' has no value", key);
		return true;
	}
	if (strcmp(key, "trap_listen") == 0) {
		char *v;

		if (trap_listen_parse(value, spec, sizeof(spec)) != 0) {
			conf_msg(ctx, CONF_ERROR, file, line, "invalid "
			    "trap_listen '%.60s': expected ADDRESS, "
			    "ADDRESS:PORT or [IPV6]:PORT", value);
			return true;
		}
		if (!conf_trap_grow(ctx, (void **)&tc->listen, tc->nlisten,
		    sizeof(*tc->listen)) || (v = strdup(value)) == NULL) {
			ctx->oom = true;
			return true;
		}
		tc->listen[tc->nlisten++] = v;
	} else if (strcmp(key, "trap_community") == 0)
		conf_trap_community(ctx, tc, line, value);
	else if (strcmp(key, "trap_user") == 0)
		conf_trap_user(ctx, tc, line, value);
	else if (strcmp(key, "trap_trusted_networks") == 0)
		(void)conf_trap_nets(ctx, line, key, value, &tc->trusted,
		    &tc->ntrusted);
	else if (strcmp(key, "trap_engine_id_file") == 0)
		return conf_trap_str(ctx, &tc->engine_id_file,
		    conf_trap_path(ctx, value));
	else if (strcmp(key, "trap_service") == 0)
		return conf_trap_str(ctx, &tc->service, strdup(value));
	else if (strcmp(key, "trap_history") == 0)
		conf_trap_int(ctx, line, key, value, 1000000, &tc->history);
	else if (strcmp(key, "trap_storm_rate") == 0)
		conf_trap_int(ctx, line, key, value, 1000000, &tc->storm_rate);
	else if (strcmp(key, "trap_storm_burst") == 0)
		conf_trap_int(ctx, line, key, value, 10000000,
		    &tc->storm_burst);
	else if (strcmp(key, "trap_storm_window") == 0)
		conf_trap_int(ctx, line, key, value, 3600, &tc->storm_window);
	else
		return false; /* conf.c reports it as unknown */
	return true;
}

/* ---- $USERn$ in secrets ---- */

static void
conf_trap_macros(struct conf_ctx *ctx, char *s, size_t len, const char *what)
{
	char out[SNMP_STR_MAX];
	size_t j = 0;
	const char *p = s;

	if (strchr(s, '$') == NULL)
		return;
	while (*p != '\0' && j + 1 < sizeof(out)) {
		long idx;
		char num[8];
		const char *end;
		size_t k;

		if (strncmp(p, "$USER", 5) != 0 ||
		    (end = strchr(p + 5, '$')) == NULL ||
		    (k = (size_t)(end - p - 5)) == 0 || k >= sizeof(num)) {
			out[j++] = *p++;
			continue;
		}
		memcpy(num, p + 5, k);
		num[k] = '\0';
		if (strnum_long(num, 1, CONF_MAX_USER_MACROS, &idx) != 0 ||
		    ctx->cfg->user_macros[idx - 1] == NULL) {
			conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, 0,
			    "%s: $USER%s$ is not set in a resource_file", what,
			    num);
			return;
		}
		j += (size_t)snprintf(out + j, sizeof(out) - j, "%s",
		    ctx->cfg->user_macros[idx - 1]);
		if (j >= sizeof(out))
			j = sizeof(out) - 1;
		p = end + 1;
	}
	out[j] = '\0';
	snprintf(s, len, "%s", out);
}

/* ---- traprule objects ---- */

struct trap_reader {
	struct conf_ctx *ctx;
	struct trap_conf *tc;
	const char *file;
	struct traprule cur;
	bool bad;     /* the current rule had an error: left out */
	int errors;
};

static void __attribute__((format(printf, 3, 4)))
trap_rerr(struct trap_reader *rd, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_vmsg(rd->ctx, CONF_ERROR, rd->file, line, fmt, ap);
	va_end(ap);
	rd->bad = true;
	rd->errors++;
}

static char *
trap_resolve_oid(struct trap_reader *rd, int line, const char *key,
    const char *v)
{
	char num[SNMP_MIB_TEXT_MAX], err[300];
	char *s;

	if (snmp_mib_resolve(v, num, sizeof(num), err, sizeof(err)) != 0) {
		trap_rerr(rd, line, "%s: %s", key, err);
		return NULL;
	}
	if ((s = strdup(num)) == NULL)
		rd->ctx->oom = true;
	return s;
}

static void
trap_list(struct trap_reader *rd, const char *v, char ***arr, size_t *n)
{
	char buf[4096], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *t = tok, *e;

		while (isspace((unsigned char)*t))
			t++;
		e = t + strlen(t);
		while (e > t && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*t == '\0')
			continue;
		if (!conf_trap_grow(rd->ctx, (void **)arr, *n, sizeof(**arr)))
			return;
		if (((*arr)[*n] = strdup(t)) == NULL) {
			rd->ctx->oom = true;
			return;
		}
		(*n)++;
	}
}

/* "OID = value", "OID != value", "OID ~ regex", "OID !~ regex" */
static void
trap_match(struct trap_reader *rd, int line, const char *v)
{
	struct traprule *r = &rd->cur;
	struct traprule_vbm m = { 0 };
	char name[256];
	const char *op = v + strcspn(v, " \t=!~"), *val;
	size_t nlen = (size_t)(op - v);

	while (*op == ' ' || *op == '\t')
		op++;
	if (nlen == 0 || nlen >= sizeof(name)) {
		trap_rerr(rd, line, "match: expected 'OID = VALUE', 'OID != "
		    "VALUE', 'OID ~ REGEX' or 'OID !~ REGEX'");
		return;
	}
	if (strncmp(op, "!=", 2) == 0) {
		m.op = TRV_NE;
		val = op + 2;
	} else if (strncmp(op, "!~", 2) == 0) {
		m.op = TRV_NOT_REGEX;
		val = op + 2;
	} else if (*op == '=') {
		m.op = TRV_EQ;
		val = op + 1;
	} else if (*op == '~') {
		m.op = TRV_REGEX;
		val = op + 1;
	} else {
		trap_rerr(rd, line, "match: expected '=', '!=', '~' or '!~' "
		    "after the OID");
		return;
	}
	while (*val == ' ' || *val == '\t')
		val++;
	if (r->nvbm >= TRAPRULE_VBM_MAX) {
		trap_rerr(rd, line, "match: at most %d per rule",
		    TRAPRULE_VBM_MAX);
		return;
	}
	memcpy(name, v, nlen);
	name[nlen] = '\0';
	if ((m.oid = trap_resolve_oid(rd, line, "match", name)) == NULL)
		return;
	if (m.op == TRV_REGEX || m.op == TRV_NOT_REGEX) {
		int rc = regcomp(&m.re, val, REG_EXTENDED | REG_NOSUB);

		if (rc != 0) {
			char e[200];

			regerror(rc, &m.re, e, sizeof(e));
			trap_rerr(rd, line, "match: bad regular expression "
			    "'%.60s': %s", val, e);
			free(m.oid);
			return;
		}
		m.has_re = true;
	}
	if ((m.value = strdup(val)) == NULL ||
	    !conf_trap_grow(rd->ctx, (void **)&r->vbm, r->nvbm,
	    sizeof(*r->vbm))) {
		rd->ctx->oom = true;
		free(m.oid);
		free(m.value);
		if (m.has_re)
			regfree(&m.re);
		return;
	}
	r->vbm[r->nvbm++] = m;
}

static int
trap_state(const char *v)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
	    "UNKNOWN" };

	for (int i = 0; i < 4; i++)
		if (strcasecmp(v, names[i]) == 0 || (v[0] == '0' + i &&
		    v[1] == '\0'))
			return i;
	return -1;
}

static void
trap_key(struct trap_reader *rd, int line, const char *key, const char *v)
{
	struct traprule *r = &rd->cur;
	char err[300];
	long l;

	if (strcmp(key, "rule_name") == 0) {
		free(r->name);
		if ((r->name = strdup(v)) == NULL)
			rd->ctx->oom = true;
	} else if (strcmp(key, "trap_oid") == 0) {
		free(r->oid);
		r->oid = trap_resolve_oid(rd, line, key, v);
	} else if (strcmp(key, "host_name") == 0)
		trap_list(rd, v, &r->hosts, &r->nhosts);
	else if (strcmp(key, "hostgroup_name") == 0)
		trap_list(rd, v, &r->hostgroups, &r->nhostgroups);
	else if (strcmp(key, "match") == 0)
		trap_match(rd, line, v);
	else if (strcmp(key, "service_description") == 0) {
		free(r->service);
		if ((r->service = strdup(v)) == NULL)
			rd->ctx->oom = true;
	} else if (strcmp(key, "state") == 0) {
		if ((r->state = trap_state(v)) < 0)
			trap_rerr(rd, line, "state: expected OK, WARNING, "
			    "CRITICAL or UNKNOWN (or 0 to 3), not '%.30s'", v);
	} else if (strcmp(key, "output") == 0) {
		free(r->output);
		if ((r->output = traprule_template_compile(v, err,
		    sizeof(err))) == NULL)
			trap_rerr(rd, line, "output: %s", err);
	} else if (strcmp(key, "clear_trap") == 0) {
		free(r->clear_oid);
		r->clear_oid = trap_resolve_oid(rd, line, key, v);
	} else if (strcmp(key, "clear_key") == 0) {
		free(r->clear_key);
		r->clear_key = trap_resolve_oid(rd, line, key, v);
	} else if (strcmp(key, "clear_after") == 0) {
		if (strnum_long(v, 0, 30L * 86400, &l) != 0)
			trap_rerr(rd, line, "clear_after: expected seconds, 0 "
			    "to %ld", 30L * 86400);
		else
			r->clear_after = (int)l;
	} else
		trap_rerr(rd, line, "unknown traprule directive '%.40s'", key);
}

static bool
trap_hostgroup_exists(const struct objects *o, const char *name)
{
	for (size_t i = 0; i < o->nhostgroups; i++)
		if (strcmp(o->hostgroups[i]->name, name) == 0)
			return true;
	return false;
}

/* The block at line ended: check and keep the rule, or drop it. */
static void
trap_end(struct trap_reader *rd, int line)
{
	struct traprule *r = &rd->cur;
	const struct objects *o = &rd->ctx->cfg->objects;

	if (r->name == NULL)
		trap_rerr(rd, r->line, "traprule has no rule_name");
	if (r->oid == NULL && !rd->bad)
		trap_rerr(rd, r->line, "traprule %s has no trap_oid",
		    r->name != NULL ? r->name : "");
	if (r->service == NULL)
		trap_rerr(rd, r->line, "traprule %s has no "
		    "service_description", r->name != NULL ? r->name : "");
	for (size_t i = 0; i < r->nhosts; i++)
		if (strcmp(r->hosts[i], "*") != 0 &&
		    objects_host_find(o, r->hosts[i]) == NULL)
			trap_rerr(rd, r->line, "traprule %s: unknown host "
			    "'%.60s'", r->name != NULL ? r->name : "",
			    r->hosts[i]);
	for (size_t i = 0; i < r->nhostgroups; i++)
		if (!trap_hostgroup_exists(o, r->hostgroups[i]))
			trap_rerr(rd, r->line, "traprule %s: unknown host "
			    "group '%.60s'", r->name != NULL ? r->name : "",
			    r->hostgroups[i]);
	if (r->clear_key != NULL && r->clear_oid == NULL)
		trap_rerr(rd, r->line, "traprule %s: clear_key without "
		    "clear_trap", r->name != NULL ? r->name : "");
	if (!rd->bad && r->output == NULL &&
	    (r->output = strdup("$TRAPNAME$: $TRAPVARS$")) == NULL)
		rd->ctx->oom = true;
	if (!rd->bad && r->service != NULL)
		for (size_t i = 0; i < r->nhosts; i++) {
			if (strcmp(r->hosts[i], "*") != 0 &&
			    objects_host_find(o, r->hosts[i]) != NULL &&
			    objects_service_find(o, r->hosts[i],
			    r->service) == NULL)
				conf_msg(rd->ctx, CONF_WARNING, rd->file,
				    r->line, "traprule %s: host %s has no "
				    "service '%s'; its traps are only logged",
				    r->name, r->hosts[i], r->service);
		}
	(void)line;
	if (rd->bad || rd->ctx->oom || !conf_trap_grow(rd->ctx,
	    (void **)&rd->tc->rules, rd->tc->nrules,
	    sizeof(*rd->tc->rules))) {
		traprule_free_fields(r);
		return;
	}
	rd->tc->rules[rd->tc->nrules++] = *r;
	memset(r, 0, sizeof(*r));
}

static bool
trap_name_taken(struct trap_reader *rd, const struct traprule *r)
{
	for (size_t i = 0; i < rd->tc->nrules; i++)
		if (!rd->tc->rules[i].builtin && rd->tc->rules[i].name != NULL &&
		    strcmp(rd->tc->rules[i].name, r->name) == 0) {
			trap_rerr(rd, r->line, "duplicate traprule '%.60s' "
			    "(first defined at %s:%d)", r->name,
			    rd->tc->rules[i].file, rd->tc->rules[i].line);
			return true;
		}
	return false;
}

/* One registered traprule definition (after inheritance: d->r sorted by
 * key, every "match" kept) into a rule, or errors at the lines of its
 * directives. */
static void
trap_def(struct conf_ctx *ctx, struct trap_conf *tc, const struct conf_def *d)
{
	struct trap_reader rd = { .ctx = ctx, .tc = tc, .file = d->file };

	memset(&rd.cur, 0, sizeof(rd.cur));
	rd.cur.line = d->line;
	rd.cur.state = 2;
	if ((rd.cur.file = strdup(d->file)) == NULL) {
		ctx->oom = true;
		return;
	}
	for (size_t i = 0; i < d->nr; i++) {
		const struct conf_rkv *kv = &d->r[i];

		if (kv->key[0] == '_' || strcmp(kv->value, "null") == 0)
			continue; /* custom variables; unset */
		if (kv->flags & CONF_KV_BAD) {
			rd.bad = true; /* reported by the parser */
			continue;
		}
		rd.file = kv->file;
		trap_key(&rd, kv->line, kv->key, kv->value);
	}
	rd.file = d->file;
	if (rd.cur.name != NULL && trap_name_taken(&rd, &rd.cur))
		rd.bad = true;
	trap_end(&rd, d->line);
}

int
conf_trap_finish(struct conf_ctx *ctx)
{
	struct trap_conf *tc = ctx->cfg->trap;

	for (size_t i = 0; i < ctx->ndefs && tc == NULL; i++)
		if (ctx->defs[i]->type == CT_TRAPRULE &&
		    ctx->defs[i]->registered && (tc = conf_trap_get(ctx)) == NULL)
			return -ENOMEM;
	if (tc == NULL)
		return 0;
	for (size_t i = 0; i < tc->ncomms; i++)
		conf_trap_macros(ctx, tc->comms[i].community,
		    sizeof(tc->comms[i].community), "trap_community");
	for (size_t i = 0; i < tc->nusers; i++) {
		conf_trap_macros(ctx, tc->users[i].auth_pass,
		    sizeof(tc->users[i].auth_pass), "trap_user");
		conf_trap_macros(ctx, tc->users[i].priv_pass,
		    sizeof(tc->users[i].priv_pass), "trap_user");
		if (strlen(tc->users[i].auth_pass) < 8 ||
		    (tc->users[i].priv != 0 &&
		    strlen(tc->users[i].priv_pass) < 8))
			conf_msg(ctx, CONF_ERROR, ctx->cfg->main_file, 0,
			    "trap_user %s: passphrases need at least 8 "
			    "characters", tc->users[i].name);
	}
	if (tc->nlisten == 0 && (tc->ncomms > 0 || tc->nusers > 0))
		conf_msg(ctx, CONF_WARNING, ctx->cfg->main_file, 0,
		    "trap settings without trap_listen: no trap is received");
	if (tc->nlisten > 0 && tc->ncomms == 0 && tc->nusers == 0)
		conf_msg(ctx, CONF_WARNING, ctx->cfg->main_file, 0,
		    "trap_listen without trap_community or trap_user: every "
		    "trap is refused");
	if (tc->service == NULL &&
	    (tc->service = strdup(TRAP_DEFAULT_SERVICE)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < ctx->ndefs && !ctx->oom; i++)
		if (ctx->defs[i]->type == CT_TRAPRULE &&
		    ctx->defs[i]->registered)
			trap_def(ctx, tc, ctx->defs[i]);
	if (ctx->oom)
		return -ENOMEM;
	if (tc->nlisten == 0 && tc->nrules > 0 && tc->ncomms == 0 &&
	    tc->nusers == 0)
		conf_msg(ctx, CONF_WARNING, ctx->cfg->main_file, 0,
		    "traprule definitions without trap_listen: no trap is "
		    "received");
	return traprule_add_builtins(&tc->rules, &tc->nrules, tc->service);
}

void
conf_trap_free(struct trap_conf *tc)
{
	if (tc == NULL)
		return;
	for (size_t i = 0; i < tc->nlisten; i++)
		free(tc->listen[i]);
	free(tc->listen);
	for (size_t i = 0; i < tc->ncomms; i++)
		free(tc->comms[i].nets);
	free(tc->comms);
	for (size_t i = 0; i < tc->nusers; i++)
		free(tc->users[i].nets);
	free(tc->users);
	free(tc->trusted);
	free(tc->engine_id_file);
	free(tc->service);
	for (size_t i = 0; i < tc->nrules; i++)
		traprule_free_fields(&tc->rules[i]);
	free(tc->rules);
	free(tc);
}
