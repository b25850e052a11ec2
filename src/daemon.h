/*
 * daemon: pharosd's context. It owns every module of the running daemon and
 * wires them: configuration -> scheduler -> executor (ICMP prober) -> state
 * engine -> event log, and the query socket reading the live state.
 */
#ifndef PHAROS_DAEMON_H
#define PHAROS_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct config;

struct daemon_opts {
	const char *config_path;
	/* Signal flags set by main.c's handlers (borrowed). */
	volatile sig_atomic_t *stop_flag;
	volatile sig_atomic_t *hup_flag;
	int wake_fd; /* read end of the self-pipe the handlers write to */
	/* -M: a corrupt retention file is moved aside (else start fails) */
	bool move_retention_aside;
};

/* Run the daemon on *cfg (borrowed) until a stop is requested. Once the
 * first SNMP discoveries have added services, the configuration is loaded
 * again: *cfg is then replaced (the old one freed). Returns the process
 * exit code (0 after a clean stop). */
int daemon_run(struct config **cfg, const struct daemon_opts *opts);

#endif
