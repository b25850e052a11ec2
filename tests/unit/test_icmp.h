/*
 * test_icmp.h: what the two halves of the prober's test share.
 *
 *   test_icmp.c       fixture, main; tests where the kernel is the peer
 *                     (echo, no route, reject routes, pacing, timestamps,
 *                     batching, life cycle)
 *   test_icmp_net.c   the environment: network namespace, routes,
 *                     capabilities, responder sockets, timestamps
 *   test_icmp_peer.c  the responder, a raw socket that plays the peer with
 *                     the kernel's echo replies off, and its tests
 *                     (duplicates, forgeries, errors, junk, floods)
 *
 * Every test runs once per address family and socket mode: raw IPv4, raw
 * IPv6, then (CAP_NET_RAW dropped) datagram IPv4 and IPv6.
 */
#ifndef PHAROS_TEST_ICMP_H
#define PHAROS_TEST_ICMP_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdbool.h>

#include "icmp.h"
#include "icmp_parse.h"
#include "loop.h"

#define MS LOOP_NS_PER_MSEC

/* What the process could arrange, shared by all tests (prestate). */
struct env {
	bool netns;      /* in a private network namespace */
	bool ipv6;       /* ::1 usable */
	int resp4_fd;    /* raw ICMP, IP_HDRINCL: sees requests, sends */
	int resp6_rx_fd; /* raw ICMPv6 passing echo requests only */
	int resp6_tx_fd; /* raw IPv6, header included: sends anything */
	bool want_dgram; /* this run must use datagram sockets */
	bool told;       /* "no ICMP socket" already printed */
	bool nft_drop;   /* sends to DROP4 / DROP6 dropped in OUTPUT */
	int family;      /* of this run */
};

enum resp_mode {
	RESP_ECHO,       /* one correct reply */
	RESP_DUP,        /* the reply twice */
	RESP_BAD_COOKIE, /* forged cookie, then the reply */
	RESP_BAD_CKSUM,  /* corrupt checksum, then the reply */
	RESP_WRONG_SRC,  /* the reply from another address, then the reply */
	RESP_UNREACH,    /* host/address unreachable from other() instead */
	RESP_PROHIBIT,   /* administratively prohibited from other() */
	RESP_HOLD,       /* keep the reply for later */
	RESP_JUNK,       /* short error, foreign id, foreign error; reply */
	RESP_FLOOD,      /* RESP_FLOOD_N spoofed replies, then the reply */
};

#define RESP_FLOOD_N 20
#define RESP_LOG     32

struct responder {
	struct env *env;
	int family;
	enum resp_mode mode;
	int seen; /* echo requests seen */
	uint8_t held[ICMP_PARSE_PACKET_LEN];
	uint8_t held_src[16], held_dst[16];
	bool have_held;
	uint32_t rnd;
	/* Requests seen, in arrival order: cookie and request index. */
	uint64_t log_cookie[RESP_LOG];
	uint16_t log_index[RESP_LOG];
	int nlog;
};

struct fx;

struct done {
	int calls;
	struct icmp_result res; /* rtt_ms, rtt_req point to the copies below */
	double rtt_ms[ICMP_MAX_COUNT];
	int rtt_req[ICMP_MAX_COUNT];
	int64_t at_ns;
	int finished_as; /* completion rank among this test's probes */
	/* Actions from inside the callback. */
	struct fx *fx;
	struct icmp_probe *cancel;
	struct done *start_new; /* start a probe to tgt() with it */
	bool free_icmp;
	int *completed; /* shared counter */
};

struct fx {
	struct env *env;
	int family;
	struct loop *loop;
	struct icmp *icmp;
	struct responder resp;
	bool resp_on;
	bool echo_ignored;
	/* Callback records live here, not on a test's stack: when a test
	 * fails, teardown aborts its probes and their callbacks still write
	 * to valid memory. */
	struct done d[16];
	struct done *many;
	int completed;
	int finished;
};

/* test_icmp_net.c */
int test_write_file(const char *path, const char *s);
bool tnet_enter(void);           /* private network namespace */
int tnet_lo_up(void);
bool tnet_have_ipv6(void);       /* ::1 usable */
int tnet_keep_rx_stamps(void);   /* the socket to close at the end, or -1 */
void tnet_add_reject_routes(void); /* 10.99.0.0/16, 2001:db8:dead::/48 */
#define DROP4 "127.0.0.77"
#define DROP6 "2001:db8:77::1"
bool tnet_add_drop_rules(void); /* nftables drops sends to DROP4, DROP6 */
int tnet_drop_net_raw(void);
void tnet_open_responders(struct env *env);

/* test_icmp.c */
const char *tgt(const struct fx *fx);   /* the loopback target */
const char *other(const struct fx *fx); /* another source: a "router" */
void need_icmp(struct fx *fx);
void need_responder(struct fx *fx, enum resp_mode m);
void start(struct fx *fx, const char *a, int count, int64_t interval_ns,
    int64_t timeout_ns, struct done *d, struct icmp_probe **out);
void run_until(struct fx *fx, const int *calls, int want, int64_t max_ns);
void run_for(struct fx *fx, int64_t ns);

/* test_icmp_peer.c */
void resp_on_read(struct loop *loop, int fd, unsigned events, void *arg);
void resp_release_held(struct responder *r);
void test_icmp_timeout_without_reply(void **state);
void test_icmp_duplicates_counted_not_delivered(void **state);
void test_icmp_forged_cookie_dropped(void **state);
void test_icmp_bad_checksum_dropped(void **state);
void test_icmp_reply_from_wrong_source_dropped(void **state);
void test_icmp_late_reply_counted(void **state);
void test_icmp_unreachable_reported(void **state);
void test_icmp_prohibited_reported(void **state);
void test_icmp_junk_dropped(void **state);
void test_icmp_flood_of_spoofed_replies_dropped(void **state);
void test_icmp_pacing_keeps_request_order(void **state);

#endif
