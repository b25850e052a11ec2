/*
 * profile: the parser of device profiles and the resolution of `use`.
 *
 * Parsing: one file is read line by line into a struct pf_file (its
 * header, the names it uses and its own entries). The lexical rules are
 * Nagios's: '#' at the start of a line and anything after an unescaped
 * ';' are comments, "\;" is a literal ';', a line ending in '\' continues
 * on the next, `define TYPE {` opens a block and `}` alone closes it. Each
 * key is checked against the table of keys its block accepts
 * (profile_keys[]), each block when it closes; every error stops the parse
 * with "FILE:LINE: error: TEXT".
 *
 * Resolution (profile_load): a depth-first walk of `use` with the chain of
 * files being loaded kept on the stack, so a loop is reported with its
 * path; entries are appended own-first, an entry named like one already
 * appended being skipped (overridden). Invariants of a loaded profile:
 * entry names are unique; fixed services outside choices have unique
 * descriptions; every OID is numeric; every regex compiles; every
 * template uses only the variables its block kind has.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"

#define PF_PROFILE (1u << 0)   /* key allowed in define profile */
#define PF_SERVICE (1u << 1)
#define PF_TABLE (1u << 2)
#define PF_ENTRY (PF_SERVICE | PF_TABLE)

/* One file being parsed. */
struct pf_file {
	char path[4096];
	char base[PROFILE_NAME_MAX + 8];
	unsigned line;
	bool have_header;
	char name[PROFILE_NAME_MAX];
	char description[PROFILE_TEXT_MAX];
	char use[PROFILE_USE_MAX][PROFILE_NAME_MAX];
	size_t nuse;
	unsigned use_line;
	struct profile_entry *entries;
	size_t nentries;
	/* the open block */
	unsigned block;        /* PF_* or 0 when outside */
	unsigned block_line;
	unsigned long seen;    /* keys set in the open block (bit per key) */
	struct profile_entry cur;
	char *err;
	size_t errlen;
};

typedef int pf_set_fn(struct pf_file *f, const char *v);

struct pf_key {
	const char *name;
	unsigned blocks;
	bool repeat;
	pf_set_fn *set;
};

static int __attribute__((format(printf, 2, 3)))
pf_error(struct pf_file *f, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(f->err, f->errlen, "%s:%u: error: %s", f->base, f->line, msg);
	return -EINVAL;
}

bool
profile_oid_valid(const char *s)
{
	size_t subs = 0;

	if (s == NULL || strlen(s) >= PROFILE_OID_MAX)
		return false;
	while (*s == '.') {
		size_t digits = strspn(s + 1, "0123456789");

		if (digits == 0 || digits > 10)
			return false;
		s += 1 + digits;
		subs++;
	}
	return *s == '\0' && subs >= 2;
}

static bool
pf_name_valid(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < PROFILE_NAME_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") == n;
}

static int
pf_copy(struct pf_file *f, char *dst, size_t len, const char *v,
    const char *what)
{
	if (strlen(v) >= len)
		return pf_error(f, "%s longer than %zu characters", what,
		    len - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* Split v at commas into at most PROFILE_LIST_MAX trimmed OIDs in dst.
 * With prefix, an item may end in '.' (dropped): ".1.3.6.1.4.1.9.". */
static int
pf_list(struct pf_file *f, const char *v, char (*dst)[PROFILE_OID_MAX],
    size_t *n, const char *what, bool prefix)
{
	char buf[PROFILE_LINE_MAX], *save = NULL, *item;

	snprintf(buf, sizeof(buf), "%s", v);
	*n = 0;
	for (item = strtok_r(buf, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		size_t len;

		item += strspn(item, " \t");
		item[strcspn(item, " \t")] = '\0';
		len = strlen(item);
		if (prefix && len > 2 && item[len - 1] == '.')
			item[len - 1] = '\0';
		if (*n == PROFILE_LIST_MAX)
			return pf_error(f, "more than %d items in %s",
			    PROFILE_LIST_MAX, what);
		if (!profile_oid_valid(item))
			return pf_error(f, "bad OID '%.128s' in %s (write "
			    "numeric OIDs with a leading dot)", item, what);
		snprintf(dst[(*n)++], PROFILE_OID_MAX, "%s", item);
	}
	if (*n == 0)
		return pf_error(f, "empty %s", what);
	return 0;
}

static int
pf_set_name(struct pf_file *f, const char *v)
{
	if (!pf_name_valid(v))
		return pf_error(f, "bad name '%.80s' (letters, digits, '-' "
		    "and '_', at most %d)", v, PROFILE_NAME_MAX - 1);
	if (f->block == PF_PROFILE) {
		char want[PROFILE_NAME_MAX + 8];

		snprintf(want, sizeof(want), "%s.cfg", v);
		if (strcmp(want, f->base) != 0)
			return pf_error(f, "profile '%s' must be in a file "
			    "named %s", v, want);
		snprintf(f->name, sizeof(f->name), "%s", v);
		return 0;
	}
	snprintf(f->cur.name, sizeof(f->cur.name), "%s", v);
	return 0;
}

static int
pf_set_use(struct pf_file *f, const char *v)
{
	char buf[PROFILE_LINE_MAX], *save = NULL, *item;

	snprintf(buf, sizeof(buf), "%s", v);
	for (item = strtok_r(buf, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		item += strspn(item, " \t");
		item[strcspn(item, " \t")] = '\0';
		if (!pf_name_valid(item))
			return pf_error(f, "bad profile name '%.80s' in use",
			    item);
		if (f->nuse == PROFILE_USE_MAX)
			return pf_error(f, "more than %d profiles in use",
			    PROFILE_USE_MAX);
		snprintf(f->use[f->nuse++], PROFILE_NAME_MAX, "%s", item);
	}
	f->use_line = f->line;
	return 0;
}

static int
pf_set_description(struct pf_file *f, const char *v)
{
	if (f->block == PF_PROFILE)
		return pf_copy(f, f->description, sizeof(f->description), v,
		    "description");
	return pf_copy(f, f->cur.description, sizeof(f->cur.description), v,
	    "description");
}

static int
pf_set_check_command(struct pf_file *f, const char *v)
{
	return pf_copy(f, f->cur.check_command, sizeof(f->cur.check_command),
	    v, "check_command");
}

static int
pf_set_choice(struct pf_file *f, const char *v)
{
	if (!pf_name_valid(v))
		return pf_error(f, "bad choice name '%.80s'", v);
	snprintf(f->cur.choice, sizeof(f->cur.choice), "%s", v);
	return 0;
}

static int
pf_set_sysobjectid(struct pf_file *f, const char *v)
{
	return pf_list(f, v, f->cur.sysobjectid, &f->cur.nsysobjectid,
	    "sysobjectid", true);
}

static int
pf_set_require_oid(struct pf_file *f, const char *v)
{
	return pf_list(f, v, f->cur.require_oid, &f->cur.nrequire_oid,
	    "require_oid", false);
}

static int
pf_set_walk(struct pf_file *f, const char *v)
{
	if (!profile_oid_valid(v))
		return pf_error(f, "bad OID '%.128s' in walk", v);
	snprintf(f->cur.walk, sizeof(f->cur.walk), "%s", v);
	return 0;
}

static int
pf_set_name_oid(struct pf_file *f, const char *v)
{
	return pf_list(f, v, f->cur.name_oid, &f->cur.nname_oid, "name_oid",
	    false);
}

static int
pf_set_name_index(struct pf_file *f, const char *v)
{
	if (strcmp(v, "plain") == 0)
		f->cur.name_index = PROFILE_NAMEIDX_PLAIN;
	else if (strcmp(v, "inetaddress") == 0)
		f->cur.name_index = PROFILE_NAMEIDX_INETADDRESS;
	else
		return pf_error(f, "name_index is plain or inetaddress, not "
		    "'%.80s'", v);
	return 0;
}

static int
pf_filter_values(struct pf_file *f, struct profile_filter *flt)
{
	char buf[PROFILE_TEXT_MAX], *save = NULL;
	regex_t re;
	int rc;

	if (flt->op == PROFILE_FILTER_MATCH ||
	    flt->op == PROFILE_FILTER_NOMATCH) {
		rc = regcomp(&re, flt->value, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[128];

			regerror(rc, &re, why, sizeof(why));
			return pf_error(f, "bad regular expression '%.128s': "
			    "%s", flt->value, why);
		}
		regfree(&re);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", flt->value);
	if (strtok_r(buf, ", \t", &save) == NULL)
		return pf_error(f, "filter without values");
	return 0;
}

/* filter SUBJECT OP VALUES: SUBJECT an OID or `name`; OP = != ~ !~ */
static int
pf_set_filter(struct pf_file *f, const char *v)
{
	static const char *const ops[] = { "=", "!=", "~", "!~" };
	struct profile_filter *flt;
	char subj[PROFILE_OID_MAX + 1];
	size_t n = strcspn(v, " \t"), k;

	if (f->cur.nfilters == PROFILE_FILTERS_MAX)
		return pf_error(f, "more than %d filters", PROFILE_FILTERS_MAX);
	flt = &f->cur.filters[f->cur.nfilters];
	memset(flt, 0, sizeof(*flt));
	if (n >= sizeof(subj))
		return pf_error(f, "bad filter column '%.60s...'", v);
	memcpy(subj, v, n);
	subj[n] = '\0';
	v += n + strspn(v + n, " \t");
	n = strcspn(v, " \t");
	for (k = 0; k < 4; k++)
		if (n == strlen(ops[k]) && strncmp(v, ops[k], n) == 0)
			break;
	if (k == 4)
		return pf_error(f, "filter wants COLUMN =|!=|~|!~ VALUES");
	flt->op = (enum profile_filter_op)k;
	v += n + strspn(v + n, " \t");
	if (strcmp(subj, "name") != 0 && !profile_oid_valid(subj))
		return pf_error(f, "bad OID '%.128s' in filter (an OID or "
		    "'name')", subj);
	if (strcmp(subj, "name") != 0)
		memcpy(flt->oid, subj, strlen(subj) + 1); /* valid: fits */
	if (*v == '\0')
		return pf_error(f, "filter without values");
	if (pf_copy(f, flt->value, sizeof(flt->value), v, "filter") != 0 ||
	    pf_filter_values(f, flt) != 0)
		return -EINVAL;
	f->cur.nfilters++;
	return 0;
}

static int
pf_set_scale(struct pf_file *f, const char *v)
{
	char kind[32], a[PROFILE_OID_MAX], b[PROFILE_OID_MAX], extra[2];

	if (sscanf(v, "%31s %127s %127s %1s", kind, a, b, extra) != 3 ||
	    strcmp(kind, "entity-sensor") != 0)
		return pf_error(f, "scale wants: entity-sensor SCALE_OID "
		    "PRECISION_OID");
	if (!profile_oid_valid(a) || !profile_oid_valid(b))
		return pf_error(f, "bad OID in scale");
	f->cur.scale = PROFILE_SCALE_ENTITY_SENSOR;
	snprintf(f->cur.scale_oid, sizeof(f->cur.scale_oid), "%s", a);
	snprintf(f->cur.precision_oid, sizeof(f->cur.precision_oid), "%s", b);
	return 0;
}

static int
pf_set_interfaces(struct pf_file *f, const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "1") == 0)
		f->cur.interfaces = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "0") == 0)
		f->cur.interfaces = false;
	else
		return pf_error(f, "interfaces is yes or no");
	return 0;
}

static int
pf_set_max_rows(struct pf_file *f, const char *v)
{
	long n;

	if (strnum_long(v, 1, PROFILE_ROWS_MAX, &n) != 0)
		return pf_error(f, "max_rows is 1..%d", PROFILE_ROWS_MAX);
	f->cur.max_rows = (unsigned)n;
	return 0;
}

/* At most one key per bit of pf_file.seen. */
static const struct pf_key profile_keys[] = {
	{ "name", PF_PROFILE | PF_ENTRY, false, pf_set_name },
	{ "use", PF_PROFILE, false, pf_set_use },
	{ "description", PF_PROFILE | PF_ENTRY, false, pf_set_description },
	{ "check_command", PF_ENTRY, false, pf_set_check_command },
	{ "choice", PF_ENTRY, false, pf_set_choice },
	{ "sysobjectid", PF_ENTRY, false, pf_set_sysobjectid },
	{ "require_oid", PF_ENTRY, false, pf_set_require_oid },
	{ "walk", PF_TABLE, false, pf_set_walk },
	{ "name_oid", PF_TABLE, false, pf_set_name_oid },
	{ "name_index", PF_TABLE, false, pf_set_name_index },
	{ "filter", PF_TABLE, true, pf_set_filter },
	{ "scale", PF_TABLE, false, pf_set_scale },
	{ "interfaces", PF_TABLE, false, pf_set_interfaces },
	{ "max_rows", PF_TABLE, false, pf_set_max_rows },
};

static const char *
pf_block_name(unsigned block)
{
	return block == PF_PROFILE ? "profile" : block == PF_SERVICE ?
	    "service" : "table";
}

static int
pf_key(struct pf_file *f, const char *key, const char *value)
{
	size_t i, n = sizeof(profile_keys) / sizeof(profile_keys[0]);

	for (i = 0; i < n; i++)
		if (strcmp(profile_keys[i].name, key) == 0)
			break;
	if (i == n || (profile_keys[i].blocks & f->block) == 0)
		return pf_error(f, "unknown key '%.64s' in define %s", key,
		    pf_block_name(f->block));
	if ((f->seen & (1ul << i)) != 0 && !profile_keys[i].repeat)
		return pf_error(f, "key '%s' given twice", key);
	if (*value == '\0')
		return pf_error(f, "key '%s' without a value", key);
	f->seen |= 1ul << i;
	return profile_keys[i].set(f, value);
}

/* Check the $VAR$s of a template: tables know INDEX, NAME and MULT,
 * fixed services none. */
static int
pf_template(struct pf_file *f, const char *s, bool table, const char *what,
    bool *has_row_var)
{
	const char *p = s, *e;

	*has_row_var = false;
	for (; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pf_error(f, "control character in %s", what);
		if (*p != '$')
			continue;
		e = strchr(p + 1, '$');
		if (!table)
			return pf_error(f, "'$' in the %s of a define service "
			    "(only tables have $INDEX$, $NAME$, $MULT$)", what);
		if (e == NULL)
			return pf_error(f, "unterminated '$' in %s", what);
		if ((e - p == 6 && strncmp(p, "$INDEX", 6) == 0) ||
		    (e - p == 5 && strncmp(p, "$NAME", 5) == 0))
			*has_row_var = true;
		else if (!(e - p == 5 && strncmp(p, "$MULT", 5) == 0))
			return pf_error(f, "unknown variable '%.*s$' in %s "
			    "(known: $INDEX$, $NAME$, $MULT$)",
			    (int)(e - p > 40 ? 40 : e - p), p, what);
		p = e;
	}
	return 0;
}

static int
pf_check_entry(struct pf_file *f)
{
	struct profile_entry *e = &f->cur;
	bool table = e->kind == PROFILE_TABLE, row;
	size_t cmdlen = strspn(e->check_command, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	if (e->name[0] == '\0' || e->description[0] == '\0' ||
	    e->check_command[0] == '\0')
		return pf_error(f, "define %s needs name, description and "
		    "check_command", pf_block_name(f->block));
	if (cmdlen == 0 || (e->check_command[cmdlen] != '\0' &&
	    e->check_command[cmdlen] != '!'))
		return pf_error(f, "check_command must start with a command "
		    "name");
	if (table && e->walk[0] == '\0')
		return pf_error(f, "define table needs walk (the column whose "
		    "instances are the rows)");
	if (e->nname_oid > 0 && e->name_index != PROFILE_NAMEIDX_NONE)
		return pf_error(f, "name_oid and name_index exclude each "
		    "other");
	if (pf_template(f, e->check_command, table, "check_command",
	    &row) != 0 ||
	    pf_template(f, e->description, table, "description", &row) != 0)
		return -EINVAL;
	if (table && !row)
		return pf_error(f, "the description of a table must use $NAME$ "
		    "or $INDEX$ (one service per row)");
	if (table && e->max_rows == 0)
		e->max_rows = PROFILE_ROWS_DEFAULT;
	return 0;
}

static int
pf_close_block(struct pf_file *f)
{
	struct profile_entry *n;

	if (f->block == PF_PROFILE) {
		if (f->name[0] == '\0')
			return pf_error(f, "define profile needs a name");
		f->have_header = true;
		return 0;
	}
	if (pf_check_entry(f) != 0)
		return -EINVAL;
	for (size_t i = 0; i < f->nentries; i++)
		if (strcmp(f->entries[i].name, f->cur.name) == 0)
			return pf_error(f, "duplicate name '%s' (first at line "
			    "%u)", f->cur.name, f->entries[i].line);
	if (f->nentries == PROFILE_ENTRIES_MAX)
		return pf_error(f, "more than %d entries", PROFILE_ENTRIES_MAX);
	n = realloc(f->entries, (f->nentries + 1) * sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	f->entries = n;
	f->entries[f->nentries++] = f->cur;
	return 0;
}

static int
pf_open_block(struct pf_file *f, char *rest)
{
	char *type = rest + strspn(rest, " \t"), *brace;
	size_t tl = strcspn(type, " \t{");

	brace = type + tl + strspn(type + tl, " \t");
	if (*brace != '{' || brace[1 + strspn(brace + 1, " \t")] != '\0')
		return pf_error(f, "expected 'define TYPE {' on one line");
	type[tl] = '\0';
	if (strcmp(type, "profile") == 0)
		f->block = PF_PROFILE;
	else if (strcmp(type, "service") == 0)
		f->block = PF_SERVICE;
	else if (strcmp(type, "table") == 0)
		f->block = PF_TABLE;
	else
		return pf_error(f, "unknown block type '%.40s' (profile, "
		    "service or table)", type);
	if (f->block == PF_PROFILE && f->have_header)
		return pf_error(f, "a second define profile");
	if (f->block != PF_PROFILE && !f->have_header)
		return pf_error(f, "the first block must be 'define profile'");
	f->block_line = f->line;
	f->seen = 0;
	memset(&f->cur, 0, sizeof(f->cur));
	f->cur.kind = f->block == PF_TABLE ? PROFILE_TABLE : PROFILE_SERVICE;
	f->cur.line = f->line;
	snprintf(f->cur.file, sizeof(f->cur.file), "%s", f->base);
	snprintf(f->cur.profile, sizeof(f->cur.profile), "%s", f->name);
	return 0;
}

/* One logical line, comments already stripped and trimmed. */
static int
pf_statement(struct pf_file *f, char *s)
{
	size_t kl = strcspn(s, " \t");
	char *value;

	if (strncmp(s, "define", 6) == 0 && (s[6] == ' ' || s[6] == '\t')) {
		if (f->block != 0)
			return pf_error(f, "missing '}' before this define "
			    "(define %s opened at line %u)",
			    pf_block_name(f->block), f->block_line);
		return pf_open_block(f, s + 6);
	}
	if (strcmp(s, "}") == 0) {
		if (f->block == 0)
			return pf_error(f, "'}' without a block");
		if (pf_close_block(f) != 0)
			return -EINVAL;
		f->block = 0;
		return 0;
	}
	if (f->block == 0)
		return pf_error(f, "expected 'define TYPE {', not '%.40s'", s);
	value = s + kl + strspn(s + kl, " \t");
	s[kl] = '\0';
	return pf_key(f, s, value);
}

/* Strip a comment (';' unless "\;"; '#' first) and trim. Returns whether
 * the line ended in an unescaped '\' (continuation), removed. */
static bool
pf_clean(char *s)
{
	char *r = s, *w = s, *e;
	bool cont;

	if (s[strspn(s, " \t")] == '#') {
		*s = '\0';
		return false;
	}
	for (; *r != '\0'; r++) {
		if (*r == '\\' && r[1] == ';') {
			*w++ = ';';
			r++;
		} else if (*r == ';') {
			break;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	for (e = w; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
		*(e - 1) = '\0';
	cont = e > s && e[-1] == '\\' && *r == '\0';
	if (cont)
		*--e = '\0';
	memmove(s, s + strspn(s, " \t"), strlen(s + strspn(s, " \t")) + 1);
	return cont;
}

/* Read the next logical line into out; 1 = got one, 0 = EOF, <0 error. */
static int
pf_read_line(struct pf_file *f, FILE *fp, char *out, size_t *total)
{
	char buf[PROFILE_LINE_MAX + 2];
	size_t len = 0, n;
	bool cont;

	out[0] = '\0';
	do {
		if (fgets(buf, sizeof(buf), fp) == NULL)
			return len > 0 ? 1 : 0;
		f->line++;
		n = strlen(buf);
		*total += n;
		if (*total > PROFILE_FILE_MAX)
			return pf_error(f, "file larger than %d bytes",
			    PROFILE_FILE_MAX);
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		else if (!feof(fp))
			return pf_error(f, "line longer than %d bytes",
			    PROFILE_LINE_MAX);
		if (n > 0 && buf[n - 1] == '\r')
			buf[--n] = '\0';
		cont = pf_clean(buf);
		n = strlen(buf);
		if (len + n + 1 >= PROFILE_LINE_MAX)
			return pf_error(f, "line longer than %d bytes",
			    PROFILE_LINE_MAX);
		memcpy(out + len, buf, n + 1);
		len += n;
	} while (cont);
	return 1;
}

static int
pf_parse(struct pf_file *f)
{
	char line[PROFILE_LINE_MAX];
	size_t total = 0;
	int rc = 0;
	FILE *fp = fopen(f->path, "r");

	if (fp == NULL) {
		rc = -errno;
		snprintf(f->err, f->errlen, "%s: %s", f->path, strerror(errno));
		return rc;
	}
	while ((rc = pf_read_line(f, fp, line, &total)) > 0)
		if (line[0] != '\0' && (rc = pf_statement(f, line)) != 0)
			break;
	fclose(fp);
	if (rc != 0)
		return rc;
	if (f->block != 0)
		return pf_error(f, "file ends inside define %s opened at line "
		    "%u (missing '}')", pf_block_name(f->block), f->block_line);
	if (!f->have_header) {
		f->line = f->line == 0 ? 1 : f->line;
		return pf_error(f, "no 'define profile' block");
	}
	return 0;
}

/* The chain of files being loaded, for loops and depth. */
struct pf_chain {
	const char *names[PROFILE_DEPTH_MAX + 1];
	size_t n;
};

struct pf_load {
	const char *dir;
	struct profile *out;
	size_t cap;              /* of out->entries */
	char *err;
	size_t errlen;
};

static int pf_load_file(struct pf_load *l, const char *name,
    struct pf_chain *chain, struct pf_file *parent);

static int
pf_append(struct pf_load *l, const struct pf_file *f)
{
	struct profile *p = l->out;

	for (size_t i = 0; i < f->nentries; i++) {
		const struct profile_entry *e = &f->entries[i];
		bool overridden = false;

		for (size_t k = 0; k < p->nentries && !overridden; k++)
			overridden = strcmp(p->entries[k].name, e->name) == 0;
		if (overridden)
			continue;
		if (p->nentries == PROFILE_ENTRIES_MAX) {
			snprintf(l->err, l->errlen, "%s:%u: error: more than "
			    "%d entries with the profiles used", e->file,
			    e->line, PROFILE_ENTRIES_MAX);
			return -EINVAL;
		}
		if (p->nentries == l->cap) {
			size_t ncap = l->cap == 0 ? 16 : l->cap * 2;
			struct profile_entry *n = realloc(p->entries,
			    ncap * sizeof(*n));

			if (n == NULL)
				return -ENOMEM;
			p->entries = n;
			l->cap = ncap;
		}
		p->entries[p->nentries++] = *e;
	}
	return 0;
}

static int
pf_use_error(struct pf_load *l, struct pf_file *f, const char *name,
    const struct pf_chain *chain, int rc)
{
	char path[512] = "";

	f->line = f->use_line;
	if (rc == -ENOENT)
		return pf_error(f, "unknown profile '%s' in use (no file "
		    "%s.cfg in %.200s)", name, name, l->dir);
	for (size_t i = 0; i < chain->n; i++) {
		size_t len = strlen(path);

		snprintf(path + len, sizeof(path) - len, "%s -> ",
		    chain->names[i]);
	}
	if (rc == -ELOOP)
		return pf_error(f, "use loop: %s%s", path, name);
	return pf_error(f, "use nested deeper than %d: %s%s",
	    PROFILE_DEPTH_MAX, path, name);
}

/* Load the profiles f uses, in order. */
static int
pf_load_uses(struct pf_load *l, struct pf_file *f, struct pf_chain *chain)
{
	for (size_t u = 0; u < f->nuse; u++) {
		int rc;

		for (size_t i = 0; i < chain->n; i++)
			if (strcmp(chain->names[i], f->use[u]) == 0)
				return pf_use_error(l, f, f->use[u], chain,
				    -ELOOP);
		if (chain->n == PROFILE_DEPTH_MAX)
			return pf_use_error(l, f, f->use[u], chain, -E2BIG);
		rc = pf_load_file(l, f->use[u], chain, f);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
pf_load_file(struct pf_load *l, const char *name, struct pf_chain *chain,
    struct pf_file *parent)
{
	struct pf_file *f = calloc(1, sizeof(*f));
	int rc;

	if (f == NULL)
		return -ENOMEM;
	f->err = l->err;
	f->errlen = l->errlen;
	snprintf(f->base, sizeof(f->base), "%s.cfg", name);
	snprintf(f->path, sizeof(f->path), "%s/%s.cfg", l->dir, name);
	rc = pf_parse(f);
	if (rc == -ENOENT && parent != NULL)
		rc = pf_use_error(l, parent, name, chain, rc);
	if (rc != 0)
		goto out;
	chain->names[chain->n++] = f->name;
	rc = pf_append(l, f);
	if (rc == 0)
		rc = pf_load_uses(l, f, chain);
	chain->n--;
	if (rc == 0 && parent == NULL) {
		snprintf(l->out->name, sizeof(l->out->name), "%s", f->name);
		snprintf(l->out->description, sizeof(l->out->description),
		    "%s", f->description);
	}
out:
	free(f->entries);
	free(f);
	return rc;
}

/* Fixed services that would always both be instantiated must not share a
 * description (the key of a Nagios service on a host). */
static int
pf_check_descriptions(const struct profile *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->nentries; i++) {
		const struct profile_entry *a = &p->entries[i];

		if (a->kind != PROFILE_SERVICE)
			continue;
		for (size_t k = 0; k < i; k++) {
			const struct profile_entry *b = &p->entries[k];

			if (b->kind != PROFILE_SERVICE ||
			    strcmp(a->description, b->description) != 0 ||
			    (a->choice[0] != '\0' &&
			    strcmp(a->choice, b->choice) == 0))
				continue;
			snprintf(err, errlen, "%s:%u: error: duplicate service "
			    "description '%.100s' (also %s:%u; alternatives "
			    "share a choice)", a->file, a->line, a->description,
			    b->file, b->line);
			return -EINVAL;
		}
	}
	return 0;
}

int
profile_load(const char *dir, const char *name, struct profile **out,
    char *err, size_t errlen)
{
	struct pf_load l = { .dir = dir, .err = err, .errlen = errlen };
	struct pf_chain chain = { .n = 0 };
	struct profile *p;
	int rc;

	*out = NULL;
	if (!pf_name_valid(name)) {
		snprintf(err, errlen, "bad profile name '%.80s' (letters, "
		    "digits, '-' and '_')", name);
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	l.out = p;
	rc = pf_load_file(&l, name, &chain, NULL);
	if (rc == 0)
		rc = pf_check_descriptions(p, err, errlen);
	if (rc != 0) {
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		profile_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

void
profile_free(struct profile *p)
{
	if (p == NULL)
		return;
	free(p->entries);
	free(p);
}
