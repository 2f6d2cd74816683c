/* SPDX-License-Identifier: Apache-2.0
 *
 * certs_gen.c - `sparkhook certs generate`: an ECDSA P-256 CA and a serving
 * certificate for a Kubernetes Service, made with the OpenSSL library.
 *
 * Everything is built in memory first (keys, certificates, their PEM text);
 * files are written only once all of it succeeded, so a failure leaves the
 * output directory as it was unless a write itself fails. Keys are rendered
 * into secure-heap BIOs (cleansed when freed) and written with mode 0600,
 * certificates with 0644. Files that exist are refused without --force, and
 * symbolic links are never followed (O_NOFOLLOW).
 *
 * The extensions of each certificate are tables (ca_exts, tls_exts); the
 * subjectAltName list is san_forms, the four names by which kube-apiserver
 * and in-cluster clients reach a Service.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "certs_int.h"
#include "util/b64.h"
#include "util/buf.h"
#include "util/str.h"

#include "banned.h"

#define SAN_MAX    1024      /* "DNS:a,DNS:a.b,..." for two 63-byte labels: ~340 */
#define BUNDLE_MAX (1 << 16) /* base64 of one CA certificate */
#define ERR_MAX    256

struct ext_spec {
    int nid;
    const char *value; /* OpenSSL extension config syntax */
};

static const struct ext_spec ca_exts[] = {
    { NID_basic_constraints, "critical,CA:TRUE,pathlen:0" },
    { NID_key_usage, "critical,keyCertSign,cRLSign" },
    { NID_subject_key_identifier, "hash" },
};

/* The subjectAltName is added separately (it depends on the names). */
static const struct ext_spec tls_exts[] = {
    { NID_basic_constraints, "critical,CA:FALSE" },
    { NID_key_usage, "critical,digitalSignature" },
    { NID_ext_key_usage, "serverAuth" },
    { NID_subject_key_identifier, "hash" },
    { NID_authority_key_identifier, "keyid:always" },
};

/* NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local */
static const struct san_form {
    bool with_ns;
    const char *suffix;
} san_forms[] = {
    { false, "" },
    { true, "" },
    { true, ".svc" },
    { true, ".svc.cluster.local" },
};

/* The output files, in the order they are written. */
enum { F_CA_CRT, F_CA_KEY, F_TLS_CRT, F_TLS_KEY, F_COUNT };

static const struct out_file {
    const char *name;
    mode_t mode;
    bool secret; /* rendered into a secure-heap BIO */
} out_files[F_COUNT] = {
    [F_CA_CRT] = { "ca.crt", 0644, false },
    [F_CA_KEY] = { "ca.key", 0600, true },
    [F_TLS_CRT] = { "tls.crt", 0644, false },
    [F_TLS_KEY] = { "tls.key", 0600, true },
};

/* What generate builds; every member is NULL until made. */
struct bundle {
    EVP_PKEY *ca_key;
    X509 *ca;
    EVP_PKEY *tls_key;
    X509 *tls;
    BIO *pem[F_COUNT];
};

static void bundle_cleanup(struct bundle *b)
{
    EVP_PKEY_free(b->ca_key);
    X509_free(b->ca);
    EVP_PKEY_free(b->tls_key);
    X509_free(b->tls);
    for (size_t i = 0; i < F_COUNT; i++)
        BIO_free(b->pem[i]);
    memset(b, 0, sizeof(*b));
}

/* ---- names --------------------------------------------------------------- */

/* True for an RFC 1123 label as Kubernetes validates Service and namespace
 * names: 1..63 of [a-z0-9-], starting and ending with [a-z0-9]. */
static bool is_dns1123_label(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len > WH_CERTS_LABEL_MAX || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static int validate_opts(const struct wh_certs_opts *o)
{
    static const struct {
        const char *opt;
        size_t off;
    } names[] = {
        { "--service", offsetof(struct wh_certs_opts, service) },
        { "--namespace", offsetof(struct wh_certs_opts, ns) },
    };

    for (size_t i = 0; i < WH_NELEM(names); i++) {
        const char *v;

        memcpy(&v, (const char *)o + names[i].off, sizeof(v));
        if (v == NULL) {
            wh_certs_msg("generate: %s is required", names[i].opt);
            return WH_CERTS_EXIT_USAGE;
        }
        if (!is_dns1123_label(v)) {
            wh_certs_msg("generate: %s \"%s\" is not a DNS-1123 label (1 to 63 characters "
                         "a-z, 0-9 and '-', starting and ending with a letter or digit)",
                         names[i].opt, v);
            return WH_CERTS_EXIT_USAGE;
        }
    }
    if (o->days > o->ca_days) {
        wh_certs_msg("generate: --days %llu is longer than --ca-days %llu: the serving "
                     "certificate would outlive its CA",
                     (unsigned long long)o->days, (unsigned long long)o->ca_days);
        return WH_CERTS_EXIT_USAGE;
    }
    return WH_CERTS_EXIT_OK;
}

/* ---- certificates ------------------------------------------------------- */

static int set_serial(X509 *crt)
{
    BIGNUM *bn = BN_new();
    ASN1_INTEGER *serial = NULL;
    int rc = -1;

    if (bn == NULL)
        goto out;
    /* A zero serial is invalid; 2^-128 odds, but cheap to rule out. */
    do {
        if (!BN_rand(bn, WH_CERTS_SERIAL_BITS, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY))
            goto out;
    } while (BN_is_zero(bn));
    serial = BN_to_ASN1_INTEGER(bn, NULL);
    if (serial == NULL || !X509_set_serialNumber(crt, serial))
        goto out;
    rc = 0;
out:
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    return rc;
}

/* Fills in everything but the issuer and extensions: v3, a random serial,
 * subject CN, validity from WH_CERTS_BACKDATE_S ago to days from now, and the
 * public key of key (borrowed). Returns 0 or -1 (OpenSSL error queued). */
static int cert_base(X509 *crt, const char *cn, uint64_t days, EVP_PKEY *key)
{
    X509_NAME *subject = X509_get_subject_name(crt);

    if (!X509_set_version(crt, X509_VERSION_3) || set_serial(crt) != 0)
        return -1;
    if (!X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                    0))
        return -1;
    if (X509_gmtime_adj(X509_getm_notBefore(crt), -WH_CERTS_BACKDATE_S) == NULL)
        return -1;
    /* days <= WH_CERTS_MAX_DAYS, checked by the option parser */
    if (X509_time_adj_ex(X509_getm_notAfter(crt), (int)days, 0, NULL) == NULL)
        return -1;
    return X509_set_pubkey(crt, key) ? 0 : -1;
}

/* Adds one extension in OpenSSL config syntax; issuer may be crt itself. */
static int add_ext(X509 *crt, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, crt, NULL, NULL, 0);
    ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return -1;
    ok = X509_add_ext(crt, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int add_exts(X509 *crt, X509 *issuer, const struct ext_spec *exts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (add_ext(crt, issuer, exts[i].nid, exts[i].value) != 0)
            return -1;
    }
    return 0;
}

/* Makes the self-signed CA into b->ca_key and b->ca. Returns 0 or -1. */
static int make_ca(const struct wh_certs_opts *o, struct bundle *b)
{
    X509 *crt = NULL;
    int rc = -1;

    b->ca_key = EVP_EC_gen("P-256");
    crt = X509_new();
    if (b->ca_key == NULL || crt == NULL)
        goto out;
    if (cert_base(crt, WH_CERTS_CA_CN, o->ca_days, b->ca_key) != 0)
        goto out;
    if (!X509_set_issuer_name(crt, X509_get_subject_name(crt)))
        goto out;
    if (add_exts(crt, crt, ca_exts, WH_NELEM(ca_exts)) != 0)
        goto out;
    if (X509_sign(crt, b->ca_key, EVP_sha256()) <= 0)
        goto out;
    b->ca = crt;
    crt = NULL;
    rc = 0;
out:
    X509_free(crt);
    return rc;
}

/* Renders "DNS:NAME,DNS:NAME.NS,..." (san_forms) into out. */
static int san_value(const char *svc, const char *ns, struct wh_buf *out)
{
    for (size_t i = 0; i < WH_NELEM(san_forms); i++) {
        const struct san_form *f = &san_forms[i];

        if (wh_buf_printf(out, "%sDNS:%s%s%s%s", i ? "," : "", svc, f->with_ns ? "." : "",
                          f->with_ns ? ns : "", f->suffix) != WH_OK)
            return -1;
    }
    return 0;
}

/* The subject CN, "NAME.NS.svc". X.509 caps a CN at 64 bytes; for longer
 * names the CN is NAME alone, which is harmless: clients match the
 * subjectAltName only (Go has ignored the CN since 1.15). */
static void tls_cn(const char *svc, const char *ns, char *cn, size_t size)
{
    int n = snprintf(cn, size, "%s.%s.svc", svc, ns);

    if (n < 0 || (size_t)n >= size) {
        (void)wh_strlcpy(cn, svc, size);
        wh_certs_msg("note: %s.%s.svc is longer than the 64 bytes a CN may hold; "
                     "tls.crt has CN %s and all four names as subjectAltName",
                     svc, ns, svc);
    }
}

/* Makes the serving key and certificate into b->tls_key and b->tls, signed by
 * b->ca. Returns 0 or -1. */
static int make_tls(const struct wh_certs_opts *o, struct bundle *b)
{
    char cn[65]; /* ub-common-name 64, plus the NUL */
    struct wh_buf san;
    X509 *crt = NULL;
    int rc = -1;

    wh_buf_init(&san, SAN_MAX);
    tls_cn(o->service, o->ns, cn, sizeof(cn));
    b->tls_key = EVP_EC_gen("P-256");
    crt = X509_new();
    if (b->tls_key == NULL || crt == NULL)
        goto out;
    if (cert_base(crt, cn, o->days, b->tls_key) != 0)
        goto out;
    if (!X509_set_issuer_name(crt, X509_get_subject_name(b->ca)))
        goto out;
    if (add_exts(crt, b->ca, tls_exts, WH_NELEM(tls_exts)) != 0)
        goto out;
    if (san_value(o->service, o->ns, &san) != 0 ||
        add_ext(crt, b->ca, NID_subject_alt_name, wh_buf_str(&san)) != 0)
        goto out;
    if (X509_sign(crt, b->ca_key, EVP_sha256()) <= 0)
        goto out;
    b->tls = crt;
    crt = NULL;
    rc = 0;
out:
    X509_free(crt);
    wh_buf_cleanup(&san);
    return rc;
}

/* Renders the four PEM documents into b->pem[]. Returns 0 or -1. */
static int render_pem(struct bundle *b)
{
    for (size_t i = 0; i < F_COUNT; i++) {
        b->pem[i] = BIO_new(out_files[i].secret ? BIO_s_secmem() : BIO_s_mem());
        if (b->pem[i] == NULL)
            return -1;
    }
    if (!PEM_write_bio_X509(b->pem[F_CA_CRT], b->ca) ||
        !PEM_write_bio_X509(b->pem[F_TLS_CRT], b->tls) ||
        !PEM_write_bio_PrivateKey(b->pem[F_CA_KEY], b->ca_key, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_PrivateKey(b->pem[F_TLS_KEY], b->tls_key, NULL, NULL, 0, NULL, NULL))
        return -1;
    return 0;
}

/* ---- files --------------------------------------------------------------- */

/* mkdir + chmod 0755 (the umask must not narrow it); an existing directory
 * is fine. Returns 0, or -1 with errno set. */
static int mkdir_one(const char *path)
{
    struct stat st;

    if (mkdir(path, 0755) == 0)
        return chmod(path, 0755);
    if (errno != EEXIST)
        return -1;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Creates dir and its missing parents, each 0755 (mkdir -p). */
static int make_dirs(const char *dir)
{
    char path[PATH_MAX];

    if (wh_strlcpy(path, dir, sizeof(path)) >= sizeof(path)) {
        wh_certs_msg("generate: --out %s: path too long", dir);
        return -1;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/' || p[-1] == '/')
            continue;
        *p = '\0';
        if (mkdir_one(path) != 0) {
            wh_certs_msg("generate: cannot create directory %s: %s", path, strerror(errno));
            return -1;
        }
        *p = '/';
    }
    if (mkdir_one(path) != 0) {
        wh_certs_msg("generate: cannot create directory %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int file_path(const char *dir, const char *name, char *path, size_t size)
{
    int n = snprintf(path, size, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= size) {
        wh_certs_msg("generate: --out %s: path too long", dir);
        return -1;
    }
    return 0;
}

/* Refuses (returns -1, with one message per file) when any output file or
 * link already exists and --force was not given. */
static int check_existing(const struct wh_certs_opts *o)
{
    char path[PATH_MAX];
    struct stat st;
    int rc = 0;

    for (size_t i = 0; i < F_COUNT; i++) {
        if (file_path(o->out, out_files[i].name, path, sizeof(path)) != 0)
            return -1;
        if (lstat(path, &st) == 0) {
            if (!o->force) {
                wh_certs_msg("generate: %s exists (use --force to overwrite)", path);
                rc = -1;
            } else if (!S_ISREG(st.st_mode)) {
                wh_certs_msg("generate: %s exists and is not a regular file", path);
                rc = -1;
            }
        } else if (errno != ENOENT) {
            wh_certs_msg("generate: cannot stat %s: %s", path, strerror(errno));
            rc = -1;
        }
    }
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Writes len bytes to dir/f->name with mode f->mode exactly, whatever the
 * umask or the mode of the file being replaced. Without --force the file
 * must not exist (O_EXCL); links are never followed. Returns 0 or -1. */
static int write_file(const struct wh_certs_opts *o, const struct out_file *f, const char *data,
                      size_t len)
{
    char path[PATH_MAX];
    int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
    int fd = -1;
    int rc = -1;

    if (file_path(o->out, f->name, path, sizeof(path)) != 0)
        goto out;
    if (!o->force)
        flags |= O_EXCL;
    fd = open(path, flags, f->mode);
    if (fd < 0) {
        wh_certs_msg("generate: cannot create %s: %s", path, strerror(errno));
        goto out;
    }
    /* Narrow the mode before the first byte is written. */
    if (fchmod(fd, f->mode) != 0 || write_all(fd, data, len) != 0) {
        wh_certs_msg("generate: cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        wh_certs_msg("generate: cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* Borrowed view of a memory BIO's contents. */
static size_t bio_data(BIO *bio, const char **p)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);

    *p = data;
    return n > 0 ? (size_t)n : 0;
}

static int write_files(const struct wh_certs_opts *o, struct bundle *b)
{
    for (size_t i = 0; i < F_COUNT; i++) {
        const char *data;
        size_t len = bio_data(b->pem[i], &data);

        if (write_file(o, &out_files[i], data, len) != 0)
            return -1;
    }
    return 0;
}

/* Prints the caBundle: base64 of ca.crt's PEM text, on one line. */
static int print_ca_bundle(struct bundle *b)
{
    struct wh_buf bundle;
    const char *data;
    size_t len = bio_data(b->pem[F_CA_CRT], &data);
    int rc = -1;

    wh_buf_init(&bundle, BUNDLE_MAX);
    if (wh_b64_encode(data, len, &bundle) != WH_OK) {
        wh_certs_msg("generate: caBundle larger than %d bytes", BUNDLE_MAX);
        goto out;
    }
    if (printf("%s\n", wh_buf_str(&bundle)) < 0 || fflush(stdout) != 0) {
        wh_certs_msg("generate: cannot write the caBundle to stdout: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    wh_buf_cleanup(&bundle);
    return rc;
}

int wh_certs_generate(const struct wh_certs_opts *o)
{
    struct bundle b;
    char why[ERR_MAX];
    int rc;

    memset(&b, 0, sizeof(b));
    rc = validate_opts(o);
    if (rc != WH_CERTS_EXIT_OK)
        goto out;
    rc = WH_CERTS_EXIT_IO;
    if (make_dirs(o->out) != 0 || check_existing(o) != 0)
        goto out;
    if (make_ca(o, &b) != 0 || make_tls(o, &b) != 0 || render_pem(&b) != 0) {
        wh_certs_msg("generate: %s", wh_certs_ossl_reason(why, sizeof(why)));
        goto out;
    }
    if (write_files(o, &b) != 0 || print_ca_bundle(&b) != 0)
        goto out;
    wh_certs_msg("wrote %s/ca.crt and ca.key (CA \"%s\", %llu days), tls.crt and tls.key "
                 "(%s.%s.svc and 3 more names, %llu days); caBundle on stdout",
                 o->out, WH_CERTS_CA_CN, (unsigned long long)o->ca_days, o->service, o->ns,
                 (unsigned long long)o->days);
    rc = WH_CERTS_EXIT_OK;
out:
    bundle_cleanup(&b);
    return rc;
}
