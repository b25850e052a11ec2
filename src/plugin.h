/*
 * plugin: running Nagios plugins on the event loop.
 *
 * plugin_run() starts argv[0] (an absolute path) with posix_spawn in its
 * own process group, stdin on /dev/null, stdout and stderr on two pipes,
 * no other file descriptor, default signal dispositions and an empty
 * signal mask. The output is read on the loop, at most output_cap bytes of
 * each stream are kept (the rest is read and dropped), the process is
 * reaped through a pidfd, and a timer kills the whole process group when
 * the timeout passes. The result is a struct check_result in Nagios terms
 * (output, long output, perfdata, exit code mapped to a state).
 *
 * At most max_running plugins run at once; further jobs wait in a FIFO
 * queue. Every job's callback runs exactly once: with the plugin's result,
 * a timeout or spawn failure result, or an "aborted" result when the job is
 * cancelled or the runner freed. Callbacks never run from within
 * plugin_run() itself.
 *
 * Everything runs on the loop's thread. The runner installs no SIGCHLD
 * handler and reaps only the processes it started (by pidfd), so other code
 * may own other children. See docs/plugins.md for the user-visible rules.
 */
#ifndef PHAROS_PLUGIN_H
#define PHAROS_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"

struct loop;
struct plugin_runner;
struct plugin_job;

/* Defaults for fields left 0 in struct plugin_options. */
#define PLUGIN_DEFAULT_OUTPUT_CAP 8192
#define PLUGIN_DEFAULT_TIMEOUT_NS (60 * INT64_C(1000000000))
#define PLUGIN_DEFAULT_GRACE_NS INT64_C(1000000000)
#define PLUGIN_DEFAULT_DRAIN_NS INT64_C(1000000000)
/* max_running default: PLUGIN_DEFAULT_RUNNING_PER_CPU x online CPUs. */
#define PLUGIN_DEFAULT_RUNNING_PER_CPU 16

/* Fields left 0 take the defaults, except timeout_state, which is used as
 * given: start from plugin_options_default(). */
struct plugin_options {
	/* Plugins running at once; 0: 16 x online CPUs (2 x nproc x 8). */
	size_t max_running;
	/* Bytes kept of stdout and of stderr each; 0: 8 KiB. */
	size_t output_cap;
	/* Used when plugin_run() gets timeout_ns <= 0; 0: 60 s. */
	int64_t default_timeout_ns;
	/* On timeout the group gets SIGTERM, then SIGKILL after this grace;
	 * 0: 1 s; negative: SIGKILL at once. */
	int64_t kill_grace_ns;
	/* After the plugin exited, how long to wait for its pipes to close
	 * (something else may hold them, see docs/plugins.md); 0: 1 s. */
	int64_t drain_ns;
	/* Code (enum check_code) of a service check that timed out, Nagios'
	 * service_check_timeout_state: CHECK_CRITICAL by default. Host
	 * timeouts are always CHECK_CRITICAL (DOWN). */
	int timeout_state;
};

/* All defaults: zeros, and timeout_state CHECK_CRITICAL. */
void plugin_options_default(struct plugin_options *opt);

/* How a job ended, for callers that log or count. */
enum plugin_end {
	PLUGIN_EXITED,       /* exited; exit_code holds its status */
	PLUGIN_SIGNALED,     /* died of a signal the runner did not send */
	PLUGIN_TIMED_OUT,    /* the timeout passed; the group was killed */
	PLUGIN_SPAWN_FAILED, /* never started; error holds the errno */
	PLUGIN_ABORTED,      /* cancelled or runner freed */
};

struct plugin_info {
	enum plugin_end end;
	int exit_code;          /* PLUGIN_EXITED: 0..255 */
	int signo;              /* PLUGIN_SIGNALED: the signal */
	int error;              /* PLUGIN_SPAWN_FAILED: errno value */
	pid_t pid;              /* also the process group; 0 if not started */
	bool output_truncated;  /* stdout or stderr passed output_cap */
	bool output_held;       /* a pipe was still open drain_ns after exit */
};

/* Called exactly once per job. res is borrowed for the duration of the
 * call (take its strings by setting the pointers to NULL); info too. The
 * job handle is invalid from the moment the callback starts. The callback
 * may call plugin_run() and plugin_cancel() (on other jobs), never
 * plugin_runner_free(). */
typedef void plugin_done_fn(struct check_result *res,
    const struct plugin_info *info, void *arg);

struct plugin_counters {
	uint64_t started;          /* processes spawned */
	uint64_t finished;         /* callbacks delivered, all outcomes */
	uint64_t timed_out;
	uint64_t killed;           /* process groups sent SIGKILL */
	uint64_t signaled;         /* died of a signal we did not send */
	uint64_t output_truncated;
	uint64_t output_held;
	uint64_t spawn_failed;
	uint64_t aborted;
	uint64_t queued;           /* jobs that had to wait for a slot */
	size_t queue_len;          /* waiting now */
	size_t queued_max;         /* most ever waiting at once */
	size_t running;            /* processes started and not yet exited */
	size_t running_max;        /* most ever running at once */
};

/* Create a runner on loop (borrowed; must outlive the runner). opt may be
 * NULL for all defaults; it is copied. Returns 0, -ENOMEM, or -errno when
 * /dev/null cannot be opened. Caller frees with plugin_runner_free(). */
int plugin_runner_new(struct loop *loop, const struct plugin_options *opt,
    struct plugin_runner **out) __attribute__((warn_unused_result));

/* Kill every running plugin's process group (SIGKILL), call every pending
 * callback once with an aborted result, reap the processes (waiting a few
 * seconds at most for ones the kernel is slow to kill), then free. Must
 * not be called from a callback. NULL is a no-op. */
void plugin_runner_free(struct plugin_runner *r);

const struct plugin_counters *plugin_runner_counters(
    const struct plugin_runner *r);

/*
 * Run argv (argv[0] an absolute path; NULL-terminated; borrowed, copied)
 * with a timeout (<= 0: the default). host_check selects the host texts
 * for timeouts. fn(res, info, arg) is called exactly once, later, from the
 * loop. If jobp is not NULL it receives a handle for plugin_cancel(),
 * valid until the callback starts. Returns 0, -EINVAL (argv empty),
 * -ESHUTDOWN (the runner is being freed) or -ENOMEM; fn is never called
 * then. A relative argv[0] or a failing spawn is not an error here: it is
 * delivered as a result.
 */
int plugin_run(struct plugin_runner *r, char *const *argv, int64_t timeout_ns,
    bool host_check, plugin_done_fn *fn, void *arg, struct plugin_job **jobp)
    __attribute__((warn_unused_result));

/* Cancel a job whose callback has not run yet: the callback runs now, from
 * within this call, with an aborted result; a running plugin's group is
 * killed and reaped later on the loop. */
void plugin_cancel(struct plugin_runner *r, struct plugin_job *job);

/*
 * Parse plugin output (len bytes, need not be NUL-terminated) into
 * res->output (the first line up to '|', never NULL), res->long_output
 * (lines 2.. up to the next '|', NULL if empty) and res->perfdata (after
 * the first '|' on line 1 and everything after the '|' that ends the long
 * output, joined by single spaces, NULL if empty), as Nagios does.
 * Semicolons in the first line become ':' (Nagios: the log format uses
 * ';'); NUL bytes become spaces. Frees the strings res held before; leaves
 * code and times alone. Returns 0 or -ENOMEM.
 */
int plugin_parse_output(const char *buf, size_t len, struct check_result *res)
    __attribute__((warn_unused_result));

#endif
