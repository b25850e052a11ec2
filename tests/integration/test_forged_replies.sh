#!/bin/bash
# test_forged_replies: the server is dead, and a forger in the monitor's
# namespace answers every echo request sent to it with a forged echo reply
# (right source, identifier and sequence, wrong payload). Pharos must see
# through it: the server still goes DOWN, and the replies are counted as
# bad cookies.
#
# Needs root (network namespaces), jq, nft and tests/integration/forge_echo
# (built by make check). About 30 seconds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
need_programs "$FORGE_ECHO"

test_setup
net_up
write_config
start_pharosd || exit 1

SERVER_ADDR=$(netns_addr server)
D=$CHECK_DURATION
# Bounds in seconds (see test_reachability.sh and README.md for the terms):
#   first checks all UP:  UP_BOUND = CI + D + MARGIN
#   server DOWN, HARD:    DOWN_BOUND = CI + (MA-1)*RI + MA*D + MA*D + MARGIN
UP_BOUND=$(calc "$CI_S + $D + $MARGIN")
DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MA * $D + $MARGIN")
# The forger runs until stopped, or at most this long.
FORGE_SECS=$(awk "BEGIN { printf \"%d\", $DOWN_BOUND + 10 }")
say "bounds: up ${UP_BOUND}s, down ${DOWN_BOUND}s; forger at most ${FORGE_SECS}s"

all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

BAD_COOKIE_BEFORE=""
case_all_hosts_up() {
	wait_for "all six hosts UP (HARD)" "$UP_BOUND" all_up || return 1
	say "icmp mode: $(program_field .icmp.mode)"
	BAD_COOKIE_BEFORE=$(program_field .icmp.rx_bad_cookie)
	check "program.icmp.rx_bad_cookie is a number ($BAD_COOKIE_BEFORE)" \
	    is_number "$BAD_COOKIE_BEFORE"
}

FORGED=""
case_server_dead_down_despite_forged_replies() {
	net fail server || return 1
	say "start forge_echo -t $SERVER_ADDR in $PHAROS_NS_PREFIX-mon"
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$FORGE_ECHO" -t "$SERVER_ADDR" \
	    -i "$(netns_uplink mon)" -d "$FORGE_SECS" \
	    >"$TEST_DIR/forge_echo.out" 2>&1 &
	FORGE_PID=$!
	wait_for "server DOWN (HARD) with forged replies" "$DOWN_BOUND" \
	    hosts_are server=DOWN/HARD || return 1
	check "forge_echo still running (it answered every check)" \
	    proc_running "$FORGE_PID" || return 1
	check_eq "HOST ALERT: server;UP lines" \
	    "$(log_count '\] HOST ALERT: server;UP;')" 0
}

case_forger_forged_replies() {
	local pid=$FORGE_PID
	FORGE_PID=""
	[ -n "$pid" ] || { echo "forge_echo was not started"; return 1; }
	say "stop forge_echo (SIGTERM to $pid)"
	stop_pid "$pid" TERM 5
	check_eq "forge_echo exit status" "$STOP_RC" 0 || { cat "$TEST_DIR/forge_echo.out"; return 1; }
	cat "$TEST_DIR/forge_echo.out"
	FORGED=$(sed -n 's/^forged \([0-9]*\) replies$/\1/p' "$TEST_DIR/forge_echo.out")
	# Without forged replies this test proves nothing.
	check_gt "replies forged" "$FORGED" 0
}

case_forged_replies_counted_as_bad_cookie() {
	local after
	after=$(program_field .icmp.rx_bad_cookie)
	check_gt "program.icmp.rx_bad_cookie" "$after" 0 || return 1
	check_gt "program.icmp.rx_bad_cookie grew during forging" \
	    "$after" "${BAD_COOKIE_BEFORE:-0}"
}

case_pharosd_stops_on_sigterm() {
	stop_pharosd
}

run_case all_hosts_up case_all_hosts_up
run_case server_dead_down_despite_forged_replies case_server_dead_down_despite_forged_replies
run_case forger_forged_replies case_forger_forged_replies
run_case forged_replies_counted_as_bad_cookie case_forged_replies_counted_as_bad_cookie
run_case pharosd_stops_on_sigterm case_pharosd_stops_on_sigterm
test_finish
