/*
 * check: helpers for building check results. A result owns its strings;
 * check_result_clear() frees them and leaves the struct reusable.
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest first line kept from any prober (Nagios' portable maximum). */
#define CHECK_MAX_OUTPUT 8192

static char *
check_strndup_trim(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	return strndup(s, n);
}

void
check_result_set(struct check_result *res, int code, const char *fmt, ...)
{
	char buf[CHECK_MAX_OUTPUT];
	const char *bar;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);

	free(res->output);
	free(res->perfdata);
	res->output = NULL;
	res->perfdata = NULL;
	res->code = code;

	bar = strchr(buf, '|');
	if (bar != NULL) {
		res->output = check_strndup_trim(buf, (size_t)(bar - buf));
		if (bar[1] != '\0')
			res->perfdata = check_strndup_trim(bar + 1,
			    strlen(bar + 1));
	} else
		res->output = check_strndup_trim(buf, strlen(buf));
	/* Out of memory leaves output NULL; the engine treats NULL output as
	 * empty, never as a crash. */
}

void
check_result_clear(struct check_result *res)
{
	free(res->output);
	free(res->long_output);
	free(res->perfdata);
	res->output = NULL;
	res->long_output = NULL;
	res->perfdata = NULL;
}
