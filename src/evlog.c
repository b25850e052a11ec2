/*
 * evlog: one FILE opened for appending, line-buffered so every event reaches
 * the file when it is logged (a crash loses nothing already logged). Event
 * lines are short and local; a blocking append is what Nagios does too.
 * Rotation (logarch.h) runs on a loop timer aimed at the next wall-clock
 * boundary; the timer is re-aimed when it fires early (the wall clock
 * moved), so a clock step neither skips nor repeats a rotation.
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

#include "log.h"
#include "logarch.h"
#include "loop.h"

/* Longest event line; longer text is cut. */
#define EVLOG_MAX_LINE 8192

struct evlog {
	FILE *fp;
	char *path;
	/* rotation */
	struct loop *loop;
	struct loop_timer timer;
	enum logarch_method method;
	char *archive_dir;
	int64_t next;        /* wall clock of the next rotation */
	evlog_rotated_fn *rotated;
	void *arg;
	uint64_t rotations, rotate_errors;
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
	if (ev->loop != NULL)
		loop_timer_stop(ev->loop, &ev->timer);
	if (ev->fp != NULL)
		fclose(ev->fp);
	free(ev->archive_dir);
	free(ev->path);
	free(ev);
}

static void
evlog_arm(struct evlog *ev)
{
	int64_t now = (int64_t)time(NULL), wait;

	wait = ev->next > now ? ev->next - now : 0;
	if (loop_timer_start(ev->loop, &ev->timer, loop_now(ev->loop) +
	    wait * LOOP_NS_PER_SEC) != 0)
		log_warnx("event log: cannot schedule its rotation");
}

/* Rename the file into the archive, reopen the path, tell the owner. */
static void
evlog_rotate_now(struct evlog *ev)
{
	char archived[4096], err[512];
	FILE *nfp;
	int rc;

	rc = logarch_rotate(ev->path, ev->archive_dir, ev->method, ev->next,
	    archived, sizeof(archived), err, sizeof(err));
	if (rc != 0) {
		ev->rotate_errors++;
		log_warnx("event log rotation: %s", err);
		return;
	}
	if ((nfp = fopen(ev->path, "a")) == NULL) {
		ev->rotate_errors++;
		log_warn("event log: cannot reopen %s after rotation",
		    ev->path);
		return;
	}
	setvbuf(nfp, NULL, _IOLBF, 0);
	fclose(ev->fp);
	ev->fp = nfp;
	ev->rotations++;
	if (ev->rotated != NULL)
		ev->rotated(ev->arg);
}

static void
evlog_timer(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct evlog *ev = arg;
	int64_t now = (int64_t)time(NULL);

	if (now >= ev->next) {
		evlog_rotate_now(ev);
		if (logarch_next(ev->method, now, &ev->next) != 0)
			return;
	}
	evlog_arm(ev);
}

int
evlog_set_rotation(struct evlog *ev, struct loop *loop,
    enum logarch_method method, const char *archive_dir,
    evlog_rotated_fn *rotated, void *arg)
{
	if (ev->fp == NULL || method == LOGARCH_NONE)
		return 0;
	if ((ev->archive_dir = strdup(archive_dir)) == NULL)
		return -ENOMEM;
	ev->loop = loop;
	ev->method = method;
	ev->rotated = rotated;
	ev->arg = arg;
	loop_timer_init(&ev->timer, evlog_timer, ev);
	if (logarch_next(method, (int64_t)time(NULL), &ev->next) != 0)
		return -EINVAL;
	evlog_arm(ev);
	return 0;
}

void
evlog_counters(const struct evlog *ev, uint64_t *rotations,
    uint64_t *errors)
{
	*rotations = ev->rotations;
	*errors = ev->rotate_errors;
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
