/*
 * map.cgi: the device map (docs/web-map.md). One program, three answers
 * from the same layout: the page (an <img> of the PNG with an image map,
 * or the SVG inline, and the layout, host group, collapse and font
 * selectors), the PNG (format=png) and the SVG document (format=svg).
 *
 * What the user may see is decided by pharosd: the hosts come from the
 * status op asked with the user as auth_user, so a host the user may not
 * see is never on the map, and neither is its name in an edge.
 *
 * The layout is a pure function of the parameters and the hosts, so the
 * image map of the page matches the PNG the browser fetches next (unless
 * a host was added in between). A map too large to draw is collapsed
 * further automatically, in fixed steps, the same way for both requests.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"
#include "map_data.h"
#include "mapdraw.h"
#include "maplayout.h"
#include "strnum.h"

#define MAP_DEPTH_MAX		64
#define MAP_CHILDREN_MAX	1000
#define MAP_FONT_MAX		32
#define MAP_AUTO_CHILDREN	40	/* default above MAP_AUTO_HOSTS */
#define MAP_AUTO_HOSTS		200
#define MAP_STEPS		10	/* automatic collapse steps */

static const struct cgi_allow map_allow[] = {
	{ "layout", 8 },
	{ "group", 256 },
	{ "root", 256 },
	{ "depth", 4 },
	{ "children", 6 },
	{ "font", 4 },
	{ "format", 4 },
	{ "svg", 1 },
	{ NULL, 0 },
};

struct map_req {
	struct maplayout_opts o;
	const char *layout;	/* "tree" or "radial" */
	const char *format;	/* NULL: the page; "png", "svg" */
	int svg;		/* the page shows the SVG inline */
	int depth_given, children_given, font_given;
	int auto_steps;		/* collapse steps taken to fit */
};

/* A bounded integer parameter; absent leaves *out. Returns 0, -1 with a
 * 400 made. */
static int
map_int(struct cgi *c, const char *name, long max, int *out, int *given)
{
	const char *v = cgi_param(c, name);
	long n;

	if (v == NULL || v[0] == '\0')	/* "automatic" */
		return 0;
	if (strnum_long(v, 0, max, &n) != 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "%s must be a number from 0 to "
		    "%ld", name, max);
		return -1;
	}
	*out = (int)n;
	*given = 1;
	return 0;
}

static int
map_parse(struct cgi *c, struct map_req *r)
{
	const char *v;

	memset(r, 0, sizeof(*r));
	r->layout = "tree";
	if ((v = cgi_param(c, "layout")) != NULL) {
		if (strcmp(v, "tree") != 0 && strcmp(v, "radial") != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "layout must be tree or "
			    "radial");
			return -1;
		}
		r->layout = v;
	}
	r->o.kind = strcmp(r->layout, "radial") == 0 ? MAPLAYOUT_RADIAL :
	    MAPLAYOUT_TREE;
	if ((v = cgi_param(c, "format")) != NULL) {
		if (strcmp(v, "png") != 0 && strcmp(v, "svg") != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "format must be png or "
			    "svg");
			return -1;
		}
		r->format = v;
	}
	if ((v = cgi_param(c, "svg")) != NULL) {
		if (strcmp(v, "1") != 0 && strcmp(v, "0") != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "svg must be 0 or 1");
			return -1;
		}
		r->svg = v[0] == '1';
	}
	v = cgi_param(c, "group");
	r->o.group = v != NULL && v[0] != '\0' ? v : NULL;
	v = cgi_param(c, "root");
	r->o.root = v != NULL && v[0] != '\0' ? v : NULL;
	if (map_int(c, "depth", MAP_DEPTH_MAX, &r->o.max_depth,
	    &r->depth_given) != 0 ||
	    map_int(c, "children", MAP_CHILDREN_MAX, &r->o.max_children,
	    &r->children_given) != 0 ||
	    map_int(c, "font", MAP_FONT_MAX, &r->o.font_px,
	    &r->font_given) != 0)
		return -1;
	if (r->font_given && r->o.font_px < MAPLAYOUT_FONT_MIN) {
		cgi_fail(c, CGI_BAD_REQUEST, "font must be from %d to %d",
		    MAPLAYOUT_FONT_MIN, MAP_FONT_MAX);
		return -1;
	}
	return 0;
}

static int
map_fits(const struct maplayout *m)
{
	return m->width <= MAPDRAW_SIDE_MAX && m->height <= MAPDRAW_SIDE_MAX &&
	    (long)m->width * m->height <= MAPDRAW_PIXELS_MAX;
}

/* Lay the hosts out, collapsing further in fixed steps until the image
 * can be drawn. Returns 0 or -1 with the page made. */
static int
map_layout(struct cgi *c, struct map_req *r, const struct map_data *md,
    struct mapdraw_font *font, struct maplayout *m)
{
	char err[256];
	int step;

	if (!r->children_given && md->n > MAP_AUTO_HOSTS)
		r->o.max_children = MAP_AUTO_CHILDREN;
	r->o.measure = mapdraw_measure;
	r->o.measure_arg = font;
	for (step = 0; step <= MAP_STEPS; step++) {
		if (maplayout_build(md->in, md->n, &r->o, m, err,
		    sizeof(err)) != 0) {
			cgi_fail(c, CGI_ERROR, "map: %s", err);
			return -1;
		}
		if (map_fits(m))
			return 0;
		maplayout_free(m);
		r->auto_steps++;
		if (r->o.max_children == 0 || r->o.max_children > 8)
			r->o.max_children = r->o.max_children == 0 ?
			    MAP_AUTO_CHILDREN : r->o.max_children / 2;
		else if (r->o.max_depth == 0 || r->o.max_depth > 2)
			r->o.max_depth = r->o.max_depth == 0 ? 8 :
			    r->o.max_depth - 1;
	}
	cgi_fail(c, CGI_ERROR, "the map is too large to draw even collapsed: "
	    "choose a host group");
	return -1;
}

/*
 * The href prefixes mapdraw writes as trusted markup (caller frees): a
 * host's page, and (expand) this map zoomed on a host, with every
 * child shown, keeping the layout, group, font and SVG choices; mapdraw
 * appends the URL-escaped host name.
 */
static char *
map_prefix(struct cgi *c, const struct map_req *r, int expand)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	cgi_put_attr(f, c->cfg.url_cgi_path != NULL ? c->cfg.url_cgi_path :
	    "/cgi-bin/pharos");
	if (!expand)
		fputs("/host.cgi?host=", f);
	else {
		fprintf(f, "/map.cgi?layout=%s", r->layout);
		if (r->o.group != NULL) {
			fputs("&amp;group=", f);
			cgi_put_url(f, r->o.group);
		}
		if (r->font_given)
			fprintf(f, "&amp;font=%d", r->o.font_px);
		if (r->svg)
			fputs("&amp;svg=1", f);
		fputs("&amp;children=0&amp;root=", f);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The href of this map with the same parameters and one changed. */
static void
map_self_href(struct cgi *c, const struct map_req *r, const char *format,
    const char *svg)
{
	char depth[16], children[16], font[16];

	snprintf(depth, sizeof(depth), "%d", r->o.max_depth);
	snprintf(children, sizeof(children), "%d", r->o.max_children);
	snprintf(font, sizeof(font), "%d", r->o.font_px);
	cgi_put_href(c, "map", "layout", r->layout, "group", r->o.group,
	    "root", r->o.root, "depth", r->depth_given ? depth : NULL,
	    "children", r->children_given ? children : NULL,
	    "font", r->font_given ? font : NULL, "format", format,
	    "svg", svg, (char *)NULL);
}

static void
map_select_int(struct cgi *c, const char *name, const char *label,
    const int *vals, size_t n, int cur, int given, const char *zero)
{
	size_t i;

	cgi_printf(c, "<label>%s <select name=\"%s\">", label, name);
	cgi_printf(c, "<option value=\"\"%s>automatic</option>",
	    given ? "" : " selected");
	for (i = 0; i < n; i++) {
		if (vals[i] == 0)
			cgi_printf(c, "<option value=\"0\"%s>%s</option>",
			    given && cur == 0 ? " selected" : "", zero);
		else
			cgi_printf(c, "<option value=\"%d\"%s>%d</option>",
			    vals[i], given && cur == vals[i] ? " selected" :
			    "", vals[i]);
	}
	cgi_printf(c, "</select></label>\n");
}

static void
map_form(struct cgi *c, const struct map_req *r, const struct map_data *md)
{
	static const int depths[] = { 0, 1, 2, 3, 4, 5, 6, 8, 10 };
	static const int kids[] = { 0, 5, 10, 20, 40, 80 };
	static const int fonts[] = { 11, 13, 16, 20, 24 };
	json_t *groups = json_object_get(md->status, "hostgroups"), *g;
	size_t i;

	cgi_printf(c, "<form class=\"map-form\" method=\"get\" action=\"");
	cgi_put_href(c, "map", (char *)NULL);
	cgi_printf(c, "\">\n<label>Layout <select name=\"layout\">"
	    "<option value=\"tree\"%s>tree</option>"
	    "<option value=\"radial\"%s>radial</option></select></label>\n",
	    r->o.kind == MAPLAYOUT_TREE ? " selected" : "",
	    r->o.kind == MAPLAYOUT_RADIAL ? " selected" : "");
	cgi_printf(c, "<label>Host group <select name=\"group\">"
	    "<option value=\"\">all hosts</option>");
	json_array_foreach(groups, i, g) {
		const char *name = json_string_value(json_object_get(g,
		    "name"));

		if (name == NULL)
			continue;
		cgi_printf(c, "<option value=\"");
		cgi_put_attr(c->out, name);
		cgi_printf(c, "\"%s>", r->o.group != NULL &&
		    strcmp(r->o.group, name) == 0 ? " selected" : "");
		cgi_put_html(c->out, name);
		cgi_printf(c, "</option>");
	}
	cgi_printf(c, "</select></label>\n");
	map_select_int(c, "depth", "Levels", depths, sizeof(depths) /
	    sizeof(depths[0]), r->o.max_depth, r->depth_given, "all");
	map_select_int(c, "children", "Children per host", kids,
	    sizeof(kids) / sizeof(kids[0]), r->o.max_children,
	    r->children_given, "all");
	map_select_int(c, "font", "Label size", fonts, sizeof(fonts) /
	    sizeof(fonts[0]), r->o.font_px, r->font_given, "");
	if (r->o.root != NULL) {
		cgi_printf(c, "<input type=\"hidden\" name=\"root\" value=\"");
		cgi_put_attr(c->out, r->o.root);
		cgi_printf(c, "\">\n");
	}
	cgi_printf(c, "<label><input type=\"checkbox\" name=\"svg\" "
	    "value=\"1\"%s> SVG</label>\n<button type=\"submit\">Show"
	    "</button>\n</form>\n", r->svg ? " checked" : "");
}

static void
map_legend(struct cgi *c)
{
	int s;

	cgi_printf(c, "<p class=\"map-legend\">");
	for (s = 0; s < MAPLAYOUT_NSTATES; s++)
		cgi_printf(c, "<span class=\"state %s\">%s</span> ",
		    cgi_state_class(maplayout_state_name(
		    (enum maplayout_state)s)),
		    maplayout_state_name((enum maplayout_state)s));
	cgi_printf(c, "&middot; links: green up (thicker: busier, with "
	    "its utilization), red dashed down, grey dashed to an "
	    "unreachable host &middot; a box \"+N\" stands for N hosts "
	    "collapsed (its colour: the worst of them)</p>\n");
}

static void
map_page(struct cgi *c, const struct map_req *r, const struct map_data *md,
    const struct maplayout *m, const char *prefix, const char *expand)
{
	size_t shown = 0, i;

	for (i = 0; i < m->nnodes; i++)
		shown += m->node[i].in != SIZE_MAX;
	cgi_page_head(c, "Device map", c->cfg.refresh_rate);
	map_form(c, r, md);
	cgi_printf(c, "<p class=\"map-summary\">");
	if (r->o.root != NULL) {
		cgi_printf(c, "The subtree of ");
		cgi_put_html(c->out, r->o.root);
		cgi_printf(c, " (<a href=\"");
		cgi_put_href(c, "map", "layout", r->layout, "group", r->o.group,
		    (char *)NULL);
		cgi_printf(c, "\">the whole map</a>): ");
	}
	cgi_printf(c, "%zu host%s shown", shown, shown == 1 ? "" : "s");
	if (m->hidden > 0)
		cgi_printf(c, ", %zu in collapsed boxes", m->hidden);
	if (m->filtered > 0)
		cgi_printf(c, ", %zu outside the host group", m->filtered);
	if (md->links > 0)
		cgi_printf(c, ", %zu link%s known", md->links,
		    md->links == 1 ? "" : "s");
	if (r->auto_steps > 0)
		cgi_printf(c, " (collapsed further to fit: %d levels, %d "
		    "children per host)", r->o.max_depth, r->o.max_children);
	cgi_printf(c, ". <a href=\"");
	map_self_href(c, r, "png", NULL);
	cgi_printf(c, "\">PNG</a> &middot; <a href=\"");
	map_self_href(c, r, "svg", NULL);
	cgi_printf(c, "\">SVG</a></p>\n");
	map_legend(c);
	if (m->nnodes == 0) {
		cgi_printf(c, "<p class=\"empty\">No host to show%s.</p>\n",
		    r->o.group != NULL || r->o.root != NULL ?
		    " here (an unknown host group or host?)" : "");
	} else if (r->svg) {
		cgi_printf(c, "<div class=\"map\">\n");
		if (mapdraw_svg(m, md->in, prefix, expand, c->out) != 0)
			cgi_fail(c, CGI_ERROR, "writing the map failed");
		cgi_printf(c, "</div>\n");
	} else {
		cgi_printf(c, "<div class=\"map\"><img src=\"");
		map_self_href(c, r, "png", NULL);
		cgi_printf(c, "\" width=\"%d\" height=\"%d\" "
		    "usemap=\"#pharosmap\" alt=\"Device map: %zu hosts\">"
		    "</div>\n", m->width, m->height, shown);
		if (mapdraw_imagemap(m, md->in, "pharosmap", prefix, expand,
		    c->out) != 0)
			cgi_fail(c, CGI_ERROR, "writing the map failed");
	}
	cgi_page_foot(c);
}

/*
 * The status of every host the user sees, with only what the map uses
 * (map_data.h), and of the services only when links can be known (a
 * discovery cache): 1,000 hosts with their services are then a small
 * answer to parse. Returns 0 or -1 with the page made.
 */
static int
map_query(struct cgi *c, int with_services, json_t **data)
{
	json_t *req = json_pack("{s:s, s:s, s:[ssssssss]}", "op", "status",
	    "show", with_services ? "all" : "hosts", "fields", "name",
	    "state", "parents", "hostgroups", "monitor", "host",
	    "description", "perfdata");
	int rc;

	if (req == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	rc = cgi_query(c, req, false, data);
	json_decref(req);
	return rc;
}

int
main(void)
{
	struct cgi c;
	struct map_req r;
	struct map_data md;
	struct maplayout m;
	json_t *data = NULL;
	char err[256], *prefix = NULL, *expand = NULL;
	unsigned char *png = NULL;
	struct mapdraw_font *font = NULL;
	size_t len;
	int rc;

	memset(&md, 0, sizeof(md));
	memset(&m, 0, sizeof(m));
	if (cgi_begin(&c, "map", map_allow, NULL) != 0)
		return cgi_end(&c);
	if (map_parse(&c, &r) != 0)
		goto done;
	if (map_query(&c, c.cfg.discovery_cache_file != NULL, &data) != 0)
		goto done;
	if (map_data_build(data, &md, err, sizeof(err)) != 0) {
		cgi_fail(&c, CGI_UNAVAILABLE, "%s", err);
		goto done;
	}
	map_data_links(&md, c.cfg.discovery_cache_file);
	font = mapdraw_font_new(NULL);
	if (map_layout(&c, &r, &md, font, &m) != 0)
		goto done;
	if ((prefix = map_prefix(&c, &r, 0)) == NULL ||
	    (expand = map_prefix(&c, &r, 1)) == NULL) {
		cgi_fail(&c, CGI_ERROR, "out of memory");
		goto done;
	}
	if (r.format == NULL) {
		map_page(&c, &r, &md, &m, prefix, expand);
	} else if (strcmp(r.format, "svg") == 0) {
		cgi_set_content_type(&c, "image/svg+xml; charset=utf-8");
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", c.out);
		if (mapdraw_svg(&m, md.in, prefix, expand, c.out) != 0)
			cgi_fail(&c, CGI_ERROR, "writing the map failed");
	} else {
		rc = mapdraw_png(&m, font, &png, &len, err,
		    sizeof(err));
		if (rc != 0) {
			cgi_fail(&c, CGI_ERROR, "map: %s", err);
			goto done;
		}
		cgi_set_content_type(&c, "image/png");
		fwrite(png, 1, len, c.out);
	}
done:
	free(png);
	mapdraw_font_free(font);
	free(prefix);
	free(expand);
	maplayout_free(&m);
	map_data_free(&md);
	json_decref(data);
	return cgi_end(&c);
}
