/*
 * log: warnings and errors for the user, on stderr. While the terminal UI
 * owns the screen, messages are kept in memory and printed when it ends.
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

/* Hold messages in memory (the screen is in use) or print them again. */
void log_hold(int);
/* Print and forget every held message. */
void log_flush(void);
/* How many warnings were issued so far. */
unsigned long log_warnings(void);

#endif
