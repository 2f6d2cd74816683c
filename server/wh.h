/* SPDX-License-Identifier: Apache-2.0
 *
 * wh.h - project-wide definitions: the status codes every module returns, the
 * error record that carries a human detail with them, and small attributes.
 *
 * Status codes come from one X-macro list so that the enum, its names and its
 * messages cannot drift apart. A struct wh_err is caller-owned storage; filling
 * it never allocates, and its message is safe to show to the API caller
 * (status.message), so it never holds secrets.
 */
#ifndef WH_H
#define WH_H

#include <stddef.h>
#include <stdint.h>

#define WH_ERRORS(X)                                \
    X(WH_OK, "ok")                                  \
    X(WH_EINVAL, "invalid argument")                \
    X(WH_EPARSE, "malformed input")                 \
    X(WH_ETOOBIG, "input exceeds configured limit") \
    X(WH_ENOTFOUND, "not found")                    \
    X(WH_EDENIED, "policy denies the request")      \
    X(WH_EIO, "i/o error")                          \
    X(WH_ETLS, "tls error")                         \
    X(WH_EAUTH, "authentication failed")            \
    X(WH_EINTERNAL, "internal error")

enum wh_rc {
#define X(name, msg) name,
    WH_ERRORS(X)
#undef X
        WH_RC_COUNT
};

#define WH_ERR_MSG_MAX 256

struct wh_err {
    enum wh_rc rc;
    char msg[WH_ERR_MSG_MAX];
};

#if defined(__GNUC__)
#define WH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define WH_NORETURN          __attribute__((noreturn))
#define WH_UNUSED            __attribute__((unused))
#define WH_NOINLINE          __attribute__((noinline))
#else
#define WH_PRINTF(fmt, args)
#define WH_NORETURN
#define WH_UNUSED
#define WH_NOINLINE
#endif

#define WH_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Returns the static message of rc ("unknown error" when out of range). */
const char *wh_strerror(int rc);

/* Returns the stable name of rc, e.g. "WH_EPARSE". */
const char *wh_rcname(int rc);

/* Records rc and a formatted, truncated message in err (if non-NULL) and
 * returns rc, so that `return wh_errf(err, WH_EPARSE, "...");` is one line. */
int wh_errf(struct wh_err *err, enum wh_rc rc, const char *fmt, ...) WH_PRINTF(3, 4);

/* Clears err to WH_OK with an empty message; err may be NULL. */
void wh_err_clear(struct wh_err *err);

/* The monotonic clock in milliseconds, for deadlines and timeouts. */
int64_t wh_now_ms(void);

#endif
