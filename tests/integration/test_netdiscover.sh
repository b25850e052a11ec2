#!/bin/bash
# test_netdiscover: network discovery and automatic parents in the test
# network, where lldpd runs in every device's namespace and exports
# LLDP-MIB to that namespace's snmpd over AgentX, so the neighbour tables
# come from real LLDP frames crossing the veths.
#
# `pharos discover 10.66.0.0/16` from the monitor's namespace finds every
# device once (a router's other addresses merged into it), with the right
# class and the right parents; its output passes `pharosd -v`; a second
# run against the file shows what changed (new, changed, gone) and leaves
# the file alone unless --write; `pharos topology` prints the tree with
# evidence and saves it; `parents auto` takes the saved parents and
# `pharosd -v` warns (file:line) when written parents contradict them;
# pharosd refreshes the saved topology itself and logs (once) each host whose running
# parents differ from it; bad input (ranges, options, a damaged saved topology) is refused
# clearly.
#
# Needs root (namespaces), snmpd, snmpsimd, lldpd and snmpwalk; skipped
# (77) without them. About a minute.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
for t in ip snmpd snmpsimd lldpd snmpwalk md5sum; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIP: needs $t (scripts/install-deps installs it)"
		exit 77
	fi
done
if ! netns_recording_src printer >/dev/null; then
	echo "SKIP: the printer recording is missing"
	exit 77
fi
need_programs

export PHAROS_AGENTS=1
test_setup
net_up
MON="$PHAROS_NS_PREFIX-mon"
RULES="$top_srcdir/probes/profiles/classify.cfg"
OUT="$TEST_DIR/discovered.cfg"

discover() {
	ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/16 --rate 20000 \
	    --rules "$RULES" "$@" 2>"$TEST_DIR/discover.err"
}

# The hosts of a discovered file: "name class parents address" lines,
# sorted (parents "-" when none).
hosts_of() {
	awk '
	/^define host/ { h = 1; n = ""; g = ""; p = "-"; a = ""; next }
	h && $1 == "host_name" { n = $2 }
	h && $1 == "hostgroups" { g = $2 }
	h && $1 == "parents" { p = $2 }
	h && $1 == "address" { a = $2 }
	h && /^}/ { if (n != "") print n, g, p, a; h = 0 }' "$1" | sort
}

# Wait (bounded) until each device's lldpRemTable lists its neighbours.
case_lldp_over_agentx() {
	local dev want got rc=0
	for dev in core:2 dist1:3 dist2:2 server:1 fw:1; do
		want=${dev#*:}
		dev=${dev%:*}
		for _ in $(seq 1 100); do
			got=$(netns_main exec "$dev" snmpwalk -v2c -c public -On \
			    -t 1 -r 0 127.0.0.1 1.0.8802.1.1.2.1.4.1.1.9 2>/dev/null |
			    grep -c 'STRING')
			[ "$got" -ge "$want" ] && break
			sleep 0.2
		done
		check_eq "$dev lldpRemTable neighbours" "$got" "$want" || rc=1
	done
	netns_main exec dist1 snmpwalk -v2c -c public -On 127.0.0.1 \
	    1.0.8802.1.1.2.1.4.1.1.9 | sed 's/^/    /'
	check "dist1 sees server, printer and core by LLDP" test \
	    "$(netns_main exec dist1 snmpwalk -v2c -c public -Oqv 127.0.0.1 \
	    1.0.8802.1.1.2.1.4.1.1.9 | tr -d '"' | sort | tr '\n' ' ')" = \
	    "core printer server " && return "$rc"
}

case_discover_finds_every_device() {
	local got want
	discover -o "$OUT" || { cat "$TEST_DIR/discover.err"; return 1; }
	got=$(hosts_of "$OUT")
	want=$(sort <<EOF
core router - $(netns_addr core)
dist1 switch core $(netns_addr dist1)
dist2 switch core $(netns_addr dist2)
server server dist1 $(netns_addr server)
printer printer dist1 $(netns_addr printer)
fw firewall dist2 $(netns_addr fw)
EOF
)
	printf '%s\n' "$got" | sed 's/^/    /'
	check_eq "hosts, classes, parents, addresses" "$got" "$want" &&
	    check "parents come from LLDP" grep -q "parent by lldp" "$OUT" &&
	    check "a hostgroup per class" test "$(grep -c '^define hostgroup' "$OUT")" = 5 &&
	    check "router addresses merged (11 answered, 6 devices)" \
	    grep -q "11 addresses answered ICMP" "$TEST_DIR/discover.err"
}

case_output_passes_verify() {
	cat >"$TEST_DIR/main.cfg" <<EOF
cfg_file=$OUT
log_file=$TEST_DIR/v.log
query_socket=$TEST_DIR/v.qh
profile_dir=$top_srcdir/probes/profiles
EOF
	"$PHAROSD" -v "$TEST_DIR/main.cfg" >"$TEST_DIR/verify.out" 2>&1
	local rc=$?
	tail -n 4 "$TEST_DIR/verify.out"
	check_eq "pharosd -v exit" "$rc" 0 &&
	    check "no errors" grep -q "Total Errors:   0" "$TEST_DIR/verify.out"
}

case_second_run_shows_diff() {
	local before out rc
	# Edit by hand: forget fw, move printer, add a device long gone.
	python3 - "$OUT" <<'PY' || return 1
import re, sys
p = sys.argv[1]
s = open(p).read()
s = re.sub(r"\ndefine host \{\n[^}]*host_name +fw\n[^}]*\}\n", "\n", s)
s = re.sub(r"(host_name +printer\n(?:[^}]*\n)*? +parents +)dist1", r"\1core", s)
s += "\ndefine host {\n    use discovered-device\n    host_name old-box\n    address 10.66.99.9\n}\n"
open(p, "w").write(s)
PY
	before=$(md5sum <"$OUT")
	out=$(discover -o "$OUT")
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	check_eq "exit status: differs, not written" "$rc" 1 &&
	    check "new fw" grep -q "^new *fw (10.66.21.10, firewall)" <<<"$out" &&
	    check "printer moved back" grep -q "^changed *printer: parents core -> dist1" <<<"$out" &&
	    check "old-box gone" grep -q "^gone *old-box (10.66.99.9)" <<<"$out" &&
	    check_eq "file untouched" "$(md5sum <"$OUT")" "$before" || return 1
	out=$(discover -o "$OUT" --write)
	check_eq "--write exit" "$?" 0 &&
	    check "written" grep -q "written, 6 hosts" <<<"$out" || return 1
	out=$(discover -o "$OUT")
	check_eq "third run exit" "$?" 0 &&
	    check "no change" grep -q "no change (6 hosts)" <<<"$out"
}

# SNMPv3 authPriv: the same devices, the v3 keys written, still valid.
case_discover_v3() {
	local out="$TEST_DIR/v3.cfg" rc
	ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/19 --rate 20000 \
	    --rules "$RULES" --v3 -u "$NETNS_V3_USER" -l authPriv -a SHA \
	    -A "$NETNS_V3_AUTH" -x AES -X "$NETNS_V3_PRIV" -o "$out" \
	    2>"$TEST_DIR/discover.err" || { cat "$TEST_DIR/discover.err"; return 1; }
	check_eq "same hosts over v3" "$(hosts_of "$out")" "$(hosts_of "$OUT")" &&
	    check_eq "v3 keys on every host" "$(grep -c '^ *snmp_v3_user *pharos$' "$out")" 6 &&
	    check "the passphrases are not in the header" not grep -q "^#.*$NETNS_V3_AUTH" "$out" || return 1
	sed "s|^cfg_file=.*|cfg_file=$out|" "$TEST_DIR/main.cfg" >"$TEST_DIR/main3.cfg"
	"$PHAROSD" -v "$TEST_DIR/main3.cfg" >"$TEST_DIR/verify3.out" 2>&1
	rc=$?
	check_eq "pharosd -v exit" "$rc" 0 || { cat "$TEST_DIR/verify3.out"; return 1; }
}

case_topology_prints_and_saves() {
	local out rc
	write_config
	out=$(ip netns exec "$MON" "$PHAROS" topology --config \
	    "$TEST_DIR/pharos.cfg" --save="$TEST_DIR/topology.dat")
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	check_eq "exit: the configured parents agree" "$rc" 0 &&
	    check "server under dist1 by LLDP" grep -q "^      server  \[lldp\]" <<<"$out" &&
	    check "evidence from both ends" grep -q "lldp: dist1 port to-server sees server (management address $(netns_addr server))" <<<"$out" &&
	    check "core on-link" grep -q "route: core-router ($(netns_addr core)) is on-link" <<<"$out" &&
	    check_eq "saved" "$(grep -v '^#' "$TEST_DIR/topology.dat" | sort | tr '\t\n' ' |')" \
	    "core-router - on-link|dist1 core-router lldp|dist2 core-router lldp|firewall dist2 lldp|printer dist1 lldp|server dist1 lldp|"
}

case_parents_auto() {
	local out
	# Every parent from the saved topology: auto on two hosts, the
	# main-file default for the rest.
	sed -i '/^\tparents /d' "$TEST_DIR/network.cfg"
	sed -i 's/^\thost_name           server$/&\n\tparents             auto/;s/^\thost_name           dist2$/&\n\tparents             auto/' \
	    "$TEST_DIR/network.cfg"
	printf 'default_parents=auto\ntopology_file=%s\n' "$TEST_DIR/topology.dat" \
	    >>"$TEST_DIR/pharos.cfg"
	out=$("$PHAROSD" -v "$TEST_DIR/pharos.cfg" 2>&1)
	check_eq "pharosd -v exit" "$?" 0 &&
	    check "no warning" not grep -q "warning" <<<"$out" || { echo "$out"; return 1; }
	# The configuration now has the saved parents: topology agrees.
	ip netns exec "$MON" "$PHAROS" topology --config "$TEST_DIR/pharos.cfg" >/dev/null
	check_eq "pharos topology agrees with parents auto" "$?" 0
}

case_contradiction_warned() {
	local out line
	# server written under dist2: the saved topology says dist1.
	line=$(grep -n 'host_name           server' "$TEST_DIR/network.cfg" | cut -d: -f1)
	sed -i "$((line + 1))s/^\tparents             auto\$/\tparents             dist2/" \
	    "$TEST_DIR/network.cfg"
	out=$("$PHAROSD" -v "$TEST_DIR/pharos.cfg" 2>&1)
	check_eq "pharosd -v still accepts it" "$?" 0 &&
	    check "warning at file:line" grep -q \
	    "network.cfg:$((line + 1)): warning: parents of host 'server' (dist2) contradict the saved topology .*: dist1 (lldp evidence)" <<<"$out" ||
	    { echo "$out" | grep -i warn; return 1; }
	ip netns exec "$MON" "$PHAROS" topology --config "$TEST_DIR/pharos.cfg" >"$TEST_DIR/t.out"
	check_eq "pharos topology exit: a parent differs" "$?" 1 &&
	    check "says which" grep -q "server  \[lldp\]  configured parents: dist2" "$TEST_DIR/t.out"
}

case_bad_input() {
	local out
	out=$(ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/33 2>&1)
	check_eq "bad range exit" "$?" 2 &&
	    check "says why" grep -q "'10.66.0.0/33' is not an IPv4 address or range A.B.C.D/LEN" <<<"$out" || return 1
	out=$(ip netns exec "$MON" "$PHAROS" discover 10.0.0.0/8 --rules "$RULES" 2>&1)
	check_eq "too large a sweep exit" "$?" 2 &&
	    check "says why" grep -q "more than 65536 addresses" <<<"$out" || return 1
	out=$(ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/24 --write 2>&1)
	check_eq "--write without -o exit" "$?" 2 || return 1
	printf 'garbage\n' >"$TEST_DIR/bad.cfg"
	out=$(ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/30 --rules "$TEST_DIR/bad.cfg" 2>&1)
	check_eq "bad rules exit" "$?" 2 &&
	    check "rules error with file:line" grep -q "bad.cfg:1: error: expected 'define classify {'" <<<"$out" || return 1
	# an -o FILE that is not an object file is named, never overwritten
	printf 'garbage\n' >"$TEST_DIR/bad-out.cfg"
	out=$(ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/30 --rules "$RULES" \
	    -o "$TEST_DIR/bad-out.cfg" 2>&1)
	check_eq "bad -o FILE exit" "$?" 2 || return 1
	check "bad -o FILE named with its line" grep -q "bad-out.cfg:1: 'garbage' outside a define block" <<<"$out" &&
	    check_eq "bad -o FILE untouched" "$(cat "$TEST_DIR/bad-out.cfg")" garbage || return 1
	printf 'define host {\n    host_name x\n' >"$TEST_DIR/bad-out.cfg"
	out=$(ip netns exec "$MON" "$PHAROS" discover 10.66.0.0/30 --rules "$RULES" \
	    -o "$TEST_DIR/bad-out.cfg" --write 2>&1)
	check "unclosed block named" grep -q "bad-out.cfg:2: define block never closed" <<<"$out" || return 1
	printf 'not a topology\n' >"$TEST_DIR/topology.dat"
	out=$("$PHAROSD" -v "$TEST_DIR/pharos.cfg" 2>&1)
	check "damaged saved topology named" grep -q "saved topology not used: .*topology.dat:1: not a Pharos topology file" <<<"$out" &&
	    check "auto without it warns" grep -q "parents auto of host 'dist1': no saved topology" <<<"$out"
}

# pharosd itself polls the hosts a few seconds after start and writes the
# saved topology (replacing the damaged one bad_input left).
saved_ok() {
	head -n 1 "$TEST_DIR/topology.dat" 2>/dev/null | grep -qx '# pharos topology 1'
}

case_daemon_refreshes_saved_topology() {
	start_pharosd || return 1
	wait_for "pharosd writes the saved topology" 30 saved_ok || return 1
	check_eq "daemon's saved tree" "$(grep -v '^#' "$TEST_DIR/topology.dat" | sort | tr '\t\n' ' |')" \
	    "core-router - on-link|dist1 core-router lldp|dist2 core-router lldp|firewall dist2 lldp|printer dist1 lldp|server dist1 lldp|" &&
	    check "logged" grep -q "topology: saved 6 of 6 hosts to $TEST_DIR/topology.dat" "$TEST_DIR/pharosd.out" &&
	    check "a written parent that differs is logged" grep -q \
	    "topology: host 'server': the topology says parent dist1 (lldp evidence), the running configuration has dist2; running parents stay until a reload" \
	    "$TEST_DIR/pharosd.out" &&
	    check "parents auto started without a saved topology: logged" grep -q \
	    "topology: host 'dist1': the topology says parent core-router (lldp evidence), the running configuration has none" \
	    "$TEST_DIR/pharosd.out" &&
	    check_eq "every host but core-router (on-link, no parent) logged once" \
	    "$(grep -o "topology: host '[^']*'" "$TEST_DIR/pharosd.out" | sort | uniq -c | awk '{ print $1, $4 }' | tr '\n' ' ')" \
	    "1 'dist1' 1 'dist2' 1 'firewall' 1 'printer' 1 'server' " &&
	    check "pharosd -v reads it again" not grep -q "saved topology not used" \
	    <<<"$("$PHAROSD" -v "$TEST_DIR/pharos.cfg" 2>&1)" &&
	    stop_pharosd
}

run_case lldp_mib_over_agentx case_lldp_over_agentx
run_case discover_finds_every_device case_discover_finds_every_device
run_case discovered_file_passes_pharosd_v case_output_passes_verify
run_case second_run_shows_diff case_second_run_shows_diff
run_case discover_over_snmpv3 case_discover_v3
run_case topology_prints_tree_and_saves case_topology_prints_and_saves
run_case parents_auto_from_saved_topology case_parents_auto
run_case contradiction_warned_with_file_line case_contradiction_warned
run_case bad_input_refused case_bad_input
run_case daemon_refreshes_saved_topology case_daemon_refreshes_saved_topology
test_finish
