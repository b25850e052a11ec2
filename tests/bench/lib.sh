# tests/bench/lib.sh: what the benchmark scripts share. Sourced once they
# set HERE and SRC (the source tree); they define die(), which some of
# these call, and some use the caller's variables, as each says.
# shellcheck shell=bash disable=SC2016

# pick NAME: $top_builddir/NAME, ./NAME, else the source tree's.
pick() {
	if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/$1" ]; then
		echo "$(cd "$top_builddir" && pwd)/$1"
	elif [ -x "./$1" ]; then
		echo "$PWD/$1"
	else
		echo "$SRC/$1"
	fi
}

# need PROGRAM PACKAGE: install PACKAGE when PROGRAM is missing.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "installing $2"
	apt-get install -y "$2" >/dev/null 2>&1 ||
	    { apt-get update >/dev/null 2>&1 && apt-get install -y "$2" >/dev/null 2>&1; }
}

# stop_pid PID [TENTHS]: SIGTERM, TENTHS tenths of a second (50), then
# SIGKILL.
stop_pid() {
	local p=$1
	kill -TERM "$p" 2>/dev/null || { wait "$p" 2>/dev/null; return 0; }
	for _ in $(seq 1 "${2:-50}"); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

# --- measuring ----------------------------------------------------------------
cpu_ticks() { # busy ticks of the whole machine: user nice system irq softirq
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# settle [TRIES [NOTE]]: wait (TRIES half seconds, 20) until the machine is
# quiet: under 0.1 CPU busy over half a second; else print NOTE. Uses HZ.
settle() {
	local a b
	for _ in $(seq 1 "${1:-20}"); do
		a=$(cpu_ticks)
		sleep 0.5
		b=$(cpu_ticks)
		awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN { exit !((b - a) / hz < 0.05) }' &&
		    return 0
	done
	echo "${2:-  note: the machine is busy}" >&2
}

fmt() { awk -v x="$1" -v d="${2:-0}" 'BEGIN { printf "%.*f", d, x }'; }
div() { awk -v a="$1" -v b="$2" -v d="${3:-0}" 'BEGIN { if (b > 0) printf "%.*f", d, a / b; else print "-" }'; }

# --- SNMP agents in a private network namespace --------------------------------
# bench_ifaces COUNT KIND...: COUNT interfaces of the first KIND (ifb,
# dummy, veth) the kernel can make, up; sets IFKIND ("" when none could,
# then nothing is made). veth pairs come two at a time: an odd count makes
# one more.
bench_ifaces() {
	local count=$1 kind i
	shift
	IFKIND=""
	for kind in "$@"; do
		if [ "$kind" = veth ]; then
			ip link add bv0 type veth peer name bv1 2>/dev/null || continue
			ip link del bv0
		else
			ip link add bt0 type "$kind" 2>/dev/null || continue
			ip link del bt0
		fi
		IFKIND=$kind
		break
	done
	[ -n "$IFKIND" ] || return 0
	{
		for ((i = 0; i < count; i++)); do
			case $IFKIND in
			veth)
				((i % 2)) || echo "link add bv$i type veth peer name bv$((i + 1))"
				echo "link set bv$i up"
				;;
			*)
				echo "link add bi$i type $IFKIND"
				echo "link set bi$i up"
				;;
			esac
		done
	} | ip -batch - || die "cannot create $count $IFKIND interfaces"
}

# agent_addr I: agent I (0-based) is 127.1.(I/250).(I%250+1):161.
agent_addr() { echo "127.1.$(($1 / 250)).$(($1 % 250 + 1))"; }

# bench_snmpds NAGENTS NSNMPD: snmpd processes (community public), agent
# i served by number i % NSNMPD, each answering before the next starts.
# Uses SNMPD and WORK; appends to AGENT_PIDS.
bench_snmpds() {
	local nagents=$1 nsnmpd=$2 k i list last ok
	cat >"$WORK/snmpd.conf" <<EOF
rocommunity public
sysName pharos-bench
sysLocation lab
EOF
	for ((k = 0; k < nsnmpd && k < nagents; k++)); do
		list=""
		for ((i = k; i < nagents; i += nsnmpd)); do
			list="$list,udp:$(agent_addr "$i"):161"
		done
		mkdir -p "$WORK/snmpd$k"
		"$SNMPD" -f -Lo -C -c "$WORK/snmpd.conf" -p "$WORK/snmpd$k/pid" \
		    --persistentDir="$WORK/snmpd$k" "${list#,}" \
		    >"$WORK/snmpd$k/log" 2>&1 &
		AGENT_PIDS+=($!)
		last=${list##*,udp:}
		ok=""
		for _ in $(seq 1 100); do
			kill -0 "${AGENT_PIDS[-1]}" 2>/dev/null || break
			if snmpget -v2c -c public -t 0.2 -r 0 "$last" .1.3.6.1.2.1.1.5.0 \
			    >/dev/null 2>&1; then
				ok=1
				break
			fi
			sleep 0.1
		done
		[ -n "$ok" ] || { tail -n 5 "$WORK/snmpd$k/log" >&2; die "snmpd $k did not start"; }
	done
}
