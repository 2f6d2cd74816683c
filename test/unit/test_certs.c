/* SPDX-License-Identifier: Apache-2.0
 *
 * test_certs.c - `sparkhook certs generate|check` through wh_certs_main()
 * with argv arrays, in a fresh mkdtemp directory per test: generate then
 * check (every SAN name, with the CA), each failure exit code and their
 * precedence, the certificate contents parsed back with OpenSSL (SAN list,
 * extensions, lifetimes, serials), file modes whatever the umask, refusing to
 * overwrite or follow links, DNS-1123 validation at 63/64 bytes and usage
 * errors. stdout and stderr of each run go to files in the test directory
 * and are echoed when a run's exit code is not the expected one; a failing
 * test leaves its directory behind for inspection.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certs.h"
#include "check.h"
#include "cli_run.h"
#include "util/b64.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/mem.h"

#include "banned.h"

#define FILE_MAX (1 << 20)
#define SVC      "sparkhook"
#define NS       "sparkhook-system"

static const char *const san_names[] = {
    SVC,
    SVC "." NS,
    SVC "." NS ".svc",
    SVC "." NS ".svc.cluster.local",
};

struct fx {
    char dir[PATH_MAX - 64]; /* room for "/name" below it */
    char out[PATH_MAX];      /* captured stdout of the last run */
    char err[PATH_MAX];      /* captured stderr of the last run */
};

/* ---- fixture ------------------------------------------------------------- */

static void fx_setup(struct fx *f)
{
    cli_mkdtemp(f->dir, sizeof(f->dir), "test_certs");
    (void)snprintf(f->out, sizeof(f->out), "%s/stdout.txt", f->dir);
    (void)snprintf(f->err, sizeof(f->err), "%s/stderr.txt", f->dir);
}

/* dir/name into path (PATH_MAX bytes). */
static char *fx_path(const struct fx *f, const char *name, char *path)
{
    int n = snprintf(path, PATH_MAX, "%s/%s", f->dir, name);

    CHECK(n > 0 && n < PATH_MAX);
    return path;
}

static void fx_teardown(struct fx *f)
{
    cli_rm_tree(f->dir);
}

/* Runs `certs ARGS...` (NULL-terminated) with stdout and stderr captured. */
static int run(const struct fx *f, ...)
{
    va_list ap;
    int rc;

    va_start(ap, f);
    rc = cli_run(wh_certs_main, "certs", NULL, f->out, f->err, ap);
    va_end(ap);
    return rc;
}

/* Generates into dir/sub, with one extra option pair when o1 and o2 are
 * given, expecting success. */
static void generate(const struct fx *f, const char *sub, const char *o1, const char *o2)
{
    char out[PATH_MAX];

    fx_path(f, sub, out);
    if (o1 && o2)
        CHECK_RUN(f, 0, "generate", "--service", SVC, "--namespace", NS, "--out", out, o1, o2);
    else
        CHECK_RUN(f, 0, "generate", "--service", SVC, "--namespace", NS, "--out", out);
}

/* ---- OpenSSL helpers ------------------------------------------------------ */

static X509 *load_cert(const char *path)
{
    BIO *bio = BIO_new_file(path, "r");
    X509 *crt = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

    BIO_free(bio);
    return crt;
}

static EVP_PKEY *load_key(const char *path)
{
    BIO *bio = BIO_new_file(path, "r");
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;

    BIO_free(bio);
    return key;
}

/* Re-signs the certificate in in with the key in key_path after moving its
 * validity to [now + nb_days, now + na_days], and writes it to out. */
static int resign(const char *in, const char *key_path, int nb_days, int na_days, const char *out)
{
    X509 *crt = load_cert(in);
    EVP_PKEY *key = load_key(key_path);
    BIO *bio = NULL;
    int ok = 0;

    if (crt == NULL || key == NULL)
        goto out;
    if (!X509_time_adj_ex(X509_getm_notBefore(crt), nb_days, 0, NULL) ||
        !X509_time_adj_ex(X509_getm_notAfter(crt), na_days, 0, NULL) ||
        X509_sign(crt, key, EVP_sha256()) <= 0)
        goto out;
    bio = BIO_new_file(out, "w");
    ok = bio != NULL && PEM_write_bio_X509(bio, crt);
out:
    BIO_free(bio);
    EVP_PKEY_free(key);
    X509_free(crt);
    return ok;
}

static int mode_of(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return -1;
    return (int)(st.st_mode & 07777);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    CHECK(fp != NULL);
    (void)fputs(text, fp);
    CHECK(fclose(fp) == 0);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_generate_then_check(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX], opt[PATH_MAX + 8];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    fx_path(&f, "a/ca.crt", ca);
    CHECK_RUN(&f, 0, "check", crt, key);
    CHECK(cli_has(f.out, "ok key matches certificate\n"));
    CHECK(cli_has(f.out, " days left\n"));
    CHECK_RUN(&f, 0, "check", crt, key, "--ca", ca);
    CHECK(cli_has(f.out, "ok chain verifies against"));
    for (size_t i = 0; i < WH_NELEM(san_names); i++) {
        CHECK_RUN(&f, 0, "check", crt, key, "--ca", ca, "--dns", san_names[i]);
        CHECK(cli_has(f.out, "ok DNS name"));
    }
    /* --opt=value, options before and between the files */
    (void)snprintf(opt, sizeof(opt), "--ca=%s", ca);
    CHECK_RUN(&f, 0, "check", "--min-days=364", crt, opt, key);
    fx_teardown(&f);
}

static void test_ca_bundle_on_stdout(void)
{
    struct fx f;
    char path[PATH_MAX];
    struct wh_buf want;
    char *ca, *got;
    size_t len;

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    got = cli_slurp(f.out, NULL);
    ca = cli_slurp(fx_path(&f, "a/ca.crt", path), &len);
    CHECK(got != NULL && ca != NULL);
    wh_buf_init(&want, FILE_MAX);
    CHECK_OK(wh_b64_encode(ca, len, &want));
    CHECK_OK(wh_buf_addc(&want, '\n'));
    CHECK_STR_EQ(got, wh_buf_str(&want));
    CHECK(strncmp(ca, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    CHECK(cli_has(f.err, "caBundle on stdout"));
    wh_buf_cleanup(&want);
    free(ca);
    free(got);
    fx_teardown(&f);
}

static void test_wrong_dns(void)
{
    static const char *const wrong[] = {
        "evil.example.com",
        SVC ".default.svc",
        SVC "." NS ".svc.cluster",
        "x." SVC "." NS ".svc",
        NS,
        "*." NS ".svc",
    };
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    fx_path(&f, "a/ca.crt", ca);
    for (size_t i = 0; i < WH_NELEM(wrong); i++) {
        CHECK_RUN(&f, WH_CERTS_EXIT_DNS, "check", crt, key, "--ca", ca, "--dns", wrong[i]);
        CHECK(cli_has(f.out, "FAIL DNS name"));
        CHECK(cli_has(f.out, SVC "." NS ".svc.cluster.local)"));
    }
    CHECK_EQ(WH_CERTS_EXIT_DNS, 6);
    fx_teardown(&f);
}

static void test_wrong_key(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], cakey[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    generate(&f, "b", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "b/tls.key", key);
    fx_path(&f, "a/ca.key", cakey);
    CHECK_RUN(&f, 3, "check", crt, key);
    CHECK(cli_has(f.out, "FAIL key does not match certificate\n"));
    CHECK_RUN(&f, 3, "check", crt, cakey);
    fx_teardown(&f);
}

static void test_wrong_ca(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    generate(&f, "b", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    fx_path(&f, "b/ca.crt", ca);
    CHECK_RUN(&f, 5, "check", crt, key, "--ca", ca, "--dns", san_names[0]);
    CHECK(cli_has(f.out, "FAIL chain does not verify"));
    fx_teardown(&f);
}

static void test_chain_in_cert_file(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX], chain[PATH_MAX];
    char *a, *b;
    struct wh_buf both;

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    a = cli_slurp(fx_path(&f, "a/tls.crt", crt), NULL);
    b = cli_slurp(fx_path(&f, "a/ca.crt", ca), NULL);
    CHECK(a != NULL && b != NULL);
    wh_buf_init(&both, FILE_MAX);
    CHECK_OK(wh_buf_printf(&both, "%s%s", a, b));
    write_text(fx_path(&f, "chain.pem", chain), wh_buf_str(&both));
    CHECK_RUN(&f, 0, "check", chain, fx_path(&f, "a/tls.key", key), "--ca", ca, "--dns",
              san_names[3]);
    wh_buf_cleanup(&both);
    free(a);
    free(b);
    fx_teardown(&f);
}

static void test_min_days(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX];

    fx_setup(&f);
    generate(&f, "d1", "--days", "1");
    fx_path(&f, "d1/tls.crt", crt);
    fx_path(&f, "d1/tls.key", key);
    fx_path(&f, "d1/ca.crt", ca);
    CHECK_RUN(&f, 4, "check", crt, key, "--ca", ca, "--min-days", "30");
    CHECK(cli_has(f.out, "fewer than --min-days 30"));
    CHECK_RUN(&f, 0, "check", crt, key, "--ca", ca);
    /* Days left are whole days from now: N right after `generate --days N`,
     * N - 1 a second later. So --days 31 satisfies --min-days 30 and --days 30
     * fails --min-days 31, whichever second the check runs in. */
    generate(&f, "d31", "--days", "31");
    CHECK_RUN(&f, 0, "check", fx_path(&f, "d31/tls.crt", crt), fx_path(&f, "d31/tls.key", key),
              "--min-days", "30");
    generate(&f, "d30", "--days", "30");
    CHECK_RUN(&f, 4, "check", fx_path(&f, "d30/tls.crt", crt), fx_path(&f, "d30/tls.key", key),
              "--min-days", "31");
    fx_teardown(&f);
}

static void test_expired_and_not_yet_valid(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX], cakey[PATH_MAX], bad[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    fx_path(&f, "a/ca.crt", ca);
    fx_path(&f, "a/ca.key", cakey);
    CHECK(resign(crt, cakey, -10, -2, fx_path(&f, "expired.crt", bad)));
    CHECK_RUN(&f, 4, "check", bad, key, "--ca", ca, "--dns", "nope");
    CHECK(cli_has(f.out, "FAIL expired"));
    CHECK(cli_has(f.out, "FAIL DNS name")); /* every check still runs */
    CHECK(resign(crt, cakey, 2, 10, fx_path(&f, "future.crt", bad)));
    CHECK_RUN(&f, 4, "check", bad, key);
    CHECK(cli_has(f.out, "FAIL not valid before"));
    fx_teardown(&f);
}

/* key (3) before time (4) before chain (5) before DNS (6) */
static void test_first_failure_decides(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], key_b[PATH_MAX], ca_b[PATH_MAX], cakey[PATH_MAX];
    char old[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    generate(&f, "b", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    fx_path(&f, "b/tls.key", key_b);
    fx_path(&f, "b/ca.crt", ca_b);
    CHECK_RUN(&f, 3, "check", crt, key_b, "--ca", ca_b, "--dns", "x", "--min-days", "999");
    CHECK_RUN(&f, 4, "check", crt, key, "--ca", ca_b, "--dns", "x", "--min-days", "999");
    CHECK_RUN(&f, 5, "check", crt, key, "--ca", ca_b, "--dns", "x");
    CHECK_RUN(&f, 6, "check", crt, key, "--dns", "x");
    CHECK(resign(crt, fx_path(&f, "a/ca.key", cakey), -10, -2, fx_path(&f, "old.crt", old)));
    CHECK_RUN(&f, 4, "check", old, key, "--ca", ca_b);
    fx_teardown(&f);
}

static void test_file_modes(void)
{
    static const struct {
        const char *name;
        int mode;
    } want[] = {
        { "x/y/ca.crt", 0644 },  { "x/y/ca.key", 0600 }, { "x/y/tls.crt", 0644 },
        { "x/y/tls.key", 0600 }, { "x/y", 0755 },        { "x", 0755 },
    };
    struct fx f;
    char path[PATH_MAX];
    mode_t old = umask(077); /* generate must not depend on the umask */

    fx_setup(&f);
    generate(&f, "x/y", NULL, NULL);
    (void)umask(old);
    for (size_t i = 0; i < WH_NELEM(want); i++) {
        int got = mode_of(fx_path(&f, want[i].name, path));

        if (got != want[i].mode)
            (void)fprintf(stderr, "  %s: mode %o, want %o\n", want[i].name, got, want[i].mode);
        CHECK_EQ(got, want[i].mode);
    }
    /* --force narrows a key that was made world-readable */
    CHECK(chmod(fx_path(&f, "x/y/tls.key", path), 0644) == 0);
    generate(&f, "x/y", "--force", "--days=2");
    CHECK_EQ(mode_of(path), 0600);
    fx_teardown(&f);
}

/* The four subjectAltName entries, exactly and in order, and nothing else. */
static void check_sans(X509 *crt, const char *const *names, size_t n)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(crt, NID_subject_alt_name, NULL, NULL);
    int count = sk_GENERAL_NAME_num(gens);

    for (int i = 0; i < count && (size_t)i < n; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
        const char *s;
        int len;

        if (gn->type != GEN_DNS)
            break;
        s = (const char *)ASN1_STRING_get0_data(gn->d.dNSName);
        len = ASN1_STRING_length(gn->d.dNSName);
        if ((size_t)len != strlen(names[i]) || memcmp(s, names[i], (size_t)len) != 0) {
            (void)fprintf(stderr, "  SAN %d: %.*s, want %s\n", i, len, s, names[i]);
            count = -2;
        }
    }
    GENERAL_NAMES_free(gens);
    CHECK_EQ(count, (long long)n);
}

static void check_cn(X509 *crt, const char *want)
{
    char cn[256];

    CHECK(X509_NAME_get_text_by_NID(X509_get_subject_name(crt), NID_commonName, cn, sizeof(cn)) >
          0);
    CHECK_STR_EQ(cn, want);
}

static int is_critical(X509 *crt, int nid)
{
    int i = X509_get_ext_by_NID(crt, nid, -1);

    return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(crt, i));
}

/* Days from now to notAfter, and seconds from notBefore to now. */
static void validity(X509 *crt, int *days_left, long *backdated)
{
    int d = 0, s = 0;

    CHECK(ASN1_TIME_diff(&d, &s, NULL, X509_get0_notAfter(crt)));
    *days_left = d;
    CHECK(ASN1_TIME_diff(&d, &s, X509_get0_notBefore(crt), NULL));
    *backdated = (long)d * 86400 + s;
}

static int serial_bits(X509 *crt)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(crt), NULL);
    int bits = bn && !BN_is_negative(bn) ? BN_num_bits(bn) : -1;

    BN_free(bn);
    return bits;
}

static void check_common(X509 *crt)
{
    EVP_PKEY *pub = X509_get0_pubkey(crt);
    char group[64];
    long backdated;
    int days;

    CHECK_EQ(X509_get_version(crt), X509_VERSION_3);
    CHECK_EQ(X509_get_signature_nid(crt), NID_ecdsa_with_SHA256);
    CHECK(pub != NULL && EVP_PKEY_get_base_id(pub) == EVP_PKEY_EC);
    CHECK(EVP_PKEY_get_group_name(pub, group, sizeof(group), NULL));
    CHECK_STR_EQ(group, "prime256v1");
    /* 128 random bits: fewer than 100 significant ones has odds of 2^-28 */
    CHECK(serial_bits(crt) > 100 && serial_bits(crt) <= 128);
    validity(crt, &days, &backdated);
    CHECK(backdated >= 60 && backdated <= 3600);
    CHECK(days >= 0);
    CHECK(is_critical(crt, NID_basic_constraints));
    CHECK(is_critical(crt, NID_key_usage));
}

static void test_certificate_contents(void)
{
    struct fx f;
    char path[PATH_MAX];
    X509 *ca = NULL, *tls = NULL;
    long backdated;
    int days;

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    ca = load_cert(fx_path(&f, "a/ca.crt", path));
    tls = load_cert(fx_path(&f, "a/tls.crt", path));
    CHECK(ca != NULL && tls != NULL);
    check_common(ca);
    check_common(tls);

    check_cn(ca, "sparkhook CA");
    CHECK_EQ(X509_NAME_cmp(X509_get_subject_name(ca), X509_get_issuer_name(ca)), 0);
    CHECK(X509_get_extension_flags(ca) & EXFLAG_CA);
    CHECK_EQ(X509_get_pathlen(ca), 0);
    CHECK_EQ(X509_get_key_usage(ca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    CHECK(X509_get0_subject_key_id(ca) != NULL);
    validity(ca, &days, &backdated);
    CHECK(days == 1824 || days == 1825); /* 1825 in the second it was made */

    check_cn(tls, SVC "." NS ".svc");
    check_sans(tls, san_names, WH_NELEM(san_names));
    CHECK_EQ(X509_NAME_cmp(X509_get_issuer_name(tls), X509_get_subject_name(ca)), 0);
    CHECK(!(X509_get_extension_flags(tls) & EXFLAG_CA));
    CHECK(X509_get_extension_flags(tls) & EXFLAG_BCONS); /* CA:FALSE present */
    CHECK_EQ(X509_get_key_usage(tls), KU_DIGITAL_SIGNATURE);
    CHECK_EQ(X509_get_extended_key_usage(tls), XKU_SSL_SERVER);
    CHECK(X509_get0_authority_key_id(tls) != NULL);
    CHECK_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(tls), X509_get0_subject_key_id(ca)),
             0);
    CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(ca), X509_get0_serialNumber(tls)) != 0);
    CHECK_EQ(X509_check_issued(ca, tls), X509_V_OK);
    validity(tls, &days, &backdated);
    CHECK(days == 364 || days == 365);
    X509_free(ca);
    X509_free(tls);
    fx_teardown(&f);
}

/* 63-byte names are valid; NAME.NS.svc no longer fits a CN, which becomes
 * NAME, while the SANs stay complete. */
static void test_longest_names(void)
{
    char svc[64], ns[64], names[4][160], path[PATH_MAX], key[PATH_MAX];
    const char *want[4];
    struct fx f;
    X509 *crt;

    memset(svc, 's', 63);
    svc[63] = '\0';
    memset(ns, 'n', 63);
    ns[62] = '9';
    ns[63] = '\0';
    (void)snprintf(names[0], sizeof(names[0]), "%s", svc);
    (void)snprintf(names[1], sizeof(names[1]), "%s.%s", svc, ns);
    (void)snprintf(names[2], sizeof(names[2]), "%s.%s.svc", svc, ns);
    (void)snprintf(names[3], sizeof(names[3]), "%s.%s.svc.cluster.local", svc, ns);
    for (size_t i = 0; i < 4; i++)
        want[i] = names[i];
    fx_setup(&f);
    CHECK_RUN(&f, 0, "generate", "--service", svc, "--namespace", ns, "--out", f.dir);
    crt = load_cert(fx_path(&f, "tls.crt", path));
    CHECK(crt != NULL);
    check_sans(crt, want, 4);
    check_cn(crt, svc);
    X509_free(crt);
    CHECK_RUN(&f, 0, "check", path, fx_path(&f, "tls.key", key), "--dns", names[3]);
    fx_teardown(&f);
}

static void test_bad_names(void)
{
    static const char *const bad[] = {
        "Sparkhook",
        "-sparkhook",
        "sparkhook-",
        "spark.hook",
        "spark_hook",
        "spark hook",
        "",
        "sparkhöok",
        "a/b",
        "..",
        "sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss", /* 64 */
    };
    struct fx f;
    char out[PATH_MAX];

    fx_setup(&f);
    fx_path(&f, "out", out);
    for (size_t i = 0; i < WH_NELEM(bad); i++) {
        CHECK_RUN(&f, 2, "generate", "--service", bad[i], "--namespace", NS, "--out", out);
        CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", bad[i], "--out", out);
    }
    CHECK(cli_has(f.err, "DNS-1123"));
    CHECK_EQ(mode_of(out), -1); /* nothing created */
    CHECK_RUN(&f, 0, "generate", "--service", "0", "--namespace", "a-1", "--out", out);
    fx_teardown(&f);
}

static void test_usage_errors(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], out[PATH_MAX];

    fx_setup(&f);
    fx_path(&f, "out", out);
    CHECK_EQ(run(&f, (char *)NULL), 2);
    CHECK_RUN(&f, 2, "frobnicate");
    CHECK_RUN(&f, 2, "generate", "--namespace", NS, "--out", out);
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--out", out);
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--days", "0");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--days", "1x");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--days",
              "36501");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--days", "400",
              "--ca-days", "399");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--bogus");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--force=yes");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace", NS, "--out", out, "extra");
    CHECK_RUN(&f, 2, "generate", "--service", SVC, "--namespace");
    CHECK_RUN(&f, 2, "generate", "--service=", "--namespace", NS, "--out", out);
    CHECK_EQ(mode_of(out), -1);
    generate(&f, "a", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    CHECK_RUN(&f, 2, "check", crt);
    CHECK_RUN(&f, 2, "check", crt, key, key);
    CHECK_RUN(&f, 2, "check", crt, key, "--min-days", "-1");
    CHECK_RUN(&f, 2, "check", crt, key, "--service", SVC);
    CHECK_RUN(&f, 2, "check", crt, key, "-x");
    CHECK_RUN(&f, 0, "check", "--", crt, key);
    CHECK_RUN(&f, 0, "generate", "--help");
    CHECK(cli_has(f.out, "exit status:"));
    CHECK(cli_has(f.out, "  6  "));
    fx_teardown(&f);
}

static void test_unreadable_files(void)
{
    struct fx f;
    char crt[PATH_MAX], key[PATH_MAX], ca[PATH_MAX], junk[PATH_MAX], empty[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    fx_path(&f, "a/tls.crt", crt);
    fx_path(&f, "a/tls.key", key);
    fx_path(&f, "a/ca.crt", ca);
    write_text(fx_path(&f, "junk.pem", junk),
               "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
    write_text(fx_path(&f, "empty.pem", empty), "");
    CHECK_RUN(&f, 1, "check", "/nonexistent/tls.crt", key);
    CHECK_RUN(&f, 1, "check", crt, "/nonexistent/tls.key");
    CHECK_RUN(&f, 1, "check", crt, key, "--ca", "/nonexistent/ca.crt");
    CHECK_RUN(&f, 1, "check", junk, key);
    CHECK_RUN(&f, 1, "check", empty, key);
    CHECK_RUN(&f, 1, "check", key, key); /* a key is no certificate */
    CHECK_RUN(&f, 1, "check", crt, crt); /* and a certificate no key */
    CHECK_RUN(&f, 1, "check", crt, key, "--ca", junk);
    CHECK_RUN(&f, 1, "check", crt, empty);
    fx_teardown(&f);
}

static void test_no_overwrite_without_force(void)
{
    static const char *const files[] = { "a/ca.crt", "a/ca.key", "a/tls.crt", "a/tls.key" };
    char *before[WH_NELEM(files)];
    struct fx f;
    char path[PATH_MAX], out[PATH_MAX];

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    for (size_t i = 0; i < WH_NELEM(files); i++)
        before[i] = cli_slurp(fx_path(&f, files[i], path), NULL);
    fx_path(&f, "a", out);
    CHECK_RUN(&f, 1, "generate", "--service", SVC, "--namespace", NS, "--out", out);
    CHECK(cli_has(f.err, "use --force"));
    /* one file left is enough to refuse */
    for (size_t i = 0; i < 3; i++)
        CHECK(unlink(fx_path(&f, files[i], path)) == 0);
    CHECK_RUN(&f, 1, "generate", "--service", SVC, "--namespace", NS, "--out", out);
    CHECK_EQ(mode_of(fx_path(&f, files[0], path)), -1);
    for (size_t i = 3; i < WH_NELEM(files); i++) {
        char *now = cli_slurp(fx_path(&f, files[i], path), NULL);

        CHECK(now != NULL && before[i] != NULL);
        CHECK_STR_EQ(now, before[i]);
        free(now);
    }
    CHECK_RUN(&f, 0, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--force");
    for (size_t i = 0; i < WH_NELEM(files); i++) {
        char *now = cli_slurp(fx_path(&f, files[i], path), NULL);

        CHECK(now != NULL && strcmp(now, before[i]) != 0);
        free(now);
    }
    for (size_t i = 0; i < WH_NELEM(files); i++)
        free(before[i]);
    fx_teardown(&f);
}

static void test_never_follows_links(void)
{
    struct fx f;
    char path[PATH_MAX], target[PATH_MAX], out[PATH_MAX];
    char *s;

    fx_setup(&f);
    generate(&f, "a", NULL, NULL);
    write_text(fx_path(&f, "target", target), "precious\n");
    CHECK(unlink(fx_path(&f, "a/tls.key", path)) == 0);
    CHECK(symlink(target, path) == 0);
    fx_path(&f, "a", out);
    CHECK_RUN(&f, 1, "generate", "--service", SVC, "--namespace", NS, "--out", out);
    CHECK_RUN(&f, 1, "generate", "--service", SVC, "--namespace", NS, "--out", out, "--force");
    s = cli_slurp(target, NULL);
    CHECK(s != NULL);
    CHECK_STR_EQ(s, "precious\n");
    free(s);
    fx_teardown(&f);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_generate_then_check),
    CHECK_TEST(test_ca_bundle_on_stdout),
    CHECK_TEST(test_wrong_dns),
    CHECK_TEST(test_wrong_key),
    CHECK_TEST(test_wrong_ca),
    CHECK_TEST(test_chain_in_cert_file),
    CHECK_TEST(test_min_days),
    CHECK_TEST(test_expired_and_not_yet_valid),
    CHECK_TEST(test_first_failure_decides),
    CHECK_TEST(test_file_modes),
    CHECK_TEST(test_certificate_contents),
    CHECK_TEST(test_longest_names),
    CHECK_TEST(test_bad_names),
    CHECK_TEST(test_usage_errors),
    CHECK_TEST(test_unreadable_files),
    CHECK_TEST(test_no_overwrite_without_force),
    CHECK_TEST(test_never_follows_links),
};

CHECK_MAIN(tests)
