/* SPDX-License-Identifier: Apache-2.0
 *
 * policy.h - what sparkhook should do for one pod: whether its namespace opted
 * in, which service account it runs as, and the value of every setting the
 * generators read, each with the place it came from.
 *
 * Settings are one table (WH_SETTINGS): for each, the pod annotation that may
 * set it (only keys that cannot widen what the pod may do), the ServiceAccount
 * annotation, and the Namespace annotation. Precedence is fixed and applies
 * to every setting alike: pod, then service account, then namespace; a
 * setting none of them sets is NULL, and the generator falls back to the
 * config default.
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
#include "snapshot.h"

#define WH_ANN_INJECT "sparkhook.io/inject"

/*  id                    pod annotation                        service account annotation /
 * namespace annotation */
#define WH_SETTINGS(X)                                                               \
    X(AWS_ROLE_ARN, NULL, "eks.amazonaws.com/role-arn", "sparkhook.io/aws-role-arn") \
    X(AWS_REGION, NULL, NULL, "sparkhook.io/aws-region")                             \
    X(AWS_AUDIENCE, NULL, "eks.amazonaws.com/audience", NULL)                        \
    X(AWS_STS_REGIONAL, NULL, "eks.amazonaws.com/sts-regional-endpoints", NULL)      \
    X(AWS_TOKEN_EXPIRATION, "eks.amazonaws.com/token-expiration",                    \
      "eks.amazonaws.com/token-expiration", NULL)                                    \
    X(AWS_SKIP_CONTAINERS, "eks.amazonaws.com/skip-containers", NULL, NULL)

enum wh_setting_id {
#define X(id, pod, sa, ns) WH_SET_##id,
    WH_SETTINGS(X)
#undef X
        WH_SET_COUNT
};

enum wh_source {
    WH_SRC_NONE,
    WH_SRC_POD,
    WH_SRC_SERVICEACCOUNT,
    WH_SRC_NAMESPACE,
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
    const struct wh_kobj *ns; /* NULL when the namespace is unknown */
    const struct wh_kobj *sa; /* NULL when the service account is unknown */
    const char *sa_name;      /* effective service account name */
    struct wh_setting set[WH_SET_COUNT];
};

/* The setting's name as in WH_SETTINGS ("AWS_ROLE_ARN"). */
const char *wh_setting_name(enum wh_setting_id id);

/* The role a pod's spark-role label names (WH_ROLE_NONE for others). */
enum wh_role wh_policy_role(const struct wh_pod *pod);

/* Resolves the policy for pod in namespace ns_name, finding objects through
 * objs (the policy then borrows from it). Never fails: unknown objects
 * simply contribute nothing. */
void wh_policy_resolve(struct wh_lookup *objs, const char *ns_name, const struct wh_pod *pod,
                       struct wh_policy *out);

static inline const char *wh_role_name(enum wh_role role)
{
    return role == WH_ROLE_DRIVER ? "driver" : role == WH_ROLE_EXECUTOR ? "executor" : "none";
}

/* "pod", "serviceaccount", "namespace", or "default" for WH_SRC_NONE. */
static inline const char *wh_source_name(enum wh_source src)
{
    static const char *const names[] = { "default", "pod", "serviceaccount", "namespace" };

    return names[src];
}

static inline const struct wh_setting *wh_policy_get(const struct wh_policy *pol,
                                                     enum wh_setting_id id)
{
    return &pol->set[id];
}

#endif
