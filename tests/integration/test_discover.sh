#!/bin/bash
# test_discover: `pharos snmp discover` with the shipped profiles against
# snmpsimd playing recorded devices (Debian's snmpsim examples: a Cisco
# 3750 switch, cisco_16_switch.snmprec.gz, and the CISCO-BGP4-MIB peers of
# bgp.snmprec), inside a private network namespace (unshare -n). The
# expected interfaces are computed from the recording itself. snmpsimd runs
# as nobody. Exit: 0 pass, 1 fail, 77 skip (not root, or snmpsimd,
# python3, unshare or the recordings missing), 99 hard error.
set -u
export LC_ALL=C

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PHAROS="$top_builddir/pharos"
PROFILES="$top_srcdir/probes/profiles"
REC=/usr/share/doc/snmpsim/examples/data

[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
for t in snmpsimd python3 unshare; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: no $t"; exit 77; }
done
for f in "$REC/cisco_16_switch.snmprec.gz" "$REC/bgp.snmprec"; do
	[ -r "$f" ] || { echo "SKIP: no $f"; exit 77; }
done
[ -x "$PHAROS" ] || { echo "pharos not built: $PHAROS"; exit 99; }

# Re-run inside a private network namespace: nothing leaves it.
if [ -z "${DISCOVER_IN_NETNS:-}" ]; then
	DISCOVER_IN_NETNS=1 exec unshare -n -- "$0" "$@"
fi
ip link set lo up

DIR=$(mktemp -d /tmp/test_discover.XXXXXX)
SIM_PID=
cleanup() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

# The community selects the recording: cisco.snmprec, bgp.snmprec.
PORT=16161
A=127.0.0.1:$PORT
mkdir -p "$DIR/data" "$DIR/cache"
zcat "$REC/cisco_16_switch.snmprec.gz" > "$DIR/data/cisco.snmprec"
cp "$REC/bgp.snmprec" "$DIR/data/bgp.snmprec"
chmod 755 "$DIR" "$DIR/data"
chmod 644 "$DIR/data"/*
chown nobody:nogroup "$DIR/cache"
snmpsimd --data-dir="$DIR/data" --cache-dir="$DIR/cache" \
    --agent-udpv4-endpoint="$A" --process-user=nobody \
    --process-group=nogroup >"$DIR/snmpsimd.log" 2>&1 &
SIM_PID=$!
for _ in $(seq 100); do
	"$PHAROS" snmp get -c cisco -t 0.2 -r 0 "$A" .1.3.6.1.2.1.1.5.0 \
	    >/dev/null 2>&1 && break
	sleep 0.2
done
"$PHAROS" snmp get -c cisco -t 1 -r 1 "$A" .1.3.6.1.2.1.1.5.0 >/dev/null ||
	{ echo "snmpsimd did not start"; cat "$DIR/snmpsimd.log"; exit 99; }

PASS=0 FAIL=0
check() { # NAME COMMAND...
	local name=$1; shift
	echo "=== $name"
	if "$@"; then echo "PASS: $name"; PASS=$((PASS + 1))
	else echo "FAIL: $name"; FAIL=$((FAIL + 1)); fi
}

# ifName of the interfaces a switch profile watches, from the recording:
# ifType 6, 117 or 161 and ifAdminStatus up (1), in ifIndex order.
expected_ports() {
	python3 - "$DIR/data/cisco.snmprec" <<'PY'
import sys
col = {}
for line in open(sys.argv[1]):
    oid, typ, val = line.rstrip("\n").split("|", 2)
    for name, prefix in (("type", "1.3.6.1.2.1.2.2.1.3."),
                         ("admin", "1.3.6.1.2.1.2.2.1.7."),
                         ("name", "1.3.6.1.2.1.31.1.1.1.1.")):
        if oid.startswith(prefix):
            if typ.endswith("x"):
                val = bytes.fromhex(val).decode()
            col.setdefault(name, {})[int(oid[len(prefix):])] = val
for i in sorted(col["type"]):
    if col["type"][i] in ("6", "117", "161") and col["admin"].get(i) == "1":
        print(col["name"][i])
PY
}

discover() { # ARGS...: discover with the shipped profiles
	"$PHAROS" snmp discover -D "$PROFILES" "$@"
}

case_switch_finds_its_ports() {
	discover -P switch -c cisco "$A" > "$DIR/switch" || return 1
	expected_ports > "$DIR/ports.want"
	[ "$(wc -l < "$DIR/ports.want")" -ge 40 ] || return 1
	sed -n 's/^    service_description     Interface //p' "$DIR/switch" \
	    > "$DIR/ports.got"
	diff "$DIR/ports.want" "$DIR/ports.got" &&
	grep -qx '    check_command           snmp_if!Fa3/0/1' "$DIR/switch" &&
	grep -qx '    host_name               Profiler3750' "$DIR/switch" &&
	grep -qx '# sysObjectID: .1.3.6.1.4.1.9.1.516' "$DIR/switch" &&
	grep -q '^    check_command           snmp!.1.3.6.1.4.1.9.9.109.1.1.1.1.8.1!80!90' "$DIR/switch" &&
	! grep -q 'Interface Vl1$' "$DIR/switch"
}

case_switch_json_lists_every_interface() {
	discover -P switch -c cisco --json "$A" > "$DIR/switch.json" || return 1
	python3 - "$DIR/switch.json" "$DIR/data/cisco.snmprec" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [l for l in open(sys.argv[2]) if l.startswith("1.3.6.1.2.1.2.2.1.1.")]
assert d["host"] == "Profiler3750", d["host"]
assert d["profile"] == "switch"
assert len(d["interfaces"]) == len(rows), (len(d["interfaces"]), len(rows))
fa1 = [i for i in d["interfaces"] if i["name"] == "Fa3/0/1"][0]
assert fa1["descr"] == "FastEthernet3/0/1" and fa1["type"] == 6, fa1
assert fa1["admin"] == 1 and fa1["index"] == 11001, fa1
descs = [s["description"] for s in d["services"]]
assert "Uptime" in descs and "Memory Processor" in descs, descs
assert len(descs) == len(set(descs))
PY
}

case_switch_v1_same_services() {
	discover -P switch -c cisco -v 1 "$A" > "$DIR/switch.v1" &&
	diff <(grep -v '^# pharos' "$DIR/switch") \
	    <(grep -v '^# pharos' "$DIR/switch.v1")
}

case_router_finds_bgp_peers() {
	discover -P router -c bgp "$A" > "$DIR/router" || return 1
	[ "$(grep -c '^    service_description     BGP peer ' "$DIR/router")" = 14 ] &&
	grep -qx '    service_description     BGP peer 192.168.1.1' "$DIR/router" &&
	grep -qx '    service_description     BGP peer 2a01:4860:1:1::64' "$DIR/router" &&
	grep -qx '    check_command           snmp!.1.3.6.1.4.1.9.9.187.1.2.5.1.3.1.4.192.168.1.1!!6:6!state' "$DIR/router"
}

# generic has neither the ports nor the vendor CPU and memory pools of
# network.cfg: 50 ports + CPU 1 + 3 pools vanish.
case_cache_reports_vanished_interfaces() {
	local c="$DIR/cache.json"
	discover -P switch -c cisco --cache "$c" "$A" >/dev/null 2>"$DIR/c1" &&
	grep -q "host Profiler3750: 55 added, 0 vanished, 0 changed" "$DIR/c1" &&
	discover -P generic -c cisco --cache "$c" "$A" >/dev/null 2>"$DIR/c2" &&
	grep -q "vanished: Interface Fa3/0/1$" "$DIR/c2" &&
	grep -q ": 0 added, 54 vanished, 0 changed" "$DIR/c2" &&
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["version"] == 1 and d["hosts"]["Profiler3750"]["profile"] == "generic"' "$c" &&
	! ls "$DIR" | grep -q 'cache.json.'
}

case_corrupt_cache_is_refused() {
	head -c 100 "$DIR/cache.json" > "$DIR/broken.json"
	discover -P switch -c cisco --cache "$DIR/broken.json" "$A" \
	    >/dev/null 2>"$DIR/err"
	[ $? = 2 ] && grep -q "broken.json:.*corrupt discovery cache" "$DIR/err"
}

case_errors_and_exit_codes() {
	mkdir -p "$DIR/prof"
	printf 'define profile {\n    name bad\n    colour red\n}\n' \
	    > "$DIR/prof/bad.cfg"
	"$PHAROS" snmp discover -D "$DIR/prof" -P bad "$A" 2>"$DIR/err"
	[ $? = 2 ] && grep -q "bad.cfg:3: error: unknown key 'colour'" "$DIR/err" &&
	{ discover -c cisco -t 0.2 -r 0 127.0.0.1:9 >/dev/null 2>"$DIR/err"
	  [ $? = 1 ]; } && grep -q "timeout" "$DIR/err" &&
	{ discover -P nosuch "$A" 2>/dev/null; [ $? = 2 ]; }
}

check switch_finds_its_ports case_switch_finds_its_ports
check switch_json_lists_every_interface case_switch_json_lists_every_interface
check switch_v1_same_services case_switch_v1_same_services
check router_finds_bgp_peers case_router_finds_bgp_peers
check cache_reports_vanished_interfaces case_cache_reports_vanished_interfaces
check corrupt_cache_is_refused case_corrupt_cache_is_refused
check errors_and_exit_codes case_errors_and_exit_codes

echo "test_discover: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
