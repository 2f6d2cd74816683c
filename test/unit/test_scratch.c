/* SPDX-License-Identifier: Apache-2.0
 *
 * test_scratch.c - patches/scratch, the generator on its own: a hand-made
 * policy and pods written inline (single quotes stand for double quotes).
 * Covers what the golden cases do not: several local dirs in one pod, the
 * sources left alone (hostPath, memory emptyDir, claims), a pod without a
 * volumes array, a taken mount path, no Spark container, claim names that
 * would be too long, the role's own setting, the fsGroup warning, and a
 * second pass over the patched pod.
 */
#include "apply.h"
#include "check.h"
#include "config.h"
#include "patches.h"
#include "util/mem.h"

#include "banned.h"

#define EXEC_KEY "sparkhook.io/executor-scratch"
#define DRV_KEY  "sparkhook.io/driver-scratch"
#define LABELS   "'labels':{'spark-role':'executor','spark-app-selector':'spark-123'}"
#define EXEC_CTR "{'name':'spark-kubernetes-executor','image':'spark:3.5.1'}"

/* The claim the generator writes for size=200Gi,storageClass=gp3. */
#define CLAIM                                                                         \
    "{'volumeClaimTemplate':{'metadata':{'labels':{'spark-app-selector':'spark-123'," \
    "'spark-role':'executor','sparkhook.io/scratch':'true'}},"                        \
    "'spec':{'accessModes':['ReadWriteOnce'],'storageClassName':'gp3',"               \
    "'resources':{'requests':{'storage':'200Gi'}}}}}"

/* One run of the generator and what it produced. */
struct run {
    cJSON *json;
    struct wh_pod pod;
    struct wh_config *cfg;
    struct wh_policy pol;
    struct wh_warnings warn;
    struct wh_patch patch;
    char *rendered; /* the patch as JSON text */
};

/* text with every ' turned into ". The caller frees the result. */
static char *dq(const char *text)
{
    char *s = wh_xstrdup(text);
    char *p;

    for (p = s; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return s;
}

static void setup(struct run *r, const char *pod, enum wh_role role, const char *key,
                  const char *value)
{
    char *text = dq(pod);
    struct wh_err err;

    memset(r, 0, sizeof(*r));
    r->json = cJSON_Parse(text);
    free(text);
    CHECK(r->json != NULL);
    wh_pod_init(&r->pod);
    CHECK_OK(wh_pod_parse(r->json, &r->pod, &err));
    r->cfg = wh_config_new_defaults();
    r->pol.role = role;
    r->pol.inject = true;
    if (key != NULL) {
        int id = wh_setting_by_ns_key(key);

        CHECK(id >= 0);
        r->pol.set[id] = (struct wh_setting){ value, WH_SRC_NAMESPACE, key };
    }
    wh_warnings_init(&r->warn);
    wh_patch_init(&r->patch);
}

static void generate(struct run *r)
{
    struct wh_gen_ctx ctx = { r->cfg, &r->pod, &r->pol, &r->warn };
    struct wh_err err;
    struct wh_buf b;

    CHECK_OK(wh_gen_scratch(&ctx, &r->patch, &err));
    wh_buf_init(&b, 1u << 20);
    CHECK_OK(wh_patch_render(&r->patch, &b));
    r->rendered = wh_buf_take(&b, NULL);
    wh_buf_cleanup(&b);
}

static void run(struct run *r, const char *pod, enum wh_role role, const char *key,
                const char *value)
{
    setup(r, pod, role, key, value);
    generate(r);
}

static void release(struct run *r)
{
    free(r->rendered);
    wh_patch_cleanup(&r->patch);
    wh_warnings_cleanup(&r->warn);
    wh_config_free(r->cfg);
    wh_pod_cleanup(&r->pod);
    cJSON_Delete(r->json);
}

static void check_patch(const struct run *r, const char *want)
{
    char *w = dq(want);

    CHECK_JSON_EQ(r->rendered, w);
    free(w);
}

static void check_warning(const struct run *r, size_t i, const char *want)
{
    CHECK(i < r->warn.n);
    CHECK_STR_EQ(r->warn.msg[i], want);
}

/* ---- emptyDir -> ephemeral ----------------------------------------------- */

static const char executor_pod[] =
    "{'metadata':{'name':'spark-pi-exec-1'," LABELS "},"
    "'spec':{'securityContext':{'fsGroup':185},"
    "'containers':[{'name':'spark-kubernetes-executor',"
    "'env':[{'name':'SPARK_LOCAL_DIRS','value':'/var/data/a'}],"
    "'volumeMounts':[{'name':'spark-local-dir-1','mountPath':'/var/data/a'}]}],"
    "'volumes':[{'name':'spark-conf','configMap':{'name':'c'}},"
    "{'name':'spark-local-dir-1','emptyDir':{}}]}}";

static void test_emptydir_becomes_ephemeral(void)
{
    struct run r;

    run(&r, executor_pod, WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi,storageClass=gp3");
    check_patch(&r, "[{'op':'remove','path':'/spec/volumes/1/emptyDir'},"
                    "{'op':'add','path':'/spec/volumes/1/ephemeral','value':" CLAIM "}]");
    CHECK_EQ(r.warn.n, 0);
    release(&r);
}

static void test_second_pass_adds_nothing(void)
{
    struct run r, again;
    struct wh_err err;
    char *patched;

    run(&r, executor_pod, WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi,storageClass=gp3");
    CHECK_OK(wh_patch_apply(r.json, r.rendered, strlen(r.rendered), &err));
    patched = cJSON_PrintUnformatted(r.json);
    run(&again, patched, WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi,storageClass=gp3");
    check_patch(&again, "[]");
    CHECK_EQ(again.warn.n, 0);
    free(patched);
    release(&again);
    release(&r);
}

static void test_every_local_dir_and_only_disk_emptydirs(void)
{
    struct run r;

    run(&r,
        "{'metadata':{'name':'p'," LABELS "},'spec':{'securityContext':{'fsGroup':185},"
        "'containers':[" EXEC_CTR "],"
        "'volumes':[{'name':'spark-local-dir-1','emptyDir':{}},"
        "{'name':'spark-conf','configMap':{'name':'c'}},"
        "{'name':'spark-local-dir-2','emptyDir':{'sizeLimit':'10Gi'}},"
        "{'name':'spark-local-dir-3','hostPath':{'path':'/mnt/nvme'}},"
        "{'name':'spark-local-dir-4','emptyDir':{'medium':'Memory'}},"
        "{'name':'spark-local-dir-','emptyDir':{}},"
        "{'name':'scratch','emptyDir':{}}]}}",
        WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi,storageClass=gp3");
    check_patch(&r, "[{'op':'remove','path':'/spec/volumes/0/emptyDir'},"
                    "{'op':'add','path':'/spec/volumes/0/ephemeral','value':" CLAIM "},"
                    "{'op':'remove','path':'/spec/volumes/2/emptyDir'},"
                    "{'op':'add','path':'/spec/volumes/2/ephemeral','value':" CLAIM "}]");
    CHECK_EQ(r.warn.n, 2);
    check_warning(&r, 0,
                  "sparkhook: volume spark-local-dir-3 is a hostPath volume, not an emptyDir: "
                  "left alone, no scratch claim");
    check_warning(&r, 1,
                  "sparkhook: volume spark-local-dir-4 is a medium Memory emptyDir: left alone, "
                  "no scratch claim");
    release(&r);
}

static void test_claims_left_alone(void)
{
    struct run r;

    run(&r,
        "{'metadata':{'name':'p'," LABELS "},'spec':{'containers':[" EXEC_CTR "],"
        "'volumes':[{'name':'spark-local-dir-1','persistentVolumeClaim':{'claimName':'c'}},"
        "{'name':'spark-local-dir-2','ephemeral':" CLAIM "}]}}",
        WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi");
    check_patch(&r, "[]");
    CHECK_EQ(r.warn.n, 0);
    release(&r);
}

/* ---- a pod without local dirs -------------------------------------------- */

static void test_no_local_dir_added_to_spark_container(void)
{
    struct run r;

    /* No volumes array, a sidecar first, no env or mounts on Spark's. */
    run(&r,
        "{'metadata':{'name':'p'," LABELS "},'spec':{'securityContext':{'fsGroup':185},"
        "'containers':[{'name':'fluent-bit','volumeMounts':[]}," EXEC_CTR "]}}",
        WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi,storageClass=gp3");
    check_patch(&r,
                "[{'op':'add','path':'/spec/volumes','value':[{'name':'spark-local-dir-sparkhook',"
                "'ephemeral':" CLAIM "}]},"
                "{'op':'add','path':'/spec/containers/1/volumeMounts','value':["
                "{'name':'spark-local-dir-sparkhook','mountPath':'/var/data/spark-sparkhook'}]},"
                "{'op':'add','path':'/spec/containers/1/env','value':["
                "{'name':'SPARK_LOCAL_DIRS','value':'/var/data/spark-sparkhook'}]}]");
    CHECK_EQ(r.warn.n, 0);
    release(&r);
}

static void test_no_spark_container(void)
{
    struct run r;

    run(&r, "{'metadata':{'name':'p'," LABELS "},'spec':{'containers':[{'name':'app'}]}}",
        WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi");
    check_patch(&r, "[]");
    CHECK_EQ(r.warn.n, 1);
    check_warning(&r, 0, "sparkhook: scratch volume not added: no container looks like Spark's");
    release(&r);
}

static void test_own_local_dirs_kept(void)
{
    struct run r;

    run(&r,
        "{'metadata':{'name':'p'," LABELS "},'spec':{'containers':[{'name':'main',"
        "'args':['executor'],'env':[{'name':'SPARK_LOCAL_DIRS','value':'/tmp'}]}]}}",
        WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi");
    check_patch(&r, "[]");
    CHECK_EQ(r.warn.n, 1);
    check_warning(&r, 0,
                  "sparkhook: scratch volume not added: container main sets its own "
                  "SPARK_LOCAL_DIRS (kept)");
    release(&r);
}

static void test_mount_path_taken(void)
{
    struct run r;

    run(&r,
        "{'metadata':{'name':'p'," LABELS "},'spec':{'containers':[{'name':"
        "'spark-kubernetes-executor','volumeMounts':[{'name':'nvme',"
        "'mountPath':'/var/data/spark-sparkhook'}]}],"
        "'volumes':[{'name':'nvme','hostPath':{'path':'/mnt'}}]}}",
        WH_ROLE_EXECUTOR, EXEC_KEY, "size=200Gi");
    check_patch(&r, "[]");
    CHECK_EQ(r.warn.n, 1);
    check_warning(&r, 0,
                  "sparkhook: scratch volume not added: container spark-kubernetes-executor: "
                  "/var/data/spark-sparkhook is already used by volume nvme");
    release(&r);
}

/* ---- settings --------------------------------------------------------------- */

static void test_bad_value_warns_and_adds_nothing(void)
{
    struct run r;

    run(&r, executor_pod, WH_ROLE_EXECUTOR, EXEC_KEY, "storageClass=gp3");
    check_patch(&r, "[]");
    CHECK_EQ(r.warn.n, 1);
    check_warning(&r, 0,
                  "sparkhook: scratch volume not added: namespace annotation "
                  "sparkhook.io/executor-scratch: size is required (e.g. size=200Gi)");
    release(&r);
}

static void test_role_reads_its_own_setting(void)
{
    struct run r;

    /* A driver ignores the executors' setting... */
    run(&r, executor_pod, WH_ROLE_DRIVER, EXEC_KEY, "size=200Gi");
    check_patch(&r, "[]");
    release(&r);
    /* ...and nothing happens without a role. */
    run(&r, executor_pod, WH_ROLE_NONE, EXEC_KEY, "size=200Gi");
    check_patch(&r, "[]");
    release(&r);
    /* Its own: no storage class means the cluster default. */
    run(&r,
        "{'metadata':{'name':'p','labels':{'spark-role':'driver'}},'spec':{"
        "'securityContext':{'fsGroup':185},'containers':[" EXEC_CTR "],"
        "'volumes':[{'name':'spark-local-dir-1','emptyDir':{}}]}}",
        WH_ROLE_DRIVER, DRV_KEY, "size=1536Mi,accessMode=ReadWriteOncePod");
    check_patch(&r, "[{'op':'remove','path':'/spec/volumes/0/emptyDir'},"
                    "{'op':'add','path':'/spec/volumes/0/ephemeral','value':"
                    "{'volumeClaimTemplate':{'metadata':{'labels':{'spark-role':'driver',"
                    "'sparkhook.io/scratch':'true'}},'spec':{'accessModes':['ReadWriteOncePod'],"
                    "'resources':{'requests':{'storage':'1536Mi'}}}}}}]");
    release(&r);
}

/* ---- limits and the fsGroup warning ----------------------------------------- */

static void test_claim_name_length(void)
{
    char pod[1024];
    char name[256];
    struct run r;

    /* <pod>-spark-local-dir-1 is 253 characters: the longest claim name. */
    memset(name, 'a', 235);
    name[235] = '\0';
    (void)snprintf(pod, sizeof(pod),
                   "{'metadata':{'name':'%s'," LABELS "},'spec':{'securityContext':{'fsGroup':1},"
                   "'containers':[" EXEC_CTR "],"
                   "'volumes':[{'name':'spark-local-dir-1','emptyDir':{}}]}}",
                   name);
    run(&r, pod, WH_ROLE_EXECUTOR, EXEC_KEY, "size=1Gi");
    CHECK_EQ(r.patch.n, 2);
    CHECK_EQ(r.warn.n, 0);
    release(&r);
    name[235] = 'a';
    name[236] = '\0';
    (void)snprintf(pod, sizeof(pod),
                   "{'metadata':{'name':'%s'," LABELS "},'spec':{'containers':[" EXEC_CTR "],"
                   "'volumes':[{'name':'spark-local-dir-1','emptyDir':{}}]}}",
                   name);
    run(&r, pod, WH_ROLE_EXECUTOR, EXEC_KEY, "size=1Gi");
    check_patch(&r, "[]");
    CHECK_EQ(r.warn.n, 1);
    check_warning(&r, 0,
                  "sparkhook: volume spark-local-dir-1 left an emptyDir: claim name "
                  "<pod>-spark-local-dir-1 would exceed 253 characters");
    release(&r);
}

static const char no_fs_group_pod[] =
    "{'metadata':{'name':'p'," LABELS "},'spec':{'containers':[" EXEC_CTR "],"
    "'volumes':[{'name':'spark-local-dir-1','emptyDir':{}}]}}";

static void test_fs_group_warning(void)
{
    struct run r;

    run(&r, no_fs_group_pod, WH_ROLE_EXECUTOR, EXEC_KEY, "size=1Gi");
    CHECK_EQ(r.patch.n, 2);
    CHECK_EQ(r.warn.n, 1);
    check_warning(&r, 0,
                  "sparkhook: scratch volume: no securityContext.fsGroup, so a non-root Spark "
                  "(uid 185) may not write to it");
    release(&r);
}

static void test_fs_group_from_earlier_generator(void)
{
    struct wh_err err;
    struct run r;

    setup(&r, no_fs_group_pod, WH_ROLE_EXECUTOR, EXEC_KEY, "size=1Gi");
    CHECK_OK(wh_patch_put(&r.patch, NULL, "/spec/securityContext", "fsGroup",
                          cJSON_CreateNumber(185), &err));
    generate(&r);
    CHECK_EQ(r.patch.n, 3);
    CHECK_EQ(r.warn.n, 0);
    release(&r);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_emptydir_becomes_ephemeral),
    CHECK_TEST(test_second_pass_adds_nothing),
    CHECK_TEST(test_every_local_dir_and_only_disk_emptydirs),
    CHECK_TEST(test_claims_left_alone),
    CHECK_TEST(test_no_local_dir_added_to_spark_container),
    CHECK_TEST(test_no_spark_container),
    CHECK_TEST(test_own_local_dirs_kept),
    CHECK_TEST(test_mount_path_taken),
    CHECK_TEST(test_bad_value_warns_and_adds_nothing),
    CHECK_TEST(test_role_reads_its_own_setting),
    CHECK_TEST(test_claim_name_length),
    CHECK_TEST(test_fs_group_warning),
    CHECK_TEST(test_fs_group_from_earlier_generator),
};

CHECK_MAIN(tests)
