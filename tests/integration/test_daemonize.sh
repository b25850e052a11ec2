#!/bin/bash
# test_daemonize: `pharosd -d` as `nagios -d`: the command returns 0 at
# once, the daemon keeps running detached (its own session, no terminal,
# stdin/stdout/stderr on /dev/null), answers status queries, and stops on
# SIGTERM. A configuration with errors makes -d fail before detaching.
#
# Needs root (network namespaces) and jq.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq
need_programs

test_setup
export PHAROS_AGENTS=0
net_up
write_config

case_detaches() {
	local rc pid sid
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$PHAROSD" -d "$TEST_DIR/pharos.cfg" \
	    >"$TEST_DIR/pharosd.out" 2>&1
	rc=$?
	check_eq "pharosd -d exit status" "$rc" 0 || return 1
	wait_for "query socket" 10 eval 'status_json >/dev/null 2>&1' || return 1
	pid=$(program_field .pid)
	check "the daemon runs (pid $pid)" proc_running "$pid" || return 1
	PHAROSD_PID=$pid
	sid=$(awk '{ print $6 }' "/proc/$pid/stat")
	check_eq "session leader" "$sid" "$pid" &&
	check_eq "stdin is /dev/null" "$(readlink "/proc/$pid/fd/0")" /dev/null &&
	check_eq "stderr is /dev/null" "$(readlink "/proc/$pid/fd/2")" /dev/null &&
	wait_for "core-router checked" 15 \
	    eval '[ "$(host_field core-router state)" != PENDING ]'
}

case_stops_on_sigterm() {
	local pid=$PHAROSD_PID
	PHAROSD_PID=""
	kill -TERM "$pid"
	wait_for "daemon gone" 10 not proc_running "$pid"
}

case_bad_config_fails_before_detaching() {
	local rc
	printf 'define host {\n host_name x\n}\n' >"$TEST_DIR/bad.cfg"
	printf 'cfg_file=bad.cfg\n' >"$TEST_DIR/bad-main.cfg"
	"$PHAROSD" -d "$TEST_DIR/bad-main.cfg" >"$TEST_DIR/bad.out" 2>&1
	rc=$?
	check_eq "exit status" "$rc" 1 &&
	check "errors printed" grep -q "error" "$TEST_DIR/bad.out"
}

run_case detaches case_detaches
run_case stops_on_sigterm case_stops_on_sigterm
run_case bad_config_fails_before_detaching case_bad_config_fails_before_detaching
test_finish
