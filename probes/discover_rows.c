/*
 * discover_rows: from walked columns to services.
 *
 * For each chosen table, in profile order: every instance of its walked
 * column is a row; the filters keep some; each kept row gets a name (from
 * name_oid, name_index or the walked value) and its templates are
 * instantiated. A row's name is used two ways:
 *   - in a check_command, raw (a '!' written "\!"), so the check can look
 *     it up; when it cannot be used raw (empty, shared by another row of
 *     the table, control characters, '$', '\', spaces at its ends, bad
 *     UTF-8) the row's index is used instead (and counted in unnamed);
 *   - in a description, cleaned of the characters Nagios refuses in
 *     object names, with " #INDEX" appended when rows share the name.
 * Services are appended in order; one whose description is already taken
 * (or whose text would be longer than DISCOVER_TEXT_MAX) is left out and
 * counted (dropped).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover_int.h"

/* Nagios's default illegal_object_name_chars, and ';' and '\'. */
#define DC_ILLEGAL_DESC "`~!$%^&*|'\"<>?,()=;\\"

struct dc_row {
	const char *suffix;
	char raw[DISCOVER_STR_MAX];   /* the name as the agent gave it */
	size_t rawlen;
	bool shared;                  /* another kept row has the same name */
	double mult;
};

struct dc_table {
	const struct profile_entry *e;
	struct dc_columns *cols;
	struct dc_column *walk;
	regex_t re[PROFILE_FILTERS_MAX];
	bool re_ok[PROFILE_FILTERS_MAX];
	struct dc_row *rows;
	size_t nrows;
};

struct dc_column *
dc_columns_find(struct dc_columns *cols, const char *oid)
{
	for (size_t i = 0; i < cols->n; i++)
		if (strcmp(cols->v[i].oid, oid) == 0)
			return &cols->v[i];
	return NULL;
}

static int
dc_cell_cmp(const void *a, const void *b)
{
	const struct dc_cell *const *x = a, *const *y = b;

	return strcmp((*x)->suffix, (*y)->suffix);
}

int
dc_column_index(struct dc_column *c)
{
	c->by_suffix = calloc(c->n + 1, sizeof(*c->by_suffix));
	if (c->by_suffix == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		c->by_suffix[i] = &c->cells[i];
	qsort(c->by_suffix, c->n, sizeof(*c->by_suffix), dc_cell_cmp);
	return 0;
}

const struct dc_cell *
dc_column_get(const struct dc_column *c, const char *suffix)
{
	size_t lo = 0, hi = c == NULL || c->by_suffix == NULL ? 0 : c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcmp(c->by_suffix[mid]->suffix, suffix);

		if (cmp == 0)
			return c->by_suffix[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void
dc_columns_free(struct dc_columns *cols)
{
	for (size_t i = 0; i < cols->n; i++) {
		struct dc_column *c = &cols->v[i];

		for (size_t k = 0; k < c->n; k++) {
			free(c->cells[k].suffix);
			free(c->cells[k].value);
		}
		free(c->cells);
		free(c->by_suffix);
	}
	free(cols->v);
	cols->v = NULL;
	cols->n = 0;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if bad. */
static size_t
dc_utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 :
	    s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : 0;

	if (s[0] < 0x80)
		return 1;
	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xf0 && s[1] < 0x90) ||
	    (s[0] == 0xf4 && s[1] > 0x8f) || (s[0] == 0xed && s[1] > 0x9f))
		return 0;
	return len;
}

void
dc_clean_text(char *dst, size_t dstlen, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0;

	while (i < len && s[i] != '\0' && o + 1 < dstlen) {
		size_t n = dc_utf8_len(s + i, len - i);

		if (n == 0 || s[i] < 0x20 || s[i] == 0x7f) {
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + n >= dstlen)
			break;
		memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	dst[o] = '\0';
}

/* Whether the raw name can go into a check_command as it is. */
static bool
dc_name_usable(const struct dc_row *row)
{
	const unsigned char *s = (const unsigned char *)row->raw;
	size_t n = row->rawlen;

	if (n == 0 || row->shared || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n;) {
		size_t k = dc_utf8_len(s + i, n - i);

		if (k == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == '$' ||
		    s[i] == '\\')
			return false;
		i += k;
	}
	return true;
}

/* The description form of a row's name. */
static void
dc_name_display(const struct dc_row *row, char *dst, size_t len)
{
	char clean[DISCOVER_STR_MAX];
	char *s;
	size_t n;

	dc_clean_text(clean, sizeof(clean), row->raw, row->rawlen);
	for (s = clean; *s != '\0'; s++)
		if (strchr(DC_ILLEGAL_DESC, *s) != NULL)
			*s = '_';
	s = clean + strspn(clean, " ");
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	if (n == 0)
		snprintf(dst, len, "%s", row->suffix);
	else if (row->shared)
		snprintf(dst, len, "%s #%s", s, row->suffix);
	else
		snprintf(dst, len, "%s", s);
}

/* The check_command form: the raw name, '!' escaped, or the index. */
static void
dc_name_command(const struct dc_row *row, char *dst, size_t len,
    bool *unnamed)
{
	size_t o = 0;

	*unnamed = !dc_name_usable(row);
	if (*unnamed) {
		snprintf(dst, len, "%s", row->suffix);
		return;
	}
	for (size_t i = 0; i < row->rawlen && o + 2 < len; i++) {
		if (row->raw[i] == '!')
			dst[o++] = '\\';
		dst[o++] = row->raw[i];
	}
	dst[o] = '\0';
}

/* Replace $INDEX$, $NAME$, $MULT$ of tmpl. Returns -E2BIG when too long. */
static int
dc_expand(const char *tmpl, const char *index, const char *name,
    double mult, char *dst, size_t len)
{
	char multbuf[32];
	size_t o = 0;

	snprintf(multbuf, sizeof(multbuf), "%.6g", mult);
	for (const char *p = tmpl; *p != '\0'; p++) {
		const char *v = NULL;
		size_t skip = 0, vl;

		if (strncmp(p, "$INDEX$", 7) == 0) {
			v = index;
			skip = 7;
		} else if (strncmp(p, "$NAME$", 6) == 0) {
			v = name;
			skip = 6;
		} else if (strncmp(p, "$MULT$", 6) == 0) {
			v = multbuf;
			skip = 6;
		}
		vl = v != NULL ? strlen(v) : 1;
		if (o + vl + 1 > len)
			return -E2BIG;
		memcpy(dst + o, v != NULL ? v : p, vl);
		o += vl;
		p += skip > 0 ? skip - 1 : 0;
	}
	dst[o] = '\0';
	return 0;
}

/* "1.4.192.0.2.1" (InetAddressType.length.bytes) as an address. */
static bool
dc_inetaddress(const char *suffix, char *dst, size_t len)
{
	unsigned char b[20];
	unsigned long type, n, v;
	const char *s = suffix;
	char *end;

	type = strtoul(s, &end, 10);
	if (*end != '.')
		return false;
	n = strtoul(end + 1, &end, 10);
	if ((type != 1 || n != 4) && (type != 2 || n != 16))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (*end != '.')
			return false;
		v = strtoul(end + 1, &end, 10);
		if (v > 255)
			return false;
		b[i] = (unsigned char)v;
	}
	return *end == '\0' && inet_ntop(type == 1 ? AF_INET : AF_INET6, b,
	    dst, (socklen_t)len) != NULL;
}

static void
dc_row_name(struct dc_table *t, struct dc_row *row, const struct dc_cell *wc)
{
	const struct profile_entry *e = t->e;
	const struct dc_cell *c = NULL;

	row->rawlen = 0;
	row->raw[0] = '\0';
	if (e->name_index == PROFILE_NAMEIDX_INETADDRESS &&
	    dc_inetaddress(row->suffix, row->raw, sizeof(row->raw))) {
		row->rawlen = strlen(row->raw);
		return;
	}
	if (e->name_index != PROFILE_NAMEIDX_NONE) {
		snprintf(row->raw, sizeof(row->raw), "%s", row->suffix);
		row->rawlen = strlen(row->raw);
		return;
	}
	for (size_t k = 0; k < e->nname_oid && c == NULL; k++) {
		c = dc_column_get(dc_columns_find(t->cols, e->name_oid[k]),
		    row->suffix);
		if (c != NULL && (c->type != SNMP_T_STRING || c->len == 0 ||
		    c->value[0] == '\0'))
			c = NULL;
	}
	if (c == NULL && e->nname_oid == 0 && wc->type == SNMP_T_STRING)
		c = wc;
	if (c == NULL)
		return;
	row->rawlen = strnlen(c->value, c->len);
	memcpy(row->raw, c->value, row->rawlen);
	row->raw[row->rawlen] = '\0';
}

static bool
dc_in_list(const char *list, const char *value, size_t vlen)
{
	char buf[PROFILE_TEXT_MAX], *save = NULL, *item;

	snprintf(buf, sizeof(buf), "%s", list);
	for (item = strtok_r(buf, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		size_t n;

		item += strspn(item, " \t");
		n = strcspn(item, " \t");
		if (n == vlen && memcmp(item, value, n) == 0)
			return true;
	}
	return false;
}

static bool
dc_filter_pass(struct dc_table *t, size_t k, const struct dc_row *row)
{
	const struct profile_filter *f = &t->e->filters[k];
	const struct dc_cell *c = NULL;
	char text[DISCOVER_STR_MAX];
	const char *v;
	size_t vlen;
	bool hit;

	if (f->oid[0] != '\0') {
		c = dc_column_get(dc_columns_find(t->cols, f->oid),
		    row->suffix);
		if (c == NULL)
			return f->op == PROFILE_FILTER_NE ||
			    f->op == PROFILE_FILTER_NOMATCH;
		v = c->value;
		vlen = strnlen(c->value, c->len);
	} else {
		v = row->raw;
		vlen = row->rawlen;
	}
	if (f->op == PROFILE_FILTER_EQ || f->op == PROFILE_FILTER_NE) {
		hit = dc_in_list(f->value, v, vlen);
		return f->op == PROFILE_FILTER_EQ ? hit : !hit;
	}
	if (!t->re_ok[k])
		return false;
	dc_clean_text(text, sizeof(text), v, vlen);
	hit = regexec(&t->re[k], text, 0, NULL, 0) == 0;
	return f->op == PROFILE_FILTER_MATCH ? hit : !hit;
}

/* ENTITY-SENSOR-MIB: value * 10^(3*(scale-9)) / 10^precision. */
static double
dc_row_mult(struct dc_table *t, const char *suffix)
{
	const struct profile_entry *e = t->e;
	const struct dc_cell *s, *p;
	long exp = 0;
	double m = 1;

	if (e->scale != PROFILE_SCALE_ENTITY_SENSOR)
		return 1;
	s = dc_column_get(dc_columns_find(t->cols, e->scale_oid), suffix);
	p = dc_column_get(dc_columns_find(t->cols, e->precision_oid), suffix);
	if (s != NULL && s->numeric && s->i >= 1 && s->i <= 17)
		exp += 3 * ((long)s->i - 9);
	if (p != NULL && p->numeric && p->i >= -8 && p->i <= 9)
		exp -= (long)p->i;
	for (; exp > 0; exp--)
		m *= 10;
	for (; exp < 0; exp++)
		m /= 10;
	return m;
}

static int
dc_row_cmp(const void *a, const void *b)
{
	const struct dc_row *const *x = a, *const *y = b;
	size_t n = (*x)->rawlen < (*y)->rawlen ? (*x)->rawlen : (*y)->rawlen;
	int c = memcmp((*x)->raw, (*y)->raw, n);

	if (c != 0)
		return c;
	return (*x)->rawlen < (*y)->rawlen ? -1 : (*x)->rawlen > (*y)->rawlen;
}

/* Mark the kept rows whose name another kept row has. */
static int
dc_mark_shared(struct dc_table *t)
{
	struct dc_row **v = calloc(t->nrows + 1, sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < t->nrows; i++)
		v[i] = &t->rows[i];
	qsort(v, t->nrows, sizeof(*v), dc_row_cmp);
	for (size_t i = 1; i < t->nrows; i++)
		if (v[i]->rawlen > 0 && dc_row_cmp(&v[i - 1], &v[i]) == 0)
			v[i - 1]->shared = v[i]->shared = true;
	free(v);
	return 0;
}

static int
dc_table_rows(struct dc_table *t)
{
	struct dc_column *w = t->walk;

	t->rows = calloc(w->n + 1, sizeof(*t->rows));
	if (t->rows == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < w->n; i++) {
		struct dc_row *row = &t->rows[t->nrows];
		bool keep = true;

		row->suffix = w->cells[i].suffix;
		dc_row_name(t, row, &w->cells[i]);
		for (size_t k = 0; k < t->e->nfilters && keep; k++)
			keep = dc_filter_pass(t, k, row);
		if (!keep)
			continue;
		row->mult = dc_row_mult(t, row->suffix);
		t->nrows++;
	}
	return dc_mark_shared(t);
}

static int
dc_table_services(struct dc_table *t, struct discover_result *r)
{
	const struct profile_entry *e = t->e;
	char dname[DISCOVER_STR_MAX + 32], cname[2 * DISCOVER_STR_MAX];
	char desc[DISCOVER_TEXT_MAX], cmd[DISCOVER_TEXT_MAX];
	char origin[3 * PROFILE_NAME_MAX + PROFILE_OID_MAX];
	int rc;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct dc_row *row = &t->rows[i];
		bool unnamed;

		dc_name_display(row, dname, sizeof(dname));
		dc_name_command(row, cname, sizeof(cname), &unnamed);
		if (dc_expand(e->description, row->suffix, dname, row->mult,
		    desc, sizeof(desc)) != 0 ||
		    dc_expand(e->check_command, row->suffix, cname, row->mult,
		    cmd, sizeof(cmd)) != 0) {
			r->dropped++;
			continue;
		}
		r->unnamed += unnamed &&
		    strstr(e->check_command, "$NAME$") != NULL;
		snprintf(origin, sizeof(origin), "%s/%s/%s", e->profile,
		    e->name, row->suffix);
		rc = dc_result_add_service(r, desc, cmd, origin);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static char *
dc_iface_str(struct dc_columns *cols, const char *oid, const char *suffix,
    char *buf, size_t len)
{
	const struct dc_cell *c = dc_column_get(dc_columns_find(cols, oid),
	    suffix);

	buf[0] = '\0';
	if (c != NULL && c->type == SNMP_T_STRING)
		dc_clean_text(buf, len, c->value, c->len);
	return buf;
}

static int
dc_iface_int(struct dc_columns *cols, const char *oid, const char *suffix)
{
	const struct dc_cell *c = dc_column_get(dc_columns_find(cols, oid),
	    suffix);

	return c != NULL && c->numeric && c->i > 0 && c->i < 0x7fffffff ?
	    (int)c->i : 0;
}

/* Every row of an interface table, filters or not, once per ifIndex. */
static int
dc_table_ifaces(struct dc_table *t, struct discover_result *r)
{
	char name[DISCOVER_STR_MAX], descr[DISCOVER_STR_MAX];
	char alias[DISCOVER_STR_MAX];

	for (size_t i = 0; i < t->walk->n; i++) {
		const char *sfx = t->walk->cells[i].suffix;
		struct discover_iface f = { 0 };
		unsigned long idx;
		char *end;
		bool seen = false;
		int rc;

		idx = strtoul(sfx, &end, 10);
		if (*end != '\0' || idx == 0 || idx > 0x7fffffffUL)
			continue;
		for (size_t k = 0; k < r->nifaces && !seen; k++)
			seen = r->ifaces[k].index == idx;
		if (seen)
			continue;
		f.index = (uint32_t)idx;
		f.name = dc_iface_str(t->cols,
		    ".1.3.6.1.2.1.31.1.1.1.1", sfx, name, sizeof(name));
		f.descr = dc_iface_str(t->cols, ".1.3.6.1.2.1.2.2.1.2",
		    sfx, descr, sizeof(descr));
		f.alias = dc_iface_str(t->cols,
		    ".1.3.6.1.2.1.31.1.1.1.18", sfx, alias, sizeof(alias));
		if (name[0] == '\0')
			f.name = descr;
		f.type = dc_iface_int(t->cols, ".1.3.6.1.2.1.2.2.1.3", sfx);
		f.admin = dc_iface_int(t->cols, ".1.3.6.1.2.1.2.2.1.7", sfx);
		f.oper = dc_iface_int(t->cols, ".1.3.6.1.2.1.2.2.1.8", sfx);
		rc = dc_result_add_iface(r, &f);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
dc_table(const struct profile_entry *e, struct dc_columns *cols,
    struct discover_result *r)
{
	struct dc_table t = { .e = e, .cols = cols };
	int rc = 0;

	t.walk = dc_columns_find(cols, e->walk);
	if (t.walk == NULL)
		return 0;
	for (size_t k = 0; k < e->nfilters; k++)
		if (e->filters[k].op == PROFILE_FILTER_MATCH ||
		    e->filters[k].op == PROFILE_FILTER_NOMATCH)
			t.re_ok[k] = regcomp(&t.re[k], e->filters[k].value,
			    REG_EXTENDED | REG_NOSUB) == 0;
	rc = dc_table_rows(&t);
	if (rc == 0)
		rc = dc_table_services(&t, r);
	if (rc == 0 && e->interfaces)
		rc = dc_table_ifaces(&t, r);
	for (size_t k = 0; k < e->nfilters; k++)
		if (t.re_ok[k])
			regfree(&t.re[k]);
	free(t.rows);
	return rc;
}

static int
dc_desc_cmp(const void *a, const void *b)
{
	const struct discover_service *const *x = a, *const *y = b;
	int c = strcmp((*x)->description, (*y)->description);

	return c != 0 ? c : (*x < *y ? -1 : *x > *y);
}

/* Drop the services whose description an earlier one has. */
static int
dc_dedup(struct discover_result *r)
{
	const struct discover_service **v, *keep = NULL;
	bool *drop;
	size_t o = 0;

	v = calloc(r->nservices + 1, sizeof(*v));
	drop = calloc(r->nservices + 1, sizeof(*drop));
	if (v == NULL || drop == NULL) {
		free(v);
		free(drop);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->nservices; i++)
		v[i] = &r->services[i];
	qsort(v, r->nservices, sizeof(*v), dc_desc_cmp);
	for (size_t i = 0; i < r->nservices; i++) {
		if (keep != NULL &&
		    strcmp(keep->description, v[i]->description) == 0)
			drop[v[i] - r->services] = true;
		else
			keep = v[i];
	}
	free(v);
	for (size_t i = 0; i < r->nservices; i++) {
		struct discover_service *s = &r->services[i];

		if (!drop[i]) {
			r->services[o++] = *s;
			continue;
		}
		free(s->description);
		free(s->check_command);
		free(s->origin);
		r->dropped++;
	}
	free(drop);
	r->nservices = o;
	return 0;
}

int
dc_build(const struct profile *prof, const bool *active,
    struct dc_columns *cols, struct discover_result *r, char *err,
    size_t errlen)
{
	char origin[2 * PROFILE_NAME_MAX + 2];
	int rc = 0;

	for (size_t i = 0; i < prof->nentries && rc == 0; i++) {
		const struct profile_entry *e = &prof->entries[i];

		if (!active[i])
			continue;
		if (e->kind == PROFILE_TABLE) {
			rc = dc_table(e, cols, r);
			continue;
		}
		snprintf(origin, sizeof(origin), "%s/%s", e->profile, e->name);
		rc = dc_result_add_service(r, e->description, e->check_command,
		    origin);
	}
	if (rc == 0)
		rc = dc_dedup(r);
	if (rc != 0)
		snprintf(err, errlen, "%s", rc == -E2BIG ? "more than "
		    "DISCOVER_SERVICES_MAX services" : "out of memory");
	return rc;
}
