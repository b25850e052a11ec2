/*
 * query: the query socket (server side on the event loop) and the blocking
 * client call used by the `pharos` program.
 *
 * Data structures and invariants (server):
 *
 * - struct query owns the listening socket (non-blocking, close-on-exec)
 *   and a doubly linked list of clients; nclients <= QUERY_MAX_CLIENTS. A
 *   connection beyond that is accepted, sent one error line and closed at
 *   once (counted in refused_clients).
 *
 * - Each client has an input buffer in[0 .. inlen) of at most
 *   QUERY_IN_CAP = QUERY_MAX_LINE + 1 bytes (a longest line and its '\n').
 *   in[0 .. scan) is known to hold no '\n', so no byte is searched twice.
 *   A line with more than QUERY_MAX_LINE bytes before its '\n' fills the
 *   buffer without a '\n': it gets an error response and the client is
 *   closed once that response is written (closing).
 *
 * - Each client has an output buffer out.data[outoff .. out.len) of
 *   response bytes not yet written. Responses are appended whole and in
 *   request order, so every complete request line gets exactly one
 *   response line, in order. The socket is written directly; LOOP_WRITE is
 *   watched only while bytes are pending, so a slow client never blocks
 *   the loop.
 *
 * - Back-pressure: while more than QUERY_OUT_HIGH bytes are pending, the
 *   client's further requests are not read or answered (a client that
 *   does not read its answers costs no more CPU and about QUERY_OUT_HIGH
 *   plus one response of memory). A single response larger than
 *   QUERY_OUT_MAX is replaced by an error response ("response too large").
 *   When requests were left unanswered because of back-pressure
 *   (backlog), LOOP_WRITE stays watched so the next pass continues; the
 *   work done per wakeup is bounded by about QUERY_OUT_HIGH of output.
 *
 * - EOF from the client (eof): complete lines already received are still
 *   answered; an unterminated last piece is discarded. The client is
 *   closed once nothing is pending. Any read or write error closes it at
 *   once. Writes use MSG_NOSIGNAL: a vanished client never raises SIGPIPE.
 *
 * - Counters: requests counts every complete, non-blank request line
 *   (valid or not); bad_requests those refused before the handler (bad
 *   JSON, not an object, wrong "v", missing "op"); oversized the lines
 *   over QUERY_MAX_LINE (not counted in requests); refused_clients the
 *   connections closed because QUERY_MAX_CLIENTS were connected.
 *
 * - When accept() runs out of descriptors, the listening socket is
 *   unwatched for QUERY_ACCEPT_PAUSE_NS instead of spinning on a
 *   level-triggered readiness it cannot consume.
 *
 * The client side (query_call) is a plain blocking exchange with poll()
 * timeouts; the daemon never calls it.
 */
#ifdef HAVE_CONFIG_H
#include "config.h" /* _GNU_SOURCE: accept4, pipe2 */
#endif

#include "query.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define QUERY_IN_CAP (QUERY_MAX_LINE + 1)
#define QUERY_IN_MIN 4096
#define QUERY_OUT_HIGH (1024 * 1024)
#define QUERY_OUT_MAX (16 * 1024 * 1024)
#define QUERY_TRIM_AFTER (1024 * 1024) /* answers larger: malloc_trim() */
#define QUERY_OUT_KEEP (64 * 1024)
#define QUERY_ACCEPT_BATCH 16
#define QUERY_ACCEPT_PAUSE_NS (LOOP_NS_PER_SEC / 10)
#define QUERY_ERR_MAX 512
/* Longest response line query_call() accepts: the server's cap plus its
 * newline. */
#define QUERY_CALL_MAX (QUERY_OUT_MAX + 1)

/* Sent, whole, when no other response can be built. */
#define QUERY_LINE_TOO_LARGE                                                   \
	"{\"v\":1,\"ok\":false,\"error\":\"response too large\"}\n"
#define QUERY_LINE_NO_MEMORY                                                   \
	"{\"v\":1,\"ok\":false,\"error\":\"out of memory\"}\n"
#define QUERY_LINE_TOO_MANY                                                    \
	"{\"v\":1,\"ok\":false,\"error\":\"too many clients\"}\n"

/* A growable byte buffer with a hard cap. */
struct query_buf {
	char *data;
	size_t len;
	size_t cap;
};

struct query_client {
	struct query *q;
	struct query_client *prev;
	struct query_client *next;
	int fd;
	unsigned watched; /* LOOP_* bits registered with the loop */

	char *in; /* QUERY_IN_CAP bytes at most */
	size_t incap;
	size_t inlen;
	size_t scan;

	struct query_buf out;
	size_t outoff;

	bool eof;     /* the client sent EOF */
	bool closing; /* close once the output is written */
	bool backlog; /* complete requests wait behind back-pressure */
};

struct query {
	struct loop *loop;
	int fd;
	char *path;
	bool bound; /* path is ours to unlink */
	dev_t dev;  /* identity of the socket file we created */
	ino_t ino;
	struct loop_timer resume;
	query_handler_fn *fn;
	void *arg;
	struct query_client *clients;
	size_t nclients;
	struct query_counters counters;
};

/* ---- buffers ---- */

/* Make room for n more bytes, never growing past max. Returns 0, -ENOMEM
 * or -EMSGSIZE (the buffer is unchanged on failure). */
static int
query_buf_reserve(struct query_buf *b, size_t n, size_t max)
{
	size_t want, cap;
	char *p;

	if (n > max || b->len > max - n)
		return -EMSGSIZE;
	want = b->len + n;
	if (want <= b->cap)
		return 0;
	cap = b->cap < 256 ? 256 : b->cap;
	while (cap < want)
		cap = cap > max / 2 ? max : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

static int
query_buf_append(struct query_buf *b, const void *p, size_t n, size_t max)
{
	int rc;

	if ((rc = query_buf_reserve(b, n, max)) != 0)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static void
query_buf_clear(struct query_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

struct query_dump {
	struct query_buf *buf;
	size_t max;
	int err;
};

static int
query_dump_cb(const char *p, size_t n, void *arg)
{
	struct query_dump *d = arg;

	if ((d->err = query_buf_append(d->buf, p, n, d->max)) != 0)
		return -1;
	return 0;
}

/* Append v as one compact JSON line to b (at most max bytes in all).
 * Returns 0 or -errno; b is unchanged on failure. */
static int
query_buf_put_json(struct query_buf *b, json_t *v, size_t max)
{
	struct query_dump d = {b, max, 0};
	size_t mark = b->len;

	if (json_dump_callback(v, query_dump_cb, &d,
	                       JSON_COMPACT | JSON_ENCODE_ANY) != 0 ||
	    (d.err = query_buf_append(b, "\n", 1, max)) != 0) {
		b->len = mark;
		return d.err != 0 ? d.err : -EINVAL;
	}
	return 0;
}

/* ---- server: clients ---- */

static size_t
query_client_pending(const struct query_client *c)
{
	return c->out.len - c->outoff;
}

static void
query_client_close(struct query_client *c)
{
	struct query *q = c->q;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		q->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	q->nclients--;

	loop_io_del(q->loop, c->fd);
	close(c->fd);
	free(c->in);
	query_buf_clear(&c->out);
	free(c);
}

/* Queue one response; resp is taken. The out buffer is capped per
 * response: pending bytes before it plus QUERY_OUT_MAX. Returns 0 or
 * -ENOMEM when not even a short error line fits in memory. */
static int
query_client_respond(struct query_client *c, json_t *resp)
{
	const char *line;
	size_t max, before;
	int rc;

	/* Drop what was written already, so the buffer holds only pending
	 * bytes (at most QUERY_OUT_HIGH here) and never creeps. */
	if (c->outoff > 0) {
		memmove(c->out.data, c->out.data + c->outoff,
		        query_client_pending(c));
		c->out.len -= c->outoff;
		c->outoff = 0;
	}
	max = c->out.len + QUERY_OUT_MAX;
	before = c->out.len;
	rc = resp == NULL ? -ENOMEM : query_buf_put_json(&c->out, resp, max);
	json_decref(resp);
	/* A large answer's JSON tree took about ten times its text in
	 * small blocks, now free among the daemon's long-lived ones: hand
	 * those pages back (a whole status of 10,000 hosts left 180 MB
	 * resident otherwise). */
	if (rc == -EMSGSIZE || c->out.len - before > QUERY_TRIM_AFTER)
		(void)malloc_trim(0);
	if (rc == 0)
		return 0;
	line = rc == -EMSGSIZE ? QUERY_LINE_TOO_LARGE : QUERY_LINE_NO_MEMORY;
	if (rc == -EMSGSIZE)
		log_warnx("query: response over %d bytes replaced by an error",
		          QUERY_OUT_MAX);
	return query_buf_append(&c->out, line, strlen(line), SIZE_MAX);
}

static int
query_client_error(struct query_client *c, const char *text)
{
	json_t *resp = json_object();

	if (resp != NULL &&
	    (json_object_set_new(resp, "v", json_integer(1)) != 0 ||
	     json_object_set_new(resp, "ok", json_false()) != 0 ||
	     json_object_set_new(resp, "error", json_string(text)) != 0)) {
		json_decref(resp);
		resp = NULL;
	}
	return query_client_respond(c, resp);
}

/* data is taken; NULL answers null. */
static int
query_client_ok(struct query_client *c, json_t *data)
{
	json_t *resp;

	if (data == NULL)
		data = json_null();
	if ((resp = json_object()) == NULL) {
		json_decref(data);
		return query_client_respond(c, NULL);
	}
	/* json_object_set_new() takes data even when it fails. */
	if (json_object_set_new(resp, "v", json_integer(1)) != 0 ||
	    json_object_set_new(resp, "ok", json_true()) != 0 ||
	    json_object_set_new(resp, "data", data) != 0) {
		json_decref(resp);
		resp = NULL;
	}
	return query_client_respond(c, resp);
}

static bool
query_line_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Answer one request line (without its '\n'). Returns 0 or -ENOMEM. */
static int
query_client_handle(struct query_client *c, const char *line, size_t len)
{
	struct query *q = c->q;
	char err[QUERY_ERR_MAX];
	json_error_t jerr;
	json_t *req, *v, *op, *data = NULL;
	int rc;

	if (query_line_blank(line, len))
		return 0;
	q->counters.requests++;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		snprintf(err, sizeof(err), "bad request: %s", jerr.text);
		goto bad;
	}
	if (!json_is_object(req)) {
		snprintf(err, sizeof(err), "bad request: not a JSON object");
		goto bad;
	}
	v = json_object_get(req, "v");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		snprintf(err, sizeof(err), "unsupported protocol version");
		goto bad;
	}
	op = json_object_get(req, "op");
	if (!json_is_string(op)) {
		snprintf(err, sizeof(err), "missing op");
		goto bad;
	}

	err[0] = '\0';
	if (q->fn(json_string_value(op), req, &data, err, sizeof(err),
	          q->arg) != 0) {
		json_decref(data);
		err[sizeof(err) - 1] = '\0';
		rc = query_client_error(c, err[0] != '\0' ? err : "failed");
	} else {
		rc = query_client_ok(c, data);
	}
	json_decref(req);
	return rc;

bad:
	q->counters.bad_requests++;
	json_decref(req);
	return query_client_error(c, err);
}

/* Answer the complete lines in the input buffer until back-pressure
 * stops it. Returns 0 or -ENOMEM. */
static int
query_client_process(struct query_client *c)
{
	char msg[96];
	size_t pos = 0, len;
	char *nl;
	int rc = 0;

	c->backlog = false;
	while (!c->closing && rc == 0) {
		nl = memchr(c->in + c->scan, '\n', c->inlen - c->scan);
		if (nl == NULL) {
			c->scan = c->inlen;
			if (c->inlen - pos > QUERY_MAX_LINE) {
				c->q->counters.oversized++;
				snprintf(
				    msg, sizeof(msg),
				    "request line too long (limit %d bytes)",
				    QUERY_MAX_LINE);
				rc = query_client_error(c, msg);
				c->closing = true;
				pos = c->inlen;
			}
			break;
		}
		if (query_client_pending(c) > QUERY_OUT_HIGH) {
			c->backlog = true;
			break;
		}
		len = (size_t)(nl - c->in) - pos;
		rc = query_client_handle(c, c->in + pos, len);
		pos += len + 1;
		c->scan = pos;
	}
	if (pos > 0) {
		memmove(c->in, c->in + pos, c->inlen - pos);
		c->inlen -= pos;
		c->scan -= pos;
	}
	return rc;
}

/* One read into the input buffer. Returns 0 or -errno (close). */
static int
query_client_read(struct query_client *c)
{
	size_t cap;
	ssize_t n;
	char *p;

	if (c->inlen == c->incap) {
		if (c->incap >= QUERY_IN_CAP)
			return 0; /* full: process() reports it */
		cap = c->incap < QUERY_IN_MIN ? QUERY_IN_MIN : c->incap * 2;
		if (cap > QUERY_IN_CAP)
			cap = QUERY_IN_CAP;
		if ((p = realloc(c->in, cap)) == NULL)
			return -ENOMEM;
		c->in = p;
		c->incap = cap;
	}
	n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
	if (n > 0)
		c->inlen += (size_t)n;
	else if (n == 0)
		c->eof = true;
	else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return -errno;
	return 0;
}

/* Write pending output until done or the socket is full. Returns 0 or
 * -errno (close). */
static int
query_client_flush(struct query_client *c)
{
	ssize_t n;

	while (query_client_pending(c) > 0) {
		n = send(c->fd, c->out.data + c->outoff,
		         query_client_pending(c), MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = 0;
	c->out.len = 0;
	if (c->out.cap > QUERY_OUT_KEEP)
		query_buf_clear(&c->out); /* do not keep a big reply's room */
	return 0;
}

/* Watch what the client now needs. Returns 1 when it is done and should
 * be closed, 0 otherwise, -errno on failure. */
static int
query_client_rearm(struct query_client *c)
{
	unsigned want = 0;
	bool busy = query_client_pending(c) > QUERY_OUT_HIGH;
	int rc;

	if (!c->eof && !c->closing && !busy)
		want |= LOOP_READ;
	if (query_client_pending(c) > 0 || (c->backlog && !c->closing))
		want |= LOOP_WRITE; /* writable soon: continue then */
	if (want == 0 && (c->eof || c->closing))
		return 1;
	if (want != c->watched) {
		if ((rc = loop_io_mod(c->q->loop, c->fd, want)) != 0)
			return rc;
		c->watched = want;
	}
	return 0;
}

static void
query_client_io(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct query_client *c = arg;
	int rc = 0;

	if ((events & (LOOP_READ | LOOP_HUP | LOOP_ERROR)) != 0 && !c->eof &&
	    !c->closing && query_client_pending(c) <= QUERY_OUT_HIGH)
		rc = query_client_read(c);
	if (rc == 0)
		rc = query_client_process(c);
	if (rc == 0)
		rc = query_client_flush(c);
	if (rc == 0)
		rc = query_client_rearm(c);
	if (rc < 0)
		log_debug("query: client closed: %s", strerror(-rc));
	if (rc != 0)
		query_client_close(c);
}

/* ---- server: listening socket ---- */

/* Out of descriptors: stop watching the listening socket for a while
 * rather than spin on a readiness accept() cannot consume. */
static void
query_pause(struct query *q)
{
	if (loop_timer_start(q->loop, &q->resume,
	                     loop_now(q->loop) + QUERY_ACCEPT_PAUSE_NS) != 0)
		return; /* better to spin than to stop accepting for good */
	if (loop_io_mod(q->loop, q->fd, 0) != 0)
		loop_timer_stop(q->loop, &q->resume);
}

static void
query_resume(struct loop *loop, struct loop_timer *t, void *arg)
{
	struct query *q = arg;

	if (loop_io_mod(loop, q->fd, LOOP_READ) != 0 &&
	    loop_timer_start(loop, &q->resume,
	                     loop_now(loop) + QUERY_ACCEPT_PAUSE_NS) != 0)
		log_warnx("query: cannot resume accepting clients");
}

static void
query_refuse(struct query *q, int fd)
{
	/* Best effort: a fresh socket has room for one short line. */
	(void)send(fd, QUERY_LINE_TOO_MANY, strlen(QUERY_LINE_TOO_MANY),
	           MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	q->counters.refused_clients++;
	log_debug("query: client refused: %d connected", QUERY_MAX_CLIENTS);
}

static int
query_client_add(struct query *q, int fd)
{
	struct query_client *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	c->q = q;
	c->fd = fd;
	c->watched = LOOP_READ;
	if ((rc = loop_io_add(q->loop, fd, LOOP_READ, query_client_io, c)) !=
	    0) {
		free(c);
		return rc;
	}
	c->next = q->clients;
	if (q->clients != NULL)
		q->clients->prev = c;
	q->clients = c;
	q->nclients++;
	return 0;
}

static void
query_accept(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct query *q = arg;
	int i, cfd, rc;

	for (i = 0; i < QUERY_ACCEPT_BATCH; i++) {
		cfd = accept4(q->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			log_warn("query: accept on %s", q->path);
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				query_pause(q);
			return;
		}
		if (q->nclients >= QUERY_MAX_CLIENTS) {
			query_refuse(q, cfd);
			continue;
		}
		if ((rc = query_client_add(q, cfd)) != 0) {
			log_warnx("query: cannot add a client: %s",
			          strerror(-rc));
			close(cfd);
		}
	}
}

static int
query_fill_addr(struct sockaddr_un *sun, const char *path)
{
	size_t n = strlen(path);

	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n + 1);
	return 0;
}

/* Remove a socket file left behind at path by a process that is gone.
 * Refuses anything that is not a socket, and a socket somebody still
 * listens on. Returns 0 or -errno (err filled). */
static int
query_remove_stale(const char *path, const struct sockaddr_un *sun, char *err,
                   size_t errlen)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "query socket %s: %s", path,
		         strerror(-rc));
		return rc;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(
		    err, errlen,
		    "query socket %s: exists and is not a socket; not removing "
		    "it",
		    path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "query socket %s: socket: %s", path,
		         strerror(-rc));
		return rc;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN) {
		close(fd);
		snprintf(
		    err, errlen,
		    "query socket %s: in use by a running process (another "
		    "pharosd?)",
		    path);
		return -EADDRINUSE;
	}
	close(fd);
	if (unlink(path) != 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen,
		         "query socket %s: cannot remove stale "
		         "socket: %s",
		         path, strerror(-rc));
		return rc;
	}
	return 0;
}

int
query_new(struct loop *loop, const char *path, query_handler_fn *fn, void *arg,
          struct query **out, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct query *q = NULL;
	struct stat st;
	int rc;

	*out = NULL;
	if (loop == NULL || path == NULL || fn == NULL) {
		snprintf(err, errlen, "query socket: bad arguments");
		return -EINVAL;
	}
	if ((rc = query_fill_addr(&sun, path)) != 0) {
		snprintf(err, errlen, "query socket %s: %s", path,
		         rc == -EINVAL ? "empty path" : "path too long");
		return rc;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL) {
		snprintf(err, errlen, "query socket %s: out of memory", path);
		return -ENOMEM;
	}
	q->loop = loop;
	q->fd = -1;
	q->fn = fn;
	q->arg = arg;
	loop_timer_init(&q->resume, query_resume, q);
	if ((q->path = strdup(path)) == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "query socket %s: out of memory", path);
		goto fail;
	}

	if ((rc = query_remove_stale(path, &sun, err, errlen)) != 0)
		goto fail;
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "query socket %s: socket: %s", path,
		         strerror(-rc));
		goto fail;
	}
	if (bind(q->fd, (const struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = -errno;
		snprintf(err, errlen, "query socket %s: bind: %s", path,
		         strerror(-rc));
		goto fail;
	}
	q->bound = true;
	/* Before listen(): nobody can connect while the mode is still the
	 * umask's. */
	if (chmod(path, 0660) != 0 || stat(path, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "query socket %s: chmod: %s", path,
		         strerror(-rc));
		goto fail;
	}
	q->dev = st.st_dev;
	q->ino = st.st_ino;
	if (listen(q->fd, SOMAXCONN) != 0) {
		rc = -errno;
		snprintf(err, errlen, "query socket %s: listen: %s", path,
		         strerror(-rc));
		goto fail;
	}
	if ((rc = loop_io_add(loop, q->fd, LOOP_READ, query_accept, q)) != 0) {
		snprintf(err, errlen, "query socket %s: cannot watch: %s", path,
		         strerror(-rc));
		goto fail;
	}
	*out = q;
	return 0;

fail:
	query_free(q);
	return rc;
}

void
query_free(struct query *q)
{
	struct stat st;

	if (q == NULL)
		return;
	while (q->clients != NULL)
		query_client_close(q->clients);
	loop_timer_stop(q->loop, &q->resume);
	if (q->fd >= 0) {
		loop_io_del(q->loop, q->fd);
		close(q->fd);
	}
	/* Only the file we created: a newer daemon may have replaced it. */
	if (q->bound && lstat(q->path, &st) == 0 && st.st_dev == q->dev &&
	    st.st_ino == q->ino)
		(void)unlink(q->path);
	free(q->path);
	free(q);
}

const struct query_counters *
query_get_counters(const struct query *q)
{
	return &q->counters;
}

/* ---- client side ---- */

/* Milliseconds left until deadline (monotonic ns), for poll(); -1 when
 * there is no deadline, 0 when it passed. */
static int
query_ms_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - loop_clock();
	if (left <= 0)
		return 0;
	left = (left + LOOP_NS_PER_MSEC - 1) / LOOP_NS_PER_MSEC;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Wait for events on fd. Returns 0 when ready, -ETIMEDOUT or -errno. */
static int
query_wait(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int n, ms;

	for (;;) {
		ms = query_ms_left(deadline);
		if (ms == 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, ms);
		if (n > 0)
			return 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

static int
query_call_connect(int fd, const struct sockaddr_un *sun, int64_t deadline)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	socklen_t len;
	int rc, soerr;

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) ==
		    0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EINPROGRESS) {
			if ((rc = query_wait(fd, POLLOUT, deadline)) != 0)
				return rc;
			len = sizeof(soerr);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
			               &len) != 0)
				return -errno;
			return -soerr;
		}
		if (errno != EAGAIN)
			return -errno;
		/* The listen backlog is full: the daemon is busy. */
		if (query_ms_left(deadline) == 0)
			return -ETIMEDOUT;
		nanosleep(&ts, NULL);
	}
}

int
query_call(const char *path, json_t *req, int timeout_ms, json_t **resp,
           char *err, size_t errlen)
{
	struct query_buf buf = {NULL, 0, 0};
	struct sockaddr_un sun;
	json_error_t jerr;
	int64_t deadline;
	size_t off, scan;
	ssize_t n;
	char *nl = NULL;
	int fd = -1, rc;

	*resp = NULL;
	deadline = timeout_ms < 0
	               ? -1
	               : loop_clock() + (int64_t)timeout_ms * LOOP_NS_PER_MSEC;
	if ((rc = query_fill_addr(&sun, path)) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path,
		         strerror(-rc));
		goto fail;
	}
	if ((rc = query_buf_put_json(&buf, req, QUERY_MAX_LINE + 1)) != 0) {
		snprintf(err, errlen, "cannot send request: %s",
		         rc == -EMSGSIZE ? "request too long" : strerror(-rc));
		goto fail;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket: %s", strerror(-rc));
		goto fail;
	}
	if ((rc = query_call_connect(fd, &sun, deadline)) != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", path,
		         strerror(-rc));
		goto fail;
	}

	for (off = 0; off < buf.len;) {
		n = send(fd, buf.data + off, buf.len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			rc = -errno;
			goto fail_io;
		}
		if ((rc = query_wait(fd, POLLOUT, deadline)) != 0)
			goto fail_io;
	}

	buf.len = 0;
	scan = 0;
	while (nl == NULL) {
		if ((rc = query_buf_reserve(&buf, 64 * 1024, QUERY_CALL_MAX)) ==
		    -EMSGSIZE)
			rc = query_buf_reserve(&buf, 1, QUERY_CALL_MAX);
		if (rc != 0)
			goto fail_io;
		n = recv(fd, buf.data + buf.len, buf.cap - buf.len, 0);
		if (n > 0) {
			buf.len += (size_t)n;
			nl = memchr(buf.data + scan, '\n', buf.len - scan);
			scan = buf.len;
			continue;
		}
		if (n == 0) {
			rc = -ECONNRESET;
			goto fail_io;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			rc = -errno;
			goto fail_io;
		}
		if ((rc = query_wait(fd, POLLIN, deadline)) != 0)
			goto fail_io;
	}

	*resp = json_loadb(buf.data, (size_t)(nl - buf.data),
	                   JSON_REJECT_DUPLICATES, &jerr);
	if (*resp == NULL || !json_is_object(*resp)) {
		snprintf(err, errlen, "bad response from %s: %s", path,
		         *resp == NULL ? jerr.text : "not a JSON object");
		json_decref(*resp);
		*resp = NULL;
		rc = -EPROTO;
		goto fail;
	}
	close(fd);
	query_buf_clear(&buf);
	return 0;

fail_io:
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "no response from %s within %d ms", path,
		         timeout_ms);
	else if (rc == -ECONNRESET)
		snprintf(err, errlen,
		         "%s closed the connection without a "
		         "response",
		         path);
	else if (rc == -EMSGSIZE)
		snprintf(err, errlen, "response from %s too long", path);
	else
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
fail:
	if (fd >= 0)
		close(fd);
	query_buf_clear(&buf);
	return rc;
}
