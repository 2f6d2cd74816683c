/* SPDX-License-Identifier: Apache-2.0
 *
 * warnings.c - bounded list of user-facing warnings; see warnings.h.
 */
#include "warnings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#include "banned.h"

#define PREFIX "sparkhook: "

void wh_warnings_init(struct wh_warnings *w)
{
    memset(w, 0, sizeof(*w));
}

void wh_warnings_cleanup(struct wh_warnings *w)
{
    size_t i;

    for (i = 0; i < w->n; i++)
        free(w->msg[i]);
    wh_warnings_init(w);
}

void wh_warn(struct wh_warnings *w, const char *fmt, ...)
{
    char text[WH_WARNING_MAX_LEN + 1];
    size_t plen = sizeof(PREFIX) - 1;
    va_list ap;
    size_t i;
    int n;

    memcpy(text, PREFIX, plen);
    va_start(ap, fmt);
    n = vsnprintf(text + plen, sizeof(text) - plen, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(text) - plen) /* mark the cut */
        memcpy(text + sizeof(text) - 4, "...", 4);
    for (i = 0; i < w->n; i++) {
        if (strcmp(w->msg[i], text) == 0)
            return;
    }
    /* The last slot is kept for the responder's "N more" note. */
    if (w->n >= WH_WARNINGS_MAX - 1) {
        w->dropped++;
        return;
    }
    w->msg[w->n++] = wh_xstrdup(text);
}
