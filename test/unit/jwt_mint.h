/* SPDX-License-Identifier: Apache-2.0
 *
 * jwt_mint.h - JWS tokens minted with OpenSSL for the tests of the token
 * verifier (test_jwt.c) and of `sparkhook token` (test_token.c): base64url
 * without padding, RS/ES signatures (ECDSA's DER converted to the raw r||s
 * JWS uses), HS256 for the key-confusion attacks. Header-only so that each
 * test binary still stands alone; the includer provides check.h and JWT_MINT_MAX (the
 * cap of the buffers built here).
 *
 * Ownership: mint and mint_hmac return text the caller frees.
 */
#ifndef WH_TEST_JWT_MINT_H
#define WH_TEST_JWT_MINT_H

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "check.h"
#include "util/b64.h"
#include "util/buf.h"

#define JWT_MINT_MAX (1u << 22) /* the cap of every buffer built here */

static inline void b64url(const void *p, size_t len, struct wh_buf *out)
{
    struct wh_buf tmp;

    wh_buf_init(&tmp, JWT_MINT_MAX);
    CHECK_OK(wh_b64_encode(p, len, &tmp));
    for (size_t i = 0; i < wh_buf_len(&tmp); i++) {
        char c = wh_buf_str(&tmp)[i];

        if (c == '=')
            break;
        CHECK_OK(wh_buf_addc(out, c == '+' ? '-' : c == '/' ? '_' : c));
    }
    wh_buf_cleanup(&tmp);
}

/* ECDSA signs in DER; JWS wants r and s as fixed-size big-endian halves. */
static inline void ec_raw(EVP_PKEY *key, const unsigned char *der, size_t n, struct wh_buf *sig)
{
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)n);
    int coord = (EVP_PKEY_get_bits(key) + 7) / 8;
    unsigned char raw[2 * 66];

    CHECK(es != NULL);
    CHECK(BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, coord) == coord);
    CHECK(BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + coord, coord) == coord);
    ECDSA_SIG_free(es);
    CHECK_OK(wh_buf_add(sig, raw, 2 * (size_t)coord));
}

static inline void sign(EVP_PKEY *key, const EVP_MD *md, const char *input, struct wh_buf *sig)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char der[1024];
    size_t n = sizeof(der);

    CHECK(ctx != NULL);
    CHECK(EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1);
    CHECK(EVP_DigestSign(ctx, der, &n, (const unsigned char *)input, strlen(input)) == 1);
    EVP_MD_CTX_free(ctx);
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
        ec_raw(key, der, n, sig);
    else
        CHECK_OK(wh_buf_add(sig, der, n));
}

/* "b64(hdr).b64(payload).b64(sig)", signed with key and md (an empty
 * signature when key is NULL); the caller frees it. */
static inline char *mint(const char *hdr, const char *payload, EVP_PKEY *key, const EVP_MD *md)
{
    struct wh_buf t, sig;

    wh_buf_init(&t, JWT_MINT_MAX);
    wh_buf_init(&sig, 4096);
    b64url(hdr, strlen(hdr), &t);
    CHECK_OK(wh_buf_addc(&t, '.'));
    b64url(payload, strlen(payload), &t);
    if (key != NULL)
        sign(key, md, wh_buf_str(&t), &sig);
    CHECK_OK(wh_buf_addc(&t, '.'));
    b64url(wh_buf_str(&sig), wh_buf_len(&sig), &t);
    wh_buf_cleanup(&sig);
    return wh_buf_take(&t, NULL);
}

/* The same with an HMAC-SHA256 signature under secret. */
static inline char *mint_hmac(const char *hdr, const char *payload, const void *secret, size_t len)
{
    struct wh_buf t;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;

    wh_buf_init(&t, JWT_MINT_MAX);
    b64url(hdr, strlen(hdr), &t);
    CHECK_OK(wh_buf_addc(&t, '.'));
    b64url(payload, strlen(payload), &t);
    CHECK(HMAC(EVP_sha256(), secret, (int)len, (const unsigned char *)wh_buf_str(&t),
               wh_buf_len(&t), mac, &maclen) != NULL);
    CHECK_OK(wh_buf_addc(&t, '.'));
    b64url(mac, maclen, &t);
    return wh_buf_take(&t, NULL);
}

#endif
