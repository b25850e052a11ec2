/*
 * mapdraw_int: what the PNG (mapdraw.c) and the SVG and image map
 * (mapdraw_svg.c) drawings share, so both draw the same map.
 */
#ifndef PHAROS_MAPDRAW_INT_H
#define PHAROS_MAPDRAW_INT_H

#include "maplayout.h"

struct mapdraw_edge_style {
	unsigned color;		/* 0xRRGGBB */
	int width;		/* px */
	int dashed;
	int label;		/* write the utilization at the middle */
};

/* How edge e of m is drawn. */
void mapdraw_edge_style(const struct maplayout *m,
    const struct maplayout_edge *e, struct mapdraw_edge_style *s);

/* The centre of box n. */
#define MAPDRAW_CX(n)	((n)->x + (n)->w / 2)
#define MAPDRAW_CY(n)	((n)->y + (n)->h / 2)

#endif
