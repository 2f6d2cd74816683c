/* SPDX-License-Identifier: Apache-2.0
 *
 * test_lines.c - the watch-stream framer: any chunking yields the same lines,
 * over-long lines are dropped whole, a cut final line is reported pending.
 */
#include "check.h"
#include "util/lines.h"

struct seen {
    char text[4096];
    size_t n;
};

static int collect(void *arg, const char *line, size_t len)
{
    struct seen *s = arg;
    size_t at = strlen(s->text);

    if (at + len + 2 < sizeof(s->text)) {
        memcpy(s->text + at, line, len);
        s->text[at + len] = '|';
        s->text[at + len + 1] = '\0';
    }
    s->n++;
    return 0;
}

static void feed_in_chunks(const char *stream, size_t chunk, size_t cap, struct seen *s,
                           struct wh_lines *l)
{
    size_t len = strlen(stream), i;

    memset(s, 0, sizeof(*s));
    wh_lines_init(l, cap);
    for (i = 0; i < len; i += chunk) {
        size_t n = len - i < chunk ? len - i : chunk;

        CHECK_EQ(wh_lines_feed(l, stream + i, n, collect, s), 0);
    }
}

static void test_any_chunking_same_lines(void)
{
    const char *stream = "{\"a\":1}\n{\"b\":22}\n\n{\"c\":333}\n";
    struct wh_lines l;
    struct seen s;
    size_t chunk;

    for (chunk = 1; chunk <= strlen(stream); chunk++) {
        feed_in_chunks(stream, chunk, 64, &s, &l);
        CHECK_STR_EQ(s.text, "{\"a\":1}|{\"b\":22}|{\"c\":333}|");
        CHECK_EQ(s.n, 3);
        CHECK(!wh_lines_pending(&l));
        wh_lines_cleanup(&l);
    }
}

static void test_long_line_dropped_whole(void)
{
    /* The cap is 8: "12345678" fits exactly, "123456789" does not. */
    const char *stream = "12345678\n123456789\nok\n";
    struct wh_lines l;
    struct seen s;
    size_t chunk;

    for (chunk = 1; chunk <= 5; chunk++) {
        feed_in_chunks(stream, chunk, 8, &s, &l);
        CHECK_STR_EQ(s.text, "12345678|ok|");
        CHECK_EQ(l.dropped, 1);
        wh_lines_cleanup(&l);
    }
}

static void test_cut_line_pending(void)
{
    struct wh_lines l;
    struct seen s;

    feed_in_chunks("{\"a\":1}\n{\"b\":", 3, 64, &s, &l);
    CHECK_EQ(s.n, 1);
    CHECK(wh_lines_pending(&l));
    wh_lines_cleanup(&l);
}

static int stop_at_second(void *arg, const char *line, size_t len)
{
    int *calls = arg;

    (void)line;
    (void)len;
    return ++*calls == 2 ? 7 : 0;
}

static void test_callback_stops_feed(void)
{
    struct wh_lines l;
    int calls = 0;

    wh_lines_init(&l, 64);
    CHECK_EQ(wh_lines_feed(&l, "a\nb\nc\n", 6, stop_at_second, &calls), 7);
    CHECK_EQ(calls, 2);
    wh_lines_cleanup(&l);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_any_chunking_same_lines),
    CHECK_TEST(test_long_line_dropped_whole),
    CHECK_TEST(test_cut_line_pending),
    CHECK_TEST(test_callback_stops_feed),
};

CHECK_MAIN(tests)
