#!/bin/bash
# snmp_vs_netsnmp.sh: `pharos snmp get|walk` against net-snmp's own tools
# (snmpget, snmpbulkwalk) on the same agents, in one run, side by side,
# with ratios. See tests/bench/README.md.
#
# Run by `make bench` or by hand, as root, never in CI:
#   cd build && make pharos && sudo sh ../tests/bench/snmp_vs_netsnmp.sh
#   sudo sh ../tests/bench/snmp_vs_netsnmp.sh --quick    # 100 agents
# Environment: PHAROS (the binary; default: $top_builddir/pharos, else
# ./pharos, else the source tree's), BENCH_QUICK=1 (same as --quick),
# SNMP_BENCH_AGENTS (largest number of agents, default 1000),
# SNMP_BENCH_IFACES (extra interfaces, default 50), SNMP_BENCH_SNMPD (snmpd
# processes, default 4), SNMP_BENCH_REPS (-Cr, default 10),
# SNMP_BENCH_PARALLEL (snmpbulkwalk processes at a time, default 8),
# SNMP_BENCH_LOOP_MAX (sequential loops run over at most this many agents
# and are scaled, default 1000), SNMP_BENCH_GET_ROUNDS (pharos get runs,
# averaged, default 3), SNMP_BENCH_SIM_AGENTS (snmpsimd endpoints, default
# 4; 0 skips snmpsimd).
#
# Everything runs inside a private network namespace (unshare -n): snmpd
# agents on 127.1.x.y:161, snmpsimd on 127.0.0.x:1161, and extra
# interfaces so that ifTable has more than lo. Exit: 0, or 1 when an agent
# did not answer, the varbind counts differ, or setup failed.
# shellcheck disable=SC2016,SC2317 # awk programs; functions run by timed()
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
ME="$HERE/$(basename "$0")"

die() {
	echo "snmp_vs_netsnmp: $*" >&2
	exit 1
}
. "$HERE/lib.sh"

for arg in "$@"; do
	case $arg in
	--quick) BENCH_QUICK=1 ;;
	-h | --help)
		sed -n '2,23s/^# \{0,1\}//p' "$ME"
		exit 0
		;;
	*) die "unknown argument: $arg (--quick, --help)" ;;
	esac
done
export BENCH_QUICK=${BENCH_QUICK:-}

PHAROS=${PHAROS:-$(pick pharos)}
export PHAROS

if [ -z "${SNMP_BENCH_IN_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || die "needs root (network namespace, snmpd on port 161)"
	[ -x "$PHAROS" ] || die "$PHAROS is not built (make pharos)"
	need snmpd snmpd || die "cannot install snmpd"
	need snmpbulkwalk snmp || die "cannot install snmp"
	need unshare util-linux || die "cannot install util-linux"
	if [ "${SNMP_BENCH_SIM_AGENTS:-4}" != 0 ]; then
		need snmpsimd snmpsim || echo "note: no snmpsim: its row is skipped"
	fi
	# Re-run inside a private network namespace: nothing leaves it.
	SNMP_BENCH_IN_NETNS=1 exec unshare -n -- bash "$ME" "$@"
fi

# --- settings ---------------------------------------------------------------
if [ -n "$BENCH_QUICK" ]; then
	: "${SNMP_BENCH_AGENTS:=100}"
fi
NMAX=${SNMP_BENCH_AGENTS:-1000}
IFACES=${SNMP_BENCH_IFACES:-50}
NSNMPD=${SNMP_BENCH_SNMPD:-4}
REPS=${SNMP_BENCH_REPS:-10}
PAR=${SNMP_BENCH_PARALLEL:-8}
LOOP_MAX=${SNMP_BENCH_LOOP_MAX:-1000}
ROUNDS=${SNMP_BENCH_GET_ROUNDS:-3}
NSIM=${SNMP_BENCH_SIM_AGENTS:-4}
CASE_DEADLINE=300 # seconds: a loop stops (and says so) past this
for v in NMAX IFACES NSNMPD REPS PAR LOOP_MAX ROUNDS NSIM; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number: ${!v}"
done
((NMAX >= 1 && NMAX <= 10000)) || die "SNMP_BENCH_AGENTS: 1 to 10000"
((NSNMPD >= 1 && NSNMPD <= 40)) || die "SNMP_BENCH_SNMPD: 1 to 40"
((IFACES <= 1000 && REPS >= 1 && PAR >= 1 && LOOP_MAX >= 1)) ||
    die "bad SNMP_BENCH_IFACES, _REPS, _PARALLEL or _LOOP_MAX"
((ROUNDS >= 1 && ROUNDS <= 20 && NSIM <= 20)) ||
    die "bad SNMP_BENCH_GET_ROUNDS or _SIM_AGENTS"
SIZES=""
for n in 1 100 1000 10000; do
	((n < NMAX)) && SIZES="$SIZES $n"
done
SIZES="$SIZES $NMAX"

SNMPOPT=(-v2c -c public -t 2 -r 2)  # net-snmp tools
POPT=(-v 2c -c public -t 2 -r 2)    # pharos, the same
GET_OIDS=(.1.3.6.1.2.1.1.3.0 .1.3.6.1.2.1.1.5.0 .1.3.6.1.2.1.1.2.0)
ROOTS=(.1.3.6.1.2.1.2.2 .1.3.6.1.2.1.31.1.1) # ifTable, ifXTable
HZ=$(getconf CLK_TCK)
SNMPD=$(command -v snmpd)
AGENT_PIDS=()
SIM_PID=""
WORK=""
FAILED=0

cleanup() {
	local p
	trap - EXIT INT TERM
	for p in "${AGENT_PIDS[@]}" $SIM_PID; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${AGENT_PIDS[@]}" $SIM_PID; do
		for _ in $(seq 1 30); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	[ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

WORK=$(mktemp -d /tmp/pharos-snmpbench.XXXXXX) || die "mktemp failed"
chmod 0755 "$WORK" # snmpsimd reads its data as nobody

# --- the network --------------------------------------------------------------
ip link set lo up || die "cannot set lo up"
# Extra interfaces: dummy, else ifb (kernels without the dummy module), else
# veth pairs.
bench_ifaces "$IFACES" dummy ifb veth
[ -n "$IFKIND" ] || [ "$IFACES" = 0 ] || die "cannot create interfaces"
NIF=$(ip -o link show | wc -l)

# --- the agents ---------------------------------------------------------------
# Agent i (0-based) is agent_addr i, 127.1.(i/250).(i%250+1):161, served
# by snmpd number i % NSNMPD, so that even the first 100 agents spread over
# every process.
for ((i = 0; i < NMAX; i++)); do agent_addr "$i"; done >"$WORK/agents.all"
for n in $SIZES; do head -n "$n" "$WORK/agents.all" >"$WORK/agents.$n"; done

bench_snmpds "$NMAX" "$NSNMPD"

SIM_ENDPOINTS=()
if ((NSIM > 0)) && command -v snmpsimd >/dev/null 2>&1; then
	mkdir -p "$WORK/sim/data" "$WORK/sim/cache"
	zcat /usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz \
	    >"$WORK/sim/data/cisco_16_switch.snmprec" 2>/dev/null || NSIM=0
	chmod -R a+rX "$WORK/sim"
	chown nobody:nogroup "$WORK/sim/cache"
	args=()
	for ((i = 1; i <= NSIM; i++)); do
		SIM_ENDPOINTS+=("127.0.0.$i:1161")
		args+=("--agent-udpv4-endpoint=127.0.0.$i:1161")
	done
	if ((NSIM > 0)); then
		snmpsimd --data-dir="$WORK/sim/data" --cache-dir="$WORK/sim/cache" \
		    "${args[@]}" --process-user=nobody --process-group=nogroup \
		    --logging-method=null >"$WORK/sim/log" 2>&1 &
		SIM_PID=$!
		ok=""
		for _ in $(seq 1 150); do
			kill -0 "$SIM_PID" 2>/dev/null || break
			if snmpget -v2c -c cisco_16_switch -t 0.2 -r 0 "${SIM_ENDPOINTS[-1]}" \
			    .1.3.6.1.2.1.1.5.0 >/dev/null 2>&1; then
				ok=1
				break
			fi
			sleep 0.1
		done
		if [ -z "$ok" ]; then
			tail -n 5 "$WORK/sim/log" >&2
			echo "note: snmpsimd did not start: its row is skipped" >&2
			kill -KILL "$SIM_PID" 2>/dev/null
			wait "$SIM_PID" 2>/dev/null
			SIM_PID=""
			SIM_ENDPOINTS=()
		fi
	fi
fi

# --- measuring ----------------------------------------------------------------
# cpu_ticks, settle, fmt, div: lib.sh

agents_ticks() { # utime + stime of the agents (snmpd, or snmpsimd with "sim")
	local p t=0 pids=("${AGENT_PIDS[@]}")
	[ "${1:-}" = sim ] && pids=("$SIM_PID")
	for p in "${pids[@]}"; do
		# fields after "(comm)": 14 utime and 15 stime are $12 and $13
		t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
	done
	echo "$t"
}

# timed FILE FUNCTION ARGS...: runs the function in a subshell, which
# writes `times` to FILE: line 2 is the CPU of its children, the tools.
# Sets T_WALL, T_CPU (children user + system) and T_ACPU (the agents' CPU
# seconds over the run).
timed() {
	local f=$1 a0 a1 t0 t1 kind=""
	shift
	[ "${AGENT_KIND:-}" = sim ] && kind=sim
	settle 6 # 3 s at most
	a0=$(agents_ticks $kind)
	t0=$EPOCHREALTIME
	("$@"; times >"$f")
	t1=$EPOCHREALTIME
	a1=$(agents_ticks $kind)
	T_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	T_ACPU=$(awk -v a="$a0" -v b="$a1" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')
	T_CPU=$(awk 'NR == 2 {
		s = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); sub("s", "", p[2]); s += p[1] * 60 + p[2]
		}
		printf "%.3f", s }' "$f")
}

ratio() { div "$1" "$2" 2; }

# Count the varbind lines ".OID = ..." per agent: "AGENT count" lines.
# pharos prefixes "AGENT " with several agents; $2 names the single agent.
count_pharos() { # FILE SINGLE_AGENT
	awk -v one="$2" '$1 ~ /^\./ && $2 == "=" { c[one]++; next }
		$2 ~ /^\./ && $3 == "=" { c[$1]++ }
		END { for (a in c) print a, c[a] }' "$1" | sort
}
count_files() { # DIR: one file per agent (and root), named AGENT.ROOTNUMBER
	(cd "$1" && find . -type f -name '*.*' -printf '%f\n' |
	    xargs -r awk '$1 ~ /^\./ && $2 == "=" {
		a = FILENAME; sub(/\.[0-9]+$/, "", a); c[a]++ }
		END { for (a in c) print a, c[a] }') |
	    awk '{ c[$1] += $2 } END { for (a in c) print a, c[a] }' | sort
}

# --- the tools ------------------------------------------------------------------
# Each writes what it printed under $WORK/out and, when some agent failed,
# their number in $WORK/fail.
run_pharos_get() { # AGENTS_FILE
	local r
	for ((r = 0; r < ROUNDS; r++)); do
		"$PHAROS" snmp get "${POPT[@]}" -f "$1" "${GET_OIDS[@]}" \
		    >"$WORK/out/get.$r" 2>"$WORK/err" || echo 1 >>"$WORK/fail"
	done
}
run_snmpget_loop() { # AGENTS_FILE
	local a fail=0 end=$((SECONDS + CASE_DEADLINE))
	while read -r a; do
		snmpget -On "${SNMPOPT[@]}" "$a" "${GET_OIDS[@]}" \
		    >"$WORK/out/$a.0" 2>>"$WORK/err" || fail=$((fail + 1))
		((SECONDS < end)) || { echo "deadline" >>"$WORK/err"; fail=$((fail + 1)); break; }
	done <"$1"
	((fail == 0)) || echo "$fail" >"$WORK/fail"
}
run_pharos_walk() { # AGENTS_FILE [COMMUNITY]
	local r
	for r in "${!ROOTS[@]}"; do
		"$PHAROS" snmp walk "${POPT[@]}" ${2:+-c "$2"} -Cr "$REPS" -f "$1" \
		    "${ROOTS[$r]}" >"$WORK/out/walk.$r" 2>>"$WORK/err" ||
		    echo 1 >>"$WORK/fail"
	done
}
run_bulkwalk_loop() { # AGENTS_FILE [COMMUNITY]
	local a r fail=0 end=$((SECONDS + CASE_DEADLINE))
	while read -r a; do
		for r in "${!ROOTS[@]}"; do
			snmpbulkwalk -On "${SNMPOPT[@]}" ${2:+-c "$2"} -Cr"$REPS" "$a" \
			    "${ROOTS[$r]}" >"$WORK/out/$a.$r" 2>>"$WORK/err" ||
			    fail=$((fail + 1))
		done
		((SECONDS < end)) || { echo "deadline" >>"$WORK/err"; fail=$((fail + 1)); break; }
	done <"$1"
	((fail == 0)) || echo "$fail" >"$WORK/fail"
}
run_bulkwalk_par() { # AGENTS_FILE [COMMUNITY]: PAR processes at a time
	local a r fail=0 running=0 end=$((SECONDS + CASE_DEADLINE))
	while read -r a; do
		for r in "${!ROOTS[@]}"; do
			if ((running >= PAR)); then
				wait -n || fail=$((fail + 1))
				running=$((running - 1))
			fi
			snmpbulkwalk -On "${SNMPOPT[@]}" ${2:+-c "$2"} -Cr"$REPS" "$a" \
			    "${ROOTS[$r]}" >"$WORK/out/$a.$r" 2>>"$WORK/err" &
			running=$((running + 1))
		done
		((SECONDS < end)) || { echo "deadline" >>"$WORK/err"; fail=$((fail + 1)); break; }
	done <"$1"
	for ((; running > 0; running--)); do
		wait -n || fail=$((fail + 1))
	done
	((fail == 0)) || echo "$fail" >"$WORK/fail"
}

# measure NAME FUNCTION AGENTS_FILE [COMMUNITY]: sets M_WALL M_CPU M_ACPU,
# M_COUNTS (file of "AGENT count" lines), M_FAIL; keeps the first lines of
# stderr when something failed.
measure() {
	local name=$1 fn=$2 file=$3
	shift 3
	rm -rf "$WORK/out" "$WORK/fail" "$WORK/err"
	mkdir "$WORK/out"
	timed "$WORK/times" "$fn" "$file" "$@"
	M_WALL=$T_WALL M_CPU=$T_CPU M_ACPU=$T_ACPU
	M_FAIL=0
	[ -s "$WORK/fail" ] && M_FAIL=$(awk '{ s += $1 } END { print s }' "$WORK/fail")
	M_COUNTS="$WORK/counts.$name"
	if [ -e "$WORK/out/get.0" ] || [ -e "$WORK/out/walk.0" ]; then
		local single
		single=$(head -n 1 "$file")
		cat "$WORK/out/"{get.0,walk.*} 2>/dev/null >"$WORK/out.all"
		count_pharos "$WORK/out.all" "$single" >"$M_COUNTS"
	else
		count_files "$WORK/out" >"$M_COUNTS"
	fi
	if ((M_FAIL > 0)); then
		echo "  !! $name: $M_FAIL failure(s); first errors:" >&2
		head -n 3 "$WORK/err" >&2
		FAILED=1
	fi
}

# check_counts A B LABEL: the per-agent counts of A and B for the agents
# both measured; sets C_SUM_A C_SUM_B; loud when they differ.
check_counts() {
	local bad
	bad=$(join "$1" "$2" | awk '$2 != $3' | head -n 3)
	read -r C_SUM_A C_SUM_B < <(join "$1" "$2" |
	    awk '{ a += $2; b += $3 } END { print a + 0, b + 0 }')
	if [ -n "$bad" ] || [ "$C_SUM_A" = 0 ]; then
		echo "  !!!! VARBIND COUNT MISMATCH ($3): pharos $C_SUM_A, net-snmp $C_SUM_B" \
		    "over the same agents; first differences (agent pharos net-snmp):" >&2
		while read -r l; do echo "  !!!!   $l"; done <<<"$bad" >&2
		FAILED=1
	fi
}

sample_file() { # N: the agents file a sequential loop runs over
	local n=$1
	((n > LOOP_MAX)) && n=$LOOP_MAX
	[ -e "$WORK/agents.$n" ] || head -n "$n" "$WORK/agents.all" >"$WORK/agents.$n"
	echo "$WORK/agents.$n"
}

row() { printf '%-24s %-16s %7s %8s %8s %9s %9s %11s %12s\n' "$@"; }
line() { printf '%.0s-' $(seq 1 112); echo; }

# --- run ------------------------------------------------------------------------
c0=$(cpu_ticks)
sleep 2
echo "background load before the runs: $(awk -v a="$c0" -v b="$(cpu_ticks)" \
    -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz / 2 }') CPUs busy"
echo "agents: $NMAX on 127.1.x.y:161 served by $NSNMPD snmpd processes;" \
    "$NIF interfaces ($((NIF - 1)) $IFKIND + lo); -Cr $REPS; $PAR snmpbulkwalk at a time"

# (a) GET ------------------------------------------------------------------------
echo
echo "(a) GET sysUpTime.0, sysName.0, sysObjectID.0 from every agent"
row "case" "tool" "agents" "wall_s" "cpu_tool" "cpu_agent" "agents/s" "agents/cpu_s" "answers"
line
N=$NMAX
measure pget run_pharos_get "$WORK/agents.$N"
# ROUNDS runs of the same N agents: figures per run
pw=$(div "$M_WALL" "$ROUNDS" 3) pc=$(div "$M_CPU" "$ROUNDS" 3)
pa=$(div "$M_ACPU" "$ROUNDS" 2)
pans=$(awk '{ s += $2 } END { print s + 0 }' "$M_COUNTS")
pok=$(awk '$2 == 3' "$M_COUNTS" | wc -l)
pps=$(div "$N" "$pw") pcs=$(div "$N" "$pc")
row "get x$N (${ROUNDS} runs, avg)" "pharos -f" "$N" "$pw" "$pc" "$pa" "$pps" "$pcs" "$pans"
S=$(sample_file "$N")
n=$(wc -l <"$S")
measure sget run_snmpget_loop "$S"
scale=$(div "$N" "$n" 6)
sw=$(awk -v x="$M_WALL" -v s="$scale" 'BEGIN { printf "%.3f", x * s }')
sc=$(awk -v x="$M_CPU" -v s="$scale" 'BEGIN { printf "%.3f", x * s }')
sa=$(awk -v x="$M_ACPU" -v s="$scale" 'BEGIN { printf "%.2f", x * s }')
sans=$(awk '{ s += $2 } END { print s + 0 }' "$M_COUNTS")
sok=$(awk '$2 == 3' "$M_COUNTS" | wc -l)
sps=$(div "$N" "$sw") scs=$(div "$N" "$sc")
tag=$N
((n < N)) && tag="$N*"
row "" "snmpget loop" "$tag" "$sw" "$sc" "$sa" "$sps" "$scs" "$sans"
row "" "ratio" "" "$(ratio "$pw" "$sw")" "$(ratio "$pc" "$sc")" \
    "$(ratio "$pa" "$sa")" "$(ratio "$pps" "$sps")" "$(ratio "$pcs" "$scs")" ""
((n < N)) && echo "  * snmpget ran over the first $n agents; wall_s, cpu_tool and cpu_agent scaled x$(fmt "$scale" 2)"
if ((pok != N)); then
	echo "  !! pharos: only $pok of $N agents gave 3 answers" >&2
	FAILED=1
fi
if ((sok != n)); then
	echo "  !! snmpget: only $sok of $n agents gave 3 answers" >&2
	FAILED=1
fi
GET_X=$(ratio "$pcs" "$scs")

# (b) walks ----------------------------------------------------------------------
# walk_case LABEL N AGENTS_FILE [COMMUNITY]: pharos, the snmpbulkwalk loop
# and snmpbulkwalk in parallel over the same agents.
walk_case() {
	local label=$1 N=$2 file=$3 comm=${4:-} S n scale tag
	local pw pc pa pv pvs pvc lw lc la lv lvs lvc xw xc xa xv xvs xvc
	measure pwalk run_pharos_walk "$file" ${comm:+"$comm"}
	pw=$M_WALL pc=$M_CPU pa=$M_ACPU
	pv=$(awk '{ s += $2 } END { print s + 0 }' "$M_COUNTS")
	pvs=$(div "$pv" "$pw") pvc=$(div "$pv" "$pc")
	local nok
	nok=$(awk '$2 > 0' "$M_COUNTS" | wc -l)
	if ((nok != N)); then
		echo "  !! pharos: only $nok of $N agents answered" >&2
		FAILED=1
	fi
	row "$label" "pharos walk" "$N" "$pw" "$pc" "$pa" "$pv" "$pvs" "$pvc"

	S=$file
	((N > LOOP_MAX)) && S=$(sample_file "$N")
	n=$(wc -l <"$S")
	scale=$(div "$N" "$n" 6)
	measure loop run_bulkwalk_loop "$S" ${comm:+"$comm"}
	lw=$(awk -v x="$M_WALL" -v s="$scale" 'BEGIN { printf "%.3f", x * s }')
	lc=$(awk -v x="$M_CPU" -v s="$scale" 'BEGIN { printf "%.3f", x * s }')
	la=$(awk -v x="$M_ACPU" -v s="$scale" 'BEGIN { printf "%.2f", x * s }')
	lv=$(awk -v s="$scale" '{ t += $2 } END { printf "%.0f", t * s }' "$M_COUNTS")
	lvs=$(div "$lv" "$lw") lvc=$(div "$lv" "$lc")
	tag=$N
	((n < N)) && tag="$N*"
	row "" "bulkwalk loop" "$tag" "$lw" "$lc" "$la" "$lv" "$lvs" "$lvc"
	check_counts "$WORK/counts.pwalk" "$M_COUNTS" "$label: pharos vs snmpbulkwalk loop"
	nok=$(awk '$2 > 0' "$M_COUNTS" | wc -l)
	((nok == n)) || { echo "  !! snmpbulkwalk loop: only $nok of $n agents answered" >&2; FAILED=1; }
	L_SUM_P=$C_SUM_A L_SUM_N=$C_SUM_B

	measure par run_bulkwalk_par "$file" ${comm:+"$comm"}
	xw=$M_WALL xc=$M_CPU xa=$M_ACPU
	xv=$(awk '{ s += $2 } END { print s + 0 }' "$M_COUNTS")
	xvs=$(div "$xv" "$xw") xvc=$(div "$xv" "$xc")
	row "" "bulkwalk -P$PAR" "$N" "$xw" "$xc" "$xa" "$xv" "$xvs" "$xvc"
	check_counts "$WORK/counts.pwalk" "$M_COUNTS" "$label: pharos vs snmpbulkwalk in parallel"
	nok=$(awk '$2 > 0' "$M_COUNTS" | wc -l)
	((nok == N)) || { echo "  !! snmpbulkwalk -P: only $nok of $N agents answered" >&2; FAILED=1; }

	row "" "ratio /loop" "" "$(ratio "$pw" "$lw")" "$(ratio "$pc" "$lc")" \
	    "$(ratio "$pa" "$la")" "$(ratio "$pv" "$lv")" "$(ratio "$pvs" "$lvs")" "$(ratio "$pvc" "$lvc")"
	row "" "ratio /-P$PAR" "" "$(ratio "$pw" "$xw")" "$(ratio "$pc" "$xc")" \
	    "$(ratio "$pa" "$xa")" "$(ratio "$pv" "$xv")" "$(ratio "$pvs" "$xvs")" "$(ratio "$pvc" "$xvc")"
	echo "  varbinds over the same agents: pharos $L_SUM_P, snmpbulkwalk $L_SUM_N$( ((n < N)) &&
	    echo " (loop sample of $n agents; loop rows scaled x$(fmt "$scale" 2))")"
	W_PVC=$pvc W_X=$(ratio "$pvc" "$lvc") W_XP=$(ratio "$pvc" "$xvc")
}

echo
echo "(b) walks of ifTable (.1.3.6.1.2.1.2.2) and ifXTable (.1.3.6.1.2.1.31.1.1), -Cr $REPS"
row "case" "tool" "agents" "wall_s" "cpu_tool" "cpu_agent" "varbinds" "varbinds/s" "vb/cpu_s"
line
for N in $SIZES; do
	walk_case "snmpd x$N" "$N" "$WORK/agents.$N"
	line
done
if ((${#SIM_ENDPOINTS[@]} > 0)); then
	printf '%s\n' "${SIM_ENDPOINTS[@]}" >"$WORK/agents.sim"
	# the main goal figures are those of the largest snmpd case
	g_pvc=$W_PVC g_x=$W_X g_xp=$W_XP
	AGENT_KIND=sim walk_case "snmpsimd cisco_16 x${#SIM_ENDPOINTS[@]}" \
	    "${#SIM_ENDPOINTS[@]}" "$WORK/agents.sim" cisco_16_switch
	line
	W_PVC=$g_pvc W_X=$g_x W_XP=$g_xp
fi

# --- summary ------------------------------------------------------------------------
echo
echo "columns: wall_s elapsed; cpu_tool user+system CPU seconds of the tool's"
echo "processes (pharos, or every snmpget/snmpbulkwalk); cpu_agent CPU seconds of"
echo "the agents (snmpd or snmpsimd) over the run; ratio = pharos / net-snmp."
echo
echo "goals (informative, no pass/fail):"
echo "  (a) agents per CPU-second, pharos / snmpget: ${GET_X}x (goal >= 10x)"
echo "  (b) snmpd x$NMAX: varbinds per CPU-second, pharos / snmpbulkwalk loop:" \
    "${W_X}x, / -P$PAR: ${W_XP}x (goal >= 3x)"
echo "  (b) snmpd x$NMAX: pharos varbinds per CPU-second of its own: $W_PVC (goal > 500000)"
echo
echo "$("$PHAROS" -V 2>/dev/null | head -n 1), net-snmp $(snmpget -V 2>&1 | sed 's/.*: *//'),"\
    "kernel $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
if ((FAILED)); then
	echo "snmp_vs_netsnmp: FAILED: see the !! lines above" >&2
	exit 1
fi
exit 0
