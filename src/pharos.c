/*
 * pharos: the command-line client. It talks to pharosd over the query
 * socket (docs/query-protocol.md) and prints the answer, as a table for
 * people or as JSON for scripts.
 *
 *   pharos [-c MAIN_CFG | -s SOCKET] [-t SECONDS] COMMAND [options]
 *
 * The socket path comes from -s, or from query_socket= in the main
 * configuration file (-c, default SYSCONFDIR/pharos/pharos.cfg), read with
 * a plain line scan: the object files are never loaded.
 *
 * Everything the daemon sends is untrusted text: strings printed in tables
 * and messages have control characters replaced, so plugin output cannot
 * move the cursor or retitle the terminal.
 *
 * Exit codes: 0 ok, 1 the daemon answered an error, 2 usage error (also an
 * unreadable main config), 3 cannot connect to or talk with the daemon.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "capacity_cli.h"
#include "graph_cli.h"
#include "logsearch.h"
#include "netdisc_cli.h"
#include "pharos_config.h"
#include "pharos_int.h"
#include "ping.h"
#include "query.h"
#include "route_cli.h"
#include "snmp_cli.h"
#include "stats_cli.h"
#include "traps_cli.h"
#include "strnum.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define PHAROS_DEFAULT_CFG SYSCONFDIR "/pharos/pharos.cfg"
#define PHAROS_TIMEOUT_S 15
#define PHAROS_TIMEOUT_MAX 3600
#define PHAROS_CFG_LINE 4096



void
pharos_usage(FILE *fp)
{
	fprintf(
	    fp,
	    "usage: pharos [-c MAIN_CFG | -s SOCKET] [-t SECONDS] COMMAND "
	    "[options]\n"
	    "\n"
	    "Ask a running pharosd over its query socket.\n"
	    "\n"
	    "options:\n"
	    "  -c MAIN_CFG   main configuration file; its query_socket= names "
	    "the socket\n"
	    "                (default %s)\n"
	    "  -s SOCKET     the query socket itself\n"
	    "  -t SECONDS    give up waiting for an answer after this long "
	    "(default %d)\n"
	    "  -h, --help    this help\n"
	    "  -V, --version the version\n"
	    "\n"
	    "commands:\n"
	    "  status [--json] [--host NAME]... [--state STATE]...\n"
	    "                hosts and services with their current state;\n"
	    "                STATE is one of UP DOWN UNREACHABLE PENDING OK "
	    "WARNING\n"
	    "                CRITICAL UNKNOWN (repeat to match any of them)\n"
	    "  cmd COMMAND   send one Nagios external command, e.g.\n"
	    "                'ACKNOWLEDGE_HOST_PROBLEM;core1;1;1;1;ops;fiber cut'\n"
	    "  raw JSON      send one request object as is and print the "
	    "response line\n"
	    "  snmp get|walk [-v 1|2c|3] [-c COMMUNITY] ... AGENT[:PORT] "
	    "[OID...]\n"
	    "                ask SNMP agents, output as snmpget -On "
	    "(see 'pharos snmp -h')\n"
	    "  snmp discover [-P PROFILE] ... AGENT[:PORT]\n"
	    "                the services a device profile finds on an "
	    "agent\n"
	    "  discover RANGE... [--community C | --v3 ...] [-o FILE "
	    "[--write]]\n"
	    "                find devices, their classes and parents; write "
	    "hosts\n"
	    "                (see 'pharos discover -h')\n"
	    "  topology [--config FILE] [--save[=FILE]]\n"
	    "                the parent tree inferred from routes, LLDP, "
	    "FDB and ARP\n"
	    "  log [--since TIME] [--host H] [--type TYPE] ... [-n N]\n"
	    "                search the event log and its archives (see "
	    "'pharos log -h')\n"
	    "  ping [-c N] [-p MS] [-i MS] [-t MS] [-q] [-g] TARGET...\n"
	    "                ping targets once, fping style (see "
	    "'pharos ping -h')\n"
	    "  reload        have pharosd load its configuration again; "
	    "errors are printed\n"
	    "  config list|diff A [B]|revert ID\n"
	    "                snapshots of the configurations pharosd loaded "
	    "(see\n"
	    "                'pharos config -h')\n"
	    "  graph HOST [SERVICE] -o FILE [--start -1d] [--template NAME] "
	    "...\n"
	    "                draw a PNG or SVG of the RRD data (see "
	    "'pharos graph -h')\n"
	    "  stats [--json]\n"
	    "                checks, latency and states, as nagiostats "
	    "tells them\n"
	    "  capacity ...  what fills up first, from RRD trends "
	    "('pharos capacity -h')\n"
	    "  traps [--host H] [--since T] [--oid O]\n"
	    "                the SNMP traps pharosd received "
	    "('pharos traps -h')\n"
	    "  route [-4|-6] HOST|ADDR...\n"
	    "                the kernel's route towards each target: "
	    "interface, gateway,\n"
	    "                source (see 'pharos route -h')\n"
	    "\n"
	    "exit status: 0 ok, 1 the daemon answered an error, 2 usage "
	    "error,\n"
	    "             3 cannot connect to the daemon\n",
	    PHAROS_DEFAULT_CFG, PHAROS_TIMEOUT_S);
}

int
pharos_usage_error(const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos: %s '%s'\n", what, arg);
	else
		fprintf(stderr, "pharos: %s\n", what);
	fprintf(stderr, "Try 'pharos --help'.\n");
	return PHAROS_EXIT_USAGE;
}

/* ---- untrusted text on a terminal ---- */

/* Display columns of a UTF-8 string: one per code point (a trade-off:
 * wide CJK characters count as one). */
size_t
pharos_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Print s with control characters (C0, DEL, C1) replaced: tabs and line
 * breaks by a space, others by '?'. At most max columns (SIZE_MAX: no
 * limit); when cut, the last three columns are "...". pad fills up to
 * pad columns with spaces. s is valid UTF-8 (jansson checked it). */
void
pharos_put(FILE *fp, const char *s, size_t max, size_t pad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0, w = pharos_width(s), keep, len;

	keep = w > max ? (max > 3 ? max - 3 : max) : w;
	while (*p != '\0' && cols < keep) {
		len = 1;
		if (*p >= 0xc0)
			while ((p[len] & 0xc0) == 0x80)
				len++;
		if (*p == '\t' || *p == '\n' || *p == '\r')
			fputc(' ', fp);
		else if (*p < 0x20 || *p == 0x7f ||
		         (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			fputc('?', fp);
		else
			fwrite(p, 1, len, fp);
		p += len;
		cols++;
	}
	if (keep < w && max > 3) {
		fputs("...", fp);
		cols += 3;
	}
	while (cols++ < pad)
		fputc(' ', fp);
}

/* ---- the main configuration file ---- */

/* Resolve value against the folder of the file at base. Caller frees. */
static char *
pharos_resolve(const char *base, const char *value)
{
	const char *slash = strrchr(base, '/');
	size_t dirlen, len;
	char *out;

	if (value[0] == '/' || slash == NULL)
		return strdup(value);
	dirlen = (size_t)(slash - base);
	len = dirlen + 1 + strlen(value) + 1;
	if ((out = malloc(len)) == NULL)
		return NULL;
	snprintf(out, len, "%.*s/%s", (int)dirlen, base, value);
	return out;
}

/* Find query_socket= in the main file at cfg; the last one counts. Sets
 * *out (caller frees). Returns 0 or -errno with err filled. */
static int
pharos_cfg_socket(const char *cfg, char **out, char *err, size_t errlen)
{
	char line[PHAROS_CFG_LINE], *p, *eq, *key, *val, *found = NULL;
	bool skipping = false, whole;
	unsigned long lineno = 0;
	FILE *fp;
	int rc = 0;

	*out = NULL;
	if ((fp = fopen(cfg, "re")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", cfg, strerror(-rc));
		return rc;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		whole = strchr(line, '\n') != NULL || feof(fp);
		if (skipping) { /* the rest of an overlong line */
			skipping = !whole;
			continue;
		}
		lineno++;
		if (!whole) {
			skipping = true;
			if (strncmp(strnum_trim(line), "query_socket", 12) ==
			    0) {
				snprintf(err, errlen, "%s:%lu: line too long",
				         cfg, lineno);
				rc = -ENAMETOOLONG;
				goto out;
			}
			continue;
		}
		p = strnum_trim(line);
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		key = strnum_trim(p);
		val = strnum_trim(eq + 1);
		if (strcmp(key, "query_socket") != 0)
			continue;
		if (*val == '\0') {
			snprintf(err, errlen, "%s:%lu: query_socket is empty",
			         cfg, lineno);
			rc = -EINVAL;
			goto out;
		}
		free(found);
		if ((found = pharos_resolve(cfg, val)) == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
	}
	if (ferror(fp)) {
		rc = -EIO;
		snprintf(err, errlen, "cannot read %s", cfg);
		goto out;
	}
	if (found == NULL) {
		snprintf(err, errlen, "%s sets no query_socket", cfg);
		rc = -ENOENT;
		goto out;
	}
	*out = found;
	found = NULL;
out:
	free(found);
	fclose(fp);
	return rc;
}

/* The socket path to use (caller frees), or an exit code. */
static int
pharos_socket_path(const struct pharos_opts *o, char **path)
{
	char err[512];

	if (o->sock != NULL) {
		if ((*path = strdup(o->sock)) == NULL)
			return pharos_usage_error("out of memory", NULL);
		return PHAROS_EXIT_OK;
	}
	if (pharos_cfg_socket(o->cfg != NULL ? o->cfg : PHAROS_DEFAULT_CFG,
	                      path, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos: %s\n", err);
		fprintf(stderr,
		        "pharos: name the main config with -c MAIN_CFG, or the "
		        "socket with -s SOCKET\n");
		return PHAROS_EXIT_USAGE;
	}
	return PHAROS_EXIT_OK;
}

/* ---- talking to the daemon ---- */

/* Send req (borrowed) and get the response (caller decrefs), or an exit
 * code after printing why. */
int
pharos_call(const struct pharos_opts *o, json_t *req, json_t **resp)
{
	char err[512], *path = NULL;
	int rc;

	*resp = NULL;
	if ((rc = pharos_socket_path(o, &path)) != PHAROS_EXIT_OK)
		return rc;
	if (query_call(path, req, o->timeout_ms, resp, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos: %s\n", err);
		fprintf(
		    stderr,
		    "pharos: check that pharosd is running and that %s is its "
		    "query_socket (see -c and -s)\n",
		    path);
		free(path);
		return PHAROS_EXIT_CONNECT;
	}
	free(path);
	return PHAROS_EXIT_OK;
}

/* 0 when resp says ok; else print the daemon's error and return 1, or 3
 * for a response that is not the protocol. */
int
pharos_check(json_t *resp)
{
	json_t *ok = json_object_get(resp, "ok");
	const char *msg;

	if (json_integer_value(json_object_get(resp, "v")) != 1 ||
	    !json_is_boolean(ok)) {
		fprintf(stderr,
		        "pharos: the daemon answered in an unknown protocol "
		        "version\n");
		return PHAROS_EXIT_CONNECT;
	}
	if (json_is_true(ok))
		return PHAROS_EXIT_OK;
	msg = json_string_value(json_object_get(resp, "error"));
	fputs("pharos: error: ", stderr);
	pharos_put(stderr, msg != NULL ? msg : "(no message)", SIZE_MAX, 0);
	fputc('\n', stderr);
	return PHAROS_EXIT_ERROR;
}

int
pharos_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "pharos: cannot write the output: %s\n",
		        strerror(errno));
		return PHAROS_EXIT_ERROR;
	}
	return PHAROS_EXIT_OK;
}

/* ---- raw ---- */

/* pharos cmd 'ACKNOWLEDGE_HOST_PROBLEM;core1;1;1;1;ops;fiber cut' */
static int
pharos_cmd(const struct pharos_opts *o, int argc, char **argv)
{
	json_t *req, *resp = NULL;
	int rc;

	if (argc != 2)
		return pharos_usage_error("cmd: give one command, e.g. "
		    "pharos cmd 'SCHEDULE_FORCED_HOST_CHECK;core1;0'", NULL);
	req = json_pack("{s:i, s:s, s:s}", "v", 1, "op", "command", "line",
	    argv[1]);
	if (req == NULL)
		return PHAROS_EXIT_ERROR;
	if ((rc = pharos_call(o, req, &resp)) == PHAROS_EXIT_OK)
		rc = pharos_check(resp);
	json_decref(resp);
	json_decref(req);
	return rc;
}

static int
pharos_raw(const struct pharos_opts *o, int argc, char **argv)
{
	json_error_t jerr;
	json_t *req, *resp = NULL;
	int rc;

	if (argc != 2)
		return pharos_usage_error(
		    "raw: give exactly one request, e.g. "
		    "pharos raw '{\"v\":1,\"op\":\"status\"}'",
		    NULL);
	req = json_loads(argv[1], JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	                 &jerr);
	if (req == NULL) {
		fprintf(stderr, "pharos: raw: not valid JSON: %s\n", jerr.text);
		return PHAROS_EXIT_USAGE;
	}
	if ((rc = pharos_call(o, req, &resp)) != PHAROS_EXIT_OK)
		goto out;
	if (json_dumpf(resp, stdout, JSON_COMPACT) != 0) {
		rc = PHAROS_EXIT_ERROR;
		goto out;
	}
	fputc('\n', stdout);
	if ((rc = pharos_flush()) == PHAROS_EXIT_OK)
		rc = pharos_check(resp);
out:
	json_decref(resp);
	json_decref(req);
	return rc;
}

/* How stats_cli.c asks the daemon (stats_cli_call_fn): arg is the
 * struct pharos_opts. */
static int
pharos_ask(void *arg, json_t *req, json_t **resp)
{
	int rc = pharos_call(arg, req, resp);

	return rc != PHAROS_EXIT_OK ? rc : pharos_check(*resp);
}

/* How pharos_config.c asks the daemon: the answer as it came. */
static int
pharos_ask_raw(void *arg, json_t *req, json_t **resp)
{
	return pharos_call(arg, req, resp);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct pharos_opts o = {NULL, NULL, PHAROS_TIMEOUT_S * 1000};
	const char *cmd;
	long secs;
	int ch;

	while ((ch = getopt_long(argc, argv, "+c:s:t:hV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'c':
			o.cfg = optarg;
			break;
		case 's':
			o.sock = optarg;
			break;
		case 't':
			if (strnum_long(optarg, 1, PHAROS_TIMEOUT_MAX,
			                      &secs) != 0)
				return pharos_usage_error(
				    "-t takes seconds from 1 to 3600, not",
				    optarg);
			o.timeout_ms = (int)secs * 1000;
			break;
		case 'h':
			pharos_usage(stdout);
			return pharos_flush();
		case 'V':
			printf("pharos %s\n", PACKAGE_VERSION);
			return pharos_flush();
		default:
			fprintf(stderr, "Try 'pharos --help'.\n");
			return PHAROS_EXIT_USAGE;
		}
	}
	if (o.cfg != NULL && o.sock != NULL)
		return pharos_usage_error("give -c or -s, not both", NULL);
	if (optind >= argc)
		return pharos_usage_error("no command given", NULL);

	cmd = argv[optind];
	if (strcmp(cmd, "ping") == 0) {
		/* ping parses its own options: restart getopt on its argv. */
		argc -= optind;
		argv += optind;
		optind = 0;
		return ping_main(argc, argv);
	}
	if (strcmp(cmd, "route") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return route_cli_main(argc, argv);
	}
	if (strcmp(cmd, "snmp") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return snmp_cli_main(argc, argv);
	}
	if (strcmp(cmd, "discover") == 0 || strcmp(cmd, "topology") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return cmd[0] == 'd' ? netdisc_discover_main(argc, argv)
		                     : netdisc_topology_main(argc, argv, o.cfg);
	}
	if (strcmp(cmd, "reload") == 0)
		return pharos_reload_main(argc - optind, argv + optind,
		                          pharos_ask_raw, &o);
	if (strcmp(cmd, "config") == 0)
		return pharos_config_main(argc - optind, argv + optind,
		                          o.cfg != NULL ? o.cfg
		                                        : PHAROS_DEFAULT_CFG,
		                          pharos_ask_raw, &o);
	if (strcmp(cmd, "graph") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return graph_cli_main(argc, argv, o.cfg);
	}
	if (strcmp(cmd, "log") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return logsearch_main(argc, argv, o.cfg);
	}
	if (strcmp(cmd, "status") == 0)
		return pharos_status(&o, argc - optind, argv + optind);
	if (strcmp(cmd, "raw") == 0)
		return pharos_raw(&o, argc - optind, argv + optind);
	if (strcmp(cmd, "cmd") == 0)
		return pharos_cmd(&o, argc - optind, argv + optind);
	if (strcmp(cmd, "capacity") == 0) {
		argc -= optind;
		argv += optind;
		optind = 0;
		return capacity_cli_main(argc, argv, o.cfg);
	}
	if (strcmp(cmd, "stats") == 0)
		return stats_cli_main(argc - optind, argv + optind,
		                      pharos_ask, &o);
	if (strcmp(cmd, "traps") == 0)
		return traps_cli_main(argc - optind, argv + optind,
		    pharos_ask, &o, (long long)time(NULL));
	if (strcmp(cmd, "help") == 0) {
		pharos_usage(stdout);
		return pharos_flush();
	}
	return pharos_usage_error("unknown command", cmd);
}
