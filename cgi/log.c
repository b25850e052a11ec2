/*
 * log.cgi: the event log, current and archived (docs/web.md): alerts,
 * notifications, downtime, acknowledgements and other external commands,
 * traps. Filters: a time window (since/until as `pharos log` takes them:
 * "-1d", "2026-11-27 08:00", an epoch), host, service, type, text. The
 * daemon reads the files and keeps only what the user may see.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "cgilib.h"
#include "logsearch.h"

static const char *const types[] = { "HOST ALERT", "SERVICE ALERT",
	"HOST NOTIFICATION", "SERVICE NOTIFICATION", "HOST DOWNTIME ALERT",
	"SERVICE DOWNTIME ALERT", "EXTERNAL COMMAND", "HOST FLAPPING ALERT",
	"SERVICE FLAPPING ALERT", "CURRENT HOST STATE",
	"CURRENT SERVICE STATE", "SNMP TRAP" };

static void
form(struct cgi *c)
{
	const char *t = cgi_param(c, "type");
	size_t i;
	const char *fields[][2] = { { "since", "Since" }, { "until", "Until" },
		{ "host", "Host" }, { "service", "Service" },
		{ "q", "Text" } };

	fputs("<form method=\"get\" class=\"filter\" action=\"", c->out);
	cgi_put_href(c, "log", (char *)NULL);
	fputs("\">", c->out);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		fprintf(c->out, "<label>%s <input name=\"%s\" value=\"",
		    fields[i][1], fields[i][0]);
		cgi_put_attr(c->out, i == 0 && cgi_param(c, "since") == NULL ?
		    "-1d" : cgi_param(c, fields[i][0]));
		fputs("\"></label>", c->out);
	}
	fputs("<label>Type <select name=\"type\"><option value=\"\">any"
	    "</option>", c->out);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		fprintf(c->out, "<option%s>%s</option>", t != NULL &&
		    strcmp(t, types[i]) == 0 ? " selected" : "", types[i]);
	fputs("</select></label><button>Search</button></form>\n", c->out);
}

/* A TIME parameter into epoch seconds; false (a 400 made) when bad. */
static bool
param_time(struct cgi *c, const char *name, int64_t dflt, int64_t *out)
{
	const char *v = cgi_param(c, name);

	*out = dflt;
	if (v == NULL || *v == '\0')
		return true;
	if (logsearch_parse_time(v, c->now, out) != 0 || *out < 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "%s: not a time (an epoch, "
		    "YYYY-MM-DD[ HH:MM[:SS]], now, or -30m, -2h, -1d, -1w)",
		    name);
		return false;
	}
	return true;
}

int
main(void)
{
	static const struct cgi_allow get[] = { { "since", 64 },
		{ "until", 64 }, { "host", 1024 }, { "service", 1024 },
		{ "type", 64 }, { "q", 256 }, { NULL, 0 } };
	const char *host, *svc, *type, *q;
	int64_t since, until;
	struct cgi c;
	json_t *req, *data = NULL, *l;
	size_t i, n = 0;

	if (cgi_begin(&c, "log", get, NULL) != 0)
		return cgi_end(&c);
	if (!param_time(&c, "since", c.now - 86400, &since) ||
	    !param_time(&c, "until", c.now, &until))
		return cgi_end(&c);
	host = cgi_param(&c, "host");
	svc = cgi_param(&c, "service");
	type = cgi_param(&c, "type");
	q = cgi_param(&c, "q");
	req = json_pack("{s:s, s:I, s:I, s:i}", "op", "log", "since",
	    (json_int_t)since, "until", (json_int_t)until, "limit", 2000);
	if (req == NULL) {
		cgi_fail(&c, CGI_ERROR, "out of memory");
		return cgi_end(&c);
	}
	if (host != NULL && *host != '\0')
		json_object_set_new(req, "host", json_string(host));
	if (svc != NULL && *svc != '\0')
		json_object_set_new(req, "service", json_string(svc));
	if (type != NULL && *type != '\0')
		json_object_set_new(req, "types", json_pack("[s]", type));
	if (cgi_query(&c, req, true, &data) != 0) {
		json_decref(req);
		return cgi_end(&c);
	}
	json_decref(req);
	cgi_page_head(&c, "Event log", 0);
	form(&c);
	fputs("<table class=\"list\"><thead><tr><th>Time</th><th>Type</th>"
	    "<th>Host</th><th>Service</th><th>Event</th></tr></thead>"
	    "<tbody>\n", c.out);
	/* newest first */
	for (i = json_array_size(json_object_get(data, "lines")); i-- > 0;) {
		l = json_array_get(json_object_get(data, "lines"), i);
		if (q != NULL && *q != '\0' && strcasestr(cgi_str(l, "text"),
		    q) == NULL)
			continue;
		n++;
		fputs("<tr><td>", c.out);
		cgi_put_time(&c, json_integer_value(json_object_get(l,
		    "time")));
		fputs("</td><td>", c.out);
		cgi_put_html(c.out, cgi_str(l, "type"));
		fputs("</td><td>", c.out);
		if (*cgi_str(l, "host") != '\0') {
			fputs("<a href=\"", c.out);
			cgi_put_href(&c, "host", "host", cgi_str(l, "host"),
			    (char *)NULL);
			fputs("\">", c.out);
			cgi_put_html(c.out, cgi_str(l, "host"));
			fputs("</a>", c.out);
		}
		fputs("</td><td>", c.out);
		cgi_put_html(c.out, cgi_str(l, "service"));
		fputs("</td><td>", c.out);
		cgi_put_html(c.out, cgi_str(l, "text"));
		fputs("</td></tr>\n", c.out);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"5\">No event in this window.</td>"
		    "</tr>\n", c.out);
	fputs("</tbody></table>\n", c.out);
	if (*cgi_str(data, "error") != '\0') {
		fputs("<p class=\"note\">", c.out);
		cgi_put_html(c.out, cgi_str(data, "error"));
		fputs("</p>\n", c.out);
	}
	cgi_page_foot(&c);
	json_decref(data);
	return cgi_end(&c);
}
