/*
 * macro: command line expansion in two stages.
 *
 * Stage 1 (expand) scans the command line once for $NAME$ and builds a
 * list of segments over one text buffer: TEXT segments hold the line as
 * written plus trusted values spliced in; LITERAL segments hold one value
 * that must stay literal (a tainted value after stripping, or an unknown
 * macro kept as written). Invariants: segments cover text[0 .. len) in
 * order without gaps; two TEXT segments are never adjacent (they merge); a
 * LITERAL segment may be empty (an empty tainted value still makes a word);
 * text never grows past MACRO_MAX_LINE.
 *
 * Stage 2 (lex) walks the segments with a small shell-like word splitter
 * that builds both results at once: the argv for direct execution, and the
 * line for /bin/sh -c with every LITERAL segment quoted for the quoting
 * context it appears in. If it saw shell syntax outside quotes in TEXT
 * segments, the shell line is used. LITERAL segments never change the
 * lexer's state (quotes, words, shell detection), which is the whole point:
 * the two results mean the same words.
 *
 * Trade-off: a backslash right before a LITERAL segment escapes nothing
 * (the value is literal anyway): it is dropped outside quotes and kept as a
 * backslash inside double quotes, the same in both results.
 */
#include "macro.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mbuf {
	char *p;
	size_t len, cap;
};

struct seg {
	size_t off, len;
	bool literal;
};

struct expand {
	const struct macro_ctx *ctx;
	const struct host *host;
	const struct service *svc;
	struct macro_argv *out;
	struct mbuf text;
	struct seg *segs;
	size_t nsegs, capsegs;
	time_t now;
};

/* Built-in macros: a field of the host ('h'), the service ('s') or
 * neither (0). */
enum mfield {
	F_NAME, F_ALIAS, F_ADDRESS, F_ADDRESS6, F_DISPLAYNAME, F_STATE,
	F_STATEID, F_STATETYPE, F_ATTEMPT, F_MAXATTEMPTS, F_OUTPUT,
	F_LONGOUTPUT, F_PERFDATA, F_TIMET, F_LONGDATETIME,
};

static const struct {
	const char *name;
	enum mfield field;
	char obj;
} macro_names[] = {
	{ "HOSTNAME", F_NAME, 'h' },
	{ "HOSTALIAS", F_ALIAS, 'h' },
	{ "HOSTADDRESS", F_ADDRESS, 'h' },
	{ "HOSTADDRESS6", F_ADDRESS6, 'h' },
	{ "HOSTDISPLAYNAME", F_DISPLAYNAME, 'h' },
	{ "HOSTSTATE", F_STATE, 'h' },
	{ "HOSTSTATEID", F_STATEID, 'h' },
	{ "HOSTSTATETYPE", F_STATETYPE, 'h' },
	{ "HOSTATTEMPT", F_ATTEMPT, 'h' },
	{ "MAXHOSTATTEMPTS", F_MAXATTEMPTS, 'h' },
	{ "HOSTOUTPUT", F_OUTPUT, 'h' },
	{ "LONGHOSTOUTPUT", F_LONGOUTPUT, 'h' },
	{ "HOSTPERFDATA", F_PERFDATA, 'h' },
	{ "SERVICEDESC", F_NAME, 's' },
	{ "SERVICEDISPLAYNAME", F_DISPLAYNAME, 's' },
	{ "SERVICESTATE", F_STATE, 's' },
	{ "SERVICESTATEID", F_STATEID, 's' },
	{ "SERVICESTATETYPE", F_STATETYPE, 's' },
	{ "SERVICEATTEMPT", F_ATTEMPT, 's' },
	{ "MAXSERVICEATTEMPTS", F_MAXATTEMPTS, 's' },
	{ "SERVICEOUTPUT", F_OUTPUT, 's' },
	{ "LONGSERVICEOUTPUT", F_LONGOUTPUT, 's' },
	{ "SERVICEPERFDATA", F_PERFDATA, 's' },
	{ "TIMET", F_TIMET, 0 },
	{ "LONGDATETIME", F_LONGDATETIME, 0 },
};

static void
macro_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
macro_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Append n bytes; the buffer stays NUL-terminated. Returns 0, -E2BIG past
 * max bytes, or -ENOMEM. */
static int
mbuf_add(struct mbuf *b, const char *s, size_t n, size_t max)
{
	size_t cap;
	char *p;

	if (n > max || b->len > max - n)
		return -E2BIG;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap > 0 ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

size_t
macro_strip_illegal(char *s)
{
	char *r, *w;

	for (r = w = s; *r != '\0'; r++)
		if (strchr(MACRO_ILLEGAL_CHARS, *r) == NULL)
			*w++ = *r;
	*w = '\0';
	return (size_t)(w - s);
}

/* ---- stage 1: expansion into segments ---- */

static int
exp_seg(struct expand *e, bool literal)
{
	struct seg *s;
	size_t cap;

	if (e->nsegs == e->capsegs) {
		cap = e->capsegs > 0 ? e->capsegs * 2 : 16;
		s = reallocarray(e->segs, cap, sizeof(*s));
		if (s == NULL)
			return -ENOMEM;
		e->segs = s;
		e->capsegs = cap;
	}
	e->segs[e->nsegs].off = e->text.len;
	e->segs[e->nsegs].len = 0;
	e->segs[e->nsegs].literal = literal;
	e->nsegs++;
	return 0;
}

/* Trusted text: merged into the last segment when that is TEXT. */
static int
exp_text(struct expand *e, const char *s, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	if ((e->nsegs == 0 || e->segs[e->nsegs - 1].literal) &&
	    (rc = exp_seg(e, false)) != 0)
		return rc;
	if ((rc = mbuf_add(&e->text, s, n, MACRO_MAX_LINE)) != 0)
		return rc;
	e->segs[e->nsegs - 1].len += n;
	return 0;
}

/* One literal value, its own segment even when empty; strip removes the
 * illegal output characters. */
static int
exp_literal(struct expand *e, const char *s, size_t n, bool strip)
{
	size_t i, run;
	int rc;

	if ((rc = exp_seg(e, true)) != 0)
		return rc;
	for (i = 0; i < n; i += run) {
		if (strip && strchr(MACRO_ILLEGAL_CHARS, s[i]) != NULL) {
			run = 1;
			continue;
		}
		for (run = 1; i + run < n && !(strip &&
		    strchr(MACRO_ILLEGAL_CHARS, s[i + run]) != NULL); run++)
			;
		if ((rc = mbuf_add(&e->text, s + i, run, MACRO_MAX_LINE)) != 0)
			return rc;
		e->segs[e->nsegs - 1].len += run;
	}
	return 0;
}

/* An unknown macro: kept as written (literal, so it is never shell
 * syntax) and reported once. */
static int
exp_unknown(struct expand *e, const char *name, size_t n)
{
	struct macro_argv *out = e->out;
	size_t i;
	char *s;
	int rc;

	s = malloc(n + 3);
	if (s == NULL)
		return -ENOMEM;
	s[0] = '$';
	memcpy(s + 1, name, n);
	s[n + 1] = '$';
	s[n + 2] = '\0';
	rc = exp_literal(e, s, n + 2, false);
	if (rc != 0)
		goto done;
	for (i = 0; i < out->nunknown; i++)
		if (strcmp(out->unknown[i], s) == 0)
			goto done;
	if (out->nunknown < MACRO_MAX_UNKNOWN) {
		out->unknown[out->nunknown++] = s;
		return 0;
	}
done:
	free(s);
	return rc;
}

/* "1".."max" (digits only) into *idx. */
static bool
macro_index(const char *s, size_t n, unsigned max, unsigned *idx)
{
	unsigned v = 0;
	size_t i;

	if (n == 0 || n > 4)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > max)
		return false;
	*idx = v;
	return true;
}

static bool
macro_prefix(const char *name, size_t n, const char *prefix)
{
	size_t len = strlen(prefix);

	return n > len && strncmp(name, prefix, len) == 0;
}

/* A custom variable: name is the part after _HOST or _SERVICE. */
static const char *
macro_custom(const struct custom_var *vars, size_t nvars, const char *name,
    size_t n)
{
	char buf[256];

	if (n >= sizeof(buf))
		return NULL;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return objects_var_find(vars, nvars, buf);
}

static int exp_scan(struct expand *e, const char *s, size_t n, int depth);

static const char *
macro_num(char *buf, size_t len, long long v)
{
	snprintf(buf, len, "%lld", v);
	return buf;
}

static const char *
macro_or(const char *a, const char *b)
{
	return a != NULL ? a : b;
}

/* Look up one built-in macro. Returns false when the name is not one;
 * otherwise *v is its value (NULL for "") in num or borrowed. */
static bool
macro_builtin(struct expand *e, const char *name, size_t n, char *num,
    size_t numlen, const char **v, bool *tainted)
{
	const struct host *h = e->host;
	const struct service *s = e->svc;
	const struct check_status *st;
	struct tm tm;
	size_t i;
	char obj;

	for (i = 0; i < sizeof(macro_names) / sizeof(macro_names[0]); i++)
		if (strlen(macro_names[i].name) == n &&
		    memcmp(macro_names[i].name, name, n) == 0)
			break;
	if (i == sizeof(macro_names) / sizeof(macro_names[0]))
		return false;

	*v = NULL;
	obj = macro_names[i].obj;
	if ((obj == 'h' && h == NULL) || (obj == 's' && s == NULL))
		return true;
	st = obj == 'h' ? &h->st : obj == 's' ? &s->st : NULL;
	switch (macro_names[i].field) {
	case F_NAME:
		*v = obj == 'h' ? h->name : s->description;
		break;
	case F_ALIAS:
		*v = macro_or(h->alias, h->name);
		break;
	case F_ADDRESS:
		*v = h->address;
		break;
	case F_ADDRESS6:
		*v = h->address6;
		break;
	case F_DISPLAYNAME:
		*v = obj == 'h' ? macro_or(h->display_name, h->name) :
		    macro_or(s->display_name, s->description);
		break;
	case F_STATE:
		*v = obj == 'h' ? host_state_name(st->state) :
		    service_state_name(st->state);
		break;
	case F_STATEID:
		*v = macro_num(num, numlen, st->state);
		break;
	case F_STATETYPE:
		*v = state_type_name(st->state_type);
		break;
	case F_ATTEMPT:
		*v = macro_num(num, numlen, st->current_attempt);
		break;
	case F_MAXATTEMPTS:
		*v = macro_num(num, numlen, obj == 'h' ?
		    h->max_check_attempts : s->max_check_attempts);
		break;
	case F_OUTPUT:
		*v = st->output;
		*tainted = true;
		break;
	case F_LONGOUTPUT:
		*v = st->long_output;
		*tainted = true;
		break;
	case F_PERFDATA:
		*v = st->perfdata;
		*tainted = true;
		break;
	case F_TIMET:
		*v = macro_num(num, numlen, (long long)e->now);
		break;
	case F_LONGDATETIME:
		/* Nagios' long date format: "Fri Oct 13 00:30:28 CDT 2006". */
		if (localtime_r(&e->now, &tm) != NULL &&
		    strftime(num, numlen, "%a %b %d %H:%M:%S %Z %Y", &tm) > 0)
			*v = num;
		break;
	}
	return true;
}

/* Expand one macro whose name (without the '$') is name[0 .. n). */
static int
exp_macro(struct expand *e, const char *name, size_t n, int depth)
{
	const struct macro_ctx *ctx = e->ctx;
	const struct check_spec *spec = ctx->spec;
	const char *v = NULL;
	bool tainted = false;
	unsigned idx;
	char num[128];
	size_t i;

	for (i = 0; i < ctx->nvars; i++) {
		if (ctx->vars[i].name != NULL &&
		    strlen(ctx->vars[i].name) == n &&
		    memcmp(ctx->vars[i].name, name, n) == 0) {
			v = macro_or(ctx->vars[i].value, "");
			tainted = ctx->vars[i].tainted;
			goto value;
		}
	}
	if (macro_prefix(name, n, "ARG") &&
	    macro_index(name + 3, n - 3, MACRO_MAX_ARGS, &idx)) {
		/* Arguments are expanded once more (Nagios does); $ARGn$
		 * inside an argument is not. */
		if (depth > 0)
			return exp_unknown(e, name, n);
		if (spec == NULL || idx > spec->nargs ||
		    spec->args[idx - 1] == NULL)
			return 0;
		return exp_scan(e, spec->args[idx - 1],
		    strlen(spec->args[idx - 1]), depth + 1);
	}
	if (macro_prefix(name, n, "USER") &&
	    macro_index(name + 4, n - 4, MACRO_MAX_USER, &idx)) {
		v = idx <= ctx->nuser_macros && ctx->user_macros != NULL ?
		    ctx->user_macros[idx - 1] : NULL;
		goto value;
	}
	if (macro_prefix(name, n, "_HOST")) {
		v = e->host == NULL ? NULL : macro_custom(e->host->vars,
		    e->host->nvars, name + 5, n - 5);
		if (v == NULL)
			return exp_unknown(e, name, n);
		goto value;
	}
	if (macro_prefix(name, n, "_SERVICE")) {
		v = e->svc == NULL ? NULL : macro_custom(e->svc->vars,
		    e->svc->nvars, name + 8, n - 8);
		if (v == NULL)
			return exp_unknown(e, name, n);
		goto value;
	}
	if (!macro_builtin(e, name, n, num, sizeof(num), &v, &tainted))
		return exp_unknown(e, name, n);
value:
	if (v == NULL)
		v = "";
	if (tainted)
		return exp_literal(e, v, strlen(v), true);
	return exp_text(e, v, strlen(v));
}

static bool
macro_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '.' ||
	    c == '-';
}

/* Scan s[0 .. n) for $NAME$ and $$; everything else is trusted text. A
 * '$' that does not start a well-formed macro is text. */
static int
exp_scan(struct expand *e, const char *s, size_t n, int depth)
{
	size_t i = 0, start = 0, j;
	int rc;

	while (i < n) {
		if (s[i] != '$') {
			i++;
			continue;
		}
		for (j = i + 1; j < n && macro_name_char(s[j]); j++)
			;
		if (j >= n || s[j] != '$') {
			i++;
			continue;
		}
		if ((rc = exp_text(e, s + start, i - start)) != 0)
			return rc;
		if (j == i + 1)
			rc = exp_text(e, "$", 1);
		else
			rc = exp_macro(e, s + i + 1, j - i - 1, depth);
		if (rc != 0)
			return rc;
		i = start = j + 1;
	}
	return exp_text(e, s + start, n - start);
}

/* ---- stage 2: words, quoting and the shell decision ---- */

struct lex {
	struct mbuf word;
	struct mbuf sh;
	char **argv;
	size_t argc, cap;
	char quote;       /* 0, '\'' or '"' */
	bool esc;         /* a backslash is waiting for its character */
	bool in_word;
	bool first;       /* still in the first word */
	bool assign;      /* the first word so far is a NAME (NAME=...) */
	bool shell;       /* shell syntax seen outside quotes */
	bool sh_too_long; /* the shell line passed MACRO_MAX_LINE */
};

static int
lex_w(struct lex *l, const char *s, size_t n)
{
	return mbuf_add(&l->word, s, n, MACRO_MAX_LINE);
}

/* The shell line only matters if the shell is needed, so running out of
 * room there is remembered instead of failing at once. */
static int
lex_sh(struct lex *l, const char *s, size_t n)
{
	int rc;

	if (l->sh_too_long)
		return 0;
	rc = mbuf_add(&l->sh, s, n, MACRO_MAX_LINE);
	if (rc == -E2BIG) {
		l->sh_too_long = true;
		rc = 0;
	}
	return rc;
}

/* Single-quoted for sh, without the enclosing quotes: ' becomes '\''. */
static int
lex_sh_sq(struct lex *l, const char *s, size_t n)
{
	size_t i, run;
	int rc;

	for (i = 0; i < n; i += run) {
		if (s[i] == '\'') {
			run = 1;
			if ((rc = lex_sh(l, "'\\''", 4)) != 0)
				return rc;
			continue;
		}
		for (run = 1; i + run < n && s[i + run] != '\''; run++)
			;
		if ((rc = lex_sh(l, s + i, run)) != 0)
			return rc;
	}
	return 0;
}

static int
lex_push(struct lex *l)
{
	char **argv;
	size_t cap;
	char *w;

	if (l->argc + 1 >= l->cap) {
		cap = l->cap > 0 ? l->cap * 2 : 8;
		argv = reallocarray(l->argv, cap, sizeof(*argv));
		if (argv == NULL)
			return -ENOMEM;
		l->argv = argv;
		l->cap = cap;
	}
	w = strndup(l->word.p != NULL ? l->word.p : "", l->word.len);
	if (w == NULL)
		return -ENOMEM;
	l->argv[l->argc++] = w;
	l->argv[l->argc] = NULL;
	l->word.len = 0;
	l->in_word = false;
	l->first = false;
	l->assign = false;
	return 0;
}

/* After an unquoted '$' (or one inside double quotes): does the shell
 * expand it? */
static bool
lex_dollar_expands(char next)
{
	return (next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') ||
	    (next >= '0' && next <= '9') ||
	    (next != '\0' && strchr("_{(@*#?$!-", next) != NULL);
}

static bool
lex_name_char(char c, bool first)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	    (!first && c >= '0' && c <= '9');
}

/* One character of trusted text; next is the following one in the same
 * segment or '\0'. */
static int
lex_char(struct lex *l, char c, char next)
{
	int rc;

	if (l->esc) {
		l->esc = false;
		if (l->quote == '"' && strchr("$`\"\\\n", c) == NULL &&
		    (rc = lex_w(l, "\\", 1)) != 0)
			return rc;
		if (l->quote == 0 && c == '\n')
			l->shell = true;
		l->in_word = true;
		l->assign = false;
		if ((rc = lex_w(l, &c, 1)) != 0 ||
		    (rc = lex_sh(l, "\\", 1)) != 0)
			return rc;
		return lex_sh(l, &c, 1);
	}
	if (l->quote == '\'') {
		if (c == '\'')
			l->quote = 0;
		else if ((rc = lex_w(l, &c, 1)) != 0)
			return rc;
		return lex_sh(l, &c, 1);
	}
	if (l->quote == '"') {
		switch (c) {
		case '"':
			l->quote = 0;
			return lex_sh(l, &c, 1);
		case '\\':
			l->esc = true;
			return 0;
		case '`':
			l->shell = true;
			break;
		case '$':
			if (lex_dollar_expands(next))
				l->shell = true;
			break;
		}
		if ((rc = lex_w(l, &c, 1)) != 0)
			return rc;
		return lex_sh(l, &c, 1);
	}

	switch (c) {
	case ' ':
	case '\t':
		if (l->in_word && (rc = lex_push(l)) != 0)
			return rc;
		return lex_sh(l, &c, 1);
	case '\\':
		l->esc = true;
		l->in_word = true;
		l->assign = false;
		return 0;
	case '\'':
	case '"':
		l->quote = c;
		l->in_word = true;
		l->assign = false;
		return lex_sh(l, &c, 1);
	case '|': case ';': case '&': case '<': case '>': case '`':
	case '(': case ')': case '\n': case '*': case '?': case '[':
		l->shell = true;
		break;
	case '#':
	case '~':
		if (!l->in_word)
			l->shell = true;
		break;
	case '$':
		if (lex_dollar_expands(next))
			l->shell = true;
		break;
	case '=':
		/* NAME=value before the command is an assignment. */
		if (l->first && l->assign && l->word.len > 0)
			l->shell = true;
		l->assign = false;
		break;
	}
	if (l->assign)
		l->assign = lex_name_char(c, l->word.len == 0);
	l->in_word = true;
	if ((rc = lex_w(l, &c, 1)) != 0)
		return rc;
	return lex_sh(l, &c, 1);
}

/* One literal value: part of the current word whatever it holds, and
 * single-quoted in the shell line for the quoting context it is in. */
static int
lex_literal(struct lex *l, const char *v, size_t n)
{
	int rc;

	l->assign = false;
	if (l->quote == '\'') {
		if ((rc = lex_w(l, v, n)) != 0)
			return rc;
		return lex_sh_sq(l, v, n);
	}
	if (l->quote == '"') {
		if (l->esc) {
			l->esc = false;
			if ((rc = lex_w(l, "\\", 1)) != 0 ||
			    (rc = lex_sh(l, "\\\\", 2)) != 0)
				return rc;
		}
		if ((rc = lex_w(l, v, n)) != 0 ||
		    (rc = lex_sh(l, "\"'", 2)) != 0 ||
		    (rc = lex_sh_sq(l, v, n)) != 0)
			return rc;
		return lex_sh(l, "'\"", 2);
	}
	l->esc = false;
	l->in_word = true;
	if ((rc = lex_w(l, v, n)) != 0 || (rc = lex_sh(l, "'", 1)) != 0 ||
	    (rc = lex_sh_sq(l, v, n)) != 0)
		return rc;
	return lex_sh(l, "'", 1);
}

static int
lex_run(struct lex *l, const struct expand *e)
{
	const struct seg *sg;
	const char *t;
	size_t i, k;
	int rc;

	l->first = true;
	l->assign = true;
	for (k = 0; k < e->nsegs; k++) {
		sg = &e->segs[k];
		t = e->text.p + sg->off;
		if (sg->literal) {
			if ((rc = lex_literal(l, t, sg->len)) != 0)
				return rc;
			continue;
		}
		for (i = 0; i < sg->len; i++) {
			rc = lex_char(l, t[i], i + 1 < sg->len ? t[i + 1] :
			    '\0');
			if (rc != 0)
				return rc;
		}
	}
	if (l->esc) {
		/* A trailing backslash stands for itself. */
		l->esc = false;
		if ((rc = lex_w(l, "\\", 1)) != 0 ||
		    (rc = lex_sh(l, "\\", 1)) != 0)
			return rc;
	}
	if (l->quote != 0)
		return -EINVAL;
	if (l->in_word)
		return lex_push(l);
	return 0;
}

static void
lex_free_argv(char **argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* Replace the words by {MACRO_SHELL, "-c", line}. */
static int
lex_to_shell(struct lex *l, struct macro_argv *out)
{
	char **argv;

	argv = calloc(4, sizeof(*argv));
	if (argv == NULL)
		return -ENOMEM;
	argv[0] = strdup(MACRO_SHELL);
	argv[1] = strdup("-c");
	argv[2] = strdup(l->sh.p != NULL ? l->sh.p : "");
	if (argv[0] == NULL || argv[1] == NULL || argv[2] == NULL) {
		lex_free_argv(argv, 3);
		return -ENOMEM;
	}
	out->argv = argv;
	out->argc = 3;
	out->shell = true;
	return 0;
}

int
macro_command(const struct macro_ctx *ctx, const char *line,
    struct macro_argv *out, char *err, size_t errlen)
{
	static const struct macro_ctx empty;
	struct expand e;
	struct lex l;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	memset(&l, 0, sizeof(l));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (ctx == NULL)
		ctx = &empty;
	e.ctx = ctx;
	e.out = out;
	e.svc = ctx->service;
	e.host = ctx->host != NULL ? ctx->host :
	    (ctx->service != NULL ? ctx->service->host : NULL);
	e.now = ctx->now != 0 ? (time_t)ctx->now : time(NULL);
	if (line == NULL) {
		rc = -EINVAL;
		macro_err(err, errlen, "no command line");
		goto fail;
	}

	rc = exp_scan(&e, line, strlen(line), 0);
	if (rc == 0)
		rc = lex_run(&l, &e);
	if (rc == 0 && l.shell && l.sh_too_long)
		rc = -E2BIG;
	if (rc != 0) {
		if (rc == -E2BIG)
			macro_err(err, errlen, "command line longer than %d "
			    "bytes after macro expansion", MACRO_MAX_LINE);
		else if (rc == -EINVAL)
			macro_err(err, errlen, "unbalanced %s quote in command "
			    "line after macro expansion", l.quote == '\'' ?
			    "single" : "double");
		else
			macro_err(err, errlen, "out of memory expanding "
			    "command line");
		goto fail;
	}
	if (l.shell) {
		if ((rc = lex_to_shell(&l, out)) != 0) {
			macro_err(err, errlen, "out of memory expanding "
			    "command line");
			goto fail;
		}
	} else if (l.argc == 0) {
		rc = -EINVAL;
		macro_err(err, errlen, "command line is empty after macro "
		    "expansion");
		goto fail;
	} else {
		out->argv = l.argv;
		out->argc = l.argc;
		l.argv = NULL;
		l.argc = 0;
	}
	lex_free_argv(l.argv, l.argc);
	free(l.word.p);
	free(l.sh.p);
	free(e.text.p);
	free(e.segs);
	return 0;

fail:
	lex_free_argv(l.argv, l.argc);
	free(l.word.p);
	free(l.sh.p);
	free(e.text.p);
	free(e.segs);
	macro_argv_free(out);
	return rc;
}

void
macro_argv_free(struct macro_argv *av)
{
	size_t i;

	if (av == NULL)
		return;
	if (av->argv != NULL)
		lex_free_argv(av->argv, av->argc);
	for (i = 0; i < av->nunknown; i++)
		free(av->unknown[i]);
	memset(av, 0, sizeof(*av));
}
