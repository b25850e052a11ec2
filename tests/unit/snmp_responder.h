/*
 * snmp_responder: a small SNMP v1/v2c agent for the poller's unit tests,
 * on a loopback UDP port, watched by the test's own event loop (a test
 * stays one thread and deterministic). It answers in the version of each
 * request, from a MIB computed on the fly (nothing stored per row):
 *
 *   SNMP_RESPONDER_SCALAR.k.0   k = 1..scalars   INTEGER 10 * k
 *   SNMP_RESPONDER_TABLE.i      i = 1..rows      INTEGER i
 *
 * The table is the end of its MIB: past it, GETNEXT draws endOfMibView
 * (v2c) or noSuchName (v1). Missing OIDs in a GET draw noSuchObject (v2c)
 * or noSuchName with its error-index (v1). It misbehaves on request.
 */
#ifndef PHAROS_TEST_SNMP_RESPONDER_H
#define PHAROS_TEST_SNMP_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct snmp_responder;

#define SNMP_RESPONDER_SCALAR ".1.3.6.1.4.1.99999.1"
#define SNMP_RESPONDER_TABLE ".1.3.6.1.4.1.99999.2"

struct snmp_responder_opts {
	uint32_t scalars;         /* 0 = 16 */
	uint32_t rows;            /* table rows */
	int junk_before;          /* junk datagrams sent before each answer */
	bool wrong_reqid_before;  /* first a copy with another request-id */
	bool wrong_reqid_only;    /* never the right request-id */
	bool twice;               /* every answer sent twice */
	uint32_t backwards_at;    /* GETNEXT/GETBULK: row N (>= 3) is named
				     row N - 2 (0 = never) */
	size_t max_vbs;           /* an answer with more varbinds is tooBig
				     instead (0 = no limit) */
	int answer_try;           /* answer only the Nth copy of a request-id
				     (0 or 1 = the first) */
};

struct snmp_responder_stats {
	uint64_t requests;        /* datagrams received */
	uint64_t answers;         /* answers with the right request-id */
	uint64_t junk;            /* junk datagrams sent */
	uint64_t toobig;          /* tooBig answers */
	uint64_t nosuchname;      /* noSuchName answers */
	int min_reps, max_reps;   /* GETBULK max-repetitions seen; 0 none */
	size_t gets[32];          /* varbinds of each GET, in order */
	size_t ngets;
};

/* Bind 127.0.0.1:0 and watch it on loop (borrowed). opts is copied.
 * Returns 0 or -errno. Caller frees. */
int snmp_responder_new(struct loop *loop,
    const struct snmp_responder_opts *opts, struct snmp_responder **out)
    __attribute__((warn_unused_result));
/* Stop watching, close, free. NULL is a no-op. */
void snmp_responder_free(struct snmp_responder *r);
uint16_t snmp_responder_port(const struct snmp_responder *r);
/* Borrowed; valid until snmp_responder_free. */
const struct snmp_responder_stats *snmp_responder_stats(
    const struct snmp_responder *r);

#endif
