/*
 * snmp_check_int.h: what the files of the snmp_check module share (not a
 * public header): the rate memory entry, the module struct, the IF-MIB
 * column table and the helpers of evaluation.
 *
 *   snmp_check.c        the module: rate memory, runs on the poller
 *   snmp_check_parse.c  $ARGn$ into struct snmp_check_params
 *   snmp_check_eval.c   rates, values, the snmp check's result
 *   snmp_check_if.c     the snmp_if check's result
 */
#ifndef PHAROS_SNMP_CHECK_INT_H
#define PHAROS_SNMP_CHECK_INT_H

#include "snmp_check.h"

#define SC_SYSUPTIME	".1.3.6.1.2.1.1.3.0"
#define SC_TEXT_MAX	4096	/* output text and perfdata, each */
#define SC_RUNS_SPARE_MAX 256	/* ended runs kept for reuse */
#define SC_IF_SAMPLES	6	/* in/out octets, errors, discards */
#define SC_TICKS_PER_S	100	/* sysUpTime */
#define SC_FNV_BASIS	UINT64_C(0xcbf29ce484222325)

enum snmp_check_hc { SC_HC_UNKNOWN, SC_HC_YES, SC_HC_NO };

/* IF-MIB columns, indexed by ifIndex. */
enum snmp_check_ifcol {
	IFC_DESCR, IFC_ADMIN, IFC_OPER, IFC_SPEED, IFC_IN32, IFC_OUT32,
	IFC_INERR, IFC_OUTERR, IFC_INDISC, IFC_OUTDISC, IFC_NAME,
	IFC_HIGHSPEED, IFC_HCIN, IFC_HCOUT, IFC_ALIAS, IFC_N
};

extern const char *const snmp_check_ifcol_oid[IFC_N];  /* ".1.3...2" */
extern const char *const snmp_check_ifcol_name[IFC_N]; /* "ifDescr" */

/* One rate memory entry; lives until the module is freed. */
struct snmp_check_mem {
	struct snmp_check_mem *next;  /* hash chain */
	uint64_t hash;
	uint64_t fingerprint;         /* of the params it was made for */
	struct snmp_check_when when;  /* of the samples; ns 0 = none yet */
	struct snmp_check_sample *s;  /* ns samples, owned */
	size_t ns;
	long ifindex;                 /* snmp_if by name: 0 = unresolved */
	enum snmp_check_ifcol ifcol;  /* the column the name matched */
	enum snmp_check_hc hc;        /* ifHC*Octets exist? */
	char key[];
};

struct snmp_checks {
	struct loop *loop;            /* borrowed */
	struct snmp_poller *poller;   /* borrowed */
	struct snmp_check_mem **buckets;
	size_t nbuckets;              /* a power of two, or 0 */
	size_t mem_max;
	struct snmp_check_run *runs;  /* running checks */
	/* Ended runs kept for reuse (chained by next), at most
	 * SC_RUNS_SPARE_MAX: a check reuses one instead of a fresh
	 * allocation of a few KiB. */
	struct snmp_check_run *spare;
	size_t nspare;
	bool closing;                 /* snmp_checks_free is running */
	struct snmp_check_counters c;
};

/* A capped text buffer: appends past the cap are cut, never overflow. */
struct snmp_check_buf {
	char s[SC_TEXT_MAX];
	size_t len;
};

/* Append to b (NULL: ignored). */
void snmp_check_buf_add(struct snmp_check_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *snmp_check_state_name(int code);
int snmp_check_worst(int a, int b);
uint64_t snmp_check_fnv(uint64_t h, const char *s);

/* A decimal "-12.5" (sign, digits, one '.'; blanks around) from the len
 * bytes at s. Returns 0 or -EINVAL. */
int snmp_check_number(const char *s, size_t len, double *out);
void snmp_check_fmt_num(double v, char *buf, size_t len);

/* The entry of key for p, or NULL when full (counted) or out of memory. */
struct snmp_check_mem *snmp_check_mem_get(struct snmp_checks *sc,
    const char *key, const struct snmp_check_params *p);
/* Forget samples, ifIndex and counter kind; set the fingerprint. */
void snmp_check_mem_reset(struct snmp_check_mem *m, uint64_t fingerprint);

/* Varbinds. missing: the exception's name, or NULL for a value. */
const char *snmp_check_missing(enum snmp_type t);
int snmp_check_vb_number(const struct snmp_vb *vb,
    struct snmp_check_sample *s);
int snmp_check_vb_string(const struct snmp_vb *vb, char *out, size_t outlen);
const struct snmp_vb *snmp_check_find_vb(const struct snmp_vb *vbs,
    size_t n, const char *oid);
bool snmp_check_is_counter(enum snmp_type t);

/* When an answer came: now_ns and its sysUpTime.0. */
void snmp_check_when_of(const struct snmp_vb *vbs, size_t n, int64_t now_ns,
    struct snmp_check_when *w);
/* The status shared by all samples of an answer (first, no time,
 * restart) and its note ("" when rates can be computed). */
enum snmp_check_rate_status snmp_check_rate_global(
    const struct snmp_check_mem *m, const struct snmp_check_when *w);
void snmp_check_rate_note(const struct snmp_check_mem *m,
    const struct snmp_check_when *w, enum snmp_check_rate_status st,
    char *buf, size_t len);

/* Results of a GET answer arriving at now_ns (see snmp_check_eval). m may
 * be NULL (memory full). */
void snmp_check_eval_snmp(struct snmp_checks *sc,
    const struct snmp_check_params *p, struct snmp_check_mem *m,
    const struct snmp_vb *vbs, size_t n, int64_t now_ns,
    struct check_result *out);
void snmp_check_eval_if(struct snmp_checks *sc,
    const struct snmp_check_params *p, struct snmp_check_mem *m, long idx,
    const struct snmp_vb *vbs, size_t n, int64_t now_ns,
    struct check_result *out);

#endif
