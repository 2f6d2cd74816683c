/* SPDX-License-Identifier: Apache-2.0
 *
 * test_identity_cloud.c - the azure-wi and gcp-wif generators called
 * directly, with a hand-made policy: every decision the golden cases do not
 * show (GUID and expiration boundaries, the tenant chain, containers that
 * carry their own identity, mount path and volume name collisions, the
 * ConfigMap and audience syntax, config paths), each checked for its
 * operations, its warnings and idempotence (the patched pod run again adds
 * nothing).
 *
 * JSON in this file is written with single quotes and turned into JSON by
 * json() before use; no value here contains a quote.
 */
#include "apply.h"
#include "check.h"
#include "config.h"
#include "patches.h"
#include "util/mem.h"

#include "banned.h"

#define CLIENT "5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a59"
#define TENANT "72f988bf-86f1-41af-91ab-2d7cd011db47"
#define AUD    "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q"

#define SPARK_CTR "{'name':'spark-kubernetes-executor','image':'spark:3.5.1'}"
#define POD(spec) "{'metadata':{'name':'p','namespace':'spark-jobs'},'spec':" spec "}"
#define ONE_CTR   POD("{'containers':[" SPARK_CTR "]}")

/* One generator run and what it produced. */
struct run {
    struct wh_config *cfg;
    struct wh_policy pol;
    struct wh_warnings warn;
    char *patch; /* rendered ops, "[]" for none */
    size_t nops;
};

/* A malloc'd copy of s with every ' turned into ". */
static char *json(const char *s)
{
    char *out = wh_xstrdup(s);
    char *p;

    for (p = out; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return out;
}

static void setup(struct run *r, const char *config)
{
    struct wh_err err = { 0 };

    memset(r, 0, sizeof(*r));
    wh_warnings_init(&r->warn);
    if (config == NULL) {
        r->cfg = wh_config_new_defaults();
    } else {
        char *text = json(config);
        int rc = wh_config_parse(text, strlen(text), &r->cfg, &err);

        free(text);
        if (rc != WH_OK)
            CHECK_FAIL_("wh_config_parse: %s", err.msg);
    }
}

static void teardown(struct run *r)
{
    wh_warnings_cleanup(&r->warn);
    wh_config_free(r->cfg);
    free(r->patch);
    r->cfg = NULL;
    r->patch = NULL;
}

/* Sets setting id as if it came from src (whose annotation key it takes). */
static void set(struct run *r, enum wh_setting_id id, enum wh_source src, const char *value)
{
    const struct wh_setting_def *d = wh_setting_def(id);

    r->pol.set[id].value = value;
    r->pol.set[id].source = src;
    r->pol.set[id].key = src == WH_SRC_POD              ? d->pod_key
                         : src == WH_SRC_SERVICEACCOUNT ? d->sa_key
                                                        : d->ns_key;
}

/* Runs fn over obj; returns the rendered patch (caller frees) and its op
 * count in *nops. */
static char *gen_once(struct run *r, wh_gen_fn *fn, const cJSON *obj, struct wh_warnings *warn,
                      size_t *nops)
{
    struct wh_err err = { 0 };
    struct wh_pod pod;
    struct wh_patch patch;
    struct wh_buf out;
    struct wh_gen_ctx ctx;
    char *text;

    wh_pod_init(&pod);
    wh_patch_init(&patch);
    wh_buf_init(&out, 1 << 20);
    CHECK_OK(wh_pod_parse(obj, &pod, &err));
    ctx = (struct wh_gen_ctx){ r->cfg, &pod, &r->pol, warn };
    CHECK_OK(fn(&ctx, &patch, &err));
    CHECK_OK(wh_patch_render(&patch, &out));
    *nops = patch.n;
    text = wh_buf_take(&out, NULL);
    wh_buf_cleanup(&out);
    wh_patch_cleanup(&patch);
    wh_pod_cleanup(&pod);
    return text;
}

/* Runs fn over pod (single-quoted JSON) into r, then checks that the patched
 * pod run again yields no operation. */
static void gen(struct run *r, wh_gen_fn *fn, const char *pod)
{
    struct wh_err err = { 0 };
    struct wh_warnings again;
    char *text = json(pod);
    cJSON *obj = cJSON_Parse(text);
    size_t n2 = 0;
    char *second;

    free(text);
    CHECK(obj != NULL);
    free(r->patch);
    r->patch = gen_once(r, fn, obj, &r->warn, &r->nops);
    CHECK_OK(wh_patch_apply(obj, r->patch, strlen(r->patch), &err));
    wh_warnings_init(&again);
    second = gen_once(r, fn, obj, &again, &n2);
    wh_warnings_cleanup(&again);
    if (n2 != 0)
        CHECK_FAIL_("second pass not empty: %s", second);
    free(second);
    cJSON_Delete(obj);
}

static bool has_warning(const struct run *r, const char *part)
{
    size_t i;

    for (i = 0; i < r->warn.n; i++) {
        if (strstr(r->warn.msg[i], part) != NULL)
            return true;
    }
    return false;
}

#define CHECK_WARNS(r, part)                                                                  \
    do {                                                                                      \
        if (!has_warning((r), (part)))                                                        \
            CHECK_FAIL_("no warning with \"%s\" (%zu warnings%s%s)", (part), (r)->warn.n,     \
                        (r)->warn.n ? ", first: " : "", (r)->warn.n ? (r)->warn.msg[0] : ""); \
    } while (0)

#define CHECK_HAS(r, part)                                              \
    do {                                                                \
        char *want_ = json(part);                                       \
        bool ok_ = strstr((r)->patch, want_) != NULL;                   \
        free(want_);                                                    \
        if (!ok_)                                                       \
            CHECK_FAIL_("patch lacks %s:\n    %s", (part), (r)->patch); \
    } while (0)

#define CHECK_LACKS(r, part)                                          \
    do {                                                              \
        char *want_ = json(part);                                     \
        bool ok_ = strstr((r)->patch, want_) == NULL;                 \
        free(want_);                                                  \
        if (!ok_)                                                     \
            CHECK_FAIL_("patch has %s:\n    %s", (part), (r)->patch); \
    } while (0)

/* ---- azure ----------------------------------------------------------------- */

static void azure_sa(struct run *r, const char *client, const char *tenant)
{
    set(r, WH_SET_AZURE_CLIENT_ID, WH_SRC_SERVICEACCOUNT, client);
    if (tenant)
        set(r, WH_SET_AZURE_TENANT_ID, WH_SRC_SERVICEACCOUNT, tenant);
}

static void test_azure_full_patch(void)
{
    struct run r;

    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity, ONE_CTR);
    {
        char *want =
            json("[{'op':'add','path':'/spec/containers/0/env','value':["
                 "{'name':'AZURE_CLIENT_ID','value':'" CLIENT "'},"
                 "{'name':'AZURE_TENANT_ID','value':'" TENANT "'},"
                 "{'name':'AZURE_FEDERATED_TOKEN_FILE',"
                 "'value':'/var/run/secrets/azure/tokens/azure-identity-token'},"
                 "{'name':'AZURE_AUTHORITY_HOST','value':'https://login.microsoftonline.com/'}]},"
                 "{'op':'add','path':'/spec/containers/0/volumeMounts','value':["
                 "{'name':'azure-identity-token','readOnly':true,"
                 "'mountPath':'/var/run/secrets/azure/tokens'}]},"
                 "{'op':'add','path':'/spec/volumes','value':[{'name':'azure-identity-token',"
                 "'projected':{'sources':[{'serviceAccountToken':{'audience':"
                 "'api://AzureADTokenExchange','expirationSeconds':3600,"
                 "'path':'azure-identity-token'}}]}}]}]");

        CHECK_JSON_EQ(r.patch, want);
        free(want);
    }
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
}

static void test_azure_no_client_id(void)
{
    static const char *const values[] = { NULL, "" };
    size_t i;

    for (i = 0; i < WH_NELEM(values); i++) {
        struct run r;

        setup(&r, "{'azure':{'tenantId':'" TENANT "'}}");
        set(&r, WH_SET_AZURE_CLIENT_ID, WH_SRC_NAMESPACE, values[i]);
        gen(&r, wh_gen_azure_identity, ONE_CTR);
        CHECK_EQ(r.nops, 0);
        CHECK_EQ(r.warn.n, 0);
        teardown(&r);
    }
}

static void test_azure_guid_syntax(void)
{
    static const struct {
        const char *id;
        bool ok;
    } cases[] = {
        { CLIENT, true },
        { "5F3C2B1A-8D4E-4F6A-9B7C-0E1D2C3B4A59", true },
        { "5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a5", false },   /* 35 */
        { "5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a591", false }, /* 37 */
        { "5f3c2b1g-8d4e-4f6a-9b7c-0e1d2c3b4a59", false },  /* g */
        { "5f3c2b1a8-d4e-4f6a-9b7c-0e1d2c3b4a59", false },  /* dash moved */
        { "{5f3c2b1a-8d4e-4f6a-9b7c-0e1d2c3b4a5}", false },
        { "5f3c2b1a 8d4e-4f6a-9b7c-0e1d2c3b4a59", false },
    };
    size_t i;

    for (i = 0; i < WH_NELEM(cases); i++) {
        struct run r;

        setup(&r, NULL);
        azure_sa(&r, cases[i].id, TENANT);
        gen(&r, wh_gen_azure_identity, ONE_CTR);
        CHECK_EQ(r.nops > 0, cases[i].ok);
        if (!cases[i].ok)
            CHECK_WARNS(&r, "azure.workload.identity/client-id=");
        teardown(&r);

        /* The same rule for the tenant. */
        setup(&r, NULL);
        azure_sa(&r, CLIENT, cases[i].id);
        gen(&r, wh_gen_azure_identity, ONE_CTR);
        CHECK_EQ(r.nops > 0, cases[i].ok);
        if (!cases[i].ok)
            CHECK_WARNS(&r, "azure.workload.identity/tenant-id=");
        teardown(&r);
    }
}

static void test_azure_tenant_chain(void)
{
    struct run r;

    /* The config default applies when no annotation names a tenant. */
    setup(&r, "{'azure':{'tenantId':'" TENANT "'}}");
    set(&r, WH_SET_AZURE_CLIENT_ID, WH_SRC_NAMESPACE, CLIENT);
    gen(&r, wh_gen_azure_identity, ONE_CTR);
    CHECK_HAS(&r, "{'name':'AZURE_TENANT_ID','value':'" TENANT "'}");
    teardown(&r);

    /* An annotation wins over the config default. */
    setup(&r, "{'azure':{'tenantId':'" TENANT "'}}");
    azure_sa(&r, CLIENT, "00000000-0000-4000-8000-000000000001");
    gen(&r, wh_gen_azure_identity, ONE_CTR);
    CHECK_HAS(&r, "'value':'00000000-0000-4000-8000-000000000001'");
    CHECK_LACKS(&r, TENANT);
    teardown(&r);

    /* No tenant anywhere: a warning, nothing else. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, NULL);
    gen(&r, wh_gen_azure_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "no tenant id");
    teardown(&r);

    /* A malformed config default is named. */
    setup(&r, "{'azure':{'tenantId':'contoso.onmicrosoft.com'}}");
    azure_sa(&r, CLIENT, NULL);
    gen(&r, wh_gen_azure_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "config azure.tenantId=");
    teardown(&r);

    /* The authority host comes from the config. */
    setup(&r, "{'azure':{'authorityHost':'https://login.microsoftonline.us/'}}");
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity, ONE_CTR);
    CHECK_HAS(&r, "{'name':'AZURE_AUTHORITY_HOST','value':'https://login.microsoftonline.us/'}");
    teardown(&r);
}

static void test_azure_expiration(void)
{
    static const struct {
        const char *value;
        int want;
        bool warns;
    } cases[] = {
        { "3599", 3600, true },    { "3600", 3600, false },  { "7200", 7200, false },
        { "86400", 86400, false }, { "86401", 86400, true }, { "0", 3600, true },
        { "1h", 3600, true },      { "", 3600, true },       { "-5", 3600, true },
    };
    size_t i;

    for (i = 0; i < WH_NELEM(cases); i++) {
        struct run r;
        char want[64];

        setup(&r, NULL);
        azure_sa(&r, CLIENT, TENANT);
        set(&r, WH_SET_AZURE_TOKEN_EXPIRATION, WH_SRC_POD, cases[i].value);
        gen(&r, wh_gen_azure_identity, ONE_CTR);
        (void)snprintf(want, sizeof(want), "'expirationSeconds':%d,", cases[i].want);
        CHECK_HAS(&r, want);
        CHECK_EQ(r.warn.n, cases[i].warns ? 1 : 0);
        if (cases[i].warns)
            CHECK_WARNS(&r, "pod annotation azure.workload.identity/service-account-token-exp");
        teardown(&r);
    }
}

static void test_azure_skip_containers(void)
{
    struct run r;

    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    set(&r, WH_SET_AZURE_SKIP_CONTAINERS, WH_SRC_POD, " istio-proxy ;init ; ");
    gen(&r, wh_gen_azure_identity,
        POD("{'initContainers':[{'name':'init','image':'busybox'}],"
            "'containers':[{'name':'istio-proxy','image':'envoy'}," SPARK_CTR "]}"));
    CHECK_HAS(&r, "/spec/containers/1/env");
    CHECK_LACKS(&r, "/spec/containers/0/");
    CHECK_LACKS(&r, "/spec/initContainers/");
    CHECK_EQ(r.warn.n, 2);
    CHECK_WARNS(&r, "container init skipped");
    CHECK_WARNS(&r, "container istio-proxy skipped");
    teardown(&r);

    /* ',' is not the Azure separator: the whole entry names no container. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    set(&r, WH_SET_AZURE_SKIP_CONTAINERS, WH_SRC_POD, "istio-proxy,init");
    gen(&r, wh_gen_azure_identity,
        POD("{'initContainers':[{'name':'init','image':'busybox'}],"
            "'containers':[{'name':'istio-proxy','image':'envoy'}]}"));
    CHECK_HAS(&r, "/spec/initContainers/0/env");
    CHECK_HAS(&r, "/spec/containers/0/env");
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
}

static void test_azure_user_env(void)
{
    struct run r;

    /* The user's own client id is kept, the rest is added, with a warning. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'c','image':'i','env':["
            "{'name':'AZURE_CLIENT_ID','value':'00000000-0000-4000-8000-000000000009'},"
            "{'name':'AZURE_AUTHORITY_HOST','value':'https://login.partner.microsoftonline.cn/'}"
            "]}]}"));
    CHECK_LACKS(&r, "'AZURE_CLIENT_ID'");
    CHECK_LACKS(&r, "'AZURE_AUTHORITY_HOST'");
    CHECK_HAS(&r, "'AZURE_TENANT_ID'");
    CHECK_HAS(&r, "'AZURE_FEDERATED_TOKEN_FILE'");
    CHECK_HAS(&r, "/spec/volumes");
    CHECK_EQ(r.warn.n, 1);
    CHECK_WARNS(&r, "container c sets its own AZURE_CLIENT_ID; kept as is");
    /* The user's value never reaches a warning. */
    CHECK(!has_warning(&r, "00000000-0000-4000-8000-000000000009"));
    teardown(&r);

    /* The same client id in another case, or from valueFrom: no warning. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'c','image':'i','env':["
            "{'name':'AZURE_CLIENT_ID','value':'5F3C2B1A-8D4E-4F6A-9B7C-0E1D2C3B4A59'}]},"
            "{'name':'d','image':'i','env':[{'name':'AZURE_CLIENT_ID','valueFrom':"
            "{'configMapKeyRef':{'name':'ids','key':'client'}}}]}]}"));
    CHECK_EQ(r.warn.n, 0);
    CHECK_HAS(&r, "/spec/containers/1/volumeMounts");
    teardown(&r);
}

static void test_azure_already_present(void)
{
    struct run r;

    /* A token file variable alone (any path) marks the container as set up;
     * a mount of the volume alone (any path) too. Nothing is added to
     * either, and no volume is needed. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'a','image':'i','env':[{'name':"
            "'AZURE_FEDERATED_TOKEN_FILE','value':'/var/run/secrets/tokens/azure-identity-token'}"
            "]},{'name':'b','image':'i','volumeMounts':[{'name':'azure-identity-token',"
            "'mountPath':'/var/run/secrets/tokens'}]}],"
            "'volumes':[{'name':'azure-identity-token','projected':{'sources':["
            "{'serviceAccountToken':{'path':'azure-identity-token','expirationSeconds':3600}}]}}"
            "]}"));
    CHECK_EQ(r.nops, 0);
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);

    /* Another client id on a set-up container: left alone, with a warning. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'a','image':'i','env':[{'name':'AZURE_CLIENT_ID','value':"
            "'00000000-0000-4000-8000-000000000009'},{'name':'AZURE_FEDERATED_TOKEN_FILE',"
            "'value':'/var/run/secrets/azure/tokens/azure-identity-token'}]}]}"));
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "container a has Azure Workload Identity for another AZURE_CLIENT_ID");
    teardown(&r);

    /* The pod's token volume (the Azure webhook's) is reused for a container
     * that lacks it: mounted, not added a second time. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'c','image':'i'}],'volumes':[{'name':"
            "'azure-identity-token','projected':{'sources':[{'serviceAccountToken':{'audience':"
            "'api://AzureADTokenExchange','expirationSeconds':3600,"
            "'path':'azure-identity-token'}}],'defaultMode':420}}]}"));
    CHECK_HAS(&r, "/spec/containers/0/volumeMounts");
    CHECK_LACKS(&r, "/spec/volumes");
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
}

static void test_azure_collisions(void)
{
    struct run r;

    /* A volume called azure-identity-token that is no token: nothing. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'c','image':'i'}],"
            "'volumes':[{'name':'azure-identity-token','emptyDir':{}}]}"));
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "volume azure-identity-token holds no token");
    teardown(&r);

    /* The mount path taken by another volume: that container gets nothing
     * (no variable pointing at a missing file), the others are injected. */
    setup(&r, NULL);
    azure_sa(&r, CLIENT, TENANT);
    gen(&r, wh_gen_azure_identity,
        POD("{'containers':[{'name':'c','image':'i','volumeMounts':[{'name':'mine',"
            "'mountPath':'/var/run/secrets/azure/tokens'}]}," SPARK_CTR "],"
            "'volumes':[{'name':'mine','emptyDir':{}}]}"));
    CHECK_LACKS(&r, "/spec/containers/0/");
    CHECK_HAS(&r, "/spec/containers/1/env");
    CHECK_HAS(&r, "/spec/volumes/-");
    CHECK_WARNS(&r, "container c: /var/run/secrets/azure/tokens is already used by volume mine");
    teardown(&r);
}

/* ---- gcp: GKE metadata server ------------------------------------------- */

static void test_gke_metadata_server(void)
{
    struct run r;

    /* No nodeSelector: created. */
    setup(&r, NULL);
    set(&r, WH_SET_GKE_METADATA_SERVER, WH_SRC_NAMESPACE, "true");
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_JSON_EQ(r.patch, "[{\"op\":\"add\",\"path\":\"/spec/nodeSelector\",\"value\":"
                           "{\"iam.gke.io/gke-metadata-server-enabled\":\"true\"}}]");
    teardown(&r);

    /* A nodeSelector: one key added, escaped. */
    setup(&r, NULL);
    set(&r, WH_SET_GKE_METADATA_SERVER, WH_SRC_PROFILE, "true");
    gen(&r, wh_gen_gcp_identity,
        POD("{'nodeSelector':{'cloud.google.com/gke-nodepool':'spark'},'containers':[" SPARK_CTR
            "]}"));
    CHECK_JSON_EQ(r.patch, "[{\"op\":\"add\",\"path\":"
                           "\"/spec/nodeSelector/iam.gke.io~1gke-metadata-server-enabled\","
                           "\"value\":\"true\"}]");
    teardown(&r);

    /* Already "true": nothing to say. */
    setup(&r, NULL);
    set(&r, WH_SET_GKE_METADATA_SERVER, WH_SRC_NAMESPACE, "true");
    gen(&r, wh_gen_gcp_identity,
        POD("{'nodeSelector':{'iam.gke.io/gke-metadata-server-enabled':'true'},"
            "'containers':[" SPARK_CTR "]}"));
    CHECK_EQ(r.nops, 0);
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);

    /* "false" and the bad values: nothing; bad values warn. */
    setup(&r, NULL);
    set(&r, WH_SET_GKE_METADATA_SERVER, WH_SRC_NAMESPACE, "false");
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
    setup(&r, NULL);
    set(&r, WH_SET_GKE_METADATA_SERVER, WH_SRC_NAMESPACE, "True");
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "namespace annotation sparkhook.io/gke-metadata-server: \"True\"");
    teardown(&r);
}

/* ---- gcp: workload identity federation ----------------------------------- */

static void wif(struct run *r, const char *configmap, const char *audience)
{
    set(r, WH_SET_GCP_CREDENTIAL_CONFIGMAP, WH_SRC_NAMESPACE, configmap);
    set(r, WH_SET_GCP_AUDIENCE, WH_SRC_NAMESPACE, audience);
}

static void test_wif_full_patch(void)
{
    struct run r;

    setup(&r, NULL);
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    {
        char *want = json(
            "[{'op':'add','path':'/spec/containers/0/env','value':[{'name':"
            "'GOOGLE_APPLICATION_CREDENTIALS','value':"
            "'/etc/workload-identity/credential-configuration.json'}]},"
            "{'op':'add','path':'/spec/containers/0/volumeMounts','value':["
            "{'name':'gcp-credential-configuration','readOnly':true,"
            "'mountPath':'/etc/workload-identity'},"
            "{'name':'gcp-ksa-token','readOnly':true,'mountPath':'/var/run/service-account'}]},"
            "{'op':'add','path':'/spec/volumes','value':["
            "{'name':'gcp-credential-configuration','configMap':{'name':'wif','items':["
            "{'key':'credential-configuration.json','path':'credential-configuration.json'}]}},"
            "{'name':'gcp-ksa-token','projected':{'sources':[{'serviceAccountToken':{"
            "'audience':'" AUD "','expirationSeconds':3600,'path':'token'}}]}}]}]");

        CHECK_JSON_EQ(r.patch, want);
        free(want);
    }
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);
}

static void test_wif_one_setting(void)
{
    struct run r;

    setup(&r, NULL);
    wif(&r, NULL, AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "sparkhook.io/gcp-wif-audience is set but "
                    "sparkhook.io/gcp-credential-configmap is not");
    teardown(&r);

    setup(&r, NULL);
    wif(&r, "wif", "");
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "sparkhook.io/gcp-credential-configmap is set but "
                    "sparkhook.io/gcp-wif-audience is not");
    teardown(&r);
}

static void test_wif_configmap_syntax(void)
{
    static const struct {
        const char *value;
        const char *warning; /* NULL: accepted */
    } cases[] = {
        { "wif", NULL },
        { "wif.prod-1", NULL },
        { "wif:cred.json", NULL },
        { "wif:Cred_File-2.json", NULL },
        { "Wif", "ConfigMap name \"Wif\" is not a DNS subdomain" },
        { "-wif", "is not a DNS subdomain" },
        { "wif-", "is not a DNS subdomain" },
        { "wif..a", "is not a DNS subdomain" },
        { "wif.-a", "is not a DNS subdomain" },
        { "wif_a", "is not a DNS subdomain" },
        { ":cred.json", "ConfigMap name \"\" is not a DNS subdomain (empty)" },
        { "wif:", "key \"\" is empty" },
        { "wif:..cred", "may not be \".\" or start with \"..\"" },
        { "wif:.", "may not be \".\" or start with \"..\"" },
        { "wif:a/b", "key \"a/b\" may contain only" },
        { "wif:a:b", "key \"a:b\" may contain only" },
    };
    size_t i;

    for (i = 0; i < WH_NELEM(cases); i++) {
        struct run r;

        setup(&r, NULL);
        wif(&r, cases[i].value, AUD);
        gen(&r, wh_gen_gcp_identity, ONE_CTR);
        if (cases[i].warning == NULL) {
            CHECK(r.nops > 0);
            CHECK_EQ(r.warn.n, 0);
        } else {
            CHECK_EQ(r.nops, 0);
            CHECK_WARNS(&r, cases[i].warning);
        }
        teardown(&r);
    }
}

static void test_wif_name_lengths(void)
{
    char name[300];
    struct run r;

    /* 253 bytes: a subdomain; 254: not. */
    memset(name, 'a', 253);
    name[253] = '\0';
    setup(&r, NULL);
    wif(&r, name, AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK(r.nops > 0);
    teardown(&r);
    name[253] = 'a';
    name[254] = '\0';
    setup(&r, NULL);
    wif(&r, name, AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "is not a DNS subdomain (longer than 253 characters)");
    teardown(&r);
}

static void test_wif_audience(void)
{
    static const struct {
        const char *aud;
        bool ok;
    } cases[] = {
        { AUD, true },
        { "https://sts.example.com/wif", true },
        { "http://iam.googleapis.com/projects/1", false },
        { "iam.googleapis.com/projects/1", false },
        { "//iam.googleapis.com/projects/1 x", false },
        { "sts.amazonaws.com", false },
    };
    size_t i;

    for (i = 0; i < WH_NELEM(cases); i++) {
        struct run r;

        setup(&r, NULL);
        wif(&r, "wif", cases[i].aud);
        gen(&r, wh_gen_gcp_identity, ONE_CTR);
        CHECK_EQ(r.nops > 0, cases[i].ok);
        if (!cases[i].ok)
            CHECK_WARNS(&r, "sparkhook.io/gcp-wif-audience=");
        teardown(&r);
    }
}

static void test_wif_config(void)
{
    struct run r;

    /* A trailing '/' on the mount path does not double in the file path. */
    setup(&r, "{'gcp':{'credentialMountPath':'/etc/wi/','credentialKey':'c.json',"
              "'tokenMountPath':'/var/run/gcp','tokenExpirationSeconds':600}}");
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_HAS(&r, "'value':'/etc/wi/c.json'");
    CHECK_HAS(&r, "'mountPath':'/var/run/gcp'");
    CHECK_HAS(&r, "'expirationSeconds':600,");
    CHECK_HAS(&r, "{'key':'c.json','path':'c.json'}");
    teardown(&r);

    /* A config key that no ConfigMap can have is named. */
    setup(&r, "{'gcp':{'credentialKey':'creds/config.json'}}");
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "config gcp.credentialKey");
    teardown(&r);

    /* Both volumes at one path cannot work. */
    setup(&r, "{'gcp':{'credentialMountPath':'/var/run/gcp','tokenMountPath':'/var/run/gcp'}}");
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "are both /var/run/gcp");
    teardown(&r);
}

static void test_wif_containers(void)
{
    struct run r;

    /* Own credentials kept (warned); ours already there (silent); a taken
     * mount path (warned, nothing for it); the rest injected. */
    setup(&r, NULL);
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity,
        POD("{'initContainers':[{'name':'init','image':'i'}],'containers':["
            "{'name':'own','image':'i','env':[{'name':'GOOGLE_APPLICATION_CREDENTIALS',"
            "'value':'/secrets/sa.json'}]},"
            "{'name':'ours','image':'i','env':[{'name':'GOOGLE_APPLICATION_CREDENTIALS',"
            "'value':'/etc/workload-identity/credential-configuration.json'}]},"
            "{'name':'taken','image':'i','volumeMounts':[{'name':'x',"
            "'mountPath':'/var/run/service-account'}]}," SPARK_CTR "],"
            "'volumes':[{'name':'x','emptyDir':{}}]}"));
    CHECK_HAS(&r, "/spec/initContainers/0/env");
    CHECK_LACKS(&r, "/spec/containers/0/");
    CHECK_LACKS(&r, "/spec/containers/1/");
    CHECK_LACKS(&r, "/spec/containers/2/");
    CHECK_HAS(&r, "/spec/containers/3/env");
    CHECK_EQ(r.warn.n, 2);
    CHECK_WARNS(&r, "container own sets its own GOOGLE_APPLICATION_CREDENTIALS; kept as is");
    CHECK_WARNS(&r, "container taken: /var/run/service-account is already used by volume x");
    CHECK(!has_warning(&r, "/secrets/sa.json"));
    teardown(&r);
}

static void test_wif_existing_volumes(void)
{
    struct run r;

    /* Ours (as the apiserver returns them, defaulted): reused. */
    setup(&r, NULL);
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity,
        POD("{'containers':[" SPARK_CTR "],'volumes':[{'name':'gcp-credential-configuration',"
            "'configMap':{'name':'wif','items':[{'key':'credential-configuration.json',"
            "'path':'credential-configuration.json'}],'defaultMode':420}},"
            "{'name':'gcp-ksa-token','projected':{'sources':[{'serviceAccountToken':{"
            "'audience':'" AUD "','expirationSeconds':3600,'path':'token'}}],"
            "'defaultMode':420}}]}"));
    CHECK_HAS(&r, "/spec/containers/0/volumeMounts");
    CHECK_LACKS(&r, "/spec/volumes");
    CHECK_EQ(r.warn.n, 0);
    teardown(&r);

    /* Another ConfigMap under our volume name: nothing. */
    setup(&r, NULL);
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity,
        POD("{'containers':[" SPARK_CTR "],'volumes':[{'name':'gcp-credential-configuration',"
            "'configMap':{'name':'other'}}]}"));
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "volume gcp-credential-configuration has another source");
    teardown(&r);

    /* A token for another audience under our volume name: nothing. */
    setup(&r, NULL);
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity,
        POD("{'containers':[" SPARK_CTR "],'volumes':[{'name':'gcp-ksa-token','projected':{"
            "'sources':[{'serviceAccountToken':{'audience':'vault','path':'token'}}]}}]}"));
    CHECK_EQ(r.nops, 0);
    CHECK_WARNS(&r, "volume gcp-ksa-token has another source");
    teardown(&r);
}

static void test_cloud_generators_together(void)
{
    struct run r;

    /* GKE selector and federation are independent; both apply. */
    setup(&r, NULL);
    set(&r, WH_SET_GKE_METADATA_SERVER, WH_SRC_NAMESPACE, "true");
    wif(&r, "wif", AUD);
    gen(&r, wh_gen_gcp_identity, ONE_CTR);
    CHECK_HAS(&r, "/spec/nodeSelector");
    CHECK_HAS(&r, "/spec/volumes");
    teardown(&r);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_azure_full_patch),
    CHECK_TEST(test_azure_no_client_id),
    CHECK_TEST(test_azure_guid_syntax),
    CHECK_TEST(test_azure_tenant_chain),
    CHECK_TEST(test_azure_expiration),
    CHECK_TEST(test_azure_skip_containers),
    CHECK_TEST(test_azure_user_env),
    CHECK_TEST(test_azure_already_present),
    CHECK_TEST(test_azure_collisions),
    CHECK_TEST(test_gke_metadata_server),
    CHECK_TEST(test_wif_full_patch),
    CHECK_TEST(test_wif_one_setting),
    CHECK_TEST(test_wif_configmap_syntax),
    CHECK_TEST(test_wif_name_lengths),
    CHECK_TEST(test_wif_audience),
    CHECK_TEST(test_wif_config),
    CHECK_TEST(test_wif_containers),
    CHECK_TEST(test_wif_existing_volumes),
    CHECK_TEST(test_cloud_generators_together),
};

CHECK_MAIN(tests)
