/* SPDX-License-Identifier: Apache-2.0
 *
 * lines.c - newline framing with a line cap; see lines.h.
 */
#include "util/lines.h"

#include <string.h>

#include "wh.h"

#include "banned.h"

void wh_lines_init(struct wh_lines *l, size_t max_line)
{
    wh_buf_init(&l->buf, max_line);
    l->skipping = false;
    l->dropped = 0;
}

void wh_lines_cleanup(struct wh_lines *l)
{
    wh_buf_cleanup(&l->buf);
    l->skipping = false;
}

bool wh_lines_pending(const struct wh_lines *l)
{
    return l->buf.len > 0 || l->skipping;
}

/* Adds a piece of the current line; past the cap switches to skipping. */
static void take(struct wh_lines *l, const char *p, size_t n)
{
    if (l->skipping || n == 0)
        return;
    if (wh_buf_add(&l->buf, p, n) != WH_OK) { /* the buffer freed itself */
        l->skipping = true;
        l->dropped++;
    }
}

int wh_lines_feed(struct wh_lines *l, const char *data, size_t len, wh_line_fn *fn, void *arg)
{
    const char *end = data + len;
    const char *p = data;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        int rc;

        if (nl == NULL) {
            take(l, p, (size_t)(end - p));
            break;
        }
        take(l, p, (size_t)(nl - p));
        p = nl + 1;
        if (l->skipping) {
            l->skipping = false;
            continue;
        }
        if (l->buf.len == 0)
            continue; /* blank line */
        rc = fn(arg, wh_buf_str(&l->buf), l->buf.len);
        wh_buf_reset(&l->buf);
        if (rc != 0)
            return rc;
    }
    return 0;
}
