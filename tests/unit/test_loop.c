/*
 * Unit tests for the event loop: timer heap order, timers changed from
 * callbacks, fd watchers on real pipes and eventfds, stopping the loop.
 * Deadlines are set relative to loop_now(), mostly in the past so that a
 * single non-blocking pass (loop_run_once(loop, 0)) fires them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "loop.h"

#define HOUR (3600 * LOOP_NS_PER_SEC)

/* ---- helpers ---- */

static int
setup_loop(void **state)
{
	struct loop *loop;

	if (loop_new(&loop) != 0)
		return -1;
	*state = loop;
	return 0;
}

static int
teardown_loop(void **state)
{
	loop_free(*state);
	return 0;
}

#define REC_MAX 512

/* What fired, in order. */
struct rec {
	size_t n;
	int id[REC_MAX];
	int64_t deadline[REC_MAX];
	uint64_t seq[REC_MAX];
};

struct tt {
	struct loop_timer t;
	int id;
	struct rec *rec;
};

static void
rec_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct tt *x = arg;
	struct rec *r = x->rec;

	assert_ptr_equal(t, &x->t);
	assert_false(loop_timer_active(t));
	assert_true(r->n < REC_MAX);
	r->id[r->n] = x->id;
	r->deadline[r->n] = t->deadline;
	r->seq[r->n] = t->seq;
	r->n++;
}

static void
tt_init(struct tt *x, int id, struct rec *r)
{
	x->id = id;
	x->rec = r;
	loop_timer_init(&x->t, rec_fire, x);
}

static void
start_ok(struct loop *loop, struct loop_timer *t, int64_t deadline)
{
	assert_int_equal(loop_timer_start(loop, t, deadline), 0);
}

/* Small fixed-seed generator so the random test is reproducible. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
pipe_ok(int fds[2])
{
	assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
}

static void
io_add_ok(struct loop *loop, int fd, unsigned events, loop_io_fn *fn, void *arg)
{
	assert_int_equal(loop_io_add(loop, fd, events, fn, arg), 0);
}

static void
write_byte(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

/* ---- timers ---- */

static void
test_timer_init_is_inactive(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt a;

	tt_init(&a, 0, &r);
	assert_false(loop_timer_active(&a.t));
	assert_int_equal(a.t.heap_index, SIZE_MAX);
	assert_int_equal(loop_timer_count(loop), 0);
	loop_timer_stop(loop, &a.t); /* stopping an inactive timer: no-op */
	assert_int_equal(loop_timer_count(loop), 0);
}

/*
 * The heap property, checked through firing order: after thousands of
 * random starts, restarts and stops, every pass fires exactly the due
 * timers of a shadow model, sorted by (deadline, seq), and leaves the
 * future ones pending.
 */
#define RND_TIMERS 200
#define RND_ROUNDS 12
#define RND_OPS 400

static void
test_timer_random_ops_fire_sorted_by_deadline_then_seq(void **state)
{
	struct loop *loop = *state;
	static struct rec r;
	struct tt tm[RND_TIMERS];
	bool active[RND_TIMERS] = {false};
	int64_t deadline[RND_TIMERS], base = loop_now(loop), d;
	uint64_t s = 0x9e3779b97f4a7c15u;
	size_t model_count = 0, due_count, i, k;
	int round, op, idx;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < RND_TIMERS; i++)
		tt_init(&tm[i], (int)i, &r);

	for (round = 0; round < RND_ROUNDS; round++) {
		for (op = 0; op < RND_OPS; op++) {
			idx = (int)(rng_next(&s) % RND_TIMERS);
			switch (rng_next(&s) % 5) {
			case 0:
			case 1:
			case 2:
				/* Few distinct deadlines: many ties. One
				 * in four lies in the future. */
				d = (int64_t)(rng_next(&s) % 32);
				if (rng_next(&s) % 4 == 0)
					d = base + HOUR + d;
				else
					d = base - 1000 + d;
				start_ok(loop, &tm[idx].t, d);
				if (!active[idx])
					model_count++;
				active[idx] = true;
				deadline[idx] = d;
				break;
			default:
				loop_timer_stop(loop, &tm[idx].t);
				if (active[idx])
					model_count--;
				active[idx] = false;
				break;
			}
			assert_int_equal(loop_timer_count(loop), model_count);
			assert_int_equal(loop_timer_active(&tm[idx].t),
			                 active[idx]);
		}

		due_count = 0;
		for (i = 0; i < RND_TIMERS; i++)
			if (active[i] && deadline[i] < base)
				due_count++;
		r.n = 0;
		assert_int_equal(loop_run_once(loop, 0), (int)due_count);
		assert_int_equal(r.n, due_count);
		for (k = 0; k < r.n; k++) {
			idx = r.id[k];
			assert_true(active[idx]);
			assert_true(deadline[idx] < base);
			assert_int_equal(r.deadline[k], deadline[idx]);
			active[idx] = false;
			model_count--;
			if (k == 0)
				continue;
			if (r.deadline[k] == r.deadline[k - 1])
				assert_true(r.seq[k] > r.seq[k - 1]);
			else
				assert_true(r.deadline[k] > r.deadline[k - 1]);
		}
		assert_int_equal(loop_timer_count(loop), model_count);
	}
	for (i = 0; i < RND_TIMERS; i++)
		loop_timer_stop(loop, &tm[i].t);
	assert_int_equal(loop_timer_count(loop), 0);
}

static void
test_timer_equal_deadlines_fire_in_start_order(void **state)
{
	struct loop *loop = *state;
	static const int order[] = {3, 1, 4, 0, 2};
	struct rec r = {0};
	struct tt tm[5];
	int64_t d = loop_now(loop) - 1;
	size_t i;

	for (i = 0; i < 5; i++)
		tt_init(&tm[i], (int)i, &r);
	for (i = 0; i < 5; i++)
		start_ok(loop, &tm[order[i]].t, d);
	assert_int_equal(loop_run_once(loop, 0), 5);
	assert_int_equal(r.n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(r.id[i], order[i]);
}

static void
test_timer_restart_with_same_deadline_moves_behind_others(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt a, b, c;
	int64_t d = loop_now(loop) - 1;

	tt_init(&a, 0, &r);
	tt_init(&b, 1, &r);
	tt_init(&c, 2, &r);
	start_ok(loop, &a.t, d);
	start_ok(loop, &b.t, d);
	start_ok(loop, &c.t, d);
	start_ok(loop, &a.t, d);
	assert_int_equal(loop_timer_count(loop), 3);
	assert_int_equal(loop_run_once(loop, 0), 3);
	assert_int_equal(r.id[0], 1);
	assert_int_equal(r.id[1], 2);
	assert_int_equal(r.id[2], 0);
}

static void
test_timer_stop_prevents_firing(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt a, b;
	int64_t d = loop_now(loop) - 1;

	tt_init(&a, 0, &r);
	tt_init(&b, 1, &r);
	start_ok(loop, &a.t, d);
	start_ok(loop, &b.t, d);
	loop_timer_stop(loop, &a.t);
	assert_false(loop_timer_active(&a.t));
	assert_int_equal(loop_timer_count(loop), 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.id[0], 1);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(r.n, 1);
}

static void
test_timer_restart_moves_deadline(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt a, b;
	int64_t now = loop_now(loop);

	tt_init(&a, 0, &r);
	tt_init(&b, 1, &r);
	/* Due, then moved into the future: does not fire. */
	start_ok(loop, &a.t, now - 1);
	start_ok(loop, &a.t, now + HOUR);
	assert_true(loop_timer_active(&a.t));
	assert_int_equal(a.t.deadline, now + HOUR);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(loop_timer_count(loop), 1);

	/* Future, then moved before another due timer: fires first. */
	start_ok(loop, &b.t, now - 5);
	start_ok(loop, &a.t, now - 10);
	assert_int_equal(loop_timer_count(loop), 2);
	assert_int_equal(loop_run_once(loop, 0), 2);
	assert_int_equal(r.id[0], 0);
	assert_int_equal(r.id[1], 1);
	assert_int_equal(loop_timer_count(loop), 0);
}

/* A: stops and frees B, which is due in the same pass. */
struct stopper {
	struct loop_timer t;
	struct tt *victim;
	int fired;
};

static void
stopper_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct stopper *s = arg;

	s->fired++;
	assert_true(loop_timer_active(&s->victim->t));
	/* the victim is due but not run yet: it still counts */
	assert_int_equal(loop_timer_count(loop), 1);
	loop_timer_stop(loop, &s->victim->t);
	assert_false(loop_timer_active(&s->victim->t));
	assert_int_equal(loop_timer_count(loop), 0);
	free(s->victim);
	s->victim = NULL;
}

static void
test_timer_callback_stopping_other_due_timer_prevents_it(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct stopper s = {.fired = 0};
	int64_t now = loop_now(loop);

	s.victim = malloc(sizeof(*s.victim));
	assert_non_null(s.victim);
	tt_init(s.victim, 1, &r);
	loop_timer_init(&s.t, stopper_fire, &s);
	start_ok(loop, &s.t, now - 2);
	start_ok(loop, &s.victim->t, now - 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(s.fired, 1);
	assert_int_equal(r.n, 0);
	assert_null(s.victim);
	assert_int_equal(loop_timer_count(loop), 0);
}

/* A restarts B, due in the same pass, at the current time. */
struct mover {
	struct loop_timer t;
	struct tt *other;
};

static void
mover_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct mover *m = arg;

	start_ok(loop, &m->other->t, loop_now(loop));
	assert_int_equal(loop_timer_count(loop), 1);
}

static void
test_timer_restarting_other_due_timer_defers_it_to_next_pass(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt b;
	struct mover m = {.other = &b};
	int64_t now = loop_now(loop);

	tt_init(&b, 1, &r);
	loop_timer_init(&m.t, mover_fire, &m);
	start_ok(loop, &m.t, now - 2);
	start_ok(loop, &b.t, now - 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(r.n, 0);
	assert_true(loop_timer_active(&b.t));
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(r.n, 1);
	assert_int_equal(loop_timer_count(loop), 0);
}

struct repeater {
	struct loop_timer t;
	int fired;
	int stop_after; /* loop_stop() on this firing; 0 = never */
};

static void
repeater_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct repeater *rp = arg;

	rp->fired++;
	if (rp->stop_after != 0 && rp->fired >= rp->stop_after) {
		loop_stop(loop);
		return;
	}
	start_ok(loop, t, loop_now(loop));
}

static void
test_timer_restarting_itself_at_now_runs_once_per_pass(void **state)
{
	struct loop *loop = *state;
	struct repeater rp = {.fired = 0};

	loop_timer_init(&rp.t, repeater_fire, &rp);
	start_ok(loop, &rp.t, loop_now(loop) - 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(rp.fired, 1);
	assert_true(loop_timer_active(&rp.t));
	assert_int_equal(loop_timer_count(loop), 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(rp.fired, 2);
	loop_timer_stop(loop, &rp.t);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(rp.fired, 2);
}

/* A starts B with the earliest deadline of all; C is due too. */
struct starter {
	struct loop_timer t;
	struct tt *b;
	int64_t b_deadline;
};

static void
starter_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct starter *st = arg;

	start_ok(loop, &st->b->t, st->b_deadline);
}

static void
test_timer_started_in_callback_waits_without_delaying_due_ones(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt b, c;
	struct starter a = {.b = &b};
	int64_t now = loop_now(loop);

	tt_init(&b, 1, &r);
	tt_init(&c, 2, &r);
	a.b_deadline = now - 100;
	loop_timer_init(&a.t, starter_fire, &a);
	start_ok(loop, &a.t, now - 10);
	start_ok(loop, &c.t, now - 1);
	assert_int_equal(loop_run_once(loop, 0), 2);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.id[0], 2); /* C ran, B waits */
	assert_true(loop_timer_active(&b.t));
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.id[1], 1);
}

struct selffree {
	struct loop_timer t;
	int *fired;
};

static void
selffree_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct selffree *sf = arg;

	(*sf->fired)++;
	free(sf);
}

static void
test_timer_callback_may_free_its_own_timer(void **state)
{
	struct loop *loop = *state;
	struct selffree *sf[3];
	int fired = 0, i;

	for (i = 0; i < 3; i++) {
		sf[i] = malloc(sizeof(*sf[i]));
		assert_non_null(sf[i]);
		sf[i]->fired = &fired;
		loop_timer_init(&sf[i]->t, selffree_fire, sf[i]);
		start_ok(loop, &sf[i]->t, loop_now(loop) - 1);
	}
	assert_int_equal(loop_run_once(loop, 0), 3);
	assert_int_equal(fired, 3);
	assert_int_equal(loop_timer_count(loop), 0);
}

static void
test_timer_future_deadline_never_fires_early(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt a;
	int64_t deadline = loop_clock() + 2 * LOOP_NS_PER_MSEC + 1;
	int passes = 0;

	tt_init(&a, 0, &r);
	start_ok(loop, &a.t, deadline);
	while (r.n == 0) {
		/* No fds: each pass sleeps until the deadline. */
		assert_true(loop_run_once(loop, -1) >= 0);
		assert_true(++passes < 1000);
		if (r.n == 0)
			assert_true(loop_now(loop) < deadline);
	}
	assert_true(loop_now(loop) >= deadline);
	assert_true(loop_clock() >= deadline);
}

static void
test_timer_count_tracks_starts_stops_and_firing(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt tm[4];
	int64_t now = loop_now(loop);
	int i;

	for (i = 0; i < 4; i++)
		tt_init(&tm[i], i, &r);
	assert_int_equal(loop_timer_count(loop), 0);
	start_ok(loop, &tm[0].t, now - 1);
	start_ok(loop, &tm[1].t, now - 1);
	start_ok(loop, &tm[2].t, now + HOUR);
	start_ok(loop, &tm[3].t, now + HOUR);
	assert_int_equal(loop_timer_count(loop), 4);
	start_ok(loop, &tm[3].t, now + 2 * HOUR); /* restart: no change */
	assert_int_equal(loop_timer_count(loop), 4);
	loop_timer_stop(loop, &tm[3].t);
	loop_timer_stop(loop, &tm[3].t);
	assert_int_equal(loop_timer_count(loop), 3);
	assert_int_equal(loop_run_once(loop, 0), 2);
	assert_int_equal(loop_timer_count(loop), 1);
	loop_timer_stop(loop, &tm[2].t);
	assert_int_equal(loop_timer_count(loop), 0);
}

static void
never_fire(struct loop *loop, int fd, unsigned events, void *arg)
{
	fail_msg("watcher on fd %d ran", fd);
}

static void
test_loop_free_with_pending_timers_and_watchers_leaks_nothing(void **state)
{
	struct loop *loop;
	struct rec r = {0};
	struct tt tm[100];
	int fds[2], i;

	(void)state;
	assert_int_equal(loop_new(&loop), 0);
	for (i = 0; i < 100; i++) {
		tt_init(&tm[i], i, &r);
		start_ok(loop, &tm[i].t, loop_now(loop) + (i % 2 ? HOUR : -1));
	}
	pipe_ok(fds);
	io_add_ok(loop, fds[0], LOOP_READ, never_fire, NULL);
	write_byte(fds[1]);
	assert_int_equal(loop_timer_count(loop), 100);
	loop_free(loop); /* LeakSanitizer checks the rest at exit */
	assert_int_equal(r.n, 0);
	close(fds[0]);
	close(fds[1]);
	loop_free(NULL);
}

/* ---- fd watchers ---- */

struct iorec {
	int calls;
	int fd;
	unsigned events;
	bool drain;
};

static void
iorec_fire(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct iorec *ir = arg;
	char buf[64];

	ir->calls++;
	ir->fd = fd;
	ir->events = events;
	if (ir->drain)
		while (read(fd, buf, sizeof(buf)) > 0)
			;
}

static void
test_io_pipe_fires_on_write(void **state)
{
	struct loop *loop = *state;
	struct iorec ir = {.drain = true};
	int fds[2];

	pipe_ok(fds);
	io_add_ok(loop, fds[0], LOOP_READ, iorec_fire, &ir);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(ir.calls, 0);
	write_byte(fds[1]);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(ir.calls, 1);
	assert_int_equal(ir.fd, fds[0]);
	assert_int_equal(ir.events, LOOP_READ);
	/* drained: level-triggered, nothing more */
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(ir.calls, 1);
	loop_io_del(loop, fds[0]);
	close(fds[0]);
	close(fds[1]);
}

static void
test_io_eventfd_fires_on_write(void **state)
{
	struct loop *loop = *state;
	struct iorec ir = {.drain = true};
	uint64_t one = 1;
	int efd;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd >= 0);
	io_add_ok(loop, efd, LOOP_READ, iorec_fire, &ir);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(ir.fd, efd);
	assert_int_equal(ir.events, LOOP_READ);
	assert_int_equal(loop_run_once(loop, 0), 0);
	loop_io_del(loop, efd);
	close(efd);
}

static void
test_io_mod_switches_watched_events(void **state)
{
	struct loop *loop = *state;
	struct iorec ir = {0};
	int fds[2];

	pipe_ok(fds);
	/* The write end is never readable but always writable. */
	io_add_ok(loop, fds[1], LOOP_READ, iorec_fire, &ir);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(loop_io_mod(loop, fds[1], LOOP_WRITE), 0);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(ir.events, LOOP_WRITE);
	assert_int_equal(loop_io_mod(loop, fds[1], 0), 0);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(ir.calls, 1);
	loop_io_del(loop, fds[1]);
	close(fds[0]);
	close(fds[1]);
}

static void
test_io_reports_hup_when_writer_closes(void **state)
{
	struct loop *loop = *state;
	struct iorec ir = {0};
	int fds[2];

	pipe_ok(fds);
	io_add_ok(loop, fds[0], LOOP_READ, iorec_fire, &ir);
	close(fds[1]);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_true(ir.events & LOOP_HUP);
	loop_io_del(loop, fds[0]);
	close(fds[0]);
}

static void
test_io_add_mod_del_report_errors(void **state)
{
	struct loop *loop = *state;
	struct iorec ir = {0};
	int fds[2], devnull, closed;

	pipe_ok(fds);
	io_add_ok(loop, fds[0], LOOP_READ, iorec_fire, &ir);
	assert_int_equal(loop_io_add(loop, fds[0], LOOP_READ, iorec_fire, &ir),
	                 -EEXIST);
	assert_int_equal(loop_io_add(loop, -1, LOOP_READ, iorec_fire, &ir),
	                 -EBADF);
	assert_int_equal(loop_io_add(loop, fds[1], 0x100u, iorec_fire, &ir),
	                 -EINVAL);
	assert_int_equal(loop_io_mod(loop, fds[0], 0x100u), -EINVAL);
	assert_int_equal(loop_io_mod(loop, fds[1], LOOP_WRITE), -ENOENT);
	assert_int_equal(loop_io_mod(loop, -1, LOOP_WRITE), -ENOENT);

	/* epoll refuses regular files and closed fds */
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(devnull >= 0);
	assert_int_equal(loop_io_add(loop, devnull, LOOP_READ, iorec_fire, &ir),
	                 -EPERM);
	closed = devnull;
	close(devnull);
	assert_int_equal(loop_io_add(loop, closed, LOOP_READ, iorec_fire, &ir),
	                 -EBADF);
	/* a failed add leaves nothing behind */
	loop_io_del(loop, closed);
	assert_int_equal(loop_io_mod(loop, closed, LOOP_READ), -ENOENT);

	/* unknown fds are ignored by del; del twice is harmless */
	loop_io_del(loop, 100000);
	loop_io_del(loop, -1);
	loop_io_del(loop, fds[0]);
	loop_io_del(loop, fds[0]);
	/* and the fd can be watched again */
	io_add_ok(loop, fds[0], LOOP_READ, iorec_fire, &ir);
	loop_io_del(loop, fds[0]);
	close(fds[0]);
	close(fds[1]);
}

/* Two readable pipes; whichever callback runs first removes the other. */
struct pair {
	int rfd[2];
	int calls;
	int spare_rfd; /* when >= 0, re-add the other fd onto this file */
	struct iorec *readded;
};

static void
pair_fire(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct pair *p = arg;
	int other = fd == p->rfd[0] ? p->rfd[1] : p->rfd[0];
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	if (++p->calls > 1)
		return;
	loop_io_del(loop, other);
	if (p->spare_rfd < 0)
		return;
	/* Same fd number, new (empty) file, new watcher. */
	assert_int_equal(dup2(p->spare_rfd, other), other);
	io_add_ok(loop, other, LOOP_READ, iorec_fire, p->readded);
}

static void
test_io_del_from_other_callback_prevents_stale_dispatch(void **state)
{
	struct loop *loop = *state;
	struct pair p = {.spare_rfd = -1};
	int a[2], b[2];

	pipe_ok(a);
	pipe_ok(b);
	p.rfd[0] = a[0];
	p.rfd[1] = b[0];
	io_add_ok(loop, a[0], LOOP_READ, pair_fire, &p);
	io_add_ok(loop, b[0], LOOP_READ, pair_fire, &p);
	write_byte(a[1]);
	write_byte(b[1]);
	/* Both are ready in the same epoll batch. */
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(p.calls, 1);
	loop_io_del(loop, a[0]);
	loop_io_del(loop, b[0]);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void
test_io_readded_fd_in_same_pass_gets_no_stale_event(void **state)
{
	struct loop *loop = *state;
	struct iorec readded = {.drain = true};
	struct pair p = {.readded = &readded};
	int a[2], b[2], spare[2], other;

	pipe_ok(a);
	pipe_ok(b);
	pipe_ok(spare);
	p.rfd[0] = a[0];
	p.rfd[1] = b[0];
	p.spare_rfd = spare[0];
	io_add_ok(loop, a[0], LOOP_READ, pair_fire, &p);
	io_add_ok(loop, b[0], LOOP_READ, pair_fire, &p);
	write_byte(a[1]);
	write_byte(b[1]);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(p.calls, 1);
	assert_int_equal(readded.calls, 0);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(readded.calls, 0);

	/* The new watcher works for its own file. */
	write_byte(spare[1]);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(readded.calls, 1);
	other = readded.fd;
	assert_true(other == a[0] || other == b[0]);
	loop_io_del(loop, a[0]);
	loop_io_del(loop, b[0]);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(spare[0]);
	close(spare[1]);
}

struct selfdel {
	int calls;
	int wfd;
};

static void
selfdel_fire(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct selfdel *sd = arg;

	sd->calls++;
	loop_io_del(loop, fd);
	close(fd);
}

static void
test_io_del_of_own_fd_in_callback_stops_watching(void **state)
{
	struct loop *loop = *state;
	struct selfdel sd = {0};
	int fds[2];

	pipe_ok(fds);
	io_add_ok(loop, fds[0], LOOP_READ, selfdel_fire, &sd);
	write_byte(fds[1]);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(sd.calls, 1);
	close(fds[1]);
}

/* A callback on a low fd adds a watcher on a high one: the table grows
 * while a batch is being dispatched. */
struct grower {
	int high;
	struct iorec *high_rec;
	int added;
};

static void
grower_fire(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct grower *g = arg;
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
	io_add_ok(loop, g->high, LOOP_READ, iorec_fire, g->high_rec);
	g->added++;
}

static void
test_io_table_grows_for_high_fd_from_callback(void **state)
{
	struct loop *loop = *state;
	struct iorec high_rec = {.drain = true};
	struct grower g = {.high_rec = &high_rec};
	struct rlimit rl;
	int lo[2], hi[2];

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 1024)
		skip();
	pipe_ok(lo);
	pipe_ok(hi);
	g.high = 1000;
	assert_int_equal(dup3(hi[0], g.high, O_CLOEXEC), g.high);
	io_add_ok(loop, lo[0], LOOP_READ, grower_fire, &g);
	write_byte(lo[1]);
	write_byte(hi[1]);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(g.added, 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(high_rec.calls, 1);
	assert_int_equal(high_rec.fd, g.high);
	loop_io_del(loop, lo[0]);
	loop_io_del(loop, g.high);
	close(g.high);
	close(lo[0]);
	close(lo[1]);
	close(hi[0]);
	close(hi[1]);
}

/* ---- passes, hooks, stopping ---- */

static void
test_run_once_returns_number_of_callbacks_run(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct iorec ir = {.drain = true};
	struct tt a, b;
	int fds[2];

	assert_int_equal(loop_run_once(loop, 0), 0);
	tt_init(&a, 0, &r);
	tt_init(&b, 1, &r);
	start_ok(loop, &a.t, loop_now(loop) - 1);
	start_ok(loop, &b.t, loop_now(loop) - 1);
	pipe_ok(fds);
	io_add_ok(loop, fds[0], LOOP_READ, iorec_fire, &ir);
	write_byte(fds[1]);
	assert_int_equal(loop_run_once(loop, 0), 3);
	loop_io_del(loop, fds[0]);
	close(fds[0]);
	close(fds[1]);
}

static void
test_run_once_max_wait_bounds_the_sleep(void **state)
{
	struct loop *loop = *state;
	struct rec r = {0};
	struct tt a;
	int64_t before = loop_now(loop);

	/* A far timer does not make the pass wait past max_wait_ns. */
	tt_init(&a, 0, &r);
	start_ok(loop, &a.t, loop_now(loop) + HOUR);
	assert_int_equal(loop_run_once(loop, LOOP_NS_PER_MSEC), 0);
	assert_true(loop_now(loop) >= before);
	assert_int_equal(r.n, 0);
	loop_timer_stop(loop, &a.t);
}

static void
test_update_time_refreshes_cached_now(void **state)
{
	struct loop *loop = *state;
	int64_t t0 = loop_now(loop), c;

	c = loop_clock();
	assert_true(c >= t0);
	loop_update_time(loop);
	assert_true(loop_now(loop) >= c);
}

struct hookrec {
	int calls;
	int stop_at; /* call loop_stop() on this call; 0 = never */
};

static void
hook_fire(struct loop *loop, void *arg)
{
	struct hookrec *h = arg;

	h->calls++;
	if (h->stop_at != 0 && h->calls == h->stop_at)
		loop_stop(loop);
}

static void
test_before_sleep_hook_runs_each_pass_until_cleared(void **state)
{
	struct loop *loop = *state;
	struct hookrec h = {0};

	loop_set_before_sleep(loop, hook_fire, &h);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(h.calls, 2);
	loop_set_before_sleep(loop, NULL, NULL);
	assert_int_equal(loop_run_once(loop, 0), 0);
	assert_int_equal(h.calls, 2);
}

static void
test_loop_stop_from_timer_ends_loop_run(void **state)
{
	struct loop *loop = *state;
	struct repeater rp = {.stop_after = 3};

	loop_timer_init(&rp.t, repeater_fire, &rp);
	start_ok(loop, &rp.t, loop_now(loop));
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(rp.fired, 3);
	assert_false(loop_timer_active(&rp.t));

	/* The stop was consumed: the loop runs again. */
	rp.fired = 0;
	rp.stop_after = 2;
	start_ok(loop, &rp.t, loop_now(loop));
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(rp.fired, 2);
}

static void
test_loop_stop_from_before_sleep_hook_does_not_block(void **state)
{
	struct loop *loop = *state;
	struct hookrec h = {.stop_at = 1};

	/* No fds, no timers: without the stop the pass would sleep forever */
	loop_set_before_sleep(loop, hook_fire, &h);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(h.calls, 1);
}

static void
stop_on_io(struct loop *loop, int fd, unsigned events, void *arg)
{
	uint64_t v;

	assert_int_equal(read(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
	(*(int *)arg)++;
	loop_stop(loop);
}

static void
test_loop_stop_from_io_callback_ends_loop_run(void **state)
{
	struct loop *loop = *state;
	uint64_t one = 1;
	int efd, calls = 0;

	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(efd >= 0);
	io_add_ok(loop, efd, LOOP_READ, stop_on_io, &calls);
	assert_int_equal(write(efd, &one, sizeof(one)), (ssize_t)sizeof(one));
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(calls, 1);
	loop_io_del(loop, efd);
	close(efd);
}

static void
nested_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	*(int *)arg = loop_run_once(loop, 0);
}

static void
test_run_once_from_callback_is_refused(void **state)
{
	struct loop *loop = *state;
	struct loop_timer t;
	int nested = 0;

	loop_timer_init(&t, nested_fire, &nested);
	start_ok(loop, &t, loop_now(loop) - 1);
	assert_int_equal(loop_run_once(loop, 0), 1);
	assert_int_equal(nested, -EBUSY);
}

static volatile sig_atomic_t got_alarm;

static void
on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

static void
arm_alarm(struct loop *loop, void *arg)
{
	struct itimerval it = {.it_value = {.tv_usec = 2000}};

	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void
test_run_once_interrupted_by_signal_returns_zero(void **state)
{
	struct loop *loop = *state;
	struct sigaction sa, old;
	int ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	got_alarm = 0;
	/* Armed just before the pass sleeps; the 1 s cap is only a guard. */
	loop_set_before_sleep(loop, arm_alarm, NULL);
	ret = loop_run_once(loop, LOOP_NS_PER_SEC);
	loop_set_before_sleep(loop, NULL, NULL);
	assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
	assert_int_equal(ret, 0);
	assert_int_equal(got_alarm, 1);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_loop, teardown_loop)
	const struct CMUnitTest tests[] = {
	    T(test_timer_init_is_inactive),
	    T(test_timer_random_ops_fire_sorted_by_deadline_then_seq),
	    T(test_timer_equal_deadlines_fire_in_start_order),
	    T(test_timer_restart_with_same_deadline_moves_behind_others),
	    T(test_timer_stop_prevents_firing),
	    T(test_timer_restart_moves_deadline),
	    T(test_timer_callback_stopping_other_due_timer_prevents_it),
	    T(test_timer_restarting_other_due_timer_defers_it_to_next_pass),
	    T(test_timer_restarting_itself_at_now_runs_once_per_pass),
	    T(test_timer_started_in_callback_waits_without_delaying_due_ones),
	    T(test_timer_callback_may_free_its_own_timer),
	    T(test_timer_future_deadline_never_fires_early),
	    T(test_timer_count_tracks_starts_stops_and_firing),
	    cmocka_unit_test(
	        test_loop_free_with_pending_timers_and_watchers_leaks_nothing),
	    T(test_io_pipe_fires_on_write),
	    T(test_io_eventfd_fires_on_write),
	    T(test_io_mod_switches_watched_events),
	    T(test_io_reports_hup_when_writer_closes),
	    T(test_io_add_mod_del_report_errors),
	    T(test_io_del_from_other_callback_prevents_stale_dispatch),
	    T(test_io_readded_fd_in_same_pass_gets_no_stale_event),
	    T(test_io_del_of_own_fd_in_callback_stops_watching),
	    T(test_io_table_grows_for_high_fd_from_callback),
	    T(test_run_once_returns_number_of_callbacks_run),
	    T(test_run_once_max_wait_bounds_the_sleep),
	    T(test_update_time_refreshes_cached_now),
	    T(test_before_sleep_hook_runs_each_pass_until_cleared),
	    T(test_loop_stop_from_timer_ends_loop_run),
	    T(test_loop_stop_from_before_sleep_hook_does_not_block),
	    T(test_loop_stop_from_io_callback_ends_loop_run),
	    T(test_run_once_from_callback_is_refused),
	    T(test_run_once_interrupted_by_signal_returns_zero),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
