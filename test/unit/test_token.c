/* SPDX-License-Identifier: Apache-2.0
 *
 * test_token.c - `sparkhook token inspect` through wh_token_main() with argv
 * arrays: every exit code and their precedence, the printed claims, --now,
 * --trust aws|azure with and without --role-sub, stdin, and escaping of
 * hostile claim text. Keys (RSA 2048, EC P-256) and tokens are made here with
 * OpenSSL and written, with PEM and JWKS key files, to a fresh mkdtemp
 * directory per test. stdout and stderr of each run go to files in that
 * directory and are echoed when a run's exit code is not the expected one.
 *
 * Tokens are minted with jwt_mint.h, shared with test_jwt.c.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
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
#include "cli_run.h"
#include "jwt_mint.h"
#include "jwtverify.h"
#include "token.h"
#include "util/b64.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/mem.h"

#include "banned.h"

#define BIG     (1u << 22)
#define NOW     1700000000LL
#define NOW_S   "1700000000"
#define ISS     "https://oidc.eks.eu-west-1.amazonaws.com/id/TESTCLUSTER"
#define ISS_HP  "oidc.eks.eu-west-1.amazonaws.com/id/TESTCLUSTER"
#define AUD_AWS "sts.amazonaws.com"
#define AUD_AZ  "api://AzureADTokenExchange"
#define SUB     "system:serviceaccount:spark:spark-driver"

#define HDR_RS256 "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}"
#define HDR_ES256 "{\"alg\":\"ES256\",\"kid\":\"ec-1\"}"

/* ---- keys ------------------------------------------------------------------ */

static EVP_PKEY *k_rsa, *k_ec;

static void keys_free(void)
{
    EVP_PKEY_free(k_rsa);
    EVP_PKEY_free(k_ec);
}

static void keys_make(void)
{
    if (k_rsa != NULL)
        return;
    k_rsa = EVP_RSA_gen(2048);
    k_ec = EVP_EC_gen("P-256");
    CHECK(k_rsa != NULL && k_ec != NULL);
    CHECK(atexit(keys_free) == 0);
}

struct spec {
    const char *iss, *sub;
    const char *aud; /* raw JSON */
    long long exp, nbf, iat;
};

static struct spec spec_ok(void)
{
    struct spec s = { ISS, SUB, "[\"" AUD_AWS "\"]", NOW + 3600, NOW - 10, NOW - 10 };

    return s;
}

static char *payload_json(const struct spec *s)
{
    struct wh_buf b;

    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_printf(&b,
                           "{\"iss\":\"%s\",\"sub\":\"%s\",\"aud\":%s,\"exp\":%lld,\"nbf\":%lld,"
                           "\"iat\":%lld,\"kubernetes.io\":{\"namespace\":\"spark\","
                           "\"serviceaccount\":{\"name\":\"spark-driver\",\"uid\":\"sa-uid-1\"},"
                           "\"pod\":{\"name\":\"spark-pi-driver\",\"uid\":\"pod-uid-1\"}}}",
                           s->iss, s->sub, s->aud, s->exp, s->nbf, s->iat));
    return wh_buf_take(&b, NULL);
}

static char *token_for(const struct spec *s, const char *hdr, EVP_PKEY *key)
{
    char *payload = payload_json(s);
    char *t = mint(hdr, payload, key, EVP_sha256());

    free(payload);
    return t;
}

/* ---- fixture ---------------------------------------------------------------- */

struct fx {
    char dir[PATH_MAX - 64]; /* room for "/name" below it */
    char out[PATH_MAX];      /* captured stdout of the last run */
    char err[PATH_MAX];      /* captured stderr of the last run */
    char rsa_pem[PATH_MAX], ec_pem[PATH_MAX], jwks[PATH_MAX], tok[PATH_MAX];
    const char *in; /* file fed to stdin, or NULL */
};

static char *fx_path(const struct fx *f, const char *name, char *path)
{
    CHECK(snprintf(path, PATH_MAX, "%s/%s", f->dir, name) < PATH_MAX);
    return path;
}

static void write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    CHECK(fd >= 0);
    CHECK(write(fd, data, len) == (ssize_t)len);
    CHECK(close(fd) == 0);
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

/* {"keys":[rsa-1 (RSA), ec-1 (EC P-256)]} */
static void jwks_text(struct wh_buf *b)
{
    CHECK_OK(wh_buf_adds(b, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"alg\":\"RS256\","
                            "\"use\":\"sig\",\"n\":\""));
    bn_b64url(k_rsa, OSSL_PKEY_PARAM_RSA_N, 0, b);
    CHECK_OK(wh_buf_adds(b, "\",\"e\":\""));
    bn_b64url(k_rsa, OSSL_PKEY_PARAM_RSA_E, 0, b);
    CHECK_OK(wh_buf_adds(b, "\"},{\"kty\":\"EC\",\"kid\":\"ec-1\",\"crv\":\"P-256\",\"x\":\""));
    bn_b64url(k_ec, OSSL_PKEY_PARAM_EC_PUB_X, 32, b);
    CHECK_OK(wh_buf_adds(b, "\",\"y\":\""));
    bn_b64url(k_ec, OSSL_PKEY_PARAM_EC_PUB_Y, 32, b);
    CHECK_OK(wh_buf_adds(b, "\"}]}"));
}

static void fx_setup(struct fx *f)
{
    struct wh_buf b;

    memset(f, 0, sizeof(*f));
    keys_make();
    cli_mkdtemp(f->dir, sizeof(f->dir), "test_token");
    fx_path(f, "stdout.txt", f->out);
    fx_path(f, "stderr.txt", f->err);
    fx_path(f, "token", f->tok);
    wh_buf_init(&b, BIG);
    pub_pem(k_rsa, &b);
    write_file(fx_path(f, "rsa.pem", f->rsa_pem), wh_buf_str(&b), wh_buf_len(&b));
    wh_buf_reset(&b);
    pub_pem(k_ec, &b);
    write_file(fx_path(f, "ec.pem", f->ec_pem), wh_buf_str(&b), wh_buf_len(&b));
    wh_buf_reset(&b);
    jwks_text(&b);
    write_file(fx_path(f, "jwks.json", f->jwks), wh_buf_str(&b), wh_buf_len(&b));
    wh_buf_cleanup(&b);
}

static void fx_teardown(struct fx *f)
{
    cli_rm_tree(f->dir);
}

/* Writes tok (and frees it) to the fixture's token file. */
static void put_token(const struct fx *f, char *tok)
{
    write_file(f->tok, tok, strlen(tok));
    free(tok);
}

/* ---- running the command ------------------------------------------------------ */

/* Runs `token ARGS...` (NULL-terminated) with stdout and stderr captured and
 * stdin from f->in when set. */
static int run(const struct fx *f, ...)
{
    va_list ap;
    int rc;

    va_start(ap, f);
    rc = cli_run(wh_token_main, "token", f->in, f->out, f->err, ap);
    va_end(ap);
    return rc;
}

#define CHECK_OUT(f, needle)                                         \
    do {                                                             \
        if (!cli_has((f)->out, (needle))) {                          \
            cli_echo("stdout", (f)->out);                            \
            CHECK_FAIL_("stdout does not contain \"%s\"", (needle)); \
        }                                                            \
    } while (0)

#define CHECK_ERR(f, needle)                                         \
    do {                                                             \
        if (!cli_has((f)->err, (needle))) {                          \
            cli_echo("stderr", (f)->err);                            \
            CHECK_FAIL_("stderr does not contain \"%s\"", (needle)); \
        }                                                            \
    } while (0)

/* ---- tests -------------------------------------------------------------------- */

static void test_usage(void)
{
    struct fx f;

    fx_setup(&f);
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "--help");
    CHECK_OUT(&f, "usage: sparkhook token inspect [--key PEM | --jwks FILE]");
    CHECK_OUT(&f, "  0  the token passed every check asked for\n");
    CHECK_OUT(&f, "  1  cannot read or decode the token");
    CHECK_OUT(&f, "  3  signature invalid");
    CHECK_OUT(&f, "  4  expired, or not yet valid");
    CHECK_OUT(&f, "  5  iss or aud mismatch");
    CHECK_OUT(&f, "  6  trust-policy mismatch");
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "-h");
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "bogus");
    CHECK_ERR(&f, "unknown subcommand \"bogus\"");
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect");
    CHECK_ERR(&f, "want 1 token file argument");
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", f.tok, f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--nope", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--key", f.rsa_pem, "--jwks", f.jwks, f.tok);
    CHECK_ERR(&f, "--key and --jwks exclude each other");
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--trust", "gcp", f.tok);
    CHECK_ERR(&f, "--trust: want aws or azure");
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--role-sub", "spark", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--role-sub=Spark:driver", f.tok);
    CHECK_ERR(&f, "--role-sub: want NAMESPACE:SERVICEACCOUNT");
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--now", "soon", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--now", "-5", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--now=253402300800", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--iss=", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", f.tok, "--aud");
    CHECK_ERR(&f, "--aud needs a value");
    fx_teardown(&f);
}

static void test_rs256_pem(void)
{
    struct fx f;
    struct spec s;
    char *tok, *sig;

    fx_setup(&f);
    s = spec_ok();
    tok = token_for(&s, HDR_RS256, k_rsa);
    sig = wh_xstrdup(strrchr(tok, '.') + 1);
    put_token(&f, tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.rsa_pem, "--iss", ISS, "--aud", AUD_AWS,
              "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "alg: RS256\n");
    CHECK_OUT(&f, "kid: rsa-1\n");
    CHECK_OUT(&f, "iss: " ISS "\n");
    CHECK_OUT(&f, "sub: " SUB "\n");
    CHECK_OUT(&f, "aud: " AUD_AWS "\n");
    CHECK_OUT(&f, "exp: 1700003600 2023-11-14T23:13:20Z (3600 s left)\n");
    CHECK_OUT(&f, "nbf: 1699999990 2023-11-14T22:13:10Z (10 s ago)\n");
    CHECK_OUT(&f, "iat: 1699999990 2023-11-14T22:13:10Z (10 s ago)\n");
    CHECK_OUT(&f, "kubernetes.io/namespace: spark\n");
    CHECK_OUT(&f, "kubernetes.io/serviceaccount: spark-driver (uid sa-uid-1)\n");
    CHECK_OUT(&f, "kubernetes.io/pod: spark-pi-driver (uid pod-uid-1)\n");
    CHECK_OUT(&f, "signature: 256 bytes (not shown)\n");
    CHECK_OUT(&f, "ok signature: verified with key (no kid, RS256, RSA 2048 bits)\n");
    CHECK_OUT(&f, "ok time:");
    CHECK_OUT(&f, "ok iss: " ISS "\n");
    CHECK_OUT(&f, "ok aud: " AUD_AWS "\n");
    CHECK_OUT(&f, "skip sub: no --role-sub\n");
    CHECK(!cli_has(f.out, sig)); /* the signature is never printed */
    free(sig);
    fx_teardown(&f);
}

static void test_jwks(void)
{
    struct fx f;
    struct spec s;

    fx_setup(&f);
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_ES256, k_ec));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--jwks", f.jwks, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "alg: ES256\n");
    CHECK_OUT(&f, "ok signature: verified with key (kid \"ec-1\", ES256, P-256 256 bits)\n");
    CHECK_OUT(&f, "signature: 64 bytes (not shown)\n");
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.ec_pem, "--now", NOW_S, f.tok);
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--jwks", f.jwks, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "ok signature: verified with key (kid \"rsa-1\", RS256, RSA 2048 bits)\n");
    /* kid selection: the EC key's kid on an RS256 token. */
    put_token(&f, token_for(&s, "{\"alg\":\"RS256\",\"kid\":\"ec-1\"}", k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--jwks", f.jwks, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL signature: alg RS256 is not allowed");
    fx_teardown(&f);
}

static void test_no_key(void)
{
    struct fx f;
    struct spec s;

    fx_setup(&f);
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "sub: " SUB "\n");
    CHECK_OUT(&f, "skip signature: NOT verified (no --key or --jwks given)\n");
    CHECK_OUT(&f, "skip iss: no --iss\n");
    CHECK_OUT(&f, "skip aud: no --aud or --trust\n");
    /* Unsigned tokens decode for inspection too. */
    put_token(&f,
              mint("{\"alg\":\"none\"}", "{\"sub\":\"x\",\"exp\":1700000100}", NULL, EVP_sha256()));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "alg: none\n");
    CHECK_OUT(&f, "kubernetes.io: not a service-account token: sub \"x\" is not");
    CHECK_OUT(&f, "signature: 0 bytes (not shown)\n");
    fx_teardown(&f);
}

static void test_time(void)
{
    struct fx f;
    struct spec s;

    fx_setup(&f);
    s = spec_ok();
    s.exp = NOW - 61;
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_TIME, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "(expired 61 s ago)\n");
    CHECK_OUT(&f, "FAIL time: token expired at 2023-11-14T22:12:19Z, 61 s ago");
    CHECK_RUN(&f, WH_TOKEN_EXIT_TIME, "inspect", "--now", NOW_S, f.tok); /* without a key too */
    s = spec_ok();
    s.nbf = NOW + 120;
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_TIME, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "nbf: 1700000120 2023-11-14T22:15:20Z (in 120 s)\n");
    CHECK_OUT(&f, "FAIL time: token not valid before");
    /* --now moves the clock: the same token is valid two minutes later. */
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.rsa_pem, "--now=1700000120", f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_TIME, "inspect", "--key", f.rsa_pem, "--now", "1700003660", f.tok);
    /* Without --now the real clock runs, long past these 2023 tokens. */
    CHECK_RUN(&f, WH_TOKEN_EXIT_TIME, "inspect", "--key", f.rsa_pem, f.tok);
    fx_teardown(&f);
}

static void test_iss_aud(void)
{
    struct fx f;
    struct spec s;

    fx_setup(&f);
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_CLAIM, "inspect", "--key", f.rsa_pem, "--aud", "vault", "--now",
              NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL aud: aud [\"sts.amazonaws.com\"] does not contain the expected audience "
                  "\"vault\"\n");
    CHECK_RUN(&f, WH_TOKEN_EXIT_CLAIM, "inspect", "--key", f.rsa_pem, "--iss",
              "https://kubernetes.default.svc", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL iss: iss \"" ISS "\" is not the expected issuer");
    fx_teardown(&f);
}

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

static void test_attacks(void)
{
    struct fx f;
    struct spec s;
    struct wh_buf pem;
    char *tok, *payload;
    size_t i;

    fx_setup(&f);
    s = spec_ok();
    /* Tampered payload: sub changed, signature kept. */
    tok = token_for(&s, HDR_RS256, k_rsa);
    s.sub = "system:serviceaccount:kube-system:admin";
    payload = payload_json(&s);
    put_token(&f, swap_payload(tok, payload));
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "sub: system:serviceaccount:kube-system:admin\n");
    CHECK_OUT(&f, "FAIL signature: signature does not verify");
    /* Tampered signature. */
    i = (size_t)(strrchr(tok, '.') - tok) + 1;
    tok[i] = tok[i] == 'A' ? 'B' : 'A';
    put_token(&f, tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    /* alg none with an empty signature. */
    put_token(&f, mint("{\"alg\":\"none\"}", payload, NULL, EVP_sha256()));
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL signature: alg \"none\" (unsigned token) is never accepted\n");
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--jwks", f.jwks, "--now", NOW_S, f.tok);
    /* HS256 with the PEM public key (the very bytes of --key) as the secret. */
    wh_buf_init(&pem, BIG);
    pub_pem(k_rsa, &pem);
    put_token(&f, mint_hmac("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload, wh_buf_str(&pem),
                            wh_buf_len(&pem)));
    wh_buf_cleanup(&pem);
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL signature: alg \"HS256\" (HMAC) is never accepted");
    free(payload);
    /* Header RS256 but the key is EC. */
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--key", f.ec_pem, "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL signature: alg RS256 is not allowed: the key (no kid, ES256, P-256 256 "
                  "bits) is pinned to ES256\n");
    fx_teardown(&f);
}

static void test_read_errors(void)
{
    struct fx f;
    struct spec s;
    char *big;
    char path[PATH_MAX];

    fx_setup(&f);
    put_token(&f, wh_xstrdup("this is not a token\n"));
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", "--key", f.rsa_pem, f.tok);
    CHECK_ERR(&f, "cannot decode the token from");
    CHECK_ERR(&f, "token has 0 dots");
    big = wh_xmalloc(WH_JWT_TOKEN_MAX + 2);
    memset(big, 'A', WH_JWT_TOKEN_MAX + 1);
    big[WH_JWT_TOKEN_MAX + 1] = '\0';
    put_token(&f, big);
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", f.tok);
    CHECK_ERR(&f, "token is 16385 bytes; the limit is 16384");
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", fx_path(&f, "missing", path));
    CHECK_ERR(&f, "cannot read the token");
    /* Key files that cannot be loaded. */
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", "--key", path, "--now", NOW_S, f.tok);
    CHECK_ERR(&f, "cannot load --key");
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", "--jwks", f.rsa_pem, "--now", NOW_S, f.tok);
    CHECK_ERR(&f, "cannot load --jwks");
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", "--key", f.jwks, "--now", NOW_S, f.tok);
    CHECK_ERR(&f, "no PEM block found");
    fx_teardown(&f);
}

static void test_stdin_and_whitespace(void)
{
    struct fx f;
    struct spec s;
    struct wh_buf b;
    char *tok;

    fx_setup(&f);
    s = spec_ok();
    tok = token_for(&s, HDR_RS256, k_rsa);
    wh_buf_init(&b, BIG);
    CHECK_OK(wh_buf_printf(&b, "\n  %s\r\n", tok));
    free(tok);
    put_token(&f, wh_buf_take(&b, NULL));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.rsa_pem, "--now", NOW_S, f.tok);
    f.in = f.tok;
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.rsa_pem, "--now", NOW_S, "-");
    CHECK_OUT(&f, "ok signature");
    f.in = NULL;
    fx_teardown(&f);
}

static void test_trust_aws(void)
{
    struct fx f;
    struct spec s;

    fx_setup(&f);
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.rsa_pem, "--trust", "aws", "--role-sub",
              "spark:spark-driver", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "ok aud: sts.amazonaws.com\n");
    CHECK_OUT(&f, "ok sub: " SUB "\n");
    CHECK_OUT(&f, "\"Federated\": \"arn:aws:iam::ACCOUNT_ID:oidc-provider/" ISS_HP "\"");
    CHECK_OUT(&f, "\"" ISS_HP ":aud\": \"sts.amazonaws.com\"");
    CHECK_OUT(&f, "\"" ISS_HP ":sub\": \"" SUB "\"");
    CHECK_OUT(&f, "ok trust aws: aud and sub satisfy the IAM role trust policy\n");
    CHECK_RUN(&f, WH_TOKEN_EXIT_TRUST, "inspect", "--key", f.rsa_pem, "--trust", "aws",
              "--role-sub", "spark:spark-executor", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL sub: sub \"" SUB "\" is not the expected subject "
                  "\"system:serviceaccount:spark:spark-executor\"\n");
    CHECK_OUT(&f, "FAIL trust aws: the token's sub is not "
                  "system:serviceaccount:spark:spark-executor\n");
    /* Without --role-sub: prints the subject the policy needs, exit 0. */
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--key", f.rsa_pem, "--trust", "aws", "--now", NOW_S,
              f.tok);
    CHECK_OUT(&f, "\"" ISS_HP ":sub\": \"" SUB "\"");
    CHECK_OUT(&f, "ok trust aws: aud matches; give --role-sub NS:SA to check the subject\n");
    /* --aud replaces the provider's default audience. */
    CHECK_RUN(&f, WH_TOKEN_EXIT_CLAIM, "inspect", "--trust", "aws", "--aud", "other", "--now",
              NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL trust aws: the token's aud does not contain \"other\"\n");
    s.aud = "[\"custom\",\"more\"]";
    put_token(&f, token_for(&s, HDR_RS256, k_rsa));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--trust", "aws", "--aud", "custom", "--role-sub",
              "spark:spark-driver", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "aud: custom, more\n");
    CHECK_RUN(&f, WH_TOKEN_EXIT_CLAIM, "inspect", "--trust", "aws", "--role-sub",
              "spark:spark-driver", "--now", NOW_S, f.tok);
    fx_teardown(&f);
}

static void test_trust_azure(void)
{
    struct fx f;
    struct spec s;

    fx_setup(&f);
    s = spec_ok();
    s.aud = "\"" AUD_AZ "\"";
    put_token(&f, token_for(&s, HDR_ES256, k_ec));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--jwks", f.jwks, "--trust", "azure", "--role-sub",
              "spark:spark-driver", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "  issuer: " ISS "\n");
    CHECK_OUT(&f, "  subject: " SUB "\n");
    CHECK_OUT(&f, "  audiences: [\"" AUD_AZ "\"]\n");
    CHECK_OUT(&f, "ok trust azure: aud and sub satisfy the federated identity credential\n");
    CHECK_RUN(&f, WH_TOKEN_EXIT_TRUST, "inspect", "--jwks", f.jwks, "--trust", "azure",
              "--role-sub", "default:spark-driver", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL trust azure: the token's sub is not "
                  "system:serviceaccount:default:spark-driver\n");
    /* An IRSA token does not carry the Azure audience. */
    s = spec_ok();
    put_token(&f, token_for(&s, HDR_ES256, k_ec));
    CHECK_RUN(&f, WH_TOKEN_EXIT_CLAIM, "inspect", "--jwks", f.jwks, "--trust", "azure",
              "--role-sub", "spark:spark-driver", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL aud: aud [\"sts.amazonaws.com\"] does not contain the expected audience "
                  "\"" AUD_AZ "\"\n");
    fx_teardown(&f);
}

/* When several checks fail, the first in exit-code order decides. */
static void test_precedence(void)
{
    struct fx f;
    struct spec s;
    char *tok;
    size_t i;

    fx_setup(&f);
    s = spec_ok();
    s.exp = NOW - 3600;
    s.nbf = s.iat = NOW - 7200;
    s.iss = "https://other";
    tok = token_for(&s, HDR_RS256, k_rsa);
    write_file(f.tok, tok, strlen(tok));
    /* expired (4) + iss (5) + aud (5) + sub (6) -> 4 */
    CHECK_RUN(&f, WH_TOKEN_EXIT_TIME, "inspect", "--key", f.rsa_pem, "--iss", ISS, "--trust",
              "azure", "--role-sub", "a:b", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL time:");
    CHECK_OUT(&f, "FAIL iss:");
    CHECK_OUT(&f, "FAIL aud:");
    CHECK_OUT(&f, "FAIL sub:");
    /* iss/aud (5) + sub (6) -> 5 */
    CHECK_RUN(&f, WH_TOKEN_EXIT_CLAIM, "inspect", "--key", f.rsa_pem, "--iss", ISS, "--role-sub",
              "a:b", "--now", "1699996000", f.tok);
    /* sub alone -> 6 */
    CHECK_RUN(&f, WH_TOKEN_EXIT_TRUST, "inspect", "--key", f.rsa_pem, "--role-sub", "a:b", "--now",
              "1699996000", f.tok);
    /* bad signature (3) + expired (4) -> 3 */
    i = strlen(tok) - 5;
    tok[i] = tok[i] == 'A' ? 'B' : 'A';
    put_token(&f, tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_SIGNATURE, "inspect", "--key", f.rsa_pem, "--iss", ISS, "--now",
              NOW_S, f.tok);
    CHECK_OUT(&f, "FAIL signature:");
    CHECK_OUT(&f, "FAIL time:");
    /* unreadable key (1) beats everything after it; usage (2) is found first. */
    CHECK_RUN(&f, WH_TOKEN_EXIT_READ, "inspect", "--key", f.tok, "--now", NOW_S, f.tok);
    CHECK_RUN(&f, WH_TOKEN_EXIT_USAGE, "inspect", "--key", f.tok, "--trust", "x", f.tok);
    fx_teardown(&f);
}

/* Claim text is attacker-controlled: control characters never reach the
 * terminal raw. */
static void test_escaping(void)
{
    struct fx f;
    char *raw;

    fx_setup(&f);
    put_token(&f, mint("{\"alg\":\"RS256\",\"kid\":\"a\\u001b[2Jb\"}",
                       "{\"sub\":\"x\\u001b]0;pwned\\u0007y\",\"iss\":\"caf\\u00e9\","
                       "\"exp\":1700000100}",
                       k_rsa, EVP_sha256()));
    CHECK_RUN(&f, WH_TOKEN_EXIT_OK, "inspect", "--now", NOW_S, f.tok);
    CHECK_OUT(&f, "kid: a\\x1b[2Jb\n");
    CHECK_OUT(&f, "sub: x\\x1b]0;pwned\\x07y\n");
    CHECK_OUT(&f, "iss: caf\\xc3\\xa9\n");
    raw = cli_slurp(f.out, NULL);
    CHECK(raw != NULL && strchr(raw, 0x1b) == NULL && strchr(raw, 0x07) == NULL);
    free(raw);
    fx_teardown(&f);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_usage),     CHECK_TEST(test_rs256_pem),   CHECK_TEST(test_jwks),
    CHECK_TEST(test_no_key),    CHECK_TEST(test_time),        CHECK_TEST(test_iss_aud),
    CHECK_TEST(test_attacks),   CHECK_TEST(test_read_errors), CHECK_TEST(test_stdin_and_whitespace),
    CHECK_TEST(test_trust_aws), CHECK_TEST(test_trust_azure), CHECK_TEST(test_precedence),
    CHECK_TEST(test_escaping),
};

CHECK_MAIN(tests)
