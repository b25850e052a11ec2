/*
 * extcmd: parsing and checking of Nagios external command lines.
 *
 * Data: two constant tables. extcmd_fields describes each kind of argument
 * once (its label for messages, its type, its bounds); extcmd_defs gives
 * each command its name, its documented argument list and the field of
 * each argument, indexed by enum extcmd_kind. A command is looked up by a
 * linear scan of about thirty names: cheaper than anything that would need
 * building, and commands are rare.
 *
 * A parse runs in stages, each refusing with its own message and never
 * touching the caller's objects before the text is known good:
 *   1. the bytes: trailing blanks stripped, then the length, NUL, CR/LF,
 *      other control characters, UTF-8 (the caller logs and stores what
 *      passes, and JSON needs valid UTF-8);
 *   2. the "[EPOCH] " prefix and the command name;
 *   3. the argument count, then each argument on its own;
 *   4. the checks between arguments (downtime windows);
 *   5. the object lookups, host first.
 *
 * Result: one allocation holds struct extcmd, then the command text as
 * received (for the log), then a second copy split in place at the ';'
 * that separate arguments; every string field points into it.
 */
#include "extcmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strnum.h"

#define EXTCMD_ARGS_MAX 9
#define EXTCMD_QUOTE_MAX 64 /* bytes of user text quoted in a message */
#define EXTCMD_NUM_MAX 20   /* digits of a number worth reading */
#define EXTCMD_LONG_CAP(v) ((v) > LONG_MAX ? LONG_MAX : (long)(v))

enum extcmd_type {
	T_NAME, /* an object name: not empty, at most max bytes */
	T_NUM,  /* a plain decimal in [min, max] */
	T_TEXT, /* free text: the last argument, may hold ';' */
};

enum extcmd_field {
	F_HOST,
	F_SERVICE,
	F_HOST_CODE,
	F_SVC_CODE,
	F_OUTPUT,
	F_STICKY,
	F_NOTIFY,
	F_PERSISTENT,
	F_FIXED,
	F_START,
	F_END,
	F_TRIGGER,
	F_DURATION,
	F_AUTHOR,
	F_COMMENT,
	F_DOWNTIME_ID,
	F_COMMENT_ID,
	F_CHECK_TIME,
	F_OPTIONS,
};

struct extcmd_field_def {
	const char *label;
	enum extcmd_type type;
	long min; /* T_NUM: lowest value; T_NAME, T_TEXT: 1 = not empty */
	long max; /* T_NUM: highest value; T_NAME, T_TEXT: bytes, 0 = any */
	/* T_NUM: the allowed values spelled out ("0 or 1"), or NULL for
	 * "<noun> from <min> to <max>". */
	const char *values;
	const char *noun;
};

#define TIME_CAP EXTCMD_LONG_CAP(EXTCMD_TIME_MAX)

/* clang-format off */
static const struct extcmd_field_def extcmd_fields[] = {
	[F_HOST] = {"host name", T_NAME, 1, EXTCMD_MAX_NAME, NULL, NULL},
	[F_SERVICE] = {"service description", T_NAME, 1, EXTCMD_MAX_NAME, NULL,
	               NULL},
	[F_HOST_CODE] = {"return code", T_NUM, 0, 2,
	                 "0 (UP), 1 (DOWN) or 2 (UNREACHABLE)", NULL},
	[F_SVC_CODE] = {"return code", T_NUM, 0, 3,
	                "0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN)",
	                NULL},
	[F_OUTPUT] = {"output", T_TEXT, 0, 0, NULL, NULL},
	[F_STICKY] = {"sticky", T_NUM, 0, 2, "0, 1 or 2", NULL},
	[F_NOTIFY] = {"notify", T_NUM, 0, 1, "0 or 1", NULL},
	[F_PERSISTENT] = {"persistent", T_NUM, 0, 1, "0 or 1", NULL},
	[F_FIXED] = {"fixed", T_NUM, 0, 1, "0 or 1", NULL},
	[F_START] = {"start time", T_NUM, 0, TIME_CAP, NULL, "epoch seconds"},
	[F_END] = {"end time", T_NUM, 0, TIME_CAP, NULL, "epoch seconds"},
	[F_TRIGGER] = {"trigger id", T_NUM, 0, LONG_MAX, NULL, "a number"},
	[F_DURATION] = {"duration", T_NUM, 0,
	                EXTCMD_LONG_CAP(EXTCMD_DURATION_MAX), NULL, "seconds"},
	[F_AUTHOR] = {"author", T_NAME, 1, EXTCMD_MAX_AUTHOR, NULL, NULL},
	[F_COMMENT] = {"comment", T_TEXT, 1, 0, NULL, NULL},
	[F_DOWNTIME_ID] = {"downtime id", T_NUM, 1, LONG_MAX, NULL, "a number"},
	[F_COMMENT_ID] = {"comment id", T_NUM, 1, LONG_MAX, NULL, "a number"},
	[F_CHECK_TIME] = {"check time", T_NUM, 0, TIME_CAP, NULL,
	                  "epoch seconds"},
	[F_OPTIONS] = {"options", T_NUM, 0, 7, NULL, "a number"},
};

struct extcmd_def {
	const char *name;
	const char *args; /* as documented */
	unsigned nargs;
	enum extcmd_field fields[EXTCMD_ARGS_MAX];
};

#define DEF(k, a, n, ...) [EXTCMD_##k] = {#k, a, n, {__VA_ARGS__}}
/* No arguments: the field list is not read. */
#define DEF0(k) [EXTCMD_##k] = {#k, "", 0, {F_HOST}}
#define DOWNTIME_ARGS "start;end;fixed;trigger_id;duration;author;comment"
#define DOWNTIME_FIELDS                                                        \
	F_START, F_END, F_FIXED, F_TRIGGER, F_DURATION, F_AUTHOR, F_COMMENT

static const struct extcmd_def extcmd_defs[EXTCMD_NKINDS] = {
	DEF(PROCESS_HOST_CHECK_RESULT, "host;code;output", 3, F_HOST,
	    F_HOST_CODE, F_OUTPUT),
	DEF(PROCESS_SERVICE_CHECK_RESULT, "host;service;code;output", 4, F_HOST,
	    F_SERVICE, F_SVC_CODE, F_OUTPUT),
	DEF(ACKNOWLEDGE_HOST_PROBLEM,
	    "host;sticky;notify;persistent;author;comment", 6, F_HOST, F_STICKY,
	    F_NOTIFY, F_PERSISTENT, F_AUTHOR, F_COMMENT),
	DEF(ACKNOWLEDGE_SVC_PROBLEM,
	    "host;service;sticky;notify;persistent;author;comment", 7, F_HOST,
	    F_SERVICE, F_STICKY, F_NOTIFY, F_PERSISTENT, F_AUTHOR, F_COMMENT),
	DEF(REMOVE_HOST_ACKNOWLEDGEMENT, "host", 1, F_HOST),
	DEF(REMOVE_SVC_ACKNOWLEDGEMENT, "host;service", 2, F_HOST, F_SERVICE),
	DEF(SCHEDULE_HOST_DOWNTIME, "host;" DOWNTIME_ARGS, 8, F_HOST,
	    DOWNTIME_FIELDS),
	DEF(SCHEDULE_SVC_DOWNTIME, "host;service;" DOWNTIME_ARGS, 9, F_HOST,
	    F_SERVICE, DOWNTIME_FIELDS),
	DEF(SCHEDULE_HOST_SVC_DOWNTIME, "host;" DOWNTIME_ARGS, 8, F_HOST,
	    DOWNTIME_FIELDS),
	DEF(SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME, "host;" DOWNTIME_ARGS, 8,
	    F_HOST, DOWNTIME_FIELDS),
	DEF(SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME,
	    "host;" DOWNTIME_ARGS, 8, F_HOST, DOWNTIME_FIELDS),
	DEF(DEL_HOST_DOWNTIME, "downtime_id", 1, F_DOWNTIME_ID),
	DEF(DEL_SVC_DOWNTIME, "downtime_id", 1, F_DOWNTIME_ID),
	DEF(ADD_HOST_COMMENT, "host;persistent;author;comment", 4, F_HOST,
	    F_PERSISTENT, F_AUTHOR, F_COMMENT),
	DEF(ADD_SVC_COMMENT, "host;service;persistent;author;comment", 5,
	    F_HOST, F_SERVICE, F_PERSISTENT, F_AUTHOR, F_COMMENT),
	DEF(DEL_HOST_COMMENT, "comment_id", 1, F_COMMENT_ID),
	DEF(DEL_SVC_COMMENT, "comment_id", 1, F_COMMENT_ID),
	DEF(SCHEDULE_FORCED_HOST_CHECK, "host;check_time", 2, F_HOST,
	    F_CHECK_TIME),
	DEF(SCHEDULE_FORCED_SVC_CHECK, "host;service;check_time", 3, F_HOST,
	    F_SERVICE, F_CHECK_TIME),
	DEF(ENABLE_HOST_NOTIFICATIONS, "host", 1, F_HOST),
	DEF(DISABLE_HOST_NOTIFICATIONS, "host", 1, F_HOST),
	DEF(ENABLE_SVC_NOTIFICATIONS, "host;service", 2, F_HOST, F_SERVICE),
	DEF(DISABLE_SVC_NOTIFICATIONS, "host;service", 2, F_HOST, F_SERVICE),
	DEF(ENABLE_HOST_CHECK, "host", 1, F_HOST),
	DEF(DISABLE_HOST_CHECK, "host", 1, F_HOST),
	DEF(ENABLE_SVC_CHECK, "host;service", 2, F_HOST, F_SERVICE),
	DEF(DISABLE_SVC_CHECK, "host;service", 2, F_HOST, F_SERVICE),
	DEF(SEND_CUSTOM_HOST_NOTIFICATION, "host;options;author;comment", 4,
	    F_HOST, F_OPTIONS, F_AUTHOR, F_COMMENT),
	DEF(SEND_CUSTOM_SVC_NOTIFICATION,
	    "host;service;options;author;comment", 5, F_HOST, F_SERVICE,
	    F_OPTIONS, F_AUTHOR, F_COMMENT),
	DEF0(ENABLE_NOTIFICATIONS),
	DEF0(DISABLE_NOTIFICATIONS),
	DEF0(START_EXECUTING_HOST_CHECKS),
	DEF0(STOP_EXECUTING_HOST_CHECKS),
	DEF0(START_EXECUTING_SVC_CHECKS),
	DEF0(STOP_EXECUTING_SVC_CHECKS),
	DEF0(ENABLE_EVENT_HANDLERS),
	DEF0(DISABLE_EVENT_HANDLERS),
};

/* clang-format on */

#undef DEF
#undef DEF0

const char *
extcmd_kind_name(enum extcmd_kind kind)
{
	if ((unsigned)kind >= EXTCMD_NKINDS)
		return NULL;
	return extcmd_defs[kind].name;
}

const char *
extcmd_kind_args(enum extcmd_kind kind)
{
	if ((unsigned)kind >= EXTCMD_NKINDS)
		return NULL;
	return extcmd_defs[kind].args;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0 when
 * it is not one: no overlong forms, surrogates or code points past
 * U+10FFFF (RFC 3629). */
static size_t
extcmd_utf8_len(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	need = s[0] < 0xe0 ? 1 : s[0] < 0xf0 ? 2 : 3;
	if (n <= need)
		return 0;
	cp = s[0] & (0x3fu >> need);
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* Copy the NUL-terminated s into dst for a message: at most
 * EXTCMD_QUOTE_MAX bytes, cut at a character boundary, "..." when cut.
 * s is valid UTF-8 by then. */
static const char *
extcmd_quote(char *dst, size_t dstlen, const char *s)
{
	size_t n = strlen(s);

	if (n <= EXTCMD_QUOTE_MAX) {
		snprintf(dst, dstlen, "%s", s);
		return dst;
	}
	n = EXTCMD_QUOTE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(dst, dstlen, "%.*s...", (int)n, s);
	return dst;
}

#define QBUF (EXTCMD_QUOTE_MAX + 4)

/* Stage 1: the bytes of line[b .. e). Returns 0 or -EINVAL (err filled).
 * Offsets in messages count from the start of the caller's line. */
static int
extcmd_check_bytes(const char *line, size_t b, size_t e, char *err,
                   size_t errlen)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i, n;

	if (e - b > EXTCMD_MAX_LINE) {
		snprintf(err, errlen,
		         "command too long (%zu bytes, at most %d)", e - b,
		         EXTCMD_MAX_LINE);
		return -EINVAL;
	}
	for (i = b; i < e; i += n) {
		n = 1;
		if (s[i] == '\0') {
			snprintf(err, errlen, "NUL byte at offset %zu", i);
			return -EINVAL;
		}
		if (s[i] == '\r' || s[i] == '\n') {
			snprintf(err, errlen,
			         "line break (%s) inside the command at "
			         "offset %zu",
			         s[i] == '\r' ? "CR" : "LF", i);
			return -EINVAL;
		}
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
			snprintf(err, errlen,
			         "control character 0x%02x at offset %zu", s[i],
			         i);
			return -EINVAL;
		}
		if (s[i] >= 0x80 && (n = extcmd_utf8_len(s + i, e - i)) == 0) {
			snprintf(err, errlen, "invalid UTF-8 at offset %zu", i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Stage 2a: the "[EPOCH] " prefix at line[*pos .. e), if any. Moves *pos
 * past it and sets *when (-1 without a prefix). */
static int
extcmd_prefix(const char *line, size_t *pos, size_t e, unsigned flags,
              int64_t *when, char *err, size_t errlen)
{
	char num[EXTCMD_NUM_MAX + 1], q[QBUF];
	size_t i = *pos, d;
	long v;

	*when = -1;
	if (i >= e || line[i] != '[') {
		if (flags & EXTCMD_NEED_TIME) {
			snprintf(err, errlen,
			         "missing '[<epoch seconds>] ' before the "
			         "command");
			return -EINVAL;
		}
		return 0;
	}
	for (d = i + 1; d < e && line[d] != ']' && d - i <= EXTCMD_NUM_MAX; d++)
		;
	if (d >= e || line[d] != ']' || d + 1 >= e || line[d + 1] != ' ') {
		snprintf(err, errlen,
		         "malformed time prefix: expected '[<epoch seconds>] ' "
		         "before the command");
		return -EINVAL;
	}
	memcpy(num, line + i + 1, d - i - 1);
	num[d - i - 1] = '\0';
	if (strnum_long(num, 0, TIME_CAP, &v) != 0) {
		snprintf(err, errlen,
		         "entry time must be epoch seconds from 0 to %ld, not "
		         "'%s'",
		         (long)TIME_CAP, extcmd_quote(q, sizeof(q), num));
		return -EINVAL;
	}
	for (d += 1; d < e && line[d] == ' '; d++)
		;
	*when = v;
	*pos = d;
	return 0;
}

/* Stage 2b: the command named by line[b .. ';' or e). NULL with err
 * filled when it is not in the table. */
static const struct extcmd_def *
extcmd_find(const char *line, size_t b, size_t e, size_t *namelen, char *err,
            size_t errlen)
{
	char name[EXTCMD_QUOTE_MAX + 2], q[QBUF];
	const char *semi;
	size_t n, k;

	semi = memchr(line + b, ';', e - b);
	n = (semi != NULL ? (size_t)(semi - line) : e) - b;
	*namelen = n;
	if (n == 0) {
		snprintf(err, errlen, "missing command name");
		return NULL;
	}
	for (k = 0; k < EXTCMD_NKINDS; k++) {
		if (strlen(extcmd_defs[k].name) == n &&
		    memcmp(extcmd_defs[k].name, line + b, n) == 0)
			return &extcmd_defs[k];
	}
	/* Quote one byte more than shown, so a long name gets its "...". */
	k = n < sizeof(name) - 1 ? n : sizeof(name) - 1;
	memcpy(name, line + b, k);
	name[k] = '\0';
	snprintf(err, errlen, "unknown or unsupported command '%s'",
	         extcmd_quote(q, sizeof(q), name));
	return NULL;
}

/* Stage 3: check one argument s of field f and store it in c. */
static int
extcmd_arg(struct extcmd *c, enum extcmd_field f, char *s, char *err,
           size_t errlen)
{
	const struct extcmd_field_def *fd = &extcmd_fields[f];
	size_t n = strlen(s);
	char q[QBUF];
	long v = 0;

	if (n == 0 && fd->min > 0 && fd->type != T_NUM) {
		snprintf(err, errlen, "%s is empty", fd->label);
		return -EINVAL;
	}
	if (fd->type == T_NAME && n > (size_t)fd->max) {
		snprintf(err, errlen, "%s too long (%zu bytes, at most %ld)",
		         fd->label, n, fd->max);
		return -EINVAL;
	}
	if (fd->type == T_NUM) {
		if (n == 0) {
			snprintf(err, errlen, "%s is empty", fd->label);
			return -EINVAL;
		}
		if (strnum_long(s, fd->min, fd->max, &v) != 0) {
			if (fd->values != NULL)
				snprintf(err, errlen, "%s must be %s, not '%s'",
				         fd->label, fd->values,
				         extcmd_quote(q, sizeof(q), s));
			else
				snprintf(err, errlen,
				         "%s must be %s from %ld to %ld, not "
				         "'%s'",
				         fd->label, fd->noun, fd->min, fd->max,
				         extcmd_quote(q, sizeof(q), s));
			return -EINVAL;
		}
	}

	switch (f) {
	case F_HOST:
		c->host_name = s;
		break;
	case F_SERVICE:
		c->service_description = s;
		break;
	case F_HOST_CODE:
	case F_SVC_CODE:
		c->code = (int)v;
		break;
	case F_OUTPUT:
		c->output = s;
		break;
	case F_STICKY:
		c->sticky = v == 2;
		break;
	case F_NOTIFY:
		c->notify = v == 1;
		break;
	case F_PERSISTENT:
		c->persistent = v == 1;
		break;
	case F_FIXED:
		c->fixed = v == 1;
		break;
	case F_START:
		c->start_time = v;
		break;
	case F_END:
		c->end_time = v;
		break;
	case F_TRIGGER:
		c->trigger_id = (unsigned long)v;
		break;
	case F_DURATION:
		c->duration = v;
		break;
	case F_AUTHOR:
		c->author = s;
		break;
	case F_COMMENT:
		c->comment = s;
		break;
	case F_DOWNTIME_ID:
	case F_COMMENT_ID:
		c->id = (unsigned long)v;
		break;
	case F_CHECK_TIME:
		c->check_time = v;
		break;
	case F_OPTIONS:
		c->options = (unsigned)v;
		break;
	}
	return 0;
}

/* Stage 3: split args (the text after the name's ';', or NULL when there
 * is none) in place and check each argument against def. */
static int
extcmd_args(struct extcmd *c, const struct extcmd_def *def, char *args,
            char *err, size_t errlen)
{
	bool rest;
	size_t given = 0, i;
	char *p, *semi;
	int rc;

	if (args != NULL)
		for (given = 1, p = args; (p = strchr(p, ';')) != NULL; p++)
			given++;
	if (def->nargs == 0) {
		if (given == 0)
			return 0;
		snprintf(err, errlen, "%s takes no arguments, got %zu",
		         def->name, given);
		return -EINVAL;
	}
	rest = extcmd_fields[def->fields[def->nargs - 1]].type == T_TEXT;
	if (given < def->nargs || (given > def->nargs && !rest)) {
		snprintf(err, errlen, "%s takes %u argument%s (%s), got %zu",
		         def->name, def->nargs, def->nargs == 1 ? "" : "s",
		         def->args, given);
		return -EINVAL;
	}
	for (i = 0, p = args; i < def->nargs; i++) {
		if (i + 1 < def->nargs) {
			semi = strchr(p, ';');
			*semi = '\0';
		} else
			semi = NULL;
		if ((rc = extcmd_arg(c, def->fields[i], p, err, errlen)) != 0)
			return rc;
		if (semi != NULL)
			p = semi + 1;
	}
	return 0;
}

/* Stage 4: the checks between arguments. */
static int
extcmd_cross(struct extcmd *c, char *err, size_t errlen)
{
	switch (c->kind) {
	case EXTCMD_SCHEDULE_HOST_DOWNTIME:
	case EXTCMD_SCHEDULE_SVC_DOWNTIME:
	case EXTCMD_SCHEDULE_HOST_SVC_DOWNTIME:
	case EXTCMD_SCHEDULE_AND_PROPAGATE_HOST_DOWNTIME:
	case EXTCMD_SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME:
		if (c->end_time <= c->start_time) {
			snprintf(err, errlen,
			         "end time %lld is not after start time %lld",
			         (long long)c->end_time,
			         (long long)c->start_time);
			return -EINVAL;
		}
		if (c->fixed)
			c->duration = c->end_time - c->start_time;
		else if (c->duration == 0) {
			snprintf(err, errlen,
			         "duration must be at least 1 second for a "
			         "flexible downtime (fixed 0)");
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}

/* Stage 5: the objects named, through the caller's lookup. */
static int
extcmd_resolve(struct extcmd *c, const struct extcmd_lookup *lk, char *err,
               size_t errlen)
{
	char q1[QBUF], q2[QBUF];

	if (lk == NULL || c->host_name == NULL || lk->find_host == NULL)
		return 0;
	if ((c->host = lk->find_host(c->host_name, lk->arg)) == NULL) {
		snprintf(err, errlen, "unknown host '%s'",
		         extcmd_quote(q1, sizeof(q1), c->host_name));
		return -ENOENT;
	}
	if (c->service_description == NULL || lk->find_service == NULL)
		return 0;
	c->service =
	    lk->find_service(c->host_name, c->service_description, lk->arg);
	if (c->service == NULL) {
		snprintf(err, errlen, "unknown service '%s' on host '%s'",
		         extcmd_quote(q1, sizeof(q1), c->service_description),
		         extcmd_quote(q2, sizeof(q2), c->host_name));
		return -ENOENT;
	}
	return 0;
}

static bool
extcmd_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int
extcmd_parse(const char *line, size_t len, unsigned flags,
             const struct extcmd_lookup *lookup, struct extcmd **out, char *err,
             size_t errlen)
{
	const struct extcmd_def *def;
	struct extcmd *c = NULL;
	size_t b = 0, e = len, namelen, n;
	int64_t when;
	char *copy, *split;
	int rc;

	*out = NULL;
	if (errlen > 0)
		err[0] = '\0';
	/* Blanks around the command are not part of it (Nagios strips the
	 * end; the query socket's users may add either). */
	while (e > b && extcmd_blank(line[e - 1]))
		e--;
	while (b < e && (line[b] == ' ' || line[b] == '\t'))
		b++;
	if ((rc = extcmd_check_bytes(line, b, e, err, errlen)) != 0)
		return rc;
	if (b == e) {
		snprintf(err, errlen, "empty command");
		return -EINVAL;
	}
	if ((rc = extcmd_prefix(line, &b, e, flags, &when, err, errlen)) != 0)
		return rc;
	if ((def = extcmd_find(line, b, e, &namelen, err, errlen)) == NULL)
		return namelen == 0 ? -EINVAL : -ENOTSUP;

	n = e - b;
	if ((c = calloc(1, sizeof(*c) + 2 * (n + 1))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	copy = (char *)(c + 1);
	split = copy + n + 1;
	memcpy(copy, line + b, n);
	copy[n] = '\0';
	memcpy(split, line + b, n);
	split[n] = '\0';
	c->kind = (enum extcmd_kind)(def - extcmd_defs);
	c->name = def->name;
	c->line = copy;
	c->entry_time = when;

	rc = extcmd_args(c, def, namelen < n ? split + namelen + 1 : NULL, err,
	                 errlen);
	if (rc == 0)
		rc = extcmd_cross(c, err, errlen);
	if (rc == 0)
		rc = extcmd_resolve(c, lookup, err, errlen);
	if (rc != 0) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void
extcmd_free(struct extcmd *cmd)
{
	free(cmd);
}
