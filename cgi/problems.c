/*
 * problems.cgi: current problems (docs/web.md), unhandled first, then
 * acknowledged, then in downtime; each with the acknowledge, downtime,
 * comment and re-check forms. The forms POST here with a CSRF token
 * (cgi_cmd.c); GET never changes anything.
 */
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"

/* Host problems and service problems listed at most. */
#define PROBLEMS_MAX 500

/* 0 unhandled, 1 acknowledged, 2 in downtime, -1 no problem. */
static int
bucket(json_t *o)
{
	const char *st = cgi_str(o, "state");

	if (strcmp(st, "UP") == 0 || strcmp(st, "OK") == 0 ||
	    strcmp(st, "PENDING") == 0 || *st == '\0')
		return -1;
	if (json_integer_value(json_object_get(o,
	    "scheduled_downtime_depth")) > 0)
		return 2;
	return json_is_true(json_object_get(o, "acknowledged")) ? 1 : 0;
}

static void
row(struct cgi *c, json_t *o, bool service, int64_t now)
{
	const char *host = cgi_str(o, service ? "host" : "name");
	const char *desc = service ? cgi_str(o, "description") : NULL;
	json_t *ack = json_object_get(o, "acknowledgement");

	cgi_put_problem_cells(c, o, host, desc, now);
	if (ack != NULL) {
		fputs("<br><span class=\"note\">ack by ", c->out);
		cgi_put_html(c->out, cgi_str(ack, "author"));
		fputs(": ", c->out);
		cgi_put_html(c->out, cgi_str(ack, "comment"));
		fputs("</span>", c->out);
	}
	fputs("</td><td>", c->out);
	cgi_put_cmd_forms(c, host, desc, json_is_true(json_object_get(o,
	    "acknowledged")), "problems");
	fputs("</td></tr>\n", c->out);
}

int
main(void)
{
	static const struct cgi_allow get[] = { { NULL, 0 } };
	static const char *const titles[] = { "Unhandled",
		"Acknowledged", "In scheduled downtime" };
	struct cgi c;
	json_t *data = NULL, *o, *req, *m;
	int64_t now;
	size_t i, n;
	int b, rc;

	if (cgi_begin(&c, "problems", get, cgi_cmd_allow) != 0)
		return cgi_end(&c);
	if (c.post) {
		cgi_cmd_run(&c);
		return cgi_end(&c);
	}
	req = json_pack("{s:s, s:b, s:s, s:i, s:{s:o}}", "op", "status",
	    "brief", 1, "sort", "state", "limit", PROBLEMS_MAX, "filter",
	    "states", json_pack("[s,s,s,s,s]", "DOWN", "UNREACHABLE",
	    "CRITICAL", "WARNING", "UNKNOWN"));
	if (req == NULL) {
		cgi_fail(&c, CGI_ERROR, "out of memory");
		return cgi_end(&c);
	}
	rc = cgi_query(&c, req, false, &data);
	json_decref(req);
	if (rc != 0)
		return cgi_end(&c);
	now = json_integer_value(json_object_get(json_object_get(data,
	    "program"), "now"));
	cgi_page_head(&c, "Problems", c.cfg.refresh_rate);
	for (b = 0; b < 3; b++) {
		fprintf(c.out, "<h2>%s</h2>\n<table class=\"list problems\">"
		    "<thead><tr><th>State</th><th>Host</th><th>Service</th>"
		    "<th>For</th><th>Output</th><th>Act</th></tr></thead>"
		    "<tbody>\n", titles[b]);
		n = 0;
		json_array_foreach(json_object_get(data, "hosts"), i, o)
			if (bucket(o) == b) {
				row(&c, o, false, now);
				n++;
			}
		json_array_foreach(json_object_get(data, "services"), i, o)
			if (bucket(o) == b) {
				row(&c, o, true, now);
				n++;
			}
		if (n == 0)
			fputs("<tr><td colspan=\"6\">none</td></tr>\n", c.out);
		fputs("</tbody></table>\n", c.out);
	}
	m = json_object_get(data, "matched");
	if (json_integer_value(json_object_get(m, "hosts")) > PROBLEMS_MAX ||
	    json_integer_value(json_object_get(m, "services")) >
	    PROBLEMS_MAX) {
		fprintf(c.out, "<p class=\"note\">Only the %d worst host and "
		    "%d worst service problems are listed: narrow them down "
		    "on <a href=\"", PROBLEMS_MAX, PROBLEMS_MAX);
		cgi_put_href(&c, "status", "sort", "state", (char *)NULL);
		fputs("\">Hosts &amp; services</a>.</p>\n", c.out);
	}
	cgi_page_foot(&c);
	json_decref(data);
	return cgi_end(&c);
}
