/*
 * Unit tests of start-up name resolution. Names are looked up only in
 * /etc/hosts ("localhost") or inside a private network namespace where no
 * resolver is reachable, so no query leaves the machine.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare() */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>

#include <cmocka.h>

#include "objects.h"
#include "resolve.h"

static void
resolve_run(const char **addresses, size_t n, char ***out, size_t *failed)
{
	struct host hosts[4], *hp[4];
	struct objects o;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(hosts, 0, sizeof(hosts));
	for (i = 0; i < n; i++) {
		hosts[i].name = (char *)(uintptr_t)"h";
		hosts[i].address = (char *)(uintptr_t)addresses[i];
		hosts[i].index = i;
		hp[i] = &hosts[i];
	}
	o.hosts = hp;
	o.nhosts = n;
	assert_int_equal(resolve_hosts(&o, out, failed), 0);
}

static void
test_resolve_name_from_hosts_file(void **state)
{
	const char *a[] = { "127.0.0.1", "localhost", "fd66::1" };
	size_t failed;
	char **out;

	resolve_run(a, 3, &out, &failed);
	assert_int_equal(failed, 0);
	assert_null(out[0]); /* literals are used as they are */
	assert_null(out[2]);
	assert_non_null(out[1]);
	assert_true(strcmp(out[1], "127.0.0.1") == 0 ||
	    strcmp(out[1], "::1") == 0);
	resolve_free(out, 3);
}

static void
test_resolve_unknown_name_is_counted_not_fatal(void **state)
{
	const char *a[] = { "pharos-test-no-such-host", "10.0.0.1" };
	size_t failed;
	char **out;

	/* In a network namespace of its own no resolver can be reached:
	 * the lookup fails locally. */
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0)
		skip();
	resolve_run(a, 2, &out, &failed);
	assert_int_equal(failed, 1);
	assert_null(out[0]);
	assert_null(out[1]);
	resolve_free(out, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_name_from_hosts_file),
		cmocka_unit_test(test_resolve_unknown_name_is_counted_not_fatal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
