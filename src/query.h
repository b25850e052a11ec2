/*
 * query: the query socket. A UNIX stream socket (mode 0660) on the event
 * loop; clients send one JSON object per line and get one JSON object per
 * line back, in order. The protocol is a public interface, documented in
 * docs/query-protocol.md:
 *
 *   request   {"v":1,"op":"status", ...}
 *   response  {"v":1,"ok":true,"data":{...}}
 *             {"v":1,"ok":false,"error":"..."}
 *
 * This module owns framing, limits and errors (bad JSON, wrong version,
 * oversized lines, unknown ops); what an op answers is up to the handler the
 * daemon registers.
 */
#ifndef PHAROS_QUERY_H
#define PHAROS_QUERY_H

#include <jansson.h>
#include <stddef.h>

struct loop;
struct query;

/* Longest request line accepted; longer ones get an error and the
 * connection is closed. */
#define QUERY_MAX_LINE (64 * 1024)
/* Most clients connected at once; more are accepted and closed at once. */
#define QUERY_MAX_CLIENTS 64

struct query_counters {
	unsigned long long requests;
	unsigned long long bad_requests; /* bad JSON, version, fields, op */
	unsigned long long oversized;
	unsigned long long refused_clients;
};

/* Answer one request. req is borrowed (a JSON object with "v":1 and a
 * string "op", already checked). Return 0 and set *data (a new reference,
 * taken by the caller) for success, or return -1 and fill err for an error
 * response. */
typedef int query_handler_fn(const char *op, json_t *req, json_t **data,
    char *err, size_t errlen, void *arg);

/* Create the socket at path (an existing stale socket file is replaced),
 * chmod 0660, and watch it on loop. Fills err on failure. Returns 0 or
 * -errno. */
int query_new(struct loop *loop, const char *path, query_handler_fn *fn,
    void *arg, struct query **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Close every client and the socket, unlink the path, free. NULL no-op. */
void query_free(struct query *q);
const struct query_counters *query_get_counters(const struct query *q);

/* Client side, used by the `pharos` command: connect to path, send req
 * (borrowed) as one line, read one response line within timeout_ms and parse
 * it into *resp (caller decrefs). Returns 0 or -errno (err filled). */
int query_call(const char *path, json_t *req, int timeout_ms, json_t **resp,
    char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
