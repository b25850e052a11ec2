/*
 * mapdraw_svg: the device map as an HTML image map and as SVG, from the
 * same layout as the PNG (mapdraw.h). Host names come from the
 * configuration and may hold anything: every one is escaped for where it
 * goes (XML text and attributes; URL query components in hrefs). No
 * state.
 */
#include "mapdraw.h"
#include "mapdraw_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* XML/HTML text or a double-quoted attribute value: the five specials as
 * entities, other control bytes (and in attributes tab and newline too)
 * as references or U+FFFD. */
static void
md_xml(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\t': fputs("&#9;", f); break;
		case '\n': fputs("&#10;", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("\xef\xbf\xbd", f);
			else
				fputc(c, f);
		}
	}
}

/* A URL query component: only A-Z a-z 0-9 - . _ ~ stay. */
static void
md_url(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			fputc(c, f);
		else
			fprintf(f, "%%%02X", c);
	}
}

static const char *
md_name(const struct maplayout_node *n, const struct maplayout_in *in)
{
	return n->in != SIZE_MAX ? in[n->in].name : NULL;
}

/* The host a "+N" box (node i) hangs from, or NULL. */
static const char *
md_parent_name(const struct maplayout *m, const struct maplayout_in *in,
    size_t i)
{
	size_t k;

	for (k = 0; k < m->nedges; k++)
		if (m->edge[k].to == i && m->edge[k].primary)
			return md_name(&m->node[m->edge[k].from], in);
	return NULL;
}

/* Where box i links to (*prefix then the name), or NULL. */
static const char *
md_link(const struct maplayout *m, const struct maplayout_in *in, size_t i,
    const char *url_prefix, const char *expand_prefix, const char **prefix)
{
	const struct maplayout_node *n = &m->node[i];

	if (n->in != SIZE_MAX) {
		*prefix = url_prefix;
		return in[n->in].name;
	}
	*prefix = expand_prefix;
	return expand_prefix != NULL ? md_parent_name(m, in, i) : NULL;
}

/* "NAME: STATE" or "N hosts collapsed, worst STATE". */
static void
md_title(FILE *f, const struct maplayout_node *n,
    const struct maplayout_in *in)
{
	if (n->in != SIZE_MAX) {
		md_xml(f, in[n->in].name);
		fprintf(f, ": %s", maplayout_state_name(n->state));
	} else
		fprintf(f, "%zu hosts collapsed, worst %s", n->hidden,
		    maplayout_state_name(n->state));
}

static void
md_href(FILE *f, const char *prefix, const char *name)
{
	fputs(" href=\"", f);
	fputs(prefix, f);
	/* the escaped URL is then escaped for the attribute: '%' is safe */
	md_url(f, name);
	fputc('"', f);
}

int
mapdraw_imagemap(const struct maplayout *m, const struct maplayout_in *in,
    const char *map_name, const char *url_prefix, const char *expand_prefix,
    FILE *out)
{
	size_t i;

	fputs("<map name=\"", out);
	md_xml(out, map_name);
	fputs("\" id=\"", out);
	md_xml(out, map_name);
	fputs("\">\n", out);
	for (i = 0; i < m->nnodes; i++) {
		const struct maplayout_node *n = &m->node[i];
		const char *prefix, *name = md_link(m, in, i, url_prefix,
		    expand_prefix, &prefix);

		fprintf(out, "<area shape=\"rect\" coords=\"%d,%d,%d,%d\"",
		    n->x, n->y, n->x + n->w - 1, n->y + n->h - 1);
		if (name != NULL)
			md_href(out, prefix, name);
		fputs(" alt=\"", out);
		md_title(out, n, in);
		fputs("\" title=\"", out);
		md_title(out, n, in);
		fputs("\">\n", out);
	}
	fputs("</map>\n", out);
	return ferror(out) ? -EIO : 0;
}

static void
md_rgb(FILE *f, unsigned rgb)
{
	fprintf(f, "#%06x", rgb & 0xffffff);
}

int
mapdraw_svg(const struct maplayout *m, const struct maplayout_in *in,
    const char *url_prefix, const char *expand_prefix, FILE *out)
{
	struct mapdraw_edge_style s;
	size_t i;

	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "font-family=\"DejaVu Sans, sans-serif\" role=\"img\">\n",
	    m->width, m->height, m->width, m->height);
	fputs("<rect width=\"100%\" height=\"100%\" fill=\"", out);
	md_rgb(out, MAPLAYOUT_COLOR_CANVAS);
	fputs("\"/>\n<g class=\"edges\">\n", out);
	for (i = 0; i < m->nedges; i++) {
		const struct maplayout_edge *e = &m->edge[i];
		const int *x = e->px, *y = e->py;
		int np = e->npts, k;

		mapdraw_edge_style(m, e, &s);
		if (np < 2)
			continue;
		if (np > 2) {
			/* the part shared with the siblings */
			fputs("<polyline fill=\"none\" points=\"", out);
			for (k = 0; k < np - 1; k++)
				fprintf(out, "%s%d,%d", k ? " " : "", x[k],
				    y[k]);
			fputs("\" stroke-width=\"1\" stroke=\"", out);
			md_rgb(out, MAPLAYOUT_COLOR_EDGE);
			fputs("\"/>\n", out);
		}
		fprintf(out, "<polyline fill=\"none\" points=\"%d,%d %d,%d\" "
		    "stroke-width=\"%d\"%s stroke=\"", x[np - 2], y[np - 2],
		    x[np - 1], y[np - 1], s.width,
		    s.dashed ? " stroke-dasharray=\"7 5\"" : "");
		md_rgb(out, s.color);
		fputs("\"/>\n", out);
		if (s.label) {
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" "
			    "text-anchor=\"middle\" dominant-baseline="
			    "\"central\" fill=\"", e->lx, e->ly,
			    MAPLAYOUT_FONT_MIN);
			md_rgb(out, MAPLAYOUT_COLOR_LINK_UP);
			fprintf(out, "\" stroke=\"#ffffff\" stroke-width=\"3\" "
			    "paint-order=\"stroke\">%.0f%%</text>\n",
			    m->edge[i].util);
		}
	}
	fputs("</g>\n<g class=\"hosts\">\n", out);
	for (i = 0; i < m->nnodes; i++) {
		const struct maplayout_node *n = &m->node[i];
		const char *prefix, *name = md_link(m, in, i, url_prefix,
		    expand_prefix, &prefix);

		if (name != NULL) {
			fputs("<a", out);
			md_href(out, prefix, name);
			fputs(">", out);
		} else
			fputs("<g>", out);
		fputs("<title>", out);
		md_title(out, n, in);
		fprintf(out, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" fill=\"", n->x, n->y, n->w, n->h);
		md_rgb(out, maplayout_state_fill(n->state));
		fprintf(out, "\" stroke=\"%s\" stroke-width=\"%d\"/>",
		    n->context ? "#3c4043" : "#000000", n->in != SIZE_MAX ?
		    1 : 3);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" "
		    "text-anchor=\"middle\" dominant-baseline=\"central\" "
		    "fill=\"", MAPDRAW_CX(n), MAPDRAW_CY(n), m->font_px);
		md_rgb(out, MAPLAYOUT_COLOR_TEXT);
		fputs("\">", out);
		md_xml(out, n->label);
		fputs(name != NULL ? "</text></a>\n" : "</text></g>\n", out);
	}
	fputs("</g>\n</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}
