/*
 * netdisc: SNMP collection of discovery data and its hand-over to the
 * topology (see netdisc.h).
 *
 * Data: the caller's array of struct netdisc_dev, each growing its own
 * table arrays (capped at NETDISC_ROWS_MAX rows each); one struct
 * netdisc_run for the poll, holding the list of requests in flight so
 * that the deadline can cancel them. Every request has one struct
 * nd_req, freed by its done callback (which the poller calls exactly
 * once, also when cancelled).
 *
 * Rows are decoded from their OID index: a row whose index or value does
 * not have the shape the MIB gives it (a MAC that is not 6 bytes, an
 * address length that does not match its type, arcs above 255 where bytes
 * are expected) is dropped and counted in the device's `dropped`.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "netdisc.h"
#include "netlink.h"
#include "topology.h"

#define ND_ARCS_MAX 48

/* The walks, by the root of their subtree. */
enum nd_kind {
	ND_GET,
	ND_IPADDR,    /* ipAdEntAddr: IpAddress values */
	ND_IPADDR2,   /* ipAddressIfIndex: index type.len.addr */
	ND_MAC,       /* ifPhysAddress */
	ND_LLDP_REM,  /* lldpRemTable, every column */
	ND_LLDP_MAN,  /* lldpRemManAddrIfSubtype: index has the address */
	ND_LLDP_LOC,  /* lldpLocPortDesc */
	ND_FDB,       /* dot1dTpFdbPort: index MAC */
	ND_FDBQ,      /* dot1qTpFdbPort: index fdbId.MAC */
	ND_ARP,       /* ipNetToMediaPhysAddress: index ifIndex.a.b.c.d */
	ND_ARP2,      /* ipNetToPhysicalPhysAddress: ifIndex.type.len.addr */
};

static const char *const nd_root[] = {
	[ND_GET] = "",
	[ND_IPADDR] = ".1.3.6.1.2.1.4.20.1.1",
	[ND_IPADDR2] = ".1.3.6.1.2.1.4.34.1.3",
	[ND_MAC] = ".1.3.6.1.2.1.2.2.1.6",
	[ND_LLDP_REM] = ".1.0.8802.1.1.2.1.4.1.1",
	[ND_LLDP_MAN] = ".1.0.8802.1.1.2.1.4.2.1.3",
	[ND_LLDP_LOC] = ".1.0.8802.1.1.2.1.3.7.1.4",
	[ND_FDB] = ".1.3.6.1.2.1.17.4.3.1.2",
	[ND_FDBQ] = ".1.3.6.1.2.1.17.7.1.2.2.1.2",
	[ND_ARP] = ".1.3.6.1.2.1.4.22.1.2",
	[ND_ARP2] = ".1.3.6.1.2.1.4.35.1.4",
};

static const char *const nd_sys_oids[] = {
	".1.3.6.1.2.1.1.1.0",       /* sysDescr */
	".1.3.6.1.2.1.1.2.0",       /* sysObjectID */
	".1.3.6.1.2.1.1.5.0",       /* sysName */
	".1.3.6.1.2.1.1.7.0",       /* sysServices */
	".1.3.6.1.6.3.10.2.1.1.0",  /* snmpEngineID */
};
#define ND_NSYS (sizeof(nd_sys_oids) / sizeof(nd_sys_oids[0]))

struct nd_req {
	struct netdisc_run *run;
	struct netdisc_dev *d;
	enum nd_kind kind;
	struct snmp_req *req;
	struct nd_req *prev, *next;
};

struct netdisc_run {
	struct snmp_poller *p;
	unsigned what;
	const char *const *extra;   /* borrowed until done */
	size_t nextra;
	struct nd_req *head;
	size_t pending;
	netdisc_done_fn *done;
	void *arg;
	bool cancelling;            /* netdisc_cancel() is at work */
};

void
netdisc_dev_clear(struct netdisc_dev *d)
{
	free(d->addrs);
	free(d->macs);
	free(d->lldp);
	free(d->ports);
	free(d->fdb);
	free(d->arp);
	d->addrs = NULL;
	d->macs = NULL;
	d->lldp = NULL;
	d->ports = NULL;
	d->fdb = NULL;
	d->arp = NULL;
	d->naddrs = d->nmacs = d->nlldp = d->nports = d->nfdb = d->narp = 0;
}

/* Room for one more element in *arr of *n elements of size sz; NULL when
 * at the cap or out of memory (the row is then dropped). */
static void *
nd_push(void *arr, size_t *n, size_t sz)
{
	void **p = arr;
	void *q;

	if (*n >= NETDISC_ROWS_MAX)
		return NULL;
	if ((*n & (*n - 1)) == 0 || *n == 0) { /* grow at powers of two */
		q = realloc(*p, (*n ? *n * 2 : 1) * sz);
		if (q == NULL)
			return NULL;
		*p = q;
	}
	q = (char *)*p + *n * sz;
	memset(q, 0, sz);
	(*n)++;
	return q;
}

/* The index arcs of oid below root. Returns their number, or -1 when oid
 * is not below root or an arc is malformed. */
static int
nd_arcs(const char *oid, const char *root, unsigned long *arcs, int max)
{
	size_t rl = strlen(root);
	const char *p;
	int n = 0;

	if (strncmp(oid, root, rl) != 0 || oid[rl] != '.')
		return -1;
	p = oid + rl;
	while (*p == '.') {
		char *end;
		unsigned long v;

		p++;
		if (*p < '0' || *p > '9' || n >= max)
			return -1;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno != 0 || v > 0xffffffffUL)
			return -1;
		arcs[n++] = v;
		p = end;
	}
	return *p == '\0' ? n : -1;
}

/* An address from InetAddressType.len.bytes arcs at a (n arcs). Returns
 * the arcs used, or -1. */
static int
nd_inet_arcs(const unsigned long *a, int n, char *out, size_t len)
{
	uint8_t b[16];
	int fam, i, alen;

	if (n < 2)
		return -1;
	if (a[0] == 1 || a[0] == 3) {        /* ipv4, ipv4z */
		fam = AF_INET;
		alen = 4;
	} else if (a[0] == 2 || a[0] == 4) { /* ipv6, ipv6z */
		fam = AF_INET6;
		alen = 16;
	} else {
		return -1;
	}
	/* z types carry a 4-byte zone after the address: ignore it */
	if ((a[0] <= 2 && a[1] != (unsigned long)alen) ||
	    (a[0] > 2 && a[1] != (unsigned long)alen + 4) ||
	    n < 2 + (int)a[1])
		return -1;
	for (i = 0; i < alen; i++) {
		if (a[2 + i] > 255)
			return -1;
		b[i] = (uint8_t)a[2 + i];
	}
	if (inet_ntop(fam, b, out, (socklen_t)len) == NULL)
		return -1;
	return 2 + (int)a[1];
}

/* Addresses that name no device: loopback, link-local, unspecified. */
static bool
nd_addr_local(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strncmp(addr, "169.254.", 8) == 0 ||
	    strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::1") == 0 ||
	    strcmp(addr, "::") == 0 || strncmp(addr, "fe80:", 5) == 0;
}

static void
nd_add_addr(struct netdisc_dev *d, const char *addr)
{
	char (*slot)[NETDISC_ADDR_MAX];
	size_t i;

	if (nd_addr_local(addr))
		return;
	for (i = 0; i < d->naddrs; i++)
		if (strcmp(d->addrs[i], addr) == 0)
			return;
	slot = nd_push(&d->addrs, &d->naddrs, sizeof(*d->addrs));
	if (slot == NULL) {
		d->dropped++;
		return;
	}
	snprintf(*slot, sizeof(*slot), "%s", addr);
}

/* Printable text of a value: control bytes and non-ASCII become '?'. */
static void
nd_text(char *dst, size_t len, const struct snmp_vb *vb)
{
	size_t i, n;

	if (len == 0)
		return;
	dst[0] = '\0';
	if ((vb->type != SNMP_T_STRING && vb->type != SNMP_T_OID) ||
	    vb->bytes == NULL)
		return;
	n = vb->len < len - 1 ? vb->len : len - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = vb->bytes[i];

		dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	dst[n] = '\0';
	/* trailing NULs some agents send */
	while (n > 0 && vb->bytes[n - 1] == '\0')
		dst[--n] = '\0';
}

static bool
nd_mac(const struct snmp_vb *vb, uint8_t mac[6])
{
	if (vb->type != SNMP_T_STRING || vb->len != 6 || vb->bytes == NULL)
		return false;
	memcpy(mac, vb->bytes, 6);
	return true;
}

static struct netdisc_lldp *
nd_lldp_row(struct netdisc_dev *d, unsigned long t, unsigned long lport,
    unsigned long idx)
{
	struct netdisc_lldp *r;
	size_t i;

	for (i = d->nlldp; i-- > 0;)
		if (d->lldp[i].time == (long)t && d->lldp[i].lport == (long)lport &&
		    d->lldp[i].index == (long)idx)
			return &d->lldp[i];
	r = nd_push(&d->lldp, &d->nlldp, sizeof(*d->lldp));
	if (r == NULL)
		return NULL;
	r->time = (long)t;
	r->lport = (long)lport;
	r->index = (long)idx;
	return r;
}

static void
nd_row_lldp(struct netdisc_dev *d, const struct snmp_vb *vb,
    const unsigned long *a, int n)
{
	struct netdisc_lldp *r;

	/* column.time.lport.index */
	if (n != 4) {
		d->dropped++;
		return;
	}
	if (a[0] != 4 && a[0] != 5 && a[0] != 9)
		return; /* a column we do not use */
	if ((a[0] == 4) != (vb->type == SNMP_T_INTEGER) ||
	    (a[0] != 4 && vb->type != SNMP_T_STRING)) {
		d->dropped++; /* not the column's type */
		return;
	}
	r = nd_lldp_row(d, a[1], a[2], a[3]);
	if (r == NULL) {
		d->dropped++;
		return;
	}
	if (a[0] == 4) {
		/* chassis subtype 4 is macAddress; the walk gives it before
		 * the ID (column 5) */
		r->chassis_mac = vb->i == 4;
	} else if (a[0] == 5) {
		if (r->chassis_mac && vb->type == SNMP_T_STRING &&
		    vb->len == 6 && vb->bytes != NULL)
			memcpy(r->chassis, vb->bytes, 6);
		else
			r->chassis_mac = false;
	} else {
		nd_text(r->sysname, sizeof(r->sysname), vb);
	}
}

static void
nd_row(struct netdisc_dev *d, enum nd_kind kind, const struct snmp_vb *vb)
{
	unsigned long a[ND_ARCS_MAX];
	char addr[NETDISC_ADDR_MAX];
	struct netdisc_lldp *lr;
	struct netdisc_port *pr;
	struct netdisc_fdb *fr;
	struct netdisc_arp *ar;
	uint8_t mac[6], b[4];
	int n, used, i;

	n = nd_arcs(vb->oid, nd_root[kind], a, ND_ARCS_MAX);
	if (n < 0 || vb->type == SNMP_T_NOSUCHOBJECT ||
	    vb->type == SNMP_T_NOSUCHINSTANCE ||
	    vb->type == SNMP_T_ENDOFMIBVIEW) {
		d->dropped++;
		return;
	}
	switch (kind) {
	case ND_GET:
		return;
	case ND_IPADDR:
		if (vb->type != SNMP_T_IPADDRESS || vb->len != 4 ||
		    inet_ntop(AF_INET, vb->bytes, addr, sizeof(addr)) == NULL) {
			d->dropped++;
			return;
		}
		nd_add_addr(d, addr);
		return;
	case ND_IPADDR2:
		if (nd_inet_arcs(a, n, addr, sizeof(addr)) != n) {
			d->dropped++;
			return;
		}
		nd_add_addr(d, addr);
		return;
	case ND_MAC:
		if (vb->type != SNMP_T_STRING) {
			d->dropped++;
			return;
		}
		if (!nd_mac(vb, mac))
			return; /* loopback, tunnels: no MAC */
		for (i = 0; i < (int)d->nmacs; i++)
			if (memcmp(d->macs[i], mac, 6) == 0)
				return;
		if (nd_push(&d->macs, &d->nmacs, sizeof(*d->macs)) == NULL) {
			d->dropped++;
			return;
		}
		memcpy(d->macs[d->nmacs - 1], mac, 6);
		return;
	case ND_LLDP_REM:
		nd_row_lldp(d, vb, a, n);
		return;
	case ND_LLDP_MAN:
		/* time.lport.index.subtype.len.addr */
		if (n < 5 || nd_inet_arcs(a + 3, n - 3, addr, sizeof(addr)) !=
		    n - 3 || (lr = nd_lldp_row(d, a[0], a[1], a[2])) == NULL) {
			d->dropped++;
			return;
		}
		if (lr->mgmt[0] == '\0')
			snprintf(lr->mgmt, sizeof(lr->mgmt), "%s", addr);
		return;
	case ND_LLDP_LOC:
		if (n != 1 || (pr = nd_push(&d->ports, &d->nports,
		    sizeof(*d->ports))) == NULL) {
			d->dropped++;
			return;
		}
		pr->lport = (long)a[0];
		nd_text(pr->name, sizeof(pr->name), vb);
		return;
	case ND_FDB:
	case ND_FDBQ:
		used = kind == ND_FDBQ ? 1 : 0;
		if (n != used + 6 || vb->type != SNMP_T_INTEGER || vb->i < 0) {
			d->dropped++;
			return;
		}
		for (i = 0; i < 6; i++) {
			if (a[used + i] > 255) {
				d->dropped++;
				return;
			}
			mac[i] = (uint8_t)a[used + i];
		}
		if (vb->i == 0)
			return; /* learned, port unknown */
		if ((fr = nd_push(&d->fdb, &d->nfdb, sizeof(*d->fdb))) == NULL) {
			d->dropped++;
			return;
		}
		fr->port = (long)vb->i;
		memcpy(fr->mac, mac, 6);
		return;
	case ND_ARP:
	case ND_ARP2:
		if (kind == ND_ARP) {
			if (n != 5) {
				d->dropped++;
				return;
			}
			for (i = 0; i < 4; i++) {
				if (a[1 + i] > 255) {
					d->dropped++;
					return;
				}
				b[i] = (uint8_t)a[1 + i];
			}
			inet_ntop(AF_INET, b, addr, sizeof(addr));
		} else if (n < 3 || nd_inet_arcs(a + 1, n - 1, addr,
		    sizeof(addr)) != n - 1) {
			d->dropped++;
			return;
		}
		if (nd_addr_local(addr))
			return;
		if ((ar = nd_push(&d->arp, &d->narp, sizeof(*d->arp))) == NULL) {
			d->dropped++;
			return;
		}
		snprintf(ar->addr, sizeof(ar->addr), "%s", addr);
		ar->has_mac = nd_mac(vb, ar->mac);
		return;
	}
}

int
netdisc_row(struct netdisc_dev *d, const struct snmp_vb *vb)
{
	unsigned long a[ND_ARCS_MAX];
	enum nd_kind k;

	for (k = ND_IPADDR; k <= ND_ARP2; k++)
		if (nd_arcs(vb->oid, nd_root[k], a, ND_ARCS_MAX) >= 0) {
			nd_row(d, k, vb);
			return 0;
		}
	return -ENOENT;
}

static void
nd_req_unlink(struct nd_req *r)
{
	struct netdisc_run *run = r->run;

	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		run->head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	run->pending--;
	r->d->pending--;
}

/* The last request ended: done, then the run goes away. */
static void
nd_settle(struct netdisc_run *run)
{
	if (run->pending > 0 || run->cancelling)
		return;
	run->done(run->arg);
	free(run);
}

static void nd_walk_each(const struct snmp_vb *vbs, size_t n, void *arg);
static void nd_walk_done(const struct snmp_result *res, void *arg);
static void nd_get_done(const struct snmp_result *res, void *arg);

static struct nd_req *
nd_req_new(struct netdisc_run *run, struct netdisc_dev *d, enum nd_kind k)
{
	struct nd_req *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->run = run;
	r->d = d;
	r->kind = k;
	r->next = run->head;
	if (run->head != NULL)
		run->head->prev = r;
	run->head = r;
	run->pending++;
	d->pending++;
	return r;
}

static void
nd_start_walk(struct netdisc_run *run, struct netdisc_dev *d, enum nd_kind k)
{
	struct nd_req *r = nd_req_new(run, d, k);
	char err[256];

	if (r == NULL) {
		d->failed_walks++;
		return;
	}
	if (snmp_walk(run->p, &d->t, nd_root[k], nd_walk_each, nd_walk_done,
	    r, &r->req, err, sizeof(err)) != 0) {
		nd_req_unlink(r);
		free(r);
		d->failed_walks++;
	}
}

static void
nd_start_walks(struct netdisc_run *run, struct netdisc_dev *d)
{
	enum nd_kind k;

	if (run->what & NETDISC_SYSTEM)
		for (k = ND_IPADDR; k <= ND_MAC; k++)
			nd_start_walk(run, d, k);
	if (run->what & NETDISC_TABLES)
		for (k = ND_LLDP_REM; k <= ND_ARP2; k++)
			nd_start_walk(run, d, k);
}

static void
nd_walk_each(const struct snmp_vb *vbs, size_t n, void *arg)
{
	struct nd_req *r = arg;
	size_t i;

	for (i = 0; i < n; i++)
		nd_row(r->d, r->kind, &vbs[i]);
}

static void
nd_walk_done(const struct snmp_result *res, void *arg)
{
	struct nd_req *r = arg;
	struct netdisc_run *run = r->run;

	if (res->status != SNMP_OK)
		r->d->failed_walks++;
	nd_req_unlink(r);
	free(r);
	nd_settle(run);
}

static void
nd_get_done(const struct snmp_result *res, void *arg)
{
	struct nd_req *r = arg;
	struct netdisc_run *run = r->run;
	struct netdisc_dev *d = r->d;
	size_t i;

	nd_req_unlink(r);
	free(r);
	if (res->status != SNMP_OK || res->nvbs != ND_NSYS + run->nextra) {
		if (d->error[0] == '\0')
			snprintf(d->error, sizeof(d->error), "%s",
			    res->status == SNMP_TIMEOUT ? "no SNMP answer" :
			    res->error[0] ? res->error : "SNMP failed");
		nd_settle(run);
		return;
	}
	d->snmp_ok = true;
	nd_text(d->sysdescr, sizeof(d->sysdescr), &res->vbs[0]);
	nd_text(d->sysobjectid, sizeof(d->sysobjectid), &res->vbs[1]);
	nd_text(d->sysname, sizeof(d->sysname), &res->vbs[2]);
	if (res->vbs[3].type == SNMP_T_INTEGER && res->vbs[3].i >= 0 &&
	    res->vbs[3].i <= 127)
		d->services = (long)res->vbs[3].i;
	if (res->vbs[4].type == SNMP_T_STRING && res->vbs[4].len > 0 &&
	    res->vbs[4].len <= 32)
		for (i = 0; i < res->vbs[4].len; i++)
			snprintf(d->engine_id + 2 * i, 3, "%02x",
			    res->vbs[4].bytes[i]);
	for (i = 0; i < run->nextra; i++) {
		enum snmp_type t = res->vbs[ND_NSYS + i].type;

		d->has[i] = t != SNMP_T_NOSUCHOBJECT &&
		    t != SNMP_T_NOSUCHINSTANCE && t != SNMP_T_ENDOFMIBVIEW &&
		    t != SNMP_T_NULL;
	}
	if (!run->cancelling)
		nd_start_walks(run, d);
	nd_settle(run);
}

static void
nd_start_get(struct netdisc_run *run, struct netdisc_dev *d)
{
	const char *oids[ND_NSYS + NETDISC_EXTRA_MAX];
	struct nd_req *r;
	char err[256];
	size_t i;

	for (i = 0; i < ND_NSYS; i++)
		oids[i] = nd_sys_oids[i];
	for (i = 0; i < run->nextra; i++)
		oids[ND_NSYS + i] = run->extra[i];
	r = nd_req_new(run, d, ND_GET);
	if (r == NULL) {
		snprintf(d->error, sizeof(d->error), "out of memory");
		return;
	}
	if (snmp_get(run->p, &d->t, oids, ND_NSYS + run->nextra, nd_get_done,
	    r, &r->req, err, sizeof(err)) != 0) {
		nd_req_unlink(r);
		free(r);
		snprintf(d->error, sizeof(d->error), "%s", err);
	}
}

size_t
netdisc_start(struct snmp_poller *p, struct netdisc_dev *d, size_t n,
    unsigned what, const char *const *extra, size_t nextra,
    netdisc_done_fn *done, void *arg, struct netdisc_run **out)
{
	struct netdisc_run *run;
	size_t i;

	*out = NULL;
	if (nextra > NETDISC_EXTRA_MAX || (run = calloc(1, sizeof(*run))) ==
	    NULL)
		return 0;
	run->p = p;
	run->what = what;
	run->extra = extra;
	run->nextra = nextra;
	run->done = done;
	run->arg = arg;
	run->cancelling = true; /* no done while starting */
	for (i = 0; i < n; i++) {
		if (what & NETDISC_SYSTEM) {
			d[i].services = -1;
			nd_start_get(run, &d[i]);
		} else if (d[i].snmp_ok) {
			nd_start_walks(run, &d[i]);
		}
	}
	run->cancelling = false;
	if (run->pending == 0) {
		free(run);
		return 0;
	}
	*out = run;
	return run->pending;
}

void
netdisc_cancel(struct netdisc_run *run)
{
	run->cancelling = true;
	while (run->head != NULL) {
		struct nd_req *r = run->head;

		if (r->kind == ND_GET)
			snprintf(r->d->error, sizeof(r->d->error),
			    "discovery time ran out");
		snmp_cancel(run->p, r->req);
		if (run->head == r) { /* cancel did not reach the callback */
			nd_req_unlink(r);
			free(r);
		}
	}
	run->cancelling = false;
	run->pending = 0;
	nd_settle(run);
}

static void
nd_poll_done(void *arg)
{
	*(bool *)arg = true;
}

int
netdisc_poll(struct loop *loop, struct snmp_poller *p,
    struct netdisc_dev *d, size_t n, unsigned what,
    const char *const *extra, size_t nextra, int64_t bound_ns)
{
	struct netdisc_run *run;
	bool finished = false;
	int rc = 0;

	if (nextra > NETDISC_EXTRA_MAX)
		return -EINVAL;
	if (netdisc_start(p, d, n, what, extra, nextra, nd_poll_done,
	    &finished, &run) == 0)
		return 0;
	while (!finished) {
		int64_t now = loop_clock();

		if (now >= bound_ns)
			break;
		rc = loop_run_once(loop, bound_ns - now);
		if (rc < 0)
			break;
		rc = 0;
	}
	if (!finished)
		netdisc_cancel(run); /* what ran out of time */
	return rc;
}

int
netdisc_feed(struct topo *t, const struct netdisc_dev *d, size_t n)
{
	size_t i, j, k;
	int rc;

	for (i = 0; i < n; i++) {
		if (d[i].name[0] == '\0')
			continue;
		rc = topo_host_add(t, d[i].name);
		if (rc == 0)
			rc = topo_host_addr(t, d[i].name, d[i].addr);
		for (j = 0; j < d[i].naddrs && rc != -ENOMEM; j++)
			rc = topo_host_addr(t, d[i].name, d[i].addrs[j]);
		for (j = 0; j < d[i].nmacs && rc != -ENOMEM; j++)
			rc = topo_host_mac(t, d[i].name, d[i].macs[j]);
		if (d[i].sysname[0] != '\0' && rc != -ENOMEM)
			rc = topo_host_alias(t, d[i].name, d[i].sysname);
		if (rc == -ENOMEM)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct netdisc_dev *x = &d[i];

		if (x->name[0] == '\0')
			continue;
		for (j = 0; j < x->nlldp; j++) {
			const struct netdisc_lldp *l = &x->lldp[j];
			const char *port = NULL;

			for (k = 0; k < x->nports; k++)
				if (x->ports[k].lport == l->lport)
					port = x->ports[k].name;
			if (topo_ev_lldp(t, x->name, port,
			    l->mgmt[0] ? l->mgmt : NULL,
			    l->chassis_mac ? l->chassis : NULL,
			    l->sysname[0] ? l->sysname : NULL) == -ENOMEM)
				return -ENOMEM;
		}
		for (j = 0; j < x->nfdb; j++)
			if (topo_ev_fdb(t, x->name, x->fdb[j].port,
			    x->fdb[j].mac) == -ENOMEM)
				return -ENOMEM;
		for (j = 0; j < x->narp; j++)
			if (topo_ev_arp(t, x->name, x->arp[j].addr,
			    x->arp[j].has_mac ? x->arp[j].mac : NULL) ==
			    -ENOMEM)
				return -ENOMEM;
	}
	return 0;
}

int
netdisc_topology(const struct netdisc_dev *dev, size_t ndev,
    struct topo **out, unsigned *route_fail)
{
	struct topo *t;
	struct ifaddrs *ifs = NULL, *i;
	struct netlink_lookup *lk = NULL;
	char buf[NETDISC_ADDR_MAX], err[256];
	size_t k;
	int rc;

	*out = NULL;
	if ((rc = topo_new(&t)) != 0)
		return rc;
	*out = t;	/* until a failure below */
	if (getifaddrs(&ifs) == 0) {
		for (i = ifs; i != NULL; i = i->ifa_next) {
			const void *a;

			if (i->ifa_addr == NULL)
				continue;
			if (i->ifa_addr->sa_family == AF_INET)
				a = &((struct sockaddr_in *)(void *)
				    i->ifa_addr)->sin_addr;
			else if (i->ifa_addr->sa_family == AF_INET6)
				a = &((struct sockaddr_in6 *)(void *)
				    i->ifa_addr)->sin6_addr;
			else
				continue;
			if (inet_ntop(i->ifa_addr->sa_family, a, buf,
			    sizeof(buf)) != NULL &&
			    topo_host_addr(t, NULL, buf) == -ENOMEM) {
				freeifaddrs(ifs);
				rc = -ENOMEM;
				goto fail;
			}
		}
		freeifaddrs(ifs);
	}
	if ((rc = netdisc_feed(t, dev, ndev)) != 0)
		goto fail;
	/* One socket and one read of the links for every host. */
	if (netlink_lookup_open(&lk, err, sizeof(err)) != 0)
		lk = NULL; /* each route then counts as unknown */
	for (k = 0; k < ndev; k++) {
		const struct netdisc_dev *d = &dev[k];
		struct sockaddr_storage ss;
		struct netlink_route r;

		if (d->name[0] == '\0')
			continue;
		if (lk == NULL || !netlink_addr_parse(d->addr, &ss) ||
		    netlink_lookup_route(lk, (struct sockaddr *)&ss, &r, err,
		    sizeof(err)) != 0) {
			(*route_fail)++;
			continue;
		}
		if (r.onlink || r.gateway.ss_family == AF_UNSPEC) {
			(void)topo_ev_route(t, d->addr, NULL, r.ifname);
			continue;
		}
		(void)topo_ev_route(t, d->addr, netlink_addr_text(&r.gateway,
		    buf, sizeof(buf)), r.ifname);
	}
	netlink_lookup_close(lk);
	if ((rc = topo_solve(t)) == 0)
		return 0;
fail:
	topo_free(t);
	*out = NULL;
	return rc;
}
