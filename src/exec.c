/*
 * exec: one struct exec_job per running job, in a doubly linked list so
 * that exec_free() can abort them. A job ends in exactly one of two ways:
 * the prober's callback, or its deferred-result timer (for jobs that failed
 * before any prober took them). Either way exec_finish() unlinks it, calls
 * the submitter's callback once and frees it.
 *
 * The arguments of `snmp` and `snmp_if` checks are parsed once per
 * distinct command and arguments (struct exec_snmp_cache), not at every
 * run; the SNMP checks copy the parsed form when a run starts.
 */
#include "exec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arp.h"
#include "conf.h"
#include "icmp.h"
#include "icmp_check.h"
#include "log.h"
#include "loop.h"
#include "macro.h"
#include "plugin.h"
#include "remote.h"
#include "snmp.h"
#include "snmp_check.h"

struct exec_job {
	struct exec *ex;
	struct exec_job *prev, *next;
	check_done_fn *fn;
	void *arg;
	char *address;
	struct icmp_check_params icmp_params;
	struct icmp_probe *probe; /* while the ICMP prober has it */
	struct plugin_job *plugin; /* while the plugin runner has it */
	/* The parsed arguments: exec's cache entry (borrowed), or snmp_own
	 * when the cache could not take them. */
	const struct snmp_check_params *snmp_params;
	struct snmp_check_params *snmp_own;
	struct snmp_check_run *snmp; /* while the SNMP checks have it */
	struct remote_job *remote; /* while a remote poller has it */
	struct arp_probe *arp;     /* while the ARP prober has it */
	bool arp_fallback;         /* a host check with host_check_fallback arp */
	bool arp_tried;            /* the fallback ran (once per job) */
	struct loop_timer defer;  /* delivers a result computed up front */
	struct check_result res;
};

/* One parsed set of `snmp`/`snmp_if` arguments: the command name and the
 * $ARGn$ values as parsed (key: each NUL-terminated, a NULL argument as
 * "\001"), and the outcome (err set: the arguments are invalid). */
struct exec_snmp_parsed {
	uint64_t hash;
	char *key;
	size_t keylen;
	char *err;
	struct snmp_check_params p;
};

/* Parsed SNMP arguments by content, so that a check's arguments are parsed
 * once, not at every run: an open-addressing table (linear probing, a
 * power of two, at most half full) of at most EXEC_SNMP_CACHE_MAX
 * entries; past that, arguments are parsed per run as before. */
#define EXEC_SNMP_CACHE_MAX 4096
struct exec_snmp_cache {
	struct exec_snmp_parsed **slot;
	size_t size; /* 0 or a power of two */
	size_t n;
	uint64_t hits, misses;
};

struct exec {
	struct loop *loop;
	struct icmp *icmp;
	struct snmp_checks *snmp; /* NULL: SNMP checks are UNKNOWN */
	exec_self_fn *self;       /* pharos_self; NULL: UNKNOWN */
	void *self_arg;
	struct plugin_runner *plugins;
	struct remote *remote;    /* NULL: hosts with a poller are UNKNOWN */
	struct arp *arp;          /* NULL: arp checks are UNKNOWN */
	bool freeing;             /* no fallback probes while aborting */
	const struct config *cfg;
	const struct command **warned; /* commands with unknown macros */
	size_t nwarned;
	struct exec_job *jobs;
	struct exec_snmp_cache snmp_cache;
	struct exec_counters counters;
};

int
exec_new(struct loop *loop, struct icmp *icmp, struct snmp_checks *snmp,
    const struct config *cfg, struct exec **out)
{
	struct plugin_options po;
	struct exec *ex;
	int rc;

	ex = calloc(1, sizeof(*ex));
	if (ex == NULL)
		return -ENOMEM;
	plugin_options_default(&po);
	if ((rc = plugin_runner_new(loop, &po, &ex->plugins)) != 0) {
		free(ex);
		return rc;
	}
	ex->cfg = cfg;
	ex->loop = loop;
	ex->icmp = icmp;
	ex->snmp = snmp;
	*out = ex;
	return 0;
}

void
exec_set_self(struct exec *ex, exec_self_fn *fn, void *arg)
{
	ex->self = fn;
	ex->self_arg = arg;
}

const struct exec_counters *
exec_get_counters(const struct exec *ex)
{
	return &ex->counters;
}

const struct plugin_counters *
exec_get_plugin_counters(const struct exec *ex)
{
	return plugin_runner_counters(ex->plugins);
}

static bool exec_arp_fallback(struct exec_job *job);

static void
exec_finish(struct exec_job *job)
{
	struct exec *ex = job->ex;

	if (exec_arp_fallback(job))
		return; /* finished again when the ARP probe ends */
	if (job->prev != NULL)
		job->prev->next = job->next;
	else
		ex->jobs = job->next;
	if (job->next != NULL)
		job->next->prev = job->prev;
	loop_timer_stop(ex->loop, &job->defer);
	ex->counters.completed++;
	ex->counters.running--;

	job->res.end_ns = loop_clock();
	if (job->res.output == NULL)
		job->res.output = strdup("");
	job->fn(&job->res, job->arg);
	check_result_clear(&job->res);
	free(job->snmp_own);
	free(job->address);
	free(job);
}

static void
exec_deferred(struct loop *loop, struct loop_timer *t, void *arg)
{
	exec_finish(arg);
}

static void
exec_icmp_done(const struct icmp_result *r, void *arg)
{
	struct exec_job *job = arg;

	job->probe = NULL;
	icmp_check_result(&job->icmp_params, job->address, r, &job->res);
	exec_finish(job);
}

/* --- ARP: the `arp` check and host_check_fallback arp ------------------- */

void
exec_set_arp(struct exec *ex, struct arp *arp)
{
	ex->arp = arp;
}

/* The address as an ARP (IPv4) or neighbour solicitation (IPv6) target;
 * false when it is not a literal of either. */
static bool
exec_arp_target(const char *address, struct arp_request *req)
{
	if (inet_pton(AF_INET, address, &req->target) == 1) {
		req->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, address, &req->target6) == 1) {
		req->family = AF_INET6;
		return true;
	}
	return false;
}

static void
exec_arp_done(const struct arp_result *r, void *arg)
{
	struct exec_job *job = arg;

	job->arp = NULL;
	check_result_clear(&job->res);
	arp_check_result(job->address, r, &job->res);
	exec_finish(job);
}

static bool
exec_arp(struct exec *ex, struct exec_job *job, const struct check_job *cj)
{
	struct arp_request req = { .count = 0 };
	char err[256];
	int rc;

	if (arp_check_parse(cj->spec->args, cj->spec->nargs, &req.count, err,
	    sizeof(err)) != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN, "%s", err);
		return false;
	}
	if (!exec_arp_target(job->address, &req)) {
		check_result_set(&job->res, CHECK_UNKNOWN, "ARP UNKNOWN - %s: "
		    "ARP checks need an IPv4 or IPv6 address", job->address);
		return false;
	}
	if (ex->arp == NULL) {
		check_result_set(&job->res, CHECK_UNKNOWN, "ARP UNKNOWN - %s: "
		    "no ARP prober", job->address);
		return false;
	}
	rc = arp_probe_start(ex->arp, &req, exec_arp_done, job, &job->arp);
	if (rc != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN, "arp: cannot start "
		    "probe: %s", strerror(-rc));
		return false;
	}
	return true;
}

/* The fallback's end: a reply makes the host UP, saying why; otherwise
 * the failed result stands, with what ARP found. */
static void
exec_fallback_done(const struct arp_result *r, void *arg)
{
	struct exec_job *job = arg;
	struct check_result ar = { 0 };
	char buf[1024], *out;

	job->arp = NULL;
	arp_check_result(job->address, r, &ar);
	if (r->replies > 0) {
		snprintf(buf, sizeof(buf), "%s; the host check failed: %s",
		    ar.output, job->res.output != NULL ? job->res.output : "");
		free(job->res.perfdata);
		job->res.perfdata = ar.perfdata;
		ar.perfdata = NULL;
		job->res.code = CHECK_OK;
	} else
		snprintf(buf, sizeof(buf), "%s (%s)", job->res.output != NULL ?
		    job->res.output : "", r->err != 0 ? r->text :
		    "no ARP reply either");
	if ((out = strdup(buf)) != NULL) {
		free(job->res.output);
		job->res.output = out;
	}
	check_result_clear(&ar);
	exec_finish(job);
}

/* After a failed host check of a host with host_check_fallback arp:
 * start the ARP probe (once). True when it runs. */
static bool
exec_arp_fallback(struct exec_job *job)
{
	struct exec *ex = job->ex;
	struct arp_request req = { .count = 0 };

	if (!job->arp_fallback || job->arp_tried || ex->freeing ||
	    ex->arp == NULL || job->res.code < CHECK_CRITICAL ||
	    !exec_arp_target(job->address, &req))
		return false;
	job->arp_tried = true;
	return arp_probe_start(ex->arp, &req, exec_fallback_done, job,
	    &job->arp) == 0;
}

static void
exec_plugin_done(struct check_result *res, const struct plugin_info *info,
    void *arg)
{
	struct exec_job *job = arg;

	job->plugin = NULL;
	job->res.code = res->code;
	job->res.output = res->output;
	job->res.long_output = res->long_output;
	job->res.perfdata = res->perfdata;
	res->output = res->long_output = res->perfdata = NULL;
	exec_finish(job);
}

/* Unknown macros stay in the command line as written (as Nagios does);
 * say so once per command, not once per check. */
static void
exec_warn_unknown(struct exec *ex, const struct command *cmd,
    const struct macro_argv *av)
{
	const struct command **w;
	size_t i;

	for (i = 0; i < ex->nwarned; i++)
		if (ex->warned[i] == cmd)
			return;
	for (i = 0; i < av->nunknown; i++)
		log_warnx("command '%s': unknown macro %s left as written",
		    cmd->name, av->unknown[i]);
	w = realloc(ex->warned, (ex->nwarned + 1) * sizeof(*w));
	if (w == NULL)
		return;
	ex->warned = w;
	ex->warned[ex->nwarned++] = cmd;
}

/* Expand the command line and hand it to the plugin runner. $HOSTADDRESS$
 * is the address the scheduler probes (a resolved name, when it was one). */
static bool
exec_plugin(struct exec *ex, struct exec_job *job, const struct check_job *cj)
{
	const struct command *cmd = cj->spec->command;
	struct macro_var addr = { "HOSTADDRESS", cj->address, false };
	struct macro_ctx mc = {
		.host = cj->host,
		.service = cj->service,
		.spec = cj->spec,
		.user_macros = ex->cfg->user_macros,
		.nuser_macros = CONF_MAX_USER_MACROS,
		.vars = &addr,
		.nvars = 1,
	};
	struct macro_argv av;
	char err[256];
	int rc;

	if (macro_command(&mc, cmd->line, &av, err, sizeof(err)) != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN, "%s", err);
		return false;
	}
	if (av.nunknown > 0)
		exec_warn_unknown(ex, cmd, &av);
	rc = plugin_run(ex->plugins, av.argv, cj->timeout_ns, cj->host_check,
	    exec_plugin_done, job, &job->plugin);
	macro_argv_free(&av);
	if (rc != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN,
		    "cannot run plugin: %s", strerror(-rc));
		return false;
	}
	return true;
}

static void
exec_snmp_done(struct check_result *res, void *arg)
{
	struct exec_job *job = arg;

	job->snmp = NULL;
	job->res.code = res->code;
	job->res.output = res->output;
	job->res.long_output = res->long_output;
	job->res.perfdata = res->perfdata;
	res->output = res->long_output = res->perfdata = NULL;
	exec_finish(job);
}

/* FNV-1a over the key of (name, args) as struct exec_snmp_parsed keeps
 * it; *len gets the key's length. */
static uint64_t
exec_snmp_hash(const char *name, char *const *args, size_t nargs,
    size_t *len)
{
	uint64_t h = UINT64_C(14695981039346656037);
	const char *s;
	size_t i, n = 0;

	for (i = 0; i <= nargs; i++) {
		s = i == 0 ? name : args[i - 1] != NULL ? args[i - 1] : "\001";
		do {
			h ^= (unsigned char)*s;
			h *= UINT64_C(1099511628211);
			n++;
		} while (*s++ != '\0');
	}
	*len = n;
	return h;
}

static bool
exec_snmp_same(const struct exec_snmp_parsed *e, const char *name,
    char *const *args, size_t nargs)
{
	const char *k = e->key, *end = e->key + e->keylen, *s;
	size_t i, l;

	for (i = 0; i <= nargs; i++) {
		s = i == 0 ? name : args[i - 1] != NULL ? args[i - 1] : "\001";
		l = strlen(s) + 1;
		if ((size_t)(end - k) < l || memcmp(k, s, l) != 0)
			return false;
		k += l;
	}
	return k == end;
}

static void
exec_snmp_parsed_free(struct exec_snmp_parsed *e)
{
	if (e == NULL)
		return;
	free(e->key);
	free(e->err);
	free(e);
}

static void
exec_snmp_cache_free(struct exec_snmp_cache *c)
{
	size_t i;

	for (i = 0; i < c->size; i++)
		exec_snmp_parsed_free(c->slot[i]);
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

/* Double the table (or make the first one). Returns 0 or -ENOMEM. */
static int
exec_snmp_cache_grow(struct exec_snmp_cache *c)
{
	size_t size = c->size == 0 ? 64 : c->size * 2, i, j;
	struct exec_snmp_parsed **slot = calloc(size, sizeof(*slot));

	if (slot == NULL)
		return -ENOMEM;
	for (i = 0; i < c->size; i++) {
		if (c->slot[i] == NULL)
			continue;
		for (j = (size_t)c->slot[i]->hash & (size - 1);
		    slot[j] != NULL; j = (j + 1) & (size - 1))
			;
		slot[j] = c->slot[i];
	}
	free(c->slot);
	c->slot = slot;
	c->size = size;
	return 0;
}

/* The parsed arguments of cmd_name with args: from the cache, or parsed
 * now and kept. NULL when the cache cannot take them (full, no memory):
 * the caller parses on its own. */
static const struct exec_snmp_parsed *
exec_snmp_lookup(struct exec_snmp_cache *c, const char *cmd_name,
    char *const *args, size_t nargs)
{
	struct exec_snmp_parsed *e;
	size_t len, i;
	uint64_t h = exec_snmp_hash(cmd_name, args, nargs, &len);
	char err[512], *k;
	const char *s;

	for (i = c->size > 0 ? (size_t)h & (c->size - 1) : 0;
	    c->size > 0 && c->slot[i] != NULL; i = (i + 1) & (c->size - 1)) {
		if (c->slot[i]->hash == h &&
		    exec_snmp_same(c->slot[i], cmd_name, args, nargs)) {
			c->hits++;
			return c->slot[i];
		}
	}
	c->misses++;
	if (c->n >= EXEC_SNMP_CACHE_MAX || ((c->n + 1) * 2 > c->size &&
	    exec_snmp_cache_grow(c) != 0))
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->key = malloc(len)) == NULL) {
		free(e);
		return NULL;
	}
	e->hash = h;
	e->keylen = len;
	for (k = e->key, i = 0; i <= nargs; i++) {
		s = i == 0 ? cmd_name : args[i - 1] != NULL ? args[i - 1] :
		    "\001";
		memcpy(k, s, strlen(s) + 1);
		k += strlen(s) + 1;
	}
	if (snmp_check_parse(cmd_name, args, nargs, &e->p, err,
	    sizeof(err)) != 0 && (e->err = strdup(err)) == NULL) {
		exec_snmp_parsed_free(e);
		return NULL;
	}
	for (i = (size_t)h & (c->size - 1); c->slot[i] != NULL;
	    i = (i + 1) & (c->size - 1))
		;
	c->slot[i] = e;
	c->n++;
	return e;
}

/* job->snmp_params for cj: the cache's, else parsed into job->snmp_own.
 * Returns 0, or -1 with err filled (invalid arguments, no memory). */
static int
exec_snmp_params(struct exec *ex, struct exec_job *job,
    const struct check_job *cj, char *err, size_t errlen)
{
	const struct command *cmd = cj->spec->command;
	const struct exec_snmp_parsed *e;

	e = exec_snmp_lookup(&ex->snmp_cache, cmd->name, cj->spec->args,
	    cj->spec->nargs);
	if (e != NULL) {
		if (e->err != NULL) {
			snprintf(err, errlen, "%s", e->err);
			return -1;
		}
		job->snmp_params = &e->p;
		return 0;
	}
	if ((job->snmp_own = malloc(sizeof(*job->snmp_own))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (snmp_check_parse(cmd->name, cj->spec->args, cj->spec->nargs,
	    job->snmp_own, err, errlen) != 0)
		return -1;
	job->snmp_params = job->snmp_own;
	return 0;
}

/* The host's snmp_* settings (or v2c "public" on 161) at the address the
 * scheduler probes; rates are remembered per host and service. */
static bool
exec_snmp(struct exec *ex, struct exec_job *job, const struct check_job *cj)
{
	const struct command *cmd = cj->spec->command;
	struct snmp_target t;
	char key[1024], err[512];

	if (ex->snmp == NULL) {
		check_result_set(&job->res, CHECK_UNKNOWN,
		    "%s: SNMP is not available", cmd->name);
		return false;
	}
	if (cj->host->snmp != NULL)
		t = *cj->host->snmp;
	else {
		memset(&t, 0, sizeof(t));
		t.version = SNMP_V2C;
		t.retries = 1;
		snprintf(t.community, sizeof(t.community), "public");
	}
	if (snprintf(t.addr, sizeof(t.addr), "%s", cj->address) >=
	    (int)sizeof(t.addr)) {
		check_result_set(&job->res, CHECK_UNKNOWN,
		    "%s: address too long: %s", cmd->name, cj->address);
		return false;
	}
	snprintf(key, sizeof(key), "%s;%s", cj->host->name,
	    cj->service != NULL ? cj->service->description : "");
	if (exec_snmp_params(ex, job, cj, err, sizeof(err)) != 0 ||
	    snmp_check_start(ex->snmp, job->snmp_params, &t, key,
	    exec_snmp_done, job, &job->snmp, err, sizeof(err)) != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN, "%s: %s", cmd->name,
		    err);
		return false;
	}
	return true;
}

void
exec_set_remote(struct exec *ex, struct remote *remote)
{
	ex->remote = remote;
}

static void
exec_remote_done(void *arg, const char *poller,
    const struct jobwire_result *jr)
{
	struct exec_job *job = arg;

	job->remote = NULL;
	remote_job_result(poller, jr, &job->res);
	exec_finish(job);
}

/* A host with a poller: the check runs on a pharos-worker. */
static bool
exec_remote(struct exec *ex, struct exec_job *job, const struct check_job *cj)
{
	struct jobwire_job jj;
	char err[256];
	int rc;

	/* The poller is where the host is: no local ARP fallback. */
	job->arp_fallback = false;
	if (ex->remote == NULL) {
		remote_job_result(cj->host->poller, NULL, &job->res);
		return false;
	}
	if (remote_job_build(cj, ex->cfg, &jj, err, sizeof(err)) != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN, "%s", err);
		return false;
	}
	rc = remote_submit(ex->remote, cj->host->poller, &jj, cj->timeout_ns,
	    exec_remote_done, job, &job->remote);
	jobwire_job_clear(&jj);
	if (rc != 0) {
		check_result_set(&job->res, CHECK_UNKNOWN,
		    "cannot send the check to poller %s: %s",
		    cj->host->poller, strerror(-rc));
		return false;
	}
	return true;
}

/* Start the job on its prober; on failure fill job->res for deferred
 * delivery and return false. */
static bool
exec_start(struct exec *ex, struct exec_job *job, const struct check_job *cj)
{
	const struct command *cmd = cj->spec->command;
	struct icmp_request req;
	char err[256];
	int rc;

	if (cj->host->poller != NULL && cmd->builtin != BUILTIN_SELF)
		return exec_remote(ex, job, cj);
	switch (cmd->builtin) {
	case BUILTIN_ICMP:
		if (icmp_check_parse(cj->spec->args, cj->spec->nargs,
		    &job->icmp_params, err, sizeof(err)) != 0) {
			check_result_set(&job->res, CHECK_UNKNOWN, "%s", err);
			return false;
		}
		if (icmp_check_request(&job->icmp_params, cj->address, &req,
		    err, sizeof(err)) != 0) {
			check_result_set(&job->res, CHECK_UNKNOWN, "%s", err);
			return false;
		}
		rc = icmp_probe_start(ex->icmp, &req, exec_icmp_done, job,
		    &job->probe);
		if (rc != 0) {
			check_result_set(&job->res, CHECK_UNKNOWN,
			    "icmp: cannot start probe: %s", strerror(-rc));
			return false;
		}
		return true;
	case BUILTIN_SNMP:
	case BUILTIN_SNMP_IF:
		return exec_snmp(ex, job, cj);
	case BUILTIN_ARP:
		return exec_arp(ex, job, cj);
	case BUILTIN_SELF:
		/* Computed at once; delivered on the next pass as always. */
		if (ex->self != NULL)
			ex->self(ex->self_arg, cj, &job->res);
		else
			check_result_set(&job->res, CHECK_UNKNOWN,
			    "pharos_self: not available here");
		return false;
	case BUILTIN_NONE:
		break;
	}
	return exec_plugin(ex, job, cj);
}

int
exec_submit(struct exec *ex, const struct check_job *cj, check_done_fn *fn,
    void *arg)
{
	struct exec_job *job;

	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return -ENOMEM;
	job->address = strdup(cj->address != NULL ? cj->address : "");
	if (job->address == NULL) {
		free(job);
		return -ENOMEM;
	}
	job->ex = ex;
	job->fn = fn;
	job->arg = arg;
	/* Only where the monitor itself checks: a remote poller's LAN is
	 * not ours to ask. */
	job->arp_fallback = cj->host_check && cj->host != NULL &&
	    cj->host->check_fallback == HOST_FALLBACK_ARP &&
	    cj->host->poller == NULL;
	job->res.start_ns = loop_clock();
	job->res.start_time = (int64_t)time(NULL);
	loop_timer_init(&job->defer, exec_deferred, job);

	job->next = ex->jobs;
	if (ex->jobs != NULL)
		ex->jobs->prev = job;
	ex->jobs = job;
	ex->counters.submitted++;
	ex->counters.running++;

	if (!exec_start(ex, job, cj)) {
		if (loop_timer_start(ex->loop, &job->defer,
		    loop_now(ex->loop)) != 0) {
			/* Cannot defer: undo, the caller sees -ENOMEM. */
			if (job->next != NULL)
				job->next->prev = NULL;
			ex->jobs = job->next;
			ex->counters.submitted--;
			ex->counters.running--;
			check_result_clear(&job->res);
			free(job->address);
			free(job);
			return -ENOMEM;
		}
	}
	return 0;
}

/* A notification or event handler command: nobody waits for its result;
 * one that fails is logged with its output. */
static void
exec_command_done(struct check_result *res, const struct plugin_info *info,
    void *arg)
{
	if (res->code != CHECK_OK)
		log_warnx("command %s: %s", (const char *)arg,
		    res->output != NULL ? res->output : "");
	free(arg);
}

int
exec_command(struct exec *ex, char *const *argv, int64_t timeout_ns)
{
	char *name = strdup(argv[0]);
	int rc;

	if (name == NULL)
		return -ENOMEM;
	rc = plugin_run(ex->plugins, argv, timeout_ns, false,
	    exec_command_done, name, NULL);
	if (rc != 0)
		free(name);
	return rc;
}

void
exec_free(struct exec *ex)
{
	struct exec_job *job;

	if (ex == NULL)
		return;
	ex->freeing = true;
	while ((job = ex->jobs) != NULL) {
		if (job->arp != NULL) {
			arp_probe_cancel(ex->arp, job->arp); /* silent */
			job->arp = NULL;
			check_result_clear(&job->res);
			check_result_set(&job->res, CHECK_UNKNOWN,
			    "check aborted");
			exec_finish(job);
		} else if (job->probe != NULL)
			icmp_probe_cancel(ex->icmp, job->probe); /* finishes */
		else if (job->plugin != NULL)
			plugin_cancel(ex->plugins, job->plugin); /* finishes */
		else if (job->snmp != NULL) {
			snmp_check_cancel(ex->snmp, job->snmp); /* silent */
			job->snmp = NULL;
			check_result_set(&job->res, CHECK_UNKNOWN,
			    "check aborted");
			exec_finish(job);
		} else if (job->remote != NULL) {
			remote_cancel(ex->remote, job->remote); /* silent */
			job->remote = NULL;
			check_result_set(&job->res, CHECK_UNKNOWN,
			    "check aborted");
			exec_finish(job);
		}
		else
			exec_finish(job);
	}
	plugin_runner_free(ex->plugins); /* kills and reaps the cancelled */
	exec_snmp_cache_free(&ex->snmp_cache);
	free(ex->warned);
	free(ex);
}
