#!/bin/bash
# icmp_vs_fping.sh: `pharos ping` against fping on the same targets, in one
# run, side by side, with the ratio pharos/fping; then pharosd's memory per
# configured host. See tests/bench/README.md.
#
# Run by `make bench` or by hand, as root, never in CI:
#   cd build && make pharos pharosd && sudo sh ../tests/bench/icmp_vs_fping.sh
# Environment: PHAROS, PHAROSD (the binaries; default: ./pharos, ./pharosd
# of the current folder, else of the source tree), BENCH_QUICK=1 (only the
# 1,000-target cases and the daemon).
#
# All traffic stays inside network namespaces the script creates and
# removes (phb<pid>-*): loopback addresses 127.1.x.y in one, and a second
# namespace routed from the first that answers for 10.77.0.0/16 and drops
# everything sent to 20% of it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh" # pick, need, cpu_ticks, settle
PHAROS=${PHAROS:-$(pick pharos)}
PHAROSD=${PHAROSD:-$(pick pharosd)}
NS="phb$$"
WORK=""
DAEMON_PID=""
HZ=$(getconf CLK_TCK)
TIMEOUT_MS=500 # -t for both tools: fping's count mode would use -p

die() {
	echo "icmp_vs_fping: $*" >&2
	exit 1
}

cleanup() {
	local ns
	trap - EXIT INT TERM
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"
		for _ in $(seq 1 50); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null
	fi
	for ns in "$NS-a" "$NS-b" "$NS-d"; do
		ip netns pids "$ns" >/dev/null 2>&1 || continue
		for pid in $(ip netns pids "$ns"); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns delete "$ns"
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
}

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, raw sockets)"
[ -x "$PHAROS" ] || die "$PHAROS is not built (make pharos)"
[ -x "$PHAROSD" ] || die "$PHAROSD is not built (make pharosd)"
need fping fping || die "cannot install fping"
need /usr/bin/time time || die "cannot install time"
need nft nftables || die "cannot install nftables"
FPING=$(command -v fping)

trap cleanup EXIT
trap 'exit 130' INT TERM
WORK=$(mktemp -d /tmp/pharos-bench.XXXXXX) || die "mktemp failed"
chmod 0755 "$WORK" # pharosd runs as nobody below

# --- the network ----------------------------------------------------------
# $NS-a: lo up (127.0.0.0/8 answers), and a veth to $NS-b, which answers
# for 10.77.0.0/16 and drops what goes to x.y.z.1..50 of it (20%).
if ! { ip netns add "$NS-a" && ip netns add "$NS-b"; }; then
	die "cannot create namespaces"
fi
ip -n "$NS-a" link set lo up
ip -n "$NS-b" link set lo up
if ! { ip -n "$NS-a" link add to-b type veth peer name to-a netns "$NS-b" &&
    ip -n "$NS-a" addr add 10.76.0.1/30 dev to-b &&
    ip -n "$NS-b" addr add 10.76.0.2/30 dev to-a &&
    ip -n "$NS-a" link set to-b up && ip -n "$NS-b" link set to-a up &&
    ip -n "$NS-a" route add 10.77.0.0/16 via 10.76.0.2 &&
    ip -n "$NS-b" route add local 10.77.0.0/16 dev lo; }; then
	die "cannot build the network"
fi
ip netns exec "$NS-b" nft -f - <<EOF || die "nft failed"
table inet bench {
	chain input {
		type filter hook input priority filter; policy accept;
		meta l4proto icmp ip daddr & 0.0.0.255 <= 0.0.0.50 drop
	}
}
EOF

# The n-th (0-based) address of 127.1.0.1.. and of 10.77.0.1.. (250 per /24).
lo_addr() { echo "127.1.$(($1 / 256)).$(($1 % 256))"; }
lossy_addr() { echo "10.77.$(($1 / 250)).$(($1 % 250 + 1))"; }
for ((i = 0; i < 10000; i++)); do lossy_addr "$i"; done >"$WORK/lossy10000"

# --- measuring ------------------------------------------------------------
# Each run waits for the rest of the machine to be quiet (settle, lib.sh):
# deleted namespaces, for one, are cleaned up by kernel workers for a while.

# measure TOOL NSNAME ARGS...: run TOOL (pharos or fping) with ARGS in the
# namespace; sets R_WALL R_MCPU R_PCPU R_RSS R_LOSS R_PPS R_XMT.
measure() {
	local tool=$1 ns=$2 c0 c1 t0 t1 ut st rcv cmd
	shift 2
	if [ "$tool" = pharos ]; then cmd=("$PHAROS" ping); else cmd=("$FPING"); fi
	settle 20 "  note: the machine is busy: cpu_mach includes other work"
	c0=$(cpu_ticks)
	t0=$EPOCHREALTIME
	/usr/bin/time -o "$WORK/time" -f "%e %U %S %M" \
	    ip netns exec "$ns" "${cmd[@]}" "$@" >"$WORK/out" 2>"$WORK/err"
	t1=$EPOCHREALTIME
	c1=$(cpu_ticks)
	# The last line: "Command exited with non-zero status 1" may come first.
	read -r _ ut st R_RSS < <(tail -n 1 "$WORK/time") || R_RSS=0
	# xmt and rcv summed over the -c summary lines.
	read -r R_XMT rcv < <(sed -n 's|.*xmt/rcv/%loss = \([0-9]*\)/\([0-9]*\)/.*|\1 \2|p' \
	    "$WORK/err" | awk '{ x += $1; r += $2 } END { print x + 0, r + 0 }')
	R_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	R_MCPU=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
	R_PCPU=$(awk -v u="$ut" -v s="$st" 'BEGIN { printf "%.2f", u + s }')
	R_LOSS=$(awk -v x="$R_XMT" -v r="$rcv" 'BEGIN { printf "%.1f", x ? 100 * (x - r) / x : 100 }')
	R_PPS=$(awk -v x="$R_XMT" -v w="$R_WALL" 'BEGIN { printf "%.0f", (w > 0 ? x / w : 0) }')
	if [ "$R_XMT" = 0 ]; then
		echo "  warning: $tool printed no summary; stderr:" >&2
		head -n 5 "$WORK/err" >&2
	fi
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# What the rest of the machine is doing: cpu_mach includes it.
c0=$(cpu_ticks)
sleep 2
echo "background load before the runs: $(awk -v a="$c0" -v b="$(cpu_ticks)" \
    -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / 2 }') CPUs busy"

row() {
	printf '%-34s %-6s %8s %9s %9s %9s %7s %9s\n' "$@"
}
echo
row "case" "tool" "wall_s" "cpu_mach" "cpu_proc" "rss_KiB" "loss_%" "probes/s"
printf '%.0s-' $(seq 1 98)
echo

# compare LABEL NSNAME ARGS...: both tools with the same ARGS, a row each
# and a row of ratios.
compare() {
	local label=$1 ns=$2 pw pm pp pr pl ps
	shift 2
	measure pharos "$ns" "$@"
	pw=$R_WALL pm=$R_MCPU pp=$R_PCPU pr=$R_RSS pl=$R_LOSS ps=$R_PPS
	row "$label" pharos "$pw" "$pm" "$pp" "$pr" "$pl" "$ps"
	measure fping "$ns" "$@"
	row "" fping "$R_WALL" "$R_MCPU" "$R_PCPU" "$R_RSS" "$R_LOSS" "$R_PPS"
	row "" ratio "$(ratio "$pw" "$R_WALL")" \
	    "$(ratio "$pm" "$R_MCPU")" "$(ratio "$pp" "$R_PCPU")" \
	    "$(ratio "$pr" "$R_RSS")" "$(ratio "$pl" "$R_LOSS")" \
	    "$(ratio "$ps" "$R_PPS")"
}

SIZES="1000 10000"
[ -n "${BENCH_QUICK:-}" ] && SIZES=1000
for gap in 1 0; do
	for n in $SIZES; do
		for c in 1 3; do
			compare "(a) lo $n x$c -p 20 -i $gap" "$NS-a" -q -c "$c" \
			    -p 20 -i "$gap" -t "$TIMEOUT_MS" \
			    -g "$(lo_addr 1)" "$(lo_addr "$n")"
		done
	done
done
if [ -z "${BENCH_QUICK:-}" ]; then
	for c in 1 3; do
		compare "(b) 20% dead 10000 x$c -p 20 -i 0" "$NS-a" -q -c "$c" \
		    -p 20 -i 0 -t "$TIMEOUT_MS" -f "$WORK/lossy10000"
	done
	compare "(b) 20% dead 10000 x1 -p 20 -i 1" "$NS-a" -q -c 1 \
	    -p 20 -i 1 -t "$TIMEOUT_MS" -f "$WORK/lossy10000"
fi

# --- pharosd's memory per host --------------------------------------------
# VmRSS of pharosd after start-up with 0 and with 10,000 hosts (127.1.x.y,
# checked once an hour), in a namespace of its own.
daemon_rss() {
	local n=$1 dir="$WORK/d$1" i rss=""
	mkdir -p "$dir"
	cat >"$dir/pharos.cfg" <<EOF
cfg_file=hosts.cfg
log_file=$dir/pharos.log
query_socket=$dir/pharos.qh
pharos_user=nobody
pharos_group=nogroup
interval_length=1
EOF
	{
		printf 'define host {\n\tname bench\n\tcheck_interval 3600\n'
		printf '\tretry_interval 3600\n\tmax_check_attempts 1\n'
		printf '\tregister 0\n}\n'
		for ((i = 1; i <= n; i++)); do
			printf 'define host {\n\tuse bench\n\thost_name h%d\n' "$i"
			printf '\taddress %s\n}\n' "$(lo_addr "$i")"
		done
	} >"$dir/hosts.cfg"
	chown -R nobody:nogroup "$dir"
	ip netns add "$NS-d" && ip -n "$NS-d" link set lo up || return 1
	ip netns exec "$NS-d" "$PHAROSD" "$dir/pharos.cfg" >"$dir/out" 2>&1 &
	DAEMON_PID=$!
	# Up once its query socket answers, even "no such host" (status 1);
	# 3 is "cannot connect".
	for _ in $(seq 1 300); do
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		"$PHAROS" -s "$dir/pharos.qh" status --host h1 >/dev/null 2>&1
		if [ $? -le 1 ]; then
			sleep 1
			rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status")
			break
		fi
		sleep 0.2
	done
	kill -TERM "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=""
	ip netns delete "$NS-d"
	[ -n "$rss" ] || { cat "$dir/out" >&2; return 1; }
	echo "$rss"
}

echo
rss0=$(daemon_rss 0) || die "pharosd did not start with 0 hosts"
rss1=$(daemon_rss 10000) || die "pharosd did not start with 10000 hosts"
printf "pharosd VmRSS: %s KiB with 0 hosts, %s KiB with 10000 hosts: %s KiB per host\n" \
    "$rss0" "$rss1" "$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { printf "%.2f", (b - a) / 10000 }')"
echo
echo "pharos $("$PHAROS" -V 2>/dev/null | head -n 1), $("$FPING" -v 2>&1 | head -n 1)," \
    "kernel $(uname -r), $(nproc) CPUs"
