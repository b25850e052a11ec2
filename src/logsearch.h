/*
 * logsearch: `pharos log`, a search of the event log and its archives
 * (docs/logs.md).
 *
 *   pharos [-c MAIN_CFG] log [--since TIME] [--until TIME] [--host H]
 *       [--service S] [--type TYPE]... [--log FILE] [--archive DIR]
 *       [-n N] [-v]
 *
 * Only the archives whose span can overlap the time window are read, in
 * time order, then the current log. Lines are "[epoch] TYPE: f1;f2;..."
 * as evlog writes them; matching lines are printed as they are (control
 * characters replaced when printing to a terminal). Lines that do not
 * start with "[epoch] " are skipped and counted as malformed.
 */
#ifndef PHAROS_LOGSEARCH_H
#define PHAROS_LOGSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	LOGSEARCH_EXIT_OK = 0,     /* searched everything selected */
	LOGSEARCH_EXIT_READ = 1,   /* some file could not be read */
	LOGSEARCH_EXIT_USAGE = 2,  /* bad arguments or main config */
};

/* What to look for. Strings are borrowed. */
struct logsearch_query {
	int64_t since;  /* first second wanted; INT64_MIN: no bound */
	int64_t until;  /* last second wanted (inclusive); INT64_MAX: none */
	const char *host;    /* NULL: any; else lines naming this host */
	const char *service; /* NULL: any; else service lines naming it */
	const char *const *types; /* any of these (case-insensitive) */
	size_t ntypes;            /* 0: every type */
	size_t limit;   /* print only the last N matching lines; 0: all */
	bool sanitize;  /* replace control characters (output is a tty) */
};

struct logsearch_stats {
	size_t files;     /* files read */
	size_t lines;     /* lines read */
	size_t matched;   /* lines matching (before the limit) */
	size_t malformed; /* lines skipped: no "[epoch] ", NUL, overlong */
	size_t failed;    /* selected files that could not be read */
};

/* Search the archives in archive_dir (NULL: none) and then the log at
 * log_path (NULL: none), printing matches to out. Archives are the files
 * named pharos-MM-DD-YYYY-HH.log (or Nagios' nagios-...) in archive_dir;
 * others are ignored. st is zeroed first. Returns 0 when every selected
 * file was read; otherwise the -errno of the first failure with err
 * filled (the files that could be read were still searched), -ENOMEM
 * when memory ran out. */
int logsearch_run(const char *log_path, const char *archive_dir,
    const struct logsearch_query *q, FILE *out, struct logsearch_stats *st,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Parse a TIME argument: an epoch ("1700000000"), "now", a local date
 * "YYYY-MM-DD" (its midnight) with an optional " HH:MM" or " HH:MM:SS"
 * (or 'T' for the space), or a time before now: "-30s", "-30m", "-1h",
 * "-2d", "-1w". Returns 0 with *out set, or -EINVAL. */
int logsearch_parse_time(const char *s, int64_t now, int64_t *out)
    __attribute__((warn_unused_result));

/* `pharos log`: argv[0] is "log" (getopt restarted by the caller with
 * optind = 0); cfg is the client's -c (NULL: none given). Paths come from
 * --log/--archive, else from the main config's log_file and
 * log_archive_path (default: the folder "archives" next to log_file when
 * it exists). Returns one of LOGSEARCH_EXIT_*. */
int logsearch_main(int argc, char **argv, const char *cfg);

#endif
