/* SPDX-License-Identifier: Apache-2.0
 *
 * test_warnings.c - patches/warnings: the "sparkhook: " prefix, duplicates
 * dropped, the length cap on both sides, the count cap with its dropped
 * counter, and an idempotent cleanup.
 */
#include "check.h"
#include "warnings.h"

#include "banned.h"

#define PREFIX "sparkhook: "

static void test_prefix_and_format(void)
{
    struct wh_warnings w;

    wh_warnings_init(&w);
    wh_warn(&w, "container %s: %d", "main", 42);
    CHECK_EQ(w.n, 1);
    CHECK_STR_EQ(w.msg[0], PREFIX "container main: 42");
    CHECK_EQ(w.dropped, 0);
    wh_warnings_cleanup(&w);
}

static void test_duplicates_dropped(void)
{
    struct wh_warnings w;

    wh_warnings_init(&w);
    wh_warn(&w, "a");
    wh_warn(&w, "b");
    wh_warn(&w, "a");
    CHECK_EQ(w.n, 2);
    CHECK_STR_EQ(w.msg[1], PREFIX "b");
    CHECK_EQ(w.dropped, 0); /* a duplicate is not a dropped warning */
    wh_warnings_cleanup(&w);
}

/* A warning whose text after the prefix is n characters long. */
static void warn_len(struct wh_warnings *w, size_t n)
{
    char text[WH_WARNING_MAX_LEN * 2];

    memset(text, 'x', n);
    text[n] = '\0';
    wh_warn(w, "%s", text);
}

static void test_length_cap(void)
{
    size_t room = WH_WARNING_MAX_LEN - (sizeof(PREFIX) - 1);
    struct wh_warnings w;

    wh_warnings_init(&w);
    warn_len(&w, room);
    CHECK_EQ(strlen(w.msg[0]), WH_WARNING_MAX_LEN);
    CHECK_EQ(w.msg[0][WH_WARNING_MAX_LEN - 1], 'x'); /* fits: not cut */
    warn_len(&w, room + 1);
    CHECK_EQ(w.n, 2);
    CHECK_EQ(strlen(w.msg[1]), WH_WARNING_MAX_LEN);
    CHECK(strcmp(w.msg[1] + WH_WARNING_MAX_LEN - 3, "...") == 0);
    wh_warnings_cleanup(&w);
}

static void test_count_cap(void)
{
    struct wh_warnings w;
    char last[32];
    int i;

    (void)snprintf(last, sizeof(last), PREFIX "w%d", WH_WARNINGS_MAX - 2);
    wh_warnings_init(&w);
    for (i = 0; i < WH_WARNINGS_MAX - 1; i++)
        wh_warn(&w, "w%d", i);
    CHECK_EQ(w.n, WH_WARNINGS_MAX - 1);
    CHECK_EQ(w.dropped, 0);
    wh_warn(&w, "one more");
    wh_warn(&w, "and another");
    CHECK_EQ(w.n, WH_WARNINGS_MAX - 1); /* the last slot is the responder's */
    CHECK_EQ(w.dropped, 2);
    CHECK_STR_EQ(w.msg[WH_WARNINGS_MAX - 2], last);
    wh_warnings_cleanup(&w);
}

static void test_cleanup_idempotent(void)
{
    struct wh_warnings w;

    wh_warnings_init(&w);
    wh_warn(&w, "x");
    wh_warnings_cleanup(&w);
    CHECK_EQ(w.n, 0);
    wh_warnings_cleanup(&w);
    wh_warn(&w, "x");
    CHECK_EQ(w.n, 1);
    wh_warnings_cleanup(&w);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_prefix_and_format),  CHECK_TEST(test_duplicates_dropped),
    CHECK_TEST(test_length_cap),         CHECK_TEST(test_count_cap),
    CHECK_TEST(test_cleanup_idempotent),
};

CHECK_MAIN(tests)
