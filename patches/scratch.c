/* SPDX-License-Identifier: Apache-2.0
 *
 * scratch.c - Spark's local dirs (shuffle, spills, cached blocks) on a volume
 * claim instead of the node's ephemeral storage, per role: DRIVER_SCRATCH or
 * EXECUTOR_SCRATCH, e.g. "size=200Gi,storageClass=gp3-encrypted".
 *
 * Spark names its local-dir volumes spark-local-dir-N and points
 * SPARK_LOCAL_DIRS at their mounts. Each such emptyDir becomes a generic
 * ephemeral volume of the same name: the emptyDir member is removed and an
 * ephemeral member added (a volume has exactly one source), so the mounts
 * and SPARK_LOCAL_DIRS keep working and the claim lives and dies with the
 * pod. Volumes are edited in place by index, never removed, so no index
 * shifts. A local-dir volume already on a claim (persistentVolumeClaim,
 * ephemeral) is what we want and is left alone silently; any other source (a
 * hostPath, a memory-backed emptyDir) is the user's explicit choice and is
 * left alone with a warning.
 *
 * A pod with no local-dir volume at all gets spark-local-dir-sparkhook,
 * mounted in the Spark container at /var/data/spark-sparkhook with
 * SPARK_LOCAL_DIRS pointing there, unless that container sets
 * SPARK_LOCAL_DIRS itself: Spark would then not use the volume, so nothing is
 * added. A second pass finds ephemeral volumes and adds nothing.
 */
#include <string.h>

#include "edit.h"
#include "patches.h"
#include "syntax.h"
#include "util/json.h"
#include "util/str.h"

#include "banned.h"

#define LOCAL_DIR_PREFIX "spark-local-dir-"
#define OWN_VOLUME       "spark-local-dir-sparkhook"
#define OWN_MOUNT        "/var/data/spark-sparkhook"
#define LOCAL_DIRS_ENV   "SPARK_LOCAL_DIRS"
#define SCRATCH_LABEL    "sparkhook.io/scratch"
#define VOLUMES_PATH     "/spec/volumes"
#define PVC_NAME_MAX     253 /* the claim is named <pod>-<volume>: a DNS subdomain */
#define GEN_NAME_MAX     58  /* the apiserver keeps this much of generateName... */
#define GEN_NAME_SUFFIX  5   /* ...and appends this many random characters */

/* Fills *sc from the role's setting; false when there is none or it does not
 * parse (with a warning naming the annotation and the offending part). */
static bool resolve(const struct wh_gen_ctx *ctx, struct wh_scratch *sc)
{
    const struct wh_setting *s;
    struct wh_err perr;

    if (ctx->pol->role == WH_ROLE_NONE)
        return false;
    s = wh_policy_get(ctx->pol, ctx->pol->role == WH_ROLE_DRIVER ? WH_SET_DRIVER_SCRATCH
                                                                 : WH_SET_EXECUTOR_SCRATCH);
    if (s->value == NULL)
        return false;
    wh_err_clear(&perr);
    if (wh_syntax_scratch(s->value, sc, &perr) != WH_OK) {
        wh_warn(ctx->warn, "scratch volume not added: %s annotation %s: %s",
                wh_source_name(s->source), s->key ? s->key : "(unknown)", perr.msg);
        return false;
    }
    return true;
}

/* True when the claim the apiserver names <pod>-<volume> is a valid name; an
 * unknown pod name (neither name nor generateName) cannot be checked here. */
static bool claim_name_fits(const struct wh_pod *pod, const char *volume)
{
    size_t n = 0;

    if (pod->name != NULL) {
        n = strlen(pod->name);
    } else if (pod->generate_name != NULL) {
        n = strlen(pod->generate_name);
        n = (n > GEN_NAME_MAX ? GEN_NAME_MAX : n) + GEN_NAME_SUFFIX;
    }
    return n == 0 || n + 1 + strlen(volume) <= PVC_NAME_MAX;
}

/* Copies the pod's label key (when it has one) into labels. */
static void copy_label(const struct wh_pod *pod, const char *key, cJSON *labels)
{
    const char *v = wh_pod_label(pod, key);

    if (v != NULL)
        wh_json_add(labels, key, cJSON_CreateString(v));
}

/* The ephemeral volume source for sc. The caller owns the result. */
static cJSON *ephemeral_source(const struct wh_gen_ctx *ctx, const struct wh_scratch *sc)
{
    cJSON *eph = cJSON_CreateObject();
    cJSON *tmpl = cJSON_CreateObject();
    cJSON *meta = cJSON_CreateObject();
    cJSON *labels = cJSON_CreateObject();
    cJSON *spec = cJSON_CreateObject();
    cJSON *modes = cJSON_CreateArray();
    cJSON *resources = cJSON_CreateObject();
    cJSON *requests = cJSON_CreateObject();

    copy_label(ctx->pod, "spark-app-selector", labels);
    copy_label(ctx->pod, "spark-role", labels);
    wh_json_add(labels, SCRATCH_LABEL, cJSON_CreateString("true"));
    wh_json_add(meta, "labels", labels);
    wh_json_append(modes, cJSON_CreateString(sc->access_mode));
    wh_json_add(spec, "accessModes", modes);
    if (sc->storage_class[0] != '\0') /* absent: the cluster's default class */
        wh_json_add(spec, "storageClassName", cJSON_CreateString(sc->storage_class));
    wh_json_add(requests, "storage", cJSON_CreateString(sc->size));
    wh_json_add(resources, "requests", requests);
    wh_json_add(spec, "resources", resources);
    wh_json_add(tmpl, "metadata", meta);
    wh_json_add(tmpl, "spec", spec);
    wh_json_add(eph, "volumeClaimTemplate", tmpl);
    return eph;
}

/* Swaps the emptyDir of vol (the pod's volume at index i) for an ephemeral
 * claim. Two ops on the volume's own members: nothing else moves. */
static int convert(const struct wh_gen_ctx *ctx, const struct wh_scratch *sc, const cJSON *vol,
                   size_t i, struct wh_patch *p, struct wh_err *err)
{
    char path[WH_PTR_MAX] = VOLUMES_PATH;
    char src[WH_PTR_MAX];
    int rc;

    if (wh_ptr_idx(path, sizeof(path), i) != WH_OK)
        return wh_errf(err, WH_ETOOBIG, "json pointer too long: %s/%zu", VOLUMES_PATH, i);
    (void)wh_strlcpy(src, path, sizeof(src));
    if (wh_ptr_seg(src, sizeof(src), "emptyDir") != WH_OK)
        return wh_errf(err, WH_ETOOBIG, "json pointer too long: %s/emptyDir", path);
    rc = wh_patch_remove(p, src, err);
    if (rc == WH_OK)
        rc = wh_patch_put(p, vol, path, "ephemeral", ephemeral_source(ctx, sc), err);
    return rc;
}

/* The source of vol: its first member other than name, or NULL. */
static const char *volume_source(const cJSON *vol)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, vol)
    {
        if (m->string != NULL && strcmp(m->string, "name") != 0 && !cJSON_IsNull(m))
            return m->string;
    }
    return NULL;
}

/* One spark-local-dir-* volume of the pod, at index i. */
static int local_dir(const struct wh_gen_ctx *ctx, const struct wh_scratch *sc, const cJSON *vol,
                     size_t i, struct wh_patch *p, struct wh_err *err)
{
    const char *name = wh_json_get_str(vol, "name");
    const char *src = volume_source(vol);
    const cJSON *ed = wh_json_get(vol, "emptyDir", WH_JSON_OBJECT);
    const char *medium = wh_json_get_str(ed, "medium");

    /* Already on a claim (Spark's own PVC, or our earlier pass): done. */
    if (wh_json_get(vol, "persistentVolumeClaim", WH_JSON_OBJECT) != NULL ||
        wh_json_get(vol, "ephemeral", WH_JSON_OBJECT) != NULL)
        return WH_OK;
    if (ed == NULL) {
        wh_warn(ctx->warn,
                "volume %s is a %s volume, not an emptyDir: left alone, no scratch claim", name,
                src ? src : "sourceless");
        return WH_OK;
    }
    if (medium != NULL && medium[0] != '\0') {
        wh_warn(ctx->warn, "volume %s is a medium %s emptyDir: left alone, no scratch claim", name,
                medium);
        return WH_OK;
    }
    if (!claim_name_fits(ctx->pod, name)) {
        wh_warn(ctx->warn,
                "volume %s left an emptyDir: claim name <pod>-%s would exceed %d characters", name,
                name, PVC_NAME_MAX);
        return WH_OK;
    }
    return convert(ctx, sc, vol, i, p, err);
}

/* A pod without local-dir volumes: add one to the Spark container and point
 * SPARK_LOCAL_DIRS at it. */
static int add_local_dir(const struct wh_gen_ctx *ctx, const struct wh_scratch *sc,
                         struct wh_patch *p, struct wh_err *err)
{
    const struct wh_container *c = wh_pod_spark_container(ctx->pod);
    const char *at;
    cJSON *vol;
    int rc;

    if (c == NULL) {
        wh_warn(ctx->warn, "scratch volume not added: no container looks like Spark's");
        return WH_OK;
    }
    if (wh_edit_has_env(p, c, LOCAL_DIRS_ENV)) {
        wh_warn(ctx->warn, "scratch volume not added: container %s sets its own %s (kept)", c->name,
                LOCAL_DIRS_ENV);
        return WH_OK;
    }
    if (wh_edit_has_volume(p, ctx->pod, OWN_VOLUME)) {
        wh_warn(ctx->warn, "scratch volume not added: the pod already has a volume %s", OWN_VOLUME);
        return WH_OK;
    }
    at = wh_edit_mount_at(p, c, OWN_MOUNT);
    if (at != NULL) {
        wh_warn(ctx->warn,
                "scratch volume not added: container %s: %s is already used by volume %s", c->name,
                OWN_MOUNT, at);
        return WH_OK;
    }
    if (!claim_name_fits(ctx->pod, OWN_VOLUME)) {
        wh_warn(ctx->warn,
                "scratch volume not added: claim name <pod>-%s would exceed %d characters",
                OWN_VOLUME, PVC_NAME_MAX);
        return WH_OK;
    }
    vol = cJSON_CreateObject();
    wh_json_add(vol, "name", cJSON_CreateString(OWN_VOLUME));
    wh_json_add(vol, "ephemeral", ephemeral_source(ctx, sc));
    rc = wh_edit_add_volume(p, ctx->pod, vol, err);
    if (rc == WH_OK)
        rc = wh_edit_add_mount(p, c, OWN_VOLUME, OWN_MOUNT, false, err);
    if (rc == WH_OK)
        rc = wh_edit_add_env(p, c, LOCAL_DIRS_ENV, OWN_MOUNT, err);
    return rc;
}

/* True when the pod, or an earlier generator's op, sets securityContext.fsGroup. */
static bool has_fs_group(const struct wh_gen_ctx *ctx, const struct wh_patch *p)
{
    size_t i;

    if (wh_json_get(ctx->pod->security_context, "fsGroup", WH_JSON_NUMBER) != NULL)
        return true;
    for (i = 0; i < p->n; i++) {
        const struct wh_patch_op *op = &p->ops[i];

        if (strcmp(op->path, "/spec/securityContext/fsGroup") == 0 ||
            (strcmp(op->path, "/spec/securityContext") == 0 &&
             wh_json_get(op->value, "fsGroup", WH_JSON_NUMBER) != NULL))
            return true;
    }
    return false;
}

int wh_gen_scratch(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    struct wh_scratch sc;
    const cJSON *vol;
    size_t before = patch->edits;
    size_t i = 0;
    bool found = false;
    int rc = WH_OK;

    if (!resolve(ctx, &sc))
        return WH_OK;
    cJSON_ArrayForEach(vol, ctx->pod->volumes)
    {
        const char *name = wh_json_get_str(vol, "name");

        if (rc == WH_OK && wh_str_has_prefix(name, LOCAL_DIR_PREFIX) &&
            name[strlen(LOCAL_DIR_PREFIX)] != '\0') {
            found = true;
            rc = local_dir(ctx, &sc, vol, i, patch, err);
        }
        i++;
    }
    if (rc == WH_OK && !found)
        rc = add_local_dir(ctx, &sc, patch, err);
    /* A fresh filesystem's root belongs to root; without fsGroup a non-root
     * Spark (uid 185 in the apache/spark images) cannot write to it. */
    if (rc == WH_OK && patch->edits > before && !has_fs_group(ctx, patch))
        wh_warn(ctx->warn,
                "scratch volume: no securityContext.fsGroup, so a non-root Spark (uid 185) may "
                "not write to it");
    return rc;
}
