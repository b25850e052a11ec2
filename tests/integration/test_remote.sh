#!/bin/bash
# test_remote: remote pollers through a real gearmand (docs/scaling.md).
#
# gearmand runs in the monitor's namespace on its address 10.66.0.2 (with
# --job-retries 1); pharos-worker A runs in dist1's namespace for poller
# site-a (server, printer), worker B in dist2's for site-b (fw). The server
# drops ICMP from the monitor (an nftables rule in its namespace), so the
# monitor cannot ping it: when the server is UP, the check ran on worker A.
# A plugin reports the addresses of the namespace it ran in; an `arp`
# check of the server works only on the server's link (dist1's).
#
# Cases: config errors at `pharosd -v` with file:line; results and states
# arrive through the workers; killing worker A raises one problem
# ("poller site-a unavailable" on the monitor's host), its services go
# UNKNOWN and its hosts are never DOWN; worker A back -> recovery;
# gearmand restarted -> pharosd and the workers reconnect by themselves;
# a monitor with a wrong key: its jobs are rejected and logged by the
# worker, never run.
. "$(dirname "$0")/lib.sh"

need_root
need_tools jq nft gearmand
WORKER="$top_builddir/pharos-worker"
need_programs "$WORKER"
test_setup

GM_ADDR=10.66.0.2
GM_PORT=4730
GM_PID=""
WA_PID=""
WB_PID=""
ROGUE_PID=""

# Stop what this test started, by PID, before the common cleanup.
remote_cleanup() {
	local rc=$?
	[ -z "$ROGUE_PID" ] || stop_pid "$ROGUE_PID" TERM 10
	[ -z "$WA_PID" ] || stop_pid "$WA_PID" TERM 10
	[ -z "$WB_PID" ] || stop_pid "$WB_PID" TERM 10
	[ -z "$GM_PID" ] || stop_pid "$GM_PID" TERM 10
	if [ "$rc" != 0 ] && [ -n "$TEST_DIR" ]; then
		for f in worker-a.log worker-b.log gearmand.log; do
			[ -s "$TEST_DIR/$f" ] || continue
			echo "--- $f (tail)"
			tail -n 15 "$TEST_DIR/$f"
		done
	fi
	(exit "$rc")
	test_cleanup
}
trap remote_cleanup EXIT

ns() {
	local dev=$1
	shift
	ip netns exec "$PHAROS_NS_PREFIX-$dev" "$@"
}

start_gearmand() {
	rm -f "$TEST_DIR/gearmand.pid"
	ip netns exec "$PHAROS_NS_PREFIX-mon" \
	    gearmand --listen "$GM_ADDR" --port "$GM_PORT" --job-retries 1 \
	    --threads 1 --log-file "$TEST_DIR/gearmand.log" --verbose INFO \
	    >>"$TEST_DIR/gearmand.out" 2>&1 &
	GM_PID=$!
	for _ in $(seq 1 50); do
		if ns mon bash -c "exec 3<>/dev/tcp/$GM_ADDR/$GM_PORT" 2>/dev/null; then
			say "gearmand listening on $GM_ADDR:$GM_PORT, pid $GM_PID"
			return 0
		fi
		proc_running "$GM_PID" || break
		sleep 0.1
	done
	echo "gearmand did not start:"
	cat "$TEST_DIR/gearmand.out"
	return 1
}

# start_worker DEV POLLER ID: sets WPID (ip netns exec execs the worker:
# the PID is the worker's).
start_worker() {
	ip netns exec "$PHAROS_NS_PREFIX-$1" "$WORKER" -s "$GM_ADDR:$GM_PORT" -p "$2" -k "$TEST_DIR/poller.key" \
	    -i "$3" -u nobody -g nogroup -n 16 >>"$TEST_DIR/$3.log" 2>&1 &
	WPID=$!
	say "pharos-worker $3 in $1 for $2, pid $WPID"
}

P=$TEST_DIR
head -c 32 /dev/urandom >"$P/poller.key"
chmod 600 "$P/poller.key"
head -c 32 /dev/urandom >"$P/rogue.key"
chmod 600 "$P/rogue.key"

# A plugin that tells where it ran: the IPv4 addresses of its namespace.
cat >"$P/check_where" <<'EOF'
#!/bin/sh
echo "OK - ran at $(ip -o -4 addr show | awk '$2 != "lo" { print $4 }' | tr '\n' ' ')"
exit 0
EOF
chmod 755 "$P/check_where"

SRV=10.66.11.10
PRN=10.66.12.10
FW=10.66.21.10

cat >"$P/pharos.cfg" <<EOF
cfg_file=objects.cfg
log_file=$P/pharos.log
query_socket=$P/pharos.qh
pharos_user=nobody
pharos_group=nogroup
interval_length=1
service_check_timeout=4
host_check_timeout=4
gearman_servers=$GM_ADDR:$GM_PORT
poller_key_file=poller.key
poller_timeout=2
EOF
cat >"$P/objects.cfg" <<EOF
define host {
	name                device
	check_interval      2
	retry_interval      1
	max_check_attempts  2
	register            0
}
define service {
	name                generic-service
	check_interval      2
	retry_interval      1
	max_check_attempts  2
	register            0
}
define command {
	command_name        check_where
	command_line        $P/check_where
}
define hostgroup {
	hostgroup_name      paris
	members             server, printer
	poller              site-a
}
define host {
	use                 device
	host_name           dist1
	address             10.66.1.2
}
define host {
	use                 device
	host_name           server
	address             $SRV
}
define host {
	use                 device
	host_name           printer
	address             $PRN
}
define host {
	use                 device
	host_name           fw
	address             $FW
	poller              site-b
}
define service {
	use                 generic-service
	host_name           server, fw
	service_description where
	check_command       check_where
}
define service {
	use                 generic-service
	host_name           server, fw
	service_description uptime
	check_command       snmp!.1.3.6.1.2.1.1.3.0
}
define service {
	use                 generic-service
	host_name           server
	service_description arp
	check_command       arp
}
EOF
PHAROS_LOG="$P/pharos.log"
PHAROS_SOCK="$P/pharos.qh"

svc_field() {
	status_json | jq -r --arg h "$1" --arg d "$2" --arg f "$3" \
	    '.services[] | select(.host == $h and .description == $d) | .[$f] | tostring'
}

svc_is() {
	[ "$(svc_field "$1" "$2" state)" = "$3" ]
}

svc_output_has() {
	svc_field "$1" "$2" output | grep -q -- "$3"
}

# --- configuration errors, no network --------------------------------------
case_config_errors() {
	local d=$P/bad out ok=0
	mkdir -p "$d"
	cp "$P/poller.key" "$d/k"
	printf 'cfg_file=o.cfg\nlog_file=%s/l\ninterval_length=1\n' "$d" >"$d/nogm.cfg"
	printf 'define host {\n host_name h\n address 192.0.2.1\n poller site-a\n}\n' >"$d/o.cfg"
	out=$("$PHAROSD" -v "$d/nogm.cfg" 2>&1)
	check "poller without gearman_servers: an error at the host's file:line" \
	    grep -q "o.cfg:1: error: host 'h' has poller 'site-a' but gearman_servers" <<<"$out" || ok=1
	printf 'define host {\n host_name h\n address 192.0.2.1\n poller site/a\n}\n' >"$d/o.cfg"
	printf 'cfg_file=o.cfg\nlog_file=%s/l\ngearman_servers=%s:%s\npoller_key_file=k\n' \
	    "$d" "$GM_ADDR" "$GM_PORT" >"$d/m.cfg"
	out=$("$PHAROSD" -v "$d/m.cfg" 2>&1)
	check "a bad poller name: an error at its line" \
	    grep -q "o.cfg:4: error: poller 'site/a' is not a poller name" <<<"$out" || ok=1
	printf 'define host {\n host_name h\n address 192.0.2.1\n poller site-a\n}\n' >"$d/o.cfg"
	chmod 644 "$d/k"
	out=$("$PHAROSD" -v "$d/m.cfg" 2>&1)
	check "a key file readable by others: an error at the main file's line" \
	    grep -q "m.cfg:4: error: poller_key_file: key file .* has mode 0644" <<<"$out" || ok=1
	chmod 600 "$d/k"
	cat >"$d/o.cfg" <<'EOF'
define hostgroup {
 hostgroup_name a
 members h
 poller site-a
}
define hostgroup {
 hostgroup_name b
 members h
 poller site-b
}
define host {
 host_name h
 address 192.0.2.1
 max_check_attempts 1
}
EOF
	out=$("$PHAROSD" -v "$d/m.cfg" 2>&1)
	check "hostgroups with different pollers for one host: an error at the host" \
	    grep -q "o.cfg:11: error: host 'h' is in hostgroups with different pollers" <<<"$out" || ok=1
	printf 'gearman_servers=host:99999\n' >>"$d/m.cfg"
	out=$("$PHAROSD" -v "$d/m.cfg" 2>&1)
	check "a bad gearman port: an error at its line" \
	    grep -q "m.cfg:5: error: gearman_servers: bad port" <<<"$out" || ok=1
	out=$("$WORKER" -s "$GM_ADDR" -p "bad name!" -k "$d/k" 2>&1)
	check "pharos-worker refuses a bad poller name" \
	    grep -q "bad poller name" <<<"$out" || ok=1
	return $ok
}

# --- the network, gearmand, workers, pharosd -------------------------------
net_up
# The server answers no ICMP from the monitor: only a worker on site-a
# (pinging from dist1's 10.66.11.1) sees it.
ns server nft -f - <<EOF || exit 99
table inet phremote {
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 10.66.0.2 icmp type echo-request drop
	}
}
EOF
chown -R nobody:nogroup "$P"
chmod 0755 "$P"
chown root:root "$P/poller.key" "$P/rogue.key"

run_case config_errors case_config_errors

start_gearmand || exit 99
start_worker dist1 site-a worker-a
WA_PID=$WPID
start_worker dist2 site-b worker-b
WB_PID=$WPID
start_pharosd || exit 99

case_results_arrive() {
	local ok=0
	wait_for "server, printer and fw UP, their services OK" 30 \
	    eval 'hosts_are server=UP/HARD printer=UP/HARD fw=UP/HARD dist1=UP &&
	    svc_is server where OK && svc_is fw where OK &&
	    svc_is server uptime OK && svc_is fw uptime OK' || return 1
	check "the monitor itself cannot ping the server" \
	    not ns mon ping -c 1 -W 1 -q "$SRV" || ok=1
	check "the server's plugin ran in dist1 (worker A)" \
	    svc_output_has server where "10.66.11.1/24" || ok=1
	check "the firewall's plugin ran in dist2 (worker B)" \
	    svc_output_has fw where "10.66.21.1/24" || ok=1
	check "the server's SNMP check answered (sysUpTime)" \
	    svc_output_has server uptime "SNMP OK" || ok=1
	wait_for "the server's ARP check OK (on-link of dist1 only)" 15 \
	    svc_is server arp OK || ok=1
	wait_for "Poller site-a and Poller site-b OK on the monitor's host" 15 \
	    eval 'svc_is pharos "Poller site-a" OK && svc_is pharos "Poller site-b" OK' || ok=1
	check "Poller site-a names worker-a" \
	    svc_output_has pharos "Poller site-a" "worker-a" || ok=1
	return $ok
}
run_case results_arrive case_results_arrive

case_worker_killed() {
	local ok=0 downs
	say "kill worker A (pid $WA_PID)"
	kill -KILL "$WA_PID"
	wait "$WA_PID" 2>/dev/null
	WA_PID=""
	wait_for "Poller site-a CRITICAL: unavailable" 20 \
	    eval 'svc_is pharos "Poller site-a" CRITICAL &&
	    svc_output_has pharos "Poller site-a" "poller site-a unavailable"' || return 1
	wait_for "server's services UNKNOWN: no poller answered for site-a" 40 \
	    eval 'svc_is server where UNKNOWN && svc_is server uptime UNKNOWN &&
	    svc_is server arp UNKNOWN &&
	    svc_output_has server where "no poller answered for site-a"' || return 1
	wait_for "the server's host check says no poller answered" 20 \
	    eval 'host_field server output | grep -q "no poller answered for site-a"' || ok=1
	check "server and printer stay UP (never DOWN)" \
	    hosts_are server=UP printer=UP || ok=1
	downs=$(log_count "HOST ALERT: (server|printer);DOWN")
	check_eq "no DOWN alert for the site's hosts in the event log" "$downs" 0 || ok=1
	check "site-b is not affected" \
	    eval 'hosts_are fw=UP && svc_is fw where OK && svc_is pharos "Poller site-b" OK' || ok=1
	return $ok
}
run_case worker_killed_site_unknown_not_down case_worker_killed

case_worker_back() {
	start_worker dist1 site-a worker-a
	WA_PID=$WPID
	wait_for "site-a recovers: services OK, Poller site-a OK" 30 \
	    eval 'svc_is server where OK && svc_is server uptime OK &&
	    svc_is server arp OK &&
	    svc_is pharos "Poller site-a" OK && hosts_are server=UP printer=UP'
}
run_case worker_back_recovery case_worker_back

case_gearmand_restart() {
	local ok=0 before
	say "stop gearmand (pid $GM_PID) for 3 s, then start it again"
	stop_pid "$GM_PID" TERM 10
	GM_PID=""
	sleep 3
	start_gearmand || return 1
	before=$(svc_field fw where last_check)
	wait_for "fresh results from both sites after the restart" 60 \
	    eval '[ "$(svc_field fw where last_check)" -gt "$before" ] &&
	    svc_is fw where OK && svc_is server where OK &&
	    svc_is pharos "Poller site-a" OK && svc_is pharos "Poller site-b" OK' || ok=1
	check "pharosd and both workers still run (no restart)" \
	    eval 'proc_running "$PHAROSD_PID" && proc_running "$WA_PID" && proc_running "$WB_PID"' || ok=1
	check "worker B said it lost gearmand" \
	    grep -q "worker lost" "$P/worker-b.log" || ok=1
	return $ok
}
run_case gearmand_restart_reconnect case_gearmand_restart

case_bad_key() {
	local ok=0 d=$P/rogue
	mkdir -p "$d"
	cat >"$d/pharos.cfg" <<EOF
cfg_file=objects.cfg
log_file=$d/pharos.log
query_socket=$d/pharos.qh
pharos_user=nobody
pharos_group=nogroup
interval_length=1
monitor_host_name=-
gearman_servers=$GM_ADDR:$GM_PORT
gearman_result_queue=pharos_results_rogue
poller_key_file=$P/rogue.key
EOF
	printf '#!/bin/sh\ntouch %s/ran\necho OK\n' "$d" >"$d/rogue_check"
	chmod 755 "$d/rogue_check"
	cat >"$d/objects.cfg" <<EOF
define command {
	command_name        rogue
	command_line        $d/rogue_check
}
define host {
	host_name           fw-rogue
	address             $FW
	poller              site-b
	check_command       rogue
	check_interval      1
	max_check_attempts  1
}
EOF
	chown -R nobody:nogroup "$d"
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$PHAROSD" "$d/pharos.cfg" \
	    >"$d/pharosd.out" 2>&1 &
	ROGUE_PID=$!
	say "a monitor with the wrong key, pid $ROGUE_PID"
	wait_for "worker B rejects and logs its jobs" 20 \
	    grep -q "rejected a job on pharos_site-b: authentication failed" \
	    "$P/worker-b.log" || ok=1
	stop_pid "$ROGUE_PID" TERM 10
	ROGUE_PID=""
	check "the rogue command never ran" not test -e "$d/ran" || ok=1
	check "the real monitor's site-b checks go on" \
	    eval 'svc_is fw where OK && hosts_are fw=UP' || ok=1
	return $ok
}
run_case bad_key_rejected_and_logged case_bad_key

test_finish
