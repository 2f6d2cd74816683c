/* SPDX-License-Identifier: Apache-2.0
 *
 * mutate.c - the admission pipeline; see mutate.h. This is the one place
 * that turns a status code into a verdict and an HTTP status.
 */
#include "mutate.h"

#include <stdio.h>
#include <string.h>

#include "admission.h"
#include "patches.h"
#include "pod.h"
#include "policy.h"
#include "settings.h"
#include "syntax.h"
#include "util/arena.h"
#include "util/str.h"

#include "banned.h"

/* Room for the response envelope around the patch and warnings. */
#define ENVELOPE_BYTES 8192

void wh_result_init(struct wh_result *res, const struct wh_config *cfg)
{
    size_t b64;

    memset(res, 0, sizeof(*res));
    /* The body holds the base64 patch: 4/3 of the patch cap plus envelope. */
    b64 = cfg->max_patch / 3 * 4 + 4;
    wh_buf_init(&res->body, b64 + ENVELOPE_BYTES);
    wh_buf_init(&res->patch, cfg->max_patch);
    res->role = "none";
}

void wh_result_cleanup(struct wh_result *res)
{
    wh_buf_cleanup(&res->body);
    wh_buf_cleanup(&res->patch);
}

const char *wh_reason_name(enum wh_reason r)
{
    static const char *const names[] = {
#define X(id, name) name,
        WH_REASONS(X)
#undef X
    };

    return (size_t)r < WH_NELEM(names) ? names[r] : "unknown";
}

const char *wh_verdict_name(enum wh_verdict v)
{
    static const char *const names[] = { "patched", "allowed", "skipped", "invalid", "error" };

    return (size_t)v < WH_NELEM(names) ? names[v] : "unknown";
}

static void fail(const struct wh_admission *adm, struct wh_result *res, int status,
                 enum wh_verdict verdict, enum wh_reason reason)
{
    res->http_status = status;
    res->verdict = verdict;
    res->reason = reason;
    wh_buf_reset(&res->patch);
    wh_buf_reset(&res->body);
    wh_admission_error(adm, status, res->err.msg, &res->body);
}

static void skip(const struct wh_admission *adm, struct wh_result *res, enum wh_reason reason,
                 const struct wh_warnings *w)
{
    res->http_status = 200;
    res->verdict = WH_VERDICT_SKIPPED;
    res->reason = reason;
    wh_admission_allow(adm, NULL, 0, w, &res->body);
}

static void note_request(const struct wh_admission *adm, const struct wh_pod *pod,
                         struct wh_result *res)
{
    const char *name = adm->name[0] ? adm->name : NULL;

    if (name == NULL && pod)
        name = pod->name ? pod->name : pod->generate_name;
    wh_strlcpy(res->uid, adm->uid ? adm->uid : "", sizeof(res->uid));
    wh_strlcpy(res->ns, adm->namespace_, sizeof(res->ns));
    wh_strlcpy(res->pod, name ? name : "", sizeof(res->pod));
}

/* The names of the generators in applied, comma-separated, into buf. */
static void feature_list(uint32_t applied, char *buf, size_t size)
{
    size_t i, n = 0;

    buf[0] = '\0';
    for (i = 0; i < wh_generators_count && n + 1 < size; i++) {
        if (applied & (1u << i)) {
            if (n)
                buf[n++] = ',';
            n += wh_strlcpy(buf + n, wh_generators[i].name, size - n);
        }
    }
    if (n >= size) /* clipped */
        n = size - 1;
    buf[n] = '\0';
}

/* Adds sparkhook.io/injected, the audit trail of what this patch added, to
 * a patch that changes the pod. */
static int add_audit_annotation(const struct wh_pod *pod, uint32_t applied, struct wh_patch *patch,
                                struct wh_err *err)
{
    char list[256];
    const char *have = wh_pod_annotation(pod, WH_ANN_INJECTED);

    feature_list(applied, list, sizeof(list));
    if (have != NULL && strcmp(have, list) == 0)
        return WH_OK;
    return wh_patch_put(patch, pod->annotations, "/metadata/annotations", WH_ANN_INJECTED,
                        cJSON_CreateString(list), err);
}

/* Generators and rendering for a pod that sparkhook owns. */
static void mutate_pod(const struct wh_config *cfg, const struct wh_admission *adm,
                       const struct wh_pod *pod, const struct wh_policy *pol,
                       struct wh_warnings *warn, struct wh_result *res)
{
    struct wh_patch patch;
    struct wh_gen_ctx ctx = { cfg, pod, pol, warn };
    int rc;

    wh_patch_init(&patch);
    rc = wh_gen_run_all(&ctx, &patch, &res->applied, &res->err);
    if (rc == WH_OK && patch.n > 0 && !pol->audit)
        rc = add_audit_annotation(pod, res->applied, &patch, &res->err);
    if (rc == WH_OK && pol->audit && patch.n > 0) {
        char list[256];

        feature_list(res->applied, list, sizeof(list));
        wh_warn(warn,
                "audit mode (%s=audit): would apply %s (%zu patch operations); nothing "
                "changed",
                WH_ANN_MODE, list, patch.n);
        wh_patch_cleanup(&patch); /* audit: the warnings are the answer */
    }
    if (rc == WH_OK && wh_patch_render(&patch, &res->patch) != WH_OK)
        rc = wh_errf(&res->err, WH_ETOOBIG, "patch larger than server.maxPatchBytes (%llu)",
                     (unsigned long long)cfg->max_patch);
    if (rc != WH_OK) {
        fail(adm, res, 500, WH_VERDICT_ERROR, WH_REASON_GENERATOR_FAILED);
        goto out;
    }
    res->patch_ops = patch.n;
    res->warnings = warn->n;
    res->http_status = 200;
    res->verdict = patch.n ? WH_VERDICT_PATCHED : WH_VERDICT_ALLOWED;
    if (patch.n == 0)
        wh_buf_reset(&res->patch);
    wh_admission_allow(adm, wh_buf_str(&res->patch), res->patch.len, warn, &res->body);
out:
    wh_patch_cleanup(&patch);
}

/* Warns about annotation keys that look like a mistyped sparkhook key. */
static void near_misses(const char *what, const struct wh_kv *kv, size_t n,
                        struct wh_warnings *warn)
{
    static const char *const prefixes[] = { WH_ANN_PREFIX };
    size_t nknown, i;
    const char *const *known = wh_setting_known_keys(&nknown);

    for (i = 0; i < n; i++) {
        const char *key = kv[i].key;
        const char *slash = strchr(key, '/');
        const char *hint;
        size_t j;
        bool known_key = false;

        if (slash == NULL || (size_t)(slash - key) > 24)
            continue;
        /* Only keys whose prefix is, or nearly is, sparkhook.io/. */
        if (strncmp(key, WH_ANN_PREFIX, sizeof(WH_ANN_PREFIX) - 1) != 0) {
            char prefix[32];

            wh_strlcpy(prefix, key,
                       (size_t)(slash - key) + 2 < sizeof(prefix) ? (size_t)(slash - key) + 2
                                                                  : sizeof(prefix));
            if (wh_syntax_near_miss(prefix, prefixes, 1, 2) == NULL)
                continue;
        }
        for (j = 0; j < nknown && !known_key; j++)
            known_key = known[j] && strcmp(known[j], key) == 0;
        if (known_key)
            continue;
        hint = wh_syntax_near_miss(key, known, nknown, 3);
        if (hint)
            wh_warn(warn, "%s annotation %s is not a sparkhook setting; did you mean %s?", what,
                    key, hint);
        else
            wh_warn(warn, "%s annotation %s is not a sparkhook setting; ignored", what, key);
    }
}

static void pod_near_misses(const struct wh_pod *pod, struct wh_warnings *warn)
{
    struct wh_kv kv[32];
    const cJSON *it;
    size_t n = 0;

    cJSON_ArrayForEach(it, pod->annotations)
    {
        if (n == WH_NELEM(kv))
            break;
        kv[n].key = it->string;
        kv[n].value = NULL;
        n++;
    }
    near_misses("pod", kv, n, warn);
}

static void decide(const struct wh_config *cfg, struct wh_lookup *objs,
                   const struct wh_admission *adm, struct wh_result *res)
{
    struct wh_request_info req = { adm->namespace_, adm->username };
    struct wh_warnings warn;
    struct wh_policy pol;
    struct wh_pod pod;

    wh_pod_init(&pod);
    wh_warnings_init(&warn);
    if (wh_pod_parse(adm->object, &pod, &res->err) != WH_OK) {
        note_request(adm, NULL, res);
        fail(adm, res, 400, WH_VERDICT_INVALID, WH_REASON_MALFORMED_POD);
        goto out;
    }
    note_request(adm, &pod, res);
    res->role = wh_role_name(wh_policy_role(&pod));
    if (wh_policy_role(&pod) == WH_ROLE_NONE) {
        skip(adm, res, WH_REASON_NOT_SPARK_POD, NULL);
        goto out;
    }
    wh_policy_resolve(cfg, objs, &req, &pod, &warn, &pol);
    if (!pol.inject) {
        skip(adm, res, pol.ns ? WH_REASON_NAMESPACE_NOT_OPTED_IN : WH_REASON_NAMESPACE_UNKNOWN,
             NULL);
        goto out;
    }
    if (pol.sa == NULL)
        wh_warn(&warn, "service account %s/%s not found; only namespace settings apply",
                adm->namespace_, pol.sa_name);
    if (pol.ns)
        near_misses("namespace", pol.ns->annotations, pol.ns->nannotations, &warn);
    if (pol.sa)
        near_misses("serviceaccount", pol.sa->annotations, pol.sa->nannotations, &warn);
    pod_near_misses(&pod, &warn);
    mutate_pod(cfg, adm, &pod, &pol, &warn, res);
out:
    wh_warnings_cleanup(&warn);
    wh_pod_cleanup(&pod);
}

void wh_mutate(const struct wh_config *cfg, const struct wh_snapshot *snap, const char *body,
               size_t len, struct wh_result *res)
{
    struct wh_lookup objs;

    wh_lookup_init(&objs, snap, NULL, NULL);
    wh_mutate_lookup(cfg, &objs, body, len, res);
    wh_lookup_cleanup(&objs);
}

void wh_mutate_lookup(const struct wh_config *cfg, struct wh_lookup *objs, const char *body,
                      size_t len, struct wh_result *res)
{
    /* Everything the pipeline builds in cJSON (the parsed review, the
     * patch's values) lives in this thread's arena and goes with its reset
     * below; what the caller keeps (res) is on the heap. */
    struct wh_arena *arena = wh_arena_thread();
    struct wh_arena *before = wh_arena_use(arena);
    struct wh_admission adm;

    wh_admission_init(&adm);
    if (len > cfg->max_body) {
        (void)wh_errf(&res->err, WH_ETOOBIG, "request body larger than %llu bytes",
                      (unsigned long long)cfg->max_body);
        fail(&adm, res, 413, WH_VERDICT_INVALID, WH_REASON_BODY_TOO_LARGE);
    } else if (wh_admission_parse(&adm, body, len, (int)cfg->max_depth, &res->err) != WH_OK) {
        note_request(&adm, NULL, res);
        fail(&adm, res, 400, WH_VERDICT_INVALID, WH_REASON_MALFORMED_REVIEW);
    } else if (!adm.pod_create) {
        note_request(&adm, NULL, res);
        skip(&adm, res, WH_REASON_NOT_POD_CREATE, NULL);
    } else {
        decide(cfg, objs, &adm, res);
    }
    wh_admission_cleanup(&adm);
    (void)wh_arena_use(before);
    if (before != arena) /* not nested in another pipeline on this thread */
        wh_arena_reset(arena);
}
