/*
 * avail.cgi: availability over a period (docs/web.md), from the event
 * log and its archives: the share of time each host (and, for one host,
 * each service) spent in each hard state. Time in scheduled downtime is
 * left out of the states and shown on its own; time before the first
 * known state is "undetermined". States come from HARD alerts and the
 * CURRENT ... STATE lines written at each log rotation, so the state at
 * the start of the period is read from up to two days before it.
 *
 *   avail.cgi?period=7d[&host=H | &hostgroup=G]
 *   avail.cgi?period=custom&since=2026-11-01&until=2026-11-27
 */
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"
#include "logsearch.h"

#define LOOKBACK (2 * 86400)

enum { B_OK, B_WARN, B_BAD, B_UNREACH, B_UNDET, B_DOWNTIME, B_N };

struct obj {
	const char *host, *service;
	int state;       /* B_* of the current state */
	bool downtime;
	int64_t t;       /* last accounted time */
	int64_t sum[B_N];
};

static int
state_bucket(const char *s, size_t len)
{
	static const struct {
		const char *name;
		int b;
	} m[] = { { "UP", B_OK }, { "OK", B_OK }, { "WARNING", B_WARN },
		{ "DOWN", B_BAD }, { "CRITICAL", B_BAD },
		{ "UNREACHABLE", B_UNREACH }, { "UNKNOWN", B_UNREACH } };
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strlen(m[i].name) == len && strncmp(s, m[i].name,
		    len) == 0)
			return m[i].b;
	return -1;
}

/* Field n (0-based) of the ';'-separated text: start and length. */
static bool
field(const char *text, int n, const char **start, size_t *len)
{
	const char *p = text, *e;

	while (n-- > 0) {
		if ((p = strchr(p, ';')) == NULL)
			return false;
		p++;
	}
	e = strchr(p, ';');
	*start = p;
	*len = e != NULL ? (size_t)(e - p) : strlen(p);
	return true;
}

static void
account(struct obj *o, int64_t until, int64_t start)
{
	if (until > start && o->t < until) {
		int64_t from = o->t > start ? o->t : start;

		if (until > from)
			o->sum[o->downtime ? B_DOWNTIME : o->state] +=
			    until - from;
	}
	if (until > o->t)
		o->t = until;
}

static void
apply(struct obj *o, json_t *l, int64_t start, bool service)
{
	const char *type = cgi_str(l, "type"), *f;
	int64_t t = json_integer_value(json_object_get(l, "time"));
	size_t len;
	int b;

	account(o, t, start);
	if (strstr(type, "DOWNTIME ALERT") != NULL) {
		if (field(cgi_str(l, "text"), service ? 2 : 1, &f, &len))
			o->downtime = len == 7 && strncmp(f, "STARTED",
			    7) == 0;
		return;
	}
	if (!field(cgi_str(l, "text"), service ? 2 : 1, &f, &len) ||
	    (b = state_bucket(f, len)) < 0)
		return;
	if (strstr(type, "ALERT") != NULL) {
		const char *ty;
		size_t tl;

		if (!field(cgi_str(l, "text"), service ? 3 : 2, &ty, &tl) ||
		    tl != 4 || strncmp(ty, "HARD", 4) != 0)
			return;
	}
	o->state = b;
}

static void
pct(struct cgi *c, int64_t v, int64_t total, const char *cls)
{
	fprintf(c->out, "<td class=\"num %s\">%.3f%%</td>", v > 0 ? cls : "",
	    total > 0 ? 100.0 * (double)v / (double)total : 0.0);
}

int
main(void)
{
	static const struct cgi_allow get[] = { { "period", 16 },
		{ "since", 64 }, { "until", 64 }, { "host", 1024 },
		{ "hostgroup", 256 }, { NULL, 0 } };
	const char *period, *host, *hg;
	int64_t start, end, total;
	struct cgi c;
	json_t *data = NULL, *log = NULL, *req, *h, *g, *members = NULL, *l,
	    *index, *names;
	struct obj *objs = NULL;
	size_t i, n = 0, k;
	bool svc_mode;
	int rc;

	if (cgi_begin(&c, "avail", get, NULL) != 0)
		return cgi_end(&c);
	period = cgi_param(&c, "period");
	host = cgi_param(&c, "host");
	hg = cgi_param(&c, "hostgroup");
	if (host != NULL && *host == '\0')
		host = NULL;
	if (hg != NULL && *hg == '\0')
		hg = NULL;
	end = c.now;
	if (period == NULL || strcmp(period, "7d") == 0)
		start = end - 7 * 86400;
	else if (strcmp(period, "1d") == 0)
		start = end - 86400;
	else if (strcmp(period, "30d") == 0)
		start = end - 30 * 86400;
	else if (strcmp(period, "custom") == 0) {
		if (cgi_param(&c, "since") == NULL ||
		    logsearch_parse_time(cgi_param(&c, "since"), c.now,
		    &start) != 0 || (cgi_param(&c, "until") != NULL &&
		    logsearch_parse_time(cgi_param(&c, "until"), c.now,
		    &end) != 0) || start >= end || start < 0) {
			cgi_fail(&c, CGI_BAD_REQUEST, "a custom period needs "
			    "since (and until) as times, since before until");
			return cgi_end(&c);
		}
	} else {
		cgi_fail(&c, CGI_BAD_REQUEST, "period must be 1d, 7d, 30d or "
		    "custom");
		return cgi_end(&c);
	}
	svc_mode = host != NULL;
	names = host != NULL ? json_pack("[s]", host) : NULL;
	rc = cgi_query_list(&c, names, NULL, svc_mode, &data);
	json_decref(names);
	if (rc != 0)
		return cgi_end(&c);
	json_array_foreach(json_object_get(data, "hostgroups"), i, g)
		if (hg != NULL && strcmp(cgi_str(g, "name"), hg) == 0)
			members = json_object_get(g, "members");
	index = json_object();
	objs = calloc(json_array_size(json_object_get(data, "hosts")) +
	    json_array_size(json_object_get(data, "services")) + 1,
	    sizeof(*objs));
	if (objs == NULL || index == NULL) {
		cgi_fail(&c, CGI_ERROR, "out of memory");
		goto out;
	}
	json_array_foreach(json_object_get(data, svc_mode ? "services" :
	    "hosts"), i, h) {
		const char *name = cgi_str(h, svc_mode ? "host" : "name");
		char key[2100];

		if (hg != NULL) {
			size_t j;
			json_t *m;
			bool in = false;

			json_array_foreach(members, j, m)
				if (strcmp(json_string_value(m), name) == 0)
					in = true;
			if (!in)
				continue;
		}
		objs[n].host = name;
		objs[n].service = svc_mode ? cgi_str(h, "description") : NULL;
		objs[n].state = B_UNDET;
		objs[n].t = start - LOOKBACK;
		snprintf(key, sizeof(key), "%s;%s", name, svc_mode ?
		    objs[n].service : "");
		json_object_set_new(index, key, json_integer((json_int_t)n));
		n++;
	}
	req = json_pack("{s:s, s:I, s:I, s:i, s:[s,s,s,s,s]}", "op", "log",
	    "since", (json_int_t)(start - LOOKBACK), "until", (json_int_t)end,
	    "limit", 5000, "types", svc_mode ? "SERVICE ALERT" : "HOST ALERT",
	    svc_mode ? "CURRENT SERVICE STATE" : "CURRENT HOST STATE",
	    svc_mode ? "SERVICE DOWNTIME ALERT" : "HOST DOWNTIME ALERT",
	    "INITIAL HOST STATE", "INITIAL SERVICE STATE");
	if (host != NULL)
		json_object_set_new(req, "host", json_string(host));
	if (req == NULL || cgi_query(&c, req, false, &log) != 0) {
		json_decref(req);
		goto out;
	}
	json_decref(req);
	json_array_foreach(json_object_get(log, "lines"), i, l) {
		char key[2100];
		json_t *ix;

		if ((strstr(cgi_str(l, "type"), "SERVICE") != NULL) != svc_mode)
			continue;
		snprintf(key, sizeof(key), "%s;%s", cgi_str(l, "host"),
		    svc_mode ? cgi_str(l, "service") : "");
		if ((ix = json_object_get(index, key)) != NULL)
			apply(&objs[json_integer_value(ix)], l, start,
			    svc_mode);
	}
	cgi_page_head(&c, "Availability", 0);
	fputs("<form method=\"get\" class=\"filter\" action=\"", c.out);
	cgi_put_href(&c, "avail", (char *)NULL);
	fputs("\"><label>Period <select name=\"period\">"
	    "<option value=\"1d\">last day</option>"
	    "<option value=\"7d\" selected>last 7 days</option>"
	    "<option value=\"30d\">last 30 days</option>"
	    "<option value=\"custom\">custom</option></select></label>"
	    "<label>Since <input name=\"since\" placeholder=\"2026-11-01\">"
	    "</label><label>Until <input name=\"until\" placeholder=\"now\">"
	    "</label><label>Host <input name=\"host\" value=\"", c.out);
	cgi_put_attr(c.out, host);
	fputs("\"></label><label>Hostgroup <input name=\"hostgroup\" "
	    "value=\"", c.out);
	cgi_put_attr(c.out, hg);
	fputs("\"></label><button>Report</button></form>\n<p>From ", c.out);
	cgi_put_time(&c, start);
	fputs(" to ", c.out);
	cgi_put_time(&c, end);
	fprintf(c.out, ". Scheduled downtime is left out of the states and "
	    "shown on its own.</p>\n<table class=\"list avail\"><thead><tr>"
	    "<th>Host</th>%s<th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>Undetermined</th><th>In downtime</th></tr>"
	    "</thead><tbody>\n", svc_mode ? "<th>Service</th>" : "",
	    svc_mode ? "OK" : "Up", svc_mode ? "Warning" : "-",
	    svc_mode ? "Critical" : "Down",
	    svc_mode ? "Unknown" : "Unreachable");
	for (k = 0; k < n; k++) {
		account(&objs[k], end, start);
		total = end - start;
		fputs("<tr><td><a href=\"", c.out);
		cgi_put_href(&c, "host", "host", objs[k].host, (char *)NULL);
		fputs("\">", c.out);
		cgi_put_html(c.out, objs[k].host);
		fputs("</a></td>", c.out);
		if (svc_mode) {
			fputs("<td>", c.out);
			cgi_put_html(c.out, objs[k].service);
			fputs("</td>", c.out);
		}
		pct(&c, objs[k].sum[B_OK], total, "st-ok");
		pct(&c, objs[k].sum[B_WARN], total, "st-warning");
		pct(&c, objs[k].sum[B_BAD], total, "st-critical");
		pct(&c, objs[k].sum[B_UNREACH], total, "st-unknown");
		pct(&c, objs[k].sum[B_UNDET], total, "");
		pct(&c, objs[k].sum[B_DOWNTIME], total, "");
		fputs("</tr>\n", c.out);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"8\">Nothing to report.</td></tr>\n",
		    c.out);
	fputs("</tbody></table>\n", c.out);
	cgi_page_foot(&c);
out:
	free(objs);
	json_decref(index);
	json_decref(log);
	json_decref(data);
	return cgi_end(&c);
}
