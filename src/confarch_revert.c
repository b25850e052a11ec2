/*
 * confarch_revert: the diff of two snapshots (diff(1) on their files/
 * folders), putting a snapshot's files back, and the "running" mark.
 *
 * A revert is two passes: every stored copy is first written to a
 * temporary file next to the file it replaces (synced, with that file's
 * mode and owner), and only when all are ready are they renamed into
 * place; a failure in the first pass removes the temporary files and
 * changes nothing. The paths come from a folder pharos_user may write, so
 * a revert writes only under the main file's folder or over files the
 * configuration in use already reads.
 */
#include "confarch.h"
#include "confarch_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONFARCH_RUNNING "running"
#define CONFARCH_DIFF "/usr/bin/diff"

extern char **environ;

/* ---- diff -------------------------------------------------------------- */

int
confarch_diff(const char *dir, const char *a, const char *b, int outfd,
    char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	char pa[CONFARCH_PATH], pb[CONFARCH_PATH];
	char *argv[] = { "diff", "-ruN", "--", pa, pb, NULL };
	struct stat st;
	pid_t pid;
	int rc, status;

	if (!confarch_id_ok(a) || !confarch_id_ok(b))
		return confarch_err(err, errlen, -EINVAL, "not snapshot ids: "
		    "'%s', '%s'", a, b);
	snprintf(pa, sizeof(pa), "%s/files", a);
	snprintf(pb, sizeof(pb), "%s/files", b);
	if (fstatat(AT_FDCWD, dir, &st, 0) != 0)
		return confarch_err(err, errlen, -errno, "%s", dir);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return confarch_err(err, errlen, -rc, "diff");
	if ((outfd != STDOUT_FILENO && (rc = posix_spawn_file_actions_adddup2(
	    &fa, outfd, STDOUT_FILENO)) != 0) ||
	    (rc = posix_spawn_file_actions_addchdir_np(&fa, dir)) != 0 ||
	    (rc = posix_spawn(&pid, CONFARCH_DIFF, &fa, NULL, argv,
	    environ)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return confarch_err(err, errlen, -rc, "cannot run "
		    CONFARCH_DIFF " (Debian package diffutils)");
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return confarch_err(err, errlen, -errno, "diff");
	if (WIFEXITED(status) && WEXITSTATUS(status) <= 1)
		return WEXITSTATUS(status);
	return confarch_err(err, errlen, -EIO, CONFARCH_DIFF " failed "
	    "(status %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ---- revert ------------------------------------------------------------ */

/* Is path (normalized) under root (normalized) or one of known? */
static bool
confarch_allowed(const char *path, const char *root,
    const char *const *known, size_t nknown)
{
	char np[CONFARCH_PATH], kp[CONFARCH_PATH];
	size_t rlen = strlen(root), i;

	if (confarch_norm(path, np, sizeof(np)) != 0)
		return false;
	if (strcmp(root, "/") == 0 || (strncmp(np, root, rlen) == 0 &&
	    np[rlen] == '/'))
		return true;
	for (i = 0; i < nknown; i++)
		if (confarch_norm(known[i], kp, sizeof(kp)) == 0 &&
		    strcmp(np, kp) == 0)
			return true;
	return false;
}

/* Where a file of the snapshot is written: the path, or the target of
 * the symbolic link at it. */
static int
confarch_target(const char *path, char *out, size_t outlen)
{
	char real[PATH_MAX];
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (realpath(path, real) == NULL)
			return -errno;
		return confarch_path(out, outlen, "%s", real);
	}
	return confarch_path(out, outlen, "%s", path);
}

/* Make the folders above the absolute path p (mode 0755). */
static int
confarch_mkparents(const char *p)
{
	char buf[CONFARCH_PATH];
	char *s;

	if (confarch_path(buf, sizeof(buf), "%s", p) != 0)
		return -ENAMETOOLONG;
	for (s = buf + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

/* Write the stored copy src to a temporary file next to target (its name
 * into tmp), with the mode and owner of the file it will replace. */
static int
confarch_stage(const char *src, const char *target, unsigned mode,
    char *tmp, size_t tmplen)
{
	const char *slash = strrchr(target, '/');
	struct stat st;
	bool exists = stat(target, &st) == 0;
	int in, out, rc;

	if ((rc = confarch_mkparents(target)) != 0 ||
	    (rc = confarch_path(tmp, tmplen, "%.*s/.%s.pharos-revert-XXXXXX",
	    (int)(slash - target), target, slash + 1)) != 0)
		return rc;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((out = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = -errno;
		close(in);
		tmp[0] = '\0';
		return rc;
	}
	rc = confarch_copy_fd(in, out, NULL, NULL);
	close(in);
	if (rc == 0 && fchmod(out, exists ? st.st_mode & 07777 : mode) != 0)
		rc = -errno;
	if (rc == 0 && exists && geteuid() == 0 &&
	    fchown(out, st.st_uid, st.st_gid) != 0)
		rc = -errno;
	if (rc == 0 && fsync(out) != 0)
		rc = -errno;
	if (close(out) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

static void
confarch_unstage(char **tmps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (tmps[i] != NULL && tmps[i][0] != '\0')
			(void)unlink(tmps[i]);
		free(tmps[i]);
	}
	free(tmps);
}

int
confarch_revert(const char *dir, const char *id, const char *main_file,
    const char *const *known, size_t nknown, size_t *nrestored, char *err,
    size_t errlen)
{
	struct confarch_file *f;
	char root[CONFARCH_PATH], mp[CONFARCH_PATH], src[CONFARCH_PATH];
	char target[CONFARCH_PATH], **tmps = NULL, **targets = NULL, *slash;
	size_t n, i;
	int rc;

	*nrestored = 0;
	if ((rc = confarch_files(dir, id, &f, &n, err, errlen)) != 0)
		return rc;
	if (confarch_norm(main_file, root, sizeof(root)) != 0 ||
	    confarch_norm(f[0].path, mp, sizeof(mp)) != 0 ||
	    strcmp(root, mp) != 0) {
		rc = confarch_err(err, errlen, -EINVAL, "snapshot %s is of "
		    "%s, not of %s", id, f[0].path, main_file);
		goto out;
	}
	slash = strrchr(root, '/');
	if (slash == root)
		slash[1] = '\0';
	else
		*slash = '\0';
	tmps = calloc(n, sizeof(*tmps));
	targets = calloc(n, sizeof(*targets));
	if (tmps == NULL || targets == NULL) {
		rc = confarch_err(err, errlen, -ENOMEM, "reverting");
		goto out;
	}
	/* 1. Every copy ready next to the file it replaces. */
	for (i = 0; i < n; i++) {
		if (!confarch_allowed(f[i].path, root, known, nknown)) {
			rc = confarch_err(err, errlen, -EPERM, "refusing to "
			    "write %s: outside %s and not a file of the "
			    "configuration in use", f[i].path, root);
			goto out;
		}
		if ((rc = confarch_path(src, sizeof(src), "%s/%s/files/%s",
		    dir, id, f[i].stored)) != 0 ||
		    (rc = confarch_target(f[i].path, target,
		    sizeof(target))) != 0) {
			confarch_err(err, errlen, rc, "%s", f[i].path);
			goto out;
		}
		if ((tmps[i] = malloc(CONFARCH_PATH)) == NULL ||
		    (targets[i] = strdup(target)) == NULL) {
			rc = confarch_err(err, errlen, -ENOMEM, "reverting");
			goto out;
		}
		tmps[i][0] = '\0';
		if ((rc = confarch_stage(src, target, f[i].mode, tmps[i],
		    CONFARCH_PATH)) != 0) {
			confarch_err(err, errlen, rc, "cannot write a copy of "
			    "%s next to %s", src, target);
			goto out;
		}
	}
	/* 2. All renamed into place. */
	for (i = 0; i < n; i++) {
		if (rename(tmps[i], targets[i]) != 0) {
			rc = confarch_err(err, errlen, -errno, "cannot replace "
			    "%s (%zu of %zu files restored)", targets[i],
			    *nrestored, n);
			goto out;
		}
		tmps[i][0] = '\0';
		(*nrestored)++;
		slash = strrchr(targets[i], '/');
		*slash = '\0';
		confarch_sync_dir(targets[i][0] != '\0' ? targets[i] : "/");
	}
out:
	if (tmps != NULL)
		confarch_unstage(tmps, n);
	for (i = 0; targets != NULL && i < n; i++)
		free(targets[i]);
	free(targets);
	confarch_files_free(f, n);
	return rc;
}

/* ---- the running snapshot ---------------------------------------------- */

int
confarch_set_running(const char *dir, const char *id, char *err,
    size_t errlen)
{
	char tmp[CONFARCH_PATH], path[CONFARCH_PATH];
	int fd, rc = 0;

	if (!confarch_id_ok(id) ||
	    confarch_path(tmp, sizeof(tmp), "%s/.running-%ld", dir,
	    (long)getpid()) != 0 ||
	    confarch_path(path, sizeof(path), "%s/" CONFARCH_RUNNING,
	    dir) != 0)
		return confarch_err(err, errlen, -EINVAL, "cannot mark '%s' "
		    "as running in %s", id, dir);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) < 0)
		return confarch_err(err, errlen, -errno, "cannot write %s",
		    tmp);
	if (dprintf(fd, "%s\n", id) < 0 || fdatasync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		(void)unlink(tmp);
		return confarch_err(err, errlen, rc, "cannot write %s", path);
	}
	return 0;
}

int
confarch_get_running(const char *dir, char *id, size_t idlen)
{
	char path[CONFARCH_PATH], *buf, *nl;
	int rc;

	if (confarch_path(path, sizeof(path), "%s/" CONFARCH_RUNNING,
	    dir) != 0)
		return -ENAMETOOLONG;
	if ((rc = confarch_slurp(path, 256, &buf)) != 0)
		return rc;
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	rc = confarch_id_ok(buf) ? 0 : -EINVAL;
	if (rc == 0)
		snprintf(id, idlen, "%s", buf);
	free(buf);
	return rc;
}
