/*
 * traps_cli: `pharos traps [--host H] [--since T] [--oid O] [--limit N]
 * [--json]`. Asks pharosd for the query op "traps" (docs/traps.md,
 * docs/query-protocol.md) and prints the traps it kept, oldest first, one
 * line each, or the JSON the daemon sent. `pharos traps send ...` sends
 * one PHAROS-MIB notification upstream (probes/trap_send.h), for
 * notification commands.
 */
#ifndef PHAROS_TRAPS_CLI_H
#define PHAROS_TRAPS_CLI_H

#include <jansson.h>

/* How the command reaches the daemon: send req (borrowed) and set *resp
 * (the caller decrefs it, also on failure). Returns 0 when the daemon
 * answered ok, else pharos' exit code after printing why. */
typedef int traps_cli_call_fn(void *arg, json_t *req, json_t **resp);

/* argv[0] is "traps". Returns pharos' exit code: 0 ok, 1 error, 2 usage,
 * 3 no or a malformed answer (or what call returned). now: the wall
 * clock, for --since given as an age ("10m"). */
int traps_cli_main(int argc, char **argv, traps_cli_call_fn *call,
    void *arg, long long now);

/* --since: epoch seconds, or an age N[s|m|h|d] before now. Returns 0 and
 * sets *out, or -1. */
int traps_cli_since(const char *s, long long now, long long *out);

#endif
