#!/bin/bash
# test_netlink: `pharos route` (probes/netlink.c asking the kernel over
# netlink) gives, for every device of the test network, IPv4 and IPv6, the
# same outgoing interface, gateway and source address as `ip route get` in
# the monitor's namespace; an on-link target has no gateway; with the
# monitor's uplink down both agree there is no route, and the link state
# is reported.
#
# Needs root (network namespaces). Quick: a few seconds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip awk
need_programs

PHAROS_AGENTS=0
export PHAROS_AGENTS
test_setup
net_up
MON="$PHAROS_NS_PREFIX-mon"
# The uplink's carrier comes a moment after the link is made.
for _ in $(seq 1 50); do
	ip -n "$MON" link show to-core | grep -q LOWER_UP && break
	sleep 0.1
done

# field WORD LINE: the word after WORD in LINE ("" when absent).
field() {
	awk -v w="$1" '{ for (i = 1; i < NF; i++) if ($i == w) { print $(i + 1); exit } }' <<<"$2"
}

# same_route ADDR: pharos route and ip route get agree on via, dev, src.
same_route() {
	local addr=$1 ours theirs f a b ok=0
	ours=$(ip netns exec "$MON" "$PHAROS" route "$addr" 2>&1) || {
		echo "  FAILED: pharos route $addr: $ours"
		return 1
	}
	theirs=$(ip netns exec "$MON" ip -o route get "$addr" 2>&1) || {
		echo "  FAILED: ip route get $addr: $theirs"
		return 1
	}
	for f in via dev src; do
		a=$(field "$f" "$ours")
		b=$(field "$f" "$theirs")
		if [ "$a" != "$b" ]; then
			echo "  FAILED: $addr: $f '$a' (pharos) vs '$b' (ip route get)"
			ok=1
		fi
	done
	[ "$ok" = 0 ] && echo "  ok: $ours"
	return "$ok"
}

case_every_device() {
	local dev rc=0 a
	for dev in $NETNS_DEVICES; do
		[ "$dev" = mon ] && continue
		for a in "$(netns_addr "$dev")" "$(netns_addr6 "$dev")"; do
			same_route "$a" || rc=1
		done
	done
	return "$rc"
}

case_onlink() {
	local out rc=0
	out=$(ip netns exec "$MON" "$PHAROS" route 10.66.0.1 fd66::1)
	check "core's address is on-link (no gateway)" \
	    not grep -q via <<<"$out" || rc=1
	check "the uplink is up" grep -q "dev to-core .*link up" <<<"$out" || rc=1
	out=$(ip netns exec "$MON" "$PHAROS" route 10.66.11.10)
	check "the server is behind core's address" \
	    grep -q "via 10.66.0.1 dev to-core src 10.66.0.2" <<<"$out" || rc=1
	return "$rc"
}

case_uplink_down() {
	local out rc=0 st
	ip netns exec "$MON" ip link set to-core down
	out=$(ip netns exec "$MON" "$PHAROS" route 10.66.11.10 fd66:0:11::10 2>&1)
	st=$?
	check_eq "exit status without a route" "$st" 1 || rc=1
	check "says there is no route" grep -q "unreachable" <<<"$out" || rc=1
	check "ip route get agrees" \
	    not ip netns exec "$MON" ip route get 10.66.11.10 >/dev/null 2>&1 || rc=1
	ip netns exec "$MON" ip link set to-core up
	ip netns exec "$MON" ip route replace default via 10.66.0.1 2>/dev/null
	ip netns exec "$MON" ip -6 route replace default via fd66::1 2>/dev/null
	same_route 10.66.11.10 || rc=1
	same_route fd66:0:11::10 || rc=1
	return "$rc"
}

case_usage() {
	local rc=0 st
	"$PHAROS" route >/dev/null 2>&1
	st=$?
	check_eq "no target is a usage error" "$st" 2 || rc=1
	"$PHAROS" route no-such-host.invalid >/dev/null 2>&1
	st=$?
	check_eq "a name that does not resolve" "$st" 1 || rc=1
	return "$rc"
}

run_case every_device_matches_ip_route_get case_every_device
run_case onlink_and_gateway case_onlink
run_case uplink_down_no_route case_uplink_down
run_case usage_errors case_usage
test_finish
