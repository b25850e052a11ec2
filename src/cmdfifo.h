/*
 * cmdfifo: the Nagios-compatible external command file, a FIFO on the
 * event loop that hands each complete line to a callback. What a line
 * means is not this module's business (see extcmd.h).
 *
 * Writers do what they do for Nagios:
 *
 *   printf "[%lu] DISABLE_HOST_CHECK;core-sw1\n" $(date +%s) > pharos.cmd
 *
 * The FIFO is created mode 0660. pharosd holds a write end of its own
 * open, so it never sees end-of-file when writers come and go, and writers
 * that open with O_WRONLY|O_NONBLOCK get ENXIO only when pharosd is not
 * running.
 *
 * Framing rules (docs/external-commands.md says the same to users):
 *
 * - A line ends at '\n'. Empty lines are skipped. Every other line is
 *   handed over whole, with its length: bytes that make a line invalid
 *   (NUL, CR, ...) are the parser's to refuse.
 * - A line longer than CMDFIFO_MAX_LINE bytes (without its '\n') is
 *   discarded entirely, up to and including its '\n', and counted in
 *   overlong; the line after it is read normally.
 * - Writers must write each line with one write() of at most PIPE_BUF
 *   (4096) bytes: the kernel keeps such writes whole, so lines from
 *   concurrent writers never mix. One writer may split a longer line
 *   across writes made one after the other.
 * - An unterminated piece (the start of a line whose '\n' has not come)
 *   is kept until the rest comes, and discarded, counted in
 *   partial_discarded, when
 *     a) CMDFIFO_PARTIAL_MS pass without any more data, or
 *     b) the next data read after a pause (the read that follows one that
 *        found the FIFO empty) begins a new command, "[<digits>] ": a
 *        writer that died mid-line is not joined to the next writer's
 *        command.
 *   A discarded piece is never joined to anything: reading starts afresh
 *   with the data after it. (The same two rules end the discarding of an
 *   overlong line whose '\n' never comes, so it cannot eat the next
 *   command.) Consequence: a continuation piece that itself begins with
 *   "[<digits>] " is read as a new line; writers that keep lines within
 *   PIPE_BUF never meet this.
 */
#ifndef PHAROS_CMDFIFO_H
#define PHAROS_CMDFIFO_H

#include <stddef.h>
#include <sys/types.h>

struct loop;
struct cmdfifo;

/* Longest line handed over, without its '\n' (as EXTCMD_MAX_LINE). */
#define CMDFIFO_MAX_LINE 8191
/* How long an unterminated piece waits for the rest of its line. */
#define CMDFIFO_PARTIAL_MS 500

struct cmdfifo_counters {
	unsigned long long lines;     /* non-empty lines handed over */
	unsigned long long bad_lines; /* reported by cmdfifo_count_bad() */
	unsigned long long overlong;  /* lines over CMDFIFO_MAX_LINE */
	unsigned long long partial_discarded; /* pieces never completed */
};

/* Called once per complete non-empty line. line (borrowed, valid during
 * the call) holds len bytes without the '\n', followed by a NUL; it may
 * hold NUL bytes of its own. The callback must not free the cmdfifo. */
typedef void cmdfifo_line_fn(const char *line, size_t len, void *arg);

/* Create the FIFO at path, mode 0660, and read it on loop. An existing
 * FIFO is replaced when no process reads it (left by a daemon that is
 * gone); when one does, -EBUSY (another pharosd). Anything else at path
 * (a regular file, a symbolic link, ...) is left alone and refused with
 * -EEXIST. Fills err on failure. Returns 0 or -errno. Ownership of the
 * file is the caller's to set (cmdfifo_chown()). */
int cmdfifo_new(struct loop *loop, const char *path, cmdfifo_line_fn *fn,
                void *arg, struct cmdfifo **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Stop reading, close, unlink the FIFO if it is still the one created,
 * free. A piece of a line still pending is dropped. NULL is a no-op. */
void cmdfifo_free(struct cmdfifo *f);

/* The path given to cmdfifo_new() (borrowed). */
const char *cmdfifo_path(const struct cmdfifo *f);
/* Give the FIFO to uid:gid (-1 leaves one unchanged), through the open
 * descriptor rather than the path, so a file swapped in at the path is
 * never touched. Returns 0 or -errno. */
int cmdfifo_chown(struct cmdfifo *f, uid_t uid, gid_t gid)
    __attribute__((warn_unused_result));

/* Count a line the caller refused (shown with the other counters). */
void cmdfifo_count_bad(struct cmdfifo *f);
const struct cmdfifo_counters *cmdfifo_get_counters(const struct cmdfifo *f);

#endif
