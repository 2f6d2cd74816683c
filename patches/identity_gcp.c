/* SPDX-License-Identifier: Apache-2.0
 *
 * identity_gcp.c - Google Cloud identities, in two independent parts.
 *
 * GKE Workload Identity needs only the right Kubernetes service account (the
 * executor-sa generator) and nodes that run the GKE metadata server. With
 * sparkhook.io/gke-metadata-server: "true" the pod gets the node selector
 * iam.gke.io/gke-metadata-server-enabled: "true", unless it already selects
 * on that key (another value is kept, with a warning).
 *
 * Outside GKE, workload identity federation: sparkhook.io/gcp-credential-
 * configmap ("NAME" or "NAME:KEY", default key config gcp.credentialKey) names
 * the ConfigMap holding the credential configuration that `gcloud iam
 * workload-identity-pools create-cred-config --credential-source-file=
 * <gcp.tokenMountPath>/token` wrote, and sparkhook.io/gcp-wif-audience the
 * pool provider's audience. The ConfigMap is mounted at
 * gcp.credentialMountPath (volume gcp-credential-configuration), a service
 * account token for that audience at gcp.tokenMountPath (volume
 * gcp-ksa-token, file token), and GOOGLE_APPLICATION_CREDENTIALS points at the
 * configuration. Both settings are needed; one alone, or a malformed one, is
 * a warning and no injection.
 *
 * Per container (init containers included; there is no skip list yet), as
 * the AWS generator does it: a container that sets
 * GOOGLE_APPLICATION_CREDENTIALS is left as it is (a warning unless the
 * value is ours); each volume is mounted unless the container mounts it
 * already, and added to the pod once, when a container mounts it. Stricter
 * than AWS on one point: a mount path taken by another volume means a
 * warning and nothing at all for that container, so the variable never
 * points at a file that is not there. A pod volume of one of those names
 * with another source (another ConfigMap, another audience) is a conflict: a
 * warning and no injection. The pod as the apiserver returns it after this
 * patch (defaultMode filled in) still matches, so a second pass adds nothing.
 */
#include <string.h>

#include "edit.h"
#include "patches.h"
#include "syntax.h"
#include "util/json.h"
#include "util/str.h"

#include "banned.h"

#define GKE_MDS_KEY      "iam.gke.io/gke-metadata-server-enabled"
#define GCP_CRED_VOLUME  "gcp-credential-configuration"
#define GCP_TOKEN_VOLUME "gcp-ksa-token"
#define GCP_TOKEN_FILE   "token"
#define GCP_ENV          "GOOGLE_APPLICATION_CREDENTIALS"
#define GCP_WIF          "GCP workload identity"

struct wif {
    char configmap[WH_SYNTAX_SUBDOMAIN_MAX + 1];
    char key[WH_SYNTAX_DATA_KEY_MAX + 1];
    const char *audience;
    /* gcp.credentialMountPath "/" key */
    char cred_file[WH_SYNTAX_MOUNT_PATH_MAX + 1 + WH_SYNTAX_DATA_KEY_MAX + 1];
};

/* ---- GKE metadata server ------------------------------------------------ */

static int gke_metadata_server(const struct wh_gen_ctx *ctx, struct wh_patch *patch,
                               struct wh_err *err)
{
    const struct wh_setting *s = wh_policy_get(ctx->pol, WH_SET_GKE_METADATA_SERVER);
    const cJSON *have;
    struct wh_err perr;
    bool on = false;

    if (s->value == NULL)
        return WH_OK;
    if (wh_syntax_bool(s->value, &on, &perr) != WH_OK) {
        wh_warn(ctx->warn, "%s annotation %s: %s; ignored", wh_source_name(s->source), s->key,
                perr.msg);
        return WH_OK;
    }
    if (!on)
        return WH_OK;
    have = cJSON_GetObjectItemCaseSensitive(ctx->pod->node_selector, GKE_MDS_KEY);
    if (have == NULL)
        return wh_patch_put(patch, ctx->pod->node_selector, "/spec/nodeSelector", GKE_MDS_KEY,
                            cJSON_CreateString("true"), err);
    if (!cJSON_IsString(have) || strcmp(have->valuestring, "true") != 0)
        wh_warn(ctx->warn,
                "pod nodeSelector %s=\"%.63s\" kept although %s annotation %s asks for "
                "\"true\"",
                GKE_MDS_KEY, cJSON_IsString(have) ? have->valuestring : "?",
                wh_source_name(s->source), s->key);
    return WH_OK;
}

/* ---- workload identity federation ----------------------------------------- */

/* Parses "NAME" or "NAME:KEY" into w; false (with a warning) when malformed. */
static bool parse_configmap(const struct wh_gen_ctx *ctx, const struct wh_setting *s, struct wif *w)
{
    const char *colon = strchr(s->value, ':');
    size_t nlen =
        colon ? (size_t)(colon - s->value) : strnlen(s->value, WH_SYNTAX_SUBDOMAIN_MAX + 1);
    const char *key = colon ? colon + 1 : ctx->cfg->gcp_credential_key;
    struct wh_err err;
    const char *why;

    if (wh_syntax_configmap_ref(s->value, &err) != WH_OK) {
        wh_warn(ctx->warn, GCP_WIF " not injected: %s annotation %s: %s", wh_source_name(s->source),
                s->key, err.msg);
        return false;
    }
    why = wh_syntax_data_key_invalid(key);
    if (why != NULL) {
        wh_warn(ctx->warn, GCP_WIF " not injected: config gcp.credentialKey \"%.40s\" %s", key,
                why);
        return false;
    }
    memcpy(w->configmap, s->value, nlen);
    w->configmap[nlen] = '\0';
    (void)wh_strlcpy(w->key, key, sizeof(w->key));
    return true;
}

/* Fills *w; false when federation does not apply (with a warning if it should
 * have but cannot). */
static bool resolve_wif(const struct wh_gen_ctx *ctx, struct wif *w)
{
    const struct wh_setting *cm = wh_policy_get(ctx->pol, WH_SET_GCP_CREDENTIAL_CONFIGMAP);
    const struct wh_setting *aud = wh_policy_get(ctx->pol, WH_SET_GCP_AUDIENCE);
    bool has_cm = cm->value != NULL && cm->value[0] != '\0';
    bool has_aud = aud->value != NULL && aud->value[0] != '\0';
    const char *path = ctx->cfg->gcp_credential_path;
    size_t plen = strlen(path);

    if (!has_cm && !has_aud)
        return false;
    if (has_cm != has_aud) {
        const struct wh_setting *set = has_cm ? cm : aud;

        wh_warn(
            ctx->warn, GCP_WIF " not injected: %s annotation %s is set but %s is not",
            wh_source_name(set->source), set->key,
            wh_setting_def(has_cm ? WH_SET_GCP_AUDIENCE : WH_SET_GCP_CREDENTIAL_CONFIGMAP)->ns_key);
        return false;
    }
    if (!wh_syntax_gcp_audience_ok(aud->value)) {
        wh_warn(ctx->warn,
                GCP_WIF " not injected: %s annotation %s=\"%.48s\" must start with "
                        "//iam.googleapis.com/ or https://",
                wh_source_name(aud->source), aud->key, aud->value);
        return false;
    }
    if (!parse_configmap(ctx, cm, w))
        return false;
    if (strcmp(path, ctx->cfg->gcp_token_path) == 0) {
        wh_warn(ctx->warn,
                GCP_WIF " not injected: config gcp.credentialMountPath and gcp.tokenMountPath "
                        "are both %s",
                path);
        return false;
    }
    w->audience = aud->value;
    while (plen > 0 && path[plen - 1] == '/')
        plen--; /* "/etc/wi/" + key, not "/etc/wi//key" */
    if (plen > WH_SYNTAX_MOUNT_PATH_MAX)
        return false; /* the config loader caps it at 255 */
    memcpy(w->cred_file, path, plen);
    w->cred_file[plen] = '/';
    (void)wh_strlcpy(w->cred_file + plen + 1, w->key, sizeof(w->cred_file) - plen - 1);
    return true;
}

/* The volume called name in the pod or the patch, or NULL. */
static const cJSON *volume_find(const struct wh_patch *p, const struct wh_pod *pod,
                                const char *name)
{
    const cJSON *vol = wh_pod_volume(pod, name);

    return vol ? vol : wh_patch_find_item(p, "/spec/volumes", "name", name);
}

/* True when vol (a pod volume named gcp-credential-configuration) is the
 * ConfigMap w names, projecting w's key (all keys, or an item key -> key). */
static bool cred_volume_usable(const cJSON *vol, const struct wif *w)
{
    const cJSON *cm = wh_json_get(vol, "configMap", WH_JSON_OBJECT);
    const char *name = wh_json_get_str(cm, "name");
    const cJSON *items = wh_json_get(cm, "items", WH_JSON_ARRAY);
    const cJSON *it;

    if (name == NULL || strcmp(name, w->configmap) != 0)
        return false;
    if (items == NULL)
        return true;
    cJSON_ArrayForEach(it, items)
    {
        const char *k = wh_json_get_str(it, "key");
        const char *path = wh_json_get_str(it, "path");

        if (k && path && strcmp(k, w->key) == 0 && strcmp(path, w->key) == 0)
            return true;
    }
    return false;
}

/* True when vol (a pod volume named gcp-ksa-token) projects a token for w's
 * audience at path token. */
static bool token_volume_usable(const cJSON *vol, const struct wif *w)
{
    const cJSON *projected = wh_json_get(vol, "projected", WH_JSON_OBJECT);
    const cJSON *src;

    cJSON_ArrayForEach(src, wh_json_get(projected, "sources", WH_JSON_ARRAY))
    {
        const cJSON *sat = wh_json_get(src, "serviceAccountToken", WH_JSON_OBJECT);
        const char *aud = wh_json_get_str(sat, "audience");
        const char *path = wh_json_get_str(sat, "path");

        if (aud && path && strcmp(aud, w->audience) == 0 && strcmp(path, GCP_TOKEN_FILE) == 0)
            return true;
    }
    return false;
}

/* The first of c's two mount paths taken by a volume other than ours (its
 * name in *vol), or NULL when both are free or ours. */
static const char *taken_path(const struct wh_gen_ctx *ctx, const struct wh_patch *p,
                              const struct wh_container *c, const char **vol)
{
    const char *paths[] = { ctx->cfg->gcp_credential_path, ctx->cfg->gcp_token_path };
    const char *names[] = { GCP_CRED_VOLUME, GCP_TOKEN_VOLUME };
    size_t i;

    for (i = 0; i < WH_NELEM(paths); i++) {
        if (wh_edit_has_mount(p, c, names[i]))
            continue;
        *vol = wh_edit_mount_at(p, c, paths[i]);
        if (*vol != NULL)
            return paths[i];
    }
    return NULL;
}

/* Injects one container; *mounted tells whether it now mounts both volumes. */
static int inject_container(const struct wh_gen_ctx *ctx, const struct wif *w,
                            const struct wh_container *c, struct wh_patch *p, bool *mounted,
                            struct wh_err *err)
{
    const char *vol = NULL;
    const char *at;
    int rc;

    *mounted = false;
    if (wh_edit_has_env(p, c, GCP_ENV)) {
        const char *v = wh_json_get_str(wh_pod_ctr_env(c, GCP_ENV), "value");

        if (v == NULL || strcmp(v, w->cred_file) != 0)
            wh_warn(ctx->warn, "container %s sets its own %s; kept as is", c->name, GCP_ENV);
        return WH_OK;
    }
    at = taken_path(ctx, p, c, &vol);
    if (at != NULL) {
        wh_warn(ctx->warn,
                "container %s: %s is already used by volume %s; " GCP_WIF " not injected", c->name,
                at, vol);
        return WH_OK;
    }
    rc = wh_edit_add_env(p, c, GCP_ENV, w->cred_file, err);
    if (rc == WH_OK && !wh_edit_has_mount(p, c, GCP_CRED_VOLUME))
        rc = wh_edit_add_mount(p, c, GCP_CRED_VOLUME, ctx->cfg->gcp_credential_path, true, err);
    if (rc == WH_OK && !wh_edit_has_mount(p, c, GCP_TOKEN_VOLUME))
        rc = wh_edit_add_mount(p, c, GCP_TOKEN_VOLUME, ctx->cfg->gcp_token_path, true, err);
    *mounted = rc == WH_OK;
    return rc;
}

static cJSON *cred_volume(const struct wif *w)
{
    cJSON *vol = cJSON_CreateObject();
    cJSON *cm = cJSON_CreateObject();
    cJSON *items = cJSON_CreateArray();
    cJSON *item = cJSON_CreateObject();

    wh_json_add(item, "key", cJSON_CreateString(w->key));
    wh_json_add(item, "path", cJSON_CreateString(w->key));
    wh_json_append(items, item);
    wh_json_add(cm, "name", cJSON_CreateString(w->configmap));
    wh_json_add(cm, "items", items);
    wh_json_add(vol, "name", cJSON_CreateString(GCP_CRED_VOLUME));
    wh_json_add(vol, "configMap", cm);
    return vol;
}

static cJSON *token_volume(const struct wh_gen_ctx *ctx, const struct wif *w)
{
    cJSON *vol = cJSON_CreateObject();
    cJSON *projected = cJSON_CreateObject();
    cJSON *sources = cJSON_CreateArray();
    cJSON *src = cJSON_CreateObject();
    cJSON *sat = cJSON_CreateObject();

    wh_json_add(sat, "audience", cJSON_CreateString(w->audience));
    wh_json_add(sat, "expirationSeconds", cJSON_CreateNumber((double)ctx->cfg->gcp_expiration));
    wh_json_add(sat, "path", cJSON_CreateString(GCP_TOKEN_FILE));
    wh_json_add(src, "serviceAccountToken", sat);
    wh_json_append(sources, src);
    wh_json_add(projected, "sources", sources);
    wh_json_add(vol, "name", cJSON_CreateString(GCP_TOKEN_VOLUME));
    wh_json_add(vol, "projected", projected);
    return vol;
}

static int federation(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    struct wif w;
    const cJSON *cred, *token;
    const char *conflict;
    bool need_volumes = false;
    size_t i;
    int rc = WH_OK;

    if (!resolve_wif(ctx, &w))
        return WH_OK;
    cred = volume_find(patch, ctx->pod, GCP_CRED_VOLUME);
    token = volume_find(patch, ctx->pod, GCP_TOKEN_VOLUME);
    conflict = cred && !cred_volume_usable(cred, &w)      ? GCP_CRED_VOLUME
               : token && !token_volume_usable(token, &w) ? GCP_TOKEN_VOLUME
                                                          : NULL;
    if (conflict != NULL) {
        wh_warn(ctx->warn, GCP_WIF " not injected: the pod's volume %s has another source",
                conflict);
        return WH_OK;
    }
    for (i = 0; i < ctx->pod->nctrs && rc == WH_OK; i++) {
        bool mounted = false;

        rc = inject_container(ctx, &w, &ctx->pod->ctrs[i], patch, &mounted, err);
        need_volumes = need_volumes || mounted;
    }
    if (rc == WH_OK && need_volumes && cred == NULL)
        rc = wh_edit_add_volume(patch, ctx->pod, cred_volume(&w), err);
    if (rc == WH_OK && need_volumes && token == NULL)
        rc = wh_edit_add_volume(patch, ctx->pod, token_volume(ctx, &w), err);
    return rc;
}

int wh_gen_gcp_identity(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    int rc = gke_metadata_server(ctx, patch, err);

    if (rc == WH_OK)
        rc = federation(ctx, patch, err);
    return rc;
}
