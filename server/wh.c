/* SPDX-License-Identifier: Apache-2.0
 *
 * wh.c - status code names and messages, the error record helpers and the
 * monotonic clock.
 */
#include "wh.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "banned.h"

static const char *const rc_msgs[] = {
#define X(name, msg) msg,
    WH_ERRORS(X)
#undef X
};

static const char *const rc_names[] = {
#define X(name, msg) #name,
    WH_ERRORS(X)
#undef X
};

const char *wh_strerror(int rc)
{
    if (rc < 0 || rc >= WH_RC_COUNT)
        return "unknown error";
    return rc_msgs[rc];
}

const char *wh_rcname(int rc)
{
    if (rc < 0 || rc >= WH_RC_COUNT)
        return "WH_EUNKNOWN";
    return rc_names[rc];
}

int wh_errf(struct wh_err *err, enum wh_rc rc, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return rc;
    err->rc = rc;
    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return rc;
}

void wh_err_clear(struct wh_err *err)
{
    if (err == NULL)
        return;
    err->rc = WH_OK;
    err->msg[0] = '\0';
}

int64_t wh_now_ms(void)
{
    struct timespec t;

    (void)clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}
