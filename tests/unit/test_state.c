/*
 * Unit tests of the state engine: soft/hard logic and parent reachability.
 * The scheduler is replaced by a recorder of what the engine asks for
 * (checks now, next deadlines); results are fed by hand, in the orders that
 * matter for races.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "check.h"
#include "evlog.h"
#include "objects.h"
#include "state.h"

#define NS 1000000000LL
#define MAXH 8

struct rec {
	struct host *check_now[64];
	int ncheck_now;
	int64_t next[MAXH];
	int64_t svc_next;
};

struct fixture {
	struct host hosts[MAXH];
	struct host *hostp[MAXH];
	struct host *links[MAXH][MAXH]; /* parents */
	struct host *kids[MAXH][MAXH];
	struct service svc;
	struct service *svcp;
	struct objects objs;
	struct rec rec;
	struct state *st;
	struct evlog *ev;
	char logpath[64];
	int64_t clock;
};

static void
rec_check_now(void *arg, struct host *h)
{
	struct rec *r = arg;

	if (r->ncheck_now < 64)
		r->check_now[r->ncheck_now++] = h;
}

static void
rec_host_next(void *arg, struct host *h, int64_t deadline)
{
	struct rec *r = arg;

	r->next[h->index] = deadline;
}

static void
rec_service_next(void *arg, struct service *s, int64_t deadline)
{
	struct rec *r = arg;

	r->svc_next = deadline;
}

static const char *names[MAXH] = { "core", "dist1", "dist2", "server",
	"printer", "fw", "h6", "h7" };

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct state_ops ops = {
		.host_check_now = rec_check_now,
		.host_next = rec_host_next,
		.service_next = rec_service_next,
	};
	char err[128];
	int i, fd;

	assert_non_null(f);
	for (i = 0; i < MAXH; i++) {
		struct host *h = &f->hosts[i];

		h->name = (char *)(uintptr_t)names[i];
		h->address = (char *)(uintptr_t)"127.0.0.1";
		h->index = (size_t)i;
		h->max_check_attempts = 3;
		h->check_interval_ns = 60 * NS;
		h->retry_interval_ns = 10 * NS;
		h->active_checks_enabled = true;
		h->parents = f->links[i];
		h->children = f->kids[i];
		h->st.state = HOST_PENDING;
		h->st.last_hard_state = HOST_PENDING;
		h->st.state_type = STATE_HARD;
		h->st.current_attempt = 1;
		f->hostp[i] = h;
	}
	f->objs.hosts = f->hostp;
	f->objs.nhosts = MAXH;
	f->svc.host = &f->hosts[3];
	f->svc.description = (char *)(uintptr_t)"disk";
	f->svc.max_check_attempts = 3;
	f->svc.check_interval_ns = 300 * NS;
	f->svc.retry_interval_ns = 60 * NS;
	f->svc.st.state = SERVICE_PENDING;
	f->svc.st.last_hard_state = SERVICE_PENDING;
	f->svcp = &f->svc;
	f->objs.services = &f->svcp;
	f->objs.nservices = 1;

	snprintf(f->logpath, sizeof(f->logpath), "/tmp/test_state.XXXXXX");
	fd = mkstemp(f->logpath);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(evlog_open(f->logpath, &f->ev, err, sizeof(err)), 0);
	ops.arg = &f->rec;
	assert_int_equal(state_new(&f->objs, &ops, f->ev, &f->st), 0);
	f->clock = 1000 * NS;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int i;

	state_free(f->st);
	evlog_close(f->ev);
	unlink(f->logpath);
	for (i = 0; i < MAXH; i++) {
		free(f->hosts[i].st.output);
		free(f->hosts[i].st.long_output);
		free(f->hosts[i].st.perfdata);
	}
	free(f->svc.st.output);
	free(f->svc.st.long_output);
	free(f->svc.st.perfdata);
	free(f);
	return 0;
}

/* Make p a parent of c. */
static void
link_parent(struct fixture *f, int c, int p)
{
	struct host *ch = &f->hosts[c], *ph = &f->hosts[p];

	ch->parents[ch->nparents++] = ph;
	ph->children[ph->nchildren++] = ch;
}

/* Feed a host result whose check started now (the clock advances 1 s per
 * result so that start times are ordered as in life). */
static void
feed(struct fixture *f, int h, int code)
{
	struct check_result r = { 0 };

	f->clock += NS;
	r.code = code;
	r.start_ns = f->clock;
	r.end_ns = f->clock + NS / 2;
	r.start_time = f->clock / NS;
	check_result_set(&r, code, "%s - %s", code == 0 ? "OK" : "CRITICAL",
	    names[h]);
	state_host_result(f->st, &f->hosts[h], &r);
	check_result_clear(&r);
}

/* Same, with an explicit start time. */
static void
feed_at(struct fixture *f, int h, int code, int64_t start)
{
	struct check_result r = { 0 };

	r.code = code;
	r.start_ns = start;
	r.start_time = start / NS;
	check_result_set(&r, code, "x");
	state_host_result(f->st, &f->hosts[h], &r);
	check_result_clear(&r);
}

static int
count_lines(struct fixture *f, const char *needle)
{
	char line[512];
	int n = 0;
	FILE *fp = fopen(f->logpath, "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

/* Line number (1-based) of the first line holding needle, 0 if none. */
static int
first_line(struct fixture *f, const char *needle)
{
	char line[512];
	int n = 0;
	FILE *fp = fopen(f->logpath, "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		if (strstr(line, needle) != NULL) {
			fclose(fp);
			return n;
		}
	}
	fclose(fp);
	return 0;
}

static void
test_state_root_failure_goes_soft_then_hard(void **state)
{
	struct fixture *f = *state;
	struct host *h = &f->hosts[0];

	feed(f, 0, 0);
	assert_int_equal(h->st.state, HOST_UP);
	assert_int_equal(h->st.state_type, STATE_HARD);
	assert_int_equal(f->rec.next[0], f->clock + 60 * NS);

	feed(f, 0, 2);
	assert_int_equal(h->st.state, HOST_DOWN);
	assert_int_equal(h->st.state_type, STATE_SOFT);
	assert_int_equal(h->st.current_attempt, 1);
	assert_int_equal(f->rec.next[0], f->clock + 10 * NS);
	feed(f, 0, 2);
	assert_int_equal(h->st.current_attempt, 2);
	assert_int_equal(h->st.state_type, STATE_SOFT);
	feed(f, 0, 2);
	assert_int_equal(h->st.current_attempt, 3);
	assert_int_equal(h->st.state_type, STATE_HARD);
	assert_int_equal(f->rec.next[0], f->clock + 60 * NS);
	feed(f, 0, 2); /* hard and unchanged: no new alert */
	assert_int_equal(count_lines(f, "HOST ALERT: core;DOWN;SOFT"), 2);
	assert_int_equal(count_lines(f, "HOST ALERT: core;DOWN;HARD;3;"), 1);

	feed(f, 0, 0);
	assert_int_equal(h->st.state, HOST_UP);
	assert_int_equal(h->st.current_attempt, 1);
	assert_int_equal(count_lines(f, "HOST ALERT: core;UP;HARD;1;"), 1);
}

static void
test_state_soft_recovery_logged_soft(void **state)
{
	struct fixture *f = *state;

	feed(f, 0, 0);
	feed(f, 0, 2);
	feed(f, 0, 0);
	assert_int_equal(f->hosts[0].st.state, HOST_UP);
	assert_int_equal(count_lines(f, "HOST ALERT: core;UP;SOFT;1;"), 1);
}

static void
test_state_warning_result_means_up(void **state)
{
	struct fixture *f = *state;

	feed(f, 0, 1);
	assert_int_equal(f->hosts[0].st.state, HOST_UP);
}

static void
test_state_failing_child_waits_for_parent_check(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 1, 0);
	feed(f, 0, 0);
	feed(f, 1, 0);
	f->rec.ncheck_now = 0;

	feed(f, 1, 2);
	/* Undecided until the parent has been checked again. */
	assert_int_equal(f->hosts[1].st.state, HOST_UP);
	assert_true(state_host_waiting(f->st, &f->hosts[1]));
	assert_int_equal(f->rec.ncheck_now, 1);
	assert_ptr_equal(f->rec.check_now[0], &f->hosts[0]);

	feed(f, 0, 2);
	assert_int_equal(f->hosts[0].st.state, HOST_DOWN);
	assert_int_equal(f->hosts[1].st.state, HOST_UNREACHABLE);
	assert_false(state_host_waiting(f->st, &f->hosts[1]));
	assert_int_equal(count_lines(f, "HOST ALERT: dist1;DOWN"), 0);
	assert_true(first_line(f, "HOST ALERT: core;DOWN") <
	    first_line(f, "HOST ALERT: dist1;UNREACHABLE"));
}

static void
test_state_child_down_when_parent_up(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 3, 1);
	feed(f, 1, 0);
	feed(f, 3, 0);
	feed(f, 3, 2);
	assert_true(state_host_waiting(f->st, &f->hosts[3]));
	feed(f, 1, 0);
	assert_int_equal(f->hosts[3].st.state, HOST_DOWN);
	assert_int_equal(f->hosts[3].st.state_type, STATE_SOFT);
	assert_int_equal(count_lines(f, "HOST ALERT: server;DOWN;SOFT;1;"), 1);
}

static void
test_state_stale_parent_result_is_checked_again(void **state)
{
	struct fixture *f = *state;
	int64_t before;

	link_parent(f, 1, 0);
	feed(f, 0, 0);
	before = f->clock + NS / 2; /* a parent check started before ... */
	feed(f, 1, 2);              /* ... the child's failing check */
	f->rec.ncheck_now = 0;
	feed_at(f, 0, 2, before);
	/* The parent's result predates the child's failure: not enough. */
	assert_true(state_host_waiting(f->st, &f->hosts[1]));
	assert_int_equal(f->rec.ncheck_now, 1);
	assert_ptr_equal(f->rec.check_now[0], &f->hosts[0]);
	feed(f, 0, 2);
	assert_int_equal(f->hosts[1].st.state, HOST_UNREACHABLE);
}

static void
test_state_one_parent_up_means_down(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 3, 1);
	link_parent(f, 3, 2);
	feed(f, 3, 2);
	feed(f, 1, 2); /* dist1 has no parents here: DOWN */
	assert_true(state_host_waiting(f->st, &f->hosts[3]));
	feed(f, 2, 0);
	assert_int_equal(f->hosts[3].st.state, HOST_DOWN);
}

static void
test_state_all_parents_down_means_unreachable(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 3, 1);
	link_parent(f, 3, 2);
	feed(f, 3, 2);
	feed(f, 1, 2);
	feed(f, 2, 2);
	assert_int_equal(f->hosts[3].st.state, HOST_UNREACHABLE);
}

static void
test_state_chain_decides_root_first(void **state)
{
	struct fixture *f = *state;
	int i;

	link_parent(f, 1, 0);
	link_parent(f, 3, 1);
	link_parent(f, 4, 1);
	for (i = 0; i < 5; i++)
		feed(f, i, 0);

	/* The leaves fail first, then their parent, then the root. */
	feed(f, 3, 2);
	feed(f, 4, 2);
	feed(f, 1, 2);
	assert_true(state_host_waiting(f->st, &f->hosts[1]));
	assert_int_equal(f->hosts[3].st.state, HOST_UP);
	feed(f, 0, 2);
	assert_int_equal(f->hosts[0].st.state, HOST_DOWN);
	assert_int_equal(f->hosts[1].st.state, HOST_UNREACHABLE);
	assert_int_equal(f->hosts[3].st.state, HOST_UNREACHABLE);
	assert_int_equal(f->hosts[4].st.state, HOST_UNREACHABLE);
	assert_int_equal(count_lines(f, ";DOWN;"), 1);
	assert_true(first_line(f, "HOST ALERT: core;DOWN") <
	    first_line(f, "HOST ALERT: dist1;UNREACHABLE"));
	assert_true(first_line(f, "HOST ALERT: dist1;UNREACHABLE") <
	    first_line(f, "HOST ALERT: server;UNREACHABLE"));
}

static void
test_state_retries_reach_hard_unreachable(void **state)
{
	struct fixture *f = *state;
	int i;

	link_parent(f, 1, 0);
	for (i = 0; i < 3; i++) {
		feed(f, 1, 2);
		feed(f, 0, 2);
	}
	assert_int_equal(f->hosts[0].st.state_type, STATE_HARD);
	assert_int_equal(f->hosts[1].st.state, HOST_UNREACHABLE);
	assert_int_equal(f->hosts[1].st.state_type, STATE_HARD);
	assert_int_equal(f->hosts[1].st.current_attempt, 3);
}

static void
test_state_recovery_checks_children_at_once(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 1, 0);
	link_parent(f, 2, 0);
	feed(f, 1, 2);
	feed(f, 2, 2);
	feed(f, 0, 2);
	assert_int_equal(f->hosts[2].st.state, HOST_UNREACHABLE);
	assert_int_equal(f->hosts[1].st.state, HOST_UNREACHABLE);
	f->rec.ncheck_now = 0;
	feed(f, 0, 0);
	assert_int_equal(f->rec.ncheck_now, 2);
	feed(f, 1, 0);
	assert_int_equal(f->hosts[1].st.state, HOST_UP);
}

static void
test_state_up_result_while_waiting_ends_wait(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 1, 0);
	feed(f, 1, 2);
	assert_true(state_host_waiting(f->st, &f->hosts[1]));
	feed(f, 1, 0);
	assert_false(state_host_waiting(f->st, &f->hosts[1]));
	assert_int_equal(f->hosts[1].st.state, HOST_UP);
	feed(f, 0, 0); /* the parent's late result changes nothing */
	assert_int_equal(f->hosts[1].st.state, HOST_UP);
}

static void
test_state_failure_overlapping_parent_outage_is_checked_again(void **state)
{
	struct fixture *f = *state;
	int64_t child_start;

	link_parent(f, 1, 0);
	feed(f, 0, 2);
	feed(f, 0, 2);
	feed(f, 0, 2);
	assert_int_equal(f->hosts[0].st.state_type, STATE_HARD);
	/* The child's check starts while the router is still down ... */
	child_start = f->clock + NS / 4;
	feed(f, 0, 0); /* ... the router comes back ... */
	f->rec.ncheck_now = 0;
	feed_at(f, 1, 2, child_start); /* ... and the child's failure lands */
	assert_int_not_equal(f->hosts[1].st.state, HOST_DOWN);
	assert_false(state_host_waiting(f->st, &f->hosts[1]));
	assert_int_equal(f->rec.ncheck_now, 1);
	assert_ptr_equal(f->rec.check_now[0], &f->hosts[1]);
	assert_int_equal(state_get_counters(f->st)->overlapped_results, 1);
	assert_int_equal(count_lines(f, "dist1;DOWN"), 0);
	/* A failure of a check started after the recovery is a real DOWN. */
	feed(f, 1, 2);
	feed(f, 0, 0);
	assert_int_equal(f->hosts[1].st.state, HOST_DOWN);
}

static void
test_state_child_up_checks_down_parent_at_once(void **state)
{
	struct fixture *f = *state;

	link_parent(f, 1, 0);
	feed(f, 0, 2);
	f->rec.ncheck_now = 0;
	feed(f, 1, 0);
	assert_int_equal(f->rec.ncheck_now, 1);
	assert_ptr_equal(f->rec.check_now[0], &f->hosts[0]);
}

static void
test_state_zero_intervals_follow_nagios(void **state)
{
	struct fixture *f = *state;
	struct host *h = &f->hosts[0];

	/* retry_interval 0: retries use check_interval. */
	h->retry_interval_ns = 0;
	feed(f, 0, 2);
	assert_int_equal(h->st.state_type, STATE_SOFT);
	assert_int_equal(f->rec.next[0], f->clock + 60 * NS);
	/* check_interval 0: no regular check is scheduled at all. */
	h->check_interval_ns = 0;
	f->rec.next[0] = -1;
	feed(f, 0, 0);
	assert_int_equal(f->rec.next[0], -1);
}

static void
service_feed(struct fixture *f, int code)
{
	struct check_result r = { 0 };

	f->clock += NS;
	r.start_ns = f->clock;
	r.start_time = f->clock / NS;
	check_result_set(&r, code, "svc %d|used=1", code);
	state_service_result(f->st, &f->svc, &r);
	check_result_clear(&r);
}

static void
test_state_service_soft_hard_and_perfdata(void **state)
{
	struct fixture *f = *state;

	feed(f, 3, 0);
	service_feed(f, 0);
	assert_int_equal(f->svc.st.state, SERVICE_OK);
	assert_string_equal(f->svc.st.perfdata, "used=1");
	service_feed(f, 1);
	assert_int_equal(f->svc.st.state, SERVICE_WARNING);
	assert_int_equal(f->svc.st.state_type, STATE_SOFT);
	assert_int_equal(f->rec.svc_next, f->clock + 60 * NS);
	service_feed(f, 2);
	service_feed(f, 2);
	assert_int_equal(f->svc.st.state, SERVICE_CRITICAL);
	assert_int_equal(f->svc.st.state_type, STATE_HARD);
	assert_int_equal(count_lines(f,
	    "SERVICE ALERT: server;disk;CRITICAL;HARD;3;"), 1);
	service_feed(f, 7); /* out of range counts as CRITICAL */
	assert_int_equal(f->svc.st.state, SERVICE_CRITICAL);
}

static void
test_state_service_goes_hard_when_host_down(void **state)
{
	struct fixture *f = *state;

	feed(f, 3, 2); /* no parents: DOWN */
	service_feed(f, 2);
	assert_int_equal(f->svc.st.state_type, STATE_HARD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_state_root_failure_goes_soft_then_hard),
		T(test_state_soft_recovery_logged_soft),
		T(test_state_warning_result_means_up),
		T(test_state_failing_child_waits_for_parent_check),
		T(test_state_child_down_when_parent_up),
		T(test_state_stale_parent_result_is_checked_again),
		T(test_state_one_parent_up_means_down),
		T(test_state_all_parents_down_means_unreachable),
		T(test_state_chain_decides_root_first),
		T(test_state_retries_reach_hard_unreachable),
		T(test_state_recovery_checks_children_at_once),
		T(test_state_up_result_while_waiting_ends_wait),
		T(test_state_failure_overlapping_parent_outage_is_checked_again),
		T(test_state_child_up_checks_down_parent_at_once),
		T(test_state_zero_intervals_follow_nagios),
		T(test_state_service_soft_hard_and_perfdata),
		T(test_state_service_goes_hard_when_host_down),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
