/* SPDX-License-Identifier: Apache-2.0
 *
 * identity_azure.c - the azure-wi generator: not written yet; adds nothing.
 */
#include "patches.h"

#include "banned.h"

int wh_gen_azure_identity(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    (void)ctx;
    (void)patch;
    (void)err;
    return WH_OK;
}
