#!/bin/bash
# pharosd_snmp_cpu.sh: "pharosd polling the `switch` profile on 500 agents
# every 60 s uses under 5% of one core". Measures pharosd's CPU over a
# window in steady state, and, side by side, what a Nagios-style plugin
# (check_snmp, one process per check) needs for the same checks per
# minute. See tests/bench/README.md.
#
# Run by `make bench` or by hand, as root, never in CI:
#   cd build && make pharos pharosd && sudo sh ../tests/bench/pharosd_snmp_cpu.sh
#   sudo sh ../tests/bench/pharosd_snmp_cpu.sh --quick     # 60 s window
# Environment: PHAROSD, PHAROS (the binaries; default: $top_builddir's, else
# ./, else the source tree's), BENCH_QUICK=1 (same as --quick),
# PHAROSD_BENCH_SECONDS (measuring window, default 300; --quick 60),
# PHAROSD_BENCH_AGENTS (default 500), PHAROSD_BENCH_IFACES (Ethernet
# interfaces per agent, default 48), PHAROSD_BENCH_SNMPD (snmpd processes,
# default 4), PHAROSD_BENCH_INTERVAL (check_interval in seconds, default 60),
# PHAROSD_BENCH_PLUGIN_RUNS (check_snmp runs for the peer figure, default
# 200; 0 skips it), PHAROSD_BENCH_PERF (seconds of `perf record` of pharosd
# after the window, default 0: none).
#
# Everything runs inside a private network namespace (unshare -n): snmpd
# agents on 127.1.x.y:161, ifb interfaces for their ifTable. Exit: 0, or 1
# when setup failed, pharosd died or did not reach its steady state, or
# checks timed out or did not run in the window. The 5% goal is printed,
# not enforced.
# shellcheck disable=SC2016,SC2317 # awk and jq programs; cleanup by trap
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
ME="$HERE/$(basename "$0")"
CHECK_SNMP=/usr/lib/nagios/plugins/check_snmp

die() {
	echo "pharosd_snmp_cpu: $*" >&2
	exit 1
}
. "$HERE/lib.sh"

for arg in "$@"; do
	case $arg in
	--quick) BENCH_QUICK=1 ;;
	-h | --help)
		sed -n '2,25s/^# \{0,1\}//p' "$ME"
		exit 0
		;;
	*) die "unknown argument: $arg (--quick, --help)" ;;
	esac
done
export BENCH_QUICK=${BENCH_QUICK:-}

PHAROS=${PHAROS:-$(pick pharos)}
PHAROSD=${PHAROSD:-$(pick pharosd)}
export PHAROS PHAROSD

if [ -z "${PHAROSD_BENCH_IN_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root (network namespace, snmpd on port 161)"
	[ -x "$PHAROS" ] || die "$PHAROS is not built (make pharos)"
	[ -x "$PHAROSD" ] || die "$PHAROSD is not built (make pharosd)"
	need snmpd snmpd || die "cannot install snmpd"
	need snmpget snmp || die "cannot install snmp"
	need jq jq || die "cannot install jq"
	need unshare util-linux || die "cannot install util-linux"
	if [ "${PHAROSD_BENCH_PLUGIN_RUNS:-200}" != 0 ]; then
		need "$CHECK_SNMP" monitoring-plugins-standard ||
		    echo "note: no $CHECK_SNMP: the peer figure is skipped"
	fi
	# Re-run inside a private network namespace: nothing leaves it.
	PHAROSD_BENCH_IN_NETNS=1 exec unshare -n -- bash "$ME" "$@"
fi

# --- settings ---------------------------------------------------------------
[ -n "$BENCH_QUICK" ] && : "${PHAROSD_BENCH_SECONDS:=60}"
WINDOW=${PHAROSD_BENCH_SECONDS:-300}
NAGENTS=${PHAROSD_BENCH_AGENTS:-500}
IFACES=${PHAROSD_BENCH_IFACES:-48}
NSNMPD=${PHAROSD_BENCH_SNMPD:-4}
INTERVAL=${PHAROSD_BENCH_INTERVAL:-60}
RUNS=${PHAROSD_BENCH_PLUGIN_RUNS:-200}
PERF_S=${PHAROSD_BENCH_PERF:-0}
for v in WINDOW NAGENTS IFACES NSNMPD INTERVAL RUNS PERF_S; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number: ${!v}"
done
((WINDOW >= 10 && WINDOW <= 3600)) || die "PHAROSD_BENCH_SECONDS: 10 to 3600"
((NAGENTS >= 1 && NAGENTS <= 10000)) || die "PHAROSD_BENCH_AGENTS: 1 to 10000"
((IFACES >= 1 && IFACES <= 500)) || die "PHAROSD_BENCH_IFACES: 1 to 500"
((NSNMPD >= 1 && NSNMPD <= 40)) || die "PHAROSD_BENCH_SNMPD: 1 to 40"
((INTERVAL >= 5 && INTERVAL <= 3600)) || die "PHAROSD_BENCH_INTERVAL: 5 to 3600"
((RUNS <= 100000 && PERF_S <= 600)) || die "bad PHAROSD_BENCH_PLUGIN_RUNS or _PERF"
# From the start until every service has been checked once: discovery,
# the configuration reload, then first checks spread over one interval.
PRIME_DEADLINE=$((3 * INTERVAL + 300))
GOAL_PCT=5

HZ=$(getconf CLK_TCK)
SNMPD=$(command -v snmpd)
AGENT_PIDS=()
DAEMON_PID=""
PERF_PID=""
WORK=""
FAILED=0

cleanup() {
	local p
	trap - EXIT INT TERM
	[ -n "$PERF_PID" ] && stop_pid "$PERF_PID"
	[ -n "$DAEMON_PID" ] && stop_pid "$DAEMON_PID"
	for p in "${AGENT_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${AGENT_PIDS[@]}"; do
		stop_pid "$p"
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WORK=$(mktemp -d /tmp/pharos-sdbench.XXXXXX) || die "mktemp failed"
# pharosd runs as nobody after start: let it own its folder.
chmod 0755 "$WORK"

# --- the network --------------------------------------------------------------
ip link set lo up || die "cannot set lo up"
# Interfaces whose ifType is ethernetCsmacd (6), which the switch profile
# keeps: ifb, else dummy, else veth pairs (all three show as 6).
bench_ifaces "$IFACES" ifb dummy veth
[ -n "$IFKIND" ] || die "cannot create interfaces (ifb, dummy, veth)"
NIF=$(ip -o link show | wc -l)

# --- the agents ---------------------------------------------------------------
# Agent i (0-based) is agent_addr i, 127.1.(i/250).(i%250+1):161, served
# by snmpd number i % NSNMPD.
bench_snmpds "$NAGENTS" "$NSNMPD"
# snmpd serves UCD ssCpuIdle (the profile's CPU service) only once it has
# sampled the CPU for a while (about a minute): wait for it (150 s at most)
# so that every switch has its CPU service from the first discovery on.
t_cpu=$SECONDS
for _ in $(seq 1 75); do
	ok=1
	for ((k = 0; k < NSNMPD && k < NAGENTS; k++)); do
		snmpget -v2c -c public -t 1 -r 0 -Oqv "$(agent_addr "$k")" \
		    .1.3.6.1.4.1.2021.11.11.0 2>/dev/null | grep -qE '^[0-9]+$' ||
		    { ok=""; break; }
	done
	[ -n "$ok" ] && break
	sleep 2
done
[ -n "$ok" ] || echo "note: snmpd serves no ssCpuIdle: the switches get no CPU service"
echo "waited $((SECONDS - t_cpu)) s for the agents' ssCpuIdle"
# What the switch profile will see: Ethernet (6/117/161) and admin up.
# Their ifIndexes (the interfaces created and deleted above took some).
mapfile -t ETH_IDX < <(snmpwalk -v2c -c public -On -t 2 -r 1 "$(agent_addr 0)" \
    .1.3.6.1.2.1.2.2.1.3 2>/dev/null |
    awk '$NF == 6 || $NF == 117 || $NF == 161 { n = split($1, o, "."); print o[n] }')
ETH=${#ETH_IDX[@]}
((ETH >= IFACES)) || die "the agents show $ETH Ethernet interfaces, not $IFACES"

# --- pharosd's configuration ----------------------------------------------------
SOCK=$WORK/pharos.qh
cat >"$WORK/pharos.cfg" <<EOF
# pharosd_snmp_cpu.sh: $NAGENTS switches, every check every $INTERVAL s
cfg_file=objects.cfg
log_file=$WORK/pharos.log
query_socket=$SOCK
pharos_user=nobody
pharos_group=nogroup
interval_length=1
discovery_cache_file=$WORK/discovery.json
profile_dir=$SRC/probes/profiles
discovered_service_template=bench-service
EOF
{
	# max_check_attempts 1 and retry_interval = check_interval: a
	# non-OK result never makes the checks run more often.
	cat <<EOF
define service {
	name                 bench-service
	check_interval       $INTERVAL
	retry_interval       $INTERVAL
	max_check_attempts   1
	register             0
}
define host {
	name                 bench-switch
	check_command        snmp!.1.3.6.1.2.1.1.3.0
	check_interval       $INTERVAL
	retry_interval       $INTERVAL
	max_check_attempts   1
	snmp_timeout         2
	snmp_retries         1
	register             0
}
EOF
	for ((i = 0; i < NAGENTS; i++)); do
		printf 'define host {\n\tuse bench-switch\n\thost_name sw%d\n' "$i"
		printf '\taddress %s\n\tdevice_profile switch\n}\n' "$(agent_addr "$i")"
	done
} >"$WORK/objects.cfg"
chown -R nobody:nogroup "$WORK"

# --- measuring ----------------------------------------------------------------
# cpu_ticks, fmt, div, settle: lib.sh
proc_ticks() { # PID...: utime + stime + cutime + cstime, summed
	local p t=0 x
	for p in "$@"; do
		# fields after "(comm)": 14-17 are $12-$15
		x=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')
		t=$((t + ${x:-0}))
	done
	echo "$t"
}
status_kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
ctx_switches() { awk '/ctxt_switches:/ { s += $2 } END { print s + 0 }' "/proc/$1/status"; }
# The status of one host (small answer) with the program counters.
prog() { # prints .program as one JSON line, or nothing
	"$PHAROS" -s "$SOCK" -t 30 status --json --host sw0 2>/dev/null |
	    jq -c '(.data // .).program // empty' 2>/dev/null
}
pending() { # hosts and services still PENDING, one number, or nothing
	"$PHAROS" -s "$SOCK" -t 30 status --json --state PENDING 2>/dev/null |
	    jq '(.data // .) | ((.hosts // []) | length) + ((.services // []) | length)' 2>/dev/null
}
alive() { kill -0 "$DAEMON_PID" 2>/dev/null; }

BUSY="note: the machine is busy (other processes use CPU)"

c0=$(cpu_ticks)
sleep 2
echo "background load before the run: $(awk -v a="$c0" -v b="$(cpu_ticks)" \
    -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / 2 }') CPUs busy"
echo "agents: $NAGENTS on 127.1.x.y:161 served by $NSNMPD snmpd processes;" \
    "$NIF interfaces ($((NIF - 1)) $IFKIND + lo), $ETH of them Ethernet"

# --- start pharosd and wait for its steady state ---------------------------------
# start_daemon: starts pharosd and waits (bounded) until its first
# discoveries have ended and the engine runs: its "monitoring N hosts and
# M services" on stderr. No status query before: pharosd before commit
# b782b2f crashed on one while it primed.
start_daemon() {
	local end=$((SECONDS + PRIME_DEADLINE))
	T_START=$EPOCHREALTIME
	a_start=$(proc_ticks "${AGENT_PIDS[@]}")
	: >"$WORK/pharosd.out"
	"$PHAROSD" "$WORK/pharos.cfg" >"$WORK/pharosd.out" 2>&1 &
	DAEMON_PID=$!
	while ((SECONDS < end)); do
		alive || { cat "$WORK/pharosd.out" >&2; DAEMON_PID=""; die "pharosd exited"; }
		grep -qE 'monitoring [0-9]+ hosts and [0-9]+ services' "$WORK/pharosd.out" &&
		    return 0
		sleep 1
	done
	tail -n 20 "$WORK/pharosd.out" >&2
	die "pharosd did not end its first discoveries within $PRIME_DEADLINE s"
}
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# In the first burst of discoveries (every agent at once) some time out:
# pharosd rewrites the whole cache after each discovery, on its event
# loop, and answers wait meanwhile (see README.md). Such a host has no
# services until its retry 10 minutes later. The cache keeps the ones that
# succeeded, so pharosd is started again (3 starts at most) until the
# cache holds every host.
for start in 1 2 3; do
	nlog=0
	[ -e "$WORK/pharos.log" ] && nlog=$(wc -l <"$WORK/pharos.log")
	start_daemon
	P=$(prog)
	ncached=$(jq '.hosts | length' "$WORK/discovery.json" 2>/dev/null || echo 0)
	echo "start $start: discoveries done and configuration loaded after $(since "$T_START") s" \
	    "(CPU meanwhile: pharosd $(div "$(proc_ticks "$DAEMON_PID")" "$HZ" 1) s," \
	    "agents $(div $(($(proc_ticks "${AGENT_PIDS[@]}") - a_start)) "$HZ" 1) s):" \
	    "$(jq -r '"\(.services) services; \(.snmp.discovery.ok) discoveries ok, \(.snmp.discovery.failed) failed"' <<<"$P" 2>/dev/null)"
	((ncached >= NAGENTS)) && break
	echo "  $((NAGENTS - ncached)) hosts not discovered; the reasons:"
	tail -n +"$((nlog + 1))" "$WORK/pharos.log" | grep 'SNMP DISCOVERY: .*;FAILED;' |
	    sed 's/^\[[0-9]*\] SNMP DISCOVERY: [^;]*;[^;]*;FAILED;//' |
	    sed -E 's/127\.[0-9.]+/ADDR/g' | sort | uniq -c | sort -rn | head -n 3
	((start < 3)) || break
	echo "  starting pharosd again to discover them"
	stop_pid "$DAEMON_PID"
	DAEMON_PID=""
done
if ((ncached < NAGENTS)); then
	echo "!! $((NAGENTS - ncached)) of $NAGENTS hosts were never discovered" >&2
	FAILED=1
fi

end=$((SECONDS + PRIME_DEADLINE))
T_PRIMED=""
while ((SECONDS < end)); do
	alive || { cat "$WORK/pharosd.out" >&2; DAEMON_PID=""; die "pharosd exited"; }
	if [ "$(pending)" = 0 ]; then
		T_PRIMED=$EPOCHREALTIME
		break
	fi
	sleep 5
done
[ -n "$T_PRIMED" ] || {
	tail -n 20 "$WORK/pharosd.out" >&2
	die "pharosd did not check every service once within $PRIME_DEADLINE s"
}
echo "every host and service checked once $(since "$T_START") s after the start"

# --- the window ---------------------------------------------------------------------
settle 20 "$BUSY"
P0=$(prog)
[ -n "$P0" ] || die "pharosd does not answer"
d0=$(proc_ticks "$DAEMON_PID")
x0=$(ctx_switches "$DAEMON_PID")
a0=$(proc_ticks "${AGENT_PIDS[@]}")
m0=$(cpu_ticks)
t0=$EPOCHREALTIME
echo "measuring pharosd for $WINDOW s"
end=$((SECONDS + WINDOW))
while ((SECONDS < end)); do
	alive || break
	left=$((end - SECONDS))
	sleep $((left < 5 ? left : 5))
done
alive || { cat "$WORK/pharosd.out" >&2; DAEMON_PID=""; die "pharosd exited during the window"; }
d1=$(proc_ticks "$DAEMON_PID")
x1=$(ctx_switches "$DAEMON_PID")
a1=$(proc_ticks "${AGENT_PIDS[@]}")
m1=$(cpu_ticks)
t1=$EPOCHREALTIME
P1=$(prog)
[ -n "$P1" ] || die "pharosd does not answer"
RSS=$(status_kib "$DAEMON_PID" VmRSS)
HWM=$(status_kib "$DAEMON_PID" VmHWM)

delta() { # JQ_PATH: P1 - P0
	echo $(($(jq -r "$1" <<<"$P1") - $(jq -r "$1" <<<"$P0")))
}
WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
D_CPU=$(div $((d1 - d0)) "$HZ" 2)
A_CPU=$(div $((a1 - a0)) "$HZ" 2)
M_CPU=$(div $((m1 - m0)) "$HZ" 2)
NH=$(jq -r .hosts <<<"$P1")
NS=$(jq -r .services <<<"$P1")
SVC_CHECKS=$(delta .checks.service_checks)
HOST_CHECKS=$(delta .checks.host_checks)
SNMP_FIN=$(delta .snmp.checks.finished)
TIMEOUTS=$(delta .snmp.timeouts)
ERRORS=$(delta .snmp.errors)
D_PCT=$(div "$(awk -v c="$D_CPU" 'BEGIN { print c * 100 }')" "$WALL" 2)
A_PCT=$(div "$(awk -v c="$A_CPU" 'BEGIN { print c * 100 }')" "$WALL" 2)
PER_CHECK=$(div "$(awk -v c="$D_CPU" 'BEGIN { print c * 1e6 }')" "$SNMP_FIN" 1)
PER_MIN=$(div "$(awk -v n="$SNMP_FIN" 'BEGIN { print n * 60 }')" "$WALL" 0)
EXPECT=$(div "$(awk -v n="$((NH + NS))" -v w="$WALL" 'BEGIN { print n * w }')" "$INTERVAL" 0)

# The services by kind and state, once, after the window (a large answer).
"$PHAROS" -s "$SOCK" -t 60 status --json >"$WORK/status.json" 2>/dev/null
KINDS=$(jq -r '(.data // .).services | group_by(.description | sub(" .*"; "")) |
    map("\(.[0].description | sub(" .*"; "")) \(length)") | join(", ")' "$WORK/status.json" 2>/dev/null)
STATES=$(jq -r '(.data // .).services | group_by(.state) |
    map("\(.[0].state) \(length)") | join(", ")' "$WORK/status.json" 2>/dev/null)

# --- optional profile ------------------------------------------------------------------
if ((PERF_S > 0)); then
	if command -v perf >/dev/null 2>&1; then
		# DWARF call graphs: pharosd is built without frame pointers
		echo "perf record --call-graph dwarf of pharosd for $PERF_S s"
		perf record --call-graph dwarf -o "$WORK/perf.data" -p "$DAEMON_PID" \
		    -- sleep "$PERF_S" \
		    >"$WORK/perf.out" 2>&1 &
		PERF_PID=$!
		wait "$PERF_PID"
		PERF_PID=""
		echo "-- by shared object"
		perf report -i "$WORK/perf.data" --no-children --stdio -g none \
		    --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -n 8
		echo "-- by symbol"
		perf report -i "$WORK/perf.data" --no-children --stdio -g none \
		    --sort dso,symbol 2>/dev/null | grep -E '^ +[0-9]' | head -n 40
		echo "-- call graphs (perf report --no-children | head -60)"
		perf report -i "$WORK/perf.data" --no-children --stdio 2>/dev/null |
		    grep -v -e '^$' -e '^#' | head -n 60
	else
		echo "note: no perf: no profile"
	fi
fi

# --- the peer: check_snmp, one process per check -------------------------------------------
PL_CPU="" PL_WALL="" PL_PER="" PL_PCT="" PL_ACPU="" PL_FAIL=0 PL_VER=""
if ((RUNS > 0)) && [ -x "$CHECK_SNMP" ]; then
	PL_VER=$("$CHECK_SNMP" -V 2>/dev/null | head -n 1)
	# ifOperStatus (up: 1) of an Ethernet interface k of agent i, round
	# robin over agents and interfaces.
	plugin_loop() {
		local r i k fail=0 end=$((SECONDS + 600))
		for ((r = 0; r < RUNS; r++)); do
			i=$((r % NAGENTS)) k=${ETH_IDX[r % ETH]}
			"$CHECK_SNMP" -H "$(agent_addr "$i")" -P 2c -C public -t 2 \
			    -o ".1.3.6.1.2.1.2.2.1.8.$k" -c 1:1 >/dev/null 2>&1 ||
			    fail=$((fail + 1))
			((SECONDS < end)) || { fail=$((fail + RUNS - r - 1)); break; }
		done
		echo "$fail" >"$WORK/plugin.fail"
	}
	# pharosd keeps running meanwhile (its CPU is not measured here).
	settle 20 "$BUSY"
	pa0=$(proc_ticks "${AGENT_PIDS[@]}")
	pt0=$EPOCHREALTIME
	(plugin_loop; times >"$WORK/plugin.times")
	pt1=$EPOCHREALTIME
	pa1=$(proc_ticks "${AGENT_PIDS[@]}")
	PL_FAIL=$(cat "$WORK/plugin.fail" 2>/dev/null || echo "$RUNS")
	PL_WALL=$(awk -v a="$pt0" -v b="$pt1" 'BEGIN { printf "%.2f", b - a }')
	# `times` line 2: the CPU of the subshell's children (check_snmp and
	# the snmpget it runs), user and system
	PL_CPU=$(awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2]
		}
		printf "%.3f", s }' "$WORK/plugin.times")
	PL_ACPU=$(div $((pa1 - pa0)) "$HZ" 2)
	PL_PER=$(div "$(awk -v c="$PL_CPU" 'BEGIN { print c * 1e6 }')" "$RUNS" 0)
	# the CPU the same checks per second as pharosd's window would need
	PL_PCT=$(awk -v per="$PL_PER" -v n="$SNMP_FIN" -v w="$WALL" \
	    'BEGIN { printf "%.1f", per / 1e6 * n / w * 100 }')
fi

# --- report -----------------------------------------------------------------------------------
echo
echo "pharosd, switch profile: $NH hosts, $NS services, every check every $INTERVAL s"
kv() { printf '  %-34s %s\n' "$1" "$2"; }
kv "services by kind" "${KINDS:-?}"
kv "services by state (after)" "${STATES:-?}"
kv "window" "$WALL s"
kv "checks in the window" "$SNMP_FIN SNMP checks ($SVC_CHECKS service, $HOST_CHECKS host); expected about $EXPECT"
kv "checks per minute" "$PER_MIN"
kv "SNMP timeouts / errors in the window" "$TIMEOUTS / $ERRORS"
kv "pharosd CPU" "$D_CPU s = $D_PCT% of one core (goal < $GOAL_PCT%)"
kv "pharosd CPU per check" "$PER_CHECK us"
kv "pharosd wakeups (context switches)" "$(div $((x1 - x0)) "$WALL" 0)/s, $(div $((x1 - x0)) "$SNMP_FIN" 2) per check"
kv "agents' CPU ($NSNMPD snmpd)" "$A_CPU s = $A_PCT% of one core"
kv "whole machine busy" "$M_CPU CPU s over the window ($(nproc) CPUs)"
kv "pharosd VmRSS / VmHWM" "$RSS KiB / $HWM KiB"
if [ -n "$PL_CPU" ]; then
	echo
	echo "peer: $PL_VER, -o ifOperStatus.N (one OID; it runs snmpget), $RUNS runs"
	kv "wall / CPU (check_snmp + snmpget)" "$PL_WALL s / $PL_CPU s ($PL_FAIL failed)"
	kv "agents' CPU meanwhile" "$PL_ACPU s"
	kv "CPU per check" "$PL_PER us"
	kv "for $PER_MIN checks per minute" "$PL_PCT% of one core"
	echo
	printf '  %-26s %12s %12s %10s\n' "" "pharosd" "check_snmp" "ratio"
	printf '  %-26s %12s %12s %10s\n' "CPU per check (us)" "$PER_CHECK" "$PL_PER" \
	    "$(div "$PL_PER" "$PER_CHECK" 1)x"
	printf '  %-26s %12s %12s %10s\n' "% of one core" "$D_PCT" "$PL_PCT" \
	    "$(div "$PL_PCT" "$D_PCT" 1)x"
fi
echo
if awk -v p="$D_PCT" -v g="$GOAL_PCT" 'BEGIN { exit !(p < g) }'; then
	echo "goal: pharosd under $GOAL_PCT% of one core: met ($D_PCT%)"
else
	echo "goal: pharosd under $GOAL_PCT% of one core: NOT met ($D_PCT%)"
fi
echo "$("$PHAROS" -V 2>/dev/null | head -n 1), net-snmp $(snmpget -V 2>&1 | sed 's/.*: *//')," \
    "kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d)"

# --- failures -----------------------------------------------------------------------------------
if ((SNMP_FIN == 0)); then
	echo "!! no check finished in the window" >&2
	FAILED=1
fi
if ((TIMEOUTS > 0)); then
	echo "!! $TIMEOUTS SNMP timeouts in the window" >&2
	FAILED=1
fi
if [ -n "$PL_CPU" ] && ((PL_FAIL > 0)); then
	echo "!! check_snmp failed $PL_FAIL of $RUNS times" >&2
	FAILED=1
fi
if ((FAILED)); then
	echo "pharosd_snmp_cpu: FAILED: see the !! lines above" >&2
	exit 1
fi
exit 0
