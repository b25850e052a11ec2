/*
 * test_arp: the ARP prober never takes foreign ARP for an answer. A pcap
 * savefile of foreign traffic is written with pcap_dump (replies for
 * addresses never asked, replies to another host's request, gratuitous
 * replies and requests, truncated and non-ARP frames) and read back into a
 * waiting probe: no reply counted, the probe ends CRITICAL, every frame
 * counted by kind. A genuine reply is then accepted, with its MAC and a
 * reply time. The same for IPv6 neighbour advertisements (unsolicited,
 * bad checksum, wrong hop limit, for others: dropped). And the `arp`
 * command's arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "arp.h"
#include "arp_int.h"
#include "check.h"
#include "loop.h"

static const unsigned char OUR_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const unsigned char DEV_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const unsigned char OTHER_MAC[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };
#define OUR_IP "192.0.2.1"
#define DEV_IP "192.0.2.10"

struct fixture {
	struct loop *loop;
	struct arp *arp;
	struct arp_if *ifc;
	bool done;
	struct arp_result res;
	char path[64];
};

static int
setup(void **state)
{
	static struct fixture f;
	static const char *const none[] = { NULL };
	int fd;

	memset(&f, 0, sizeof(f));
	if (loop_new(&f.loop) != 0 || arp_new(f.loop, none, &f.arp) != 0 ||
	    arp_if_fake(f.arp, "fake0", 42, OUR_MAC, &f.ifc) != 0)
		return -1;
	snprintf(f.path, sizeof(f.path), "/tmp/test_arp.XXXXXX");
	fd = mkstemp(f.path);
	if (fd < 0)
		return -1;
	close(fd);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	arp_free(f->arp);
	loop_free(f->loop);
	unlink(f->path);
	return 0;
}

/* An Ethernet ARP frame: op 1 request, 2 reply. */
static size_t
frame(unsigned char *f, int op, const unsigned char *sha, const char *spa,
    const unsigned char *tha, const char *tpa)
{
	struct in_addr a;

	memcpy(f, tha, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[14] = 0; f[15] = 1; f[16] = 0x08; f[17] = 0; f[18] = 6; f[19] = 4;
	f[20] = 0;
	f[21] = (unsigned char)op;
	memcpy(f + 22, sha, 6);
	inet_pton(AF_INET, spa, &a);
	memcpy(f + 28, &a, 4);
	memcpy(f + 32, tha, 6);
	inet_pton(AF_INET, tpa, &a);
	memcpy(f + 38, &a, 4);
	return 42;
}

static void
dump(pcap_dumper_t *d, const unsigned char *f, size_t len)
{
	struct pcap_pkthdr h;

	memset(&h, 0, sizeof(h));
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)d, &h, f);
}

/* The foreign traffic of a busy LAN. */
static void
write_foreign(const char *path)
{
	unsigned char f[64];
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	size_t n;

	assert_non_null(dead);
	d = pcap_dump_open(dead, path);
	assert_non_null(d);
	/* 1. A reply for an address never asked, to us. */
	dump(d, f, frame(f, 2, OTHER_MAC, "192.0.2.99", OUR_MAC, OUR_IP));
	/* 2. The device answering another host's request. */
	dump(d, f, frame(f, 2, DEV_MAC, DEV_IP, OTHER_MAC, "192.0.2.2"));
	/* 3. The device's reply to our address but another MAC. */
	dump(d, f, frame(f, 2, DEV_MAC, DEV_IP, OTHER_MAC, OUR_IP));
	/* 4. Gratuitous ARP for the device's address: reply and request. */
	dump(d, f, frame(f, 2, OTHER_MAC, DEV_IP, OUR_MAC, DEV_IP));
	dump(d, f, frame(f, 1, OTHER_MAC, DEV_IP, OUR_MAC, DEV_IP));
	/* 5. Someone asking for the device. */
	dump(d, f, frame(f, 1, OTHER_MAC, "192.0.2.2", OUR_MAC, DEV_IP));
	/* 6. A truncated reply and a frame that is not ARP. */
	n = frame(f, 2, DEV_MAC, DEV_IP, OUR_MAC, OUR_IP);
	dump(d, f, n - 10);
	f[12] = 0x08;
	f[13] = 0x00;
	dump(d, f, n);
	/* 7. ARP for another protocol (ptype not IPv4). */
	n = frame(f, 2, DEV_MAC, DEV_IP, OUR_MAC, OUR_IP);
	f[16] = 0x86;
	f[17] = 0xdd;
	dump(d, f, n);
	pcap_dump_close(d);
	pcap_close(dead);
}

static void
on_done(const struct arp_result *r, void *arg)
{
	struct fixture *f = arg;

	f->res = *r;
	f->done = true;
}

static void
start_probe(struct fixture *f, int count)
{
	struct arp_request req = { .count = count,
		.interval_ns = 10 * LOOP_NS_PER_MSEC,
		.timeout_ns = 200 * LOOP_NS_PER_MSEC };
	struct in_addr src;

	inet_pton(AF_INET, DEV_IP, &req.target);
	inet_pton(AF_INET, OUR_IP, &src);
	assert_int_equal(arp_probe_start_on(f->arp, f->ifc, &src, &req,
	    on_done, f, NULL), 0);
	/* Let the requests go out. */
	for (int i = 0; i < 50; i++) {
		struct arp_counters c;
		arp_get_counters(f->arp, &c);
		if ((int)c.sent >= count)
			break;
		(void)loop_run_once(f->loop, 20 * LOOP_NS_PER_MSEC);
	}
}

static void
run_until_done(struct fixture *f)
{
	for (int i = 0; i < 200 && !f->done; i++)
		(void)loop_run_once(f->loop, 20 * LOOP_NS_PER_MSEC);
	assert_true(f->done);
}

static int
replay(struct fixture *f, const char *path)
{
	char eb[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *p = pcap_open_offline(path, eb);
	int n = 0, replies = 0;

	assert_non_null(p);
	while (n < 100 && pcap_next_ex(p, &h, &bytes) == 1) {
		if (arp_input(f->arp, f->ifc, bytes, h->caplen,
		    loop_clock()) == ARP_FRAME_REPLY)
			replies++;
		n++;
	}
	pcap_close(p);
	assert_int_equal(n, 9);
	return replies;
}

static void
test_arp_foreign_capture_gives_no_up(void **state)
{
	struct fixture *f = *state;
	struct arp_counters c;
	struct check_result res = { 0 };

	write_foreign(f->path);
	start_probe(f, 2);
	assert_int_equal(replay(f, f->path), 0);
	run_until_done(f);
	assert_int_equal(f->res.err, 0);
	assert_int_equal(f->res.sent, 2);
	assert_int_equal(f->res.replies, 0);
	arp_get_counters(f->arp, &c);
	assert_int_equal(c.replies, 0);
	assert_int_equal(c.foreign, 3);
	assert_int_equal(c.gratuitous, 2);
	assert_int_equal(c.malformed, 3);
	arp_check_result(DEV_IP, &f->res, &res);
	assert_int_equal(res.code, CHECK_CRITICAL);
	assert_non_null(strstr(res.output, "does not answer ARP"));
	check_result_clear(&res);
}

static void
test_arp_foreign_capture_without_probe(void **state)
{
	struct fixture *f = *state;
	struct arp_counters c;

	write_foreign(f->path);
	assert_int_equal(replay(f, f->path), 0);
	arp_get_counters(f->arp, &c);
	assert_int_equal(c.foreign, 3);
}

static void
test_arp_genuine_reply_accepted(void **state)
{
	struct fixture *f = *state;
	unsigned char fr[64];
	struct check_result res = { 0 };
	size_t n = frame(fr, 2, DEV_MAC, DEV_IP, OUR_MAC, OUR_IP);

	start_probe(f, 1);
	/* A reply before it was asked for would not count; now it does. */
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_REPLY);
	run_until_done(f);
	assert_int_equal(f->res.replies, 1);
	assert_string_equal(f->res.mac, "02:00:00:00:00:0a");
	assert_true(f->res.rtt_avg_ns >= 0);
	/* The probe is over: the same reply again is foreign. */
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_FOREIGN);
	arp_check_result(DEV_IP, &f->res, &res);
	assert_int_equal(res.code, CHECK_OK);
	assert_non_null(strstr(res.output, "answers ARP"));
	assert_non_null(res.perfdata);
	check_result_clear(&res);
}

static void
test_arp_reply_on_other_interface_is_foreign(void **state)
{
	struct fixture *f = *state;
	struct arp_if *other;
	unsigned char fr[64];
	size_t n = frame(fr, 2, DEV_MAC, DEV_IP, OUR_MAC, OUR_IP);

	assert_int_equal(arp_if_fake(f->arp, "fake1", 43, OUR_MAC, &other), 0);
	start_probe(f, 1);
	assert_int_equal(arp_input(f->arp, other, fr, n, loop_clock()),
	    ARP_FRAME_FOREIGN);
	run_until_done(f);
	assert_int_equal(f->res.replies, 0);
}

/* ----- IPv6: neighbour advertisements ------------------------------------ */

#define OUR_IP6 "fd66:0:5::1"
#define DEV_IP6 "fd66:0:5::10"

static uint16_t
cksum6(const unsigned char *src, const unsigned char *dst,
    const unsigned char *p, size_t len)
{
	uint32_t sum = (uint32_t)len + 58;

	for (size_t i = 0; i < 16; i += 2)
		sum += (uint32_t)((src[i] << 8) | src[i + 1]) +
		    (uint32_t)((dst[i] << 8) | dst[i + 1]);
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A neighbour advertisement from DEV for target to dst (flags: 0x40
 * solicited, 0x20 override). */
static size_t
na_frame(unsigned char *f, const char *target, const char *dst, int flags,
    bool bad_sum)
{
	unsigned char *ip = f + 14, *icmp = ip + 40;
	uint16_t ck;

	memset(f, 0, 14 + 40 + 32);
	memcpy(f, OUR_MAC, 6);
	memcpy(f + 6, DEV_MAC, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	inet_pton(AF_INET6, target, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	icmp[0] = 136;
	icmp[4] = (unsigned char)flags;
	inet_pton(AF_INET6, target, icmp + 8);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, DEV_MAC, 6);
	ck = cksum6(ip + 8, ip + 24, icmp, 32);
	if (bad_sum)
		ck ^= 0x0101;
	icmp[2] = (unsigned char)(ck >> 8);
	icmp[3] = (unsigned char)(ck & 0xff);
	return 14 + 40 + 32;
}

static void
start_probe6(struct fixture *f)
{
	struct arp_request req = { .family = AF_INET6, .count = 1,
		.interval_ns = 10 * LOOP_NS_PER_MSEC,
		.timeout_ns = 200 * LOOP_NS_PER_MSEC };
	struct in6_addr src;

	inet_pton(AF_INET6, DEV_IP6, &req.target6);
	inet_pton(AF_INET6, OUR_IP6, &src);
	assert_int_equal(arp_probe_start_on(f->arp, f->ifc, &src, &req,
	    on_done, f, NULL), 0);
	for (int i = 0; i < 50; i++) {
		struct arp_counters c;
		arp_get_counters(f->arp, &c);
		if (c.sent >= 1)
			break;
		(void)loop_run_once(f->loop, 20 * LOOP_NS_PER_MSEC);
	}
}

static void
test_arp_ipv6_foreign_advertisements_dropped(void **state)
{
	struct fixture *f = *state;
	unsigned char fr[128];
	struct arp_counters c;
	size_t n;

	start_probe6(f);
	/* Unsolicited (an announcement). */
	n = na_frame(fr, DEV_IP6, OUR_IP6, 0x20, false);
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_GRATUITOUS);
	/* A bad checksum. */
	n = na_frame(fr, DEV_IP6, OUR_IP6, 0x60, true);
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_MALFORMED);
	/* Solicited by another host. */
	n = na_frame(fr, DEV_IP6, "fd66:0:5::2", 0x60, false);
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_FOREIGN);
	/* For an address never asked. */
	n = na_frame(fr, "fd66:0:5::99", OUR_IP6, 0x60, false);
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_FOREIGN);
	/* Hop limit not 255: forwarded from elsewhere. */
	n = na_frame(fr, DEV_IP6, OUR_IP6, 0x60, false);
	fr[14 + 7] = 64;
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_MALFORMED);
	/* Truncated. */
	assert_int_equal(arp_input(f->arp, f->ifc, fr, 14 + 40 + 10,
	    loop_clock()), ARP_FRAME_MALFORMED);
	run_until_done(f);
	assert_int_equal(f->res.replies, 0);
	arp_get_counters(f->arp, &c);
	assert_int_equal(c.gratuitous, 1);
	assert_int_equal(c.malformed, 3);
	assert_int_equal(c.foreign, 2);
}

static void
test_arp_ipv6_solicited_advertisement_accepted(void **state)
{
	struct fixture *f = *state;
	unsigned char fr[128];
	struct check_result res = { 0 };
	size_t n = na_frame(fr, DEV_IP6, OUR_IP6, 0x60, false);

	start_probe6(f);
	assert_int_equal(arp_input(f->arp, f->ifc, fr, n, loop_clock()),
	    ARP_FRAME_REPLY);
	run_until_done(f);
	assert_int_equal(f->res.replies, 1);
	assert_int_equal(f->res.family, AF_INET6);
	assert_string_equal(f->res.mac, "02:00:00:00:00:0a");
	arp_check_result(DEV_IP6, &f->res, &res);
	assert_int_equal(res.code, CHECK_OK);
	assert_non_null(strstr(res.output, "answers NDP"));
	check_result_clear(&res);
}

static void
test_arp_check_arguments(void **state)
{
	char *one[] = { (char *)"5" }, *bad[] = { (char *)"0" };
	char *junk[] = { (char *)"3x" }, *two[] = { (char *)"1", (char *)"2" };
	char err[256];
	int n;

	(void)state;
	assert_int_equal(arp_check_parse(NULL, 0, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(arp_check_parse(one, 1, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_int_equal(arp_check_parse(bad, 1, &n, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "from 1 to 20"));
	assert_int_equal(arp_check_parse(junk, 1, &n, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(arp_check_parse(two, 2, &n, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "one argument"));
}

static void
test_arp_unknown_when_probe_cannot_run(void **state)
{
	struct arp_result r;
	struct check_result res = { 0 };

	(void)state;
	memset(&r, 0, sizeof(r));
	r.err = -EHOSTUNREACH;
	snprintf(r.text, sizeof(r.text), "not on a link of the monitor");
	arp_check_result("198.51.100.1", &r, &res);
	assert_int_equal(res.code, CHECK_UNKNOWN);
	assert_non_null(strstr(res.output, "not on a link"));
	check_result_clear(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_arp_foreign_capture_gives_no_up),
		T(test_arp_foreign_capture_without_probe),
		T(test_arp_genuine_reply_accepted),
		T(test_arp_reply_on_other_interface_is_foreign),
		T(test_arp_ipv6_foreign_advertisements_dropped),
		T(test_arp_ipv6_solicited_advertisement_accepted),
		cmocka_unit_test(test_arp_check_arguments),
		cmocka_unit_test(test_arp_unknown_when_probe_cannot_run),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
