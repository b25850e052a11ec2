/*
 * retention_journal: PATH.journal, the annot changes made since the file
 * was last written (retention.h, docs/retention.md).
 *
 * JSON lines. The first is a header, {"pharos_journal":1,"generation":G},
 * G being the generation of the file the journal follows. Then batches,
 * one per retention_sync(): one line per changed entry giving its state at
 * that sync ({"comment":{...}}, {"downtime":{...}}, {"ack":{...}}) or its
 * deletion ({"comment_deleted":id}, {"downtime_deleted":id},
 * {"ack_deleted":{names}}), and a commit line, {"commit":{next ids}}.
 * Every record is a whole state, so replaying one twice is harmless.
 *
 * Crash safety: a batch is one pwrite and one fdatasync; a crash can only
 * leave a torn tail. Replay applies only committed batches and ignores what
 * follows the last commit; the first sync after a load cuts that tail off
 * before appending. A full save bumps the generation and removes the
 * journal; a journal that outlived a crash between the two has the old
 * generation, so it is ignored (its content is in the file).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "retention_int.h"

#define RT_JOURNAL_VERSION 1

struct rt_rec {
	json_t *j;
	size_t line;
};

struct rt_replay {
	struct rt_rec *v;
	size_t n, cap;
	size_t batches;
};

/* ---- replay --------------------------------------------------------- */

static int
rt_replay_id(json_t *v, uint64_t *id, struct rt_ctx *c)
{
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return rt_fail(c, "a deleted id must be an integer above 0");
	*id = (uint64_t)json_integer_value(v);
	return 0;
}

static int
rt_replay_one(json_t *rec, struct annot *a, struct rt_ctx *c)
{
	void *it = json_object_iter(rec);
	const char *key = it != NULL ? json_object_iter_key(it) : "";
	json_t *v = it != NULL ? json_object_iter_value(it) : NULL;
	const char *host, *service;
	uint64_t id = 0;
	int rc;

	if (strcmp(key, "comment") == 0)
		return rt_comment_restore(v, a, c);
	if (strcmp(key, "downtime") == 0)
		return rt_downtime_restore(v, a, c);
	if (strcmp(key, "ack") == 0)
		return rt_ack_restore(v, a, c);
	if (strcmp(key, "comment_deleted") == 0) {
		if ((rc = rt_replay_id(v, &id, c)) == 0)
			(void)annot_comment_delete(a, id);
		return rc;
	}
	if (strcmp(key, "downtime_deleted") == 0) {
		if ((rc = rt_replay_id(v, &id, c)) == 0)
			(void)annot_downtime_delete(a, id, NULL);
		return rc;
	}
	if (strcmp(key, "ack_deleted") == 0) {
		if ((rc = rt_names_parse(v, &host, &service, c)) == 0)
			(void)annot_ack_remove(a, host, service);
		return rc;
	}
	return rt_fail(c, "not a journal record");
}

/* Apply the batch held in p, ended by the commit record commit. */
static int
rt_replay_commit(struct rt_replay *p, json_t *commit, struct annot *a,
    struct rt_ctx *c)
{
	json_t *nc = json_object_get(commit, "next_comment_id");
	json_t *nd = json_object_get(commit, "next_downtime_id");
	int rc = 0;

	if (!json_is_integer(nc) || !json_is_integer(nd) ||
	    json_integer_value(nc) < 1 || json_integer_value(nd) < 1)
		return rt_fail(c, "a commit needs next_comment_id and "
		    "next_downtime_id");
	for (size_t i = 0; rc == 0 && i < p->n; i++) {
		snprintf(c->where, sizeof(c->where), "line %zu", p->v[i].line);
		rc = rt_replay_one(p->v[i].j, a, c);
	}
	for (size_t i = 0; i < p->n; i++)
		json_decref(p->v[i].j);
	p->n = 0;
	if (rc == 0) {
		annot_set_next_ids(a, (uint64_t)json_integer_value(nc),
		    (uint64_t)json_integer_value(nd));
		p->batches++;
	}
	return rc;
}

/* One complete line (number line): hold a record, or apply the batch at a
 * commit (*committed set). */
static int
rt_replay_line(struct rt_replay *p, const char *s, size_t len, size_t line,
    struct annot *a, struct rt_ctx *c, bool *committed)
{
	json_error_t je;
	json_t *j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je), *commit;
	struct rt_rec *v;

	snprintf(c->where, sizeof(c->where), "line %zu", line);
	*committed = false;
	if (j == NULL)
		return rt_fail(c, "column %d: %s", je.column, je.text);
	if (!json_is_object(j) || json_object_size(j) != 1) {
		json_decref(j);
		return rt_fail(c, "not a journal record");
	}
	if ((commit = json_object_get(j, "commit")) != NULL) {
		int rc = rt_replay_commit(p, commit, a, c);

		json_decref(j);
		*committed = rc == 0;
		return rc;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap != 0 ? p->cap * 2 : 16;

		if ((v = realloc(p->v, cap * sizeof(*v))) == NULL) {
			json_decref(j);
			return -ENOMEM;
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].j = j;
	p->v[p->n++].line = line;
	return 0;
}

/* Check the header line; *gen_out gets its generation. */
static int
rt_replay_header(const char *s, size_t len, uint64_t *gen_out,
    struct rt_ctx *c)
{
	json_error_t je;
	json_t *j = json_loadb(s, len, 0, &je);
	json_t *ver = json_object_get(j, "pharos_journal");
	json_t *gen = json_object_get(j, "generation");
	int rc = 0;

	snprintf(c->where, sizeof(c->where), "line 1");
	if (!json_is_integer(ver) || !json_is_integer(gen) ||
	    json_integer_value(gen) < 0)
		rc = rt_fail(c, "not a Pharos journal header");
	else if (json_integer_value(ver) != RT_JOURNAL_VERSION)
		rc = rt_fail(c, "journal version %lld is not supported",
		    (long long)json_integer_value(ver));
	else
		*gen_out = (uint64_t)json_integer_value(gen);
	json_decref(j);
	return rc;
}

static int
rt_replay_lines(struct retention *r, const char *buf, size_t len,
    struct annot *a, struct rt_ctx *c)
{
	struct rt_replay p = { 0 };
	const char *s = buf, *nl;
	size_t line = 1;
	uint64_t gen = 0;
	bool committed;
	int rc;

	if ((nl = memchr(s, '\n', len)) == NULL)
		return 0; /* a torn header: nothing was committed */
	if ((rc = rt_replay_header(s, (size_t)(nl - s), &gen, c)) != 0)
		return rc;
	if (gen != r->gen) {
		r->stats.journal_stale = true;
		return 0;
	}
	r->jvalid = nl + 1 - buf;
	for (s = nl + 1; rc == 0 &&
	    (nl = memchr(s, '\n', len - (size_t)(s - buf))) != NULL;
	    s = nl + 1) {
		rc = rt_replay_line(&p, s, (size_t)(nl - s), ++line, a, c,
		    &committed);
		if (committed)
			r->jvalid = nl + 1 - buf;
	}
	for (size_t i = 0; i < p.n; i++)
		json_decref(p.v[i].j); /* an uncommitted (torn) batch */
	free(p.v);
	r->stats.journal_batches = p.batches;
	return rc;
}

int
rt_journal_load(struct retention *r, struct annot *a, char *err,
    size_t errlen)
{
	struct rt_ctx c = { r->jpath, "", err, errlen };
	char *buf;
	size_t len;
	int rc = rt_read_all(r->jpath, &buf, &len, err, errlen);

	r->jvalid = 0;
	if (rc == -ENOENT)
		return 0;
	if (rc != 0)
		return rc;
	rc = rt_replay_lines(r, buf, len, a, &c);
	free(buf);
	if (rc != 0)
		r->jvalid = 0;
	return rc;
}

/* ---- append --------------------------------------------------------- */

void
rt_journal_reset(struct retention *r)
{
	if (r->jfd >= 0)
		close(r->jfd);
	r->jfd = -1;
	r->jlen = r->jvalid = 0;
	(void)unlink(r->jpath);
}

static int
rt_pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t w = pwrite(fd, buf + done, len - done,
		    off + (off_t)done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		done += (size_t)w;
	}
	return 0;
}

/* Open the journal for appending: cut a loaded one back to its last
 * commit, or start a new one with its header. */
static int
rt_journal_open(struct retention *r)
{
	char hdr[96];
	int fd, rc = 0, n;

	if (r->jfd >= 0)
		return 0;
	fd = open(r->jpath, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (r->jvalid > 0) {
		if (ftruncate(fd, r->jvalid) != 0)
			rc = -errno;
		r->jlen = r->jvalid;
	} else {
		n = snprintf(hdr, sizeof(hdr), "{\"pharos_journal\":%d,"
		    "\"generation\":%llu}\n", RT_JOURNAL_VERSION,
		    (unsigned long long)r->gen);
		if (ftruncate(fd, 0) != 0)
			rc = -errno;
		if (rc == 0)
			rc = rt_pwrite_all(fd, hdr, (size_t)n, 0);
		if (rc == 0 && fdatasync(fd) != 0)
			rc = -errno;
		if (rc == 0)
			rc = rt_sync_dir(r->jpath);
		r->jlen = r->jvalid = n;
	}
	if (rc != 0) {
		close(fd);
		r->jvalid = 0;
		return rc;
	}
	r->jfd = fd;
	return 0;
}

/* The record of one change: the entry's state now, or its deletion. */
static void
rt_emit_change(struct rt_buf *b, const struct annot *a,
    const struct annot_change *ch)
{
	const struct annot_comment *cm;
	const struct annot_downtime *dt;
	const struct annot_ack *k;

	if (ch->kind == ANNOT_CHANGE_COMMENT) {
		if ((cm = annot_comment_find(a, ch->id)) == NULL) {
			rt_emitf(b, "{\"comment_deleted\":%llu}\n",
			    (unsigned long long)ch->id);
			return;
		}
		rt_emit(b, "{\"comment\":");
		rt_emit_comment(b, cm);
	} else if (ch->kind == ANNOT_CHANGE_DOWNTIME) {
		if ((dt = annot_downtime_find(a, ch->id)) == NULL) {
			rt_emitf(b, "{\"downtime_deleted\":%llu}\n",
			    (unsigned long long)ch->id);
			return;
		}
		rt_emit(b, "{\"downtime\":");
		rt_emit_downtime(b, dt);
	} else if ((k = annot_ack_get(a, ch->host, ch->service)) != NULL) {
		rt_emit(b, "{\"ack\":");
		rt_emit_ack(b, k);
	} else {
		rt_emit(b, "{\"ack_deleted\":");
		rt_emit_names(b, ch->host, ch->service);
	}
	rt_emit(b, "}\n");
}

/* The batch of a's changes and its commit line. */
static int
rt_batch(const struct annot *a, const struct annot_change *ch, size_t n,
    struct rt_buf *b)
{
	uint64_t nc, nd;

	for (size_t i = 0; i < n; i++)
		rt_emit_change(b, a, &ch[i]);
	annot_next_ids(a, &nc, &nd);
	rt_emitf(b, "{\"commit\":{\"next_comment_id\":%llu,"
	    "\"next_downtime_id\":%llu}}\n", (unsigned long long)nc,
	    (unsigned long long)nd);
	return b->err;
}

int
retention_sync(struct retention *r, struct annot *a, char *err,
    size_t errlen)
{
	int64_t t0 = rt_now_ns();
	const struct annot_change *ch;
	struct rt_buf b = { 0 };
	size_t n;
	bool overflow;
	int rc;

	ch = annot_changes(a, &n, &overflow);
	if (overflow) {
		snprintf(err, errlen, "%s: too many changes since the last "
		    "save to journal them; a full save is needed", r->jpath);
		return -EOVERFLOW;
	}
	if (n == 0)
		return 0;
	if ((rc = rt_batch(a, ch, n, &b)) == 0 &&
	    (rc = rt_journal_open(r)) == 0) {
		rc = rt_pwrite_all(r->jfd, b.p, b.len, r->jlen);
		if (rc == 0 && fdatasync(r->jfd) != 0)
			rc = -errno;
		if (rc != 0) { /* cut the torn batch; reopen next time */
			(void)!ftruncate(r->jfd, r->jlen);
			close(r->jfd);
			r->jfd = -1;
		} else {
			r->jlen += (off_t)b.len;
			r->jvalid = r->jlen;
		}
	}
	rt_buf_free(&b);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s (the change is not durable yet)",
		    r->jpath, strerror(-rc));
		return rc;
	}
	annot_changes_clear(a);
	r->stats.last_sync_ns = rt_now_ns() - t0;
	r->stats.journal_bytes = (size_t)r->jlen;
	return 0;
}
