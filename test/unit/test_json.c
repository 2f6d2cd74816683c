/* SPDX-License-Identifier: Apache-2.0
 *
 * test_json.c - util/json: wh_json_parse (nesting cap on both sides, NUL
 * bytes, trailing garbage, empty and truncated input), wh_json_want type
 * errors with their path, the typed getters, and wh_json_escape.
 *
 * The parser (json_parse.c) against cJSON: the same trees as cJSON_Parse and
 * the same text as cJSON_PrintUnformatted (wh_json_print) on valid documents;
 * the documents cJSON lets through that strict JSON does not, each with its
 * message and offset; every strict prefix of a document rejected; skip paths
 * (what is skipped, what is still checked: the validator of skipped values
 * against the code that builds, for every kind of error, escapes across its
 * 64-byte windows, nesting past its stack of one frame); arena mode (trees
 * owned by the arena, equal to heap trees) and the cJSON hooks that follow
 * wh_arena_use.
 * Leaks on the error paths are left to valgrind and ASan, which run this in CI.
 */

#include "check.h"
#include "util/arena.h"
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

/* ---- parity with cJSON ------------------------------------------------- */

/* A failed check that also names the document it was about. */
#define CHECK_DOC(cond, text)                                  \
    do {                                                       \
        if (!(cond)) {                                         \
            (void)fprintf(stderr, "  document: %s\n", (text)); \
            CHECK_FAIL_("CHECK_DOC(%s) failed", #cond);        \
        }                                                      \
    } while (0)

#define DEPTH 64

/* Valid documents whose tree and compact rendering must be cJSON's. All are
 * accepted by cJSON too (no number is longer than the 63 characters it
 * reads, no key repeats, no number overflows). -0 has a test of its own. */
static const char *const parity_docs[] = {
    "0",
    "1.5",
    "0.1",
    "1e300",
    "-1e-300",
    "123456789012345678",
    "2147483648",
    "-2147483649",
    "3.141592653589793",
    "1E2",
    "2147483647",
    "-2147483648",
    "0.0",
    "1e+2",
    "-1.5E-3",
    "1e-7",
    "5e-324",
    "1.7976931348623157e308",
    "0.30000000000000004",
    "9007199254740993",
    "123456789012",
    "1e21",
    "0.000001",
    "1.0000000000000002",
    "[0,1.5,0.1,1e300,-1e-300,123456789012345678,2147483648,-2147483649,3.141592653589793,"
    "1E2]",
    "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20ac \\ud83d\\ude00\"",
    "\"\\u0001\\u001f\\u007f\\u0080\\u07ff\\u0800\\uffff\\uD83D\\uDE00\\udbff\\udfff\\u0041\"",
    "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"",
    "\"\"",
    "true",
    "false",
    "null",
    "{}",
    "[]",
    "[{}]",
    "{\"a\":[]}",
    "[[],{},[[]],{\"\":{}}]",
    "{\"a\\nb\":1,\"\\u00e9\":2,\"q\\\"\":3,\"\\ud83d\\ude00\":[\"\\/\"]}",
    " {\r\n\t\"a\" : [ 1 , 2 ] ,\"b\":{ } } \n",
    "[[[[[[[[[[1]]]]]]]]]]",
    "{\"a\":{\"b\":{\"c\":{\"d\":[true,false,null,\"x\",-1,{\"e\":[]}]}}}}",
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":"
    "\"705ab4f5-6393-11e8-b7cc-42010a800002\",\"operation\":\"CREATE\",\"object\":{\"metadata\":"
    "{\"name\":\"p\",\"labels\":{\"spark-role\":\"driver\"}},\"spec\":{\"containers\":[{\"name\":"
    "\"c\",\"image\":\"apache/spark:3.5.1\",\"resources\":{\"limits\":{\"cpu\":1.5}}}]}}}}",
};

/* Whether wh_json_print writes exactly what cJSON_PrintUnformatted writes
 * (says what differs when not). */
static int print_like_cjson(const cJSON *item)
{
    struct wh_buf b;
    char *want = cJSON_PrintUnformatted(item);
    int ok;

    wh_buf_init(&b, 1u << 20);
    ok = want && wh_json_print(&b, item) == WH_OK && strcmp(wh_buf_str(&b), want) == 0;
    if (!ok)
        (void)fprintf(stderr, "  print: got  %s\n         want %s\n", wh_buf_str(&b),
                      want ? want : "(null)");
    wh_buf_cleanup(&b);
    cJSON_free(want);
    return ok;
}

static void check_print_like_cjson(const cJSON *item, const char *text)
{
    CHECK_DOC(print_like_cjson(item), text);
}

/* Our tree is cJSON_Parse's in heap and arena mode, and all three print as
 * cJSON prints. */
static void check_parity(const char *text)
{
    struct wh_err err = { 0 };
    struct wh_arena arena;
    cJSON *ours = NULL, *in_arena = NULL, *theirs = cJSON_Parse(text);
    int rc, rc_arena, same = 0, printed = 0;

    wh_arena_init(&arena);
    rc = wh_json_parse(text, strlen(text), DEPTH, &ours, &err);
    rc_arena = wh_json_parse_in(&arena, text, strlen(text), DEPTH, NULL, &in_arena, &err);
    if (rc == WH_OK && rc_arena == WH_OK && theirs) {
        same = cJSON_Compare(ours, theirs, 1) && cJSON_Compare(in_arena, ours, 1);
        printed = print_like_cjson(ours) && print_like_cjson(in_arena) && print_like_cjson(theirs);
    }
    cJSON_Delete(theirs);
    cJSON_Delete(ours);
    wh_arena_cleanup(&arena);
    CHECK_DOC(rc == WH_OK && rc_arena == WH_OK, text);
    CHECK_DOC(same, text);
    CHECK_DOC(printed, text);
}

static void test_parse_parity_with_cjson(void)
{
    size_t i;

    for (i = 0; i < WH_NELEM(parity_docs); i++)
        check_parity(parity_docs[i]);
}

/* Numbers: the double strtod reads (bit for bit, the sign of -0 too) and the
 * int cJSON saturates it to. */
static void test_parse_numbers_exact(void)
{
    static const char *const nums[] = {
        "0",
        "-0",
        "-0.0",
        "1.5",
        "0.1",
        "1e300",
        "-1e-300",
        "123456789012345678",
        "2147483648",
        "-2147483649",
        "2147483647",
        "-2147483648",
        "3.141592653589793",
        "1E2",
        "999999999999999",
        "9999999999999999",
        "-999999999999999",
        "1e400",
        "-1e400",
        "1e-400",
        "4.9e-324",
        "18446744073709551616",
    };
    struct wh_err err = { 0 };
    size_t i;

    for (i = 0; i < WH_NELEM(nums); i++) {
        cJSON *ours = NULL, *theirs = cJSON_Parse(nums[i]);
        double want = strtod(nums[i], NULL);

        CHECK_DOC(theirs != NULL, nums[i]);
        CHECK_OK(wh_json_parse(nums[i], strlen(nums[i]), 1, &ours, &err));
        CHECK_DOC(cJSON_IsNumber(ours), nums[i]);
        CHECK_DOC(memcmp(&ours->valuedouble, &want, sizeof(want)) == 0, nums[i]);
        CHECK_DOC(ours->valueint == theirs->valueint, nums[i]);
        cJSON_Delete(ours);
        cJSON_Delete(theirs);
    }
}

static void test_parse_escapes_decode_to_utf8(void)
{
    static const struct {
        const char *json, *want;
    } cases[] = {
        { "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
        { "\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80" },
        { "\"\\ud800\\udc00\"", "\xf0\x90\x80\x80" },
        { "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf" },
        { "\"\\u00e9\"", "\xc3\xa9" },
        { "\"\\u20ac\"", "\xe2\x82\xac" },
        { "\"\\u0001\"", "\x01" },
        { "\"\\u007f\"", "\x7f" },
        { "\"\\u0080\"", "\xc2\x80" },
        { "\"\\u07ff\"", "\xdf\xbf" },
        { "\"\\u0800\"", "\xe0\xa0\x80" },
        { "\"\\uffff\"", "\xef\xbf\xbf" },
        { "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t" },
        { "\"a\\ud83d\\ude00b\\u0041\"", "a\xf0\x9f\x98\x80"
                                         "bA" },
    };
    struct wh_err err = { 0 };
    size_t i;

    for (i = 0; i < WH_NELEM(cases); i++) {
        cJSON *root = NULL;

        CHECK_OK(wh_json_parse(cases[i].json, strlen(cases[i].json), 1, &root, &err));
        CHECK_DOC(cJSON_IsString(root), cases[i].json);
        CHECK_DOC(strcmp(root->valuestring, cases[i].want) == 0, cases[i].json);
        cJSON_Delete(root);
    }
}

/* ---- strictness -------------------------------------------------------- */

struct reject {
    const char *json;
    size_t len;      /* 0: strlen(json) */
    const char *msg; /* a part of the message */
};

static const struct reject rejects[] = {
    /* numbers */
    { "01", 0, "syntax error at offset 1" },
    { "-01", 0, "syntax error at offset 2" },
    { "00", 0, "syntax error at offset 1" },
    { "[01]", 0, "syntax error at offset 2" },
    { "-", 0, "unexpected end of input" },
    { "[-]", 0, "syntax error at offset 2" },
    { "-a", 0, "syntax error at offset 1" },
    { "1.", 0, "unexpected end of input" },
    { "[1.]", 0, "syntax error at offset 3" },
    { "1.e5", 0, "syntax error at offset 2" },
    { ".5", 0, "syntax error at offset 0" },
    { "[.5]", 0, "syntax error at offset 1" },
    { "+1", 0, "syntax error at offset 0" },
    { "1e", 0, "unexpected end of input" },
    { "[1e]", 0, "syntax error at offset 3" },
    { "[1e+]", 0, "syntax error at offset 4" },
    { "1e+-1", 0, "syntax error at offset 3" },
    { "0x10", 0, "syntax error at offset 1" },
    { "NaN", 0, "syntax error at offset 0" },
    { "-Infinity", 0, "syntax error at offset 1" },
    /* trailing and missing commas */
    { "[1,]", 0, "syntax error at offset 3" },
    { "[1,2,]", 0, "syntax error at offset 5" },
    { "[,1]", 0, "syntax error at offset 1" },
    { "[1,,2]", 0, "syntax error at offset 3" },
    { "[1 2]", 0, "syntax error at offset 3" },
    { "{\"a\":1,}", 0, "syntax error at offset 7" },
    { "{,}", 0, "syntax error at offset 1" },
    { "{\"a\":1,,\"b\":2}", 0, "syntax error at offset 7" },
    { "{\"a\":1 \"b\":2}", 0, "syntax error at offset 7" },
    /* raw control characters in strings */
    { "\"a\x01\"", 0, "control character in a string at offset 2" },
    { "[\"\t\"]", 0, "control character in a string at offset 2" },
    { "\"a\nb\"", 0, "control character in a string at offset 2" },
    { "\"\x1f\"", 0, "control character in a string at offset 1" },
    { "{\"k\x01\":1}", 0, "control character in a string at offset 3" },
    /* surrogates */
    { "\"\\ud83d\"", 0, "bad escape in a string at offset 1" },
    { "[\"ab\\ud83d\"]", 0, "bad escape in a string at offset 4" },
    { "\"\\ud83dx\"", 0, "bad escape in a string at offset 1" },
    { "\"\\ude00\"", 0, "bad escape in a string at offset 1" },
    { "\"\\ude00\\ud83d\"", 0, "bad escape in a string at offset 1" },
    { "\"\\ud83d\\u0041\"", 0, "bad escape in a string at offset 1" },
    { "\"\\ud83d\\n\"", 0, "bad escape in a string at offset 1" },
    { "\"\\ud83d\\ud83d\"", 0, "bad escape in a string at offset 1" },
    { "\"\\ud83d\\\"\"", 0, "bad escape in a string at offset 1" },
    { "{\"\\udc00\":1}", 0, "bad escape in a string at offset 2" },
    /* other escapes */
    { "\"\\x\"", 0, "bad escape in a string at offset 1" },
    { "\"\\a\"", 0, "bad escape in a string at offset 1" },
    { "\"\\U0041\"", 0, "bad escape in a string at offset 1" },
    { "\"\\'\"", 0, "bad escape in a string at offset 1" },
    { "\"\\u12\"", 0, "bad escape in a string at offset 1" },
    { "[\"\\u12\",1]", 0, "bad escape in a string at offset 2" },
    { "\"\\u12g4\"", 0, "bad escape in a string at offset 1" },
    { "\"\\u\"", 0, "bad escape in a string at offset 1" },
    /* unterminated strings */
    { "\"abc", 0, "unexpected end of input" },
    { "[\"abc", 0, "unexpected end of input" },
    { "\"abc\\\"", 0, "unexpected end of input" },
    { "\"\\", 0, "unexpected end of input" },
    /* literals */
    { "tru", 0, "syntax error at offset 0" },
    { "nul", 0, "syntax error at offset 0" },
    { "fals", 0, "syntax error at offset 0" },
    { "[tru]", 0, "syntax error at offset 1" },
    { "True", 0, "syntax error at offset 0" },
    { "nulll", 0, "syntax error at offset 4" },
    /* object members */
    { "{\"a\" 1}", 0, "syntax error at offset 5" },
    { "{\"a\"}", 0, "syntax error at offset 4" },
    { "{\"a\",1}", 0, "syntax error at offset 4" },
    { "{\"a\"", 0, "unexpected end of input" },
    { "{1:2}", 0, "syntax error at offset 1" },
    { "{a:1}", 0, "syntax error at offset 1" },
    { "{null:1}", 0, "syntax error at offset 1" },
    { "{'a':1}", 0, "syntax error at offset 1" },
    { "{[]:1}", 0, "syntax error at offset 1" },
    /* \u0000 and NUL bytes */
    { "\"\\u0000\"", 0, "\\u0000 in a string at offset 1" },
    { "[\"a\\u0000\"]", 0, "\\u0000 in a string at offset 3" },
    { "{\"\\u0000\":1}", 0, "\\u0000 in a string at offset 2" },
    { "\"a\0b\"", 5, "NUL byte at offset 2" },
    { "\0", 1, "NUL byte at offset 0" },
    { "[\0]", 3, "NUL byte at offset 1" },
    { "{\"a\"\0:1}", 8, "NUL byte at offset 4" },
    /* what cJSON lets through but JSON does not */
    { "\v1", 0, "syntax error at offset 0" },
    { "\f1", 0, "syntax error at offset 0" },
    { "\xef\xbb\xbf{}", 0, "syntax error at offset 0" },
    /* brackets */
    { "[", 0, "unexpected end of input" },
    { "{", 0, "unexpected end of input" },
    { "]", 0, "syntax error at offset 0" },
    { "[}", 0, "syntax error at offset 1" },
    { "{]", 0, "syntax error at offset 1" },
    { "[1}", 0, "syntax error at offset 2" },
    { "{\"a\":1]", 0, "syntax error at offset 6" },
};

/* Rejects s in heap and in arena mode, with no tree, WH_EPARSE and the same
 * message both times; returns that message in msg. */
static void check_reject(const char *s, size_t len, const char *const *skip, char *msg,
                         size_t msglen)
{
    struct wh_err err = { 0 }, err_arena = { 0 };
    struct wh_arena arena;
    cJSON sentinel;
    cJSON *root = &sentinel, *in_arena = &sentinel;
    int rc, rc_arena;

    wh_arena_init(&arena);
    rc = wh_json_parse_in(NULL, s, len, DEPTH, skip, &root, &err);
    rc_arena = wh_json_parse_in(&arena, s, len, DEPTH, skip, &in_arena, &err_arena);
    wh_arena_cleanup(&arena);
    if (rc == WH_OK) { /* accepted after all: the failed check below says so */
        (void)fprintf(stderr, "  accepted, want WH_EPARSE\n");
        cJSON_Delete(root);
    }
    CHECK_DOC(rc == WH_EPARSE && err.rc == WH_EPARSE && root == NULL, s);
    CHECK_DOC(rc_arena == WH_EPARSE && in_arena == NULL, s);
    CHECK_DOC(strncmp(err.msg, "invalid JSON: ", 14) == 0, s);
    CHECK_STR_EQ(err_arena.msg, err.msg);
    (void)snprintf(msg, msglen, "%s", err.msg);
}

/* Every code point of the BMP (but NUL and the surrogates), and pairs
 * across all 1024 high surrogates, decode to the bytes cJSON decodes. */
static void test_parse_every_code_point_like_cjson(void)
{
    size_t cap = 2 + 6 * 0x10000 + 12 * 3 * 1024, len = 0;
    char *text = malloc(cap);
    struct wh_err err = { 0 };
    cJSON *ours = NULL, *theirs;
    unsigned cp, hi;
    int same;

    CHECK(text != NULL);
    text[len++] = '"';
    for (cp = 1; cp <= 0xFFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        len += (size_t)snprintf(text + len, cap - len, "\\u%04x", cp);
    }
    for (hi = 0xD800; hi <= 0xDBFF; hi++)
        len += (size_t)snprintf(text + len, cap - len, "\\u%04X\\uDC00\\u%04x\\ude42\\u%04x\\udfff",
                                hi, hi, hi);
    text[len++] = '"';
    text[len] = '\0';
    theirs = cJSON_Parse(text);
    CHECK_OK(wh_json_parse(text, len, 1, &ours, &err));
    same = theirs && strcmp(ours->valuestring, theirs->valuestring) == 0;
    cJSON_Delete(ours);
    cJSON_Delete(theirs);
    free(text);
    CHECK(same);
}

/* The string scan stops at a quote, a backslash and every control byte,
 * wherever it is in the string (the scan goes 16 bytes at a time where it
 * can), and at nothing else. */
static void test_parse_string_scan_every_position(void)
{
    static const unsigned char stops[] = { 0x00, 0x01, 0x0a, 0x1f };
    char text[80], msg[256], want[64];
    struct wh_err err = { 0 };
    cJSON *root = NULL;
    size_t len, pos, k;

    for (len = 1; len < 70; len++) {
        for (pos = 0; pos < len; pos++) {
            for (k = 0; k < WH_NELEM(stops); k++) {
                text[0] = '"';
                memset(text + 1, 'a', len);
                text[1 + pos] = (char)stops[k];
                text[1 + len] = '"';
                check_reject(text, len + 2, NULL, msg, sizeof(msg));
                (void)snprintf(want, sizeof(want), "%s at offset %zu",
                               stops[k] ? "control character in a string" : "NUL byte", pos + 1);
                CHECK_STR_EQ(strstr(msg, want) ? want : msg, want);
            }
            /* An escape there is decoded in place. */
            text[0] = '"';
            memset(text + 1, 'b', len + 1);
            text[1 + pos] = '\\';
            text[2 + pos] = 't';
            text[2 + len] = '"';
            CHECK_OK(wh_json_parse(text, len + 3, 1, &root, &err));
            CHECK_EQ(strlen(root->valuestring), len);
            CHECK_EQ(root->valuestring[pos], '\t');
            cJSON_Delete(root);
            /* A quote there ends the string: what follows is garbage. */
            text[0] = '"';
            memset(text + 1, 'c', len + 1);
            text[1 + pos] = '"';
            text[1 + len] = '"';
            check_reject(text, len + 2, NULL, msg, sizeof(msg));
            (void)snprintf(want, sizeof(want), "syntax error at offset %zu", pos + 2);
            CHECK_STR_EQ(strstr(msg, want) ? want : msg, want);
        }
    }
}

/* Every byte that is not a stop passes the scan, in any lane. */
static void test_parse_string_plain_bytes(void)
{
    char text[3 * 256 + 3];
    char want[3 * 256 + 1];
    struct wh_err err = { 0 };
    cJSON *root = NULL, *theirs;
    size_t n = 0, i;
    int c;

    for (i = 0; i < 3; i++) { /* three times, so each byte lands in other lanes */
        for (c = 0x20; c < 256; c++) {
            if (c != '"' && c != '\\')
                want[n++] = (char)c;
        }
        want[n++] = (char)('x' + i);
    }
    want[n] = '\0';
    text[0] = '"';
    memcpy(text + 1, want, n);
    text[n + 1] = '"';
    text[n + 2] = '\0';
    CHECK_OK(wh_json_parse(text, n + 2, 1, &root, &err));
    CHECK_EQ(strlen(root->valuestring), n);
    CHECK(memcmp(root->valuestring, want, n) == 0);
    theirs = cJSON_Parse(text);
    CHECK(theirs != NULL && cJSON_Compare(root, theirs, 1));
    cJSON_Delete(theirs);
    cJSON_Delete(root);
}

static void test_parse_strict_rejects(void)
{
    char msg[256];
    size_t i;

    for (i = 0; i < WH_NELEM(rejects); i++) {
        const struct reject *r = &rejects[i];

        check_reject(r->json, r->len ? r->len : strlen(r->json), NULL, msg, sizeof(msg));
        if (strstr(msg, r->msg) == NULL)
            (void)fprintf(stderr, "  message: got \"%s\", want a part \"%s\"\n", msg, r->msg);
        CHECK_DOC(strstr(msg, r->msg) != NULL, r->json);
    }
}

/* cJSON accepts every one of these: they are what makes ours stricter. */
static void test_parse_stricter_than_cjson(void)
{
    static const char *const lenient[] = {
        "01", "\"a\x01\"", "\v1", "\xef\xbb\xbf{}", "[1.]",
    };
    size_t i;

    for (i = 0; i < WH_NELEM(lenient); i++) {
        cJSON *theirs = cJSON_Parse(lenient[i]);
        struct wh_err err = { 0 };
        cJSON *ours = NULL;

        CHECK_DOC(theirs != NULL, lenient[i]);
        cJSON_Delete(theirs);
        CHECK_RC(wh_json_parse(lenient[i], strlen(lenient[i]), DEPTH, &ours, &err), WH_EPARSE);
        CHECK(ours == NULL);
    }
}

/* digits: a number of exactly n characters ("1." then digits). */
static char *long_number(size_t n)
{
    char *s = malloc(n + 1);
    size_t i;

    CHECK(s != NULL);
    for (i = 0; i < n; i++)
        s[i] = (char)('0' + (i * 7 + 1) % 10);
    s[0] = '1';
    s[1] = '.';
    s[n] = '\0';
    return s;
}

static void test_parse_number_length_cap(void)
{
    struct wh_err err = { 0 };
    char big[302], text[512];
    cJSON *root = NULL;
    char *s;
    size_t i;

    /* 300 digits: far longer than cJSON's 63, well within ours. */
    big[0] = '1';
    for (i = 1; i < 300; i++)
        big[i] = '0';
    big[300] = '\0';
    CHECK_OK(wh_json_parse(big, 300, 1, &root, &err));
    CHECK(root->valuedouble == strtod(big, NULL));
    CHECK(root->valuedouble > 9.9e298 && root->valuedouble < 1.1e299);
    CHECK_EQ(root->valueint, 2147483647);
    cJSON_Delete(root);

    s = long_number(320);
    CHECK_OK(wh_json_parse(s, 320, 1, &root, &err));
    CHECK(root->valuedouble == strtod(s, NULL));
    cJSON_Delete(root);
    free(s);

    s = long_number(321);
    CHECK_RC(wh_json_parse(s, 321, 1, &root, &err), WH_EPARSE);
    CHECK(root == NULL);
    CHECK_STR_EQ(err.msg, "invalid JSON: number longer than 320 characters at offset 0");
    (void)snprintf(text, sizeof(text), "[%s]", s);
    free(s);
    CHECK_RC(wh_json_parse(text, strlen(text), 1, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "number longer than 320 characters at offset 1") != NULL);

    /* An integer of 400 digits: too long as well. */
    memset(text, '7', 400);
    text[400] = '\0';
    CHECK_RC(wh_json_parse(text, 400, 1, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "number longer than 320 characters") != NULL);
    CHECK(root == NULL);
}

/* Documents with a container at the root and nothing after it: none of their
 * strict prefixes is JSON. */
static const char *const prefix_docs[] = {
    "{\"a\":[1,-2.5e-3,true,false,null,\"x\"],\"b\":{\"c\":{}},\"d\":[]}",
    "[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\u20ac \\ud83d\\ude00\",\"h\xc3\xa9\"]",
    "{\"k\\u0041y\":\"v\",\"\":0,\"n\":-0.0E+1,\"big\":123456789012345678}",
    "[[[[[[{\"deep\":[[[]]]}]]]]]]",
    "{\"request\":{\"object\":{\"metadata\":{\"managedFields\":[{\"a\":1}],\"name\":\"p\"}}}}",
};

static void test_parse_every_prefix_fails(void)
{
    static const char *const skip[] = { "/request/object/metadata/managedFields", NULL };
    char msg[256];
    size_t i, n;

    for (i = 0; i < WH_NELEM(prefix_docs); i++) {
        const char *text = prefix_docs[i];
        struct wh_err err = { 0 };
        cJSON *root = NULL;

        CHECK_OK(wh_json_parse(text, strlen(text), DEPTH, &root, &err));
        cJSON_Delete(root);
        for (n = 0; n < strlen(text); n++) {
            check_reject(text, n, NULL, msg, sizeof(msg));
            check_reject(text, n, skip, msg, sizeof(msg));
        }
    }
}

/* ---- skip paths -------------------------------------------------------- */

static const char *const managed[] = { "/request/object/metadata/managedFields", NULL };

static const char review_doc[] =
    "{\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"u1\",\"object\":{\"metadata\":"
    "{\"name\":\"p\",\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Apply\","
    "\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{}}}}],\"labels\":{\"spark-role\":\"driver\"}},"
    "\"spec\":{\"containers\":[]}},\"oldObject\":{\"metadata\":{\"managedFields\":[1]}}}}";

/* Parses text with skip, heap and arena mode, and checks both trees equal
 * want (a heap tree); also that they print the same. */
static void check_skip_tree(const char *text, const char *const *skip, const cJSON *want)
{
    struct wh_err err = { 0 };
    struct wh_arena arena;
    cJSON *heap = NULL, *in_arena = NULL;
    char *a, *b, *c;

    wh_arena_init(&arena);
    CHECK_OK(wh_json_parse_in(NULL, text, strlen(text), DEPTH, skip, &heap, &err));
    CHECK_OK(wh_json_parse_in(&arena, text, strlen(text), DEPTH, skip, &in_arena, &err));
    a = cJSON_PrintUnformatted(want);
    b = cJSON_PrintUnformatted(heap);
    c = cJSON_PrintUnformatted(in_arena);
    if (strcmp(a, b) != 0 || strcmp(a, c) != 0)
        (void)fprintf(stderr, "  want  %s\n  heap  %s\n  arena %s\n", a, b, c);
    CHECK_DOC(strcmp(a, b) == 0 && strcmp(a, c) == 0, text);
    CHECK_DOC(cJSON_Compare(want, heap, 1) && cJSON_Compare(want, in_arena, 1), text);
    cJSON_free(a);
    cJSON_free(b);
    cJSON_free(c);
    cJSON_Delete(heap);
    wh_arena_cleanup(&arena);
}

/* text parsed in full (heap), for the caller to cJSON_Delete. */
static cJSON *full(const char *text)
{
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_OK(wh_json_parse(text, strlen(text), DEPTH, &root, &err));
    return root;
}

static cJSON *metadata_of(cJSON *root)
{
    return cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "request"),
                                         "object"),
        "metadata");
}

static void test_skip_drops_member_keeps_siblings(void)
{
    struct wh_err err = { 0 };
    cJSON *want = full(review_doc), *root = NULL, *meta;
    char *text;

    cJSON_DeleteItemFromObjectCaseSensitive(metadata_of(want), "managedFields");
    check_skip_tree(review_doc, managed, want);
    cJSON_Delete(want);

    CHECK_OK(wh_json_parse_in(NULL, review_doc, strlen(review_doc), DEPTH, managed, &root, &err));
    meta = metadata_of(root);
    CHECK(cJSON_GetObjectItemCaseSensitive(meta, "managedFields") == NULL);
    CHECK_STR_EQ(wh_json_get_str(meta, "name"), "p");
    CHECK(wh_json_get(meta, "labels", WH_JSON_OBJECT) != NULL);
    /* Only that path: oldObject's managedFields is built. */
    CHECK(cJSON_GetObjectItemCaseSensitive(
              wh_json_get(wh_json_get(wh_json_get(root, "request", WH_JSON_OBJECT), "oldObject",
                                      WH_JSON_OBJECT),
                          "metadata", WH_JSON_OBJECT),
              "managedFields") != NULL);
    /* The member list is linked as cJSON links it: appending works. */
    CHECK(meta->child->prev == cJSON_GetObjectItemCaseSensitive(meta, "labels"));
    CHECK(cJSON_AddTrueToObject(meta, "x") != NULL);
    CHECK_EQ(cJSON_GetArraySize(meta), 3);
    text = cJSON_PrintUnformatted(meta);
    CHECK_STR_EQ(text, "{\"name\":\"p\",\"labels\":{\"spark-role\":\"driver\"},\"x\":true}");
    cJSON_free(text);
    cJSON_Delete(root);
}

static void test_skip_first_last_only_and_repeated(void)
{
    static const char *const docs[] = {
        "{\"request\":{\"object\":{\"metadata\":{\"managedFields\":[],\"name\":\"p\"}}}}",
        "{\"request\":{\"object\":{\"metadata\":{\"name\":\"p\",\"managedFields\":{}}}}}",
        "{\"request\":{\"object\":{\"metadata\":{\"managedFields\":\"x\"}}}}",
        ("{\"request\":{\"object\":{\"metadata\":{\"managedFields\":1,\"a\":2,"
         "\"managedFields\":[3],\"b\":4,\"managedFields\":null}}}}"),
    };
    size_t i;

    for (i = 0; i < WH_NELEM(docs); i++) {
        cJSON *want = full(docs[i]), *meta = metadata_of(want);

        while (cJSON_GetObjectItemCaseSensitive(meta, "managedFields"))
            cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
        check_skip_tree(docs[i], managed, want);
        cJSON_Delete(want);
    }
}

/* Only members reached from the root through object members, spelled
 * exactly, are skipped. */
static void test_skip_only_exact_object_paths(void)
{
    static const char *const paths[] = { "/items/managedFields", "/items/0/managedFields",
                                         "/request/object/metadata/managedFields", NULL };
    static const char *const docs[] = {
        /* under an array */
        "{\"items\":[{\"managedFields\":[1],\"name\":\"a\"}],\"managedFields\":2}",
        "{\"request\":{\"object\":[{\"metadata\":{\"managedFields\":1}}]}}",
        "[{\"request\":{\"object\":{\"metadata\":{\"managedFields\":1}}}}]",
        /* not from the root */
        "{\"x\":{\"request\":{\"object\":{\"metadata\":{\"managedFields\":1}}}}}",
        /* near misses */
        ("{\"request\":{\"object\":{\"metadata\":{\"managedFieldsX\":1,\"managedField\":2,"
         "\"ManagedFields\":3}}}}"),
        "{\"request\":{\"object\":{\"metadata\":\"managedFields\"}}}",
        /* spelled with an escape: simply built */
        "{\"request\":{\"object\":{\"metadata\":{\"managed\\u0046ields\":[1],\"name\":\"p\"}}}}",
        "{\"requ\\u0065st\":{\"object\":{\"metadata\":{\"managedFields\":[1]}}}}",
        "{\"request\":{\"object\":{\"metadata\":{\"managedFields\\/\":[1]}}}}",
    };
    size_t i;

    for (i = 0; i < WH_NELEM(docs); i++) {
        cJSON *want = full(docs[i]);

        check_skip_tree(docs[i], paths, want);
        cJSON_Delete(want);
    }
}

static void test_skip_short_paths(void)
{
    static const char *const root_a[] = { "/a", NULL };
    static const char *const empty_key[] = { "/", NULL };
    static const char *const none[] = { NULL };
    static const char *const escaped[] = { "/a~1b", "/a~0b", NULL };
    cJSON *want = full("{\"b\":{\"a\":1},\"c\":[{\"a\":2}]}");

    check_skip_tree("{\"a\":[1,{\"x\":2}],\"b\":{\"a\":1},\"c\":[{\"a\":2}],\"a\":3}", root_a,
                    want);
    cJSON_Delete(want);
    want = full("{\"a\":2}");
    check_skip_tree("{\"\":1,\"a\":2}", empty_key, want);
    cJSON_Delete(want);
    want = full("{\"a\":{\"b\":1}}");
    check_skip_tree("{\"a\":{\"b\":1}}", none, want);
    check_skip_tree("{\"a\":{\"b\":1}}", NULL, want);
    cJSON_Delete(want);
    /* A pointer escape never matches the key as written. */
    want = full("{\"a~1b\":1,\"a~0b\":2}");
    check_skip_tree("{\"a~1b\":1,\"a~0b\":2}", escaped, want);
    cJSON_Delete(want);
}

/* Text inside a skipped value is still JSON: the same error, at the same
 * offset, as without the skip path. */
static void test_skip_still_validates(void)
{
    static const struct {
        const char *json;
        size_t len;
    } bad[] = {
        { "[1,]", 0 },        { "\"\\u0000\"", 0 },
        { "\"a\x01\"", 0 },   { "[\"\\ud83d\"]", 0 },
        { "\"\\ude00\"", 0 }, { "01", 0 },
        { "tru", 0 },         { "{\"a\" 1}", 0 },
        { "\"\\x\"", 0 },     { "[1.]", 0 },
        { "{\"a\":1,}", 0 },  { "\"abc", 0 },
        { "{1:2}", 0 },       { "\"a\0b\"", 5 },
        { "[\"\\u12\"]", 0 }, { "{\"k\\u0000\":1}", 0 },
        { "[-]", 0 },         { "{\"\\udc00\":1}", 0 },
    };
    static const char pre[] = "{\"request\":{\"object\":{\"metadata\":{\"managedFields\":";
    static const char post[] = ",\"name\":\"p\"}}}}";
    char text[256], with_skip[256], without[256];
    size_t i;

    for (i = 0; i < WH_NELEM(bad); i++) {
        size_t n = bad[i].len ? bad[i].len : strlen(bad[i].json), len;

        memcpy(text, pre, sizeof(pre) - 1);
        memcpy(text + sizeof(pre) - 1, bad[i].json, n);
        memcpy(text + sizeof(pre) - 1 + n, post, sizeof(post));
        len = sizeof(pre) - 1 + n + sizeof(post) - 1;
        check_reject(text, len, managed, with_skip, sizeof(with_skip));
        check_reject(text, len, NULL, without, sizeof(without));
        if (strcmp(with_skip, without) != 0)
            (void)fprintf(stderr, "  skipped: %s\n  built:   %s\n", with_skip, without);
        CHECK_DOC(strcmp(with_skip, without) == 0, bad[i].json);
    }
}

/* The 320-character cap applies whether or not the number is built: a
 * document is accepted or rejected the same with and without skip paths. */
static void test_skip_long_number_same_decision(void)
{
    char text[512], with_skip[256], without[256];
    char *num = long_number(321);

    (void)snprintf(text, sizeof(text),
                   "{\"request\":{\"object\":{\"metadata\":{\"managedFields\":[%s]}}}}", num);
    free(num);
    check_reject(text, strlen(text), NULL, without, sizeof(without));
    CHECK(strstr(without, "number longer than 320 characters") != NULL);
    check_reject(text, strlen(text), managed, with_skip, sizeof(with_skip));
    CHECK_STR_EQ(with_skip, without);
}

static void test_skip_depth_limit_applies(void)
{
    static const char *const skip_a[] = { "/a", NULL };
    static const char deep[] = "{\"a\":[[[1]]]}";
    static const char at_limit[] = "{\"a\":[[1]],\"b\":1}";
    struct wh_err err = { 0 };
    cJSON *root = NULL;

    CHECK_RC(wh_json_parse_in(NULL, deep, sizeof(deep) - 1, 3, skip_a, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "nesting deeper than 3 levels at offset 7") != NULL);
    CHECK(root == NULL);
    CHECK_RC(wh_json_parse(deep, sizeof(deep) - 1, 3, &root, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "nesting deeper than 3 levels at offset 7") != NULL);
    CHECK_OK(wh_json_parse_in(NULL, at_limit, sizeof(at_limit) - 1, 3, skip_a, &root, &err));
    CHECK(cJSON_GetObjectItemCaseSensitive(root, "a") == NULL);
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(root, "b")->valueint, 1);
    cJSON_Delete(root);
}

/* ---- the validator of skipped values ----------------------------------
 *
 * A skipped value is checked by a loop of its own (skip_value in
 * json_parse.c), not by the code that builds trees. Every document below is
 * parsed with a skip path over one value and without one: the decision and
 * the message must be the same, and the message the one the table names. */

#define NO_OFFSET ((size_t)-1) /* a message without "at offset" */

struct skipped {
    const char *json;
    size_t len;       /* 0: strlen(json) */
    const char *what; /* NULL: valid; else what the message says */
    size_t off;       /* where, from the value's first byte, when "}" follows it */
};

static const struct skipped skipped[] = {
    /* valid */
    { "{}", 0, NULL, 0 },
    { "[]", 0, NULL, 0 },
    { "\"\"", 0, NULL, 0 },
    { "0", 0, NULL, 0 },
    { "-0", 0, NULL, 0 },
    { "-0.0E-0", 0, NULL, 0 },
    { "1.5e+10", 0, NULL, 0 },
    { "123456789012345678901234567890", 0, NULL, 0 },
    { "[-1,0.5,1e5,1E-5,-0.0,10,0e0]", 0, NULL, 0 },
    { "true", 0, NULL, 0 },
    { "false", 0, NULL, 0 },
    { "null", 0, NULL, 0 },
    { "{\"k:{\\\"name\\\":\\\"x\\\"}\":{\".\":{},\"f:name\":{}},\"f:spec\":{}}", 0, NULL, 0 },
    { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u00e9\\u20ac\",\"\\ud83d\\ude00\\uDBFF\\uDFFF\","
      "\"h\xc3\xa9llo\"]",
      0, NULL, 0 },
    { "\"\\\\\\\"\"", 0, NULL, 0 },
    { "\"k:{\\\"name\\\":\\\"spark-kubernetes-executor\\\"},k:{\\\"containerPort\\\":7079,"
      "\\\"protocol\\\":\\\"TCP\\\"}\"",
      0, NULL, 0 },
    { " \n{ \"a\" : [ 1 , 2.5 , \"x\" , [ ] , { } ] ,\t\"b\" :\r{ \"c\":null } }\r\n ", 0, NULL,
      0 },
    { "[{\"a\":[{\"b\":[]}],\"c\":{\"d\":[1,{\"e\":\"f\"}]}},[[]],{}]", 0, NULL, 0 },
    /* structure */
    { "[1,]", 0, "syntax error", 3 },
    { "[1 2]", 0, "syntax error", 3 },
    { "[,1]", 0, "syntax error", 1 },
    { "{\"a\":1,}", 0, "syntax error", 7 },
    { "{\"a\" 1}", 0, "syntax error", 5 },
    { "{\"a\"}", 0, "syntax error", 4 },
    { "{\"a\",1}", 0, "syntax error", 4 },
    { "{1:2}", 0, "syntax error", 1 },
    { "{,}", 0, "syntax error", 1 },
    { "[}", 0, "syntax error", 1 },
    { "{]", 0, "syntax error", 1 },
    { "[1]]", 0, "syntax error", 3 },
    { "1 2", 0, "syntax error", 2 },
    { "[", 0, "syntax error", 1 },
    { "[1,2", 0, "syntax error", 4 },
    { "{\"a\"", 0, "syntax error", 4 },
    { "{\"a\":", 0, "syntax error", 5 },
    { "\v1", 0, "syntax error", 0 },
    { "[1,\f2]", 0, "syntax error", 3 },
    /* numbers and literals */
    { "01", 0, "syntax error", 1 },
    { "-01", 0, "syntax error", 2 },
    { "-", 0, "syntax error", 1 },
    { "1.", 0, "syntax error", 2 },
    { "1.e5", 0, "syntax error", 2 },
    { "1e", 0, "syntax error", 2 },
    { "1e+-1", 0, "syntax error", 3 },
    { ".5", 0, "syntax error", 0 },
    { "+1", 0, "syntax error", 0 },
    { "tru", 0, "syntax error", 0 },
    { "nulL", 0, "syntax error", 0 },
    { "True", 0, "syntax error", 0 },
    /* strings */
    { "\"a\x01\"", 0, "control character in a string", 2 },
    { "[\"ok\",\"a\tb\"]", 0, "control character in a string", 8 },
    { "\"ab\\x\x01\"", 0, "control character in a string", 5 },
    { "\"\\u0000\x01\"", 0, "control character in a string", 7 },
    { "\"\\x\"", 0, "bad escape in a string", 1 },
    { "\"\\u12\"", 0, "bad escape in a string", 1 },
    { "\"\\u12g4\"", 0, "bad escape in a string", 1 },
    { "\"\\ud83d\"", 0, "bad escape in a string", 1 },
    { "\"ab\\ud83dx\"", 0, "bad escape in a string", 3 },
    { "\"\\ude00\"", 0, "bad escape in a string", 1 },
    { "\"\\ud83d\\u0041\"", 0, "bad escape in a string", 1 },
    { "\"\\ud83d\\ud83d\"", 0, "bad escape in a string", 1 },
    { "\"\\uD83D\\uDE0\"", 0, "bad escape in a string", 1 },
    { "{\"\\udc00\":1}", 0, "bad escape in a string", 2 },
    { "{\"k:{\\\"a\\\"}\\q\":1}", 0, "bad escape in a string", 11 },
    { "\"\\\0\"", 4, "bad escape in a string", 1 },
    { "\"\\u0000\"", 0, "\\u0000 in a string", 1 },
    { "{\"k\\u0000\":1}", 0, "\\u0000 in a string", 3 },
    { "\"a\0b\"", 5, "NUL byte", 2 },
    { "[1,\0]", 5, "NUL byte", 3 },
    { "\"abc", 0, "unexpected end of input", NO_OFFSET },
    { "\"x\\\"", 0, "unexpected end of input", NO_OFFSET },
    { "\"\\", 0, "unexpected end of input", NO_OFFSET },
};

/* Where a skipped value goes: text before and after it (which starts with
 * "}"), the skip path that names it, and the member to remove from the full
 * tree to get the one built with that path. */
static cJSON *root_of(cJSON *root)
{
    return root;
}

static cJSON *b_of(cJSON *root)
{
    return cJSON_GetObjectItemCaseSensitive(root, "b");
}

static const char *const skip_b_a[] = { "/b/a", NULL };

static const struct skip_wrap {
    const char *pre, *post;
    const char *const *skip;
    cJSON *(*parent)(cJSON *root);
    const char *key;
} wraps[] = {
    { "{\"a\":", "}", NULL, root_of, "a" },
    { " {\n\t\"x\" : [ 1 , { \"y\" : null } ] ,\r\n \"a\" :\t", "}", NULL, root_of, "a" },
    { "{\"request\":{\"object\":{\"metadata\":{\"name\":\"p\",\"managedFields\":", "}}}}", managed,
      metadata_of, "managedFields" },
    /* more than 64 bytes after the value (no quote: a string left open runs to the
     * end): its windows are full ones */
    { "{\"b\":{\"x\":1,\"a\":",
      "}                                                                          }", skip_b_a,
      b_of, "a" },
};

static void check_skipped(const struct skip_wrap *w, const char *json, size_t len, const char *what,
                          size_t off)
{
    static const char *const skip_a[] = { "/a", NULL };
    const char *const *skip = w->skip ? w->skip : skip_a;
    char text[1024], want[256], with_skip[256], without[256];
    size_t pre = strlen(w->pre), post = strlen(w->post), n = pre + len + post;
    cJSON *tree;

    CHECK(n < sizeof(text));
    memcpy(text, w->pre, pre);
    memcpy(text + pre, json, len);
    memcpy(text + pre + len, w->post, post + 1);
    if (what == NULL) {
        tree = full(text);
        cJSON_DeleteItemFromObjectCaseSensitive(w->parent(tree), w->key);
        check_skip_tree(text, skip, tree);
        cJSON_Delete(tree);
        return;
    }
    check_reject(text, n, skip, with_skip, sizeof(with_skip));
    check_reject(text, n, NULL, without, sizeof(without));
    if (off == NO_OFFSET)
        (void)snprintf(want, sizeof(want), "invalid JSON: %s", what);
    else
        (void)snprintf(want, sizeof(want), "invalid JSON: %s at offset %zu", what, pre + off);
    if (strcmp(with_skip, without) != 0)
        (void)fprintf(stderr, "  skipped: %s\n  built:   %s\n", with_skip, without);
    CHECK_DOC(strcmp(with_skip, without) == 0, text);
    CHECK_STR_EQ(with_skip, want);
}

static void test_skip_same_as_built(void)
{
    size_t i, k;

    for (k = 0; k < WH_NELEM(wraps); k++) {
        for (i = 0; i < WH_NELEM(skipped); i++) {
            const struct skipped *t = &skipped[i];

            check_skipped(&wraps[k], t->json, t->len ? t->len : strlen(t->json), t->what, t->off);
        }
    }
}

/* Numbers up to the 320-character cap, and past it, skipped or built. */
static void test_skip_number_lengths(void)
{
    static const size_t lens[] = { 1, 3, 63, 64, 65, 319, 320 };
    char *s;
    size_t i, k;

    for (k = 0; k < WH_NELEM(wraps); k++) {
        for (i = 0; i < WH_NELEM(lens); i++) {
            s = long_number(lens[i]);
            check_skipped(&wraps[k], s, lens[i], NULL, 0);
            free(s);
        }
        s = long_number(321);
        check_skipped(&wraps[k], s, 321, "number longer than 320 characters", 0);
        free(s);
    }
}

/* Plain bytes, to put what follows them anywhere in a window. */
static const char filler[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/* Runs of backslashes at every place of the 64-byte windows a skipped
 * value's strings are scanned in, followed by each kind of byte an escape
 * can have: the same decision and message as the decoder of built strings
 * gives (which sees every backslash). */
static void test_skip_escapes_at_every_window_position(void)
{
    static const char *const tails[] = {
        "\"", "n", "/", "u0041", "ud83d\\ude00", "ud83d", "u0000", "u12", "x", "\x01", "",
    };
    static const char *const skip_a[] = { "/a", NULL };
    char text[512], with_skip[256], without[256];
    size_t s, r, t, n;

    for (s = 0; s < 140; s++) {
        for (r = 1; r <= 4; r++) {
            for (t = 0; t < WH_NELEM(tails); t++) {
                cJSON *want, *got = NULL;
                struct wh_err err = { 0 };
                int rc;

                n = (size_t)snprintf(text, sizeof(text), "{\"a\":[\"%.*s%.*s%sb\"],\"z\":\"%.*s\"}",
                                     (int)s, filler, (int)r, "\\\\\\\\", tails[t], 80, filler);
                rc = wh_json_parse_in(NULL, text, n, DEPTH, skip_a, &got, &err);
                cJSON_Delete(got);
                if (rc == WH_OK) {
                    want = full(text);
                    cJSON_DeleteItemFromObjectCaseSensitive(want, "a");
                    check_skip_tree(text, skip_a, want);
                    cJSON_Delete(want);
                    continue;
                }
                check_reject(text, n, skip_a, with_skip, sizeof(with_skip));
                check_reject(text, n, NULL, without, sizeof(without));
                CHECK_DOC(strcmp(with_skip, without) == 0, text);
            }
        }
    }
}

/* Nesting inside a skipped value counts as it does inside a built one. */
static void test_skip_nesting_limit(void)
{
    static const char *const skip_a[] = { "/a", NULL };
    static const char pre[] = "{\"a\":";
    char text[64], want[128], with_skip[256], without[256];
    int limit, k;

    for (limit = 1; limit <= 8; limit++) {
        for (k = 0; k <= 9; k++) { /* k arrays in the value, one object around it */
            struct wh_err err = { 0 };
            cJSON *root = NULL;
            size_t n = sizeof(pre) - 1;

            memcpy(text, pre, n);
            memset(text + n, '[', (size_t)k);
            text[n + (size_t)k] = '1';
            memset(text + n + (size_t)k + 1, ']', (size_t)k);
            n += 2 * (size_t)k + 1;
            text[n++] = '}';
            text[n] = '\0';
            if (1 + k <= limit) {
                CHECK_OK(wh_json_parse_in(NULL, text, n, limit, skip_a, &root, &err));
                CHECK_EQ(cJSON_GetArraySize(root), 0);
                cJSON_Delete(root);
                CHECK_OK(wh_json_parse(text, n, limit, &root, &err));
                cJSON_Delete(root);
                continue;
            }
            CHECK_RC(wh_json_parse_in(NULL, text, n, limit, skip_a, &root, &err), WH_EPARSE);
            (void)snprintf(with_skip, sizeof(with_skip), "%s", err.msg);
            CHECK_RC(wh_json_parse(text, n, limit, &root, &err), WH_EPARSE);
            (void)snprintf(without, sizeof(without), "%s", err.msg);
            /* the limit-th array is one too many: offset of the first + limit - 1 */
            (void)snprintf(want, sizeof(want),
                           "invalid JSON: nesting deeper than %d levels at offset %zu", limit,
                           sizeof(pre) - 1 + (size_t)limit - 1);
            CHECK_STR_EQ(with_skip, want);
            CHECK_STR_EQ(without, want);
        }
    }
}

/* Deeper than the 1024 open containers one frame of the validator keeps:
 * the next frame takes over, and the limit still counts from the root. */
static void test_skip_nesting_past_one_frame(void)
{
    static const char *const skip_a[] = { "/a", NULL };
    static const int ks[] = { 1023, 1024, 1025, 2047, 2048, 2049 };
    size_t cap = 2 * 2049 + 64, i;
    char *text = malloc(cap);
    char want[128];

    CHECK(text != NULL);
    for (i = 0; i < WH_NELEM(ks); i++) {
        size_t k = (size_t)ks[i], n = 0;
        struct wh_err err = { 0 };
        cJSON *root = NULL;

        memcpy(text, "{\"a\":", 5);
        n = 5;
        memset(text + n, '[', k);
        n += k;
        memcpy(text + n, "{}", 2); /* one level more, empty */
        n += 2;
        memset(text + n, ']', k);
        n += k;
        memcpy(text + n, ",\"b\":1}", 7);
        n += 7;
        /* the root, k arrays and the empty object: k + 2 levels */
        CHECK_OK(wh_json_parse_in(NULL, text, n, (int)k + 2, skip_a, &root, &err));
        CHECK_EQ(cJSON_GetObjectItemCaseSensitive(root, "b")->valueint, 1);
        cJSON_Delete(root);
        CHECK_RC(wh_json_parse_in(NULL, text, n, (int)k + 1, skip_a, &root, &err), WH_EPARSE);
        (void)snprintf(want, sizeof(want),
                       "invalid JSON: nesting deeper than %d levels at offset %zu", (int)k + 1,
                       5 + k);
        CHECK_STR_EQ(err.msg, want);
        CHECK_RC(wh_json_parse_in(NULL, text, n, (int)k + 1, NULL, &root, &err), WH_EPARSE);
        CHECK_STR_EQ(err.msg, want);
        /* a truncated document: the end is found in the deepest frame */
        CHECK_RC(wh_json_parse_in(NULL, text, 5 + k + 1, (int)k + 2, skip_a, &root, &err),
                 WH_EPARSE);
        CHECK_STR_EQ(err.msg, "invalid JSON: unexpected end of input");
    }
    free(text);
}

/* ---- arena mode and the allocator hooks -------------------------------- */

/* Whether every node, key and string of item lives in a. */
static int all_in_arena(const struct wh_arena *a, const cJSON *item)
{
    const cJSON *c;

    if (!wh_arena_owns(a, item))
        return 0;
    if (item->string && !wh_arena_owns(a, item->string))
        return 0;
    if (item->valuestring && !wh_arena_owns(a, item->valuestring))
        return 0;
    for (c = item->child; c; c = c->next) {
        if (!all_in_arena(a, c))
            return 0;
    }
    return 1;
}

static void test_arena_tree_owned_by_arena(void)
{
    struct wh_err err = { 0 };
    struct wh_arena arena, other;
    cJSON *root = NULL, *heap = NULL;
    size_t i;

    wh_arena_init(&arena);
    wh_arena_init(&other);
    for (i = 0; i < WH_NELEM(parity_docs); i++) {
        const char *text = parity_docs[i];

        CHECK_OK(wh_json_parse_in(&arena, text, strlen(text), DEPTH, NULL, &root, &err));
        CHECK_DOC(all_in_arena(&arena, root), text);
        CHECK_DOC(!wh_arena_owns(&other, root), text);
    }
    /* Heap mode is the heap even while an arena is in use, and arena mode is
     * the arena passed in whatever is in use. */
    CHECK(wh_arena_use(&other) == NULL);
    cJSON_Delete(cJSON_CreateNull()); /* other has memory in use now */
    CHECK_OK(wh_json_parse(review_doc, strlen(review_doc), DEPTH, &heap, &err));
    CHECK(!wh_arena_owns(&other, heap) && !wh_arena_owns(&arena, heap));
    CHECK_OK(wh_json_parse_in(&arena, review_doc, strlen(review_doc), DEPTH, managed, &root, &err));
    CHECK(all_in_arena(&arena, root));
    CHECK(!wh_arena_owns(&other, root));
    cJSON_Delete(heap); /* the heap's, freed through the hooks */
    CHECK(wh_arena_use(NULL) == &other);
    wh_arena_cleanup(&other);
    wh_arena_cleanup(&arena);
}

static void test_arena_delete_is_harmless(void)
{
    struct wh_err err = { 0 };
    struct wh_arena arena;
    cJSON *root = NULL, *want = full(review_doc);
    struct wh_arena *before;

    wh_arena_init(&arena);
    CHECK_OK(wh_json_parse_in(&arena, review_doc, strlen(review_doc), DEPTH, NULL, &root, &err));
    CHECK(cJSON_Compare(root, want, 1));
    before = wh_arena_use(&arena);
    cJSON_DeleteItemFromObjectCaseSensitive(metadata_of(root), "managedFields");
    cJSON_DeleteItemFromObjectCaseSensitive(metadata_of(want), "managedFields");
    CHECK(cJSON_Compare(root, want, 1));
    cJSON_Delete(root); /* a no-op: the arena's memory */
    CHECK(wh_arena_use(before) == &arena);
    wh_arena_cleanup(&arena);
    cJSON_Delete(want);
}

static void test_arena_reset_then_parse_again(void)
{
    struct wh_err err = { 0 };
    struct wh_arena arena;
    cJSON *first = NULL, *second = NULL, *want = full(review_doc);
    int round;

    wh_arena_init(&arena);
    for (round = 0; round < 3; round++) {
        CHECK_OK(
            wh_json_parse_in(&arena, review_doc, strlen(review_doc), DEPTH, NULL, &first, &err));
        CHECK(cJSON_Compare(first, want, 1));
        wh_arena_reset(&arena);
        CHECK(!wh_arena_owns(&arena, first));
        CHECK_OK(
            wh_json_parse_in(&arena, review_doc, strlen(review_doc), DEPTH, NULL, &second, &err));
        CHECK(all_in_arena(&arena, second));
        CHECK(cJSON_Compare(second, want, 1));
        wh_arena_reset(&arena);
    }
    wh_arena_cleanup(&arena);
    cJSON_Delete(want);
}

static void test_hooks_follow_arena_in_use(void)
{
    struct wh_arena arena;
    struct wh_arena *before;
    cJSON *obj, *parsed;
    char *text;

    wh_arena_init(&arena);
    before = wh_arena_use(&arena);
    CHECK(wh_arena_current() == &arena);
    obj = cJSON_CreateObject();
    CHECK(cJSON_AddStringToObject(obj, "k", "v") != NULL);
    CHECK(cJSON_AddNumberToObject(obj, "n", 1.5) != NULL);
    CHECK(cJSON_AddItemToArray(cJSON_AddArrayToObject(obj, "a"), cJSON_CreateString("s")));
    text = cJSON_PrintUnformatted(obj);
    parsed = cJSON_Parse(text); /* cJSON's own parser, through the hooks */
    CHECK(all_in_arena(&arena, obj));
    CHECK(wh_arena_owns(&arena, text));
    CHECK(all_in_arena(&arena, parsed));
    CHECK(cJSON_Compare(obj, parsed, 1));
    CHECK(cJSON_Parse("{\"a\":[1,2,") == NULL); /* its failure path frees into the arena */
    cJSON_free(text);
    cJSON_Delete(parsed);
    cJSON_Delete(obj);

    CHECK(wh_arena_use(NULL) == &arena);
    CHECK(wh_arena_current() == NULL);
    obj = cJSON_CreateObject();
    CHECK(cJSON_AddStringToObject(obj, "k", "v") != NULL);
    text = cJSON_PrintUnformatted(obj);
    CHECK(!wh_arena_owns(&arena, obj));
    CHECK(!wh_arena_owns(&arena, obj->child));
    CHECK(!wh_arena_owns(&arena, obj->child->string));
    CHECK(!wh_arena_owns(&arena, obj->child->valuestring));
    CHECK(!wh_arena_owns(&arena, text));
    CHECK_STR_EQ(text, "{\"k\":\"v\"}");
    cJSON_free(text);
    cJSON_Delete(obj); /* the heap's: freed (valgrind and ASan check it) */

    /* A heap tree deleted while an arena is in use is freed all the same. */
    obj = cJSON_CreateArray();
    CHECK(cJSON_AddItemToArray(obj, cJSON_CreateString("heap")));
    CHECK(wh_arena_use(&arena) == NULL);
    cJSON_Delete(obj);
    CHECK(wh_arena_use(before) == &arena);
    wh_arena_cleanup(&arena);
}

static void test_arena_parse_errors_leave_nothing(void)
{
    struct wh_err err = { 0 };
    struct wh_arena arena;
    cJSON *root = NULL;
    size_t i;

    wh_arena_init(&arena);
    for (i = 0; i < WH_NELEM(rejects); i++) {
        const struct reject *r = &rejects[i];
        size_t len = r->len ? r->len : strlen(r->json);

        CHECK_RC(wh_json_parse_in(&arena, r->json, len, DEPTH, managed, &root, &err), WH_EPARSE);
        CHECK(root == NULL);
        wh_arena_reset(&arena);
    }
    wh_arena_cleanup(&arena);
}

/* ---- wh_json_print ----------------------------------------------------- */

static void test_print_built_trees_like_cjson(void)
{
    static const double nums[] = {
        0.0,
        1.5,
        0.1,
        1e300,
        -1e-300,
        2147483647.0,
        -2147483648.0,
        2147483648.0,
        2147483647.5,
        4294967296.0,
        1e15,
        1e16,
        1e21,
        123456.789,
        0.30000000000000004,
        1.0 / 3.0,
        2.0 / 3.0,
        1e-310,
        5e-324,
        -1.7976931348623157e308,
        100.0,
        -7.0,
        /* whole numbers on both sides of 10^15, where printing takes a short cut */
        1.0,
        -1.0,
        10.0,
        86400.0,
        1e14,
        999999999999999.0,
        -999999999999999.0,
        1e15 + 1.0,
        -1e15,
        9007199254740993.0,
    };
    char all[256];
    cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "nums");
    size_t i;

    for (i = 0; i < WH_NELEM(nums); i++)
        CHECK(cJSON_AddItemToArray(arr, cJSON_CreateNumber(nums[i])));
    CHECK(cJSON_AddItemToArray(arr, cJSON_CreateNumber(strtod("inf", NULL))));
    CHECK(cJSON_AddItemToArray(arr, cJSON_CreateNumber(strtod("-inf", NULL))));
    CHECK(cJSON_AddItemToArray(arr, cJSON_CreateNumber(strtod("nan", NULL))));
    for (i = 1; i < 256; i++)
        all[i - 1] = (char)i;
    all[255] = '\0';
    CHECK(cJSON_AddStringToObject(root, "all bytes", all) != NULL);
    CHECK(cJSON_AddStringToObject(root, all, "key with every byte") != NULL);
    CHECK(cJSON_AddStringToObject(root, "", "") != NULL);
    CHECK(cJSON_AddRawToObject(root, "raw", "{\"r\" : [1, 2]}") != NULL);
    CHECK(cJSON_AddItemToObject(root, "empty", cJSON_CreateArray()));
    CHECK(cJSON_AddItemToObject(root, "obj", cJSON_CreateObject()));
    CHECK(cJSON_AddTrueToObject(root, "t") != NULL);
    CHECK(cJSON_AddFalseToObject(root, "f") != NULL);
    CHECK(cJSON_AddNullToObject(root, "z") != NULL);
    CHECK(cJSON_AddItemToObject(root, "ref", cJSON_CreateStringReference("by reference")));
    check_print_like_cjson(root, "(built tree)");
    for (i = 0; i < WH_NELEM(nums); i++)
        check_print_like_cjson(cJSON_GetArrayItem(arr, (int)i), "(a number)");
    cJSON_Delete(root);
}

/* cJSON 1.7.15 (Debian bookworm) writes -0 as "-0" (%1.15g): so must we. */
static void test_print_negative_zero_like_cjson(void)
{
    static const cJSON zero = { .type = cJSON_Number, .valuedouble = -0.0 };

    check_print_like_cjson(&zero, "(a number node of -0.0)");
    check_parity("-0");
    check_parity("-0.0");
    check_parity("[-0,0,-0e5]");
}

static void test_print_appends_and_caps(void)
{
    cJSON *root = doc("{\"a\":[1,2,3],\"b\":\"long enough\"}");
    struct wh_buf b;

    wh_buf_init(&b, 64);
    CHECK_OK(wh_buf_adds(&b, "x="));
    CHECK_OK(wh_json_print(&b, root));
    CHECK_STR_EQ(wh_buf_str(&b), "x={\"a\":[1,2,3],\"b\":\"long enough\"}");
    wh_buf_cleanup(&b);
    wh_buf_init(&b, 16);
    CHECK_RC(wh_json_print(&b, root), WH_ETOOBIG);
    CHECK_EQ(wh_buf_len(&b), 0);
    wh_buf_cleanup(&b);
    cJSON_Delete(root);
}

/* wh_json_escape writes a string as cJSON writes it, for every byte. */
static void test_escape_like_cjson(void)
{
    char in[256];
    struct wh_buf b;
    cJSON *s;
    char *want;
    int i;

    for (i = 1; i < 256; i++)
        in[i - 1] = (char)i;
    in[255] = '\0';
    s = cJSON_CreateString(in);
    want = cJSON_PrintUnformatted(s);
    wh_buf_init(&b, 4096);
    CHECK_OK(wh_json_escape(&b, in));
    CHECK_STR_EQ(wh_buf_str(&b), want);
    wh_buf_cleanup(&b);
    cJSON_free(want);
    cJSON_Delete(s);
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
    CHECK_TEST(test_escape_like_cjson),
    CHECK_TEST(test_parse_parity_with_cjson),
    CHECK_TEST(test_parse_numbers_exact),
    CHECK_TEST(test_parse_escapes_decode_to_utf8),
    CHECK_TEST(test_parse_every_code_point_like_cjson),
    CHECK_TEST(test_parse_string_scan_every_position),
    CHECK_TEST(test_parse_string_plain_bytes),
    CHECK_TEST(test_parse_strict_rejects),
    CHECK_TEST(test_parse_stricter_than_cjson),
    CHECK_TEST(test_parse_number_length_cap),
    CHECK_TEST(test_parse_every_prefix_fails),
    CHECK_TEST(test_skip_drops_member_keeps_siblings),
    CHECK_TEST(test_skip_first_last_only_and_repeated),
    CHECK_TEST(test_skip_only_exact_object_paths),
    CHECK_TEST(test_skip_short_paths),
    CHECK_TEST(test_skip_still_validates),
    CHECK_TEST(test_skip_long_number_same_decision),
    CHECK_TEST(test_skip_depth_limit_applies),
    CHECK_TEST(test_skip_same_as_built),
    CHECK_TEST(test_skip_number_lengths),
    CHECK_TEST(test_skip_escapes_at_every_window_position),
    CHECK_TEST(test_skip_nesting_limit),
    CHECK_TEST(test_skip_nesting_past_one_frame),
    CHECK_TEST(test_arena_tree_owned_by_arena),
    CHECK_TEST(test_arena_delete_is_harmless),
    CHECK_TEST(test_arena_reset_then_parse_again),
    CHECK_TEST(test_hooks_follow_arena_in_use),
    CHECK_TEST(test_arena_parse_errors_leave_nothing),
    CHECK_TEST(test_print_built_trees_like_cjson),
    CHECK_TEST(test_print_negative_zero_like_cjson),
    CHECK_TEST(test_print_appends_and_caps),
};

CHECK_MAIN(tests)
