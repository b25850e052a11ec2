/*
 * resolve: host addresses given as DNS names are turned into IP literals
 * once, when pharosd starts (never by `pharosd -v`, which sends nothing on
 * the network). Probers only ever see literals.
 */
#ifndef PHAROS_RESOLVE_H
#define PHAROS_RESOLVE_H

#include <stddef.h>

#include "objects.h"

/* For each host whose address is a name, resolve it (blocking getaddrinfo;
 * first result) and store the literal at its index in *out (an array of
 * o->nhosts entries, caller frees with resolve_free). Entries stay NULL for
 * literal addresses and for names that do not resolve; each of the latter
 * is logged and counted in *failed. Returns 0 or -ENOMEM. */
int resolve_hosts(const struct objects *o, char ***out, size_t *failed)
    __attribute__((warn_unused_result));
void resolve_free(char **addrs, size_t n); /* NULL no-op */

#endif
