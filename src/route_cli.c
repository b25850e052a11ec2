/*
 * route_cli: `pharos route`. Each target is resolved (a literal, or a name
 * through getaddrinfo), then asked of the kernel with
 * netlink_route_lookup(); nothing is cached.
 */
#include "config.h"

#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "netlink.h"
#include "route_cli.h"

static void
route_cli_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pharos route [-4|-6] HOST|ADDR...\n"
	    "\n"
	    "The kernel's route towards each target, as pharosd uses it:\n"
	    "  ADDR [via GATEWAY] dev INTERFACE [src SOURCE] link up|down\n"
	    "\n"
	    "  -4, -6   resolve names to IPv4 or IPv6 only\n"
	    "exit status: 0 every target has a route, 1 some has none, "
	    "2 usage error\n");
}

static int
route_one(const char *target, int family)
{
	struct addrinfo hints, *res = NULL;
	struct sockaddr_storage dst;
	struct netlink_route r;
	char err[256], a[INET6_ADDRSTRLEN], gw[INET6_ADDRSTRLEN];
	char src[INET6_ADDRSTRLEN];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(target, NULL, &hints, &res);
	if (rc != 0 || res == NULL) {
		fprintf(stderr, "pharos route: %s: %s\n", target,
		    rc != 0 ? gai_strerror(rc) : "no address");
		return 1;
	}
	memset(&dst, 0, sizeof(dst));
	memcpy(&dst, res->ai_addr, res->ai_addrlen < sizeof(dst) ?
	    res->ai_addrlen : sizeof(dst));
	freeaddrinfo(res);
	netlink_addr_text(&dst, a, sizeof(a));
	rc = netlink_route_lookup((const struct sockaddr *)&dst, &r, err,
	    sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "pharos route: %s: %s\n", a, err);
		return 1;
	}
	printf("%s", a);
	if (!r.onlink)
		printf(" via %s", netlink_addr_text(&r.gateway, gw, sizeof(gw)));
	printf(" dev %s", r.ifname[0] != '\0' ? r.ifname : "?");
	if (r.src.ss_family != AF_UNSPEC)
		printf(" src %s", netlink_addr_text(&r.src, src, sizeof(src)));
	printf(" link %s\n", r.link_up ? "up" : "down");
	return 0;
}

int
route_cli_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int family = AF_UNSPEC, c, rc = 0;

	while ((c = getopt_long(argc, argv, "46h", longopts, NULL)) != -1) {
		switch (c) {
		case '4':
			family = AF_INET;
			break;
		case '6':
			family = AF_INET6;
			break;
		case 'h':
			route_cli_usage(stdout);
			return 0;
		default:
			route_cli_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "pharos route: give at least one HOST or "
		    "ADDR\n");
		route_cli_usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (route_one(argv[i], family) != 0)
			rc = 1;
	fflush(stdout);
	return rc;
}
