/* SPDX-License-Identifier: Apache-2.0
 *
 * log.h - leveled logging to stderr, one line per event, as JSON objects
 * (ts, level, module, msg, then any fields) or as text for humans. The shape
 * follows OpenBSD's log.c: log_warn() appends strerror(errno), log_warnx()
 * does not; fatal()/fatalx() log and exit(1). The level check sits in the
 * macros, so arguments are not evaluated when the level is off.
 *
 * Log only at the boundary (http, cache, main): util/ and patches/ return a
 * struct wh_err instead. Never pass a token, a secret or an env value here.
 * Thread-safe: each line is written with one write(2).
 */
#ifndef WH_LOG_H
#define WH_LOG_H

#include <stdatomic.h>

#include "util/buf.h"
#include "wh.h"

enum wh_log_level {
    WH_LOG_DEBUG,
    WH_LOG_INFO,
    WH_LOG_WARN,
    WH_LOG_ERROR,
    WH_LOG_FATAL,
};

enum wh_log_format {
    WH_LOG_JSON,
    WH_LOG_TEXT,
};

extern _Atomic int wh_log_min;

void wh_log_setup(enum wh_log_level min, enum wh_log_format format);

/* "debug", "info", "warn", "error" -> level; WH_OK or WH_EINVAL. */
int wh_log_level_parse(const char *s, enum wh_log_level *out);
int wh_log_format_parse(const char *s, enum wh_log_format *out);

/* Emits one line. with_errno appends ": strerror(errno)" to the message.
 * fields, if non-NULL, is a JSON object body without braces
 * ("\"k\":\"v\",\"n\":1") written after msg. */
void wh_log_emit(enum wh_log_level level, const char *file, int with_errno,
                 const struct wh_buf *fields, const char *fmt, ...) WH_PRINTF(5, 6);

#define WH_LOG_ON(lvl) ((int)(lvl) >= atomic_load_explicit(&wh_log_min, memory_order_relaxed))

#define WH_LOG_(lvl, e, fields, ...)                                  \
    do {                                                              \
        if (WH_LOG_ON(lvl))                                           \
            wh_log_emit((lvl), __FILE__, (e), (fields), __VA_ARGS__); \
    } while (0)

#define log_debug(...) WH_LOG_(WH_LOG_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...)  WH_LOG_(WH_LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_warn(...)  WH_LOG_(WH_LOG_WARN, 1, NULL, __VA_ARGS__)
#define log_warnx(...) WH_LOG_(WH_LOG_WARN, 0, NULL, __VA_ARGS__)
#define log_error(...) WH_LOG_(WH_LOG_ERROR, 0, NULL, __VA_ARGS__)
/* One line with extra JSON fields (see wh_log_emit). */
#define log_fields(lvl, fields, ...) WH_LOG_(lvl, 0, fields, __VA_ARGS__)

/* Log at fatal level and exit(1); fatal() appends strerror(errno). */
WH_NORETURN void fatal(const char *fmt, ...) WH_PRINTF(1, 2);
WH_NORETURN void fatalx(const char *fmt, ...) WH_PRINTF(1, 2);

#endif
