/* SPDX-License-Identifier: Apache-2.0
 *
 * kube.h - a small Kubernetes API client on libcurl: one-shot GETs with a
 * deadline and streaming GETs (watches) framed into lines. This is the only
 * module that talks to the network as a client.
 *
 * Security: the API URL must be https and the server certificate is always
 * verified (against the cluster CA file when given). Redirects are never
 * followed, so the bearer token goes to the configured API server only. The
 * token is re-read from its file periodically, because bound service-account
 * tokens rotate; if the file disappears the last token is kept and a warning
 * logged.
 *
 * Thread-safety: a struct wh_kube may be used from several threads at once
 * (each call uses its own curl handle; the token is guarded internally).
 */
#ifndef WH_KUBE_H
#define WH_KUBE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/lines.h"
#include "wh.h"

#define WH_KUBE_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct wh_kube_opts {
    const char *api_url;    /* https://HOST:PORT; NULL: in-cluster (KUBERNETES_SERVICE_*) */
    const char *token_file; /* NULL: none, or the in-cluster one */
    const char *ca_file;    /* NULL: system CAs, or the in-cluster one */
    uint64_t token_reread_s;
};

struct wh_kube;

/* Validates the options and prepares a client (no network yet). */
int wh_kube_new(const struct wh_kube_opts *opts, struct wh_kube **out, struct wh_err *err);
void wh_kube_free(struct wh_kube *k);

/* The API server base URL in use (borrowed). */
const char *wh_kube_url(const struct wh_kube *k);

/* GETs path ("/api/v1/..."), the body into out (whose cap bounds it), the
 * HTTP status into *status. Returns WH_OK when a response arrived (any
 * status), WH_EIO on connection/TLS failure or timeout, WH_ETOOBIG past the
 * cap. */
int wh_kube_get(struct wh_kube *k, const char *path, long timeout_ms, struct wh_buf *out,
                long *status, struct wh_err *err);

/* Streams path, handing each complete line to fn through the framer lines,
 * and calling fn(arg, NULL, 0) after each received chunk so the caller can
 * apply what it collected in one batch.
 * Returns when the server ends the stream (WH_OK), fn returns non-zero
 * (that value), *stop becomes true (WH_OK), no byte arrives for idle_s
 * seconds or the connection fails (WH_EIO). *status receives the HTTP status;
 * the body of a non-200 answer is discarded (the status says what failed). */
int wh_kube_stream(struct wh_kube *k, const char *path, long idle_s, struct wh_lines *lines,
                   wh_line_fn *fn, void *arg, const atomic_bool *stop, long *status,
                   struct wh_err *err);

#endif
