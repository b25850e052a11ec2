/*
 * Unit tests for query: a real loop and a real UNIX socket in a fresh
 * mkdtemp() folder per test. Test clients are non-blocking sockets in the
 * same process; whenever a client would wait, the test runs one loop pass,
 * so the server side makes progress between client steps. query_call(),
 * which blocks, runs in a forked child while the test runs the loop.
 *
 * No test depends on how long anything takes: waits are bounded only by a
 * count of idle passes, a guard against hanging when something is broken.
 */
#ifdef HAVE_CONFIG_H
#include "config.h" /* _GNU_SOURCE: accept4, pipe2 */
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loop.h"
#include "query.h"

/* Idle loop passes (100 ms each at most) before a test gives up. */
#define TEST_IDLE_PASSES 100
#define TEST_PASS_NS (100 * LOOP_NS_PER_MSEC)

struct fixture {
	char dir[64];
	char path[96];
	struct loop *loop;
	struct query *q;
	unsigned handled;
};

struct tcli {
	int fd;
	char *buf;
	size_t len;
	size_t cap;
	bool eof;
};

/* The handler a daemon would register, with a few test ops:
 * status (fixed data), echo (answers {"id": id}), big (a string of "n"
 * bytes with "id"), fail (an error); anything else is unknown. */
static int
test_handler(const char *op, json_t *req, json_t **data, char *err,
             size_t errlen, void *arg)
{
	struct fixture *f = arg;
	json_int_t n;
	char *s;

	f->handled++;
	if (strcmp(op, "status") == 0) {
		*data = json_pack("{s:{s:s,s:i},s:[{s:s,s:s}],s:[]}", "program",
		                  "name", "pharosd", "pid", 42, "hosts", "name",
		                  "core-sw1", "state", "UP", "services");
		return 0;
	}
	if (strcmp(op, "echo") == 0) {
		*data = json_pack("{s:O}", "id", json_object_get(req, "id"));
		return 0;
	}
	if (strcmp(op, "big") == 0) {
		n = json_integer_value(json_object_get(req, "n"));
		if ((s = malloc((size_t)n)) == NULL)
			return -1;
		memset(s, 'x', (size_t)n);
		*data =
		    json_pack("{s:O,s:s%}", "id", json_object_get(req, "id"),
		              "blob", s, (size_t)n);
		free(s);
		return 0;
	}
	if (strcmp(op, "fail") == 0) {
		snprintf(err, errlen, "boom");
		return -1;
	}
	snprintf(err, errlen, "unknown op: %s", op);
	return -1;
}

static int
setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/pharos-test-query-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/pharos.qh", f->dir);
	assert_int_equal(loop_new(&f->loop), 0);
	*state = f;
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f;
	char err[256];

	setup_dir(state);
	f = *state;
	assert_int_equal(query_new(f->loop, f->path, test_handler, f, &f->q,
	                           err, sizeof(err)),
	                 0);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	query_free(f->q);
	loop_free(f->loop);
	(void)unlink(f->path);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}

/* Run passes that have something to do, until one has nothing. */
static void
drain(struct fixture *f)
{
	int i, ran;

	for (i = 0; i < 10000; i++) {
		ran = loop_run_once(f->loop, 0);
		assert_true(ran >= 0);
		if (ran == 0)
			return;
	}
	fail_msg("the loop never went idle");
}

static void
tcli_open(struct fixture *f, struct tcli *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof(*c));
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)),
	                 0);
}

static void
tcli_close(struct tcli *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

static void
tcli_send(struct fixture *f, struct tcli *c, const char *p, size_t n)
{
	int idle = 0;
	ssize_t w;

	while (n > 0) {
		w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			idle = 0;
			continue;
		}
		assert_true(errno == EAGAIN || errno == EINTR);
		if (loop_run_once(f->loop, TEST_PASS_NS) == 0)
			assert_true(++idle < TEST_IDLE_PASSES);
	}
}

static void
tcli_puts(struct fixture *f, struct tcli *c, const char *s)
{
	tcli_send(f, c, s, strlen(s));
}

/* The next response line (caller frees), or NULL at EOF. */
static char *
tcli_line(struct fixture *f, struct tcli *c)
{
	char *nl, *line, *p;
	size_t n;
	ssize_t r;
	int idle = 0;

	for (;;) {
		nl = c->len > 0 ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl != NULL) {
			n = (size_t)(nl - c->buf);
			line = strndup(c->buf, n);
			assert_non_null(line);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return line;
		}
		if (c->eof)
			return NULL;
		if (c->cap - c->len < 65536) {
			c->cap = c->cap * 2 + 65536;
			p = realloc(c->buf, c->cap);
			assert_non_null(p);
			c->buf = p;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r > 0) {
			c->len += (size_t)r;
			idle = 0;
		} else if (r == 0 || errno == ECONNRESET) {
			c->eof = true;
		} else {
			assert_true(errno == EAGAIN || errno == EINTR);
			if (loop_run_once(f->loop, TEST_PASS_NS) == 0)
				assert_true(++idle < TEST_IDLE_PASSES);
		}
	}
}

/* The next response, parsed and checked for the envelope. */
static json_t *
tcli_resp(struct fixture *f, struct tcli *c)
{
	json_error_t jerr;
	json_t *resp;
	char *line = tcli_line(f, c);

	assert_non_null(line);
	resp = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (resp == NULL)
		fail_msg("bad response line: %s (%s)", line, jerr.text);
	free(line);
	assert_true(json_is_object(resp));
	assert_int_equal(json_integer_value(json_object_get(resp, "v")), 1);
	assert_true(json_is_boolean(json_object_get(resp, "ok")));
	return resp;
}

static void
assert_error(json_t *resp, const char *text)
{
	assert_true(json_is_false(json_object_get(resp, "ok")));
	assert_string_equal(json_string_value(json_object_get(resp, "error")),
	                    text);
	assert_null(json_object_get(resp, "data"));
	json_decref(resp);
}

static void
assert_echo(json_t *resp, json_int_t id)
{
	json_t *data = json_object_get(resp, "data");

	assert_true(json_is_true(json_object_get(resp, "ok")));
	assert_int_equal(json_integer_value(json_object_get(data, "id")), id);
	json_decref(resp);
}

static void
test_query_socket_is_mode_0660(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
}

static void
test_query_status_answered_as_one_compact_line(void **state)
{
	struct fixture *f = *state;
	struct tcli c;
	char *line;

	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"status\"}\n");
	line = tcli_line(f, &c);
	assert_string_equal(
	    line,
	    "{\"v\":1,\"ok\":true,\"data\":{\"program\":{\"name\":\"pharosd\","
	    "\"pid\":42},\"hosts\":[{\"name\":\"core-sw1\",\"state\":\"UP\"}],"
	    "\"services\":[]}}");
	free(line);
	assert_int_equal(query_get_counters(f->q)->requests, 1);
	assert_int_equal(query_get_counters(f->q)->bad_requests, 0);
	tcli_close(&c);
}

static void
test_query_two_requests_in_one_write_answered_in_order(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c,
	          "{\"v\":1,\"op\":\"echo\",\"id\":1}\n"
	          "{\"v\":1,\"op\":\"echo\",\"id\":2}\n");
	assert_echo(tcli_resp(f, &c), 1);
	assert_echo(tcli_resp(f, &c), 2);
	assert_int_equal(query_get_counters(f->q)->requests, 2);
	tcli_close(&c);
}

static void
test_query_request_split_across_writes(void **state)
{
	struct fixture *f = *state;
	const char *req = "{\"v\":1,\"op\":\"echo\",\"id\":7}";
	struct tcli c;
	char byte;
	size_t i;

	tcli_open(f, &c);
	for (i = 0; req[i] != '\0'; i++) {
		tcli_send(f, &c, req + i, 1);
		drain(f);
	}
	/* Everything but the newline: no answer yet. */
	assert_int_equal(recv(c.fd, &byte, 1, 0), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(f->handled, 0);
	tcli_puts(f, &c, "\n");
	assert_echo(tcli_resp(f, &c), 7);
	tcli_close(&c);
}

static void
test_query_bad_json_answered_and_connection_kept(void **state)
{
	struct fixture *f = *state;
	json_t *resp;
	const char *msg;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c, "{nope\n");
	resp = tcli_resp(f, &c);
	assert_true(json_is_false(json_object_get(resp, "ok")));
	msg = json_string_value(json_object_get(resp, "error"));
	assert_non_null(msg);
	assert_true(strncmp(msg, "bad request: ", 13) == 0);
	assert_true(strlen(msg) > 13);
	json_decref(resp);

	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"id\":3}\n");
	assert_echo(tcli_resp(f, &c), 3);
	assert_int_equal(query_get_counters(f->q)->bad_requests, 1);
	assert_int_equal(query_get_counters(f->q)->requests, 2);
	assert_int_equal(f->handled, 1);
	tcli_close(&c);
}

static void
test_query_duplicate_keys_and_non_objects_are_bad_requests(void **state)
{
	struct fixture *f = *state;
	json_t *resp;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"op\":\"status\"}\n");
	resp = tcli_resp(f, &c);
	assert_true(json_is_false(json_object_get(resp, "ok")));
	assert_true(strncmp(json_string_value(json_object_get(resp, "error")),
	                    "bad request: ", 13) == 0);
	json_decref(resp);
	tcli_puts(f, &c, "[1,2]\n");
	assert_error(tcli_resp(f, &c), "bad request: not a JSON object");
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\"} trailing\n");
	resp = tcli_resp(f, &c);
	assert_true(json_is_false(json_object_get(resp, "ok")));
	json_decref(resp);
	assert_int_equal(query_get_counters(f->q)->bad_requests, 3);
	assert_int_equal(f->handled, 0);
	tcli_close(&c);
}

static void
test_query_wrong_version_refused(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":2,\"op\":\"status\"}\n");
	assert_error(tcli_resp(f, &c), "unsupported protocol version");
	tcli_puts(f, &c, "{\"op\":\"status\"}\n");
	assert_error(tcli_resp(f, &c), "unsupported protocol version");
	tcli_puts(f, &c, "{\"v\":\"1\",\"op\":\"status\"}\n");
	assert_error(tcli_resp(f, &c), "unsupported protocol version");
	tcli_puts(f, &c, "{\"v\":1.0,\"op\":\"status\"}\n");
	assert_error(tcli_resp(f, &c), "unsupported protocol version");
	assert_int_equal(query_get_counters(f->q)->bad_requests, 4);
	assert_int_equal(f->handled, 0);
	tcli_close(&c);
}

static void
test_query_missing_op_refused(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1}\n");
	assert_error(tcli_resp(f, &c), "missing op");
	tcli_puts(f, &c, "{\"v\":1,\"op\":5}\n");
	assert_error(tcli_resp(f, &c), "missing op");
	assert_int_equal(query_get_counters(f->q)->bad_requests, 2);
	assert_int_equal(f->handled, 0);
	tcli_close(&c);
}

static void
test_query_handler_error_answered(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"fail\"}\n");
	assert_error(tcli_resp(f, &c), "boom");
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"nope\"}\n");
	assert_error(tcli_resp(f, &c), "unknown op: nope");
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"id\":4}\n");
	assert_echo(tcli_resp(f, &c), 4);
	assert_int_equal(query_get_counters(f->q)->requests, 3);
	assert_int_equal(query_get_counters(f->q)->bad_requests, 0);
	tcli_close(&c);
}

static void
test_query_blank_lines_ignored(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c, "\n\r\n \t\n{\"v\":1,\"op\":\"echo\",\"id\":5}\r\n");
	assert_echo(tcli_resp(f, &c), 5);
	assert_int_equal(query_get_counters(f->q)->requests, 1);
	tcli_close(&c);
}

/* A request of exactly n bytes before its newline. */
static char *
padded_request(size_t n)
{
	const char *head = "{\"v\":1,\"op\":\"echo\",\"id\":9,\"pad\":\"";
	size_t hl = strlen(head);
	char *s = malloc(n + 2);

	assert_non_null(s);
	assert_true(n > hl + 2);
	memcpy(s, head, hl);
	memset(s + hl, 'x', n - hl - 2);
	memcpy(s + n - 2, "\"}\n", 4);
	return s;
}

static void
test_query_longest_line_accepted(void **state)
{
	struct fixture *f = *state;
	struct tcli c;
	char *req = padded_request(QUERY_MAX_LINE);

	tcli_open(f, &c);
	tcli_send(f, &c, req, QUERY_MAX_LINE + 1);
	assert_echo(tcli_resp(f, &c), 9);
	assert_int_equal(query_get_counters(f->q)->oversized, 0);
	free(req);
	tcli_close(&c);
}

static void
test_query_oversized_line_answered_then_closed(void **state)
{
	struct fixture *f = *state;
	struct tcli c, d;
	json_t *resp;
	const char *msg;
	char *req = padded_request(QUERY_MAX_LINE + 1);

	tcli_open(f, &c);
	/* The line and its newline: the server stops reading at the limit,
	 * so send only what it reads (the newline stays unsent). */
	tcli_send(f, &c, req, QUERY_MAX_LINE + 1);
	resp = tcli_resp(f, &c);
	assert_true(json_is_false(json_object_get(resp, "ok")));
	msg = json_string_value(json_object_get(resp, "error"));
	assert_non_null(strstr(msg, "too long"));
	json_decref(resp);
	assert_null(tcli_line(f, &c)); /* closed */
	assert_int_equal(query_get_counters(f->q)->oversized, 1);
	assert_int_equal(query_get_counters(f->q)->requests, 0);
	assert_int_equal(f->handled, 0);
	free(req);
	tcli_close(&c);

	tcli_open(f, &d);
	tcli_puts(f, &d, "{\"v\":1,\"op\":\"echo\",\"id\":10}\n");
	assert_echo(tcli_resp(f, &d), 10);
	tcli_close(&d);
}

static void
test_query_eof_after_complete_line_still_answered(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(
	    f, &c,
	    "{\"v\":1,\"op\":\"echo\",\"id\":11}\n{\"v\":1,\"op\":\"echo\"");
	assert_int_equal(shutdown(c.fd, SHUT_WR), 0);
	assert_echo(tcli_resp(f, &c), 11);
	/* The unterminated rest is dropped and the server closes. */
	assert_null(tcli_line(f, &c));
	assert_int_equal(query_get_counters(f->q)->requests, 1);
	tcli_close(&c);
}

static void
test_query_client_disconnects_mid_request(void **state)
{
	struct fixture *f = *state;
	struct tcli c;
	int i;

	/* Half a request, then gone. */
	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"sta");
	drain(f);
	tcli_close(&c);
	drain(f);

	/* Requests it never reads the answers of (writes hit EPIPE, which
	 * must not raise SIGPIPE). */
	tcli_open(f, &c);
	for (i = 0; i < 50; i++)
		tcli_puts(f, &c,
		          "{\"v\":1,\"op\":\"big\",\"id\":1,\"n\":4096}\n");
	tcli_close(&c);
	drain(f);

	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"id\":12}\n");
	assert_echo(tcli_resp(f, &c), 12);
	tcli_close(&c);
}

static void
test_query_slow_reader_gets_every_response_in_order(void **state)
{
	struct fixture *f = *state;
	char req[128];
	struct tcli c;
	json_t *resp, *data;
	int i, n = 12;

	tcli_open(f, &c);
	for (i = 1; i <= n; i++) {
		snprintf(req, sizeof(req),
		         "{\"v\":1,\"op\":\"big\",\"id\":%d,\"n\":500000}\n",
		         i);
		tcli_puts(f, &c, req);
	}
	/* EOF while answers are pending must not lose them. */
	assert_int_equal(shutdown(c.fd, SHUT_WR), 0);
	/* The client reads nothing: the loop must still go idle (nothing
	 * blocks, nothing spins) with answers held back. */
	drain(f);
	assert_true(f->handled < (unsigned)n);
	for (i = 1; i <= n; i++) {
		resp = tcli_resp(f, &c);
		data = json_object_get(resp, "data");
		assert_int_equal(
		    json_integer_value(json_object_get(data, "id")), i);
		assert_int_equal(
		    json_string_length(json_object_get(data, "blob")), 500000);
		json_decref(resp);
	}
	assert_null(tcli_line(f, &c));
	assert_int_equal(f->handled, n);
	tcli_close(&c);
}

static void
test_query_response_over_cap_replaced_by_error(void **state)
{
	struct fixture *f = *state;
	struct tcli c;

	tcli_open(f, &c);
	tcli_puts(f, &c,
	          "{\"v\":1,\"op\":\"big\",\"id\":1,\"n\":16777216}\n"
	          "{\"v\":1,\"op\":\"echo\",\"id\":13}\n");
	assert_error(tcli_resp(f, &c), "response too large");
	assert_echo(tcli_resp(f, &c), 13);
	tcli_close(&c);
}

static void
test_query_too_many_clients_refused(void **state)
{
	struct fixture *f = *state;
	struct tcli c[QUERY_MAX_CLIENTS + 1], extra;
	int i;

	for (i = 0; i <= QUERY_MAX_CLIENTS; i++)
		tcli_open(f, &c[i]);
	drain(f);
	assert_int_equal(query_get_counters(f->q)->refused_clients, 1);

	/* The last one was told why, then closed. */
	assert_error(tcli_resp(f, &c[QUERY_MAX_CLIENTS]), "too many clients");
	assert_null(tcli_line(f, &c[QUERY_MAX_CLIENTS]));
	tcli_close(&c[QUERY_MAX_CLIENTS]);

	for (i = 0; i < QUERY_MAX_CLIENTS; i++) {
		tcli_puts(f, &c[i], "{\"v\":1,\"op\":\"echo\",\"id\":14}\n");
		assert_echo(tcli_resp(f, &c[i]), 14);
	}

	/* A slot freed is a slot to take. */
	tcli_close(&c[0]);
	drain(f);
	tcli_open(f, &extra);
	tcli_puts(f, &extra, "{\"v\":1,\"op\":\"echo\",\"id\":15}\n");
	assert_echo(tcli_resp(f, &extra), 15);
	assert_int_equal(query_get_counters(f->q)->refused_clients, 1);
	tcli_close(&extra);
	for (i = 1; i < QUERY_MAX_CLIENTS; i++)
		tcli_close(&c[i]);
}

static void
test_query_out_of_descriptors_pauses_accepting(void **state)
{
	struct fixture *f = *state;
	struct rlimit old, low;
	struct tcli c;
	int lowest;

	/* Let the client take the last descriptor allowed, so that the
	 * server's accept() fails with EMFILE. */
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)lowest + 1;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	tcli_open(f, &c);
	assert_int_equal(c.fd, lowest);
	/* Accepting pauses instead of spinning: the loop goes idle. */
	drain(f);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);

	/* and resumes on its own: the waiting client is served. */
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"id\":18}\n");
	assert_echo(tcli_resp(f, &c), 18);
	tcli_close(&c);
}

/* A socket file nobody listens on, as a crashed daemon leaves it. */
static void
make_stale_socket(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

static void
test_query_stale_socket_replaced(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct tcli c;

	make_stale_socket(f->path);
	assert_int_equal(query_new(f->loop, f->path, test_handler, f, &f->q,
	                           err, sizeof(err)),
	                 0);
	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"id\":16}\n");
	assert_echo(tcli_resp(f, &c), 16);
	tcli_close(&c);
}

static void
test_query_live_socket_not_replaced(void **state)
{
	struct fixture *f = *state;
	struct query *q2 = (struct query *)0x1;
	char err[256] = "";
	struct tcli c;

	assert_int_equal(
	    query_new(f->loop, f->path, test_handler, f, &q2, err, sizeof(err)),
	    -EADDRINUSE);
	assert_null(q2);
	assert_non_null(strstr(err, "in use"));
	tcli_open(f, &c);
	tcli_puts(f, &c, "{\"v\":1,\"op\":\"echo\",\"id\":17}\n");
	assert_echo(tcli_resp(f, &c), 17);
	tcli_close(&c);
}

static void
test_query_regular_file_refused_and_kept(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", buf[16] = "";
	struct stat st;
	FILE *fp;

	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("precious\n", fp);
	fclose(fp);
	assert_int_equal(query_new(f->loop, f->path, test_handler, f, &f->q,
	                           err, sizeof(err)),
	                 -EEXIST);
	assert_null(f->q);
	assert_non_null(strstr(err, "not a socket"));
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "precious\n");
}

static void
test_query_path_too_long_refused(void **state)
{
	struct fixture *f = *state;
	char path[200], err[256] = "";

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(
	    query_new(f->loop, path, test_handler, f, &f->q, err, sizeof(err)),
	    -ENAMETOOLONG);
	assert_true(err[0] != '\0');
}

static void
test_query_free_unlinks_socket(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	struct tcli c;

	tcli_open(f, &c); /* an open client is closed too */
	drain(f);
	query_free(f->q);
	f->q = NULL;
	assert_int_equal(lstat(f->path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(tcli_line(f, &c));
	tcli_close(&c);
	query_free(NULL);
}

struct call {
	const char *path;
	json_t *req;
	int timeout_ms;
	/* results */
	int rc;
	char err[256];
	json_t *resp;
	/* the child's report: rc, err and the response text */
	char report[4096];
	size_t reportlen;
	bool done;
};

static void
call_read(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct call *k = arg;
	ssize_t n;

	n = read(fd, k->report + k->reportlen,
	         sizeof(k->report) - k->reportlen);
	if (n > 0)
		k->reportlen += (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		k->done = true;
}

/* query_call() in a forked child while this process runs the loop. The
 * child reports "rc\nerr\nresponse" through a pipe. */
static void
call_with_loop(struct fixture *f, struct call *k)
{
	json_error_t jerr;
	char *text, *nl1, *nl2;
	int p[2], idle = 0, status;
	json_t *resp = NULL;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *fp;

		close(p[0]);
		k->rc = query_call(k->path, k->req, k->timeout_ms, &resp,
		                   k->err, sizeof(k->err));
		text = resp != NULL ? json_dumps(resp, JSON_COMPACT) : NULL;
		fcntl(p[1], F_SETFL, 0);
		if ((fp = fdopen(p[1], "w")) == NULL)
			_exit(2);
		fprintf(fp, "%d\n%s\n%s", k->rc, k->err,
		        text != NULL ? text : "");
		fclose(fp);
		_exit(0);
	}
	close(p[1]);
	k->done = false;
	k->reportlen = 0;
	assert_int_equal(loop_io_add(f->loop, p[0], LOOP_READ, call_read, k),
	                 0);
	while (!k->done)
		if (loop_run_once(f->loop, TEST_PASS_NS) == 0)
			assert_true(++idle < TEST_IDLE_PASSES);
	loop_io_del(f->loop, p[0]);
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_true(k->reportlen < sizeof(k->report));
	k->report[k->reportlen] = '\0';
	nl1 = strchr(k->report, '\n');
	assert_non_null(nl1);
	nl2 = strchr(nl1 + 1, '\n');
	assert_non_null(nl2);
	*nl1 = *nl2 = '\0';
	k->rc = (int)strtol(k->report, NULL, 10);
	snprintf(k->err, sizeof(k->err), "%s", nl1 + 1);
	k->resp = nl2[1] != '\0' ? json_loads(nl2 + 1, 0, &jerr) : NULL;
}

static void
test_query_call_round_trip(void **state)
{
	struct fixture *f = *state;
	struct call k = {.path = f->path, .timeout_ms = 10000};
	json_t *hosts;

	k.req = json_pack("{s:i,s:s}", "v", 1, "op", "status");
	call_with_loop(f, &k);
	assert_int_equal(k.rc, 0);
	assert_true(json_is_true(json_object_get(k.resp, "ok")));
	hosts = json_object_get(json_object_get(k.resp, "data"), "hosts");
	assert_int_equal(json_array_size(hosts), 1);
	json_decref(k.resp);
	json_decref(k.req);

	/* An error answer is a successful call. */
	memset(&k, 0, sizeof(k));
	k.path = f->path;
	k.timeout_ms = 10000;
	k.req = json_pack("{s:i,s:s}", "v", 2, "op", "status");
	call_with_loop(f, &k);
	assert_int_equal(k.rc, 0);
	assert_string_equal(json_string_value(json_object_get(k.resp, "error")),
	                    "unsupported protocol version");
	json_decref(k.resp);
	json_decref(k.req);
}

static void
test_query_call_cannot_connect(void **state)
{
	struct fixture *f = *state;
	char path[160], err[256] = "";
	json_t *req = json_pack("{s:i,s:s}", "v", 1, "op", "status");
	json_t *resp = (json_t *)0x1;

	snprintf(path, sizeof(path), "%s/none.qh", f->dir);
	assert_int_equal(query_call(path, req, 1000, &resp, err, sizeof(err)),
	                 -ENOENT);
	assert_null(resp);
	assert_non_null(strstr(err, "cannot connect to"));
	assert_non_null(strstr(err, path));

	/* A socket file nobody listens on. */
	make_stale_socket(path);
	assert_int_equal(query_call(path, req, 1000, &resp, err, sizeof(err)),
	                 -ECONNREFUSED);
	assert_int_equal(unlink(path), 0);
	json_decref(req);
}

static void
test_query_call_times_out_without_answer(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char err[256] = "";
	json_t *req = json_pack("{s:i,s:s}", "v", 1, "op", "status");
	json_t *resp = NULL;
	int fd;

	/* Listens, never answers: the call must give up on its own. */
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(query_call(f->path, req, 50, &resp, err, sizeof(err)),
	                 -ETIMEDOUT);
	assert_null(resp);
	assert_non_null(strstr(err, "no response"));
	close(fd);
	json_decref(req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
#define D(name) cmocka_unit_test_setup_teardown(name, setup_dir, teardown)
	    T(test_query_socket_is_mode_0660),
	    T(test_query_status_answered_as_one_compact_line),
	    T(test_query_two_requests_in_one_write_answered_in_order),
	    T(test_query_request_split_across_writes),
	    T(test_query_bad_json_answered_and_connection_kept),
	    T(test_query_duplicate_keys_and_non_objects_are_bad_requests),
	    T(test_query_wrong_version_refused),
	    T(test_query_missing_op_refused),
	    T(test_query_handler_error_answered),
	    T(test_query_blank_lines_ignored),
	    T(test_query_longest_line_accepted),
	    T(test_query_oversized_line_answered_then_closed),
	    T(test_query_eof_after_complete_line_still_answered),
	    T(test_query_client_disconnects_mid_request),
	    T(test_query_slow_reader_gets_every_response_in_order),
	    T(test_query_response_over_cap_replaced_by_error),
	    T(test_query_too_many_clients_refused),
	    T(test_query_out_of_descriptors_pauses_accepting),
	    D(test_query_stale_socket_replaced),
	    T(test_query_live_socket_not_replaced),
	    D(test_query_regular_file_refused_and_kept),
	    D(test_query_path_too_long_refused),
	    T(test_query_free_unlinks_socket),
	    T(test_query_call_round_trip),
	    D(test_query_call_cannot_connect),
	    D(test_query_call_times_out_without_answer),
#undef T
#undef D
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
