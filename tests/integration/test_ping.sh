#!/bin/bash
# test_ping: `pharos ping`, the one-shot sweeper, in the test network (run
# from the monitor's namespace): live and dead targets, ICMP errors, names
# that do not resolve, bad arguments, -g ranges and -f files on loopback,
# Ctrl-C, the unprivileged datagram socket for real (a user in
# net.ipv4.ping_group_range, no capabilities) and no socket at all, and
# IPv6 when the prober and the kernel have it.
#
# Checks exit codes and the fping-shaped output; no timing thresholds.
# Needs root (network namespaces), nft and setpriv (util-linux). About
# 30 seconds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft awk timeout setpriv
need_programs

test_setup
net_up

MON="$PHAROS_NS_PREFIX-mon"
CORE=$(netns_addr core)     # 10.66.0.1
SERVER=$(netns_addr server) # 10.66.11.10
OUT="$TEST_DIR/ping.out"
ERR="$TEST_DIR/ping.err"
RC=""

# ping_mon ARGS...: run `pharos ping ARGS` in the monitor's namespace (60 s
# at most); stdout in $OUT, stderr in $ERR, exit status in $RC.
ping_mon() {
	say "pharos ping $*"
	timeout -s KILL 60 ip netns exec "$MON" "$PHAROS" ping "$@" \
	    >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	show_output
}

# as_user GID ARGS...: the same as nobody in group GID, no capabilities.
as_user() {
	local gid=$1
	shift
	say "as nobody:$gid without capabilities: pharos ping $*"
	timeout -s KILL 60 ip netns exec "$MON" setpriv --reuid=nobody \
	    --regid="$gid" --clear-groups --inh-caps=-all \
	    "$PHAROS" ping "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	show_output
}

show_output() {
	sed 's/^/  stdout: /' "$OUT" | head -n 20
	sed 's/^/  stderr: /' "$ERR" | head -n 20
}

# has FILE REGEX: a line of FILE matches the extended regex.
has() {
	grep -Eq -- "$2" "$1"
}

lines() {
	grep -Ec -- "$2" "$1"
}

set_ping_group_range() {
	netns_sysctl "$MON" net.ipv4.ping_group_range "$1"
}

case_live_targets_count() {
	local rc=0
	ping_mon -c 3 -p 100 "$CORE" "$SERVER"
	check_eq "exit status" "$RC" 0 || rc=1
	# Names padded to the widest one, as fping does.
	check "summary for the core: 3/3/0%" has "$ERR" \
	    "^10\.66\.0\.1   : xmt/rcv/%loss = 3/3/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$" || rc=1
	check "summary for the server: 3/3/0%" has "$ERR" \
	    "^10\.66\.11\.10 : xmt/rcv/%loss = 3/3/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$" || rc=1
	check_eq "per-reply lines on stdout" "$(lines "$OUT" \
	    '^10\.66\.(0\.1  |11\.10) : \[[0-2]\], 64 bytes, [0-9.]+ ms \([0-9.]+ avg, 0% loss\)$')" 6 || rc=1
	check_eq "the server's reply [2]" "$(lines "$OUT" '^10\.66\.11\.10 : \[2\], ')" 1 || rc=1
	return $rc
}

case_live_targets_default_mode() {
	local rc=0
	ping_mon "$CORE" "$SERVER"
	check_eq "exit status" "$RC" 0 || rc=1
	check "core is alive" has "$OUT" "^10\.66\.0\.1 is alive$" || rc=1
	check "server is alive" has "$OUT" "^10\.66\.11\.10 is alive$" || rc=1
	check_eq "no summary without -c" "$(wc -l <"$ERR")" 0 || rc=1
	return $rc
}

case_quiet_summary_only() {
	local rc=0
	ping_mon -q -c 2 -p 50 "$CORE"
	check_eq "exit status" "$RC" 0 || rc=1
	check_eq "nothing on stdout" "$(wc -c <"$OUT")" 0 || rc=1
	check_eq "one summary line, no blank line" "$(wc -l <"$ERR")" 1 || rc=1
	check "summary 2/2/0%" has "$ERR" "^10\.66\.0\.1 : xmt/rcv/%loss = 2/2/0%, " || rc=1
	return $rc
}

case_dead_server_unreachable() {
	local rc=0
	net fail server || return 1
	ping_mon -c 3 -p 100 "$CORE" "$SERVER"
	check_eq "exit status (some did not answer)" "$RC" 1 || rc=1
	check "server: 3/0/100%, no round trips" has "$ERR" \
	    "^10\.66\.11\.10 : xmt/rcv/%loss = 3/0/100%$" || rc=1
	check "core: 3/3/0%" has "$ERR" "^10\.66\.0\.1   : xmt/rcv/%loss = 3/3/0%, " || rc=1
	check_eq "server's timed out lines" "$(lines "$OUT" \
	    '^10\.66\.11\.10 : \[[0-2]\], timed out \(NaN avg, 100% loss\)$')" 3 || rc=1
	ping_mon "$SERVER"
	net recover server || rc=1
	check_eq "default mode: exit status" "$RC" 1 || rc=1
	check "default mode: server is unreachable" has "$OUT" "^10\.66\.11\.10 is unreachable$" || rc=1
	return $rc
}

case_icmp_error_reported() {
	local rc=0
	# The core has no route to 10.66.31.0/24: it answers "net unreachable".
	ping_mon -c 2 -p 100 10.66.31.1
	check_eq "exit status" "$RC" 1 || rc=1
	check "the ICMP error, fping style" has "$ERR" \
	    "^ICMP .*Unreachable from 10\.66\.0\.1 for ICMP Echo sent to 10\.66\.31\.1$" || rc=1
	check "summary 2/0/100%" has "$ERR" "^10\.66\.31\.1 : xmt/rcv/%loss = 2/0/100%$" || rc=1
	ping_mon -q -c 1 10.66.31.1
	check "-q hides ICMP errors" not has "$ERR" "^ICMP " || rc=1
	return $rc
}

case_name_resolved() {
	local rc=0
	ping_mon -c 2 -p 50 localhost
	check_eq "exit status" "$RC" 0 || rc=1
	check_eq "reply lines under the name as typed" \
	    "$(lines "$OUT" '^localhost : \[[01]\], 64 bytes, [0-9.]+ ms ')" 2 || rc=1
	check "summary under the name" has "$ERR" "^localhost : xmt/rcv/%loss = 2/2/0%, " || rc=1
	ping_mon -4 localhost
	check "-4: localhost is alive" has "$OUT" "^localhost is alive$" || rc=1
	return $rc
}

case_name_not_found() {
	local rc=0
	ping_mon -c 1 "$CORE" no-such-host.invalid
	check_eq "exit status" "$RC" 2 || rc=1
	check "the name's error on stderr" has "$ERR" "^no-such-host\.invalid: .+" || rc=1
	check "the other target was pinged" has "$ERR" "^10\.66\.0\.1 +: xmt/rcv/%loss = 1/1/0%" || rc=1
	return $rc
}

case_bad_arguments() {
	local rc=0 args
	for args in "-c 0 $CORE" "-c 1x $CORE" "-p 0 $CORE" "-p -5 $CORE" \
	    "-i 1e3 $CORE" "-i inf $CORE" "-t 0x10 $CORE" "-x $CORE" "-c" \
	    "-g 10.0.0.0/7" "-g 10.0.0.0/33" "-g 127.0.0.9 127.0.0.1" \
	    "-g ::1 127.0.0.1" "-4 -6 $CORE" "-4 ::1" "-g -f x 127.0.0.0/30"; do
		# shellcheck disable=SC2086
		ping_mon $args
		check_eq "exit status of 'pharos ping $args'" "$RC" 3 || rc=1
		check "'$args': a message naming the problem" has "$ERR" "^pharos ping: " || rc=1
	done
	ping_mon # no targets at all, stdin empty
	check_eq "exit status without targets" "$RC" 3 || rc=1
	return $rc
}

case_generate_cidr_loopback() {
	local rc=0
	ping_mon -g 127.1.0.0/28
	check_eq "exit status" "$RC" 0 || rc=1
	check_eq "alive lines (network and broadcast excluded)" "$(lines "$OUT" '^127\.1\.0\.([1-9]|1[0-4]) is alive$')" 14 || rc=1
	check_eq "lines in all" "$(wc -l <"$OUT")" 14 || rc=1
	ping_mon -g 127.1.0.0/31
	check_eq "/31: both addresses" "$(lines "$OUT" '^127\.1\.0\.[01] is alive$')" 2 || rc=1
	ping_mon -q -c 2 -p 10 -g 127.2.0.254 127.2.1.1
	check_eq "START END: exit status" "$RC" 0 || rc=1
	check_eq "START END: 4 summaries" "$(lines "$ERR" '^127\.2\.(0\.25[45]|1\.[01]) +: xmt/rcv/%loss = 2/2/0%')" 4 || rc=1
	return $rc
}

case_targets_from_file() {
	local rc=0 f="$TEST_DIR/targets"
	printf '# routers\n%s\n\n  %s   # the server\n127.0.0.1 trailing words\n' \
	    "$CORE" "$SERVER" >"$f"
	ping_mon -f "$f"
	check_eq "exit status" "$RC" 0 || rc=1
	check_eq "three alive lines" "$(lines "$OUT" ' is alive$')" 3 || rc=1
	say "pharos ping -c 1 -q -f - < $f"
	timeout -s KILL 60 ip netns exec "$MON" "$PHAROS" ping -c 1 -q -f - \
	    <"$f" >"$OUT" 2>"$ERR"
	check_eq "stdin: exit status" "$?" 0 || rc=1
	check_eq "stdin: three summaries" "$(lines "$ERR" ' : xmt/rcv/%loss = 1/1/0%')" 3 || rc=1
	ping_mon -f "$TEST_DIR/missing"
	check_eq "a missing file: exit status" "$RC" 4 || rc=1
	return $rc
}

case_interrupt_prints_summary() {
	local rc=0 pid
	say "pharos ping -c 1000 -p 100 $CORE, SIGINT after the first reply"
	ip netns exec "$MON" "$PHAROS" ping -c 1000 -p 100 "$CORE" \
	    >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	for _ in $(seq 1 100); do
		has "$OUT" '\[1\], 64 bytes' && break
		sleep 0.1
	done
	stop_pid "$pid" INT 10 || rc=1 # SIGKILL after 10 s: a failure
	RC=$STOP_RC
	show_output
	check "ended by itself, status 0 or 1" test "$RC" -le 1 || rc=1
	check "a summary of what was sent" has "$ERR" \
	    "^10\.66\.0\.1 : xmt/rcv/%loss = [0-9]+/[0-9]+/[0-9]+%, min/avg/max" || rc=1
	check "fewer than 1000 sent" not has "$ERR" "= 1000/" || rc=1
	return $rc
}

# The datagram ICMP socket for real: nobody in a group allowed by
# net.ipv4.ping_group_range, no capabilities.
case_unprivileged_datagram_socket() {
	local rc=0 gid
	gid=$(getent group nogroup | cut -d: -f3)
	[ -n "$gid" ] || { echo "no group nogroup"; return 1; }
	set_ping_group_range "$gid $gid" || return 1
	as_user "$gid" -v -c 2 -p 100 "$CORE"
	check_eq "exit status" "$RC" 0 || rc=1
	check "verbose: an IPv4 datagram socket" has "$ERR" "^pharos: icmp: IPv4 datagram socket$" || rc=1
	check "summary 2/2/0%" has "$ERR" "^10\.66\.0\.1 : xmt/rcv/%loss = 2/2/0%, " || rc=1
	as_user "$gid" -c 1 10.66.31.1
	check "ICMP errors through the error queue" has "$ERR" \
	    "^ICMP .*Unreachable from 10\.66\.0\.1 for ICMP Echo sent to 10\.66\.31\.1$" || rc=1
	if [ -n "$HAVE_IPV6" ]; then
		# ping_group_range covers the IPv6 datagram socket too.
		as_user "$gid" -v -c 2 -p 100 "$(netns_addr6 core)"
		check_eq "IPv6: exit status" "$RC" 0 || rc=1
		check "IPv6: a datagram socket" has "$ERR" "^pharos: icmp: IPv6 datagram socket$" || rc=1
	fi
	set_ping_group_range "1 0"
	return $rc
}

case_no_icmp_socket() {
	local rc=0 gid
	gid=$(getent group nogroup | cut -d: -f3)
	set_ping_group_range "1 0" || return 1
	as_user "$gid" -c 1 "$CORE"
	check_eq "exit status (a system call failed)" "$RC" 4 || rc=1
	check "the message says why and what to do" has "$ERR" \
	    "^pharos ping: .*(CAP_NET_RAW|ping_group_range)" || rc=1
	check_eq "nothing on stdout" "$(wc -c <"$OUT")" 0 || rc=1
	return $rc
}

# IPv6, when the prober opened an IPv6 socket here.
have_ipv6_socket() {
	netns_have_ipv6 &&
	    ip netns exec "$MON" "$PHAROS" ping -v -c 1 127.0.0.1 2>&1 |
	    grep -Eq '^pharos: icmp: IPv6 (raw|datagram) socket$'
}

case_ipv6_loopback() {
	local rc=0
	ping_mon -c 2 -p 100 ::1
	check_eq "exit status" "$RC" 0 || rc=1
	check "summary 2/2/0%" has "$ERR" "^::1 : xmt/rcv/%loss = 2/2/0%, " || rc=1
	check_eq "reply lines" "$(lines "$OUT" '^::1 : \[[01]\], 64 bytes, ')" 2 || rc=1
	return $rc
}

case_ipv6_network() {
	local rc=0 core6 server6
	core6=$(netns_addr6 core) && server6=$(netns_addr6 server) || return 1
	ping_mon -c 2 -p 100 "$core6" "$server6" "$CORE"
	check_eq "exit status" "$RC" 0 || rc=1
	check_eq "three summaries 2/2/0%" "$(lines "$ERR" ' : xmt/rcv/%loss = 2/2/0%, ')" 3 || rc=1
	net fail server || return 1
	ping_mon -c 2 -p 100 "$core6" "$server6"
	net recover server || rc=1
	check_eq "dead server: exit status" "$RC" 1 || rc=1
	check "dead server: 100% loss" has "$ERR" "^$server6 +: xmt/rcv/%loss = 2/0/100%$" || rc=1
	ping_mon -g "${core6%::*}::/126"
	check_eq "-g IPv6: four targets" "$(wc -l <"$OUT")" 4 || rc=1
	return $rc
}

HAVE_IPV6=""
have_ipv6_socket && HAVE_IPV6=1
run_case ping_live_targets_count case_live_targets_count
run_case ping_live_targets_default_mode case_live_targets_default_mode
run_case ping_quiet_summary_only case_quiet_summary_only
run_case ping_dead_server_unreachable case_dead_server_unreachable
run_case ping_icmp_error_reported case_icmp_error_reported
run_case ping_name_resolved case_name_resolved
run_case ping_name_not_found case_name_not_found
run_case ping_bad_arguments case_bad_arguments
run_case ping_generate_cidr_loopback case_generate_cidr_loopback
run_case ping_targets_from_file case_targets_from_file
run_case ping_interrupt_prints_summary case_interrupt_prints_summary
if ip netns exec "$MON" setpriv --reuid=nobody --regid=nogroup \
    --clear-groups test -x "$PHAROS"; then
	run_case ping_unprivileged_datagram_socket case_unprivileged_datagram_socket
	run_case ping_no_icmp_socket case_no_icmp_socket
else
	skip_case ping_unprivileged_datagram_socket "nobody cannot run $PHAROS"
	skip_case ping_no_icmp_socket "nobody cannot run $PHAROS"
fi
if [ -n "$HAVE_IPV6" ]; then
	run_case ping_ipv6_loopback case_ipv6_loopback
	run_case ping_ipv6_network case_ipv6_network
else
	skip_case ping_ipv6_loopback "no IPv6 ICMP socket (pharos ping -v)"
	skip_case ping_ipv6_network "no IPv6 ICMP socket (pharos ping -v)"
fi
test_finish
