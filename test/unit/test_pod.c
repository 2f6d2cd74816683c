/* SPDX-License-Identifier: Apache-2.0
 *
 * test_pod.c - patches/pod: the typed view of a realistic pod (init
 * containers first, the serviceAccount alias, lookups and pointers), and
 * every type refusal with the path it names.
 */
#include "check.h"
#include "pod.h"

#include "banned.h"

/* A Spark executor pod as the apiserver hands it to a webhook. */
static const char executor_pod[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\","
    "\"metadata\":{\"name\":\"spark-pi-exec-1\",\"namespace\":\"spark-jobs\","
    "\"labels\":{\"spark-role\":\"executor\",\"spark-app-selector\":\"spark-123\"},"
    "\"annotations\":{\"eks.amazonaws.com/skip-containers\":\"sidecar\"},"
    "\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"spark-pi-driver\","
    "\"uid\":\"0b8a\",\"controller\":true}]},"
    "\"spec\":{\"serviceAccountName\":\"spark\",\"serviceAccount\":\"spark\","
    "\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"},"
    "\"securityContext\":{\"runAsUser\":185},"
    "\"initContainers\":[{\"name\":\"init\",\"image\":\"busybox\","
    "\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}],"
    "\"containers\":[{\"name\":\"spark-kubernetes-executor\",\"image\":\"spark:3.5.1\","
    "\"args\":[\"executor\"],"
    "\"env\":[{\"name\":\"SPARK_USER\",\"value\":\"spark\"},"
    "{\"name\":\"SPARK_EXECUTOR_POD_IP\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\","
    "\"fieldPath\":\"status.podIP\"}}}],"
    "\"resources\":{\"limits\":{\"memory\":\"1408Mi\"},\"requests\":{\"cpu\":\"1\"}},"
    "\"volumeMounts\":[{\"name\":\"spark-local-dir-1\",\"mountPath\":\"/var/data/spark-1\"},"
    "{\"name\":\"kube-api-access-x\",\"mountPath\":"
    "\"/var/run/secrets/kubernetes.io/serviceaccount\",\"readOnly\":true}]},"
    "{\"name\":\"sidecar\",\"image\":\"envoy\",\"env\":null}],"
    "\"volumes\":[{\"name\":\"spark-local-dir-1\",\"emptyDir\":{}},"
    "{\"name\":\"kube-api-access-x\",\"projected\":{\"sources\":[]}}],"
    "\"restartPolicy\":\"Never\"},"
    "\"status\":{}}";

struct parsed {
    cJSON *json;
    struct wh_pod pod;
    struct wh_err err;
    int rc;
};

static void parse(struct parsed *p, const char *text)
{
    memset(&p->err, 0, sizeof(p->err));
    p->json = cJSON_Parse(text);
    CHECK(p->json != NULL);
    wh_pod_init(&p->pod);
    p->rc = wh_pod_parse(p->json, &p->pod, &p->err);
}

static void release(struct parsed *p)
{
    wh_pod_cleanup(&p->pod);
    cJSON_Delete(p->json);
    p->json = NULL;
}

static void test_realistic_pod(void)
{
    struct parsed p;

    parse(&p, executor_pod);
    CHECK_OK(p.rc);
    CHECK(p.pod.obj == p.json);
    CHECK_STR_EQ(p.pod.name, "spark-pi-exec-1");
    CHECK_STR_EQ(p.pod.namespace_, "spark-jobs");
    CHECK(p.pod.generate_name == NULL);
    CHECK_STR_EQ(p.pod.service_account, "spark");
    CHECK(cJSON_IsObject(p.pod.spec));
    CHECK_EQ(cJSON_GetArraySize(p.pod.volumes), 2);
    CHECK(cJSON_IsObject(p.pod.node_selector));
    CHECK(cJSON_IsObject(p.pod.security_context));
    CHECK_EQ(cJSON_GetArraySize(p.pod.containers_arr), 2);
    CHECK_EQ(cJSON_GetArraySize(p.pod.init_arr), 1);
    CHECK_EQ(p.pod.nctrs, 3);
    release(&p);
}

static void test_init_containers_first(void)
{
    struct parsed p;

    parse(&p, executor_pod);
    CHECK_OK(p.rc);
    CHECK_EQ(p.pod.ctrs[0].kind, WH_CTR_INIT);
    CHECK_EQ(p.pod.ctrs[0].index, 0);
    CHECK_STR_EQ(p.pod.ctrs[0].name, "init");
    CHECK_EQ(p.pod.ctrs[1].kind, WH_CTR_MAIN);
    CHECK_EQ(p.pod.ctrs[1].index, 0);
    CHECK_STR_EQ(p.pod.ctrs[1].name, "spark-kubernetes-executor");
    CHECK_EQ(p.pod.ctrs[2].kind, WH_CTR_MAIN);
    CHECK_EQ(p.pod.ctrs[2].index, 1);
    CHECK_STR_EQ(p.pod.ctrs[2].name, "sidecar");
    CHECK(p.pod.ctrs[1].obj == cJSON_GetArrayItem(p.pod.containers_arr, 0));
    release(&p);
}

static void test_container_fields(void)
{
    struct parsed p;

    parse(&p, executor_pod);
    CHECK_OK(p.rc);
    CHECK_EQ(cJSON_GetArraySize(p.pod.ctrs[1].env), 2);
    CHECK_EQ(cJSON_GetArraySize(p.pod.ctrs[1].volume_mounts), 2);
    CHECK(p.pod.ctrs[0].volume_mounts == NULL);
    CHECK(p.pod.ctrs[2].env == NULL); /* "env": null is absent */
    release(&p);
}

#define POD(spec) "{\"metadata\":{\"name\":\"p\"},\"spec\":" spec "}"

static void test_ctr_path(void)
{
    struct parsed p;
    char buf[64];

    parse(&p, executor_pod);
    CHECK_OK(p.rc);
    wh_pod_ctr_path(&p.pod.ctrs[0], buf, sizeof(buf));
    CHECK_STR_EQ(buf, "/spec/initContainers/0");
    wh_pod_ctr_path(&p.pod.ctrs[2], buf, sizeof(buf));
    CHECK_STR_EQ(buf, "/spec/containers/1");
    release(&p);
    /* two digits: the 11th init container */
    parse(
        &p,
        POD("{\"containers\":[{\"name\":\"i\"}],\"initContainers\":[{\"name\":\"i\"},{\"name\":"
            "\"i\"},{\"name\":\"i\"},{\"name\":\"i\"},{\"name\":\"i\"},{\"name\":\"i\"},{\"name\":"
            "\"i\"},{\"name\":\"i\"},{\"name\":\"i\"},{\"name\":\"i\"},{\"name\":\"i\"}]}"));
    CHECK_OK(p.rc);
    wh_pod_ctr_path(&p.pod.ctrs[10], buf, sizeof(buf));
    CHECK_STR_EQ(buf, "/spec/initContainers/10");
    release(&p);
}

static void test_lookups(void)
{
    struct parsed p;

    parse(&p, executor_pod);
    CHECK_OK(p.rc);
    CHECK_STR_EQ(wh_pod_label(&p.pod, "spark-role"), "executor");
    CHECK(wh_pod_label(&p.pod, "spark-rol") == NULL);
    CHECK_STR_EQ(wh_pod_annotation(&p.pod, "eks.amazonaws.com/skip-containers"), "sidecar");
    CHECK(wh_pod_annotation(&p.pod, "spark-role") == NULL);
    CHECK_STR_EQ(wh_json_get_str(wh_pod_ctr_env(&p.pod.ctrs[1], "SPARK_USER"), "value"), "spark");
    CHECK(wh_pod_ctr_env(&p.pod.ctrs[1], "A") == NULL);
    CHECK(wh_pod_ctr_env(&p.pod.ctrs[0], "A") != NULL);
    CHECK(wh_pod_ctr_env(&p.pod.ctrs[2], "A") == NULL);
    CHECK(wh_pod_volume(&p.pod, "spark-local-dir-1") == cJSON_GetArrayItem(p.pod.volumes, 0));
    CHECK(wh_pod_volume(&p.pod, "aws-iam-token") == NULL);
    release(&p);
}

static void test_minimal_pod(void)
{
    struct parsed p;

    parse(&p, "{\"metadata\":{\"generateName\":\"spark-\"},"
              "\"spec\":{\"containers\":[{\"name\":\"c\"}]}}");
    CHECK_OK(p.rc);
    CHECK(p.pod.name == NULL);
    CHECK_STR_EQ(p.pod.generate_name, "spark-");
    CHECK(p.pod.service_account == NULL);
    CHECK(p.pod.labels == NULL);
    CHECK(p.pod.volumes == NULL);
    CHECK(p.pod.init_arr == NULL);
    CHECK(wh_pod_label(&p.pod, "spark-role") == NULL);
    CHECK(wh_pod_annotation(&p.pod, "x") == NULL);
    CHECK(wh_pod_volume(&p.pod, "x") == NULL);
    CHECK_EQ(p.pod.nctrs, 1);
    release(&p);
}

static void test_service_account_alias(void)
{
    struct parsed p;

    parse(&p, "{\"metadata\":{},\"spec\":{\"serviceAccount\":\"legacy\",\"containers\":[]}}");
    CHECK_OK(p.rc);
    CHECK_STR_EQ(p.pod.service_account, "legacy");
    release(&p);
    parse(&p, "{\"metadata\":{},\"spec\":{\"serviceAccountName\":\"new\","
              "\"serviceAccount\":\"old\",\"containers\":[]}}");
    CHECK_OK(p.rc);
    CHECK_STR_EQ(p.pod.service_account, "new");
    release(&p);
}

/* Expects a refusal whose message is exactly want. */
static void check_bad(const char *text, const char *want)
{
    struct parsed p;
    int rc;

    parse(&p, text);
    rc = p.rc;
    release(&p);
    if (rc != WH_EPARSE)
        CHECK_FAIL_("%s: got %s, want WH_EPARSE", text, wh_rcname(rc));
    CHECK_STR_EQ(p.err.msg, want);
}

static void test_containers_not_array(void)
{
    check_bad(POD("{\"containers\":{}}"), "object.spec.containers: expected array, got object");
    check_bad(POD("{}"), "object.spec.containers: missing");
}

static void test_container_not_object(void)
{
    check_bad(POD("{\"containers\":[{\"name\":\"a\"},\"b\"]}"),
              "object.spec.containers[1]: expected object, got string");
    check_bad(POD("{\"containers\":[],\"initContainers\":[5]}"),
              "object.spec.initContainers[0]: expected object, got number");
    /* a two-digit index */
    check_bad(POD("{\"containers\":[{\"name\":\"c\"},{\"name\":\"c\"},{\"name\":\"c\"},{\"name\":"
                  "\"c\"},{\"name\":\"c\"},{\"name\":\"c\"},{\"name\":\"c\"},{\"name\":\"c\"},{"
                  "\"name\":\"c\"},{\"name\":\"c\"},{\"name\":\"c\"},{\"name\":\"c\"},true]}"),
              "object.spec.containers[12]: expected object, got boolean");
}

static void test_container_without_name(void)
{
    check_bad(POD("{\"containers\":[{\"image\":\"x\"}]}"),
              "object.spec.containers[0].name: expected string");
    check_bad(POD("{\"containers\":[{\"name\":7}]}"),
              "object.spec.containers[0].name: expected string");
    check_bad(POD("{\"initContainers\":[{\"name\":\"i\"},{}],\"containers\":[]}"),
              "object.spec.initContainers[1].name: expected string");
}

static void test_env_not_array(void)
{
    check_bad(POD("{\"containers\":[{\"name\":\"a\",\"env\":{\"A\":\"1\"}}]}"),
              "object.spec.containers[0].env: expected array, got object");
}

static void test_env_entry_without_name(void)
{
    check_bad(POD("{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\","
                  "\"env\":[{\"name\":\"A\"},{\"value\":\"1\"}]}]}"),
              "object.spec.containers[1].env[1].name: expected string");
    check_bad(POD("{\"containers\":[{\"name\":\"a\",\"env\":[\"A=1\"]}]}"),
              "object.spec.containers[0].env[0]: expected object, got string");
}

static void test_volume_mounts_not_array(void)
{
    check_bad(POD("{\"containers\":[{\"name\":\"a\",\"volumeMounts\":\"x\"}]}"),
              "object.spec.containers[0].volumeMounts: expected array, got string");
    check_bad(POD("{\"containers\":[{\"name\":\"a\",\"volumeMounts\":[{\"mountPath\":\"/x\"}]}]}"),
              "object.spec.containers[0].volumeMounts[0].name: expected string");
}

static void test_volumes_entry_not_object(void)
{
    check_bad(POD("{\"containers\":[],\"volumes\":[5]}"),
              "object.spec.volumes[0]: expected object, got number");
    check_bad(POD("{\"containers\":[],\"volumes\":{}}"),
              "object.spec.volumes: expected array, got object");
    check_bad(POD("{\"containers\":[],\"volumes\":[{\"name\":\"a\"},{\"emptyDir\":{}}]}"),
              "object.spec.volumes[1].name: expected string");
}

static void test_metadata_errors(void)
{
    check_bad("{\"metadata\":{\"labels\":[]},\"spec\":{\"containers\":[]}}",
              "object.metadata.labels: expected object, got array");
    check_bad("{\"metadata\":{\"annotations\":\"a\"},\"spec\":{\"containers\":[]}}",
              "object.metadata.annotations: expected object, got string");
    check_bad("{\"metadata\":{\"name\":5},\"spec\":{\"containers\":[]}}",
              "object.metadata.name: expected string, got number");
    check_bad("{\"metadata\":[],\"spec\":{\"containers\":[]}}",
              "object.metadata: expected object, got array");
}

static void test_spec_errors(void)
{
    check_bad("{\"metadata\":{}}", "object.spec: missing");
    check_bad("{\"metadata\":{},\"spec\":[]}", "object.spec: expected object, got array");
    check_bad(POD("{\"containers\":[],\"nodeSelector\":[]}"),
              "object.spec.nodeSelector: expected object, got array");
    check_bad(POD("{\"containers\":[],\"serviceAccountName\":5}"),
              "object.spec.serviceAccountName: expected string, got number");
}

static void test_object_not_an_object(void)
{
    check_bad("[]", "object: expected a Pod object, got array");
}

/* A pod with n containers split between initContainers and containers. */
static char *many_containers(size_t n_init, size_t n_main)
{
    cJSON *pod = cJSON_CreateObject();
    cJSON *spec;
    cJSON *init, *main_arr;
    char *text;
    size_t i;

    cJSON_AddObjectToObject(pod, "metadata");
    spec = cJSON_AddObjectToObject(pod, "spec");
    init = cJSON_AddArrayToObject(spec, "initContainers");
    main_arr = cJSON_AddArrayToObject(spec, "containers");
    for (i = 0; i < n_init + n_main; i++) {
        cJSON *c = cJSON_CreateObject();
        char name[32];

        (void)snprintf(name, sizeof(name), "c%zu", i);
        cJSON_AddStringToObject(c, "name", name);
        cJSON_AddItemToArray(i < n_init ? init : main_arr, c);
    }
    text = cJSON_PrintUnformatted(pod);
    cJSON_Delete(pod);
    return text;
}

static void test_container_count_limit(void)
{
    char *text = many_containers(24, WH_POD_MAX_CONTAINERS - 24);
    struct parsed p;

    parse(&p, text);
    free(text);
    CHECK_OK(p.rc);
    CHECK_EQ(p.pod.nctrs, WH_POD_MAX_CONTAINERS);
    CHECK_STR_EQ(p.pod.ctrs[WH_POD_MAX_CONTAINERS - 1].name, "c1023");
    release(&p);
    text = many_containers(25, WH_POD_MAX_CONTAINERS - 24);
    parse(&p, text);
    free(text);
    release(&p);
    CHECK_RC(p.rc, WH_ETOOBIG);
    CHECK(strstr(p.err.msg, "1025 containers") != NULL);
}

/* The env-name filter only ever says "maybe": every name present is found,
 * and names absent are not, whatever the filter's false positives. */
static void test_env_lookup_filter(void)
{
    cJSON *pod = cJSON_Parse("{\"metadata\":{\"name\":\"p\"},"
                             "\"spec\":{\"containers\":[{\"name\":\"c\",\"env\":[]}]}}");
    cJSON *env = cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "spec"), "containers"), 0),
        "env");
    struct wh_pod view;
    struct wh_err err = { 0 };
    char name[32];
    int i;

    for (i = 0; i < 200; i++) {
        cJSON *e = cJSON_CreateObject();

        (void)snprintf(name, sizeof(name), "VAR_%d", i);
        cJSON_AddStringToObject(e, "name", name);
        cJSON_AddItemToArray(env, e);
    }
    wh_pod_init(&view);
    CHECK_OK(wh_pod_parse(pod, &view, &err));
    for (i = 0; i < 200; i++) {
        (void)snprintf(name, sizeof(name), "VAR_%d", i);
        CHECK_STR_EQ(wh_json_get_str(wh_pod_ctr_env(&view.ctrs[0], name), "name"), name);
    }
    for (i = 200; i < 5000; i++) {
        (void)snprintf(name, sizeof(name), "VAR_%d", i);
        CHECK(wh_pod_ctr_env(&view.ctrs[0], name) == NULL);
    }
    CHECK(wh_pod_ctr_env(&view.ctrs[0], "") == NULL);
    wh_pod_cleanup(&view);
    cJSON_Delete(pod);
}

static void test_cleanup_idempotent(void)
{
    struct wh_pod pod;

    wh_pod_init(&pod);
    wh_pod_cleanup(&pod);
    wh_pod_cleanup(&pod);
    CHECK(pod.ctrs == NULL);
    CHECK_EQ(pod.nctrs, 0);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_realistic_pod),
    CHECK_TEST(test_init_containers_first),
    CHECK_TEST(test_container_fields),
    CHECK_TEST(test_ctr_path),
    CHECK_TEST(test_lookups),
    CHECK_TEST(test_minimal_pod),
    CHECK_TEST(test_service_account_alias),
    CHECK_TEST(test_containers_not_array),
    CHECK_TEST(test_container_not_object),
    CHECK_TEST(test_container_without_name),
    CHECK_TEST(test_env_not_array),
    CHECK_TEST(test_env_entry_without_name),
    CHECK_TEST(test_volume_mounts_not_array),
    CHECK_TEST(test_volumes_entry_not_object),
    CHECK_TEST(test_metadata_errors),
    CHECK_TEST(test_spec_errors),
    CHECK_TEST(test_object_not_an_object),
    CHECK_TEST(test_container_count_limit),
    CHECK_TEST(test_env_lookup_filter),
    CHECK_TEST(test_cleanup_idempotent),
};

CHECK_MAIN(tests)
