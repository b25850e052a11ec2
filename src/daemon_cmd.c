/*
 * daemon_cmd: external commands in pharosd. Lines come from the command
 * file (command_file, a FIFO as Nagios has: `printf "[%lu] CMD;args\n"`)
 * and from the query socket's "command" op (`pharos cmd 'CMD;args'`);
 * both go through commands_run() (command.h). The operations it asks for
 * are carried out here on the scheduler and the state engine, the
 * program-wide switches on struct daemon_program; annotations
 * (acknowledgements, comments, downtimes) go to daemon_annot_command().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmdfifo.h"
#include "command.h"
#include "conf.h"
#include "daemon_int.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "sched.h"
#include "stats.h"

static int64_t
daemon_epoch_to_mono(const struct daemon *d, int64_t epoch)
{
	int64_t now = (int64_t)time(NULL);

	if (epoch <= now)
		return loop_now(d->loop);
	return loop_now(d->loop) + (epoch - now) * LOOP_NS_PER_SEC;
}

static void
daemon_cmd_host_at(void *arg, struct host *h, int64_t epoch)
{
	struct daemon *d = arg;

	if (epoch <= (int64_t)time(NULL))
		sched_host_check_now(d->sched, h);
	else
		sched_host_next(d->sched, h, daemon_epoch_to_mono(d, epoch));
}

static void
daemon_cmd_service_at(void *arg, struct service *s, int64_t epoch)
{
	struct daemon *d = arg;

	if (epoch <= (int64_t)time(NULL))
		sched_service_check_now(d->sched, s);
	else
		sched_service_next(d->sched, s, daemon_epoch_to_mono(d,
		    epoch));
}

static void
daemon_cmd_host_checks(void *arg, struct host *h, bool on)
{
	struct daemon *d = arg;

	sched_host_enable(d->sched, h, on);
}

static void
daemon_cmd_service_checks(void *arg, struct service *s, bool on)
{
	struct daemon *d = arg;

	sched_service_enable(d->sched, s, on);
}

/* Passive results: counted for `pharos stats`, then applied as any. */
static void
daemon_cmd_host_result(void *arg, struct host *h, struct check_result *res)
{
	struct daemon *d = arg;

	stats_passive(d->stats, STATS_HOST, loop_now(d->loop));
	daemon_host_result(arg, h, res);
}

static void
daemon_cmd_service_result(void *arg, struct service *s,
    struct check_result *res)
{
	struct daemon *d = arg;

	stats_passive(d->stats, STATS_SERVICE, loop_now(d->loop));
	daemon_service_result(arg, s, res);
}

static int
daemon_cmd_annot(void *arg, const struct extcmd *x, char *err,
    size_t errlen)
{
	struct daemon *d = arg;

	return daemon_annot_command(d, x, err, errlen);
}

/* ENABLE_NOTIFICATIONS, STOP_EXECUTING_HOST_CHECKS, ...: the switch
 * takes effect at once (checks: at each object's next scheduled check,
 * through daemon_may_run), and the retention file is written so that it
 * outlives a restart. */
static void
daemon_cmd_program(void *arg, enum command_switch sw, bool on)
{
	struct daemon *d = arg;

	switch (sw) {
	case COMMAND_NOTIFICATIONS:
		d->prog.notifications = on;
		if (d->notify != NULL)
			notify_set_enabled(d->notify, on);
		break;
	case COMMAND_HOST_CHECKS:
		d->prog.host_checks = on;
		break;
	case COMMAND_SERVICE_CHECKS:
		d->prog.service_checks = on;
		break;
	case COMMAND_EVENT_HANDLERS:
		d->prog.event_handlers = on;
		break;
	}
	if (d->retention != NULL && d->state != NULL)
		(void)daemon_retention_save(d);
}

void
daemon_program_defaults(struct daemon *d)
{
	d->prog.notifications = d->cfg->enable_notifications;
	d->prog.host_checks = true;
	d->prog.service_checks = true;
	d->prog.event_handlers = d->cfg->enable_event_handlers;
}

void
daemon_program_json_into(const struct daemon *d, json_t *o)
{
	json_object_set_new(o, "enable_notifications",
	    json_boolean(d->prog.notifications));
	json_object_set_new(o, "execute_host_checks",
	    json_boolean(d->prog.host_checks));
	json_object_set_new(o, "execute_service_checks",
	    json_boolean(d->prog.service_checks));
	json_object_set_new(o, "enable_event_handlers",
	    json_boolean(d->prog.event_handlers));
}

static void
daemon_cmd_line(const char *line, size_t len, void *arg)
{
	struct daemon *d = arg;
	char err[512];

	if (commands_run(d->commands, line, len, EXTCMD_NEED_TIME, err,
	    sizeof(err)) != 0)
		cmdfifo_count_bad(d->cmdfifo);
}

int
daemon_commands_start(struct daemon *d)
{
	static const struct command_ops ops0 = {
		.host_result = daemon_cmd_host_result,
		.service_result = daemon_cmd_service_result,
		.host_check_at = daemon_cmd_host_at,
		.service_check_at = daemon_cmd_service_at,
		.host_checks = daemon_cmd_host_checks,
		.service_checks = daemon_cmd_service_checks,
		.annot = daemon_cmd_annot,
		.program = daemon_cmd_program,
	};
	struct command_ops ops = ops0;
	char err[512];

	ops.arg = d;
	if (commands_new(&d->cfg->objects, d->ev, &ops, &d->commands) != 0) {
		log_warnx("external commands: out of memory");
		return -1;
	}
	if (d->cfg->command_file == NULL)
		return 0;
	if (cmdfifo_new(d->loop, d->cfg->command_file, daemon_cmd_line, d,
	    &d->cmdfifo, err, sizeof(err)) != 0) {
		log_warnx("command_file: %s", err);
		return -1;
	}
	log_info("external commands read from %s", d->cfg->command_file);
	return 0;
}

void
daemon_commands_stop(struct daemon *d)
{
	cmdfifo_free(d->cmdfifo);
	d->cmdfifo = NULL;
	commands_free(d->commands);
	d->commands = NULL;
}

/* {"op": "command", "line": "ACKNOWLEDGE_HOST_PROBLEM;core1;..."} */
int
daemon_op_command(struct daemon *d, json_t *req, json_t **data, char *err,
    size_t errlen)
{
	json_t *v = json_object_get(req, "line");

	if (!json_is_string(v)) {
		snprintf(err, errlen, "'line' must be a string");
		return -1;
	}
	if (d->commands == NULL) {
		snprintf(err, errlen, "pharosd is starting; try again");
		return -1;
	}
	if (commands_run(d->commands, json_string_value(v),
	    json_string_length(v), 0, err, errlen) != 0)
		return -1;
	*data = json_pack("{s:b}", "done", 1);
	return 0;
}

json_t *
daemon_commands_json(const struct daemon *d)
{
	const struct command_counters *c;
	const struct cmdfifo_counters *f;
	json_t *o;

	if (d->commands == NULL)
		return json_null();
	c = commands_get_counters(d->commands);
	o = json_pack("{s:I, s:I, s:I}", "received", (json_int_t)c->received,
	    "done", (json_int_t)c->done, "refused", (json_int_t)c->refused);
	if (o != NULL && d->cmdfifo != NULL) {
		f = cmdfifo_get_counters(d->cmdfifo);
		json_object_set_new(o, "fifo", json_pack("{s:I, s:I, s:I, s:I}",
		    "lines", (json_int_t)f->lines,
		    "bad_lines", (json_int_t)f->bad_lines,
		    "overlong", (json_int_t)f->overlong,
		    "partial_discarded", (json_int_t)f->partial_discarded));
	}
	return o;
}
