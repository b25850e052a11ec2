/*
 * priv: the privilege drop, done once at start. The order matters:
 * supplementary groups, then the group, then the user; afterwards regaining
 * root must fail, and the capability set must be empty.
 */
#include "priv.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int
priv_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid,
    char *err, size_t errlen)
{
	struct passwd *pw;
	struct group *gr;

	pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "pharos_user '%s' does not exist", user);
		return -ENOENT;
	}
	gr = getgrnam(group);
	if (gr == NULL) {
		snprintf(err, errlen, "pharos_group '%s' does not exist",
		    group);
		return -ENOENT;
	}
	*uid = pw->pw_uid;
	*gid = gr->gr_gid;
	return 0;
}

long long
priv_cap_eff(void)
{
	char line[256];
	long long v = -1;
	FILE *fp;

	fp = fopen("/proc/self/status", "re");
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "CapEff:", 7) == 0) {
			char *end;
			errno = 0;
			v = strtoll(line + 7, &end, 16);
			if (errno != 0 || end == line + 7)
				v = -1;
			break;
		}
	}
	fclose(fp);
	return v;
}

/* Empty every capability set of this process (for a start as a user that
 * was given capabilities, e.g. with setcap or AmbientCapabilities). */
static int
priv_clear_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capset, &hdr, data) != 0)
		return -errno;
	return 0;
}

int
priv_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	long long caps;
	int e;

	if (geteuid() != 0) {
		/* Nothing to switch to, but no capability may stay. */
		if ((e = priv_clear_caps()) != 0 || priv_cap_eff() != 0) {
			snprintf(err, errlen, "cannot clear capabilities: %s",
			    strerror(e != 0 ? -e : EPERM));
			return e != 0 ? e : -EPERM;
		}
		return 0;
	}
	if (setgroups(1, &gid) != 0) {
		e = errno;
		snprintf(err, errlen, "setgroups: %s", strerror(e));
		return -e;
	}
	if (setresgid(gid, gid, gid) != 0) {
		e = errno;
		snprintf(err, errlen, "setgid(%u): %s", (unsigned)gid,
		    strerror(e));
		return -e;
	}
	if (setresuid(uid, uid, uid) != 0) {
		e = errno;
		snprintf(err, errlen, "setuid(%u): %s", (unsigned)uid,
		    strerror(e));
		return -e;
	}
	if (uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "could regain root after dropping it");
		return -EPERM;
	}
	caps = priv_cap_eff();
	if (uid != 0 && caps != 0) {
		snprintf(err, errlen, "capabilities left after dropping root "
		    "(CapEff %llx)", caps);
		return -EPERM;
	}
	return 0;
}
