/* SPDX-License-Identifier: Apache-2.0
 *
 * mutate.h - the whole admission pipeline for one request body, shared by
 * the HTTPS server and the offline `sparkhook mutate`:
 *
 *   body -> AdmissionReview -> pod view -> policy (config + snapshot)
 *        -> generators -> patch -> AdmissionReview response
 *
 * wh_mutate() always leaves a complete response body and the HTTP status to
 * send with it in the result, plus what the access log and metrics need. It
 * performs no I/O and takes no lock of its own: cluster objects come from the
 * caller's snapshot, or its lookup with a bounded miss path.
 *
 * Ownership: the result owns its buffers and strings; release it with
 * wh_result_cleanup(). Thread-safe for distinct results.
 */
#ifndef WH_MUTATE_H
#define WH_MUTATE_H

#include <stdint.h>

#include "config.h"
#include "lookup.h"
#include "snapshot.h"
#include "util/buf.h"
#include "wh.h"

/* Why a request was skipped or refused: log field and metric label. */
#define WH_REASONS(X)                                   \
    X(NONE, "none")                                     \
    X(NOT_POD_CREATE, "not_pod_create")                 \
    X(NOT_SPARK_POD, "not_spark_pod")                   \
    X(NAMESPACE_NOT_OPTED_IN, "namespace_not_opted_in") \
    X(NAMESPACE_UNKNOWN, "namespace_unknown")           \
    X(MALFORMED_REVIEW, "malformed_review")             \
    X(MALFORMED_POD, "malformed_pod")                   \
    X(BODY_TOO_LARGE, "body_too_large")                 \
    X(GENERATOR_FAILED, "generator_failed")

enum wh_reason {
#define X(id, name) WH_REASON_##id,
    WH_REASONS(X)
#undef X
        WH_REASON_COUNT
};

const char *wh_reason_name(enum wh_reason r);

enum wh_verdict {
    WH_VERDICT_PATCHED, /* allowed with a patch */
    WH_VERDICT_ALLOWED, /* allowed, nothing to change */
    WH_VERDICT_SKIPPED, /* allowed, not ours (not a Spark pod CREATE, not opted in) */
    WH_VERDICT_INVALID, /* HTTP 400: malformed review */
    WH_VERDICT_ERROR,   /* HTTP 500: internal limit or error */
    WH_VERDICT_COUNT
};

struct wh_result {
    int http_status;
    enum wh_verdict verdict;
    enum wh_reason reason; /* why skipped or failed */
    struct wh_buf body;    /* the AdmissionReview response */
    struct wh_buf patch;   /* the rendered JSON patch ("" when none) */
    struct wh_err err;     /* detail of an INVALID or ERROR verdict */
    /* for the access log */
    char uid[129];
    char ns[64];
    char pod[254];
    const char *role; /* "driver", "executor" or "none" */
    uint32_t applied; /* bit i: generator i changed the pod */
    size_t patch_ops;
    size_t warnings;
};

void wh_result_init(struct wh_result *res, const struct wh_config *cfg);
void wh_result_cleanup(struct wh_result *res);

/* Runs the pipeline over len bytes of body (NUL-terminated), finding cluster
 * objects through objs. */
void wh_mutate_lookup(const struct wh_config *cfg, struct wh_lookup *objs, const char *body,
                      size_t len, struct wh_result *res);

/* The same with the snapshot as the only source of objects. */
void wh_mutate(const struct wh_config *cfg, const struct wh_snapshot *snap, const char *body,
               size_t len, struct wh_result *res);

const char *wh_verdict_name(enum wh_verdict v);

#endif
