/*
 * test_trap: the trap receiver on a loopback socket, fed datagrams made
 * byte by byte (BER written out below): a v1 trap comes out in v2 form
 * (RFC 3584), v2c traps are delivered, an inform is answered with a
 * Response, and every bad datagram is dropped and counted by its reason:
 * wrong community, community from another network, not a notification,
 * no snmpTrapOID.0, a v1 Trap-PDU in a v2c message, truncated BER,
 * empty, junk. Every datagram is counted exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "loop.h"
#include "trap.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

/* The datagrams, BER laid out byte by byte: SNMP message, community,
 * PDU, varbinds. */
static const unsigned char V1[] = {
	0x30, 0x3a, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa4, 0x2d, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x86, 0x8d, 0x1f, 0x40, 0x04, 0xc0, 0x00, 0x02,
	0x09, 0x02, 0x01, 0x06, 0x02, 0x01, 0x11, 0x43, 0x02, 0x10,
	0x92, 0x30, 0x11, 0x30, 0x0f, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x05, 0x00, 0x04, 0x03, 0x73, 0x77, 0x39
};
static const unsigned char V1_LINKDOWN[] = {
	0x30, 0x28, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa4, 0x1b, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x86, 0x8d, 0x1f, 0x40, 0x04, 0xc0, 0x00, 0x02,
	0x09, 0x02, 0x01, 0x02, 0x02, 0x01, 0x00, 0x43, 0x01, 0x01,
	0x30, 0x00
};
static const unsigned char LINKDOWN[] = {
	0x30, 0x51, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa7, 0x44, 0x02, 0x01, 0x0b, 0x02, 0x01,
	0x00, 0x02, 0x01, 0x00, 0x30, 0x39, 0x30, 0x0d, 0x06, 0x08,
	0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01,
	0x64, 0x30, 0x17, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03,
	0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x09, 0x2b, 0x06, 0x01,
	0x06, 0x03, 0x01, 0x01, 0x05, 0x03, 0x30, 0x0f, 0x06, 0x0a,
	0x2b, 0x06, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x05,
	0x02, 0x01, 0x05
};
static const unsigned char LAN[] = {
	0x30, 0x3d, 0x02, 0x01, 0x01, 0x04, 0x03, 0x6c, 0x61, 0x6e,
	0xa7, 0x33, 0x02, 0x01, 0x0c, 0x02, 0x01, 0x00, 0x02, 0x01,
	0x00, 0x30, 0x28, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01, 0x64, 0x30, 0x17,
	0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04,
	0x01, 0x00, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01,
	0x01, 0x05, 0x03
};
static const unsigned char WRONG[] = {
	0x30, 0x3e, 0x02, 0x01, 0x01, 0x04, 0x04, 0x6e, 0x6f, 0x70,
	0x65, 0xa7, 0x33, 0x02, 0x01, 0x0d, 0x02, 0x01, 0x00, 0x02,
	0x01, 0x00, 0x30, 0x28, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06,
	0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01, 0x64, 0x30,
	0x17, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01,
	0x04, 0x01, 0x00, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x06, 0x03,
	0x01, 0x01, 0x05, 0x03
};
static const unsigned char INFORM[] = {
	0x30, 0x41, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa6, 0x34, 0x02, 0x01, 0x0e, 0x02, 0x01,
	0x00, 0x02, 0x01, 0x00, 0x30, 0x29, 0x30, 0x0d, 0x06, 0x08,
	0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01,
	0x64, 0x30, 0x18, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03,
	0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x0a, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x86, 0x8d, 0x1f, 0x00, 0x01
};
static const unsigned char GET[] = {
	0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa0, 0x19, 0x02, 0x01, 0x0f, 0x02, 0x01,
	0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
	0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x05, 0x00
};
static const unsigned char NOTOID[] = {
	0x30, 0x36, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa7, 0x29, 0x02, 0x01, 0x10, 0x02, 0x01,
	0x00, 0x02, 0x01, 0x00, 0x30, 0x1e, 0x30, 0x0d, 0x06, 0x08,
	0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x05, 0x00, 0x04, 0x01,
	0x78, 0x30, 0x0d, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01,
	0x01, 0x03, 0x00, 0x43, 0x01, 0x01
};
static const unsigned char V1INV2[] = {
	0x30, 0x28, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62,
	0x6c, 0x69, 0x63, 0xa4, 0x1b, 0x06, 0x08, 0x2b, 0x06, 0x01,
	0x04, 0x01, 0x86, 0x8d, 0x1f, 0x40, 0x04, 0xc0, 0x00, 0x02,
	0x09, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x43, 0x01, 0x01,
	0x30, 0x00
};
struct seen {
	int msgs;
	int version;
	bool inform;
	char oid[160];
	char agent[64];
	char secname[64];
	uint64_t uptime;
	size_t nvbs;
	char vboid[8][96];
	char vbval[8][96];
	char vars[512];          /* trap_msg_vars() */
	int drops[TRAP_DROP_NKINDS];
};

struct env {
	struct loop *loop;
	struct trap_rx *rx;
	struct trap_net lan;
	struct trap_community comms[2];
	int fd;
	struct sockaddr_in to;
	struct seen s;
	uint64_t sent;
};

static void
on_msg(const struct trap_msg *m, void *arg)
{
	struct seen *s = arg;

	s->msgs++;
	s->version = m->version;
	s->inform = m->inform;
	snprintf(s->oid, sizeof(s->oid), "%s", m->trap_oid);
	snprintf(s->agent, sizeof(s->agent), "%s", m->agent);
	snprintf(s->secname, sizeof(s->secname), "%s", m->secname);
	s->uptime = m->uptime;
	s->nvbs = m->nvbs;
	(void)trap_msg_vars(m, s->vars, sizeof(s->vars));
	for (size_t i = 0; i < m->nvbs && i < 8; i++) {
		snprintf(s->vboid[i], sizeof(s->vboid[i]), "%s", m->vbs[i].oid);
		snprintf(s->vbval[i], sizeof(s->vbval[i]), "%.*s",
		    (int)(m->vbs[i].bytes != NULL ? m->vbs[i].len : 0),
		    m->vbs[i].bytes != NULL ? (const char *)m->vbs[i].bytes :
		    "");
	}
}

static void
on_drop(enum trap_drop why, const char *source, const char *detail,
    void *arg)
{
	struct seen *s = arg;

	(void)source;
	(void)detail;
	s->drops[why]++;
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	const char *listen[] = { "127.0.0.1:0" };
	struct trap_opts o = { 0 };
	char err[256];
	struct sockaddr_in me = { .sin_family = AF_INET };

	if (e == NULL || loop_new(&e->loop) != 0)
		return -1;
	snprintf(e->comms[0].community, sizeof(e->comms[0].community),
	    "public");
	snprintf(e->comms[1].community, sizeof(e->comms[1].community), "lan");
	if (trap_net_parse("10.0.0.0/8", &e->lan) != 0)
		return -1;
	e->comms[1].nets = &e->lan;
	e->comms[1].nnets = 1;
	o.listen = listen;
	o.nlisten = 1;
	o.comms = e->comms;
	o.ncomms = 2;
	if (trap_rx_new(e->loop, &o, on_msg, on_drop, &e->s, &e->rx, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "trap_rx_new: %s\n", err);
		return -1;
	}
	e->to.sin_family = AF_INET;
	e->to.sin_port = htons(trap_rx_port(e->rx, 0));
	e->to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((e->fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(e->fd, (struct sockaddr *)&me, sizeof(me)) != 0)
		return -1;
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	trap_rx_free(e->rx);
	loop_free(e->loop);
	close(e->fd);
	free(e);
	return 0;
}

/* Send one datagram and run the loop until the receiver counted it. */
static void
feed(struct env *e, const void *buf, size_t len)
{
	struct trap_counters c;

	assert_int_equal(sendto(e->fd, buf, len, 0, (struct sockaddr *)&e->to,
	    sizeof(e->to)), (ssize_t)len);
	e->sent++;
	for (int i = 0; i < 100; i++) {
		trap_rx_counters(e->rx, &c);
		if (c.datagrams >= e->sent)
			break;
		assert_true(loop_run_once(e->loop, 50 * 1000000LL) >= 0);
	}
	trap_rx_counters(e->rx, &c);
	assert_int_equal(c.datagrams, e->sent);
}

static void
test_trap_v1_comes_out_in_v2_form(void **state)
{
	struct env *e = *state;

	feed(e, V1, sizeof(V1));
	assert_int_equal(e->s.msgs, 1);
	assert_int_equal(e->s.version, 1);
	assert_string_equal(e->s.oid, ".1.3.6.1.4.1.99999.0.17");
	assert_string_equal(e->s.agent, "192.0.2.9");
	assert_string_equal(e->s.secname, "public");
	assert_int_equal(e->s.uptime, 4242);
	assert_int_equal(e->s.nvbs, 5);
	assert_string_equal(e->s.vboid[0], ".1.3.6.1.2.1.1.3.0");
	assert_string_equal(e->s.vboid[1], ".1.3.6.1.6.3.1.1.4.1.0");
	assert_string_equal(e->s.vboid[2], ".1.3.6.1.2.1.1.5.0");
	assert_string_equal(e->s.vbval[2], "sw9");
	assert_string_equal(e->s.vboid[3], ".1.3.6.1.6.3.18.1.3.0");
	/* no snmpTrapCommunity.0: the community is a secret */
	assert_string_equal(e->s.vboid[4], ".1.3.6.1.6.3.1.1.4.3.0");
	/* a generic trap (linkDown, 2) becomes snmpTraps.3 */
	feed(e, V1_LINKDOWN, sizeof(V1_LINKDOWN));
	assert_string_equal(e->s.oid, ".1.3.6.1.6.3.1.1.5.3");
}

static void
test_trap_v2c_trap_delivered(void **state)
{
	struct env *e = *state;

	feed(e, LINKDOWN, sizeof(LINKDOWN));
	assert_int_equal(e->s.msgs, 1);
	assert_int_equal(e->s.version, 2);
	assert_false(e->s.inform);
	assert_string_equal(e->s.oid, ".1.3.6.1.6.3.1.1.5.3");
	assert_string_equal(e->s.agent, "");
	assert_int_equal(e->s.uptime, 100);
	assert_int_equal(e->s.nvbs, 3);
	assert_string_equal(e->s.vboid[2], ".1.3.6.1.2.1.2.2.1.1.5");
}

/* Varbinds as net-snmp prints them: numeric until the process has read
 * MIB files, then with names; the poller's numeric OID output setting is
 * the same before and after. Runs last: MIB files stay loaded. */
static void
test_trap_varbinds_printed_with_mib_names(void **state)
{
	struct env *e = *state;
	int fmt = netsnmp_ds_get_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT);

	assert_int_equal(fmt, NETSNMP_OID_OUTPUT_NUMERIC);
	feed(e, LINKDOWN, sizeof(LINKDOWN));
	assert_string_equal(e->s.vars, ".1.3.6.1.2.1.2.2.1.1.5 = INTEGER: 5");
	feed(e, V1, sizeof(V1));
	assert_string_equal(e->s.vars, ".1.3.6.1.2.1.1.5.0 = STRING: \"sw9\", "
	    ".1.3.6.1.6.3.18.1.3.0 = IpAddress: 192.0.2.9, "
	    ".1.3.6.1.6.3.1.1.4.3.0 = OID: .1.3.6.1.4.1.99999");
	assert_int_equal(setenv("PHAROS_MIBDIRS", TEST_SRCDIR "/mibs", 1), 0);
	trap_mibs_load();
	feed(e, LINKDOWN, sizeof(LINKDOWN));
	assert_string_equal(e->s.vars, "ifIndex.5 = INTEGER: 5");
	feed(e, V1, sizeof(V1));
	assert_non_null(strstr(e->s.vars, "sysName.0 = STRING: \"sw9\", "));
	assert_non_null(strstr(e->s.vars, "snmpTrapEnterprise.0 = OID: "
	    "enterprises.99999"));
	/* the rules still see numeric OIDs */
	assert_string_equal(e->s.vboid[2], ".1.3.6.1.2.1.1.5.0");
	assert_int_equal(netsnmp_ds_get_int(NETSNMP_DS_LIBRARY_ID,
	    NETSNMP_DS_LIB_OID_OUTPUT_FORMAT), fmt);
}

static void
test_trap_inform_is_answered(void **state)
{
	struct env *e = *state;
	struct pollfd p = { .fd = e->fd, .events = POLLIN };
	unsigned char resp[512];
	struct trap_counters c;
	ssize_t n;

	feed(e, INFORM, sizeof(INFORM));
	assert_int_equal(e->s.msgs, 1);
	assert_true(e->s.inform);
	assert_int_equal(poll(&p, 1, 2000), 1);
	n = recv(e->fd, resp, sizeof(resp), 0);
	/* the same message with a Response-PDU: same layout, tag 0xa2,
	 * same request-id (14), error-status 0 */
	assert_int_equal(n, (ssize_t)sizeof(INFORM));
	assert_int_equal(resp[13], 0xa2);
	assert_memory_equal(resp + 15, INFORM + 15, 3);
	assert_memory_equal(resp + 18, "\x02\x01\x00", 3);
	trap_rx_counters(e->rx, &c);
	assert_int_equal(c.responses, 1);
	assert_int_equal(c.informs, 1);
}

static void
test_trap_bad_datagrams_counted_by_reason(void **state)
{
	struct env *e = *state;
	struct trap_counters c;
	unsigned char junk[300];
	uint64_t total = 0;

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	feed(e, WRONG, sizeof(WRONG));
	assert_int_equal(e->s.drops[TRAP_DROP_COMMUNITY], 1);
	feed(e, LAN, sizeof(LAN)); /* "lan" only from 10/8 */
	assert_int_equal(e->s.drops[TRAP_DROP_NETWORK], 1);
	feed(e, GET, sizeof(GET));
	assert_int_equal(e->s.drops[TRAP_DROP_NOT_NOTIFICATION], 1);
	feed(e, NOTOID, sizeof(NOTOID));
	feed(e, V1INV2, sizeof(V1INV2));
	feed(e, LINKDOWN, sizeof(LINKDOWN) - 5); /* truncated BER */
	feed(e, "", 0);
	feed(e, junk, sizeof(junk));
	assert_int_equal(e->s.drops[TRAP_DROP_MALFORMED], 5);
	assert_int_equal(e->s.msgs, 0);
	/* still receiving after all that */
	feed(e, LINKDOWN, sizeof(LINKDOWN));
	assert_int_equal(e->s.msgs, 1);
	trap_rx_counters(e->rx, &c);
	for (int i = 0; i < TRAP_DROP_NKINDS; i++)
		total += c.dropped[i];
	assert_int_equal(c.delivered + total, c.datagrams);
	assert_int_equal(c.datagrams, 9);
}

static void
test_trap_bad_listen_addresses_refused(void **state)
{
	struct loop *loop;
	struct trap_rx *rx = NULL;
	struct trap_opts o = { 0 };
	const char *bad[] = { "localhost:162" };
	char err[256] = "";

	(void)state;
	assert_int_equal(loop_new(&loop), 0);
	o.listen = bad;
	o.nlisten = 1;
	assert_int_equal(trap_rx_new(loop, &o, on_msg, on_drop, NULL, &rx,
	    err, sizeof(err)), -EINVAL);
	assert_null(rx);
	assert_non_null(strstr(err, "localhost:162"));
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_trap_v1_comes_out_in_v2_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trap_v2c_trap_delivered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_trap_inform_is_answered,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_trap_bad_datagrams_counted_by_reason, setup, teardown),
		cmocka_unit_test(test_trap_bad_listen_addresses_refused),
		cmocka_unit_test_setup_teardown(
		    test_trap_varbinds_printed_with_mib_names, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
