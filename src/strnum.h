/*
 * strnum: bounded number parsing for untrusted text (command lines, config
 * values, protocol fields), in the spirit of OpenBSD's strtonum; and
 * the blank trimming the key=value file readers share.
 */
#ifndef PHAROS_STRNUM_H
#define PHAROS_STRNUM_H

/* Parse s, a plain decimal number (digits only: no sign, space or
 * prefix), into *out when it lies in [min, max]. Returns 0, -EINVAL when
 * s is not such a number, or -ERANGE when it is out of bounds. */
int strnum_long(const char *s, long min, long max, long *out)
    __attribute__((warn_unused_result));

/* Parse s, a duration: a plain decimal number of days, or one followed by
 * one of the letters in units, a subset of "smhdw" (seconds, minutes,
 * hours, days, weeks), into *out in seconds when it lies in [min, max]
 * (min >= 1). Returns 0, -EINVAL when s is not such a duration, or -ERANGE
 * when it is out of bounds. */
int strnum_period(const char *s, const char *units, long long min,
    long long max, long long *out) __attribute__((warn_unused_result));

/* Parse s, a decimal number as strtod() reads it, into *out when it is
 * finite and lies in [-lim, lim]. Returns 0 or -EINVAL. */
int strnum_double(const char *s, double lim, double *out)
    __attribute__((warn_unused_result));

/* s without leading blanks (space, tab) and trailing blanks and line
 * ends (space, tab, CR, LF), which are cut off in place. */
char *strnum_trim(char *s);

#endif
