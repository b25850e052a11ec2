#!/bin/sh
# snmpd `pass` script for tests/unit/test_snmp_check.c: serves the OIDs
# listed in a state file the test rewrites between checks, one per line:
#
#     .1.3.6.1.4.1.99999.1.0 counter 4294967290
#     .1.3.6.1.2.1.31.1.1.1.1.7 string Gi0/1
#
# (OID, pass type: integer gauge counter counter64 timeticks string, then
# the value to the end of the line). snmpd calls it as
#     snmp_pass_counters.sh STATE -g OID   (GET)
#     snmp_pass_counters.sh STATE -n OID   (GETNEXT)
# and it prints the varbind as three lines, or nothing when there is none.
# The lines may come in any order: GETNEXT compares OIDs arc by arc.
state=$1
op=$2
req=$3
[ -r "$state" ] || exit 0
exec awk -v op="$op" -v req="$req" '
function cmp(a, b,   x, y, n, m, i) {
	n = split(a, x, ".")
	m = split(b, y, ".")
	for (i = 2; i <= n && i <= m; i++)
		if (x[i] + 0 != y[i] + 0)
			return x[i] + 0 < y[i] + 0 ? -1 : 1
	return n < m ? -1 : (n > m ? 1 : 0)
}
NF >= 2 {
	oid = $1
	type = $2
	val = $0
	sub(/^[^ ]+ +[^ ]+ ?/, "", val)
	if (op == "-g" && oid == req) {
		best = oid; bt = type; bv = val; found = 1
	}
	if (op == "-n" && cmp(oid, req) > 0 &&
	    (!found || cmp(oid, best) < 0)) {
		best = oid; bt = type; bv = val; found = 1
	}
}
END {
	if (found)
		printf "%s\n%s\n%s\n", best, bt, bv
}
' "$state"
