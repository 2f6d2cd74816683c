/* SPDX-License-Identifier: Apache-2.0
 *
 * test_placement_secrets.c - patches/placement and patches/secrets on their
 * own, with a policy built by hand: the edges the golden cases do not reach
 * (volume names at the 63-byte limit and hashed apart, a volume name already
 * taken, no Spark container, no role, a malformed tolerations field, a key an
 * earlier generator set, tolerationSeconds, the setting's origin in warnings,
 * env values never echoed), each followed by a second pass over the patched
 * pod that must add nothing.
 */
#include "apply.h"
#include "check.h"
#include "config.h"
#include "patches.h"
#include "util/buf.h"
#include "util/mem.h"

#include "banned.h"

#define SPARK_CTR                                                                        \
    "{\"name\":\"spark-kubernetes-executor\",\"image\":\"apache/spark:3.5.1\","          \
    "\"env\":[{\"name\":\"SPARK_EXECUTOR_ID\",\"value\":\"1\"}],"                        \
    "\"volumeMounts\":[{\"name\":\"spark-conf-volume-exec\",\"mountPath\":\"/opt/spark/" \
    "conf\"}]}"
#define VOLUMES                                                                          \
    "\"volumes\":[{\"name\":\"spark-conf-volume-exec\",\"configMap\":{\"name\":\"c\"}}," \
    "{\"name\":\"kube-api-access-abcde\",\"projected\":{\"sources\":[]}}]"

/* One generator run over one pod. */
struct run {
    struct wh_config *cfg;
    cJSON *doc;
    struct wh_pod pod;
    struct wh_policy pol;
    struct wh_warnings warn;
    struct wh_patch patch;
    struct wh_buf text; /* the rendered patch */
};

/* Parses "{"spec":{SPEC}}" with the given spark-role label. */
static void setup(struct run *r, const char *role, const char *spec)
{
    struct wh_buf b;
    struct wh_err err = { 0 };

    memset(r, 0, sizeof(*r));
    r->cfg = wh_config_new_defaults();
    wh_buf_init(&b, 1 << 16);
    CHECK_OK(wh_buf_printf(&b,
                           "{\"metadata\":{\"name\":\"p\",\"namespace\":\"spark-jobs\","
                           "\"labels\":{\"spark-role\":\"%s\"}},\"spec\":{%s}}",
                           role, spec));
    r->doc = cJSON_Parse(wh_buf_str(&b));
    wh_buf_cleanup(&b);
    CHECK(r->doc != NULL);
    wh_pod_init(&r->pod);
    CHECK_OK(wh_pod_parse(r->doc, &r->pod, &err));
    r->pol.role = strcmp(role, "driver") == 0     ? WH_ROLE_DRIVER
                  : strcmp(role, "executor") == 0 ? WH_ROLE_EXECUTOR
                                                  : WH_ROLE_NONE;
    wh_warnings_init(&r->warn);
    wh_patch_init(&r->patch);
    wh_buf_init(&r->text, 1 << 20);
}

static void set(struct run *r, enum wh_setting_id id, const char *value)
{
    r->pol.set[id].value = value;
    r->pol.set[id].source = WH_SRC_NAMESPACE;
    r->pol.set[id].key = wh_setting_def(id)->ns_key;
}

static void gen(struct run *r, wh_gen_fn *fn)
{
    struct wh_gen_ctx ctx = { r->cfg, &r->pod, &r->pol, &r->warn };
    struct wh_err err = { 0 };

    CHECK_OK(fn(&ctx, &r->patch, &err));
    wh_buf_reset(&r->text);
    CHECK_OK(wh_patch_render(&r->patch, &r->text));
}

static int warned(const struct run *r, const char *needle)
{
    size_t i;

    for (i = 0; i < r->warn.n; i++) {
        if (strstr(r->warn.msg[i], needle) != NULL)
            return 1;
    }
    return 0;
}

static void teardown(struct run *r)
{
    wh_buf_cleanup(&r->text);
    wh_patch_cleanup(&r->patch);
    wh_warnings_cleanup(&r->warn);
    wh_pod_cleanup(&r->pod);
    cJSON_Delete(r->doc);
    wh_config_free(r->cfg);
}

/* Applies the patch to the pod and runs fn again: no operation, and the
 * same number of warnings. */
static void check_second_pass(struct run *r, wh_gen_fn *fn)
{
    struct wh_err err = { 0 };
    size_t nwarn = r->warn.n;

    CHECK_OK(wh_patch_apply(r->doc, wh_buf_str(&r->text), r->text.len, &err));
    wh_pod_cleanup(&r->pod);
    CHECK_OK(wh_pod_parse(r->doc, &r->pod, &err));
    wh_patch_cleanup(&r->patch);
    wh_warnings_cleanup(&r->warn);
    gen(r, fn);
    CHECK_EQ(r->patch.n, 0);
    CHECK_EQ(r->warn.n, nwarn);
}

static int dns_label(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    }
    return 1;
}

/* ---- secrets ------------------------------------------------------------ */

static void test_volume_names_fit_and_differ(void)
{
    /* 46 bytes: the longest name kept as is; 47 bytes and dots are hashed. */
    static const char *const secrets[] = {
        "a234567890123456789012345678901234567890123456",
        "a2345678901234567890123456789012345678901234567",
        "a2345678901234567890123456789012345678901234568",
        "db.creds",
        "db-creds",
    };
    char value[512];
    const cJSON *vols;
    const cJSON *v;
    struct wh_err err = { 0 };
    struct run r;
    size_t i, n = 0;

    for (i = 0; i < WH_NELEM(secrets); i++)
        n += (size_t)snprintf(value + n, sizeof(value) - n, "%s%s:/etc/s%zu", i ? "," : "",
                              secrets[i], i);
    setup(&r, "executor", "\"containers\":[" SPARK_CTR "]," VOLUMES);
    set(&r, WH_SET_EXECUTOR_SECRETS, value);
    gen(&r, wh_gen_secrets);
    CHECK_EQ(r.warn.n, 0);
    CHECK_OK(wh_patch_apply(r.doc, wh_buf_str(&r.text), r.text.len, &err));
    vols = cJSON_GetObjectItem(cJSON_GetObjectItem(r.doc, "spec"), "volumes");
    CHECK_EQ(cJSON_GetArraySize(vols), 2 + (int)WH_NELEM(secrets));
    CHECK_STR_EQ(wh_json_get_str(cJSON_GetArrayItem(vols, 2), "name"),
                 "sparkhook-secret-a234567890123456789012345678901234567890123456");
    CHECK_STR_EQ(wh_json_get_str(cJSON_GetArrayItem(vols, 6), "name"), "sparkhook-secret-db-creds");
    cJSON_ArrayForEach(v, vols)
    {
        const cJSON *w;
        const char *name = wh_json_get_str(v, "name");

        CHECK(dns_label(name));
        for (w = v->next; w; w = w->next)
            CHECK(strcmp(name, wh_json_get_str(w, "name")) != 0);
    }
    teardown(&r);
}

static void test_longest_secret_name(void)
{
    char secret[254], value[300];
    struct run r;
    const char *name;

    memset(secret, 'x', 253);
    secret[253] = '\0';
    secret[100] = '.';
    (void)snprintf(value, sizeof(value), "%s:/etc/long", secret);
    setup(&r, "executor", "\"containers\":[" SPARK_CTR "]," VOLUMES);
    set(&r, WH_SET_EXECUTOR_SECRETS, value);
    gen(&r, wh_gen_secrets);
    CHECK_EQ(r.patch.n, 2);
    name = wh_json_get_str(r.patch.ops[0].value, "name");
    CHECK(dns_label(name));
    CHECK_EQ(strlen(name), 63);
    check_second_pass(&r, wh_gen_secrets);
    teardown(&r);
}

static void test_same_secret_two_paths(void)
{
    struct run r;

    setup(&r, "executor", "\"containers\":[" SPARK_CTR "]," VOLUMES);
    set(&r, WH_SET_EXECUTOR_SECRETS, "db:/etc/a,db:/etc/b");
    gen(&r, wh_gen_secrets);
    CHECK_JSON_EQ(
        wh_buf_str(&r.text),
        "[{\"op\":\"add\",\"path\":\"/spec/volumes/-\",\"value\":{\"name\":\"sparkhook-secret-db\","
        "\"secret\":{\"secretName\":\"db\"}}},"
        "{\"op\":\"add\",\"path\":\"/spec/containers/0/volumeMounts/-\",\"value\":{\"name\":"
        "\"sparkhook-secret-db\",\"readOnly\":true,\"mountPath\":\"/etc/a\"}},"
        "{\"op\":\"add\",\"path\":\"/spec/containers/0/volumeMounts/-\",\"value\":{\"name\":"
        "\"sparkhook-secret-db\",\"readOnly\":true,\"mountPath\":\"/etc/b\"}}]");
    check_second_pass(&r, wh_gen_secrets);
    teardown(&r);
}

static void test_volume_name_taken(void)
{
    struct run r;

    setup(&r, "executor",
          "\"containers\":[" SPARK_CTR "],"
          "\"volumes\":[{\"name\":\"sparkhook-secret-db\",\"emptyDir\":{}}]");
    set(&r, WH_SET_EXECUTOR_SECRETS, "db:/etc/db");
    gen(&r, wh_gen_secrets);
    CHECK_EQ(r.patch.n, 0);
    CHECK(warned(&r, "secret db not mounted: volume name sparkhook-secret-db is taken"));
    teardown(&r);
}

static void test_no_spark_container(void)
{
    struct run r;

    setup(&r, "executor", "\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx\"}]");
    set(&r, WH_SET_EXECUTOR_SECRETS, "db:/etc/db");
    set(&r, WH_SET_EXECUTOR_SECRET_ENV, "P=db:password");
    gen(&r, wh_gen_secrets);
    CHECK_EQ(r.patch.n, 0);
    CHECK(warned(&r, "no Spark container found; secrets not mounted"));
    CHECK(warned(&r, "no Spark container found; secret env not set"));
    teardown(&r);
}

static void test_env_created_and_value_never_printed(void)
{
    struct run r;

    setup(&r, "driver",
          "\"containers\":[{\"name\":\"spark-kubernetes-driver\",\"env\":[{\"name\":"
          "\"DB_PASSWORD\",\"value\":\"s3cr3t-value\"}]},{\"name\":\"side\"}]");
    set(&r, WH_SET_DRIVER_SECRET_ENV, "DB_PASSWORD=db:password,DB_USER=db:user");
    set(&r, WH_SET_EXECUTOR_SECRET_ENV, "OTHER=x:y");
    gen(&r, wh_gen_secrets);
    CHECK_JSON_EQ(wh_buf_str(&r.text),
                  "[{\"op\":\"add\",\"path\":\"/spec/containers/0/env/-\",\"value\":{\"name\":"
                  "\"DB_USER\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"db\",\"key\":"
                  "\"user\"}}}}]");
    CHECK(warned(&r, "DB_PASSWORD not set from secret db"));
    CHECK(!warned(&r, "s3cr3t"));
    check_second_pass(&r, wh_gen_secrets);
    teardown(&r);
}

static void test_env_array_created(void)
{
    struct run r;

    setup(&r, "executor", "\"containers\":[{\"name\":\"side\"},{\"name\":\"executor\"}]");
    set(&r, WH_SET_EXECUTOR_SECRET_ENV, "A=s:a,B=s:b");
    gen(&r, wh_gen_secrets);
    CHECK_EQ(r.patch.n, 1);
    CHECK_STR_EQ(r.patch.ops[0].path, "/spec/containers/1/env");
    CHECK_EQ(cJSON_GetArraySize(r.patch.ops[0].value), 2);
    check_second_pass(&r, wh_gen_secrets);
    teardown(&r);
}

static void test_secrets_role_none(void)
{
    struct run r;

    setup(&r, "other", "\"containers\":[" SPARK_CTR "]");
    set(&r, WH_SET_EXECUTOR_SECRETS, "db:/etc/db");
    set(&r, WH_SET_DRIVER_SECRETS, "db:/etc/db");
    gen(&r, wh_gen_secrets);
    CHECK_EQ(r.patch.n, 0);
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
}

/* ---- placement ---------------------------------------------------------- */

static void test_tolerations_created(void)
{
    struct run r;

    setup(&r, "driver", "\"containers\":[" SPARK_CTR "]");
    set(&r, WH_SET_DRIVER_TOLERATIONS, "a=b:NoSchedule,c");
    set(&r, WH_SET_EXECUTOR_TOLERATIONS, "x:NoSchedule");
    gen(&r, wh_gen_placement);
    CHECK_JSON_EQ(
        wh_buf_str(&r.text),
        "[{\"op\":\"add\",\"path\":\"/spec/tolerations\",\"value\":["
        "{\"key\":\"a\",\"operator\":\"Equal\",\"value\":\"b\",\"effect\":\"NoSchedule\"},"
        "{\"key\":\"c\",\"operator\":\"Exists\"}]}]");
    check_second_pass(&r, wh_gen_placement);
    teardown(&r);
}

static void test_tolerations_not_an_array(void)
{
    struct run r;

    setup(&r, "executor", "\"containers\":[" SPARK_CTR "],\"tolerations\":{}");
    set(&r, WH_SET_EXECUTOR_TOLERATIONS, "a:NoSchedule");
    set(&r, WH_SET_EXECUTOR_NODE_SELECTOR, "pool=spark");
    gen(&r, wh_gen_placement);
    CHECK_JSON_EQ(
        wh_buf_str(&r.text),
        "[{\"op\":\"add\",\"path\":\"/spec/nodeSelector\",\"value\":{\"pool\":\"spark\"}}]");
    CHECK(warned(&r, "tolerations not added: spec.tolerations is not an array"));
    teardown(&r);
}

static void test_toleration_seconds_keep_the_pods(void)
{
    struct run r;

    setup(&r, "executor",
          "\"containers\":[" SPARK_CTR "],\"tolerations\":[7,{\"key\":\"k\",\"operator\":"
          "\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":60}]");
    set(&r, WH_SET_EXECUTOR_TOLERATIONS, "k:NoExecute");
    gen(&r, wh_gen_placement);
    CHECK_EQ(r.patch.n, 0);
    CHECK(warned(&r, "toleration key k: the pod's k:NoExecute (with tolerationSeconds) kept"));
    teardown(&r);
}

static void test_selector_key_from_earlier_generator(void)
{
    struct run r;
    struct wh_err err = { 0 };

    setup(&r, "executor", "\"containers\":[" SPARK_CTR "]");
    /* As a GKE identity generator would, before placement runs. */
    CHECK_OK(wh_patch_put(&r.patch, NULL, "/spec/nodeSelector",
                          "iam.gke.io/gke-metadata-server-enabled", cJSON_CreateString("true"),
                          &err));
    set(&r, WH_SET_EXECUTOR_NODE_SELECTOR,
        "iam.gke.io/gke-metadata-server-enabled=false,pool=spark");
    gen(&r, wh_gen_placement);
    CHECK_JSON_EQ(wh_buf_str(&r.text),
                  "[{\"op\":\"add\",\"path\":\"/spec/nodeSelector\",\"value\":{"
                  "\"iam.gke.io/gke-metadata-server-enabled\":\"true\",\"pool\":\"spark\"}}]");
    CHECK(warned(&r, "iam.gke.io/gke-metadata-server-enabled: true (set by sparkhook) kept"));
    teardown(&r);
}

static void test_profile_named_in_warning(void)
{
    struct run r;

    setup(&r, "executor",
          "\"containers\":[" SPARK_CTR "],\"nodeSelector\":{\"nvidia.com/gpu.present\":\"false\"}");
    set(&r, WH_SET_EXECUTOR_NODE_SELECTOR, "nvidia.com/gpu.present=true");
    r.pol.set[WH_SET_EXECUTOR_NODE_SELECTOR].source = WH_SRC_PROFILE;
    r.pol.profile = "gpu";
    gen(&r, wh_gen_placement);
    CHECK_EQ(r.patch.n, 0);
    CHECK(warned(&r, "nodeSelector key nvidia.com/gpu.present: the pod's false kept, profile gpu "
                     "sparkhook.io/executor-node-selector wants true"));
    teardown(&r);
}

static void test_placement_role_none(void)
{
    struct run r;

    setup(&r, "other", "\"containers\":[" SPARK_CTR "]");
    set(&r, WH_SET_EXECUTOR_NODE_SELECTOR, "pool=spark");
    set(&r, WH_SET_DRIVER_TOLERATIONS, "a:NoSchedule");
    gen(&r, wh_gen_placement);
    CHECK_EQ(r.patch.n, 0);
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_volume_names_fit_and_differ),
    CHECK_TEST(test_longest_secret_name),
    CHECK_TEST(test_same_secret_two_paths),
    CHECK_TEST(test_volume_name_taken),
    CHECK_TEST(test_no_spark_container),
    CHECK_TEST(test_env_created_and_value_never_printed),
    CHECK_TEST(test_env_array_created),
    CHECK_TEST(test_secrets_role_none),
    CHECK_TEST(test_tolerations_created),
    CHECK_TEST(test_tolerations_not_an_array),
    CHECK_TEST(test_toleration_seconds_keep_the_pods),
    CHECK_TEST(test_selector_key_from_earlier_generator),
    CHECK_TEST(test_profile_named_in_warning),
    CHECK_TEST(test_placement_role_none),
};

CHECK_MAIN(tests)
