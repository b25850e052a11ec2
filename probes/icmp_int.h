/*
 * icmp_int.h: the prober's internals, shared by its source files and by
 * nothing else (callers use icmp.h).
 *
 *   icmp.c       the prober object, probes and their life cycle, the
 *                sequence map, results
 *   icmp_sock.c  opening and configuring the sockets
 *   icmp_tx.c    the ready queue, pacing, batched sends
 *   icmp_rx.c    receiving: replies, errors, kernel timestamps
 *
 * The data structures and their invariants are described at the top of
 * icmp.c.
 */
#ifndef PHAROS_ICMP_INT_H
#define PHAROS_ICMP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "icmp.h"
#include "icmp_parse.h"
#include "loop.h"

#define ICMP_SEQ_SPACE	 65536 /* 16-bit sequence numbers */
#define ICMP_DRAIN_MAX	 256   /* messages read per wakeup and queue */
#define ICMP_SEND_BUDGET 128   /* requests sent per loop pass */
#define ICMP_BATCH	 32    /* messages per sendmmsg / recvmmsg */
#define ICMP_RECV_BUFLEN 2048  /* more than any datagram we accept */
#define ICMP_CTL_LEN	 256   /* stamps, extended error, drops */
#define ICMP_RCVBUF	 (4 << 20) /* bursts of replies */
#define ICMP_SNDBUF	 (1 << 20)
#define ICMP_MAX_WAIT_NS (3600 * LOOP_NS_PER_SEC) /* interval, timeout */
#define ICMP_TS_RING	 1024  /* sends remembered for their stamps */
#define ICMP_TS_RESYNC	 8     /* neighbours tried when out of step */
#define ICMP_TS_TX_WINDOW_NS (20 * LOOP_NS_PER_MSEC) /* send -> stamp */
#define ICMP_TS_WAIT_NS	 (20 * LOOP_NS_PER_MSEC) /* backstop, see icmp_rx */
#define ICMP_TS_SLACK_NS 10000 /* clock read rounding, 10 us */
#define ICMP_COOKIE_POOL 64    /* probe cookies drawn per getrandom() */

/* State of one request of a probe. */
enum icmp_state {
	ICMP_REQ_UNSENT = 0,
	ICMP_REQ_PENDING,     /* on the wire; holds its sequence entry */
	ICMP_REQ_ANSWERED,    /* holds its entry until the probe completes */
	ICMP_REQ_ERROR,       /* an ICMP error quoted it; holds its entry */
	ICMP_REQ_SEND_FAILED, /* never left; holds no entry */
};

struct icmp_req {
	int64_t sent_ns; /* monotonic, just before the send */
	int64_t rx_ns;   /* monotonic, just after the receive */
	int64_t tx_ts;   /* kernel send stamp, realtime ns, 0 if none */
	int64_t rx_ts;   /* kernel receive stamp, realtime ns, 0 if none */
	uint16_t seq;
	uint8_t state;   /* enum icmp_state */
	bool wait_tx;    /* answered, its send stamp still unread */
};

struct icmp_seqent {
	struct icmp_probe *probe; /* NULL when free */
	uint8_t index;            /* request index within the probe */
};

struct icmp_tsent {
	uint32_t key;    /* our count of this send */
	bool live;
	uint8_t index;
	uint16_t seq;
	uint64_t cookie; /* of the probe: a reused sequence is not it */
	int64_t sent_rt; /* CLOCK_REALTIME just before the send */
};

union icmp_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

struct icmp_sock {
	struct icmp *icmp;
	int fd; /* -1 when closed or never opened */
	int family;
	enum icmp_mode mode;
	uint16_t id;      /* echo identifier (host order) */
	bool ts;          /* SO_TIMESTAMPING is on */
	bool ts_tx_seen;  /* a send stamp came back at least once */
	uint32_t tx_key;  /* sends the kernel counted, as we count them */
	uint32_t key_adj; /* kernel's key - ours */
	uint32_t drops;   /* last SO_RXQ_OVFL value */
	struct icmp_probe *waiters; /* done but for send stamps still unread */
	struct icmp_tsent ring[ICMP_TS_RING];
};

/* A probe in flight: one allocation of sizeof(struct icmp_probe) + count
 * request entries. The result handed to the callback is built on the
 * stack when the probe completes, so nothing here is sized by
 * ICMP_MAX_COUNT. */
struct icmp_probe {
	struct icmp *icmp;
	struct icmp_probe *prev, *next;       /* in flight */
	struct icmp_probe *rq_prev, *rq_next; /* ready queue */
	struct icmp_probe *sw_prev, *sw_next; /* sock's stamp waiters */
	struct icmp_sock *sock;
	icmp_done_fn *fn;
	void *arg;
	uint64_t cookie;
	int64_t interval_ns;
	int64_t timeout_ns;
	int64_t last_send_ns; /* monotonic, of the latest request */
	struct loop_timer timer;
	union icmp_addr dst;
	socklen_t dstlen;
	int count;
	int sent;             /* requests sent so far */
	int npending;         /* requests in ICMP_REQ_PENDING */
	int nwait_tx;         /* answered requests with wait_tx */
	int send_errno;       /* last send failure, 0 if none */
	int icmp_errors;      /* ICMP errors that settled a request */
	union icmp_addr err_from; /* sender of the last one; its text is made
				     when the probe completes */
	uint8_t err_type, err_code;
	bool queued;
	bool stamp_waiting;
	bool orphaned;        /* on icmp->orphans */
	struct icmp_probe *orphan_next;
	struct icmp_req req[]; /* count entries */
};

/* One message of a receive batch. */
struct icmp_rxslot {
	union icmp_addr from;
	union {
		struct cmsghdr align;
		uint8_t buf[ICMP_CTL_LEN];
	} ctl;
	uint8_t data[ICMP_RECV_BUFLEN];
};

/* One request of a send batch: the probe and which request (-1: it
 * failed before reaching the socket). */
struct icmp_txslot {
	struct icmp_probe *probe;
	int index;
	int msg; /* index into txmm, or -1 */
};

struct icmp {
	struct loop *loop;
	struct icmp_sock v4, v6;
	struct icmp_probe *probes; /* in flight */
	size_t nprobes;
	struct icmp_probe *rq_head, *rq_tail; /* ready to send, in order */
	struct loop_timer send_timer;
	/* Probes left neither queued nor timed after a send (no memory to
	 * arm their timer): the send pass finishes them when it is done. */
	struct icmp_probe *orphans;
	int64_t gap_ns;     /* pacing; 0 = none */
	int64_t pace_next_ns; /* monotonic slot of the next paced request */
	uint16_t next_seq;
	size_t seq_used; /* held entries of seqmap */
	int busy;        /* prober frames on the stack */
	bool dead;       /* icmp_free() called; free when busy drops to 0 */
	struct icmp_counters counters;
	uint64_t cookies[ICMP_COOKIE_POOL]; /* random, unused from ncookies down */
	int ncookies;
	struct mmsghdr txmm[ICMP_BATCH];
	struct iovec txiov[ICMP_BATCH];
	struct icmp_txslot tx[ICMP_BATCH];
	uint8_t txbuf[ICMP_BATCH][ICMP_PARSE_PACKET_LEN];
	struct mmsghdr rxmm[ICMP_BATCH];
	struct iovec rxiov[ICMP_BATCH];
	struct icmp_rxslot rx[ICMP_BATCH];
	struct icmp_seqent seqmap[ICMP_SEQ_SPACE];
};

/* icmp.c */
int icmp_random(void *buf, size_t len);
void icmp_enter(struct icmp *icmp);
void icmp_leave(struct icmp *icmp);
const char *icmp_addr_text(const union icmp_addr *a, char *buf, size_t len);
int icmp_seq_take(struct icmp *icmp, struct icmp_probe *p, int index,
    uint16_t *seq);
void icmp_seq_release(struct icmp *icmp, struct icmp_probe *p,
    uint16_t seq);
/* Complete p and run its callback (see icmp.c). */
void icmp_probe_finish(struct icmp_probe *p, bool aborted);

/* icmp_sock.c */
const char *icmp_proto_name(int family);
socklen_t icmp_addr_len(int family);
/* Open the socket of s->family (s->icmp set): raw, else datagram. Fills
 * err, without a prefix, on failure. Returns 0 or -errno. */
int icmp_sock_open(struct icmp_sock *s, char *err, size_t errlen);
/* Stop watching and close; a closed socket is a no-op. */
void icmp_sock_close(struct icmp_sock *s);

/* icmp_tx.c */
/* Arm the send timer for the ready queue's head. Returns 0 or -ENOMEM. */
int icmp_tx_arm(struct icmp *icmp);
/* Queue p's next request behind those already waiting. Returns 0, or
 * -ENOMEM when the send timer cannot be armed (p is not queued then). */
int icmp_tx_queue(struct icmp *icmp, struct icmp_probe *p);
/* Take p off the ready queue, if it is on it. */
void icmp_tx_dequeue(struct icmp *icmp, struct icmp_probe *p);
/* Take p off the list of orphans, if it is on it. */
void icmp_tx_unorphan(struct icmp *icmp, struct icmp_probe *p);
loop_timer_fn icmp_tx_on_timer;

/* icmp_rx.c */
loop_io_fn icmp_rx_on_io;
/* Take p off its socket's list of stamp waiters, if it is on it. */
void icmp_rx_unwait(struct icmp_probe *p);

#endif
