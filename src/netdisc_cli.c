/*
 * netdisc_cli: `pharos discover` and `pharos topology` (see netdisc_cli.h).
 *
 * discover, in order: sweep the ranges (netdisc_sweep), leaving out the
 * monitor's own addresses; the system GET and the address/MAC tables of
 * every answering address (netdisc_poll, NETDISC_SYSTEM); merge the
 * addresses of one device (same snmpEngineID and sysName, or an address
 * another device lists as its own: the lowest such address is the one
 * watched);
 * the evidence tables of each device (NETDISC_TABLES); classification;
 * the topology from the tables and the monitor's routes (netlink); the
 * object file. topology runs the same poll and inference on the hosts of
 * a configuration.
 *
 * Everything lives in one struct ndc per run; the device array is the
 * only large allocation and is freed at the end.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "conf.h"
#include "loop.h"
#include "netdisc.h"
#include "netdisc_cli.h"
#include "netdisc_out.h"
#include "netlink.h"
#include "snmp_cli.h"
#include "strnum.h"
#include "topology.h"
#include "topology_file.h"

#ifndef PHAROS_PROFILEDIR
#define PHAROS_PROFILEDIR "/usr/local/share/pharos/profiles"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define NDC_RANGES_MAX 64
#define NDC_DEFAULT_RATE 2000
#define NDC_DEFAULT_PING_MS 1000
#define NDC_DEFAULT_LIMIT_S 120

struct ndc {
	/* options */
	struct snmp_target t;
	const char *ranges[NDC_RANGES_MAX];
	size_t nranges;
	long rate, ping_ms, limit_s;
	const char *rules_path;
	const char *tmpl;
	const char *out_path;
	bool write;
	bool retries_given, timeout_given;
	/* the run */
	struct loop *loop;
	struct snmp_poller *poller;
	struct classify_rules *rules;
	struct netdisc_dev *dev;
	size_t ndev;
	long *rep;            /* dev[i] is the same device as dev[rep[i]] */
	struct topo *topo;
	unsigned route_fail;
};

static const char ndc_discover_usage[] =
    "usage: pharos discover RANGE... [-c COMMUNITY | --community C |\n"
    "         --v3 -u USER -l LEVEL -a MD5|SHA|SHA-256 -A PASS -x DES|AES\n"
    "         -X PASS] [-r RETRIES] [-t SECONDS] [--rate N]\n"
    "         [--ping-timeout MS] [--time-limit SECONDS] [--rules FILE]\n"
    "         [--template NAME] [-o FILE [--write]]\n"
    "  Sweep the RANGEs (A.B.C.D/LEN or X:Y::Z/LEN, a /16 or /112 at most\n"
    "  in all) with ICMP echo, and the silent addresses of the monitor's\n"
    "  own links with ARP or neighbour solicitation (as root), ask each\n"
    "  device over SNMP what it is, classify it (rules\n"
    "  in " PHAROS_PROFILEDIR "/classify.cfg), infer its parents\n"
    "  (LLDP, bridge and ARP tables, the monitor's routes) and print a\n"
    "  Nagios object file: hosts with addresses, device profiles, parents\n"
    "  and a hostgroup per class. With -o FILE it is written there; when\n"
    "  FILE exists, what changed is printed instead and FILE is replaced\n"
    "  only with --write.\n"
    "Exit: 0 done (FILE written or unchanged), 1 FILE differs and was not\n"
    "written, 2 usage or system error.\n";

static const char ndc_topology_usage[] =
    "usage: pharos topology [--config MAIN_CFG] [--save[=FILE]]\n"
    "         [-t SECONDS] [-r RETRIES] [--time-limit SECONDS]\n"
    "  Infer the parent of every host of the configuration from what the\n"
    "  monitor's routes and the hosts' SNMP agents (LLDP-MIB, bridge\n"
    "  forwarding and ARP tables) tell, and print the tree with the\n"
    "  evidence of each edge. --save writes it where `parents auto` reads\n"
    "  it (default: topology.dat next to state_retention_file).\n"
    "Exit: 0 done, 1 a configured parent differs from the inferred one,\n"
    "2 usage, configuration or system error.\n";

static int
ndc_usage(const char *text, const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos: %s: %s\n", what, arg);
	else if (what != NULL)
		fprintf(stderr, "pharos: %s\n", what);
	fputs(text, stderr);
	return NETDISC_EXIT_USAGE;
}

static void
ndc_free(struct ndc *c)
{
	size_t i;

	for (i = 0; i < c->ndev; i++)
		netdisc_dev_clear(&c->dev[i]);
	free(c->dev);
	free(c->rep);
	topo_free(c->topo);
	classify_free(c->rules);
	snmp_poller_free(c->poller);
	loop_free(c->loop);
}

static int
ndc_setup_loop(struct ndc *c)
{
	struct snmp_poller_opts po = {1, 256, 0};
	int rc;

	if ((rc = loop_new(&c->loop)) != 0 ||
	    (rc = snmp_poller_new(c->loop, &po, &c->poller)) != 0) {
		fprintf(stderr, "pharos: cannot start: %s\n", strerror(-rc));
		return rc;
	}
	return 0;
}

/* Is addr one of this machine's own addresses? */
static bool
ndc_local(const struct ifaddrs *ifs, const char *addr)
{
	char buf[NETDISC_ADDR_MAX];
	const struct ifaddrs *i;

	for (i = ifs; i != NULL; i = i->ifa_next) {
		const void *a;

		if (i->ifa_addr == NULL)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)
			    i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)
			    i->ifa_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(i->ifa_addr->sa_family, a, buf, sizeof(buf)) &&
		    strcmp(buf, addr) == 0)
			return true;
	}
	return false;
}

/* The topology of the devices polled. */
static int
ndc_build_topology(struct ndc *c)
{
	return netdisc_topology(c->dev, c->ndev, &c->topo, &c->route_fail);
}

/* --- discover ------------------------------------------------------------ */

/* A host name from sysName: letters, digits, '.', '-', '_'; else "". */
static void
ndc_name_from(char *dst, size_t len, const char *sysname)
{
	size_t n = strlen(sysname);

	dst[0] = '\0';
	if (n == 0 || n >= len || strspn(sysname,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    ".-_") != n)
		return;
	snprintf(dst, len, "%s", sysname);
}

static bool
ndc_name_taken(const struct ndc *c, size_t upto, const char *name)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (strcmp(c->dev[i].name, name) == 0)
			return true;
	return false;
}

/* Does device j list addr as its own? */
static bool
ndc_dev_has(const struct netdisc_dev *d, const char *addr)
{
	size_t i;

	if (strcmp(d->addr, addr) == 0)
		return true;
	for (i = 0; i < d->naddrs; i++)
		if (strcmp(d->addrs[i], addr) == 0)
			return true;
	return false;
}

/* Merge the addresses of one device, then name the representatives. */
static void
ndc_merge_and_name(struct ndc *c)
{
	size_t i, j;

	for (i = 0; i < c->ndev; i++)
		c->rep[i] = (long)i;
	/* SNMP devices: same engine ID, or listing each other's address. */
	for (i = 0; i < c->ndev; i++) {
		struct netdisc_dev *d = &c->dev[i];

		if (!d->snmp_ok)
			continue;
		for (j = 0; j < i; j++) {
			const struct netdisc_dev *e = &c->dev[j];

			if (!e->snmp_ok || c->rep[j] != (long)j)
				continue;
			/* cloned machines share an engine ID: the name
			 * must agree too */
			if ((d->engine_id[0] != '\0' &&
			    strcmp(d->engine_id, e->engine_id) == 0 &&
			    strcmp(d->sysname, e->sysname) == 0) ||
			    ndc_dev_has(e, d->addr) || ndc_dev_has(d, e->addr)) {
				c->rep[i] = (long)j;
				break;
			}
		}
	}
	/* Silent addresses that a device lists as its own. */
	for (i = 0; i < c->ndev; i++) {
		if (c->dev[i].snmp_ok)
			continue;
		for (j = 0; j < c->ndev; j++)
			if (c->dev[j].snmp_ok && c->rep[j] == (long)j &&
			    ndc_dev_has(&c->dev[j], c->dev[i].addr)) {
				c->rep[i] = (long)j;
				break;
			}
	}
	for (i = 0; i < c->ndev; i++) {
		struct netdisc_dev *d = &c->dev[i];
		char base[NETDISC_NAME_MAX];
		int k;

		if (c->rep[i] != (long)i)
			continue;
		ndc_name_from(base, sizeof(base) - 8, d->sysname);
		if (base[0] == '\0') {
			char *p;

			snprintf(base, sizeof(base), "host-%s", d->addr);
			for (p = base; *p != '\0'; p++)
				if (*p == '.' || *p == ':')
					*p = '-';
		}
		snprintf(d->name, sizeof(d->name), "%s", base);
		for (k = 2; ndc_name_taken(c, i, d->name) && k < 100000; k++)
			snprintf(d->name, sizeof(d->name), "%.*s-%d",
			    (int)sizeof(base) - 8, base, k);
	}
}

static bool
ndc_has_oid(const char *oid, void *arg)
{
	const struct netdisc_dev *d = ((void **)arg)[0];
	const struct classify_rules *r = ((void **)arg)[1];
	const char *const *oids;
	size_t i, n = classify_oids(r, &oids);

	for (i = 0; i < n && i < NETDISC_EXTRA_MAX; i++)
		if (strcmp(oids[i], oid) == 0)
			return d->has[i];
	return false;
}

/* Printable one-line alias from sysDescr (first line, at most 100). */
static void
ndc_alias(char *dst, size_t len, const char *descr)
{
	size_t n = strcspn(descr, "\r\n");

	if (n > 100)
		n = 100;
	snprintf(dst, len, "%.*s", (int)n, descr);
}

/* Fill one output host from device d. */
static void
ndc_host(struct ndc *c, const struct netdisc_dev *d, struct netdisc_host *h)
{
	struct classify_device cd = {d->sysobjectid, d->sysdescr, d->services,
	    ndc_has_oid, NULL};
	struct classify_result cr;
	struct topo_place p;
	const void *arg[2] = {d, c->rules};
	char why[256] = "";

	cd.arg = (void *)arg;
	memset(h, 0, sizeof(*h));
	snprintf(h->name, sizeof(h->name), "%s", d->name);
	snprintf(h->address, sizeof(h->address), "%s", d->addr);
	if (d->by_arp) /* it drops ICMP echo: its host check needs ARP */
		snprintf(h->fallback, sizeof(h->fallback), "arp");
	if (d->snmp_ok) {
		ndc_alias(h->alias, sizeof(h->alias), d->sysdescr);
		if (classify_match(c->rules, &cd, &cr) == 0) {
			snprintf(h->group, sizeof(h->group), "%s", cr.cls);
			snprintf(h->profile, sizeof(h->profile), "%s",
			    cr.profile);
			snprintf(why, sizeof(why), "class %s by %s:%u", cr.cls,
			    cr.file, cr.line);
		} else {
			snprintf(why, sizeof(why), "no classification rule "
			    "matched");
		}
	} else {
		snprintf(h->group, sizeof(h->group), "unmanaged");
		if (d->error[0] == '\0' ||
		    strcmp(d->error, "no SNMP answer") == 0)
			snprintf(why, sizeof(why), "no SNMP answer");
		else
			snprintf(why, sizeof(why), "no SNMP answer (%.200s)",
			    d->error);
	}
	if (topo_place_find(c->topo, d->name, &p) == 0 && p.placed) {
		if (p.parent != NULL)
			snprintf(h->parents, sizeof(h->parents), "%s", p.parent);
		snprintf(h->note, sizeof(h->note), "%s; parent by %s%s", why,
		    topo_ev_kind_name(p.kind), p.ambiguous ? " (ambiguous)" :
		    "");
	} else {
		snprintf(h->note, sizeof(h->note), "%s; no evidence of a parent",
		    why);
	}
	if (d->by_arp) {
		size_t l = strlen(h->note);

		snprintf(h->note + l, sizeof(h->note) - l, "; answers ARP, "
		    "not ICMP echo");
	}
}

/* The SNMP keys to write for every profiled host: none for the default
 * v2c "public". */
static char *
ndc_snmp_keys(const struct snmp_target *t)
{
	static const char *const auth[] = {"", "MD5", "SHA", "SHA-256"};
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	if (t->version == SNMP_V3) {
		/* the level follows from the passphrases given */
		fprintf(fp, "    %-20s3\n    %-20s%s\n", "snmp_version",
		    "snmp_v3_user", t->user);
		if (t->seclevel >= SNMP_AUTHNOPRIV)
			fprintf(fp, "    %-20s%s\n    %-20s%s\n",
			    "snmp_v3_auth_proto", auth[t->auth],
			    "snmp_v3_auth_pass", t->auth_pass);
		if (t->seclevel == SNMP_AUTHPRIV)
			fprintf(fp, "    %-20s%s\n    %-20s%s\n",
			    "snmp_v3_priv_proto",
			    t->priv == SNMP_PRIV_DES ? "DES" : "AES",
			    "snmp_v3_priv_pass", t->priv_pass);
	} else if (t->version == SNMP_V1 ||
	    strcmp(t->community, "public") != 0) {
		fprintf(fp, "    %-20s%s\n    %-20s%s\n", "snmp_version",
		    t->version == SNMP_V1 ? "1" : "2c", "snmp_community",
		    t->community);
	}
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

enum {
	NDC_OPT_COMMUNITY = 256, NDC_OPT_V3, NDC_OPT_RATE, NDC_OPT_PING,
	NDC_OPT_RULES, NDC_OPT_TEMPLATE, NDC_OPT_WRITE, NDC_OPT_LIMIT,
	NDC_OPT_CONFIG, NDC_OPT_SAVE,
};

static int
ndc_num(const char *arg, long min, long max, long *out)
{
	return strnum_long(arg, min, max, out) == 0 ? 0 : -1;
}

static int
ndc_parse_discover(struct ndc *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"community", required_argument, NULL, NDC_OPT_COMMUNITY},
		{"v3", no_argument, NULL, NDC_OPT_V3},
		{"rate", required_argument, NULL, NDC_OPT_RATE},
		{"ping-timeout", required_argument, NULL, NDC_OPT_PING},
		{"time-limit", required_argument, NULL, NDC_OPT_LIMIT},
		{"rules", required_argument, NULL, NDC_OPT_RULES},
		{"template", required_argument, NULL, NDC_OPT_TEMPLATE},
		{"write", no_argument, NULL, NDC_OPT_WRITE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "v:c:u:l:a:A:x:X:e:r:t:o:h",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(ndc_discover_usage, stdout);
			return NETDISC_EXIT_OK;
		case 'o':
			c->out_path = optarg;
			break;
		case NDC_OPT_COMMUNITY:
			if (snmp_cli_target_opt(&c->t, 'c', optarg) != 0)
				return ndc_usage(ndc_discover_usage,
				    "bad --community", NULL);
			break;
		case NDC_OPT_V3:
			c->t.version = SNMP_V3;
			break;
		case NDC_OPT_RATE:
			if (ndc_num(optarg, 1, 100000, &c->rate) != 0)
				return ndc_usage(ndc_discover_usage,
				    "--rate takes 1 to 100000 requests a "
				    "second, not", optarg);
			break;
		case NDC_OPT_PING:
			if (ndc_num(optarg, 1, 60000, &c->ping_ms) != 0)
				return ndc_usage(ndc_discover_usage,
				    "--ping-timeout takes 1 to 60000 ms, not",
				    optarg);
			break;
		case NDC_OPT_LIMIT:
			if (ndc_num(optarg, 1, 86400, &c->limit_s) != 0)
				return ndc_usage(ndc_discover_usage,
				    "--time-limit takes 1 to 86400 seconds, "
				    "not", optarg);
			break;
		case NDC_OPT_RULES:
			c->rules_path = optarg;
			break;
		case NDC_OPT_TEMPLATE:
			c->tmpl = optarg;
			break;
		case NDC_OPT_WRITE:
			c->write = true;
			break;
		case '?':
			return ndc_usage(ndc_discover_usage,
			    "unknown option or missing argument", NULL);
		default:
			c->retries_given |= ch == 'r';
			c->timeout_given |= ch == 't';
			if (snmp_cli_target_opt(&c->t, ch, optarg) != 0) {
				char o[3] = {'-', (char)ch, '\0'};

				return ndc_usage(ndc_discover_usage,
				    "bad value for option", o);
			}
		}
	}
	for (; optind < argc; optind++) {
		char err[256];

		if (c->nranges >= NDC_RANGES_MAX)
			return ndc_usage(ndc_discover_usage, "too many ranges",
			    NULL);
		if (netdisc_range_check(argv[optind], err, sizeof(err)) != 0)
			return ndc_usage(ndc_discover_usage, err, NULL);
		c->ranges[c->nranges++] = argv[optind];
	}
	if (c->nranges == 0)
		return ndc_usage(ndc_discover_usage, "no range given", NULL);
	if (c->write && c->out_path == NULL)
		return ndc_usage(ndc_discover_usage, "--write needs -o FILE",
		    NULL);
	if (c->t.version == SNMP_V3 && c->t.user[0] == '\0')
		return ndc_usage(ndc_discover_usage, "--v3 needs -u USER",
		    NULL);
	return -1;
}

/* Defaults common to both commands: one retry of one second. */
static void
ndc_defaults(struct ndc *c)
{
	memset(c, 0, sizeof(*c));
	snmp_cli_target_defaults(&c->t);
	c->rate = NDC_DEFAULT_RATE;
	c->ping_ms = NDC_DEFAULT_PING_MS;
	c->limit_s = NDC_DEFAULT_LIMIT_S;
	c->rules_path = PHAROS_PROFILEDIR "/classify.cfg";
}

static void
ndc_target_defaults(struct ndc *c)
{
	if (!c->retries_given)
		c->t.retries = 1;
	if (!c->timeout_given)
		c->t.timeout_ns = LOOP_NS_PER_SEC;
}

/* Write text to path atomically. */
static int
ndc_write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *fp;
	int rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fp = fopen(tmp, "we");
	if (fp == NULL)
		return -errno;
	if (fputs(text, fp) == EOF || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0)
		rc = -errno;
	if (fclose(fp) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static int
ndc_output(struct ndc *c, int argc, char **argv)
{
	struct netdisc_host *h, *old = NULL;
	size_t i, n = 0, nold = 0, ndiff;
	char header[2048], when[64], err[512], *keys, *text = NULL;
	size_t hl = 0, tl = 0;
	time_t now = time(NULL);
	struct tm tm;
	FILE *fp;
	int rc, a;

	h = calloc(c->ndev ? c->ndev : 1, sizeof(*h));
	if (h == NULL)
		return NETDISC_EXIT_USAGE;
	for (i = 0; i < c->ndev; i++)
		if (c->rep[i] == (long)i)
			ndc_host(c, &c->dev[i], &h[n++]);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	hl = (size_t)snprintf(header, sizeof(header),
	    "# Pharos hosts found by `pharos");
	for (a = 0; a < argc && hl < sizeof(header) - 200; a++)
		hl += (size_t)snprintf(header + hl, sizeof(header) - hl, " %s",
		    strcmp(argv[a], "-A") == 0 || strcmp(argv[a], "-X") == 0 ||
		    (a > 0 && (strcmp(argv[a - 1], "-A") == 0 ||
		    strcmp(argv[a - 1], "-X") == 0)) ? (argv[a][0] == '-' ?
		    argv[a] : "...") : argv[a]);
	snprintf(header + hl, sizeof(header) - hl,
	    "` on %s:\n# %zu devices. Classes from the rules in %s; parents "
	    "from\n# the evidence `pharos topology` prints. Edit freely; run "
	    "again to see\n# what changed.\n", when, n, c->rules_path);
	keys = ndc_snmp_keys(&c->t);
	fp = open_memstream(&text, &tl);
	if (fp == NULL || netdisc_out_write(fp, header, h, n, c->tmpl,
	    keys) != 0) {
		if (fp != NULL)
			fclose(fp);
		free(text);
		free(keys);
		free(h);
		fprintf(stderr, "pharos discover: out of memory\n");
		return NETDISC_EXIT_USAGE;
	}
	fclose(fp);
	free(keys);
	rc = NETDISC_EXIT_OK;
	if (c->out_path == NULL) {
		fputs(text, stdout);
		goto done;
	}
	a = netdisc_out_read(c->out_path, &old, &nold, err, sizeof(err));
	if (a != 0 && a != -ENOENT) {
		fprintf(stderr, "pharos discover: %s\n", err);
		rc = NETDISC_EXIT_USAGE;
		goto done;
	}
	if (a == 0) {
		ndiff = netdisc_out_diff(stdout, old, nold, h, n);
		if (ndiff == 0) {
			printf("%s: no change (%zu hosts)\n", c->out_path, n);
			goto done;
		}
		if (!c->write) {
			printf("%s: %zu host%s; not written (--write "
			    "replaces it)\n", c->out_path, ndiff,
			    ndiff == 1 ? " differs" : "s differ");
			rc = NETDISC_EXIT_DIFF;
			goto done;
		}
	}
	if ((a = ndc_write_file(c->out_path, text)) != 0) {
		fprintf(stderr, "pharos discover: %s: %s\n", c->out_path,
		    strerror(-a));
		rc = NETDISC_EXIT_USAGE;
		goto done;
	}
	printf("%s: written, %zu hosts\n", c->out_path, n);
done:
	free(old);
	free(text);
	free(h);
	return rc;
}

int
netdisc_discover_main(int argc, char **argv)
{
	struct ndc c;
	struct netdisc_alive *alive = NULL;
	struct netdisc_arp_stats arp;
	struct ifaddrs *ifs = NULL;
	const char *const *oids;
	size_t nalive = 0, i, noids, nicmp = 0;
	char err[512];
	int rc;

	ndc_defaults(&c);
	rc = ndc_parse_discover(&c, argc, argv);
	if (rc >= 0)
		return rc;
	ndc_target_defaults(&c);
	if (classify_load(c.rules_path, &c.rules, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos discover: %s\n", err);
		return NETDISC_EXIT_USAGE;
	}
	noids = classify_oids(c.rules, &oids);
	if (noids > NETDISC_EXTRA_MAX) {
		fprintf(stderr, "pharos discover: %s: more than %d has_oid "
		    "OIDs in all\n", c.rules_path, NETDISC_EXTRA_MAX);
		ndc_free(&c);
		return NETDISC_EXIT_USAGE;
	}
	rc = NETDISC_EXIT_USAGE;
	if (ndc_setup_loop(&c) != 0)
		goto out;
	if (netdisc_sweep(c.loop, c.ranges, c.nranges, (int)c.rate,
	    (int)c.ping_ms, &alive, &nalive, &arp, err, sizeof(err)) != 0) {
		fprintf(stderr, "pharos discover: sweep: %s\n", err);
		goto out;
	}
	c.dev = calloc(nalive ? nalive : 1, sizeof(*c.dev));
	c.rep = calloc(nalive ? nalive : 1, sizeof(*c.rep));
	if (c.dev == NULL || c.rep == NULL)
		goto out;
	if (getifaddrs(&ifs) != 0)
		ifs = NULL;
	for (i = 0; i < nalive; i++) {
		struct netdisc_dev *d = &c.dev[c.ndev];

		if (ndc_local(ifs, alive[i].addr))
			continue; /* the monitor itself */
		snprintf(d->addr, sizeof(d->addr), "%s", alive[i].addr);
		d->by_arp = alive[i].by_arp;
		nicmp += !d->by_arp;
		d->t = c.t;
		snprintf(d->t.addr, sizeof(d->t.addr), "%s", d->addr);
		c.ndev++;
	}
	if (ifs != NULL)
		freeifaddrs(ifs);
	fprintf(stderr, "pharos discover: %zu addresses answered ICMP\n",
	    nicmp);
	if (arp.candidates > 0 && arp.handles == 0)
		fprintf(stderr, "pharos discover: %zu silent addresses on the "
		    "monitor's own links not asked by ARP (capture handles "
		    "need root)\n", arp.candidates);
	else if (arp.candidates > 0)
		fprintf(stderr, "pharos discover: %zu more answered ARP/NDP only "
		    "(%zu silent addresses on the monitor's own links asked, "
		    "%zu routed elsewhere, %zu left at the time bound)\n",
		    c.ndev - nicmp, arp.asked - arp.skipped, arp.skipped,
		    arp.unfinished);
	if (netdisc_poll(c.loop, c.poller, c.dev, c.ndev, NETDISC_SYSTEM,
	    oids, noids, loop_clock() + c.limit_s * LOOP_NS_PER_SEC) != 0)
		goto out;
	ndc_merge_and_name(&c);
	for (i = 0; i < c.ndev; i++)
		if (c.rep[i] != (long)i)
			c.dev[i].snmp_ok = false; /* no second poll */
	if (netdisc_poll(c.loop, c.poller, c.dev, c.ndev, NETDISC_TABLES,
	    NULL, 0, loop_clock() + c.limit_s * LOOP_NS_PER_SEC) != 0)
		goto out;
	/* The merged addresses keep the device's data for nothing else. */
	for (i = 0; i < c.ndev; i++)
		if (c.rep[i] != (long)i)
			c.dev[i].name[0] = '\0';
	if (ndc_build_topology(&c) != 0) {
		fprintf(stderr, "pharos discover: out of memory\n");
		goto out;
	}
	rc = ndc_output(&c, argc, argv);
out:
	free(alive);
	ndc_free(&c);
	return rc;
}

/* --- topology ------------------------------------------------------------ */

static void
ndc_print_tree(const struct topo *t, const char *parent, unsigned depth,
    const struct config *cfg, unsigned *differ)
{
	struct topo_place p;
	size_t i, k;

	for (i = 0; i < topo_nhosts(t); i++) {
		const struct host *h = NULL;
		bool same = false;

		if (topo_place_get(t, i, &p) != 0 || !p.placed)
			continue;
		if ((parent == NULL) != (p.parent == NULL) ||
		    (parent != NULL && strcmp(parent, p.parent) != 0))
			continue;
		for (k = 0; k < cfg->objects.nhosts; k++)
			if (strcmp(cfg->objects.hosts[k]->name, p.name) == 0)
				h = cfg->objects.hosts[k];
		printf("%*s%s  [%s%s]", (int)depth * 2, "", p.name,
		    topo_ev_kind_name(p.kind),
		    p.ambiguous ? ", ambiguous" : "");
		if (h != NULL) {
			for (k = 0; k < h->nparents; k++)
				same |= p.parent != NULL &&
				    strcmp(h->parents[k]->name, p.parent) == 0;
			if (h->nparents == 0)
				same = p.parent == NULL;
			if (!same) {
				printf("  configured parents:");
				for (k = 0; k < h->nparents; k++)
					printf("%s%s", k ? "," : " ",
					    h->parents[k]->name);
				if (h->nparents == 0)
					printf(" none");
				(*differ)++;
			}
		}
		putchar('\n');
		for (k = 0; k < p.nev; k++)
			printf("%*s  = %s\n", (int)depth * 2, "", p.ev[k]);
		if (p.nev_total > p.nev)
			printf("%*s  = ... %zu more\n", (int)depth * 2, "",
			    p.nev_total - p.nev);
		if (p.ambiguous)
			printf("%*s  = just as good: %s\n", (int)depth * 2, "",
			    p.other ? p.other : TOPO_MONITOR);
		if (depth < 64)
			ndc_print_tree(t, p.name, depth + 1, cfg, differ);
	}
}

/* The default saved topology: next to state_retention_file, else next to
 * the main file. */
static void
ndc_default_save(const struct config *cfg, char *buf, size_t len)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", cfg->state_retention_file ?
	    cfg->state_retention_file : cfg->main_file);
	snprintf(buf, len, "%s/%s", dirname(tmp), TOPO_FILE_NAME);
}

/* The numeric address of a configured host (names resolved here). */
static int
ndc_host_addr(const char *a, char *out, size_t len)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(a, NULL, &hints, &res);
	if (rc != 0 || res == NULL)
		return -1;
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, out, (socklen_t)len,
	    NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	return rc == 0 ? 0 : -1;
}

int
netdisc_topology_main(int argc, char **argv, const char *cfg_path)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, NDC_OPT_CONFIG},
		{"save", optional_argument, NULL, NDC_OPT_SAVE},
		{"time-limit", required_argument, NULL, NDC_OPT_LIMIT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config *cfg = NULL;
	struct ndc c;
	struct topo_counters tc;
	char save[4096] = "", err[512];
	bool do_save = false;
	unsigned differ = 0, unplaced = 0;
	size_t i;
	int ch, rc = NETDISC_EXIT_USAGE;

	ndc_defaults(&c);
	while ((ch = getopt_long(argc, argv, "r:t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(ndc_topology_usage, stdout);
			return NETDISC_EXIT_OK;
		case NDC_OPT_CONFIG:
			cfg_path = optarg;
			break;
		case NDC_OPT_SAVE:
			do_save = true;
			if (optarg != NULL)
				snprintf(save, sizeof(save), "%s", optarg);
			break;
		case NDC_OPT_LIMIT:
			if (ndc_num(optarg, 1, 86400, &c.limit_s) != 0)
				return ndc_usage(ndc_topology_usage,
				    "--time-limit takes 1 to 86400 seconds, "
				    "not", optarg);
			break;
		case 'r':
		case 't':
			c.retries_given |= ch == 'r';
			c.timeout_given |= ch == 't';
			if (snmp_cli_target_opt(&c.t, ch, optarg) != 0)
				return ndc_usage(ndc_topology_usage,
				    "bad value for option", ch == 'r' ? "-r" :
				    "-t");
			break;
		default:
			return ndc_usage(ndc_topology_usage,
			    "unknown option or missing argument", NULL);
		}
	}
	if (optind < argc)
		return ndc_usage(ndc_topology_usage, "unexpected argument",
		    argv[optind]);
	ndc_target_defaults(&c);
	if (cfg_path == NULL)
		cfg_path = SYSCONFDIR "/pharos/pharos.cfg";
	if (conf_load(cfg_path, &cfg) != 0 || cfg == NULL) {
		fprintf(stderr, "pharos topology: out of memory\n");
		return NETDISC_EXIT_USAGE;
	}
	if (cfg->nerrors > 0) {
		for (i = 0; i < cfg->nmsgs; i++)
			if (cfg->msgs[i].level == CONF_ERROR)
				fprintf(stderr, "%s:%d: error: %s\n",
				    cfg->msgs[i].file ? cfg->msgs[i].file : "",
				    cfg->msgs[i].line, cfg->msgs[i].text);
		fprintf(stderr, "pharos topology: %s has errors\n", cfg_path);
		goto out;
	}
	if (ndc_setup_loop(&c) != 0)
		goto out;
	c.dev = calloc(cfg->objects.nhosts ? cfg->objects.nhosts : 1,
	    sizeof(*c.dev));
	if (c.dev == NULL)
		goto out;
	for (i = 0; i < cfg->objects.nhosts; i++) {
		const struct host *h = cfg->objects.hosts[i];
		struct netdisc_dev *d = &c.dev[c.ndev];

		if (ndc_host_addr(h->address, d->addr, sizeof(d->addr)) != 0) {
			fprintf(stderr, "pharos topology: %s: address %s does "
			    "not resolve; left out\n", h->name, h->address);
			continue;
		}
		d->t = h->snmp != NULL ? *h->snmp : c.t;
		if (h->snmp != NULL) {
			d->t.retries = c.t.retries;
			d->t.timeout_ns = c.t.timeout_ns;
		}
		snprintf(d->t.addr, sizeof(d->t.addr), "%s", d->addr);
		snprintf(d->name, sizeof(d->name), "%s", h->name);
		c.ndev++;
	}
	if (netdisc_poll(c.loop, c.poller, c.dev, c.ndev,
	    NETDISC_SYSTEM | NETDISC_TABLES, NULL, 0,
	    loop_clock() + c.limit_s * LOOP_NS_PER_SEC) != 0 ||
	    ndc_build_topology(&c) != 0) {
		fprintf(stderr, "pharos topology: failed\n");
		goto out;
	}
	printf("%s\n", TOPO_MONITOR);
	ndc_print_tree(c.topo, NULL, 1, cfg, &differ);
	for (i = 0; i < topo_nhosts(c.topo); i++) {
		struct topo_place p;

		if (topo_place_get(c.topo, i, &p) == 0 && !p.placed) {
			if (unplaced++ == 0)
				printf("no evidence:\n");
			printf("  %s\n", p.name);
		}
	}
	topo_counters(c.topo, &tc);
	printf("evidence: %llu rows, %llu used, %llu naming no host, %llu "
	    "about the reporter itself, %llu malformed\n",
	    (unsigned long long)tc.evidence, (unsigned long long)tc.used,
	    (unsigned long long)tc.unknown, (unsigned long long)tc.self,
	    (unsigned long long)tc.bad);
	for (i = 0; i < c.ndev; i++)
		if (!c.dev[i].snmp_ok)
			printf("no SNMP: %s (%s): %s\n", c.dev[i].name,
			    c.dev[i].addr, c.dev[i].error);
	if (do_save) {
		if (save[0] == '\0')
			ndc_default_save(cfg, save, sizeof(save));
		if (topo_file_save(save, c.topo, err, sizeof(err)) != 0) {
			fprintf(stderr, "pharos topology: %s\n", err);
			goto out;
		}
		printf("saved to %s\n", save);
	}
	rc = differ > 0 ? NETDISC_EXIT_DIFF : NETDISC_EXIT_OK;
out:
	conf_free(cfg);
	ndc_free(&c);
	return rc;
}
