/*
 * trap_print: a trap's varbinds as net-snmp prints them, with MIB names
 * where the process has read MIB files (see trap.h).
 *
 * The poller sets net-snmp's OID output format to numeric for the whole
 * process (snmp_lib_init) and renders its own OIDs. Trap printing
 * switches that library setting to "suffix" names (ifIndex.2, as
 * snmptrapd -OS) around its own snprint_variable() calls and restores it
 * before returning. That is safe because every net-snmp call of pharosd
 * runs on the event loop's thread: the other threads (the RRD writer,
 * the Gearman submitter and grabber, the object file reader, which is
 * joined at once) never call net-snmp.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "trap.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "snmp_mib.h"
#include "trap_int.h"

#define TRAP_VB_TEXT_MAX 2048

void
trap_mibs_load(void)
{
	char num[SNMP_MIB_TEXT_MAX], err[512];
	netsnmp_log_handler *mute;

	/* the first name makes this process read Pharos' own MIB modules
	 * and index the system's MIB dirs (snmp_mib.c) */
	if (!snmp_mib_loaded() && snmp_mib_resolve("snmpTrapOID", num,
	    sizeof(num), err, sizeof(err)) != 0 && !snmp_mib_loaded())
		return;
	/* then every module of those dirs, once (as snmptrapd with
	 * MIBS=ALL); the parser's complaints about missing imports are
	 * expected, and not shown */
	mute = netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE,
	    LOG_DEBUG);
	(void)read_all_mibs();
	if (mute != NULL) {
		netsnmp_disable_this_loghandler(mute);
		(void)netsnmp_remove_loghandler(mute);
	}
}

size_t
trap_msg_vars(const struct trap_msg *m, char *out, size_t len)
{
	const netsnmp_variable_list *v = m->nsvars;
	bool named = snmp_mib_loaded();
	int fmt = netsnmp_ds_get_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT);
	size_t j = 0, i = 0;

	if (len == 0)
		return 0;
	out[0] = '\0';
	if (named)
		netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT,
		    NETSNMP_OID_OUTPUT_SUFFIX);
	/* sysUpTime.0 and snmpTrapOID.0 are left out */
	for (; v != NULL && i < m->nvbs && j + 1 < len;
	    v = v->next_variable, i++) {
		char buf[TRAP_VB_TEXT_MAX];
		const char *txt = buf;

		if (i < 2)
			continue;
		if (!named || snprint_variable(buf, sizeof(buf), v->name,
		    v->name_length, v) < 0)
			txt = m->vbs[i].text != NULL ? m->vbs[i].text :
			    m->vbs[i].oid; /* numeric, as the poller's */
		j += (size_t)snprintf(out + j, len - j, "%s%s", i > 2 ? ", " :
		    "", txt);
	}
	if (named)
		netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT, fmt);
	return j < len ? j : len - 1;
}
