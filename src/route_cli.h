/*
 * route_cli: `pharos route [-4|-6] HOST|ADDR...`, the kernel's route
 * towards each target as pharosd sees it (probes/netlink.h): outgoing
 * interface and its state, gateway or on-link, source address. Asks the
 * kernel directly; no daemon needed.
 */
#ifndef PHAROS_ROUTE_CLI_H
#define PHAROS_ROUTE_CLI_H

/* argv[0] is "route". Prints one line per target, in the words of
 * `ip route get`: "ADDR [via GW] dev IF src SRC link up|down". Returns
 * pharos' exit code: 0 every target has a route, 1 some has none (or does
 * not resolve), 2 usage. */
int route_cli_main(int argc, char **argv);

#endif
