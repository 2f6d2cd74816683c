/* SPDX-License-Identifier: Apache-2.0
 *
 * test_str.c - util/str: wh_parse_u64 bounds, garbage and overflow,
 * wh_strlcpy truncation, wh_ct_equal, wh_csv_contains, wh_str_has_prefix
 * and wh_hash.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "util/str.h"

#include "banned.h"

#define SENTINEL 0xdeadbeefULL

static void test_parse_u64_plain(void)
{
    uint64_t v = SENTINEL;

    CHECK_OK(wh_parse_u64("0", 0, 100, &v));
    CHECK_EQ(v, 0);
    CHECK_OK(wh_parse_u64("42", 0, 100, &v));
    CHECK_EQ(v, 42);
    CHECK_OK(wh_parse_u64("86400", 600, 86400, &v));
    CHECK_EQ(v, 86400);
}

static void test_parse_u64_bounds_inclusive(void)
{
    uint64_t v = SENTINEL;

    CHECK_OK(wh_parse_u64("10", 10, 20, &v));
    CHECK_EQ(v, 10);
    CHECK_OK(wh_parse_u64("20", 10, 20, &v));
    CHECK_EQ(v, 20);
}

static void test_parse_u64_out_of_range(void)
{
    uint64_t v = SENTINEL;

    CHECK_RC(wh_parse_u64("9", 10, 20, &v), WH_ETOOBIG);
    CHECK_RC(wh_parse_u64("21", 10, 20, &v), WH_ETOOBIG);
    CHECK_RC(wh_parse_u64("599", 600, 86400, &v), WH_ETOOBIG);
    CHECK_RC(wh_parse_u64("86401", 600, 86400, &v), WH_ETOOBIG);
    CHECK_EQ(v, SENTINEL);
}

static void test_parse_u64_max_value(void)
{
    uint64_t v = SENTINEL;

    CHECK_OK(wh_parse_u64("18446744073709551615", 0, UINT64_MAX, &v));
    CHECK(v == UINT64_MAX);
}

static void test_parse_u64_overflow(void)
{
    uint64_t v = SENTINEL;

    CHECK_RC(wh_parse_u64("18446744073709551616", 0, UINT64_MAX, &v), WH_ETOOBIG);
    CHECK_RC(wh_parse_u64("18446744073709551620", 0, UINT64_MAX, &v), WH_ETOOBIG);
    CHECK_RC(wh_parse_u64("99999999999999999999999", 0, UINT64_MAX, &v), WH_ETOOBIG);
    CHECK_EQ(v, SENTINEL);
}

static void test_parse_u64_garbage(void)
{
    static const char *const bad[] = { "",  "-1",   "+1",  " 1",  "1 ",    "1a",
                                       "a", "0x10", "1.5", "1e3", "1,000", "\t7" };
    uint64_t v = SENTINEL;
    size_t i;

    for (i = 0; i < WH_NELEM(bad); i++) {
        if (wh_parse_u64(bad[i], 0, UINT64_MAX, &v) != WH_EPARSE)
            CHECK_FAIL_("wh_parse_u64(\"%s\") is not WH_EPARSE", bad[i]);
    }
    CHECK_RC(wh_parse_u64(NULL, 0, UINT64_MAX, &v), WH_EPARSE);
    CHECK_EQ(v, SENTINEL);
}

static void test_strlcpy_fits(void)
{
    char dst[8];

    CHECK_EQ(wh_strlcpy(dst, "abc", sizeof(dst)), 3);
    CHECK_STR_EQ(dst, "abc");
    CHECK_EQ(wh_strlcpy(dst, "", sizeof(dst)), 0);
    CHECK_STR_EQ(dst, "");
}

static void test_strlcpy_exact_fit(void)
{
    char dst[4];

    CHECK_EQ(wh_strlcpy(dst, "abc", sizeof(dst)), 3);
    CHECK_STR_EQ(dst, "abc");
}

static void test_strlcpy_truncates(void)
{
    char dst[8] = "XXXXXXX";

    /* Size 4 of an 8-byte array: bytes past the size stay untouched. */
    CHECK_EQ(wh_strlcpy(dst, "abcd", 4), 4);
    CHECK_STR_EQ(dst, "abc");
    CHECK_EQ(dst[4], 'X');
    CHECK_EQ(wh_strlcpy(dst, "abcdefghij", 4), 10);
    CHECK_STR_EQ(dst, "abc");
}

static void test_strlcpy_size_one(void)
{
    char dst[2] = "Q";

    CHECK_EQ(wh_strlcpy(dst, "abc", 1), 3);
    CHECK_STR_EQ(dst, "");
}

static void test_ct_equal(void)
{
    CHECK(wh_ct_equal("secret", 6, "secret", 6));
    CHECK(!wh_ct_equal("secret", 6, "secreT", 6));
    CHECK(!wh_ct_equal("Secret", 6, "secret", 6));
    CHECK(!wh_ct_equal("secret", 6, "secret!", 7));
    CHECK(!wh_ct_equal("secret", 6, "secre", 5));
    CHECK(wh_ct_equal("", 0, "", 0));
    CHECK(wh_ct_equal("a\0b", 3, "a\0b", 3));
    CHECK(!wh_ct_equal("a\0b", 3, "a\0c", 3));
}

static bool csv(const char *list, const char *name)
{
    return wh_csv_contains(list, name, strlen(name));
}

static void test_csv_basic(void)
{
    CHECK(csv("a,b,c", "a"));
    CHECK(csv("a,b,c", "b"));
    CHECK(csv("a,b,c", "c"));
    CHECK(!csv("a,b,c", "d"));
    CHECK(csv("sidecar", "sidecar"));
}

static void test_csv_spaces_and_tabs_trimmed(void)
{
    CHECK(csv(" a , b ,c", "a"));
    CHECK(csv(" a , b ,c", "b"));
    CHECK(csv("a,\tistio-proxy\t,c", "istio-proxy"));
    CHECK(csv("a,   c   ", "c"));
    CHECK(!csv("a, b c ,d", "b"));
    CHECK(csv("a, b c ,d", "b c"));
}

static void test_csv_empty_entries(void)
{
    CHECK(csv("a,,b", "b"));
    CHECK(csv(",a,", "a"));
    CHECK(csv("a, ,b", "a"));
    CHECK(!csv("a,,b", ""));
    CHECK(!csv(",", ""));
    CHECK(!csv(" , ", ""));
    CHECK(!csv("", "a"));
    CHECK(!wh_csv_contains(NULL, "a", 1));
}

static void test_csv_prefix_is_not_a_match(void)
{
    CHECK(!csv("spark-driver,sidecar", "spark"));
    CHECK(!csv("spark", "spark-driver"));
    CHECK(!csv("sidecar2", "sidecar"));
    CHECK(!csv("xsidecar", "sidecar"));
    CHECK(!csv("side car", "sidecar"));
}

static void test_csv_uses_len_not_nul(void)
{
    /* name need not be NUL-terminated at len. */
    CHECK(wh_csv_contains("ab,c", "abc", 2));
    CHECK(!wh_csv_contains("abc", "abc", 2));
}

static void test_str_has_prefix(void)
{
    CHECK(wh_str_has_prefix("arn:aws:iam", "arn:"));
    CHECK(wh_str_has_prefix("arn:", "arn:"));
    CHECK(wh_str_has_prefix("anything", ""));
    CHECK(!wh_str_has_prefix("arn", "arn:"));
    CHECK(!wh_str_has_prefix("Arn:aws", "arn:"));
}

/* wh_hash reads exactly len bytes, and changing any one of them, or the
 * length (zero bytes included), changes the hash. */
static void test_hash_every_byte_counts(void)
{
    char s[41], t[41];
    size_t len, i;
    uint32_t h;

    CHECK_EQ(wh_hash("abcdefghij", 3), wh_hash("abcXYZ", 3));
    CHECK(wh_hash("", 0) != wh_hash("\0", 1));
    for (len = 1; len < 17; len++)
        CHECK(wh_hash("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", len) !=
              wh_hash("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", len - 1));
    for (len = 1; len < sizeof(s); len++) {
        for (i = 0; i < len; i++)
            s[i] = (char)('A' + (i * 7 + len) % 26);
        h = wh_hash(s, len);
        CHECK_EQ(wh_hash(s, len), h);
        for (i = 0; i < len; i++) {
            memcpy(t, s, len);
            t[i] ^= 1;
            CHECK(wh_hash(t, len) != h);
            t[i] ^= (char)0x81; /* the top bit */
            CHECK(wh_hash(t, len) != h);
        }
    }
}

/* The env-name filter takes three 9-bit fields of a hash (patches/pod.c):
 * over 4096 names like Spark's, each field spreads evenly over its 512
 * values (8 a value on average). */
static void test_hash_fields_spread(void)
{
    static unsigned count[3][512];
    char name[32];
    unsigned i, f, v, most, empty;

    for (i = 0; i < 4096; i++) {
        int n = snprintf(name, sizeof(name), "SPARK_JAVA_OPT_%u", i);
        uint32_t h = wh_hash(name, (size_t)n);

        for (f = 0; f < 3; f++, h >>= 9)
            count[f][h & 511]++;
    }
    for (f = 0; f < 3; f++) {
        most = empty = 0;
        for (v = 0; v < 512; v++) {
            most = count[f][v] > most ? count[f][v] : most;
            empty += count[f][v] == 0;
        }
        CHECK(most <= 24);
        CHECK(empty <= 3);
    }
}

static const struct check_test tests[] = {
    CHECK_TEST(test_parse_u64_plain),
    CHECK_TEST(test_parse_u64_bounds_inclusive),
    CHECK_TEST(test_parse_u64_out_of_range),
    CHECK_TEST(test_parse_u64_max_value),
    CHECK_TEST(test_parse_u64_overflow),
    CHECK_TEST(test_parse_u64_garbage),
    CHECK_TEST(test_strlcpy_fits),
    CHECK_TEST(test_strlcpy_exact_fit),
    CHECK_TEST(test_strlcpy_truncates),
    CHECK_TEST(test_strlcpy_size_one),
    CHECK_TEST(test_ct_equal),
    CHECK_TEST(test_csv_basic),
    CHECK_TEST(test_csv_spaces_and_tabs_trimmed),
    CHECK_TEST(test_csv_empty_entries),
    CHECK_TEST(test_csv_prefix_is_not_a_match),
    CHECK_TEST(test_csv_uses_len_not_nul),
    CHECK_TEST(test_str_has_prefix),
    CHECK_TEST(test_hash_every_byte_counts),
    CHECK_TEST(test_hash_fields_spread),
};

CHECK_MAIN(tests)
