/* SPDX-License-Identifier: Apache-2.0
 *
 * service_account.c - moves a Spark pod that arrived with the "default"
 * service account to the one the policy chose (see policy.h: the namespace's
 * sparkhook.io/executor-service-account or driver-service-account, or the
 * driver's own for its executors). Spark 2.4 gives executors no service
 * account, so without this IRSA and its peers never reach them. Identity
 * generators already resolved their settings for the new account.
 *
 * The patch sets spec.serviceAccountName, and spec.serviceAccount too when
 * the pod carries that deprecated alias, so the two never disagree.
 */
#include <string.h>

#include "patches.h"
#include "util/json.h"

#include "banned.h"

int wh_gen_service_account(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    const struct wh_policy *pol = ctx->pol;
    int rc;

    if (!pol->sa_switched)
        return WH_OK;
    rc = wh_patch_put(patch, ctx->pod->spec, "/spec", "serviceAccountName",
                      cJSON_CreateString(pol->sa_name), err);
    if (rc == WH_OK && ctx->pod->sa_alias)
        rc = wh_patch_put(patch, ctx->pod->spec, "/spec", "serviceAccount",
                          cJSON_CreateString(pol->sa_name), err);
    if (rc == WH_OK)
        wh_warn(ctx->warn, "%s service account set to %s (the pod arrived with %s)",
                wh_role_name(pol->role), pol->sa_name, pol->sa_pod);
    return rc;
}
