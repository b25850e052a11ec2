/*
 * traps_cli: `pharos traps` (see traps_cli.h). The filters go to the
 * daemon, which keeps the traps (a bounded ring, trap_history); this side
 * only builds the request and lays out the answer.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "traps_cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "strnum.h"
#include "trap_send.h"

enum {
	TRAPS_EXIT_OK = 0,
	TRAPS_EXIT_ERROR = 1,
	TRAPS_EXIT_USAGE = 2,
	TRAPS_EXIT_CONNECT = 3,
};

static void
traps_cli_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos traps [--host HOST] [--since TIME] [--oid OID] "
	    "[--limit N] [--json]\n"
	    "  the SNMP traps pharosd received and kept (trap_history), "
	    "oldest first\n"
	    "  --host HOST   from this host (or this source address when "
	    "it matched no host)\n"
	    "  --since TIME  epoch seconds, or an age: 30s, 10m, 2h, 1d\n"
	    "  --oid OID     this trap: numeric OID, MIB name or the name "
	    "printed (linkDown)\n"
	    "  --limit N     the newest N only (default 100)\n"
	    "  --json        the daemon's answer as JSON\n"
	    "   or: pharos traps send ...  (see 'pharos traps send --help')\n");
}

int
traps_cli_since(const char *s, long long now, long long *out)
{
	size_t n = strlen(s);
	long mult = 0, v;
	char num[32];

	if (n == 0 || n >= sizeof(num))
		return -1;
	switch (s[n - 1]) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		if (strnum_long(s, 0, 4102444800L, &v) != 0)
			return -1;
		*out = v;
		return 0;
	}
	memcpy(num, s, n - 1);
	num[n - 1] = '\0';
	if (strnum_long(num, 0, 3650L * 86400 / mult, &v) != 0)
		return -1;
	*out = now - (long long)v * mult;
	return 0;
}

static int
traps_cli_print(json_t *data)
{
	json_t *arr = json_object_get(data, "traps"), *t;
	size_t i;

	if (!json_is_array(arr)) {
		fprintf(stderr, "pharos: the daemon's traps answer has no "
		    "list\n");
		return TRAPS_EXIT_CONNECT;
	}
	json_array_foreach(arr, i, t) {
		time_t when = (time_t)json_integer_value(json_object_get(t,
		    "time"));
		const char *host = json_string_value(json_object_get(t, "host"));
		const char *src = json_string_value(json_object_get(t,
		    "source"));
		const char *name = json_string_value(json_object_get(t, "name"));
		const char *vars = json_string_value(json_object_get(t,
		    "varbinds"));
		const char *ver = json_string_value(json_object_get(t,
		    "version"));
		char ts[32] = "-";
		struct tm tm;

		if (localtime_r(&when, &tm) != NULL)
			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
		if (host != NULL)
			printf("%s %s v%s %s", ts, host, ver ? ver : "?",
			    name ? name : "?");
		else
			printf("%s unknown-source(%s) v%s %s", ts, src ? src :
			    "?", ver ? ver : "?", name ? name : "?");
		if (json_is_true(json_object_get(t, "inform")))
			printf(" (inform)");
		if (vars != NULL && vars[0] != '\0')
			printf(": %s", vars);
		putchar('\n');
	}
	return TRAPS_EXIT_OK;
}

static void
traps_send_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos traps send --to ADDR[:PORT] --type TYPE --host HOST "
	    "[--service DESC]\n"
	    "           --state STATE [--output TEXT] [--sender-id-file FILE]\n"
	    "           [--community C] [--inform] [--timeout S] "
	    "[--retries N]\n"
	    "           [--v3 --user U --auth-proto MD5|SHA|SHA256 "
	    "--auth-pass P\n"
	    "            [--priv-proto AES|DES --priv-pass P]]\n"
	    "  send one PHAROS-MIB notification (a v2c trap or inform, a v3 "
	    "inform);\n"
	    "  made for notification commands (docs/traps.md, "
	    "\"Forwarding\")\n"
	    "exit status: 0 sent (an inform: acknowledged), 1 not sent, 2 "
	    "usage\n");
}

/* The first line of the engine ID file (hex), into out. 0 or -1. */
static int
traps_sender_id(const char *path, char *out, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t k;

	if (fp == NULL || fgets(out, (int)len, fp) == NULL) {
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	fclose(fp);
	k = strcspn(out, "\r\n");
	out[k] = '\0';
	return k >= 10 && strspn(out, "0123456789abcdefABCDEF") == k ? 0 : -1;
}

static int
traps_send_main(int argc, char **argv)
{
	struct trap_send_opts o;
	char err[512], sender[80];
	const char *id_file = NULL;
	long l;

	memset(&o, 0, sizeof(o));
	o.t.version = SNMP_V2C;
	snprintf(o.t.community, sizeof(o.t.community), "public");
	o.t.timeout_ns = 5 * 1000000000LL;
	o.t.retries = 2;
	o.t.auth = SNMP_AUTH_SHA;
	o.t.seclevel = SNMP_AUTHNOPRIV;
	o.output = "";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool flag = strcmp(a, "--inform") == 0 ||
		    strcmp(a, "--v3") == 0;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			traps_send_usage(stdout);
			return TRAPS_EXIT_OK;
		}
		if (!flag && v == NULL) {
			fprintf(stderr, "pharos: traps send: %s needs a value\n",
			    a);
			return TRAPS_EXIT_USAGE;
		}
		if (strcmp(a, "--inform") == 0)
			o.inform = true;
		else if (strcmp(a, "--v3") == 0) {
			o.t.version = SNMP_V3;
			o.inform = true;
		} else if (strcmp(a, "--to") == 0)
			o.to = v;
		else if (strcmp(a, "--type") == 0)
			o.type = v;
		else if (strcmp(a, "--host") == 0)
			o.host = v;
		else if (strcmp(a, "--service") == 0)
			o.service = v[0] != '\0' ? v : NULL;
		else if (strcmp(a, "--state") == 0)
			o.state = v;
		else if (strcmp(a, "--output") == 0)
			o.output = v;
		else if (strcmp(a, "--sender-id-file") == 0)
			id_file = v;
		else if (strcmp(a, "--community") == 0 ||
		    strcmp(a, "--user") == 0 || strcmp(a, "--auth-pass") == 0 ||
		    strcmp(a, "--priv-pass") == 0) {
			char *dst = a[2] == 'c' ? o.t.community : a[2] == 'u' ?
			    o.t.user : a[2] == 'a' ? o.t.auth_pass :
			    o.t.priv_pass;

			if (strlen(v) >= SNMP_STR_MAX) {
				fprintf(stderr, "pharos: traps send: %s is "
				    "too long\n", a);
				return TRAPS_EXIT_USAGE;
			}
			snprintf(dst, SNMP_STR_MAX, "%s", v);
			if (a[2] == 'p')
				o.t.seclevel = SNMP_AUTHPRIV;
		} else if (strcmp(a, "--auth-proto") == 0) {
			if (strcasecmp(v, "MD5") == 0)
				o.t.auth = SNMP_AUTH_MD5;
			else if (strcasecmp(v, "SHA") == 0)
				o.t.auth = SNMP_AUTH_SHA;
			else if (strcasecmp(v, "SHA256") == 0)
				o.t.auth = SNMP_AUTH_SHA256;
			else {
				fprintf(stderr, "pharos: traps send: "
				    "--auth-proto MD5, SHA or SHA256\n");
				return TRAPS_EXIT_USAGE;
			}
		} else if (strcmp(a, "--priv-proto") == 0) {
			if (strcasecmp(v, "AES") != 0 &&
			    strcasecmp(v, "DES") != 0) {
				fprintf(stderr, "pharos: traps send: "
				    "--priv-proto AES or DES\n");
				return TRAPS_EXIT_USAGE;
			}
			o.t.priv = strcasecmp(v, "DES") == 0 ? SNMP_PRIV_DES :
			    SNMP_PRIV_AES;
		} else if (strcmp(a, "--timeout") == 0 ||
		    strcmp(a, "--retries") == 0) {
			if (strnum_long(v, a[2] == 't' ? 1 : 0, 60, &l) != 0) {
				fprintf(stderr, "pharos: traps send: %s '%s': "
				    "expected %s to 60\n", a, v, a[2] == 't' ?
				    "1" : "0");
				return TRAPS_EXIT_USAGE;
			}
			if (a[2] == 't')
				o.t.timeout_ns = l * 1000000000LL;
			else
				o.t.retries = (int)l;
		} else {
			fprintf(stderr, "pharos: traps send: unknown argument "
			    "'%s'\nTry 'pharos traps send --help'.\n", a);
			return TRAPS_EXIT_USAGE;
		}
		if (!flag)
			i++;
	}
	if (o.to == NULL || o.type == NULL || o.host == NULL ||
	    o.state == NULL || (o.t.version == SNMP_V3 &&
	    (o.t.user[0] == '\0' || o.t.auth_pass[0] == '\0'))) {
		fprintf(stderr, "pharos: traps send: --to, --type, --host and "
		    "--state are needed (and --user, --auth-pass with --v3)\n"
		    "Try 'pharos traps send --help'.\n");
		return TRAPS_EXIT_USAGE;
	}
	if (o.t.priv == 0)
		o.t.priv = SNMP_PRIV_AES;
	if (id_file != NULL) {
		if (traps_sender_id(id_file, sender, sizeof(sender)) != 0) {
			fprintf(stderr, "pharos: traps send: %s holds no "
			    "engine ID\n", id_file);
			return TRAPS_EXIT_ERROR;
		}
		o.sender = sender;
	}
	if (trap_send(&o, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos: traps send: %s\n", err);
		return TRAPS_EXIT_ERROR;
	}
	return TRAPS_EXIT_OK;
}

int
traps_cli_main(int argc, char **argv, traps_cli_call_fn *call, void *arg,
    long long now)
{
	json_t *req, *resp = NULL, *data;
	bool json = false;
	int i, rc;

	if (argc > 1 && strcmp(argv[1], "send") == 0)
		return traps_send_main(argc - 1, argv + 1);
	if ((req = json_pack("{s:i, s:s}", "v", 1, "op", "traps")) == NULL) {
		fprintf(stderr, "pharos: out of memory\n");
		return TRAPS_EXIT_ERROR;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		long long since;
		long lim;

		if (strcmp(a, "--json") == 0) {
			json = true;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			traps_cli_usage(stdout);
			json_decref(req);
			return fflush(stdout) == 0 ? TRAPS_EXIT_OK :
			    TRAPS_EXIT_ERROR;
		}
		if ((strcmp(a, "--host") == 0 || strcmp(a, "--oid") == 0 ||
		    strcmp(a, "--since") == 0 || strcmp(a, "--limit") == 0) &&
		    v == NULL) {
			fprintf(stderr, "pharos: traps: %s needs a value\n", a);
			rc = TRAPS_EXIT_USAGE;
			goto out;
		}
		if (strcmp(a, "--host") == 0 || strcmp(a, "--oid") == 0)
			json_object_set_new(req, a + 2, json_string(v));
		else if (strcmp(a, "--since") == 0) {
			if (traps_cli_since(v, now, &since) != 0) {
				fprintf(stderr, "pharos: traps: --since '%s': "
				    "expected epoch seconds or an age such as "
				    "10m\n", v);
				rc = TRAPS_EXIT_USAGE;
				goto out;
			}
			json_object_set_new(req, "since", json_integer(since));
		} else if (strcmp(a, "--limit") == 0) {
			if (strnum_long(v, 1, 1000000, &lim) != 0) {
				fprintf(stderr, "pharos: traps: --limit '%s': "
				    "expected 1 to 1000000\n", v);
				rc = TRAPS_EXIT_USAGE;
				goto out;
			}
			json_object_set_new(req, "limit", json_integer(lim));
		} else {
			fprintf(stderr, "pharos: traps: unknown argument "
			    "'%s'\nTry 'pharos traps --help'.\n", a);
			rc = TRAPS_EXIT_USAGE;
			goto out;
		}
		i++;
	}
	if ((rc = call(arg, req, &resp)) != TRAPS_EXIT_OK)
		goto out;
	data = json_object_get(resp, "data");
	if (!json_is_object(data)) {
		fprintf(stderr, "pharos: the daemon's traps answer has no data "
		    "object\n");
		rc = TRAPS_EXIT_CONNECT;
		goto out;
	}
	if (json)
		rc = json_dumpf(data, stdout, JSON_INDENT(2)) != 0 ||
		    fputc('\n', stdout) == EOF ? TRAPS_EXIT_ERROR :
		    TRAPS_EXIT_OK;
	else
		rc = traps_cli_print(data);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pharos: cannot write the output\n");
		rc = TRAPS_EXIT_ERROR;
	}
out:
	json_decref(resp);
	json_decref(req);
	return rc;
}
