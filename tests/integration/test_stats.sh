#!/bin/bash
# test_stats: `pharos stats` against a running pharosd on the test network
# (docs/stats.md).
# - After two rounds of checks it prints every nagiostats-like section.
# - Its JSON is consistent: counts never negative, windows nested
#   (1 <= 5 <= 15 min <= total), min <= avg <= max, one latency per active
#   check, and the totals and states agree with `pharos status --json`
#   (finished checks never more than the scheduler started).
# - A passive result (PROCESS_SERVICE_CHECK_RESULT) is counted as passive,
#   with no latency.
# - The text shows the same numbers as the JSON.
# No timing thresholds: latencies and execution times are only checked to
# be present and non-negative.
#
# Needs root (network namespaces) and jq.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq
need_programs

test_setup
export PHAROS_AGENTS=0
export PHAROS_CHECK_INTERVAL=2s PHAROS_RETRY_INTERVAL=1s PHAROS_MAX_ATTEMPTS=2
net_up
write_config
echo "cfg_file=stats.cfg" >>"$TEST_DIR/pharos.cfg"
cat >"$TEST_DIR/stats.cfg" <<'EOF'
define service {
	host_name              server
	service_description    ping
	check_command          icmp
	check_interval         2
	retry_interval         1
	max_check_attempts     1
}
define service {
	host_name              server
	service_description    backup
	check_command          icmp
	active_checks_enabled  0
	max_check_attempts     1
}
EOF
chown -R nobody:nogroup "$TEST_DIR"

stats_json() {
	"$PHAROS" -s "$PHAROS_SOCK" stats --json 2>/dev/null | jq -c .
}

# jq -e, quiet: true when the filter's last output is neither false nor null.
jqe() {
	jq -e "$@" >/dev/null
}

stats_field() { # JQ_PATH
	stats_json | jq -r "$1"
}

# True once there were at least two active checks per host (the six of
# the network, and any host pharosd adds, such as the monitor's own).
two_rounds() {
	local n hosts
	hosts=$(program_field .hosts)
	n=$(stats_field .hosts.active_checks.total) || return 1
	is_number "$n" && is_number "$hosts" && [ "$n" -ge $((2 * hosts)) ]
}

# One stats snapshot (STATS) and one status snapshot (STATUS) taken
# between two stats snapshots whose states agree, so that the objects did
# not change between them (a host's first check, say). 20 tries at most.
snapshots() {
	local a b key='[.hosts.states, .hosts.checked, .services.states, .services.checked]'
	for _ in $(seq 1 20); do
		a=$(stats_json) && STATUS=$(status_json) && b=$(stats_json) || return 1
		if [ "$(jq -c "$key" <<<"$a")" = "$(jq -c "$key" <<<"$b")" ]; then
			STATS=$a
			return 0
		fi
		sleep 0.2
	done
	echo "  the objects kept changing between snapshots"
	return 1
}

case_sections() {
	local out label rc=0
	start_pharosd || return 1
	if ! out=$("$PHAROS" -s "$PHAROS_SOCK" stats 2>&1); then
		echo "  FAILED: pharos stats: $out"
		case "$out" in
		*"unknown op"*) echo "  (the daemon does not answer the op 'stats' yet: see docs/stats.md)" ;;
		esac
		return 1
	fi
	wait_for "all hosts UP" "$(calc "$CI_S + $CHECK_DURATION + $MARGIN")" \
	    hosts_are core-router=UP dist1=UP dist2=UP server=UP printer=UP firewall=UP || return 1
	wait_for "two rounds of host checks" \
	    "$(calc "2 * $CI_S + 2 * $CHECK_DURATION + $MARGIN")" two_rounds || return 1
	out=$("$PHAROS" -s "$PHAROS_SOCK" stats 2>&1) || { echo "$out"; return 1; }
	echo "$out" | sed 's/^/    | /'
	for label in "Program Running Time" "Total Services" "Services Checked" \
	    "Services Scheduled" "Services Actively Checked" \
	    "Services Passively Checked" "Active Service Latency" \
	    "Active Service Execution Time" "Active Services Last 1/5/15/60 min" \
	    "Services Ok/Warn/Unk/Crit" "Total Hosts" "Hosts Checked" \
	    "Hosts Scheduled" "Active Host Latency" "Active Host Execution Time" \
	    "Active Hosts Last 1/5/15/60 min" "Hosts Up/Down/Unreach" \
	    "Active Host Checks Last 1/5/15 min" \
	    "Passive Host Checks Last 1/5/15 min" \
	    "Active Service Checks Last 1/5/15 min" \
	    "Passive Service Checks Last 1/5/15 min"; do
		check "section '$label'" grep -qF -- "$label:" <<<"$out" || rc=1
	done
	check "no missing value" not grep -qE ' -( |$)' <<<"$out" || rc=1
	return $rc
}

# Every number of the JSON is >= 0; windows nest; min <= avg <= max.
json_sane() {
	local j=$1 kind
	check "no negative number" jqe '[.. | numbers | select(. < 0)] | length == 0' <<<"$j" || return 1
	for kind in hosts services; do
		check "$kind: check windows nest" jqe --arg k "$kind" '
		    .[$k] | [.active_checks, .passive_checks][] |
		    .last_1min <= .last_5min and .last_5min <= .last_15min and .last_15min <= .total' \
		    <<<"$j" || return 1
		check "$kind: min <= avg <= max" jqe --arg k "$kind" '
		    .[$k] | [.latency, .execution_time][] |
		    (.count == 0 and .min == 0 and .max == 0 and .avg == 0) or
		    (.min <= .avg + 1e-9 and .avg <= .max + 1e-9)' <<<"$j" || return 1
		check "$kind: one latency per active check" jqe --arg k "$kind" '
		    .[$k] | .latency.count == .active_checks.total and
		    .execution_time.count == .active_checks.total' <<<"$j" || return 1
		check "$kind: states add up to the total" jqe --arg k "$kind" '
		    .[$k] | ([.states[]] | add) == .total and
		    .actively_checked + .passively_checked == .total and
		    .hard + .soft == .checked' <<<"$j" || return 1
	done
}

# The count of status objects (.hosts or .services) matching a jq filter.
status_count() { # STATUS WHAT FILTER
	jq "[$2[] | select($3)] | length" <<<"$1"
}

case_json_consistent() {
	local j s started st kind
	snapshots || return 1
	j=$STATS s=$STATUS
	json_sane "$j" || return 1
	started=$(jq -r .program.checks.host_checks <<<"$s")
	check_gt "active host checks in the last minute" "$(jq .hosts.active_checks.last_1min <<<"$j")" 0 &&
	check_gt "latencies measured" "$(jq .hosts.latency.count <<<"$j")" 0 &&
	check "the six hosts of the network at least" jqe '.hosts.total >= 6' <<<"$j" &&
	check_eq "hosts as status counts them" "$(jq .hosts.total <<<"$j")" "$(jq .program.hosts <<<"$s")" &&
	check_eq "services as status counts them" "$(jq .services.total <<<"$j")" "$(jq .program.services <<<"$s")" &&
	check "the passive service is passively checked" \
	    jqe '.services.passively_checked >= 1 and .services.scheduled <= .services.actively_checked' <<<"$j" &&
	check_eq "hosts checked as status shows them" "$(jq .hosts.checked <<<"$j")" \
	    "$(status_count "$s" .hosts .has_been_checked)" &&
	check_eq "services checked as status shows them" "$(jq .services.checked <<<"$j")" \
	    "$(status_count "$s" .services .has_been_checked)" &&
	check "finished host checks <= started ($started)" \
	    jqe --argjson n "$started" '.hosts.active_checks.total <= $n' <<<"$j" || return 1
	for st in UP DOWN UNREACHABLE PENDING; do
		check_eq "hosts $st as status shows them" "$(jq ".hosts.states.$st" <<<"$j")" \
		    "$(status_count "$s" .hosts ".state == \"$st\"")" || return 1
	done
	for st in OK WARNING CRITICAL UNKNOWN PENDING; do
		check_eq "services $st as status shows them" "$(jq ".services.states.$st" <<<"$j")" \
		    "$(status_count "$s" .services ".state == \"$st\"")" || return 1
	done
	for kind in hosts services; do
		check "$kind: last checks within an hour, as status shows them" jqe --arg k "$kind" \
		    --argjson n "$(jq --argjson now "$(jq .program.now <<<"$j")" --arg k "$kind" \
		        '[.[$k][] | select(.has_been_checked and $now - .last_check <= 3600)] | length' <<<"$s")" \
		    '.[$k].recently_checked | .active.last_60min + .passive.last_60min == $n' <<<"$j" || return 1
	done
}

case_passive_result() {
	local before lat_before j
	before=$(stats_field .services.passive_checks.total)
	lat_before=$(stats_field .services.latency.count)
	is_number "$before" || return 1
	check "pharos cmd PROCESS_SERVICE_CHECK_RESULT" "$PHAROS" -s "$PHAROS_SOCK" cmd \
	    "PROCESS_SERVICE_CHECK_RESULT;server;backup;1;WARNING - backup late" || return 1
	wait_for "the passive result counted" 10 eval \
	    '[ "$(stats_field .services.passive_checks.total)" = $((before + 1)) ]' || return 1
	j=$(stats_json)
	json_sane "$j" || return 1
	check_gt "passive service checks in the last minute" "$(jq .services.passive_checks.last_1min <<<"$j")" 0 &&
	check_eq "no passive host checks" "$(jq .hosts.passive_checks.total <<<"$j")" 0 &&
	check "no latency for a passive result" \
	    jqe --argjson n "$lat_before" '.services.latency.count >= $n and
	    .services.latency.count == .services.active_checks.total' <<<"$j" &&
	check "the service WARNING" jqe '.services.states.WARNING >= 1' <<<"$j" &&
	check_gt "passive services checked lately" "$(jq .services.recently_checked.passive.last_1min <<<"$j")" 0
}

case_text_matches_json() {
	local j out
	j=$(stats_json) || return 1
	out=$("$PHAROS" -s "$PHAROS_SOCK" stats) || return 1
	field() { awk -F': +' -v l="$1" '$1 == l { print $2 }' <<<"$out"; }
	check_eq "Total Hosts" "$(field "Total Hosts")" "$(jq .hosts.total <<<"$j")" &&
	check_eq "Total Services" "$(field "Total Services")" "$(jq .services.total <<<"$j")" &&
	check_eq "Hosts Up/Down/Unreach" "$(field "Hosts Up/Down/Unreach")" \
	    "$(jq -r '.hosts.states | "\(.UP) / \(.DOWN) / \(.UNREACHABLE)"' <<<"$j")" &&
	check_eq "Services Ok/Warn/Unk/Crit" "$(field "Services Ok/Warn/Unk/Crit")" \
	    "$(jq -r '.services.states | "\(.OK) / \(.WARNING) / \(.UNKNOWN) / \(.CRITICAL)"' <<<"$j")" &&
	check "latency in seconds, min / max / avg" \
	    grep -qE '^Active Host Latency: +[0-9]+\.[0-9]{3} / [0-9]+\.[0-9]{3} / [0-9]+\.[0-9]{3} sec$' <<<"$out"
}

case_usage() {
	local rc
	"$PHAROS" -s "$PHAROS_SOCK" stats --bogus >/dev/null 2>&1
	rc=$?
	check_eq "unknown argument: exit 2" "$rc" 2 &&
	check "--help" "$PHAROS" -s "$PHAROS_SOCK" stats --help
}

run_case stats_sections case_sections
run_case stats_json_consistent case_json_consistent
run_case stats_passive_result case_passive_result
run_case stats_text_matches_json case_text_matches_json
run_case stats_usage case_usage
test_finish
