/*
 * snmp_cli: `pharos snmp get|walk` on the SNMP poller.
 *
 * - One struct snmp_cli_agent per agent (command line or -f FILE), in one
 *   array: its target and its outcome. Every request is submitted at once;
 *   the poller runs them concurrently (one at a time per agent) and the
 *   loop runs until none is pending.
 * - Lines are printed as they arrive, in net-snmp's numeric rendering
 *   (the poller's snmp_vb.text), prefixed with "AGENT " when there are
 *   several agents. Errors go to stderr, once per failed request.
 * - Arguments: an argument that starts with '.' or does not parse as a
 *   numeric address is an OID; the others are agents (write OIDs with a
 *   leading dot to be unambiguous: 1.3.6.1 is also an IPv4 address). An
 *   OID that is not numeric is a MIB name (sysName.0, IF-MIB::ifDescr.2),
 *   made numeric by snmp_mib before anything is sent; only names make
 *   the process read MIB files.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "snmp_cli.h"

#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "snmp.h"
#include "snmp_mib.h"
#include "strnum.h"

#define SNMP_CLI_AGENTS_MAX 100000
#define SNMP_CLI_LINE_MAX 256
#define SNMP_CLI_MIB2 ".1.3.6.1.2.1"

struct snmp_cli_agent {
	struct snmp_target t;
	const char *name;   /* as typed; borrowed from argv or owned (file) */
	char *owned;
	bool failed;
};

struct snmp_cli {
	struct snmp_target base;
	bool walk;
	const char *file;
	struct snmp_cli_agent *agents;
	size_t nagents, cap;
	const char *oids[SNMP_GET_OIDS_MAX];
	char *oid_text[SNMP_GET_OIDS_MAX]; /* owned: oids[i] resolved */
	size_t noids;
	bool prefix;
};

static const char snmp_cli_usage_text[] =
    "usage: pharos snmp get|walk [-v 1|2c|3] [-c COMMUNITY]\n"
    "         [-u USER -l noAuthNoPriv|authNoPriv|authPriv\n"
    "          -a MD5|SHA|SHA-256 -A PASS -x DES|AES -X PASS -e ENGINEID]\n"
    "         [-r RETRIES] [-t SECONDS] [-Cr REPETITIONS] [-f FILE]\n"
    "         AGENT[:PORT]... [OID...]\n"
    "       OID: numeric (.1.3.6.1.2.1.1.5.0) or a MIB name (sysName.0,\n"
    "         IF-MIB::ifDescr.2)\n"
    "       pharos snmp discover [options] [-P PROFILE] [-D DIR] [--json]\n"
    "         AGENT[:PORT]   (see pharos snmp discover -h)\n"
    "  get   GET the OIDs from the agent(s)\n"
    "  walk  walk the subtree under OID (default .1.3.6.1.2.1) of every\n"
    "        agent concurrently (GETBULK; GETNEXT with -v 1)\n"
    "Output as snmpget -On / snmpbulkwalk -On, \"AGENT \" first when\n"
    "there are several agents. Exit: 0 ok, 1 some agent failed, 2 usage.\n";

static int
snmp_cli_usage(const char *what, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "pharos snmp: %s: %s\n", what, arg);
	else
		fprintf(stderr, "pharos snmp: %s\n", what);
	fputs(snmp_cli_usage_text, stderr);
	return SNMP_CLI_EXIT_USAGE;
}

static int
snmp_cli_add_agent(struct snmp_cli *c, const char *name, char *owned)
{
	struct snmp_cli_agent *a;

	if (c->nagents == c->cap) {
		size_t ncap = c->cap == 0 ? 16 : c->cap * 2;
		struct snmp_cli_agent *n;

		if (c->nagents >= SNMP_CLI_AGENTS_MAX)
			return -E2BIG;
		n = realloc(c->agents, ncap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		c->agents = n;
		c->cap = ncap;
	}
	a = &c->agents[c->nagents];
	memset(a, 0, sizeof(*a));
	a->t = c->base;
	if (snmp_target_parse_addr(&a->t, name) != 0)
		return -EINVAL;
	a->name = name;
	a->owned = owned;
	c->nagents++;
	return 0;
}

/* Read agents from path, one per line; '#' starts a comment. */
static int
snmp_cli_read_file(struct snmp_cli *c, const char *path)
{
	char line[SNMP_CLI_LINE_MAX + 2];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL) {
		fprintf(stderr, "pharos snmp: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e, *dup;

		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "pharos snmp: %s: line too long\n", path);
			rc = -EINVAL;
			break;
		}
		s[strcspn(s, "#\r\n")] = '\0';
		s += strspn(s, " \t");
		e = s + strcspn(s, " \t");
		*e = '\0';
		if (*s == '\0')
			continue;
		dup = strdup(s);
		if (dup == NULL) {
			rc = -ENOMEM;
			break;
		}
		rc = snmp_cli_add_agent(c, dup, dup);
		if (rc != 0) {
			fprintf(stderr, "pharos snmp: %s: bad agent %s\n", path,
			    dup);
			free(dup);
			break;
		}
	}
	fclose(f);
	return rc;
}

static int
snmp_cli_str(char *dst, size_t len, const char *arg)
{
	if (strlen(arg) >= len)
		return -1;
	memcpy(dst, arg, strlen(arg) + 1);
	return 0;
}

int
snmp_cli_target_opt(struct snmp_target *t, int ch, const char *arg)
{
	long v;

	switch (ch) {
	case 'c':
		return snmp_cli_str(t->community, sizeof(t->community), arg);
	case 'u':
		return snmp_cli_str(t->user, sizeof(t->user), arg);
	case 'A':
		return snmp_cli_str(t->auth_pass, sizeof(t->auth_pass), arg);
	case 'X':
		return snmp_cli_str(t->priv_pass, sizeof(t->priv_pass), arg);
	case 'e':
		return snmp_cli_str(t->engine_id, sizeof(t->engine_id), arg);
	case 'v':
		if (strcmp(arg, "1") == 0)
			t->version = SNMP_V1;
		else if (strcmp(arg, "2c") == 0)
			t->version = SNMP_V2C;
		else if (strcmp(arg, "3") == 0)
			t->version = SNMP_V3;
		else
			return -1;
		return 0;
	case 'l':
		if (strcasecmp(arg, "noAuthNoPriv") == 0)
			t->seclevel = SNMP_NOAUTH;
		else if (strcasecmp(arg, "authNoPriv") == 0)
			t->seclevel = SNMP_AUTHNOPRIV;
		else if (strcasecmp(arg, "authPriv") == 0)
			t->seclevel = SNMP_AUTHPRIV;
		else
			return -1;
		return 0;
	case 'a':
		if (strcasecmp(arg, "MD5") == 0)
			t->auth = SNMP_AUTH_MD5;
		else if (strcasecmp(arg, "SHA") == 0)
			t->auth = SNMP_AUTH_SHA;
		else if (strcasecmp(arg, "SHA-256") == 0)
			t->auth = SNMP_AUTH_SHA256;
		else
			return -1;
		return 0;
	case 'x':
		if (strcasecmp(arg, "DES") == 0)
			t->priv = SNMP_PRIV_DES;
		else if (strcasecmp(arg, "AES") == 0 ||
		    strcasecmp(arg, "AES128") == 0)
			t->priv = SNMP_PRIV_AES;
		else
			return -1;
		return 0;
	case 'r':
		if (strnum_long(arg, 0, 20, &v) != 0)
			return -1;
		t->retries = (int)v;
		return 0;
	case 'C':
		if (arg[0] != 'r' || strnum_long(arg + 1, 1, 1000, &v) != 0)
			return -1;
		t->bulk_reps = (int)v;
		return 0;
	case 't': {
		char *end;
		double d;

		errno = 0;
		d = strtod(arg, &end);
		if (errno != 0 || end == arg || *end != '\0' || !(d > 0) ||
		    d > 3600)
			return -1;
		t->timeout_ns = (int64_t)(d * (double)LOOP_NS_PER_SEC);
		return 0;
	}
	}
	return -1;
}

void
snmp_cli_target_defaults(struct snmp_target *t)
{
	memset(t, 0, sizeof(*t));
	t->version = SNMP_V2C;
	snprintf(t->community, sizeof(t->community), "public");
	t->retries = 5;
}

int
snmp_cli_glue_args(int argc, char **argv, struct snmp_target *t,
    char ***out, int *nout)
{
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	int n = 0;
	long reps;

	*out = NULL;
	if (args == NULL)
		return -ENOMEM;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-Cr") == 0 && i + 1 < argc) {
			if (strnum_long(argv[i + 1], 1, 1000, &reps) != 0) {
				free(args);
				*nout = i + 1;
				return -EINVAL;
			}
			t->bulk_reps = (int)reps;
			i++;
			continue;
		}
		args[n++] = argv[i];
	}
	*out = args;
	*nout = n;
	return 0;
}

/* Returns -1 when parsed, else an exit code. */
static int
snmp_cli_parse(int argc, char **argv, struct snmp_cli *c, char ***pos,
    int *npos)
{
	struct snmp_target *t = &c->base;
	char **args;
	int ch, n = 0, rc;

	snmp_cli_target_defaults(t);
	if (argc < 2)
		return snmp_cli_usage("give get or walk", NULL);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(snmp_cli_usage_text, stdout);
		return SNMP_CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "walk") == 0)
		c->walk = true;
	else if (strcmp(argv[1], "get") != 0)
		return snmp_cli_usage("unknown command", argv[1]);
	/* glue "-Cr" "N" into "-CrN" so getopt sees one argument */
	rc = snmp_cli_glue_args(argc, argv, t, &args, &n);
	if (rc == -EINVAL)
		return snmp_cli_usage("bad -Cr", argv[n]);
	if (rc != 0)
		return SNMP_CLI_EXIT_USAGE;
	optind = 0;
	while ((ch = getopt(n, args, "v:c:u:l:a:A:x:X:e:r:t:C:f:h")) != -1) {
		rc = 0;
		switch (ch) {
		case 'f':
			c->file = optarg;
			break;
		case 'h':
			free(args);
			fputs(snmp_cli_usage_text, stdout);
			return SNMP_CLI_EXIT_OK;
		case '?':
			free(args);
			return snmp_cli_usage("unknown option or missing "
			    "argument", NULL);
		default:
			rc = snmp_cli_target_opt(t, ch, optarg);
			break;
		}
		if (rc != 0) {
			char o[3] = { '-', (char)ch, '\0' };

			free(args);
			return snmp_cli_usage("bad value for option", o);
		}
	}
	/* the positional arguments, in order (getopt moved them last) */
	*npos = n - optind;
	memmove(args, args + optind, (size_t)*npos * sizeof(*args));
	*pos = args; /* caller frees */
	return -1;
}

struct snmp_cli_ctx {
	struct snmp_cli *c;
	struct snmp_cli_agent *a;
};

/* net-snmp reads every packet into a fresh 64 KiB buffer and frees it:
 * with glibc's default trim threshold the heap top goes back to the
 * kernel and is faulted in again, thousands of times a second. This
 * short-lived process keeps it instead (a few MiB at most). Here only,
 * not in the library: the daemon keeps the defaults. */
static void
snmp_cli_malloc_tune(void)
{
#if defined(__GLIBC__) && defined(M_TRIM_THRESHOLD) && defined(M_TOP_PAD)
	(void)mallopt(M_TRIM_THRESHOLD, 8 << 20);
	(void)mallopt(M_TOP_PAD, 1 << 20);
#endif
}

static void
snmp_cli_print(const struct snmp_cli_ctx *x, const struct snmp_vb *vbs,
    size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (x->c->prefix)
			printf("%s %s\n", x->a->name, vbs[i].text);
		else
			printf("%s\n", vbs[i].text);
	}
}

static void
snmp_cli_each(const struct snmp_vb *vbs, size_t n, void *arg)
{
	snmp_cli_print(arg, vbs, n);
}

static void
snmp_cli_done(const struct snmp_result *res, void *arg)
{
	struct snmp_cli_ctx *x = arg;

	if (res->status != SNMP_OK) {
		x->a->failed = true;
		fflush(stdout);
		fprintf(stderr, "pharos snmp: %s\n", res->error);
		return;
	}
	snmp_cli_print(x, res->vbs, res->nvbs);
}

static bool
snmp_cli_is_oid(const char *s)
{
	struct snmp_target t;

	return s[0] == '.' || snmp_target_parse_addr(&t, s) != 0;
}

int
snmp_cli_main(int argc, char **argv)
{
	struct snmp_cli c;
	struct snmp_cli_ctx *ctx = NULL;
	struct loop *loop = NULL;
	struct snmp_poller *p = NULL;
	char **pos = NULL, err[512] = "";
	int npos = 0, rc, ret;
	size_t i;

	if (argc >= 2 && strcmp(argv[1], "discover") == 0)
		return snmp_discover_cli_main(argc, argv);
	memset(&c, 0, sizeof(c));
	rc = snmp_cli_parse(argc, argv, &c, &pos, &npos);
	if (rc >= 0)
		return rc;
	rc = SNMP_CLI_EXIT_USAGE;
	if (c.file != NULL && snmp_cli_read_file(&c, c.file) != 0)
		goto out;
	for (int k = 0; k < npos; k++) {
		bool agent = !snmp_cli_is_oid(pos[k]);

		/* get: the first argument is the agent unless -f gave them */
		if (!c.walk)
			agent = c.file == NULL && k == 0;
		if (agent) {
			if (snmp_cli_add_agent(&c, pos[k], NULL) != 0) {
				rc = snmp_cli_usage("bad agent", pos[k]);
				goto out;
			}
		} else if (c.noids == SNMP_GET_OIDS_MAX ||
		    (c.walk && c.noids == 1)) {
			rc = snmp_cli_usage("too many OIDs", pos[k]);
			goto out;
		} else {
			char num[SNMP_MIB_TEXT_MAX];

			/* numeric, or a MIB name: numeric text */
			if (snmp_mib_resolve(pos[k], num, sizeof(num), err,
			    sizeof(err)) != 0)
				goto out;
			c.oid_text[c.noids] = strdup(num);
			if (c.oid_text[c.noids] == NULL)
				goto out;
			c.oids[c.noids] = c.oid_text[c.noids];
			c.noids++;
		}
	}
	if (c.nagents == 0) {
		rc = snmp_cli_usage("no agent", NULL);
		goto out;
	}
	if (c.walk && c.noids == 0)
		c.oids[c.noids++] = SNMP_CLI_MIB2;
	if (c.noids == 0) {
		rc = snmp_cli_usage("no OID to get", NULL);
		goto out;
	}
	c.prefix = c.nagents > 1;
	snmp_cli_malloc_tune();
	ctx = calloc(c.nagents, sizeof(*ctx));
	if (ctx == NULL)
		goto out;
	ret = loop_new(&loop);
	if (ret == 0)
		ret = snmp_poller_new(loop, NULL, &p);
	if (ret != 0) {
		snprintf(err, sizeof(err), "%s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < c.nagents; i++) {
		ctx[i].c = &c;
		ctx[i].a = &c.agents[i];
		if (c.walk)
			ret = snmp_walk(p, &c.agents[i].t, c.oids[0],
			    snmp_cli_each, snmp_cli_done, &ctx[i], NULL, err,
			    sizeof(err));
		else
			ret = snmp_get(p, &c.agents[i].t, c.oids, c.noids,
			    snmp_cli_done, &ctx[i], NULL, err, sizeof(err));
		if (ret != 0) {
			/* earlier requests are aborted by snmp_poller_free */
			rc = ret == -EINVAL ? snmp_cli_usage(err, NULL) : rc;
			err[0] = ret == -EINVAL ? '\0' : err[0];
			goto out;
		}
	}
	while (snmp_poller_pending(p) > 0) {
		ret = loop_run_once(loop, -1);
		if (ret < 0) {
			snprintf(err, sizeof(err), "event loop: %s",
			    strerror(-ret));
			goto out;
		}
	}
	rc = SNMP_CLI_EXIT_OK;
	for (i = 0; i < c.nagents; i++)
		if (c.agents[i].failed)
			rc = SNMP_CLI_EXIT_FAIL;
out:
	fflush(stdout);
	if (err[0] != '\0')
		fprintf(stderr, "pharos snmp: %s\n", err);
	snmp_poller_free(p);
	loop_free(loop);
	free(ctx);
	for (i = 0; i < c.nagents; i++)
		free(c.agents[i].owned);
	free(c.agents);
	for (i = 0; i < c.noids; i++)
		free(c.oid_text[i]);
	free(pos);
	return rc;
}
