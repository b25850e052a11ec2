/*
 * template: graph templates, read from plain files (graphs/templates/NAME.cfg,
 * installed in $(pkgdatadir)/templates). A template says which RRD files it
 * fits (patterns over their data source names) and how to draw them: title,
 * vertical label, scale, and a list of elements (lines, areas, a min..max
 * "smoke" band, percentile lines, tick marks, fixed rules). The format is
 * described in docs/graphs.md, "Templates". This module only parses and
 * matches; graphs/render.c turns a template into an rrd_graph call.
 */
#ifndef PHAROS_TEMPLATE_H
#define PHAROS_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_NAME_MAX	31	/* bytes of a template name */
#define TEMPLATE_TEXT_MAX	127	/* title, vlabel, legend */
#define TEMPLATE_PATTERN_MAX	127	/* a label or a pattern */
#define TEMPLATE_FORMAT_MAX	31	/* the GPRINT format */
#define TEMPLATE_MATCH_MAX	16	/* patterns in match lines */
#define TEMPLATE_ELEM_MAX	32	/* drawing elements */
#define TEMPLATE_SET_MAX	64	/* templates in one set */
#define TEMPLATE_LINE_MAX	1024	/* bytes of a line of a file */
#define TEMPLATE_FILE_MAX	(256 * 1024)	/* bytes of a file */

enum template_kind {
	TEMPLATE_LINE,		/* LINEw of a DS */
	TEMPLATE_AREA,		/* AREA of a DS */
	TEMPLATE_SMOKE,		/* band between DS low and DS high */
	TEMPLATE_PERCENTILE,	/* line at the pct-th percentile of a DS */
	TEMPLATE_TICK,		/* tick marks where a DS is not zero */
	TEMPLATE_HRULE,		/* a fixed horizontal rule */
};

enum template_cf { TEMPLATE_CF_AVERAGE, TEMPLATE_CF_MIN, TEMPLATE_CF_MAX };

/* stats bits: the GPRINTs after each legend, in this order */
#define TEMPLATE_STAT_LAST	0x1
#define TEMPLATE_STAT_MIN	0x2
#define TEMPLATE_STAT_AVG	0x4
#define TEMPLATE_STAT_MAX	0x8

struct template_elem {
	enum template_kind kind;
	char ds[TEMPLATE_PATTERN_MAX + 1];	/* label or pattern; smoke: low */
	char ds2[TEMPLATE_PATTERN_MAX + 1];	/* smoke: high */
	char legend[TEMPLATE_TEXT_MAX + 1];	/* $DS$ expands */
	int has_legend;		/* legend= given (legend="" draws none) */
	char color[10];				/* "#RRGGBB[AA]", "" palette */
	enum template_cf cf;
	double scale;		/* values are multiplied by this (default 1) */
	double value;		/* hrule: the value */
	double fraction;	/* tick: height fraction, 0..1 */
	int width;		/* line, percentile: 1..10 */
	int pct;		/* percentile: 1..99 */
	int mirror;		/* drawn below zero (out traffic) */
	int stack;		/* line, area: on top of the previous one */
	int line;		/* line number in the file */
};

struct template {
	char name[TEMPLATE_NAME_MAX + 1];
	char title[TEMPLATE_TEXT_MAX + 1];	/* $HOST$ $SERVICE$ expand */
	char vlabel[TEMPLATE_TEXT_MAX + 1];
	char format[TEMPLATE_FORMAT_MAX + 1];	/* GPRINT, "%6.2lf%s" */
	char match[TEMPLATE_MATCH_MAX][TEMPLATE_PATTERN_MAX + 1];
	size_t nmatch;
	int only;		/* every DS must match a match pattern */
	int priority;		/* 0..1000; the highest match wins */
	int base;		/* 1000 or 1024 */
	int rigid;
	int has_lower, has_upper;
	double lower, upper;
	unsigned stats;		/* TEMPLATE_STAT_* */
	struct template_elem elem[TEMPLATE_ELEM_MAX];
	size_t nelem;
	char file[256];		/* where it was defined, for messages */
	int line;
};

struct template_set;

/* An empty set; NULL when out of memory. Free with template_set_free(). */
struct template_set *template_set_new(void);
void template_set_free(struct template_set *set);	/* NULL: no-op */

/*
 * Parse text (borrowed, NUL-terminated) holding `define template { ... }`
 * blocks into set; where (borrowed) names the source in messages. On a
 * syntax error nothing of text is added, -EINVAL is returned and err gets
 * "where:line: what". -E2BIG when the set is full or a line is too long,
 * -EEXIST for a name already in the set (both with a message too).
 */
int template_set_parse(struct template_set *set, const char *where,
    const char *text, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Read one file (at most TEMPLATE_FILE_MAX bytes) into set. Returns 0 or
 * -errno with a message, as template_set_parse(). */
int template_set_load_file(struct template_set *set, const char *path,
    char *err, size_t errlen) __attribute__((warn_unused_result));

/* Read every *.cfg of dir, in name order. Returns 0 or the first error
 * (the set keeps the templates of the files read before it). A dir with
 * no template is -ENOENT. */
int template_set_load_dir(struct template_set *set, const char *dir,
    char *err, size_t errlen) __attribute__((warn_unused_result));

size_t template_set_count(const struct template_set *set);
/* The i-th template (borrowed, lives as long as set). */
const struct template *template_set_get(const struct template_set *set,
    size_t i);
/* The template called name, or NULL. */
const struct template *template_set_find(const struct template_set *set,
    const char *name);

/*
 * The template for a file holding the DS names ds[0..nds) (borrowed): of
 * the templates that match, the one of highest priority, the first loaded
 * on a tie. NULL when none matches.
 */
const struct template *template_set_match(const struct template_set *set,
    const char *const *ds, size_t nds);

/* Whether t fits those DSs: each match line pattern matches some DS and,
 * with `only`, every DS matches some match pattern. */
int template_matches(const struct template *t, const char *const *ds,
    size_t nds);

/*
 * Whether pattern (borrowed) matches the DS name ds. A pattern is one or
 * more alternatives separated by '|'; an alternative with * ? or [ is a
 * glob (fnmatch) over DS names, any other is a perfdata label, compared
 * through store_ds_name() so labels that are not DS names still find
 * their DS.
 */
int template_pattern_match(const char *pattern, const char *ds);

/* Whether pattern names one DS only (no alternatives, no glob). */
int template_pattern_exact(const char *pattern);

#endif
