/*
 * loop: the one event loop of pharosd.
 *
 * File descriptor watchers on epoll, and timers kept in an array min-heap
 * keyed by (deadline, sequence) so that timers with equal deadlines fire in
 * the order they were started. Time is int64 nanoseconds of CLOCK_MONOTONIC,
 * cached once per loop pass (loop_now()).
 *
 * Ownership: timers are embedded by the caller (struct loop_timer); the loop
 * never allocates or frees them. A timer that is stopped, or still pending
 * when the loop is freed, simply never fires; the caller owns its memory and
 * may free it once loop_timer_stop() returned. A callback may start, stop or
 * free any timer, including its own, and may add or remove fd watchers.
 */
#ifndef PHAROS_LOOP_H
#define PHAROS_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_NS_PER_SEC  INT64_C(1000000000)
#define LOOP_NS_PER_MSEC INT64_C(1000000)

/* Readiness bits passed to and from fd watchers (same values as EPOLLIN /
 * EPOLLOUT / EPOLLERR / EPOLLHUP; the loop translates, callers need not
 * include sys/epoll.h). */
#define LOOP_READ  0x1u
#define LOOP_WRITE 0x4u
#define LOOP_ERROR 0x8u
#define LOOP_HUP   0x10u

struct loop;
struct loop_timer;

/* Called when fd is ready; events holds LOOP_* bits. */
typedef void loop_io_fn(struct loop *loop, int fd, unsigned events, void *arg);
/* Called once when the timer's deadline has passed. The timer is no longer
 * active when this runs; restart it from the callback to repeat. */
typedef void loop_timer_fn(struct loop *loop, struct loop_timer *t, void *arg);
/* Called once per pass, just before the loop sleeps in epoll_wait. */
typedef void loop_hook_fn(struct loop *loop, void *arg);

struct loop_timer {
	int64_t deadline;  /* monotonic ns */
	uint64_t seq;      /* tie-breaker: start order */
	size_t heap_index; /* position in the heap, SIZE_MAX when inactive */
	loop_timer_fn *fn;
	void *arg;
};

/* Monotonic clock now, in nanoseconds (not cached). */
int64_t loop_clock(void);

/* Create a loop. Returns 0 or -errno. Caller frees with loop_free(). */
int loop_new(struct loop **out) __attribute__((warn_unused_result));
/* Free the loop; does not close watched fds. NULL is a no-op. */
void loop_free(struct loop *loop);

/* Cached monotonic time of the current pass (ns). */
int64_t loop_now(const struct loop *loop);
/* Refresh the cached time (for long callbacks). */
void loop_update_time(struct loop *loop);

/* Watch fd for events (LOOP_READ and/or LOOP_WRITE). One watcher per fd.
 * Returns 0 or -errno (-EEXIST when already watched). */
int loop_io_add(struct loop *loop, int fd, unsigned events, loop_io_fn *fn,
    void *arg) __attribute__((warn_unused_result));
/* Change the events watched on fd. Returns 0 or -errno. */
int loop_io_mod(struct loop *loop, int fd, unsigned events);
/* Stop watching fd (before closing it). Unknown fds are ignored. Safe from
 * within any callback, including the fd's own. */
void loop_io_del(struct loop *loop, int fd);

/* Prepare an embedded timer; it is inactive until started. */
void loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *arg);
/* (Re)start the timer to fire at the absolute monotonic deadline (ns).
 * Restarting an active timer moves it. Returns 0 or -ENOMEM. */
int loop_timer_start(struct loop *loop, struct loop_timer *t,
    int64_t deadline) __attribute__((warn_unused_result));
/* Stop the timer if active; it will not fire. */
void loop_timer_stop(struct loop *loop, struct loop_timer *t);
bool loop_timer_active(const struct loop_timer *t);
/* Number of active timers (for tests and stats). */
size_t loop_timer_count(const struct loop *loop);

/* Let timers run up to slack_ns late so that those close together share
 * one wake-up: a sleeping pass wakes at the next multiple of slack_ns
 * (monotonic clock) at or after the earliest deadline. 0 (the default):
 * wake at the earliest deadline. Timers never run early. */
void loop_set_slack(struct loop *loop, int64_t slack_ns);
/* The slack set (0: none). */
int64_t loop_slack(const struct loop *loop);
/* The slack of the loops that run checks (pharosd, pharos-worker): a check
 * starts at most this late, and the ICMP sends, timeouts and scheduled
 * checks of a busy monitor share wake-ups. */
#define LOOP_CHECK_SLACK_NS (5 * LOOP_NS_PER_MSEC)

/* Set the before-sleep hook (one; NULL clears). */
void loop_set_before_sleep(struct loop *loop, loop_hook_fn *fn, void *arg);

/* Run one pass: wait for fds at most until the next timer deadline or
 * max_wait_ns (negative = no limit besides timers), dispatch ready fds, then
 * run due timers. Returns the number of callbacks run, or -errno on an epoll
 * failure (EINTR is not a failure: the pass returns 0). */
int loop_run_once(struct loop *loop, int64_t max_wait_ns);
/* Run passes until loop_stop() is called. Returns 0 or -errno. */
int loop_run(struct loop *loop);
/* Make loop_run() return after the current pass. */
void loop_stop(struct loop *loop);

#endif
