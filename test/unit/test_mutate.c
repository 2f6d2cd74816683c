/* SPDX-License-Identifier: Apache-2.0
 *
 * test_mutate.c - server/mutate end to end, in process: a snapshot read
 * with wh_objects_parse from an inline List, reviews built inline, and the
 * verdict, the patch (checked by applying it), the warnings and the HTTP
 * status of each decision: injection, idempotence, skips, malformed ARNs,
 * token expiration clamping, skip-containers, user-set variables, region,
 * fsGroup, and the body and patch size limits on both sides.
 */
#include "apply.h"
#include "check.h"
#include "config.h"
#include "mutate.h"
#include "objects.h"
#include "patches.h"
#include "util/b64.h"
#include "util/mem.h"

#include "banned.h"

#define ROLE_ARN   "arn:aws:iam::111122223333:role/x"
#define ROLE_ANN   "\"eks.amazonaws.com/role-arn\":\"" ROLE_ARN "\""
#define MOUNT      "/var/run/secrets/eks.amazonaws.com/serviceaccount"
#define TOKEN_FILE MOUNT "/token"
#define ONE_CTR    "[{\"name\":\"spark-kubernetes-executor\",\"image\":\"spark:3.5.1\"}]"

/* One run of the pipeline and what it produced. */
struct scenario {
    struct wh_config *cfg;
    struct wh_snapshot *snap;
    char *pod; /* the pod sent in the review */
    struct wh_result res;
    cJSON *out;  /* the pod after the patch (the pod itself without one) */
    cJSON *resp; /* the parsed response body */
};

/* ---- inputs ------------------------------------------------------------ */

static char *take(struct wh_buf *b)
{
    return wh_buf_take(b, NULL);
}

/* A List with the namespace "spark-jobs" (sparkhook.io/inject set to
 * inject, plus ns_ann), the namespace "plain" without the annotation, and
 * the service accounts spark-jobs/spark (with sa_ann) and plain/spark. */
static struct wh_snapshot *snapshot_inject(const char *inject, const char *ns_ann,
                                           const char *sa_ann)
{
    struct wh_err err = { 0 };
    struct wh_snapshot *snap = NULL;
    struct wh_buf b;
    char *text;
    int rc;

    wh_buf_init(&b, 1 << 16);
    CHECK_OK(wh_buf_printf(
        &b,
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"spark-jobs\","
        "\"annotations\":{\"sparkhook.io/inject\":\"%s\"%s}}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"plain\"}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"spark\","
        "\"namespace\":\"spark-jobs\",\"annotations\":{%s}}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"spark\","
        "\"namespace\":\"plain\",\"annotations\":{" ROLE_ANN "}}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\","
        "\"namespace\":\"spark-jobs\"}}]}",
        inject, ns_ann, sa_ann));
    text = take(&b);
    rc = wh_objects_parse(text, strlen(text), &snap, &err);
    free(text);
    if (rc != WH_OK)
        CHECK_FAIL_("wh_objects_parse: %s", err.msg);
    return snap;
}

static struct wh_snapshot *snapshot(const char *ns_ann, const char *sa_ann)
{
    return snapshot_inject("true", ns_ann, sa_ann);
}

/* A Spark pod (role NULL: no spark-role label) with extra pod annotations
 * (JSON members), its containers array and extra spec members. */
static char *make_pod(const char *role, const char *ann, const char *containers, const char *spec)
{
    struct wh_buf b;

    wh_buf_init(&b, 1 << 20);
    CHECK_OK(wh_buf_printf(
        &b,
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"spark-pi-exec-1\","
        "\"namespace\":\"spark-jobs\",\"labels\":{\"spark-app-selector\":\"spark-1\"%s%s%s},"
        "\"annotations\":{%s}},\"spec\":{\"serviceAccountName\":\"spark\","
        "\"restartPolicy\":\"Never\",\"containers\":%s%s}}",
        role ? ",\"spark-role\":\"" : "", role ? role : "", role ? "\"" : "", ann, containers,
        spec));
    return take(&b);
}

static char *make_review(const char *op, const char *ns, const char *pod)
{
    struct wh_buf b;

    wh_buf_init(&b, 1 << 20);
    CHECK_OK(wh_buf_printf(
        &b,
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{"
        "\"uid\":\"e911857d-c318-11e8-bbad-025000000001\","
        "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
        "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        "\"operation\":\"%s\",\"namespace\":\"%s\",\"userInfo\":{\"username\":\"system:admin\"},"
        "\"object\":%s,\"dryRun\":false}}",
        op, ns, pod));
    return take(&b);
}

/* ---- running ----------------------------------------------------------- */

static void setup(struct scenario *s, const char *cfg_text, struct wh_snapshot *snap, char *pod)
{
    struct wh_err err = { 0 };

    memset(s, 0, sizeof(*s));
    s->snap = snap;
    s->pod = pod;
    if (cfg_text == NULL)
        s->cfg = wh_config_new_defaults();
    else if (wh_config_parse(cfg_text, strlen(cfg_text), &s->cfg, &err) != WH_OK)
        CHECK_FAIL_("config %s: %s", cfg_text, err.msg);
}

static void teardown(struct scenario *s)
{
    cJSON_Delete(s->out);
    cJSON_Delete(s->resp);
    wh_result_cleanup(&s->res);
    free(s->pod);
    wh_snapshot_unref(s->snap);
    wh_config_free(s->cfg);
    memset(s, 0, sizeof(*s));
}

/* Runs body through wh_mutate and parses the response. */
static void run_body(struct scenario *s, const char *body, size_t len)
{
    cJSON_Delete(s->resp);
    wh_result_cleanup(&s->res);
    wh_result_init(&s->res, s->cfg);
    wh_mutate(s->cfg, s->snap, body, len, &s->res);
    s->resp = cJSON_Parse(wh_buf_str(&s->res.body));
    if (s->resp == NULL)
        CHECK_FAIL_("response is not JSON: %s", wh_buf_str(&s->res.body));
}

/* Sends s->pod as a CREATE in ns, and applies the patch to a copy of it. */
static void run(struct scenario *s, const char *ns)
{
    char *body = make_review("CREATE", ns, s->pod);
    struct wh_err err = { 0 };
    int rc = WH_OK;

    run_body(s, body, strlen(body));
    free(body);
    cJSON_Delete(s->out);
    s->out = cJSON_Parse(s->pod);
    CHECK(s->out != NULL);
    if (s->res.patch.len > 0)
        rc = wh_patch_apply(s->out, wh_buf_str(&s->res.patch), s->res.patch.len, &err);
    if (rc != WH_OK)
        CHECK_FAIL_("patch does not apply (%s): %s", err.msg, wh_buf_str(&s->res.patch));
}

/* ---- looking at the results ------------------------------------------ */

static const cJSON *response(const struct scenario *s)
{
    return cJSON_GetObjectItemCaseSensitive(s->resp, "response");
}

static const cJSON *container(const struct scenario *s, const char *array, int i)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(s->out, "spec");

    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(spec, array), i);
}

static const cJSON *env_entry(const cJSON *ctr, const char *name)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ctr, "env"))
    {
        const char *n = wh_json_get_str(e, "name");

        if (n && strcmp(n, name) == 0)
            return e;
    }
    return NULL;
}

static const char *env(const cJSON *ctr, const char *name)
{
    return wh_json_get_str(env_entry(ctr, name), "value");
}

static int env_count(const cJSON *ctr, const char *name)
{
    const cJSON *e;
    int n = 0;

    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ctr, "env"))
    {
        const char *v = wh_json_get_str(e, "name");

        n += v && strcmp(v, name) == 0;
    }
    return n;
}

static const cJSON *named_in(const cJSON *arr, const char *name)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, arr)
    {
        const char *n = wh_json_get_str(e, "name");

        if (n && strcmp(n, name) == 0)
            return e;
    }
    return NULL;
}

static const cJSON *token_volume(const struct scenario *s)
{
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(s->out, "spec");

    return named_in(cJSON_GetObjectItemCaseSensitive(spec, "volumes"), "aws-iam-token");
}

/* projected.sources[0].serviceAccountToken of the token volume. */
static const cJSON *token_source(const struct scenario *s)
{
    const cJSON *projected = cJSON_GetObjectItemCaseSensitive(token_volume(s), "projected");
    const cJSON *src =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(projected, "sources"), 0);

    return cJSON_GetObjectItemCaseSensitive(src, "serviceAccountToken");
}

static double token_expiration(const struct scenario *s)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(token_source(s), "expirationSeconds");

    CHECK(cJSON_IsNumber(n));
    return n->valuedouble;
}

static const cJSON *mount_of(const cJSON *ctr, const char *name)
{
    return named_in(cJSON_GetObjectItemCaseSensitive(ctr, "volumeMounts"), name);
}

/* True when one of response.warnings contains needle. */
static bool has_warning(const struct scenario *s, const char *needle)
{
    const cJSON *w;

    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(response(s), "warnings"))
    {
        if (cJSON_IsString(w) && strstr(w->valuestring, needle) != NULL)
            return true;
    }
    return false;
}

static int warning_count(const struct scenario *s)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(response(s), "warnings"));
}

static const cJSON *status_of(const struct scenario *s)
{
    return cJSON_GetObjectItemCaseSensitive(response(s), "status");
}

static void check_no_patch(const struct scenario *s)
{
    CHECK_EQ(s->res.patch.len, 0);
    CHECK(cJSON_GetObjectItemCaseSensitive(response(s), "patch") == NULL);
    CHECK(cJSON_GetObjectItemCaseSensitive(response(s), "patchType") == NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(response(s), "allowed")));
}

/* A scenario with the default config and snapshot and an executor pod. */
static void executor(struct scenario *s, const char *ann, const char *containers, const char *spec)
{
    setup(s, NULL, snapshot("", ROLE_ANN), make_pod("executor", ann, containers, spec));
}

/* The position of a generator in the table (the bit it sets in applied). */
static unsigned generator_index(const char *name)
{
    size_t i;

    for (i = 0; i < wh_generators_count; i++) {
        if (strcmp(wh_generators[i].name, name) == 0)
            return (unsigned)i;
    }
    return 31;
}

/* ---- injection --------------------------------------------------------- */

static void test_executor_patched(void)
{
    struct scenario s;

    executor(&s, "", ONE_CTR, "");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    CHECK_STR_EQ(s.res.role, "executor");
    CHECK_STR_EQ(s.res.uid, "e911857d-c318-11e8-bbad-025000000001");
    CHECK_STR_EQ(s.res.ns, "spark-jobs");
    CHECK_STR_EQ(s.res.pod, "spark-pi-exec-1");
    CHECK(s.res.patch_ops > 0);
    CHECK_EQ(s.res.applied, 1u << generator_index("aws-irsa"));
    CHECK(strstr(wh_buf_str(&s.res.patch), "AWS_ROLE_ARN") != NULL);
    CHECK(strstr(wh_buf_str(&s.res.patch), "AWS_WEB_IDENTITY_TOKEN_FILE") != NULL);
    CHECK(strstr(wh_buf_str(&s.res.patch), "aws-iam-token") != NULL);
    teardown(&s);
}

static void test_executor_env_and_volume(void)
{
    const cJSON *ctr, *src, *mount;
    struct scenario s;

    executor(&s, "", ONE_CTR, "");
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK_STR_EQ(env(ctr, "AWS_WEB_IDENTITY_TOKEN_FILE"), TOKEN_FILE);
    CHECK(env(ctr, "AWS_REGION") == NULL); /* no region configured */
    src = token_source(&s);
    CHECK_STR_EQ(wh_json_get_str(src, "audience"), "sts.amazonaws.com");
    CHECK(token_expiration(&s) == 86400);
    CHECK_STR_EQ(wh_json_get_str(src, "path"), "token");
    mount = mount_of(ctr, "aws-iam-token");
    CHECK(mount != NULL);
    CHECK_STR_EQ(wh_json_get_str(mount, "mountPath"), MOUNT);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mount, "readOnly")));
    teardown(&s);
}

static void test_response_carries_the_patch(void)
{
    struct scenario s;
    struct wh_buf dec;
    const char *b64;

    executor(&s, "", ONE_CTR, "");
    run(&s, "spark-jobs");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(response(&s), "allowed")));
    CHECK_STR_EQ(wh_json_get_str(response(&s), "uid"), "e911857d-c318-11e8-bbad-025000000001");
    CHECK_STR_EQ(wh_json_get_str(response(&s), "patchType"), "JSONPatch");
    b64 = wh_json_get_str(response(&s), "patch");
    CHECK(b64 != NULL);
    wh_buf_init(&dec, 1 << 20);
    CHECK_OK(wh_b64_decode(b64, strlen(b64), &dec));
    CHECK_STR_EQ(wh_buf_str(&dec), wh_buf_str(&s.res.patch));
    wh_buf_cleanup(&dec);
    teardown(&s);
}

static void test_patch_is_idempotent(void)
{
    struct scenario s;
    char *patched;

    executor(&s, "", ONE_CTR, "");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    patched = cJSON_PrintUnformatted(s.out);
    free(s.pod);
    s.pod = patched;
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_ALLOWED);
    CHECK_EQ(s.res.patch_ops, 0);
    check_no_patch(&s);
    CHECK_EQ(warning_count(&s), 0);
    teardown(&s);
}

static void test_existing_arrays_are_appended(void)
{
    const cJSON *ctr;
    struct scenario s;

    executor(&s, "",
             "[{\"name\":\"c\",\"env\":[{\"name\":\"SPARK_USER\",\"value\":\"spark\"}],"
             "\"volumeMounts\":[{\"name\":\"data\",\"mountPath\":\"/data\"}]}]",
             ",\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}]");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    CHECK(strstr(wh_buf_str(&s.res.patch), "\"/spec/volumes/-\"") != NULL);
    CHECK(strstr(wh_buf_str(&s.res.patch), "\"/spec/containers/0/env/-\"") != NULL);
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "SPARK_USER"), "spark"); /* kept */
    CHECK_STR_EQ(env(ctr, "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK(mount_of(ctr, "data") != NULL);
    CHECK(mount_of(ctr, "aws-iam-token") != NULL);
    CHECK(named_in(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s.out, "spec"),
                                                    "volumes"),
                   "data") != NULL);
    teardown(&s);
}

static void test_driver_and_init_containers(void)
{
    struct scenario s;

    setup(&s, NULL, snapshot("", ROLE_ANN),
          make_pod("driver", "", "[{\"name\":\"spark-kubernetes-driver\"}]",
                   ",\"initContainers\":[{\"name\":\"init\"}]"));
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    CHECK_STR_EQ(s.res.role, "driver");
    CHECK_STR_EQ(env(container(&s, "containers", 0), "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK_STR_EQ(env(container(&s, "initContainers", 0), "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK(mount_of(container(&s, "initContainers", 0), "aws-iam-token") != NULL);
    teardown(&s);
}

/* ---- skips ------------------------------------------------------------- */

static void test_non_spark_pod_skipped(void)
{
    struct scenario s;

    setup(&s, NULL, snapshot("", ROLE_ANN), make_pod(NULL, "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_SKIPPED);
    CHECK_STR_EQ(s.res.role, "none");
    check_no_patch(&s);
    teardown(&s);
    setup(&s, NULL, snapshot("", ROLE_ANN), make_pod("shuffle", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_SKIPPED);
    teardown(&s);
}

static void test_namespace_not_opted_in(void)
{
    struct scenario s;

    executor(&s, "", ONE_CTR, "");
    run(&s, "plain");
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_SKIPPED);
    CHECK_EQ(s.res.reason, WH_REASON_NAMESPACE_NOT_OPTED_IN);
    check_no_patch(&s);
    run(&s, "unknown-namespace");
    CHECK_EQ(s.res.verdict, WH_VERDICT_SKIPPED);
    check_no_patch(&s);
    teardown(&s);
}

static void test_inject_annotation_must_be_true(void)
{
    static const char *const values[] = { "yes", "True", "1", "" };
    size_t i;

    for (i = 0; i < WH_NELEM(values); i++) {
        struct scenario s;

        setup(&s, NULL, snapshot_inject(values[i], "", ROLE_ANN),
              make_pod("executor", "", ONE_CTR, ""));
        run(&s, "spark-jobs");
        if (s.res.verdict != WH_VERDICT_SKIPPED)
            CHECK_FAIL_("sparkhook.io/inject \"%s\" opted in", values[i]);
        check_no_patch(&s);
        teardown(&s);
    }
}

static void test_update_skipped(void)
{
    struct scenario s;
    char *body;

    executor(&s, "", ONE_CTR, "");
    body = make_review("UPDATE", "spark-jobs", s.pod);
    run_body(&s, body, strlen(body));
    free(body);
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_SKIPPED);
    check_no_patch(&s);
    teardown(&s);
}

static void test_no_role_arn_allowed_without_patch(void)
{
    struct scenario s;

    setup(&s, NULL, snapshot("", "\"team\":\"data\""), make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_ALLOWED);
    check_no_patch(&s);
    teardown(&s);
}

/* ---- role ARN ---------------------------------------------------------- */

static void check_bad_arn(const char *arn)
{
    char ann[256];
    struct scenario s;

    (void)snprintf(ann, sizeof(ann), "\"eks.amazonaws.com/role-arn\":\"%s\"", arn);
    setup(&s, NULL, snapshot("", ann), make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    if (s.res.verdict != WH_VERDICT_ALLOWED || s.res.patch.len != 0)
        CHECK_FAIL_("role ARN \"%s\" was injected: %s", arn, wh_buf_str(&s.res.patch));
    CHECK_EQ(s.res.http_status, 200);
    check_no_patch(&s);
    CHECK(has_warning(&s, "eks.amazonaws.com/role-arn"));
    CHECK(has_warning(&s, "is not an IAM role ARN"));
    teardown(&s);
}

static void test_malformed_role_arn(void)
{
    check_bad_arn("arn:aws:iam::1234:role/x");
    check_bad_arn("arn:aws:iam::111122223333:role/");
    check_bad_arn("arn:aws:iam::111122223333:user/x");
    check_bad_arn("arn:aws:s3:::bucket");
    check_bad_arn("arn:aws:iam::11112222333a:role/x");
    check_bad_arn("arn:aws:iam::111122223333:role/x y");
    check_bad_arn("arn:aws:iam::111122223333:role/path/");
    check_bad_arn("role/x");
}

static void test_role_arn_partitions_and_paths(void)
{
    static const char *const good[] = {
        "arn:aws-cn:iam::111122223333:role/x",
        "arn:aws-us-gov:iam::111122223333:role/x",
        "arn:aws:iam::111122223333:role/path/to/My+Role=,.@_-1",
    };
    size_t i;

    for (i = 0; i < WH_NELEM(good); i++) {
        char ann[256];
        struct scenario s;

        (void)snprintf(ann, sizeof(ann), "\"eks.amazonaws.com/role-arn\":\"%s\"", good[i]);
        setup(&s, NULL, snapshot("", ann), make_pod("executor", "", ONE_CTR, ""));
        run(&s, "spark-jobs");
        CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
        CHECK_STR_EQ(env(container(&s, "containers", 0), "AWS_ROLE_ARN"), good[i]);
        teardown(&s);
    }
}

static void test_namespace_role_when_sa_missing(void)
{
    struct scenario s;

    setup(&s, NULL,
          snapshot(",\"sparkhook.io/aws-role-arn\":\"arn:aws:iam::111122223333:role/ns\"", ""),
          wh_xstrdup("{\"metadata\":{\"name\":\"p\",\"labels\":{\"spark-role\":\"executor\"}},"
                     "\"spec\":{\"serviceAccountName\":\"ghost\",\"containers\":" ONE_CTR "}}"));
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    CHECK_STR_EQ(env(container(&s, "containers", 0), "AWS_ROLE_ARN"),
                 "arn:aws:iam::111122223333:role/ns");
    CHECK(has_warning(&s, "spark-jobs/ghost not found"));
    teardown(&s);
}

/* ---- token expiration -------------------------------------------------- */

/* Runs an executor whose pod sets token-expiration to value; returns the
 * expirationSeconds injected and whether a warning names the annotation. */
static double expiration_for(const char *value, bool *warned)
{
    char ann[128];
    struct scenario s;
    double v;

    (void)snprintf(ann, sizeof(ann), "\"eks.amazonaws.com/token-expiration\":\"%s\"", value);
    executor(&s, ann, ONE_CTR, "");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    v = token_expiration(&s);
    *warned = has_warning(&s, "eks.amazonaws.com/token-expiration");
    teardown(&s);
    return v;
}

static void test_token_expiration_clamped_low(void)
{
    bool warned = false;

    CHECK(expiration_for("100", &warned) == 600);
    CHECK(warned);
    CHECK(expiration_for("599", &warned) == 600);
    CHECK(warned);
    CHECK(expiration_for("600", &warned) == 600);
    CHECK(!warned);
}

static void test_token_expiration_clamped_high(void)
{
    bool warned = false;

    CHECK(expiration_for("100000", &warned) == 86400);
    CHECK(warned);
    CHECK(expiration_for("86401", &warned) == 86400);
    CHECK(warned);
    CHECK(expiration_for("86400", &warned) == 86400);
    CHECK(!warned);
    CHECK(expiration_for("3600", &warned) == 3600);
    CHECK(!warned);
}

static void test_token_expiration_clamp_warning_text(void)
{
    struct scenario s;

    executor(&s, "\"eks.amazonaws.com/token-expiration\":\"100\"", ONE_CTR, "");
    run(&s, "spark-jobs");
    CHECK(has_warning(&s, "clamped to 600"));
    teardown(&s);
}

static void test_token_expiration_not_a_number(void)
{
    bool warned = false;

    CHECK(expiration_for("1h", &warned) == 86400);
    CHECK(warned);
    CHECK(expiration_for("-600", &warned) == 86400);
    CHECK(warned);
}

static void test_token_expiration_config_default(void)
{
    struct scenario s;

    setup(&s, "{\"aws\":{\"tokenExpirationSeconds\":3600}}", snapshot("", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK(token_expiration(&s) == 3600);
    teardown(&s);
}

/* ---- containers -------------------------------------------------------- */

static void test_skip_containers(void)
{
    struct scenario s;
    const cJSON *main_ctr, *side;

    executor(&s, "\"eks.amazonaws.com/skip-containers\":\"istio-proxy, sidecar\"",
             "[{\"name\":\"main\"},{\"name\":\"sidecar\"},{\"name\":\"sidecar-2\"}]", "");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    main_ctr = container(&s, "containers", 0);
    side = container(&s, "containers", 1);
    CHECK_STR_EQ(env(main_ctr, "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK(env(side, "AWS_ROLE_ARN") == NULL);
    CHECK(mount_of(side, "aws-iam-token") == NULL);
    CHECK_STR_EQ(env(container(&s, "containers", 2), "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK(has_warning(&s, "container sidecar skipped"));
    teardown(&s);
}

static void test_all_containers_skipped(void)
{
    struct scenario s;

    executor(&s, "\"eks.amazonaws.com/skip-containers\":\"main\"", "[{\"name\":\"main\"}]", "");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_ALLOWED);
    CHECK(token_volume(&s) == NULL);
    check_no_patch(&s);
    teardown(&s);
}

static void test_user_role_arn_kept(void)
{
    struct scenario s;
    const cJSON *ctr;

    executor(&s, "",
             "[{\"name\":\"main\",\"env\":[{\"name\":\"AWS_ROLE_ARN\","
             "\"value\":\"arn:aws:iam::999999999999:role/own\"}]}]",
             "");
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "AWS_ROLE_ARN"), "arn:aws:iam::999999999999:role/own");
    CHECK_EQ(env_count(ctr, "AWS_ROLE_ARN"), 1);
    CHECK_EQ(env_count(ctr, "AWS_WEB_IDENTITY_TOKEN_FILE"), 0);
    CHECK(has_warning(&s, "container main sets its own AWS_ROLE_ARN"));
    teardown(&s);
}

static void test_user_token_file_kept(void)
{
    struct scenario s;
    const cJSON *ctr;

    executor(&s, "",
             "[{\"name\":\"main\",\"env\":[{\"name\":\"AWS_WEB_IDENTITY_TOKEN_FILE\","
             "\"value\":\"/mine\"}]}]",
             "");
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "AWS_WEB_IDENTITY_TOKEN_FILE"), "/mine");
    CHECK_EQ(env_count(ctr, "AWS_WEB_IDENTITY_TOKEN_FILE"), 1);
    CHECK_EQ(env_count(ctr, "AWS_ROLE_ARN"), 0);
    teardown(&s);
}

static void test_mount_path_taken(void)
{
    struct scenario s;
    const cJSON *ctr;

    executor(&s, "",
             "[{\"name\":\"main\",\"volumeMounts\":[{\"name\":\"mine\",\"mountPath\":\"" MOUNT
             "\"}]}]",
             ",\"volumes\":[{\"name\":\"mine\",\"emptyDir\":{}}]");
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK(mount_of(ctr, "aws-iam-token") == NULL);
    CHECK(token_volume(&s) == NULL);
    CHECK(has_warning(&s, "already used by volume mine"));
    teardown(&s);
}

/* ---- region, STS, audience, fsGroup ----------------------------------- */

static void test_region_from_namespace(void)
{
    struct scenario s;
    const cJSON *ctr;

    setup(&s, NULL, snapshot(",\"sparkhook.io/aws-region\":\"eu-west-1\"", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "AWS_REGION"), "eu-west-1");
    CHECK_STR_EQ(env(ctr, "AWS_DEFAULT_REGION"), "eu-west-1");
    teardown(&s);
}

static void test_region_from_config_and_override(void)
{
    struct scenario s;

    setup(&s, "{\"aws\":{\"region\":\"us-east-1\"}}", snapshot("", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK_STR_EQ(env(container(&s, "containers", 0), "AWS_REGION"), "us-east-1");
    teardown(&s);
    setup(&s, "{\"aws\":{\"region\":\"us-east-1\"}}",
          snapshot(",\"sparkhook.io/aws-region\":\"ap-south-1\"", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK_STR_EQ(env(container(&s, "containers", 0), "AWS_REGION"), "ap-south-1");
    teardown(&s);
}

/* A namespace region that is no region name is not injected: the config's
 * is, with a warning, or none. */
static void test_region_invalid_falls_back(void)
{
    struct scenario s;
    const cJSON *ctr;

    setup(&s, "{\"aws\":{\"region\":\"us-east-1\"}}",
          snapshot(",\"sparkhook.io/aws-region\":\"EU West 1\"", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "AWS_REGION"), "us-east-1");
    CHECK_STR_EQ(env(ctr, "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK(has_warning(&s, "sparkhook.io/aws-region=\"EU West 1\": not a region name"));
    CHECK(has_warning(&s, "the config's aws.region is used"));
    teardown(&s);
    setup(&s, NULL, snapshot(",\"sparkhook.io/aws-region\":\"eu-west-1;x\"", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK(env(ctr, "AWS_REGION") == NULL);
    CHECK(env(ctr, "AWS_DEFAULT_REGION") == NULL);
    CHECK_STR_EQ(env(ctr, "AWS_ROLE_ARN"), ROLE_ARN);
    CHECK(has_warning(&s, "no region injected"));
    teardown(&s);
}

static void test_user_region_kept(void)
{
    struct scenario s;
    const cJSON *ctr;

    setup(&s, NULL, snapshot(",\"sparkhook.io/aws-region\":\"eu-west-1\"", ROLE_ANN),
          make_pod("executor", "",
                   "[{\"name\":\"m\",\"env\":[{\"name\":\"AWS_REGION\",\"value\":\"us-west-2\"}]}]",
                   ""));
    run(&s, "spark-jobs");
    ctr = container(&s, "containers", 0);
    CHECK_STR_EQ(env(ctr, "AWS_REGION"), "us-west-2");
    CHECK_EQ(env_count(ctr, "AWS_REGION"), 1);
    CHECK(env(ctr, "AWS_DEFAULT_REGION") == NULL);
    CHECK_STR_EQ(env(ctr, "AWS_ROLE_ARN"), ROLE_ARN);
    teardown(&s);
}

static void test_sts_regional_and_audience_from_sa(void)
{
    struct scenario s;

    setup(&s, NULL,
          snapshot("", ROLE_ANN ",\"eks.amazonaws.com/sts-regional-endpoints\":\"true\","
                                "\"eks.amazonaws.com/audience\":\"custom-aud\""),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    CHECK_STR_EQ(env(container(&s, "containers", 0), "AWS_STS_REGIONAL_ENDPOINTS"), "regional");
    CHECK_STR_EQ(wh_json_get_str(token_source(&s), "audience"), "custom-aud");
    teardown(&s);
}

static void test_fs_group(void)
{
    const cJSON *sc;
    struct scenario s;

    setup(&s, "{\"aws\":{\"fsGroup\":1000}}", snapshot("", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    run(&s, "spark-jobs");
    sc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s.out, "spec"),
                                          "securityContext");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(sc, "fsGroup")));
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(sc, "fsGroup")->valueint, 1000);
    teardown(&s);
}

static void test_fs_group_kept_and_default_off(void)
{
    const cJSON *sc;
    struct scenario s;

    setup(&s, "{\"aws\":{\"fsGroup\":1000}}", snapshot("", ROLE_ANN),
          make_pod("executor", "", ONE_CTR,
                   ",\"securityContext\":{\"runAsUser\":185,\"fsGroup\":2000}"));
    run(&s, "spark-jobs");
    sc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s.out, "spec"),
                                          "securityContext");
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(sc, "fsGroup")->valueint, 2000);
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(sc, "runAsUser")->valueint, 185);
    teardown(&s);
    executor(&s, "", ONE_CTR, "");
    run(&s, "spark-jobs");
    CHECK(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s.out, "spec"),
                                           "securityContext") == NULL);
    teardown(&s);
}

/* ---- limits and malformed input --------------------------------------- */

#define TEN_CTRS                                                                                  \
    "[{\"name\":\"c0\"},{\"name\":\"c1\"},{\"name\":\"c2\"},{\"name\":\"c3\"},{\"name\":\"c4\"}," \
    "{\"name\":\"c5\"},{\"name\":\"c6\"},{\"name\":\"c7\"},{\"name\":\"c8\"},{\"name\":\"c9\"}]"

/* The rendered patch length for the ten-container executor. */
static size_t ten_container_patch_len(void)
{
    struct scenario s;
    size_t len;

    executor(&s, "", TEN_CTRS, "");
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    len = s.res.patch.len;
    teardown(&s);
    return len;
}

static void run_with_max_patch(struct scenario *s, size_t max_patch)
{
    char cfg[128];

    (void)snprintf(cfg, sizeof(cfg), "{\"server\":{\"maxPatchBytes\":%zu}}", max_patch);
    setup(s, cfg, snapshot("", ROLE_ANN), make_pod("executor", "", TEN_CTRS, ""));
    run(s, "spark-jobs");
}

static void test_patch_exactly_at_max(void)
{
    size_t len = ten_container_patch_len();
    struct scenario s;

    CHECK(len >= 1024); /* the smallest maxPatchBytes the config allows */
    run_with_max_patch(&s, len);
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    CHECK_EQ(s.res.patch.len, len);
    teardown(&s);
}

static void test_patch_over_max_is_error(void)
{
    size_t len = ten_container_patch_len();
    struct scenario s;

    run_with_max_patch(&s, len - 1);
    CHECK_EQ(s.res.http_status, 500);
    CHECK_EQ(s.res.verdict, WH_VERDICT_ERROR);
    CHECK_EQ(s.res.patch.len, 0);
    CHECK(strstr(s.res.err.msg, "maxPatchBytes") != NULL);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(response(&s), "allowed")));
    CHECK(cJSON_GetObjectItemCaseSensitive(response(&s), "patch") == NULL);
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(status_of(&s), "code")->valueint, 500);
    CHECK(strstr(wh_json_get_str(status_of(&s), "message"), "maxPatchBytes") != NULL);
    teardown(&s);
}

/* A pod CREATE review padded with trailing spaces to exactly len bytes. */
static char *padded_review(const char *pod, size_t len)
{
    char *review = make_review("CREATE", "spark-jobs", pod);
    size_t n = strlen(review);
    char *body;

    CHECK(n <= len);
    body = malloc(len + 1);
    CHECK(body != NULL);
    memcpy(body, review, n);
    memset(body + n, ' ', len - n);
    body[len] = '\0';
    free(review);
    return body;
}

static void test_body_exactly_at_max(void)
{
    struct scenario s;
    char *body;

    setup(&s, "{\"server\":{\"maxBodyBytes\":4096}}", snapshot("", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    body = padded_review(s.pod, 4096);
    run_body(&s, body, 4096);
    free(body);
    CHECK_EQ(s.res.http_status, 200);
    CHECK_EQ(s.res.verdict, WH_VERDICT_PATCHED);
    teardown(&s);
}

static void test_body_over_max_is_413(void)
{
    struct scenario s;
    char *body;

    setup(&s, "{\"server\":{\"maxBodyBytes\":4096}}", snapshot("", ROLE_ANN),
          make_pod("executor", "", ONE_CTR, ""));
    body = padded_review(s.pod, 4097);
    run_body(&s, body, 4097);
    free(body);
    CHECK_EQ(s.res.http_status, 413);
    CHECK_EQ(s.res.verdict, WH_VERDICT_INVALID);
    CHECK_EQ(s.res.patch.len, 0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(response(&s), "allowed")));
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(status_of(&s), "code")->valueint, 413);
    CHECK(strstr(wh_json_get_str(status_of(&s), "message"), "4096") != NULL);
    teardown(&s);
}

static void test_malformed_json_is_400(void)
{
    static const char body[] = "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":";
    struct scenario s;

    setup(&s, NULL, snapshot("", ROLE_ANN), NULL);
    run_body(&s, body, strlen(body));
    CHECK_EQ(s.res.http_status, 400);
    CHECK_EQ(s.res.verdict, WH_VERDICT_INVALID);
    CHECK(strstr(s.res.err.msg, "invalid JSON") != NULL);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(response(&s), "allowed")));
    CHECK_EQ(cJSON_GetObjectItemCaseSensitive(status_of(&s), "code")->valueint, 400);
    CHECK(strstr(wh_json_get_str(status_of(&s), "message"), "invalid JSON") != NULL);
    teardown(&s);
}

static void test_malformed_review_is_400(void)
{
    static const char body[] =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
        "\"request\":{\"uid\":\"u-42\"}}";
    struct scenario s;

    setup(&s, NULL, snapshot("", ROLE_ANN), NULL);
    run_body(&s, body, strlen(body));
    CHECK_EQ(s.res.http_status, 400);
    CHECK_EQ(s.res.verdict, WH_VERDICT_INVALID);
    CHECK_STR_EQ(wh_json_get_str(response(&s), "uid"), "u-42");
    CHECK(wh_json_get_str(status_of(&s), "message")[0] != '\0');
    teardown(&s);
}

static void test_malformed_pod_is_400(void)
{
    struct scenario s;

    setup(&s, NULL, snapshot("", ROLE_ANN), make_pod("executor", "", "{}", ""));
    run(&s, "spark-jobs");
    CHECK_EQ(s.res.http_status, 400);
    CHECK_EQ(s.res.verdict, WH_VERDICT_INVALID);
    CHECK_STR_EQ(wh_json_get_str(status_of(&s), "message"),
                 "object.spec.containers: expected array, got object");
    teardown(&s);
}

static void test_deterministic(void)
{
    struct scenario s;
    char *first;

    executor(&s, "", TEN_CTRS, ",\"volumes\":[]");
    run(&s, "spark-jobs");
    first = wh_buf_take(&s.res.body, NULL);
    run(&s, "spark-jobs");
    CHECK_STR_EQ(wh_buf_str(&s.res.body), first);
    free(first);
    teardown(&s);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_executor_patched),
    CHECK_TEST(test_executor_env_and_volume),
    CHECK_TEST(test_response_carries_the_patch),
    CHECK_TEST(test_patch_is_idempotent),
    CHECK_TEST(test_existing_arrays_are_appended),
    CHECK_TEST(test_driver_and_init_containers),
    CHECK_TEST(test_non_spark_pod_skipped),
    CHECK_TEST(test_namespace_not_opted_in),
    CHECK_TEST(test_inject_annotation_must_be_true),
    CHECK_TEST(test_update_skipped),
    CHECK_TEST(test_no_role_arn_allowed_without_patch),
    CHECK_TEST(test_malformed_role_arn),
    CHECK_TEST(test_role_arn_partitions_and_paths),
    CHECK_TEST(test_namespace_role_when_sa_missing),
    CHECK_TEST(test_token_expiration_clamped_low),
    CHECK_TEST(test_token_expiration_clamped_high),
    CHECK_TEST(test_token_expiration_clamp_warning_text),
    CHECK_TEST(test_token_expiration_not_a_number),
    CHECK_TEST(test_token_expiration_config_default),
    CHECK_TEST(test_skip_containers),
    CHECK_TEST(test_all_containers_skipped),
    CHECK_TEST(test_user_role_arn_kept),
    CHECK_TEST(test_user_token_file_kept),
    CHECK_TEST(test_mount_path_taken),
    CHECK_TEST(test_region_from_namespace),
    CHECK_TEST(test_region_from_config_and_override),
    CHECK_TEST(test_region_invalid_falls_back),
    CHECK_TEST(test_user_region_kept),
    CHECK_TEST(test_sts_regional_and_audience_from_sa),
    CHECK_TEST(test_fs_group),
    CHECK_TEST(test_fs_group_kept_and_default_off),
    CHECK_TEST(test_patch_exactly_at_max),
    CHECK_TEST(test_patch_over_max_is_error),
    CHECK_TEST(test_body_exactly_at_max),
    CHECK_TEST(test_body_over_max_is_413),
    CHECK_TEST(test_malformed_json_is_400),
    CHECK_TEST(test_malformed_review_is_400),
    CHECK_TEST(test_malformed_pod_is_400),
    CHECK_TEST(test_deterministic),
};

CHECK_MAIN(tests)
