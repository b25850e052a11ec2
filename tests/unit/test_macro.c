/*
 * Unit tests for the macro expander: every macro, $ARGn$ and $USERn$,
 * custom variables, unknown macros, the split into argv, the shell
 * decision, and tainted values that must never become shell syntax (the
 * shell lines are run for real with /bin/sh to prove it).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"

struct fixture {
	struct host host;
	struct service svc;
	struct custom_var hvars[2];
	struct custom_var svars[1];
	char *args[MACRO_MAX_ARGS];
	struct check_spec spec;
	char *user[MACRO_MAX_USER];
	struct macro_ctx ctx;
	struct macro_argv av;
	char err[256];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->hvars[0].name = (char *)(uintptr_t)"SNMP_COMMUNITY";
	f->hvars[0].value = (char *)(uintptr_t)"s3cret";
	f->hvars[1].name = (char *)(uintptr_t)"RACK";
	f->hvars[1].value = (char *)(uintptr_t)"R12 top";
	f->svars[0].name = (char *)(uintptr_t)"PORT";
	f->svars[0].value = (char *)(uintptr_t)"8080";

	f->host.name = (char *)(uintptr_t)"core-sw1";
	f->host.alias = (char *)(uintptr_t)"Core switch";
	f->host.display_name = (char *)(uintptr_t)"Core-1";
	f->host.address = (char *)(uintptr_t)"192.0.2.1";
	f->host.address6 = (char *)(uintptr_t)"2001:db8::1";
	f->host.max_check_attempts = 5;
	f->host.vars = f->hvars;
	f->host.nvars = 2;
	f->host.st.state = HOST_DOWN;
	f->host.st.state_type = STATE_SOFT;
	f->host.st.current_attempt = 2;
	f->host.st.output = (char *)(uintptr_t)"PING CRITICAL - loss 100%";
	f->host.st.long_output = (char *)(uintptr_t)"line2\nline3";
	f->host.st.perfdata = (char *)(uintptr_t)"rta=0.1ms;1;2";

	f->svc.host = &f->host;
	f->svc.description = (char *)(uintptr_t)"HTTP";
	f->svc.max_check_attempts = 3;
	f->svc.vars = f->svars;
	f->svc.nvars = 1;
	f->svc.st.state = SERVICE_WARNING;
	f->svc.st.state_type = STATE_HARD;
	f->svc.st.current_attempt = 3;
	f->svc.st.output = (char *)(uintptr_t)"HTTP WARNING";
	f->svc.st.long_output = NULL;
	f->svc.st.perfdata = (char *)(uintptr_t)"time=1s";

	f->spec.args = f->args;
	f->user[0] = (char *)(uintptr_t)"/usr/lib/nagios/plugins";
	f->user[255] = (char *)(uintptr_t)"last";

	f->ctx.service = &f->svc;
	f->ctx.spec = &f->spec;
	f->ctx.user_macros = f->user;
	f->ctx.nuser_macros = MACRO_MAX_USER;
	f->ctx.now = 1700000000;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	macro_argv_free(&f->av);
	free(f);
	return 0;
}

static void
set_args(struct fixture *f, size_t n, ...)
{
	va_list ap;
	size_t i;

	va_start(ap, n);
	for (i = 0; i < n; i++)
		f->args[i] = (char *)(uintptr_t)va_arg(ap, const char *);
	va_end(ap);
	f->spec.nargs = n;
}

/* Expand line into f->av (freed first); returns macro_command()'s
 * value. */
static int
expand(struct fixture *f, const char *line)
{
	macro_argv_free(&f->av);
	return macro_command(&f->ctx, line, &f->av, f->err, sizeof(f->err));
}

/* Expand line (must succeed) and compare argv with the NULL-terminated
 * list of expected words (none given: only the shell flag is checked). */
static void
expect_argv(struct fixture *f, const char *line, bool shell, ...)
{
	const char *w;
	va_list ap;
	size_t i = 0;

	assert_int_equal(expand(f, line), 0);
	assert_int_equal(f->av.shell, shell);
	va_start(ap, shell);
	while ((w = va_arg(ap, const char *)) != NULL) {
		assert_true(i < f->av.argc);
		assert_string_equal(f->av.argv[i], w);
		i++;
	}
	va_end(ap);
	assert_null(f->av.argv[f->av.argc]);
	if (i > 0)
		assert_int_equal(f->av.argc, i);
}

/* Expand line and return whether it needs the shell. */
static bool
needs_shell(struct fixture *f, const char *line)
{
	assert_int_equal(expand(f, line), 0);
	return f->av.shell;
}

/* Run a shell line for real and return its stdout (static buffer). */
static const char *
run_sh(const char *line)
{
	static char out[4096];
	size_t n;
	FILE *fp;

	fp = popen(line, "r");
	assert_non_null(fp);
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = '\0';
	assert_int_equal(pclose(fp), 0);
	return out;
}

/* ---- macros ---- */

static void
test_macro_host_macros(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $HOSTNAME$ $HOSTALIAS$ $HOSTADDRESS$ "
	    "$HOSTADDRESS6$ $HOSTDISPLAYNAME$ $HOSTSTATE$ $HOSTSTATEID$ "
	    "$HOSTSTATETYPE$ $HOSTATTEMPT$ $MAXHOSTATTEMPTS$", false,
	    "/x", "core-sw1", "Core", "switch", "192.0.2.1", "2001:db8::1",
	    "Core-1", "DOWN", "1", "SOFT", "2", "5", NULL);
}

static void
test_macro_host_output_macros_are_single_words(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $HOSTOUTPUT$ $LONGHOSTOUTPUT$ $HOSTPERFDATA$",
	    false, "/x", "PING CRITICAL - loss 100%", "line2\nline3",
	    "rta=0.1ms;1;2", NULL);
}

static void
test_macro_service_macros(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $SERVICEDESC$ $SERVICEDISPLAYNAME$ $SERVICESTATE$ "
	    "$SERVICESTATEID$ $SERVICESTATETYPE$ $SERVICEATTEMPT$ "
	    "$MAXSERVICEATTEMPTS$ $SERVICEOUTPUT$ $LONGSERVICEOUTPUT$ "
	    "$SERVICEPERFDATA$", false,
	    "/x", "HTTP", "HTTP", "WARNING", "1", "HARD", "3", "3",
	    "HTTP WARNING", "", "time=1s", NULL);
}

static void
test_macro_time_macros(void **state)
{
	struct fixture *f = *state;

	setenv("TZ", "UTC", 1);
	tzset();
	expect_argv(f, "/x $TIMET$ '$LONGDATETIME$'", false, "/x",
	    "1700000000", "Tue Nov 14 22:13:20 UTC 2023", NULL);
}

static void
test_macro_host_check_has_empty_service_macros(void **state)
{
	struct fixture *f = *state;

	f->ctx.service = NULL;
	f->ctx.host = &f->host;
	expect_argv(f, "/x a$SERVICEDESC$b $SERVICESTATEID$ $HOSTNAME$",
	    false, "/x", "ab", "core-sw1", NULL);
}

static void
test_macro_args(void **state)
{
	struct fixture *f = *state;

	set_args(f, 3, "-w 80 -c 90", "a!b", "'two words'");
	expect_argv(f, "$USER1$/check_foo $ARG1$ --x=$ARG2$ $ARG3$ "
	    "[$ARG4$] $ARG32$", true, NULL);
	/* The [ ] made it a shell line; without them it is argv. */
	expect_argv(f, "$USER1$/check_foo $ARG1$ --x=$ARG2$ $ARG3$ "
	    "<$ARG4$>", true, NULL);
	expect_argv(f, "$USER1$/check_foo $ARG1$ --x=$ARG2$ $ARG3$ "
	    "x$ARG4$y $ARG32$", false, "/usr/lib/nagios/plugins/check_foo",
	    "-w", "80", "-c", "90", "--x=a!b", "two words", "xy", NULL);
}

static void
test_macro_args_expand_macros_once(void **state)
{
	struct fixture *f = *state;

	set_args(f, 2, "$HOSTADDRESS$:$_SERVICEPORT$", "$ARG1$");
	expect_argv(f, "/x -H $ARG1$ $ARG2$", false, "/x", "-H",
	    "192.0.2.1:8080", "$ARG1$", NULL);
	assert_int_equal(f->av.nunknown, 1);
	assert_string_equal(f->av.unknown[0], "$ARG1$");
}

static void
test_macro_arg_out_of_range_is_unknown(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $ARG33$ $ARG0$", false, "/x", "$ARG33$", "$ARG0$",
	    NULL);
	assert_int_equal(f->av.nunknown, 2);
}

static void
test_macro_user_macros(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $USER1$ a$USER2$b $USER256$ $USER257$ $USER0$",
	    false, "/x", "/usr/lib/nagios/plugins", "ab", "last", "$USER257$",
	    "$USER0$", NULL);
	assert_int_equal(f->av.nunknown, 2);
}

static void
test_macro_custom_vars(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x -C $_HOSTSNMP_COMMUNITY$ -C $_HOSTsnmp_community$ "
	    "\"$_HOSTRACK$\" -p $_SERVICEPORT$", false, "/x", "-C", "s3cret",
	    "-C", "s3cret", "R12 top", "-p", "8080", NULL);
}

static void
test_macro_missing_custom_var_is_unknown(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $_HOSTNOPE$ $_SERVICENOPE$", false, "/x",
	    "$_HOSTNOPE$", "$_SERVICENOPE$", NULL);
	assert_int_equal(f->av.nunknown, 2);
}

static void
test_macro_dollar_dollar_is_a_dollar(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/usr/bin/awk '{print $$1}' x$$", false,
	    "/usr/bin/awk", "{print $1}", "x$", NULL);
	/* Unquoted, it is a shell variable: the shell is needed. */
	assert_true(needs_shell(f, "/bin/echo $$HOME"));
	assert_true(needs_shell(f, "/bin/echo \"$$HOME\""));
	assert_false(needs_shell(f, "/bin/echo '$$HOME'"));
	/* A lone '$' that starts no macro stays text. */
	expect_argv(f, "/x 5$ $ a", false, "/x", "5$", "$", "a", NULL);
}

static void
test_macro_unknown_left_and_reported_once(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x $FOO$ $FOO$ -b$BAR$", false, "/x", "$FOO$",
	    "$FOO$", "-b$BAR$", NULL);
	assert_int_equal(f->av.nunknown, 2);
	assert_string_equal(f->av.unknown[0], "$FOO$");
	assert_string_equal(f->av.unknown[1], "$BAR$");
	/* An unknown macro is literal: in a shell line it is quoted. */
	expect_argv(f, "/bin/echo $FOO$ | /bin/cat", true, "/bin/sh", "-c",
	    "/bin/echo '$FOO$' | /bin/cat", NULL);
	assert_string_equal(run_sh(f->av.argv[2]), "$FOO$\n");
}

static void
test_macro_extra_vars(void **state)
{
	struct fixture *f = *state;
	const struct macro_var vars[] = {
		{ "TRAPOID", ".1.3.6.1.6.3.1.1.5.3", false },
		{ "TRAPVALUE", "eth0 `down`; $(x)", true },
	};

	f->ctx.vars = vars;
	f->ctx.nvars = 2;
	expect_argv(f, "/x $TRAPOID$ $TRAPVALUE$", false, "/x",
	    ".1.3.6.1.6.3.1.1.5.3", "eth0 down; (x)", NULL);
}

/* ---- splitting and quoting ---- */

static void
test_macro_quotes_and_escapes(void **state)
{
	struct fixture *f = *state;

	expect_argv(f, "/x 'b c' \"d e\" f\\ g \"h\\\"i\" 'j\\k' \"l\\m\" '' "
	    "a'b'\"c\"d  \t x\\;y", false,
	    "/x", "b c", "d e", "f g", "h\"i", "j\\k", "l\\m", "", "abcd",
	    "x;y", NULL);
}

static void
test_macro_unbalanced_quote_is_an_error(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(expand(f, "/x 'abc"), -EINVAL);
	assert_non_null(strstr(f->err, "single quote"));
	assert_null(f->av.argv);
	set_args(f, 1, "\"oops");
	assert_int_equal(expand(f, "/x $ARG1$"), -EINVAL);
	assert_non_null(strstr(f->err, "double quote"));
}

static void
test_macro_empty_line_is_an_error(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(expand(f, "  $ARG1$ "), -EINVAL);
	assert_non_null(strstr(f->err, "empty"));
	assert_int_equal(expand(f, NULL), -EINVAL);
}

static void
test_macro_shell_needed_or_not(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *line;
		bool shell;
	} cases[] = {
		{ "/x a b", false },
		{ "/x 'a|b' \"c;d\" e\\&f", false },
		{ "/x b~c d#e f=g", false },
		{ "/x | /y", true },
		{ "/x; /y", true },
		{ "/x && /y", true },
		{ "/x & ", true },
		{ "/x > /dev/null", true },
		{ "/x 2>&1", true },
		{ "/x < /dev/null", true },
		{ "/x $(id)", true },
		{ "/x `id`", true },
		{ "/x \"`id`\"", true },
		{ "/x \"$(id)\"", true },
		{ "/x *.c", true },
		{ "/x a?", true },
		{ "/x [ab]", true },
		{ "~/bin/x", true },
		{ "/x ~", true },
		{ "/x # comment", true },
		{ "FOO=1 /x", true },
		{ "/x (a)", true },
		{ "/x\n/y", true },
		{ "/x 'a\nb'", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (needs_shell(f, cases[i].line) != cases[i].shell)
			fail_msg("'%s': shell %d expected", cases[i].line,
			    cases[i].shell);
	}
	/* The shell line is the line as written. */
	expect_argv(f, "/bin/echo a  'b c' 2>&1", true, "/bin/sh", "-c",
	    "/bin/echo a  'b c' 2>&1", NULL);
}

/* ---- tainted values ---- */

#define EVIL "x; touch %s/pwned1 `touch %s/pwned2` $(touch %s/pwned3) " \
	"'q' \"d\" <a> |b& ~ (touch %s/pwned4)"
#define EVIL_CLEAN "x; touch %s/pwned1 touch %s/pwned2 (touch %s/pwned3) " \
	"q d a b  (touch %s/pwned4)"

static void
evil_output(char *buf, size_t len, bool clean, const char *dir)
{
	if (clean)
		snprintf(buf, len, EVIL_CLEAN, dir, dir, dir, dir);
	else
		snprintf(buf, len, EVIL, dir, dir, dir, dir);
}

static void
assert_not_pwned(const char *dir)
{
	char path[512];
	struct stat sb;
	int i;

	for (i = 1; i <= 4; i++) {
		snprintf(path, sizeof(path), "%s/pwned%d", dir, i);
		assert_int_equal(stat(path, &sb), -1);
	}
}

static void
test_macro_tainted_values_are_stripped_and_literal(void **state)
{
	struct fixture *f = *state;
	char dir[] = "/tmp/pharos-macro-XXXXXX";
	char evil[512], clean[512], want[600];

	assert_non_null(mkdtemp(dir));
	evil_output(evil, sizeof(evil), false, dir);
	evil_output(clean, sizeof(clean), true, dir);
	f->svc.st.output = evil;

	/* Direct execution: one word, exactly the stripped text. */
	expect_argv(f, "/bin/echo $SERVICEOUTPUT$", false, "/bin/echo", clean,
	    NULL);

	/* Shell lines: unquoted, after a backslash, in double quotes, in
	 * single quotes. The value reaches the command as literal text. */
	snprintf(want, sizeof(want), "%s\n", clean);
	expect_argv(f, "/bin/echo $SERVICEOUTPUT$ | /bin/cat", true, NULL);
	assert_non_null(strstr(f->av.argv[2], "/bin/echo 'x; touch"));
	assert_string_equal(run_sh(f->av.argv[2]), want);
	expect_argv(f, "/bin/echo \\$SERVICEOUTPUT$ | /bin/cat", true, NULL);
	assert_string_equal(run_sh(f->av.argv[2]), want);

	snprintf(want, sizeof(want), "out: %s .\n", clean);
	expect_argv(f, "/bin/echo \"out: $SERVICEOUTPUT$ .\" | /bin/cat", true,
	    NULL);
	assert_string_equal(run_sh(f->av.argv[2]), want);
	expect_argv(f, "/bin/echo 'out: $SERVICEOUTPUT$ .' | /bin/cat", true,
	    NULL);
	assert_string_equal(run_sh(f->av.argv[2]), want);

	assert_not_pwned(dir);
	rmdir(dir);
}

static void
test_macro_tainted_value_never_triggers_the_shell(void **state)
{
	struct fixture *f = *state;

	f->svc.st.output = (char *)(uintptr_t)"a;b (c) * ? [d] #e\nf";
	expect_argv(f, "/x $SERVICEOUTPUT$", false, "/x",
	    "a;b (c) * ? [d] #e\nf", NULL);
	f->svc.st.output = NULL;
	expect_argv(f, "/x $SERVICEOUTPUT$ y", false, "/x", "", "y", NULL);
}

static void
test_macro_trusted_values_are_spliced_like_nagios(void **state)
{
	struct fixture *f = *state;

	set_args(f, 1, "'/var/log/x y' | /usr/bin/wc -l");
	expect_argv(f, "/bin/cat $ARG1$", true, "/bin/sh", "-c",
	    "/bin/cat '/var/log/x y' | /usr/bin/wc -l", NULL);
}

/* ---- bounds ---- */

static void
test_macro_size_bound(void **state)
{
	struct fixture *f = *state;
	char *big;

	big = malloc(MACRO_MAX_LINE + 1);
	assert_non_null(big);
	memset(big, 'a', MACRO_MAX_LINE);
	big[MACRO_MAX_LINE] = '\0';
	set_args(f, 1, big);
	assert_int_equal(expand(f, "/x $ARG1$"), -E2BIG);
	assert_non_null(strstr(f->err, "longer than"));
	assert_null(f->av.argv);

	big[MACRO_MAX_LINE - 3] = '\0'; /* "/x " + value fits exactly */
	expect_argv(f, "/x $ARG1$", false, "/x", big, NULL);

	/* The shell line is bounded too: quoting makes it longer than the
	 * expanded text (2 quotes per literal value). */
	{
		char line[256] = "/x $SERVICEOUTPUT$";
		int k;

		for (k = 0; k < 15; k++)
			strncat(line, "$FOO$", sizeof(line) - strlen(line) - 1);
		strncat(line, "|/y", sizeof(line) - strlen(line) - 1);
		memset(big, 'a', MACRO_MAX_LINE - 100);
		big[MACRO_MAX_LINE - 100] = '\0';
		f->svc.st.output = big;
		assert_int_equal(expand(f, line), -E2BIG);
		/* Without the pipe, the same words run directly. */
		line[strlen(line) - 3] = '\0';
		expect_argv(f, line, false, NULL);
		assert_int_equal(f->av.argc, 2);
	}
	free(big);
}

static void
test_macro_strip_illegal(void **state)
{
	char s[] = "a`b~c$d&e|f'g\"h<i>j";

	assert_int_equal(macro_strip_illegal(s), 10);
	assert_string_equal(s, "abcdefghij");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_macro_host_macros),
		T(test_macro_host_output_macros_are_single_words),
		T(test_macro_service_macros),
		T(test_macro_time_macros),
		T(test_macro_host_check_has_empty_service_macros),
		T(test_macro_args),
		T(test_macro_args_expand_macros_once),
		T(test_macro_arg_out_of_range_is_unknown),
		T(test_macro_user_macros),
		T(test_macro_custom_vars),
		T(test_macro_missing_custom_var_is_unknown),
		T(test_macro_dollar_dollar_is_a_dollar),
		T(test_macro_unknown_left_and_reported_once),
		T(test_macro_extra_vars),
		T(test_macro_quotes_and_escapes),
		T(test_macro_unbalanced_quote_is_an_error),
		T(test_macro_empty_line_is_an_error),
		T(test_macro_shell_needed_or_not),
		T(test_macro_tainted_values_are_stripped_and_literal),
		T(test_macro_tainted_value_never_triggers_the_shell),
		T(test_macro_trusted_values_are_spliced_like_nagios),
		T(test_macro_size_bound),
		T(test_macro_strip_illegal),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
