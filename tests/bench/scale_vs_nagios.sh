#!/bin/bash
# scale_vs_nagios.sh: the 10,000-device benchmark (docs/performance.md).
# One generated network -- hosts on loopback 127.x addresses, SNMP agents
# simulated by snmpsimd on loopback serving many communities -- checked
# in turn by:
#   pharosd    alone (ICMP, SNMP and plugins in one process);
#   workers    pharosd sending every check through gearmand to two local
#              pharos-worker processes (docs/scaling.md);
#   nagios     Nagios 4 (Debian's nagios4-core) in the foreground with the
#              equivalent configuration: check_icmp, check_snmp,
#              check_dummy.
#   pharosd-rrd  pharosd alone writing every metric to RRD files (Nagios
#              writes none: compare the first three rows for checks).
#   pharosd-rrdcached  the same through rrdcached (rrdcached_address;
#              its CPU counted too), as docs/scaling.md deploys it at scale.
# For each: checks per second, check latency (scheduled -> started), the
# CPU of the whole process tree (plugins, workers and gearmand included,
# from a cpuacct cgroup), resident memory, RRD updates per second
# (pharosd's metric store), CPU per check. Then a side-by-side table.
#
# Run by hand, as root, never in CI; it changes nothing outside the private
# network namespace it runs in (unshare -n) and its temp folder:
#   cd build && make pharos pharosd pharos-worker
#   sudo bash ../tests/bench/scale_vs_nagios.sh --quick
#   sudo bash ../tests/bench/scale_vs_nagios.sh           # the full run
# --quick: 1,000 hosts, every check each minute, 60 s windows (~6 min).
# The full run: 10,000 hosts, 50,000 services at 1- to 5-minute
# intervals, 600 s windows (each system runs warm-up + window: ~35 min).
# Environment: BENCH_HOSTS (10000), BENCH_SVCS (services per host, 5),
# BENCH_MAX_INTERVAL (minutes, 5: hosts get 1..N), BENCH_SECONDS (window,
# 600), BENCH_WARMUP (seconds before the window, 60), BENCH_SYSTEMS
# ("pharosd workers nagios"; add pharosd-rrd, pharosd-rrdcached with
# fewer hosts: their files take ~20 MB per host), BENCH_RRD_WARMUP
# (seconds before the RRD rows' windows, default one longest interval + 15 s: every RRD
# file exists by then), PHAROSD, PHAROS, PHAROS_WORKER (binaries; default $top_builddir's, ./,
# else the source tree's).
#
# Service mix per host (by a fixed rotation): 70% ICMP, 25% SNMP
# (sysUpTime from snmpsimd), 5% a plugin (check_dummy); host checks ICMP.
# pharosd's service check latency median and p99 come from pharosd itself
# (`pharos stats`: log-bucket histograms of the last 1 minute, used for
# windows up to 60 s, or 5 minutes). Nagios' latency and check counts come
# from its perfdata files ($SERVICELATENCY$ per check), not from nagiostats.
# shellcheck disable=SC2016,SC2317
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
ME="$HERE/$(basename "$0")"
PLUG=/usr/lib/nagios/plugins

die() {
	echo "scale_vs_nagios: $*" >&2
	exit 1
}
. "$HERE/lib.sh"

for arg in "$@"; do
	case $arg in
	--quick) BENCH_QUICK=1 ;;
	-h | --help)
		sed -n '2,/^# shellcheck/{/^# shellcheck/d;s/^# \{0,1\}//p;}' "$ME"
		exit 0
		;;
	*) die "unknown argument: $arg (--quick, --help)" ;;
	esac
done
export BENCH_QUICK=${BENCH_QUICK:-}

PHAROS=${PHAROS:-$(pick pharos)}
PHAROSD=${PHAROSD:-$(pick pharosd)}
PHAROS_WORKER=${PHAROS_WORKER:-$(pick pharos-worker)}
export PHAROS PHAROSD PHAROS_WORKER

if [ -z "${BENCH_IN_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root (network namespace, cgroups)"
	for b in "$PHAROS" "$PHAROSD" "$PHAROS_WORKER"; do
		[ -x "$b" ] || die "$b is not built (make pharos pharosd pharos-worker)"
	done
	need() {
		command -v "$1" >/dev/null 2>&1 && return 0
		echo "installing $2"
		apt-get install -y --no-install-recommends "$2" >/dev/null 2>&1 ||
		    { apt-get update >/dev/null 2>&1 &&
		    apt-get install -y --no-install-recommends "$2" >/dev/null 2>&1; }
	}
	need jq jq || die "cannot install jq"
	need snmpsimd snmpsim || die "cannot install snmpsim"
	need gearmand gearman-job-server || die "cannot install gearman-job-server"
	need nagios4 nagios4-core || die "cannot install nagios4-core"
	[ -x "$PLUG/check_icmp" ] || need "$PLUG/check_icmp" monitoring-plugins-basic
	[ -x "$PLUG/check_snmp" ] || need "$PLUG/check_snmp" monitoring-plugins-standard
	[ -d /sys/fs/cgroup/cpuacct ] || die "needs the cgroup v1 cpuacct controller"
	BENCH_IN_NETNS=1 exec unshare -n -- bash "$ME" "$@"
fi

# --- settings -----------------------------------------------------------------
if [ -n "$BENCH_QUICK" ]; then
	: "${BENCH_HOSTS:=1000}" "${BENCH_MAX_INTERVAL:=1}" "${BENCH_SECONDS:=60}"
	: "${BENCH_WARMUP:=15}"
fi
HOSTS=${BENCH_HOSTS:-10000}
SVCS=${BENCH_SVCS:-5}
MAXIV=${BENCH_MAX_INTERVAL:-5}
WINDOW=${BENCH_SECONDS:-600}
WARMUP=${BENCH_WARMUP:-60}
SYSTEMS=${BENCH_SYSTEMS:-pharosd workers nagios}
# RRD files are made at each metric's first value: the RRD run's window
# starts after every check ran once.
RRD_WARMUP=${BENCH_RRD_WARMUP:-$((MAXIV * 60 + 15))}
for v in HOSTS SVCS MAXIV WINDOW WARMUP RRD_WARMUP; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number: ${!v}"
done
((HOSTS >= 1 && HOSTS <= 60000)) || die "BENCH_HOSTS: 1 to 60000"
((SVCS <= 20 && MAXIV >= 1 && MAXIV <= 60)) || die "bad BENCH_SVCS or BENCH_MAX_INTERVAL"
((WINDOW >= 10 && WINDOW <= 7200)) || die "BENCH_SECONDS: 10 to 7200"
NCOMM=100 # SNMP communities (recordings) snmpsimd serves
# The RRD rows make every file (about 540 KB per data source with the
# default RRAs: 4.3 MB per ICMP object, 0.6 MB per sysUpTime service):
# about 200 GB at 10,000 hosts, so they are not run by default.
RRD_MB=$(awk -v h="$HOSTS" -v s="$SVCS" 'BEGIN { printf "%d", h * (4.3 + s * (0.70 * 4.3 + 0.25 * 0.6)) }')
case " $SYSTEMS " in
*" pharosd-rrd "* | *" pharosd-rrdcached "*)
	free_mb=$(df --output=avail -m /tmp | tail -n 1 | tr -d ' ')
	((RRD_MB < free_mb * 9 / 10)) ||
	    die "the RRD rows need about $RRD_MB MB for $HOSTS hosts; /tmp has $free_mb MB free (set BENCH_HOSTS lower)"
	;;
esac
NEP=16    # snmpsimd endpoints 127.2.0.1..16:1161
HZ_NS=1000000000

WORK=$(mktemp -d /tmp/pharos-scalebench.XXXXXX) || die "mktemp failed"
chmod 0755 "$WORK"
CG=/sys/fs/cgroup/cpuacct/pharos-scalebench-$$
PIDS=()

stop_all() {
	local p
	for p in "${PIDS[@]}"; do
		stop_pid "$p" 100
	done
	PIDS=()
}

cleanup() {
	trap - EXIT INT TERM
	stop_all
	[ -n "${SNMPSIM_PID:-}" ] && stop_pid "$SNMPSIM_PID" 100
	[ -d "$CG" ] && rmdir "$CG" 2>/dev/null
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip link set lo up || die "no loopback in the namespace"
mkdir "$CG" || die "cannot make the cgroup $CG"

# start NAME CMD...: run CMD in the benchmark's cgroup (everything it
# forks is counted there too); the PID is CMD's.
start() {
	local name=$1
	shift
	bash -c 'echo $$ > "$0/tasks" && exec "$@"' "$CG" "$@" \
	    >"$WORK/$name.out" 2>&1 &
	PIDS+=("$!")
}

cg_cpu_ns() {
	cat "$CG/cpuacct.usage"
}

# Resident memory of every process in the cgroup (kB).
cg_rss_kb() {
	local p sum=0 r
	for p in $(cat "$CG/cgroup.procs"); do
		r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${r:-0}))
	done
	echo "$sum"
}

# --- the simulated SNMP agents ------------------------------------------------
mkdir -p "$WORK/snmp" "$WORK/snmpsim-tmp"
{
	echo "1.3.6.1.2.1.1.1.0|4|Pharos benchmark agent"
	echo "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10"
	echo "1.3.6.1.2.1.1.3.0|67|123456"
	echo "1.3.6.1.2.1.1.5.0|4|bench"
} >"$WORK/snmp/c0.snmprec"
for ((c = 1; c < NCOMM; c++)); do
	ln -s c0.snmprec "$WORK/snmp/c$c.snmprec"
done
EPS=()
for ((e = 1; e <= NEP; e++)); do
	EPS+=("--agent-udpv4-endpoint=127.2.0.$e:1161")
done
chown -R nobody:nogroup "$WORK/snmp" "$WORK/snmpsim-tmp"
snmpsimd --data-dir="$WORK/snmp" --cache-dir="$WORK/snmpsim-tmp" \
    "${EPS[@]}" --process-user=nobody --process-group=nogroup \
    --logging-method="file:$WORK/snmpsimd.log" </dev/null \
    >"$WORK/snmpsim.out" 2>&1 &
SNMPSIM_PID=$!
for _ in $(seq 1 100); do
	snmpget -v2c -c c1 -t 1 -r 0 127.2.0.1:1161 .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 && break
	kill -0 "$SNMPSIM_PID" 2>/dev/null || die "snmpsimd did not start: $(tail -3 "$WORK/snmpsim.out")"
	sleep 0.2
done
snmpget -v2c -c c1 -t 1 -r 0 127.2.0.1:1161 .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 ||
    die "snmpsimd does not answer"

# --- the generated network ----------------------------------------------------
# Host h: address 127.1.(h/250).(h%250+1), except every SNMP host, which
# takes one of snmpsimd's endpoints (a real agent must answer there);
# interval 1 + h % MAXIV minutes. Service s of host h is kind
# (h * SVCS + s) % 20: 0-13 ICMP, 14-18 SNMP, 19 plugin.
gen() { # gen pharos|nagios WORKERS(0|1) DIR
	awk -v sys="$1" -v workers="$2" -v H="$HOSTS" -v S="$SVCS" \
	    -v M="$MAXIV" -v NC="$NCOMM" -v NE="$NEP" -v P="$PLUG" '
	function kind(h, s) { k = (h * S + s) % 20; return k < 14 ? "icmp" : (k < 19 ? "snmp" : "plugin") }
	BEGIN {
		if (sys == "nagios") {
			print "define timeperiod {\n timeperiod_name 24x7\n alias 24x7\n sunday 00:00-24:00\n monday 00:00-24:00\n tuesday 00:00-24:00\n wednesday 00:00-24:00\n thursday 00:00-24:00\n friday 00:00-24:00\n saturday 00:00-24:00\n}"
			print "define command {\n command_name none\n command_line /bin/true\n}"
			print "define contact {\n contact_name nobody\n host_notification_period 24x7\n service_notification_period 24x7\n host_notification_commands none\n service_notification_commands none\n}"
			print "define command {\n command_name check_icmp\n command_line " P "/check_icmp -H $HOSTADDRESS$ -w 200.0,40% -c 500.0,80%\n}"
			print "define command {\n command_name check_snmp_uptime\n command_line " P "/check_snmp -H $HOSTADDRESS$ -p 1161 -P 2c -C $ARG1$ -o .1.3.6.1.2.1.1.3.0\n}"
			print "define command {\n command_name check_dummy\n command_line " P "/check_dummy 0 OK\n}"
		} else
			print "define command {\n command_name check_dummy\n command_line " P "/check_dummy 0 OK\n}"
		for (h = 0; h < H; h++) {
			snmp = 0
			for (s = 0; s < S; s++) if (kind(h, s) == "snmp") snmp = 1
			addr = snmp ? sprintf("127.2.0.%d", h % NE + 1) : sprintf("127.1.%d.%d", int(h / 250), h % 250 + 1)
			iv = 1 + h % M
			printf "define host {\n host_name h%d\n address %s\n check_interval %d\n retry_interval 1\n max_check_attempts 3\n", h, addr, iv
			if (sys == "nagios")
				printf " check_command check_icmp\n check_period 24x7\n notification_period 24x7\n contacts nobody\n notifications_enabled 0\n"
			else {
				printf " snmp_community c%d\n snmp_port 1161\n", h % NC
				if (workers) printf " poller bench\n"
			}
			print "}"
			for (s = 0; s < S; s++) {
				k = kind(h, s)
				printf "define service {\n host_name h%d\n service_description s%d\n check_interval %d\n retry_interval 1\n max_check_attempts 3\n", h, s, iv
				if (sys == "nagios") {
					cmd = k == "icmp" ? "check_icmp" : (k == "snmp" ? "check_snmp_uptime!c" (h % NC) : "check_dummy")
					printf " check_command %s\n check_period 24x7\n notification_period 24x7\n contacts nobody\n notifications_enabled 0\n", cmd
				} else {
					cmd = k == "icmp" ? "icmp" : (k == "snmp" ? "snmp!.1.3.6.1.2.1.1.3.0" : "check_dummy")
					printf " check_command %s\n", cmd
				}
				print "}"
			}
		}
	}' >"$3/objects.cfg"
}

# --- pharosd, alone or with workers -------------------------------------------
run_pharos() { # run_pharos NAME WORKERS(0|1) RRD(0|1|2: rrdcached) WARMUP
	local name=$1 workers=$2 rrd=$3 warm=$4 d="$WORK/$1" c0 c1 s0 s1 w0 w1 st
	mkdir -p "$d"
	gen pharos "$workers" "$d"
	{
		echo "cfg_file=objects.cfg"
		echo "log_file=$d/pharos.log"
		echo "query_socket=$d/pharos.qh"
		echo "pharos_user=nobody"
		echo "pharos_group=nogroup"
		echo "enable_notifications=0"
		echo "service_check_timeout=30"
		echo "host_check_timeout=30"
		[ "$rrd" != 0 ] && echo "rrd_dir=$d/rrd"
		[ "$rrd" = 2 ] && echo "rrdcached_address=unix:$WORK/rrdcached.sock"
		if [ "$workers" = 1 ]; then
			echo "gearman_servers=127.0.0.1:4730"
			echo "poller_key_file=$WORK/poller.key"
		fi
	} >"$d/pharos.cfg"
	mkdir -p "$d/rrd"
	chown -R nobody:nogroup "$d"
	if [ "$rrd" = 2 ]; then
		# As docs/scaling.md runs it: files written every 30 minutes
		# (spread over 30 more), every update journaled.
		mkdir -p "$WORK/rrdcached-journal"
		start rrdcached rrdcached -g -p "$WORK/rrdcached.pid" -m 0666 \
		    -l "unix:$WORK/rrdcached.sock" -j "$WORK/rrdcached-journal" \
		    -b "$d/rrd" -B -w 1800 -z 1800 -f 3600 -t 4
		for _ in $(seq 1 50); do
			[ -S "$WORK/rrdcached.sock" ] && break
			sleep 0.1
		done
		[ -S "$WORK/rrdcached.sock" ] ||
		    die "rrdcached did not start: $(tail -3 "$WORK/rrdcached.out")"
	fi
	if [ "$workers" = 1 ]; then
		head -c 32 /dev/urandom >"$WORK/poller.key"
		chmod 600 "$WORK/poller.key"
		start gearmand gearmand --listen 127.0.0.1 --port 4730 \
		    --job-retries 1 --threads 2 --log-file none
		for _ in $(seq 1 50); do
			bash -c 'exec 3<>/dev/tcp/127.0.0.1/4730' 2>/dev/null && break
			sleep 0.1
		done
		start worker1 "$PHAROS_WORKER" -s 127.0.0.1:4730 -p bench \
		    -k "$WORK/poller.key" -n 512 -i w1 -u nobody -g nogroup
		start worker2 "$PHAROS_WORKER" -s 127.0.0.1:4730 -p bench \
		    -k "$WORK/poller.key" -n 512 -i w2 -u nobody -g nogroup
	fi
	"$PHAROSD" -v "$d/pharos.cfg" >"$d/verify.out" 2>&1 ||
	    die "$name: the configuration does not verify: $(tail -5 "$d/verify.out")"
	start "$name" "$PHAROSD" "$d/pharos.cfg"
	PD_PID=${PIDS[-1]}
	for _ in $(seq 1 300); do
		"$PHAROS" -s "$d/pharos.qh" stats --json >/dev/null 2>&1 && break
		kill -0 "$PD_PID" 2>/dev/null || die "$name: pharosd died: $(tail -5 "$WORK/$name.out")"
		sleep 0.2
	done
	echo "$name: warm-up ${warm}s, then a ${WINDOW}s window"
	sleep "$warm"
	c0=$(cg_cpu_ns)
	s0=$("$PHAROS" -s "$d/pharos.qh" stats --json)
	# The program section and the counts only: a full status answer of
	# 10,000 hosts exceeds the query socket's 16 MB cap.
	local sreq='{"v":1,"op":"status","brief":true,"limit":1,"fields":["state"]}'
	w0=$("$PHAROS" -s "$d/pharos.qh" raw "$sreq" | jq '.data.program.store.written // 0')
	sleep "$WINDOW"
	c1=$(cg_cpu_ns)
	s1=$("$PHAROS" -s "$d/pharos.qh" stats --json)
	st=$("$PHAROS" -s "$d/pharos.qh" raw "$sreq")
	w1=$(jq '.data.program.store.written // 0' <<<"$st")
	R_RSS=$(cg_rss_kb)
	R_HWM=$(awk '/^VmHWM:/ { print $2 }' "/proc/$PD_PID/status")
	R_CHECKS=$(jq -n --argjson a "$s0" --argjson b "$s1" \
	    '($b.hosts.active_checks.total + $b.services.active_checks.total) -
	     ($a.hosts.active_checks.total + $a.services.active_checks.total)')
	R_CPU=$(awk -v a="$c0" -v b="$c1" -v n="$HZ_NS" 'BEGIN { printf "%.2f", (b - a) / n }')
	# Median and p99 from pharosd's own histograms (pharos stats): of the
	# last minute for windows up to 60 s, else of the last 5 minutes.
	pw=last_5min
	((WINDOW <= 60)) && pw=last_1min
	R_LAT=$(jq -r --arg w "$pw" '.services.latency as $l |
	    if $l.recent then
	    "median \($l.recent[$w].p50 * 1000 | . * 10 | floor / 10) ms, p99 \($l.recent[$w].p99 * 1000 | . * 10 | floor / 10) ms (max \($l.max * 1000 | floor) ms)"
	    else "avg \($l.avg * 1000 | . * 10 | floor / 10) ms, max \($l.max * 1000 | floor) ms" end' <<<"$s1")
	R_LAT_MAX=$(jq -r '.services.latency.max' <<<"$s1")
	R_RRD=$(awk -v a="$w0" -v b="$w1" -v w="$WINDOW" 'BEGIN { printf "%.0f", (b - a) / w }')
	R_BAD=$(jq '[.data.counts.services // {} | to_entries[] | select(.key != "OK" and .key != "PENDING") | .value.total] | add // 0' <<<"$st")
	report "$name"
	stop_all
	rm -rf "$d/rrd"
}

# --- Nagios 4 -----------------------------------------------------------------
run_nagios() {
	local d="$WORK/nagios" c0 c1 t0 t1
	mkdir -p "$d/spool" "$d/cr"
	gen nagios 0 "$d"
	cat >"$d/nagios.cfg" <<EOF
log_file=$d/nagios.log
cfg_file=$d/objects.cfg
object_cache_file=$d/objects.cache
precached_object_file=$d/objects.precache
status_file=$d/status.dat
status_update_interval=60
temp_file=$d/nagios.tmp
temp_path=$d
lock_file=$d/nagios.lock
check_result_path=$d/cr
query_socket=$d/nagios.qh
command_file=$d/nagios.cmd
check_external_commands=0
nagios_user=nobody
nagios_group=nogroup
interval_length=60
use_syslog=0
enable_notifications=0
execute_service_checks=1
execute_host_checks=1
accept_passive_service_checks=0
enable_flap_detection=0
check_for_orphaned_services=0
check_for_orphaned_hosts=0
retain_state_information=0
log_initial_states=0
max_concurrent_checks=0
service_check_timeout=30
host_check_timeout=30
process_performance_data=1
service_perfdata_file=$d/service-perf
service_perfdata_file_template=\$LASTSERVICECHECK\$\t\$SERVICELATENCY\$\t\$SERVICEEXECUTIONTIME\$
service_perfdata_file_mode=a
service_perfdata_file_processing_interval=0
host_perfdata_file=$d/host-perf
host_perfdata_file_template=\$LASTHOSTCHECK\$\t\$HOSTLATENCY\$\t\$HOSTEXECUTIONTIME\$
host_perfdata_file_mode=a
host_perfdata_file_processing_interval=0
illegal_macro_output_chars=\`~\$&|'"<>
EOF
	chown -R nobody:nogroup "$d"
	nagios4 -v "$d/nagios.cfg" >"$d/verify.out" 2>&1 ||
	    die "nagios: the configuration does not verify: $(grep -i error "$d/verify.out" | head -5)"
	start nagios nagios4 "$d/nagios.cfg"
	echo "nagios: warm-up ${WARMUP}s, then a ${WINDOW}s window"
	sleep "$WARMUP"
	c0=$(cg_cpu_ns)
	t0=$(date +%s)
	sleep "$WINDOW"
	c1=$(cg_cpu_ns)
	t1=$(date +%s)
	R_RSS=$(cg_rss_kb)
	R_HWM=$(awk '/^VmHWM:/ { print $2 }' "/proc/${PIDS[-1]}/status")
	# Checks that ran in the window, from the perfdata files (one line
	# per check, its start time first).
	R_CHECKS=$(cat "$d/service-perf" "$d/host-perf" 2>/dev/null |
	    awk -F '\t' -v a="$t0" -v b="$t1" '$1 >= a && $1 < b' | wc -l)
	awk -F '\t' -v a="$t0" -v b="$t1" '$1 >= a && $1 < b { print $2 }' \
	    "$d/service-perf" 2>/dev/null | sort -n >"$d/lat"
	R_LAT=$(awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		i = int(NR * 0.99); if (i < 1) i = 1
		printf "median %.0f ms, p99 %.0f ms", v[int((NR + 1) / 2)] * 1000,
		    v[i] * 1000 }' "$d/lat")
	R_LAT_MAX=$(tail -n 1 "$d/lat")
	R_CPU=$(awk -v a="$c0" -v b="$c1" -v n="$HZ_NS" 'BEGIN { printf "%.2f", (b - a) / n }')
	R_RRD="-"
	R_BAD="-"
	report nagios
	stop_all
}

TABLE=""
report() { # report NAME (from the R_* values)
	local cps cpc pct
	cps=$(awk -v c="$R_CHECKS" -v w="$WINDOW" 'BEGIN { printf "%.1f", c / w }')
	cpc=$(awk -v c="$R_CHECKS" -v u="$R_CPU" 'BEGIN { printf "%.3f", (c > 0 ? u * 1000 / c : 0) }')
	pct=$(awk -v u="$R_CPU" -v w="$WINDOW" 'BEGIN { printf "%.1f", u * 100 / w }')
	echo "$1: $R_CHECKS checks in ${WINDOW}s ($cps/s), CPU ${R_CPU}s ($pct% of one core, $cpc ms per check), RSS $((R_RSS / 1024)) MB (main process peak $((${R_HWM:-0} / 1024)) MB), latency $R_LAT, RRD updates/s $R_RRD, services not OK $R_BAD"
	TABLE+=$(printf '| %s | %s | %s | %s%% | %s | %s MB | %s MB | %s |' \
	    "$1" "$cps" "$R_LAT" "$pct" "$cpc" "$((R_RSS / 1024))" \
	    "$((${R_HWM:-0} / 1024))" "$R_RRD")$'\n'
}

echo "scale_vs_nagios: $HOSTS hosts, $((HOSTS * SVCS)) services, intervals 1-$MAXIV min, window ${WINDOW}s; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
for sys in $SYSTEMS; do
	case $sys in
	pharosd) run_pharos pharosd 0 0 "$WARMUP" ;;
	workers) run_pharos workers 1 0 "$WARMUP" ;;
	pharosd-rrd) run_pharos pharosd-rrd 0 1 "$RRD_WARMUP" ;;
	pharosd-rrdcached) run_pharos pharosd-rrdcached 0 2 "$RRD_WARMUP" ;;
	nagios) run_nagios ;;
	*) die "unknown system '$sys' in BENCH_SYSTEMS" ;;
	esac
done
echo
echo "| system | checks/s | check latency | CPU (all processes) | ms CPU per check | RSS (all processes) | main process peak RSS | RRD updates/s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s' "$TABLE"
