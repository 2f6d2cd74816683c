/* SPDX-License-Identifier: Apache-2.0
 *
 * scratch.c - the scratch generator: not written yet; adds nothing.
 */
#include "patches.h"

#include "banned.h"

int wh_gen_scratch(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err)
{
    (void)ctx;
    (void)patch;
    (void)err;
    return WH_OK;
}
