/* SPDX-License-Identifier: Apache-2.0
 *
 * auth.h - authentication of the webhook's caller (kube-apiserver), off by
 * default. What kube-apiserver can send through the kubeconfig of its
 * AdmissionConfiguration: a bearer token (static token file here, compared
 * in constant time), a JWT (verified with a pinned algorithm against keys
 * loaded at start, with iss/aud/exp/nbf checked), or a client certificate
 * chained to a configured CA (mTLS; the handshake side lives in tls.c and
 * http.c). When several are configured, any one of them is enough.
 *
 * Keys and tokens are read once, at start: changing auth.* needs a restart.
 * An struct wh_auth is immutable after wh_auth_new and shared by every
 * request thread. Tokens are scrubbed from memory when freed.
 */
#ifndef WH_AUTH_H
#define WH_AUTH_H

#include <stdbool.h>

#include "config.h"
#include "wh.h"

struct wh_auth;

/* Loads what cfg's auth.* keys name. *out is NULL when authentication is
 * off. Fails when a file cannot be read or holds no usable token/key. */
int wh_auth_new(const struct wh_config *cfg, struct wh_auth **out, struct wh_err *err);
void wh_auth_free(struct wh_auth *a);

/* True when a client certificate is required (auth.clientCaFile). */
bool wh_auth_wants_client_cert(const struct wh_auth *a);

/* Checks one request: authorization is its Authorization header (or NULL),
 * client_cert_ok whether the TLS layer verified a client certificate
 * against auth.clientCaFile. WH_OK, or WH_EAUTH with a message that never
 * contains the credential. */
int wh_auth_check(const struct wh_auth *a, const char *authorization, bool client_cert_ok,
                  struct wh_err *err);

#endif
