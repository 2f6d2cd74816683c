/* SPDX-License-Identifier: Apache-2.0
 *
 * patches.c - the generator table and its runner; the only place that knows
 * the order in which concerns are applied. Adding a concern is one file and
 * one row here.
 */
#include "patches.h"

#include <stdio.h>

#include "banned.h"

/* Order matters: the service account first (identity follows it), then the
 * identities, then placement, storage and secrets. */
const struct wh_generator wh_generators[] = {
    { "executor-sa", wh_gen_service_account },
    { "aws-irsa", wh_gen_aws_irsa },
    { "azure-wi", wh_gen_azure_identity },
    { "gcp-wif", wh_gen_gcp_identity },
    { "placement", wh_gen_placement },
    { "scratch", wh_gen_scratch },
    { "secrets", wh_gen_secrets },
};

const size_t wh_generators_count = WH_NELEM(wh_generators);

_Static_assert(WH_NELEM(wh_generators) <= 32, "the applied mask has 32 bits");

void wh_gen_origin(const struct wh_gen_ctx *ctx, const struct wh_setting *s, char *buf, size_t size)
{
    const char *key = s->key ? s->key : "?";

    if (s->source == WH_SRC_PROFILE)
        (void)snprintf(buf, size, "profile %s %s", ctx->pol->profile ? ctx->pol->profile : "?",
                       key);
    else if (s->source == WH_SRC_DEFAULTS)
        (void)snprintf(buf, size, "config defaults %s", key);
    else
        (void)snprintf(buf, size, "%s annotation %s", wh_source_name(s->source), key);
}

int wh_gen_run_all(const struct wh_gen_ctx *ctx, struct wh_patch *patch, uint32_t *applied,
                   struct wh_err *err)
{
    size_t i;
    int rc = WH_OK;

    *applied = 0;
    for (i = 0; i < wh_generators_count && rc == WH_OK; i++) {
        size_t before = patch->edits;

        rc = wh_generators[i].run(ctx, patch, err);
        if (rc == WH_OK && patch->edits > before)
            *applied |= 1u << i;
    }
    return rc;
}
