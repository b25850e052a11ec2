/*
 * snmpd_fixture: Debian's snmpd (/usr/sbin/snmpd) as a test agent, run in
 * the foreground on 127.0.0.1 at a free UDP port, with its config, pid
 * file and persistent state in a private directory of its own. Shared by
 * the suites that poll a real agent (test_snmp, test_discover,
 * test_snmp_check); each suite brings its own config lines and its own
 * wait until the agent answers, through the code it tests.
 *
 * Not for untrusted input; errors are returned, the suite asserts.
 */
#ifndef PHAROS_SNMPD_FIXTURE_H
#define PHAROS_SNMPD_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define SNMPD_FIXTURE_PATH "/usr/sbin/snmpd"

struct snmpd_fixture {
	pid_t pid;       /* the snmpd child, > 0 while started */
	uint16_t port;   /* where it listens, on 127.0.0.1 */
	char dir[64];    /* its private directory, "" when none */
};

/* True when snmpd is installed; suites skip their agent tests otherwise. */
bool snmpd_available(void);

/* A UDP port on 127.0.0.1 that was free a moment ago (bound, read, closed),
 * or 0 when none could be had. Also serves as a port nobody answers on. */
uint16_t snmpd_free_port(void);

/* Start snmpd on a free port in a new private directory, with a config of
 * "rocommunity public 127.0.0.1" followed by extra_conf_lines (borrowed,
 * whole lines ending in '\n'; NULL for none). f is filled; it need not be
 * initialised. Returns 0, or a negative errno with f left stopped. The
 * agent may take a moment to answer: the caller waits, its own way.
 * A failed exec shows only as an agent that never answers. */
int snmpd_start(struct snmpd_fixture *f, const char *extra_conf_lines)
    __attribute__((warn_unused_result));

/* Stop the agent (SIGTERM, then reap it) and remove its directory. A no-op
 * on a zeroed or already stopped fixture; f is zeroed on return. */
void snmpd_stop(struct snmpd_fixture *f);

#endif
