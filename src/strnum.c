/*
 * strnum: one place for the checks strtol() and strtod() leave to their
 * callers (no digits, trailing junk, overflow, bounds).
 */
#include "strnum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int
strnum_period(const char *s, const char *units, long long min,
    long long max, long long *out)
{
	static const struct {
		char c;
		long mult;
	} unit[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	char num[24];
	size_t len = strlen(s), i;
	long mult = 86400, v;
	int rc;

	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	for (i = 0; i < sizeof(unit) / sizeof(unit[0]); i++)
		if (num[len - 1] == unit[i].c &&
		    strchr(units, unit[i].c) != NULL) {
			mult = unit[i].mult;
			num[len - 1] = '\0';
			break;
		}
	if ((rc = strnum_long(num, 1, (long)(max / mult), &v)) != 0)
		return rc;
	if ((long long)v * mult < min)
		return -ERANGE;
	*out = (long long)v * mult;
	return 0;
}

int
strnum_double(const char *s, double lim, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(v >= -lim && v <= lim))
		return -EINVAL;
	*out = v;
	return 0;
}

char *
strnum_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}
