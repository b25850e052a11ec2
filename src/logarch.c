/*
 * logarch: rotation times, archive names and the rotation of one file.
 * No state is kept: every function works from its arguments and the
 * process's time zone (TZ, read through localtime_r/mktime).
 *
 * Local-time arithmetic is left to mktime() with tm_isdst = -1, which
 * finds the offset in force at the wanted wall-clock time. Nagios instead
 * keeps the current offset and corrects by one hour afterwards; the
 * result is the same local midnight. Hourly rotation is counted from the
 * start of the current local hour plus 3600 s, so the hour a
 * daylight-saving change repeats still gets its own rotation.
 */
#include "logarch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOGARCH_COPY_BUF 65536

int
logarch_method_parse(const char *s, enum logarch_method *out)
{
	if (s[0] == '\0' || s[1] != '\0' || strchr("nhdwm", s[0]) == NULL)
		return -EINVAL;
	*out = (enum logarch_method)s[0];
	return 0;
}

const char *
logarch_method_name(enum logarch_method m)
{
	switch (m) {
	case LOGARCH_NONE:
		return "NONE";
	case LOGARCH_HOURLY:
		return "HOURLY";
	case LOGARCH_DAILY:
		return "DAILY";
	case LOGARCH_WEEKLY:
		return "WEEKLY";
	case LOGARCH_MONTHLY:
		return "MONTHLY";
	}
	return "UNKNOWN";
}

static bool
logarch_local(int64_t when, struct tm *tm)
{
	time_t t = (time_t)when;

	if ((int64_t)t != when)
		return false;
	return localtime_r(&t, tm) != NULL;
}

int
logarch_next(enum logarch_method m, int64_t now, int64_t *next)
{
	struct tm tm;
	time_t t;

	if (!logarch_local(now, &tm))
		return -ERANGE;
	switch (m) {
	case LOGARCH_HOURLY:
		*next = now - tm.tm_min * 60 - tm.tm_sec + 3600;
		return 0;
	case LOGARCH_DAILY:
		tm.tm_mday++;
		break;
	case LOGARCH_WEEKLY:
		tm.tm_mday += 7 - tm.tm_wday; /* the next Sunday */
		break;
	case LOGARCH_MONTHLY:
		tm.tm_mon++;
		tm.tm_mday = 1;
		break;
	case LOGARCH_NONE:
	default:
		return -EINVAL;
	}
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || (int64_t)t <= now)
		return -ERANGE;
	*next = (int64_t)t;
	return 0;
}

int
logarch_name(char *buf, size_t len, const char *dir, int64_t when)
{
	size_t dl = strlen(dir);
	struct tm tm;
	int n;

	if (!logarch_local(when, &tm) || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0)
		return -EINVAL;
	n = snprintf(buf, len, "%s%spharos-%02d-%02d-%04d-%02d.log", dir,
	    dl > 0 && dir[dl - 1] == '/' ? "" : "/", tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_year + 1900, tm.tm_hour);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* n decimal digits at s into *v. */
static bool
logarch_digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

int
logarch_name_parse(const char *base, int64_t *when)
{
	int mon, day, year, hour;
	struct tm tm;
	time_t t;

	/* "pharos-" and "nagios-" are both 7 bytes */
	if (strlen(base) != LOGARCH_NAME_LEN ||
	    (strncmp(base, "pharos-", 7) != 0 &&
	     strncmp(base, "nagios-", 7) != 0))
		return -EINVAL;
	if (!logarch_digits(base + 7, 2, &mon) || base[9] != '-' ||
	    !logarch_digits(base + 10, 2, &day) || base[12] != '-' ||
	    !logarch_digits(base + 13, 4, &year) || base[17] != '-' ||
	    !logarch_digits(base + 18, 2, &hour) ||
	    strcmp(base + 20, ".log") != 0)
		return -EINVAL;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || tm.tm_mday != day ||
	    tm.tm_mon != mon - 1)
		return -EINVAL; /* e.g. 02-30 */
	*when = (int64_t)t;
	return 0;
}

/* Write all of buf to fd. */
static int
logarch_write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Copy from to a new file to (never overwriting one), then remove from:
 * rename(2) across file systems. */
static int
logarch_copy(const char *from, const char *to, mode_t mode)
{
	char buf[LOGARCH_COPY_BUF];
	int in, out = -1, rc = 0;
	ssize_t r;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out < 0) {
		rc = -errno;
		goto fail;
	}
	while ((r = read(in, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 ||
		    (rc = logarch_write_all(out, buf, (size_t)r)) != 0) {
			rc = rc != 0 ? rc : -errno;
			goto fail;
		}
	}
	if (fsync(out) != 0 || close(out) != 0) {
		out = -1;
		rc = -errno;
		goto fail;
	}
	out = -1;
	close(in);
	return unlink(from) == 0 ? 0 : -errno;
fail:
	if (out >= 0) {
		close(out);
		unlink(to);
	}
	close(in);
	return rc;
}

/* Create the new log with the old one's mode and owner and its first
 * two lines. */
static int
logarch_start(const char *path, const struct stat *old,
    enum logarch_method m, int64_t when)
{
	char head[128];
	int fd, n, rc;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    old->st_mode & 07777);
	if (fd < 0)
		return -errno;
	(void)fchmod(fd, old->st_mode & 07777); /* despite the umask */
	if (fchown(fd, old->st_uid, old->st_gid) != 0) {
		/* only root may give files away: keep ours */
	}
	n = snprintf(head, sizeof(head),
	    "[%lld] LOG ROTATION: %s\n[%lld] LOG VERSION: 2.0\n",
	    (long long)when, logarch_method_name(m), (long long)when);
	rc = logarch_write_all(fd, head, (size_t)n);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int
logarch_rotate(const char *log_path, const char *dir,
    enum logarch_method m, int64_t when, char *archived, size_t archlen,
    char *err, size_t errlen)
{
	char arch[4096];
	struct stat st;
	int rc;

	if (m == LOGARCH_NONE)
		return 0;
	if ((rc = logarch_name(arch, sizeof(arch), dir, when)) != 0) {
		snprintf(err, errlen, "no archive name in %s for %lld", dir,
		    (long long)when);
		return rc;
	}
	if (lstat(arch, &st) == 0)
		rc = -EEXIST;
	else if (errno != ENOENT)
		rc = -errno;
	if (rc != 0) {
		snprintf(err, errlen, "archive %s %s; log not rotated", arch,
		    rc == -EEXIST ? "exists" : strerror(-rc));
		return rc;
	}
	if (stat(log_path, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot rotate %s: %s", log_path,
		    strerror(-rc));
		return rc;
	}
	rc = rename(log_path, arch) == 0 ? 0 : -errno;
	if (rc == -EXDEV)
		rc = logarch_copy(log_path, arch, st.st_mode & 07777);
	if (rc != 0) {
		snprintf(err, errlen, "cannot move %s to %s: %s", log_path,
		    arch, strerror(-rc));
		return rc;
	}
	if ((rc = logarch_start(log_path, &st, m, when)) != 0) {
		snprintf(err, errlen, "archived %s, but cannot start %s: %s",
		    arch, log_path, strerror(-rc));
		return rc;
	}
	if (archived != NULL)
		snprintf(archived, archlen, "%s", arch);
	return 0;
}
