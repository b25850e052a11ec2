/*
 * log: the daemon's own diagnostic messages (not the event log; see
 * evlog.h). Messages go to stderr, which systemd's journal collects, with
 * the program name and level. log_warn() appends strerror(errno).
 */
#ifndef PHAROS_LOG_H
#define PHAROS_LOG_H

enum log_level {
	LOG_LEVEL_WARN = 0,
	LOG_LEVEL_INFO = 1,
	LOG_LEVEL_DEBUG = 2,
};

/* Set the program name (borrowed, must outlive logging) and the most
 * verbose level printed. Not thread-safe; call once at start. */
void log_init(const char *progname, enum log_level level);
/* From now on, messages go to syslog (facility daemon), not stderr. */
void log_to_syslog(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1). Only main programs call these. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
