#!/bin/bash
# test_isolation: monitor isolation. The monitor's own uplink goes down
# inside its namespace (ip link set to-core down): pharosd learns it from a
# netlink event, pauses the checks of every host behind it and of their
# services, and raises one problem on itself ("Pharos health": monitor
# isolated from 6 hosts via to-core) instead of marking anything DOWN. For
# several check intervals, and across a reload, no host or service alert
# is logged. When the link and its routes come back, the hosts are checked
# at once: the health service recovers and every host is checked again
# well within one check interval.
#
# Needs root (network namespaces) and jq. About 55 s.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip jq awk
need_programs

PHAROS_AGENTS=0
PHAROS_CHECK_INTERVAL=${PHAROS_CHECK_INTERVAL:-8s}
export PHAROS_AGENTS PHAROS_CHECK_INTERVAL

test_setup
net_up
write_config
# A service behind the uplink too: its checks must pause as well.
cat >>"$TEST_DIR/network.cfg" <<'CFG'

define service {
	host_name            server
	service_description  PING
	check_command        icmp
	check_interval       2s
	retry_interval       1s
	max_check_attempts   1
}
CFG
start_pharosd || exit 1

HOSTS="core-router dist1 dist2 server printer firewall"
HEALTH_BAD='SERVICE ALERT: pharos;Pharos health;CRITICAL;HARD;[0-9]+;CRITICAL - monitor isolated from 6 hosts via to-core'
HEALTH_OK='SERVICE ALERT: pharos;Pharos health;OK;'
DOWN_RE='HOST ALERT: [^;]+;(DOWN|UNREACHABLE);|SERVICE ALERT: server;PING;(CRITICAL|WARNING|UNKNOWN);'

# net_stat PATH: a value of the stats op's "network" part.
net_stat() {
	"$PHAROS" -s "$PHAROS_SOCK" stats --json 2>/dev/null |
	    jq -r "(.data // .).network$1"
}

all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

ping_ok() {
	[ "$(status_json | jq -r '.services[] | select(.host == "server" and .description == "PING") | .state')" = OK ]
}

isolated_logged() {
	[ "$(log_count 'MONITOR ISOLATED: to-core;6 hosts;checks paused')" -ge 1 ] &&
	    [ "$(log_count "$HEALTH_BAD")" -ge 1 ]
}

# The hosts said reconnected (on-link ones may come back before the
# default route does, in a line of their own).
reconnected_hosts() {
	grep -E 'MONITOR RECONNECTED: to-core;[0-9]+ hosts;' "$PHAROS_LOG" 2>/dev/null |
	    awk -F';' '{ split($2, a, " "); n += a[1] } END { print n + 0 }'
}

reconnected_logged() {
	[ "$(reconnected_hosts)" = 6 ] && [ "$(log_count "$HEALTH_OK")" -ge 1 ]
}

# Every host's last check is at or after epoch t.
all_checked_since() {
	local t=$1 n
	n=$(status_json | jq --argjson t "$t" '[.hosts[] | select(.name != "pharos") | select((.last_check // 0) < $t)] | length')
	[ "$n" = 0 ]
}

case_all_up_first() {
	wait_for "every host UP and the PING service OK" \
	    "$(calc "$CI_S * 2 + $MARGIN")" eval 'all_up && ping_ok'
}

LINK_DOWN_AT=""
case_uplink_down_isolates() {
	local rc=0 t0
	say "ip link set to-core down (in $PHAROS_NS_PREFIX-mon)"
	ip netns exec "$PHAROS_NS_PREFIX-mon" ip link set to-core down || return 1
	LINK_DOWN_AT=$(now)
	t0=$(now)
	wait_for "the isolation logged and the health service CRITICAL" \
	    "$MARGIN" isolated_logged || rc=1
	# Several check intervals and every retry a DOWN would need.
	say "wait $(calc "$CI_S * 2 + 3 * $RI_S + 2") s with the link down"
	sleep "$(calc "$CI_S * 2 + 3 * $RI_S + 2")"
	check_eq "host DOWN/UNREACHABLE and service alerts while isolated" \
	    "$(log_count "$DOWN_RE")" 0 || rc=1
	check_eq "isolation alerts on the monitor" \
	    "$(log_count 'SERVICE ALERT: pharos;Pharos health;CRITICAL;')" 1 || rc=1
	check_eq "isolation lines" \
	    "$(log_count 'MONITOR ISOLATED:')" 1 || rc=1
	check "hosts keep their last state (UP)" all_up || rc=1
	check_eq "isolated hosts (pharos stats)" "$(net_stat .isolated_hosts)" 6 || rc=1
	check "the health service says why" \
	    grep -q "monitor isolated from 6 hosts via to-core" \
	    <<<"$(status_table)" || rc=1
	[ "$rc" = 0 ] || show_state
	say "link was down for $(calc "$(now) - $t0") s"
	return "$rc"
}

# A reload while isolated: the new engine's hosts stay paused.
case_reload_isolated() {
	local rc=0
	check "pharos reload" "$PHAROS" -s "$PHAROS_SOCK" reload || rc=1
	wait_for "the reload logged" "$MARGIN" eval \
	    '[ "$(log_count "Configuration reloaded")" -ge 1 ]' || return 1
	sleep "$(calc "$CI_S + 3 * $RI_S + 2")"
	check_eq "host and service alerts after the reload" \
	    "$(log_count "$DOWN_RE")" 0 || rc=1
	check_eq "still one isolation alert" \
	    "$(log_count 'SERVICE ALERT: pharos;Pharos health;CRITICAL;')" 1 || rc=1
	check_eq "isolated hosts (pharos stats)" "$(net_stat .isolated_hosts)" 6 || rc=1
	return "$rc"
}

case_uplink_up_recovers() {
	local rc=0 t0 t0_epoch bound
	t0=$(now)
	t0_epoch=${t0%.*}
	net linkup mon || return 1
	# Recovered within one check: long before the next regular check.
	bound=$(calc "$CI_S / 2 + $CHECK_DURATION")
	wait_for "reconnection logged and the health service OK" \
	    "$bound" reconnected_logged || rc=1
	wait_for "every host checked again since the link came back" \
	    "$bound" all_checked_since "$t0_epoch" || rc=1
	check "every host UP" all_up || rc=1
	check_eq "isolated hosts (pharos stats)" "$(net_stat .isolated_hosts)" 0 || rc=1
	check_gt "netlink events seen" "$(net_stat .netlink.events)" 0 || rc=1
	wait_for "the PING service checked again and OK" "$bound" ping_ok || rc=1
	check_eq "host DOWN/UNREACHABLE and service alerts, all along" \
	    "$(log_count "$DOWN_RE")" 0 || rc=1
	return "$rc"
}

case_still_up_later() {
	sleep "$(calc "$CI_S + $CHECK_DURATION")"
	check "every host still UP" all_up &&
	    check_eq "no host or service alerts" "$(log_count "$DOWN_RE")" 0 &&
	    check_eq "one isolation alert in all" \
	    "$(log_count 'SERVICE ALERT: pharos;Pharos health;CRITICAL;')" 1
}

run_case all_up_first case_all_up_first
run_case uplink_down_isolates_no_down_alerts case_uplink_down_isolates
run_case reload_while_isolated case_reload_isolated
run_case uplink_up_recovers_within_one_check case_uplink_up_recovers
run_case still_up_after_next_check case_still_up_later
test_finish
