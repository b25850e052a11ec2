/*
 * icmp_parse: building echo requests and classifying received ICMPv4 and
 * ICMPv6, and decoding the ancillary data that comes with them.
 *
 * Every read is bounds-checked against the length seen so far; nothing is
 * read through a cast of the buffer to a header struct (no alignment
 * assumptions), multi-byte fields are assembled byte by byte in network
 * order. Length fields inside the datagram are never trusted beyond the
 * bytes actually received: an IHL or total length that points past the end
 * makes the datagram SHORT.
 */
#include "icmp_parse.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <linux/errqueue.h>

#define ICMP_PARSE_IP_MIN 20 /* IPv4 header without options */
#define ICMP_PARSE_IP6_LEN 40 /* IPv6 header */

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

/* The echo request header quoted at ic (iclen bytes): ours? */
static enum icmp_parse_outcome
icmp_parse_quoted_echo(const uint8_t *ic, size_t iclen, uint8_t echo_type,
    uint16_t id, struct icmp_parse_result *out)
{
	if (iclen < ICMP_PARSE_HDR_LEN)
		return ICMP_PARSE_SHORT;
	if (ic[0] != echo_type || ic[1] != 0)
		return ICMP_PARSE_FOREIGN_ID;
	out->id = icmp_parse_rd16(ic + 4);
	out->seq = icmp_parse_rd16(ic + 6);
	if (out->id != id)
		return ICMP_PARSE_FOREIGN_ID;
	out->payload = ic + ICMP_PARSE_HDR_LEN;
	out->payload_len = iclen - ICMP_PARSE_HDR_LEN;
	return ICMP_PARSE_ERROR;
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
	memcpy(&out->quoted_dst, q + 16, sizeof(out->quoted_dst));
	return icmp_parse_quoted_echo(ic, iclen, ICMP_PARSE_ECHO_TYPE, id, out);
}

static bool
icmp_parse_is_error(uint8_t type)
{
	return type == ICMP_PARSE_UNREACH_TYPE ||
	    type == ICMP_PARSE_TIME_EXCEEDED ||
	    type == ICMP_PARSE_PARAM_PROBLEM;
}

/* An echo reply's ICMP (or ICMPv6: same layout) header at b, len bytes of
 * it at least ICMP_PARSE_HDR_LEN; out->type and code are set. */
static enum icmp_parse_outcome
icmp_parse_echo_reply(const uint8_t *b, size_t len, uint16_t id,
    struct icmp_parse_result *out)
{
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

	if (out->type == ICMP_PARSE_ECHO_REPLY_TYPE)
		return icmp_parse_echo_reply(b, len, id, out);
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
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->code = code;
	out->src = offender;
	out->quoted_dst = dst;
	if (!icmp_parse_is_error(type))
		return ICMP_PARSE_OTHER_TYPE;
	return icmp_parse_quoted_echo(buf, len, ICMP_PARSE_ECHO_TYPE, id, out);
}

/* ---- ICMPv6 ---- */

static bool
icmp_parse_is_error6(uint8_t type)
{
	return type == ICMP_PARSE6_UNREACH_TYPE ||
	    type == ICMP_PARSE6_PACKET_TOO_BIG ||
	    type == ICMP_PARSE6_TIME_EXCEEDED ||
	    type == ICMP_PARSE6_PARAM_PROBLEM;
}

/* The quoted packet of an ICMPv6 error (q, qlen bytes after the 8-byte
 * ICMPv6 header): an IPv6 header, then one of our echo requests? */
static enum icmp_parse_outcome
icmp_parse_quoted6(const uint8_t *q, size_t qlen, uint16_t id,
    struct icmp_parse_result *out)
{
	size_t iclen, plen;

	if (qlen < ICMP_PARSE_IP6_LEN)
		return ICMP_PARSE_SHORT;
	/* Not IPv6, or not ICMPv6 right after the fixed header: not a
	 * datagram we sent. */
	if ((q[0] >> 4) != 6 || q[6] != IPPROTO_ICMPV6)
		return ICMP_PARSE_FOREIGN_ID;
	iclen = qlen - ICMP_PARSE_IP6_LEN;
	/* As for IPv4: never look past the original datagram. */
	plen = icmp_parse_rd16(q + 4);
	if (plen < iclen)
		iclen = plen;
	memcpy(&out->quoted_dst6, q + 24, sizeof(out->quoted_dst6));
	return icmp_parse_quoted_echo(q + ICMP_PARSE_IP6_LEN, iclen,
	    ICMP_PARSE6_ECHO_TYPE, id, out);
}

enum icmp_parse_outcome
icmp_parse_v6(const void *buf, size_t len, uint16_t id,
    struct icmp_parse_result *out)
{
	const uint8_t *b = buf;

	memset(out, 0, sizeof(*out));
	if (len < ICMP_PARSE_HDR_LEN)
		return ICMP_PARSE_SHORT;
	out->type = b[0];
	out->code = b[1];
	if (out->type == ICMP_PARSE6_ECHO_REPLY_TYPE)
		return icmp_parse_echo_reply(b, len, id, out);
	if (icmp_parse_is_error6(out->type))
		return icmp_parse_quoted6(b + ICMP_PARSE_HDR_LEN,
		    len - ICMP_PARSE_HDR_LEN, id, out);
	return ICMP_PARSE_OTHER_TYPE;
}

enum icmp_parse_outcome
icmp_parse_v6_errqueue(const void *buf, size_t len, uint16_t id,
    uint8_t type, uint8_t code, const struct in6_addr *offender,
    const struct in6_addr *dst, struct icmp_parse_result *out)
{
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->code = code;
	out->src6 = *offender;
	out->quoted_dst6 = *dst;
	if (!icmp_parse_is_error6(type))
		return ICMP_PARSE_OTHER_TYPE;
	return icmp_parse_quoted_echo(buf, len, ICMP_PARSE6_ECHO_TYPE, id,
	    out);
}

/* ---- building requests ---- */

static size_t
icmp_parse_build(void *buf, size_t buflen, uint8_t type, uint16_t id,
    uint16_t seq, uint64_t cookie, uint16_t index)
{
	uint8_t *b = buf, *pl;
	size_t i;

	if (buflen < ICMP_PARSE_PACKET_LEN)
		return 0;
	b[0] = type;
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
	return ICMP_PARSE_PACKET_LEN;
}

size_t
icmp_parse_build_echo(void *buf, size_t buflen, uint16_t id, uint16_t seq,
    uint64_t cookie, uint16_t index)
{
	size_t n;

	n = icmp_parse_build(buf, buflen, ICMP_PARSE_ECHO_TYPE, id, seq,
	    cookie, index);
	if (n > 0)
		icmp_parse_wr16((uint8_t *)buf + 2,
		    icmp_parse_checksum(buf, ICMP_PARSE_PACKET_LEN));
	return n;
}

size_t
icmp_parse_build_echo6(void *buf, size_t buflen, uint16_t id, uint16_t seq,
    uint64_t cookie, uint16_t index)
{
	return icmp_parse_build(buf, buflen, ICMP_PARSE6_ECHO_TYPE, id, seq,
	    cookie, index);
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
	/* At most ICMP_PARSE_ERROR_TEXT_MAX characters, so that "<text>
	 * from <IPv6 address>" fits struct icmp_result's icmp_error_text. */
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

const char *
icmp_parse_error_text6(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
		"No route to destination",
		"Administratively prohibited",
		"Beyond scope of source address",
		"Address unreachable",
		"Port unreachable",
		"Source address failed policy",
		"Reject route to destination",
		"Error in source routing header",
	};

	switch (type) {
	case ICMP_PARSE6_UNREACH_TYPE:
		if (code < sizeof(unreach) / sizeof(unreach[0]))
			return unreach[code];
		return "Destination unreachable";
	case ICMP_PARSE6_PACKET_TOO_BIG:
		return "Packet too big";
	case ICMP_PARSE6_TIME_EXCEEDED:
		return code == 1 ? "Fragment reassembly time exceeded" :
				   "Hop limit exceeded";
	case ICMP_PARSE6_PARAM_PROBLEM:
		return "Parameter problem";
	default:
		return "Unknown ICMPv6 error";
	}
}

/* ---- ancillary data ---- */

/* One control message: level, type and its dlen data bytes at d. */
static void
icmp_parse_anc_one(int level, int type, const uint8_t *d, size_t dlen,
    struct icmp_parse_anc *out)
{
	struct sock_extended_err ee;
	struct timespec ts[3];
	sa_family_t fam;
	size_t rest;

	if (level == SOL_SOCKET && type == SCM_TIMESTAMPING) {
		/* The layout matches this ABI's struct timespec: glibc picks
		 * SO_TIMESTAMPING_OLD or _NEW to match. ts[0] is software. */
		if (dlen < sizeof(ts))
			return;
		memcpy(ts, d, sizeof(ts));
		if (ts[0].tv_sec == 0 && ts[0].tv_nsec == 0)
			return;
		out->have_stamp = true;
		out->stamp_ns = (int64_t)ts[0].tv_sec * 1000000000 +
		    ts[0].tv_nsec;
	} else if (level == SOL_SOCKET && type == SO_RXQ_OVFL) {
		if (dlen < sizeof(out->drops))
			return;
		memcpy(&out->drops, d, sizeof(out->drops));
		out->have_drops = true;
	} else if ((level == SOL_IP && type == IP_RECVERR) ||
	    (level == SOL_IPV6 && type == IPV6_RECVERR)) {
		if (dlen < sizeof(ee))
			return;
		memcpy(&ee, d, sizeof(ee));
		out->have_ee = true;
		out->ee_errno = ee.ee_errno;
		out->ee_origin = ee.ee_origin;
		out->ee_type = ee.ee_type;
		out->ee_code = ee.ee_code;
		out->ee_info = ee.ee_info;
		out->ee_data = ee.ee_data;
		/* SO_EE_OFFENDER: a sockaddr right after, when it fits. */
		memset(&out->offender, 0, sizeof(out->offender));
		out->offender.ss_family = AF_UNSPEC;
		rest = dlen - sizeof(ee);
		if (rest < sizeof(fam))
			return;
		memcpy(&fam, d + sizeof(ee), sizeof(fam));
		if ((fam == AF_INET && rest >= sizeof(struct sockaddr_in)) ||
		    (fam == AF_INET6 && rest >= sizeof(struct sockaddr_in6)))
			memcpy(&out->offender, d + sizeof(ee),
			    fam == AF_INET ? sizeof(struct sockaddr_in) :
					     sizeof(struct sockaddr_in6));
	}
}

void
icmp_parse_anc(const struct msghdr *msg, struct icmp_parse_anc *out)
{
	const uint8_t *p, *end;
	struct cmsghdr cm;
	size_t step;

	memset(out, 0, sizeof(*out));
	out->offender.ss_family = AF_UNSPEC;
	if (msg->msg_control == NULL)
		return;
	p = msg->msg_control;
	end = p + msg->msg_controllen;
	/* Headers are copied out, never dereferenced in place: a crafted
	 * buffer need not be aligned. */
	while ((size_t)(end - p) >= sizeof(cm)) {
		memcpy(&cm, p, sizeof(cm));
		if (cm.cmsg_len < CMSG_LEN(0) ||
		    cm.cmsg_len > (size_t)(end - p))
			break;
		icmp_parse_anc_one(cm.cmsg_level, cm.cmsg_type,
		    p + CMSG_LEN(0), cm.cmsg_len - CMSG_LEN(0), out);
		step = CMSG_ALIGN(cm.cmsg_len);
		if (step > (size_t)(end - p))
			break;
		p += step;
	}
}
