/*
 * log: diagnostic messages to stderr. The settings are the one piece of
 * process-wide state in the daemon besides signal flags: a program name and
 * a level, written once at start, read-only afterwards.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *log_prog = "pharos";
static enum log_level log_max = LOG_LEVEL_INFO;

void
log_init(const char *progname, enum log_level level)
{
	log_prog = progname;
	log_max = level;
}

static void
log_vemit(const char *tag, const char *fmt, va_list ap, int errnum)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
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
