/*
 * remote_gm: two FIFOs under one mutex. The outbox (loop -> submitter)
 * holds jobs to send, capped at REMOTE_GM_OUTBOX_MAX; the inbox (grabber
 * -> loop) holds payloads taken from served queues, announced by writing
 * to an eventfd the loop watches. The status table (function -> available
 * workers) is replaced whole after each status round. The loop thread
 * only ever takes the mutex for list operations; it never waits on
 * gearmand.
 *
 * The submitter sends what the outbox holds in batches of up to
 * REMOTE_GM_BATCH jobs per round trip (the task API: add the tasks, run
 * them), so a burst of checks costs one exchange, not one per job; the
 * first job of a batch waits at most REMOTE_GM_COALESCE_NS for others.
 *
 * Threads stop when g->stop is set: the submitter wakes from its condition
 * variable, the grabber from its 500 ms worker timeout.
 */
#include "remote_gm.h"

#include <errno.h>
#include <libgearman-1.0/gearman.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "strnum.h"

#define REMOTE_GM_MAX_SERVERS 8
#define REMOTE_GM_OUTBOX_MAX 100000
#define REMOTE_GM_TIMEOUT_MS 2000
#define REMOTE_GM_GRAB_TIMEOUT_MS 500
#define REMOTE_GM_RETRY_NS (1 * LOOP_NS_PER_SEC)
/* Jobs sent per exchange with gearmand: the submitter takes up to this
 * many from the outbox, writes them all, then reads the answers. */
#define REMOTE_GM_BATCH 64
/* How long the submitter lets the first queued job wait for others to
 * join its batch (checks come spread over time: without it, batches are
 * one job and each job costs gearmand and the workers a wake-up). */
#define REMOTE_GM_COALESCE_NS (10 * LOOP_NS_PER_MSEC)

struct remote_gm_msg {
	struct remote_gm_msg *next;
	int64_t queued_ns; /* loop_clock() when queued */
	char *queue;
	char *uniq;
	void *data;
	size_t len;
};

struct remote_gm_fifo {
	struct remote_gm_msg *head, *tail;
	size_t n;
};

struct remote_gm_stat {
	char *name;
	int workers;
};

struct remote_gm {
	struct loop *loop;
	int efd;
	char *servers;
	char hosts[REMOTE_GM_MAX_SERVERS][256];
	uint16_t ports[REMOTE_GM_MAX_SERVERS];
	size_t nservers;
	char **queues;
	size_t nqueues;
	char *identifier;
	size_t max_inflight;
	remote_gm_job_fn *on_job;
	void *arg;
	int64_t status_ns;

	pthread_mutex_t mu;
	pthread_cond_t cv;      /* outbox not empty, stop, slot freed */
	bool stop;
	struct remote_gm_fifo outbox, inbox;
	size_t inflight;
	struct remote_gm_stat *stats;
	size_t nstats;
	bool stats_valid;
	struct remote_gm_counters counters;

	pthread_t submitter, grabber;
	bool have_submitter, have_grabber;
};

int
remote_gm_parse_servers(const char *s, char hosts[][256], uint16_t *ports,
    size_t max, char *err, size_t errlen)
{
	const char *p = s, *item, *colon;
	size_t n = 0, len, hlen;
	char portbuf[16];
	long port;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		item = p;
		while (*p != '\0' && *p != ',' && *p != ' ')
			p++;
		len = (size_t)(p - item);
		if (n == max) {
			snprintf(err, errlen, "more than %zu gearman servers",
			    max);
			return -EINVAL;
		}
		colon = memchr(item, ':', len);
		hlen = colon != NULL ? (size_t)(colon - item) : len;
		if (hlen == 0 || hlen >= 256) {
			snprintf(err, errlen, "bad gearman server '%.*s'",
			    (int)len, item);
			return -EINVAL;
		}
		port = 4730;
		if (colon != NULL) {
			size_t plen = len - hlen - 1;

			if (plen == 0 || plen >= sizeof(portbuf)) {
				snprintf(err, errlen, "bad port in gearman "
				    "server '%.*s'", (int)len, item);
				return -EINVAL;
			}
			memcpy(portbuf, colon + 1, plen);
			portbuf[plen] = '\0';
			if (strnum_long(portbuf, 1, 65535, &port) != 0) {
				snprintf(err, errlen, "bad port in gearman "
				    "server '%.*s'", (int)len, item);
				return -EINVAL;
			}
		}
		if (hosts != NULL) {
			memcpy(hosts[n], item, hlen);
			hosts[n][hlen] = '\0';
		}
		if (ports != NULL)
			ports[n] = (uint16_t)port;
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "no gearman server given");
		return -EINVAL;
	}
	return (int)n;
}

static void
remote_gm_msg_free(struct remote_gm_msg *m)
{
	if (m == NULL)
		return;
	free(m->queue);
	free(m->uniq);
	free(m->data);
	free(m);
}

static void
remote_gm_push(struct remote_gm_fifo *f, struct remote_gm_msg *m)
{
	m->next = NULL;
	if (f->tail != NULL)
		f->tail->next = m;
	else
		f->head = m;
	f->tail = m;
	f->n++;
}

static struct remote_gm_msg *
remote_gm_pop(struct remote_gm_fifo *f)
{
	struct remote_gm_msg *m = f->head;

	if (m == NULL)
		return NULL;
	f->head = m->next;
	if (f->head == NULL)
		f->tail = NULL;
	f->n--;
	return m;
}

static void
remote_gm_fifo_clear(struct remote_gm_fifo *f)
{
	struct remote_gm_msg *m;

	while ((m = remote_gm_pop(f)) != NULL)
		remote_gm_msg_free(m);
}

/* Wait on the condition variable for at most ns (monotonic clock). */
static void
remote_gm_wait(struct remote_gm *g, int64_t ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns += ts.tv_nsec;
	ts.tv_sec += (time_t)(ns / LOOP_NS_PER_SEC);
	ts.tv_nsec = (long)(ns % LOOP_NS_PER_SEC);
	(void)pthread_cond_timedwait(&g->cv, &g->mu, &ts);
}

/* --- status: gearmand's admin "status" command --------------------------- */

/* Connect to host:port with a 1 s limit on every step. -1 on failure. */
static int
remote_gm_admin_connect(const char *host, uint16_t port)
{
	struct addrinfo hints = { 0 }, *ai = NULL, *a;
	struct timeval tv = { 1, 0 };
	char svc[8];
	int fd = -1;

	hints.ai_socktype = SOCK_STREAM;
	snprintf(svc, sizeof(svc), "%u", (unsigned)port);
	if (getaddrinfo(host, svc, &hints, &ai) != 0)
		return -1;
	for (a = ai; a != NULL; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
		    a->ai_protocol);
		if (fd < 0)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* Add one server's "status" lines (function TAB total TAB running TAB
 * available_workers) to the table. -1 when the server did not answer. */
static int
remote_gm_admin_status(const char *host, uint16_t port,
    struct remote_gm_stat **tab, size_t *n)
{
	char buf[65536], *line, *save = NULL, *f[4];
	size_t len = 0, i, k;
	ssize_t r;
	long w;
	int fd = remote_gm_admin_connect(host, port);
	struct remote_gm_stat *t;

	if (fd < 0)
		return -1;
	if (write(fd, "status\n", 7) != 7) {
		close(fd);
		return -1;
	}
	for (;;) {
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if ((len >= 2 && strcmp(buf + len - 2, ".\n") == 0 &&
		    (len == 2 || buf[len - 3] == '\n')) ||
		    len == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[len] = '\0';
	if (len < 2 || strcmp(buf + len - 2, ".\n") != 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *s = line, *tabp;

		for (k = 0; k < 4; k++) {
			f[k] = s;
			tabp = s != NULL ? strchr(s, '\t') : NULL;
			if (tabp != NULL)
				*tabp++ = '\0';
			s = tabp;
		}
		if (f[3] == NULL || strnum_long(f[3], 0, INT32_MAX, &w) != 0)
			continue;
		for (i = 0; i < *n; i++)
			if (strcmp((*tab)[i].name, f[0]) == 0)
				break;
		if (i == *n) {
			t = realloc(*tab, (*n + 1) * sizeof(*t));
			if (t == NULL)
				break;
			*tab = t;
			if ((t[i].name = strdup(f[0])) == NULL)
				break;
			t[i].workers = 0;
			(*n)++;
		}
		(*tab)[i].workers += (int)w;
	}
	return 0;
}

static void
remote_gm_stats_free(struct remote_gm_stat *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].name);
	free(t);
}

/* One status round over every server; called without the mutex. */
static void
remote_gm_status_round(struct remote_gm *g)
{
	struct remote_gm_stat *tab = NULL, *old;
	size_t n = 0, i, nold;
	int answered = 0;

	for (i = 0; i < g->nservers; i++)
		if (remote_gm_admin_status(g->hosts[i], g->ports[i], &tab,
		    &n) == 0)
			answered++;
	pthread_mutex_lock(&g->mu);
	old = g->stats;
	nold = g->nstats;
	g->stats = tab;
	g->nstats = n;
	g->stats_valid = answered > 0;
	pthread_mutex_unlock(&g->mu);
	remote_gm_stats_free(old, nold);
}

/* --- the submitter ------------------------------------------------------- */

/* Send batch[0..n) to gearmand as background jobs in one exchange: all
 * SUBMIT_JOB_BG packets are written, then the JOB_CREATED answers read
 * (libgearman's task API). Returns how many gearmand took; the first
 * failure's text goes to err. Called without the mutex. */
static size_t
remote_gm_send_batch(gearman_client_st *c, struct remote_gm_msg **batch,
    size_t n, char *err, size_t errlen)
{
	gearman_task_st *tasks[REMOTE_GM_BATCH];
	gearman_return_t rc = GEARMAN_SUCCESS;
	size_t i, added = 0, ok = 0;

	for (i = 0; i < n; i++) {
		tasks[i] = gearman_client_add_task_background(c, NULL, NULL,
		    batch[i]->queue, batch[i]->uniq, batch[i]->data,
		    batch[i]->len, &rc);
		if (tasks[i] == NULL || !gearman_success(rc))
			break;
		added++;
	}
	/* A blocking client: one call sends them all and reads the
	 * answers, or fails (the client's timeout bounds it). */
	if (added > 0)
		rc = gearman_client_run_tasks(c);
	for (i = 0; i < added; i++) {
		gearman_return_t trc = gearman_task_return(tasks[i]);

		if (gearman_success(trc) && gearman_success(rc))
			ok++;
		else if (err[0] == '\0')
			snprintf(err, errlen, "%s",
			    gearman_client_error(c) != NULL ?
			    gearman_client_error(c) : gearman_strerror(trc));
	}
	if (added < n && err[0] == '\0')
		snprintf(err, errlen, "%s", gearman_client_error(c) != NULL ?
		    gearman_client_error(c) : gearman_strerror(rc));
	gearman_client_task_free_all(c);
	return ok;
}

/* A client for g's servers; NULL on failure. */
static gearman_client_st *
remote_gm_client_new(struct remote_gm *g)
{
	gearman_client_st *c = gearman_client_create(NULL);

	if (c == NULL || gearman_client_add_servers(c, g->servers) !=
	    GEARMAN_SUCCESS) {
		if (c != NULL)
			gearman_client_free(c);
		return NULL;
	}
	gearman_client_set_timeout(c, REMOTE_GM_TIMEOUT_MS);
	return c;
}

static void *
remote_gm_submit_main(void *arg)
{
	struct remote_gm *g = arg;
	gearman_client_st *c = remote_gm_client_new(g);
	struct remote_gm_msg *batch[REMOTE_GM_BATCH];
	int64_t next_status = 0, now, wait;
	bool ok_before = true;
	size_t n, ok, i;
	char err[256];

	if (c == NULL) {
		log_warnx("gearman: cannot create a client for %s",
		    g->servers);
		return NULL;
	}
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		now = loop_clock();
		if (now >= next_status) {
			pthread_mutex_unlock(&g->mu);
			remote_gm_status_round(g);
			pthread_mutex_lock(&g->mu);
			next_status = now + g->status_ns;
			continue;
		}
		if (g->outbox.n > 0 && g->outbox.n < REMOTE_GM_BATCH &&
		    g->outbox.head->queued_ns + REMOTE_GM_COALESCE_NS > now) {
			wait = g->outbox.head->queued_ns +
			    REMOTE_GM_COALESCE_NS - now;
			remote_gm_wait(g, wait < next_status - now ? wait :
			    next_status - now);
			continue;
		}
		for (n = 0; n < REMOTE_GM_BATCH; n++)
			if ((batch[n] = remote_gm_pop(&g->outbox)) == NULL)
				break;
		if (n == 0) {
			remote_gm_wait(g, next_status - now);
			continue;
		}
		pthread_mutex_unlock(&g->mu);
		err[0] = '\0';
		ok = remote_gm_send_batch(c, batch, n, err, sizeof(err));
		if (ok < n) {
			/* A failed exchange can leave the client's connection
			 * half used: start the next one on a new client. */
			gearman_client_st *fresh = remote_gm_client_new(g);

			if (fresh != NULL) {
				gearman_client_free(c);
				c = fresh;
			}
		}
		pthread_mutex_lock(&g->mu);
		g->counters.submitted += ok;
		if (ok == n) {
			g->counters.connected = true;
			if (!ok_before)
				log_info("gearman: submitting to %s again",
				    g->servers);
			ok_before = true;
		} else {
			/* What is queued behind would fail the same way:
			 * drop it all, the callers' deadlines take over. */
			g->counters.submit_failed += n - ok + g->outbox.n;
			remote_gm_fifo_clear(&g->outbox);
			g->counters.connected = false;
			if (ok_before)
				log_warnx("gearman: cannot submit to %s: %s",
				    batch[0]->queue, err);
			ok_before = false;
		}
		for (i = 0; i < n; i++)
			remote_gm_msg_free(batch[i]);
	}
	pthread_mutex_unlock(&g->mu);
	gearman_client_free(c);
	return NULL;
}

/* --- the grabber --------------------------------------------------------- */

static void *
remote_gm_grab_fn(gearman_job_st *job, void *ctx, size_t *result_size,
    gearman_return_t *ret)
{
	struct remote_gm *g = ctx;
	struct remote_gm_msg *m = calloc(1, sizeof(*m));
	size_t len = gearman_job_workload_size(job);
	uint64_t one = 1;

	*result_size = 0;
	*ret = GEARMAN_SUCCESS;
	if (m == NULL || (m->queue = strdup(gearman_job_function_name(job))) ==
	    NULL || (m->data = malloc(len > 0 ? len : 1)) == NULL) {
		remote_gm_msg_free(m);
		return NULL; /* dropped; the sender's deadline handles it */
	}
	if (len > 0)
		memcpy(m->data, gearman_job_workload(job), len);
	m->len = len;
	pthread_mutex_lock(&g->mu);
	remote_gm_push(&g->inbox, m);
	g->inflight++;
	g->counters.received++;
	pthread_mutex_unlock(&g->mu);
	if (write(g->efd, &one, sizeof(one)) < 0) {
		/* the counter is saturated: the loop is behind anyway */
	}
	return NULL;
}

static void *
remote_gm_grab_main(void *arg)
{
	struct remote_gm *g = arg;
	gearman_worker_st *w = gearman_worker_create(NULL);
	gearman_return_t rc;
	bool ok_before = true;
	size_t i;

	if (w == NULL || gearman_worker_add_servers(w, g->servers) !=
	    GEARMAN_SUCCESS) {
		log_warnx("gearman: cannot create a worker for %s",
		    g->servers);
		if (w != NULL)
			gearman_worker_free(w);
		return NULL;
	}
	gearman_worker_set_timeout(w, REMOTE_GM_GRAB_TIMEOUT_MS);
	if (g->identifier != NULL)
		(void)gearman_worker_set_identifier(w, g->identifier,
		    strlen(g->identifier));
	for (i = 0; i < g->nqueues; i++)
		if (gearman_worker_add_function(w, g->queues[i], 0,
		    remote_gm_grab_fn, g) != GEARMAN_SUCCESS)
			log_warnx("gearman: cannot serve %s: %s", g->queues[i],
			    gearman_worker_error(w));
	pthread_mutex_lock(&g->mu);
	while (!g->stop) {
		if (g->max_inflight > 0 && g->inflight >= g->max_inflight) {
			remote_gm_wait(g, REMOTE_GM_GRAB_TIMEOUT_MS *
			    LOOP_NS_PER_MSEC);
			continue;
		}
		pthread_mutex_unlock(&g->mu);
		rc = gearman_worker_work(w);
		pthread_mutex_lock(&g->mu);
		if (rc == GEARMAN_SUCCESS || rc == GEARMAN_TIMEOUT ||
		    rc == GEARMAN_IO_WAIT || rc == GEARMAN_NO_JOBS) {
			if (!ok_before && rc == GEARMAN_SUCCESS)
				log_info("gearman: serving %s again",
				    g->servers);
			if (rc == GEARMAN_SUCCESS)
				ok_before = true;
			continue;
		}
		g->counters.grab_errors++;
		if (ok_before)
			log_warnx("gearman: worker lost %s: %s; retrying",
			    g->servers, gearman_worker_error(w));
		ok_before = false;
		remote_gm_wait(g, REMOTE_GM_RETRY_NS);
	}
	pthread_mutex_unlock(&g->mu);
	gearman_worker_free(w);
	return NULL;
}

/* --- the loop side ------------------------------------------------------- */

static void
remote_gm_readable(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct remote_gm *g = arg;
	struct remote_gm_fifo got;
	struct remote_gm_msg *m;
	uint64_t v;

	(void)loop;
	(void)events;
	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: another pass took it */
	}
	pthread_mutex_lock(&g->mu);
	got = g->inbox;
	memset(&g->inbox, 0, sizeof(g->inbox));
	pthread_mutex_unlock(&g->mu);
	while ((m = remote_gm_pop(&got)) != NULL) {
		void *data = m->data;

		m->data = NULL;
		g->on_job(g->arg, m->queue, data, m->len);
		remote_gm_msg_free(m);
	}
}

void
remote_gm_done(struct remote_gm *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	if (g->inflight > 0)
		g->inflight--;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

int
remote_gm_submit(struct remote_gm *g, const char *queue, const char *uniq,
    const void *data, size_t len)
{
	struct remote_gm_msg *m = calloc(1, sizeof(*m));
	int rc = 0;

	if (m == NULL || (m->queue = strdup(queue)) == NULL ||
	    (uniq != NULL && (m->uniq = strdup(uniq)) == NULL) ||
	    (m->data = malloc(len > 0 ? len : 1)) == NULL) {
		remote_gm_msg_free(m);
		return -ENOMEM;
	}
	memcpy(m->data, data, len);
	m->len = len;
	m->queued_ns = loop_clock();
	pthread_mutex_lock(&g->mu);
	if (g->outbox.n >= REMOTE_GM_OUTBOX_MAX) {
		g->counters.submit_failed++;
		rc = -ENOBUFS;
	} else {
		remote_gm_push(&g->outbox, m);
		m = NULL;
		/* The submitter waits for the first job (then lets it wait
		 * for company) or for a full batch: wake it for those. */
		if (g->outbox.n == 1 || g->outbox.n >= REMOTE_GM_BATCH)
			pthread_cond_broadcast(&g->cv);
	}
	pthread_mutex_unlock(&g->mu);
	remote_gm_msg_free(m);
	return rc;
}

int
remote_gm_workers(struct remote_gm *g, const char *queue)
{
	int n = -1;
	size_t i;

	pthread_mutex_lock(&g->mu);
	if (g->stats_valid) {
		n = 0;
		for (i = 0; i < g->nstats; i++)
			if (strcmp(g->stats[i].name, queue) == 0)
				n = g->stats[i].workers;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}

void
remote_gm_counters(struct remote_gm *g, struct remote_gm_counters *c)
{
	pthread_mutex_lock(&g->mu);
	*c = g->counters;
	pthread_mutex_unlock(&g->mu);
}

int
remote_gm_new(struct loop *loop, const struct remote_gm_options *o,
    struct remote_gm **out, char *err, size_t errlen)
{
	struct remote_gm *g;
	pthread_condattr_t ca;
	int n, rc = -ENOMEM;
	size_t i;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	g->efd = -1;
	n = remote_gm_parse_servers(o->servers, g->hosts, g->ports,
	    REMOTE_GM_MAX_SERVERS, err, errlen);
	if (n < 0) {
		free(g);
		return n;
	}
	g->nservers = (size_t)n;
	g->loop = loop;
	g->max_inflight = o->max_inflight;
	g->on_job = o->on_job;
	g->arg = o->arg;
	g->status_ns = o->status_interval_ns > 0 ? o->status_interval_ns :
	    2 * LOOP_NS_PER_SEC;
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((g->servers = strdup(o->servers)) == NULL ||
	    (o->identifier != NULL &&
	    (g->identifier = strdup(o->identifier)) == NULL))
		goto fail;
	if (o->nqueues > 0) {
		if ((g->queues = calloc(o->nqueues, sizeof(char *))) == NULL)
			goto fail;
		for (i = 0; i < o->nqueues; i++) {
			if ((g->queues[i] = strdup(o->queues[i])) == NULL)
				goto fail;
			g->nqueues++;
		}
	}
	g->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->efd < 0) {
		rc = -errno;
		goto fail;
	}
	if ((rc = loop_io_add(loop, g->efd, LOOP_READ, remote_gm_readable,
	    g)) != 0)
		goto fail;
	if ((rc = -pthread_create(&g->submitter, NULL, remote_gm_submit_main,
	    g)) != 0)
		goto fail;
	g->have_submitter = true;
	if (g->nqueues > 0) {
		if ((rc = -pthread_create(&g->grabber, NULL,
		    remote_gm_grab_main, g)) != 0)
			goto fail;
		g->have_grabber = true;
	}
	*out = g;
	return 0;
fail:
	snprintf(err, errlen, "cannot start the gearman threads: %s",
	    strerror(-rc));
	remote_gm_free(g);
	return rc;
}

void
remote_gm_free(struct remote_gm *g)
{
	size_t i;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	if (g->have_submitter)
		pthread_join(g->submitter, NULL);
	if (g->have_grabber)
		pthread_join(g->grabber, NULL);
	if (g->efd >= 0) {
		loop_io_del(g->loop, g->efd);
		close(g->efd);
	}
	remote_gm_fifo_clear(&g->outbox);
	remote_gm_fifo_clear(&g->inbox);
	remote_gm_stats_free(g->stats, g->nstats);
	for (i = 0; i < g->nqueues; i++)
		free(g->queues[i]);
	free(g->queues);
	free(g->servers);
	free(g->identifier);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}
