/*
 * overview.cgi: the tactical overview (docs/web.md). Counts of hosts and
 * services by state, problems split into unhandled, acknowledged and in
 * downtime, what is wrong now (unhandled problems, the worst first) and the
 * monitor's health. Refreshes itself with a meta refresh.
 */
#include <string.h>

#include "cgilib.h"

/* Unhandled problems listed, hosts and services each (a wall screen). */
#define WRONG_MAX 25

static const char *const host_states[] = { "DOWN", "UNREACHABLE", "UP",
	"PENDING" };
static const char *const svc_states[] = { "CRITICAL", "WARNING", "UNKNOWN",
	"OK", "PENDING" };

static bool
handled(json_t *o)
{
	return json_is_true(json_object_get(o, "acknowledged")) ||
	    json_integer_value(json_object_get(o,
	    "scheduled_downtime_depth")) > 0;
}

static bool
is_problem(json_t *o)
{
	const char *st = json_string_value(json_object_get(o, "state"));

	return st != NULL && strcmp(st, "UP") != 0 && strcmp(st, "OK") != 0 &&
	    strcmp(st, "PENDING") != 0;
}

/* Tiles: one per state, with unhandled / acknowledged / downtime, from
 * the answer's counts (every object the user sees). */
static void
tiles(struct cgi *c, json_t *counts, const char *what,
    const char *const *states, size_t n)
{
	json_int_t tot, unh, ack, dt;
	json_t *k;
	size_t i;

	fprintf(c->out, "<section class=\"tiles\" aria-label=\"%s\">\n",
	    what);
	for (i = 0; i < n; i++) {
		k = json_object_get(counts, states[i]);
		tot = json_integer_value(json_object_get(k, "total"));
		unh = json_integer_value(json_object_get(k, "unhandled"));
		ack = json_integer_value(json_object_get(k, "acknowledged"));
		dt = json_integer_value(json_object_get(k, "downtime"));
		fprintf(c->out, "<a class=\"tile %s%s\" href=\"",
		    cgi_state_class(states[i]), tot == 0 ? " zero" : "");
		cgi_put_href(c, "status", "show", what, "state", states[i],
		    (char *)NULL);
		fprintf(c->out, "\"><span class=\"count\">%lld</span>"
		    "<span class=\"label\">%s %s</span>", (long long)tot,
		    what, states[i]);
		if (strcmp(states[i], "UP") != 0 &&
		    strcmp(states[i], "OK") != 0 &&
		    strcmp(states[i], "PENDING") != 0 && tot > 0)
			fprintf(c->out, "<span class=\"split\">%lld unhandled"
			    " &middot; %lld acknowledged &middot; %lld in "
			    "downtime</span>", (long long)unh, (long long)ack,
			    (long long)dt);
		fputs("</a>\n", c->out);
	}
	fputs("</section>\n", c->out);
}

/* One row of what is wrong now: a host's (service NULL) or a service's. */
static void
wrong_row(struct cgi *c, json_t *o, const char *host, const char *service,
    int64_t now)
{
	cgi_put_problem_cells(c, o, host, service, now);
	fputs("</td></tr>\n", c->out);
}

/* The unhandled problems, hosts first, the worst first (pharosd sorts). */
static void
wrong_now(struct cgi *c, json_t *hosts, json_t *services, int64_t now)
{
	json_t *o;
	size_t i, n = 0;

	fputs("<h2>What is wrong now</h2>\n<table class=\"list\"><thead><tr>"
	    "<th>State</th><th>Host</th><th>Service</th><th>Since</th>"
	    "<th>Output</th></tr></thead><tbody>\n", c->out);
	json_array_foreach(hosts, i, o) {
		if (!is_problem(o) || handled(o))
			continue;
		n++;
		wrong_row(c, o, json_string_value(json_object_get(o, "name")),
		    NULL, now);
	}
	json_array_foreach(services, i, o) {
		if (!is_problem(o) || handled(o))
			continue;
		n++;
		wrong_row(c, o, json_string_value(json_object_get(o, "host")),
		    json_string_value(json_object_get(o, "description")), now);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"5\" class=\"allgood\">Nothing: "
		    "every problem is acknowledged or in downtime, or there "
		    "is none.</td></tr>\n", c->out);
	fputs("</tbody></table>\n", c->out);
}

/* When the list above is cut: how many more, and where they are. */
static void
more_problems(struct cgi *c, json_t *data)
{
	json_t *m = json_object_get(data, "matched");
	json_int_t more = json_integer_value(json_object_get(m, "hosts")) +
	    json_integer_value(json_object_get(m, "services")) -
	    (json_int_t)json_array_size(json_object_get(data, "hosts")) -
	    (json_int_t)json_array_size(json_object_get(data, "services"));

	if (more <= 0)
		return;
	fprintf(c->out, "<p class=\"note\">And %lld more unhandled: <a "
	    "href=\"", (long long)more);
	cgi_put_href(c, "problems", (char *)NULL);
	fputs("\">all problems</a>.</p>\n", c->out);
}

/* The monitor's health, for users who may see system information. */
static void
health(struct cgi *c)
{
	json_t *req, *st = NULL, *h, *s;

	if (!cgi_may(c, AUTHZ_SYSTEM_INFORMATION))
		return;
	req = json_pack("{s:s}", "op", "stats");
	if (req == NULL || cgi_query_try(c, req, &st) != 0) {
		json_decref(req);
		fputs("<p class=\"note\">The monitor's figures are not "
		    "available now.</p>\n", c->out);
		return;
	}
	json_decref(req);
	h = json_object_get(st, "hosts");
	s = json_object_get(st, "services");
	fputs("<h2>Monitor health</h2>\n<dl class=\"facts\">", c->out);
	fprintf(c->out, "<dt>Host checks, last minute</dt><dd>%lld</dd>"
	    "<dt>Service checks, last minute</dt><dd>%lld</dd>"
	    "<dt>Host check latency (avg / max)</dt><dd>%.3f s / %.3f s</dd>"
	    "<dt>Service check latency (avg / max)</dt>"
	    "<dd>%.3f s / %.3f s</dd>",
	    (long long)json_integer_value(json_object_get(json_object_get(h,
	    "active_checks"), "last_1min")),
	    (long long)json_integer_value(json_object_get(json_object_get(s,
	    "active_checks"), "last_1min")),
	    json_number_value(json_object_get(json_object_get(h, "latency"),
	    "avg")),
	    json_number_value(json_object_get(json_object_get(h, "latency"),
	    "max")),
	    json_number_value(json_object_get(json_object_get(s, "latency"),
	    "avg")),
	    json_number_value(json_object_get(json_object_get(s, "latency"),
	    "max")));
	fputs("<dt>Running since</dt><dd>", c->out);
	cgi_put_time(c, json_integer_value(json_object_get(json_object_get(
	    st, "program"), "start_time")));
	fputs("</dd></dl>\n", c->out);
	json_decref(st);
}

int
main(void)
{
	static const struct cgi_allow get[] = { { NULL, 0 } };
	struct cgi c;
	json_t *data = NULL, *hosts, *services, *req, *st;
	int64_t now;
	size_t i;
	int rc;

	if (cgi_begin(&c, "overview", get, NULL) != 0)
		return cgi_end(&c);
	/* the worst unhandled problems; the tiles count everything */
	req = json_pack("{s:s, s:b, s:s, s:i, s:{s:b}}", "op", "status",
	    "brief", 1, "sort", "state", "limit", WRONG_MAX, "filter",
	    "unhandled", 1);
	st = json_array();
	for (i = 0; cgi_problem_states[i] != NULL; i++)
		json_array_append_new(st, json_string(cgi_problem_states[i]));
	if (req == NULL || st == NULL ||
	    json_object_set_new(json_object_get(req, "filter"), "states",
	    st) != 0) {
		json_decref(req);
		cgi_fail(&c, CGI_ERROR, "out of memory");
		return cgi_end(&c);
	}
	rc = cgi_query(&c, req, false, &data);
	json_decref(req);
	if (rc != 0)
		return cgi_end(&c);
	hosts = json_object_get(data, "hosts");
	services = json_object_get(data, "services");
	now = json_integer_value(json_object_get(json_object_get(data,
	    "program"), "now"));
	cgi_page_head(&c, "Overview", c.cfg.refresh_rate);
	tiles(&c, json_object_get(json_object_get(data, "counts"), "hosts"),
	    "hosts", host_states, 4);
	tiles(&c, json_object_get(json_object_get(data, "counts"),
	    "services"), "services", svc_states, 5);
	wrong_now(&c, hosts, services, now);
	more_problems(&c, data);
	health(&c);
	cgi_page_foot(&c);
	json_decref(data);
	return cgi_end(&c);
}
