/*
 * remote_job: between the narrow waist (struct check_job, struct
 * check_result) and the wire (struct jobwire_job, struct jobwire_result).
 * Plugin command lines are expanded on the monitor, where the objects and
 * $USERn$ macros are: a worker needs no configuration but its key.
 */
#include "remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "macro.h"
#include "objects.h"

static int
remote_job_strv(char *const *src, size_t n, char ***out, size_t *nout)
{
	size_t i;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if ((*out = calloc(n, sizeof(char *))) == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (((*out)[i] = strdup(src[i])) == NULL)
			return -ENOMEM;
		(*nout)++;
	}
	return 0;
}

static int
remote_job_plugin(const struct check_job *cj, const struct config *cfg,
    struct jobwire_job *out, char *err, size_t errlen)
{
	struct macro_var addr = { "HOSTADDRESS", cj->address, false };
	struct macro_ctx mc = {
		.host = cj->host,
		.service = cj->service,
		.spec = cj->spec,
		.user_macros = cfg->user_macros,
		.nuser_macros = CONF_MAX_USER_MACROS,
		.vars = &addr,
		.nvars = 1,
	};
	struct macro_argv av;
	int rc;

	if (macro_command(&mc, cj->spec->command->line, &av, err, errlen) !=
	    0)
		return -EINVAL;
	if (av.argc == 0 || av.argc > JOBWIRE_MAX_ARGS ||
	    av.argv[0][0] != '/') {
		snprintf(err, errlen, "command '%s': a remote plugin needs an "
		    "absolute path and at most %d arguments",
		    cj->spec->command->name, JOBWIRE_MAX_ARGS);
		macro_argv_free(&av);
		return -EINVAL;
	}
	rc = remote_job_strv(av.argv, av.argc, &out->argv, &out->nargv);
	macro_argv_free(&av);
	return rc;
}

int
remote_job_build(const struct check_job *cj, const struct config *cfg,
    struct jobwire_job *out, char *err, size_t errlen)
{
	const struct command *cmd = cj->spec->command;
	const char *kind;
	int rc;

	memset(out, 0, sizeof(*out));
	switch (cmd->builtin) {
	case BUILTIN_ICMP:
		kind = "icmp";
		break;
	case BUILTIN_SNMP:
		kind = "snmp";
		break;
	case BUILTIN_SNMP_IF:
		kind = "snmp_if";
		break;
	case BUILTIN_ARP:
		kind = "arp";
		break;
	case BUILTIN_NONE:
		kind = "plugin";
		break;
	default:
		snprintf(err, errlen, "%s: not a check a poller runs",
		    cmd->name);
		return -EINVAL;
	}
	if (cj->spec->nargs > JOBWIRE_MAX_ARGS) {
		snprintf(err, errlen, "%s: too many arguments for a poller",
		    cmd->name);
		return -EINVAL;
	}
	rc = -ENOMEM;
	if ((out->kind = strdup(kind)) == NULL ||
	    (out->host = strdup(cj->host->name)) == NULL ||
	    (cj->service != NULL &&
	    (out->service = strdup(cj->service->description)) == NULL) ||
	    (out->address = strdup(cj->address != NULL ? cj->address :
	    cj->host->address)) == NULL ||
	    remote_job_strv(cj->spec->args, cj->spec->nargs, &out->args,
	    &out->nargs) != 0)
		goto fail;
	if (cmd->builtin == BUILTIN_NONE &&
	    (rc = remote_job_plugin(cj, cfg, out, err, errlen)) != 0)
		goto fail;
	out->host_check = cj->host_check;
	out->timeout_ms = cj->timeout_ns > 0 ? cj->timeout_ns / 1000000 :
	    60000;
	if (out->timeout_ms < 1)
		out->timeout_ms = 1;
	if (cmd->builtin == BUILTIN_SNMP || cmd->builtin == BUILTIN_SNMP_IF) {
		out->has_snmp = true;
		if (cj->host->snmp != NULL)
			out->snmp = *cj->host->snmp;
		else {
			out->snmp.version = SNMP_V2C;
			out->snmp.retries = 1;
			snprintf(out->snmp.community,
			    sizeof(out->snmp.community), "public");
		}
		out->snmp.addr[0] = '\0';
	}
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	jobwire_job_clear(out);
	return rc;
}

void
remote_job_result(const char *poller, const struct jobwire_result *jr,
    struct check_result *res)
{
	if (jr == NULL) {
		check_result_set(res, CHECK_UNKNOWN, "UNKNOWN - no poller "
		    "answered for %s", poller);
		res->unanswered = true;
		return;
	}
	res->code = jr->code;
	res->output = strdup(jr->output);
	if (jr->long_output != NULL)
		res->long_output = strdup(jr->long_output);
	if (jr->perfdata != NULL)
		res->perfdata = strdup(jr->perfdata);
	if (jr->start_time > 0)
		res->start_time = jr->start_time;
	if (res->output == NULL) /* out of memory: still a result */
		check_result_set(res, CHECK_UNKNOWN, "out of memory");
}
