#!/bin/bash
# test_graph: `pharos graph` draws what pharosd stored. pharosd watches the
# test network with rrd_dir set; once the host checks have written twice,
# the client (reading rrd_dir= from the main file given with -c) renders
# core-router's host check as PNG and SVG with the shipped templates.
#
# Needs root (network namespaces), jq and file.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq file
need_programs

test_setup
net_up
write_config
RRD_DIR="$TEST_DIR/rrd"
TEMPLATES="$top_srcdir/graphs/templates"
echo "rrd_dir=rrd" >>"$TEST_DIR/pharos.cfg"
start_pharosd || exit 1

# librrd and fontconfig keep memory until exit; not the client's leaks.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

graph() {
	"$PHAROS" -c "$TEST_DIR/pharos.cfg" graph -T "$TEMPLATES" "$@"
}

written_twice() {
	[ "$(program_field .store.written)" -ge 12 ] 2>/dev/null
}

case_png_of_host_check() {
	local out="$TEST_DIR/core-router.png"
	wait_for "12 updates written" "$(calc "4 * $CI_S + $MARGIN")" \
	    written_twice || return 1
	check "pharos graph exits 0" graph core-router --start -10min \
	    --width 400 --height 120 -o "$out" || return 1
	check "a PNG image" grep -q 'PNG image data' <<<"$(file "$out")" &&
	check "no temporary file left" \
	    not ls "$TEST_DIR"/core-router.png.tmp.* 2>/dev/null
}

case_template_chosen_by_labels() {
	local args
	args=$(graph core-router -n) || return 1
	check "latency template for rta/pl/rtmin/rtmax" \
	    grep -q '^# template latency' <<<"$args" &&
	check "file from rrd_dir of -c" \
	    grep -qF "$RRD_DIR/core-router/_HOST_.rrd" <<<"$args"
}

case_svg_and_loss() {
	local out="$TEST_DIR/loss.svg"
	check "pharos graph --format svg exits 0" graph core-router \
	    --template loss --format svg -o "$out" || return 1
	check "an SVG image" grep -q 'SVG' <<<"$(file "$out")"
}

case_missing_service_fails() {
	local rc=0
	graph core-router "no such service" -o "$TEST_DIR/x.png" \
	    2>"$TEST_DIR/err" || rc=$?
	check_eq "exit status" "$rc" 1 &&
	check "error names the file" grep -q 'no%20such%20service.rrd' \
	    "$TEST_DIR/err"
}

run_case png_of_host_check case_png_of_host_check
run_case template_chosen_by_labels case_template_chosen_by_labels
run_case svg_and_loss case_svg_and_loss
run_case missing_service_fails case_missing_service_fails
test_finish
