/* SPDX-License-Identifier: Apache-2.0
 *
 * policy.h - what sparkhook should do for one pod: whether its namespace opted
 * in, which service account it runs as, and the value of every setting the
 * generators read, each with the place it came from.
 *
 * Settings are one table (WH_SETTINGS in settings.h) with one precedence for
 * all: pod, service account, namespace, profile, config defaults.
 *
 * The service account is resolved first, because identity follows it: an
 * executor that arrives with "default" (Spark 2.4 gives executors no service
 * account) moves to the namespace's sparkhook.io/executor-service-account, or
 * else to the requester's own service account when the driver (a service
 * account of the same namespace) created it; a driver submitted with
 * "default" moves to sparkhook.io/driver-service-account. Only to a service
 * account that exists, only for pods that look created by a driver
 * (ownerReference to a pod, or a service-account requester) in the executor
 * case, and never away from a service account the pod names itself.
 *
 * The policy borrows from the lookup and the pod it was resolved from; it
 * must not outlive either. No I/O of its own: objects come through the
 * lookup, whose miss path is the only bounded wait.
 */
#ifndef WH_POLICY_H
#define WH_POLICY_H

#include <stdbool.h>

#include "config.h"
#include "lookup.h"
#include "pod.h"
#include "settings.h"
#include "snapshot.h"
#include "warnings.h"

enum wh_source {
    WH_SRC_NONE,
    WH_SRC_POD,
    WH_SRC_SERVICEACCOUNT,
    WH_SRC_NAMESPACE,
    WH_SRC_PROFILE,
    WH_SRC_DEFAULTS,
};

struct wh_setting {
    const char *value; /* borrowed; NULL when no source sets it */
    enum wh_source source;
    const char *key; /* the annotation it came from, or NULL */
};

enum wh_role {
    WH_ROLE_NONE,
    WH_ROLE_DRIVER,
    WH_ROLE_EXECUTOR,
};

struct wh_policy {
    enum wh_role role;
    bool inject;              /* the namespace opted in */
    bool audit;               /* sparkhook.io/mode: audit: warnings only, no patch */
    const struct wh_kobj *ns; /* NULL when the namespace is unknown */
    const struct wh_kobj *sa; /* the effective service account; NULL when unknown */
    const char *sa_name;      /* effective service account name */
    const char *sa_pod;       /* the name the pod arrived with ("default" when unset) */
    bool sa_switched;         /* sa_name differs from sa_pod: the pod must be changed */
    const char *profile;      /* the namespace's profile, or NULL */
    struct wh_setting set[WH_SET_COUNT];
};

/* What the policy reads from the request besides the pod. */
struct wh_request_info {
    const char *namespace_;
    const char *username; /* userInfo.username, "" when absent */
};

/* The role a pod's spark-role label names (WH_ROLE_NONE for others). */
enum wh_role wh_policy_role(const struct wh_pod *pod);

/* Resolves the policy for pod, finding objects through objs (the policy then
 * borrows from it and from cfg). Decisions a user should know about (a
 * service account switch, one that cannot be made, an unknown profile) are
 * added to warn. Never fails: unknown objects simply contribute nothing. */
void wh_policy_resolve(const struct wh_config *cfg, struct wh_lookup *objs,
                       const struct wh_request_info *req, const struct wh_pod *pod,
                       struct wh_warnings *warn, struct wh_policy *out);

static inline const char *wh_role_name(enum wh_role role)
{
    return role == WH_ROLE_DRIVER ? "driver" : role == WH_ROLE_EXECUTOR ? "executor" : "none";
}

/* "pod", "serviceaccount", "namespace", "profile", "config defaults", or
 * "default" for WH_SRC_NONE. */
static inline const char *wh_source_name(enum wh_source src)
{
    static const char *const names[] = { "default",   "pod",     "serviceaccount",
                                         "namespace", "profile", "config defaults" };

    return names[src];
}

static inline const struct wh_setting *wh_policy_get(const struct wh_policy *pol,
                                                     enum wh_setting_id id)
{
    return &pol->set[id];
}

#endif
