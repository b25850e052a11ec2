/*
 * trap: the SNMP trap receiver (v1, v2c, v3; traps and informs).
 *
 * One UDP socket per trap_listen address (IPv4 or IPv6), opened by
 * trap_rx_new() while the daemon is still root (port 162), then watched by
 * the event loop. Every datagram is decoded by net-snmp, authorized
 * (community or v3 user, each accepted from its source networks only),
 * converted to the v2 form (RFC 3584 for v1 traps) and handed to one
 * callback; informs are answered with a Response once authorized. Every
 * datagram is counted once: delivered, or dropped with its reason.
 *
 * v3: each user is created for Pharos' own engine ID (informs) and, when
 * an engine ID is given, also localized to that sender's engine ID
 * (traps), as snmptrapd's `createUser -e`.
 *
 * This header uses Pharos types only; net-snmp stays in trap.c.
 */
#ifndef PHAROS_TRAP_H
#define PHAROS_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp.h"

struct loop;
struct trap_rx;

#define TRAP_ENGINE_MAX 32       /* bytes of an engine ID */
#define TRAP_VBS_MAX 128         /* varbinds kept of one trap */

/* An IPv4 or IPv6 network; prefix 0 matches every address of family. */
struct trap_net {
	int family;              /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned prefix;
};

/* A community and the networks it is accepted from (none: any). */
struct trap_community {
	char community[SNMP_STR_MAX];
	struct trap_net *nets;   /* owned by whoever fills trap_opts */
	size_t nnets;
};

/* A v3 user (authPriv or authNoPriv) and its networks (none: any). */
struct trap_user {
	char name[SNMP_STR_MAX];
	enum snmp_auth auth;
	char auth_pass[SNMP_STR_MAX];
	enum snmp_priv priv;     /* 0: authNoPriv */
	char priv_pass[SNMP_STR_MAX];
	char engine_id[2 * TRAP_ENGINE_MAX + 1]; /* sender's, hex; "" =
						    informs only */
	struct trap_net *nets;
	size_t nnets;
};

struct trap_opts {
	const char *const *listen;   /* "ADDR", "ADDR:PORT", "[V6]:PORT" */
	size_t nlisten;
	const struct trap_community *comms;
	size_t ncomms;
	const struct trap_user *users;
	size_t nusers;
	/* Pharos' own engine ID (informs); len 0: net-snmp's default */
	unsigned char engine_id[TRAP_ENGINE_MAX];
	size_t engine_id_len;
	/* snmpEngineBoots of this start (kept by the caller); 0: net-snmp's */
	unsigned long engine_boots;
};

/* One accepted notification in v2 form; everything is borrowed by the
 * callback and valid only while it runs. vbs[0] is sysUpTime.0 and vbs[1]
 * snmpTrapOID.0; a v1 trap ends with snmpTrapAddress.0 and
 * snmpTrapEnterprise.0 (RFC 3584; snmpTrapCommunity.0, optional there,
 * is left out: communities are secrets). */
struct trap_msg {
	int version;             /* 1, 2 (v2c) or 3 */
	bool inform;
	char source[64];         /* the packet's source address */
	uint16_t source_port;
	char agent[64];          /* v1 agent-addr or snmpTrapAddress.0; "" */
	const char *secname;     /* community or v3 user */
	const char *trap_oid;    /* numeric, leading dot */
	uint64_t uptime;         /* sysUpTime.0, hundredths of seconds */
	const struct snmp_vb *vbs;
	size_t nvbs;
	const void *nsvars;      /* net-snmp's varbinds, for trap_msg_vars */
};

enum trap_drop {
	TRAP_DROP_MALFORMED,     /* not SNMP, bad BER, wrong PDU for the
				    version (a v1 Trap-PDU in a v3 message) */
	TRAP_DROP_COMMUNITY,     /* unknown community */
	TRAP_DROP_NETWORK,       /* community or user not accepted from
				    this source network */
	TRAP_DROP_UNKNOWN_USER,  /* v3: no such user (for that engine ID) */
	TRAP_DROP_BAD_DIGEST,    /* v3: wrong authentication key */
	TRAP_DROP_DECRYPT,       /* v3: cannot decrypt (wrong privacy key) */
	TRAP_DROP_SECLEVEL,      /* v3: noAuthNoPriv, or unsupported level */
	TRAP_DROP_TIME_WINDOW,   /* v3: not in time window */
	TRAP_DROP_DISCOVERY,     /* v3: engine ID discovery (Report sent) */
	TRAP_DROP_NOT_NOTIFICATION, /* a Get, Set, Response... */
	TRAP_DROP_NKINDS,
};

struct trap_counters {
	uint64_t datagrams;      /* read from the sockets */
	uint64_t delivered;      /* handed to the callback */
	uint64_t v1, v2c, v3, informs;
	uint64_t responses;      /* inform acknowledgements sent */
	uint64_t response_errors;
	uint64_t dropped[TRAP_DROP_NKINDS];
};

/* Name of a drop reason for counters and logs ("malformed", ...). */
const char *trap_drop_name(enum trap_drop why);

/* Called for each accepted notification. */
typedef void trap_msg_fn(const struct trap_msg *m, void *arg);
/* Called for each dropped datagram (source may be "" when unknown;
 * detail: net-snmp's reason, community or user name). */
typedef void trap_drop_fn(enum trap_drop why, const char *source,
    const char *detail, void *arg);

/* Open the sockets of opts (borrowed for the call; strings copied) on
 * loop, set up net-snmp (once per process) with the engine ID and the v3
 * users. Needs root for ports below 1024. Returns 0, or -errno with err
 * filled (which address failed and why). Caller frees. */
int trap_rx_new(struct loop *loop, const struct trap_opts *opts,
    trap_msg_fn *msg, trap_drop_fn *drop, void *arg, struct trap_rx **out,
    char *err, size_t errlen) __attribute__((warn_unused_result));
void trap_rx_free(struct trap_rx *rx);
/* Replace the accepted communities (a reload; copied). The sockets and
 * the v3 users stay as opened. Returns 0, or -ENOMEM with the old ones
 * kept. */
int trap_rx_set_communities(struct trap_rx *rx,
    const struct trap_community *comms, size_t n)
    __attribute__((warn_unused_result));
void trap_rx_counters(const struct trap_rx *rx, struct trap_counters *out);
/* Bound local port of listener i (tests use port 0), 0 if none. */
uint16_t trap_rx_port(const struct trap_rx *rx, size_t i);

/* trap_print.c. The varbinds of m after sysUpTime.0 and snmpTrapOID.0,
 * as net-snmp prints them, joined by ", " into out (truncated at len):
 * with MIB names (ifIndex.2 = INTEGER: 2) when this process has read MIB
 * files, numeric otherwise (.1.3.6.1.2.1.2.2.1.1.2 = INTEGER: 2). Only
 * while the trap_msg_fn runs; net-snmp's OID output setting is restored
 * before it returns. Returns the length written. */
size_t trap_msg_vars(const struct trap_msg *m, char *out, size_t len);
/* Read the MIB files for trap_msg_vars: Pharos' own and every module of
 * the system's MIB dirs (once per process; see snmp_mib.h). */
void trap_mibs_load(void);

/* Check a trap_listen value ("ADDR", "ADDR:PORT", "[V6]:PORT", "V6";
 * port 162 by default) and write net-snmp's transport text into out.
 * Returns 0 or -EINVAL. */
int trap_listen_parse(const char *s, char *out, size_t len)
    __attribute__((warn_unused_result));
/* The numeric address text s (IPv4 or IPv6) as binary: *family and the
 * 16 bytes at a (zero-padded after an IPv4 address). false when s is
 * NULL or no such address (a zeroed). */
bool trap_addr_parse(const char *s, int *family, unsigned char *a);
/* Parse "ADDR/PREFIX" or "ADDR" into n. Returns 0 or -EINVAL. */
int trap_net_parse(const char *s, struct trap_net *n)
    __attribute__((warn_unused_result));
/* Whether the numeric address text addr lies in one of nets (none:
 * true). */
bool trap_net_match(const struct trap_net *nets, size_t n, const char *addr);

/* A new engine ID for Pharos (RFC 3411 format, enterprise 8072, random
 * octets) into id (TRAP_ENGINE_MAX bytes); returns its length. */
size_t trap_engine_id_generate(unsigned char *id);

#endif
