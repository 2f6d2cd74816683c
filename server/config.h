/* SPDX-License-Identifier: Apache-2.0
 *
 * config.h - the webhook-wide configuration: a JSON document whose keys, types,
 * bounds and defaults are one table in config.c (the redis static_configs
 * idea). Sections are JSON objects; a key's name is its dotted path
 * ("aws.region"). Unknown keys, wrong types and out-of-range values are
 * rejected with a message naming the key. The defaults are embedded, so the
 * server runs without a file.
 *
 * A struct wh_config is immutable once loaded: share it freely between threads
 * and release it once with wh_config_free(). Its strings are owned by it.
 */
#ifndef WH_CONFIG_H
#define WH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wh.h"

#define WH_CONFIG_MAX_FILE (1u << 20) /* a config file is small; cap it */

#define WH_PROFILES_MAX      64
#define WH_PROFILE_KEYS_MAX  64
#define WH_PROFILE_VALUE_MAX 4096

/* A named set of namespace-annotation values (sparkhook.io/... keys). */
struct wh_profile {
    char *name;
    size_t n;
    struct wh_profile_entry {
        char *key;
        char *value;
    } * e;
};

struct wh_config {
    /* server */
    uint64_t max_body;         /* server.maxBodyBytes: request body cap (413 past it) */
    uint64_t max_depth;        /* server.maxJsonDepth: JSON nesting cap */
    uint64_t max_patch;        /* server.maxPatchBytes: rendered patch cap */
    uint64_t threads;          /* server.threads: 0 = one per core */
    uint64_t conn_timeout;     /* server.connectionTimeoutSeconds: idle/slow client cutoff */
    uint64_t max_connections;  /* server.maxConnections */
    uint64_t shutdown_grace_s; /* server.shutdownGraceSeconds: drain time on SIGTERM */

    /* aws: IRSA, compatible with the EKS pod identity webhook */
    char *aws_region;        /* aws.region: "" = inject no region */
    char *aws_audience;      /* aws.audience */
    uint64_t aws_expiration; /* aws.tokenExpirationSeconds */
    bool aws_sts_regional;   /* aws.stsRegionalEndpoints */
    char *aws_mount_path;    /* aws.mountPath */
    uint64_t aws_fs_group;   /* aws.fsGroup: 0 = leave fsGroup alone */

    /* azure: Workload Identity, compatible with the Azure webhook */
    char *azure_tenant_id;      /* azure.tenantId: cluster default tenant ("" = none) */
    char *azure_authority_host; /* azure.authorityHost */
    uint64_t azure_expiration;  /* azure.tokenExpirationSeconds */

    /* gcp: workload identity federation outside GKE */
    char *gcp_credential_path; /* gcp.credentialMountPath: where the ConfigMap is mounted */
    char *gcp_credential_key;  /* gcp.credentialKey: the ConfigMap key of the JSON */
    char *gcp_token_path;      /* gcp.tokenMountPath: where credential_source.file points */
    uint64_t gcp_expiration;   /* gcp.tokenExpirationSeconds */

    /* auth: caller authentication ("" = off) */
    char *auth_token_file;   /* auth.bearerTokenFile: static tokens, one per line */
    char *auth_jwt_keys;     /* auth.jwtKeysFile: PEM public keys, or a JWKS (.json) */
    char *auth_jwt_issuer;   /* auth.jwtIssuer: required iss ("" = not checked) */
    char *auth_jwt_audience; /* auth.jwtAudience: required aud ("" = not checked) */
    char *auth_client_ca;    /* auth.clientCaFile: CA of client certificates (mTLS) */

    /* kube: the API server client and the list/watch cache */
    uint64_t kube_miss_timeout_ms; /* kube.missTimeoutMs: deadline of the miss-path GET */
    uint64_t kube_watch_timeout_s; /* kube.watchTimeoutSeconds: server-side watch length */
    uint64_t kube_max_event;       /* kube.maxEventBytes: cap on one watch event */
    uint64_t kube_max_list;        /* kube.maxListBytes: cap on one list page */
    uint64_t kube_page_size;       /* kube.listPageSize */
    uint64_t kube_backoff_max_s;   /* kube.backoffMaxSeconds: reconnect backoff ceiling */
    uint64_t kube_token_reread_s;  /* kube.tokenRereadSeconds */

    /* defaults: namespace-annotation values for every namespace; profiles:
     * named sets a namespace selects with sparkhook.io/profile */
    struct wh_profile defaults;
    struct wh_profile *profiles;
    size_t nprofiles;
};

/* Returns a new config holding the embedded defaults. Caller frees. */
struct wh_config *wh_config_new_defaults(void);

/* Parses a JSON config document (len bytes, NUL-terminated) over the
 * defaults. On success *out receives a new config the caller frees; on
 * failure *out is NULL and err says which key is wrong. */
int wh_config_parse(const char *text, size_t len, struct wh_config **out, struct wh_err *err);

/* Reads and parses the file at path (at most WH_CONFIG_MAX_FILE bytes). */
int wh_config_load(const char *path, struct wh_config **out, struct wh_err *err);

/* Renders the effective configuration as a JSON document into out. */
int wh_config_render(const struct wh_config *cfg, struct wh_buf *out);

/* The profile called name, or NULL. */
const struct wh_profile *wh_config_profile(const struct wh_config *cfg, const char *name);

/* The value of key in p (p may be NULL), or NULL. */
const char *wh_profile_get(const struct wh_profile *p, const char *key);

/* Releases cfg and its strings; NULL is a no-op. */
void wh_config_free(struct wh_config *cfg);

#endif
