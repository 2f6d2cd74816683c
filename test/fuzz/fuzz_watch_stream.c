/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_watch_stream.c - the watch-stream line framer (wh_lines_feed) and the
 * watch event parser behind it (wh_reflector_event).
 *
 * Input layout: byte 0 picks the line cap (64 << (b % 8), 64 B .. 8 KiB) and
 * the object kind (bit 3); byte 1 is the number k (0..15) of chunk-size
 * bytes that follow; the rest is the stream. The stream is fed twice: whole,
 * and cut into chunks whose sizes cycle through the k bytes (0 feeds an empty
 * chunk). Invariants:
 *   - both feeds deliver the same lines in the same order, and agree on the
 *     dropped count and on whether a partial line is pending;
 *   - they match an independent oracle: the newline-separated pieces of the
 *     stream, blank pieces skipped, pieces longer than the cap dropped (and
 *     counted), the unterminated tail pending;
 *   - no delivered line is empty, longer than the cap or holds a newline;
 *   - wh_reflector_event on each line returns one of its documented codes,
 *     keeps the resourceVersion NUL-terminated within its buffer, and a
 *     change it reports is well-formed (an upsert of the asked kind with a
 *     name, or a delete of that kind whose key fits its buffers).
 */
#include <string.h>

#include "cache.h"
#include "fuzz.h"
#include "reflector.h"
#include "snapshot.h"
#include "util/buf.h"
#include "util/lines.h"

#include "banned.h"

#define MAX_CHUNK_SIZES 15
#define RV_SIZE         64

/* Every delivered line, each as a size_t length then its bytes. */
struct record {
    struct wh_buf log;
    size_t lines;
    size_t cap;
};

static void record(struct record *r, const char *line, size_t len)
{
    FUZZ_CHECK(wh_buf_add(&r->log, &len, sizeof(len)) == WH_OK &&
                   wh_buf_add(&r->log, line, len) == WH_OK,
               "record overflow");
    r->lines++;
}

static int on_line(void *arg, const char *line, size_t len)
{
    struct record *r = arg;

    FUZZ_CHECK(len > 0, "empty line delivered");
    FUZZ_CHECK(len <= r->cap, "line of %zu bytes passed the cap %zu", len, r->cap);
    FUZZ_CHECK(memchr(line, '\n', len) == NULL, "line holds a newline");
    FUZZ_CHECK(line[len] == '\0', "line not NUL-terminated");
    record(r, line, len);
    return 0;
}

struct outcome {
    struct record rec;
    size_t dropped;
    bool pending;
};

static void feed(const char *s, size_t len, size_t cap, const uint8_t *sizes, size_t nsizes,
                 struct outcome *o)
{
    struct wh_lines l;
    size_t off = 0, i = 0, zeros = 0;

    wh_lines_init(&l, cap);
    wh_buf_init(&o->rec.log, 5 * len + 64); /* a 1-byte line costs 9 */
    o->rec.lines = 0;
    o->rec.cap = cap;
    while (off < len) {
        size_t n = nsizes ? sizes[i++ % nsizes] : len - off;

        if (n == 0 && ++zeros > nsizes)
            n = 1; /* every size is zero: still make progress */
        if (n)
            zeros = 0;
        if (n > len - off)
            n = len - off;
        FUZZ_CHECK(wh_lines_feed(&l, s + off, n, on_line, &o->rec) == 0, "feed stopped");
        off += n;
    }
    o->dropped = l.dropped;
    o->pending = wh_lines_pending(&l);
    wh_lines_cleanup(&l);
}

/* The oracle: what a correct framer delivers for the whole stream. */
static void expect(const char *s, size_t len, size_t cap, struct outcome *o)
{
    size_t start = 0, i;

    wh_buf_init(&o->rec.log, 5 * len + 64); /* a 1-byte line costs 9 */
    o->rec.lines = 0;
    o->rec.cap = cap;
    o->dropped = 0;
    for (i = 0; i < len; i++) {
        size_t n = i - start;

        if (s[i] != '\n')
            continue;
        if (n > cap)
            o->dropped++;
        else if (n > 0)
            record(&o->rec, s + start, n);
        start = i + 1;
    }
    o->pending = start < len;
    if (len - start > cap)
        o->dropped++;
}

static void check_event(enum wh_kind kind, const char *line, size_t len)
{
    struct wh_cache_change change;
    struct wh_err err;
    char rv[RV_SIZE] = "";
    char *copy = fuzz_text((const uint8_t *)line, len);
    int has = -1;
    int rc;

    memset(&change, 0, sizeof(change));
    memset(&err, 0, sizeof(err));
    rc = wh_reflector_event(kind, copy, len, rv, sizeof(rv), &change, &has, &err);
    FUZZ_CHECK(rc == WH_OK || rc == WH_EINVAL || rc == WH_ENOTFOUND || rc == WH_EPARSE,
               "unexpected rc %d", rc);
    FUZZ_CHECK(has == 0 || has == 1, "has_change not set");
    FUZZ_CHECK(memchr(rv, '\0', sizeof(rv)) != NULL, "rv not terminated");
    FUZZ_CHECK(rc == WH_OK || !has, "a change with rc=%d", rc);
    if (rc == WH_EPARSE)
        FUZZ_CHECK(err.msg[0] != '\0', "WH_EPARSE without a message");
    if (has && change.put) {
        FUZZ_CHECK(change.put->kind == kind, "upsert of another kind");
        FUZZ_CHECK(change.put->name[0] != '\0' && strlen(change.put->name) <= WH_NAME_MAX,
                   "upsert without a usable name");
        FUZZ_CHECK(kind == WH_KIND_NAMESPACE ? change.put->ns[0] == '\0'
                                             : change.put->ns[0] != '\0',
                   "upsert namespace does not fit its kind");
    } else if (has) {
        /* An empty name is accepted (a delete of nothing, harmless). */
        FUZZ_CHECK(memchr(change.name, '\0', sizeof(change.name)) != NULL &&
                       memchr(change.ns, '\0', sizeof(change.ns)) != NULL,
                   "delete key not terminated");
        FUZZ_CHECK(change.kind == kind, "delete of another kind");
    }
    if (!has)
        FUZZ_CHECK(change.put == NULL, "object left behind without a change");
    wh_kobj_unref(change.put);
    free(copy);
}

static void same(const struct outcome *a, const struct outcome *b, const char *what)
{
    FUZZ_CHECK(a->rec.lines == b->rec.lines, "%s: %zu lines vs %zu", what, a->rec.lines,
               b->rec.lines);
    FUZZ_CHECK(a->rec.log.len == b->rec.log.len &&
                   memcmp(wh_buf_str(&a->rec.log), wh_buf_str(&b->rec.log), a->rec.log.len) == 0,
               "%s: different lines", what);
    FUZZ_CHECK(a->dropped == b->dropped, "%s: dropped %zu vs %zu", what, a->dropped, b->dropped);
    FUZZ_CHECK(a->pending == b->pending, "%s: pending %d vs %d", what, a->pending, b->pending);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct outcome whole, chunked, oracle;
    enum wh_kind kind;
    const uint8_t *sizes;
    size_t cap, nsizes, off;
    char *stream;

    fuzz_init();
    if (size < 2)
        return 0;
    cap = (size_t)64 << (data[0] % 8);
    kind = (data[0] & 8) ? WH_KIND_SERVICEACCOUNT : WH_KIND_NAMESPACE;
    nsizes = data[1] % (MAX_CHUNK_SIZES + 1);
    if (2 + nsizes > size)
        return 0;
    sizes = data + 2;
    off = 2 + nsizes;
    stream = fuzz_text(data + off, size - off);

    feed(stream, size - off, cap, NULL, 0, &whole);
    feed(stream, size - off, cap, sizes, nsizes, &chunked);
    expect(stream, size - off, cap, &oracle);
    same(&whole, &chunked, "whole vs chunked");
    same(&whole, &oracle, "framer vs oracle");

    /* Every delivered line through the event parser. */
    for (off = 0; off < whole.rec.log.len;) {
        size_t len;

        memcpy(&len, whole.rec.log.data + off, sizeof(len));
        off += sizeof(len);
        check_event(kind, whole.rec.log.data + off, len);
        off += len;
    }
    wh_buf_cleanup(&whole.rec.log);
    wh_buf_cleanup(&chunked.rec.log);
    wh_buf_cleanup(&oracle.rec.log);
    free(stream);
    return 0;
}
