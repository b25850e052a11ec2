/*
 * pharos_int: what the files of the pharos client share (pharos.c: options,
 * the query socket, output helpers; pharos_status.c: `pharos status`).
 */
#ifndef PHAROS_PHAROS_INT_H
#define PHAROS_PHAROS_INT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define PHAROS_TTY_COLS 100
#define PHAROS_MIN_OUTPUT 10

enum {
	PHAROS_EXIT_OK = 0,
	PHAROS_EXIT_ERROR = 1,
	PHAROS_EXIT_USAGE = 2,
	PHAROS_EXIT_CONNECT = 3,
};

struct pharos_opts {
	const char *cfg;  /* borrowed from argv; NULL: the default */
	const char *sock; /* borrowed from argv */
	int timeout_ms;
};

/* The client's usage text. */
void pharos_usage(FILE *fp);
/* Print a usage error (what, and arg when not NULL) and the usage; returns
 * PHAROS_EXIT_USAGE. */
int pharos_usage_error(const char *what, const char *arg);
/* Display width of s (UTF-8 characters). */
size_t pharos_width(const char *s);
/* Print s with control characters replaced, cut to max columns, padded
 * to pad columns. */
void pharos_put(FILE *fp, const char *s, size_t max, size_t pad);
/* One request to the daemon; *resp owned by the caller. Returns an exit
 * code. */
int pharos_call(const struct pharos_opts *o, json_t *req, json_t **resp);
/* The response's ok/error as an exit code (the error printed). */
int pharos_check(json_t *resp);
int pharos_flush(void);

/* pharos_status.c */
int pharos_status(const struct pharos_opts *o, int argc, char **argv);

#endif
