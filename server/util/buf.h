/* SPDX-License-Identifier: Apache-2.0
 *
 * buf.h - a growable byte buffer with a mandatory size cap (after curl's
 * dynbuf). The buffer is always NUL-terminated past its length, so text can be
 * used as a C string. Appending past the cap fails with WH_ETOOBIG and frees
 * the contents, so a caller that ignores one error cannot keep appending to a
 * half-written document. Access the fields only through this API.
 *
 * Ownership: the buffer owns its memory until wh_buf_take() hands it to the
 * caller (free() it). wh_buf_cleanup() is idempotent and leaves the buffer
 * empty and reusable with the same cap. Not thread-safe.
 */
#ifndef WH_BUF_H
#define WH_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "wh.h"

struct wh_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap; /* the largest len allowed */
};

void wh_buf_init(struct wh_buf *b, size_t cap);
void wh_buf_cleanup(struct wh_buf *b);
/* Empties the buffer but keeps its allocation for reuse. */
void wh_buf_reset(struct wh_buf *b);

/* Appends len bytes; WH_OK, or WH_ETOOBIG (contents freed) past the cap.
 * The common case, room in the allocation (which never exceeds cap + 1),
 * is inline. */
int wh_buf_add_grow(struct wh_buf *b, const void *p, size_t len);

static inline int wh_buf_add(struct wh_buf *b, const void *p, size_t len)
{
    if (len < b->alloc - b->len) { /* len + the NUL fit */
        if (len)
            memcpy(b->data + b->len, p, len);
        b->len += len;
        b->data[b->len] = '\0';
        return WH_OK;
    }
    return wh_buf_add_grow(b, p, len);
}

static inline int wh_buf_addc(struct wh_buf *b, char c)
{
    return wh_buf_add(b, &c, 1);
}

int wh_buf_adds(struct wh_buf *b, const char *s);
int wh_buf_printf(struct wh_buf *b, const char *fmt, ...) WH_PRINTF(2, 3);
int wh_buf_vprintf(struct wh_buf *b, const char *fmt, va_list ap) WH_PRINTF(2, 0);

/* Makes room for n more bytes now (one allocation for a size known in
 * advance); WH_OK, or WH_ETOOBIG (contents freed) past the cap. */
int wh_buf_reserve(struct wh_buf *b, size_t n);

/* Allocates room for about n more bytes now, for a writer that knows
 * roughly how much it will append: one allocation instead of doubling up
 * to it. Never fails and never allocates past the cap. */
void wh_buf_expect(struct wh_buf *b, size_t n);

/* Grows the length by n bytes and points *p at them, for a caller that
 * writes in place (e.g. an encoder); the bytes are uninitialised. Returns
 * WH_OK or WH_ETOOBIG (contents freed). */
int wh_buf_extend(struct wh_buf *b, size_t n, char **p);

/* Cuts the length back to len (<= the current length). */
void wh_buf_truncate(struct wh_buf *b, size_t len);

/* Returns the contents (never NULL: "" when empty); borrowed. */
const char *wh_buf_str(const struct wh_buf *b);
size_t wh_buf_len(const struct wh_buf *b);

/* Moves the contents to the caller (free() it) and leaves b empty. Never
 * returns NULL; *lenp, if given, receives the length. */
char *wh_buf_take(struct wh_buf *b, size_t *lenp);

#endif
