#!/bin/sh
# Style check run by `make check`: bans the C functions Pharos never uses
# (unbounded copies and unchecked number parsing) from the project's code.
top=${top_srcdir:-$(dirname "$0")/..}
bad=$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|atof)[[:space:]]*\(' \
	"$top"/src/*.c "$top"/src/*.h "$top"/probes/*.c "$top"/probes/*.h "$top"/graphs/*.c "$top"/graphs/*.h \
	2>/dev/null | grep -v 'checksrc: allow')
if [ -n "$bad" ]; then
	echo "banned functions (use snprintf, bounded copies, strtol with checks):"
	echo "$bad"
	exit 1
fi
echo "checksrc: no banned functions"
exit 0
