/*
 * test_topology: parents inferred from synthetic evidence tables: LLDP
 * chains, ARP and bridge FDB rows, the monitor's routes; conflicting
 * evidence (strong beats weak), cycles, equal choices, unknown addresses
 * and MACs, hosts nothing reaches, malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "netdisc.h"
#include "snmp.h"
#include "topology.h"
#include "topology_file.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

static const uint8_t mac_core[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t mac_sw[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t mac_srv[6] = {0x02, 0, 0, 0, 0, 0x03};
static const uint8_t mac_prn[6] = {0x02, 0, 0, 0, 0, 0x04};
static const uint8_t mac_stranger[6] = {0x02, 0, 0, 0, 0, 0x99};

/* A small network: the monitor, core (10.0.0.1), dist1 (10.1.0.1),
 * dist2 (10.2.0.1), server (10.1.1.10), printer (10.1.2.10). */
static int
setup(void **state)
{
	struct topo *t;

	assert_int_equal(topo_new(&t), 0);
	assert_int_equal(topo_host_add(t, "core"), 0);
	assert_int_equal(topo_host_add(t, "dist1"), 0);
	assert_int_equal(topo_host_add(t, "dist2"), 0);
	assert_int_equal(topo_host_add(t, "server"), 0);
	assert_int_equal(topo_host_add(t, "printer"), 0);
	assert_int_equal(topo_host_addr(t, NULL, "10.0.0.2"), 0);
	assert_int_equal(topo_host_addr(t, "core", "10.0.0.1"), 0);
	assert_int_equal(topo_host_addr(t, "core", "10.1.255.1"), 0);
	assert_int_equal(topo_host_addr(t, "dist1", "10.1.0.1"), 0);
	assert_int_equal(topo_host_addr(t, "dist1", "10.1.255.2"), 0);
	assert_int_equal(topo_host_addr(t, "dist2", "10.2.0.1"), 0);
	assert_int_equal(topo_host_addr(t, "server", "10.1.1.10"), 0);
	assert_int_equal(topo_host_addr(t, "server", "fd00::10"), 0);
	assert_int_equal(topo_host_addr(t, "printer", "10.1.2.10"), 0);
	assert_int_equal(topo_host_mac(t, "core", mac_core), 0);
	assert_int_equal(topo_host_mac(t, "dist1", mac_sw), 0);
	assert_int_equal(topo_host_mac(t, "server", mac_srv), 0);
	assert_int_equal(topo_host_mac(t, "printer", mac_prn), 0);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	topo_free(*state);
	return 0;
}

static struct topo_place
place(struct topo *t, const char *name)
{
	struct topo_place p;

	assert_int_equal(topo_place_find(t, name, &p), 0);
	return p;
}

static void
assert_parent(struct topo *t, const char *host, const char *parent)
{
	struct topo_place p = place(t, host);

	if (!p.placed)
		fail_msg("%s is not placed", host);
	if (parent == NULL && p.parent != NULL)
		fail_msg("%s: parent %s, expected the monitor", host, p.parent);
	if (parent != NULL &&
	    (p.parent == NULL || strcmp(p.parent, parent) != 0))
		fail_msg("%s: parent %s, expected %s", host,
		    p.parent ? p.parent : "(monitor)", parent);
}

/* Does any evidence line of host's edge contain s? */
static bool
ev_has(struct topo *t, const char *host, const char *s)
{
	struct topo_place p = place(t, host);
	size_t i;

	for (i = 0; i < p.nev; i++)
		if (strstr(p.ev[i], s) != NULL)
			return true;
	return false;
}

/* The usual evidence: core is the monitor's gateway, LLDP links the rest. */
static void
feed_lldp_chain(struct topo *t)
{
	assert_int_equal(topo_ev_route(t, "10.0.0.1", NULL, "eth0"), 0);
	assert_int_equal(topo_ev_route(t, "10.1.0.1", "10.0.0.1", "eth0"), 0);
	assert_int_equal(topo_ev_route(t, "10.1.1.10", "10.0.0.1", "eth0"), 0);
	assert_int_equal(topo_ev_lldp(t, "core", "ge-0/1", "10.1.0.1", NULL,
	    NULL), 0);
	assert_int_equal(topo_ev_lldp(t, "dist1", "ge-0/0", "10.1.255.1",
	    NULL, NULL), 0);
	assert_int_equal(topo_ev_lldp(t, "dist1", "ge-0/3", NULL, mac_srv,
	    NULL), 0);
	assert_int_equal(topo_ev_lldp(t, "core", "ge-0/2", NULL, NULL,
	    "dist2.example.net"), 0);
}

static void
test_topology_lldp_chain_gives_the_tree(void **state)
{
	struct topo *t = *state;
	struct topo_place p;

	feed_lldp_chain(t);
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "core", NULL);
	assert_parent(t, "dist1", "core");
	assert_parent(t, "dist2", "core");
	assert_parent(t, "server", "dist1");
	p = place(t, "server");
	assert_int_equal(p.depth, 3);
	assert_int_equal(p.kind, TOPO_EV_LLDP);
	assert_false(p.ambiguous);
	/* Both sides of the core-dist1 link reported it, and the route
	 * through core: strongest first. */
	p = place(t, "dist1");
	assert_int_equal(p.nev_total, 3);
	assert_int_equal(p.kind, TOPO_EV_LLDP);
	assert_non_null(strstr(p.ev[2], "reached through gateway core"));
	assert_true(ev_has(t, "dist1", "core port ge-0/1 sees dist1"));
	assert_true(ev_has(t, "dist1", "dist1 port ge-0/0 sees core"));
	assert_true(ev_has(t, "server", "chassis 02:00:00:00:00:03"));
	assert_true(ev_has(t, "dist2", "system name dist2.example.net"));
	assert_true(ev_has(t, "core", "on-link via eth0"));
	/* The printer: no evidence at all. */
	p = place(t, "printer");
	assert_false(p.placed);
	assert_null(p.parent);
}

static void
test_topology_gateway_places_what_nothing_else_reaches(void **state)
{
	struct topo *t = *state;
	struct topo_place p;

	feed_lldp_chain(t);
	assert_int_equal(topo_ev_route(t, "10.1.2.10", "10.0.0.1", "eth0"), 0);
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "printer", "core");
	p = place(t, "printer");
	assert_int_equal(p.kind, TOPO_EV_GATEWAY);
	assert_true(ev_has(t, "printer", "reached through gateway core"));
	/* The gateway never shortcuts the LLDP chain. */
	assert_parent(t, "server", "dist1");
}

static void
test_topology_unmonitored_gateway_is_no_evidence(void **state)
{
	struct topo *t = *state;
	struct topo_counters c;

	assert_int_equal(topo_ev_route(t, "10.1.2.10", "192.0.2.1", "eth0"),
	    -ENOENT);
	assert_int_equal(topo_ev_route(t, "192.0.2.77", NULL, "eth0"), -ENOENT);
	assert_int_equal(topo_solve(t), 0);
	assert_false(place(t, "printer").placed);
	topo_counters(t, &c);
	assert_int_equal(c.evidence, 2);
	assert_int_equal(c.unknown, 2);
	assert_int_equal(c.used, 0);
}

/* An upstream switch's FDB sees the server behind its uplink port, with
 * the printer: that says "behind", and loses to LLDP's "next to". */
static void
test_topology_shared_fdb_port_loses_to_lldp(void **state)
{
	struct topo *t = *state;
	struct topo_place p;

	feed_lldp_chain(t);
	assert_int_equal(topo_ev_fdb(t, "core", 7, mac_srv), 0);
	assert_int_equal(topo_ev_fdb(t, "core", 7, mac_prn), 0);
	assert_int_equal(topo_ev_fdb(t, "core", 7, mac_prn), 0); /* dup row */
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "server", "dist1");
	/* The printer only has the shared port: it hangs off core. */
	assert_parent(t, "printer", "core");
	p = place(t, "printer");
	assert_int_equal(p.kind, TOPO_EV_FDB_SHARED);
	assert_int_equal(p.nev_total, 1); /* the duplicate row once */
	assert_true(ev_has(t, "printer", "core bridge port 7 learned "
	    "02:00:00:00:00:04"));
}

/* One known MAC on a port: a direct neighbour, as strong as LLDP. */
static void
test_topology_fdb_single_mac_port_is_direct(void **state)
{
	struct topo *t = *state;

	feed_lldp_chain(t);
	assert_int_equal(topo_ev_fdb(t, "dist1", 4, mac_prn), 0);
	assert_int_equal(topo_ev_fdb(t, "dist1", 5, mac_stranger), -ENOENT);
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "printer", "dist1");
	assert_int_equal(place(t, "printer").kind, TOPO_EV_FDB);
}

/* ARP rows: by address, else by MAC; the monitor's own address counts as
 * the monitor. */
static void
test_topology_arp_rows(void **state)
{
	struct topo *t = *state;
	struct topo_counters c;

	assert_int_equal(topo_ev_arp(t, "core", "10.0.0.2", NULL), 0);
	assert_int_equal(topo_ev_arp(t, "core", "10.1.255.2", mac_sw), 0);
	assert_int_equal(topo_ev_arp(t, "dist1", "10.1.99.99", mac_prn), 0);
	assert_int_equal(topo_ev_arp(t, "dist1", "10.1.99.98", mac_stranger),
	    -ENOENT);
	assert_int_equal(topo_ev_arp(t, "dist1", "fd00::10", NULL), 0);
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "core", NULL);
	assert_parent(t, "dist1", "core");
	assert_parent(t, "printer", "dist1");
	assert_parent(t, "server", "dist1");
	assert_true(ev_has(t, "core", "arp: core has 10.0.0.2 at ? "
	    "((monitor))"));
	assert_true(ev_has(t, "printer", "10.1.99.99 at 02:00:00:00:00:04"));
	topo_counters(t, &c);
	assert_int_equal(c.unknown, 1);
}

/* A ring core - dist1 - dist2 - core: every host gets the shortest way,
 * no loop. */
static void
test_topology_cycle_is_harmless(void **state)
{
	struct topo *t = *state;
	struct topo_place p;
	size_t i;

	assert_int_equal(topo_ev_route(t, "10.0.0.1", NULL, "eth0"), 0);
	assert_int_equal(topo_ev_lldp(t, "core", "a", "10.1.0.1", NULL, NULL),
	    0);
	assert_int_equal(topo_ev_lldp(t, "dist1", "b", "10.2.0.1", NULL, NULL),
	    0);
	assert_int_equal(topo_ev_lldp(t, "dist2", "c", "10.0.0.1", NULL, NULL),
	    0);
	assert_int_equal(topo_ev_lldp(t, "dist2", "d", "10.1.1.10", NULL,
	    NULL), 0);
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "dist1", "core");
	assert_parent(t, "dist2", "core");
	assert_parent(t, "server", "dist2");
	/* Walking up from every placed host ends at the monitor. */
	for (i = 0; i < topo_nhosts(t); i++) {
		const char *at;
		int steps = 0;

		assert_int_equal(topo_place_get(t, i, &p), 0);
		if (!p.placed)
			continue;
		for (at = p.name; at != NULL && steps < 10; steps++)
			at = place(t, at).parent;
		assert_null(at);
	}
}

/* Two parents just as good: the first by name wins, the host says so. */
static void
test_topology_equal_choice_is_ambiguous(void **state)
{
	struct topo *t = *state;
	struct topo_place p;

	assert_int_equal(topo_ev_route(t, "10.0.0.1", NULL, "eth0"), 0);
	assert_int_equal(topo_ev_lldp(t, "core", "a", "10.1.0.1", NULL, NULL),
	    0);
	assert_int_equal(topo_ev_lldp(t, "core", "b", "10.2.0.1", NULL, NULL),
	    0);
	assert_int_equal(topo_ev_lldp(t, "dist2", "x", "10.1.1.10", NULL,
	    NULL), 0);
	assert_int_equal(topo_ev_lldp(t, "dist1", "y", "10.1.1.10", NULL,
	    NULL), 0);
	assert_int_equal(topo_solve(t), 0);
	p = place(t, "server");
	assert_true(p.ambiguous);
	assert_string_equal(p.parent, "dist1");
	assert_string_equal(p.other, "dist2");
	assert_false(place(t, "dist1").ambiguous);
}

/* Bad and useless input is refused and counted, never an edge. */
static void
test_topology_bad_input_is_counted(void **state)
{
	struct topo *t = *state;
	struct topo_counters c;
	static const uint8_t zero[6], bcast[6] = {0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff};

	assert_int_equal(topo_host_add(t, "core"), -EEXIST);
	assert_int_equal(topo_host_add(t, ""), -EINVAL);
	assert_int_equal(topo_host_addr(t, "nobody", "10.9.9.9"), -ENOENT);
	assert_int_equal(topo_host_addr(t, "core", "10.0.0.300"), -EINVAL);
	assert_int_equal(topo_host_addr(t, "dist1", "10.0.0.1"), -EEXIST);
	assert_int_equal(topo_host_mac(t, "core", zero), -EINVAL);
	assert_int_equal(topo_host_mac(t, "core", bcast), -EINVAL);
	assert_int_equal(topo_ev_lldp(t, "ghost", "p", "10.1.0.1", NULL, NULL),
	    -EINVAL);
	assert_int_equal(topo_ev_lldp(t, "core", "p", "10.0.0.1", NULL, NULL),
	    -ELOOP);
	assert_int_equal(topo_ev_lldp(t, "core", "p", "not-an-ip", NULL,
	    "unknown-box"), -ENOENT);
	assert_int_equal(topo_ev_arp(t, "core", "garbage", mac_srv), -EINVAL);
	assert_int_equal(topo_ev_fdb(t, "core", 1, zero), -EINVAL);
	assert_int_equal(topo_ev_fdb(t, "core", -1, mac_srv), -EINVAL);
	assert_int_equal(topo_ev_route(t, "10.1.0.1", "bad", NULL), -EINVAL);
	assert_int_equal(topo_solve(t), 0);
	topo_counters(t, &c);
	assert_int_equal(c.evidence, 7);
	assert_int_equal(c.used, 0);
	assert_int_equal(c.self, 1);
	assert_int_equal(c.unknown, 1);
	assert_int_equal(c.bad, 1 + 5); /* the address taken twice, 5 calls */
	/* After solve, evidence is refused. */
	assert_int_equal(topo_ev_arp(t, "core", "10.1.0.1", NULL), -EBUSY);
	assert_int_equal(topo_host_add(t, "late"), -EBUSY);
}

/* An LLDP name two hosts could claim decides nothing. */
static void
test_topology_ambiguous_lldp_name_is_unknown(void **state)
{
	struct topo *t = *state;

	assert_int_equal(topo_host_alias(t, "server", "box"), 0);
	assert_int_equal(topo_host_alias(t, "printer", "box"), 0);
	assert_int_equal(topo_ev_lldp(t, "dist1", "p", NULL, NULL, "box"),
	    -ENOENT);
	assert_int_equal(topo_ev_lldp(t, "dist1", "p", NULL, NULL,
	    "PRINTER.lab"), 0);
	assert_int_equal(topo_solve(t), 0);
	assert_false(place(t, "server").placed);
	assert_false(place(t, "printer").placed); /* dist1 is unplaced */
}

/* The saved topology: what solve placed, read back; the monitor's
 * children without a parent; unplaced hosts left out. */
static void
test_topology_file_round_trip(void **state)
{
	struct topo *t = *state;
	struct topo_saved *s = NULL;
	const struct topo_saved_entry *e;
	char path[] = "/tmp/test_topology.XXXXXX", err[256] = "";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	feed_lldp_chain(t);
	assert_int_equal(topo_solve(t), 0);
	assert_int_equal(topo_file_save(path, t, err, sizeof(err)), 0);
	assert_int_equal(topo_file_load(path, &s, err, sizeof(err)), 0);
	assert_int_equal(s->n, 4);
	e = topo_file_find(s, "server");
	assert_non_null(e);
	assert_string_equal(e->parent, "dist1");
	assert_string_equal(e->kind, "lldp");
	e = topo_file_find(s, "core");
	assert_non_null(e);
	assert_null(e->parent);
	assert_null(topo_file_find(s, "printer"));
	topo_file_free(s);
	unlink(path);
}

static void
bad_file(const char *text, const char *why)
{
	struct topo_saved *s = (void *)1;
	char path[] = "/tmp/test_topology.XXXXXX", err[256] = "";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(topo_file_load(path, &s, err, sizeof(err)), -EINVAL);
	assert_null(s);
	unlink(path);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error '%s' does not say '%s'", text, err, why);
}

static void
test_topology_file_bad_content_named(void **state)
{
	struct topo_saved *s;
	char err[256];

	(void)state;
	bad_file("", "empty file");
	bad_file("core\t-\ton-link\n", ":1: not a Pharos topology file");
	bad_file("# pharos topology 1\ncore -\n", ":2: expected host, parent");
	bad_file("# pharos topology 1\na\tb\tc\td\n", ":2: malformed");
	bad_file("# pharos topology 1\na;b\t-\tlldp\n", ":2: malformed");
	bad_file("# pharos topology 1\na\t-\tlldp\na\tb\tlldp\n",
	    ":3: host 'a' listed twice");
	assert_int_equal(topo_file_load("/nonexistent/topology.dat", &s, err,
	    sizeof(err)), -ENOENT);
}

static void
test_topology_file_default_path(void **state)
{
	char buf[256];

	(void)state;
	topo_file_default("/x/t.dat", "/var/lib/p/retention.dat",
	    "/etc/p/pharos.cfg", buf, sizeof(buf));
	assert_string_equal(buf, "/x/t.dat");
	topo_file_default(NULL, "/var/lib/p/retention.dat",
	    "/etc/p/pharos.cfg", buf, sizeof(buf));
	assert_string_equal(buf, "/var/lib/p/topology.dat");
	topo_file_default(NULL, NULL, "/etc/p/pharos.cfg", buf, sizeof(buf));
	assert_string_equal(buf, "/etc/p/topology.dat");
}

/* --- the SNMP tables as netdisc takes them ---------------------------- */

static struct snmp_vb
vb_str(const char *oid, const void *bytes, size_t len)
{
	struct snmp_vb v = {oid, SNMP_T_STRING, 0, 0, bytes, len, ""};

	return v;
}

static struct snmp_vb
vb_int(const char *oid, int64_t i)
{
	struct snmp_vb v = {oid, SNMP_T_INTEGER, i, 0, NULL, 0, ""};

	return v;
}

static struct snmp_vb
vb_ip(const char *oid, const uint8_t *b)
{
	struct snmp_vb v = {oid, SNMP_T_IPADDRESS, 0, 0, b, 4, ""};

	return v;
}

static void
row(struct netdisc_dev *d, struct snmp_vb v)
{
	if (netdisc_row(d, &v) != 0)
		fail_msg("row %s refused", v.oid);
}

/* Real table OIDs and index shapes (LLDP-MIB, BRIDGE-MIB, Q-BRIDGE-MIB,
 * IP-MIB, IF-MIB) into two devices, fed to a topology. */
static void
test_topology_from_snmp_tables(void **state)
{
	static const uint8_t ip_sw[4] = {10, 1, 0, 2}, ip_lo[4] = {127, 0, 0,
	    1};
	struct netdisc_dev d[4];
	struct topo *t;
	struct topo_counters c;
	size_t i;

	(void)state;
	memset(d, 0, sizeof(d));
	snprintf(d[0].name, sizeof(d[0].name), "core");
	snprintf(d[0].addr, sizeof(d[0].addr), "10.0.0.1");
	snprintf(d[1].name, sizeof(d[1].name), "sw");
	snprintf(d[1].addr, sizeof(d[1].addr), "10.9.9.9");
	snprintf(d[2].name, sizeof(d[2].name), "server");
	snprintf(d[2].addr, sizeof(d[2].addr), "10.1.1.10");
	snprintf(d[3].name, sizeof(d[3].name), "printer");
	snprintf(d[3].addr, sizeof(d[3].addr), "10.1.2.10");
	/* the switch's own addresses and MACs (loopback and no-MAC rows
	 * are skipped, not counted) */
	row(&d[1], vb_ip(".1.3.6.1.2.1.4.20.1.1.10.1.0.2", ip_sw));
	row(&d[1], vb_ip(".1.3.6.1.2.1.4.20.1.1.127.0.0.1", ip_lo));
	row(&d[1], vb_int(".1.3.6.1.2.1.4.34.1.3.2.16.253.0.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.2", 3));
	row(&d[1], vb_str(".1.3.6.1.2.1.2.2.1.6.2", mac_sw, 6));
	row(&d[1], vb_str(".1.3.6.1.2.1.2.2.1.6.1", "", 0));
	row(&d[2], vb_str(".1.3.6.1.2.1.2.2.1.6.2", mac_srv, 6));
	row(&d[3], vb_str(".1.3.6.1.2.1.2.2.1.6.1", mac_prn, 6));
	assert_int_equal(d[1].naddrs, 2);
	assert_string_equal(d[1].addrs[1], "fd00::2");
	assert_int_equal(d[1].nmacs, 1);
	/* LLDP: core by management address on local port 2; the server by
	 * its chassis MAC on port 3 */
	row(&d[1], vb_int(".1.0.8802.1.1.2.1.4.1.1.4.100.2.1", 7));
	row(&d[1], vb_str(".1.0.8802.1.1.2.1.4.1.1.9.100.2.1", "core-1", 6));
	row(&d[1], vb_int(".1.0.8802.1.1.2.1.4.2.1.3.100.2.1.1.4.10.0.0.1",
	    2));
	row(&d[1], vb_int(".1.0.8802.1.1.2.1.4.1.1.4.0.3.2", 4));
	row(&d[1], vb_str(".1.0.8802.1.1.2.1.4.1.1.5.0.3.2", mac_srv, 6));
	row(&d[1], vb_str(".1.0.8802.1.1.2.1.3.7.1.4.3", "ge-0/3", 6));
	assert_int_equal(d[1].nlldp, 2);
	assert_string_equal(d[1].lldp[0].mgmt, "10.0.0.1");
	assert_true(d[1].lldp[1].chassis_mac);
	/* bridge FDB (dot1d and dot1q) and ARP (both tables) */
	row(&d[1], vb_int(".1.3.6.1.2.1.17.4.3.1.2.2.0.0.0.0.4", 5));
	row(&d[1], vb_int(".1.3.6.1.2.1.17.7.1.2.2.1.2.1.2.0.0.0.0.3", 3));
	row(&d[1], vb_int(".1.3.6.1.2.1.17.4.3.1.2.2.0.0.0.0.153", 0));
	row(&d[1], vb_str(".1.3.6.1.2.1.4.22.1.2.3.10.1.2.10", mac_prn, 6));
	row(&d[1], vb_str(".1.3.6.1.2.1.4.35.1.4.3.2.16.253.0.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.16", mac_srv, 6));
	assert_int_equal(d[1].nfdb, 2);  /* port 0: learned, port unknown */
	assert_int_equal(d[1].narp, 2);
	assert_string_equal(d[1].arp[1].addr, "fd00::10");
	assert_int_equal(d[1].dropped, 0);
	/* malformed rows: each dropped and counted */
	row(&d[1], vb_str(".1.3.6.1.2.1.4.20.1.1.10.1.0.3", "x", 1));
	row(&d[1], vb_int(".1.3.6.1.2.1.2.2.1.6.3", 1));
	row(&d[1], vb_int(".1.0.8802.1.1.2.1.4.1.1.4.0.3", 4));
	row(&d[1], vb_str(".1.0.8802.1.1.2.1.4.1.1.4.0.3.9", "4", 1));
	row(&d[1], vb_int(".1.0.8802.1.1.2.1.4.2.1.3.0.3.1.1.5.10.0.0.1.1",
	    2));
	row(&d[1], vb_int(".1.3.6.1.2.1.17.4.3.1.2.2.0.0.0.300.4", 5));
	row(&d[1], vb_int(".1.3.6.1.2.1.17.4.3.1.2.2.0.0.0.0.5", -1));
	row(&d[1], vb_str(".1.3.6.1.2.1.4.22.1.2.3.10.1.2", mac_prn, 6));
	row(&d[1], vb_str(".1.3.6.1.2.1.4.35.1.4.3.9.4.10.1.2.10", mac_prn,
	    6));
	row(&d[1], vb_int(".1.3.6.1.2.1.4.34.1.3.1.4.10.1", 3));
	assert_int_equal(d[1].dropped, 10);
	{
		struct snmp_vb v = vb_int(".1.3.6.1.2.1.1.5.0", 1);

		assert_int_equal(netdisc_row(&d[1], &v), -ENOENT);
	}
	/* the inference (the monitor's route given here: this machine's
	 * own routes are not the test's): the switch is known by the
	 * address its table gave, not the one it was polled at */
	assert_int_equal(topo_new(&t), 0);
	assert_int_equal(netdisc_feed(t, d, 4), 0);
	assert_int_equal(topo_ev_route(t, "10.0.0.1", NULL, "eth0"), 0);
	assert_int_equal(topo_solve(t), 0);
	assert_parent(t, "sw", "core");
	assert_parent(t, "server", "sw");
	assert_true(ev_has(t, "server", "sw port ge-0/3 sees server (chassis "
	    "02:00:00:00:00:03)"));
	assert_parent(t, "printer", "sw");
	assert_int_equal(place(t, "printer").kind, TOPO_EV_FDB);
	topo_counters(t, &c);
	/* 2 LLDP, 2 FDB, 2 ARP rows and the route; all used */
	assert_int_equal(c.evidence, 7);
	assert_int_equal(c.used, 7);
	topo_free(t);
	for (i = 0; i < 4; i++)
		netdisc_dev_clear(&d[i]);
}

/* The sweep's ranges: IPv6 from /112 on, the anycast address left out,
 * host bits cleared; clear errors for the rest. */
static void
test_sweep_ranges(void **state)
{
	struct in6_addr a, want;
	uint32_t n, first, last;
	char err[256];

	(void)state;
	assert_int_equal(netdisc_cidr6("fd66:0:5::7/120", &a, &n), 0);
	assert_int_equal(inet_pton(AF_INET6, "fd66:0:5::1", &want), 1);
	assert_memory_equal(&a, &want, sizeof(a));
	assert_int_equal(n, 255);
	assert_int_equal(netdisc_cidr6("fd66::/112", &a, &n), 0);
	assert_int_equal(n, 65535);
	assert_int_equal(netdisc_cidr6("fd66::8/127", &a, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(a.s6_addr[15], 8);
	assert_int_equal(netdisc_cidr6("fd66::9", &a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a.s6_addr[15], 9);
	assert_int_equal(netdisc_cidr6("fd66::/111", &a, &n), -E2BIG);
	assert_int_equal(netdisc_cidr6("fd66::/129", &a, &n), -EINVAL);
	assert_int_equal(netdisc_cidr6("fd66::/x", &a, &n), -EINVAL);
	assert_int_equal(netdisc_cidr6("10.0.0.0/24", &a, &n), -EINVAL);
	assert_int_equal(netdisc_cidr6("/120", &a, &n), -EINVAL);
	assert_int_equal(netdisc_cidr("10.0.0.0/24", &first, &last), 0);
	assert_int_equal(last - first, 253);
	assert_int_equal(netdisc_range_check("10.1.2.0/24", err, sizeof(err)),
	    0);
	assert_int_equal(netdisc_range_check("fd66::/120", err, sizeof(err)),
	    0);
	assert_int_equal(netdisc_range_check("fd66::/64", err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "'fd66::/64' is too large: IPv6 ranges are "
	    "swept from a /112 (65536 addresses) on");
	assert_int_equal(netdisc_range_check("10.1.2.0/33", err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'10.1.2.0/33' is not an IPv4 address"));
	assert_int_equal(netdisc_range_check("", err, sizeof(err)), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		test_topology_lldp_chain_gives_the_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_gateway_places_what_nothing_else_reaches, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_unmonitored_gateway_is_no_evidence, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_shared_fdb_port_loses_to_lldp, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_fdb_single_mac_port_is_direct, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_topology_arp_rows, setup,
		teardown),
	    cmocka_unit_test_setup_teardown(test_topology_cycle_is_harmless,
		setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_equal_choice_is_ambiguous, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_bad_input_is_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_topology_ambiguous_lldp_name_is_unknown, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_topology_file_round_trip,
		setup, teardown),
	    cmocka_unit_test(test_topology_file_bad_content_named),
	    cmocka_unit_test(test_topology_file_default_path),
	    cmocka_unit_test(test_topology_from_snmp_tables),
	    cmocka_unit_test(test_sweep_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
