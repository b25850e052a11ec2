#!/bin/bash
# test_nrpe: operating-system metrics of a remote host through NRPE, as
# Nagios users collect them. The real NRPE 4 daemon (Debian's
# nagios-nrpe-server, /usr/sbin/nrpe) runs in the server's namespace with
# its own configuration; pharosd runs Debian's check_nrpe
# (nagios-nrpe-plugin) against it with the command definition Debian ships
# in /etc/nagios-plugins/config/check_nrpe.cfg (SSL on, the default).
# - check_load, check_disk and check_procs come back OK with their
#   perfdata; a remote CRITICAL (check_dummy 2 "disk full") is CRITICAL.
# - A command NRPE does not define is UNKNOWN "NRPE: Command ... not
#   defined"; arguments (-a) are refused by Debian's build, which has no
#   command-argument support whatever dont_blame_nrpe says: UNKNOWN.
# - check_nrpe_nossl (-n) cannot talk to an SSL daemon: UNKNOWN.
# - The session is TLS with NRPE's default anonymous-DH ciphers: no
#   certificate, no -2, no cipher option needed.
# - NRPE killed: CRITICAL "Connection refused"; back: OK; the server dead
#   (packets dropped): CRITICAL "Socket timeout after 10 seconds"; the
#   monitor not in allowed_hosts: CRITICAL, "CHECK_NRPE: Error - Could not
#   connect" or, when the reset meets check_nrpe's write, SIGPIPE.
#
# Needs root (network namespaces), jq, nagios-nrpe-server,
# nagios-nrpe-plugin and monitoring-plugins.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

need_root
need_tools ip nft jq awk ss sed
need_programs
PLUGINS=/usr/lib/nagios/plugins
NRPED=/usr/sbin/nrpe
for f in "$NRPED" "$PLUGINS/check_nrpe" "$PLUGINS/check_load" \
    "$PLUGINS/check_disk" "$PLUGINS/check_procs" "$PLUGINS/check_dummy"; do
	if [ ! -x "$f" ]; then
		echo "SKIP: $f missing (Debian packages nagios-nrpe-server, nagios-nrpe-plugin, monitoring-plugins)"
		exit 77
	fi
done

test_setup
export PHAROS_AGENTS=0
net_up
write_config

SERVER_ADDR=$(netns_addr server)
MON_ADDR=$(netns_addr mon)
NRPE_DIR="$TEST_DIR/nrpe"
NRPE_LOG="$NRPE_DIR/nrpe.log"
NRPE_PID=""
# check_nrpe's connection timeout (its -t default).
NRPE_TIMEOUT=10
CI=2

# The NRPE daemon is ours: stop it by PID, then the usual cleanup.
nrpe_cleanup() {
	if [ -n "$NRPE_PID" ]; then
		stop_pid "$NRPE_PID" TERM 5
		NRPE_PID=""
	fi
}
nrpe_exit() {
	local rc=$?
	nrpe_cleanup
	(exit "$rc")
	test_cleanup
}
trap nrpe_exit EXIT

# NRPE's own configuration: listen on the server's address only, answer
# the monitor only, run commands as nobody. debug=1 logs every request;
# ssl_logging 0x0f logs the TLS version and cipher of each session.
mkdir -p "$NRPE_DIR"
cat >"$NRPE_DIR/nrpe.cfg" <<EOF
log_file=$NRPE_LOG
disable_syslog=1
debug=1
pid_file=$NRPE_DIR/nrpe.pid
server_address=$SERVER_ADDR
server_port=5666
nrpe_user=nobody
nrpe_group=nogroup
allowed_hosts=$MON_ADDR
dont_blame_nrpe=1
allow_bash_command_substitution=0
command_timeout=20
connection_timeout=30
ssl_logging=0x0f
command[check_load]=$PLUGINS/check_load -w 50,40,30 -c 100,80,60
command[check_disk]=$PLUGINS/check_disk -w 1% -c 1% -p /
command[check_procs]=$PLUGINS/check_procs -w 5000 -c 10000
command[check_dummy]=$PLUGINS/check_dummy 2 "disk full"
command[check_dummy_arg]=$PLUGINS/check_dummy \$ARG1\$ "\$ARG2\$"
EOF
chown -R nobody:nogroup "$NRPE_DIR"

# Pharos: the check_nrpe definitions of Debian's check_nrpe.cfg, with
# $USER1$ for the plugin folder, and one with -a for arguments.
printf '$USER1$=%s\n' "$PLUGINS" >"$TEST_DIR/resource.cfg"
cat >>"$TEST_DIR/pharos.cfg" <<EOF
cfg_file=nrpe.cfg
resource_file=resource.cfg
EOF
cat >"$TEST_DIR/nrpe.cfg" <<EOF
define command {
	command_name	check_nrpe
	command_line	\$USER1\$/check_nrpe -H \$HOSTADDRESS\$ -c \$ARG1\$
}
define command {
	command_name	check_nrpe_nossl
	command_line	\$USER1\$/check_nrpe -H \$HOSTADDRESS\$ -c \$ARG1\$ -n
}
define command {
	command_name	check_nrpe_args
	command_line	\$USER1\$/check_nrpe -H \$HOSTADDRESS\$ -c \$ARG1\$ -a \$ARG2\$
}
define service {
	name			nrpe-service
	host_name		server
	check_interval		$CI
	retry_interval		1
	max_check_attempts	1
	register		0
}
define service {
	use			nrpe-service
	service_description	load
	check_command		check_nrpe!check_load
}
define service {
	use			nrpe-service
	service_description	disk
	check_command		check_nrpe!check_disk
}
define service {
	use			nrpe-service
	service_description	procs
	check_command		check_nrpe!check_procs
}
define service {
	use			nrpe-service
	service_description	disk-full
	check_command		check_nrpe!check_dummy
}
define service {
	use			nrpe-service
	service_description	undefined
	check_command		check_nrpe!check_not_there
}
define service {
	use			nrpe-service
	service_description	with-args
	check_command		check_nrpe_args!check_dummy_arg!1 remote-warning
}
define service {
	use			nrpe-service
	service_description	nossl
	check_command		check_nrpe_nossl!check_load
}
EOF
chown -R nobody:nogroup "$TEST_DIR"

# nrpe_start [CONFIG]: start nrpe in the foreground (-f) in the server's
# namespace; `ip netns exec` execs it, so $! is nrpe's PID. Wait (10 s at
# most) until it listens; with our own configuration, until check_nrpe
# from the monitor gets its version.
nrpe_start() {
	local cfg=${1:-$NRPE_DIR/nrpe.cfg}
	say "start nrpe in $PHAROS_NS_PREFIX-server ($SERVER_ADDR:5666, $cfg)"
	ip netns exec "$PHAROS_NS_PREFIX-server" "$NRPED" -c "$cfg" -f \
	    </dev/null >>"$NRPE_DIR/nrpe.out" 2>&1 &
	NRPE_PID=$!
	if [ "$cfg" = "$NRPE_DIR/nrpe.cfg" ]; then
		wait_for "nrpe answers check_nrpe" 10 nrpe_answers
	else
		wait_for "nrpe listening" 10 nrpe_listens
	fi
}

nrpe_listens() {
	proc_running "$NRPE_PID" &&
	    ip netns exec "$PHAROS_NS_PREFIX-server" ss -Hltn "sport = :5666" | grep -q .
}

nrpe_stop() {
	local pid=$NRPE_PID
	NRPE_PID=""
	say "kill nrpe (pid $pid)"
	stop_pid "$pid" TERM 5
}

nrpe_answers() {
	proc_running "$NRPE_PID" || return 1
	ip netns exec "$PHAROS_NS_PREFIX-mon" "$PLUGINS/check_nrpe" -H "$SERVER_ADDR" \
	    -t 2 2>/dev/null | grep -q '^NRPE v'
}

svc_field() {
	status_json | jq -r --arg s "$1" --arg f "$2" \
	    '.services[] | select(.host == "server" and .description == $s) | .[$f] // ""'
}

# Our services (not those pharosd may add for itself, on its own host).
all_checked() {
	[ "$(status_json | jq '[.services[] | select(.host == "server" and
	    (.has_been_checked | not))] | length')" = 0 ]
}

# svc_is DESC STATE REGEX: the service's state, and its output matching an
# extended regex, in one snapshot.
svc_is() {
	local snap
	snap=$(status_json | jq -r --arg s "$1" \
	    '.services[] | select(.host == "server" and .description == $s) | "\(.state) \(.output)"')
	[ "${snap%% *}" = "$2" ] && grep -qE -- "$3" <<<"${snap#* }"
}

case_all_services_checked() {
	nrpe_start || return 1
	start_pharosd || return 1
	wait_for "every NRPE service checked once" $((CI + NRPE_TIMEOUT + MARGIN)) all_checked
}

case_os_metrics_ok_with_perfdata() {
	local perf
	check_eq "load state" "$(svc_field load state)" OK &&
	check "load output ($(svc_field load output))" \
	    grep -q '^LOAD OK - total load average: ' <<<"$(svc_field load output)" || return 1
	perf=$(svc_field load perfdata)
	check "load perfdata has load1, load5, load15 ($perf)" \
	    grep -qE '^load1=[0-9.]+;50\.000;100\.000;0; load5=[0-9.]+;.* load15=[0-9.]+;' <<<"$perf" &&
	check_eq "disk state" "$(svc_field disk state)" OK &&
	check "disk output ($(svc_field disk output))" \
	    grep -q '^DISK OK - free space: / ' <<<"$(svc_field disk output)" &&
	check "disk perfdata for / ($(svc_field disk perfdata))" \
	    grep -qE '^/=[0-9]+' <<<"$(svc_field disk perfdata)" &&
	check_eq "procs state" "$(svc_field procs state)" OK &&
	check "procs output ($(svc_field procs output))" \
	    grep -qE '^PROCS OK: [0-9]+ processes' <<<"$(svc_field procs output)" &&
	check "procs perfdata ($(svc_field procs perfdata))" \
	    grep -qE '^procs=[0-9]+;5000;10000;0;' <<<"$(svc_field procs perfdata)"
}

case_remote_critical() {
	check_eq "disk-full state" "$(svc_field disk-full state)" CRITICAL &&
	check_eq "disk-full state type" "$(svc_field disk-full state_type)" HARD &&
	check_eq "disk-full output" "$(svc_field disk-full output)" "CRITICAL: disk full"
}

case_undefined_command_unknown() {
	check_eq "state" "$(svc_field undefined state)" UNKNOWN &&
	check_eq "output, NRPE's own message" "$(svc_field undefined output)" \
	    "NRPE: Command 'check_not_there' not defined" &&
	check "nrpe logged it" grep -q "Command 'check_not_there' not defined" "$NRPE_LOG"
}

# Debian builds NRPE without --enable-command-args (README.Debian): a
# request with arguments is dropped whatever dont_blame_nrpe says, and
# check_nrpe sees the connection close with nothing read: UNKNOWN. An NRPE
# built with argument support would run check_dummy 1 remote-warning.
case_arguments() {
	if grep -q "Request contained command arguments" "$NRPE_LOG"; then
		echo "  (this nrpe has no command-argument support, as Debian builds it)"
		check_eq "state" "$(svc_field with-args state)" UNKNOWN &&
		check "output is check_nrpe's ($(svc_field with-args output))" \
		    grep -q "^CHECK_NRPE: Receive header underflow" <<<"$(svc_field with-args output)"
	else
		check_eq "state" "$(svc_field with-args state)" WARNING &&
		check_eq "output" "$(svc_field with-args output)" "WARNING: remote-warning"
	fi
}

case_ssl_by_default() {
	check "nrpe started with SSL/TLS" \
	    grep -q "SSL/TLS initialized" "$NRPE_LOG" &&
	check "the monitor's sessions are TLS ($(grep -m1 "Remote $MON_ADDR - TLS" "$NRPE_LOG" | sed 's/^\[[0-9]*\] //'))" \
	    grep -qE "Remote $MON_ADDR - TLSv1[.0-9]*, Cipher is " "$NRPE_LOG" &&
	check_eq "check_nrpe_nossl against SSL nrpe: state" "$(svc_field nossl state)" UNKNOWN &&
	check "check_nrpe_nossl output ($(svc_field nossl output))" \
	    grep -q "^CHECK_NRPE: " <<<"$(svc_field nossl output)"
}

case_nrpe_stopped_refused() {
	local out
	nrpe_stop || return 1
	wait_for "load CRITICAL, connection refused" $((CI + MARGIN)) \
	    svc_is load CRITICAL "Connection refused" || return 1
	out=$(svc_field load output)
	echo "  output: $out"
	check_eq "state type" "$(svc_field load state_type)" HARD &&
	check "the refusal names the NRPE port" grep -q "$SERVER_ADDR port 5666" <<<"$out"
}

case_nrpe_back_ok() {
	nrpe_start || return 1
	wait_for "load OK again" $((CI + MARGIN)) svc_is load OK '^LOAD OK'
}

case_server_dead_socket_timeout() {
	local rc=0
	net fail server
	wait_for "load CRITICAL, socket timeout" $((CI + NRPE_TIMEOUT + MARGIN)) \
	    svc_is load CRITICAL "Socket timeout after $NRPE_TIMEOUT seconds" || rc=1
	echo "  output: $(svc_field load output)"
	net recover server
	[ "$rc" = 0 ] || return 1
	wait_for "load OK after the server came back" $((CI + NRPE_TIMEOUT + MARGIN)) \
	    svc_is load OK '^LOAD OK'
}

# NRPE resets the connection of a client not in allowed_hosts at once:
# CRITICAL either way, with check_nrpe saying it could not connect, or,
# when the reset comes while it writes its request, killed by SIGPIPE
# (check_nrpe does not ignore it; a plugin runs with default signal
# dispositions, as under Nagios). Which one depends on timing.
case_monitor_not_allowed() {
	local rc=0
	sed "s/^allowed_hosts=.*/allowed_hosts=127.0.0.1/" "$NRPE_DIR/nrpe.cfg" \
	    >"$NRPE_DIR/nrpe-local.cfg"
	nrpe_stop || return 1
	nrpe_start "$NRPE_DIR/nrpe-local.cfg" || return 1
	wait_for "load CRITICAL, connection reset" $((CI + MARGIN)) \
	    svc_is load CRITICAL '^CHECK_NRPE: Error - Could not connect|^\(Plugin was killed by signal 13\)$' || rc=1
	echo "  output: $(svc_field load output)"
	[ "$rc" = 0 ] &&
	check "nrpe logged the refusal" \
	    grep -q "Host $MON_ADDR is not allowed to talk to us" "$NRPE_LOG"
}

case_pharosd_stops_cleanly() {
	stop_pharosd
}

run_case all_services_checked case_all_services_checked
run_case os_metrics_ok_with_perfdata case_os_metrics_ok_with_perfdata
run_case remote_critical case_remote_critical
run_case undefined_command_unknown case_undefined_command_unknown
run_case arguments case_arguments
run_case ssl_by_default case_ssl_by_default
run_case nrpe_stopped_refused case_nrpe_stopped_refused
run_case nrpe_back_ok case_nrpe_back_ok
run_case server_dead_socket_timeout case_server_dead_socket_timeout
run_case monitor_not_allowed case_monitor_not_allowed
run_case pharosd_stops_cleanly case_pharosd_stops_cleanly
test_finish
