/*
 * mapdraw: the device map (maplayout.h) drawn as a PNG with libgd, with
 * TrueType labels (DejaVu Sans), as an HTML image map (one area per host,
 * linking to its page) and as SVG from the same layout. gd.h appears only
 * in mapdraw.c.
 *
 * Drawing: a white canvas; edges under the boxes: a link known up is a
 * green line thickened by its utilization (and labelled "42%"), a link
 * down is a thick red dashed line, an edge to an UNREACHABLE host is a
 * grey dashed line, so unreachable subtrees are visibly greyed; boxes in
 * their state colour with white labels; "+N" boxes (collapsed subtrees)
 * have a double border, hosts kept only as the path to a host group a
 * thin one.
 */
#ifndef PHAROS_MAPDRAW_H
#define PHAROS_MAPDRAW_H

#include <stddef.h>
#include <stdio.h>

#include "maplayout.h"

/* The largest image drawn, in pixels (width x height). */
#define MAPDRAW_PIXELS_MAX	(48L * 1000 * 1000)
#define MAPDRAW_SIDE_MAX	32000

/*
 * The DejaVu Sans file: the first of the usual Debian and other paths
 * that can be opened; NULL when none (labels then use gd's built-in font,
 * which is not TrueType). Borrowed, static.
 */
const char *mapdraw_font_path(void);

/*
 * A TrueType font ready to measure: the advance of every printable ASCII
 * character at the few sizes asked for is read from FreeType once (one
 * call per size), so measuring a label costs no glyph hinting. path NULL:
 * mapdraw_font_path(). NULL when there is no such font or no memory
 * (labels then use gd's built-in font). Free with mapdraw_font_free().
 */
struct mapdraw_font;
struct mapdraw_font *mapdraw_font_new(const char *path);
void mapdraw_font_free(struct mapdraw_font *f);	/* NULL: no-op */

/*
 * A maplayout_opts.measure function: the width in pixels of text at px
 * pixels in font arg (struct mapdraw_font *), as mapdraw_png() draws it;
 * the layout's estimate when arg is NULL or FreeType fails.
 */
int mapdraw_measure(void *arg, const char *text, int px);

/*
 * Draw m into a PNG in *png (caller frees with free()), *len bytes.
 * font: from mapdraw_font_new(), or NULL for gd's built-in font (the
 * layout must have been measured with the same). Returns 0; -E2BIG
 * when the canvas is over MAPDRAW_PIXELS_MAX or MAPDRAW_SIDE_MAX (collapse
 * more); -ENOMEM / -EIO with a message in err.
 */
int mapdraw_png(const struct maplayout *m, struct mapdraw_font *font,
    unsigned char **png, size_t *len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * The <map name="map_name"> of m (in: the layout's input, for the names;
 * borrowed) to out: one <area shape="rect"> per host box, href
 * url_prefix followed by the host name URL-escaped (url_prefix is
 * trusted markup, e.g. "/cgi-bin/pharos/host.cgi?host="), title and
 * alt "NAME: STATE" escaped; a "+N" box links to expand_prefix followed
 * by its parent's name (the map zoomed on that host; NULL: no link).
 * Returns 0 or -EIO when out has an error.
 */
int mapdraw_imagemap(const struct maplayout *m, const struct maplayout_in *in,
    const char *map_name, const char *url_prefix, const char *expand_prefix,
    FILE *out);

/*
 * m as one standalone SVG element to out, the same drawing as the PNG:
 * edges, boxes, labels (font-family DejaVu Sans); each box inside an
 * <a href> as in the image map, with a <title>. Every name is escaped for
 * XML. Returns 0 or -EIO.
 */
int mapdraw_svg(const struct maplayout *m, const struct maplayout_in *in,
    const char *url_prefix, const char *expand_prefix, FILE *out);

#endif
