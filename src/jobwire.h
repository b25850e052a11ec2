/*
 * jobwire: the sealed payloads that travel through gearmand between
 * pharosd and pharos-worker (docs/scaling.md, "Security model").
 *
 * A payload is "PJW1" (4 bytes), a 24-byte random nonce, then a libsodium
 * secretbox (XSalsa20-Poly1305: 16-byte MAC + ciphertext) of a JSON object:
 *
 *   { "v": 1, "t": "job" | "result", "id": "<32 hex>",
 *     "exp": <epoch ms>, "body": { ... } }
 *
 * Both ends share one 32-byte key (poller_key_file). Opening checks, in
 * this order: length and magic, the MAC (a wrong key or any changed byte
 * fails here), the JSON, the version, the kind (a job cannot be replayed
 * as a result), the id, and the expiry against the caller's wall clock.
 * The body is then read into struct jobwire_job or struct jobwire_result
 * with every field type- and range-checked.
 */
#ifndef PHAROS_JOBWIRE_H
#define PHAROS_JOBWIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "snmp.h"

#define JOBWIRE_KEYBYTES 32
#define JOBWIRE_ID_LEN 32       /* hex characters */
#define JOBWIRE_MAX_PAYLOAD (256 * 1024)
#define JOBWIRE_MAX_ARGS 64

struct jobwire_key {
	unsigned char k[JOBWIRE_KEYBYTES];
};

enum jobwire_kind {
	JOBWIRE_JOB,
	JOBWIRE_RESULT,
};

/* What a worker runs. kind: "icmp", "snmp", "snmp_if", "arp" (built-ins,
 * args as $ARGn$) or "plugin" (argv: the command line already expanded by the
 * monitor, argv[0] an absolute path). Strings are owned (jobwire_job_clear
 * frees them). */
struct jobwire_job {
	char *poller;
	char *result_queue;
	char *host;
	char *service;   /* NULL for a host check */
	char *kind;
	char *address;
	char **args;     /* builtins */
	size_t nargs;
	char **argv;     /* plugins */
	size_t nargv;
	bool host_check;
	int64_t timeout_ms;
	bool has_snmp;
	struct snmp_target snmp; /* addr empty: the worker fills address */
};

/* What comes back. Strings owned (jobwire_result_clear). */
struct jobwire_result {
	char *worker;
	int code;            /* 0..3 */
	char *output;        /* never NULL after a successful read */
	char *long_output;   /* may be NULL */
	char *perfdata;      /* may be NULL */
	int64_t start_time;  /* epoch seconds */
	int64_t duration_ms;
};

/* sodium_init(); 0 or -1. Call once before the others. */
int jobwire_init(void) __attribute__((warn_unused_result));

/* Read the shared key from path: exactly 32 raw bytes, or 64 hex digits
 * with an optional final newline. The file must be a regular file not
 * writable by group or others and not readable by others (0600 or 0640).
 * Returns 0 or -errno with err filled. */
int jobwire_key_load(const char *path, struct jobwire_key *key, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* A fresh random job id (JOBWIRE_ID_LEN hex digits and a NUL). */
void jobwire_new_id(char id[JOBWIRE_ID_LEN + 1]);

/* Seal body (borrowed) as a payload of kind with id and expiry (epoch
 * ms). *out is malloc'd (caller frees). Returns 0, -ENOMEM or -EINVAL
 * (bad id, body not an object or too large). */
int jobwire_seal(const struct jobwire_key *key, enum jobwire_kind kind,
    const char *id, int64_t expires_ms, json_t *body, unsigned char **out,
    size_t *outlen) __attribute__((warn_unused_result));

/* Open a payload of kind. now_ms: wall clock in epoch ms. On success id,
 * *expires_ms and *body (a new reference: caller json_decref()s) are set.
 * Returns 0 or, with err filled:
 *   -EBADMSG  too short, wrong magic, or fails authentication (bad key,
 *             tampered);
 *   -EPROTO   authentic but not valid JSON of the envelope (version, kind,
 *             id, exp, body);
 *   -ETIME    expired. */
int jobwire_open(const struct jobwire_key *key, enum jobwire_kind kind,
    const void *buf, size_t len, int64_t now_ms,
    char id[JOBWIRE_ID_LEN + 1], int64_t *expires_ms, json_t **body,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Bodies. _json: a new object (NULL: out of memory). _read: fill *out
 * from body (borrowed); 0, -ENOMEM or -EINVAL with err naming the bad
 * field. On failure *out is cleared. */
json_t *jobwire_job_json(const struct jobwire_job *job);
int jobwire_job_read(json_t *body, struct jobwire_job *out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
void jobwire_job_clear(struct jobwire_job *job);

json_t *jobwire_result_json(const struct jobwire_result *res);
int jobwire_result_read(json_t *body, struct jobwire_result *out, char *err,
    size_t errlen) __attribute__((warn_unused_result));
void jobwire_result_clear(struct jobwire_result *res);

/* Wall clock in epoch milliseconds. */
int64_t jobwire_now_ms(void);

#endif
