/*
 * strnum: bounded number parsing for untrusted text (command lines, config
 * values, protocol fields), in the spirit of OpenBSD's strtonum.
 */
#ifndef PHAROS_STRNUM_H
#define PHAROS_STRNUM_H

/* Parse s, a plain decimal number (digits only: no sign, space or
 * prefix), into *out when it lies in [min, max]. Returns 0, -EINVAL when
 * s is not such a number, or -ERANGE when it is out of bounds. */
int strnum_long(const char *s, long min, long max, long *out)
    __attribute__((warn_unused_result));

#endif
