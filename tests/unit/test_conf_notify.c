/*
 * test_conf_notify: the notification object model as the loader builds it.
 * A good configuration gives contacts their periods, options and commands,
 * hosts and services their notification settings (with Pharos' host
 * default and Nagios' implied inheritance), and each object its
 * escalations and dependencies; every kind of bad input (unknown contact,
 * command or time period, bad option letters, a dependency cycle, an
 * escalation for an unknown host, bad main file keys) is an error naming
 * the right file and line.
 *
 * Fixtures live in $top_srcdir/tests/unit/conf/notify (top_srcdir defaults
 * to "."). The main file is written to a mkdtemp() folder.
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

#define SEC INT64_C(1000000000)

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
	snprintf(path, sizeof(path), "%s/tests/unit/conf/notify",
	    top != NULL && *top != '\0' ? top : ".");
	if (realpath(path, f->dir) == NULL) {
		fprintf(stderr, "fixtures not found at %s\n", path);
		free(f);
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_conf_notify.XXXXXX");
	if (mkdtemp(f->tmp) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->main, sizeof(f->main), "%s/main.cfg", f->tmp);
	*state = f;
	return 0;
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	conf_free(f->cfg);
	unlink(f->main);
	rmdir(f->tmp);
	free(f);
	return 0;
}

/* Load a main file naming the fixture object files given (NULL-ended). */
static struct config *
fx_load(struct fx *f, ...)
{
	const char *name;
	va_list ap;
	FILE *fp = fopen(f->main, "w");

	assert_non_null(fp);
	va_start(ap, f);
	while ((name = va_arg(ap, const char *)) != NULL)
		fprintf(fp, "cfg_file=%s/%s\n", f->dir, name);
	va_end(ap);
	assert_int_equal(fclose(fp), 0);
	conf_free(f->cfg);
	f->cfg = NULL;
	assert_int_equal(conf_load(f->main, &f->cfg), 0);
	return f->cfg;
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

#define assert_errors(cfg, n)                                             \
	do {                                                              \
		if ((cfg)->nerrors != (n))                                \
			conf_print_msgs((cfg), stderr);                   \
		assert_int_equal((cfg)->nerrors, (n));                    \
	} while (0)

static struct contact *
fx_contact(const struct objects *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->ncontacts; i++)
		if (strcmp(o->contacts[i]->name, name) == 0)
			return o->contacts[i];
	fail_msg("no contact %s", name);
	return NULL;
}

static struct timeperiod *
fx_period(const struct objects *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->ntimeperiods; i++)
		if (strcmp(o->timeperiods[i]->name, name) == 0)
			return o->timeperiods[i];
	fail_msg("no timeperiod %s", name);
	return NULL;
}

/* The contacts of an array as "a,b,c". */
static const char *
fx_names(struct contact *const *arr, size_t n, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "," : "", arr[i]->name);
	return buf;
}

#define H(s) OBJ_OPT_STATE(HOST_##s)
#define S(s) OBJ_OPT_STATE(SERVICE_##s)

static void
test_conf_notify_contacts(void **state)
{
	struct config *cfg = fx_load(*state, "good.cfg", NULL);
	const struct objects *o = &cfg->objects;
	struct contact *c;

	assert_errors(cfg, 0);
	assert_int_equal(cfg->nwarnings, 0);
	/* Inherited periods and commands; own options and addresses. */
	c = fx_contact(o, "alice");
	assert_string_equal(c->alias, "Alice Admin");
	assert_string_equal(c->email, "alice@example.net");
	assert_string_equal(c->pager, "555-0100");
	assert_string_equal(c->address[0], "+1-555-0101");
	assert_null(c->address[1]);
	assert_string_equal(c->address[5], "xmpp:alice@example.net");
	assert_ptr_equal(c->host_notification_period, fx_period(o, "24x7"));
	assert_ptr_equal(c->service_notification_period,
	    fx_period(o, "workhours"));
	assert_int_equal(c->host_notification_options,
	    H(DOWN) | H(UNREACHABLE) | OBJ_OPT_RECOVERY);
	assert_int_equal(c->service_notification_options,
	    S(CRITICAL) | OBJ_OPT_RECOVERY);
	assert_int_equal(c->nhost_notification_commands, 1);
	assert_string_equal(c->host_notification_commands[0].command->name,
	    "notify-host-by-email");
	assert_int_equal(c->host_notification_commands[0].nargs, 0);
	assert_int_equal(c->nservice_notification_commands, 2);
	assert_string_equal(c->service_notification_commands[1].command->name,
	    "notify-by-pager");
	assert_int_equal(c->service_notification_commands[1].nargs, 1);
	assert_string_equal(c->service_notification_commands[1].args[0],
	    "urgent");
	assert_true(c->host_notifications_enabled);
	assert_true(c->service_notifications_enabled);
	assert_false(c->can_submit_commands);

	/* Defaults: every option, no period (always), no command. */
	c = fx_contact(o, "bob");
	assert_false(c->host_notifications_enabled);
	assert_true(c->service_notifications_enabled);
	assert_true(c->can_submit_commands);
	assert_int_equal(c->host_notification_options, OBJ_OPT_HOST_ALL);
	assert_int_equal(c->service_notification_options,
	    OBJ_OPT_SERVICE_ALL);
	assert_null(c->host_notification_period);
	assert_int_equal(c->nhost_notification_commands, 0);
	c = fx_contact(o, "carol");
	assert_int_equal(c->nhost_notification_commands, 1);
	assert_string_equal(c->host_notification_commands[0].args[0],
	    "night");
}

static void
test_conf_notify_host_settings(void **state)
{
	struct config *cfg = fx_load(*state, "good.cfg", NULL);
	const struct objects *o = &cfg->objects;
	const struct obj_opts *op;

	assert_errors(cfg, 0);
	op = &objects_host_find(o, "router")->opts;
	assert_int_equal(op->notification_options,
	    H(DOWN) | H(UNREACHABLE) | OBJ_OPT_RECOVERY);
	assert_int_equal(op->notification_interval_ns, 600 * SEC);
	assert_int_equal(op->first_notification_delay_ns, 120 * SEC);
	assert_ptr_equal(op->notification_period, fx_period(o, "workhours"));
	assert_ptr_equal(op->check_period, fx_period(o, "24x7"));
	assert_non_null(op->event_handler);
	assert_string_equal(op->event_handler->command->name,
	    "restart-httpd");
	assert_string_equal(op->event_handler->args[0], "now");
	assert_false(op->event_handler_enabled);
	assert_int_equal(op->flap_detection_options, H(DOWN) | H(UNREACHABLE));
	assert_true(op->low_flap_threshold == 10.0);
	assert_true(op->high_flap_threshold == 30.5);
	assert_true(op->check_freshness);
	assert_int_equal(op->freshness_threshold, 600);
	assert_false(op->passive_checks_enabled);
	assert_true(op->notifications_enabled);

	/* Pharos' default leaves UNREACHABLE out; Nagios' other defaults. */
	op = &objects_host_find(o, "sw1")->opts;
	assert_int_equal(op->notification_options, H(DOWN) | OBJ_OPT_RECOVERY |
	    OBJ_OPT_FLAPPING | OBJ_OPT_DOWNTIME);
	assert_int_equal(op->notification_interval_ns, 1800 * SEC);
	assert_int_equal(op->first_notification_delay_ns, 0);
	assert_false(op->notifications_enabled);
	assert_null(op->notification_period);
	assert_null(op->event_handler);
	assert_true(op->event_handler_enabled);
	assert_true(op->flap_detection_enabled);
	assert_int_equal(op->flap_detection_options,
	    H(UP) | H(DOWN) | H(UNREACHABLE));
	assert_true(op->low_flap_threshold == 0.0);
	assert_false(op->check_freshness);
	assert_true(op->passive_checks_enabled);
	op = &objects_host_find(o, "sw2")->opts;
	assert_int_equal(op->notification_interval_ns, 0);
	assert_false(op->flap_detection_enabled);
	assert_int_equal(fx_period(o, "workhours")->index, 1);
}

static void
test_conf_notify_service_settings(void **state)
{
	struct config *cfg = fx_load(*state, "good.cfg", NULL);
	const struct objects *o = &cfg->objects;
	const struct service *s;

	assert_errors(cfg, 0);
	/* Nagios' implied inheritance from the host. */
	s = objects_service_find(o, "router", "BGP");
	assert_int_equal(s->opts.notification_options, OBJ_OPT_SERVICE_ALL);
	assert_int_equal(s->opts.notification_interval_ns, 600 * SEC);
	assert_ptr_equal(s->opts.notification_period,
	    fx_period(o, "workhours"));
	assert_ptr_equal(s->opts.check_period, fx_period(o, "24x7"));
	assert_int_equal(s->opts.flap_detection_options,
	    S(OK) | S(WARNING) | S(CRITICAL) | S(UNKNOWN));
	s = objects_service_find(o, "router", "HTTP");
	assert_int_equal(s->opts.notification_options,
	    S(CRITICAL) | OBJ_OPT_RECOVERY | OBJ_OPT_FLAPPING);
	assert_int_equal(s->opts.notification_interval_ns, 300 * SEC);
	assert_ptr_equal(s->opts.notification_period, fx_period(o, "24x7"));
	assert_true(s->is_volatile);
	s = objects_service_find(o, "sw2", "Uplink");
	assert_int_equal(s->opts.notification_interval_ns, 0);
}

static void
test_conf_notify_escalations(void **state)
{
	struct config *cfg = fx_load(*state, "good.cfg", NULL);
	const struct objects *o = &cfg->objects;
	const struct escalation *e;
	const struct service *s;
	const struct host *h;
	char buf[256];

	assert_errors(cfg, 0);
	h = objects_host_find(o, "router");
	assert_int_equal(h->opts.nescalations, 2);
	/* From a template; own contacts, then the group's, no duplicates. */
	e = &h->opts.escalations[0];
	assert_int_equal(e->first_notification, 3);
	assert_int_equal(e->last_notification, 0);
	assert_string_equal(fx_names(e->contacts, e->ncontacts, buf,
	    sizeof(buf)), "carol,alice,bob");
	assert_int_equal(e->notification_interval_ns, 300 * SEC);
	assert_int_equal(e->escalation_options, H(DOWN) | OBJ_OPT_RECOVERY);
	/* Not set: the host's notification_period. */
	assert_ptr_equal(e->escalation_period, fx_period(o, "workhours"));
	assert_int_equal(e->loc.line, 154);
	/* hostgroup_name * minus sw2; contacts and interval from the host. */
	e = &h->opts.escalations[1];
	assert_int_equal(e->first_notification, 2);
	assert_int_equal(e->last_notification, 4);
	assert_string_equal(fx_names(e->contacts, e->ncontacts, buf,
	    sizeof(buf)), "alice");
	assert_int_equal(e->notification_interval_ns, 600 * SEC);
	assert_ptr_equal(e->escalation_period, fx_period(o, "24x7"));
	assert_int_equal(e->escalation_options,
	    H(UP) | H(DOWN) | H(UNREACHABLE));
	h = objects_host_find(o, "sw1");
	assert_int_equal(h->opts.nescalations, 1);
	e = &h->opts.escalations[0];
	assert_string_equal(fx_names(e->contacts, e->ncontacts, buf,
	    sizeof(buf)), "alice,bob");
	assert_int_equal(e->notification_interval_ns, 1800 * SEC);
	assert_int_equal(objects_host_find(o, "sw2")->opts.nescalations, 0);

	s = objects_service_find(o, "router", "HTTP");
	assert_int_equal(s->opts.nescalations, 1);
	e = &s->opts.escalations[0];
	assert_string_equal(fx_names(e->contacts, e->ncontacts, buf,
	    sizeof(buf)), "bob");
	assert_int_equal(e->notification_interval_ns, 300 * SEC);
	assert_ptr_equal(e->escalation_period, fx_period(o, "24x7"));
	assert_int_equal(e->escalation_options,
	    S(OK) | S(WARNING) | S(CRITICAL) | S(UNKNOWN));
	s = objects_service_find(o, "router", "BGP");
	assert_int_equal(s->opts.nescalations, 1);
	assert_int_equal(s->opts.escalations[0].notification_interval_ns,
	    600 * SEC);
	s = objects_service_find(o, "sw2", "Uplink");
	assert_int_equal(s->opts.nescalations, 1);
	e = &s->opts.escalations[0];
	assert_int_equal(e->notification_interval_ns, 0);
	assert_string_equal(fx_names(e->contacts, e->ncontacts, buf,
	    sizeof(buf)), "bob");
	assert_int_equal(o->nhostescalations, 3);
	assert_int_equal(o->nserviceescalations, 4);
}

static void
test_conf_notify_dependencies(void **state)
{
	struct config *cfg = fx_load(*state, "good.cfg", NULL);
	const struct objects *o = &cfg->objects;
	const struct host *router = objects_host_find(o, "router");
	const struct dependency *dep;
	const struct service *s;
	const char *hosts[] = { "sw1", "sw2" };
	size_t i;

	assert_errors(cfg, 0);
	for (i = 0; i < 2; i++) {
		const struct host *h = objects_host_find(o, hosts[i]);

		assert_int_equal(h->opts.ndeps, 1);
		dep = &h->opts.deps[0];
		assert_ptr_equal(dep->master_host, router);
		assert_null(dep->master_service);
		assert_int_equal(dep->notification_failure_criteria,
		    H(DOWN) | H(UNREACHABLE));
		assert_int_equal(dep->execution_failure_criteria, H(PENDING));
		assert_true(dep->inherits_parent);
		assert_ptr_equal(dep->dependency_period,
		    fx_period(o, "workhours"));
	}
	assert_int_equal(router->opts.ndeps, 0);
	/* Same-host service dependency. */
	s = objects_service_find(o, "router", "HTTP");
	assert_int_equal(s->opts.ndeps, 1);
	dep = &s->opts.deps[0];
	assert_ptr_equal(dep->master_service,
	    objects_service_find(o, "router", "BGP"));
	assert_null(dep->master_host);
	assert_int_equal(dep->notification_failure_criteria,
	    S(WARNING) | S(UNKNOWN) | S(CRITICAL));
	assert_int_equal(dep->execution_failure_criteria, 0);
	assert_false(dep->inherits_parent);
	assert_null(dep->dependency_period);
	/* Dependent hosts named: "n" criteria never fail. */
	s = objects_service_find(o, "sw1", "Uplink");
	assert_int_equal(s->opts.ndeps, 1);
	dep = &s->opts.deps[0];
	assert_ptr_equal(dep->master_service,
	    objects_service_find(o, "router", "BGP"));
	assert_int_equal(dep->execution_failure_criteria,
	    S(CRITICAL) | S(PENDING));
	assert_int_equal(dep->notification_failure_criteria, 0);
	assert_int_equal(dep->loc.line, 203);
	assert_int_equal(o->nhostdependencies, 2);
	assert_int_equal(o->nservicedependencies, 3);
}

static char *
fx_report(const struct config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	conf_print_report(cfg, fp);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* The `pharosd -v` counts, in the places Nagios prints them. */
static void
test_conf_notify_report_counts(void **state)
{
	static const char want[] =
	    "\tChecked 2 time periods.\n"
	    "\tChecked 3 host escalations.\n"
	    "\tChecked 4 service escalations.\n"
	    "\tAccepted 0 definitions not acted on yet "
	    "(servicegroups, extinfo).\n"
	    "Checking for circular paths...\n"
	    "\tChecked 3 hosts\n"
	    "\tChecked 3 service dependencies\n"
	    "\tChecked 2 host dependencies\n\n";
	struct config *cfg = fx_load(*state, "good.cfg", NULL);
	char *buf = fx_report(cfg);

	if (strstr(buf, want) == NULL)
		fail_msg("report lacks the counts:\n%s", buf);
	assert_non_null(strstr(buf, "Things look okay"));
	free(buf);
}

static void
test_conf_notify_main_keys(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX + 32];
	struct config *cfg;

	snprintf(path, sizeof(path), "%s/main_keys.cfg", f->dir);
	assert_int_equal(conf_load(path, &f->cfg), 0);
	cfg = f->cfg;
	assert_errors(cfg, 0);
	assert_int_equal(cfg->nwarnings, 0);
	assert_false(cfg->enable_notifications);
	assert_false(cfg->enable_flap_detection);
	assert_true(cfg->low_host_flap_threshold == 2.5);
	assert_true(cfg->high_host_flap_threshold == 40.0);
	assert_true(cfg->low_service_flap_threshold == 7.0);
	assert_true(cfg->high_service_flap_threshold == 35.25);

	/* Nagios' defaults. */
	cfg = fx_load(f, "base.cfg", NULL);
	assert_true(cfg->enable_notifications);
	assert_true(cfg->enable_flap_detection);
	assert_true(cfg->low_host_flap_threshold == 5.0);
	assert_true(cfg->high_host_flap_threshold == 20.0);
	assert_true(cfg->low_service_flap_threshold == 5.0);
	assert_true(cfg->high_service_flap_threshold == 20.0);
}

static void
test_conf_notify_bad_main_keys(void **state)
{
	struct fx *f = *state;
	const char *file = "notify/bad_main_keys.cfg";
	char path[PATH_MAX + 32], *buf;
	struct config *cfg;

	snprintf(path, sizeof(path), "%s/bad_main_keys.cfg", f->dir);
	assert_int_equal(conf_load(path, &f->cfg), 0);
	cfg = f->cfg;
	assert_msg(cfg, CONF_ERROR, file, 2,
	    "invalid enable_notifications 'yes': expected 0 or 1");
	assert_msg(cfg, CONF_ERROR, file, 3,
	    "invalid enable_flap_detection '': expected 0 or 1");
	assert_msg(cfg, CONF_ERROR, file, 4,
	    "invalid low_host_flap_threshold '-1': expected a percentage");
	assert_msg(cfg, CONF_ERROR, file, 5,
	    "invalid high_service_flap_threshold '101'");
	assert_msg(cfg, CONF_ERROR, file, 6,
	    "invalid low_service_flap_threshold 'abc'");
	assert_errors(cfg, 5);
	/* Bad values leave the defaults. */
	assert_true(cfg->enable_notifications);
	assert_true(cfg->low_host_flap_threshold == 5.0);
	buf = fx_report(cfg);
	assert_non_null(strstr(buf, "Error processing main config file!"));
	free(buf);
}

static void
test_conf_notify_unknown_references(void **state)
{
	struct config *cfg = fx_load(*state, "base.cfg", "bad_refs.cfg", NULL);
	const char *file = "notify/bad_refs.cfg";
	struct contact *bob;

	assert_msg(cfg, CONF_ERROR, file, 1, "unknown timeperiod 'nights' in "
	    "host_notification_period of contact 'bob'");
	assert_msg(cfg, CONF_ERROR, file, 1, "unknown command 'notify-by-owl' "
	    "in host_notification_commands of contact 'bob'");
	assert_msg(cfg, CONF_ERROR, file, 1, "'icmp' is a built-in check and "
	    "cannot be used in service_notification_commands of contact 'bob'");
	assert_msg(cfg, CONF_ERROR, file, 8,
	    "unknown command 'no-such-handler' in event_handler of host 'd'");
	assert_msg(cfg, CONF_ERROR, file, 8, "unknown timeperiod 'weekends' in "
	    "notification_period of host 'd'");
	/* Once for the definition, not once per host. */
	assert_msg(cfg, CONF_ERROR, file, 16, "unknown command "
	    "'no-such-handler' in event_handler of service 'SSH'");
	assert_msg(cfg, CONF_ERROR, file, 24,
	    "unknown contact 'zed' in contacts of hostescalation");
	assert_msg(cfg, CONF_ERROR, file, 24, "unknown contactgroup 'nobody' "
	    "in contact_groups of hostescalation");
	assert_msg(cfg, CONF_ERROR, file, 24, "unknown timeperiod 'holidays' "
	    "in escalation_period of hostescalation 'a'");
	assert_msg(cfg, CONF_ERROR, file, 33, "unknown service 'FTP' on host "
	    "'a' in service_description of serviceescalation");
	assert_msg(cfg, CONF_ERROR, file, 40, "unknown timeperiod 'never' in "
	    "dependency_period of hostdependency 'b'");
	assert_errors(cfg, 11);
	/* Built without what was wrong. */
	bob = fx_contact(&cfg->objects, "bob");
	assert_null(bob->host_notification_period);
	assert_int_equal(bob->nhost_notification_commands, 1);
	assert_int_equal(bob->nservice_notification_commands, 0);
	assert_int_equal(objects_host_find(&cfg->objects, "a")->opts.
	    escalations[0].ncontacts, 1);
}

static void
test_conf_notify_bad_option_letters(void **state)
{
	struct config *cfg = fx_load(*state, "base.cfg", "bad_options.cfg",
	    NULL);
	const char *file = "notify/bad_options.cfg";

	assert_msg(cfg, CONF_ERROR, file, 5, "invalid value 'd,x' for "
	    "'notification_options' in host definition: unknown option");
	assert_msg(cfg, CONF_ERROR, file, 10, "invalid value 'w,d' for "
	    "'service_notification_options' in contact definition");
	assert_msg(cfg, CONF_ERROR, file, 16, "invalid value 'o,w' for "
	    "'notification_failure_criteria' in hostdependency definition");
	assert_msg(cfg, CONF_ERROR, file, 21, "invalid value 'one' for "
	    "'first_notification' in hostescalation definition: not an "
	    "integer");
	assert_msg(cfg, CONF_ERROR, file, 23, "invalid value 'd,warning' for "
	    "'escalation_options' in hostescalation definition");
	assert_errors(cfg, 5);
	/* The defaults apply instead. */
	assert_int_equal(objects_host_find(&cfg->objects, "e")->opts.
	    notification_options, H(DOWN) | OBJ_OPT_RECOVERY |
	    OBJ_OPT_FLAPPING | OBJ_OPT_DOWNTIME);
}

static void
test_conf_notify_dependency_cycles(void **state)
{
	struct config *cfg = fx_load(*state, "base.cfg", "cycle.cfg", NULL);
	const char *file = "notify/cycle.cfg";

	assert_msg(cfg, CONF_ERROR, file, 1,
	    "host dependency cycle: a -> c -> b -> a");
	assert_msg(cfg, CONF_ERROR, file, 19,
	    "service dependency cycle: a;DNS -> a;HTTP -> a;DNS");
	assert_msg(cfg, CONF_ERROR, file, 31, "servicedependency makes "
	    "service 'DNS' on host 'b' depend on itself");
	assert_errors(cfg, 3);
}

static void
test_conf_notify_unknown_hosts(void **state)
{
	struct config *cfg = fx_load(*state, "base.cfg", "unknown_host.cfg",
	    NULL);
	const char *file = "notify/unknown_host.cfg";

	assert_msg(cfg, CONF_ERROR, file, 1,
	    "unknown host 'nosuchhost' in host_name of hostescalation");
	assert_msg(cfg, CONF_ERROR, file, 7, "unknown service 'HTTP' on host "
	    "'b' in service_description of serviceescalation");
	assert_msg(cfg, CONF_ERROR, file, 14,
	    "unknown hostgroup 'nogroup' in hostgroup_name of hostescalation");
	assert_msg(cfg, CONF_ERROR, file, 14,
	    "hostescalation has no last_notification");
	assert_msg(cfg, CONF_ERROR, file, 19, "unknown host 'ghost' in "
	    "dependent_host_name of hostdependency");
	assert_msg(cfg, CONF_ERROR, file, 24,
	    "unknown host 'nohost' in host_name of servicedependency");
	assert_msg(cfg, CONF_ERROR, file, 30,
	    "hostescalation has no host_name or hostgroup_name");
	assert_errors(cfg, 7);
	/* One message per mistake: no "applies to no host" on top. */
	assert_int_equal(cfg->nwarnings, 0);
	assert_int_equal(cfg->objects.nhostescalations, 0);
	assert_int_equal(cfg->objects.nhostdependencies, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(test_conf_notify_contacts),
		T(test_conf_notify_host_settings),
		T(test_conf_notify_service_settings),
		T(test_conf_notify_escalations),
		T(test_conf_notify_dependencies),
		T(test_conf_notify_report_counts),
		T(test_conf_notify_main_keys),
		T(test_conf_notify_bad_main_keys),
		T(test_conf_notify_unknown_references),
		T(test_conf_notify_bad_option_letters),
		T(test_conf_notify_dependency_cycles),
		T(test_conf_notify_unknown_hosts),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
