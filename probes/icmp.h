/*
 * icmp: the asynchronous ICMP echo prober, IPv4 and IPv6.
 *
 * One socket per address family for all targets, watched by the event loop:
 * a raw socket when the process may open one, else an unprivileged datagram
 * ICMP socket. A probe sends `count` echo requests to one target, `interval`
 * apart, and completes when every request was answered (or settled by an
 * ICMP error) or `timeout` after the last request was sent. Replies are
 * matched by identifier, sequence and a per-probe random cookie carried in
 * the payload, so foreign, forged or stale replies never count; they are
 * dropped and counted. Round trips come from kernel timestamps when the
 * kernel gives them, else from the monotonic clock. An optional global gap
 * paces all requests of the prober.
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
	ICMP_MODE_DGRAM, /* SOCK_DGRAM IPPROTO_ICMP(V6): the group must be in
			    net.ipv4.ping_group_range (both families) */
	ICMP_MODE_NONE,  /* no socket of this family could be opened */
};

#define ICMP_MAX_COUNT 100 /* requests per probe */

struct icmp_request {
	struct sockaddr_storage addr; /* target: AF_INET or AF_INET6 */
	socklen_t addrlen;
	int count;          /* echo requests to send, 1..100 */
	int64_t interval_ns; /* between requests to this target */
	int64_t timeout_ns;  /* wait after the last request */
};

/* The outcome of one probe, handed to its callback. The struct and the
 * arrays it points to are borrowed: valid only during the callback (copy
 * what must outlive it). They are sized by what the probe received, not by
 * ICMP_MAX_COUNT, so a probe in flight holds only its own requests. */
struct icmp_result {
	int sent;
	int received;       /* distinct requests answered */
	double rtt_min_ms;  /* valid when received > 0 */
	double rtt_avg_ms;
	double rtt_max_ms;
	double rtt_jitter_ms; /* mean |difference| of consecutive RTTs in send
				 order; valid when received > 1 */
	const double *rtt_ms; /* received entries: per answered request, send
				 order; borrowed, NULL when received is 0 */
	const int *rtt_req; /* received entries: the request (0-based, send
			       order) that rtt_ms[i] answered; borrowed */
	int rtt_kernel;     /* RTTs taken from kernel timestamps; the other
			       received - rtt_kernel from the monotonic clock */
	int send_errno;     /* last send failure, 0 if none */
	int icmp_errors;    /* ICMP errors (unreachable, time exceeded...)
			       that quoted one of this probe's requests */
	char icmp_error_text[128]; /* the last one with its sender, e.g.
				      "Destination Host Unreachable from
				      10.66.1.2"; "" if none */
	bool aborted;       /* cancelled or prober freed: other fields partial */
};

/* Counters of the prober, both families together. The rx_ ones before
 * tx_errors count input dropped before it reached a probe. */
struct icmp_counters {
	uint64_t rx_packets;      /* datagrams read, ICMP errors included,
				     kernel timestamps not */
	uint64_t rx_short;        /* truncated */
	uint64_t rx_bad_checksum;
	uint64_t rx_foreign;      /* not our identifier, or not echo reply/error */
	uint64_t rx_bad_cookie;   /* our id and a pending seq, wrong cookie */
	uint64_t rx_duplicate;
	uint64_t rx_late;         /* sequence no longer pending */
	uint64_t tx_errors;       /* requests the kernel refused to send */
	uint64_t tx_packets;      /* echo requests handed to the kernel */
	uint64_t tx_batches;      /* sendmmsg() calls that sent them */
	uint64_t tx_paced;        /* requests that waited for the pacing gap */
	uint64_t rx_batches;      /* recvmmsg() calls that returned messages */
	uint64_t rx_icmp_errors;  /* ICMP errors that settled a request */
	uint64_t rx_kernel_drops; /* datagrams the kernel dropped before we
				     read them (SO_RXQ_OVFL: full buffer) */
	uint64_t rx_bad_timestamp; /* kernel RTTs discarded as impossible */
	uint64_t ts_fallback;     /* RTTs taken from the monotonic clock */
	uint64_t ts_unmatched;    /* send timestamps matching no request */
};
/* Called exactly once per probe: on completion, or with aborted set when
 * cancelled or when the prober is freed. The result, rtt_ms and rtt_req
 * included, is borrowed: valid until the callback returns. */
typedef void icmp_done_fn(const struct icmp_result *res, void *arg);

/* Open the sockets (raw, else datagram, for each family) and watch them on
 * loop. Call before dropping privileges. One family failing is logged and
 * not fatal; fails (err filled) only when neither opens. Returns 0 or
 * -errno. */
int icmp_new(struct loop *loop, struct icmp **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Abort pending probes (callbacks fire with aborted), close sockets, free.
 * NULL is a no-op. */
void icmp_free(struct icmp *icmp);
/* Mode of the IPv4 socket; icmp_get_mode6() of the IPv6 one.
 * ICMP_MODE_NONE when that family has no socket. */
enum icmp_mode icmp_get_mode(const struct icmp *icmp);
enum icmp_mode icmp_get_mode6(const struct icmp *icmp);
/* True when a socket of this family (AF_INET, AF_INET6) could be opened. */
bool icmp_has_family(const struct icmp *icmp, int family);

/* Global pacing: one echo request per gap_ns across all targets (fping's
 * -i). Each request has a slot gap_ns after the previous one; when the loop
 * wakes after several slots have passed (its timers have millisecond
 * resolution, gaps may be shorter), the requests of those slots go out
 * together, in one batch at most, so the rate holds without bursts beyond
 * a batch. 0 sends as fast as the per-target intervals allow. Requests
 * that must wait keep their order. */
void icmp_set_pacing(struct icmp *icmp, int64_t gap_ns);
/* Borrowed; valid until icmp_free(). */
const struct icmp_counters *icmp_get_counters(const struct icmp *icmp);
/* Probes in flight. */
size_t icmp_pending(const struct icmp *icmp);

/* Start a probe. On success fn will be called exactly once, never before
 * this returns; *out (may be NULL) receives a handle valid until then.
 * Returns 0 or -errno (then fn is never called): -EAFNOSUPPORT for a
 * family without a socket, -EINVAL for a bad request. */
int icmp_probe_start(struct icmp *icmp, const struct icmp_request *req,
    icmp_done_fn *fn, void *arg, struct icmp_probe **out)
    __attribute__((warn_unused_result));
/* Cancel a probe in flight; its callback fires now with aborted set. */
void icmp_probe_cancel(struct icmp *icmp, struct icmp_probe *p);

/* Fill r's rtt_min/avg/max and rtt_jitter_ms from rtt_ms[0 .. received)
 * (the prober does it; exposed for tests and for callers that build
 * results). r->rtt_ms is read, borrowed; it may be NULL when received is
 * 0. */
void icmp_result_stats(struct icmp_result *r);

#endif
