/* SPDX-License-Identifier: Apache-2.0
 *
 * tls.c - serving certificate with hot reload; see tls.h.
 */
#include "tls.h"

#include <errno.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "log.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/mem.h"

#include "banned.h"

#define MAX_CHAIN 8
#define RETIRED   8 /* pairs kept alive after replacement */
#define PEM_MAX   (1u << 20)

struct pair {
    gnutls_pcert_st pcerts[MAX_CHAIN];
    unsigned n;
    gnutls_privkey_t key;
    time_t not_after;
};

struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
};

static struct {
    _Atomic(struct pair *) cur;
    pthread_mutex_t mu; /* guards everything below */
    struct pair *retired[RETIRED];
    size_t next_retired;
    char *cert_path, *key_path;
    struct file_id cert_id, key_id;
    pthread_t watcher;
    bool watching;
    bool stop;
    pthread_cond_t cv;
    unsigned interval_ms;
    _Atomic uint64_t reloads;
} tls = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void pair_free(struct pair *p)
{
    unsigned i;

    if (p == NULL)
        return;
    for (i = 0; i < p->n; i++)
        gnutls_pcert_deinit(&p->pcerts[i]);
    if (p->key)
        gnutls_privkey_deinit(p->key);
    free(p);
}

/* The DER SubjectPublicKeyInfo of a public key, for comparison. */
static int spki(gnutls_pubkey_t pub, gnutls_datum_t *out)
{
    return gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, out);
}

static int key_matches(struct pair *p, struct wh_err *err)
{
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
    int rc = WH_OK;

    if (gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_privkey(pub, p->key, 0, 0) < 0 ||
        spki(pub, &a) < 0 || spki(p->pcerts[0].pubkey, &b) < 0)
        rc = wh_errf(err, WH_ETLS, "cannot compare the key with the certificate");
    else if (a.size != b.size || memcmp(a.data, b.data, a.size) != 0)
        rc = wh_errf(err, WH_ETLS, "the private key does not match the certificate");
    gnutls_free(a.data);
    gnutls_free(b.data);
    if (pub)
        gnutls_pubkey_deinit(pub);
    return rc;
}

static int check_dates(struct pair *p, struct wh_err *err)
{
    gnutls_x509_crt_t crt = NULL;
    time_t now = time(NULL);
    time_t nb;
    int rc = WH_OK;

    if (gnutls_pcert_export_x509(&p->pcerts[0], &crt) < 0)
        return wh_errf(err, WH_ETLS, "cannot read the certificate dates");
    nb = gnutls_x509_crt_get_activation_time(crt);
    p->not_after = gnutls_x509_crt_get_expiration_time(crt);
    if (p->not_after <= now)
        rc = wh_errf(err, WH_ETLS, "the certificate has expired");
    else if (nb > now + 300)
        rc = wh_errf(err, WH_ETLS, "the certificate is not valid yet");
    gnutls_x509_crt_deinit(crt);
    return rc;
}

/* Parses a PEM chain and key into a new pair. */
static int pair_parse(const struct wh_buf *cert, const struct wh_buf *key, struct pair **out,
                      struct wh_err *err)
{
    struct pair *p = wh_xcalloc(1, sizeof(*p));
    gnutls_datum_t c = { (unsigned char *)cert->data, (unsigned)cert->len };
    gnutls_datum_t k = { (unsigned char *)key->data, (unsigned)key->len };
    int rc = WH_OK;
    int g;

    *out = NULL;
    p->n = MAX_CHAIN;
    g = gnutls_pcert_list_import_x509_raw(p->pcerts, &p->n, &c, GNUTLS_X509_FMT_PEM, 0);
    if (g < 0 || p->n == 0) {
        p->n = 0;
        rc = wh_errf(err, WH_ETLS, "certificate: %s", gnutls_strerror(g));
        goto out;
    }
    g = gnutls_privkey_init(&p->key);
    if (g >= 0)
        g = gnutls_privkey_import_x509_raw(p->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0);
    if (g < 0) {
        rc = wh_errf(err, WH_ETLS, "private key: %s", gnutls_strerror(g));
        goto out;
    }
    rc = key_matches(p, err);
    if (rc == WH_OK)
        rc = check_dates(p, err);
    if (rc == WH_OK) {
        *out = p;
        p = NULL;
    }
out:
    pair_free(p);
    return rc;
}

static int file_id(const char *path, struct file_id *id)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return -1;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->size = st.st_size;
    id->mtime = st.st_mtim;
    return 0;
}

static bool same_id(const struct file_id *a, const struct file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* Reads and installs the pair (mu held). */
static int load_locked(struct wh_err *err)
{
    struct wh_buf cert, key;
    struct pair *p = NULL, *old;
    int rc;

    wh_buf_init(&cert, PEM_MAX);
    wh_buf_init(&key, PEM_MAX);
    /* Remember what we read even if it is refused: the next change retries. */
    (void)file_id(tls.cert_path, &tls.cert_id);
    (void)file_id(tls.key_path, &tls.key_id);
    rc = wh_file_read(tls.cert_path, &cert, err);
    if (rc == WH_OK)
        rc = wh_file_read(tls.key_path, &key, err);
    if (rc == WH_OK)
        rc = pair_parse(&cert, &key, &p, err);
    if (key.data)
        gnutls_memset(key.data, 0, key.len);
    wh_buf_cleanup(&cert);
    wh_buf_cleanup(&key);
    if (rc != WH_OK)
        return rc;
    old = atomic_exchange(&tls.cur, p);
    if (old) {
        /* A handshake may still hold old: retire it, free the oldest. */
        pair_free(tls.retired[tls.next_retired]);
        tls.retired[tls.next_retired] = old;
        tls.next_retired = (tls.next_retired + 1) % RETIRED;
    }
    return WH_OK;
}

int wh_tls_load(const char *cert_path, const char *key_path, struct wh_err *err)
{
    char *c = wh_xstrdup(cert_path), *k = wh_xstrdup(key_path);
    char *oc, *ok;
    int rc;

    (void)pthread_mutex_lock(&tls.mu);
    oc = tls.cert_path;
    ok = tls.key_path;
    tls.cert_path = c;
    tls.key_path = k;
    rc = load_locked(err);
    if (rc != WH_OK) { /* keep watching what was loaded before */
        tls.cert_path = oc;
        tls.key_path = ok;
        oc = c;
        ok = k;
    }
    (void)pthread_mutex_unlock(&tls.mu);
    free(oc);
    free(ok);
    return rc;
}

static int on_cert(gnutls_session_t s, const gnutls_datum_t *req_ca, int nreq,
                   const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **pcert,
                   unsigned *npcert, gnutls_privkey_t *key)
{
    struct pair *p = atomic_load(&tls.cur);

    (void)s;
    (void)req_ca;
    (void)nreq;
    (void)algos;
    (void)nalgos;
    if (p == NULL)
        return -1;
    *pcert = p->pcerts;
    *npcert = p->n;
    *key = p->key;
    return 0;
}

void *wh_tls_callback(void)
{
    static gnutls_certificate_retrieve_function2 *const fn = on_cert;

    return (void *)(uintptr_t)fn;
}

/* One poll: reload when either file changed. */
static void poll_files(void)
{
    struct file_id c, k;
    struct wh_err err;

    if (file_id(tls.cert_path, &c) != 0 || file_id(tls.key_path, &k) != 0)
        return; /* mid-swap or gone: keep serving the current pair */
    if (same_id(&c, &tls.cert_id) && same_id(&k, &tls.key_id))
        return;
    if (load_locked(&err) != WH_OK) {
        log_error("new serving certificate refused, keeping the current one: %s", err.msg);
        return;
    }
    atomic_fetch_add(&tls.reloads, 1);
    log_info("serving certificate reloaded from %s (expires %lld)", tls.cert_path,
             (long long)wh_tls_not_after());
}

static void *watch(void *arg)
{
    (void)arg;
    (void)pthread_mutex_lock(&tls.mu);
    while (!tls.stop) {
        struct timespec dl;

        (void)clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += tls.interval_ms / 1000;
        dl.tv_nsec += (long)(tls.interval_ms % 1000) * 1000000L;
        if (dl.tv_nsec >= 1000000000L) {
            dl.tv_sec++;
            dl.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&tls.cv, &tls.mu, &dl);
        if (!tls.stop)
            poll_files();
    }
    (void)pthread_mutex_unlock(&tls.mu);
    return NULL;
}

int wh_tls_watch_start(unsigned interval_ms, struct wh_err *err)
{
    int rc = WH_OK;

    (void)pthread_mutex_lock(&tls.mu);
    tls.interval_ms = interval_ms ? interval_ms : 1000;
    tls.stop = false;
    if (!tls.watching && pthread_create(&tls.watcher, NULL, watch, NULL) != 0)
        rc = wh_errf(err, WH_EINTERNAL, "cannot start the certificate watcher");
    else
        tls.watching = true;
    (void)pthread_mutex_unlock(&tls.mu);
    return rc;
}

void wh_tls_shutdown(void)
{
    size_t i;
    bool join;

    (void)pthread_mutex_lock(&tls.mu);
    tls.stop = true;
    join = tls.watching;
    tls.watching = false;
    (void)pthread_cond_broadcast(&tls.cv);
    (void)pthread_mutex_unlock(&tls.mu);
    if (join)
        (void)pthread_join(tls.watcher, NULL);
    (void)pthread_mutex_lock(&tls.mu);
    pair_free(atomic_exchange(&tls.cur, NULL));
    for (i = 0; i < RETIRED; i++) {
        pair_free(tls.retired[i]);
        tls.retired[i] = NULL;
    }
    free(tls.cert_path);
    free(tls.key_path);
    tls.cert_path = tls.key_path = NULL;
    (void)pthread_mutex_unlock(&tls.mu);
}

time_t wh_tls_not_after(void)
{
    struct pair *p = atomic_load(&tls.cur);

    return p ? p->not_after : 0;
}

bool wh_tls_peer_verified(void *session)
{
    gnutls_session_t s = session;
    unsigned status = 1;
    unsigned n = 0;

    if (s == NULL || gnutls_certificate_get_peers(s, &n) == NULL || n == 0)
        return false;
    return gnutls_certificate_verify_peers2(s, &status) == 0 && status == 0;
}

uint64_t wh_tls_reloads(void)
{
    return atomic_load(&tls.reloads);
}

/* ---- one record per answer -------------------------------------------- */

int wh_tls_sndbuf(int fd)
{
    int sndbuf = 0;
    socklen_t n = sizeof(sndbuf);

    return getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &n) == 0 && sndbuf > 0 ? sndbuf : 0;
}

bool wh_tls_cork(void *session, int fd, int sndbuf, size_t body_len)
{
    int queued = 0;

    if (body_len == 0 || body_len > WH_TLS_CORK_MAX)
        return false;
    /* bytes not yet acknowledged against the buffer's size as it was at
     * the start (autotuning grows it; should memory pressure shrink it,
     * the uncork's bounded wait still holds): an answer that fits twice
     * into what is left is written at once when uncorked */
    if (ioctl(fd, SIOCOUTQ, &queued) != 0 || queued < 0 ||
        (size_t)sndbuf < (size_t)queued + 2 * (body_len + 1024))
        return false;
    gnutls_record_cork(session);
    return true;
}

bool wh_tls_uncork(void *session, int fd, int timeout_ms)
{
    int64_t deadline = wh_now_ms() + timeout_ms;

    for (;;) {
        int r = gnutls_record_uncork(session, 0);
        int64_t left;
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };

        if (r >= 0 && gnutls_record_check_corked(session) == 0)
            return true;
        if (r < 0 && r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED)
            return false;
        left = deadline - wh_now_ms();
        if (left <= 0 || (r == GNUTLS_E_AGAIN && poll(&pfd, 1, (int)left) <= 0))
            return false;
    }
}
