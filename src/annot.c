/*
 * annot: comments, acknowledgements and scheduled downtimes (annot.h).
 * This file: the object table, the change list, comments, acks and the
 * restart rules; annot_dt.c: the downtimes; annot_int.h: what they share.
 *
 * Data:
 * - objects: a chained hash table of struct ann_obj keyed by (host,
 *   service), one per object that has (or just had) data. It owns the
 *   names, which every entry of the object borrows, and the ack, and keeps
 *   counts: depth (downtimes in effect), nflex (pending flexible downtimes
 *   without a trigger, so that annot_problem() is O(1) for objects without
 *   one) and nrefs (entries). Objects whose nrefs fell to 0 are freed in
 *   annot_changes_clear(), the one moment no change record points at their
 *   names.
 * - comments and downtimes: arrays of pointers sorted by id. A new id is
 *   the largest, so adding appends; restoring inserts after a bsearch;
 *   deleting one is a memmove; bulk deletes flag entries and compact the
 *   array in one pass.
 * Invariants: every id is below its next id; obj->depth counts the
 * object's ACTIVE downtimes and obj->nflex its PENDING flexible untriggered
 * ones; a downtime's trigger has a smaller id (it had to exist first), so
 * one pass in id order settles whole trigger chains.
 * Trade-off: annot_tick() and a starting annot_problem() scan every
 * downtime (O(n)). Downtimes are few and the scan is a tight loop; a heap
 * of due times would be a second index to keep in step.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "annot.h"
#include "annot_int.h"

/* ---- objects -------------------------------------------------------- */

static uint64_t
an_hash(const char *host, const char *service)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)host; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h = (h ^ (service == NULL ? 1u : 2u)) * 1099511628211ULL;
	for (p = (const unsigned char *)service; p != NULL && *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static bool
an_same(const struct ann_obj *o, const char *host, const char *service)
{
	if (strcmp(o->host, host) != 0)
		return false;
	if (o->service == NULL || service == NULL)
		return o->service == service;
	return strcmp(o->service, service) == 0;
}

struct ann_obj *
an_obj_find(const struct annot *a, const char *host, const char *service)
{
	struct ann_obj *o;
	uint64_t h;

	if (a->nbuckets == 0 || host == NULL)
		return NULL;
	h = an_hash(host, service);
	for (o = a->buckets[h & (a->nbuckets - 1)]; o != NULL; o = o->next)
		if (o->hash == h && an_same(o, host, service))
			return o;
	return NULL;
}

static int
an_rehash(struct annot *a)
{
	size_t n = a->nbuckets != 0 ? a->nbuckets * 2 : 64;
	struct ann_obj **b = calloc(n, sizeof(*b));

	if (b == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < a->nbuckets; i++) {
		struct ann_obj *o = a->buckets[i], *next;

		for (; o != NULL; o = next) {
			next = o->next;
			o->next = b[o->hash & (n - 1)];
			b[o->hash & (n - 1)] = o;
		}
	}
	free(a->buckets);
	a->buckets = b;
	a->nbuckets = n;
	return 0;
}

static void
an_obj_free(struct ann_obj *o)
{
	free(o->host);
	free(o->service);
	free(o->ack_author);
	free(o->ack_comment);
	free(o);
}

/* The object, created when missing. NULL: out of memory. */
struct ann_obj *
an_obj_get(struct annot *a, const char *host, const char *service)
{
	struct ann_obj *o = an_obj_find(a, host, service);
	size_t b;

	if (o != NULL)
		return o;
	if (a->nobjs >= a->nbuckets && an_rehash(a) != 0)
		return NULL;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->host = strdup(host);
	o->service = service != NULL ? strdup(service) : NULL;
	if (o->host == NULL || (service != NULL && o->service == NULL)) {
		an_obj_free(o);
		return NULL;
	}
	o->hash = an_hash(host, service);
	o->ack.host = o->host;
	o->ack.service = o->service;
	b = o->hash & (a->nbuckets - 1);
	o->next = a->buckets[b];
	a->buckets[b] = o;
	a->nobjs++;
	return o;
}

/* Free the objects nothing refers to any more. */
static void
an_obj_gc(struct annot *a)
{
	for (size_t i = 0; i < a->nbuckets; i++) {
		struct ann_obj **pp = &a->buckets[i];

		while (*pp != NULL) {
			struct ann_obj *o = *pp;

			if (o->nrefs != 0) {
				pp = &o->next;
				continue;
			}
			*pp = o->next;
			an_obj_free(o);
			a->nobjs--;
		}
	}
}

/* ---- change list ---------------------------------------------------- */

void
an_changed(struct annot *a, enum annot_change_kind kind, uint64_t id,
    const struct ann_obj *o)
{
	struct annot_change *c;

	if (a->chg_overflow)
		return;
	if (a->nchg >= a->max || a->nchg == a->chgcap) {
		size_t cap = a->chgcap != 0 ? a->chgcap * 2 : 64;

		c = a->nchg >= a->max ? NULL :
		    realloc(a->chg, cap * sizeof(*c));
		if (c == NULL) {
			free(a->chg);
			a->chg = NULL;
			a->nchg = a->chgcap = 0;
			a->chg_overflow = true;
			return;
		}
		a->chg = c;
		a->chgcap = cap;
	}
	c = &a->chg[a->nchg++];
	c->kind = kind;
	c->id = id;
	c->host = o->host;
	c->service = o->service;
}

const struct annot_change *
annot_changes(const struct annot *a, size_t *n, bool *overflow)
{
	*n = a->nchg;
	*overflow = a->chg_overflow;
	return a->chg;
}

void
annot_changes_clear(struct annot *a)
{
	a->nchg = 0;
	a->chg_overflow = false;
	an_obj_gc(a);
}

/* ---- life ----------------------------------------------------------- */

int
annot_new(size_t max_entries, struct annot **out)
{
	struct annot *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (a == NULL)
		return -ENOMEM;
	a->max = max_entries != 0 ? max_entries : ANNOT_MAX_DEFAULT;
	a->next_cid = a->next_did = 1;
	*out = a;
	return 0;
}

static void
an_cm_free(struct ann_comment *w)
{
	free(w->author);
	free(w->text);
	free(w);
}

void
annot_free(struct annot *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->ncm; i++)
		an_cm_free(a->cm[i]);
	for (size_t i = 0; i < a->ndt; i++)
		an_dt_free(a->dt[i]);
	for (size_t i = 0; i < a->nbuckets; i++) {
		struct ann_obj *o = a->buckets[i], *next;

		for (; o != NULL; o = next) {
			next = o->next;
			an_obj_free(o);
		}
	}
	free(a->buckets);
	free(a->cm);
	free(a->dt);
	free(a->chg);
	free(a);
}

/* ---- checks --------------------------------------------------------- */

static int
an_check_str(const char *what, const char *s, size_t max, bool empty_ok,
    char *err, size_t errlen)
{
	size_t n = s != NULL ? strnlen(s, max + 1) : 0;

	if (n == 0 && !empty_ok) {
		snprintf(err, errlen, "%s is empty", what);
		return -EINVAL;
	}
	if (n > max) {
		snprintf(err, errlen, "%s is longer than %zu bytes", what, max);
		return -EINVAL;
	}
	return 0;
}

int
an_check_obj(const char *host, const char *service, char *err, size_t errlen)
{
	int rc = an_check_str("the host name", host, ANNOT_NAME_MAX, false,
	    err, errlen);

	if (rc == 0 && service != NULL)
		rc = an_check_str("the service description", service,
		    ANNOT_NAME_MAX, false, err, errlen);
	return rc;
}

int
an_check_text(const char *author, const char *text, char *err, size_t errlen)
{
	int rc = an_check_str("the author", author, ANNOT_NAME_MAX, true, err,
	    errlen);

	if (rc == 0)
		rc = an_check_str("the comment", text, ANNOT_TEXT_MAX, true,
		    err, errlen);
	return rc;
}

int
an_check_time(const char *what, int64_t t, char *err, size_t errlen)
{
	if (t >= 0 && t <= ANNOT_TIME_MAX)
		return 0;
	snprintf(err, errlen, "%s %lld is out of range (0..%lld)", what,
	    (long long)t, (long long)ANNOT_TIME_MAX);
	return -EINVAL;
}

int
an_full(const char *what, size_t max, char *err, size_t errlen)
{
	snprintf(err, errlen, "too many %s (the limit is %zu)", what, max);
	return -ENOSPC;
}

char *
an_dup(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* ---- comments ------------------------------------------------------- */

static size_t
an_cm_lower(const struct annot *a, uint64_t id)
{
	size_t lo = 0, hi = a->ncm;

	if (hi != 0 && a->cm[hi - 1]->pub.id < id)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->cm[mid]->pub.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t
an_cm_index(const struct annot *a, uint64_t id)
{
	size_t i = an_cm_lower(a, id);

	return i < a->ncm && a->cm[i]->pub.id == id ? (ssize_t)i : -1;
}

static void
an_cm_remove(struct annot *a, size_t i)
{
	struct ann_comment *w = a->cm[i];

	an_changed(a, ANNOT_CHANGE_COMMENT, w->pub.id, w->obj);
	w->obj->nrefs--;
	an_cm_free(w);
	memmove(&a->cm[i], &a->cm[i + 1], (a->ncm - i - 1) * sizeof(*a->cm));
	a->ncm--;
}

/* Remove the comments flagged AN_REAP. Returns how many. */
size_t
an_cm_reap(struct annot *a)
{
	size_t j = 0, n = 0;

	for (size_t i = 0; i < a->ncm; i++) {
		struct ann_comment *w = a->cm[i];

		if (w->flag != AN_REAP) {
			a->cm[j++] = w;
			continue;
		}
		an_changed(a, ANNOT_CHANGE_COMMENT, w->pub.id, w->obj);
		w->obj->nrefs--;
		an_cm_free(w);
		n++;
	}
	a->ncm = j;
	return n;
}

static int
an_cm_check(const struct annot_comment *c, char *err, size_t errlen)
{
	int rc = an_check_obj(c->host, c->service, err, errlen);

	if (rc == 0)
		rc = an_check_text(c->author, c->text, err, errlen);
	if (rc == 0)
		rc = an_check_time("the entry time", c->entry_time, err,
		    errlen);
	if (rc == 0 && (c->type < ANNOT_COMMENT_USER ||
	    c->type > ANNOT_COMMENT_ACK)) {
		snprintf(err, errlen, "comment type %d is not 1-4",
		    (int)c->type);
		rc = -EINVAL;
	}
	return rc;
}

/* Insert c with its id (replacing an entry with that id). */
static int
an_cm_put(struct annot *a, const struct annot_comment *c, char *err,
    size_t errlen)
{
	struct ann_comment *w;
	ssize_t old = an_cm_index(a, c->id);
	size_t i;

	if (old < 0 && a->ncm >= a->max)
		return an_full("comments", a->max, err, errlen);
	if (a->ncm == a->cmcap) {
		size_t cap = a->cmcap != 0 ? a->cmcap * 2 : 16;
		struct ann_comment **v = realloc(a->cm, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		a->cm = v;
		a->cmcap = cap;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -ENOMEM;
	w->obj = an_obj_get(a, c->host, c->service);
	w->author = an_dup(c->author);
	w->text = an_dup(c->text);
	if (w->obj == NULL || w->author == NULL || w->text == NULL) {
		an_cm_free(w);
		return -ENOMEM;
	}
	w->pub = *c;
	w->pub.host = w->obj->host;
	w->pub.service = w->obj->service;
	w->pub.author = w->author;
	w->pub.text = w->text;
	if (old >= 0)
		an_cm_remove(a, (size_t)old);
	i = an_cm_lower(a, c->id);
	memmove(&a->cm[i + 1], &a->cm[i], (a->ncm - i) * sizeof(*a->cm));
	a->cm[i] = w;
	a->ncm++;
	w->obj->nrefs++;
	if (c->id >= a->next_cid)
		a->next_cid = c->id + 1;
	an_changed(a, ANNOT_CHANGE_COMMENT, c->id, w->obj);
	return 0;
}

int
annot_comment_add(struct annot *a, const struct annot_comment *c,
    uint64_t *id, char *err, size_t errlen)
{
	struct annot_comment in = *c;
	int rc = an_cm_check(c, err, errlen);

	in.id = a->next_cid;
	if (rc == 0)
		rc = an_cm_put(a, &in, err, errlen);
	if (rc == 0 && id != NULL)
		*id = in.id;
	return rc;
}

int
annot_comment_restore(struct annot *a, const struct annot_comment *c,
    char *err, size_t errlen)
{
	int rc = an_cm_check(c, err, errlen);

	if (rc == 0 && c->id == 0) {
		snprintf(err, errlen, "comment id 0 is not valid");
		rc = -EINVAL;
	}
	return rc != 0 ? rc : an_cm_put(a, c, err, errlen);
}

const struct annot_comment *
annot_comment_find(const struct annot *a, uint64_t id)
{
	ssize_t i = an_cm_index(a, id);

	return i >= 0 ? &a->cm[i]->pub : NULL;
}

int
annot_comment_delete(struct annot *a, uint64_t id)
{
	ssize_t i = an_cm_index(a, id);

	if (i < 0)
		return -ENOENT;
	an_cm_remove(a, (size_t)i);
	return 0;
}

size_t
annot_comment_delete_all(struct annot *a, const char *host,
    const char *service, int type)
{
	struct ann_obj *o = an_obj_find(a, host, service);

	if (o == NULL)
		return 0;
	for (size_t i = 0; i < a->ncm; i++)
		if (a->cm[i]->obj == o &&
		    (type == 0 || (int)a->cm[i]->pub.type == type))
			a->cm[i]->flag = AN_REAP;
	return an_cm_reap(a);
}

size_t
annot_comment_count(const struct annot *a)
{
	return a->ncm;
}

const struct annot_comment *
annot_comment_at(const struct annot *a, size_t i)
{
	return i < a->ncm ? &a->cm[i]->pub : NULL;
}

/* ---- acknowledgements ----------------------------------------------- */

static int
an_ack_check(const struct annot_ack *k, char *err, size_t errlen)
{
	int rc = an_check_obj(k->host, k->service, err, errlen);

	if (rc == 0)
		rc = an_check_text(k->author, k->comment, err, errlen);
	if (rc == 0)
		rc = an_check_time("the entry time", k->entry_time, err,
		    errlen);
	if (rc == 0 && k->type != ANNOT_ACK_NORMAL &&
	    k->type != ANNOT_ACK_STICKY) {
		snprintf(err, errlen, "acknowledgement type %d is not 1 "
		    "(normal) or 2 (sticky)", (int)k->type);
		rc = -EINVAL;
	}
	return rc;
}

static int
an_ack_put(struct annot *a, const struct annot_ack *k)
{
	struct ann_obj *o = an_obj_get(a, k->host, k->service);
	char *author = an_dup(k->author), *comment = an_dup(k->comment);

	if (o == NULL || author == NULL || comment == NULL) {
		free(author);
		free(comment);
		return -ENOMEM;
	}
	if (o->ack.type == ANNOT_ACK_NONE)
		o->nrefs++;
	free(o->ack_author);
	free(o->ack_comment);
	o->ack = *k;
	o->ack.host = o->host;
	o->ack.service = o->service;
	o->ack.author = o->ack_author = author;
	o->ack.comment = o->ack_comment = comment;
	an_changed(a, ANNOT_CHANGE_ACK, 0, o);
	return 0;
}

int
annot_ack_set(struct annot *a, const struct annot_ack *ack, char *err,
    size_t errlen)
{
	struct annot_comment c = { 0 };
	struct annot_ack k = *ack;
	int rc = an_ack_check(ack, err, errlen);

	if (rc == 0 && ack->state == 0) {
		snprintf(err, errlen, "%s%s%s is %s: there is no problem to "
		    "acknowledge", ack->host, ack->service != NULL ? ";" : "",
		    ack->service != NULL ? ack->service : "",
		    ack->service != NULL ? "OK" : "UP");
		rc = -EINVAL;
	}
	if (rc != 0)
		return rc;
	c.host = ack->host;
	c.service = ack->service;
	c.entry_time = ack->entry_time;
	c.author = ack->author;
	c.text = ack->comment;
	c.persistent = ack->persistent;
	c.type = ANNOT_COMMENT_ACK;
	if ((rc = annot_comment_add(a, &c, &k.comment_id, err, errlen)) != 0)
		return rc;
	if ((rc = an_ack_put(a, &k)) != 0)
		(void)annot_comment_delete(a, k.comment_id);
	return rc;
}

int
annot_ack_restore(struct annot *a, const struct annot_ack *ack, char *err,
    size_t errlen)
{
	int rc = an_ack_check(ack, err, errlen);

	return rc != 0 ? rc : an_ack_put(a, ack);
}

const struct annot_ack *
annot_ack_get(const struct annot *a, const char *host, const char *service)
{
	const struct ann_obj *o = an_obj_find(a, host, service);

	return o != NULL && o->ack.type != ANNOT_ACK_NONE ? &o->ack : NULL;
}

/* End o's ack: drop it and its non-persistent ACK comments. */
static void
an_ack_end(struct annot *a, struct ann_obj *o)
{
	for (size_t i = 0; i < a->ncm; i++) {
		const struct ann_comment *w = a->cm[i];

		if (w->obj == o && w->pub.type == ANNOT_COMMENT_ACK &&
		    !w->pub.persistent)
			a->cm[i]->flag = AN_REAP;
	}
	(void)an_cm_reap(a);
	free(o->ack_author);
	free(o->ack_comment);
	o->ack_author = o->ack_comment = NULL;
	memset(&o->ack, 0, sizeof(o->ack));
	o->ack.host = o->host;
	o->ack.service = o->service;
	o->nrefs--;
	an_changed(a, ANNOT_CHANGE_ACK, 0, o);
}

int
annot_ack_remove(struct annot *a, const char *host, const char *service)
{
	struct ann_obj *o = an_obj_find(a, host, service);

	if (o == NULL || o->ack.type == ANNOT_ACK_NONE)
		return -ENOENT;
	an_ack_end(a, o);
	return 0;
}

int
annot_state_change(struct annot *a, const char *host, const char *service,
    int new_state, bool ok)
{
	struct ann_obj *o = an_obj_find(a, host, service);

	if (o == NULL || o->ack.type == ANNOT_ACK_NONE ||
	    new_state == o->ack.state)
		return 0;
	if (o->ack.type == ANNOT_ACK_NORMAL || ok) {
		an_ack_end(a, o);
		return 1;
	}
	o->ack.state = new_state; /* sticky: follows the problem */
	an_changed(a, ANNOT_CHANGE_ACK, 0, o);
	return 0;
}

int
annot_ack_foreach(const struct annot *a,
    int (*fn)(void *arg, const struct annot_ack *ack), void *arg)
{
	for (size_t i = 0; i < a->nbuckets; i++) {
		for (const struct ann_obj *o = a->buckets[i]; o != NULL;
		    o = o->next) {
			int rc = o->ack.type != ANNOT_ACK_NONE ?
			    fn(arg, &o->ack) : 0;

			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* ---- ids and restarts ----------------------------------------------- */

void
annot_next_ids(const struct annot *a, uint64_t *comment, uint64_t *downtime)
{
	*comment = a->next_cid;
	*downtime = a->next_did;
}

void
annot_set_next_ids(struct annot *a, uint64_t comment, uint64_t downtime)
{
	if (comment > a->next_cid)
		a->next_cid = comment;
	if (downtime > a->next_did)
		a->next_did = downtime;
}

size_t
annot_drop_volatile(struct annot *a)
{
	for (size_t i = 0; i < a->ndt; i++) {
		ssize_t c = an_cm_index(a, a->dt[i]->pub.comment_id);

		if (c >= 0)
			a->cm[c]->flag = AN_LIVE; /* its downtime lives */
	}
	for (size_t i = 0; i < a->ncm; i++) {
		struct ann_comment *w = a->cm[i];
		bool live = w->flag == AN_LIVE;

		w->flag = AN_KEEP;
		if ((w->pub.type == ANNOT_COMMENT_USER && !w->pub.persistent) ||
		    (w->pub.type == ANNOT_COMMENT_ACK && !w->pub.persistent &&
		    w->obj->ack.type == ANNOT_ACK_NONE) ||
		    (w->pub.type == ANNOT_COMMENT_DOWNTIME && !live))
			w->flag = AN_REAP;
	}
	return an_cm_reap(a);
}

size_t
annot_prune(struct annot *a,
    bool (*exists)(void *arg, const char *host, const char *service),
    void *arg)
{
	size_t n = 0;
	uint64_t walk = ++a->walk;

	for (size_t i = 0; i < a->nbuckets; i++)
		for (struct ann_obj *o = a->buckets[i]; o != NULL; o = o->next)
			if (!exists(arg, o->host, o->service))
				o->mark = walk;
	for (size_t i = 0; i < a->ncm; i++)
		if (a->cm[i]->obj->mark == walk)
			a->cm[i]->flag = AN_REAP;
	n += an_cm_reap(a);
	for (size_t i = 0; i < a->ndt; i++)
		if (a->dt[i]->obj->mark == walk)
			a->dt[i]->flag = AN_REAP;
	n += an_dt_reap(a);
	for (size_t i = 0; i < a->nbuckets; i++) {
		for (struct ann_obj *o = a->buckets[i]; o != NULL; o = o->next) {
			if (o->mark == walk && o->ack.type != ANNOT_ACK_NONE) {
				an_ack_end(a, o);
				n++;
			}
		}
	}
	return n;
}

