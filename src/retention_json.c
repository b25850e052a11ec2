/*
 * retention_json: the JSON form of the retained entries (status, comment,
 * downtime, acknowledgement), written and checked from one table of fields
 * per kind so that the writer and the reader cannot drift apart.
 *
 * Writing emits the JSON text directly from the tables (building jansson
 * trees cost ten times more for a large file); reading parses with jansson
 * and is strict: every field of the table must be present with its
 * type and within its range (the file is written only by pharosd; anything
 * else is corruption); keys the table does not know are ignored. Strings
 * are capped at RETENTION_TEXT_MAX and may not hold a NUL.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "retention_int.h"

enum rt_type { RT_INT, RT_ENUM, RT_I64, RT_U64, RT_BOOL, RT_STR, RT_STRN,
	RT_DBL };

struct rt_field {
	const char *key;
	enum rt_type type;
	size_t off;
	int64_t min, max;
};

_Static_assert(sizeof(enum annot_comment_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum annot_ack_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum annot_dt_state) == sizeof(int), "enum size");

#define F(s, m, k, t, lo, hi) { k, t, offsetof(struct s, m), lo, hi }
#define TMAX ANNOT_TIME_MAX
#define IMAX INT64_MAX

static const struct rt_field rt_status_fields[] = {
	F(retention_status, state, "state", RT_INT, 0, 4),
	F(retention_status, last_hard_state, "last_hard_state", RT_INT, 0, 4),
	F(retention_status, state_type, "state_type", RT_INT, 0, 1),
	F(retention_status, current_attempt, "current_attempt", RT_INT, 0,
	    1000000),
	F(retention_status, last_check, "last_check", RT_I64, 0, TMAX),
	F(retention_status, last_state_change, "last_state_change", RT_I64, 0,
	    TMAX),
	F(retention_status, last_hard_state_change, "last_hard_state_change",
	    RT_I64, 0, TMAX),
	F(retention_status, output, "output", RT_STRN, 0, 0),
	F(retention_status, long_output, "long_output", RT_STRN, 0, 0),
	F(retention_status, perfdata, "perfdata", RT_STRN, 0, 0),
	F(retention_status, has_been_checked, "has_been_checked", RT_BOOL, 0,
	    0),
	F(retention_status, notifications_enabled, "notifications_enabled",
	    RT_BOOL, 0, 0),
	F(retention_status, active_checks_enabled, "active_checks_enabled",
	    RT_BOOL, 0, 0),
	F(retention_status, last_notification, "last_notification", RT_I64, 0,
	    TMAX),
	F(retention_status, current_notification_number,
	    "current_notification_number", RT_INT, 0, INT32_MAX),
	F(retention_status, percent_state_change, "percent_state_change",
	    RT_DBL, 0, 100),
	F(retention_status, is_flapping, "is_flapping", RT_BOOL, 0, 0),
};

static const struct rt_field rt_comment_fields[] = {
	F(annot_comment, id, "id", RT_U64, 1, IMAX),
	F(annot_comment, host, "host_name", RT_STR, 0, 0),
	F(annot_comment, service, "service_description", RT_STRN, 0, 0),
	F(annot_comment, entry_time, "entry_time", RT_I64, 0, TMAX),
	F(annot_comment, author, "author", RT_STR, 0, 0),
	F(annot_comment, text, "text", RT_STR, 0, 0),
	F(annot_comment, persistent, "persistent", RT_BOOL, 0, 0),
	F(annot_comment, type, "type", RT_ENUM, 1, 4),
};

static const struct rt_field rt_downtime_fields[] = {
	F(annot_downtime, id, "id", RT_U64, 1, IMAX),
	F(annot_downtime, host, "host_name", RT_STR, 0, 0),
	F(annot_downtime, service, "service_description", RT_STRN, 0, 0),
	F(annot_downtime, entry_time, "entry_time", RT_I64, 0, TMAX),
	F(annot_downtime, start_time, "start_time", RT_I64, 0, TMAX),
	F(annot_downtime, end_time, "end_time", RT_I64, 0, TMAX),
	F(annot_downtime, fixed, "fixed", RT_BOOL, 0, 0),
	F(annot_downtime, duration, "duration", RT_I64, 0, TMAX),
	F(annot_downtime, trigger_id, "trigger_id", RT_U64, 0, IMAX),
	F(annot_downtime, author, "author", RT_STR, 0, 0),
	F(annot_downtime, comment, "comment", RT_STR, 0, 0),
	F(annot_downtime, comment_id, "comment_id", RT_U64, 0, IMAX),
	F(annot_downtime, state, "state", RT_ENUM, 0, 1),
	F(annot_downtime, actual_start, "actual_start", RT_I64, 0, TMAX),
};

static const struct rt_field rt_ack_fields[] = {
	F(annot_ack, host, "host_name", RT_STR, 0, 0),
	F(annot_ack, service, "service_description", RT_STRN, 0, 0),
	F(annot_ack, type, "type", RT_ENUM, 1, 2),
	F(annot_ack, state, "state", RT_INT, 0, 4),
	F(annot_ack, notify, "notify", RT_BOOL, 0, 0),
	F(annot_ack, persistent, "persistent", RT_BOOL, 0, 0),
	F(annot_ack, entry_time, "entry_time", RT_I64, 0, TMAX),
	F(annot_ack, author, "author", RT_STR, 0, 0),
	F(annot_ack, comment, "comment", RT_STR, 0, 0),
	F(annot_ack, comment_id, "comment_id", RT_U64, 0, IMAX),
};

#define NF(t) (sizeof(t) / sizeof((t)[0]))

int
rt_fail(struct rt_ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s: %s", c->file, c->where, msg);
	return -EINVAL;
}

/* ---- UTF-8 ---------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
rt_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* ---- emitting ------------------------------------------------------ */

static void
rt_put(struct rt_buf *b, const char *s, size_t n)
{
	char *p;

	if (b->err != 0)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 4096;

		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
rt_emit(struct rt_buf *b, const char *s)
{
	rt_put(b, s, strlen(s));
}

void
rt_emitf(struct rt_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		b->err = b->err != 0 ? b->err : -EINVAL;
	else
		rt_put(b, tmp, (size_t)n);
}

void
rt_buf_free(struct rt_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A decimal integer (printf costs most of a save's time otherwise). */
static void
rt_emit_int(struct rt_buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	rt_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* s as a JSON string: quotes, backslashes and control characters escaped,
 * bytes that are not UTF-8 replaced by '?' (JSON is UTF-8). */
static void
rt_emit_str(struct rt_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, run, k;
	char esc[8];

	rt_put(b, "\"", 1);
	while (i < n) {
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		rt_put(b, s + i, run - i);
		if ((i = run) >= n)
			break;
		if (p[i] >= 0x80) {
			k = rt_utf8_len(p + i, n - i);
			rt_put(b, k != 0 ? s + i : "?", k != 0 ? k : 1);
			i += k != 0 ? k : 1;
			continue;
		}
		if (p[i] == '"' || p[i] == '\\')
			snprintf(esc, sizeof(esc), "\\%c", p[i]);
		else if (p[i] == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (p[i] == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else
			snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
		rt_emit(b, esc);
		i++;
	}
	rt_put(b, "\"", 1);
}

/* ---- fields --------------------------------------------------------- */

static void
rt_emit_field(struct rt_buf *b, const struct rt_field *f, const char *p)
{
	int i;
	int64_t l;
	bool t;
	double d;
	const char *str;

	switch (f->type) {
	case RT_INT:
	case RT_ENUM:
		memcpy(&i, p, sizeof(i));
		rt_emit_int(b, i);
		break;
	case RT_I64:
	case RT_U64: /* within int64 */
		memcpy(&l, p, sizeof(l));
		rt_emit_int(b, l);
		break;
	case RT_BOOL:
		memcpy(&t, p, sizeof(t));
		rt_emit(b, t ? "true" : "false");
		break;
	case RT_DBL:
		memcpy(&d, p, sizeof(d));
		rt_emitf(b, "%.17g", isfinite(d) ? d : 0.0);
		break;
	default:
		memcpy(&str, p, sizeof(str));
		if (str != NULL)
			rt_emit_str(b, str);
		else
			rt_emit(b, "null");
	}
}

/* The fields of base as "key":value pairs, each preceded by a comma
 * unless first. */
static void
rt_emit_fields(struct rt_buf *b, const struct rt_field *f, size_t nf,
    const void *base, bool first)
{
	for (size_t i = 0; i < nf; i++) {
		rt_emit(b, first && i == 0 ? "\"" : ",\"");
		rt_emit(b, f[i].key);
		rt_emit(b, "\":");
		rt_emit_field(b, &f[i], (const char *)base + f[i].off);
	}
}

static int
rt_field_str(const struct rt_field *f, json_t *v, bool dup, char *p,
    struct rt_ctx *c)
{
	const char *s = NULL;
	char *d;
	size_t len;

	if (!json_is_null(v) || f->type != RT_STRN) {
		if (!json_is_string(v))
			return rt_fail(c, "\"%s\" must be a string", f->key);
		s = json_string_value(v);
		len = json_string_length(v);
		if (len > RETENTION_TEXT_MAX || strlen(s) != len)
			return rt_fail(c, "\"%s\" is over %d bytes or holds "
			    "a NUL", f->key, RETENTION_TEXT_MAX);
	}
	if (dup && s != NULL) {
		if ((d = strdup(s)) == NULL)
			return -ENOMEM;
		memcpy(p, &d, sizeof(d));
	} else {
		memcpy(p, &s, sizeof(s));
	}
	return 0;
}

static int
rt_field_num(const struct rt_field *f, json_t *v, char *p, struct rt_ctx *c)
{
	json_int_t x;
	int i;
	double d;

	if (f->type == RT_DBL) {
		d = json_number_value(v);
		if (!json_is_number(v) || !(d >= (double)f->min &&
		    d <= (double)f->max))
			return rt_fail(c, "\"%s\" must be a number from %lld "
			    "to %lld", f->key, (long long)f->min,
			    (long long)f->max);
		memcpy(p, &d, sizeof(d));
		return 0;
	}
	x = json_integer_value(v);
	if (!json_is_integer(v) || x < f->min || x > f->max)
		return rt_fail(c, "\"%s\" must be an integer from %lld to %lld",
		    f->key, (long long)f->min, (long long)f->max);
	if (f->type == RT_INT || f->type == RT_ENUM) {
		i = (int)x;
		memcpy(p, &i, sizeof(i));
	} else {
		int64_t l = x; /* RT_U64 ranges are within int64 */

		memcpy(p, &l, sizeof(l));
	}
	return 0;
}

/* Read the fields of o into base (strings duplicated when dup, else
 * borrowed from o). */
static int
rt_fields_parse(json_t *o, const struct rt_field *f, size_t nf, void *base,
    bool dup, struct rt_ctx *c)
{
	if (!json_is_object(o))
		return rt_fail(c, "not a JSON object");
	for (size_t i = 0; i < nf; i++) {
		json_t *v = json_object_get(o, f[i].key);
		char *p = (char *)base + f[i].off;
		int rc;

		if (v == NULL)
			return rt_fail(c, "\"%s\" is missing", f[i].key);
		if (f[i].type == RT_BOOL) {
			bool b = json_is_true(v);

			if (!json_is_boolean(v))
				return rt_fail(c, "\"%s\" must be true or "
				    "false", f[i].key);
			memcpy(p, &b, sizeof(b));
			continue;
		}
		rc = f[i].type == RT_STR || f[i].type == RT_STRN ?
		    rt_field_str(&f[i], v, dup, p, c) :
		    rt_field_num(&f[i], v, p, c);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- entries -------------------------------------------------------- */

void
rt_emit_names(struct rt_buf *b, const char *host, const char *service)
{
	struct annot_ack k = { .host = host, .service = service };

	rt_emit(b, "{");
	rt_emit_fields(b, rt_ack_fields, 2, &k, true);
	rt_emit(b, "}");
}

int
rt_names_parse(json_t *o, const char **host, const char **service,
    struct rt_ctx *c)
{
	struct annot_ack k = { 0 };
	int rc = rt_fields_parse(o, rt_ack_fields, 2, &k, false, c);

	*host = k.host;
	*service = k.service;
	return rc;
}

void
rt_emit_status(struct rt_buf *b, const struct retention_entry *e)
{
	size_t n = e->st.nhistory < RETENTION_HISTORY_MAX ? e->st.nhistory :
	    RETENTION_HISTORY_MAX;

	rt_emit(b, "{\"host_name\":");
	rt_emit_str(b, e->host);
	if (e->service != NULL) {
		rt_emit(b, ",\"service_description\":");
		rt_emit_str(b, e->service);
	}
	rt_emit_fields(b, rt_status_fields, NF(rt_status_fields), &e->st,
	    false);
	rt_emit(b, ",\"state_history\":[");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			rt_emit(b, ",");
		rt_emit_int(b, e->st.state_history[i]);
	}
	rt_emit(b, "]}");
}

static int
rt_history_parse(json_t *h, struct retention_status *st, struct rt_ctx *c)
{
	size_t i;
	json_t *v;

	if (!json_is_array(h) || json_array_size(h) > RETENTION_HISTORY_MAX)
		return rt_fail(c, "\"state_history\" must be an array of at "
		    "most %d states", RETENTION_HISTORY_MAX);
	json_array_foreach(h, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 4)
			return rt_fail(c, "\"state_history\"[%zu] must be a "
			    "state from 0 to 4", i);
		st->state_history[i] = (int)json_integer_value(v);
	}
	st->nhistory = json_array_size(h);
	return 0;
}

int
rt_status_parse(json_t *o, bool service, struct retention_entry *e,
    struct rt_ctx *c)
{
	const struct rt_field names[] = {
		F(retention_entry, host, "host_name", RT_STR, 0, 0),
		F(retention_entry, service, "service_description", RT_STR, 0,
		    0),
	};
	int rc = rt_fields_parse(o, names, service ? 2 : 1, e, true, c);

	if (rc == 0)
		rc = rt_fields_parse(o, rt_status_fields,
		    NF(rt_status_fields), &e->st, true, c);
	if (rc == 0)
		rc = rt_history_parse(json_object_get(o, "state_history"),
		    &e->st, c);
	return rc;
}

void
rt_entry_clear(struct retention_entry *e)
{
	free(e->host);
	free(e->service);
	free(e->st.output);
	free(e->st.long_output);
	free(e->st.perfdata);
	memset(e, 0, sizeof(*e));
}

void
rt_emit_comment(struct rt_buf *b, const struct annot_comment *x)
{
	rt_emit(b, "{");
	rt_emit_fields(b, rt_comment_fields, NF(rt_comment_fields), x, true);
	rt_emit(b, "}");
}

void
rt_emit_downtime(struct rt_buf *b, const struct annot_downtime *x)
{
	rt_emit(b, "{");
	rt_emit_fields(b, rt_downtime_fields, NF(rt_downtime_fields), x,
	    true);
	rt_emit(b, "}");
}

void
rt_emit_ack(struct rt_buf *b, const struct annot_ack *x)
{
	rt_emit(b, "{");
	rt_emit_fields(b, rt_ack_fields, NF(rt_ack_fields), x, true);
	rt_emit(b, "}");
}

/* What annot said about an entry it refused, as a corruption. */
static int
rt_refused(int rc, const char *msg, struct rt_ctx *c)
{
	if (rc == -EINVAL || rc == -ENOSPC)
		return rt_fail(c, "%s", msg);
	return rc;
}

int
rt_comment_restore(json_t *o, struct annot *a, struct rt_ctx *c)
{
	struct annot_comment x = { 0 };
	char msg[256];
	int rc = rt_fields_parse(o, rt_comment_fields, NF(rt_comment_fields),
	    &x, false, c);

	if (rc == 0)
		rc = rt_refused(annot_comment_restore(a, &x, msg, sizeof(msg)),
		    msg, c);
	return rc;
}

int
rt_downtime_restore(json_t *o, struct annot *a, struct rt_ctx *c)
{
	struct annot_downtime x = { 0 };
	char msg[256];
	int rc = rt_fields_parse(o, rt_downtime_fields,
	    NF(rt_downtime_fields), &x, false, c);

	if (rc == 0)
		rc = rt_refused(annot_downtime_restore(a, &x, msg,
		    sizeof(msg)), msg, c);
	return rc;
}

int
rt_ack_restore(json_t *o, struct annot *a, struct rt_ctx *c)
{
	struct annot_ack x = { 0 };
	char msg[256];
	int rc = rt_fields_parse(o, rt_ack_fields, NF(rt_ack_fields), &x,
	    false, c);

	if (rc == 0)
		rc = rt_refused(annot_ack_restore(a, &x, msg, sizeof(msg)),
		    msg, c);
	return rc;
}
