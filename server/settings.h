/* SPDX-License-Identifier: Apache-2.0
 *
 * settings.h - every setting sparkhook reads from annotations, in one table:
 * for each, the pod annotation that may set it (only keys that cannot widen
 * what the pod may do: a token's lifetime within its clamp, containers to
 * skip), the ServiceAccount annotation (the clouds' own keys, honoured as
 * they are), and the Namespace annotation, which config profiles and the
 * config defaults may also set under the same key.
 *
 * Precedence, the same for every setting: pod, service account, namespace,
 * the namespace's profile (sparkhook.io/profile), the config defaults; a
 * setting none of them sets is NULL and the generator uses its built-in
 * default.
 */
#ifndef WH_SETTINGS_H
#define WH_SETTINGS_H

#include <stddef.h>

#include "wh.h"

#define WH_ANN_INJECT   "sparkhook.io/inject"
#define WH_ANN_PROFILE  "sparkhook.io/profile"
#define WH_ANN_MODE     "sparkhook.io/mode"
#define WH_ANN_INJECTED "sparkhook.io/injected"
#define WH_ANN_PREFIX   "sparkhook.io/"

#define WH_EKS "eks.amazonaws.com/"
#define WH_AZW "azure.workload.identity/"
#define WH_SH  "sparkhook.io/"

/*  id                       pod annotation                     service account annotation namespace
 * annotation */
#define WH_SETTINGS(X)                                                                  \
    X(MODE, NULL, NULL, WH_SH "mode")                                                   \
    X(AWS_ROLE_ARN, NULL, WH_EKS "role-arn", WH_SH "aws-role-arn")                      \
    X(AWS_REGION, NULL, NULL, WH_SH "aws-region")                                       \
    X(AWS_AUDIENCE, NULL, WH_EKS "audience", NULL)                                      \
    X(AWS_STS_REGIONAL, NULL, WH_EKS "sts-regional-endpoints", NULL)                    \
    X(AWS_TOKEN_EXPIRATION, WH_EKS "token-expiration", WH_EKS "token-expiration", NULL) \
    X(AWS_SKIP_CONTAINERS, WH_EKS "skip-containers", NULL, NULL)                        \
    X(AZURE_CLIENT_ID, NULL, WH_AZW "client-id", WH_SH "azure-client-id")               \
    X(AZURE_TENANT_ID, NULL, WH_AZW "tenant-id", WH_SH "azure-tenant-id")               \
    X(AZURE_TOKEN_EXPIRATION, WH_AZW "service-account-token-expiration",                \
      WH_AZW "service-account-token-expiration", NULL)                                  \
    X(AZURE_SKIP_CONTAINERS, WH_AZW "skip-containers", NULL, NULL)                      \
    X(GCP_CREDENTIAL_CONFIGMAP, NULL, NULL, WH_SH "gcp-credential-configmap")           \
    X(GCP_AUDIENCE, NULL, NULL, WH_SH "gcp-wif-audience")                               \
    X(GKE_METADATA_SERVER, NULL, NULL, WH_SH "gke-metadata-server")                     \
    X(DRIVER_SERVICE_ACCOUNT, NULL, NULL, WH_SH "driver-service-account")               \
    X(EXECUTOR_SERVICE_ACCOUNT, NULL, NULL, WH_SH "executor-service-account")           \
    X(DRIVER_NODE_SELECTOR, NULL, NULL, WH_SH "driver-node-selector")                   \
    X(EXECUTOR_NODE_SELECTOR, NULL, NULL, WH_SH "executor-node-selector")               \
    X(DRIVER_TOLERATIONS, NULL, NULL, WH_SH "driver-tolerations")                       \
    X(EXECUTOR_TOLERATIONS, NULL, NULL, WH_SH "executor-tolerations")                   \
    X(DRIVER_SCRATCH, NULL, NULL, WH_SH "driver-scratch")                               \
    X(EXECUTOR_SCRATCH, NULL, NULL, WH_SH "executor-scratch")                           \
    X(DRIVER_SECRETS, NULL, NULL, WH_SH "driver-secrets")                               \
    X(EXECUTOR_SECRETS, NULL, NULL, WH_SH "executor-secrets")                           \
    X(DRIVER_SECRET_ENV, NULL, NULL, WH_SH "driver-secret-env")                         \
    X(EXECUTOR_SECRET_ENV, NULL, NULL, WH_SH "executor-secret-env")

enum wh_setting_id {
#define X(id, pod, sa, ns) WH_SET_##id,
    WH_SETTINGS(X)
#undef X
        WH_SET_COUNT
};

struct wh_setting_def {
    const char *name;    /* "AWS_ROLE_ARN" */
    const char *pod_key; /* NULL: a pod cannot set it */
    const char *sa_key;
    const char *ns_key; /* also the key in config profiles and defaults */
};

/* The table row of id (never NULL for a valid id). */
const struct wh_setting_def *wh_setting_def(enum wh_setting_id id);

/* The setting whose namespace key is key, or -1. */
int wh_setting_by_ns_key(const char *key);

/* Checks a value for setting id (as given in a config profile) with the
 * same parser the generators use. where names the place for the message. */
int wh_setting_validate(int id, const char *value, const char *where, struct wh_err *err);

/* Every key sparkhook reads under sparkhook.io/ (for typo detection), the
 * namespace keys plus inject, profile and injected; *n receives the count.
 * Entries may be NULL (settings without a namespace key): skip them. */
const char *const *wh_setting_known_keys(size_t *n);

#endif
