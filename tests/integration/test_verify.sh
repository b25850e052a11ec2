#!/bin/bash
# test_verify: `pharosd -v CFG`, the pre-flight check. It reads files only:
# a clean configuration exits 0 with "Things look okay", a bad one exits 1
# with "file:line: error: text", and nothing is opened on the network.
#
# Needs no root and no network namespaces. A few seconds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_programs

test_setup

# run_verify NAME CFG: run pharosd -v, output in $TEST_DIR/NAME.out, status
# in VERIFY_RC.
run_verify() {
	say "pharosd -v $2"
	"$PHAROSD" -v "$2" >"$TEST_DIR/$1.out" 2>&1
	VERIFY_RC=$?
	sed 's/^/  | /' "$TEST_DIR/$1.out" | tail -n 25
}

output_has() {
	grep -q -E -- "$2" "$TEST_DIR/$1.out"
}

# The configuration the other integration tests run with.
case_generated_config_is_clean() {
	netns_config "$TEST_DIR/gen" || return 1
	run_verify gen "$TEST_DIR/gen/pharos.cfg"
	check_eq "exit status" "$VERIFY_RC" 0 || return 1
	check "prints Things look okay" output_has gen '^Things look okay' || return 1
	check "prints Total Errors: 0" output_has gen '^Total Errors: *0$'
}

# The sample configuration, laid out the way `make install` lays it out.
case_sample_config_is_clean() {
	local s=$TEST_DIR/sample f
	mkdir -p "$s/etc/pharos/objects" "$s/var/lib/pharos" "$s/var/log/pharos" || return 1
	sed -e "s|@localstatedir[@]|$s/var|g" -e "s|@sysconfdir[@]|$s/etc|g" \
	    "$top_srcdir/etc/pharos.cfg.in" >"$s/etc/pharos/pharos.cfg" || return 1
	[ ! -e "$top_srcdir/etc/resource.cfg" ] ||
	    cp "$top_srcdir/etc/resource.cfg" "$s/etc/pharos/resource.cfg"
	for f in "$top_srcdir"/etc/objects/*.cfg; do
		[ ! -e "$f" ] || cp "$f" "$s/etc/pharos/objects/"
	done
	run_verify sample "$s/etc/pharos/pharos.cfg"
	check_eq "exit status" "$VERIFY_RC" 0 || return 1
	check "prints Things look okay" output_has sample '^Things look okay'
}

# Debian's Nagios sample objects (nagios4-common): Pharos reads Nagios
# object files; what it does not support is a warning, not an error. Debian
# moved the plugin commands the samples use (check_ping, check_nt, ...) out
# of objects/commands.cfg into /etc/nagios-plugins/config
# (monitoring-plugins-common), which Debian's nagios4.cfg reads too; without
# it Nagios itself reports those commands as undefined.
case_nagios_sample_objects_warnings_only() {
	local d=$TEST_DIR/nagios
	mkdir -p "$d" || return 1
	cat >"$d/pharos.cfg" <<EOF
cfg_dir=/etc/nagios-plugins/config
cfg_dir=/etc/nagios4/objects
log_file=$d/pharos.log
query_socket=$d/pharos.qh
pharos_user=nobody
pharos_group=nogroup
EOF
	run_verify nagios "$d/pharos.cfg"
	check_eq "exit status" "$VERIFY_RC" 0 || return 1
	check "prints Total Errors: 0" output_has nagios '^Total Errors: *0$' || return 1
	check "prints no error diagnostics" not output_has nagios ': error: ' || return 1
	check "prints Things look okay" output_has nagios '^Things look okay'
}

# The same network watched over IPv6: address and address6 (PHAROS_IPV6=1),
# address6 alone (only).
case_generated_ipv6_configs_are_clean() {
	local mode
	for mode in 1 only; do
		PHAROS_IPV6=$mode netns_config "$TEST_DIR/gen6-$mode" || return 1
		check "PHAROS_IPV6=$mode writes address6 lines" \
		    grep -q '^[[:space:]]*address6[[:space:]]*fd66:' \
		    "$TEST_DIR/gen6-$mode/network.cfg" || return 1
		run_verify "gen6-$mode" "$TEST_DIR/gen6-$mode/pharos.cfg"
		check_eq "exit status with PHAROS_IPV6=$mode" "$VERIFY_RC" 0 || return 1
		check "prints Things look okay" output_has "gen6-$mode" '^Things look okay' || return 1
	done
	check "PHAROS_IPV6=only writes no IPv4 address" \
	    not grep -q '^[[:space:]]*address[[:space:]]' "$TEST_DIR/gen6-only/network.cfg"
}

# Addresses are checked where they are written: file:line "invalid address".
case_bad_addresses_are_errors_at_their_line() {
	local d=$TEST_DIR/badaddr
	mkdir -p "$d" || return 1
	printf 'cfg_file=hosts.cfg\nicmp_max_rate=0\n' >"$d/pharos.cfg"
	# Lines 4 (address) and 9 (address6).
	cat >"$d/hosts.cfg" <<EOF
define host {
	host_name           a
	max_check_attempts  1
	address             10.66.0.300
}
define host {
	host_name           b
	max_check_attempts  1
	address6            10.66.0.2
}
EOF
	run_verify badaddr "$d/pharos.cfg"
	check_eq "exit status" "$VERIFY_RC" 1 || return 1
	check "prints hosts.cfg:4: error: invalid address" \
	    output_has badaddr 'hosts\.cfg:4: error: invalid address' || return 1
	check "prints hosts.cfg:9: error: invalid address" \
	    output_has badaddr 'hosts\.cfg:9: error: invalid address' || return 1
	check "prints pharos.cfg:2: error: invalid icmp_max_rate" \
	    output_has badaddr 'pharos\.cfg:2: error: invalid icmp_max_rate'
}

case_unknown_key_is_an_error() {
	local d=$TEST_DIR/unknown
	netns_config "$d" || return 1
	# Line 4 is the unknown key.
	cat >"$d/pharos.cfg" <<EOF
# A main file with a key nobody knows.
cfg_file=network.cfg
log_file=$d/pharos.log
no_such_key=42
query_socket=$d/pharos.qh
EOF
	run_verify unknown "$d/pharos.cfg"
	check_eq "exit status" "$VERIFY_RC" 1 || return 1
	check "prints pharos.cfg:4: error" output_has unknown 'pharos\.cfg:4: error: ' || return 1
	check "the error names the key" output_has unknown 'no_such_key' || return 1
	check "does not print Things look okay" not output_has unknown 'Things look okay'
}

# run_strace NAME CFG: pharosd -v CFG under strace (sockets, connects and
# opened files), output in $TEST_DIR/NAME.out, the trace in NAME.strace.
# LeakSanitizer cannot run under ptrace: a sanitizer build would fail.
run_strace() {
	say "strace -f -e trace=socket,connect,openat pharosd -v $2"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    strace -f -qq -e trace=socket,connect,openat -o "$TEST_DIR/$1.strace" \
	    "$PHAROSD" -v "$2" >"$TEST_DIR/$1.out" 2>&1
	VERIFY_RC=$?
}

case_verify_opens_no_network_socket() {
	local d=$TEST_DIR/strace
	netns_config "$d" || return 1
	run_strace strace "$d/pharos.cfg"
	check_eq "exit status under strace" "$VERIFY_RC" 0 || { cat "$TEST_DIR/strace.out"; return 1; }
	grep -E '^[0-9]+ +socket\(' "$TEST_DIR/strace.strace" | sed 's/^/  | /'
	check "no AF_INET, AF_INET6 or AF_PACKET socket" \
	    not grep -q -E 'socket\((AF_INET|AF_INET6|AF_PACKET|PF_INET|PF_PACKET)' "$TEST_DIR/strace.strace" || return 1
	check "no log file created" [ ! -e "$d/pharos.log" ] || return 1
	check "no query socket created" [ ! -e "$d/pharos.qh" ]
}

# Host names as addresses are checked, not resolved: no resolver files read,
# no socket (a resolver would open one to a DNS server or nscd).
case_verify_resolves_no_names() {
	local d=$TEST_DIR/names
	PHAROS_IPV6=1 netns_config "$d" || return 1
	cat >>"$d/network.cfg" <<EOF

define host {
	use                 device
	host_name           by-name
	address             printer.pharos-test.invalid
	address6            printer6.pharos-test.invalid
}
EOF
	run_strace names "$d/pharos.cfg"
	check_eq "exit status under strace" "$VERIFY_RC" 0 || { cat "$TEST_DIR/names.out"; return 1; }
	check "no socket of any kind" \
	    not grep -q -E '^[0-9]+ +socket\(' "$TEST_DIR/names.strace" || return 1
	check "no connect" not grep -q -E '^[0-9]+ +connect\(' "$TEST_DIR/names.strace" || return 1
	check "no resolver configuration read" \
	    not grep -q -E '"/etc/(resolv\.conf|hosts|nsswitch\.conf|gai\.conf)"' "$TEST_DIR/names.strace"
}

run_case generated_config_is_clean case_generated_config_is_clean
if [ -e "$top_srcdir/etc/pharos.cfg.in" ]; then
	run_case sample_config_is_clean case_sample_config_is_clean
else
	skip_case sample_config_is_clean "$top_srcdir/etc/pharos.cfg.in does not exist yet"
fi
if [ ! -d /etc/nagios4/objects ]; then
	skip_case nagios_sample_objects_warnings_only "/etc/nagios4/objects absent (Debian package nagios4-common)"
elif [ ! -d /etc/nagios-plugins/config ]; then
	skip_case nagios_sample_objects_warnings_only "/etc/nagios-plugins/config absent (Debian package monitoring-plugins-common)"
else
	run_case nagios_sample_objects_warnings_only case_nagios_sample_objects_warnings_only
fi
run_case generated_ipv6_configs_are_clean case_generated_ipv6_configs_are_clean
run_case bad_addresses_are_errors_at_their_line case_bad_addresses_are_errors_at_their_line
run_case unknown_key_is_an_error case_unknown_key_is_an_error
for c in verify_opens_no_network_socket verify_resolves_no_names; do
	if ! command -v strace >/dev/null 2>&1; then
		skip_case $c "strace is not installed"
	elif ! strace -qq -o /dev/null true 2>/dev/null; then
		skip_case $c "strace cannot trace here (ptrace not permitted)"
	else
		run_case $c case_$c
	fi
done
test_finish
