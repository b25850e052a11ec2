/*
 * graph_cli: `pharos graph HOST [SERVICE] ... -o FILE`, a PNG or SVG of a
 * host's or service's RRD file drawn with a graph template
 * (docs/graphs.md, "pharos graph"). It reads files only: pharosd need
 * not run.
 */
#ifndef PHAROS_GRAPH_CLI_H
#define PHAROS_GRAPH_CLI_H

#define GRAPH_CLI_EXIT_OK	0
#define GRAPH_CLI_EXIT_ERROR	1	/* no file, no template, librrd */
#define GRAPH_CLI_EXIT_USAGE	2

/*
 * argv[0] is "graph" (the caller restarts getopt with optind = 0); cfg is
 * the client's -c (NULL: none given), whose rrd_dir= is the default of
 * -d. Returns one of GRAPH_CLI_EXIT_*. Single-threaded (librrd's graph
 * code is not thread-safe, see graphs/render.h).
 */
int graph_cli_main(int argc, char **argv, const char *cfg);

#endif
