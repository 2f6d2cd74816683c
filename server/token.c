/* SPDX-License-Identifier: Apache-2.0
 *
 * token.c - `sparkhook token inspect`: decode a JWT, print its header and
 * claims, verify it with jwt.h when a key is given, and check it against what
 * an AWS IAM role trust policy (IRSA) or an Azure federated identity
 * credential asks of a Kubernetes service-account token.
 *
 * The command line follows certs.c: a table of subcommands, each with a table
 * of options, parsed without getopt so that argv is never permuted and no
 * parser state survives a call. Options take "--name VALUE" or
 * "--name=VALUE"; "--" ends them. Every check prints one line and yields an
 * exit code; the codes are numbered in the order of the checks, so the first
 * failing check is the smallest non-zero code. Token text is printed with
 * control characters escaped, because a token is attacker-controlled input.
 */
#include "token.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jwtverify.h"
#include "util/args.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/str.h"
#include "wh.h"

#include "banned.h"

/* Bytes read from the token file: room for white space around a token; the
 * token cap itself applies after trimming. */
#define TOKEN_READ_MAX ((size_t)WH_JWT_TOKEN_MAX * 4)
#define NOW_UNSET      UINT64_MAX

static const char usage_text[] =
    "usage: sparkhook token inspect [--key PEM | --jwks FILE] [--iss ISS] [--aud AUD]\n"
    "                               [--trust aws|azure] [--role-sub NS:SA] [--now UNIX]\n"
    "                               TOKEN_FILE|-\n"
    "\n"
    "inspect   decodes a JWT, such as a projected service-account token, from TOKEN_FILE\n"
    "          (\"-\" = stdin) and prints its header and claims one per line (never the\n"
    "          signature), then one \"ok ...\", \"FAIL ...\" or \"skip ...\" line per check\n"
    "  --key PEM         verify the signature with the public key(s) in PEM (RSA or EC,\n"
    "                    e.g. the API server's --service-account-key-file)\n"
    "  --jwks FILE       verify with a JWKS document (e.g. ISSUER/openid/v1/jwks); the\n"
    "                    token's kid picks the key. The key pins the algorithm (RS256 for\n"
    "                    RSA, ES256/ES384 by curve, or the JWK's alg): a token whose alg\n"
    "                    differs fails, and none and HS* are always refused\n"
    "  --iss ISS         the iss claim must equal ISS\n"
    "  --aud AUD         the aud claim must contain AUD\n"
    "  --trust aws       would an IAM role trust policy (IRSA) accept the token? aud must\n"
    "                    contain \"sts.amazonaws.com\" (or --aud); prints the conditions\n"
    "  --trust azure     the same for an Azure federated identity credential; aud must\n"
    "                    contain \"api://AzureADTokenExchange\" (or --aud)\n"
    "  --role-sub NS:SA  sub must be system:serviceaccount:NS:SA, the subject the trust\n"
    "                    policy or federated credential names; without it, the subject\n"
    "                    the policy would need is printed\n"
    "  --now UNIX        check times against UNIX (seconds since 1970) instead of the clock\n"
    "Without --key or --jwks the signature is NOT verified. exp (required), nbf and iat\n"
    "are always checked, with 60 s of leeway.\n"
    "\n"
    "exit status (when several checks fail, the first in this order decides):\n";

static void msg(const char *fmt, ...) WH_PRINTF(1, 2);

static void msg(const char *fmt, ...)
{
    va_list ap;

    (void)fputs("sparkhook token: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
}

static void usage(FILE *f)
{
    static const char *const exit_msgs[] = {
#define X(name, msg) msg,
        WH_TOKEN_EXITS(X)
#undef X
    };

    (void)fputs(usage_text, f);
    for (size_t i = 0; i < WH_NELEM(exit_msgs); i++)
        (void)fprintf(f, "  %zu  %s\n", i, exit_msgs[i]);
}

/* ---- trust policies ------------------------------------------------------ */

/* Prints what the provider's policy must say to accept this token. */
typedef void trust_hint_fn(const struct wh_jwt_claims *c, const char *aud, const char *sub);

static trust_hint_fn hint_aws, hint_azure;

static const struct trust_row {
    const char *name; /* --trust value */
    const char *aud;  /* the audience the provider's token exchange requires */
    const char *what; /* the policy object, for messages */
    trust_hint_fn *hint;
} trusts[] = {
    { "aws", "sts.amazonaws.com", "the IAM role trust policy", hint_aws },
    { "azure", "api://AzureADTokenExchange", "the federated identity credential", hint_azure },
};

static const struct trust_row *find_trust(const char *name)
{
    for (size_t i = 0; i < WH_NELEM(trusts); i++) {
        if (strcmp(trusts[i].name, name) == 0)
            return &trusts[i];
    }
    return NULL;
}

/* ---- output -------------------------------------------------------------- */

/* Writes s to stdout with control characters, DEL and non-ASCII bytes as
 * \xNN, so that a token cannot drive the terminal. */
static void put_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            (void)putchar(*p);
        else
            (void)printf("\\x%02x", *p);
    }
}

static void print_field(const char *name, const char *value)
{
    (void)printf("%s: ", name);
    if (value != NULL)
        put_safe(value);
    else
        (void)fputs("(none)", stdout);
    (void)putchar('\n');
}

static void print_time(const char *name, bool has, int64_t t, int64_t now)
{
    char when[32];

    if (!has) {
        (void)printf("%s: (none)\n", name);
        return;
    }
    (void)printf("%s: %lld %s", name, (long long)t, wh_jwt_time_str(t, when, sizeof(when)));
    if (strcmp(name, "exp") == 0 && t > now)
        (void)printf(" (%lld s left)\n", (long long)(t - now));
    else if (strcmp(name, "exp") == 0)
        (void)printf(" (expired %lld s ago)\n", (long long)(now - t));
    else if (t > now)
        (void)printf(" (in %lld s)\n", (long long)(t - now));
    else
        (void)printf(" (%lld s ago)\n", (long long)(now - t));
}

static void print_aud(const cJSON *aud)
{
    const cJSON *item;

    (void)fputs("aud: ", stdout);
    if (aud == NULL) {
        (void)fputs("(none)", stdout);
    } else if (cJSON_IsString(aud)) {
        put_safe(aud->valuestring);
    } else {
        cJSON_ArrayForEach(item, aud)
        {
            if (item != aud->child)
                (void)fputs(", ", stdout);
            put_safe(item->valuestring);
        }
    }
    (void)putchar('\n');
}

static void print_k8s(const struct wh_jwt_claims *c)
{
    struct wh_jwt_k8s k;
    struct wh_err err;

    if (wh_jwt_k8s_parse(c, &k, &err) != WH_OK) {
        (void)fputs("kubernetes.io: not a service-account token: ", stdout);
        put_safe(err.msg);
        (void)putchar('\n');
        return;
    }
    (void)printf("kubernetes.io/namespace: %s\n", k.ns);
    (void)printf("kubernetes.io/serviceaccount: %s (uid %s)\n", k.sa,
                 k.sa_uid[0] ? k.sa_uid : "(none)");
    if (k.has_pod)
        (void)printf("kubernetes.io/pod: %s (uid %s)\n", k.pod,
                     k.pod_uid[0] ? k.pod_uid : "(none)");
    else
        (void)printf("kubernetes.io/pod: (none: the token is not bound to a pod)\n");
}

static void print_claims(const struct wh_jwt_claims *c, int64_t now)
{
    print_field("alg", c->alg);
    print_field("kid", c->kid);
    if (c->typ != NULL)
        print_field("typ", c->typ);
    print_field("iss", c->iss);
    print_field("sub", c->sub);
    print_aud(c->aud);
    print_time("exp", c->has_exp, c->exp, now);
    print_time("nbf", c->has_nbf, c->nbf, now);
    print_time("iat", c->has_iat, c->iat, now);
    print_k8s(c);
    (void)printf("signature: %zu bytes (not shown)\n", c->sig_len);
}

/* The issuer without its scheme, as IAM names the OIDC provider. */
static const char *issuer_hostpath(const char *iss)
{
    if (iss == NULL)
        return "ISSUER_HOST_PATH";
    if (wh_str_has_prefix(iss, "https://"))
        return iss + strlen("https://");
    return iss;
}

static void hint_aws(const struct wh_jwt_claims *c, const char *aud, const char *sub)
{
    const char *hp = issuer_hostpath(c->iss);

    (void)fputs("  \"Principal\": {\"Federated\": \"arn:aws:iam::ACCOUNT_ID:oidc-provider/",
                stdout);
    put_safe(hp);
    (void)fputs("\"}\n  \"Action\": \"sts:AssumeRoleWithWebIdentity\"\n", stdout);
    (void)fputs("  \"Condition\": {\"StringEquals\": {\"", stdout);
    put_safe(hp);
    (void)fputs(":aud\": \"", stdout);
    put_safe(aud);
    (void)fputs("\", \"", stdout);
    put_safe(hp);
    (void)fputs(":sub\": \"", stdout);
    put_safe(sub);
    (void)fputs("\"}}\n", stdout);
}

static void hint_azure(const struct wh_jwt_claims *c, const char *aud, const char *sub)
{
    (void)fputs("  issuer: ", stdout);
    put_safe(c->iss ? c->iss : "ISSUER");
    (void)fputs("\n  subject: ", stdout);
    put_safe(sub);
    (void)fputs("\n  audiences: [\"", stdout);
    put_safe(aud);
    (void)fputs("\"]\n", stdout);
}

/* ---- options ------------------------------------------------------------- */

struct token_opts {
    const char *key;
    const char *jwks;
    const char *iss;
    const char *aud;
    const char *trust;
    const char *role_sub;
    uint64_t now; /* NOW_UNSET: read the clock */
    const char *args[1];
    size_t nargs;
};

#define OPT(name, kind, field, max, what)                            \
    {                                                                \
        name, kind, offsetof(struct token_opts, field), 0, max, what \
    }

static const struct wh_arg_spec inspect_opts[] = {
    OPT("key", WH_ARG_STR, key, 0, NULL),           /* PEM public key(s) */
    OPT("jwks", WH_ARG_STR, jwks, 0, NULL),         /* JWKS document */
    OPT("iss", WH_ARG_STR, iss, 0, NULL),           /* expected issuer */
    OPT("aud", WH_ARG_STR, aud, 0, NULL),           /* expected audience */
    OPT("trust", WH_ARG_STR, trust, 0, NULL),       /* aws or azure (see trusts[]) */
    OPT("role-sub", WH_ARG_STR, role_sub, 0, NULL), /* NAMESPACE:SERVICEACCOUNT */
    OPT("now", WH_ARG_U64, now, (uint64_t)WH_JWT_TIME_MAX, "unix seconds"), /* the clock */
};

typedef int token_cmd_fn(const struct token_opts *o);

static token_cmd_fn run_inspect;

static const struct subcmd {
    const char *name;
    const struct wh_arg_spec *opts;
    size_t nopts;
    size_t nargs; /* positional arguments, exactly */
    token_cmd_fn *run;
} subcmds[] = {
    { "inspect", inspect_opts, WH_NELEM(inspect_opts), 1, run_inspect },
};

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Parses the arguments after the subcommand name (argv[2] on) into o. "-"
 * alone is a file argument (stdin). */
static int parse_args(const struct subcmd *sc, int argc, char **argv, struct token_opts *o)
{
    struct wh_err err;

    if (wh_args_parse(sc->name, argc, argv, 2, sc->opts, sc->nopts, o, o->args, WH_NELEM(o->args),
                      &o->nargs, &err) != WH_OK) {
        msg("%s", err.msg);
        return WH_TOKEN_EXIT_USAGE;
    }
    if (o->nargs != sc->nargs) {
        msg("%s: want %zu token file argument (or - for stdin), got %zu", sc->name, sc->nargs,
            o->nargs);
        return WH_TOKEN_EXIT_USAGE;
    }
    return WH_TOKEN_EXIT_OK;
}

/* Option combinations and values, checked before any file is read. */
static int validate_opts(const struct token_opts *o)
{
    struct wh_jwt_k8s k;
    struct wh_err err;
    char sub[sizeof(WH_JWT_SA_SUB_PREFIX) + WH_JWT_NS_MAX + 1 + WH_JWT_NAME_MAX + 1];

    if (o->key != NULL && o->jwks != NULL) {
        msg("--key and --jwks exclude each other");
        return WH_TOKEN_EXIT_USAGE;
    }
    if (o->trust != NULL && find_trust(o->trust) == NULL) {
        msg("--trust: want aws or azure, not \"%s\"", o->trust);
        return WH_TOKEN_EXIT_USAGE;
    }
    if (o->role_sub == NULL)
        return WH_TOKEN_EXIT_OK;
    if (strlen(o->role_sub) >= sizeof(sub) - strlen(WH_JWT_SA_SUB_PREFIX)) {
        msg("--role-sub: too long for NAMESPACE:SERVICEACCOUNT");
        return WH_TOKEN_EXIT_USAGE;
    }
    (void)snprintf(sub, sizeof(sub), "%s%s", WH_JWT_SA_SUB_PREFIX, o->role_sub);
    if (wh_jwt_k8s_parse_sub(sub, &k, &err) != WH_OK) {
        msg("--role-sub: want NAMESPACE:SERVICEACCOUNT (%s)", err.msg);
        return WH_TOKEN_EXIT_USAGE;
    }
    return WH_TOKEN_EXIT_OK;
}

static void opts_init(struct token_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->now = NOW_UNSET;
}

/* ---- inspect ------------------------------------------------------------- */

/* Everything one run works on; owned here and released by inspect_cleanup. */
struct inspect {
    const struct token_opts *o;
    const struct trust_row *trust; /* NULL without --trust */
    struct wh_jwt_keys *keys;      /* NULL without --key/--jwks */
    struct wh_buf file;            /* the token file */
    const char *token;             /* the token in file, trimmed */
    size_t len;
    struct wh_jwt_claims claims;
    struct wh_jwt_expect expect;
    char want_sub[sizeof(WH_JWT_SA_SUB_PREFIX) + WH_JWT_NS_MAX + 1 + WH_JWT_NAME_MAX + 1];
};

/* The smaller non-zero code: the earlier failing check. */
static int first_failure(int a, int b)
{
    if (a == WH_TOKEN_EXIT_OK)
        return b;
    if (b == WH_TOKEN_EXIT_OK)
        return a;
    return a < b ? a : b;
}

static int load_keys(struct inspect *in)
{
    const struct token_opts *o = in->o;
    struct wh_err err;
    int rc;

    if (o->key != NULL)
        rc = wh_jwt_keys_load_pem(o->key, &in->keys, &err);
    else if (o->jwks != NULL)
        rc = wh_jwt_keys_load_jwks(o->jwks, &in->keys, &err);
    else
        return WH_TOKEN_EXIT_OK;
    if (rc != WH_OK) {
        msg("cannot load %s: %s", o->key ? "--key" : "--jwks", err.msg);
        return WH_TOKEN_EXIT_READ;
    }
    return WH_TOKEN_EXIT_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads and decodes the token; the file may hold surrounding white space. */
static int read_token(struct inspect *in)
{
    const char *path = in->o->args[0];
    struct wh_err err;

    if (wh_file_read(path, &in->file, &err) != WH_OK) {
        msg("cannot read the token: %s", err.msg);
        return WH_TOKEN_EXIT_READ;
    }
    in->token = wh_buf_str(&in->file);
    in->len = wh_buf_len(&in->file);
    while (in->len > 0 && is_space(in->token[0])) {
        in->token++;
        in->len--;
    }
    while (in->len > 0 && is_space(in->token[in->len - 1]))
        in->len--;
    if (wh_jwt_decode_unverified(in->token, in->len, &in->claims, &err) != WH_OK) {
        msg("cannot decode the token from %s: %s", strcmp(path, "-") == 0 ? "stdin" : path,
            err.msg);
        return WH_TOKEN_EXIT_READ;
    }
    return WH_TOKEN_EXIT_OK;
}

static int check_signature(const struct inspect *in)
{
    struct wh_err err;
    char desc[160];
    size_t idx = 0;

    if (in->keys == NULL) {
        (void)printf("skip signature: NOT verified (no --key or --jwks given)\n");
        return WH_TOKEN_EXIT_OK;
    }
    if (wh_jwt_verify_signature(in->token, in->len, in->keys, &idx, &err) != WH_OK) {
        (void)fputs("FAIL signature: ", stdout);
        put_safe(err.msg);
        (void)putchar('\n');
        return WH_TOKEN_EXIT_SIGNATURE;
    }
    (void)printf("ok signature: verified with key (%s)\n",
                 wh_jwt_keys_describe(in->keys, idx, desc, sizeof(desc)));
    return WH_TOKEN_EXIT_OK;
}

static int check_time(const struct inspect *in)
{
    struct wh_err err;

    if (wh_jwt_check_time(&in->claims, &in->expect, &err) != WH_OK) {
        (void)fputs("FAIL time: ", stdout);
        put_safe(err.msg);
        (void)putchar('\n');
        return WH_TOKEN_EXIT_TIME;
    }
    (void)printf("ok time: not expired, not before nbf or iat (leeway %lld s)\n",
                 (long long)in->expect.leeway);
    return WH_TOKEN_EXIT_OK;
}

/* The claim comparisons, in the order of their exit codes. */
enum claim_check { CHECK_ISS, CHECK_AUD, CHECK_SUB };

static const struct claim_row {
    const char *name;
    const char *skip; /* why the check did not run */
    int fail;         /* exit code on mismatch */
} claim_rows[] = {
    [CHECK_ISS] = { "iss", "no --iss", WH_TOKEN_EXIT_CLAIM },
    [CHECK_AUD] = { "aud", "no --aud or --trust", WH_TOKEN_EXIT_CLAIM },
    [CHECK_SUB] = { "sub", "no --role-sub", WH_TOKEN_EXIT_TRUST },
};

/* Runs one comparison with only its expectation set. */
static int check_claim(const struct inspect *in, enum claim_check which, const char *want)
{
    const struct claim_row *row = &claim_rows[which];
    struct wh_jwt_expect e;
    struct wh_err err;

    if (want == NULL) {
        (void)printf("skip %s: %s\n", row->name, row->skip);
        return WH_TOKEN_EXIT_OK;
    }
    wh_jwt_expect_init(&e, in->expect.now);
    if (which == CHECK_ISS)
        e.iss = want;
    else if (which == CHECK_AUD)
        e.aud = want;
    else
        e.sub = want;
    if (wh_jwt_check_claims(&in->claims, &e, &err) != WH_OK) {
        (void)printf("FAIL %s: ", row->name);
        put_safe(err.msg);
        (void)putchar('\n');
        return row->fail;
    }
    (void)printf("ok %s: ", row->name);
    put_safe(want);
    (void)putchar('\n');
    return WH_TOKEN_EXIT_OK;
}

/* The conditions the provider's policy must hold for this token (with the
 * --role-sub subject, else the token's own), and the verdict. */
static void report_trust(const struct inspect *in, int aud_rc, int sub_rc)
{
    const struct trust_row *t = in->trust;
    const char *sub = in->want_sub[0] ? in->want_sub : in->claims.sub;

    (void)printf("trust %s: %s must hold:\n", t->name, t->what);
    t->hint(&in->claims, in->expect.aud, sub ? sub : "system:serviceaccount:NAMESPACE:NAME");
    if (aud_rc != WH_TOKEN_EXIT_OK)
        (void)printf("FAIL trust %s: the token's aud does not contain \"%s\"\n", t->name,
                     in->expect.aud);
    else if (sub_rc != WH_TOKEN_EXIT_OK)
        (void)printf("FAIL trust %s: the token's sub is not %s\n", t->name, in->want_sub);
    else if (in->want_sub[0])
        (void)printf("ok trust %s: aud and sub satisfy %s\n", t->name, t->what);
    else
        (void)printf("ok trust %s: aud matches; give --role-sub NS:SA to check the subject\n",
                     t->name);
}

static int run_checks(struct inspect *in)
{
    int rc, aud_rc, sub_rc;

    rc = check_signature(in);
    rc = first_failure(rc, check_time(in));
    rc = first_failure(rc, check_claim(in, CHECK_ISS, in->expect.iss));
    aud_rc = check_claim(in, CHECK_AUD, in->expect.aud);
    rc = first_failure(rc, aud_rc);
    sub_rc = check_claim(in, CHECK_SUB, in->want_sub[0] ? in->want_sub : NULL);
    rc = first_failure(rc, sub_rc);
    if (in->trust != NULL)
        report_trust(in, aud_rc, sub_rc);
    return rc;
}

static int run_inspect(const struct token_opts *o)
{
    struct inspect in;
    int rc;

    memset(&in, 0, sizeof(in));
    in.o = o;
    in.trust = o->trust ? find_trust(o->trust) : NULL;
    wh_buf_init(&in.file, TOKEN_READ_MAX);
    wh_jwt_claims_init(&in.claims);
    wh_jwt_expect_init(&in.expect, o->now != NOW_UNSET ? (int64_t)o->now : (int64_t)time(NULL));
    in.expect.iss = o->iss;
    in.expect.aud = o->aud ? o->aud : in.trust ? in.trust->aud : NULL;
    if (o->role_sub != NULL)
        (void)snprintf(in.want_sub, sizeof(in.want_sub), "%s%s", WH_JWT_SA_SUB_PREFIX, o->role_sub);

    rc = load_keys(&in);
    if (rc == WH_TOKEN_EXIT_OK)
        rc = read_token(&in);
    if (rc != WH_TOKEN_EXIT_OK)
        goto out;
    print_claims(&in.claims, in.expect.now);
    rc = run_checks(&in);
out:
    wh_jwt_claims_cleanup(&in.claims);
    wh_buf_cleanup(&in.file);
    wh_jwt_keys_free(in.keys);
    return rc;
}

int wh_token_main(int argc, char **argv)
{
    const struct subcmd *sc = NULL;
    struct token_opts o;
    int rc;

    if (argc < 2 || argv[1] == NULL) {
        usage(stderr);
        return WH_TOKEN_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (is_help(argv[i])) {
            usage(stdout);
            return WH_TOKEN_EXIT_OK;
        }
    }
    for (size_t i = 0; i < WH_NELEM(subcmds); i++) {
        if (strcmp(argv[1], subcmds[i].name) == 0)
            sc = &subcmds[i];
    }
    if (sc == NULL) {
        msg("unknown subcommand \"%s\" (want inspect)", argv[1]);
        usage(stderr);
        return WH_TOKEN_EXIT_USAGE;
    }
    opts_init(&o);
    rc = parse_args(sc, argc, argv, &o);
    if (rc == WH_TOKEN_EXIT_OK)
        rc = validate_opts(&o);
    if (rc != WH_TOKEN_EXIT_OK) {
        (void)fputs("run `sparkhook token --help` for usage\n", stderr);
        return rc;
    }
    return sc->run(&o);
}
