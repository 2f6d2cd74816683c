/* SPDX-License-Identifier: Apache-2.0
 *
 * test_patch.c - patches/patch: RFC 6901 pointer building and unescaping,
 * the surgical append/put rules (existing container -> one op per item,
 * missing container -> one creating op that later additions grow),
 * wh_patch_find_item, the exact rendered JSON, and the edits counter.
 */
#include "check.h"
#include "patch.h"
#include "util/str.h"

#include "banned.h"

/* ---- pointers ---------------------------------------------------------- */

static void test_ptr_seg_plain(void)
{
    char ptr[WH_PTR_MAX] = "";

    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "spec"));
    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "containers"));
    CHECK_STR_EQ(ptr, "/spec/containers");
}

static void test_ptr_seg_escapes(void)
{
    char ptr[WH_PTR_MAX] = "";

    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "example.com/x~y"));
    CHECK_STR_EQ(ptr, "/example.com~1x~0y");
    ptr[0] = '\0';
    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "~~//~1"));
    CHECK_STR_EQ(ptr, "/~0~0~1~1~01");
}

static void test_ptr_seg_appends_and_empty(void)
{
    char ptr[WH_PTR_MAX] = "/metadata/annotations";

    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "eks.amazonaws.com/role-arn"));
    CHECK_STR_EQ(ptr, "/metadata/annotations/eks.amazonaws.com~1role-arn");
    ptr[0] = '\0';
    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), ""));
    CHECK_STR_EQ(ptr, "/");
}

static void test_ptr_seg_size_limit(void)
{
    char ptr[8];

    /* "/abc" + "/" + "ab" = 7 bytes + NUL = 8: fits exactly. */
    (void)wh_strlcpy(ptr, "/abc", sizeof(ptr));
    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "ab"));
    CHECK_STR_EQ(ptr, "/abc/ab");
    (void)wh_strlcpy(ptr, "/abc", sizeof(ptr));
    CHECK_RC(wh_ptr_seg(ptr, sizeof(ptr), "abc"), WH_ETOOBIG);
    CHECK_EQ(strlen(ptr) < sizeof(ptr), 1);
}

static void test_ptr_seg_size_limit_escape(void)
{
    char ptr[8];

    /* The escape counts two bytes: "/abc/~0" fits, "/abc/a~0" does not. */
    (void)wh_strlcpy(ptr, "/abc", sizeof(ptr));
    CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), "~"));
    CHECK_STR_EQ(ptr, "/abc/~0");
    (void)wh_strlcpy(ptr, "/abc", sizeof(ptr));
    CHECK_RC(wh_ptr_seg(ptr, sizeof(ptr), "a~"), WH_ETOOBIG);
    CHECK_EQ(strlen(ptr) < sizeof(ptr), 1);
}

static void test_ptr_idx(void)
{
    char ptr[WH_PTR_MAX] = "/spec/containers";

    CHECK_OK(wh_ptr_idx(ptr, sizeof(ptr), 3));
    CHECK_STR_EQ(ptr, "/spec/containers/3");
    CHECK_OK(wh_ptr_idx(ptr, sizeof(ptr), 0));
    CHECK_STR_EQ(ptr, "/spec/containers/3/0");
}

static void test_ptr_idx_size_limit(void)
{
    char ptr[8] = "/ab";

    CHECK_OK(wh_ptr_idx(ptr, sizeof(ptr), 123)); /* "/ab/123" + NUL = 8 */
    CHECK_STR_EQ(ptr, "/ab/123");
    (void)wh_strlcpy(ptr, "/ab", sizeof(ptr));
    CHECK_RC(wh_ptr_idx(ptr, sizeof(ptr), 1234), WH_ETOOBIG);
    CHECK_STR_EQ(ptr, "/ab");
}

static void test_ptr_unescape(void)
{
    char out[64];

    CHECK_OK(wh_ptr_unescape("example.com~1x~0y", 17, out, sizeof(out)));
    CHECK_STR_EQ(out, "example.com/x~y");
    CHECK_OK(wh_ptr_unescape("~01", 3, out, sizeof(out)));
    CHECK_STR_EQ(out, "~1");
    CHECK_OK(wh_ptr_unescape("", 0, out, sizeof(out)));
    CHECK_STR_EQ(out, "");
    /* Only len bytes are read. */
    CHECK_OK(wh_ptr_unescape("abc/def", 3, out, sizeof(out)));
    CHECK_STR_EQ(out, "abc");
}

static void test_ptr_round_trip(void)
{
    static const char *const segs[] = { "plain", "a/b", "a~b", "~", "/", "~1", "~0~/", "" };
    size_t i;

    for (i = 0; i < WH_NELEM(segs); i++) {
        char ptr[WH_PTR_MAX] = "";
        char out[WH_PTR_MAX];

        CHECK_OK(wh_ptr_seg(ptr, sizeof(ptr), segs[i]));
        CHECK_OK(wh_ptr_unescape(ptr + 1, strlen(ptr + 1), out, sizeof(out)));
        CHECK_STR_EQ(out, segs[i]);
    }
}

static void test_ptr_unescape_bad_escapes(void)
{
    static const char *const bad[] = { "~2", "a~", "~", "~a", "x~~0", "~/" };
    char out[64];
    size_t i;

    for (i = 0; i < WH_NELEM(bad); i++) {
        if (wh_ptr_unescape(bad[i], strlen(bad[i]), out, sizeof(out)) != WH_EPARSE)
            CHECK_FAIL_("wh_ptr_unescape(\"%s\") is not WH_EPARSE", bad[i]);
    }
    /* A "~" that is the last of len bytes is trailing even if more follow. */
    CHECK_RC(wh_ptr_unescape("a~0", 2, out, sizeof(out)), WH_EPARSE);
}

static void test_ptr_unescape_size_limit(void)
{
    char out[4];

    CHECK_OK(wh_ptr_unescape("a~1c", 4, out, sizeof(out))); /* "a/c" + NUL */
    CHECK_STR_EQ(out, "a/c");
    CHECK_RC(wh_ptr_unescape("abcd", 4, out, sizeof(out)), WH_ETOOBIG);
    CHECK_RC(wh_ptr_unescape("", 0, out, 0), WH_ETOOBIG);
}

/* ---- operations -------------------------------------------------------- */

static cJSON *named(const char *name)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "name", name);
    return o;
}

static char *render(const struct wh_patch *p)
{
    struct wh_buf b;

    wh_buf_init(&b, 1 << 16);
    CHECK_OK(wh_patch_render(p, &b));
    return wh_buf_take(&b, NULL);
}

/* Compares the rendered patch with want (exact text) and frees it. */
static void check_render(const struct wh_patch *p, const char *want)
{
    char *got = render(p);
    int same = strcmp(got, want) == 0;

    if (!same)
        (void)fprintf(stderr, "  got  %s\n  want %s\n", got, want);
    free(got);
    CHECK(same);
}

static void test_append_existing_array(void)
{
    cJSON *existing = cJSON_CreateArray();
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, existing, "/spec/volumes", named("a"), NULL));
    CHECK_OK(wh_patch_append(&p, existing, "/spec/volumes", named("b"), NULL));
    CHECK_EQ(p.n, 2);
    CHECK_EQ(p.edits, 2);
    CHECK_STR_EQ(p.ops[0].path, "/spec/volumes/-");
    CHECK(!p.ops[0].created);
    check_render(&p, "[{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":{\"name\":\"a\"}},"
                     "{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":{\"name\":\"b\"}}]");
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_append_missing_array_creates_once(void)
{
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/volumes", named("a"), NULL));
    CHECK_EQ(p.n, 1);
    CHECK_EQ(p.edits, 1);
    CHECK(p.ops[0].created);
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/volumes", named("b"), NULL));
    CHECK_EQ(p.n, 1);
    CHECK_EQ(p.edits, 2);
    check_render(&p, "[{\"op\":\"add\",\"path\":\"/spec/volumes\","
                     "\"value\":[{\"name\":\"a\"},{\"name\":\"b\"}]}]");
    wh_patch_cleanup(&p);
}

static void test_append_missing_arrays_by_path(void)
{
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/containers/0/env", named("A"), NULL));
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/containers/1/env", named("B"), NULL));
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/containers/0/env", named("C"), NULL));
    CHECK_EQ(p.n, 2);
    CHECK_EQ(p.edits, 3);
    check_render(&p, "[{\"op\":\"add\",\"path\":\"/spec/containers/0/env\","
                     "\"value\":[{\"name\":\"A\"},{\"name\":\"C\"}]},"
                     "{\"op\":\"add\",\"path\":\"/spec/containers/1/env\","
                     "\"value\":[{\"name\":\"B\"}]}]");
    wh_patch_cleanup(&p);
}

static void test_append_pointer_too_long(void)
{
    char path[WH_PTR_MAX];
    cJSON *existing = cJSON_CreateArray();
    struct wh_err err = { 0 };
    struct wh_patch p;

    memset(path, 'a', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    wh_patch_init(&p);
    /* The item is consumed on failure too (ASan would see a leak). */
    CHECK_RC(wh_patch_append(&p, existing, path, named("x"), &err), WH_ETOOBIG);
    CHECK(strstr(err.msg, "too long") != NULL);
    CHECK_EQ(p.n, 0);
    CHECK_EQ(p.edits, 0);
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_put_existing_object_escapes_key(void)
{
    cJSON *existing = cJSON_CreateObject();
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_put(&p, existing, "/metadata/annotations", "example.com/x~y",
                          cJSON_CreateString("1"), NULL));
    CHECK_EQ(p.n, 1);
    CHECK_EQ(p.edits, 1);
    CHECK(!p.ops[0].created);
    check_render(&p, "[{\"op\":\"add\",\"path\":\"/metadata/annotations/example.com~1x~0y\","
                     "\"value\":\"1\"}]");
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_put_missing_object_creates_once(void)
{
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_put(&p, NULL, "/metadata/labels", "example.com/x~y", cJSON_CreateString("1"),
                          NULL));
    CHECK_OK(wh_patch_put(&p, NULL, "/metadata/labels", "b", cJSON_CreateNumber(2), NULL));
    CHECK_EQ(p.n, 1);
    CHECK_EQ(p.edits, 2);
    CHECK(p.ops[0].created);
    /* Keys inside a value are not pointer-escaped. */
    check_render(&p, "[{\"op\":\"add\",\"path\":\"/metadata/labels\","
                     "\"value\":{\"example.com/x~y\":\"1\",\"b\":2}}]");
    wh_patch_cleanup(&p);
}

static void test_put_key_needing_json_escape(void)
{
    cJSON *existing = cJSON_CreateObject();
    struct wh_patch p;
    char *text;
    cJSON *back;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_put(&p, existing, "/x", "a\"b\\c", cJSON_CreateTrue(), NULL));
    text = render(&p);
    back = cJSON_Parse(text);
    free(text);
    CHECK(back != NULL);
    CHECK_STR_EQ(cJSON_GetObjectItem(cJSON_GetArrayItem(back, 0), "path")->valuestring,
                 "/x/a\"b\\c");
    cJSON_Delete(back);
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_put_pointer_too_long(void)
{
    char key[WH_PTR_MAX];
    cJSON *existing = cJSON_CreateObject();
    struct wh_err err = { 0 };
    struct wh_patch p;

    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    wh_patch_init(&p);
    CHECK_RC(wh_patch_put(&p, existing, "/metadata/labels", key, cJSON_CreateString("v"), &err),
             WH_ETOOBIG);
    CHECK(strstr(err.msg, "too long") != NULL);
    CHECK_EQ(p.n, 0);
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_find_item_in_created_array(void)
{
    struct wh_patch p;
    const cJSON *hit;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/volumes", named("a"), NULL));
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/volumes", named("aws-iam-token"), NULL));
    hit = wh_patch_find_item(&p, "/spec/volumes", "name", "aws-iam-token");
    CHECK(hit != NULL);
    CHECK(hit == cJSON_GetArrayItem(p.ops[0].value, 1));
    CHECK(wh_patch_find_item(&p, "/spec/volumes", "name", "other") == NULL);
    CHECK(wh_patch_find_item(&p, "/spec/volumes", "mountPath", "a") == NULL);
    wh_patch_cleanup(&p);
}

static void test_find_item_in_dash_op(void)
{
    cJSON *existing = cJSON_CreateArray();
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, existing, "/spec/volumes", named("a"), NULL));
    CHECK_OK(wh_patch_append(&p, existing, "/spec/volumes", named("b"), NULL));
    CHECK(wh_patch_find_item(&p, "/spec/volumes", "name", "b") == p.ops[1].value);
    CHECK(wh_patch_find_item(&p, "/spec/volumes", "name", "a") == p.ops[0].value);
    CHECK(wh_patch_find_item(&p, "/spec/volumes", "name", "c") == NULL);
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_find_item_path_must_match_exactly(void)
{
    cJSON *existing = cJSON_CreateArray();
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/containers/1/env", named("X"), NULL));
    CHECK_OK(wh_patch_append(&p, existing, "/spec/containers/10/env", named("Y"), NULL));
    CHECK(wh_patch_find_item(&p, "/spec/containers/1/env", "name", "X") != NULL);
    CHECK(wh_patch_find_item(&p, "/spec/containers/1/env", "name", "Y") == NULL);
    CHECK(wh_patch_find_item(&p, "/spec/containers/10/env", "name", "X") == NULL);
    CHECK(wh_patch_find_item(&p, "/spec/containers/1", "name", "X") == NULL);
    CHECK(wh_patch_find_item(&p, "/spec/containers/1/en", "name", "X") == NULL);
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

/* Many containers: the ops index grows (and is rebuilt) many times, and
 * every lookup still finds exactly its own container's items, in order. */
static void test_find_item_across_many_containers(void)
{
    cJSON *existing = cJSON_CreateArray();
    struct wh_err err = { 0 };
    struct wh_patch p;
    char path[64], name[32];
    size_t i, k;

    wh_patch_init(&p);
    for (i = 0; i < 300; i++) {
        for (k = 0; k < 3; k++) {
            cJSON *e = cJSON_CreateObject();

            (void)snprintf(path, sizeof(path), "/spec/containers/%zu/env", i);
            (void)snprintf(name, sizeof(name), "E%zu_%zu", i, k);
            cJSON_AddStringToObject(e, "name", name);
            /* even containers have an env array (ops "/-"), odd ones do not */
            CHECK_OK(wh_patch_append(&p, i % 2 ? NULL : existing, path, e, &err));
        }
    }
    CHECK_EQ(p.n, 150 * 3 + 150);
    for (i = 0; i < 300; i++) {
        (void)snprintf(path, sizeof(path), "/spec/containers/%zu/env", i);
        for (k = 0; k < 3; k++) {
            const cJSON *hit;

            (void)snprintf(name, sizeof(name), "E%zu_%zu", i, k);
            hit = wh_patch_find_item(&p, path, "name", name);
            CHECK(hit != NULL);
            CHECK_STR_EQ(wh_json_get_str(hit, "name"), name);
            (void)snprintf(name, sizeof(name), "E%zu_%zu", (i + 1) % 300, k);
            CHECK(wh_patch_find_item(&p, path, "name", name) == NULL);
        }
    }
    wh_patch_cleanup(&p);
    cJSON_Delete(existing);
}

static void test_render_empty(void)
{
    struct wh_patch p;

    wh_patch_init(&p);
    check_render(&p, "[]");
    wh_patch_cleanup(&p);
}

static void test_render_mixed(void)
{
    cJSON *arr = cJSON_CreateArray();
    struct wh_patch p;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, arr, "/spec/volumes", named("v"), NULL));
    CHECK_OK(
        wh_patch_put(&p, NULL, "/spec/securityContext", "fsGroup", cJSON_CreateNumber(1000), NULL));
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/containers/0/env", named("E"), NULL));
    check_render(&p, "[{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":{\"name\":\"v\"}},"
                     "{\"op\":\"add\",\"path\":\"/spec/securityContext\","
                     "\"value\":{\"fsGroup\":1000}},"
                     "{\"op\":\"add\",\"path\":\"/spec/containers/0/env\","
                     "\"value\":[{\"name\":\"E\"}]}]");
    CHECK_EQ(p.n, 3);
    CHECK_EQ(p.edits, 3);
    wh_patch_cleanup(&p);
    cJSON_Delete(arr);
}

static void test_render_cap_both_sides(void)
{
    struct wh_patch p;
    struct wh_buf b;
    char *full;
    size_t len;

    wh_patch_init(&p);
    CHECK_OK(wh_patch_append(&p, NULL, "/spec/volumes", named("v"), NULL));
    full = render(&p);
    len = strlen(full);
    wh_buf_init(&b, len);
    CHECK_OK(wh_patch_render(&p, &b));
    CHECK_STR_EQ(wh_buf_str(&b), full);
    wh_buf_cleanup(&b);
    free(full);
    wh_buf_init(&b, len - 1);
    CHECK_RC(wh_patch_render(&p, &b), WH_ETOOBIG);
    wh_buf_cleanup(&b);
    wh_patch_cleanup(&p);
}

static void test_many_ops_grow(void)
{
    cJSON *arr = cJSON_CreateArray();
    struct wh_patch p;
    char name[16];
    int i;

    wh_patch_init(&p);
    for (i = 0; i < 100; i++) {
        (void)snprintf(name, sizeof(name), "v%d", i);
        CHECK_OK(wh_patch_append(&p, arr, "/spec/volumes", named(name), NULL));
    }
    CHECK_EQ(p.n, 100);
    CHECK_EQ(p.edits, 100);
    CHECK(wh_patch_find_item(&p, "/spec/volumes", "name", "v99") == p.ops[99].value);
    wh_patch_cleanup(&p);
    cJSON_Delete(arr);
}

static void test_cleanup_idempotent(void)
{
    struct wh_patch p;

    wh_patch_init(&p);
    wh_patch_cleanup(&p);
    CHECK_OK(wh_patch_append(&p, NULL, "/a", named("x"), NULL));
    wh_patch_cleanup(&p);
    CHECK_EQ(p.n, 0);
    CHECK_EQ(p.edits, 0);
    wh_patch_cleanup(&p);
    check_render(&p, "[]");
}

static const struct check_test tests[] = {
    CHECK_TEST(test_ptr_seg_plain),
    CHECK_TEST(test_ptr_seg_escapes),
    CHECK_TEST(test_ptr_seg_appends_and_empty),
    CHECK_TEST(test_ptr_seg_size_limit),
    CHECK_TEST(test_ptr_seg_size_limit_escape),
    CHECK_TEST(test_ptr_idx),
    CHECK_TEST(test_ptr_idx_size_limit),
    CHECK_TEST(test_ptr_unescape),
    CHECK_TEST(test_ptr_round_trip),
    CHECK_TEST(test_ptr_unescape_bad_escapes),
    CHECK_TEST(test_ptr_unescape_size_limit),
    CHECK_TEST(test_append_existing_array),
    CHECK_TEST(test_append_missing_array_creates_once),
    CHECK_TEST(test_append_missing_arrays_by_path),
    CHECK_TEST(test_append_pointer_too_long),
    CHECK_TEST(test_put_existing_object_escapes_key),
    CHECK_TEST(test_put_missing_object_creates_once),
    CHECK_TEST(test_put_key_needing_json_escape),
    CHECK_TEST(test_put_pointer_too_long),
    CHECK_TEST(test_find_item_in_created_array),
    CHECK_TEST(test_find_item_in_dash_op),
    CHECK_TEST(test_find_item_path_must_match_exactly),
    CHECK_TEST(test_find_item_across_many_containers),
    CHECK_TEST(test_render_empty),
    CHECK_TEST(test_render_mixed),
    CHECK_TEST(test_render_cap_both_sides),
    CHECK_TEST(test_many_ops_grow),
    CHECK_TEST(test_cleanup_idempotent),
};

CHECK_MAIN(tests)
