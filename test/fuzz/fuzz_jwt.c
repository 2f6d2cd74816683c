/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_jwt.c - the JWT verifier (jwtverify.h) against arbitrary tokens.
 *
 * The key set is fixed: an EC P-256 and an RSA 2048 public key (PEM, below).
 * Two tokens signed with them are embedded too (and are seeds of the
 * corpus); both expired long before the fixed clock, so no input can pass
 * every stage. A fuzzer cannot forge a signature, so:
 *   1. wh_jwt_verify never returns WH_OK, and then leaves its output empty;
 *   2. wh_jwt_verify_signature returns WH_OK only for the two embedded
 *      tokens, byte for byte (a variant that still verifies, e.g. another
 *      base64url spelling of the same signature, is a finding);
 *   3. what wh_jwt_decode_unverified accepts is consistent: header and
 *      payload are objects, the time claims it reports are the payload's
 *      numbers, and wh_jwt_check_time / wh_jwt_check_claims agree with an
 *      independent reading of those claims;
 *   4. wh_jwt_k8s_parse accepts only a DNS-1123 namespace and a non-empty
 *      service account name that fit their buffers.
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "fuzz.h"
#include "jwtverify.h"
#include "util/json.h"

#include "banned.h"

#define NOW    1800000000LL /* 2027-01-15; the embedded tokens expired in 2025 */
#define ISSUER "https://kubernetes.default.svc"
#define AUD    "sts.amazonaws.com"

static const char keys_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                               "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAExrGZXO8SsqjR/275vjOgT1RSMP+Z\n"
                               "P7QwH7ff3NDIWoDn8qe+VHc/sua8q2gpNY1pydbrpH68aJUBjrhVRWFa8g==\n"
                               "-----END PUBLIC KEY-----\n"
                               "-----BEGIN PUBLIC KEY-----\n"
                               "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7sCmh92U3r2Fz6GP3ECR\n"
                               "oT0C7J04n6oPf6Nv8n7XoZiQLOMsbBfM7EjTwO52RN3ksIkwaespAmsyGANTCIiO\n"
                               "FrmSfr8oUGQWqi5xnQ2DNDLS0lSLoqXOii2lwAKHVNZBaH2t4B5sIjJKTd7aYUW2\n"
                               "fwBREkbKtJX3hfSlM8BUmK13VXfF06/AFVrkgTUEUIbo0gMtcAle8F9Aml/hkLUh\n"
                               "iHuwt0BVNUf7LKkAmEVps45lxb5TDZu1KsCYhodPS/IHpuGPpcMERo6FGfr1eSyg\n"
                               "giisTgqGpdpTz4LrloCyvivpAXP0ibNC7xM6RUaoqW1Wa3pRdcZrqXl1M83j+Wei\n"
                               "oQIDAQAB\n"
                               "-----END PUBLIC KEY-----\n";

/* ES256, signed with the EC key above; exp 1750000000. */
static const char token_es256[] =
    "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjoxNzU"
    "wMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN2YyIsImt"
    "1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3BhcmstcGktZHJ"
    "pdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInNlcnZpY2VhY2NvdW5"
    "0Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMiJ9fSw"
    "ibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3Bhcmstam9iczpzcGFyayJ9.m7"
    "7cYtMVFovaJo5h8A9cSXBzl2FJalwCSDGSRemr4-lz6X8gnJpA-nhBNe5bCbRGLNSh4WydElUmtsgS4Px5OQ";

/* RS256, signed with the RSA key above; same claims. */
static const char token_rs256[] =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOlsic3RzLmFtYXpvbmF3cy5jb20iXSwiZXhwIjoxNzU"
    "wMDAwMDAwLCJpYXQiOjE3NDk5OTY0MDAsImlzcyI6Imh0dHBzOi8va3ViZXJuZXRlcy5kZWZhdWx0LnN2YyIsImt"
    "1YmVybmV0ZXMuaW8iOnsibmFtZXNwYWNlIjoic3Bhcmstam9icyIsInBvZCI6eyJuYW1lIjoic3BhcmstcGktZHJ"
    "pdmVyIiwidWlkIjoiOGIzZTBmNmMtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0sInNlcnZpY2VhY2NvdW5"
    "0Ijp7Im5hbWUiOiJzcGFyayIsInVpZCI6IjFmMGEyYjNjLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMiJ9fSw"
    "ibmJmIjoxNzQ5OTk2NDAwLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c3Bhcmstam9iczpzcGFyayJ9.Op"
    "J5j1_P6zv9CvNnMobFxm8Vtnueycd-_v7umkcdKptM6PQsgI9wKUoqQUs4fg92XD0MiWYK1L8sVaVmCLG-PlDq_G"
    "0MozsU8zvxMWcgCdVd7bKBqrHSDrlS7-6zOWpO8qj2lPahVkOqpM5Z6NJ17JB1C8uM-_PMJDRrbtS4dJDl_IHZfK"
    "oScwYQAN3N0DxphU96-gGAMi8-tfowff6eLdRmjlMNaPI9OIvKNU_FwfVXJY9tDszbeiBOyzyLL3CdkL50K8-Pv3"
    "PgrZeGNZKchuSf7RAI3hPpQbRDPsY1W-mWy3rgqXy_zW47omIFiS0rdnx6RcfyIFJVLgqNxlb2sQ";

static const struct wh_jwt_keys *setup(void)
{
    static struct wh_jwt_keys *keys;
    struct wh_err err;

    if (keys)
        return keys;
    fuzz_init();
    FUZZ_CHECK(wh_jwt_keys_parse_pem(keys_pem, strlen(keys_pem), &keys, &err) == WH_OK,
               "embedded keys: %s", err.msg);
    FUZZ_CHECK(wh_jwt_keys_count(keys) == 2, "%zu keys", wh_jwt_keys_count(keys));
    /* The fixture itself: both tokens verify, and neither is still valid. */
    FUZZ_CHECK(wh_jwt_verify_signature(token_es256, strlen(token_es256), keys, NULL, &err) == WH_OK,
               "embedded ES256 token: %s", err.msg);
    FUZZ_CHECK(wh_jwt_verify_signature(token_rs256, strlen(token_rs256), keys, NULL, &err) == WH_OK,
               "embedded RS256 token: %s", err.msg);
    return keys;
}

static bool is_known(const char *tok, size_t len)
{
    return (len == strlen(token_es256) && memcmp(tok, token_es256, len) == 0) ||
           (len == strlen(token_rs256) && memcmp(tok, token_rs256, len) == 0);
}

/* The payload's numeric claim key, as the decoder must report it. */
static void check_time_claim(const cJSON *payload, const char *key, bool has, int64_t v)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(payload, key);

    if (!cJSON_IsNumber(n)) {
        FUZZ_CHECK(!has, "%s reported but the payload has no number", key);
        return;
    }
    FUZZ_CHECK(has, "%s in the payload but not reported", key);
    FUZZ_CHECK(n->valuedouble >= 0 && n->valuedouble <= (double)WH_JWT_TIME_MAX,
               "%s %g accepted outside 0..WH_JWT_TIME_MAX", key, n->valuedouble);
    FUZZ_CHECK(v == (int64_t)n->valuedouble, "%s: %lld reported, %g in the payload", key,
               (long long)v, n->valuedouble);
}

static bool dns_label(const char *s)
{
    size_t n = strlen(s), i;

    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (i = 0; i < n; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    }
    return true;
}

/* Invariants 3 and 4 on a token that decodes. */
static void check_decoded(const struct wh_jwt_claims *c)
{
    struct wh_jwt_expect e;
    struct wh_jwt_k8s id;
    struct wh_err err;
    bool want;
    int rc;

    FUZZ_CHECK(cJSON_IsObject(c->header) && cJSON_IsObject(c->payload), "not objects");
    check_time_claim(c->payload, "exp", c->has_exp, c->exp);
    check_time_claim(c->payload, "nbf", c->has_nbf, c->nbf);
    check_time_claim(c->payload, "iat", c->has_iat, c->iat);

    wh_jwt_expect_init(&e, NOW);
    e.iss = ISSUER;
    e.aud = AUD;
    want = c->has_exp && NOW < c->exp + e.leeway && (!c->has_nbf || c->nbf <= NOW + e.leeway) &&
           (!c->has_iat || c->iat <= NOW + e.leeway);
    rc = wh_jwt_check_time(c, &e, &err);
    FUZZ_CHECK((rc == WH_OK) == want, "check_time rc=%d, expected %s (%s)", rc,
               want ? "ok" : "a failure", err.msg);
    if (rc != WH_OK)
        FUZZ_CHECK(rc == WH_EAUTH && err.msg[0], "check_time failure rc=%d", rc);
    want = c->iss != NULL && strcmp(c->iss, ISSUER) == 0 && wh_jwt_claims_has_aud(c, AUD);
    rc = wh_jwt_check_claims(c, &e, &err);
    FUZZ_CHECK((rc == WH_OK) == want, "check_claims rc=%d, expected %s (%s)", rc,
               want ? "ok" : "a failure", err.msg);

    if (wh_jwt_k8s_parse(c, &id, &err) == WH_OK) {
        FUZZ_CHECK(dns_label(id.ns), "namespace \"%s\" accepted", id.ns);
        FUZZ_CHECK(id.sa[0] != '\0' && strlen(id.sa) <= WH_JWT_NAME_MAX, "sa \"%s\" accepted",
                   id.sa);
        FUZZ_CHECK(id.has_pod == (id.pod[0] != '\0'), "has_pod disagrees with pod name");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct wh_jwt_keys *keys = setup();
    struct wh_jwt_claims claims;
    struct wh_jwt_expect e;
    struct wh_err err;
    char *tok = fuzz_text(data, size);
    size_t key = 99;
    int rc;

    wh_jwt_claims_init(&claims);
    wh_jwt_expect_init(&e, NOW);
    e.iss = ISSUER;
    e.aud = AUD;
    rc = wh_jwt_verify(tok, size, keys, &e, &claims, &err);
    FUZZ_CHECK(rc != WH_OK, "a fuzzed token was accepted: %.*s", (int)size, tok);
    FUZZ_CHECK(claims.header == NULL && claims.payload == NULL, "claims filled on failure");
    FUZZ_CHECK(err.msg[0] != '\0', "failure rc=%d without a message", rc);

    rc = wh_jwt_verify_signature(tok, size, keys, &key, &err);
    if (rc == WH_OK)
        FUZZ_CHECK(is_known(tok, size) && key < 2,
                   "signature accepted for a token that is not an embedded one: %.*s", (int)size,
                   tok);

    if (wh_jwt_decode_unverified(tok, size, &claims, &err) == WH_OK)
        check_decoded(&claims);
    wh_jwt_claims_cleanup(&claims);
    free(tok);
    return 0;
}
