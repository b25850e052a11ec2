#!/bin/bash
# trap_vs_snmptrapd.sh: traps decoded and processed per CPU-second by
# pharosd's trap receiver and by Debian's snmptrapd logging the same
# stream to a file, side by side. See tests/bench/README.md.
#
# Run by `make bench` or by hand, as root, never in CI:
#   cd build && make pharosd tests/integration/trapreplay &&
#   sudo sh ../tests/bench/trap_vs_snmptrapd.sh
# Environment: PHAROSD, TRAPREPLAY (the binaries; default: the build
# directory's), TRAP_BENCH_COUNT (traps per run, default 60000),
# TRAP_BENCH_RATE (traps per second sent, default 10000).
#
# Everything runs inside a private network namespace (unshare -n) on
# loopback. One real linkDown datagram (snmptrap v2c) is captured, then
# resent COUNT times at RATE to each receiver in turn. CPU time is read
# from /proc/PID/stat before and after (user + system); processed traps
# are pharosd's "received" counter (every trap logged: the storm bucket
# is set wide open) and the "linkDown" lines snmptrapd wrote.
# A receiver that cannot keep up loses datagrams in its socket buffer:
# the "processed" column says how many each handled; the rate per
# CPU-second counts only those. Exit: 0, or 1 when setup failed or
# pharosd lost more than 5%.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${top_builddir:-$PWD}
PHAROSD=${PHAROSD:-$BUILD/pharosd}
PHAROS=${PHAROS:-$BUILD/pharos}
TRAPREPLAY=${TRAPREPLAY:-$BUILD/tests/integration/trapreplay}
COUNT=${TRAP_BENCH_COUNT:-60000}
RATE=${TRAP_BENCH_RATE:-10000}

die() {
	echo "trap_vs_snmptrapd: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (a private network namespace)"
for p in "$PHAROSD" "$PHAROS" "$TRAPREPLAY"; do
	[ -x "$p" ] || die "$p is not built"
done
command -v snmptrapd >/dev/null || die "snmptrapd is not installed (Debian: snmptrapd)"
command -v snmptrap >/dev/null || die "snmptrap is not installed (Debian: snmp)"

# Run the rest inside a private network namespace.
if [ -z "${TRAP_BENCH_INNER:-}" ]; then
	TRAP_BENCH_INNER=1 PHAROSD=$PHAROSD PHAROS=$PHAROS \
	    TRAPREPLAY=$TRAPREPLAY exec unshare -n bash "$0" "$@"
fi
ip link set lo up || die "no loopback"

DIR=$(mktemp -d /tmp/trapbench.XXXXXX) || die "no temp dir"
chmod 0755 "$DIR"
chown nobody:nogroup "$DIR"
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

cpu_ticks() { # PID: utime + stime in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
HZ=$(getconf CLK_TCK)

# One captured linkDown datagram.
"$TRAPREPLAY" capture -a 127.0.0.1 -p 17999 -n 1 -o "$DIR/trap.hex" -t 10 \
    >"$DIR/capture.out" &
CPID=$!
for _ in $(seq 1 50); do grep -q ready "$DIR/capture.out" 2>/dev/null && break; sleep 0.1; done
snmptrap -v2c -c public 127.0.0.1:17999 '' .1.3.6.1.6.3.1.1.5.3 \
    .1.3.6.1.2.1.2.2.1.1.7 i 7 .1.3.6.1.2.1.2.2.1.7.7 i 1 \
    .1.3.6.1.2.1.2.2.1.8.7 i 2 || die "snmptrap failed"
wait "$CPID" || die "no datagram captured"

# --- pharosd -----------------------------------------------------------
cat >"$DIR/pharos.cfg" <<EOF
cfg_file=objects.cfg
log_file=$DIR/pharos.log
query_socket=$DIR/pharos.qh
pharos_user=nobody
pharos_group=nogroup
monitor_host_name=-
trap_listen=127.0.0.1:16201
trap_community=public
trap_storm_rate=1000000
trap_storm_burst=10000000
EOF
cat >"$DIR/objects.cfg" <<EOF
define host {
	host_name           sw1
	address             127.0.0.1
	max_check_attempts  1
	check_interval      60
}
EOF
"$PHAROSD" "$DIR/pharos.cfg" >"$DIR/pharosd.out" 2>&1 &
PPID_D=$!
PIDS="$PIDS $PPID_D"
for _ in $(seq 1 50); do [ -S "$DIR/pharos.qh" ] && break; sleep 0.1; done
[ -S "$DIR/pharos.qh" ] || { cat "$DIR/pharosd.out"; die "pharosd did not start"; }
sleep 1
t0=$(cpu_ticks "$PPID_D")
"$TRAPREPLAY" send -d 127.0.0.1 -p 16201 -i "$DIR/trap.hex" -n "$COUNT" -r "$RATE" >/dev/null
sleep 2
t1=$(cpu_ticks "$PPID_D")
p_got=$("$PHAROS" -s "$DIR/pharos.qh" stats --json | jq '.traps.received')
p_logged=$(grep -c "SNMP TRAP: sw1;linkDown;" "$DIR/pharos.log")
p_rss=$(awk '/VmRSS/ { print $2 }' "/proc/$PPID_D/status")
kill "$PPID_D"
wait "$PPID_D" 2>/dev/null

# --- snmptrapd -----------------------------------------------------------
cat >"$DIR/snmptrapd.conf" <<EOF
authCommunity log public
EOF
# -On: numeric OIDs, as pharosd prints them (Debian loads no MIBs either)
snmptrapd -f -On -C -c "$DIR/snmptrapd.conf" -Lf "$DIR/snmptrapd.log" \
    -p "$DIR/snmptrapd.pid" udp:127.0.0.1:16202 >"$DIR/snmptrapd.out" 2>&1 &
SPID=$!
PIDS="$PIDS $SPID"
sleep 1
kill -0 "$SPID" 2>/dev/null || { cat "$DIR/snmptrapd.out"; die "snmptrapd did not start"; }
s0=$(cpu_ticks "$SPID")
"$TRAPREPLAY" send -d 127.0.0.1 -p 16202 -i "$DIR/trap.hex" -n "$COUNT" -r "$RATE" >/dev/null
sleep 2
s1=$(cpu_ticks "$SPID")
s_got=$(grep -c 'OID: [^[:space:]]*6\.3\.1\.1\.5\.3' "$DIR/snmptrapd.log")
s_rss=$(awk '/VmRSS/ { print $2 }' "/proc/$SPID/status")
kill "$SPID"
wait "$SPID" 2>/dev/null

awk -v n="$COUNT" -v rate="$RATE" -v hz="$HZ" \
    -v pg="$p_got" -v pl="$p_logged" -v pt="$((t1 - t0))" -v pr="$p_rss" \
    -v sg="$s_got" -v st="$((s1 - s0))" -v sr="$s_rss" 'BEGIN {
	pc = pt / hz; sc = st / hz
	if (pc <= 0) pc = 1 / hz
	if (sc <= 0) sc = 1 / hz
	printf "%d linkDown traps sent at %d/s to each receiver (loopback)\n\n", n, rate
	printf "%-28s %10s %10s %12s %14s %9s\n", "receiver", "processed", "CPU s", "traps/CPU-s", "logged lines", "RSS kB"
	printf "%-28s %10d %10.2f %12.0f %14d %9d\n", "pharosd (rules, log, ring)", pg, pc, pg / pc, pl, pr
	printf "%-28s %10d %10.2f %12.0f %14d %9d\n", "snmptrapd -Lf (log only)", sg, sc, sg / sc, sg, sr
	printf "\nratio pharosd / snmptrapd: %.1fx traps per CPU-second\n", (pg / pc) / (sg / sc)
	exit (pg < 0.95 * n)
}' || { echo "pharosd lost more than 5% of the traps"; exit 1; }
