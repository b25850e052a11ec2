/*
 * Unit tests of log rotation: methods, archive names both ways, the next
 * rotation time in local time (Europe/Berlin across both daylight-saving
 * changes of 2025, month and year ends) and the rotation of a real file
 * in a temporary folder.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "logarch.h"

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* An instant given in UTC. */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

static int64_t
next_of(enum logarch_method m, int64_t now)
{
	int64_t next = -1;

	assert_int_equal(logarch_next(m, now, &next), 0);
	assert_true(next > now);
	return next;
}

static void
test_logarch_methods_are_nagios_letters(void **state)
{
	enum logarch_method m = LOGARCH_NONE;

	(void)state;
	assert_int_equal(logarch_method_parse("d", &m), 0);
	assert_int_equal(m, LOGARCH_DAILY);
	assert_int_equal(logarch_method_parse("h", &m), 0);
	assert_int_equal(m, LOGARCH_HOURLY);
	assert_int_equal(logarch_method_parse("n", &m), 0);
	assert_int_equal(m, LOGARCH_NONE);
	assert_int_equal(logarch_method_parse("x", &m), -EINVAL);
	assert_int_equal(logarch_method_parse("dd", &m), -EINVAL);
	assert_int_equal(logarch_method_parse("", &m), -EINVAL);
	assert_string_equal(logarch_method_name(LOGARCH_DAILY), "DAILY");
	assert_string_equal(logarch_method_name(LOGARCH_WEEKLY), "WEEKLY");
	assert_string_equal(logarch_method_name(LOGARCH_MONTHLY), "MONTHLY");
	assert_string_equal(logarch_method_name(LOGARCH_HOURLY), "HOURLY");
}

static void
test_logarch_name_is_local_date_and_hour(void **state)
{
	char buf[128];
	int64_t t = utc(2025, 4, 14, 22, 0); /* 00:00 CEST on the 15th */

	(void)state;
	set_tz("Europe/Berlin");
	assert_int_equal(logarch_name(buf, sizeof(buf), "/var/log/arch", t),
	    0);
	assert_string_equal(buf, "/var/log/arch/pharos-04-15-2025-00.log");
	assert_int_equal(logarch_name(buf, sizeof(buf), "/a/", t + 3600 * 13),
	    0);
	assert_string_equal(buf, "/a/pharos-04-15-2025-13.log");
	set_tz("UTC");
	assert_int_equal(logarch_name(buf, sizeof(buf), "/a", t), 0);
	assert_string_equal(buf, "/a/pharos-04-14-2025-22.log");
	assert_int_equal(logarch_name(buf, 20, "/a", t), -ENAMETOOLONG);
}

static void
test_logarch_name_parses_back(void **state)
{
	int64_t when = 0;

	(void)state;
	set_tz("Europe/Berlin");
	assert_int_equal(logarch_name_parse("pharos-04-15-2025-00.log", &when),
	    0);
	assert_int_equal(when, utc(2025, 4, 14, 22, 0));
	/* Nagios' archives are read too */
	assert_int_equal(logarch_name_parse("nagios-01-01-2025-13.log", &when),
	    0);
	assert_int_equal(when, utc(2025, 1, 1, 12, 0));
	assert_int_equal(logarch_name_parse("pharos-02-30-2025-00.log", &when),
	    -EINVAL);
	assert_int_equal(logarch_name_parse("pharos-13-01-2025-00.log", &when),
	    -EINVAL);
	assert_int_equal(logarch_name_parse("pharos-01-01-2025-24.log", &when),
	    -EINVAL);
	assert_int_equal(logarch_name_parse("pharos-1-01-2025-00.log", &when),
	    -EINVAL);
	assert_int_equal(logarch_name_parse("pharos-01-01-2025-00.log.gz",
	    &when), -EINVAL);
	assert_int_equal(logarch_name_parse("other-01-01-2025-00.log", &when),
	    -EINVAL);
	assert_int_equal(logarch_name_parse("pharos-01-01-2025-00.txt", &when),
	    -EINVAL);
}

static void
test_logarch_daily_is_local_midnight_across_dst(void **state)
{
	int64_t a, b;

	(void)state;
	set_tz("Europe/Berlin");
	/* 2025-03-29 12:00 CET -> 03-30 00:00 CET = 03-29 23:00 UTC */
	a = next_of(LOGARCH_DAILY, utc(2025, 3, 29, 11, 0));
	assert_int_equal(a, utc(2025, 3, 29, 23, 0));
	/* the day clocks go forward lasts 23 h: -> 03-31 00:00 CEST */
	b = next_of(LOGARCH_DAILY, a);
	assert_int_equal(b, utc(2025, 3, 30, 22, 0));
	assert_int_equal(b - a, 23 * 3600);
	/* the day clocks go back lasts 25 h */
	a = next_of(LOGARCH_DAILY, utc(2025, 10, 25, 10, 0));
	assert_int_equal(a, utc(2025, 10, 25, 22, 0)); /* 00:00 CEST */
	b = next_of(LOGARCH_DAILY, a);
	assert_int_equal(b, utc(2025, 10, 26, 23, 0)); /* 00:00 CET */
	assert_int_equal(b - a, 25 * 3600);
}

static void
test_logarch_hourly_counts_real_hours_across_dst(void **state)
{
	char buf[64];
	int64_t n;

	(void)state;
	set_tz("Europe/Berlin");
	/* 01:30 CET on 03-30: the next full hour is 03:00 CEST, 30 min on */
	n = next_of(LOGARCH_HOURLY, utc(2025, 3, 30, 0, 30));
	assert_int_equal(n, utc(2025, 3, 30, 1, 0));
	assert_int_equal(logarch_name(buf, sizeof(buf), ".", n), 0);
	assert_string_equal(buf, "./pharos-03-30-2025-03.log");
	/* 02:30 CEST on 10-26 -> 02:00 CET (the hour repeats) -> 03:00 CET */
	n = next_of(LOGARCH_HOURLY, utc(2025, 10, 26, 0, 30));
	assert_int_equal(n, utc(2025, 10, 26, 1, 0));
	n = next_of(LOGARCH_HOURLY, n);
	assert_int_equal(n, utc(2025, 10, 26, 2, 0));
	/* exactly on the hour: the next one */
	assert_int_equal(next_of(LOGARCH_HOURLY, n), n + 3600);
}

static void
test_logarch_weekly_is_next_sunday_midnight(void **state)
{
	(void)state;
	set_tz("Europe/Berlin");
	/* Wednesday 2025-03-26 -> Sunday 03-30 00:00 CET */
	assert_int_equal(next_of(LOGARCH_WEEKLY, utc(2025, 3, 26, 9, 0)),
	    utc(2025, 3, 29, 23, 0));
	/* on that Sunday -> the next one, 04-06 00:00 CEST */
	assert_int_equal(next_of(LOGARCH_WEEKLY, utc(2025, 3, 30, 8, 0)),
	    utc(2025, 4, 5, 22, 0));
	/* Saturday late -> the next midnight */
	assert_int_equal(next_of(LOGARCH_WEEKLY, utc(2025, 3, 29, 22, 59)),
	    utc(2025, 3, 29, 23, 0));
}

static void
test_logarch_monthly_and_month_ends(void **state)
{
	(void)state;
	set_tz("Europe/Berlin");
	/* 01-31 -> 02-01 00:00 CET */
	assert_int_equal(next_of(LOGARCH_MONTHLY, utc(2025, 1, 31, 12, 0)),
	    utc(2025, 1, 31, 23, 0));
	/* March (CET) -> 04-01 00:00 CEST */
	assert_int_equal(next_of(LOGARCH_MONTHLY, utc(2025, 3, 15, 12, 0)),
	    utc(2025, 3, 31, 22, 0));
	/* the year end */
	assert_int_equal(next_of(LOGARCH_MONTHLY, utc(2025, 12, 31, 22, 30)),
	    utc(2025, 12, 31, 23, 0));
	/* exactly on the 1st at midnight -> the month after */
	assert_int_equal(next_of(LOGARCH_MONTHLY, utc(2025, 1, 31, 23, 0)),
	    utc(2025, 2, 28, 23, 0));
	/* daily over month ends, leap year or not */
	assert_int_equal(next_of(LOGARCH_DAILY, utc(2024, 2, 28, 12, 0)),
	    utc(2024, 2, 28, 23, 0)); /* 02-29 */
	assert_int_equal(next_of(LOGARCH_DAILY, utc(2024, 2, 28, 23, 0)),
	    utc(2024, 2, 29, 23, 0)); /* 03-01 */
	assert_int_equal(next_of(LOGARCH_DAILY, utc(2025, 2, 28, 12, 0)),
	    utc(2025, 2, 28, 23, 0)); /* 03-01 */
	assert_int_equal(next_of(LOGARCH_DAILY, utc(2025, 12, 31, 12, 0)),
	    utc(2025, 12, 31, 23, 0)); /* 2026-01-01 */
}

static void
test_logarch_none_has_no_next_time(void **state)
{
	int64_t n = 42;

	(void)state;
	assert_int_equal(logarch_next(LOGARCH_NONE, 1000000, &n), -EINVAL);
	assert_int_equal(n, 42);
}

/* ---- rotating a real file ---- */

struct tmp {
	char dir[64];
	char log[128];
	char arch[128];
};

static int
tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_logarch.XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		free(t);
		return -1;
	}
	snprintf(t->log, sizeof(t->log), "%s/pharos.log", t->dir);
	snprintf(t->arch, sizeof(t->arch), "%s/archives", t->dir);
	if (mkdir(t->arch, 0755) != 0)
		return -1;
	set_tz("UTC");
	*state = t;
	return 0;
}

static int
tmp_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
tmp_teardown(void **state)
{
	struct tmp *t = *state;
	int rc = nftw(t->dir, tmp_rm, 16, FTW_DEPTH | FTW_PHYS);

	free(t);
	return rc;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void
test_logarch_rotate_moves_the_log_and_starts_a_new_one(void **state)
{
	struct tmp *t = *state;
	char buf[512], archived[256], err[256], want[256];
	int64_t when = utc(2025, 4, 15, 0, 0);
	struct stat st;

	write_file(t->log, "[1744600000] HOST ALERT: a;DOWN;HARD;1;x\n",
	    0640);
	assert_int_equal(logarch_rotate(t->log, t->arch, LOGARCH_DAILY, when,
	    archived, sizeof(archived), err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/pharos-04-15-2025-00.log", t->arch);
	assert_string_equal(archived, want);
	read_file(want, buf, sizeof(buf));
	assert_string_equal(buf, "[1744600000] HOST ALERT: a;DOWN;HARD;1;x\n");
	read_file(t->log, buf, sizeof(buf));
	assert_string_equal(buf, "[1744675200] LOG ROTATION: DAILY\n"
	    "[1744675200] LOG VERSION: 2.0\n");
	assert_int_equal(stat(t->log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

static void
test_logarch_rotate_never_overwrites_an_archive(void **state)
{
	struct tmp *t = *state;
	char buf[512], err[256], arch[256];
	int64_t when = utc(2025, 4, 15, 0, 0);

	assert_int_equal(logarch_name(arch, sizeof(arch), t->arch, when), 0);
	write_file(arch, "old archive\n", 0644);
	write_file(t->log, "current\n", 0644);
	assert_int_equal(logarch_rotate(t->log, t->arch, LOGARCH_HOURLY, when,
	    NULL, 0, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "exists"));
	read_file(arch, buf, sizeof(buf));
	assert_string_equal(buf, "old archive\n");
	read_file(t->log, buf, sizeof(buf));
	assert_string_equal(buf, "current\n");
	/* an hour later it rotates */
	assert_int_equal(logarch_rotate(t->log, t->arch, LOGARCH_HOURLY,
	    when + 3600, NULL, 0, err, sizeof(err)), 0);
	read_file(t->log, buf, sizeof(buf));
	assert_string_equal(buf, "[1744678800] LOG ROTATION: HOURLY\n"
	    "[1744678800] LOG VERSION: 2.0\n");
}

static void
test_logarch_rotate_none_and_failures(void **state)
{
	struct tmp *t = *state;
	char buf[64], err[256], missing[160];

	write_file(t->log, "x\n", 0644);
	assert_int_equal(logarch_rotate(t->log, t->arch, LOGARCH_NONE, 0,
	    NULL, 0, err, sizeof(err)), 0);
	read_file(t->log, buf, sizeof(buf));
	assert_string_equal(buf, "x\n");
	snprintf(missing, sizeof(missing), "%s/nowhere", t->dir);
	assert_int_equal(logarch_rotate(t->log, missing, LOGARCH_DAILY,
	    86400, NULL, 0, err, sizeof(err)), -ENOENT);
	read_file(t->log, buf, sizeof(buf));
	assert_string_equal(buf, "x\n"); /* untouched */
	assert_int_equal(logarch_rotate(missing, t->arch, LOGARCH_DAILY,
	    86400, NULL, 0, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot rotate"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logarch_methods_are_nagios_letters),
		cmocka_unit_test(test_logarch_name_is_local_date_and_hour),
		cmocka_unit_test(test_logarch_name_parses_back),
		cmocka_unit_test(
		    test_logarch_daily_is_local_midnight_across_dst),
		cmocka_unit_test(
		    test_logarch_hourly_counts_real_hours_across_dst),
		cmocka_unit_test(test_logarch_weekly_is_next_sunday_midnight),
		cmocka_unit_test(test_logarch_monthly_and_month_ends),
		cmocka_unit_test(test_logarch_none_has_no_next_time),
		cmocka_unit_test_setup_teardown(
		    test_logarch_rotate_moves_the_log_and_starts_a_new_one,
		    tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logarch_rotate_never_overwrites_an_archive, tmp_setup,
		    tmp_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logarch_rotate_none_and_failures, tmp_setup,
		    tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
