/* SPDX-License-Identifier: Apache-2.0
 *
 * buf.c - bounded growable buffer; see buf.h.
 */
#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#include "banned.h"

#define MIN_ALLOC 256

void wh_buf_init(struct wh_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void wh_buf_cleanup(struct wh_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void wh_buf_reset(struct wh_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int grow(struct wh_buf *b, size_t extra)
{
    size_t need;
    size_t a;

    /* Catch size_t overflow before comparing with the cap. */
    if (__builtin_add_overflow(b->len, extra, &need) || need > b->cap) {
        wh_buf_cleanup(b);
        return WH_ETOOBIG;
    }
    if (need + 1 <= b->alloc)
        return WH_OK;
    a = b->alloc ? b->alloc : MIN_ALLOC;
    while (a < need + 1)
        a = a > SIZE_MAX / 2 ? need + 1 : a * 2;
    if (b->cap < SIZE_MAX && a > b->cap + 1) /* cap + 1 would wrap at SIZE_MAX */
        a = b->cap + 1;
    b->data = wh_xrealloc(b->data, a);
    b->alloc = a;
    return WH_OK;
}

int wh_buf_add_grow(struct wh_buf *b, const void *p, size_t len)
{
    int rc = grow(b, len);

    if (rc != WH_OK)
        return rc;
    if (len)
        memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return WH_OK;
}

int wh_buf_reserve(struct wh_buf *b, size_t n)
{
    return grow(b, n);
}

void wh_buf_expect(struct wh_buf *b, size_t n)
{
    if (b->len <= b->cap)
        (void)grow(b, n < b->cap - b->len ? n : b->cap - b->len);
}

int wh_buf_extend(struct wh_buf *b, size_t n, char **p)
{
    int rc = grow(b, n);

    if (rc != WH_OK)
        return rc;
    *p = b->data + b->len;
    b->len += n;
    b->data[b->len] = '\0';
    return WH_OK;
}

void wh_buf_truncate(struct wh_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

int wh_buf_adds(struct wh_buf *b, const char *s)
{
    return wh_buf_add(b, s, strlen(s));
}

int wh_buf_vprintf(struct wh_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    int rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return WH_EINVAL;
    rc = grow(b, (size_t)n);
    if (rc != WH_OK)
        return rc;
    (void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return WH_OK;
}

int wh_buf_printf(struct wh_buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = wh_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

const char *wh_buf_str(const struct wh_buf *b)
{
    return b->data ? b->data : "";
}

size_t wh_buf_len(const struct wh_buf *b)
{
    return b->len;
}

char *wh_buf_take(struct wh_buf *b, size_t *lenp)
{
    char *p = b->data ? b->data : wh_xstrdup("");

    if (lenp)
        *lenp = b->len;
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}
