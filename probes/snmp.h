/*
 * snmp: the asynchronous SNMP poller (GET and walks), v1, v2c and v3.
 *
 * All SNMP traffic of a process goes through one poller on the event loop.
 * It keeps one net-snmp single session per agent identity (address, port,
 * version and credentials), opened on first use and reused until the poller
 * is freed; each session's socket is watched by the loop and its
 * retransmissions are driven by one loop timer. Nothing ever blocks.
 *
 * At most max_per_agent requests run at a time on one agent (default 1) and
 * max_inflight on the whole poller; the rest wait in one FIFO. A walk holds
 * its slot from its first PDU to its last.
 *
 * This header only uses Pharos types: net-snmp stays inside snmp.c.
 */
#ifndef PHAROS_SNMP_H
#define PHAROS_SNMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct snmp_poller;
struct snmp_req;

#define SNMP_STR_MAX 256            /* community, user, passphrases */
#define SNMP_WALK_ROWS_MAX 1000000  /* default cap on a walk's varbinds */
#define SNMP_GET_OIDS_MAX 128       /* OIDs of one GET */

enum snmp_version { SNMP_V1 = 1, SNMP_V2C = 2, SNMP_V3 = 3 };
enum snmp_seclevel { SNMP_NOAUTH = 1, SNMP_AUTHNOPRIV, SNMP_AUTHPRIV };
enum snmp_auth { SNMP_AUTH_MD5 = 1, SNMP_AUTH_SHA, SNMP_AUTH_SHA256 };
enum snmp_priv { SNMP_PRIV_DES = 1, SNMP_PRIV_AES };

/* One agent and how to talk to it. Copied by the poller: the caller's
 * struct is borrowed for the duration of the call only. */
struct snmp_target {
	char addr[64];           /* numeric IPv4 or IPv6 address */
	uint16_t port;           /* 0 = 161 */
	enum snmp_version version;
	char community[SNMP_STR_MAX];       /* v1, v2c */
	char user[SNMP_STR_MAX];            /* v3 */
	enum snmp_seclevel seclevel;
	enum snmp_auth auth;
	char auth_pass[SNMP_STR_MAX];
	enum snmp_priv priv;
	char priv_pass[SNMP_STR_MAX];
	char engine_id[2 * 32 + 1];  /* v3: hex, "" = discover */
	int64_t timeout_ns;      /* per try; 0 = 1 s */
	int retries;             /* 0..20 */
	int bulk_reps;           /* GETBULK max-repetitions; 0 = 10 */
};

enum snmp_type {
	SNMP_T_INTEGER,
	SNMP_T_STRING,      /* OCTET STRING: bytes */
	SNMP_T_OID,         /* string holds the dotted OID */
	SNMP_T_IPADDRESS,   /* bytes (4) */
	SNMP_T_COUNTER32,   /* u */
	SNMP_T_GAUGE32,     /* u */
	SNMP_T_TIMETICKS,   /* u */
	SNMP_T_OPAQUE,      /* bytes */
	SNMP_T_COUNTER64,   /* u */
	SNMP_T_NULL,
	SNMP_T_NOSUCHOBJECT,
	SNMP_T_NOSUCHINSTANCE,
	SNMP_T_ENDOFMIBVIEW,
	SNMP_T_OTHER,
};

/* One variable binding. Everything it points to is owned by the poller and
 * borrowed by callbacks: valid only while the callback runs. */
struct snmp_vb {
	const char *oid;      /* numeric, leading dot: ".1.3.6.1.2.1.1.5.0" */
	enum snmp_type type;
	int64_t i;            /* SNMP_T_INTEGER */
	uint64_t u;           /* unsigned kinds */
	const unsigned char *bytes; /* STRING, IPADDRESS, OPAQUE; OID text */
	size_t len;
	const char *text;     /* net-snmp's numeric rendering, as snmpget -On:
				 ".1.3.6.1.2.1.1.5.0 = STRING: \"core1\"" */
};

enum snmp_status {
	SNMP_OK,
	SNMP_TIMEOUT,    /* no answer after all retries */
	SNMP_ERROR,      /* error-status, bad walk (non-increasing OID), cap */
	SNMP_ABORTED,    /* cancelled or poller freed */
};

/* The outcome of a request; borrowed by the done callback. For a GET, vbs
 * holds one varbind per requested OID, in the order asked
 * (noSuchObject/noSuchInstance marked in its type; a v1 agent's noSuchName
 * comes back as noSuchObject for that OID); for a walk, vbs is NULL (rows
 * came through each_fn). */
struct snmp_result {
	enum snmp_status status;
	char error[256];      /* "" when OK */
	const struct snmp_vb *vbs;
	size_t nvbs;
	uint64_t rows;        /* walk: varbinds delivered */
};

/* Exactly once per accepted request, whatever the outcome. The request
 * handle is invalid once this returns. Must not free the poller; may start
 * or cancel other requests. */
typedef void snmp_done_fn(const struct snmp_result *res, void *arg);
/* A walk's batch of rows, in order, all inside the subtree (borrowed). */
typedef void snmp_each_fn(const struct snmp_vb *vbs, size_t n, void *arg);

struct snmp_poller_opts {
	int max_per_agent;     /* in-flight requests per agent; 0 = 1 */
	int max_inflight;      /* whole poller; 0 = 1024 */
	uint64_t max_rows;     /* per walk; 0 = SNMP_WALK_ROWS_MAX */
};

/* Every packet that arrives on a session socket is counted once: it
 * reached a request (responses) or was dropped as malformed,
 * unauthenticated, stale or unmatched. */
struct snmp_counters {
	uint64_t requests;     /* accepted */
	uint64_t ok, timeouts, errors, aborted;
	uint64_t pdus_sent;    /* first sends, not retransmissions */
	uint64_t responses;    /* PDUs that reached a request */
	uint64_t stale;        /* answers for a request-id no longer on the
				  wire: duplicates, late answers, answers
				  to cancelled requests (dropped) */
	uint64_t toobig_retries; /* walks: GETBULK resent with half the
				    repetitions */
	uint64_t sessions;     /* opened */
	uint64_t agent_inflight_max; /* high-water mark on one agent */
	uint64_t inflight_max;       /* high-water mark on the poller */
	uint64_t engine_probes;      /* v3 engine ID discoveries sent */
	/* added with the hardening against bad agents and packets */
	uint64_t malformed;    /* packets net-snmp could not decode (bad
				  BER, unknown version; dropped) */
	uint64_t unauthenticated; /* v3 packets the USM refused (unknown
				     engine or user, bad digest, not in
				     time window, cannot decrypt) */
	uint64_t unmatched;    /* well-formed PDUs that answer nothing this
				  session sent: unknown request-id, or not
				  a response (dropped) */
	uint64_t retransmits;  /* PDUs sent again after a timeout */
	uint64_t toobig_splits;      /* GETs split in two after tooBig */
	uint64_t nosuchname_retries; /* v1 GETs resent without the OID the
					agent reported noSuchName for */
};

/* Create a poller on loop (borrowed; must outlive the poller). Initialises
 * net-snmp on first use in the process (no config files, no MIBs, numeric
 * OIDs) and raises RLIMIT_NOFILE's soft limit to the hard limit (each agent
 * holds a socket). opts may be NULL. Returns 0 or -errno. Caller frees. */
int snmp_poller_new(struct loop *loop, const struct snmp_poller_opts *opts,
    struct snmp_poller **out) __attribute__((warn_unused_result));
/* Abort every request (done callbacks fire with SNMP_ABORTED), close the
 * sessions, free. NULL is a no-op. Never from a poller callback. */
void snmp_poller_free(struct snmp_poller *p);
void snmp_poller_counters(const struct snmp_poller *p,
    struct snmp_counters *out);
/* Requests accepted and not yet done. */
size_t snmp_poller_pending(const struct snmp_poller *p);

/* GET the n numeric OIDs (dotted strings, borrowed for the call). On 0 the
 * request is accepted: done fires exactly once, never from inside this
 * call; *req (optional) is its handle for snmp_cancel until then. Returns
 * -EINVAL for bad arguments (err filled). An agent's tooBig splits the GET
 * into smaller ones; a v1 agent's noSuchName marks that OID and the GET is
 * sent again without it. */
int snmp_get(struct snmp_poller *p, const struct snmp_target *t,
    const char *const *oids, size_t n, snmp_done_fn *done, void *arg,
    struct snmp_req **req, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Walk the subtree under root: GETBULK for v2c/v3, GETNEXT for v1. Rows
 * come through each in batches; the walk ends at the end of the subtree or
 * at endOfMibView (OK), on a non-increasing OID or the row cap (ERROR).
 * Same contract as snmp_get otherwise. */
int snmp_walk(struct snmp_poller *p, const struct snmp_target *t,
    const char *root, snmp_each_fn *each, snmp_done_fn *done, void *arg,
    struct snmp_req **req, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Abort a pending request: its done fires now with SNMP_ABORTED. A late
 * answer is dropped and counted as stale. */
void snmp_cancel(struct snmp_poller *p, struct snmp_req *req);

/* Parse the text of a target: "ADDR", "ADDR:PORT", "[V6ADDR]:PORT" into
 * t->addr and t->port (numeric addresses only). Returns 0 or -EINVAL. */
int snmp_target_parse_addr(struct snmp_target *t, const char *s)
    __attribute__((warn_unused_result));

#endif
