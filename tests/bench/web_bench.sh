#!/bin/bash
# web_bench.sh: CGI time of the device map for 1,000 devices and of the
# overview and lists for 10,000 hosts / 50,000 services (the goal of the
# web interface issue: each page under 200 ms of CGI time on this
# machine; printed, never enforced). See tests/bench/README.md.
#
# pharosd runs in a private network namespace (unshare -n: no traffic) on
# a generated topology (start_daemon below) of BENCH_HOSTS hosts, checks
# off, states from passive results. Each CGI is then run the way a web server runs
# it (REMOTE_USER, QUERY_STRING, PHAROS_CGI_CONFIG), BENCH_RUNS times per
# variant, and the median wall and CPU time are printed. Then the lists
# (overview.cgi, status.cgi, problems.cgi) are timed on a second daemon
# with BENCH_LIST_HOSTS hosts of BENCH_LIST_SERVICES services each (the
# issue's 10,000 hosts / 50,000 services; BENCH_LIST_HOSTS=0 skips it).
#
# Run by hand, as root, never in CI:
#   cd build && make && sudo sh ../tests/bench/web_bench.sh
# Environment: top_builddir (default: ./ when it holds pharosd, else the
# source tree), BENCH_HOSTS (default 1000; 0 skips the map),
# BENCH_RUNS (default 15), BENCH_LIST_HOSTS (default 10000),
# BENCH_LIST_SERVICES (default 5).
# shellcheck disable=SC2317 # cleanup by trap
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
ME="$HERE/$(basename "$0")"
if [ -z "${top_builddir:-}" ]; then
	if [ -x ./pharosd ]; then top_builddir=$(pwd); else top_builddir=$SRC; fi
fi
HOSTS=${BENCH_HOSTS:-1000}
RUNS=${BENCH_RUNS:-15}
LIST_HOSTS=${BENCH_LIST_HOSTS:-10000}
LIST_SPP=${BENCH_LIST_SERVICES:-5}

die() {
	echo "web_bench: $*" >&2
	exit 1
}
# stop_pid: lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" = 0 ] || die "needs root (a private network namespace)"
for p in pharosd pharos cgi/map.cgi; do
	[ -x "$top_builddir/$p" ] || die "$top_builddir/$p is not built"
done

# Inside the private namespace from here on.
if [ -z "${WEB_BENCH_INNER:-}" ]; then
	WEB_BENCH_INNER=1 top_builddir=$top_builddir exec unshare -n bash "$ME" "$@"
fi
ip link set lo up

DIR=$(mktemp -d /tmp/pharos-web-bench.XXXXXX) || die "mktemp"
PHAROSD_PID=""
cleanup() {
	[ -n "$PHAROSD_PID" ] && stop_pid "$PHAROSD_PID"
	rm -rf "$DIR"
}
trap cleanup EXIT
chmod 0755 "$DIR"
chown nobody:nogroup "$DIR"

# start_daemon HOSTS SERVICES_PER_HOST: pharosd on a generated topology
# (1 core, 20 distribution switches, the rest access devices in 4 host
# groups; SERVICES_PER_HOST passive services each) with passive results:
# dist03 DOWN (its access devices UNREACHABLE when their own results say
# down), 5% of the access devices DOWN, the rest UP, and 5% of the
# services CRITICAL.
start_daemon() {
	local n=$1 spp=$2
	cat >"$DIR/pharos.cfg" <<EOF
cfg_file=objects.cfg
log_file=$DIR/pharos.log
query_socket=$DIR/pharos.qh
pharos_user=nobody
pharos_group=nogroup
interval_length=1
cgi_config_file=$DIR/cgi.cfg
EOF
	awk -v n="$n" -v spp="$spp" '
	function svcs(h,   s) {
		for (s = 1; s <= spp; s++)
			printf "define service {\n\tuse svc\n\thost_name %s\n\tservice_description Service %d\n}\n", h, s
	}
	BEGIN {
		print "define command {\n\tcommand_name none\n\tcommand_line /bin/true\n}"
		print "define host {\n\tname dev\n\tactive_checks_enabled 0\n\tpassive_checks_enabled 1\n\tcheck_interval 3600\n\tmax_check_attempts 1\n\tregister 0\n}"
		print "define service {\n\tname svc\n\tcheck_command none\n\tactive_checks_enabled 0\n\tpassive_checks_enabled 1\n\tcheck_interval 3600\n\tmax_check_attempts 1\n\tregister 0\n}"
		print "define host {\n\tuse dev\n\thost_name core\n\taddress 127.0.0.1\n}"
		svcs("core")
		for (d = 1; d <= 20 && d < n; d++) {
			printf "define host {\n\tuse dev\n\thost_name dist%02d\n\taddress 127.0.0.1\n\tparents core\n\thostgroups floor%d\n}\n", d, d % 4
			svcs(sprintf("dist%02d", d))
		}
		for (a = 1; a <= n - 21; a++) {
			printf "define host {\n\tuse dev\n\thost_name access-%04d\n\taddress 127.0.0.1\n\tparents dist%02d\n\thostgroups floor%d\n}\n", a, (a % 20) + 1, (a % 20 + 1) % 4
			svcs(sprintf("access-%04d", a))
		}
		for (g = 0; g < 4; g++)
			printf "define hostgroup {\n\thostgroup_name floor%d\n}\n", g
	}' >"$DIR/objects.cfg"

	"$top_builddir/pharosd" "$DIR/pharos.cfg" >"$DIR/pharosd.out" 2>&1 &
	PHAROSD_PID=$!
	for _ in $(seq 1 300); do
		[ -S "$DIR/pharos.qh" ] && "$top_builddir/pharos" -s "$DIR/pharos.qh" raw \
		    '{"v":1,"op":"status","show":"hosts","limit":1}' 2>/dev/null |
		    grep -q '"ok": *true' && break
		sleep 0.1
	done
	[ -S "$DIR/pharos.qh" ] || { cat "$DIR/pharosd.out"; die "pharosd did not start"; }

	python3 - "$DIR/pharos.qh" "$n" "$spp" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
n, spp = int(sys.argv[2]), int(sys.argv[3])
names = ["core"] + ["dist%02d" % d for d in range(1, 21)]
states = [0] + [1 if d == 3 else 0 for d in range(1, 21)]
for a in range(1, n - 20):
    names.append("access-%04d" % a)
    states.append(1 if a % 20 == 0 or (a % 20) + 1 == 3 else 0)
lines = ["PROCESS_HOST_CHECK_RESULT;%s;%d;x" % (h, st) for h, st in zip(names, states)]
k = 0
for h in names:
    for sv in range(1, spp + 1):
        k += 1
        crit = k % 20 == 0
        lines.append("PROCESS_SERVICE_CHECK_RESULT;%s;Service %d;%d;%s" %
                     (h, sv, 2 if crit else 0, "CRITICAL - x" if crit else "OK - x"))
f = s.makefile("rw")
for i in range(0, len(lines), 500):
    for l in lines[i:i + 500]:
        f.write(json.dumps({"v": 1, "op": "command", "line": l}) + "\n")
    f.flush()
    for l in lines[i:i + 500]:
        f.readline()
PY
}

stop_daemon() {
	stop_pid "$PHAROSD_PID"
	PHAROSD_PID=""
	rm -f "$DIR/pharos.qh"
}

# time_cgi LABEL CGI QUERY: the median wall and CPU (user + system) time
# of RUNS runs, in ms; CPU time says more when the machine is busy.
time_cgi() {
	local label=$1 cgi=$2 q=$3 status TIMEFORMAT='%R %U %S'
	[ -x "$top_builddir/cgi/$cgi" ] || return 0
	: >"$DIR/times"
	for _ in $(seq 1 "$RUNS"); do
		{ time REMOTE_USER=admin REQUEST_METHOD=GET QUERY_STRING=$q \
		    PHAROS_CGI_CONFIG=$DIR/cgi.cfg "$top_builddir/cgi/$cgi" \
		    >"$DIR/out"; } 2>>"$DIR/times"
	done
	status=$(head -n 1 "$DIR/out" | tr -d '\r')
	awk -v l="$label" -v st="$status" -v sz="$(wc -c <"$DIR/out")" '
		{ w[NR] = $1 * 1000; c[NR] = ($2 + $3) * 1000 }
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return a[int((n + 1) / 2)]
		}
		END { printf "%-44s wall %7.1f ms  cpu %7.1f ms  %8d bytes  %s\n",
		    l, median(w, NR), median(c, NR), sz, st }' "$DIR/times"
}

cat >"$DIR/cgi.cfg" <<EOF
main_config_file=$DIR/pharos.cfg
authorized_for_all_hosts=admin
authorized_for_system_information=admin
EOF
chmod 0644 "$DIR/cgi.cfg"

if [ "$HOSTS" -gt 0 ]; then
	start_daemon "$HOSTS" 0
	echo "web_bench: $HOSTS hosts, median of $RUNS runs per line (query + layout + output); load: $(cut -d' ' -f1-3 /proc/loadavg)"
	time_cgi "map page, tree (auto collapse)" map.cgi ""
	time_cgi "map PNG, tree (auto collapse)" map.cgi "format=png"
	time_cgi "map PNG, tree, all $HOSTS shown (children=0)" map.cgi "format=png&children=0"
	time_cgi "map SVG, tree, all shown" map.cgi "format=svg&children=0"
	time_cgi "map PNG, radial, 20 children per host" map.cgi "format=png&layout=radial&children=20"
	time_cgi "map PNG, host group floor1" map.cgi "format=png&group=floor1&children=0"
	stop_daemon
fi

[ "$LIST_HOSTS" -gt 0 ] || exit 0
start_daemon "$LIST_HOSTS" "$LIST_SPP"
echo "web_bench: $LIST_HOSTS hosts, $((LIST_HOSTS * LIST_SPP)) services, median of $RUNS runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
time_cgi "overview page" overview.cgi ""
time_cgi "host list (first page)" status.cgi "show=hosts"
time_cgi "service list (first page)" status.cgi "show=services"
time_cgi "both lists (first page)" status.cgi ""
time_cgi "service list, CRITICAL only" status.cgi "show=services&state=CRITICAL"
time_cgi "problems page" problems.cgi ""
