#!/bin/bash
# test_snmp_cli: `pharos snmp get|walk` against real snmpd agents on
# loopback, inside a private network namespace (unshare -n), compared line
# for line with net-snmp's own `snmpget -On` / `snmpbulkwalk -On`.
# Values that move between two reads (Counter*, Gauge32, Timeticks and the
# agent's clock hrSystemDate) are compared by type only. Exit: 0 pass, 1 fail, 77 skip (not root, or
# snmpd/snmpget/unshare missing), 99 hard error.
set -u
export LC_ALL=C

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PHAROS="$top_builddir/pharos"

[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
for t in snmpd snmpget snmpbulkwalk unshare; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: no $t"; exit 77; }
done
[ -x "$PHAROS" ] || { echo "pharos not built: $PHAROS"; exit 99; }

# Re-run inside a private network namespace: nothing leaves it.
if [ -z "${SNMP_CLI_IN_NETNS:-}" ]; then
	SNMP_CLI_IN_NETNS=1 exec unshare -n -- "$0" "$@"
fi
ip link set lo up

DIR=$(mktemp -d /tmp/test_snmp_cli.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

start_agent() { # NAME PORT
	local d="$DIR/$1"
	mkdir -p "$d"
	cat > "$d/snmpd.conf" <<CONF
rocommunity public 127.0.0.1
sysName $1
sysDescr Pharos test agent $1
sysLocation lab
createUser pharosv3 SHA authpass123 AES privpass123
rouser pharosv3 priv
CONF
	snmpd -f -Lo -C -c "$d/snmpd.conf" -p "$d/pid" \
	    --persistentDir="$d" "udp:127.0.0.1:$2" >"$d/log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do
		snmpget -v2c -c public -t 0.2 -r 0 "127.0.0.1:$2" \
		    .1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "agent $1 did not start"; exit 99
}

# hrSystemDate (.1.3.6.1.2.1.25.1.2.0) is the agent's clock: it moves too.
norm() {
	sed -E -e 's/(Counter32|Counter64|Gauge32|Timeticks): .*/\1/' \
	    -e 's/^(\.1\.3\.6\.1\.2\.1\.25\.1\.2\.0 = Hex-STRING:) .*/\1/'
}

PASS=0 FAIL=0
check() { # NAME COMMAND...
	local name=$1; shift
	echo "=== $name"
	if "$@"; then echo "PASS: $name"; PASS=$((PASS + 1))
	else echo "FAIL: $name"; FAIL=$((FAIL + 1)); fi
}

start_agent a1 16101
start_agent a2 16102
start_agent a3 16103
A=127.0.0.1:16101
SYS=".1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.6.0 .1.3.6.1.2.1.1.2.0 .1.3.6.1.2.1.1.99.0"

case_get_v2c() {
	# shellcheck disable=SC2086
	diff <("$PHAROS" snmp get -v 2c -c public $A $SYS) \
	    <(snmpget -On -v2c -c public $A $SYS)
}
case_get_v1() {
	diff <("$PHAROS" snmp get -v 1 -c public $A .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.3.0 | norm) \
	    <(snmpget -On -v1 -c public $A .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.3.0 | norm)
}
case_walk_mib2() {
	"$PHAROS" snmp walk -c public $A | norm > "$DIR/ours" || return 1
	snmpbulkwalk -On -v2c -c public $A | norm > "$DIR/theirs"
	[ -s "$DIR/ours" ] && diff "$DIR/ours" "$DIR/theirs"
}
case_walk_iftable_v1_and_reps() {
	diff <("$PHAROS" snmp walk -v 1 $A .1.3.6.1.2.1.2.2 | norm) \
	    <(snmpwalk -On -v1 -c public $A .1.3.6.1.2.1.2.2 | norm) &&
	diff <("$PHAROS" snmp walk -Cr 2 $A .1.3.6.1.2.1.2.2 | norm) \
	    <(snmpbulkwalk -On -v2c -c public -Cr2 $A .1.3.6.1.2.1.2.2 | norm)
}
case_walk_several_agents() {
	local ok=0
	"$PHAROS" snmp walk 127.0.0.1:16101 127.0.0.1:16102 127.0.0.1:16103 \
	    .1.3.6.1.2.1.1 | norm > "$DIR/multi" || return 1
	for p in 16101 16102 16103; do
		diff <(grep "^127.0.0.1:$p " "$DIR/multi" | cut -d' ' -f2-) \
		    <(snmpbulkwalk -On -v2c -c public 127.0.0.1:$p .1.3.6.1.2.1.1 | norm) ||
		    ok=1
	done
	return $ok
}
case_agents_file() {
	printf '# agents\n127.0.0.1:16102\n127.0.0.1:16103\n' > "$DIR/agents"
	"$PHAROS" snmp get -f "$DIR/agents" .1.3.6.1.2.1.1.5.0 > "$DIR/f" &&
	grep -qx '127.0.0.1:16102 .1.3.6.1.2.1.1.5.0 = STRING: "a2"' "$DIR/f" &&
	grep -qx '127.0.0.1:16103 .1.3.6.1.2.1.1.5.0 = STRING: "a3"' "$DIR/f"
}
case_v3_authpriv() {
	diff <("$PHAROS" snmp get -v 3 -u pharosv3 -l authPriv -a SHA \
	    -A authpass123 -x AES -X privpass123 $A .1.3.6.1.2.1.1.5.0) \
	    <(snmpget -On -v3 -u pharosv3 -l authPriv -a SHA -A authpass123 \
	    -x AES -X privpass123 $A .1.3.6.1.2.1.1.5.0)
}
case_v3_wrong_passphrase() {
	local rc=0
	"$PHAROS" snmp get -v 3 -u pharosv3 -l authPriv -a SHA \
	    -A wrongpass123 -x AES -X privpass123 $A .1.3.6.1.2.1.1.5.0 \
	    2> "$DIR/err" || rc=$?
	[ $rc = 1 ] && grep -q "Authentication failure" "$DIR/err"
}
case_failures_exit_1() {
	local rc=0
	"$PHAROS" snmp get -t 0.3 -r 0 -c wrong $A .1.3.6.1.2.1.1.5.0 \
	    2> "$DIR/err" >/dev/null || rc=$?
	[ $rc = 1 ] && grep -q "timeout: no answer from 127.0.0.1:16101" "$DIR/err" || return 1
	rc=0
	"$PHAROS" snmp walk -t 0.3 -r 0 $A 127.0.0.1:16199 .1.3.6.1.2.1.1 \
	    > "$DIR/out" 2>/dev/null || rc=$?
	[ $rc = 1 ] && grep -q '^127.0.0.1:16101 .1.3.6.1.2.1.1.5.0 = STRING: "a1"' "$DIR/out"
}
case_bad_arguments_exit_2() {
	local rc=0
	"$PHAROS" snmp get -v 4 $A .1.3.6.1.2.1.1.5.0 2>/dev/null || rc=$?
	[ $rc = 2 ] || return 1
	rc=0; "$PHAROS" snmp frob $A 2>/dev/null || rc=$?
	[ $rc = 2 ] || return 1
	rc=0; "$PHAROS" snmp get $A 2>/dev/null || rc=$?
	[ $rc = 2 ]
}

check get_v2c_matches_snmpget case_get_v2c
check get_v1_matches_snmpget case_get_v1
check walk_mib2_matches_snmpbulkwalk case_walk_mib2
check walk_iftable_v1_and_repetitions case_walk_iftable_v1_and_reps
check walk_several_agents_concurrently case_walk_several_agents
check agents_from_file case_agents_file
check v3_authpriv_matches_snmpget case_v3_authpriv
check v3_wrong_passphrase_is_reported case_v3_wrong_passphrase
check failures_exit_1 case_failures_exit_1
check bad_arguments_exit_2 case_bad_arguments_exit_2

echo "test_snmp_cli: $PASS passed, $FAIL failed, 0 skipped"
[ "$FAIL" = 0 ]
