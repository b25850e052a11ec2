/*
 * capacity_cli: `pharos capacity`, the capacity-planning report over the
 * RRD files of the metric store (graphs/capacity.h, docs/capacity.md).
 * Reads the files directly: the daemon need not run.
 */
#ifndef PHAROS_CAPACITY_CLI_H
#define PHAROS_CAPACITY_CLI_H

#include <stdio.h>

#include "capacity.h"

/* argv[0] is "capacity"; cfg is pharos' own -c (borrowed; NULL: the
 * default main configuration), read only for rrd_dir when no -d is
 * given. Returns pharos' exit code: 0 ok (also for an empty report),
 * 1 rrd_dir unreadable, 2 usage or an unreadable main configuration. */
int capacity_cli_main(int argc, char **argv, const char *cfg);

/* Print the first limit (0: all) of the n entries e (borrowed), sorted
 * as capacity_scan() returns them, as a table or as one JSON object, to
 * out. total files skipped are mentioned. Names are printed with control
 * characters replaced. Returns 0, or -1 when out has an error. */
int capacity_cli_print(FILE *out, const struct capacity_entry *e, size_t n,
    size_t limit, const struct capacity_query *q, size_t skipped, int json);

#endif
