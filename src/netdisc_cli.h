/*
 * netdisc_cli: `pharos discover` and `pharos topology` (docs/discovery.md,
 * docs/topology.md).
 *
 *   pharos discover RANGE... [-c COMMUNITY | --community C | --v3 -u USER
 *       -l LEVEL -a PROTO -A PASS -x PROTO -X PASS] [-r RETRIES]
 *       [-t SECONDS] [--rate N] [--ping-timeout MS] [--rules FILE]
 *       [--template NAME] [-o FILE [--write]]
 *   pharos topology [--config FILE] [--save[=FILE]] [-t SECONDS] [-r N]
 *
 * discover sweeps IPv4 ranges with ICMP, asks every answering address
 * over SNMP what it is, merges the addresses of one device, classifies
 * each device (classify.h), infers parents (topology.h) and writes a
 * Nagios object file. topology does the same inference for the hosts of
 * a configuration and prints the tree with the evidence of each edge.
 */
#ifndef PHAROS_NETDISC_CLI_H
#define PHAROS_NETDISC_CLI_H

enum {
	NETDISC_EXIT_OK = 0,      /* done (and nothing changed, for -o) */
	NETDISC_EXIT_DIFF = 1,    /* -o FILE differs and was not written;
				     topology: a configured parent differs */
	NETDISC_EXIT_USAGE = 2,   /* bad arguments, or a system failure */
};

/* argv[0] is "discover"; getopt restarted by the caller (optind = 0). */
int netdisc_discover_main(int argc, char **argv);
/* argv[0] is "topology"; cfg: the client's -c (NULL: the default main
 * file). */
int netdisc_topology_main(int argc, char **argv, const char *cfg);

#endif
