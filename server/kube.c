/* SPDX-License-Identifier: Apache-2.0
 *
 * kube.c - Kubernetes API client on libcurl; see kube.h.
 */
#include "kube.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "util/file.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define TOKEN_MAX (64u * 1024u)
#define URL_MAX   2048

struct wh_kube {
    char *url;
    char *token_file;
    char *ca_file;
    uint64_t reread_s;
    pthread_mutex_t mu; /* guards the token fields */
    char *token;
    time_t token_read;
    bool token_warned;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* In-cluster: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT. */
static int in_cluster_url(char **out, struct wh_err *err)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    char url[URL_MAX];
    int n;

    if (host == NULL || port == NULL || host[0] == '\0')
        return wh_errf(err, WH_EINVAL,
                       "no --kube-api and not in a cluster (KUBERNETES_SERVICE_HOST unset)");
    n = snprintf(url, sizeof(url), strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
                 port);
    if (n < 0 || (size_t)n >= sizeof(url))
        return wh_errf(err, WH_EINVAL, "KUBERNETES_SERVICE_HOST too long");
    *out = wh_xstrdup(url);
    return WH_OK;
}

static void scrub_free(char *s)
{
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

/* Reads the token file into k->token; keeps the old token on failure. */
static void read_token(struct wh_kube *k, time_t now)
{
    struct wh_buf b;
    struct wh_err err;
    size_t len;

    k->token_read = now;
    wh_buf_init(&b, TOKEN_MAX);
    if (wh_file_read(k->token_file, &b, &err) != WH_OK) {
        if (!k->token_warned)
            log_warnx("%s; keeping the last token", err.msg);
        k->token_warned = true;
        return;
    }
    while (b.len &&
           (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' || b.data[b.len - 1] == ' '))
        wh_buf_truncate(&b, b.len - 1);
    if (b.len == 0) {
        log_warnx("token file %s is empty; keeping the last token", k->token_file);
        wh_buf_cleanup(&b);
        return;
    }
    k->token_warned = false;
    if (k->token)
        scrub_free(k->token);
    k->token = wh_buf_take(&b, &len);
}

int wh_kube_new(const struct wh_kube_opts *opts, struct wh_kube **out, struct wh_err *err)
{
    struct wh_kube *k;
    bool in_cluster = opts->api_url == NULL;
    int rc = WH_OK;

    *out = NULL;
    (void)pthread_once(&curl_once, curl_init_once);
    k = wh_xcalloc(1, sizeof(*k));
    (void)pthread_mutex_init(&k->mu, NULL);
    k->reread_s = opts->token_reread_s;
    if (in_cluster)
        rc = in_cluster_url(&k->url, err);
    else if (!wh_str_has_prefix(opts->api_url, "https://") || strlen(opts->api_url) > 1024)
        rc = wh_errf(err, WH_EINVAL, "--kube-api %s: expected an https:// URL", opts->api_url);
    else
        k->url = wh_xstrdup(opts->api_url);
    if (rc != WH_OK) {
        wh_kube_free(k);
        return rc;
    }
    /* Drop a trailing slash so paths can be appended as they are. */
    if (k->url[strlen(k->url) - 1] == '/')
        k->url[strlen(k->url) - 1] = '\0';
    if (opts->token_file || in_cluster)
        k->token_file = wh_xstrdup(opts->token_file ? opts->token_file : WH_KUBE_SA_DIR "/token");
    if (opts->ca_file || in_cluster)
        k->ca_file = wh_xstrdup(opts->ca_file ? opts->ca_file : WH_KUBE_SA_DIR "/ca.crt");
    if (k->token_file)
        read_token(k, time(NULL));
    if (k->token_file && k->token == NULL) {
        rc = wh_errf(err, WH_EIO, "cannot read the API token from %s", k->token_file);
        wh_kube_free(k);
        return rc;
    }
    *out = k;
    return WH_OK;
}

void wh_kube_free(struct wh_kube *k)
{
    if (k == NULL)
        return;
    if (k->token)
        scrub_free(k->token);
    free(k->url);
    free(k->token_file);
    free(k->ca_file);
    (void)pthread_mutex_destroy(&k->mu);
    free(k);
}

const char *wh_kube_url(const struct wh_kube *k)
{
    return k->url;
}

/* The Authorization header for this request (caller frees), or NULL. */
static struct curl_slist *auth_header(struct wh_kube *k)
{
    struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json");
    time_t now = time(NULL);
    struct wh_buf line;

    if (k->token_file == NULL)
        return h;
    (void)pthread_mutex_lock(&k->mu);
    if ((uint64_t)(now - k->token_read) >= k->reread_s)
        read_token(k, now);
    wh_buf_init(&line, TOKEN_MAX + 64);
    (void)wh_buf_printf(&line, "Authorization: Bearer %s", k->token);
    (void)pthread_mutex_unlock(&k->mu);
    h = curl_slist_append(h, wh_buf_str(&line));
    OPENSSL_cleanse(line.data, line.len);
    wh_buf_cleanup(&line);
    return h;
}

static CURL *new_handle(struct wh_kube *k, const char *path, struct curl_slist *hdrs,
                        struct wh_err *err)
{
    char url[URL_MAX + 1024];
    CURL *c;
    int n = snprintf(url, sizeof(url), "%s%s", k->url, path);

    if (n < 0 || (size_t)n >= sizeof(url)) {
        (void)wh_errf(err, WH_EINVAL, "request path too long");
        return NULL;
    }
    c = curl_easy_init();
    if (c == NULL) {
        (void)wh_errf(err, WH_EINTERNAL, "cannot create a curl handle");
        return NULL;
    }
    (void)curl_easy_setopt(c, CURLOPT_URL, url);
    (void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    (void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    (void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    (void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    (void)curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (k->ca_file)
        (void)curl_easy_setopt(c, CURLOPT_CAINFO, k->ca_file);
    (void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    (void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    (void)curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    (void)curl_easy_setopt(c, CURLOPT_USERAGENT, "sparkhook/" WH_VERSION);
    (void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    return c;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct wh_buf *out = arg;

    /* A short return makes curl fail with CURLE_WRITE_ERROR. */
    return wh_buf_add(out, p, size * n) == WH_OK ? size * n : 0;
}

static int finish(CURL *c, CURLcode cc, const char *what, long *status, struct wh_err *err)
{
    (void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (cc == CURLE_OK)
        return WH_OK;
    if (cc == CURLE_WRITE_ERROR)
        return wh_errf(err, WH_ETOOBIG, "%s: response over the size cap", what);
    return wh_errf(err, WH_EIO, "%s: %s", what, curl_easy_strerror(cc));
}

int wh_kube_get(struct wh_kube *k, const char *path, long timeout_ms, struct wh_buf *out,
                long *status, struct wh_err *err)
{
    struct curl_slist *hdrs = auth_header(k);
    CURL *c = new_handle(k, path, hdrs, err);
    int rc = WH_EINTERNAL;

    *status = 0;
    if (c != NULL) {
        (void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
        (void)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
        (void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        (void)curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
        rc = finish(c, curl_easy_perform(c), "GET", status, err);
        curl_easy_cleanup(c);
    }
    curl_slist_free_all(hdrs);
    return rc;
}

struct stream {
    CURL *c;
    struct wh_lines *lines;
    wh_line_fn *fn;
    void *arg;
    int cb_rc;
    const atomic_bool *stop;
};

static size_t on_stream(char *p, size_t size, size_t n, void *arg)
{
    struct stream *s = arg;
    long code = 0;

    /* Only a 200 carries events; an error status is reported, not framed. */
    (void)curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &code);
    if (code != 200)
        return size * n;
    s->cb_rc = wh_lines_feed(s->lines, p, size * n, s->fn, s->arg);
    if (s->cb_rc == 0)
        s->cb_rc = s->fn(s->arg, NULL, 0); /* end of chunk: a chance to batch */
    return s->cb_rc == 0 ? size * n : 0;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const struct stream *s = arg;

    (void)dt;
    (void)dn;
    (void)ut;
    (void)un;
    return atomic_load(s->stop) ? 1 : 0;
}

int wh_kube_stream(struct wh_kube *k, const char *path, long idle_s, struct wh_lines *lines,
                   wh_line_fn *fn, void *arg, const atomic_bool *stop, long *status,
                   struct wh_err *err)
{
    struct curl_slist *hdrs = auth_header(k);
    CURL *c = new_handle(k, path, hdrs, err);
    struct stream s = { c, lines, fn, arg, 0, stop };
    CURLcode cc;
    int rc = WH_EINTERNAL;

    *status = 0;
    if (c != NULL) {
        (void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_stream);
        (void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        (void)curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        (void)curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
        (void)curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
        /* A watch with no byte for idle_s seconds is dead. */
        (void)curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        (void)curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, idle_s);
        cc = curl_easy_perform(c);
        if (s.cb_rc != 0)
            rc = s.cb_rc;
        else if (cc == CURLE_ABORTED_BY_CALLBACK && atomic_load(stop))
            rc = WH_OK;
        else
            rc = finish(c, cc, "watch", status, err);
        (void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        curl_easy_cleanup(c);
    }
    curl_slist_free_all(hdrs);
    return rc;
}
