/*
 * plugin: the plugin runner.
 *
 * Data structures and invariants:
 *
 * - Every job is on exactly one of two doubly linked lists: r->queue (FIFO,
 *   phase QUEUED: waiting for a slot, nothing allocated but the argv copy)
 *   or r->jobs (phases RUNNING, DEFERRED, ORPHAN).
 *   RUNNING: a process was spawned; it owns a pidfd, two pipe read ends
 *   and a timer. DEFERRED: the result is known up front (spawn failed,
 *   relative path) and a zero-delay timer delivers it, so callbacks never
 *   run inside plugin_run(). ORPHAN: plugin_cancel() already delivered the
 *   callback; the killed process is only waiting to be reaped.
 *
 * - r->nrunning counts processes started and not yet seen exiting
 *   (RUNNING before exit, ORPHAN). It never exceeds opt.max_running:
 *   plugin_run() queues when it would, and the queue is drained (FIFO, by
 *   plugin_pump()) only when a process exits. While the queue is not
 *   empty, new jobs queue behind it, even if a slot is free.
 *
 * - The process group leader is reaped only when its job finishes. On exit
 *   waitid(WNOWAIT) reads its status and leaves it a zombie, so its pid and
 *   process group number cannot be reused while the runner may still send
 *   kill(-pgid, SIGKILL) (after a timeout, or when its pipes stay open).
 *   ORPHAN jobs and runner shutdown reap at once.
 *
 * - A job finishes (its callback runs) when the process exited and both
 *   pipes reached EOF, or drain_ns after the exit with a pipe still open
 *   (something outside the leader holds it, such as a grandchild that
 *   called setsid(); the group is killed and our ends are closed). The
 *   callback pointer is cleared before the call: exactly once.
 */
#include "plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

/* Longest argv copy accepted (well under the kernel's ARG_MAX). */
#define PLUGIN_MAX_ARGV_BYTES (1024 * 1024)
/* How long plugin_runner_free() waits for killed processes. */
#define PLUGIN_SHUTDOWN_WAIT_NS (5 * LOOP_NS_PER_SEC)

enum plugin_phase {
	JOB_QUEUED,
	JOB_RUNNING,
	JOB_DEFERRED,
	JOB_ORPHAN,
};

enum plugin_timer {
	TIMER_TIMEOUT, /* the plugin's timeout */
	TIMER_GRACE,   /* SIGTERM sent, SIGKILL when this fires */
	TIMER_DRAIN,   /* exited, waiting for the pipes to close */
	TIMER_DEFER,   /* deliver a result known up front */
};

struct plugin_pipe {
	int fd; /* -1 once closed */
	char *buf;
	size_t len;
	bool truncated;
};

struct plugin_job {
	struct plugin_runner *r;
	struct plugin_job *prev, *next;
	enum plugin_phase phase;
	char **argv; /* one allocation: pointers, then strings */
	int64_t timeout_ns;
	bool host_check;
	plugin_done_fn *fn; /* NULL once called */
	void *arg;

	pid_t pid; /* 0 until spawned; also the process group */
	int pidfd;
	struct plugin_pipe out, err;
	struct loop_timer timer;
	enum plugin_timer tstate;
	bool exited;    /* status read (leader is a zombie or gone) */
	bool reaped;    /* leader gone: never signal the group again */
	bool timed_out;
	bool killed;    /* SIGKILL sent to the group */
	bool held;      /* a pipe was still open drain_ns after exit */
	int wcode;      /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int wstatus;
	int spawn_err;  /* DEFERRED: errno, or 0 for a relative path */
	struct check_result res;
};

struct plugin_runner {
	struct loop *loop;
	struct plugin_options opt;
	int devnull;
	struct plugin_job *qhead, *qtail;
	struct plugin_job *jobs;
	size_t nrunning;
	bool closing;
	struct plugin_counters c;
};

static void
plugin_unlink(struct plugin_job **head, struct plugin_job **tail,
    struct plugin_job *job)
{
	if (job->prev != NULL)
		job->prev->next = job->next;
	else
		*head = job->next;
	if (job->next != NULL)
		job->next->prev = job->prev;
	else if (tail != NULL)
		*tail = job->prev;
	job->prev = job->next = NULL;
}

/* A close-on-exec pipe whose ends are both >= 3, so that the child's dup2
 * onto 0, 1, 2 never meets its own source. */
static int
plugin_pipe_open(int p[2])
{
	int i, fd;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	for (i = 0; i < 2; i++) {
		if (p[i] >= 3)
			continue;
		fd = fcntl(p[i], F_DUPFD_CLOEXEC, 3);
		close(p[i]);
		p[i] = fd;
	}
	return p[0] < 0 || p[1] < 0 ? -EMFILE : 0;
}

static void
plugin_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void
plugin_pipe_close(struct plugin_job *job, struct plugin_pipe *pp)
{
	if (pp->fd < 0)
		return;
	loop_io_del(job->r->loop, pp->fd);
	plugin_close(&pp->fd);
}

static void
plugin_pidfd_close(struct plugin_job *job)
{
	if (job->pidfd >= 0)
		loop_io_del(job->r->loop, job->pidfd); /* if still watched */
	plugin_close(&job->pidfd);
}

/* SIGKILL the job's process group, unless its leader is already reaped
 * (then the number may belong to someone else). */
static void
plugin_kill(struct plugin_job *job)
{
	if (job->pid <= 0 || job->reaped)
		return;
	(void)kill(-job->pid, SIGKILL);
	if (!job->killed) {
		job->killed = true;
		job->r->c.killed++;
	}
}

/* Reap the leader (a zombie, or about to be one after SIGKILL), waiting
 * until deadline at most (monotonic ns; 0: do not wait). */
static void
plugin_reap(struct plugin_job *job, int64_t deadline)
{
	struct pollfd pfd = { .fd = job->pidfd, .events = POLLIN };
	siginfo_t si;
	int rc;

	while (!job->reaped && job->pidfd >= 0) {
		memset(&si, 0, sizeof(si));
		rc = waitid((idtype_t)P_PIDFD, (id_t)job->pidfd, &si,
		    WEXITED | WNOHANG);
		if (rc != 0 && errno == EINTR)
			continue;
		if (rc != 0 || si.si_pid != 0) {
			job->reaped = true; /* or ECHILD: reaped elsewhere */
			break;
		}
		if (loop_clock() >= deadline)
			break;
		(void)poll(&pfd, 1, 10);
	}
}

static void
plugin_job_free(struct plugin_job *job)
{
	check_result_clear(&job->res);
	free(job->out.buf);
	free(job->err.buf);
	free(job->argv);
	free(job);
}

static bool
plugin_blank(char c, bool newline)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\0' ||
	    (newline && c == '\n');
}

/* Trimmed copy of s[0 .. n) with NUL bytes as spaces, or NULL when empty
 * (or out of memory: *oom set). */
static char *
plugin_text(const char *s, size_t n, bool *oom)
{
	char *t;
	size_t i;

	while (n > 0 && plugin_blank(s[n - 1], true))
		n--;
	while (n > 0 && plugin_blank(*s, true)) {
		s++;
		n--;
	}
	if (n == 0)
		return NULL;
	t = malloc(n + 1);
	if (t == NULL) {
		*oom = true;
		return NULL;
	}
	for (i = 0; i < n; i++)
		t[i] = s[i] == '\0' ? ' ' : s[i];
	t[n] = '\0';
	return t;
}

/* Append piece (trimmed) to a space-joined list in dst (capacity known to
 * suffice: pieces come from disjoint parts of the input). */
static void
plugin_join(char *dst, size_t *len, const char *s, size_t n, char sep)
{
	while (n > 0 && plugin_blank(s[n - 1], false))
		n--;
	if (sep == ' ')
		while (n > 0 && plugin_blank(*s, false)) {
			s++;
			n--;
		}
	if (n == 0 && sep == ' ')
		return;
	if (*len > 0)
		dst[(*len)++] = sep;
	memcpy(dst + *len, s, n);
	*len += n;
	dst[*len] = '\0';
}

int
plugin_parse_output(const char *buf, size_t len, struct check_result *res)
{
	const char *line, *end, *nl, *bar;
	char *lo = NULL, *pd = NULL;
	size_t lolen = 0, pdlen = 0, n, i;
	bool in_perf = false, oom = false;

	check_result_clear(res);
	lo = malloc(len + 1);
	pd = malloc(len + 1);
	if (lo == NULL || pd == NULL)
		goto nomem;
	lo[0] = pd[0] = '\0';

	end = buf + len;
	nl = memchr(buf, '\n', len);
	n = nl != NULL ? (size_t)(nl - buf) : len;
	bar = memchr(buf, '|', n);
	res->output = plugin_text(buf, bar != NULL ? (size_t)(bar - buf) : n,
	    &oom);
	if (bar != NULL)
		plugin_join(pd, &pdlen, bar + 1, n - (size_t)(bar - buf) - 1,
		    ' ');
	for (line = nl != NULL ? nl + 1 : end; line < end; line += n + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
		if (in_perf) {
			plugin_join(pd, &pdlen, line, n, ' ');
			continue;
		}
		bar = memchr(line, '|', n);
		if (bar == NULL) {
			plugin_join(lo, &lolen, line, n, '\n');
			continue;
		}
		plugin_join(lo, &lolen, line, (size_t)(bar - line), '\n');
		plugin_join(pd, &pdlen, bar + 1, n - (size_t)(bar - line) - 1,
		    ' ');
		in_perf = true;
	}
	res->long_output = plugin_text(lo, lolen, &oom);
	res->perfdata = plugin_text(pd, pdlen, &oom);
	if (res->output == NULL && !oom)
		res->output = strdup("");
	if (res->output == NULL)
		goto nomem;
	for (i = 0; res->output[i] != '\0'; i++)
		if (res->output[i] == ';')
			res->output[i] = ':';
	free(lo);
	free(pd);
	return oom ? -ENOMEM : 0;
nomem:
	free(lo);
	free(pd);
	check_result_clear(res);
	return -ENOMEM;
}

static void
plugin_out_of_bounds(struct check_result *res, int code)
{
	check_result_set(res, CHECK_CRITICAL,
	    "(Return code of %d is out of bounds%s)", code,
	    code == 126 ? " - plugin may not be executable" :
	    code == 127 ? " - plugin may be missing" : "");
}

/* The raw output as long output of an error result (what the plugin said
 * before failing), stdout or else stderr. */
static void
plugin_keep_raw(struct plugin_job *job)
{
	const struct plugin_pipe *pp = job->out.len > 0 ? &job->out :
	    &job->err;
	bool oom = false;

	free(job->res.long_output);
	job->res.long_output = pp->len > 0 ? plugin_text(pp->buf, pp->len,
	    &oom) : NULL;
}

/* Parse the output of a plugin that exited 0..3: stdout, else stderr the
 * way Naemon shows it, else Nagios' "no output" text. */
static void
plugin_result_output(struct plugin_job *job)
{
	static const char pfx[] = "(No output on stdout) stderr: ";
	const struct plugin_pipe *pp = job->out.len > 0 ? &job->out :
	    &job->err;
	struct check_result *res = &job->res;
	size_t len;
	char *s;

	if (plugin_parse_output(pp->buf, pp->len, res) != 0)
		return;
	if (pp == &job->err && pp->len > 0) {
		len = sizeof(pfx) + strlen(res->output);
		if ((s = malloc(len)) == NULL)
			return;
		snprintf(s, len, "%s%s", pfx, res->output);
	} else if (res->output[0] == '\0') {
		if ((s = strdup("(No output returned from plugin)")) == NULL)
			return;
	} else
		return;
	free(res->output);
	res->output = s;
}

static void
plugin_result_spawn_failed(struct plugin_job *job, struct plugin_info *info)
{
	struct check_result *res = &job->res;
	int e = job->spawn_err;

	info->end = PLUGIN_SPAWN_FAILED;
	info->error = e != 0 ? e : ENOENT;
	if (e == 0)
		check_result_set(res, CHECK_CRITICAL,
		    "(Plugin path '%s' is not absolute)", job->argv[0]);
	else if (e == ENOENT || e == ENOTDIR || e == ELOOP ||
	    e == ENAMETOOLONG)
		plugin_out_of_bounds(res, 127);
	else if (e == EACCES || e == EPERM || e == ENOEXEC || e == EISDIR ||
	    e == ETXTBSY)
		plugin_out_of_bounds(res, 126);
	else
		check_result_set(res, CHECK_UNKNOWN,
		    "(Cannot start plugin %s: %s)", job->argv[0], strerror(e));
}

static void
plugin_result(struct plugin_job *job, bool aborted, struct plugin_info *info)
{
	struct plugin_runner *r = job->r;
	struct check_result *res = &job->res;
	double secs = (double)job->timeout_ns / (double)LOOP_NS_PER_SEC;

	memset(info, 0, sizeof(*info));
	info->pid = job->pid;
	info->output_truncated = job->out.truncated || job->err.truncated;
	info->output_held = job->held;
	res->end_ns = loop_clock();
	if (aborted) {
		info->end = PLUGIN_ABORTED;
		check_result_set(res, CHECK_UNKNOWN, "(Plugin check aborted)");
	} else if (job->phase == JOB_DEFERRED) {
		r->c.spawn_failed++;
		plugin_result_spawn_failed(job, info);
	} else if (job->timed_out) {
		info->end = PLUGIN_TIMED_OUT;
		check_result_set(res, job->host_check ? CHECK_CRITICAL :
		    r->opt.timeout_state, "(%s check timed out after %.2f "
		    "seconds)", job->host_check ? "Host" : "Service", secs);
	} else if (job->wcode == CLD_EXITED) {
		info->end = PLUGIN_EXITED;
		info->exit_code = job->wstatus;
		if (job->wstatus >= 0 && job->wstatus <= 3) {
			plugin_result_output(job);
			res->code = job->wstatus;
		} else {
			plugin_out_of_bounds(res, job->wstatus);
			plugin_keep_raw(job);
		}
	} else {
		info->end = PLUGIN_SIGNALED;
		info->signo = job->wstatus;
		r->c.signaled++;
		check_result_set(res, CHECK_CRITICAL,
		    "(Plugin was killed by signal %d)", job->wstatus);
		plugin_keep_raw(job);
	}
	if (info->output_truncated)
		r->c.output_truncated++;
	if (res->output == NULL)
		res->output = strdup(""); /* out of memory: empty, not NULL */
}

/* Call the job's callback once. */
static void
plugin_deliver(struct plugin_job *job, bool aborted)
{
	struct plugin_runner *r = job->r;
	struct plugin_info info;
	plugin_done_fn *fn = job->fn;

	if (fn == NULL)
		return;
	job->fn = NULL;
	plugin_result(job, aborted, &info);
	r->c.finished++;
	if (aborted)
		r->c.aborted++;
	fn(&job->res, &info, job->arg);
	check_result_clear(&job->res);
}

/* ---- the life of a job ---- */

static void plugin_pump(struct plugin_runner *r);

/* Deliver the result and free the job (RUNNING after exit, or
 * DEFERRED). */
static void
plugin_finish(struct plugin_job *job)
{
	struct plugin_runner *r = job->r;

	loop_timer_stop(r->loop, &job->timer);
	plugin_pipe_close(job, &job->out);
	plugin_pipe_close(job, &job->err);
	if (job->phase == JOB_RUNNING) {
		/* Leftovers in the group after a timeout, or holding our
		 * pipes: killed while the zombie leader keeps the number. */
		if (job->timed_out || job->held)
			plugin_kill(job);
		plugin_reap(job, 0);
		plugin_pidfd_close(job);
	}
	plugin_unlink(&r->jobs, NULL, job);
	plugin_deliver(job, false);
	plugin_job_free(job);
}

static void
plugin_read(struct plugin_job *job, struct plugin_pipe *pp)
{
	size_t cap = job->r->opt.output_cap;
	char scratch[16384];
	ssize_t n;
	int i;

	/* A bounded number of reads per wakeup keeps one chatty plugin from
	 * holding the loop; the fd stays readable for the next pass. */
	for (i = 0; i < 16; i++) {
		if (pp->len < cap)
			n = read(pp->fd, pp->buf + pp->len, cap - pp->len);
		else
			n = read(pp->fd, scratch, sizeof(scratch));
		if (n > 0) {
			if (pp->len < cap)
				pp->len += (size_t)n;
			else
				pp->truncated = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		plugin_pipe_close(job, pp); /* EOF, or an error: done */
		return;
	}
}

static void
plugin_io_cb(struct loop *loop, int fd, unsigned ev, void *arg)
{
	struct plugin_job *job = arg;

	plugin_read(job, fd == job->out.fd ? &job->out : &job->err);
	if (job->exited && job->out.fd < 0 && job->err.fd < 0)
		plugin_finish(job);
}

static void
plugin_timer_cb(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct plugin_job *job = arg;
	struct plugin_runner *r = job->r;

	switch (job->tstate) {
	case TIMER_DEFER:
		plugin_finish(job);
		break;
	case TIMER_TIMEOUT:
		job->timed_out = true;
		r->c.timed_out++;
		if (r->opt.kill_grace_ns > 0) {
			(void)kill(-job->pid, SIGTERM);
			job->tstate = TIMER_GRACE;
			if (loop_timer_start(loop, &job->timer, loop_clock() +
			    r->opt.kill_grace_ns) == 0)
				break;
		}
		plugin_kill(job);
		break;
	case TIMER_GRACE:
		plugin_kill(job);
		break;
	case TIMER_DRAIN:
		job->held = true;
		r->c.output_held++;
		plugin_finish(job);
		break;
	}
}

static void
plugin_exit_cb(struct loop *loop, int fd, unsigned ev, void *arg)
{
	struct plugin_job *job = arg;
	struct plugin_runner *r = job->r;
	int flags = WEXITED | WNOHANG;
	siginfo_t si;

	/* Running jobs read the status and leave a zombie (see the top of
	 * this file); orphans are killed again and reaped now. */
	if (job->phase == JOB_ORPHAN)
		plugin_kill(job);
	else
		flags |= WNOWAIT;
	memset(&si, 0, sizeof(si));
	if (waitid((idtype_t)P_PIDFD, (id_t)job->pidfd, &si, flags) != 0) {
		if (errno == EINTR)
			return;
		/* ECHILD: someone reaped it behind our back. */
		job->reaped = true;
		si.si_code = CLD_KILLED;
		si.si_status = 0;
	} else if (si.si_pid == 0)
		return; /* not exited yet */
	else if (job->phase == JOB_ORPHAN)
		job->reaped = true;

	loop_io_del(loop, job->pidfd);
	job->exited = true;
	r->c.running = --r->nrunning;
	if (job->phase == JOB_ORPHAN) {
		plugin_pidfd_close(job);
		plugin_unlink(&r->jobs, NULL, job);
		plugin_job_free(job);
	} else {
		job->wcode = si.si_code;
		job->wstatus = si.si_status;
		if (job->timed_out)
			plugin_kill(job);
		job->tstate = TIMER_DRAIN;
		if (job->out.fd < 0 && job->err.fd < 0)
			plugin_finish(job);
		else if (loop_timer_start(loop, &job->timer, loop_clock() +
		    r->opt.drain_ns) != 0)
			plugin_timer_cb(loop, &job->timer, job); /* held */
	}
	plugin_pump(r);
}

/* Spawn the job's process and watch it. Returns 0 or -errno (then nothing
 * is left behind). */
static int
plugin_spawn(struct plugin_job *job)
{
	struct plugin_runner *r = job->r;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	sigset_t none, all;
	pid_t pid = 0;
	int rc;

	if ((rc = plugin_pipe_open(outp)) != 0 ||
	    (rc = plugin_pipe_open(errp)) != 0)
		goto fail;
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		rc = -rc;
		goto fail;
	}
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		rc = -rc;
		goto fail;
	}
	/* stdin /dev/null, stdout and stderr on our pipes, nothing else
	 * (the daemon's fds are close-on-exec; closefrom catches any that
	 * are not). Own process group; empty signal mask; every signal back
	 * to its default (pharosd ignores SIGPIPE and catches SIGTERM,
	 * SIGHUP and SIGINT). glibc leaves its two internal signals (32,
	 * 33) ignored in the child whatever we ask; see docs/plugins.md. */
	sigemptyset(&none);
	sigfillset(&all);
	rc = posix_spawn_file_actions_adddup2(&fa, r->devnull, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (rc == 0)
		rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
		    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (rc == 0)
		rc = posix_spawnattr_setpgroup(&at, 0);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(&at, &none);
	if (rc == 0)
		rc = posix_spawnattr_setsigdefault(&at, &all);
	if (rc == 0)
		rc = posix_spawn(&pid, job->argv[0], &fa, &at, job->argv,
		    environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	plugin_close(&outp[1]);
	plugin_close(&errp[1]);
	if (rc != 0) {
		pid = 0;
		rc = -rc;
		goto fail;
	}
	job->pid = pid;
	job->out.fd = outp[0];
	job->err.fd = errp[0];
	outp[0] = errp[0] = -1;

	job->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (job->pidfd < 0 || fcntl(job->out.fd, F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(job->err.fd, F_SETFL, O_NONBLOCK) != 0) {
		rc = -errno;
		goto fail;
	}
	job->out.buf = malloc(r->opt.output_cap);
	job->err.buf = malloc(r->opt.output_cap);
	if (job->out.buf == NULL || job->err.buf == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	job->res.start_ns = loop_clock();
	job->res.start_time = (int64_t)time(NULL);
	job->tstate = TIMER_TIMEOUT;
	if ((rc = loop_io_add(r->loop, job->pidfd, LOOP_READ, plugin_exit_cb,
	    job)) != 0 ||
	    (rc = loop_io_add(r->loop, job->out.fd, LOOP_READ, plugin_io_cb,
	    job)) != 0 ||
	    (rc = loop_io_add(r->loop, job->err.fd, LOOP_READ, plugin_io_cb,
	    job)) != 0 ||
	    (rc = loop_timer_start(r->loop, &job->timer, job->res.start_ns +
	    job->timeout_ns)) != 0)
		goto fail;

	job->phase = JOB_RUNNING;
	r->c.running = ++r->nrunning;
	if (r->nrunning > r->c.running_max)
		r->c.running_max = r->nrunning;
	r->c.started++;
	return 0;

fail:
	loop_timer_stop(r->loop, &job->timer);
	if (pid > 0) {
		/* Started but cannot be watched: kill and reap it now. */
		(void)kill(-pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	plugin_pipe_close(job, &job->out);
	plugin_pipe_close(job, &job->err);
	plugin_pidfd_close(job);
	plugin_close(&outp[0]);
	plugin_close(&errp[0]);
	plugin_close(&outp[1]); /* still ours when spawning never happened */
	plugin_close(&errp[1]);
	free(job->out.buf);
	free(job->err.buf);
	job->out.buf = job->err.buf = NULL;
	job->pid = 0;
	return rc;
}

/* Start a job that has a slot: spawn it, or arrange for its failure to be
 * delivered on the next pass. Links it into r->jobs. Returns 0, or
 * -ENOMEM when the failure cannot be deferred (then the job is unlinked
 * again and the caller owns it); with deliver_now the failure is
 * delivered at once instead (we are on the loop, not in plugin_run). */
static int
plugin_start(struct plugin_job *job, bool deliver_now)
{
	struct plugin_runner *r = job->r;
	int rc;

	job->prev = NULL;
	job->next = r->jobs;
	if (r->jobs != NULL)
		r->jobs->prev = job;
	r->jobs = job;
	if (job->argv[0][0] != '/')
		job->spawn_err = 0;
	else if ((rc = plugin_spawn(job)) == 0)
		return 0;
	else
		job->spawn_err = -rc;
	job->phase = JOB_DEFERRED;
	job->res.start_ns = loop_clock();
	job->res.start_time = (int64_t)time(NULL);
	job->tstate = TIMER_DEFER;
	if (loop_timer_start(r->loop, &job->timer, loop_now(r->loop)) == 0)
		return 0;
	if (deliver_now) {
		plugin_finish(job);
		return 0;
	}
	plugin_unlink(&r->jobs, NULL, job);
	return -ENOMEM;
}

/* Start queued jobs while there are slots, oldest first. */
static void
plugin_pump(struct plugin_runner *r)
{
	struct plugin_job *job;

	while (!r->closing && r->qhead != NULL &&
	    r->nrunning < r->opt.max_running) {
		job = r->qhead;
		plugin_unlink(&r->qhead, &r->qtail, job);
		r->c.queue_len--;
		(void)plugin_start(job, true);
	}
}

/* ---- public interface ---- */

void
plugin_options_default(struct plugin_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->timeout_state = CHECK_CRITICAL;
}

int
plugin_runner_new(struct loop *loop, const struct plugin_options *opt,
    struct plugin_runner **out)
{
	struct plugin_runner *r;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int fd;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->loop = loop;
	if (opt != NULL)
		r->opt = *opt;
	else
		plugin_options_default(&r->opt);
	if (r->opt.max_running == 0)
		r->opt.max_running = PLUGIN_DEFAULT_RUNNING_PER_CPU *
		    (size_t)(ncpu > 0 ? ncpu : 1);
	if (r->opt.output_cap == 0)
		r->opt.output_cap = PLUGIN_DEFAULT_OUTPUT_CAP;
	if (r->opt.default_timeout_ns <= 0)
		r->opt.default_timeout_ns = PLUGIN_DEFAULT_TIMEOUT_NS;
	if (r->opt.kill_grace_ns == 0)
		r->opt.kill_grace_ns = PLUGIN_DEFAULT_GRACE_NS;
	if (r->opt.drain_ns <= 0)
		r->opt.drain_ns = PLUGIN_DEFAULT_DRAIN_NS;
	if (r->opt.timeout_state < CHECK_OK ||
	    r->opt.timeout_state > CHECK_UNKNOWN)
		r->opt.timeout_state = CHECK_CRITICAL;
	/* stdin of every plugin; >= 3 for the reason in plugin_pipe_open() */
	r->devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (r->devnull >= 0 && r->devnull < 3) {
		fd = fcntl(r->devnull, F_DUPFD_CLOEXEC, 3);
		close(r->devnull);
		r->devnull = fd;
	}
	if (r->devnull < 0) {
		free(r);
		return -errno;
	}
	*out = r;
	return 0;
}

const struct plugin_counters *
plugin_runner_counters(const struct plugin_runner *r)
{
	return &r->c;
}

/* One allocation: n + 1 pointers, then the strings. */
static int
plugin_argv_copy(char *const *argv, char ***out)
{
	size_t n, i, bytes, len;
	char **v;
	char *p;

	bytes = 0;
	for (n = 0; argv[n] != NULL; n++) {
		bytes += strlen(argv[n]) + 1;
		if (bytes > PLUGIN_MAX_ARGV_BYTES)
			return -E2BIG;
	}
	v = malloc((n + 1) * sizeof(*v) + bytes);
	if (v == NULL)
		return -ENOMEM;
	p = (char *)(v + n + 1);
	for (i = 0; i < n; i++) {
		len = strlen(argv[i]) + 1;
		memcpy(p, argv[i], len);
		v[i] = p;
		p += len;
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

int
plugin_run(struct plugin_runner *r, char *const *argv, int64_t timeout_ns,
    bool host_check, plugin_done_fn *fn, void *arg, struct plugin_job **jobp)
{
	struct plugin_job *job;
	int rc;

	if (r->closing)
		return -ESHUTDOWN;
	if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0' ||
	    fn == NULL)
		return -EINVAL;
	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return -ENOMEM;
	if ((rc = plugin_argv_copy(argv, &job->argv)) != 0) {
		free(job);
		return rc;
	}
	job->r = r;
	job->fn = fn;
	job->arg = arg;
	job->host_check = host_check;
	job->timeout_ns = timeout_ns > 0 ? timeout_ns :
	    r->opt.default_timeout_ns;
	job->pidfd = job->out.fd = job->err.fd = -1;
	loop_timer_init(&job->timer, plugin_timer_cb, job);

	if (r->qhead != NULL || r->nrunning >= r->opt.max_running) {
		job->phase = JOB_QUEUED;
		job->prev = r->qtail;
		*(r->qtail != NULL ? &r->qtail->next : &r->qhead) = job;
		r->qtail = job;
		r->c.queued++;
		if (++r->c.queue_len > r->c.queued_max)
			r->c.queued_max = r->c.queue_len;
	} else if ((rc = plugin_start(job, false)) != 0) {
		plugin_job_free(job);
		return rc;
	}
	if (jobp != NULL)
		*jobp = job;
	return 0;
}

void
plugin_cancel(struct plugin_runner *r, struct plugin_job *job)
{
	if (r->closing || job == NULL || job->fn == NULL)
		return;
	if (job->phase == JOB_QUEUED) {
		plugin_unlink(&r->qhead, &r->qtail, job);
		r->c.queue_len--;
	} else {
		loop_timer_stop(r->loop, &job->timer);
		plugin_pipe_close(job, &job->out);
		plugin_pipe_close(job, &job->err);
		plugin_kill(job);
		if (job->phase == JOB_RUNNING && !job->exited) {
			/* Reaped later by plugin_exit_cb(). */
			job->phase = JOB_ORPHAN;
			plugin_deliver(job, true);
			return;
		}
		plugin_reap(job, 0);
		plugin_pidfd_close(job);
		plugin_unlink(&r->jobs, NULL, job);
	}
	plugin_deliver(job, true);
	plugin_job_free(job);
}

void
plugin_runner_free(struct plugin_runner *r)
{
	struct plugin_job *job;
	int64_t deadline;

	if (r == NULL)
		return;
	r->closing = true;
	while ((job = r->qhead) != NULL) {
		plugin_unlink(&r->qhead, &r->qtail, job);
		r->c.queue_len--;
		plugin_deliver(job, true);
		plugin_job_free(job);
	}
	/* Kill everything first, so the groups die in parallel, then
	 * deliver, then reap. Callbacks cannot change the lists now:
	 * plugin_run() refuses and plugin_cancel() does nothing. */
	for (job = r->jobs; job != NULL; job = job->next) {
		loop_timer_stop(r->loop, &job->timer);
		plugin_pipe_close(job, &job->out);
		plugin_pipe_close(job, &job->err);
		if (job->pidfd >= 0)
			loop_io_del(r->loop, job->pidfd);
		plugin_kill(job);
	}
	for (job = r->jobs; job != NULL; job = job->next)
		plugin_deliver(job, true);
	deadline = loop_clock() + PLUGIN_SHUTDOWN_WAIT_NS;
	while ((job = r->jobs) != NULL) {
		plugin_reap(job, deadline);
		plugin_pidfd_close(job);
		plugin_unlink(&r->jobs, NULL, job);
		plugin_job_free(job);
	}
	plugin_close(&r->devnull);
	free(r);
}
