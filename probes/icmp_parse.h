/*
 * icmp_parse: the ICMP echo wire format of the prober, both ways.
 *
 * Pure functions: no allocation, no system calls, no state. They build the
 * echo requests the prober sends and classify every datagram it receives,
 * so that everything about untrusted bytes can be tested without sockets.
 *
 * A received datagram comes in one of two framings: from a raw socket it
 * starts with the IPv4 header (as Linux delivers it: fields in network
 * order, options included); from a datagram ICMP socket it starts with the
 * ICMP header. The parser returns one outcome: an echo reply carrying our
 * identifier, an ICMP error quoting one of our echo requests, or the reason
 * the datagram is dropped. Matching a reply to a probe (sequence table,
 * cookie, source address) is the prober's job; the payload helpers below
 * give it the cookie check.
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

enum icmp_parse_framing {
	ICMP_PARSE_WITH_IP,   /* raw socket: IPv4 header first */
	ICMP_PARSE_ICMP_ONLY, /* datagram socket: ICMP header first */
};

enum icmp_parse_outcome {
	ICMP_PARSE_ECHO_REPLY,   /* echo reply with our identifier */
	ICMP_PARSE_ERROR,        /* unreachable, time exceeded or parameter
				    problem quoting an echo request with our
				    identifier */
	ICMP_PARSE_SHORT,        /* truncated, or a length field lies */
	ICMP_PARSE_BAD_CHECKSUM,
	ICMP_PARSE_FOREIGN_ID,   /* another identifier, or an error quoting
				    something that is not one of our echo
				    requests */
	ICMP_PARSE_OTHER_TYPE,   /* neither echo reply nor a handled error,
				    or not ICMPv4 at all */
};

struct icmp_parse_result {
	uint8_t type;               /* of the received ICMP message */
	uint8_t code;
	uint16_t id;                /* reply's, or the quoted request's */
	uint16_t seq;
	struct in_addr src;         /* IP source (WITH_IP and errqueue only) */
	struct in_addr quoted_dst;  /* ERROR: destination of the request */
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

/* Write an echo request with the payload above into buf (buflen bytes,
 * caller-owned). Returns ICMP_PARSE_PACKET_LEN, or 0 if buf is too small. */
size_t icmp_parse_build_echo(void *buf, size_t buflen, uint16_t id,
    uint16_t seq, uint64_t cookie, uint16_t index);

/* Compare an echo payload (reply's or quoted) with what we sent. */
enum icmp_parse_cookie icmp_parse_cookie_check(const uint8_t *payload,
    size_t len, uint64_t cookie, uint16_t index);

/* Internet checksum (RFC 1071) of buf, as the value to store big endian in
 * the checksum field. Over a message with a correct checksum it is 0. */
uint16_t icmp_parse_checksum(const void *buf, size_t len);

/* Human text for an ICMP error, ping style ("Destination Host
 * Unreachable", "Time to live exceeded"). Static string, never NULL. */
const char *icmp_parse_error_text(uint8_t type, uint8_t code);

#endif
