/*
 * outages.cgi: the root-cause view (docs/web.md). An outage is a DOWN
 * host none of whose parents is DOWN or UNREACHABLE: the hosts behind it
 * (its children, recursively) that are UNREACHABLE are the ones it cuts
 * off, and their services, and its own, are the ones it hides. Computed
 * from what the user sees.
 */
#include <stdlib.h>
#include <string.h>

#include "cgilib.h"

#define MAX_DEPTH 256

static bool
down_or_unreach(json_t *h)
{
	return h != NULL && (strcmp(cgi_str(h, "state"), "DOWN") == 0 ||
	    strcmp(cgi_str(h, "state"), "UNREACHABLE") == 0);
}

/* Collect into cut the UNREACHABLE hosts behind h (by name in byname);
 * seen guards against loops and repeats. */
static void
behind(json_t *byname, json_t *h, json_t *cut, json_t *seen, int depth)
{
	size_t i;
	json_t *ch, *k;

	if (depth > MAX_DEPTH)
		return;
	json_array_foreach(json_object_get(h, "children"), i, ch) {
		const char *n = json_string_value(ch);

		k = json_object_get(byname, n);
		if (k == NULL || json_object_get(seen, n) != NULL ||
		    strcmp(cgi_str(k, "state"), "UNREACHABLE") != 0)
			continue;
		json_object_set_new(seen, n, json_true());
		json_array_append(cut, k);
		behind(byname, k, cut, seen, depth + 1);
	}
}

int
main(void)
{
	static const struct cgi_allow get[] = { { NULL, 0 } };
	static const char *const down[] = { "DOWN", "UNREACHABLE", NULL };
	struct cgi c;
	json_t *data = NULL, *hosts, *byname, *h, *p, *cut, *seen, *k;
	size_t i, j, nout = 0, hidden;
	bool root;
	int64_t now;

	if (cgi_begin(&c, "outages", get, NULL) != 0)
		return cgi_end(&c);
	/* Only DOWN and UNREACHABLE hosts matter: a parent that is not
	 * among them is up (or not checked yet). */
	if (cgi_query_list(&c, NULL, down, false, &data) != 0)
		return cgi_end(&c);
	hosts = json_object_get(data, "hosts");
	now = json_integer_value(json_object_get(json_object_get(data,
	    "program"), "now"));
	byname = json_object();
	json_array_foreach(hosts, i, h)
		json_object_set(byname, cgi_str(h, "name"), h);
	cgi_page_head(&c, "Outages", c.cfg.refresh_rate);
	fputs("<p>Each DOWN host whose parents are all up is the cause of an "
	    "outage; the hosts behind it are UNREACHABLE and their services "
	    "are hidden until it is back.</p>\n<table class=\"list\"><thead>"
	    "<tr><th>Cause</th><th>Down for</th><th>Hosts cut off</th>"
	    "<th>Services hidden</th><th>Output</th></tr></thead><tbody>\n",
	    c.out);
	json_array_foreach(hosts, i, h) {
		if (strcmp(cgi_str(h, "state"), "DOWN") != 0)
			continue;
		root = true;
		json_array_foreach(json_object_get(h, "parents"), j, p)
			if (down_or_unreach(json_object_get(byname,
			    json_string_value(p))))
				root = false;
		if (!root)
			continue;
		nout++;
		cut = json_array();
		seen = json_object();
		behind(byname, h, cut, seen, 0);
		hidden = (size_t)json_integer_value(json_object_get(h,
		    "nservices"));
		json_array_foreach(cut, j, k)
			hidden += (size_t)json_integer_value(json_object_get(k,
			    "nservices"));
		fputs("<tr><td>", c.out);
		cgi_put_state(&c, "DOWN");
		fputs(" <a href=\"", c.out);
		cgi_put_href(&c, "host", "host", cgi_str(h, "name"),
		    (char *)NULL);
		fputs("\">", c.out);
		cgi_put_html(c.out, cgi_str(h, "name"));
		fputs("</a></td><td>", c.out);
		cgi_put_age(&c, json_integer_value(json_object_get(h,
		    "last_state_change")), now);
		fprintf(c.out, "</td><td>%zu", json_array_size(cut));
		json_array_foreach(cut, j, k) {
			fputs(j == 0 ? ": <a href=\"" : ", <a href=\"", c.out);
			cgi_put_href(&c, "host", "host", cgi_str(k, "name"),
			    (char *)NULL);
			fputs("\">", c.out);
			cgi_put_html(c.out, cgi_str(k, "name"));
			fputs("</a>", c.out);
		}
		fprintf(c.out, "</td><td>%zu</td><td>", hidden);
		cgi_put_html(c.out, cgi_str(h, "output"));
		fputs("</td></tr>\n", c.out);
		json_decref(cut);
		json_decref(seen);
	}
	if (nout == 0)
		fputs("<tr><td colspan=\"5\" class=\"allgood\">No outage."
		    "</td></tr>\n", c.out);
	fputs("</tbody></table>\n", c.out);
	cgi_page_foot(&c);
	json_decref(byname);
	json_decref(data);
	return cgi_end(&c);
}
