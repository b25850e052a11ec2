/*
 * snmp_discover_cli: `pharos snmp discover`, one discovery (probes/
 * discover.h) of one agent with one profile, printed as Nagios service
 * definitions to paste into a configuration, or as JSON. With --cache FILE
 * the result is also stored in a discovery cache and what changed since
 * the last stored discovery of the host goes to stderr. With --config
 * FILE the argument is a host of that configuration: its address, its
 * snmp_* keys, its device_profile and the profile_dir are used.
 *
 * Output escapes: a value of a define block has ';' written "\;" (Nagios
 * reads ';' as a comment); descriptions and names are printable UTF-8
 * already (discover cleans them).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "discover.h"
#include "loop.h"
#include "profile.h"
#include "snmp.h"
#include "snmp_cli.h"

#ifndef PHAROS_PROFILEDIR
#define PHAROS_PROFILEDIR "/usr/local/share/pharos/profiles"
#endif

#define SDC_HOST_MAX 256

struct sdc {
	struct snmp_target t;
	const char *agent;
	char profile_dir[4096];
	char profile[PROFILE_NAME_MAX];
	const char *host;         /* -H */
	const char *tmpl;         /* -T */
	const char *cache;        /* --cache */
	const char *config;       /* --config: agent is a host name */
	bool profile_given, dir_given;
	bool json;
	struct discover_result *res;
};

static const char sdc_usage_text[] =
    "usage: pharos snmp discover [-v 1|2c|3] [-c COMMUNITY]\n"
    "         [-u USER -l LEVEL -a MD5|SHA|SHA-256 -A PASS -x DES|AES\n"
    "          -X PASS -e ENGINEID] [-r RETRIES] [-t SECONDS] [-Cr REPS]\n"
    "         [-P PROFILE] [-D PROFILE_DIR] [-H HOST_NAME] [-T TEMPLATE]\n"
    "         [--json] [--cache FILE] AGENT[:PORT]\n"
    "  Discover the services PROFILE (default generic; a name in\n"
    "  PROFILE_DIR, default " PHAROS_PROFILEDIR ", or a path\n"
    "  to a .cfg file) gives the agent, and print them as Nagios\n"
    "  `define service` blocks for HOST_NAME (default: the agent's\n"
    "  sysName) using TEMPLATE (default generic-service; '' for none), or\n"
    "  as JSON. --cache FILE stores the result in a discovery cache and\n"
    "  reports on stderr what changed since the last discovery.\n"
    "Exit: 0 discovered, 1 the agent failed (timeout, error), 2 usage or\n"
    "profile error.\n";

static int
sdc_usage(const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos snmp discover: %s: %s\n", what, arg);
	else
		fprintf(stderr, "pharos snmp discover: %s\n", what);
	fputs(sdc_usage_text, stderr);
	return SNMP_CLI_EXIT_USAGE;
}

/* -P: a name, or a path DIR/NAME.cfg (which then sets the directory). */
static int
sdc_profile_arg(struct sdc *s, const char *arg)
{
	const char *slash = strrchr(arg, '/');
	size_t n;

	if (slash == NULL) {
		if (strlen(arg) >= sizeof(s->profile))
			return -1;
		snprintf(s->profile, sizeof(s->profile), "%s", arg);
		return 0;
	}
	n = strlen(slash + 1);
	if (n <= 4 || strcmp(slash + 1 + n - 4, ".cfg") != 0 ||
	    n - 4 >= sizeof(s->profile) ||
	    (size_t)(slash - arg) >= sizeof(s->profile_dir))
		return -1;
	snprintf(s->profile, sizeof(s->profile), "%.*s", (int)(n - 4),
	    slash + 1);
	snprintf(s->profile_dir, sizeof(s->profile_dir), "%.*s",
	    slash == arg ? 1 : (int)(slash - arg), arg);
	return 0;
}

enum { SDC_OPT_JSON = 256, SDC_OPT_CACHE, SDC_OPT_CONFIG };

static int
sdc_opt(struct sdc *s, int ch, const char *arg, bool *profile_path)
{
	switch (ch) {
	case 'P':
		*profile_path = strchr(arg, '/') != NULL;
		return sdc_profile_arg(s, arg);
	case 'D':
		if (strlen(arg) >= sizeof(s->profile_dir))
			return -1;
		snprintf(s->profile_dir, sizeof(s->profile_dir), "%s", arg);
		return 0;
	case 'H':
		s->host = arg;
		return strlen(arg) > 0 && strlen(arg) < SDC_HOST_MAX ? 0 : -1;
	case 'T':
		s->tmpl = arg;
		return 0;
	case SDC_OPT_JSON:
		s->json = true;
		return 0;
	case SDC_OPT_CACHE:
		s->cache = arg;
		return 0;
	case SDC_OPT_CONFIG:
		s->config = arg;
		return 0;
	}
	return snmp_cli_target_opt(&s->t, ch, arg);
}

/* Returns -1 when parsed, else an exit code. */
static int
sdc_parse(int argc, char **argv, struct sdc *s)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, SDC_OPT_JSON },
		{ "cache", required_argument, NULL, SDC_OPT_CACHE },
		{ "config", required_argument, NULL, SDC_OPT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool profile_path = false, dir_given = false;
	char **args;
	int ch, n, rc;

	snmp_cli_target_defaults(&s->t);
	snprintf(s->profile, sizeof(s->profile), "generic");
	snprintf(s->profile_dir, sizeof(s->profile_dir), "%s",
	    PHAROS_PROFILEDIR);
	s->tmpl = "generic-service";
	rc = snmp_cli_glue_args(argc, argv, &s->t, &args, &n);
	if (rc == -EINVAL)
		return sdc_usage("bad -Cr", argv[n]);
	if (rc != 0)
		return SNMP_CLI_EXIT_USAGE;
	optind = 0;
	while ((ch = getopt_long(n, args, "v:c:u:l:a:A:x:X:e:r:t:C:P:D:H:T:h",
	    longopts, NULL)) != -1) {
		char o[3] = { '-', (char)ch, '\0' };

		if (ch == 'h') {
			free(args);
			fputs(sdc_usage_text, stdout);
			return SNMP_CLI_EXIT_OK;
		}
		if (ch == '?') {
			free(args);
			return sdc_usage("unknown option or missing argument",
			    NULL);
		}
		dir_given |= ch == 'D';
		s->profile_given |= ch == 'P';
		if (sdc_opt(s, ch, optarg, &profile_path) != 0) {
			free(args);
			return sdc_usage("bad value for option", ch < 256 ? o :
			    "--cache");
		}
	}
	/* args[0], "discover", is getopt's program name; then one agent */
	rc = optind + 1 == n ? -1 : sdc_usage(optind + 1 < n ?
	    "one agent only" : "no agent", NULL);
	if (rc < 0 && profile_path && dir_given)
		rc = sdc_usage("give -D or a path in -P, not both", NULL);
	if (rc < 0)
		s->agent = args[optind];
	s->dir_given = dir_given || profile_path;
	free(args);
	return rc;
}

/* Print v with ';' as "\;" (a define block's value). */
static void
sdc_put_value(const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == ';')
			putchar('\\');
		putchar(*v);
	}
}

static void
sdc_print_define(const struct sdc *s, const char *host,
    const struct discover_service *svc)
{
	fputs("define service {\n", stdout);
	if (s->tmpl[0] != '\0')
		printf("    use                     %s\n", s->tmpl);
	fputs("    host_name               ", stdout);
	sdc_put_value(host);
	fputs("\n    service_description     ", stdout);
	sdc_put_value(svc->description);
	fputs("\n    check_command           ", stdout);
	sdc_put_value(svc->check_command);
	printf("\n    ; from %s\n}\n\n", svc->origin);
}

/* The host_name: -H, else the agent's sysName when it is a plain name
 * (letters, digits, '.', '-', '_'), else the agent as typed. */
static const char *
sdc_host(const struct sdc *s)
{
	const char *n = s->res->sys_name;
	size_t len = strlen(n);

	if (s->host != NULL)
		return s->host;
	if (len > 0 && strspn(n, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == len)
		return n;
	return s->agent;
}

static void
sdc_print_nagios(const struct sdc *s)
{
	const struct discover_result *r = s->res;
	const char *host = sdc_host(s);
	int dlen = (int)strcspn(r->sys_descr, "\r\n?");

	printf("# pharos snmp discover %s, profile %s\n", s->agent, r->profile);
	printf("# sysName: %s\n# sysObjectID: %s\n# sysDescr: %.*s\n",
	    r->sys_name, r->sys_object_id, dlen > 100 ? 100 : dlen,
	    r->sys_descr);
	printf("# %zu services, %zu interfaces", r->nservices, r->nifaces);
	if (r->dropped > 0)
		printf(", %zu left out (description taken)", r->dropped);
	if (r->unnamed > 0)
		printf(", %zu rows named by index", r->unnamed);
	fputs("\n\n", stdout);
	for (size_t i = 0; i < r->nservices; i++)
		sdc_print_define(s, host, &r->services[i]);
}

static void
sdc_report_list(const char *what, const struct discover_service **v,
    size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "pharos snmp discover: %s: %s\n", what,
		    v[i]->description);
}

/* Store the result in the cache file; report the diff. */
static int
sdc_cache(const struct sdc *s)
{
	struct discover_cache *c = NULL;
	struct discover_diff d;
	const char *host = sdc_host(s);
	char err[1024];
	size_t dropped = 0;
	int rc;

	rc = discover_cache_load(s->cache, &c, &dropped, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "pharos snmp discover: %s\n", err);
		return SNMP_CLI_EXIT_USAGE;
	}
	if (dropped > 0)
		fprintf(stderr, "pharos snmp discover: %s: %zu bad host "
		    "entries dropped\n", s->cache, dropped);
	rc = discover_diff(discover_cache_get(c, host), s->res, &d);
	if (rc == 0) {
		fprintf(stderr, "pharos snmp discover: %s: host %s: %zu added, "
		    "%zu vanished, %zu changed\n", s->cache, host, d.nadded,
		    d.nvanished, d.nchanged);
		sdc_report_list("added", d.added, d.nadded);
		sdc_report_list("vanished", d.vanished, d.nvanished);
		sdc_report_list("changed", d.changed, d.nchanged);
		discover_diff_free(&d);
		rc = discover_cache_put(c, host, s->res);
	}
	if (rc == 0)
		rc = discover_cache_save(c, s->cache, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "%s: %s", s->cache, strerror(-rc));
	if (rc != 0)
		fprintf(stderr, "pharos snmp discover: %s\n", err);
	discover_cache_free(c);
	return rc == 0 ? SNMP_CLI_EXIT_OK : SNMP_CLI_EXIT_USAGE;
}

static void
sdc_done(struct discover_result *res, void *arg)
{
	struct sdc *s = arg;

	s->res = res;
}

/* Run the discovery to its end on a loop of our own. */
static int
sdc_run(struct sdc *s, const struct profile *prof, char *err, size_t errlen)
{
	struct loop *loop = NULL;
	struct snmp_poller *p = NULL;
	int rc;

	rc = loop_new(&loop);
	if (rc == 0)
		rc = snmp_poller_new(loop, NULL, &p);
	if (rc == 0)
		rc = discover_start(p, &s->t, prof, sdc_done, s, NULL, err,
		    errlen);
	else
		snprintf(err, errlen, "%s", strerror(-rc));
	while (rc == 0 && s->res == NULL) {
		rc = loop_run_once(loop, -1);
		if (rc < 0)
			snprintf(err, errlen, "event loop: %s", strerror(-rc));
		rc = rc < 0 ? rc : 0;
	}
	snmp_poller_free(p); /* a discovery still running ends here */
	loop_free(loop);
	return rc;
}

static int
sdc_output(struct sdc *s)
{
	const struct discover_result *r = s->res;
	char *json;

	if (s->json) {
		json = discover_result_json(r, sdc_host(s));
		if (json == NULL) {
			fputs("pharos snmp discover: out of memory\n",
			    stderr);
			return SNMP_CLI_EXIT_USAGE;
		}
		printf("%s\n", json);
		free(json);
	}
	if (r->status != DISCOVER_OK) {
		fflush(stdout);
		fprintf(stderr, "pharos snmp discover: %s: %s\n", s->agent,
		    r->error);
		return SNMP_CLI_EXIT_FAIL;
	}
	if (!s->json)
		sdc_print_nagios(s);
	fflush(stdout);
	return s->cache != NULL ? sdc_cache(s) : SNMP_CLI_EXIT_OK;
}

/* The host's address as a numeric literal (names resolved once). */
static int
sdc_numeric(const char *addr, char *out, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	int rc;

	if ((rc = getaddrinfo(addr, NULL, &hints, &ai)) != 0) {
		fprintf(stderr, "pharos snmp discover: %s: %s\n", addr,
		    gai_strerror(rc));
		return -1;
	}
	rc = getnameinfo(ai->ai_addr, ai->ai_addrlen, out, (socklen_t)len,
	    NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(ai);
	return rc == 0 ? 0 : -1;
}

/* --config: the target, profile and host name from the host's keys. */
static int
sdc_from_config(struct sdc *s, struct config **cfgp)
{
	const struct host *h = NULL;
	size_t i;

	if (conf_load(s->config, cfgp) != 0 || (*cfgp)->nerrors > 0) {
		if (*cfgp != NULL)
			conf_print_msgs(*cfgp, stderr);
		fprintf(stderr, "pharos snmp discover: cannot use %s (run "
		    "pharosd -v)\n", s->config);
		return SNMP_CLI_EXIT_USAGE;
	}
	for (i = 0; i < (*cfgp)->objects.nhosts && h == NULL; i++)
		if (strcmp((*cfgp)->objects.hosts[i]->name, s->agent) == 0)
			h = (*cfgp)->objects.hosts[i];
	if (h == NULL)
		return sdc_usage("no such host in the configuration", s->agent);
	if (h->snmp != NULL)
		s->t = *h->snmp;
	if (!s->profile_given && h->device_profile != NULL)
		snprintf(s->profile, sizeof(s->profile), "%s",
		    h->device_profile);
	if (!s->dir_given && (*cfgp)->profile_dir != NULL)
		snprintf(s->profile_dir, sizeof(s->profile_dir), "%s",
		    (*cfgp)->profile_dir);
	if (s->host == NULL)
		s->host = h->name;
	if (sdc_numeric(h->address, s->t.addr, sizeof(s->t.addr)) != 0)
		return SNMP_CLI_EXIT_FAIL;
	return -1;
}

int
snmp_discover_cli_main(int argc, char **argv)
{
	struct sdc s;
	struct config *cfg = NULL;
	struct profile *prof = NULL;
	char err[1024] = "";
	int rc;

	memset(&s, 0, sizeof(s));
	rc = sdc_parse(argc, argv, &s);
	if (rc >= 0)
		return rc;
	if (s.config != NULL) {
		rc = sdc_from_config(&s, &cfg);
		if (rc >= 0) {
			conf_free(cfg);
			return rc;
		}
	} else if (snmp_target_parse_addr(&s.t, s.agent) != 0)
		return sdc_usage("bad agent (a numeric address[:port])",
		    s.agent);
	if (profile_load(s.profile_dir, s.profile, &prof, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "pharos snmp discover: %s\n", err);
		conf_free(cfg);
		return SNMP_CLI_EXIT_USAGE;
	}
	rc = sdc_run(&s, prof, err, sizeof(err));
	if (rc != 0 || s.res == NULL) {
		fprintf(stderr, "pharos snmp discover: %s\n", err);
		rc = SNMP_CLI_EXIT_USAGE;
	} else {
		rc = sdc_output(&s);
	}
	discover_result_free(s.res);
	profile_free(prof);
	conf_free(cfg);
	return rc;
}
