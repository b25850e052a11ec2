/*
 * topology: which host is the parent of which, inferred from evidence
 * tables, as a tree rooted at the monitor. Pure: no I/O, no SNMP; callers
 * (pharos discover, pharos topology) collect the tables and feed them in.
 *
 * Hosts are registered with their addresses, MAC addresses and LLDP
 * system names. Evidence then names two ends by what the tables hold (an
 * address, a MAC, a name); an end that matches no host is dropped and
 * counted, and so is evidence from a host about itself. Each piece of
 * evidence makes an undirected edge with a cost by how much it says:
 *
 *   route on-link (the monitor reaches the host directly)    1
 *   LLDP neighbour (lldpRemTable, either side reporting)     1
 *   bridge FDB, the only known MAC on that port              1
 *   ARP/neighbour table entry (ipNetToMedia, ipNetToPhysical) 4
 *   bridge FDB, a port where several known MACs were learned 64
 *   gateway: the target is reached through that gateway     4096
 *
 * The tree is the cheapest path from the monitor to each host (Dijkstra),
 * so strong evidence wins over weak, a longer chain of LLDP links wins
 * over one shared FDB port, cycles are harmless, and the gateway rule only
 * places hosts nothing else reaches. Equal-cost choices are broken by the
 * parent's name and the host is marked ambiguous. A host no evidence
 * reaches is unplaced.
 */
#ifndef PHAROS_TOPOLOGY_H
#define PHAROS_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct topo;

#define TOPO_NAME_MAX 128   /* host names and LLDP names, with the NUL */
#define TOPO_EV_TEXT 192    /* one line of evidence */
#define TOPO_EV_KEEP 8      /* evidence lines kept per edge */
#define TOPO_MONITOR "(monitor)" /* how the root is named in texts */

enum topo_ev_kind {
	TOPO_EV_ONLINK,
	TOPO_EV_LLDP,
	TOPO_EV_FDB,
	TOPO_EV_ARP,
	TOPO_EV_FDB_SHARED,
	TOPO_EV_GATEWAY,
};

/* Input dropped or used; every topo_ev_* call counts once. */
struct topo_counters {
	uint64_t evidence;      /* calls made */
	uint64_t used;          /* became (part of) an edge */
	uint64_t unknown;       /* an end matched no host (address, MAC or
				   name nobody has) */
	uint64_t self;          /* both ends the same host */
	uint64_t bad;           /* malformed: bad address text, unknown
				   reporter, empty name */
};

/* Where one host ended up. Strings are owned by the topo: valid until
 * topo_free(). */
struct topo_place {
	const char *name;
	bool placed;            /* false: no evidence reaches it */
	const char *parent;     /* NULL: a child of the monitor itself */
	unsigned depth;         /* 1 for the monitor's children */
	uint32_t cost;
	bool ambiguous;         /* another parent was just as good */
	const char *other;      /* that parent (NULL: the monitor) */
	enum topo_ev_kind kind; /* the strongest evidence of the edge */
	size_t nev;             /* evidence lines of the edge, at most
				   TOPO_EV_KEEP */
	const char *const *ev;
	size_t nev_total;       /* including those not kept */
};

/* Returns 0 or -ENOMEM. Caller frees with topo_free(). */
int topo_new(struct topo **out) __attribute__((warn_unused_result));
void topo_free(struct topo *t);

/* Register a host (name borrowed, copied). Returns 0, -EEXIST, -EINVAL
 * (empty or too long), -ENOMEM. Only before topo_solve(). */
int topo_host_add(struct topo *t, const char *name)
    __attribute__((warn_unused_result));
/* One more numeric IPv4/IPv6 address of a host (NULL: the monitor's own).
 * -EINVAL for a bad address, -ENOENT for an unknown host. An address
 * already held by another host stays with the first (counted as bad). */
int topo_host_addr(struct topo *t, const char *host, const char *addr)
    __attribute__((warn_unused_result));
/* One more MAC of a host (an interface's ifPhysAddress). All-zero and
 * broadcast/multicast MACs are refused (-EINVAL). */
int topo_host_mac(struct topo *t, const char *host, const uint8_t mac[6])
    __attribute__((warn_unused_result));
/* The name the host gives itself (sysName, LLDP system name). */
int topo_host_alias(struct topo *t, const char *host, const char *alias)
    __attribute__((warn_unused_result));

/* Evidence. Each returns 0 when used, -ENOENT when an end matched no host,
 * -EINVAL when malformed, -ENOMEM; callers may ignore the value (the
 * counters tell). A NULL reporter is the monitor. */

/* The monitor's route to target: gateway NULL when on-link, else the
 * next hop's address; ifname may be NULL. */
int topo_ev_route(struct topo *t, const char *target, const char *gateway,
    const char *ifname);
/* An lldpRemTable row of reporter: the neighbour seen on local port
 * (name, may be NULL), known by management address, chassis MAC (NULL if
 * the chassis ID is not a MAC) or system name (either may be NULL; the
 * first that matches a host decides). */
int topo_ev_lldp(struct topo *t, const char *reporter, const char *port,
    const char *mgmt_addr, const uint8_t *chassis_mac, const char *sysname);
/* A dot1dTpFdbTable/dot1qTpFdbTable row: mac learned on bridge port. */
int topo_ev_fdb(struct topo *t, const char *reporter, long port,
    const uint8_t mac[6]);
/* An ipNetToMediaTable/ipNetToPhysicalTable row: addr at mac (mac may be
 * NULL). */
int topo_ev_arp(struct topo *t, const char *reporter, const char *addr,
    const uint8_t *mac);

/* Build the tree. Returns 0 or -ENOMEM. Evidence calls after it fail with
 * -EBUSY. */
int topo_solve(struct topo *t) __attribute__((warn_unused_result));

void topo_counters(const struct topo *t, struct topo_counters *out);
size_t topo_nhosts(const struct topo *t);
/* Host i in registration order, after topo_solve(); out is filled. */
int topo_place_get(const struct topo *t, size_t i, struct topo_place *out)
    __attribute__((warn_unused_result));
/* The same by host name; -ENOENT when there is no such host. */
int topo_place_find(const struct topo *t, const char *name,
    struct topo_place *out) __attribute__((warn_unused_result));
/* "on-link", "lldp", "fdb", "arp", "fdb-shared", "gateway". */
const char *topo_ev_kind_name(enum topo_ev_kind k);
/* Format a MAC as aa:bb:cc:dd:ee:ff into buf (18 bytes at least). */
void topo_mac_text(const uint8_t mac[6], char *buf, size_t len);

#endif
