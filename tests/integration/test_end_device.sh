#!/bin/bash
# test_end_device: an end device fails while its parent is fine: it must go
# DOWN (not UNREACHABLE), alone, and come back UP. Two ways to fail: a dead
# box whose link stays up (the server), and a pulled link (the firewall).
#
# Needs root (network namespaces), jq and nft. About 1 minute.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
need_programs

test_setup
net_up
write_config
start_pharosd || exit 1

D=$CHECK_DURATION
# Bounds in seconds (see test_reachability.sh and README.md for the terms):
#   first checks all UP:  UP_BOUND = CI + D + MARGIN
#   an end device DOWN, HARD (its parent is UP, so each attempt waits for one
#   parent check at most): DOWN_BOUND = CI + (MA-1)*RI + MA*D + MA*D + MARGIN
#   recovery from a HARD problem state: RECOVER_BOUND = CI + D + MARGIN
UP_BOUND=$(calc "$CI_S + $D + $MARGIN")
DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MA * $D + $MARGIN")
RECOVER_BOUND=$(calc "$CI_S + $D + $MARGIN")
say "bounds: up ${UP_BOUND}s, down ${DOWN_BOUND}s, recovery ${RECOVER_BOUND}s"

all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

# Remembers hosts other than the failed one seen in another state than UP.
SEEN_OTHERS=""
only_down() {
	local failed=$1 snap others
	snap=$(status_json | jq -r '.hosts[] | "\(.name) \(.state)"') || return 1
	others=$(printf '%s\n' "$snap" | awk -v f="$failed" '$1 != f && $2 != "UP" { print $1 "=" $2 }')
	[ -z "$others" ] || SEEN_OTHERS="$SEEN_OTHERS $others"
	hosts_are "$failed=DOWN/HARD"
}

case_all_hosts_up() {
	wait_for "all six hosts UP (HARD)" "$UP_BOUND" all_up
}

case_server_dead_server_down_hard() {
	SEEN_OTHERS=""
	net fail server || return 1
	wait_for "server DOWN (HARD)" "$DOWN_BOUND" only_down server || return 1
	check_eq "other hosts seen not UP while waiting" "${SEEN_OTHERS:-none}" none || return 1
	check "dist1 and the others UP" hosts_are core-router=UP dist1=UP \
	    dist2=UP printer=UP firewall=UP
}

case_server_dead_event_log() {
	local rc=0
	check_eq "HOST ALERT: server;DOWN;HARD lines" \
	    "$(log_count '\] HOST ALERT: server;DOWN;HARD;')" 1 || rc=1
	check_eq "HOST ALERT: server;UNREACHABLE lines (its parent is UP)" \
	    "$(log_count '\] HOST ALERT: server;UNREACHABLE;')" 0 || rc=1
	check_eq "HOST ALERT lines for other hosts" \
	    "$(log_count '\] HOST ALERT: (core-router|dist1|dist2|printer|firewall);')" 0 || rc=1
	return $rc
}

case_server_recovery() {
	net recover server || return 1
	wait_for "server UP (HARD)" "$RECOVER_BOUND" hosts_are server=UP/HARD || return 1
	check "all hosts UP" all_up || return 1
	check_eq "HOST ALERT: server;UP lines" \
	    "$(log_count '\] HOST ALERT: server;UP;')" 1
}

case_firewall_link_down_firewall_down_hard() {
	SEEN_OTHERS=""
	net linkdown fw || return 1
	wait_for "firewall DOWN (HARD)" "$DOWN_BOUND" only_down firewall || return 1
	check_eq "other hosts seen not UP while waiting" "${SEEN_OTHERS:-none}" none || return 1
	check "dist2 and the others UP" hosts_are core-router=UP dist1=UP \
	    dist2=UP server=UP printer=UP || return 1
	check_eq "HOST ALERT: firewall;DOWN;HARD lines" \
	    "$(log_count '\] HOST ALERT: firewall;DOWN;HARD;')" 1 || return 1
	check_eq "HOST ALERT: firewall;UNREACHABLE lines (its parent is UP)" \
	    "$(log_count '\] HOST ALERT: firewall;UNREACHABLE;')" 0
}

case_firewall_link_up_recovery() {
	net linkup fw || return 1
	wait_for "firewall UP (HARD)" "$RECOVER_BOUND" hosts_are firewall=UP/HARD || return 1
	check "all hosts UP" all_up || return 1
	check_eq "HOST ALERT lines for hosts that never failed" \
	    "$(log_count '\] HOST ALERT: (core-router|dist1|dist2|printer);')" 0
}

case_pharosd_stops_on_sigterm() {
	stop_pharosd
}

# Root opened the raw ICMP sockets; the running daemon keeps them but holds
# no capability and no root identity.
case_privileges_dropped_raw_socket_kept() {
	local st nobody
	st=$(cat "/proc/$PHAROSD_PID/status") || return 1
	nobody=$(id -u nobody)
	check_eq "CapEff" "$(awk '/^CapEff:/ { print $2 }' <<<"$st")" \
	    0000000000000000 &&
	check_eq "CapPrm" "$(awk '/^CapPrm:/ { print $2 }' <<<"$st")" \
	    0000000000000000 &&
	check_eq "real and effective uid" \
	    "$(awk '/^Uid:/ { print $2 " " $3 }' <<<"$st")" "$nobody $nobody" &&
	check_eq "IPv4 ICMP socket" "$(program_field .icmp.mode)" raw &&
	check_eq "IPv6 ICMP socket" "$(program_field .icmp.mode6)" raw
}

run_case privileges_dropped_raw_socket_kept case_privileges_dropped_raw_socket_kept
run_case all_hosts_up case_all_hosts_up
run_case server_dead_server_down_hard case_server_dead_server_down_hard
run_case server_dead_event_log case_server_dead_event_log
run_case server_recovery case_server_recovery
run_case firewall_link_down_firewall_down_hard case_firewall_link_down_firewall_down_hard
run_case firewall_link_up_recovery case_firewall_link_up_recovery
run_case pharosd_stops_on_sigterm case_pharosd_stops_on_sigterm
test_finish
