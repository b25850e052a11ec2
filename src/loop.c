/*
 * loop: epoll fd watchers and a min-heap of timers.
 *
 * Data structures and invariants:
 *
 * - Watchers live in loop->io, an array indexed by fd that grows (never
 *   shrinks) to fit the largest fd added. A slot is in use iff .active.
 *   Every add takes a fresh generation number from loop->io_gen; the
 *   epoll_event of the fd carries (generation << 32 | fd). An event is
 *   dispatched only if the slot is active and its generation still matches,
 *   so a watcher removed by an earlier callback of the same batch, or removed
 *   and added again for a new file with the same fd number, never sees the
 *   stale event. (Trade-off: the generation is 32 bits; a false match would
 *   need 2^32 adds between one epoll_wait and the dispatch of its batch.)
 *   Slots are always looked up by index after a callback, never through a
 *   pointer kept across one, because a callback may grow the table.
 *
 * - Active timers are either in the heap or in the due batch, never both.
 *   loop->heap[0 .. nheap) is a 4-ary min-heap of caller-owned timers under
 *   the order (deadline, seq); heap[i].t->heap_index == i. seq comes from
 *   loop->timer_seq, incremented on every start, so equal deadlines keep
 *   start order and every key is unique. Each heap slot carries a copy of
 *   its timer's key: with tens of thousands of timers (one per scheduled
 *   check), comparing through the timer pointers missed the cache at
 *   every level of every sift; four children per node halve the levels
 *   (the four keys share a cache line or two).
 *
 * - Slack (loop_set_slack): when set, a pass that sleeps until a timer
 *   wakes at the next multiple of the slack on the monotonic clock at or
 *   after the earliest deadline, so timers within one slack of each other
 *   run in one pass, one wake-up. Timers then run up to one slack late,
 *   never early. Without slack a pass wakes at the earliest deadline.
 *
 * - The due batch: each pass moves every timer with deadline <= now out of
 *   the heap into loop->due[0 .. ndue), in heap order, before running any of
 *   them. A timer in the batch has heap_index == LOOP_DUE_BIT | its position
 *   there; stopping or restarting it clears its slot (NULL), so it will not
 *   run in this pass. Timers started by timer callbacks go to the heap, so
 *   they run in a later pass at the earliest: a timer re-arming itself with
 *   deadline <= now cannot starve the loop. ndue_live counts the non-NULL
 *   slots; loop_timer_count() is nheap + ndue_live.
 *
 * - heap and due share one capacity (timer_cap), grown together in
 *   loop_timer_start(), which is the only place that allocates for timers.
 *   The batch never holds more timers than the heap did, so running timers
 *   never allocates and cannot fail.
 *
 * - Inactive timers have heap_index == SIZE_MAX. loop_free() does not touch
 *   timers that are still pending (their owners may already have freed them
 *   during shutdown); they simply never fire.
 *
 * - loop->now is refreshed once per pass, right after epoll_wait, and by
 *   loop_update_time(). Passes do not nest: loop_run_once() from a callback
 *   returns -EBUSY.
 *
 * - loop->stop is set by loop_stop() and cleared when loop_run() returns.
 *   While it is set, passes do not sleep, so a stop requested from the
 *   before-sleep hook (or before loop_run() was entered, which then returns
 *   at once) takes effect without waiting for an event.
 */
#include "loop.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS 64
#define LOOP_IO_MIN_SLOTS 64
#define LOOP_TIMER_MIN 16
#define LOOP_HEAP_D 4 /* children per heap node */
/* Marks heap_index as a position in the due batch rather than the heap. */
#define LOOP_DUE_BIT (~(SIZE_MAX >> 1))
#define LOOP_IO_WANT (LOOP_READ | LOOP_WRITE)

struct loop_io {
	loop_io_fn *fn;
	void *arg;
	unsigned events; /* LOOP_READ | LOOP_WRITE wanted */
	uint32_t gen;    /* generation of the add that filled this slot */
	bool active;
};

struct loop_heap_ent {
	int64_t deadline; /* copies of t's key */
	uint64_t seq;
	struct loop_timer *t;
};

struct loop {
	int epfd;
	int64_t now;
	int64_t slack_ns; /* 0: wake at the earliest deadline */
	bool stop;
	bool in_pass;

	struct loop_io *io; /* indexed by fd */
	size_t nio;         /* slots allocated */
	uint32_t io_gen;

	struct loop_heap_ent *heap;
	size_t nheap;
	struct loop_timer **due;
	size_t ndue;      /* slots of the current batch */
	size_t ndue_live; /* non-NULL slots among them */
	size_t timer_cap; /* capacity of both heap and due */
	uint64_t timer_seq;

	loop_hook_fn *before_sleep;
	void *before_sleep_arg;

	struct epoll_event events[LOOP_MAX_EVENTS];
};

int64_t
loop_clock(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * LOOP_NS_PER_SEC + ts.tv_nsec;
}

int
loop_new(struct loop **out)
{
	struct loop *loop;
	int ret;

	*out = NULL;
	loop = calloc(1, sizeof(*loop));
	if (loop == NULL)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		ret = -errno;
		goto fail;
	}
	loop->now = loop_clock();
	*out = loop;
	return 0;

fail:
	free(loop);
	return ret;
}

void
loop_free(struct loop *loop)
{
	if (loop == NULL)
		return;
	close(loop->epfd);
	free(loop->io);
	free(loop->heap);
	free(loop->due);
	free(loop);
}

int64_t
loop_now(const struct loop *loop)
{
	return loop->now;
}

void
loop_update_time(struct loop *loop)
{
	loop->now = loop_clock();
}

/* ---- fd watchers ---- */

static uint32_t
loop_to_epoll(unsigned events)
{
	uint32_t ev = 0;

	if (events & LOOP_READ)
		ev |= EPOLLIN;
	if (events & LOOP_WRITE)
		ev |= EPOLLOUT;
	return ev;
}

static unsigned
loop_from_epoll(uint32_t ev)
{
	unsigned events = 0;

	if (ev & (EPOLLIN | EPOLLPRI))
		events |= LOOP_READ;
	if (ev & EPOLLOUT)
		events |= LOOP_WRITE;
	if (ev & EPOLLERR)
		events |= LOOP_ERROR;
	if (ev & EPOLLHUP)
		events |= LOOP_HUP;
	return events;
}

static uint64_t
loop_io_key(int fd, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)fd;
}

/* Make loop->io hold slot fd. Returns 0 or -ENOMEM. */
static int
loop_io_reserve(struct loop *loop, int fd)
{
	struct loop_io *io;
	size_t want = (size_t)fd + 1, n;

	if (want <= loop->nio)
		return 0;
	n = loop->nio < LOOP_IO_MIN_SLOTS ? LOOP_IO_MIN_SLOTS : loop->nio;
	while (n < want)
		n *= 2;
	io = reallocarray(loop->io, n, sizeof(*io));
	if (io == NULL)
		return -ENOMEM;
	memset(io + loop->nio, 0, (n - loop->nio) * sizeof(*io));
	loop->io = io;
	loop->nio = n;
	return 0;
}

static struct loop_io *
loop_io_get(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nio || !loop->io[fd].active)
		return NULL;
	return &loop->io[fd];
}

int
loop_io_add(struct loop *loop, int fd, unsigned events, loop_io_fn *fn,
            void *arg)
{
	struct epoll_event ev;
	struct loop_io *io;
	uint32_t gen;
	int ret;

	if (fd < 0)
		return -EBADF;
	if ((events & ~LOOP_IO_WANT) != 0 || fn == NULL)
		return -EINVAL;
	if (loop_io_get(loop, fd) != NULL)
		return -EEXIST;
	ret = loop_io_reserve(loop, fd);
	if (ret < 0)
		return ret;

	gen = ++loop->io_gen;
	memset(&ev, 0, sizeof(ev));
	ev.events = loop_to_epoll(events);
	ev.data.u64 = loop_io_key(fd, gen);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return -errno;

	io = &loop->io[fd];
	io->fn = fn;
	io->arg = arg;
	io->events = events;
	io->gen = gen;
	io->active = true;
	return 0;
}

int
loop_io_mod(struct loop *loop, int fd, unsigned events)
{
	struct epoll_event ev;
	struct loop_io *io;

	if ((events & ~LOOP_IO_WANT) != 0)
		return -EINVAL;
	io = loop_io_get(loop, fd);
	if (io == NULL)
		return -ENOENT;
	memset(&ev, 0, sizeof(ev));
	ev.events = loop_to_epoll(events);
	ev.data.u64 = loop_io_key(fd, io->gen);
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
		return -errno;
	io->events = events;
	return 0;
}

void
loop_io_del(struct loop *loop, int fd)
{
	struct loop_io *io;

	io = loop_io_get(loop, fd);
	if (io == NULL)
		return;
	/*
	 * Errors are ignored on purpose: if the caller already closed fd,
	 * the kernel dropped it from the epoll set and there is nothing
	 * left to undo; the slot must be freed either way.
	 */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(io, 0, sizeof(*io));
}

/* Run the callbacks of one epoll batch. Returns the number run. */
static int
loop_io_dispatch(struct loop *loop, int n)
{
	struct loop_io *io;
	unsigned events;
	uint64_t key;
	uint32_t gen;
	int i, fd, ran = 0;

	for (i = 0; i < n; i++) {
		key = loop->events[i].data.u64;
		fd = (int)(uint32_t)key;
		gen = (uint32_t)(key >> 32);
		io = loop_io_get(loop, fd);
		if (io == NULL || io->gen != gen)
			continue; /* removed (and maybe re-added) meanwhile */
		/* Errors and hang-ups are always reported, like epoll does;
		 * other bits only while still wanted (loop_io_mod). */
		events = loop_from_epoll(loop->events[i].events) &
		         (io->events | LOOP_ERROR | LOOP_HUP);
		if (events == 0)
			continue;
		io->fn(loop, fd, events, io->arg);
		ran++;
	}
	return ran;
}

/* ---- timers ---- */

static bool
loop_ent_before(const struct loop_heap_ent *a, const struct loop_heap_ent *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void
loop_heap_set(struct loop *loop, size_t i, const struct loop_heap_ent *e)
{
	loop->heap[i] = *e;
	e->t->heap_index = i;
}

static void
loop_heap_up(struct loop *loop, size_t i)
{
	struct loop_heap_ent e = loop->heap[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / LOOP_HEAP_D;
		if (!loop_ent_before(&e, &loop->heap[parent]))
			break;
		loop_heap_set(loop, i, &loop->heap[parent]);
		i = parent;
	}
	loop_heap_set(loop, i, &e);
}

static void
loop_heap_down(struct loop *loop, size_t i)
{
	struct loop_heap_ent e = loop->heap[i];
	size_t child, c, end;

	for (;;) {
		child = LOOP_HEAP_D * i + 1;
		if (child >= loop->nheap)
			break;
		end = child + LOOP_HEAP_D < loop->nheap ? child + LOOP_HEAP_D :
		    loop->nheap;
		for (c = child + 1; c < end; c++)
			if (loop_ent_before(&loop->heap[c], &loop->heap[child]))
				child = c;
		if (!loop_ent_before(&loop->heap[child], &e))
			break;
		loop_heap_set(loop, i, &loop->heap[child]);
		i = child;
	}
	loop_heap_set(loop, i, &e);
}

/* Restore the heap order around slot i after its key changed. */
static void
loop_heap_fix(struct loop *loop, size_t i)
{
	if (i > 0 && loop_ent_before(&loop->heap[i],
	    &loop->heap[(i - 1) / LOOP_HEAP_D]))
		loop_heap_up(loop, i);
	else
		loop_heap_down(loop, i);
}

static void
loop_heap_remove(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i].t;

	loop->nheap--;
	if (i != loop->nheap) {
		loop_heap_set(loop, i, &loop->heap[loop->nheap]);
		loop_heap_fix(loop, i);
	}
	t->heap_index = SIZE_MAX;
}

/* Take t out of the due batch; it will not run in this pass. */
static void
loop_due_remove(struct loop *loop, struct loop_timer *t)
{
	size_t i = t->heap_index & ~LOOP_DUE_BIT;

	loop->due[i] = NULL;
	loop->ndue_live--;
	t->heap_index = SIZE_MAX;
}

/* Make room for one more timer in the heap. Returns 0 or -ENOMEM. */
static int
loop_timer_reserve(struct loop *loop)
{
	struct loop_timer **p;
	struct loop_heap_ent *h;
	size_t n;

	if (loop->nheap < loop->timer_cap)
		return 0;
	n = loop->timer_cap < LOOP_TIMER_MIN ? LOOP_TIMER_MIN
	                                     : loop->timer_cap * 2;
	if (n >= LOOP_DUE_BIT)
		return -ENOMEM;
	/* Grow due first: if the heap realloc then fails, a larger due
	 * array is harmless. */
	p = reallocarray(loop->due, n, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	loop->due = p;
	h = reallocarray(loop->heap, n, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	loop->heap = h;
	loop->timer_cap = n;
	return 0;
}

void
loop_timer_init(struct loop_timer *t, loop_timer_fn *fn, void *arg)
{
	t->deadline = 0;
	t->seq = 0;
	t->heap_index = SIZE_MAX;
	t->fn = fn;
	t->arg = arg;
}

int
loop_timer_start(struct loop *loop, struct loop_timer *t, int64_t deadline)
{
	bool in_heap =
	    t->heap_index != SIZE_MAX && (t->heap_index & LOOP_DUE_BIT) == 0;
	int ret;

	if (!in_heap) {
		ret = loop_timer_reserve(loop);
		if (ret < 0)
			return ret;
		if (t->heap_index != SIZE_MAX)
			loop_due_remove(loop, t);
	}
	t->deadline = deadline;
	t->seq = ++loop->timer_seq;
	if (in_heap) {
		loop->heap[t->heap_index].deadline = deadline;
		loop->heap[t->heap_index].seq = t->seq;
		loop_heap_fix(loop, t->heap_index);
	} else {
		struct loop_heap_ent e = { deadline, t->seq, t };

		loop_heap_set(loop, loop->nheap++, &e);
		loop_heap_up(loop, t->heap_index);
	}
	return 0;
}

void
loop_timer_stop(struct loop *loop, struct loop_timer *t)
{
	if (t->heap_index == SIZE_MAX)
		return;
	if (t->heap_index & LOOP_DUE_BIT)
		loop_due_remove(loop, t);
	else
		loop_heap_remove(loop, t->heap_index);
}

bool
loop_timer_active(const struct loop_timer *t)
{
	return t->heap_index != SIZE_MAX;
}

size_t
loop_timer_count(const struct loop *loop)
{
	return loop->nheap + loop->ndue_live;
}

/*
 * Run every timer due at loop->now. The due set is fixed before the first
 * callback runs, so timers (re)started by these callbacks wait for a later
 * pass even when their deadline has already passed.
 */
static int
loop_timer_dispatch(struct loop *loop)
{
	struct loop_timer *t;
	size_t i;
	int ran = 0;

	loop->ndue = 0;
	while (loop->nheap > 0 && loop->heap[0].deadline <= loop->now) {
		t = loop->heap[0].t;
		loop_heap_remove(loop, 0);
		loop->due[loop->ndue] = t;
		t->heap_index = LOOP_DUE_BIT | loop->ndue;
		loop->ndue++;
	}
	loop->ndue_live = loop->ndue;

	for (i = 0; i < loop->ndue; i++) {
		t = loop->due[i];
		if (t == NULL)
			continue; /* stopped or restarted by a callback */
		loop->due[i] = NULL;
		loop->ndue_live--;
		t->heap_index = SIZE_MAX;
		t->fn(loop, t, t->arg);
		ran++;
	}
	loop->ndue = 0;
	return ran;
}

/* ---- passes ---- */

void
loop_set_slack(struct loop *loop, int64_t slack_ns)
{
	loop->slack_ns = slack_ns > 0 ? slack_ns : 0;
}

int64_t
loop_slack(const struct loop *loop)
{
	return loop->slack_ns;
}

void
loop_set_before_sleep(struct loop *loop, loop_hook_fn *fn, void *arg)
{
	loop->before_sleep = fn;
	loop->before_sleep_arg = fn != NULL ? arg : NULL;
}

/* Nanoseconds to epoll_wait milliseconds, rounded up so that a timer is
 * never woken for early; negative means no limit. */
static int
loop_wait_ms(int64_t ns)
{
	int64_t ms;

	if (ns < 0)
		return -1;
	ms = ns / LOOP_NS_PER_MSEC + (ns % LOOP_NS_PER_MSEC != 0);
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* How long the next epoll_wait may sleep, in ns; negative = forever. */
static int64_t
loop_wait_ns(const struct loop *loop, int64_t max_wait_ns)
{
	int64_t wait = max_wait_ns < 0 ? -1 : max_wait_ns, left, now, at;

	if (loop->stop)
		return 0;
	if (loop->nheap > 0) {
		/* A fresh clock, not loop->now: callbacks since the last
		 * update may have taken a while. */
		now = loop_clock();
		at = loop->heap[0].deadline;
		if (loop->slack_ns > 0 && at > now && at < INT64_MAX -
		    loop->slack_ns)
			at += (loop->slack_ns - at % loop->slack_ns) %
			    loop->slack_ns;
		if (__builtin_sub_overflow(at, now, &left))
			left = at < 0 ? 0 : INT64_MAX;
		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

int
loop_run_once(struct loop *loop, int64_t max_wait_ns)
{
	int n, ran, err;

	if (loop->in_pass)
		return -EBUSY;
	loop->in_pass = true;

	if (loop->before_sleep != NULL)
		loop->before_sleep(loop, loop->before_sleep_arg);

	n = epoll_wait(loop->epfd, loop->events, LOOP_MAX_EVENTS,
	               loop_wait_ms(loop_wait_ns(loop, max_wait_ns)));
	err = errno;
	loop->now = loop_clock();
	if (n < 0) {
		/* A signal: its handler set a flag for the caller to act on
		 * between passes or in the before-sleep hook. */
		ran = err == EINTR ? 0 : -err;
		goto out;
	}
	ran = loop_io_dispatch(loop, n);
	ran += loop_timer_dispatch(loop);

out:
	loop->in_pass = false;
	return ran;
}

int
loop_run(struct loop *loop)
{
	int ret = 0;

	while (!loop->stop) {
		ret = loop_run_once(loop, -1);
		if (ret < 0)
			break;
		ret = 0;
	}
	loop->stop = false;
	return ret;
}

void
loop_stop(struct loop *loop)
{
	loop->stop = true;
}
