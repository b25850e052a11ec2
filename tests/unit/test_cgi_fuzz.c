/*
 * Fuzz-style test of every CGI: random query strings and POST bodies
 * (hostile bytes, bad escapes, repeated and unknown keys, long values),
 * against a stand-in for pharosd's query socket that answers with hostile
 * names and outputs. Each run must end normally with a "Status:" line;
 * built with --enable-sanitizers (make check-unit in build-san) every run
 * is under ASan and UBSan, and a report fails it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#ifndef TEST_BUILDDIR
#define TEST_BUILDDIR "."
#endif

#define RUNS_GET 40
#define RUNS_POST 12

static const char *const cgis[] = { "overview", "status", "host",
	"problems", "log", "outages", "avail", "process", "api", "map",
	"graph", "capacity" };

struct fx {
	char dir[64];
	char sock[128];
	char cfg[128];
	pid_t server;
	uint64_t rng;
};

static uint64_t
rnd(struct fx *f)
{
	f->rng ^= f->rng << 13;
	f->rng ^= f->rng >> 7;
	f->rng ^= f->rng << 17;
	return f->rng;
}

/* --- the stand-in daemon ------------------------------------------------ */

static const char hostile_host[] = "<script>alert(1)</script>";
static const char hostile_out[] = "\"><img src=x onerror=alert(1)>";

static json_t *
status_data(void)
{
	return json_pack("{s:{s:s, s:i, s:i, s:i, s:i, s:i},"
	    " s:[{s:s, s:s, s:s, s:[], s:[s], s:[s], s:s, s:i, s:b,"
	    "     s:i, s:i},"
	    "    {s:s, s:s, s:s, s:[s], s:[], s:[], s:s, s:i, s:b, s:i,"
	    "     s:o}],"
	    " s:[{s:s, s:s, s:s, s:s, s:b, s:{s:s, s:s}, s:i, s:i, s:i}],"
	    " s:{s:[], s:[]}, s:[{s:s, s:[s]}]}",
	    "program", "version", "0", "pid", 1, "start_time", 1700000000,
	    "now", 1800000000, "hosts", 2, "services", 1,
	    "hosts",
	    "name", "core", "state", "DOWN", "address", "10.0.0.1",
	    "parents", "children", hostile_host, "hostgroups", "core&<g>",
	    "output", hostile_out, "last_state_change", 1799990000,
	    "acknowledged", 0, "scheduled_downtime_depth", 0,
	    "last_check", 1799999990,
	    "name", hostile_host, "state", "UNREACHABLE", "address", "x",
	    "parents", "core", "children", "hostgroups",
	    "output", "\x01\x7f\xff", "last_state_change", 0,
	    "acknowledged", 1, "scheduled_downtime_depth", 1,
	    "snmp", json_pack("{s:s, s:[{s:i, s:s, s:i, s:i}]}", "sysDescr",
	    hostile_out, "interfaces", "index", 1, "name", hostile_host,
	    "admin", 1, "oper", 2),
	    "services",
	    "host", hostile_host, "description", hostile_out, "state",
	    "CRITICAL", "output", hostile_out, "acknowledged", 1,
	    "acknowledgement", "author", hostile_host, "comment", hostile_out,
	    "scheduled_downtime_depth", 0, "current_attempt", 1,
	    "max_attempts", 3,
	    "annotations", "comments", "downtimes",
	    "hostgroups", "name", "core&<g>", "members", "core");
}

static json_t *
answer(const char *op, unsigned n)
{
	if (n % 11 == 10)
		return json_pack("{s:i, s:b, s:s}", "v", 1, "ok", 0, "error",
		    hostile_out);
	if (strcmp(op, "status") == 0) {
		json_t *d = status_data();

		if (n % 3 != 0)
			json_object_set_new(d, "counts", json_pack("{s:{s:{s:i,"
			    " s:i, s:i, s:i}}, s:{s:s}}", "hosts", "DOWN",
			    "total", 2, "unhandled", 1, "acknowledged", 1,
			    "downtime", -1, "services", "OK", "bad"));
		return json_pack("{s:i, s:b, s:o}", "v", 1, "ok", 1, "data", d);
	}
	if (strcmp(op, "log") == 0)
		return json_pack("{s:i, s:b, s:{s:[{s:i, s:s, s:s, s:s},"
		    " {s:i, s:s, s:s, s:s, s:s}], s:s}}", "v", 1, "ok", 1,
		    "data", "lines", "time", 1799000000, "type", "HOST ALERT",
		    "text", hostile_out, "host", hostile_host, "time",
		    1799500000, "type", "SERVICE DOWNTIME ALERT", "text",
		    "x;y;STARTED; z", "host", "x", "service", "y", "error",
		    hostile_out);
	if (strcmp(op, "stats") == 0)
		return json_pack("{s:i, s:b, s:{s:{s:i}, s:{s:{s:i}}}}", "v",
		    1, "ok", 1, "data", "program", "start_time", 1,
		    "hosts", "latency", "count", 3);
	return json_pack("{s:i, s:b, s:{s:b}}", "v", 1, "ok", 1, "data",
	    "done", 1);
}

static void
serve(int ls)
{
	char buf[70000];
	unsigned n = 0;
	int fd;

	for (;;) {
		size_t got = 0;
		json_t *req, *resp;
		char *out;

		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		while (got < sizeof(buf) - 1) {
			ssize_t r = read(fd, buf + got, sizeof(buf) - 1 - got);

			if (r <= 0)
				break;
			got += (size_t)r;
			if (memchr(buf, '\n', got) != NULL)
				break;
		}
		buf[got] = '\0';
		req = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
		resp = answer(json_string_value(json_object_get(req, "op")) ?
		    json_string_value(json_object_get(req, "op")) : "", n++);
		out = json_dumps(resp, JSON_COMPACT);
		if (out != NULL) {
			(void)!write(fd, out, strlen(out));
			(void)!write(fd, "\n", 1);
		}
		free(out);
		json_decref(resp);
		json_decref(req);
		close(fd);
	}
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[160];
	FILE *fp;
	int ls;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_cgi_fuzz.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/q.sock", f->dir);
	snprintf(f->cfg, sizeof(f->cfg), "%s/cgi.cfg", f->dir);
	snprintf(path, sizeof(path), "%s/pharos.cfg", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "query_socket=%s\nlog_file=%s/pharos.log\n"
	    "rrd_dir=%s/rrd\n", f->sock, f->dir, f->dir);
	fclose(fp);
	fp = fopen(f->cfg, "w");
	assert_non_null(fp);
	fprintf(fp, "main_config_file=%s\nauthorized_for_all_hosts=*\n"
	    "authorized_for_system_information=fuzz\n"
	    "csrf_secret_file=%s/csrf.key\n", path, f->dir);
	fclose(fp);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	assert_true(strlen(f->sock) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, f->sock, strlen(f->sock) + 1);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 16), 0);
	f->server = fork();
	assert_true(f->server >= 0);
	if (f->server == 0) {
		alarm(600); /* never outlive the test */
		serve(ls);
		_exit(0);
	}
	close(ls);
	f->rng = 0x9e3779b97f4a7c15ull;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	kill(f->server, SIGTERM);
	waitpid(f->server, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* --- random requests ---------------------------------------------------- */

static const char *const names[] = { "host", "service", "q", "state",
	"show", "sort", "hostgroup", "since", "until", "type", "limit",
	"period", "token", "cmd", "comment", "hours", "sticky", "back", "x",
	"width", "height", "range", "start", "end", "layout", "format",
	"template", "" };
static const char *const values[] = { "core", "<script>", "%", "%zz",
	"%00", "%41%42", "+", "%26", "%3D", "-1d", "now", "2026-11-27",
	"status", "log", "objects", "token", "command", "ack", "downtime",
	"DOWN", "OK", "name", "age", "hosts", "services", "all", "custom",
	"7d", "1", "0", "99999999999999999999", "-5", "%3Cscript%3E",
	"%22%3E%3Cimg", "%E2%82%AC", "%FF%FE", "svg", "png", "tree", "" };

static void
rand_query(struct fx *f, char *out, size_t len)
{
	size_t n = 0, pairs = rnd(f) % 6, i, k;

	out[0] = '\0';
	for (i = 0; i < pairs && n + 64 < len; i++) {
		if (i > 0 || rnd(f) % 17 == 0)
			out[n++] = '&';
		n += (size_t)snprintf(out + n, len - n, "%s%s",
		    names[rnd(f) % (sizeof(names) / sizeof(names[0]))],
		    rnd(f) % 9 == 0 ? "" : "=");
		switch (rnd(f) % 4) {
		case 0: /* random bytes, no NUL */
			for (k = rnd(f) % 40; k > 0 && n + 2 < len; k--)
				out[n++] = (char)(1 + rnd(f) % 255);
			out[n] = '\0';
			break;
		case 1: /* long */
			for (k = rnd(f) % 3000; k > 0 && n + 2 < len; k--)
				out[n++] = 'a';
			out[n] = '\0';
			break;
		default:
			n += (size_t)snprintf(out + n, len - n, "%s",
			    values[rnd(f) % (sizeof(values) /
			    sizeof(values[0]))]);
		}
	}
}

/* Run one CGI; fail on anything but a normal exit with a Status line. */
static void
run_cgi(struct fx *f, const char *cgi, const char *method, const char *qs,
    const char *body)
{
	char prog[512], in[128], out[128], line[64], len[32];
	pid_t pid;
	int st, fd;
	FILE *fp;

	snprintf(prog, sizeof(prog), "%s/cgi/%s.cgi", TEST_BUILDDIR, cgi);
	snprintf(in, sizeof(in), "%s/in", f->dir);
	snprintf(out, sizeof(out), "%s/out", f->dir);
	fp = fopen(in, "w");
	assert_non_null(fp);
	fputs(body != NULL ? body : "", fp);
	fclose(fp);
	snprintf(len, sizeof(len), "%zu", body != NULL ? strlen(body) : 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		clearenv();
		setenv("REMOTE_USER", rnd(f) % 5 == 0 ? "" : "fuzz", 1);
		setenv("REQUEST_METHOD", method, 1);
		setenv("QUERY_STRING", qs, 1);
		setenv("PHAROS_CGI_CONFIG", f->cfg, 1);
		setenv("TZ", "Europe/Paris", 1);
		setenv("PATH", "/usr/bin:/bin", 1);
		if (getenv("ASAN_OPTIONS") == NULL)
			setenv("ASAN_OPTIONS", "detect_leaks=1", 1);
		if (body != NULL) {
			setenv("CONTENT_TYPE", rnd(f) % 7 == 0 ? "text/plain" :
			    "application/x-www-form-urlencoded", 1);
			setenv("CONTENT_LENGTH", rnd(f) % 9 == 0 ? "x" : len,
			    1);
		}
		fd = open(in, O_RDONLY);
		dup2(fd, 0);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("%s.cgi %s '%s' body '%s': %s %d", cgi, method, qs,
		    body != NULL ? body : "", WIFEXITED(st) ? "exit" : "signal",
		    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	fp = fopen(out, "r");
	assert_non_null(fp);
	if (fgets(line, sizeof(line), fp) == NULL ||
	    strncmp(line, "Status: ", 8) != 0)
		fail_msg("%s.cgi '%s': no Status line", cgi, qs);
	fclose(fp);
}

static void
test_cgi_fuzz_every_cgi(void **state)
{
	struct fx *f = *state;
	char qs[8192], body[8192], prog[512];
	size_t c, i, ran = 0;

	for (c = 0; c < sizeof(cgis) / sizeof(cgis[0]); c++) {
		snprintf(prog, sizeof(prog), "%s/cgi/%s.cgi", TEST_BUILDDIR,
		    cgis[c]);
		if (access(prog, X_OK) != 0) {
			print_message("not built, skipped: %s\n", prog);
			continue;
		}
		ran++;
		run_cgi(f, cgis[c], "GET", "", NULL);
		for (i = 0; i < RUNS_GET; i++) {
			rand_query(f, qs, sizeof(qs));
			run_cgi(f, cgis[c], rnd(f) % 13 == 0 ? "DELETE" : "GET",
			    qs, NULL);
		}
		for (i = 0; i < RUNS_POST; i++) {
			rand_query(f, qs, sizeof(qs));
			rand_query(f, body, sizeof(body));
			run_cgi(f, cgis[c], "POST", rnd(f) % 2 ? qs : "",
			    body);
		}
	}
	assert_true(ran >= 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cgi_fuzz_every_cgi, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
