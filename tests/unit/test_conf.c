/*
 * test_conf: the configuration loader. A good configuration resolves as
 * Nagios resolves it; each kind of broken input yields an error that names
 * the right file and line; bad, binary and very large input never crash.
 *
 * Fixtures live in $top_srcdir/tests/unit/conf (top_srcdir defaults to
 * "."). Generated files go to a mkdtemp() folder removed after each test.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

struct fx {
	char tmp[64];
	char dir[PATH_MAX]; /* absolute fixture folder */
	char main[PATH_MAX + 32];
	struct config *cfg;
};

static int
fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *top = getenv("top_srcdir");
	char path[PATH_MAX];

	if (f == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/tests/unit/conf",
	    top != NULL && *top != '\0' ? top : ".");
	if (realpath(path, f->dir) == NULL) {
		fprintf(stderr, "fixtures not found at %s\n", path);
		free(f);
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_conf.XXXXXX");
	if (mkdtemp(f->tmp) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->main, sizeof(f->main), "%s/main.cfg", f->tmp);
	*state = f;
	return 0;
}

static int
fx_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	conf_free(f->cfg);
	nftw(f->tmp, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void
fx_write(const char *path, const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Write main.cfg from a printf format and load it. */
static struct config *__attribute__((format(printf, 2, 3)))
fx_load_main(struct fx *f, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	fx_write(f->main, buf, (size_t)n);
	conf_free(f->cfg);
	f->cfg = NULL;
	assert_int_equal(conf_load(f->main, &f->cfg), 0);
	assert_non_null(f->cfg);
	return f->cfg;
}

/* Load one fixture object file (relative to the fixture folder). */
static struct config *
fx_load_obj(struct fx *f, const char *rel)
{
	return fx_load_main(f, "cfg_file=%s/%s\n", f->dir, rel);
}

static bool
fx_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static const struct conf_msg *
fx_find(const struct config *cfg, enum conf_level lvl, const char *file,
    int line, const char *text)
{
	size_t i;

	for (i = 0; i < cfg->nmsgs; i++) {
		const struct conf_msg *m = &cfg->msgs[i];

		if (m->level != lvl || (line >= 0 && m->line != line))
			continue;
		if (file != NULL && (m->file == NULL ||
		    !fx_ends_with(m->file, file)))
			continue;
		if (text != NULL && strstr(m->text, text) == NULL)
			continue;
		return m;
	}
	return NULL;
}

#define assert_msg(cfg, lvl, file, line, text)                            \
	do {                                                              \
		if (fx_find((cfg), (lvl), (file), (line), (text)) == NULL) { \
			conf_print_msgs((cfg), stderr);                   \
			fail_msg("no %s at %s:%d containing \"%s\"",       \
			    (lvl) == CONF_ERROR ? "error" : "warning", (file), \
			    (line), (text));                              \
		}                                                         \
	} while (0)

/* Load broken/NAME: nerrors errors (-1: at least one), one of them at line
 * with text. */
static struct config *
fx_broken(void **state, const char *name, int nerrors, int line,
    const char *text)
{
	char rel[128];
	struct config *cfg;

	snprintf(rel, sizeof(rel), "broken/%s", name);
	cfg = fx_load_obj(*state, rel);
	assert_msg(cfg, CONF_ERROR, rel, line, text);
	if (nerrors < 0)
		assert_true(cfg->nerrors > 0);
	else
		assert_int_equal(cfg->nerrors, nerrors);
	return cfg;
}

/* What conf_print_report() (report) or conf_print_msgs() prints. Caller
 * frees. */
static char *
fx_print(const struct config *cfg, bool report)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	if (report)
		conf_print_report(cfg, fp);
	else
		conf_print_msgs(cfg, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static bool
fx_has_host(struct host *const *arr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(arr[i]->name, name) == 0)
			return true;
	return false;
}

static bool
fx_has_contact(struct contact *const *arr, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(arr[i]->name, name) == 0)
			return true;
	return false;
}

static bool
fx_in_group(const struct host *h, const char *group)
{
	size_t i;

	for (i = 0; i < h->ngroups; i++)
		if (strcmp(h->groups[i]->name, group) == 0)
			return true;
	return false;
}

static void
test_conf_good_config_resolves(void **state)
{
	struct fx *f = *state;
	struct config *cfg;
	struct objects *o;
	struct host *core, *dist, *edge, *prn;
	struct service *s;
	char path[PATH_MAX + 64];
	size_t i;

	snprintf(path, sizeof(path), "%s/good/pharos.cfg", f->dir);
	assert_int_equal(conf_load(path, &f->cfg), 0);
	cfg = f->cfg;
	o = &cfg->objects;
	if (cfg->nerrors != 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);

	/* Main file: absolute paths, defaults, interval_length after the
	 * cfg_file lines still applies. */
	snprintf(path, sizeof(path), "%s/good/var/log/pharos.log", f->dir);
	assert_string_equal(cfg->log_file, path);
	snprintf(path, sizeof(path), "%s/good/var/rw/pharos.cmd", f->dir);
	assert_string_equal(cfg->command_file, path);
	assert_string_equal(cfg->query_socket, "/run/pharos/pharos.qh");
	assert_string_equal(cfg->pharos_user, "monitor");
	assert_string_equal(cfg->pharos_group, "pharos");
	assert_int_equal(cfg->interval_length, 30);
	assert_string_equal(cfg->user_macros[0], "/usr/lib/nagios/plugins");
	assert_null(cfg->user_macros[1]);
	assert_string_equal(cfg->user_macros[2], "s3cret=with=equals");

	/* Built-in command first; templates are not objects. */
	assert_string_equal(o->commands[0]->name, "icmp");
	assert_int_equal(o->commands[0]->builtin, BUILTIN_ICMP);
	assert_null(o->commands[0]->line);
	assert_null(o->commands[0]->loc.file);
	assert_ptr_equal(objects_command_find(o, "icmp"), o->commands[0]);
	assert_int_equal(o->nhosts, 4);
	assert_null(objects_host_find(o, "generic-host"));
	for (i = 0; i < o->nhosts; i++)
		assert_int_equal(o->hosts[i]->index, i);
	assert_int_equal(o->nignored, 1); /* the servicegroup */
	assert_msg(cfg, CONF_WARNING, "net/hosts.cfg", 57,
	    "servicegroup definitions are accepted but not acted on yet");

	/* use fast-host,snmp-device: fast-host wins where both set a key. */
	core = objects_host_find(o, "core-sw1");
	assert_non_null(core);
	assert_string_equal(core->alias, "Core switch 1");
	assert_string_equal(core->display_name, "core-sw1");
	assert_string_equal(core->address, "192.0.2.1");
	assert_int_equal(core->check_interval_ns, 10000000000LL); /* 10s */
	assert_int_equal(core->retry_interval_ns, 15000000000LL); /* 0.5*30 */
	assert_int_equal(core->max_check_attempts, 2);
	assert_true(core->active_checks_enabled);
	assert_string_equal(objects_var_find(core->vars, core->nvars,
	    "snmp_community"), "private;x");
	assert_string_equal(objects_var_find(core->vars, core->nvars, "SITE"),
	    "lab");
	assert_string_equal(objects_var_find(core->vars, core->nvars, "ROLE"),
	    "core");
	/* Hosts without check_command get the built-in icmp check. */
	assert_ptr_equal(core->check.command, o->commands[0]);
	assert_int_equal(core->check.nargs, 0);
	/* +core appends to the inherited all-devices; "network" holds core
	 * through hostgroup_members. */
	assert_true(fx_in_group(core, "all-devices"));
	assert_true(fx_in_group(core, "core"));
	assert_true(fx_in_group(core, "network"));
	assert_true(fx_has_contact(core->contacts, core->ncontacts, "alice"));
	assert_true(fx_has_contact(core->contacts, core->ncontacts, "bob"));
	assert_int_equal(core->st.state, HOST_PENDING);
	assert_int_equal(core->st.last_hard_state, HOST_PENDING);
	assert_int_equal(core->st.state_type, STATE_HARD);
	assert_int_equal(core->st.current_attempt, 1);
	assert_true(fx_ends_with(core->loc.file, "good/objects/net/hosts.cfg"));
	assert_int_equal(core->loc.line, 2);

	/* use snmp-device,fast-host: snmp-device with all it inherits from
	 * generic-host beats fast-host (depth-first). */
	dist = objects_host_find(o, "dist1");
	assert_non_null(dist);
	assert_int_equal(dist->max_check_attempts, 3);
	assert_int_equal(dist->check_interval_ns, 150000000000LL); /* 5*30 */
	assert_int_equal(dist->retry_interval_ns, 30000000000LL);
	assert_int_equal(dist->nparents, 1);
	assert_ptr_equal(dist->parents[0], core);
	assert_int_equal(core->nchildren, 1);
	assert_ptr_equal(core->children[0], dist);
	assert_string_equal(objects_var_find(dist->vars, dist->nvars,
	    "SITE"), "lab");

	/* contact_groups null cancels the inherited value. */
	edge = objects_host_find(o, "edge1");
	assert_non_null(edge);
	assert_int_equal(edge->ncontacts, 0);
	assert_ptr_equal(edge->check.command, o->commands[0]);
	assert_int_equal(edge->check.nargs, 3);
	assert_string_equal(edge->check.args[0], "100,20%");
	assert_string_equal(edge->check.args[2], "3");
	assert_true(fx_in_group(edge, "network"));
	assert_false(fx_in_group(edge, "core"));

	prn = objects_host_find(o, "printer1");
	assert_non_null(prn);
	assert_string_equal(prn->display_name, "Printer on floor 1");
	assert_false(prn->active_checks_enabled);
	/* Its own hostgroups (without '+') replace the inherited ones. */
	assert_true(fx_in_group(prn, "printers"));
	assert_false(fx_in_group(prn, "all-devices"));
	assert_int_equal(prn->ncontacts, 2); /* bob + netops (alice, bob) */
	assert_int_equal(dist->nchildren, 2);
	assert_true(fx_has_host(dist->children, dist->nchildren, "edge1"));
	assert_true(fx_has_host(dist->children, dist->nchildren, "printer1"));

	/* hostgroup_name all-devices,!printers with host_name !edge1. */
	assert_non_null(objects_service_find(o, "core-sw1", "IF 1"));
	assert_non_null(objects_service_find(o, "dist1", "IF 1"));
	assert_null(objects_service_find(o, "edge1", "IF 1"));
	assert_null(objects_service_find(o, "printer1", "IF 1"));
	s = objects_service_find(o, "core-sw1", "IF 1");
	assert_string_equal(s->check.command->name, "check_snmp_if");
	assert_int_equal(s->check.nargs, 1);
	assert_string_equal(s->check.args[0], "1");
	assert_int_equal(s->check_interval_ns, 60000000000LL);
	assert_int_equal(s->retry_interval_ns, 30000000000LL);
	assert_int_equal(s->max_check_attempts, 4);
	assert_int_equal(s->st.state, SERVICE_PENDING);
	assert_int_equal(s->st.last_hard_state, SERVICE_PENDING);
	/* Implied inheritance: the host's contacts. */
	assert_int_equal(s->ncontacts, core->ncontacts);
	assert_true(strstr(s->check.command->line, "-o ifOperStatus") != NULL);

	s = objects_service_find(o, "printer1", "HTTP");
	assert_non_null(s);
	assert_string_equal(s->check.args[0], "-u /status!x");
	assert_true(s->is_volatile);
	assert_int_equal(s->ncontacts, 1);
	assert_string_equal(s->contacts[0]->name, "alice");
	assert_string_equal(objects_var_find(s->vars, s->nvars, "port"), "80");

	/* host_name * reaches every host; edge1's own PING wins. */
	for (i = 0; i < o->nhosts; i++)
		assert_non_null(objects_service_find(o, o->hosts[i]->name,
		    "PING"));
	s = objects_service_find(o, "edge1", "PING");
	assert_int_equal(s->check.nargs, 2);
	assert_msg(cfg, CONF_WARNING, "net/services.cfg", -1, "PING");
	s = objects_service_find(o, "printer1", "Forced");
	assert_ptr_equal(s->check.command, o->commands[0]);
	assert_int_equal(s->check.nargs, 2);
	assert_string_equal(s->check.args[1], "20,2%");

	for (i = 0; i < o->nservices; i++) {
		assert_int_equal(o->services[i]->index, i);
		assert_true(fx_has_host(&o->services[i]->host, 1,
		    o->services[i]->host->name));
	}
	assert_int_equal(core->nservices, 2);
	assert_int_equal(prn->nservices, 3);

	/* Groups flattened. */
	for (i = 0; i < o->nhostgroups; i++)
		if (strcmp(o->hostgroups[i]->name, "network") == 0)
			assert_int_equal(o->hostgroups[i]->nmembers, 2);
	for (i = 0; i < o->ncontactgroups; i++)
		if (strcmp(o->contactgroups[i]->name, "everyone") == 0)
			assert_int_equal(o->contactgroups[i]->nmembers, 2);
	for (i = 0; i < o->ncontacts; i++)
		if (strcmp(o->contacts[i]->name, "bob") == 0) {
			assert_string_equal(o->contacts[i]->pager, "555-0100");
			assert_int_equal(o->contacts[i]->ngroups, 2);
		}

	/* Time periods: lines as written, inherited ones after. */
	for (i = 0; i < o->ntimeperiods; i++) {
		struct timeperiod *tp = o->timeperiods[i];

		if (strcmp(tp->name, "workhours") != 0)
			continue;
		assert_int_equal(tp->nlines, 4);
		assert_string_equal(tp->lines[0],
		    "monday 09:00-12:00, 13:00-17:00");
		assert_string_equal(tp->lines[1], "day 1 - 15 08:00-09:00");
		assert_string_equal(tp->lines[2], "december 25 00:00-24:00");
	}
	assert_int_equal(o->ntimeperiods, 3);
	/* Dot-names and non-.cfg files in cfg_dir are not read. */
	assert_null(fx_find(cfg, CONF_ERROR, NULL, -1, NULL));
}

static void
test_conf_report_shape(void **state)
{
	static const char *const want[] = {
		"Reading configuration data...\n"
		"   Read main config file okay...\n"
		"   Read object config files okay...\n",
		"hosts.cfg:57: warning: servicegroup",
		"Running pre-flight check on configuration data...\n",
		"Checking objects...\n", "\tChecked 8 services.\n",
		"\tChecked 4 hosts.\n", "\tChecked 4 host groups.\n",
		"\tChecked 2 contacts.\n", "\tChecked 2 contact groups.\n",
		"\tChecked 8 commands.\n", "\tChecked 3 time periods.\n",
		"\tAccepted 1 definitions not acted on yet",
		"Checking for circular paths...\n\tChecked 4 hosts\n",
		"Total Errors:   0\n", "Things look okay - No serious problems "
		"were detected during the pre-flight check\n",
	};
	struct fx *f = *state;
	char path[PATH_MAX + 64], *buf;
	size_t i;

	snprintf(path, sizeof(path), "%s/good/pharos.cfg", f->dir);
	assert_int_equal(conf_load(path, &f->cfg), 0);
	buf = fx_print(f->cfg, true);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(buf, want[i]) == NULL)
			fail_msg("report lacks \"%s\":\n%s", want[i], buf);
	free(buf);
}

static void
test_conf_report_on_errors(void **state)
{
	struct fx *f = *state;
	char *buf;

	fx_load_main(f, "cfg_file=%s/broken/unknown_key.cfg\nbogus=1\n",
	    f->dir);
	buf = fx_print(f->cfg, true);
	assert_non_null(strstr(buf, "   Error processing main config file!\n"));
	assert_non_null(strstr(buf,
	    "   Error processing object config files!\n"));
	assert_non_null(strstr(buf, "main.cfg:2: error: unknown key 'bogus'"));
	assert_non_null(strstr(buf, "unknown_key.cfg:5: error: unknown "
	    "directive 'foo' in host definition\n"));
	assert_non_null(strstr(buf, "Total Errors:   2\n"));
	assert_null(strstr(buf, "Things look okay"));
	free(buf);

	buf = fx_print(f->cfg, false);
	assert_non_null(strstr(buf, "/main.cfg:2: error: unknown key 'bogus' "
	    "in main config file\n"));
	free(buf);
}

static void
test_conf_unreadable_main_file(void **state)
{
	struct fx *f = *state;
	char *buf;

	assert_int_equal(conf_load("/nonexistent/pharos.cfg", &f->cfg), 0);
	assert_int_equal(f->cfg->nerrors, 1);
	assert_msg(f->cfg, CONF_ERROR, "/nonexistent/pharos.cfg", 0,
	    "cannot read main config file");
	buf = fx_print(f->cfg, true);
	assert_non_null(strstr(buf, "Error processing main config file!"));
	assert_null(strstr(buf, "Things look okay"));
	free(buf);
}

static void
test_conf_unterminated_define(void **state)
{
	fx_broken(state, "unterminated.cfg", -1, 7,
	    "unterminated host definition");
}

static void
test_conf_unknown_directive(void **state)
{
	fx_broken(state, "unknown_key.cfg", 1, 5,
	    "unknown directive 'foo' in host definition");
}

static void
test_conf_unknown_type(void **state)
{
	/* One error: the body of the unknown definition is skipped. */
	assert_int_equal(fx_broken(state, "unknown_type.cfg", 1, 7,
	    "invalid object definition type 'router'")->objects.nhosts, 1);
}

static void
test_conf_lexical_errors(void **state)
{
	struct config *cfg = fx_broken(state, "lexical.cfg", 5, 1,
	    "outside a definition");
	const char *file = "broken/lexical.cfg";

	assert_msg(cfg, CONF_ERROR, file, 6, "nested define");
	assert_msg(cfg, CONF_ERROR, file, 10, "'notes' has no value");
	assert_msg(cfg, CONF_ERROR, file, 12, "'}' outside a definition");
	assert_msg(cfg, CONF_ERROR, file, 13, "without an object type");
}

static void
test_conf_template_loop(void **state)
{
	fx_broken(state, "template_loop.cfg", 1, 15,
	    "template loop: tpl-a -> tpl-b -> tpl-c -> tpl-a");
}

static void
test_conf_unknown_template(void **state)
{
	fx_broken(state, "unknown_template.cfg", -1, 2,
	    "unknown host template 'no-such-template'");
}

static void
test_conf_parent_cycle(void **state)
{
	fx_broken(state, "parent_cycle.cfg", 1, 13,
	    "parent cycle: a -> b -> c -> a");
}

static void
test_conf_missing_include(void **state)
{
	struct fx *f = *state;
	struct config *cfg;

	cfg = fx_load_main(f, "# comment\ncfg_file=nowhere.cfg\n"
	    "cfg_dir=%s/no-such-dir\n", f->tmp);
	assert_int_equal(cfg->nerrors, 2);
	assert_msg(cfg, CONF_ERROR, "/main.cfg", 2,
	    "cannot open object config file");
	assert_msg(cfg, CONF_ERROR, "/main.cfg", 2, "/nowhere.cfg");
	assert_msg(cfg, CONF_ERROR, "/main.cfg", 3,
	    "cannot open object config folder");
}

static void
test_conf_file_named_twice_is_read_once(void **state)
{
	struct fx *f = *state;
	struct config *cfg;

	cfg = fx_load_main(f, "cfg_file=%s/good/objects/net/hosts.cfg\n"
	    "cfg_file=%s/good/objects/templates.cfg\n"
	    "cfg_dir=%s/good/objects\n", f->dir, f->dir, f->dir);
	assert_msg(cfg, CONF_WARNING, "/main.cfg", 3, "named more than once");
	assert_null(fx_find(cfg, CONF_ERROR, NULL, -1, "duplicate"));
}

static void
test_conf_binary_junk(void **state)
{
	struct fx *f = *state;
	struct config *cfg;
	char path[PATH_MAX + 32], *junk;
	uint32_t x = 12345;
	size_t i, n = 256 * 1024, infile = 0;

	junk = malloc(n);
	assert_non_null(junk);
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		junk[i] = (char)(x >> 16);
	}
	snprintf(path, sizeof(path), "%s/junk.cfg", f->tmp);
	fx_write(path, junk, n);
	free(junk);
	cfg = fx_load_main(f, "cfg_file=junk.cfg\n");
	assert_true(cfg->nerrors > 0);
	for (i = 0; i < cfg->nmsgs; i++) {
		if (cfg->msgs[i].file == NULL ||
		    !fx_ends_with(cfg->msgs[i].file, "/junk.cfg"))
			continue;
		infile++;
		assert_true(cfg->msgs[i].line > 0);
	}
	assert_true(infile > 0 && infile <= 51);
	assert_msg(cfg, CONF_ERROR, "/junk.cfg", -1, "too many errors");

	/* Short junk with a NUL byte: one error naming the line. */
	fx_write(path, "define host {\n\thost_name a\0b\n}\n", 30);
	cfg = fx_load_main(f, "cfg_file=junk.cfg\n");
	assert_msg(cfg, CONF_ERROR, "/junk.cfg", 2, "NUL byte");
}

static void
test_conf_huge_file_parses(void **state)
{
	struct fx *f = *state;
	struct config *cfg;
	struct timespec t0, t1;
	char path[PATH_MAX + 32];
	FILE *fp;
	long size;
	int i, n = 0;

	snprintf(path, sizeof(path), "%s/big.cfg", f->tmp);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "define service {\n\thost_name *\n"
	    "\tservice_description PING\n\tcheck_command icmp!100,20%%!"
	    "300,60%%\n\tmax_check_attempts 3\n}\n");
	for (i = 0; ftell(fp) < 10L * 1024 * 1024; i++, n++) {
		fprintf(fp, "# generated host %d\ndefine host {\n"
		    "\thost_name          h%06d\n"
		    "\talias              Generated host number %d\n"
		    "\taddress            10.%d.%d.%d\n"
		    "\tmax_check_attempts 3\n\tcheck_interval     5\n", i, i, i,
		    (i >> 16) & 255, (i >> 8) & 255, i & 255);
		if (i > 0)
			fprintf(fp, "\tparents            h%06d\n", i - 1);
		fprintf(fp, "\t_PADDING           %s ; comment\n}\n\n",
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		/* One service per host, named by host_name, as most
		 * configurations have them. */
		fprintf(fp, "define service {\n\thost_name h%06d\n"
		    "\tservice_description Uplink\n\tcheck_command icmp\n"
		    "\tmax_check_attempts 2\n}\n\n", i);
	}
	size = ftell(fp);
	assert_int_equal(fclose(fp), 0);
	assert_true(size >= 10L * 1024 * 1024);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cfg = fx_load_main(f, "cfg_file=big.cfg\n");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (cfg->nerrors != 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);
	assert_int_equal(cfg->objects.nhosts, (size_t)n);
	assert_int_equal(cfg->objects.nservices, 2 * (size_t)n);
	assert_int_equal(cfg->objects.hosts[n - 1]->nparents, 1);
	/* Linear: a few seconds at most, even with sanitizers. */
	assert_true(t1.tv_sec - t0.tv_sec < 30);
	printf("# %ld bytes, %d hosts: loaded in %.2f s\n", size, n,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

static void
test_conf_many_problems_are_counted_not_all_kept(void **state)
{
	struct fx *f = *state;
	struct config *cfg;
	char path[PATH_MAX + 32];
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "%s/many.cfg", f->tmp);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < 12000; i++)
		fprintf(fp, "define servicegroup {\n"
		    "\tservicegroup_name g%d\n}\n", i);
	assert_int_equal(fclose(fp), 0);
	cfg = fx_load_main(f, "cfg_file=many.cfg\n");
	assert_int_equal(cfg->nerrors, 0);
	assert_int_equal(cfg->nwarnings, 12000);
	assert_int_equal(cfg->objects.nignored, 12000);
	assert_int_equal(cfg->nmsgs, 10001);
	assert_msg(cfg, CONF_WARNING, NULL, 0, "2000 more problems not shown");
}

static void
test_conf_duplicate_host(void **state)
{
	struct config *cfg = fx_broken(state, "duplicate_host.cfg", 1, 7,
	    "duplicate host 'h1' (first defined at ");

	assert_msg(cfg, CONF_ERROR, "broken/duplicate_host.cfg", 7,
	    "duplicate_host.cfg:1)");
}

/* address: an IPv4 or IPv6 literal or a name; address6: IPv6 or a name;
 * a host with only address6 is checked there; one of them is required. */
static void
test_conf_host_addresses(void **state)
{
	struct config *cfg = fx_broken(state, "addresses.cfg", 6, 64,
	    "host 'none' has no address");
	const struct objects *o = &cfg->objects;
	static const struct {
		const char *host, *address, *address6;
	} good[] = {
		{ "v4", "192.0.2.1", NULL },
		{ "v6", "2001:db8::1", NULL },
		{ "named", "core-sw1.example.net.", NULL },
		{ "dual", "192.0.2.5", "2001:db8::5" },
		{ "v6only", "2001:db8::6", "2001:db8::6" },
		{ "named6", "sw6.example.net", "sw6.example.net" },
	};
	static const int bad_lines[] = { 40, 46, 51, 57, 62 };
	const struct host *h;
	char name[300];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		h = objects_host_find(o, good[i].host);
		assert_non_null(h);
		assert_string_equal(h->address, good[i].address);
		if (good[i].address6 == NULL)
			assert_null(h->address6);
		else
			assert_string_equal(h->address6, good[i].address6);
	}
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		assert_msg(cfg, CONF_ERROR, "addresses.cfg", bad_lines[i],
		    "invalid address '");
	assert_msg(cfg, CONF_ERROR, "addresses.cfg", 57,
	    "expected an IPv6 address or a host name");
	/* A bad address is not used: bad1 falls back to its address6. */
	assert_string_equal(objects_host_find(o, "bad1")->address,
	    "2001:db8::7");
	/* Limits: labels of 63 bytes, names of 253. */
	memset(name, 'a', sizeof(name));
	name[63] = '\0';
	assert_int_equal(objects_address_family(name), AF_UNSPEC);
	for (i = 0; i < 255; i++)
		name[i] = i % 2 == 0 ? 'a' : '.';
	name[255] = '\0';
	assert_int_equal(objects_address_family(name), -EINVAL);
	name[253] = '\0';
	assert_int_equal(objects_address_family(name), AF_UNSPEC);
	assert_int_equal(objects_address_family("a-.example"), -EINVAL);
	assert_int_equal(objects_address_family("a..b"), -EINVAL);
}

static void
test_conf_unknown_parent(void **state)
{
	fx_broken(state, "unknown_parent.cfg", 1, 1,
	    "unknown parent host 'nowhere' of host 'h1'");
}

static void
test_conf_bad_max_check_attempts(void **state)
{
	struct config *cfg = fx_broken(state, "bad_attempts.cfg", 3, 4,
	    "invalid value '0' for 'max_check_attempts'");

	assert_msg(cfg, CONF_ERROR, "bad_attempts.cfg", 10, "not an integer");
	assert_msg(cfg, CONF_ERROR, "bad_attempts.cfg", 13,
	    "host 'h3' has no max_check_attempts");
}

static void
test_conf_bad_interval(void **state)
{
	struct config *cfg = fx_broken(state, "bad_interval.cfg", 2, 5,
	    "invalid value '5m' for 'check_interval'");

	assert_msg(cfg, CONF_ERROR, "bad_interval.cfg", 6,
	    "invalid value '-1' for 'retry_interval'");
	/* Defaults apply after the error: 5 and 1 units of 60 s. */
	assert_int_equal(cfg->objects.hosts[0]->check_interval_ns,
	    300000000000LL);
	assert_int_equal(cfg->objects.hosts[0]->retry_interval_ns,
	    60000000000LL);
}

static void
test_conf_reserved_icmp_command(void **state)
{
	struct config *cfg = fx_broken(state, "reserved_icmp.cfg", 1, 1,
	    "'icmp' is a reserved built-in command name");

	assert_null(cfg->objects.commands[0]->line);
}

static void
test_conf_bad_icmp_arguments(void **state)
{
	fx_broken(state, "bad_icmp_args.cfg", 1, 1,
	    "invalid arguments for the icmp check of host 'h1'");
}

static void
test_conf_reference_errors(void **state)
{
	struct config *cfg = fx_load_obj(*state, "broken/references.cfg");
	const char *file = "broken/references.cfg";

	assert_msg(cfg, CONF_ERROR, file, 1, "unknown contact 'nobody'");
	assert_msg(cfg, CONF_ERROR, file, 1, "unknown contactgroup 'nogroup'");
	assert_msg(cfg, CONF_ERROR, file, 1, "unknown hostgroup 'nohostgroup'");
	assert_msg(cfg, CONF_ERROR, file, 1, "unknown timeperiod 'never'");
	assert_msg(cfg, CONF_ERROR, file, 11, "unknown host 'h9'");
	assert_msg(cfg, CONF_ERROR, file, 11,
	    "unknown command 'no_such_command'");
	assert_msg(cfg, CONF_ERROR, file, 18, "unknown hostgroup 'hg9'");
	assert_msg(cfg, CONF_ERROR, file, 25,
	    "duplicate service 'S1' on host 'h1'");
	assert_msg(cfg, CONF_ERROR, file, 32,
	    "service 'S3' has no check_command");
	assert_msg(cfg, CONF_ERROR, file, 32,
	    "service 'S3' has no max_check_attempts");
	assert_msg(cfg, CONF_ERROR, file, 40,
	    "invalid time range '09:00-25:00'");
	assert_msg(cfg, CONF_ERROR, file, 41, "invalid date 'funday'");
	assert_msg(cfg, CONF_ERROR, file, 37, "unknown timeperiod 'nothing'");
	if (cfg->nerrors != 13)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 13);
}

static void
test_conf_nagios_only_keys_warn(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 64];
	struct config *cfg;
	const char *file = "broken/nagios_keys.cfg";

	snprintf(path, sizeof(path), "%s/%s", f->dir, file);
	assert_int_equal(conf_load(path, &f->cfg), 0);
	cfg = f->cfg;
	assert_msg(cfg, CONF_WARNING, file, 3,
	    "'status_file' ignored: not used by Pharos yet");
	assert_msg(cfg, CONF_WARNING, file, 4,
	    "'nagios_user' ignored: not used by Pharos yet");
	assert_msg(cfg, CONF_WARNING, file, 5, "ignored: not used by Pharos");
	assert_msg(cfg, CONF_ERROR, file, 7, "unknown key 'no_such_key'");
	assert_msg(cfg, CONF_ERROR, file, 8, "invalid interval_length '0'");
	assert_int_equal(cfg->nerrors, 2);
	assert_int_equal(cfg->interval_length, 60);
	/* cfg_file=minimal.cfg resolved against the main file's folder. */
	assert_int_equal(cfg->objects.nhosts, 1);
}

static void
test_conf_icmp_max_rate_bounds(void **state)
{
	static const char *const bad[] = { "0", "1000001", "-5", "2k", "" };
	struct fx *f = *state;
	struct config *cfg;
	size_t i;

	cfg = fx_load_main(f, "cfg_file=%s/broken/minimal.cfg\n", f->dir);
	assert_int_equal(cfg->icmp_max_rate, 2000);
	cfg = fx_load_main(f, "cfg_file=%s/broken/minimal.cfg\n"
	    "icmp_max_rate=1000000\n", f->dir);
	assert_int_equal(cfg->icmp_max_rate, 1000000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = fx_load_main(f, "cfg_file=%s/broken/minimal.cfg\n"
		    "icmp_max_rate=1\nicmp_max_rate=%s\n", f->dir, bad[i]);
		assert_int_equal(cfg->nerrors, 1);
		assert_msg(cfg, CONF_ERROR, "main.cfg", 3, "icmp_max_rate");
		assert_int_equal(cfg->icmp_max_rate, 1); /* the good one */
	}
}

static void
test_conf_bad_resource_macro(void **state)
{
	struct fx *f = *state;
	struct config *cfg;
	const char *file = "broken/bad_resource.cfg";

	cfg = fx_load_main(f, "cfg_file=%s/broken/minimal.cfg\n"
	    "resource_file=%s/%s\n", f->dir, f->dir, file);
	assert_int_equal(cfg->nerrors, 3);
	assert_msg(cfg, CONF_ERROR, file, 2, "invalid macro name '$USER0$'");
	assert_msg(cfg, CONF_ERROR, file, 3, "invalid macro name '$USER257$'");
	assert_msg(cfg, CONF_ERROR, file, 4, "invalid macro name 'USER2'");
	assert_string_equal(cfg->user_macros[0], "/usr/lib/nagios/plugins");
	assert_string_equal(cfg->user_macros[1], "fine");
}

static bool
fx_dir_exists(const char *path)
{
	return access(path, R_OK | X_OK) == 0;
}

static void
test_conf_debian_nagios4_samples_load(void **state)
{
	struct fx *f = *state;
	struct config *cfg;

	if (!fx_dir_exists("/etc/nagios4/objects"))
		skip();
	cfg = fx_load_main(f, "cfg_dir=/etc/nagios4/objects\n"
	    "cfg_file=%s/debian/plugin-commands.cfg\n"
	    "resource_file=%s/debian/resource.cfg\n"
	    "log_file=%s/pharos.log\nstate_retention_file=retention.dat\n"
	    "rrd_dir=rrd\npharos_user=nagios\npharos_group=nagios\n"
	    "interval_length=60\n", f->dir, f->dir, f->tmp);
	if (cfg->nerrors != 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);
	assert_non_null(objects_host_find(&cfg->objects, "localhost"));
	assert_non_null(objects_service_find(&cfg->objects, "winserver",
	    "C:\\ Drive Space"));
	assert_true(cfg->objects.nhosts >= 4);
}

/* The same samples with the plugin commands from where Debian keeps them
 * (monitoring-plugins-common), and no resource file: warnings only. */
static void
test_conf_debian_nagios4_samples_with_plugin_configs(void **state)
{
	struct fx *f = *state;
	struct config *cfg;

	if (!fx_dir_exists("/etc/nagios4/objects") ||
	    !fx_dir_exists("/etc/nagios-plugins/config"))
		skip();
	cfg = fx_load_main(f, "cfg_dir=/etc/nagios-plugins/config\n"
	    "cfg_dir=/etc/nagios4/objects\npharos_user=nobody\n");
	if (cfg->nerrors != 0)
		conf_print_msgs(cfg, stderr);
	assert_int_equal(cfg->nerrors, 0);
	assert_msg(cfg, CONF_WARNING, NULL, -1,
	    "uses $USER1$, which no resource_file sets");
}

static void
test_conf_debian_nagios_cfg_keys_known(void **state)
{
	struct fx *f = *state;
	size_t i;

	if (access("/etc/nagios4/nagios.cfg", R_OK) != 0)
		skip();
	assert_int_equal(conf_load("/etc/nagios4/nagios.cfg", &f->cfg), 0);
	/* Every key of Debian's nagios.cfg is known: no "unknown key". */
	for (i = 0; i < f->cfg->nmsgs; i++)
		if (f->cfg->msgs[i].level == CONF_ERROR &&
		    strstr(f->cfg->msgs[i].text, "unknown key") != NULL)
			fail_msg("%d: %s", f->cfg->msgs[i].line,
			    f->cfg->msgs[i].text);
	assert_msg(f->cfg, CONF_WARNING, "/etc/nagios4/nagios.cfg", -1,
	    "'nagios_user' ignored");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_conf_good_config_resolves),
		T(test_conf_report_shape),
		T(test_conf_report_on_errors),
		T(test_conf_unreadable_main_file),
		T(test_conf_unterminated_define),
		T(test_conf_unknown_directive),
		T(test_conf_unknown_type),
		T(test_conf_lexical_errors),
		T(test_conf_template_loop),
		T(test_conf_unknown_template),
		T(test_conf_parent_cycle),
		T(test_conf_missing_include),
		T(test_conf_file_named_twice_is_read_once),
		T(test_conf_binary_junk),
		T(test_conf_huge_file_parses),
		T(test_conf_many_problems_are_counted_not_all_kept),
		T(test_conf_duplicate_host),
		T(test_conf_host_addresses),
		T(test_conf_unknown_parent),
		T(test_conf_bad_max_check_attempts),
		T(test_conf_bad_interval),
		T(test_conf_reserved_icmp_command),
		T(test_conf_bad_icmp_arguments),
		T(test_conf_reference_errors),
		T(test_conf_nagios_only_keys_warn),
		T(test_conf_icmp_max_rate_bounds),
		T(test_conf_bad_resource_macro),
		T(test_conf_debian_nagios4_samples_load),
		T(test_conf_debian_nagios4_samples_with_plugin_configs),
		T(test_conf_debian_nagios_cfg_keys_known),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
