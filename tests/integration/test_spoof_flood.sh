#!/bin/bash
# test_spoof_flood: the server drops everything it receives (loss server
# 100), and a spoofer in the monitor's namespace that sees Pharos' requests
# floods it with echo replies "from the server": for each request a burst
# with the same identifier (or the next one) and nearby sequence numbers,
# and a steady stream with the last identifier and counting sequence
# numbers, all with random payloads (random cookies). Pharos must not be
# fooled: the server still goes DOWN HARD, the spoofed replies are counted
# (rx_bad_cookie, rx_late, rx_foreign), the other hosts stay UP and keep
# being checked, pharosd stays alive, and the server comes back when the
# loss ends.
#
# PHAROS_FLOOD_BURST (replies per request, default 8) and PHAROS_FLOOD_RATE
# (stream replies per second, default 2000) size the flood. Needs root
# (network namespaces), jq, nft and tests/integration/forge_echo (built by
# make check). About 45 seconds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
need_programs "$FORGE_ECHO"

FLOOD_BURST=${PHAROS_FLOOD_BURST:-8}
FLOOD_RATE=${PHAROS_FLOOD_RATE:-2000}

test_setup
net_up
write_config
start_pharosd || exit 1

SERVER_ADDR=$(netns_addr server)
OTHERS="core-router dist1 dist2 printer firewall"
D=$CHECK_DURATION
# Bounds in seconds (see test_reachability.sh and README.md for the terms):
#   first checks all UP:  UP_BOUND = CI + D + MARGIN
#   server DOWN, HARD:    DOWN_BOUND = CI + (MA-1)*RI + MA*D + MA*D + MARGIN
#   then the flood goes on for HOLD = CI + D + 2, one more check of every
#   other host, which must stay UP
#   recovery once the loss ends: RECOVER_BOUND = CI + D + MARGIN
UP_BOUND=$(calc "$CI_S + $D + $MARGIN")
DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MA * $D + $MARGIN")
HOLD=$(calc "$CI_S + $D + 2")
RECOVER_BOUND=$(calc "$CI_S + $D + $MARGIN")
# The spoofer stops when told, or after FLOOD_SECS, or after FLOOD_MAX
# replies (the stream and a burst for every request it could see).
FLOOD_SECS=$(awk "BEGIN { printf \"%d\", $DOWN_BOUND + $HOLD + 10 }")
FLOOD_MAX=$((FLOOD_SECS * (FLOOD_RATE + 20 * FLOOD_BURST)))
say "bounds: up ${UP_BOUND}s, down ${DOWN_BOUND}s, hold ${HOLD}s, recovery ${RECOVER_BOUND}s"
say "flood: $FLOOD_BURST replies per request, $FLOOD_RATE/s stream, at most ${FLOOD_SECS}s and $FLOOD_MAX replies"

all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

# Remembers other hosts seen in another state than UP.
SEEN_OTHERS=""
others_up() {
	local snap bad
	snap=$(status_json | jq -r '.hosts[] | "\(.name) \(.state)"') || return 1
	bad=$(printf '%s\n' "$snap" | awk '$1 != "server" && $2 != "UP" { print $1 "=" $2 }')
	[ -z "$bad" ] || SEEN_OTHERS="$SEEN_OTHERS $bad"
	[ -z "$bad" ]
}

server_down_others_up() {
	others_up
	hosts_are server=DOWN/HARD
}

MODE=""
declare -A BEFORE
case_all_hosts_up() {
	local c
	wait_for "all six hosts UP (HARD)" "$UP_BOUND" all_up || return 1
	MODE=$(program_field .icmp.mode)
	say "icmp mode: $MODE"
	for c in rx_bad_cookie rx_late rx_foreign; do
		BEFORE[$c]=$(program_field ".icmp.$c")
		check "program.icmp.$c is a number (${BEFORE[$c]})" \
		    is_number "${BEFORE[$c]}" || return 1
	done
}

T_FLOOD=""
case_server_lossy_down_hard_under_flood() {
	SEEN_OTHERS=""
	net loss server 100 || return 1
	say "start forge_echo -t $SERVER_ADDR -f $FLOOD_BURST -r $FLOOD_RATE in $PHAROS_NS_PREFIX-mon"
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$FORGE_ECHO" -t "$SERVER_ADDR" \
	    -i "$(netns_uplink mon)" -d "$FLOOD_SECS" -n "$FLOOD_MAX" \
	    -f "$FLOOD_BURST" -r "$FLOOD_RATE" \
	    >"$TEST_DIR/forge_echo.out" 2>&1 &
	FORGE_PID=$!
	T_FLOOD=$(date +%s)
	wait_for "server DOWN (HARD) under the flood" "$DOWN_BOUND" \
	    server_down_others_up || return 1
	check "forge_echo still running" proc_running "$FORGE_PID" || return 1
	check_eq "HOST ALERT: server;UP lines" \
	    "$(log_count '\] HOST ALERT: server;UP;')" 0 || return 1
	check_eq "other hosts seen not UP while waiting" "${SEEN_OTHERS:-none}" none
}

# The flood goes on for one more check of every other host: they stay UP,
# and their checks keep completing.
case_other_hosts_stay_up_under_flood() {
	local t0 deadline h last rc=0
	SEEN_OTHERS=""
	t0=$(date +%s)
	deadline=$(calc "$(now) + $HOLD")
	say "watch the other hosts for ${HOLD}s of flood"
	while awk "BEGIN { exit !($(now) < $deadline) }"; do
		others_up
		sleep 0.2
	done
	check_eq "other hosts seen not UP during the flood" "${SEEN_OTHERS:-none}" none || rc=1
	check "forge_echo still running" proc_running "$FORGE_PID" || rc=1
	for h in $OTHERS; do
		say "  $h: $(host_field "$h" output)"
		last=$(host_field "$h" last_check)
		check "$h checked during the flood (last_check $last >= $t0)" \
		    [ "${last:-0}" -ge "$t0" ] || rc=1
	done
	return $rc
}

case_spoofer_flooded() {
	local pid=$FORGE_PID forged seen
	FORGE_PID=""
	[ -n "$pid" ] || { echo "forge_echo was not started"; return 1; }
	say "stop forge_echo (SIGTERM to $pid), $(($(date +%s) - T_FLOOD))s after it started"
	stop_pid "$pid" TERM 5
	check_eq "forge_echo exit status" "$STOP_RC" 0 || { cat "$TEST_DIR/forge_echo.out"; return 1; }
	cat "$TEST_DIR/forge_echo.out"
	seen=$(sed -n 's/^saw \([0-9]*\) requests$/\1/p' "$TEST_DIR/forge_echo.out")
	forged=$(sed -n 's/^forged \([0-9]*\) replies$/\1/p' "$TEST_DIR/forge_echo.out")
	# Without a flood this test proves nothing.
	check_gt "requests to the server seen" "$seen" 0 || return 1
	check_gt "replies forged (at least the bursts and a few seconds of stream)" \
	    "$forged" "$((seen * FLOOD_BURST))"
}

case_spoofed_replies_counted() {
	local c after rc=0
	for c in rx_bad_cookie rx_late rx_foreign; do
		after=$(program_field ".icmp.$c")
		if [ "$c" = rx_foreign ] && [ "$MODE" != raw ]; then
			# A datagram socket gets only its own identifier.
			say "program.icmp.$c: $after (not required: icmp mode $MODE)"
			continue
		fi
		check_gt "program.icmp.$c grew during the flood (before ${BEFORE[$c]})" \
		    "$after" "${BEFORE[$c]:-0}" || rc=1
	done
	return $rc
}

status_answers() {
	status_json >/dev/null
}

case_pharosd_alive_after_flood() {
	check "pharosd (pid $PHAROSD_PID) still running" proc_running "$PHAROSD_PID" || return 1
	check "status answers" status_answers
}

case_server_recovers_when_loss_ends() {
	net noloss server || return 1
	wait_for "server UP (HARD)" "$RECOVER_BOUND" all_up
}

case_pharosd_stops_on_sigterm() {
	stop_pharosd
}

run_case all_hosts_up case_all_hosts_up
run_case server_lossy_down_hard_under_flood case_server_lossy_down_hard_under_flood
run_case other_hosts_stay_up_under_flood case_other_hosts_stay_up_under_flood
run_case spoofer_flooded case_spoofer_flooded
run_case spoofed_replies_counted case_spoofed_replies_counted
run_case pharosd_alive_after_flood case_pharosd_alive_after_flood
run_case server_recovers_when_loss_ends case_server_recovers_when_loss_ends
run_case pharosd_stops_on_sigterm case_pharosd_stops_on_sigterm
test_finish
