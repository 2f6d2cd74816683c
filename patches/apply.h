/* SPDX-License-Identifier: Apache-2.0
 *
 * apply.h - applies a JSON Patch of the operations sparkhook emits ("add",
 * and "remove" of an object member) to a document, with RFC 6902 semantics:
 * the parent must exist, "-" appends, an index inserts, an object key is
 * added or replaced. Used by
 * `sparkhook mutate --output pod`; the test suite checks patches with an
 * independent applier as well.
 */
#ifndef WH_APPLY_H
#define WH_APPLY_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "wh.h"

/* Applies the patch text (len bytes, NUL-terminated) to doc in place.
 * Returns WH_OK, or WH_EPARSE / WH_EINVAL naming the failing op; doc may
 * then hold the ops before it. */
int wh_patch_apply(cJSON *doc, const char *patch, size_t len, struct wh_err *err);

#endif
