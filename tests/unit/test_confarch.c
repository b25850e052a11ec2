/*
 * Unit tests of the configuration archive (confarch.h): snapshots copy
 * every file with a manifest, an identical snapshot is not stored twice,
 * listing and names, diff, revert (contents back, modes kept, paths
 * outside refused without changing anything), a missing file and an
 * archive that cannot be written fail with a message naming the path;
 * and the list of files a configuration load read (conf_files()), which
 * is what pharosd archives, with the archive's default place.
 * Each test works in a fresh temporary folder:
 *
 *   T/etc/pharos.cfg  T/etc/objects/a.cfg  (main file, object file)
 *   T/other/res.cfg                       (outside the main folder)
 *   T/archive                             (the archive)
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "confarch.h"

struct fixture {
	char root[256];
	char dir[512];     /* the archive */
	char main[512];    /* T/etc/pharos.cfg */
	char obj[512];     /* T/etc/objects/a.cfg */
	char res[512];     /* T/other/res.cfg */
	const char *paths[3];
};

static void
put(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The whole file as a string (static buffer). */
static const char *
get(const char *path)
{
	static char buf[4096];
	size_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char p[600];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/confarch.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->root));
	snprintf(p, sizeof(p), "%s/etc", f->root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/objects", f->root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/other", f->root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(f->dir, sizeof(f->dir), "%s/archive", f->root);
	snprintf(f->main, sizeof(f->main), "%s/etc/pharos.cfg", f->root);
	snprintf(f->obj, sizeof(f->obj), "%s/etc/objects/a.cfg", f->root);
	snprintf(f->res, sizeof(f->res), "%s/other/res.cfg", f->root);
	put(f->main, "cfg_file=objects/a.cfg\n", 0644);
	put(f->obj, "define host {\n}\n", 0644);
	put(f->res, "$USER1$=secret\n", 0644);
	f->paths[0] = f->main;
	f->paths[1] = f->obj;
	f->paths[2] = f->res;
	*state = f;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->dir, 0755);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Snapshot the fixture's files at time t; returns created. */
static bool
snap(struct fixture *f, int64_t t, char *id)
{
	char err[512];
	bool created = false;
	int rc;

	rc = confarch_snapshot(f->dir, f->paths, 3, t, id, CONFARCH_ID_MAX,
	    &created, err, sizeof(err));
	if (rc != 0)
		fail_msg("snapshot: %s", err);
	return created;
}

static size_t
count(struct fixture *f)
{
	struct confarch_snap *v;
	char err[512];
	size_t n;

	assert_int_equal(confarch_list(f->dir, &v, &n, err, sizeof(err)), 0);
	free(v);
	return n;
}

static bool
id_shaped(const char *id)
{
	size_t i;

	if (strlen(id) != 24 || id[8] != '-' || id[15] != '-')
		return false;
	for (i = 0; i < 24; i++)
		if (i != 8 && i != 15 && !((id[i] >= '0' && id[i] <= '9') ||
		    (i > 15 && id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

static void
test_confarch_snapshot_copies_every_file_with_a_manifest(void **state)
{
	struct fixture *f = *state;
	struct confarch_file *files;
	char id[CONFARCH_ID_MAX], p[1200], err[512];
	struct stat st;
	size_t n;

	assert_true(snap(f, 1764240000, id));
	assert_true(id_shaped(id));
	snprintf(p, sizeof(p), "%s/%s/files/pharos.cfg", f->dir, id);
	assert_string_equal(get(p), "cfg_file=objects/a.cfg\n");
	snprintf(p, sizeof(p), "%s/%s/files/objects/a.cfg", f->dir, id);
	assert_string_equal(get(p), "define host {\n}\n");
	/* Outside the main file's folder: under _root with its whole path;
	 * never readable by others (resource files hold secrets). */
	snprintf(p, sizeof(p), "%s/%s/files/_root%s", f->dir, id, f->res);
	assert_string_equal(get(p), "$USER1$=secret\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0007, 0);

	assert_int_equal(confarch_files(f->dir, id, &files, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(files[0].path, f->main);
	assert_string_equal(files[0].stored, "pharos.cfg");
	assert_string_equal(files[1].stored, "objects/a.cfg");
	assert_int_equal(files[1].mode, 0644);
	assert_string_equal(files[2].path, f->res);
	confarch_files_free(files, n);
}

static void
test_confarch_identical_snapshot_is_not_stored_again(void **state)
{
	struct fixture *f = *state;
	char a[CONFARCH_ID_MAX], b[CONFARCH_ID_MAX], c[CONFARCH_ID_MAX];
	char d[CONFARCH_ID_MAX];
	struct confarch_snap *v;
	char err[512];
	size_t n;

	assert_true(snap(f, 1764240000, a));
	assert_false(snap(f, 1764240060, b));
	assert_string_equal(a, b);
	assert_int_equal(count(f), 1);

	put(f->obj, "define host {\n\thost_name x\n}\n", 0644);
	assert_true(snap(f, 1764240120, c));
	assert_string_not_equal(a, c);
	assert_int_equal(count(f), 2);

	/* Back to the first content: the newest differs, so it is stored
	 * again, as the newest. */
	put(f->obj, "define host {\n}\n", 0644);
	assert_true(snap(f, 1764240180, d));
	assert_string_equal(a + 16, d + 16); /* same content hash */
	assert_int_equal(confarch_list(f->dir, &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].id, a);
	assert_string_equal(v[1].id, c);
	assert_string_equal(v[2].id, d);
	assert_true(v[0].seq < v[1].seq && v[1].seq < v[2].seq);
	assert_int_equal(v[2].nfiles, 3);
	assert_int_equal(v[2].time, 1764240180);
	free(v);
}

static void
test_confarch_list_skips_what_is_not_a_snapshot(void **state)
{
	struct fixture *f = *state;
	char a[CONFARCH_ID_MAX], b[CONFARCH_ID_MAX], id[CONFARCH_ID_MAX];
	char p[1200], err[512];

	assert_int_equal(count(f), 0); /* no archive yet: empty */
	assert_true(snap(f, 1764240000, a));
	put(f->obj, "changed\n", 0644);
	assert_true(snap(f, 1764243600, b));
	snprintf(p, sizeof(p), "%s/.new-1-1", f->dir);
	assert_int_equal(mkdir(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/not-a-snapshot", f->dir);
	assert_int_equal(mkdir(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/stray-file", f->dir);
	put(p, "x\n", 0644);
	assert_int_equal(count(f), 2);

	assert_int_equal(confarch_find(f->dir, "newest", id, sizeof(id), err,
	    sizeof(err)), 0);
	assert_string_equal(id, b);
	assert_int_equal(confarch_find(f->dir, a, id, sizeof(id), err,
	    sizeof(err)), 0);
	assert_string_equal(id, a);
	/* The day is shared, the second is not: a unique prefix. */
	assert_int_equal(confarch_find(f->dir, "2025", id, sizeof(id), err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(confarch_find(f->dir, "nothing", id, sizeof(id),
	    err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "nothing"));
	assert_int_equal(confarch_find(f->dir, "../x", id, sizeof(id), err,
	    sizeof(err)), -ENOENT);

	assert_int_equal(confarch_find(f->dir, "running", id, sizeof(id),
	    err, sizeof(err)), -ENOENT);
	assert_int_equal(confarch_set_running(f->dir, a, err, sizeof(err)),
	    0);
	assert_int_equal(confarch_get_running(f->dir, id, sizeof(id)), 0);
	assert_string_equal(id, a);
	assert_int_equal(confarch_find(f->dir, "running", id, sizeof(id),
	    err, sizeof(err)), 0);
	assert_string_equal(id, a);
}

static void
test_confarch_diff_shows_what_changed(void **state)
{
	struct fixture *f = *state;
	char a[CONFARCH_ID_MAX], b[CONFARCH_ID_MAX], out[1200], err[512];
	int fd;

	if (access("/usr/bin/diff", X_OK) != 0)
		skip();
	assert_true(snap(f, 1764240000, a));
	put(f->obj, "define host {\n\thost_name added\n}\n", 0644);
	assert_true(snap(f, 1764240060, b));
	snprintf(out, sizeof(out), "%s/diff.out", f->root);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(confarch_diff(f->dir, a, b, fd, err, sizeof(err)),
	    1);
	assert_int_equal(confarch_diff(f->dir, a, a, fd, err, sizeof(err)),
	    0);
	close(fd);
	assert_non_null(strstr(get(out), "+\thost_name added"));
	assert_non_null(strstr(get(out), "files/objects/a.cfg"));
	assert_int_equal(confarch_diff(f->dir, a, "../etc", fd, err,
	    sizeof(err)), -EINVAL);
}

/* No temporary file of a revert is left in folder p. */
static bool
no_leftovers(const char *p)
{
	char cmd[1200];

	snprintf(cmd, sizeof(cmd), "ls -a '%s' | grep -q pharos-revert", p);
	return system(cmd) != 0;
}

static void
test_confarch_revert_puts_files_back_and_keeps_modes(void **state)
{
	struct fixture *f = *state;
	char a[CONFARCH_ID_MAX], p[600], err[512];
	size_t n = 99;

	assert_true(snap(f, 1764240000, a));
	put(f->main, "cfg_file=objects/a.cfg\ncfg_file=objects/b.cfg\n",
	    0600);
	put(f->obj, "broken\n", 0644);
	assert_int_equal(unlink(f->res), 0); /* gone: written back */
	assert_int_equal(confarch_revert(f->dir, a, f->main, f->paths, 3, &n,
	    err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(get(f->main), "cfg_file=objects/a.cfg\n");
	assert_string_equal(get(f->obj), "define host {\n}\n");
	assert_string_equal(get(f->res), "$USER1$=secret\n");
	{
		struct stat st;

		assert_int_equal(stat(f->main, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600); /* kept */
		assert_int_equal(stat(f->res, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0644); /* as archived */
	}
	snprintf(p, sizeof(p), "%s/etc", f->root);
	assert_true(no_leftovers(p));
	snprintf(p, sizeof(p), "%s/etc/objects", f->root);
	assert_true(no_leftovers(p));
}

static void
test_confarch_revert_outside_the_main_folder_changes_nothing(void **state)
{
	struct fixture *f = *state;
	char a[CONFARCH_ID_MAX], err[512], p[600];
	size_t n = 99;

	assert_true(snap(f, 1764240000, a));
	put(f->main, "changed\n", 0644);
	/* res.cfg is outside T/etc and not a file of the configuration in
	 * use: refused, and the main file (staged first) stays changed. */
	assert_int_equal(confarch_revert(f->dir, a, f->main, f->paths, 2, &n,
	    err, sizeof(err)), -EPERM);
	assert_int_equal(n, 0);
	assert_non_null(strstr(err, f->res));
	assert_string_equal(get(f->main), "changed\n");
	snprintf(p, sizeof(p), "%s/etc", f->root);
	assert_true(no_leftovers(p));
	/* Another main file: refused. */
	assert_int_equal(confarch_revert(f->dir, a, f->obj, f->paths, 3, &n,
	    err, sizeof(err)), -EINVAL);
}

static void
test_confarch_missing_file_fails_and_stores_nothing(void **state)
{
	struct fixture *f = *state;
	char id[CONFARCH_ID_MAX], err[512];
	bool created = true;

	assert_int_equal(unlink(f->obj), 0);
	assert_int_equal(confarch_snapshot(f->dir, f->paths, 3, 1764240000,
	    id, sizeof(id), &created, err, sizeof(err)), -ENOENT);
	assert_false(created);
	assert_non_null(strstr(err, f->obj));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(count(f), 0);
	assert_true(no_leftovers(f->dir));
	{
		char cmd[1200];

		snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -q .", f->dir);
		assert_int_not_equal(system(cmd), 0); /* nothing left */
	}
}

/* In a child without root's override of permissions (nobody when run as
 * root): the snapshot must fail naming the archive. */
static void
test_confarch_unwritable_archive_is_a_clear_error(void **state)
{
	struct fixture *f = *state;
	char id[CONFARCH_ID_MAX], err[512], msg[512];
	int pfd[2], status;
	bool created;
	ssize_t r;
	pid_t pid;

	assert_int_equal(mkdir(f->dir, 0555), 0);
	assert_int_equal(chmod(f->root, 0755), 0);
	assert_int_equal(pipe(pfd), 0);
	if ((pid = fork()) == 0) {
		struct passwd *pw = getpwnam("nobody");
		int rc;

		close(pfd[0]);
		if (geteuid() == 0 && (pw == NULL ||
		    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0))
			_exit(3);
		rc = confarch_snapshot(f->dir, f->paths, 3, 1764240000, id,
		    sizeof(id), &created, err, sizeof(err));
		if (write(pfd[1], err, strlen(err) + 1) < 0)
			_exit(4);
		_exit(rc == -EACCES ? 0 : 1);
	}
	close(pfd[1]);
	memset(msg, 0, sizeof(msg));
	r = read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	assert_true(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
		skip(); /* no user nobody to drop to */
	assert_true(r > 0);
	assert_non_null(strstr(msg, "cannot write in the configuration "
	    "archive"));
	assert_non_null(strstr(msg, f->dir));
	assert_non_null(strstr(msg, "Permission denied"));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_confarch_refuses_names_it_cannot_keep(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "relative.cfg" };
	char id[CONFARCH_ID_MAX], err[512];
	bool created;

	assert_int_equal(confarch_snapshot(f->dir, bad, 1, 1764240000, id,
	    sizeof(id), &created, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "relative.cfg"));
	assert_int_equal(confarch_snapshot(f->dir, f->paths, 0, 1764240000,
	    id, sizeof(id), &created, err, sizeof(err)), -EINVAL);
}

static bool
listed(const char *const *files, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(files[i], path) == 0)
			return true;
	return false;
}

static void
test_conf_files_lists_every_file_a_load_read(void **state)
{
	struct fixture *f = *state;
	const char *const *files;
	struct config *cfg;
	char b[600], res[600], want[600], id[CONFARCH_ID_MAX], err[512];
	bool created;
	size_t n;

	snprintf(b, sizeof(b), "%s/etc/objects/b.cfg", f->root);
	put(b, "define host {\n}\n", 0644);
	/* a.cfg named twice (cfg_file and cfg_dir): read and listed once. */
	put(f->main, "cfg_file=objects/a.cfg\ncfg_dir=objects\n"
	    "resource_file=../other/res.cfg\n", 0644);
	assert_int_equal(conf_load(f->main, &cfg), 0);
	n = conf_files(cfg, &files);
	assert_int_equal(n, 4);
	assert_string_equal(files[0], f->main);
	assert_true(listed(files, n, f->obj));
	assert_true(listed(files, n, b));
	snprintf(res, sizeof(res), "%s/etc/../other/res.cfg", f->root);
	assert_true(listed(files, n, res));
	snprintf(want, sizeof(want), "%s/etc/config-archive", f->root);
	assert_string_equal(cfg->config_archive_dir, want);
	/* What pharosd does with them. */
	assert_int_equal(confarch_snapshot(cfg->config_archive_dir, files, n,
	    1764240000, id, sizeof(id), &created, err, sizeof(err)), 0);
	assert_true(created);
	conf_free(cfg);

	/* Next to the retention file when there is one. */
	put(f->main, "cfg_file=objects/a.cfg\n"
	    "state_retention_file=../other/retention.json\n", 0644);
	assert_int_equal(conf_load(f->main, &cfg), 0);
	snprintf(want, sizeof(want), "%s/etc/../other/config-archive",
	    f->root);
	assert_string_equal(cfg->config_archive_dir, want);
	assert_int_equal(conf_files(cfg, &files), 2);
	conf_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_confarch_snapshot_copies_every_file_with_a_manifest,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_identical_snapshot_is_not_stored_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_list_skips_what_is_not_a_snapshot,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_diff_shows_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_revert_puts_files_back_and_keeps_modes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_revert_outside_the_main_folder_changes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_missing_file_fails_and_stores_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_unwritable_archive_is_a_clear_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_confarch_refuses_names_it_cannot_keep,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_conf_files_lists_every_file_a_load_read,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
