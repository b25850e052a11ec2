#!/bin/bash
# test_reachability: parent-host reachability end to end. The core router
# dies (its links stay up); it must go DOWN while everything behind it goes
# UNREACHABLE, never DOWN, not even SOFT; when the core comes back its
# children are checked at once and are UP long before their next regular
# check.
#
# Needs root (network namespaces), jq and nft. Slow: about 1-2 minutes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk
need_programs

# A long check_interval, so that "checked at once" and "checked at the next
# regular check" are far apart.
PHAROS_CHECK_INTERVAL=${PHAROS_CHECK_INTERVAL:-20s}
export PHAROS_CHECK_INTERVAL

test_setup
net_up
write_config
start_pharosd || exit 1

CHILDREN="dist1 dist2 server printer firewall"
CHILDREN_RE="dist1|dist2|server|printer|firewall"
D=$CHECK_DURATION

# Bounds in seconds, from the configuration (CI check_interval, RI
# retry_interval, MA max_check_attempts, D the duration of one check of a
# dead host, MARGIN for the spread of first checks and scheduling):
#   first checks all UP:      UP_BOUND = CI + D + MARGIN
#   failure detected, HARD, for a host `depth` parents deep:
#     DOWN_BOUND(depth) = CI + (MA-1)*RI + MA*D + MA*depth*D + MARGIN
#     (each attempt may wait for the parents' checks, D per level)
#   recovery of a host in a HARD problem state (checked every CI):
#     RECOVER_BOUND = CI + D + MARGIN
#   children UP after the core's recovery, checked at once, two levels
#   below the core: CHILD_BOUND = 2*D + 3; it must stay well under CI.
UP_BOUND=$(calc "$CI_S + $D + $MARGIN")
CORE_DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MARGIN")
CHILD_DOWN_BOUND=$(calc "$CI_S + ($MA - 1) * $RI_S + $MA * $D + $MA * 2 * $D + $MARGIN")
RECOVER_BOUND=$(calc "$CI_S + $D + $MARGIN")
CHILD_BOUND=$(calc "2 * $D + 3")
say "bounds: up ${UP_BOUND}s, core down ${CORE_DOWN_BOUND}s, children unreachable ${CHILD_DOWN_BOUND}s, recovery ${RECOVER_BOUND}s, children after core ${CHILD_BOUND}s"
if ! awk "BEGIN { exit !($CHILD_BOUND * 2 < $CI_S) }"; then
	echo "ERROR: check_interval ${CI_S}s is too short to tell 'at once' from 'next check'"
	exit 99
fi

all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

# Remembers any child seen DOWN while it waits.
SEEN_CHILD_DOWN=""
children_unreachable_hard() {
	local snap down
	snap=$(status_json | jq -r '.hosts[] | "\(.name) \(.state) \(.state_type)"') || return 1
	down=$(printf '%s\n' "$snap" | awk -v re="^($CHILDREN_RE)\$" '$1 ~ re && $2 == "DOWN" { print $1 "/" $3 }')
	[ -z "$down" ] || SEEN_CHILD_DOWN="$SEEN_CHILD_DOWN $down"
	hosts_are core-router=DOWN/HARD dist1=UNREACHABLE/HARD \
	    dist2=UNREACHABLE/HARD server=UNREACHABLE/HARD \
	    printer=UNREACHABLE/HARD firewall=UNREACHABLE/HARD
}

case_all_hosts_up() {
	wait_for "all six hosts UP (HARD)" "$UP_BOUND" all_up
}

T_FAIL=""
case_core_failure_core_down_hard() {
	net fail core || return 1
	T_FAIL=$(now)
	wait_for "core-router DOWN (HARD)" "$CORE_DOWN_BOUND" \
	    hosts_are core-router=DOWN/HARD || return 1
	check_eq "core-router current_attempt" \
	    "$(host_field core-router current_attempt)" "$MA"
}

case_core_failure_children_unreachable_hard() {
	wait_for "children of core-router UNREACHABLE (HARD)" \
	    "$(remaining "$T_FAIL" "$CHILD_DOWN_BOUND")" \
	    children_unreachable_hard || return 1
	check_eq "children seen DOWN in status while waiting" "${SEEN_CHILD_DOWN:-none}" none
}

case_core_failure_event_log() {
	local rc=0 h
	check_eq "HOST ALERT: core-router;DOWN;HARD lines" \
	    "$(log_count '\] HOST ALERT: core-router;DOWN;HARD;')" 1 || rc=1
	check_eq "HOST ALERT: <child>;DOWN; lines (children are never DOWN)" \
	    "$(log_count "\] HOST ALERT: ($CHILDREN_RE);DOWN;")" 0 || rc=1
	for h in $CHILDREN; do
		check_eq "HOST ALERT: $h;UNREACHABLE;HARD lines" \
		    "$(log_count "\] HOST ALERT: $h;UNREACHABLE;HARD;")" 1 || rc=1
	done
	return $rc
}

T_CORE_UP=""
case_core_recovery_core_up() {
	net recover core || return 1
	wait_for "core-router UP (HARD)" "$RECOVER_BOUND" \
	    hosts_are core-router=UP/HARD || return 1
	T_CORE_UP=$(now)
}

# The children were UNREACHABLE HARD, so their own next check is up to a
# whole check_interval away; only "checked at once" brings them back in time.
case_core_recovery_children_up_at_once() {
	local rc=0 t_core t h last=0
	wait_for "children UP (HARD) within ${CHILD_BOUND}s of the core's recovery" \
	    "$(remaining "$T_CORE_UP" "$CHILD_BOUND")" all_up || return 1
	say "children UP $(calc "$(now) - $T_CORE_UP")s after core-router UP was seen"
	t_core=$(log_last_epoch '\] HOST ALERT: core-router;UP;')
	check "core-router's recovery is in the event log" [ -n "$t_core" ] || return 1
	for h in $CHILDREN; do
		t=$(log_last_epoch "\] HOST ALERT: $h;UP;")
		check "$h's recovery is in the event log" [ -n "$t" ] || { rc=1; continue; }
		[ "$t" -gt "$last" ] && last=$t
	done
	[ $rc = 0 ] || return 1
	# Log stamps are whole seconds: allow one more.
	check_lt "seconds from core-router's UP alert to the last child's" \
	    "$((last - t_core))" "$(calc "$CHILD_BOUND + 1")"
}

case_event_log_whole_run() {
	local rc=0
	check_eq "HOST ALERT: core-router;DOWN;HARD lines over the whole run" \
	    "$(log_count '\] HOST ALERT: core-router;DOWN;HARD;')" 1 || rc=1
	check_eq "HOST ALERT: <child>;DOWN; lines over the whole run" \
	    "$(log_count "\] HOST ALERT: ($CHILDREN_RE);DOWN;")" 0 || rc=1
	return $rc
}

case_pharosd_stops_on_sigterm() {
	stop_pharosd
}

run_case all_hosts_up case_all_hosts_up
run_case core_failure_core_down_hard case_core_failure_core_down_hard
run_case core_failure_children_unreachable_hard case_core_failure_children_unreachable_hard
run_case core_failure_event_log case_core_failure_event_log
run_case core_recovery_core_up case_core_recovery_core_up
run_case core_recovery_children_up_at_once case_core_recovery_children_up_at_once
run_case event_log_whole_run case_event_log_whole_run
run_case pharosd_stops_on_sigterm case_pharosd_stops_on_sigterm
test_finish
