/*
 * Unit tests for the plugin runner, with real processes: the monitoring
 * plugins' check_dummy and small /bin/sh scripts written into a mkdtemp
 * folder. No mocks and no timing thresholds: timeouts are short only so
 * that the tests end soon, and every wait is bounded by a watchdog alarm.
 *
 * The test process makes itself a child subreaper, as init (or systemd)
 * is for pharosd: grandchildren that a killed plugin leaves behind are
 * re-parented to it, so the tests can prove they were killed and leave no
 * zombie behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"
#include "plugin.h"

#define DUMMY "/usr/lib/nagios/plugins/check_dummy"
#define MS (LOOP_NS_PER_MSEC)

struct fixture {
	struct loop *loop;
	struct plugin_runner *r;
	char dir[64];
	char path[256]; /* last script written */
};

struct outcome {
	int calls;
	int code;
	char *output;
	char *long_output;
	char *perfdata;
	struct plugin_info info;
};

/* ---- helpers ---- */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || loop_new(&f->loop) != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/pharos-plugin-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	alarm(120); /* watchdog: a hang fails the suite instead */
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char path[512];
	struct dirent *de;
	DIR *d;

	plugin_runner_free(f->r);
	loop_free(f->loop);
	d = opendir(f->dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->dir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	alarm(0);
	free(f);
	return 0;
}

static void
runner(struct fixture *f, size_t max_running, int64_t grace_ns,
    int64_t drain_ns)
{
	struct plugin_options opt;

	plugin_options_default(&opt);
	opt.max_running = max_running;
	opt.kill_grace_ns = grace_ns;
	opt.drain_ns = drain_ns;
	assert_int_equal(plugin_runner_new(f->loop, &opt, &f->r), 0);
}

static void
outcome_clear(struct outcome *o)
{
	free(o->output);
	free(o->long_output);
	free(o->perfdata);
	memset(o, 0, sizeof(*o));
}

static void
record(struct check_result *res, const struct plugin_info *info, void *arg)
{
	struct outcome *o = arg;

	o->calls++;
	if (o->calls > 1)
		return; /* counted: the test asserts calls == 1 */
	assert_non_null(res->output);
	assert_true(res->end_ns >= res->start_ns);
	o->code = res->code;
	o->output = res->output;
	o->long_output = res->long_output;
	o->perfdata = res->perfdata;
	res->output = res->long_output = res->perfdata = NULL;
	o->info = *info;
}

static void
wait_for(struct fixture *f, const int *calls, int n)
{
	while (*calls < n)
		assert_true(loop_run_once(f->loop, -1) >= 0);
}

/* Run argv (NULL-terminated varargs) to completion. */
static void
run(struct fixture *f, struct outcome *o, int64_t timeout_ns, bool host, ...)
{
	char *argv[16];
	va_list ap;
	int n = 0;

	va_start(ap, host);
	while ((argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	outcome_clear(o);
	assert_int_equal(plugin_run(f->r, argv, timeout_ns, host, record, o,
	    NULL), 0);
	assert_int_equal(o->calls, 0); /* never from within plugin_run */
	wait_for(f, &o->calls, 1);
	assert_int_equal(o->calls, 1);
}

/* Write an executable /bin/sh script into the test folder; f->path. */
static const char *
script(struct fixture *f, const char *name, const char *body)
{
	FILE *fp;

	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(f->path, 0755), 0);
	return f->path;
}

/* Zombie children of this process, from /proc/<pid>/stat. */
static int
zombies(void)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	int n = 0, ppid;
	ssize_t len;
	DIR *d;
	int fd;

	d = opendir("/proc");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY)) < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %*c %d", &ppid) != 1)
			continue;
		if (ppid == getpid() && p[2] == 'Z')
			n++;
	}
	closedir(d);
	return n;
}

/* Wait (bounded) for a re-parented grandchild and return its status. */
static int
reap_orphan(pid_t pid)
{
	int i, status = 0;

	for (i = 0; i < 1000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	fail_msg("process %d still alive", (int)pid);
	return -1;
}

/* Open file descriptors of this process. */
static int
open_fds(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static pid_t
read_pid(struct fixture *f, const char *name)
{
	char path[256];
	long v = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &v), 1);
	fclose(fp);
	return (pid_t)v;
}

static bool
group_gone(pid_t pgid)
{
	return kill(-pgid, 0) == -1 && errno == ESRCH;
}

/* ---- states and output ---- */

static void
test_plugin_check_dummy_states(void **state)
{
	static const char *const want[] = { "OK: all fine", "WARNING: all fine",
		"CRITICAL: all fine", "UNKNOWN: all fine" };
	struct fixture *f = *state;
	struct outcome o = { 0 };
	char code[4];
	int i;

	runner(f, 0, 0, 0);
	for (i = 0; i <= 3; i++) {
		snprintf(code, sizeof(code), "%d", i);
		run(f, &o, 0, false, DUMMY, code, "all fine", NULL);
		assert_int_equal(o.code, i);
		assert_string_equal(o.output, want[i]);
		assert_null(o.long_output);
		assert_null(o.perfdata);
		assert_int_equal(o.info.end, PLUGIN_EXITED);
		assert_int_equal(o.info.exit_code, i);
		assert_true(o.info.pid > 0);
	}
	outcome_clear(&o);
	assert_int_equal(plugin_runner_counters(f->r)->finished, 4);
	assert_int_equal(plugin_runner_counters(f->r)->started, 4);
}

static void
test_plugin_multiline_output_and_perfdata(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };

	runner(f, 0, 0, 0);
	script(f, "disk",
	    "echo 'DISK OK - free space: / 3326 MB (56%); | "
	    "/=2643MB;5948;5958;0;5968'\n"
	    "echo '/ 15272 MB (77%);'\n"
	    "echo '/boot 68 MB (69%);'\n"
	    "echo '/home 69357 MB (27%); | /boot=68MB;88;93;0;98'\n"
	    "echo '/home=69357MB;253404;253409;0;253414 '\n"
	    "echo \"'/var log'=818MB;970;975;0;980\"\n"
	    "exit 1");
	run(f, &o, 0, false, f->path, NULL);
	assert_int_equal(o.code, CHECK_WARNING);
	/* Semicolons in the first line become ':' as Nagios does. */
	assert_string_equal(o.output, "DISK OK - free space: / 3326 MB (56%):");
	assert_string_equal(o.long_output,
	    "/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);");
	assert_string_equal(o.perfdata, "/=2643MB;5948;5958;0;5968 "
	    "/boot=68MB;88;93;0;98 /home=69357MB;253404;253409;0;253414 "
	    "'/var log'=818MB;970;975;0;980");
	outcome_clear(&o);
}

static void
test_plugin_parse_output_edge_cases(void **state)
{
	struct check_result res = { 0 };
	static const char crlf[] = "OK\r\nline 2\r\n";
	static const char nul[] = "A\0B|x=1";

	assert_int_equal(plugin_parse_output("|a=1 b=2", 8, &res), 0);
	assert_string_equal(res.output, "");
	assert_string_equal(res.perfdata, "a=1 b=2");
	assert_null(res.long_output);
	assert_int_equal(plugin_parse_output(crlf, sizeof(crlf) - 1, &res), 0);
	assert_string_equal(res.output, "OK");
	assert_string_equal(res.long_output, "line 2");
	assert_int_equal(plugin_parse_output(nul, sizeof(nul) - 1, &res), 0);
	assert_string_equal(res.output, "A B");
	assert_string_equal(res.perfdata, "x=1");
	assert_int_equal(plugin_parse_output("x\n\nl2\n\nl3\n|", 11, &res), 0);
	assert_string_equal(res.long_output, "l2\n\nl3");
	assert_null(res.perfdata);
	check_result_clear(&res);
}

static void
test_plugin_stderr_when_stdout_is_empty(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };

	runner(f, 0, 0, 0);
	run(f, &o, 0, false, "/bin/sh", "-c", "echo oops >&2; exit 2", NULL);
	assert_int_equal(o.code, CHECK_CRITICAL);
	assert_string_equal(o.output, "(No output on stdout) stderr: oops");
	run(f, &o, 0, false, "/bin/sh", "-c", "echo out; echo err >&2", NULL);
	assert_string_equal(o.output, "out");
	run(f, &o, 0, false, "/bin/true", NULL);
	assert_int_equal(o.code, CHECK_OK);
	assert_string_equal(o.output, "(No output returned from plugin)");
	outcome_clear(&o);
}

static void
test_plugin_huge_output_is_capped(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };

	runner(f, 0, 0, 0);
	/* 10 MB on one line, then more on stderr: both drained. */
	run(f, &o, 0, false, "/bin/sh", "-c",
	    "head -c 10485760 /dev/zero | tr '\\0' x; "
	    "head -c 1048576 /dev/zero >&2; exit 1", NULL);
	assert_int_equal(o.code, CHECK_WARNING);
	assert_int_equal(strlen(o.output), PLUGIN_DEFAULT_OUTPUT_CAP);
	assert_true(o.info.output_truncated);
	assert_false(o.info.output_held);
	assert_int_equal(plugin_runner_counters(f->r)->output_truncated, 1);
	/* Exactly the cap is not truncated. */
	run(f, &o, 0, false, "/bin/sh", "-c",
	    "head -c 8192 /dev/zero | tr '\\0' y", NULL);
	assert_int_equal(strlen(o.output), 8192);
	assert_false(o.info.output_truncated);
	outcome_clear(&o);
}

/* ---- exit codes ---- */

static void
test_plugin_out_of_bounds_codes(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };
	bool host;

	runner(f, 0, 0, 0);
	for (host = false; ; host = true) {
		run(f, &o, 0, host, "/bin/sh", "-c", "echo bye; exit 137",
		    NULL);
		assert_int_equal(o.code, CHECK_CRITICAL);
		assert_string_equal(o.output,
		    "(Return code of 137 is out of bounds)");
		assert_string_equal(o.long_output, "bye");
		assert_int_equal(o.info.exit_code, 137);

		/* A missing plugin: posix_spawn fails, reported as 127. */
		run(f, &o, 0, host, "/nonexistent/check_nothing", NULL);
		assert_int_equal(o.code, CHECK_CRITICAL);
		assert_string_equal(o.output, "(Return code of 127 is out of "
		    "bounds - plugin may be missing)");
		assert_int_equal(o.info.end, PLUGIN_SPAWN_FAILED);
		assert_int_equal(o.info.error, ENOENT);

		/* The same when a shell wrapper exits 127. */
		run(f, &o, 0, host, "/bin/sh", "-c", "/nonexistent/x", NULL);
		assert_string_equal(o.output, "(Return code of 127 is out of "
		    "bounds - plugin may be missing)");
		assert_non_null(strstr(o.long_output, "/nonexistent/x"));
		if (host)
			break;
	}
	/* Not executable: 126. */
	script(f, "noexec", "exit 0");
	assert_int_equal(chmod(f->path, 0644), 0);
	run(f, &o, 0, false, f->path, NULL);
	assert_int_equal(o.code, CHECK_CRITICAL);
	assert_string_equal(o.output, "(Return code of 126 is out of bounds - "
	    "plugin may not be executable)");
	/* A relative path is refused. */
	run(f, &o, 0, false, "check_dummy", "0", NULL);
	assert_int_equal(o.code, CHECK_CRITICAL);
	assert_string_equal(o.output,
	    "(Plugin path 'check_dummy' is not absolute)");
	assert_int_equal(plugin_runner_counters(f->r)->spawn_failed, 4);
	outcome_clear(&o);
}

static void
test_plugin_killed_by_signal(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };

	runner(f, 0, 0, 0);
	run(f, &o, 0, false, "/bin/sh", "-c", "echo dying; kill -USR1 $$",
	    NULL);
	assert_int_equal(o.code, CHECK_CRITICAL);
	assert_string_equal(o.output, "(Plugin was killed by signal 10)");
	assert_int_equal(o.info.end, PLUGIN_SIGNALED);
	assert_int_equal(o.info.signo, SIGUSR1);
	assert_int_equal(plugin_runner_counters(f->r)->signaled, 1);
	outcome_clear(&o);
}

/* ---- timeouts and process groups ---- */

static void
test_plugin_timeout_kills_the_group(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };

	runner(f, 0, -1, 0); /* SIGKILL at once */
	run(f, &o, 200 * MS, false, "/bin/sleep", "1000", NULL);
	assert_int_equal(o.code, CHECK_CRITICAL);
	assert_string_equal(o.output,
	    "(Service check timed out after 0.20 seconds)");
	assert_int_equal(o.info.end, PLUGIN_TIMED_OUT);
	assert_true(group_gone(o.info.pid));

	run(f, &o, 250 * MS, true, "/bin/sleep", "1000", NULL);
	assert_int_equal(o.code, CHECK_CRITICAL);
	assert_string_equal(o.output,
	    "(Host check timed out after 0.25 seconds)");
	assert_true(group_gone(o.info.pid));
	assert_int_equal(plugin_runner_counters(f->r)->timed_out, 2);
	assert_int_equal(plugin_runner_counters(f->r)->killed, 2);
	outcome_clear(&o);
}

static void
test_plugin_timeout_state_is_configurable(void **state)
{
	struct fixture *f = *state;
	struct plugin_options opt;
	struct outcome o = { 0 };

	plugin_options_default(&opt);
	opt.timeout_state = CHECK_UNKNOWN;
	opt.kill_grace_ns = -1;
	assert_int_equal(plugin_runner_new(f->loop, &opt, &f->r), 0);
	run(f, &o, 100 * MS, false, "/bin/sleep", "1000", NULL);
	assert_int_equal(o.code, CHECK_UNKNOWN);
	outcome_clear(&o);
}

static void
test_plugin_timeout_kills_grandchildren_in_the_group(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };
	pid_t gc;
	int st;

	runner(f, 0, 200 * MS, 0); /* SIGTERM, then SIGKILL 0.2 s later */
	/* The script ignores SIGTERM (and so does its child), so only the
	 * SIGKILL after the grace ends them. */
	script(f, "hang", "trap '' TERM\n"
	    "/bin/sleep 1000 &\n"
	    "echo $! > \"$(dirname \"$0\")/gc.pid\"\n"
	    "echo started\n"
	    "wait");
	run(f, &o, 300 * MS, false, f->path, NULL);
	assert_int_equal(o.info.end, PLUGIN_TIMED_OUT);
	assert_string_equal(o.output,
	    "(Service check timed out after 0.30 seconds)");
	gc = read_pid(f, "gc.pid");
	st = reap_orphan(gc);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_true(group_gone(o.info.pid));
	assert_int_equal(zombies(), 0);
	outcome_clear(&o);
}

static void
test_plugin_setsid_grandchild_holding_stdout(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };
	pid_t gc;
	int st;

	runner(f, 0, 0, 200 * MS);
	/* It escapes the process group and keeps our stdout pipe open:
	 * the check ends drain_ns after the plugin itself exited. */
	script(f, "escape", "/usr/bin/setsid /bin/sleep 1000 &\n"
	    "echo $! > \"$(dirname \"$0\")/gc.pid\"\n"
	    "echo 'OK - detached'");
	run(f, &o, 0, false, f->path, NULL);
	assert_int_equal(o.code, CHECK_OK);
	assert_string_equal(o.output, "OK - detached");
	assert_true(o.info.output_held);
	assert_int_equal(plugin_runner_counters(f->r)->output_held, 1);
	/* It is still alive: outside the group, nothing killed it. */
	gc = read_pid(f, "gc.pid");
	assert_int_equal(kill(gc, 0), 0);
	assert_int_equal(kill(gc, SIGKILL), 0);
	st = reap_orphan(gc);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(zombies(), 0);
	outcome_clear(&o);
}

/* ---- the child's environment ---- */

static void
test_plugin_stdin_is_dev_null(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };
	int p[2], saved;

	runner(f, 0, -1, 0);
	/* Our own stdin is a pipe nobody writes to: a plugin that
	 * inherited it would hang until the timeout. */
	assert_int_equal(pipe(p), 0);
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(p[0], 0), 0);
	run(f, &o, 30 * LOOP_NS_PER_SEC, false, "/bin/cat", NULL);
	assert_int_equal(o.info.end, PLUGIN_EXITED);
	assert_string_equal(o.output, "(No output returned from plugin)");
	run(f, &o, 30 * LOOP_NS_PER_SEC, false, "/bin/sh", "-c",
	    "read x; echo \"got [$x] $(readlink /proc/$$/fd/0)\"", NULL);
	assert_string_equal(o.output, "got [] /dev/null");
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	close(p[0]);
	close(p[1]);
	outcome_clear(&o);
}

static void
test_plugin_child_sees_only_fds_0_1_2(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };
	int leak;

	runner(f, 0, 0, 0);
	/* An fd without close-on-exec, as a careless module might leave. */
	leak = dup2(open("/dev/null", O_RDONLY), 100);
	assert_int_equal(leak, 100);
	run(f, &o, 0, false, "/bin/sh", "-c",
	    "i=0; while [ $i -lt 1024 ]; do "
	    "[ -e /proc/$$/fd/$i ] && printf '%s ' $i; i=$((i+1)); done",
	    NULL);
	assert_string_equal(o.output, "0 1 2");
	close(leak);
	outcome_clear(&o);
}

static void
test_plugin_child_gets_default_signals_and_own_group(void **state)
{
	struct fixture *f = *state;
	struct outcome o = { 0 };
	unsigned long long blk, ign;
	char grp[16];

	runner(f, 0, 0, 0);
	/* main() ignores SIGPIPE, catches SIGTERM and SIGHUP and blocks
	 * SIGUSR2, as pharosd might. */
	run(f, &o, 0, false, "/bin/sh", "-c",
	    "grep -E '^Sig(Blk|Ign)' /proc/$$/status | tr '\\t\\n' '  '; "
	    "[ \"$(cut -d' ' -f5 /proc/$$/stat)\" = $$ ] && echo own-group",
	    NULL);
	assert_int_equal(sscanf(o.output, "SigBlk: %llx SigIgn: %llx %15s",
	    &blk, &ign, grp), 3);
	assert_int_equal(blk, 0);
	/* Nothing ignored but glibc's internal signals 32 and 33, which its
	 * posix_spawn leaves ignored (glibc programs reinstall them). */
	assert_int_equal(ign & ~(3ULL << 31), 0);
	assert_string_equal(grp, "own-group");
	outcome_clear(&o);
}

/* ---- concurrency, reaping, shutdown ---- */

#define MANY 10000

struct many {
	int calls;
	int bad;
	size_t cap;
	struct plugin_runner *r;
};

static void
many_done(struct check_result *res, const struct plugin_info *info,
    void *arg)
{
	struct many *m = arg;

	m->calls++;
	if (res->code != CHECK_OK || info->end != PLUGIN_EXITED ||
	    plugin_runner_counters(m->r)->running > m->cap)
		m->bad++;
}

static void
test_plugin_ten_thousand_checks_leave_no_zombie(void **state)
{
	struct fixture *f = *state;
	char *const argv[] = { (char *)(uintptr_t)"/bin/true", NULL };
	const struct plugin_counters *c;
	struct many m = { .cap = 16 };
	int i, fds;

	runner(f, m.cap, 0, 0);
	m.r = f->r;
	fds = open_fds();
	for (i = 0; i < MANY; i++)
		assert_int_equal(plugin_run(f->r, argv, 0, false, many_done,
		    &m, NULL), 0);
	wait_for(f, &m.calls, MANY);
	c = plugin_runner_counters(f->r);
	assert_int_equal(m.calls, MANY);
	assert_int_equal(m.bad, 0);
	assert_int_equal(c->started, MANY);
	assert_int_equal(c->finished, MANY);
	assert_int_equal(c->running, 0);
	assert_int_equal(c->running_max, m.cap);
	assert_int_equal(c->queued_max, MANY - m.cap);
	assert_int_equal(c->queue_len, 0);
	assert_int_equal(zombies(), 0);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(loop_timer_count(f->loop), 0);
}

static void
test_plugin_cap_one_runs_in_fifo_order(void **state)
{
	struct fixture *f = *state;
	struct outcome o[10];
	char line[512], path[256], want[64] = "", got[64] = "";
	char *argv[4] = { (char *)(uintptr_t)"/bin/sh",
		(char *)(uintptr_t)"-c", line, NULL };
	int i, calls = 0;
	FILE *fp;

	runner(f, 1, 0, 0);
	memset(o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/order", f->dir);
	for (i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "echo %d >> %s", i, path);
		assert_int_equal(plugin_run(f->r, argv, 0, false, record, &o[i],
		    NULL), 0);
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "%d\n", i);
	}
	while (calls < 10) {
		assert_true(loop_run_once(f->loop, -1) >= 0);
		for (calls = 0, i = 0; i < 10; i++)
			calls += o[i].calls;
	}
	fp = fopen(path, "r");
	assert_non_null(fp);
	got[fread(got, 1, sizeof(got) - 1, fp)] = '\0';
	fclose(fp);
	assert_string_equal(got, want);
	assert_int_equal(plugin_runner_counters(f->r)->running_max, 1);
	assert_int_equal(plugin_runner_counters(f->r)->queued_max, 9);
	for (i = 0; i < 10; i++) {
		assert_int_equal(o[i].calls, 1);
		outcome_clear(&o[i]);
	}
}

static void
test_plugin_cancel_running_and_queued(void **state)
{
	struct fixture *f = *state;
	char *const argv[] = { (char *)(uintptr_t)"/bin/sleep",
		(char *)(uintptr_t)"1000", NULL };
	struct outcome a = { 0 }, b = { 0 };
	struct plugin_job *ja, *jb;
	pid_t pid;

	runner(f, 1, 0, 0);
	assert_int_equal(plugin_run(f->r, argv, 0, false, record, &a, &ja), 0);
	assert_int_equal(plugin_run(f->r, argv, 0, false, record, &b, &jb), 0);
	assert_int_equal(plugin_runner_counters(f->r)->queue_len, 1);
	plugin_cancel(f->r, jb);
	assert_int_equal(b.calls, 1);
	assert_int_equal(b.info.end, PLUGIN_ABORTED);
	assert_int_equal(b.code, CHECK_UNKNOWN);
	plugin_cancel(f->r, ja);
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.info.end, PLUGIN_ABORTED);
	pid = a.info.pid;
	assert_true(pid > 0);
	/* The killed process is reaped on the loop; no further callback. */
	while (plugin_runner_counters(f->r)->running > 0)
		assert_true(loop_run_once(f->loop, -1) >= 0);
	assert_true(group_gone(pid));
	assert_int_equal(zombies(), 0);
	assert_int_equal(a.calls, 1);
	assert_int_equal(plugin_runner_counters(f->r)->aborted, 2);
	outcome_clear(&a);
	outcome_clear(&b);
}

struct aborted {
	int calls;
	int run_rc;
	pid_t pid;
	struct plugin_runner *r;
};

static void
aborted_done(struct check_result *res, const struct plugin_info *info,
    void *arg)
{
	struct aborted *x = arg;
	char *const argv[] = { (char *)(uintptr_t)"/bin/true", NULL };

	x->calls++;
	x->pid = info->pid;
	if (info->end != PLUGIN_ABORTED || res->code != CHECK_UNKNOWN)
		x->calls += 100;
	/* Starting new work from an aborted callback is refused. */
	x->run_rc = plugin_run(x->r, argv, 0, false, aborted_done, x, NULL);
}

static void
test_plugin_runner_free_aborts_each_job_once(void **state)
{
	struct fixture *f = *state;
	char *const argv[] = { (char *)(uintptr_t)"/bin/sleep",
		(char *)(uintptr_t)"1000", NULL };
	struct aborted x[5];
	int i;

	runner(f, 3, 0, 0);
	memset(x, 0, sizeof(x));
	for (i = 0; i < 5; i++) {
		x[i].r = f->r;
		assert_int_equal(plugin_run(f->r, argv, 0, false, aborted_done,
		    &x[i], NULL), 0);
	}
	assert_int_equal(loop_run_once(f->loop, 0), 0);
	assert_int_equal(plugin_runner_counters(f->r)->running, 3);
	plugin_runner_free(f->r);
	f->r = NULL;
	for (i = 0; i < 5; i++) {
		assert_int_equal(x[i].calls, 1);
		assert_int_equal(x[i].run_rc, -ESHUTDOWN);
		if (i < 3)
			assert_true(group_gone(x[i].pid));
		else
			assert_int_equal(x[i].pid, 0); /* never started */
	}
	assert_int_equal(zombies(), 0);
}

static void
test_plugin_run_rejects_bad_arguments(void **state)
{
	struct fixture *f = *state;
	char *const empty[] = { NULL };
	char *const blank[] = { (char *)(uintptr_t)"", NULL };
	struct outcome o = { 0 };

	runner(f, 0, 0, 0);
	assert_int_equal(plugin_run(f->r, empty, 0, false, record, &o, NULL),
	    -EINVAL);
	assert_int_equal(plugin_run(f->r, blank, 0, false, record, &o, NULL),
	    -EINVAL);
	assert_int_equal(plugin_run(f->r, NULL, 0, false, record, &o, NULL),
	    -EINVAL);
	assert_int_equal(o.calls, 0);
}

static void
ignore_signal(int sig)
{
	(void)sig;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_plugin_check_dummy_states),
		T(test_plugin_multiline_output_and_perfdata),
		T(test_plugin_parse_output_edge_cases),
		T(test_plugin_stderr_when_stdout_is_empty),
		T(test_plugin_huge_output_is_capped),
		T(test_plugin_out_of_bounds_codes),
		T(test_plugin_killed_by_signal),
		T(test_plugin_timeout_kills_the_group),
		T(test_plugin_timeout_state_is_configurable),
		T(test_plugin_timeout_kills_grandchildren_in_the_group),
		T(test_plugin_setsid_grandchild_holding_stdout),
		T(test_plugin_stdin_is_dev_null),
		T(test_plugin_child_sees_only_fds_0_1_2),
		T(test_plugin_child_gets_default_signals_and_own_group),
		T(test_plugin_ten_thousand_checks_leave_no_zombie),
		T(test_plugin_cap_one_runs_in_fifo_order),
		T(test_plugin_cancel_running_and_queued),
		T(test_plugin_runner_free_aborts_each_job_once),
		T(test_plugin_run_rejects_bad_arguments),
#undef T
	};
	struct sigaction sa;
	sigset_t set;

	/* Like pharosd: SIGPIPE ignored, SIGTERM/SIGHUP caught; plus a
	 * blocked signal. Plugins must see none of it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* Orphaned grandchildren come to us, as to init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
