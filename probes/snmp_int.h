/*
 * snmp_int: what the files of the SNMP poller share (snmp.c: requests,
 * queues and walks; snmp_sess.c: net-snmp sessions, v3 discovery, varbind
 * conversion). Internal: only probes/snmp*.c include it; net-snmp's
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
	struct snmp_target t;
	enum snmp_agent_state state;
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
	/* GET */
	oid (*oids)[MAX_OID_LEN];
	size_t *oid_lens;
	size_t n;
	/* walk */
	oid root[MAX_OID_LEN];
	size_t root_len;
	oid cur[MAX_OID_LEN];
	size_t cur_len;
	int reps;
	uint64_t rows;
	/* the answer, from net-snmp's callback to kick */
	int op;
	netsnmp_pdu *resp;       /* clone, owned */
};

struct snmp_poller {
	struct loop *loop;
	struct snmp_poller_opts o;
	struct snmp_agent *agents;
	struct snmp_list queue;
	struct snmp_list ready;
	struct loop_timer kick;
	size_t inflight;
	size_t pending;
	struct snmp_counters c;
};

struct snmp_vbset {
	struct snmp_vb *vbs;
	size_t n;
	char **bufs;         /* everything the vbs point to */
	size_t nbufs;
};

/* snmp.c */
/* Arm the poller's zero-delay timer that processes answers and starts
 * queued requests (outside net-snmp and outside the API calls). */
void snmp_kick_arm(struct snmp_poller *p);
/* net-snmp's callback of the real sessions; magic is the agent. */
int snmp_nsnmp_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu,
    void *magic);

/* snmp_sess.c */
/* Initialise net-snmp once per process (no configs, no MIBs, numeric). */
void snmp_lib_init(void);
/* ".1.3.6..." of o into buf (always terminated, truncated if short). */
void snmp_oid_text(char *buf, size_t len, const oid *o, size_t n);
/* Convert the first n varbinds of list into s (caller frees with
 * snmp_vbset_free). Returns 0 or -ENOMEM (s empty). */
int snmp_vbset_build(struct snmp_vbset *s, const netsnmp_variable_list *list,
    size_t n);
void snmp_vbset_free(struct snmp_vbset *s);
/* Hex (optional 0x) to bytes. Returns 0 or -EINVAL. */
int snmp_hex_decode(const char *hex, u_char *out, size_t max, size_t *len);
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
