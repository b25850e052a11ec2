/*
 * capacity.cgi: the capacity report (docs/capacity.md) as a page: which
 * metrics reach a threshold first, from the trend of the RRD files, as
 * `pharos capacity` prints it (graphs/capacity.h), limited to the hosts
 * and services the user sees (pharosd's status answer for the user), each
 * linked to its graph with the trend drawn.
 *
 * Parameters are an allow-list of bounded values: metric (a perfdata
 * label), threshold, period (N[hdw]) and limit.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capacity.h"
#include "cgilib.h"
#include "strnum.h"

#define CAP_LIMIT_DEFAULT	50
#define CAP_LIMIT_MAX		1000

static const struct cgi_allow cap_allow[] = {
	{ "metric", 64 },
	{ "threshold", 16 },
	{ "period", 6 },
	{ "limit", 4 },
	{ NULL, 0 },
};

struct cap_req {
	struct capacity_query q;
	const char *period_text;
	size_t limit;
};

static int
cap_parse(struct cgi *c, struct cap_req *r)
{
	const char *v;
	long long period;
	long n;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->q.threshold = 80.0;
	r->q.period = 30LL * CAPACITY_DAY;
	r->period_text = "30d";
	r->limit = CAP_LIMIT_DEFAULT;
	if ((v = cgi_param(c, "metric")) != NULL && v[0] != '\0') {
		for (i = 0; v[i] != '\0'; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') ||
			    (v[i] >= 'A' && v[i] <= 'Z') ||
			    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' ||
			    v[i] == '-' || v[i] == '.')) {
				cgi_fail(c, CGI_BAD_REQUEST, "metric is a "
				    "perfdata label: letters, digits, '.', "
				    "'-' and '_'");
				return -1;
			}
		if (strcmp(v, CAPACITY_IF_UTIL) != 0)
			r->q.metric = v;
	}
	if ((v = cgi_param(c, "threshold")) != NULL && v[0] != '\0') {
		if (strnum_double(v, 1e15, &r->q.threshold) != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "threshold must be a "
			    "number");
			return -1;
		}
	}
	if ((v = cgi_param(c, "period")) != NULL && v[0] != '\0') {
		if (strnum_period(v, "hdw", 3600, CAPACITY_PERIOD_MAX,
		    &period) != 0)
			goto bad_period;
		r->q.period = period;
		r->period_text = v;
	}
	if ((v = cgi_param(c, "limit")) != NULL && v[0] != '\0') {
		if (strnum_long(v, 1, CAP_LIMIT_MAX, &n) != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "limit must be from 1 to "
			    "%d", CAP_LIMIT_MAX);
			return -1;
		}
		r->limit = (size_t)n;
	}
	return 0;
bad_period:
	cgi_fail(c, CGI_BAD_REQUEST, "period must be N followed by h, d or w "
	    "(1h to 1830d)");
	return -1;
}

/* Whether the status answer (for the user) holds this host or service. */
static int
cap_visible(json_t *data, const struct capacity_entry *e)
{
	json_t *o;
	size_t i;

	if (e->service == NULL) {
		json_array_foreach(json_object_get(data, "hosts"), i, o) {
			const char *n = json_string_value(json_object_get(o,
			    "name"));

			if (n != NULL && strcmp(n, e->host) == 0)
				return 1;
		}
		return 0;
	}
	json_array_foreach(json_object_get(data, "services"), i, o) {
		const char *h = json_string_value(json_object_get(o, "host"));
		const char *d = json_string_value(json_object_get(o,
		    "description"));

		if (h != NULL && d != NULL && strcmp(h, e->host) == 0 &&
		    strcmp(d, e->service) == 0)
			return 1;
	}
	return 0;
}

static void
cap_num(struct cgi *c, double v)
{
	if (isnan(v))
		cgi_printf(c, "<td class=\"num\">-</td>");
	else
		cgi_printf(c, "<td class=\"num\">%.2f</td>", v);
}

static void
cap_row(struct cgi *c, const struct capacity_entry *e)
{
	const struct capacity_report *r = &e->r;

	cgi_printf(c, "<tr><td><a href=\"");
	cgi_put_href(c, "host", "host", e->host, (char *)NULL);
	cgi_printf(c, "\">");
	cgi_put_html(c->out, e->host);
	cgi_printf(c, "</a></td><td><a href=\"");
	cgi_put_href(c, "graph", "host", e->host, "service", e->service,
	    "range", "1m", (char *)NULL);
	cgi_printf(c, "\">");
	cgi_put_html(c->out, e->service != NULL ? e->service : "host check");
	cgi_printf(c, "</a></td><td>");
	cgi_put_html(c->out, e->ds);
	cgi_printf(c, "</td>");
	cap_num(c, r->current);
	cap_num(c, r->p95);
	cap_num(c, r->max);
	cgi_printf(c, "<td class=\"num\">%+.3f</td><td>", r->slope);
	if (r->outlook == CAPACITY_ABOVE)
		cgi_printf(c, "<span class=\"state st-critical\">already "
		    "above</span>");
	else if (r->outlook == CAPACITY_CROSSES) {
		cgi_put_time(c, r->cross);
		cgi_printf(c, " (in %.1f days)", r->days_left);
	} else
		cgi_printf(c, "not on this trend");
	cgi_printf(c, "</td></tr>\n");
}

static void
cap_page(struct cgi *c, const struct cap_req *r, json_t *data,
    const struct capacity_entry *e, size_t n, size_t skipped)
{
	size_t i, shown = 0;

	cgi_page_head(c, "Capacity", 0);
	cgi_printf(c, "<form class=\"capacity-form\" method=\"get\" "
	    "action=\"");
	cgi_put_href(c, "capacity", (char *)NULL);
	cgi_printf(c, "\"><label>Metric <input name=\"metric\" value=\"");
	cgi_put_attr(c->out, r->q.metric != NULL ? r->q.metric :
	    CAPACITY_IF_UTIL);
	cgi_printf(c, "\"></label> <label>Threshold <input name=\"threshold\" "
	    "value=\"%g\"></label> <label>Period <input name=\"period\" "
	    "value=\"", r->q.threshold);
	cgi_put_attr(c->out, r->period_text);
	cgi_printf(c, "\"></label> <label>Rows <input name=\"limit\" "
	    "value=\"%zu\"></label> <button type=\"submit\">Show</button>"
	    "</form>\n", r->limit);
	cgi_printf(c, "<p>What reaches the threshold first on the "
	    "least-squares trend of the period; if_util is the busier "
	    "direction of each interface, in %%.</p>\n");
	cgi_printf(c, "<table class=\"capacity\"><thead><tr><th>Host</th>"
	    "<th>Service</th><th>Data source</th><th>Now</th><th>95th "
	    "pct</th><th>Max</th><th>Trend per day</th><th>Reaches the "
	    "threshold</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < n && shown < r->limit; i++) {
		if (!cap_visible(data, &e[i]))
			continue;
		cap_row(c, &e[i]);
		shown++;
	}
	cgi_printf(c, "</tbody></table>\n");
	if (shown == 0)
		cgi_printf(c, "<p class=\"empty\">No metric to report.</p>\n");
	if (skipped > 0)
		cgi_printf(c, "<p>%zu file%s could not be read.</p>\n",
		    skipped, skipped == 1 ? "" : "s");
	cgi_page_foot(c);
}

int
main(void)
{
	struct cgi c;
	struct cap_req r;
	struct capacity_entry *e = NULL;
	json_t *data = NULL;
	char err[512];
	size_t n = 0, skipped = 0;

	if (cgi_begin(&c, "capacity", cap_allow, NULL) != 0)
		return cgi_end(&c);
	if (cap_parse(&c, &r) != 0 || cgi_query_status(&c, NULL, &data) != 0)
		goto done;
	if (c.cfg.rrd_dir == NULL) {
		cgi_fail(&c, CGI_UNAVAILABLE, "pharosd's main config sets no "
		    "rrd_dir: no capacity report");
		goto done;
	}
	r.q.end = c.now;
	if (capacity_scan(c.cfg.rrd_dir, &r.q, &e, &n, &skipped, err,
	    sizeof(err)) != 0) {
		cgi_fail(&c, CGI_UNAVAILABLE, "reading the metrics failed");
		goto done;
	}
	cap_page(&c, &r, data, e, n, skipped);
done:
	capacity_entries_free(e, n);
	json_decref(data);
	return cgi_end(&c);
}
