/*
 * confarch_int: what confarch.c (snapshots, listing) and confarch_revert.c
 * (diff, revert, the running mark) share. Not for use outside them.
 */
#ifndef PHAROS_CONFARCH_INT_H
#define PHAROS_CONFARCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFARCH_PATH 4096

/* Fill err with fmt and, when rc is not 0, ": strerror(-rc)"; returns
 * rc. */
int confarch_err(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* snprintf into buf; -ENAMETOOLONG when it does not fit. */
int confarch_path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Snapshot ids and names for them: letters, digits and '-'. */
bool confarch_id_ok(const char *id);
/* A lexically normal absolute path: no "//", "." or "..". */
int confarch_norm(const char *in, char *out, size_t outlen);
/* Copy in to out; fold what was copied into *hash and add its length to
 * *total (both may be NULL). */
int confarch_copy_fd(int in, int out, uint64_t *hash, size_t *total);
/* A whole regular file of at most cap bytes, NUL-terminated (caller
 * frees). */
int confarch_slurp(const char *path, size_t cap, char **out);
/* fsync a folder (best effort). */
void confarch_sync_dir(const char *dir);

#endif
