/*
 * test_icmp_peer: the responder plays the peer on loopback (the kernel's
 * echo replies switched off) and answers the prober's requests with
 * duplicates, forged cookies, bad checksums, wrong sources, late replies,
 * ICMP errors, junk and floods of spoofed replies, in both families.
 *
 * IPv4 messages go out through a raw ICMP socket with IP_HDRINCL; IPv6
 * ones through a raw IPv6 socket with the header included (so that the
 * source and the checksum are ours to choose), and requests are read from
 * a raw ICMPv6 socket that passes only echo requests. Linux drops ICMPv6
 * with a bad checksum before any socket sees it.
 */
#include "test_icmp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ_TYPE(f)   ((f) == AF_INET ? 8 : 128)
#define REPLY_TYPE(f) ((f) == AF_INET ? 0 : 129)
#define ALEN(f)       ((f) == AF_INET ? 4 : 16)
#define IPHDR(f)      ((size_t)((f) == AF_INET ? 20 : 40))

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
pton(int family, const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(family, s, out), 1);
}

/* An IP header of the family for an ICMP (or proto) payload of plen. */
static size_t
mk_iphdr(int family, uint8_t *b, const uint8_t *src, const uint8_t *dst,
    size_t plen, uint8_t proto)
{
	size_t hl = IPHDR(family);

	memset(b, 0, hl);
	if (family == AF_INET) {
		b[0] = 0x45;
		put16(b + 2, (unsigned)(hl + plen));
		b[8] = 64;
		b[9] = proto;
		memcpy(b + 12, src, 4);
		memcpy(b + 16, dst, 4);
	} else {
		b[0] = 0x60;
		put16(b + 4, (unsigned)plen);
		b[6] = proto;
		b[7] = 64;
		memcpy(b + 8, src, 16);
		memcpy(b + 24, dst, 16);
	}
	return hl;
}

/*
 * Send the ICMP message msg from src to dst (address bytes of the
 * responder's family) with a correct checksum, or a corrupt one.
 */
static void
resp_send(struct responder *r, const uint8_t *src, const uint8_t *dst,
    const uint8_t *msg, size_t len, bool corrupt)
{
	uint8_t pkt[1024], pseudo[1024];
	struct sockaddr_storage to;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;
	struct sockaddr_in *sin = (struct sockaddr_in *)&to;
	size_t hl, tolen;
	uint16_t ck;
	int fd;

	assert_true(len + 40 <= sizeof(pkt));
	hl = mk_iphdr(r->family, pkt, src, dst, len,
	    r->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	memcpy(pkt + hl, msg, len);
	put16(pkt + hl + 2, 0);
	memset(&to, 0, sizeof(to));
	if (r->family == AF_INET) {
		ck = icmp_parse_checksum(pkt + hl, len);
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst, 4);
		tolen = sizeof(*sin);
		fd = r->env->resp4_fd;
	} else {
		/* ICMPv6 sums a pseudo-header too (RFC 8200, 8.1). */
		memset(pseudo, 0, 40);
		memcpy(pseudo, src, 16);
		memcpy(pseudo + 16, dst, 16);
		put16(pseudo + 34, (unsigned)len);
		pseudo[39] = IPPROTO_ICMPV6;
		memcpy(pseudo + 40, pkt + hl, len);
		ck = icmp_parse_checksum(pseudo, 40 + len);
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst, 16);
		tolen = sizeof(*sin6);
		fd = r->env->resp6_tx_fd;
	}
	put16(pkt + hl + 2, corrupt ? ck ^ 1u : ck);
	assert_int_equal(sendto(fd, pkt, hl + len, 0,
			     (const struct sockaddr *)&to, (socklen_t)tolen),
	    (ssize_t)(hl + len));
}

/* An ICMP error of type/code from other() to `to`, quoting qlen bytes of
 * quote (IP header first). */
static void
resp_send_error(struct responder *r, uint8_t type, uint8_t code,
    const uint8_t *to, const uint8_t *quote, size_t qlen)
{
	uint8_t msg[8 + 256], from[16];
	struct fx fake;

	assert_true(qlen <= 256);
	fake.family = r->family;
	pton(r->family, other(&fake), from);
	memset(msg, 0, 8);
	msg[0] = type;
	msg[1] = code;
	memcpy(msg + 8, quote, qlen);
	resp_send(r, from, to, msg, 8 + qlen, false);
}

/* Reply to the request req (len bytes, ICMP header first) that came from
 * src to dst. */
static void
resp_act(struct responder *r, const uint8_t *req, size_t len,
    const uint8_t *src, const uint8_t *dst)
{
	uint8_t reply[ICMP_PARSE_PACKET_LEN], bad[ICMP_PARSE_PACKET_LEN];
	uint8_t quote[40 + ICMP_PARSE_PACKET_LEN], from[16];
	int f = r->family, i, j;
	uint64_t cookie = 0;
	struct fx fake;
	size_t hl;

	if (len != sizeof(reply))
		return;
	for (i = 0; i < 8; i++)
		cookie = cookie << 8 | req[8 + i];
	if (r->nlog < RESP_LOG) {
		r->log_cookie[r->nlog] = cookie;
		r->log_index[r->nlog++] = (uint16_t)(req[16] << 8 | req[17]);
	}
	memcpy(reply, req, len);
	reply[0] = REPLY_TYPE(f);
	memcpy(bad, reply, len);
	/* What a router quotes: the request's IP header, the request. */
	hl = mk_iphdr(f, quote, src, dst, len,
	    f == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	memcpy(quote + hl, req, len);
	fake.family = f;
	pton(f, other(&fake), from);

	switch (r->mode) {
	case RESP_ECHO:
		resp_send(r, dst, src, reply, len, false);
		break;
	case RESP_DUP:
		resp_send(r, dst, src, reply, len, false);
		resp_send(r, dst, src, reply, len, false);
		break;
	case RESP_BAD_COOKIE:
		bad[8 + 3] ^= 0x5a;
		resp_send(r, dst, src, bad, len, false);
		resp_send(r, dst, src, reply, len, false);
		break;
	case RESP_BAD_CKSUM:
		resp_send(r, dst, src, reply, len, true);
		resp_send(r, dst, src, reply, len, false);
		break;
	case RESP_WRONG_SRC:
		resp_send(r, from, src, reply, len, false);
		resp_send(r, dst, src, reply, len, false);
		break;
	case RESP_UNREACH: /* host (v4) / address (v6) unreachable */
		resp_send_error(r, f == AF_INET ? 3 : 1, f == AF_INET ? 1 : 3,
		    src, quote, hl + len);
		break;
	case RESP_PROHIBIT: /* filtered (v4) / admin. prohibited (v6) */
		resp_send_error(r, f == AF_INET ? 3 : 1, f == AF_INET ? 13 : 1,
		    src, quote, hl + len);
		break;
	case RESP_HOLD:
		memcpy(r->held, reply, len);
		memcpy(r->held_src, dst, ALEN(f));
		memcpy(r->held_dst, src, ALEN(f));
		r->have_held = true;
		break;
	case RESP_JUNK:
		/* An error whose quote is cut inside the IP header. */
		resp_send_error(r, f == AF_INET ? 3 : 1, f == AF_INET ? 1 : 3,
		    src, quote, 10);
		/* Another identifier. */
		bad[4] ^= 0xff;
		resp_send(r, dst, src, bad, len, false);
		/* An error quoting a UDP datagram. */
		hl = mk_iphdr(f, quote, src, dst, 8, IPPROTO_UDP);
		memset(quote + hl, 0, 8);
		resp_send_error(r, f == AF_INET ? 3 : 1, f == AF_INET ? 3 : 4,
		    src, quote, hl + 8);
		resp_send(r, dst, src, reply, len, false);
		break;
	case RESP_FLOOD:
		/* Our identifier (the kernel passes it even to datagram
		 * sockets), any sequence number, a guessed cookie. */
		for (i = 0; i < RESP_FLOOD_N; i++) {
			for (j = 6; j < 16; j++) {
				r->rnd ^= r->rnd << 13;
				r->rnd ^= r->rnd >> 17;
				r->rnd ^= r->rnd << 5;
				bad[j] = (uint8_t)r->rnd;
			}
			resp_send(r, dst, src, bad, len, false);
		}
		resp_send(r, dst, src, reply, len, false);
		break;
	}
}

void
resp_on_read(struct loop *loop, int fd, unsigned events, void *arg)
{
	struct responder *r = arg;
	struct sockaddr_in6 from;
	socklen_t flen;
	uint8_t pkt[2048], src[16], dst[16];
	ssize_t n;
	size_t hl;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from,
		    &flen);
		if (n < 0)
			return;
		if (r->family == AF_INET6) {
			/* No IPv6 header on raw ICMPv6 sockets; every
			 * request is to ::1 here. */
			if (n < 8 || pkt[0] != REQ_TYPE(AF_INET6))
				continue;
			memcpy(src, &from.sin6_addr, 16);
			memcpy(dst, &in6addr_loopback, 16);
			r->seen++;
			resp_act(r, pkt, (size_t)n, src, dst);
			continue;
		}
		if (n < 28 || pkt[9] != IPPROTO_ICMP)
			continue;
		hl = (size_t)(pkt[0] & 0x0f) * 4;
		if ((size_t)n < hl + 8 || pkt[hl] != REQ_TYPE(AF_INET))
			continue;
		memcpy(src, pkt + 12, 4);
		memcpy(dst, pkt + 16, 4);
		r->seen++;
		resp_act(r, pkt + hl, (size_t)n - hl, src, dst);
	}
}

void
resp_release_held(struct responder *r)
{
	assert_true(r->have_held);
	resp_send(r, r->held_src, r->held_dst, r->held, sizeof(r->held),
	    false);
	r->have_held = false;
}

static bool
is_raw(struct fx *fx)
{
	return (fx->family == AF_INET ? icmp_get_mode(fx->icmp) :
					icmp_get_mode6(fx->icmp)) ==
	    ICMP_MODE_RAW;
}

/* Start one probe of count requests to tgt() and run it to its end. */
static struct done *
run_probe(struct fx *fx, int count, int64_t timeout_ns)
{
	struct done *d = &fx->d[0];

	start(fx, tgt(fx), count, 10 * MS, timeout_ns, d, NULL);
	run_until(fx, &d->calls, 1, 5 * LOOP_NS_PER_SEC);
	assert_int_equal(d->calls, 1);
	return d;
}

/* ---- tests ---- */

/* Nobody answers: the probe lasts (count-1) x interval + timeout. */
void
test_icmp_timeout_without_reply(void **state)
{
	struct fx *fx = *state;
	struct done *d = &fx->d[0];
	int64_t t0, took;

	need_responder(fx, RESP_HOLD);
	t0 = loop_clock();
	start(fx, tgt(fx), 2, 30 * MS, 100 * MS, d, NULL);
	run_until(fx, &d->calls, 1, 3 * LOOP_NS_PER_SEC);
	took = d->at_ns - t0;
	assert_int_equal(d->calls, 1);
	assert_int_equal(d->res.sent, 2);
	assert_int_equal(d->res.received, 0);
	assert_int_equal(fx->resp.seen, 2);
	assert_true(took >= 130 * MS);
}

void
test_icmp_duplicates_counted_not_delivered(void **state)
{
	struct fx *fx = *state;
	const struct icmp_counters *c;
	struct done *d;

	need_responder(fx, RESP_DUP);
	d = run_probe(fx, 3, 500 * MS);
	run_for(fx, 20 * MS); /* let the last duplicate arrive */
	assert_int_equal(d->res.received, 3);
	c = icmp_get_counters(fx->icmp);
	/* The last duplicate arrives after completion: late, not dup. */
	assert_int_equal(c->rx_duplicate + c->rx_late, 3);
	assert_true(c->rx_duplicate >= 2);
}

void
test_icmp_forged_cookie_dropped(void **state)
{
	struct fx *fx = *state;
	struct done *d;

	need_responder(fx, RESP_BAD_COOKIE);
	d = run_probe(fx, 3, 500 * MS);
	assert_int_equal(d->res.received, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_bad_cookie, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_duplicate, 0);
}

void
test_icmp_bad_checksum_dropped(void **state)
{
	struct fx *fx = *state;
	const struct icmp_counters *c;
	struct done *d;

	need_responder(fx, RESP_BAD_CKSUM);
	d = run_probe(fx, 3, 500 * MS);
	assert_int_equal(d->res.received, 3);
	c = icmp_get_counters(fx->icmp);
	/* IPv4 raw sockets see it and drop it; for datagram sockets the
	 * kernel already did. Linux checks every ICMPv6 checksum itself;
	 * a raw ICMPv6 socket counts its drops (SO_RXQ_OVFL). */
	if (fx->family == AF_INET && is_raw(fx))
		assert_int_equal(c->rx_bad_checksum, 3);
	else
		assert_int_equal(c->rx_bad_checksum, 0);
	if (fx->family == AF_INET6 && is_raw(fx))
		assert_int_equal(c->rx_kernel_drops, 3);
	assert_int_equal(c->rx_duplicate, 0);
}

void
test_icmp_reply_from_wrong_source_dropped(void **state)
{
	struct fx *fx = *state;
	struct done *d;

	need_responder(fx, RESP_WRONG_SRC);
	d = run_probe(fx, 3, 500 * MS);
	assert_int_equal(d->res.received, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_foreign, 3);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_duplicate, 0);
}

void
test_icmp_late_reply_counted(void **state)
{
	struct fx *fx = *state;
	struct done *d;

	need_responder(fx, RESP_HOLD);
	d = run_probe(fx, 1, 30 * MS);
	assert_int_equal(d->res.received, 0);
	resp_release_held(&fx->resp);
	run_for(fx, 30 * MS);
	assert_int_equal(d->calls, 1);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_late, 1);
}

/* Errors settle their requests at once, naming the router and the
 * reason; a probe settled entirely ends without its (long) timeout. */
static void
check_errors_reported(struct fx *fx, const char *text)
{
	char want[128];
	struct done *d;

	d = run_probe(fx, 3, 3600 * LOOP_NS_PER_SEC);
	assert_false(d->res.aborted);
	assert_int_equal(d->res.received, 0);
	assert_int_equal(d->res.icmp_errors, 3);
	snprintf(want, sizeof(want), "%s from %s", text, other(fx));
	assert_string_equal(d->res.icmp_error_text, want);
	assert_int_equal(icmp_get_counters(fx->icmp)->rx_icmp_errors, 3);
}

void
test_icmp_unreachable_reported(void **state)
{
	struct fx *fx = *state;

	need_responder(fx, RESP_UNREACH);
	check_errors_reported(fx, fx->family == AF_INET ?
		"Destination Host Unreachable" :
		"Address unreachable");
}

void
test_icmp_prohibited_reported(void **state)
{
	struct fx *fx = *state;

	need_responder(fx, RESP_PROHIBIT);
	check_errors_reported(fx, fx->family == AF_INET ?
		"Packet filtered" :
		"Administratively prohibited");
}

void
test_icmp_junk_dropped(void **state)
{
	struct fx *fx = *state;
	const struct icmp_counters *c;
	struct done *d;

	need_responder(fx, RESP_JUNK);
	d = run_probe(fx, 2, 500 * MS);
	assert_int_equal(d->res.received, 2);
	assert_int_equal(d->res.icmp_errors, 0);
	c = icmp_get_counters(fx->icmp);
	if (is_raw(fx)) {
		assert_int_equal(c->rx_short, 2);
		/* foreign id + error quoting UDP, per request */
		assert_int_equal(c->rx_foreign, 4);
	}
	assert_int_equal(c->rx_bad_cookie, 0);
	assert_int_equal(c->rx_duplicate, 0);
}

/* A flood of spoofed replies with our identifier: every one is dropped
 * (wrong cookie on a live sequence number, or no live sequence at all),
 * and the genuine replies still count. */
void
test_icmp_flood_of_spoofed_replies_dropped(void **state)
{
	struct fx *fx = *state;
	const struct icmp_counters *c;
	struct done *d;

	need_responder(fx, RESP_FLOOD);
	d = run_probe(fx, 5, 500 * MS);
	run_for(fx, 20 * MS);
	assert_int_equal(d->res.received, 5);
	assert_int_equal(d->res.icmp_errors, 0);
	c = icmp_get_counters(fx->icmp);
	assert_int_equal(c->rx_bad_cookie + c->rx_late + c->rx_duplicate,
	    5 * RESP_FLOOD_N);
}

/*
 * Requests waiting for the pacing gap leave in the order they became
 * due: three probes of two requests each, interval 0, started together,
 * reach the peer as p0 p1 p2 (first requests), then p0 p1 p2 (second),
 * since each probe's next request queues behind the others'.
 */
void
test_icmp_pacing_keeps_request_order(void **state)
{
	struct fx *fx = *state;
	struct responder *r = &fx->resp;
	uint64_t cookie[3];
	int i;

	need_responder(fx, RESP_ECHO);
	icmp_set_pacing(fx->icmp, 2 * MS);
	for (i = 0; i < 3; i++)
		start(fx, tgt(fx), 2, 0, LOOP_NS_PER_SEC, &fx->d[i], NULL);
	run_until(fx, &fx->finished, 3, 10 * LOOP_NS_PER_SEC);
	assert_int_equal(fx->finished, 3);
	assert_int_equal(r->nlog, 6);
	for (i = 0; i < 3; i++) {
		assert_int_equal(fx->d[i].res.received, 2);
		cookie[i] = r->log_cookie[i];
		assert_int_equal(r->log_index[i], 0);
		assert_int_equal(r->log_index[3 + i], 1);
		assert_true(r->log_cookie[3 + i] == cookie[i]);
	}
	assert_true(cookie[0] != cookie[1] && cookie[1] != cookie[2]);
	/* Some requests waited for their turn. How many depends on how late
	 * the loop woke (a request already due when its slot comes is not
	 * held back), so only the bounds are checked. */
	assert_in_range(icmp_get_counters(fx->icmp)->tx_paced, 1, 5);
}
