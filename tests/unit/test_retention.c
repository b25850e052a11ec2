/*
 * Unit tests of retention: the round trip of status and annot data, the
 * corrupt-file rule (bad JSON, truncated, wrong version, a field out of
 * range) and moving aside, the wipe guard, the journal (replay, torn tail,
 * stale generation), atomicity under SIGKILL at random moments, a full
 * disk (a 64 KiB tmpfs; skipped when it cannot be mounted), the cost of
 * a save and a sync for 10,000 hosts and 50,000 services, and the
 * program-wide switches' "program" object.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "annot.h"
#include "retention.h"

struct fixture {
	char dir[64];
	char mnt[96];
	bool mounted;
	char path[128];
	char err[512];
	struct retention_entry *got; /* what retention_apply handed over */
	size_t ngot;
};

/* ---- helpers -------------------------------------------------------- */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_retention.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/retention.json", f->dir);
	*state = f;
	return 0;
}

static void
rm_files(const char *dir)
{
	char p[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || e->d_type == DT_DIR)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
}

static void
free_got(struct fixture *f)
{
	for (size_t i = 0; i < f->ngot; i++) {
		free(f->got[i].host);
		free(f->got[i].service);
		free(f->got[i].st.output);
		free(f->got[i].st.long_output);
		free(f->got[i].st.perfdata);
	}
	free(f->got);
	f->got = NULL;
	f->ngot = 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->mounted) {
		rm_files(f->mnt);
		umount(f->mnt);
		rmdir(f->mnt);
	}
	rm_files(f->dir);
	rmdir(f->dir);
	free_got(f);
	free(f);
	return 0;
}

/* n entries: hosts h0.., and per host svcs services; output "tag-i". */
static struct retention_entry *
make_entries(size_t nh, size_t svcs, const char *tag, size_t *n)
{
	struct retention_entry *v = calloc(nh * (svcs + 1), sizeof(*v));
	char buf[128];
	size_t k = 0;

	assert_non_null(v);
	for (size_t h = 0; h < nh; h++) {
		for (size_t s = 0; s <= svcs; s++, k++) {
			struct retention_status *st = &v[k].st;

			snprintf(buf, sizeof(buf), "host-%zu", h);
			v[k].host = strdup(buf);
			if (s > 0) {
				snprintf(buf, sizeof(buf), "svc-%zu", s);
				v[k].service = strdup(buf);
			}
			snprintf(buf, sizeof(buf), "%s-%zu PING OK - Packet "
			    "loss = 0%%, RTA = 0.80 ms", tag, k);
			st->output = strdup(buf);
			st->perfdata = strdup("rta=0.800000ms;3000.000000;"
			    "5000.000000;0.000000 pl=0%;80;100;0");
			st->state = (int)(k % 3);
			st->last_hard_state = st->state;
			st->state_type = 1;
			st->current_attempt = 1;
			st->last_check = 1700000000 + (int64_t)k;
			st->last_state_change = 1690000000;
			st->last_hard_state_change = 1690000000;
			st->has_been_checked = true;
			st->notifications_enabled = true;
			st->active_checks_enabled = k % 2 == 0;
			st->current_notification_number = (int)(k % 5);
			st->nhistory = RETENTION_HISTORY_MAX;
			for (size_t i = 0; i < st->nhistory; i++)
				st->state_history[i] = (int)((i + k) % 3);
			st->percent_state_change = 12.5;
		}
	}
	*n = k;
	return v;
}

static void
free_entries(struct retention_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].host);
		free(v[i].service);
		free(v[i].st.output);
		free(v[i].st.long_output);
		free(v[i].st.perfdata);
	}
	free(v);
}

/* Take every entry (strings and all). */
static int
collect(void *arg, struct retention_entry *e)
{
	struct fixture *f = arg;
	struct retention_entry *v;

	if ((f->ngot & (f->ngot - 1)) == 0) { /* 0, 1, 2, 4, ...: double */
		v = realloc(f->got, (f->ngot ? f->ngot * 2 : 1) * sizeof(*v));
		if (v == NULL)
			return -ENOMEM;
		f->got = v;
	}
	f->got[f->ngot++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

/* Load path into a fresh annot (returned) and f->got. */
static int
load(struct fixture *f, const char *path, struct annot **a,
    struct retention **rp)
{
	struct retention *r;
	int rc;

	free_got(f);
	assert_int_equal(annot_new(0, a), 0);
	assert_int_equal(retention_new(path, &r), 0);
	rc = retention_load(r, *a, f->err, sizeof(f->err));
	if (rc == 0)
		assert_int_equal(retention_apply(r, collect, f, NULL, NULL), 0);
	if (rp != NULL)
		*rp = r;
	else
		retention_free(r);
	return rc;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
add_comment(struct annot *a, const char *host, bool persistent,
    const char *text, uint64_t *id)
{
	struct annot_comment c = { .host = host, .entry_time = 1700000000,
		.author = "alice", .text = text, .persistent = persistent,
		.type = ANNOT_COMMENT_USER };
	char err[128];

	assert_int_equal(annot_comment_add(a, &c, id, err, sizeof(err)), 0);
}

/* Save n entries (tag) with an empty annot over path. */
static void
save_plain(struct fixture *f, const char *path, size_t nh, size_t svcs,
    const char *tag)
{
	struct retention *r;
	struct annot *a;
	struct retention_entry *v;
	size_t n;

	v = make_entries(nh, svcs, tag, &n);
	assert_int_equal(annot_new(0, &a), 0);
	assert_int_equal(retention_new(path, &r), 0);
	assert_int_equal(retention_save(r, v, n, a, 0, f->err,
	    sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);
	free_entries(v, n);
}

/* ---- round trip and the load rules ---------------------------------- */

static void
fill_annot(struct annot *a, uint64_t *keep)
{
	struct annot_ack k = { .host = "host-0", .service = "svc-1",
		.type = ANNOT_ACK_STICKY, .state = 2, .notify = true,
		.entry_time = 1700000000, .author = "bob", .comment = "ticket 42" };
	struct annot_downtime d = { .host = "host-1", .entry_time = 1700000000,
		.start_time = 1700000100, .end_time = 1700003700, .fixed = true,
		.author = "carol", .comment = "firmware" };
	struct annot_callbacks cb = { 0 };
	char err[256];
	uint64_t id, tmp;

	add_comment(a, "host-0", true, "keep me", keep);
	add_comment(a, "host-1", false, "gone at restart", &tmp);
	assert_int_equal(annot_ack_set(a, &k, err, sizeof(err)), 0);
	assert_int_equal(annot_downtime_add(a, &d, 1700000000, &id, err,
	    sizeof(err)), 0);
	d.fixed = false;
	d.duration = 600;
	d.trigger_id = id;
	d.service = "svc-1";
	assert_int_equal(annot_downtime_add(a, &d, 1700000000, &id, err,
	    sizeof(err)), 0);
	annot_tick(a, 1700000100, &cb); /* both in effect */
}

static void
test_retention_round_trip_keeps_everything(void **state)
{
	struct fixture *f = *state;
	struct retention *r;
	struct annot *a, *b;
	struct retention_entry *v;
	const struct annot_downtime *d;
	uint64_t keep, nc, nd, nc2, nd2;
	size_t n;

	v = make_entries(3, 2, "rt", &n);
	free(v[1].st.output);
	v[1].st.output = strdup("bad \xff\xfe utf-8 \xe2\x82"); /* replaced */
	v[2].st.long_output = strdup("line 2\nline 3 \"quoted\"");
	v[3].st.nhistory = 4;
	v[3].st.is_flapping = true;
	assert_int_equal(annot_new(0, &a), 0);
	fill_annot(a, &keep);
	annot_next_ids(a, &nc, &nd);
	assert_int_equal(retention_new(f->path, &r), 0);
	assert_int_equal(retention_save(r, v, n, a, 0, f->err,
	    sizeof(f->err)), 0);
	retention_free(r);

	assert_int_equal(load(f, f->path, &b, &r), 0);
	assert_int_equal(f->ngot, n);
	for (size_t i = 0; i < n; i++) { /* hosts first, then services */
		const struct retention_entry *g = &f->got[i];
		const struct retention_entry *w = &v[i < 3 ? i * 3 :
		    (i - 3) / 2 * 3 + 1 + (i - 3) % 2];

		assert_string_equal(g->host, w->host);
		if (w->service != NULL)
			assert_string_equal(g->service, w->service);
		else
			assert_null(g->service);
		assert_int_equal(g->st.state, w->st.state);
		assert_int_equal(g->st.last_check, w->st.last_check);
		assert_int_equal(g->st.active_checks_enabled,
		    w->st.active_checks_enabled);
		assert_int_equal(g->st.nhistory, w->st.nhistory);
		assert_memory_equal(g->st.state_history, w->st.state_history,
		    w->st.nhistory * sizeof(int));
		assert_int_equal(g->st.is_flapping, w->st.is_flapping);
		assert_true(g->st.percent_state_change == 12.5);
		assert_string_equal(g->st.perfdata, w->st.perfdata);
		if (w == &v[1])
			assert_string_equal(g->st.output, "bad ?? utf-8 ??");
		else
			assert_string_equal(g->st.output, w->st.output);
	}
	assert_string_equal(f->got[4].st.long_output, "line 2\nline 3 "
	    "\"quoted\"");
	assert_null(f->got[0].st.long_output);
	/* Annot: the non-persistent user comment did not survive. */
	assert_int_equal(retention_get_stats(r)->volatile_dropped, 1);
	assert_string_equal(annot_comment_find(b, keep)->text, "keep me");
	assert_int_equal(annot_comment_count(b), annot_comment_count(a) - 1);
	assert_int_equal(annot_ack_get(b, "host-0", "svc-1")->type,
	    ANNOT_ACK_STICKY);
	assert_int_equal(annot_downtime_count(b), 2);
	d = annot_downtime_at(b, 1);
	assert_int_equal(d->state, ANNOT_DT_ACTIVE);
	assert_int_equal(d->actual_start, 1700000100);
	assert_int_equal(d->trigger_id, annot_downtime_at(b, 0)->id);
	assert_int_equal(annot_in_downtime(b, "host-1", NULL), 1);
	assert_int_equal(annot_in_downtime(b, "host-1", "svc-1"), 1);
	annot_next_ids(b, &nc2, &nd2);
	assert_int_equal(nc2, nc);
	assert_int_equal(nd2, nd);
	assert_int_equal(retention_get_stats(r)->generation, 1);
	retention_free(r);
	annot_free(a);
	annot_free(b);
	free_entries(v, n);
}

static void
test_retention_missing_file_is_an_empty_state(void **state)
{
	struct fixture *f = *state;
	struct retention *r;
	struct annot *a;

	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_int_equal(f->ngot, 0);
	assert_int_equal(annot_comment_count(a), 0);
	assert_int_equal(retention_get_stats(r)->generation, 0);
	retention_free(r);
	annot_free(a);
}

/* Load must refuse path with -EINVAL and a message holding each needle. */
static void
expect_corrupt(struct fixture *f, const char *needle, const char *needle2)
{
	struct annot *a;

	assert_int_equal(load(f, f->path, &a, NULL), -EINVAL);
	annot_free(a);
	assert_non_null(strstr(f->err, f->path));
	if (strstr(f->err, needle) == NULL ||
	    (needle2 != NULL && strstr(f->err, needle2) == NULL))
		fail_msg("message \"%s\" lacks \"%s\"", f->err, needle);
}

static void
test_retention_corrupt_files_are_refused_clearly(void **state)
{
	struct fixture *f = *state;
	struct stat sb;
	char *buf, *p;
	FILE *fp;

	write_file(f->path, "{\"version\": 1, \"hosts\": [ oops ]}\n");
	expect_corrupt(f, "line 1, column ", "invalid token");
	write_file(f->path, "");
	expect_corrupt(f, "line 1", NULL);
	write_file(f->path, "[1, 2]\n");
	expect_corrupt(f, "not a Pharos retention file", NULL);

	save_plain(f, f->path, 20, 2, "x");
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(truncate(f->path, sb.st_size / 2), 0);
	expect_corrupt(f, "premature end of input", "line ");

	save_plain(f, f->path, 2, 0, "x");
	buf = calloc(1, 65536);
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_true(fread(buf, 1, 65535, fp) > 0);
	fclose(fp);
	p = strstr(buf, "\"version\": 1");
	p[11] = '2';
	write_file(f->path, buf);
	expect_corrupt(f, "version 2 is not supported", NULL);
	p[11] = '1';
	p = strstr(buf, "\"state\":");
	p[8] = '9';
	write_file(f->path, buf);
	expect_corrupt(f, "hosts[0]: \"state\" must be an integer from 0 to 4",
	    NULL);
	free(buf);
}

static void
test_retention_move_aside_renames_with_a_timestamp(void **state)
{
	struct fixture *f = *state;
	char moved[256], jpath[160], expect[256];
	struct annot *a;
	struct tm tm;
	time_t now = time(NULL);

	write_file(f->path, "not json");
	snprintf(jpath, sizeof(jpath), "%s.journal", f->path);
	write_file(jpath, "junk\n");
	assert_int_equal(retention_move_aside(f->path, moved, sizeof(moved),
	    f->err, sizeof(f->err)), 0);
	localtime_r(&now, &tm);
	snprintf(expect, sizeof(expect), "%s.corrupt-%04d%02d%02d-", f->path,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	assert_memory_equal(moved, expect, strlen(expect));
	assert_int_equal(strlen(moved), strlen(expect) + 6);
	assert_int_equal(access(moved, F_OK), 0);
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(access(jpath, F_OK), -1);
	/* The daemon starts empty now. */
	assert_int_equal(load(f, f->path, &a, NULL), 0);
	annot_free(a);
	assert_int_equal(retention_move_aside(f->path, moved, sizeof(moved),
	    f->err, sizeof(f->err)), -ENOENT);
	/* A second corrupt file the same second gets a suffix. */
	write_file(f->path, "again");
	assert_int_equal(retention_move_aside(f->path, moved, sizeof(moved),
	    f->err, sizeof(f->err)), 0);
	assert_int_equal(access(moved, F_OK), 0);
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(fp);
	assert_true(fread(buf, 1, (1 << 20) - 1, fp) > 0);
	fclose(fp);
	return buf;
}

static void
test_retention_empty_object_set_does_not_wipe(void **state)
{
	struct fixture *f = *state;
	struct retention *r;
	struct annot *a;
	char *before, *after;

	save_plain(f, f->path, 3, 1, "x");
	before = slurp(f->path);
	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_int_equal(retention_save(r, NULL, 0, a, 0, f->err,
	    sizeof(f->err)), -ECANCELED);
	assert_non_null(strstr(f->err, "refusing to replace the state of 6 "
	    "hosts and services with none"));
	after = slurp(f->path);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(retention_save(r, NULL, 0, a, RETENTION_FORCE,
	    f->err, sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);
	assert_int_equal(load(f, f->path, &a, NULL), 0);
	assert_int_equal(f->ngot, 0);
	annot_free(a);
	free(before);
}

static int
only_host0(void *arg, struct retention_entry *e)
{
	return strcmp(e->host, "host-0") == 0 ? 0 : -ENOENT;
}

static void
test_retention_apply_drops_unconfigured_objects(void **state)
{
	struct fixture *f = *state;
	struct retention *r;
	struct annot *a;
	size_t applied, dropped;

	save_plain(f, f->path, 3, 2, "x");
	assert_int_equal(annot_new(0, &a), 0);
	assert_int_equal(retention_new(f->path, &r), 0);
	assert_int_equal(retention_load(r, a, f->err, sizeof(f->err)), 0);
	assert_int_equal(retention_apply(r, only_host0, NULL, &applied,
	    &dropped), 0);
	assert_int_equal(applied, 3);
	assert_int_equal(dropped, 6);
	assert_int_equal(retention_get_stats(r)->dropped, 6);
	retention_free(r);
	annot_free(a);
}

/* ---- journal -------------------------------------------------------- */

static void
append_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_retention_journal_replays_synced_changes(void **state)
{
	struct fixture *f = *state;
	struct annot_ack k = { .host = "host-1", .type = ANNOT_ACK_NORMAL,
		.state = 1, .entry_time = 1, .author = "a", .comment = "c" };
	struct retention *r;
	struct annot *a;
	uint64_t c1, c2;
	char jpath[160];

	snprintf(jpath, sizeof(jpath), "%s.journal", f->path);
	save_plain(f, f->path, 2, 0, "x");
	assert_int_equal(load(f, f->path, &a, &r), 0);
	add_comment(a, "host-0", true, "first", &c1);
	assert_int_equal(annot_ack_set(a, &k, f->err, sizeof(f->err)), 0);
	assert_int_equal(retention_sync(r, a, f->err, sizeof(f->err)), 0);
	assert_int_equal(retention_sync(r, a, f->err, sizeof(f->err)), 0);
	retention_free(r); /* a crash: no save */
	annot_free(a);
	/* An uncommitted batch and a torn line, as a crash leaves them. */
	append_file(jpath, "{\"comment_deleted\":1}\n{\"comment\":{\"id\":9");

	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_int_equal(retention_get_stats(r)->journal_batches, 1);
	assert_string_equal(annot_comment_find(a, c1)->text, "first");
	assert_non_null(annot_ack_get(a, "host-1", NULL));
	assert_int_equal(f->ngot, 2);
	add_comment(a, "host-0", true, "second", &c2);
	assert_true(c2 > c1 + 1); /* the ack comment took an id */
	assert_int_equal(retention_sync(r, a, f->err, sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);

	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_int_equal(retention_get_stats(r)->journal_batches, 2);
	assert_non_null(annot_comment_find(a, c1));
	assert_non_null(annot_comment_find(a, c2));
	/* A full save takes it all in and drops the journal. */
	assert_int_equal(retention_save(r, f->got, f->ngot, a, 0, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(access(jpath, F_OK), -1);
	retention_free(r);
	annot_free(a);
	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_int_equal(retention_get_stats(r)->journal_batches, 0);
	assert_non_null(annot_comment_find(a, c2));
	retention_free(r);
	annot_free(a);
}

static void
test_retention_stale_journal_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct retention *r;
	struct annot *a;
	char jpath[160], *old;
	uint64_t c1;

	snprintf(jpath, sizeof(jpath), "%s.journal", f->path);
	save_plain(f, f->path, 1, 0, "x");
	assert_int_equal(load(f, f->path, &a, &r), 0);
	add_comment(a, "host-0", true, "deleted later", &c1);
	assert_int_equal(retention_sync(r, a, f->err, sizeof(f->err)), 0);
	old = slurp(jpath);
	assert_int_equal(annot_comment_delete(a, c1), 0);
	assert_int_equal(retention_save(r, f->got, f->ngot, a, 0, f->err,
	    sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);
	write_file(jpath, old); /* as if the crash came before its unlink */
	free(old);
	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_true(retention_get_stats(r)->journal_stale);
	assert_null(annot_comment_find(a, c1));
	retention_free(r);
	annot_free(a);
}

static void
test_retention_corrupt_journal_is_refused(void **state)
{
	struct fixture *f = *state;
	struct annot *a;
	char jpath[160];

	snprintf(jpath, sizeof(jpath), "%s.journal", f->path);
	write_file(jpath, "{\"pharos_journal\":1,\"generation\":0}\n"
	    "{\"comment\":{\"id\":1}}\n{\"commit\":{\"next_comment_id\":2,"
	    "\"next_downtime_id\":1}}\n");
	assert_int_equal(load(f, f->path, &a, NULL), -EINVAL);
	annot_free(a);
	assert_non_null(strstr(f->err, "retention.json.journal: line 2: "
	    "\"host_name\" is missing"));
	write_file(jpath, "{\"pharos_journal\":1,\"generation\":0}\nxx\n");
	assert_int_equal(load(f, f->path, &a, NULL), -EINVAL);
	annot_free(a);
	assert_non_null(strstr(f->err, "retention.json.journal: line 2: column "));
}

/* ---- atomicity ------------------------------------------------------ */

/* Save versions A and B in turn, forever; say "ready" on fd first. */
static void
writer_child(const char *path, int fd)
{
	struct retention_entry *v[2];
	struct annot *a;
	struct retention *r;
	char err[512];
	size_t n[2];

	v[0] = make_entries(200, 3, "A", &n[0]); /* 800 entries */
	v[1] = make_entries(300, 3, "B", &n[1]); /* 1200 entries */
	if (annot_new(0, &a) != 0 || retention_new(path, &r) != 0 ||
	    write(fd, "r", 1) != 1)
		_exit(2);
	for (unsigned i = 0;; i++)
		if (retention_save(r, v[i % 2], n[i % 2], a, 0, err,
		    sizeof(err)) != 0)
			_exit(3);
}

/* The loaded entries are all of one version, whole. */
static void
check_whole(struct fixture *f)
{
	char tag = f->ngot == 800 ? 'A' : 'B';

	if (f->ngot != 800 && f->ngot != 1200)
		fail_msg("%zu entries: neither version", f->ngot);
	for (size_t i = 0; i < f->ngot; i++)
		assert_int_equal(f->got[i].st.output[0], tag);
}

static void
test_retention_sigkill_while_writing_leaves_a_whole_file(void **state)
{
	struct fixture *f = *state;
	unsigned seed = (unsigned)time(NULL);
	int64_t save_ns;
	struct timespec t0, t1, d;
	struct annot *a;
	int status, midway = 0, p[2];
	char tmp[160], c;
	pid_t pid;

	snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	save_plain(f, f->path, 300, 3, "B");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	save_ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec -
	    t0.tv_nsec;
	for (int i = 0; i < 200; i++) {
		int64_t wait = (int64_t)(rand_r(&seed) %
		    (unsigned)(3 * save_ns / 1000 + 1)) * 1000;

		assert_int_equal(pipe(p), 0);
		if ((pid = fork()) == 0)
			writer_child(f->path, p[1]);
		assert_true(pid > 0);
		close(p[1]);
		assert_int_equal(read(p[0], &c, 1), 1); /* writing from now */
		close(p[0]);
		d.tv_sec = wait / 1000000000;
		d.tv_nsec = wait % 1000000000;
		nanosleep(&d, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("writer exited by itself: %d", status);
		midway += access(tmp, F_OK) == 0; /* killed inside a save */
		assert_int_equal(load(f, f->path, &a, NULL), 0);
		annot_free(a);
		check_whole(f);
	}
	printf("# sigkill: one save %.2f ms; %d of 200 kills inside a save "
	    "(seed %u)\n", (double)save_ns / 1e6, midway, seed);
	assert_true(midway > 0);
}

/* ---- a full disk ---------------------------------------------------- */

static void
test_retention_full_disk_keeps_the_old_file(void **state)
{
	struct fixture *f = *state;
	struct retention_entry *v;
	struct retention *r;
	struct annot *a;
	char path[160], tmp[200], big[ANNOT_TEXT_MAX];
	uint64_t ids[20];
	size_t n;
	int rc;

	snprintf(f->mnt, sizeof(f->mnt), "%s/mnt", f->dir);
	assert_int_equal(mkdir(f->mnt, 0700), 0);
	if (mount("tmpfs", f->mnt, "tmpfs", 0, "size=64k") != 0) {
		printf("# skipped: cannot mount a tmpfs (%s); run as root\n",
		    strerror(errno));
		rmdir(f->mnt);
		skip();
	}
	f->mounted = true;
	snprintf(path, sizeof(path), "%s/retention.json", f->mnt);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	save_plain(f, path, 2, 0, "old");

	v = make_entries(400, 0, "new", &n); /* ~130 KiB: cannot fit */
	assert_int_equal(load(f, path, &a, &r), 0);
	rc = retention_save(r, v, n, a, 0, f->err, sizeof(f->err));
	assert_int_equal(rc, -ENOSPC);
	assert_non_null(strstr(f->err, "No space left on device"));
	assert_non_null(strstr(f->err, "is unchanged"));
	assert_int_equal(access(tmp, F_OK), -1);
	free_entries(v, n);

	/* The journal too: a batch that does not fit is not half kept. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 20; i++)
		add_comment(a, "host-0", true, big, &ids[i]);
	rc = retention_sync(r, a, f->err, sizeof(f->err));
	assert_int_equal(rc, -ENOSPC);
	assert_non_null(strstr(f->err, "not durable yet"));
	for (int i = 0; i < 20; i++)
		assert_int_equal(annot_comment_delete(a, ids[i]), 0);
	add_comment(a, "host-1", true, "small", &ids[0]);
	assert_int_equal(retention_sync(r, a, f->err, sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);

	assert_int_equal(load(f, path, &a, NULL), 0);
	assert_int_equal(f->ngot, 2);
	assert_memory_equal(f->got[0].st.output, "old-", 4);
	assert_int_equal(annot_comment_count(a), 1);
	assert_string_equal(annot_comment_at(a, 0)->text, "small");
	annot_free(a);
}

/* ---- cost ----------------------------------------------------------- */

static void
test_retention_cost_of_save_and_sync_60k_objects(void **state)
{
	struct fixture *f = *state;
	struct annot_ack k = { .type = ANNOT_ACK_NORMAL, .state = 2,
		.entry_time = 1700000000, .author = "oncall",
		.comment = "known, ticket 4711" };
	const struct retention_stats *s;
	struct retention_entry *v;
	struct retention *r;
	struct timespec t0, t1;
	struct annot *a;
	int64_t sum = 0, max = 0;
	char host[32];
	size_t n;
	uint64_t id;

	v = make_entries(10000, 5, "big", &n);
	assert_int_equal(n, 60000);
	assert_int_equal(annot_new(0, &a), 0);
	assert_int_equal(retention_new(f->path, &r), 0);
	for (int i = 0; i < 200; i++)
		add_comment(a, "host-7", true, "a comment of ordinary length",
		    &id);
	assert_int_equal(retention_save(r, v, n, a, 0, f->err,
	    sizeof(f->err)), 0);
	s = retention_get_stats(r);
	printf("# full save: %zu hosts+services, %.1f MB, %.1f ms\n", n,
	    (double)s->last_save_bytes / 1e6, (double)s->last_save_ns / 1e6);
	for (int i = 0; i < 100; i++) {
		snprintf(host, sizeof(host), "host-%d", i);
		k.host = host;
		k.service = "svc-1";
		assert_int_equal(annot_ack_set(a, &k, f->err, sizeof(f->err)),
		    0);
		assert_int_equal(retention_sync(r, a, f->err, sizeof(f->err)),
		    0);
		sum += s->last_sync_ns;
		max = s->last_sync_ns > max ? s->last_sync_ns : max;
	}
	printf("# sync (journal) after one ack: mean %.3f ms, max %.3f ms\n",
	    (double)sum / 100 / 1e6, (double)max / 1e6);
	assert_true(sum / 100 < s->last_save_ns);
	retention_free(r);
	annot_free(a);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(load(f, f->path, &a, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# load with journal replay: %.1f ms\n",
	    (double)((t1.tv_sec - t0.tv_sec) * 1000000000LL + t1.tv_nsec -
	    t0.tv_nsec) / 1e6);
	assert_int_equal(f->ngot, n);
	assert_int_equal(retention_get_stats(r)->journal_batches, 100);
	assert_non_null(annot_ack_get(a, "host-99", "svc-1"));
	retention_free(r);
	annot_free(a);
	free_entries(v, n);
}

/* The program-wide switches: kept when set, absent when not, and a bad
 * "program" object refused with its reason. */
static void
test_retention_program_switches(void **state)
{
	static const struct retention_program off = { true, false, true,
		false, true };
	struct fixture *f = *state;
	const struct retention_program *got;
	struct retention_entry *v;
	struct retention *r;
	struct annot *a;
	size_t n;

	v = make_entries(2, 1, "p", &n);
	assert_int_equal(annot_new(0, &a), 0);
	assert_int_equal(retention_new(f->path, &r), 0);
	assert_int_equal(retention_load(r, a, f->err, sizeof(f->err)), 0);
	assert_false(retention_get_program(r)->set); /* no file yet */
	retention_set_program(r, &off);
	assert_int_equal(retention_save(r, v, n, a, 0, f->err,
	    sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);

	assert_int_equal(load(f, f->path, &a, &r), 0);
	got = retention_get_program(r);
	assert_true(got->set);
	assert_false(got->notifications);
	assert_true(got->host_checks);
	assert_false(got->service_checks);
	assert_true(got->event_handlers);
	assert_int_equal(f->ngot, n);
	/* not set: the next file has none */
	retention_set_program(r, &(struct retention_program){ 0 });
	assert_int_equal(retention_save(r, v, n, a, 0, f->err,
	    sizeof(f->err)), 0);
	retention_free(r);
	annot_free(a);
	assert_int_equal(load(f, f->path, &a, &r), 0);
	assert_false(retention_get_program(r)->set);
	retention_free(r);
	annot_free(a);
	free_entries(v, n);

	write_file(f->path, "{\"version\": 1, \"generation\": 1, "
	    "\"next_comment_id\": 1, \"next_downtime_id\": 1, \"hosts\": [], "
	    "\"services\": [], \"comments\": [], \"downtimes\": [], "
	    "\"acknowledgements\": [], \"program\": 3}\n");
	expect_corrupt(f, "\"program\" must be an object", NULL);
	write_file(f->path, "{\"version\": 1, \"generation\": 1, "
	    "\"next_comment_id\": 1, \"next_downtime_id\": 1, \"hosts\": [], "
	    "\"services\": [], \"comments\": [], \"downtimes\": [], "
	    "\"acknowledgements\": [], \"program\": {\"enable_notifications\": "
	    "\"no\"}}\n");
	expect_corrupt(f, "\"program\".\"enable_notifications\" must be true "
	    "or false", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_retention_round_trip_keeps_everything),
		T(test_retention_missing_file_is_an_empty_state),
		T(test_retention_corrupt_files_are_refused_clearly),
		T(test_retention_move_aside_renames_with_a_timestamp),
		T(test_retention_empty_object_set_does_not_wipe),
		T(test_retention_apply_drops_unconfigured_objects),
		T(test_retention_journal_replays_synced_changes),
		T(test_retention_stale_journal_is_ignored),
		T(test_retention_corrupt_journal_is_refused),
		T(test_retention_sigkill_while_writing_leaves_a_whole_file),
		T(test_retention_full_disk_keeps_the_old_file),
		T(test_retention_cost_of_save_and_sync_60k_objects),
		T(test_retention_program_switches),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
