/*
 * Unit tests of annot: comment ids and deletion, the acknowledgement
 * lifecycles (normal and sticky), fixed, flexible and triggered downtimes
 * driven by a clock the test holds (never a sleep), propagation to child
 * hosts, bounds and the restart rules. Downtime transitions are recorded by
 * the callback and checked in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <cmocka.h>

#include "annot.h"

#define MAXEV 64

struct event {
	uint64_t id;
	enum annot_dt_event ev;
	unsigned depth;
	char line[256];
	int logged;
};

struct fixture {
	struct annot *a;
	struct annot_callbacks cb;
	struct event ev[MAXEV];
	int nev;
	char err[256];
};

static void
record(void *arg, const struct annot_downtime *dt, enum annot_dt_event ev,
    unsigned depth)
{
	struct fixture *f = arg;
	struct event *e;

	assert_true(f->nev < MAXEV);
	e = &f->ev[f->nev++];
	e->id = dt->id;
	e->ev = ev;
	e->depth = depth;
	e->logged = annot_downtime_alert(dt, ev, depth, e->line,
	    sizeof(e->line));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(annot_new(0, &f->a), 0);
	f->cb.downtime = record;
	f->cb.arg = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	annot_free(f->a);
	free(f);
	return 0;
}

static uint64_t
add_comment(struct fixture *f, const char *host, const char *svc,
    bool persistent, enum annot_comment_type type)
{
	struct annot_comment c = { .host = host, .service = svc,
		.entry_time = 1000, .author = "alice", .text = "looking",
		.persistent = persistent, .type = type };
	uint64_t id = 0;

	assert_int_equal(annot_comment_add(f->a, &c, &id, f->err,
	    sizeof(f->err)), 0);
	return id;
}

static uint64_t
add_dt(struct fixture *f, const char *host, const char *svc, int64_t start,
    int64_t end, bool fixed, int64_t duration, uint64_t trigger,
    int64_t now)
{
	struct annot_downtime d = { .host = host, .service = svc,
		.entry_time = now, .start_time = start, .end_time = end,
		.fixed = fixed, .duration = duration, .trigger_id = trigger,
		.author = "bob", .comment = "maintenance" };
	uint64_t id = 0;

	assert_int_equal(annot_downtime_add(f->a, &d, now, &id, f->err,
	    sizeof(f->err)), 0);
	return id;
}

static void
set_ack(struct fixture *f, const char *host, const char *svc, int state,
    enum annot_ack_type type, bool persistent)
{
	struct annot_ack k = { .host = host, .service = svc, .type = type,
		.state = state, .notify = true, .persistent = persistent,
		.entry_time = 1000, .author = "carol", .comment = "known" };

	assert_int_equal(annot_ack_set(f->a, &k, f->err, sizeof(f->err)), 0);
}

static void
expect_event(struct fixture *f, int i, uint64_t id, enum annot_dt_event ev,
    unsigned depth)
{
	assert_true(i < f->nev);
	assert_int_equal(f->ev[i].id, id);
	assert_int_equal(f->ev[i].ev, ev);
	assert_int_equal(f->ev[i].depth, depth);
}

/* ---- comments ------------------------------------------------------- */

static void
test_annot_comment_ids_increase_and_are_never_reused(void **state)
{
	struct fixture *f = *state;
	const struct annot_comment *c;
	uint64_t a, b, d;

	a = add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	b = add_comment(f, "core", "PING", false, ANNOT_COMMENT_USER);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(annot_comment_delete(f->a, b), 0);
	d = add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	assert_int_equal(d, 3);
	c = annot_comment_find(f->a, a);
	assert_non_null(c);
	assert_string_equal(c->host, "core");
	assert_null(c->service);
	assert_string_equal(c->author, "alice");
	assert_string_equal(c->text, "looking");
	assert_int_equal(c->entry_time, 1000);
	assert_null(annot_comment_find(f->a, b));
	assert_int_equal(annot_comment_count(f->a), 2);
	assert_int_equal(annot_comment_at(f->a, 1)->id, 3);
}

static void
test_annot_comment_delete_and_delete_all(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(annot_comment_delete(f->a, 42), -ENOENT);
	add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	add_comment(f, "core", NULL, false, ANNOT_COMMENT_FLAPPING);
	add_comment(f, "core", "PING", true, ANNOT_COMMENT_USER);
	add_comment(f, "edge", NULL, true, ANNOT_COMMENT_USER);
	/* Only the host's own comments of that type. */
	assert_int_equal(annot_comment_delete_all(f->a, "core", NULL,
	    ANNOT_COMMENT_FLAPPING), 1);
	assert_int_equal(annot_comment_delete_all(f->a, "core", NULL, 0), 1);
	assert_int_equal(annot_comment_count(f->a), 2);
	assert_int_equal(annot_comment_delete_all(f->a, "core", "PING", 0), 1);
	assert_int_equal(annot_comment_delete_all(f->a, "nope", NULL, 0), 0);
	assert_string_equal(annot_comment_at(f->a, 0)->host, "edge");
}

static void
test_annot_comment_bad_input_is_refused_clearly(void **state)
{
	struct fixture *f = *state;
	struct annot_comment c = { .host = "", .type = ANNOT_COMMENT_USER };
	char *big = malloc(ANNOT_TEXT_MAX + 2);
	uint64_t id;

	assert_int_equal(annot_comment_add(f->a, &c, &id, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "the host name is empty");
	memset(big, 'x', ANNOT_TEXT_MAX + 1);
	big[ANNOT_TEXT_MAX + 1] = '\0';
	c.host = "core";
	c.text = big;
	assert_int_equal(annot_comment_add(f->a, &c, &id, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "the comment is longer than 8192"));
	c.text = "ok";
	c.type = 9;
	assert_int_equal(annot_comment_add(f->a, &c, &id, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "comment type 9 is not 1-4");
	free(big);
	assert_int_equal(annot_comment_count(f->a), 0);
}

static void
test_annot_bounds_refuse_past_the_limit(void **state)
{
	struct fixture *f = *state;
	struct annot_comment c = { .host = "h", .author = "a", .text = "t",
		.type = ANNOT_COMMENT_USER };
	struct annot_downtime d = { .host = "h", .start_time = 10,
		.end_time = 20, .fixed = true };
	const char *svcs[] = { "a", "b" };
	uint64_t id;

	annot_free(f->a);
	assert_int_equal(annot_new(3, &f->a), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(annot_comment_add(f->a, &c, &id, f->err,
		    sizeof(f->err)), 0);
	/* One downtime fits (with its comment, the third); then nothing. */
	assert_int_equal(annot_downtime_add(f->a, &d, 0, &id, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(annot_comment_add(f->a, &c, &id, f->err,
	    sizeof(f->err)), -ENOSPC);
	assert_string_equal(f->err, "too many comments (the limit is 3)");
	/* All or nothing: neither service gets one. */
	assert_int_equal(annot_downtime_add_services(f->a, &d, svcs, 2, 0,
	    &id, f->err, sizeof(f->err)), -ENOSPC);
	assert_int_equal(annot_downtime_count(f->a), 1);
	assert_int_equal(annot_comment_count(f->a), 3);
}

/* ---- acknowledgements ----------------------------------------------- */

static void
test_annot_ack_normal_ends_on_any_state_change(void **state)
{
	struct fixture *f = *state;
	const struct annot_ack *k;

	set_ack(f, "core", NULL, 1, ANNOT_ACK_NORMAL, false);
	k = annot_ack_get(f->a, "core", NULL);
	assert_non_null(k);
	assert_int_equal(k->type, ANNOT_ACK_NORMAL);
	assert_true(k->notify);
	assert_string_equal(k->author, "carol");
	assert_int_equal(annot_comment_find(f->a, k->comment_id)->type,
	    ANNOT_COMMENT_ACK);
	/* Soft to hard in the same state is no change. */
	assert_int_equal(annot_state_change(f->a, "core", NULL, 1, false), 0);
	assert_non_null(annot_ack_get(f->a, "core", NULL));
	/* DOWN -> UNREACHABLE ends a normal ack, and its comment. */
	assert_int_equal(annot_state_change(f->a, "core", NULL, 2, false), 1);
	assert_null(annot_ack_get(f->a, "core", NULL));
	assert_int_equal(annot_comment_count(f->a), 0);
}

static void
test_annot_ack_sticky_ends_only_on_recovery(void **state)
{
	struct fixture *f = *state;
	const struct annot_ack *k;

	set_ack(f, "core", "PING", 2, ANNOT_ACK_STICKY, true);
	assert_int_equal(annot_state_change(f->a, "core", "PING", 1, false),
	    0);
	k = annot_ack_get(f->a, "core", "PING");
	assert_non_null(k);
	assert_int_equal(k->state, 1);
	assert_int_equal(annot_state_change(f->a, "core", "PING", 3, false),
	    0);
	assert_int_equal(annot_state_change(f->a, "core", "PING", 0, true), 1);
	assert_null(annot_ack_get(f->a, "core", "PING"));
	/* A persistent ack comment outlives its ack. */
	assert_int_equal(annot_comment_count(f->a), 1);
	assert_int_equal(annot_comment_at(f->a, 0)->type, ANNOT_COMMENT_ACK);
}

static void
test_annot_ack_refused_without_problem_and_removal(void **state)
{
	struct fixture *f = *state;
	struct annot_ack k = { .host = "core", .service = "PING",
		.type = ANNOT_ACK_NORMAL, .state = 0 };

	assert_int_equal(annot_ack_set(f->a, &k, f->err, sizeof(f->err)),
	    -EINVAL);
	assert_string_equal(f->err, "core;PING is OK: there is no problem to "
	    "acknowledge");
	k.state = 2;
	k.type = 5;
	assert_int_equal(annot_ack_set(f->a, &k, f->err, sizeof(f->err)),
	    -EINVAL);
	assert_int_equal(annot_comment_count(f->a), 0);
	assert_int_equal(annot_ack_remove(f->a, "core", NULL), -ENOENT);
	set_ack(f, "core", NULL, 1, ANNOT_ACK_STICKY, false);
	set_ack(f, "core", NULL, 1, ANNOT_ACK_NORMAL, false); /* replaces */
	assert_int_equal(annot_ack_get(f->a, "core", NULL)->type,
	    ANNOT_ACK_NORMAL);
	assert_int_equal(annot_comment_count(f->a), 2);
	assert_int_equal(annot_ack_remove(f->a, "core", NULL), 0);
	assert_int_equal(annot_comment_count(f->a), 0);
	assert_int_equal(annot_state_change(f->a, "core", NULL, 0, true), 0);
}

/* ---- downtimes ------------------------------------------------------ */

static void
test_annot_fixed_downtime_starts_and_stops_on_time(void **state)
{
	struct fixture *f = *state;
	uint64_t id = add_dt(f, "core", NULL, 100, 200, true, 0, 0, 50);
	const struct annot_downtime *d = annot_downtime_find(f->a, id);

	assert_int_equal(d->state, ANNOT_DT_PENDING);
	assert_int_equal(d->duration, 100);
	assert_non_null(strstr(annot_comment_find(f->a, d->comment_id)->text,
	    "This host has been scheduled for fixed downtime from "));
	assert_int_equal(annot_tick(f->a, 99, &f->cb), 100);
	assert_int_equal(f->nev, 0);
	assert_int_equal(annot_tick(f->a, 100, &f->cb), 200);
	expect_event(f, 0, id, ANNOT_DT_STARTED, 1);
	assert_true(f->ev[0].logged);
	assert_string_equal(f->ev[0].line, "HOST DOWNTIME ALERT: core;STARTED;"
	    " Host has entered a period of scheduled downtime");
	assert_int_equal(annot_in_downtime(f->a, "core", NULL), 1);
	assert_int_equal(annot_downtime_find(f->a, id)->actual_start, 100);
	assert_int_equal(annot_tick(f->a, 199, &f->cb), 200);
	assert_int_equal(f->nev, 1);
	assert_int_equal(annot_tick(f->a, 200, &f->cb), INT64_MAX);
	expect_event(f, 1, id, ANNOT_DT_STOPPED, 0);
	assert_string_equal(f->ev[1].line, "HOST DOWNTIME ALERT: core;STOPPED;"
	    " Host has exited from a period of scheduled downtime");
	assert_int_equal(annot_in_downtime(f->a, "core", NULL), 0);
	assert_int_equal(annot_downtime_count(f->a), 0);
	assert_int_equal(annot_comment_count(f->a), 0);
}

static void
test_annot_overlapping_downtimes_log_only_outer_edges(void **state)
{
	struct fixture *f = *state;
	uint64_t a = add_dt(f, "core", "PING", 100, 300, true, 0, 0, 0);
	uint64_t b = add_dt(f, "core", "PING", 150, 200, true, 0, 0, 0);

	annot_tick(f->a, 100, &f->cb);
	annot_tick(f->a, 150, &f->cb);
	assert_int_equal(annot_in_downtime(f->a, "core", "PING"), 2);
	assert_int_equal(annot_in_downtime(f->a, "core", NULL), 0);
	annot_tick(f->a, 200, &f->cb);
	annot_tick(f->a, 300, &f->cb);
	assert_int_equal(f->nev, 4);
	expect_event(f, 0, a, ANNOT_DT_STARTED, 1);
	expect_event(f, 1, b, ANNOT_DT_STARTED, 2);
	expect_event(f, 2, b, ANNOT_DT_STOPPED, 1);
	expect_event(f, 3, a, ANNOT_DT_STOPPED, 0);
	assert_true(f->ev[0].logged && !f->ev[1].logged && !f->ev[2].logged);
	assert_string_equal(f->ev[3].line, "SERVICE DOWNTIME ALERT: core;PING;"
	    "STOPPED; Service has exited from a period of scheduled downtime");
}

static void
test_annot_flexible_downtime_starts_on_problem_in_window(void **state)
{
	struct fixture *f = *state;
	uint64_t id = add_dt(f, "core", NULL, 100, 200, false, 30, 0, 0);
	uint64_t unused = add_dt(f, "edge", NULL, 100, 200, false, 30, 0, 0);

	/* Time alone never starts it; a problem before the window neither. */
	annot_tick(f->a, 150, &f->cb);
	annot_problem(f->a, "core", NULL, 90, &f->cb);
	assert_int_equal(f->nev, 0);
	annot_problem(f->a, "core", NULL, 160, &f->cb);
	expect_event(f, 0, id, ANNOT_DT_STARTED, 1);
	annot_problem(f->a, "core", NULL, 170, &f->cb); /* already started */
	assert_int_equal(f->nev, 1);
	/* It lasts its duration, past the window's end if need be. */
	assert_int_equal(annot_tick(f->a, 189, &f->cb), 190);
	assert_int_equal(f->nev, 1);
	annot_tick(f->a, 190, &f->cb);
	expect_event(f, 1, id, ANNOT_DT_STOPPED, 0);
	/* The one that never saw a problem expires after its window. */
	assert_int_equal(annot_tick(f->a, 200, &f->cb), 201);
	annot_tick(f->a, 201, &f->cb);
	expect_event(f, 2, unused, ANNOT_DT_EXPIRED, 0);
	assert_false(f->ev[2].logged);
	assert_int_equal(annot_downtime_count(f->a), 0);
}

static void
test_annot_triggered_downtime_follows_its_trigger(void **state)
{
	struct fixture *f = *state;
	uint64_t a = add_dt(f, "router", NULL, 100, 300, true, 0, 0, 0);
	uint64_t b = add_dt(f, "server", NULL, 100, 400, true, 0, a, 0);
	uint64_t c = add_dt(f, "printer", NULL, 100, 400, false, 600, a, 0);
	uint64_t late;

	annot_tick(f->a, 100, &f->cb);
	expect_event(f, 0, a, ANNOT_DT_STARTED, 1);
	expect_event(f, 1, b, ANNOT_DT_STARTED, 1);
	expect_event(f, 2, c, ANNOT_DT_STARTED, 1);
	/* Added while its trigger is in effect: starts at the next tick. */
	late = add_dt(f, "ups", NULL, 50, 250, true, 0, a, 120);
	annot_tick(f->a, 120, &f->cb);
	expect_event(f, 3, late, ANNOT_DT_STARTED, 1);
	annot_tick(f->a, 250, &f->cb);
	expect_event(f, 4, late, ANNOT_DT_STOPPED, 0); /* its own end first */
	/* The trigger's end stops the rest in the same tick. */
	annot_tick(f->a, 300, &f->cb);
	assert_int_equal(f->nev, 8);
	expect_event(f, 5, a, ANNOT_DT_STOPPED, 0);
	expect_event(f, 6, b, ANNOT_DT_STOPPED, 0);
	expect_event(f, 7, c, ANNOT_DT_STOPPED, 0);
	assert_int_equal(annot_downtime_count(f->a), 0);
}

static void
test_annot_deleting_a_trigger_cancels_what_it_triggers(void **state)
{
	struct fixture *f = *state;
	uint64_t a = add_dt(f, "router", NULL, 100, 300, false, 50, 0, 0);
	uint64_t b = add_dt(f, "server", "HTTP", 100, 300, true, 0, a, 0);
	uint64_t other = add_dt(f, "server", NULL, 100, 300, true, 0, 0, 0);

	annot_problem(f->a, "router", NULL, 110, &f->cb);
	expect_event(f, 0, a, ANNOT_DT_STARTED, 1);
	expect_event(f, 1, b, ANNOT_DT_STARTED, 1);
	assert_int_equal(annot_downtime_delete(f->a, a, &f->cb), 0);
	expect_event(f, 2, a, ANNOT_DT_CANCELLED, 0);
	expect_event(f, 3, b, ANNOT_DT_CANCELLED, 0);
	assert_string_equal(f->ev[3].line, "SERVICE DOWNTIME ALERT: server;"
	    "HTTP;CANCELLED; Scheduled downtime for service has been "
	    "cancelled.");
	assert_null(annot_downtime_find(f->a, b));
	assert_non_null(annot_downtime_find(f->a, other));
	assert_int_equal(annot_comment_count(f->a), 1);
	assert_int_equal(annot_downtime_delete(f->a, a, &f->cb), -ENOENT);
	/* A pending one goes without a word. */
	assert_int_equal(annot_downtime_delete_by_host(f->a, "server", NULL,
	    &f->cb), 1);
	assert_int_equal(f->nev, 4);
}

static void
test_annot_downtime_bad_input_is_refused_clearly(void **state)
{
	struct fixture *f = *state;
	struct annot_downtime d = { .host = "core", .start_time = 200,
		.end_time = 100, .fixed = true };
	uint64_t id;

	assert_int_equal(annot_downtime_add(f->a, &d, 0, &id, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "the downtime ends (100) before it starts "
	    "(200)");
	d.start_time = 50;
	assert_int_equal(annot_downtime_add(f->a, &d, 100, &id, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "is over already"));
	d.fixed = false;
	assert_int_equal(annot_downtime_add(f->a, &d, 0, &id, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "needs a duration"));
	d.fixed = true;
	d.trigger_id = 77;
	assert_int_equal(annot_downtime_add(f->a, &d, 0, &id, f->err,
	    sizeof(f->err)), -ENOENT);
	assert_string_equal(f->err, "downtime 77 (the trigger) does not exist");
	assert_int_equal(annot_downtime_count(f->a), 0);
	assert_int_equal(annot_comment_count(f->a), 0);
}

static void
test_annot_host_svc_downtime_covers_each_service(void **state)
{
	struct fixture *f = *state;
	struct annot_downtime d = { .host = "core", .start_time = 100,
		.end_time = 200, .fixed = true, .author = "a", .comment = "c" };
	const char *svcs[] = { "PING", "HTTP", "SSH" };
	uint64_t first;

	assert_int_equal(annot_downtime_add_services(f->a, &d, svcs, 3, 0,
	    &first, f->err, sizeof(f->err)), 0);
	assert_int_equal(annot_downtime_count(f->a), 3);
	for (int i = 0; i < 3; i++) {
		const struct annot_downtime *x = annot_downtime_find(f->a,
		    first + (uint64_t)i);

		assert_string_equal(x->service, svcs[i]);
	}
	annot_tick(f->a, 100, &f->cb);
	assert_int_equal(annot_in_downtime(f->a, "core", "SSH"), 1);
	assert_int_equal(annot_in_downtime(f->a, "core", NULL), 0);
}

/* core -> d1, d2; d1 -> s1; d2 -> s1 (two paths to s1). */
static const char *
children(void *arg, const char *host, size_t i)
{
	static const char *const core[] = { "d1", "d2" };
	static const char *const d[] = { "s1" };

	if (strcmp(host, "core") == 0)
		return i < 2 ? core[i] : NULL;
	if (strcmp(host, "d1") == 0 || strcmp(host, "d2") == 0)
		return i < 1 ? d[i] : NULL;
	return NULL;
}

static void
test_annot_propagated_downtime_reaches_each_child_once(void **state)
{
	struct fixture *f = *state;
	struct annot_downtime d = { .host = "core", .start_time = 100,
		.end_time = 200, .fixed = true, .author = "a", .comment = "c" };
	uint64_t first;
	size_t n;

	assert_int_equal(annot_downtime_add_propagated(f->a, &d, true,
	    children, NULL, 0, &first, &n, f->err, sizeof(f->err)), 0);
	assert_int_equal(n, 4);
	assert_int_equal(annot_downtime_find(f->a, first)->trigger_id, 0);
	for (uint64_t id = first + 1; id < first + 4; id++)
		assert_int_equal(annot_downtime_find(f->a, id)->trigger_id,
		    first);
	assert_string_equal(annot_downtime_find(f->a, first + 3)->host, "s1");
	annot_tick(f->a, 100, &f->cb);
	assert_int_equal(f->nev, 4);
	assert_int_equal(annot_in_downtime(f->a, "s1", NULL), 1);
	/* Not triggered: independent copies. */
	assert_int_equal(annot_downtime_add_propagated(f->a, &d, false,
	    children, NULL, 0, &first, &n, f->err, sizeof(f->err)), 0);
	for (uint64_t id = first; id < first + 4; id++)
		assert_int_equal(annot_downtime_find(f->a, id)->trigger_id, 0);
}

/* ---- persistence support -------------------------------------------- */

static void
test_annot_change_list_records_and_overflows(void **state)
{
	struct fixture *f = *state;
	const struct annot_change *ch;
	size_t n;
	bool over;

	add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	set_ack(f, "core", "PING", 2, ANNOT_ACK_NORMAL, false);
	ch = annot_changes(f->a, &n, &over);
	assert_int_equal(n, 3); /* comment, ack comment, ack */
	assert_false(over);
	assert_int_equal(ch[0].kind, ANNOT_CHANGE_COMMENT);
	assert_int_equal(ch[2].kind, ANNOT_CHANGE_ACK);
	assert_string_equal(ch[2].service, "PING");
	annot_changes_clear(f->a);
	annot_changes(f->a, &n, &over);
	assert_int_equal(n, 0);
	annot_free(f->a);
	assert_int_equal(annot_new(2, &f->a), 0);
	add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	assert_int_equal(annot_comment_delete(f->a, 1), 0);
	annot_changes(f->a, &n, &over);
	assert_int_equal(n, 2);
	add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	annot_changes(f->a, &n, &over);
	assert_true(over);
	annot_changes_clear(f->a);
	annot_changes(f->a, &n, &over);
	assert_false(over);
}

static void
test_annot_restart_drops_what_does_not_persist(void **state)
{
	struct fixture *f = *state;
	uint64_t keep = add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	uint64_t dt;

	add_comment(f, "core", NULL, false, ANNOT_COMMENT_USER);
	set_ack(f, "core", "PING", 2, ANNOT_ACK_NORMAL, false);
	set_ack(f, "edge", NULL, 1, ANNOT_ACK_NORMAL, false);
	assert_int_equal(annot_ack_remove(f->a, "edge", NULL), 0);
	dt = add_dt(f, "core", NULL, 100, 200, true, 0, 0, 0);
	assert_int_equal(annot_comment_count(f->a), 4);
	assert_int_equal(annot_drop_volatile(f->a), 1);
	assert_non_null(annot_comment_find(f->a, keep));
	assert_non_null(annot_comment_find(f->a,
	    annot_ack_get(f->a, "core", "PING")->comment_id));
	assert_non_null(annot_comment_find(f->a,
	    annot_downtime_find(f->a, dt)->comment_id));
}

static bool
only_core(void *arg, const char *host, const char *service)
{
	return strcmp(host, "core") == 0;
}

static void
test_annot_prune_drops_unconfigured_objects(void **state)
{
	struct fixture *f = *state;

	add_comment(f, "core", NULL, true, ANNOT_COMMENT_USER);
	add_comment(f, "gone", "PING", true, ANNOT_COMMENT_USER);
	set_ack(f, "gone", NULL, 1, ANNOT_ACK_STICKY, true);
	add_dt(f, "gone", NULL, 100, 200, true, 0, 0, 0);
	/* comment, ack comment, downtime (its comment goes with it), ack */
	assert_int_equal(annot_prune(f->a, only_core, NULL), 5);
	assert_int_equal(annot_comment_count(f->a), 1);
	assert_int_equal(annot_downtime_count(f->a), 0);
	assert_null(annot_ack_get(f->a, "gone", NULL));
}

static void
test_annot_restore_keeps_ids_and_depth(void **state)
{
	struct fixture *f = *state;
	struct annot_downtime d = { .id = 40, .host = "core", .service = "PING",
		.start_time = 100, .end_time = 200, .fixed = true,
		.duration = 100, .comment_id = 7, .state = ANNOT_DT_ACTIVE,
		.actual_start = 100 };
	struct annot_comment c = { .id = 7, .host = "core", .service = "PING",
		.author = ANNOT_PROCESS_AUTHOR, .text = "x",
		.type = ANNOT_COMMENT_DOWNTIME };
	uint64_t nc, nd;

	assert_int_equal(annot_comment_restore(f->a, &c, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(annot_downtime_restore(f->a, &d, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(annot_downtime_restore(f->a, &d, f->err,
	    sizeof(f->err)), 0); /* an upsert */
	assert_int_equal(annot_in_downtime(f->a, "core", "PING"), 1);
	annot_next_ids(f->a, &nc, &nd);
	assert_int_equal(nc, 8);
	assert_int_equal(nd, 41);
	annot_set_next_ids(f->a, 5, 100);
	annot_next_ids(f->a, &nc, &nd);
	assert_int_equal(nc, 8);
	assert_int_equal(nd, 100);
	d.state = 2;
	assert_int_equal(annot_downtime_restore(f->a, &d, f->err,
	    sizeof(f->err)), -EINVAL);
	annot_tick(f->a, 200, &f->cb);
	expect_event(f, 0, 40, ANNOT_DT_STOPPED, 0);
	assert_int_equal(annot_comment_count(f->a), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_annot_comment_ids_increase_and_are_never_reused),
		T(test_annot_comment_delete_and_delete_all),
		T(test_annot_comment_bad_input_is_refused_clearly),
		T(test_annot_bounds_refuse_past_the_limit),
		T(test_annot_ack_normal_ends_on_any_state_change),
		T(test_annot_ack_sticky_ends_only_on_recovery),
		T(test_annot_ack_refused_without_problem_and_removal),
		T(test_annot_fixed_downtime_starts_and_stops_on_time),
		T(test_annot_overlapping_downtimes_log_only_outer_edges),
		T(test_annot_flexible_downtime_starts_on_problem_in_window),
		T(test_annot_triggered_downtime_follows_its_trigger),
		T(test_annot_deleting_a_trigger_cancels_what_it_triggers),
		T(test_annot_downtime_bad_input_is_refused_clearly),
		T(test_annot_host_svc_downtime_covers_each_service),
		T(test_annot_propagated_downtime_reaches_each_child_once),
		T(test_annot_change_list_records_and_overflows),
		T(test_annot_restart_drops_what_does_not_persist),
		T(test_annot_prune_drops_unconfigured_objects),
		T(test_annot_restore_keeps_ids_and_depth),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
