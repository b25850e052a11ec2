/*
 * cgi_req: one request: its environment, the buffered answer, the daemon
 * and the page frame (cgilib.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgilib.h"
#include "query.h"
#include "strnum.h"

#define CGI_QUERY_TIMEOUT_MS 10000

static const char *
cgi_reason(int status)
{
	switch (status) {
	case CGI_OK:
		return "OK";
	case CGI_SEE_OTHER:
		return "See Other";
	case CGI_BAD_REQUEST:
		return "Bad Request";
	case CGI_UNAUTHORIZED:
		return "Unauthorized";
	case CGI_FORBIDDEN:
		return "Forbidden";
	case CGI_NOT_FOUND:
		return "Not Found";
	case CGI_METHOD:
		return "Method Not Allowed";
	case CGI_UNAVAILABLE:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

/* A fresh, empty body. */
static void
cgi_body_reset(struct cgi *c)
{
	if (c->out != NULL)
		fclose(c->out);
	free(c->body);
	c->body = NULL;
	c->bodylen = 0;
	c->failed_len = 0;
	c->out = open_memstream(&c->body, &c->bodylen);
}

void
cgi_set_content_type(struct cgi *c, const char *type)
{
	snprintf(c->content_type, sizeof(c->content_type), "%s", type);
}

void
cgi_fail(struct cgi *c, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cgi_body_reset(c);
	c->status = status;
	if (c->out == NULL)
		return;
	if (strncmp(c->content_type, "application/json", 16) == 0) {
		json_t *j = json_pack("{s:b, s:i, s:s}", "ok", 0, "status",
		    status, "error", msg);
		char *s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

		fprintf(c->out, "%s\n", s != NULL ? s : "{\"ok\":false}");
		free(s);
		json_decref(j);
		fflush(c->out);
		c->failed_len = c->bodylen;
		return;
	}
	cgi_set_content_type(c, "text/html; charset=utf-8");
	fprintf(c->out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>%d %s</title></head>\n"
	    "<body><h1>%d %s</h1>\n<p>", status, cgi_reason(status), status,
	    cgi_reason(status));
	cgi_put_html(c->out, msg);
	fputs("</p>\n</body></html>\n", c->out);
	fflush(c->out);
	c->failed_len = c->bodylen;
}

void
cgi_redirect(struct cgi *c, const char *url)
{
	cgi_body_reset(c);
	c->status = CGI_SEE_OTHER;
	snprintf(c->location, sizeof(c->location), "%s", url);
}

/* The POST body, read from stdin. */
static int
cgi_read_post(struct cgi *c, const struct cgi_allow *allow)
{
	const char *cl = getenv("CONTENT_LENGTH");
	const char *ct = getenv("CONTENT_TYPE");
	char err[256], *buf;
	size_t got = 0;
	ssize_t r;
	long len;

	if (ct == NULL || strncmp(ct, "application/x-www-form-urlencoded",
	    33) != 0 || (ct[33] != '\0' && ct[33] != ';')) {
		cgi_fail(c, CGI_BAD_REQUEST, "a form must be sent as "
		    "application/x-www-form-urlencoded");
		return -1;
	}
	if (cl == NULL || strnum_long(cl, 0, CGI_MAX_INPUT, &len) != 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "missing or too large "
		    "Content-Length (limit %d bytes)", CGI_MAX_INPUT);
		return -1;
	}
	if ((buf = malloc((size_t)len + 1)) == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	while (got < (size_t)len) {
		r = read(STDIN_FILENO, buf + got, (size_t)len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)len) {
		free(buf);
		cgi_fail(c, CGI_BAD_REQUEST, "short request body");
		return -1;
	}
	if (cgi_form_parse(buf, got, allow, &c->form, err, sizeof(err)) != 0) {
		free(buf);
		cgi_fail(c, CGI_BAD_REQUEST, "%s", err);
		return -1;
	}
	free(buf);
	return 0;
}

int
cgi_begin(struct cgi *c, const char *page, const struct cgi_allow *get_allow,
    const struct cgi_allow *post_allow)
{
	const char *method = getenv("REQUEST_METHOD");
	const char *qs = getenv("QUERY_STRING");
	const char *path = getenv("PHAROS_CGI_CONFIG");
	const char *tz;
	char err[512];

	memset(c, 0, sizeof(*c));
	c->page = page;
	c->sink = stdout;
	c->status = CGI_OK;
	c->now = (int64_t)time(NULL);
	cgi_set_content_type(c, "text/html; charset=utf-8");
	cgi_body_reset(c);
	if (c->out == NULL)
		return -1;
	c->user = getenv("REMOTE_USER");
	if (c->user != NULL && *c->user == '\0')
		c->user = NULL;
	if (c->user == NULL) {
		cgi_fail(c, CGI_UNAUTHORIZED, "authentication required: the "
		    "web server must authenticate users (docs/web.md)");
		return -1;
	}
	if (method == NULL || (strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0 && strcmp(method, "POST") != 0) ||
	    (strcmp(method, "POST") == 0 && post_allow == NULL)) {
		cgi_fail(c, CGI_METHOD, "method not allowed here");
		return -1;
	}
	c->post = strcmp(method, "POST") == 0;
	if (cgi_form_parse(qs != NULL ? qs : "", qs != NULL ? strlen(qs) : 0,
	    get_allow, &c->query, err, sizeof(err)) != 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "%s", err);
		return -1;
	}
	if (c->post && cgi_read_post(c, post_allow) != 0)
		return -1;
	if (cgi_config_load(path != NULL ? path : CGI_DEFAULT_CONFIG, &c->cfg,
	    err, sizeof(err)) != 0) {
		cgi_fail(c, CGI_ERROR, "cgi.cfg: %s", err);
		return -1;
	}
	c->cfg_loaded = true;
	tz = cgi_config_time_zone(&c->cfg, c->user);
	if (tz != NULL)
		setenv("TZ", tz, 1);
	tzset();
	return 0;
}

int
cgi_end(struct cgi *c)
{
	const char *method = getenv("REQUEST_METHOD");

	if (c->out != NULL)
		fclose(c->out);
	c->out = NULL;
	if (c->failed_len > 0 && c->failed_len < c->bodylen)
		c->bodylen = c->failed_len;
	fprintf(c->sink, "Status: %d %s\r\n", c->status,
	    cgi_reason(c->status));
	if (c->status == CGI_UNAUTHORIZED)
		fputs("WWW-Authenticate: Basic realm=\"Pharos\"\r\n", c->sink);
	if (c->status == CGI_SEE_OTHER)
		fprintf(c->sink, "Location: %s\r\n", c->location);
	fprintf(c->sink, "Content-Type: %s\r\n", c->content_type);
	fputs("Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Content-Security-Policy: default-src 'self'; "
	    "img-src 'self' data:; style-src 'self'; script-src 'self'; "
	    "frame-ancestors 'none'\r\n", c->sink);
	fprintf(c->sink, "Content-Length: %zu\r\n\r\n", c->bodylen);
	if (c->body != NULL && (method == NULL ||
	    strcmp(method, "HEAD") != 0))
		fwrite(c->body, 1, c->bodylen, c->sink);
	fflush(c->sink);
	free(c->body);
	c->body = NULL;
	cgi_form_free(&c->query);
	cgi_form_free(&c->form);
	if (c->cfg_loaded)
		cgi_config_free(&c->cfg);
	c->cfg_loaded = false;
	return 0;
}

bool
cgi_may(const struct cgi *c, enum authz_right r)
{
	return authz_has(&c->cfg.authz, r, c->user);
}

/* --- the daemon ---------------------------------------------------------- */

/* cgi_query() and cgi_query_try(): the failures fail the page unless
 * quiet. */
static int
cgi_query_call(struct cgi *c, json_t *req, bool quiet, bool bad_request,
    json_t **data)
{
	json_t *resp = NULL, *d;
	char err[512];

	*data = NULL;
	if (c->cfg.query_socket == NULL) {
		if (!quiet)
			cgi_fail(c, CGI_UNAVAILABLE, "no query_socket: set "
			    "main_config_file in %s to pharosd's main config",
			    c->cfg.path);
		return -1;
	}
	json_object_set_new(req, "v", json_integer(1));
	json_object_set_new(req, "auth_user", json_string(c->user));
	if (query_call(c->cfg.query_socket, req, CGI_QUERY_TIMEOUT_MS, &resp,
	    err, sizeof(err)) != 0) {
		if (!quiet)
			cgi_fail(c, CGI_UNAVAILABLE, "pharosd does not "
			    "answer: %s", err);
		return -1;
	}
	if (!json_is_true(json_object_get(resp, "ok"))) {
		d = json_object_get(resp, "error");
		if (!quiet)
			cgi_fail(c, bad_request ? CGI_BAD_REQUEST :
			    CGI_UNAVAILABLE, "pharosd: %s", json_is_string(d) ?
			    json_string_value(d) : "error");
		json_decref(resp);
		return -1;
	}
	d = json_object_get(resp, "data");
	*data = json_incref(d != NULL ? d : json_null());
	json_decref(resp);
	return 0;
}

int
cgi_query_try(struct cgi *c, json_t *req, json_t **data)
{
	return cgi_query_call(c, req, true, false, data);
}

int
cgi_query(struct cgi *c, json_t *req, bool bad_request, json_t **data)
{
	return cgi_query_call(c, req, false, bad_request, data);
}

int
cgi_query_status(struct cgi *c, json_t *hosts, json_t **data)
{
	json_t *req = json_pack("{s:s}", "op", "status");
	int rc;

	if (req == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	if (hosts != NULL)
		json_object_set(req, "hosts", hosts);
	rc = cgi_query(c, req, false, data);
	json_decref(req);
	return rc;
}

const char *const cgi_problem_states[] = { "DOWN", "UNREACHABLE",
	"WARNING", "CRITICAL", "UNKNOWN", NULL };

int
cgi_query_list(struct cgi *c, json_t *hosts, const char *const *states,
    bool services, json_t **data)
{
	json_t *req = json_pack("{s:s, s:b, s:s}", "op", "status", "brief", 1,
	    "show", services ? "all" : "hosts"), *st;
	int rc;

	if (req == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	if (hosts != NULL)
		json_object_set(req, "hosts", hosts);
	if (states != NULL) {
		st = json_array();
		for (; *states != NULL; states++)
			json_array_append_new(st, json_string(*states));
		json_object_set_new(req, "filter", json_pack("{s:o}", "states",
		    st));
	}
	rc = cgi_query(c, req, false, data);
	json_decref(req);
	return rc;
}

/* --- the page frame ------------------------------------------------------ */

static const struct {
	const char *page;
	const char *label;
} cgi_nav[] = {
	{ "overview", "Overview" },
	{ "problems", "Problems" },
	{ "status", "Hosts &amp; services" },
	{ "map", "Map" },
	{ "outages", "Outages" },
	{ "log", "Event log" },
	{ "avail", "Availability" },
	{ "process", "Process" },
};

static const char *
cgi_cgi_path(const struct cgi *c)
{
	return c->cfg.url_cgi_path != NULL ? c->cfg.url_cgi_path :
	    "/cgi-bin/pharos";
}

void
cgi_page_head(struct cgi *c, const char *title, int refresh)
{
	size_t i;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n",
	    c->out);
	if (refresh > 0)
		fprintf(c->out, "<meta http-equiv=\"refresh\" "
		    "content=\"%d\">\n", refresh);
	fputs("<title>", c->out);
	cgi_put_html(c->out, title);
	fputs(" &middot; Pharos</title>\n<link rel=\"stylesheet\" href=\"",
	    c->out);
	cgi_put_attr(c->out, c->cfg.url_html_path != NULL ?
	    c->cfg.url_html_path : "/pharos");
	fputs("/pharos.css\">\n</head>\n<body>\n<header class=\"top\">"
	    "<a class=\"brand\" href=\"", c->out);
	cgi_put_href(c, "overview", (char *)NULL);
	fputs("\">Pharos</a>\n<nav>", c->out);
	for (i = 0; i < sizeof(cgi_nav) / sizeof(cgi_nav[0]); i++) {
		fputs("<a href=\"", c->out);
		cgi_put_href(c, cgi_nav[i].page, (char *)NULL);
		fprintf(c->out, "\"%s>%s</a>",
		    strcmp(cgi_nav[i].page, c->page) == 0 ?
		    " class=\"here\" aria-current=\"page\"" : "",
		    cgi_nav[i].label);
	}
	fputs("</nav>\n<span class=\"user\">", c->out);
	cgi_put_html(c->out, c->user);
	fputs("</span></header>\n<main>\n<h1>", c->out);
	cgi_put_html(c->out, title);
	fputs("</h1>\n", c->out);
}

void
cgi_page_foot(struct cgi *c)
{
	fputs("</main>\n<footer>Page made ", c->out);
	cgi_put_time(c, c->now);
	fputs(" for ", c->out);
	cgi_put_html(c->out, c->user);
	fputs(" &middot; Pharos " PACKAGE_VERSION "</footer>\n"
	    "</body>\n</html>\n", c->out);
}

void
cgi_put_href(struct cgi *c, const char *page, ...)
{
	const char *k, *v;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	va_list ap;
	bool first = true;

	if ((m = open_memstream(&buf, &len)) == NULL)
		return;
	fprintf(m, "%s/%s.cgi", cgi_cgi_path(c), page);
	va_start(ap, page);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		fputc(first ? '?' : '&', m);
		first = false;
		cgi_put_url(m, k);
		fputc('=', m);
		cgi_put_url(m, v);
	}
	va_end(ap);
	fclose(m);
	cgi_put_attr(c->out, buf);
	free(buf);
}

const char *
cgi_state_class(const char *state)
{
	static const char *const known[] = { "UP", "DOWN", "UNREACHABLE",
		"OK", "WARNING", "CRITICAL", "UNKNOWN", "PENDING" };
	static const char *const cls[] = { "st-up", "st-down",
		"st-unreachable", "st-ok", "st-warning", "st-critical",
		"st-unknown", "st-pending" };
	size_t i;

	for (i = 0; state != NULL && i < sizeof(known) / sizeof(known[0]);
	    i++)
		if (strcmp(state, known[i]) == 0)
			return cls[i];
	return "st-unknown";
}

void
cgi_put_state(struct cgi *c, const char *state)
{
	fprintf(c->out, "<span class=\"state %s\">", cgi_state_class(state));
	cgi_put_html(c->out, state != NULL ? state : "?");
	fputs("</span>", c->out);
}

const char *
cgi_str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

void
cgi_put_problem_cells(struct cgi *c, json_t *o, const char *host,
    const char *service, int64_t now)
{
	fputs("<tr><td>", c->out);
	cgi_put_state(c, json_string_value(json_object_get(o, "state")));
	fputs("</td><td><a href=\"", c->out);
	cgi_put_href(c, "host", "host", host, (char *)NULL);
	fputs("\">", c->out);
	cgi_put_html(c->out, host);
	fputs("</a></td><td>", c->out);
	cgi_put_html(c->out, service);
	fputs("</td><td>", c->out);
	cgi_put_age(c, json_integer_value(json_object_get(o,
	    "last_state_change")), now);
	fputs("</td><td>", c->out);
	cgi_put_html(c->out, cgi_str(o, "output"));
}
