/* SPDX-License-Identifier: Apache-2.0
 *
 * identity_azure.c - Azure Workload Identity, interchangeable with the Azure
 * webhook (azure/azure-workload-identity): the same env names, volume name,
 * token file, mount path and token audience, so whichever webhook runs second
 * finds the work done and adds nothing. Unlike the Azure webhook, sparkhook
 * needs no azure.workload.identity/use label: the client id is enough.
 *
 * Identity: the client id from the service account's
 * azure.workload.identity/client-id (or the namespace, profile, defaults);
 * the tenant from azure.workload.identity/tenant-id (same chain), else config
 * azure.tenantId. Both must be GUIDs; anything missing or malformed is a
 * warning and no injection (except no client id at all: Azure is simply not
 * in use).
 *
 * Per container (init containers included, the ';'-separated
 * azure.workload.identity/skip-containers excluded): a container that already
 * has AZURE_FEDERATED_TOKEN_FILE or mounts the azure-identity-token volume is
 * set up already - by the Azure webhook of either generation (today's mount
 * /var/run/secrets/azure/tokens, older releases' /var/run/secrets/tokens), or
 * by its owner - and is left as it is, with a warning only when its
 * AZURE_CLIENT_ID names another identity. Otherwise each of the four variables
 * is added unless the container sets it, and the token volume is mounted;
 * a mount path taken by another volume means a warning and nothing for that
 * container, so no variable ever points at a file that is not there. The
 * volume is added once, when a container mounts it and the pod lacks it; a
 * pod volume of that name that projects no token at azure-identity-token is a
 * conflict: a warning and no injection.
 */
#include <string.h>
#include <strings.h>

#include "edit.h"
#include "patches.h"
#include "syntax.h"
#include "util/json.h"
#include "util/str.h"

#include "banned.h"

#define AZ_VOLUME         "azure-identity-token" /* volume name and token file name */
#define AZ_MOUNT_PATH     "/var/run/secrets/azure/tokens"
#define AZ_TOKEN_FILE     AZ_MOUNT_PATH "/" AZ_VOLUME
#define AZ_AUDIENCE       "api://AzureADTokenExchange"
#define AZ_MIN_EXPIRATION 3600 /* the Azure webhook refuses anything outside */
#define AZ_MAX_EXPIRATION 86400

struct azwi {
    const char *client_id;
    const char *tenant_id;
    const char *skip; /* skip-containers list or NULL */
    uint64_t expiration;
};

static uint64_t resolve_expiration(const struct wh_gen_ctx *ctx)
{
    const struct wh_setting *s = wh_policy_get(ctx->pol, WH_SET_AZURE_TOKEN_EXPIRATION);
    uint64_t v = ctx->cfg->azure_expiration;

    if (s->value == NULL)
        return v;
    if (wh_parse_u64(s->value, 0, UINT64_MAX, &v) != WH_OK) {
        wh_warn(ctx->warn, "%s annotation %s=\"%.32s\" is not a number of seconds; using %llu",
                wh_source_name(s->source), s->key, s->value,
                (unsigned long long)ctx->cfg->azure_expiration);
        return ctx->cfg->azure_expiration;
    }
    if (v < AZ_MIN_EXPIRATION || v > AZ_MAX_EXPIRATION) {
        uint64_t c = v < AZ_MIN_EXPIRATION ? AZ_MIN_EXPIRATION : AZ_MAX_EXPIRATION;

        wh_warn(ctx->warn, "%s annotation %s=%llu clamped to %llu seconds (allowed %d-%d)",
                wh_source_name(s->source), s->key, (unsigned long long)v, (unsigned long long)c,
                AZ_MIN_EXPIRATION, AZ_MAX_EXPIRATION);
        v = c;
    }
    return v;
}

/* The tenant: the setting, else the cluster default; NULL (with a warning)
 * when there is none or it is not a GUID. */
static const char *resolve_tenant(const struct wh_gen_ctx *ctx, const struct wh_setting *client)
{
    const struct wh_setting *s = wh_policy_get(ctx->pol, WH_SET_AZURE_TENANT_ID);

    if (s->value != NULL && s->value[0] != '\0') {
        if (wh_syntax_guid_ok(s->value))
            return s->value;
        wh_warn(ctx->warn,
                "Azure Workload Identity not injected: %s annotation %s=\"%.40s\" is not a "
                "GUID (8-4-4-4-12 hex digits)",
                wh_source_name(s->source), s->key, s->value);
        return NULL;
    }
    if (ctx->cfg->azure_tenant_id[0] == '\0') {
        wh_warn(ctx->warn,
                "Azure Workload Identity not injected: %s annotation %s is set but no tenant id "
                "(%s, %s or config azure.tenantId)",
                wh_source_name(client->source), client->key,
                wh_setting_def(WH_SET_AZURE_TENANT_ID)->sa_key,
                wh_setting_def(WH_SET_AZURE_TENANT_ID)->ns_key);
        return NULL;
    }
    if (!wh_syntax_guid_ok(ctx->cfg->azure_tenant_id)) {
        wh_warn(ctx->warn,
                "Azure Workload Identity not injected: config azure.tenantId=\"%.40s\" is not "
                "a GUID (8-4-4-4-12 hex digits)",
                ctx->cfg->azure_tenant_id);
        return NULL;
    }
    return ctx->cfg->azure_tenant_id;
}

/* Fills *az; false when Azure WI does not apply (with a warning if it should
 * have but cannot). */
static bool resolve(const struct wh_gen_ctx *ctx, struct azwi *az)
{
    const struct wh_setting *client = wh_policy_get(ctx->pol, WH_SET_AZURE_CLIENT_ID);

    if (client->value == NULL || client->value[0] == '\0')
        return false;
    if (!wh_syntax_guid_ok(client->value)) {
        wh_warn(ctx->warn,
                "Azure Workload Identity not injected: %s annotation %s=\"%.40s\" is not a "
                "GUID (8-4-4-4-12 hex digits)",
                wh_source_name(client->source), client->key, client->value);
        return false;
    }
    az->client_id = client->value;
    az->tenant_id = resolve_tenant(ctx, client);
    if (az->tenant_id == NULL)
        return false;
    az->skip = wh_policy_get(ctx->pol, WH_SET_AZURE_SKIP_CONTAINERS)->value;
    az->expiration = resolve_expiration(ctx);
    return true;
}

/* True when c's own AZURE_CLIENT_ID is a literal naming another identity
 * (GUIDs compare case-insensitively). The value is never printed. */
static bool other_client_id(const struct wh_container *c, const struct azwi *az)
{
    const char *v = wh_json_get_str(wh_pod_ctr_env(c, "AZURE_CLIENT_ID"), "value");

    return v != NULL && strcasecmp(v, az->client_id) != 0;
}

/* Injects one container; *mounted tells whether it now mounts the token. */
static int inject_container(const struct wh_gen_ctx *ctx, const struct azwi *az,
                            const struct wh_container *c, struct wh_patch *p, bool *mounted,
                            struct wh_err *err)
{
    const struct {
        const char *name, *value;
    } env[] = {
        { "AZURE_CLIENT_ID", az->client_id },
        { "AZURE_TENANT_ID", az->tenant_id },
        { "AZURE_FEDERATED_TOKEN_FILE", AZ_TOKEN_FILE },
        { "AZURE_AUTHORITY_HOST", ctx->cfg->azure_authority_host },
    };
    const char *at;
    size_t i;
    int rc = WH_OK;

    *mounted = false;
    if (wh_edit_has_env(p, c, "AZURE_FEDERATED_TOKEN_FILE") || wh_edit_has_mount(p, c, AZ_VOLUME)) {
        /* Set up already (either Azure webhook generation, or its owner). */
        if (other_client_id(c, az))
            wh_warn(ctx->warn,
                    "container %s has Azure Workload Identity for another AZURE_CLIENT_ID; left "
                    "unchanged",
                    c->name);
        return WH_OK;
    }
    at = wh_edit_mount_at(p, c, AZ_MOUNT_PATH);
    if (at != NULL) {
        wh_warn(ctx->warn,
                "container %s: %s is already used by volume %s; Azure Workload Identity not "
                "injected",
                c->name, AZ_MOUNT_PATH, at);
        return WH_OK;
    }
    if (other_client_id(c, az))
        wh_warn(ctx->warn, "container %s sets its own AZURE_CLIENT_ID; kept as is", c->name);
    for (i = 0; i < WH_NELEM(env) && rc == WH_OK; i++) {
        if (!wh_edit_has_env(p, c, env[i].name))
            rc = wh_edit_add_env(p, c, env[i].name, env[i].value, err);
    }
    if (rc == WH_OK) {
        *mounted = true;
        rc = wh_edit_add_mount(p, c, AZ_VOLUME, AZ_MOUNT_PATH, true, err);
    }
    return rc;
}

/* The pod's (or the patch's) volume called azure-identity-token, or NULL. */
static const cJSON *token_volume_find(const struct wh_patch *p, const struct wh_pod *pod)
{
    const cJSON *vol = wh_pod_volume(pod, AZ_VOLUME);

    return vol ? vol : wh_patch_find_item(p, "/spec/volumes", "name", AZ_VOLUME);
}

/* True when vol projects a service account token at path
 * azure-identity-token, as both Azure webhook generations and sparkhook
 * write it: a container may then mount it. */
static bool token_volume_usable(const cJSON *vol)
{
    const cJSON *projected = wh_json_get(vol, "projected", WH_JSON_OBJECT);
    const cJSON *sources = wh_json_get(projected, "sources", WH_JSON_ARRAY);
    const cJSON *src;

    cJSON_ArrayForEach(src, sources)
    {
        const cJSON *sat = wh_json_get(src, "serviceAccountToken", WH_JSON_OBJECT);
        const char *path = wh_json_get_str(sat, "path");

        if (path != NULL && strcmp(path, AZ_VOLUME) == 0)
            return true;
    }
    return false;
}

static cJSON *token_volume(const struct azwi *az)
{
    cJSON *vol = cJSON_CreateObject();
    cJSON *projected = cJSON_CreateObject();
    cJSON *sources = cJSON_CreateArray();
    cJSON *src = cJSON_CreateObject();
    cJSON *sat = cJSON_CreateObject();

    wh_json_add(sat, "audience", cJSON_CreateString(AZ_AUDIENCE));
    wh_json_add(sat, "expirationSeconds", cJSON_CreateNumber((double)az->expiration));
    wh_json_add(sat, "path", cJSON_CreateString(AZ_VOLUME));
    wh_json_add(src, "serviceAccountToken", sat);
    wh_json_append(sources, src);
    wh_json_add(projected, "sources", sources);
    wh_json_add(vol, "name", cJSON_CreateString(AZ_VOLUME));
    wh_json_add(vol, "projected", projected);
    return vol;
}

int wh_gen_azure_identity(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    struct azwi az;
    const cJSON *vol;
    bool need_volume = false;
    size_t i;
    int rc = WH_OK;

    if (!resolve(ctx, &az))
        return WH_OK;
    vol = token_volume_find(patch, ctx->pod);
    if (vol != NULL && !token_volume_usable(vol)) {
        wh_warn(ctx->warn,
                "Azure Workload Identity not injected: the pod's volume %s holds no token at "
                "path %s",
                AZ_VOLUME, AZ_VOLUME);
        return WH_OK;
    }
    for (i = 0; i < ctx->pod->nctrs && rc == WH_OK; i++) {
        const struct wh_container *c = &ctx->pod->ctrs[i];
        bool mounted = false;

        if (az.skip && wh_syntax_list_contains(az.skip, ';', c->name)) {
            wh_warn(ctx->warn,
                    "container %s skipped for Azure Workload Identity (" WH_AZW "skip-containers)",
                    c->name);
            continue;
        }
        rc = inject_container(ctx, &az, c, patch, &mounted, err);
        need_volume = need_volume || mounted;
    }
    if (rc == WH_OK && need_volume && vol == NULL)
        rc = wh_edit_add_volume(patch, ctx->pod, token_volume(&az), err);
    return rc;
}
