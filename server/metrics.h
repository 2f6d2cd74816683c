/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.h - the process-wide metrics registry and its Prometheus text
 * rendering (served on /metrics of the probe listener). One X-macro list is
 * the single source of every metric's name, type and help text; label sets
 * are fixed enums (verdicts, roles, reasons, generators, kinds), so every
 * series is an array slot and updating one is a relaxed atomic add: no lock,
 * no allocation on the request path.
 *
 * Counters and the latency histogram are updated by the request path;
 * gauges (cache and certificate state) are set by whoever renders, just
 * before rendering. Thread-safe.
 */
#ifndef WH_METRICS_H
#define WH_METRICS_H

#include <stdint.h>

#include "mutate.h"
#include "util/buf.h"

/* Gauges that describe state owned by other modules. */
#define WH_GAUGES(X)                                                                             \
    X(CACHE_NAMESPACES, "sparkhook_cache_objects", "kind=\"namespace\"",                         \
      "Objects in the cluster cache.")                                                           \
    X(CACHE_SERVICEACCOUNTS, "sparkhook_cache_objects", "kind=\"serviceaccount\"", NULL)         \
    X(CACHE_AGE_NAMESPACES, "sparkhook_cache_last_sync_age_seconds", "kind=\"namespace\"",       \
      "Seconds since the API server last answered the list/watch of this kind (-1: never).")     \
    X(CACHE_AGE_SERVICEACCOUNTS, "sparkhook_cache_last_sync_age_seconds",                        \
      "kind=\"serviceaccount\"", NULL)                                                           \
    X(CACHE_RESTARTS_NAMESPACES, "sparkhook_cache_watch_restarts_total", "kind=\"namespace\"",   \
      "Watch or list failures followed by a retry.")                                             \
    X(CACHE_RESTARTS_SERVICEACCOUNTS, "sparkhook_cache_watch_restarts_total",                    \
      "kind=\"serviceaccount\"", NULL)                                                           \
    X(CACHE_RELISTS_NAMESPACES, "sparkhook_cache_relists_total", "kind=\"namespace\"",           \
      "Full lists after the first one (410 Gone, API server restarts).")                         \
    X(CACHE_RELISTS_SERVICEACCOUNTS, "sparkhook_cache_relists_total", "kind=\"serviceaccount\"", \
      NULL)                                                                                      \
    X(CACHE_FETCHES, "sparkhook_cache_miss_fetches_total", "",                                   \
      "Direct GETs for objects missing from the cache.")                                         \
    X(CACHE_READY, "sparkhook_cache_ready", "", "1 once both kinds have been fully listed.")     \
    X(TLS_RELOADS, "sparkhook_tls_certificate_reloads_total", "",                                \
      "Serving certificate reloads after the first load.")                                       \
    X(TLS_EXPIRY, "sparkhook_tls_certificate_expiry_timestamp_seconds", "",                      \
      "notAfter of the serving certificate, as a Unix time.")

enum wh_gauge {
#define X(id, name, labels, help) WH_GAUGE_##id,
    WH_GAUGES(X)
#undef X
        WH_GAUGE_COUNT
};

/* Records one webhook request: its verdict, role, reason, features applied,
 * warnings, and its duration in microseconds. */
void wh_metrics_observe(const struct wh_result *res, uint64_t dur_us);

/* Records a request refused before the pipeline (404, 405, 415, 413). */
void wh_metrics_refused(int status, uint64_t dur_us);

void wh_metrics_set_gauge(enum wh_gauge g, double value);

/* Renders every metric in the Prometheus text exposition format 0.0.4. */
int wh_metrics_render(struct wh_buf *out);

/* Zeroes everything (tests). */
void wh_metrics_reset(void);

#endif
