#!/bin/bash
# test_zombies: 10,000 plugin runs and nothing left behind. pharosd runs
# 200 services of check_dummy every second (about 200 plugins a second)
# until program.plugins.finished reaches 10,000; then no child of pharosd
# is a zombie, no spawn failed, the running count is back to a few, the
# cap was respected, and pharosd holds no more file descriptors than after
# its first round of checks (each plugin costs two pipes and a pidfd while
# it runs: a leak would show in thousands).
#
# Beside them, a plugin whose grandchild escapes: `setsid sleep ... &`
# leaves the plugin's process group and session and keeps its stdout. The
# documented behaviour (docs/plugins.md, "Timeouts and process groups"):
# the plugin exits, the runner waits a second more for end-of-file, kills
# the group (the escaped sleeper is not in it), closes the pipes and
# delivers the result; the sleeper goes on, re-parented away from pharosd
# (to init or the nearest subreaper), so it never becomes pharosd's zombie.
# The sleepers carry a unique argument and are killed by PID at cleanup.
#
# Needs root (network namespaces), jq, procps (ps, pgrep) and Debian's
# monitoring-plugins (check_dummy).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk ps pgrep setsid
need_programs
PLUGINS=/usr/lib/nagios/plugins
if [ ! -x "$PLUGINS/check_dummy" ]; then
	echo "SKIP: Debian's monitoring-plugins are not installed"
	exit 77
fi

# How many services, how many plugin runs to wait for, and the bound.
NSVC=${PHAROS_ZOMBIE_SERVICES:-200}
TARGET=${PHAROS_ZOMBIE_RUNS:-10000}
BOUND=300
ESCAPE_INTERVAL=10

test_setup
export PHAROS_AGENTS=0
net_up
write_config

# The escaped sleepers' unique command line: "sleep 30.0<test pid>".
SLEEP_ARG="30.0$$"
ESCAPE="$TEST_DIR/check_escape"
cat >"$ESCAPE" <<EOF
#!/bin/sh
# A plugin that leaves a daemon behind: a grandchild in its own session,
# holding the plugin's stdout and stderr.
setsid sleep $SLEEP_ARG &
echo "OK - a grandchild escaped"
exit 0
EOF
chmod 0755 "$ESCAPE"

sleeper_pids() {
	pgrep -f "^sleep $SLEEP_ARG\$"
}

# The sleepers escaped pharosd's group kill on purpose: kill them by PID
# before the usual cleanup (which would also end them with the namespace).
kill_sleepers() {
	local pid
	for pid in $(sleeper_pids); do
		kill -TERM "$pid" 2>/dev/null
	done
}
zombies_exit() {
	local rc=$?
	kill_sleepers
	(exit "$rc")
	test_cleanup
}
trap zombies_exit EXIT

printf '$USER1$=%s\n' "$PLUGINS" >"$TEST_DIR/resource.cfg"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=zombies.cfg
resource_file=resource.cfg
EOF
{
	cat <<EOF
define command {
	command_name	dummy
	command_line	\$USER1\$/check_dummy \$ARG1\$ \$ARG2\$
}
define command {
	command_name	escape
	command_line	$ESCAPE
}
define service {
	name			every-second
	host_name		server
	check_interval		1
	retry_interval		1
	max_check_attempts	1
	register		0
}
define service {
	host_name		server
	service_description	escape
	check_command		escape
	check_interval		$ESCAPE_INTERVAL
	retry_interval		$ESCAPE_INTERVAL
	max_check_attempts	1
}
EOF
	for i in $(seq 1 "$NSVC"); do
		printf 'define service {\n\tuse\t\t\tevery-second\n'
		printf '\tservice_description\tdummy-%03d\n' "$i"
		printf '\tcheck_command\t\tdummy!0!ok\n}\n'
	done
} >"$TEST_DIR/zombies.cfg"
chown -R nobody:nogroup "$TEST_DIR"

fd_count() {
	local n
	n=$(ls "/proc/$PHAROSD_PID/fd" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && echo "$n"
}

# The fewest descriptors over 20 looks 0.1 s apart: the daemon's own,
# without the pipes and pidfds of plugins running at that moment.
fd_min() {
	local n min=""
	for _ in $(seq 1 20); do
		n=$(fd_count) || return 1
		[ -z "$min" ] || [ "$n" -lt "$min" ] && min=$n
		sleep 0.1
	done
	echo "$min"
}

zombie_pids() {
	ps --ppid "$PHAROSD_PID" -o pid=,stat= 2>/dev/null | awk '$2 ~ /^Z/ { print $1 }'
}

# Zombies seen twice, a second apart: not a plugin between its exit and
# its reaping (which takes a moment at 200 exits a second) but one left.
lasting_zombies() {
	local first second z
	first=$(zombie_pids)
	[ -n "$first" ] || return 0
	sleep 1
	second=$(zombie_pids)
	for z in $first; do
		grep -qx "$z" <<<"$second" && echo "$z"
	done
	return 0
}

plugins() {
	program_field ".plugins.$1"
}

svc_field() {
	status_json | jq -r --arg s "$1" --arg f "$2" \
	    '.services[] | select(.host == "server" and .description == $s) | .[$f] // ""'
}

FD_START=""
T_START=""
F_START=""

case_first_round() {
	start_pharosd || return 1
	wait_for "every service of server checked once" 20 eval \
	    '[ "$(status_json | jq "[.services[] | select(.host == \"server\" and (.has_been_checked | not))] | length")" = 0 ]' || return 1
	FD_START=$(fd_min) || return 1
	T_START=$(now)
	F_START=$(plugins finished)
	say "  pharosd holds $FD_START descriptors (fewest of 20 looks); $F_START plugins finished"
	check_gt "descriptors" "$FD_START" 0
}

case_ten_thousand_runs() {
	local deadline f zs lasting="" t
	say "wait (at most ${BOUND}s) for $TARGET plugin runs"
	deadline=$(calc "$(now) + $BOUND")
	while :; do
		if ! proc_running "$PHAROSD_PID"; then
			echo "  pharosd ended"
			return 1
		fi
		f=$(plugins finished)
		is_number "$f" && [ "$f" -ge "$TARGET" ] && break
		if awk "BEGIN { exit !($(now) > $deadline) }"; then
			echo "  TIMEOUT: $f plugin runs after ${BOUND}s"
			return 1
		fi
		# Along the way: no zombie may last.
		zs=$(lasting_zombies)
		[ -z "$zs" ] || lasting="$lasting $zs"
		sleep 1
	done
	t=$(calc "$(now) - $T_START")
	say "  $f plugins finished; $(calc "($f - $F_START) / $t") a second over the last ${t}s"
	check_eq "zombies that lasted a second during the run" "${lasting# }" ""
}

case_no_zombie_children() {
	local zs
	zs=$(lasting_zombies)
	check_eq "zombie children of pharosd (lasting a second)" "$zs" "" &&
	wait_for "no zombie child at all" 5 eval '[ -z "$(zombie_pids)" ]'
}

case_counters() {
	local snap cap running_min=999999 r
	snap=$(status_json) || return 1
	cap=$((16 * $(nproc)))
	for _ in $(seq 1 10); do
		r=$(plugins running)
		[ "$r" -lt "$running_min" ] && running_min=$r
		sleep 0.1
	done
	jq -c '.program.plugins' <<<"$snap"
	check_eq "spawn_failed" "$(jq '.program.plugins.spawn_failed' <<<"$snap")" 0 &&
	check_eq "timed_out" "$(jq '.program.plugins.timed_out' <<<"$snap")" 0 &&
	check "started >= $TARGET" [ "$(jq '.program.plugins.started' <<<"$snap")" -ge "$TARGET" ] &&
	check "running_max within the cap ($cap)" \
	    [ "$(jq '.program.plugins.running_max' <<<"$snap")" -le "$cap" ] &&
	check_lt "running now (fewest of 10 looks)" "$running_min" 10 &&
	check_eq "dummy services not OK" \
	    "$(jq '[.services[] | select((.description | startswith("dummy-")) and .state != "OK")] | length' <<<"$snap")" 0
}

case_no_descriptor_leak() {
	local fd_end
	fd_end=$(fd_min) || return 1
	say "  pharosd holds $fd_end descriptors now, $FD_START after the first round"
	check "no more descriptors than at start ($fd_end <= $FD_START)" \
	    [ "$fd_end" -le "$FD_START" ]
}

case_escaped_grandchild() {
	local pids pid ppid sid n snap held
	check_eq "escape state" "$(svc_field escape state)" OK &&
	check_eq "escape output: the result was delivered" \
	    "$(svc_field escape output)" "OK - a grandchild escaped" || return 1
	# No plugin timed out, so every group kill was one of a held pipe.
	snap=$(status_json | jq -c '.program.plugins')
	check_gt "process groups killed after their pipe was held" \
	    "$(jq '.killed' <<<"$snap")" 0 || return 1
	held=$(jq '.output_held // empty' <<<"$snap")
	if [ -n "$held" ]; then
		check_gt "program.plugins.output_held" "$held" 0 || return 1
	else
		echo "  (program.plugins.output_held is not in the status)"
	fi
	pids=$(sleeper_pids)
	n=$(wc -w <<<"$pids")
	# One per run of the escape service (every $ESCAPE_INTERVAL s, each
	# sleeping 30 s): they outlive the group kill.
	check_gt "escaped sleepers still running" "$n" 0 || return 1
	for pid in $pids; do
		ppid=$(ps -o ppid= -p "$pid" | tr -d ' ')
		sid=$(ps -o sid= -p "$pid" | tr -d ' ')
		[ -n "$ppid" ] || continue
		check "sleeper $pid leads its own session (sid $sid)" [ "$sid" = "$pid" ] &&
		check "sleeper $pid is not pharosd's child (parent $ppid)" \
		    [ "$ppid" != "$PHAROSD_PID" ] || return 1
	done
	check "no zombie children of pharosd" eval '[ -z "$(lasting_zombies)" ]'
}

# What still runs in the monitor's namespace, but the escaped sleepers.
mon_leftovers() {
	local pid sleepers
	sleepers=$(sleeper_pids)
	for pid in $(ip netns pids "$PHAROS_NS_PREFIX-mon" 2>/dev/null); do
		grep -qx "$pid" <<<"$sleepers" && continue
		echo "$pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
	done
}

case_pharosd_stops_cleanly() {
	stop_pharosd &&
	check_eq "processes left in the monitor's namespace but the escaped sleepers" \
	    "$(mon_leftovers)" ""
}

run_case first_round case_first_round
run_case ten_thousand_runs case_ten_thousand_runs
run_case no_zombie_children case_no_zombie_children
run_case counters case_counters
run_case no_descriptor_leak case_no_descriptor_leak
run_case escaped_grandchild case_escaped_grandchild
run_case pharosd_stops_cleanly case_pharosd_stops_cleanly
test_finish
