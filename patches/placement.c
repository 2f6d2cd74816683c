/* SPDX-License-Identifier: Apache-2.0
 *
 * placement.c - where a Spark pod may run: the node selector and the
 * tolerations of its role (sparkhook.io/driver-node-selector and
 * -tolerations for drivers, the executor-* keys for executors).
 *
 * The pod's own choices win. A nodeSelector key the pod (or an earlier
 * generator) already sets keeps its value, with a warning when ours differs;
 * a toleration already present is not added twice, and a pod toleration for
 * the same key that differs keeps the key for the pod: ours is not added.
 * Both go in surgically: keys are put into spec.nodeSelector and items
 * appended to spec.tolerations, each created when the pod has none. A value
 * that does not parse is skipped with a warning; the other setting applies.
 *
 * Parsed lists live on the heap (about 13 KiB each) for the duration of the
 * call; nothing is kept past it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patches.h"
#include "syntax.h"
#include "util/json.h"
#include "util/mem.h"

#include "banned.h"

#define SELECTOR_PATH    "/spec/nodeSelector"
#define TOLERATIONS_PATH "/spec/tolerations"
#define ORIGIN_MAX       128 /* "namespace annotation sparkhook.io/executor-node-selector" */
#define TOLERATION_TEXT  (WH_SYNTAX_LABEL_KEY_MAX + WH_SYNTAX_LABEL_VALUE_MAX + 24)

/* ---- node selector ------------------------------------------------------ */

/* The value an earlier generator of this patch gives nodeSelector key, or
 * NULL. The patch holds it either in the map it creates or as a put into
 * the pod's map. */
static const char *patch_selector(const struct wh_patch *p, const char *key)
{
    char ptr[WH_PTR_MAX] = SELECTOR_PATH;
    size_t i;

    if (wh_ptr_seg(ptr, sizeof(ptr), key) != WH_OK)
        return NULL;
    for (i = 0; i < p->n; i++) {
        const struct wh_patch_op *op = &p->ops[i];

        if (op->value == NULL)
            continue;
        if (op->created && strcmp(op->path, SELECTOR_PATH) == 0)
            return wh_json_get_str(op->value, key);
        if (strcmp(op->path, ptr) == 0 && cJSON_IsString(op->value))
            return op->value->valuestring;
    }
    return NULL;
}

static int put_label(const struct wh_gen_ctx *ctx, const char *where, const struct wh_label *l,
                     struct wh_patch *patch, struct wh_err *err)
{
    const cJSON *have = cJSON_GetObjectItemCaseSensitive(ctx->pod->node_selector, l->key);
    const char *earlier;

    if (have != NULL) {
        const char *v = cJSON_IsString(have) ? have->valuestring : NULL;

        if (v == NULL || strcmp(v, l->value) != 0)
            wh_warn(ctx->warn, "nodeSelector key %s: the pod's %s kept, %s wants %s", l->key,
                    v ? v : "(not a string)", where, l->value);
        return WH_OK;
    }
    earlier = patch_selector(patch, l->key);
    if (earlier != NULL) {
        if (strcmp(earlier, l->value) != 0)
            wh_warn(ctx->warn, "nodeSelector key %s: %s (set by sparkhook) kept, %s wants %s",
                    l->key, earlier, where, l->value);
        return WH_OK;
    }
    return wh_patch_put(patch, ctx->pod->node_selector, SELECTOR_PATH, l->key,
                        cJSON_CreateString(l->value), err);
}

static int node_selector(const struct wh_gen_ctx *ctx, const struct wh_setting *s,
                         struct wh_patch *patch, struct wh_err *err)
{
    struct wh_kv_list *list = wh_xmalloc(sizeof(*list));
    char where[ORIGIN_MAX];
    struct wh_err perr = { 0 };
    size_t i;
    int rc = WH_OK;

    wh_gen_origin(ctx, s, where, sizeof(where));
    if (wh_syntax_labels(s->value, list, &perr) != WH_OK) {
        wh_warn(ctx->warn, "node selector not applied: %s: %s", where, perr.msg);
        goto out;
    }
    for (i = 0; i < list->n && rc == WH_OK; i++)
        rc = put_label(ctx, where, &list->item[i], patch, err);
out:
    free(list);
    return rc;
}

/* ---- tolerations -------------------------------------------------------- */

/* A toleration read from the pod, absent fields as "" (operator: Equal). */
struct tol_view {
    const char *key;
    const char *op;
    const char *value;
    const char *effect;
    bool has_seconds;
};

static const char *str_or(const cJSON *obj, const char *key, const char *dflt)
{
    const char *s = wh_json_get_str(obj, key);

    return s ? s : dflt;
}

static struct tol_view view_of(const cJSON *t)
{
    struct tol_view v;

    v.key = str_or(t, "key", "");
    v.op = str_or(t, "operator", "Equal");
    v.value = str_or(t, "value", "");
    v.effect = str_or(t, "effect", "");
    v.has_seconds = cJSON_GetObjectItemCaseSensitive(t, "tolerationSeconds") != NULL;
    return v;
}

static bool same_toleration(const struct tol_view *v, const struct wh_toleration *t)
{
    return !v->has_seconds && strcmp(v->key, t->key) == 0 && strcmp(v->op, t->op) == 0 &&
           strcmp(v->value, t->value) == 0 && strcmp(v->effect, t->effect) == 0;
}

/* kubectl taint syntax of a toleration: key[=value][:effect]. */
static void tol_text(const char *key, const char *op, const char *value, const char *effect,
                     char *buf, size_t size)
{
    bool equal = strcmp(op, "Exists") != 0;

    (void)snprintf(buf, size, "%s%s%s%s%s", key, equal ? "=" : "", equal ? value : "",
                   effect[0] ? ":" : "", effect);
}

/* How the pod's tolerations relate to t: 1 when t is there already, -1 when
 * the pod tolerates t's key differently (*conflict is that toleration), 0
 * when the pod says nothing about the key. Non-object items are skipped. */
static int pod_has(const cJSON *tols, const struct wh_toleration *t, const cJSON **conflict)
{
    const cJSON *item;
    int found = 0;

    *conflict = NULL;
    cJSON_ArrayForEach(item, tols)
    {
        struct tol_view v;

        if (!cJSON_IsObject(item))
            continue;
        v = view_of(item);
        if (same_toleration(&v, t))
            return 1;
        if (found == 0 && strcmp(v.key, t->key) == 0) {
            *conflict = item;
            found = -1;
        }
    }
    return found;
}

static cJSON *toleration_json(const struct wh_toleration *t)
{
    cJSON *obj = cJSON_CreateObject();

    /* Field order as the apiserver prints it. */
    wh_json_add(obj, "key", cJSON_CreateString(t->key));
    wh_json_add(obj, "operator", cJSON_CreateString(t->op));
    if (strcmp(t->op, "Exists") != 0)
        wh_json_add(obj, "value", cJSON_CreateString(t->value));
    if (t->effect[0])
        wh_json_add(obj, "effect", cJSON_CreateString(t->effect));
    return obj;
}

static int add_toleration(const struct wh_gen_ctx *ctx, const char *where, const cJSON *tols,
                          const struct wh_toleration *t, struct wh_patch *patch, struct wh_err *err)
{
    const cJSON *conflict;
    char have[TOLERATION_TEXT], want[TOLERATION_TEXT];
    struct tol_view v;

    switch (pod_has(tols, t, &conflict)) {
    case 1:
        return WH_OK;
    case -1:
        v = view_of(conflict);
        tol_text(v.key, v.op, v.value, v.effect, have, sizeof(have));
        tol_text(t->key, t->op, t->value, t->effect, want, sizeof(want));
        wh_warn(ctx->warn, "toleration key %s: the pod's %s%s kept, %s wants %s", t->key, have,
                v.has_seconds ? " (with tolerationSeconds)" : "", where, want);
        return WH_OK;
    default:
        return wh_patch_append(patch, tols, TOLERATIONS_PATH, toleration_json(t), err);
    }
}

static int tolerations(const struct wh_gen_ctx *ctx, const struct wh_setting *s,
                       struct wh_patch *patch, struct wh_err *err)
{
    struct wh_toleration_list *list = wh_xmalloc(sizeof(*list));
    const cJSON *tols = wh_json_get(ctx->pod->spec, "tolerations", WH_JSON_ARRAY);
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(ctx->pod->spec, "tolerations");
    char where[ORIGIN_MAX];
    struct wh_err perr = { 0 };
    size_t i;
    int rc = WH_OK;

    wh_gen_origin(ctx, s, where, sizeof(where));
    if (wh_syntax_tolerations(s->value, list, &perr) != WH_OK) {
        wh_warn(ctx->warn, "tolerations not added: %s: %s", where, perr.msg);
        goto out;
    }
    /* Never replace what the pod has, even a malformed value. */
    if (tols == NULL && raw != NULL && !cJSON_IsNull(raw)) {
        wh_warn(ctx->warn, "tolerations not added: spec.tolerations is not an array");
        goto out;
    }
    for (i = 0; i < list->n && rc == WH_OK; i++)
        rc = add_toleration(ctx, where, tols, &list->item[i], patch, err);
out:
    free(list);
    return rc;
}

int wh_gen_placement(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    bool driver = ctx->pol->role == WH_ROLE_DRIVER;
    const struct wh_setting *sel, *tol;
    int rc = WH_OK;

    if (ctx->pol->role != WH_ROLE_DRIVER && ctx->pol->role != WH_ROLE_EXECUTOR)
        return WH_OK;
    sel = wh_policy_get(ctx->pol,
                        driver ? WH_SET_DRIVER_NODE_SELECTOR : WH_SET_EXECUTOR_NODE_SELECTOR);
    tol = wh_policy_get(ctx->pol, driver ? WH_SET_DRIVER_TOLERATIONS : WH_SET_EXECUTOR_TOLERATIONS);
    if (sel->value != NULL)
        rc = node_selector(ctx, sel, patch, err);
    if (rc == WH_OK && tol->value != NULL)
        rc = tolerations(ctx, tol, patch, err);
    return rc;
}
