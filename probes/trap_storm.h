/*
 * trap_storm: storm control for received traps, one token bucket per
 * source address (docs/traps.md, "Storms").
 *
 * A fixed table of slots, open addressing with a bounded probe run: a
 * source takes a free slot of its run, or else the least recently seen
 * slot of the run (whose pending counts are reported first). Memory is
 * fixed at creation whatever the number of sources. Traps over a bucket
 * are counted per name (the first TRAP_STORM_NAMES names of a window, the
 * rest together) until trap_storm_flush() reports them.
 *
 * Pharos types only; no I/O, no clock of its own (the caller passes the
 * monotonic time).
 */
#ifndef PHAROS_TRAP_STORM_H
#define PHAROS_TRAP_STORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRAP_STORM_NAMES 4
#define TRAP_STORM_PROBES 16

struct trap_storm;

/* One pending count: label (the host, else the source), the trap's name
 * (NULL: other traps beyond TRAP_STORM_NAMES) and how many were over the
 * bucket since the last report. Borrowed strings. */
typedef void trap_storm_fn(const char *source, const char *label,
    const char *name, uint64_t n, void *arg);

/* A table of slots (a power of two is not needed; at least 1). rate:
 * tokens per second, burst: the bucket's size (at least 1). report is
 * called by trap_storm_flush() and when a slot is reused. Returns 0 or
 * -ENOMEM / -EINVAL. Caller frees. */
int trap_storm_new(size_t slots, double rate, double burst,
    trap_storm_fn *report, void *arg, struct trap_storm **out)
    __attribute__((warn_unused_result));
void trap_storm_free(struct trap_storm *s);
/* New rate and burst (a reload); buckets keep their tokens, capped. */
void trap_storm_set(struct trap_storm *s, double rate, double burst);

/* Take a token from source's bucket at monotonic time now_ns. true: under
 * the rate; false: over it, counted under name for the next report.
 * label: what the report names (the host), NULL: the source. */
bool trap_storm_admit(struct trap_storm *s, const char *source,
    const char *label, const char *name, int64_t now_ns);

/* Report every pending count, then clear them. Returns how many sources
 * had counts. */
size_t trap_storm_flush(struct trap_storm *s);

/* Traps over the buckets since creation. */
uint64_t trap_storm_suppressed(const struct trap_storm *s);

#endif
