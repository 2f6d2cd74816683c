/* SPDX-License-Identifier: Apache-2.0
 *
 * patches.h - the patch generators: one per concern, one file each, run in
 * the fixed order of the table in patches.c.
 *
 * A generator inspects the admitted pod and the resolved policy and appends
 * JSON Patch operations. It must not perform I/O, block, log, or keep
 * pointers past its return; every pointer in ctx is borrowed for the call.
 * It explains each decision a user would want to know with wh_warn(). It
 * returns WH_OK, or an error with err filled in, in which case the caller
 * discards the whole patch. Generators never decide the verdict.
 */
#ifndef WH_PATCHES_H
#define WH_PATCHES_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "patch.h"
#include "pod.h"
#include "policy.h"
#include "warnings.h"

struct wh_gen_ctx {
    const struct wh_config *cfg;
    const struct wh_pod *pod;
    const struct wh_policy *pol;
    struct wh_warnings *warn; /* output: the generator's warnings */
};

typedef int wh_gen_fn(const struct wh_gen_ctx *ctx, struct wh_patch *patch, struct wh_err *err);

struct wh_generator {
    const char *name; /* stable: log field, metric label, audit annotation */
    wh_gen_fn *run;
};

/* The generator table, in run order. */
extern const struct wh_generator wh_generators[];
extern const size_t wh_generators_count;

/* Runs every generator in order. Sets bit i of *applied when generator i
 * added operations. Returns WH_OK or the first generator's error. */
int wh_gen_run_all(const struct wh_gen_ctx *ctx, struct wh_patch *patch, uint32_t *applied,
                   struct wh_err *err);

/* Where setting s came from, for a warning: "namespace annotation KEY",
 * "serviceaccount annotation KEY", "profile NAME KEY" or "config defaults
 * KEY", into buf. */
void wh_gen_origin(const struct wh_gen_ctx *ctx, const struct wh_setting *s, char *buf,
                   size_t size);

/* The generators, declared here so the table is the only place that names
 * them together. */
wh_gen_fn wh_gen_service_account;
wh_gen_fn wh_gen_aws_irsa;
wh_gen_fn wh_gen_azure_identity;
wh_gen_fn wh_gen_gcp_identity;
wh_gen_fn wh_gen_placement;
wh_gen_fn wh_gen_scratch;
wh_gen_fn wh_gen_secrets;

#endif
