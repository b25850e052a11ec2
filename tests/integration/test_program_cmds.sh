#!/bin/bash
# test_program_cmds: the program-wide external commands
# (docs/external-commands.md, "Program-wide commands") on a running
# pharosd against the test network and real plugins (check_dummy):
# - DISABLE_NOTIFICATIONS (command FIFO): a passive result still changes
#   the service's state, but no notification is sent; after
#   ENABLE_NOTIFICATIONS (pharos cmd) the next change is notified.
# - DISABLE_EVENT_HANDLERS: no handler runs on a state change; enabled
#   again, it runs.
# - STOP_EXECUTING_SVC_CHECKS: no scheduled service check starts, host
#   checks go on, passive results and forced checks are still taken;
#   START_EXECUTING_SVC_CHECKS resumes them. The same for host checks.
# - The switches show in the status JSON (program section) and in
#   `pharos status`, and outlive a restart through the retention file.
# - A switch with an argument is refused, logged and counted.
#
# Needs root (network namespaces), jq and monitoring-plugins (check_dummy).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

engine_setup
NOTES="$TEST_DIR/notes"
EVENTS="$TEST_DIR/events"
RET="$TEST_DIR/retention.json"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=program.cfg
resource_file=resource.cfg
command_file=$FIFO
state_retention_file=$RET
EOF
printf '$USER1$=/usr/lib/nagios/plugins\n$USER2$=%s\n' "$TEST_DIR" \
    >"$TEST_DIR/resource.cfg"
cat >"$TEST_DIR/program.cfg" <<'EOF'
define command {
	command_name  notify-service-file
	command_line  /usr/bin/printf "%s\;%s\;%s\;%s\n" "$NOTIFICATIONTYPE$" "$HOSTNAME$" "$SERVICEDESC$" "$SERVICESTATE$" >> $USER2$/notes
}
define command {
	command_name  notify-host-file
	command_line  /usr/bin/printf "%s\;%s\n" "$NOTIFICATIONTYPE$" "$HOSTNAME$" >> $USER2$/notes
}
define command {
	command_name  handler-file
	command_line  /usr/bin/printf "%s\;%s\;%s\n" "$HOSTNAME$" "$SERVICEDESC$" "$SERVICESTATE$" >> $USER2$/events
}
define command {
	command_name  check_dummy
	command_line  $USER1$/check_dummy $ARG1$ "$ARG2$"
}
define contact {
	contact_name                   ops
	host_notification_commands     notify-host-file
	service_notification_commands  notify-service-file
}
define service {
	host_name              server
	service_description    trap-fed
	check_command          check_dummy!0!unused
	active_checks_enabled  0
	max_check_attempts     1
	notification_interval  0
	contacts               ops
	event_handler          handler-file
}
define service {
	host_name            server
	service_description  tick
	check_command        check_dummy!0!tick
	check_interval       1
	max_check_attempts   1
}
EOF
chown -R nobody:nogroup "$TEST_DIR"

fifo() { printf '[%s] %s\n' "$(date +%s)" "$1" >"$FIFO"; }
cmd() { "$PHAROS" -s "$PHAROS_SOCK" cmd "$1"; }
passive() { cmd "PROCESS_SERVICE_CHECK_RESULT;server;trap-fed;$1;$2"; }
lines_of() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# switch_is FIELD true|false: the status JSON's program field.
switch_is() { [ "$(program_field ".$1")" = "$2" ]; }

case_defaults_shown() {
	start_pharosd || return 1
	wait_for "the command FIFO" 10 test -p "$FIFO" || return 1
	check "all four switches on" eval '[ "$(status_json | jq -c "[.program.enable_notifications, .program.execute_host_checks, .program.execute_service_checks, .program.enable_event_handlers]")" = "[true,true,true,true]" ]' &&
	check "pharos status names no disabled switch" not grep -q '^disabled:' <<<"$(status_table)"
}

case_notifications_off() {
	local n0
	fifo "DISABLE_NOTIFICATIONS"
	wait_for "notifications off" 10 switch_is enable_notifications false || return 1
	check "EXTERNAL COMMAND logged" grep -q "EXTERNAL COMMAND: DISABLE_NOTIFICATIONS$" "$PHAROS_LOG" || return 1
	n0=$(lines_of "$NOTES")
	passive 2 "link down" || return 1
	wait_for "trap-fed CRITICAL (a passive result is taken)" 10 \
	    eval '[ "$(svc_field server trap-fed state)/$(svc_field server trap-fed state_type)" = CRITICAL/HARD ]' || return 1
	wait_for "the SERVICE ALERT logged" 5 grep -q "SERVICE ALERT: server;trap-fed;CRITICAL" "$PHAROS_LOG" || return 1
	# The notification would be started with the alert; give it time.
	sleep 2
	check_eq "no notification while disabled" "$(lines_of "$NOTES")" "$n0" || return 1
	check "pharos status says notifications are disabled" \
	    grep -q '^disabled: notifications$' <<<"$(status_table)" || return 1
	cmd "ENABLE_NOTIFICATIONS" >/dev/null || return 1
	check "notifications on again" switch_is enable_notifications true || return 1
	passive 1 "link flapping" || return 1
	wait_for "a notification once enabled" 10 grep -q "^PROBLEM;server;trap-fed;WARNING" "$NOTES"
}

case_event_handlers_off() {
	local n0
	cmd "DISABLE_EVENT_HANDLERS" >/dev/null || return 1
	check "event handlers off" switch_is enable_event_handlers false || return 1
	n0=$(lines_of "$EVENTS")
	passive 0 "link up" || return 1
	wait_for "trap-fed OK" 10 eval '[ "$(svc_field server trap-fed state)" = OK ]' || return 1
	sleep 2
	check_eq "no handler ran while disabled" "$(lines_of "$EVENTS")" "$n0" || return 1
	cmd "ENABLE_EVENT_HANDLERS" >/dev/null || return 1
	passive 2 "link down again" || return 1
	wait_for "the handler runs once enabled" 10 grep -q "^server;trap-fed;CRITICAL" "$EVENTS"
}

# Scheduled checks of one kind stop; the other kind, passive results and
# forced checks go on.
case_checks_off() {
	local kind=$1 other=$2 on off s0 o0 s1 o1 last
	if [ "$kind" = service_checks ]; then
		on=START_EXECUTING_SVC_CHECKS; off=STOP_EXECUTING_SVC_CHECKS
	else
		on=START_EXECUTING_HOST_CHECKS; off=STOP_EXECUTING_HOST_CHECKS
	fi
	fifo "$off"
	wait_for "$kind off" 10 switch_is "execute_$kind" false || return 1
	s0=$(program_field ".checks.$kind")
	o0=$(program_field ".checks.$other")
	sleep 5 # two and a half check intervals
	s1=$(program_field ".checks.$kind")
	o1=$(program_field ".checks.$other")
	check_eq "no scheduled $kind started while stopped" "$s1" "$s0" || return 1
	check_gt "$other went on" "$o1" "$o0" || return 1
	check "the skipped checks are counted" \
	    [ "$(program_field .checks.skipped_dependency)" -gt 0 ] || return 1
	if [ "$kind" = service_checks ]; then
		passive 1 "still accepted" || return 1
		wait_for "a passive result while checks are off" 10 \
		    eval '[ "$(svc_field server trap-fed output)" = "still accepted" ]' || return 1
		last=$(svc_field server tick last_check)
		cmd "SCHEDULE_FORCED_SVC_CHECK;server;tick;$(date +%s)" >/dev/null || return 1
		wait_for "a forced check still runs" 10 \
		    eval '[ "$(svc_field server tick last_check)" -gt "$last" ]' || return 1
		s0=$(program_field ".checks.$kind")
	fi
	cmd "$on" >/dev/null || return 1
	check "$kind on again" switch_is "execute_$kind" true || return 1
	wait_for "$kind started again" 10 \
	    eval '[ "$(program_field ".checks.$kind")" -gt "$s0" ]'
}

case_kept_across_restart() {
	fifo "DISABLE_NOTIFICATIONS"
	fifo "STOP_EXECUTING_HOST_CHECKS"
	cmd "DISABLE_EVENT_HANDLERS" >/dev/null || return 1
	wait_for "three switches off" 10 eval 'switch_is enable_notifications false && switch_is execute_host_checks false' || return 1
	stop_pharosd || return 1
	check "the retention file holds the switches" \
	    jq -e '.program == {"enable_notifications": false, "execute_host_checks": false, "execute_service_checks": true, "enable_event_handlers": false}' "$RET" >/dev/null || return 1
	start_pharosd || return 1
	check "still off after the restart" eval '[ "$(status_json | jq -c "[.program.enable_notifications, .program.execute_host_checks, .program.execute_service_checks, .program.enable_event_handlers]")" = "[false,false,true,false]" ]' &&
	check "pharos status lists them" \
	    grep -q '^disabled: notifications, host checks, event handlers$' <<<"$(status_table)" || return 1
	cmd "ENABLE_NOTIFICATIONS" >/dev/null && cmd "START_EXECUTING_HOST_CHECKS" >/dev/null &&
	    cmd "ENABLE_EVENT_HANDLERS" >/dev/null || return 1
	check "all on again" eval '[ "$(status_json | jq -c "[.program.enable_notifications, .program.execute_host_checks, .program.execute_service_checks, .program.enable_event_handlers]")" = "[true,true,true,true]" ]'
}

case_bad_switch_refused() {
	local out bad0
	bad0=$(program_field .commands.fifo.bad_lines)
	fifo "DISABLE_NOTIFICATIONS;now"
	wait_for "the refusal counted" 10 eval '[ "$(program_field .commands.fifo.bad_lines)" = $((bad0 + 1)) ]' || return 1
	check "the refusal logged with its reason" \
	    grep -q "refused: DISABLE_NOTIFICATIONS takes no arguments, got 1" "$PHAROS_LOG" &&
	check "notifications still on" switch_is enable_notifications true || return 1
	out=$(cmd "STOP_EXECUTING_SVC_CHECKS;server" 2>&1)
	check "pharos cmd shows the reason" grep -q "takes no arguments" <<<"$out" &&
	check "service checks still on" switch_is execute_service_checks true
}

run_case defaults_shown case_defaults_shown
run_case notifications_off case_notifications_off
run_case event_handlers_off case_event_handlers_off
run_case service_checks_off case_checks_off service_checks host_checks
run_case host_checks_off case_checks_off host_checks service_checks
run_case kept_across_restart case_kept_across_restart
run_case bad_switch_refused case_bad_switch_refused
test_finish
