/*
 * evlog: one FILE opened for appending, line-buffered so every event reaches
 * the file when it is logged (a crash loses nothing already logged). Event
 * lines are short and local; a blocking append is what Nagios does too.
 */
#include "evlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Longest event line; longer text is cut. */
#define EVLOG_MAX_LINE 8192

struct evlog {
	FILE *fp;
	char *path;
};

int
evlog_open(const char *path, struct evlog **out, char *err, size_t errlen)
{
	struct evlog *ev;
	int fd, rc;

	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (ev == NULL)
		return -ENOMEM;
	if (path == NULL) {
		*out = ev;
		return 0;
	}
	ev->path = strdup(path);
	if (ev->path == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open log_file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	ev->fp = fdopen(fd, "a");
	if (ev->fp == NULL) {
		rc = -errno;
		close(fd);
		snprintf(err, errlen, "cannot open log_file %s: %s", path,
		    strerror(-rc));
		goto fail;
	}
	setvbuf(ev->fp, NULL, _IOLBF, 0);
	*out = ev;
	return 0;
fail:
	free(ev->path);
	free(ev);
	return rc;
}

int
evlog_chown(struct evlog *ev, unsigned uid, unsigned gid)
{
	if (ev->fp == NULL)
		return 0;
	if (fchown(fileno(ev->fp), uid, gid) != 0)
		return -errno;
	return 0;
}

void
evlog_close(struct evlog *ev)
{
	if (ev == NULL)
		return;
	if (ev->fp != NULL)
		fclose(ev->fp);
	free(ev->path);
	free(ev);
}

static void
evlog_vwrite(struct evlog *ev, int64_t when, const char *fmt, va_list ap)
{
	char buf[EVLOG_MAX_LINE];
	char *p;

	if (ev == NULL || ev->fp == NULL)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(ev->fp, "[%lld] %s\n", (long long)when, buf);
}

void
evlog_write(struct evlog *ev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evlog_vwrite(ev, (int64_t)time(NULL), fmt, ap);
	va_end(ap);
}

void
evlog_write_at(struct evlog *ev, int64_t when, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	evlog_vwrite(ev, when, fmt, ap);
	va_end(ap);
}
