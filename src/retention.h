/*
 * retention: the state pharosd keeps across restarts (docs/retention.md).
 *
 * One JSON file (state_retention_file) holds, keyed by names, the retained
 * status of every host and service (struct retention_status; the engine
 * maps it to and from its check_status) and all the annot data (comments,
 * acknowledgements, downtimes, the next ids). Next to it, PATH.journal
 * holds the annot changes made since that file was written.
 *
 * - retention_save() rewrites the whole file atomically: PATH.tmp in the
 *   same directory, fsync, rename over PATH, fsync of the directory. On any
 *   error (ENOSPC, EIO, ...) PATH is left as it was and the error returned
 *   with text. It then starts the journal afresh.
 * - retention_sync() makes the annot changes since the last save or sync
 *   durable by appending them to the journal (one write and one fdatasync)
 *   instead of rewriting the file: call it before answering each comment,
 *   acknowledgement or downtime command. The journal is replayed by
 *   retention_load() and dropped by the next retention_save().
 * - retention_load() reads both. A missing file is an empty state; a
 *   corrupt one (not JSON, truncated, another version, a field out of
 *   range) is -EINVAL with a message naming the file and the position. The
 *   daemon then stops, unless told to move the files aside
 *   (retention_move_aside()) and start empty.
 *
 * All times are wall-clock epoch seconds. Not thread-safe: one retention
 * per file, used from the loop.
 */
#ifndef PHAROS_RETENTION_H
#define PHAROS_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct annot;
struct retention;

#define RETENTION_VERSION 1
#define RETENTION_HISTORY_MAX 21 /* Nagios' MAX_STATE_HISTORY_ENTRIES */
/* Sanity caps on what a load accepts (a 60,000-object file is ~37 MB). */
#define RETENTION_FILE_MAX (1024L * 1024 * 1024) /* bytes, file or journal */
#define RETENTION_TEXT_MAX (1024 * 1024) /* bytes of one retained string */
#define RETENTION_OBJECTS_MAX 1000000    /* hosts + services */

/* The retained status of one host or service. */
struct retention_status {
	int state;           /* enum host_state / enum service_state */
	int last_hard_state;
	int state_type;      /* enum state_type */
	int current_attempt;
	int64_t last_check;
	int64_t last_state_change;
	int64_t last_hard_state_change;
	char *output;        /* each may be NULL */
	char *long_output;
	char *perfdata;
	bool has_been_checked;
	bool notifications_enabled;
	bool active_checks_enabled;
	int64_t last_notification;
	int current_notification_number;
	/* Flapping: the last states, oldest first, and the verdict. */
	int state_history[RETENTION_HISTORY_MAX];
	size_t nhistory;
	double percent_state_change;
	bool is_flapping;
};

/* One object's entry. On save the strings are borrowed from the caller;
 * on load they belong to the retention (the apply callback may take them:
 * set the pointer to NULL). */
struct retention_entry {
	char *host;
	char *service; /* NULL: a host */
	struct retention_status st;
};

struct retention_stats {
	uint64_t generation;    /* of the file on disk (0: none yet) */
	size_t hosts;           /* entries in the last load */
	size_t services;
	size_t comments;        /* annot entries after the last load */
	size_t downtimes;
	size_t acks;
	size_t journal_batches; /* syncs replayed by the last load */
	bool journal_stale;     /* an older journal was found and ignored */
	size_t volatile_dropped; /* comments that do not survive a restart */
	size_t applied;         /* by retention_apply */
	size_t dropped;         /* entries of objects no longer configured */
	int64_t last_save_ns;   /* duration of the last retention_save */
	size_t last_save_bytes;
	int64_t last_sync_ns;   /* duration of the last retention_sync */
	size_t journal_bytes;   /* journal length after it */
};

/* Flags of retention_save(). */
#define RETENTION_FORCE 0x1 /* write even zero objects over a non-empty file */

/* A retention for the file at path (copied). Nothing is read yet. Returns
 * 0, -ENAMETOOLONG or -ENOMEM. */
int retention_new(const char *path, struct retention **out)
    __attribute__((warn_unused_result));
void retention_free(struct retention *r); /* NULL no-op; closes the journal */

/* Read the file and replay its journal: the status entries stay in r for
 * retention_apply(), the annot data goes into a (which must be empty: a
 * fresh annot_new()). What does not survive a restart is then dropped
 * (annot_drop_volatile()). Returns 0 (a missing file: nothing loaded),
 * -EINVAL for a corrupt file or journal (err names the file and the
 * position; a is then to be freed), or -errno when a file cannot be read. */
int retention_load(struct retention *r, struct annot *a, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Hand each loaded entry to fn, then free them. fn returns 0 when it
 * applied the entry, -ENOENT when the object is no longer configured (the
 * entry is dropped and counted), another negative code to stop (returned).
 * Annot data of unconfigured objects is dropped by annot_prune(). */
int retention_apply(struct retention *r,
    int (*fn)(void *arg, struct retention_entry *e), void *arg,
    size_t *applied, size_t *dropped) __attribute__((warn_unused_result));

/* Write the whole file: the n entries (hosts and services, any order; the
 * strings borrowed), all of a, its next ids. The annot's change list is
 * cleared: the file now holds everything. Refused with -ECANCELED when n is
 * 0 but the file loaded (or last written) had objects, so an empty
 * configuration never wipes the state; flags RETENTION_FORCE writes anyway.
 * On error the old file stays, except when only the last step (fsync of
 * the directory) fails: the new file is then in place and accounted for,
 * and the error is still returned. Returns 0 or -errno (err filled). */
int retention_save(struct retention *r, const struct retention_entry *v,
    size_t n, struct annot *a, unsigned flags, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Make a's changes since the last save or sync durable (journal append +
 * fdatasync); a no-op without changes. Call retention_load() first, even
 * when there is no file: it tells which journal may be continued. Returns 0, -EOVERFLOW when the
 * annot lost count of its changes (call retention_save), or -errno (err
 * filled; the changes stay pending for the next sync or save). */
int retention_sync(struct retention *r, struct annot *a, char *err,
    size_t errlen) __attribute__((warn_unused_result));

/* Move a corrupt file aside: path becomes path.corrupt-YYYYMMDD-HHMMSS
 * (local time; "-N" appended if taken) and path.journal, when present,
 * path.journal.corrupt-YYYYMMDD-HHMMSS. The new name of path (or of the
 * journal when path is missing) goes to moved. Returns 0, -ENOENT when
 * neither exists, or -errno (err filled). */
int retention_move_aside(const char *path, char *moved, size_t movedlen,
    char *err, size_t errlen) __attribute__((warn_unused_result));

const struct retention_stats *retention_get_stats(const struct retention *r);

/* The program-wide switches (the external commands ENABLE_NOTIFICATIONS,
 * STOP_EXECUTING_HOST_CHECKS, ...), kept in the file's "program" object.
 * set is false when the file has none (none yet, or an older pharosd's):
 * the configuration's values then hold. */
struct retention_program {
	bool set;
	bool notifications;
	bool host_checks;
	bool service_checks;
	bool event_handlers;
};

/* What the next retention_save() writes (copied; set false: nothing). */
void retention_set_program(struct retention *r,
    const struct retention_program *p);
/* What the last retention_load() read. */
const struct retention_program *retention_get_program(
    const struct retention *r);

#endif
