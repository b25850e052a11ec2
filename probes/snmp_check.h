/*
 * snmp_check: the built-in `snmp` and `snmp_if` check commands, run on the
 * asynchronous SNMP poller (snmp.h). See docs/snmp-checks.md.
 *
 *   snmp!OID[,OID...]!WARN[,...]!CRIT[,...]!LABEL[,...]!UNIT[,...]!OPTIONS
 *       like check_snmp -o/-w/-c/-l/-u; OPTIONS: rate, mult=F, pct,
 *       string=TEXT, name=OID (comma-separated)
 *   snmp_if!IFACE!WARN_UTIL!CRIT_UTIL!WARN_ERR!CRIT_ERR
 *       one interface by ifIndex, ifName, ifDescr or ifAlias: status,
 *       utilization (%) and errors+discards per second
 *
 * A struct snmp_checks owns the rate memory: per key ("host;service") the
 * previous counter samples, their time and sysUpTime, and for snmp_if the
 * resolved ifIndex and whether the 64-bit counters exist. Entries live
 * until the module is freed; at most SNMP_CHECK_MEM_MAX of them (a check
 * that finds the memory full is UNKNOWN and counted as a drop).
 *
 * Everything runs on the loop's thread. This header uses Pharos types only.
 */
#ifndef PHAROS_SNMP_CHECK_H
#define PHAROS_SNMP_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "range.h"
#include "snmp.h"

struct loop;
struct snmp_checks;
struct snmp_check_run;

#define SNMP_CHECK_OIDS_MAX   16      /* OIDs of one snmp check */
#define SNMP_CHECK_OID_LEN    128     /* bytes of one OID as text, NUL incl. */
#define SNMP_CHECK_LABEL_MAX  31      /* bytes of a perfdata label */
#define SNMP_CHECK_UNIT_MAX   15      /* bytes of a unit (perfdata UOM) */
#define SNMP_CHECK_STRING_MAX 127     /* bytes of string=TEXT */
#define SNMP_CHECK_IFACE_MAX  255     /* bytes of an interface name */
#define SNMP_CHECK_MEM_MAX    1000000 /* default cap on rate memory entries */

enum snmp_check_kind { SNMP_CHECK_GENERIC = 1, SNMP_CHECK_IF };

/* The parsed arguments of one check. Flat (no pointers): copy it by value;
 * snmp_check_params_clear() only resets it. */
struct snmp_check_params {
	enum snmp_check_kind kind;
	uint64_t fingerprint; /* hash of command and arguments: rate memory
				 kept for other arguments is reset */
	/* snmp */
	size_t noids;
	char oids[SNMP_CHECK_OIDS_MAX][SNMP_CHECK_OID_LEN]; /* ".1.3..." */
	size_t nvalues; /* values judged: 1 with pct, else noids */
	struct range warn[SNMP_CHECK_OIDS_MAX]; /* per value */
	struct range crit[SNMP_CHECK_OIDS_MAX];
	char labels[SNMP_CHECK_OIDS_MAX][SNMP_CHECK_LABEL_MAX + 1];
	char units[SNMP_CHECK_OIDS_MAX][SNMP_CHECK_UNIT_MAX + 1];
	bool rate;    /* per-second rates of the values */
	bool pct;     /* value = 100 * OID1 / OID2 */
	double mult;  /* 1 unless mult=F */
	bool string_set;
	char string[SNMP_CHECK_STRING_MAX + 1];
	char name_oid[SNMP_CHECK_OID_LEN]; /* "" = none */
	/* snmp_if */
	char iface[SNMP_CHECK_IFACE_MAX + 1];
	long ifindex; /* > 0 when IFACE is all digits */
	struct range warn_util, crit_util; /* percent; default 80, 90 */
	struct range warn_err, crit_err;   /* errors+discards per second */
};

struct snmp_check_counters {
	uint64_t started;    /* checks accepted by snmp_check_start */
	uint64_t finished;   /* done callbacks fired */
	uint64_t cancelled;  /* snmp_check_cancel, done not fired */
	uint64_t resolves;   /* snmp_if name -> ifIndex resolutions */
	uint64_t mem_entries;
	uint64_t mem_drops;  /* checks refused rate memory (full) */
};

/* Create the module on loop and poller (both borrowed; they must outlive
 * it). Returns 0 or -ENOMEM. Caller frees with snmp_checks_free(). */
int snmp_checks_new(struct loop *loop, struct snmp_poller *poller,
    struct snmp_checks **out) __attribute__((warn_unused_result));
/* Abort running checks (their done fires with UNKNOWN, and may not start
 * new checks), free the rate memory and the module. NULL is a no-op.
 * Never from a poller or check callback. */
void snmp_checks_free(struct snmp_checks *sc);
/* Cap the number of rate memory entries (0 = SNMP_CHECK_MEM_MAX). */
void snmp_checks_set_mem_max(struct snmp_checks *sc, size_t max);
void snmp_checks_counters(const struct snmp_checks *sc,
    struct snmp_check_counters *out);

/* True for "snmp" and "snmp_if". */
bool snmp_check_is_builtin(const char *command_name);

/* Parse and validate the $ARGn$ values (borrowed; NULL or "" = not given)
 * of command_name into *out. Returns 0, or -EINVAL with err naming the bad
 * argument ("snmp: ARG2 (warning) ...: bad range '10:5': start 10 is
 * greater than end 5 ..."). Used by pharosd -v and by the engine. */
int snmp_check_parse(const char *command_name, char *const *args,
    size_t nargs, struct snmp_check_params *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void snmp_check_params_clear(struct snmp_check_params *p);

/* Start one check. t is copied; p is borrowed (not copied, so that many
 * checks share one parsed set): it must stay valid and unchanged until
 * done fires or the run is cancelled. key (borrowed, "host;service")
 * names the rate memory entry. On 0, done fires exactly once with a filled
 * result (output "SNMP OK - ..." / "OK - Gi0/1 up, ..."), never from inside
 * this call; *run (optional) is the handle for snmp_check_cancel until
 * then. Returns -EINVAL (bad params or target: err filled), -ENOMEM or
 * -ECANCELED (module being freed); done is not called then. */
int snmp_check_start(struct snmp_checks *sc,
    const struct snmp_check_params *p, const struct snmp_target *t,
    const char *key, check_done_fn *done, void *arg,
    struct snmp_check_run **run, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Stop a running check: done is not called. run is invalid afterwards.
 * NULL is a no-op. */
void snmp_check_cancel(struct snmp_checks *sc, struct snmp_check_run *run);

/* ---- the arithmetic, without the network (exposed for tests) ---- */

/* One counter or gauge reading. */
struct snmp_check_sample {
	bool valid;
	enum snmp_type type; /* SNMP_T_COUNTER32 / _COUNTER64: u; else d */
	uint64_t u;
	double d;
};

/* When a set of samples was taken. */
struct snmp_check_when {
	int64_t ns;       /* monotonic, when the answer arrived; 0 = never */
	bool have_uptime;
	uint32_t uptime;  /* sysUpTime.0, 1/100 s */
};

enum snmp_check_rate_status {
	SNMP_CHECK_RATE_OK,
	SNMP_CHECK_RATE_WRAPPED,   /* OK: a Counter32 wrapped past 2^32 */
	SNMP_CHECK_RATE_FIRST,     /* no usable previous sample */
	SNMP_CHECK_RATE_CLEARED,   /* counter went backwards: discontinuity */
	SNMP_CHECK_RATE_RESTARTED, /* sysUpTime says the agent restarted */
	SNMP_CHECK_RATE_NO_TIME,   /* no time elapsed between the samples */
};

/* True when sysUpTime going from old to now over elapsed_ns means the
 * agent restarted: it went backwards and not by a plausible 2^32 wrap, or
 * it is shorter than the time elapsed (restarted between the samples). */
bool snmp_check_uptime_restarted(uint32_t old, uint32_t now,
    int64_t elapsed_ns);
/* The per-second rate from prev (taken at then) to now (at when) into
 * *rate when the status is OK or WRAPPED. Counter32: backwards is a wrap
 * when sysUpTime grew (or is unknown), else a discontinuity; Counter64:
 * backwards is a discontinuity; other types: plain derivative. */
enum snmp_check_rate_status snmp_check_rate(
    const struct snmp_check_sample *prev, const struct snmp_check_when *then,
    const struct snmp_check_sample *now, const struct snmp_check_when *when,
    double *rate);

/* Judge a GET answer as a run does when it arrives at now_ns, updating the
 * rate memory of key. vbs (borrowed): for snmp, p's OIDs in order, then
 * (in any order) the name= OID and sysUpTime.0 when used; for snmp_if with
 * a numeric IFACE, any of the IF-MIB columns of that ifIndex and
 * sysUpTime.0, matched by OID. out's strings are replaced (caller clears). */
void snmp_check_eval(struct snmp_checks *sc,
    const struct snmp_check_params *p, const char *key,
    const struct snmp_vb *vbs, size_t n, int64_t now_ns,
    struct check_result *out);

/* "12.3 Mb/s": bits per second with an SI prefix, one decimal. */
void snmp_check_fmt_bps(double bps, char *buf, size_t len);

#endif
