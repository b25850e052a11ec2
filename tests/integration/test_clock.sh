#!/bin/bash
# test_clock: the wall clock jumps under a running pharosd, +1 h, back
# (-1 h) and -1 h again (an hour before the daemon started). pharosd
# schedules on CLOCK_MONOTONIC, so checks neither burst (a forward jump
# making every check look overdue) nor stall (a backward jump making them
# look an hour away): the number of host checks in a fixed window after
# each jump stays within a factor of 2 of the number before. Every host is
# still checked, its last_check is in the daemon's new wall time, and the
# event log's lines carry that time.
#
# The daemon runs under libfaketime (LD_PRELOAD) with the monotonic clock
# left alone (FAKETIME_DONT_FAKE_MONOTONIC=1); its wall-clock offset is
# read from FAKETIME_TIMESTAMP_FILE at every call (FAKETIME_NO_CACHE=1),
# so the test jumps it by rewriting that file ("+3600", "+0", "-3600").
# The test's own clock and the pharos client are not faked.
#
# Needs root (network namespaces), jq and libfaketime (Debian faketime).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
need_programs
LIBFAKETIME=""
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
	[ -r "$f" ] && { LIBFAKETIME=$f; break; }
done
if [ -z "$LIBFAKETIME" ]; then
	echo "ERROR: $TEST_NAME needs libfaketime.so.1 (Debian package: faketime)"
	exit 99
fi

test_setup
export PHAROS_AGENTS=0
export PHAROS_CHECK_INTERVAL=2s PHAROS_RETRY_INTERVAL=1s PHAROS_MAX_ATTEMPTS=3
net_up
write_config

# Seconds in a counting window, and how far the rate after a jump may be
# from the rate before (a factor, both ways).
WINDOW=10
FACTOR=2
# The wall clock the daemon sees and the real one may differ by a second
# more or less than the offset (both are read at whole seconds).
SLACK=2
FAKE_RC="$TEST_DIR/faketime.rc"
HOSTS_N=$(wc -l <<<"$NETNS_HOSTS")
# The network's hosts (not the one pharosd may add for itself), as JSON.
HOSTS_JSON=$(awk '{ print $1 }' <<<"$NETNS_HOSTS" | jq -R . | jq -s -c .)

# Set the daemon's wall-clock offset, atomically (libfaketime rereads the
# file at every time call; it must never see it half written).
set_offset() {
	printf '%+d\n' "$1" >"$FAKE_RC.tmp" && chmod 0644 "$FAKE_RC.tmp" &&
	    mv -f "$FAKE_RC.tmp" "$FAKE_RC"
}

start_faked() {
	set_offset 0
	say "start pharosd in $PHAROS_NS_PREFIX-mon under libfaketime ($FAKE_RC)"
	ip netns exec "$PHAROS_NS_PREFIX-mon" env LD_PRELOAD="$LIBFAKETIME" \
	    FAKETIME_TIMESTAMP_FILE="$FAKE_RC" FAKETIME_NO_CACHE=1 \
	    FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    "$PHAROSD" "$TEST_DIR/pharos.cfg" >"$TEST_DIR/pharosd.out" 2>&1 &
	PHAROSD_PID=$!
	wait_for "query socket" 10 eval 'status_json >/dev/null 2>&1'
}

# The daemon's wall clock minus ours, in seconds.
fake_offset() {
	local fake
	fake=$(program_field .now)
	is_number "$fake" || return 1
	echo $((fake - $(date +%s)))
}

offset_is() {
	local off
	off=$(fake_offset) || return 1
	[ "$off" -ge $(($1 - SLACK)) ] && [ "$off" -le $(($1 + SLACK)) ]
}

# count_window: host checks per second over WINDOW seconds, measured on
# the test's (real) clock.
RATE=""
CHECKS=""
count_window() {
	local c0 c1 t0 t1
	t0=$(now)
	c0=$(program_field .checks.host_checks)
	sleep "$WINDOW"
	t1=$(now)
	c1=$(program_field .checks.host_checks)
	is_number "$c0" && is_number "$c1" || return 1
	CHECKS=$((c1 - c0))
	RATE=$(calc "$CHECKS / ($t1 - $t0)")
	say "  $CHECKS host checks in $(calc "$t1 - $t0") s: $RATE per second"
}

# Every host's last_check is at or after from and at most the daemon's
# now, and its next_check within one interval of now (plus slack).
hosts_checked_since() {
	local from=$1 snap
	snap=$(status_json) || return 1
	jq -e --argjson from "$from" --argjson ci "${CI_S%.*}" --argjson sl "$SLACK" \
	    --argjson names "$HOSTS_JSON" '
	    .program.now as $now |
	    [.hosts[] | select(.name as $n | $names | index($n)) |
	        select(.last_check < $from or .last_check > $now + $sl
	        or .next_check < $now - $sl or .next_check > $now + $ci + $sl)]
	    | length == 0' <<<"$snap" >/dev/null
}

show_hosts() {
	status_json | jq -r '"now \(.program.now)", (.hosts[] |
	    "  \(.name) \(.state) last_check \(.last_check) next_check \(.next_check)")'
}

BASE_RATE=""

case_all_up_under_faketime() {
	start_faked || return 1
	wait_for "all hosts UP" "$(calc "$CI_S + $CHECK_DURATION + $MARGIN")" \
	    hosts_are core-router=UP dist1=UP dist2=UP server=UP printer=UP firewall=UP || return 1
	check "the daemon's clock is the real one (offset +0)" offset_is 0
}

case_rate_before() {
	count_window || return 1
	BASE_RATE=$RATE
	# 6 hosts every 2 s: 3 a second; at least a few checks per window.
	check_gt "host checks in the window" "$CHECKS" $((WINDOW * HOSTS_N / ${CI_S%.*} / 2))
}

# jump OFFSET LABEL: set the offset, then check the daemon's clock moved,
# the rate in the next window, every host checked in the new time, and an
# event log line stamped with it.
jump() {
	local off=$1 label=$2 jump_at line when fake
	say "jump the daemon's wall clock to offset $off s ($label)"
	set_offset "$off"
	wait_for "the daemon's clock at offset $off" 5 offset_is "$off" || return 1
	jump_at=$(program_field .now)
	count_window || return 1
	check "rate after the jump within ${FACTOR}x of before ($BASE_RATE/s): no burst" \
	    awk "BEGIN { exit !($RATE <= $BASE_RATE * $FACTOR) }" &&
	check "rate after the jump within ${FACTOR}x of before ($BASE_RATE/s): no stall" \
	    awk "BEGIN { exit !($RATE >= $BASE_RATE / $FACTOR) }" || return 1
	if ! check "every host checked since the jump (last_check >= $jump_at, in the new time)" \
	    hosts_checked_since "$((jump_at - SLACK))"; then
		show_hosts
		return 1
	fi
	check "all hosts still UP" hosts_are core-router=UP dist1=UP dist2=UP \
	    server=UP printer=UP firewall=UP || return 1
	# An external command is logged at once, stamped with the daemon's
	# wall clock.
	"$PHAROS" -s "$PHAROS_SOCK" cmd "ADD_HOST_COMMENT;core-router;0;clock;$label" >/dev/null || return 1
	fake=$(program_field .now)
	wait_for "the command in the event log" 5 \
	    grep -q "EXTERNAL COMMAND: ADD_HOST_COMMENT;core-router;0;clock;$label\$" "$PHAROS_LOG" || return 1
	line=$(grep "EXTERNAL COMMAND: ADD_HOST_COMMENT;core-router;0;clock;$label\$" "$PHAROS_LOG" | tail -n 1)
	when=$(sed -n 's/^\[\([0-9]*\)\].*/\1/p' <<<"$line")
	echo "  log: $line"
	check "the log line is in the daemon's time ($when, daemon now $fake)" \
	    awk "BEGIN { exit !($when >= $fake - $SLACK && $when <= $fake + $SLACK) }" &&
	check "and away from the real time by the offset" \
	    awk "BEGIN { d = $when - $(date +%s) - ($off); exit !(d >= -$SLACK && d <= $SLACK) }"
}

case_jump_forward_1h() {
	jump 3600 "forward 1h"
}

case_jump_back_1h() {
	jump 0 "back 1h"
}

case_jump_back_before_start() {
	local start
	jump -3600 "back 1h again" || return 1
	start=$(program_field .start_time)
	check "the daemon's time is now before its start ($start)" \
	    awk "BEGIN { exit !($(program_field .now) < $start) }"
}

case_no_host_alerts() {
	check_eq "HOST ALERT lines" "$(log_count 'HOST ALERT: ')" 0 &&
	check_eq "program.checks.host_alerts" "$(program_field .checks.host_alerts)" 0
}

case_pharosd_stops_cleanly() {
	stop_pharosd
}

run_case all_up_under_faketime case_all_up_under_faketime
run_case rate_before case_rate_before
run_case jump_forward_1h case_jump_forward_1h
run_case jump_back_1h case_jump_back_1h
run_case jump_back_before_start case_jump_back_before_start
run_case no_host_alerts case_no_host_alerts
run_case pharosd_stops_cleanly case_pharosd_stops_cleanly
test_finish
