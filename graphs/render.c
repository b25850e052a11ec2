/*
 * render: the rrd_graph argument list of a template and a file, and the
 * call to librrd that draws it.
 *
 * The argument list is a growing array of owned strings (struct
 * render_args). Variable names in it are derived from positions, so they
 * never collide and never come from input:
 *   d<j>_<cf>   DEF of the file's j-th DS with that consolidation
 *   v<i>_<k>    the k-th DS drawn by element i, scaled (a CDEF when the
 *               scale is not 1, else the DEF itself)
 *   m<i>_<k>    its mirror (v * -1), drawn below zero
 *   w<i>        smoke: high - low; p/q<i>_<k> percentile VDEF / its line
 *   s<i>_<k>_<x> the GPRINT statistics
 *   f<k>_<x>    the k-th projection (render_projection(), below)
 * Text that rrd_graph splits on ':' (the file name, legends) is escaped.
 * The module has no globals but a read-only palette; librrd's graph code
 * is not thread-safe, so render_graph() runs on one thread (render.h).
 */
#include "render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rrd.h>

#include "store.h"

#define RENDER_ARG_MAX		8192	/* bytes of one argument */
#define RENDER_LEGEND_PAD	14	/* legend column width with stats */

static const char *const render_palette[] = {
	"#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
	"#E377C2", "#7F7F7F", "#BCBD22", "#17BECF",
};
#define RENDER_PALETTE_N \
	(sizeof(render_palette) / sizeof(render_palette[0]))

static const char *const render_cf[] = { "AVERAGE", "MIN", "MAX" };

/* One build: the list, the file, and the DEFs already emitted. */
struct render_ctx {
	struct render_args *a;
	const struct template *t;
	const char *const *ds;
	size_t nds;
	unsigned char *defined;		/* nds x 3: DEF emitted */
	unsigned char *drawn;		/* nds: drawn by a line or area */
	char file[RENDER_ARG_MAX];	/* rrd_path, ':' escaped */
	size_t colors;			/* palette entries used */
	int failed;			/* out of memory or too long */
	long long now, period;		/* projection: the fitted window */
};

void
render_args_free(struct render_args *a)
{
	size_t i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

void
render_names_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static const char *
render_rrd_error(void)
{
	const char *e = rrd_get_error();

	return e != NULL && e[0] != '\0' ? e : "unknown librrd error";
}

int
render_ds_names(const char *path, char ***names, size_t *n, char *err,
    size_t errlen)
{
	char **rn = NULL, **rl = NULL, **out = NULL;
	unsigned long cnt = 0, i;
	time_t last;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (access(path, R_OK) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &last, &cnt, &rn, &rl) != 0) {
		snprintf(err, errlen, "%s: %s", path, render_rrd_error());
		return -EIO;
	}
	if (cnt > RENDER_DS_MAX) {
		snprintf(err, errlen, "%s: more than %d data sources", path,
		    RENDER_DS_MAX);
		rc = -E2BIG;
		goto done;
	}
	if ((out = calloc(cnt + 1, sizeof(*out))) == NULL)
		goto nomem;
	for (i = 0; i < cnt; i++)
		if ((out[i] = strdup(rn[i])) == NULL)
			goto nomem;
	*names = out;
	*n = cnt;
	out = NULL;
	goto done;
nomem:
	snprintf(err, errlen, "out of memory");
	rc = -ENOMEM;
done:
	render_names_free(out, cnt);
	for (i = 0; i < cnt; i++) {
		rrd_freemem(rn[i]);
		rrd_freemem(rl[i]);
	}
	rrd_freemem(rn);
	rrd_freemem(rl);
	return rc;
}

/* --- the argument list ---------------------------------------------------- */

static void __attribute__((format(printf, 2, 3)))
render_add(struct render_ctx *c, const char *fmt, ...)
{
	struct render_args *a = c->a;
	char buf[RENDER_ARG_MAX], *s, **nv;
	va_list ap;
	int len;

	if (c->failed)
		return;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf)) {
		c->failed = -E2BIG;
		return;
	}
	if (a->argc + 1 >= a->cap) {
		size_t cap = a->cap == 0 ? 64 : a->cap * 2;

		if ((nv = realloc(a->argv, cap * sizeof(*nv))) == NULL) {
			c->failed = -ENOMEM;
			return;
		}
		a->argv = nv;
		a->cap = cap;
	}
	if ((s = strdup(buf)) == NULL) {
		c->failed = -ENOMEM;
		return;
	}
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
}

/* src into dst (len bytes) with ':' and a trailing '\' escaped for
 * rrd_graph, control bytes replaced; pad with spaces to at least pad
 * bytes. Cut when too long. */
static void
render_escape(char *dst, size_t len, const char *src, size_t pad)
{
	size_t n = 0;

	for (; *src != '\0' && n + 3 < len; src++) {
		unsigned char ch = (unsigned char)*src;

		if (ch == ':' || (ch == '\\' && src[1] == '\0'))
			dst[n++] = '\\';
		dst[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	while (n < pad && n + 1 < len)
		dst[n++] = ' ';
	dst[n] = '\0';
}

/* text with $from$ replaced by to, into out (len bytes). */
static void
render_subst(char *out, size_t len, const char *text, const char *from,
    const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);

	while (*text != '\0' && n + 1 < len) {
		if (strncmp(text, from, fl) == 0) {
			if (n + tl >= len)
				break;
			memcpy(out + n, to, tl);
			n += tl;
			text += fl;
		} else {
			out[n++] = *text++;
		}
	}
	out[n] = '\0';
}

/* --- elements ----------------------------------------------------------- */

static const char *
render_color(struct render_ctx *c, const struct template_elem *e)
{
	if (e->color[0] != '\0')
		return e->color;
	return render_palette[c->colors++ % RENDER_PALETTE_N];
}

/* The index of the DS an exact pattern names, or -1. */
static long
render_find(struct render_ctx *c, const char *label)
{
	size_t j;

	for (j = 0; j < c->nds; j++)
		if (template_pattern_match(label, c->ds[j]))
			return (long)j;
	return -1;
}

/* The DEF of DS j with cf, emitted once; its name into name. */
static void
render_def(struct render_ctx *c, size_t j, enum template_cf cf, char *name,
    size_t len)
{
	snprintf(name, len, "d%zu_%d", j, (int)cf);
	if (c->defined[j * 3 + cf])
		return;
	c->defined[j * 3 + cf] = 1;
	render_add(c, "DEF:%s=%s:%s:%s", name, c->file, c->ds[j],
	    render_cf[cf]);
}

/* The scaled value of DS j for element i, instance k; name into v. */
static void
render_value(struct render_ctx *c, const struct template_elem *e, size_t i,
    size_t k, size_t j, char *v, size_t len)
{
	char d[32];

	render_def(c, j, e->cf, d, sizeof(d));
	if (e->scale == 1) {
		snprintf(v, len, "%s", d);
		return;
	}
	snprintf(v, len, "v%zu_%zu", i, k);
	render_add(c, "CDEF:%s=%s,%.17g,*", v, d, e->scale);
}

/* GPRINTs of the template's stats for value v; the last ends the line. */
static void
render_stats(struct render_ctx *c, const char *v, size_t i, size_t k)
{
	static const struct {
		unsigned bit;
		const char *fn, *name;
	} st[] = {
		{ TEMPLATE_STAT_LAST, "LAST", "last" },
		{ TEMPLATE_STAT_MIN, "MINIMUM", "min" },
		{ TEMPLATE_STAT_AVG, "AVERAGE", "avg" },
		{ TEMPLATE_STAT_MAX, "MAXIMUM", "max" },
	};
	unsigned left = c->t->stats;
	size_t x;

	for (x = 0; x < sizeof(st) / sizeof(st[0]); x++) {
		if (!(left & st[x].bit))
			continue;
		left &= ~st[x].bit;
		render_add(c, "VDEF:s%zu_%zu_%zu=%s,%s", i, k, x, v, st[x].fn);
		render_add(c, "GPRINT:s%zu_%zu_%zu:%s %s%s", i, k, x,
		    st[x].name, c->t->format, left == 0 ? "\\l" : "");
	}
}

/* The legend of element e drawing DS ds (NULL: none), escaped. */
static void
render_legend(struct render_ctx *c, const struct template_elem *e,
    const char *ds, char *out, size_t len)
{
	char text[TEMPLATE_TEXT_MAX * 2 + 1];

	if (e->has_legend)
		render_subst(text, sizeof(text), e->legend, "$DS$",
		    ds != NULL ? ds : "");
	else if (e->kind == TEMPLATE_PERCENTILE)
		snprintf(text, sizeof(text), "%dth percentile", e->pct);
	else if ((e->kind == TEMPLATE_LINE || e->kind == TEMPLATE_AREA) &&
	    ds != NULL)
		snprintf(text, sizeof(text), "%s", ds);
	else
		text[0] = '\0';
	if (e->kind == TEMPLATE_TICK && text[0] != '\0') {
		/* librrd 1.7 draws a TICK's legend text over its colour
		 * box: two spaces move it clear. */
		memmove(text + 2, text, strnlen(text, sizeof(text) - 3) + 1);
		text[0] = text[1] = ' ';
		text[sizeof(text) - 1] = '\0';
	}
	render_escape(out, len, text, text[0] != '\0' && c->t->stats != 0 &&
	    e->kind != TEMPLATE_HRULE && e->kind != TEMPLATE_TICK &&
	    e->kind != TEMPLATE_SMOKE ? RENDER_LEGEND_PAD : 0);
	/* With statistics, a legend without them gets its own line too. */
	if (c->t->stats != 0 && out[0] != '\0' && (e->kind == TEMPLATE_TICK ||
	    e->kind == TEMPLATE_SMOKE))
		snprintf(out + strlen(out), len - strlen(out), "\\l");
}

/* Draw element i for DS j (instance k). */
static void
render_one(struct render_ctx *c, const struct template_elem *e, size_t i,
    size_t k, size_t j)
{
	char v[32], m[32], leg[RENDER_ARG_MAX / 4];
	const char *draw = v, *color = render_color(c, e);

	render_value(c, e, i, k, j, v, sizeof(v));
	render_legend(c, e, c->ds[j], leg, sizeof(leg));
	if (e->mirror && e->kind != TEMPLATE_PERCENTILE) {
		snprintf(m, sizeof(m), "m%zu_%zu", i, k);
		render_add(c, "CDEF:%s=%s,-1,*", m, v);
		draw = m;
	}
	switch (e->kind) {
	case TEMPLATE_LINE:
	case TEMPLATE_AREA:
		if (e->kind == TEMPLATE_LINE)
			render_add(c, "LINE%d:%s%s:%s%s", e->width, draw, color,
			    leg, e->stack ? ":STACK" : "");
		else
			render_add(c, "AREA:%s%s:%s%s", draw, color, leg,
			    e->stack ? ":STACK" : "");
		c->drawn[j] = 1;
		if (c->t->stats != 0 && leg[0] != '\0')
			render_stats(c, v, i, k);
		break;
	case TEMPLATE_PERCENTILE:
		/* The VDEF is of the positive series; the line is a CDEF
		 * of it so it can be mirrored and take a width. */
		render_add(c, "VDEF:p%zu_%zu=%s,%d,PERCENT", i, k, v, e->pct);
		render_add(c, "CDEF:q%zu_%zu=%s,POP,p%zu_%zu%s", i, k, v, i,
		    k, e->mirror ? ",-1,*" : "");
		render_add(c, "LINE%d:q%zu_%zu%s:%s:dashes", e->width, i, k,
		    color, leg);
		if (c->t->stats != 0 && leg[0] != '\0')
			render_add(c, "GPRINT:p%zu_%zu:%s\\l", i, k,
			    c->t->format);
		break;
	case TEMPLATE_TICK:
		render_add(c, "TICK:%s%s:%g:%s", draw, color, e->fraction, leg);
		break;
	default:
		break;
	}
	c->a->drawn++;
}

/* A smoke band: AREA from low to high (invisible base, stacked width). */
static void
render_smoke(struct render_ctx *c, const struct template_elem *e, size_t i)
{
	long lo = render_find(c, e->ds), hi = render_find(c, e->ds2);
	char vl[32], vh[32], leg[RENDER_ARG_MAX / 4];

	if (lo < 0 || hi < 0)
		return;
	render_value(c, e, i, 0, (size_t)lo, vl, sizeof(vl));
	render_value(c, e, i, 1, (size_t)hi, vh, sizeof(vh));
	render_legend(c, e, NULL, leg, sizeof(leg));
	render_add(c, "CDEF:w%zu=%s,%s,-", i, vh, vl);
	render_add(c, "AREA:%s", vl);
	render_add(c, "AREA:w%zu%s:%s:STACK", i, render_color(c, e), leg);
	c->a->drawn++;
}

static void
render_elem(struct render_ctx *c, const struct template_elem *e, size_t i)
{
	char leg[RENDER_ARG_MAX / 4];
	size_t j, k = 0;
	long x;

	switch (e->kind) {
	case TEMPLATE_SMOKE:
		render_smoke(c, e, i);
		return;
	case TEMPLATE_HRULE:
		render_legend(c, e, NULL, leg, sizeof(leg));
		render_add(c, "HRULE:%.17g%s:%s", e->value, render_color(c, e),
		    leg);
		return;	/* a rule alone is not a graph of the file */
	default:
		break;
	}
	if (template_pattern_exact(e->ds)) {
		if ((x = render_find(c, e->ds)) >= 0)
			render_one(c, e, i, 0, (size_t)x);
		return;
	}
	/* A pattern: every DS it matches; a line or area skips those that
	 * an element before already drew. */
	for (j = 0; j < c->nds; j++) {
		if (!template_pattern_match(e->ds, c->ds[j]))
			continue;
		if ((e->kind == TEMPLATE_LINE || e->kind == TEMPLATE_AREA) &&
		    c->drawn[j])
			continue;
		render_one(c, e, i, k++, j);
	}
}

/* --- projection ----------------------------------------------------------- */

/*
 * The k-th projection, of DS j. librrd fits y = a + b * x over the rows of
 * f<k>_d (the fitted window) with x the row's index, so the index is
 * turned into time by a second fit, of TIME over the same rows: its slope
 * is the rows' step (s) and its intercept the time of row 0, exactly.
 *   f_a, f_b  LSLSLOPE, LSLINT of the values (per row, at row 0)
 *   f_s, f_0  LSLSLOPE, LSLINT of f_x = TIME (the step, row 0's time)
 *   f_l       the line at every time of the graph: b + a * (t - t0) / s
 *   f_p       f_l from the window's start on; after now only below the
 *             threshold (a rising line stops where it reaches it)
 *   f_r       the slope per day, printed after the legend
 */
static void
render_project_one(struct render_ctx *c, const struct render_opts *o,
    size_t k, size_t j)
{
	char d[32], leg[RENDER_ARG_MAX / 4], text[64 + 24];
	long long s = c->now - c->period;

	render_def(c, j, TEMPLATE_CF_AVERAGE, d, sizeof(d));
	render_add(c, "DEF:f%zu_d=%s:%s:AVERAGE:start=%lld:end=%lld", k,
	    c->file, c->ds[j], s, c->now);
	render_add(c, "VDEF:f%zu_a=f%zu_d,LSLSLOPE", k, k);
	render_add(c, "VDEF:f%zu_b=f%zu_d,LSLINT", k, k);
	render_add(c, "CDEF:f%zu_x=f%zu_d,POP,TIME", k, k);
	render_add(c, "VDEF:f%zu_s=f%zu_x,LSLSLOPE", k, k);
	render_add(c, "VDEF:f%zu_0=f%zu_x,LSLINT", k, k);
	render_add(c, "CDEF:f%zu_l=%s,POP,TIME,f%zu_0,-,f%zu_s,/,f%zu_a,*,"
	    "f%zu_b,+", k, d, k, k, k, k);
	render_add(c, "CDEF:f%zu_p=TIME,%lld,LT,TIME,%lld,GT,f%zu_l,%.17g,GE,"
	    "*,+,UNKN,f%zu_l,IF", k, s, c->now, k, o->threshold, k);
	render_add(c, "CDEF:f%zu_q=f%zu_l,POP,f%zu_a,86400,*,f%zu_s,/", k, k,
	    k, k);
	render_add(c, "VDEF:f%zu_r=f%zu_q,LAST", k, k);
	snprintf(text, sizeof(text), "trend %.64s", c->ds[j]);
	render_escape(leg, sizeof(leg), text, c->t->stats != 0 ?
	    RENDER_LEGEND_PAD : 0);
	render_add(c, "LINE2:f%zu_p%s:%s:dashes", k,
	    render_palette[c->colors++ % RENDER_PALETTE_N], leg);
	render_add(c, "GPRINT:f%zu_r:%%+.3lf%%s/day\\l", k);
}

/* Whether DS name ds is one of if_util's (capacity.h). */
static int
render_is_util(const char *ds)
{
	return strcmp(ds, "in_util") == 0 || strcmp(ds, "out_util") == 0;
}

/* The projections of o (see render.h), and the threshold. Returns 0, or
 * -ENODATA with a message when there is nothing to project. */
static int
render_projection(struct render_ctx *c, const struct render_opts *o,
    char *err, size_t errlen)
{
	size_t j, k = 0;
	int util = 0;
	long x;

	if (o->metric != NULL) {
		if ((x = render_find(c, o->metric)) < 0) {
			snprintf(err, errlen, "projection: the file has no DS "
			    "for '%.128s'", o->metric);
			return -ENODATA;
		}
		render_project_one(c, o, k++, (size_t)x);
	} else {
		for (j = 0; j < c->nds; j++)
			if (c->drawn[j] && render_is_util(c->ds[j]))
				util = 1;
		for (j = 0; j < c->nds; j++)
			if (c->drawn[j] && (!util || render_is_util(c->ds[j])))
				render_project_one(c, o, k++, j);
		if (k == 0) {
			snprintf(err, errlen, "projection: template %s draws "
			    "no line or area to project (give --metric)",
			    c->t->name);
			return -ENODATA;
		}
	}
	render_add(c, "HRULE:%.17g#D62728:threshold %g:dashes", o->threshold,
	    o->threshold);
	return 0;
}

/* --- the whole list -------------------------------------------------------- */

static int
render_check_opts(const struct render_opts *o, char *err, size_t errlen)
{
	const char *tm[2] = { o->start, o->end };
	size_t i;

	if ((o->width != 0 && (o->width < RENDER_SIZE_MIN ||
	    o->width > RENDER_SIZE_MAX)) || (o->height != 0 &&
	    (o->height < RENDER_SIZE_MIN || o->height > RENDER_SIZE_MAX))) {
		snprintf(err, errlen, "width and height must be %d..%d",
		    RENDER_SIZE_MIN, RENDER_SIZE_MAX);
		return -EINVAL;
	}
	if (o->projection && (o->period < 0 || (o->period != 0 &&
	    (o->period < RENDER_PERIOD_MIN || o->period > RENDER_PERIOD_MAX)) ||
	    o->threshold != o->threshold || o->threshold > 1e300 ||
	    o->threshold < -1e300)) {
		snprintf(err, errlen, "projection: the period must be 1 hour "
		    "to 1830 days and the threshold a finite number");
		return -EINVAL;
	}
	for (i = 0; i < 2; i++) {
		if (tm[i] != NULL && (tm[i][0] == '\0' ||
		    strlen(tm[i]) > RENDER_TIME_MAX)) {
			snprintf(err, errlen, "bad time '%.64s'", tm[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* The header options: output, size, times, title, axis. */
static void
render_header(struct render_ctx *c, const struct render_opts *o,
    const char *out_path)
{
	const struct template *t = c->t;
	char title[TEMPLATE_TEXT_MAX * 4 + 1], tmp[sizeof(title)];
	const char *host = o->host != NULL ? o->host : "";
	const char *svc = o->service != NULL ? o->service : "host";
	size_t n;

	render_add(c, "graph");
	render_add(c, "%s", out_path);
	render_add(c, "--imgformat");
	render_add(c, "%s", o->format == RENDER_SVG ? "SVG" : "PNG");
	render_add(c, "--start");
	if (o->start == NULL && o->projection)
		render_add(c, "%lld", c->now - c->period);
	else
		render_add(c, "%s", o->start != NULL ? o->start : "-1d");
	render_add(c, "--end");
	if (o->end == NULL && o->projection)
		render_add(c, "%lld", c->now + c->period);
	else
		render_add(c, "%s", o->end != NULL ? o->end : "now");
	render_add(c, "--width");
	render_add(c, "%d", o->width != 0 ? o->width : RENDER_WIDTH_DEFAULT);
	render_add(c, "--height");
	render_add(c, "%d", o->height != 0 ? o->height :
	    RENDER_HEIGHT_DEFAULT);
	render_subst(tmp, sizeof(tmp), t->title[0] != '\0' ? t->title :
	    "$HOST$ $SERVICE$", "$HOST$", host);
	render_subst(title, sizeof(title), tmp, "$SERVICE$", svc);
	for (n = 0; title[n] != '\0'; n++)
		if ((unsigned char)title[n] < 0x20 || title[n] == 0x7f)
			title[n] = '?';
	render_add(c, "--title");
	render_add(c, "%s", title);
	if (t->vlabel[0] != '\0') {
		render_add(c, "--vertical-label");
		render_add(c, "%s", t->vlabel);
	}
	render_add(c, "--base");
	render_add(c, "%d", t->base);
	if (t->has_lower) {
		render_add(c, "--lower-limit");
		render_add(c, "%.17g", t->lower);
	}
	if (t->has_upper) {
		render_add(c, "--upper-limit");
		render_add(c, "%.17g", t->upper);
	}
	if (t->rigid)
		render_add(c, "--rigid");
	render_add(c, "--slope-mode");
}

int
render_build(const struct template *t, const char *rrd_path,
    const char *const *ds, size_t nds, const struct render_opts *o,
    const char *out_path, struct render_args *a, char *err, size_t errlen)
{
	struct render_ctx *c;
	size_t i;
	int rc;

	if ((rc = render_check_opts(o, err, errlen)) != 0)
		return rc;
	if (nds > RENDER_DS_MAX) {
		snprintf(err, errlen, "more than %d data sources",
		    RENDER_DS_MAX);
		return -E2BIG;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->defined = calloc(nds * 3 + 1, 1)) == NULL ||
	    (c->drawn = calloc(nds + 1, 1)) == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	c->a = a;
	c->t = t;
	c->ds = ds;
	c->nds = nds;
	c->now = o->now != 0 ? o->now : (long long)time(NULL);
	c->period = o->period != 0 ? o->period : RENDER_PERIOD_DEFAULT;
	if (strlen(rrd_path) * 2 + 2 > sizeof(c->file)) {
		snprintf(err, errlen, "file name too long");
		rc = -ENAMETOOLONG;
		goto done;
	}
	render_escape(c->file, sizeof(c->file), rrd_path, 0);
	render_header(c, o, out_path);
	for (i = 0; i < t->nelem; i++)
		render_elem(c, &t->elem[i], i);
	if (o->projection && c->failed == 0 && a->drawn != 0 &&
	    (rc = render_projection(c, o, err, errlen)) != 0)
		goto done;
	rc = c->failed;
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	else if (rc != 0)
		snprintf(err, errlen, "graph argument too long");
	else if (a->drawn == 0) {
		snprintf(err, errlen, "template %s draws nothing of %s", t->name,
		    rrd_path);
		rc = -ENODATA;
	}
done:
	if (rc != 0)
		render_args_free(a);
	if (c != NULL) {
		free(c->defined);
		free(c->drawn);
	}
	free(c);
	return rc;
}

/* Copy what rrd_graph_v reported into *info. Returns 0 or -ENOMEM. */
static int
render_info_take(rrd_info_t *ri, struct render_info *info)
{
	for (; ri != NULL; ri = ri->next) {
		if (ri->type == RD_I_CNT) {
			long v = (long)ri->value.u_cnt;

			if (strcmp(ri->key, "image_width") == 0)
				info->image_width = v;
			else if (strcmp(ri->key, "image_height") == 0)
				info->image_height = v;
			else if (strcmp(ri->key, "graph_width") == 0)
				info->graph_width = v;
			else if (strcmp(ri->key, "graph_height") == 0)
				info->graph_height = v;
		} else if (ri->type == RD_I_BLO &&
		    strcmp(ri->key, "image") == 0 && info->image == NULL) {
			info->image = malloc(ri->value.u_blo.size + 1);
			if (info->image == NULL)
				return -ENOMEM;
			memcpy(info->image, ri->value.u_blo.ptr,
			    ri->value.u_blo.size);
			info->image_len = ri->value.u_blo.size;
		}
	}
	return 0;
}

int
render_graph(const struct template *t, const char *rrd_path,
    const char *const *ds, size_t nds, const struct render_opts *o,
    const char *out_path, struct render_info *info, char *err,
    size_t errlen)
{
	struct render_args a = { NULL, 0, 0, 0 };
	rrd_info_t *ri;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = render_build(t, rrd_path, ds, nds, o,
	    out_path != NULL ? out_path : "-", &a, err, errlen);
	if (rc != 0)
		return rc;
	info->drawn = a.drawn;
	rrd_clear_error();
	ri = rrd_graph_v((int)a.argc, a.argv);
	if (ri == NULL) {
		snprintf(err, errlen, "rrd_graph: %s", render_rrd_error());
		rc = -EIO;
		goto done;
	}
	if (render_info_take(ri, info) != 0) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
	} else if (out_path == NULL && info->image == NULL) {
		snprintf(err, errlen, "rrd_graph returned no image");
		rc = -EIO;
	}
	rrd_info_free(ri);
	if (rc != 0) {
		free(info->image);
		info->image = NULL;
	}
done:
	render_args_free(&a);
	return rc;
}
