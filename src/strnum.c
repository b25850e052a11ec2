/*
 * strnum: one place for the checks strtol() leaves to its callers (no
 * digits, trailing junk, overflow, bounds).
 */
#include "strnum.h"

#include <errno.h>
#include <stdlib.h>

int
strnum_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}
