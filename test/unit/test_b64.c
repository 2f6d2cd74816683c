/* SPDX-License-Identifier: Apache-2.0
 *
 * test_b64.c - util/b64: the RFC 4648 section 10 vectors both ways, a binary
 * round trip, appending to existing contents, bad input, and the output cap
 * on both sides.
 */
#include "check.h"
#include "util/b64.h"

#include "banned.h"

static const struct {
    const char *plain;
    const char *enc;
} rfc4648[] = {
    { "", "" },
    { "f", "Zg==" },
    { "fo", "Zm8=" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" },
    { "fooba", "Zm9vYmE=" },
    { "foobar", "Zm9vYmFy" },
};

static void test_encode_rfc4648_vectors(void)
{
    size_t i;

    for (i = 0; i < WH_NELEM(rfc4648); i++) {
        struct wh_buf b;

        wh_buf_init(&b, 64);
        CHECK_OK(wh_b64_encode(rfc4648[i].plain, strlen(rfc4648[i].plain), &b));
        CHECK_STR_EQ(wh_buf_str(&b), rfc4648[i].enc);
        CHECK_EQ(wh_buf_len(&b), strlen(rfc4648[i].enc));
        wh_buf_cleanup(&b);
    }
}

static void test_decode_rfc4648_vectors(void)
{
    size_t i;

    for (i = 0; i < WH_NELEM(rfc4648); i++) {
        struct wh_buf b;

        wh_buf_init(&b, 64);
        CHECK_OK(wh_b64_decode(rfc4648[i].enc, strlen(rfc4648[i].enc), &b));
        CHECK_STR_EQ(wh_buf_str(&b), rfc4648[i].plain);
        CHECK_EQ(wh_buf_len(&b), strlen(rfc4648[i].plain));
        wh_buf_cleanup(&b);
    }
}

/* Every byte value and every length 0..300 (all three padding cases). */
static void test_round_trip_binary(void)
{
    unsigned char data[300];
    size_t n, i;

    for (i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7 + 3);
    for (n = 0; n <= sizeof(data); n++) {
        struct wh_buf enc, dec;

        wh_buf_init(&enc, 1024);
        wh_buf_init(&dec, 1024);
        CHECK_OK(wh_b64_encode(data, n, &enc));
        CHECK_EQ(wh_buf_len(&enc), (n + 2) / 3 * 4);
        CHECK_OK(wh_b64_decode(wh_buf_str(&enc), wh_buf_len(&enc), &dec));
        CHECK_EQ(wh_buf_len(&dec), n);
        CHECK(memcmp(wh_buf_str(&dec), data, n) == 0);
        wh_buf_cleanup(&enc);
        wh_buf_cleanup(&dec);
    }
}

static void test_encode_appends(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 64);
    CHECK_OK(wh_buf_adds(&b, "patch:"));
    CHECK_OK(wh_b64_encode("foobar", 6, &b));
    CHECK_STR_EQ(wh_buf_str(&b), "patch:Zm9vYmFy");
    wh_buf_cleanup(&b);
}

static void test_decode_appends(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 64);
    CHECK_OK(wh_buf_adds(&b, "x:"));
    CHECK_OK(wh_b64_decode("Zm9vYg==", 8, &b));
    CHECK_STR_EQ(wh_buf_str(&b), "x:foob");
    CHECK_EQ(wh_buf_len(&b), 6);
    wh_buf_cleanup(&b);
}

static void test_decode_bad_length(void)
{
    static const char *const bad[] = { "Z", "Zg", "Zg=", "Zm9vY", "Zm9vYmFy=" };
    size_t i;

    for (i = 0; i < WH_NELEM(bad); i++) {
        struct wh_buf b;

        wh_buf_init(&b, 64);
        if (wh_b64_decode(bad[i], strlen(bad[i]), &b) != WH_EPARSE)
            CHECK_FAIL_("wh_b64_decode(\"%s\") is not WH_EPARSE", bad[i]);
        wh_buf_cleanup(&b);
    }
}

static void test_decode_bad_characters(void)
{
    static const char *const bad[] = { "Zm9v!A==", "Zm9\x01", "Zm-v", "Zm_v", "Zm9v\n===" };
    size_t i;

    for (i = 0; i < WH_NELEM(bad); i++) {
        struct wh_buf b;

        wh_buf_init(&b, 64);
        CHECK_OK(wh_buf_adds(&b, "keep"));
        if (wh_b64_decode(bad[i], strlen(bad[i]), &b) != WH_EPARSE)
            CHECK_FAIL_("wh_b64_decode(\"%s\") is not WH_EPARSE", bad[i]);
        /* The bytes before the call are left as they were. */
        CHECK_STR_EQ(wh_buf_str(&b), "keep");
        wh_buf_cleanup(&b);
    }
}

/* '=' is padding only at the very end of the text. */
static void test_decode_misplaced_padding(void)
{
    static const char *const bad[] = { "Zm=v", "Zg==Zg==", "====", "=Zm9" };
    size_t i;

    for (i = 0; i < WH_NELEM(bad); i++) {
        struct wh_buf b;

        size_t len;
        int rc;

        wh_buf_init(&b, 64);
        rc = wh_b64_decode(bad[i], strlen(bad[i]), &b);
        len = wh_buf_len(&b);
        wh_buf_cleanup(&b);
        if (rc != WH_EPARSE)
            CHECK_FAIL_("wh_b64_decode(\"%s\") is %s, not WH_EPARSE (decoded %zu bytes)", bad[i],
                        wh_rcname(rc), len);
    }
}

static void test_encode_cap_exact(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 8);
    CHECK_OK(wh_b64_encode("foobar", 6, &b));
    CHECK_STR_EQ(wh_buf_str(&b), "Zm9vYmFy");
    wh_buf_cleanup(&b);
}

static void test_encode_cap_minus_one(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 7);
    CHECK_RC(wh_b64_encode("foobar", 6, &b), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
}

static void test_encode_cap_counts_existing(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 9);
    CHECK_OK(wh_buf_adds(&b, "ab"));
    CHECK_RC(wh_b64_encode("foobar", 6, &b), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

static void test_decode_cap_exact_unpadded(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 6);
    CHECK_OK(wh_b64_decode("Zm9vYmFy", 8, &b));
    CHECK_STR_EQ(wh_buf_str(&b), "foobar");
    wh_buf_cleanup(&b);
}

static void test_decode_cap_minus_one(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 5);
    CHECK_RC(wh_b64_decode("Zm9vYmFy", 8, &b), WH_ETOOBIG);
    wh_buf_cleanup(&b);
}

/* The cap applies to the decoded bytes: "Zg==" is one byte, "Zm9vYg==" four. */
static void test_decode_cap_exact_padded(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 1);
    CHECK_OK(wh_b64_decode("Zg==", 4, &b));
    CHECK_STR_EQ(wh_buf_str(&b), "f");
    wh_buf_cleanup(&b);
    wh_buf_init(&b, 4);
    CHECK_OK(wh_b64_decode("Zm9vYg==", 8, &b));
    CHECK_STR_EQ(wh_buf_str(&b), "foob");
    wh_buf_cleanup(&b);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_encode_rfc4648_vectors),
    CHECK_TEST(test_decode_rfc4648_vectors),
    CHECK_TEST(test_round_trip_binary),
    CHECK_TEST(test_encode_appends),
    CHECK_TEST(test_decode_appends),
    CHECK_TEST(test_decode_bad_length),
    CHECK_TEST(test_decode_bad_characters),
    CHECK_TEST(test_decode_misplaced_padding),
    CHECK_TEST(test_encode_cap_exact),
    CHECK_TEST(test_encode_cap_minus_one),
    CHECK_TEST(test_encode_cap_counts_existing),
    CHECK_TEST(test_decode_cap_exact_unpadded),
    CHECK_TEST(test_decode_cap_minus_one),
    CHECK_TEST(test_decode_cap_exact_padded),
};

CHECK_MAIN(tests)
