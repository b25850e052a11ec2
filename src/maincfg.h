/*
 * maincfg: what the pharos client reads of the main configuration file: a
 * plain line scan for a few `key=value` lines (the object files are never
 * read, the daemon's loader is not needed). Values are paths and are made
 * absolute against the file's folder, as pharosd reads them; the last
 * occurrence of a key wins; comment lines and overlong lines are skipped.
 */
#ifndef PHAROS_MAINCFG_H
#define PHAROS_MAINCFG_H

#include <stddef.h>

/* For each of the n keys, values[i] gets its value (caller frees) or NULL
 * when the file does not set it. Returns 0, or -errno with err filled
 * ("cannot read FILE: reason", "out of memory"); values are then all NULL. */
int maincfg_paths(const char *cfg, const char *const *keys, char **values,
    size_t n, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
