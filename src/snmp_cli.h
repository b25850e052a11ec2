/*
 * snmp_cli: `pharos snmp get|walk`, one-shot SNMP queries on the poller
 * the daemon uses (probes/snmp.h), printed exactly as net-snmp's
 * `snmpget -On` / `snmpbulkwalk -On` print them. See docs/snmp.md.
 *
 *   pharos snmp get|walk [-v 1|2c|3] [-c COMMUNITY] [-u USER -l LEVEL
 *       -a MD5|SHA|SHA-256 -A PASS -x DES|AES -X PASS -e ENGINEID]
 *       [-r RETRIES] [-t SECONDS] [-Cr REPETITIONS] [-f FILE]
 *       AGENT[:PORT]... [OID...]
 *   pharos snmp discover [the same target options] [-P PROFILE]
 *       [-D PROFILE_DIR] [-H HOST_NAME] [-T TEMPLATE] [--json]
 *       [--cache FILE] AGENT[:PORT]
 * (discover lives in snmp_discover_cli.c; see docs/snmp-profiles.md).
 */
#ifndef PHAROS_SNMP_CLI_H
#define PHAROS_SNMP_CLI_H

struct snmp_target;

enum {
	SNMP_CLI_EXIT_OK = 0,     /* every agent answered */
	SNMP_CLI_EXIT_FAIL = 1,   /* some agent failed or timed out */
	SNMP_CLI_EXIT_USAGE = 2,  /* bad arguments (or a system failure) */
};

/* Run the command. argv[0] is "snmp", argv[1] the subcommand; argv is
 * borrowed. Parses its own options (getopt restarted by the caller with
 * optind = 0), runs its own event loop to the end and returns one of the
 * SNMP_CLI_EXIT_* codes. Results go to stdout, errors to stderr. */
int snmp_cli_main(int argc, char **argv);
/* `pharos snmp discover`: same contract as snmp_cli_main. */
int snmp_discover_cli_main(int argc, char **argv);

/* Shared by the subcommands. The defaults: v2c, community "public", 5
 * retries (the rest zero: the poller's defaults). */
void snmp_cli_target_defaults(struct snmp_target *t);
/* Apply one target option (-v -c -u -l -a -A -x -X -e -r -t -C, as
 * getopt gives it) to t. Returns 0, or -1 for a bad value or option. */
int snmp_cli_target_opt(struct snmp_target *t, int ch, const char *arg)
    __attribute__((warn_unused_result));
/* Copy argv[1..argc-1] into *out (caller frees; NULL-terminated), taking
 * net-snmp's "-Cr N" (two arguments) into t->bulk_reps. Returns 0,
 * -ENOMEM, or -EINVAL for a bad N (*nout is then the index of N in argv). */
int snmp_cli_glue_args(int argc, char **argv, struct snmp_target *t,
    char ***out, int *nout) __attribute__((warn_unused_result));

#endif
