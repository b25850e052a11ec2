/*
 * netdisc_out: the object file `pharos discover` writes, reading it back,
 * and the diff of two (docs/discovery.md).
 *
 * The file is plain Nagios syntax: one `define hostgroup` per class
 * found, one `define host` per device with host_name, alias, address,
 * device_profile, hostgroups, parents, host_check_fallback (arp, for a
 * device that answered ARP but not ICMP echo) and the SNMP keys when the
 * credentials are not the default. Values have ';' written "\;".
 * Reading takes back only the `define host` blocks with a host_name
 * (templates are skipped) and the keys above,
 * so a file edited by hand (other keys, comments, other objects) still
 * compares.
 */
#ifndef PHAROS_NETDISC_OUT_H
#define PHAROS_NETDISC_OUT_H

#include <stddef.h>
#include <stdio.h>

#define NETDISC_OUT_VAL 256

struct netdisc_host {
	char name[NETDISC_OUT_VAL];
	char alias[NETDISC_OUT_VAL];
	char address[NETDISC_OUT_VAL];
	char profile[NETDISC_OUT_VAL];   /* "" when none */
	char group[NETDISC_OUT_VAL];     /* the class */
	char parents[NETDISC_OUT_VAL];   /* "" when none */
	char fallback[NETDISC_OUT_VAL];  /* host_check_fallback: "arp" for a
					    device found by ARP only, "" */
	char note[512];                  /* a comment line, written only */
};

/* The host template written into the file when no other is named. */
#define NETDISC_OUT_TEMPLATE "discovered-device"

/* Write the hostgroups and hosts. tmpl: a host template to `use`; "" or
 * NULL: NETDISC_OUT_TEMPLATE, defined in the file (max_check_attempts 3,
 * check_interval 5, retry_interval 1); snmp_keys: extra lines for every host with a profile
 * (NULL for none). header: comment lines, written first. Returns 0 or
 * -EIO. */
int netdisc_out_write(FILE *fp, const char *header,
    const struct netdisc_host *h, size_t n, const char *tmpl,
    const char *snmp_keys) __attribute__((warn_unused_result));
/* Read the hosts of a file written before. Returns 0, -ENOENT, -EINVAL
 * (err "path:line: ..."), -ENOMEM. Caller frees *out. */
int netdisc_out_read(const char *path, struct netdisc_host **out,
    size_t *n, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Print what changed from old to cur (by host_name): "new HOST",
 * "gone HOST", "changed HOST: key OLD -> NEW". Returns the number of
 * hosts that differ. */
size_t netdisc_out_diff(FILE *fp, const struct netdisc_host *old,
    size_t nold, const struct netdisc_host *cur, size_t ncur);

#endif
