/*
 * cmdfifo: the external command FIFO, read on the event loop and split
 * into lines (the rules are in cmdfifo.h).
 *
 * Data structures and invariants:
 *
 * - rfd is the FIFO opened O_RDONLY|O_NONBLOCK and watched for LOOP_READ
 *   (level-triggered); wfd is a write end held open and never written, so
 *   rfd never reports end-of-file or hang-up when writers close.
 *
 * - Reads go into rbuf (CMDFIFO_READ_CHUNK bytes). A line that starts and
 *   ends inside one read is handed over from rbuf directly (its '\n'
 *   overwritten with a NUL). Otherwise its bytes collect in line[0 .. len),
 *   len <= CMDFIFO_MAX_LINE, with room for a NUL after them.
 *
 * - At most one of "len > 0" (a piece pending) and skipping (dropping an
 *   overlong line up to its '\n') holds. While either holds after a
 *   wakeup, the partial timer runs, re-armed at each wakeup that leaves
 *   one, so it fires CMDFIFO_PARTIAL_MS after the last data; when it fires
 *   the piece is dropped. paused is set when the wakeup that left one
 *   ended on EAGAIN (the writer had nothing more to give at once); the
 *   first data read after that is checked for the start of a new command.
 *
 * - A wakeup makes at most CMDFIFO_READS_PER_WAKEUP reads, so a flood of
 *   commands cannot hold the loop; level-triggered epoll calls back for
 *   the rest on the next pass.
 *
 * - dev and ino are the FIFO's identity from fstat(rfd): free() unlinks
 *   the path only while it still names that file.
 */
#ifdef HAVE_CONFIG_H
#include "config.h" /* _GNU_SOURCE: F_SETPIPE_SZ */
#endif

#include "cmdfifo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define CMDFIFO_READ_CHUNK (64 * 1024)
#define CMDFIFO_READS_PER_WAKEUP 16
/* Asked of the kernel (best effort): room for a burst of commands, such
 * as a web user acknowledging hundreds of services, while the loop is
 * busy, before writers block. */
#define CMDFIFO_PIPE_SIZE (1024 * 1024)
#define CMDFIFO_PARTIAL_NS (CMDFIFO_PARTIAL_MS * LOOP_NS_PER_MSEC)

struct cmdfifo {
	struct loop *loop;
	char *path;
	int rfd;
	int wfd;
	bool created; /* path is a FIFO we made: ours to unlink */
	dev_t dev;
	ino_t ino;
	cmdfifo_line_fn *fn;
	void *arg;

	char *rbuf;
	char *line; /* CMDFIFO_MAX_LINE + 1 bytes */
	size_t len;
	bool skipping;
	bool paused;
	struct loop_timer partial;

	struct cmdfifo_counters counters;
};

/* True when data[0 .. n) begins with "[<digits>] ", the start of a
 * command as Nagios writers send it. */
static bool
cmdfifo_starts_command(const char *data, size_t n)
{
	size_t i;

	if (n < 4 || data[0] != '[')
		return false;
	for (i = 1; i < n && data[i] >= '0' && data[i] <= '9'; i++)
		;
	return i > 1 && i + 1 < n && data[i] == ']' && data[i + 1] == ' ';
}

/* Drop a pending piece (counted) or end the skipping of an overlong line
 * (already counted as overlong). */
static void
cmdfifo_drop_pending(struct cmdfifo *f)
{
	if (f->len > 0)
		f->counters.partial_discarded++;
	f->len = 0;
	f->skipping = false;
	f->paused = false;
}

static void
cmdfifo_deliver(struct cmdfifo *f, char *line, size_t len)
{
	line[len] = '\0';
	if (len == 0)
		return;
	f->counters.lines++;
	f->fn(line, len, f->arg);
}

/* Split the n bytes read at data into lines. */
static void
cmdfifo_feed(struct cmdfifo *f, char *data, size_t n)
{
	char *nl;
	size_t seg;

	if (f->paused) {
		f->paused = false;
		if ((f->len > 0 || f->skipping) &&
		    cmdfifo_starts_command(data, n))
			cmdfifo_drop_pending(f);
	}
	while (n > 0) {
		nl = memchr(data, '\n', n);
		seg = nl != NULL ? (size_t)(nl - data) : n;
		if (f->skipping) {
			/* dropped */
		} else if (seg > CMDFIFO_MAX_LINE - f->len) {
			f->counters.overlong++;
			f->len = 0;
			f->skipping = true;
		} else if (nl != NULL && f->len == 0) {
			cmdfifo_deliver(f, data, seg);
		} else {
			memcpy(f->line + f->len, data, seg);
			f->len += seg;
			if (nl != NULL) {
				cmdfifo_deliver(f, f->line, f->len);
				f->len = 0;
			}
		}
		if (nl == NULL)
			break;
		f->skipping = false;
		data = nl + 1;
		n -= seg + 1;
	}
}

static void
cmdfifo_partial_expired(struct loop *loop, struct loop_timer *t, void *arg)
{
	cmdfifo_drop_pending(arg);
}

static void
cmdfifo_readable(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct cmdfifo *f = arg;
	bool drained = false;
	ssize_t n;
	int i, err;

	for (i = 0; i < CMDFIFO_READS_PER_WAKEUP; i++) {
		n = read(fd, f->rbuf, CMDFIFO_READ_CHUNK);
		if (n > 0) {
			cmdfifo_feed(f, f->rbuf, (size_t)n);
			continue;
		}
		err = n < 0 ? errno : 0;
		if (err == EINTR)
			continue;
		if (err == EAGAIN || err == EWOULDBLOCK) {
			drained = true;
			break;
		}
		/* End-of-file cannot happen while wfd is open, nor can other
		 * errors on a FIFO: stop rather than spin on them. */
		log_warnx("command file %s: %s; external commands are no "
		          "longer read",
		          f->path, err != 0 ? strerror(err) : "end of file");
		loop_io_del(loop, fd);
		break;
	}
	if (f->len > 0 || f->skipping) {
		f->paused = drained;
		if (loop_timer_start(loop, &f->partial,
		                     loop_now(loop) + CMDFIFO_PARTIAL_NS) != 0)
			cmdfifo_drop_pending(f); /* no memory for the timer */
	} else
		loop_timer_stop(loop, &f->partial);
}

/* Make room at path: nothing there, or a FIFO nobody reads (removed).
 * Returns 0 or -errno with err filled. */
static int
cmdfifo_clear_path(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "command file %s: %s", path,
		         strerror(-rc));
		return rc;
	}
	if (!S_ISFIFO(st.st_mode)) {
		snprintf(err, errlen,
		         "command file %s exists and is not a FIFO (%s): "
		         "remove it or set command_file to another path",
		         path,
		         S_ISREG(st.st_mode)   ? "a regular file"
		         : S_ISLNK(st.st_mode) ? "a symbolic link"
		         : S_ISDIR(st.st_mode) ? "a directory"
		                               : "a special file");
		return -EEXIST;
	}
	/* Opening a FIFO to write without blocking succeeds only when some
	 * process has it open to read. */
	fd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		snprintf(err, errlen,
		         "command file %s is read by another process "
		         "(another pharosd?)",
		         path);
		return -EBUSY;
	}
	if (errno != ENXIO) {
		rc = -errno;
		snprintf(err, errlen, "command file %s: open: %s", path,
		         strerror(-rc));
		return rc;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen,
		         "command file %s: removing the old FIFO: %s", path,
		         strerror(-rc));
		return rc;
	}
	return 0;
}

int
cmdfifo_new(struct loop *loop, const char *path, cmdfifo_line_fn *fn, void *arg,
            struct cmdfifo **out, char *err, size_t errlen)
{
	struct cmdfifo *f;
	struct stat st, wst;
	const char *step;
	int rc;

	*out = NULL;
	if (loop == NULL || path == NULL || *path == '\0' || fn == NULL) {
		snprintf(err, errlen, "command file: bad arguments");
		return -EINVAL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	f->loop = loop;
	f->rfd = -1;
	f->wfd = -1;
	f->fn = fn;
	f->arg = arg;
	loop_timer_init(&f->partial, cmdfifo_partial_expired, f);
	f->path = strdup(path);
	f->rbuf = malloc(CMDFIFO_READ_CHUNK);
	f->line = malloc(CMDFIFO_MAX_LINE + 1);
	if (f->path == NULL || f->rbuf == NULL || f->line == NULL)
		goto nomem;

	if ((rc = cmdfifo_clear_path(path, err, errlen)) != 0)
		goto fail;
	/* The umask can only narrow 0660; fchmod() below sets it exactly,
	 * on the file opened rather than on whatever the path names. */
	step = "mkfifo";
	if (mkfifo(path, 0660) != 0)
		goto fail_errno;
	f->created = true;
	step = "open";
	f->rfd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (f->rfd < 0)
		goto fail_errno;
	step = "fstat";
	if (fstat(f->rfd, &st) != 0)
		goto fail_errno;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (!S_ISFIFO(st.st_mode)) {
		f->created = false; /* not ours: never unlink it */
		snprintf(err, errlen,
		         "command file %s was replaced while "
		         "being created",
		         path);
		rc = -EEXIST;
		goto fail;
	}
	step = "fchmod";
	if (fchmod(f->rfd, 0660) != 0)
		goto fail_errno;
	step = "open for writing";
	f->wfd = open(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (f->wfd < 0)
		goto fail_errno;
	if (fstat(f->wfd, &wst) != 0 || wst.st_dev != f->dev ||
	    wst.st_ino != f->ino) {
		snprintf(err, errlen,
		         "command file %s was replaced while "
		         "being opened",
		         path);
		rc = -EEXIST;
		goto fail;
	}
	(void)fcntl(f->rfd, F_SETPIPE_SZ, CMDFIFO_PIPE_SIZE);
	if ((rc = loop_io_add(loop, f->rfd, LOOP_READ, cmdfifo_readable, f)) !=
	    0) {
		snprintf(err, errlen, "command file %s: watching: %s", path,
		         strerror(-rc));
		goto fail;
	}
	*out = f;
	return 0;

fail_errno:
	rc = -errno;
	snprintf(err, errlen, "command file %s: %s: %s", path, step,
	         strerror(-rc));
	goto fail;
nomem:
	rc = -ENOMEM;
	snprintf(err, errlen, "command file %s: out of memory", path);
fail:
	cmdfifo_free(f);
	return rc;
}

void
cmdfifo_free(struct cmdfifo *f)
{
	struct stat st;

	if (f == NULL)
		return;
	loop_timer_stop(f->loop, &f->partial);
	if (f->rfd >= 0) {
		loop_io_del(f->loop, f->rfd);
		close(f->rfd);
	}
	if (f->wfd >= 0)
		close(f->wfd);
	/* Only the FIFO we made: a newer daemon may have replaced it. When
	 * it could not be opened, its identity is unknown: the path was
	 * ours a moment ago (mkfifo succeeded), so remove it. */
	if (f->created && lstat(f->path, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    (f->rfd < 0 || (st.st_dev == f->dev && st.st_ino == f->ino)))
		(void)unlink(f->path);
	free(f->path);
	free(f->rbuf);
	free(f->line);
	free(f);
}

const char *
cmdfifo_path(const struct cmdfifo *f)
{
	return f->path;
}

int
cmdfifo_chown(struct cmdfifo *f, uid_t uid, gid_t gid)
{
	if (fchown(f->rfd, uid, gid) != 0)
		return -errno;
	return 0;
}

void
cmdfifo_count_bad(struct cmdfifo *f)
{
	f->counters.bad_lines++;
}

const struct cmdfifo_counters *
cmdfifo_get_counters(const struct cmdfifo *f)
{
	return &f->counters;
}
