/*
 * extcmd: Nagios external commands, parsed and checked; nothing executed.
 *
 * One command line, as written to the command file (cmdfifo.h) or sent
 * through the query socket:
 *
 *   [1700000000] ACKNOWLEDGE_SVC_PROBLEM;core-sw1;PING;2;1;0;alice;on it
 *   ACKNOWLEDGE_SVC_PROBLEM;core-sw1;PING;2;1;0;alice;on it
 *
 * extcmd_parse() checks the line, finds the command in a fixed table (name,
 * argument count, the kind of each argument), checks every argument, looks
 * the host and service up through the caller's callbacks, and returns a
 * struct extcmd that the engine dispatches on its kind. It never calls the
 * engine and keeps no state. The commands, their arguments and every rule
 * are listed in docs/external-commands.md; in short:
 *
 * - The line is at most EXTCMD_MAX_LINE bytes, valid UTF-8, and holds no
 *   NUL, no CR or LF (blanks, CRs and LFs at its end are stripped, as
 *   Nagios strips them, and blanks at its start) and no other control
 *   character than TAB.
 * - "[EPOCH] " (epoch seconds, then one or more spaces) is required with
 *   EXTCMD_NEED_TIME (the command file, as in Nagios) and optional
 *   otherwise (the query socket).
 * - Names are case-sensitive. An unknown name, and every Nagios command
 *   not in the table (CHANGE_*_COMMAND among them), is refused with
 *   "unknown or unsupported command 'NAME'".
 * - Arguments are separated by ';'. A command without arguments (the
 *   program-wide switches) is its name alone: "NAME;" is refused. A free-text last argument (a comment,
 *   a check's output) takes the rest of the line, ';' included; earlier
 *   ones cannot hold ';'. Fields are not trimmed. Any other count of
 *   arguments is refused.
 * - Numbers are plain decimals (strnum.h) within the argument's bounds.
 *   Host names, service descriptions, authors and comments must not be
 *   empty; a check result's output may be.
 *
 * Every refusal fills err with one plain sentence ("unknown host 'x'",
 * "sticky must be 0, 1 or 2, not '3'"); user text quoted in it is cut to
 * 64 bytes ("...").
 */
#ifndef PHAROS_EXTCMD_H
#define PHAROS_EXTCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest command line, in bytes without its '\n' (Nagios reads lines
 * into 8192-byte buffers). */
#define EXTCMD_MAX_LINE 8191
/* Longest host name or service description, and longest author. */
#define EXTCMD_MAX_NAME 1024
#define EXTCMD_MAX_AUTHOR 256
/* Latest epoch time accepted (9999-12-31T23:59:59Z), capped to LONG_MAX
 * where long is 32 bits. */
#define EXTCMD_TIME_MAX INT64_C(253402300799)
/* Longest downtime duration: ten years of seconds. */
#define EXTCMD_DURATION_MAX INT64_C(316224000)

/* Flags for extcmd_parse(). */
#define EXTCMD_NEED_TIME 0x1u /* the "[EPOCH] " prefix is required */

/* SEND_CUSTOM_*_NOTIFICATION options, a bit mask as in Nagios. */
#define EXTCMD_NOTIFY_BROADCAST 0x1u /* to every contact, escalated too */
#define EXTCMD_NOTIFY_FORCED 0x2u    /* whatever the filters say */
#define EXTCMD_NOTIFY_INCREMENT 0x4u /* count it in the notification number */

enum extcmd_kind {
	/* host;code;output */
	EXTCMD_PROCESS_HOST_CHECK_RESULT,
	/* host;service;code;output */
	EXTCMD_PROCESS_SERVICE_CHECK_RESULT,
	/* host;sticky;notify;persistent;author;comment */
	EXTCMD_ACKNOWLEDGE_HOST_PROBLEM,
	/* host;service;sticky;notify;persistent;author;comment */
	EXTCMD_ACKNOWLEDGE_SVC_PROBLEM,
	/* host */
	EXTCMD_REMOVE_HOST_ACKNOWLEDGEMENT,
	/* host;service */
	EXTCMD_REMOVE_SVC_ACKNOWLEDGEMENT,
	/* host;start;end;fixed;trigger_id;duration;author;comment */
	EXTCMD_SCHEDULE_HOST_DOWNTIME,
	/* host;service;start;end;fixed;trigger_id;duration;author;
	 * comment */
	EXTCMD_SCHEDULE_SVC_DOWNTIME,
	/* as SCHEDULE_HOST_DOWNTIME (the host's services) */
	EXTCMD_SCHEDULE_HOST_SVC_DOWNTIME,
	/* downtime_id */
	EXTCMD_DEL_HOST_DOWNTIME,
	/* downtime_id */
	EXTCMD_DEL_SVC_DOWNTIME,
	/* host;persistent;author;comment */
	EXTCMD_ADD_HOST_COMMENT,
	/* host;service;persistent;author;comment */
	EXTCMD_ADD_SVC_COMMENT,
	/* comment_id */
	EXTCMD_DEL_HOST_COMMENT,
	/* comment_id */
	EXTCMD_DEL_SVC_COMMENT,
	/* host;check_time */
	EXTCMD_SCHEDULE_FORCED_HOST_CHECK,
	/* host;service;check_time */
	EXTCMD_SCHEDULE_FORCED_SVC_CHECK,
	/* host */
	EXTCMD_ENABLE_HOST_NOTIFICATIONS,
	/* host */
	EXTCMD_DISABLE_HOST_NOTIFICATIONS,
	/* host;service */
	EXTCMD_ENABLE_SVC_NOTIFICATIONS,
	/* host;service */
	EXTCMD_DISABLE_SVC_NOTIFICATIONS,
	/* host */
	EXTCMD_ENABLE_HOST_CHECK,
	/* host */
	EXTCMD_DISABLE_HOST_CHECK,
	/* host;service */
	EXTCMD_ENABLE_SVC_CHECK,
	/* host;service */
	EXTCMD_DISABLE_SVC_CHECK,
	/* host;options;author;comment */
	EXTCMD_SEND_CUSTOM_HOST_NOTIFICATION,
	/* host;service;options;author;comment */
	EXTCMD_SEND_CUSTOM_SVC_NOTIFICATION,
	/* as SCHEDULE_HOST_DOWNTIME, plus every host behind it (children,
	 * recursively): independent copies, or triggered by the host's */
	EXTCMD_SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME,
	EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME,
	/* Program-wide switches, no arguments (docs/external-commands.md,
	 * "Program-wide commands"). */
	EXTCMD_ENABLE_NOTIFICATIONS,
	EXTCMD_DISABLE_NOTIFICATIONS,
	EXTCMD_START_EXECUTING_HOST_CHECKS,
	EXTCMD_STOP_EXECUTING_HOST_CHECKS,
	EXTCMD_START_EXECUTING_SVC_CHECKS,
	EXTCMD_STOP_EXECUTING_SVC_CHECKS,
	EXTCMD_ENABLE_EVENT_HANDLERS,
	EXTCMD_DISABLE_EVENT_HANDLERS,
	EXTCMD_NKINDS
};

/* How the caller's objects are found. find_host returns the host named
 * name, find_service the service of host host_name described description;
 * NULL when there is none. Both are called only with names that passed
 * the checks above, find_service only once find_host found the host.
 * Pointers returned are opaque here (the daemon's struct host and struct
 * service) and stored as given. arg is passed through. (Nagios also
 * takes a host's address for its name in passive host results; a
 * find_host that wants that may do it.) */
struct extcmd_lookup {
	const void *(*find_host)(const char *name, void *arg);
	const void *(*find_service)(const char *host_name,
	                            const char *description, void *arg);
	void *arg;
};

/* A parsed command. A kind sets the fields its arguments name (listed at
 * enum extcmd_kind): host -> host_name and host, service ->
 * service_description and service, downtime_id and comment_id -> id,
 * start and end -> start_time and end_time, every other argument -> the
 * field of its name. The others are 0, false or NULL. Every string is
 * owned by the struct (one allocation) and lives until extcmd_free(). */
struct extcmd {
	enum extcmd_kind kind;
	const char *name; /* "ACKNOWLEDGE_SVC_PROBLEM"; static */
	/* The command as received, without the prefix and the stripped
	 * trailing blanks: what "EXTERNAL COMMAND: %s" logs. */
	const char *line;
	int64_t entry_time; /* the "[EPOCH]" prefix; -1 without one */

	const char *host_name;           /* NULL: the command names none */
	const char *service_description; /* NULL: the command names none */
	const void *host;    /* find_host's answer; NULL without a lookup */
	const void *service; /* find_service's answer; same */

	/* PROCESS_SERVICE_CHECK_RESULT: 0 OK, 1 WARNING, 2 CRITICAL,
	 * 3 UNKNOWN. PROCESS_HOST_CHECK_RESULT: the host state as Nagios
	 * takes it, 0 UP, 1 DOWN, 2 UNREACHABLE (3 is refused, as Nagios
	 * refuses it). */
	int code;
	const char *output; /* check results: "text|perfdata", may be "";
	                       "\n" written as the two characters '\\' 'n'
	                       is left as written */

	bool sticky;     /* ACKNOWLEDGE_*: the argument was 2 (0 and 1 are
	                    both "normal", as in Nagios) */
	bool notify;     /* ACKNOWLEDGE_* */
	bool persistent; /* ACKNOWLEDGE_*, ADD_*_COMMENT */

	/* SCHEDULE_*_DOWNTIME: start_time < end_time. A fixed downtime's
	 * duration is set to end_time - start_time (the argument is checked,
	 * then ignored, as Nagios does); a flexible one's is the argument,
	 * at least 1. trigger_id 0 = not triggered. */
	bool fixed;
	int64_t start_time;
	int64_t end_time;
	int64_t duration; /* seconds */
	unsigned long trigger_id;

	unsigned long id;   /* DEL_*_DOWNTIME, DEL_*_COMMENT: 1 or more */
	int64_t check_time; /* SCHEDULE_FORCED_*_CHECK: epoch seconds */
	unsigned options;   /* SEND_CUSTOM_*: EXTCMD_NOTIFY_* bits */

	const char *author;  /* acknowledgements, downtimes, comments,
	                        custom notifications; never "" */
	const char *comment; /* the same; never "" */
};

/* Parse the len bytes at line (borrowed; need not be NUL-terminated; one
 * command, without or with its final '\n'). flags: EXTCMD_NEED_TIME or 0.
 * lookup (borrowed) resolves objects; NULL, or NULL callbacks, leave host
 * and service NULL and refuse no name (a syntax check, as a client may do
 * before sending).
 *
 * Returns 0 with *out set (caller frees with extcmd_free()), or fills err
 * and returns: -EINVAL for a malformed line or argument, -ENOTSUP for an
 * unknown or unsupported command, -ENOENT for an unknown host or service,
 * -ENOMEM. *out is NULL on failure. */
int extcmd_parse(const char *line, size_t len, unsigned flags,
                 const struct extcmd_lookup *lookup, struct extcmd **out,
                 char *err, size_t errlen) __attribute__((warn_unused_result));

/* Free a parsed command. NULL is a no-op. */
void extcmd_free(struct extcmd *cmd);

/* The command name of kind ("PROCESS_HOST_CHECK_RESULT"), and its
 * arguments as documented ("host;code;output", "" for none); static
 * strings, NULL for a kind out of range. */
const char *extcmd_kind_name(enum extcmd_kind kind);
const char *extcmd_kind_args(enum extcmd_kind kind);

#endif
