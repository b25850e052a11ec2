/*
 * priv: dropping root after the privileged sockets are open. Pharos keeps
 * no capability at all afterwards: a reload that would need a new
 * privileged socket asks for a restart instead.
 */
#ifndef PHAROS_PRIV_H
#define PHAROS_PRIV_H

#include <stddef.h>
#include <sys/types.h>

/* Look up user and group (names, borrowed). Returns 0 or -ENOENT (err
 * filled). */
int priv_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* When running as root: setgroups to gid only, setgid, setuid, then
 * confirm that setuid(0) fails and that no effective capability is left.
 * When not root: clear every capability the process was given (setcap,
 * ambient) and confirm none is left. Returns 0 or -errno (err
 * filled); the caller must not go on after a failure. */
int priv_drop(uid_t uid, gid_t gid, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* CapEff of this process from /proc/self/status (0 = none), or -1 when it
 * cannot be read. */
long long priv_cap_eff(void);

#endif
