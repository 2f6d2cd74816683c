/* SPDX-License-Identifier: Apache-2.0
 *
 * auth.c - caller authentication; see auth.h.
 */
#include "auth.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jwtverify.h"
#include "util/file.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define TOKENS_MAX      64
#define TOKEN_FILE_MAX  (64u * 1024u)
#define TOKEN_MIN_BYTES 16 /* a shared secret shorter than this is a mistake */

struct wh_auth {
    char *tokens[TOKENS_MAX];
    size_t ntokens;
    struct wh_jwt_keys *keys;
    char *iss, *aud;
    bool client_ca;
};

static void scrub_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        free(s);
    }
}

void wh_auth_free(struct wh_auth *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->ntokens; i++)
        scrub_free(a->tokens[i]);
    wh_jwt_keys_free(a->keys);
    free(a->iss);
    free(a->aud);
    free(a);
}

/* One token per line; blank lines and '#' comments skipped. */
static int load_tokens(const char *path, struct wh_auth *a, struct wh_err *err)
{
    struct wh_buf b;
    char *p, *line;
    int rc;

    wh_buf_init(&b, TOKEN_FILE_MAX);
    rc = wh_file_read(path, &b, err);
    for (p = b.data; rc == WH_OK && p && *p; p = line) {
        char *end;

        line = strchr(p, '\n');
        end = line ? line : p + strlen(p);
        if (line)
            line++;
        while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
            end--;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (p == end || *p == '#')
            continue;
        if ((size_t)(end - p) < TOKEN_MIN_BYTES)
            rc = wh_errf(err, WH_EINVAL, "auth.bearerTokenFile %s: a token shorter than %d bytes",
                         path, TOKEN_MIN_BYTES);
        else if (a->ntokens == TOKENS_MAX)
            rc = wh_errf(err, WH_EINVAL, "auth.bearerTokenFile %s: more than %d tokens", path,
                         TOKENS_MAX);
        else
            a->tokens[a->ntokens++] = wh_xstrndup(p, (size_t)(end - p));
    }
    if (rc == WH_OK && a->ntokens == 0)
        rc = wh_errf(err, WH_EINVAL, "auth.bearerTokenFile %s: no token in it", path);
    if (b.data)
        OPENSSL_cleanse(b.data, b.len);
    wh_buf_cleanup(&b);
    return rc;
}

int wh_auth_new(const struct wh_config *cfg, struct wh_auth **out, struct wh_err *err)
{
    struct wh_auth *a;
    int rc = WH_OK;

    *out = NULL;
    if (!cfg->auth_token_file[0] && !cfg->auth_jwt_keys[0] && !cfg->auth_client_ca[0])
        return WH_OK;
    a = wh_xcalloc(1, sizeof(*a));
    a->client_ca = cfg->auth_client_ca[0] != '\0';
    if (cfg->auth_token_file[0])
        rc = load_tokens(cfg->auth_token_file, a, err);
    if (rc == WH_OK && cfg->auth_jwt_keys[0]) {
        size_t n = strlen(cfg->auth_jwt_keys);
        bool jwks = n > 5 && strcasecmp(cfg->auth_jwt_keys + n - 5, ".json") == 0;

        rc = jwks ? wh_jwt_keys_load_jwks(cfg->auth_jwt_keys, &a->keys, err)
                  : wh_jwt_keys_load_pem(cfg->auth_jwt_keys, &a->keys, err);
        a->iss = wh_xstrdup(cfg->auth_jwt_issuer);
        a->aud = wh_xstrdup(cfg->auth_jwt_audience);
    }
    if (rc != WH_OK) {
        wh_auth_free(a);
        return rc;
    }
    *out = a;
    return WH_OK;
}

bool wh_auth_wants_client_cert(const struct wh_auth *a)
{
    return a != NULL && a->client_ca;
}

/* Compares against every token, always all of them: the time taken does not
 * say which one, or how much of one, matched. */
static bool token_ok(const struct wh_auth *a, const char *tok, size_t len)
{
    bool ok = false;
    size_t i;

    for (i = 0; i < a->ntokens; i++)
        ok |= wh_ct_equal(a->tokens[i], strlen(a->tokens[i]), tok, len);
    return ok;
}

static bool jwt_ok(const struct wh_auth *a, const char *tok, size_t len, struct wh_err *err)
{
    struct wh_jwt_expect e;
    struct wh_jwt_claims c;
    int rc;

    wh_jwt_expect_init(&e, (int64_t)time(NULL));
    e.iss = a->iss[0] ? a->iss : NULL;
    e.aud = a->aud[0] ? a->aud : NULL;
    wh_jwt_claims_init(&c);
    rc = wh_jwt_verify(tok, len, a->keys, &e, &c, err);
    wh_jwt_claims_cleanup(&c);
    return rc == WH_OK;
}

int wh_auth_check(const struct wh_auth *a, const char *authorization, bool client_cert_ok,
                  struct wh_err *err)
{
    const char *tok;
    size_t len;
    struct wh_err jerr;

    if (a == NULL || (a->client_ca && client_cert_ok))
        return WH_OK;
    if (a->ntokens == 0 && a->keys == NULL)
        return wh_errf(err, WH_EAUTH,
                       "a client certificate signed by auth.clientCaFile is "
                       "required");
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return wh_errf(err, WH_EAUTH, "missing bearer credentials%s",
                       a->client_ca ? " (or a client certificate)" : "");
    tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    len = strlen(tok);
    if (a->ntokens && token_ok(a, tok, len))
        return WH_OK;
    wh_err_clear(&jerr);
    if (a->keys && jwt_ok(a, tok, len, &jerr))
        return WH_OK;
    if (a->keys && jerr.msg[0])
        return wh_errf(err, WH_EAUTH, "invalid bearer token: %s", jerr.msg);
    return wh_errf(err, WH_EAUTH, "invalid bearer token");
}
