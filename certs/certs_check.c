/* SPDX-License-Identifier: Apache-2.0
 *
 * certs_check.c - `sparkhook certs check CERT KEY [--ca CA] [--dns NAME]
 * [--min-days N]`: the questions to ask before putting a certificate into the
 * webhook's secret, answered with the OpenSSL library.
 *
 * The checks run in the order of the table below and each prints one line,
 * "ok ..." or "FAIL ..." ("skip ..." when its option is absent); the exit
 * code is that of the first failure, so a script gets one stable answer.
 * Unreadable files end the run early with WH_CERTS_EXIT_IO.
 *
 * CERT may hold the serving certificate followed by intermediates (those are
 * offered to chain building, untrusted); CA may hold several certificates,
 * each a trust anchor, the way kube-apiserver (Go crypto/x509) treats a
 * caBundle. Files are read whole, up to WH_CERTS_FILE_MAX bytes; the key's
 * text is cleansed from memory once parsed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certs_int.h"
#include "util/buf.h"
#include "util/file.h"

#include "banned.h"

#define ERR_MAX      256
#define TIME_MAX     32
#define SAN_LIST_MAX 8 /* names quoted in a DNS failure */
#define SAN_TEXT_MAX 4096

/* What the checks look at; all owned here, NULL until loaded. Stacks are
 * spelled struct stack_st_X509, which is what STACK_OF(X509) expands to, so
 * that clang-format sees a type. */
struct material {
    struct stack_st_X509 *certs; /* CERT: [0] the leaf, then intermediates */
    struct stack_st_X509 *cas;   /* --ca */
    EVP_PKEY *key;
    X509 *leaf; /* borrowed from certs */
};

typedef int check_fn(const struct wh_certs_opts *o, const struct material *m);

/* sk_X509_pop_free(NULL, ...) is a no-op (OSSL_STACK_OF_X509_free is 3.2+). */
static void certs_free(struct stack_st_X509 *certs)
{
    sk_X509_pop_free(certs, X509_free);
}

static void material_cleanup(struct material *m)
{
    certs_free(m->certs);
    certs_free(m->cas);
    EVP_PKEY_free(m->key);
    memset(m, 0, sizeof(*m));
}

/* ---- loading ------------------------------------------------------------- */

/* Reads path whole, up to WH_CERTS_FILE_MAX bytes, into *datap (the caller
 * frees it) and *lenp. Returns 0, or -1 with a message printed. */
static int read_whole(const char *path, char **datap, size_t *lenp)
{
    struct wh_buf text;
    struct wh_err err;
    int rc = -1;

    wh_buf_init(&text, WH_CERTS_FILE_MAX);
    if (wh_file_read(path, &text, &err) != WH_OK) {
        wh_certs_msg("check: %s", err.msg);
        goto out;
    }
    *datap = wh_buf_take(&text, lenp);
    rc = 0;
out:
    wh_buf_cleanup(&text);
    return rc;
}

/* A read-only memory BIO over len bytes of data (borrowed: free the BIO
 * first). Returns NULL with a message printed. */
static BIO *mem_bio(const char *path, const char *data, size_t len)
{
    /* len <= WH_CERTS_FILE_MAX < INT_MAX */
    BIO *bio = BIO_new_mem_buf(data, (int)len);

    if (bio == NULL)
        wh_certs_msg("check: out of memory reading %s", path);
    return bio;
}

/* Parses every PEM certificate of path into a new stack at *outp (caller
 * frees with certs_free). Returns 0, or -1 with a message printed. */
static int load_certs(const char *path, struct stack_st_X509 **outp)
{
    struct stack_st_X509 *certs = sk_X509_new_null();
    char why[ERR_MAX];
    char *text = NULL;
    size_t len = 0;
    BIO *bio = NULL;
    X509 *crt;
    int rc = -1;

    if (certs == NULL || read_whole(path, &text, &len) != 0)
        goto out;
    bio = mem_bio(path, text, len);
    if (bio == NULL)
        goto out;
    while ((crt = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(certs, crt)) {
            X509_free(crt);
            goto out_ossl;
        }
    }
    /* The loop ends at the end of the text or at a bad block. */
    if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
        goto out_ossl;
    ERR_clear_error();
    if (sk_X509_num(certs) == 0) {
        wh_certs_msg("check: no PEM certificate in %s", path);
        goto out;
    }
    *outp = certs;
    certs = NULL;
    rc = 0;
    goto out;
out_ossl:
    wh_certs_msg("check: cannot parse %s: %s", path, wh_certs_ossl_reason(why, sizeof(why)));
out:
    certs_free(certs);
    BIO_free(bio);
    free(text);
    return rc;
}

/* Refuses to prompt for a passphrase: this tool reads unencrypted keys only.
 * The signature is OpenSSL's pem_password_cb. */
/* NOLINTNEXTLINE(readability-non-const-parameter) */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

/* Parses the unencrypted PEM private key of path into *outp (caller frees
 * with EVP_PKEY_free). Returns 0, or -1 with a message printed. */
static int load_key(const char *path, EVP_PKEY **outp)
{
    char why[ERR_MAX];
    EVP_PKEY *key = NULL;
    char *text = NULL;
    size_t len = 0;
    BIO *bio = NULL;
    int rc = -1;

    if (read_whole(path, &text, &len) != 0)
        goto out;
    bio = mem_bio(path, text, len);
    if (bio == NULL)
        goto out;
    key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    if (key == NULL) {
        wh_certs_msg("check: cannot parse private key %s (PEM, unencrypted): %s", path,
                     wh_certs_ossl_reason(why, sizeof(why)));
        goto out;
    }
    *outp = key;
    rc = 0;
out:
    BIO_free(bio);
    if (text != NULL)
        OPENSSL_cleanse(text, len);
    free(text);
    return rc;
}

static int load_material(const struct wh_certs_opts *o, struct material *m)
{
    if (load_certs(o->cert, &m->certs) != 0 || load_key(o->key, &m->key) != 0)
        return -1;
    if (o->ca != NULL && load_certs(o->ca, &m->cas) != 0)
        return -1;
    m->leaf = sk_X509_value(m->certs, 0);
    return 0;
}

/* ---- the checks ---------------------------------------------------------- */

static void fmt_time(const ASN1_TIME *t, char *buf, size_t size)
{
    struct tm tm;

    if (!ASN1_TIME_to_tm(t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)snprintf(buf, size, "(unreadable time)");
}

static int check_key(const struct wh_certs_opts *o, const struct material *m)
{
    (void)o;
    if (X509_check_private_key(m->leaf, m->key) == 1) {
        (void)printf("ok key matches certificate\n");
        return WH_CERTS_EXIT_OK;
    }
    ERR_clear_error();
    (void)printf("FAIL key does not match certificate\n");
    return WH_CERTS_EXIT_KEY;
}

static int check_time(const struct wh_certs_opts *o, const struct material *m)
{
    const ASN1_TIME *nb = X509_get0_notBefore(m->leaf);
    const ASN1_TIME *na = X509_get0_notAfter(m->leaf);
    char before[TIME_MAX], after[TIME_MAX];
    int day = 0, sec = 0;

    fmt_time(nb, before, sizeof(before));
    fmt_time(na, after, sizeof(after));
    /* day and sec, from now to notAfter, share a sign. */
    if (!ASN1_TIME_diff(&day, &sec, NULL, na)) {
        ERR_clear_error();
        (void)printf("FAIL cannot read the validity period\n");
        return WH_CERTS_EXIT_TIME;
    }
    if (X509_cmp_current_time(nb) > 0) {
        (void)printf("FAIL not valid before %s (notAfter %s)\n", before, after);
        return WH_CERTS_EXIT_TIME;
    }
    if (day < 0 || sec < 0 || (day == 0 && sec == 0)) {
        (void)printf("FAIL expired: notAfter %s, %d days ago\n", after, -day);
        return WH_CERTS_EXIT_TIME;
    }
    if ((uint64_t)day < o->min_days) {
        (void)printf("FAIL notAfter %s, %d days left, fewer than --min-days %llu\n", after, day,
                     (unsigned long long)o->min_days);
        return WH_CERTS_EXIT_TIME;
    }
    (void)printf("ok notAfter %s, %d days left\n", after, day);
    return WH_CERTS_EXIT_OK;
}

/* Builds and verifies the chain from the leaf to a --ca certificate, for the
 * TLS server purpose, with RFC 5280 strictness (X509_V_FLAG_X509_STRICT) off
 * and every --ca certificate a trust anchor (X509_V_FLAG_PARTIAL_CHAIN), as
 * Go's verifier in kube-apiserver does. On success *lenp is the length of the
 * chain found (1: the certificate itself is in --ca). Returns 0, or -1 with
 * the reason in why. */
static int verify_chain(const struct material *m, int *lenp, char *why, size_t size)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509_VERIFY_PARAM *param;
    int rc = -1;

    if (store == NULL || ctx == NULL)
        goto out_ossl;
    for (int i = 0; i < sk_X509_num(m->cas); i++) {
        if (!X509_STORE_add_cert(store, sk_X509_value(m->cas, i)))
            goto out_ossl;
    }
    /* The rest of CERT is offered as untrusted intermediates. */
    if (!X509_STORE_CTX_init(ctx, store, m->leaf, m->certs))
        goto out_ossl;
    if (!X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER))
        goto out_ossl;
    param = X509_STORE_CTX_get0_param(ctx);
    (void)X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_X509_STRICT);
    (void)X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(ctx) == 1) {
        *lenp = sk_X509_num(X509_STORE_CTX_get0_chain(ctx));
        rc = 0;
        goto out;
    }
    (void)snprintf(why, size, "%s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    ERR_clear_error();
    goto out;
out_ossl:
    (void)wh_certs_ossl_reason(why, size);
out:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return rc;
}

static int check_chain(const struct wh_certs_opts *o, const struct material *m)
{
    char why[ERR_MAX];
    int len = 0;

    if (o->ca == NULL) {
        (void)printf("skip chain (no --ca)\n");
        return WH_CERTS_EXIT_OK;
    }
    if (verify_chain(m, &len, why, sizeof(why)) == 0) {
        /* Accepted by Go too, but such a caBundle breaks at the next renewal. */
        (void)printf("ok chain verifies against %s%s\n", o->ca,
                     len == 1 ? " (the certificate itself is in it: pinned, not a CA)" : "");
        return WH_CERTS_EXIT_OK;
    }
    (void)printf("FAIL chain does not verify against %s: %s\n", o->ca, why);
    return WH_CERTS_EXIT_CHAIN;
}

/* Lists up to SAN_LIST_MAX DNS names of the subjectAltName into out. */
static void san_list(X509 *leaf, struct wh_buf *out)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    int n = sk_GENERAL_NAME_num(names); /* -1 when names is NULL */
    int shown = 0;
    bool more = false;

    for (int i = 0; i < n; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type != GEN_DNS)
            continue;
        if (shown == SAN_LIST_MAX) {
            more = true;
            break;
        }
        if (wh_buf_printf(out, "%s%.*s", shown ? ", " : "", ASN1_STRING_length(gn->d.dNSName),
                          (const char *)ASN1_STRING_get0_data(gn->d.dNSName)) != WH_OK) {
            (void)wh_buf_adds(out, "names too long to list"); /* out was emptied */
            goto out;
        }
        shown++;
    }
    if (shown == 0)
        (void)wh_buf_adds(out, "no DNS names");
    else if (more)
        (void)wh_buf_adds(out, ", ...");
out:
    GENERAL_NAMES_free(names);
    ERR_clear_error();
}

static int check_dns(const struct wh_certs_opts *o, const struct material *m)
{
    /* Only the subjectAltName counts, never the CN (Go ignores it since 1.15). */
    const unsigned flags =
        X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
    struct wh_buf names;

    if (o->dns == NULL) {
        (void)printf("skip DNS name (no --dns)\n");
        return WH_CERTS_EXIT_OK;
    }
    if (X509_check_host(m->leaf, o->dns, strlen(o->dns), flags, NULL) == 1) {
        (void)printf("ok DNS name %s in subjectAltName\n", o->dns);
        return WH_CERTS_EXIT_OK;
    }
    ERR_clear_error();
    wh_buf_init(&names, SAN_TEXT_MAX);
    san_list(m->leaf, &names);
    (void)printf("FAIL DNS name %s not in subjectAltName (%s)\n", o->dns, wh_buf_str(&names));
    wh_buf_cleanup(&names);
    return WH_CERTS_EXIT_DNS;
}

/* In the order of enum wh_certs_exit: the first failure decides. */
static check_fn *const checks[] = {
    check_key,
    check_time,
    check_chain,
    check_dns,
};

int wh_certs_check(const struct wh_certs_opts *o)
{
    struct material m;
    int rc = WH_CERTS_EXIT_IO;

    memset(&m, 0, sizeof(m));
    if (load_material(o, &m) != 0)
        goto out;
    rc = WH_CERTS_EXIT_OK;
    for (size_t i = 0; i < WH_NELEM(checks); i++) {
        int r = checks[i](o, &m);

        if (rc == WH_CERTS_EXIT_OK)
            rc = r;
    }
    if (fflush(stdout) != 0 && rc == WH_CERTS_EXIT_OK)
        rc = WH_CERTS_EXIT_IO;
out:
    material_cleanup(&m);
    return rc;
}
