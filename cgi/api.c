/*
 * api.cgi: the JSON API (docs/web.md), with the pages' visibility: the
 * daemon answers only with what the user may see.
 *
 *   GET  api.cgi?q=status[&host=H]      hosts, services, annotations
 *   GET  api.cgi?q=objects              hosts (name, address, parents,
 *                                       hostgroups) and services
 *   GET  api.cgi?q=log[&since=T&until=T&host=H&service=S&type=X&limit=N]
 *   GET  api.cgi?q=token                a CSRF token for commands
 *   POST api.cgi  q=command&token=..&cmd=ack&host=H[&service=S]&comment=..
 *
 * Answers {"ok":true,"data":...} or {"ok":false,"status":N,"error":"..."}
 * with the HTTP status.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"
#include "logsearch.h"
#include "strnum.h"

static void
answer(struct cgi *c, json_t *data)
{
	json_t *o = json_pack("{s:b, s:o}", "ok", 1, "data", data);
	char *s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;

	if (s == NULL) {
		cgi_fail(c, CGI_ERROR, "out of memory");
	} else {
		fputs(s, c->out);
		fputc('\n', c->out);
	}
	free(s);
	json_decref(o);
}

static const char *
param(struct cgi *c, const char *k)
{
	const char *v = cgi_param(c, k);

	return v != NULL && *v != '\0' ? v : NULL;
}

static void
objects(struct cgi *c, json_t *data)
{
	json_t *hosts = json_array(), *svcs = json_array(), *h;
	size_t i;

	json_array_foreach(json_object_get(data, "hosts"), i, h)
		json_array_append_new(hosts, json_pack("{s:O, s:O?, s:O, s:O,"
		    " s:O, s:O}", "name", json_object_get(h, "name"), "alias",
		    json_object_get(h, "alias"), "address",
		    json_object_get(h, "address"), "parents",
		    json_object_get(h, "parents"), "children",
		    json_object_get(h, "children"), "hostgroups",
		    json_object_get(h, "hostgroups")));
	json_array_foreach(json_object_get(data, "services"), i, h)
		json_array_append_new(svcs, json_pack("{s:O, s:O}", "host",
		    json_object_get(h, "host"), "description",
		    json_object_get(h, "description")));
	answer(c, json_pack("{s:o, s:o, s:O}", "hosts", hosts, "services",
	    svcs, "hostgroups", json_object_get(data, "hostgroups")));
}

static void
log_q(struct cgi *c)
{
	json_t *req = json_pack("{s:s}", "op", "log"), *data = NULL;
	const char *k[] = { "since", "until" };
	int64_t t;
	long lim;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (param(c, k[i]) == NULL)
			continue;
		if (logsearch_parse_time(param(c, k[i]), c->now, &t) != 0 ||
		    t < 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "%s: not a time", k[i]);
			json_decref(req);
			return;
		}
		json_object_set_new(req, k[i], json_integer(t));
	}
	if (param(c, "limit") != NULL) {
		if (strnum_long(param(c, "limit"), 1, 5000, &lim) != 0) {
			cgi_fail(c, CGI_BAD_REQUEST, "limit must be 1 to 5000");
			json_decref(req);
			return;
		}
		json_object_set_new(req, "limit", json_integer(lim));
	}
	if (param(c, "host") != NULL)
		json_object_set_new(req, "host", json_string(param(c, "host")));
	if (param(c, "service") != NULL)
		json_object_set_new(req, "service",
		    json_string(param(c, "service")));
	if (param(c, "type") != NULL)
		json_object_set_new(req, "types", json_pack("[s]",
		    param(c, "type")));
	if (cgi_query(c, req, true, &data) == 0)
		answer(c, data);
	json_decref(req);
}

static void
token(struct cgi *c)
{
	unsigned char key[32];
	char tok[128];
	int rc;

	rc = cgi_csrf_key(c, key, sizeof(key));
	if (rc == 0)
		rc = cgi_csrf_make(key, sizeof(key), c->user,
		    c->now + CGI_CSRF_LIFETIME, tok, sizeof(tok));
	sodium_memzero(key, sizeof(key));
	if (rc != 0) {
		cgi_fail(c, CGI_ERROR, "csrf_secret_file: %s", strerror(-rc));
		return;
	}
	answer(c, json_pack("{s:s, s:I}", "token", tok, "expires",
	    (json_int_t)(c->now + CGI_CSRF_LIFETIME)));
}

int
main(void)
{
	static const struct cgi_allow get[] = { { "q", 16 },
		{ "host", 1024 }, { "service", 1024 }, { "since", 64 },
		{ "until", 64 }, { "type", 64 }, { "limit", 8 },
		{ "brief", 1 }, { NULL, 0 } };
	static const struct cgi_allow post[] = { { "q", 16 },
		{ "token", 128 }, { "cmd", 16 }, { "host", 1024 },
		{ "service", 1024 }, { "comment", 1024 }, { "hours", 8 },
		{ "sticky", 1 }, { "back", 16 }, { NULL, 0 } };
	const char *q;
	struct cgi c;
	json_t *data = NULL, *names = NULL;

	if (cgi_begin(&c, "api", get, post) != 0)
		return cgi_end(&c);
	cgi_set_content_type(&c, "application/json");
	q = cgi_param(&c, "q");
	if (q == NULL) {
		cgi_fail(&c, CGI_BAD_REQUEST, "q must be status, objects, log,"
		    " token or (POST) command");
	} else if (c.post) {
		if (strcmp(q, "command") != 0)
			cgi_fail(&c, CGI_BAD_REQUEST, "POST is for "
			    "q=command");
		else if (cgi_cmd_run(&c) == 0) {
			c.status = CGI_OK; /* no redirect for the API */
			answer(&c, json_pack("{s:b}", "done", 1));
		}
	} else if (strcmp(q, "status") == 0 || strcmp(q, "objects") == 0) {
		if (param(&c, "host") != NULL)
			names = json_pack("[s]", param(&c, "host"));
		if ((param(&c, "brief") != NULL ? cgi_query_list(&c, names,
		    NULL, true, &data) : cgi_query_status(&c, names,
		    &data)) == 0) {
			if (strcmp(q, "objects") == 0)
				objects(&c, data);
			else
				answer(&c, json_incref(data));
		}
	} else if (strcmp(q, "log") == 0) {
		log_q(&c);
	} else if (strcmp(q, "token") == 0) {
		token(&c);
	} else {
		cgi_fail(&c, CGI_BAD_REQUEST, "q must be status, objects, log,"
		    " token or (POST) command");
	}
	json_decref(names);
	json_decref(data);
	return cgi_end(&c);
}
