/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_admission.c - the whole admission pipeline (wh_mutate): request body
 * -> AdmissionReview response, with a fixed config (the defaults plus an
 * Azure tenant and two profiles) and a fixed snapshot: the namespaces and
 * service accounts of test/golden/cluster.json, plus opted-in namespaces that
 * turn on every other generator (team-a: service-account redirection,
 * team-az: Azure, team-gcp / team-gke: GCP, team-place: placement, scratch
 * and secrets) and service accounts with every AWS and Azure annotation, so
 * that mutations of the golden requests reach them.
 *
 * Invariants, for any body:
 *   1. the response body is JSON: an AdmissionReview whose apiVersion is the
 *      request's (admission.k8s.io/v1 or v1beta1; v1 when the request has
 *      neither) and whose response.uid is the request's uid when the request
 *      carried a valid one (a non-empty string of at most 128 bytes in a
 *      well-formed envelope), "" otherwise;
 *   2. the HTTP status is 200, 400, 413 or 500, agrees with the verdict, with
 *      response.allowed (true exactly for 200) and with status.code;
 *   3. a patch is present exactly for the "patched" verdict, with patchType
 *      JSONPatch, and its base64 decodes to the rendered patch: a JSON array
 *      (as many operations as the result counts) of "add" operations and
 *      "remove" operations of an object member (never of an array element,
 *      so no index shifts), with absolute paths;
 *   4. only a CREATE of a Pod labelled spark-role=driver|executor in an
 *      opted-in namespace is ever patched;
 *   5. the patch applies (wh_patch_apply) to request.object, and the patched
 *      pod submitted again is answered 200 with no patch (idempotence).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "apply.h"
#include "config.h"
#include "fuzz.h"
#include "mutate.h"
#include "objects.h"
#include "snapshot.h"
#include "util/b64.h"
#include "util/buf.h"
#include "util/json.h"

#include "banned.h"

#define API_V1      "admission.k8s.io/v1"
#define API_V1BETA1 "admission.k8s.io/v1beta1"
#define UID_MAX     128

/* The snapshot, as a v1 List in pieces (ISO C caps a literal at 4095
 * bytes); ' stands for " to keep it readable. */
static const char *const cluster[] = {
    "{'kind':'List','apiVersion':'v1','items':[",
    "{'kind':'Namespace','metadata':{'name':'analytics','uid':'ns-analytics',"
    "'labels':{'kubernetes.io/metadata.name':'analytics'}}},",
    "{'kind':'Namespace','metadata':{'name':'default','uid':'ns-default',"
    "'labels':{'kubernetes.io/metadata.name':'default'}}},",
    "{'kind':'Namespace','metadata':{'name':'spark-jobs','uid':'ns-spark-jobs',"
    "'labels':{'kubernetes.io/metadata.name':'spark-jobs'},"
    "'annotations':{'sparkhook.io/aws-region':'eu-west-1','sparkhook.io/inject':'true'}}},",
    "{'kind':'Namespace','metadata':{'name':'team-a','uid':'ns-team-a',"
    "'labels':{'kubernetes.io/metadata.name':'team-a'},"
    "'annotations':{'sparkhook.io/inject':'true',"
    "'sparkhook.io/aws-role-arn':'arn:aws:iam::111122223333:role/team-a',"
    "'sparkhook.io/driver-service-account':'driver',"
    "'sparkhook.io/executor-service-account':'spark'}}},",
    "{'kind':'Namespace','metadata':{'name':'team-az','uid':'ns-team-az',"
    "'labels':{'kubernetes.io/metadata.name':'team-az'},"
    "'annotations':{'sparkhook.io/inject':'true',"
    "'sparkhook.io/azure-client-id':'5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a59',"
    "'sparkhook.io/profile':'gpu'}}},",
    "{'kind':'Namespace','metadata':{'name':'team-gcp','uid':'ns-team-gcp',"
    "'labels':{'kubernetes.io/metadata.name':'team-gcp'},"
    "'annotations':{'sparkhook.io/inject':'true',"
    "'sparkhook.io/gcp-credential-configmap':'spark-gcp-wif:cred.json',"
    "'sparkhook.io/gcp-wif-audience':'//iam.googleapis.com/projects/1/locations/global/worklo"
    "adIdentityPools/p/providers/q'}}},",
    "{'kind':'Namespace','metadata':{'name':'team-gke','uid':'ns-team-gke',"
    "'labels':{'kubernetes.io/metadata.name':'team-gke'},"
    "'annotations':{'sparkhook.io/inject':'true','sparkhook.io/gke-metadata-server':'true',"
    "'sparkhook.io/profile':'big'}}},",
    "{'kind':'Namespace','metadata':{'name':'team-place','uid':'ns-team-place',"
    "'labels':{'kubernetes.io/metadata.name':'team-place'},"
    "'annotations':{'sparkhook.io/inject':'true','sparkhook.io/aws-region':'eu-west-1',"
    "'sparkhook.io/driver-node-selector':'karpenter.sh/capacity-type=on-demand',"
    "'sparkhook.io/executor-node-selector':'karpenter.sh/capacity-type=spot,"
    "kubernetes.io/os=linux',"
    "'sparkhook.io/driver-tolerations':'dedicated=spark-driver:NoSchedule',"
    "'sparkhook.io/executor-tolerations':'dedicated=spark:NoSchedule, spot:NoExecute',"
    "'sparkhook.io/driver-scratch':'size=100Gi,storageClass=gp3-encrypted',"
    "'sparkhook.io/executor-scratch':'size=200Gi,storageClass=gp3,"
    "accessMode=ReadWriteOncePod','sparkhook.io/driver-secrets':'db-creds:/etc/secrets/db',"
    "'sparkhook.io/executor-secrets':'db-creds:/etc/secrets/db,"
    "kerberos.keytab:/etc/security/keytabs',"
    "'sparkhook.io/driver-secret-env':'DB_PASSWORD=db-creds:password',"
    "'sparkhook.io/executor-secret-env':'DB_USER=db-creds:username'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'default','namespace':'analytics',"
    "'uid':'sa-analytics-default'}},",
    "{'kind':'ServiceAccount','metadata':{'name':'spark','namespace':'analytics',"
    "'uid':'sa-analytics-spark',"
    "'annotations':{'eks.amazonaws.com/role-arn':'arn:aws:iam::111122223333:role/analytics-sp"
    "ark'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'default','namespace':'default',"
    "'uid':'sa-default-default'}},",
    "{'kind':'ServiceAccount','metadata':{'name':'default','namespace':'spark-jobs',"
    "'uid':'sa-spark-jobs-default'}},",
    "{'kind':'ServiceAccount','metadata':{'name':'spark','namespace':'spark-jobs',"
    "'uid':'sa-spark-jobs-spark',"
    "'annotations':{'eks.amazonaws.com/role-arn':'arn:aws:iam::111122223333:role/spark-jobs-s"
    "3','eks.amazonaws.com/sts-regional-endpoints':'true'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'gov','namespace':'spark-jobs',"
    "'uid':'sa-spark-jobs-gov',"
    "'annotations':{'eks.amazonaws.com/role-arn':'arn:aws-us-gov:iam::111122223333:role/path/"
    "to/gov-role','eks.amazonaws.com/audience':'sts.example.internal',"
    "'eks.amazonaws.com/token-expiration':'3600',"
    "'eks.amazonaws.com/sts-regional-endpoints':'false'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'short','namespace':'spark-jobs',"
    "'uid':'sa-spark-jobs-short',"
    "'annotations':{'eks.amazonaws.com/role-arn':'arn:aws:iam::1234:role/short-account'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'azure','namespace':'spark-jobs',"
    "'uid':'sa-spark-jobs-azure',"
    "'annotations':{'azure.workload.identity/client-id':'5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a59"
    "','azure.workload.identity/tenant-id':'72f988bf-86f1-41af-91ab-2d7cd011db47'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'default','namespace':'team-a',"
    "'uid':'sa-team-a-default'}},",
    "{'kind':'ServiceAccount','metadata':{'name':'spark','namespace':'team-a',"
    "'uid':'sa-team-a-spark'}},",
    "{'kind':'ServiceAccount','metadata':{'name':'driver','namespace':'team-a',"
    "'uid':'sa-team-a-driver',"
    "'annotations':{'eks.amazonaws.com/role-arn':'arn:aws:iam::111122223333:role/team-a-drive"
    "r'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'default','namespace':'team-az',"
    "'uid':'sa-team-az-default'}},",
    "{'kind':'ServiceAccount','metadata':{'name':'spark','namespace':'team-az',"
    "'uid':'sa-team-az-spark',"
    "'annotations':{'azure.workload.identity/client-id':'5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a59"
    "','azure.workload.identity/tenant-id':'72f988bf-86f1-41af-91ab-2d7cd011db47'}}},",
    "{'kind':'ServiceAccount','metadata':{'name':'spark','namespace':'team-place',"
    "'uid':'sa-team-place-spark',"
    "'annotations':{'eks.amazonaws.com/role-arn':'arn:aws:iam::111122223333:role/team-place'}"
    "}}"
    "]}",
};

/* The config: the defaults, plus what the Azure generator and the profiles
 * that team-az and team-gke select need (as in the golden cases). */
static const char *const config =
    "{'azure':{'tenantId':'72f988bf-86f1-41af-91ab-2d7cd011db47'},"
    "'profiles':{'gpu':{'sparkhook.io/executor-node-selector':'nvidia.com/gpu.present=true',"
    "'sparkhook.io/executor-tolerations':'nvidia.com/gpu:NoSchedule'},"
    "'big':{'sparkhook.io/executor-scratch':'size=500Gi,storageClass=gp3'}}}";

/* Namespaces of the snapshot that opt in (sparkhook.io/inject: "true"). */
static const char *const opted_in[] = {
    "spark-jobs", "team-a", "team-az", "team-gcp", "team-gke", "team-place",
};

struct state {
    struct wh_config *cfg;
    struct wh_snapshot *snap;
};

/* A malloc'd concatenation of the n pieces with ' turned into ". */
static char *unquote(const char *const *pieces, size_t n)
{
    struct wh_buf b;
    size_t i;

    wh_buf_init(&b, 1u << 20);
    for (i = 0; i < n; i++)
        FUZZ_CHECK(wh_buf_adds(&b, pieces[i]) == WH_OK, "embedded text too long");
    for (i = 0; i < b.len; i++) {
        if (b.data[i] == '\'')
            b.data[i] = '"';
    }
    return wh_buf_take(&b, NULL);
}

static const struct state *setup(void)
{
    static struct state st;
    struct wh_err err;
    char *text;

    if (st.cfg)
        return &st;
    fuzz_init();
    text = unquote(&config, 1);
    FUZZ_CHECK(wh_config_parse(text, strlen(text), &st.cfg, &err) == WH_OK, "embedded config: %s",
               err.msg);
    free(text);
    text = unquote(cluster, WH_NELEM(cluster));
    FUZZ_CHECK(wh_objects_parse(text, strlen(text), &st.snap, &err) == WH_OK,
               "embedded cluster: %s", err.msg);
    free(text);
    return &st;
}

/* What the request says, read independently of admission.c. */
struct expect {
    cJSON *root;         /* the request, when it is JSON within the depth cap */
    const char *version; /* apiVersion the response must carry */
    const char *uid;     /* uid the response must echo ("" for none) */
    const cJSON *request;
    bool may_patch; /* a Spark pod CREATE in an opted-in namespace */
};

static bool is_str(const cJSON *obj, const char *key, const char *want)
{
    const char *s = wh_json_get_str(obj, key);

    return s != NULL && strcmp(s, want) == 0;
}

static bool spark_pod_create(const cJSON *req)
{
    const cJSON *obj = wh_json_get(req, "object", WH_JSON_OBJECT);
    const cJSON *labels =
        wh_json_get(wh_json_get(obj, "metadata", WH_JSON_OBJECT), "labels", WH_JSON_OBJECT);
    const char *ns = wh_json_get_str(req, "namespace");
    bool opted = false;
    size_t i;

    for (i = 0; ns && i < WH_NELEM(opted_in); i++)
        opted = opted || strcmp(ns, opted_in[i]) == 0;
    return opted && is_str(req, "operation", "CREATE") &&
           is_str(wh_json_get(req, "kind", WH_JSON_OBJECT), "kind", "Pod") &&
           (is_str(labels, "spark-role", "driver") || is_str(labels, "spark-role", "executor"));
}

static void read_request(const struct state *st, const char *text, size_t len, struct expect *e)
{
    const char *v, *uid;
    struct wh_err err;

    memset(e, 0, sizeof(*e));
    e->version = API_V1;
    e->uid = "";
    if (len > st->cfg->max_body ||
        wh_json_parse(text, len, (int)st->cfg->max_depth, &e->root, &err) != WH_OK)
        return;
    v = wh_json_get_str(e->root, "apiVersion");
    if (v == NULL || (strcmp(v, API_V1) != 0 && strcmp(v, API_V1BETA1) != 0))
        return;
    e->version = v;
    if (!is_str(e->root, "kind", "AdmissionReview"))
        return;
    e->request = wh_json_get(e->root, "request", WH_JSON_OBJECT);
    uid = wh_json_get_str(e->request, "uid");
    if (uid && uid[0] && strlen(uid) <= UID_MAX)
        e->uid = uid;
    e->may_patch = spark_pod_create(e->request);
}

/* Invariants 1 and 2; returns the parsed response (caller deletes). */
static cJSON *check_envelope(const struct expect *e, const struct wh_result *res)
{
    const cJSON *resp, *status;
    const char *uid;
    cJSON *body = NULL;
    struct wh_err err;
    int st = res->http_status;

    FUZZ_CHECK(st == 200 || st == 400 || st == 413 || st == 500, "HTTP status %d", st);
    FUZZ_CHECK(wh_json_parse(wh_buf_str(&res->body), res->body.len, 16, &body, &err) == WH_OK,
               "response is not JSON (%s): %s", err.msg, wh_buf_str(&res->body));
    FUZZ_CHECK(is_str(body, "kind", "AdmissionReview"), "kind: %s", wh_buf_str(&res->body));
    FUZZ_CHECK(is_str(body, "apiVersion", e->version), "apiVersion: want %s in %s", e->version,
               wh_buf_str(&res->body));
    resp = wh_json_get(body, "response", WH_JSON_OBJECT);
    uid = wh_json_get_str(resp, "uid");
    FUZZ_CHECK(uid != NULL && strcmp(uid, e->uid) == 0, "uid: want \"%s\" in %s", e->uid,
               wh_buf_str(&res->body));
    FUZZ_CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(resp, "allowed")), "allowed");
    FUZZ_CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed")) == (st == 200),
               "allowed disagrees with HTTP %d: %s", st, wh_buf_str(&res->body));
    status = wh_json_get(resp, "status", WH_JSON_OBJECT);
    if (st != 200) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(status, "code");

        FUZZ_CHECK(cJSON_IsNumber(code) && code->valuedouble == (double)st,
                   "status.code disagrees with HTTP %d: %s", st, wh_buf_str(&res->body));
    }
    switch (res->verdict) {
    case WH_VERDICT_PATCHED:
    case WH_VERDICT_ALLOWED:
    case WH_VERDICT_SKIPPED:
        FUZZ_CHECK(st == 200, "verdict %s with HTTP %d", wh_verdict_name(res->verdict), st);
        break;
    case WH_VERDICT_INVALID:
        FUZZ_CHECK(st == 400 || st == 413, "invalid with HTTP %d", st);
        break;
    case WH_VERDICT_ERROR:
    case WH_VERDICT_COUNT:
        FUZZ_CHECK(st == 500, "verdict %d with HTTP %d", (int)res->verdict, st);
        break;
    }
    return body;
}

/* True for a pointer segment that addresses an array element. */
static bool array_index(const char *seg)
{
    if (strcmp(seg, "-") == 0)
        return true;
    if (*seg == '\0')
        return false;
    for (; *seg; seg++) {
        if (*seg < '0' || *seg > '9')
            return false;
    }
    return true;
}

/* Invariant 3: the patch document; returns it parsed (caller deletes). */
static cJSON *check_patch(const cJSON *resp, const struct wh_result *res)
{
    const char *b64 = wh_json_get_str(resp, "patch");
    const cJSON *op;
    cJSON *ops = NULL;
    struct wh_buf dec;
    struct wh_err err;
    size_t n = 0;

    FUZZ_CHECK(is_str(resp, "patchType", "JSONPatch"), "patch without patchType JSONPatch");
    FUZZ_CHECK(b64 != NULL, "patch is not a string");
    wh_buf_init(&dec, res->patch.cap + 4);
    FUZZ_CHECK(wh_b64_decode(b64, strlen(b64), &dec) == WH_OK, "patch is not base64");
    FUZZ_CHECK(dec.len == res->patch.len && memcmp(dec.data, res->patch.data, dec.len) == 0,
               "base64 patch differs from the rendered one");
    FUZZ_CHECK(wh_json_parse(wh_buf_str(&dec), dec.len, 1000, &ops, &err) == WH_OK,
               "patch is not JSON: %s", err.msg);
    FUZZ_CHECK(cJSON_IsArray(ops) && cJSON_GetArraySize(ops) > 0, "patch is not a non-empty array");
    cJSON_ArrayForEach(op, ops)
    {
        const char *path = wh_json_get_str(op, "path");

        FUZZ_CHECK(path && path[0] == '/', "relative path in %s", wh_buf_str(&dec));
        if (is_str(op, "op", "add")) {
            FUZZ_CHECK(cJSON_GetArraySize(op) == 3 &&
                           cJSON_GetObjectItemCaseSensitive(op, "value") != NULL,
                       "not a plain add: %s", wh_buf_str(&dec));
        } else {
            FUZZ_CHECK(is_str(op, "op", "remove") && cJSON_GetArraySize(op) == 2,
                       "neither add nor remove: %s", wh_buf_str(&dec));
            FUZZ_CHECK(!array_index(strrchr(path, '/') + 1), "remove of an array element: %s",
                       path);
        }
        n++;
    }
    FUZZ_CHECK(n == res->patch_ops, "%zu ops rendered, %zu counted", n, res->patch_ops);
    wh_buf_cleanup(&dec);
    return ops;
}

/* Invariant 5: apply, then run the patched pod again. */
static void check_apply(const struct state *st, const struct expect *e, const struct wh_result *res)
{
    cJSON *review = cJSON_Duplicate(e->root, 1);
    cJSON *req = cJSON_GetObjectItemCaseSensitive(review, "request");
    cJSON *obj = cJSON_GetObjectItemCaseSensitive(req, "object");
    struct wh_result again;
    struct wh_err err;
    char *text;

    FUZZ_CHECK(cJSON_IsObject(obj), "patched a request without an object");
    FUZZ_CHECK(wh_patch_apply(obj, wh_buf_str(&res->patch), res->patch.len, &err) == WH_OK,
               "patch does not apply: %s\n%s", err.msg, wh_buf_str(&res->patch));
    text = cJSON_PrintUnformatted(review);
    wh_result_init(&again, st->cfg);
    wh_mutate(st->cfg, st->snap, text, strlen(text), &again);
    FUZZ_CHECK(again.http_status == 200 && again.patch.len == 0,
               "second pass: HTTP %d, patch %s\nfirst patch %s", again.http_status,
               wh_buf_str(&again.patch), wh_buf_str(&res->patch));
    wh_result_cleanup(&again);
    free(text);
    cJSON_Delete(review);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct state *st = setup();
    struct wh_result res;
    struct expect e;
    const cJSON *resp;
    cJSON *body, *ops = NULL;
    char *text = fuzz_text(data, size);
    bool patched;

    read_request(st, text, size, &e);
    wh_result_init(&res, st->cfg);
    wh_mutate(st->cfg, st->snap, text, size, &res);
    body = check_envelope(&e, &res);
    resp = wh_json_get(body, "response", WH_JSON_OBJECT);
    patched = cJSON_GetObjectItemCaseSensitive(resp, "patch") != NULL;
    FUZZ_CHECK(patched == (res.verdict == WH_VERDICT_PATCHED) && patched == (res.patch.len > 0),
               "patch present %d, verdict %s, rendered %zu bytes", patched,
               wh_verdict_name(res.verdict), res.patch.len);
    if (!patched)
        FUZZ_CHECK(cJSON_GetObjectItemCaseSensitive(resp, "patchType") == NULL,
                   "patchType without a patch");
    if (patched) {
        FUZZ_CHECK(e.may_patch, "patched a request that is not a Spark pod CREATE in an "
                                "opted-in namespace");
        ops = check_patch(resp, &res);
        check_apply(st, &e, &res);
    }
    cJSON_Delete(ops);
    cJSON_Delete(body);
    wh_result_cleanup(&res);
    cJSON_Delete(e.root);
    free(text);
    return 0;
}
