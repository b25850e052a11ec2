/*
 * cgilib: what every Pharos CGI shares (docs/web.md). A CGI is one short
 * process per request:
 *
 *   static const struct cgi_allow get[] = { { "host", 256 }, { NULL, 0 } };
 *   struct cgi c;
 *
 *   if (cgi_begin(&c, "host", get, NULL) != 0)
 *           return cgi_end(&c);     // 400/401/500 page already made
 *   if (cgi_query(&c, req, false, &data) != 0)
 *           return cgi_end(&c);     // 503 page already made
 *   cgi_page_head(&c, "Host", 0);
 *   cgi_put_html(c.out, name);
 *   cgi_page_foot(&c);
 *   return cgi_end(&c);             // status line, headers, body
 *
 * The body is buffered (c.out is a memory stream) so that a page can turn
 * into an error page (cgi_fail) until cgi_end() sends it. Visibility is the
 * daemon's job: cgi_query() always sends the authenticated user as
 * auth_user, so no page sees what its user may not see.
 *
 * Parameters are parsed strictly against a per-page allow-list: a repeated
 * key, a NUL byte, a bad %-escape, an oversize value or an unknown name is a
 * 400, never a guess.
 */
#ifndef PHAROS_CGILIB_H
#define PHAROS_CGILIB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "authz.h"

/* Largest QUERY_STRING or POST body read; more is a 400. */
#define CGI_MAX_INPUT (64 * 1024)
/* Most parameters in one query string or form. */
#define CGI_MAX_PARAMS 64
/* Where cgi.cfg is looked for when PHAROS_CGI_CONFIG is not set. */
#define CGI_DEFAULT_CONFIG SYSCONFDIR "/pharos/cgi.cfg"
/* Seconds a CSRF token stays valid. */
#define CGI_CSRF_LIFETIME (4 * 3600)

/* HTTP statuses the CGIs answer with. */
enum cgi_status {
	CGI_OK = 200,
	CGI_SEE_OTHER = 303,
	CGI_BAD_REQUEST = 400,
	CGI_UNAUTHORIZED = 401,
	CGI_FORBIDDEN = 403,
	CGI_NOT_FOUND = 404,
	CGI_METHOD = 405,
	CGI_ERROR = 500,
	CGI_UNAVAILABLE = 503,
};

/* One allowed parameter: its name and the longest value accepted (bytes,
 * after decoding). Lists end with { NULL, 0 }. */
struct cgi_allow {
	const char *name;
	size_t maxlen;
};

/* One decoded parameter; value is NUL-terminated and holds no NUL. */
struct cgi_param {
	char *name;
	char *value;
};

/* Decoded parameters in the order given; owned. */
struct cgi_form {
	struct cgi_param *v;
	size_t n;
};

/* A user's own time zone (cgi.cfg: user_time_zone=USER:ZONE). */
struct cgi_user_tz {
	char *user;
	char *zone;
};

/* cgi.cfg as the CGIs read it (docs/web.md). Strings owned; NULL unset. */
struct cgi_config {
	char *path;             /* the cgi.cfg read */
	char *main_config_file; /* pharosd's main config */
	char *query_socket;     /* from the main config */
	char *log_file;         /* from the main config */
	char *log_archive_path; /* from the main config (or its default) */
	char *rrd_dir;          /* from the main config: the graphs' files */
	char *discovery_cache_file; /* from the main config: the map's links */
	char *csrf_secret_file; /* default: csrf.key next to cgi.cfg */
	char *time_zone;        /* default_time_zone; NULL: the system's */
	bool strict_iso8601;    /* date_format=strict-iso8601: 'T' */
	int refresh_rate;       /* seconds; default 60; 0: none */
	char *url_html_path;    /* where static files are; default /pharos */
	char *url_cgi_path;     /* where CGIs are; default /cgi-bin/pharos */
	struct cgi_user_tz *user_tz;
	size_t nuser_tz;
	struct authz_cfg authz; /* the authorized_for_* lists */
};

/* One request being answered. */
struct cgi {
	const char *page;      /* this page's name, e.g. "status" (borrowed) */
	const char *user;      /* REMOTE_USER; NULL when not authenticated */
	bool post;             /* REQUEST_METHOD is POST */
	struct cgi_form query; /* QUERY_STRING */
	struct cgi_form form;  /* the POST body (empty for GET) */
	struct cgi_config cfg;
	bool cfg_loaded;
	int64_t now;           /* epoch seconds at the start */
	int status;            /* enum cgi_status to send */
	char content_type[64];
	char location[512];    /* for CGI_SEE_OTHER */
	FILE *out;             /* the body (a memory stream) */
	char *body;
	size_t bodylen;
	FILE *sink;            /* where cgi_end() writes (stdout) */
	char csrf[128];        /* this request's token, once made */
	size_t failed_len;     /* the error page's length once cgi_fail()
				* made it: what a page adds later is cut */
};

/* --- parameters ---------------------------------------------------------- */

/* Decode s (len bytes, application/x-www-form-urlencoded: '&'-separated
 * name=value, '+' is a space, %XX escapes) into out, keeping only names of
 * allow (NULL: none allowed). Errors, with err filled: an empty pair, a
 * name not allowed, a repeated name, a bad %-escape, a NUL byte (raw or
 * %00), a value over its maxlen, more than CGI_MAX_PARAMS pairs, input
 * over CGI_MAX_INPUT. Returns 0, -EINVAL (out then empty) or -ENOMEM. */
int cgi_form_parse(const char *s, size_t len, const struct cgi_allow *allow,
    struct cgi_form *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The value of name, or NULL when absent. Borrowed. */
const char *cgi_form_get(const struct cgi_form *f, const char *name);

/* Free what cgi_form_parse() made; leaves f empty. */
void cgi_form_free(struct cgi_form *f);

/* The value of name in the query string, else in the POST form. */
const char *cgi_param(const struct cgi *c, const char *name);

/* --- escaping, each for its context ------------------------------------- */

/* HTML text: & < > " ' become entities; other control characters but
 * tab and newline become U+FFFD. NULL writes nothing. */
void cgi_put_html(FILE *f, const char *s);

/* An attribute value inside double quotes: as HTML text, and newlines and
 * tabs as numeric references too. */
void cgi_put_attr(FILE *f, const char *s);

/* One URL query component: everything but A-Z a-z 0-9 - . _ ~ is %XX. */
void cgi_put_url(FILE *f, const char *s);

/* The inside of a JavaScript string literal (single or double quotes):
 * every character that is not alphanumeric, space, '-', '.', '_', ':' or
 * ',' becomes \xXX or \uXXXX, so "</script>" cannot close the element. */
void cgi_put_js(FILE *f, const char *s);

/* printf to c->out with fmt taken as trusted markup; arguments are NOT
 * escaped (use the cgi_put_* functions for data). */
void cgi_printf(struct cgi *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- configuration ------------------------------------------------------ */

/* Read cgi.cfg at path: key=value lines, '#' comments. Keys: the
 * authorized_for_* lists (authz.h), main_config_file (then its
 * query_socket, log_file and log_archive_path are read too),
 * default_time_zone, user_time_zone=USER:ZONE (repeatable), date_format
 * (iso8601 or strict-iso8601), refresh_rate, csrf_secret_file,
 * url_html_path, url_cgi_path. Other Nagios cgi.cfg keys are ignored.
 * Returns 0 or -errno with err filled ("FILE:LINE: ..."). */
int cgi_config_load(const char *path, struct cgi_config *c, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Free the strings of c. */
void cgi_config_free(struct cgi_config *c);

/* The time zone user reads dates in: their user_time_zone, else
 * default_time_zone, else NULL (the system's). Borrowed. */
const char *cgi_config_time_zone(const struct cgi_config *c,
    const char *user);

/* --- a request ---------------------------------------------------------- */

/* Start answering: REMOTE_USER (none: 401), REQUEST_METHOD (GET, HEAD or
 * POST, else 405), QUERY_STRING parsed against get_allow, a POST body
 * (CONTENT_LENGTH, application/x-www-form-urlencoded) against post_allow
 * (NULL: POST is a 405), cgi.cfg from PHAROS_CGI_CONFIG or
 * CGI_DEFAULT_CONFIG (an error is a 500), and the user's time zone set
 * with TZ. Returns 0, or -1 with an error page made: the caller then just
 * returns cgi_end(c). */
int cgi_begin(struct cgi *c, const char *page, const struct cgi_allow *get_allow,
    const struct cgi_allow *post_allow);

/* Send the status line, headers and body to c->sink and free everything.
 * Returns the process exit status (0). */
int cgi_end(struct cgi *c);

/* Throw away the body made so far and make a short error page instead
 * (title from the status, the message escaped). Whatever the page writes
 * to c->out afterwards is not sent. */
void cgi_fail(struct cgi *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set the response's Content-Type (default "text/html; charset=utf-8"). */
void cgi_set_content_type(struct cgi *c, const char *type);

/* Answer 303 See Other to url (a path on this server). */
void cgi_redirect(struct cgi *c, const char *url);

/* Whether the user holds a cgi.cfg right (authz.h). */
bool cgi_may(const struct cgi *c, enum authz_right r);

/* --- the daemon --------------------------------------------------------- */

/* Ask pharosd: req (borrowed; "v" and "auth_user" are set here) goes to
 * the query socket; on success *data is the answer's "data" (new
 * reference). On failure (no socket configured, daemon down, an error
 * answer) the page becomes a 503 (or a 400 for an error answer when
 * bad_request is set) and -1 is returned. */
int cgi_query(struct cgi *c, json_t *req, bool bad_request, json_t **data);

/* As cgi_query(), for a part of a page that may be left out: on failure
 * the page is untouched and -1 returned. */
int cgi_query_try(struct cgi *c, json_t *req, json_t **data);

/* The status op for this user; hosts NULL: all they may see. */
int cgi_query_status(struct cgi *c, json_t *hosts, json_t **data);

/* The status op in its brief form, for lists of many objects: hosts NULL
 * all the user may see; states (NULL-terminated, NULL: any) keeps only
 * those states; services false leaves the services out. The answer has
 * "counts" of every visible object by state whatever the filters. (More
 * fields, as "sort" or "limit", go in a request of one's own through
 * cgi_query().) */
int cgi_query_list(struct cgi *c, json_t *hosts, const char *const *states,
    bool services, json_t **data);

/* NULL-terminated: the states of problems (DOWN, UNREACHABLE, WARNING,
 * CRITICAL, UNKNOWN). */
extern const char *const cgi_problem_states[];

/* --- the page frame ----------------------------------------------------- */

/* Doctype, head (title, the local stylesheet, a meta refresh when
 * refresh > 0), the navigation with the current page marked and the
 * user's name. */
void cgi_page_head(struct cgi *c, const char *title, int refresh);

/* Footer (the date of the page with its zone) and the closing tags. */
void cgi_page_foot(struct cgi *c);

/* A link to another CGI: writes the escaped href value for page with the
 * query "k1=v1&k2=v2" built from the NULL-terminated key, value pairs
 * (values URL-escaped, then attribute-escaped). */
void cgi_put_href(struct cgi *c, const char *page, ...)
    __attribute__((sentinel));

/* The CSS class for a state name ("UP", "CRITICAL", ...): "st-up", ...;
 * "st-unknown" for anything else. */
const char *cgi_state_class(const char *state);

/* <span class="state st-x">STATE</span> */
void cgi_put_state(struct cgi *c, const char *state);

/* The string member k of the pharosd answer object o; "" when o has no
 * such string. */
const char *cgi_str(json_t *o, const char *k);

/* The first cells of a row of what is wrong: <tr>, the state of o, the
 * host (linked to its page), the service ("" or NULL for a host), the age
 * of the state and o's output. The output cell is left open: the caller
 * adds to it and closes the row. */
void cgi_put_problem_cells(struct cgi *c, json_t *o, const char *host,
    const char *service, int64_t now);

/* --- dates -------------------------------------------------------------- */

/* ISO 8601 in the current TZ with an explicit offset:
 * "2026-11-27 12:50:46 +01:00", or with 'T' when strict. 0 gives "never".
 * Returns 0 or -EINVAL. */
int cgi_format_time(int64_t epoch, bool strict, char *buf, size_t len);

/* Write the date of epoch (cgi_format_time with the user's settings),
 * inside <time datetime="..."> with the strict form in the attribute. */
void cgi_put_time(struct cgi *c, int64_t epoch);

/* "3d 4h", "5m 2s": the age of a time before now; "-" for 0. */
void cgi_put_age(struct cgi *c, int64_t epoch, int64_t now);

/* --- CSRF tokens -------------------------------------------------------- */

/* A token "EXPIRY.HEX" where HEX is HMAC-SHA256(key, user "\n" EXPIRY).
 * Returns 0 or -EINVAL (buffer too small, empty key or user). */
int cgi_csrf_make(const unsigned char *key, size_t keylen, const char *user,
    int64_t expiry, char *out, size_t outlen);

/* True when token was made by cgi_csrf_make() with key for user and has
 * not expired at now. Compares in constant time. */
bool cgi_csrf_verify(const unsigned char *key, size_t keylen,
    const char *user, const char *token, int64_t now);

/* Read the secret from c->cfg.csrf_secret_file, creating it (mode 0600,
 * 32 random bytes) when absent. Returns 0 or -errno. */
int cgi_csrf_key(const struct cgi *c, unsigned char *key, size_t keylen)
    __attribute__((warn_unused_result));

/* <input type="hidden" name="token" value="..."> for this user, valid
 * CGI_CSRF_LIFETIME seconds; on a key error the page becomes a 500. */
void cgi_csrf_field(struct cgi *c);

/* Check the POST form's "token" for this user. False: the page has become
 * a 403 (no token, wrong token, expired token, no key). */
bool cgi_csrf_check(struct cgi *c);

/* --- commands (acknowledge, downtime, comment, re-check) -------------- */

/* The POST allow-list of command forms: token, cmd, host, service,
 * comment, hours, sticky, back. */
extern const struct cgi_allow cgi_cmd_allow[];

/* Build the external command line for the POST form: cmd is ack, unack,
 * downtime, comment or recheck; host (and service) name the object;
 * comment (ack, downtime, comment), hours (downtime, 1..8760), sticky
 * (ack, "1"). The author is always the user. Returns 0 with line filled,
 * or -EINVAL with err filled (a 400). */
int cgi_cmd_line(const struct cgi *c, char *line, size_t len, char *err,
    size_t errlen);

/* Answer a command POST: check the CSRF token (403), build the line
 * (400), send it with the query socket's command op (which refuses what
 * the user may not do: 403), then answer 303 to the page the form names
 * in "back" (host or problems). Returns 0 when the command was done. */
int cgi_cmd_run(struct cgi *c);

/* The forms for one object (service NULL: the host): acknowledge (or
 * remove the acknowledgement when acked), schedule downtime, comment and
 * re-check, each a POST to problems.cgi with a CSRF token; back names
 * the page to return to. Nothing for authorized_for_read_only users. */
void cgi_put_cmd_forms(struct cgi *c, const char *host, const char *service,
    bool acked, const char *back);

#endif
