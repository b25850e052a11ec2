/*
 * objects: the object types, lookups by name, freeing, state names, and
 * the model-level steps the loader takes.
 *
 * The types table lists, per type, every directive Nagios 4 accepts with
 * the syntax of its value; the loader checks definitions against it. The
 * syntax of two values the engine will read again lives here too: a
 * check_command ("cmd!arg!arg") and a timeperiod day line.
 *
 * The name indexes are open-addressing hash tables (linear probing, FNV-1a)
 * of borrowed keys: hosts by name, services by (host name, description),
 * commands, contacts, groups and time periods by name. A table is at most
 * half full, so a probe always ends at an empty slot. The loader builds
 * them and keeps them in objects.priv with the pooled file names that
 * struct srcloc points to.
 *
 * The graph steps (flattening nested groups, reverse links, parent cycles)
 * walk with explicit queues and stacks, never recursion, so a long chain in
 * the input cannot overflow the stack.
 */
#include "objects.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_int.h"

static const char *const objects_type_names[CT_NTYPES] = {
	[CT_HOST] = "host",
	[CT_HOSTGROUP] = "hostgroup",
	[CT_SERVICE] = "service",
	[CT_COMMAND] = "command",
	[CT_CONTACT] = "contact",
	[CT_CONTACTGROUP] = "contactgroup",
	[CT_TIMEPERIOD] = "timeperiod",
	[CT_SERVICEGROUP] = "servicegroup",
	[CT_HOSTDEPENDENCY] = "hostdependency",
	[CT_SERVICEDEPENDENCY] = "servicedependency",
	[CT_HOSTESCALATION] = "hostescalation",
	[CT_SERVICEESCALATION] = "serviceescalation",
	[CT_TRAPRULE] = "traprule",
	[CT_HOSTEXTINFO] = "hostextinfo",
	[CT_SERVICEEXTINFO] = "serviceextinfo",
};

#define K_ANY(n) { n, VK_ANY, 0, 0, NULL }
#define K_LIST(n) { n, VK_LIST, 0, 0, NULL }
#define K_BOOL(n) { n, VK_BOOL, 0, 1, NULL }
#define K_INT(n, a, b) { n, VK_INT, a, b, NULL }
#define K_NUM(n, a, b) { n, VK_NUM, a, b, NULL }
#define K_IVL(n) { n, VK_INTERVAL, 0, 0, NULL }
#define K_OPTS(n, o) { n, VK_OPTS, 0, 0, o }
#define K_STATE(n, o) { n, VK_STATE, 0, 0, o }
#define K_KIND(n, k) { n, k, 0, 0, NULL }
#define K_END { NULL, VK_ANY, 0, 0, NULL }

/* Keys hosts and services share (checks, freshness, flapping, notes). */
#define CHECK_KEYS                                                       \
	K_ANY("display_name"), K_ANY("check_command"),                    \
	    K_INT("max_check_attempts", 1, 1000), K_IVL("check_interval"), \
	    K_IVL("normal_check_interval"), K_IVL("retry_interval"),      \
	    K_IVL("retry_check_interval"), K_BOOL("active_checks_enabled"), \
	    K_BOOL("passive_checks_enabled"), K_ANY("check_period"),      \
	    K_BOOL("obsess"), K_BOOL("check_freshness"),                  \
	    K_INT("freshness_threshold", 0, INT_MAX), K_ANY("event_handler"), \
	    K_BOOL("event_handler_enabled"),                              \
	    K_NUM("low_flap_threshold", 0, 100),                          \
	    K_NUM("high_flap_threshold", 0, 100),                         \
	    K_BOOL("flap_detection_enabled"), K_BOOL("process_perf_data"), \
	    K_BOOL("retain_status_information"),                          \
	    K_BOOL("retain_nonstatus_information"), K_LIST("contacts"),   \
	    K_LIST("contact_groups"),                                     \
	    K_NUM("notification_interval", 0, 1e9),                       \
	    K_NUM("first_notification_delay", 0, 1e9),                    \
	    K_ANY("notification_period"), K_BOOL("notifications_enabled"), \
	    K_ANY("notes"), K_ANY("notes_url"), K_ANY("action_url"),      \
	    K_ANY("icon_image"), K_ANY("icon_image_alt"),                 \
	    K_INT("hourly_value", 0, UINT_MAX),                           \
	    K_INT("importance", 0, UINT_MAX),                             \
	    K_BOOL("failure_prediction_enabled"),                         \
	    K_ANY("failure_prediction_options")

/* Host keys of SNMP (checked further by conf_snmp.c). */
#define SNMP_KEYS                                                        \
	K_ANY("snmp_version"), K_ANY("snmp_community"),                   \
	    K_INT("snmp_port", 1, 65535), K_ANY("snmp_v3_user"),          \
	    K_ANY("snmp_v3_auth_proto"), K_ANY("snmp_v3_auth_pass"),      \
	    K_ANY("snmp_v3_priv_proto"), K_ANY("snmp_v3_priv_pass"),      \
	    K_ANY("snmp_v3_engine_id"), K_NUM("snmp_timeout", 0.01, 600), \
	    K_INT("snmp_retries", 0, 20),                                 \
	    K_INT("snmp_max_repetitions", 1, 1000), K_ANY("device_profile")

static const struct conf_key objects_keys_host[] = {
	K_ANY("host_name"), K_ANY("alias"), K_KIND("address", VK_ADDR),
	K_KIND("address6", VK_ADDR6), K_LIST("parents"), K_LIST("hostgroups"),
	CHECK_KEYS, SNMP_KEYS,
	K_STATE("initial_state", "odu"), K_BOOL("obsess_over_host"),
	K_OPTS("flap_detection_options", "oduna"),
	K_OPTS("notification_options", "durfsna"),
	K_OPTS("stalking_options", "oduNna"), K_ANY("vrml_image"),
	K_ANY("statusmap_image"), K_ANY("2d_coords"), K_ANY("3d_coords"),
	K_ANY("poller"), K_ANY("host_check_fallback"), K_END,
};

static const struct conf_key objects_keys_service[] = {
	K_LIST("host_name"), K_LIST("hostgroup_name"),
	K_ANY("service_description"), K_LIST("parents"),
	K_LIST("servicegroups"), K_INT("is_volatile", 0, 2), CHECK_KEYS,
	K_STATE("initial_state", "owuc"), K_BOOL("obsess_over_service"),
	K_BOOL("parallelize_check"),
	K_OPTS("flap_detection_options", "owucna"),
	K_OPTS("notification_options", "wucrfsna"),
	K_OPTS("stalking_options", "owucNna"), K_END,
};

static const struct conf_key objects_keys_command[] = {
	K_ANY("command_name"), K_ANY("command_line"), K_END,
};

static const struct conf_key objects_keys_contact[] = {
	K_ANY("contact_name"), K_ANY("alias"), K_LIST("contactgroups"),
	K_INT("minimum_value", 0, UINT_MAX),
	K_INT("minimum_importance", 0, UINT_MAX),
	K_BOOL("host_notifications_enabled"),
	K_BOOL("service_notifications_enabled"),
	K_ANY("host_notification_period"), K_ANY("service_notification_period"),
	K_OPTS("host_notification_options", "durfsna"),
	K_OPTS("service_notification_options", "wucrfsna"),
	K_LIST("host_notification_commands"),
	K_LIST("service_notification_commands"), K_ANY("email"), K_ANY("pager"),
	K_ANY("address1"), K_ANY("address2"), K_ANY("address3"),
	K_ANY("address4"), K_ANY("address5"), K_ANY("address6"),
	K_BOOL("can_submit_commands"), K_BOOL("retain_status_information"),
	K_BOOL("retain_nonstatus_information"), K_END,
};

static const struct conf_key objects_keys_contactgroup[] = {
	K_ANY("contactgroup_name"), K_ANY("alias"), K_LIST("members"),
	K_LIST("contactgroup_members"), K_END,
};

static const struct conf_key objects_keys_hostgroup[] = {
	K_ANY("hostgroup_name"), K_ANY("alias"), K_LIST("members"),
	K_LIST("hostgroup_members"), K_ANY("notes"), K_ANY("notes_url"),
	K_ANY("action_url"), K_ANY("poller"), K_END,
};

static const struct conf_key objects_keys_timeperiod[] = {
	K_ANY("timeperiod_name"), K_ANY("alias"), K_LIST("exclude"), K_END,
};

/* Checked further by conf_trap.c (docs/traps.md). */
static const struct conf_key objects_keys_traprule[] = {
	K_ANY("rule_name"), K_ANY("trap_oid"), K_LIST("host_name"),
	K_LIST("hostgroup_name"), K_ANY("match"),
	K_ANY("service_description"), K_ANY("state"), K_ANY("output"),
	K_ANY("clear_trap"), K_ANY("clear_key"),
	K_INT("clear_after", 0, 30 * 86400), K_END,
};

static const struct conf_key *const objects_keys[CT_NBUILT] = {
	[CT_HOST] = objects_keys_host,
	[CT_HOSTGROUP] = objects_keys_hostgroup,
	[CT_SERVICE] = objects_keys_service,
	[CT_COMMAND] = objects_keys_command,
	[CT_CONTACT] = objects_keys_contact,
	[CT_CONTACTGROUP] = objects_keys_contactgroup,
	[CT_TIMEPERIOD] = objects_keys_timeperiod,
	[CT_TRAPRULE] = objects_keys_traprule,
};

/* Lists where "+value" appends to the inherited value. */
static const char *const objects_additive[] = {
	"parents", "hostgroups", "contacts", "contact_groups", "members",
	"servicegroups", "host_name", "hostgroup_name", "contactgroups",
	"contactgroup_members", "hostgroup_members", "exclude",
	"host_notification_commands", "service_notification_commands",
	"dependent_host_name", "dependent_hostgroup_name", NULL,
};

const char *
objects_type_name(enum conf_type t)
{
	return (unsigned)t < CT_NTYPES ? objects_type_names[t] : "?";
}

const struct conf_key *
objects_key_find(enum conf_type t, const char *name)
{
	const struct conf_key *k;

	if ((unsigned)t >= CT_NBUILT)
		return NULL;
	if (objects_keys[t] == NULL) /* dependencies, escalations */
		return objects_notify_key_find(t, name);
	for (k = objects_keys[t]; k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

bool
objects_key_additive(const char *name)
{
	size_t i;

	for (i = 0; objects_additive[i] != NULL; i++)
		if (strcmp(objects_additive[i], name) == 0)
			return true;
	return false;
}

bool
objects_key_repeatable(enum conf_type t, const char *name)
{
	return t == CT_TRAPRULE && strcmp(name, "match") == 0;
}

int
objects_type_find(const char *name)
{
	int t;

	for (t = 0; t < CT_NTYPES; t++)
		if (strcmp(name, objects_type_names[t]) == 0)
			return t;
	return -1;
}

static uint32_t
objects_hash(const char *k1, const char *k2)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	for (p = (const unsigned char *)k1; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	if (k2 != NULL) {
		h = (h ^ 0xffu) * 16777619u;
		for (p = (const unsigned char *)k2; *p != '\0'; p++)
			h = (h ^ *p) * 16777619u;
	}
	return h;
}

static bool
objects_idx_match(const struct objidx_ent *e, uint32_t h, const char *k1,
    const char *k2)
{
	if (e->hash != h || strcmp(e->k1, k1) != 0)
		return false;
	if (e->k2 == NULL || k2 == NULL)
		return e->k2 == k2;
	return strcmp(e->k2, k2) == 0;
}

/* The slot holding k1/k2, or the empty slot where it would go. */
static struct objidx_ent *
objects_idx_slot(const struct objidx *ix, uint32_t h, const char *k1,
    const char *k2)
{
	size_t i = h & (ix->cap - 1);

	while (ix->ents[i].k1 != NULL && !objects_idx_match(&ix->ents[i], h,
	    k1, k2))
		i = (i + 1) & (ix->cap - 1);
	return &ix->ents[i];
}

static int
objects_idx_grow(struct objidx *ix)
{
	struct objidx_ent *old = ix->ents, *e;
	size_t oldcap = ix->cap, i, ncap;

	ncap = oldcap == 0 ? 64 : oldcap * 2;
	if (ncap > SIZE_MAX / sizeof(*old))
		return -ENOMEM;
	ix->ents = calloc(ncap, sizeof(*ix->ents));
	if (ix->ents == NULL) {
		ix->ents = old;
		return -ENOMEM;
	}
	ix->cap = ncap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].k1 == NULL)
			continue;
		e = objects_idx_slot(ix, old[i].hash, old[i].k1, old[i].k2);
		*e = old[i];
	}
	free(old);
	return 0;
}

int
objects_idx_put(struct objidx *ix, const char *k1, const char *k2, void *val)
{
	struct objidx_ent *e;
	uint32_t h = objects_hash(k1, k2);

	if (ix->cap != 0) {
		e = objects_idx_slot(ix, h, k1, k2);
		if (e->k1 != NULL)
			return -EEXIST;
	}
	if ((ix->n + 1) * 2 > ix->cap && objects_idx_grow(ix) != 0)
		return -ENOMEM;
	e = objects_idx_slot(ix, h, k1, k2);
	e->k1 = k1;
	e->k2 = k2;
	e->val = val;
	e->hash = h;
	ix->n++;
	return 0;
}

void
objects_idx_set(struct objidx *ix, const char *k1, const char *k2, void *val)
{
	struct objidx_ent *e;

	if (ix->cap == 0)
		return;
	e = objects_idx_slot(ix, objects_hash(k1, k2), k1, k2);
	if (e->k1 != NULL) {
		/* The new value may own other (equal) key strings. */
		e->k1 = k1;
		e->k2 = k2;
		e->val = val;
	}
}

void *
objects_idx_get(const struct objidx *ix, const char *k1, const char *k2)
{
	struct objidx_ent *e;

	if (ix->cap == 0 || k1 == NULL)
		return NULL;
	e = objects_idx_slot(ix, objects_hash(k1, k2), k1, k2);
	return e->k1 != NULL ? e->val : NULL;
}

void
objects_idx_free(struct objidx *ix)
{
	free(ix->ents);
	ix->ents = NULL;
	ix->cap = ix->n = 0;
}

void
objects_priv_free(struct objects_priv *p)
{
	size_t i;

	if (p == NULL)
		return;
	objects_idx_free(&p->hosts);
	objects_idx_free(&p->services);
	objects_idx_free(&p->commands);
	objects_idx_free(&p->contacts);
	objects_idx_free(&p->contactgroups);
	objects_idx_free(&p->hostgroups);
	objects_idx_free(&p->timeperiods);
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p);
}

struct host *
objects_host_find(const struct objects *o, const char *name)
{
	const struct objects_priv *p = o->priv;

	return p == NULL ? NULL : objects_idx_get(&p->hosts, name, NULL);
}

struct service *
objects_service_find(const struct objects *o, const char *host,
    const char *description)
{
	const struct objects_priv *p = o->priv;

	if (p == NULL || description == NULL)
		return NULL;
	return objects_idx_get(&p->services, host, description);
}

struct command *
objects_command_find(const struct objects *o, const char *name)
{
	const struct objects_priv *p = o->priv;

	return p == NULL ? NULL : objects_idx_get(&p->commands, name, NULL);
}

const char *
objects_var_find(const struct custom_var *vars, size_t nvars,
    const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < nvars; i++)
		if (strcasecmp(vars[i].name, name) == 0)
			return vars[i].value;
	return NULL;
}

int
objects_address_family(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;
	size_t len, i, label = 0;
	bool digits = true;
	char c;

	if (s == NULL)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &a4) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, &a6) == 1)
		return AF_INET6;
	len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return -EINVAL;
	/* A name, label by label. An all-digit last label would make
	 * "10.0.0.300" a name: it is a mistyped address. */
	for (i = 0; i <= len; i++) {
		c = i < len ? s[i] : '.';
		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    (i == len && digits))
				return -EINVAL;
			label = 0;
			digits = true;
			continue;
		}
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c == '-' && label > 0)))
			return -EINVAL;
		digits = digits && c >= '0' && c <= '9';
		label++;
	}
	return AF_UNSPEC;
}

static void
objects_vars_free(struct custom_var *vars, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	free(vars);
}

static void
objects_check_free(struct check_spec *c, struct check_status *st)
{
	size_t i;

	for (i = 0; i < c->nargs; i++)
		free(c->args[i]);
	free(c->args);
	free(st->output);
	free(st->long_output);
	free(st->perfdata);
}

static void
objects_host_free(struct host *h)
{
	if (h == NULL)
		return;
	free(h->name);
	free(h->alias);
	free(h->display_name);
	free(h->address);
	free(h->address6);
	free(h->snmp);
	free(h->device_profile);
	free(h->poller);
	objects_check_free(&h->check, &h->st);
	free(h->parents);
	free(h->children);
	free(h->groups);
	free(h->contacts);
	free(h->services);
	objects_vars_free(h->vars, h->nvars);
	objects_opts_free(&h->opts);
	free(h);
}

void
objects_service_free(struct service *s)
{
	if (s == NULL)
		return;
	free(s->description);
	free(s->display_name);
	objects_check_free(&s->check, &s->st);
	free(s->contacts);
	objects_vars_free(s->vars, s->nvars);
	objects_opts_free(&s->opts);
	free(s);
}

void
objects_free(struct objects *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nhosts; i++)
		objects_host_free(o->hosts[i]);
	free(o->hosts);
	for (i = 0; i < o->nservices; i++)
		objects_service_free(o->services[i]);
	free(o->services);
	for (i = 0; i < o->ncommands; i++) {
		free(o->commands[i]->name);
		free(o->commands[i]->line);
		free(o->commands[i]);
	}
	free(o->commands);
	for (i = 0; i < o->ncontacts; i++) {
		free(o->contacts[i]->name);
		free(o->contacts[i]->alias);
		free(o->contacts[i]->email);
		free(o->contacts[i]->pager);
		free(o->contacts[i]->groups);
		objects_vars_free(o->contacts[i]->vars, o->contacts[i]->nvars);
		objects_contact_notify_free(o->contacts[i]);
		free(o->contacts[i]);
	}
	free(o->contacts);
	for (i = 0; i < o->ncontactgroups; i++) {
		free(o->contactgroups[i]->name);
		free(o->contactgroups[i]->alias);
		free(o->contactgroups[i]->members);
		free(o->contactgroups[i]);
	}
	free(o->contactgroups);
	for (i = 0; i < o->nhostgroups; i++) {
		free(o->hostgroups[i]->name);
		free(o->hostgroups[i]->alias);
		free(o->hostgroups[i]->members);
		free(o->hostgroups[i]);
	}
	free(o->hostgroups);
	for (i = 0; i < o->ntimeperiods; i++) {
		struct timeperiod *tp = o->timeperiods[i];
		size_t j;

		free(tp->name);
		free(tp->alias);
		for (j = 0; j < tp->nlines; j++)
			free(tp->lines[j]);
		free(tp->lines);
		free(tp);
	}
	free(o->timeperiods);
	objects_priv_free(o->priv);
	memset(o, 0, sizeof(*o));
}

int
objects_builtins(struct objects *o)
{
	static const struct {
		const char *name;
		enum builtin kind;
	} tab[] = {
		{ "icmp", BUILTIN_ICMP },
		{ "snmp", BUILTIN_SNMP },
		{ "snmp_if", BUILTIN_SNMP_IF },
		{ "pharos_self", BUILTIN_SELF },
		{ "arp", BUILTIN_ARP },
	};
	struct objects_priv *p = o->priv;
	struct command *c;
	bool oom = false;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    !CONF_ROOM(&oom, o->commands, o->ncommands)) {
			free(c);
			return -ENOMEM;
		}
		o->commands[o->ncommands++] = c;
		c->builtin = tab[i].kind;
		if ((c->name = strdup(tab[i].name)) == NULL)
			return -ENOMEM;
		if ((rc = objects_idx_put(&p->commands, c->name, NULL, c)) != 0)
			return rc;
	}
	return 0;
}

void
objects_status_init(struct check_status *st, int pending)
{
	memset(st, 0, sizeof(*st));
	st->state = st->last_hard_state = pending;
	st->state_type = STATE_HARD;
	st->current_attempt = 1;
}

int
objects_check_split(const char *v, char *name, size_t namelen,
    struct check_spec *spec)
{
	size_t n = 0;
	bool oom = false;
	char *a;

	for (v += *v == '!'; *v == ' ' || *v == '\t'; v++)
		;
	for (; *v != '\0' && *v != '!'; v++)
		if (n + 1 < namelen)
			name[n++] = *v == '\\' && v[1] == '!' ? *++v : *v;
		else
			v += v[0] == '\\' && v[1] == '!';
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	name[n] = '\0';
	while (spec != NULL && *v++ == '!') {
		if (spec->nargs == CONF_MAX_ARGS)
			return -E2BIG;
		if (!CONF_ROOM(&oom, spec->args, spec->nargs) ||
		    (a = malloc(strlen(v) + 1)) == NULL)
			return -ENOMEM;
		spec->args[spec->nargs++] = a;
		for (; *v != '\0' && *v != '!'; v++)
			*a++ = *v == '\\' && v[1] == '!' ? *++v : *v;
		*a = '\0';
	}
	return 0;
}

static const char *const objects_days[] = { "sunday", "monday",
	"tuesday", "wednesday", "thursday", "friday", "saturday", "january",
	"february", "march", "april", "may", "june", "july", "august",
	"september", "october", "november", "december", "day", NULL };

static bool
objects_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return len > 0;
}

/* "H:MM" or "HH:MM" of len bytes: minutes since midnight, or -1. */
static int
objects_hhmm(const char *s, size_t len)
{
	int h, m;

	if (len < 4 || len > 5 || s[len - 3] != ':' ||
	    !objects_digits(s, len - 3) || !objects_digits(s + len - 2, 2))
		return -1;
	h = len == 5 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
	m = (s[len - 2] - '0') * 10 + (s[len - 1] - '0');
	return h > 24 || m > 59 || (h == 24 && m != 0) ? -1 : h * 60 + m;
}

int
objects_timeperiod_line(const char *name, const char *value, char *key,
    size_t keylen, const char **ranges, char *err, size_t errlen)
{
	const char *p = value, *t, *dash;
	size_t n, tl, i;
	bool first = true;

	*ranges = NULL;
	if ((n = (size_t)snprintf(key, keylen, "%s", name)) >= keylen)
		goto toolong;
	/* Date words up to the first one holding ':', the time ranges. */
	for (t = name;; first = false) {
		tl = first ? strlen(name) : (size_t)(p - t);
		for (i = 0; objects_days[i] != NULL &&
		    (strlen(objects_days[i]) != tl ||
		    strncmp(objects_days[i], t, tl) != 0); i++)
			;
		if (objects_days[i] == NULL && !(tl == 10 && t[4] == '-' &&
		    t[7] == '-' && objects_digits(t, 4) &&
		    objects_digits(t + 5, 2) && objects_digits(t + 8, 2)) &&
		    (first || !((tl == 1 && (*t == '-' || *t == '/')) ||
		    (tl <= 5 && objects_digits(t + (*t == '-'),
		    tl - (*t == '-')))))) {
			snprintf(err, errlen,
			    "invalid date '%.*s' in time period line '%s'",
			    (int)(tl > 40 ? 40 : tl), t, key);
			return -EINVAL;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		for (t = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
			;
		if (t == p || memchr(t, ':', (size_t)(p - t)) != NULL)
			break;
		if (n + (size_t)(p - t) + 2 > keylen)
			goto toolong;
		n += (size_t)snprintf(key + n, keylen - n, " %.*s",
		    (int)(p - t), t);
	}
	if (t == p) {
		snprintf(err, errlen, "no time ranges in time period line '%s'",
		    key);
		return -EINVAL;
	}
	for (*ranges = p = t; conf_next_item(&p, &t, &tl);) {
		dash = memchr(t, '-', tl);
		if (dash == NULL || objects_hhmm(t, (size_t)(dash - t)) < 0 ||
		    objects_hhmm(dash + 1, tl - (size_t)(dash + 1 - t)) < 0) {
			snprintf(err, errlen,
			    "invalid time range '%.*s' (expected HH:MM-HH:MM)",
			    (int)(tl > 40 ? 40 : tl), t);
			return -EINVAL;
		}
	}
	return 0;
toolong:
	snprintf(err, errlen, "time period line too long");
	return -EINVAL;
}

int
objects_contact_add(struct contact ***arr, size_t *n, struct contact *c)
{
	bool oom = false;
	size_t k;

	for (k = 0; k < *n; k++)
		if ((*arr)[k] == c)
			return 0;
	if (!CONF_ROOM(&oom, *arr, *n))
		return -ENOMEM;
	(*arr)[(*n)++] = c;
	return 0;
}

/* The members of group gi and of the groups nested in it, breadth-first
 * (so loops are harmless), minus gi's exclusions, sorted by cmp, without
 * duplicates. *out: caller frees. */
static int
objects_flatten(const struct objects_grp *g, size_t ng, size_t gi,
    int (*cmp)(const void *, const void *), void ***out, size_t *nout)
{
	const struct objects_grp *cur;
	size_t *queue, qh = 0, qt = 0, i, j, k, n = 0;
	bool *seen, oom = false;
	void **m = NULL;

	queue = calloc(ng + 1, sizeof(*queue));
	seen = calloc(ng + 1, sizeof(*seen));
	if (queue == NULL || seen == NULL)
		goto fail;
	queue[qt++] = gi;
	seen[gi] = true;
	while (qh < qt) {
		cur = &g[queue[qh++]];
		for (i = 0; i < cur->ndirect; i++) {
			for (k = 0; k < g[gi].nexcl &&
			    g[gi].excl[k] != cur->direct[i]; k++)
				;
			if (k < g[gi].nexcl)
				continue;
			if (!CONF_ROOM(&oom, m, n))
				goto fail;
			m[n++] = cur->direct[i];
		}
		for (i = 0; i < cur->nsubs; i++)
			if (!seen[cur->subs[i]]) {
				seen[cur->subs[i]] = true;
				queue[qt++] = cur->subs[i];
			}
	}
	if (n > 1)
		qsort(m, n, sizeof(*m), cmp);
	for (i = j = 0; i < n; i++)
		if (j == 0 || m[j - 1] != m[i])
			m[j++] = m[i];
	free(queue);
	free(seen);
	*out = m;
	*nout = j;
	return 0;
fail:
	free(queue);
	free(seen);
	free(m);
	return -ENOMEM;
}

static int
objects_host_cmp(const void *a, const void *b)
{
	const struct host *x = *(struct host *const *)a;
	const struct host *y = *(struct host *const *)b;

	return (x->index > y->index) - (x->index < y->index);
}

static int
objects_contact_cmp(const void *a, const void *b)
{
	return strcmp((*(struct contact *const *)a)->name,
	    (*(struct contact *const *)b)->name);
}

/* Append member m to group g's members and g to m's groups. */
#define OBJECTS_JOIN(oom, g, m)                                         \
	(CONF_ROOM(oom, (g)->members, (g)->nmembers) &&                   \
	    CONF_ROOM(oom, (m)->groups, (m)->ngroups) ?                   \
	    ((g)->members[(g)->nmembers++] = (m),                         \
	    (m)->groups[(m)->ngroups++] = (g), true) : false)

int
objects_groups_finish(struct objects *o, const struct objects_grp *hg,
    const struct objects_grp *cg)
{
	size_t i, j, n;
	bool oom = false;
	void **m;

	/* Hosts in definition order, contacts by name. */
	for (i = 0; i < o->nhostgroups && !oom; i++) {
		if (objects_flatten(hg, o->nhostgroups, i, objects_host_cmp, &m,
		    &n) != 0)
			return -ENOMEM;
		for (j = 0; j < n && !oom; j++)
			OBJECTS_JOIN(&oom, o->hostgroups[i], (struct host *)m[j]);
		free(m);
	}
	for (i = 0; i < o->ncontactgroups && !oom; i++) {
		if (objects_flatten(cg, o->ncontactgroups, i,
		    objects_contact_cmp, &m, &n) != 0)
			return -ENOMEM;
		for (j = 0; j < n && !oom; j++)
			OBJECTS_JOIN(&oom, o->contactgroups[i],
			    (struct contact *)m[j]);
		free(m);
	}
	return oom ? -ENOMEM : 0;
}

int
objects_link(struct objects *o)
{
	struct host *h, *p;
	size_t i, k;
	bool oom = false;

	for (i = 0; i < o->nhosts; i++) {
		h = o->hosts[i];
		for (k = 0; k < h->nparents; k++) {
			p = h->parents[k];
			if (!CONF_ROOM(&oom, p->children, p->nchildren))
				return -ENOMEM;
			p->children[p->nchildren++] = h;
		}
	}
	for (i = 0; i < o->nservices; i++) {
		h = o->services[i]->host;
		if (!CONF_ROOM(&oom, h->services, h->nservices))
			return -ENOMEM;
		h->services[h->nservices++] = o->services[i];
	}
	return 0;
}

static void
objects_cycle_report(struct host *const *path, size_t n,
    void (*fn)(void *arg, const struct host *first, const char *cycle),
    void *arg)
{
	char buf[900];
	size_t i, len = 0;

	for (i = 0; i < n && len < sizeof(buf) - 64; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s -> ",
		    path[i]->name);
	snprintf(buf + len, sizeof(buf) - len, "%s%s", i < n ? "... -> " : "",
	    path[0]->name);
	fn(arg, path[0], buf);
}

/* Depth-first over parent links with an explicit stack: state 0 new,
 * 1 on the current path, 2 done. An edge to a host on the path closes a
 * cycle: the path from that host on. */
int
objects_parent_cycles(const struct objects *o,
    void (*fn)(void *arg, const struct host *first, const char *cycle),
    void *arg)
{
	struct host **path, *h, *p;
	size_t *next, *pos, np, r;
	unsigned char *state;
	int rc = -ENOMEM;

	path = calloc(o->nhosts + 1, sizeof(*path));
	next = calloc(o->nhosts + 1, sizeof(*next));
	pos = calloc(o->nhosts + 1, sizeof(*pos));
	state = calloc(o->nhosts + 1, 1);
	if (path == NULL || next == NULL || pos == NULL || state == NULL)
		goto out;
	for (r = 0; r < o->nhosts; r++) {
		if (state[r] != 0)
			continue;
		np = 0;
		path[np] = o->hosts[r];
		next[np] = 0;
		pos[r] = np++;
		state[r] = 1;
		while (np > 0) {
			h = path[np - 1];
			if (next[np - 1] == h->nparents) {
				state[h->index] = 2;
				np--;
				continue;
			}
			p = h->parents[next[np - 1]++];
			if (state[p->index] == 1)
				objects_cycle_report(path + pos[p->index],
				    np - pos[p->index], fn, arg);
			if (state[p->index] != 0)
				continue;
			path[np] = p;
			next[np] = 0;
			pos[p->index] = np++;
			state[p->index] = 1;
		}
	}
	rc = 0;
out:
	free(path);
	free(next);
	free(pos);
	free(state);
	return rc;
}

const char *
host_state_name(int state)
{
	static const char *const names[] = { "UP", "DOWN", "UNREACHABLE",
		"PENDING" };

	return state >= 0 && state <= HOST_PENDING ? names[state] : "UNKNOWN";
}

const char *
service_state_name(int state)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
		"UNKNOWN", "PENDING" };

	return state >= 0 && state <= SERVICE_PENDING ? names[state] :
	    "UNKNOWN";
}

const char *
state_type_name(enum state_type t)
{
	return t == STATE_HARD ? "HARD" : "SOFT";
}
