/*
 * snmp_mib: OIDs from what people type. Numeric OIDs (".1.3.6.1.2.1.1.5.0"
 * or "1.3.6.1.2.1.1.5.0") are checked and passed through without touching
 * net-snmp; MIB names ("sysName.0", "IF-MIB::ifHCInOctets.3", "ifDescr")
 * are looked up with net-snmp's MIB parser, which reads the MIB files on
 * the first name a process meets:
 *
 *   1. Pharos's own name modules: PHAROS_MIBDIRS from the environment
 *      (':'-separated; for a source tree or extra vendor dirs) or else the
 *      installed dir (PHAROS_MIBDIR, $(pkgdatadir)/mibs);
 *   2. net-snmp's default dirs ($HOME/.snmp/mibs, /usr/share/snmp/mibs and
 *      its iana/ and ietf/ subdirs on Debian).
 *
 * The MIB tree is net-snmp's process-wide state, not Pharos's: it is read
 * once per process and kept until exit. This header uses no net-snmp type.
 */
#ifndef PHAROS_SNMP_MIB_H
#define PHAROS_SNMP_MIB_H

#include <stdbool.h>
#include <stddef.h>

#define SNMP_MIB_ARCS_MAX 128   /* arcs of an OID, as the poller takes */
/* Bytes of the numeric text of the longest OID, NUL included. */
#define SNMP_MIB_TEXT_MAX (SNMP_MIB_ARCS_MAX * 11 + 1)

/* The numeric OID for text (borrowed) into numeric (len bytes), with a
 * leading dot: ".1.3.6.1.2.1.1.5.0". text is a numeric OID (2 to 128 arcs
 * of 0..4294967295, leading dot optional), "MODULE::name[.index...]" or
 * "name[.index...]" (the index in numbers, or as net-snmp writes it).
 * Numeric text never loads MIB files; the first name does. Returns 0,
 * -EINVAL with err filled ("unknown MIB object 'x' (numeric OIDs always
 * work; MIB files are read from DIRS)", a malformed OID, a result longer
 * than len). numeric is "" on failure. */
int snmp_mib_resolve(const char *text, char *numeric, size_t len, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Whether text is meant as a numeric OID: after an optional dot it is
 * empty or starts with a digit or a dot (MIB names start with a letter).
 * snmp_mib_resolve then never reads a MIB file, and anything but digits
 * and dots in it is an error, never a name. */
bool snmp_mib_is_numeric(const char *text);

/* Whether this process has read its MIB files (read back from net-snmp). */
bool snmp_mib_loaded(void);

#endif
