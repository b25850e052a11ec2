/*
 * daemon_trap_engine: the engine ID of pharosd's trap receiver (see
 * daemon_int.h), for informs and v3 users: made once, then kept with its
 * boot count (snmpEngineBoots, RFC 3414) in trap_engine_id_file, a file
 * given to the daemon's user.
 */
#include "daemon_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "trap.h"
#include "traprule.h"

static void
daemon_trap_engine_path(const struct config *cfg, char *out, size_t len)
{
	const struct trap_conf *tc = cfg->trap;
	const char *base = cfg->state_retention_file != NULL ?
	    cfg->state_retention_file : cfg->main_file, *slash;

	if (tc->engine_id_file != NULL) {
		snprintf(out, len, "%s", tc->engine_id_file);
		return;
	}
	slash = strrchr(base, '/');
	snprintf(out, len, "%.*s/trap-engine-id", slash != NULL ?
	    (int)(slash - base) : 1, slash != NULL ? base : ".");
}

/* Write "HEX\nBOOTS\n" to path atomically (a temporary file next to it,
 * fsync, rename), owned by the daemon's user. 0 or -1 (logged). */
static int
daemon_trap_engine_write(const char *path, bool root, uid_t uid, gid_t gid,
    const char *hex, unsigned long boots)
{
	char tmp[4200];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || dprintf(fd, "%s\n%lu\n", hex, boots) < 0 ||
	    fsync(fd) != 0 || close(fd) != 0 ||
	    (root && chown(tmp, uid, gid) != 0) || rename(tmp, path) != 0) {
		log_warn("cannot write the trap engine ID to %s", path);
		if (fd >= 0)
			(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* Read the engine ID and boot count at path, or make a new ID; count
 * this start (snmpEngineBoots, RFC 3414) and write both back. 0 or -1
 * (logged). */
static int
daemon_trap_engine_file(const char *path, bool root, uid_t uid, gid_t gid,
    unsigned char *id, size_t *len, unsigned long *boots)
{
	char buf[256] = "", hex[2 * TRAP_ENGINE_MAX + 1] = "";
	FILE *fp = fopen(path, "r");
	bool fresh = fp == NULL;

	*boots = 0;
	if (fp != NULL) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, fp), k;
		char *nl;

		fclose(fp);
		buf[n] = '\0';
		k = strcspn(buf, "\r\n");
		if (k < 10 || k > 2 * TRAP_ENGINE_MAX || k % 2 != 0 ||
		    strspn(buf, "0123456789abcdefABCDEF") != k) {
			log_warnx("%s: not an engine ID (hex, 5 to 32 bytes); "
			    "remove it to make a new one", path);
			return -1;
		}
		memcpy(hex, buf, k);
		hex[k] = '\0';
		for (size_t i = 0; i < k / 2; i++) {
			unsigned v = 0;

			(void)sscanf(hex + 2 * i, "%2x", &v);
			id[i] = (unsigned char)v;
		}
		*len = k / 2;
		/* the boot count on the second line; none: 0 */
		if ((nl = strchr(buf, '\n')) != NULL) {
			char *end;
			unsigned long b;

			errno = 0;
			b = strtoul(nl + 1, &end, 10);
			if (errno == 0 && end != nl + 1 && b < 2147483646UL)
				*boots = b;
		}
	} else {
		*len = trap_engine_id_generate(id);
		for (size_t i = 0; i < *len; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
	}
	(*boots)++;
	if (daemon_trap_engine_write(path, root, uid, gid, hex, *boots) != 0)
		return -1;
	if (fresh)
		log_info("new SNMP engine ID %s for informs, kept in %s", hex,
		    path);
	return 0;
}

int
daemon_trap_engine(const struct config *cfg, bool root, uid_t uid, gid_t gid,
    unsigned char *id, size_t *len, unsigned long *boots)
{
	char path[4096];

	daemon_trap_engine_path(cfg, path, sizeof(path));
	return daemon_trap_engine_file(path, root, uid, gid, id, len, boots);
}
