#!/bin/bash
# test_traps: pharosd receives SNMP traps on UDP 162 in the monitor's
# namespace, sent by Debian's snmptrap/snmpinform from the devices'
# namespaces of the test network.
# - v1 (coldStart, converted to v2 form), v2c and v3 authPriv traps reach
#   the right host and are logged as "SNMP TRAP: host;name;varbinds";
#   `pharos traps` lists them with --host and --oid filters.
# - linkDown sets the interface service CRITICAL at once and forces a
#   poll, whose result then governs (the real agent says lo is up);
#   linkUp for the same ifIndex clears the state the linkDown set.
# - Trap rules are objects (define traprule in a cfg_file, with a
#   template) or in a trap_rules file; bad ones fail `pharosd -v` at
#   file:line. A vendor trap rule sets a passive service from varbinds;
#   its clearing trap clears only for the same key.
# - Varbinds are logged with MIB names (ifIndex.1, ifOperStatus.1).
# - A reload applies new trap communities at once, and warns that new
#   trap_listen addresses and v3 users need a restart.
# - v2c and v3 informs are acknowledged (snmpinform exits 0).
# - A wrong community, an unknown v3 user and a wrong v3 key are refused
#   and counted; a trap from an address no host has is logged as
#   "unknown source".
# - Bad input: raw junk, truncated BER, a v1 Trap-PDU in a v3 message,
#   varbinds with HTML, newlines and shell metacharacters (never run, one
#   output line, no perfdata split).
# - A flood of 20,000 captured traps from one device in a few seconds:
#   counted, summarised as a storm, memory bounded, host checks still run
#   with small latency.
#
# Needs root (network namespaces), jq, snmpd, snmptrap, snmpinform.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk snmpd snmptrap snmpinform
need_programs
# MIB names in the log come from the source tree's mibs/
export PHAROS_MIBDIRS="$top_srcdir/mibs"
REPLAY="${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/trapreplay"
[ -x "$REPLAY" ] || { echo "ERROR: $REPLAY is not built"; exit 99; }

test_setup
export PHAROS_AGENTS=auto
# hosts get address6 too: traps over IPv6 reach them
export PHAROS_IPV6=1
net_up
write_config
MON=$(netns_addr mon)
MON6=$(netns_addr6 mon)
SRV=$(netns_addr server)
FW=$(netns_addr fw)
PR=$(netns_addr printer)
ENGINE=0x8000000001020304
V3USER=trapuser
V3AUTH=trap-auth-pass
V3PRIV=trap-priv-pass
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=traps.cfg
resource_file=resource.cfg
trap_listen=0.0.0.0
trap_listen=[::]
trap_community=public 10.66.0.0/16,fd66::/16
trap_community=printers-only 10.66.12.0/24
trap_trusted_networks=10.66.21.10/32
trap_user=$V3USER SHA \$USER5\$ AES \$USER6\$ engine=$ENGINE
trap_rules=traprules.cfg
trap_storm_rate=50
trap_storm_burst=100
trap_storm_window=2
EOF
cat >"$TEST_DIR/resource.cfg" <<EOF
\$USER5\$=$V3AUTH
\$USER6\$=$V3PRIV
EOF
cat >"$TEST_DIR/traps.cfg" <<EOF
define command {
	command_name         passive-only
	command_line         /bin/true
}
define service {
	name                 trap-service
	check_command        passive-only
	active_checks_enabled 0
	max_check_attempts   1
	check_interval       60
	retry_interval       60
	register             0
}
define service {
	use                  trap-service
	host_name            firewall,server
	service_description  SNMP traps
}
define service {
	use                  trap-service
	host_name            server
	service_description  Port faults
	contacts             nms
}
define command {
	command_name         notify-by-trap
	command_line         $PHAROS traps send --to $SRV:1162 --community upstream --inform --timeout 2 --retries 1 --type "\$NOTIFICATIONTYPE\$" --host "\$HOSTNAME\$" --service "\$SERVICEDESC\$" --state "\$SERVICESTATE\$" --output "\$SERVICEOUTPUT\$" --sender-id-file $TEST_DIR/trap-engine-id
}
define contact {
	contact_name                   nms
	host_notification_commands     notify-by-trap
	service_notification_commands  notify-by-trap
}
; a vendor's port fault and its clearing trap, keyed by port number:
; a traprule object with a template
define traprule {
	name                 vendor-port
	host_name            server
	service_description  Port faults
	clear_key            .1.3.6.1.4.1.99999.1.1
	register             0
}
define traprule {
	use                  vendor-port
	rule_name            port-fault
	trap_oid             .1.3.6.1.4.1.99999.0.1
	match                .1.3.6.1.4.1.99999.1.2 ~ ^(major|critical)\$
	state                CRITICAL
	output               CRITICAL - port \$TRAPVAR:.1.3.6.1.4.1.99999.1.1\$: \$TRAPVAR:.1.3.6.1.4.1.99999.1.3\$
	clear_trap           .1.3.6.1.4.1.99999.0.2
}
define service {
	host_name            server
	service_description  Interface lo
	check_command        snmp_if!lo
	max_check_attempts   1
	check_interval       60
	retry_interval       60
}
define service {
	host_name            server
	service_description  Interface 99
	check_command        snmp_if!99
	max_check_attempts   1
	check_interval       60
	retry_interval       60
}
EOF
cat >"$TEST_DIR/traprules.cfg" <<'EOF'
; trap_rules=FILE is read as an object file; the reload case adds a rule
EOF
chown nobody:nogroup "$TEST_DIR"/*.cfg

trap_counter() { # PATH under .traps, e.g. .dropped.wrong_community
	"$PHAROS" -s "$PHAROS_SOCK" stats --json 2>/dev/null |
	    jq -r ".traps$1 // 0"
}
svc_field() { # HOST DESCRIPTION FIELD
	status_json | jq -r --arg h "$1" --arg d "$2" \
	    ".services[] | select(.host == \$h and .description == \$d) | .$3 // empty"
}
in_ns() { # DEV CMD...: run CMD in DEV's namespace
	local dev=$1
	shift
	ip netns exec "$(netns_name "$dev")" "$@"
}
v3args() {
	echo "-v3 -u $V3USER -l authPriv -a SHA -A $V3AUTH -x AES -X $V3PRIV"
}

case_verify() {
	check "pharosd -v accepts the trap settings and rules" \
	    "$PHAROSD" -v "$TEST_DIR/pharos.cfg" >"$TEST_DIR/verify.out" || {
		cat "$TEST_DIR/verify.out"
		return 1
	}
}

case_verify_bad_rule_file_line() {
	local bad="$TEST_DIR/bad.cfg" out="$TEST_DIR/verify-bad.out"
	sed 's/^trap_rules=.*/trap_rules=badrules.cfg/' "$TEST_DIR/pharos.cfg" >"$bad"
	printf 'define traprule {\n\trule_name x\n\ttrap_oid .1.3.6.1.4.1.1.0.1\n\tstate SOMETIMES\n\tservice_description SNMP traps\n}\n' \
	    >"$TEST_DIR/badrules.cfg"
	"$PHAROSD" -v "$bad" >"$out" 2>&1
	check "pharosd -v fails on a bad rule" [ $? = 1 ] &&
	check "the error names file and line" \
	    grep -q "badrules.cfg:4: error: state" "$out" || return 1
	# the same in a cfg_file, with an unknown directive and a template
	sed 's/^trap_rules=.*/cfg_file=badobj.cfg/' "$TEST_DIR/pharos.cfg" >"$bad"
	printf 'define traprule {\n\tuse nosuchtemplate\n\trule_name y\n\ttrap_oid noSuchTrapName\n\tcolour blue\n\tservice_description SNMP traps\n}\n' \
	    >"$TEST_DIR/badobj.cfg"
	"$PHAROSD" -v "$bad" >"$out" 2>&1
	check "pharosd -v fails on a bad traprule object" [ $? = 1 ] &&
	check "unknown template at its line" \
	    grep -q "badobj.cfg:2: error: unknown traprule template 'nosuchtemplate'" "$out" &&
	check "unknown trap name at its line" \
	    grep -q "badobj.cfg:4: error: trap_oid: unknown MIB object 'noSuchTrapName'" "$out" &&
	check "unknown directive at its line" \
	    grep -q "badobj.cfg:5: error: unknown directive 'colour' in traprule definition" "$out"
}

case_start() {
	start_pharosd || return 1
	check "trap sockets opened before the privilege drop" \
	    grep -q "receiving SNMP traps on 0.0.0.0 (port 162)" "$TEST_DIR/pharosd.out" &&
	check "engine ID kept in the state directory" [ -s "$TEST_DIR/trap-engine-id" ]
}

# The upstream manager: Debian's snmptrapd in the server's namespace,
# logging what Pharos forwards.
case_upstream_manager_up() {
	printf 'authCommunity log upstream\n' >"$TEST_DIR/upstream.conf"
	in_ns server snmptrapd -f -On -C -c "$TEST_DIR/upstream.conf" \
	    -Lf "$TEST_DIR/upstream.log" "udp:$SRV:1162" \
	    >"$TEST_DIR/upstream.out" 2>&1 &
	UPSTREAM_PID=$!
	wait_for "snmptrapd listening" 10 \
	    eval 'in_ns server ss -lun | grep -q ":1162 "'
}

case_v2c_linkdown_sets_interface_then_poll_governs() {
	in_ns server snmptrap -v2c -c public "$MON" '' .1.3.6.1.6.3.1.1.5.3 \
	    .1.3.6.1.2.1.2.2.1.1.1 i 1 .1.3.6.1.2.1.2.2.1.2.1 s lo \
	    .1.3.6.1.2.1.2.2.1.7.1 i 1 .1.3.6.1.2.1.2.2.1.8.1 i 2 || return 1
	wait_for "linkDown logged for server" 10 \
	    grep -q "SNMP TRAP: server;linkDown;" "$PHAROS_LOG" || return 1
	check "varbinds logged with MIB names" \
	    grep -q "SNMP TRAP: server;linkDown;ifIndex.1 = INTEGER: 1, ifDescr.1 = STRING: .lo., ifAdminStatus.1 = INTEGER: [a-z(]*1)*, ifOperStatus.1 = INTEGER: [a-z(]*2)*\$" "$PHAROS_LOG" &&
	check "the interface service went CRITICAL from the trap" \
	    grep -q "SERVICE ALERT: server;Interface lo;CRITICAL;HARD;1;CRITICAL - linkDown trap: ifIndex 1" "$PHAROS_LOG" &&
	wait_for "the forced poll of lo (up) recovers it" 20 \
	    eval '[ "$(svc_field server "Interface lo" state)" = OK ]' &&
	check "recovered by the poll, not by a trap" \
	    not eval 'svc_field server "Interface lo" output | grep -q trap'
}

case_linkup_clears_same_ifindex() {
	in_ns server snmptrap -v2c -c public "$MON" '' .1.3.6.1.6.3.1.1.5.3 \
	    .1.3.6.1.2.1.2.2.1.1.99 i 99 || return 1
	wait_for "linkDown 99 applied" 10 \
	    grep -q "SERVICE ALERT: server;Interface 99;CRITICAL;HARD;1;CRITICAL - linkDown trap: ifIndex 99" "$PHAROS_LOG" || return 1
	in_ns server snmptrap -v2c -c public "$MON" '' .1.3.6.1.6.3.1.1.5.4 \
	    .1.3.6.1.2.1.2.2.1.1.99 i 99 || return 1
	wait_for "linkUp 99 clears it" 10 \
	    grep -q "SERVICE ALERT: server;Interface 99;OK;HARD;1;OK - linkDown cleared by linkUp trap for 99" "$PHAROS_LOG"
}

case_v2c_over_ipv6() {
	in_ns server snmptrap -v2c -c public "udp6:[$MON6]:162" '' \
	    .1.3.6.1.4.1.99999.0.9 .1.3.6.1.4.1.99999.1.1 i 66 || return 1
	wait_for "IPv6 trap from server" 10 \
	    grep -q "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.9;enterprises.99999.1.1 = INTEGER: 66" "$PHAROS_LOG"
}

case_v1_coldstart_converted() {
	in_ns fw snmptrap -v1 -c public "$MON" .1.3.6.1.4.1.8072.3.2.10 "$FW" 0 0 '' || return 1
	wait_for "v1 coldStart from firewall" 10 \
	    grep -Eq "SNMP TRAP: firewall;coldStart;.*(snmpTrapAddress.0|snmpModules.18.1.3.0) = IpAddress: $FW" "$PHAROS_LOG" || return 1
	check "coldStart rule warns on the firewall's trap service" \
	    grep -q "SERVICE ALERT: firewall;SNMP traps;WARNING;HARD;1;WARNING - firewall restarted (coldStart trap)" "$PHAROS_LOG"
}

case_community_per_network() {
	in_ns printer snmptrap -v2c -c printers-only "$MON" '' .1.3.6.1.4.1.99999.0.7 || return 1
	wait_for "accepted from the printer's network" 10 \
	    grep -q "SNMP TRAP: printer;.1.3.6.1.4.1.99999.0.7;" "$PHAROS_LOG" || return 1
	in_ns server snmptrap -v2c -c printers-only "$MON" '' .1.3.6.1.4.1.99999.0.7 || return 1
	wait_for "refused from the server's network" 10 \
	    eval '[ "$(trap_counter .dropped.unauthorized_network)" -ge 1 ]' &&
	check "logged as a network refusal" \
	    grep -q "SNMP TRAP REFUSED: $SRV;unauthorized_network;" "$PHAROS_LOG"
}

case_trusted_relay_names_the_agent() {
	# the firewall is a trusted relay: its v1 agent-addr (the printer)
	# names the host; the server is not, its agent-addr is ignored
	in_ns fw snmptrap -v1 -c public "$MON" .1.3.6.1.4.1.99999 "$PR" 6 11 '' || return 1
	wait_for "relayed v1 trap logged for the printer" 10 \
	    grep -q "SNMP TRAP: printer;.1.3.6.1.4.1.99999.0.11;" "$PHAROS_LOG" || return 1
	in_ns server snmptrap -v1 -c public "$MON" .1.3.6.1.4.1.99999 "$PR" 6 12 '' || return 1
	wait_for "untrusted agent-addr ignored" 10 \
	    grep -q "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.12;" "$PHAROS_LOG" || return 1
	in_ns fw snmptrap -v2c -c public "$MON" '' .1.3.6.1.4.1.99999.0.13 \
	    .1.3.6.1.6.3.18.1.3.0 a "$PR" || return 1
	wait_for "relayed v2c trap (snmpTrapAddress.0) logged for the printer" 10 \
	    grep -q "SNMP TRAP: printer;.1.3.6.1.4.1.99999.0.13;" "$PHAROS_LOG"
}

case_reload_changes_rules() {
	cat >>"$TEST_DIR/traprules.cfg" <<'EOF2'
define traprule {
	rule_name            fan
	trap_oid             .1.3.6.1.4.1.99999.0.20
	host_name            server
	service_description  Port faults
	state                WARNING
	output               WARNING - fan $TRAPVAR:.1.3.6.1.4.1.99999.1.1$
}
EOF2
	check "pharos reload" "$PHAROS" -s "$PHAROS_SOCK" reload >/dev/null || return 1
	in_ns server snmptrap -v2c -c public "$MON" '' .1.3.6.1.4.1.99999.0.20 \
	    .1.3.6.1.4.1.99999.1.1 i 3 || return 1
	wait_for "the rule added by the reload applies" 10 \
	    eval '[ "$(svc_field server "Port faults" output)" = "WARNING - fan 3" ]'
}

case_reload_trap_settings() {
	local out="$TEST_DIR/reload-traps.out"
	in_ns server snmptrap -v2c -c newcomm "$MON" '' .1.3.6.1.4.1.99999.0.30 || return 1
	wait_for "an unknown community refused before the reload" 10 \
	    grep -q "SNMP TRAP REFUSED: $SRV;wrong_community;community of 7 bytes" "$PHAROS_LOG" || return 1
	cp "$TEST_DIR/pharos.cfg" "$TEST_DIR/pharos.cfg.before"
	printf '%s\n' "trap_community=newcomm 10.66.0.0/16" \
	    "trap_listen=0.0.0.0:1163" "trap_user=other SHA other-auth-pass" \
	    >>"$TEST_DIR/pharos.cfg"
	"$PHAROS" -s "$PHAROS_SOCK" reload >"$out" 2>&1 || { cat "$out"; return 1; }
	check "the new community applies at once" \
	    in_ns server snmptrap -v2c -c newcomm "$MON" '' .1.3.6.1.4.1.99999.0.31 || return 1
	wait_for "trap with the new community logged" 10 \
	    grep -q "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.31;" "$PHAROS_LOG" &&
	check "logged as applied" grep -q "SNMP TRAP: communities changed by the reload: 3 accepted now" "$PHAROS_LOG" &&
	check "restart required for the new listen address (event log)" \
	    grep -q "Warning: restart required for trap_listen; the running value stays until pharosd restarts" "$PHAROS_LOG" &&
	check "restart required for the new v3 user (event log)" \
	    grep -q "Warning: restart required for trap_user;" "$PHAROS_LOG" &&
	check "the reload's answer says so" grep -q "restart required for trap_listen" "$out" &&
	check "no socket on the new address" \
	    not eval 'in_ns mon ss -lun | grep -q ":1163 "' &&
	check "the old ones still receive" \
	    in_ns server snmptrap -v2c -c public "$MON" '' .1.3.6.1.4.1.99999.0.32 || return 1
	wait_for "trap on the old socket logged" 10 \
	    grep -q "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.32;" "$PHAROS_LOG" || return 1
	# back to the start's settings: the community goes again
	cp "$TEST_DIR/pharos.cfg.before" "$TEST_DIR/pharos.cfg"
	"$PHAROS" -s "$PHAROS_SOCK" reload >/dev/null || return 1
	in_ns server snmptrap -v2c -c newcomm "$MON" '' .1.3.6.1.4.1.99999.0.33 || return 1
	wait_for "the removed community is refused again" 10 \
	    eval '[ "$(grep -c "SNMP TRAP REFUSED: $SRV;wrong_community;community of 7 bytes" "$PHAROS_LOG")" -ge 2 ]' &&
	check "and not logged as a trap" not grep -q "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.33;" "$PHAROS_LOG" &&
	check "back to the running listen addresses: no new warning" \
	    eval '[ "$(grep -c "Warning: restart required for trap_listen" "$PHAROS_LOG")" = 1 ]'
}

case_v3_authpriv_trap() {
	# shellcheck disable=SC2046
	in_ns server snmptrap -e "$ENGINE" $(v3args) "$MON" '' .1.3.6.1.6.3.1.1.5.2 || return 1
	wait_for "v3 warmStart from server" 10 \
	    grep -q "SNMP TRAP: server;warmStart;" "$PHAROS_LOG" &&
	check_gt "v3 traps counted" "$(trap_counter .v3)" 0
}

case_informs_acknowledged() {
	check "v2c inform answered" in_ns server snmpinform -v2c -c public -t 3 -r 1 \
	    "$MON" '' .1.3.6.1.4.1.99999.0.3 .1.3.6.1.4.1.99999.1.1 i 1 || return 1
	# shellcheck disable=SC2046
	check "v3 inform answered (Pharos' own engine ID)" in_ns server snmpinform \
	    $(v3args) -t 3 -r 1 "$MON" '' .1.3.6.1.4.1.99999.0.3 \
	    .1.3.6.1.4.1.99999.1.1 i 2 || return 1
	check_gt "inform responses" "$(trap_counter .inform_responses)" 1
}

case_vendor_rule_and_keyed_clear() {
	local tr=".1.3.6.1.4.1.99999"
	in_ns server snmptrap -v2c -c public "$MON" '' $tr.0.1 $tr.1.1 i 5 \
	    $tr.1.2 s major $tr.1.3 s "optic failure" || return 1
	wait_for "port fault set" 10 \
	    eval '[ "$(svc_field server "Port faults" state)" = CRITICAL ]' || return 1
	check "output from the varbinds" \
	    eval '[ "$(svc_field server "Port faults" output)" = "CRITICAL - port 5: optic failure" ]' || return 1
	in_ns server snmptrap -v2c -c public "$MON" '' $tr.0.2 $tr.1.1 i 6 || return 1
	sleep 1
	check "a clear for another port leaves it" \
	    eval '[ "$(svc_field server "Port faults" state)" = CRITICAL ]' || return 1
	in_ns server snmptrap -v2c -c public "$MON" '' $tr.0.2 $tr.1.1 i 5 || return 1
	wait_for "the clear for port 5 clears it" 10 \
	    eval '[ "$(svc_field server "Port faults" state)" = OK ]'
}

case_forwarded_upstream_as_inform() {
	local m=".1.3.6.1.4.1.8072.9999.9999.77"
	wait_for "PROBLEM notification of Port faults at the upstream manager" 20 \
	    grep -q "$m.1.3.0 = STRING: \"Port faults\"" "$TEST_DIR/upstream.log" || return 1
	check "as pharosServiceNotification" grep -q "OID: $m.0.2" "$TEST_DIR/upstream.log" &&
	check "with type, host, state and output" \
	    grep -q "$m.1.1.0 = STRING: \"PROBLEM\".*$m.1.2.0 = STRING: \"server\".*$m.1.4.0 = STRING: \"CRITICAL\".*$m.1.5.0 = STRING: \"CRITICAL - port 5: optic failure\"" "$TEST_DIR/upstream.log" &&
	check "and the sender's engine ID" \
	    grep -q "$m.1.6.0 = STRING: \"$(head -n 1 "$TEST_DIR/trap-engine-id")\"" "$TEST_DIR/upstream.log" &&
	check "the RECOVERY follows" grep -q "$m.1.1.0 = STRING: \"RECOVERY\"" "$TEST_DIR/upstream.log"
}

case_forwarding_to_itself_is_a_loop() {
	check "pharos traps send to ourselves" \
	    in_ns mon "$PHAROS" traps send --to "$MON" --community public \
	    --type PROBLEM --host server --service x --state CRITICAL \
	    --output loop --sender-id-file "$TEST_DIR/trap-engine-id" || return 1
	wait_for "the loop refused and counted" 10 \
	    eval '[ "$(trap_counter .loops)" = 1 ]' &&
	check "logged as a loop" grep -q "SNMP TRAP REFUSED: $MON;loop;" "$PHAROS_LOG" &&
	check "a bad upstream address fails (exit 1)" \
	    eval '"$PHAROS" traps send --to nowhere --type PROBLEM --host h --state OK 2>/dev/null; [ $? = 1 ]'
}

case_hostile_varbinds_are_text() {
	local tr=".1.3.6.1.4.1.99999" out evil
	rm -f /tmp/pharos-trap-pwned-$$
	evil="<script>alert(1)</script>
\$(touch /tmp/pharos-trap-pwned-$$)\`touch /tmp/pharos-trap-pwned-$$\`;|x"
	in_ns server snmptrap -v2c -c public "$MON" '' $tr.0.1 $tr.1.1 i 7 \
	    $tr.1.2 s critical $tr.1.3 s "$evil" || return 1
	wait_for "hostile trap applied" 10 \
	    eval 'svc_field server "Port faults" output | grep -q "port 7"' || return 1
	out=$(svc_field server "Port faults" output)
	say "output: $out"
	check "one line" [ "$(printf '%s' "$out" | wc -l)" = 0 ] &&
	check "no perfdata separator" not eval 'printf "%s" "$out" | grep -q "|"' &&
	check "HTML kept as text for the pages to escape" \
	    eval 'printf "%s" "$out" | grep -qF "<script>alert(1)</script>"' &&
	check "the event log line stays one line" \
	    eval '[ "$(grep -c "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.1;.*port\|alert(1)" "$PHAROS_LOG")" -ge 1 ] && ! grep -q "^\$(touch" "$PHAROS_LOG"' &&
	sleep 1 &&
	check "nothing was executed" [ ! -e /tmp/pharos-trap-pwned-$$ ]
}

case_refused_and_counted() {
	in_ns server snmptrap -v2c -c wrong "$MON" '' .1.3.6.1.6.3.1.1.5.1 || return 1
	in_ns server snmptrap -e "$ENGINE" -v3 -u nosuchuser -l authPriv -a SHA \
	    -A "$V3AUTH" -x AES -X "$V3PRIV" "$MON" '' .1.3.6.1.6.3.1.1.5.1 || return 1
	in_ns server snmptrap -e "$ENGINE" -v3 -u "$V3USER" -l authPriv -a SHA \
	    -A wrong-auth-pass -x AES -X "$V3PRIV" "$MON" '' .1.3.6.1.6.3.1.1.5.1 || return 1
	# not encrypted, so readable: a wrong digest must still refuse it
	in_ns server snmptrap -e "$ENGINE" -v3 -u "$V3USER" -l authNoPriv -a SHA \
	    -A wrong-auth-pass "$MON" '' .1.3.6.1.4.1.99999.0.66 || return 1
	check "an inform with a wrong key is not answered" not in_ns server \
	    snmpinform -v3 -u "$V3USER" -l authNoPriv -a SHA -A wrong-auth-pass \
	    -t 1 -r 0 "$MON" '' .1.3.6.1.4.1.99999.0.67 2>/dev/null || return 1
	wait_for "wrong community counted" 10 \
	    eval '[ "$(trap_counter .dropped.wrong_community)" -ge 1 ]' &&
	wait_for "unknown user counted" 10 \
	    eval '[ "$(trap_counter .dropped.unknown_user)" -ge 1 ]' &&
	wait_for "bad digests counted" 10 \
	    eval '[ "$(trap_counter .dropped.bad_digest)" -ge 3 ]' &&
	check "nothing with a wrong key was delivered" \
	    not grep -q "SNMP TRAP: server;.1.3.6.1.4.1.99999.0.6[67];" "$PHAROS_LOG" &&
	check "refusals logged with their reason" \
	    grep -q "SNMP TRAP REFUSED: $SRV;wrong_community;" "$PHAROS_LOG" &&
	check "the community itself is not logged" not grep -q ";wrong;" "$PHAROS_LOG"
}

case_unknown_source_logged() {
	in_ns server ip addr add 10.66.11.99/24 dev to-dist1 || return 1
	in_ns server snmptrap --clientaddr=10.66.11.99 -v2c -c public "$MON" '' \
	    .1.3.6.1.6.3.1.1.5.1 || return 1
	wait_for "unknown source logged" 10 \
	    grep -q "SNMP TRAP: unknown source 10.66.11.99;coldStart;" "$PHAROS_LOG" &&
	check_gt "unknown sources counted" "$(trap_counter .unknown_source)" 0
}

case_malformed_input_counted() {
	local before after
	before=$(trap_counter .dropped.malformed)
	echo 3060020103300f020204d2020300ffe30401000201030420301e0408800000000102030402010002010004087472617075736572040004003028040880000000010203040400a41a06072b06010401bf0840040a420b0a0201000201004301003000 \
	    >"$TEST_DIR/v1inv3.hex"
	in_ns server "$REPLAY" junk -d "$MON" -p 162 >/dev/null || return 1
	in_ns server "$REPLAY" send -d "$MON" -p 162 -i "$TEST_DIR/v1inv3.hex" -n 1 >/dev/null || return 1
	wait_for "6 malformed datagrams counted" 10 \
	    eval '[ "$(trap_counter .dropped.malformed)" -ge $((before + 6)) ]' || return 1
	after=$(trap_counter .dropped.malformed)
	say "malformed: $before -> $after"
	check "a v1 Trap-PDU in a v3 message is refused as such" \
	    grep -q "SNMP TRAP REFUSED: $SRV;malformed;v1 Trap-PDU in a v2c or v3 message" "$PHAROS_LOG" &&
	check "pharosd still answers" status_json
}

case_pharos_traps_lists() {
	local out="$TEST_DIR/traps.out"
	check "pharos traps --host server" \
	    "$PHAROS" -s "$PHAROS_SOCK" traps --host server --since 1h >"$out" || return 1
	check "lists the linkDown" grep -q " server v2c linkDown: " "$out" &&
	check "--oid by name filters" eval '[ "$("$PHAROS" -s "$PHAROS_SOCK" traps --oid coldStart --json | jq -r "[.traps[].name] | unique | join(\",\")")" = coldStart ]' &&
	check "--oid numeric filters the same" eval '[ "$("$PHAROS" -s "$PHAROS_SOCK" traps --oid .1.3.6.1.6.3.1.1.5.1 --json | jq ".traps | length")" -ge 2 ]' &&
	check "unknown source listed with no host" eval '"$PHAROS" -s "$PHAROS_SOCK" traps --host 10.66.11.99 | grep -q "unknown-source(10.66.11.99)"'
}

case_flood_is_bounded_and_checks_run() {
	local cap="$TEST_DIR/linkdown.hex" rss0 rss1 checks0 checks1 lat sum
	# capture one real linkDown datagram inside the server's namespace
	in_ns server "$REPLAY" capture -a 127.0.0.1 -p 17162 -n 1 -o "$cap" -t 10 \
	    >"$TEST_DIR/capture.out" &
	local cpid=$!
	wait_for "capture ready" 5 grep -q ready "$TEST_DIR/capture.out" || return 1
	in_ns server snmptrap -v2c -c public 127.0.0.1:17162 '' .1.3.6.1.6.3.1.1.5.3 \
	    .1.3.6.1.2.1.2.2.1.1.42 i 42 || return 1
	wait "$cpid" || return 1
	rss0=$(awk '/VmRSS/ { print $2 }' "/proc/$PHAROSD_PID/status")
	checks0=$("$PHAROS" -s "$PHAROS_SOCK" stats --json | jq '.hosts.active_checks.total')
	# 20,000 traps at 5,000 a second
	in_ns server "$REPLAY" send -d "$MON" -p 162 -i "$cap" -n 20000 -r 5000 || return 1
	wait_for "storm summarised" 15 \
	    grep -q "SNMP TRAP STORM: server;[0-9,]* linkDown from server in 2 s" "$PHAROS_LOG" || return 1
	sleep 3
	rss1=$(awk '/VmRSS/ { print $2 }' "/proc/$PHAROSD_PID/status")
	checks1=$("$PHAROS" -s "$PHAROS_SOCK" stats --json | jq '.hosts.active_checks.total')
	lat=$("$PHAROS" -s "$PHAROS_SOCK" stats --json | jq '.hosts.latency.max')
	sum=$(grep -o "SNMP TRAP STORM: server;[0-9,]* linkDown" "$PHAROS_LOG" |
	    sed 's/.*;//; s/ linkDown//; s/,//g' | awk '{ s += $1 } END { print s + 0 }')
	say "rss ${rss0} -> ${rss1} kB, host checks ${checks0} -> ${checks1}, max latency ${lat} s, summarised ${sum}"
	say "storm lines: $(grep -c "SNMP TRAP STORM" "$PHAROS_LOG"), logged one by one: $(grep -c "SNMP TRAP: server;linkDown" "$PHAROS_LOG")"
	check_gt "traps received" "$(trap_counter .received)" 15000 &&
	check_gt "most of the flood summarised, not logged" "$sum" 15000 &&
	check_lt "trap lines logged for server stay few" \
	    "$(grep -c "SNMP TRAP: server;linkDown" "$PHAROS_LOG")" 1000 &&
	check_lt "memory grew by less than 50 MB" "$((rss1 - rss0))" 51200 &&
	check_gt "host checks went on during the flood" "$checks1" "$checks0" &&
	check_lt "host check latency stayed small (s)" "$lat" 2
}

case_stop() {
	[ -z "${UPSTREAM_PID:-}" ] || kill "$UPSTREAM_PID" 2>/dev/null
	stop_pharosd
}

run_case verify case_verify
run_case verify_bad_rule_file_line case_verify_bad_rule_file_line
run_case start case_start
run_case upstream_manager_up case_upstream_manager_up
run_case v2c_linkdown_sets_interface_then_poll_governs case_v2c_linkdown_sets_interface_then_poll_governs
run_case linkup_clears_same_ifindex case_linkup_clears_same_ifindex
run_case v2c_over_ipv6 case_v2c_over_ipv6
run_case v1_coldstart_converted case_v1_coldstart_converted
run_case community_per_network case_community_per_network
run_case trusted_relay_names_the_agent case_trusted_relay_names_the_agent
run_case v3_authpriv_trap case_v3_authpriv_trap
run_case informs_acknowledged case_informs_acknowledged
run_case vendor_rule_and_keyed_clear case_vendor_rule_and_keyed_clear
run_case forwarded_upstream_as_inform case_forwarded_upstream_as_inform
run_case forwarding_to_itself_is_a_loop case_forwarding_to_itself_is_a_loop
run_case hostile_varbinds_are_text case_hostile_varbinds_are_text
run_case refused_and_counted case_refused_and_counted
run_case unknown_source_logged case_unknown_source_logged
run_case malformed_input_counted case_malformed_input_counted
run_case pharos_traps_lists case_pharos_traps_lists
run_case reload_changes_rules case_reload_changes_rules
run_case reload_trap_settings case_reload_trap_settings
run_case flood_is_bounded_and_checks_run case_flood_is_bounded_and_checks_run
run_case stop case_stop
test_finish
