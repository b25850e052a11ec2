/*
 * macro: expanding a Nagios command line for one host or service check and
 * splitting it into the argv that the plugin runner starts.
 *
 * Macros ($HOSTADDRESS$, $ARG1$, $USER1$, $_HOSTSNMP_COMMUNITY$, ...) are
 * replaced by their values in one pass; values are never scanned for
 * macros again, except $ARGn$ values, which are expanded once as Nagios
 * does (check_command foo!$HOSTADDRESS$ works). Unknown macros stay as
 * written and are listed in the result, so that the caller can log a
 * warning once.
 *
 * Values come in two kinds. Values from the configuration (names,
 * addresses, $ARGn$, $USERn$, custom variables, numbers) are trusted: they
 * are spliced into the line exactly as Nagios does, so an $ARG1$ of
 * "-w 80 -c 90" gives four arguments and quotes inside it count. Values
 * from outside (plugin output, long output and perfdata of hosts and
 * services; extra macros flagged tainted) are stripped of Nagios'
 * illegal_macro_output_chars and then inserted as literal text: they never
 * split a word, never open or close a quote, and when the line runs under
 * /bin/sh they are single-quoted, so nothing from outside can become shell
 * syntax.
 *
 * The expanded line is split like a POSIX shell splits words (blanks,
 * single quotes, double quotes, backslash) and run directly. A line with
 * shell syntax outside quotes (pipes, lists, redirections, substitutions,
 * globs, a leading ~ or #, variable references, assignments before the
 * command) runs as {"/bin/sh", "-c", line} instead.
 */
#ifndef PHAROS_MACRO_H
#define PHAROS_MACRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects.h"

/* Longest expanded command line (and shell line), in bytes. */
#define MACRO_MAX_LINE (64 * 1024)
/* $ARG1$..$ARG32$, $USER1$..$USER256$, as Nagios. */
#define MACRO_MAX_ARGS 32
#define MACRO_MAX_USER 256
/* Distinct unknown macros reported per expansion; more are not listed. */
#define MACRO_MAX_UNKNOWN 8
/* Nagios' default illegal_macro_output_chars. */
#define MACRO_ILLEGAL_CHARS "`~$&|'\"<>"
#define MACRO_SHELL "/bin/sh"

/* An extra macro for one expansion (for SNMP and trap strings later):
 * $NAME$ expands to value. All borrowed. */
struct macro_var {
	const char *name;  /* without the '$', e.g. "TRAPOID"; case-sensitive */
	const char *value; /* NULL expands to "" */
	bool tainted;      /* from outside: stripped and quoted */
};

/* What a command line is expanded against. Everything is borrowed for the
 * duration of macro_command(); any pointer may be NULL. */
struct macro_ctx {
	/* The host of the check. For a service check it may be NULL: then
	 * service->host is used. Host macros without a host and service
	 * macros without a service expand to "". */
	const struct host *host;
	const struct service *service;
	/* $ARG1$.. from the check_command; an $ARGn$ past spec->nargs (or
	 * with no spec) expands to "". */
	const struct check_spec *spec;
	/* $USER1$ is user_macros[0]; NULL entries and $USERn$ past
	 * nuser_macros expand to "". Pass config->user_macros and
	 * CONF_MAX_USER_MACROS. */
	char *const *user_macros;
	size_t nuser_macros;
	/* Extra macros, looked up before the built-in ones. */
	const struct macro_var *vars;
	size_t nvars;
	/* Wall-clock epoch seconds for $TIMET$ and $LONGDATETIME$; 0 means
	 * time(NULL). */
	int64_t now;
};

/* The result of macro_command(). */
struct macro_argv {
	char **argv;  /* argc strings and a NULL; owned */
	size_t argc;
	bool shell;   /* argv is {MACRO_SHELL, "-c", line} */
	/* Unknown macros as written (e.g. "$FOO$"), distinct, in order of
	 * appearance, at most MACRO_MAX_UNKNOWN; owned. */
	char *unknown[MACRO_MAX_UNKNOWN];
	size_t nunknown;
};

/*
 * Expand line against ctx and split it into out->argv (see the top of this
 * file). out is overwritten (not freed first); on success the caller frees
 * it with macro_argv_free(). Returns 0, or -E2BIG (the expanded line or
 * the shell line is longer than MACRO_MAX_LINE), -EINVAL (an unbalanced
 * quote, or nothing to run), -ENOMEM; on error out is left empty and err
 * (errlen bytes, may be 0) says why, in words fit for a check result.
 */
int macro_command(const struct macro_ctx *ctx, const char *line,
    struct macro_argv *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Free what macro_command() put into av and leave it empty. NULL is a
 * no-op. */
void macro_argv_free(struct macro_argv *av);

/* Remove MACRO_ILLEGAL_CHARS from s in place (for callers that insert
 * outside strings elsewhere). Returns the new length. */
size_t macro_strip_illegal(char *s);

#endif
