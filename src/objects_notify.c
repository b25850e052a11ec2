/*
 * objects_notify: the object-model side of notifications. It holds the
 * directive tables of the dependency and escalation types (the other types'
 * tables are in objects.c), turns option values ("d,u,r", "warning,critical")
 * into OBJ_OPT bit sets, and frees what conf_notify.c attaches to contacts,
 * hosts and services.
 *
 * Option values reach objects_opts_parse() only after the parser checked
 * them against the directive's letters (conf_parse.c), so unknown letters
 * are ignored here rather than reported twice.
 */
#include "objects.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

#define K_ANY(n) { n, VK_ANY, 0, 0, NULL }
#define K_LIST(n) { n, VK_LIST, 0, 0, NULL }
#define K_BOOL(n) { n, VK_BOOL, 0, 1, NULL }
#define K_INT(n, a, b) { n, VK_INT, a, b, NULL }
#define K_NUM(n, a, b) { n, VK_NUM, a, b, NULL }
#define K_OPTS(n, o) { n, VK_OPTS, 0, 0, o }
#define K_END { NULL, VK_ANY, 0, 0, NULL }

static const struct conf_key objects_keys_hostdependency[] = {
	K_LIST("dependent_host_name"), K_LIST("dependent_hostgroup_name"),
	K_LIST("host_name"), K_LIST("hostgroup_name"),
	K_BOOL("inherits_parent"),
	K_OPTS("execution_failure_criteria", "odupna"),
	K_OPTS("notification_failure_criteria", "odupna"),
	K_ANY("dependency_period"), K_END,
};

static const struct conf_key objects_keys_servicedependency[] = {
	K_LIST("dependent_host_name"), K_LIST("dependent_hostgroup_name"),
	K_LIST("dependent_servicegroup_name"),
	K_LIST("dependent_service_description"), K_LIST("host_name"),
	K_LIST("hostgroup_name"), K_LIST("servicegroup_name"),
	K_LIST("service_description"), K_BOOL("inherits_parent"),
	K_OPTS("execution_failure_criteria", "owucpna"),
	K_OPTS("notification_failure_criteria", "owucpna"),
	K_ANY("dependency_period"), K_END,
};

#define ESCALATION_KEYS                                                  \
	K_LIST("host_name"), K_LIST("hostgroup_name"), K_LIST("contacts"), \
	    K_LIST("contact_groups"),                                     \
	    K_INT("first_notification", 0, INT_MAX),                      \
	    K_INT("last_notification", 0, INT_MAX),                       \
	    K_NUM("notification_interval", 0, 1e9),                       \
	    K_ANY("escalation_period")

static const struct conf_key objects_keys_hostescalation[] = {
	ESCALATION_KEYS, K_OPTS("escalation_options", "durna"), K_END,
};

static const struct conf_key objects_keys_serviceescalation[] = {
	ESCALATION_KEYS, K_LIST("servicegroup_name"),
	K_LIST("service_description"),
	K_OPTS("escalation_options", "wucrna"), K_END,
};

const struct conf_key *
objects_notify_key_find(enum conf_type t, const char *name)
{
	const struct conf_key *k;

	switch (t) {
	case CT_HOSTDEPENDENCY:
		k = objects_keys_hostdependency;
		break;
	case CT_SERVICEDEPENDENCY:
		k = objects_keys_servicedependency;
		break;
	case CT_HOSTESCALATION:
		k = objects_keys_hostescalation;
		break;
	case CT_SERVICEESCALATION:
		k = objects_keys_serviceescalation;
		break;
	default:
		return NULL;
	}
	for (; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/* Nagios' long names of option letters. */
static char
objects_opt_letter(const char *w, size_t len)
{
	static const struct {
		const char *word;
		char letter;
	} words[] = {
		{ "up", 'o' }, { "ok", 'o' }, { "down", 'd' },
		{ "unreachable", 'u' }, { "unknown", 'u' }, { "warning", 'w' },
		{ "critical", 'c' }, { "recovery", 'r' }, { "flapping", 'f' },
		{ "downtime", 's' }, { "pending", 'p' }, { "none", 'n' },
		{ "all", 'a' },
	};
	size_t i;

	if (len == 1)
		return w[0];
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == len &&
		    strncmp(words[i].word, w, len) == 0)
			return words[i].letter;
	return '?';
}

/* The bits of letter c for kind k (0 for a letter the kind lacks). */
static unsigned
objects_opt_bits(char c, enum objects_optkind k)
{
	bool host = k == OPTK_HOST || k == OPTK_HOST_STATES;
	bool states = k == OPTK_HOST_STATES || k == OPTK_SVC_STATES;

	switch (c) {
	case 'o':
	case 'r':
		return OBJ_OPT_RECOVERY;
	case 'd':
		return host ? OBJ_OPT_STATE(HOST_DOWN) : 0;
	case 'u':
		return OBJ_OPT_STATE(host ? HOST_UNREACHABLE : SERVICE_UNKNOWN);
	case 'w':
		return host ? 0 : OBJ_OPT_STATE(SERVICE_WARNING);
	case 'c':
		return host ? 0 : OBJ_OPT_STATE(SERVICE_CRITICAL);
	case 'p':
		return !states ? 0 : OBJ_OPT_STATE(host ? HOST_PENDING :
		    SERVICE_PENDING);
	case 'f':
		return states ? 0 : OBJ_OPT_FLAPPING;
	case 's':
		return states ? 0 : OBJ_OPT_DOWNTIME;
	default:
		return 0;
	}
}

unsigned
objects_opts_parse(const char *value, enum objects_optkind kind)
{
	static const char all[] = "odurwcpfs";
	const char *p = value, *w;
	unsigned bits = 0;
	size_t len, i;
	char c;

	while (conf_next_item(&p, &w, &len)) {
		c = objects_opt_letter(w, len);
		if (c == 'n')
			bits = 0;
		else if (c == 'a')
			for (i = 0; all[i] != '\0'; i++)
				bits |= objects_opt_bits(all[i], kind);
		else
			bits |= objects_opt_bits(c, kind);
	}
	return bits;
}

void
objects_spec_args_free(struct check_spec *spec)
{
	size_t i;

	if (spec == NULL)
		return;
	for (i = 0; i < spec->nargs; i++)
		free(spec->args[i]);
	free(spec->args);
	spec->args = NULL;
	spec->nargs = 0;
}

static void
objects_specs_free(struct check_spec *specs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		objects_spec_args_free(&specs[i]);
	free(specs);
}

void
objects_contact_notify_free(struct contact *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < sizeof(c->address) / sizeof(c->address[0]); i++) {
		free(c->address[i]);
		c->address[i] = NULL;
	}
	objects_specs_free(c->host_notification_commands,
	    c->nhost_notification_commands);
	objects_specs_free(c->service_notification_commands,
	    c->nservice_notification_commands);
	c->host_notification_commands = c->service_notification_commands =
	    NULL;
	c->nhost_notification_commands = c->nservice_notification_commands =
	    0;
}

void
objects_opts_free(struct obj_opts *op)
{
	size_t i;

	if (op == NULL)
		return;
	objects_specs_free(op->event_handler, op->event_handler != NULL);
	for (i = 0; i < op->nescalations; i++)
		free(op->escalations[i].contacts);
	free(op->escalations);
	free(op->deps);
	op->event_handler = NULL;
	op->escalations = NULL;
	op->deps = NULL;
	op->nescalations = op->ndeps = 0;
}
