/* SPDX-License-Identifier: Apache-2.0
 *
 * jwtverify.h - verify signed JSON Web Tokens (JWS compact form, RFC
 * 7515/7519) such as Kubernetes projected service-account tokens, over libjwt
 * 1.10 (jwtverify.c is the only file that includes <jwt.h>; the module is not
 * called jwt.h so that name stays libjwt's).
 *
 * Keys are loaded once, at startup, from a PEM file or a JWKS document into an
 * immutable struct wh_jwt_keys. Each key is pinned to one algorithm: the JWK's
 * "alg" when given, else RS256 for RSA, ES256 for P-256, ES384 for P-384. A
 * token is accepted only when its header alg equals the pinned alg of the key
 * that verifies it; "none" and every HS* alg are rejected before libjwt sees
 * the token, so a public key is never used as an HMAC secret. Keys are picked
 * by kid: a token kid selects the keys with that kid, else the keys without a
 * kid (PEM keys); a token without a kid may match any key.
 *
 * Verification is split into stages so that a caller can tell which check
 * failed; wh_jwt_verify() runs them all in this order and stops at the first
 * failure:
 *   1. decode    size cap, shape, base64url, JSON, claim types
 *                WH_ETOOBIG, WH_EPARSE
 *   2. signature alg policy (never none or HS*), typ, crit, kid, signature
 *                size, then libjwt with the pinned alg          WH_EAUTH
 *   3. time      exp (required), nbf, iat against expect->now with leeway
 *                                                               WH_EAUTH
 *   4. claims    iss (exact), aud (contains), sub (exact), each when expected
 *                                                               WH_EAUTH
 * Every failure leaves a distinct message in err that names the check and the
 * reason; the messages quote token values clipped to printable ASCII, never
 * the signature or key material.
 *
 * Ownership: struct wh_jwt_keys is an opaque heap object (_free). struct
 * wh_jwt_claims is caller-owned storage (_init/_cleanup) that owns the decoded
 * header and payload; every pointer in it is borrowed from those trees. The
 * clock is never read here: expect->now is the only time source.
 *
 * Thread-safety: a loaded struct wh_jwt_keys is read-only and may be shared by
 * any number of threads verifying at once; a struct wh_jwt_claims belongs to
 * one thread.
 */
#ifndef WH_JWTVERIFY_H
#define WH_JWTVERIFY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wh.h"

#define WH_JWT_TOKEN_MAX    16384u   /* bytes of a compact token (16 KiB) */
#define WH_JWT_JWKS_MAX     1048576u /* bytes of a JWKS document (1 MiB) */
#define WH_JWT_PEM_MAX      65536u   /* bytes of a PEM key file (64 KiB) */
#define WH_JWT_KEYS_MAX     64       /* keys in one set */
#define WH_JWT_KID_MAX      256      /* characters of a kid */
#define WH_JWT_JSON_DEPTH   16       /* nesting of header, payload and JWKS */
#define WH_JWT_MEMBERS_MAX  128      /* members of the header or the payload */
#define WH_JWT_RSA_MIN_BITS 2048
#define WH_JWT_RSA_MAX_BITS 8192
#define WH_JWT_LEEWAY_S     60             /* default clock-skew allowance */
#define WH_JWT_LEEWAY_MAX   3600           /* largest leeway accepted */
#define WH_JWT_TIME_MAX     253402300799LL /* 9999-12-31T23:59:59Z */

/* Kubernetes bounds: a namespace is a DNS-1123 label, a name a DNS-1123
 * subdomain; UIDs are UUIDs (36 characters). */
#define WH_JWT_NS_MAX   63
#define WH_JWT_NAME_MAX 253
#define WH_JWT_UID_MAX  63

/* The prefix of a service-account subject: "system:serviceaccount:NS:SA". */
#define WH_JWT_SA_SUB_PREFIX "system:serviceaccount:"

struct wh_jwt_keys;

/* Parses every public key in a PEM text of len bytes ("PUBLIC KEY", "RSA
 * PUBLIC KEY" or "CERTIFICATE" blocks; other blocks are skipped, a private key
 * is refused) into a new key set in *outp (free with wh_jwt_keys_free). RSA
 * keys need 2048 to 8192 bits; EC keys must be on P-256 or P-384. Returns
 * WH_OK, WH_ETOOBIG (more than WH_JWT_PEM_MAX bytes or WH_JWT_KEYS_MAX keys)
 * or WH_EPARSE; *outp is NULL on failure. */
int wh_jwt_keys_parse_pem(const char *pem, size_t len, struct wh_jwt_keys **outp,
                          struct wh_err *err);

/* Parses a JWKS document (RFC 7517: {"keys": [...]}) of len bytes, followed by
 * a NUL byte as in a wh_buf, into a new key set in *outp. Keys with kty RSA (n,
 * e) or EC (crv P-256 or P-384, x, y) are used; a key whose "use" is not "sig",
 * whose alg is not one we verify, or whose kty is another is skipped. An alg
 * that contradicts the key type, a duplicate kid or a malformed key fails the
 * whole document, as does a document with no usable key. Returns WH_OK,
 * WH_ETOOBIG (past WH_JWT_JWKS_MAX bytes or WH_JWT_KEYS_MAX keys) or
 * WH_EPARSE; *outp is NULL on failure. */
int wh_jwt_keys_parse_jwks(const char *json, size_t len, struct wh_jwt_keys **outp,
                           struct wh_err *err);

/* Read path and parse it as wh_jwt_keys_parse_pem / _parse_jwks do; a file
 * that cannot be read is WH_EIO. */
int wh_jwt_keys_load_pem(const char *path, struct wh_jwt_keys **outp, struct wh_err *err);
int wh_jwt_keys_load_jwks(const char *path, struct wh_jwt_keys **outp, struct wh_err *err);

/* Releases a key set; NULL is a no-op. */
void wh_jwt_keys_free(struct wh_jwt_keys *keys);

/* Number of keys in the set (at least 1 for a loaded set). */
size_t wh_jwt_keys_count(const struct wh_jwt_keys *keys);

/* Writes a one-line description of key i, e.g. `kid "abc", RS256, RSA 2048
 * bits`, into buf (size > 0, truncated to fit) and returns buf. */
const char *wh_jwt_keys_describe(const struct wh_jwt_keys *keys, size_t i, char *buf, size_t size);

/* What the claims must say. Set it up with wh_jwt_expect_init, then fill in
 * the strings to check; they are borrowed for the duration of each call. */
struct wh_jwt_expect {
    const char *iss; /* exact issuer, or NULL: not checked */
    const char *aud; /* audience the aud claim must hold, or NULL: not checked */
    const char *sub; /* exact subject, or NULL: not checked */
    int64_t now;     /* current time, unix seconds (the injected clock) */
    int64_t leeway;  /* seconds of clock skew allowed, 0..WH_JWT_LEEWAY_MAX */
};

/* Clears every expectation and sets now and leeway = WH_JWT_LEEWAY_S. A
 * caller authenticating requests should set at least iss and aud. */
void wh_jwt_expect_init(struct wh_jwt_expect *e, int64_t now);

/* A decoded token. Strings are NULL when the claim is absent; the has_* flags
 * say whether a time claim is present. Access only; fill it through
 * wh_jwt_decode_unverified or wh_jwt_verify. */
struct wh_jwt_claims {
    cJSON *header;  /* owned: the JOSE header object */
    cJSON *payload; /* owned: the claims object */
    const char *alg;
    const char *kid;
    const char *typ;
    const char *iss;
    const char *sub;
    const cJSON *aud; /* a string, or an array of strings, or NULL */
    int64_t exp, nbf, iat;
    bool has_exp, has_nbf, has_iat;
    size_t sig_len; /* decoded signature bytes (0 for an unsigned token) */
};

void wh_jwt_claims_init(struct wh_jwt_claims *c);
/* Frees the trees and clears c; idempotent. */
void wh_jwt_claims_cleanup(struct wh_jwt_claims *c);

/* True when the aud claim is aud or an array that holds aud. */
bool wh_jwt_claims_has_aud(const struct wh_jwt_claims *c, const char *aud);

/* Stage 1. Decodes a compact token of len bytes WITHOUT checking its
 * signature: for inspection, or to read the claims of a token verified
 * elsewhere. Three base64url segments without padding; header and payload
 * must be JSON objects with no duplicate member, and the registered claims
 * must have their RFC 7519 types. out must be initialised; its old contents
 * are released on entry and it is filled on success only. Returns WH_OK,
 * WH_ETOOBIG (over WH_JWT_TOKEN_MAX) or WH_EPARSE. */
int wh_jwt_decode_unverified(const char *token, size_t len, struct wh_jwt_claims *out,
                             struct wh_err *err);

/* Stage 2. Decodes the token and verifies its signature with keys under the
 * algorithm rules above. On success, *keyp (if keyp is non-NULL) receives the
 * index of the key that verified it. Returns WH_OK, a stage-1 error, or
 * WH_EAUTH. */
int wh_jwt_verify_signature(const char *token, size_t len, const struct wh_jwt_keys *keys,
                            size_t *keyp, struct wh_err *err);

/* Stage 3. exp must be present and now < exp + leeway; nbf and iat, when
 * present, must be <= now + leeway. Returns WH_OK, WH_EAUTH, or WH_EINVAL
 * for a leeway out of range. */
int wh_jwt_check_time(const struct wh_jwt_claims *c, const struct wh_jwt_expect *e,
                      struct wh_err *err);

/* Stage 4. iss equals e->iss, aud holds e->aud, sub equals e->sub, each only
 * when the expectation is set (checked in that order). Returns WH_OK or
 * WH_EAUTH. */
int wh_jwt_check_claims(const struct wh_jwt_claims *c, const struct wh_jwt_expect *e,
                        struct wh_err *err);

/* Every stage, in order; the one call a request authenticator needs. keys
 * must be non-NULL (WH_EINVAL otherwise: verification is never skipped). out
 * must be initialised; its old contents are released on entry and it is
 * filled only when every check passes. Returns WH_OK or the first failure. */
int wh_jwt_verify(const char *token, size_t len, const struct wh_jwt_keys *keys,
                  const struct wh_jwt_expect *expect, struct wh_jwt_claims *out,
                  struct wh_err *err);

/* Writes t (unix seconds) as "2006-01-02T15:04:05Z" into buf (size >= 21;
 * "(invalid time)" when t is outside 0..WH_JWT_TIME_MAX) and returns buf. */
const char *wh_jwt_time_str(int64_t t, char *buf, size_t size);

/* The Kubernetes identity in a service-account token. */
struct wh_jwt_k8s {
    char ns[WH_JWT_NS_MAX + 1];       /* from sub, and kubernetes.io.namespace */
    char sa[WH_JWT_NAME_MAX + 1];     /* from sub, and kubernetes.io.serviceaccount.name */
    char sa_uid[WH_JWT_UID_MAX + 1];  /* "" when absent */
    char pod[WH_JWT_NAME_MAX + 1];    /* "" unless the token is bound to a pod */
    char pod_uid[WH_JWT_UID_MAX + 1]; /* "" when absent */
    bool has_pod;
};

/* Parses "system:serviceaccount:NS:SA" into out->ns and out->sa (the other
 * fields are cleared). NS must be a DNS-1123 label and SA a DNS-1123
 * subdomain. Returns WH_OK or WH_EPARSE; out is cleared on failure. */
int wh_jwt_k8s_parse_sub(const char *sub, struct wh_jwt_k8s *out, struct wh_err *err);

/* Reads the service-account identity from decoded claims: sub as above, and
 * the "kubernetes.io" object {namespace, serviceaccount{name,uid},
 * pod{name,uid}} when present, which must agree with sub. Returns WH_OK or
 * WH_EPARSE (not a service-account token, or inconsistent); out is cleared
 * on failure. */
int wh_jwt_k8s_parse(const struct wh_jwt_claims *c, struct wh_jwt_k8s *out, struct wh_err *err);

#endif
