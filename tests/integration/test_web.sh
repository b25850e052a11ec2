#!/bin/bash
# test_web.sh: the web interface (docs/web.md) served by a real lighttpd
# with basic auth (htpasswd) in the monitor's namespace, against pharosd on
# the test network, configured with the shipped lighttpd snippet:
# - every page answers 200 to an authorized user, 401 without credentials;
# - tenant A (alice) never sees tenant B's host (bob's) on any page, HTML
#   or JSON, nor its events, and the other way round;
# - an acknowledgement POST changes state only with a valid CSRF token of
#   the user, and only for what the user may command;
# - the process page's program-wide switches (notifications, checks, event
#   handlers) POST with the token, for authorized_for_system_commands only;
# - a host named <script>alert(1)</script> and plugin output
#   "><img src=x onerror=alert(1)> appear escaped on every page;
# - bad query strings get a 400;
# - in headless chromium, the overview, a host page and the map load with
#   no console error, failed request or broken image (screenshots under
#   the build tree's tests/web/screenshots), when npm can install
#   puppeteer-core (skipped otherwise).
. "$(dirname "$0")/lib.sh"

need_root
need_tools jq curl lighttpd htpasswd
PAGES="overview status host problems log outages avail process api"
for p in $PAGES; do
	need_programs "$top_builddir/cgi/$p.cgi"
done
test_setup
# shellcheck disable=SC2034 # read by write_config (lib.sh)
PHAROS_CHECK_INTERVAL=2s
net_up
write_config

WEB_PORT=8080
WEB_PID=""
MON="$PHAROS_NS_PREFIX-mon"
XSS_HOST='<script>alert(1)</script>'
XSS_OUT='"><img src=x onerror=alert(1)>'
XSS_HOST_ESC='&lt;script&gt;alert(1)&lt;/script&gt;'

stop_web() {
	if [ -n "$WEB_PID" ]; then
		stop_pid "$WEB_PID" TERM 5
		WEB_PID=""
	fi
	test_cleanup
}
trap stop_web EXIT

# Two tenants on the test network, a host with a hostile name, and
# carol, alice's colleague who may look but not command.
cat >"$TEST_DIR/tenants.cfg" <<EOF
define contact {
	contact_name  alice
}
define contact {
	contact_name  bob
}
define contact {
	contact_name  carol
	can_submit_commands 0
}
define contactgroup {
	contactgroup_name  tenant-a
	members            alice,carol
}
define host {
	use            device
	host_name      tenant-a-srv
	address        10.66.11.10
	parents        dist1
	contact_groups tenant-a
}
define host {
	use            device
	host_name      tenant-b-fw
	address        10.66.21.10
	parents        dist2
	contacts       bob
}
define host {
	use            device
	host_name      $XSS_HOST
	address        10.66.12.10
	parents        dist1
	contacts       alice
}
define service {
	host_name             tenant-a-srv
	service_description   web
	check_command         icmp
	active_checks_enabled 0
	max_check_attempts    1
}
define service {
	host_name             tenant-b-fw
	service_description   vpn
	check_command         icmp
	active_checks_enabled 0
	max_check_attempts    1
}
define hostgroup {
	hostgroup_name  tenant-b-group
	members         tenant-b-fw
}
EOF
{
	echo "cfg_file=tenants.cfg"
	echo "cgi_config_file=$TEST_DIR/etc/pharos/cgi.cfg"
	echo "rrd_dir=$TEST_DIR/rrd"
} >>"$TEST_DIR/pharos.cfg"

# The shipped configuration files, made for this folder as make install
# makes them for the system (sysconfdir = $TEST_DIR/etc).
mkdir -p "$TEST_DIR/etc/pharos" "$TEST_DIR/htdocs" "$TEST_DIR/web"
subst() {
	sed -e "s|@sysconfdir@|$TEST_DIR/etc|g" \
	    -e "s|@localstatedir@|$TEST_DIR/var|g" \
	    -e "s|@cgidir@|$top_builddir/cgi|g" \
	    -e "s|@htdocsdir@|$top_srcdir/cgi/htdocs|g" "$1"
}
subst "$top_srcdir/etc/cgi.cfg.in" |
    sed -e "s|^main_config_file=.*|main_config_file=$TEST_DIR/pharos.cfg|" \
	-e "s|^authorized_for_\([a-z_]*\)=pharosadmin|authorized_for_\1=admin|" \
	-e "s|^authorized_for_system_information=admin$|&,carol|" \
	-e "s|^csrf_secret_file=.*|csrf_secret_file=$TEST_DIR/web/csrf.key|" \
	>"$TEST_DIR/etc/pharos/cgi.cfg"
subst "$top_srcdir/etc/lighttpd-pharos.conf.in" >"$TEST_DIR/lighttpd-pharos.conf"
create=-c
for u in admin alice bob carol; do
	htpasswd -b $create "$TEST_DIR/etc/pharos/htpasswd" "$u" "pw-$u" \
	    >/dev/null 2>&1 || exit 99
	create=
done
cat >"$TEST_DIR/lighttpd.conf" <<EOF
server.document-root = "$TEST_DIR/htdocs"
server.bind = "127.0.0.1"
server.port = $WEB_PORT
server.errorlog = "$TEST_DIR/lighttpd.err"
server.pid-file = "$TEST_DIR/lighttpd.pid"
mimetype.assign = ( ".css" => "text/css; charset=utf-8", ".png" => "image/png",
                    ".svg" => "image/svg+xml", ".js" => "text/javascript" )
include "$TEST_DIR/lighttpd-pharos.conf"
EOF

start_web() {
	lighttpd -tt -f "$TEST_DIR/lighttpd.conf" || return 1
	ip netns exec "$MON" lighttpd -D -f "$TEST_DIR/lighttpd.conf" \
	    >"$TEST_DIR/lighttpd.out" 2>&1 &
	WEB_PID=$!
	for _ in $(seq 1 50); do
		if [ "$(web "" overview.cgi)" = 401 ]; then
			say "lighttpd running, pid $WEB_PID, port $WEB_PORT"
			return 0
		fi
		sleep 0.2
	done
	echo "lighttpd did not answer"
	cat "$TEST_DIR/lighttpd.out" "$TEST_DIR/lighttpd.err" 2>/dev/null
	return 1
}

# web USER PATH [curl args]: the status code; the body in $TEST_DIR/body.
# USER "" sends no credentials.
web() {
	local user=$1 path=$2
	shift 2
	ip netns exec "$MON" curl -s -o "$TEST_DIR/body" -w '%{http_code}' \
	    ${user:+-u "$user:pw-$user"} "$@" \
	    "http://127.0.0.1:$WEB_PORT/cgi-bin/pharos/$path"
}

# The query pages are asked with, for the cases below.
page_urls() {
	echo "overview.cgi status.cgi status.cgi?show=services&sort=age"
	echo "host.cgi?host=tenant-a-srv problems.cgi log.cgi?since=-1h"
	echo "outages.cgi avail.cgi?period=1d process.cgi api.cgi?q=status"
	echo "api.cgi?q=objects api.cgi?q=log"
}

passive() {
	"$PHAROS" -s "$PHAROS_SOCK" cmd "PROCESS_SERVICE_CHECK_RESULT;$1;$2;$3;$4" >/dev/null
}


case_pages_answer() {
	local u code ok=0
	for u in $(page_urls); do
		code=$(web admin "$u")
		check "admin: $u answers 200 (got $code)" [ "$code" = 200 ] || ok=1
		code=$(web "" "$u")
		check "nobody: $u answers 401 (got $code)" [ "$code" = 401 ] || ok=1
	done
	code=$(web alice overview.cgi)
	check "alice: overview answers 200" [ "$code" = 200 ] || ok=1
	code=$(web alice process.cgi)
	check "alice (no system information): process answers 403 (got $code)" \
	    [ "$code" = 403 ] || ok=1
	code=$(web admin host.cgi?host=nosuchhost)
	check "an unknown host answers 404 (got $code)" [ "$code" = 404 ] || ok=1
	web admin overview.cgi >/dev/null
	check "the overview names its user" \
	    grep -q '<span class="user">admin</span>' "$TEST_DIR/body" || ok=1
	check "the overview is dated in ISO 8601 with its zone" \
	    grep -Eq '<time datetime="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+00:00">[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \+00:00</time>' \
	    "$TEST_DIR/body" || ok=1
	return $ok
}

# page_clean USER URL MARKS [EXCEPT]: URL answers 200 to USER and shows
# none of the words in MARKS but EXCEPT.
page_clean() {
	local code m ok=0
	code=$(web "$1" "$2")
	check "$1: $2 answers 200 (got $code)" [ "$code" = 200 ] || ok=1
	for m in $3; do
		[ "$m" = "${4:-}" ] && continue
		check "$1: $2 never shows $m" not grep -q "$m" "$TEST_DIR/body" || ok=1
	done
	return $ok
}

# Nothing of tenant B on any page alice gets, and the other way round:
# neither the other tenant's host names nor its plugin output, even when
# the URL names them (a URL's own words may be echoed in its form).
case_tenants() {
	local u code ok=0 me other mine marks
	for me in alice bob; do
		if [ $me = alice ]; then
			other=tenant-b-fw; mine=tenant-a-srv; marks="tenant-b-fw vpn.is.slow"
		else
			other=tenant-a-srv; mine=tenant-b-fw; marks="tenant-a-srv onerror alert(1)"
		fi
		for u in $(page_urls); do
			[ "$u" = process.cgi ] && continue
			if [ "$u" = "host.cgi?host=tenant-a-srv" ] && [ $me = bob ]; then
				code=$(web $me "$u")
				check "bob: alice's host answers 404 (got $code)" [ "$code" = 404 ] || ok=1
				continue
			fi
			page_clean $me "$u" "$marks" || ok=1
		done
		for u in map.cgi "map.cgi?layout=radial" "map.cgi?format=svg"; do
			page_clean $me "$u" "$marks" || ok=1
		done
		code=$(web $me "graph.cgi?host=$other")
		check "$me: the graph of $other answers 403 (got $code)" [ "$code" = 403 ] || ok=1
		for u in "status.cgi?hostgroup=tenant-b-group" "status.cgi?q=$other" \
		    "log.cgi?since=-1h&host=$other" "api.cgi?q=log&host=$other" \
		    "avail.cgi?host=$other" "api.cgi?q=status&host=$other"; do
			page_clean $me "$u" "$marks" "$other" || ok=1
		done
		check "$me: no host in the status of $other" \
		    [ "$(jq '.data.hosts | length' "$TEST_DIR/body")" = 0 ] || ok=1
		web $me status.cgi >/dev/null
		check "$me: the status page lists $mine" grep -q "$mine" "$TEST_DIR/body" || ok=1
		web $me "log.cgi?since=-1h" >/dev/null
		check "$me: the log shows the events of $mine" \
		    grep -q "SERVICE ALERT.*$mine" "$TEST_DIR/body" || ok=1
	done
	code=$(web alice host.cgi?host=tenant-b-fw)
	check "alice: bob's host answers 404 (got $code)" [ "$code" = 404 ] || ok=1
	web admin status.cgi >/dev/null
	check "admin sees tenant B" grep -q tenant-b-fw "$TEST_DIR/body" || ok=1
	check "admin sees tenant A" grep -q tenant-a-srv "$TEST_DIR/body" || ok=1
	return $ok
}

token_of() {
	web "$1" problems.cgi >/dev/null
	grep -o 'name="token" value="[^"]*"' "$TEST_DIR/body" | head -n 1 |
	    sed 's/.*value="\([^"]*\)"/\1/'
}

ack() { # USER TOKEN HOST SERVICE -> status code
	web "$1" problems.cgi -X POST --data-urlencode "token=$2" \
	    --data-urlencode cmd=ack --data-urlencode "host=$3" \
	    --data-urlencode "service=$4" --data-urlencode "comment=on it" \
	    --data-urlencode back=problems
}

case_ack_csrf() {
	local tok_a tok_b tok_c wrong code ok=0
	tok_a=$(token_of alice)
	tok_b=$(token_of bob)
	tok_c=$(token_of carol)
	check "alice's problems page carries a token" [ -n "$tok_a" ] || return 1
	check "the service is CRITICAL and not acknowledged" \
	    [ "$(svc_field tenant-a-srv web state)/$(svc_field tenant-a-srv web acknowledged)" = CRITICAL/false ] || ok=1
	code=$(web alice "problems.cgi?cmd=ack&host=tenant-a-srv&service=web&comment=x")
	check "a GET with command parameters is a 400 (got $code)" [ "$code" = 400 ] || ok=1
	code=$(web alice problems.cgi -X POST --data "cmd=ack&host=tenant-a-srv&service=web&comment=x")
	check "a POST without a token is refused (got $code)" [ "$code" = 403 ] || ok=1
	if [ "${tok_a: -1}" = 0 ]; then wrong="${tok_a%?}1"; else wrong="${tok_a%?}0"; fi
	code=$(ack alice "$wrong" tenant-a-srv web)
	check "a POST with a wrong token is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(ack alice "$tok_b" tenant-a-srv web)
	check "a POST with another user's token is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(ack carol "$tok_c" tenant-a-srv web)
	check "carol (can_submit_commands 0) is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(ack alice "$tok_a" tenant-b-fw vpn)
	check "alice may not acknowledge bob's service (got $code)" [ "$code" = 403 ] || ok=1
	check "still not acknowledged" [ "$(svc_field tenant-a-srv web acknowledged)" = false ] || ok=1
	check "bob's service not acknowledged" [ "$(svc_field tenant-b-fw vpn acknowledged)" = false ] || ok=1
	code=$(ack alice "$tok_a" tenant-a-srv web)
	check "a POST with alice's token answers 303 (got $code)" [ "$code" = 303 ] || ok=1
	check "now acknowledged" [ "$(svc_field tenant-a-srv web acknowledged)" = true ] || ok=1
	check "by alice" [ "$(status_json | jq -r '.services[] | select(.description == "web") | .acknowledgement.author')" = alice ] || ok=1
	# The JSON API: the same token rules.
	code=$(web alice api.cgi -X POST --data "q=command&cmd=recheck&host=tenant-a-srv&service=web")
	check "api: a command without a token is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(web alice api.cgi -X POST --data-urlencode q=command --data-urlencode cmd=unack \
	    --data-urlencode "token=$tok_a" --data-urlencode host=tenant-a-srv --data-urlencode service=web)
	check "api: unack with a token answers 200 (got $code)" [ "$code" = 200 ] || ok=1
	check "api: and says done" jq -e '.data.done' "$TEST_DIR/body" >/dev/null || ok=1
	check "no longer acknowledged" [ "$(svc_field tenant-a-srv web acknowledged)" = false ] || ok=1
	return $ok
}

# The process page's program-wide switches: forms for who holds
# authorized_for_system_commands, a POST with the user's CSRF token, and
# pharosd's own refusal for the others.
switch_post() { # USER TOKEN SWITCH TO -> status code
	web "$1" process.cgi -X POST --data-urlencode "token=$2" \
	    --data-urlencode "switch=$3" --data-urlencode "to=$4"
}

case_process_switches() {
	local tok_admin tok_carol tok_bob code out ok=0
	code=$(web admin process.cgi)
	check "admin: process answers 200 (got $code)" [ "$code" = 200 ] || return 1
	check "admin: a form for each of the four switches" \
	    [ "$(grep -o 'name="switch" value="[a-z_]*"' "$TEST_DIR/body" | sort -u | wc -l)" = 4 ] || ok=1
	check "admin: notifications shown enabled" \
	    grep -q 'id="sw-notifications">enabled<' "$TEST_DIR/body" || ok=1
	tok_admin=$(grep -o 'name="token" value="[^"]*"' "$TEST_DIR/body" | head -n 1 |
	    sed 's/.*value="\([^"]*\)"/\1/')
	check "the process page carries a token" [ -n "$tok_admin" ] || return 1
	code=$(web carol process.cgi)
	check "carol (system information only): process answers 200 (got $code)" [ "$code" = 200 ] || ok=1
	check "carol: no switch form" not grep -q 'name="switch"' "$TEST_DIR/body" || ok=1
	tok_carol=$(token_of carol)
	tok_bob=$(token_of bob)
	code=$(switch_post carol "$tok_carol" notifications off)
	check "carol's POST is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(switch_post bob "$tok_bob" service_checks off)
	check "bob's POST is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(web admin process.cgi -X POST --data "switch=notifications&to=off")
	check "a POST without a token is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(switch_post admin "$tok_bob" notifications off)
	check "a POST with another user's token is refused (got $code)" [ "$code" = 403 ] || ok=1
	code=$(web admin "process.cgi?switch=notifications&to=off")
	check "a GET with the form's parameters is a 400 (got $code)" [ "$code" = 400 ] || ok=1
	code=$(switch_post admin "$tok_admin" everything off)
	check "an unknown switch is a 400 (got $code)" [ "$code" = 400 ] || ok=1
	code=$(switch_post admin "$tok_admin" notifications maybe)
	check "a bad value is a 400 (got $code)" [ "$code" = 400 ] || ok=1
	check "notifications still on" [ "$(program_field .enable_notifications)" = true ] || ok=1
	check "service checks still on" [ "$(program_field .execute_service_checks)" = true ] || ok=1
	out=$(raw '{"v":1,"op":"command","auth_user":"alice","line":"DISABLE_NOTIFICATIONS"}')
	check "pharosd refuses a program-wide command from alice: $out" \
	    answer '.ok == false and (.error | test("authorized_for_system_commands"))' || ok=1
	code=$(switch_post admin "$tok_admin" notifications off)
	check "admin's POST answers 303 (got $code)" [ "$code" = 303 ] || ok=1
	check "notifications are off" [ "$(program_field .enable_notifications)" = false ] || ok=1
	check "logged as an external command" \
	    grep -q "EXTERNAL COMMAND: DISABLE_NOTIFICATIONS$" "$PHAROS_LOG" || ok=1
	web admin process.cgi >/dev/null
	check "the page shows them disabled" \
	    grep -q 'id="sw-notifications">disabled<' "$TEST_DIR/body" || ok=1
	code=$(switch_post admin "$tok_admin" notifications on)
	check "and on again (got $code)" [ "$code" = 303 ] || ok=1
	check "notifications are on" [ "$(program_field .enable_notifications)" = true ] || ok=1
	return $ok
}

# Every link on every page leads to a page that answers 200 (a link
# with a parameter its page does not take would be a 400).
case_links() {
	local u l code ok=0 n=0
	: >"$TEST_DIR/links"
	for u in $(page_urls); do
		case "$u" in api.cgi*) continue ;; esac
		web admin "$u" >/dev/null
		grep -o 'href="/cgi-bin/pharos/[^"]*"' "$TEST_DIR/body" |
		    sed -e 's/^href="\/cgi-bin\/pharos\///' -e 's/"$//' \
			-e 's/&amp;/\&/g' >>"$TEST_DIR/links"
	done
	sort -u "$TEST_DIR/links" -o "$TEST_DIR/links"
	while read -r l; do
		n=$((n + 1))
		[ "$n" -le 300 ] || break
		code=$(web admin "$l")
		# a graph with no data yet (a passive service without perfdata)
		case "$l:$code" in graph.cgi*:404) continue ;; esac
		[ "$code" = 200 ] || { echo "  FAILED: $l answers $code"; ok=1; }
	done <"$TEST_DIR/links"
	check "$n links followed" [ "$n" -gt 20 ] || ok=1
	return $ok
}

case_escaped() {
	local u me ok=0
	for me in admin alice; do
		for u in $(page_urls) "host.cgi?host=%3Cscript%3Ealert(1)%3C%2Fscript%3E" \
		    "status.cgi?q=%3Cscript%3E" "log.cgi?since=-1h&q=%22%3E%3Cimg"; do
			case "$u" in api.cgi*) continue ;; esac
			web $me "$u" >/dev/null
			check "$me: $u: no raw <script>alert" not grep -q '<script>alert' "$TEST_DIR/body" || ok=1
			check "$me: $u: no raw <img" not grep -q '<img' "$TEST_DIR/body" || ok=1
		done
		web $me status.cgi >/dev/null
		check "$me: the host name is shown escaped" grep -qF "$XSS_HOST_ESC" "$TEST_DIR/body" || ok=1
		check "$me: the plugin output is shown escaped" grep -qF '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;' "$TEST_DIR/body" || ok=1
		check "$me: the host's link is URL-escaped" grep -qF 'host.cgi?host=%3Cscript%3Ealert%281%29%3C%2Fscript%3E' "$TEST_DIR/body" || ok=1
	done
	return $ok
}

case_strict_params() {
	local u code ok=0
	for u in "overview.cgi?x=1" "status.cgi?state=DOWN&state=UP" \
	    "status.cgi?q=a%00b" "status.cgi?q=$(head -c 300 /dev/zero | tr '\0' a)" \
	    "status.cgi?&" "status.cgi?sort=evil" "log.cgi?since=yesterday-ish" \
	    "api.cgi?q=nothing" "avail.cgi?period=9y"; do
		code=$(web admin "$u")
		check "$u answers 400 (got $code)" [ "$code" = 400 ] || ok=1
	done
	# lighttpd passes only well-formed %-escapes: the others straight to
	# the CGI, as another server may pass them.
	for u in 'q=%zz' 'q=%2' 'q=%' 'show=hosts&&q=a' 'q=%E0%00'; do
		code=$(REMOTE_USER=admin REQUEST_METHOD=GET QUERY_STRING="$u" \
		    PHAROS_CGI_CONFIG="$TEST_DIR/etc/pharos/cgi.cfg" \
		    "$top_builddir/cgi/status.cgi" | head -n 1 | tr -d '\r')
		check "status.cgi with $u: $code" [ "$code" = "Status: 400 Bad Request" ] || ok=1
	done
	code=$(web admin overview.cgi -X PUT)
	check "PUT answers 405 (got $code)" [ "$code" = 405 ] || ok=1
	code=$(web admin overview.cgi -X POST --data "a=b")
	check "POST to a read-only page answers 405 (got $code)" [ "$code" = 405 ] || ok=1
	return $ok
}

# The query socket itself, as a web user: what pharosd refuses or cuts.
raw() {
	"$PHAROS" -s "$PHAROS_SOCK" raw "$1" 2>/dev/null
}

# answer FILTER: the caller's last raw answer ($out) passes the jq filter.
answer() {
	jq -e "$1" <<<"$out" >/dev/null
}

case_daemon_rules() {
	local ok=0 out
	out=$(raw '{"v":1,"op":"stats","auth_user":"alice"}')
	check "stats without system information is refused: $out" \
	    answer '.ok == false and (.error | test("system information"))' || ok=1
	out=$(raw '{"v":1,"op":"stats","auth_user":"admin"}')
	check "stats for admin answers" answer '.ok' || ok=1
	out=$(raw '{"v":1,"op":"reload","auth_user":"alice"}')
	check "reload is refused: $out" answer '.ok == false' || ok=1
	out=$(raw '{"v":1,"op":"nosuchop","auth_user":"alice"}')
	check "an op that does not filter is refused: $out" \
	    answer '.ok == false and (.error | test("not available"))' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":7}')
	check "a bad auth_user is an error: $out" answer '.ok == false' || ok=1
	out=$(raw '{"v":1,"op":"command","auth_user":"alice","line":"ADD_SVC_COMMENT;tenant-a-srv;web;1;bob;forged"}')
	check "a comment in another user's name is refused: $out" \
	    answer '.ok == false and (.error | test("author"))' || ok=1
	out=$(raw '{"v":1,"op":"command","auth_user":"alice","line":"ADD_HOST_COMMENT;tenant-b-fw;1;alice;x"}')
	check "a comment on another tenant's host is refused: $out" answer '.ok == false' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":"alice"}')
	check "alice: the program without counters" \
	    answer '.data.program.icmp == null and .data.program.hosts == 2' || ok=1
	check "alice: her two hosts, no other" \
	    answer '[.data.hosts[].name] | sort == ["<script>alert(1)</script>","tenant-a-srv"]' || ok=1
	out=$(raw '{"v":1,"op":"status","hosts":["tenant-a-srv"]}')
	check "a local client sees every child of dist1" \
	    answer '.data.hosts[0].parents == ["dist1"]' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":"admin","hosts":["dist1"]}')
	check "admin: dist1's children" \
	    answer '.data.hosts[0].children | length == 4' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":"admin","brief":true,"sort":"name","offset":1,"limit":2,"show":"hosts"}')
	check "pages of hosts: sorted by name, offset 1, limit 2" \
	    answer '[.data.hosts[].name] == ["core-router","dist1"] and .data.matched.hosts == 10 and (.data.services | length) == 0' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":"admin","brief":true,"sort":"state","show":"services","match":"TENANT","filter":{"unhandled":true}}')
	check "services matching a text, the worst first" \
	    answer '[.data.services[] | .description] == ["web","vpn"] and (.data.hosts | length) == 0' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":"admin","hostgroup":"tenant-b-group"}')
	check "a hostgroup's hosts and services" \
	    answer '[.data.hosts[].name] == ["tenant-b-fw"] and [.data.services[].description] == ["vpn"]' || ok=1
	out=$(raw '{"v":1,"op":"status","auth_user":"alice","brief":true}')
	check "alice's counts are of her objects only" \
	    answer '.data.counts.services.CRITICAL.total == 1 and .data.counts.services.WARNING == null' || ok=1
	out=$(raw '{"v":1,"op":"status","sort":"size"}')
	check "a bad sort is an error" answer '.ok == false' || ok=1
	out=$(raw '{"v":1,"op":"log","auth_user":"bob","since":0}')
	check "bob: log lines only about his host" \
	    answer '[.data.lines[] | .host] | unique == ["tenant-b-fw"]' || ok=1
	return $ok
}

# A real browser (tests/web/browser.js): Debian's chromium driven by
# puppeteer-core, which npm installs into the build tree once.
BROWSER_DIR="$top_builddir/tests/web"
browser_ready() {
	[ -x /usr/bin/chromium ] || { BROWSER_WHY="no /usr/bin/chromium (Debian package chromium)"; return 1; }
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		BROWSER_WHY="no node and npm"
		return 1
	fi
	[ -d "$BROWSER_DIR/node_modules/puppeteer-core" ] && return 0
	mkdir -p "$BROWSER_DIR"
	if ! timeout 300 npm install --prefix "$BROWSER_DIR" --no-audit --no-fund \
	    --silent puppeteer-core@23 >"$TEST_DIR/npm.out" 2>&1; then
		BROWSER_WHY="npm could not install puppeteer-core: $(tail -n 1 "$TEST_DIR/npm.out")"
		return 1
	fi
}

case_browser() {
	local shots="$BROWSER_DIR/screenshots"
	mkdir -p "$shots"
	ip netns exec "$MON" env NODE_PATH="$BROWSER_DIR/node_modules" HOME="$TEST_DIR" \
	    timeout 180 node "$top_srcdir/tests/web/browser.js" \
	    "http://127.0.0.1:$WEB_PORT/cgi-bin/pharos/" admin pw-admin "$shots" \
	    overview.cgi "host.cgi?host=tenant-a-srv" map.cgi problems.cgi \
	    status.cgi
}

start_pharosd || exit 99
start_web || exit 99
passive tenant-a-srv web 2 "$XSS_OUT"
passive tenant-b-fw vpn 1 "bob's vpn is slow"
results_applied() {
	[ "$(svc_field tenant-a-srv web state)/$(svc_field tenant-b-fw vpn state)" = CRITICAL/WARNING ]
}
wait_for "both passive results applied" 10 results_applied

run_case "every page answers, with and without credentials" case_pages_answer
run_case "pharosd enforces the rules on its socket" case_daemon_rules
run_case "tenants see only their own hosts and events" case_tenants
run_case "acknowledgements need the user's CSRF token and rights" case_ack_csrf
run_case "program-wide switches on the process page" case_process_switches
run_case "hostile names and outputs are escaped" case_escaped
run_case "every link answers" case_links
run_case "bad query strings are refused" case_strict_params
if browser_ready; then
	run_case "overview, a host and the map in headless chromium" case_browser
else
	skip_case "overview, a host and the map in headless chromium" "$BROWSER_WHY"
fi
test_finish
