/*
 * test_icmp_parse: the ICMP wire format, from crafted bytes only (ICMPv6
 * and ancillary data: test_icmp_parse6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
