/*
 * check: the narrow waist between the scheduler and the probers.
 *
 * The scheduler hands a job (what to check, against which address, with
 * which command and arguments) to exec_submit() and later gets back exactly
 * one result (a state 0-3 in plugin terms, output, perfdata, timings). It
 * never knows which prober ran the job; the state engine never knows how the
 * result was obtained.
 */
#ifndef PHAROS_CHECK_H
#define PHAROS_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "objects.h"

/* Plugin return codes. For hosts, 0 and 1 mean UP, 2 and 3 DOWN. */
enum check_code {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3,
};

struct check_result {
	int code;          /* enum check_code */
	char *output;      /* first line, never NULL; owned by the result */
	char *long_output; /* may be NULL */
	char *perfdata;    /* may be NULL */
	int64_t start_ns;  /* monotonic */
	int64_t end_ns;
	int64_t start_time; /* wall clock, epoch seconds */
	/* No executor answered (a remote poller gone, docs/scaling.md): the
	 * result is UNKNOWN and a host keeps its state rather than go DOWN. */
	bool unanswered;
};

struct check_job {
	const struct host *host;       /* borrowed; the host checked, or the
					  service's host */
	const struct service *service; /* borrowed; NULL for host checks */
	const char *address;           /* borrowed; the address to probe */
	const struct check_spec *spec; /* borrowed; command and $ARGn$ */
	bool host_check;
	int64_t timeout_ns;
};

/* Called exactly once per submitted job. The result is borrowed for the
 * duration of the call: take its strings (set the pointers to NULL) to keep
 * them. */
typedef void check_done_fn(struct check_result *res, void *arg);

/* Helpers for probers building results. check_result_set() formats output
 * (printf-style) and splits "text|perfdata" at the first '|'. */
void check_result_set(struct check_result *res, int code, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* Free the strings of a result (not the struct). */
void check_result_clear(struct check_result *res);

#endif
