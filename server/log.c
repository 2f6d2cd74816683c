/* SPDX-License-Identifier: Apache-2.0
 *
 * log.c - JSON-lines or text logging to stderr; see log.h.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/json.h"
#include "util/str.h"

#include "banned.h"

#define LINE_MAX_BYTES 16384

_Atomic int wh_log_min = WH_LOG_INFO;
static _Atomic int log_format = WH_LOG_JSON;

static const char *const level_names[] = { "debug", "info", "warn", "error", "fatal" };

void wh_log_setup(enum wh_log_level min, enum wh_log_format format)
{
    atomic_store(&wh_log_min, (int)min);
    atomic_store(&log_format, (int)format);
}

int wh_log_level_parse(const char *s, enum wh_log_level *out)
{
    size_t i;

    for (i = 0; i < WH_NELEM(level_names) - 1; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum wh_log_level)i;
            return WH_OK;
        }
    }
    return WH_EINVAL;
}

int wh_log_format_parse(const char *s, enum wh_log_format *out)
{
    if (strcmp(s, "json") == 0)
        *out = WH_LOG_JSON;
    else if (strcmp(s, "text") == 0)
        *out = WH_LOG_TEXT;
    else
        return WH_EINVAL;
    return WH_OK;
}

static const char *module_of(const char *file)
{
    const char *slash = strrchr(file, '/');

    return slash ? slash + 1 : file;
}

static void timestamp(char *out, size_t size)
{
    struct timespec ts;
    struct tm tm;

    (void)clock_gettime(CLOCK_REALTIME, &ts);
    (void)gmtime_r(&ts.tv_sec, &tm);
    (void)snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
}

static void vemit(enum wh_log_level level, const char *file, int with_errno,
                  const struct wh_buf *fields, const char *fmt, va_list ap) WH_PRINTF(5, 0);

static void vemit(enum wh_log_level level, const char *file, int with_errno,
                  const struct wh_buf *fields, const char *fmt, va_list ap)
{
    char msg[4096];
    char ts[96]; /* what every int of the format could take */
    struct wh_buf line;
    int saved = errno;
    size_t n;

    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    if (with_errno && n + 2 < sizeof(msg)) {
        memcpy(msg + n, ": ", 2);
        (void)wh_strlcpy(msg + n + 2, strerror(saved), sizeof(msg) - n - 2);
    }
    timestamp(ts, sizeof(ts));
    wh_buf_init(&line, LINE_MAX_BYTES);
    if (atomic_load(&log_format) == WH_LOG_TEXT) {
        (void)wh_buf_printf(&line, "%s %-5s %s: %s", ts, level_names[level], module_of(file), msg);
        if (fields && fields->len)
            (void)wh_buf_printf(&line, " {%s}", wh_buf_str(fields));
    } else {
        (void)wh_buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"module\":\"%s\",\"msg\":", ts,
                            level_names[level], module_of(file));
        (void)wh_json_escape(&line, msg);
        if (fields && fields->len)
            (void)wh_buf_printf(&line, ",%s", wh_buf_str(fields));
        (void)wh_buf_addc(&line, '}');
    }
    if (line.len == 0) /* over the line cap: say so rather than drop silently */
        (void)wh_buf_printf(&line, "{\"level\":\"%s\",\"msg\":\"log line too long\"}",
                            level_names[level]);
    (void)wh_buf_addc(&line, '\n');
    (void)!write(STDERR_FILENO, wh_buf_str(&line), line.len);
    wh_buf_cleanup(&line);
    errno = saved;
}

void wh_log_emit(enum wh_log_level level, const char *file, int with_errno,
                 const struct wh_buf *fields, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vemit(level, file, with_errno, fields, fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vemit(WH_LOG_FATAL, "main", 1, NULL, fmt, ap);
    va_end(ap);
    exit(1);
}

void fatalx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vemit(WH_LOG_FATAL, "main", 0, NULL, fmt, ap);
    va_end(ap);
    exit(1);
}
