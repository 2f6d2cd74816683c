/* SPDX-License-Identifier: Apache-2.0
 *
 * settings.c - the settings table; see settings.h.
 */
#include "settings.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "syntax.h"
#include "util/mem.h"
#include "util/str.h"
#include "wh.h"

#include "banned.h"

static const struct wh_setting_def defs[WH_SET_COUNT] = {
#define X(id, pod, sa, ns) [WH_SET_##id] = { #id, pod, sa, ns },
    WH_SETTINGS(X)
#undef X
};

static const char *const known[] = { WH_ANN_INJECT, WH_ANN_PROFILE, WH_ANN_INJECTED,
#define X(id, pod, sa, ns) ns,
                                     WH_SETTINGS(X)
#undef X
};

const struct wh_setting_def *wh_setting_def(enum wh_setting_id id)
{
    return (unsigned)id < WH_SET_COUNT ? &defs[id] : &defs[0];
}

int wh_setting_by_ns_key(const char *key)
{
    size_t i;

    for (i = 0; i < WH_SET_COUNT; i++) {
        if (defs[i].ns_key && strcmp(defs[i].ns_key, key) == 0)
            return (int)i;
    }
    return -1;
}

/* Runs the generators' own parser over value; the parsed form is dropped. */
static int parse_with(int id, const char *value, struct wh_err *err)
{
    union {
        struct wh_kv_list labels;
        struct wh_toleration_list tolerations;
        struct wh_scratch scratch;
        struct wh_secret_mount_list mounts;
        struct wh_secret_env_list env;
        bool flag;
    } *u = wh_xmalloc(sizeof(*u));
    int rc = WH_OK;

    switch (id) {
    case WH_SET_DRIVER_NODE_SELECTOR:
    case WH_SET_EXECUTOR_NODE_SELECTOR:
        rc = wh_syntax_labels(value, &u->labels, err);
        break;
    case WH_SET_DRIVER_TOLERATIONS:
    case WH_SET_EXECUTOR_TOLERATIONS:
        rc = wh_syntax_tolerations(value, &u->tolerations, err);
        break;
    case WH_SET_DRIVER_SCRATCH:
    case WH_SET_EXECUTOR_SCRATCH:
        rc = wh_syntax_scratch(value, &u->scratch, err);
        break;
    case WH_SET_DRIVER_SECRETS:
    case WH_SET_EXECUTOR_SECRETS:
        rc = wh_syntax_secret_mounts(value, &u->mounts, err);
        break;
    case WH_SET_DRIVER_SECRET_ENV:
    case WH_SET_EXECUTOR_SECRET_ENV:
        rc = wh_syntax_secret_env(value, &u->env, err);
        break;
    case WH_SET_GKE_METADATA_SERVER:
        rc = wh_syntax_bool(value, &u->flag, err);
        break;
    case WH_SET_MODE:
        if (strcmp(value, "audit") != 0 && strcmp(value, "enforce") != 0)
            rc = wh_errf(err, WH_EPARSE, "\"%.32s\" is not audit or enforce", value);
        break;
    case WH_SET_AWS_ROLE_ARN:
        if (!wh_syntax_role_arn_ok(value))
            rc = wh_errf(err, WH_EPARSE, "\"%.96s\" is not an IAM role ARN", value);
        break;
    case WH_SET_AZURE_CLIENT_ID:
    case WH_SET_AZURE_TENANT_ID:
        if (!wh_syntax_guid_ok(value))
            rc = wh_errf(err, WH_EPARSE, "\"%.40s\" is not a GUID (8-4-4-4-12 hex digits)", value);
        break;
    case WH_SET_AWS_REGION:
        if (!wh_syntax_aws_region_ok(value))
            rc = wh_errf(err, WH_EPARSE, "\"%.40s\" is not a region name (a-z, 0-9, -)", value);
        break;
    case WH_SET_DRIVER_SERVICE_ACCOUNT:
    case WH_SET_EXECUTOR_SERVICE_ACCOUNT: {
        size_t n = strnlen(value, WH_SYNTAX_SUBDOMAIN_MAX + 1);
        const char *why = wh_syntax_subdomain_invalid(value, n);

        if (why != NULL)
            rc = wh_errf(err, WH_EPARSE, "service account \"%.*s\" is not a DNS subdomain (%s)",
                         (int)(n < 64 ? n : 64), value, why);
        break;
    }
    case WH_SET_GCP_CREDENTIAL_CONFIGMAP:
        rc = wh_syntax_configmap_ref(value, err);
        break;
    case WH_SET_GCP_AUDIENCE:
        if (!wh_syntax_gcp_audience_ok(value))
            rc = wh_errf(err, WH_EPARSE,
                         "\"%.64s\" is not a workload identity provider audience "
                         "(//iam.googleapis.com/... or https://...)",
                         value);
        break;
    default:
        break;
    }
    free(u);
    return rc;
}

int wh_setting_validate(int id, const char *value, const char *where, struct wh_err *err)
{
    char detail[WH_ERR_MSG_MAX];
    int rc;

    if ((unsigned)id >= WH_SET_COUNT)
        return wh_errf(err, WH_EINVAL, "%s: unknown setting", where);
    rc = parse_with(id, value, err);
    if (rc != WH_OK) {
        wh_strlcpy(detail, err ? err->msg : "", sizeof(detail));
        return wh_errf(err, WH_EINVAL, "%s.%s: %s", where, defs[id].ns_key, detail);
    }
    return WH_OK;
}

const char *const *wh_setting_known_keys(size_t *n)
{
    *n = WH_NELEM(known);
    return known;
}
