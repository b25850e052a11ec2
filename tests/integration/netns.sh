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

# Kill every process in namespace ns by PID: TERM, wait up to 2 s, KILL.
netns_kill_pids() {
	local ns=$1 pids
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

# Remove every namespace with our prefix, killing what still runs in it.
netns_down() {
	local ns rc=0
	for ns in $(netns_list); do
		netns_kill_pids "$ns" || rc=1
		ip netns delete "$ns" || rc=1
	done
	return $rc
}

# Is IPv6 there at all (a kernel booted with ipv6.disable=1 has none)?
# Without it the network is built with IPv4 only.
netns_have_ipv6() {
	[ -d /proc/sys/net/ipv6 ]
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
	[ "$v6" = 1 ] || return 0
	while read -r dev dst gw; do
		ip -n "$p-$dev" -6 route add "$dst" via "$gw" ||
		    { echo "netns.sh: route $dst via $gw in $dev failed" >&2; netns_down; return 1; }
	done <<<"$NETNS_ROUTES6"
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
		ip netns pids "$ns" | sed 's/^/   pid /'
	done
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
DEV: $NETNS_DEVICES (or core-router, firewall)
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
	*)
		netns_usage
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	netns_main "$@"
	exit $?
fi
