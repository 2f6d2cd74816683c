/* SPDX-License-Identifier: Apache-2.0
 *
 * lines.h - splits a byte stream that arrives in arbitrary chunks into
 * newline-terminated lines (a Kubernetes watch stream is one JSON event per
 * line). A line longer than the cap is dropped whole, up to its newline, and
 * counted, so one oversized event cannot make the reader allocate without
 * bound or lose its place in the stream.
 *
 * The framer owns its buffer; lines passed to the callback are borrowed for
 * the call only, NUL-terminated, without the newline. Not thread-safe.
 */
#ifndef WH_LINES_H
#define WH_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Called once per complete line. A non-zero return stops the feed and is
 * returned by wh_lines_feed. */
typedef int wh_line_fn(void *arg, const char *line, size_t len);

struct wh_lines {
    struct wh_buf buf; /* the incomplete last line */
    bool skipping;     /* inside a line that passed the cap */
    size_t dropped;    /* lines dropped for length */
};

void wh_lines_init(struct wh_lines *l, size_t max_line);
void wh_lines_cleanup(struct wh_lines *l);

/* Feeds len bytes. Returns 0, or the first non-zero callback result. */
int wh_lines_feed(struct wh_lines *l, const char *data, size_t len, wh_line_fn *fn, void *arg);

/* True when bytes of an unfinished line are pending (a stream that ends here
 * was cut mid-event). */
bool wh_lines_pending(const struct wh_lines *l);

#endif
