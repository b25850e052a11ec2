/*
 * test_icmp_parse6: the ICMPv6 wire format and the ancillary data of
 * received messages (timestamps, extended errors, drop counts), from
 * crafted bytes only; and a flood of junk and spoofed replies of both
 * families through the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <linux/errqueue.h>

#include "icmp_parse.h"

#define ID     0x4242
#define SEQ    0x1234
#define COOKIE UINT64_C(0x0123456789abcdef)
#define INDEX  3

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
fix_icmp_checksum(uint8_t *icmp, size_t len)
{
	put16(icmp + 2, 0);
	put16(icmp + 2, icmp_parse_checksum(icmp, len));
}

/* ---- ICMPv6 ---- */

static void
put_in6(uint8_t *p, const char *a)
{
	assert_int_equal(inet_pton(AF_INET6, a, p), 1);
}

/* An ICMPv6 echo reply as a peer sends it (no IPv6 header: Linux gives
 * raw ICMPv6 sockets none). */
static size_t
mk_reply6(uint8_t *b, uint16_t id)
{
	size_t n = icmp_parse_build_echo6(b, ICMP_PARSE_PACKET_LEN, id, SEQ,
	    COOKIE, INDEX);

	b[0] = ICMP_PARSE6_ECHO_REPLY_TYPE;
	return n;
}

/*
 * ICMPv6 error quoting our request from 2001:db8::1 to 2001:db8::7:
 * the fixed IPv6 header, then quote_len bytes of the echo request.
 */
static size_t
mk_error6(uint8_t *b, uint8_t type, uint8_t code, uint16_t id,
    size_t quote_len)
{
	uint8_t req[ICMP_PARSE_PACKET_LEN];
	uint8_t *ip = b + 8;

	assert_int_equal(icmp_parse_build_echo6(req, sizeof(req), id, SEQ,
			     COOKIE, INDEX),
	    ICMP_PARSE_PACKET_LEN);
	memset(b, 0, 8 + 40);
	b[0] = type;
	b[1] = code;
	ip[0] = 0x60;
	put16(ip + 4, ICMP_PARSE_PACKET_LEN); /* original payload length */
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 64;
	put_in6(ip + 8, "2001:db8::1");
	put_in6(ip + 24, "2001:db8::7");
	memcpy(ip + 40, req, quote_len);
	return 8 + 40 + quote_len;
}

static void
test_parse6_echo_reply(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_reply6(b, ID);

	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_ECHO_REPLY);
	assert_int_equal(r.type, 129);
	assert_int_equal(r.id, ID);
	assert_int_equal(r.seq, SEQ);
	assert_ptr_equal(r.payload, b + 8);
	assert_int_equal(r.payload_len, ICMP_PARSE_PAYLOAD_LEN);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
	/* The checksum is the kernel's (it has the pseudo-header). */
	b[2] ^= 0xff;
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_ECHO_REPLY);
	/* Nonzero code; another identifier. */
	b[1] = 1;
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_OTHER_TYPE);
	b[1] = 0;
	assert_int_equal(icmp_parse_v6(b, n, ID + 1, &r),
	    ICMP_PARSE_FOREIGN_ID);
	assert_int_equal(r.id, ID);
}

static void
test_parse6_build_echo(void **state)
{
	uint8_t b[ICMP_PARSE_PACKET_LEN], v4[ICMP_PARSE_PACKET_LEN];

	assert_int_equal(icmp_parse_build_echo6(b, sizeof(b) - 1, ID, SEQ,
			     COOKIE, INDEX),
	    0);
	assert_int_equal(icmp_parse_build_echo6(b, sizeof(b), ID, SEQ, COOKIE,
			     INDEX),
	    ICMP_PARSE_PACKET_LEN);
	assert_int_equal(b[0], 128);
	assert_int_equal(b[2] << 8 | b[3], 0); /* the kernel's to fill */
	icmp_parse_build_echo(v4, sizeof(v4), ID, SEQ, COOKIE, INDEX);
	/* Same identifier, sequence and payload as the IPv4 request. */
	assert_memory_equal(b + 4, v4 + 4, sizeof(b) - 4);
}

/* Every prefix of a reply or an error: short header, short quote. */
static void
test_parse6_truncated_every_length(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_reply6(b, ID), len;

	for (len = 0; len < ICMP_PARSE_HDR_LEN; len++)
		assert_int_equal(icmp_parse_v6(b, len, ID, &r),
		    ICMP_PARSE_SHORT);
	for (; len <= n; len++) {
		assert_int_equal(icmp_parse_v6(b, len, ID, &r),
		    ICMP_PARSE_ECHO_REPLY);
		assert_int_equal(r.payload_len, len - ICMP_PARSE_HDR_LEN);
	}

	/* Errors: anything shorter than header + IPv6 header + 8 bytes of
	 * the request is SHORT, whatever was cut. */
	n = mk_error6(b, 1, 3, ID, ICMP_PARSE_PACKET_LEN);
	for (len = 0; len < 8 + 40 + 8; len++)
		assert_int_equal(icmp_parse_v6(b, len, ID, &r),
		    ICMP_PARSE_SHORT);
	for (; len <= n; len++) {
		assert_int_equal(icmp_parse_v6(b, len, ID, &r),
		    ICMP_PARSE_ERROR);
		assert_int_equal(r.payload_len, len - 8 - 40 - 8);
	}
}

static void
test_parse6_error_quoting_ours(void **state)
{
	static const struct {
		uint8_t type, code;
		const char *text;
	} cases[] = {
		{ 1, 0, "No route to destination" },
		{ 1, 1, "Administratively prohibited" },
		{ 1, 3, "Address unreachable" },
		{ 1, 4, "Port unreachable" },
		{ 1, 6, "Reject route to destination" },
		{ 1, 99, "Destination unreachable" },
		{ 2, 0, "Packet too big" },
		{ 3, 0, "Hop limit exceeded" },
		{ 3, 1, "Fragment reassembly time exceeded" },
		{ 4, 1, "Parameter problem" },
	};
	uint8_t b[512];
	struct icmp_parse_result r;
	struct in6_addr dst;
	size_t n, i;

	put_in6(dst.s6_addr, "2001:db8::7");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = mk_error6(b, cases[i].type, cases[i].code, ID,
		    ICMP_PARSE_PACKET_LEN);
		assert_int_equal(icmp_parse_v6(b, n, ID, &r),
		    ICMP_PARSE_ERROR);
		assert_int_equal(r.type, cases[i].type);
		assert_int_equal(r.code, cases[i].code);
		assert_int_equal(r.id, ID);
		assert_int_equal(r.seq, SEQ);
		assert_memory_equal(&r.quoted_dst6, &dst, sizeof(dst));
		assert_int_equal(icmp_parse_cookie_check(r.payload,
				     r.payload_len, COOKIE, INDEX),
		    ICMP_PARSE_COOKIE_OK);
		assert_string_equal(icmp_parse_error_text6(r.type, r.code),
		    cases[i].text);
	}

	/* A router quoting only the 8-byte echo header: matched on
	 * identifier, sequence and destination, no cookie to check. */
	n = mk_error6(b, 3, 0, ID, 8);
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_ERROR);
	assert_int_equal(r.seq, SEQ);
	assert_int_equal(r.payload_len, 0);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_ABSENT);

	/* Quote padded past the original datagram: the payload length of
	 * the quoted header bounds the payload. */
	n = mk_error6(b, 1, 3, ID, ICMP_PARSE_PACKET_LEN);
	memset(b + n, 0xee, 32);
	assert_int_equal(icmp_parse_v6(b, n + 32, ID, &r), ICMP_PARSE_ERROR);
	assert_int_equal(r.payload_len, ICMP_PARSE_PAYLOAD_LEN);
	/* ... and one that claims less than an echo header: SHORT. */
	put16(b + 8 + 4, 7);
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_SHORT);
}

static void
test_parse6_error_quoting_foreign(void **state)
{
	uint8_t b[512];
	struct icmp_parse_result r;
	size_t n;

	/* Someone else's echo request. */
	n = mk_error6(b, 1, 3, ID ^ 0x100, ICMP_PARSE_PACKET_LEN);
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_FOREIGN_ID);
	/* A UDP datagram, an extension header first, an echo reply. */
	n = mk_error6(b, 1, 4, ID, ICMP_PARSE_PACKET_LEN);
	b[8 + 6] = IPPROTO_UDP;
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_FOREIGN_ID);
	b[8 + 6] = 0; /* hop-by-hop options */
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_FOREIGN_ID);
	n = mk_error6(b, 1, 3, ID, ICMP_PARSE_PACKET_LEN);
	b[8 + 40] = ICMP_PARSE6_ECHO_REPLY_TYPE;
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_FOREIGN_ID);
	/* Not IPv6 inside. */
	n = mk_error6(b, 1, 3, ID, ICMP_PARSE_PACKET_LEN);
	b[8] = 0x45;
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_FOREIGN_ID);
	/* An ICMPv4 error type number means nothing in ICMPv6. */
	n = mk_error6(b, 11, 0, ID, ICMP_PARSE_PACKET_LEN);
	assert_int_equal(icmp_parse_v6(b, n, ID, &r), ICMP_PARSE_OTHER_TYPE);
}

static void
test_parse6_other_type(void **state)
{
	static const uint8_t types[] = { 0, 5, 100, 127, 128, 130, 133, 134,
		135, 136, 137, 143, 200, 255 };
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n, i;

	for (i = 0; i < sizeof(types); i++) {
		n = mk_reply6(b, ID);
		b[0] = types[i];
		assert_int_equal(icmp_parse_v6(b, n, ID, &r),
		    ICMP_PARSE_OTHER_TYPE);
		assert_int_equal(r.type, types[i]);
	}
}

static void
test_parse6_errqueue(void **state)
{
	uint8_t b[128];
	struct icmp_parse_result r;
	struct in6_addr off, dst;
	size_t n, len;

	put_in6(off.s6_addr, "2001:db8:1::1");
	put_in6(dst.s6_addr, "2001:db8:11::10");
	n = icmp_parse_build_echo6(b, sizeof(b), ID, SEQ, COOKIE, INDEX);
	assert_int_equal(icmp_parse_v6_errqueue(b, n, ID, 1, 3, &off, &dst,
			     &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.seq, SEQ);
	assert_memory_equal(&r.src6, &off, sizeof(off));
	assert_memory_equal(&r.quoted_dst6, &dst, sizeof(dst));
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
	assert_int_equal(icmp_parse_v6_errqueue(b, 8, ID, 2, 0, &off, &dst,
			     &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.payload_len, 0);
	for (len = 0; len < 8; len++)
		assert_int_equal(icmp_parse_v6_errqueue(b, len, ID, 3, 0, &off,
				     &dst, &r),
		    ICMP_PARSE_SHORT);
	assert_int_equal(icmp_parse_v6_errqueue(b, n, ID + 1, 1, 3, &off,
			     &dst, &r),
	    ICMP_PARSE_FOREIGN_ID);
	assert_int_equal(icmp_parse_v6_errqueue(b, n, ID, 129, 0, &off, &dst,
			     &r),
	    ICMP_PARSE_OTHER_TYPE);
	/* An ICMPv4 request in an IPv6 error queue is not ours. */
	icmp_parse_build_echo(b, sizeof(b), ID, SEQ, COOKIE, INDEX);
	assert_int_equal(icmp_parse_v6_errqueue(b, n, ID, 1, 3, &off, &dst,
			     &r),
	    ICMP_PARSE_FOREIGN_ID);
}

/*
 * A flood as an attacker on the path would send it: junk of every kind,
 * and spoofed replies carrying our identifier and a guessed sequence but
 * not the cookie. The parser stays in bounds, and no spoofed reply passes
 * the cookie check, in either family.
 */
static void
test_parse_flood_of_junk_and_spoofed_replies(void **state)
{
	uint8_t b[160], cookie[8];
	struct icmp_parse_result r;
	uint32_t x = 88172645u;
	size_t len, i;
	int round, spoofed = 0, replies = 0;

	for (round = 0; round < 20000; round++) {
		for (i = 0; i < sizeof(b); i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			b[i] = (uint8_t)x;
		}
		len = x % sizeof(b);
		if (round % 2 == 0) {
			/* Spoofed: our id, any seq, a guessed cookie. */
			memcpy(cookie, b + 100, sizeof(cookie));
			len = mk_reply6(b, ID);
			put16(b + 6, (unsigned)round);
			memcpy(b + 8, cookie, sizeof(cookie));
			if (round % 4 == 0) {
				b[0] = ICMP_PARSE_ECHO_REPLY_TYPE;
				fix_icmp_checksum(b, len);
			}
			spoofed++;
		}
		if (round % 4 == 0 && round % 2 == 0) {
			if (icmp_parse_v4(b, len, ICMP_PARSE_ICMP_ONLY, true, ID,
				&r) == ICMP_PARSE_ECHO_REPLY) {
				replies++;
				assert_int_not_equal(icmp_parse_cookie_check(
							 r.payload,
							 r.payload_len, COOKIE,
							 INDEX),
				    ICMP_PARSE_COOKIE_OK);
			}
		} else if (icmp_parse_v6(b, len, ID, &r) ==
		    ICMP_PARSE_ECHO_REPLY) {
			replies++;
			assert_int_not_equal(icmp_parse_cookie_check(r.payload,
						 r.payload_len, COOKIE, INDEX),
			    ICMP_PARSE_COOKIE_OK);
		}
		if (r.payload != NULL)
			assert_true(r.payload >= b &&
			    r.payload + r.payload_len <= b + len);
	}
	/* Every spoofed reply parsed as a reply (and was refused by the
	 * cookie); junk rarely does. */
	assert_true(replies >= spoofed);
}

/* Random bytes into the IPv6 parsers: never out of bounds. */
static void
test_parse6_random_input_stays_in_bounds(void **state)
{
	uint8_t b[200];
	struct icmp_parse_result r;
	struct in6_addr any;
	uint32_t x = 2463534242u;
	size_t len, i;
	int round;

	memset(&any, 0, sizeof(any));
	for (round = 0; round < 200; round++) {
		for (len = 0; len <= sizeof(b); len++) {
			for (i = 0; i < sizeof(b); i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				b[i] = (uint8_t)x;
			}
			/* Often an error quoting IPv6 + ICMPv6. */
			if (round % 2 == 0 && len > 48) {
				b[0] = (uint8_t)(1 + round % 4);
				b[8] = 0x60;
				b[8 + 6] = IPPROTO_ICMPV6;
				b[48] = round % 3 ? 128 : 129;
			}
			icmp_parse_v6(b, len, ID, &r);
			if (r.payload != NULL)
				assert_true(r.payload >= b &&
				    r.payload + r.payload_len <= b + len);
			icmp_parse_v6_errqueue(b, len, ID, 1, 3, &any, &any,
			    &r);
			if (r.payload != NULL)
				assert_true(r.payload >= b &&
				    r.payload + r.payload_len <= b + len);
		}
	}
}

/* ---- ancillary data ---- */

union ctl {
	struct cmsghdr align;
	uint8_t buf[512];
};

/* Append a control message to msg (control buffer ctl). */
static void
add_cmsg(struct msghdr *msg, union ctl *ctl, int level, int type,
    const void *data, size_t len)
{
	struct cmsghdr *cm;

	msg->msg_control = ctl->buf;
	assert_true(msg->msg_controllen + CMSG_SPACE(len) <= sizeof(ctl->buf));
	cm = (struct cmsghdr *)(ctl->buf + msg->msg_controllen);
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), data, len);
	msg->msg_controllen += CMSG_SPACE(len);
}

static void
test_parse_anc_timestamp_and_drops(void **state)
{
	struct timespec ts[3];
	struct icmp_parse_anc a;
	struct msghdr msg;
	union ctl ctl;
	uint32_t drops = 17;

	memset(&msg, 0, sizeof(msg));
	memset(&ctl, 0, sizeof(ctl));
	icmp_parse_anc(&msg, &a);
	assert_false(a.have_stamp || a.have_ee || a.have_drops);
	assert_int_equal(a.offender.ss_family, AF_UNSPEC);

	memset(ts, 0, sizeof(ts));
	ts[0].tv_sec = 1700000000;
	ts[0].tv_nsec = 123456789;
	ts[2].tv_sec = 5; /* hardware: ignored */
	add_cmsg(&msg, &ctl, SOL_SOCKET, SCM_TIMESTAMPING, ts, sizeof(ts));
	add_cmsg(&msg, &ctl, SOL_SOCKET, SO_RXQ_OVFL, &drops, sizeof(drops));
	icmp_parse_anc(&msg, &a);
	assert_true(a.have_stamp);
	assert_int_equal(a.stamp_ns, INT64_C(1700000000123456789));
	assert_true(a.have_drops);
	assert_int_equal(a.drops, 17);
	assert_false(a.have_ee);

	/* Only a hardware stamp: no software stamp to use. */
	memset(&msg, 0, sizeof(msg));
	ts[0].tv_sec = ts[0].tv_nsec = 0;
	add_cmsg(&msg, &ctl, SOL_SOCKET, SCM_TIMESTAMPING, ts, sizeof(ts));
	icmp_parse_anc(&msg, &a);
	assert_false(a.have_stamp);
	/* Data too short for three timespecs. */
	memset(&msg, 0, sizeof(msg));
	ts[0].tv_sec = 1;
	add_cmsg(&msg, &ctl, SOL_SOCKET, SCM_TIMESTAMPING, ts, sizeof(ts[0]));
	icmp_parse_anc(&msg, &a);
	assert_false(a.have_stamp);
}

static void
test_parse_anc_tx_stamp_and_errors(void **state)
{
	uint8_t d[sizeof(struct sock_extended_err) +
	    sizeof(struct sockaddr_in6)];
	struct sock_extended_err ee;
	struct sockaddr_in6 off6;
	struct sockaddr_in off4;
	struct timespec ts[3];
	struct icmp_parse_anc a;
	struct msghdr msg;
	union ctl ctl;

	/* A TX timestamp: ENOMSG, origin TIMESTAMPING, OPT_ID key. */
	memset(&msg, 0, sizeof(msg));
	memset(&ee, 0, sizeof(ee));
	memset(ts, 0, sizeof(ts));
	ts[0].tv_sec = 2;
	ee.ee_errno = ENOMSG;
	ee.ee_origin = SO_EE_ORIGIN_TIMESTAMPING;
	ee.ee_info = SCM_TSTAMP_SND;
	ee.ee_data = 41;
	add_cmsg(&msg, &ctl, SOL_SOCKET, SCM_TIMESTAMPING, ts, sizeof(ts));
	add_cmsg(&msg, &ctl, SOL_IP, IP_RECVERR, &ee, sizeof(ee));
	icmp_parse_anc(&msg, &a);
	assert_true(a.have_stamp && a.have_ee);
	assert_int_equal(a.stamp_ns, 2 * INT64_C(1000000000));
	assert_int_equal(a.ee_origin, ICMP_PARSE_EE_TIMESTAMPING);
	assert_int_equal(a.ee_errno, ENOMSG);
	assert_int_equal(a.ee_data, 41);
	assert_int_equal(a.offender.ss_family, AF_UNSPEC);

	/* An ICMPv6 error with its offender. */
	memset(&msg, 0, sizeof(msg));
	memset(&ee, 0, sizeof(ee));
	ee.ee_errno = EHOSTUNREACH;
	ee.ee_origin = SO_EE_ORIGIN_ICMP6;
	ee.ee_type = 1;
	ee.ee_code = 3;
	memset(&off6, 0, sizeof(off6));
	off6.sin6_family = AF_INET6;
	put_in6(off6.sin6_addr.s6_addr, "2001:db8:1::1");
	memcpy(d, &ee, sizeof(ee));
	memcpy(d + sizeof(ee), &off6, sizeof(off6));
	add_cmsg(&msg, &ctl, SOL_IPV6, IPV6_RECVERR, d, sizeof(d));
	icmp_parse_anc(&msg, &a);
	assert_true(a.have_ee);
	assert_false(a.have_stamp);
	assert_int_equal(a.ee_origin, ICMP_PARSE_EE_ICMP6);
	assert_int_equal(a.ee_type, 1);
	assert_int_equal(a.ee_code, 3);
	assert_int_equal(a.offender.ss_family, AF_INET6);
	assert_memory_equal(&((struct sockaddr_in6 *)&a.offender)->sin6_addr,
	    &off6.sin6_addr, sizeof(off6.sin6_addr));

	/* An IPv4 offender; then one cut short: AF_UNSPEC. */
	memset(&msg, 0, sizeof(msg));
	memset(&off4, 0, sizeof(off4));
	off4.sin_family = AF_INET;
	off4.sin_addr.s_addr = htonl(0x0a420102);
	memcpy(d + sizeof(ee), &off4, sizeof(off4));
	add_cmsg(&msg, &ctl, SOL_IP, IP_RECVERR, d,
	    sizeof(ee) + sizeof(off4));
	icmp_parse_anc(&msg, &a);
	assert_int_equal(a.offender.ss_family, AF_INET);
	memset(&msg, 0, sizeof(msg));
	add_cmsg(&msg, &ctl, SOL_IP, IP_RECVERR, d, sizeof(ee) + 6);
	icmp_parse_anc(&msg, &a);
	assert_true(a.have_ee);
	assert_int_equal(a.offender.ss_family, AF_UNSPEC);
	/* An extended error too short to hold one. */
	memset(&msg, 0, sizeof(msg));
	add_cmsg(&msg, &ctl, SOL_IP, IP_RECVERR, d, sizeof(ee) - 1);
	icmp_parse_anc(&msg, &a);
	assert_false(a.have_ee);
}

/* Lying lengths end the walk; nothing past the control buffer is read
 * (ASan would see it: the buffer is exactly as long as announced). */
static void
test_parse_anc_lying_lengths(void **state)
{
	struct timespec ts[3];
	struct icmp_parse_anc a;
	struct cmsghdr *cm;
	struct msghdr msg;
	union ctl ctl;
	uint8_t *tight;
	size_t cut;

	memset(ts, 0, sizeof(ts));
	ts[0].tv_sec = 3;
	memset(&msg, 0, sizeof(msg));
	add_cmsg(&msg, &ctl, SOL_SOCKET, SCM_TIMESTAMPING, ts, sizeof(ts));
	/* Announced longer than the buffer. */
	cm = (struct cmsghdr *)ctl.buf;
	cm->cmsg_len = msg.msg_controllen + 1;
	icmp_parse_anc(&msg, &a);
	assert_false(a.have_stamp);
	/* Shorter than a header: never loops. */
	cm->cmsg_len = 3;
	icmp_parse_anc(&msg, &a);
	assert_false(a.have_stamp);
	/* Every truncation of a valid buffer, copied to a tight heap
	 * allocation. */
	cm->cmsg_len = CMSG_LEN(sizeof(ts));
	for (cut = 0; cut <= msg.msg_controllen; cut++) {
		tight = malloc(cut > 0 ? cut : 1);
		assert_non_null(tight);
		memcpy(tight, ctl.buf, cut);
		msg.msg_control = tight;
		msg.msg_controllen = cut;
		icmp_parse_anc(&msg, &a);
		assert_int_equal(a.have_stamp, cut >= CMSG_LEN(sizeof(ts)));
		free(tight);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse6_echo_reply),
		cmocka_unit_test(test_parse6_build_echo),
		cmocka_unit_test(test_parse6_truncated_every_length),
		cmocka_unit_test(test_parse6_error_quoting_ours),
		cmocka_unit_test(test_parse6_error_quoting_foreign),
		cmocka_unit_test(test_parse6_other_type),
		cmocka_unit_test(test_parse6_errqueue),
		cmocka_unit_test(test_parse_flood_of_junk_and_spoofed_replies),
		cmocka_unit_test(test_parse6_random_input_stays_in_bounds),
		cmocka_unit_test(test_parse_anc_timestamp_and_drops),
		cmocka_unit_test(test_parse_anc_tx_stamp_and_errors),
		cmocka_unit_test(test_parse_anc_lying_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
