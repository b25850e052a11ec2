#!/bin/bash
# test_netdiscover_arp: `pharos discover` asks the silent addresses of the
# monitor's own links by ARP, so a device there that drops ICMP is still
# found. The test adds a LAN to the monitor: mon (to-lan 10.66.5.1/24,
# fd66:0:5::1/64) -- a switch namespace (a bridge) -- two end devices,
# 10.66.5.10 (fd66:0:5::10) whose nftables rules drop every ICMP and
# ICMPv6 echo request and 10.66.5.11 (fd66:0:5::11) that answers it. The server behind the routers drops ICMP too: off the
# monitor's links, ARP cannot ask it, and it is not found.
#
# - both LAN devices are found; the silent one is written with
#   host_check_fallback arp and a note, and the file passes pharosd -v;
# - the same over IPv6 (fd66:0:5::/120): the silent device is found by
#   neighbour solicitation; a prefix too large to sweep is refused;
# - foreign ARP about an empty address (arp_forge: gratuitous replies,
#   replies to another host, replies to our address for another MAC)
#   during the sweep finds nobody there;
# - without CAP_NET_RAW (no capture handle) the sweep says ARP was not
#   used, and the silent device is not found: ICMP alone misses it;
# - the server behind the routers (ICMP dropped) is not found.
#
# Needs root (namespaces), nft. No SNMP agents: the devices are written
# unclassified. About 20 s.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft setpriv awk
ARP_FORGE="$top_builddir/tests/integration/arp_forge"
need_programs "$ARP_FORGE"

export PHAROS_AGENTS=0
test_setup
net_up
MON="$PHAROS_NS_PREFIX-mon"
SW="$PHAROS_NS_PREFIX-lansw"
DEV="$PHAROS_NS_PREFIX-lan"
DEV2="$PHAROS_NS_PREFIX-lan2"
RULES="$top_srcdir/probes/profiles/classify.cfg"
OUT="$TEST_DIR/lan.cfg"

# drop_icmp NS: nftables in NS drops ICMP echo requests (ARP is not IP).
drop_icmp() {
	ip netns exec "$1" nft -f - <<'NFT'
table inet phnoping {
	chain input {
		type filter hook input priority 0; policy accept;
		icmp type echo-request drop
		icmpv6 type echo-request drop
	}
}
NFT
}

lan_up() {
	local ns port=1
	say "LAN 10.66.5.0/24: $MON to-lan -- $SW br0 -- $DEV (.10), $DEV2 (.11)"
	ip netns add "$SW" && ip netns add "$DEV" && ip netns add "$DEV2" || return 1
	ip -n "$MON" link add to-lan type veth peer name p0 netns "$SW" || return 1
	ip -n "$SW" link add br0 type bridge && ip -n "$SW" link set br0 up || return 1
	ip -n "$SW" link set p0 master br0 && ip -n "$SW" link set p0 up || return 1
	for ns in "$DEV" "$DEV2"; do
		ip -n "$SW" link add "p$port" type veth peer name eth0 netns "$ns" &&
		    ip -n "$SW" link set "p$port" master br0 &&
		    ip -n "$SW" link set "p$port" up || return 1
		ip -n "$ns" addr add "10.66.5.1$((port - 1))/24" dev eth0 &&
		    ip -n "$ns" addr add "fd66:0:5::1$((port - 1))/64" dev eth0 nodad &&
		    ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up || return 1
		port=$((port + 1))
	done
	ip -n "$MON" addr add 10.66.5.1/24 dev to-lan &&
	    ip -n "$MON" addr add fd66:0:5::1/64 dev to-lan nodad &&
	    ip -n "$MON" link set to-lan up || return 1
	drop_icmp "$DEV" || return 1
	drop_icmp "$(netns_name server)" || return 1
	for _ in $(seq 1 50); do
		ip -n "$MON" link show to-lan | grep -q LOWER_UP && return 0
		sleep 0.1
	done
	echo "to-lan has no carrier"
	return 1
}
lan_up || exit 99

discover() {
	ip netns exec "$MON" "$PHAROS" discover --rate 5000 --ping-timeout 500 \
	    -t 1 -r 0 --rules "$RULES" "$@" 2>"$TEST_DIR/discover.err"
}

# "address fallback" per host of a discovered file, sorted.
hosts_of() {
	awk '
	/^define host/ { h = 1; a = ""; f = "-"; next }
	h && $1 == "address" { a = $2 }
	h && $1 == "host_check_fallback" { f = $2 }
	h && /^}/ { if (a != "") print a, f; h = 0 }' "$1" | sort
}

case_silent_device_found_by_arp() {
	local got
	discover 10.66.5.0/24 -o "$OUT" || { cat "$TEST_DIR/discover.err"; return 1; }
	sed 's/^/    /' "$TEST_DIR/discover.err"
	got=$(hosts_of "$OUT")
	printf '%s\n' "$got" | sed 's/^/    /'
	check_eq "both LAN devices, the silent one with the ARP fallback" \
	    "$got" "$(printf '10.66.5.10 arp\n10.66.5.11 -')" &&
	    check "one answered ICMP" grep -q "1 addresses answered ICMP" "$TEST_DIR/discover.err" &&
	    check "one more by ARP, 252 asked" grep -q \
	    "1 more answered ARP/NDP only (252 silent addresses on the monitor's own links asked, 0 routed elsewhere, 0 left at the time bound)" \
	    "$TEST_DIR/discover.err" &&
	    check "the note says why" grep -q "; no SNMP answer; parent by on-link; answers ARP, not ICMP echo$" "$OUT"
}

case_output_passes_verify() {
	local rc
	cat >"$TEST_DIR/main.cfg" <<EOF
cfg_file=$OUT
log_file=$TEST_DIR/v.log
query_socket=$TEST_DIR/v.qh
profile_dir=$top_srcdir/probes/profiles
EOF
	"$PHAROSD" -v "$TEST_DIR/main.cfg" >"$TEST_DIR/verify.out" 2>&1
	rc=$?
	check_eq "pharosd -v exit" "$rc" 0 ||
	    { cat "$TEST_DIR/verify.out"; return 1; }
	# The diff reads the key back: unchanged on a second run.
	discover 10.66.5.0/24 -o "$OUT" >"$TEST_DIR/second.out"
	check_eq "second run: no change" "$?" 0 &&
	    check "says so" grep -q "no change (2 hosts)" "$TEST_DIR/second.out"
}

case_ipv6_range() {
	local got out
	discover fd66:0:5::/120 -o "$TEST_DIR/lan6.cfg" || { cat "$TEST_DIR/discover.err"; return 1; }
	sed 's/^/    /' "$TEST_DIR/discover.err"
	got=$(hosts_of "$TEST_DIR/lan6.cfg")
	printf '%s\n' "$got" | sed 's/^/    /'
	check_eq "both LAN devices over IPv6, the silent one by NDP" \
	    "$got" "$(printf 'fd66:0:5::10 arp\nfd66:0:5::11 -')" &&
	    check "253 asked by neighbour solicitation" grep -q \
	    "1 more answered ARP/NDP only (253 silent addresses on the monitor's own links asked" \
	    "$TEST_DIR/discover.err" || return 1
	sed "s|^cfg_file=.*|cfg_file=$TEST_DIR/lan6.cfg|" "$TEST_DIR/main.cfg" >"$TEST_DIR/main6.cfg"
	"$PHAROSD" -v "$TEST_DIR/main6.cfg" >"$TEST_DIR/verify6.out" 2>&1
	check_eq "pharosd -v exit" "$?" 0 || { cat "$TEST_DIR/verify6.out"; return 1; }
	out=$(ip netns exec "$MON" "$PHAROS" discover fd66:0:5::/64 2>&1)
	check_eq "a /64 refused: exit" "$?" 2 &&
	    check "says why" grep -q "'fd66:0:5::/64' is too large: IPv6 ranges are swept from a /112 (65536 addresses) on" <<<"$out" || return 1
	out=$(ip netns exec "$MON" "$PHAROS" discover fd66:0:5::/129 2>&1)
	check_eq "a bad prefix refused: exit" "$?" 2 &&
	    check "says why" grep -q "'fd66:0:5::/129' is not an IPv4 address or range A.B.C.D/LEN, nor an IPv6 one" <<<"$out"
}

# Foreign ARP about 10.66.5.20 (nobody there) fills the LAN during the
# sweep: none of it may count as an answer.
case_no_false_find() {
	local fpid out rc=0
	ip netns exec "$DEV2" "$ARP_FORGE" -i eth0 -t 10.66.5.20 -p 10.66.5.1 \
	    -o 10.66.5.30 -d 15 -m 20 >"$TEST_DIR/forge.out" 2>&1 &
	fpid=$!
	sleep 0.5
	discover 10.66.5.16/28 -o "$TEST_DIR/forged.cfg" || rc=1
	stop_pid "$fpid" TERM 5
	out=$(cat "$TEST_DIR/forge.out")
	echo "    arp_forge: $out"
	check "frames were sent" grep -Eq "sent [1-9][0-9]* frames" <<<"$out" || rc=1
	check_eq "nothing found in 10.66.5.16/28" "$(hosts_of "$TEST_DIR/forged.cfg")" "" || rc=1
	check "14 asked, none answered" grep -q \
	    "0 more answered ARP/NDP only (14 silent addresses" "$TEST_DIR/discover.err" || rc=1
	return "$rc"
}

# Without CAP_NET_RAW: ICMP through ping sockets only, no ARP.
case_without_capture_handles() {
	local got
	ip netns exec "$MON" sysctl -qw net.ipv4.ping_group_range="0 2147483647" || return 1
	ip netns exec "$MON" setpriv --inh-caps=-all --bounding-set=-all \
	    "$PHAROS" discover 10.66.5.0/24 --rate 5000 --ping-timeout 500 -t 1 \
	    -r 0 --rules "$RULES" -o "$TEST_DIR/nocap.cfg" 2>"$TEST_DIR/nocap.err"
	sed 's/^/    /' "$TEST_DIR/nocap.err"
	got=$(hosts_of "$TEST_DIR/nocap.cfg")
	check_eq "ICMP alone finds only the device that answers it" "$got" "10.66.5.11 -" &&
	    check "says ARP was not used" grep -q \
	    "252 silent addresses on the monitor's own links not asked by ARP (capture handles need root)" \
	    "$TEST_DIR/nocap.err"
}

case_off_link_not_asked() {
	local srv
	srv=$(netns_addr server)
	discover "$srv/32" -o "$TEST_DIR/server.cfg" || { cat "$TEST_DIR/discover.err"; return 1; }
	sed 's/^/    /' "$TEST_DIR/discover.err"
	check_eq "the silent server behind the routers is not found" \
	    "$(hosts_of "$TEST_DIR/server.cfg")" "" &&
	    check "no ARP attempted" not grep -q "ARP" "$TEST_DIR/discover.err"
}

run_case silent_device_found_by_arp case_silent_device_found_by_arp
run_case output_passes_pharosd_v case_output_passes_verify
run_case ipv6_range_and_ndp case_ipv6_range
run_case no_false_find_from_foreign_arp case_no_false_find
run_case without_capture_handles_icmp_only case_without_capture_handles
run_case off_link_silent_device_not_found case_off_link_not_asked
test_finish
