/*
 * discover: one discovery's requests on the poller.
 *
 * A struct discover goes through three steps, each a batch of requests
 * sent at once (the poller runs them one at a time per agent):
 *   DC_SYS    one GET of sysObjectID, sysName, sysDescr;
 *   DC_PROBE  one GETNEXT per distinct require_oid of the entries whose
 *             sysobjectid matches: a walk with one repetition, cancelled
 *             at its first row (found) or ending empty (absent);
 *   DC_WALK   one walk per distinct column the chosen tables need, each
 *             capped at the largest max_rows of those tables.
 * Then dc_build (discover_rows.c) makes the services.
 *
 * Invariants: d->pending counts requests whose done has not run; a step
 * ends when it reaches 0 outside any cancel loop (d->cancelling > 0 while
 * we cancel our own requests, whose done callbacks then run inside the
 * loop). The first failure is kept, every other request is cancelled, and
 * the result carries no services. dc_finish runs once and frees d.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "discover.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "discover_int.h"
#include "snmp.h"

#define DC_SYSOBJECTID ".1.3.6.1.2.1.1.2.0"
#define DC_SYSNAME ".1.3.6.1.2.1.1.5.0"
#define DC_SYSDESCR ".1.3.6.1.2.1.1.1.0"

/* IF-MIB columns of the interface list (a standard MIB, not a device). */
static const char *const dc_if_columns[] = {
	".1.3.6.1.2.1.2.2.1.2",      /* ifDescr */
	".1.3.6.1.2.1.2.2.1.3",      /* ifType */
	".1.3.6.1.2.1.2.2.1.7",      /* ifAdminStatus */
	".1.3.6.1.2.1.2.2.1.8",      /* ifOperStatus */
	".1.3.6.1.2.1.31.1.1.1.1",   /* ifName */
	".1.3.6.1.2.1.31.1.1.1.18",  /* ifAlias */
};

enum dc_step { DC_SYS, DC_PROBE, DC_WALK };

struct dc_probe {
	char oid[PROFILE_OID_MAX];
	bool found;
	struct discover *d;
	struct snmp_req *req;
};

struct discover {
	struct snmp_poller *p;
	struct snmp_target t;
	const struct profile *prof;
	discover_done_fn *done;
	void *arg;
	enum dc_step step;
	size_t pending;
	int cancelling;          /* depth of dc_cancel_all */
	bool failed;
	enum discover_status fail_status;
	char error[512];
	struct snmp_req *sysreq;
	struct dc_probe *probes;
	size_t nprobes;
	bool *active;            /* per profile entry */
	struct dc_columns cols;
	struct discover_result *res;
};

static void dc_advance(struct discover *d);

static void
dc_cancel_all(struct discover *d)
{
	d->cancelling++;
	if (d->sysreq != NULL)
		snmp_cancel(d->p, d->sysreq);
	for (size_t i = 0; i < d->nprobes; i++)
		if (d->probes[i].req != NULL)
			snmp_cancel(d->p, d->probes[i].req);
	for (size_t i = 0; i < d->cols.n; i++)
		if (d->cols.v[i].req != NULL)
			snmp_cancel(d->p, d->cols.v[i].req);
	d->cancelling--;
}

/* Keep the first failure and stop everything else. */
static void __attribute__((format(printf, 3, 4)))
dc_fail(struct discover *d, enum discover_status st, const char *fmt, ...)
{
	va_list ap;

	if (d->failed)
		return;
	d->failed = true;
	d->fail_status = st;
	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	dc_cancel_all(d);
}

static enum discover_status
dc_status(enum snmp_status st)
{
	return st == SNMP_TIMEOUT ? DISCOVER_TIMEOUT :
	    st == SNMP_ABORTED ? DISCOVER_ABORTED : DISCOVER_ERROR;
}

static void
dc_free(struct discover *d)
{
	dc_columns_free(&d->cols);
	free(d->probes);
	free(d->active);
	discover_result_free(d->res);
	free(d);
}

static void
dc_finish(struct discover *d)
{
	struct discover_result *r = d->res;

	d->res = NULL;
	if (d->failed) {
		dc_result_clear(r);
		r->status = d->fail_status;
		snprintf(r->error, sizeof(r->error), "%s", d->error);
	}
	r->time = (int64_t)time(NULL);
	d->done(r, d->arg);
	dc_free(d);
}

/* A string varbind into dst, cleaned; "" for anything else. */
static void
dc_vb_text(char *dst, size_t len, const struct snmp_vb *vb)
{
	dst[0] = '\0';
	if (vb->type == SNMP_T_STRING || vb->type == SNMP_T_OID)
		dc_clean_text(dst, len, (const char *)vb->bytes, vb->len);
}

static void
dc_sys_done(const struct snmp_result *res, void *arg)
{
	struct discover *d = arg;
	struct discover_result *r = d->res;

	d->sysreq = NULL;
	d->pending--;
	if (res->status != SNMP_OK) {
		dc_fail(d, dc_status(res->status), "system group: %s",
		    res->error);
	} else if (res->nvbs == 3) {
		dc_vb_text(r->sys_object_id, sizeof(r->sys_object_id),
		    &res->vbs[0]);
		dc_vb_text(r->sys_name, sizeof(r->sys_name), &res->vbs[1]);
		dc_vb_text(r->sys_descr, sizeof(r->sys_descr), &res->vbs[2]);
	}
	dc_advance(d);
}

/* sysObjectID starts with one of the entry's prefixes (at an arc). */
static bool
dc_sysoid_match(const struct profile_entry *e, const char *sysoid)
{
	if (e->nsysobjectid == 0)
		return true;
	for (size_t i = 0; i < e->nsysobjectid; i++) {
		size_t n = strlen(e->sysobjectid[i]);

		if (strncmp(sysoid, e->sysobjectid[i], n) == 0 &&
		    (sysoid[n] == '\0' || sysoid[n] == '.'))
			return true;
	}
	return false;
}

static void
dc_probe_each(const struct snmp_vb *vbs, size_t n, void *arg)
{
	struct dc_probe *pr = arg;

	(void)vbs;
	if (n > 0 && !pr->found) {
		pr->found = true;
		snmp_cancel(pr->d->p, pr->req); /* done comes after we return */
	}
}

static void
dc_probe_done(const struct snmp_result *res, void *arg)
{
	struct dc_probe *pr = arg;
	struct discover *d = pr->d;

	pr->req = NULL;
	d->pending--;
	if (res->status != SNMP_OK && !(res->status == SNMP_ABORTED &&
	    pr->found))
		dc_fail(d, dc_status(res->status), "require_oid %s: %s",
		    pr->oid, res->error);
	dc_advance(d);
}

static struct dc_probe *
dc_probe_find(struct discover *d, const char *oid)
{
	for (size_t i = 0; i < d->nprobes; i++)
		if (strcmp(d->probes[i].oid, oid) == 0)
			return &d->probes[i];
	return NULL;
}

static int
dc_send_walk(struct discover *d, const char *oid, snmp_each_fn *each,
    snmp_done_fn *done, void *arg, struct snmp_req **req, int reps)
{
	struct snmp_target t = d->t;
	char err[256];
	int rc;

	if (reps > 0)
		t.bulk_reps = reps;
	rc = snmp_walk(d->p, &t, oid, each, done, arg, req, err, sizeof(err));
	if (rc != 0) {
		dc_fail(d, DISCOVER_ERROR, "walk %s: %s", oid, rc == -EINVAL ?
		    err : strerror(-rc));
		return rc;
	}
	d->pending++;
	return 0;
}

/* Step 2: the require_oids of the entries whose sysObjectID matches. */
static void
dc_start_probes(struct discover *d)
{
	const struct profile *prof = d->prof;
	size_t max = 0;

	d->step = DC_PROBE;
	for (size_t i = 0; i < prof->nentries; i++)
		max += prof->entries[i].nrequire_oid;
	d->probes = calloc(max == 0 ? 1 : max, sizeof(*d->probes));
	if (d->probes == NULL) {
		dc_fail(d, DISCOVER_ERROR, "out of memory");
		return;
	}
	for (size_t i = 0; i < prof->nentries; i++) {
		const struct profile_entry *e = &prof->entries[i];

		if (!dc_sysoid_match(e, d->res->sys_object_id))
			continue;
		for (size_t k = 0; k < e->nrequire_oid; k++) {
			struct dc_probe *pr;

			if (dc_probe_find(d, e->require_oid[k]) != NULL)
				continue;
			pr = &d->probes[d->nprobes++];
			snprintf(pr->oid, sizeof(pr->oid), "%s",
			    e->require_oid[k]);
			pr->d = d;
			if (dc_send_walk(d, pr->oid, dc_probe_each,
			    dc_probe_done, pr, &pr->req, 1) != 0)
				return;
		}
	}
}

static bool
dc_entry_holds(struct discover *d, const struct profile_entry *e)
{
	if (!dc_sysoid_match(e, d->res->sys_object_id))
		return false;
	for (size_t k = 0; k < e->nrequire_oid; k++) {
		struct dc_probe *pr = dc_probe_find(d, e->require_oid[k]);

		if (pr == NULL || !pr->found)
			return false;
	}
	return true;
}

/* Which entries apply: conditions hold, first of its choice. */
static int
dc_choose(struct discover *d)
{
	const struct profile *prof = d->prof;

	d->active = calloc(prof->nentries + 1, sizeof(*d->active));
	if (d->active == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < prof->nentries; i++) {
		const struct profile_entry *e = &prof->entries[i];
		bool taken = false;

		for (size_t k = 0; k < i && e->choice[0] != '\0'; k++)
			taken |= d->active[k] &&
			    strcmp(prof->entries[k].choice, e->choice) == 0;
		d->active[i] = !taken && dc_entry_holds(d, e);
	}
	return 0;
}

static int
dc_need_column(struct discover *d, const char *oid,
    const struct profile_entry *e)
{
	struct dc_column *c = dc_columns_find(&d->cols, oid);

	if (oid[0] == '\0')
		return 0;
	if (c == NULL) {
		c = &d->cols.v[d->cols.n++];
		snprintf(c->oid, sizeof(c->oid), "%s", oid);
		c->oidlen = strlen(c->oid);
		c->d = d;
	}
	if (e->max_rows > c->max_rows) {
		c->max_rows = e->max_rows;
		c->table = e->name;
	}
	return 0;
}

/* The distinct columns of the active tables, in first-use order. */
static int
dc_plan_columns(struct discover *d)
{
	const struct profile *prof = d->prof;
	size_t max = 0;

	for (size_t i = 0; i < prof->nentries; i++)
		max += 3 + PROFILE_LIST_MAX + PROFILE_FILTERS_MAX + 6;
	d->cols.v = calloc(max + 1, sizeof(*d->cols.v));
	if (d->cols.v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < prof->nentries; i++) {
		const struct profile_entry *e = &prof->entries[i];

		if (!d->active[i] || e->kind != PROFILE_TABLE)
			continue;
		dc_need_column(d, e->walk, e);
		for (size_t k = 0; k < e->nname_oid; k++)
			dc_need_column(d, e->name_oid[k], e);
		for (size_t k = 0; k < e->nfilters; k++)
			dc_need_column(d, e->filters[k].oid, e);
		dc_need_column(d, e->scale_oid, e);
		dc_need_column(d, e->precision_oid, e);
		for (size_t k = 0; e->interfaces && k < 6; k++)
			dc_need_column(d, dc_if_columns[k], e);
	}
	return 0;
}

static int
dc_cell_add(struct dc_column *c, const struct snmp_vb *vb)
{
	struct dc_cell *cell;
	char num[32];

	if (c->n == c->cap) {
		size_t ncap = c->cap == 0 ? 64 : c->cap * 2;
		struct dc_cell *n = realloc(c->cells, ncap * sizeof(*n));

		if (n == NULL)
			return -ENOMEM;
		c->cells = n;
		c->cap = ncap;
	}
	cell = &c->cells[c->n];
	memset(cell, 0, sizeof(*cell));
	cell->type = vb->type;
	cell->suffix = strdup(vb->oid + c->oidlen + 1);
	if (vb->type == SNMP_T_INTEGER || vb->type == SNMP_T_COUNTER32 ||
	    vb->type == SNMP_T_GAUGE32 || vb->type == SNMP_T_TIMETICKS ||
	    vb->type == SNMP_T_COUNTER64) {
		cell->numeric = true;
		cell->i = vb->type == SNMP_T_INTEGER ? vb->i :
		    vb->u > INT64_MAX ? INT64_MAX : (int64_t)vb->u;
		cell->len = (size_t)snprintf(num, sizeof(num), "%lld",
		    (long long)cell->i);
		cell->value = strdup(num);
	} else if (vb->type == SNMP_T_IPADDRESS && vb->len == 4) {
		cell->len = (size_t)snprintf(num, sizeof(num), "%u.%u.%u.%u",
		    vb->bytes[0], vb->bytes[1], vb->bytes[2], vb->bytes[3]);
		cell->value = strdup(num);
	} else {
		cell->len = vb->len < DISCOVER_STR_MAX ? vb->len :
		    DISCOVER_STR_MAX - 1;
		cell->value = calloc(1, cell->len + 1);
		if (cell->value != NULL && cell->len > 0)
			memcpy(cell->value, vb->bytes, cell->len);
	}
	if (cell->suffix == NULL || cell->value == NULL) {
		free(cell->suffix);
		free(cell->value);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

static void
dc_walk_each(const struct snmp_vb *vbs, size_t n, void *arg)
{
	struct dc_column *c = arg;
	struct discover *d = c->d;

	for (size_t i = 0; i < n && !d->failed; i++) {
		if (strlen(vbs[i].oid) <= c->oidlen + 1)
			continue;
		if (c->n >= c->max_rows) {
			dc_fail(d, DISCOVER_ERROR, "table %s: more than %u "
			    "rows under %s (max_rows)", c->table,
			    c->max_rows, c->oid);
			return;
		}
		if (dc_cell_add(c, &vbs[i]) != 0)
			dc_fail(d, DISCOVER_ERROR, "out of memory");
	}
}

static void
dc_walk_done(const struct snmp_result *res, void *arg)
{
	struct dc_column *c = arg;
	struct discover *d = c->d;

	c->req = NULL;
	d->pending--;
	if (res->status != SNMP_OK)
		dc_fail(d, dc_status(res->status), "walk %s (table %s): %s",
		    c->oid, c->table, res->error);
	else if (dc_column_index(c) != 0)
		dc_fail(d, DISCOVER_ERROR, "out of memory");
	dc_advance(d);
}

/* Step 3: choose the entries, walk their columns. */
static void
dc_start_walks(struct discover *d)
{
	d->step = DC_WALK;
	if (dc_choose(d) != 0 || dc_plan_columns(d) != 0) {
		dc_fail(d, DISCOVER_ERROR, "out of memory");
		return;
	}
	for (size_t i = 0; i < d->cols.n; i++) {
		struct dc_column *c = &d->cols.v[i];

		if (dc_send_walk(d, c->oid, dc_walk_each, dc_walk_done, c,
		    &c->req, 0) != 0)
			return;
	}
}

/* Called after every done: move to the next step when this one ended. */
static void
dc_advance(struct discover *d)
{
	enum dc_step before;

	while (d->pending == 0 && d->cancelling == 0) {
		if (d->failed) {
			dc_finish(d);
			return;
		}
		before = d->step;
		if (d->step == DC_SYS) {
			dc_start_probes(d);
		} else if (d->step == DC_PROBE) {
			dc_start_walks(d);
		} else {
			char err[256];

			if (dc_build(d->prof, d->active, &d->cols, d->res, err,
			    sizeof(err)) != 0)
				dc_fail(d, DISCOVER_ERROR, "%s", err);
			dc_finish(d);
			return;
		}
		if (d->step == before && !d->failed)
			return; /* cannot happen: each start moves on */
	}
}

int
discover_start(struct snmp_poller *p, const struct snmp_target *t,
    const struct profile *prof, discover_done_fn *done, void *arg,
    struct discover **out, char *err, size_t errlen)
{
	static const char *const oids[] = { DC_SYSOBJECTID, DC_SYSNAME,
		DC_SYSDESCR };
	struct discover *d;
	int rc;

	if (p == NULL || t == NULL || prof == NULL || done == NULL) {
		snprintf(err, errlen, "discover_start: missing argument");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL || (d->res = calloc(1, sizeof(*d->res))) == NULL) {
		free(d);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	d->p = p;
	d->t = *t;
	d->prof = prof;
	d->done = done;
	d->arg = arg;
	snprintf(d->res->profile, sizeof(d->res->profile), "%s", prof->name);
	rc = snmp_get(p, &d->t, oids, 3, dc_sys_done, d, &d->sysreq, err,
	    errlen);
	if (rc != 0) {
		dc_free(d);
		return rc;
	}
	d->pending = 1;
	if (out != NULL)
		*out = d;
	return 0;
}

void
discover_cancel(struct discover *d)
{
	if (d == NULL)
		return;
	dc_fail(d, DISCOVER_ABORTED, "discovery cancelled");
	dc_advance(d);
}
