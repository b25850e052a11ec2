/*
 * icmp_check: the built-in `icmp` check command. It turns the command's
 * `!` arguments into probe parameters and thresholds (as check_icmp takes
 * them: "rta,pl%" for warning and critical), and a finished probe into a
 * check result with check_icmp-style output and Nagios perfdata, plus the
 * median, 90th percentile and jitter of the round trips.
 *
 *   check_command  icmp                  5 packets, 200ms,40% / 500ms,80%
 *   check_command  icmp!100,20%!300,60%  warning / critical
 *   check_command  icmp!100,20%!300,60%!3   ... with 3 packets
 *   check_command  icmp!!!10!5,20        ... 10 packets, jitter 5ms / 20ms
 */
#ifndef PHAROS_ICMP_CHECK_H
#define PHAROS_ICMP_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "icmp.h"

struct icmp_check_params {
	double warn_rta_ms; /* default 200 */
	double warn_pl;     /* percent, default 40 */
	double crit_rta_ms; /* default 500 */
	double crit_pl;     /* percent, default 80 */
	int count;          /* packets, default 5 */
	bool jitter_set;    /* ARG4 given: jitter thresholds apply */
	double warn_jitter_ms;
	double crit_jitter_ms;
	int64_t interval_ns; /* between packets to one target */
	int64_t timeout_ns;  /* wait after the last packet */
};

/* Parse the $ARGn$ values of an icmp check (borrowed). Fills err with a
 * message naming the bad argument and returns -EINVAL on bad input, else 0.
 * Used by the engine and by configuration verification (pharosd -v). */
int icmp_check_parse(char *const *args, size_t nargs,
    struct icmp_check_params *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Fill req from params and a numeric address string: IPv4, or IPv6 with an
 * optional "%interface" scope. Returns 0, or -EINVAL (err filled) for
 * anything else: host names must be resolved before the check runs. */
int icmp_check_request(const struct icmp_check_params *p, const char *address,
    struct icmp_request *req, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Turn a finished probe into a check result: state from the thresholds
 * (the worst of rta, loss and, when set, jitter; 100% loss is CRITICAL),
 * output like "OK - 192.0.2.1 rta 0.412ms, lost 0%", perfdata
 * "rta=0.412ms;200.000;500.000;0; pl=0%;40;80;0;100 rtmax=0.512ms;;;;
 * rtmin=0.301ms;;;; rtmed=0.405ms;;;; rtp90=0.512ms;;;; jitter=0.061ms;;;0;"
 * (see docs/icmp.md for every label). */
void icmp_check_result(const struct icmp_check_params *p, const char *address,
    const struct icmp_result *r, struct check_result *out);

#endif
