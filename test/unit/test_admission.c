/* SPDX-License-Identifier: Apache-2.0
 *
 * test_admission.c - server/admission: AdmissionReview v1 and v1beta1 in and
 * echoed out, every refusal of a malformed review, what counts as a pod
 * CREATE, the allowed response with and without a patch, warnings, error
 * responses, and the fallback document past the output cap.
 */
#include "admission.h"
#include "check.h"
#include "util/b64.h"

#include "banned.h"

#define V1      "admission.k8s.io/v1"
#define V1BETA1 "admission.k8s.io/v1beta1"
#define UID     "705ab4f5-6393-11e8-b7cc-42010a800002"

#define REVIEW(api, req) \
    "{\"apiVersion\":\"" api "\",\"kind\":\"AdmissionReview\",\"request\":" req "}"
#define TARGET(group, kind, resource)                                              \
    "\"kind\":{\"group\":\"" group "\",\"version\":\"v1\",\"kind\":\"" kind "\"}," \
    "\"resource\":{\"group\":\"" group "\",\"version\":\"v1\",\"resource\":\"" resource "\"}"
#define POD_TARGET TARGET("", "Pod", "pods")
#define POD_OBJECT "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[]}}"
/* A request with the given uid member, target, operation and extra members. */
#define REQUEST(uid, target, op, extra)                                                     \
    "{" uid target ",\"operation\":\"" op "\",\"namespace\":\"spark-jobs\",\"name\":\"p\"," \
    "\"userInfo\":{\"username\":\"system:serviceaccount:kube-system:rs\"}" extra "}"
#define POD_CREATE(extra) REQUEST("\"uid\":\"" UID "\",", POD_TARGET, "CREATE", extra)

static const char pod_create_v1[] = REVIEW(V1, POD_CREATE(",\"object\":" POD_OBJECT));

static int parse(struct wh_admission *adm, const char *text, struct wh_err *err)
{
    wh_admission_init(adm);
    return wh_admission_parse(adm, text, strlen(text), 100, err);
}

/* Parses a review that must be refused; the message must contain want. */
static void check_bad(const char *text, const char *want)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };
    int rc = parse(&adm, text, &err);

    wh_admission_cleanup(&adm);
    if (rc == WH_OK)
        CHECK_FAIL_("accepted: %s", text);
    if (strstr(err.msg, want) == NULL)
        CHECK_FAIL_("message \"%s\" lacks \"%s\"", err.msg, want);
}

/* The "response" member of a rendered review, which must be valid JSON
 * with the expected apiVersion and kind. Caller deletes *root. */
static const cJSON *response_of(const struct wh_buf *out, const char *api, cJSON **root)
{
    *root = cJSON_Parse(wh_buf_str(out));
    if (*root == NULL)
        CHECK_FAIL_("response is not JSON: %s", wh_buf_str(out));
    CHECK_STR_EQ(wh_json_get_str(*root, "apiVersion"), api);
    CHECK_STR_EQ(wh_json_get_str(*root, "kind"), "AdmissionReview");
    CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(*root, "response")));
    return cJSON_GetObjectItemCaseSensitive(*root, "response");
}

/* ---- parsing ----------------------------------------------------------- */

static void test_v1_pod_create(void)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    CHECK_STR_EQ(adm.api_version, V1);
    CHECK_STR_EQ(adm.uid, UID);
    CHECK_STR_EQ(adm.operation, "CREATE");
    CHECK_STR_EQ(adm.namespace_, "spark-jobs");
    CHECK_STR_EQ(adm.name, "p");
    CHECK_STR_EQ(adm.username, "system:serviceaccount:kube-system:rs");
    CHECK(adm.pod_create);
    CHECK(cJSON_IsObject(adm.object));
    CHECK_STR_EQ(wh_json_get_str(adm.object, "kind"), "Pod");
    wh_admission_cleanup(&adm);
    CHECK(adm.root == NULL);
    CHECK(adm.uid == NULL);
}

static void test_v1beta1_pod_create(void)
{
    static const char text[] = REVIEW(V1BETA1, POD_CREATE(",\"object\":" POD_OBJECT));
    struct wh_admission adm;
    struct wh_err err = { 0 };

    CHECK_OK(parse(&adm, text, &err));
    CHECK_STR_EQ(adm.api_version, V1BETA1);
    CHECK(adm.pod_create);
    wh_admission_cleanup(&adm);
}

static void test_optional_fields_default_empty(void)
{
    static const char text[] =
        REVIEW(V1, "{\"uid\":\"u\"," POD_TARGET ",\"operation\":\"CREATE\",\"object\":{}}");
    struct wh_admission adm;
    struct wh_err err = { 0 };

    CHECK_OK(parse(&adm, text, &err));
    CHECK_STR_EQ(adm.namespace_, "");
    CHECK_STR_EQ(adm.name, "");
    CHECK_STR_EQ(adm.username, "");
    CHECK(adm.pod_create); /* an object without kind is taken as the Pod */
    wh_admission_cleanup(&adm);
}

static void test_wrong_api_version_or_kind(void)
{
    check_bad(REVIEW("admission.k8s.io/v2", POD_CREATE(",\"object\":" POD_OBJECT)), "apiVersion");
    check_bad(REVIEW("v1", POD_CREATE(",\"object\":" POD_OBJECT)), "apiVersion");
    check_bad("{\"kind\":\"AdmissionReview\",\"request\":{}}", "apiVersion");
    check_bad("{\"apiVersion\":\"" V1 "\",\"kind\":\"AdmissionRequest\",\"request\":{}}", "kind");
    check_bad("{\"apiVersion\":\"" V1 "\",\"request\":{}}", "kind");
}

static void test_not_an_object(void)
{
    check_bad("[]", "expected an AdmissionReview object, got array");
    check_bad("\"x\"", "got string");
    check_bad("{", "invalid JSON");
    check_bad("", "invalid JSON");
}

static void test_request_not_an_object(void)
{
    check_bad(REVIEW(V1, "[]"), "review.request: expected object, got array");
    check_bad(REVIEW(V1, "\"r\""), "review.request: expected object, got string");
    check_bad("{\"apiVersion\":\"" V1 "\",\"kind\":\"AdmissionReview\"}", "request: missing");
}

static void test_uid_missing_or_empty(void)
{
    check_bad(REVIEW(V1, REQUEST("", POD_TARGET, "CREATE", ",\"object\":{}")), "request.uid");
    check_bad(REVIEW(V1, REQUEST("\"uid\":\"\",", POD_TARGET, "CREATE", ",\"object\":{}")),
              "request.uid");
    check_bad(REVIEW(V1, REQUEST("\"uid\":5,", POD_TARGET, "CREATE", ",\"object\":{}")),
              "request.uid: expected string, got number");
}

/* A pod CREATE review whose uid is n characters. */
static void review_with_uid(char *buf, size_t size, size_t n)
{
    char uid[WH_UID_MAX + 8];

    memset(uid, 'u', n);
    uid[n] = '\0';
    (void)snprintf(buf, size,
                   REVIEW(V1, REQUEST("\"uid\":\"%s\",", POD_TARGET, "CREATE", ",\"object\":{}")),
                   uid);
}

static void test_uid_length_limit(void)
{
    char text[1024];
    struct wh_admission adm;
    struct wh_err err = { 0 };

    review_with_uid(text, sizeof(text), WH_UID_MAX);
    CHECK_OK(parse(&adm, text, &err));
    CHECK_EQ(strlen(adm.uid), WH_UID_MAX);
    wh_admission_cleanup(&adm);
    review_with_uid(text, sizeof(text), WH_UID_MAX + 1);
    CHECK_RC(parse(&adm, text, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "request.uid: longer than 128") != NULL);
    CHECK(adm.uid == NULL); /* never echoed */
    wh_admission_cleanup(&adm);
}

static void test_depth_limit(void)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };

    wh_admission_init(&adm);
    /* The pod review nests 5 levels: review, request, object, spec,
     * containers. */
    CHECK_RC(wh_admission_parse(&adm, pod_create_v1, strlen(pod_create_v1), 4, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "nesting") != NULL);
    wh_admission_cleanup(&adm);
    wh_admission_init(&adm);
    CHECK_OK(wh_admission_parse(&adm, pod_create_v1, strlen(pod_create_v1), 5, &err));
    wh_admission_cleanup(&adm);
}

static void check_not_pod_create(const char *text)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };
    int rc = parse(&adm, text, &err);
    bool pod_create = adm.pod_create;
    bool has_object = adm.object != NULL;

    wh_admission_cleanup(&adm);
    if (rc != WH_OK)
        CHECK_FAIL_("refused (%s): %s", err.msg, text);
    CHECK(!pod_create);
    CHECK(!has_object);
}

static void test_update_is_not_pod_create(void)
{
    check_not_pod_create(
        REVIEW(V1, REQUEST("\"uid\":\"u\",", POD_TARGET, "UPDATE",
                           ",\"object\":" POD_OBJECT ",\"oldObject\":" POD_OBJECT)));
    check_not_pod_create(REVIEW(V1, REQUEST("\"uid\":\"u\",", POD_TARGET, "DELETE", "")));
}

static void test_configmap_create_is_not_pod_create(void)
{
    check_not_pod_create(REVIEW(V1, REQUEST("\"uid\":\"u\",", TARGET("", "ConfigMap", "configmaps"),
                                            "CREATE", ",\"object\":{\"kind\":\"ConfigMap\"}")));
    check_not_pod_create(REVIEW(V1, REQUEST("\"uid\":\"u\",", TARGET("example.com", "Pod", "pods"),
                                            "CREATE", ",\"object\":{}")));
}

static void test_subresource_is_not_pod_create(void)
{
    check_not_pod_create(REVIEW(V1, REQUEST("\"uid\":\"u\",", POD_TARGET, "CREATE",
                                            ",\"subResource\":\"status\",\"object\":{}")));
    check_not_pod_create(REVIEW(V1, REQUEST("\"uid\":\"u\",", POD_TARGET, "CREATE",
                                            ",\"subResource\":\"binding\",\"object\":{}")));
}

static void test_pod_create_object_errors(void)
{
    check_bad(REVIEW(V1, POD_CREATE(",\"object\":\"pod\"")),
              "request.object: expected a Pod object, got string");
    check_bad(REVIEW(V1, POD_CREATE("")), "request.object: expected a Pod object, got nothing");
    check_bad(REVIEW(V1, POD_CREATE(",\"object\":null")), "request.object");
    check_bad(REVIEW(V1, POD_CREATE(",\"object\":{\"kind\":\"ConfigMap\"}")),
              "request.object: kind is not Pod");
    check_bad(REVIEW(V1, POD_CREATE(",\"object\":{\"kind\":5}")),
              "request.object: kind is not Pod");
}

static void test_target_errors(void)
{
    check_bad(REVIEW(V1, "{\"uid\":\"u\",\"operation\":\"CREATE\"}"),
              "request.kind and request.resource");
    check_bad(REVIEW(V1, "{\"uid\":\"u\"," POD_TARGET "}"), "request.operation");
    check_bad(REVIEW(V1, "{\"uid\":\"u\"," POD_TARGET ",\"operation\":1}"), "request.operation");
}

static void test_error_keeps_version_and_uid(void)
{
    static const char text[] = REVIEW(V1BETA1, POD_CREATE(",\"object\":{\"kind\":\"ConfigMap\"}"));
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;
    const cJSON *resp;
    cJSON *root;

    CHECK_RC(parse(&adm, text, &err), WH_EPARSE);
    CHECK_STR_EQ(adm.api_version, V1BETA1);
    CHECK_STR_EQ(adm.uid, UID);
    wh_buf_init(&out, 4096);
    wh_admission_error(&adm, 400, err.msg, &out);
    resp = response_of(&out, V1BETA1, &root);
    CHECK_STR_EQ(wh_json_get_str(resp, "uid"), UID);
    cJSON_Delete(root);
    wh_buf_cleanup(&out);
    wh_admission_cleanup(&adm);
}

/* ---- responses --------------------------------------------------------- */

static void test_allow_without_patch(void)
{
    static const char *const patches[] = { NULL, "[]" };
    struct wh_admission adm;
    struct wh_err err = { 0 };
    size_t i;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    for (i = 0; i < WH_NELEM(patches); i++) {
        struct wh_buf out;
        const cJSON *resp;
        cJSON *root;

        wh_buf_init(&out, 4096);
        wh_admission_allow(&adm, patches[i], patches[i] ? strlen(patches[i]) : 0, NULL, &out);
        resp = response_of(&out, V1, &root);
        wh_buf_cleanup(&out);
        CHECK_STR_EQ(wh_json_get_str(resp, "uid"), UID);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
        CHECK(cJSON_GetObjectItemCaseSensitive(resp, "patchType") == NULL);
        CHECK(cJSON_GetObjectItemCaseSensitive(resp, "patch") == NULL);
        CHECK(cJSON_GetObjectItemCaseSensitive(resp, "warnings") == NULL);
        CHECK(cJSON_GetObjectItemCaseSensitive(resp, "status") == NULL);
        cJSON_Delete(root);
    }
    wh_admission_cleanup(&adm);
}

static void test_allow_with_patch(void)
{
    static const char patch[] = "[{\"op\":\"add\",\"path\":\"/spec/volumes\",\"value\":[]}]";
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out, dec;
    const cJSON *resp;
    const char *b64;
    cJSON *root;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    wh_buf_init(&out, 4096);
    wh_admission_allow(&adm, patch, strlen(patch), NULL, &out);
    resp = response_of(&out, V1, &root);
    wh_buf_cleanup(&out);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    CHECK_STR_EQ(wh_json_get_str(resp, "patchType"), "JSONPatch");
    b64 = wh_json_get_str(resp, "patch");
    CHECK(b64 != NULL);
    wh_buf_init(&dec, 4096);
    CHECK_OK(wh_b64_decode(b64, strlen(b64), &dec));
    CHECK_STR_EQ(wh_buf_str(&dec), patch);
    wh_buf_cleanup(&dec);
    cJSON_Delete(root);
    wh_admission_cleanup(&adm);
}

static void test_allow_echoes_v1beta1(void)
{
    static const char text[] = REVIEW(V1BETA1, POD_CREATE(",\"object\":" POD_OBJECT));
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;
    const cJSON *resp;
    cJSON *root;

    CHECK_OK(parse(&adm, text, &err));
    wh_buf_init(&out, 4096);
    wh_admission_allow(&adm, "[1]", 3, NULL, &out);
    resp = response_of(&out, V1BETA1, &root);
    wh_buf_cleanup(&out);
    CHECK_STR_EQ(wh_json_get_str(resp, "uid"), UID);
    CHECK_STR_EQ(wh_json_get_str(resp, "patch"), "WzFd");
    cJSON_Delete(root);
    wh_admission_cleanup(&adm);
}

static void test_allow_with_warnings(void)
{
    struct wh_admission adm;
    struct wh_warnings w;
    struct wh_err err = { 0 };
    struct wh_buf out;
    const cJSON *resp, *list;
    cJSON *root;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    wh_warnings_init(&w);
    wh_warn(&w, "first \"quoted\" %d", 1);
    wh_warn(&w, "second\nline");
    wh_warn(&w, "first \"quoted\" %d", 1); /* a duplicate */
    wh_buf_init(&out, 4096);
    wh_admission_allow(&adm, NULL, 0, &w, &out);
    wh_warnings_cleanup(&w);
    resp = response_of(&out, V1, &root);
    wh_buf_cleanup(&out);
    list = cJSON_GetObjectItemCaseSensitive(resp, "warnings");
    CHECK_EQ(cJSON_GetArraySize(list), 2);
    CHECK_STR_EQ(cJSON_GetArrayItem(list, 0)->valuestring, "sparkhook: first \"quoted\" 1");
    CHECK_STR_EQ(cJSON_GetArrayItem(list, 1)->valuestring, "sparkhook: second\nline");
    cJSON_Delete(root);
    wh_admission_cleanup(&adm);
}

static void test_warnings_past_count_cap(void)
{
    struct wh_admission adm;
    struct wh_warnings w;
    struct wh_err err = { 0 };
    struct wh_buf out;
    const cJSON *list;
    cJSON *root;
    int i;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    wh_warnings_init(&w);
    for (i = 0; i < WH_WARNINGS_MAX + 4; i++)
        wh_warn(&w, "warning %d", i);
    wh_buf_init(&out, 8192);
    wh_admission_allow(&adm, NULL, 0, &w, &out);
    wh_warnings_cleanup(&w);
    list = cJSON_GetObjectItemCaseSensitive(response_of(&out, V1, &root), "warnings");
    wh_buf_cleanup(&out);
    /* WH_WARNINGS_MAX - 1 messages and one note for the 5 dropped. */
    CHECK_EQ(cJSON_GetArraySize(list), WH_WARNINGS_MAX);
    CHECK_STR_EQ(cJSON_GetArrayItem(list, 0)->valuestring, "sparkhook: warning 0");
    CHECK_STR_EQ(cJSON_GetArrayItem(list, WH_WARNINGS_MAX - 1)->valuestring,
                 "sparkhook: 5 more warnings not shown");
    cJSON_Delete(root);
    wh_admission_cleanup(&adm);
}

static void test_error_response(void)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;
    const cJSON *resp, *status;
    cJSON *root;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    wh_buf_init(&out, 4096);
    wh_admission_error(&adm, 500, "patch \"too\" large\n", &out);
    resp = response_of(&out, V1, &root);
    wh_buf_cleanup(&out);
    CHECK_STR_EQ(wh_json_get_str(resp, "uid"), UID);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    CHECK(cJSON_GetObjectItemCaseSensitive(resp, "patch") == NULL);
    status = cJSON_GetObjectItemCaseSensitive(resp, "status");
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(status, "code")->valueint, 500);
    CHECK_STR_EQ(wh_json_get_str(status, "message"), "patch \"too\" large\n");
    CHECK_STR_EQ(wh_json_get_str(status, "reason"), "InternalError");
    CHECK_STR_EQ(wh_json_get_str(status, "status"), "Failure");
    cJSON_Delete(root);
    wh_admission_cleanup(&adm);
}

static void test_error_reasons(void)
{
    static const struct {
        int code;
        const char *reason;
    } cases[] = { { 400, "BadRequest" },
                  { 413, "RequestEntityTooLarge" },
                  { 500, "InternalError" } };
    struct wh_admission adm;
    size_t i;

    wh_admission_init(&adm); /* nothing parsed: v1 and an empty uid */
    for (i = 0; i < WH_NELEM(cases); i++) {
        struct wh_buf out;
        const cJSON *resp, *status;
        cJSON *root;

        wh_buf_init(&out, 4096);
        wh_admission_error(&adm, cases[i].code, "m", &out);
        resp = response_of(&out, V1, &root);
        wh_buf_cleanup(&out);
        status = cJSON_GetObjectItemCaseSensitive(resp, "status");
        CHECK_STR_EQ(wh_json_get_str(resp, "uid"), "");
        CHECK_EQ(cJSON_GetObjectItemCaseSensitive(status, "code")->valueint, cases[i].code);
        CHECK_STR_EQ(wh_json_get_str(status, "reason"), cases[i].reason);
        cJSON_Delete(root);
    }
    wh_admission_cleanup(&adm);
}

/* Renders an allowed response with a patch of n bytes into a buffer of
 * the given cap. */
static void allow_big(const struct wh_admission *adm, size_t n, size_t cap, struct wh_buf *out)
{
    char *patch = malloc(n + 1);

    CHECK(patch != NULL);
    memset(patch, ' ', n);
    patch[0] = '[';
    patch[n - 1] = ']';
    patch[n] = '\0';
    wh_buf_init(out, cap);
    wh_admission_allow(adm, patch, n, NULL, out);
    free(patch);
}

static void check_fallback(const struct wh_buf *out, const char *api)
{
    const cJSON *resp, *status;
    cJSON *root;

    resp = response_of(out, api, &root);
    status = cJSON_GetObjectItemCaseSensitive(resp, "status");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(status, "code")->valueint, 500);
    CHECK(cJSON_GetObjectItemCaseSensitive(resp, "patch") == NULL);
    cJSON_Delete(root);
}

static void test_fallback_past_cap(void)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    allow_big(&adm, 3000, 400, &out);
    check_fallback(&out, V1);
    wh_buf_cleanup(&out);
    wh_admission_error(&adm, 400, "", &out); /* out was cleaned: same cap */
    CHECK(strstr(wh_buf_str(&out), "\"code\":400") != NULL);
    wh_buf_cleanup(&out);
    wh_admission_cleanup(&adm);
}

/* The real response is used up to exactly the cap; one byte less falls
 * back. */
static void test_fallback_boundary(void)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;
    size_t full;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    allow_big(&adm, 600, 1 << 16, &out);
    full = wh_buf_len(&out);
    CHECK(strstr(wh_buf_str(&out), "\"patch\":") != NULL);
    wh_buf_cleanup(&out);
    allow_big(&adm, 600, full, &out);
    CHECK_EQ(wh_buf_len(&out), full);
    CHECK(strstr(wh_buf_str(&out), "\"patch\":") != NULL);
    wh_buf_cleanup(&out);
    allow_big(&adm, 600, full - 1, &out);
    check_fallback(&out, V1);
    wh_buf_cleanup(&out);
    wh_admission_cleanup(&adm);
}

static void test_fallback_error_message_too_long(void)
{
    static const char text[] = REVIEW(V1BETA1, POD_CREATE(",\"object\":" POD_OBJECT));
    char message[1024];
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;

    CHECK_OK(parse(&adm, text, &err));
    memset(message, 'm', sizeof(message) - 1);
    message[sizeof(message) - 1] = '\0';
    wh_buf_init(&out, 512);
    wh_admission_error(&adm, 400, message, &out);
    check_fallback(&out, V1BETA1);
    wh_buf_cleanup(&out);
    wh_admission_cleanup(&adm);
}

/* The apiserver rejects a response whose uid differs from the request's,
 * so the fallback must echo it too (it is at most WH_UID_MAX bytes). */
static void test_fallback_echoes_uid(void)
{
    struct wh_admission adm;
    struct wh_err err = { 0 };
    struct wh_buf out;
    cJSON *root;
    const char *uid;
    bool same;

    CHECK_OK(parse(&adm, pod_create_v1, &err));
    allow_big(&adm, 3000, 600, &out);
    uid = wh_json_get_str(response_of(&out, V1, &root), "uid");
    same = uid != NULL && strcmp(uid, UID) == 0;
    cJSON_Delete(root);
    wh_buf_cleanup(&out);
    wh_admission_cleanup(&adm);
    CHECK(same);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_v1_pod_create),
    CHECK_TEST(test_v1beta1_pod_create),
    CHECK_TEST(test_optional_fields_default_empty),
    CHECK_TEST(test_wrong_api_version_or_kind),
    CHECK_TEST(test_not_an_object),
    CHECK_TEST(test_request_not_an_object),
    CHECK_TEST(test_uid_missing_or_empty),
    CHECK_TEST(test_uid_length_limit),
    CHECK_TEST(test_depth_limit),
    CHECK_TEST(test_update_is_not_pod_create),
    CHECK_TEST(test_configmap_create_is_not_pod_create),
    CHECK_TEST(test_subresource_is_not_pod_create),
    CHECK_TEST(test_pod_create_object_errors),
    CHECK_TEST(test_target_errors),
    CHECK_TEST(test_error_keeps_version_and_uid),
    CHECK_TEST(test_allow_without_patch),
    CHECK_TEST(test_allow_with_patch),
    CHECK_TEST(test_allow_echoes_v1beta1),
    CHECK_TEST(test_allow_with_warnings),
    CHECK_TEST(test_warnings_past_count_cap),
    CHECK_TEST(test_error_response),
    CHECK_TEST(test_error_reasons),
    CHECK_TEST(test_fallback_past_cap),
    CHECK_TEST(test_fallback_boundary),
    CHECK_TEST(test_fallback_error_message_too_long),
    CHECK_TEST(test_fallback_echoes_uid),
};

CHECK_MAIN(tests)
