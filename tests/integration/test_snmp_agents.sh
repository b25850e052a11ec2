#!/bin/bash
# test_snmp_agents: every device of the test network answers SNMP with a
# real agent (netns.sh up starts them: snmpd, and snmpsimd with recordings),
# read from the monitor's namespace with net-snmp's snmpget/snmpbulkwalk and
# with Pharos' own client (`pharos snmp get|walk`): each device's sysName is
# its own over v2c and v3 (IPv4 and IPv6), the printer answers Printer-MIB
# supplies, the Cisco switch recording walks its ifTable, the BGP
# recording answers, the server's counter feed serves the values
# `netns.sh counter` sets (steps across 2^32 and 2^64, a counter that grows
# on its own), wrong credentials get nothing, a failed device's agent goes
# silent and comes back, and down stops every agent by its PID.
#
# Needs root (network namespaces), snmpd, snmpsimd (Debian snmpsim) and
# snmpget/snmpbulkwalk (Debian snmp); skipped (77) without them. About 10 s.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
for t in ip nft snmpd snmpsimd snmpget snmpbulkwalk; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIP: needs $t (scripts/install-deps installs it)"
		exit 77
	fi
done
for r in printer cisco_16_switch bgp; do
	if ! netns_recording_src "$r" >/dev/null; then
		echo "SKIP: recording $r.snmprec not found (Debian snmpsim's examples, or tests/integration/data)"
		exit 77
	fi
done
if [ ! -x "$PHAROS" ]; then
	echo "ERROR: $PHAROS is not built (run make first; make check builds it)"
	exit 99
fi

# Every agent, or net_up fails.
export PHAROS_AGENTS=1
test_setup
net_up
MON="$PHAROS_NS_PREFIX-mon"
DEVICES="core dist1 dist2 server printer fw"
V3=(-u "$NETNS_V3_USER" -l authPriv -a SHA -A "$NETNS_V3_AUTH" -x AES -X "$NETNS_V3_PRIV")
SYSNAME=.1.3.6.1.2.1.1.5.0
C=$NETNS_COUNTER_OID

# Pharos' client and net-snmp's tools, run in the monitor's namespace with
# short bounded timeouts (2 tries of 1 s).
pharos_snmp() {
	ip netns exec "$MON" "$PHAROS" snmp "$1" -t 1 -r 1 "${@:2}"
}
netsnmp() {
	local tool=$1
	shift
	ip netns exec "$MON" "$tool" -On -t 1 -r 1 "$@" 2>/dev/null
}

sysname_line() {
	printf '%s = STRING: "%s"\n' "$SYSNAME" "$1"
}

# check_same DESC OURS THEIRS EXPECTED: Pharos and net-snmp print the same
# lines, and they are the expected ones.
check_same() {
	check_eq "$1 (pharos)" "$2" "$4" &&
	    check_eq "$1 (net-snmp)" "$3" "$4"
}

case_agents_running() {
	local out n
	out=$(netns_agents_show)
	printf '%s\n' "$out"
	n=$(printf '%s\n' "$out" | awk 'NR > 1 && $NF ~ /^[0-9]+$/' | wc -l)
	check_eq "agents running" "$n" "$(netns_agent_list | wc -l)"
}

case_sysname_v2c() {
	local dev addr rc=0
	for dev in $DEVICES; do
		addr=$(netns_addr "$dev")
		check_same "$dev $addr v2c sysName" \
		    "$(pharos_snmp get -v2c -c public "$addr" "$SYSNAME")" \
		    "$(netsnmp snmpget -v2c -c public "$addr" "$SYSNAME")" \
		    "$(sysname_line "$dev")" || rc=1
	done
	return "$rc"
}

case_sysname_v3_authpriv() {
	local dev addr rc=0
	for dev in $DEVICES; do
		addr=$(netns_addr "$dev")
		check_same "$dev $addr v3 authPriv sysName" \
		    "$(pharos_snmp get -v3 "${V3[@]}" "$addr" "$SYSNAME")" \
		    "$(netsnmp snmpget -v3 "${V3[@]}" "$addr" "$SYSNAME")" \
		    "$(sysname_line "$dev")" || rc=1
	done
	return "$rc"
}

case_sysname_ipv6() {
	local dev addr rc=0
	for dev in $DEVICES; do
		addr=$(netns_addr6 "$dev")
		check_eq "$dev [$addr] v2c sysName (pharos)" \
		    "$(pharos_snmp get -v2c -c public "[$addr]" "$SYSNAME")" \
		    "$(sysname_line "$dev")" || rc=1
		check_eq "$dev [$addr] v3 sysName (pharos)" \
		    "$(pharos_snmp get -v3 "${V3[@]}" "[$addr]" "$SYSNAME")" \
		    "$(sysname_line "$dev")" || rc=1
	done
	return "$rc"
}

# sysObjectID and sysDescr say what kind of device it is.
case_system_identity() {
	local dev kind oid services out rc=0
	while read -r dev kind oid services; do
		out=$(pharos_snmp get -c public "$(netns_addr "$dev")" \
		    .1.3.6.1.2.1.1.1.0 .1.3.6.1.2.1.1.2.0)
		check_eq "$dev sysDescr and sysObjectID" "$out" \
		    ".1.3.6.1.2.1.1.1.0 = STRING: \"Pharos lab $kind $dev (Linux)\"
.1.3.6.1.2.1.1.2.0 = OID: $oid" || rc=1
	done <<<"$NETNS_SNMPD_SYSTEM"
	out=$(pharos_snmp get -c printer "$(netns_addr printer)" .1.3.6.1.2.1.1.2.0)
	check_eq "printer sysObjectID (HP)" "$out" \
	    ".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.11.2.3.9.1" || rc=1
	return "$rc"
}

# Wrong community or passphrase: no answer, or a v3 report; exit 1.
case_wrong_credentials_refused() {
	local rc=0 err
	err=$(pharos_snmp get -c private "$(netns_addr server)" "$SYSNAME" 2>&1 >/dev/null)
	check "wrong community on snmpd: timeout" grep -q "timeout: no answer" <<<"$err" || rc=1
	err=$(pharos_snmp get -c private "$(netns_addr printer)" "$SYSNAME" 2>&1 >/dev/null)
	check "wrong community on snmpsimd: timeout" grep -q "timeout: no answer" <<<"$err" || rc=1
	err=$(pharos_snmp get -v3 -u "$NETNS_V3_USER" -l authPriv -a SHA -A wrong-pass-1 \
	    -x AES -X "$NETNS_V3_PRIV" "$(netns_addr fw)" "$SYSNAME" 2>&1 >/dev/null)
	check "wrong v3 passphrase: authentication failure" \
	    grep -q "Authentication failure" <<<"$err" || rc=1
	return "$rc"
}

case_printer_supplies() {
	local addr ours theirs rc=0
	addr=$(netns_addr printer)
	ours=$(pharos_snmp walk -c public "$addr" .1.3.6.1.2.1.43.11.1.1)
	theirs=$(netsnmp snmpbulkwalk -v2c -c public "$addr" .1.3.6.1.2.1.43.11.1.1)
	check "supplies walk: pharos and snmpbulkwalk agree" [ "$ours" = "$theirs" ] || rc=1
	check_eq "supplies rows (8 columns x 4)" "$(grep -c . <<<"$ours")" 32 || rc=1
	check "black toner description" grep -qx \
	    '.1.3.6.1.2.1.43.11.1.1.6.1.1 = STRING: "Black Toner Cartridge HP 58A"' <<<"$ours" || rc=1
	check "cyan toner low (8 of 100)" grep -qx \
	    '.1.3.6.1.2.1.43.11.1.1.9.1.2 = INTEGER: 8' <<<"$ours" || rc=1
	check "magenta: some remaining (-3)" grep -qx \
	    '.1.3.6.1.2.1.43.11.1.1.9.1.3 = INTEGER: -3' <<<"$ours" || rc=1
	check_eq "hrPrinterStatus idle, one alert" \
	    "$(pharos_snmp get -c printer "$addr" .1.3.6.1.2.1.25.3.5.1.1.1 .1.3.6.1.2.1.43.18.1.1.8.1.1)" \
	    '.1.3.6.1.2.1.25.3.5.1.1.1 = INTEGER: 3
.1.3.6.1.2.1.43.18.1.1.8.1.1 = STRING: "Cyan cartridge low"' || rc=1
	return "$rc"
}

case_switch_recording_iftable() {
	local addr ours theirs n rc=0
	addr="$(netns_addr dist1):1161"
	ours=$(pharos_snmp walk -c cisco_16_switch "$addr" .1.3.6.1.2.1.2.2.1.2)
	theirs=$(netsnmp snmpbulkwalk -v2c -c cisco_16_switch "$addr" .1.3.6.1.2.1.2.2.1.2)
	n=$(grep -c . <<<"$ours")
	check_gt "ifDescr rows walked" "$n" 15 || rc=1
	check "pharos and snmpbulkwalk agree" [ "$ours" = "$theirs" ] || rc=1
	check "a FastEthernet port" grep -q 'STRING: "FastEthernet' <<<"$ours" || rc=1
	check_eq "sysObjectID (v3, context cisco_16_switch)" \
	    "$(netsnmp snmpget -v3 "${V3[@]}" -n cisco_16_switch "$addr" .1.3.6.1.2.1.1.2.0)" \
	    ".1.3.6.1.2.1.1.2.0 = OID: .1.3.6.1.4.1.9.1.516" || rc=1
	return "$rc"
}

case_bgp_recording() {
	local out
	out=$(pharos_snmp walk -c bgp "$(netns_addr core):1161" .1.3.6.1.4.1.9.9.187)
	check_eq "cbgpPeer2LastErrorTxt rows" "$(grep -c . <<<"$out")" 14 &&
	    check "a peer's last error" grep -q '= STRING: "hold time expired"' <<<"$out"
}

# counter_is OID TYPE VALUE: pharos reads exactly that.
counter_is() {
	check_eq "$1" "$(pharos_snmp get -c public "$(netns_addr server)" "$1")" "$1 = $2: $3"
}

case_counter_feed_steps() {
	local rc=0
	net counter c32 4294967000 && net counter c64 18446744073709551000 &&
	    net counter g32 77 || return 1
	counter_is "$C.1.0" Counter32 4294967000 || rc=1
	counter_is "$C.2.0" Counter64 18446744073709551000 || rc=1
	counter_is "$C.3.0" Gauge32 77 || rc=1
	# Across the wrap: 2^32 + 200, 2^64 + 500.
	net counter c32 200 && net counter c64 500 || return 1
	counter_is "$C.1.0" Counter32 200 || rc=1
	counter_is "$C.2.0" Counter64 500 || rc=1
	check_eq "the walk of the feed (net-snmp)" \
	    "$(netsnmp snmpbulkwalk -v2c -c public "$(netns_addr server)" "$C")" \
	    "$C.1.0 = Counter32: 200
$C.2.0 = Counter64: 500
$C.3.0 = Gauge32: 77" || rc=1
	return "$rc"
}

# A counter set to grow 1000/s from 2^32 - 500 has wrapped half a second
# later; read twice, the increase matches the rate. Each read is bracketed
# by clock readings, so the agent's time of answer is known within the
# bracket however slow the machine is: the increase must lie within the
# rate times the shortest and the longest possible gap (plus rounding).
case_counter_feed_grows_and_wraps() {
	local v1 v2 t1b t1a t2b t2a lo hi
	net counter c32 4294966796 1000 || return 1
	sleep 1
	t1b=$(now)
	v1=$(pharos_snmp get -c public "$(netns_addr server)" "$C.1.0" | sed -n 's/.*Counter32: //p')
	t1a=$(now)
	check_lt "wrapped after 1 s" "$v1" 100000 || return 1
	sleep 1
	t2b=$(now)
	v2=$(pharos_snmp get -c public "$(netns_addr server)" "$C.1.0" | sed -n 's/.*Counter32: //p')
	t2a=$(now)
	is_number "$v2" || { echo "  FAILED: no second value"; return 1; }
	lo=$(calc "1000 * ($t2b - $t1a) - 2")
	hi=$(calc "1000 * ($t2a - $t1b) + 2")
	check_gt "increase" "$(calc "$v2 - $v1")" "$lo" &&
		check_lt "increase" "$(calc "$v2 - $v1")" "$hi"
}

# A failed device's agent goes silent with the rest of it; recover brings
# it back.
case_failed_device_agent_silent() {
	local addr rc=0
	addr=$(netns_addr server)
	net fail server || return 1
	check "server's agent silent while failed" \
	    not pharos_snmp get -t 0.5 -r 0 -c public "$addr" "$SYSNAME" 2>/dev/null || rc=1
	net recover server || return 1
	check_eq "server's agent back" "$(pharos_snmp get -c public "$addr" "$SYSNAME")" \
	    "$(sysname_line server)" || rc=1
	return "$rc"
}

case_down_stops_agents() {
	local pids pid left=""
	pids=$(netns_agents_show | awk 'NR > 1 && $NF ~ /^[0-9]+$/ { print $NF }')
	check_eq "agents before down" "$(wc -w <<<"$pids")" "$(netns_agent_list | wc -l)" || return 1
	netns_down || return 1
	for pid in $pids; do
		proc_running "$pid" && left="$left $pid"
	done
	check_eq "agents left after down" "${left:-none}" none &&
	    check "state folder removed" not test -e "$(netns_state_dir)" &&
	    check_eq "namespaces left" "$(netns_list | wc -l)" 0
}

run_case agents_running case_agents_running
run_case sysname_v2c_every_device case_sysname_v2c
run_case sysname_v3_authpriv_every_device case_sysname_v3_authpriv
if netns_have_ipv6; then
	run_case sysname_over_ipv6 case_sysname_ipv6
else
	skip_case sysname_over_ipv6 "no IPv6 in this kernel"
fi
run_case system_identity_per_kind case_system_identity
run_case wrong_credentials_refused case_wrong_credentials_refused
run_case printer_mib_supplies case_printer_supplies
run_case switch_recording_walks_iftable case_switch_recording_iftable
run_case bgp_recording_on_core case_bgp_recording
run_case counter_feed_steps_across_wraps case_counter_feed_steps
run_case counter_feed_grows_and_wraps case_counter_feed_grows_and_wraps
run_case failed_device_agent_silent case_failed_device_agent_silent
run_case down_stops_every_agent case_down_stops_agents
test_finish
