/* SPDX-License-Identifier: Apache-2.0
 *
 * test_json.c - util/json: wh_json_parse (nesting cap on both sides, NUL
 * bytes, trailing garbage, empty and truncated input), wh_json_want type
 * errors with their path, the typed getters, and wh_json_escape.
 */
#include "check.h"
#include "util/json.h"

#include "banned.h"

/* Parses a C string literal (sizeof - 1 keeps embedded NUL bytes). */
#define PARSE(lit, depth, out, err) wh_json_parse((lit), sizeof(lit) - 1, (depth), (out), (err))

static void test_parse_valid(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_OK(PARSE("{\"a\":[1,\"x\",true,null]}", 10, &root, &err));
    CHECK(cJSON_IsObject(root));
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(root, "a")), 4);
    cJSON_Delete(root);
}

static void test_parse_scalars_and_whitespace(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_OK(PARSE(" \n\t42 \r\n", 1, &root, &err));
    CHECK(cJSON_IsNumber(root));
    CHECK_EQ(root->valueint, 42);
    cJSON_Delete(root);
}

static void test_parse_depth_at_limit(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_OK(PARSE("[[[1]]]", 3, &root, &err));
    cJSON_Delete(root);
    CHECK_OK(PARSE("{\"a\":{\"b\":[1]}}", 3, &root, &err));
    cJSON_Delete(root);
    /* Siblings do not add up: depth is nesting, not count. */
    CHECK_OK(PARSE("[[1],[2],{\"a\":[3]}]", 3, &root, &err));
    cJSON_Delete(root);
}

static void test_parse_depth_past_limit(void)
{
    struct wh_err err = { 0 };
    cJSON sentinel;
    cJSON *root = &sentinel; /* must be reset to NULL */

    CHECK_RC(PARSE("[[[[1]]]]", 3, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
    CHECK_EQ(err.rc, WH_EPARSE);
    CHECK(strstr(err.msg, "nesting deeper than 3") != NULL);
    CHECK_RC(PARSE("{\"a\":{\"b\":[{}]}}", 3, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
}

static void test_parse_depth_deep_input(void)
{
    char text[2 * 5000 + 1];
    struct wh_err err = { 0 };
    cJSON *root = NULL;
    size_t i;

    for (i = 0; i < 5000; i++) {
        text[i] = '[';
        text[5000 + i] = ']';
    }
    text[10000] = '\0';
    CHECK_RC(wh_json_parse(text, 10000, 100, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "nesting") != NULL);
    CHECK(root == NULL);
}

static void test_parse_brackets_in_strings_do_not_nest(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_OK(PARSE("[\"[[[[{{{{\"]", 1, &root, &err));
    CHECK_STR_EQ(cJSON_GetArrayItem(root, 0)->valuestring, "[[[[{{{{");
    cJSON_Delete(root);
    /* An escaped quote does not end the string. */
    CHECK_OK(PARSE("[\"\\\"[[[[\"]", 1, &root, &err));
    cJSON_Delete(root);
    CHECK_OK(PARSE("[\"\\\\\",\"x\"]", 1, &root, &err));
    cJSON_Delete(root);
}

static void test_parse_nul_byte(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(PARSE("[1,\0 2]", 10, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "NUL byte at offset 3") != NULL);
    CHECK(root == NULL);
}

static void test_parse_nul_byte_in_string(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(PARSE("{\"a\":\"x\0y\"}", 10, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "NUL byte") != NULL);
    CHECK(root == NULL);
    /* Right after a backslash too: an escaped NUL is no escape. */
    CHECK_RC(PARSE("[\"a\\\0\"]", 10, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
}

static void test_parse_nul_byte_after_value(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    /* cJSON alone would stop at the NUL and accept "{}". */
    CHECK_RC(PARSE("{}\0{}", 10, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
    CHECK_RC(PARSE("{}\0", 10, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
}

static void test_parse_trailing_garbage(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(PARSE("{} x", 10, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "offset") != NULL);
    CHECK(root == NULL);
    CHECK_RC(PARSE("{}{}", 10, &root, &err), WH_EPARSE);
    CHECK_RC(PARSE("[1]]", 10, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
}

static void test_parse_empty(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(PARSE("", 10, &root, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "invalid JSON: empty body");
    CHECK(root == NULL);
    CHECK_RC(PARSE("   ", 10, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
}

static void test_parse_truncated(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(PARSE("{\"a\":", 10, &root, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "invalid JSON: unexpected end of input");
    CHECK(root == NULL);
    CHECK_RC(PARSE("[1,2", 10, &root, &err), WH_EPARSE);
    CHECK_RC(PARSE("\"abc", 10, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
}

static void test_parse_syntax_error_offset(void)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(PARSE("{\"a\" 1}", 10, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "syntax error at offset") != NULL);
    CHECK(root == NULL);
}

static void test_parse_null_err_allowed(void)
{
    cJSON *root = NULL;

    CHECK_RC(PARSE("{", 10, &root, NULL), WH_EPARSE);
    CHECK(root == NULL);
}

/* ---- wh_json_want ------------------------------------------------------ */

static cJSON *doc(const char *text)
{
    cJSON *root = cJSON_Parse(text);

    CHECK(root != NULL);
    return root;
}

static void test_want_present(void)
{
    cJSON *root = doc("{\"spec\":{\"containers\":[1],\"n\":3,\"s\":\"x\",\"b\":false}}");
    const cJSON *spec = cJSON_GetObjectItem(root, "spec");
    struct wh_err err = { 0 };
    const cJSON *out = NULL;

    CHECK_OK(wh_json_want(spec, "containers", WH_JSON_ARRAY, "object.spec", &out, &err));
    CHECK(out == cJSON_GetObjectItem(spec, "containers"));
    CHECK_OK(wh_json_want(spec, "n", WH_JSON_NUMBER, "object.spec", &out, &err));
    CHECK_EQ(out->valueint, 3);
    CHECK_OK(wh_json_want(spec, "s", WH_JSON_STRING, "object.spec", &out, &err));
    CHECK_STR_EQ(out->valuestring, "x");
    CHECK_OK(wh_json_want(spec, "b", WH_JSON_BOOL, "object.spec", &out, &err));
    CHECK(cJSON_IsFalse(out));
    CHECK_OK(wh_json_want(spec, "s", WH_JSON_STRING | WH_JSON_NUMBER, "object.spec", &out, &err));
    CHECK(out != NULL);
    cJSON_Delete(root);
}

static void test_want_absent_or_null(void)
{
    cJSON *root = doc("{\"a\":null}");
    struct wh_err err = { 0 };
    const cJSON *out = root;

    CHECK_OK(wh_json_want(root, "a", WH_JSON_ARRAY, "x", &out, &err));
    CHECK(out == NULL);
    out = root;
    CHECK_OK(wh_json_want(root, "missing", WH_JSON_ARRAY, "x", &out, &err));
    CHECK(out == NULL);
    out = root;
    CHECK_OK(wh_json_want(NULL, "a", WH_JSON_ARRAY, "x", &out, &err));
    CHECK(out == NULL);
    cJSON_Delete(root);
}

static void test_want_is_case_sensitive(void)
{
    cJSON *root = doc("{\"Containers\":5}");
    const cJSON *out = root;

    CHECK_OK(wh_json_want(root, "containers", WH_JSON_ARRAY, "spec", &out, NULL));
    CHECK(out == NULL);
    cJSON_Delete(root);
}

static void test_want_type_errors_name_path(void)
{
    cJSON *root = doc("{\"c\":{},\"e\":[],\"s\":\"x\",\"n\":1,\"t\":true}");
    struct wh_err err = { 0 };
    const cJSON *out = root;

    CHECK_RC(wh_json_want(root, "c", WH_JSON_ARRAY, "object.spec", &out, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "object.spec.c: expected array, got object");
    CHECK(out == NULL);
    CHECK_RC(wh_json_want(root, "e", WH_JSON_OBJECT, "meta", &out, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "meta.e: expected object, got array");
    CHECK_RC(wh_json_want(root, "n", WH_JSON_STRING, "r", &out, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "r.n: expected string, got number");
    CHECK_RC(wh_json_want(root, "s", WH_JSON_BOOL, "r", &out, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "r.s: expected boolean, got string");
    CHECK_RC(wh_json_want(root, "t", WH_JSON_NUMBER, "r", &out, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "r.t: expected number, got boolean");
    CHECK_EQ(err.rc, WH_EPARSE);
    cJSON_Delete(root);
}

static void test_get_typed(void)
{
    cJSON *root = doc("{\"s\":\"v\",\"n\":1,\"o\":{}}");

    CHECK(wh_json_get(root, "o", WH_JSON_OBJECT) == cJSON_GetObjectItem(root, "o"));
    CHECK(wh_json_get(root, "o", WH_JSON_ARRAY) == NULL);
    CHECK(wh_json_get(root, "missing", WH_JSON_OBJECT) == NULL);
    CHECK(wh_json_get(NULL, "o", WH_JSON_OBJECT) == NULL);
    CHECK(wh_json_get(cJSON_GetObjectItem(root, "n"), "o", WH_JSON_OBJECT) == NULL);
    CHECK_STR_EQ(wh_json_get_str(root, "s"), "v");
    CHECK(wh_json_get_str(root, "n") == NULL);
    CHECK(wh_json_get_str(root, "missing") == NULL);
    CHECK(wh_json_get_str(NULL, "s") == NULL);
    cJSON_Delete(root);
}

static void test_type_names(void)
{
    cJSON *root = doc("[{},[],\"s\",1,true,false,null]");

    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 0)), "object");
    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 1)), "array");
    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 2)), "string");
    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 3)), "number");
    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 4)), "boolean");
    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 5)), "boolean");
    CHECK_STR_EQ(wh_json_type_name(cJSON_GetArrayItem(root, 6)), "null");
    CHECK_STR_EQ(wh_json_type_name(NULL), "nothing");
    cJSON_Delete(root);
}

/* ---- wh_json_escape ---------------------------------------------------- */

static void check_escape(const char *in, const char *want)
{
    struct wh_buf b;
    int rc;

    wh_buf_init(&b, 1024);
    rc = wh_json_escape(&b, in);
    if (rc != WH_OK || strcmp(wh_buf_str(&b), want) != 0) {
        (void)fprintf(stderr, "  escape: got %s, want %s\n", wh_buf_str(&b), want);
        wh_buf_cleanup(&b);
        CHECK_FAIL_("wh_json_escape mismatch");
    }
    wh_buf_cleanup(&b);
}

static void test_escape_plain(void)
{
    check_escape("", "\"\"");
    check_escape("abc", "\"abc\"");
    check_escape("a/b", "\"a/b\"");
}

static void test_escape_quotes_and_backslash(void)
{
    check_escape("a\"b", "\"a\\\"b\"");
    check_escape("a\\b", "\"a\\\\b\"");
    check_escape("\"\\\"", "\"\\\"\\\\\\\"\"");
}

static void test_escape_control_chars(void)
{
    check_escape("a\nb", "\"a\\nb\"");
    check_escape("\r\t", "\"\\r\\t\"");
    check_escape("\x01", "\"\\u0001\"");
    check_escape("x\x08y", "\"x\\by\""); /* as cJSON writes it */
    check_escape("\x0c", "\"\\f\"");
    check_escape("\x1f", "\"\\u001f\"");
    check_escape("\x7f", "\"\x7f\"");
}

static void test_escape_utf8_passthrough(void)
{
    check_escape("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x9a\x80",
                 "\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x9a\x80\"");
}

/* Every byte 1..255 round-trips through a JSON parser. */
static void test_escape_round_trip(void)
{
    char in[256];
    struct wh_buf b;
    cJSON *back;
    int i;

    for (i = 1; i < 256; i++)
        in[i - 1] = (char)(i < 128 ? i : 'a' + i % 26);
    in[255] = '\0';
    wh_buf_init(&b, 4096);
    CHECK_OK(wh_json_escape(&b, in));
    back = cJSON_Parse(wh_buf_str(&b));
    wh_buf_cleanup(&b);
    CHECK(cJSON_IsString(back));
    CHECK_STR_EQ(back->valuestring, in);
    cJSON_Delete(back);
}

static void test_escape_appends_and_caps(void)
{
    struct wh_buf b;

    wh_buf_init(&b, 8);
    CHECK_OK(wh_buf_adds(&b, "k:"));
    CHECK_OK(wh_json_escape(&b, "a\nb")); /* k:"a\nb" is 8 bytes */
    CHECK_STR_EQ(wh_buf_str(&b), "k:\"a\\nb\"");
    wh_buf_reset(&b);
    CHECK_RC(wh_json_escape(&b, "\x01\x02"), WH_ETOOBIG); /* 14 bytes */
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_parse_valid),
    CHECK_TEST(test_parse_scalars_and_whitespace),
    CHECK_TEST(test_parse_depth_at_limit),
    CHECK_TEST(test_parse_depth_past_limit),
    CHECK_TEST(test_parse_depth_deep_input),
    CHECK_TEST(test_parse_brackets_in_strings_do_not_nest),
    CHECK_TEST(test_parse_nul_byte),
    CHECK_TEST(test_parse_nul_byte_in_string),
    CHECK_TEST(test_parse_nul_byte_after_value),
    CHECK_TEST(test_parse_trailing_garbage),
    CHECK_TEST(test_parse_empty),
    CHECK_TEST(test_parse_truncated),
    CHECK_TEST(test_parse_syntax_error_offset),
    CHECK_TEST(test_parse_null_err_allowed),
    CHECK_TEST(test_want_present),
    CHECK_TEST(test_want_absent_or_null),
    CHECK_TEST(test_want_is_case_sensitive),
    CHECK_TEST(test_want_type_errors_name_path),
    CHECK_TEST(test_get_typed),
    CHECK_TEST(test_type_names),
    CHECK_TEST(test_escape_plain),
    CHECK_TEST(test_escape_quotes_and_backslash),
    CHECK_TEST(test_escape_control_chars),
    CHECK_TEST(test_escape_utf8_passthrough),
    CHECK_TEST(test_escape_round_trip),
    CHECK_TEST(test_escape_appends_and_caps),
};

CHECK_MAIN(tests)
