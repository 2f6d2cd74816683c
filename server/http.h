/* SPDX-License-Identifier: Apache-2.0
 *
 * http.h - the servers on libmicrohttpd. The webhook: HTTPS with TLS 1.2+
 * only, HTTP/1.1 keep-alive, one event loop (thread) per core, each given
 * its connections by the listener (listener.h), the least loaded first;
 * /mutate takes POST application/json only, with the body capped before it is
 * read (413). The probe listener: plain HTTP for kubelet and Prometheus,
 * /healthz (liveness) and /readyz (readiness). Routes are one table in
 * http.c. Every webhook request gets exactly one access log line, written
 * when the connection is done with it.
 *
 * This is the only file that includes <microhttpd.h>. The webhook serves the
 * certificate tls.c holds (load it first). The server borrows cfg and cache
 * for its whole life; the caller keeps them alive until wh_http_stop()
 * returns.
 */
#ifndef WH_HTTP_H
#define WH_HTTP_H

#include <stdint.h>

#include "auth.h"
#include "cache.h"
#include "config.h"
#include "wh.h"

struct wh_http;

/* Writes why the server is not ready into why (size bytes) and returns
 * false, or returns true. */
typedef bool wh_ready_fn(void *arg, char *why, size_t size);

enum wh_http_kind {
    WH_HTTP_WEBHOOK, /* HTTPS: POST /mutate */
    WH_HTTP_PROBES,  /* plain HTTP: GET /healthz, /readyz */
};

struct wh_http_opts {
    enum wh_http_kind kind;
    const char *listen; /* "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT"; port 0 picks one */
    const struct wh_config *cfg;
    struct wh_cache *cache;
    bool live_cache;            /* webhook: objects missing from the snapshot may be fetched */
    const struct wh_auth *auth; /* webhook: caller authentication, or NULL (off) */
    const char *client_ca_pem;  /* webhook: CA of client certificates, or NULL */
    wh_ready_fn *ready;         /* probes: readiness */
    void *ready_arg;
};

/* Starts serving. On success *out is the running server; on failure err says
 * why (bad address, port in use, unusable certificate). */
int wh_http_start(const struct wh_http_opts *opts, struct wh_http **out, struct wh_err *err);

/* The port actually bound (useful with port 0). */
uint16_t wh_http_port(const struct wh_http *h);

/* Makes cfg (kept alive by the caller until wh_http_stop) the config of
 * every request that starts from now on. */
void wh_http_set_config(struct wh_http *h, const struct wh_config *cfg);

/* Stops accepting new connections, lets the open ones finish their requests
 * (answers ask clients to close), and waits up to grace_ms until no request
 * has been in flight for a moment. Returns the number of connections still
 * busy at the end of the grace period (0: nothing will be cut). */
int wh_http_drain(struct wh_http *h, unsigned grace_ms);

/* Stops accepting, closes connections, joins the threads and frees h. */
void wh_http_stop(struct wh_http *h);

/* Splits "ADDR:PORT" into a numeric socket address (exposed for tests).
 * addr_out must hold a struct sockaddr_storage. */
int wh_http_parse_listen(const char *listen, void *addr_out, unsigned *addrlen, int *family,
                         struct wh_err *err);

#endif
