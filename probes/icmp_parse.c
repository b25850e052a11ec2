/*
 * icmp_parse: building echo requests and classifying received ICMPv4.
 *
 * Every read is bounds-checked against the length seen so far; nothing is
 * read through a cast of the buffer to a header struct (no alignment
 * assumptions), multi-byte fields are assembled byte by byte in network
 * order. Length fields inside the datagram are never trusted beyond the
 * bytes actually received: an IHL or total length that points past the end
 * makes the datagram SHORT.
 */
#include "icmp_parse.h"

#include <string.h>

#define ICMP_PARSE_IP_MIN 20 /* IPv4 header without options */

static uint16_t
icmp_parse_rd16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static void
icmp_parse_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t
icmp_parse_checksum(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += icmp_parse_rd16(b + i);
		/* Fold as we go: no overflow whatever the length. */
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Check an IPv4 header at the start of b (len bytes). On success, *hlen is
 * its length with options and *tot the datagram length it announces, both
 * within len. Returns 0, or the drop reason.
 */
static int
icmp_parse_ip(const uint8_t *b, size_t len, size_t *hlen, size_t *tot,
    enum icmp_parse_outcome *why)
{
	size_t hl, tl;

	if (len < ICMP_PARSE_IP_MIN) {
		*why = ICMP_PARSE_SHORT;
		return -1;
	}
	if ((b[0] >> 4) != 4) {
		*why = ICMP_PARSE_OTHER_TYPE;
		return -1;
	}
	hl = (size_t)(b[0] & 0x0f) * 4;
	tl = icmp_parse_rd16(b + 2);
	if (hl < ICMP_PARSE_IP_MIN || hl > len || tl < hl) {
		*why = ICMP_PARSE_SHORT;
		return -1;
	}
	*hlen = hl;
	*tot = tl;
	return 0;
}

/* The quoted datagram of an ICMP error (q, qlen bytes after the 8-byte
 * ICMP header): is it one of our echo requests? */
static enum icmp_parse_outcome
icmp_parse_quoted(const uint8_t *q, size_t qlen, uint16_t id,
    struct icmp_parse_result *out)
{
	enum icmp_parse_outcome why;
	const uint8_t *ic;
	size_t hl, tl, iclen;

	if (icmp_parse_ip(q, qlen, &hl, &tl, &why) != 0)
		return why == ICMP_PARSE_OTHER_TYPE ? ICMP_PARSE_FOREIGN_ID :
						      why;
	/* Not ICMP, or a later fragment: not something we sent. */
	if (q[9] != IPPROTO_ICMP || (icmp_parse_rd16(q + 6) & 0x1fff) != 0)
		return ICMP_PARSE_FOREIGN_ID;
	if (qlen - hl < ICMP_PARSE_HDR_LEN)
		return ICMP_PARSE_SHORT;
	ic = q + hl;
	iclen = qlen - hl;
	/* Senders may pad the quote; never look past the original datagram.
	 * A quoted total length is usually the original one and larger than
	 * the quote, which is fine. */
	if (tl - hl < iclen)
		iclen = tl - hl;
	if (iclen < ICMP_PARSE_HDR_LEN)
		return ICMP_PARSE_SHORT;
	if (ic[0] != ICMP_PARSE_ECHO_TYPE || ic[1] != 0)
		return ICMP_PARSE_FOREIGN_ID;
	memcpy(&out->quoted_dst, q + 16, sizeof(out->quoted_dst));
	out->id = icmp_parse_rd16(ic + 4);
	out->seq = icmp_parse_rd16(ic + 6);
	if (out->id != id)
		return ICMP_PARSE_FOREIGN_ID;
	out->payload = ic + ICMP_PARSE_HDR_LEN;
	out->payload_len = iclen - ICMP_PARSE_HDR_LEN;
	return ICMP_PARSE_ERROR;
}

static bool
icmp_parse_is_error(uint8_t type)
{
	return type == ICMP_PARSE_UNREACH_TYPE ||
	    type == ICMP_PARSE_TIME_EXCEEDED ||
	    type == ICMP_PARSE_PARAM_PROBLEM;
}

enum icmp_parse_outcome
icmp_parse_v4(const void *buf, size_t len, enum icmp_parse_framing framing,
    bool verify_checksum, uint16_t id, struct icmp_parse_result *out)
{
	enum icmp_parse_outcome why;
	const uint8_t *b = buf;
	size_t hl, tl;

	memset(out, 0, sizeof(*out));
	if (framing == ICMP_PARSE_WITH_IP) {
		if (icmp_parse_ip(b, len, &hl, &tl, &why) != 0)
			return why;
		/* Linux trims raw datagrams to the total length; a larger
		 * total length means we hold a truncated datagram. */
		if (tl > len)
			return ICMP_PARSE_SHORT;
		if (b[9] != IPPROTO_ICMP)
			return ICMP_PARSE_OTHER_TYPE;
		memcpy(&out->src, b + 12, sizeof(out->src));
		b += hl;
		len = tl - hl;
	}
	if (len < ICMP_PARSE_HDR_LEN)
		return ICMP_PARSE_SHORT;
	out->type = b[0];
	out->code = b[1];
	if (verify_checksum && icmp_parse_checksum(b, len) != 0)
		return ICMP_PARSE_BAD_CHECKSUM;

	if (out->type == ICMP_PARSE_ECHO_REPLY_TYPE) {
		if (out->code != 0)
			return ICMP_PARSE_OTHER_TYPE;
		out->id = icmp_parse_rd16(b + 4);
		out->seq = icmp_parse_rd16(b + 6);
		if (out->id != id)
			return ICMP_PARSE_FOREIGN_ID;
		out->payload = b + ICMP_PARSE_HDR_LEN;
		out->payload_len = len - ICMP_PARSE_HDR_LEN;
		return ICMP_PARSE_ECHO_REPLY;
	}
	if (icmp_parse_is_error(out->type))
		return icmp_parse_quoted(b + ICMP_PARSE_HDR_LEN,
		    len - ICMP_PARSE_HDR_LEN, id, out);
	return ICMP_PARSE_OTHER_TYPE;
}

enum icmp_parse_outcome
icmp_parse_v4_errqueue(const void *buf, size_t len, uint16_t id, uint8_t type,
    uint8_t code, struct in_addr offender, struct in_addr dst,
    struct icmp_parse_result *out)
{
	const uint8_t *b = buf;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->code = code;
	out->src = offender;
	out->quoted_dst = dst;
	if (!icmp_parse_is_error(type))
		return ICMP_PARSE_OTHER_TYPE;
	if (len < ICMP_PARSE_HDR_LEN)
		return ICMP_PARSE_SHORT;
	if (b[0] != ICMP_PARSE_ECHO_TYPE || b[1] != 0)
		return ICMP_PARSE_FOREIGN_ID;
	out->id = icmp_parse_rd16(b + 4);
	out->seq = icmp_parse_rd16(b + 6);
	if (out->id != id)
		return ICMP_PARSE_FOREIGN_ID;
	out->payload = b + ICMP_PARSE_HDR_LEN;
	out->payload_len = len - ICMP_PARSE_HDR_LEN;
	return ICMP_PARSE_ERROR;
}

size_t
icmp_parse_build_echo(void *buf, size_t buflen, uint16_t id, uint16_t seq,
    uint64_t cookie, uint16_t index)
{
	uint8_t *b = buf, *pl;
	size_t i;

	if (buflen < ICMP_PARSE_PACKET_LEN)
		return 0;
	b[0] = ICMP_PARSE_ECHO_TYPE;
	b[1] = 0;
	icmp_parse_wr16(b + 2, 0);
	icmp_parse_wr16(b + 4, id);
	icmp_parse_wr16(b + 6, seq);
	pl = b + ICMP_PARSE_HDR_LEN;
	for (i = 0; i < 8; i++)
		pl[i] = (uint8_t)(cookie >> (56 - 8 * i));
	icmp_parse_wr16(pl + 8, index);
	for (i = ICMP_PARSE_COOKIE_LEN; i < ICMP_PARSE_PAYLOAD_LEN; i++)
		pl[i] = (uint8_t)i;
	icmp_parse_wr16(b + 2,
	    icmp_parse_checksum(b, ICMP_PARSE_PACKET_LEN));
	return ICMP_PARSE_PACKET_LEN;
}

enum icmp_parse_cookie
icmp_parse_cookie_check(const uint8_t *payload, size_t len, uint64_t cookie,
    uint16_t index)
{
	uint64_t got = 0;
	size_t i;

	if (payload == NULL || len < ICMP_PARSE_COOKIE_LEN)
		return ICMP_PARSE_COOKIE_ABSENT;
	for (i = 0; i < 8; i++)
		got = got << 8 | payload[i];
	if (got != cookie || icmp_parse_rd16(payload + 8) != index)
		return ICMP_PARSE_COOKIE_BAD;
	return ICMP_PARSE_COOKIE_OK;
}

const char *
icmp_parse_error_text(uint8_t type, uint8_t code)
{
	/* Kept short enough that "<text> from 255.255.255.255" fits the
	 * 64 bytes of struct icmp_result's icmp_error_text. */
	static const char *const unreach[] = {
		"Destination Net Unreachable",
		"Destination Host Unreachable",
		"Destination Protocol Unreachable",
		"Destination Port Unreachable",
		"Fragmentation needed and DF set",
		"Source Route Failed",
		"Destination Net Unknown",
		"Destination Host Unknown",
		"Source Host Isolated",
		"Destination Net Prohibited",
		"Destination Host Prohibited",
		"Destination Net Unreachable for TOS",
		"Destination Host Unreachable for TOS",
		"Packet filtered",
		"Precedence Violation",
		"Precedence Cutoff",
	};

	switch (type) {
	case ICMP_PARSE_UNREACH_TYPE:
		if (code < sizeof(unreach) / sizeof(unreach[0]))
			return unreach[code];
		return "Destination Unreachable";
	case ICMP_PARSE_TIME_EXCEEDED:
		return code == 1 ? "Frag reassembly time exceeded" :
				   "Time to live exceeded";
	case ICMP_PARSE_PARAM_PROBLEM:
		return "Parameter problem";
	default:
		return "Unknown ICMP error";
	}
}
