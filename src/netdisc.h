/*
 * netdisc: what network discovery learns of devices, on the loop the
 * client commands run (`pharos discover`, `pharos topology`; docs/
 * discovery.md, docs/topology.md).
 *
 * - netdisc_sweep(): which addresses of IPv4/IPv6 ranges answer ICMP echo,
 *   on the daemon's prober (probes/icmp.h), paced and with a bounded
 *   number of probes in flight, or, on the monitor's own subnets, ARP
 *   (netdisc_sweep_arp(), probes/arp.h).
 * - netdisc_poll(): for each device, over SNMP (probes/snmp.h): the
 *   system group (sysDescr, sysObjectID, sysName, sysServices,
 *   snmpEngineID) and given extra OIDs, its own addresses (ipAdEntAddr,
 *   ipAddressIfIndex) and MACs (ifPhysAddress); with NETDISC_TABLES also
 *   the evidence tables: LLDP-MIB lldpRemTable and lldpRemManAddrTable
 *   with the local port names, the bridge forwarding tables
 *   (dot1dTpFdbTable, dot1qTpFdbTable) and the ARP tables
 *   (ipNetToMediaTable, ipNetToPhysicalTable). All devices at once, one
 *   request at a time per agent; rows that cannot be parsed are dropped
 *   and counted per device.
 * - netdisc_feed(): the devices as hosts and evidence of a topology
 *   (topology.h).
 */
#ifndef PHAROS_NETDISC_H
#define PHAROS_NETDISC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp.h"

struct loop;
struct topo;

#define NETDISC_NAME_MAX 128
#define NETDISC_ADDR_MAX 64       /* numeric address text */
#define NETDISC_ROWS_MAX 100000   /* rows kept per table of one device */
#define NETDISC_EXTRA_MAX 32      /* extra OIDs of the system GET */
#define NETDISC_SWEEP_MAX 65536   /* addresses of one sweep (a /16) */
#define NETDISC_SWEEP6_BITS 16    /* IPv6 ranges: a /112 at most */

struct netdisc_lldp {
	long time, lport, index;   /* the row's index */
	bool chassis_mac;          /* chassis ID subtype 4, 6 bytes */
	uint8_t chassis[6];
	char sysname[NETDISC_NAME_MAX];
	char mgmt[NETDISC_ADDR_MAX]; /* first management address, "" */
};

struct netdisc_port {
	long lport;
	char name[64];
};

struct netdisc_fdb {
	long port;
	uint8_t mac[6];
};

struct netdisc_arp {
	char addr[NETDISC_ADDR_MAX];
	uint8_t mac[6];
	bool has_mac;
};

struct netdisc_dev {
	char addr[NETDISC_ADDR_MAX];  /* polled at */
	char name[NETDISC_NAME_MAX];  /* the host name ("" until named) */
	bool by_arp;                  /* the sweep found it by ARP only */
	struct snmp_target t;         /* t.addr is addr */
	/* outcome of the system GET */
	bool snmp_ok;
	char error[256];
	char sysdescr[256];
	char sysobjectid[128];
	char sysname[NETDISC_NAME_MAX];
	long services;                /* -1 unknown */
	char engine_id[2 * 32 + 1];   /* hex, "" unknown */
	bool has[NETDISC_EXTRA_MAX];  /* extra OID i answered a value */
	/* tables */
	char (*addrs)[NETDISC_ADDR_MAX];
	size_t naddrs;
	uint8_t (*macs)[6];
	size_t nmacs;
	struct netdisc_lldp *lldp;
	size_t nlldp;
	struct netdisc_port *ports;
	size_t nports;
	struct netdisc_fdb *fdb;
	size_t nfdb;
	struct netdisc_arp *arp;
	size_t narp;
	uint64_t dropped;             /* rows that could not be parsed */
	unsigned failed_walks;        /* walks that timed out or failed */
	/* private: requests in flight */
	int pending;
};

/* Free the tables of d (not d itself). */
void netdisc_dev_clear(struct netdisc_dev *d);

enum {
	NETDISC_SYSTEM = 0x1,  /* the system GET, addresses and MACs */
	NETDISC_TABLES = 0x2,  /* LLDP, FDB, ARP */
};

struct netdisc_run;
/* Called once when every request of a run ended (normally or cancelled). */
typedef void netdisc_done_fn(void *arg);

/* Start polling the n devices (d[i].t and d[i].addr set; d and extra
 * borrowed until done) on poller p: what and extra as for netdisc_poll().
 * Returns how many requests were started; 0: nothing to do (or out of
 * memory), done is never called. Else done(arg) fires exactly once,
 * never from inside this call, and the run frees itself after it;
 * *out is its handle until then. */
size_t netdisc_start(struct snmp_poller *p, struct netdisc_dev *d,
    size_t n, unsigned what, const char *const *extra, size_t nextra,
    netdisc_done_fn *done, void *arg, struct netdisc_run **out);
/* Cancel every request of run: done fires now. */
void netdisc_cancel(struct netdisc_run *run);

/* Poll the n devices (d[i].t set, d[i].addr set) on poller p, running
 * loop until every request ended or bound_ns (monotonic, absolute)
 * passed (the rest are cancelled). extra: OIDs added to the system GET
 * (d[i].has[k] tells whether oid k answered), at most NETDISC_EXTRA_MAX.
 * Returns 0, or -errno when the loop failed. */
int netdisc_poll(struct loop *loop, struct snmp_poller *p,
    struct netdisc_dev *d, size_t n, unsigned what,
    const char *const *extra, size_t nextra, int64_t bound_ns)
    __attribute__((warn_unused_result));

/* Take one row of a table netdisc_poll() walks (chosen by its OID) into
 * d, as the poll does: a malformed row is dropped and counted in
 * d->dropped. Returns 0, or -ENOENT for an OID outside those tables. For
 * tests and for tables obtained some other way. */
int netdisc_row(struct netdisc_dev *d, const struct snmp_vb *vb);

/* Register each named device of d as a host of t (name, addresses, MACs,
 * sysName as alias) and then their LLDP, FDB and ARP rows as evidence.
 * Returns 0 or -ENOMEM. */
int netdisc_feed(struct topo *t, const struct netdisc_dev *d, size_t n)
    __attribute__((warn_unused_result));

/* The whole inference: a new topology (*out, caller frees) with the
 * monitor's own addresses (getifaddrs), the named devices of d and their
 * evidence (netdisc_feed), the monitor's route to each (netlink, as `ip
 * route get`; *route_fail counts lookups that failed), solved. Returns 0
 * or -ENOMEM. */
int netdisc_topology(const struct netdisc_dev *d, size_t n,
    struct topo **out, unsigned *route_fail)
    __attribute__((warn_unused_result));

/* One address of a sweep that answered. */
struct netdisc_alive {
	char addr[NETDISC_ADDR_MAX];
	bool by_arp;   /* only ARP answered (ICMP echo did not) */
};

/* How an address of a sweep answered (netdisc_sweep_arp()'s alive[]). */
enum { NETDISC_BY_ICMP = 1, NETDISC_BY_ARP = 2 };

/* What the ARP half of a sweep did. */
struct netdisc_arp_stats {
	size_t candidates; /* silent to ICMP, in a subnet of the monitor's */
	size_t handles;    /* capture handles opened (0: not root) */
	size_t asked;      /* probes started */
	size_t found;      /* answered ARP */
	size_t skipped;    /* could not be asked (routed elsewhere, ...) */
	size_t unfinished; /* left when the time bound passed */
};

/* Ping every host address of the IPv4 and IPv6 CIDR ranges (IPv4:
 * network and broadcast addresses of prefixes shorter than /31 left out;
 * IPv6: /112 or longer, the all-zero subnet-router anycast address of
 * prefixes shorter than /127 left out; at most NETDISC_SWEEP_MAX in all)
 * once each, rate requests per second, a reply
 * awaited timeout_ms after each request, at most 16384 in flight; then
 * ask the silent ones on the monitor's own subnets by ARP
 * (netdisc_sweep_arp(); *arp, may be NULL, says what it did). Sets *out
 * (caller frees) to those that answered, in address order. Returns 0,
 * -EINVAL (bad range, err filled), or -errno (no ICMP socket: err
 * filled). */
int netdisc_sweep(struct loop *loop, const char *const *ranges,
    size_t nranges, int rate, int timeout_ms, struct netdisc_alive **out,
    size_t *nout, struct netdisc_arp_stats *arp, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* The ARP half of a sweep: of the n addresses (IPv4 ones as
 * ::ffff:a.b.c.d) those with alive[i] == 0 that lie in the subnet of an
 * up interface address of the monitor (not that address itself) are
 * asked with one ARP request (IPv6: neighbour solicitation) each
 * (probes/arp.h: capture handles opened on those interfaces only, which
 * needs root; without, nothing is asked and st->handles is 0), rate
 * requests per second, at most 256 in flight, a reply awaited
 * timeout_ms; those that answer get alive[i] = NETDISC_BY_ARP. Returns 0
 * or -errno (out of memory, loop failure). */
int netdisc_sweep_arp(struct loop *loop, const struct in6_addr *addr,
    uint8_t *alive, size_t n, int rate, int timeout_ms,
    struct netdisc_arp_stats *st) __attribute__((warn_unused_result));
/* Parse "A.B.C.D/LEN" (or a bare address, /32) into the first and last
 * address in host order. Returns 0 or -EINVAL. */
int netdisc_cidr(const char *s, uint32_t *first, uint32_t *last)
    __attribute__((warn_unused_result));
/* Parse "X:Y::Z/LEN" (or a bare address, /128) into its first address to
 * sweep and how many there are. Returns 0, -EINVAL, or -E2BIG when LEN
 * is shorter than 128 - NETDISC_SWEEP6_BITS. */
int netdisc_cidr6(const char *s, struct in6_addr *first, uint32_t *count)
    __attribute__((warn_unused_result));
/* 0 when s is a range netdisc_sweep() takes; else -EINVAL with err
 * saying why (not an address, an IPv6 prefix too short). */
int netdisc_range_check(const char *s, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
