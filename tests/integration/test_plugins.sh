#!/bin/bash
# test_plugins: service checks that are Nagios plugins, run by pharosd in
# the monitor's namespace: Debian's monitoring-plugins (check_dummy,
# check_tcp against a device of the test network) and small scripts for
# multi-line output, a missing plugin and a plugin that hangs past
# service_check_timeout. No process and no zombie may be left behind.
#
# Needs root (network namespaces), jq and Debian's monitoring-plugins.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk pgrep
need_programs
PLUGINS=/usr/lib/nagios/plugins
if [ ! -x "$PLUGINS/check_dummy" ] || [ ! -x "$PLUGINS/check_tcp" ]; then
	echo "SKIP: Debian's monitoring-plugins are not installed"
	exit 77
fi

test_setup
net_up
write_config

TIMEOUT_S=2
HANG="$TEST_DIR/check_hang"
MULTI="$TEST_DIR/check_multi"
printf '#!/bin/sh\nsleep 600\n' >"$HANG"
cat >"$MULTI" <<'SH'
#!/bin/sh
echo "OK - three lines | first=1;5;10"
echo "second line"
echo "third line | second=2c"
exit 0
SH
chmod 0755 "$HANG" "$MULTI"
printf '$USER1$=%s\n' "$PLUGINS" >"$TEST_DIR/resource.cfg"
cat >>"$TEST_DIR/pharos.cfg" <<CFG
resource_file=resource.cfg
service_check_timeout=$TIMEOUT_S
CFG
cat >>"$TEST_DIR/network.cfg" <<CFG

define command {
	command_name	dummy
	command_line	\$USER1\$/check_dummy \$ARG1\$ "\$ARG2\$"
}
define command {
	command_name	tcp
	command_line	\$USER1\$/check_tcp -H \$HOSTADDRESS\$ -p \$ARG1\$ -t 3
}
define command {
	command_name	script
	command_line	\$ARG1\$
}
define service {
	name			svc
	host_name		server
	check_interval		5s
	retry_interval		1s
	max_check_attempts	1
	register		0
}
define service {
	use			svc
	service_description	dummy-ok
	check_command		dummy!0!all fine
}
define service {
	use			svc
	service_description	dummy-critical
	check_command		dummy!2!disk on fire
}
define service {
	use			svc
	service_description	tcp-closed
	check_command		tcp!9
}
define service {
	use			svc
	service_description	multi-line
	check_command		script!$MULTI
}
define service {
	use			svc
	service_description	missing
	check_command		script!$TEST_DIR/no_such_plugin
}
define service {
	use			svc
	service_description	hangs
	check_command		script!$HANG
}
CFG
start_pharosd || exit 1

svc_field() {
	status_json | jq -r --arg s "$1" --arg f "$2" \
	    '.services[] | select(.description == $s) | .[$f] // ""'
}

all_checked() {
	[ "$(status_json | jq '[.services[] | select(.has_been_checked | not)] | length')" = 0 ]
}

BOUND=$(calc "5 + $TIMEOUT_S + 2 + $MARGIN")

case_all_services_checked() {
	wait_for "every service checked once" "$BOUND" all_checked
}

case_check_dummy_states_and_output() {
	check_eq "dummy-ok state" "$(svc_field dummy-ok state)" OK &&
	check_eq "dummy-ok output" "$(svc_field dummy-ok output)" "OK: all fine" &&
	check_eq "dummy-critical state" "$(svc_field dummy-critical state)" CRITICAL &&
	check_eq "dummy-critical type" "$(svc_field dummy-critical state_type)" HARD &&
	check_eq "dummy-critical output" "$(svc_field dummy-critical output)" \
	    "CRITICAL: disk on fire"
}

case_check_tcp_gets_host_address() {
	local out
	out=$(svc_field tcp-closed output)
	check_eq "tcp-closed state" "$(svc_field tcp-closed state)" CRITICAL &&
	    check "output names the refused connection ($out)" \
	    grep -qi "refused" <<<"$out"
}

case_multi_line_output_and_perfdata() {
	check_eq "output" "$(svc_field multi-line output)" "OK - three lines" &&
	check_eq "long output" "$(svc_field multi-line long_output)" \
	    "$(printf 'second line\nthird line')" &&
	check_eq "perfdata" "$(svc_field multi-line perfdata)" \
	    "first=1;5;10 second=2c"
}

case_missing_plugin_is_critical() {
	check_eq "state" "$(svc_field missing state)" CRITICAL &&
	check "output says return code 127" \
	    grep -q "Return code of 127 is out of bounds" <<<"$(svc_field missing output)"
}

case_hanging_plugin_times_out_and_is_killed() {
	check_eq "state" "$(svc_field hangs state)" CRITICAL &&
	check "output says it timed out" grep -q \
	    "Service check timed out after $TIMEOUT_S.00 seconds" \
	    <<<"$(svc_field hangs output)" &&
	check "no hanging plugin older than the timeout is left" \
	    not old_hangers
}

# A hanging plugin may be running right now (it is rescheduled every 5 s);
# one older than the timeout plus a second would have escaped the kill.
old_hangers() {
	local pid age
	for pid in $(pgrep -f "$HANG"); do
		age=$(ps -o etimes= -p "$pid" 2>/dev/null | tr -d ' ')
		[ -n "$age" ] && [ "$age" -gt $((TIMEOUT_S + 1)) ] && return 0
	done
	return 1
}

no_zombies() {
	[ -z "$(ps --ppid "$PHAROSD_PID" -o stat= 2>/dev/null | grep Z)" ]
}

case_no_zombie_children() {
	wait_for "no zombie children of pharosd" 5 no_zombies
}

case_plugin_counters_reported() {
	check_gt "program.plugins.started" "$(program_field .plugins.started)" 5 &&
	check_gt "program.plugins.timed_out" "$(program_field .plugins.timed_out)" 0
}

case_pharosd_stops_cleanly() {
	stop_pharosd &&
	check "no plugin of this test left running" not pgrep -f "$TEST_DIR/"
}

run_case all_services_checked case_all_services_checked
run_case check_dummy_states_and_output case_check_dummy_states_and_output
run_case check_tcp_gets_host_address case_check_tcp_gets_host_address
run_case multi_line_output_and_perfdata case_multi_line_output_and_perfdata
run_case missing_plugin_is_critical case_missing_plugin_is_critical
run_case hanging_plugin_times_out_and_is_killed case_hanging_plugin_times_out_and_is_killed
run_case no_zombie_children case_no_zombie_children
run_case plugin_counters_reported case_plugin_counters_reported
run_case pharosd_stops_cleanly case_pharosd_stops_cleanly
test_finish
