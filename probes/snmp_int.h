/*
 * snmp_int: what the files of the SNMP poller share (snmp.c: requests,
 * queues, matching of incoming packets; snmp_answer.c: what an answer
 * means for a GET or a walk; snmp_sess.c: net-snmp sessions, v3 discovery,
 * varbind conversion). Internal: only probes/snmp*.c include it; net-snmp's
 * headers and macros stay behind it, never in snmp.h.
 */
#ifndef PHAROS_SNMP_INT_H
#define PHAROS_SNMP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>
#pragma GCC diagnostic pop

#include "loop.h"
#include "snmp.h"

#define SNMP_KEY_MAX 1536
#define SNMP_DEFAULT_REPS 10
#define SNMP_DEFAULT_INFLIGHT 1024
#define SNMP_RECENT 32      /* request-ids an agent remembers as finished */

enum snmp_agent_state { AGENT_NEW, AGENT_DISCOVER, AGENT_READY, AGENT_FAILED };
enum snmp_req_kind { REQ_GET, REQ_WALK };
enum snmp_req_list { ON_NONE, ON_QUEUE, ON_FLIGHT, ON_READY };

struct snmp_req;

struct snmp_list {
	struct snmp_req *head, *tail;
};

struct snmp_agent {
	struct snmp_agent *next;
	struct snmp_poller *p;
	char key[SNMP_KEY_MAX];
	size_t hash;             /* of key, for the poller's agent table */
	struct snmp_target t;
	enum snmp_agent_state state;  /* set with snmp_agent_set_state */
	char fail[256];          /* why AGENT_FAILED */
	void *sess;              /* net-snmp single session, or NULL */
	int fd;
	void *probe;             /* v3 discovery session, or NULL */
	int probe_fd;
	int probe_reqid;
	struct loop_timer timer;       /* retransmissions of sess */
	struct loop_timer probe_timer; /* and of probe */
	struct snmp_list flight;
	int inflight;            /* requests holding a slot on this agent */
	bool closing;
	/* request-ids that left the wire (answered, timed out, cancelled),
	 * a ring: a later answer carrying one is a duplicate or late (stale),
	 * any other unmatched one is unmatched */
	long recent[SNMP_RECENT];
	unsigned recent_next;
	/* v3: what the last packet the USM refused said, for the timeout
	 * text ("" = nothing); cleared by the next good answer */
	char secnote[200];
	/* the packet net-snmp is processing on a session passed the parse
	 * and snmp_packet_check (set by the post-parse hook, cleared by the
	 * pre-parse hook): net-snmp 5.9 also calls the session callback from
	 * inside the parse with the decoded PDU of a v3 message whose digest
	 * is wrong (usm_handle_report), and that must never be an answer */
	bool verified;
};

/* One OID of a GET and its answer. */
struct snmp_get_item {
	oid name[MAX_OID_LEN];
	size_t len;
	netsnmp_variable_list *val;  /* the answer (owned), NULL while due */
};

struct snmp_req {
	struct snmp_req *prev, *next;
	enum snmp_req_list on;
	struct snmp_poller *p;
	struct snmp_agent *agent;
	enum snmp_req_kind kind;
	snmp_done_fn *done;
	snmp_each_fn *each;
	void *arg;
	int reqid;               /* of the PDU on the wire, 0 if none */
	long msgid;              /* and its v3 message ID */
	bool held;               /* holds an agent and a poller slot */
	bool busy;               /* inside each(): cancel is deferred */
	bool cancelled;
	/* GET: the OIDs in caller order; a PDU carries up to chunk of the
	 * unanswered ones (halved on tooBig), their indices in sent[] */
	struct snmp_get_item *items;
	size_t n;
	size_t *sent;
	size_t nsent;
	size_t chunk;
	/* walk */
	oid root[MAX_OID_LEN];
	size_t root_len;
	oid cur[MAX_OID_LEN];
	size_t cur_len;
	int reps;
	uint64_t rows;
	/* the answer, from net-snmp's callback to kick (snmp_answer_keep) */
	int op;
	netsnmp_pdu *resp;       /* owned */
};

struct snmp_poller {
	struct loop *loop;
	struct snmp_poller_opts o;
	struct snmp_agent *agents;     /* all, in one list */
	/* the same agents by key: open addressing, linear probing, a power
	 * of two slots at most half full (NULL = free); never shrinks, as
	 * agents live until the poller is freed */
	struct snmp_agent **tab;
	size_t tab_cap;
	size_t nagents;
	size_t nfailed;                /* agents in AGENT_FAILED */
	struct snmp_list queue;
	struct snmp_list ready;
	struct loop_timer kick;
	size_t inflight;
	size_t pending;
	struct snmp_counters c;
};

/* Converted varbinds: every string they point to lives in one buffer,
 * grown as net-snmp's sprint_realloc_* functions grow theirs. */
struct snmp_vbset {
	struct snmp_vb *vbs;
	size_t n;
	u_char *arena;
	size_t size;         /* allocated */
	size_t used;
};

/* snmp.c */
/* Arm the poller's zero-delay timer that processes answers and starts
 * queued requests (outside net-snmp and outside the API calls). */
void snmp_kick_arm(struct snmp_poller *p);
/* net-snmp's callback of the real sessions; magic is the agent. */
int snmp_nsnmp_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic);
/* Classify a packet net-snmp parsed (ret: its parse result) on a's real
 * session before net-snmp matches it: count what is dropped (malformed,
 * refused by the USM, stale, unmatched). Returns 0 to make net-snmp drop
 * it (an unmatched PDU never reaches a request), 1 to let it through. */
int snmp_packet_check(struct snmp_agent *a, netsnmp_pdu *pdu, int ret);
/* Finish r: release its slots, call done once, free it. */
void snmp_req_finish(struct snmp_req *r, enum snmp_status st,
    const char *error, const struct snmp_vb *vbs, size_t nvbs);
/* Put r (on no list, holding its slots) back on the wire for its next
 * PDU; finishes it on failure. */
void snmp_req_resend(struct snmp_req *r);
/* Every change of a->state goes through here (it counts FAILED agents). */
void snmp_agent_set_state(struct snmp_agent *a, enum snmp_agent_state st);

/* snmp_answer.c */
/* Process the answer (or timeout) of r, popped from the ready list: walk
 * step, GET part, retry after tooBig/noSuchName, or finish. */
void snmp_req_answer(struct snmp_req *r);
/* Free what a GET holds (answers, arrays); r itself stays. */
void snmp_get_items_free(struct snmp_req *r);
/* What a request keeps of the answer pdu that net-snmp hands to its
 * callback (and frees after it): see snmp_answer.c. Caller frees with
 * snmp_free_pdu. NULL on -ENOMEM. */
netsnmp_pdu *snmp_answer_keep(netsnmp_pdu *pdu);

/* snmp_sess.c */
/* Initialise net-snmp once per process (no configs, no MIBs, numeric). */
void snmp_lib_init(void);
/* ".1.3.6..." of o into buf (len > 0; always terminated, truncated if
 * short). */
void snmp_oid_text(char *buf, size_t len, const oid *o, size_t n);
/* Convert the first n varbinds of list into s (caller frees with
 * snmp_vbset_free; list is borrowed and may be freed after the build).
 * Returns 0 or -ENOMEM (s empty). */
int snmp_vbset_build(struct snmp_vbset *s, const netsnmp_variable_list *list,
    size_t n);
void snmp_vbset_free(struct snmp_vbset *s);
/* The engine ID id in hex (at most 32 bytes) into buf. */
void snmp_engine_hex(char *buf, size_t len, const u_char *id, size_t idlen);
/* Hex (optional 0x) to bytes. Returns 0 or -EINVAL. */
int snmp_hex_decode(const char *hex, u_char *out, size_t max, size_t *len);
/* The OIDs of auth= and priv= (net-snmp's, SNMP_PROTO_LEN sub-ids each,
 * as every USM protocol OID). */
#define SNMP_PROTO_LEN USM_AUTH_PROTO_SHA_LEN
const oid *snmp_auth_proto(enum snmp_auth auth);
const oid *snmp_priv_proto(enum snmp_priv priv);
/* Make s (snmp_sess_init'ed) a v3 session of t's user at t's security
 * level: protocols and keys (Ku) from t's passphrases. The name points
 * into t (net-snmp copies it at open); the protocol OIDs are allocated,
 * the caller frees them, failure or not. Returns 0, or -EINVAL with err
 * filled (a key that cannot be made). */
int snmp_sess_v3(netsnmp_session *s, const struct snmp_target *t, char *err,
    size_t errlen) __attribute__((warn_unused_result));
/* Open the agent's session (engine: v3 engine ID or NULL); on failure the
 * agent is AGENT_FAILED with a->fail set. */
void snmp_agent_open(struct snmp_agent *a, u_char *engine,
    size_t englen);
/* v3: send the engine ID discovery (state AGENT_DISCOVER or FAILED). */
void snmp_agent_discover(struct snmp_agent *a);
/* Point timer t at net-snmp's next retransmission deadline of sess. */
void snmp_agent_rearm(struct snmp_agent *a, void *sess, struct loop_timer *t);
/* Close *sess (stop its timer and watcher); NULL is a no-op. */
void snmp_agent_close(struct snmp_agent *a, void **sess, int *fd,
    struct loop_timer *t);
/* The retransmission timers of an agent's sessions. */
void snmp_agent_on_timer(struct loop *loop, struct loop_timer *t, void *arg);

#endif
