/*
 * store_rrdcached: the rrdcached client of the store's writer thread.
 *
 * Data:
 * - fd: the connection, -1 while down; retry_at/backoff (monotonic ns)
 *   say when the next attempt is due; the backoff doubles from 200 ms to
 *   5 s per failure and resets on success.
 * - pending: lines not yet answered, in submission order. A line leaves
 *   it only with an answer from rrdcached: "0" moves it to the window,
 *   anything else frees it (counted). A line sent on a connection that
 *   failed before the answer stays pending, marked resend.
 * - window: lines answered "0" in the last STORE_RC_WINDOW_NS (bounded
 *   by window_max lines), in answer order. After every new connection
 *   (replay set) the whole window is sent first, then the pending lines,
 *   so each file sees its updates in time order; a line rrdcached already
 *   has is refused with "illegal attempt to update" and counted as
 *   replayed_already_applied. The window expires only when lines are
 *   added, so an outage never empties it.
 * - Counters are atomics (read by the status thread).
 *
 * rrdcached's BATCH answers nothing per line: after "." it says "N errors"
 * and N lines "<line number> <message>", numbers counted from 1.
 */
#include "store_rrdcached.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define STORE_RC_ANSWER_MAX	1024
#define STORE_RC_LOG_NS		(60LL * 1000000000LL)

enum store_rc_ctr {
	RC_RECONNECTS, RC_SENT, RC_ACKED, RC_REPLAYED, RC_ALREADY,
	RC_ERRORS, RC_DROPPED, RC_WRITTEN, RC_STALE, RC_COUNT
};

struct store_rc {
	struct store_rc_addr addr;
	char *address;				/* owned, for logs */
	int fd;
	int ever_connected, replay;
	int64_t retry_at, backoff;
	size_t window_max;
	struct store_rc_list pending, window;
	void (*forget)(void *, const char *);
	void *arg;

	char in[4096];				/* unread answer bytes */
	size_t inlen;
	char *out;				/* owned, one BATCH */
	size_t outcap;
	struct store_rc_line *chunk[STORE_RC_CHUNK];
	enum store_rc_result res[STORE_RC_CHUNK];
	int64_t log_last;
	uint64_t log_suppressed;

	atomic_int connected;
	atomic_uint_least64_t ctr[RC_COUNT];
};

static void
rc_count(struct store_rc *rc, enum store_rc_ctr c, uint64_t n)
{
	atomic_fetch_add_explicit(&rc->ctr[c], n, memory_order_relaxed);
}

static int64_t
rc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- pure parts ---------------------------------------------------------- */

static int
rc_port(const char *p, char *out, size_t outlen)
{
	long v = 0;
	size_t i;

	if (p[0] == '\0' || strlen(p) > 5)
		return -EINVAL;
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -EINVAL;
		v = v * 10 + (p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -EINVAL;
	snprintf(out, outlen, "%ld", v);
	return 0;
}

static int
rc_host(const char *h, size_t len, struct store_rc_addr *a)
{
	if (len == 0 || len > STORE_RC_HOST_MAX)
		return -EINVAL;
	memcpy(a->host, h, len);
	a->host[len] = '\0';
	return 0;
}

int
store_rc_parse_address(const char *text, struct store_rc_addr *a,
    char *err, size_t errlen)
{
	const char *p, *colon;
	size_t i, ncolon = 0;

	memset(a, 0, sizeof(*a));
	for (i = 0; text[i] != '\0'; i++) {
		if ((unsigned char)text[i] <= ' ' || text[i] == 0x7f)
			goto bad;
		ncolon += text[i] == ':';
	}
	if (i == 0)
		goto bad;
	if (strncmp(text, "unix:", 5) == 0 || text[0] == '/') {
		p = text[0] == '/' ? text : text + 5;
		if (p[0] != '/' || strlen(p) >= sizeof(a->path))
			goto bad;
		a->is_unix = 1;
		memcpy(a->path, p, strlen(p) + 1);
		return 0;
	}
	snprintf(a->port, sizeof(a->port), "%s", STORE_RC_PORT);
	if (text[0] == '[') {
		p = strchr(text, ']');
		if (p == NULL || rc_host(text + 1, (size_t)(p - text - 1), a))
			goto bad;
		if (p[1] == '\0')
			return 0;
		if (p[1] != ':' || rc_port(p + 2, a->port, sizeof(a->port)))
			goto bad;
		return 0;
	}
	if (ncolon > 1)		/* a bare IPv6 address */
		return rc_host(text, strlen(text), a) == 0 ? 0 : -EINVAL;
	colon = strchr(text, ':');
	if (colon == NULL)
		return rc_host(text, strlen(text), a) == 0 ? 0 : -EINVAL;
	if (rc_host(text, (size_t)(colon - text), a) != 0 ||
	    rc_port(colon + 1, a->port, sizeof(a->port)) != 0)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "invalid rrdcached address '%.80s': expected "
	    "unix:/path, /path, host, host:port or [v6]:port", text);
	return -EINVAL;
}

struct store_rc_line *
store_rc_line_new(const char *path, int64_t when, const char *values)
{
	size_t pl = strlen(path), vl = strlen(values), cap;
	struct store_rc_line *x;

	cap = 7 + pl + 1 + 21 + 1 + vl + 2;
	x = malloc(sizeof(*x) + cap);
	if (x == NULL)
		return NULL;
	x->next = NULL;
	x->acked_ns = 0;
	x->resend = 0;
	x->pathlen = pl;
	x->len = (size_t)snprintf(x->text, cap, "UPDATE %s %lld:%s\n", path,
	    (long long)when, values);
	return x;
}

void
store_rc_list_push(struct store_rc_list *l, struct store_rc_line *x)
{
	x->next = NULL;
	if (l->tail != NULL)
		l->tail->next = x;
	else
		l->head = x;
	l->tail = x;
	l->n++;
}

struct store_rc_line *
store_rc_list_pop(struct store_rc_list *l)
{
	struct store_rc_line *x = l->head;

	if (x == NULL)
		return NULL;
	l->head = x->next;
	if (l->head == NULL)
		l->tail = NULL;
	l->n--;
	x->next = NULL;
	return x;
}

void
store_rc_list_clear(struct store_rc_list *l)
{
	struct store_rc_line *x;

	while ((x = store_rc_list_pop(l)) != NULL)
		free(x);
}

size_t
store_rc_window_add(struct store_rc_list *w, struct store_rc_line *x,
    int64_t now_ns, int64_t span_ns, size_t max)
{
	size_t over = 0;

	x->acked_ns = now_ns;
	x->resend = 0;
	store_rc_list_push(w, x);
	while (w->head != NULL && w->head->acked_ns < now_ns - span_ns)
		free(store_rc_list_pop(w));
	while (w->n > max) {
		free(store_rc_list_pop(w));
		over++;
	}
	return over;
}

enum store_rc_result
store_rc_classify(const char *msg)
{
	if (strstr(msg, "illegal attempt to update") != NULL ||
	    strstr(msg, "minimum one second step") != NULL)
		return STORE_RC_ALREADY;
	return STORE_RC_ERROR;
}

/* --- the connection ------------------------------------------------------ */

static void __attribute__((format(printf, 2, 3)))
rc_log(struct store_rc *rc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int64_t now = rc_now();

	if (rc->log_last != 0 && now - rc->log_last < STORE_RC_LOG_NS) {
		rc->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rc->log_suppressed > 0)
		log_warnx("store: rrdcached %s: %s (%llu similar suppressed)",
		    rc->address, msg, (unsigned long long)rc->log_suppressed);
	else
		log_warnx("store: rrdcached %s: %s", rc->address, msg);
	rc->log_last = now;
	rc->log_suppressed = 0;
}

static void
rc_close(struct store_rc *rc)
{
	if (rc->fd >= 0)
		close(rc->fd);
	rc->fd = -1;
	rc->inlen = 0;
	rc->replay = 1;
	rc->retry_at = rc_now() + rc->backoff;
	rc->backoff *= 2;
	if (rc->backoff > STORE_RC_BACKOFF_MAX_NS)
		rc->backoff = STORE_RC_BACKOFF_MAX_NS;
	atomic_store(&rc->connected, 0);
}

/* A connected stream socket to one address, or -errno. */
static int
rc_dial(int family, const struct sockaddr *sa, socklen_t salen)
{
	struct timeval tv = { STORE_RC_IO_TIMEOUT_S, 0 };
	struct pollfd pfd;
	socklen_t el = sizeof(int);
	int fd, e = 0, fl;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, sa, salen) != 0) {
		if (errno != EINPROGRESS && errno != EAGAIN) {
			e = -errno;
			goto fail;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, STORE_RC_IO_TIMEOUT_S * 1000) != 1) {
			e = -ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 ||
		    e != 0) {
			e = e != 0 ? -e : -errno;
			goto fail;
		}
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		e = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return e;
}

static int
rc_connect(struct store_rc *rc)
{
	struct sockaddr_un sun;
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -ECONNREFUSED, rv;

	if (rc->addr.is_unix) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, rc->addr.path, strlen(rc->addr.path) + 1);
		fd = rc_dial(AF_UNIX, (struct sockaddr *)&sun, sizeof(sun));
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		rv = getaddrinfo(rc->addr.host, rc->addr.port, &hints, &res);
		if (rv != 0) {
			rc_log(rc, "%s", gai_strerror(rv));
			return -EHOSTUNREACH;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if ((fd = rc_dial(ai->ai_family, ai->ai_addr,
			    ai->ai_addrlen)) >= 0)
				break;
		freeaddrinfo(res);
	}
	if (fd < 0) {
		rc_log(rc, "connect: %s", strerror(-fd));
		return fd;
	}
	rc->fd = fd;
	rc->inlen = 0;
	rc->backoff = STORE_RC_BACKOFF_MIN_NS;
	rc->retry_at = 0;
	if (rc->ever_connected)
		rc_count(rc, RC_RECONNECTS, 1);
	rc->ever_connected = 1;
	atomic_store(&rc->connected, 1);
	log_info("store: connected to rrdcached %s (%zu updates to replay, "
	    "%zu pending)", rc->address, rc->replay ? rc->window.n : 0,
	    rc->pending.n);
	return 0;
}

static int
rc_write(struct store_rc *rc, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(rc->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One answer line into out (cut to outlen - 1 bytes), without '\n'. */
static int
rc_read_line(struct store_rc *rc, char *out, size_t outlen)
{
	char *nl;
	size_t k, cut = 0;
	ssize_t n;

	for (;;) {
		nl = memchr(rc->in, '\n', rc->inlen);
		if (nl != NULL)
			break;
		if (rc->inlen == sizeof(rc->in)) {	/* over-long: cut */
			if (cut == 0) {
				k = outlen - 1 < rc->inlen ? outlen - 1 :
				    rc->inlen;
				memcpy(out, rc->in, k);
				out[k] = '\0';
			}
			cut = 1;
			rc->inlen = 0;
		}
		n = recv(rc->fd, rc->in + rc->inlen,
		    sizeof(rc->in) - rc->inlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		rc->inlen += (size_t)n;
	}
	k = (size_t)(nl - rc->in);
	if (!cut) {
		size_t c = k < outlen - 1 ? k : outlen - 1;

		memcpy(out, rc->in, c);
		out[c] = '\0';
	}
	memmove(rc->in, nl + 1, rc->inlen - k - 1);
	rc->inlen -= k + 1;
	return 0;
}

/* The leading integer of an answer line. */
static int
rc_status(const char *line, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(line, &end, 10);
	return errno == 0 && end != line ? 0 : -EPROTO;
}

/*
 * Send rc->chunk[0..n) as one BATCH and fill rc->res[0..n). Returns 0, or
 * a negative errno when the connection failed (the caller closes it).
 */
static int
rc_batch(struct store_rc *rc, size_t n)
{
	char line[STORE_RC_ANSWER_MAX], *msg;
	size_t need = 8, i, at = 0;
	long nerr, k, idx;
	char *nb;
	int e;

	for (i = 0; i < n; i++)
		need += rc->chunk[i]->len;
	if (need > rc->outcap) {
		nb = realloc(rc->out, need);
		if (nb == NULL)
			return -ENOMEM;
		rc->out = nb;
		rc->outcap = need;
	}
	memcpy(rc->out, "BATCH\n", 6);
	at = 6;
	for (i = 0; i < n; i++) {
		memcpy(rc->out + at, rc->chunk[i]->text, rc->chunk[i]->len);
		at += rc->chunk[i]->len;
		rc->res[i] = STORE_RC_OK;
	}
	memcpy(rc->out + at, ".\n", 2);
	if ((e = rc_write(rc, rc->out, at + 2)) != 0)
		return e;
	rc_count(rc, RC_SENT, n);
	if ((e = rc_read_line(rc, line, sizeof(line))) != 0)
		return e;
	if (rc_status(line, &k) != 0 || k != 0) {
		rc_log(rc, "BATCH refused: %s", line);
		return -EPROTO;
	}
	if ((e = rc_read_line(rc, line, sizeof(line))) != 0)
		return e;
	if (rc_status(line, &nerr) != 0 || nerr < 0 || (size_t)nerr > n)
		return -EPROTO;
	for (k = 0; k < nerr; k++) {
		if ((e = rc_read_line(rc, line, sizeof(line))) != 0)
			return e;
		if (rc_status(line, &idx) != 0 || idx < 1 || (size_t)idx > n)
			return -EPROTO;
		msg = strchr(line, ' ');
		msg = msg != NULL ? msg + 1 : line;
		rc->res[idx - 1] = store_rc_classify(msg);
		if (rc->res[idx - 1] == STORE_RC_ERROR)
			rc_log(rc, "%s", msg);
	}
	return 0;
}

/* Resend the window (replay set) in chunks; the lines stay in it. */
static int
rc_replay(struct store_rc *rc)
{
	struct store_rc_line *x = rc->window.head;
	size_t n, i;
	int e;

	while (x != NULL) {
		for (n = 0; x != NULL && n < STORE_RC_CHUNK; x = x->next)
			rc->chunk[n++] = x;
		if ((e = rc_batch(rc, n)) != 0)
			return e;
		rc_count(rc, RC_REPLAYED, n);
		for (i = 0; i < n; i++) {
			if (rc->res[i] == STORE_RC_OK)
				rc_count(rc, RC_ACKED, 1);
			else if (rc->res[i] == STORE_RC_ALREADY)
				rc_count(rc, RC_ALREADY, 1);
			else
				rc_count(rc, RC_ERRORS, 1);
		}
	}
	rc->replay = 0;
	return 0;
}

/* Send pending lines in chunks; answered ones leave the pending list. */
static int
rc_send_pending(struct store_rc *rc)
{
	struct store_rc_line *x;
	size_t n, i;
	int64_t now;
	int e;

	while (rc->pending.head != NULL) {
		n = 0;
		for (x = rc->pending.head; x != NULL && n < STORE_RC_CHUNK;
		    x = x->next)
			rc->chunk[n++] = x;
		if ((e = rc_batch(rc, n)) != 0) {
			for (i = 0; i < n; i++)
				rc->chunk[i]->resend = 1;
			return e;
		}
		now = rc_now();
		for (i = 0; i < n; i++) {
			x = store_rc_list_pop(&rc->pending);
			if (x->resend)
				rc_count(rc, RC_REPLAYED, 1);
			switch (rc->res[i]) {
			case STORE_RC_OK:
				rc_count(rc, RC_ACKED, 1);
				rc_count(rc, RC_WRITTEN, 1);
				store_rc_window_add(&rc->window, x, now,
				    STORE_RC_WINDOW_NS, rc->window_max);
				break;
			case STORE_RC_ALREADY:
				rc_count(rc, x->resend ? RC_ALREADY : RC_STALE,
				    1);
				if (x->resend)
					store_rc_window_add(&rc->window, x,
					    now, STORE_RC_WINDOW_NS,
					    rc->window_max);
				else
					free(x);
				break;
			default:
				rc_count(rc, RC_ERRORS, 1);
				x->text[7 + x->pathlen] = '\0';
				rc->forget(rc->arg, x->text + 7);
				free(x);
			}
		}
	}
	return 0;
}

/* --- the API ------------------------------------------------------------- */

int
store_rc_new(const char *address, size_t window_max,
    void (*forget)(void *, const char *), void *arg, struct store_rc **out,
    char *err, size_t errlen)
{
	struct store_rc *rc;
	int rc_err, i;

	*out = NULL;
	rc = calloc(1, sizeof(*rc));
	if (rc == NULL || (rc->address = strdup(address)) == NULL) {
		free(rc);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc_err = store_rc_parse_address(address, &rc->addr, err, errlen);
	if (rc_err != 0) {
		store_rc_free(rc);
		return rc_err;
	}
	rc->fd = -1;
	rc->backoff = STORE_RC_BACKOFF_MIN_NS;
	rc->window_max = window_max > 0 ? window_max : 1;
	rc->forget = forget;
	rc->arg = arg;
	atomic_init(&rc->connected, 0);
	for (i = 0; i < RC_COUNT; i++)
		atomic_init(&rc->ctr[i], 0);
	*out = rc;
	return 0;
}

void
store_rc_free(struct store_rc *rc)
{
	if (rc == NULL)
		return;
	if (rc->fd >= 0)
		close(rc->fd);
	store_rc_list_clear(&rc->pending);
	store_rc_list_clear(&rc->window);
	free(rc->out);
	free(rc->address);
	free(rc);
}

int
store_rc_update(struct store_rc *rc, const char *path, int64_t when,
    const char *values)
{
	struct store_rc_line *x = store_rc_line_new(path, when, values);

	if (x == NULL)
		return -ENOMEM;
	store_rc_list_push(&rc->pending, x);
	return 0;
}

int
store_rc_send(struct store_rc *rc, int force)
{
	int e;

	if (rc->fd < 0) {
		if (!force && rc_now() < rc->retry_at)
			return -ENOTCONN;
		if (rc_connect(rc) != 0) {
			rc_close(rc);
			rc_count(rc, RC_ERRORS, 1);
			return -ENOTCONN;
		}
	}
	if ((rc->replay && (e = rc_replay(rc)) != 0) ||
	    (e = rc_send_pending(rc)) != 0) {
		rc_log(rc, "connection lost: %s (%zu updates kept)",
		    strerror(-e), rc->pending.n);
		rc_close(rc);
		rc_count(rc, RC_ERRORS, 1);
		return -ENOTCONN;
	}
	return 0;
}

int
store_rc_flush(struct store_rc *rc, const char *path)
{
	char line[STORE_RC_ANSWER_MAX], *cmd;
	size_t len = strlen(path) + 8;
	long st;
	int e;

	if (store_rc_send(rc, 0) != 0)
		return -ENOTCONN;
	cmd = malloc(len);
	if (cmd == NULL)
		return -ENOMEM;
	snprintf(cmd, len, "FLUSH %s\n", path);
	e = rc_write(rc, cmd, len - 1);
	free(cmd);
	if (e == 0)
		e = rc_read_line(rc, line, sizeof(line));
	if (e == 0)
		e = rc_status(line, &st);
	for (; e == 0 && st > 0; st--)	/* lines following a status > 0 */
		e = rc_read_line(rc, line, sizeof(line));
	if (e != 0) {
		rc_log(rc, "FLUSH: %s", strerror(-e));
		rc_close(rc);
		rc_count(rc, RC_ERRORS, 1);
		return -ENOTCONN;
	}
	return 0;	/* "-1 No such file" too: nothing was cached */
}

size_t
store_rc_pending(const struct store_rc *rc)
{
	return rc->pending.n;
}

int64_t
store_rc_retry_at(const struct store_rc *rc)
{
	return rc->fd >= 0 ? 0 : rc->retry_at;
}

int
store_rc_connected(const struct store_rc *rc)
{
	return rc->fd >= 0;
}

void
store_rc_drop(struct store_rc *rc, size_t more)
{
	size_t n = rc->pending.n + more;

	if (n > 0)
		log_warnx("store: rrdcached %s unreachable at stop: %zu "
		    "updates lost", rc->address, n);
	rc_count(rc, RC_DROPPED, n);
	store_rc_list_clear(&rc->pending);
}

void
store_rc_get_counters(struct store_rc *rc, struct store_rc_counters *c)
{
#define GET(i)	atomic_load_explicit(&rc->ctr[i], memory_order_relaxed)
	c->connected = (uint64_t)atomic_load(&rc->connected);
	c->reconnects = GET(RC_RECONNECTS);
	c->sent = GET(RC_SENT);
	c->acked = GET(RC_ACKED);
	c->replayed = GET(RC_REPLAYED);
	c->replayed_already_applied = GET(RC_ALREADY);
	c->errors = GET(RC_ERRORS);
	c->dropped = GET(RC_DROPPED);
	c->written = GET(RC_WRITTEN);
	c->stale = GET(RC_STALE);
#undef GET
}
