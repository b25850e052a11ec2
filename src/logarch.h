/*
 * logarch: rotation of the event log into an archive folder, the way
 * Nagios rotates nagios.log (log_rotation_method, log_archive_path); see
 * docs/logs.md.
 *
 * An archive is named for the local date and hour of its rotation:
 * "pharos-MM-DD-YYYY-HH.log", Nagios' "nagios-MM-DD-YYYY-HH.log" with our
 * name. It holds the events logged before that rotation (since the one
 * before it), so the daily archive "pharos-04-15-2025-00.log" holds
 * April 14. The names and the rotation times are in local time, as in
 * Nagios: daily, weekly and monthly rotations happen at local midnight,
 * on both sides of a daylight-saving change.
 *
 * Nothing here keeps state; the caller (evlog's owner) keeps the timer.
 */
#ifndef PHAROS_LOGARCH_H
#define PHAROS_LOGARCH_H

#include <stddef.h>
#include <stdint.h>

/* log_rotation_method, by Nagios' letters. */
enum logarch_method {
	LOGARCH_NONE = 'n',
	LOGARCH_HOURLY = 'h',
	LOGARCH_DAILY = 'd', /* Nagios' default */
	LOGARCH_WEEKLY = 'w',
	LOGARCH_MONTHLY = 'm',
};

/* "pharos-MM-DD-YYYY-HH.log": the length of an archive's base name. */
#define LOGARCH_NAME_LEN 24

/* Parse a log_rotation_method value: exactly one of n h d w m. Returns 0
 * with *out set, or -EINVAL. */
int logarch_method_parse(const char *s, enum logarch_method *out)
    __attribute__((warn_unused_result));
/* "NONE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY" ("UNKNOWN" otherwise). */
const char *logarch_method_name(enum logarch_method m);

/* The next rotation after now (epoch seconds), in local time: hourly at
 * the next full hour, daily at the next midnight, weekly at the midnight
 * starting the next Sunday, monthly at midnight on the 1st of the next
 * month (Nagios' schedule). Always > now. Returns 0 with *next set,
 * -EINVAL for LOGARCH_NONE or an unknown method, -ERANGE when the time
 * cannot be represented. */
int logarch_next(enum logarch_method m, int64_t now, int64_t *next)
    __attribute__((warn_unused_result));

/* Write dir + "/pharos-MM-DD-YYYY-HH.log" for the local time of when
 * into buf (one '/' between them even when dir ends with one). Returns
 * 0, -ENAMETOOLONG when buf is too small, -EINVAL when when has no local
 * time. */
int logarch_name(char *buf, size_t len, const char *dir, int64_t when)
    __attribute__((warn_unused_result));

/* Read an archive's base name back: "pharos-MM-DD-YYYY-HH.log", or a
 * Nagios archive "nagios-MM-DD-YYYY-HH.log", gives the epoch of the start
 * of that local hour (in an hour that a daylight-saving change repeats,
 * either of the two). Returns 0, or -EINVAL for any other name or an
 * impossible date. */
int logarch_name_parse(const char *base, int64_t *when)
    __attribute__((warn_unused_result));

/* Rotate the log at log_path into dir for a rotation at when (pass the
 * time logarch_next() gave, as Nagios does, so that a timer firing a
 * moment early still names the archive for the new hour):
 *   1. the archive name for when; if that file exists nothing is done
 *      and -EEXIST returned (Nagios never overwrites an archive);
 *   2. log_path is renamed to it (copied and removed across file
 *      systems);
 *   3. a new log_path is created with the old file's mode and owner (the
 *      owner when permitted) and starts with
 *        [when] LOG ROTATION: DAILY
 *        [when] LOG VERSION: 2.0
 * The writer of the log must reopen it afterwards (its open file is now
 * the archive): close it first or reopen at once, from the same thread.
 * LOGARCH_NONE does nothing and returns 0. The archive's path is copied
 * to archived when not NULL. Returns 0 or -errno with err filled. */
int logarch_rotate(const char *log_path, const char *dir,
    enum logarch_method m, int64_t when, char *archived, size_t archlen,
    char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
