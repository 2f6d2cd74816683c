/* SPDX-License-Identifier: Apache-2.0
 *
 * secrets.c - Kubernetes Secrets for the Spark container of its role:
 * sparkhook.io/{driver,executor}-secrets mounts secrets read-only
 * ("name:/mount/path,..."), sparkhook.io/{driver,executor}-secret-env sets
 * variables from secret keys ("ENV=secret:key,...").
 *
 * Only the Spark container (wh_pod_spark_container) gets them, never a
 * sidecar or an init container. Each mounted secret is a volume named
 * "sparkhook-secret-<secret>" (hashed to fit a 63-byte DNS label), so the
 * name can meet no volume Spark or Kubernetes makes. What the pod already has
 * wins, each time with a warning: a secret the pod already holds in a volume
 * of its own (Spark's spark.kubernetes.*.secrets.*) is not mounted twice, a
 * mount path in use keeps its volume, a variable the container defines keeps
 * its definition. Warnings name variables, never their values.
 *
 * Parsed lists live on the heap (16 and 24 KiB) for the duration of the call;
 * nothing is kept past it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "patches.h"
#include "syntax.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define VOLUMES_PATH    "/spec/volumes"
#define VOLUME_PREFIX   "sparkhook-secret-"
#define VOLUME_NAME_MAX 63 /* a DNS-1123 label */
#define HASH_HEX        8  /* "-%08x" suffix of a hashed volume name */
#define ORIGIN_MAX      128

/* ---- volume names ------------------------------------------------------- */

static bool label_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* 32-bit FNV-1a: stable across versions, so a re-admitted pod gets the same
 * name. Not a security boundary, only a way to keep names distinct. */
/* The volume of secret: VOLUME_PREFIX + secret when that is a DNS label of at
 * most 63 bytes; otherwise the prefix, the secret's first bytes with every
 * byte a label cannot hold ('.') as '-', '-' and the hash of the whole name,
 * so that "a.b" and "a-b" stay apart. */
static void volume_name(const char *secret, char *out, size_t size)
{
    size_t room = VOLUME_NAME_MAX - (sizeof(VOLUME_PREFIX) - 1);
    size_t len = strlen(secret);
    char head[VOLUME_NAME_MAX + 1];
    bool plain = len > 0 && len <= room && secret[len - 1] != '-';
    size_t i, n;

    for (i = 0; plain && i < len; i++)
        plain = label_char(secret[i]);
    if (plain) {
        (void)snprintf(out, size, "%s%s", VOLUME_PREFIX, secret);
        return;
    }
    n = room - 1 - HASH_HEX;
    if (n > len)
        n = len;
    for (i = 0; i < n; i++)
        head[i] = label_char(secret[i]) ? secret[i] : '-';
    head[n] = '\0';
    (void)snprintf(out, size, "%s%s-%08x", VOLUME_PREFIX, head,
                   (unsigned)wh_fnv1a(secret, strlen(secret)));
}

/* ---- mounts ------------------------------------------------------------- */

static const char *secret_of(const cJSON *vol)
{
    return wh_json_get_str(wh_json_get(vol, "secret", WH_JSON_OBJECT), "secretName");
}

/* The pod's volume that holds secret, or NULL. */
static const cJSON *pod_secret_volume(const struct wh_pod *pod, const char *secret)
{
    const cJSON *v;

    cJSON_ArrayForEach(v, pod->volumes)
    {
        const char *s = secret_of(v);

        if (s && strcmp(s, secret) == 0)
            return v;
    }
    return NULL;
}

/* The volume called name in the pod or the patch, or NULL. */
static const cJSON *named_volume(const struct wh_patch *p, const struct wh_pod *pod,
                                 const char *name)
{
    const cJSON *v = wh_pod_volume(pod, name);

    return v ? v : wh_patch_find_item(p, VOLUMES_PATH, "name", name);
}

static cJSON *secret_volume_json(const char *name, const char *secret)
{
    cJSON *vol = cJSON_CreateObject();
    cJSON *src = cJSON_CreateObject();

    wh_json_add(src, "secretName", cJSON_CreateString(secret));
    wh_json_add(vol, "name", cJSON_CreateString(name));
    wh_json_add(vol, "secret", src);
    return vol;
}

static int mount_one(const struct wh_gen_ctx *ctx, const struct wh_container *c,
                     const struct wh_secret_mount *m, struct wh_patch *patch, struct wh_err *err)
{
    char vname[VOLUME_NAME_MAX + 1];
    const cJSON *held = pod_secret_volume(ctx->pod, m->secret);
    const cJSON *vol;
    const char *at, *holds;
    int rc = WH_OK;

    volume_name(m->secret, vname, sizeof(vname));
    if (held && strcmp(wh_json_get_str(held, "name"), vname) != 0) {
        wh_warn(ctx->warn, "secret %s not mounted at %s: the pod already has it as volume %s",
                m->secret, m->path, wh_json_get_str(held, "name"));
        return WH_OK;
    }
    vol = named_volume(patch, ctx->pod, vname);
    holds = vol ? secret_of(vol) : NULL;
    if (vol && (holds == NULL || strcmp(holds, m->secret) != 0)) {
        wh_warn(ctx->warn, "secret %s not mounted: volume name %s is taken by another volume",
                m->secret, vname);
        return WH_OK;
    }
    at = wh_edit_mount_at(patch, c, m->path);
    if (at != NULL) {
        if (strcmp(at, vname) != 0)
            wh_warn(ctx->warn, "secret %s not mounted: %s is already used by volume %s", m->secret,
                    m->path, at);
        return WH_OK;
    }
    if (vol == NULL)
        rc = wh_edit_add_volume(patch, ctx->pod, secret_volume_json(vname, m->secret), err);
    if (rc == WH_OK)
        rc = wh_edit_add_mount(patch, c, vname, m->path, true, err);
    return rc;
}

static int mounts(const struct wh_gen_ctx *ctx, const struct wh_setting *s,
                  const struct wh_container *c, struct wh_patch *patch, struct wh_err *err)
{
    struct wh_secret_mount_list *list = wh_xmalloc(sizeof(*list));
    char where[ORIGIN_MAX];
    struct wh_err perr = { 0 };
    size_t i;
    int rc = WH_OK;

    wh_gen_origin(ctx, s, where, sizeof(where));
    if (wh_syntax_secret_mounts(s->value, list, &perr) != WH_OK) {
        wh_warn(ctx->warn, "secrets not mounted: %s: %s", where, perr.msg);
        goto out;
    }
    if (list->n > 0 && c == NULL) {
        wh_warn(ctx->warn, "no Spark container found; secrets not mounted");
        goto out;
    }
    for (i = 0; i < list->n && rc == WH_OK; i++)
        rc = mount_one(ctx, c, &list->item[i], patch, err);
out:
    free(list);
    return rc;
}

/* ---- env ---------------------------------------------------------------- */

/* True when env entry e is exactly the reference we would add. */
static bool same_ref(const cJSON *e, const struct wh_secret_env *want)
{
    const cJSON *ref =
        wh_json_get(wh_json_get(e, "valueFrom", WH_JSON_OBJECT), "secretKeyRef", WH_JSON_OBJECT);
    const char *name = wh_json_get_str(ref, "name");
    const char *key = wh_json_get_str(ref, "key");

    return wh_json_get(e, "value", WH_JSON_STRING) == NULL && name && key &&
           strcmp(name, want->secret) == 0 && strcmp(key, want->key) == 0;
}

static cJSON *secret_env_json(const struct wh_secret_env *e)
{
    cJSON *env = cJSON_CreateObject();
    cJSON *from = cJSON_CreateObject();
    cJSON *ref = cJSON_CreateObject();

    wh_json_add(ref, "name", cJSON_CreateString(e->secret));
    wh_json_add(ref, "key", cJSON_CreateString(e->key));
    wh_json_add(from, "secretKeyRef", ref);
    wh_json_add(env, "name", cJSON_CreateString(e->env));
    wh_json_add(env, "valueFrom", from);
    return env;
}

static int env_one(const struct wh_gen_ctx *ctx, const struct wh_container *c,
                   const struct wh_secret_env *e, struct wh_patch *patch, struct wh_err *err)
{
    char path[WH_PTR_MAX];
    size_t n;

    if (wh_edit_has_env(patch, c, e->env)) {
        /* Name the variable and the secret, never a value. */
        if (!same_ref(wh_pod_ctr_env(c, e->env), e))
            wh_warn(ctx->warn,
                    "%s not set from secret %s: container %s already defines it; kept the user's",
                    e->env, e->secret, c->name);
        return WH_OK;
    }
    wh_pod_ctr_path(c, path, sizeof(path));
    n = strlen(path);
    if (wh_strlcpy(path + n, "/env", sizeof(path) - n) >= sizeof(path) - n)
        return wh_errf(err, WH_ETOOBIG, "json pointer too long: %.64s...", path);
    return wh_patch_append(patch, c->env, path, secret_env_json(e), err);
}

static int env(const struct wh_gen_ctx *ctx, const struct wh_setting *s,
               const struct wh_container *c, struct wh_patch *patch, struct wh_err *err)
{
    struct wh_secret_env_list *list = wh_xmalloc(sizeof(*list));
    char where[ORIGIN_MAX];
    struct wh_err perr = { 0 };
    size_t i;
    int rc = WH_OK;

    wh_gen_origin(ctx, s, where, sizeof(where));
    if (wh_syntax_secret_env(s->value, list, &perr) != WH_OK) {
        wh_warn(ctx->warn, "secret env not set: %s: %s", where, perr.msg);
        goto out;
    }
    if (list->n > 0 && c == NULL) {
        wh_warn(ctx->warn, "no Spark container found; secret env not set");
        goto out;
    }
    for (i = 0; i < list->n && rc == WH_OK; i++)
        rc = env_one(ctx, c, &list->item[i], patch, err);
out:
    free(list);
    return rc;
}

int wh_gen_secrets(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    bool driver = ctx->pol->role == WH_ROLE_DRIVER;
    const struct wh_setting *m, *e;
    const struct wh_container *c;
    int rc = WH_OK;

    if (ctx->pol->role != WH_ROLE_DRIVER && ctx->pol->role != WH_ROLE_EXECUTOR)
        return WH_OK;
    m = wh_policy_get(ctx->pol, driver ? WH_SET_DRIVER_SECRETS : WH_SET_EXECUTOR_SECRETS);
    e = wh_policy_get(ctx->pol, driver ? WH_SET_DRIVER_SECRET_ENV : WH_SET_EXECUTOR_SECRET_ENV);
    if (m->value == NULL && e->value == NULL)
        return WH_OK;
    c = wh_pod_spark_container(ctx->pod);
    if (m->value != NULL)
        rc = mounts(ctx, m, c, patch, err);
    if (rc == WH_OK && e->value != NULL)
        rc = env(ctx, e, c, patch, err);
    return rc;
}
