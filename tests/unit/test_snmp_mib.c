/*
 * test_snmp_mib: OIDs from text. Numeric OIDs are checked and never load
 * a MIB file; names come from the source tree's mibs/ (PHAROS_MIBDIRS,
 * set by main before anything runs) and the system's MIB dirs. The MIB
 * tree is net-snmp's process-wide state, so the order of the tests is
 * part of the test: the numeric cases run first (nothing loaded yet),
 * then the first names are resolved with stderr captured (the parser's
 * complaints about real MIB files' missing imports must not show).
 * HOME points at a temporary dir whose .snmp/mibs holds a small vendor
 * module written here, as a user would install one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snmp_check.h"
#include "snmp_mib.h"

#ifndef TEST_SRCDIR
#define TEST_SRCDIR "."
#endif

#define MIBDIR TEST_SRCDIR "/mibs"
#define UCD_MIB_FILE "/usr/share/snmp/mibs/UCD-SNMP-MIB.txt"
#define ARGS(...) (char *[]){ __VA_ARGS__ }, \
	sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)

static void
resolves(const char *text, const char *want)
{
	char out[SNMP_MIB_TEXT_MAX], err[1024] = "";

	if (snmp_mib_resolve(text, out, sizeof(out), err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", text, err);
	if (strcmp(out, want) != 0)
		fail_msg("'%s' gave %s, not %s", text, out, want);
}

static void
refused(const char *text, size_t len, const char *why)
{
	char out[SNMP_MIB_TEXT_MAX] = "x", err[1024] = "";

	assert_true(len <= sizeof(out));
	if (snmp_mib_resolve(text, out, len, err, sizeof(err)) != -EINVAL)
		fail_msg("'%s' accepted as %s", text, out);
	if (strstr(err, why) == NULL)
		fail_msg("'%s': error \"%s\" lacks \"%s\"", text, err, why);
	assert_string_equal(out, "");
}

/* ---- numeric: no MIB file is read ---- */

static void
test_numeric_passes_through_without_loading_mibs(void **state)
{
	(void)state;
	assert_false(snmp_mib_loaded());
	resolves(".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.5.0");
	resolves("1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.5.0");
	resolves("1.3", ".1.3");
	resolves(".1.3.6.1.4.1.9.4294967295", ".1.3.6.1.4.1.9.4294967295");
	assert_true(snmp_mib_is_numeric("1.3.6.x"));
	assert_true(snmp_mib_is_numeric(".1"));
	assert_false(snmp_mib_is_numeric("sysName.0"));
	assert_false(snmp_mib_is_numeric(".iso.3"));
	assert_false(snmp_mib_loaded());
}

static void
test_bad_numeric_is_an_error_not_a_name(void **state)
{
	const char *bad[] = { "1.3.6.x", "1.3..6", "1.3.", ".", "..", "1",
		"1.3.4294967296", "1.3.00000000001", "1.3.6-1" };
	char many[129 * 2 + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], SNMP_MIB_TEXT_MAX, "is not a numeric OID");
	for (size_t i = 0; i < 129; i++)
		memcpy(many + 2 * i, ".1", 3);  /* 129 arcs */
	refused(many, SNMP_MIB_TEXT_MAX, "2 to 128 numbers");
	refused("1.3.6.1.2.1.1.5.0", 10, "is longer than 9 bytes");
	refused("", SNMP_MIB_TEXT_MAX, "empty OID");
	assert_false(snmp_mib_loaded());
}

/* ---- names ---- */

/* The first names: our modules are read, the system dirs indexed, then
 * read whole for a name nowhere. stderr must stay empty throughout. */
static void
test_first_names_load_quietly(void **state)
{
	char path[] = "/tmp/test_snmp_mib.XXXXXX", buf[4096];
	int fd = mkstemp(path), saved;
	ssize_t n;

	(void)state;
	assert_true(fd >= 0);
	(void)unlink(path);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	resolves("sysName.0", ".1.3.6.1.2.1.1.5.0");
	refused("noSuchObject.0", SNMP_MIB_TEXT_MAX, "unknown MIB object");
	refused("NO-SUCH-MIB::sysName.0", SNMP_MIB_TEXT_MAX,
	    "unknown MIB object");
	if (snmp_mib_resolve("UCD-SNMP-MIB::laLoad.1", buf, sizeof(buf), buf,
	    sizeof(buf)) != 0) {
		/* the system may have no UCD-SNMP-MIB: quiet either way */
	}
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	if (n > 0)
		fail_msg("the MIB parser wrote to stderr: %s", buf);
	assert_true(snmp_mib_loaded());
}

static void
test_names_resolve_with_and_without_module_and_index(void **state)
{
	(void)state;
	resolves("sysUpTime.0", ".1.3.6.1.2.1.1.3.0");
	resolves("PHAROS-MIB2-NAMES::sysName.0", ".1.3.6.1.2.1.1.5.0");
	resolves("ifDescr", ".1.3.6.1.2.1.2.2.1.2");
	resolves("ifHCInOctets.3", ".1.3.6.1.2.1.31.1.1.1.6.3");
	resolves("PHAROS-MIB2-NAMES::ifHCInOctets.3",
	    ".1.3.6.1.2.1.31.1.1.1.6.3");
	resolves("bgpPeerState.192.0.2.1", ".1.3.6.1.2.1.15.3.1.2.192.0.2.1");
	resolves(".sysName.0", ".1.3.6.1.2.1.1.5.0");
	resolves("enterprises", ".1.3.6.1.4.1");
}

/* One name from each of our modules, by module: every file parses. */
static void
test_every_name_module_is_read(void **state)
{
	(void)state;
	resolves("PHAROS-MIB2-NAMES::ifAlias.2", ".1.3.6.1.2.1.31.1.1.1.18.2");
	resolves("PHAROS-HOST-NAMES::hrStorageUsed.31",
	    ".1.3.6.1.2.1.25.2.3.1.6.31");
	resolves("PHAROS-HOST-NAMES::hrStorageFixedDisk",
	    ".1.3.6.1.2.1.25.2.1.4");
	resolves("PHAROS-HOST-NAMES::hrProcessorLoad",
	    ".1.3.6.1.2.1.25.3.3.1.2");
	resolves("PHAROS-HOST-NAMES::hrPrinterStatus.1",
	    ".1.3.6.1.2.1.25.3.5.1.1.1");
	resolves("PHAROS-PRINTER-NAMES::prtMarkerSuppliesLevel.1.1",
	    ".1.3.6.1.2.1.43.11.1.1.9.1.1");
	resolves("PHAROS-PRINTER-NAMES::prtAlertCriticalEvents.0",
	    ".1.3.6.1.2.1.43.18.2.0");
	resolves("PHAROS-ENTITY-NAMES::entPhysicalName.1010",
	    ".1.3.6.1.2.1.47.1.1.1.1.7.1010");
	resolves("PHAROS-ENTITY-NAMES::entPhySensorValue",
	    ".1.3.6.1.2.1.99.1.1.1.4");
	resolves("PHAROS-BGP-NAMES::bgpPeerRemoteAs",
	    ".1.3.6.1.2.1.15.3.1.9");
	resolves("PHAROS-UPS-NAMES::upsEstimatedChargeRemaining.0",
	    ".1.3.6.1.2.1.33.1.2.4.0");
	resolves("PHAROS-VENDOR-NAMES::cpmCPUTotal5minRev.1",
	    ".1.3.6.1.4.1.9.9.109.1.1.1.1.8.1");
	resolves("PHAROS-VENDOR-NAMES::ciscoMemoryPoolFree",
	    ".1.3.6.1.4.1.9.9.48.1.1.1.6");
	resolves("PHAROS-VENDOR-NAMES::jnxOperatingBuffer",
	    ".1.3.6.1.4.1.2636.3.1.13.1.11");
	resolves("PHAROS-VENDOR-NAMES::fgSysCpuUsage.0",
	    ".1.3.6.1.4.1.12356.101.4.1.3.0");
	resolves("PHAROS-VENDOR-NAMES::panSessionUtilization.0",
	    ".1.3.6.1.4.1.25461.2.1.2.3.1.0");
}

static void
test_unknown_names_give_the_error(void **state)
{
	(void)state;
	refused("sysNme.0", SNMP_MIB_TEXT_MAX,
	    "unknown MIB object 'sysNme.0' (numeric OIDs always work; MIB "
	    "files are read from " MIBDIR ":");
	refused("NO-SUCH-MIB::sysName.0", SNMP_MIB_TEXT_MAX,
	    "(no MIB file holds module NO-SUCH-MIB; numeric OIDs always");
	refused("PHAROS-MIB2-NAMES::hrStorageUsed", SNMP_MIB_TEXT_MAX,
	    "unknown MIB object 'PHAROS-MIB2-NAMES::hrStorageUsed' (numeric");
	refused("sysName.0.x", SNMP_MIB_TEXT_MAX, "unknown MIB object");
	refused("sys Name", SNMP_MIB_TEXT_MAX, "neither a numeric OID nor");
	refused("iso", SNMP_MIB_TEXT_MAX, "has one arc");
	refused("sysName.4294967296", SNMP_MIB_TEXT_MAX, "out of range");
	refused("sysName.0", 10, "longer than 9 bytes as a numeric OID");
}

/* net-snmp's own UCD-SNMP-MIB imports SNMPv2-SMI, which this system may
 * lack: its nodes hang under `enterprises` from PHAROS-MIB2-NAMES. */
static void
test_system_mib_names_resolve_when_installed(void **state)
{
	(void)state;
	if (access(UCD_MIB_FILE, R_OK) != 0)
		skip();
	resolves("UCD-SNMP-MIB::laLoad.1", ".1.3.6.1.4.1.2021.10.1.3.1");
	resolves("laLoadInt.2", ".1.3.6.1.4.1.2021.10.1.5.2");
	resolves("memAvailReal.0", ".1.3.6.1.4.1.2021.4.6.0");
}

/* A module in ~/.snmp/mibs (written by main) that imports enterprises
 * from SNMPv2-SMI, absent here, as vendor MIB files do. */
static void
test_user_mib_dir_is_read(void **state)
{
	(void)state;
	resolves("TEST-VENDOR-MIB::testVendorTemp.0",
	    ".1.3.6.1.4.1.99999.1.1.0");
	resolves("testVendorFan.2", ".1.3.6.1.4.1.99999.1.2.2");
	refused("TEST-VENDOR-MIB::sysName.0", SNMP_MIB_TEXT_MAX,
	    "unknown MIB object");
}

/* The snmp check takes names in ARG1 and name=, resolved at parse time. */
static void
test_snmp_check_arguments_take_names(void **state)
{
	struct snmp_check_params p;
	char err[512] = "";

	(void)state;
	if (snmp_check_parse("snmp", ARGS("sysUpTime.0, ifHCInOctets.3", "",
	    "", "", "", "name=ifDescr.3"), &p, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(p.noids, 2);
	assert_string_equal(p.oids[0], ".1.3.6.1.2.1.1.3.0");
	assert_string_equal(p.oids[1], ".1.3.6.1.2.1.31.1.1.1.6.3");
	assert_string_equal(p.name_oid, ".1.3.6.1.2.1.2.2.1.2.3");
	assert_int_equal(snmp_check_parse("snmp", ARGS("sysUpTime.0,sysNme.0"),
	    &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "snmp: ARG1: unknown MIB object "
	    "'sysNme.0' (numeric OIDs always work"));
	assert_int_equal(snmp_check_parse("snmp", ARGS("1.3.6.1", "", "", "",
	    "", "name=ifDescrr.3"), &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "snmp: ARG6 (options): name=: unknown "
	    "MIB object 'ifDescrr.3'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* in this order: see the top of the file */
		cmocka_unit_test(
		    test_numeric_passes_through_without_loading_mibs),
		cmocka_unit_test(test_bad_numeric_is_an_error_not_a_name),
		cmocka_unit_test(test_first_names_load_quietly),
		cmocka_unit_test(
		    test_names_resolve_with_and_without_module_and_index),
		cmocka_unit_test(test_every_name_module_is_read),
		cmocka_unit_test(test_unknown_names_give_the_error),
		cmocka_unit_test(test_system_mib_names_resolve_when_installed),
		cmocka_unit_test(test_user_mib_dir_is_read),
		cmocka_unit_test(test_snmp_check_arguments_take_names),
	};
	char home[] = "/tmp/test_snmp_mib_home.XXXXXX", dir[128], file[160];
	FILE *f;
	int rc;

	if (mkdtemp(home) == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s/.snmp", home);
	if (mkdir(dir, 0700) != 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/.snmp/mibs", home);
	snprintf(file, sizeof(file), "%s/test-vendor.my", dir);
	if (mkdir(dir, 0700) != 0 || (f = fopen(file, "w")) == NULL)
		return 1;
	fputs("TEST-VENDOR-MIB DEFINITIONS ::= BEGIN\n"
	    "IMPORTS enterprises FROM SNMPv2-SMI;\n"
	    "testVendor OBJECT IDENTIFIER ::= { enterprises 99999 }\n"
	    "testVendorSensors OBJECT IDENTIFIER ::= { testVendor 1 }\n"
	    "testVendorTemp OBJECT IDENTIFIER ::= { testVendorSensors 1 }\n"
	    "testVendorFan OBJECT IDENTIFIER ::= { testVendorSensors 2 }\n"
	    "END\n", f);
	if (fclose(f) != 0 || setenv("HOME", home, 1) != 0 ||
	    setenv("PHAROS_MIBDIRS", MIBDIR, 1) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	(void)unlink(file);
	(void)rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/.snmp", home);
	(void)rmdir(dir);
	(void)rmdir(home);
	return rc;
}
