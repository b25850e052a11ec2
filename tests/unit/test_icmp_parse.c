/*
 * test_icmp_parse: the ICMP and ICMPv6 wire formats and the ancillary data
 * of received messages, from crafted bytes only.
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

/* IPv4 header with optlen bytes of options (NOPs) for an ICMP payload of
 * plen bytes. Returns the header length. */
static size_t
mk_ip(uint8_t *b, size_t optlen, uint8_t proto, const char *src,
    const char *dst, size_t plen)
{
	size_t hl = 20 + optlen;

	memset(b, 0, hl);
	b[0] = (uint8_t)(0x40 | (hl / 4));
	put16(b + 2, (unsigned)(hl + plen));
	b[8] = 64;
	b[9] = proto;
	assert_int_equal(inet_pton(AF_INET, src, b + 12), 1);
	assert_int_equal(inet_pton(AF_INET, dst, b + 16), 1);
	memset(b + 20, 1, optlen); /* IPOPT_NOP */
	return hl;
}

/* An echo reply as a peer would send it: our request with type 0. */
static size_t
mk_reply(uint8_t *b, uint16_t id)
{
	size_t n = icmp_parse_build_echo(b, ICMP_PARSE_PACKET_LEN, id, SEQ,
	    COOKIE, INDEX);

	b[0] = ICMP_PARSE_ECHO_REPLY_TYPE;
	fix_icmp_checksum(b, n);
	return n;
}

/* Raw-socket datagram: IP header (with optlen option bytes) + reply. */
static size_t
mk_raw_reply(uint8_t *b, size_t optlen, uint16_t id)
{
	size_t hl = mk_ip(b, optlen, IPPROTO_ICMP, "192.0.2.7", "192.0.2.1",
	    ICMP_PARSE_PACKET_LEN);

	return hl + mk_reply(b + hl, id);
}

/*
 * Raw-socket ICMP error from 198.51.100.1 quoting our request to
 * 192.0.2.7: quote_len bytes of the request's ICMP message are quoted
 * (8 = RFC 792's minimum, ICMP_PARSE_PACKET_LEN = all of it).
 */
static size_t
mk_raw_error(uint8_t *b, uint8_t type, uint8_t code, uint16_t id,
    size_t quote_len, size_t qoptlen)
{
	uint8_t req[ICMP_PARSE_PACKET_LEN];
	size_t hl, qhl, icmp_len;
	uint8_t *ic;

	assert_int_equal(icmp_parse_build_echo(req, sizeof(req), id, SEQ,
			     COOKIE, INDEX),
	    ICMP_PARSE_PACKET_LEN);
	qhl = 20 + qoptlen;
	icmp_len = 8 + qhl + quote_len;
	hl = mk_ip(b, 0, IPPROTO_ICMP, "198.51.100.1", "192.0.2.1", icmp_len);
	ic = b + hl;
	memset(ic, 0, 8);
	ic[0] = type;
	ic[1] = code;
	/* The quoted request keeps its original total length. */
	mk_ip(ic + 8, qoptlen, IPPROTO_ICMP, "192.0.2.1", "192.0.2.7",
	    ICMP_PARSE_PACKET_LEN);
	memcpy(ic + 8 + qhl, req, quote_len);
	fix_icmp_checksum(ic, icmp_len);
	return hl + icmp_len;
}

static void
test_parse_echo_reply_raw(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_raw_reply(b, 0, ID);
	struct in_addr src;

	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ECHO_REPLY);
	assert_int_equal(r.type, 0);
	assert_int_equal(r.id, ID);
	assert_int_equal(r.seq, SEQ);
	inet_pton(AF_INET, "192.0.2.7", &src);
	assert_int_equal(r.src.s_addr, src.s_addr);
	assert_int_equal(r.payload_len, ICMP_PARSE_PAYLOAD_LEN);
	assert_ptr_equal(r.payload, b + 20 + 8);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
}

static void
test_parse_echo_reply_dgram(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_reply(b, ID);

	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_ICMP_ONLY, false, ID,
			     &r),
	    ICMP_PARSE_ECHO_REPLY);
	assert_int_equal(r.seq, SEQ);
	assert_int_equal(r.src.s_addr, 0);
	assert_int_equal(r.payload_len, ICMP_PARSE_PAYLOAD_LEN);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_ICMP_ONLY, true, ID,
			     &r),
	    ICMP_PARSE_ECHO_REPLY);
}

/* Every prefix of a raw datagram is SHORT: the IP total length says more
 * is due. */
static void
test_parse_truncated_raw_every_length(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_raw_reply(b, 8, ID), len;

	for (len = 0; len < n; len++)
		assert_int_equal(icmp_parse_v4(b, len, ICMP_PARSE_WITH_IP,
				     true, ID, &r),
		    ICMP_PARSE_SHORT);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ECHO_REPLY);

	n = mk_raw_error(b, 3, 1, ID, ICMP_PARSE_PACKET_LEN, 0);
	for (len = 0; len < n; len++)
		assert_int_equal(icmp_parse_v4(b, len, ICMP_PARSE_WITH_IP,
				     true, ID, &r),
		    ICMP_PARSE_SHORT);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ERROR);
}

/* Without an IP header nothing announces the length: a header cut short
 * is SHORT, a cut payload fails the checksum, or (unchecked) leaves too
 * little payload for the cookie. */
static void
test_parse_truncated_dgram_every_length(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_reply(b, ID), len;

	for (len = 0; len < n; len++) {
		if (len < ICMP_PARSE_HDR_LEN) {
			assert_int_equal(icmp_parse_v4(b, len,
					     ICMP_PARSE_ICMP_ONLY, true, ID,
					     &r),
			    ICMP_PARSE_SHORT);
			continue;
		}
		assert_int_equal(icmp_parse_v4(b, len, ICMP_PARSE_ICMP_ONLY,
				     true, ID, &r),
		    ICMP_PARSE_BAD_CHECKSUM);
		assert_int_equal(icmp_parse_v4(b, len, ICMP_PARSE_ICMP_ONLY,
				     false, ID, &r),
		    ICMP_PARSE_ECHO_REPLY);
		assert_int_equal(r.payload_len, len - ICMP_PARSE_HDR_LEN);
		assert_int_equal(icmp_parse_cookie_check(r.payload,
				     r.payload_len, COOKIE, INDEX),
		    r.payload_len < ICMP_PARSE_COOKIE_LEN ?
			ICMP_PARSE_COOKIE_ABSENT :
			ICMP_PARSE_COOKIE_OK);
	}
}

static void
test_parse_bad_checksum(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_raw_reply(b, 0, ID), i;

	/* Any single flipped bit in the ICMP message is caught. */
	for (i = 20; i < n; i++) {
		b[i] ^= 0x10;
		assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true,
				     ID, &r),
		    ICMP_PARSE_BAD_CHECKSUM);
		b[i] ^= 0x10;
	}
	/* Unchecked (datagram sockets), a corrupt payload fails the cookie. */
	b[20 + 8] ^= 0x01;
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, false, ID,
			     &r),
	    ICMP_PARSE_ECHO_REPLY);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_BAD);
	/* The IP header checksum is the kernel's business, not ours. */
	b[20 + 8] ^= 0x01;
	b[10] ^= 0xff;
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ECHO_REPLY);
}

static void
test_parse_foreign_id(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n = mk_raw_reply(b, 0, ID + 1);

	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_FOREIGN_ID);
	assert_int_equal(r.id, ID + 1);
	n = mk_reply(b, 0);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_ICMP_ONLY, true, ID,
			     &r),
	    ICMP_PARSE_FOREIGN_ID);
}

static void
test_parse_other_type(void **state)
{
	static const uint8_t types[] = { 4, 5, 8, 9, 10, 13, 14, 17, 18, 42 };
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n, i;

	for (i = 0; i < sizeof(types); i++) {
		n = mk_raw_reply(b, 0, ID);
		b[20] = types[i];
		fix_icmp_checksum(b + 20, n - 20);
		assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true,
				     ID, &r),
		    ICMP_PARSE_OTHER_TYPE);
		assert_int_equal(r.type, types[i]);
	}
	/* Echo reply with a nonzero code. */
	n = mk_raw_reply(b, 0, ID);
	b[21] = 1;
	fix_icmp_checksum(b + 20, n - 20);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_OTHER_TYPE);
	/* Not ICMP at all, or not IPv4. */
	n = mk_raw_reply(b, 0, ID);
	b[9] = IPPROTO_UDP;
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_OTHER_TYPE);
	n = mk_raw_reply(b, 0, ID);
	b[0] = 0x65;
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_OTHER_TYPE);
}

static void
test_parse_ip_options(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n, opt;

	for (opt = 4; opt <= 40; opt += 4) {
		n = mk_raw_reply(b, opt, ID);
		assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true,
				     ID, &r),
		    ICMP_PARSE_ECHO_REPLY);
		assert_int_equal(r.seq, SEQ);
		assert_ptr_equal(r.payload, b + 20 + opt + 8);
		assert_int_equal(icmp_parse_cookie_check(r.payload,
				     r.payload_len, COOKIE, INDEX),
		    ICMP_PARSE_COOKIE_OK);
	}
}

static void
test_parse_ihl_and_length_lies(void **state)
{
	uint8_t b[256];
	struct icmp_parse_result r;
	size_t n;

	/* IHL beyond the datagram. */
	n = mk_raw_reply(b, 0, ID);
	b[0] = 0x4f;
	assert_int_equal(icmp_parse_v4(b, 40, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_SHORT);
	/* IHL larger than it is: the ICMP header is misread, never past the
	 * end; the checksum catches it. */
	assert_int_not_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID,
				 &r),
	    ICMP_PARSE_ECHO_REPLY);
	/* IHL below the minimum. */
	for (unsigned ihl = 0; ihl < 5; ihl++) {
		b[0] = (uint8_t)(0x40 | ihl);
		assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true,
				     ID, &r),
		    ICMP_PARSE_SHORT);
	}
	/* Total length shorter than the header, or longer than received. */
	n = mk_raw_reply(b, 0, ID);
	put16(b + 2, 19);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_SHORT);
	put16(b + 2, (unsigned)n + 1);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_SHORT);
	/* Total length shorter than received: trailing bytes are ignored. */
	put16(b + 2, (unsigned)n);
	memset(b + n, 0xee, 16);
	assert_int_equal(icmp_parse_v4(b, n + 16, ICMP_PARSE_WITH_IP, true, ID,
			     &r),
	    ICMP_PARSE_ECHO_REPLY);
	assert_int_equal(r.payload_len, ICMP_PARSE_PAYLOAD_LEN);
	/* ... and a total length that cuts into the ICMP message. */
	put16(b + 2, 20 + 7);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_SHORT);
}

static void
test_parse_unreachable_quoting_ours(void **state)
{
	uint8_t b[512];
	struct icmp_parse_result r;
	struct in_addr a;
	size_t n;

	n = mk_raw_error(b, 3, 1, ID, ICMP_PARSE_PACKET_LEN, 0);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.type, 3);
	assert_int_equal(r.code, 1);
	assert_int_equal(r.id, ID);
	assert_int_equal(r.seq, SEQ);
	inet_pton(AF_INET, "192.0.2.7", &a);
	assert_int_equal(r.quoted_dst.s_addr, a.s_addr);
	inet_pton(AF_INET, "198.51.100.1", &a);
	assert_int_equal(r.src.s_addr, a.s_addr);
	assert_int_equal(r.payload_len, ICMP_PARSE_PAYLOAD_LEN);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
	assert_string_equal(icmp_parse_error_text(r.type, r.code),
	    "Destination Host Unreachable");

	/* RFC 792 minimum quote: header only, no cookie to check. */
	n = mk_raw_error(b, 11, 0, ID, 8, 0);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.seq, SEQ);
	assert_int_equal(r.payload_len, 0);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_ABSENT);
	assert_string_equal(icmp_parse_error_text(r.type, r.code),
	    "Time to live exceeded");

	/* Quoted header with options; parameter problem. */
	n = mk_raw_error(b, 12, 0, ID, 20, 12);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.seq, SEQ);
	assert_int_equal(r.payload_len, 12);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);

	/* Quote shorter than the quoted IP header + 8: SHORT. */
	n = mk_raw_error(b, 3, 1, ID, 4, 0);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_SHORT);

	/* Datagram framing (no outer IP header). */
	n = mk_raw_error(b, 3, 3, ID, ICMP_PARSE_PACKET_LEN, 0);
	assert_int_equal(icmp_parse_v4(b + 20, n - 20, ICMP_PARSE_ICMP_ONLY,
			     true, ID, &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.code, 3);
}

static void
test_parse_error_quoting_foreign(void **state)
{
	uint8_t b[512];
	struct icmp_parse_result r;
	size_t n;

	/* Someone else's echo request. */
	n = mk_raw_error(b, 3, 1, ID ^ 0x100, ICMP_PARSE_PACKET_LEN, 0);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_FOREIGN_ID);

	/* A UDP datagram. */
	n = mk_raw_error(b, 3, 3, ID, ICMP_PARSE_PACKET_LEN, 0);
	b[20 + 8 + 9] = IPPROTO_UDP;
	fix_icmp_checksum(b + 20, n - 20);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_FOREIGN_ID);

	/* An echo reply with our id (not something we sent). */
	n = mk_raw_error(b, 3, 1, ID, ICMP_PARSE_PACKET_LEN, 0);
	b[20 + 8 + 20] = ICMP_PARSE_ECHO_REPLY_TYPE;
	fix_icmp_checksum(b + 20, n - 20);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_FOREIGN_ID);

	/* A later fragment: its first bytes are not an ICMP header. */
	n = mk_raw_error(b, 3, 1, ID, ICMP_PARSE_PACKET_LEN, 0);
	put16(b + 20 + 8 + 6, 0x0010);
	fix_icmp_checksum(b + 20, n - 20);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_FOREIGN_ID);

	/* Quoted IPv6, or a quoted IHL lying past the quote. */
	n = mk_raw_error(b, 3, 1, ID, ICMP_PARSE_PACKET_LEN, 0);
	b[20 + 8] = 0x65;
	fix_icmp_checksum(b + 20, n - 20);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_FOREIGN_ID);
	n = mk_raw_error(b, 3, 1, ID, 8, 0);
	b[20 + 8] = 0x4f;
	fix_icmp_checksum(b + 20, n - 20);
	assert_int_equal(icmp_parse_v4(b, n, ICMP_PARSE_WITH_IP, true, ID, &r),
	    ICMP_PARSE_SHORT);
}

static void
test_parse_errqueue(void **state)
{
	uint8_t b[128];
	struct icmp_parse_result r;
	struct in_addr off, dst;
	size_t n;

	inet_pton(AF_INET, "10.66.1.2", &off);
	inet_pton(AF_INET, "10.66.11.10", &dst);
	n = icmp_parse_build_echo(b, sizeof(b), ID, SEQ, COOKIE, INDEX);
	assert_int_equal(icmp_parse_v4_errqueue(b, n, ID, 3, 1, off, dst, &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.seq, SEQ);
	assert_int_equal(r.src.s_addr, off.s_addr);
	assert_int_equal(r.quoted_dst.s_addr, dst.s_addr);
	assert_int_equal(icmp_parse_cookie_check(r.payload, r.payload_len,
			     COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
	assert_int_equal(icmp_parse_v4_errqueue(b, 8, ID, 11, 0, off, dst, &r),
	    ICMP_PARSE_ERROR);
	assert_int_equal(r.payload_len, 0);
	for (size_t len = 0; len < 8; len++)
		assert_int_equal(icmp_parse_v4_errqueue(b, len, ID, 3, 1, off,
				     dst, &r),
		    ICMP_PARSE_SHORT);
	assert_int_equal(icmp_parse_v4_errqueue(b, n, ID + 1, 3, 1, off, dst,
			     &r),
	    ICMP_PARSE_FOREIGN_ID);
	assert_int_equal(icmp_parse_v4_errqueue(b, n, ID, 5, 1, off, dst, &r),
	    ICMP_PARSE_OTHER_TYPE);
	b[0] = ICMP_PARSE_ECHO_REPLY_TYPE;
	assert_int_equal(icmp_parse_v4_errqueue(b, n, ID, 3, 1, off, dst, &r),
	    ICMP_PARSE_FOREIGN_ID);
}

static void
test_parse_build_echo(void **state)
{
	uint8_t b[ICMP_PARSE_PACKET_LEN + 4];
	size_t i;

	assert_int_equal(icmp_parse_build_echo(b, ICMP_PARSE_PACKET_LEN - 1, ID,
			     SEQ, COOKIE, INDEX),
	    0);
	assert_int_equal(icmp_parse_build_echo(b, sizeof(b), ID, SEQ, COOKIE,
			     INDEX),
	    64);
	assert_int_equal(b[0], 8);
	assert_int_equal(b[1], 0);
	assert_int_equal(b[4] << 8 | b[5], ID);
	assert_int_equal(b[6] << 8 | b[7], SEQ);
	assert_int_equal(b[8], 0x01);
	assert_int_equal(b[15], 0xef);
	assert_int_equal(b[16] << 8 | b[17], INDEX);
	for (i = 10; i < ICMP_PARSE_PAYLOAD_LEN; i++)
		assert_int_equal(b[8 + i], i);
	assert_int_equal(icmp_parse_checksum(b, 64), 0);
}

static void
test_parse_cookie_check(void **state)
{
	uint8_t b[ICMP_PARSE_PACKET_LEN];
	const uint8_t *pl = b + ICMP_PARSE_HDR_LEN;

	icmp_parse_build_echo(b, sizeof(b), ID, SEQ, COOKIE, INDEX);
	assert_int_equal(icmp_parse_cookie_check(pl, 56, COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
	assert_int_equal(icmp_parse_cookie_check(pl, 10, COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_OK);
	assert_int_equal(icmp_parse_cookie_check(pl, 9, COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_ABSENT);
	assert_int_equal(icmp_parse_cookie_check(NULL, 0, COOKIE, INDEX),
	    ICMP_PARSE_COOKIE_ABSENT);
	assert_int_equal(icmp_parse_cookie_check(pl, 56, COOKIE ^ 1, INDEX),
	    ICMP_PARSE_COOKIE_BAD);
	assert_int_equal(icmp_parse_cookie_check(pl, 56,
			     COOKIE ^ UINT64_C(0x8000000000000000), INDEX),
	    ICMP_PARSE_COOKIE_BAD);
	assert_int_equal(icmp_parse_cookie_check(pl, 56, COOKIE, INDEX + 1),
	    ICMP_PARSE_COOKIE_BAD);
}

static void
test_parse_checksum_rfc1071(void **state)
{
	/* RFC 1071 section 3 example: sum ddf2, checksum 220d. */
	static const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6,
		0xf7 };
	static const uint8_t odd[] = { 0x00, 0x01, 0xf2 };
	uint8_t big[4096];

	assert_int_equal(icmp_parse_checksum(v, sizeof(v)), 0x220d);
	/* Odd length: the last byte is padded with zero. */
	assert_int_equal(icmp_parse_checksum(odd, sizeof(odd)),
	    (uint16_t)~(0x0001 + 0xf200));
	assert_int_equal(icmp_parse_checksum(NULL, 0), 0xffff);
	/* Many carries. */
	memset(big, 0xff, sizeof(big));
	assert_int_equal(icmp_parse_checksum(big, sizeof(big)), 0);
}

static void
test_parse_error_text(void **state)
{
	assert_string_equal(icmp_parse_error_text(3, 0),
	    "Destination Net Unreachable");
	assert_string_equal(icmp_parse_error_text(3, 13), "Packet filtered");
	assert_string_equal(icmp_parse_error_text(3, 99),
	    "Destination Unreachable");
	assert_string_equal(icmp_parse_error_text(11, 1),
	    "Frag reassembly time exceeded");
	assert_string_equal(icmp_parse_error_text(12, 0), "Parameter problem");
	assert_string_equal(icmp_parse_error_text(200, 0),
	    "Unknown ICMP error");
	/* Every text is within the announced bound. */
	for (unsigned t = 0; t < 256; t++)
		for (unsigned c = 0; c < 256; c++) {
			assert_true(strlen(icmp_parse_error_text((uint8_t)t,
					(uint8_t)c)) <=
			    ICMP_PARSE_ERROR_TEXT_MAX);
			assert_true(strlen(icmp_parse_error_text6((uint8_t)t,
					(uint8_t)c)) <=
			    ICMP_PARSE_ERROR_TEXT_MAX);
		}
}

/* Random bytes of every length up to 200, both framings: never a crash
 * or an out-of-bounds read (ASan), payload always inside the input. */
static void
test_parse_random_input_stays_in_bounds(void **state)
{
	uint8_t b[200];
	struct icmp_parse_result r;
	struct in_addr any = { 0 };
	uint32_t x = 2463534242u;
	size_t len, i;
	int round;

	for (round = 0; round < 200; round++) {
		for (len = 0; len <= sizeof(b); len++) {
			for (i = 0; i < sizeof(b); i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				b[i] = (uint8_t)x;
			}
			/* Often look like IPv4/ICMP to get past the first
			 * checks. */
			if (round % 2 == 0 && len > 20) {
				b[0] = (uint8_t)(0x40 | (5 + round % 3));
				put16(b + 2, (unsigned)len);
				b[9] = IPPROTO_ICMP;
				/* ICMP type: unreachable or echo reply */
				b[(b[0] & 0xf) * 4 % len] =
				    (uint8_t)(round % 4 == 0 ? 3 : 0);
			}
			icmp_parse_v4(b, len, ICMP_PARSE_WITH_IP,
			    round % 3 != 0, ID, &r);
			if (r.payload != NULL)
				assert_true(r.payload >= b &&
				    r.payload + r.payload_len <= b + len);
			icmp_parse_v4(b, len, ICMP_PARSE_ICMP_ONLY, false, ID,
			    &r);
			if (r.payload != NULL)
				assert_true(r.payload >= b &&
				    r.payload + r.payload_len <= b + len);
			icmp_parse_v4_errqueue(b, len, ID, 3, 1, any, any, &r);
		}
	}
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
		cmocka_unit_test(test_parse_echo_reply_raw),
		cmocka_unit_test(test_parse_echo_reply_dgram),
		cmocka_unit_test(test_parse_truncated_raw_every_length),
		cmocka_unit_test(test_parse_truncated_dgram_every_length),
		cmocka_unit_test(test_parse_bad_checksum),
		cmocka_unit_test(test_parse_foreign_id),
		cmocka_unit_test(test_parse_other_type),
		cmocka_unit_test(test_parse_ip_options),
		cmocka_unit_test(test_parse_ihl_and_length_lies),
		cmocka_unit_test(test_parse_unreachable_quoting_ours),
		cmocka_unit_test(test_parse_error_quoting_foreign),
		cmocka_unit_test(test_parse_errqueue),
		cmocka_unit_test(test_parse_build_echo),
		cmocka_unit_test(test_parse_cookie_check),
		cmocka_unit_test(test_parse_checksum_rfc1071),
		cmocka_unit_test(test_parse_error_text),
		cmocka_unit_test(test_parse_random_input_stays_in_bounds),
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
