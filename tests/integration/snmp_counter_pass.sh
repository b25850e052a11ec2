#!/bin/bash
# snmp_counter_pass.sh: the counter feed of the test network, an snmpd
# pass_persist program (snmpd.conf(5)) run by the server's snmpd, so that
# tests can make counters wrap and watch Pharos compute rates. Under
# .1.3.6.1.4.1.8072.9999.1 (netSnmpExperimental.1) it serves:
#
#   .1.0  Counter32  c32
#   .2.0  Counter64  c64
#   .3.0  Gauge32    g32
#
# The values come from a state file, $PHAROS_COUNTER_FILE (netns.sh sets
# it; default: "counters" beside this script), written by
# `netns.sh counter NAME VALUE [PER_SECOND]`, one line per counter:
#
#   NAME VALUE PER_SECOND SINCE_MS
#
# What is served is VALUE + PER_SECOND * (now - SINCE_MS) / 1000: a step
# when PER_SECOND is 0, else a counter that grows on its own, wrapping at
# 2^32 (c32) or 2^64 (c64); a gauge stops at 2^32-1. A counter missing from
# the file, or a malformed line, is not served. The file is read on every
# request.
#
# Without arguments it speaks pass_persist on stdin/stdout (PING/PONG, get,
# getnext, set: refused with not-writable) until snmpd closes the pipe.
# pass_persist, not pass: snmpd caches the output of a pass command for 30
# s when the same request repeats, which would freeze a counter polled
# alone. With arguments it answers one request the pass way, for a look
# by hand: -g OID (get), -n OID (getnext), -s OID TYPE VALUE (refused).
#
# bash arithmetic is 64-bit two's complement: sums wrap modulo 2^64 and
# printf %u prints them unsigned, which is exactly Counter64.
set -u
export LC_ALL=C

BASE=.1.3.6.1.4.1.8072.9999.1
FILE=${PHAROS_COUNTER_FILE:-$(dirname "$0")/counters}
# Served objects in OID order: name, sub-identifier, pass type.
OBJECTS="c32 1 counter
c64 2 counter64
g32 3 gauge"

# oid_gt A B: true when numeric OID A sorts after OID B.
oid_gt() {
	local -a a b
	local i
	IFS=. read -r -a a <<<"${1#.}"
	IFS=. read -r -a b <<<"${2#.}"
	for ((i = 0; i < ${#a[@]} && i < ${#b[@]}; i++)); do
		[ "${a[i]}" -gt "${b[i]}" ] && return 0
		[ "${a[i]}" -lt "${b[i]}" ] && return 1
	done
	[ "${#a[@]}" -gt "${#b[@]}" ]
}

# value NAME: the value served now, or nothing.
value() {
	local name=$1 n v rate since now d inc
	while read -r n v rate since; do
		[ "$n" = "$name" ] && break
	done <"$FILE" 2>/dev/null
	[ "${n:-}" = "$name" ] || return 1
	[[ $v =~ ^[0-9]{1,20}$ && $rate =~ ^[0-9]{1,10}$ && $since =~ ^[0-9]{1,16}$ ]] ||
	    return 1
	now=${EPOCHREALTIME/[.,]/}
	d=$((now / 1000 - 10#$since))
	[ "$d" -ge 0 ] || d=0
	# rate * d / 1000 without overflowing for long runs.
	inc=$((10#$rate * (d / 1000) + 10#$rate * (d % 1000) / 1000))
	v=${v#"${v%%[1-9]*}"}
	v=${v:-0}
	case "$name" in
	c32) echo $(((v + inc) & 4294967295)) ;;
	c64) printf '%u\n' $((v + inc)) ;;
	g32)
		if [ "$inc" -gt $((4294967295 - v)) ]; then
			echo 4294967295
		else
			echo $((v + inc))
		fi
		;;
	esac
}

# answer NAME SUB TYPE: the three lines snmpd wants.
answer() {
	local v
	v=$(value "$1") || return 1
	[ -n "$v" ] || return 1
	printf '%s.%s.0\n%s\n%s\n' "$BASE" "$2" "$3" "$v"
}

# serve -g|-n OID: print the varbind for a get or getnext of OID; false
# when there is none.
serve() {
	local mode=$1 oid=$2 name sub type
	case "$oid" in
	.*) ;;
	*) oid=".$oid" ;;
	esac
	[[ $oid =~ ^(\.[0-9]{1,10})+$ ]] || return 1
	while read -r name sub type; do
		case "$mode" in
		-g)
			if [ "$oid" = "$BASE.$sub.0" ]; then
				answer "$name" "$sub" "$type"
				return
			fi
			;;
		-n)
			if oid_gt "$BASE.$sub.0" "$oid"; then
				answer "$name" "$sub" "$type" && return 0
			fi
			;;
		esac
	done <<<"$OBJECTS"
	return 1
}

# The pass_persist protocol, one request at a time, until end of input.
persist() {
	local cmd oid _
	while read -r cmd; do
		case "$cmd" in
		PING) echo PONG ;;
		get) read -r oid && { serve -g "$oid" || echo NONE; } ;;
		getnext) read -r oid && { serve -n "$oid" || echo NONE; } ;;
		set) read -r oid && read -r _ && echo not-writable ;;
		esac
	done
}

case "${1:-}" in
'') persist ;;
-g | -n) serve "$1" "${2:-}" ;;
-s) echo not-writable ;;
esac
exit 0
