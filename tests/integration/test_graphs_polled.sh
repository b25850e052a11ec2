#!/bin/bash
# test_graphs_polled: graphs and capacity from data pharosd really polled.
# pharosd, with rrd_dir set, polls the server's snmpd every 2 s: snmp_if
# on lo (in_bps/out_bps, ...) and the `snmp` check's rate of the counter
# feed's Counter32, set growing by 1000/s. After about 6 checks pharosd
# is stopped (the store drains its queue) and:
# - the `c32 rate` file's recent AVERAGE rows are 1000/s (+-10%);
# - `pharos graph server lo` picks the traffic template and writes a PNG;
# - `pharos graph server "c32 rate" --format svg` writes an SVG;
# - `pharos capacity --metric c32` lists server/c32 rate with p95 near
#   1000 and a flat or rising trend;
# - `pharos graph --projection` draws the trend of c32 and the threshold.
#
# Needs root (network namespaces), jq, file, rrdtool, snmpd.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq file rrdtool snmpd snmpget awk
need_programs

test_setup
export PHAROS_AGENTS=1
net_up
write_config
RRD_DIR="$TEST_DIR/rrd"
TEMPLATES="$top_srcdir/graphs/templates"
C32_RRD="$RRD_DIR/server/c32%20rate.rrd"
LO_RRD="$RRD_DIR/server/lo.rrd"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
rrd_dir=rrd
cfg_file=polled.cfg
EOF
cat >"$TEST_DIR/polled.cfg" <<EOF
define service {
	name                 polled-service
	check_interval       2s
	retry_interval       1s
	max_check_attempts   2
	register             0
}
define service {
	use                  polled-service
	host_name            server
	service_description  c32 rate
	check_command        snmp!$NETNS_COUNTER_OID.1.0!!!c32!!rate
}
define service {
	use                  polled-service
	host_name            server
	service_description  lo
	check_command        snmp_if!lo
}
EOF
chown nobody:nogroup "$TEST_DIR"/*.cfg

# The Counter32 grows by 1000/s from now on.
netns_counter c32 1000 1000 >/dev/null || exit 99

# librrd and fontconfig keep memory until exit; not the client's leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

graph() {
	"$PHAROS" -c "$TEST_DIR/pharos.cfg" graph -T "$TEMPLATES" "$@"
}

svc_perfdata() { # DESCRIPTION
	status_json | jq -r --arg d "$1" \
	    '.services[] | select(.host == "server" and .description == $d) | .perfdata // empty'
}

# The known AVERAGE values of the last minute of FILE's DS, one a line.
fetch_known() { # FILE
	rrdtool fetch "$1" AVERAGE --start -60 --end now 2>/dev/null |
	    awk -F': ' 'NF == 2 && $2 !~ /nan/ { print $2 + 0 }'
}

case_polled_and_stored() {
	start_pharosd || return 1
	wait_for "a c32 rate" 30 \
	    eval 'svc_perfdata "c32 rate" | grep -q "c32="' || return 1
	wait_for "lo rates" 30 \
	    eval 'svc_perfdata lo | grep -q "in_bps="' || return 1
	say "c32 rate: $(svc_perfdata "c32 rate")"
	# about 6 checks of 2 s after the first rate
	sleep 12
	check "pharosd stops cleanly (the store drains)" stop_pharosd &&
	check "the c32 rate file exists" test -f "$C32_RRD" &&
	check "the lo file exists" test -f "$LO_RRD"
}

case_rrd_rows_near_1000() {
	local vals n bad
	vals=$(fetch_known "$C32_RRD" | tail -n 4)
	n=$(grep -c . <<<"$vals")
	say "last known rows: $(tr '\n' ' ' <<<"$vals")"
	bad=$(awk '$1 < 900 || $1 > 1100' <<<"$vals" | grep -c .)
	check "a c32 DS" eval 'rrdtool info "$C32_RRD" | grep -q "^ds\[c32\]"' &&
	check_gt "rows with values" "$n" 2 &&
	check_eq "rows outside 1000 +- 10%" "$bad" 0
}

case_graph_traffic_png() {
	local out="$TEST_DIR/lo.png" args
	args=$(graph server lo -n) || return 1
	check "the traffic template for lo" \
	    grep -q '^# template traffic' <<<"$args" &&
	check "it draws in_bps" grep -q ':in_bps:AVERAGE' <<<"$args" &&
	check "it draws out_bps" grep -q ':out_bps:AVERAGE' <<<"$args" &&
	check "pharos graph exits 0" graph server lo --start -5min \
	    -o "$out" &&
	check "a PNG image" grep -q 'PNG image data' <<<"$(file "$out")"
}

case_graph_c32_svg() {
	local out="$TEST_DIR/c32.svg"
	check "pharos graph --format svg exits 0" graph server "c32 rate" \
	    --start -5min --format svg -o "$out" &&
	check "an SVG image" grep -q 'SVG' <<<"$(file "$out")"
}

case_capacity_c32() {
	local js e slope p95 n step
	js=$("$PHAROS" capacity -c "$TEST_DIR/pharos.cfg" --metric c32 \
	    --threshold 5000 --period 1d --json) || return 1
	e=$(jq -c '.entries[] | select(.host == "server" and
	    .service == "c32 rate")' <<<"$js")
	say "capacity: $e"
	check "server/c32 rate is listed" test -n "$e" || return 1
	slope=$(jq -r .slope_per_day <<<"$e")
	p95=$(jq -r .p95 <<<"$e")
	n=$(jq -r .samples <<<"$e")
	step=$(jq -r .step <<<"$e")
	check_eq "metric" "$(jq -r .metric <<<"$e")" c32 &&
	check_gt "samples" "$n" 2 &&
	check "p95 near 1000 ($p95)" \
	    awk -v x="$p95" 'BEGIN { exit !(x >= 900 && x <= 1100) }' &&
	# The rate is constant: the line is flat up to the noise of the
	# polling times. Rising or flat, or its drift over the rows fitted
	# under 10% of the level.
	check "slope rising or flat ($slope/day)" awk -v s="$slope" \
	    -v n="$n" -v st="$step" -v p="$p95" \
	    'BEGIN { d = s * n * st / 86400; if (d < 0) d = -d
		exit !(s >= 0 || d < 0.1 * p) }'
}

# --projection over the polled rows: librrd's trend and the threshold.
case_graph_c32_projection() {
	local out="$TEST_DIR/c32-trend.png" args
	args=$(graph server "c32 rate" --projection --metric c32 \
	    --threshold 5000 --period 1h -n) || return 1
	check "the trend of c32" grep -q '^VDEF:f0_a=f0_d,LSLSLOPE' <<<"$args" &&
	check "the threshold" grep -q '^HRULE:5000#' <<<"$args" &&
	check "pharos graph --projection exits 0" graph server "c32 rate" \
	    --projection --metric c32 --threshold 5000 --period 1h -o "$out" &&
	check "a PNG image" grep -q 'PNG image data' <<<"$(file "$out")"
}

run_case polled_and_stored case_polled_and_stored
run_case rrd_rows_near_1000 case_rrd_rows_near_1000
run_case graph_traffic_png case_graph_traffic_png
run_case graph_c32_svg case_graph_c32_svg
run_case capacity_c32 case_capacity_c32
run_case graph_c32_projection case_graph_c32_projection
test_finish
