/*
 * render: a graph template (template.h) and an RRD file become the
 * argument list of rrd_graph, then a PNG or SVG image drawn by librrd's
 * rrd_graph_v(). Nothing of rrd.h appears here.
 *
 * Threads: this module keeps no state of its own (no globals; everything
 * lives in the caller's arguments and the argument list), but librrd's
 * graph code is not thread-safe (rrd_graph_v shares parser and font state
 * across calls). Call render_graph() and render_ds_names() from one thread
 * only: `pharos graph` and the CGI are single-threaded and draw one image
 * at a time.
 */
#ifndef PHAROS_RENDER_H
#define PHAROS_RENDER_H

#include <stddef.h>

#include "template.h"

#define RENDER_DS_MAX		256	/* DSs read from a file */
#define RENDER_SIZE_MIN		50	/* pixels of the plot area */
#define RENDER_SIZE_MAX		4000
#define RENDER_WIDTH_DEFAULT	600
#define RENDER_HEIGHT_DEFAULT	200
#define RENDER_TIME_MAX		64	/* bytes of a time spec */
/* --projection: the fitted period, as pharos capacity's --period */
#define RENDER_PERIOD_DEFAULT	(30LL * 86400)
#define RENDER_PERIOD_MIN	3600LL
#define RENDER_PERIOD_MAX	(1830LL * 86400)
#define RENDER_THRESHOLD_DEFAULT 80.0

enum render_format { RENDER_PNG, RENDER_SVG };

struct render_opts {
	const char *start;	/* rrdtool time spec (-1d, now-2h, epoch);
				 * NULL: "-1d" */
	const char *end;	/* NULL: "now" */
	enum render_format format;
	int width, height;	/* the plot area; 0: the defaults */
	const char *host;	/* $HOST$ of the title; may be NULL */
	const char *service;	/* $SERVICE$; NULL: the host check */
	/*
	 * Capacity projection (docs/graphs.md, "Projection"): for each
	 * projected DS, librrd's least-squares line (VDEF LSLSLOPE and
	 * LSLINT) over the AVERAGE rows of (now - period, now], drawn dashed
	 * from now - period on and into the future until it reaches
	 * threshold, and threshold as a dashed HRULE. The projected DSs: the
	 * one metric names (a perfdata label), else those of in_util and
	 * out_util the template draws, else every DS it draws as a line or
	 * an area. With projection, start defaults to now - period and end
	 * to now + period.
	 */
	int projection;
	double threshold;	/* in the DS's unit */
	long long period;	/* s; 0: RENDER_PERIOD_DEFAULT */
	const char *metric;	/* NULL: see above */
	long long now;		/* epoch s; 0: time(NULL) */
};

/* What rrd_graph_v reported about the image it made. */
struct render_info {
	long image_width, image_height;	/* the whole image, pixels */
	long graph_width, graph_height;	/* the plot area */
	size_t drawn;			/* elements drawn */
	unsigned char *image;		/* out_path NULL: the bytes (caller
					 * frees), else NULL */
	size_t image_len;
};

/* An rrd_graph argument list: argv[0] is "graph", argv[1] the output. */
struct render_args {
	char **argv;		/* owned, argc strings, each owned */
	size_t argc, cap;
	size_t drawn;		/* elements that drew something */
};

/* Free the strings of a (not a itself); a is empty afterwards. */
void render_args_free(struct render_args *a);

/*
 * Read the DS names of the RRD file at path (borrowed) into *names
 * (caller frees with render_names_free()) and *n. Returns 0, -ENOENT
 * when the file is missing, -EIO (librrd's message in err), -E2BIG over
 * RENDER_DS_MAX names, -ENOMEM.
 */
int render_ds_names(const char *path, char ***names, size_t *n, char *err,
    size_t errlen) __attribute__((warn_unused_result));
void render_names_free(char **names, size_t n);

/*
 * Build into a (zeroed by the caller) the rrd_graph arguments drawing
 * the file rrd_path, holding the DSs ds[0..nds), with template t, into
 * out_path ("-": to memory). All borrowed. Elements naming a DS the file
 * lacks are skipped. Returns 0; -ENODATA when no element draws anything
 * or (projection) there is no DS to project; -EINVAL for bad options
 * (message in err); -ENOMEM. a is freed on error.
 */
int render_build(const struct template *t, const char *rrd_path,
    const char *const *ds, size_t nds, const struct render_opts *o,
    const char *out_path, struct render_args *a, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Draw the file rrd_path (DSs ds[0..nds), as render_ds_names() gives
 * them) with template t into out_path, or into info->image when out_path
 * is NULL. Fills *info. Returns 0, or what render_build() returns, or
 * -EIO with librrd's message in err. One thread only (see above).
 */
int render_graph(const struct template *t, const char *rrd_path,
    const char *const *ds, size_t nds, const struct render_opts *o,
    const char *out_path, struct render_info *info, char *err,
    size_t errlen) __attribute__((warn_unused_result));

#endif
