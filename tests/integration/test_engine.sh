#!/bin/bash
# test_engine: the Nagios engine features around check results, against
# the test network and real plugins.
# - External commands through the command FIFO (as Nagios users write
#   them) and `pharos cmd`: logged as EXTERNAL COMMAND; bad ones (an
#   unsupported CHANGE_* command, an unknown host, a NUL) refused, logged
#   and counted, never joined to the next line.
# - Passive results (PROCESS_SERVICE_CHECK_RESULT) change a service's state.
# - An acknowledgement shows in the status and sends an ACKNOWLEDGEMENT
#   notification; it survives a SIGKILL of pharosd right after it was
#   answered, and a restart (retention).
# - A fixed downtime starts and is cancelled, with Nagios' log lines.
# - Notifications: when the core router dies, exactly one HOST
#   NOTIFICATION (the router's), none for the five hosts behind it.
# - Event handlers (the service's own, the global host one) run on state
#   changes with the object's macros; a passive service with
#   check_freshness gets an active check when its result is stale.
# - An execution dependency on a CRITICAL service skips the dependent's
#   checks.
# - The monitor is a host of its own ("pharos", service "Pharos health"):
#   a plugin that cannot be started makes the health WARNING.
# - A corrupt retention file stops the start; pharosd -M moves it aside.
#
# Needs root (network namespaces), jq and monitoring-plugins (check_dummy).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

engine_setup
NOTES="$TEST_DIR/notes"
RET="$TEST_DIR/retention.json"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=engine.cfg
resource_file=resource.cfg
command_file=$FIFO
state_retention_file=$RET
global_host_event_handler=handler-file
EOF
printf '$USER1$=/usr/lib/nagios/plugins\n$USER2$=%s\n' "$TEST_DIR" \
    >"$TEST_DIR/resource.cfg"
# Every host of the network notifies the contact "ops".
sed -i '/^\tname  *device$/a\	contacts            ops\n	notification_interval 0' \
    "$TEST_DIR/network.cfg"
cat >"$TEST_DIR/engine.cfg" <<'EOF'
define command {
	command_name  notify-host-file
	command_line  /usr/bin/printf "%s\;%s\;\;%s\;%s\n" "$NOTIFICATIONTYPE$" "$HOSTNAME$" "$HOSTSTATE$" "$NOTIFICATIONCOMMENT$" >> $USER2$/notes
}
define command {
	command_name  notify-service-file
	command_line  /usr/bin/printf "%s\;%s\;%s\;%s\;%s\n" "$NOTIFICATIONTYPE$" "$HOSTNAME$" "$SERVICEDESC$" "$SERVICESTATE$" "$NOTIFICATIONCOMMENT$" >> $USER2$/notes
}
define command {
	command_name  check_dummy
	command_line  $USER1$/check_dummy $ARG1$ "$ARG2$"
}
define command {
	command_name  handler-file
	command_line  /usr/bin/printf "%s\;%s\;%s\;%s\;%s\n" "$HOSTNAME$" "$SERVICEDESC$" "$SERVICESTATE$$HOSTSTATE$" "$SERVICESTATETYPE$" "$SERVICEATTEMPT$" >> $USER2$/events
}
define contact {
	contact_name                   ops
	host_notification_commands     notify-host-file
	service_notification_commands  notify-service-file
}
define service {
	host_name            server
	service_description  disk
	check_command        check_dummy!2!disk full
	check_interval       2
	retry_interval       1
	max_check_attempts   1
	contacts             ops
	event_handler        handler-file
}
define service {
	host_name            server
	service_description  web
	check_command        check_dummy!0!web ok
	check_interval       2
	max_check_attempts   1
}
define servicedependency {
	host_name                      server
	service_description            disk
	dependent_host_name            server
	dependent_service_description  web
	execution_failure_criteria     c
	notification_failure_criteria  c
}
define service {
	host_name            server
	service_description  missing plugin
	check_command        missing
	check_interval       2
	max_check_attempts   1
}
define command {
	command_name  missing
	command_line  $USER1$/check_does_not_exist
}
define service {
	host_name            server
	service_description  backup
	check_command        check_dummy!0!active result
	check_interval       0
	max_check_attempts   1
	contacts             ops
	check_freshness      1
	freshness_threshold  4
}
EOF
chown -R nobody:nogroup "$TEST_DIR"

fifo() { printf '[%s] %s\n' "$(date +%s)" "$1" >"$FIFO"; }

case_fifo_and_cmd() {
	start_pharosd || return 1
	wait_for "the command FIFO" 10 test -p "$FIFO" || return 1
	fifo "ADD_HOST_COMMENT;core-router;1;ops;fiber work tonight"
	wait_for "the comment" 10 eval '[ "$(status_json | jq ".annotations.comments | length")" = 1 ]' || return 1
	check "EXTERNAL COMMAND logged" grep -q "EXTERNAL COMMAND: ADD_HOST_COMMENT;core-router;1;ops;fiber work tonight" "$PHAROS_LOG" &&
	check "pharos cmd answers" "$PHAROS" -s "$PHAROS_SOCK" cmd "DEL_HOST_COMMENT;1" &&
	check_eq "comments after delete" "$(status_json | jq '.annotations.comments | length')" 0
}

case_bad_commands_refused() {
	local out
	fifo "CHANGE_HOST_CHECK_COMMAND;core-router;check_dummy"
	fifo "ADD_HOST_COMMENT;no-such-host;1;ops;x"
	printf '[%s] ADD_HOST_COMMENT;core-router;1;ops;a\0b\n' "$(date +%s)" >"$FIFO"
	wait_for "three refusals" 10 eval '[ "$(program_field .commands.fifo.bad_lines)" = 3 ]' || return 1
	check "unsupported command logged" grep -q "refused: unknown or unsupported command 'CHANGE_HOST_CHECK_COMMAND'" "$PHAROS_LOG" &&
	check "unknown host logged" grep -q "refused: unknown host 'no-such-host'" "$PHAROS_LOG" &&
	check_eq "no comment was added" "$(status_json | jq '.annotations.comments | length')" 0 || return 1
	out=$("$PHAROS" -s "$PHAROS_SOCK" cmd "ACKNOWLEDGE_HOST_PROBLEM;nope;1;1;1;ops;x" 2>&1)
	check "pharos cmd shows the reason" grep -q "unknown host 'nope'" <<<"$out"
}

case_passive_result() {
	"$PHAROS" -s "$PHAROS_SOCK" cmd "PROCESS_SERVICE_CHECK_RESULT;server;backup;2;backup failed|age=90000s" || return 1
	wait_for "backup CRITICAL" 5 eval '[ "$(svc_field server backup state)" = CRITICAL ]' &&
	check_eq "passive output" "$(svc_field server backup output)" "backup failed" &&
	check_eq "passive perfdata" "$(svc_field server backup perfdata)" "age=90000s"
}

case_problem_notified_then_acked() {
	wait_for "disk CRITICAL HARD" 15 eval '[ "$(svc_field server disk state)/$(svc_field server disk state_type)" = CRITICAL/HARD ]' || return 1
	wait_for "a PROBLEM notification for disk" 10 grep -q "^PROBLEM;server;disk;CRITICAL" "$NOTES" || return 1
	"$PHAROS" -s "$PHAROS_SOCK" cmd "ACKNOWLEDGE_SVC_PROBLEM;server;disk;2;1;1;ops;replacing the disk" || return 1
	# SIGKILL at once: the ack was made durable before the answer.
	kill -KILL "$PHAROSD_PID"
	wait "$PHAROSD_PID" 2>/dev/null
	PHAROSD_PID=""
	check "ACKNOWLEDGEMENT notification" grep -q "^ACKNOWLEDGEMENT;server;disk;CRITICAL;replacing the disk" "$NOTES"
}

case_ack_survives_sigkill() {
	rm -f "$PHAROS_SOCK"
	start_pharosd || return 1
	check_eq "disk acknowledged after restart" "$(svc_field server disk acknowledged)" true &&
	check_eq "ack is sticky" "$(svc_field server disk acknowledgement.type)" sticky &&
	check_eq "the ack comment is kept" "$(status_json | jq '[.annotations.comments[] | select(.type == 4)] | length')" 1
}

case_event_handlers() {
	wait_for "the disk handler ran" 10 grep -q "^server;disk;CRITICAL[A-Z]*;HARD;1" "$TEST_DIR/events" || return 1
	check "SERVICE EVENT HANDLER logged" grep -q "SERVICE EVENT HANDLER: server;disk;CRITICAL;HARD;1;handler-file" "$PHAROS_LOG"
}

# backup is passive (check_interval 0) with a 4 s freshness threshold: a
# stale result forces an active check, whose output replaces it.
case_freshness_forces_a_check() {
	wait_for "stale result forced a check" 25 \
	    eval '[ "$(svc_field server backup output)" = "OK: active result" ]' || return 1
	check "stale warning logged" grep -q "The results of service 'backup' on host 'server' are stale by" "$PHAROS_LOG"
}

# The monitor is a host of its own: "pharos" with "Pharos health". A
# plugin that cannot be started makes the health WARNING.
case_monitor_host() {
	"$PHAROS" -s "$PHAROS_SOCK" cmd "SCHEDULE_FORCED_HOST_CHECK;pharos;0" || return 1
	wait_for "the monitor's host UP" 10 eval '[ "$(host_field pharos state)" = UP ]' || return 1
	"$PHAROS" -s "$PHAROS_SOCK" cmd "SCHEDULE_FORCED_SVC_CHECK;pharos;Pharos health;0" || return 1
	wait_for "health WARNING" 10 eval '[ "$(svc_field pharos "Pharos health" state)" = WARNING ]' || return 1
	check "the reason" eval 'svc_field pharos "Pharos health" output | grep -q "could not be started"'
}

# web depends on disk (execution_failure_criteria c): disk is CRITICAL,
# so web's checks are skipped.
case_execution_dependency() {
	wait_for "skipped checks" 10 eval '[ "$(program_field .checks.skipped_dependency)" -gt 0 ]' || return 1
	check_eq "web never checked" "$(svc_field server web has_been_checked)" false
}

case_downtime() {
	local now end id
	now=$(date +%s); end=$((now + 600))
	"$PHAROS" -s "$PHAROS_SOCK" cmd "SCHEDULE_HOST_DOWNTIME;printer;$now;$end;1;0;600;ops;toner swap" || return 1
	wait_for "downtime started" 5 grep -q "HOST DOWNTIME ALERT: printer;STARTED;" "$PHAROS_LOG" || return 1
	check_eq "printer downtime depth" "$(host_field printer scheduled_downtime_depth)" 1 || return 1
	wait_for "DOWNTIMESTART notification" 5 grep -q "^DOWNTIMESTART;printer;;" "$NOTES" || return 1
	"$PHAROS" -s "$PHAROS_SOCK" cmd "DEL_HOST_DOWNTIME;1" || return 1
	check "downtime cancelled" grep -q "HOST DOWNTIME ALERT: printer;CANCELLED;" "$PHAROS_LOG" &&
	check_eq "printer downtime depth" "$(host_field printer scheduled_downtime_depth)" 0 || return 1
	# dist1 and the hosts behind it: the children's downtimes are
	# triggered by dist1's and go with it.
	"$PHAROS" -s "$PHAROS_SOCK" cmd "SCHEDULE_AND_PROPAGATE_TRIGGERED_HOST_DOWNTIME;dist1;$now;$end;1;0;600;ops;switch upgrade" || return 1
	wait_for "children in downtime" 5 eval '[ "$(host_field server scheduled_downtime_depth)" = 1 ]' || return 1
	check_eq "dist1 downtime depth" "$(host_field dist1 scheduled_downtime_depth)" 1 &&
	check_eq "printer downtime depth" "$(host_field printer scheduled_downtime_depth)" 1 || return 1
	id=$(status_json | jq '[.annotations.downtimes[] | select(.host == "dist1")][0].id')
	"$PHAROS" -s "$PHAROS_SOCK" cmd "DEL_HOST_DOWNTIME;$id" || return 1
	check_eq "server downtime depth after deleting dist1's" "$(host_field server scheduled_downtime_depth)" 0 &&
	check_eq "downtimes left" "$(status_json | jq '.annotations.downtimes | length')" 0
}

case_router_failure_one_notification() {
	local n
	net fail core
	wait_for "children UNREACHABLE" 30 hosts_are core-router=DOWN/HARD dist1=UNREACHABLE/HARD dist2=UNREACHABLE/HARD || { net recover core; return 1; }
	sleep 2
	n=$(grep -c ";core-router;;DOWN;\|;dist1;;\|;dist2;;\|;server;;\|;printer;;\|;firewall;;" "$NOTES")
	check_eq "host notifications" "$(grep -c '^PROBLEM;[^;]*;;' "$NOTES")" 1 &&
	check "the one is the router's" grep -q "^PROBLEM;core-router;;DOWN" "$NOTES" || { net recover core; return 1; }
	# A restart while the router is still down: the retained problem was
	# notified already, no new notification (no storm after a restart).
	stop_pharosd && rm -f "$PHAROS_SOCK" && start_pharosd || { net recover core; return 1; }
	wait_for "core-router checked again" 20 eval '[ "$(host_field core-router state)/$(host_field core-router state_type)" = DOWN/HARD ]' &&
	sleep 2 &&
	check_eq "host notifications after the restart" "$(grep -c '^PROBLEM;[^;]*;;' "$NOTES")" 1
	net recover core
	wait_for "recovery" 30 hosts_are core-router=UP/HARD dist1=UP/HARD &&
	wait_for "RECOVERY notification" 10 grep -q "^RECOVERY;core-router;;UP" "$NOTES" &&
	check "GLOBAL HOST EVENT HANDLER ran for the router" grep -q "GLOBAL HOST EVENT HANDLER: core-router;DOWN;" "$PHAROS_LOG" &&
	check "its command wrote" grep -q "^core-router;;DOWN;" "$TEST_DIR/events"
	: "$n"
}

case_corrupt_retention() {
	stop_pharosd || return 1
	printf '{"version": 1, "hosts": [' >"$RET"
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$PHAROSD" "$TEST_DIR/pharos.cfg" \
	    >"$TEST_DIR/corrupt.out" 2>&1
	check_eq "start refused" "$?" 1 &&
	check "the reason names the file" grep -q "retention" "$TEST_DIR/corrupt.out" &&
	check "the file is kept" test -s "$RET" || return 1
	rm -f "$PHAROS_SOCK"
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$PHAROSD" -M "$TEST_DIR/pharos.cfg" \
	    >"$TEST_DIR/pharosd.out" 2>&1 &
	PHAROSD_PID=$!
	wait_for "pharosd -M running" 10 eval 'status_json >/dev/null 2>&1' &&
	check "moved aside" eval 'ls "$RET".corrupt-* >/dev/null 2>&1'
}

run_case fifo_and_cmd case_fifo_and_cmd
run_case bad_commands_refused case_bad_commands_refused
run_case passive_result case_passive_result
run_case problem_notified_then_acked case_problem_notified_then_acked
run_case ack_survives_sigkill case_ack_survives_sigkill
run_case event_handlers case_event_handlers
run_case freshness_forces_a_check case_freshness_forces_a_check
run_case execution_dependency case_execution_dependency
run_case monitor_host case_monitor_host
run_case downtime case_downtime
run_case router_failure_one_notification case_router_failure_one_notification
run_case corrupt_retention case_corrupt_retention
test_finish
