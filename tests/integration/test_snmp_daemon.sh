#!/bin/bash
# test_snmp_daemon: pharosd polls real SNMP agents of the test network.
# - A host with `device_profile switch` (the snmpsimd Cisco switch
#   recording) gets one service per up Ethernet interface by itself, and
#   the profile's other services; the discovery is kept in the cache file
#   and logged; `pharosd -v` lists the services from the cache afterwards.
# - `device_profile server` (snmpd) and `printer` (snmpsimd recording) too.
# - The `snmp` check's rate of the server's counter feed is right while a
#   Counter32 wraps past 2^32 (1000/s, no spike), and for a Counter64.
# - snmp_if reports the loopback interface up with rates.
# - SNMPv3 host keys with $USERn$ secrets reach a v3 agent; an unknown v3
#   user makes an UNKNOWN with the reason.
# - `pharos snmp discover --config FILE HOST` finds the same services live.
# - A corrupt cache file is a warning of `pharosd -v`, never a crash.
#
# Needs root (network namespaces), jq, snmpd and snmpsimd.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk snmpd snmpget snmpsimd
need_programs
[ -f /usr/share/doc/snmpsim/examples/data/cisco_16_switch.snmprec.gz ] || {
	echo "SKIP: no snmpsim example recordings"
	exit 77
}

test_setup
export PHAROS_AGENTS=1
net_up
write_config
CACHE="$TEST_DIR/discovery.json"
PROFILES="${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/probes/profiles"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=snmp.cfg
resource_file=resource.cfg
discovery_cache_file=$CACHE
profile_dir=$PROFILES
EOF
cat >"$TEST_DIR/resource.cfg" <<EOF
\$USER3\$=$NETNS_V3_AUTH
\$USER4\$=$NETNS_V3_PRIV
EOF
SRV=$(netns_addr server)
SW=$(netns_addr dist1)
PR=$(netns_addr printer)
cat >"$TEST_DIR/snmp.cfg" <<EOF
define service {
	name                 generic-service
	check_interval       2
	retry_interval       1
	max_check_attempts   2
	register             0
}
define host {
	use                  device
	host_name            sw-sim
	address              $SW
	parents              dist1
	snmp_port            1161
	snmp_community       cisco_16_switch
	device_profile       switch
}
define host {
	use                  device
	host_name            srv-snmp
	address              $SRV
	parents              dist1
	device_profile       server
	snmp_version         3
	snmp_v3_user         $NETNS_V3_USER
	snmp_v3_auth_proto   SHA
	snmp_v3_auth_pass    \$USER3\$
	snmp_v3_priv_proto   AES
	snmp_v3_priv_pass    \$USER4\$
}
define host {
	use                  device
	host_name            printer-snmp
	address              $PR
	parents              dist2
	device_profile       printer
}
define host {
	use                  device
	host_name            srv-badpass
	address              $SRV
	parents              dist1
	snmp_version         3
	snmp_v3_user         nosuchuser
	snmp_v3_auth_pass    wrong-passphrase
	snmp_v3_priv_pass    \$USER4\$
}
define service {
	use                  generic-service
	host_name            server
	service_description  c32 rate
	check_command        snmp!$NETNS_COUNTER_OID.1.0!!!c32!!rate
}
define service {
	use                  generic-service
	host_name            server
	service_description  c64 rate
	check_command        snmp!$NETNS_COUNTER_OID.2.0!!!c64!!rate
}
define service {
	use                  generic-service
	host_name            server
	service_description  lo
	check_command        snmp_if!lo
}
define service {
	use                  generic-service
	host_name            srv-badpass
	service_description  uptime
	check_command        snmp!.1.3.6.1.2.1.1.3.0
}
EOF
chown nobody:nogroup "$TEST_DIR"/*.cfg

# The Counter32 starts 6,000 below 2^32 and grows by 1,000/s: it wraps
# within seconds of the first checks. The Counter64 grows by 5,000/s.
netns_counter c32 4294961296 1000 >/dev/null || exit 99
netns_counter c64 1000000 5000 >/dev/null || exit 99

# The feed's Counter32 now, read from the monitor's namespace.
c32_now() {
	ip netns exec "$PHAROS_NS_PREFIX-mon" snmpget -Oqv -v2c -c public \
	    -t 1 -r 1 "$SRV" "$NETNS_COUNTER_OID.1.0" 2>/dev/null
}

svc_json() { # HOST DESCRIPTION
	status_json | jq -c --arg h "$1" --arg d "$2" \
	    '.services[] | select(.host == $h and .description == $d)'
}
svc_field() { # HOST DESCRIPTION FIELD
	svc_json "$1" "$2" | jq -r ".$3 // empty"
}
svc_count() { # HOST PREFIX
	status_json | jq --arg h "$1" --arg p "$2" \
	    '[.services[] | select(.host == $h and (.description | startswith($p)))] | length'
}

case_verify_without_cache() {
	check "pharosd -v passes without a cache" \
	    "$PHAROSD" -v "$TEST_DIR/pharos.cfg" >"$TEST_DIR/verify0.out" || {
		cat "$TEST_DIR/verify0.out"
		return 1
	}
}

case_discovered_at_start() {
	start_pharosd || return 1
	local n
	wait_for "interface services of sw-sim" 60 \
	    eval '[ "$(svc_count sw-sim "Interface ")" -ge 1 ]' || return 1
	n=$(svc_count sw-sim "Interface ")
	say "sw-sim has $n interface services"
	check_gt "interface services on sw-sim" "$n" 0 &&
	check "discovery logged" grep -q "SNMP DISCOVERY: sw-sim;switch;OK" "$PHAROS_LOG" &&
	check "cache written" jq -e '.hosts["sw-sim"].services | length > 0' "$CACHE" &&
	check "server profile made services" \
	    eval '[ "$(svc_count srv-snmp "")" -ge 2 ]' &&
	check "printer profile made supply services" \
	    eval '[ "$(svc_count printer-snmp "")" -ge 2 ]'
}

case_interfaces_checked() {
	local d
	d=$(status_json | jq -r '[.services[] | select(.host == "sw-sim" and (.description | startswith("Interface ")))][0].description')
	wait_for "$d checked" 30 eval '[ "$(svc_field sw-sim "$d" has_been_checked)" = true ]' || return 1
	say "$d: $(svc_field sw-sim "$d" state) $(svc_field sw-sim "$d" output)"
	check "interface check is not UNKNOWN" \
	    not eval '[ "$(svc_field sw-sim "$d" state)" = UNKNOWN ]'
}

# Every rate reported while the Counter32 wraps is 1000/s give or take
# the feed's rounding: a wrap is not a spike, and never negative.
case_counter32_rate_across_wrap() {
	local i pd v seen=0 bad=0 wrapped=0
	for i in $(seq 1 20); do
		pd=$(svc_field server "c32 rate" perfdata)
		v=$(sed -nE 's/.*c32=([-0-9.e+]+).*/\1/p' <<<"$pd")
		if [ -n "$v" ]; then
			seen=$((seen + 1))
			awk -v x="$v" 'BEGIN { exit !(x >= 900 && x <= 1100) }' ||
			    { say "c32 rate out of range: $v"; bad=$((bad + 1)); }
		fi
		[ "$(c32_now)" -lt 4294961296 ] 2>/dev/null &&
		    wrapped=1
		[ "$wrapped" = 1 ] && [ "$seen" -ge 6 ] && break
		sleep 1
	done
	say "c32: $seen rates read, $bad out of range, wrapped=$wrapped"
	check_gt "rates read" "$seen" 2 && check_eq "rates out of range" "$bad" 0 &&
	    check_eq "the counter wrapped meanwhile" "$wrapped" 1
}

case_counter64_rate() {
	local v
	wait_for "c64 rate" 20 eval 'svc_field server "c64 rate" perfdata | grep -q c64=' || return 1
	v=$(svc_field server "c64 rate" perfdata | sed -nE 's/.*c64=([-0-9.e+]+).*/\1/p')
	check "c64 rate near 5000/s ($v)" awk -v x="$v" 'BEGIN { exit !(x >= 4500 && x <= 5500) }'
}

case_snmp_if_loopback() {
	wait_for "lo rates" 20 eval 'svc_field server lo perfdata | grep -q in_bps=' || return 1
	check "lo is up and OK" eval '[ "$(svc_field server lo state)" = OK ]' &&
	    check "output names lo" eval 'svc_field server lo output | grep -q "lo up"'
}

case_v3_unknown_user_unknown() {
	wait_for "srv-badpass checked" 30 \
	    eval '[ "$(svc_field srv-badpass uptime has_been_checked)" = true ]' || return 1
	say "srv-badpass: $(svc_field srv-badpass uptime output)"
	check_eq "unknown v3 user state" "$(svc_field srv-badpass uptime state)" UNKNOWN &&
	check "the reason is given" eval 'svc_field srv-badpass uptime output | grep -qi "unknown user"'
}

case_status_counters() {
	check_gt "program.snmp.ok" "$(program_field .snmp.ok)" 0 &&
	check_gt "program.snmp.checks.finished" "$(program_field .snmp.checks.finished)" 0 &&
	check_eq "program.snmp.discovery.failed" "$(program_field .snmp.discovery.failed)" 0
}

# pharos snmp discover --config asks the device live with the host's keys.
case_cli_discover_config_host() {
	local out
	out=$(ip netns exec "$PHAROS_NS_PREFIX-mon" "$PHAROS" snmp discover \
	    --config "$TEST_DIR/pharos.cfg" sw-sim 2>&1) || {
		echo "$out" | tail -5
		return 1
	}
	check "defines for sw-sim" grep -q "host_name  *sw-sim" <<<"$out" &&
	check_eq "interface services live = from the daemon" \
	    "$(grep -c "service_description  *Interface " <<<"$out")" \
	    "$(svc_count sw-sim "Interface ")"
}

case_verify_lists_from_cache() {
	stop_pharosd || return 1
	"$PHAROSD" -v "$TEST_DIR/pharos.cfg" >"$TEST_DIR/verify1.out" 2>&1
	check "verify passes with the cache" test $? = 0 &&
	check "verify counts the discovered services" \
	    grep -qE "[0-9]+ services? from SNMP discovery" "$TEST_DIR/verify1.out"
}

case_corrupt_cache_is_a_warning() {
	printf '{"version": 1, "hosts": {"sw-sim": [' >"$CACHE"
	"$PHAROSD" -v "$TEST_DIR/pharos.cfg" >"$TEST_DIR/verify2.out" 2>&1
	check "verify passes" test $? = 0 &&
	check "warning names the cache" grep -q "discovery cache not used" "$TEST_DIR/verify2.out"
}

run_case verify_without_cache case_verify_without_cache
run_case discovered_at_start case_discovered_at_start
run_case interfaces_checked case_interfaces_checked
run_case counter32_rate_across_wrap case_counter32_rate_across_wrap
run_case counter64_rate case_counter64_rate
run_case snmp_if_loopback case_snmp_if_loopback
run_case v3_unknown_user_unknown case_v3_unknown_user_unknown
run_case status_counters case_status_counters
run_case cli_discover_config_host case_cli_discover_config_host
run_case verify_lists_from_cache case_verify_lists_from_cache
run_case corrupt_cache_is_a_warning case_corrupt_cache_is_a_warning
test_finish
