/*
 * evlog: the event log, in the line format Nagios users and their tools
 * know: "[epoch] HOST ALERT: name;DOWN;HARD;3;output". One line per event,
 * written as it happens (line-buffered), to log_file.
 */
#ifndef PHAROS_EVLOG_H
#define PHAROS_EVLOG_H

#include <stddef.h>
#include <stdint.h>

#include "logarch.h"

struct evlog;
struct loop;

/* Called after each rotation (to write the CURRENT ... STATE lines). */
typedef void evlog_rotated_fn(void *arg);

/* Open (append, create 0644) path. Returns 0 or -errno (err filled). A NULL
 * path gives a log that writes nowhere. */
int evlog_open(const char *path, struct evlog **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Give the file to uid/gid so it can be reopened after privileges are
 * dropped. Returns 0 or -errno. */
int evlog_chown(struct evlog *ev, unsigned uid, unsigned gid);
void evlog_close(struct evlog *ev); /* NULL no-op */

/* Rotate the file into archive_dir (logarch.h names) at each boundary of
 * method (local time), reopen it and call rotated. LOGARCH_NONE or a log
 * without a file: nothing. Returns 0, -ENOMEM or -EINVAL. */
int evlog_set_rotation(struct evlog *ev, struct loop *loop,
    enum logarch_method method, const char *archive_dir,
    evlog_rotated_fn *rotated, void *arg)
    __attribute__((warn_unused_result));
void evlog_counters(const struct evlog *ev, uint64_t *rotations,
    uint64_t *errors);

/* Write "[now] " + the formatted text + "\n". Newlines inside the text are
 * replaced by spaces so one event is always one line. */
void evlog_write(struct evlog *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Same with an explicit timestamp (tests). */
void evlog_write_at(struct evlog *ev, int64_t when, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
