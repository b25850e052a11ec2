#!/bin/bash
# test_rrdcached: with rrdcached_address set, pharosd's store writer sends
# its updates to a real rrdcached (run by this test on a UNIX socket in
# the test folder, journal on, writing every 5 s) instead of writing the
# files itself. Then rrdcached is killed with SIGKILL mid-run: pharosd
# keeps the updates queued and shows itself disconnected; rrdcached is
# started again: pharosd reconnects, resends its replay window (rrdcached
# buffers its journal, so a SIGKILL loses updates it had acknowledged)
# and the queued updates, and the RRD files have no gap.
#
# Needs root (network namespaces), jq, rrdtool and rrdcached.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk rrdtool rrdcached
need_programs

export PHAROS_CHECK_INTERVAL=2s
test_setup
net_up
write_config

RRD_DIR="$TEST_DIR/rrd"
RC_SOCK="$TEST_DIR/rrdcached.sock"
RC_PID=""
mkdir -p "$RRD_DIR" "$TEST_DIR/journal"
chown nobody:nogroup "$RRD_DIR"

# rrdcached in the foreground as our child: the socket open to pharosd's
# user (-m before -l), paths restricted to the RRD folder, written every
# 5 s (spread over 1 s more), every update journaled (buffered).
start_rrdcached() {
	say "start rrdcached on $RC_SOCK"
	rrdcached -g -p "$TEST_DIR/rrdcached.pid" -m 0666 -l "unix:$RC_SOCK" \
	    -j "$TEST_DIR/journal" -b "$RRD_DIR" -B -F -w 5 -z 1 \
	    >>"$TEST_DIR/rrdcached.out" 2>&1 &
	RC_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$RC_SOCK" ] && rrdtool lastupdate --daemon "unix:$RC_SOCK" \
		    /nonexistent.rrd 2>&1 | grep -qv "Connection refused" &&
		    return 0
		proc_running "$RC_PID" || break
		sleep 0.1
	done
	echo "rrdcached did not start:"
	cat "$TEST_DIR/rrdcached.out"
	return 1
}

stop_rrdcached() {
	[ -n "$RC_PID" ] && stop_pid "$RC_PID" TERM 10
	RC_PID=""
}
trap 'rc=$?; stop_rrdcached; (exit $rc); test_cleanup' EXIT

start_rrdcached || exit 1
echo "rrd_dir=rrd" >>"$TEST_DIR/pharos.cfg"
echo "rrdcached_address=unix:$RC_SOCK" >>"$TEST_DIR/pharos.cfg"
start_pharosd || exit 1

store() {
	program_field ".store.$1"
}
UP_BOUND=$(calc "$CI_S + $CHECK_DURATION + $MARGIN")
all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}
acked_at_least() {
	[ "$(store acked)" -ge "$1" ] 2>/dev/null
}
connected_is() {
	[ "$(store rrdcached_connected)" = "$1" ]
}
# Every update submitted is accounted for: written through rrdcached,
# merged into another, or stale; none waits in the queue.
all_accounted() {
	local j
	j=$(status_json | jq -c .program.store) || return 1
	[ "$(jq '.submitted - .written - .coalesced - .stale' <<<"$j")" = 0 ]
}
# The last update of a file as rrdcached sees it (its cache included).
last_update() {
	rrdtool lastupdate --daemon "unix:$RC_SOCK" "$1" | sed -n '$p' | cut -d: -f1
}

case_updates_go_through_rrdcached() {
	local last now
	wait_for "all hosts UP" "$UP_BOUND" all_up || return 1
	# Six rounds of the 7 hosts (the monitor's own included): the files
	# have history well before the kill.
	wait_for "42 updates acknowledged" "$(calc "7 * $CI_S + $MARGIN")" \
	    acked_at_least 42 || return 1
	last=$(last_update "$RRD_DIR/server/_HOST_.rrd") || return 1
	now=$(date +%s)
	check_eq "store.rrdcached_connected" "$(store rrdcached_connected)" 1 &&
	check_gt "store.sent" "$(store sent)" 11 &&
	check_gt "store.written" "$(store written)" 11 &&
	check_eq "store.rrd_errors" "$(store rrd_errors)" 0 &&
	check_eq "store.rrdcached_errors" "$(store rrdcached_errors)" 0 &&
	check_eq "store.reconnects" "$(store reconnects)" 0 &&
	check_lt "age of server's last update (s)" "$((now - last))" \
	    "$(calc "2 * $CI_S + $MARGIN")"
}

KILL_AT=""
SUBMITTED_AT_KILL=""
ACKED_AT_KILL=""
case_killed_rrdcached_queues() {
	local sub
	KILL_AT=$(date +%s)
	SUBMITTED_AT_KILL=$(store submitted)
	ACKED_AT_KILL=$(store acked)
	say "SIGKILL rrdcached (pid $RC_PID)"
	kill -KILL "$RC_PID"
	wait "$RC_PID" 2>/dev/null
	RC_PID=""
	wait_for "pharosd disconnected" "$(calc "2 * $CI_S + $MARGIN")" \
	    connected_is 0 || return 1
	sleep "$(calc "3 * $CI_S")"
	sub=$(store submitted)
	check_eq "still disconnected" "$(store rrdcached_connected)" 0 &&
	check_gt "updates submitted during the outage" \
	    "$((sub - SUBMITTED_AT_KILL))" 11 &&
	check_eq "none dropped" "$(store dropped_queue_full)" 0 &&
	check "pharosd still running" proc_running "$PHAROSD_PID"
}

RESTART_AT=""
case_restart_reconnects_and_replays() {
	local j
	start_rrdcached || return 1
	RESTART_AT=$(date +%s)
	wait_for "reconnected" "$(calc "5 + $CI_S + $MARGIN")" \
	    connected_is 1 || return 1
	wait_for "every update accounted for" "$(calc "2 * $CI_S + $MARGIN")" \
	    all_accounted || return 1
	j=$(status_json | jq -c .program.store)
	say "store counters: $j"
	check_gt "store.reconnects" "$(jq .reconnects <<<"$j")" 0 &&
	check_gt "store.replayed" "$(jq .replayed <<<"$j")" 0 &&
	check_gt "acked since the kill" \
	    "$(jq ".acked - $ACKED_AT_KILL" <<<"$j")" 11 &&
	check_eq "store.dropped_queue_full" "$(jq .dropped_queue_full <<<"$j")" 0 &&
	check_eq "store.rrdcached_dropped" "$(jq .rrdcached_dropped <<<"$j")" 0 &&
	check_eq "store.rrd_errors" "$(jq .rrd_errors <<<"$j")" 0
}

# Every step from before the kill to after the restart has a value (the
# fetch's end is rounded up to a step, so each file must have an update
# past it).
case_no_gap_in_rrd() {
	local f rc=0 from to unknown rows
	from=$((KILL_AT - 8))
	to=$((RESTART_AT + 2 * ${CI_S%.*}))
	for f in "$RRD_DIR"/*/_HOST_.rrd; do
		wait_for "$f updated after the restart" \
		    "$(calc "3 * $CI_S + $MARGIN")" \
		    eval '[ "$(last_update "$f")" -gt "$((to + ${CI_S%.*}))" ]' ||
		    return 1
		rrdtool flushcached --daemon "unix:$RC_SOCK" "$f" || rc=1
		rows=$(rrdtool fetch "$f" AVERAGE -s "$from" -e "$to" |
		    awk -F': ' 'NF == 2')
		unknown=$(grep -ci nan <<<"$rows")
		check_eq "$(basename "$(dirname "$f")"): steps without a value" \
		    "$unknown" 0 || rc=1
		check_gt "$(basename "$(dirname "$f")"): steps" \
		    "$(wc -l <<<"$rows")" 5 || rc=1
	done
	return $rc
}

case_stops_cleanly() {
	stop_pharosd
}

run_case updates_go_through_rrdcached case_updates_go_through_rrdcached
run_case killed_rrdcached_queues case_killed_rrdcached_queues
run_case restart_reconnects_and_replays case_restart_reconnects_and_replays
run_case no_gap_in_rrd case_no_gap_in_rrd
run_case stops_cleanly case_stops_cleanly
test_finish
