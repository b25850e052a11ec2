/*
 * icmp: the asynchronous ICMP echo prober.
 *
 * One socket per address family for all targets, watched by the event loop:
 * a raw socket when the process may open one, else an unprivileged datagram
 * ICMP socket. A probe sends `count` echo requests to one target, `interval`
 * apart, and completes when every request was answered or `timeout` after
 * the last request was sent. Replies are matched by identifier, sequence and
 * a per-probe random cookie carried in the payload, so foreign, forged or
 * stale replies never count; they are dropped and counted.
 */
#ifndef PHAROS_ICMP_H
#define PHAROS_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct loop;
struct icmp;
struct icmp_probe;

enum icmp_mode {
	ICMP_MODE_RAW,   /* SOCK_RAW: needs CAP_NET_RAW at open time */
	ICMP_MODE_DGRAM, /* SOCK_DGRAM IPPROTO_ICMP: net.ipv4.ping_group_range */
};

struct icmp_request {
	struct sockaddr_storage addr; /* target; AF_INET now */
	socklen_t addrlen;
	int count;          /* echo requests to send, 1..100 */
	int64_t interval_ns; /* between requests to this target */
	int64_t timeout_ns;  /* wait after the last request */
};

struct icmp_result {
	int sent;
	int received;       /* distinct sequence numbers answered */
	double rtt_min_ms;  /* valid when received > 0 */
	double rtt_avg_ms;
	double rtt_max_ms;
	double rtt_ms[100]; /* per reply, in sequence order of arrival */
	double rtt_jitter_ms; /* mean |difference| of consecutive RTTs in send
				 order; valid when received > 1 */
	int send_errno;     /* last sendto() failure, 0 if none */
	int icmp_errors;    /* ICMP errors (unreachable, time exceeded) that
			       quoted one of this probe's requests */
	char icmp_error_text[64]; /* description of the last one, "" if none */
	bool aborted;       /* cancelled or prober freed: other fields partial */
};

/* Dropped and counted input; never reaches a probe. */
struct icmp_counters {
	uint64_t rx_packets;
	uint64_t rx_short;        /* truncated */
	uint64_t rx_bad_checksum;
	uint64_t rx_foreign;      /* not our identifier, or not echo reply/error */
	uint64_t rx_bad_cookie;   /* our id and a pending seq, wrong cookie */
	uint64_t rx_duplicate;
	uint64_t rx_late;         /* sequence no longer pending */
	uint64_t tx_errors;
};

/* Called exactly once per probe: on completion, or with aborted set when
 * cancelled or when the prober is freed. The result is borrowed. */
typedef void icmp_done_fn(const struct icmp_result *res, void *arg);

/* Open the sockets (raw, else datagram) and watch them on loop. Call before
 * dropping privileges. Fills err on failure. Returns 0 or -errno. */
int icmp_new(struct loop *loop, struct icmp **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Abort pending probes (callbacks fire with aborted), close sockets, free.
 * NULL is a no-op. */
void icmp_free(struct icmp *icmp);
/* Mode of the IPv4 socket; icmp_get_mode6() of the IPv6 one. */
enum icmp_mode icmp_get_mode(const struct icmp *icmp);
enum icmp_mode icmp_get_mode6(const struct icmp *icmp);
/* True when a socket of this family (AF_INET, AF_INET6) could be opened. */
bool icmp_has_family(const struct icmp *icmp, int family);

/* Global pacing: at least gap_ns between any two echo requests sent, across
 * all targets (fping's -i). 0 sends as fast as the per-target intervals
 * allow. Requests that must wait keep their order. */
void icmp_set_pacing(struct icmp *icmp, int64_t gap_ns);
const struct icmp_counters *icmp_get_counters(const struct icmp *icmp);
/* Probes in flight. */
size_t icmp_pending(const struct icmp *icmp);

/* Start a probe. On success fn will be called exactly once; *out (may be
 * NULL) receives a handle valid until then. Returns 0 or -errno (then fn is
 * never called). */
int icmp_probe_start(struct icmp *icmp, const struct icmp_request *req,
    icmp_done_fn *fn, void *arg, struct icmp_probe **out)
    __attribute__((warn_unused_result));
/* Cancel a probe in flight; its callback fires now with aborted set. */
void icmp_probe_cancel(struct icmp *icmp, struct icmp_probe *p);

#endif
