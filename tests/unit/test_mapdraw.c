/*
 * Unit tests of the map drawing (graphs/mapdraw.h): a small tree drawn to
 * PNG decodes with libgd at the layout's size, and the pixels of each box
 * (on its centre line, beside the label) have the state colours; edges
 * show link state; the image map and the SVG give every host a link with
 * its name escaped; a canvas too large is refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gd.h>

#include "mapdraw.h"
#include "maplayout.h"

#define EVIL "<script>alert(1)</script>"

/* core <- sw1 (UP, link up 60%), core <- sw2 (DOWN, link down),
 * sw2 <- ap-café (UNREACHABLE: a label FreeType draws whole, not from
 * the glyph cache), core <- EVIL (PENDING) */
static size_t par0 = 0, par2 = 2;
static struct maplayout_in topo[5] = {
	{ "core", MAPLAYOUT_UP, NULL, 0, NULL, 0, MAPLAYOUT_LINK_UNKNOWN, -1 },
	{ "sw1", MAPLAYOUT_UP, &par0, 1, NULL, 0, MAPLAYOUT_LINK_UP, 60 },
	{ "sw2", MAPLAYOUT_DOWN, &par0, 1, NULL, 0, MAPLAYOUT_LINK_DOWN, -1 },
	{ "ap-caf\xc3\xa9", MAPLAYOUT_UNREACHABLE, &par2, 1, NULL, 0,
	    MAPLAYOUT_LINK_UNKNOWN, -1 },
	{ EVIL, MAPLAYOUT_PENDING, &par0, 1, NULL, 0, MAPLAYOUT_LINK_UNKNOWN,
	    -1 },
};

static struct mapdraw_font *font;

static int
setup(void **state)
{
	(void)state;
	font = mapdraw_font_new(NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	mapdraw_font_free(font);
	return 0;
}

static void
layout(enum maplayout_kind kind, struct maplayout *m)
{
	struct maplayout_opts o;
	char err[128];

	memset(&o, 0, sizeof(o));
	o.kind = kind;
	o.measure = mapdraw_measure;
	o.measure_arg = font;
	assert_int_equal(maplayout_build(topo, 5, &o, m, err, sizeof(err)),
	    0);
	assert_int_equal(m->nnodes, 5);
}

static unsigned
pixel(gdImagePtr im, int x, int y)
{
	int c = gdImageGetTrueColorPixel(im, x, y);

	return ((unsigned)gdTrueColorGetRed(c) << 16) |
	    ((unsigned)gdTrueColorGetGreen(c) << 8) |
	    (unsigned)gdTrueColorGetBlue(c);
}

static void
test_mapdraw_font_is_found(void **state)
{
	const char *f = mapdraw_font_path();
	int w;

	(void)state;
	/* fonts-dejavu-core is a build dependency */
	assert_non_null(f);
	assert_non_null(strstr(f, "DejaVuSans.ttf"));
	assert_non_null(font);
	w = mapdraw_measure(font, "core-router-1", 13);
	assert_true(w > 40 && w < 150);
	assert_true(mapdraw_measure(font, "WWWW", 13) >
	    mapdraw_measure(font, "iiii", 13));
	/* the cached advances agree with FreeType's whole-string measure
	 * (a non-ASCII byte takes that path) within a pixel or two */
	{
		int a = mapdraw_measure(font, "core-router-1\xc3\xa9", 13);
		int b = mapdraw_measure(font, "core-router-1", 13) +
		    mapdraw_measure(font, "\xc3\xa9", 13);

		assert_true(abs(a - b) <= 3);
	}
	/* a second size has its own advances */
	assert_true(mapdraw_measure(font, "core-router-1", 26) > 2 * w - 6);
}

static void
check_png(enum maplayout_kind kind)
{
	struct maplayout m;
	unsigned char *png;
	size_t len, i;
	gdImagePtr im;
	char err[128];

	layout(kind, &m);
	assert_int_equal(mapdraw_png(&m, font, &png, &len, err,
	    sizeof(err)), 0);
	assert_true(len > 8 && memcmp(png, "\x89PNG", 4) == 0);
	im = gdImageCreateFromPngPtr((int)len, png);
	assert_non_null(im);
	assert_int_equal(gdImageSX(im), m.width);
	assert_int_equal(gdImageSY(im), m.height);
	/* a palette image: flat colours encode fast and small */
	assert_false(gdImageTrueColor(im));
	for (i = 0; i < m.nnodes; i++) {
		const struct maplayout_node *n = &m.node[i];
		unsigned want = maplayout_state_fill(n->state);

		/* the centre line, in the padding left of the label */
		assert_int_equal(pixel(im, n->x + 3, n->y + n->h / 2), want);
		assert_int_equal(pixel(im, n->x + n->w - 4, n->y + n->h / 2),
		    want);
		/* the label is drawn: white pixels inside the box */
		{
			int x, y, white = 0;

			for (y = n->y + 2; y < n->y + n->h - 2; y++)
				for (x = n->x + 4; x < n->x + n->w - 4; x++)
				{
					unsigned q = pixel(im, x, y);

					white += (q >> 16) >= 0xc0 &&
					    ((q >> 8) & 0xff) >= 0xc0 &&
					    (q & 0xff) >= 0xc0;
				}
			assert_true(white > 10);
		}
	}
	/* the canvas is white in a corner */
	assert_int_equal(pixel(im, 1, 1), MAPLAYOUT_COLOR_CANVAS);
	gdImageDestroy(im);
	free(png);
	maplayout_free(&m);
}

static void
test_mapdraw_png_tree_decodes_with_state_colours(void **state)
{
	(void)state;
	check_png(MAPLAYOUT_TREE);
}

static void
test_mapdraw_png_radial_decodes_with_state_colours(void **state)
{
	(void)state;
	check_png(MAPLAYOUT_RADIAL);
}

static void
test_mapdraw_png_without_truetype_font(void **state)
{
	struct maplayout m;
	unsigned char *png;
	size_t len;
	gdImagePtr im;
	char err[128];

	(void)state;
	layout(MAPLAYOUT_TREE, &m);
	assert_int_equal(mapdraw_png(&m, NULL, &png, &len, err,
	    sizeof(err)), 0);
	im = gdImageCreateFromPngPtr((int)len, png);
	assert_non_null(im);
	assert_int_equal(gdImageSX(im), m.width);
	gdImageDestroy(im);
	free(png);
	maplayout_free(&m);
}

static void
test_mapdraw_edges_show_link_state(void **state)
{
	struct maplayout m;
	unsigned char *png;
	size_t len, i;
	gdImagePtr im;
	char err[128];
	int down = 0, up = 0;

	(void)state;
	layout(MAPLAYOUT_TREE, &m);
	assert_int_equal(mapdraw_png(&m, font, &png, &len, err,
	    sizeof(err)), 0);
	im = gdImageCreateFromPngPtr((int)len, png);
	assert_non_null(im);
	/* walk each primary edge's path and look at its colour */
	for (i = 0; i < m.nedges; i++) {
		const int *x = m.edge[i].px, *y = m.edge[i].py;
		int np = m.edge[i].npts, k, t, hits = 0;

		assert_int_equal(np, 4);	/* a tree: down, across, down */
		for (k = np - 2; k + 1 < np; k++)	/* the child's own */
			for (t = 0; t <= 20; t++) {
				unsigned p = pixel(im, x[k] + (x[k + 1] - x[k]) *
				    t / 20, y[k] + (y[k + 1] - y[k]) * t / 20);

				if (m.edge[i].link == MAPLAYOUT_LINK_DOWN &&
				    p == MAPLAYOUT_COLOR_LINK_DOWN)
					hits++;
				if (m.edge[i].link == MAPLAYOUT_LINK_UP &&
				    p == MAPLAYOUT_COLOR_LINK_UP)
					hits++;
			}
		if (m.edge[i].link == MAPLAYOUT_LINK_DOWN)
			down = hits;
		if (m.edge[i].link == MAPLAYOUT_LINK_UP)
			up = hits;
	}
	assert_true(down > 0);
	assert_true(up > 0);
	gdImageDestroy(im);
	free(png);
	maplayout_free(&m);
}

/* Run f into a memory stream; the text (caller frees). */
static char *
capture(int (*f)(const struct maplayout *, FILE *), const struct maplayout *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(f(m, fp), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static int
imagemap(const struct maplayout *m, FILE *fp)
{
	return mapdraw_imagemap(m, topo, "pharosmap",
	    "/cgi-bin/pharos/status.cgi?host=",
	    "/cgi-bin/pharos/map.cgi?root=", fp);
}

static int
svg(const struct maplayout *m, FILE *fp)
{
	return mapdraw_svg(m, topo, "/cgi-bin/pharos/status.cgi?host=",
	    "/cgi-bin/pharos/map.cgi?root=", fp);
}

static void
test_mapdraw_imagemap_links_and_escapes(void **state)
{
	struct maplayout m;
	char *s, *p;
	int areas = 0;

	(void)state;
	layout(MAPLAYOUT_TREE, &m);
	s = capture(imagemap, &m);
	for (p = s; (p = strstr(p, "<area ")) != NULL; p++)
		areas++;
	assert_int_equal(areas, 5);
	assert_non_null(strstr(s, "href=\"/cgi-bin/pharos/status.cgi?host="
	    "core\""));
	assert_non_null(strstr(s, "host=%3Cscript%3Ealert%281%29%3C%2F"
	    "script%3E\""));
	assert_non_null(strstr(s, "title=\"&lt;script&gt;alert(1)&lt;/"
	    "script&gt;: PENDING\""));
	assert_null(strstr(s, EVIL));
	/* the coordinates of the first box */
	{
		char want[64];

		snprintf(want, sizeof(want), "coords=\"%d,%d,%d,%d\"",
		    m.node[0].x, m.node[0].y, m.node[0].x + m.node[0].w - 1,
		    m.node[0].y + m.node[0].h - 1);
		assert_non_null(strstr(s, want));
	}
	free(s);
	maplayout_free(&m);
}

static void
test_mapdraw_svg_same_layout_and_escapes(void **state)
{
	struct maplayout m;
	char *s, want[96], *p;
	int rects = 0;

	(void)state;
	layout(MAPLAYOUT_RADIAL, &m);
	s = capture(svg, &m);
	assert_true(strncmp(s, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
	    38) == 0);
	snprintf(want, sizeof(want), "width=\"%d\" height=\"%d\"", m.width,
	    m.height);
	assert_non_null(strstr(s, want));
	snprintf(want, sizeof(want), "<rect x=\"%d\" y=\"%d\" width=\"%d\"",
	    m.node[2].x, m.node[2].y, m.node[2].w);
	assert_non_null(strstr(s, want));
	for (p = s; (p = strstr(p, "<rect x=")) != NULL; p++)
		rects++;
	assert_int_equal(rects, 5);
	assert_null(strstr(s, EVIL));
	assert_non_null(strstr(s, "&lt;script&gt;"));
	assert_non_null(strstr(s, "stroke-dasharray"));	/* link down */
	assert_non_null(strstr(s, "<polyline fill=\"none\" points=\""));
	assert_non_null(strstr(s, ">60%</text>"));	/* utilization */
	free(s);
	maplayout_free(&m);
}

static void
test_mapdraw_collapsed_box_links_to_zoom(void **state)
{
	struct maplayout_opts o;
	struct maplayout m;
	char err[128], *s;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.max_depth = 1;		/* sw2's child "ap" becomes "+1" */
	assert_int_equal(maplayout_build(topo, 5, &o, &m, err, sizeof(err)),
	    0);
	assert_int_equal(m.hidden, 1);
	s = capture(imagemap, &m);
	assert_non_null(strstr(s, "href=\"/cgi-bin/pharos/map.cgi?root=sw2\" "
	    "alt=\"1 hosts collapsed, worst UNREACHABLE\""));
	free(s);
	s = capture(svg, &m);
	assert_non_null(strstr(s, "<a href=\"/cgi-bin/pharos/map.cgi?root=sw2\">"
	    "<title>1 hosts collapsed"));
	free(s);
	maplayout_free(&m);
}

static void
test_mapdraw_refuses_huge_canvas(void **state)
{
	struct maplayout m;
	unsigned char *png = (unsigned char *)1;
	size_t len = 1;
	char err[128];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.width = 30000;
	m.height = 30000;
	assert_int_equal(mapdraw_png(&m, NULL, &png, &len, err, sizeof(err)),
	    -E2BIG);
	assert_null(png);
	assert_non_null(strstr(err, "collapse"));
	m.width = 40000;
	m.height = 10;
	assert_int_equal(mapdraw_png(&m, NULL, &png, &len, err, sizeof(err)),
	    -E2BIG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapdraw_font_is_found),
		cmocka_unit_test(test_mapdraw_png_tree_decodes_with_state_colours),
		cmocka_unit_test(test_mapdraw_png_radial_decodes_with_state_colours),
		cmocka_unit_test(test_mapdraw_png_without_truetype_font),
		cmocka_unit_test(test_mapdraw_edges_show_link_state),
		cmocka_unit_test(test_mapdraw_imagemap_links_and_escapes),
		cmocka_unit_test(test_mapdraw_svg_same_layout_and_escapes),
		cmocka_unit_test(test_mapdraw_collapsed_box_links_to_zoom),
		cmocka_unit_test(test_mapdraw_refuses_huge_canvas),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
