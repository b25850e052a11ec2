/*
 * template: a set of graph templates parsed from `define template { }`
 * blocks, and the rules that pick one for an RRD file.
 *
 * The set is an array of fixed-size struct template (every string in it
 * is capped, so a template never owns memory). Invariants:
 * - names are unique in a set;
 * - every template in a set passed validation: a name, at least one match
 *   pattern and one element, values in range;
 * - parsing a text adds all of its templates or none (on an error the
 *   set is cut back to its size before the call).
 *
 * Input is configuration, not network data, but it is still parsed with
 * bounds everywhere: lines, fields, numbers, counts, file size.
 */
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "strnum.h"

#define TEMPLATE_DIR_FILES	256	/* *.cfg files read from a dir */
#define TEMPLATE_FORMAT_DEFAULT	"%6.2lf%s"

struct template_set {
	struct template *t;	/* owned, n used of cap */
	size_t n, cap;
};

/* What one parse knows for its messages. */
struct template_parser {
	struct template_set *set;
	const char *where;
	int line;
	char *err;
	size_t errlen;
};

static int __attribute__((format(printf, 2, 3)))
template_error(struct template_parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->where, p->line, msg);
	return -EINVAL;
}

/* --- the set ------------------------------------------------------------ */

struct template_set *
template_set_new(void)
{
	return calloc(1, sizeof(struct template_set));
}

void
template_set_free(struct template_set *set)
{
	if (set == NULL)
		return;
	free(set->t);
	free(set);
}

size_t
template_set_count(const struct template_set *set)
{
	return set->n;
}

const struct template *
template_set_get(const struct template_set *set, size_t i)
{
	return i < set->n ? &set->t[i] : NULL;
}

const struct template *
template_set_find(const struct template_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->t[i].name, name) == 0)
			return &set->t[i];
	return NULL;
}

/* --- patterns -------------------------------------------------------------- */

static int
template_alt_match(const char *alt, const char *ds)
{
	char name[STORE_DS_NAME_MAX + 1];

	if (strpbrk(alt, "*?[") != NULL)
		return fnmatch(alt, ds, 0) == 0;
	store_ds_name(alt, name);
	return strcmp(name, ds) == 0;
}

int
template_pattern_match(const char *pattern, const char *ds)
{
	char alt[TEMPLATE_PATTERN_MAX + 1];
	const char *bar;
	size_t len;

	for (;;) {
		bar = strchr(pattern, '|');
		len = bar != NULL ? (size_t)(bar - pattern) : strlen(pattern);
		if (len > 0 && len < sizeof(alt)) {
			memcpy(alt, pattern, len);
			alt[len] = '\0';
			if (template_alt_match(alt, ds))
				return 1;
		}
		if (bar == NULL)
			return 0;
		pattern = bar + 1;
	}
}

int
template_pattern_exact(const char *pattern)
{
	return strpbrk(pattern, "*?[|") == NULL;
}

int
template_matches(const struct template *t, const char *const *ds,
    size_t nds)
{
	size_t i, k;

	for (i = 0; i < t->nmatch; i++) {
		for (k = 0; k < nds; k++)
			if (template_pattern_match(t->match[i], ds[k]))
				break;
		if (k == nds)
			return 0;
	}
	if (!t->only)
		return 1;
	for (k = 0; k < nds; k++) {
		for (i = 0; i < t->nmatch; i++)
			if (template_pattern_match(t->match[i], ds[k]))
				break;
		if (i == t->nmatch)
			return 0;
	}
	return 1;
}

const struct template *
template_set_match(const struct template_set *set, const char *const *ds,
    size_t nds)
{
	const struct template *best = NULL;
	size_t i;

	for (i = 0; i < set->n; i++)
		if ((best == NULL || set->t[i].priority > best->priority) &&
		    template_matches(&set->t[i], ds, nds))
			best = &set->t[i];
	return best;
}

/* --- values ---------------------------------------------------------------- */

static char *
template_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* A decimal number in [min, max]: digits, sign, '.', exponent only. */
static int
template_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || strspn(s, "0123456789.eE+-") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
template_bool(const char *s, int *out)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "no") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

static int
template_color_ok(const char *s)
{
	size_t len = strlen(s);

	return s[0] == '#' && (len == 7 || len == 9) &&
	    strspn(s + 1, "0123456789abcdefABCDEF") == len - 1;
}

/* A GPRINT format: one %[flags][width][.prec]lf, at most one %s or %S,
 * %% anywhere, no ':' (rrd_graph's separator) and no other conversion. */
static int
template_format_ok(const char *s)
{
	int nlf = 0, ns = 0;

	if (strchr(s, ':') != NULL)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s != '%')
			continue;
		s++;
		if (*s == '%')
			continue;
		if (*s == 's' || *s == 'S') {
			ns++;
			continue;
		}
		s += strspn(s, "-+ 0#");
		s += strspn(s, "0123456789");
		if (*s == '.') {
			s++;
			s += strspn(s, "0123456789");
		}
		if (s[0] != 'l' || s[1] != 'f')
			return 0;
		s++;
		nlf++;
	}
	return nlf == 1 && ns <= 1;
}

/* A pattern: 1..TEMPLATE_PATTERN_MAX bytes, no empty alternative, no
 * white space or quote. */
static int
template_pattern_ok(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= TEMPLATE_PATTERN_MAX && s[0] != '|' &&
	    s[len - 1] != '|' && strstr(s, "||") == NULL &&
	    strpbrk(s, " \t\"") == NULL;
}

/* Copy the value of a text key: raw, or one "quoted" string (\" and \\
 * escaped). Returns 0, or a message. */
static const char *
template_text(const char *v, char *out, size_t outlen)
{
	size_t n = 0;

	if (*v != '"') {
		if (strlen(v) >= outlen)
			return "text too long";
		memcpy(out, v, strlen(v) + 1);
		return NULL;
	}
	for (v++; *v != '"'; v++) {
		if (*v == '\0')
			return "unterminated quote";
		if (*v == '\\' && (v[1] == '"' || v[1] == '\\'))
			v++;
		if (n + 1 >= outlen)
			return "text too long";
		out[n++] = *v;
	}
	out[n] = '\0';
	return v[1] == '\0' ? NULL : "text after the closing quote";
}

/*
 * The next key=value of an element line at *pp: key into key, value (raw
 * up to white space, or "quoted") into val. Returns 1 with an option, 0 at
 * the end, -1 with a message in *why.
 */
static int
template_next_opt(char **pp, char *key, size_t keylen, char *val,
    size_t vallen, const char **why)
{
	char *p = *pp, *eq;
	size_t n = 0, klen;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	eq = p + strspn(p, "abcdefghijklmnopqrstuvwxyz_");
	klen = (size_t)(eq - p);
	if (*eq != '=' || klen == 0 || klen >= keylen) {
		*why = "expected key=value";
		return -1;
	}
	memcpy(key, p, klen);
	key[klen] = '\0';
	p = eq + 1;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0') {
				*why = "unterminated quote";
				return -1;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (n + 1 >= vallen) {
				*why = "value too long";
				return -1;
			}
			val[n++] = *p;
		}
		p++;
		if (*p != '\0' && *p != ' ' && *p != '\t') {
			*why = "text after the closing quote";
			return -1;
		}
	} else {
		for (; *p != '\0' && *p != ' ' && *p != '\t'; p++) {
			if (n + 1 >= vallen) {
				*why = "value too long";
				return -1;
			}
			val[n++] = *p;
		}
	}
	val[n] = '\0';
	*pp = p;
	return 1;
}

/* --- elements -------------------------------------------------------------- */

enum {
	OPT_DS = 0x1, OPT_LOW = 0x2, OPT_HIGH = 0x4, OPT_COLOR = 0x8,
	OPT_WIDTH = 0x10, OPT_LEGEND = 0x20, OPT_CF = 0x40, OPT_SCALE = 0x80,
	OPT_MIRROR = 0x100, OPT_STACK = 0x200, OPT_PCT = 0x400,
	OPT_FRACTION = 0x800, OPT_VALUE = 0x1000,
};

static const struct {
	const char *name;
	enum template_kind kind;
	unsigned allowed, required;
} template_kinds[] = {
	{ "line", TEMPLATE_LINE, OPT_DS | OPT_COLOR | OPT_WIDTH | OPT_LEGEND |
	    OPT_CF | OPT_SCALE | OPT_MIRROR | OPT_STACK, OPT_DS },
	{ "area", TEMPLATE_AREA, OPT_DS | OPT_COLOR | OPT_LEGEND | OPT_CF |
	    OPT_SCALE | OPT_MIRROR | OPT_STACK, OPT_DS },
	{ "smoke", TEMPLATE_SMOKE, OPT_LOW | OPT_HIGH | OPT_COLOR |
	    OPT_LEGEND | OPT_SCALE, OPT_LOW | OPT_HIGH },
	{ "percentile", TEMPLATE_PERCENTILE, OPT_DS | OPT_PCT | OPT_COLOR |
	    OPT_WIDTH | OPT_LEGEND | OPT_CF | OPT_SCALE | OPT_MIRROR, OPT_DS },
	{ "tick", TEMPLATE_TICK, OPT_DS | OPT_COLOR | OPT_FRACTION |
	    OPT_LEGEND | OPT_CF, OPT_DS },
	{ "hrule", TEMPLATE_HRULE, OPT_VALUE | OPT_COLOR | OPT_LEGEND,
	    OPT_VALUE },
};

static const struct {
	const char *name;
	unsigned bit;
} template_opts[] = {
	{ "ds", OPT_DS }, { "low", OPT_LOW }, { "high", OPT_HIGH },
	{ "color", OPT_COLOR }, { "width", OPT_WIDTH },
	{ "legend", OPT_LEGEND }, { "cf", OPT_CF }, { "scale", OPT_SCALE },
	{ "mirror", OPT_MIRROR }, { "stack", OPT_STACK }, { "pct", OPT_PCT },
	{ "fraction", OPT_FRACTION }, { "value", OPT_VALUE },
};

/* Set one option of e; a message on a bad value. */
static const char *
template_elem_opt(struct template_elem *e, unsigned bit, const char *v)
{
	long n;

	switch (bit) {
	case OPT_DS:
	case OPT_LOW:
		if (!template_pattern_ok(v))
			return "bad data source pattern";
		snprintf(e->ds, sizeof(e->ds), "%s", v);
		return NULL;
	case OPT_HIGH:
		if (!template_pattern_ok(v))
			return "bad data source pattern";
		snprintf(e->ds2, sizeof(e->ds2), "%s", v);
		return NULL;
	case OPT_COLOR:
		if (!template_color_ok(v))
			return "color must be #RRGGBB or #RRGGBBAA";
		snprintf(e->color, sizeof(e->color), "%s", v);
		return NULL;
	case OPT_WIDTH:
		if (strnum_long(v, 1, 10, &n) != 0)
			return "width must be 1..10";
		e->width = (int)n;
		return NULL;
	case OPT_LEGEND:
		if (strlen(v) > TEMPLATE_TEXT_MAX)
			return "legend too long";
		snprintf(e->legend, sizeof(e->legend), "%s", v);
		e->has_legend = 1;
		return NULL;
	case OPT_CF:
		if (strcmp(v, "AVERAGE") == 0)
			e->cf = TEMPLATE_CF_AVERAGE;
		else if (strcmp(v, "MIN") == 0)
			e->cf = TEMPLATE_CF_MIN;
		else if (strcmp(v, "MAX") == 0)
			e->cf = TEMPLATE_CF_MAX;
		else
			return "cf must be AVERAGE, MIN or MAX";
		return NULL;
	case OPT_SCALE:
		if (template_double(v, -1e18, 1e18, &e->scale) != 0 ||
		    e->scale == 0)
			return "scale must be a non-zero number";
		return NULL;
	case OPT_MIRROR:
		return template_bool(v, &e->mirror) != 0 ?
		    "mirror must be yes or no" : NULL;
	case OPT_STACK:
		return template_bool(v, &e->stack) != 0 ?
		    "stack must be yes or no" : NULL;
	case OPT_PCT:
		if (strnum_long(v, 1, 99, &n) != 0)
			return "pct must be 1..99";
		e->pct = (int)n;
		return NULL;
	case OPT_FRACTION:
		return template_double(v, 0, 1, &e->fraction) != 0 ?
		    "fraction must be 0..1" : NULL;
	case OPT_VALUE:
		return template_double(v, -1e18, 1e18, &e->value) != 0 ?
		    "value must be a number" : NULL;
	}
	return "unknown option";
}

/* Parse an element line of kind k (index into template_kinds). */
static int
template_elem(struct template_parser *p, struct template *t, size_t k,
    char *rest)
{
	struct template_elem *e;
	char key[16], val[TEMPLATE_TEXT_MAX + 1];
	const char *why = NULL;
	unsigned seen = 0, bit;
	size_t i;
	int rc;

	if (t->nelem >= TEMPLATE_ELEM_MAX)
		return template_error(p, "more than %d elements",
		    TEMPLATE_ELEM_MAX);
	e = &t->elem[t->nelem];
	memset(e, 0, sizeof(*e));
	e->kind = template_kinds[k].kind;
	e->scale = 1;
	e->width = 1;
	e->pct = 95;
	e->fraction = 0.1;
	e->line = p->line;
	while ((rc = template_next_opt(&rest, key, sizeof(key), val,
	    sizeof(val), &why)) == 1) {
		for (i = 0; i < sizeof(template_opts) / sizeof(template_opts[0]);
		    i++)
			if (strcmp(template_opts[i].name, key) == 0)
				break;
		if (i == sizeof(template_opts) / sizeof(template_opts[0]) ||
		    !(template_kinds[k].allowed & template_opts[i].bit))
			return template_error(p, "%s takes no option '%s'",
			    template_kinds[k].name, key);
		bit = template_opts[i].bit;
		if (seen & bit)
			return template_error(p, "option '%s' given twice", key);
		seen |= bit;
		if ((why = template_elem_opt(e, bit, val)) != NULL)
			return template_error(p, "%s: %s", key, why);
	}
	if (rc < 0)
		return template_error(p, "%s", why);
	if ((seen & template_kinds[k].required) != template_kinds[k].required)
		return template_error(p, "%s needs %s", template_kinds[k].name,
		    e->kind == TEMPLATE_SMOKE ? "low= and high=" :
		    e->kind == TEMPLATE_HRULE ? "value=" : "ds=");
	if (e->kind == TEMPLATE_SMOKE && (!template_pattern_exact(e->ds) ||
	    !template_pattern_exact(e->ds2)))
		return template_error(p, "smoke takes labels, not patterns");
	t->nelem++;
	return 0;
}

/* --- keys ------------------------------------------------------------------ */

static int
template_stats(struct template_parser *p, struct template *t, char *v)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "last", TEMPLATE_STAT_LAST }, { "min", TEMPLATE_STAT_MIN },
		{ "avg", TEMPLATE_STAT_AVG }, { "max", TEMPLATE_STAT_MAX },
	};
	char *tok, *save = NULL;
	size_t i;

	t->stats = 0;
	for (tok = strtok_r(v, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save)) {
		if (strcmp(tok, "none") == 0)
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(tok, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return template_error(p, "stats: unknown '%s' (last "
			    "min avg max none)", tok);
		t->stats |= names[i].bit;
	}
	return 0;
}

static int
template_match(struct template_parser *p, struct template *t, char *v)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(v, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (t->nmatch >= TEMPLATE_MATCH_MAX)
			return template_error(p, "more than %d match patterns",
			    TEMPLATE_MATCH_MAX);
		if (!template_pattern_ok(tok))
			return template_error(p, "bad match pattern '%.40s'",
			    tok);
		snprintf(t->match[t->nmatch++], TEMPLATE_PATTERN_MAX + 1, "%s",
		    tok);
	}
	return 0;
}

/* One "key value" line inside a block. */
static int
template_key(struct template_parser *p, struct template *t, char *line)
{
	char *key = line, *v;
	const char *why;
	double d;
	long n;
	size_t k;

	v = key + strcspn(key, " \t");
	if (*v != '\0')
		*v++ = '\0';
	v = template_trim(v);
	for (k = 0; k < sizeof(template_kinds) / sizeof(template_kinds[0]); k++)
		if (strcmp(key, template_kinds[k].name) == 0)
			return template_elem(p, t, k, v);
	if (*v == '\0')
		return template_error(p, "%.40s: missing value", key);
	if (strcmp(key, "name") == 0) {
		if (strlen(v) > TEMPLATE_NAME_MAX || strspn(v,
		    "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(v))
			return template_error(p, "name: 1-%d bytes of "
			    "[a-z0-9_-]", TEMPLATE_NAME_MAX);
		snprintf(t->name, sizeof(t->name), "%s", v);
	} else if (strcmp(key, "title") == 0 || strcmp(key, "vlabel") == 0) {
		why = template_text(v, key[0] == 't' ? t->title : t->vlabel,
		    TEMPLATE_TEXT_MAX + 1);
		if (why != NULL)
			return template_error(p, "%s: %s", key, why);
	} else if (strcmp(key, "format") == 0) {
		why = template_text(v, t->format, sizeof(t->format));
		if (why == NULL && !template_format_ok(t->format))
			why = "one %lf, at most one %s, no ':'";
		if (why != NULL)
			return template_error(p, "format: %s", why);
	} else if (strcmp(key, "match") == 0) {
		return template_match(p, t, v);
	} else if (strcmp(key, "stats") == 0) {
		return template_stats(p, t, v);
	} else if (strcmp(key, "only") == 0 || strcmp(key, "rigid") == 0) {
		if (template_bool(v, key[0] == 'o' ? &t->only : &t->rigid) != 0)
			return template_error(p, "%s must be yes or no", key);
	} else if (strcmp(key, "priority") == 0) {
		if (strnum_long(v, 0, 1000, &n) != 0)
			return template_error(p, "priority must be 0..1000");
		t->priority = (int)n;
	} else if (strcmp(key, "base") == 0) {
		if (strnum_long(v, 1000, 1024, &n) != 0 ||
		    (n != 1000 && n != 1024))
			return template_error(p, "base must be 1000 or 1024");
		t->base = (int)n;
	} else if (strcmp(key, "lower") == 0 || strcmp(key, "upper") == 0) {
		if (template_double(v, -1e18, 1e18, &d) != 0)
			return template_error(p, "%s must be a number", key);
		if (key[0] == 'l') {
			t->lower = d;
			t->has_lower = 1;
		} else {
			t->upper = d;
			t->has_upper = 1;
		}
	} else {
		return template_error(p, "unknown key '%.40s'", key);
	}
	return 0;
}

/* Check a finished block and add it to the set. */
static int
template_finish(struct template_parser *p, struct template *t)
{
	struct template_set *set = p->set;
	struct template *nt;

	if (t->name[0] == '\0')
		return template_error(p, "template without a name");
	if (t->nmatch == 0)
		return template_error(p, "template %s: no match line", t->name);
	if (t->nelem == 0)
		return template_error(p, "template %s: nothing to draw",
		    t->name);
	if (t->has_lower && t->has_upper && t->lower >= t->upper)
		return template_error(p, "template %s: lower >= upper",
		    t->name);
	if (template_set_find(set, t->name) != NULL) {
		template_error(p, "template %s defined twice", t->name);
		return -EEXIST;
	}
	if (set->n >= TEMPLATE_SET_MAX) {
		template_error(p, "more than %d templates", TEMPLATE_SET_MAX);
		return -E2BIG;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap == 0 ? 8 : set->cap * 2;

		if (cap > TEMPLATE_SET_MAX)
			cap = TEMPLATE_SET_MAX;
		nt = realloc(set->t, cap * sizeof(*nt));
		if (nt == NULL) {
			snprintf(p->err, p->errlen, "out of memory");
			return -ENOMEM;
		}
		set->t = nt;
		set->cap = cap;
	}
	set->t[set->n++] = *t;
	return 0;
}

/* Cut a ';' comment that is outside double quotes. */
static void
template_uncomment(char *s)
{
	int quoted = 0;

	for (; *s != '\0'; s++) {
		if (quoted && *s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (*s == ';' && !quoted) {
			*s = '\0';
			return;
		}
	}
}

/* Whether line is "define template {" (any white space between). */
static int
template_is_define(char *line)
{
	if (strncmp(line, "define", 6) != 0 ||
	    (line[6] != ' ' && line[6] != '\t'))
		return 0;
	line = template_trim(line + 6);
	if (strncmp(line, "template", 8) != 0)
		return 0;
	return strcmp(template_trim(line + 8), "{") == 0;
}

static int
template_parse_lines(struct template_parser *p, const char *text,
    struct template *t)
{
	char buf[TEMPLATE_LINE_MAX + 1], *line;
	const char *nl;
	size_t len;
	int in = 0, rc, last = 1;

	for (p->line = 1; *text != '\0'; p->line++, text = nl + 1) {
		last = p->line;
		nl = strchr(text, '\n');
		len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		if (len > TEMPLATE_LINE_MAX) {
			template_error(p, "line longer than %d bytes",
			    TEMPLATE_LINE_MAX);
			return -E2BIG;
		}
		memcpy(buf, text, len);
		buf[len] = '\0';
		if (memchr(buf, '\0', len) != NULL)
			return template_error(p, "NUL byte");
		line = template_trim(buf);
		if (*line != '#')
			template_uncomment(line);
		line = template_trim(line);
		if (*line == '\0' || *line == '#') {
			/* blank or comment */
		} else if (!in) {
			if (!template_is_define(line))
				return template_error(p, "expected 'define "
				    "template {'");
			memset(t, 0, sizeof(*t));
			t->base = 1000;
			t->priority = 100;
			snprintf(t->format, sizeof(t->format), "%s",
			    TEMPLATE_FORMAT_DEFAULT);
			snprintf(t->file, sizeof(t->file), "%s", p->where);
			t->line = p->line;
			in = 1;
		} else if (strcmp(line, "}") == 0) {
			if ((rc = template_finish(p, t)) != 0)
				return rc;
			in = 0;
		} else if ((rc = template_key(p, t, line)) != 0) {
			return rc;
		}
		if (nl == NULL)
			break;
	}
	p->line = last;
	if (in)
		return template_error(p, "missing '}' of the template "
		    "opened at line %d", t->line);
	return 0;
}

int
template_set_parse(struct template_set *set, const char *where,
    const char *text, char *err, size_t errlen)
{
	struct template_parser p = { set, where, 0, err, errlen };
	struct template *t;
	size_t start = set->n;
	int rc;

	if ((t = malloc(sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = template_parse_lines(&p, text, t);
	free(t);
	if (rc != 0)
		set->n = start;
	return rc;
}

int
template_set_load_file(struct template_set *set, const char *path,
    char *err, size_t errlen)
{
	FILE *fp;
	char *text = NULL;
	size_t n;
	int rc;

	if ((fp = fopen(path, "re")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if ((text = malloc(TEMPLATE_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto done;
	}
	n = fread(text, 1, TEMPLATE_FILE_MAX + 1, fp);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -EIO;
	} else if (n > TEMPLATE_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    TEMPLATE_FILE_MAX);
		rc = -E2BIG;
	} else if (memchr(text, '\0', n) != NULL) {
		snprintf(err, errlen, "%s: NUL byte in a text file", path);
		rc = -EINVAL;
	} else {
		text[n] = '\0';
		rc = template_set_parse(set, path, text, err, errlen);
	}
done:
	free(text);
	fclose(fp);
	return rc;
}

static int
template_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
template_set_load_dir(struct template_set *set, const char *dir, char *err,
    size_t errlen)
{
	char *names[TEMPLATE_DIR_FILES], path[4096];
	struct dirent *de;
	size_t n = 0, i, len;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".cfg") != 0)
			continue;
		if (n == TEMPLATE_DIR_FILES) {
			snprintf(err, errlen, "%s: more than %d files", dir,
			    TEMPLATE_DIR_FILES);
			rc = -E2BIG;
			break;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), template_cmp);
	for (i = 0; i < n && rc == 0; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) >= sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", dir);
			rc = -ENAMETOOLONG;
		} else {
			rc = template_set_load_file(set, path, err, errlen);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	if (rc == 0 && set->n == 0) {
		snprintf(err, errlen, "%s: no templates", dir);
		rc = -ENOENT;
	}
	return rc;
}
