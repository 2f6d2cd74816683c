/* SPDX-License-Identifier: Apache-2.0
 *
 * jwtverify.c - JWS verification over libjwt 1.10; see jwtverify.h for the rules.
 *
 * libjwt 1.10 trusts the token's own alg header: handed a PEM public key and
 * a token that says HS256, it computes an HMAC with the PEM text as the
 * secret, which anyone holding the public key can forge. So libjwt is only
 * ever called after our own policy has accepted the header alg and matched it
 * to the algorithm pinned on the key, and its verdict is cross-checked with
 * jwt_get_alg(). Decoding (base64url, JSON, claim types) is done here with
 * cJSON, strictly, before libjwt sees the token; libjwt is used for the
 * signature only. Embedded key references (jku, x5u, jwk) are ignored: keys
 * come from the loaded set alone. OpenSSL errors are cleared after each use
 * so that none leaks into an unrelated caller's error queue.
 */
#include "jwtverify.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <jwt.h>

#include "util/buf.h"
#include "util/file.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define CLIP_MAX 64 /* characters of a token value quoted in a message */

/* ---- algorithms ---------------------------------------------------------- */

/* The algorithms a key can be pinned to. PS256 and friends are absent:
 * libjwt 1.10 has no RSASSA-PSS. */
struct alg_row {
    const char *name;  /* JWS "alg" */
    jwt_alg_t lib;     /* libjwt's id, checked after jwt_decode */
    int pkey_type;     /* EVP_PKEY_RSA or EVP_PKEY_EC */
    const char *group; /* OpenSSL name of the curve (EC) */
    const char *crv;   /* JWK "crv" (EC) */
    size_t coord;      /* bytes per EC coordinate */
};

static const struct alg_row algs[] = {
    { "RS256", JWT_ALG_RS256, EVP_PKEY_RSA, NULL, NULL, 0 },
    { "RS384", JWT_ALG_RS384, EVP_PKEY_RSA, NULL, NULL, 0 },
    { "RS512", JWT_ALG_RS512, EVP_PKEY_RSA, NULL, NULL, 0 },
    { "ES256", JWT_ALG_ES256, EVP_PKEY_EC, "prime256v1", "P-256", 32 },
    { "ES384", JWT_ALG_ES384, EVP_PKEY_EC, "secp384r1", "P-384", 48 },
};

#define ALG_LIST "RS256, RS384, RS512, ES256, ES384"

static const struct alg_row *find_alg(const char *name)
{
    for (size_t i = 0; i < WH_NELEM(algs); i++) {
        if (strcmp(algs[i].name, name) == 0)
            return &algs[i];
    }
    return NULL;
}

static const struct alg_row *find_crv(const char *crv)
{
    for (size_t i = 0; i < WH_NELEM(algs); i++) {
        if (algs[i].crv != NULL && strcmp(algs[i].crv, crv) == 0)
            return &algs[i];
    }
    return NULL;
}

/* ---- small helpers ------------------------------------------------------- */

/* Copies s into buf (CLIP_MAX bytes) for quoting in a message: printable
 * ASCII only, others as '?', cut with "..." when longer. */
static const char *clip(const char *s, char *buf)
{
    size_t i;

    if (s == NULL)
        s = "";
    for (i = 0; i < CLIP_MAX - 1 && s[i] != '\0'; i++)
        buf[i] = (char)(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?');
    buf[i] = '\0';
    if (s[i] != '\0')
        memcpy(buf + CLIP_MAX - 4, "...", 4);
    return buf;
}

/* Prefixes err's message with "what: ". */
static int err_prefix(struct wh_err *err, const char *what)
{
    char tmp[WH_ERR_MSG_MAX];
    int n;

    if (err == NULL)
        return WH_EINTERNAL;
    (void)wh_strlcpy(tmp, err->msg, sizeof(tmp));
    n = snprintf(err->msg, sizeof(err->msg), "%s: ", what);
    if (n > 0 && (size_t)n < sizeof(err->msg))
        (void)wh_strlcpy(err->msg + n, tmp, sizeof(err->msg) - (size_t)n);
    return err->rc;
}

/* The reason of the latest OpenSSL error (queue cleared), for messages. */
static const char *ossl_reason(char *buf, size_t size)
{
    unsigned long e = ERR_peek_last_error();

    if (e == 0)
        (void)wh_strlcpy(buf, "no detail from OpenSSL", size);
    else
        ERR_error_string_n(e, buf, size);
    ERR_clear_error();
    return buf;
}

static bool is_printable(const char *s)
{
    for (; *s; s++) {
        if (*s < 0x20 || *s >= 0x7f)
            return false;
    }
    return true;
}

const char *wh_jwt_time_str(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t < 0 || t > WH_JWT_TIME_MAX || gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)wh_strlcpy(buf, "(invalid time)", size);
    return buf;
}

/* ---- base64url (RFC 4648 section 5, no padding) -------------------------- */

static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Appends the decoding of s to out. Only the base64url alphabet, no padding,
 * and the unused low bits of the last character must be zero, so each byte
 * string has exactly one accepted encoding. Messages start with what. */
static int b64url_decode(const char *s, size_t len, struct wh_buf *out, const char *what,
                         struct wh_err *err)
{
    uint32_t acc = 0;
    unsigned bits = 0;

    if (len % 4 == 1)
        return wh_errf(err, WH_EPARSE, "%s: %zu base64url characters is not a valid length", what,
                       len);
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value((unsigned char)s[i]);

        if (v < 0)
            return wh_errf(err, WH_EPARSE, "%s: invalid base64url character 0x%02x at offset %zu",
                           what, (unsigned char)s[i], i);
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (wh_buf_addc(out, (char)((acc >> bits) & 0xffu)) != WH_OK)
                return wh_errf(err, WH_ETOOBIG, "%s: decodes to more than %zu bytes", what,
                               out->cap);
        }
    }
    if ((acc & ((1u << bits) - 1u)) != 0)
        return wh_errf(err, WH_EPARSE, "%s: non-zero bits after the last byte (not canonical)",
                       what);
    return WH_OK;
}

/* ---- key sets ------------------------------------------------------------ */

struct key {
    char *kid;                 /* NULL when the source gave none */
    const struct alg_row *alg; /* the one algorithm this key verifies */
    char *pem;                 /* SubjectPublicKeyInfo PEM, as libjwt takes it */
    size_t pem_len;
    int bits;
};

struct wh_jwt_keys {
    size_t n;
    struct key keys[WH_JWT_KEYS_MAX];
};

void wh_jwt_keys_free(struct wh_jwt_keys *keys)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < keys->n; i++) {
        free(keys->keys[i].kid);
        free(keys->keys[i].pem);
    }
    free(keys);
}

size_t wh_jwt_keys_count(const struct wh_jwt_keys *keys)
{
    return keys ? keys->n : 0;
}

const char *wh_jwt_keys_describe(const struct wh_jwt_keys *keys, size_t i, char *buf, size_t size)
{
    const struct key *k;
    char c[CLIP_MAX];

    if (keys == NULL || i >= keys->n) {
        (void)wh_strlcpy(buf, "(no such key)", size);
        return buf;
    }
    k = &keys->keys[i];
    if (k->kid != NULL)
        (void)snprintf(buf, size, "kid \"%s\", %s, %s %d bits", clip(k->kid, c), k->alg->name,
                       k->alg->pkey_type == EVP_PKEY_RSA ? "RSA" : k->alg->crv, k->bits);
    else
        (void)snprintf(buf, size, "no kid, %s, %s %d bits", k->alg->name,
                       k->alg->pkey_type == EVP_PKEY_RSA ? "RSA" : k->alg->crv, k->bits);
    return buf;
}

/* The default row for a key of type (and EC curve group): RS256 for RSA,
 * ES256/ES384 by curve; NULL for an unsupported curve. */
static const struct alg_row *default_alg(int type, const char *group)
{
    for (size_t i = 0; i < WH_NELEM(algs); i++) {
        if (algs[i].pkey_type == type &&
            (type == EVP_PKEY_RSA || strcmp(group, algs[i].group) == 0))
            return &algs[i];
    }
    return NULL;
}

/* The row pkey is pinned to: alg_name's (which must fit the key), or the
 * default for its type and curve. Refuses weak, huge and unsupported keys. */
static int key_alg(EVP_PKEY *pkey, const char *alg_name, const char *where,
                   const struct alg_row **out, struct wh_err *err)
{
    int type = EVP_PKEY_get_base_id(pkey);
    int bits = EVP_PKEY_get_bits(pkey);
    char group[64] = "";
    const struct alg_row *row, *want;

    if (type == EVP_PKEY_RSA && (bits < WH_JWT_RSA_MIN_BITS || bits > WH_JWT_RSA_MAX_BITS))
        return wh_errf(err, WH_EPARSE, "%s: RSA key of %d bits (want %d to %d)", where, bits,
                       WH_JWT_RSA_MIN_BITS, WH_JWT_RSA_MAX_BITS);
    if (type == EVP_PKEY_EC && !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                                               group, sizeof(group), NULL))
        return wh_errf(err, WH_EPARSE, "%s: EC key without a named curve", where);
    if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
        return wh_errf(err, WH_EPARSE, "%s: %s keys are not supported (want RSA or EC)", where,
                       EVP_PKEY_get0_type_name(pkey));
    row = default_alg(type, group);
    if (row == NULL)
        return wh_errf(err, WH_EPARSE, "%s: EC curve %s is not supported (want P-256 or P-384)",
                       where, group);
    want = alg_name ? find_alg(alg_name) : row;
    if (want == NULL || want->pkey_type != type ||
        (type == EVP_PKEY_EC && strcmp(group, want->group) != 0))
        return wh_errf(err, WH_EPARSE, "%s: alg %s does not fit the key (%s)", where,
                       alg_name ? alg_name : "(none)", type == EVP_PKEY_RSA ? "RSA" : group);
    *out = want;
    return WH_OK;
}

/* The canonical SubjectPublicKeyInfo PEM of pkey, in *pemp (caller frees). */
static int pem_export(EVP_PKEY *pkey, const char *where, char **pemp, size_t *lenp,
                      struct wh_err *err)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    char why[128];
    long n = 0;
    int rc = WH_OK;

    if (bio == NULL || !PEM_write_bio_PUBKEY(bio, pkey) ||
        (n = BIO_get_mem_data(bio, &data)) <= 0 || data == NULL) {
        rc = wh_errf(err, WH_EINTERNAL, "%s: cannot encode the public key: %s", where,
                     ossl_reason(why, sizeof(why)));
        goto out;
    }
    *pemp = wh_xstrndup(data, (size_t)n);
    *lenp = (size_t)n;
out:
    BIO_free(bio);
    return rc;
}

/* Adds pkey (borrowed) to ks, pinned to alg_name or the key's default. */
static int key_add(struct wh_jwt_keys *ks, EVP_PKEY *pkey, const char *kid, const char *alg_name,
                   const char *where, struct wh_err *err)
{
    const struct alg_row *alg = NULL;
    struct key *k;
    int rc;

    if (ks->n >= WH_JWT_KEYS_MAX)
        return wh_errf(err, WH_ETOOBIG, "%s: more than %d keys", where, WH_JWT_KEYS_MAX);
    rc = key_alg(pkey, alg_name, where, &alg, err);
    if (rc != WH_OK)
        return rc;
    k = &ks->keys[ks->n];
    rc = pem_export(pkey, where, &k->pem, &k->pem_len, err);
    if (rc != WH_OK)
        return rc;
    k->kid = kid ? wh_xstrdup(kid) : NULL;
    k->alg = alg;
    k->bits = EVP_PKEY_get_bits(pkey);
    ks->n++;
    return WH_OK;
}

/* ---- PEM ----------------------------------------------------------------- */

/* The public key in one PEM block, or NULL with *known false for a block that
 * holds no key (e.g. EC PARAMETERS). */
static EVP_PKEY *pem_block_key(const char *name, const unsigned char *data, long len, bool *known)
{
    const unsigned char *p = data;
    EVP_PKEY *pkey = NULL;
    X509 *crt;

    *known = true;
    if (strcmp(name, "PUBLIC KEY") == 0) {
        pkey = d2i_PUBKEY(NULL, &p, len);
    } else if (strcmp(name, "RSA PUBLIC KEY") == 0) {
        pkey = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, len);
    } else if (strcmp(name, "CERTIFICATE") == 0) {
        crt = d2i_X509(NULL, &p, len);
        pkey = crt ? X509_get_pubkey(crt) : NULL;
        X509_free(crt);
    } else {
        *known = false;
        return NULL;
    }
    if (pkey != NULL && p != data + len) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

static int pem_block(struct wh_jwt_keys *ks, size_t idx, const char *name,
                     const unsigned char *data, long len, struct wh_err *err)
{
    EVP_PKEY *pkey;
    char where[48 + CLIP_MAX], c[CLIP_MAX], why[128];
    bool known;
    int rc;

    (void)snprintf(where, sizeof(where), "PEM block %zu (%s)", idx + 1, clip(name, c));
    if (strstr(name, "PRIVATE KEY") != NULL)
        return wh_errf(err, WH_EPARSE, "%s: a private key; give the public key only", where);
    pkey = pem_block_key(name, data, len, &known);
    if (!known)
        return WH_OK;
    if (pkey == NULL)
        return wh_errf(err, WH_EPARSE, "%s: cannot parse the key: %s", where,
                       ossl_reason(why, sizeof(why)));
    rc = key_add(ks, pkey, NULL, NULL, where, err);
    EVP_PKEY_free(pkey);
    return rc;
}

static int pem_read_blocks(BIO *bio, struct wh_jwt_keys *ks, struct wh_err *err)
{
    char why[128];
    size_t idx;
    int rc = WH_OK;

    for (idx = 0; rc == WH_OK; idx++) {
        char *name = NULL, *header = NULL;
        unsigned char *data = NULL;
        long len = 0;

        if (!PEM_read_bio(bio, &name, &header, &data, &len)) {
            unsigned long e = ERR_peek_last_error();

            if (idx > 0 && ERR_GET_LIB(e) == ERR_LIB_PEM &&
                ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error();
                break;
            }
            if (idx == 0 && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                rc = wh_errf(err, WH_EPARSE, "no PEM block found");
            else
                rc = wh_errf(err, WH_EPARSE, "PEM block %zu: %s", idx + 1,
                             ossl_reason(why, sizeof(why)));
            break;
        }
        rc = pem_block(ks, idx, name, data, len, err);
        OPENSSL_free(name);
        OPENSSL_free(header);
        /* The block may have been a private key: wipe it. */
        OPENSSL_clear_free(data, (size_t)len);
    }
    if (rc == WH_OK && ks->n == 0)
        rc = wh_errf(err, WH_EPARSE,
                     "no PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE block in the PEM text");
    return rc;
}

int wh_jwt_keys_parse_pem(const char *pem, size_t len, struct wh_jwt_keys **outp,
                          struct wh_err *err)
{
    struct wh_jwt_keys *ks = NULL;
    BIO *bio = NULL;
    int rc;

    *outp = NULL;
    if (len > WH_JWT_PEM_MAX)
        return wh_errf(err, WH_ETOOBIG, "PEM text is %zu bytes; the limit is %u", len,
                       WH_JWT_PEM_MAX);
    ERR_clear_error();
    ks = wh_xcalloc(1, sizeof(*ks));
    bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        rc = wh_errf(err, WH_EINTERNAL, "cannot allocate an OpenSSL BIO");
    else
        rc = pem_read_blocks(bio, ks, err);
    BIO_free(bio);
    ERR_clear_error();
    if (rc == WH_OK)
        *outp = ks;
    else
        wh_jwt_keys_free(ks);
    return rc;
}

/* ---- JWKS ---------------------------------------------------------------- */

/* Builds a public key of type ("RSA" or "EC") from params and validates it. */
static int pkey_fromdata(const char *type, OSSL_PARAM *params, const char *where, EVP_PKEY **outp,
                         struct wh_err *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY_CTX *chk = NULL;
    EVP_PKEY *pkey = NULL;
    char why[128];
    int rc = WH_OK;

    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
        rc = wh_errf(err, WH_EPARSE, "%s: not a valid %s public key: %s", where, type,
                     ossl_reason(why, sizeof(why)));
        goto out;
    }
    chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (chk == NULL || EVP_PKEY_public_check(chk) <= 0) {
        rc = wh_errf(err, WH_EPARSE, "%s: %s public key fails validation: %s", where, type,
                     ossl_reason(why, sizeof(why)));
        goto out;
    }
    *outp = pkey;
    pkey = NULL;
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(chk);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* Decodes the base64url member name of jwk (required) into out, whose cap is
 * the largest value accepted. */
static int jwk_bytes(const cJSON *jwk, const char *name, const char *where, struct wh_buf *out,
                     struct wh_err *err)
{
    const cJSON *v = NULL;
    char what[64];
    int rc;

    (void)snprintf(what, sizeof(what), "%s.%s", where, name);
    rc = wh_json_want(jwk, name, WH_JSON_STRING, where, &v, err);
    if (rc != WH_OK)
        return rc;
    if (v == NULL || v->valuestring[0] == '\0')
        return wh_errf(err, WH_EPARSE, "%s missing", what);
    return b64url_decode(v->valuestring, strlen(v->valuestring), out, what, err);
}

static int jwk_rsa(const cJSON *jwk, const char *where, EVP_PKEY **outp, struct wh_err *err)
{
    struct wh_buf n, e;
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    int rc;

    wh_buf_init(&n, WH_JWT_RSA_MAX_BITS / 8 + 1);
    wh_buf_init(&e, 8);
    rc = jwk_bytes(jwk, "n", where, &n, err);
    if (rc == WH_OK)
        rc = jwk_bytes(jwk, "e", where, &e, err);
    if (rc != WH_OK)
        goto out;
    bn_n = BN_bin2bn((const unsigned char *)wh_buf_str(&n), (int)wh_buf_len(&n), NULL);
    bn_e = BN_bin2bn((const unsigned char *)wh_buf_str(&e), (int)wh_buf_len(&e), NULL);
    bld = OSSL_PARAM_BLD_new();
    if (bn_n == NULL || bn_e == NULL || bld == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        rc = wh_errf(err, WH_EINTERNAL, "%s: cannot build RSA parameters", where);
        goto out;
    }
    rc = pkey_fromdata("RSA", params, where, outp, err);
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_e);
    BN_free(bn_n);
    wh_buf_cleanup(&e);
    wh_buf_cleanup(&n);
    return rc;
}

/* x or y of an EC JWK: exactly row->coord bytes, copied to dst. */
static int jwk_coord(const cJSON *jwk, const char *name, const char *where,
                     const struct alg_row *row, unsigned char *dst, struct wh_err *err)
{
    struct wh_buf b;
    int rc;

    wh_buf_init(&b, row->coord);
    rc = jwk_bytes(jwk, name, where, &b, err);
    if (rc == WH_OK && wh_buf_len(&b) != row->coord)
        rc = wh_errf(err, WH_EPARSE, "%s.%s: %zu bytes, want %zu for %s", where, name,
                     wh_buf_len(&b), row->coord, row->crv);
    if (rc == WH_ETOOBIG)
        rc = wh_errf(err, WH_EPARSE, "%s.%s: more than %zu bytes, the size for %s", where, name,
                     row->coord, row->crv);
    if (rc == WH_OK)
        memcpy(dst, wh_buf_str(&b), row->coord);
    wh_buf_cleanup(&b);
    return rc;
}

static int jwk_ec(const cJSON *jwk, const struct alg_row *row, const char *where, EVP_PKEY **outp,
                  struct wh_err *err)
{
    unsigned char point[1 + 2 * 48]; /* uncompressed: 0x04 || x || y */
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    int rc;

    point[0] = 0x04;
    rc = jwk_coord(jwk, "x", where, row, point + 1, err);
    if (rc == WH_OK)
        rc = jwk_coord(jwk, "y", where, row, point + 1 + row->coord, err);
    if (rc != WH_OK)
        goto out;
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, row->group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                          1 + 2 * row->coord) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        rc = wh_errf(err, WH_EINTERNAL, "%s: cannot build EC parameters", where);
        goto out;
    }
    rc = pkey_fromdata("EC", params, where, outp, err);
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

/* The optional kid of a JWK: printable, at most WH_JWT_KID_MAX characters,
 * not already in ks. */
static int jwk_kid(const cJSON *jwk, const char *where, const struct wh_jwt_keys *ks,
                   const char **out, struct wh_err *err)
{
    const cJSON *v = NULL;
    char c[CLIP_MAX];
    int rc = wh_json_want(jwk, "kid", WH_JSON_STRING, where, &v, err);

    *out = NULL;
    if (rc != WH_OK || v == NULL)
        return rc;
    if (strlen(v->valuestring) > WH_JWT_KID_MAX || !is_printable(v->valuestring))
        return wh_errf(err, WH_EPARSE, "%s.kid: want at most %d printable ASCII characters", where,
                       WH_JWT_KID_MAX);
    for (size_t i = 0; i < ks->n; i++) {
        if (ks->keys[i].kid != NULL && strcmp(ks->keys[i].kid, v->valuestring) == 0)
            return wh_errf(err, WH_EPARSE, "%s: duplicate kid \"%s\"", where,
                           clip(v->valuestring, c));
    }
    *out = v->valuestring;
    return WH_OK;
}

/* The JWK members that decide whether a key is used at all. */
struct jwk_head {
    const char *kty, *use, *alg, *crv;
};

static int jwk_head(const cJSON *jwk, const char *where, struct jwk_head *h, struct wh_err *err)
{
    static const char *const names[] = { "kty", "use", "alg", "crv" };
    const char **fields[] = { &h->kty, &h->use, &h->alg, &h->crv };

    if (!cJSON_IsObject(jwk))
        return wh_errf(err, WH_EPARSE, "%s: expected object, got %s", where,
                       wh_json_type_name(jwk));
    for (size_t i = 0; i < WH_NELEM(names); i++) {
        const cJSON *v = NULL;
        int rc = wh_json_want(jwk, names[i], WH_JSON_STRING, where, &v, err);

        if (rc != WH_OK)
            return rc;
        *fields[i] = v ? v->valuestring : NULL;
    }
    if (h->kty == NULL)
        return wh_errf(err, WH_EPARSE, "%s.kty missing", where);
    return WH_OK;
}

/* Adds one JWK to ks, or counts it in *skipped when it is not a signature key
 * we can use. */
static int jwk_add(struct wh_jwt_keys *ks, const cJSON *jwk, size_t idx, size_t *skipped,
                   struct wh_err *err)
{
    struct jwk_head h = { NULL, NULL, NULL, NULL };
    const struct alg_row *ec = NULL;
    const char *kid = NULL;
    EVP_PKEY *pkey = NULL;
    char where[48];
    int rc;

    (void)snprintf(where, sizeof(where), "JWKS keys[%zu]", idx);
    rc = jwk_head(jwk, where, &h, err);
    if (rc == WH_OK)
        rc = jwk_kid(jwk, where, ks, &kid, err);
    if (rc != WH_OK)
        return rc;
    if (strcmp(h.kty, "EC") == 0 && h.crv != NULL)
        ec = find_crv(h.crv);
    if ((h.use != NULL && strcmp(h.use, "sig") != 0) || (h.alg != NULL && !find_alg(h.alg)) ||
        (strcmp(h.kty, "RSA") != 0 && ec == NULL)) {
        *skipped += 1;
        return WH_OK;
    }
    if (ec != NULL)
        rc = jwk_ec(jwk, ec, where, &pkey, err);
    else
        rc = jwk_rsa(jwk, where, &pkey, err);
    if (rc == WH_OK)
        rc = key_add(ks, pkey, kid, h.alg, where, err);
    EVP_PKEY_free(pkey);
    return rc;
}

static int jwks_keys(const cJSON *root, struct wh_jwt_keys *ks, struct wh_err *err)
{
    const cJSON *arr = NULL, *jwk;
    size_t idx = 0, skipped = 0;
    int rc = WH_OK;

    if (!cJSON_IsObject(root))
        return wh_errf(err, WH_EPARSE, "JWKS: expected an object, got %s", wh_json_type_name(root));
    rc = wh_json_want(root, "keys", WH_JSON_ARRAY, "JWKS", &arr, err);
    if (rc != WH_OK)
        return rc;
    if (arr == NULL)
        return wh_errf(err, WH_EPARSE, "JWKS: keys array missing");
    if (cJSON_GetArraySize(arr) > WH_JWT_KEYS_MAX)
        return wh_errf(err, WH_ETOOBIG, "JWKS: %d keys; the limit is %d", cJSON_GetArraySize(arr),
                       WH_JWT_KEYS_MAX);
    cJSON_ArrayForEach(jwk, arr)
    {
        rc = jwk_add(ks, jwk, idx++, &skipped, err);
        if (rc != WH_OK)
            return rc;
    }
    if (ks->n == 0)
        return wh_errf(err, WH_EPARSE,
                       "JWKS: no usable key among %zu (%zu skipped; want use \"sig\", kty RSA "
                       "or EC P-256/P-384, alg one of " ALG_LIST ")",
                       idx, skipped);
    return WH_OK;
}

int wh_jwt_keys_parse_jwks(const char *json, size_t len, struct wh_jwt_keys **outp,
                           struct wh_err *err)
{
    struct wh_jwt_keys *ks = NULL;
    cJSON *root = NULL;
    int rc;

    *outp = NULL;
    if (len > WH_JWT_JWKS_MAX)
        return wh_errf(err, WH_ETOOBIG, "JWKS is %zu bytes; the limit is %u", len, WH_JWT_JWKS_MAX);
    rc = wh_json_parse(json, len, WH_JWT_JSON_DEPTH, &root, err);
    if (rc != WH_OK) {
        (void)err_prefix(err, "JWKS");
        goto out;
    }
    ERR_clear_error();
    ks = wh_xcalloc(1, sizeof(*ks));
    rc = jwks_keys(root, ks, err);
    ERR_clear_error();
out:
    cJSON_Delete(root);
    if (rc == WH_OK)
        *outp = ks;
    else
        wh_jwt_keys_free(ks);
    return rc;
}

typedef int keys_parse_fn(const char *s, size_t len, struct wh_jwt_keys **outp, struct wh_err *err);

static int keys_load(const char *path, size_t cap, keys_parse_fn *parse, struct wh_jwt_keys **outp,
                     struct wh_err *err)
{
    struct wh_buf b;
    char c[CLIP_MAX];
    int rc;

    *outp = NULL;
    wh_buf_init(&b, cap);
    /* wh_file_read names the file in its messages; the parsers do not. */
    rc = wh_file_read(path, &b, err);
    if (rc == WH_OK) {
        rc = parse(wh_buf_str(&b), wh_buf_len(&b), outp, err);
        if (rc != WH_OK)
            (void)err_prefix(err, clip(path, c));
    }
    wh_buf_cleanup(&b);
    return rc;
}

int wh_jwt_keys_load_pem(const char *path, struct wh_jwt_keys **outp, struct wh_err *err)
{
    return keys_load(path, WH_JWT_PEM_MAX, wh_jwt_keys_parse_pem, outp, err);
}

int wh_jwt_keys_load_jwks(const char *path, struct wh_jwt_keys **outp, struct wh_err *err)
{
    return keys_load(path, WH_JWT_JWKS_MAX, wh_jwt_keys_parse_jwks, outp, err);
}

/* ---- decoding ------------------------------------------------------------ */

void wh_jwt_claims_init(struct wh_jwt_claims *c)
{
    memset(c, 0, sizeof(*c));
}

void wh_jwt_claims_cleanup(struct wh_jwt_claims *c)
{
    cJSON_Delete(c->header);
    cJSON_Delete(c->payload);
    memset(c, 0, sizeof(*c));
}

void wh_jwt_expect_init(struct wh_jwt_expect *e, int64_t now)
{
    memset(e, 0, sizeof(*e));
    e->now = now;
    e->leeway = WH_JWT_LEEWAY_S;
}

/* cJSON turns "\u0000" into a NUL that silently ends the C string, so that
 * "a\u0000b" would compare equal to "a": such text is refused. */
static bool has_escaped_nul(const char *s, size_t len)
{
    bool in_str = false;

    for (size_t i = 0; i < len; i++) {
        if (!in_str) {
            in_str = s[i] == '"';
        } else if (s[i] == '"') {
            in_str = false;
        } else if (s[i] == '\\') {
            if (i + 5 < len && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0)
                return true;
            i++;
        }
    }
    return false;
}

/* Object members: at most WH_JWT_MEMBERS_MAX, no name twice (parsers differ
 * on which duplicate wins). */
static int check_members(const cJSON *obj, const char *what, struct wh_err *err)
{
    const cJSON *a, *b;
    char c[CLIP_MAX];
    int n = cJSON_GetArraySize(obj);

    if (n > WH_JWT_MEMBERS_MAX)
        return wh_errf(err, WH_ETOOBIG, "token %s: %d members; the limit is %d", what, n,
                       WH_JWT_MEMBERS_MAX);
    for (a = obj->child; a != NULL; a = a->next) {
        for (b = a->next; b != NULL; b = b->next) {
            if (strcmp(a->string, b->string) == 0)
                return wh_errf(err, WH_EPARSE, "token %s: duplicate member \"%s\"", what,
                               clip(a->string, c));
        }
    }
    return WH_OK;
}

/* Decodes one base64url segment holding a JSON object into *out. */
static int segment_json(const char *s, size_t len, const char *what, cJSON **out,
                        struct wh_err *err)
{
    struct wh_buf b;
    char tag[32];
    int rc;

    *out = NULL;
    wh_buf_init(&b, WH_JWT_TOKEN_MAX);
    (void)snprintf(tag, sizeof(tag), "token %s", what);
    if (len == 0) {
        rc = wh_errf(err, WH_EPARSE, "token %s is empty", what);
        goto out;
    }
    rc = b64url_decode(s, len, &b, tag, err);
    if (rc != WH_OK)
        goto out;
    if (has_escaped_nul(wh_buf_str(&b), wh_buf_len(&b))) {
        rc = wh_errf(err, WH_EPARSE, "token %s: \\u0000 in a JSON string", what);
        goto out;
    }
    rc = wh_json_parse(wh_buf_str(&b), wh_buf_len(&b), WH_JWT_JSON_DEPTH, out, err);
    if (rc != WH_OK) {
        (void)err_prefix(err, tag);
        goto out;
    }
    if (!cJSON_IsObject(*out))
        rc = wh_errf(err, WH_EPARSE, "token %s: expected a JSON object, got %s", what,
                     wh_json_type_name(*out));
    else
        rc = check_members(*out, what, err);
out:
    wh_buf_cleanup(&b);
    if (rc != WH_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* The two dots of a compact token, at *d1 < *d2. */
static int split(const char *token, size_t len, size_t *d1, size_t *d2, struct wh_err *err)
{
    size_t dots = 0;

    if (len == 0)
        return wh_errf(err, WH_EPARSE, "token is empty");
    for (size_t i = 0; i < len; i++) {
        if (token[i] != '.')
            continue;
        if (dots == 0)
            *d1 = i;
        else if (dots == 1)
            *d2 = i;
        dots++;
    }
    if (dots != 2)
        return wh_errf(err, WH_EPARSE,
                       "token has %zu dots; a JWS compact token is header.payload.signature", dots);
    return WH_OK;
}

static int want_str(const cJSON *obj, const char *key, const char *path, const char **out,
                    struct wh_err *err)
{
    const cJSON *v = NULL;
    int rc = wh_json_want(obj, key, WH_JSON_STRING, path, &v, err);

    *out = v ? v->valuestring : NULL;
    return rc;
}

/* A NumericDate claim: a number of seconds from 0 to WH_JWT_TIME_MAX;
 * fractions are dropped. */
static int want_time(const cJSON *obj, const char *key, int64_t *out, bool *has, struct wh_err *err)
{
    const cJSON *v = NULL;
    int rc = wh_json_want(obj, key, WH_JSON_NUMBER, "token payload", &v, err);

    if (rc != WH_OK || v == NULL)
        return rc;
    if (!(v->valuedouble >= 0 && v->valuedouble <= (double)WH_JWT_TIME_MAX))
        return wh_errf(err, WH_EPARSE, "token payload.%s: %g is not a time from 0 to %lld", key,
                       v->valuedouble, WH_JWT_TIME_MAX);
    *out = (int64_t)v->valuedouble;
    *has = true;
    return WH_OK;
}

static int read_aud(struct wh_jwt_claims *c, struct wh_err *err)
{
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(c->payload, "aud");
    const cJSON *item;
    int i = 0;

    if (aud == NULL || cJSON_IsNull(aud))
        return WH_OK;
    if (!cJSON_IsString(aud) && !cJSON_IsArray(aud))
        return wh_errf(err, WH_EPARSE,
                       "token payload.aud: expected string or array of strings, got %s",
                       wh_json_type_name(aud));
    if (cJSON_IsArray(aud)) {
        cJSON_ArrayForEach(item, aud)
        {
            if (!cJSON_IsString(item))
                return wh_errf(err, WH_EPARSE, "token payload.aud[%d]: expected string, got %s", i,
                               wh_json_type_name(item));
            i++;
        }
    }
    c->aud = aud;
    return WH_OK;
}

static int read_claims(struct wh_jwt_claims *c, struct wh_err *err)
{
    int rc = want_str(c->header, "alg", "token header", &c->alg, err);

    if (rc == WH_OK)
        rc = want_str(c->header, "kid", "token header", &c->kid, err);
    if (rc == WH_OK)
        rc = want_str(c->header, "typ", "token header", &c->typ, err);
    if (rc == WH_OK)
        rc = want_str(c->payload, "iss", "token payload", &c->iss, err);
    if (rc == WH_OK)
        rc = want_str(c->payload, "sub", "token payload", &c->sub, err);
    if (rc == WH_OK)
        rc = read_aud(c, err);
    if (rc == WH_OK)
        rc = want_time(c->payload, "exp", &c->exp, &c->has_exp, err);
    if (rc == WH_OK)
        rc = want_time(c->payload, "nbf", &c->nbf, &c->has_nbf, err);
    if (rc == WH_OK)
        rc = want_time(c->payload, "iat", &c->iat, &c->has_iat, err);
    return rc;
}

int wh_jwt_decode_unverified(const char *token, size_t len, struct wh_jwt_claims *out,
                             struct wh_err *err)
{
    struct wh_jwt_claims c;
    struct wh_buf sig;
    size_t d1 = 0, d2 = 0;
    int rc;

    wh_jwt_claims_cleanup(out);
    wh_jwt_claims_init(&c);
    wh_buf_init(&sig, WH_JWT_TOKEN_MAX);
    if (len > WH_JWT_TOKEN_MAX) {
        rc = wh_errf(err, WH_ETOOBIG, "token is %zu bytes; the limit is %u", len, WH_JWT_TOKEN_MAX);
        goto out;
    }
    rc = split(token, len, &d1, &d2, err);
    if (rc == WH_OK)
        rc = segment_json(token, d1, "header", &c.header, err);
    if (rc == WH_OK)
        rc = segment_json(token + d1 + 1, d2 - d1 - 1, "payload", &c.payload, err);
    if (rc == WH_OK)
        rc = b64url_decode(token + d2 + 1, len - d2 - 1, &sig, "token signature", err);
    if (rc == WH_OK)
        rc = read_claims(&c, err);
    c.sig_len = wh_buf_len(&sig);
out:
    wh_buf_cleanup(&sig);
    if (rc == WH_OK)
        *out = c;
    else
        wh_jwt_claims_cleanup(&c);
    return rc;
}

/* ---- signature ----------------------------------------------------------- */

/* The header policy: an alg we verify (never none, never HMAC), no typ
 * other than JWT (libjwt 1.10 refuses others), no critical extensions. */
static int header_allowed(const struct wh_jwt_claims *c, const struct alg_row **out,
                          struct wh_err *err)
{
    char a[CLIP_MAX];

    *out = NULL;
    if (c->alg == NULL)
        return wh_errf(err, WH_EAUTH, "token header has no alg");
    if (strcasecmp(c->alg, "none") == 0)
        return wh_errf(err, WH_EAUTH, "alg \"%s\" (unsigned token) is never accepted",
                       clip(c->alg, a));
    if (strncasecmp(c->alg, "HS", 2) == 0)
        return wh_errf(err, WH_EAUTH,
                       "alg \"%s\" (HMAC) is never accepted: a public key is not a shared secret",
                       clip(c->alg, a));
    *out = find_alg(c->alg);
    if (*out == NULL)
        return wh_errf(err, WH_EAUTH, "alg \"%s\" is not supported (want one of " ALG_LIST ")",
                       clip(c->alg, a));
    if (c->typ != NULL && strcasecmp(c->typ, "JWT") != 0)
        return wh_errf(err, WH_EAUTH, "token header typ \"%s\" is not JWT", clip(c->typ, a));
    if (cJSON_GetObjectItemCaseSensitive(c->header, "crit") != NULL)
        return wh_errf(err, WH_EAUTH, "token header crit: critical extensions are not supported");
    return WH_OK;
}

/* How the keys for one token are chosen and what trying them found. */
struct key_search {
    const struct alg_row *alg; /* the token's alg, allowed by policy */
    const char *kid;           /* the token's kid, or NULL */
    bool by_kid;               /* some key carries that kid */
    size_t sig_len;            /* the token's signature bytes */
    size_t tried;              /* candidates pinned to alg */
    size_t bad_len;            /* of those, keys whose signatures have another size */
    size_t other_alg;          /* candidates pinned to another alg */
    size_t last;               /* index of the last candidate seen */
};

/* The size of every signature key k makes: the RSA modulus, or r||s. */
static size_t sig_size(const struct key *k)
{
    if (k->alg->pkey_type == EVP_PKEY_RSA)
        return ((size_t)k->bits + 7) / 8;
    return 2 * k->alg->coord;
}

/* A token kid selects the keys with that kid, else the keys without one; a
 * token without a kid may use any key. */
static bool key_candidate(const struct key *k, const struct key_search *s)
{
    if (s->by_kid)
        return k->kid != NULL && strcmp(k->kid, s->kid) == 0;
    if (s->kid != NULL)
        return k->kid == NULL;
    return true;
}

/* libjwt checks the signature of tok (NUL-terminated) with key k; its idea of
 * the alg must agree with the pinned one. */
static bool lib_verify(const char *tok, const struct key *k, const struct alg_row *alg)
{
    jwt_t *j = NULL;
    bool ok;

    ok = jwt_decode(&j, tok, (const unsigned char *)k->pem, (int)k->pem_len) == 0 && j != NULL &&
         jwt_get_alg(j) == alg->lib;
    if (j != NULL)
        jwt_free(j);
    ERR_clear_error();
    return ok;
}

static int search_failed(const struct wh_jwt_keys *keys, const struct key_search *s,
                         struct wh_err *err)
{
    char k[128], c[CLIP_MAX];

    if (s->tried == 0 && s->other_alg == 0)
        return wh_errf(err, WH_EAUTH,
                       "no key for kid \"%s\": none of the %zu keys has it and none is kid-less",
                       clip(s->kid, c), keys->n);
    if (s->tried == 0 && s->other_alg == 1)
        return wh_errf(err, WH_EAUTH, "alg %s is not allowed: the key (%s) is pinned to %s",
                       s->alg->name, wh_jwt_keys_describe(keys, s->last, k, sizeof(k)),
                       keys->keys[s->last].alg->name);
    if (s->tried == 0)
        return wh_errf(err, WH_EAUTH,
                       "alg %s is not allowed: none of the %zu candidate keys is "
                       "pinned to it",
                       s->alg->name, s->other_alg);
    if (s->tried == 1 && s->bad_len == 1)
        return wh_errf(err, WH_EAUTH, "signature is %zu bytes, not the %zu of %s with key %s",
                       s->sig_len, sig_size(&keys->keys[s->last]), s->alg->name,
                       wh_jwt_keys_describe(keys, s->last, k, sizeof(k)));
    if (s->tried == 1)
        return wh_errf(err, WH_EAUTH, "signature does not verify (%s with key %s)", s->alg->name,
                       wh_jwt_keys_describe(keys, s->last, k, sizeof(k)));
    return wh_errf(err, WH_EAUTH, "signature does not verify with any of the %zu %s keys", s->tried,
                   s->alg->name);
}

/* Stage 2 on claims c already decoded from the same token. */
static int check_signature(const char *token, size_t len, const struct wh_jwt_claims *c,
                           const struct wh_jwt_keys *keys, size_t *keyp, struct wh_err *err)
{
    struct key_search s = { NULL, c->kid, false, c->sig_len, 0, 0, 0, 0 };
    char *tok = NULL;
    int rc;

    if (keys == NULL || keys->n == 0)
        return wh_errf(err, WH_EINVAL, "no verification keys loaded");
    rc = header_allowed(c, &s.alg, err);
    if (rc != WH_OK)
        return rc;
    for (size_t i = 0; i < keys->n && s.kid != NULL && !s.by_kid; i++)
        s.by_kid = keys->keys[i].kid != NULL && strcmp(keys->keys[i].kid, s.kid) == 0;
    tok = wh_xstrndup(token, len);
    rc = WH_EAUTH;
    for (size_t i = 0; i < keys->n && rc != WH_OK; i++) {
        const struct key *k = &keys->keys[i];

        if (!key_candidate(k, &s))
            continue;
        s.last = i;
        if (k->alg != s.alg) {
            s.other_alg++;
            continue;
        }
        s.tried++;
        /* A size check first: besides being cheap, it keeps libjwt 1.10
         * away from an empty signature, which it decodes into a
         * zero-byte buffer and then writes past it. */
        if (c->sig_len != sig_size(k)) {
            s.bad_len++;
            continue;
        }
        if (lib_verify(tok, k, s.alg)) {
            rc = WH_OK;
            if (keyp != NULL)
                *keyp = i;
        }
    }
    free(tok);
    return rc == WH_OK ? WH_OK : search_failed(keys, &s, err);
}

int wh_jwt_verify_signature(const char *token, size_t len, const struct wh_jwt_keys *keys,
                            size_t *keyp, struct wh_err *err)
{
    struct wh_jwt_claims c;
    int rc;

    wh_jwt_claims_init(&c);
    rc = wh_jwt_decode_unverified(token, len, &c, err);
    if (rc == WH_OK)
        rc = check_signature(token, len, &c, keys, keyp, err);
    wh_jwt_claims_cleanup(&c);
    return rc;
}

/* ---- claims -------------------------------------------------------------- */

int wh_jwt_check_time(const struct wh_jwt_claims *c, const struct wh_jwt_expect *e,
                      struct wh_err *err)
{
    char when[32];

    if (e->leeway < 0 || e->leeway > WH_JWT_LEEWAY_MAX)
        return wh_errf(err, WH_EINVAL, "leeway of %lld s is outside 0..%d", (long long)e->leeway,
                       WH_JWT_LEEWAY_MAX);
    if (e->now < 0 || e->now > WH_JWT_TIME_MAX)
        return wh_errf(err, WH_EINVAL, "clock value %lld is outside 0..%lld", (long long)e->now,
                       WH_JWT_TIME_MAX);
    if (!c->has_exp)
        return wh_errf(err, WH_EAUTH, "token has no exp claim; an expiry time is required");
    if (e->now >= c->exp + e->leeway)
        return wh_errf(err, WH_EAUTH, "token expired at %s, %lld s ago (exp; leeway %lld s)",
                       wh_jwt_time_str(c->exp, when, sizeof(when)), (long long)(e->now - c->exp),
                       (long long)e->leeway);
    if (c->has_nbf && c->nbf > e->now + e->leeway)
        return wh_errf(err, WH_EAUTH,
                       "token not valid before %s, %lld s from now (nbf; leeway "
                       "%lld s)",
                       wh_jwt_time_str(c->nbf, when, sizeof(when)), (long long)(c->nbf - e->now),
                       (long long)e->leeway);
    if (c->has_iat && c->iat > e->now + e->leeway)
        return wh_errf(err, WH_EAUTH,
                       "token issued in the future at %s, %lld s from now (iat; "
                       "leeway %lld s)",
                       wh_jwt_time_str(c->iat, when, sizeof(when)), (long long)(c->iat - e->now),
                       (long long)e->leeway);
    return WH_OK;
}

bool wh_jwt_claims_has_aud(const struct wh_jwt_claims *c, const char *aud)
{
    const cJSON *item;

    if (c->aud == NULL || aud == NULL)
        return false;
    if (cJSON_IsString(c->aud))
        return strcmp(c->aud->valuestring, aud) == 0;
    cJSON_ArrayForEach(item, c->aud)
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, aud) == 0)
            return true;
    }
    return false;
}

/* Appends s to the string in buf, clipped at size. */
static void append(char *buf, size_t size, const char *s)
{
    size_t used = strlen(buf);

    if (used + 1 < size)
        (void)wh_strlcpy(buf + used, s, size - used);
}

/* The aud claim for a message: "a", or ["a", "b", ...], clipped. */
static const char *aud_str(const cJSON *aud, char *buf, size_t size)
{
    const cJSON *item;
    char c[CLIP_MAX];

    if (cJSON_IsString(aud)) {
        (void)snprintf(buf, size, "\"%s\"", clip(aud->valuestring, c));
        return buf;
    }
    (void)wh_strlcpy(buf, "[", size);
    cJSON_ArrayForEach(item, aud)
    {
        append(buf, size, item == aud->child ? "\"" : ", \"");
        append(buf, size, clip(item->valuestring, c));
        append(buf, size, "\"");
    }
    append(buf, size, "]");
    return buf;
}

int wh_jwt_check_claims(const struct wh_jwt_claims *c, const struct wh_jwt_expect *e,
                        struct wh_err *err)
{
    char a[CLIP_MAX], b[CLIP_MAX], list[160];

    if (e->iss != NULL && c->iss == NULL)
        return wh_errf(err, WH_EAUTH, "token has no iss claim; want issuer \"%s\"",
                       clip(e->iss, b));
    if (e->iss != NULL && strcmp(c->iss, e->iss) != 0)
        return wh_errf(err, WH_EAUTH, "iss \"%s\" is not the expected issuer \"%s\"",
                       clip(c->iss, a), clip(e->iss, b));
    if (e->aud != NULL && c->aud == NULL)
        return wh_errf(err, WH_EAUTH, "token has no aud claim; want audience \"%s\"",
                       clip(e->aud, b));
    if (e->aud != NULL && !wh_jwt_claims_has_aud(c, e->aud))
        return wh_errf(err, WH_EAUTH, "aud %s does not contain the expected audience \"%s\"",
                       aud_str(c->aud, list, sizeof(list)), clip(e->aud, b));
    if (e->sub != NULL && c->sub == NULL)
        return wh_errf(err, WH_EAUTH, "token has no sub claim; want subject \"%s\"",
                       clip(e->sub, b));
    if (e->sub != NULL && strcmp(c->sub, e->sub) != 0)
        return wh_errf(err, WH_EAUTH, "sub \"%s\" is not the expected subject \"%s\"",
                       clip(c->sub, a), clip(e->sub, b));
    return WH_OK;
}

int wh_jwt_verify(const char *token, size_t len, const struct wh_jwt_keys *keys,
                  const struct wh_jwt_expect *expect, struct wh_jwt_claims *out, struct wh_err *err)
{
    struct wh_jwt_claims c;
    int rc;

    wh_jwt_claims_cleanup(out);
    if (keys == NULL || expect == NULL)
        return wh_errf(err, WH_EINVAL, "wh_jwt_verify needs keys and expectations");
    wh_jwt_claims_init(&c);
    rc = wh_jwt_decode_unverified(token, len, &c, err);
    if (rc == WH_OK)
        rc = check_signature(token, len, &c, keys, NULL, err);
    if (rc == WH_OK)
        rc = wh_jwt_check_time(&c, expect, err);
    if (rc == WH_OK)
        rc = wh_jwt_check_claims(&c, expect, err);
    if (rc == WH_OK)
        *out = c;
    else
        wh_jwt_claims_cleanup(&c);
    return rc;
}

/* ---- Kubernetes ---------------------------------------------------------- */

enum name_kind {
    NAME_LABEL,     /* DNS-1123 label: a namespace */
    NAME_SUBDOMAIN, /* DNS-1123 subdomain: a service account or pod */
    NAME_UID,       /* a UID: letters, digits and '-' */
};

static bool is_alnum_lower(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool valid_name(const char *s, size_t len, enum name_kind kind)
{
    size_t max = kind == NAME_LABEL ? WH_JWT_NS_MAX
                 : kind == NAME_UID ? WH_JWT_UID_MAX
                                    : WH_JWT_NAME_MAX;

    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool edge = i == 0 || i + 1 == len ||
                    (kind == NAME_SUBDOMAIN && (s[i - 1] == '.' || s[i + 1] == '.'));

        if (kind == NAME_UID) {
            if (!is_alnum_lower(ch) && !(ch >= 'A' && ch <= 'Z') && ch != '-')
                return false;
        } else if (ch == '.' && kind == NAME_SUBDOMAIN && !edge) {
            continue;
        } else if (!is_alnum_lower(ch) && (ch != '-' || edge)) {
            return false;
        }
    }
    return true;
}

static const char *kind_name(enum name_kind kind)
{
    return kind == NAME_LABEL ? "a DNS-1123 label"
           : kind == NAME_UID ? "a UID"
                              : "a DNS-1123 subdomain";
}

int wh_jwt_k8s_parse_sub(const char *sub, struct wh_jwt_k8s *out, struct wh_err *err)
{
    const size_t plen = strlen(WH_JWT_SA_SUB_PREFIX);
    const char *ns, *colon;
    char c[CLIP_MAX];

    memset(out, 0, sizeof(*out));
    if (sub == NULL)
        return wh_errf(err, WH_EPARSE, "token has no sub claim");
    ns = sub + plen;
    colon = wh_str_has_prefix(sub, WH_JWT_SA_SUB_PREFIX) ? strchr(ns, ':') : NULL;
    if (colon == NULL)
        return wh_errf(err, WH_EPARSE, "sub \"%s\" is not system:serviceaccount:NAMESPACE:NAME",
                       clip(sub, c));
    if (!valid_name(ns, (size_t)(colon - ns), NAME_LABEL))
        return wh_errf(err, WH_EPARSE, "sub \"%s\": the namespace is not %s", clip(sub, c),
                       kind_name(NAME_LABEL));
    if (!valid_name(colon + 1, strlen(colon + 1), NAME_SUBDOMAIN))
        return wh_errf(err, WH_EPARSE, "sub \"%s\": the service account name is not %s",
                       clip(sub, c), kind_name(NAME_SUBDOMAIN));
    memcpy(out->ns, ns, (size_t)(colon - ns));
    (void)wh_strlcpy(out->sa, colon + 1, sizeof(out->sa));
    return WH_OK;
}

/* Copies the string obj[key] (path names obj in messages) into dst, which
 * holds the largest name of its kind, when it is valid; absent leaves dst
 * untouched. */
static int copy_name(const cJSON *obj, const char *key, const char *path, enum name_kind kind,
                     char *dst, struct wh_err *err)
{
    const cJSON *v = NULL;
    char c[CLIP_MAX];
    size_t len;
    int rc = wh_json_want(obj, key, WH_JSON_STRING, path, &v, err);

    if (rc != WH_OK || v == NULL)
        return rc;
    len = strlen(v->valuestring);
    if (!valid_name(v->valuestring, len, kind))
        return wh_errf(err, WH_EPARSE, "%s.%s \"%s\" is not %s", path, key, clip(v->valuestring, c),
                       kind_name(kind));
    memcpy(dst, v->valuestring, len + 1);
    return WH_OK;
}

/* Checks that path.key, when present, equals want (taken from sub). */
static int same_as_sub(const cJSON *obj, const char *key, const char *path, const char *want,
                       struct wh_err *err)
{
    const char *v = NULL;
    char a[CLIP_MAX], b[CLIP_MAX];
    int rc = want_str(obj, key, path, &v, err);

    if (rc == WH_OK && v != NULL && strcmp(v, want) != 0)
        rc = wh_errf(err, WH_EPARSE, "%s.%s \"%s\" disagrees with sub (\"%s\")", path, key,
                     clip(v, a), clip(want, b));
    return rc;
}

static int k8s_object(const cJSON *kio, struct wh_jwt_k8s *k, struct wh_err *err)
{
    const char *path = "kubernetes.io";
    const cJSON *sa = NULL, *pod = NULL;
    int rc = same_as_sub(kio, "namespace", path, k->ns, err);

    if (rc == WH_OK)
        rc = wh_json_want(kio, "serviceaccount", WH_JSON_OBJECT, path, &sa, err);
    if (rc == WH_OK)
        rc = same_as_sub(sa, "name", "kubernetes.io.serviceaccount", k->sa, err);
    if (rc == WH_OK)
        rc = copy_name(sa, "uid", "kubernetes.io.serviceaccount", NAME_UID, k->sa_uid, err);
    if (rc == WH_OK)
        rc = wh_json_want(kio, "pod", WH_JSON_OBJECT, path, &pod, err);
    if (rc == WH_OK)
        rc = copy_name(pod, "name", "kubernetes.io.pod", NAME_SUBDOMAIN, k->pod, err);
    if (rc == WH_OK)
        rc = copy_name(pod, "uid", "kubernetes.io.pod", NAME_UID, k->pod_uid, err);
    if (rc == WH_OK && pod != NULL && k->pod[0] == '\0')
        rc = wh_errf(err, WH_EPARSE, "kubernetes.io.pod has no name");
    k->has_pod = pod != NULL;
    return rc;
}

int wh_jwt_k8s_parse(const struct wh_jwt_claims *c, struct wh_jwt_k8s *out, struct wh_err *err)
{
    struct wh_jwt_k8s k;
    const cJSON *kio = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = wh_jwt_k8s_parse_sub(c->sub, &k, err);
    if (rc == WH_OK)
        rc = wh_json_want(c->payload, "kubernetes.io", WH_JSON_OBJECT, "token payload", &kio, err);
    if (rc == WH_OK && kio != NULL)
        rc = k8s_object(kio, &k, err);
    if (rc == WH_OK)
        *out = k;
    return rc;
}
