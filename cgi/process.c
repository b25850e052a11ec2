/*
 * process.cgi: the monitoring process (docs/web.md): version, pid,
 * start time, the configuration snapshot in use, and the `pharos stats`
 * figures. Needs authorized_for_system_information (403 otherwise).
 */
#include <string.h>

#include "cgilib.h"

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

	if (cgi_begin(&c, "process", get, NULL) != 0)
		return cgi_end(&c);
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
	fputs("<p class=\"note\">Program-wide switches (notifications, "
	    "active checks) are set in the main configuration and take "
	    "effect with <code>pharos reload</code>.</p>\n", c.out);
	checks_table(&c, st);
	fputs("<h2>Modules</h2>\n", c.out);
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		counters(&c, modules[i], json_object_get(prog, modules[i]));
	cgi_page_foot(&c);
	json_decref(st);
	json_decref(data);
	return cgi_end(&c);
}
