/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.c - counters, the latency histogram and gauges; see metrics.h.
 * Names follow the Prometheus conventions: base units (seconds), _total for
 * counters, and a sparkhook_ prefix.
 */
#include "metrics.h"

#include <stdatomic.h>
#include <string.h>

#include "patches.h"

#include "banned.h"

#define MAX_FEATURES 32
#define ROLES        3 /* none, driver, executor */

static const char *const role_labels[ROLES] = { "none", "driver", "executor" };

/* Upper bounds in microseconds; the last bucket is +Inf. */
static const uint64_t bucket_us[] = { 50,   100,   250,   500,    1000,   2500,
                                      5000, 10000, 25000, 100000, 250000, 1000000 };

#define NBUCKETS (WH_NELEM(bucket_us) + 1)

static struct {
    _Atomic uint64_t requests[WH_VERDICT_COUNT][ROLES];
    _Atomic uint64_t refused[4]; /* 404, 405, 415, 413 */
    _Atomic uint64_t skips[WH_REASON_COUNT];
    _Atomic uint64_t mutations[MAX_FEATURES];
    _Atomic uint64_t warnings;
    _Atomic uint64_t patch_ops;
    _Atomic uint64_t buckets[NBUCKETS];
    _Atomic uint64_t sum_us;
    _Atomic uint64_t count;
    _Atomic uint64_t gauges[WH_GAUGE_COUNT]; /* double bits */
} m;

static const int refused_codes[4] = { 404, 405, 415, 413 };

static void add(_Atomic uint64_t *c, uint64_t n)
{
    atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static uint64_t get(_Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

static size_t role_index(const char *role)
{
    size_t i;

    for (i = 0; i < ROLES; i++) {
        if (strcmp(role, role_labels[i]) == 0)
            return i;
    }
    return 0;
}

static void observe_latency(uint64_t dur_us)
{
    size_t b = 0;

    while (b < WH_NELEM(bucket_us) && dur_us > bucket_us[b])
        b++;
    add(&m.buckets[b], 1);
    add(&m.sum_us, dur_us);
    add(&m.count, 1);
}

void wh_metrics_observe(const struct wh_result *res, uint64_t dur_us)
{
    size_t i;

    if ((unsigned)res->verdict < WH_VERDICT_COUNT)
        add(&m.requests[res->verdict][role_index(res->role)], 1);
    if (res->verdict == WH_VERDICT_SKIPPED && (unsigned)res->reason < WH_REASON_COUNT)
        add(&m.skips[res->reason], 1);
    for (i = 0; i < wh_generators_count && i < MAX_FEATURES; i++) {
        if (res->applied & (1u << i))
            add(&m.mutations[i], 1);
    }
    add(&m.warnings, res->warnings);
    add(&m.patch_ops, res->patch_ops);
    observe_latency(dur_us);
}

void wh_metrics_refused(int status, uint64_t dur_us)
{
    size_t i;

    for (i = 0; i < WH_NELEM(refused_codes); i++) {
        if (refused_codes[i] == status)
            add(&m.refused[i], 1);
    }
    observe_latency(dur_us);
}

void wh_metrics_set_gauge(enum wh_gauge g, double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof(bits));
    atomic_store_explicit(&m.gauges[g], bits, memory_order_relaxed);
}

static double gauge(enum wh_gauge g)
{
    uint64_t bits = get(&m.gauges[g]);
    double v;

    memcpy(&v, &bits, sizeof(v));
    return v;
}

void wh_metrics_reset(void)
{
    memset(&m, 0, sizeof(m));
}

static int header(struct wh_buf *out, const char *name, const char *type, const char *help)
{
    return wh_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int render_requests(struct wh_buf *out)
{
    size_t v, r;
    int rc = header(out, "sparkhook_admission_requests_total", "counter",
                    "Admission requests by result and Spark role.");

    for (v = 0; v < WH_VERDICT_COUNT && rc == WH_OK; v++) {
        for (r = 0; r < ROLES && rc == WH_OK; r++)
            rc = wh_buf_printf(out,
                               "sparkhook_admission_requests_total{result=\"%s\",role=\"%s\"} "
                               "%llu\n",
                               wh_verdict_name((enum wh_verdict)v), role_labels[r],
                               (unsigned long long)get(&m.requests[v][r]));
    }
    if (rc == WH_OK)
        rc = header(out, "sparkhook_http_refused_total", "counter",
                    "Requests refused before the admission pipeline, by HTTP status.");
    for (v = 0; v < WH_NELEM(refused_codes) && rc == WH_OK; v++)
        rc = wh_buf_printf(out, "sparkhook_http_refused_total{code=\"%d\"} %llu\n",
                           refused_codes[v], (unsigned long long)get(&m.refused[v]));
    return rc;
}

static int render_features(struct wh_buf *out)
{
    size_t i;
    int rc = header(out, "sparkhook_mutations_total", "counter",
                    "Pods changed by each feature (generator).");

    for (i = 0; i < wh_generators_count && i < MAX_FEATURES && rc == WH_OK; i++)
        rc = wh_buf_printf(out, "sparkhook_mutations_total{feature=\"%s\"} %llu\n",
                           wh_generators[i].name, (unsigned long long)get(&m.mutations[i]));
    if (rc == WH_OK)
        rc = header(out, "sparkhook_skips_total", "counter",
                    "Requests allowed untouched, by reason.");
    for (i = 0; i < WH_REASON_COUNT && rc == WH_OK; i++) {
        if (i == WH_REASON_NONE || i >= WH_REASON_MALFORMED_REVIEW)
            continue; /* not skip reasons */
        rc = wh_buf_printf(out, "sparkhook_skips_total{reason=\"%s\"} %llu\n",
                           wh_reason_name((enum wh_reason)i), (unsigned long long)get(&m.skips[i]));
    }
    if (rc == WH_OK)
        rc = header(out, "sparkhook_warnings_total", "counter",
                    "Warnings returned to users in admission responses.");
    if (rc == WH_OK)
        rc = wh_buf_printf(out, "sparkhook_warnings_total %llu\n",
                           (unsigned long long)get(&m.warnings));
    if (rc == WH_OK)
        rc = header(out, "sparkhook_patch_operations_total", "counter",
                    "JSON Patch operations returned.");
    if (rc == WH_OK)
        rc = wh_buf_printf(out, "sparkhook_patch_operations_total %llu\n",
                           (unsigned long long)get(&m.patch_ops));
    return rc;
}

static int render_latency(struct wh_buf *out)
{
    uint64_t cum = 0;
    size_t b;
    int rc = header(out, "sparkhook_admission_duration_seconds", "histogram",
                    "Time from the first byte of a request to its answer.");

    for (b = 0; b < NBUCKETS && rc == WH_OK; b++) {
        cum += get(&m.buckets[b]);
        if (b < WH_NELEM(bucket_us))
            rc = wh_buf_printf(out, "sparkhook_admission_duration_seconds_bucket{le=\"%g\"} %llu\n",
                               (double)bucket_us[b] / 1e6, (unsigned long long)cum);
        else
            rc = wh_buf_printf(out,
                               "sparkhook_admission_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                               (unsigned long long)cum);
    }
    if (rc == WH_OK)
        rc = wh_buf_printf(out,
                           "sparkhook_admission_duration_seconds_sum %.6f\n"
                           "sparkhook_admission_duration_seconds_count %llu\n",
                           (double)get(&m.sum_us) / 1e6, (unsigned long long)get(&m.count));
    return rc;
}

static int render_gauges(struct wh_buf *out)
{
    static const struct {
        const char *name, *labels, *help;
    } g[] = {
#define X(id, name, labels, help) { name, labels, help },
        WH_GAUGES(X)
#undef X
    };
    size_t i;
    int rc = WH_OK;

    for (i = 0; i < WH_NELEM(g) && rc == WH_OK; i++) {
        const char *type = strstr(g[i].name, "_total") ? "counter" : "gauge";

        if (g[i].help)
            rc = header(out, g[i].name, type, g[i].help);
        if (rc == WH_OK)
            rc = wh_buf_printf(out, "%s%s%s%s %.17g\n", g[i].name, g[i].labels[0] ? "{" : "",
                               g[i].labels, g[i].labels[0] ? "}" : "", gauge((enum wh_gauge)i));
    }
    return rc;
}

int wh_metrics_render(struct wh_buf *out)
{
    int rc = render_requests(out);

    if (rc == WH_OK)
        rc = render_features(out);
    if (rc == WH_OK)
        rc = render_latency(out);
    if (rc == WH_OK)
        rc = render_gauges(out);
    if (rc == WH_OK)
        rc = header(out, "sparkhook_build_info", "gauge", "Build information; the value is 1.");
    if (rc == WH_OK)
        rc = wh_buf_printf(out, "sparkhook_build_info{version=\"%s\"} 1\n", WH_VERSION);
    return rc;
}
