#!/bin/bash
# test_rrd: every check result's perfdata becomes RRD data. pharosd watches
# the test network with rrd_dir set; the files its writer thread creates
# are read back with the rrdtool command: one file per host check, one data
# source per perfdata label, values that match what the checks reported.
#
# Needs root (network namespaces), jq and rrdtool.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk rrdtool
need_programs

test_setup
net_up
write_config
RRD_DIR="$TEST_DIR/rrd"
echo "rrd_dir=rrd" >>"$TEST_DIR/pharos.cfg"
start_pharosd || exit 1

UP_BOUND=$(calc "$CI_S + $CHECK_DURATION + $MARGIN")
all_up() {
	hosts_are core-router=UP/HARD dist1=UP/HARD dist2=UP/HARD \
	    server=UP/HARD printer=UP/HARD firewall=UP/HARD
}

# Two rounds of checks, so that every file has had more than one update.
written_twice() {
	[ "$(program_field .store.written)" -ge 12 ] 2>/dev/null
}

case_files_written_while_running() {
	wait_for "all hosts UP" "$UP_BOUND" all_up || return 1
	wait_for "12 updates written" "$(calc "2 * $CI_S + $MARGIN")" \
	    written_twice || return 1
	check_eq "program.store.rrd_errors" "$(program_field .store.rrd_errors)" 0 &&
	check_eq "program.store.dropped_queue_full" \
	    "$(program_field .store.dropped_queue_full)" 0
}

case_one_file_per_host_check() {
	local h rc=0
	stop_pharosd || return 1
	for h in core-router dist1 dist2 server printer firewall; do
		check "$h/_HOST_.rrd exists" test -s "$RRD_DIR/$h/_HOST_.rrd" || rc=1
	done
	return $rc
}

case_data_sources_per_label() {
	local info ds rc=0
	info=$(rrdtool info "$RRD_DIR/core-router/_HOST_.rrd") || return 1
	for ds in rta pl rtmax rtmin; do
		check "DS $ds present" grep -q "^ds\[$ds\]\.type = \"GAUGE\"" <<<"$info" || rc=1
	done
	check_eq "step is the check interval" \
	    "$(awk '/^step = / { print $3 }' <<<"$info")" "$CI_S" || rc=1
	return $rc
}

# The last values stored are a live check's: no loss, an RTT in range.
case_values_match_last_check() {
	local last names values pl rta
	last=$(rrdtool lastupdate "$RRD_DIR/server/_HOST_.rrd") || return 1
	names=$(sed -n 1p <<<"$last")
	values=$(sed -n '$p' <<<"$last" | cut -d: -f2-)
	pl=$(awk -v n="$names" -v v="$values" 'BEGIN {
	    split(n, a, " "); split(v, b, " ");
	    for (i in a) if (a[i] == "pl") print b[i] }')
	rta=$(awk -v n="$names" -v v="$values" 'BEGIN {
	    split(n, a, " "); split(v, b, " ");
	    for (i in a) if (a[i] == "rta") print b[i] }')
	check_eq "stored loss of server" "$(awk -v x="$pl" 'BEGIN { print x + 0 }')" 0 &&
	check_gt "stored rta of server (ms)" "$rta" 0 &&
	check_lt "stored rta of server (ms)" "$rta" 1000
}

run_case files_written_while_running case_files_written_while_running
run_case one_file_per_host_check case_one_file_per_host_check
run_case data_sources_per_label case_data_sources_per_label
run_case values_match_last_check case_values_match_last_check
test_finish
