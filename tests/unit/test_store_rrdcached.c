/*
 * Unit tests of the store's rrdcached client: the pure parts (address
 * parsing, UPDATE lines, the replay window, answer classification) and
 * the store's behaviour with rrdcached unreachable (updates kept, then
 * given up and counted at stop). The protocol against a real rrdcached
 * is tests/integration/test_rrdcached.sh.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "store.h"
#include "store_rrdcached.h"

#define SEC	1000000000LL

static void
test_store_rc_address_forms(void **state)
{
	struct store_rc_addr a;
	char err[256];

	(void)state;
	assert_int_equal(store_rc_parse_address("unix:/run/rrdcached.sock",
	    &a, err, sizeof(err)), 0);
	assert_true(a.is_unix);
	assert_string_equal(a.path, "/run/rrdcached.sock");
	assert_int_equal(store_rc_parse_address("/tmp/x.sock", &a, err,
	    sizeof(err)), 0);
	assert_true(a.is_unix);
	assert_string_equal(a.path, "/tmp/x.sock");
	assert_int_equal(store_rc_parse_address("cache.example:4242", &a, err,
	    sizeof(err)), 0);
	assert_false(a.is_unix);
	assert_string_equal(a.host, "cache.example");
	assert_string_equal(a.port, "4242");
	assert_int_equal(store_rc_parse_address("10.0.0.1", &a, err,
	    sizeof(err)), 0);
	assert_string_equal(a.host, "10.0.0.1");
	assert_string_equal(a.port, "42217");
	assert_int_equal(store_rc_parse_address("[::1]:99", &a, err,
	    sizeof(err)), 0);
	assert_string_equal(a.host, "::1");
	assert_string_equal(a.port, "99");
	assert_int_equal(store_rc_parse_address("[fe80::1]", &a, err,
	    sizeof(err)), 0);
	assert_string_equal(a.host, "fe80::1");
	assert_string_equal(a.port, "42217");
	assert_int_equal(store_rc_parse_address("2001:db8::5", &a, err,
	    sizeof(err)), 0);
	assert_string_equal(a.host, "2001:db8::5");
	assert_string_equal(a.port, "42217");
}

static void
test_store_rc_address_refused(void **state)
{
	static const char *const bad[] = {
		"", "unix:", "unix:relative.sock", "host:", "host:0",
		"host:65536", "host:12x", "host:+80", ":80", "[::1", "[]:80",
		"[::1]80", "a b:80", "host:123456", "x\ny",
	};
	struct store_rc_addr a;
	char err[256], longp[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(store_rc_parse_address(bad[i], &a, err,
		    sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "invalid rrdcached address"));
	}
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';	/* longer than sun_path */
	assert_int_equal(store_rc_parse_address(longp, &a, err, sizeof(err)),
	    -EINVAL);
}

static void
test_store_rc_line_is_one_update_command(void **state)
{
	struct store_rc_line *x;

	(void)state;
	x = store_rc_line_new("/var/lib/pharos/rrd/h/_HOST_.rrd", 1700000100,
	    "0.5:U:3");
	assert_non_null(x);
	assert_string_equal(x->text,
	    "UPDATE /var/lib/pharos/rrd/h/_HOST_.rrd 1700000100:0.5:U:3\n");
	assert_int_equal(x->len, strlen(x->text));
	assert_int_equal(x->pathlen, strlen("/var/lib/pharos/rrd/h/_HOST_.rrd"));
	assert_memory_equal(x->text + 7, "/var/lib/pharos/rrd/h/_HOST_.rrd",
	    x->pathlen);
	free(x);
}

static struct store_rc_line *
line_at(int64_t when)
{
	struct store_rc_line *x = store_rc_line_new("/r/a.rrd", when, "1");

	assert_non_null(x);
	return x;
}

static void
test_store_rc_window_keeps_last_span(void **state)
{
	struct store_rc_list w = { 0 };
	struct store_rc_line *x;
	int64_t t;

	(void)state;
	/* One line a second for 30 s, a 10 s window: 11 lines remain (the
	 * one acknowledged exactly 10 s ago is still inside). */
	for (t = 0; t < 30; t++)
		assert_int_equal(store_rc_window_add(&w, line_at(t), t * SEC,
		    10 * SEC, 1000), 0);
	assert_int_equal(w.n, 11);
	assert_int_equal(w.head->acked_ns, 19 * SEC);
	assert_int_equal(w.tail->acked_ns, 29 * SEC);
	/* In order, oldest first, none marked resend. */
	for (t = 19, x = w.head; x != NULL; x = x->next, t++) {
		assert_int_equal(x->acked_ns, t * SEC);
		assert_int_equal(x->resend, 0);
	}
	/* An outage adds nothing, so nothing expires: the window is what
	 * the reconnect resends. A late add expires everything older. */
	assert_int_equal(store_rc_window_add(&w, line_at(100), 100 * SEC,
	    10 * SEC, 1000), 0);
	assert_int_equal(w.n, 1);
	store_rc_list_clear(&w);
	assert_int_equal(w.n, 0);
	assert_null(w.head);
	assert_null(w.tail);
}

static void
test_store_rc_window_bounded_by_lines(void **state)
{
	struct store_rc_list w = { 0 };
	size_t over = 0;
	int t;

	(void)state;
	for (t = 0; t < 50; t++)
		over += store_rc_window_add(&w, line_at(t), SEC, 10 * SEC, 8);
	assert_int_equal(w.n, 8);
	assert_int_equal(over, 42);
	assert_non_null(strstr(w.head->text, " 42:1\n"));
	store_rc_list_clear(&w);
}

static void
test_store_rc_list_fifo(void **state)
{
	struct store_rc_list l = { 0 };
	struct store_rc_line *x;

	(void)state;
	store_rc_list_push(&l, line_at(1));
	store_rc_list_push(&l, line_at(2));
	x = store_rc_list_pop(&l);
	assert_non_null(strstr(x->text, " 1:1\n"));
	free(x);
	store_rc_list_push(&l, line_at(3));
	x = store_rc_list_pop(&l);
	assert_non_null(strstr(x->text, " 2:1\n"));
	free(x);
	x = store_rc_list_pop(&l);
	assert_non_null(strstr(x->text, " 3:1\n"));
	free(x);
	assert_null(store_rc_list_pop(&l));
	assert_null(l.tail);
}

static void
test_store_rc_already_applied_is_not_an_error(void **state)
{
	(void)state;
	assert_int_equal(store_rc_classify("illegal attempt to update using "
	    "time 1700000010.000000 when last update time is 1700000010.000000 "
	    "(minimum one second step)"), STORE_RC_ALREADY);
	assert_int_equal(store_rc_classify("No such file: /r/a.rrd"),
	    STORE_RC_ERROR);
	assert_int_equal(store_rc_classify("/x/a.rrd: Permission denied"),
	    STORE_RC_ERROR);
}

/* --- the store with rrdcached unreachable -------------------------------- */

static int
rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
test_store_rrdcached_relative_dir_refused(void **state)
{
	struct store_options opt = { 0 };
	struct store *s = NULL;
	char err[256];

	(void)state;
	opt.rrdcached_address = "unix:/nonexistent/rrdcached.sock";
	assert_int_equal(store_new("relative/rrd", &opt, &s, err,
	    sizeof(err)), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "absolute"));
	opt.rrdcached_address = "host:0";
	assert_int_equal(store_new("/tmp", &opt, &s, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "invalid rrdcached address"));
}

/* rrdcached is down all along: the writer connects before it takes an
 * update from the ring, so every update waits there; at stop one last
 * attempt fails and they are counted as lost, and stop does not hang. */
static void
test_store_rrdcached_down_keeps_then_drops_at_stop(void **state)
{
	struct store_options opt = { 0 };
	struct store_counters c;
	struct store *s = NULL;
	char dir[64], addr[128], err[256];
	int i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_store_rc.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(addr, sizeof(addr), "unix:%s/no.sock", dir);
	opt.rrdcached_address = addr;
	opt.queue_max = 4;
	assert_int_equal(store_new(dir, &opt, &s, err, sizeof(err)), 0);
	for (i = 0; i < 6; i++)
		(void)store_submit(s, "h", NULL, 1700000100 + i, "rta=1ms",
		    300);
	store_stop(s);
	store_get_counters(s, &c);
	assert_int_equal(c.rrdcached_connected, 0);
	assert_int_equal(c.sent, 0);
	assert_int_equal(c.written, 0);
	assert_true(c.rrdcached_errors >= 1);
	/* 4 fit in the ring, 2 were refused; none left the ring. */
	assert_int_equal(c.submitted, 4);
	assert_int_equal(c.dropped_queue_full, 2);
	assert_int_equal(c.rrdcached_dropped, 4);
	assert_int_equal(c.files_created, 0);
	store_free(s);
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_rc_address_forms),
		cmocka_unit_test(test_store_rc_address_refused),
		cmocka_unit_test(test_store_rc_line_is_one_update_command),
		cmocka_unit_test(test_store_rc_window_keeps_last_span),
		cmocka_unit_test(test_store_rc_window_bounded_by_lines),
		cmocka_unit_test(test_store_rc_list_fifo),
		cmocka_unit_test(test_store_rc_already_applied_is_not_an_error),
		cmocka_unit_test(test_store_rrdcached_relative_dir_refused),
		cmocka_unit_test(test_store_rrdcached_down_keeps_then_drops_at_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
