/*
 * store: the metric store. Perfdata of check results become RRD files,
 * rrd_dir/<host>/<service>.rrd (the host check is _HOST_.rrd), one data
 * source per perfdata label. The event loop thread submits updates; one
 * writer thread owned by the store does every librrd call and all disk
 * I/O, so the loop never blocks on disk. librrd stays behind this module:
 * nothing of rrd.h appears here. See docs/graphs.md.
 */
#ifndef PHAROS_STORE_H
#define PHAROS_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_QUEUE_DEFAULT	100000	/* queued updates */
#define STORE_DS_NAME_MAX	19	/* RRD's limit on DS names */
#define STORE_NAME_MAX		200	/* bytes, escaped */
#define STORE_FILE_DS_MAX	128	/* data sources one file may get */

struct store;

struct store_options {
	size_t queue_max;	/* 0: STORE_QUEUE_DEFAULT */
	int start_paused;	/* writer waits for store_resume() (tests) */
	/* Send updates to rrdcached at this address (borrowed; the forms of
	 * rrdcached -l: unix:/path, /path, host, host:port, [v6]:port);
	 * NULL: librrd writes the files directly. Files are still created
	 * and tuned with librrd: rrdcached must see rrd_dir at the same
	 * absolute path. See docs/graphs.md, "rrdcached". */
	const char *rrdcached_address;
};

/* A snapshot of the counters; every field but rrdcached_connected only
 * grows. */
struct store_counters {
	uint64_t submitted;		/* store_submit() calls queued */
	uint64_t written;		/* successful rrd updates */
	uint64_t dropped_queue_full;	/* refused: the queue was full */
	uint64_t bad_perfdata_items;	/* malformed items skipped */
	uint64_t bad_names;		/* host/service name too long */
	uint64_t rrd_errors;		/* librrd calls that failed */
	uint64_t files_created;
	uint64_t ds_added;		/* labels added to existing files */
	uint64_t ds_refused;		/* duplicate DS or file at DS cap */
	uint64_t coalesced;		/* updates merged into another one */
	uint64_t stale;			/* not after the last update */
	/* With rrdcached_address (all 0 without): */
	uint64_t rrdcached_connected;	/* 0 or 1, the only gauge */
	uint64_t reconnects;		/* connections after the first */
	uint64_t sent;			/* UPDATE lines sent, replays too */
	uint64_t acked;			/* lines rrdcached accepted */
	uint64_t replayed;		/* lines sent again after a reconnect */
	uint64_t replayed_already_applied;	/* ...that it already had */
	uint64_t rrdcached_errors;	/* refused lines, connection failures */
	uint64_t rrdcached_dropped;	/* lost at stop: unreachable */
};

/*
 * Create the store writing under rrd_dir (borrowed; created with mode 0755
 * if missing, its parent must exist) and start its writer thread. opt may
 * be NULL for defaults. With opt->rrdcached_address, rrd_dir must be an
 * absolute path without white space or backslash; rrdcached need not be up
 * yet. On failure returns -errno and writes a message to
 * err (errlen bytes). *out is freed with store_free().
 */
int store_new(const char *rrd_dir, const struct store_options *opt,
    struct store **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Queue the perfdata (borrowed) of one result of host (borrowed) and
 * service (borrowed; NULL for the host check), checked at when_s (epoch
 * seconds) every step_s seconds (the check interval; used only when the
 * file is created). Parses and maps names on the calling thread, then
 * enqueues under a mutex held only for the enqueue: never touches the
 * disk and never waits. Returns 0; -ENOBUFS when the queue is full (the
 * update is dropped and counted); -ENAMETOOLONG for names too long;
 * -ENODATA when no valid item remains; -ESHUTDOWN after store_stop();
 * -ENOMEM. Callers may ignore the
 * result: every outcome is counted. Call from one thread at a time.
 */
int store_submit(struct store *s, const char *host, const char *service,
    int64_t when_s, const char *perfdata, int64_t step_s);

/* Let a writer started with start_paused run. */
void store_resume(struct store *s);

/* Drain the queue (every update already queued is written; the queue is
 * bounded so this is too) and join the writer. Counters stay readable.
 * With rrdcached, one more connection attempt is made at once; if it
 * fails the updates still queued are lost (rrdcached_dropped).
 * Idempotent. No store_submit() after this. */
void store_stop(struct store *s);

/* Copy the counters into *c. Safe from any thread. */
void store_get_counters(struct store *s, struct store_counters *c);

/* store_stop() if needed, then free. NULL is a no-op. */
void store_free(struct store *s);

/*
 * Names, exposed for tests and for graph code that must find the files.
 *
 * store_name_escape: name (borrowed) as one file-system-safe path
 * component: bytes outside [A-Za-z0-9_.-], and a leading '.', become %XX;
 * the empty name becomes "%". Distinct names give distinct results.
 * Returns 0, or -ENAMETOOLONG when the result exceeds STORE_NAME_MAX or
 * len bytes.
 *
 * store_ds_name: the DS name of a perfdata label (borrowed), into out
 * (STORE_DS_NAME_MAX + 1 bytes). A label that is already 1-19 bytes of
 * [A-Za-z0-9_] is its own name; any other is sanitized, cut to 12 bytes
 * and suffixed with '_' and 6 hex digits of a hash of the whole label, so
 * the mapping is stable and distinct labels get distinct names.
 *
 * store_path: the file of host and service (NULL: the host check),
 * rrd_dir/<escaped host>/<escaped service or _HOST_>.rrd, into buf.
 * Returns 0 or -ENAMETOOLONG.
 */
int store_name_escape(const char *name, char *buf, size_t len)
    __attribute__((warn_unused_result));
void store_ds_name(const char *label, char *out);
int store_path(const char *rrd_dir, const char *host, const char *service,
    char *buf, size_t len) __attribute__((warn_unused_result));

#endif
