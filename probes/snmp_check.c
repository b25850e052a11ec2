/*
 * snmp_check: the built-in `snmp` and `snmp_if` checks (see snmp_check.h
 * and docs/snmp-checks.md for the syntax and the output). This file keeps
 * the module: its rate memory and the runs on the poller. Parsing is in
 * snmp_check_parse.c, judging answers in snmp_check_eval.c (snmp) and
 * snmp_check_if.c (snmp_if).
 *
 * Data:
 * - struct snmp_checks: the rate memory, a chained hash table of struct
 *   snmp_check_mem keyed by "host;service" (FNV-1a), grown at load 1, at
 *   most mem_max entries; and the list of running checks. An entry, once
 *   made, lives until the module is freed, so a run may keep a pointer.
 * - struct snmp_check_mem: the samples of the last answer (one per OID, or
 *   six for snmp_if: in/out octets, in/out errors, in/out discards), the
 *   time and sysUpTime they were taken at; for snmp_if the ifIndex found
 *   for the name, the column it matched in, and whether ifHC*Octets exist.
 * - struct snmp_check_run: one running check, on sc->runs from start to
 *   done, owning copies of the params and target. It has exactly one
 *   poller request outstanding at any time (walks to resolve a name, then
 *   the GET), so done never fires from inside snmp_check_start and a
 *   cancel is one snmp_cancel.
 *
 * snmp_if by name: the first check walks ifName, then ifDescr, then
 * ifAlias until a column holds the name (held by two ifIndexes it is
 * ambiguous: UNKNOWN). Later GETs also fetch that column at the cached
 * ifIndex; when it no longer holds the name (renumbered after a reboot)
 * the name is resolved again and the samples of the old ifIndex dropped.
 */
#include "snmp_check_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop.h"
#include "strnum.h"

/* Name columns tried in order to resolve IFACE. */
static const enum snmp_check_ifcol sc_resolve_order[] = { IFC_NAME,
	IFC_DESCR, IFC_ALIAS };

struct snmp_check_run {
	struct snmp_checks *sc;
	struct snmp_check_run *prev, *next;
	const struct snmp_check_params *p; /* the caller's, borrowed */
	struct snmp_target t;
	struct snmp_check_mem *mem; /* may be NULL: memory full */
	char *key;
	check_done_fn *done;
	void *arg;
	struct snmp_req *req;       /* the one outstanding request */
	size_t walk_step;           /* index in sc_resolve_order */
	long ifindex;               /* working ifIndex of snmp_if */
	enum snmp_check_ifcol ifcol; /* column to verify; IFC_N = none */
	bool fresh;                 /* ifIndex resolved by this run */
	bool cancelled;
	long match[2];              /* walk matches: the first two */
	size_t nmatch;
	int64_t start_ns;
	int64_t start_time;
	char oidbuf[IFC_N][SNMP_CHECK_OID_LEN];
};

uint64_t
snmp_check_fnv(uint64_t h, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

/* ---- rate memory ---- */

void
snmp_check_mem_reset(struct snmp_check_mem *m, uint64_t fingerprint)
{
	m->fingerprint = fingerprint;
	memset(&m->when, 0, sizeof(m->when));
	memset(m->s, 0, m->ns * sizeof(*m->s));
	m->ifindex = 0;
	m->ifcol = IFC_N;
	m->hc = SC_HC_UNKNOWN;
}

static int
sc_mem_grow(struct snmp_checks *sc)
{
	size_t n = sc->nbuckets ? sc->nbuckets * 2 : 64, i;
	struct snmp_check_mem **b = calloc(n, sizeof(*b)), *m, *next;

	if (b == NULL)
		return -ENOMEM;
	for (i = 0; i < sc->nbuckets; i++)
		for (m = sc->buckets[i]; m != NULL; m = next) {
			next = m->next;
			m->next = b[m->hash & (n - 1)];
			b[m->hash & (n - 1)] = m;
		}
	free(sc->buckets);
	sc->buckets = b;
	sc->nbuckets = n;
	return 0;
}

/* The entry of key for p (made, or reset when made for other arguments),
 * or NULL when the memory is full (counted) or out of memory. */
struct snmp_check_mem *
snmp_check_mem_get(struct snmp_checks *sc, const char *key,
    const struct snmp_check_params *p)
{
	uint64_t h = snmp_check_fnv(SC_FNV_BASIS, key);
	size_t ns = p->kind == SNMP_CHECK_IF ? SC_IF_SAMPLES : p->noids;
	struct snmp_check_mem *m = NULL;

	if (sc->nbuckets > 0)
		for (m = sc->buckets[h & (sc->nbuckets - 1)]; m != NULL;
		    m = m->next)
			if (m->hash == h && strcmp(m->key, key) == 0)
				break;
	if (m != NULL && m->fingerprint == p->fingerprint && m->ns == ns)
		return m;
	if (m != NULL && m->ns == ns) {
		snmp_check_mem_reset(m, p->fingerprint);
		return m;
	}
	if (m != NULL) { /* other arguments, other sample count */
		struct snmp_check_sample *s = calloc(ns, sizeof(*s));

		if (s == NULL)
			return NULL;
		free(m->s);
		m->s = s;
		m->ns = ns;
		snmp_check_mem_reset(m, p->fingerprint);
		return m;
	}
	if (sc->c.mem_entries >= sc->mem_max) {
		sc->c.mem_drops++;
		return NULL;
	}
	if (sc->c.mem_entries >= sc->nbuckets && sc_mem_grow(sc) != 0)
		return NULL;
	m = calloc(1, sizeof(*m) + strlen(key) + 1);
	if (m == NULL || (m->s = calloc(ns, sizeof(*m->s))) == NULL) {
		free(m);
		return NULL;
	}
	memcpy(m->key, key, strlen(key) + 1);
	m->hash = h;
	m->ns = ns;
	snmp_check_mem_reset(m, p->fingerprint);
	m->next = sc->buckets[h & (sc->nbuckets - 1)];
	sc->buckets[h & (sc->nbuckets - 1)] = m;
	sc->c.mem_entries++;
	return m;
}


void
snmp_check_eval(struct snmp_checks *sc, const struct snmp_check_params *p,
    const char *key, const struct snmp_vb *vbs, size_t n, int64_t now_ns,
    struct check_result *out)
{
	struct snmp_check_mem *m = NULL;

	if (p->kind == SNMP_CHECK_IF || p->rate)
		m = snmp_check_mem_get(sc, key, p);
	if (p->kind == SNMP_CHECK_GENERIC) {
		snmp_check_eval_snmp(sc, p, m, vbs, n, now_ns, out);
		return;
	}
	if (p->ifindex == 0 && (m == NULL || m->ifindex == 0)) {
		check_result_set(out, CHECK_UNKNOWN, "UNKNOWN - interface '%s' "
		    "not resolved to an ifIndex", p->iface);
		return;
	}
	snmp_check_eval_if(sc, p, m, p->ifindex ? p->ifindex : m->ifindex, vbs,
	    n, now_ns, out);
}

/* ---- runs ---- */

static void sc_on_get(const struct snmp_result *res, void *arg);
static void sc_on_walk(const struct snmp_result *res, void *arg);
static void sc_on_row(const struct snmp_vb *vbs, size_t n, void *arg);

static void
sc_run_free(struct snmp_check_run *run)
{
	struct snmp_checks *sc = run->sc;

	if (run->prev != NULL)
		run->prev->next = run->next;
	else if (sc->runs == run)
		sc->runs = run->next;
	if (run->next != NULL)
		run->next->prev = run->prev;
	free(run->key);
	if (sc->nspare < SC_RUNS_SPARE_MAX && !sc->closing) {
		run->next = sc->spare;
		sc->spare = run;
		sc->nspare++;
		return;
	}
	free(run);
}

/* A zeroed run: a spare one, or a new allocation. */
static struct snmp_check_run *
sc_run_alloc(struct snmp_checks *sc)
{
	struct snmp_check_run *run = sc->spare;

	if (run == NULL)
		return calloc(1, sizeof(*run));
	sc->spare = run->next;
	sc->nspare--;
	memset(run, 0, sizeof(*run));
	return run;
}

/* Deliver res (its times set here) to the run's done, then free both. */
static void
sc_finish(struct snmp_check_run *run, struct check_result *res)
{
	check_done_fn *done = run->done;
	void *arg = run->arg;

	res->start_ns = run->start_ns;
	res->start_time = run->start_time;
	res->end_ns = loop_clock();
	if (res->output == NULL)
		check_result_set(res, CHECK_UNKNOWN, "UNKNOWN - out of memory");
	run->sc->c.finished++;
	sc_run_free(run);
	done(res, arg);
	check_result_clear(res);
}

static void
sc_fail(struct snmp_check_run *run, const char *why)
{
	struct check_result res;

	memset(&res, 0, sizeof(res));
	check_result_set(&res, CHECK_UNKNOWN, "%sUNKNOWN - %s",
	    run->p->kind == SNMP_CHECK_GENERIC ? "SNMP " : "", why);
	sc_finish(run, &res);
}

/* The GET of a generic check: the OIDs, name=, sysUpTime for rates. */
static int
sc_send_get_snmp(struct snmp_check_run *run, char *err, size_t errlen)
{
	const char *oids[SNMP_CHECK_OIDS_MAX + 2];
	size_t n = 0;

	for (size_t i = 0; i < run->p->noids; i++)
		oids[n++] = run->p->oids[i];
	if (run->p->name_oid[0] != '\0')
		oids[n++] = run->p->name_oid;
	if (run->p->rate)
		oids[n++] = SC_SYSUPTIME;
	return snmp_get(run->sc->poller, &run->t, oids, n, sc_on_get, run,
	    &run->req, err, errlen);
}

/* The GET of snmp_if: status, counters and speeds of one ifIndex, and the
 * column the name matched in (to see it still does). v1 asks for ifTable
 * only: it cannot carry Counter64. */
static int
sc_send_get_if(struct snmp_check_run *run, char *err, size_t errlen)
{
	static const enum snmp_check_ifcol base[] = { IFC_ADMIN, IFC_OPER,
		IFC_INERR, IFC_OUTERR, IFC_INDISC, IFC_OUTDISC, IFC_SPEED };
	const char *oids[IFC_N + 1];
	bool v1 = run->t.version == SNMP_V1;
	enum snmp_check_hc hc = v1 ? SC_HC_NO : run->mem ? run->mem->hc :
	    SC_HC_UNKNOWN;
	bool want[IFC_N] = { false };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		want[base[i]] = true;
	want[IFC_HIGHSPEED] = want[IFC_NAME] = !v1;
	want[IFC_DESCR] = v1 || run->p->ifindex > 0;
	want[IFC_HCIN] = want[IFC_HCOUT] = hc != SC_HC_NO;
	want[IFC_IN32] = want[IFC_OUT32] = hc != SC_HC_YES;
	if (run->ifcol != IFC_N)
		want[run->ifcol] = true;
	oids[n++] = SC_SYSUPTIME;
	for (int c = 0; c < IFC_N; c++) {
		if (!want[c])
			continue;
		snprintf(run->oidbuf[c], sizeof(run->oidbuf[c]), "%s.%ld",
		    snmp_check_ifcol_oid[c], run->ifindex);
		oids[n++] = run->oidbuf[c];
	}
	return snmp_get(run->sc->poller, &run->t, oids, n, sc_on_get, run,
	    &run->req, err, errlen);
}

static int
sc_send_walk(struct snmp_check_run *run, char *err, size_t errlen)
{
	run->nmatch = 0;
	return snmp_walk(run->sc->poller, &run->t,
	    snmp_check_ifcol_oid[sc_resolve_order[run->walk_step]], sc_on_row,
	    sc_on_walk, run, &run->req, err, errlen);
}

/* Resolve the interface name: walk the name columns from the first. The
 * cached ifIndex stays until a walk finds the name (sc_resolved). */
static int
sc_resolve(struct snmp_check_run *run, char *err, size_t errlen)
{
	run->ifindex = 0;
	run->ifcol = IFC_N;
	run->walk_step = 0;
	run->sc->c.resolves++;
	return sc_send_walk(run, err, errlen);
}

/* The first request of a run: the GET, or a walk when an interface name
 * has no ifIndex yet. */
static int
sc_run_first(struct snmp_check_run *run, char *err, size_t errlen)
{
	struct snmp_check_mem *m = run->mem;

	if (run->p->kind == SNMP_CHECK_GENERIC)
		return sc_send_get_snmp(run, err, errlen);
	if (run->p->ifindex > 0)
		run->ifindex = run->p->ifindex;
	else if (m != NULL && m->ifindex > 0) {
		run->ifindex = m->ifindex;
		run->ifcol = m->ifcol;
	}
	if (run->ifindex > 0)
		return sc_send_get_if(run, err, errlen);
	return sc_resolve(run, err, errlen);
}

static void
sc_on_row(const struct snmp_vb *vbs, size_t n, void *arg)
{
	struct snmp_check_run *run = arg;
	const char *root =
	    snmp_check_ifcol_oid[sc_resolve_order[run->walk_step]];
	size_t rlen = strlen(root), ilen;
	long idx;

	if (run->cancelled)
		return; /* the caller may have freed the params */
	ilen = strlen(run->p->iface);
	for (size_t i = 0; i < n && !run->cancelled; i++) {
		const struct snmp_vb *vb = &vbs[i];

		if (vb->type != SNMP_T_STRING || vb->len != ilen ||
		    memcmp(vb->bytes, run->p->iface, ilen) != 0 ||
		    strncmp(vb->oid, root, rlen) != 0 || vb->oid[rlen] != '.' ||
		    strnum_long(vb->oid + rlen + 1, 1, 2147483647L, &idx) != 0)
			continue;
		if (run->nmatch < 2)
			run->match[run->nmatch] = idx;
		run->nmatch++;
	}
}

/* A walk found exactly one ifIndex: keep it, forget samples of another. */
static void
sc_resolved(struct snmp_check_run *run)
{
	struct snmp_check_mem *m = run->mem;

	run->ifindex = run->match[0];
	run->ifcol = sc_resolve_order[run->walk_step];
	run->fresh = true;
	if (m == NULL)
		return;
	if (m->ifindex != run->ifindex)
		snmp_check_mem_reset(m, m->fingerprint);
	m->ifindex = run->ifindex;
	m->ifcol = run->ifcol;
}

/* The common start of a poller answer: a cancelled run is freed, a
 * failed request (walking column `walking`, or the GET) finishes it with
 * the poller's reason. True when the run is gone. */
static bool
sc_answer_failed(struct snmp_check_run *run, const struct snmp_result *res,
    const char *walking)
{
	char err[640];

	run->req = NULL;
	if (run->cancelled) {
		sc_run_free(run);
		return true;
	}
	if (res->status == SNMP_OK)
		return false;
	if (res->status == SNMP_ABORTED)
		snprintf(err, sizeof(err), "check aborted (%s)",
		    run->sc->closing ? "SNMP checks shut down" : res->error);
	else if (walking != NULL)
		snprintf(err, sizeof(err), "cannot resolve '%s' (walking %s): "
		    "%s", run->p->iface, walking, res->error);
	else
		snprintf(err, sizeof(err), "%s", res->error);
	sc_fail(run, err);
	return true;
}

static void
sc_on_walk(const struct snmp_result *res, void *arg)
{
	struct snmp_check_run *run = arg;
	char err[640];
	enum snmp_check_ifcol c = sc_resolve_order[run->walk_step];

	if (sc_answer_failed(run, res, snmp_check_ifcol_name[c]))
		return;
	if (run->nmatch > 1) {
		snprintf(err, sizeof(err), "'%s' is ambiguous: %s of ifIndex "
		    "%ld, %ld%s; give the ifIndex", run->p->iface,
		    snmp_check_ifcol_name[c], run->match[0], run->match[1],
		    run->nmatch > 2 ? " and more" : "");
		sc_fail(run, err);
		return;
	}
	if (run->nmatch == 1)
		sc_resolved(run);
	else if (++run->walk_step == sizeof(sc_resolve_order) /
	    sizeof(sc_resolve_order[0])) {
		snprintf(err, sizeof(err), "interface '%s' not found in "
		    "ifName, ifDescr or ifAlias", run->p->iface);
		sc_fail(run, err);
		return;
	}
	if ((run->nmatch == 1 ? sc_send_get_if(run, err, sizeof(err)) :
	    sc_send_walk(run, err, sizeof(err))) != 0)
		sc_fail(run, err);
}

/* snmp_if by name: does the cached ifIndex still carry the name? */
static bool
sc_name_matches(const struct snmp_check_run *run,
    const struct snmp_result *res)
{
	char oid[SNMP_CHECK_OID_LEN];
	const struct snmp_vb *vb;
	size_t ilen = strlen(run->p->iface);

	if (run->ifcol == IFC_N)
		return true;
	snprintf(oid, sizeof(oid), "%s.%ld", snmp_check_ifcol_oid[run->ifcol],
	    run->ifindex);
	vb = snmp_check_find_vb(res->vbs, res->nvbs, oid);
	return vb != NULL && vb->type == SNMP_T_STRING && vb->len == ilen &&
	    memcmp(vb->bytes, run->p->iface, ilen) == 0;
}

static void
sc_on_get(const struct snmp_result *res, void *arg)
{
	struct snmp_check_run *run = arg;
	struct check_result out;
	char err[640];

	if (sc_answer_failed(run, res, NULL))
		return;
	if (run->p->kind == SNMP_CHECK_IF && !sc_name_matches(run, res)) {
		if (run->fresh) {
			snprintf(err, sizeof(err), "'%s' moved while being "
			    "resolved (ifIndex %ld)", run->p->iface,
			    run->ifindex);
			sc_fail(run, err);
			return;
		}
		/* renumbered (or renamed): resolve again */
		if (sc_resolve(run, err, sizeof(err)) != 0)
			sc_fail(run, err);
		return;
	}
	memset(&out, 0, sizeof(out));
	if (run->p->kind == SNMP_CHECK_IF)
		snmp_check_eval_if(run->sc, run->p, run->mem, run->ifindex,
		    res->vbs, res->nvbs, loop_clock(), &out);
	else
		snmp_check_eval_snmp(run->sc, run->p, run->mem, res->vbs,
		    res->nvbs, loop_clock(), &out);
	sc_finish(run, &out);
}

int
snmp_check_start(struct snmp_checks *sc, const struct snmp_check_params *p,
    const struct snmp_target *t, const char *key, check_done_fn *done,
    void *arg, struct snmp_check_run **out, char *err, size_t errlen)
{
	struct snmp_check_run *run;
	int rc;

	if (sc->closing) {
		snprintf(err, errlen, "SNMP checks are shutting down");
		return -ECANCELED;
	}
	if (p == NULL || t == NULL || key == NULL || done == NULL ||
	    (p->kind != SNMP_CHECK_GENERIC && p->kind != SNMP_CHECK_IF)) {
		snprintf(err, errlen, "snmp check: missing params, target, key "
		    "or done callback");
		return -EINVAL;
	}
	run = sc_run_alloc(sc);
	if (run == NULL || (run->key = strdup(key)) == NULL) {
		free(run);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	run->sc = sc;
	run->p = p;
	run->t = *t;
	run->done = done;
	run->arg = arg;
	run->ifcol = IFC_N;
	run->start_ns = loop_clock();
	run->start_time = (int64_t)time(NULL);
	if (p->kind == SNMP_CHECK_IF || p->rate)
		run->mem = snmp_check_mem_get(sc, key, p);
	rc = sc_run_first(run, err, errlen);
	if (rc != 0) {
		free(run->key);
		free(run);
		return rc;
	}
	run->next = sc->runs;
	if (sc->runs != NULL)
		sc->runs->prev = run;
	sc->runs = run;
	sc->c.started++;
	if (out != NULL)
		*out = run;
	return 0;
}

void
snmp_check_cancel(struct snmp_checks *sc, struct snmp_check_run *run)
{
	if (run == NULL || run->cancelled)
		return;
	run->cancelled = true;
	sc->c.cancelled++;
	if (run->req != NULL)
		snmp_cancel(sc->poller, run->req); /* frees run via its done */
}

/* ---- the module ---- */

int
snmp_checks_new(struct loop *loop, struct snmp_poller *poller,
    struct snmp_checks **out)
{
	struct snmp_checks *sc = calloc(1, sizeof(*sc));

	*out = NULL;
	if (sc == NULL)
		return -ENOMEM;
	sc->loop = loop;
	sc->poller = poller;
	sc->mem_max = SNMP_CHECK_MEM_MAX;
	*out = sc;
	return 0;
}

void
snmp_checks_set_mem_max(struct snmp_checks *sc, size_t max)
{
	sc->mem_max = max > 0 ? max : SNMP_CHECK_MEM_MAX;
}

void
snmp_checks_counters(const struct snmp_checks *sc,
    struct snmp_check_counters *out)
{
	*out = sc->c;
}

void
snmp_checks_free(struct snmp_checks *sc)
{
	struct snmp_check_run *run;
	struct snmp_check_mem *m, *next;

	if (sc == NULL)
		return;
	sc->closing = true;
	while ((run = sc->runs) != NULL) {
		if (run->req != NULL)
			snmp_cancel(sc->poller, run->req); /* done, freed */
		else if (run->cancelled)
			sc_run_free(run);
		else
			sc_fail(run, "check aborted (SNMP checks shut down)");
	}
	for (size_t i = 0; i < sc->nbuckets; i++)
		for (m = sc->buckets[i]; m != NULL; m = next) {
			next = m->next;
			free(m->s);
			free(m);
		}
	free(sc->buckets);
	while ((run = sc->spare) != NULL) {
		sc->spare = run->next;
		free(run);
	}
	free(sc);
}
