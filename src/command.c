/*
 * command: parse with the objects as lookup, log, dispatch on the kind.
 * Check results, scheduling and the program-wide switches are carried out
 * here through the ops; everything about annotations (acks, comments,
 * downtimes, per-object notification switches) goes to ops->annot in one
 * piece.
 */
#include "command.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evlog.h"
#include "loop.h"

struct commands {
	struct objects *objs;
	struct evlog *ev;
	struct command_ops ops;
	struct command_counters c;
};

int
commands_new(struct objects *objs, struct evlog *ev,
    const struct command_ops *ops, struct commands **out)
{
	struct commands *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (c == NULL)
		return -ENOMEM;
	c->objs = objs;
	c->ev = ev;
	c->ops = *ops;
	*out = c;
	return 0;
}

void
commands_free(struct commands *c)
{
	free(c);
}

void
commands_set_objects(struct commands *c, struct objects *objs)
{
	c->objs = objs;
}

const struct command_counters *
commands_get_counters(const struct commands *c)
{
	return &c->c;
}

static const void *
commands_find_host(const char *name, void *arg)
{
	struct commands *c = arg;

	return objects_host_find(c->objs, name);
}

static const void *
commands_find_service(const char *host, const char *desc, void *arg)
{
	struct commands *c = arg;

	return objects_service_find(c->objs, host, desc);
}

/* A passive result as if a check had just ended. Hosts: 0 UP, 1 DOWN,
 * 2 UNREACHABLE (the engine decides DOWN or UNREACHABLE from the parents
 * either way, as for an active check). */
static void
commands_result(struct commands *c, const struct extcmd *x, struct host *h,
    struct service *s)
{
	struct check_result res = { 0 };
	int code = x->code;

	if (x->kind == EXTCMD_PROCESS_HOST_CHECK_RESULT)
		code = code == 0 ? CHECK_OK : CHECK_CRITICAL;
	check_result_set(&res, code, "%s", x->output);
	res.start_ns = res.end_ns = loop_clock();
	res.start_time = (int64_t)time(NULL);
	if (x->kind == EXTCMD_PROCESS_HOST_CHECK_RESULT)
		c->ops.host_result(c->ops.arg, h, &res);
	else
		c->ops.service_result(c->ops.arg, s, &res);
	check_result_clear(&res);
}

static int
commands_dispatch(struct commands *c, const struct extcmd *x, char *err,
    size_t errlen)
{
	/* The objects the parse found, writable. */
	struct host *h = x->host_name == NULL ? NULL :
	    objects_host_find(c->objs, x->host_name);
	struct service *s = x->service_description == NULL ? NULL :
	    objects_service_find(c->objs, x->host_name,
	    x->service_description);

	switch (x->kind) {
	case EXTCMD_PROCESS_HOST_CHECK_RESULT:
	case EXTCMD_PROCESS_SERVICE_CHECK_RESULT:
		commands_result(c, x, h, s);
		return 0;
	case EXTCMD_SCHEDULE_FORCED_HOST_CHECK:
		c->ops.host_check_at(c->ops.arg, h, x->check_time);
		return 0;
	case EXTCMD_SCHEDULE_FORCED_SVC_CHECK:
		c->ops.service_check_at(c->ops.arg, s, x->check_time);
		return 0;
	case EXTCMD_ENABLE_HOST_CHECK:
	case EXTCMD_DISABLE_HOST_CHECK:
		c->ops.host_checks(c->ops.arg, h,
		    x->kind == EXTCMD_ENABLE_HOST_CHECK);
		return 0;
	case EXTCMD_ENABLE_SVC_CHECK:
	case EXTCMD_DISABLE_SVC_CHECK:
		c->ops.service_checks(c->ops.arg, s,
		    x->kind == EXTCMD_ENABLE_SVC_CHECK);
		return 0;
	case EXTCMD_ENABLE_NOTIFICATIONS:
	case EXTCMD_DISABLE_NOTIFICATIONS:
		c->ops.program(c->ops.arg, COMMAND_NOTIFICATIONS,
		    x->kind == EXTCMD_ENABLE_NOTIFICATIONS);
		return 0;
	case EXTCMD_START_EXECUTING_HOST_CHECKS:
	case EXTCMD_STOP_EXECUTING_HOST_CHECKS:
		c->ops.program(c->ops.arg, COMMAND_HOST_CHECKS,
		    x->kind == EXTCMD_START_EXECUTING_HOST_CHECKS);
		return 0;
	case EXTCMD_START_EXECUTING_SVC_CHECKS:
	case EXTCMD_STOP_EXECUTING_SVC_CHECKS:
		c->ops.program(c->ops.arg, COMMAND_SERVICE_CHECKS,
		    x->kind == EXTCMD_START_EXECUTING_SVC_CHECKS);
		return 0;
	case EXTCMD_ENABLE_EVENT_HANDLERS:
	case EXTCMD_DISABLE_EVENT_HANDLERS:
		c->ops.program(c->ops.arg, COMMAND_EVENT_HANDLERS,
		    x->kind == EXTCMD_ENABLE_EVENT_HANDLERS);
		return 0;
	default:
		return c->ops.annot(c->ops.arg, x, err, errlen);
	}
}

int
commands_run(struct commands *c, const char *line, size_t len,
    unsigned flags, char *err, size_t errlen)
{
	struct extcmd_lookup lk = { commands_find_host, commands_find_service,
	    c };
	struct extcmd *x = NULL;
	int rc;

	c->c.received++;
	rc = extcmd_parse(line, len, flags, &lk, &x, err, errlen);
	if (rc == 0) {
		evlog_write(c->ev, "EXTERNAL COMMAND: %s", x->line);
		rc = commands_dispatch(c, x, err, errlen);
	}
	if (rc != 0) {
		c->c.refused++;
		evlog_write(c->ev, "Warning: external command refused: %s: "
		    "%.*s", err, (int)(len > 200 ? 200 : len), line);
	} else
		c->c.done++;
	extcmd_free(x);
	return rc;
}
