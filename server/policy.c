/* SPDX-License-Identifier: Apache-2.0
 *
 * policy.c - namespace opt-in, the effective service account and setting
 * resolution; see policy.h.
 */
#include "policy.h"

#include <stdio.h>
#include <string.h>

#include "util/str.h"

#include "banned.h"

#define SA_USER_PREFIX "system:serviceaccount:"

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

/* The first source that sets d, in precedence order. */
static void resolve_setting(const struct wh_setting_def *d, const struct wh_pod *pod,
                            const struct wh_kobj *sa, const struct wh_kobj *ns,
                            const struct wh_profile *profile, const struct wh_profile *defaults,
                            struct wh_setting *out)
{
    const struct {
        const char *value;
        enum wh_source src;
        const char *key;
    } order[] = {
        { d->pod_key ? wh_pod_annotation(pod, d->pod_key) : NULL, WH_SRC_POD, d->pod_key },
        { d->sa_key ? wh_kobj_annotation(sa, d->sa_key) : NULL, WH_SRC_SERVICEACCOUNT, d->sa_key },
        { d->ns_key ? wh_kobj_annotation(ns, d->ns_key) : NULL, WH_SRC_NAMESPACE, d->ns_key },
        { d->ns_key ? wh_profile_get(profile, d->ns_key) : NULL, WH_SRC_PROFILE, d->ns_key },
        { d->ns_key ? wh_profile_get(defaults, d->ns_key) : NULL, WH_SRC_DEFAULTS, d->ns_key },
    };
    size_t i;

    *out = (struct wh_setting){ NULL, WH_SRC_NONE, NULL };
    for (i = 0; i < WH_NELEM(order); i++) {
        if (order[i].value != NULL) {
            *out = (struct wh_setting){ order[i].value, order[i].src, order[i].key };
            return;
        }
    }
}

/* A namespace-level setting (namespace, profile, defaults), before the
 * service account is known. */
static const char *ns_level(const struct wh_setting_def *d, const struct wh_kobj *ns,
                            const struct wh_profile *profile, const struct wh_profile *defaults)
{
    const char *v = wh_kobj_annotation(ns, d->ns_key);

    if (v == NULL)
        v = wh_profile_get(profile, d->ns_key);
    if (v == NULL)
        v = wh_profile_get(defaults, d->ns_key);
    return v;
}

/* The requester's service account name when it is a service account of ns
 * ("system:serviceaccount:NS:NAME"), else NULL; name goes to buf. */
static const char *requester_sa(const struct wh_request_info *req, char *buf, size_t size)
{
    size_t plen = sizeof(SA_USER_PREFIX) - 1;
    size_t nlen = strlen(req->namespace_);
    const char *u = req->username;

    if (strncmp(u, SA_USER_PREFIX, plen) != 0 || strncmp(u + plen, req->namespace_, nlen) != 0 ||
        u[plen + nlen] != ':' || u[plen + nlen + 1] == '\0')
        return NULL;
    if (wh_strlcpy(buf, u + plen + nlen + 1, size) >= size)
        return NULL;
    return buf;
}

/* Moves a pod that arrived as "default" to the service account the namespace
 * (or, for executors, the driver that created it) names; see policy.h. */
static void switch_sa(struct wh_lookup *objs, const struct wh_request_info *req, const char *wanted,
                      const char *why, struct wh_warnings *warn, struct wh_policy *out)
{
    const struct wh_kobj *sa;

    if (wanted == NULL || strcmp(wanted, out->sa_pod) == 0)
        return;
    sa = wh_lookup_find(objs, WH_KIND_SERVICEACCOUNT, req->namespace_, wanted);
    if (sa == NULL) {
        wh_warn(warn, "%s service account %s (%s) does not exist; pod kept on %s",
                wh_role_name(out->role), wanted, why, out->sa_pod);
        return;
    }
    out->sa_name = sa->name;
    out->sa = sa;
    out->sa_switched = true;
}

static void effective_sa(const struct wh_config *cfg, struct wh_lookup *objs,
                         const struct wh_request_info *req, const struct wh_pod *pod,
                         const struct wh_profile *profile, struct wh_warnings *warn,
                         struct wh_policy *out, char *buf, size_t size)
{
    const char *by_driver, *named;

    out->sa_pod = pod->service_account ? pod->service_account : "default";
    out->sa_name = out->sa_pod;
    if (strcmp(out->sa_pod, "default") != 0 || !out->inject)
        return; /* a service account the pod names itself is never changed */
    if (out->role == WH_ROLE_DRIVER) {
        named = ns_level(wh_setting_def(WH_SET_DRIVER_SERVICE_ACCOUNT), out->ns, profile,
                         &cfg->defaults);
        switch_sa(objs, req, named, WH_SH "driver-service-account", warn, out);
        return;
    }
    if (out->role != WH_ROLE_EXECUTOR)
        return;
    named =
        ns_level(wh_setting_def(WH_SET_EXECUTOR_SERVICE_ACCOUNT), out->ns, profile, &cfg->defaults);
    by_driver = requester_sa(req, buf, size);
    if (!pod->owned_by_pod && by_driver == NULL) {
        if (named != NULL)
            wh_warn(warn, "executor service account kept on default: the pod does not look "
                          "created by a Spark driver (no Pod owner, requester not a service "
                          "account)");
        return;
    }
    if (named != NULL)
        switch_sa(objs, req, named, WH_SH "executor-service-account", warn, out);
    else if (by_driver != NULL) /* the driver creates executors with its own credentials */
        switch_sa(objs, req, by_driver, "the requester's", warn, out);
}

void wh_policy_resolve(const struct wh_config *cfg, struct wh_lookup *objs,
                       const struct wh_request_info *req, const struct wh_pod *pod,
                       struct wh_warnings *warn, struct wh_policy *out)
{
    const struct wh_profile *profile = NULL;
    const char *inject, *mode;
    char requester[WH_NAME_MAX + 1];
    size_t i;

    memset(out, 0, sizeof(*out));
    out->role = wh_policy_role(pod);
    out->ns = wh_lookup_find(objs, WH_KIND_NAMESPACE, "", req->namespace_);
    inject = wh_kobj_annotation(out->ns, WH_ANN_INJECT);
    out->inject = inject != NULL && strcmp(inject, "true") == 0;
    out->profile = wh_kobj_annotation(out->ns, WH_ANN_PROFILE);
    if (out->inject && out->profile) {
        profile = wh_config_profile(cfg, out->profile);
        if (profile == NULL)
            wh_warn(warn,
                    "namespace %s names profile \"%.64s\" (%s), which the config does not "
                    "define; only namespace settings and defaults apply",
                    req->namespace_, out->profile, WH_ANN_PROFILE);
    }
    effective_sa(cfg, objs, req, pod, profile, warn, out, requester, sizeof(requester));
    if (!out->sa_switched && out->inject)
        out->sa = wh_lookup_find(objs, WH_KIND_SERVICEACCOUNT, req->namespace_, out->sa_name);
    for (i = 0; i < WH_SET_COUNT; i++)
        resolve_setting(wh_setting_def((enum wh_setting_id)i), pod, out->sa, out->ns, profile,
                        &cfg->defaults, &out->set[i]);
    mode = out->set[WH_SET_MODE].value;
    out->audit = mode != NULL && strcmp(mode, "audit") == 0;
}
