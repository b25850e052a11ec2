/*
 * trap_send: send one notification of PHAROS-MIB (mibs/PHAROS-MIB.txt)
 * to an upstream manager, as a v2c trap, a v2c inform or a v3 inform
 * (authNoPriv or authPriv). For `pharos traps send`, which notification
 * commands run (docs/traps.md, "Forwarding"): blocking, with net-snmp's
 * own retransmissions for informs. Pharos types only.
 */
#ifndef PHAROS_TRAP_SEND_H
#define PHAROS_TRAP_SEND_H

#include <stdbool.h>
#include <stddef.h>

#include "snmp.h"

/* PHAROS-MIB: pharosMIB and what hangs under it. */
#define PHAROS_MIB_OID ".1.3.6.1.4.1.8072.9999.9999.77"
#define PHAROS_MIB_HOST_NOTIF PHAROS_MIB_OID ".0.1"
#define PHAROS_MIB_SERVICE_NOTIF PHAROS_MIB_OID ".0.2"
#define PHAROS_MIB_OBJ PHAROS_MIB_OID ".1"
#define PHAROS_MIB_TYPE PHAROS_MIB_OBJ ".1"
#define PHAROS_MIB_HOST PHAROS_MIB_OBJ ".2"
#define PHAROS_MIB_SERVICE PHAROS_MIB_OBJ ".3"
#define PHAROS_MIB_STATE PHAROS_MIB_OBJ ".4"
#define PHAROS_MIB_OUTPUT PHAROS_MIB_OBJ ".5"
#define PHAROS_MIB_SENDER PHAROS_MIB_OBJ ".6"

struct trap_send_opts {
	const char *to;          /* "ADDR", "ADDR:PORT", "[V6]:PORT" */
	struct snmp_target t;    /* version 2 or 3, credentials, timeout,
				    retries (addr and port from to) */
	bool inform;             /* v3 needs it (true) */
	const char *type;        /* PROBLEM, RECOVERY, ... */
	const char *host;
	const char *service;     /* NULL: a host notification */
	const char *state;
	const char *output;
	const char *sender;      /* hex engine ID of the sending Pharos, or
				    NULL */
};

/* Send it. Returns 0 (a trap sent, or an inform acknowledged), or -1 with
 * err filled (bad address, timeout, refused). */
int trap_send(const struct trap_send_opts *o, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
