/*
 * stats_cli: `pharos stats [--json]`. Asks pharosd for the report of the
 * query op "stats" (stats.h, docs/stats.md) and prints it laid out as
 * nagiostats lays out its own ("Label:" padded to a column, several values
 * " / " apart), or as the JSON the daemon sent.
 */
#ifndef PHAROS_STATS_CLI_H
#define PHAROS_STATS_CLI_H

#include <jansson.h>
#include <stdio.h>

/* How the command reaches the daemon: send req (borrowed) and set *resp
 * (the caller decrefs it, also on failure). Returns 0 when the daemon
 * answered ok, else pharos' exit code after printing why. */
typedef int stats_cli_call_fn(void *arg, json_t *req, json_t **resp);

/* argv[0] is "stats". Returns pharos' exit code: 0 ok, 1 error (also
 * output), 2 usage, 3 no or a malformed answer (or what call returned). */
int stats_cli_main(int argc, char **argv, stats_cli_call_fn *call,
    void *arg);

/* Print report (borrowed: the "data" of the op's answer) as text to out.
 * A field missing from the report prints as "-". Returns 0, or -1 when
 * out has an error. */
int stats_cli_print(json_t *report, FILE *out);

#endif
