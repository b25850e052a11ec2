#!/bin/bash
# rrd_vs_rrdtool.sh: RRD updates through Pharos' metric store (its writer
# thread writing with librrd, and the same writer sending to rrdcached)
# against `rrdtool -` (one process, pipe mode) and one `rrdtool update`
# process per update, on the same RRD files, in one run, side by side;
# then pharosd's check latency with and without RRD writes.
# See tests/bench/README.md.
#
# Run by `make bench` or by hand, never in CI:
#   cd build && make bench      # or: make tests/bench/store_bench &&
#   sh ../tests/bench/rrd_vs_rrdtool.sh [--quick]
# The latency part needs root (pharosd's ICMP, a network namespace); the
# rest runs as any user. Environment: STORE_BENCH, PHAROS, PHAROSD (the
# binaries; default: the build folder's, from top_builddir or the current
# folder), RRD_BENCH_* sizes (see README.md), BENCH_QUICK=1 as --quick.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh" # pick, stop_pid, cpu_ticks, settle
[ "${1:-}" = --quick ] && BENCH_QUICK=1
QUICK=${BENCH_QUICK:-0}
STORE_BENCH=${STORE_BENCH:-$(pick tests/bench/store_bench)}
PHAROS=${PHAROS:-$(pick pharos)}
PHAROSD=${PHAROSD:-$(pick pharosd)}
if [ "$QUICK" = 1 ]; then
	HOSTS=${RRD_BENCH_HOSTS:-100}
	MINUTES=${RRD_BENCH_MINUTES:-10}
	LAT_S=${RRD_BENCH_LATENCY_S:-20}
else
	HOSTS=${RRD_BENCH_HOSTS:-1000}
	MINUTES=${RRD_BENCH_MINUTES:-20}
	LAT_S=${RRD_BENCH_LATENCY_S:-60}
fi
SERVICES=${RRD_BENCH_SERVICES:-10}
SAMPLE=${RRD_BENCH_SAMPLE:-500}
LAT_HOSTS=${RRD_BENCH_LATENCY_HOSTS:-500}
FILES=$((HOSTS * SERVICES))
[ "$SAMPLE" -le "$FILES" ] || SAMPLE=$FILES
HZ=$(getconf CLK_TCK)
NS="phr$$"
WORK=""
RC_PID=""
DAEMON_PID=""

die() {
	echo "rrd_vs_rrdtool: $*" >&2
	exit 1
}

cleanup() {
	trap - EXIT INT TERM
	stop_pid "$DAEMON_PID" 100
	stop_pid "$RC_PID" 100
	if ip netns pids "$NS" >/dev/null 2>&1; then
		for pid in $(ip netns pids "$NS"); do kill -KILL "$pid"; done
		ip netns delete "$NS"
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
}

[ -x "$STORE_BENCH" ] || die "$STORE_BENCH is not built (make tests/bench/store_bench)"
command -v rrdtool >/dev/null || die "rrdtool is missing (apt-get install rrdtool)"
command -v rrdcached >/dev/null || die "rrdcached is missing (apt-get install rrdcached)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

trap cleanup EXIT
trap 'exit 130' INT TERM
WORK=$(mktemp -d /tmp/pharos-rrdbench.XXXXXX) || die "mktemp failed"
chmod 0755 "$WORK"
RRD="$WORK/rrd"
need_kb=$((FILES * 1600 + 1000000))
avail_kb=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
[ "$avail_kb" -gt "$need_kb" ] ||
    die "$WORK: $((avail_kb / 1024)) MiB free, the files need $((need_kb / 1024)) MiB"

quiesce() { # write back dirty pages of the previous case, then settle
	sync
	settle
}
pid_cpu() { # utime + stime of PID in seconds
	awk -v hz="$HZ" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}
kv() { # kv KEY LINE: the value of KEY=value in LINE
	sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" <<<"$2"
}
fdiv() { awk -v a="$1" -v b="$2" -v f="${3:-%.0f}" 'BEGIN { if (b > 0) printf f, a / b; else print "-" }'; }

# The files are DIR/hNNNNN/sNN.rrd, minute m of the run at T0 + 60 m; every
# case takes the next minutes, so every update is after the last one.
T0=$(( ($(date +%s) / 60 - 30 * 24 * 60) * 60 ))
NEXT=0

us_per() { # us_per CPU_S N: microseconds per update
	awk -v c="$1" -v n="$2" 'BEGIN { if (c != "-" && n > 0) printf "%.1f", c * 1e6 / n; else print "-" }'
}
ROWS=()
row() { # row CASE UPDATES WALL CPU CPU_PEER EXTRA
	ROWS+=("$(printf "%-32s %9s %8s %10s %8s %9s %8s  %s" "$1" "$2" "$3" \
	    "$(fdiv "$2" "$3")" "$4" "$5" "$(us_per "$4" "$2")" "$6")")
}

echo "RRD update benchmark: $FILES files (3 DS: rta, pl, rtmax; step 60), $MINUTES updates each per case"
echo "pharos store driver: $STORE_BENCH"
echo "$(rrdtool --version | head -n 1 | sed 's/  Copyright.*//'), kernel $(uname -r), $(nproc) CPUs, folder $WORK"
echo

# --- the files ------------------------------------------------------------
# Created by the store itself (its RRAs, docs/graphs.md), minute 0.
settle
out=$("$STORE_BENCH" run "$RRD" "$HOSTS" "$SERVICES" "$T0" 1) ||
    die "creating the files failed: $out"
[ "$(kv files_created "$out")" = "$FILES" ] || die "files not created: $out"
NEXT=1
echo "created $FILES files in $(kv wall "$out") s ($(du -sh "$RRD" | cut -f1))"

# --- (1) the writer thread, librrd directly --------------------------------
# One warm-up minute (untimed) fills the writer's cache of files, as in a
# running pharosd; then MINUTES rounds over every file.
quiesce
out=$("$STORE_BENCH" run -w 1 "$RRD" "$HOSTS" "$SERVICES" \
    "$((T0 + 60 * NEXT))" "$((MINUTES + 1))") || die "store run failed: $out"
NEXT=$((NEXT + MINUTES + 1))
S_RATE=$(fdiv "$(kv updates "$out")" "$(kv wall "$out")")
row "pharos store -> librrd" "$(kv updates "$out")" "$(kv wall "$out")" \
    "$(kv cpu "$out")" - "submit $(kv submit_wall "$out") s, $(kv cpu_submit "$out") CPU s; queue full $(kv queue_full_retries "$out")x"

# --- (2) the writer thread to rrdcached -------------------------------------
# rrdcached on a UNIX socket in the folder, journal on, never writing by
# itself (-w 3600): accepting is measured first, then FLUSHALL.
quiesce
RC_SOCK="$WORK/rrdcached.sock"
mkdir -p "$WORK/journal"
rrdcached -g -p "$WORK/rrdcached.pid" -l "unix:$RC_SOCK" -j "$WORK/journal" \
    -b "$RRD" -B -w 3600 -f 7200 >"$WORK/rrdcached.out" 2>&1 &
RC_PID=$!
for _ in $(seq 1 50); do
	"$STORE_BENCH" rc "$RC_SOCK" STATS >/dev/null 2>&1 && break
	kill -0 "$RC_PID" 2>/dev/null || die "rrdcached exited: $(cat "$WORK/rrdcached.out")"
	sleep 0.1
done
rc_stat() { # rc_stat NAME: one STATS value
	"$STORE_BENCH" rc "$RC_SOCK" STATS | awk -v n="$1:" '$1 == n { print $2 }'
}
c0=$(pid_cpu "$RC_PID")
out=$("$STORE_BENCH" run -w 1 -a "unix:$RC_SOCK" "$RRD" "$HOSTS" "$SERVICES" \
    "$((T0 + 60 * NEXT))" "$((MINUTES + 1))" 2>>"$WORK/driver.err") ||
    die "store run via rrdcached failed: $out $(cat "$WORK/driver.err")"
NEXT=$((NEXT + MINUTES + 1))
c1=$(pid_cpu "$RC_PID")
A_RATE=$(fdiv "$(kv updates "$out")" "$(kv wall "$out")")
row "pharos store -> rrdcached" "$(kv updates "$out")" "$(kv wall "$out")" \
    "$(kv cpu "$out")" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" \
    "accepted (acked $(kv acked "$out")); cpu_peer: rrdcached"
recv=$(rc_stat UpdatesReceived)
u0=$(rc_stat UpdatesWritten)
d0=$(rc_stat DataSetsWritten)
c0=$(pid_cpu "$RC_PID")
t0=$EPOCHREALTIME
"$STORE_BENCH" rc "$RC_SOCK" FLUSHALL >/dev/null || die "FLUSHALL failed"
ok=0
for _ in $(seq 1 12000); do # 600 s
	d1=$(rc_stat DataSetsWritten)
	if [ "${d1:-0}" -ge "$recv" ] && [ "$(rc_stat QueueLength)" = 0 ]; then
		ok=1
		break
	fi
	sleep 0.05
done
t1=$EPOCHREALTIME
c1=$(pid_cpu "$RC_PID")
[ "$ok" = 1 ] || die "rrdcached did not flush within 600 s"
u1=$(rc_stat UpdatesWritten)
F_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
row "rrdcached FLUSHALL" "$((d1 - d0))" "$F_WALL" - \
    "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" \
    "$((u1 - u0)) files, $(fdiv "$((u1 - u0))" "$F_WALL") files/s"
stop_pid "$RC_PID" 100
RC_PID=""

# --- (3) rrdtool - -----------------------------------------------------------
quiesce
awk -v t0="$((T0 + 60 * NEXT))" -v d="$RRD" -v n="$MINUTES" -v nh="$HOSTS" \
    -v ns="$SERVICES" 'BEGIN {
	for (m = 0; m < n; m++) for (h = 0; h < nh; h++) for (v = 0; v < ns; v++)
		printf "update %s/h%05d/s%02d.rrd %d:%d.%03d:%d:%d.%03d\n", d, h, v,
		    t0 + 60 * m, (h + m) % 3, (v * 37 + m) % 1000,
		    (m + h) % 2 ? 0 : 20, (h + m) % 3 + 1, (v * 53 + m) % 1000
}' >"$WORK/lines"
NEXT=$((NEXT + MINUTES))
/usr/bin/time -o "$WORK/time" -f "%e %U %S" rrdtool - <"$WORK/lines" >"$WORK/pipe.out" 2>&1
read -r wall ut st < <(tail -n 1 "$WORK/time")
n=$(grep -c '^OK' "$WORK/pipe.out")
nerr=$(grep -c '^ERROR' "$WORK/pipe.out")
[ "$nerr" = 0 ] || { grep -m 3 '^ERROR' "$WORK/pipe.out"; die "rrdtool - refused $nerr updates"; }
P_RATE=$(fdiv "$n" "$wall")
row "rrdtool - (pipe)" "$n" "$wall" "$(awk -v u="$ut" -v s="$st" 'BEGIN { printf "%.2f", u + s }')" - ""

# --- (4) one rrdtool update per update ----------------------------------------
quiesce
when=$((T0 + 60 * NEXT))
NEXT=$((NEXT + 1))
awk -v t="$when" -v d="$RRD" -v k="$SAMPLE" -v ns="$SERVICES" 'BEGIN {
	for (i = 0; i < k; i++)
		printf "%s/h%05d/s%02d.rrd %d:1.000:0:2.000\n", d, int(i / ns), i % ns, t
}' >"$WORK/sample"
cat >"$WORK/loop.sh" <<'EOF'
nerr=0
while read -r f u; do rrdtool update "$f" "$u" || nerr=$((nerr + 1)); done
exit $nerr
EOF
/usr/bin/time -o "$WORK/time" -f "%e %U %S" bash "$WORK/loop.sh" <"$WORK/sample" >/dev/null 2>"$WORK/loop.err" ||
    { head -n 3 "$WORK/loop.err"; die "rrdtool update failed"; }
read -r wall ut st < <(tail -n 1 "$WORK/time")
O_RATE=$(fdiv "$SAMPLE" "$wall")
row "rrdtool update x$SAMPLE (processes)" "$SAMPLE" "$wall" \
    "$(awk -v u="$ut" -v s="$st" 'BEGIN { printf "%.2f", u + s }')" - "CPU includes the loop's bash"

# --- the table -------------------------------------------------------------
echo
printf "%-32s %9s %8s %10s %8s %9s %8s  %s\n" case updates wall_s updates/s cpu_s cpu_peer us/upd notes
printf -- '-%.0s' $(seq 1 110); echo
for r in "${ROWS[@]}"; do echo "$r"; done
printf -- '-%.0s' $(seq 1 110); echo
printf "ratio pharos store -> librrd / rrdtool -                %s\n" "$(fdiv "$S_RATE" "$P_RATE" %.2f)"
printf "ratio pharos store -> rrdcached (accepted) / rrdtool -  %s\n" "$(fdiv "$A_RATE" "$P_RATE" %.2f)"
printf "ratio rrdtool - / one process per update                %s\n" "$(fdiv "$P_RATE" "$O_RATE" %.1f)"
printf "ratio pharos store -> librrd / one process per update   %s\n" "$(fdiv "$S_RATE" "$O_RATE" %.1f)"
awk -v s="$S_RATE" -v p="$P_RATE" 'BEGIN {
	r = "not met"
	if (s >= 0.9 * p) r = "about even (within 10%)"
	if (s >= p) r = "met"
	printf "goal (informative): the writer thread at least matches rrdtool -: %s\n", r }'
rm -f "$WORK/lines" "$WORK/pipe.out"

# --- check latency with and without RRD writes ------------------------------
# pharosd with LAT_HOSTS hosts (built-in ICMP check of 127.1.x.y, every
# second, interval_length=1) in a namespace of its own; LAT_S seconds with
# rrd_dir set, then as long without. Latency = how late checks start
# (pharos stats: since start, so each run takes a snapshot after a 10 s
# warm-up and the window's average is computed from the two).
echo
if [ "$LAT_HOSTS" = 0 ]; then
	echo "latency part skipped (RRD_BENCH_LATENCY_HOSTS=0)"
	exit 0
fi
if [ "$(id -u)" != 0 ] || [ ! -x "$PHAROSD" ] || [ ! -x "$PHAROS" ]; then
	echo "latency part skipped: needs root and built pharosd and pharos"
	exit 0
fi
command -v jq >/dev/null || { echo "latency part skipped: needs jq"; exit 0; }
ip netns add "$NS" && ip -n "$NS" link set lo up || die "cannot create namespace $NS"

lat_run() { # lat_run NAME WITH_RRD: prints "avg_ms max_ms count written cpu"
	local dir="$WORK/$1" i s0 s1 c0 c1 w0 w1
	mkdir -p "$dir"
	{
		echo "cfg_file=hosts.cfg"
		echo "log_file=$dir/pharos.log"
		echo "query_socket=$dir/pharos.qh"
		echo "pharos_user=nobody"
		echo "pharos_group=nogroup"
		echo "interval_length=1"
		[ "$2" = 1 ] && echo "rrd_dir=rrd"
	} >"$dir/pharos.cfg"
	{
		printf 'define host {\n\tname bench\n\tcheck_interval 1\n'
		printf '\tretry_interval 1\n\tmax_check_attempts 1\n'
		printf '\tregister 0\n}\n'
		for ((i = 0; i < LAT_HOSTS; i++)); do
			printf 'define host {\n\tuse bench\n\thost_name h%d\n' "$i"
			printf '\taddress 127.1.%d.%d\n}\n' $((i / 250)) $((i % 250 + 1))
		done
	} >"$dir/hosts.cfg"
	chown -R nobody:nogroup "$dir"
	ip netns exec "$NS" "$PHAROSD" "$dir/pharos.cfg" >"$dir/out" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1 100); do
		"$PHAROS" -s "$dir/pharos.qh" stats --json >/dev/null 2>&1 && break
		kill -0 "$DAEMON_PID" 2>/dev/null || { cat "$dir/out" >&2; return 1; }
		sleep 0.2
	done
	sleep 10
	s0=$("$PHAROS" -s "$dir/pharos.qh" stats --json) || return 1
	w0=$("$PHAROS" -s "$dir/pharos.qh" status --json --host h0 | jq '(.data // .).program.store.written // 0')
	c0=$(pid_cpu "$DAEMON_PID")
	sleep "$LAT_S"
	s1=$("$PHAROS" -s "$dir/pharos.qh" stats --json) || return 1
	w1=$("$PHAROS" -s "$dir/pharos.qh" status --json --host h0 | jq '(.data // .).program.store.written // 0')
	c1=$(pid_cpu "$DAEMON_PID")
	stop_pid "$DAEMON_PID" 100
	DAEMON_PID=""
	jq -rn --argjson a "$s0" --argjson b "$s1" --arg w "$((w1 - w0))" \
	    --arg c "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" '
	    def h(x): (x.data // x).hosts;
	    (h($b).latency.count - h($a).latency.count) as $n |
	    [ (if $n > 0 then (h($b).latency.avg * h($b).latency.count -
	        h($a).latency.avg * h($a).latency.count) / $n * 1000 else 0 end),
	      h($b).latency.max * 1000, $n, $w, $c ] |
	    "\(.[0] * 1000 | round / 1000) \(.[1] * 1000 | round / 1000) \(.[2]) \(.[3]) \(.[4])"'
}

echo "check latency: pharosd, $LAT_HOSTS hosts (ICMP to 127.1.x.y every 1 s), ${LAT_S} s each"
settle
with=$(lat_run with 1) || die "pharosd run with rrd_dir failed"
quiesce
without=$(lat_run without 0) || die "pharosd run without rrd_dir failed"
printf "%-22s %14s %14s %10s %12s %10s\n" run latency_avg_ms latency_max_ms checks rrd_written cpu_s
for r in "with rrd_dir:$with" "without rrd_dir:$without"; do
	read -r a m n w c <<<"${r#*:}"
	printf "%-22s %14s %14s %10s %12s %10s\n" "${r%%:*}" "$a" "$m" "$n" "$w" "$c"
done
echo "(latency_avg_ms over the ${LAT_S} s window; latency_max_ms since pharosd started, start-up included)"
