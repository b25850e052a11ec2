/*
 * ping: `pharos ping`, a one-shot ICMP sweeper for people at a terminal,
 * in fping's habits, on the same prober as the daemon (probes/icmp.h).
 *
 *   pharos ping [-46aquv] [-c COUNT] [-p MS] [-i MS] [-t MS] [-f FILE]
 *               [-g] TARGET...
 *
 * Output and exit codes follow fping (docs/ping.md): 0 every target
 * answered, 1 some did not, 2 a name did not resolve, 3 bad arguments,
 * 4 a system call failed (no ICMP socket, an unreadable file).
 */
#ifndef PHAROS_PING_H
#define PHAROS_PING_H

enum {
	PING_EXIT_ALIVE = 0,
	PING_EXIT_UNREACHABLE = 1,
	PING_EXIT_NOADDRESS = 2,
	PING_EXIT_USAGE = 3,
	PING_EXIT_SYSTEM = 4,
};

/* Run the command. argv[0] is "ping"; argv is borrowed. Parses its own
 * options with getopt (restarted here), runs its own event loop to the
 * end and returns one of the PING_EXIT_* codes. Prints to stdout (replies,
 * "is alive") and stderr (summaries, errors), as fping does. */
int ping_main(int argc, char **argv);

#endif
