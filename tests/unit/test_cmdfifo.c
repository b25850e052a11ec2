/*
 * test_cmdfifo: the command FIFO on a real loop, in a fresh mkdtemp()
 * folder per test. Writers are the test itself (non-blocking writes,
 * then loop passes) or forked processes writing the way Nagios tools do:
 * one write() per line.
 *
 * Waits are bounded by a count of idle passes, a guard against hanging
 * when something is broken; only the partial-line timeout test waits on
 * purpose (CMDFIFO_PARTIAL_MS).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cmdfifo.h"
#include "extcmd.h"
#include "loop.h"

#define TEST_IDLE_PASSES 100
#define TEST_PASS_NS (100 * LOOP_NS_PER_MSEC)
#define TEST_WRITERS 8
#define TEST_LINES_EACH 1000

struct tline {
	char *s;
	size_t len;
};

struct fixture {
	char dir[64];
	char path[96];
	struct loop *loop;
	struct cmdfifo *f;
	int wfd; /* the test's own writer, non-blocking */
	struct tline *lines;
	size_t nlines;
	/* the concurrent writers' test */
	unsigned next[TEST_WRITERS];
	size_t good;
	unsigned bad;
};

static void
record_line(const char *line, size_t len, void *arg)
{
	struct fixture *f = arg;
	struct tline *l;

	assert_int_equal(line[len], '\0');
	l = realloc(f->lines, (f->nlines + 1) * sizeof(*l));
	assert_non_null(l);
	f->lines = l;
	l[f->nlines].s = malloc(len + 1);
	assert_non_null(l[f->nlines].s);
	memcpy(l[f->nlines].s, line, len + 1);
	l[f->nlines].len = len;
	f->nlines++;
}

static int
setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pharos-test-cmdfifo-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/pharos.cmd", f->dir);
	assert_int_equal(loop_new(&f->loop), 0);
	f->wfd = -1;
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f;
	char err[256] = "";

	setup_dir(state);
	f = *state;
	if (cmdfifo_new(f->loop, f->path, record_line, f, &f->f, err,
	                sizeof(err)) != 0)
		fail_msg("cmdfifo_new: %s", err);
	f->wfd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(f->wfd >= 0);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;

	if (f->wfd >= 0)
		close(f->wfd);
	cmdfifo_free(f->f);
	loop_free(f->loop);
	for (i = 0; i < f->nlines; i++)
		free(f->lines[i].s);
	free(f->lines);
	(void)unlink(f->path);
	(void)rmdir(f->dir);
	free(f);
	return 0;
}

static void
put(struct fixture *f, const void *p, size_t n)
{
	assert_int_equal(write(f->wfd, p, n), (ssize_t)n);
}

static void
puts_(struct fixture *f, const char *s)
{
	put(f, s, strlen(s));
}

/* Run passes until the FIFO has been read dry: one pass that reads, then
 * one that finds nothing more within a short wait. */
static void
drain(struct fixture *f)
{
	int i;

	for (i = 0; i < TEST_IDLE_PASSES; i++)
		if (loop_run_once(f->loop, 20 * LOOP_NS_PER_MSEC) == 0)
			return;
	fail_msg("the loop never went idle");
}

static void
assert_line(const struct fixture *f, size_t i, const char *want)
{
	assert_true(i < f->nlines);
	assert_int_equal(f->lines[i].len, strlen(want));
	assert_memory_equal(f->lines[i].s, want, strlen(want));
}

static void
test_cmdfifo_creates_fifo_mode_0660(void **state)
{
	struct fixture *f;
	struct stat st;
	mode_t old = umask(077);
	char err[256] = "";
	int rc;

	setup_dir(state);
	f = *state;
	rc = cmdfifo_new(f->loop, f->path, record_line, f, &f->f, err,
	                 sizeof(err));
	umask(old);
	assert_int_equal(rc, 0);
	assert_string_equal(cmdfifo_path(f->f), f->path);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(cmdfifo_chown(f->f, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(cmdfifo_chown(f->f, getuid(), getgid()), 0);

	/* Freed: the FIFO is gone. */
	cmdfifo_free(f->f);
	f->f = NULL;
	assert_int_equal(lstat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_cmdfifo_whole_lines(void **state)
{
	struct fixture *f = *state;

	puts_(f, "[1700000000] ENABLE_HOST_CHECK;core-sw1\n");
	drain(f);
	assert_int_equal(f->nlines, 1);
	assert_line(f, 0, "[1700000000] ENABLE_HOST_CHECK;core-sw1");
	assert_int_equal(cmdfifo_get_counters(f->f)->lines, 1);
}

static void
test_cmdfifo_many_lines_in_one_write(void **state)
{
	struct fixture *f = *state;
	const struct cmdfifo_counters *c = cmdfifo_get_counters(f->f);

	/* Empty lines are skipped, not counted. */
	puts_(f, "[1] A;1\n[2] B;2\n\n[3] C;3\r\n");
	drain(f);
	assert_int_equal(f->nlines, 3);
	assert_line(f, 0, "[1] A;1");
	assert_line(f, 1, "[2] B;2");
	assert_line(f, 2, "[3] C;3\r"); /* the parser strips the CR */
	assert_int_equal(c->lines, 3);
	cmdfifo_count_bad(f->f);
	assert_int_equal(c->bad_lines, 1);
	assert_int_equal(c->overlong, 0);
	assert_int_equal(c->partial_discarded, 0);
}

static void
test_cmdfifo_line_split_across_writes_is_joined(void **state)
{
	struct fixture *f = *state;

	puts_(f, "[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;par");
	drain(f);
	assert_int_equal(f->nlines, 0);
	puts_(f, "t one");
	drain(f);
	assert_int_equal(f->nlines, 0);
	/* A continuation that starts with '[' but not "[<digits>] " is
	 * still a continuation. */
	puts_(f, "[x] more\n[2] NEXT;");
	drain(f);
	puts_(f, "1\n");
	drain(f);
	assert_int_equal(f->nlines, 2);
	assert_line(f, 0,
	            "[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;part one[x] more");
	assert_line(f, 1, "[2] NEXT;1");
	assert_int_equal(cmdfifo_get_counters(f->f)->partial_discarded, 0);
}

static void
test_cmdfifo_longest_line_is_delivered(void **state)
{
	struct fixture *f = *state;
	char *buf = malloc(CMDFIFO_MAX_LINE + 1);

	assert_non_null(buf);
	memset(buf, 'y', CMDFIFO_MAX_LINE);
	buf[CMDFIFO_MAX_LINE] = '\n';
	/* In two writes, joined in the buffer rather than read at once. */
	put(f, buf, 100);
	drain(f);
	put(f, buf + 100, CMDFIFO_MAX_LINE + 1 - 100);
	drain(f);
	put(f, buf, CMDFIFO_MAX_LINE + 1);
	drain(f);
	assert_int_equal(f->nlines, 2);
	assert_int_equal(f->lines[0].len, CMDFIFO_MAX_LINE);
	assert_int_equal(f->lines[1].len, CMDFIFO_MAX_LINE);
	assert_int_equal(cmdfifo_get_counters(f->f)->overlong, 0);
	free(buf);
}

static void
test_cmdfifo_overlong_line_discarded_not_the_next(void **state)
{
	struct fixture *f = *state;
	const struct cmdfifo_counters *c = cmdfifo_get_counters(f->f);
	size_t n = 9000;
	char *buf = malloc(n + 32);

	assert_non_null(buf);
	/* One byte over, and the line after it in the same write. */
	memset(buf, 'x', CMDFIFO_MAX_LINE + 1);
	memcpy(buf + CMDFIFO_MAX_LINE + 1, "\n[1] A\n", 7);
	put(f, buf, CMDFIFO_MAX_LINE + 8);
	drain(f);
	assert_int_equal(c->overlong, 1);
	assert_int_equal(f->nlines, 1);
	assert_line(f, 0, "[1] A");

	/* Over in pieces: discarded up to its '\n', wherever it comes. */
	memset(buf, 'x', n);
	put(f, buf, 5000);
	drain(f);
	put(f, buf, 5000);
	drain(f);
	put(f, buf, 100);
	drain(f);
	puts_(f, "x\n[2] B\n");
	drain(f);
	assert_int_equal(c->overlong, 2);
	assert_int_equal(f->nlines, 2);
	assert_line(f, 1, "[2] B");

	/* An overlong line whose '\n' never comes does not eat the next
	 * command. */
	put(f, buf, n);
	drain(f);
	puts_(f, "[3] C\n");
	drain(f);
	assert_int_equal(c->overlong, 3);
	assert_int_equal(f->nlines, 3);
	assert_line(f, 2, "[3] C");
	assert_int_equal(c->partial_discarded, 0);
	assert_int_equal(c->lines, 3);
	free(buf);
}

static void
test_cmdfifo_nul_inside_is_handed_to_the_parser(void **state)
{
	struct fixture *f = *state;
	struct extcmd *cmd = NULL;
	char err[128] = "";

	put(f, "[1] A\0B\n[2] C\n", 14);
	drain(f);
	assert_int_equal(f->nlines, 2);
	assert_int_equal(f->lines[0].len, 7);
	assert_memory_equal(f->lines[0].s, "[1] A\0B", 7);
	assert_line(f, 1, "[2] C");
	assert_int_equal(extcmd_parse(f->lines[0].s, f->lines[0].len,
	                              EXTCMD_NEED_TIME, NULL, &cmd, err,
	                              sizeof(err)),
	                 -EINVAL);
	assert_string_equal(err, "NUL byte at offset 5");
}

static void
test_cmdfifo_partial_discarded_after_timeout(void **state)
{
	struct fixture *f = *state;
	const struct cmdfifo_counters *c = cmdfifo_get_counters(f->f);
	int64_t t0 = loop_clock(), waited;
	int i;

	puts_(f, "[1] DISABLE_HOST_CHECK;core");
	drain(f);
	assert_int_equal(c->partial_discarded, 0);
	for (i = 0; i < TEST_IDLE_PASSES && c->partial_discarded == 0; i++)
		(void)loop_run_once(f->loop, TEST_PASS_NS);
	waited = loop_clock() - t0;
	assert_int_equal(c->partial_discarded, 1);
	assert_true(waited >= CMDFIFO_PARTIAL_MS * LOOP_NS_PER_MSEC);
	/* The next line is not joined to the discarded piece, even when
	 * it does not look like a command. */
	puts_(f, "-sw1\n[2] ENABLE_HOST_CHECK;edge\n");
	drain(f);
	assert_int_equal(f->nlines, 2);
	assert_line(f, 0, "-sw1");
	assert_line(f, 1, "[2] ENABLE_HOST_CHECK;edge");
	assert_int_equal(c->lines, 2);
}

static void
test_cmdfifo_partial_discarded_when_a_command_follows(void **state)
{
	struct fixture *f = *state;
	const struct cmdfifo_counters *c = cmdfifo_get_counters(f->f);

	/* A writer died mid-line; the next writer's command comes after
	 * a pause: the piece is dropped at once, not joined. */
	puts_(f, "[1] DISABLE_HOST_CHECK;core");
	drain(f);
	puts_(f, "[2] ENABLE_HOST_CHECK;edge\n");
	drain(f);
	assert_int_equal(c->partial_discarded, 1);
	assert_int_equal(f->nlines, 1);
	assert_line(f, 0, "[2] ENABLE_HOST_CHECK;edge");
	/* The next line after it is read normally. */
	puts_(f, "[3] X\n");
	drain(f);
	assert_int_equal(f->nlines, 2);
	assert_line(f, 1, "[3] X");
	assert_int_equal(c->partial_discarded, 1);
}

static void
test_cmdfifo_writers_closing_do_not_wake_the_loop(void **state)
{
	struct fixture *f = *state;
	int fd, i;

	for (i = 0; i < 3; i++) {
		fd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "[1] A\n", 6), 6);
		close(fd);
	}
	close(f->wfd);
	f->wfd = -1;
	drain(f);
	assert_int_equal(f->nlines, 3);
	/* No writer left: no end-of-file, no hang-up, nothing to run. */
	for (i = 0; i < 3; i++)
		assert_int_equal(loop_run_once(f->loop, 10 * LOOP_NS_PER_MSEC),
		                 0);
	/* And a new writer is still heard. */
	fd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[2] B\n", 6), 6);
	close(fd);
	drain(f);
	assert_int_equal(f->nlines, 4);
}

/* The length of writer w's padding in line i: lines from 40 to about
 * 4000 bytes, all under PIPE_BUF. */
static size_t
pad_len(unsigned w, unsigned i)
{
	return (i * 37u + w * 101u) % 3900u;
}

static void
writer_child(const char *path, unsigned w)
{
	char buf[PIPE_BUF];
	size_t n, pad;
	unsigned i;
	int fd;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		_exit(2);
	for (i = 0; i < TEST_LINES_EACH; i++) {
		n = (size_t)snprintf(
		    buf, sizeof(buf),
		    "[1700000000] PROCESS_SERVICE_CHECK_RESULT;"
		    "w%u;%u;0;",
		    w, i);
		pad = pad_len(w, i);
		memset(buf + n, 'a' + (int)w, pad);
		n += pad;
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, ";end%u.%u\n",
		                      w, i);
		if (n > PIPE_BUF || write(fd, buf, n) != (ssize_t)n)
			_exit(3);
	}
	close(fd);
	_exit(0);
}

/* Check each line whole and in its writer's order, as it arrives. */
static void
check_writer_line(const char *line, size_t len, void *arg)
{
	struct fixture *f = arg;
	unsigned w, i, w2, i2;
	int head = 0, tail = 0;
	size_t k, pad;

	if (sscanf(line,
	           "[1700000000] PROCESS_SERVICE_CHECK_RESULT;w%u;%u;0;%n", &w,
	           &i, &head) != 2 ||
	    head == 0 || w >= TEST_WRITERS || i != f->next[w]) {
		f->bad++;
		return;
	}
	pad = pad_len(w, i);
	if (len < (size_t)head + pad) {
		f->bad++;
		return;
	}
	for (k = 0; k < pad; k++)
		if (line[head + k] != 'a' + (int)w) {
			f->bad++;
			return;
		}
	if (sscanf(line + head + pad, ";end%u.%u%n", &w2, &i2, &tail) != 2 ||
	    w2 != w || i2 != i || (size_t)head + pad + (size_t)tail != len) {
		f->bad++;
		return;
	}
	f->next[w]++;
	f->good++;
}

static void
test_cmdfifo_concurrent_writers_lines_arrive_whole(void **state)
{
	struct fixture *f;
	char err[256] = "";
	pid_t pids[TEST_WRITERS];
	size_t last = 0, seen;
	unsigned w;
	int idle = 0, st, sts[TEST_WRITERS];

	setup_dir(state);
	f = *state;
	if (cmdfifo_new(f->loop, f->path, check_writer_line, f, &f->f, err,
	                sizeof(err)) != 0)
		fail_msg("cmdfifo_new: %s", err);
	for (w = 0; w < TEST_WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0)
			writer_child(f->path, w);
	}
	while (f->good + f->bad < TEST_WRITERS * TEST_LINES_EACH &&
	       idle < TEST_IDLE_PASSES) {
		(void)loop_run_once(f->loop, TEST_PASS_NS);
		seen = f->good + f->bad + cmdfifo_get_counters(f->f)->overlong +
		       cmdfifo_get_counters(f->f)->partial_discarded;
		idle = seen == last ? idle + 1 : 0;
		last = seen;
	}
	/* A writer still blocked on a full FIFO when the test gave up
	 * would never end: stop it before waiting. */
	for (w = 0; w < TEST_WRITERS; w++) {
		if (waitpid(pids[w], &st, WNOHANG) == 0) {
			(void)kill(pids[w], SIGKILL);
			assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
		}
		sts[w] = st;
	}
	for (w = 0; w < TEST_WRITERS; w++) {
		assert_true(WIFEXITED(sts[w]));
		assert_int_equal(WEXITSTATUS(sts[w]), 0);
	}
	assert_int_equal(f->bad, 0);
	assert_int_equal(f->good, TEST_WRITERS * TEST_LINES_EACH);
	for (w = 0; w < TEST_WRITERS; w++)
		assert_int_equal(f->next[w], TEST_LINES_EACH);
	assert_int_equal(cmdfifo_get_counters(f->f)->lines,
	                 TEST_WRITERS * TEST_LINES_EACH);
	assert_int_equal(cmdfifo_get_counters(f->f)->overlong, 0);
	assert_int_equal(cmdfifo_get_counters(f->f)->partial_discarded, 0);
}

static void
test_cmdfifo_refuses_what_is_not_a_fifo(void **state)
{
	struct fixture *f;
	struct cmdfifo *cf = NULL;
	char err[256] = "", buf[16] = "";
	struct stat st;
	int fd;

	setup_dir(state);
	f = *state;
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	assert_int_equal(cmdfifo_new(f->loop, f->path, record_line, f, &cf, err,
	                             sizeof(err)),
	                 -EEXIST);
	assert_null(cf);
	assert_non_null(strstr(err, "exists and is not a FIFO (a regular "
	                            "file)"));
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "keep"); /* left alone */
	close(fd);
	assert_int_equal(unlink(f->path), 0);

	/* A symbolic link, even to a FIFO, is not followed. */
	{
		char target[128];

		snprintf(target, sizeof(target), "%s/other", f->dir);
		assert_int_equal(mkfifo(target, 0600), 0);
		assert_int_equal(symlink(target, f->path), 0);
		assert_int_equal(cmdfifo_new(f->loop, f->path, record_line, f,
		                             &cf, err, sizeof(err)),
		                 -EEXIST);
		assert_non_null(strstr(err, "(a symbolic link)"));
		assert_int_equal(lstat(f->path, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		assert_int_equal(unlink(f->path), 0);
		assert_int_equal(unlink(target), 0);
	}

	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(cmdfifo_new(f->loop, f->path, record_line, f, &cf, err,
	                             sizeof(err)),
	                 -EEXIST);
	assert_non_null(strstr(err, "(a directory)"));
	assert_int_equal(rmdir(f->path), 0);
}

static void
test_cmdfifo_replaces_stale_fifo_refuses_live_one(void **state)
{
	struct fixture *f;
	struct cmdfifo *second = NULL;
	char err[256] = "";
	struct stat before, after;

	setup_dir(state);
	f = *state;
	/* Left behind by a daemon that is gone: nobody reads it. */
	assert_int_equal(mkfifo(f->path, 0600), 0);
	assert_int_equal(lstat(f->path, &before), 0);
	if (cmdfifo_new(f->loop, f->path, record_line, f, &f->f, err,
	                sizeof(err)) != 0)
		fail_msg("cmdfifo_new: %s", err);
	assert_int_equal(lstat(f->path, &after), 0);
	assert_int_equal(after.st_mode & 07777, 0660);

	/* Read by a live daemon: refused, and the live one keeps its
	 * FIFO. */
	assert_int_equal(cmdfifo_new(f->loop, f->path, record_line, f, &second,
	                             err, sizeof(err)),
	                 -EBUSY);
	assert_null(second);
	assert_non_null(strstr(err, "is read by another process"));
	f->wfd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(f->wfd >= 0);
	puts_(f, "[1] A\n");
	drain(f);
	assert_int_equal(f->nlines, 1);
}

static void
test_cmdfifo_free_leaves_a_replaced_path_alone(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	int fd;

	/* Someone replaced the FIFO: free() must not remove their file. */
	assert_int_equal(unlink(f->path), 0);
	fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
	cmdfifo_free(f->f);
	f->f = NULL;
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_cmdfifo_creates_fifo_mode_0660,
	                              teardown),
	    cmocka_unit_test_setup_teardown(test_cmdfifo_whole_lines, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_many_lines_in_one_write, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_line_split_across_writes_is_joined, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_longest_line_is_delivered, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_overlong_line_discarded_not_the_next, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_nul_inside_is_handed_to_the_parser, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_partial_discarded_after_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_partial_discarded_when_a_command_follows, setup,
	        teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_writers_closing_do_not_wake_the_loop, setup,
	        teardown),
	    cmocka_unit_test_teardown(
	        test_cmdfifo_concurrent_writers_lines_arrive_whole, teardown),
	    cmocka_unit_test_teardown(test_cmdfifo_refuses_what_is_not_a_fifo,
	                              teardown),
	    cmocka_unit_test_teardown(
	        test_cmdfifo_replaces_stale_fifo_refuses_live_one, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_cmdfifo_free_leaves_a_replaced_path_alone, setup,
	        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
