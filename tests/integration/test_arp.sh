#!/bin/bash
# test_arp: ARP probing of on-link devices. The test adds a LAN to the
# monitor: mon (to-lan 10.66.5.1/24, fd66:0:5::1/64) -- a switch namespace
# (a bridge) -- an end device (10.66.5.10, fd66:0:5::10) whose nftables
# rules drop every ICMP and ICMPv6 echo request (IPv6 is asked by
# neighbour solicitation). With host_check_fallback arp (main key), the device's failed
# ICMP host check is followed by ARP requests, which it answers: it is UP,
# and says so. The same device with host_check_fallback none (host key) is
# DOWN; an address where nothing lives stays DOWN (no false UP from other
# ARP traffic); the built-in `arp` check is OK on the device and UNKNOWN
# for a device behind a router. When the device's own link goes down (the
# monitor's link stays up) it goes DOWN; when it comes back, UP again.
#
# Needs root (network namespaces), nft and jq. About 30 s.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
ARP_FORGE="$top_builddir/tests/integration/arp_forge"
need_programs "$ARP_FORGE"

PHAROS_AGENTS=0
PHAROS_CHECK_INTERVAL=${PHAROS_CHECK_INTERVAL:-3s}
export PHAROS_AGENTS PHAROS_CHECK_INTERVAL

test_setup
net_up
MON="$PHAROS_NS_PREFIX-mon"
SW="$PHAROS_NS_PREFIX-lansw"
DEV="$PHAROS_NS_PREFIX-lan"

lan_up() {
	say "LAN 10.66.5.0/24: $MON to-lan -- $SW br0 -- $DEV eth0"
	ip netns add "$SW" && ip netns add "$DEV" || return 1
	ip -n "$MON" link add to-lan type veth peer name p0 netns "$SW" || return 1
	ip -n "$SW" link add p1 type veth peer name eth0 netns "$DEV" || return 1
	ip -n "$SW" link add br0 type bridge || return 1
	ip -n "$SW" link set p0 master br0 && ip -n "$SW" link set p1 master br0 || return 1
	ip -n "$SW" link set br0 up && ip -n "$SW" link set p0 up &&
	    ip -n "$SW" link set p1 up || return 1
	ip -n "$MON" addr add 10.66.5.1/24 dev to-lan &&
	    ip -n "$MON" addr add fd66:0:5::1/64 dev to-lan nodad &&
	    ip -n "$MON" link set to-lan up || return 1
	ip -n "$DEV" addr add 10.66.5.10/24 dev eth0 &&
	    ip -n "$DEV" addr add fd66:0:5::10/64 dev eth0 nodad &&
	    ip -n "$DEV" link set eth0 up && ip -n "$DEV" link set lo up || return 1
	# The device drops ICMP echo requests (ARP is not IP: untouched).
	ip netns exec "$DEV" nft -f - <<'NFT' || return 1
table inet phnoping {
	chain input {
		type filter hook input priority 0; policy accept;
		icmp type echo-request drop
		icmpv6 type echo-request drop
	}
}
NFT
	# Wait (5 s at most) until the monitor's side has carrier.
	for _ in $(seq 1 50); do
		ip -n "$MON" link show to-lan | grep -q LOWER_UP && return 0
		sleep 0.1
	done
	echo "to-lan has no carrier"
	return 1
}
lan_up || exit 99

write_config
echo "host_check_fallback=arp" >>"$TEST_DIR/pharos.cfg"
cat >>"$TEST_DIR/network.cfg" <<'CFG'

define host {
	use                  device
	host_name            lanprinter
	address              10.66.5.10
}

define host {
	use                  device
	host_name            lanplain
	address              10.66.5.10
	host_check_fallback  none
}

define host {
	use                  device
	host_name            ghost
	address              10.66.5.20
}

define host {
	use                  device
	host_name            lanprinter6
	address              fd66:0:5::10
}

define service {
	host_name            lanprinter6
	service_description  NDP
	check_command        arp
	check_interval       3s
	retry_interval       1s
	max_check_attempts   1
}

define service {
	host_name            lanprinter
	service_description  ARP
	check_command        arp!2
	check_interval       3s
	retry_interval       1s
	max_check_attempts   1
}

define service {
	host_name            server
	service_description  ARP
	check_command        arp
	check_interval       3s
	retry_interval       1s
	max_check_attempts   1
}
CFG
start_pharosd || exit 1

# net_stat PATH: a counter of the stats op's "network" part.
net_stat() {
	"$PHAROS" -s "$PHAROS_SOCK" stats --json 2>/dev/null |
	    jq -r "(.data // .).network$1"
}

host_out() {
	host_field "$1" output
}

svc_field() {
	status_json | jq -r --arg h "$1" --arg s "$2" --arg f "$3" \
	    '.services[] | select(.host == $h and .description == $s) | .[$f] | tostring'
}

BOUND=$(calc "$CI_S + 3 * $RI_S + 3 * ($CHECK_DURATION + 1.5) + $MARGIN")

case_up_by_arp() {
	local rc=0 out
	wait_for "lanprinter UP, lanplain and ghost DOWN (HARD)" "$BOUND" \
	    hosts_are lanprinter=UP lanplain=DOWN/HARD ghost=DOWN/HARD || return 1
	wait_for "lanprinter6 UP (IPv6)" "$BOUND" hosts_are lanprinter6=UP || rc=1
	out=$(host_out lanprinter6)
	echo "  lanprinter6: $out"
	check "IPv6: says it answers neighbour solicitation" \
	    grep -q "ARP OK - fd66:0:5::10 answers NDP on to-lan" <<<"$out" || rc=1
	out=$(host_out lanprinter)
	echo "  lanprinter: $out"
	check "says it answers ARP" grep -q "ARP OK - 10.66.5.10 answers ARP on to-lan" <<<"$out" || rc=1
	check "says the ICMP host check failed" grep -q "the host check failed" <<<"$out" || rc=1
	out=$(host_out lanplain)
	echo "  lanplain: $out"
	check "without the fallback ICMP alone decides" \
	    not grep -q "ARP" <<<"$out" || rc=1
	out=$(host_out ghost)
	echo "  ghost: $out"
	check "nobody at 10.66.5.20: no ARP reply" grep -q "no ARP reply either" <<<"$out" || rc=1
	check_eq "lanprinter never logged DOWN" \
	    "$(log_count 'HOST ALERT: lanprinter;DOWN')" 0 || rc=1
	return "$rc"
}

case_arp_check() {
	local rc=0 out
	wait_for "the ARP services checked" "$BOUND" eval \
	    '[ "$(svc_field lanprinter ARP state)" = OK ] && [ "$(svc_field server ARP state)" = UNKNOWN ] && [ "$(svc_field lanprinter6 NDP state)" = OK ]' || return 1
	echo "  lanprinter6 NDP: $(svc_field lanprinter6 NDP output)"
	out=$(svc_field lanprinter ARP output)
	echo "  lanprinter ARP: $out"
	check "OK with the device's MAC and reply time" \
	    grep -Eq "answers ARP on to-lan from ([0-9a-f]{2}:){5}[0-9a-f]{2} in [0-9.]+ ms, 2/2 replies" <<<"$out" || rc=1
	check "perfdata" grep -q "rta=" <<<"$(status_json | jq -r '.services[] | select(.host == "lanprinter" and .description == "ARP") | .perfdata // empty')" || rc=1
	out=$(svc_field server ARP output)
	echo "  server ARP: $out"
	check "a device behind a router cannot be asked" \
	    grep -q "not on a link of the monitor (via 10.66.0.1 on to-core)" <<<"$out" || rc=1
	return "$rc"
}

case_down_when_link_down() {
	local rc=0
	say "the device's link goes down (ip link set eth0 down in $DEV)"
	ip -n "$DEV" link set eth0 down || return 1
	wait_for "lanprinter DOWN (HARD)" "$BOUND" hosts_are lanprinter=DOWN/HARD || rc=1
	check "says no ARP reply either" grep -q "no ARP reply either" <<<"$(host_out lanprinter)" || rc=1
	check_eq "not taken for isolation (the monitor's link is up)" \
	    "$(log_count 'MONITOR ISOLATED')" 0 || rc=1
	ip -n "$DEV" link set eth0 up || return 1
	wait_for "lanprinter UP again" "$BOUND" hosts_are lanprinter=UP || rc=1
	return "$rc"
}

# Foreign ARP about the ghost's address fills the LAN while the ghost is
# checked (and its ARP fallback asks): gratuitous replies and requests,
# replies to another host, replies to the monitor's address for another
# MAC. None of it may make the ghost UP.
case_no_false_up() {
	local rc=0 secs out t0
	secs=$(calc "2 * $CI_S + 2 * ($CHECK_DURATION + 1.5)")
	secs=${secs%.*}
	t0=$(date +%s)
	say "arp_forge in $DEV for ${secs}s: foreign ARP about 10.66.5.20"
	out=$(ip netns exec "$DEV" "$ARP_FORGE" -i eth0 -t 10.66.5.20 \
	    -p 10.66.5.1 -o 10.66.5.30 -d "$((secs + 1))" -m 20 2>&1)
	echo "  arp_forge: $out"
	check "frames were sent" grep -Eq "sent [1-9][0-9]* frames" <<<"$out" || rc=1
	check "the ghost was checked meanwhile" \
	    test "$(host_field ghost last_check)" -ge "$t0" || rc=1
	check_eq "ghost never UP" "$(log_count 'HOST ALERT: ghost;UP')" 0 || rc=1
	check "ghost still DOWN" hosts_are ghost=DOWN/HARD || rc=1
	check "says no ARP reply either" grep -q "no ARP reply either" <<<"$(host_out ghost)" || rc=1
	# Dropped, and counted (pharos stats --json, "network").
	check_gt "foreign ARP replies counted" "$(net_stat .arp.foreign)" 0 || rc=1
	check_gt "gratuitous ARP counted" "$(net_stat .arp.gratuitous)" 0 || rc=1
	check_gt "replies matched" "$(net_stat .arp.replies)" 0 || rc=1
	return "$rc"
}

# pharosd -v names the file and line of every bad value.
case_config_errors() {
	local d="$TEST_DIR/bad" out rc=0
	mkdir -p "$d"
	printf 'cfg_file=o.cfg\nhost_check_fallback=maybe\n' >"$d/pharos.cfg"
	cat >"$d/o.cfg" <<'CFG'
define host {
	host_name            a
	address              10.66.5.10
	max_check_attempts   1
	host_check_fallback  sometimes
}
define service {
	host_name            a
	service_description  ARP
	check_command        arp!99
	max_check_attempts   1
}
CFG
	out=$("$PHAROSD" -v "$d/pharos.cfg" 2>&1)
	check "pharosd -v fails" not test $? = 0 || rc=1
	check "main key" grep -q "pharos.cfg:2: error: host_check_fallback must be arp or none, not 'maybe'" <<<"$out" || rc=1
	check "host key" grep -q "o.cfg:1: error: host_check_fallback of host 'a' must be arp or none" <<<"$out" || rc=1
	check "arp arguments" grep -q "o.cfg:7: error: invalid arguments for the arp check of service 'ARP'" <<<"$out" || rc=1
	return "$rc"
}

run_case device_dropping_icmp_is_up_by_arp case_up_by_arp
run_case builtin_arp_check case_arp_check
run_case down_when_its_link_is_down case_down_when_link_down
run_case no_false_up_from_other_arp case_no_false_up
run_case config_errors_with_file_and_line case_config_errors
test_finish
