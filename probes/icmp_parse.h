/*
 * icmp_parse: the ICMP echo wire format of the prober, both ways.
 *
 * Pure functions: no allocation, no system calls, no state. They build the
 * echo requests the prober sends and classify every datagram it receives,
 * so that everything about untrusted bytes can be tested without sockets.
 *
 * A received ICMPv4 datagram comes in one of two framings: from a raw
 * socket it starts with the IPv4 header (as Linux delivers it: fields in
 * network order, options included); from a datagram ICMP socket it starts
 * with the ICMP header. ICMPv6 always starts with the ICMPv6 header (Linux
 * hands no IPv6 header to raw ICMPv6 sockets; the source address comes with
 * recvmsg's msg_name). The parser returns one outcome: an echo reply
 * carrying our identifier, an ICMP error quoting one of our echo requests,
 * or the reason the datagram is dropped. Matching a reply to a probe
 * (sequence table, cookie, source address) is the prober's job; the payload
 * helpers below give it the cookie check.
 *
 * The ancillary data of a received message (kernel timestamps, extended
 * errors of the error queue, queue drops) is decoded here too, by
 * icmp_parse_anc(), so that it can be tested with crafted control buffers.
 *
 * Payload of our echo requests (ICMP_PARSE_PAYLOAD_LEN bytes, like ping):
 *   0..7   cookie, 64 bits, big endian (random per probe)
 *   8..9   packet index within the probe, big endian
 *   10..   filler (byte i holds i)
 */
#ifndef PHAROS_ICMP_PARSE_H
#define PHAROS_ICMP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define ICMP_PARSE_HDR_LEN     8  /* type, code, checksum, id, seq */
#define ICMP_PARSE_PAYLOAD_LEN 56 /* as ping's default */
#define ICMP_PARSE_PACKET_LEN  (ICMP_PARSE_HDR_LEN + ICMP_PARSE_PAYLOAD_LEN)
#define ICMP_PARSE_COOKIE_LEN  10 /* cookie + packet index */

/* ICMPv4 types the prober deals with (RFC 792). */
#define ICMP_PARSE_ECHO_REPLY_TYPE   0
#define ICMP_PARSE_UNREACH_TYPE      3
#define ICMP_PARSE_ECHO_TYPE         8
#define ICMP_PARSE_TIME_EXCEEDED     11
#define ICMP_PARSE_PARAM_PROBLEM     12

/* ICMPv6 types the prober deals with (RFC 4443). */
#define ICMP_PARSE6_UNREACH_TYPE     1
#define ICMP_PARSE6_PACKET_TOO_BIG   2
#define ICMP_PARSE6_TIME_EXCEEDED    3
#define ICMP_PARSE6_PARAM_PROBLEM    4
#define ICMP_PARSE6_ECHO_TYPE        128
#define ICMP_PARSE6_ECHO_REPLY_TYPE  129

enum icmp_parse_framing {
	ICMP_PARSE_WITH_IP,   /* raw socket: IPv4 header first */
	ICMP_PARSE_ICMP_ONLY, /* datagram socket: ICMP header first */
};

enum icmp_parse_outcome {
	ICMP_PARSE_ECHO_REPLY,   /* echo reply with our identifier */
	ICMP_PARSE_ERROR,        /* unreachable, time exceeded, parameter
				    problem (and ICMPv6 packet too big)
				    quoting an echo request with our
				    identifier */
	ICMP_PARSE_SHORT,        /* truncated, or a length field lies */
	ICMP_PARSE_BAD_CHECKSUM,
	ICMP_PARSE_FOREIGN_ID,   /* another identifier, or an error quoting
				    something that is not one of our echo
				    requests */
	ICMP_PARSE_OTHER_TYPE,   /* neither echo reply nor a handled error,
				    or not ICMP of the family at all */
};

struct icmp_parse_result {
	uint8_t type;               /* of the received ICMP message */
	uint8_t code;
	uint16_t id;                /* reply's, or the quoted request's */
	uint16_t seq;
	struct in_addr src;         /* IP source (WITH_IP and errqueue only) */
	struct in_addr quoted_dst;  /* ERROR: destination of the request */
	struct in6_addr src6;       /* ICMPv6 errqueue: the offender */
	struct in6_addr quoted_dst6; /* ICMPv6 ERROR: request's destination */
	const uint8_t *payload;     /* echo data after the ICMP header: the
				       reply's, or as much of the quoted
				       request's as the sender quoted (may be
				       0 bytes); points into the input buffer */
	size_t payload_len;
};

enum icmp_parse_cookie {
	ICMP_PARSE_COOKIE_OK,
	ICMP_PARSE_COOKIE_BAD,    /* cookie or packet index differ */
	ICMP_PARSE_COOKIE_ABSENT, /* fewer than ICMP_PARSE_COOKIE_LEN bytes */
};

/*
 * Classify one received datagram (buf, len: borrowed). id is our echo
 * identifier. The checksum of the ICMP message is verified when
 * verify_checksum is set (raw sockets; datagram sockets get checked
 * replies from the kernel). out is always written; its fields are
 * meaningful for ECHO_REPLY and ERROR, and out->payload points into buf.
 */
enum icmp_parse_outcome icmp_parse_v4(const void *buf, size_t len,
    enum icmp_parse_framing framing, bool verify_checksum, uint16_t id,
    struct icmp_parse_result *out);

/*
 * Classify one entry of a datagram socket's error queue (IP_RECVERR): buf
 * holds the echo request the error quoted (ICMP header first), type and
 * code come from the extended error, offender is the host that sent the
 * error and dst the request's destination. Returns ICMP_PARSE_ERROR or a
 * drop reason, like icmp_parse_v4().
 */
enum icmp_parse_outcome icmp_parse_v4_errqueue(const void *buf, size_t len,
    uint16_t id, uint8_t type, uint8_t code, struct in_addr offender,
    struct in_addr dst, struct icmp_parse_result *out);

/*
 * Classify one ICMPv6 message (buf, len: borrowed), ICMPv6 header first,
 * from a raw or a datagram socket: the same outcomes as icmp_parse_v4().
 * The checksum is not verified: Linux checks ICMPv6 checksums (which cover
 * a pseudo-header this function never sees) before any socket gets the
 * message. An error must quote an IPv6 header whose next header is ICMPv6
 * (no extension headers: we send none) and at least the 8-byte echo header.
 */
enum icmp_parse_outcome icmp_parse_v6(const void *buf, size_t len,
    uint16_t id, struct icmp_parse_result *out);

/* Error queue entry of an ICMPv6 datagram socket (IPV6_RECVERR): like
 * icmp_parse_v4_errqueue(). offender and dst are borrowed. */
enum icmp_parse_outcome icmp_parse_v6_errqueue(const void *buf, size_t len,
    uint16_t id, uint8_t type, uint8_t code, const struct in6_addr *offender,
    const struct in6_addr *dst, struct icmp_parse_result *out);

/* Write an echo request with the payload above into buf (buflen bytes,
 * caller-owned). Returns ICMP_PARSE_PACKET_LEN, or 0 if buf is too small. */
size_t icmp_parse_build_echo(void *buf, size_t buflen, uint16_t id,
    uint16_t seq, uint64_t cookie, uint16_t index);
/* The same as an ICMPv6 echo request (type 128). The checksum is left 0:
 * the kernel computes ICMPv6 checksums on raw and datagram sockets. */
size_t icmp_parse_build_echo6(void *buf, size_t buflen, uint16_t id,
    uint16_t seq, uint64_t cookie, uint16_t index);

/* Compare an echo payload (reply's or quoted) with what we sent. */
enum icmp_parse_cookie icmp_parse_cookie_check(const uint8_t *payload,
    size_t len, uint64_t cookie, uint16_t index);

/* Internet checksum (RFC 1071) of buf, as the value to store big endian in
 * the checksum field. Over a message with a correct checksum it is 0. */
uint16_t icmp_parse_checksum(const void *buf, size_t len);

/* Human text for an ICMP error, ping style ("Destination Host
 * Unreachable", "Time to live exceeded"). Static string, never NULL, at
 * most ICMP_PARSE_ERROR_TEXT_MAX characters. */
const char *icmp_parse_error_text(uint8_t type, uint8_t code);
/* The same for ICMPv6 ("Address unreachable", "Administratively
 * prohibited", "Hop limit exceeded", "Packet too big"). */
const char *icmp_parse_error_text6(uint8_t type, uint8_t code);
#define ICMP_PARSE_ERROR_TEXT_MAX 40

/* Extended error origins (linux/errqueue.h's SO_EE_ORIGIN_*). */
enum icmp_parse_ee_origin {
	ICMP_PARSE_EE_NONE = 0,
	ICMP_PARSE_EE_LOCAL = 1,
	ICMP_PARSE_EE_ICMP = 2,
	ICMP_PARSE_EE_ICMP6 = 3,
	ICMP_PARSE_EE_TIMESTAMPING = 4,
};

/* What the ancillary data of one received message says. */
struct icmp_parse_anc {
	bool have_stamp;
	int64_t stamp_ns;       /* software timestamp, CLOCK_REALTIME ns */
	bool have_ee;           /* an IP_RECVERR / IPV6_RECVERR message */
	uint8_t ee_origin;      /* enum icmp_parse_ee_origin */
	uint8_t ee_type;        /* ICMP type and code (ICMP origins) */
	uint8_t ee_code;
	uint32_t ee_errno;
	uint32_t ee_info;       /* timestamping: SCM_TSTAMP_* */
	uint32_t ee_data;       /* timestamping with OPT_ID: send counter */
	struct sockaddr_storage offender; /* SO_EE_OFFENDER; AF_UNSPEC if
					     absent */
	bool have_drops;
	uint32_t drops;         /* SO_RXQ_OVFL: datagrams dropped so far */
};

/*
 * Decode the control messages of msg (borrowed; as filled by recvmsg):
 * SCM_TIMESTAMPING (both layouts), IP_RECVERR / IPV6_RECVERR with the
 * offender, SO_RXQ_OVFL. A control message whose length runs past the
 * control buffer ends the walk; unknown ones are skipped. out is always
 * written.
 */
void icmp_parse_anc(const struct msghdr *msg, struct icmp_parse_anc *out);

#endif
