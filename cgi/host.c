/*
 * host.cgi?host=NAME: one host (docs/web.md): its state, services,
 * parents and children, SNMP facts from discovery, recent events, links
 * to its graphs and the command forms. An unknown host and a host the
 * user may not see both answer 404.
 */
#include <string.h>

#include "cgilib.h"

static void
host_links(struct cgi *c, json_t *arr)
{
	size_t i;
	json_t *v;

	if (json_array_size(arr) == 0) {
		fputs("none", c->out);
		return;
	}
	json_array_foreach(arr, i, v) {
		fputs(i > 0 ? ", <a href=\"" : "<a href=\"", c->out);
		cgi_put_href(c, "host", "host", json_string_value(v),
		    (char *)NULL);
		fputs("\">", c->out);
		cgi_put_html(c->out, json_string_value(v));
		fputs("</a>", c->out);
	}
}

static void
facts(struct cgi *c, json_t *snmp)
{
	json_t *ifs, *i1;
	size_t i;

	fputs("<h2>SNMP facts</h2>\n", c->out);
	if (!json_is_object(snmp)) {
		fputs("<p>No SNMP discovery for this host.</p>\n", c->out);
		return;
	}
	fputs("<dl class=\"facts\"><dt>sysName</dt><dd>", c->out);
	cgi_put_html(c->out, cgi_str(snmp, "sysName"));
	fputs("</dd><dt>sysDescr</dt><dd>", c->out);
	cgi_put_html(c->out, cgi_str(snmp, "sysDescr"));
	fputs("</dd><dt>sysObjectID</dt><dd>", c->out);
	cgi_put_html(c->out, cgi_str(snmp, "sysObjectID"));
	fputs("</dd><dt>Profile</dt><dd>", c->out);
	cgi_put_html(c->out, cgi_str(snmp, "profile"));
	fputs("</dd><dt>Discovered</dt><dd>", c->out);
	cgi_put_time(c, json_integer_value(json_object_get(snmp, "time")));
	fputs("</dd></dl>\n", c->out);
	ifs = json_object_get(snmp, "interfaces");
	if (json_array_size(ifs) == 0)
		return;
	fputs("<table class=\"list\"><thead><tr><th>Index</th><th>Name</th>"
	    "<th>Alias</th><th>Admin</th><th>Oper</th></tr></thead><tbody>",
	    c->out);
	json_array_foreach(ifs, i, i1) {
		json_int_t oper = json_integer_value(json_object_get(i1,
		    "oper"));

		fprintf(c->out, "<tr><td>%lld</td><td>",
		    (long long)json_integer_value(json_object_get(i1,
		    "index")));
		cgi_put_html(c->out, cgi_str(i1, "name"));
		fputs("</td><td>", c->out);
		cgi_put_html(c->out, cgi_str(i1, "alias"));
		fprintf(c->out, "</td><td>%s</td><td>",
		    json_integer_value(json_object_get(i1, "admin")) == 1 ?
		    "up" : "down");
		cgi_put_state(c, oper == 1 ? "UP" : oper == 2 ? "DOWN" :
		    "UNKNOWN");
		fputs("</td></tr>\n", c->out);
	}
	fputs("</tbody></table>\n", c->out);
}

static void
events(struct cgi *c, const char *host)
{
	json_t *req, *data = NULL, *l;
	size_t i;

	req = json_pack("{s:s, s:s, s:i, s:I}", "op", "log", "host", host,
	    "limit", 20, "since", (json_int_t)(c->now - 7 * 86400));
	if (req == NULL || cgi_query_try(c, req, &data) != 0) {
		json_decref(req);
		fputs("<p class=\"note\">The event log cannot be read now."
		    "</p>\n", c->out);
		return;
	}
	json_decref(req);
	fputs("<h2>Recent events (7 days)</h2>\n<table class=\"list\">"
	    "<thead><tr><th>Time</th><th>Type</th><th>Event</th></tr>"
	    "</thead><tbody>\n", c->out);
	for (i = json_array_size(json_object_get(data, "lines")); i-- > 0;) {
		l = json_array_get(json_object_get(data, "lines"), i);
		fputs("<tr><td>", c->out);
		cgi_put_time(c, json_integer_value(json_object_get(l,
		    "time")));
		fputs("</td><td>", c->out);
		cgi_put_html(c->out, cgi_str(l, "type"));
		fputs("</td><td>", c->out);
		cgi_put_html(c->out, cgi_str(l, "text"));
		fputs("</td></tr>\n", c->out);
	}
	fputs("</tbody></table>\n", c->out);
	fputs("<p><a href=\"", c->out);
	cgi_put_href(c, "log", "host", host, (char *)NULL);
	fputs("\">All events of this host</a></p>\n", c->out);
	json_decref(data);
}

static void
services(struct cgi *c, const char *host, json_t *svcs, int64_t now)
{
	size_t i;
	json_t *s;

	fprintf(c->out, "<h2>Services (%zu)</h2>\n<table class=\"list\">"
	    "<thead><tr><th>State</th><th>Service</th><th>For</th>"
	    "<th>Output</th><th>Graphs</th></tr></thead><tbody>\n",
	    json_array_size(svcs));
	json_array_foreach(svcs, i, s) {
		fputs("<tr><td>", c->out);
		cgi_put_state(c, cgi_str(s, "state"));
		if (json_is_true(json_object_get(s, "acknowledged")))
			fputs(" <span class=\"tag\">ack</span>", c->out);
		fputs("</td><td>", c->out);
		cgi_put_html(c->out, cgi_str(s, "description"));
		fputs("</td><td>", c->out);
		cgi_put_age(c, json_integer_value(json_object_get(s,
		    "last_state_change")), now);
		fputs("</td><td>", c->out);
		cgi_put_html(c->out, cgi_str(s, "output"));
		fputs("</td><td><a href=\"", c->out);
		cgi_put_href(c, "graph", "host", host, "service",
		    cgi_str(s, "description"), (char *)NULL);
		fputs("\">graphs</a></td></tr>\n", c->out);
	}
	fputs("</tbody></table>\n", c->out);
}

int
main(void)
{
	static const struct cgi_allow get[] = { { "host", 1024 },
		{ NULL, 0 } };
	const char *name;
	struct cgi c;
	json_t *data = NULL, *names, *h;
	int64_t now;

	if (cgi_begin(&c, "host", get, NULL) != 0)
		return cgi_end(&c);
	name = cgi_param(&c, "host");
	if (name == NULL || *name == '\0') {
		cgi_fail(&c, CGI_BAD_REQUEST, "which host? host=NAME");
		return cgi_end(&c);
	}
	names = json_pack("[s]", name);
	if (cgi_query_status(&c, names, &data) != 0) {
		json_decref(names);
		return cgi_end(&c);
	}
	json_decref(names);
	h = json_array_get(json_object_get(data, "hosts"), 0);
	if (h == NULL) {
		json_decref(data);
		cgi_fail(&c, CGI_NOT_FOUND, "no host '%s' that you may see",
		    name);
		return cgi_end(&c);
	}
	now = json_integer_value(json_object_get(json_object_get(data,
	    "program"), "now"));
	cgi_page_head(&c, name, c.cfg.refresh_rate);
	fputs("<section class=\"hostsum\"><div class=\"big\">", c.out);
	cgi_put_state(&c, cgi_str(h, "state"));
	fputs("</div><dl class=\"facts\"><dt>Alias</dt><dd>", c.out);
	cgi_put_html(c.out, cgi_str(h, "alias"));
	fputs("</dd><dt>Address</dt><dd>", c.out);
	cgi_put_html(c.out, cgi_str(h, "address"));
	fputs("</dd><dt>Output</dt><dd>", c.out);
	cgi_put_html(c.out, cgi_str(h, "output"));
	fputs("</dd><dt>State since</dt><dd>", c.out);
	cgi_put_time(&c, json_integer_value(json_object_get(h,
	    "last_state_change")));
	fputs(" (", c.out);
	cgi_put_age(&c, json_integer_value(json_object_get(h,
	    "last_state_change")), now);
	fputs(")</dd><dt>Last check</dt><dd>", c.out);
	cgi_put_time(&c, json_integer_value(json_object_get(h, "last_check")));
	fputs("</dd><dt>Next check</dt><dd>", c.out);
	cgi_put_time(&c, json_integer_value(json_object_get(h, "next_check")));
	fputs("</dd><dt>Parents</dt><dd>", c.out);
	host_links(&c, json_object_get(h, "parents"));
	fputs("</dd><dt>Children</dt><dd>", c.out);
	host_links(&c, json_object_get(h, "children"));
	fputs("</dd><dt>Hostgroups</dt><dd>", c.out);
	{
		size_t i;
		json_t *g;

		json_array_foreach(json_object_get(h, "hostgroups"), i, g) {
			if (i > 0)
				fputs(", ", c.out);
			cgi_put_html(c.out, json_string_value(g));
		}
	}
	fputs("</dd></dl></section>\n<p class=\"links\"><a href=\"", c.out);
	cgi_put_href(&c, "graph", "host", name, (char *)NULL);
	fputs("\">Graphs</a> &middot; <a href=\"", c.out);
	cgi_put_href(&c, "map", "root", name, (char *)NULL);
	fputs("\">On the map</a> &middot; <a href=\"", c.out);
	cgi_put_href(&c, "avail", "host", name, (char *)NULL);
	fputs("\">Availability</a></p>\n", c.out);
	if (json_is_true(json_object_get(h, "acknowledged"))) {
		fputs("<p class=\"note\">Acknowledged by ", c.out);
		cgi_put_html(c.out, cgi_str(json_object_get(h,
		    "acknowledgement"), "author"));
		fputs(": ", c.out);
		cgi_put_html(c.out, cgi_str(json_object_get(h,
		    "acknowledgement"), "comment"));
		fputs("</p>\n", c.out);
	}
	cgi_put_cmd_forms(&c, name, NULL, json_is_true(json_object_get(h,
	    "acknowledged")), "host");
	services(&c, name, json_object_get(data, "services"), now);
	facts(&c, json_object_get(h, "snmp"));
	events(&c, name);
	cgi_page_foot(&c);
	json_decref(data);
	return cgi_end(&c);
}
