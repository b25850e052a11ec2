/*
 * test_conf_snmp: a host's snmp_* keys. Good settings land in host->snmp
 * with $USERn$ secrets expanded; every kind of bad value is an error at the
 * line of its key; a host without the keys keeps host->snmp NULL.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "snmp.h"

struct fx {
	char dir[64];
	char main[128], obj[128], res[128];
	struct config *cfg;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_conf_snmp.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->main, sizeof(f->main), "%s/main.cfg", f->dir);
	snprintf(f->obj, sizeof(f->obj), "%s/hosts.cfg", f->dir);
	snprintf(f->res, sizeof(f->res), "%s/resource.cfg", f->dir);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	conf_free(f->cfg);
	unlink(f->main);
	unlink(f->obj);
	unlink(f->res);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
fx_write(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load one host whose body lines are given (host starts at line 1, its
 * first body line is line 5). */
static struct config *
fx_host(struct fx *f, const char *body)
{
	char buf[4096], mainbuf[512];

	fx_write(f->res, "$USER1$=/usr/lib/nagios/plugins\n"
	    "$USER5$=s3cret-community\n$USER6$=longenoughpass\n");
	snprintf(mainbuf, sizeof(mainbuf), "resource_file=%s\ncfg_file=%s\n",
	    f->res, f->obj);
	fx_write(f->main, mainbuf);
	snprintf(buf, sizeof(buf), "define host {\n"
	    "  host_name sw1\n"
	    "  address 192.0.2.1\n  max_check_attempts 3\n"
	    "%s}\n", body);
	fx_write(f->obj, buf);
	conf_free(f->cfg);
	f->cfg = NULL;
	assert_int_equal(conf_load(f->main, &f->cfg), 0);
	return f->cfg;
}

static const struct conf_msg *
fx_err(const struct config *cfg, int line, const char *text)
{
	size_t i;

	for (i = 0; i < cfg->nmsgs; i++) {
		const struct conf_msg *m = &cfg->msgs[i];

		if (m->level == CONF_ERROR && m->line == line &&
		    strstr(m->text, text) != NULL)
			return m;
	}
	conf_print_msgs(cfg, stderr);
	return NULL;
}

static void
test_no_keys_no_target(void **state)
{
	struct config *cfg = fx_host(*state, "");

	assert_int_equal(cfg->nerrors, 0);
	assert_null(cfg->objects.hosts[0]->snmp);
	assert_null(cfg->objects.hosts[0]->device_profile);
}

static void
test_v2c_with_user_macro(void **state)
{
	struct config *cfg = fx_host(*state,
	    "  snmp_community $USER5$\n  snmp_port 1161\n"
	    "  snmp_timeout 0.5\n  snmp_retries 3\n"
	    "  snmp_max_repetitions 25\n  device_profile switch\n");
	const struct snmp_target *t;

	assert_int_equal(cfg->nerrors, 0);
	t = cfg->objects.hosts[0]->snmp;
	assert_non_null(t);
	assert_int_equal(t->version, SNMP_V2C);
	assert_string_equal(t->community, "s3cret-community");
	assert_int_equal(t->port, 1161);
	assert_int_equal(t->timeout_ns, 500000000);
	assert_int_equal(t->retries, 3);
	assert_int_equal(t->bulk_reps, 25);
	assert_string_equal(t->addr, "");
	assert_string_equal(cfg->objects.hosts[0]->device_profile, "switch");
}

static void
test_v3_authpriv(void **state)
{
	struct config *cfg = fx_host(*state,
	    "  snmp_version 3\n  snmp_v3_user monitor\n"
	    "  snmp_v3_auth_proto SHA-256\n  snmp_v3_auth_pass $USER6$\n"
	    "  snmp_v3_priv_proto AES\n  snmp_v3_priv_pass pr1vpass!\n"
	    "  snmp_v3_engine_id 0x80001f8880c71100000000\n");
	const struct snmp_target *t;

	assert_int_equal(cfg->nerrors, 0);
	t = cfg->objects.hosts[0]->snmp;
	assert_non_null(t);
	assert_int_equal(t->version, SNMP_V3);
	assert_string_equal(t->user, "monitor");
	assert_int_equal(t->seclevel, SNMP_AUTHPRIV);
	assert_int_equal(t->auth, SNMP_AUTH_SHA256);
	assert_string_equal(t->auth_pass, "longenoughpass");
	assert_int_equal(t->priv, SNMP_PRIV_AES);
	assert_string_equal(t->priv_pass, "pr1vpass!");
	assert_string_equal(t->engine_id, "80001f8880c71100000000");
}

static void
test_v3_authnopriv_defaults_sha(void **state)
{
	struct config *cfg = fx_host(*state,
	    "  snmp_version 3\n  snmp_v3_user monitor\n"
	    "  snmp_v3_auth_pass 12345678\n");
	const struct snmp_target *t;

	assert_int_equal(cfg->nerrors, 0);
	t = cfg->objects.hosts[0]->snmp;
	assert_int_equal(t->seclevel, SNMP_AUTHNOPRIV);
	assert_int_equal(t->auth, SNMP_AUTH_SHA);
}

/* Each bad value: one error, at the line of its key. */
static void
test_bad_values(void **state)
{
	static const struct {
		const char *body;
		int line;
		const char *text;
	} cases[] = {
		{ "  snmp_version 4\n", 5, "is not 1, 2c or 3" },
		{ "  snmp_version 3\n  snmp_v3_user u\n"
		  "  snmp_v3_auth_pass short\n", 7,
		  "shorter than 8 characters" },
		{ "  snmp_version 3\n  snmp_v3_user u\n"
		  "  snmp_v3_auth_pass longenough\n"
		  "  snmp_v3_priv_pass 1234567\n", 8,
		  "shorter than 8 characters" },
		{ "  snmp_version 3\n  snmp_v3_user u\n"
		  "  snmp_v3_auth_proto SHA-999\n"
		  "  snmp_v3_auth_pass longenough\n", 7,
		  "unknown protocol 'SHA-999'" },
		{ "  snmp_version 3\n  snmp_v3_user u\n"
		  "  snmp_v3_auth_pass longenough\n"
		  "  snmp_v3_priv_proto 3DES\n  snmp_v3_priv_pass longenough\n",
		  8, "unknown protocol '3DES'" },
		{ "  snmp_version 3\n", 5, "needs snmp_v3_user" },
		{ "  snmp_version 3\n  snmp_v3_user u\n"
		  "  snmp_v3_priv_pass longenough\n", 7,
		  "privacy needs authentication" },
		{ "  snmp_community $USER9$\n", 5,
		  "$USER9$ is not set by any resource_file" },
		{ "  snmp_version 3\n  snmp_v3_user u\n"
		  "  snmp_v3_engine_id 0x12zz\n", 7, "expected 5 to 32 bytes" },
		{ "  snmp_port 70000\n", 5, "snmp_port" },
		{ "  snmp_retries many\n", 5, "snmp_retries" },
		{ "  snmp_timeout 0\n", 5, "snmp_timeout" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg = fx_host(*state, cases[i].body);

		if (cfg->nerrors != 1 ||
		    fx_err(cfg, cases[i].line, cases[i].text) == NULL)
			fail_msg("case %zu: expected one error at line %d "
			    "with \"%s\", got %u errors", i, cases[i].line,
			    cases[i].text, cfg->nerrors);
	}
}

/* A v3 passphrase is not echoed into the error message. */
static void
test_secret_not_in_message(void **state)
{
	struct config *cfg = fx_host(*state,
	    "  snmp_version 3\n  snmp_v3_user u\n"
	    "  snmp_v3_auth_pass abc12\n");
	size_t i;

	assert_int_equal(cfg->nerrors, 1);
	for (i = 0; i < cfg->nmsgs; i++)
		assert_null(strstr(cfg->msgs[i].text, "abc12"));
}

/* The built-in snmp commands exist and cannot be redefined silently. */
static void
test_builtin_commands(void **state)
{
	struct config *cfg = fx_host(*state, "  check_command snmp_if!eth0\n");

	assert_int_equal(cfg->nerrors, 0);
	assert_string_equal(cfg->objects.hosts[0]->check.command->name,
	    "snmp_if");
}

/* Bad arguments of the built-in SNMP checks are errors of pharosd -v. */
static void
test_bad_check_arguments(void **state)
{
	static const struct {
		const char *cmd;
		const char *text;
	} cases[] = {
		{ "snmp!.1.3.6.1.2.1.1.3.0!10:5",
		  "start 10 is greater than end 5" },
		{ "snmp", "invalid arguments for the snmp check" },
		{ "snmp!.1.3.6.1.2.1.1.3.0!!!!!bogus",
		  "invalid arguments for the snmp check" },
		{ "snmp_if", "invalid arguments for the snmp_if check" },
		{ "snmp_if!eth0!abc",
		  "invalid arguments for the snmp_if check" },
	};
	char body[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg;

		snprintf(body, sizeof(body), "  check_command %s\n",
		    cases[i].cmd);
		cfg = fx_host(*state, body);
		if (cfg->nerrors != 1 || fx_err(cfg, 1, cases[i].text) == NULL)
			fail_msg("case %zu (%s): expected one error: %s", i,
			    cases[i].cmd, cases[i].text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_keys_no_target,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_v2c_with_user_macro,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_v3_authpriv, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_v3_authnopriv_defaults_sha,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, fx_setup,
		    fx_teardown),
		cmocka_unit_test_setup_teardown(test_secret_not_in_message,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_builtin_commands,
		    fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_check_arguments,
		    fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
