/*
 * Unit tests of the event-log search: a temporary folder holds a current
 * log and daily archives (one of them a Nagios archive, plus a file that
 * is no archive), and the search runs on them with time windows spanning
 * archives, host, service and type filters, -n, malformed lines, a
 * missing file, and `pharos log` itself with a main config. TZ is UTC.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
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

#include "logsearch.h"

struct fx {
	char dir[64];
	char log[128];
	char arch[128];
	char *out; /* what the search printed */
	size_t outlen;
};

/* 2025-04-DD HH:00 UTC */
static long long
T(int d, int h)
{
	return 1744675200LL + (d - 15) * 86400LL + h * 3600LL;
}

static void
put(const char *dir, const char *name, const char *text, size_t len)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	fclose(fp);
}

static void
put_lines(const char *dir, const char *name, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	put(dir, name, buf, (size_t)n);
}

/* The current log: a NUL byte and an overlong line among good ones. */
static void
put_current(struct fx *f)
{
	char *buf = malloc(40000);
	size_t n;

	assert_non_null(buf);
	n = (size_t)snprintf(buf, 40000,
	    "[%lld] LOG ROTATION: DAILY\n[%lld] LOG VERSION: 2.0\n"
	    "[%lld] SERVICE ALERT: sw1;HTTP;WARNING;SOFT;1;slow\n"
	    "[%lld] bad", T(15, 0), T(15, 0), T(15, 8), T(15, 8));
	buf[n++] = '\0';
	n += (size_t)snprintf(buf + n, 40000 - n, "byte\n[%lld] ", T(15, 8));
	memset(buf + n, 'x', 20000);
	n += 20000;
	n += (size_t)snprintf(buf + n, 40000 - n,
	    "\n[%lld] HOST ALERT: sw10;DOWN;SOFT;1;x\n", T(15, 9));
	put(f->dir, "pharos.log", buf, n);
	free(buf);
}

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	setenv("TZ", "UTC", 1);
	tzset();
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_logsearch.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "%s/pharos.log", f->dir);
	snprintf(f->arch, sizeof(f->arch), "%s/archives", f->dir);
	assert_int_equal(mkdir(f->arch, 0755), 0);
	put_lines(f->arch, "nagios-04-12-2025-00.log",
	    "[%lld] HOST ALERT: old;DOWN;HARD;1;x\n", T(11, 10));
	put_lines(f->arch, "pharos-04-13-2025-00.log",
	    "[%lld] HOST ALERT: sw1;DOWN;HARD;3;CRITICAL - timeout\n"
	    "[%lld] SERVICE ALERT: sw1;PING;CRITICAL;HARD;3;loss 100%%\n"
	    "garbage line\n"
	    "[%lld] HOST NOTIFICATION: admin;sw1;DOWN;notify-host;x\n",
	    T(12, 10), T(12, 11), T(12, 12));
	put_lines(f->arch, "pharos-04-14-2025-00.log",
	    "[%lld] EXTERNAL COMMAND: SCHEDULE_FORCED_SVC_CHECK;sw2;PING;1\n"
	    "[%lld] SERVICE ALERT: sw2;PING;OK;HARD;1;ok\n"
	    "[notanumber] x\n"
	    "[%lld] HOST ALERT: sw2;UP;HARD;1;ok\n",
	    T(13, 9), T(13, 10), T(13, 11));
	put_lines(f->arch, "pharos-04-15-2025-00.log",
	    "[%lld] HOST ALERT: sw1;UP;HARD;1;ok\n"
	    "[%lld] SERVICE NOTIFICATION: admin;sw1;PING;OK;notify;ok\n",
	    T(14, 10), T(14, 12));
	put_lines(f->arch, "notes.txt", "[%lld] HOST ALERT: no;DOWN\n",
	    T(14, 11));
	put_current(f);
	*state = f;
	return 0;
}

static int
fx_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;
	int rc = nftw(f->dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS);

	free(f->out);
	free(f);
	return rc;
}

static void
query_init(struct logsearch_query *q)
{
	memset(q, 0, sizeof(*q));
	q->since = INT64_MIN;
	q->until = INT64_MAX;
}

/* Run the search into f->out; returns its result. */
static int
run(struct fx *f, const char *log, const char *arch,
    const struct logsearch_query *q, struct logsearch_stats *st)
{
	char err[256] = "";
	FILE *mem;
	int rc;

	free(f->out);
	f->out = NULL;
	mem = open_memstream(&f->out, &f->outlen);
	assert_non_null(mem);
	rc = logsearch_run(log, arch, q, mem, st, err, sizeof(err));
	fclose(mem);
	if (rc != 0)
		assert_true(err[0] != '\0');
	return rc;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
test_logsearch_reads_archives_then_log_in_time_order(void **state)
{
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char want[2048];

	query_init(&q);
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(st.files, 5); /* 4 archives (not notes.txt) + log */
	assert_int_equal(st.malformed, 4);
	assert_int_equal(st.matched, 13);
	assert_int_equal(count_lines(f->out), 13);
	snprintf(want, sizeof(want),
	    "[%lld] HOST ALERT: old;DOWN;HARD;1;x\n"
	    "[%lld] HOST ALERT: sw1;DOWN;HARD;3;CRITICAL - timeout\n",
	    T(11, 10), T(12, 10));
	assert_memory_equal(f->out, want, strlen(want));
	snprintf(want, sizeof(want),
	    "[%lld] HOST ALERT: sw10;DOWN;SOFT;1;x\n", T(15, 9));
	assert_string_equal(f->out + f->outlen - strlen(want), want);
}

static void
test_logsearch_window_reads_only_overlapping_files(void **state)
{
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char want[1024];

	query_init(&q);
	q.since = T(12, 11);
	q.until = T(13, 10);
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	/* the archives of 04-13 and 04-14 hold 04-12 and 04-13 */
	assert_int_equal(st.files, 2);
	snprintf(want, sizeof(want),
	    "[%lld] SERVICE ALERT: sw1;PING;CRITICAL;HARD;3;loss 100%%\n"
	    "[%lld] HOST NOTIFICATION: admin;sw1;DOWN;notify-host;x\n"
	    "[%lld] EXTERNAL COMMAND: SCHEDULE_FORCED_SVC_CHECK;sw2;PING;1\n"
	    "[%lld] SERVICE ALERT: sw2;PING;OK;HARD;1;ok\n",
	    T(12, 11), T(12, 12), T(13, 9), T(13, 10));
	assert_string_equal(f->out, want);
	/* from 03:00 today: just the current log (the archive rotated at
	 * 00:00 may run to 02:00: late rotation slack) */
	q.since = T(15, 3);
	q.until = INT64_MAX;
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.matched, 2);
}

static void
test_logsearch_host_filter_uses_the_host_field(void **state)
{
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char want[1024];

	query_init(&q);
	q.host = "sw1";
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	/* notifications name the contact first; sw10 is another host */
	snprintf(want, sizeof(want),
	    "[%lld] HOST ALERT: sw1;DOWN;HARD;3;CRITICAL - timeout\n"
	    "[%lld] SERVICE ALERT: sw1;PING;CRITICAL;HARD;3;loss 100%%\n"
	    "[%lld] HOST NOTIFICATION: admin;sw1;DOWN;notify-host;x\n"
	    "[%lld] HOST ALERT: sw1;UP;HARD;1;ok\n"
	    "[%lld] SERVICE NOTIFICATION: admin;sw1;PING;OK;notify;ok\n"
	    "[%lld] SERVICE ALERT: sw1;HTTP;WARNING;SOFT;1;slow\n",
	    T(12, 10), T(12, 11), T(12, 12), T(14, 10), T(14, 12), T(15, 8));
	assert_string_equal(f->out, want);
}

static void
test_logsearch_service_and_type_filters(void **state)
{
	static const char *const ext[] = {"external command"};
	static const char *const two[] = {"HOST ALERT", "HOST NOTIFICATION"};
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char want[1024];

	query_init(&q);
	q.service = "PING";
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(st.matched, 4); /* 2 alerts, 1 notif., 1 command */
	query_init(&q);
	q.host = "sw2";
	q.types = ext;
	q.ntypes = 1;
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	snprintf(want, sizeof(want),
	    "[%lld] EXTERNAL COMMAND: SCHEDULE_FORCED_SVC_CHECK;sw2;PING;1\n",
	    T(13, 9));
	assert_string_equal(f->out, want);
	query_init(&q);
	q.types = two;
	q.ntypes = 2;
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(st.matched, 6); /* 5 host alerts, 1 notification */
	q.service = "PING"; /* no host type names a service */
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(st.matched, 0);
	assert_string_equal(f->out, "");
}

static void
test_logsearch_limit_keeps_the_last_matches(void **state)
{
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char want[512];

	query_init(&q);
	q.limit = 2;
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(st.matched, 13);
	snprintf(want, sizeof(want),
	    "[%lld] SERVICE ALERT: sw1;HTTP;WARNING;SOFT;1;slow\n"
	    "[%lld] HOST ALERT: sw10;DOWN;SOFT;1;x\n", T(15, 8), T(15, 9));
	assert_string_equal(f->out, want);
	q.limit = 100; /* more than there are */
	assert_int_equal(run(f, f->log, f->arch, &q, &st), 0);
	assert_int_equal(count_lines(f->out), 13);
}

static void
test_logsearch_sanitizes_control_characters_for_terminals(void **state)
{
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char want[256];

	put_lines(f->dir, "esc.log",
	    "[%lld] SERVICE ALERT: sw3;X;CRITICAL;HARD;1;\033[31mred\tx\n",
	    T(15, 10));
	snprintf(f->log, sizeof(f->log), "%s/esc.log", f->dir);
	query_init(&q);
	assert_int_equal(run(f, f->log, NULL, &q, &st), 0);
	snprintf(want, sizeof(want),
	    "[%lld] SERVICE ALERT: sw3;X;CRITICAL;HARD;1;\033[31mred\tx\n",
	    T(15, 10));
	assert_string_equal(f->out, want);
	q.sanitize = true;
	assert_int_equal(run(f, f->log, NULL, &q, &st), 0);
	snprintf(want, sizeof(want),
	    "[%lld] SERVICE ALERT: sw3;X;CRITICAL;HARD;1;?[31mred\tx\n",
	    T(15, 10));
	assert_string_equal(f->out, want);
}

static void
test_logsearch_missing_file_fails_but_searches_the_rest(void **state)
{
	struct fx *f = *state;
	struct logsearch_query q;
	struct logsearch_stats st;
	char missing[160];

	snprintf(missing, sizeof(missing), "%s/gone.log", f->dir);
	query_init(&q);
	q.host = "sw2";
	assert_int_equal(run(f, missing, f->arch, &q, &st), -ENOENT);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.matched, 3);
	assert_int_equal(run(f, f->log, missing, &q, &st), -ENOENT);
	assert_int_equal(st.matched, 0);
}

static void
test_logsearch_parses_time_arguments(void **state)
{
	static const char *const bad[] = {"", "-", "-h", "-1y", "-1.5h",
	    "abc", "2025-4-15", "2025-02-30", "2025-04-15 25:00",
	    "2025-04-15 10:30:", "2025-04-15x10:30", "-99999999999d"};
	int64_t now = T(15, 12), t = 0;
	size_t i;

	(void)state;
	assert_int_equal(logsearch_parse_time("1744675200", now, &t), 0);
	assert_int_equal(t, 1744675200);
	assert_int_equal(logsearch_parse_time("now", now, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(logsearch_parse_time("-1h", now, &t), 0);
	assert_int_equal(t, now - 3600);
	assert_int_equal(logsearch_parse_time("-30m", now, &t), 0);
	assert_int_equal(t, now - 1800);
	assert_int_equal(logsearch_parse_time("-2d", now, &t), 0);
	assert_int_equal(t, now - 2 * 86400);
	assert_int_equal(logsearch_parse_time("-1w", now, &t), 0);
	assert_int_equal(t, now - 7 * 86400);
	assert_int_equal(logsearch_parse_time("-10s", now, &t), 0);
	assert_int_equal(t, now - 10);
	assert_int_equal(logsearch_parse_time("2025-04-15", now, &t), 0);
	assert_int_equal(t, T(15, 0));
	assert_int_equal(logsearch_parse_time("2025-04-15 10:30", now, &t),
	    0);
	assert_int_equal(t, T(15, 10) + 1800);
	assert_int_equal(logsearch_parse_time("2025-04-15T10:30:15", now, &t),
	    0);
	assert_int_equal(t, T(15, 10) + 1815);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(logsearch_parse_time(bad[i], now, &t),
		    -EINVAL);
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	assert_int_equal(logsearch_parse_time("2025-04-15", now, &t), 0);
	assert_int_equal(t, T(15, 0) - 7200); /* CEST */
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Run `pharos [-c cfg] log ARGS` with stdout in f->out. */
static int
run_main(struct fx *f, const char *cfg, char **argv)
{
	char path[160];
	int argc = 0, saved, fd, rc;
	FILE *fp;

	while (argv[argc] != NULL)
		argc++;
	snprintf(path, sizeof(path), "%s/stdout", f->dir);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	optind = 0;
	rc = logsearch_main(argc, argv, cfg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	free(f->out);
	f->out = calloc(1, 65536);
	assert_non_null(f->out);
	fp = fopen(path, "r");
	assert_non_null(fp);
	f->outlen = fread(f->out, 1, 65535, fp);
	fclose(fp);
	return rc;
}

static void
test_logsearch_command_reads_paths_from_the_main_config(void **state)
{
	struct fx *f = *state;
	char cfg[160], want[256];
	char *a1[] = {"log", "--host", "sw2", "-n", "1", NULL};
	char *a2[] = {"log", "--since", "2025-04-15", "--type", "HOST ALERT",
	    NULL};
	char *a3[] = {"log", "--since", "yesterday", NULL};
	char *a4[] = {"log", "--since", "-1h", "--until", "-2h", NULL};
	char *a5[] = {"log", "-n", "0", NULL};

	snprintf(cfg, sizeof(cfg), "%s/pharos.cfg", f->dir);
	put_lines(f->dir, "pharos.cfg", "# main config\nlog_file=/nowhere\n"
	    "query_socket=/run/x.sock\n  log_file = ./pharos.log\n"
	    "log_archive_path=archives\n");
	assert_int_equal(run_main(f, cfg, a1), LOGSEARCH_EXIT_OK);
	snprintf(want, sizeof(want), "[%lld] HOST ALERT: sw2;UP;HARD;1;ok\n",
	    T(13, 11));
	assert_string_equal(f->out, want);
	assert_int_equal(run_main(f, cfg, a2), LOGSEARCH_EXIT_OK);
	snprintf(want, sizeof(want), "[%lld] HOST ALERT: sw10;DOWN;SOFT;1;x\n",
	    T(15, 9));
	assert_string_equal(f->out, want);
	assert_int_equal(run_main(f, cfg, a3), LOGSEARCH_EXIT_USAGE);
	assert_int_equal(run_main(f, cfg, a4), LOGSEARCH_EXIT_USAGE);
	assert_int_equal(run_main(f, cfg, a5), LOGSEARCH_EXIT_USAGE);
}

static void
test_logsearch_command_defaults_archives_next_to_the_log(void **state)
{
	struct fx *f = *state;
	char cfg[160];
	char *args[] = {"log", "--host", "old", NULL};
	char *gone[] = {"log", "--log", "/nonexistent/pharos.log", NULL};

	/* no log_archive_path: "archives" beside log_file */
	snprintf(cfg, sizeof(cfg), "%s/pharos.cfg", f->dir);
	put_lines(f->dir, "pharos.cfg", "log_file=pharos.log\n");
	assert_int_equal(run_main(f, cfg, args), LOGSEARCH_EXIT_OK);
	assert_int_equal(count_lines(f->out), 1);
	/* an explicit --log without -c reads no config, no archives */
	assert_int_equal(run_main(f, NULL, gone), LOGSEARCH_EXIT_READ);
	assert_string_equal(f->out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_logsearch_reads_archives_then_log_in_time_order,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_window_reads_only_overlapping_files,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_host_filter_uses_the_host_field, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_service_and_type_filters, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_limit_keeps_the_last_matches, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_sanitizes_control_characters_for_terminals,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_missing_file_fails_but_searches_the_rest,
		    fx_setup, fx_teardown),
		cmocka_unit_test(test_logsearch_parses_time_arguments),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_command_reads_paths_from_the_main_config,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(
		    test_logsearch_command_defaults_archives_next_to_the_log,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
