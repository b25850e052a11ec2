/*
 * test_extcmd: every supported command parsed into its fields, and every
 * kind of bad input refused with the reason it gives. Objects come from a
 * small fake lookup that counts its calls.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "extcmd.h"

struct fake_host {
	const char *name;
};

struct fake_service {
	const char *host;
	const char *description;
};

static const struct fake_host hosts[] = {
    {"core-sw1"},
    {"edge-rt1"},
};

static const struct fake_service services[] = {
    {"core-sw1", "PING"},
    {"core-sw1", "Port Gi1/0/1"},
    {"edge-rt1", "PING"},
};

struct calls {
	unsigned hosts;
	unsigned services;
};

static const void *
find_host(const char *name, void *arg)
{
	struct calls *c = arg;
	size_t i;

	c->hosts++;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcmp(hosts[i].name, name) == 0)
			return &hosts[i];
	return NULL;
}

static const void *
find_service(const char *host, const char *description, void *arg)
{
	struct calls *c = arg;
	size_t i;

	c->services++;
	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (strcmp(services[i].host, host) == 0 &&
		    strcmp(services[i].description, description) == 0)
			return &services[i];
	return NULL;
}

static struct calls calls;
static const struct extcmd_lookup lookup = {find_host, find_service, &calls};

static struct extcmd *
parse_flags(const char *line, unsigned flags)
{
	struct extcmd *c = NULL;
	char err[256] = "";
	int rc;

	rc = extcmd_parse(line, strlen(line), flags, &lookup, &c, err,
	                  sizeof(err));
	if (rc != 0)
		fail_msg("'%s' refused (%d): %s", line, rc, err);
	assert_non_null(c);
	return c;
}

static struct extcmd *
parse_ok(const char *line)
{
	return parse_flags(line, 0);
}

/* Parse len bytes expecting refusal rc with exactly the reason want. */
static void
refused_len(const char *line, size_t len, unsigned flags, int rc,
            const char *want)
{
	struct extcmd *c = (struct extcmd *)1;
	char err[512] = "";

	assert_int_equal(
	    extcmd_parse(line, len, flags, &lookup, &c, err, sizeof(err)), rc);
	assert_null(c);
	assert_string_equal(err, want);
}

static void
refused(const char *line, int rc, const char *want)
{
	refused_len(line, strlen(line), 0, rc, want);
}

static void
test_extcmd_check_results(void **state)
{
	struct extcmd *c;

	c = parse_ok("[1700000000] PROCESS_HOST_CHECK_RESULT;core-sw1;1;"
	             "PING CRITICAL - Packet loss = 100%|rta=0ms");
	assert_int_equal(c->kind, EXTCMD_PROCESS_HOST_CHECK_RESULT);
	assert_string_equal(c->name, "PROCESS_HOST_CHECK_RESULT");
	assert_int_equal(c->entry_time, 1700000000);
	assert_ptr_equal(c->host, &hosts[0]);
	assert_string_equal(c->host_name, "core-sw1");
	assert_null(c->service);
	assert_null(c->service_description);
	assert_int_equal(c->code, 1);
	assert_string_equal(c->output,
	                    "PING CRITICAL - Packet loss = 100%|rta=0ms");
	extcmd_free(c);

	/* The output is the last argument: it keeps its ';'. */
	c = parse_ok("PROCESS_SERVICE_CHECK_RESULT;core-sw1;Port Gi1/0/1;2;"
	             "CRITICAL; down|in=1c;2;3 out=4c");
	assert_int_equal(c->kind, EXTCMD_PROCESS_SERVICE_CHECK_RESULT);
	assert_int_equal(c->entry_time, -1);
	assert_ptr_equal(c->host, &hosts[0]);
	assert_ptr_equal(c->service, &services[1]);
	assert_string_equal(c->service_description, "Port Gi1/0/1");
	assert_int_equal(c->code, 2);
	assert_string_equal(c->output, "CRITICAL; down|in=1c;2;3 out=4c");
	extcmd_free(c);

	/* An empty output is allowed; "\n" written as two characters is
	 * left as written. */
	c = parse_ok("PROCESS_SERVICE_CHECK_RESULT;edge-rt1;PING;3;");
	assert_int_equal(c->code, 3);
	assert_ptr_equal(c->service, &services[2]);
	assert_string_equal(c->output, "");
	extcmd_free(c);
	c = parse_ok("PROCESS_HOST_CHECK_RESULT;edge-rt1;0;OK\\nline 2");
	assert_string_equal(c->output, "OK\\nline 2");
	extcmd_free(c);
}

static void
test_extcmd_acknowledgements(void **state)
{
	struct extcmd *c;

	c = parse_ok("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;1;0;alice;on it; "
	             "ticket 42");
	assert_int_equal(c->kind, EXTCMD_ACKNOWLEDGE_HOST_PROBLEM);
	assert_ptr_equal(c->host, &hosts[0]);
	assert_true(c->sticky);
	assert_true(c->notify);
	assert_false(c->persistent);
	assert_string_equal(c->author, "alice");
	assert_string_equal(c->comment, "on it; ticket 42");
	extcmd_free(c);

	/* Sticky is 2; 0 and 1 are both normal, as in Nagios. */
	c = parse_ok("ACKNOWLEDGE_SVC_PROBLEM;core-sw1;PING;1;0;1;bob;seen");
	assert_int_equal(c->kind, EXTCMD_ACKNOWLEDGE_SVC_PROBLEM);
	assert_ptr_equal(c->service, &services[0]);
	assert_false(c->sticky);
	assert_false(c->notify);
	assert_true(c->persistent);
	assert_string_equal(c->author, "bob");
	assert_string_equal(c->comment, "seen");
	extcmd_free(c);

	c = parse_ok("REMOVE_HOST_ACKNOWLEDGEMENT;edge-rt1");
	assert_int_equal(c->kind, EXTCMD_REMOVE_HOST_ACKNOWLEDGEMENT);
	assert_ptr_equal(c->host, &hosts[1]);
	extcmd_free(c);
	c = parse_ok("REMOVE_SVC_ACKNOWLEDGEMENT;edge-rt1;PING");
	assert_int_equal(c->kind, EXTCMD_REMOVE_SVC_ACKNOWLEDGEMENT);
	assert_ptr_equal(c->service, &services[2]);
	extcmd_free(c);
}

static void
test_extcmd_downtimes(void **state)
{
	struct extcmd *c;

	/* Fixed: the duration argument is checked, then replaced by the
	 * window's length. */
	c = parse_ok("SCHEDULE_HOST_DOWNTIME;core-sw1;1700000000;1700003600;1;"
	             "0;0;alice;firmware upgrade");
	assert_int_equal(c->kind, EXTCMD_SCHEDULE_HOST_DOWNTIME);
	assert_ptr_equal(c->host, &hosts[0]);
	assert_int_equal(c->start_time, 1700000000);
	assert_int_equal(c->end_time, 1700003600);
	assert_true(c->fixed);
	assert_int_equal(c->trigger_id, 0);
	assert_int_equal(c->duration, 3600);
	assert_string_equal(c->author, "alice");
	assert_string_equal(c->comment, "firmware upgrade");
	extcmd_free(c);

	/* Flexible: the duration is the argument, and may exceed the
	 * window (the window bounds when it may start). */
	c = parse_ok("SCHEDULE_SVC_DOWNTIME;edge-rt1;PING;1700000000;"
	             "1700000600;0;17;7200;bob;maybe;later");
	assert_int_equal(c->kind, EXTCMD_SCHEDULE_SVC_DOWNTIME);
	assert_ptr_equal(c->service, &services[2]);
	assert_false(c->fixed);
	assert_int_equal(c->trigger_id, 17);
	assert_int_equal(c->duration, 7200);
	assert_string_equal(c->comment, "maybe;later");
	extcmd_free(c);

	c = parse_ok("SCHEDULE_HOST_SVC_DOWNTIME;core-sw1;100;200;1;0;5;"
	             "carol;all of it");
	assert_int_equal(c->kind, EXTCMD_SCHEDULE_HOST_SVC_DOWNTIME);
	assert_ptr_equal(c->host, &hosts[0]);
	assert_null(c->service);
	assert_int_equal(c->duration, 100);
	extcmd_free(c);

	c = parse_ok("DEL_HOST_DOWNTIME;12");
	assert_int_equal(c->kind, EXTCMD_DEL_HOST_DOWNTIME);
	assert_int_equal(c->id, 12);
	assert_null(c->host_name);
	assert_null(c->host);
	extcmd_free(c);
	c = parse_ok("DEL_SVC_DOWNTIME;9223372036854775807");
	assert_int_equal(c->kind, EXTCMD_DEL_SVC_DOWNTIME);
	assert_int_equal(c->id, 9223372036854775807UL);
	extcmd_free(c);
}

static void
test_extcmd_comments_checks_notifications(void **state)
{
	struct extcmd *c;

	c = parse_ok("ADD_HOST_COMMENT;core-sw1;1;alice;rack B4; slot 3");
	assert_int_equal(c->kind, EXTCMD_ADD_HOST_COMMENT);
	assert_true(c->persistent);
	assert_string_equal(c->comment, "rack B4; slot 3");
	extcmd_free(c);
	c = parse_ok("ADD_SVC_COMMENT;core-sw1;PING;0;bob;flaky");
	assert_int_equal(c->kind, EXTCMD_ADD_SVC_COMMENT);
	assert_ptr_equal(c->service, &services[0]);
	assert_false(c->persistent);
	extcmd_free(c);
	c = parse_ok("DEL_HOST_COMMENT;1");
	assert_int_equal(c->kind, EXTCMD_DEL_HOST_COMMENT);
	assert_int_equal(c->id, 1);
	extcmd_free(c);
	c = parse_ok("DEL_SVC_COMMENT;2");
	assert_int_equal(c->kind, EXTCMD_DEL_SVC_COMMENT);
	assert_int_equal(c->id, 2);
	extcmd_free(c);

	c = parse_ok("SCHEDULE_FORCED_HOST_CHECK;core-sw1;1700000000");
	assert_int_equal(c->kind, EXTCMD_SCHEDULE_FORCED_HOST_CHECK);
	assert_int_equal(c->check_time, 1700000000);
	extcmd_free(c);
	c = parse_ok("SCHEDULE_FORCED_SVC_CHECK;core-sw1;PING;0");
	assert_int_equal(c->kind, EXTCMD_SCHEDULE_FORCED_SVC_CHECK);
	assert_ptr_equal(c->service, &services[0]);
	assert_int_equal(c->check_time, 0);
	extcmd_free(c);

	c = parse_ok("SEND_CUSTOM_HOST_NOTIFICATION;core-sw1;3;alice;test");
	assert_int_equal(c->kind, EXTCMD_SEND_CUSTOM_HOST_NOTIFICATION);
	assert_int_equal(c->options,
	                 EXTCMD_NOTIFY_BROADCAST | EXTCMD_NOTIFY_FORCED);
	assert_string_equal(c->author, "alice");
	extcmd_free(c);
	c = parse_ok("SEND_CUSTOM_SVC_NOTIFICATION;core-sw1;PING;4;bob;x");
	assert_int_equal(c->kind, EXTCMD_SEND_CUSTOM_SVC_NOTIFICATION);
	assert_int_equal(c->options, EXTCMD_NOTIFY_INCREMENT);
	extcmd_free(c);
}

/* One valid line per kind: every kind in the table parses to itself, and
 * the one-object commands resolve what they name. */
static void
test_extcmd_every_kind_parses_to_itself(void **state)
{
	static const char *const lines[EXTCMD_NKINDS] = {
	    [EXTCMD_PROCESS_HOST_CHECK_RESULT] =
	        "PROCESS_HOST_CHECK_RESULT;core-sw1;0;UP",
	    [EXTCMD_PROCESS_SERVICE_CHECK_RESULT] =
	        "PROCESS_SERVICE_CHECK_RESULT;core-sw1;PING;0;OK",
	    [EXTCMD_ACKNOWLEDGE_HOST_PROBLEM] =
	        "ACKNOWLEDGE_HOST_PROBLEM;core-sw1;0;0;0;a;c",
	    [EXTCMD_ACKNOWLEDGE_SVC_PROBLEM] =
	        "ACKNOWLEDGE_SVC_PROBLEM;core-sw1;PING;0;0;0;a;c",
	    [EXTCMD_REMOVE_HOST_ACKNOWLEDGEMENT] =
	        "REMOVE_HOST_ACKNOWLEDGEMENT;core-sw1",
	    [EXTCMD_REMOVE_SVC_ACKNOWLEDGEMENT] =
	        "REMOVE_SVC_ACKNOWLEDGEMENT;core-sw1;PING",
	    [EXTCMD_SCHEDULE_HOST_DOWNTIME] =
	        "SCHEDULE_HOST_DOWNTIME;core-sw1;1;2;1;0;0;a;c",
	    [EXTCMD_SCHEDULE_SVC_DOWNTIME] =
	        "SCHEDULE_SVC_DOWNTIME;core-sw1;PING;1;2;1;0;0;a;c",
	    [EXTCMD_SCHEDULE_HOST_SVC_DOWNTIME] =
	        "SCHEDULE_HOST_SVC_DOWNTIME;core-sw1;1;2;1;0;0;a;c",
	    [EXTCMD_DEL_HOST_DOWNTIME] = "DEL_HOST_DOWNTIME;1",
	    [EXTCMD_DEL_SVC_DOWNTIME] = "DEL_SVC_DOWNTIME;1",
	    [EXTCMD_ADD_HOST_COMMENT] = "ADD_HOST_COMMENT;core-sw1;0;a;c",
	    [EXTCMD_ADD_SVC_COMMENT] = "ADD_SVC_COMMENT;core-sw1;PING;0;a;c",
	    [EXTCMD_DEL_HOST_COMMENT] = "DEL_HOST_COMMENT;1",
	    [EXTCMD_DEL_SVC_COMMENT] = "DEL_SVC_COMMENT;1",
	    [EXTCMD_SCHEDULE_FORCED_HOST_CHECK] =
	        "SCHEDULE_FORCED_HOST_CHECK;core-sw1;1",
	    [EXTCMD_SCHEDULE_FORCED_SVC_CHECK] =
	        "SCHEDULE_FORCED_SVC_CHECK;core-sw1;PING;1",
	    [EXTCMD_ENABLE_HOST_NOTIFICATIONS] =
	        "ENABLE_HOST_NOTIFICATIONS;core-sw1",
	    [EXTCMD_DISABLE_HOST_NOTIFICATIONS] =
	        "DISABLE_HOST_NOTIFICATIONS;core-sw1",
	    [EXTCMD_ENABLE_SVC_NOTIFICATIONS] =
	        "ENABLE_SVC_NOTIFICATIONS;core-sw1;PING",
	    [EXTCMD_DISABLE_SVC_NOTIFICATIONS] =
	        "DISABLE_SVC_NOTIFICATIONS;core-sw1;PING",
	    [EXTCMD_ENABLE_HOST_CHECK] = "ENABLE_HOST_CHECK;core-sw1",
	    [EXTCMD_DISABLE_HOST_CHECK] = "DISABLE_HOST_CHECK;core-sw1",
	    [EXTCMD_ENABLE_SVC_CHECK] = "ENABLE_SVC_CHECK;core-sw1;PING",
	    [EXTCMD_DISABLE_SVC_CHECK] = "DISABLE_SVC_CHECK;core-sw1;PING",
	    [EXTCMD_SEND_CUSTOM_HOST_NOTIFICATION] =
	        "SEND_CUSTOM_HOST_NOTIFICATION;core-sw1;0;a;c",
	    [EXTCMD_SEND_CUSTOM_SVC_NOTIFICATION] =
	        "SEND_CUSTOM_SVC_NOTIFICATION;core-sw1;PING;0;a;c",
	    [EXTCMD_SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME] =
	        "SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME;core-sw1;1;2;1;0;0;a;c",
	    [EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME] =
	        "SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME;core-sw1;1;2;1;0;0;a;c",
	    [EXTCMD_ENABLE_NOTIFICATIONS] = "ENABLE_NOTIFICATIONS",
	    [EXTCMD_DISABLE_NOTIFICATIONS] = "DISABLE_NOTIFICATIONS",
	    [EXTCMD_START_EXECUTING_HOST_CHECKS] = "START_EXECUTING_HOST_CHECKS",
	    [EXTCMD_STOP_EXECUTING_HOST_CHECKS] = "STOP_EXECUTING_HOST_CHECKS",
	    [EXTCMD_START_EXECUTING_SVC_CHECKS] = "START_EXECUTING_SVC_CHECKS",
	    [EXTCMD_STOP_EXECUTING_SVC_CHECKS] = "STOP_EXECUTING_SVC_CHECKS",
	    [EXTCMD_ENABLE_EVENT_HANDLERS] = "ENABLE_EVENT_HANDLERS",
	    [EXTCMD_DISABLE_EVENT_HANDLERS] = "DISABLE_EVENT_HANDLERS",
	};
	struct extcmd *c;
	const char *args;
	unsigned k;

	for (k = 0; k < EXTCMD_NKINDS; k++) {
		assert_non_null(lines[k]);
		c = parse_ok(lines[k]);
		assert_int_equal(c->kind, k);
		assert_string_equal(c->name, extcmd_kind_name(k));
		assert_string_equal(c->line, lines[k]);
		args = extcmd_kind_args(k);
		assert_non_null(args);
		if (strncmp(args, "host", 4) == 0)
			assert_ptr_equal(c->host, &hosts[0]);
		else
			assert_null(c->host);
		if (strncmp(args, "host;service", 12) == 0)
			assert_ptr_equal(c->service, &services[0]);
		else
			assert_null(c->service);
		extcmd_free(c);
	}
	assert_null(extcmd_kind_name(EXTCMD_NKINDS));
	assert_null(extcmd_kind_args(EXTCMD_NKINDS));
	extcmd_free(NULL);
}

static void
test_extcmd_time_prefix(void **state)
{
	struct extcmd *c;

	/* With EXTCMD_NEED_TIME (the FIFO) the prefix is required. */
	c = parse_flags("[1700000000]   DISABLE_HOST_CHECK;core-sw1",
	                EXTCMD_NEED_TIME);
	assert_int_equal(c->entry_time, 1700000000);
	assert_string_equal(c->line, "DISABLE_HOST_CHECK;core-sw1");
	extcmd_free(c);
	c = parse_flags("[0] DISABLE_HOST_CHECK;core-sw1", EXTCMD_NEED_TIME);
	assert_int_equal(c->entry_time, 0);
	extcmd_free(c);
	refused_len("DISABLE_HOST_CHECK;core-sw1", 27, EXTCMD_NEED_TIME,
	            -EINVAL, "missing '[<epoch seconds>] ' before the command");

	refused("[1700000000]DISABLE_HOST_CHECK;core-sw1", -EINVAL,
	        "malformed time prefix: expected '[<epoch seconds>] ' before "
	        "the command");
	refused("[1700000000 DISABLE_HOST_CHECK;core-sw1", -EINVAL,
	        "malformed time prefix: expected '[<epoch seconds>] ' before "
	        "the command");
	refused("[123456789012345678901] DISABLE_HOST_CHECK;core-sw1", -EINVAL,
	        "malformed time prefix: expected '[<epoch seconds>] ' before "
	        "the command");
	refused("[1700000000]", -EINVAL,
	        "malformed time prefix: expected '[<epoch seconds>] ' before "
	        "the command");
	refused("[] DISABLE_HOST_CHECK;core-sw1", -EINVAL,
	        "entry time must be epoch seconds from 0 to 253402300799, not "
	        "''");
	refused("[-5] DISABLE_HOST_CHECK;core-sw1", -EINVAL,
	        "entry time must be epoch seconds from 0 to 253402300799, not "
	        "'-5'");
	refused("[253402300800] DISABLE_HOST_CHECK;core-sw1", -EINVAL,
	        "entry time must be epoch seconds from 0 to 253402300799, not "
	        "'253402300800'");
}

static void
test_extcmd_blanks_and_line_ends(void **state)
{
	struct extcmd *c;
	const char buf[] = "ENABLE_HOST_CHECK;core-sw1garbage";

	/* Trailing blanks, CR and LF are stripped (Nagios strips them);
	 * leading blanks too. */
	c = parse_ok("  ENABLE_HOST_CHECK;core-sw1 \t\r\n");
	assert_string_equal(c->host_name, "core-sw1");
	assert_string_equal(c->line, "ENABLE_HOST_CHECK;core-sw1");
	extcmd_free(c);

	/* Only len bytes count: no NUL needed at the end. */
	c = NULL;
	{
		char err[128];

		assert_int_equal(
		    extcmd_parse(buf, 26, 0, &lookup, &c, err, sizeof(err)), 0);
	}
	assert_string_equal(c->host_name, "core-sw1");
	extcmd_free(c);

	/* Fields are not trimmed: "core-sw1 " is another name. */
	refused("ENABLE_HOST_CHECK;core-sw1 ;", -EINVAL,
	        "ENABLE_HOST_CHECK takes 1 argument (host), got 2");
	refused("DISABLE_SVC_CHECK; core-sw1;PING", -ENOENT,
	        "unknown host ' core-sw1'");
}

static void
test_extcmd_bad_bytes_refused(void **state)
{
	refused_len("ADD_HOST_COMMENT;core-sw1;0;a;x\0y", 33, 0, -EINVAL,
	            "NUL byte at offset 31");
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\ny", -EINVAL,
	        "line break (LF) inside the command at offset 31");
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\ry", -EINVAL,
	        "line break (CR) inside the command at offset 31");
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\x1b[2Jy", -EINVAL,
	        "control character 0x1b at offset 31");
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\x7fy", -EINVAL,
	        "control character 0x7f at offset 31");
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\xffy", -EINVAL,
	        "invalid UTF-8 at offset 31");
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\xc0\x80y", -EINVAL,
	        "invalid UTF-8 at offset 31"); /* overlong NUL */
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\xed\xa0\x80y", -EINVAL,
	        "invalid UTF-8 at offset 31"); /* surrogate */
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\xe2\x82", -EINVAL,
	        "invalid UTF-8 at offset 31"); /* cut short */
	refused("ADD_HOST_COMMENT;core-sw1;0;a;x\xf4\x90\x80\x80", -EINVAL,
	        "invalid UTF-8 at offset 31"); /* past U+10FFFF */
	/* The offset counts from the start of what the caller gave. */
	refused("[1] ADD_HOST_COMMENT;core-sw1;0;a;\x01", -EINVAL,
	        "control character 0x01 at offset 34");
}

static void
test_extcmd_utf8_and_tabs_accepted(void **state)
{
	struct extcmd *c;

	c = parse_ok("ADD_HOST_COMMENT;core-sw1;0;Zoë;café\tok ✓ 😀");
	assert_string_equal(c->author, "Zoë");
	assert_string_equal(c->comment, "café\tok ✓ 😀");
	extcmd_free(c);
}

static void
test_extcmd_empty_and_overlong_lines_refused(void **state)
{
	char *big;
	struct extcmd *c;
	const char *head = "ADD_HOST_COMMENT;core-sw1;0;a;";
	size_t hl = strlen(head);

	refused("", -EINVAL, "empty command");
	refused(" \t\r\n", -EINVAL, "empty command");

	big = malloc(EXTCMD_MAX_LINE + 2);
	assert_non_null(big);
	memcpy(big, head, hl);
	memset(big + hl, 'x', EXTCMD_MAX_LINE + 1 - hl);
	big[EXTCMD_MAX_LINE + 1] = '\0';
	refused(big, -EINVAL, "command too long (8192 bytes, at most 8191)");
	/* The longest line is accepted, also with its '\n'. */
	big[EXTCMD_MAX_LINE] = '\n';
	c = parse_ok(big);
	assert_int_equal(strlen(c->comment), EXTCMD_MAX_LINE - hl);
	extcmd_free(c);
	free(big);
}

static void
test_extcmd_unknown_and_unsupported_commands(void **state)
{
	refused("CHANGE_HOST_CHECK_COMMAND;core-sw1;check_ping", -ENOTSUP,
	        "unknown or unsupported command 'CHANGE_HOST_CHECK_COMMAND'");
	refused("[1] CHANGE_SVC_CHECK_COMMAND;core-sw1;PING;check_ping",
	        -ENOTSUP,
	        "unknown or unsupported command 'CHANGE_SVC_CHECK_COMMAND'");
	refused("CHANGE_HOST_EVENT_HANDLER;core-sw1;x", -ENOTSUP,
	        "unknown or unsupported command 'CHANGE_HOST_EVENT_HANDLER'");
	refused("SHUTDOWN_PROGRAM", -ENOTSUP,
	        "unknown or unsupported command 'SHUTDOWN_PROGRAM'");
	/* Names are case-sensitive, as in Nagios. */
	refused("enable_host_check;core-sw1", -ENOTSUP,
	        "unknown or unsupported command 'enable_host_check'");
	refused("ENABLE_HOST_CHECKS;core-sw1", -ENOTSUP,
	        "unknown or unsupported command 'ENABLE_HOST_CHECKS'");
	refused("ENABLE HOST CHECK", -ENOTSUP,
	        "unknown or unsupported command 'ENABLE HOST CHECK'");
	refused(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAA;x",
	    -ENOTSUP,
	    "unknown or unsupported command "
	    "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "...'");
	refused(";core-sw1", -EINVAL, "missing command name");
	refused("[1] ;core-sw1", -EINVAL, "missing command name");
}

static void
test_extcmd_argument_counts(void **state)
{
	refused("ENABLE_HOST_CHECK", -EINVAL,
	        "ENABLE_HOST_CHECK takes 1 argument (host), got 0");
	refused("ENABLE_SVC_CHECK;core-sw1", -EINVAL,
	        "ENABLE_SVC_CHECK takes 2 arguments (host;service), got 1");
	refused("ENABLE_SVC_CHECK;core-sw1;PING;x", -EINVAL,
	        "ENABLE_SVC_CHECK takes 2 arguments (host;service), got 3");
	refused("DEL_HOST_DOWNTIME;1;", -EINVAL,
	        "DEL_HOST_DOWNTIME takes 1 argument (downtime_id), got 2");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;1", -EINVAL,
	        "ACKNOWLEDGE_HOST_PROBLEM takes 6 arguments "
	        "(host;sticky;notify;persistent;author;comment), got 3");
	refused("SCHEDULE_SVC_DOWNTIME;core-sw1;PING;1;2;1;0;0;a", -EINVAL,
	        "SCHEDULE_SVC_DOWNTIME takes 9 arguments "
	        "(host;service;start;end;fixed;trigger_id;duration;author;"
	        "comment), got 8");
	refused("PROCESS_SERVICE_CHECK_RESULT;core-sw1;PING;0", -EINVAL,
	        "PROCESS_SERVICE_CHECK_RESULT takes 4 arguments "
	        "(host;service;code;output), got 3");
}

static void
test_extcmd_empty_fields_refused(void **state)
{
	refused("ENABLE_HOST_CHECK;", -EINVAL, "host name is empty");
	refused("ENABLE_SVC_CHECK;core-sw1;", -EINVAL,
	        "service description is empty");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;;1;0;a;c", -EINVAL,
	        "sticky is empty");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;1;0;;c", -EINVAL,
	        "author is empty");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;1;0;a;", -EINVAL,
	        "comment is empty");
	refused("ADD_SVC_COMMENT;core-sw1;PING;1;a;", -EINVAL,
	        "comment is empty");
	refused("PROCESS_HOST_CHECK_RESULT;core-sw1;;UP", -EINVAL,
	        "return code is empty");
	refused("DEL_SVC_COMMENT;", -EINVAL, "comment id is empty");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;;2;1;0;0;a;c", -EINVAL,
	        "start time is empty");
}

static void
test_extcmd_bad_numbers_refused(void **state)
{
	refused("PROCESS_SERVICE_CHECK_RESULT;core-sw1;PING;4;x", -EINVAL,
	        "return code must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 "
	        "(UNKNOWN), not '4'");
	refused("PROCESS_SERVICE_CHECK_RESULT;core-sw1;PING;-1;x", -EINVAL,
	        "return code must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 "
	        "(UNKNOWN), not '-1'");
	refused("PROCESS_SERVICE_CHECK_RESULT;core-sw1;PING;OK;x", -EINVAL,
	        "return code must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 "
	        "(UNKNOWN), not 'OK'");
	refused("PROCESS_HOST_CHECK_RESULT;core-sw1;3;x", -EINVAL,
	        "return code must be 0 (UP), 1 (DOWN) or 2 (UNREACHABLE), "
	        "not '3'");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;3;1;0;a;c", -EINVAL,
	        "sticky must be 0, 1 or 2, not '3'");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;yes;0;a;c", -EINVAL,
	        "notify must be 0 or 1, not 'yes'");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;1;2;a;c", -EINVAL,
	        "persistent must be 0 or 1, not '2'");
	refused("ACKNOWLEDGE_HOST_PROBLEM;core-sw1;2;1; 1;a;c", -EINVAL,
	        "persistent must be 0 or 1, not ' 1'");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;1;2;true;0;0;a;c", -EINVAL,
	        "fixed must be 0 or 1, not 'true'");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;1.5;2;1;0;0;a;c", -EINVAL,
	        "start time must be epoch seconds from 0 to 253402300799, "
	        "not '1.5'");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;1;99999999999999999999;1;0;"
	        "0;a;c",
	        -EINVAL,
	        "end time must be epoch seconds from 0 to 253402300799, not "
	        "'99999999999999999999'");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;1;2;1;-1;0;a;c", -EINVAL,
	        "trigger id must be a number from 0 to 9223372036854775807, "
	        "not '-1'");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;1;2;0;0;316224001;a;c",
	        -EINVAL,
	        "duration must be seconds from 0 to 316224000, not "
	        "'316224001'");
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;1;2;0;0;1h;a;c", -EINVAL,
	        "duration must be seconds from 0 to 316224000, not '1h'");
	refused("DEL_HOST_DOWNTIME;0", -EINVAL,
	        "downtime id must be a number from 1 to 9223372036854775807, "
	        "not '0'");
	refused("DEL_HOST_COMMENT;0x10", -EINVAL,
	        "comment id must be a number from 1 to 9223372036854775807, "
	        "not '0x10'");
	refused("SCHEDULE_FORCED_HOST_CHECK;core-sw1;now", -EINVAL,
	        "check time must be epoch seconds from 0 to 253402300799, "
	        "not 'now'");
	refused("SEND_CUSTOM_HOST_NOTIFICATION;core-sw1;8;a;c", -EINVAL,
	        "options must be a number from 0 to 7, not '8'");
}

static void
test_extcmd_downtime_window_checked(void **state)
{
	refused("SCHEDULE_HOST_DOWNTIME;core-sw1;200;100;1;0;0;a;c", -EINVAL,
	        "end time 100 is not after start time 200");
	refused("SCHEDULE_SVC_DOWNTIME;core-sw1;PING;200;200;1;0;0;a;c",
	        -EINVAL, "end time 200 is not after start time 200");
	refused("SCHEDULE_HOST_SVC_DOWNTIME;core-sw1;100;200;0;0;0;a;c",
	        -EINVAL,
	        "duration must be at least 1 second for a flexible downtime "
	        "(fixed 0)");
}

static void
test_extcmd_overlong_fields_refused(void **state)
{
	char line[2048];
	char name[EXTCMD_MAX_NAME + 2];

	memset(name, 'h', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "ENABLE_HOST_CHECK;%s", name);
	refused(line, -EINVAL, "host name too long (1025 bytes, at most 1024)");
	snprintf(line, sizeof(line), "ENABLE_SVC_CHECK;core-sw1;%s", name);
	refused(line, -EINVAL,
	        "service description too long (1025 bytes, at most 1024)");
	name[EXTCMD_MAX_AUTHOR + 1] = '\0';
	snprintf(line, sizeof(line), "ADD_HOST_COMMENT;core-sw1;0;%s;c", name);
	refused(line, -EINVAL, "author too long (257 bytes, at most 256)");
}

static void
test_extcmd_unknown_objects_refused(void **state)
{
	char line[512];
	char name[200];
	size_t i;

	memset(&calls, 0, sizeof(calls));
	refused("ENABLE_HOST_CHECK;nosuch", -ENOENT, "unknown host 'nosuch'");
	/* The service is not looked up when its host is unknown. */
	refused("ENABLE_SVC_CHECK;nosuch;PING", -ENOENT,
	        "unknown host 'nosuch'");
	assert_int_equal(calls.hosts, 2);
	assert_int_equal(calls.services, 0);
	refused("ENABLE_SVC_CHECK;core-sw1;HTTP", -ENOENT,
	        "unknown service 'HTTP' on host 'core-sw1'");
	/* A service of another host is not this host's. */
	refused("ENABLE_SVC_CHECK;edge-rt1;Port Gi1/0/1", -ENOENT,
	        "unknown service 'Port Gi1/0/1' on host 'edge-rt1'");
	/* Nothing is looked up while the text is bad. */
	memset(&calls, 0, sizeof(calls));
	refused("ACKNOWLEDGE_SVC_PROBLEM;core-sw1;PING;7;1;0;a;c", -EINVAL,
	        "sticky must be 0, 1 or 2, not '7'");
	assert_int_equal(calls.hosts, 0);

	/* Quoted names are cut at 64 bytes, on a character boundary. */
	for (i = 0; i < 70; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2); /* é */
	name[140] = '\0';
	snprintf(line, sizeof(line), "ENABLE_HOST_CHECK;%s", name);
	name[64] = '\0';
	{
		char want[128];

		snprintf(want, sizeof(want), "unknown host '%.64s...'", name);
		refused(line, -ENOENT, want);
	}
	/* 'x' then 32 é: byte 64 falls inside the 32nd é, left out. */
	snprintf(line, sizeof(line), "ENABLE_HOST_CHECK;x%s", name);
	{
		char want[128];

		snprintf(want, sizeof(want), "unknown host 'x%.62s...'", name);
		refused(line, -ENOENT, want);
	}
}

static void
test_extcmd_without_lookup_checks_syntax_only(void **state)
{
	struct extcmd *c = NULL;
	char err[128] = "";
	const char *line = "ACKNOWLEDGE_SVC_PROBLEM;nosuch;HTTP;2;1;0;a;c";
	struct extcmd_lookup hosts_only = {find_host, NULL, &calls};

	assert_int_equal(
	    extcmd_parse(line, strlen(line), 0, NULL, &c, err, sizeof(err)), 0);
	assert_null(c->host);
	assert_null(c->service);
	assert_string_equal(c->host_name, "nosuch");
	assert_string_equal(c->service_description, "HTTP");
	extcmd_free(c);

	line = "ACKNOWLEDGE_SVC_PROBLEM;core-sw1;HTTP;2;1;0;a;c";
	assert_int_equal(extcmd_parse(line, strlen(line), 0, &hosts_only, &c,
	                              err, sizeof(err)),
	                 0);
	assert_ptr_equal(c->host, &hosts[0]);
	assert_null(c->service);
	extcmd_free(c);
}

/* The program-wide switches take no arguments: the name alone, with or
 * without the time prefix; anything after it is refused. */
static void
test_extcmd_program_wide(void **state)
{
	struct extcmd *c;

	(void)state;
	calls.hosts = calls.services = 0;
	c = parse_flags("[1700000000] STOP_EXECUTING_SVC_CHECKS\n",
	                EXTCMD_NEED_TIME);
	assert_int_equal(c->kind, EXTCMD_STOP_EXECUTING_SVC_CHECKS);
	assert_int_equal(c->entry_time, 1700000000);
	assert_string_equal(c->line, "STOP_EXECUTING_SVC_CHECKS");
	assert_null(c->host_name);
	assert_null(c->host);
	assert_null(c->author);
	extcmd_free(c);
	c = parse_ok("  DISABLE_NOTIFICATIONS  ");
	assert_int_equal(c->kind, EXTCMD_DISABLE_NOTIFICATIONS);
	extcmd_free(c);
	/* no lookup for a command that names no object */
	assert_int_equal(calls.hosts, 0);
	assert_int_equal(calls.services, 0);
	assert_string_equal(extcmd_kind_args(EXTCMD_ENABLE_EVENT_HANDLERS), "");

	refused("ENABLE_NOTIFICATIONS;", -EINVAL,
	        "ENABLE_NOTIFICATIONS takes no arguments, got 1");
	refused("STOP_EXECUTING_HOST_CHECKS;core-sw1", -EINVAL,
	        "STOP_EXECUTING_HOST_CHECKS takes no arguments, got 1");
	refused("START_EXECUTING_SVC_CHECKS;a;b", -EINVAL,
	        "START_EXECUTING_SVC_CHECKS takes no arguments, got 2");
	refused("enable_notifications", -ENOTSUP,
	        "unknown or unsupported command 'enable_notifications'");
	refused("ENABLE_NOTIFICATIONS_NOW", -ENOTSUP,
	        "unknown or unsupported command 'ENABLE_NOTIFICATIONS_NOW'");
	/* the Nagios program-wide commands not supported stay refused */
	refused("START_ACCEPTING_PASSIVE_SVC_CHECKS", -ENOTSUP,
	        "unknown or unsupported command "
	        "'START_ACCEPTING_PASSIVE_SVC_CHECKS'");
	refused_len("DISABLE_NOTIFICATIONS", 21, EXTCMD_NEED_TIME, -EINVAL,
	            "missing '[<epoch seconds>] ' before the command");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_extcmd_check_results),
	    cmocka_unit_test(test_extcmd_acknowledgements),
	    cmocka_unit_test(test_extcmd_downtimes),
	    cmocka_unit_test(test_extcmd_comments_checks_notifications),
	    cmocka_unit_test(test_extcmd_every_kind_parses_to_itself),
	    cmocka_unit_test(test_extcmd_time_prefix),
	    cmocka_unit_test(test_extcmd_blanks_and_line_ends),
	    cmocka_unit_test(test_extcmd_bad_bytes_refused),
	    cmocka_unit_test(test_extcmd_utf8_and_tabs_accepted),
	    cmocka_unit_test(test_extcmd_empty_and_overlong_lines_refused),
	    cmocka_unit_test(test_extcmd_unknown_and_unsupported_commands),
	    cmocka_unit_test(test_extcmd_argument_counts),
	    cmocka_unit_test(test_extcmd_empty_fields_refused),
	    cmocka_unit_test(test_extcmd_bad_numbers_refused),
	    cmocka_unit_test(test_extcmd_downtime_window_checked),
	    cmocka_unit_test(test_extcmd_overlong_fields_refused),
	    cmocka_unit_test(test_extcmd_unknown_objects_refused),
	    cmocka_unit_test(test_extcmd_without_lookup_checks_syntax_only),
	    cmocka_unit_test(test_extcmd_program_wide),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
