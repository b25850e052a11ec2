/*
 * command: external commands, from the command file (cmdfifo.h) or the
 * query socket, checked (extcmd.h) against the running objects, logged as
 * Nagios logs them ("EXTERNAL COMMAND: NAME;args") and carried out through
 * the daemon's operations. A refused command is logged with its reason
 * ("Warning: external command refused: unknown host 'x': ...") and
 * counted; the query socket also answers the reason.
 */
#ifndef PHAROS_COMMAND_H
#define PHAROS_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "extcmd.h"
#include "objects.h"

struct evlog;
struct commands;

/* The program-wide switches (ENABLE_NOTIFICATIONS/DISABLE_NOTIFICATIONS,
 * START_/STOP_EXECUTING_HOST_CHECKS, START_/STOP_EXECUTING_SVC_CHECKS,
 * ENABLE_/DISABLE_EVENT_HANDLERS). */
enum command_switch {
	COMMAND_NOTIFICATIONS,
	COMMAND_HOST_CHECKS,
	COMMAND_SERVICE_CHECKS,
	COMMAND_EVENT_HANDLERS,
};

/* What carrying out a command asks of the daemon. Every member is set.
 * annot handles acknowledgements, comments, downtimes, notification
 * switches and custom notifications; it returns 0 or fills err. program
 * turns a program-wide switch on or off. */
struct command_ops {
	void (*host_result)(void *arg, struct host *h,
	    struct check_result *res);
	void (*service_result)(void *arg, struct service *s,
	    struct check_result *res);
	void (*host_check_at)(void *arg, struct host *h, int64_t epoch);
	void (*service_check_at)(void *arg, struct service *s, int64_t epoch);
	void (*host_checks)(void *arg, struct host *h, bool enable);
	void (*service_checks)(void *arg, struct service *s, bool enable);
	int (*annot)(void *arg, const struct extcmd *cmd, char *err,
	    size_t errlen);
	void (*program)(void *arg, enum command_switch sw, bool on);
	void *arg;
};

struct command_counters {
	uint64_t received;
	uint64_t done;
	uint64_t refused;
};

/* objs, ev and ops are borrowed (must outlive it). Returns 0 or -ENOMEM. */
int commands_new(struct objects *objs, struct evlog *ev,
    const struct command_ops *ops, struct commands **out)
    __attribute__((warn_unused_result));
void commands_free(struct commands *c); /* NULL no-op */
/* A reload replaces the objects. */
void commands_set_objects(struct commands *c, struct objects *objs);

/* Carry out one command line (len bytes, need not be NUL-terminated).
 * flags: EXTCMD_NEED_TIME for the command file. Returns 0, or a negative
 * errno with err filled (refused: nothing was done). */
int commands_run(struct commands *c, const char *line, size_t len,
    unsigned flags, char *err, size_t errlen)
    __attribute__((warn_unused_result));
const struct command_counters *commands_get_counters(
    const struct commands *c);

#endif
