/* Unit tests of cgi.cfg rights and contact visibility (src/authz.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "authz.h"
#include "objects.h"

/* Two tenants: alice is a contact of host a (through a group, flattened
 * as the loader does), bob of host b; carol only of service b/web. */
struct fixture {
	struct contact alice, bob, carol, *all[3];
	struct contact *a_contacts[1], *b_contacts[1], *web_contacts[1];
	struct host a, b;
	struct service a_ping, b_web;
	struct objects o;
};

static struct fixture *
fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->alice.name = (char *)"alice";
	f->bob.name = (char *)"bob";
	f->carol.name = (char *)"carol";
	f->alice.can_submit_commands = true;
	f->bob.can_submit_commands = true;
	f->carol.can_submit_commands = false;
	f->all[0] = &f->alice;
	f->all[1] = &f->bob;
	f->all[2] = &f->carol;
	f->a_contacts[0] = &f->alice;
	f->b_contacts[0] = &f->bob;
	f->web_contacts[0] = &f->carol;
	f->a.name = (char *)"a";
	f->a.contacts = f->a_contacts;
	f->a.ncontacts = 1;
	f->b.name = (char *)"b";
	f->b.contacts = f->b_contacts;
	f->b.ncontacts = 1;
	f->a_ping.host = &f->a;
	f->a_ping.description = (char *)"ping";
	f->b_web.host = &f->b;
	f->b_web.description = (char *)"web";
	f->b_web.contacts = f->web_contacts;
	f->b_web.ncontacts = 1;
	f->o.contacts = f->all;
	f->o.ncontacts = 3;
	return f;
}

static void
test_authz_contacts_see_their_own_only(void **state)
{
	struct fixture *f = fixture_new();
	struct authz_cfg c;

	authz_cfg_init(&c);
	assert_true(authz_host_visible(&c, "alice", &f->a));
	assert_false(authz_host_visible(&c, "alice", &f->b));
	assert_true(authz_service_visible(&c, "alice", &f->a_ping));
	assert_false(authz_service_visible(&c, "alice", &f->b_web));
	/* a host's contact sees all of its services */
	assert_true(authz_service_visible(&c, "bob", &f->b_web));
	/* a service's contact sees the service, not the host */
	assert_true(authz_service_visible(&c, "carol", &f->b_web));
	assert_false(authz_host_visible(&c, "carol", &f->b));
	/* nobody, empty and unknown users see nothing */
	assert_false(authz_host_visible(&c, NULL, &f->a));
	assert_false(authz_host_visible(&c, "", &f->a));
	assert_false(authz_host_visible(&c, "mallory", &f->a));
	free(f);
}

static void
test_authz_lists_parse_and_star(void **state)
{
	struct fixture *f = fixture_new();
	struct authz_cfg c;

	authz_cfg_init(&c);
	assert_int_equal(authz_cfg_set(&c, "authorized_for_all_hosts",
	    " admin , ops,,"), 1);
	assert_int_equal(c.nusers[AUTHZ_ALL_HOSTS], 2);
	assert_string_equal(c.users[AUTHZ_ALL_HOSTS][0], "admin");
	assert_string_equal(c.users[AUTHZ_ALL_HOSTS][1], "ops");
	assert_int_equal(authz_cfg_set(&c, "main_config_file", "x"), 0);
	assert_true(authz_host_visible(&c, "ops", &f->b));
	assert_true(authz_service_visible(&c, "ops", &f->b_web));
	assert_false(authz_host_visible(&c, "opsx", &f->b));
	/* a later line replaces the list */
	assert_int_equal(authz_cfg_set(&c, "authorized_for_all_hosts", "*"),
	    1);
	assert_true(authz_host_visible(&c, "anyone", &f->b));
	assert_false(authz_host_visible(&c, "", &f->b));
	assert_false(authz_has(&c, AUTHZ_ALL_SERVICES, "anyone"));
	authz_cfg_free(&c);
	assert_int_equal(c.nusers[AUTHZ_ALL_HOSTS], 0);
	free(f);
}

static void
test_authz_commands(void **state)
{
	struct fixture *f = fixture_new();
	struct authz_cfg c;

	authz_cfg_init(&c);
	assert_true(authz_host_command(&c, &f->o, "alice", &f->a));
	assert_false(authz_host_command(&c, &f->o, "alice", &f->b));
	assert_true(authz_service_command(&c, &f->o, "bob", &f->b_web));
	/* carol sees b/web but may not submit commands */
	assert_false(authz_service_command(&c, &f->o, "carol", &f->b_web));
	assert_int_equal(authz_cfg_set(&c,
	    "authorized_for_all_host_commands", "ops"), 1);
	assert_true(authz_host_command(&c, &f->o, "ops", &f->b));
	assert_false(authz_service_command(&c, &f->o, "ops", &f->b_web));
	assert_int_equal(authz_cfg_set(&c, "authorized_for_read_only",
	    "ops,alice"), 1);
	assert_false(authz_host_command(&c, &f->o, "ops", &f->b));
	assert_false(authz_host_command(&c, &f->o, "alice", &f->a));
	assert_false(authz_system_command(&c, "ops"));
	assert_int_equal(authz_cfg_set(&c, "authorized_for_system_commands",
	    "root,ops"), 1);
	assert_true(authz_system_command(&c, "root"));
	assert_false(authz_system_command(&c, "ops"));
	authz_cfg_free(&c);
	free(f);
}

static void
test_authz_load_file(void **state)
{
	char path[] = "/tmp/test_authz_XXXXXX", err[256];
	struct authz_cfg c;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("# cgi.cfg\nmain_config_file=/etc/pharos/pharos.cfg\n"
	    "  authorized_for_system_information = admin\n"
	    "authorized_for_all_services=a,b\nnot a key line\n", fp);
	fclose(fp);
	authz_cfg_init(&c);
	assert_int_equal(authz_cfg_load(path, &c, err, sizeof(err)), 0);
	assert_true(authz_has(&c, AUTHZ_SYSTEM_INFORMATION, "admin"));
	assert_true(authz_has(&c, AUTHZ_ALL_SERVICES, "b"));
	assert_false(authz_has(&c, AUTHZ_ALL_HOSTS, "admin"));
	authz_cfg_free(&c);
	unlink(path);
	assert_int_equal(authz_cfg_load(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read"));
	assert_string_equal(authz_right_key(AUTHZ_READ_ONLY),
	    "authorized_for_read_only");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authz_contacts_see_their_own_only),
		cmocka_unit_test(test_authz_lists_parse_and_star),
		cmocka_unit_test(test_authz_commands),
		cmocka_unit_test(test_authz_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
