/*
 * status.cgi: hosts and services lists (docs/web.md), filtered by state,
 * hostgroup and text, sorted by name, state or age, PAGE_ROWS rows a page.
 * pharosd filters, sorts and cuts (the status op's match, hostgroup,
 * sort, offset and limit), so a page of a large network costs one page.
 * Filters and sorting are links and a GET form: no JavaScript needed.
 *
 *   status.cgi?show=hosts|services&state=DOWN&hostgroup=core&q=sw&sort=state
 *       &page=2
 */
#include <string.h>

#include "cgilib.h"
#include "strnum.h"

#define PAGE_ROWS 1000

static void
sort_link(struct cgi *c, const char *show, const char *key,
    const char *label)
{
	fputs("<a href=\"", c->out);
	cgi_put_href(c, "status", "show", show, "state", cgi_param(c, "state"),
	    "hostgroup", cgi_param(c, "hostgroup"), "q", cgi_param(c, "q"),
	    "sort", key, (char *)NULL);
	fputs("\">", c->out);
	fputs(label, c->out);
	fputs("</a>", c->out);
}

/* Which of the n matching rows this page shows, and links to the pages
 * before and after. */
static void
pager(struct cgi *c, long page, const char *show, size_t n, size_t shown)
{
	size_t pages = n == 0 ? 1 : (n + PAGE_ROWS - 1) / PAGE_ROWS;
	size_t p = (size_t)page;
	char num[24];

	if (pages == 1 && p == 1)
		return;
	fprintf(c->out, "<p class=\"pager\">Rows %zu to %zu of %zu.",
	    shown > 0 ? (p - 1) * PAGE_ROWS + 1 : 0,
	    (p - 1) * PAGE_ROWS + shown, n);
	if (p > 1) {
		snprintf(num, sizeof(num), "%zu", p - 1);
		fputs(" <a href=\"", c->out);
		cgi_put_href(c, "status", "show", show, "state",
		    cgi_param(c, "state"), "hostgroup", cgi_param(c,
		    "hostgroup"), "q", cgi_param(c, "q"), "sort",
		    cgi_param(c, "sort"), "page", num, (char *)NULL);
		fputs("\">Previous</a>", c->out);
	}
	if (p < pages) {
		snprintf(num, sizeof(num), "%zu", p + 1);
		fputs(" <a href=\"", c->out);
		cgi_put_href(c, "status", "show", show, "state",
		    cgi_param(c, "state"), "hostgroup", cgi_param(c,
		    "hostgroup"), "q", cgi_param(c, "q"), "sort",
		    cgi_param(c, "sort"), "page", num, (char *)NULL);
		fputs("\">Next</a>", c->out);
	}
	fputs("</p>\n", c->out);
}

/* The heading, pager and table head of show ("hosts" or "services"):
 * State, Host, the column col, For, then the columns in tail. Returns the
 * rows of this page. */
static json_t *
table_head(struct cgi *c, long page, json_t *data, const char *show,
    const char *title, const char *col, const char *tail)
{
	json_t *rows = json_object_get(data, show);
	size_t n = (size_t)json_integer_value(json_object_get(
	    json_object_get(data, "matched"), show));

	fprintf(c->out, "<h2>%s (%zu)</h2>\n", title, n);
	pager(c, page, show, n, json_array_size(rows));
	fputs("<table class=\"list\"><thead><tr><th>", c->out);
	sort_link(c, show, "state", "State");
	fputs("</th><th>", c->out);
	sort_link(c, show, "name", "Host");
	fprintf(c->out, "</th><th>%s</th><th>", col);
	sort_link(c, show, "age", "For");
	fprintf(c->out, "</th>%s</tr></thead><tbody>\n", tail);
	return rows;
}

/* The cells every row starts with: state and its tags, the host (its name
 * in host_key) linked to its page, the text of col_key, and the age of
 * the state; the last cell left open. */
static void
row_head(struct cgi *c, json_t *o, const char *host_key,
    const char *col_key, int64_t now)
{
	fputs("<tr><td>", c->out);
	cgi_put_state(c, cgi_str(o, "state"));
	if (json_is_true(json_object_get(o, "acknowledged")))
		fputs(" <span class=\"tag\">ack</span>", c->out);
	if (json_integer_value(json_object_get(o,
	    "scheduled_downtime_depth")) > 0)
		fputs(" <span class=\"tag\">downtime</span>", c->out);
	fputs("</td><td><a href=\"", c->out);
	cgi_put_href(c, "host", "host", cgi_str(o, host_key), (char *)NULL);
	fputs("\">", c->out);
	cgi_put_html(c->out, cgi_str(o, host_key));
	fputs("</a></td><td>", c->out);
	cgi_put_html(c->out, cgi_str(o, col_key));
	fputs("</td><td>", c->out);
	cgi_put_age(c, json_integer_value(json_object_get(o,
	    "last_state_change")), now);
}

/* The cells every row ends with, from an open cell: last check, output. */
static void
row_tail(struct cgi *c, json_t *o)
{
	cgi_put_time(c, json_integer_value(json_object_get(o, "last_check")));
	fputs("</td><td>", c->out);
	cgi_put_html(c->out, cgi_str(o, "output"));
	fputs("</td></tr>\n", c->out);
}

static void
host_table(struct cgi *c, long page, json_t *data, int64_t now)
{
	json_t *hosts, *o;
	size_t i;

	hosts = table_head(c, page, data, "hosts", "Hosts", "Address",
	    "<th>Last check</th><th>Output</th>");
	json_array_foreach(hosts, i, o) {
		row_head(c, o, "name", "address", now);
		fputs("</td><td>", c->out);
		row_tail(c, o);
	}
	fputs("</tbody></table>\n", c->out);
}

static void
service_table(struct cgi *c, long page, json_t *data, int64_t now)
{
	json_t *services, *o;
	size_t i;

	services = table_head(c, page, data, "services", "Services",
	    "Service", "<th>Attempt</th><th>Last check</th><th>Output</th>");
	json_array_foreach(services, i, o) {
		row_head(c, o, "host", "description", now);
		fprintf(c->out, "</td><td>%lld/%lld %s</td><td>",
		    (long long)json_integer_value(json_object_get(o,
		    "current_attempt")),
		    (long long)json_integer_value(json_object_get(o,
		    "max_attempts")), strcmp(cgi_str(o, "state_type"),
		    "SOFT") == 0 ? "soft" : "hard");
		row_tail(c, o);
	}
	fputs("</tbody></table>\n", c->out);
}

/* The filter form: GET, so a filtered view is a link to share. */
static void
filter_form(struct cgi *c, json_t *groups, const char *show)
{
	static const char *const states[] = { "UP", "DOWN", "UNREACHABLE",
		"OK", "WARNING", "CRITICAL", "UNKNOWN", "PENDING" };
	const char *state = cgi_param(c, "state");
	const char *hg = cgi_param(c, "hostgroup");
	size_t i;
	json_t *g;

	fputs("<form method=\"get\" class=\"filter\" action=\"", c->out);
	cgi_put_href(c, "status", (char *)NULL);
	fputs("\"><label>Show <select name=\"show\">", c->out);
	fprintf(c->out, "<option value=\"all\"%s>hosts and services</option>"
	    "<option value=\"hosts\"%s>hosts</option>"
	    "<option value=\"services\"%s>services</option></select></label>",
	    strcmp(show, "all") == 0 ? " selected" : "",
	    strcmp(show, "hosts") == 0 ? " selected" : "",
	    strcmp(show, "services") == 0 ? " selected" : "");
	fputs("<label>State <select name=\"state\"><option value=\"\">any"
	    "</option>", c->out);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		fprintf(c->out, "<option%s>%s</option>", state != NULL &&
		    strcmp(state, states[i]) == 0 ? " selected" : "",
		    states[i]);
	fputs("</select></label><label>Hostgroup <select name=\"hostgroup\">"
	    "<option value=\"\">any</option>", c->out);
	json_array_foreach(groups, i, g) {
		fputs("<option value=\"", c->out);
		cgi_put_attr(c->out, cgi_str(g, "name"));
		fprintf(c->out, "\"%s>", hg != NULL && strcmp(hg, cgi_str(g,
		    "name")) == 0 ? " selected" : "");
		cgi_put_html(c->out, cgi_str(g, "name"));
		fputs("</option>", c->out);
	}
	fputs("</select></label><label>Text <input name=\"q\" value=\"",
	    c->out);
	cgi_put_attr(c->out, cgi_param(c, "q"));
	fputs("\"></label><button>Filter</button></form>\n", c->out);
}

/* Empty parameters count as absent. */
static const char *
param(struct cgi *c, const char *k)
{
	const char *v = cgi_param(c, k);

	return v != NULL && *v != '\0' ? v : NULL;
}

int
main(void)
{
	static const struct cgi_allow get[] = {
		{ "show", 16 }, { "state", 16 }, { "hostgroup", 256 },
		{ "q", 256 }, { "sort", 8 }, { "page", 8 }, { NULL, 0 } };
	const char *show, *sort;
	struct cgi c;
	json_t *req, *data = NULL;
	int64_t now;
	long page = 1;
	int rc;

	if (cgi_begin(&c, "status", get, NULL) != 0)
		return cgi_end(&c);
	show = param(&c, "show");
	sort = param(&c, "sort");
	if (show == NULL)
		show = "all";
	if (strcmp(show, "all") != 0 && strcmp(show, "hosts") != 0 &&
	    strcmp(show, "services") != 0) {
		cgi_fail(&c, CGI_BAD_REQUEST, "show must be all, hosts or "
		    "services");
		return cgi_end(&c);
	}
	if (sort == NULL)
		sort = "state";
	if (strcmp(sort, "name") != 0 && strcmp(sort, "age") != 0 &&
	    strcmp(sort, "state") != 0) {
		cgi_fail(&c, CGI_BAD_REQUEST, "sort must be name, state or "
		    "age");
		return cgi_end(&c);
	}
	if (param(&c, "page") != NULL && strnum_long(param(&c, "page"), 1,
	    1000000, &page) != 0) {
		cgi_fail(&c, CGI_BAD_REQUEST, "page must be a number from 1");
		return cgi_end(&c);
	}
	/* pharosd filters, sorts and cuts the page, and sends only the
	 * fields the tables show (the host groups: their names): large
	 * networks answer one page, not every object */
	req = json_pack("{s:s, s:b, s:s, s:s, s:I, s:i, s:[sssssssssssss]}",
	    "op", "status", "brief", 1, "show", show, "sort", sort, "offset",
	    (json_int_t)(page - 1) * PAGE_ROWS, "limit", PAGE_ROWS,
	    "fields", "name", "host", "description", "address", "state",
	    "state_type", "acknowledged", "scheduled_downtime_depth",
	    "last_state_change", "last_check", "current_attempt",
	    "max_attempts", "output");
	if (req == NULL) {
		cgi_fail(&c, CGI_ERROR, "out of memory");
		return cgi_end(&c);
	}
	if (param(&c, "state") != NULL)
		json_object_set_new(req, "filter", json_pack("{s:[s]}",
		    "states", param(&c, "state")));
	if (param(&c, "hostgroup") != NULL)
		json_object_set_new(req, "hostgroup",
		    json_string(param(&c, "hostgroup")));
	if (param(&c, "q") != NULL)
		json_object_set_new(req, "match", json_string(param(&c, "q")));
	rc = cgi_query(&c, req, false, &data);
	json_decref(req);
	if (rc != 0)
		return cgi_end(&c);
	now = json_integer_value(json_object_get(json_object_get(data,
	    "program"), "now"));
	cgi_page_head(&c, "Hosts and services", c.cfg.refresh_rate);
	filter_form(&c, json_object_get(data, "hostgroups"), show);
	if (strcmp(show, "services") != 0)
		host_table(&c, page, data, now);
	if (strcmp(show, "hosts") != 0)
		service_table(&c, page, data, now);
	cgi_page_foot(&c);
	json_decref(data);
	return cgi_end(&c);
}
