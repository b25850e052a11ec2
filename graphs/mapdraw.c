/*
 * mapdraw: the device map as a PNG through libgd (mapdraw.h). Keeps no
 * state: each call makes one palette image (flat colours: a byte a pixel
 * encodes several times faster and smaller than truecolor), draws edges
 * then boxes then labels, encodes it and destroys it. gd.h stays in this
 * file.
 */
#include "mapdraw.h"
#include "mapdraw_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gd.h>
#include <gdfonts.h>
#include <gdfontmb.h>

static const char *const mapdraw_fonts[] = {
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu/DejaVuSans.ttf",
	"/usr/share/fonts/TTF/DejaVuSans.ttf",
	"/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
	"/usr/local/share/fonts/DejaVuSans.ttf",
};

const char *
mapdraw_font_path(void)
{
	size_t i;

	for (i = 0; i < sizeof(mapdraw_fonts) / sizeof(mapdraw_fonts[0]);
	    i++)
		if (access(mapdraw_fonts[i], R_OK) == 0)
			return mapdraw_fonts[i];
	return NULL;
}

/* gd sizes TrueType text in points at 96 dpi. */
static double
mapdraw_pt(int px)
{
	return (double)px * 72.0 / 96.0;
}

#define MAPDRAW_SIZES	4	/* sizes whose advances are kept */
#define MAPDRAW_FIRST	32	/* ' ' */
#define MAPDRAW_LAST	126	/* '~' */
#define MAPDRAW_NCHARS	(MAPDRAW_LAST - MAPDRAW_FIRST + 1)

#define MAPDRAW_LEVELS	16	/* antialiasing steps of a label's ink */

/* One glyph: its coverage (0 none to 255 full), w x h cropped to its
 * ink; (dx, dy) from the pen position on the baseline to its top left. */
struct mapdraw_mask {
	int drawn;			/* rendered (at its first use) */
	int w, h, dx, dy;
	unsigned char *cov;		/* NULL: no ink (space) */
};

/* The glyphs of one size, each rendered when a label first needs it. */
struct mapdraw_ink {
	int px;
	struct mapdraw_mask g[MAPDRAW_NCHARS];
};

/* The font's file and, per size, the advance of each printable ASCII
 * character as gd positions it (kerning off); glyphs drawn once per
 * size. */
struct mapdraw_font {
	char *path;
	size_t nsizes;
	struct {
		int px;
		double adv[MAPDRAW_NCHARS];
	} size[MAPDRAW_SIZES];
	size_t ninks;
	struct mapdraw_ink ink[MAPDRAW_SIZES];
};

struct mapdraw_font *
mapdraw_font_new(const char *path)
{
	struct mapdraw_font *f;

	if (path == NULL && (path = mapdraw_font_path()) == NULL)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->path = strdup(path)) == NULL) {
		free(f);
		return NULL;
	}
	return f;
}

void
mapdraw_font_free(struct mapdraw_font *f)
{
	size_t k, i;

	if (f == NULL)
		return;
	for (k = 0; k < f->ninks; k++)
		for (i = 0; i < MAPDRAW_NCHARS; i++)
			free(f->ink[k].g[i].cov);
	free(f->path);
	free(f);
}

/* Draw glyph ch once and keep its coverage, cropped to its ink. Returns
 * 0 (g->cov NULL when it has no ink) or -1. */
static int
mapdraw_glyph(const struct mapdraw_font *f, int px, char ch,
    struct mapdraw_mask *g)
{
	gdImagePtr big;
	gdFTStringExtra ex;
	char text[2] = { ch, '\0' };
	int side = 3 * px + 8, ox = px, oy = 2 * px, brect[8];
	int x, y, x0 = side, y0 = side, x1 = -1, y1 = -1;

	memset(g, 0, sizeof(*g));
	if ((big = gdImageCreateTrueColor(side, side)) == NULL)
		return -1;
	gdImageAlphaBlending(big, 0);
	gdImageFilledRectangle(big, 0, 0, side - 1, side - 1,
	    gdTrueColorAlpha(0, 0, 0, gdAlphaTransparent));
	memset(&ex, 0, sizeof(ex));
	ex.flags = gdFTEX_DISABLE_KERNING;
	if (gdImageStringFTEx(big, brect, gdTrueColorAlpha(255, 255, 255,
	    gdAlphaOpaque), f->path, mapdraw_pt(px), 0, ox, oy, text,
	    &ex) != NULL) {
		gdImageDestroy(big);
		return -1;
	}
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++)
			if (gdTrueColorGetAlpha(gdImageGetTrueColorPixel(big,
			    x, y)) != gdAlphaTransparent) {
				x0 = x < x0 ? x : x0;
				y0 = y < y0 ? y : y0;
				x1 = x > x1 ? x : x1;
				y1 = y > y1 ? y : y1;
			}
	if (x1 < 0) {
		gdImageDestroy(big);
		g->drawn = 1;
		return 0;
	}
	g->w = x1 - x0 + 1;
	g->h = y1 - y0 + 1;
	if ((g->cov = malloc((size_t)g->w * (size_t)g->h)) == NULL) {
		gdImageDestroy(big);
		return -1;
	}
	for (y = 0; y < g->h; y++)
		for (x = 0; x < g->w; x++)
			g->cov[y * g->w + x] = (unsigned char)((gdAlphaMax -
			    gdTrueColorGetAlpha(gdImageGetTrueColorPixel(big,
			    x0 + x, y0 + y))) * 255 / gdAlphaMax);
	gdImageDestroy(big);
	g->dx = x0 - ox;
	g->dy = y0 - oy;
	g->drawn = 1;
	return 0;
}

/* The glyphs of px with those of text (printable ASCII) rendered; NULL
 * when FreeType fails or the cache is full. */
static const struct mapdraw_ink *
mapdraw_ink(struct mapdraw_font *f, int px, const char *text)
{
	struct mapdraw_ink *k = NULL;
	const char *s;
	size_t i;

	for (i = 0; i < f->ninks && k == NULL; i++)
		if (f->ink[i].px == px)
			k = &f->ink[i];
	if (k == NULL) {
		if (f->ninks == MAPDRAW_SIZES)
			return NULL;
		k = &f->ink[f->ninks++];
		memset(k, 0, sizeof(*k));
		k->px = px;
	}
	for (s = text; *s != '\0'; s++) {
		struct mapdraw_mask *g = &k->g[(unsigned char)*s -
		    MAPDRAW_FIRST];

		if (!g->drawn && mapdraw_glyph(f, px, *s, g) != 0)
			return NULL;
	}
	return k;
}

/* The advances at px, read once; NULL when FreeType fails or the cache
 * is full. */
static const double *
mapdraw_advances(struct mapdraw_font *f, int px)
{
	char all[MAPDRAW_NCHARS + 1], *e, *p, *end;
	gdFTStringExtra ex;
	int brect[8], i;
	size_t k;

	for (k = 0; k < f->nsizes; k++)
		if (f->size[k].px == px)
			return f->size[k].adv;
	if (f->nsizes == MAPDRAW_SIZES)
		return NULL;
	for (i = 0; i < MAPDRAW_NCHARS; i++)
		all[i] = (char)(MAPDRAW_FIRST + i);
	all[MAPDRAW_NCHARS] = '\0';
	memset(&ex, 0, sizeof(ex));
	ex.flags = gdFTEX_XSHOW | gdFTEX_DISABLE_KERNING;
	e = gdImageStringFTEx(NULL, brect, 0, f->path, mapdraw_pt(px), 0, 0,
	    0, all, &ex);
	if (e != NULL || ex.xshow == NULL) {
		if (ex.xshow != NULL)
			gdFree(ex.xshow);
		return NULL;
	}
	k = f->nsizes;
	for (i = 0, p = ex.xshow; i < MAPDRAW_NCHARS; i++, p = end) {
		f->size[k].adv[i] = strtod(p, &end);
		if (end == p)
			break;
	}
	gdFree(ex.xshow);
	if (i < MAPDRAW_NCHARS)
		return NULL;
	f->size[k].px = px;
	f->nsizes++;
	return f->size[k].adv;
}

int
mapdraw_measure(void *arg, const char *text, int px)
{
	struct mapdraw_font *f = arg;
	gdFTStringExtra ex;
	const double *adv;
	const char *s;
	int brect[8];
	size_t chars = 0;
	double w = 0;

	if (f != NULL && (adv = mapdraw_advances(f, px)) != NULL) {
		for (s = text; *s != '\0'; s++) {
			unsigned char c = (unsigned char)*s;

			if (c < MAPDRAW_FIRST || c > MAPDRAW_LAST)
				break;
			w += adv[c - MAPDRAW_FIRST];
		}
		if (*s == '\0')
			return (int)ceil(w);
	}
	if (f != NULL) {
		memset(&ex, 0, sizeof(ex));
		ex.flags = gdFTEX_DISABLE_KERNING;
		if (gdImageStringFTEx(NULL, brect, 0, f->path, mapdraw_pt(px),
		    0, 0, 0, (char *)(uintptr_t)text, &ex) == NULL)
			return brect[2] - brect[0] + 1;
	}
	for (s = text; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			chars++;
	return (int)ceil((double)chars * 0.62 * px);
}

void
mapdraw_edge_style(const struct maplayout *m, const struct maplayout_edge *e,
    struct mapdraw_edge_style *s)
{
	const struct maplayout_node *to = &m->node[e->to];

	s->color = MAPLAYOUT_COLOR_EDGE;
	s->width = 1;
	s->dashed = 0;
	s->label = 0;
	if (!e->primary) {
		s->dashed = 1;
		return;
	}
	if (to->state == MAPLAYOUT_UNREACHABLE) {
		/* the greyed subtree: whatever the link says */
		s->dashed = 1;
		s->width = 2;
		return;
	}
	if (e->link == MAPLAYOUT_LINK_DOWN) {
		s->color = MAPLAYOUT_COLOR_LINK_DOWN;
		s->width = 4;
		s->dashed = 1;
	} else if (e->link == MAPLAYOUT_LINK_UP) {
		s->color = MAPLAYOUT_COLOR_LINK_UP;
		s->width = 2;
		if (e->util >= 0) {
			s->width = 2 + (int)(fmin(e->util, 100.0) / 25.0);
			s->label = 1;
		}
	}
}

static int
mapdraw_color(gdImagePtr im, unsigned rgb)
{
	return gdImageColorResolve(im, (int)(rgb >> 16) & 0xff,
	    (int)(rgb >> 8) & 0xff, (int)rgb & 0xff);
}

static void
mapdraw_line(gdImagePtr im, int x1, int y1, int x2, int y2,
    const struct mapdraw_edge_style *s)
{
	int col = mapdraw_color(im, s->color);

	gdImageSetThickness(im, s->width);
	if (s->dashed) {
		int style[12], i;

		for (i = 0; i < 12; i++)
			style[i] = i < 7 ? col : gdTransparent;
		gdImageSetStyle(im, style, 12);
		gdImageLine(im, x1, y1, x2, y2, gdStyled);
	} else
		gdImageLine(im, x1, y1, x2, y2, col);
	gdImageSetThickness(im, 1);
}

/* fg over bg at coverage level/(MAPDRAW_LEVELS - 1), 0xRRGGBB. */
static unsigned
mapdraw_blend(unsigned fg, unsigned bg, int level)
{
	unsigned out = 0;
	int sh;

	for (sh = 0; sh <= 16; sh += 8) {
		int a = (int)(fg >> sh) & 0xff, b = (int)(bg >> sh) & 0xff;

		out |= (unsigned)(b + ((a - b) * level +
		    (MAPDRAW_LEVELS - 1) / 2) / (MAPDRAW_LEVELS - 1)) << sh;
	}
	return out;
}

/* Printable ASCII text from the glyph cache, pen at (x, base), in fg on
 * a background of bg: each ink pixel takes the blend of its coverage
 * level (MAPDRAW_LEVELS palette entries per pair of colours). 0, or -1
 * when a character is not in the cache. */
static int
mapdraw_cached(gdImagePtr im, struct mapdraw_font *font, int px,
    unsigned fg, unsigned bg, double x, int base, const char *text)
{
	const struct mapdraw_ink *k;
	const double *adv;
	const char *s;
	int tab[MAPDRAW_LEVELS], l;

	for (s = text; *s != '\0'; s++)
		if ((unsigned char)*s < MAPDRAW_FIRST ||
		    (unsigned char)*s > MAPDRAW_LAST)
			return -1;
	if ((adv = mapdraw_advances(font, px)) == NULL ||
	    (k = mapdraw_ink(font, px, text)) == NULL)
		return -1;
	for (l = 1; l < MAPDRAW_LEVELS; l++)
		tab[l] = mapdraw_color(im, mapdraw_blend(fg, bg, l));
	for (s = text; *s != '\0'; s++) {
		const struct mapdraw_mask *g =
		    &k->g[(unsigned char)*s - MAPDRAW_FIRST];
		int x0 = (int)floor(x + 0.5) + g->dx, y0 = base + g->dy, gx, gy;

		for (gy = 0; g->cov != NULL && gy < g->h; gy++)
			for (gx = 0; gx < g->w; gx++) {
				int c = g->cov[gy * g->w + gx];

				l = (c * (MAPDRAW_LEVELS - 1) + 127) / 255;
				if (l > 0)
					gdImageSetPixel(im, x0 + gx, y0 + gy,
					    tab[l]);
			}
		x += adv[(unsigned char)*s - MAPDRAW_FIRST];
	}
	return 0;
}

/*
 * text of width w (mapdraw_measure(), as the layout measured it) centred
 * on (cx, cy) in colour fg over the flat colour bg. Glyph hinting
 * dominated the drawing time, so ASCII labels are put together from
 * glyphs drawn once per size; others take one FreeType call. The
 * baseline sits 0.36 em below the centre, which centres DejaVu Sans'
 * mixed-case text. The built-in font without a TrueType one.
 */
static void
mapdraw_text(gdImagePtr im, struct mapdraw_font *font, int px, int cx,
    int cy, unsigned fg, unsigned bg, const char *text, int w)
{
	int col = mapdraw_color(im, fg), brect[8];
	int base = cy + (px * 36 + 50) / 100;
	gdFTStringExtra ex;
	gdFontPtr f;

	if (font != NULL && mapdraw_cached(im, font, px, fg, bg, cx - w / 2,
	    base, text) == 0)
		return;
	memset(&ex, 0, sizeof(ex));
	ex.flags = gdFTEX_DISABLE_KERNING;
	if (font != NULL && gdImageStringFTEx(im, brect, col, font->path,
	    mapdraw_pt(px), 0, cx - w / 2, base, (char *)(uintptr_t)text,
	    &ex) == NULL)
		return;
	f = px >= 13 ? gdFontGetMediumBold() : gdFontGetSmall();
	w = f->w * (int)strlen(text);
	gdImageString(im, f, cx - w / 2, cy - f->h / 2,
	    (unsigned char *)(uintptr_t)text, col);
}

static void
mapdraw_edges(gdImagePtr im, const struct maplayout *m,
    struct mapdraw_font *font)
{
	struct mapdraw_edge_style s;
	size_t i;
	char pct[16];

	for (i = 0; i < m->nedges; i++) {
		const struct maplayout_edge *e = &m->edge[i];
		const int *x = e->px, *y = e->py;
		const struct mapdraw_edge_style shared = {
			MAPLAYOUT_COLOR_EDGE, 1, 0, 0 };
		int np = e->npts, k;

		if (np < 2)
			continue;
		mapdraw_edge_style(m, e, &s);
		for (k = 0; k + 2 < np; k++)
			mapdraw_line(im, x[k], y[k], x[k + 1], y[k + 1],
			    &shared);
		mapdraw_line(im, x[np - 2], y[np - 2], x[np - 1], y[np - 1],
		    &s);
	}
	/* utilization labels above every line */
	for (i = 0; i < m->nedges; i++) {
		int mx = m->edge[i].lx, my = m->edge[i].ly, w;
		int h = MAPLAYOUT_FONT_MIN + 2;

		mapdraw_edge_style(m, &m->edge[i], &s);
		if (!s.label)
			continue;
		snprintf(pct, sizeof(pct), "%.0f%%", m->edge[i].util);
		w = mapdraw_measure(font, pct, MAPLAYOUT_FONT_MIN) + 6;
		gdImageFilledRectangle(im, mx - w / 2, my - h / 2, mx + w / 2,
		    my + h / 2, mapdraw_color(im, MAPLAYOUT_COLOR_CANVAS));
		mapdraw_text(im, font, MAPLAYOUT_FONT_MIN, mx, my,
		    MAPLAYOUT_COLOR_LINK_UP, MAPLAYOUT_COLOR_CANVAS, pct,
		    w - 6);
	}
}

static void
mapdraw_boxes(gdImagePtr im, const struct maplayout *m,
    struct mapdraw_font *font)
{
	size_t i;

	for (i = 0; i < m->nnodes; i++) {
		const struct maplayout_node *n = &m->node[i];
		int x2 = n->x + n->w - 1, y2 = n->y + n->h - 1;
		int border = mapdraw_color(im, n->context ?
		    MAPLAYOUT_COLOR_CONTEXT : 0x000000);

		gdImageFilledRectangle(im, n->x, n->y, x2, y2,
		    mapdraw_color(im, maplayout_state_fill(n->state)));
		gdImageRectangle(im, n->x, n->y, x2, y2, border);
		if (n->in == SIZE_MAX)	/* "+N": a double border */
			gdImageRectangle(im, n->x + 2, n->y + 2, x2 - 2,
			    y2 - 2, mapdraw_color(im, MAPLAYOUT_COLOR_TEXT));
		mapdraw_text(im, font, m->font_px, MAPDRAW_CX(n),
		    MAPDRAW_CY(n), MAPLAYOUT_COLOR_TEXT,
		    maplayout_state_fill(n->state), n->label, n->label_w);
	}
}

int
mapdraw_png(const struct maplayout *m, struct mapdraw_font *font,
    unsigned char **png, size_t *len, char *err, size_t errlen)
{
	gdImagePtr im;
	void *p;
	int size = 0;

	*png = NULL;
	*len = 0;
	if (m->width <= 0 || m->height <= 0 || m->width > MAPDRAW_SIDE_MAX ||
	    m->height > MAPDRAW_SIDE_MAX ||
	    (long)m->width * m->height > MAPDRAW_PIXELS_MAX) {
		snprintf(err, errlen, "a map of %dx%d pixels is too large: "
		    "collapse more", m->width, m->height);
		return -E2BIG;
	}
	if ((im = gdImageCreate(m->width, m->height)) == NULL) {
		snprintf(err, errlen, "out of memory for a %dx%d image",
		    m->width, m->height);
		return -ENOMEM;
	}
	gdImageFilledRectangle(im, 0, 0, m->width - 1, m->height - 1,
	    mapdraw_color(im, MAPLAYOUT_COLOR_CANVAS));
	mapdraw_edges(im, m, font);
	mapdraw_boxes(im, m, font);
	/* flat colours: fast compression loses little */
	p = gdImagePngPtrEx(im, &size, 3);
	gdImageDestroy(im);
	if (p == NULL || size <= 0) {
		snprintf(err, errlen, "PNG encoding failed");
		return -EIO;
	}
	if ((*png = malloc((size_t)size)) == NULL) {
		gdFree(p);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(*png, p, (size_t)size);
	*len = (size_t)size;
	gdFree(p);
	return 0;
}
