/*
 * process.cgi: the monitoring process (docs/web.md): version, pid,
 * start time, the configuration snapshot in use, and the `pharos stats`
 * figures. Needs authorized_for_system_information (403 otherwise).
 *
 * The program-wide switches (notifications, host and service checks,
 * event handlers) are shown with, for users authorized_for_system_commands
 * (and not read-only), a button each that POSTs here with the CSRF token:
 * the external command (ENABLE_NOTIFICATIONS, STOP_EXECUTING_HOST_CHECKS,
 * ...) goes to pharosd, which checks the user's right again
 * (daemon_authz.c), then a 303 back to this page.
 */
#include <stdio.h>
#include <string.h>

#include "cgilib.h"
#include "query.h"

/* One program-wide switch: the status field, its label, the commands
 * that turn it on and off, and the form's "switch" value. */
struct process_switch {
	const char *field;
	const char *label;
	const char *on;
	const char *off;
	const char *name;
};

static const struct process_switch process_switches[] = {
	{ "enable_notifications", "Notifications", "ENABLE_NOTIFICATIONS",
	  "DISABLE_NOTIFICATIONS", "notifications" },
	{ "execute_host_checks", "Active host checks",
	  "START_EXECUTING_HOST_CHECKS", "STOP_EXECUTING_HOST_CHECKS",
	  "host_checks" },
	{ "execute_service_checks", "Active service checks",
	  "START_EXECUTING_SVC_CHECKS", "STOP_EXECUTING_SVC_CHECKS",
	  "service_checks" },
	{ "enable_event_handlers", "Event handlers", "ENABLE_EVENT_HANDLERS",
	  "DISABLE_EVENT_HANDLERS", "event_handlers" },
};

#define PROCESS_NSWITCHES \
	(sizeof(process_switches) / sizeof(process_switches[0]))

static const struct cgi_allow process_post[] = {
	{ "token", 128 },
	{ "switch", 16 },
	{ "to", 3 },
	{ NULL, 0 },
};

static bool
process_may_command(const struct cgi *c)
{
	return cgi_may(c, AUTHZ_SYSTEM_COMMANDS) &&
	    !cgi_may(c, AUTHZ_READ_ONLY);
}

/* The POST: switch=NAME&to=on|off. 403 without the right or a valid
 * token, 400 for a bad form, the daemon's refusal as a 403, else 303 to
 * the page. */
static void
process_post_switch(struct cgi *c)
{
	const char *name = cgi_form_get(&c->form, "switch");
	const char *to = cgi_form_get(&c->form, "to");
	const struct process_switch *sw = NULL;
	char err[256], url[512];
	json_t *req, *resp = NULL, *msg;
	size_t i;

	if (!process_may_command(c)) {
		cgi_fail(c, CGI_FORBIDDEN, "program-wide commands need "
		    "authorized_for_system_commands in cgi.cfg");
		return;
	}
	if (!cgi_csrf_check(c))
		return;
	for (i = 0; name != NULL && i < PROCESS_NSWITCHES; i++)
		if (strcmp(name, process_switches[i].name) == 0)
			sw = &process_switches[i];
	if (sw == NULL || to == NULL || (strcmp(to, "on") != 0 &&
	    strcmp(to, "off") != 0)) {
		cgi_fail(c, CGI_BAD_REQUEST, "a program-wide command needs "
		    "switch (notifications, host_checks, service_checks or "
		    "event_handlers) and to (on or off)");
		return;
	}
	if (c->cfg.query_socket == NULL) {
		cgi_fail(c, CGI_UNAVAILABLE, "no query_socket configured");
		return;
	}
	req = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "op", "command",
	    "line", strcmp(to, "on") == 0 ? sw->on : sw->off, "auth_user",
	    c->user);
	if (req == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return;
	}
	if (query_call(c->cfg.query_socket, req, 10000, &resp, err,
	    sizeof(err)) != 0) {
		json_decref(req);
		cgi_fail(c, CGI_UNAVAILABLE, "pharosd does not answer: %s",
		    err);
		return;
	}
	json_decref(req);
	if (!json_is_true(json_object_get(resp, "ok"))) {
		msg = json_object_get(resp, "error");
		cgi_fail(c, CGI_FORBIDDEN, "refused: %s", json_is_string(msg) ?
		    json_string_value(msg) : "error");
		json_decref(resp);
		return;
	}
	json_decref(resp);
	snprintf(url, sizeof(url), "%s/process.cgi", c->cfg.url_cgi_path !=
	    NULL ? c->cfg.url_cgi_path : "/cgi-bin/pharos");
	cgi_redirect(c, url);
}

/* The switches' table; a button each for those who may use them. */
static void
process_switch_table(struct cgi *c, json_t *prog)
{
	bool may = process_may_command(c);
	size_t i;

	fputs("<h2>Program-wide switches</h2>\n<table class=\"list\">"
	    "<thead><tr><th>Switch</th><th>State</th>", c->out);
	if (may)
		fputs("<th>Command</th>", c->out);
	fputs("</tr></thead><tbody>\n", c->out);
	for (i = 0; i < PROCESS_NSWITCHES; i++) {
		const struct process_switch *sw = &process_switches[i];
		json_t *v = json_object_get(prog, sw->field);
		bool on = !json_is_false(v);

		fputs("<tr><th>", c->out);
		cgi_put_html(c->out, sw->label);
		fprintf(c->out, "</th><td class=\"%s\" id=\"sw-%s\">%s</td>",
		    on ? "st-ok" : "st-critical", sw->name,
		    !json_is_boolean(v) ? "unknown" : on ? "enabled" :
		    "disabled");
		if (may) {
			fputs("<td><form method=\"post\" class=\"cmd\" "
			    "action=\"", c->out);
			cgi_put_href(c, "process", (char *)NULL);
			fputs("\">", c->out);
			cgi_csrf_field(c);
			fprintf(c->out, "<input type=\"hidden\" name=\"switch\" "
			    "value=\"%s\"><input type=\"hidden\" name=\"to\" "
			    "value=\"%s\"><button>%s</button></form></td>",
			    sw->name, on ? "off" : "on", on ? "Disable" :
			    "Enable");
		}
		fputs("</tr>\n", c->out);
	}
	fputs("</tbody></table>\n", c->out);
}

static void
dd_int(struct cgi *c, const char *label, json_t *v)
{
	fputs("<dt>", c->out);
	cgi_put_html(c->out, label);
	fprintf(c->out, "</dt><dd>%lld</dd>",
	    (long long)json_integer_value(v));
}

static void
checks_table(struct cgi *c, json_t *st)
{
	static const char *const kinds[] = { "hosts", "services" };
	size_t k;

	fputs("<h2>Checks</h2>\n<table class=\"list\"><thead><tr><th></th>"
	    "<th>Total</th><th>Checked</th><th>Active, last 1 / 5 / 15 min"
	    "</th><th>Passive, last 1 / 5 / 15 min</th><th>Latency avg / max"
	    "</th><th>Execution avg / max</th></tr></thead><tbody>\n", c->out);
	for (k = 0; k < 2; k++) {
		json_t *o = json_object_get(st, kinds[k]);
		json_t *a = json_object_get(o, "active_checks");
		json_t *p = json_object_get(o, "passive_checks");
		json_t *lat = json_object_get(o, "latency");
		json_t *ex = json_object_get(o, "execution_time");

		fprintf(c->out, "<tr><th>%s</th><td>%lld</td><td>%lld</td>"
		    "<td>%lld / %lld / %lld</td><td>%lld / %lld / %lld</td>"
		    "<td>%.3f s / %.3f s</td><td>%.3f s / %.3f s</td></tr>\n",
		    kinds[k],
		    (long long)json_integer_value(json_object_get(o, "total")),
		    (long long)json_integer_value(json_object_get(o,
		    "checked")),
		    (long long)json_integer_value(json_object_get(a,
		    "last_1min")),
		    (long long)json_integer_value(json_object_get(a,
		    "last_5min")),
		    (long long)json_integer_value(json_object_get(a,
		    "last_15min")),
		    (long long)json_integer_value(json_object_get(p,
		    "last_1min")),
		    (long long)json_integer_value(json_object_get(p,
		    "last_5min")),
		    (long long)json_integer_value(json_object_get(p,
		    "last_15min")),
		    json_number_value(json_object_get(lat, "avg")),
		    json_number_value(json_object_get(lat, "max")),
		    json_number_value(json_object_get(ex, "avg")),
		    json_number_value(json_object_get(ex, "max")));
	}
	fputs("</tbody></table>\n", c->out);
}

/* A module's counters (an object of integers) as a definition list. */
static void
counters(struct cgi *c, const char *title, json_t *o)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return;
	fputs("<h3>", c->out);
	cgi_put_html(c->out, title);
	fputs("</h3><dl class=\"facts small\">", c->out);
	json_object_foreach(o, k, v) {
		if (json_is_integer(v))
			dd_int(c, k, v);
		else if (json_is_string(v)) {
			fputs("<dt>", c->out);
			cgi_put_html(c->out, k);
			fputs("</dt><dd>", c->out);
			cgi_put_html(c->out, json_string_value(v));
			fputs("</dd>", c->out);
		}
	}
	fputs("</dl>\n", c->out);
}

int
main(void)
{
	static const struct cgi_allow get[] = { { NULL, 0 } };
	static const char *const modules[] = { "checks", "plugins", "icmp",
		"snmp", "store", "query", "commands", "notifications",
		"config" };
	struct cgi c;
	json_t *req, *st = NULL, *data = NULL, *prog, *none;
	size_t i;
	int rc;

	if (cgi_begin(&c, "process", get, process_post) != 0)
		return cgi_end(&c);
	if (c.post) {
		process_post_switch(&c);
		return cgi_end(&c);
	}
	if (!cgi_may(&c, AUTHZ_SYSTEM_INFORMATION)) {
		cgi_fail(&c, CGI_FORBIDDEN, "this page needs "
		    "authorized_for_system_information in cgi.cfg");
		return cgi_end(&c);
	}
	req = json_pack("{s:s}", "op", "stats");
	if (req == NULL || cgi_query(&c, req, false, &st) != 0) {
		json_decref(req);
		return cgi_end(&c);
	}
	json_decref(req);
	none = json_array(); /* no host: the program only */
	rc = cgi_query_status(&c, none, &data);
	json_decref(none);
	if (rc != 0) {
		json_decref(st);
		return cgi_end(&c);
	}
	prog = json_object_get(data, "program");
	cgi_page_head(&c, "Monitoring process", c.cfg.refresh_rate);
	fputs("<dl class=\"facts\"><dt>Version</dt><dd>", c.out);
	cgi_put_html(c.out, json_string_value(json_object_get(prog,
	    "version")));
	fputs("</dd>", c.out);
	dd_int(&c, "PID", json_object_get(prog, "pid"));
	fputs("<dt>Started</dt><dd>", c.out);
	cgi_put_time(&c, json_integer_value(json_object_get(prog,
	    "start_time")));
	fputs(" (up ", c.out);
	cgi_put_age(&c, json_integer_value(json_object_get(prog,
	    "start_time")), json_integer_value(json_object_get(prog, "now")));
	fputs(")</dd>", c.out);
	dd_int(&c, "Hosts", json_object_get(prog, "hosts"));
	dd_int(&c, "Services", json_object_get(prog, "services"));
	fputs("</dl>\n", c.out);
	process_switch_table(&c, prog);
	fputs("<p class=\"note\">The switches start from the main "
	    "configuration (<code>enable_notifications</code>, "
	    "<code>enable_event_handlers</code>), are changed here or by the "
	    "external commands, and are kept across restarts in the "
	    "retention file. Forced checks and passive results are taken "
	    "while active checks are stopped.</p>\n", c.out);
	checks_table(&c, st);
	fputs("<h2>Modules</h2>\n", c.out);
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		counters(&c, modules[i], json_object_get(prog, modules[i]));
	cgi_page_foot(&c);
	json_decref(st);
	json_decref(data);
	return cgi_end(&c);
}
