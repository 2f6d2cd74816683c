/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jwt.c - jwt.h against tokens minted here with OpenSSL: RSA 2048 and
 * EC P-256/P-384 keys generated once per run, header.payload signed with
 * EVP_DigestSign (RS256: PKCS#1 v1.5 with SHA-256; ES256/ES384: the DER
 * signature converted to the raw r||s form JWS uses), base64url without
 * padding. Keys reach jwt.c the way they do in production: PEM and JWKS files
 * written to a fresh mkdtemp directory. Covered: valid RS256/ES256/ES384
 * tokens with PEM and JWKS keys and kid selection; exp/nbf/iat with the leeway
 * on both sides of the boundary; iss, aud and sub; the attacks (tampered
 * payload or signature, alg none, HS256 signed with the public key as the
 * HMAC secret, an alg that does not fit the key); malformed tokens and the
 * size caps; key-file errors; the Kubernetes claims.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include "check.h"
#include "jwt_mint.h"
#include "jwtverify.h"
#include "util/b64.h"
#include "util/buf.h"
#include "util/mem.h"

#include "banned.h"

#define NOW  1700000000LL /* the injected clock of every test */
#define ISS  "https://oidc.eks.eu-west-1.amazonaws.com/id/TESTCLUSTER"
#define AUD  "sts.amazonaws.com"
#define SUB  "system:serviceaccount:spark:spark-driver"
#define OMIT LLONG_MIN /* leave a time claim out */
#define BIG  (1u << 22)

#define HDR_RS256 "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}"
#define HDR_ES256 "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}"

#define CHECK_HAS(s, needle)                                                    \
    do {                                                                        \
        const char *s_ = (s), *n_ = (needle);                                   \
        if (strstr(s_, n_) == NULL)                                             \
            CHECK_FAIL_("%s does not contain \"%s\":\n    \"%s\"", #s, n_, s_); \
    } while (0)

/* ---- keys (generated once; freed at exit) --------------------------------- */

static EVP_PKEY *k_rsa, *k_rsa2, *k_ec, *k_ec384;

static void keys_free(void)
{
    EVP_PKEY_free(k_rsa);
    EVP_PKEY_free(k_rsa2);
    EVP_PKEY_free(k_ec);
    EVP_PKEY_free(k_ec384);
}

static void keys_make(void)
{
    if (k_rsa != NULL)
        return;
    k_rsa = EVP_RSA_gen(2048);
    k_rsa2 = EVP_RSA_gen(2048);
    k_ec = EVP_EC_gen("P-256");
    k_ec384 = EVP_EC_gen("P-384");
    CHECK(k_rsa != NULL && k_rsa2 != NULL && k_ec != NULL && k_ec384 != NULL);
    CHECK(atexit(keys_free) == 0);
}

/* ---- minting ---------------------------------------------------------------- */

struct spec {
    const char *iss, *sub;
    const char *aud; /* raw JSON */
    long long exp, nbf, iat;
    const char *kio; /* raw JSON of the "kubernetes.io" claim, or NULL */
};

static struct spec spec_ok(void)
{
    struct spec s = {
        ISS,
        SUB,
        "[\"" AUD "\"]",
        NOW + 3600,
        NOW - 10,
        NOW - 10,
        "{\"namespace\":\"spark\",\"serviceaccount\":{\"name\":\"spark-driver\",\"uid\":"
        "\"0b7c5c1e-8a3f-4b8e-9a55-7d2f0f4f6c11\"},\"pod\":{\"name\":\"spark-pi-driver\","
        "\"uid\":\"5d0a9c64-2d4b-4a8e-8f0e-2f8b9c1d3e7a\"}}",
    };

    return s;
}

static char *payload_json(const struct spec *s)
{
    struct wh_buf b;
    static const char *const names[] = { "exp", "nbf", "iat" };
    const long long vals[] = { s->exp, s->nbf, s->iat };

    wh_buf_init(&b, BIG);
    CHECK_OK(
        wh_buf_printf(&b, "{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":%s", s->iss, s->sub, s->aud));
    for (size_t i = 0; i < 3; i++) {
        if (vals[i] != OMIT)
            CHECK_OK(wh_buf_printf(&b, ",\"%s\":%lld", names[i], vals[i]));
    }
    if (s->kio != NULL)
        CHECK_OK(wh_buf_printf(&b, ",\"kubernetes.io\":%s", s->kio));
    CHECK_OK(wh_buf_addc(&b, '}'));
    return wh_buf_take(&b, NULL);
}

/* A token for s under hdr, signed with key (SHA-256, or SHA-384 for a P-384
 * key). */
static char *token_for(const struct spec *s, const char *hdr, EVP_PKEY *key)
{
    char *payload = payload_json(s);
    const EVP_MD *md = key == k_ec384 ? EVP_sha384() : EVP_sha256();
    char *t = mint(hdr, payload, key, md);

    free(payload);
    return t;
}

/* ---- files ------------------------------------------------------------------ */

struct fx {
    char dir[PATH_MAX - 64];
};

static void fx_setup(struct fx *f)
{
    const char *tmp = getenv("TMPDIR");

    memset(f, 0, sizeof(*f));
    (void)snprintf(f->dir, sizeof(f->dir), "%s/test_jwt.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(f->dir) != NULL);
    keys_make();
}

static void fx_teardown(struct fx *f)
{
    DIR *d = opendir(f->dir);
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            (void)unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d != NULL)
        (void)closedir(d);
    (void)rmdir(f->dir);
}

/* Writes len bytes to dir/name; path receives the name (PATH_MAX bytes). */
static const char *write_file(const struct fx *f, const char *name, const void *data, size_t len,
                              char *path)
{
    int fd;

    CHECK(snprintf(path, PATH_MAX, "%s/%s", f->dir, name) < PATH_MAX);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, data, len) == (ssize_t)len);
    CHECK(close(fd) == 0);
    return path;
}

static void pub_pem(EVP_PKEY *key, struct wh_buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n;

    CHECK(bio != NULL && PEM_write_bio_PUBKEY(bio, key) == 1);
    n = BIO_get_mem_data(bio, &data);
    CHECK(n > 0);
    CHECK_OK(wh_buf_add(out, data, (size_t)n));
    BIO_free(bio);
}

static const char *write_pem(const struct fx *f, const char *name, EVP_PKEY *key, char *path)
{
    struct wh_buf b;

    wh_buf_init(&b, BIG);
    pub_pem(key, &b);
    write_file(f, name, wh_buf_str(&b), wh_buf_len(&b), path);
    wh_buf_cleanup(&b);
    return path;
}

static void bn_b64url(EVP_PKEY *key, const char *param, int pad, struct wh_buf *out)
{
    BIGNUM *bn = NULL;
    unsigned char bytes[1024];
    int n;

    CHECK(EVP_PKEY_get_bn_param(key, param, &bn) == 1);
    n = pad > 0 ? BN_bn2binpad(bn, bytes, pad) : BN_bn2bin(bn, bytes);
    BN_free(bn);
    CHECK(n > 0);
    b64url(bytes, (size_t)n, out);
}

/* Appends the JWK of key: kty RSA with n/e, or kty EC with crv/x/y. alg_json
 * is raw text such as "\"alg\":\"RS256\"," or "". */
static void jwk(struct wh_buf *out, EVP_PKEY *key, const char *kid, const char *alg_json)
{
    bool ec = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC;
    int coord = (EVP_PKEY_get_bits(key) + 7) / 8;

    CHECK_OK(wh_buf_printf(out, "{\"kid\":\"%s\",\"use\":\"sig\",%s", kid, alg_json));
    if (ec) {
        CHECK_OK(wh_buf_printf(out, "\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"",
                               coord == 32 ? "P-256" : "P-384"));
        bn_b64url(key, OSSL_PKEY_PARAM_EC_PUB_X, coord, out);
        CHECK_OK(wh_buf_adds(out, "\",\"y\":\""));
        bn_b64url(key, OSSL_PKEY_PARAM_EC_PUB_Y, coord, out);
    } else {
        CHECK_OK(wh_buf_adds(out, "\"kty\":\"RSA\",\"n\":\""));
        bn_b64url(key, OSSL_PKEY_PARAM_RSA_N, 0, out);
        CHECK_OK(wh_buf_adds(out, "\",\"e\":\""));
        bn_b64url(key, OSSL_PKEY_PARAM_RSA_E, 0, out);
    }
    CHECK_OK(wh_buf_adds(out, "\"}"));
}

/* The JWKS used by most tests: rsa-1 (alg RS256), rsa-2 (no alg), ec-1
 * (P-256), ec384-1 (P-384), plus a symmetric key and an encryption key that
 * must be skipped. */
static void jwks_text(struct wh_buf *b)
{
    CHECK_OK(wh_buf_adds(b, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"hmac\",\"k\":\"c2VjcmV0\"},"));
    jwk(b, k_rsa, "rsa-1", "\"alg\":\"RS256\",");
    CHECK_OK(wh_buf_addc(b, ','));
    jwk(b, k_rsa2, "rsa-2", "");
    CHECK_OK(wh_buf_addc(b, ','));
    jwk(b, k_ec, "ec-1", "");
    CHECK_OK(wh_buf_addc(b, ','));
    jwk(b, k_ec384, "ec384-1", "\"alg\":\"ES384\",");
    CHECK_OK(wh_buf_adds(b, ",{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"enc-1\",\"n\":\"AQAB\","
                            "\"e\":\"AQAB\"}]}"));
}

static struct wh_jwt_keys *load_jwks(const struct fx *f)
{
    struct wh_jwt_keys *keys = NULL;
    struct wh_buf b;
    struct wh_err err;
    char path[PATH_MAX];

    wh_buf_init(&b, BIG);
    jwks_text(&b);
    write_file(f, "jwks.json", wh_buf_str(&b), wh_buf_len(&b), path);
    wh_buf_cleanup(&b);
    if (wh_jwt_keys_load_jwks(path, &keys, &err) != WH_OK)
        CHECK_FAIL_("load_jwks: %s", err.msg);
    return keys;
}

static struct wh_jwt_keys *load_pem(const struct fx *f, EVP_PKEY *key)
{
    struct wh_jwt_keys *keys = NULL;
    struct wh_err err;
    char path[PATH_MAX];

    write_pem(f, "key.pem", key, path);
    if (wh_jwt_keys_load_pem(path, &keys, &err) != WH_OK)
        CHECK_FAIL_("load_pem: %s", err.msg);
    return keys;
}

/* wh_jwt_verify with iss ISS, aud AUD and the clock at now. */
static int verify_at(const char *tok, const struct wh_jwt_keys *keys, long long now,
                     struct wh_err *err)
{
    struct wh_jwt_expect e;
    struct wh_jwt_claims c;
    int rc;

    wh_jwt_expect_init(&e, now);
    e.iss = ISS;
    e.aud = AUD;
    wh_jwt_claims_init(&c);
    wh_err_clear(err);
    rc = wh_jwt_verify(tok, strlen(tok), keys, &e, &c, err);
    if (rc != WH_OK)
        CHECK(c.payload == NULL);
    wh_jwt_claims_cleanup(&c);
    return rc;
}

static int verify(const char *tok, const struct wh_jwt_keys *keys, struct wh_err *err)
{
    return verify_at(tok, keys, NOW, err);
}

/* Expects verify() to fail with rc and a message that contains needle. */
#define CHECK_REJECT(tok, keys, rc, needle)         \
    do {                                            \
        struct wh_err e_;                           \
        CHECK_RC(verify((tok), (keys), &e_), (rc)); \
        CHECK_HAS(e_.msg, (needle));                \
    } while (0)

/* ---- valid tokens --------------------------------------------------------- */

static void test_rs256_pem(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_jwt_expect e;
    struct wh_jwt_claims c;
    struct wh_jwt_k8s k;
    struct wh_err err;
    char *tok;

    fx_setup(&f);
    s = spec_ok();
    keys = load_pem(&f, k_rsa);
    CHECK_EQ(wh_jwt_keys_count(keys), 1);
    tok = token_for(&s, HDR_RS256, k_rsa);
    wh_jwt_expect_init(&e, NOW);
    e.iss = ISS;
    e.aud = AUD;
    e.sub = SUB;
    wh_jwt_claims_init(&c);
    CHECK_OK(wh_jwt_verify(tok, strlen(tok), keys, &e, &c, &err));
    CHECK_STR_EQ(c.alg, "RS256");
    CHECK_STR_EQ(c.kid, "rsa-1");
    CHECK_STR_EQ(c.iss, ISS);
    CHECK_STR_EQ(c.sub, SUB);
    CHECK(c.has_exp && c.has_nbf && c.has_iat);
    CHECK_EQ(c.exp, NOW + 3600);
    CHECK_EQ(c.sig_len, 256);
    CHECK(wh_jwt_claims_has_aud(&c, AUD));
    CHECK(!wh_jwt_claims_has_aud(&c, "other"));
    CHECK_OK(wh_jwt_k8s_parse(&c, &k, &err));
    CHECK_STR_EQ(k.ns, "spark");
    CHECK_STR_EQ(k.sa, "spark-driver");
    CHECK_STR_EQ(k.sa_uid, "0b7c5c1e-8a3f-4b8e-9a55-7d2f0f4f6c11");
    CHECK(k.has_pod);
    CHECK_STR_EQ(k.pod, "spark-pi-driver");
    CHECK_STR_EQ(k.pod_uid, "5d0a9c64-2d4b-4a8e-8f0e-2f8b9c1d3e7a");
    wh_jwt_claims_cleanup(&c);
    wh_jwt_claims_cleanup(&c); /* idempotent */
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_es256_pem(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_err err;
    char desc[128];
    char *tok;

    fx_setup(&f);
    s = spec_ok();
    keys = load_pem(&f, k_ec);
    CHECK_STR_EQ(wh_jwt_keys_describe(keys, 0, desc, sizeof(desc)),
                 "no kid, ES256, P-256 256 bits");
    tok = token_for(&s, HDR_ES256, k_ec);
    CHECK_OK(verify(tok, keys, &err));
    free(tok);
    /* A token without kid matches the kid-less PEM key too. */
    tok = token_for(&s, "{\"alg\":\"ES256\",\"typ\":\"JWT\"}", k_ec);
    CHECK_OK(verify(tok, keys, &err));
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_jwks_kid_selection(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_err err;
    size_t idx = 99;
    char *tok;

    fx_setup(&f);
    s = spec_ok();
    keys = load_jwks(&f);
    CHECK_EQ(wh_jwt_keys_count(keys), 4); /* oct and enc keys skipped */
    tok = token_for(&s, "{\"alg\":\"RS256\",\"kid\":\"rsa-2\"}", k_rsa2);
    CHECK_OK(verify(tok, keys, &err));
    CHECK_OK(wh_jwt_verify_signature(tok, strlen(tok), keys, &idx, &err));
    CHECK_EQ(idx, 1);
    free(tok);
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_OK(wh_jwt_verify_signature(tok, strlen(tok), keys, &idx, &err));
    CHECK_EQ(idx, 0);
    free(tok);
    tok = token_for(&s, HDR_ES256, k_ec);
    CHECK_OK(verify(tok, keys, &err));
    free(tok);
    tok = token_for(&s, "{\"alg\":\"ES384\",\"kid\":\"ec384-1\"}", k_ec384);
    CHECK_OK(verify(tok, keys, &err));
    free(tok);
    /* No kid: every key pinned to RS256 is tried. */
    tok = token_for(&s, "{\"alg\":\"RS256\"}", k_rsa2);
    CHECK_OK(wh_jwt_verify_signature(tok, strlen(tok), keys, &idx, &err));
    CHECK_EQ(idx, 1);
    free(tok);
    /* The kid selects the key: rsa-1's kid with rsa-2's signature fails. */
    tok = token_for(&s, HDR_RS256, k_rsa2);
    CHECK_REJECT(tok, keys, WH_EAUTH, "signature does not verify (RS256 with key kid \"rsa-1\"");
    free(tok);
    tok = token_for(&s, "{\"alg\":\"RS256\",\"kid\":\"unknown\"}", k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "no key for kid \"unknown\"");
    free(tok);
    /* ES256 on the P-384 key's kid: the key is pinned to ES384. */
    tok = token_for(&s, "{\"alg\":\"ES256\",\"kid\":\"ec384-1\"}", k_ec);
    CHECK_REJECT(tok, keys, WH_EAUTH, "alg ES256 is not allowed");
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

/* ---- time ------------------------------------------------------------------- */

static void expect_time(const struct spec *s, const struct wh_jwt_keys *keys, int rc,
                        const char *needle)
{
    char *tok = token_for(s, HDR_RS256, k_rsa);
    struct wh_jwt_claims c;
    struct wh_jwt_expect e;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_RC(verify(tok, keys, &err), rc);
    if (needle != NULL)
        CHECK_HAS(err.msg, needle);
    /* The failing stage is the time check, after a good signature. */
    if (rc != WH_OK) {
        wh_jwt_claims_init(&c);
        wh_jwt_expect_init(&e, NOW);
        CHECK_OK(wh_jwt_verify_signature(tok, strlen(tok), keys, NULL, &err));
        CHECK_OK(wh_jwt_decode_unverified(tok, strlen(tok), &c, &err));
        CHECK_RC(wh_jwt_check_time(&c, &e, &err), WH_EAUTH);
        wh_jwt_claims_cleanup(&c);
    }
    free(tok);
}

static void test_time(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    s = spec_ok();
    s.exp = NOW - 61;
    expect_time(&s, keys, WH_EAUTH, "token expired at 2023-11-14T22:12:19Z, 61 s ago");
    s.exp = NOW - 60; /* now == exp + leeway: expired */
    expect_time(&s, keys, WH_EAUTH, "expired");
    s.exp = NOW - 59; /* within the leeway */
    s.nbf = s.iat = NOW - 100;
    expect_time(&s, keys, WH_OK, NULL);
    s = spec_ok();
    s.nbf = NOW + 61;
    expect_time(&s, keys, WH_EAUTH, "token not valid before 2023-11-14T22:14:21Z, 61 s from now");
    s.nbf = NOW + 60;
    expect_time(&s, keys, WH_OK, NULL);
    s = spec_ok();
    s.iat = NOW + 61;
    expect_time(&s, keys, WH_EAUTH, "issued in the future");
    s = spec_ok();
    s.exp = OMIT;
    expect_time(&s, keys, WH_EAUTH, "no exp claim");
    s = spec_ok();
    s.nbf = s.iat = OMIT; /* optional */
    expect_time(&s, keys, WH_OK, NULL);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_clock_injection(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_err err;
    struct wh_jwt_claims c;
    struct wh_jwt_expect e;
    char *tok;

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    s = spec_ok();
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_OK(verify_at(tok, keys, NOW, &err));
    CHECK_RC(verify_at(tok, keys, NOW + 3600 + 60, &err), WH_EAUTH);
    CHECK_HAS(err.msg, "expired");
    CHECK_RC(verify_at(tok, keys, NOW - 10 - 61, &err), WH_EAUTH);
    CHECK_HAS(err.msg, "not valid before");
    /* A zero leeway is honoured; a silly one is refused. */
    wh_jwt_claims_init(&c);
    CHECK_OK(wh_jwt_decode_unverified(tok, strlen(tok), &c, &err));
    wh_jwt_expect_init(&e, NOW + 3600 - 1);
    e.leeway = 0;
    CHECK_OK(wh_jwt_check_time(&c, &e, &err));
    e.now = NOW + 3600;
    CHECK_RC(wh_jwt_check_time(&c, &e, &err), WH_EAUTH);
    e.leeway = WH_JWT_LEEWAY_MAX + 1;
    CHECK_RC(wh_jwt_check_time(&c, &e, &err), WH_EINVAL);
    wh_jwt_claims_cleanup(&c);
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

/* ---- iss, aud, sub ---------------------------------------------------------- */

static void test_iss_aud_sub(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_jwt_claims c;
    struct wh_jwt_expect e;
    struct wh_err err;
    char *tok;

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    s = spec_ok();
    s.aud = "[\"api://AzureADTokenExchange\",\"other\"]";
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH,
                 "aud [\"api://AzureADTokenExchange\", \"other\"] does not contain the expected "
                 "audience \"sts.amazonaws.com\"");
    free(tok);
    s.aud = "\"" AUD "\""; /* a plain string is fine */
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_OK(verify(tok, keys, &err));
    free(tok);
    s.aud = "\"nope\"";
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "aud \"nope\" does not contain");
    free(tok);
    s = spec_ok();
    s.iss = "https://evil.example.com";
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH,
                 "iss \"https://evil.example.com\" is not the expected issuer \"" ISS "\"");
    free(tok);
    /* sub, checked only when expected. */
    s = spec_ok();
    tok = token_for(&s, HDR_RS256, k_rsa);
    wh_jwt_claims_init(&c);
    CHECK_OK(wh_jwt_decode_unverified(tok, strlen(tok), &c, &err));
    wh_jwt_expect_init(&e, NOW);
    e.sub = "system:serviceaccount:spark:other";
    CHECK_RC(wh_jwt_check_claims(&c, &e, &err), WH_EAUTH);
    CHECK_HAS(err.msg, "sub \"" SUB "\" is not the expected subject");
    e.sub = SUB;
    CHECK_OK(wh_jwt_check_claims(&c, &e, &err));
    wh_jwt_claims_cleanup(&c);
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

/* ---- attacks ---------------------------------------------------------------- */

/* tok with its payload segment replaced by b64url(payload). */
static char *swap_payload(const char *tok, const char *payload)
{
    const char *d1 = strchr(tok, '.');
    const char *d2 = strrchr(tok, '.');
    struct wh_buf b;

    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_add(&b, tok, (size_t)(d1 - tok) + 1));
    b64url(payload, strlen(payload), &b);
    CHECK_OK(wh_buf_adds(&b, d2));
    return wh_buf_take(&b, NULL);
}

/* "h.p." (a token cut after its second dot) followed by b64url(sig). */
static char *with_sig(const char *cut, const unsigned char *sig, size_t len)
{
    struct wh_buf b;

    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_adds(&b, cut));
    b64url(sig, len, &b);
    return wh_buf_take(&b, NULL);
}

static void test_tampered(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    unsigned char sig[253];
    char *tok, *bad, *payload, *b64;
    size_t i;

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    s = spec_ok();
    tok = token_for(&s, HDR_RS256, k_rsa);
    /* One claim changed, signature kept. */
    s.sub = "system:serviceaccount:kube-system:admin";
    payload = payload_json(&s);
    bad = swap_payload(tok, payload);
    CHECK_REJECT(bad, keys, WH_EAUTH, "signature does not verify");
    free(bad);
    free(payload);
    /* One signature character changed (the first: no padding bits). */
    bad = wh_xstrdup(tok);
    i = (size_t)(strrchr(bad, '.') - bad) + 1;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    CHECK_REJECT(bad, keys, WH_EAUTH, "signature does not verify");
    /* A signature of the wrong size, or none: refused on size, before libjwt. */
    bad[i] = '\0';
    memset(sig, 0x5a, sizeof(sig));
    b64 = with_sig(bad, sig, 253);
    CHECK_REJECT(b64, keys, WH_EAUTH,
                 "signature is 253 bytes, not the 256 of RS256 with key no kid, RS256, RSA 2048 "
                 "bits");
    free(b64);
    CHECK_REJECT(bad, keys, WH_EAUTH, "signature is 0 bytes, not the 256 of RS256");
    free(bad);
    /* ES256 on the same payload, tampered. */
    free(tok);
    wh_jwt_keys_free(keys);
    keys = load_pem(&f, k_ec);
    s = spec_ok();
    tok = token_for(&s, HDR_ES256, k_ec);
    i = strlen(tok) - 10;
    tok[i] = tok[i] == 'A' ? 'B' : 'A';
    CHECK_REJECT(tok, keys, WH_EAUTH, "signature does not verify (ES256");
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_alg_none(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_jwt_claims c;
    struct wh_err err;
    char *payload, *tok;
    static const char *const hdrs[] = {
        "{\"alg\":\"none\"}",
        "{\"alg\":\"None\",\"kid\":\"rsa-1\"}",
        "{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
    };

    fx_setup(&f);
    keys = load_jwks(&f);
    s = spec_ok();
    payload = payload_json(&s);
    for (size_t i = 0; i < WH_NELEM(hdrs); i++) {
        tok = mint(hdrs[i], payload, NULL, NULL);
        CHECK(tok[strlen(tok) - 1] == '.');
        CHECK_REJECT(tok, keys, WH_EAUTH, "(unsigned token) is never accepted");
        /* It still decodes for inspection. */
        wh_jwt_claims_init(&c);
        CHECK_OK(wh_jwt_decode_unverified(tok, strlen(tok), &c, &err));
        CHECK_EQ(c.sig_len, 0);
        wh_jwt_claims_cleanup(&c);
        free(tok);
    }
    free(payload);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

/* The classic key confusion: a verifier that lets the token pick the alg
 * would compute HMAC-SHA256 with the PEM text it holds as the secret, and
 * anyone can do the same with the public key. */
static void test_hs256_key_confusion(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    struct wh_buf pem;
    char *payload, *tok;
    static const char *const hdrs[] = {
        "{\"alg\":\"HS256\"}",
        "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}",
        "{\"alg\":\"hs512\",\"typ\":\"JWT\"}",
    };

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    wh_buf_init(&pem, BIG);
    pub_pem(k_rsa, &pem); /* the exact bytes of key.pem */
    s = spec_ok();
    payload = payload_json(&s);
    for (size_t i = 0; i < WH_NELEM(hdrs); i++) {
        tok = mint_hmac(hdrs[i], payload, wh_buf_str(&pem), wh_buf_len(&pem));
        CHECK_REJECT(tok, keys, WH_EAUTH, "(HMAC) is never accepted");
        free(tok);
    }
    free(payload);
    wh_buf_cleanup(&pem);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_alg_key_mismatch(void)
{
    struct fx f;
    struct spec s;
    struct wh_jwt_keys *keys;
    char *tok;

    fx_setup(&f);
    s = spec_ok();
    keys = load_pem(&f, k_ec);
    /* Header RS256, only an EC key loaded: refused before any crypto. */
    tok = token_for(&s, HDR_RS256, k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH,
                 "alg RS256 is not allowed: the key (no kid, ES256, P-256 256 bits) is pinned to "
                 "ES256");
    free(tok);
    /* Header RS256 over an EC signature. */
    tok = token_for(&s, HDR_RS256, k_ec);
    CHECK_REJECT(tok, keys, WH_EAUTH, "is pinned to ES256");
    free(tok);
    wh_jwt_keys_free(keys);
    keys = load_pem(&f, k_rsa);
    tok = token_for(&s, HDR_ES256, k_ec);
    CHECK_REJECT(tok, keys, WH_EAUTH, "alg ES256 is not allowed");
    free(tok);
    /* RS384 on an RSA key pinned to RS256 (PEM keys default to RS256). */
    tok = mint("{\"alg\":\"RS384\"}", "{\"exp\":1800000000}", k_rsa, EVP_sha384());
    CHECK_REJECT(tok, keys, WH_EAUTH, "alg RS384 is not allowed");
    free(tok);
    /* Unknown and PSS algs. */
    tok = token_for(&s, "{\"alg\":\"PS256\"}", k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "alg \"PS256\" is not supported");
    free(tok);
    tok = token_for(&s, "{\"alg\":\"rs256\"}", k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "alg \"rs256\" is not supported");
    free(tok);
    tok = token_for(&s, "{\"kid\":\"x\"}", k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "token header has no alg");
    free(tok);
    tok = token_for(&s, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}", k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "typ \"at+jwt\" is not JWT");
    free(tok);
    tok = token_for(&s, "{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", k_rsa);
    CHECK_REJECT(tok, keys, WH_EAUTH, "critical extensions are not supported");
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

/* ---- malformed tokens --------------------------------------------------------- */

static void expect_decode(const char *tok, size_t len, int rc, const char *needle)
{
    struct wh_jwt_claims c;
    struct wh_err err;

    wh_jwt_claims_init(&c);
    wh_err_clear(&err);
    CHECK_RC(wh_jwt_decode_unverified(tok, len, &c, &err), rc);
    CHECK_HAS(err.msg, needle);
    CHECK(c.header == NULL && c.payload == NULL);
}

/* A token of hdr and payload, unsigned, for the decoder. */
static void expect_decode_json(const char *hdr, const char *payload, const char *needle)
{
    char *tok = mint(hdr, payload, NULL, NULL);

    expect_decode(tok, strlen(tok), WH_EPARSE, needle);
    free(tok);
}

static void test_garbage(void)
{
    struct fx f;
    struct wh_jwt_keys *keys;
    char *tok;

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    CHECK_REJECT("not a token", keys, WH_EPARSE, "token has 0 dots");
    CHECK_REJECT("a.b", keys, WH_EPARSE, "token has 1 dots");
    CHECK_REJECT("a.b.c.d", keys, WH_EPARSE, "token has 3 dots");
    CHECK_REJECT("", keys, WH_EPARSE, "token is empty");
    CHECK_REJECT(".e30.", keys, WH_EPARSE, "token header is empty");
    CHECK_REJECT("e30..", keys, WH_EPARSE, "token payload is empty");
    CHECK_REJECT("e30=.e30.", keys, WH_EPARSE, "token header: invalid base64url character 0x3d");
    CHECK_REJECT("e3+.e30.", keys, WH_EPARSE, "invalid base64url character 0x2b");
    CHECK_REJECT("eyJhIjoxfQ.e30.a", keys, WH_EPARSE, "token signature: 1 base64url");
    CHECK_REJECT("e31.e30.", keys, WH_EPARSE, "non-zero bits after the last byte");
    CHECK_REJECT("e30.e30.AA*A", keys, WH_EPARSE,
                 "token signature: invalid base64url character 0x2a at offset 2");
    expect_decode("e30.e30.AA*A", 12, WH_EPARSE,
                  "token signature: invalid base64url character 0x2a at offset 2");
    expect_decode(HDR_RS256, 10, WH_EPARSE, "token has 0 dots"); /* len is honoured */
    expect_decode_json("{", "{}", "token header: invalid JSON");
    expect_decode_json("[1]", "{}", "token header: expected a JSON object, got array");
    expect_decode_json("{}", "\"x\"", "token payload: expected a JSON object, got string");
    expect_decode_json("{}", "{\"sub\":\"a\",\"sub\":\"b\"}",
                       "token payload: duplicate member \"sub\"");
    expect_decode_json("{}", "{\"sub\":\"a\\u0000b\"}", "\\u0000 in a JSON string");
    expect_decode_json("{}", "{\"sub\":1}", "token payload.sub: expected string, got number");
    expect_decode_json("{}", "{\"aud\":[1]}", "token payload.aud[0]: expected string");
    expect_decode_json("{}", "{\"aud\":{}}",
                       "token payload.aud: expected string or array of strings, got object");
    expect_decode_json("{}", "{\"exp\":\"1\"}", "token payload.exp: expected number");
    expect_decode_json("{}", "{\"exp\":-1}", "token payload.exp: -1 is not a time");
    expect_decode_json("{}", "{\"nbf\":1e300}", "token payload.nbf");
    expect_decode_json("{\"alg\":7}", "{}", "token header.alg: expected string");
    expect_decode_json("{}", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "nesting deeper");
    /* A well-formed but unsigned-by-us token: signature check says so. */
    tok = mint(HDR_RS256, "{\"exp\":1800000000}", k_rsa2, EVP_sha256());
    CHECK_REJECT(tok, keys, WH_EAUTH, "signature does not verify");
    free(tok);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_size_caps(void)
{
    struct fx f;
    struct wh_jwt_keys *keys;
    struct wh_jwt_claims c;
    struct wh_err err;
    struct wh_buf b;
    char *tok, *payload;

    fx_setup(&f);
    keys = load_pem(&f, k_rsa);
    /* WH_JWT_TOKEN_MAX + 1 bytes: refused before any parsing. */
    tok = wh_xmalloc(WH_JWT_TOKEN_MAX + 2);
    memset(tok, 'A', WH_JWT_TOKEN_MAX + 1);
    tok[WH_JWT_TOKEN_MAX + 1] = '\0';
    CHECK_REJECT(tok, keys, WH_ETOOBIG, "token is 16385 bytes; the limit is 16384");
    /* Exactly the cap is parsed (and is no token). */
    tok[WH_JWT_TOKEN_MAX] = '\0';
    CHECK_REJECT(tok, keys, WH_EPARSE, "token has 0 dots");
    free(tok);
    /* A real, signed token just under the cap verifies. */
    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_printf(&b, "{\"iss\":\"%s\",\"aud\":\"%s\",\"exp\":%lld,\"pad\":\"", ISS, AUD,
                           NOW + 60));
    while (wh_buf_len(&b) < (size_t)(WH_JWT_TOKEN_MAX - 400) / 4 * 3)
        CHECK_OK(wh_buf_addc(&b, 'x'));
    CHECK_OK(wh_buf_adds(&b, "\"}"));
    tok = mint(HDR_RS256, wh_buf_str(&b), k_rsa, EVP_sha256());
    CHECK(strlen(tok) <= WH_JWT_TOKEN_MAX);
    CHECK_OK(verify(tok, keys, &err));
    free(tok);
    wh_buf_cleanup(&b);
    /* Too many members. */
    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_adds(&b, "{\"exp\":1"));
    for (int i = 0; i < WH_JWT_MEMBERS_MAX; i++)
        CHECK_OK(wh_buf_printf(&b, ",\"m%d\":1", i));
    CHECK_OK(wh_buf_addc(&b, '}'));
    payload = wh_buf_take(&b, NULL);
    tok = mint("{}", payload, NULL, NULL);
    wh_jwt_claims_init(&c);
    CHECK_RC(wh_jwt_decode_unverified(tok, strlen(tok), &c, &err), WH_ETOOBIG);
    CHECK_HAS(err.msg, "129 members; the limit is 128");
    free(tok);
    free(payload);
    wh_jwt_keys_free(keys);
    fx_teardown(&f);
}

static void test_verify_needs_keys(void)
{
    struct spec s = spec_ok();
    struct wh_jwt_expect e;
    struct wh_jwt_claims c;
    struct wh_err err;
    char *tok;

    keys_make();
    tok = token_for(&s, HDR_RS256, k_rsa);
    wh_jwt_expect_init(&e, NOW);
    wh_jwt_claims_init(&c);
    CHECK_RC(wh_jwt_verify(tok, strlen(tok), NULL, &e, &c, &err), WH_EINVAL);
    CHECK_RC(wh_jwt_verify_signature(tok, strlen(tok), NULL, NULL, &err), WH_EINVAL);
    CHECK_HAS(err.msg, "no verification keys loaded");
    free(tok);
}

/* ---- key files ----------------------------------------------------------------- */

static void expect_jwks(const struct fx *f, const char *text, int rc, const char *needle)
{
    struct wh_jwt_keys *keys = NULL;
    struct wh_err err;
    char path[PATH_MAX];

    write_file(f, "bad.json", text, strlen(text), path);
    wh_err_clear(&err);
    CHECK_RC(wh_jwt_keys_load_jwks(path, &keys, &err), rc);
    CHECK(keys == NULL);
    CHECK_HAS(err.msg, needle);
}

static void test_jwks_errors(void)
{
    struct fx f;
    struct wh_buf b;
    struct wh_jwt_keys *keys = NULL;
    struct wh_err err;
    char path[PATH_MAX];
    EVP_PKEY *weak;

    fx_setup(&f);
    expect_jwks(&f, "{", WH_EPARSE, "JWKS: invalid JSON");
    expect_jwks(&f, "[]", WH_EPARSE, "JWKS: expected an object, got array");
    expect_jwks(&f, "{}", WH_EPARSE, "JWKS: keys array missing");
    expect_jwks(&f, "{\"keys\":[]}", WH_EPARSE, "JWKS: no usable key among 0");
    expect_jwks(&f, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"AA\"}]}", WH_EPARSE,
                "no usable key among 1 (1 skipped");
    expect_jwks(&f, "{\"keys\":[1]}", WH_EPARSE, "JWKS keys[0]: expected object, got number");
    expect_jwks(&f, "{\"keys\":[{}]}", WH_EPARSE, "JWKS keys[0].kty missing");
    expect_jwks(&f, "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\"}]}", WH_EPARSE,
                "JWKS keys[0].n missing");
    expect_jwks(&f, "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}", WH_EPARSE,
                "JWKS keys[0]");
    expect_jwks(&f, "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AQAB\",\"y\":\"AQAB\"}]}",
                WH_EPARSE, "JWKS keys[0].x: 3 bytes, want 32 for P-256");
    /* 65 keys: refused before any is parsed. */
    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_adds(&b, "{\"keys\":["));
    for (int i = 0; i <= WH_JWT_KEYS_MAX; i++)
        CHECK_OK(wh_buf_adds(&b, i ? ",{}" : "{}"));
    CHECK_OK(wh_buf_adds(&b, "]}"));
    expect_jwks(&f, wh_buf_str(&b), WH_ETOOBIG, "JWKS: 65 keys; the limit is 64");
    wh_buf_reset(&b);
    /* An alg that contradicts the key, a duplicate kid, a weak RSA key. */
    CHECK_OK(wh_buf_adds(&b, "{\"keys\":["));
    jwk(&b, k_ec, "ec-1", "\"alg\":\"ES384\",");
    CHECK_OK(wh_buf_adds(&b, "]}"));
    expect_jwks(&f, wh_buf_str(&b), WH_EPARSE, "alg ES384 does not fit the key (prime256v1)");
    wh_buf_reset(&b);
    CHECK_OK(wh_buf_adds(&b, "{\"keys\":["));
    jwk(&b, k_rsa, "same", "");
    CHECK_OK(wh_buf_addc(&b, ','));
    jwk(&b, k_rsa2, "same", "");
    CHECK_OK(wh_buf_adds(&b, "]}"));
    expect_jwks(&f, wh_buf_str(&b), WH_EPARSE, "JWKS keys[1]: duplicate kid \"same\"");
    wh_buf_reset(&b);
    weak = EVP_RSA_gen(1024);
    CHECK(weak != NULL);
    CHECK_OK(wh_buf_adds(&b, "{\"keys\":["));
    jwk(&b, weak, "weak", "");
    CHECK_OK(wh_buf_adds(&b, "]}"));
    EVP_PKEY_free(weak);
    expect_jwks(&f, wh_buf_str(&b), WH_EPARSE, "RSA key of 1024 bits (want 2048 to 8192)");
    wh_buf_cleanup(&b);
    /* Over 1 MiB. */
    wh_buf_init(&b, BIG);
    while (wh_buf_len(&b) <= WH_JWT_JWKS_MAX)
        CHECK_OK(wh_buf_adds(&b, "                "));
    write_file(&f, "big.json", wh_buf_str(&b), wh_buf_len(&b), path);
    wh_buf_cleanup(&b);
    CHECK_RC(wh_jwt_keys_load_jwks(path, &keys, &err), WH_ETOOBIG);
    CHECK_RC(wh_jwt_keys_load_jwks("/nonexistent/jwks.json", &keys, &err), WH_EIO);
    CHECK(keys == NULL);
    fx_teardown(&f);
}

static void expect_pem(const char *text, int rc, const char *needle)
{
    struct wh_jwt_keys *keys = NULL;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_RC(wh_jwt_keys_parse_pem(text, strlen(text), &keys, &err), rc);
    CHECK(keys == NULL);
    CHECK_HAS(err.msg, needle);
}

static void test_pem_errors(void)
{
    struct wh_jwt_keys *keys = NULL;
    struct wh_buf b;
    struct wh_err err;
    BIO *bio;
    char *data = NULL;
    long n;

    keys_make();
    expect_pem("", WH_EPARSE, "no PEM block found");
    expect_pem("hello\n", WH_EPARSE, "no PEM block found");
    expect_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", WH_EPARSE,
               "PEM block 1 (PUBLIC KEY): cannot parse the key");
    expect_pem("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n",
               WH_EPARSE, "no PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE block");
    /* A private key is refused, not used. */
    bio = BIO_new(BIO_s_mem());
    CHECK(bio != NULL && PEM_write_bio_PrivateKey(bio, k_ec, NULL, NULL, 0, NULL, NULL) == 1);
    n = BIO_get_mem_data(bio, &data);
    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_add(&b, data, (size_t)n));
    BIO_free(bio);
    expect_pem(wh_buf_str(&b), WH_EPARSE, "PEM block 1 (PRIVATE KEY): a private key");
    /* Two public keys in one file are both loaded. */
    wh_buf_reset(&b);
    pub_pem(k_rsa, &b);
    pub_pem(k_ec384, &b);
    CHECK_OK(wh_jwt_keys_parse_pem(wh_buf_str(&b), wh_buf_len(&b), &keys, &err));
    CHECK_EQ(wh_jwt_keys_count(keys), 2);
    wh_jwt_keys_free(keys);
    wh_buf_cleanup(&b);
    wh_jwt_keys_free(NULL);
}

/* ---- Kubernetes claims ---------------------------------------------------------- */

static void expect_k8s(const char *kio, const char *sub, int rc, const char *needle)
{
    struct spec s = spec_ok();
    struct wh_jwt_claims c;
    struct wh_jwt_k8s k;
    struct wh_err err;
    char *payload, *tok;

    s.kio = kio;
    s.sub = sub;
    payload = payload_json(&s);
    tok = mint("{}", payload, NULL, NULL);
    wh_jwt_claims_init(&c);
    CHECK_OK(wh_jwt_decode_unverified(tok, strlen(tok), &c, &err));
    wh_err_clear(&err);
    CHECK_RC(wh_jwt_k8s_parse(&c, &k, &err), rc);
    CHECK_HAS(err.msg, needle);
    wh_jwt_claims_cleanup(&c);
    free(tok);
    free(payload);
}

static void test_k8s_claims(void)
{
    struct wh_jwt_k8s k;
    struct wh_err err;

    CHECK_OK(wh_jwt_k8s_parse_sub("system:serviceaccount:ns-1:a.b-c", &k, &err));
    CHECK_STR_EQ(k.ns, "ns-1");
    CHECK_STR_EQ(k.sa, "a.b-c");
    CHECK(!k.has_pod);
    CHECK_RC(wh_jwt_k8s_parse_sub("system:serviceaccount:ns", &k, &err), WH_EPARSE);
    CHECK_HAS(err.msg, "is not system:serviceaccount:NAMESPACE:NAME");
    CHECK_RC(wh_jwt_k8s_parse_sub("system:node:x", &k, &err), WH_EPARSE);
    CHECK_RC(wh_jwt_k8s_parse_sub("system:serviceaccount:NS:sa", &k, &err), WH_EPARSE);
    CHECK_HAS(err.msg, "the namespace is not a DNS-1123 label");
    CHECK_RC(wh_jwt_k8s_parse_sub("system:serviceaccount:ns:a:b", &k, &err), WH_EPARSE);
    CHECK_HAS(err.msg, "the service account name is not a DNS-1123 subdomain");
    CHECK_RC(wh_jwt_k8s_parse_sub("system:serviceaccount:ns:-a", &k, &err), WH_EPARSE);
    CHECK_RC(wh_jwt_k8s_parse_sub("system:serviceaccount::sa", &k, &err), WH_EPARSE);
    CHECK_RC(wh_jwt_k8s_parse_sub("system:serviceaccount:ns:a..b", &k, &err), WH_EPARSE);
    /* 63 and 64 characters of namespace. */
    CHECK_OK(
        wh_jwt_k8s_parse_sub("system:serviceaccount:"
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:sa",
                             &k, &err));
    CHECK_RC(
        wh_jwt_k8s_parse_sub("system:serviceaccount:"
                             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:sa",
                             &k, &err),
        WH_EPARSE);
    expect_k8s("{\"namespace\":\"other\"}", SUB, WH_EPARSE,
               "kubernetes.io.namespace \"other\" disagrees with sub (\"spark\")");
    expect_k8s("{\"serviceaccount\":{\"name\":\"x\"}}", SUB, WH_EPARSE,
               "kubernetes.io.serviceaccount.name \"x\" disagrees with sub");
    expect_k8s("{\"pod\":{\"uid\":\"1\"}}", SUB, WH_EPARSE, "kubernetes.io.pod has no name");
    expect_k8s("{\"pod\":{\"name\":\"Bad_Name\"}}", SUB, WH_EPARSE,
               "kubernetes.io.pod.name \"Bad_Name\" is not a DNS-1123 subdomain");
    expect_k8s("[]", SUB, WH_EPARSE, "token payload.kubernetes.io: expected object");
    expect_k8s(NULL, "alice", WH_EPARSE, "sub \"alice\" is not system:serviceaccount");
}

static const struct check_test tests[] = {
    CHECK_TEST(test_rs256_pem),
    CHECK_TEST(test_es256_pem),
    CHECK_TEST(test_jwks_kid_selection),
    CHECK_TEST(test_time),
    CHECK_TEST(test_clock_injection),
    CHECK_TEST(test_iss_aud_sub),
    CHECK_TEST(test_tampered),
    CHECK_TEST(test_alg_none),
    CHECK_TEST(test_hs256_key_confusion),
    CHECK_TEST(test_alg_key_mismatch),
    CHECK_TEST(test_garbage),
    CHECK_TEST(test_size_caps),
    CHECK_TEST(test_verify_needs_keys),
    CHECK_TEST(test_jwks_errors),
    CHECK_TEST(test_pem_errors),
    CHECK_TEST(test_k8s_claims),
};

CHECK_MAIN(tests)
