# lib.sh: helpers shared by the integration tests (sourced, needs bash).
#
# A test does:
#   . "$(dirname "$0")/lib.sh"
#   need_root; need_tools jq nft; need_programs
#   test_setup                 unique prefix, temp dir, cleanup trap
#   net_up; write_config; start_pharosd
#   run_case NAME FUNCTION ... ; test_finish
#
# top_srcdir and top_builddir come from the environment (make check exports
# them as absolute paths); for a manual run they default to this folder's
# ../.. (an in-tree build).
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.

# Numbers are printed and parsed with a decimal point.
export LC_ALL=C

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$LIB_DIR/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck disable=SC2034 # used by the tests that source this file
PHAROSD="$top_builddir/pharosd"
PHAROS="$top_builddir/pharos"
# shellcheck disable=SC2034
FORGE_ECHO="$top_builddir/tests/integration/forge_echo"
NETNS_SH="$LIB_DIR/netns.sh"
# shellcheck source=netns.sh
. "$NETNS_SH"

# What one ICMP check of a dead host lasts: 5 packets 100 ms apart (0.4 s)
# and a 1 s timeout after the last one. Checks of a live host are shorter.
# shellcheck disable=SC2034
CHECK_DURATION=1.4
# Slack for the spread of first checks, scheduling and a loaded machine.
# shellcheck disable=SC2034
MARGIN=5

TEST_NAME=$(basename "$0" .sh)
TEST_START=$EPOCHREALTIME
TEST_DIR=""
PHAROSD_PID=""
PHAROSD_GONE=""
FORGE_PID=""
CASES_PASSED=0
CASES_FAILED=0
CASES_SKIPPED=0
FAILED_CASES=""

# Wall-clock seconds with microseconds (bash 5).
now() {
	echo "$EPOCHREALTIME"
}

say() {
	printf '[%6.1fs] %s\n' "$(calc "$(now) - $TEST_START")" "$*"
}

# Floating point arithmetic, 3 decimals at most: calc "1.4 * 3 + 5" -> 9.2
calc() {
	awk "BEGIN { s = sprintf(\"%.3f\", $1); sub(/\\.?0+\$/, \"\", s); print s }"
}

# Seconds left of a bound that started at t0 (at least 1).
remaining() {
	[ -n "$1" ] || set -- "$(now)" "$2"
	calc "($1 + $2 - $(now)) < 1 ? 1 : ($1 + $2 - $(now))"
}

# Seconds in a Pharos interval value: "20s", "2m" or a plain number of
# interval_length (1 s in the tests' configuration) units.
secs_of() {
	case "$1" in
	*s) echo "${1%s}" ;;
	*m) calc "${1%m} * 60" ;;
	*) echo "$1" ;;
	esac
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: needs root (network namespaces)"
		exit 77
	fi
}

need_tools() {
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "ERROR: $TEST_NAME needs $t (Debian package: $t)"
			exit 99
		fi
	done
}

need_programs() {
	local p
	for p in "$PHAROSD" "$PHAROS" "$@"; do
		if [ ! -x "$p" ]; then
			echo "ERROR: $p is not built (run make first; make check builds it)"
			exit 99
		fi
	done
}

# A unique namespace prefix and a temp dir, and the cleanup trap.
test_setup() {
	PHAROS_NS_PREFIX="ph$(($$ % 100000000))"
	export PHAROS_NS_PREFIX
	TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pharos-$TEST_NAME.XXXXXX") || exit 99
	trap test_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	say "$TEST_NAME: prefix $PHAROS_NS_PREFIX, files in $TEST_DIR"
}

# The start of the tests that drive the engine with check_dummy on the
# test network, without agents (SKIP without monitoring-plugins): the
# network up, the base configuration written; sets DUMMY and FIFO (the
# command file's path, for the caller to configure).
engine_setup() {
	need_root
	need_tools ip nft jq
	need_programs
	DUMMY=/usr/lib/nagios/plugins/check_dummy
	[ -x "$DUMMY" ] || { echo "SKIP: no $DUMMY"; exit 77; }
	test_setup
	export PHAROS_AGENTS=0
	export PHAROS_CHECK_INTERVAL=2s PHAROS_RETRY_INTERVAL=1s PHAROS_MAX_ATTEMPTS=2
	net_up
	write_config
	FIFO="$TEST_DIR/pharos.cmd"
}

# True while pid is running (a zombie child of ours counts as ended).
proc_running() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# Send sig to pid, wait up to secs for it to end, then SIGKILL. Sets
# STOP_RC to its exit status (when it is our child), 137 when killed.
stop_pid() {
	local pid=$1 sig=$2 secs=$3 deadline
	STOP_RC=0
	[ -n "$pid" ] || return 0
	kill "-$sig" "$pid" 2>/dev/null
	deadline=$(calc "$(now) + $secs")
	while proc_running "$pid"; do
		if awk "BEGIN { exit !($(now) > $deadline) }"; then
			echo "pid $pid did not end within ${secs}s of SIG$sig; killing it"
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			STOP_RC=137
			return 1
		fi
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	STOP_RC=$?
	return 0
}

test_cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	if [ -n "$FORGE_PID" ]; then
		stop_pid "$FORGE_PID" TERM 3
		FORGE_PID=""
	fi
	if [ -n "$PHAROSD_PID" ]; then
		stop_pid "$PHAROSD_PID" TERM 10
		PHAROSD_PID=""
	fi
	netns_down
	if [ -n "$TEST_DIR" ] && [ -d "$TEST_DIR" ]; then
		if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then
			[ -n "${PHAROS_KEEP_TMP:-}" ] || rm -rf "$TEST_DIR"
		else
			if [ -s "$TEST_DIR/pharosd.out" ]; then
				echo "--- pharosd output (tail)"
				tail -n 30 "$TEST_DIR/pharosd.out"
			fi
			echo "files kept in $TEST_DIR"
		fi
	fi
	exit "$rc"
}

# Build the test network; skip when this machine cannot make namespaces.
net_up() {
	say "network up (namespaces $PHAROS_NS_PREFIX-*)"
	if ! ip netns add "$PHAROS_NS_PREFIX-probe" 2>/dev/null; then
		echo "SKIP: cannot create network namespaces here"
		exit 77
	fi
	ip netns delete "$PHAROS_NS_PREFIX-probe"
	netns_up || { echo "ERROR: netns.sh up failed"; exit 99; }
}

net() {
	say "netns.sh $*"
	netns_main "$@"
}

write_config() {
	netns_config "$TEST_DIR" || exit 99
	# The daemon runs as nobody after start: let it own its folder.
	chmod 0755 "$TEST_DIR"
	chown nobody:nogroup "$TEST_DIR" 2>/dev/null
	PHAROS_LOG="$TEST_DIR/pharos.log"
	PHAROS_SOCK="$TEST_DIR/pharos.qh"
	CI_S=$(secs_of "${PHAROS_CHECK_INTERVAL:-5s}")
	RI_S=$(secs_of "${PHAROS_RETRY_INTERVAL:-1s}")
	MA=${PHAROS_MAX_ATTEMPTS:-3}
	say "config: check_interval ${CI_S}s, retry_interval ${RI_S}s, max_check_attempts $MA, addresses $(
	    case "${PHAROS_IPV6:-0}" in 0) echo IPv4 ;; 1) echo IPv4 and IPv6 ;; *) echo IPv6 only ;; esac)"
}

# Start pharosd in the monitor's namespace and wait (10 s at most) until
# its query socket answers.
start_pharosd() {
	say "start pharosd in $PHAROS_NS_PREFIX-mon"
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$PHAROSD" "$TEST_DIR/pharos.cfg" \
	    >"$TEST_DIR/pharosd.out" 2>&1 &
	PHAROSD_PID=$!
	for _ in $(seq 1 50); do
		if ! proc_running "$PHAROSD_PID"; then
			wait "$PHAROSD_PID"
			echo "pharosd exited at start (status $?):"
			cat "$TEST_DIR/pharosd.out"
			PHAROSD_PID=""
			return 1
		fi
		if [ -S "$PHAROS_SOCK" ] && status_json >/dev/null 2>&1; then
			say "pharosd running, pid $PHAROSD_PID"
			return 0
		fi
		sleep 0.2
	done
	echo "pharosd's query socket $PHAROS_SOCK did not answer within 10 s"
	return 1
}

# Stop pharosd with SIGTERM; true when it exits 0 within 10 s.
stop_pharosd() {
	local pid=$PHAROSD_PID
	PHAROSD_PID=""
	[ -n "$pid" ] || { echo "pharosd is not running"; return 1; }
	say "stop pharosd (SIGTERM to $pid)"
	stop_pid "$pid" TERM 10 || return 1
	[ "$STOP_RC" = 0 ] || { echo "pharosd exited with status $STOP_RC"; return 1; }
}

# The data of the status response (also when the client prints the whole
# response object).
status_json() {
	"$PHAROS" -s "$PHAROS_SOCK" status --json 2>/dev/null | jq -c '.data // .'
}

# svc_field HOST DESC FIELD: one field of one service from status_json
# (jq's text of it; "null" when absent).
svc_field() {
	status_json | jq -r --arg h "$1" --arg d "$2" \
	    ".services[] | select(.host == \$h and .description == \$d) | .$3"
}

status_table() {
	"$PHAROS" -s "$PHAROS_SOCK" status 2>&1
}

# host_field HOST FIELD: one field of one host from status --json.
host_field() {
	status_json | jq -r --arg h "$1" --arg f "$2" \
	    '.hosts[] | select(.name == $h) | .[$f] | if type == "array" then join(",") else tostring end'
}

# program_field PATH: a jq path under .program, e.g. ".icmp.rx_bad_cookie".
program_field() {
	status_json | jq -r ".program$1"
}

# hosts_are NAME=STATE[/TYPE] ...: true when every named host is in that
# state (and state type) in one status snapshot.
hosts_are() {
	local snap spec name want got
	snap=$(status_json | jq -r '.hosts[] | "\(.name) \(.state)/\(.state_type)"') || return 1
	for spec in "$@"; do
		name=${spec%%=*}
		want=${spec#*=}
		got=$(printf '%s\n' "$snap" | awk -v n="$name" '$1 == n { print $2 }')
		case "$want" in
		*/*) [ "$got" = "$want" ] || return 1 ;;
		*) [ "${got%/*}" = "$want" ] || return 1 ;;
		esac
	done
	return 0
}

# Lines of the event log matching an extended regex (0 when no log yet).
log_count() {
	local n
	n=$(grep -c -E -- "$1" "$PHAROS_LOG" 2>/dev/null)
	echo "${n:-0}"
}

# Epoch of the last event log line matching an extended regex.
log_last_epoch() {
	grep -E -- "$1" "$PHAROS_LOG" 2>/dev/null | tail -n 1 |
	    sed -n 's/^\[\([0-9]*\)\].*/\1/p'
}

show_state() {
	echo "--- pharos status"
	status_table | head -n 40
	echo "--- event log (tail)"
	tail -n 30 "$PHAROS_LOG" 2>/dev/null
}

# wait_for DESC TIMEOUT_S CMD...: run CMD every 0.2 s until it succeeds or
# TIMEOUT_S seconds passed; then show the status table and the log and fail.
wait_for() {
	local desc=$1 secs=$2 deadline
	shift 2
	say "wait (at most ${secs}s) for: $desc"
	if [ -n "$PHAROSD_GONE" ]; then
		echo "pharosd ended earlier: not waiting for: $desc"
		return 1
	fi
	deadline=$(calc "$(now) + $secs")
	while :; do
		if "$@"; then
			say "  reached: $desc"
			return 0
		fi
		if [ -n "$PHAROSD_PID" ] && ! proc_running "$PHAROSD_PID"; then
			wait "$PHAROSD_PID"
			echo "pharosd (pid $PHAROSD_PID) ended (status $?) while waiting for: $desc"
			PHAROSD_PID=""
			PHAROSD_GONE=1
			tail -n 30 "$PHAROS_LOG" 2>/dev/null
			return 1
		fi
		if awk "BEGIN { exit !($(now) > $deadline) }"; then
			break
		fi
		sleep 0.2
	done
	echo "TIMEOUT after ${secs}s waiting for: $desc"
	show_state
	return 1
}

# check DESC CMD...: one assertion, reported either way.
check() {
	local desc=$1
	shift
	if "$@"; then
		echo "  ok: $desc"
		return 0
	fi
	echo "  FAILED: $desc"
	return 1
}

# not CMD...: true when CMD fails (for check, which runs its arguments).
not() {
	! "$@"
}

is_number() {
	[[ $1 =~ ^[0-9]+$ ]]
}

# check_eq DESC ACTUAL EXPECTED
check_eq() {
	if [ "$2" = "$3" ]; then
		echo "  ok: $1 ($2)"
		return 0
	fi
	echo "  FAILED: $1: got '$2', expected '$3'"
	return 1
}

# check_gt DESC ACTUAL LIMIT: a number strictly above LIMIT.
check_gt() {
	if [ -n "$2" ] && awk "BEGIN { exit !($2 > $3) }" 2>/dev/null; then
		echo "  ok: $1 ($2 > $3)"
		return 0
	fi
	echo "  FAILED: $1: got '$2', expected > $3"
	return 1
}

# check_lt DESC ACTUAL LIMIT: a number strictly below LIMIT.
check_lt() {
	if [ -n "$2" ] && awk "BEGIN { exit !($2 < $3) }" 2>/dev/null; then
		echo "  ok: $1 ($2 < $3)"
		return 0
	fi
	echo "  FAILED: $1: got '$2', expected < $3"
	return 1
}

# run_case NAME FUNCTION [ARGS...]: one named behaviour.
run_case() {
	local name=$1
	shift
	echo
	say "=== $name"
	if "$@"; then
		CASES_PASSED=$((CASES_PASSED + 1))
		say "PASS: $name"
	else
		CASES_FAILED=$((CASES_FAILED + 1))
		FAILED_CASES="$FAILED_CASES $name"
		say "FAIL: $name"
	fi
}

# skip_case NAME REASON: a behaviour this machine cannot show now.
skip_case() {
	echo
	say "=== $1"
	CASES_SKIPPED=$((CASES_SKIPPED + 1))
	say "SKIP: $1 ($2)"
}

# Print the summary; exit 0 when every case passed, else 1.
test_finish() {
	echo
	[ -z "$FAILED_CASES" ] || echo "failed cases:$FAILED_CASES"
	echo "$TEST_NAME: $CASES_PASSED passed, $CASES_FAILED failed, $CASES_SKIPPED skipped"
	[ "$CASES_FAILED" = 0 ] && [ "$CASES_PASSED" -gt 0 ] && exit 0
	exit 1
}
