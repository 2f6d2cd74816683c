/* SPDX-License-Identifier: Apache-2.0
 *
 * explain.c - `sparkhook explain`: for a namespace, service account and role,
 * runs the real pipeline on a minimal Spark pod and says what would be
 * injected, with every setting and the place it came from. Objects come from
 * --objects or, by direct GETs, from the API server (no watch).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admission.h"
#include "cache.h"
#include "commands.h"
#include "kube.h"
#include "log.h"
#include "mutate.h"
#include "patches.h"
#include "pod.h"
#include "policy.h"
#include "util/json.h"

#include "banned.h"

/* The AdmissionReview of a minimal pod of that role (caller frees). */
static char *minimal_review(const char *ns, const char *sa, const char *role)
{
    char name[64];
    cJSON *pod = cJSON_CreateObject(), *meta = cJSON_CreateObject();
    cJSON *labels = cJSON_CreateObject(), *spec = cJSON_CreateObject();
    cJSON *ctrs = cJSON_CreateArray(), *ctr = cJSON_CreateObject();

    (void)snprintf(name, sizeof(name), "spark-kubernetes-%s", role);
    wh_json_add(ctr, "name", cJSON_CreateString(name));
    wh_json_add(ctr, "image", cJSON_CreateString("apache/spark"));
    wh_json_append(ctrs, ctr);
    wh_json_add(spec, "serviceAccountName", cJSON_CreateString(sa));
    wh_json_add(spec, "containers", ctrs);
    wh_json_add(labels, "spark-role", cJSON_CreateString(role));
    wh_json_add(meta, "name", cJSON_CreateString("explain"));
    wh_json_add(meta, "namespace", cJSON_CreateString(ns));
    wh_json_add(meta, "labels", labels);
    wh_json_add(pod, "apiVersion", cJSON_CreateString("v1"));
    wh_json_add(pod, "kind", cJSON_CreateString("Pod"));
    wh_json_add(pod, "metadata", meta);
    wh_json_add(pod, "spec", spec);
    return wh_admission_wrap_pod(pod, ns, "explain");
}

static void print_policy(const struct wh_policy *pol, const char *ns)
{
    const char *inject = wh_kobj_annotation(pol->ns, WH_ANN_INJECT);
    size_t i;

    if (pol->ns == NULL)
        (void)printf("namespace %s: not found\n", ns);
    else
        (void)printf("namespace %s: %s=%s%s%s -> %s\n", ns, WH_ANN_INJECT, inject ? "\"" : "",
                     inject ? inject : "(absent)", inject ? "\"" : "",
                     pol->inject ? "opted in" : "not opted in (needs \"true\")");
    (void)printf("service account %s/%s: %s%s%s\n", ns, pol->sa_name,
                 pol->sa ? "found" : "not found", pol->sa_switched ? ", switched from " : "",
                 pol->sa_switched ? pol->sa_pod : "");
    if (pol->profile)
        (void)printf("profile: %s\n", pol->profile);
    (void)printf("role: %s\n", wh_role_name(pol->role));
    (void)printf("settings (precedence: pod, service account, namespace, profile, config "
                 "defaults):\n");
    for (i = 0; i < WH_SET_COUNT; i++) {
        const struct wh_setting *s = &pol->set[i];

        if (s->value)
            (void)printf(
                "  %-26s %s\n  %-26s   from %s%s %s\n", wh_setting_def((enum wh_setting_id)i)->name,
                s->value, "", wh_source_name(s->source),
                s->source == WH_SRC_PROFILE || s->source == WH_SRC_DEFAULTS ? " key"
                                                                            : " annotation",
                s->key);
        else
            (void)printf("  %-26s (not set: the built-in default, if any, applies)\n",
                         wh_setting_def((enum wh_setting_id)i)->name);
    }
}

static void print_result(const struct wh_result *res)
{
    cJSON *body = cJSON_Parse(wh_buf_str(&res->body));
    cJSON *patch = cJSON_Parse(res->patch.len ? wh_buf_str(&res->patch) : "[]");
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(body, "response"), "warnings");
    const cJSON *it;
    size_t i;

    (void)printf("result: %s", wh_verdict_name(res->verdict));
    if (res->reason != WH_REASON_NONE)
        (void)printf(" (%s)", wh_reason_name(res->reason));
    (void)printf("\nfeatures:");
    for (i = 0; i < wh_generators_count; i++) {
        if (res->applied & (1u << i))
            (void)printf(" %s", wh_generators[i].name);
    }
    (void)printf("%s\npatch (%zu operations):\n", res->applied ? "" : " none", res->patch_ops);
    cJSON_ArrayForEach(it, patch)
    {
        char *v = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(it, "value"));

        (void)printf("  add %s %s\n", wh_json_get_str(it, "path"), v);
        free(v);
    }
    (void)printf("warnings:%s\n", cJSON_GetArraySize(warnings) ? "" : " none");
    cJSON_ArrayForEach(it, warnings)
    {
        (void)printf("  %s\n", it->valuestring ? it->valuestring : "");
    }
    cJSON_Delete(patch);
    cJSON_Delete(body);
}

/* Objects through --objects, or fetched from the API server on demand. */
static int open_source(const struct wh_cli *cli, const struct wh_config *cfg,
                       struct wh_snapshot **snap, struct wh_kube **kube, struct wh_cache **cache)
{
    struct wh_kube_opts ko = { cli->kube_api, cli->kube_token_file, cli->kube_ca_file,
                               cfg->kube_token_reread_s };
    struct wh_err err;

    if (cli->objects || (cli->kube_api == NULL && getenv("KUBERNETES_SERVICE_HOST") == NULL))
        return wh_cmd_load_objects(cli, snap);
    if (wh_kube_new(&ko, kube, &err) != WH_OK) {
        log_error("%s", err.msg);
        return WH_EXIT_USAGE;
    }
    *snap = wh_snapshot_build(wh_snapshot_builder_new(NULL));
    *cache = wh_cache_new(cfg);
    wh_cache_attach(*cache, *kube);
    return WH_OK;
}

int wh_cmd_explain(const struct wh_cli *cli)
{
    const char *sa = cli->service_account ? cli->service_account : "default";
    const char *role = cli->role ? cli->role : "executor";
    struct wh_config *cfg = NULL;
    struct wh_snapshot *snap = NULL;
    struct wh_kube *kube = NULL;
    struct wh_cache *cache = NULL;
    struct wh_lookup objs;
    struct wh_policy pol;
    struct wh_result res;
    struct wh_pod pod;
    char *review = NULL;
    cJSON *root = NULL;
    int rc;

    rc = wh_cmd_load_config(cli, &cfg);
    if (rc == WH_OK)
        rc = open_source(cli, cfg, &snap, &kube, &cache);
    if (rc != WH_OK)
        goto out;
    review = minimal_review(cli->namespace_, sa, role);
    wh_lookup_init(&objs, snap, cache ? wh_cache_fetch : NULL, cache);
    root = cJSON_Parse(review);
    wh_pod_init(&pod);
    (void)wh_pod_parse(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "request"), "object"), &pod,
                       NULL);
    {
        struct wh_request_info req = { cli->namespace_, "" };
        struct wh_warnings warn;

        wh_warnings_init(&warn);
        wh_policy_resolve(cfg, &objs, &req, &pod, &warn, &pol);
        wh_warnings_cleanup(&warn);
    }
    print_policy(&pol, cli->namespace_);
    wh_result_init(&res, cfg);
    wh_mutate_lookup(cfg, &objs, review, strlen(review), &res);
    print_result(&res);
    rc = res.http_status != 200 ? WH_EXIT_FAILURE : res.applied ? WH_EXIT_OK : WH_EXIT_NOTHING;
    wh_result_cleanup(&res);
    wh_pod_cleanup(&pod);
    wh_lookup_cleanup(&objs);
out:
    cJSON_Delete(root);
    free(review);
    wh_cache_free(cache);
    wh_kube_free(kube);
    wh_snapshot_unref(snap);
    wh_config_free(cfg);
    return rc;
}
