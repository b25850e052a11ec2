/*
 * store_rrdcached: the metric store's client of rrdcached, internal to the
 * store (only graphs/store.c and the unit tests include it). It speaks
 * rrdcached's text protocol itself ("UPDATE file ts:v1:v2" in BATCH
 * blocks, "FLUSH file") over a UNIX or TCP socket, so it needs nothing of
 * librrd: no global connection, its own timeouts, MSG_NOSIGNAL writes.
 * Every function except the pure helpers and store_rc_get_counters() is
 * called by the store's writer thread only.
 *
 * It keeps three things: the connection (with reconnect backoff), the
 * pending list (updates not yet acknowledged, in order), and the replay
 * window (updates acknowledged in the last STORE_RC_WINDOW_NS, resent
 * first after every reconnect because rrdcached buffers its journal and
 * may lose acknowledged updates when it is killed). See docs/graphs.md.
 */
#ifndef PHAROS_STORE_RRDCACHED_H
#define PHAROS_STORE_RRDCACHED_H

#include <stddef.h>
#include <stdint.h>

#define STORE_RC_PORT		"42217"	/* rrdcached's default TCP port */
#define STORE_RC_WINDOW_NS	(10LL * 1000000000LL)	/* replay window */
#define STORE_RC_BACKOFF_MIN_NS	(200LL * 1000000LL)
#define STORE_RC_BACKOFF_MAX_NS	(5LL * 1000000000LL)
#define STORE_RC_IO_TIMEOUT_S	10	/* connect, send, answer */
#define STORE_RC_CHUNK		1024	/* UPDATE lines per BATCH */
#define STORE_RC_PATH_MAX	108	/* sun_path */
#define STORE_RC_HOST_MAX	255

/* An address in the forms rrdcached's -l takes. */
struct store_rc_addr {
	int is_unix;
	char path[STORE_RC_PATH_MAX];		/* is_unix */
	char host[STORE_RC_HOST_MAX + 1];	/* otherwise */
	char port[6];
};

/*
 * Parse text (borrowed): "unix:/path" or "/path" (a UNIX socket; the path
 * must be absolute), "host", "host:port", "[v6addr]" or "[v6addr]:port",
 * or a bare IPv6 address (more than one ':'); the port defaults to 42217.
 * Returns 0, or -EINVAL with a message in err (errlen bytes).
 */
int store_rc_parse_address(const char *text, struct store_rc_addr *a,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* One UPDATE line, pending or in the replay window. */
struct store_rc_line {
	struct store_rc_line *next;
	int64_t acked_ns;	/* monotonic time of rrdcached's "0" answer */
	int resend;		/* sent before without an answer */
	size_t len;		/* of text, with the '\n' */
	size_t pathlen;		/* the path is text + 7 ("UPDATE ") */
	char text[];
};

/* A FIFO of lines; the list owns them. Zero-initialized is empty. */
struct store_rc_list {
	struct store_rc_line *head, *tail;
	size_t n;
};

/* A new line "UPDATE <path> <when>:<values>\n"; NULL when out of memory.
 * path and values are borrowed. Caller frees (free()). */
struct store_rc_line *store_rc_line_new(const char *path, int64_t when,
    const char *values);
void store_rc_list_push(struct store_rc_list *l, struct store_rc_line *x);
struct store_rc_line *store_rc_list_pop(struct store_rc_list *l);
void store_rc_list_clear(struct store_rc_list *l);

/*
 * Add x (takes ownership), acknowledged at now_ns, to the window w, then
 * drop from its head the lines acknowledged before now_ns - span_ns and
 * the oldest beyond max lines. Returns how many were dropped for max.
 */
size_t store_rc_window_add(struct store_rc_list *w, struct store_rc_line *x,
    int64_t now_ns, int64_t span_ns, size_t max);

/* How rrdcached answered one line of a BATCH. */
enum store_rc_result {
	STORE_RC_OK,
	STORE_RC_ALREADY,	/* "illegal attempt to update ..." */
	STORE_RC_ERROR,
};
enum store_rc_result store_rc_classify(const char *msg);

struct store_rc_counters {
	uint64_t connected;		/* 0 or 1 */
	uint64_t reconnects;		/* connections after the first */
	uint64_t sent;			/* lines sent, replays included */
	uint64_t acked;			/* "0" answers, replays included */
	uint64_t replayed;		/* lines sent again after a reconnect */
	uint64_t replayed_already_applied;
	uint64_t errors;		/* refused lines, connection failures */
	uint64_t dropped;		/* pending lines given up at stop */
	uint64_t written;		/* first acknowledgements */
	uint64_t stale;			/* refused for their time, first send */
};

struct store_rc;

/*
 * A client of address (borrowed), not connected yet: the first
 * store_rc_send() connects. window_max bounds the replay window. forget
 * (with arg) is called with a path (borrowed) whose update rrdcached
 * refused with an error, so the store re-reads that file. Returns 0 or
 * -EINVAL/-ENOMEM with a message in err. Free with store_rc_free().
 */
int store_rc_new(const char *address, size_t window_max,
    void (*forget)(void *, const char *), void *arg, struct store_rc **out,
    char *err, size_t errlen) __attribute__((warn_unused_result));
void store_rc_free(struct store_rc *rc);

/* Append an update to the pending list (path, values borrowed; values
 * are "v1:v2..." in the file's DS order). Returns 0 or -ENOMEM. */
int store_rc_update(struct store_rc *rc, const char *path, int64_t when,
    const char *values) __attribute__((warn_unused_result));

/*
 * Connect if needed (when force, or when the backoff has passed), resend
 * the replay window after a new connection, then send every pending
 * line. Returns 0 when nothing is pending any more, -ENOTCONN when
 * rrdcached is unreachable (pending lines are kept for the next call).
 */
int store_rc_send(struct store_rc *rc, int force);

/* Send the pending lines, then have rrdcached write path to disk (before
 * librrd reads or changes the file). Returns 0 or -ENOTCONN. */
int store_rc_flush(struct store_rc *rc, const char *path);

size_t store_rc_pending(const struct store_rc *rc);

int store_rc_connected(const struct store_rc *rc);

/* 0 when connected, else the monotonic time (ns) of the next attempt. */
int64_t store_rc_retry_at(const struct store_rc *rc);

/* Give up the pending lines and more updates the caller discards (at
 * stop, rrdcached unreachable); logged once and counted. */
void store_rc_drop(struct store_rc *rc, size_t more);

/* Safe from any thread. */
void store_rc_get_counters(struct store_rc *rc, struct store_rc_counters *c);

#endif
