/*
 * snmp_mib: numeric OIDs and MIB names into numeric OIDs (see snmp_mib.h).
 *
 * Pharos keeps no state here. The MIB tree, the index of the modules in
 * each MIB dir and the library settings are net-snmp's own process-wide
 * state (parse.c and mib.c are built that way); this file only decides
 * when it is filled and reads it back:
 *
 * - Loaded or not is read from net-snmp: the poller's initialisation
 *   (snmp_lib_init) sets net-snmp's MIB directory setting to "" (no MIB
 *   files at all); loading sets it to the dirs that were scanned. So
 *   "loaded" = that setting is non-empty, and a process scans its dirs at
 *   most once, whichever of the poller and a name comes first.
 * - Loading runs snmp_lib_init first (the poller's settings: no config
 *   files, no persistent files, numeric OID output), so neither order of
 *   poller and names changes what the poller prints: OIDs stay numeric
 *   (NETSNMP_DS_LIB_OID_OUTPUT_FORMAT is NUMERIC and the poller renders
 *   OIDs itself).
 * - Two stages, since reading every MIB file of a system can take a while:
 *   at load, every module of Pharos's own dirs is read (a few small
 *   files) and the system dirs are only indexed. A name that is not found
 *   then makes net-snmp read all the indexed modules (read_all_mibs: each
 *   module once; later calls only retry the unlinked nodes) and is looked
 *   up again. "MODULE::name" makes net-snmp read MODULE (and what it
 *   imports) on its own.
 * - Real MIB files import SNMPv2-SMI and friends, which a system without
 *   the IETF MIB files does not have. net-snmp keeps such nodes unlinked
 *   and links them when their parent's name appears in another module:
 *   PHAROS-MIB2-NAMES gives `enterprises`, so net-snmp's own
 *   UCD-SNMP-MIB works without SNMPv2-SMI. The parser's complaints about
 *   what is missing are not shown: MIB warnings and errors are off, and a
 *   null log handler is registered while the parser runs (with no handler
 *   at all net-snmp would print to stderr).
 *
 * Trade-off: the tree stays in memory until the process exits (net-snmp
 * can free it only all at once, which would also forget the poller's
 * settings). Not thread-safe, as net-snmp's parser is not.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "snmp_int.h"
#include "snmp_mib.h"

#ifndef PHAROS_MIBDIR
#define PHAROS_MIBDIR "/usr/local/share/pharos/mibs"
#endif

#ifdef NETSNMP_DEFAULT_MIBDIRS
#define MIB_SYSTEM_DIRS NETSNMP_DEFAULT_MIBDIRS
#else
#define MIB_SYSTEM_DIRS "$HOME/.snmp/mibs:/usr/share/snmp/mibs:" \
	"/usr/share/snmp/mibs/iana:/usr/share/snmp/mibs/ietf"
#endif

#define MIB_DIRS_MAX 4096       /* the joined search path */
#define MIB_NAME_MAX 512        /* bytes of a name as typed */

bool
snmp_mib_is_numeric(const char *text)
{
	const char *s = text[0] == '.' ? text + 1 : text;

	/* MIB names start with a letter, after the optional dot */
	return *s == '\0' || *s == '.' || (*s >= '0' && *s <= '9');
}

bool
snmp_mib_loaded(void)
{
	const char *d = netsnmp_ds_get_string(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_MIBDIRS);

	return d != NULL && d[0] != '\0';
}

/* ---- numeric OIDs: checked here, net-snmp is not involved ---- */

static int
mib_numeric(const char *text, char *out, size_t len, char *err,
    size_t errlen)
{
	const char *s = text[0] == '.' ? text + 1 : text;
	size_t arcs = 0, digits = 0, n = strlen(s);
	uint64_t arc = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (digits == 0 || arc > UINT32_MAX)
				goto bad;
			arcs++;
			digits = arc = 0;
		} else if (s[i] < '0' || s[i] > '9' || ++digits > 10) {
			goto bad;
		} else {
			arc = arc * 10 + (uint64_t)(s[i] - '0');
		}
	}
	if (arcs < 2 || arcs > SNMP_MIB_ARCS_MAX)
		goto bad;
	if (n + 2 > len) {
		snprintf(err, errlen, "OID '%s' is longer than %zu bytes", text,
		    len - 1);
		return -EINVAL;
	}
	out[0] = '.';
	memcpy(out + 1, s, n + 1);
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a numeric OID (2 to %d numbers of "
	    "0 to 4294967295 joined by dots, like .1.3.6.1.2.1.1.5.0)", text,
	    SNMP_MIB_ARCS_MAX);
	return -EINVAL;
}

/* ---- MIB loading ---- */

/* Append dir to the ':'-joined path (skipped when it does not fit). */
static void
mib_path_add(char *path, size_t size, const char *dir, size_t dlen)
{
	size_t used = strlen(path);

	if (dlen == 0 || used + dlen + 2 > size)
		return;
	if (used > 0)
		path[used++] = ':';
	memcpy(path + used, dir, dlen);
	path[used + dlen] = '\0';
}

/* Add the dirs of the ':'-separated list to net-snmp's module index and
 * to path; a leading "$HOME" is expanded (entry skipped without HOME), as
 * net-snmp does with its defaults. Dirs that do not exist cost nothing. */
static void
mib_add_dirs(const char *list, char *path, size_t size)
{
	const char *home = getenv("HOME");

	while (*list != '\0') {
		size_t len = strcspn(list, ":");
		char dir[MIB_DIRS_MAX];
		int w;

		if (len > 5 && strncmp(list, "$HOME", 5) == 0)
			w = home != NULL && home[0] != '\0' ?
			    snprintf(dir, sizeof(dir), "%s%.*s", home,
			    (int)(len - 5), list + 5) : -1;
		else
			w = snprintf(dir, sizeof(dir), "%.*s", (int)len, list);
		if (w > 0 && (size_t)w < sizeof(dir)) {
			(void)add_mibdir(dir);
			mib_path_add(path, size, dir, (size_t)w);
		}
		list += len;
		if (*list == ':')
			list++;
	}
}

/* While net-snmp's parser runs, its messages go to a null log handler
 * (without any handler it writes them to stderr). */
static netsnmp_log_handler *
mib_mute(void)
{
	return netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_DEBUG);
}

static void
mib_unmute(netsnmp_log_handler *h)
{
	if (h == NULL)
		return;
	netsnmp_disable_this_loghandler(h);
	(void)netsnmp_remove_loghandler(h);
}

/* Read Pharos's name modules and index the system's MIB dirs; net-snmp
 * remembers the dirs (snmp_mib_loaded). */
static void
mib_load(void)
{
	const char *own = getenv("PHAROS_MIBDIRS");
	char path[MIB_DIRS_MAX] = "";
	netsnmp_log_handler *mute;

	snmp_lib_init();
	mute = mib_mute();
	/* init_snmp turned MIB errors on; the missing imports of real MIB
	 * files are expected here */
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS,
	    0);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_MIB_ERRORS, 0);
	/* vendor MIBs often have '_' in names, which strict SMI forbids */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_MIB_PARSE_LABEL, 1);
	mib_add_dirs(own != NULL && own[0] != '\0' ? own : PHAROS_MIBDIR, path,
	    sizeof(path));
	(void)read_all_mibs();
	mib_add_dirs(MIB_SYSTEM_DIRS, path, sizeof(path));
	netsnmp_set_mib_directory(path[0] != '\0' ? path : PHAROS_MIBDIR);
	mib_unmute(mute);
}

/* ---- names ---- */

/* Printable, no blanks, not too long: the rest is net-snmp's to judge. */
static bool
mib_name_ok(const char *text)
{
	size_t n = strlen(text);

	if (n == 0 || n > MIB_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)text[i] <= ' ' ||
		    (unsigned char)text[i] >= 0x7f)
			return false;
	return true;
}

/* text through net-snmp (loaded). 1 when found. */
static int
mib_lookup(const char *text, oid *o, size_t *n)
{
	size_t max = *n;
	int rc;

	rc = get_node(text, o, n);
	if (rc <= 0) {
		/* not in what is read yet: read every indexed module */
		(void)read_all_mibs();
		*n = max;
		rc = get_node(text, o, n);
	}
	return rc > 0 && *n > 0 ? 1 : 0;
}

/* "MODULE" of "MODULE::name" when no MIB dir has that module, else "". */
static void
mib_missing_module(const char *text, char *mod, size_t len)
{
	const char *sep = strstr(text, "::");

	mod[0] = '\0';
	if (sep == NULL || sep == text || (size_t)(sep - text) >= len)
		return;
	memcpy(mod, text, (size_t)(sep - text));
	mod[sep - text] = '\0';
	if (which_module(mod) != -1)
		mod[0] = '\0';
}

/* ".1.3..." of o into out. */
static int
mib_render(const char *text, const oid *o, size_t n, char *out, size_t len,
    char *err, size_t errlen)
{
	size_t used = 0;

	if (n < 2) {
		snprintf(err, errlen, "MIB object '%s' is .%lu, not an OID "
		    "that can be asked (it has one arc)", text,
		    (unsigned long)o[0]);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		int w;

		if ((uint64_t)o[i] > UINT32_MAX) {
			snprintf(err, errlen, "'%s': index %lu is out of "
			    "range (0 to 4294967295)", text,
			    (unsigned long)o[i]);
			return -EINVAL;
		}
		w = snprintf(out + used, len - used, ".%lu",
		    (unsigned long)o[i]);
		if (w < 0 || (size_t)w >= len - used) {
			snprintf(err, errlen, "'%s' is longer than %zu bytes "
			    "as a numeric OID", text, len - 1);
			return -EINVAL;
		}
		used += (size_t)w;
	}
	return 0;
}

int
snmp_mib_resolve(const char *text, char *numeric, size_t len, char *err,
    size_t errlen)
{
	oid o[MAX_OID_LEN];
	size_t n = MAX_OID_LEN;
	char mod[128] = "";
	const char *dirs;
	netsnmp_log_handler *mute;
	int found, rc;

	if (len == 0) {
		snprintf(err, errlen, "no room for an OID");
		return -EINVAL;
	}
	numeric[0] = '\0';
	if (text == NULL || text[0] == '\0') {
		snprintf(err, errlen, "empty OID");
		return -EINVAL;
	}
	if (snmp_mib_is_numeric(text))
		return mib_numeric(text, numeric, len, err, errlen);
	if (!mib_name_ok(text)) {
		snprintf(err, errlen, "'%.*s' is neither a numeric OID nor a "
		    "MIB name (no blanks or control characters, at most %d "
		    "bytes)", MIB_NAME_MAX, text, MIB_NAME_MAX);
		return -EINVAL;
	}
	if (!snmp_mib_loaded())
		mib_load();
	mute = mib_mute();
	found = mib_lookup(text, o, &n);
	if (!found)
		mib_missing_module(text, mod, sizeof(mod));
	mib_unmute(mute);
	if (!found) {
		dirs = netsnmp_ds_get_string(NETSNMP_DS_LIBRARY_ID,
		    NETSNMP_DS_LIB_MIBDIRS);
		snprintf(err, errlen, "unknown MIB object '%s' (%s%s%snumeric "
		    "OIDs always work; MIB files are read from %s)", text,
		    mod[0] != '\0' ? "no MIB file holds module " : "", mod,
		    mod[0] != '\0' ? "; " : "", dirs != NULL ? dirs : "");
		return -EINVAL;
	}
	rc = mib_render(text, o, n, numeric, len, err, errlen);
	if (rc != 0)
		numeric[0] = '\0';
	return rc;
}
