/* SPDX-License-Identifier: Apache-2.0
 *
 * test_buf.c - util/buf: the cap (exactly at it, one past it, size_t
 * overflow), freeing on overflow, take(), printf, reserve/expect/extend,
 * truncate/reset and an idempotent cleanup that leaves the buffer reusable
 * with the same cap.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "util/buf.h"

#include "banned.h"

static void test_init_is_empty(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 16);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    wh_buf_cleanup(&b);
}

static void test_add_below_cap(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 16);
    CHECK_OK(wh_buf_add(&b, "abc", 3));
    CHECK_OK(wh_buf_adds(&b, "de"));
    CHECK_OK(wh_buf_addc(&b, 'f'));
    CHECK_EQ(wh_buf_len(&b), 6);
    CHECK_STR_EQ(wh_buf_str(&b), "abcdef");
    wh_buf_cleanup(&b);
}

static void test_add_exactly_at_cap(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 8);
    CHECK_OK(wh_buf_add(&b, "12345678", 8));
    CHECK_EQ(wh_buf_len(&b), 8);
    CHECK_STR_EQ(wh_buf_str(&b), "12345678");
    wh_buf_cleanup(&b);
}

static void test_add_cap_plus_one_fails_and_frees(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 8);
    CHECK_OK(wh_buf_adds(&b, "abc"));
    CHECK_RC(wh_buf_add(&b, "123456", 6), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    wh_buf_cleanup(&b);
}

static void test_add_in_pieces_up_to_cap(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 8);
    CHECK_OK(wh_buf_adds(&b, "12345"));
    CHECK_OK(wh_buf_adds(&b, "678"));
    CHECK_RC(wh_buf_addc(&b, '9'), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
}

static void test_cap_kept_after_overflow(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 4);
    CHECK_RC(wh_buf_adds(&b, "12345"), WH_ETOOBIG);
    CHECK_OK(wh_buf_adds(&b, "1234"));
    CHECK_STR_EQ(wh_buf_str(&b), "1234");
    CHECK_RC(wh_buf_addc(&b, '5'), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

static void test_cap_zero(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 0);
    CHECK_OK(wh_buf_add(&b, "", 0));
    CHECK_STR_EQ(wh_buf_str(&b), "");
    CHECK_RC(wh_buf_addc(&b, 'x'), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

static void test_size_overflow_is_toobig(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 16);
    CHECK_OK(wh_buf_adds(&b, "ab"));
    /* len + SIZE_MAX wraps around to 1, under the cap: must still be refused
     * before any copy. */
    CHECK_RC(wh_buf_add(&b, "x", SIZE_MAX), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
}

static void test_binary_bytes_and_nul_terminated(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 16);
    CHECK_OK(wh_buf_add(&b, "a\0b", 3));
    CHECK_EQ(wh_buf_len(&b), 3);
    CHECK(memcmp(wh_buf_str(&b), "a\0b", 4) == 0);
    wh_buf_cleanup(&b);
}

static void test_grows_across_many_appends(void)
{
    struct wh_buf b;
    size_t i;

    wh_buf_init(&b, 5000);
    for (i = 0; i < 5000; i++)
        CHECK_OK(wh_buf_addc(&b, (char)('a' + i % 26)));
    CHECK_EQ(wh_buf_len(&b), 5000);
    for (i = 0; i < 5000; i++)
        CHECK_EQ(wh_buf_str(&b)[i], 'a' + i % 26);
    CHECK_EQ(wh_buf_str(&b)[5000], '\0');
    CHECK_RC(wh_buf_addc(&b, 'x'), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

static void test_printf_formats_and_appends(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 64);
    CHECK_OK(wh_buf_adds(&b, "x="));
    CHECK_OK(wh_buf_printf(&b, "%d,%s,%zu", -7, "str", (size_t)42));
    CHECK_STR_EQ(wh_buf_str(&b), "x=-7,str,42");
    CHECK_EQ(wh_buf_len(&b), 11);
    wh_buf_cleanup(&b);
}

static void test_printf_exactly_at_cap(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 6);
    CHECK_OK(wh_buf_adds(&b, "ab"));
    CHECK_OK(wh_buf_printf(&b, "%04d", 12));
    CHECK_STR_EQ(wh_buf_str(&b), "ab0012");
    wh_buf_cleanup(&b);
}

static void test_printf_past_cap_fails_and_frees(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 6);
    CHECK_OK(wh_buf_adds(&b, "ab"));
    CHECK_RC(wh_buf_printf(&b, "%05d", 12), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    wh_buf_cleanup(&b);
}

static void test_printf_empty_result(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 4);
    CHECK_OK(wh_buf_printf(&b, "%s", ""));
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    wh_buf_cleanup(&b);
}

static void test_extend_gives_writable_room(void)
{
    struct wh_buf b;
    char *p = NULL;

    wh_buf_init(&b, 8);
    CHECK_OK(wh_buf_adds(&b, "ab"));
    CHECK_OK(wh_buf_extend(&b, 3, &p));
    CHECK(p != NULL);
    memcpy(p, "cde", 3);
    CHECK_EQ(wh_buf_len(&b), 5);
    CHECK_STR_EQ(wh_buf_str(&b), "abcde");
    wh_buf_cleanup(&b);
}

static void test_reserve_then_add_in_place(void)
{
    struct wh_buf b;
    const char *before;

    wh_buf_init(&b, 1000);
    CHECK_OK(wh_buf_reserve(&b, 600));
    CHECK_EQ(wh_buf_len(&b), 0);
    before = wh_buf_str(&b);
    CHECK_OK(wh_buf_add(&b, "0123456789", 10));
    CHECK(wh_buf_str(&b) == before); /* no reallocation: the room was there */
    CHECK_STR_EQ(wh_buf_str(&b), "0123456789");
    CHECK_RC(wh_buf_reserve(&b, 991), WH_ETOOBIG); /* 10 + 991 > cap: freed */
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
}

/* wh_buf_expect allocates once for what follows, keeps the contents, and
 * past the cap allocates up to it only, without failing or freeing. */
static void test_expect_then_add_in_place(void)
{
    struct wh_buf b;
    const char *before;
    size_t i;

    wh_buf_init(&b, 1000);
    CHECK_OK(wh_buf_add(&b, "ab", 2));
    wh_buf_expect(&b, 700);
    before = wh_buf_str(&b);
    CHECK_STR_EQ(before, "ab");
    for (i = 0; i < 70; i++)
        CHECK_OK(wh_buf_add(&b, "0123456789", 10));
    CHECK(wh_buf_str(&b) == before); /* 702 bytes, no reallocation */
    wh_buf_expect(&b, 5000);         /* past the cap: up to it */
    CHECK_EQ(wh_buf_len(&b), 702);
    before = wh_buf_str(&b);
    for (i = 0; i < 298; i++)
        CHECK_OK(wh_buf_addc(&b, 'x'));
    CHECK(wh_buf_str(&b) == before); /* 1000: the cap, no reallocation */
    CHECK_RC(wh_buf_addc(&b, 'y'), WH_ETOOBIG);
    wh_buf_expect(&b, 10); /* emptied by the overflow: room again */
    CHECK_OK(wh_buf_add(&b, "z", 1));
    CHECK_STR_EQ(wh_buf_str(&b), "z");
    wh_buf_cleanup(&b);
}

static void test_extend_exactly_at_cap(void)
{
    struct wh_buf b;
    char *p = NULL;

    wh_buf_init(&b, 4);
    CHECK_OK(wh_buf_extend(&b, 4, &p));
    memcpy(p, "wxyz", 4);
    CHECK_STR_EQ(wh_buf_str(&b), "wxyz");
    wh_buf_cleanup(&b);
}

static void test_extend_past_cap_fails_and_frees(void)
{
    struct wh_buf b;
    char *p = NULL;

    wh_buf_init(&b, 4);
    CHECK_OK(wh_buf_adds(&b, "a"));
    CHECK_RC(wh_buf_extend(&b, 4, &p), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
}

static void test_truncate(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 16);
    CHECK_OK(wh_buf_adds(&b, "abcdef"));
    wh_buf_truncate(&b, 3);
    CHECK_EQ(wh_buf_len(&b), 3);
    CHECK_STR_EQ(wh_buf_str(&b), "abc");
    wh_buf_truncate(&b, 3);
    CHECK_STR_EQ(wh_buf_str(&b), "abc");
    wh_buf_truncate(&b, 0);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    CHECK_OK(wh_buf_adds(&b, "z"));
    CHECK_STR_EQ(wh_buf_str(&b), "z");
    wh_buf_cleanup(&b);
}

static void test_truncate_frees_room_under_cap(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 4);
    CHECK_OK(wh_buf_adds(&b, "abcd"));
    wh_buf_truncate(&b, 1);
    CHECK_OK(wh_buf_adds(&b, "xyz"));
    CHECK_STR_EQ(wh_buf_str(&b), "axyz");
    wh_buf_cleanup(&b);
}

static void test_reset_empties_and_reuses(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 4);
    wh_buf_reset(&b); /* on a never-used buffer */
    CHECK_STR_EQ(wh_buf_str(&b), "");
    CHECK_OK(wh_buf_adds(&b, "abcd"));
    wh_buf_reset(&b);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    CHECK_OK(wh_buf_adds(&b, "wxyz"));
    CHECK_STR_EQ(wh_buf_str(&b), "wxyz");
    CHECK_RC(wh_buf_addc(&b, '!'), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

static void test_take_moves_contents(void)
{
    struct wh_buf b;
    size_t len = 0;
    char *s;

    wh_buf_init(&b, 16);
    CHECK_OK(wh_buf_adds(&b, "hello"));
    s = wh_buf_take(&b, &len);
    CHECK_STR_EQ(s, "hello");
    CHECK_EQ(len, 5);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    free(s);
    wh_buf_cleanup(&b);
}

static void test_take_empty_is_not_null(void)
{
    struct wh_buf b;
    size_t len = 99;
    char *s;

    wh_buf_init(&b, 16);
    s = wh_buf_take(&b, &len);
    CHECK(s != NULL);
    CHECK_STR_EQ(s, "");
    CHECK_EQ(len, 0);
    free(s);
    wh_buf_cleanup(&b);
}

static void test_take_without_len_and_reuse(void)
{
    struct wh_buf b;
    char *s;

    wh_buf_init(&b, 3);
    CHECK_OK(wh_buf_adds(&b, "abc"));
    s = wh_buf_take(&b, NULL);
    CHECK_STR_EQ(s, "abc");
    free(s);
    /* Same cap after take. */
    CHECK_OK(wh_buf_adds(&b, "xyz"));
    CHECK_STR_EQ(wh_buf_str(&b), "xyz");
    CHECK_RC(wh_buf_addc(&b, '!'), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

static void test_cleanup_idempotent_and_reusable(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 5);
    wh_buf_cleanup(&b); /* never used */
    CHECK_OK(wh_buf_adds(&b, "abc"));
    wh_buf_cleanup(&b);
    wh_buf_cleanup(&b);
    CHECK_EQ(wh_buf_len(&b), 0);
    CHECK_STR_EQ(wh_buf_str(&b), "");
    CHECK_OK(wh_buf_adds(&b, "12345"));
    CHECK_RC(wh_buf_addc(&b, '6'), WH_ETOOBIG);
    wh_buf_cleanup(&b);
    wh_buf_cleanup(&b);
}

/* An "unbounded" buffer: the cap + 1 used to clamp the allocation must not
 * wrap around to 0. */
static void test_cap_size_max(void)
{
    struct wh_buf b;

    wh_buf_init(&b, SIZE_MAX);
    CHECK_OK(wh_buf_adds(&b, "abcdefghijklmnopqrstuvwxyz"));
    CHECK_OK(wh_buf_adds(&b, "0123456789"));
    CHECK_STR_EQ(wh_buf_str(&b), "abcdefghijklmnopqrstuvwxyz0123456789");
    wh_buf_cleanup(&b);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_init_is_empty),
    CHECK_TEST(test_add_below_cap),
    CHECK_TEST(test_add_exactly_at_cap),
    CHECK_TEST(test_add_cap_plus_one_fails_and_frees),
    CHECK_TEST(test_add_in_pieces_up_to_cap),
    CHECK_TEST(test_cap_kept_after_overflow),
    CHECK_TEST(test_cap_zero),
    CHECK_TEST(test_size_overflow_is_toobig),
    CHECK_TEST(test_binary_bytes_and_nul_terminated),
    CHECK_TEST(test_grows_across_many_appends),
    CHECK_TEST(test_printf_formats_and_appends),
    CHECK_TEST(test_printf_exactly_at_cap),
    CHECK_TEST(test_printf_past_cap_fails_and_frees),
    CHECK_TEST(test_printf_empty_result),
    CHECK_TEST(test_extend_gives_writable_room),
    CHECK_TEST(test_reserve_then_add_in_place),
    CHECK_TEST(test_expect_then_add_in_place),
    CHECK_TEST(test_extend_exactly_at_cap),
    CHECK_TEST(test_extend_past_cap_fails_and_frees),
    CHECK_TEST(test_truncate),
    CHECK_TEST(test_truncate_frees_room_under_cap),
    CHECK_TEST(test_reset_empties_and_reuses),
    CHECK_TEST(test_take_moves_contents),
    CHECK_TEST(test_take_empty_is_not_null),
    CHECK_TEST(test_take_without_len_and_reuse),
    CHECK_TEST(test_cleanup_idempotent_and_reusable),
    /* Last: a failure here is a heap overflow that may end the binary. */
    CHECK_TEST(test_cap_size_max),
};

CHECK_MAIN(tests)
