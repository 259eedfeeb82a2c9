/*
 * log: warnings and errors for the user, on stderr, and a status line on
 * a terminal's stderr.
 *
 * Ownership: nothing is returned; the module copies what it keeps.
 */
#ifndef LOG_H
#define LOG_H

void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* A plain note ("cwdemux: ..."), not a warning. */
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

void log_set_debug(int);
int log_debug_enabled(void);

/*
 * A status line on a terminal's stderr (progress, following): redrawn in
 * place, cleared before any message and at the end. Callers decide
 * whether stderr is a terminal the user watches.
 */
void log_status(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_status_clear(void);

/*
 * Hold messages while the terminal UI owns the screen: they are kept (in
 * order, with their "cwdemux:" prefix; the first 1000, later ones are
 * counted) instead of written, and printed when holding ends.
 * log_release() is safe to call from the allocator's fatal path: it
 * allocates nothing.
 */
void log_hold(void);
void log_release(void);
/* Warnings so far, and the last one (NULL: none). */
unsigned log_warnings(void);
const char *log_last(void);

#endif
