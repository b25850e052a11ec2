/*
 * Unit tests for the loop's timer slack and for the heap under many timers:
 * with slack, timers close together run in one pass and never early; the
 * heap keeps (deadline, start order) through random starts, restarts and
 * stops of thousands of timers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loop.h"

#define MS LOOP_NS_PER_MSEC

struct fired {
	int n;
	int64_t now[4]; /* loop_now() at each of the first runs */
	int64_t deadline[4];
};

static void
on_fire(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct fired *f = arg;

	if (f->n < 4) {
		f->now[f->n] = loop_now(loop);
		f->deadline[f->n] = t->deadline;
	}
	f->n++;
}

/* The next multiple of slack at least lead after now. */
static int64_t
slot_end(int64_t now, int64_t slack, int64_t lead)
{
	int64_t g = (now + lead + slack - 1) / slack * slack;

	return g;
}

static void
test_slack_runs_close_timers_in_one_pass(void **state)
{
	struct loop *loop;
	struct loop_timer a, b;
	struct fired f = {0};
	int64_t slack = 200 * MS, g;
	int ran;

	(void)state;
	assert_int_equal(loop_new(&loop), 0);
	loop_set_slack(loop, slack);
	loop_timer_init(&a, on_fire, &f);
	loop_timer_init(&b, on_fire, &f);
	/* Both in the slot that ends at g, 150 ms apart: without slack the
	 * first pass would wake for a alone. */
	g = slot_end(loop_clock(), slack, 170 * MS);
	assert_int_equal(loop_timer_start(loop, &a, g - 160 * MS), 0);
	assert_int_equal(loop_timer_start(loop, &b, g - 10 * MS), 0);
	ran = loop_run_once(loop, -1);
	assert_int_equal(ran, 2);
	assert_int_equal(f.n, 2);
	/* Never early: the pass began at or after both deadlines. */
	assert_true(f.now[0] >= f.deadline[0]);
	assert_true(f.now[1] >= f.deadline[1]);
	assert_true(f.now[0] >= g);
	/* In deadline order. */
	assert_true(f.deadline[0] < f.deadline[1]);
	loop_free(loop);
}

static void
test_no_slack_wakes_for_the_earliest(void **state)
{
	struct loop *loop;
	struct loop_timer a, b;
	struct fired f = {0};
	int64_t now;

	(void)state;
	assert_int_equal(loop_new(&loop), 0);
	loop_set_slack(loop, 0);
	loop_timer_init(&a, on_fire, &f);
	loop_timer_init(&b, on_fire, &f);
	now = loop_clock();
	assert_int_equal(loop_timer_start(loop, &a, now + 20 * MS), 0);
	assert_int_equal(loop_timer_start(loop, &b, now + 3600 * 1000 * MS),
	    0);
	assert_int_equal(loop_run_once(loop, -1), 1);
	assert_int_equal(f.n, 1);
	assert_true(f.now[0] >= now + 20 * MS);
	loop_timer_stop(loop, &b);
	loop_free(loop);
}

static void
test_slack_does_not_delay_due_timers(void **state)
{
	struct loop *loop;
	struct loop_timer a;
	struct fired f = {0};

	(void)state;
	assert_int_equal(loop_new(&loop), 0);
	loop_set_slack(loop, 3600 * 1000 * MS);
	loop_timer_init(&a, on_fire, &f);
	/* Already due: the pass does not sleep to the slot's end. */
	assert_int_equal(loop_timer_start(loop, &a, loop_now(loop) - MS), 0);
	assert_int_equal(loop_run_once(loop, -1), 1);
	assert_int_equal(f.n, 1);
	/* A negative slack is no slack. */
	loop_set_slack(loop, -5);
	assert_int_equal(loop_timer_start(loop, &a, loop_clock() + MS), 0);
	assert_int_equal(loop_run_once(loop, -1), 1);
	assert_int_equal(f.n, 2);
	loop_free(loop);
}

/* ---- many timers ---- */

#define NT 5000

struct many {
	struct loop_timer t[NT];
	int64_t last_deadline;
	uint64_t last_seq;
	int order_errors;
	int fired[NT];
};

static void
on_many(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct many *m = arg;
	size_t i = (size_t)(t - m->t);

	(void)loop;
	if (t->deadline < m->last_deadline ||
	    (t->deadline == m->last_deadline && t->seq < m->last_seq))
		m->order_errors++;
	m->last_deadline = t->deadline;
	m->last_seq = t->seq;
	m->fired[i]++;
}

static void
test_heap_keeps_order_through_restarts_and_stops(void **state)
{
	struct loop *loop;
	struct many *m = calloc(1, sizeof(*m));
	bool stopped[NT] = { false };
	int64_t base;
	unsigned seed = 12345;
	size_t i, expect = 0;

	(void)state;
	assert_non_null(m);
	assert_int_equal(loop_new(&loop), 0);
	base = loop_now(loop) - 3600 * 1000 * MS; /* all due at once */
	m->last_deadline = INT64_MIN;
	for (i = 0; i < NT; i++) {
		loop_timer_init(&m->t[i], on_many, m);
		assert_int_equal(loop_timer_start(loop, &m->t[i],
		    base + (int64_t)(rand_r(&seed) % 1000)), 0);
	}
	/* Move some (to earlier and later keys, equal keys among them),
	 * stop others. */
	for (i = 0; i < NT; i += 3)
		assert_int_equal(loop_timer_start(loop, &m->t[i],
		    base + (int64_t)(rand_r(&seed) % 1000)), 0);
	for (i = 1; i < NT; i += 7) {
		loop_timer_stop(loop, &m->t[i]);
		stopped[i] = true;
	}
	for (i = 0; i < NT; i++)
		expect += !stopped[i];
	assert_int_equal(loop_timer_count(loop), expect);
	assert_int_equal(loop_run_once(loop, 0), (int)expect);
	assert_int_equal(m->order_errors, 0);
	for (i = 0; i < NT; i++)
		assert_int_equal(m->fired[i], stopped[i] ? 0 : 1);
	assert_int_equal(loop_timer_count(loop), 0);
	loop_free(loop);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slack_runs_close_timers_in_one_pass),
		cmocka_unit_test(test_no_slack_wakes_for_the_earliest),
		cmocka_unit_test(test_slack_does_not_delay_due_timers),
		cmocka_unit_test(test_heap_keeps_order_through_restarts_and_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
