#!/bin/bash
# netns.sh: the Pharos test network, built from network namespaces.
#
# Usable as a command:
#   netns.sh up | down | status
#   netns.sh fail DEV | recover DEV       dead device (links stay up) / alive
#   netns.sh loss DEV PCT | noloss DEV    drop PCT% of what DEV receives / stop
#   netns.sh linkdown DEV | linkup DEV    DEV's uplink interface down / up
#   netns.sh exec DEV CMD...              run CMD inside DEV's namespace
#   netns.sh config DIR                   write DIR/pharos.cfg and DIR/network.cfg
#   netns.sh agents                       the SNMP agents: where, port, community
#   netns.sh counter [NAME VALUE [PER_S]] show / set the server's counter feed
# and sourceable (lib.sh does): it then only defines netns_* functions.
#
# Every namespace is named "$PHAROS_NS_PREFIX-DEV" (prefix default "ph"), so
# the demo ("phdemo") and several tests (ph<pid>) can run side by side. The
# links are veth pairs created directly inside the namespaces, so their names
# never meet in the root namespace and can be the same in every copy.
#
#   mon 10.66.0.2/30 --- 10.66.0.1/30 core
#   core 10.66.1.1/30 --- 10.66.1.2/30 dist1     core 10.66.2.1/30 --- 10.66.2.2/30 dist2
#   dist1 10.66.11.1/24 --- 10.66.11.10/24 server
#   dist1 10.66.12.1/24 --- 10.66.12.10/24 printer
#   dist2 10.66.21.1/24 --- 10.66.21.10/24 fw
#
# Every link has IPv6 beside IPv4: 10.66.L.H becomes fd66:0:L::H/64 (mon
# fd66::2, core fd66::1 towards it, server fd66:0:11::10, ...), routed the
# same way. Addresses skip duplicate address detection, so they work at once.
#
# Routing is static and strictly hierarchical, so an end device is reachable
# from the monitor only through its dist router and the core router.
#
# DEV names: mon core dist1 dist2 server printer fw; the Pharos host names
# core-router and firewall are accepted for core and fw.
#
# Every device runs a real SNMP agent on its watched address, port 161:
# Debian's snmpd (core, dist1, dist2, server, fw) or snmpsimd with a
# recording (printer); snmpsimd also serves the Cisco switch recording on
# dist1 port 1161 and the BGP recording on core port 1161. See
# NETNS_AGENTS below and README.md. Every device but mon also runs lldpd,
# exporting LLDP-MIB to its snmpd over AgentX (see LLDP below).
# PHAROS_AGENTS=0 builds the network
# without them, 1 insists on all of them, auto (default) starts those whose
# program and recording are installed.

NETNS_DEVICES="mon core dist1 dist2 server printer fw"
NETNS_ROUTERS="core dist1 dist2"
# The nftables tables that make a device dead, and lossy.
NETNS_DEAD_TABLE="phdead"
NETNS_LOSS_TABLE="phloss"

# One line per link: parent-dev parent-if parent-addr child-dev child-if
# child-addr parent-addr6 child-addr6. The child's interface is its uplink
# (towards the monitor); for this purpose core's uplink is its link to mon.
NETNS_LINKS="core to-mon 10.66.0.1/30 mon to-core 10.66.0.2/30 fd66::1/64 fd66::2/64
core to-dist1 10.66.1.1/30 dist1 to-core 10.66.1.2/30 fd66:0:1::1/64 fd66:0:1::2/64
core to-dist2 10.66.2.1/30 dist2 to-core 10.66.2.2/30 fd66:0:2::1/64 fd66:0:2::2/64
dist1 to-server 10.66.11.1/24 server to-dist1 10.66.11.10/24 fd66:0:11::1/64 fd66:0:11::10/64
dist1 to-printer 10.66.12.1/24 printer to-dist1 10.66.12.10/24 fd66:0:12::1/64 fd66:0:12::10/64
dist2 to-fw 10.66.21.1/24 fw to-dist2 10.66.21.10/24 fd66:0:21::1/64 fd66:0:21::10/64"

# One line per namespace: dev destination gateway.
NETNS_ROUTES="mon default 10.66.0.1
core 10.66.11.0/24 10.66.1.2
core 10.66.12.0/24 10.66.1.2
core 10.66.21.0/24 10.66.2.2
dist1 default 10.66.1.1
dist2 default 10.66.2.1
server default 10.66.11.1
printer default 10.66.12.1
fw default 10.66.21.1"
NETNS_ROUTES6="mon default fd66::1
core fd66:0:11::/64 fd66:0:1::2
core fd66:0:12::/64 fd66:0:1::2
core fd66:0:21::/64 fd66:0:2::2
dist1 default fd66:0:1::1
dist2 default fd66:0:2::1
server default fd66:0:11::1
printer default fd66:0:12::1
fw default fd66:0:21::1"

# IPv6 neighbour discovery, which a dead or lossy device still answers, as
# it still answers ARP (ARP is not IP: nftables' inet tables never see it).
NETNS_NDP="icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept"

netns_prefix() {
	printf '%s\n' "${PHAROS_NS_PREFIX:-ph}"
}

# Map a device or Pharos host name to a device name; fails on unknown names.
netns_dev() {
	case "$1" in
	core-router) echo core ;;
	firewall) echo fw ;;
	mon | core | dist1 | dist2 | server | printer | fw) echo "$1" ;;
	*)
		echo "netns.sh: unknown device '$1' (one of: $NETNS_DEVICES)" >&2
		return 1
		;;
	esac
}

netns_name() {
	local dev
	dev=$(netns_dev "$1") || return 1
	printf '%s-%s\n' "$(netns_prefix)" "$dev"
}

# The link line of DEV's uplink: the child side of the link to its parent,
# for core its link to mon (where core is the parent side).
netns_uplink_line() {
	local dev line
	dev=$(netns_dev "$1") || return 1
	while read -r line; do
		case "$dev $line" in
		"core core "*" mon "*) echo "parent $line"; return 0 ;;
		esac
		# shellcheck disable=SC2086
		set -- $line
		[ "$4" = "$dev" ] && { echo "child $line"; return 0; }
	done <<<"$NETNS_LINKS"
	return 1
}

# The IPv4 address the monitor watches for DEV (without the prefix length).
netns_addr() {
	local side pdev pif paddr cdev cif caddr paddr6 caddr6
	read -r side pdev pif paddr cdev cif caddr paddr6 caddr6 \
	    <<<"$(netns_uplink_line "$1")" || return 1
	[ -n "$side" ] || return 1
	if [ "$side" = parent ]; then echo "${paddr%/*}"; else echo "${caddr%/*}"; fi
}

# The IPv6 address the monitor watches for DEV (without the prefix length).
netns_addr6() {
	local side pdev pif paddr cdev cif caddr paddr6 caddr6
	read -r side pdev pif paddr cdev cif caddr paddr6 caddr6 \
	    <<<"$(netns_uplink_line "$1")" || return 1
	[ -n "$side" ] || return 1
	if [ "$side" = parent ]; then echo "${paddr6%/*}"; else echo "${caddr6%/*}"; fi
}

# DEV's uplink interface (the one towards the monitor).
netns_uplink() {
	local side pdev pif paddr cdev cif caddr paddr6 caddr6
	read -r side pdev pif paddr cdev cif caddr paddr6 caddr6 \
	    <<<"$(netns_uplink_line "$1")" || return 1
	[ -n "$side" ] || return 1
	if [ "$side" = parent ]; then echo "$pif"; else echo "$cif"; fi
}

# Namespaces that exist now with our prefix, one per line.
netns_list() {
	local p
	p=$(netns_prefix)
	ip netns list 2>/dev/null | while read -r name _; do
		case "$name" in
		"$p"-*) echo "$name" ;;
		esac
	done
}

# Write a sysctl inside a namespace (procps not needed).
netns_sysctl() {
	local ns=$1 key=$2 val=$3
	ip netns exec "$ns" sh -c 'printf "%s\n" "$2" > "/proc/sys/$1"' sh \
	    "$(printf '%s' "$key" | tr . /)" "$val"
}

# Kill every process in namespace ns by PID: first the SNMP agents netns.sh
# started (their recorded PIDs), then whatever else still runs there: TERM,
# wait up to 2 s, KILL.
netns_kill_pids() {
	local ns=$1 pids
	netns_agents_stop "$ns"
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for _ in $(seq 1 20); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
	for _ in $(seq 1 20); do
		[ -n "$(ip netns pids "$ns" 2>/dev/null)" ] || return 0
		sleep 0.1
	done
	echo "netns.sh: processes still running in $ns: $(ip netns pids "$ns" | tr '\n' ' ')" >&2
	return 1
}

# Remove every namespace with our prefix, killing what still runs in it,
# and the agents' state folder.
netns_down() {
	local ns rc=0 state
	for ns in $(netns_list); do
		netns_kill_pids "$ns" || rc=1
		ip netns delete "$ns" || rc=1
	done
	state=$(netns_state_dir)
	if [ -n "$(netns_prefix)" ] && [ -d "$state" ]; then
		rm -rf "$state" || rc=1
	fi
	return $rc
}

# Is IPv6 there at all (a kernel booted with ipv6.disable=1 has none)?
# Without it the network is built with IPv4 only.
netns_have_ipv6() {
	[ -d /proc/sys/net/ipv6 ]
}

# --- SNMP agents -----------------------------------------------------------
#
# One line per agent: device, program, UDP port, recording (snmpsim only,
# else "-") and the communities besides the recording's name that select it
# (comma-separated, else "-"). Each listens on its device's watched IPv4 and
# IPv6 addresses (netns_addr, netns_addr6); snmpd also on 127.0.0.1.
NETNS_AGENTS="core snmpd 161 - -
core snmpsim 1161 bgp -
dist1 snmpd 161 - -
dist1 snmpsim 1161 cisco_16_switch -
dist2 snmpd 161 - -
server snmpd 161 - -
printer snmpsim 161 printer public
fw snmpd 161 - -"

# What each snmpd says it is: device, kind (for sysDescr), sysObjectID
# (Cisco-like router and switch, net-snmp's Linux, Juniper-like firewall),
# sysServices.
NETNS_SNMPD_SYSTEM="core router .1.3.6.1.4.1.9.1.1 6
dist1 switch .1.3.6.1.4.1.9.1.516 6
dist2 switch .1.3.6.1.4.1.9.1.516 6
server server .1.3.6.1.4.1.8072.3.2.10 72
fw firewall .1.3.6.1.4.1.2636.1.1.1.2.39 76"

# Credentials every agent accepts. snmpd: community public from 127.0.0.1,
# 10.66.0.0/16 and fd66::/16; snmpsimd: the recording's name (and the extra
# communities above) from anywhere. Both: the SNMPv3 user below, SHA/AES
# authPriv (snmpsimd: with no context name, or the recording's name as
# context).
NETNS_COMMUNITY=public
NETNS_V3_USER=pharos
NETNS_V3_AUTH=pharos-auth-1
NETNS_V3_PRIV=pharos-priv-1

# The counter feed of the server's snmpd (snmp_counter_pass.sh): Counter32
# .1.0, Counter64 .2.0 and Gauge32 .3.0 under this OID.
NETNS_COUNTER_OID=.1.3.6.1.4.1.8072.9999.1
NETNS_COUNTERS="c32 c64 g32"

NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETNS_SNMPSIM_EXAMPLES=${PHAROS_SNMPSIM_DATA:-/usr/share/doc/snmpsim/examples/data}
# snmpsimd refuses to serve as root: it drops to this user and group.
NETNS_SNMPSIM_USER=${PHAROS_SNMPSIM_USER:-nobody}
NETNS_SNMPSIM_GROUP=${PHAROS_SNMPSIM_GROUP:-nogroup}

# Where the agents keep their configuration, data, logs and PIDs; removed by
# down. One folder per agent: STATE/DEV/PROGRAM-PORT.
netns_state_dir() {
	printf '%s/%s\n' "${PHAROS_NETNS_STATE:-/run/pharos-netns}" "$(netns_prefix)"
}

netns_counter_file() {
	printf '%s/counters\n' "$(netns_state_dir)"
}

# PHAROS_AGENTS: 0 (none), 1 (all, or up fails), auto (those installed).
netns_agents_mode() {
	case "${PHAROS_AGENTS:-auto}" in
	0 | no | off) echo 0 ;;
	1 | yes | on) echo 1 ;;
	auto) echo auto ;;
	*)
		echo "netns.sh: PHAROS_AGENTS must be 0, 1 or auto, not '$PHAROS_AGENTS'" >&2
		return 1
		;;
	esac
}

# The file a recording comes from: ours (data/), else snmpsim's examples,
# plain or gzipped.
netns_recording_src() {
	local f
	for f in "$NETNS_DIR/data/$1.snmprec" "$NETNS_SNMPSIM_EXAMPLES/$1.snmprec" \
	    "$NETNS_SNMPSIM_EXAMPLES/$1.snmprec.gz"; do
		[ -r "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# Why an agent (program, recording) cannot start on this machine; nothing
# when it can.
netns_agent_missing() {
	command -v snmpget >/dev/null 2>&1 || {
		echo "snmpget missing (Debian package snmp)"
		return
	}
	case "$1" in
	snmpd)
		command -v snmpd >/dev/null 2>&1 ||
		    echo "snmpd missing (Debian package snmpd)"
		;;
	snmpsim)
		if ! command -v snmpsimd >/dev/null 2>&1; then
			echo "snmpsimd missing (Debian package snmpsim)"
		elif ! netns_recording_src "$2" >/dev/null; then
			echo "recording $2.snmprec not found in $NETNS_DIR/data or $NETNS_SNMPSIM_EXAMPLES"
		elif ! getent passwd "$NETNS_SNMPSIM_USER" >/dev/null ||
		    ! getent group "$NETNS_SNMPSIM_GROUP" >/dev/null; then
			echo "no user $NETNS_SNMPSIM_USER or group $NETNS_SNMPSIM_GROUP to run snmpsimd as"
		fi
		;;
	esac
}

# The agents of this network, one per line: dev program address port
# community (the v2c community that reads it; IPv4 address).
netns_agent_list() {
	local dev prog port rec extra
	while read -r dev prog port rec extra; do
		if [ "$prog" = snmpd ]; then
			echo "$dev $prog $(netns_addr "$dev") $port $NETNS_COMMUNITY"
		else
			echo "$dev $prog $(netns_addr "$dev") $port $rec"
		fi
	done <<<"$NETNS_AGENTS"
}

# Hex of a text, for engine IDs.
netns_hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

# True while pid runs (a zombie counts as ended).
netns_pid_alive() {
	local st
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ]
}

# Write the counter feed's state file: NAME VALUE PER_SECOND SINCE_MS lines
# (see snmp_counter_pass.sh). Replaces NAME's line, atomically.
netns_counter_write() {
	local file name=$1 value=$2 rate=$3 now n v r t
	file=$(netns_counter_file)
	now=${EPOCHREALTIME/[.,]/}
	now=$((now / 1000))
	{
		for n in $NETNS_COUNTERS; do
			if [ "$n" = "$name" ]; then
				echo "$n $value $rate $now"
			elif read -r _ v r t < <(grep "^$n " "$file" 2>/dev/null); then
				echo "$n $v $r $t"
			else
				echo "$n 0 0 $now"
			fi
		done
	} >"$file.tmp" && chmod 0644 "$file.tmp" && mv -f "$file.tmp" "$file"
}

# Start snmpd for dev in folder dir (in the background; its PID in dir/pid).
netns_snmpd_start() {
	local dev=$1 port=$2 dir=$3 v6=$4 ns kind oid services listen n
	ns="$(netns_prefix)-$dev"
	read -r _ kind oid services <<<"$(grep "^$dev " <<<"$NETNS_SNMPD_SYSTEM")"
	[ -n "$oid" ] || { echo "netns.sh: no snmpd system line for $dev" >&2; return 1; }
	listen="udp:$(netns_addr "$dev"):$port,udp:127.0.0.1:$port"
	[ "$v6" = 0 ] || listen="$listen,udp6:[$(netns_addr6 "$dev")]:$port"
	mkdir -p "$dir/persist" || return 1
	{
		cat <<EOF
# snmpd of $dev in namespace $ns (written by netns.sh up)
agentaddress $listen
sysName $dev
sysDescr Pharos lab $kind $dev (Linux)
sysObjectID $oid
sysLocation Pharos test network, namespace $ns
sysContact noc@pharos.test
sysServices $services
engineID pharos-$dev
dontLogTCPWrappersConnects yes
view all included .1
rocommunity $NETNS_COMMUNITY 127.0.0.1 -V all
rocommunity $NETNS_COMMUNITY 10.66.0.0/16 -V all
rocommunity6 $NETNS_COMMUNITY fd66::/16 -V all
createUser $NETNS_V3_USER SHA $NETNS_V3_AUTH AES $NETNS_V3_PRIV
rouser $NETNS_V3_USER priv -V all
# LLDP-MIB from this namespace's lldpd (netns_lldpd_start), over AgentX.
master agentx
agentXSocket unix:$(netns_agentx_sock "$dev")
EOF
		if [ "$dev" = server ]; then
			echo "# The counter feed (netns.sh counter)."
			echo "pass_persist $NETNS_COUNTER_OID $dir/snmp_counter_pass.sh"
		fi
	} >"$dir/snmpd.conf" || return 1
	if [ "$dev" = server ]; then
		# A copy, executable whatever the checkout's modes, in a path
		# without spaces (snmpd splits the command on them).
		install -m 0755 "$NETNS_DIR/snmp_counter_pass.sh" \
		    "$dir/snmp_counter_pass.sh" || return 1
		for n in $NETNS_COUNTERS; do
			netns_counter_write "$n" 0 0 || return 1
		done
	fi
	# No MIB files (numeric OIDs only), no default configuration or
	# persistent files: only ours.
	ip netns exec "$ns" env PHAROS_COUNTER_FILE="$(netns_counter_file)" \
	    snmpd -f -C -c "$dir/snmpd.conf" -M /nonexistent -m "" \
	    --persistentDir="$dir/persist" -Lf "$dir/snmpd.log" \
	    </dev/null >"$dir/snmpd.out" 2>&1 &
	echo $! >"$dir/pid"
}

# Start snmpsimd serving recording rec for dev in folder dir.
netns_snmpsim_start() {
	local dev=$1 port=$2 dir=$3 v6=$4 rec=$5 extra=$6 ns src c args
	ns="$(netns_prefix)-$dev"
	src=$(netns_recording_src "$rec") || return 1
	mkdir -p "$dir/data" "$dir/cache" || return 1
	case "$src" in
	*.gz) gzip -dc "$src" >"$dir/data/$rec.snmprec" ;;
	*) cp "$src" "$dir/data/$rec.snmprec" ;;
	esac || return 1
	# snmpsimd picks the recording by community (v1, v2c) or context name
	# (v3): the file's name. Other names for the same recording are
	# symbolic links: the extra communities, and for v3 requests with no
	# context name the transport domain of the first UDP/IPv4
	# (1.3.6.1.6.1.1.0) and UDP/IPv6 (1.3.6.1.2.1.100.1.2.0) endpoint.
	[ "$extra" = - ] && extra=""
	for c in 1.3.6.1.6.1.1.0 1.3.6.1.2.1.100.1.2.0 ${extra//,/ }; do
		ln -s "$rec.snmprec" "$dir/data/$c.snmprec" || return 1
	done
	chown -R "$NETNS_SNMPSIM_USER:$NETNS_SNMPSIM_GROUP" "$dir" || return 1
	# It binds after dropping root: in this namespace (only), ports from
	# the agent's up need no privilege.
	if [ "$port" -lt 1024 ]; then
		netns_sysctl "$ns" net.ipv4.ip_unprivileged_port_start "$port" || return 1
	fi
	args=(--v3-engine-id="80001f8804$(netns_hex "pharos-$dev-$port")"
		--v3-user="$NETNS_V3_USER"
		--v3-auth-key="$NETNS_V3_AUTH" --v3-auth-proto=SHA
		--v3-priv-key="$NETNS_V3_PRIV" --v3-priv-proto=AES
		--data-dir="$dir/data" --cache-dir="$dir/cache"
		--process-user="$NETNS_SNMPSIM_USER"
		--process-group="$NETNS_SNMPSIM_GROUP"
		--logging-method="file:$dir/snmpsimd.log"
		--agent-udpv4-endpoint="$(netns_addr "$dev"):$port")
	[ "$v6" = 0 ] || args+=(--agent-udpv6-endpoint="[$(netns_addr6 "$dev")]:$port")
	ip netns exec "$ns" snmpsimd "${args[@]}" </dev/null >"$dir/snmpsimd.out" 2>&1 &
	echo $! >"$dir/pid"
}

# --- LLDP --------------------------------------------------------------
#
# Every device but mon runs Debian's lldpd, so real LLDP frames cross the
# veths: its system name is the device's name and its management address
# the device's watched address. Where snmpd runs, lldpd exports LLDP-MIB
# (lldpRemTable and friends, 1.0.8802.1.1.2) to it over AgentX on a socket
# of this namespace's own (snmpd is the master). Its folder:
# STATE/DEV/lldpd (PID in pid, stopped by netns_agents_stop with the
# agents). Frames every second, so neighbours know each other at once.
NETNS_LLDP_DEVICES="core dist1 dist2 server printer fw"

# The AgentX socket of dev's snmpd.
netns_agentx_sock() {
	printf '%s/%s/agentx.sock\n' "$(netns_state_dir)" "$1"
}

# Start lldpd for dev (in the background; its PID in STATE/DEV/lldpd/pid).
netns_lldpd_start() {
	local dev=$1 dir ns x=()
	ns="$(netns_prefix)-$dev"
	dir="$(netns_state_dir)/$dev/lldpd"
	rm -rf "$dir"
	mkdir -p "$dir" || return 1
	cat >"$dir/lldpd.conf" <<EOF || return 1
configure system hostname $dev
configure system description "Pharos lab $dev (Linux)"
configure lldp tx-interval 1
EOF
	grep -q "^$dev snmpd " <<<"$NETNS_AGENTS" &&
	    x=(-x -X "unix:$(netns_agentx_sock "$dev")")
	ip netns exec "$ns" lldpd -d -u "$dir/lldpd.socket" -O "$dir/lldpd.conf" \
	    -m "$(netns_addr "$dev")" "${x[@]}" </dev/null >"$dir/lldpd.log" 2>&1 &
	echo $! >"$dir/pid"
}

# Start lldpd on every LLDP device when it is installed (PHAROS_AGENTS=1:
# it must be).
netns_lldpd_start_all() {
	local mode=$1 dev
	if ! command -v lldpd >/dev/null 2>&1; then
		[ "$mode" = 1 ] && { echo "netns.sh: lldpd missing (Debian package lldpd)" >&2; return 1; }
		echo "netns.sh: warning: no LLDP: lldpd missing (Debian package lldpd)" >&2
		return 0
	fi
	for dev in $NETNS_LLDP_DEVICES; do
		netns_lldpd_start "$dev" || return 1
	done
}

# The last lines an agent wrote, to say why it failed.
netns_agent_logtail() {
	local f
	for f in "$1"/*.out "$1"/*.log; do
		[ -s "$f" ] || continue
		echo "--- $f (tail)" >&2
		tail -n 8 "$f" >&2
	done
}

# Start the agents (all at once), then wait until each answers an SNMP
# GETNEXT from inside its namespace: every PHAROS_AGENT_WAIT seconds
# (default 20) at most, and 200 rounds at most. Fails, naming the agent and
# showing its log, when one is missing (PHAROS_AGENTS=1), ends, or stays
# silent.
netns_agents_start() {
	local mode state v6=$1 dev prog port rec extra why dir ns addr comm
	local pending="" still t0 limit pid
	mode=$(netns_agents_mode) || return 1
	[ "$mode" = 0 ] && return 0
	state=$(netns_state_dir)
	case "$state" in
	*[[:space:]]*)
		echo "netns.sh: the state folder '$state' must not contain spaces" >&2
		return 1
		;;
	esac
	# snmpsimd (not root) must reach its folder: 0755 on ours, and on the
	# root folder when we make it (an existing one is left as it is).
	if [ ! -d "${state%/*}" ]; then
		mkdir -p "${state%/*}" && chmod 0755 "${state%/*}" || return 1
	fi
	mkdir -p "$state" && chmod 0755 "$state" || return 1
	while read -r dev prog port rec extra; do
		why=$(netns_agent_missing "$prog" "$rec")
		if [ -n "$why" ]; then
			if [ "$mode" = 1 ]; then
				echo "netns.sh: cannot start the $prog agent of $dev: $why" >&2
				return 1
			fi
			echo "netns.sh: warning: no $prog agent on $dev: $why" >&2
			continue
		fi
		dir="$state/$dev/$prog-$port"
		rm -rf "$dir"
		mkdir -p "$dir" || return 1
		if [ "$prog" = snmpd ]; then
			netns_snmpd_start "$dev" "$port" "$dir" "$v6" || return 1
			comm=$NETNS_COMMUNITY
		else
			netns_snmpsim_start "$dev" "$port" "$dir" "$v6" "$rec" "$extra" || return 1
			comm=$rec
		fi
		pending="$pending$dev $prog $port $comm $dir"$'\n'
	done <<<"$NETNS_AGENTS"
	netns_lldpd_start_all "$mode" || return 1
	limit=${PHAROS_AGENT_WAIT:-20}
	t0=$SECONDS
	for _ in $(seq 1 200); do
		still=""
		while read -r dev prog port comm dir; do
			[ -n "$dev" ] || continue
			ns="$(netns_prefix)-$dev"
			addr=$(netns_addr "$dev")
			pid=$(cat "$dir/pid" 2>/dev/null)
			if ! netns_pid_alive "$pid"; then
				echo "netns.sh: the $prog agent of $dev ($ns, $addr:$port) ended at start" >&2
				netns_agent_logtail "$dir"
				return 1
			fi
			if ip netns exec "$ns" snmpgetnext -v2c -c "$comm" -t 0.2 -r 0 \
			    "$addr:$port" .1.3.6.1 >/dev/null 2>&1; then
				continue
			fi
			still="$still$dev $prog $port $comm $dir"$'\n'
		done <<<"$pending"
		pending=$still
		[ -n "$pending" ] || return 0
		[ $((SECONDS - t0)) -lt "$limit" ] || break
		sleep 0.1
	done
	while read -r dev prog port comm dir; do
		[ -n "$dev" ] || continue
		echo "netns.sh: the $prog agent of $dev ($(netns_addr "$dev"):$port, community $comm) did not answer within ${limit}s" >&2
		netns_agent_logtail "$dir"
	done <<<"$pending"
	return 1
}

# Stop the agents recorded for namespace ns by their PIDs: TERM, wait up to
# 2 s, KILL. A recorded PID no longer in ns (reused) is left alone.
netns_agents_stop() {
	local ns=$1 dev pidf pid pids=""
	dev=${ns#"$(netns_prefix)"-}
	for pidf in "$(netns_state_dir)/$dev"/*/pid; do
		[ -f "$pidf" ] || continue
		pid=$(cat "$pidf" 2>/dev/null)
		rm -f "$pidf"
		case "$pid" in '' | *[!0-9]*) continue ;; esac
		netns_pid_alive "$pid" || continue
		ip netns identify "$pid" 2>/dev/null | grep -qx "$ns" || continue
		pids="$pids $pid"
	done
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null
	for _ in $(seq 1 20); do
		for pid in $pids; do
			netns_pid_alive "$pid" && break
			pid=""
		done
		[ -n "$pid" ] || break
		sleep 0.1
	done
	for pid in $pids; do
		netns_pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		# Reap our own children (agents started by this shell).
		wait "$pid" 2>/dev/null
	done
	return 0
}

# The agents and whether they run: the `agents` command.
netns_agents_show() {
	local dev prog addr port comm dir pid st
	printf '%-8s %-8s %-22s %-16s %s\n' DEVICE PROGRAM ADDRESS COMMUNITY PID
	while read -r dev prog addr port comm; do
		dir="$(netns_state_dir)/$dev/$prog-$port"
		pid=$(cat "$dir/pid" 2>/dev/null)
		if netns_pid_alive "$pid"; then st=$pid; else st="not running"; fi
		printf '%-8s %-8s %-22s %-16s %s\n' "$dev" "$prog" "$addr:$port" "$comm" "$st"
	done < <(netns_agent_list)
	echo "SNMPv3 everywhere: -u $NETNS_V3_USER -l authPriv -a SHA -A $NETNS_V3_AUTH -x AES -X $NETNS_V3_PRIV"
}

# counter: show the feed (no arguments) or set NAME to VALUE, growing by
# PER_SECOND from now on (default 0: a step).
netns_counter() {
	local name=${1:-} value=${2:-} rate=${3:-0} max file n i
	file=$(netns_counter_file)
	if [ ! -f "$file" ]; then
		echo "netns.sh: no counter feed: $file missing (netns.sh up, with the server's snmpd)" >&2
		return 1
	fi
	if [ -z "$name" ]; then
		i=1
		for n in $NETNS_COUNTERS; do
			printf '%s %s.%s.0 ' "$n" "$NETNS_COUNTER_OID" "$i"
			PHAROS_COUNTER_FILE=$file "$NETNS_DIR/snmp_counter_pass.sh" \
			    -g "$NETNS_COUNTER_OID.$i.0" | sed -n '2,3p' | tr '\n' ' '
			echo "($(grep "^$n " "$file" | awk '{ print "+" $3 "/s" }'))"
			i=$((i + 1))
		done
		return 0
	fi
	case "$name" in
	c32 | counter32) name=c32 max=4294967295 ;;
	c64 | counter64) name=c64 max=18446744073709551615 ;;
	g32 | gauge32) name=g32 max=4294967295 ;;
	*)
		echo "netns.sh: counter NAME is c32, c64 or g32, not '$name'" >&2
		return 2
		;;
	esac
	if ! netns_uint_le "$value" "$max"; then
		echo "netns.sh: counter $name: VALUE must be a whole number from 0 to $max, not '$value'" >&2
		return 2
	fi
	if ! netns_uint_le "$rate" 4294967295; then
		echo "netns.sh: counter $name: PER_SECOND must be a whole number from 0 to 4294967295, not '$rate'" >&2
		return 2
	fi
	netns_counter_write "$name" "$(netns_uint_norm "$value")" "$(netns_uint_norm "$rate")"
}

# A decimal number without its leading zeros.
netns_uint_norm() {
	local v=${1#"${1%%[1-9]*}"}
	echo "${v:-0}"
}

# True when $1 is a decimal number (digits only) not above $2 (both up to
# 20 digits, compared as text, so 2^64-1 fits).
netns_uint_le() {
	local v=$1 max=$2
	[[ $v =~ ^[0-9]+$ ]] || return 1
	v=$(netns_uint_norm "$v")
	[ "${#v}" -lt "${#max}" ] && return 0
	[ "${#v}" -gt "${#max}" ] && return 1
	[[ ! $v > $max ]]
}

netns_up() {
	local p dev ns key pdev pif paddr cdev cif caddr paddr6 caddr6 dst gw v6=0
	p=$(netns_prefix)
	netns_down
	if [ -n "$(netns_list)" ]; then
		echo "netns.sh: leftover namespaces with prefix $p could not be removed" >&2
		return 1
	fi
	netns_have_ipv6 && v6=1
	for dev in $NETNS_DEVICES; do
		ns="$p-$dev"
		ip netns add "$ns" || { netns_down; return 1; }
		ip -n "$ns" link set lo up || { netns_down; return 1; }
		# Set before the interfaces exist so that they inherit it:
		# no reverse-path filtering (forged replies, asymmetric
		# paths); IPv6 addresses usable at once (no duplicate
		# address detection), kept while a link is down (linkdown),
		# configured by hand only (no router advertisements).
		netns_sysctl "$ns" net.ipv4.conf.default.rp_filter 0 &&
		    netns_sysctl "$ns" net.ipv4.conf.all.rp_filter 0 ||
		    { netns_down; return 1; }
		[ "$v6" = 1 ] || continue
		for key in disable_ipv6=0 accept_dad=0 accept_ra=0 \
		    keep_addr_on_down=1; do
			netns_sysctl "$ns" "net.ipv6.conf.default.${key%=*}" "${key#*=}" &&
			    netns_sysctl "$ns" "net.ipv6.conf.all.${key%=*}" "${key#*=}" ||
			    { netns_down; return 1; }
		done
	done
	# Routers forward and send ICMP errors without rate limits, so that
	# every unreachable a test provokes comes back.
	for dev in $NETNS_ROUTERS; do
		netns_sysctl "$p-$dev" net.ipv4.ip_forward 1 &&
		    netns_sysctl "$p-$dev" net.ipv4.icmp_ratelimit 0 ||
		    { netns_down; return 1; }
		[ "$v6" = 1 ] || continue
		netns_sysctl "$p-$dev" net.ipv6.conf.all.forwarding 1 &&
		    netns_sysctl "$p-$dev" net.ipv6.icmp.ratelimit 0 ||
		    { netns_down; return 1; }
	done
	while read -r pdev pif paddr cdev cif caddr paddr6 caddr6; do
		ip -n "$p-$pdev" link add "$pif" type veth peer name "$cif" \
		    netns "$p-$cdev" &&
		    ip -n "$p-$pdev" addr add "$paddr" dev "$pif" &&
		    ip -n "$p-$cdev" addr add "$caddr" dev "$cif" &&
		    { [ "$v6" = 0 ] ||
		    { ip -n "$p-$pdev" addr add "$paddr6" dev "$pif" nodad &&
		    ip -n "$p-$cdev" addr add "$caddr6" dev "$cif" nodad; }; } &&
		    ip -n "$p-$pdev" link set "$pif" up &&
		    ip -n "$p-$cdev" link set "$cif" up ||
		    { echo "netns.sh: link $pdev/$pif - $cdev/$cif failed" >&2; netns_down; return 1; }
	done <<<"$NETNS_LINKS"
	while read -r dev dst gw; do
		ip -n "$p-$dev" route add "$dst" via "$gw" ||
		    { echo "netns.sh: route $dst via $gw in $dev failed" >&2; netns_down; return 1; }
	done <<<"$NETNS_ROUTES"
	if [ "$v6" = 1 ]; then
		while read -r dev dst gw; do
			ip -n "$p-$dev" -6 route add "$dst" via "$gw" ||
			    { echo "netns.sh: route $dst via $gw in $dev failed" >&2; netns_down; return 1; }
		done <<<"$NETNS_ROUTES6"
	fi
	netns_agents_start "$v6" || { echo "netns.sh: SNMP agents failed; network removed" >&2; netns_down; return 1; }
	return 0
}

netns_status() {
	local ns p dev seen=""
	p=$(netns_prefix)
	# Known devices first, in topology order, then any leftovers.
	for ns in $(for dev in $NETNS_DEVICES; do echo "$p-$dev"; done; netns_list); do
		case " $seen " in *" $ns "*) continue ;; esac
		seen="$seen $ns"
		ip netns list | grep -q "^$ns\( \|\$\)" || continue
		echo "== $ns"
		ip -n "$ns" -br addr show | grep -v '^lo '
		ip -n "$ns" route show | sed 's/^/   route /'
		ip -n "$ns" -6 route show 2>/dev/null | grep -v '^fe80::/64 ' |
		    sed 's/^/   route /'
		if ip netns exec "$ns" nft list table inet "$NETNS_DEAD_TABLE" >/dev/null 2>&1; then
			echo "   FAILED (nftables table inet $NETNS_DEAD_TABLE drops everything)"
		fi
		ip netns exec "$ns" nft list table inet "$NETNS_LOSS_TABLE" 2>/dev/null |
		    sed -n 's/.*comment "loss \([0-9]*\)%".*/   LOSSY (\1% of its input dropped)/p'
		ip netns pids "$ns" | while read -r pid; do
			echo "   pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
		done
	done
	if [ -d "$(netns_state_dir)" ]; then
		echo "== SNMP agents (state in $(netns_state_dir))"
		netns_agents_show | sed 's/^/   /'
	fi
}

# A dead device: everything in, through and out of it is dropped, while its
# links stay up (so neighbours still see carrier, as with a hung box) and it
# still answers ARP and IPv6 neighbour discovery.
netns_fail() {
	local ns
	ns=$(netns_name "$1") || return 1
	ip netns exec "$ns" nft delete table inet "$NETNS_DEAD_TABLE" 2>/dev/null
	ip netns exec "$ns" nft -f - <<EOF
table inet $NETNS_DEAD_TABLE {
	chain input { type filter hook input priority filter; policy drop; $NETNS_NDP; }
	chain forward { type filter hook forward priority filter; policy drop; }
	chain output { type filter hook output priority filter; policy drop; $NETNS_NDP; }
}
EOF
}

netns_recover() {
	local ns
	ns=$(netns_name "$1") || return 1
	if ip netns exec "$ns" nft list table inet "$NETNS_DEAD_TABLE" >/dev/null 2>&1; then
		ip netns exec "$ns" nft delete table inet "$NETNS_DEAD_TABLE"
	fi
}

# A lossy device: each packet DEV receives for itself (IPv4 or IPv6, not
# what it forwards, not neighbour discovery) is dropped with probability
# PCT% (0 to 100), independently of the others. loss again replaces the
# percentage; noloss removes it.
netns_loss() {
	local ns rule pct=$2
	ns=$(netns_name "$1") || return 1
	case "$pct" in
	'' | *[!0-9]*) pct=999 ;;
	esac
	pct=$((10#$pct))
	if [ "$pct" -gt 100 ]; then
		echo "netns.sh: loss needs a percentage from 0 to 100, not '$2'" >&2
		return 2
	fi
	# numgen takes values below 100 only: 100% is a plain drop.
	if [ "$pct" = 100 ]; then
		rule="drop"
	else
		rule="numgen random mod 100 < $pct drop"
	fi
	ip netns exec "$ns" nft delete table inet "$NETNS_LOSS_TABLE" 2>/dev/null
	ip netns exec "$ns" nft -f - <<EOF
table inet $NETNS_LOSS_TABLE {
	chain input {
		type filter hook input priority filter; policy accept;
		$NETNS_NDP
		$rule comment "loss $pct%"
	}
}
EOF
}

netns_noloss() {
	local ns
	ns=$(netns_name "$1") || return 1
	if ip netns exec "$ns" nft list table inet "$NETNS_LOSS_TABLE" >/dev/null 2>&1; then
		ip netns exec "$ns" nft delete table inet "$NETNS_LOSS_TABLE"
	fi
}

# linkdown/linkup act on DEV's side of its uplink: the device's interface
# goes administratively down and the parent's side loses carrier, as when
# the device is unplugged. The parent keeps its address and route (flagged
# linkdown), so the parent answers for the device with silence or ICMP host
# unreachable once ARP fails, never with a routing loop. Taking the
# interface down removes DEV's routes through it; linkup puts them back.
netns_link() {
	local ns ifname dev rdev dst gw
	dev=$(netns_dev "$1") || return 1
	ns=$(netns_name "$dev") || return 1
	ifname=$(netns_uplink "$dev") || return 1
	ip -n "$ns" link set "$ifname" "$2" || return 1
	[ "$2" = up ] || return 0
	while read -r rdev dst gw; do
		[ "$rdev" = "$dev" ] || continue
		ip -n "$ns" route replace "$dst" via "$gw" || return 1
	done <<<"$NETNS_ROUTES"
	netns_have_ipv6 || return 0
	while read -r rdev dst gw; do
		[ "$rdev" = "$dev" ] || continue
		ip -n "$ns" -6 route replace "$dst" via "$gw" || return 1
	done <<<"$NETNS_ROUTES6"
}

# The Pharos hosts of the network: name device parent.
NETNS_HOSTS="core-router core -
dist1 dist1 core-router
dist2 dist2 core-router
server server dist1
printer printer dist1
firewall fw dist2"

# Write a Pharos configuration for this network into dir. PHAROS_IPV6
# chooses the addresses: unset, empty or 0: address (IPv4); 1: address
# (IPv4) and address6 (IPv6); only: address6 (IPv6) alone, so the hosts are
# checked over IPv6. PHAROS_ICMP_MAX_RATE, when set, becomes icmp_max_rate.
netns_config() {
	local dir=$1 name dev parent
	case "${PHAROS_IPV6:-0}" in
	0 | 1 | only) ;;
	*)
		echo "netns.sh: PHAROS_IPV6 must be 0, 1 or only, not '$PHAROS_IPV6'" >&2
		return 1
		;;
	esac
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	{
		cat <<EOF
# Pharos main configuration for the test network (written by netns.sh).
cfg_file=network.cfg
log_file=$dir/pharos.log
query_socket=$dir/pharos.qh
pharos_user=nobody
pharos_group=nogroup
interval_length=1
EOF
		[ -z "${PHAROS_ICMP_MAX_RATE:-}" ] ||
		    echo "icmp_max_rate=$PHAROS_ICMP_MAX_RATE"
	} >"$dir/pharos.cfg" || return 1
	{
		cat <<EOF
# The test network (written by netns.sh): hosts watched by the built-in
# ICMP check, with their parents.
define host {
	name                device
	check_interval      ${PHAROS_CHECK_INTERVAL:-5s}
	retry_interval      ${PHAROS_RETRY_INTERVAL:-1s}
	max_check_attempts  ${PHAROS_MAX_ATTEMPTS:-3}
	register            0
}
EOF
		while read -r name dev parent; do
			printf '\ndefine host {\n\tuse                 device\n'
			printf '\thost_name           %s\n' "$name"
			[ "${PHAROS_IPV6:-0}" = only ] ||
			    printf '\taddress             %s\n' "$(netns_addr "$dev")"
			[ "${PHAROS_IPV6:-0}" = 0 ] ||
			    printf '\taddress6            %s\n' "$(netns_addr6 "$dev")"
			[ "$parent" = - ] ||
			    printf '\tparents             %s\n' "$parent"
			printf '}\n'
		done <<<"$NETNS_HOSTS"
	} >"$dir/network.cfg"
}

netns_usage() {
	cat >&2 <<EOF
usage: netns.sh up | down | status
       netns.sh fail DEV | recover DEV | linkdown DEV | linkup DEV
       netns.sh loss DEV PCT | noloss DEV
       netns.sh exec DEV CMD...
       netns.sh config DIR       (PHAROS_IPV6=0|1|only: IPv4, both, IPv6)
       netns.sh agents           the SNMP agents: address, port, community, PID
       netns.sh counter [NAME VALUE [PER_SECOND]]
                                 show or set the server's counter feed
                                 (NAME: c32, c64, g32)
DEV: $NETNS_DEVICES (or core-router, firewall)
PHAROS_AGENTS=0|1|auto: SNMP agents on up: none, all (or fail), those installed.
Namespaces are named \$PHAROS_NS_PREFIX-DEV (now: $(netns_prefix)-DEV).
EOF
	return 2
}

netns_main() {
	local cmd=${1:-}
	[ $# -gt 0 ] && shift
	case "$cmd" in
	up | down | status)
		[ $# -eq 0 ] || { netns_usage; return; }
		if [ "$(id -u)" != 0 ]; then
			echo "netns.sh: needs root (network namespaces)" >&2
			return 1
		fi
		"netns_$cmd"
		;;
	fail | recover | noloss)
		[ $# -eq 1 ] || { netns_usage; return; }
		"netns_$cmd" "$1"
		;;
	loss)
		[ $# -eq 2 ] || { netns_usage; return; }
		netns_loss "$1" "$2"
		;;
	linkdown)
		[ $# -eq 1 ] || { netns_usage; return; }
		netns_link "$1" down
		;;
	linkup)
		[ $# -eq 1 ] || { netns_usage; return; }
		netns_link "$1" up
		;;
	exec)
		[ $# -ge 2 ] || { netns_usage; return; }
		local ns
		ns=$(netns_name "$1") || return 1
		shift
		ip netns exec "$ns" "$@"
		;;
	config)
		[ $# -eq 1 ] || { netns_usage; return; }
		netns_config "$1"
		;;
	agents)
		[ $# -eq 0 ] || { netns_usage; return; }
		netns_agents_show
		;;
	counter)
		[ $# -eq 0 ] || [ $# -eq 2 ] || [ $# -eq 3 ] || { netns_usage; return; }
		netns_counter "$@"
		;;
	*)
		netns_usage
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	netns_main "$@"
	exit $?
fi
