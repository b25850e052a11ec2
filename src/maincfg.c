/*
 * maincfg: one fgets loop over the main file; each complete line split at
 * its first '=' and trimmed, its value kept when the key is asked for.
 */
#include "maincfg.h"
#include "strnum.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAINCFG_LINE 4096

/* value against cfg's folder unless absolute. NULL: out of memory. */
static char *
maincfg_abs(const char *cfg, const char *value)
{
	const char *slash = strrchr(cfg, '/');
	size_t dl, len;
	char *p;

	while (value[0] == '.' && value[1] == '/')
		value += 2;
	if (value[0] == '/' || slash == NULL)
		return strdup(value);
	dl = (size_t)(slash - cfg);
	len = dl + strlen(value) + 2;
	if ((p = malloc(len)) == NULL)
		return NULL;
	snprintf(p, len, "%.*s/%s", (int)dl, cfg, value);
	return p;
}

/* Keep line's value if its key is one of keys. -ENOMEM or 0. */
static int
maincfg_line(const char *cfg, char *line, const char *const *keys,
    char **values, size_t n)
{
	char *key = strnum_trim(line), *eq, *val, *abs;
	size_t i;

	if (*key == '#' || *key == ';' || (eq = strchr(key, '=')) == NULL)
		return 0;
	*eq = '\0';
	key = strnum_trim(key);
	val = strnum_trim(eq + 1);
	for (i = 0; i < n && strcmp(key, keys[i]) != 0; i++)
		;
	if (i == n || *val == '\0')
		return 0;
	if ((abs = maincfg_abs(cfg, val)) == NULL)
		return -ENOMEM;
	free(values[i]);
	values[i] = abs;
	return 0;
}

int
maincfg_paths(const char *cfg, const char *const *keys, char **values,
    size_t n, char *err, size_t errlen)
{
	char line[MAINCFG_LINE];
	bool skipping = false, whole;
	size_t i;
	FILE *fp;
	int rc = 0;

	for (i = 0; i < n; i++)
		values[i] = NULL;
	if ((fp = fopen(cfg, "re")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", cfg,
		    strerror(errno));
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), fp) != NULL) {
		whole = strchr(line, '\n') != NULL || feof(fp);
		if (skipping || !whole) {
			skipping = !whole;
			continue;
		}
		rc = maincfg_line(cfg, line, keys, values, n);
	}
	fclose(fp);
	if (rc != 0) {
		snprintf(err, errlen, "out of memory");
		for (i = 0; i < n; i++) {
			free(values[i]);
			values[i] = NULL;
		}
	}
	return rc;
}
