/*
 * confarch: the archive of configuration snapshots (docs/reload.md).
 *
 * Every configuration pharosd loads successfully is kept as a snapshot, a
 * folder of the archive named YYYYMMDD-HHMMSS-<8 hex of a content hash>
 * (local time) that holds
 *
 *   MANIFEST   "pharos-config-snapshot 1", then "seq N", "time EPOCH",
 *              "hash HEX" and one "file MODE STORED<TAB>ORIGINAL" line per
 *              file, the main file first
 *   files/     a copy of each file: the main file's folder is the root
 *              (objects/network.cfg), files outside it go under _root/
 *              with their whole path (_root/usr/share/x.cfg)
 *
 * A snapshot is made in a dot-named temporary folder and renamed into
 * place, so a listed snapshot is always complete. One identical to the
 * newest (same files, names and contents) is not stored again. The file
 * "running" names the snapshot pharosd loaded last.
 *
 * Only file operations: no configuration is parsed here. Every function
 * fills err (a message for people, naming the path) when it fails and
 * returns a negative errno.
 */
#ifndef PHAROS_CONFARCH_H
#define PHAROS_CONFARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFARCH_ID_MAX 64

struct confarch_snap {
	char id[CONFARCH_ID_MAX];
	uint64_t seq;  /* order of creation: the newest has the highest */
	int64_t time;  /* when it was made, epoch seconds */
	size_t nfiles;
	char hash[9];  /* 8 hex digits */
};

struct confarch_file {
	char *path;    /* where it came from (absolute) */
	char *stored;  /* under the snapshot's files/ */
	unsigned mode; /* its permission bits then */
};

/*
 * Archive the n files at paths (absolute; paths[0] the main file) into
 * dir (created when missing, mode 0750), at wall-clock time now. Sets id
 * (idlen >= CONFARCH_ID_MAX) to the new snapshot, or to the newest one
 * when that holds the same files (then *created is false). A file that
 * cannot be read fails the whole snapshot. Copies are never readable by
 * others (mode at most 0640): resource files hold secrets.
 */
int confarch_snapshot(const char *dir, const char *const *paths, size_t n,
    int64_t now, char *id, size_t idlen, bool *created, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* The snapshots of dir, oldest first (*out: caller frees; NULL and 0 for
 * an empty or missing archive). Folders without a valid MANIFEST are not
 * snapshots and are skipped. */
int confarch_list(const char *dir, struct confarch_snap **out, size_t *n,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* The snapshot that name means: an id, a prefix of exactly one id,
 * "running" (what pharosd loaded last) or "newest". Sets id. -ENOENT when
 * none, -EINVAL when the prefix is ambiguous. */
int confarch_find(const char *dir, const char *name, char *id, size_t idlen,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* The files of snapshot id (*out: caller frees with confarch_files_free). */
int confarch_files(const char *dir, const char *id,
    struct confarch_file **out, size_t *n, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void confarch_files_free(struct confarch_file *f, size_t n);

/* Run `diff -ruN A/files B/files` in dir with its output on outfd.
 * Returns 0 (same), 1 (they differ) or a negative errno. */
int confarch_diff(const char *dir, const char *a, const char *b, int outfd,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Copy the files of snapshot id back to where they came from. Each file
 * is written to a temporary file next to it (mode and, for root, owner of
 * the file it replaces) and all are renamed into place only once every
 * copy is ready, so a failure changes nothing. A symbolic link at a
 * path is followed: its target is replaced. Only paths under the folder
 * of main_file, or named in known (the files of the configuration in
 * use), are written; the snapshot's main file must be main_file.
 * *nrestored: how many files were written.
 */
int confarch_revert(const char *dir, const char *id, const char *main_file,
    const char *const *known, size_t nknown, size_t *nrestored, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Record id as the snapshot pharosd runs (the file "running", replaced
 * atomically), and read it back (-ENOENT when there is none). */
int confarch_set_running(const char *dir, const char *id, char *err,
    size_t errlen) __attribute__((warn_unused_result));
int confarch_get_running(const char *dir, char *id, size_t idlen);

#endif
