/* SPDX-License-Identifier: Apache-2.0
 *
 * admission.h - the AdmissionReview contract, both directions, exactly as
 * kube-apiserver enforces it: admission.k8s.io/v1 and v1beta1 in, the same
 * version out, the uid echoed, patchType and a standard base64 patch only
 * when the patch is non-empty.
 *
 * wh_admission_parse() owns the parsed tree; every pointer in struct
 * wh_admission borrows from it and dies with wh_admission_cleanup(). The
 * tree is built in the arena in use on the calling thread, if any (see
 * arena.h), and then dies with that arena's reset at the latest. What
 * nothing reads (the pod's managedFields and status, userInfo's groups and
 * extra, the options) is checked but not built. The response functions write a complete document
 * into a caller's buffer and cannot fail: past the buffer's cap they fall back to a small static
 * error.
 */
#ifndef WH_ADMISSION_H
#define WH_ADMISSION_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "warnings.h"
#include "wh.h"

#define WH_UID_MAX 128

struct wh_arena;

struct wh_admission {
    cJSON *root;
    struct wh_arena *arena;  /* where root lives (NULL: the heap) */
    const char *api_version; /* "admission.k8s.io/v1" or ".../v1beta1" */
    const char *uid;
    const char *operation;
    const char *namespace_; /* "" when absent */
    const char *name;       /* "" when absent */
    const char *username;   /* userInfo.username or "" */
    bool pod_create;        /* a CREATE of a core/v1 Pod (no subresource) */
    const cJSON *object;    /* request.object when pod_create */
};

void wh_admission_init(struct wh_admission *adm);
void wh_admission_cleanup(struct wh_admission *adm);

/* Parses a review body of len bytes (NUL-terminated). WH_OK, or WH_EPARSE /
 * WH_ETOOBIG with a message for the caller (HTTP 400). Fields parsed before
 * the error (apiVersion, uid) stay set so the error can echo them. */
int wh_admission_parse(struct wh_admission *adm, const char *body, size_t len, int max_depth,
                       struct wh_err *err);

/* An AdmissionReview v1 CREATE of pod (consumed) in namespace ns, with uid,
 * as JSON text the caller frees: what `mutate` makes of a bare Pod and
 * `explain` of its minimal one. */
char *wh_admission_wrap_pod(cJSON *pod, const char *ns, const char *uid);

/* Writes an allowed response; patch (JSON text, may be NULL or "[]" for no
 * patch) is base64-encoded; warnings may be NULL. */
void wh_admission_allow(const struct wh_admission *adm, const char *patch, size_t patch_len,
                        const struct wh_warnings *warnings, struct wh_buf *out);

/* Writes a refusal with status {code, message}: the body that goes with a
 * 4xx/5xx answer, or a policy denial with HTTP 200. */
void wh_admission_error(const struct wh_admission *adm, int code, const char *message,
                        struct wh_buf *out);

#endif
