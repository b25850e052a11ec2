/*
 * remote: pending jobs in a hash table by job id (REMOTE_BUCKETS chains,
 * keyed by the id's first 8 hex digits: ids are random) and in one list
 * for remote_free(). Each pending job owns its loop timer (the deadline)
 * and its JSON body, kept to reseal the second try with a fresh expiry.
 * A job leaves the table exactly once: answered, unanswered at its second
 * deadline, or cancelled; its id then goes to a ring of the last
 * REMOTE_DONE_MAX ended ids, which tells late and duplicate results from
 * unknown ones. Pollers are a short list, one entry per name seen.
 */
#include "remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "loop.h"
#include "remote_gm.h"

#define REMOTE_BUCKETS 65536u
#define REMOTE_DONE_MAX 65536u
#define REMOTE_DEFAULT_GRACE_NS (10 * LOOP_NS_PER_SEC)
#define REMOTE_TRIES 2

struct remote_poller {
	struct remote_poller *next;
	char *name;
	char *queue;
	uint64_t sent, answered, unanswered;
	unsigned timeouts_in_row;
	int64_t last_answer;
	char last_worker[64];
};

struct remote_job {
	struct remote *r;
	struct remote_job *hnext;      /* hash chain */
	struct remote_job *prev, *next; /* all pending */
	char id[JOBWIRE_ID_LEN + 1];
	struct remote_poller *poller;
	json_t *body;
	int64_t wait_ns; /* timeout + grace */
	int tries;
	struct loop_timer timer;
	remote_done_fn *fn;
	void *arg;
};

struct remote_done {
	char id[JOBWIRE_ID_LEN + 1];
	bool answered;
};

struct remote {
	struct loop *loop;
	struct remote_gm *gm;
	struct jobwire_key key;
	char *result_queue;
	int64_t grace_ns;
	struct remote_job **buckets;
	struct remote_job *pending;
	struct remote_poller *pollers;
	struct remote_done *done; /* ring */
	size_t ndone, done_next;
	struct remote_counters counters;
};

bool
remote_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return false;
	return i > 0 && i <= 64;
}

static uint32_t
remote_hash(const char *id)
{
	uint32_t h = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = id[i];

		h = h << 4 | (uint32_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' +
		    10);
	}
	return h % REMOTE_BUCKETS;
}

static struct remote_job **
remote_slot(struct remote *r, const char *id)
{
	struct remote_job **pp = &r->buckets[remote_hash(id)];

	while (*pp != NULL && strcmp((*pp)->id, id) != 0)
		pp = &(*pp)->hnext;
	return pp;
}

static void
remote_remember(struct remote *r, const char *id, bool answered)
{
	struct remote_done *d = &r->done[r->done_next];

	memcpy(d->id, id, sizeof(d->id));
	d->answered = answered;
	r->done_next = (r->done_next + 1) % REMOTE_DONE_MAX;
	if (r->ndone < REMOTE_DONE_MAX)
		r->ndone++;
}

/* The ended id's entry, newest first; NULL when not remembered. */
static const struct remote_done *
remote_recall(const struct remote *r, const char *id)
{
	size_t i, k;

	for (i = 0; i < r->ndone; i++) {
		k = (r->done_next + REMOTE_DONE_MAX - 1 - i) % REMOTE_DONE_MAX;
		if (strcmp(r->done[k].id, id) == 0)
			return &r->done[k];
	}
	return NULL;
}

static struct remote_poller *
remote_poller_get(struct remote *r, const char *name, bool create)
{
	struct remote_poller *p;
	size_t len;

	for (p = r->pollers; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	if (!create || (p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	len = strlen(REMOTE_QUEUE_PREFIX) + strlen(name) + 1;
	if ((p->name = strdup(name)) == NULL ||
	    (p->queue = malloc(len)) == NULL) {
		free(p->name);
		free(p);
		return NULL;
	}
	snprintf(p->queue, len, "%s%s", REMOTE_QUEUE_PREFIX, name);
	p->next = r->pollers;
	r->pollers = p;
	return p;
}

/* Unlink j from the table and the list (not freed). */
static void
remote_unlink(struct remote *r, struct remote_job *j)
{
	struct remote_job **pp = remote_slot(r, j->id);

	if (*pp == j)
		*pp = j->hnext;
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		r->pending = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	loop_timer_stop(r->loop, &j->timer);
}

static void
remote_job_free(struct remote_job *j)
{
	json_decref(j->body);
	free(j);
}

/* Seal j's body with a fresh expiry and queue it. A failure is counted:
 * the deadline still runs and decides. */
static void
remote_send(struct remote *r, struct remote_job *j)
{
	unsigned char *buf;
	size_t len;
	int rc;

	rc = jobwire_seal(&r->key, JOBWIRE_JOB, j->id, jobwire_now_ms() +
	    j->wait_ns / LOOP_NS_PER_MSEC, j->body, &buf, &len);
	if (rc == 0) {
		rc = remote_gm_submit(r->gm, j->poller->queue, j->id, buf,
		    len);
		free(buf);
	}
	if (rc != 0)
		r->counters.submit_failed++;
	j->poller->sent++;
}

static void
remote_deadline(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct remote_job *j = arg;
	struct remote *r = j->r;

	if (j->tries < REMOTE_TRIES &&
	    loop_timer_start(loop, &j->timer, loop_now(loop) + j->wait_ns) ==
	    0) {
		j->tries++;
		r->counters.resubmitted++;
		remote_send(r, j);
		return;
	}
	remote_unlink(r, j);
	remote_remember(r, j->id, false);
	r->counters.unanswered++;
	j->poller->unanswered++;
	j->poller->timeouts_in_row++;
	j->fn(j->arg, j->poller->name, NULL);
	remote_job_free(j);
}

int
remote_submit(struct remote *r, const char *poller, struct jobwire_job *job,
    int64_t timeout_ns, remote_done_fn *fn, void *arg,
    struct remote_job **out)
{
	struct remote_poller *p = remote_poller_get(r, poller, true);
	struct remote_job *j, **pp;

	*out = NULL;
	if (p == NULL || (j = calloc(1, sizeof(*j))) == NULL)
		return -ENOMEM;
	job->poller = p->name;
	job->result_queue = r->result_queue;
	if (job->timeout_ms <= 0)
		job->timeout_ms = timeout_ns > LOOP_NS_PER_MSEC ?
		    timeout_ns / LOOP_NS_PER_MSEC : 1;
	j->body = jobwire_job_json(job);
	job->poller = job->result_queue = NULL;
	if (j->body == NULL) {
		free(j);
		return -ENOMEM;
	}
	do
		jobwire_new_id(j->id);
	while (*(pp = remote_slot(r, j->id)) != NULL);
	j->r = r;
	j->poller = p;
	j->fn = fn;
	j->arg = arg;
	j->tries = 1;
	j->wait_ns = (timeout_ns > 0 ? timeout_ns : 60 * LOOP_NS_PER_SEC) +
	    r->grace_ns;
	loop_timer_init(&j->timer, remote_deadline, j);
	if (loop_timer_start(r->loop, &j->timer, loop_now(r->loop) +
	    j->wait_ns) != 0) {
		remote_job_free(j);
		return -ENOMEM;
	}
	*pp = j;
	j->next = r->pending;
	if (r->pending != NULL)
		r->pending->prev = j;
	r->pending = j;
	r->counters.submitted++;
	remote_send(r, j);
	*out = j;
	return 0;
}

void
remote_cancel(struct remote *r, struct remote_job *j)
{
	remote_unlink(r, j);
	remote_remember(r, j->id, false);
	remote_job_free(j);
}

/* Rejected payloads are logged, but not each one of a flood. */
static void
remote_reject(struct remote *r, const char *what, const char *err)
{
	r->counters.rejected++;
	if (r->counters.rejected <= 10 || r->counters.rejected % 1000 == 0)
		log_warnx("remote: result dropped (%s): %s (%llu dropped so "
		    "far)", what, err,
		    (unsigned long long)r->counters.rejected);
}

static void
remote_result(void *arg, const char *queue, void *data, size_t len)
{
	struct remote *r = arg;
	struct jobwire_result res;
	const struct remote_done *d;
	struct remote_job *j;
	char id[JOBWIRE_ID_LEN + 1], err[256];
	int64_t exp;
	json_t *body;
	int rc;

	(void)queue;
	rc = jobwire_open(&r->key, JOBWIRE_RESULT, data, len,
	    jobwire_now_ms(), id, &exp, &body, err, sizeof(err));
	free(data);
	remote_gm_done(r->gm);
	if (rc != 0) {
		remote_reject(r, "cannot open", err);
		return;
	}
	rc = jobwire_result_read(body, &res, err, sizeof(err));
	json_decref(body);
	if (rc != 0) {
		remote_reject(r, "bad result", err);
		return;
	}
	j = *remote_slot(r, id);
	if (j == NULL) {
		if ((d = remote_recall(r, id)) == NULL)
			r->counters.unknown++;
		else if (d->answered)
			r->counters.duplicate++;
		else
			r->counters.late++;
		jobwire_result_clear(&res);
		return;
	}
	remote_unlink(r, j);
	remote_remember(r, id, true);
	r->counters.answered++;
	j->poller->answered++;
	j->poller->timeouts_in_row = 0;
	j->poller->last_answer = (int64_t)time(NULL);
	snprintf(j->poller->last_worker, sizeof(j->poller->last_worker), "%s",
	    res.worker);
	j->fn(j->arg, j->poller->name, &res);
	jobwire_result_clear(&res);
	remote_job_free(j);
}

int
remote_new(struct loop *loop, const struct remote_options *o,
    struct remote **out, char *err, size_t errlen)
{
	struct remote_gm_options go = { 0 };
	const char *queues[1];
	struct remote *r;
	int rc;

	*out = NULL;
	if (jobwire_init() != 0) {
		snprintf(err, errlen, "libsodium cannot start");
		return -EIO;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->buckets = calloc(REMOTE_BUCKETS, sizeof(*r->buckets))) ==
	    NULL ||
	    (r->done = calloc(REMOTE_DONE_MAX, sizeof(*r->done))) == NULL ||
	    (r->result_queue = strdup(o->result_queue != NULL ?
	    o->result_queue : REMOTE_DEFAULT_RESULT_QUEUE)) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	r->loop = loop;
	r->key = *o->key;
	r->grace_ns = o->grace_ns > 0 ? o->grace_ns : REMOTE_DEFAULT_GRACE_NS;
	queues[0] = r->result_queue;
	go.servers = o->servers;
	go.queues = queues;
	go.nqueues = 1;
	go.identifier = "pharosd";
	go.on_job = remote_result;
	go.arg = r;
	if ((rc = remote_gm_new(loop, &go, &r->gm, err, errlen)) != 0)
		goto fail;
	*out = r;
	return 0;
fail:
	remote_free(r);
	return rc;
}

void
remote_free(struct remote *r)
{
	struct remote_job *j;
	struct remote_poller *p;

	if (r == NULL)
		return;
	remote_gm_free(r->gm); /* threads first: nothing arrives after */
	while ((j = r->pending) != NULL) {
		remote_unlink(r, j);
		remote_job_free(j);
	}
	while ((p = r->pollers) != NULL) {
		r->pollers = p->next;
		free(p->name);
		free(p->queue);
		free(p);
	}
	memset(&r->key, 0, sizeof(r->key));
	free(r->buckets);
	free(r->done);
	free(r->result_queue);
	free(r);
}

void
remote_get_counters(const struct remote *r, struct remote_counters *c)
{
	struct remote_gm_counters gc;

	*c = r->counters;
	remote_gm_counters(r->gm, &gc);
	c->submit_failed += gc.submit_failed;
}

void
remote_poller_info(struct remote *r, const char *name,
    struct remote_poller_info *info)
{
	struct remote_poller *p = remote_poller_get(r, name, true);

	memset(info, 0, sizeof(*info));
	info->workers = -1;
	if (p == NULL)
		return;
	info->workers = remote_gm_workers(r->gm, p->queue);
	info->sent = p->sent;
	info->answered = p->answered;
	info->unanswered = p->unanswered;
	info->timeouts_in_row = p->timeouts_in_row;
	info->last_answer = p->last_answer;
	snprintf(info->last_worker, sizeof(info->last_worker), "%s",
	    p->last_worker);
	info->available = info->workers != 0 &&
	    p->timeouts_in_row < REMOTE_TIMEOUTS_DOWN;
}
