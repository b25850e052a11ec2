/*
 * test_remote: the remote executor against a real gearmand started by the
 * test on 127.0.0.1 (skipped when gearmand is not installed). The test
 * plays the worker itself with remote_gm and jobwire on the same loop, so
 * that it can answer, answer twice, answer late, not answer, or send
 * forged results, and check what the executor made of each: one callback
 * per job, duplicates, late and unknown results counted, forgeries
 * rejected, a job unanswered at its deadline sent once more with the same
 * id and then ended with no answer, and gearmand's worker count per
 * poller.
 *
 * Waits are bounded: loop passes until a condition or a deadline of a few
 * seconds (a guard against hanging, not a timing assertion).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "jobwire.h"
#include "loop.h"
#include "remote.h"
#include "remote_gm.h"

#define GEARMAND "/usr/sbin/gearmand"
#define RQ "pharos_results_unit"

struct fx {
	pid_t gm;
	int port;
	char servers[64];
	struct loop *loop;
	struct jobwire_key key, other;
	struct remote *r;
	struct remote_gm *w; /* the test's worker on pharos_t1 */
	/* what the worker got */
	int jobs;
	char last_id[JOBWIRE_ID_LEN + 1];
	struct jobwire_job last_job;
	bool answer; /* answer jobs at once */
	/* what the executor said */
	int done;
	bool got_result;
	char output[256];
	char poller[64];
};

static bool
gm_listening(int port)
{
	struct sockaddr_in sa = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), rc;

	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

static void
run_until(struct fx *f, bool *flag, int *count, int want, int64_t ms)
{
	int64_t end = loop_clock() + ms * LOOP_NS_PER_MSEC;

	while (loop_clock() < end) {
		if (flag != NULL && *flag)
			return;
		if (count != NULL && *count >= want)
			return;
		(void)loop_run_once(f->loop, 50 * LOOP_NS_PER_MSEC);
	}
}

static void
send_result(struct fx *f, const struct jobwire_key *k, const char *id,
    const char *output, int64_t ttl_ms)
{
	struct jobwire_result r = { "unit-worker", 0, (char *)(uintptr_t)output,
	    NULL, "x=1", 1800000000, 5 };
	unsigned char *buf;
	size_t len;
	json_t *body = jobwire_result_json(&r);

	assert_non_null(body);
	assert_int_equal(jobwire_seal(k, JOBWIRE_RESULT, id,
	    jobwire_now_ms() + ttl_ms, body, &buf, &len), 0);
	json_decref(body);
	assert_int_equal(remote_gm_submit(f->w, RQ, NULL, buf, len), 0);
	free(buf);
}

static void
worker_job(void *arg, const char *queue, void *data, size_t len)
{
	struct fx *f = arg;
	char err[256];
	int64_t exp;
	json_t *body;

	assert_string_equal(queue, "pharos_t1");
	assert_int_equal(jobwire_open(&f->key, JOBWIRE_JOB, data, len,
	    jobwire_now_ms(), f->last_id, &exp, &body, err, sizeof(err)), 0);
	free(data);
	jobwire_job_clear(&f->last_job);
	assert_int_equal(jobwire_job_read(body, &f->last_job, err,
	    sizeof(err)), 0);
	json_decref(body);
	f->jobs++;
	remote_gm_done(f->w);
	if (f->answer)
		send_result(f, &f->key, f->last_id, "OK - from the unit worker",
		    60000);
}

static void
job_done(void *arg, const char *poller, const struct jobwire_result *res)
{
	struct fx *f = arg;

	f->done++;
	f->got_result = res != NULL;
	snprintf(f->poller, sizeof(f->poller), "%s", poller);
	snprintf(f->output, sizeof(f->output), "%s",
	    res != NULL ? res->output : "");
}

static int
setup(void **state)
{
	static struct fx fx;
	struct fx *f = &fx;
	struct remote_options ro = { 0 };
	struct remote_gm_options go = { 0 };
	const char *queues[] = { "pharos_t1" };
	char port[16], err[256];
	int i;

	memset(f, 0, sizeof(*f));
	if (access(GEARMAND, X_OK) != 0) {
		*state = NULL;
		return 0;
	}
	assert_int_equal(jobwire_init(), 0);
	memset(f->key.k, 7, sizeof(f->key.k));
	memset(f->other.k, 8, sizeof(f->other.k));
	f->port = 20000 + (int)(getpid() % 20000);
	for (i = 0; i < 50 && gm_listening(f->port); i++)
		f->port++; /* taken: try the next one */
	snprintf(port, sizeof(port), "%d", f->port);
	snprintf(f->servers, sizeof(f->servers), "127.0.0.1:%d", f->port);
	f->gm = fork();
	assert_true(f->gm >= 0);
	if (f->gm == 0) {
		execl(GEARMAND, "gearmand", "--listen", "127.0.0.1", "--port",
		    port, "--job-retries", "1", "--threads", "1",
		    "--log-file", "none", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !gm_listening(f->port); i++)
		usleep(50000);
	assert_true(gm_listening(f->port));
	assert_int_equal(loop_new(&f->loop), 0);
	ro.servers = f->servers;
	ro.key = &f->key;
	ro.result_queue = RQ;
	ro.grace_ns = 200 * LOOP_NS_PER_MSEC;
	assert_int_equal(remote_new(f->loop, &ro, &f->r, err, sizeof(err)),
	    0);
	go.servers = f->servers;
	go.queues = queues;
	go.nqueues = 1;
	go.identifier = "unit-worker";
	go.on_job = worker_job;
	go.arg = f;
	assert_int_equal(remote_gm_new(f->loop, &go, &f->w, err, sizeof(err)),
	    0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int st;

	if (f == NULL)
		return 0;
	remote_gm_free(f->w);
	remote_free(f->r);
	loop_free(f->loop);
	jobwire_job_clear(&f->last_job);
	kill(f->gm, SIGTERM);
	waitpid(f->gm, &st, 0);
	return 0;
}

static void
fill_job(struct jobwire_job *j, char **args)
{
	memset(j, 0, sizeof(*j));
	j->host = "h1";
	j->service = "ping";
	j->kind = "icmp";
	j->address = "192.0.2.1";
	args[0] = "100,20%";
	j->args = args;
	j->nargs = 1;
}

static void
test_remote_answer_duplicate_unknown_forged(void **state)
{
	struct fx *f = *state;
	struct remote_job *rj;
	struct remote_counters c;
	struct jobwire_job j;
	char *args[1];
	static const char junk[] = "host_name=h1\nreturn_code=0\n";

	if (f == NULL)
		skip();
	f->answer = true;
	fill_job(&j, args);
	assert_int_equal(remote_submit(f->r, "t1", &j, 5 * LOOP_NS_PER_SEC,
	    job_done, f, &rj), 0);
	assert_null(j.poller); /* handed back as it was */
	run_until(f, NULL, &f->done, 1, 5000);
	assert_int_equal(f->done, 1);
	assert_true(f->got_result);
	assert_string_equal(f->output, "OK - from the unit worker");
	assert_string_equal(f->poller, "t1");
	assert_string_equal(f->last_job.poller, "t1");
	assert_string_equal(f->last_job.result_queue, RQ);
	assert_string_equal(f->last_job.args[0], "100,20%");

	/* The same answer again, one for an id never sent, garbage, and a
	 * result sealed with another key: no callback, each counted. */
	send_result(f, &f->key, f->last_id, "again", 60000);
	send_result(f, &f->key, "00000000000000000000000000000000", "who",
	    60000);
	send_result(f, &f->other, f->last_id, "forged", 60000);
	assert_int_equal(remote_gm_submit(f->w, RQ, NULL, junk,
	    sizeof(junk) - 1), 0);
	send_result(f, &f->key, f->last_id, "stale", -1000);
	for (int i = 0; i < 100; i++) {
		remote_get_counters(f->r, &c);
		if (c.duplicate == 1 && c.unknown == 1 && c.rejected == 3)
			break;
		run_until(f, NULL, NULL, 0, 50);
	}
	assert_int_equal(f->done, 1);
	assert_int_equal(c.answered, 1);
	assert_int_equal(c.duplicate, 1);
	assert_int_equal(c.unknown, 1);
	assert_int_equal(c.rejected, 3); /* other key, junk, expired */
}

/* A burst of jobs queued in one loop pass goes to gearmand in batches
 * (several per round trip) and so do the worker's answers: every job
 * arrives once and is answered once, none is lost or sent twice. */
#define BURST 300
static void
test_remote_burst_batched_each_once(void **state)
{
	struct fx *f = *state;
	struct remote_job *rj;
	struct remote_counters c0, c;
	struct remote_gm_counters g0, g;
	struct jobwire_job j;
	char *args[1];
	int i;

	if (f == NULL)
		skip();
	/* The fixture is shared: count from here on. */
	run_until(f, NULL, NULL, 0, 300); /* earlier tests' stragglers */
	remote_get_counters(f->r, &c0);
	remote_gm_counters(f->w, &g0);
	f->answer = true;
	f->jobs = f->done = 0;
	for (i = 0; i < BURST; i++) {
		fill_job(&j, args);
		assert_int_equal(remote_submit(f->r, "t1", &j,
		    10 * LOOP_NS_PER_SEC, job_done, f, &rj), 0);
	}
	run_until(f, NULL, &f->done, BURST, 10000);
	assert_int_equal(f->jobs, BURST);
	assert_int_equal(f->done, BURST);
	assert_true(f->got_result);
	remote_get_counters(f->r, &c);
	assert_int_equal(c.submitted - c0.submitted, BURST);
	assert_int_equal(c.answered - c0.answered, BURST);
	assert_int_equal(c.resubmitted - c0.resubmitted, 0);
	assert_int_equal(c.duplicate - c0.duplicate, 0);
	assert_int_equal(c.submit_failed - c0.submit_failed, 0);
	/* The worker's thread counts an answer after gearmand took it, which
	 * may be after the monitor side has it: wait (bounded) for the
	 * counters to settle. */
	for (i = 0; i < 100; i++) {
		remote_gm_counters(f->w, &g);
		if (g.submitted - g0.submitted >= BURST)
			break;
		run_until(f, NULL, NULL, 0, 50);
	}
	assert_int_equal(g.received - g0.received, BURST);
	assert_int_equal(g.submitted - g0.submitted, BURST); /* answers */
	assert_int_equal(g.submit_failed - g0.submit_failed, 0);
}

static void
test_remote_unanswered_resent_once_then_late(void **state)
{
	struct fx *f = *state;
	struct remote_job *rj;
	struct remote_counters c;
	struct remote_poller_info pi;
	struct jobwire_job j;
	char *args[1], first[JOBWIRE_ID_LEN + 1];

	if (f == NULL)
		skip();
	f->answer = false;
	f->jobs = 0;
	f->done = 0;
	fill_job(&j, args);
	assert_int_equal(remote_submit(f->r, "t1", &j, 100 * LOOP_NS_PER_MSEC,
	    job_done, f, &rj), 0);
	run_until(f, NULL, &f->jobs, 1, 5000);
	assert_int_equal(f->jobs, 1);
	memcpy(first, f->last_id, sizeof(first));
	run_until(f, NULL, &f->done, 1, 5000);
	assert_int_equal(f->done, 1);
	assert_false(f->got_result);
	assert_int_equal(f->jobs, 2); /* sent once more... */
	assert_string_equal(f->last_id, first); /* ...with the same id */
	remote_get_counters(f->r, &c);
	assert_int_equal(c.unanswered, 1);
	assert_int_equal(c.resubmitted, 1);

	/* The answer that comes after the job ended is late. */
	send_result(f, &f->key, first, "too late", 60000);
	for (int i = 0; i < 100 && c.late == 0; i++) {
		run_until(f, NULL, NULL, 0, 50);
		remote_get_counters(f->r, &c);
	}
	assert_int_equal(c.late, 1);
	assert_int_equal(f->done, 1);
	remote_poller_info(f->r, "t1", &pi);
	assert_int_equal(pi.unanswered, 1);
	assert_int_equal(pi.timeouts_in_row, 1);
}

static void
test_remote_poller_worker_count(void **state)
{
	struct fx *f = *state;
	struct remote_poller_info pi;
	int i;

	if (f == NULL)
		skip();
	for (i = 0; i < 100; i++) {
		remote_poller_info(f->r, "t1", &pi);
		if (pi.workers == 1)
			break;
		run_until(f, NULL, NULL, 0, 50);
	}
	assert_int_equal(pi.workers, 1);
	assert_true(pi.available);
	/* No worker serves pharos_nobody: the poller is unavailable. */
	remote_poller_info(f->r, "nobody", &pi);
	assert_int_equal(pi.workers, 0);
	assert_false(pi.available);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remote_answer_duplicate_unknown_forged),
		cmocka_unit_test(test_remote_burst_batched_each_once),
		cmocka_unit_test(test_remote_unanswered_resent_once_then_late),
		cmocka_unit_test(test_remote_poller_worker_count),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
