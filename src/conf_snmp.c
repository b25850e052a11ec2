/*
 * conf_snmp: a host's snmp_* keys and device_profile into struct host.
 *
 * The keys are the only SNMP settings of a host (custom variables such as
 * _SNMP_COMMUNITY stay the user's, for their own plugin commands). Secrets
 * may be written as $USERn$ macros from the resource files; they expand
 * here, once, so a bad reference is a file:line error of `pharosd -v`.
 * A host that sets none of the keys keeps h->snmp NULL: its SNMP checks
 * use v2c, community "public", port 161.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"
#include "objects.h"
#include "snmp.h"
#include "strnum.h"

#define CONF_SNMP_PASS_MIN 8 /* RFC 3414 and net-snmp refuse shorter */

struct conf_snmp {
	struct conf_ctx *ctx;
	const struct conf_def *d;
	const char *host;
	bool bad;
};

static void __attribute__((format(printf, 3, 4)))
conf_snmp_err(struct conf_snmp *cs, const char *key, const char *fmt, ...)
{
	const struct conf_rkv *kv = conf_rget(cs->d, key);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_msg(cs->ctx, CONF_ERROR, kv != NULL ? kv->file : cs->d->file,
	    kv != NULL ? kv->line : cs->d->line, "%s of host '%s': %s", key,
	    cs->host, msg);
	cs->bad = true;
}

/* The n of a "$USERn$" at p (its closing '$' in *end), or 0. */
static long
conf_snmp_user_macro(const char *p, const char **end)
{
	char num[8];
	size_t k;
	long idx;

	if (strncmp(p, "$USER", 5) != 0 ||
	    (*end = strchr(p + 5, '$')) == NULL)
		return 0;
	k = (size_t)(*end - (p + 5));
	if (k == 0 || k >= sizeof(num))
		return 0;
	memcpy(num, p + 5, k);
	num[k] = '\0';
	return strnum_long(num, 1, CONF_MAX_USER_MACROS, &idx) == 0 ? idx : 0;
}

/* Copy the value of key into out with $USERn$ macros expanded. Returns
 * false (error reported) when a macro is unset or the result too long;
 * true with out "" when the key is absent. */
static bool
conf_snmp_str(struct conf_snmp *cs, const char *key, char *out, size_t len)
{
	const char *v = conf_rval(cs->d, key), *p, *end, *sub;
	size_t n = 0, k;
	long idx;

	out[0] = '\0';
	if (v == NULL)
		return true;
	for (p = v; *p != '\0'; p++) {
		sub = p;
		k = 1;
		if ((idx = conf_snmp_user_macro(p, &end)) > 0) {
			if ((sub = cs->ctx->cfg->user_macros[idx - 1]) == NULL) {
				conf_snmp_err(cs, key,
				    "$USER%ld$ is not set by any resource_file",
				    idx);
				return false;
			}
			k = strlen(sub);
			p = end;
		}
		if (n + k >= len) {
			conf_snmp_err(cs, key, "longer than %zu characters",
			    len - 1);
			return false;
		}
		memcpy(out + n, sub, k);
		n += k;
	}
	out[n] = '\0';
	return true;
}

static void
conf_snmp_version(struct conf_snmp *cs, struct snmp_target *t)
{
	const char *v = conf_rval(cs->d, "snmp_version");

	if (v == NULL || strcasecmp(v, "2c") == 0 || strcmp(v, "2") == 0)
		t->version = SNMP_V2C;
	else if (strcmp(v, "1") == 0)
		t->version = SNMP_V1;
	else if (strcmp(v, "3") == 0)
		t->version = SNMP_V3;
	else
		conf_snmp_err(cs, "snmp_version", "'%s' is not 1, 2c or 3", v);
}

static void
conf_snmp_auth(struct conf_snmp *cs, struct snmp_target *t)
{
	const char *v = conf_rval(cs->d, "snmp_v3_auth_proto");

	t->auth = SNMP_AUTH_SHA;
	if (v == NULL || strcasecmp(v, "SHA") == 0 ||
	    strcasecmp(v, "SHA1") == 0 || strcasecmp(v, "SHA-1") == 0)
		return;
	if (strcasecmp(v, "MD5") == 0)
		t->auth = SNMP_AUTH_MD5;
	else if (strcasecmp(v, "SHA-256") == 0 || strcasecmp(v, "SHA256") == 0)
		t->auth = SNMP_AUTH_SHA256;
	else
		conf_snmp_err(cs, "snmp_v3_auth_proto",
		    "unknown protocol '%s' (expected MD5, SHA or SHA-256)", v);
}

static void
conf_snmp_priv(struct conf_snmp *cs, struct snmp_target *t)
{
	const char *v = conf_rval(cs->d, "snmp_v3_priv_proto");

	t->priv = SNMP_PRIV_AES;
	if (v == NULL || strcasecmp(v, "AES") == 0 ||
	    strcasecmp(v, "AES128") == 0 || strcasecmp(v, "AES-128") == 0)
		return;
	if (strcasecmp(v, "DES") == 0)
		t->priv = SNMP_PRIV_DES;
	else
		conf_snmp_err(cs, "snmp_v3_priv_proto",
		    "unknown protocol '%s' (expected AES or DES)", v);
}

static void
conf_snmp_pass(struct conf_snmp *cs, const char *key, char *out)
{
	if (conf_snmp_str(cs, key, out, SNMP_STR_MAX) && out[0] != '\0' &&
	    strlen(out) < CONF_SNMP_PASS_MIN)
		conf_snmp_err(cs, key,
		    "the passphrase is shorter than %d characters (SNMPv3 needs at least %d)",
		    CONF_SNMP_PASS_MIN, CONF_SNMP_PASS_MIN);
}

static void
conf_snmp_engine(struct conf_snmp *cs, struct snmp_target *t)
{
	const char *v = conf_rval(cs->d, "snmp_v3_engine_id");
	size_t n, i;

	if (v == NULL)
		return;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	n = strlen(v);
	for (i = 0; i < n && isxdigit((unsigned char)v[i]); i++)
		;
	if (i < n || n % 2 != 0 || n < 10 || n >= sizeof(t->engine_id)) {
		conf_snmp_err(cs, "snmp_v3_engine_id",
		    "expected 5 to 32 bytes in hex, got '%s'", v);
		return;
	}
	memcpy(t->engine_id, v, n + 1);
}

/* The v3 security: user, level from what is set, protocols, passphrases. */
static void
conf_snmp_v3(struct conf_snmp *cs, struct snmp_target *t)
{
	bool auth = conf_rget(cs->d, "snmp_v3_auth_pass") != NULL;
	bool priv = conf_rget(cs->d, "snmp_v3_priv_pass") != NULL;

	conf_snmp_str(cs, "snmp_v3_user", t->user, sizeof(t->user));
	conf_snmp_auth(cs, t);
	conf_snmp_priv(cs, t);
	conf_snmp_pass(cs, "snmp_v3_auth_pass", t->auth_pass);
	conf_snmp_pass(cs, "snmp_v3_priv_pass", t->priv_pass);
	conf_snmp_engine(cs, t);
	t->seclevel = priv ? SNMP_AUTHPRIV : auth ? SNMP_AUTHNOPRIV :
	    SNMP_NOAUTH;
	if (t->version != SNMP_V3)
		return;
	if (t->user[0] == '\0' && !cs->bad)
		conf_snmp_err(cs, "snmp_version",
		    "SNMPv3 needs snmp_v3_user");
	if (priv && !auth)
		conf_snmp_err(cs, "snmp_v3_priv_pass",
		    "privacy needs authentication: set snmp_v3_auth_pass too");
	if (conf_rget(cs->d, "snmp_v3_auth_proto") != NULL && !auth)
		conf_snmp_err(cs, "snmp_v3_auth_proto",
		    "set without snmp_v3_auth_pass");
	if (conf_rget(cs->d, "snmp_v3_priv_proto") != NULL && !priv)
		conf_snmp_err(cs, "snmp_v3_priv_proto",
		    "set without snmp_v3_priv_pass");
}

/* A number the key table already checked (range and syntax). */
static long
conf_snmp_long(const struct conf_snmp *cs, const char *key, long dflt)
{
	const char *v = conf_rval(cs->d, key);
	long l;

	return v != NULL && strnum_long(v, LONG_MIN, LONG_MAX, &l) == 0 ? l :
	    dflt;
}

static void
conf_snmp_numbers(struct conf_snmp *cs, struct snmp_target *t)
{
	const char *v;

	t->port = (uint16_t)conf_snmp_long(cs, "snmp_port", 0);
	t->retries = (int)conf_snmp_long(cs, "snmp_retries", 1);
	t->bulk_reps = (int)conf_snmp_long(cs, "snmp_max_repetitions", 0);
	if ((v = conf_rval(cs->d, "snmp_timeout")) != NULL)
		t->timeout_ns = (int64_t)(strtod(v, NULL) * 1e9);
}

static bool
conf_snmp_any(const struct conf_def *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		if (strncmp(d->r[i].key, "snmp_", 5) == 0 &&
		    (d->r[i].flags & CONF_KV_BAD) == 0)
			return true;
	return false;
}

int
conf_snmp_host(struct conf_ctx *ctx, const struct conf_def *d,
    struct host *h)
{
	struct conf_snmp cs = { ctx, d, h->name, false };
	const char *v = conf_rval(d, "device_profile");
	struct snmp_target *t;

	if (v != NULL && (h->device_profile = strdup(v)) == NULL)
		return -ENOMEM;
	if (!conf_snmp_any(d))
		return 0;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return -ENOMEM;
	conf_snmp_version(&cs, t);
	if (conf_rget(d, "snmp_community") != NULL)
		conf_snmp_str(&cs, "snmp_community", t->community,
		    sizeof(t->community));
	else
		snprintf(t->community, sizeof(t->community), "public");
	conf_snmp_v3(&cs, t);
	conf_snmp_numbers(&cs, t);
	h->snmp = t;
	return 0;
}
