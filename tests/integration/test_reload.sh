#!/bin/bash
# test_reload: configuration reload (SIGHUP and `pharos reload`) and the
# archive of configuration snapshots (`pharos config list|diff|revert`),
# against the test network and check_dummy services.
# - A service added to the configuration, then SIGHUP: it appears
#   (PENDING, then checked); the other hosts and services keep their state
#   and last check (none is PENDING again); an acknowledgement set before
#   survives; the command FIFO still works.
# - A configuration with an error and `pharos reload`: refused, the error
#   printed as file:line, exit 1; the old configuration still runs.
# - Two snapshots after that good reload; `pharos config diff` shows the
#   added service; `pharos config revert` restores the files and pharosd
#   runs the old set again.
# - 20 reloads in a row (SIGHUP and `pharos reload`): no descriptor
#   leaked, no crash, no snapshot added for an unchanged configuration.
# - A main-file key that needs a restart (icmp_max_rate): "restart
#   required" logged and answered, the rest reloaded.
#
# Needs root (network namespaces), jq and monitoring-plugins (check_dummy).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

engine_setup
SVC="$TEST_DIR/services.cfg"
ARCHIVE="$TEST_DIR/config-archive"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=services.cfg
resource_file=resource.cfg
command_file=$FIFO
EOF
printf '$USER1$=/usr/lib/nagios/plugins\n' >"$TEST_DIR/resource.cfg"
cat >"$SVC" <<'EOF'
define command {
	command_name  check_dummy
	command_line  $USER1$/check_dummy $ARG1$ "$ARG2$"
}
define service {
	host_name            server
	service_description  disk
	check_command        check_dummy!2!disk full
	check_interval       60
	retry_interval       1
	max_check_attempts   1
}
define service {
	host_name            server
	service_description  web
	check_command        check_dummy!0!web fine
	check_interval       60
	max_check_attempts   1
}
EOF
cp "$SVC" "$TEST_DIR/services.orig"
chown -R nobody:nogroup "$TEST_DIR"

fifo() { printf '[%s] %s\n' "$(date +%s)" "$1" >"$FIFO"; }
nservices() { status_json | jq '.services | length'; }
# The objects (hosts and services) that have a state, one per line.
checked() { status_json | jq -r '.hosts[], .services[] | select(.state != "PENDING") | "\(.name // .host);\(.description // "")"' | sort; }
# How many of the objects listed in file $1 are PENDING now.
pending_again() { checked | comm -23 "$1" - | wc -l; }
# Data rows of `pharos config list`.
nsnapshots() { "$PHAROS" -c "$TEST_DIR/pharos.cfg" config list | grep -c '^[0-9]\{8\}-'; }
reloads() { program_field .config.reloads; }
# The least of a few counts of pharosd's descriptors (plugins come and go).
nfds() {
	local i n min=100000
	for i in 1 2 3 4 5; do
		n=$(find "/proc/$PHAROSD_PID/fd" -mindepth 1 2>/dev/null | wc -l)
		[ "$n" -lt "$min" ] && min=$n
		sleep 0.1
	done
	echo "$min"
}

S1=""
# disk and web are checked every 60 s: forced once at start, they are not
# checked again during this case unless the reload does it.
case_sighup_adds_a_service_and_keeps_state() {
	local disk_last web_last web_next core_last n0 r0
	start_pharosd || return 1
	"$PHAROS" -s "$PHAROS_SOCK" cmd "SCHEDULE_FORCED_SVC_CHECK;server;disk;$(date +%s)" &&
	"$PHAROS" -s "$PHAROS_SOCK" cmd "SCHEDULE_FORCED_SVC_CHECK;server;web;$(date +%s)" || return 1
	wait_for "disk CRITICAL, web OK, network UP" 20 eval \
	    '[ "$(svc_field server disk state)/$(svc_field server web state)" = CRITICAL/OK ] &&
	     hosts_are core-router=UP dist1=UP dist2=UP server=UP printer=UP firewall=UP' || return 1
	S1=$(program_field .config.snapshot)
	check "a snapshot of the start configuration" test -n "$S1" -a "$S1" != null || return 1
	"$PHAROS" -s "$PHAROS_SOCK" cmd "ACKNOWLEDGE_SVC_PROBLEM;server;disk;2;0;1;ops;new disk ordered" || return 1
	disk_last=$(svc_field server disk last_check)
	web_last=$(svc_field server web last_check)
	web_next=$(svc_field server web next_check)
	core_last=$(host_field core-router last_check)
	checked >"$TEST_DIR/checked.before"
	n0=$(nservices)
	r0=$(reloads)
	cat >>"$SVC" <<'EOF'
define service {
	host_name            server
	service_description  ntp
	check_command        check_dummy!1!ntp drift
	check_interval       2
	max_check_attempts   1
}
EOF
	say "SIGHUP to $PHAROSD_PID"
	kill -HUP "$PHAROSD_PID"
	wait_for "the reload" 10 eval '[ "$(reloads)" = $((r0 + 1)) ]' || return 1
	check "Caught SIGHUP logged" grep -q "Caught SIGHUP, restarting..." "$PHAROS_LOG" &&
	check "reloaded logged" grep -q "Configuration reloaded: [0-9]* hosts, $((n0 + 1)) services" "$PHAROS_LOG" &&
	check_eq "services" "$(nservices)" $((n0 + 1)) &&
	check "ntp exists" test -n "$(svc_field server ntp state)" &&
	check_eq "objects PENDING again" "$(pending_again "$TEST_DIR/checked.before")" 0 &&
	check_eq "disk still CRITICAL" "$(svc_field server disk state)" CRITICAL &&
	check_eq "disk still acknowledged" "$(svc_field server disk acknowledged)" true &&
	check_eq "disk last check kept" "$(svc_field server disk last_check)" "$disk_last" &&
	check_eq "web last check kept" "$(svc_field server web last_check)" "$web_last" &&
	check "web next check kept ($web_next)" test $(($(svc_field server web next_check) - web_next)) -le 1 -a $(($(svc_field server web next_check) - web_next)) -ge -1 &&
	check "core-router last check kept" test "$(host_field core-router last_check)" -ge "$core_last" || return 1
	wait_for "ntp checked: WARNING" 10 eval '[ "$(svc_field server ntp state)" = WARNING ]' || return 1
	fifo "ADD_SVC_COMMENT;server;ntp;1;ops;after the reload"
	wait_for "the FIFO still works" 10 eval '[ "$(status_json | jq "[.annotations.comments[] | select(.service == \"ntp\")] | length")" = 1 ]'
}

case_reload_with_an_error_is_refused() {
	local out rc n0 line r0
	n0=$(nservices)
	r0=$(reloads)
	cp "$SVC" "$TEST_DIR/services.good"
	printf 'define service {\n\thost_name server\n\tservice_description broken\n\tcheck_command no_such_command\n\tmax_check_attempts 1\n}\n' >>"$SVC"
	line=$(grep -n 'service_description broken' "$SVC" | cut -d: -f1)
	out=$("$PHAROS" -s "$PHAROS_SOCK" reload 2>&1)
	rc=$?
	echo "$out" | sed 's/^/  | /'
	cp "$TEST_DIR/services.good" "$SVC"
	check_eq "pharos reload exit status" "$rc" 1 &&
	check "refused" grep -q "reload refused" <<<"$out" &&
	check "the error with its file" grep -q "$SVC:[0-9]*: error: .*no_such_command" <<<"$out" &&
	check "the error at its definition (line $((line - 2)))" grep -qE "$SVC:($((line - 2))|$((line - 1))|$line|$((line + 1))): error" <<<"$out" &&
	check "failure logged" grep -q "Error: Configuration reload failed" "$PHAROS_LOG" &&
	check "pharosd still runs" proc_running "$PHAROSD_PID" &&
	check_eq "services unchanged" "$(nservices)" "$n0" &&
	check_eq "no reload counted" "$(reloads)" "$r0" &&
	check_eq "failure counted" "$(program_field .config.reload_failures)" 1 &&
	check_eq "ntp still checked" "$(svc_field server ntp state)" WARNING
}

case_snapshots_list_diff_revert() {
	local list diff out n0 S2
	list=$("$PHAROS" -c "$TEST_DIR/pharos.cfg" config list)
	echo "$list" | sed 's/^/  | /'
	S2=$(program_field .config.snapshot)
	check_eq "two snapshots" "$(nsnapshots)" 2 &&
	check "the first is the start one" grep -q "^$S1 " <<<"$list" &&
	check "the second runs" grep -qE "^$S2 .*\*\$" <<<"$list" &&
	check "files counted (main, resource, two object files)" grep -qE "^$S2 +[^ ]+ +4 " <<<"$list" || return 1
	diff=$("$PHAROS" -c "$TEST_DIR/pharos.cfg" config diff "$S1")
	echo "$diff" | sed 's/^/  | /'
	check "diff shows the added service" grep -q '^+.*service_description  *ntp' <<<"$diff" &&
	check "diff names the file" grep -q "files/services.cfg" <<<"$diff" || return 1
	n0=$(nservices)
	out=$("$PHAROS" -c "$TEST_DIR/pharos.cfg" config revert "${S1:0:17}" 2>&1)
	check_eq "revert exit status" "$?" 0 || { echo "$out"; return 1; }
	echo "$out" | sed 's/^/  | /'
	check "files restored" cmp -s "$SVC" "$TEST_DIR/services.orig" &&
	check "reloaded" grep -q "pharosd reloaded its configuration" <<<"$out" &&
	check_eq "one service less" "$(nservices)" $((n0 - 1)) &&
	check "ntp gone" test -z "$(svc_field server ntp state)" &&
	check_eq "disk still acknowledged" "$(svc_field server disk acknowledged)" true &&
	check_eq "ntp's comment dropped" "$(status_json | jq '[.annotations.comments[] | select(.service == "ntp")] | length')" 0 &&
	check_eq "a third snapshot, as the first" "$(program_field .config.snapshot | cut -d- -f3)" "$(cut -d- -f3 <<<"$S1")" &&
	check_eq "three snapshots" "$(nsnapshots)" 3
}

case_twenty_reloads_leak_nothing() {
	local fd0 fd1 r0 s0 i
	fd0=$(nfds)
	r0=$(reloads)
	s0=$(nsnapshots)
	checked >"$TEST_DIR/checked.before"
	say "descriptors before: $fd0"
	for i in $(seq 1 20); do
		if [ $((i % 2)) = 0 ]; then
			"$PHAROS" -s "$PHAROS_SOCK" reload >/dev/null || { echo "reload $i failed"; return 1; }
		else
			kill -HUP "$PHAROSD_PID"
			wait_for "reload $i" 10 eval '[ "$(reloads)" = $((r0 + i)) ]' >/dev/null || return 1
		fi
	done
	sleep 1
	fd1=$(nfds)
	say "descriptors after: $fd1"
	check "pharosd still runs" proc_running "$PHAROSD_PID" &&
	check_eq "20 reloads counted" "$(reloads)" $((r0 + 20)) &&
	check "no descriptor leaked ($fd0 -> $fd1)" test "$fd1" -le $((fd0 + 2)) &&
	check_eq "no snapshot for an unchanged configuration" "$(nsnapshots)" "$s0" &&
	check_eq "objects PENDING again" "$(pending_again "$TEST_DIR/checked.before")" 0 &&
	check "the query socket answers" "$PHAROS" -s "$PHAROS_SOCK" status >/dev/null
}

case_restart_keys_keep_running_value() {
	local out
	echo "icmp_max_rate=500" >>"$TEST_DIR/pharos.cfg"
	out=$("$PHAROS" -s "$PHAROS_SOCK" reload 2>&1)
	check_eq "reload exit status" "$?" 0 || { echo "$out"; return 1; }
	echo "$out" | sed 's/^/  | /'
	check "answered" grep -q "warning: restart required for icmp_max_rate" <<<"$out" &&
	check "logged" grep -q "Warning: restart required for icmp_max_rate" "$PHAROS_LOG" &&
	check "the network is still UP" hosts_are core-router=UP dist1=UP dist2=UP server=UP printer=UP firewall=UP &&
	stop_pharosd
}

run_case sighup_adds_a_service_and_keeps_state case_sighup_adds_a_service_and_keeps_state
run_case reload_with_an_error_is_refused case_reload_with_an_error_is_refused
run_case snapshots_list_diff_revert case_snapshots_list_diff_revert
run_case twenty_reloads_leak_nothing case_twenty_reloads_leak_nothing
run_case restart_keys_keep_running_value case_restart_keys_keep_running_value
test_finish
