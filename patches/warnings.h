/* SPDX-License-Identifier: Apache-2.0
 *
 * warnings.h - the messages returned to the user in response.warnings, which
 * kubectl prints as "Warning: ...". Each is prefixed "sparkhook: ", capped in
 * length, and the list is capped in count (the last slot then says how many
 * were dropped). Duplicates are dropped: the apiserver shows each once anyway.
 * The list owns its strings. Not thread-safe.
 */
#ifndef WH_WARNINGS_H
#define WH_WARNINGS_H

#include <stddef.h>

#include "wh.h"

#define WH_WARNINGS_MAX    16
#define WH_WARNING_MAX_LEN 240

struct wh_warnings {
    char *msg[WH_WARNINGS_MAX];
    size_t n;
    size_t dropped;
};

void wh_warnings_init(struct wh_warnings *w);
void wh_warnings_cleanup(struct wh_warnings *w);

/* Adds one formatted warning. Never fails: past the caps it truncates or
 * counts the warning as dropped. */
void wh_warn(struct wh_warnings *w, const char *fmt, ...) WH_PRINTF(2, 3);

#endif
