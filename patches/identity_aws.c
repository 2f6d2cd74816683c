/* SPDX-License-Identifier: Apache-2.0
 *
 * identity_aws.c - AWS IRSA (STS web identity), interchangeable with the EKS
 * pod identity webhook: the same env names, volume name, mount path and
 * token file, so whichever webhook runs second finds the work done and adds
 * nothing.
 *
 * Per container (init containers included, skip-containers excluded), with
 * the peer's semantics: an identity variable (AWS_ROLE_ARN or
 * AWS_WEB_IDENTITY_TOKEN_FILE) already set means neither is added; a region
 * variable already set means neither region variable is added; a container
 * with identity, region and STS variables is left untouched. The token
 * volume is added once, when a container mounts it and the pod lacks it.
 */
#include <stdio.h>
#include <string.h>

#include "edit.h"
#include "patches.h"
#include "syntax.h"
#include "util/json.h"
#include "util/str.h"

#include "banned.h"

#define AWS_VOLUME         "aws-iam-token"
#define AWS_TOKEN_PATH     "token"
#define AWS_MIN_EXPIRATION 600
#define AWS_MAX_EXPIRATION 86400

struct irsa {
    const char *role_arn;
    const char *region; /* "" = none */
    const char *audience;
    const char *skip; /* skip-containers list or NULL */
    uint64_t expiration;
    bool sts_regional;
    char token_file[WH_PTR_MAX];
};

static uint64_t resolve_expiration(const struct wh_gen_ctx *ctx)
{
    const struct wh_setting *s = wh_policy_get(ctx->pol, WH_SET_AWS_TOKEN_EXPIRATION);
    uint64_t v = ctx->cfg->aws_expiration;

    if (s->value == NULL)
        return v;
    if (wh_parse_u64(s->value, 0, UINT64_MAX, &v) != WH_OK) {
        wh_warn(ctx->warn, "%s annotation %s=\"%.32s\" is not a number of seconds; using %llu",
                wh_source_name(s->source), s->key, s->value,
                (unsigned long long)ctx->cfg->aws_expiration);
        return ctx->cfg->aws_expiration;
    }
    if (v < AWS_MIN_EXPIRATION || v > AWS_MAX_EXPIRATION) {
        uint64_t c = v < AWS_MIN_EXPIRATION ? AWS_MIN_EXPIRATION : AWS_MAX_EXPIRATION;

        wh_warn(ctx->warn, "%s annotation %s=%llu clamped to %llu seconds (allowed %d-%d)",
                wh_source_name(s->source), s->key, (unsigned long long)v, (unsigned long long)c,
                AWS_MIN_EXPIRATION, AWS_MAX_EXPIRATION);
        v = c;
    }
    return v;
}

static bool resolve_sts(const struct wh_gen_ctx *ctx)
{
    const struct wh_setting *s = wh_policy_get(ctx->pol, WH_SET_AWS_STS_REGIONAL);

    if (s->value == NULL)
        return ctx->cfg->aws_sts_regional;
    if (strcmp(s->value, "true") == 0)
        return true;
    if (strcmp(s->value, "false") != 0)
        wh_warn(ctx->warn, "%s annotation %s=\"%.32s\" is not \"true\" or \"false\"; ignored",
                wh_source_name(s->source), s->key, s->value);
    return false;
}

static bool is_windows(const struct wh_pod *pod)
{
    const char *os = wh_json_get_str(pod->node_selector, "kubernetes.io/os");

    if (os == NULL)
        os = wh_json_get_str(pod->node_selector, "beta.kubernetes.io/os");
    return os != NULL && strcmp(os, "windows") == 0;
}

/* The token file path; on Windows nodes "C:" plus the path with backslashes,
 * as the EKS webhook writes it (the mountPath itself stays Unix). */
static void token_file(const struct wh_gen_ctx *ctx, char *out, size_t size)
{
    char *p;

    (void)snprintf(out, size, "%s%s/%s", is_windows(ctx->pod) ? "C:" : "", ctx->cfg->aws_mount_path,
                   AWS_TOKEN_PATH);
    if (out[0] != 'C')
        return;
    for (p = out; *p; p++) {
        if (*p == '/')
            *p = '\\';
    }
}

/* Fills *irsa; false when IRSA does not apply (with a warning if it should
 * have but cannot). */
static bool resolve(const struct wh_gen_ctx *ctx, struct irsa *irsa)
{
    const struct wh_setting *arn = wh_policy_get(ctx->pol, WH_SET_AWS_ROLE_ARN);
    const struct wh_setting *region = wh_policy_get(ctx->pol, WH_SET_AWS_REGION);
    const struct wh_setting *aud = wh_policy_get(ctx->pol, WH_SET_AWS_AUDIENCE);

    if (arn->value == NULL)
        return false;
    if (!wh_syntax_role_arn_ok(arn->value)) {
        wh_warn(ctx->warn,
                "AWS IRSA not injected: %s annotation %s=\"%.96s\" is not an IAM role ARN",
                wh_source_name(arn->source), arn->key, arn->value);
        return false;
    }
    irsa->role_arn = arn->value;
    irsa->region = ctx->cfg->aws_region;
    if (region->value && wh_syntax_aws_region_ok(region->value))
        irsa->region = region->value;
    else if (region->value)
        wh_warn(ctx->warn,
                "AWS region not taken from %s annotation %s=\"%.40s\": not a region name "
                "(a-z, 0-9, -); %s",
                wh_source_name(region->source), region->key, region->value,
                irsa->region[0] ? "the config's aws.region is used" : "no region injected");
    irsa->audience = aud->value && aud->value[0] ? aud->value : ctx->cfg->aws_audience;
    irsa->skip = wh_policy_get(ctx->pol, WH_SET_AWS_SKIP_CONTAINERS)->value;
    irsa->expiration = resolve_expiration(ctx);
    irsa->sts_regional = resolve_sts(ctx);
    token_file(ctx, irsa->token_file, sizeof(irsa->token_file));
    return true;
}

static int add_env_pair(struct wh_patch *p, const struct wh_container *c, const char *n1,
                        const char *v1, const char *n2, const char *v2, struct wh_err *err)
{
    int rc = wh_edit_add_env(p, c, n1, v1, err);

    if (rc == WH_OK)
        rc = wh_edit_add_env(p, c, n2, v2, err);
    return rc;
}

/* True when c already carries exactly the identity we would inject (a pod
 * that passed through this webhook or the EKS one): nothing to report. */
static bool same_role(const struct wh_container *c, const struct irsa *irsa)
{
    const char *arn = wh_json_get_str(wh_pod_ctr_env(c, "AWS_ROLE_ARN"), "value");
    const char *file = wh_json_get_str(wh_pod_ctr_env(c, "AWS_WEB_IDENTITY_TOKEN_FILE"), "value");

    return arn && file && strcmp(arn, irsa->role_arn) == 0 && strcmp(file, irsa->token_file) == 0;
}

/* Injects one container; *mounted tells whether it now mounts the token. */
static int inject_container(const struct wh_gen_ctx *ctx, const struct irsa *irsa,
                            const struct wh_container *c, struct wh_patch *p, bool *mounted,
                            struct wh_err *err)
{
    bool has_id = wh_edit_has_env(p, c, "AWS_ROLE_ARN") ||
                  wh_edit_has_env(p, c, "AWS_WEB_IDENTITY_TOKEN_FILE");
    bool has_region =
        wh_edit_has_env(p, c, "AWS_REGION") || wh_edit_has_env(p, c, "AWS_DEFAULT_REGION");
    bool has_sts = wh_edit_has_env(p, c, "AWS_STS_REGIONAL_ENDPOINTS");
    const char *at;
    int rc = WH_OK;

    *mounted = false;
    if (has_id && has_region && has_sts) {
        /* Fully configured by its owner: not ours to touch. */
        if (!same_role(c, irsa))
            wh_warn(ctx->warn, "container %s already has its own AWS IRSA env; left unchanged",
                    c->name);
        return WH_OK;
    }
    if (!has_sts && irsa->sts_regional)
        rc = wh_edit_add_env(p, c, "AWS_STS_REGIONAL_ENDPOINTS", "regional", err);
    if (rc == WH_OK && !has_region && irsa->region[0])
        rc =
            add_env_pair(p, c, "AWS_DEFAULT_REGION", irsa->region, "AWS_REGION", irsa->region, err);
    if (rc == WH_OK && !has_id)
        rc = add_env_pair(p, c, "AWS_ROLE_ARN", irsa->role_arn, "AWS_WEB_IDENTITY_TOKEN_FILE",
                          irsa->token_file, err);
    else if (rc == WH_OK && !same_role(c, irsa))
        wh_warn(ctx->warn,
                "container %s sets its own AWS_ROLE_ARN or AWS_WEB_IDENTITY_TOKEN_FILE; "
                "kept as is",
                c->name);
    if (rc != WH_OK || wh_edit_has_mount(p, c, AWS_VOLUME)) {
        *mounted = rc == WH_OK;
        return rc;
    }
    at = wh_edit_mount_at(p, c, ctx->cfg->aws_mount_path);
    if (at != NULL) {
        wh_warn(ctx->warn, "container %s: %s is already used by volume %s; AWS token not mounted",
                c->name, ctx->cfg->aws_mount_path, at);
        return WH_OK;
    }
    *mounted = true;
    return wh_edit_add_mount(p, c, AWS_VOLUME, ctx->cfg->aws_mount_path, true, err);
}

static cJSON *token_volume(const struct irsa *irsa)
{
    cJSON *vol = cJSON_CreateObject();
    cJSON *projected = cJSON_CreateObject();
    cJSON *sources = cJSON_CreateArray();
    cJSON *src = cJSON_CreateObject();
    cJSON *sat = cJSON_CreateObject();

    wh_json_add(sat, "audience", cJSON_CreateString(irsa->audience));
    wh_json_add(sat, "expirationSeconds", cJSON_CreateNumber((double)irsa->expiration));
    wh_json_add(sat, "path", cJSON_CreateString(AWS_TOKEN_PATH));
    wh_json_add(src, "serviceAccountToken", sat);
    wh_json_append(sources, src);
    wh_json_add(projected, "sources", sources);
    wh_json_add(vol, "name", cJSON_CreateString(AWS_VOLUME));
    wh_json_add(vol, "projected", projected);
    return vol;
}

static int add_fs_group(const struct wh_gen_ctx *ctx, struct wh_patch *p, struct wh_err *err)
{
    if (ctx->cfg->aws_fs_group == 0 ||
        wh_json_get(ctx->pod->security_context, "fsGroup", WH_JSON_NUMBER) != NULL)
        return WH_OK;
    return wh_patch_put(p, ctx->pod->security_context, "/spec/securityContext", "fsGroup",
                        cJSON_CreateNumber((double)ctx->cfg->aws_fs_group), err);
}

int wh_gen_aws_irsa(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    struct irsa irsa;
    bool need_volume = false;
    size_t i;
    int rc = WH_OK;

    if (!resolve(ctx, &irsa))
        return WH_OK;
    for (i = 0; i < ctx->pod->nctrs && rc == WH_OK; i++) {
        const struct wh_container *c = &ctx->pod->ctrs[i];
        bool mounted = false;

        if (irsa.skip && wh_csv_contains(irsa.skip, c->name, strlen(c->name))) {
            wh_warn(ctx->warn,
                    "container %s skipped for AWS IRSA (eks.amazonaws.com/skip-containers)",
                    c->name);
            continue;
        }
        rc = inject_container(ctx, &irsa, c, patch, &mounted, err);
        need_volume = need_volume || mounted;
    }
    if (rc == WH_OK && need_volume && !wh_edit_has_volume(patch, ctx->pod, AWS_VOLUME))
        rc = wh_edit_add_volume(patch, ctx->pod, token_volume(&irsa), err);
    if (rc == WH_OK && need_volume)
        rc = add_fs_group(ctx, patch, err);
    return rc;
}
