/*
 * trap_int: what the files of the trap receiver share (trap.c: sockets,
 * decoding, authorization; trap_usm.c: v3 users). Internal: only
 * probes/trap*.c include it; net-snmp's headers come through the SNMP
 * poller's snmp_int.h (the same process-wide library setup).
 */
#ifndef PHAROS_TRAP_INT_H
#define PHAROS_TRAP_INT_H

#include "snmp_int.h"
#include "trap.h"

/* Make the n users in net-snmp's USM for the local engine ID and, with
 * engine_id set, for that engine too. Returns 0, or -EINVAL / -ENOMEM
 * with err filled (which user, why). */
int trap_users_setup(const struct trap_user *users, size_t n, char *err,
    size_t errlen) __attribute__((warn_unused_result));

#endif
