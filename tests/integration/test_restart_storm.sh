#!/bin/bash
# test_restart_storm: 1,000 hosts go DOWN and each is notified once; pharosd
# is restarted while they are still down and sends no notification at all
# (the retained problems were notified already), then each recovery is
# notified once. The hosts all probe the firewall's address, dropped by
# its nftables rule while it "fails".
#
# Needs root (network namespaces) and jq.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq
need_programs

N=${PHAROS_STORM_HOSTS:-1000}
test_setup
export PHAROS_AGENTS=0
net_up
write_config
NOTES="$TEST_DIR/notes"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=storm.cfg
resource_file=resource.cfg
state_retention_file=$TEST_DIR/retention.json
icmp_max_rate=5000
EOF
printf '$USER2$=%s\n' "$TEST_DIR" >"$TEST_DIR/resource.cfg"
FW=$(netns_addr fw)
{
	cat <<'EOF'
define command {
	command_name  note
	command_line  /usr/bin/printf "%s\;%s\n" "$NOTIFICATIONTYPE$" "$HOSTNAME$" >> $USER2$/notes
}
define contact {
	contact_name                   ops
	host_notification_commands     note
	service_notification_commands  note
}
define host {
	name                 storm
	check_command        icmp!200,40%!500,80%!1
	check_interval       5s
	retry_interval       1s
	max_check_attempts   2
	notification_interval 0
	contacts             ops
	register             0
}
EOF
	for i in $(seq 1 "$N"); do
		printf 'define host {\n\tuse storm\n\thost_name h%d\n\taddress %s\n}\n' "$i" "$FW"
	done
} >"$TEST_DIR/storm.cfg"
chown -R nobody:nogroup "$TEST_DIR"

count() { grep -c "^$1;h[0-9]" "$NOTES" 2>/dev/null || echo 0; }
down_hard() {
	[ "$(status_json | jq '[.hosts[] | select((.name | startswith("h")) and .state == "DOWN" and .state_type == "HARD")] | length')" = "$N" ]
}
up_all() {
	[ "$(status_json | jq '[.hosts[] | select((.name | startswith("h")) and .state == "UP")] | length')" = "$N" ]
}

case_all_down_notified_once() {
	start_pharosd || return 1
	wait_for "all $N hosts UP" 30 up_all || return 1
	net fail fw
	wait_for "all $N hosts DOWN HARD" 60 down_hard || return 1
	wait_for "$N PROBLEM notifications" 30 eval '[ "$(count PROBLEM)" -ge "$N" ]' || return 1
	sleep 3
	check_eq "PROBLEM notifications" "$(count PROBLEM)" "$N" &&
	check_eq "hosts notified twice" "$(grep "^PROBLEM;" "$NOTES" | sort | uniq -d | wc -l)" 0
}

case_restart_sends_nothing() {
	stop_pharosd || return 1
	rm -f "$PHAROS_SOCK"
	start_pharosd || return 1
	wait_for "every host checked again" 30 eval '[ "$(program_field .checks.host_checks)" -ge "$N" ]' || return 1
	sleep 3 # notification commands run after the results
	check "still DOWN HARD" down_hard &&
	check_eq "PROBLEM notifications after the restart" "$(count PROBLEM)" "$N"
}

case_recoveries_notified_once() {
	net recover fw
	wait_for "all $N hosts UP" 60 up_all || return 1
	wait_for "$N RECOVERY notifications" 30 eval '[ "$(count RECOVERY)" -ge "$N" ]' || return 1
	sleep 2
	check_eq "RECOVERY notifications" "$(count RECOVERY)" "$N"
}

run_case all_down_notified_once case_all_down_notified_once
run_case restart_sends_nothing case_restart_sends_nothing
run_case recoveries_notified_once case_recoveries_notified_once
test_finish
