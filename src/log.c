/*
 * log: diagnostic messages to stderr, or to syslog (daemon facility) once
 * pharosd has detached from its terminal. The settings are the one piece of
 * process-wide state in the daemon besides signal flags: a program name, a
 * level and the destination, written at start, read-only afterwards.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static const char *log_prog = "pharos";
static enum log_level log_max = LOG_LEVEL_INFO;
static bool log_syslog;

void
log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_max = level;
}

void
log_to_syslog(void)
{
	openlog(log_prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_syslog = true;
}

static void
log_vemit(const char *tag, const char *fmt, va_list ap, int errnum)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_syslog) {
		int prio = tag[0] == '\0' ? LOG_INFO : tag[0] == 'd' ?
		    LOG_DEBUG : tag[0] == 'f' ? LOG_CRIT : LOG_WARNING;

		if (errnum != 0)
			syslog(prio, "%s%s: %s", tag, buf, strerror(errnum));
		else
			syslog(prio, "%s%s", tag, buf);
		return;
	}
	if (errnum != 0)
		fprintf(stderr, "%s: %s%s: %s\n", log_prog, tag, buf,
		    strerror(errnum));
	else
		fprintf(stderr, "%s: %s%s\n", log_prog, tag, buf);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_max < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vemit("", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_max < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vemit("debug: ", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal: ", fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
