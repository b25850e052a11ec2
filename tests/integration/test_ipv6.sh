#!/bin/bash
# test_ipv6: the test network watched over IPv6 only. Every host has just an
# address6 (PHAROS_IPV6=only), so the built-in ICMP check pings its IPv6
# address: all hosts come UP; the core router dies and is DOWN while
# everything behind it is UNREACHABLE, never DOWN; it recovers and all are
# UP again.
#
# Skipped (77) when pharosd reports no IPv6 ICMP socket
# (program.icmp.mode6 in `pharos status --json` missing or "none") or the
# kernel has no IPv6. Needs root (network namespaces), jq and nft. About
# 1 minute.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
need_programs

if ! netns_have_ipv6; then
	echo "SKIP: this kernel has no IPv6 (/proc/sys/net/ipv6 is missing)"
	exit 77
fi
PHAROS_IPV6=only
export PHAROS_IPV6

test_setup
net_up
write_config
start_pharosd || exit 1

# The daemon's IPv6 ICMP socket: "raw" or "dgram"; anything else (missing,
# null, "none") means it cannot ping IPv6 and this test proves nothing.
MODE6=$(program_field .icmp.mode6)
case "$MODE6" in
raw | dgram) say "IPv6 ICMP socket: $MODE6 (IPv4: $(program_field .icmp.mode))" ;;
*)
	echo "SKIP: pharosd has no IPv6 ICMP support (program.icmp.mode6 is '$MODE6', not raw or dgram)"
	exit 77
	;;
esac

CHILDREN="dist1 dist2 server printer firewall"
CHILDREN_RE="dist1|dist2|server|printer|firewall"
D=$CHECK_DURATION
# Bounds in seconds (see test_reachability.sh and README.md for the terms):
#   first checks all UP:           UP_BOUND = CI + D + MARGIN
#   core DOWN, HARD:               CI + (MA-1)*RI + MA*D + MARGIN
#   children UNREACHABLE, HARD (two levels below the core):
#                                  CI + (MA-1)*RI + MA*D + MA*2*D + MARGIN
#   all UP after the core's recovery: the core within CI + D + MARGIN, its
#   children checked at once after it: 2*D + 3 more
UP_BOUND=$(calc "$CI_S + $D + $MARGIN")
CORE_DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MARGIN")
CHILD_DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MA * 2 * $D + $MARGIN")
RECOVER_BOUND=$(calc "$CI_S + $D + $MARGIN + 2 * $D + 3")
say "bounds: up ${UP_BOUND}s, core down ${CORE_DOWN_BOUND}s, children unreachable ${CHILD_DOWN_BOUND}s, all up again ${RECOVER_BOUND}s"

all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

SEEN_CHILD_DOWN=""
children_unreachable_hard() {
	local snap down
	snap=$(status_json | jq -r '.hosts[] | "\(.name) \(.state) \(.state_type)"') || return 1
	down=$(printf '%s\n' "$snap" | awk -v re="^($CHILDREN_RE)\$" '$1 ~ re && $2 == "DOWN" { print $1 "/" $3 }')
	[ -z "$down" ] || SEEN_CHILD_DOWN="$SEEN_CHILD_DOWN $down"
	hosts_are core-router=DOWN/HARD dist1=UNREACHABLE/HARD \
	    dist2=UNREACHABLE/HARD server=UNREACHABLE/HARD \
	    printer=UNREACHABLE/HARD firewall=UNREACHABLE/HARD
}

# Each host is watched at its IPv6 address (address follows address6).
case_hosts_watched_at_ipv6_addresses() {
	local rc=0 name dev parent
	while read -r name dev parent; do
		check_eq "$name's address" "$(host_field "$name" address)" \
		    "$(netns_addr6 "$dev")" || rc=1
	done <<<"$NETNS_HOSTS"
	return $rc
}

case_all_hosts_up_over_ipv6() {
	wait_for "all six hosts UP (HARD) over IPv6" "$UP_BOUND" all_up || return 1
	# The check's output names the address it pinged.
	check "core-router's output names fd66::1 ($(host_field core-router output))" \
	    grep -q -F 'fd66::1' <<<"$(host_field core-router output)"
}

T_FAIL=""
case_core_failure_core_down_hard() {
	net fail core || return 1
	T_FAIL=$(now)
	wait_for "core-router DOWN (HARD)" "$CORE_DOWN_BOUND" \
	    hosts_are core-router=DOWN/HARD
}

case_core_failure_children_unreachable_hard() {
	wait_for "children of core-router UNREACHABLE (HARD)" \
	    "$(remaining "$T_FAIL" "$CHILD_DOWN_BOUND")" \
	    children_unreachable_hard || return 1
	check_eq "children seen DOWN in status while waiting" "${SEEN_CHILD_DOWN:-none}" none
}

case_core_failure_event_log() {
	local rc=0 h
	check_eq "HOST ALERT: core-router;DOWN;HARD lines" \
	    "$(log_count '\] HOST ALERT: core-router;DOWN;HARD;')" 1 || rc=1
	check_eq "HOST ALERT: <child>;DOWN; lines (children are never DOWN)" \
	    "$(log_count "\] HOST ALERT: ($CHILDREN_RE);DOWN;")" 0 || rc=1
	for h in $CHILDREN; do
		check_eq "HOST ALERT: $h;UNREACHABLE;HARD lines" \
		    "$(log_count "\] HOST ALERT: $h;UNREACHABLE;HARD;")" 1 || rc=1
	done
	return $rc
}

case_core_recovery_all_up() {
	net recover core || return 1
	wait_for "all six hosts UP (HARD) again" "$RECOVER_BOUND" all_up
}

case_pharosd_stops_on_sigterm() {
	stop_pharosd
}

run_case hosts_watched_at_ipv6_addresses case_hosts_watched_at_ipv6_addresses
run_case all_hosts_up_over_ipv6 case_all_hosts_up_over_ipv6
run_case core_failure_core_down_hard case_core_failure_core_down_hard
run_case core_failure_children_unreachable_hard case_core_failure_children_unreachable_hard
run_case core_failure_event_log case_core_failure_event_log
run_case core_recovery_all_up case_core_recovery_all_up
run_case pharosd_stops_on_sigterm case_pharosd_stops_on_sigterm
test_finish
