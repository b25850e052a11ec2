/*
 * notify_send: sending one notification the engine decided on. The
 * recipients are the object's contacts, or, when escalations apply to the
 * notification number, the contacts of those escalations instead (Nagios
 * replaces them; an escalation that should add people lists the original
 * ones too); each contact must pass its own filters (enabled, period,
 * options). For each recipient, each of its notification commands is
 * expanded with src/macro.h, logged as Nagios logs it and handed to
 * ops->run.
 *
 * The recipients are gathered in n->scratch (one slot per contact of the
 * configuration, so no allocation per notification); the macro variables
 * of one contact live in a struct nt_vars on the stack, plus one
 * allocation for its custom variables.
 */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "macro.h"
#include "notify_int.h"

#define NT_NVARS 48 /* fixed macro variables of one notification */

/* The macro variables of one contact's notification. */
struct nt_vars {
	struct macro_var v[NT_NVARS];
	size_t n;
	char number[16];
	char esc[2];
	char shortdt[48];
	char date[24];
	char time[16];
	char addrname[6][20];
	struct macro_var *all; /* v, then the contact's custom variables */
	char *names;	       /* "_CONTACT<NAME>" strings of those */
};

/* ---- escalations --------------------------------------------------------- */

/* Does e apply to t now (Nagios: a recovery counts with the number of
 * the problem it ends)? */
static bool
nt_esc_valid(const struct notify *n, const struct nt_target *t,
    const struct escalation *e, int64_t now)
{
	int num = t->o->number - (t->st->state == HOST_UP);

	if (e->first_notification > num ||
	    (e->last_notification != 0 && e->last_notification < num))
		return false;
	if (!(e->escalation_options & OBJ_OPT_STATE(t->st->state)))
		return false;
	return nt_period_in(n, e->escalation_period, now);
}

int64_t
nt_interval(const struct notify *n, const struct nt_target *t, int64_t now)
{
	int64_t iv = t->op->notification_interval_ns;
	const struct escalation *e;
	bool have = false;
	size_t i;

	for (i = 0; i < t->op->nescalations; i++) {
		e = &t->op->escalations[i];
		if (e->notification_interval_ns < 0 ||
		    !nt_esc_valid(n, t, e, now))
			continue;
		if (!have || e->notification_interval_ns < iv)
			iv = e->notification_interval_ns;
		have = true;
	}
	if (iv <= 0)
		return 0;
	return iv < INT64_C(1000000000) ? 1 : iv / INT64_C(1000000000);
}

/* ---- recipients ---------------------------------------------------------- */

/* Nagios' contact filters for one notification. */
static bool
nt_contact_ok(const struct notify *n, const struct nt_target *t,
    const struct nt_msg *m, const struct contact *c)
{
	bool host = t->s == NULL;
	unsigned opts = host ? c->host_notification_options :
	    c->service_notification_options;
	int state = t->st->state;

	if (m->options & NOTIFY_OPT_FORCED)
		return true;
	if (!(host ? c->host_notifications_enabled :
	    c->service_notifications_enabled))
		return false;
	if (!nt_period_in(n, host ? c->host_notification_period :
	    c->service_notification_period, m->now))
		return false;
	switch (m->type) {
	case NOTIFY_CUSTOM:
		return true;
	case NOTIFY_FLAPPINGSTART:
	case NOTIFY_FLAPPINGSTOP:
	case NOTIFY_FLAPPINGDISABLED:
		return (opts & OBJ_OPT_FLAPPING) != 0;
	case NOTIFY_DOWNTIMESTART:
	case NOTIFY_DOWNTIMEEND:
	case NOTIFY_DOWNTIMECANCELLED:
		return (opts & OBJ_OPT_DOWNTIME) != 0;
	default:
		break;
	}
	if (!(opts & OBJ_OPT_STATE(state)))
		return false;
	/* A recovery goes to those who could have heard of the problem. */
	return state != HOST_UP || (host ? t->o->notified_on != 0 :
	    (t->o->notified_on & opts) != 0);
}

/* Add c to the k recipients unless filtered out or there already. */
static size_t
nt_add(struct notify *n, const struct nt_target *t, const struct nt_msg *m,
    struct contact *c, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (n->scratch[i] == c)
			return k;
	if (!nt_contact_ok(n, t, m, c))
		return k;
	n->scratch[k] = c;
	return k + 1;
}

/* The recipients into n->scratch; returns how many. */
static size_t
nt_recipients(struct notify *n, const struct nt_target *t,
    const struct nt_msg *m, bool *escalated)
{
	bool bcast = (m->options & NOTIFY_OPT_BROADCAST) != 0;
	struct contact *const *cs = t->s != NULL ? t->s->contacts :
	    t->h->contacts;
	size_t nc = t->s != NULL ? t->s->ncontacts : t->h->ncontacts;
	const struct escalation *e;
	size_t i, j, k = 0;

	*escalated = false;
	for (i = 0; i < t->op->nescalations && !*escalated; i++)
		*escalated = nt_esc_valid(n, t, &t->op->escalations[i],
		    m->now);
	for (i = 0; (*escalated || bcast) && i < t->op->nescalations; i++) {
		e = &t->op->escalations[i];
		if (!bcast && !nt_esc_valid(n, t, e, m->now))
			continue;
		for (j = 0; j < e->ncontacts; j++)
			k = nt_add(n, t, m, e->contacts[j], k);
	}
	for (i = 0; (!*escalated || bcast) && i < nc; i++)
		k = nt_add(n, t, m, cs[i], k);
	return k;
}

/* "alice,bob": the recipients, for $NOTIFICATIONRECIPIENTS$. Caller
 * frees; NULL when memory ran out. */
static char *
nt_recipient_list(const struct notify *n, size_t k)
{
	size_t i, len = 1, off = 0;
	char *s;

	for (i = 0; i < k; i++)
		len += strlen(n->scratch[i]->name) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < k; i++)
		off += (size_t)snprintf(s + off, len - off, "%s%s",
		    i > 0 ? "," : "", n->scratch[i]->name);
	return s;
}

/* ---- macros ------------------------------------------------------------- */

static void
nt_var(struct nt_vars *v, const char *name, const char *value, bool tainted)
{
	if (v->n == NT_NVARS)
		return;
	v->v[v->n].name = name;
	v->v[v->n].value = value;
	/* An empty outside value is no word at all, as an empty macro. */
	v->v[v->n++].tainted = tainted && value != NULL && *value != '\0';
}

/* The contact Nagios finds for an author: by name, else by alias. */
static const struct contact *
nt_author(const struct notify *n, const char *author)
{
	size_t i;

	for (i = 0; author != NULL && i < n->objs->ncontacts; i++)
		if (strcmp(n->objs->contacts[i]->name, author) == 0)
			return n->objs->contacts[i];
	for (i = 0; author != NULL && i < n->objs->ncontacts; i++)
		if (n->objs->contacts[i]->alias != NULL &&
		    strcmp(n->objs->contacts[i]->alias, author) == 0)
			return n->objs->contacts[i];
	return NULL;
}

/* The variables of the notification itself. */
static void
nt_vars_notification(const struct notify *n, const struct nt_target *t,
    const struct nt_msg *m, const char *recipients, bool escalated,
    struct nt_vars *v)
{
	const struct contact *a = nt_author(n, m->author);
	bool ack = m->type == NOTIFY_ACKNOWLEDGEMENT, svc = t->s != NULL;
	time_t now = (time_t)m->now;
	struct tm tm;

	snprintf(v->number, sizeof(v->number), "%d", t->o->number);
	snprintf(v->esc, sizeof(v->esc), "%d", escalated ? 1 : 0);
	if (localtime_r(&now, &tm) != NULL) {
		strftime(v->shortdt, sizeof(v->shortdt), "%m-%d-%Y %H:%M:%S",
		    &tm);
		strftime(v->date, sizeof(v->date), "%m-%d-%Y", &tm);
		strftime(v->time, sizeof(v->time), "%H:%M:%S", &tm);
	}
	nt_var(v, "NOTIFICATIONTYPE", notify_type_name(m->type), false);
	nt_var(v, "NOTIFICATIONNUMBER", v->number, false);
	nt_var(v, svc ? "SERVICENOTIFICATIONNUMBER" :
	    "HOSTNOTIFICATIONNUMBER", v->number, false);
	nt_var(v, "NOTIFICATIONRECIPIENTS", recipients, false);
	nt_var(v, "NOTIFICATIONISESCALATED", v->esc, false);
	nt_var(v, "NOTIFICATIONAUTHOR", m->author, true);
	nt_var(v, "NOTIFICATIONAUTHORNAME", a != NULL ? a->name : NULL, false);
	nt_var(v, "NOTIFICATIONAUTHORALIAS", a != NULL ? a->alias : NULL,
	    false);
	nt_var(v, "NOTIFICATIONCOMMENT", m->comment, true);
	nt_var(v, svc ? "SERVICEACKAUTHOR" : "HOSTACKAUTHOR",
	    ack ? m->author : NULL, true);
	nt_var(v, svc ? "SERVICEACKCOMMENT" : "HOSTACKCOMMENT",
	    ack ? m->comment : NULL, true);
	nt_var(v, svc ? "SERVICEACKAUTHORNAME" : "HOSTACKAUTHORNAME",
	    ack && a != NULL ? a->name : NULL, false);
	nt_var(v, svc ? "SERVICEACKAUTHORALIAS" : "HOSTACKAUTHORALIAS",
	    ack && a != NULL ? a->alias : NULL, false);
	nt_var(v, "SHORTDATETIME", v->shortdt, false);
	nt_var(v, "DATE", v->date, false);
	nt_var(v, "TIME", v->time, false);
}

/* The contact's variables; its custom variables as $_CONTACTNAME$.
 * Returns 0 or -ENOMEM. */
static int
nt_vars_contact(const struct contact *c, struct nt_vars *v)
{
	size_t i, len = 0, off = 0;

	nt_var(v, "CONTACTNAME", c->name, false);
	nt_var(v, "CONTACTALIAS", c->alias, false);
	nt_var(v, "CONTACTEMAIL", c->email, false);
	nt_var(v, "CONTACTPAGER", c->pager, false);
	for (i = 0; i < 6; i++) {
		snprintf(v->addrname[i], sizeof(v->addrname[i]),
		    "CONTACTADDRESS%zu", i + 1);
		nt_var(v, v->addrname[i], c->address[i], false);
	}
	v->all = calloc(v->n + c->nvars + 1, sizeof(*v->all));
	for (i = 0; i < c->nvars; i++)
		len += strlen(c->vars[i].name) + sizeof("_CONTACT");
	v->names = malloc(len + 1);
	if (v->all == NULL || v->names == NULL)
		return -ENOMEM;
	memcpy(v->all, v->v, v->n * sizeof(*v->all));
	for (i = 0; i < c->nvars; i++) {
		v->all[v->n + i].name = v->names + off;
		v->all[v->n + i].value = c->vars[i].value;
		off += (size_t)snprintf(v->names + off, len + 1 - off,
		    "_CONTACT%s", c->vars[i].name) + 1;
	}
	return 0;
}

/* ---- commands and log lines -------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
nt_log(const struct notify *n, const char *fmt, ...)
{
	va_list ap;
	char *buf;
	int len;

	if (n->ops.log == NULL)
		return;
	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (buf = malloc((size_t)len + 1)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, (size_t)len + 1, fmt, ap);
	va_end(ap);
	n->ops.log(n->ops.arg, buf);
	free(buf);
}

/* The log line of one command, as Nagios 4 writes it: the state, or
 * "TYPE (STATE)" for the other types; acknowledgements and custom
 * notifications end with author and comment. */
static void
nt_log_command(const struct notify *n, const struct nt_target *t,
    const struct nt_msg *m, const struct contact *c, const char *cmd)
{
	const char *state = t->s != NULL ? service_state_name(t->st->state) :
	    host_state_name(t->st->state);
	const char *out = t->st->output != NULL ? t->st->output : "";
	bool plain = m->type == NOTIFY_PROBLEM || m->type == NOTIFY_RECOVERY;
	bool extra = m->type == NOTIFY_ACKNOWLEDGEMENT ||
	    m->type == NOTIFY_CUSTOM;
	char what[64];

	snprintf(what, sizeof(what), plain ? "%s%s" : "%s (%s)",
	    plain ? "" : notify_type_name(m->type), state);
	if (t->s != NULL)
		nt_log(n, "SERVICE NOTIFICATION: %s;%s;%s;%s;%s;%s%s%s%s%s",
		    c->name, t->h->name, t->s->description, what, cmd, out,
		    extra ? ";" : "", extra && m->author ? m->author : "",
		    extra ? ";" : "", extra && m->comment ? m->comment : "");
	else
		nt_log(n, "HOST NOTIFICATION: %s;%s;%s;%s;%s%s%s%s%s",
		    c->name, t->h->name, what, cmd, out, extra ? ";" : "",
		    extra && m->author ? m->author : "", extra ? ";" : "",
		    extra && m->comment ? m->comment : "");
}

/* Run every notification command of contact c. */
static void
nt_commands(struct notify *n, const struct nt_target *t,
    const struct nt_msg *m, const struct contact *c,
    const struct nt_vars *v)
{
	const struct check_spec *cmds = t->s != NULL ?
	    c->service_notification_commands : c->host_notification_commands;
	size_t i, ncmds = t->s != NULL ? c->nservice_notification_commands :
	    c->nhost_notification_commands;
	struct macro_ctx mc = { .host = t->h, .service = t->s,
		.user_macros = n->p.user_macros,
		.nuser_macros = n->p.nuser_macros, .vars = v->all,
		.nvars = v->n + c->nvars, .now = m->now };
	struct notify_job job = { .type = m->type, .host = t->h,
		.service = t->s, .contact = c, .number = t->o->number };
	struct macro_argv av;
	char err[256];

	for (i = 0; i < ncmds; i++) {
		mc.spec = &cmds[i];
		if (macro_command(&mc, cmds[i].command->line, &av, err,
		    sizeof(err)) != 0) {
			log_warnx("notification command '%s' of contact '%s' "
			    "not run: %s", cmds[i].command->name, c->name, err);
			n->counters.expand_failed++;
			continue;
		}
		nt_log_command(n, t, m, c, cmds[i].command->name);
		job.command = cmds[i].command;
		job.argv = av.argv;
		job.shell = av.shell;
		n->counters.commands++;
		n->ops.run(n->ops.arg, &job);
		macro_argv_free(&av);
	}
}

size_t
nt_send(struct notify *n, const struct nt_target *t, const struct nt_msg *m)
{
	struct nt_vars v;
	char *recipients;
	bool escalated;
	size_t i, k;

	if ((k = nt_recipients(n, t, m, &escalated)) == 0)
		return 0;
	if ((recipients = nt_recipient_list(n, k)) == NULL) {
		log_warnx("out of memory: notification not sent");
		return 0;
	}
	for (i = 0; i < k; i++) {
		memset(&v, 0, sizeof(v));
		nt_vars_notification(n, t, m, recipients, escalated, &v);
		if (nt_vars_contact(n->scratch[i], &v) == 0)
			nt_commands(n, t, m, n->scratch[i], &v);
		else
			log_warnx("out of memory: contact '%s' not notified",
			    n->scratch[i]->name);
		free(v.all);
		free(v.names);
	}
	free(recipients);
	n->counters.notifications++;
	n->counters.contacts += k;
	return k;
}
