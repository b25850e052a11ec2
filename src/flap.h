/*
 * flap: Nagios' flap detection for one host or service (docs/flapping.md).
 *
 * Each object keeps the last FLAP_HISTORY (21) recorded states in a ring.
 * The 20 transitions between neighbouring entries are weighted linearly,
 * from 0.75 for the oldest to 1.25 for the newest, as Nagios 4 weighs them
 * (base/flapping.c: low_curve_value 0.75, high_curve_value 1.25); the
 * percent state change is the sum of the weights of the transitions where
 * the state changed, times 100 / 20. Ten changes all at the newest end
 * count more than ten at the oldest end; 20 changes make exactly 100%.
 *
 * An object starts flapping when the percent is >= its high threshold and
 * stops when it is <= its low threshold (Nagios decides "not flapping" at
 * <= low although its log line says "<"); in between nothing changes.
 *
 * struct flap is plain data to embed in a per-object engine struct; all
 * zeroes is a valid, fresh history: 21 OK/UP entries, as Nagios starts
 * every object (state 0 is OK and UP). No function here allocates.
 */
#ifndef PHAROS_FLAP_H
#define PHAROS_FLAP_H

#include <stdbool.h>
#include <stddef.h>

#define FLAP_HISTORY 21

/* Nagios' main-config defaults: low_host_flap_threshold=5.0,
 * high_host_flap_threshold=20.0, the same for services. */
#define FLAP_LOW_DEFAULT 5.0
#define FLAP_HIGH_DEFAULT 20.0

/* flap_detection_options bits: bit (1 << state), states numbered as in
 * objects.h. Hosts: o = UP, d = DOWN, u = UNREACHABLE; services: o = OK,
 * w = WARNING, c = CRITICAL, u = UNKNOWN. Nagios' default is all. */
#define FLAP_OPT_ALL 0xfu

enum flap_kind {
	FLAP_HOST = 0,
	FLAP_SERVICE = 1,
};

enum flap_event {
	FLAP_STARTED = 0,
	FLAP_STOPPED = 1,
	FLAP_DISABLED = 2, /* flap detection turned off while flapping */
};

struct flap {
	unsigned char states[FLAP_HISTORY]; /* the ring of recorded states */
	unsigned char next;                 /* oldest entry = next slot */
	bool flapping;
};

/* How one object is judged; filled by the engine from the configuration,
 * the caller owns it (it may be shared by many objects). */
struct flap_params {
	double low;         /* low_flap_threshold; <= 0.0: use global_low */
	double high;        /* high_flap_threshold; <= 0.0: use global_high */
	double global_low;  /* low_host_flap_threshold or the service one */
	double global_high; /* high_host_flap_threshold or the service one */
	unsigned options;   /* FLAP_OPT_* bits of the states recorded */
	/* enable_flap_detection && flap_detection_enabled. When false, states
	 * are still recorded (Nagios does too, so enabling it later starts
	 * from the real history) but nothing starts or stops. */
	bool enabled;
};

/* Fill p with Nagios' defaults: thresholds from the globals 5.0 / 20.0,
 * every state recorded, detection enabled. */
void flap_params_init(struct flap_params *p);

/* The thresholds in effect: the object's own value when > 0.0, else the
 * global one. */
double flap_low(const struct flap_params *p);
double flap_high(const struct flap_params *p);

/* Parse a flap_detection_options value: letters (o,d,u for hosts;
 * o,w,c,u for services) or Nagios' long names (up, down, unreachable; ok,
 * warning, critical, unknown), n/none, a/all, separated by commas or
 * spaces. Returns 0 with *out set, or -EINVAL (*out untouched). */
int flap_options_parse(const char *s, enum flap_kind kind, unsigned *out)
    __attribute__((warn_unused_result));

/* Which service results go into the history: Nagios records hard states
 * and soft recoveries (a soft OK), never a soft non-OK state. Host results
 * are all recorded: call flap_record() on every host check. */
bool flap_service_counts(int state, bool hard);

/* Record state (when its bit is in p->options), compute the percent and
 * decide: *started is set when the object starts flapping now, *stopped
 * when it stops now (either may be NULL; both are set to false first).
 * A state outside 0..7 is never recorded; PENDING is no result, so the
 * engine never passes it. */
void flap_record(struct flap *f, int state, const struct flap_params *p,
    bool *started, bool *stopped);

/* The percent state change of the history as it stands (0.0 - 100.0). */
double flap_percent(const struct flap *f);

/* Turn flap detection off for f (Nagios' handling when it is disabled
 * globally or per object). Returns true when f was flapping: then log
 * the FLAP_DISABLED line. The history is kept. */
bool flap_disable(struct flap *f);

/* Write the event-log text (without "[epoch] ", which evlog adds) of a
 * flapping event, as Nagios 4 writes it:
 *   HOST FLAPPING ALERT: h;STARTED; Host appears to have started flapping
 *       (24.3% change > 20.0% threshold)
 *   SERVICE FLAPPING ALERT: h;s;STARTED; Service appears to have started
 *       flapping (24.3% change >= 20.0% threshold)
 *   ...;STOPPED; Host|Service appears to have stopped flapping
 *       (3.8% change < 5.0% threshold)
 *   ...;DISABLED; Flap detection has been disabled
 * (Nagios 4 writes ">" in the host STARTED line and ">=" in the service
 * one; both are kept as they are.) The percent is flap_percent(f), the
 * threshold the high one for STARTED and the low one for STOPPED. service
 * is NULL for a host. Returns what snprintf returns (the line is cut to
 * len - 1 bytes when longer). Names are borrowed. */
int flap_format(char *buf, size_t len, const char *host, const char *service,
    enum flap_event ev, const struct flap *f, const struct flap_params *p);

#endif
