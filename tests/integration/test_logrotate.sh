#!/bin/bash
# test_logrotate: the event log is rotated at the wall-clock boundary of
# log_rotation_method into log_archive_path, named as Nagios names its
# archives (pharos-MM-DD-YYYY-HH.log); the new file starts with LOG
# ROTATION, LOG VERSION and the current host states, and `pharos log`
# finds lines in both files. pharosd runs under libfaketime with its wall
# clock set a few seconds before an hour (the monotonic clock is real).
#
# Needs root (network namespaces), jq and faketime.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq faketime
need_programs

test_setup
export PHAROS_AGENTS=0
net_up
write_config
ARCH="$TEST_DIR/archive"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
log_rotation_method=h
log_archive_path=$ARCH
EOF

# 2026-11-27 09:59:54 local time: the hourly rotation is 6 s away.
START="2026-11-27 09:59:54"
BOUNDARY=$(date -d "2026-11-27 10:00:00" +%s)

start_faked() {
	say "start pharosd in $PHAROS_NS_PREFIX-mon at fake time $START"
	ip netns exec "$PHAROS_NS_PREFIX-mon" env FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    faketime -f "@$START" "$PHAROSD" "$TEST_DIR/pharos.cfg" \
	    >"$TEST_DIR/pharosd.out" 2>&1 &
	PHAROSD_PID=$!
	wait_for "query socket" 10 eval 'status_json >/dev/null 2>&1'
}

case_rotates_at_the_hour() {
	start_faked || return 1
	wait_for "an archive in $ARCH" 20 \
	    eval 'ls "$ARCH"/pharos-*.log >/dev/null 2>&1' || return 1
	ls "$ARCH"
	check "archive named for the rotation hour, as Nagios" test -s "$ARCH/pharos-11-27-2026-10.log" &&
	check "the archive holds the start" grep -q "LOG VERSION: 2.0" "$ARCH/pharos-11-27-2026-10.log" &&
	check "new log starts with LOG ROTATION" \
	    eval 'head -1 "$PHAROS_LOG" | grep -q "LOG ROTATION: HOURLY"' &&
	wait_for "current states in the new log" 10 \
	    eval 'grep -q "CURRENT HOST STATE: core-router" "$PHAROS_LOG"' &&
	check "no line of the new log is before the boundary" \
	    eval '! awk -v b=$BOUNDARY -F"[][]" "\$2 < b { bad = 1 } END { exit !bad }" "$PHAROS_LOG"'
}

case_pharos_log_searches_both() {
	local n
	n=$("$PHAROS" log --log "$PHAROS_LOG" --archive "$ARCH" \
	    --type "CURRENT HOST STATE" --host core-router | wc -l)
	check_gt "CURRENT HOST STATE lines of core-router over both files" "$n" 1
}

run_case rotates_at_the_hour case_rotates_at_the_hour
run_case pharos_log_searches_both case_pharos_log_searches_both
test_finish
