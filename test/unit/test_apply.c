/* SPDX-License-Identifier: Apache-2.0
 *
 * test_apply.c - patches/apply: RFC 6902 "add" into objects and arrays
 * ("-", an index, the end index), escaped keys, missing parents, and the
 * refusal of other operations and malformed patches.
 */
#include "apply.h"
#include "check.h"

#include "banned.h"

/* Applies patch to the document text; on success compares with want. */
static int apply(const char *doc_text, const char *patch, const char *want, struct wh_err *err)
{
    cJSON *doc = cJSON_Parse(doc_text);
    int rc;

    CHECK(doc != NULL);
    rc = wh_patch_apply(doc, patch, strlen(patch), err);
    if (rc == WH_OK && want != NULL) {
        char *got = cJSON_PrintUnformatted(doc);
        int same = check_json_equal(got, want);

        if (!same)
            (void)fprintf(stderr, "  got  %s\n  want %s\n", got, want);
        free(got);
        cJSON_Delete(doc);
        CHECK(same);
        return rc;
    }
    cJSON_Delete(doc);
    return rc;
}

static void test_add_to_object(void)
{
    CHECK_OK(apply("{\"a\":{}}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]",
                   "{\"a\":{\"b\":1}}", NULL));
    CHECK_OK(apply("{}", "[{\"op\":\"add\",\"path\":\"/k\",\"value\":{\"x\":[1]}}]",
                   "{\"k\":{\"x\":[1]}}", NULL));
}

static void test_add_replaces_existing_key(void)
{
    CHECK_OK(apply("{\"a\":{\"b\":1,\"c\":2}}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":9}]",
                   "{\"a\":{\"b\":9,\"c\":2}}", NULL));
}

static void test_add_to_array_dash(void)
{
    CHECK_OK(apply("{\"l\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/l/-\",\"value\":3}]",
                   "{\"l\":[1,2,3]}", NULL));
    CHECK_OK(apply("{\"l\":[]}", "[{\"op\":\"add\",\"path\":\"/l/-\",\"value\":\"x\"}]",
                   "{\"l\":[\"x\"]}", NULL));
}

static void test_add_to_array_index(void)
{
    CHECK_OK(apply("{\"l\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/l/0\",\"value\":0}]",
                   "{\"l\":[0,1,2]}", NULL));
    CHECK_OK(apply("{\"l\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/l/1\",\"value\":9}]",
                   "{\"l\":[1,9,2]}", NULL));
    /* The index equal to the size appends. */
    CHECK_OK(apply("{\"l\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/l/2\",\"value\":3}]",
                   "{\"l\":[1,2,3]}", NULL));
}

static void test_add_to_array_index_past_end(void)
{
    struct wh_err err = { 0 };

    CHECK_RC(apply("{\"l\":[1,2]}", "[{\"op\":\"add\",\"path\":\"/l/3\",\"value\":3}]", NULL, &err),
             WH_EINVAL);
    CHECK(strstr(err.msg, "/l/3") != NULL);
    CHECK_RC(apply("{\"l\":[]}", "[{\"op\":\"add\",\"path\":\"/l/x\",\"value\":3}]", NULL, &err),
             WH_EINVAL);
}

static void test_add_through_array_index(void)
{
    CHECK_OK(apply("{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"env\":[]}]}}",
                   "[{\"op\":\"add\",\"path\":\"/spec/containers/1/env/-\","
                   "\"value\":{\"name\":\"E\",\"value\":\"v\"}},"
                   "{\"op\":\"add\",\"path\":\"/spec/containers/0/env\",\"value\":[]}]",
                   "{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[]},"
                   "{\"name\":\"b\",\"env\":[{\"name\":\"E\",\"value\":\"v\"}]}]}}",
                   NULL));
}

static void test_missing_parent(void)
{
    struct wh_err err = { 0 };

    CHECK_RC(apply("{\"a\":{}}", "[{\"op\":\"add\",\"path\":\"/a/b/c\",\"value\":1}]", NULL, &err),
             WH_EINVAL);
    CHECK(strstr(err.msg, "/a/b/c") != NULL);
    CHECK(strstr(err.msg, "parent missing") != NULL);
    CHECK_RC(apply("{}", "[{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":1}]", NULL, &err),
             WH_EINVAL);
    CHECK_RC(
        apply("{\"l\":[{}]}", "[{\"op\":\"add\",\"path\":\"/l/1/x\",\"value\":1}]", NULL, &err),
        WH_EINVAL);
}

static void test_parent_not_a_container(void)
{
    struct wh_err err = { 0 };

    CHECK_RC(apply("{\"a\":5}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]", NULL, &err),
             WH_EINVAL);
    CHECK(strstr(err.msg, "/a/b") != NULL);
}

static void test_path_must_start_with_slash(void)
{
    struct wh_err err = { 0 };

    CHECK_RC(apply("{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]", NULL, &err), WH_EINVAL);
    CHECK(strstr(err.msg, "does not start with /") != NULL);
}

static void test_non_add_ops_rejected(void)
{
    static const char *const ops[] = {
        "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]",
        "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]",
        "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/b\"}]",
        "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
        "[{\"path\":\"/b\",\"value\":1}]",
        "[{\"op\":\"add\",\"value\":1}]",
        "[{\"op\":\"add\",\"path\":\"/b\"}]",
        "[{\"op\":\"add\",\"path\":5,\"value\":1}]",
        "[5]",
    };
    size_t i;

    for (i = 0; i < WH_NELEM(ops); i++) {
        struct wh_err err = { 0 };

        if (apply("{\"a\":1}", ops[i], NULL, &err) != WH_EINVAL)
            CHECK_FAIL_("patch %s was not refused with WH_EINVAL", ops[i]);
        CHECK(strstr(err.msg, "only add and remove") != NULL);
    }
}

static void test_remove_object_member_only(void)
{
    struct wh_err err = { 0 };

    CHECK_OK(apply("{\"v\":{\"emptyDir\":{},\"name\":\"x\"}}",
                   "[{\"op\":\"remove\",\"path\":\"/v/emptyDir\"}]", "{\"v\":{\"name\":\"x\"}}",
                   NULL));
    CHECK_RC(apply("{\"l\":[1,2]}", "[{\"op\":\"remove\",\"path\":\"/l/0\"}]", NULL, &err),
             WH_EINVAL);
    CHECK_RC(apply("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL, &err), WH_EINVAL);
}

static void test_add_null_value_is_an_add(void)
{
    CHECK_OK(
        apply("{}", "[{\"op\":\"add\",\"path\":\"/n\",\"value\":null}]", "{\"n\":null}", NULL));
}

static void test_escaped_keys(void)
{
    CHECK_OK(apply("{\"metadata\":{\"annotations\":{}}}",
                   "[{\"op\":\"add\",\"path\":\"/metadata/annotations/example.com~1x~0y\","
                   "\"value\":\"1\"}]",
                   "{\"metadata\":{\"annotations\":{\"example.com/x~y\":\"1\"}}}", NULL));
    /* Escaped segments are unescaped on the way to the parent too. */
    CHECK_OK(apply("{\"a/b\":{\"c~d\":{}}}",
                   "[{\"op\":\"add\",\"path\":\"/a~1b/c~0d/e\",\"value\":1}]",
                   "{\"a/b\":{\"c~d\":{\"e\":1}}}", NULL));
}

static void test_bad_escape_in_path(void)
{
    struct wh_err err = { 0 };

    CHECK_RC(apply("{}", "[{\"op\":\"add\",\"path\":\"/a~2\",\"value\":1}]", NULL, &err),
             WH_EINVAL);
    CHECK(strstr(err.msg, "bad segment") != NULL);
    CHECK_RC(apply("{\"a\":{}}", "[{\"op\":\"add\",\"path\":\"/a/b~\",\"value\":1}]", NULL, &err),
             WH_EINVAL);
    CHECK_RC(apply("{\"a~\":{}}", "[{\"op\":\"add\",\"path\":\"/a~/b\",\"value\":1}]", NULL, &err),
             WH_EINVAL);
}

static void test_ops_apply_in_order(void)
{
    CHECK_OK(apply("{}",
                   "[{\"op\":\"add\",\"path\":\"/l\",\"value\":[]},"
                   "{\"op\":\"add\",\"path\":\"/l/-\",\"value\":1},"
                   "{\"op\":\"add\",\"path\":\"/l/0\",\"value\":0}]",
                   "{\"l\":[0,1]}", NULL));
}

static void test_failure_keeps_earlier_ops(void)
{
    cJSON *doc = cJSON_Parse("{}");
    const char *patch = "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1},"
                        "{\"op\":\"add\",\"path\":\"/x/y\",\"value\":2}]";
    struct wh_err err = { 0 };

    CHECK_RC(wh_patch_apply(doc, patch, strlen(patch), &err), WH_EINVAL);
    CHECK(cJSON_GetObjectItem(doc, "a") != NULL);
    CHECK(strstr(err.msg, "/x/y") != NULL);
    cJSON_Delete(doc);
}

static void test_empty_patch(void)
{
    CHECK_OK(apply("{\"a\":1}", "[]", "{\"a\":1}", NULL));
}

static void test_malformed_patch(void)
{
    struct wh_err err = { 0 };

    CHECK_RC(apply("{}", "{\"op\":\"add\",\"path\":\"/a\",\"value\":1}", NULL, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "expected an array") != NULL);
    CHECK_RC(apply("{}", "[{\"op\":\"add\"", NULL, &err), WH_EPARSE);
    CHECK_RC(apply("{}", "", NULL, &err), WH_EPARSE);
}

static void test_value_is_copied(void)
{
    cJSON *doc = cJSON_Parse("{}");
    char patch[] = "[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"s\":\"text\"}}]";

    CHECK_OK(wh_patch_apply(doc, patch, strlen(patch), NULL));
    memset(patch, ' ', strlen(patch));
    CHECK_STR_EQ(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "a"), "s")->valuestring, "text");
    cJSON_Delete(doc);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_add_to_object),
    CHECK_TEST(test_add_replaces_existing_key),
    CHECK_TEST(test_add_to_array_dash),
    CHECK_TEST(test_add_to_array_index),
    CHECK_TEST(test_add_to_array_index_past_end),
    CHECK_TEST(test_add_through_array_index),
    CHECK_TEST(test_missing_parent),
    CHECK_TEST(test_parent_not_a_container),
    CHECK_TEST(test_path_must_start_with_slash),
    CHECK_TEST(test_non_add_ops_rejected),
    CHECK_TEST(test_remove_object_member_only),
    CHECK_TEST(test_add_null_value_is_an_add),
    CHECK_TEST(test_escaped_keys),
    CHECK_TEST(test_bad_escape_in_path),
    CHECK_TEST(test_ops_apply_in_order),
    CHECK_TEST(test_failure_keeps_earlier_ops),
    CHECK_TEST(test_empty_patch),
    CHECK_TEST(test_malformed_patch),
    CHECK_TEST(test_value_is_copied),
};

CHECK_MAIN(tests)
