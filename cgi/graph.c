/*
 * graph.cgi: the graphs of a host or a service (docs/web-map.md,
 * "Graphs"). With format=png or format=svg it answers one image drawn
 * the way `pharos graph` draws it (graphs/render.h: the RRD file the
 * store keeps for that host or service, the template that matches it or
 * the one named); without, a page with the graphs of the host check and
 * of each of the host's services that has a file, over one range, with
 * links to the preset ranges and a form for a custom one.
 *
 * Nothing from the request reaches librrd as text: the host and service
 * only select a file through store_path() (which escapes them), the
 * template must be one of the loaded set, times are turned into epoch
 * numbers here, sizes are bounded integers. Visibility is pharosd's: the
 * host (and service) must be in the status answer made for the user, or
 * the answer is 403, whether the host exists or not.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgilib.h"
#include "render.h"
#include "store.h"
#include "strnum.h"
#include "template.h"

#ifndef PHAROS_TEMPLATEDIR
#define PHAROS_TEMPLATEDIR "/usr/local/share/pharos/templates"
#endif

/* The graph templates' folder: PHAROS_TEMPLATE_DIR when the web server
 * sets it (an absolute path; the tests point it at the source tree before
 * anything is installed), else the installed one. */
static const char *
graph_template_dir(void)
{
	const char *d = getenv("PHAROS_TEMPLATE_DIR");

	return d != NULL && d[0] == '/' ? d : PHAROS_TEMPLATEDIR;
}

#define GRAPH_SIZE_MAX	2000	/* pixels of the plot area */
#define GRAPH_EPOCH_MIN	946684800LL	/* 2000-01-01 */
#define GRAPH_EPOCH_MAX	4102444800LL	/* 2100-01-01 */
#define GRAPH_SPAN_MIN	60LL
#define GRAPH_SPAN_MAX	(1830LL * 86400)

static const struct cgi_allow graph_allow[] = {
	{ "host", 256 },
	{ "service", 512 },
	{ "range", 3 },
	{ "start", 20 },
	{ "end", 20 },
	{ "template", TEMPLATE_NAME_MAX },
	{ "format", 4 },
	{ "width", 4 },
	{ "height", 4 },
	{ NULL, 0 },
};

static const struct {
	const char *name, *label;
	long long secs;
} graph_ranges[] = {
	{ "4h", "4 hours", 4 * 3600LL },
	{ "1d", "1 day", 86400LL },
	{ "1w", "1 week", 7 * 86400LL },
	{ "1m", "1 month", 31 * 86400LL },
	{ "1y", "1 year", 365 * 86400LL },
};

struct graph_req {
	const char *host, *service, *template_name, *format;
	const char *range;		/* a preset, or NULL for custom */
	long long start, end;		/* epoch s */
	int custom;
	int width, height;
};

/* An epoch number, or a local date "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or
 * "YYYY-MM-DDTHH:MM" (what <input type="datetime-local"> sends) in the
 * user's time zone. */
static int
graph_time(const char *s, long long *out)
{
	static const char *const fmts[] = { "%Y-%m-%dT%H:%M",
		"%Y-%m-%d %H:%M", "%Y-%m-%d" };
	struct tm tm;
	size_t i;
	long v;
	char *end;
	time_t t;

	if (s[0] >= '0' && s[0] <= '9' && strchr(s, '-') == NULL) {
		if (strnum_long(s, (long)GRAPH_EPOCH_MIN, (long)GRAPH_EPOCH_MAX,
		    &v) != 0)
			return -EINVAL;
		*out = v;
		return 0;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (end == NULL || *end != '\0')
			continue;
		tm.tm_isdst = -1;
		if ((t = mktime(&tm)) == (time_t)-1 ||
		    (long long)t < GRAPH_EPOCH_MIN ||
		    (long long)t > GRAPH_EPOCH_MAX)
			return -EINVAL;
		*out = (long long)t;
		return 0;
	}
	return -EINVAL;
}

static int
graph_size(struct cgi *c, const char *name, int *out)
{
	const char *v = cgi_param(c, name);
	long n;

	if (v == NULL || v[0] == '\0')
		return 0;
	if (strnum_long(v, RENDER_SIZE_MIN, GRAPH_SIZE_MAX, &n) != 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "%s must be from %d to %d pixels",
		    name, RENDER_SIZE_MIN, GRAPH_SIZE_MAX);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int
graph_parse(struct cgi *c, struct graph_req *r)
{
	const char *v, *s, *e;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->host = cgi_param(c, "host");
	if (r->host == NULL || r->host[0] == '\0') {
		cgi_fail(c, CGI_BAD_REQUEST, "give a host");
		return -1;
	}
	r->service = cgi_param(c, "service");
	if (r->service != NULL && r->service[0] == '\0')
		r->service = NULL;
	if ((v = cgi_param(c, "format")) != NULL) {
		if (strcmp(v, "png") != 0 && strcmp(v, "svg") != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "format must be png or "
			    "svg");
			return -1;
		}
		r->format = v;
	}
	if ((v = cgi_param(c, "template")) != NULL && v[0] != '\0') {
		for (i = 0; v[i] != '\0'; i++)
			if (!((v[i] >= 'a' && v[i] <= 'z') ||
			    (v[i] >= 'A' && v[i] <= 'Z') ||
			    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' ||
			    v[i] == '-')) {
				cgi_fail(c, CGI_BAD_REQUEST, "a template name "
				    "has letters, digits, '-' and '_' only");
				return -1;
			}
		r->template_name = v;
	}
	if (graph_size(c, "width", &r->width) != 0 ||
	    graph_size(c, "height", &r->height) != 0)
		return -1;
	s = cgi_param(c, "start");
	e = cgi_param(c, "end");
	v = cgi_param(c, "range");
	r->end = c->now;
	if ((s != NULL && s[0] != '\0') || (e != NULL && e[0] != '\0')) {
		if (v != NULL && v[0] != '\0') {
			cgi_fail(c, CGI_BAD_REQUEST, "give a range or a start "
			    "and an end, not both");
			return -1;
		}
		if (s == NULL || e == NULL || graph_time(s, &r->start) != 0 ||
		    graph_time(e, &r->end) != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "start and end are "
			    "epoch seconds or dates YYYY-MM-DD[THH:MM]");
			return -1;
		}
		if (r->end - r->start < GRAPH_SPAN_MIN ||
		    r->end - r->start > GRAPH_SPAN_MAX) {
			cgi_fail(c, CGI_BAD_REQUEST, "the end must be 1 minute "
			    "to 1830 days after the start");
			return -1;
		}
		r->custom = 1;
		return 0;
	}
	if (v == NULL || v[0] == '\0')
		v = "1d";
	for (i = 0; i < sizeof(graph_ranges) / sizeof(graph_ranges[0]); i++)
		if (strcmp(v, graph_ranges[i].name) == 0) {
			r->range = graph_ranges[i].name;
			r->start = r->end - graph_ranges[i].secs;
			return 0;
		}
	cgi_fail(c, CGI_BAD_REQUEST, "range must be 4h, 1d, 1w, 1m or 1y");
	return -1;
}

/* The host and its services the user sees, through pharosd. Returns 0
 * with *data, or -1 with the page made: 403 when the host (or the
 * service) is not visible or does not exist. */
static int
graph_visible(struct cgi *c, const struct graph_req *r, json_t **data)
{
	json_t *hosts = json_pack("[s]", r->host), *svc;
	size_t i;
	int found = 0;

	if (hosts == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	if (cgi_query_status(c, hosts, data) != 0) {
		json_decref(hosts);
		return -1;
	}
	json_decref(hosts);
	json_array_foreach(json_object_get(*data, "hosts"), i, svc) {
		const char *n = json_string_value(json_object_get(svc, "name"));

		if (n != NULL && strcmp(n, r->host) == 0)
			found = 1;
	}
	if (found && r->service != NULL) {
		found = 0;
		json_array_foreach(json_object_get(*data, "services"), i,
		    svc) {
			const char *h = json_string_value(json_object_get(svc,
			    "host"));
			const char *d = json_string_value(json_object_get(svc,
			    "description"));

			if (h != NULL && d != NULL && strcmp(h, r->host) == 0 &&
			    strcmp(d, r->service) == 0)
				found = 1;
		}
	}
	if (!found) {
		cgi_fail(c, CGI_FORBIDDEN, "you may not see this %s",
		    r->service != NULL ? "service" : "host");
		json_decref(*data);
		*data = NULL;
		return -1;
	}
	return 0;
}

/* Draw one image into the body. */
static void
graph_image(struct cgi *c, const struct graph_req *r, const char *rrd_dir)
{
	struct template_set *set = NULL;
	const struct template *t;
	struct render_opts o;
	struct render_info info;
	char path[PATH_MAX], err[512], start[24], end[24], **names = NULL;
	size_t n = 0;
	int rc;

	memset(&info, 0, sizeof(info));
	if (store_path(rrd_dir, r->host, r->service, path, sizeof(path)) != 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "name too long");
		return;
	}
	if ((rc = render_ds_names(path, &names, &n, err, sizeof(err))) != 0) {
		if (rc == -ENOENT)
			cgi_fail(c, CGI_NOT_FOUND, "no metrics are stored for "
			    "this %s", r->service != NULL ? "service" : "host");
		else
			cgi_fail(c, CGI_ERROR, "reading the metrics failed");
		return;
	}
	if ((set = template_set_new()) == NULL ||
	    template_set_load_dir(set, graph_template_dir(), err,
	    sizeof(err)) != 0) {
		cgi_fail(c, CGI_ERROR, "graph templates: %s", set != NULL ?
		    err : "out of memory");
		goto done;
	}
	t = r->template_name != NULL ? template_set_find(set,
	    r->template_name) : template_set_match(set,
	    (const char *const *)names, n);
	if (t == NULL) {
		if (r->template_name != NULL)
			cgi_fail(c, CGI_BAD_REQUEST, "no such template");
		else
			cgi_fail(c, CGI_NOT_FOUND, "no graph template fits "
			    "these metrics");
		goto done;
	}
	memset(&o, 0, sizeof(o));
	snprintf(start, sizeof(start), "%lld", r->start);
	snprintf(end, sizeof(end), "%lld", r->end);
	o.start = start;
	o.end = end;
	o.format = strcmp(r->format, "svg") == 0 ? RENDER_SVG : RENDER_PNG;
	o.width = r->width;
	o.height = r->height;
	o.host = r->host;
	o.service = r->service;
	o.threshold = RENDER_THRESHOLD_DEFAULT;
	rc = render_graph(t, path, (const char *const *)names, n, &o, NULL,
	    &info, err, sizeof(err));
	if (rc == -ENODATA) {
		cgi_fail(c, CGI_NOT_FOUND, "nothing to draw");
		goto done;
	}
	if (rc != 0) {
		cgi_fail(c, CGI_ERROR, "drawing failed: %s", err);
		goto done;
	}
	cgi_set_content_type(c, o.format == RENDER_SVG ?
	    "image/svg+xml" : "image/png");
	fwrite(info.image, 1, info.image_len, c->out);
	free(info.image);
done:
	template_set_free(set);
	render_names_free(names, n);
}

/* An <img> of one graph with the request's range, and links to the
 * other templates that fit its file. */
static void
graph_img(struct cgi *c, const struct graph_req *r, const char *service,
    const char *rrd_dir, const struct template_set *set)
{
	char path[PATH_MAX], start[24], end[24], err[256], **names = NULL;
	const char *range = r->custom ? NULL : r->range;
	const char *st = r->custom ? start : NULL, *en = r->custom ? end : NULL;
	const struct template *t;
	size_t n = 0, i;
	int others = 0;

	if (store_path(rrd_dir, r->host, service, path, sizeof(path)) != 0 ||
	    access(path, R_OK) != 0)
		return;
	snprintf(start, sizeof(start), "%lld", r->start);
	snprintf(end, sizeof(end), "%lld", r->end);
	cgi_printf(c, "<figure class=\"graph\"><img src=\"");
	cgi_put_href(c, "graph", "host", r->host, "service", service,
	    "range", range, "start", st, "end", en, "template",
	    r->template_name, "format", "png", (char *)NULL);
	cgi_printf(c, "\" alt=\"");
	cgi_put_attr(c->out, service != NULL ? service : "host check");
	cgi_printf(c, "\"><figcaption>");
	cgi_put_html(c->out, service != NULL ? service : "Host check");
	if (set != NULL && render_ds_names(path, &names, &n, err,
	    sizeof(err)) == 0) {
		for (i = 0; i < template_set_count(set); i++) {
			t = template_set_get(set, i);
			if (!template_matches(t, (const char *const *)names, n))
				continue;
			cgi_printf(c, "%s<a href=\"", others++ ? ", " :
			    " &middot; templates: ");
			cgi_put_href(c, "graph", "host", r->host, "service",
			    service, "range", range,
			    "start", st, "end", en, "template", t->name,
			    (char *)NULL);
			cgi_printf(c, "\">");
			cgi_put_html(c->out, t->name);
			cgi_printf(c, "</a>");
		}
		render_names_free(names, n);
	}
	cgi_printf(c, "</figcaption></figure>\n");
}

static void
graph_page(struct cgi *c, const struct graph_req *r, json_t *data,
    const char *rrd_dir)
{
	struct template_set *set;
	char err[256];
	json_t *s;
	size_t i;

	cgi_page_head(c, "Graphs", 0);
	cgi_printf(c, "<p class=\"graph-of\">");
	cgi_printf(c, "<a href=\"");
	cgi_put_href(c, "host", "host", r->host, (char *)NULL);
	cgi_printf(c, "\">");
	cgi_put_html(c->out, r->host);
	cgi_printf(c, "</a>");
	if (r->service != NULL) {
		cgi_printf(c, " &middot; ");
		cgi_put_html(c->out, r->service);
	}
	cgi_printf(c, " from ");
	cgi_put_time(c, r->start);
	cgi_printf(c, " to ");
	cgi_put_time(c, r->end);
	cgi_printf(c, "</p>\n<nav class=\"ranges\">");
	for (i = 0; i < sizeof(graph_ranges) / sizeof(graph_ranges[0]); i++) {
		cgi_printf(c, "<a href=\"");
		cgi_put_href(c, "graph", "host", r->host, "service",
		    r->service, "range", graph_ranges[i].name, "template",
		    r->template_name, (char *)NULL);
		cgi_printf(c, "\"%s>%s</a> ", r->range != NULL &&
		    strcmp(r->range, graph_ranges[i].name) == 0 ?
		    " class=\"here\"" : "", graph_ranges[i].label);
	}
	cgi_printf(c, "</nav>\n<form class=\"custom-range\" method=\"get\" "
	    "action=\"");
	cgi_put_href(c, "graph", (char *)NULL);
	cgi_printf(c, "\"><input type=\"hidden\" name=\"host\" value=\"");
	cgi_put_attr(c->out, r->host);
	cgi_printf(c, "\">");
	if (r->service != NULL) {
		cgi_printf(c, "<input type=\"hidden\" name=\"service\" "
		    "value=\"");
		cgi_put_attr(c->out, r->service);
		cgi_printf(c, "\">");
	}
	if (r->template_name != NULL) {
		cgi_printf(c, "<input type=\"hidden\" name=\"template\" "
		    "value=\"");
		cgi_put_attr(c->out, r->template_name);
		cgi_printf(c, "\">");
	}
	cgi_printf(c, "<label>From <input type=\"datetime-local\" "
	    "name=\"start\" required></label> <label>to <input "
	    "type=\"datetime-local\" name=\"end\" required></label> "
	    "<button type=\"submit\">Show</button></form>\n");
	if ((set = template_set_new()) != NULL &&
	    template_set_load_dir(set, graph_template_dir(), err,
	    sizeof(err)) != 0) {
		template_set_free(set);
		set = NULL;
	}
	/* one graph for a service or a chosen template, else them all */
	if (r->service != NULL || r->template_name != NULL)
		graph_img(c, r, r->service, rrd_dir, set);
	else {
		graph_img(c, r, NULL, rrd_dir, set);
		json_array_foreach(json_object_get(data, "services"), i, s) {
			const char *h = json_string_value(json_object_get(s,
			    "host"));
			const char *d = json_string_value(json_object_get(s,
			    "description"));

			if (h != NULL && d != NULL && strcmp(h, r->host) == 0)
				graph_img(c, r, d, rrd_dir, set);
		}
	}
	template_set_free(set);
	cgi_page_foot(c);
}

int
main(void)
{
	struct cgi c;
	struct graph_req r;
	json_t *data = NULL;

	if (cgi_begin(&c, "graph", graph_allow, NULL) != 0)
		return cgi_end(&c);
	if (graph_parse(&c, &r) != 0 || graph_visible(&c, &r, &data) != 0)
		goto done;
	if (c.cfg.rrd_dir == NULL) {
		cgi_fail(&c, CGI_UNAVAILABLE, "pharosd's main config sets no "
		    "rrd_dir: no graphs");
		goto done;
	}
	if (r.format != NULL)
		graph_image(&c, &r, c.cfg.rrd_dir);
	else
		graph_page(&c, &r, data, c.cfg.rrd_dir);
done:
	json_decref(data);
	return cgi_end(&c);
}
