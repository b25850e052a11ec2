#!/bin/bash
# test_snmp_mib: MIB names in `pharos snmp get|walk` and in the snmp check,
# against a real snmpd on loopback inside a private network namespace
# (unshare -n). A name must give exactly the output of its numeric OID
# (the poller keeps printing numeric OIDs, as snmpget -On, once MIB files
# are loaded), an unknown name must be refused before anything is sent,
# and `pharosd -v` must name an unknown name at the service's line.
# Names come from the source tree's mibs/ (PHAROS_MIBDIRS) and the
# system's MIB dirs. Exit: 0 pass, 1 fail, 77 skip (not root, or
# snmpd/snmpget/unshare missing), 99 hard error.
set -u
export LC_ALL=C

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PHAROS="$top_builddir/pharos"
PHAROSD="$top_builddir/pharosd"
export PHAROS_MIBDIRS="$top_srcdir/mibs"

[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
for t in snmpd snmpget snmpbulkwalk unshare; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: no $t"; exit 77; }
done
[ -x "$PHAROS" ] && [ -x "$PHAROSD" ] ||
	{ echo "pharos/pharosd not built in $top_builddir"; exit 99; }

# Re-run inside a private network namespace: nothing leaves it.
if [ -z "${SNMP_MIB_IN_NETNS:-}" ]; then
	SNMP_MIB_IN_NETNS=1 exec unshare -n -- "$0" "$@"
fi
ip link set lo up

DIR=$(mktemp -d /tmp/test_snmp_mib.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

PORT=16131
A=127.0.0.1:$PORT
cat > "$DIR/snmpd.conf" <<CONF
rocommunity public 127.0.0.1
sysName mibagent
sysLocation lab
CONF
snmpd -f -Lo -C -c "$DIR/snmpd.conf" -p "$DIR/pid" --persistentDir="$DIR" \
    "udp:$A" >"$DIR/snmpd.log" 2>&1 &
PID=$!
for _ in $(seq 50); do
	snmpget -v2c -c public -t 0.2 -r 0 "$A" .1.3.6.1.2.1.1.5.0 \
	    >/dev/null 2>&1 && break
	sleep 0.1
done
snmpget -v2c -c public -t 0.2 -r 0 "$A" .1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 ||
	{ echo "snmpd did not start"; exit 99; }

# Values that move between two reads are compared by type.
norm() {
	sed -E 's/(Counter32|Counter64|Gauge32|Timeticks): .*/\1/'
}

PASS=0 FAIL=0
check() { # NAME COMMAND...
	local name=$1; shift
	echo "=== $name"
	if "$@"; then echo "PASS: $name"; PASS=$((PASS + 1))
	else echo "FAIL: $name"; FAIL=$((FAIL + 1)); fi
}

# sysObjectID's value is an OID: it must stay numeric with MIBs loaded.
case_get_name_equals_numeric() {
	"$PHAROS" snmp get $A sysName.0 sysObjectID.0 sysUpTime.0 \
	    PHAROS-MIB2-NAMES::sysLocation.0 | norm > "$DIR/names" || return 1
	"$PHAROS" snmp get $A .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.2.0 \
	    1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.1.6.0 | norm > "$DIR/numeric" ||
	    return 1
	snmpget -On -v2c -c public $A .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.2.0 \
	    .1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.1.6.0 | norm > "$DIR/theirs"
	grep -qx '.1.3.6.1.2.1.1.5.0 = STRING: "mibagent"' "$DIR/names" &&
	grep -q '^.1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.' "$DIR/names" &&
	diff "$DIR/names" "$DIR/numeric" && diff "$DIR/names" "$DIR/theirs"
}
case_walk_name_equals_numeric() {
	"$PHAROS" snmp walk $A ifDescr > "$DIR/walk_names" || return 1
	"$PHAROS" snmp walk $A .1.3.6.1.2.1.2.2.1.2 > "$DIR/walk_numeric" ||
	    return 1
	[ -s "$DIR/walk_names" ] &&
	grep -q '^.1.3.6.1.2.1.2.2.1.2.1 = STRING: ' "$DIR/walk_names" &&
	diff "$DIR/walk_names" "$DIR/walk_numeric"
}
# sysORID values are OIDs too: compared with snmpbulkwalk -On.
case_walk_oid_values_stay_numeric() {
	"$PHAROS" snmp walk $A sysORTable | norm > "$DIR/or_names" || return 1
	snmpbulkwalk -On -v2c -c public $A .1.3.6.1.2.1.1.9 | norm \
	    > "$DIR/or_theirs"
	[ -s "$DIR/or_names" ] && diff "$DIR/or_names" "$DIR/or_theirs"
}
case_system_mib_name() {
	[ -r /usr/share/snmp/mibs/UCD-SNMP-MIB.txt ] || {
		echo "(no UCD-SNMP-MIB installed: skipped)"; return 0; }
	diff <("$PHAROS" snmp get $A UCD-SNMP-MIB::laLoad.1 laLoadInt.2) \
	    <(snmpget -On -v2c -c public $A .1.3.6.1.4.1.2021.10.1.3.1 \
	    .1.3.6.1.4.1.2021.10.1.5.2)
}
case_unknown_name_exit_2() {
	local rc=0
	"$PHAROS" snmp get $A sysName.0 sysNme.0 > "$DIR/out" 2> "$DIR/err" ||
	    rc=$?
	cat "$DIR/err"
	[ $rc = 2 ] && [ ! -s "$DIR/out" ] &&
	grep -q "^pharos snmp: unknown MIB object 'sysNme.0' (numeric OIDs always work; MIB files are read from $PHAROS_MIBDIRS:" "$DIR/err" &&
	[ "$(wc -l < "$DIR/err")" = 1 ] || return 1
	rc=0
	"$PHAROS" snmp walk $A NO-SUCH-MIB::ifDescr 2> "$DIR/err" || rc=$?
	[ $rc = 2 ] && grep -q "no MIB file holds module NO-SUCH-MIB" "$DIR/err"
}
case_check_names_in_pharosd_v() {
	mkdir -p "$DIR/cfg"
	printf 'log_file=%s/cfg/pharos.log\ncfg_file=objects.cfg\n' "$DIR" \
	    > "$DIR/cfg/pharos.cfg"
	cat > "$DIR/cfg/objects.cfg" <<'EOF'
define host {
	host_name            agent
	address              127.0.0.1
	max_check_attempts   1
}
define service {
	host_name            agent
	service_description  Names
	check_command        snmp!sysUpTime.0,IF-MIB::ifInOctets.1!!!!!name=sysName.0
	max_check_attempts   1
	check_interval       1
	retry_interval       1
}
define service {
	host_name            agent
	service_description  Typo
	check_command        snmp!sysNme.0
	max_check_attempts   1
	check_interval       1
	retry_interval       1
}
EOF
	"$PHAROSD" -v "$DIR/cfg/pharos.cfg" > "$DIR/verify" 2>&1
	grep "error" "$DIR/verify"
	# IF-MIB is not ours: the Names service is right only where it is
	# installed; the typo is an error at its line everywhere
	grep -q "objects.cfg:14: error: .*snmp: ARG1: unknown MIB object 'sysNme.0' (numeric OIDs always work" "$DIR/verify" &&
	if [ -n "$(find /usr/share/snmp/mibs "$HOME/.snmp/mibs" -name 'IF-MIB*' 2>/dev/null)" ]; then
		! grep -q "objects.cfg:6: error" "$DIR/verify"
	else
		grep -q "objects.cfg:6: error: .*unknown MIB object 'IF-MIB::ifInOctets.1'" "$DIR/verify"
	fi
}

check get_name_equals_numeric_and_snmpget case_get_name_equals_numeric
check walk_name_equals_numeric case_walk_name_equals_numeric
check walk_oid_values_stay_numeric case_walk_oid_values_stay_numeric
check system_mib_name_resolves case_system_mib_name
check unknown_name_exit_2_nothing_sent case_unknown_name_exit_2
check check_names_in_pharosd_v case_check_names_in_pharosd_v

echo "passed $PASS, failed $FAIL"
[ "$FAIL" = 0 ]
