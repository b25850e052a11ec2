/*
 * cgi_cmd: the command forms and their POST (cgilib.h). GET never changes
 * anything; a POST needs a valid CSRF token, and the daemon decides
 * whether the user may (daemon_authz.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"
#include "query.h"
#include "strnum.h"

const struct cgi_allow cgi_cmd_allow[] = {
	{ "token", 128 },
	{ "cmd", 16 },
	{ "host", 1024 },
	{ "service", 1024 },
	{ "comment", 1024 },
	{ "hours", 8 },
	{ "sticky", 1 },
	{ "back", 16 },
	{ NULL, 0 },
};

/* A name or text goes into a ';'-separated line: no ';' (but in the last
 * free-text field), no line breaks. */
static bool
cgi_cmd_clean(const char *s, bool last)
{
	return s != NULL && *s != '\0' && strpbrk(s, last ? "\r\n" :
	    ";\r\n") == NULL;
}

int
cgi_cmd_line(const struct cgi *c, char *line, size_t len, char *err,
    size_t errlen)
{
	const char *cmd = cgi_form_get(&c->form, "cmd");
	const char *host = cgi_form_get(&c->form, "host");
	const char *svc = cgi_form_get(&c->form, "service");
	const char *comment = cgi_form_get(&c->form, "comment");
	const char *hours = cgi_form_get(&c->form, "hours");
	const char *sticky = cgi_form_get(&c->form, "sticky");
	long h = 2;
	int n;

	if (cmd == NULL || !cgi_cmd_clean(host, false) ||
	    (svc != NULL && !cgi_cmd_clean(svc, false))) {
		snprintf(err, errlen, "a command needs cmd and host");
		return -EINVAL;
	}
	if (strcmp(cmd, "recheck") == 0)
		n = svc != NULL ?
		    snprintf(line, len, "SCHEDULE_FORCED_SVC_CHECK;%s;%s;%lld",
		    host, svc, (long long)c->now) :
		    snprintf(line, len, "SCHEDULE_FORCED_HOST_CHECK;%s;%lld",
		    host, (long long)c->now);
	else if (strcmp(cmd, "unack") == 0)
		n = svc != NULL ?
		    snprintf(line, len, "REMOVE_SVC_ACKNOWLEDGEMENT;%s;%s",
		    host, svc) :
		    snprintf(line, len, "REMOVE_HOST_ACKNOWLEDGEMENT;%s", host);
	else {
		if (!cgi_cmd_clean(comment, true)) {
			snprintf(err, errlen, "a comment is needed");
			return -EINVAL;
		}
		if (strcmp(cmd, "ack") == 0) {
			const char *st = sticky != NULL &&
			    strcmp(sticky, "1") == 0 ? "2" : "1";

			n = svc != NULL ? snprintf(line, len,
			    "ACKNOWLEDGE_SVC_PROBLEM;%s;%s;%s;1;1;%s;%s", host,
			    svc, st, c->user, comment) : snprintf(line, len,
			    "ACKNOWLEDGE_HOST_PROBLEM;%s;%s;1;1;%s;%s", host, st,
			    c->user, comment);
		} else if (strcmp(cmd, "comment") == 0) {
			n = svc != NULL ? snprintf(line, len,
			    "ADD_SVC_COMMENT;%s;%s;1;%s;%s", host, svc, c->user,
			    comment) : snprintf(line, len,
			    "ADD_HOST_COMMENT;%s;1;%s;%s", host, c->user,
			    comment);
		} else if (strcmp(cmd, "downtime") == 0) {
			if (hours != NULL && strnum_long(hours, 1, 8760,
			    &h) != 0) {
				snprintf(err, errlen, "hours must be 1 to "
				    "8760");
				return -EINVAL;
			}
			n = svc != NULL ? snprintf(line, len,
			    "SCHEDULE_SVC_DOWNTIME;%s;%s;%lld;%lld;1;0;%ld;%s;%s",
			    host, svc, (long long)c->now,
			    (long long)(c->now + h * 3600), h * 3600, c->user,
			    comment) : snprintf(line, len,
			    "SCHEDULE_HOST_DOWNTIME;%s;%lld;%lld;1;0;%ld;%s;%s",
			    host, (long long)c->now,
			    (long long)(c->now + h * 3600), h * 3600, c->user,
			    comment);
		} else {
			snprintf(err, errlen, "unknown command '%.20s'", cmd);
			return -EINVAL;
		}
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "command too long");
		return -EINVAL;
	}
	return 0;
}

int
cgi_cmd_run(struct cgi *c)
{
	const char *back = cgi_form_get(&c->form, "back");
	const char *host = cgi_form_get(&c->form, "host");
	char line[4096], err[256], *url = NULL;
	size_t ulen = 0;
	json_t *req, *resp = NULL, *msg;
	FILE *m;
	int rc;

	if (!cgi_csrf_check(c))
		return -1;
	if (cgi_cmd_line(c, line, sizeof(line), err, sizeof(err)) != 0) {
		cgi_fail(c, CGI_BAD_REQUEST, "%s", err);
		return -1;
	}
	if (c->cfg.query_socket == NULL) {
		cgi_fail(c, CGI_UNAVAILABLE, "no query_socket configured");
		return -1;
	}
	req = json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "op", "command",
	    "line", line, "auth_user", c->user);
	if (req == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	rc = query_call(c->cfg.query_socket, req, 10000, &resp, err,
	    sizeof(err));
	json_decref(req);
	if (rc != 0) {
		cgi_fail(c, CGI_UNAVAILABLE, "pharosd does not answer: %s",
		    err);
		return -1;
	}
	if (!json_is_true(json_object_get(resp, "ok"))) {
		/* the daemon refused: not allowed, or no such object */
		msg = json_object_get(resp, "error");
		cgi_fail(c, CGI_FORBIDDEN, "refused: %s", json_is_string(msg) ?
		    json_string_value(msg) : "error");
		json_decref(resp);
		return -1;
	}
	json_decref(resp);
	if ((m = open_memstream(&url, &ulen)) == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
		return -1;
	}
	fprintf(m, "%s/", c->cfg.url_cgi_path != NULL ?
	    c->cfg.url_cgi_path : "/cgi-bin/pharos");
	if (back != NULL && strcmp(back, "host") == 0) {
		fputs("host.cgi?host=", m);
		cgi_put_url(m, host);
	} else
		fputs("problems.cgi", m);
	fclose(m);
	cgi_redirect(c, url);
	free(url);
	return 0;
}

static void
cgi_cmd_form_start(struct cgi *c, const char *cmd, const char *host,
    const char *service, const char *back)
{
	fputs("<form method=\"post\" class=\"cmd\" action=\"", c->out);
	cgi_put_href(c, "problems", (char *)NULL);
	fputs("\">", c->out);
	cgi_csrf_field(c);
	fprintf(c->out, "<input type=\"hidden\" name=\"cmd\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"host\" value=\"", cmd);
	cgi_put_attr(c->out, host);
	fputs("\">", c->out);
	if (service != NULL) {
		fputs("<input type=\"hidden\" name=\"service\" value=\"",
		    c->out);
		cgi_put_attr(c->out, service);
		fputs("\">", c->out);
	}
	fputs("<input type=\"hidden\" name=\"back\" value=\"", c->out);
	cgi_put_attr(c->out, back);
	fputs("\">", c->out);
}

void
cgi_put_cmd_forms(struct cgi *c, const char *host, const char *service,
    bool acked, const char *back)
{
	if (cgi_may(c, AUTHZ_READ_ONLY))
		return;
	fputs("<div class=\"cmds\">", c->out);
	if (acked) {
		cgi_cmd_form_start(c, "unack", host, service, back);
		fputs("<button>Remove acknowledgement</button></form>",
		    c->out);
	} else {
		cgi_cmd_form_start(c, "ack", host, service, back);
		fputs("<input name=\"comment\" required maxlength=\"1024\" "
		    "placeholder=\"acknowledgement\" aria-label=\"comment\">"
		    "<label><input type=\"checkbox\" name=\"sticky\" "
		    "value=\"1\">sticky</label>"
		    "<button>Acknowledge</button></form>", c->out);
	}
	cgi_cmd_form_start(c, "downtime", host, service, back);
	fputs("<input name=\"comment\" required maxlength=\"1024\" "
	    "placeholder=\"downtime reason\" aria-label=\"downtime reason\">"
	    "<input name=\"hours\" type=\"number\" min=\"1\" max=\"8760\" "
	    "value=\"2\" aria-label=\"hours\">h"
	    "<button>Schedule downtime</button></form>", c->out);
	cgi_cmd_form_start(c, "comment", host, service, back);
	fputs("<input name=\"comment\" required maxlength=\"1024\" "
	    "placeholder=\"comment\" aria-label=\"comment\">"
	    "<button>Add comment</button></form>", c->out);
	cgi_cmd_form_start(c, "recheck", host, service, back);
	fputs("<button>Re-check now</button></form></div>", c->out);
}
