/* SPDX-License-Identifier: Apache-2.0
 *
 * mutate.c - the admission pipeline; see mutate.h. This is the one place
 * that turns a status code into a verdict and an HTTP status.
 */
#include "mutate.h"

#include <string.h>

#include "admission.h"
#include "banned.h"
#include "patches.h"
#include "pod.h"
#include "policy.h"
#include "util/str.h"

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

static void decide(const struct wh_config *cfg, struct wh_lookup *objs,
                   const struct wh_admission *adm, struct wh_result *res)
{
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
    wh_policy_resolve(objs, adm->namespace_, &pod, &pol);
    res->role = wh_role_name(pol.role);
    if (pol.role == WH_ROLE_NONE) {
        skip(adm, res, WH_REASON_NOT_SPARK_POD, NULL);
    } else if (!pol.inject) {
        skip(adm, res, pol.ns ? WH_REASON_NAMESPACE_NOT_OPTED_IN : WH_REASON_NAMESPACE_UNKNOWN,
             NULL);
    } else {
        if (pol.sa == NULL)
            wh_warn(&warn, "service account %s/%s not found; only namespace settings apply",
                    adm->namespace_, pol.sa_name);
        mutate_pod(cfg, adm, &pod, &pol, &warn, res);
    }
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
}
