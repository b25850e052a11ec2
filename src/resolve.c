/*
 * resolve: one pass over the hosts at start. A name that resolves to
 * nothing leaves its entry NULL: the host's checks then fail with a clear
 * "not an IP address" result instead of the daemon refusing to start over
 * one stale DNS record.
 */
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

/* Resolve name to a literal in buf. Returns 0 or a getaddrinfo error. */
static int
resolve_one(const char *name, char *buf, size_t len)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0)
		return rc;
	if (res->ai_family != AF_INET && res->ai_family != AF_INET6)
		rc = EAI_FAMILY;
	else
		rc = getnameinfo(res->ai_addr, res->ai_addrlen, buf,
		    (socklen_t)len, NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	return rc;
}

int
resolve_hosts(const struct objects *o, char ***out, size_t *failed)
{
	char buf[INET6_ADDRSTRLEN + 16];
	char **addrs;
	size_t i;
	int rc;

	*out = NULL;
	*failed = 0;
	addrs = calloc(o->nhosts + 1, sizeof(*addrs));
	if (addrs == NULL)
		return -ENOMEM;
	for (i = 0; i < o->nhosts; i++) {
		const struct host *h = o->hosts[i];

		if (h->address == NULL ||
		    objects_address_family(h->address) != AF_UNSPEC)
			continue;
		rc = resolve_one(h->address, buf, sizeof(buf));
		if (rc != 0) {
			log_warnx("host %s: cannot resolve '%s': %s; its "
			    "checks will fail until pharosd restarts", h->name,
			    h->address, gai_strerror(rc));
			(*failed)++;
			continue;
		}
		addrs[i] = strdup(buf);
		if (addrs[i] == NULL) {
			resolve_free(addrs, o->nhosts);
			return -ENOMEM;
		}
		log_info("host %s: %s is %s", h->name, h->address, buf);
	}
	*out = addrs;
	return 0;
}

void
resolve_free(char **addrs, size_t n)
{
	size_t i;

	if (addrs == NULL)
		return;
	for (i = 0; i < n; i++)
		free(addrs[i]);
	free(addrs);
}
