/* SPDX-License-Identifier: Apache-2.0
 *
 * policy.c - namespace opt-in, service account and setting resolution; see
 * policy.h.
 */
#include "policy.h"

#include <string.h>

#include "banned.h"

struct setting_def {
    const char *pod_key;
    const char *sa_key;
    const char *ns_key;
};

static const struct setting_def defs[WH_SET_COUNT] = {
#define X(id, pod, sa, ns) [WH_SET_##id] = { pod, sa, ns },
    WH_SETTINGS(X)
#undef X
};

const char *wh_setting_name(enum wh_setting_id id)
{
    static const char *const names[WH_SET_COUNT] = {
#define X(id, pod, sa, ns) #id,
        WH_SETTINGS(X)
#undef X
    };

    return (unsigned)id < WH_SET_COUNT ? names[id] : "UNKNOWN";
}

enum wh_role wh_policy_role(const struct wh_pod *pod)
{
    const char *role = wh_pod_label(pod, "spark-role");

    if (role == NULL)
        return WH_ROLE_NONE;
    if (strcmp(role, "driver") == 0)
        return WH_ROLE_DRIVER;
    if (strcmp(role, "executor") == 0)
        return WH_ROLE_EXECUTOR;
    return WH_ROLE_NONE;
}

static void resolve_setting(const struct setting_def *d, const struct wh_pod *pod,
                            const struct wh_kobj *sa, const struct wh_kobj *ns,
                            struct wh_setting *out)
{
    const char *pod_v = d->pod_key ? wh_pod_annotation(pod, d->pod_key) : NULL;
    const char *sa_v = d->sa_key ? wh_kobj_annotation(sa, d->sa_key) : NULL;
    const char *ns_v = d->ns_key ? wh_kobj_annotation(ns, d->ns_key) : NULL;

    if (pod_v)
        *out = (struct wh_setting){ pod_v, WH_SRC_POD, d->pod_key };
    else if (sa_v)
        *out = (struct wh_setting){ sa_v, WH_SRC_SERVICEACCOUNT, d->sa_key };
    else if (ns_v)
        *out = (struct wh_setting){ ns_v, WH_SRC_NAMESPACE, d->ns_key };
    else
        *out = (struct wh_setting){ NULL, WH_SRC_NONE, NULL };
}

void wh_policy_resolve(struct wh_lookup *objs, const char *ns_name, const struct wh_pod *pod,
                       struct wh_policy *out)
{
    const char *inject;
    size_t i;

    memset(out, 0, sizeof(*out));
    out->role = wh_policy_role(pod);
    out->ns = wh_lookup_find(objs, WH_KIND_NAMESPACE, "", ns_name);
    inject = wh_kobj_annotation(out->ns, WH_ANN_INJECT);
    out->inject = inject != NULL && strcmp(inject, "true") == 0;
    /* The ServiceAccount admission plugin sets "default" before webhooks run;
     * a pod without one reached us some other way and is treated the same. */
    out->sa_name = pod->service_account ? pod->service_account : "default";
    out->sa = wh_lookup_find(objs, WH_KIND_SERVICEACCOUNT, ns_name, out->sa_name);
    for (i = 0; i < WH_SET_COUNT; i++)
        resolve_setting(&defs[i], pod, out->sa, out->ns, &out->set[i]);
}
