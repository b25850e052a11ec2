/* Unit tests of the CGI library: strict parameters, escaping, cgi.cfg,
 * CSRF tokens, dates (cgi/cgilib.c, cgi_req.c, cgi_csrf.c, cgi_cmd.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgilib.h"

static const struct cgi_allow allow[] = { { "host", 16 }, { "q", 8 },
	{ "empty", 0 }, { NULL, 0 } };

static int
parse(const char *s, struct cgi_form *f, char *err, size_t errlen)
{
	return cgi_form_parse(s, strlen(s), allow, f, err, errlen);
}

static void
test_cgilib_parse_decodes(void **state)
{
	struct cgi_form f;
	char err[128];

	assert_int_equal(parse("host=core%2Dsw+1&q=%3C%3e&empty=", &f, err,
	    sizeof(err)), 0);
	assert_int_equal(f.n, 3);
	assert_string_equal(cgi_form_get(&f, "host"), "core-sw 1");
	assert_string_equal(cgi_form_get(&f, "q"), "<>");
	assert_string_equal(cgi_form_get(&f, "empty"), "");
	assert_null(cgi_form_get(&f, "other"));
	cgi_form_free(&f);
	assert_int_equal(parse("", &f, err, sizeof(err)), 0);
	assert_int_equal(f.n, 0);
	assert_int_equal(parse("q", &f, err, sizeof(err)), 0); /* no '=' */
	assert_string_equal(cgi_form_get(&f, "q"), "");
	cgi_form_free(&f);
}

static void
test_cgilib_parse_refuses(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{ "host=a&host=b", "repeated" },
		{ "nope=1", "unknown parameter" },
		{ "host=%zz", "bad %-escape" },
		{ "host=%2", "bad %-escape" },
		{ "host=%", "bad %-escape" },
		{ "host=a%00b", "NUL" },
		{ "ho%00st=a", "NUL" },
		{ "host=aaaaaaaaaaaaaaaaa", "too long" },
		{ "empty=x", "too long" },
		{ "host=a&&q=b", "empty parameter" },
		{ "host=a&", "empty parameter" },
		{ "&", "empty parameter" },
		{ "=a", "unknown parameter" },
	};
	struct cgi_form f;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].in, &f, err, sizeof(err)),
		    -EINVAL);
		assert_int_equal(f.n, 0);
		assert_null(f.v);
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].in, err,
			    bad[i].why);
	}
	/* a raw NUL inside the given length */
	assert_int_equal(cgi_form_parse("q=a\0b", 5, allow, &f, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
	/* no allow-list: nothing is allowed */
	assert_int_equal(cgi_form_parse("q=1", 3, NULL, &f, err, sizeof(err)),
	    -EINVAL);
}

static void
test_cgilib_parse_limits(void **state)
{
	static const struct cgi_allow many[] = { { "a", 10 }, { NULL, 0 } };
	struct cgi_form f;
	char err[128], *big;
	size_t n = CGI_MAX_INPUT + 1;

	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'a', n);
	big[n] = '\0';
	assert_int_equal(cgi_form_parse(big, n, many, &f, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "too long"));
	free(big);
}

/* Run fn on a memory stream and compare what it wrote. */
static void
expect_put(void (*fn)(FILE *, const char *), const char *in,
    const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	fn(m, in);
	fclose(m);
	assert_string_equal(buf, want);
	free(buf);
}

static void
test_cgilib_escaping(void **state)
{
	expect_put(cgi_put_html, "<script>alert(1)</script>",
	    "&lt;script&gt;alert(1)&lt;/script&gt;");
	expect_put(cgi_put_html, "\"><img src=x onerror=alert(1)>",
	    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	expect_put(cgi_put_html, "a&b 'c'\n\td", "a&amp;b &#39;c&#39;\n\td");
	expect_put(cgi_put_html, "bell\a", "bell\xef\xbf\xbd");
	expect_put(cgi_put_html, "caf\xc3\xa9", "caf\xc3\xa9");
	expect_put(cgi_put_html, NULL, "");
	expect_put(cgi_put_attr, "a\"b\nc", "a&quot;b&#10;c");
	expect_put(cgi_put_url, "a b/c?d=e&f#<>",
	    "a%20b%2Fc%3Fd%3De%26f%23%3C%3E");
	expect_put(cgi_put_url, "core-sw1.lan_~", "core-sw1.lan_~");
	expect_put(cgi_put_js, "</script><b>'\"\\",
	    "\\x3c\\x2fscript\\x3e\\x3cb\\x3e\\x27\\x22\\x5c");
	expect_put(cgi_put_js, "up: 3, down", "up: 3, down");
}

static void
test_cgilib_csrf(void **state)
{
	const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
	const unsigned char other[32] = "another key, 32 bytes long......";
	char tok[128], bad[128];
	int64_t now = 1800000000;

	assert_int_equal(cgi_csrf_make(key, sizeof(key), "alice", now + 60,
	    tok, sizeof(tok)), 0);
	assert_true(cgi_csrf_verify(key, sizeof(key), "alice", tok, now));
	assert_true(cgi_csrf_verify(key, sizeof(key), "alice", tok,
	    now + 60));
	/* expired, another user, another key */
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", tok,
	    now + 61));
	assert_false(cgi_csrf_verify(key, sizeof(key), "bob", tok, now));
	assert_false(cgi_csrf_verify(other, sizeof(other), "alice", tok,
	    now));
	/* a changed expiry or MAC, junk */
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[0] = bad[0] == '1' ? '2' : '1';
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", bad, now));
	snprintf(bad, sizeof(bad), "%s", tok);
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", bad, now));
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", "", now));
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", NULL, now));
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", ".", now));
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice",
	    "99999999999999999999999.00", now));
	tok[strlen(tok) - 2] = '\0'; /* truncated */
	assert_false(cgi_csrf_verify(key, sizeof(key), "alice", tok, now));
	/* no user, no key, no room */
	assert_int_equal(cgi_csrf_make(key, sizeof(key), "", now, tok,
	    sizeof(tok)), -EINVAL);
	assert_int_equal(cgi_csrf_make(key, 0, "a", now, tok, sizeof(tok)),
	    -EINVAL);
	assert_int_equal(cgi_csrf_make(key, sizeof(key), "a", now, tok, 20),
	    -EINVAL);
}

static void
test_cgilib_dates(void **state)
{
	char buf[64];

	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(cgi_format_time(1800000000, false, buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "2027-01-15 08:00:00 +00:00");
	assert_int_equal(cgi_format_time(1800000000, true, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "2027-01-15T08:00:00+00:00");
	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	assert_int_equal(cgi_format_time(1800000000, true, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "2027-01-15T13:30:00+05:30");
	assert_int_equal(cgi_format_time(0, true, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "never");
	assert_int_equal(cgi_format_time(1800000000, true, buf, 10), -EINVAL);
	setenv("TZ", "UTC", 1);
	tzset();
}

static char *
write_tmp(const char *text)
{
	char *path = strdup("/tmp/test_cgilib_XXXXXX");
	FILE *f;
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_cgilib_config(void **state)
{
	struct cgi_config c;
	char err[256], *main_cfg, *cgi_cfg, text[1024];

	main_cfg = write_tmp("query_socket=/run/pharos/q.sock\n"
	    "log_file=/var/log/pharos/pharos.log\n");
	snprintf(text, sizeof(text), "# sample\nmain_config_file=%s\n"
	    "authorized_for_all_hosts=admin, ops\n"
	    "date_format=strict-iso8601\ndefault_time_zone=UTC\n"
	    "user_time_zone=alice:Europe/Paris\nrefresh_rate=30\n"
	    "show_context_help=0\n", main_cfg);
	cgi_cfg = write_tmp(text);
	assert_int_equal(cgi_config_load(cgi_cfg, &c, err, sizeof(err)), 0);
	assert_string_equal(c.query_socket, "/run/pharos/q.sock");
	assert_string_equal(c.log_archive_path, "/var/log/pharos/archives");
	assert_true(c.strict_iso8601);
	assert_int_equal(c.refresh_rate, 30);
	assert_true(authz_has(&c.authz, AUTHZ_ALL_HOSTS, "ops"));
	assert_string_equal(cgi_config_time_zone(&c, "alice"), "Europe/Paris");
	assert_string_equal(cgi_config_time_zone(&c, "bob"), "UTC");
	assert_non_null(strstr(c.csrf_secret_file, "csrf.key"));
	cgi_config_free(&c);
	unlink(cgi_cfg);
	free(cgi_cfg);

	/* bad values name the file and line */
	cgi_cfg = write_tmp("refresh_rate=often\n");
	assert_int_equal(cgi_config_load(cgi_cfg, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, ":1: refresh_rate"));
	unlink(cgi_cfg);
	free(cgi_cfg);
	cgi_cfg = write_tmp("\n\ndate_format=us\n");
	assert_int_equal(cgi_config_load(cgi_cfg, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, ":3: date_format"));
	unlink(cgi_cfg);
	free(cgi_cfg);
	cgi_cfg = write_tmp("just words\n");
	assert_int_equal(cgi_config_load(cgi_cfg, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "key=value"));
	unlink(cgi_cfg);
	free(cgi_cfg);
	assert_int_equal(cgi_config_load("/nonexistent/cgi.cfg", &c, err,
	    sizeof(err)), -ENOENT);
	unlink(main_cfg);
	free(main_cfg);
}

static void
test_cgilib_command_lines(void **state)
{
	struct cgi c;
	char line[512], err[128];
	const char *form = "cmd=ack&host=h1&service=web&comment=on+it&sticky=1";

	memset(&c, 0, sizeof(c));
	c.user = "alice";
	c.now = 1800000000;
	assert_int_equal(cgi_form_parse(form, strlen(form), cgi_cmd_allow,
	    &c.form, err, sizeof(err)), 0);
	assert_int_equal(cgi_cmd_line(&c, line, sizeof(line), err,
	    sizeof(err)), 0);
	assert_string_equal(line,
	    "ACKNOWLEDGE_SVC_PROBLEM;h1;web;2;1;1;alice;on it");
	cgi_form_free(&c.form);

	form = "cmd=downtime&host=h1&comment=swap&hours=3";
	assert_int_equal(cgi_form_parse(form, strlen(form), cgi_cmd_allow,
	    &c.form, err, sizeof(err)), 0);
	assert_int_equal(cgi_cmd_line(&c, line, sizeof(line), err,
	    sizeof(err)), 0);
	assert_string_equal(line, "SCHEDULE_HOST_DOWNTIME;h1;1800000000;"
	    "1800010800;1;0;10800;alice;swap");
	cgi_form_free(&c.form);

	/* a ';' in a name would add an argument; no comment; bad hours */
	form = "cmd=recheck&host=h1%3BDEL";
	assert_int_equal(cgi_form_parse(form, strlen(form), cgi_cmd_allow,
	    &c.form, err, sizeof(err)), 0);
	assert_int_equal(cgi_cmd_line(&c, line, sizeof(line), err,
	    sizeof(err)), -EINVAL);
	cgi_form_free(&c.form);
	form = "cmd=ack&host=h1";
	assert_int_equal(cgi_form_parse(form, strlen(form), cgi_cmd_allow,
	    &c.form, err, sizeof(err)), 0);
	assert_int_equal(cgi_cmd_line(&c, line, sizeof(line), err,
	    sizeof(err)), -EINVAL);
	cgi_form_free(&c.form);
	form = "cmd=downtime&host=h1&comment=x&hours=0";
	assert_int_equal(cgi_form_parse(form, strlen(form), cgi_cmd_allow,
	    &c.form, err, sizeof(err)), 0);
	assert_int_equal(cgi_cmd_line(&c, line, sizeof(line), err,
	    sizeof(err)), -EINVAL);
	cgi_form_free(&c.form);
	form = "cmd=reboot&host=h1&comment=x";
	assert_int_equal(cgi_form_parse(form, strlen(form), cgi_cmd_allow,
	    &c.form, err, sizeof(err)), 0);
	assert_int_equal(cgi_cmd_line(&c, line, sizeof(line), err,
	    sizeof(err)), -EINVAL);
	cgi_form_free(&c.form);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgilib_parse_decodes),
		cmocka_unit_test(test_cgilib_parse_refuses),
		cmocka_unit_test(test_cgilib_parse_limits),
		cmocka_unit_test(test_cgilib_escaping),
		cmocka_unit_test(test_cgilib_csrf),
		cmocka_unit_test(test_cgilib_dates),
		cmocka_unit_test(test_cgilib_config),
		cmocka_unit_test(test_cgilib_command_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
