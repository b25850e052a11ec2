/*
 * snmp_cli: `pharos snmp get|walk`, one-shot SNMP queries on the poller
 * the daemon uses (probes/snmp.h), printed exactly as net-snmp's
 * `snmpget -On` / `snmpbulkwalk -On` print them. See docs/snmp.md.
 *
 *   pharos snmp get|walk [-v 1|2c|3] [-c COMMUNITY] [-u USER -l LEVEL
 *       -a MD5|SHA|SHA-256 -A PASS -x DES|AES -X PASS -e ENGINEID]
 *       [-r RETRIES] [-t SECONDS] [-Cr REPETITIONS] [-f FILE]
 *       AGENT[:PORT]... [OID...]
 */
#ifndef PHAROS_SNMP_CLI_H
#define PHAROS_SNMP_CLI_H

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

#endif
