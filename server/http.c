/* SPDX-License-Identifier: Apache-2.0
 *
 * http.c - libmicrohttpd daemon, TLS, route table, body cap and the
 * per-request lifecycle; see http.h.
 *
 * Per-request state (struct req) is created on the first call of the access
 * handler and released in exactly one place, on_completed(), which also
 * writes the access log line. Responses are handed to MHD with a free
 * callback, so their buffers have one owner at every moment.
 */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "admission.h"
#include "linger.h"
#include "listener.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "mutate.h"
#include "patches.h"
#include "tls.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-VERS-SSL3.0"
/* Per connection: the request line, the headers and the read buffer.
 * libmicrohttpd zeroes all of it after every request, so it is kept small,
 * but not so small that a review's TLS record no longer fits one read (at
 * 16 KiB a 3.5 executor's took four polls, not one). Against 64 KiB, 32 KiB
 * saves about 0.8 us of CPU a request (test/bench) and still takes 24 KiB
 * of headers. */
#define CONN_MEMORY    (32 * 1024)
#define LOG_FIELDS_MAX 2048
#define METRICS_MAX    (256 * 1024)
#define DRAIN_QUIET_MS 500 /* no request in flight this long: only idle connections remain */

#define MAX_DAEMONS 256 /* server.threads at most */

struct wh_http {
    /* The webhook: one event loop (daemon) per core, fed by the listener,
     * which hands each connection to the loop with the fewest (load). The
     * probes: one daemon that listens itself. */
    struct MHD_Daemon *daemons[MAX_DAEMONS];
    size_t ndaemons;
    struct wh_listener *listener;
    struct wh_linger *linger;      /* drains sockets answered before their body */
    atomic_uint load[MAX_DAEMONS]; /* connections handed to each daemon, not yet closed */
    atomic_uint next;              /* where the search for the least loaded starts */
    unsigned limit;                /* connections per daemon */
    enum wh_http_kind kind;
    _Atomic(const struct wh_config *) cfg; /* swapped by a reload; see wh_http_set_config */
    atomic_bool draining;                  /* answers carry Connection: close */
    atomic_uint in_flight;                 /* requests between first byte and completion */
    pthread_mutex_t pmu;                   /* guards pending */
    struct pending *pending;               /* connections without a request yet */
    pthread_t watchdog;
    bool watchdog_on;
    atomic_bool stopping;
    struct wh_cache *cache;
    bool live_cache;
    const struct wh_auth *auth;
    wh_ready_fn *ready;
    void *ready_arg;
    uint16_t port;
};

/* A webhook connection. While it waits for a request's head (from its
 * start, and again after each answer on a kept-alive connection), the
 * watchdog shuts it down once the wait is longer than the connection
 * timeout: libmicrohttpd's own timeout only measures inactivity, which a
 * client sending one header byte at a time never reaches (slowloris). */
struct pending {
    struct pending *next, *prev;
    int fd;
    int daemon;    /* index in daemons[], -1 when unknown */
    void *session; /* the TLS session (gnutls_session_t), or NULL */
    int sndbuf;    /* its socket's send buffer at the start (tls.h) */
    bool corked;   /* the answer being sent is corked (tls.h) */
    bool cut;      /* shut down by the watchdog (its own, under pmu) */
    bool linger;   /* answered before its body was read: drain it, then close */
    /* Set by the connection's thread, read by the watchdog: waiting since
     * (monotonic ms), then served, written in that order (release). */
    _Atomic int64_t waiting_since;
    atomic_bool served; /* a request's head is in: no deadline until its answer is out */
};

struct req;
typedef void route_fn(struct wh_http *h, struct MHD_Connection *conn, struct req *r);

struct route {
    enum wh_http_kind server;
    const char *path;
    const char *method; /* the only method allowed */
    bool takes_body;    /* POST application/json, capped */
    route_fn *serve;
};

struct req {
    enum wh_http_kind kind;      /* of the server that took the request */
    const struct wh_config *cfg; /* the config this request runs under, from start to end */
    const struct route *route;
    struct timespec start;
    struct wh_buf body;
    struct wh_result res;
    bool has_result;
    bool too_big;
    uint64_t discarded; /* body bytes dropped after the cap */
    int status;
    const char *reason; /* static: why refused before the pipeline ran */
};

static void mark_served(struct MHD_Connection *conn);
static void linger_on_close(struct MHD_Connection *conn);
static struct pending *conn_state(struct MHD_Connection *conn);
static route_fn serve_mutate;
static route_fn serve_healthz;
static route_fn serve_readyz;
static route_fn serve_metrics;

static const struct route routes[] = {
    { WH_HTTP_WEBHOOK, "/mutate", "POST", true, serve_mutate },
    { WH_HTTP_PROBES, "/healthz", "GET", false, serve_healthz },
    { WH_HTTP_PROBES, "/readyz", "GET", false, serve_readyz },
    { WH_HTTP_PROBES, "/metrics", "GET", false, serve_metrics },
};

/* ---- responses ------------------------------------------------------- */

static uint64_t elapsed_us(const struct req *r)
{
    struct timespec now;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)((now.tv_sec - r->start.tv_sec) * 1000000 +
                      (now.tv_nsec - r->start.tv_nsec) / 1000);
}

/* Set while the server drains (any server of the process): answers then ask
 * clients to close, so keep-alive connections end after their request. */
static atomic_bool draining_any;

static enum MHD_Result send_body(struct MHD_Connection *conn, int status, char *body, size_t len,
                                 const char *allow)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (atomic_load_explicit(&draining_any, memory_order_relaxed))
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (allow)
        (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Answers with an error document carrying status.message. */
static enum MHD_Result refuse(struct MHD_Connection *conn, struct req *r, int status,
                              const char *reason, const char *message, const char *allow)
{
    struct wh_admission none;
    struct wh_buf out;
    size_t len;
    char *body;

    enum MHD_Result ret;

    r->reason = reason;
    wh_admission_init(&none);
    wh_buf_init(&out, 4096);
    wh_admission_error(&none, status, message, &out);
    body = wh_buf_take(&out, &len);
    ret = send_body(conn, status, body, len, allow);
    if (ret == MHD_YES)
        r->status = status;
    /* Counted before the client can see the answer, so a scrape that
     * follows a response always includes it. */
    if (r->kind == WH_HTTP_WEBHOOK)
        wh_metrics_refused(status, elapsed_us(r));
    return ret;
}

/* ---- routes ---------------------------------------------------------- */

static void serve_mutate(struct wh_http *h, struct MHD_Connection *conn, struct req *r)
{
    struct wh_snapshot *snap = wh_cache_snapshot_ref(h->cache);
    struct pending *p;
    struct wh_lookup objs;
    size_t len;
    char *body;

    wh_lookup_init(&objs, snap, h->live_cache ? wh_cache_fetch : NULL, h->cache);
    wh_result_init(&r->res, r->cfg);
    r->has_result = true;
    wh_mutate_lookup(r->cfg, &objs, wh_buf_str(&r->body), r->body.len, &r->res);
    wh_lookup_cleanup(&objs);
    wh_snapshot_unref(snap);
    r->status = r->res.http_status;
    body = wh_buf_take(&r->res.body, &len);
    wh_metrics_observe(&r->res, elapsed_us(r));
    p = conn_state(conn);
    if (p && p->session) /* header and body in one record */
        p->corked = wh_tls_cork(p->session, p->fd, p->sndbuf, len);
    (void)send_body(conn, r->status, body, len, NULL);
}

static enum MHD_Result send_text(struct MHD_Connection *conn, int status, const char *text)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char *body = wh_xstrdup(text);

    resp = MHD_create_response_from_buffer_with_free_callback(strlen(body), body, free);
    if (resp == NULL) {
        free(body);
        return MHD_NO;
    }
    (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
    ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Liveness: the process answers. Nothing it depends on is checked here, so
 * an API server outage never gets the webhook restarted. */
static void serve_healthz(struct wh_http *h, struct MHD_Connection *conn, struct req *r)
{
    (void)h;
    r->status = 200;
    (void)send_text(conn, 200, "ok\n");
}

static void serve_readyz(struct wh_http *h, struct MHD_Connection *conn, struct req *r)
{
    char why[256] = "";
    char text[300];
    bool ok = h->ready == NULL || h->ready(h->ready_arg, why, sizeof(why));

    r->status = ok ? 200 : 503;
    (void)snprintf(text, sizeof(text), ok ? "ok\n" : "not ready: %s\n", why);
    (void)send_text(conn, r->status, text);
}

/* Sets the gauges that mirror other modules' state, then renders. */
static void serve_metrics(struct wh_http *h, struct MHD_Connection *conn, struct req *r)
{
    struct wh_cache_stats st;
    struct MHD_Response *resp;
    struct wh_buf out;
    time_t now = time(NULL);
    size_t k, len;
    char *body;

    wh_cache_stats(h->cache, &st);
    for (k = 0; k < 2; k++) {
        wh_metrics_set_gauge((enum wh_gauge)(WH_GAUGE_CACHE_NAMESPACES + k), (double)st.objects[k]);
        wh_metrics_set_gauge((enum wh_gauge)(WH_GAUGE_CACHE_AGE_NAMESPACES + k),
                             st.last_ok[k] ? (double)(now - st.last_ok[k]) : -1.0);
        wh_metrics_set_gauge((enum wh_gauge)(WH_GAUGE_CACHE_RESTARTS_NAMESPACES + k),
                             (double)st.restarts[k]);
        wh_metrics_set_gauge((enum wh_gauge)(WH_GAUGE_CACHE_RELISTS_NAMESPACES + k),
                             (double)st.relists[k]);
    }
    wh_metrics_set_gauge(WH_GAUGE_CACHE_FETCHES, (double)st.fetches);
    wh_metrics_set_gauge(WH_GAUGE_CACHE_READY, st.synced[0] && st.synced[1] ? 1.0 : 0.0);
    wh_metrics_set_gauge(WH_GAUGE_TLS_RELOADS, (double)wh_tls_reloads());
    wh_metrics_set_gauge(WH_GAUGE_TLS_EXPIRY, (double)wh_tls_not_after());
    wh_buf_init(&out, METRICS_MAX);
    r->status = wh_metrics_render(&out) == WH_OK ? 200 : 500;
    body = wh_buf_take(&out, &len);
    resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
    if (resp == NULL) {
        free(body);
        return;
    }
    (void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                  "text/plain; version=0.0.4; charset=utf-8");
    (void)MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
}

static const struct route *find_route(enum wh_http_kind server, const char *url)
{
    size_t i;

    for (i = 0; i < WH_NELEM(routes); i++) {
        if (routes[i].server == server && strcmp(routes[i].path, url) == 0)
            return &routes[i];
    }
    return NULL;
}

/* application/json, optionally with parameters ("; charset=utf-8"). */
static bool is_json(const char *ct)
{
    size_t n = sizeof("application/json") - 1;

    if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Caller authentication: a verified client certificate, or a bearer token
 * or JWT in Authorization. The detail goes to the answer and the log. */
static int authenticate(struct wh_http *h, struct MHD_Connection *conn, struct req *r)
{
    const union MHD_ConnectionInfo *ci;
    bool cert_ok = false;

    if (wh_auth_wants_client_cert(h->auth)) {
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        cert_ok = ci && wh_tls_peer_verified(ci->tls_session);
    }
    return wh_auth_check(
        h->auth, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        cert_ok, &r->res.err);
}

/* Checks done on the first call, before any body byte is read. */
static enum MHD_Result admit(struct wh_http *h, struct MHD_Connection *conn, struct req *r,
                             const char *url, const char *method)
{
    const char *ct, *cl;
    uint64_t clen = 0;
    char msg[128];

    r->route = find_route(h->kind, url);
    if (r->route == NULL)
        return refuse(conn, r, 404, "no such path",
                      h->kind == WH_HTTP_WEBHOOK ? "not found: POST /mutate"
                                                 : "not found: GET /healthz or /readyz",
                      NULL);
    if (h->kind == WH_HTTP_WEBHOOK && h->auth && authenticate(h, conn, r) != WH_OK)
        return refuse(conn, r, 401, "unauthenticated", r->res.err.msg, NULL);
    if (strcmp(method, r->route->method) != 0 &&
        !(strcmp(method, "HEAD") == 0 && strcmp(r->route->method, "GET") == 0)) {
        (void)snprintf(msg, sizeof(msg), "method %.16s not allowed: use %s", method,
                       r->route->method);
        return refuse(conn, r, 405, "method not allowed", msg, r->route->method);
    }
    if (!r->route->takes_body) {
        r->route->serve(h, conn, r);
        return MHD_YES;
    }
    ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!is_json(ct))
        return refuse(conn, r, 415, "unsupported media type",
                      "unsupported media type: send Content-Type: application/json", NULL);
    cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && (wh_parse_u64(cl, 0, UINT64_MAX, &clen) != WH_OK || clen > r->cfg->max_body)) {
        (void)snprintf(msg, sizeof(msg), "request body larger than %llu bytes",
                       (unsigned long long)r->cfg->max_body);
        return refuse(conn, r, 413, "body too large", msg, NULL);
    }
    wh_buf_init(&r->body, r->cfg->max_body);
    if (clen > 0) /* one allocation for the body, not one per doubling */
        (void)wh_buf_reserve(&r->body, (size_t)clen);
    return MHD_YES;
}

/* Whether the request has a body (which an early answer leaves unread). */
static bool announces_body(struct MHD_Connection *conn)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

    return (cl && strcmp(cl, "0") != 0) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    struct wh_http *h = cls;
    struct req *r = *req_cls;
    enum MHD_Result ret;

    (void)version;
    if (r == NULL) {
        r = wh_xcalloc(1, sizeof(*r));
        r->kind = h->kind;
        r->cfg = atomic_load(&h->cfg);
        atomic_fetch_add(&h->in_flight, 1);
        if (h->kind == WH_HTTP_WEBHOOK)
            mark_served(conn);
        (void)clock_gettime(CLOCK_MONOTONIC, &r->start);
        *req_cls = r;
        ret = admit(h, conn, r, url, method);
        if (r->status != 0 && announces_body(conn))
            linger_on_close(conn);
        return ret;
    }
    if (r->status != 0 || r->route == NULL) /* answered or refused on the first call */
        return MHD_NO;
    if (*upload_data_size != 0) {
        /* A body trickled in byte by byte never idles long enough for the
         * inactivity timeout: give the whole request that much, no more. */
        if (elapsed_us(r) > r->cfg->conn_timeout * 1000000u) {
            r->reason = "body too slow";
            return MHD_NO;
        }
        if (!r->too_big && wh_buf_add(&r->body, upload_data, *upload_data_size) != WH_OK)
            r->too_big = true;
        if (r->too_big)
            r->discarded += *upload_data_size;
        *upload_data_size = 0;
        /* A chunked body past the cap is drained so that it can get its
         * 413, up to a bound; past that the connection is closed. */
        return r->discarded > r->cfg->max_body ? MHD_NO : MHD_YES;
    }
    if (r->too_big) {
        char msg[96];

        (void)snprintf(msg, sizeof(msg), "request body larger than %llu bytes",
                       (unsigned long long)r->cfg->max_body);
        return refuse(conn, r, 413, "body too large", msg, NULL);
    }
    r->route->serve(h, conn, r);
    return MHD_YES;
}

/* ---- access log and release ------------------------------------------ */

static void add_features(struct wh_buf *f, uint32_t applied)
{
    bool first = true;
    size_t i;

    (void)wh_buf_adds(f, ",\"features\":[");
    for (i = 0; i < wh_generators_count; i++) {
        if (applied & (1u << i)) {
            (void)wh_buf_printf(f, "%s\"%s\"", first ? "" : ",", wh_generators[i].name);
            first = false;
        }
    }
    (void)wh_buf_addc(f, ']');
}

static void add_str(struct wh_buf *f, const char *key, const char *value)
{
    (void)wh_buf_printf(f, ",\"%s\":", key);
    (void)wh_json_escape(f, value);
}

static void log_access(const struct req *r, enum MHD_RequestTerminationCode toe, long long us)
{
    enum wh_log_level level = r->status >= 500 || r->status == 0 ? WH_LOG_WARN : WH_LOG_INFO;
    struct wh_buf f;

    if (!WH_LOG_ON(level)) /* the fields cost more than the check */
        return;
    wh_buf_init(&f, LOG_FIELDS_MAX);
    (void)wh_buf_printf(&f, "\"status\":%d", r->status);
    if (r->has_result) {
        add_str(&f, "uid", r->res.uid);
        add_str(&f, "namespace", r->res.ns);
        add_str(&f, "pod", r->res.pod);
        add_str(&f, "role", r->res.role);
        add_str(&f, "verdict", wh_verdict_name(r->res.verdict));
        add_features(&f, r->res.applied);
        (void)wh_buf_printf(&f, ",\"patch_ops\":%zu,\"warnings\":%zu", r->res.patch_ops,
                            r->res.warnings);
        if (r->res.reason != WH_REASON_NONE)
            add_str(&f, "reason", wh_reason_name(r->res.reason));
        if (r->res.err.msg[0])
            add_str(&f, "error", r->res.err.msg);
    } else if (r->reason) {
        add_str(&f, "reason", r->reason);
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        add_str(&f, "aborted", r->too_big ? "body over the cap" : "connection closed");
    (void)wh_buf_printf(&f, ",\"dur_us\":%lld", us);
    log_fields(level, &f, "admission");
    wh_buf_cleanup(&f);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct wh_http *h = cls;
    struct req *r = *req_cls;
    struct pending *p = h->kind == WH_HTTP_WEBHOOK ? conn_state(conn) : NULL;

    /* The answer is out as far as libmicrohttpd knows: so must be what the
     * cork kept. A client that leaves no room for it for 100 ms (the cork
     * checked there was room) is cut off rather than left waiting. */
    if (p && p->corked) {
        p->corked = false;
        if (!wh_tls_uncork(p->session, p->fd, 100))
            (void)shutdown(p->fd, SHUT_RDWR);
    }
    if (p) { /* a kept-alive connection waits for the next head: the deadline again */
        atomic_store_explicit(&p->waiting_since, wh_now_ms(), memory_order_relaxed);
        atomic_store_explicit(&p->served, false, memory_order_release);
    }
    if (r == NULL)
        return;
    /* Probes arrive every few seconds: only failures are worth a line. */
    if (h->kind == WH_HTTP_WEBHOOK || r->status != 200)
        log_access(r, toe, (long long)elapsed_us(r));
    atomic_fetch_sub(&h->in_flight, 1);
    if (r->has_result)
        wh_result_cleanup(&r->res);
    wh_buf_cleanup(&r->body);
    free(r);
    *req_cls = NULL;
}

/* Decodes %XX in place like libmicrohttpd's default, except %00, which is
 * left as is: a NUL would end the path early ("/mutate%00x" is not
 * "/mutate"). Returns the new length. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    static const char hex[] = "0123456789abcdef";
    char *r = s, *w = s;

    (void)cls;
    (void)conn;
    while (*r) {
        const char *h1 = r[0] == '%' && r[1] ? strchr(hex, r[1] | 0x20) : NULL;
        const char *h2 = h1 && r[2] ? strchr(hex, r[2] | 0x20) : NULL;
        int v = h1 && h2 ? (int)((h1 - hex) * 16 + (h2 - hex)) : -1;

        if (v > 0) {
            *w++ = (char)v;
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) WH_PRINTF(2, 0);

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    size_t n;

    (void)cls;
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("libmicrohttpd: %s", msg);
}

/* ---- slow clients ----------------------------------------------------- */

static int daemon_index(const struct wh_http *h, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_DAEMON);
    size_t i;

    for (i = 0; ci && h->kind == WH_HTTP_WEBHOOK && i < h->ndaemons; i++)
        if (h->daemons[i] == ci->daemon)
            return (int)i;
    return -1;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct wh_http *h = cls;
    struct pending *p = *socket_context;
    const union MHD_ConnectionInfo *ci;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        p = wh_xcalloc(1, sizeof(*p));
        p->fd = ci ? (int)ci->connect_fd : -1;
        p->daemon = daemon_index(h, conn);
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (ci && ci->tls_session && p->fd >= 0) {
            p->session = ci->tls_session;
            p->sndbuf = wh_tls_sndbuf(p->fd);
        }
        atomic_init(&p->waiting_since, wh_now_ms());
        (void)pthread_mutex_lock(&h->pmu);
        p->next = h->pending;
        if (h->pending)
            h->pending->prev = p;
        h->pending = p;
        (void)pthread_mutex_unlock(&h->pmu);
        *socket_context = p;
        return;
    }
    if (p == NULL)
        return;
    /* CLOSED comes before libmicrohttpd closes the socket: once p is out of
     * the list, the watchdog can no longer touch this fd. */
    (void)pthread_mutex_lock(&h->pmu);
    if (p->linger && !p->cut && p->fd >= 0 && h->linger) {
        int fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0); /* keeps the socket open */

        if (fd >= 0)
            wh_linger_add(h->linger, fd);
    }
    if (p->prev)
        p->prev->next = p->next;
    else
        h->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    (void)pthread_mutex_unlock(&h->pmu);
    if (p->daemon >= 0)
        (void)atomic_fetch_sub(&h->load[p->daemon], 1);
    free(p);
    *socket_context = NULL;
}

/* The connection's state (webhook connections only), or NULL. */
static struct pending *conn_state(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci ? ci->socket_context : NULL;
}

/* An answer went out before the body was read: when libmicrohttpd closes
 * the connection, the lingerer drains what the client still sends (see
 * linger.h). */
static void linger_on_close(struct MHD_Connection *conn)
{
    struct pending *p = conn_state(conn);

    if (p) /* the connection's own thread, as on_connection */
        p->linger = true;
}

static void mark_served(struct MHD_Connection *conn)
{
    struct pending *p = conn_state(conn);

    /* the connection's own thread; the watchdog only reads it */
    if (p)
        atomic_store_explicit(&p->served, true, memory_order_relaxed);
}

static void *watchdog(void *arg)
{
    struct wh_http *h = arg;
    struct timespec tick = { 0, 250 * 1000 * 1000 };

    while (!atomic_load(&h->stopping)) {
        const struct wh_config *cfg = atomic_load(&h->cfg);
        struct pending *p;
        int64_t now;

        (void)nanosleep(&tick, NULL);
        now = wh_now_ms();
        (void)pthread_mutex_lock(&h->pmu);
        for (p = h->pending; p; p = p->next) {
            if (!p->cut && p->fd >= 0 && !atomic_load_explicit(&p->served, memory_order_acquire) &&
                now - atomic_load_explicit(&p->waiting_since, memory_order_relaxed) >=
                    (int64_t)cfg->conn_timeout * 1000) {
                (void)shutdown(p->fd, SHUT_RDWR);
                p->cut = true; /* once */
            }
        }
        (void)pthread_mutex_unlock(&h->pmu);
    }
    return NULL;
}

/* ---- lifecycle -------------------------------------------------------- */

int wh_http_parse_listen(const char *listen, void *addr_out, unsigned *addrlen, int *family,
                         struct wh_err *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    const char *port;
    struct addrinfo hints, *ai = NULL;
    uint64_t pnum;
    size_t hlen;
    int gai;

    if (colon == NULL)
        return wh_errf(err, WH_EINVAL, "listen address %s: expected ADDR:PORT", listen);
    port = colon + 1;
    hlen = (size_t)(colon - listen);
    if (wh_parse_u64(port, 0, 65535, &pnum) != WH_OK)
        return wh_errf(err, WH_EINVAL, "listen address %s: bad port", listen);
    if (hlen >= 2 && listen[0] == '[' && listen[hlen - 1] == ']') {
        listen++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host))
        return wh_errf(err, WH_EINVAL, "listen address %s: host too long", listen);
    memcpy(host, listen, hlen);
    host[hlen] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    gai = getaddrinfo(hlen ? host : NULL, port, &hints, &ai);
    if (gai != 0)
        return wh_errf(err, WH_EINVAL, "listen address %s: %s (use a numeric address)", listen,
                       gai_strerror(gai));
    memcpy(addr_out, ai->ai_addr, ai->ai_addrlen);
    *addrlen = (unsigned)ai->ai_addrlen;
    *family = ai->ai_family;
    freeaddrinfo(ai);
    return WH_OK;
}

/* server.threads, or four loops per core: a loop whose thread the
 * scheduler has set aside (or that waits on a miss-path GET) holds up every
 * connection it has, so fewer connections per loop means a shorter tail.
 * Measured on 2 cores with 8 keep-alive connections: p99 0.4 ms with 8
 * loops, 0.5-1.0 ms with 4, up to several ms with 2, for the same req/s
 * (test/bench/README.md). */
static unsigned pool_size(const struct wh_config *cfg)
{
    long n;

    if (cfg->threads)
        return (unsigned)cfg->threads;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? 4 * (unsigned)(n < 64 ? n : 64) : 4;
}

/* A libmicrohttpd daemon with its own thread and poll loop. poll, not
 * epoll: 0.9.75's epoll loop spins through a TLS handshake (a connection
 * waiting for the client's next flight stays on its ready list), and
 * takes bursts of connections from a shared socket. The webhook's daemons
 * listen on nothing: the listener hands them their connections. */
static struct MHD_Daemon *start_daemon(struct wh_http *h, const struct wh_http_opts *opts,
                                       struct sockaddr *addr, int family)
{
    /* ITC lets MHD_quiesce_daemon and MHD_add_connection wake the thread. */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    static struct MHD_OptionItem no_options[] = { { MHD_OPTION_END, 0, NULL } };
    const char *trust = opts->client_ca_pem;

    if (family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (opts->kind == WH_HTTP_PROBES) /* one thread, a few connections, plain HTTP */
        return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER,
                                on_mhd_log, h, MHD_OPTION_SOCK_ADDR, addr,
                                MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT,
                                64u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    /* With a client CA, GnuTLS asks clients for a certificate (mTLS). */
    return MHD_start_daemon(
        flags | MHD_USE_TLS | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, h,
        /* the logger first: messages about later options then reach it */
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h, MHD_OPTION_HTTPS_CERT_CALLBACK,
        wh_tls_callback(), trust ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_ARRAY,
        trust ? (const void *)trust : (const void *)no_options, MHD_OPTION_HTTPS_PRIORITIES,
        TLS_PRIORITIES, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opts->cfg->conn_timeout,
        MHD_OPTION_CONNECTION_LIMIT, h->limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
        h, MHD_OPTION_END);
}

/* ---- the webhook's connections ------------------------------------------ */

/* The daemon with the fewest connections; ties go round. */
static size_t least_loaded(struct wh_http *h)
{
    size_t start = atomic_fetch_add(&h->next, 1) % h->ndaemons, best = start, i;

    for (i = 1; i < h->ndaemons; i++) {
        size_t d = (start + i) % h->ndaemons;

        if (atomic_load(&h->load[d]) < atomic_load(&h->load[best]))
            best = d;
    }
    return best;
}

static bool has_room(void *arg)
{
    struct wh_http *h = arg;
    size_t d;

    for (d = 0; d < h->ndaemons; d++)
        if (atomic_load(&h->load[d]) < h->limit)
            return true;
    return false;
}

static void take(void *arg, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    struct wh_http *h = arg;
    size_t d = least_loaded(h);

    (void)atomic_fetch_add(&h->load[d], 1);
    /* libmicrohttpd sets the TLS session up here and queues the socket for
     * the daemon's thread; on failure it has closed the socket. */
    if (MHD_add_connection(h->daemons[d], fd, addr, addrlen) != MHD_YES) {
        (void)atomic_fetch_sub(&h->load[d], 1);
        log_warnx("cannot take a connection: %s", strerror(errno));
    }
}

int wh_http_start(const struct wh_http_opts *opts, struct wh_http **out, struct wh_err *err)
{
    struct sockaddr_storage addr;
    const union MHD_DaemonInfo *info;
    struct wh_http *h;
    unsigned addrlen = 0, nd, i;
    int family = 0;
    int rc;

    *out = NULL;
    rc = wh_http_parse_listen(opts->listen, &addr, &addrlen, &family, err);
    if (rc != WH_OK)
        return rc;
    h = wh_xcalloc(1, sizeof(*h));
    h->kind = opts->kind;
    atomic_init(&h->cfg, opts->cfg);
    atomic_init(&h->draining, false);
    atomic_init(&h->in_flight, 0);
    atomic_init(&h->stopping, false);
    (void)pthread_mutex_init(&h->pmu, NULL);
    h->cache = opts->cache;
    h->live_cache = opts->live_cache;
    h->auth = opts->auth;
    h->ready = opts->ready;
    h->ready_arg = opts->ready_arg;
    if (opts->kind == WH_HTTP_PROBES) {
        h->daemons[0] = start_daemon(h, opts, (struct sockaddr *)&addr, family);
        if (h->daemons[0] == NULL) {
            wh_http_stop(h);
            return wh_errf(err, WH_EIO, "cannot serve http on %s: address in use", opts->listen);
        }
        h->ndaemons = 1;
        info = MHD_get_daemon_info(h->daemons[0], MHD_DAEMON_INFO_BIND_PORT);
        h->port = info ? info->port : 0;
        *out = h;
        return WH_OK;
    }
    rc = wh_linger_start(WH_LINGER_MS, WH_LINGER_BYTES, &h->linger, err);
    if (rc != WH_OK) {
        wh_http_stop(h);
        return rc;
    }
    nd = pool_size(opts->cfg);
    if (nd > MAX_DAEMONS)
        nd = MAX_DAEMONS;
    h->limit = (unsigned)opts->cfg->max_connections / nd + 1;
    for (i = 0; i < nd; i++) {
        atomic_init(&h->load[i], 0);
        h->daemons[i] = start_daemon(h, opts, NULL, family);
        if (h->daemons[i] == NULL)
            break;
        h->ndaemons++;
    }
    if (h->ndaemons < nd) {
        wh_http_stop(h);
        return wh_errf(err, WH_EIO, "cannot serve https on %s: unusable certificate/key",
                       opts->listen);
    }
    {
        struct wh_listener_ops ops = { take, has_room, h };

        rc = wh_listener_start((struct sockaddr *)&addr, (socklen_t)addrlen, &ops, &h->listener,
                               err);
        if (rc != WH_OK) {
            char why[sizeof(err->msg)];

            wh_strlcpy(why, err->msg, sizeof(why));
            wh_http_stop(h);
            return wh_errf(err, rc, "cannot serve https on %s: %s", opts->listen, why);
        }
    }
    h->port = wh_listener_port(h->listener);
    h->watchdog_on = pthread_create(&h->watchdog, NULL, watchdog, h) == 0;
    *out = h;
    return WH_OK;
}

void wh_http_set_config(struct wh_http *h, const struct wh_config *cfg)
{
    atomic_store(&h->cfg, cfg);
}

int wh_http_drain(struct wh_http *h, unsigned grace_ms)
{
    const union MHD_DaemonInfo *info;
    struct timespec tick = { 0, 20 * 1000 * 1000 };
    MHD_socket fd;
    unsigned waited = 0, quiet = 0;
    unsigned left = 0;
    size_t i;

    atomic_store(&h->draining, true);
    atomic_store(&draining_any, true);
    /* Stop accepting; the connections already open are served to the end. */
    wh_listener_stop(h->listener);
    h->listener = NULL;
    for (i = 0; i < h->ndaemons && h->kind == WH_HTTP_PROBES; i++) {
        fd = MHD_quiesce_daemon(h->daemons[i]);
        if (fd != MHD_INVALID_SOCKET)
            (void)close(fd);
    }
    /* Done when every connection is gone, or when no request has been in
     * flight for QUIET_MS: what is left then are idle keep-alive connections,
     * which wh_http_stop closes without losing an answer. */
    while (waited < grace_ms) {
        for (left = 0, i = 0; i < h->ndaemons; i++) {
            info = MHD_get_daemon_info(h->daemons[i], MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
            left += info ? info->num_connections : 0;
        }
        quiet = atomic_load(&h->in_flight) == 0 ? quiet + 20 : 0;
        if (left == 0 || quiet >= DRAIN_QUIET_MS)
            break;
        (void)nanosleep(&tick, NULL);
        waited += 20;
    }
    return atomic_load(&h->in_flight) ? (int)left : 0;
}

uint16_t wh_http_port(const struct wh_http *h)
{
    return h->port;
}

void wh_http_stop(struct wh_http *h)
{
    size_t i;

    if (h == NULL)
        return;
    atomic_store(&h->stopping, true);
    wh_listener_stop(h->listener);
    if (h->watchdog_on)
        (void)pthread_join(h->watchdog, NULL);
    for (i = 0; i < h->ndaemons; i++)
        MHD_stop_daemon(h->daemons[i]);
    wh_linger_stop(h->linger); /* after the daemons, which hand it sockets */
    (void)pthread_mutex_destroy(&h->pmu);
    free(h);
}
