/* SPDX-License-Identifier: Apache-2.0
 *
 * reflector.c - list/watch loop per kind; see reflector.h.
 */
#include "reflector.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "log.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define RV_MAX       64
#define BATCH_MAX    512
#define LIST_TIMEOUT 30000L /* ms per page */
#define BACKOFF_MIN  250    /* ms */
#define ERR_GONE     1000   /* on_line: the watch saw 410 Gone */
#define ERR_GARBAGE  1001   /* on_line: an event we cannot read */

struct wh_reflector {
    struct wh_cache *cache;
    struct wh_kube *kube;
    const struct wh_config *cfg;
    enum wh_kind kind;
    const char *resource; /* "namespaces" or "serviceaccounts" */
    pthread_t thread;
    atomic_bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char rv[RV_MAX];
    unsigned seed;
    uint64_t backoff_ms;
    unsigned failures; /* in a row, for rate-limited warnings */
    struct wh_cache_change batch[BATCH_MAX];
    size_t nbatch;
    struct wh_err line_err;
};

/* ---- events ----------------------------------------------------------- */

static int fill_delete(enum wh_kind kind, const cJSON *obj, struct wh_cache_change *ch,
                       struct wh_err *err)
{
    const cJSON *meta = wh_json_get(obj, "metadata", WH_JSON_OBJECT);
    const char *name = wh_json_get_str(meta, "name");
    const char *ns = kind == WH_KIND_NAMESPACE ? "" : wh_json_get_str(meta, "namespace");

    if (name == NULL || ns == NULL ||
        wh_strlcpy(ch->name, name, sizeof(ch->name)) >= sizeof(ch->name) ||
        wh_strlcpy(ch->ns, ns, sizeof(ch->ns)) >= sizeof(ch->ns))
        return wh_errf(err, WH_EPARSE, "DELETED event without a usable name");
    ch->put = NULL;
    ch->kind = kind;
    return WH_OK;
}

int wh_reflector_event(enum wh_kind kind, const char *line, size_t len, char *rv, size_t rvsize,
                       struct wh_cache_change *change, int *has_change, struct wh_err *err)
{
    const char *type, *new_rv;
    const cJSON *obj;
    cJSON *root = NULL;
    bool skipped = false;
    int rc;

    *has_change = 0;
    rc = wh_json_parse(line, len, 64, &root, err);
    if (rc != WH_OK)
        goto out;
    type = wh_json_get_str(root, "type");
    obj = wh_json_get(root, "object", WH_JSON_OBJECT);
    if (type == NULL || obj == NULL) {
        rc = wh_errf(err, WH_EPARSE, "watch event without type or object");
        goto out;
    }
    if (strcmp(type, "ERROR") == 0) {
        cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "code");

        rc = cJSON_IsNumber(code) && code->valuedouble == 410.0
                 ? WH_ENOTFOUND
                 : wh_errf(err, WH_EPARSE, "watch ERROR event: %.160s",
                           wh_json_get_str(obj, "message") ? wh_json_get_str(obj, "message")
                                                           : "no message");
        goto out;
    }
    if (strcmp(type, "ADDED") == 0 || strcmp(type, "MODIFIED") == 0) {
        /* An object we cannot keep is skipped, not a broken stream: the
         * same event would come back on every re-watch. */
        if (wh_kobj_from_json(obj, kind, &change->put, err) != WH_OK)
            skipped = true;
        *has_change = !skipped;
    } else if (strcmp(type, "DELETED") == 0) {
        rc = fill_delete(kind, obj, change, err);
        *has_change = rc == WH_OK;
    } else if (strcmp(type, "BOOKMARK") != 0) {
        rc = wh_errf(err, WH_EPARSE, "unknown watch event type %.32s", type);
    }
    new_rv = wh_json_get_str(wh_json_get(obj, "metadata", WH_JSON_OBJECT), "resourceVersion");
    if (rc == WH_OK && new_rv && strlen(new_rv) < rvsize)
        wh_strlcpy(rv, new_rv, rvsize);
    if (rc == WH_OK && skipped)
        rc = WH_EINVAL;
out:
    cJSON_Delete(root);
    return rc;
}

static void flush(struct wh_reflector *r)
{
    wh_cache_apply(r->cache, r->batch, r->nbatch);
    r->nbatch = 0;
}

static int on_line(void *arg, const char *line, size_t len)
{
    struct wh_reflector *r = arg;
    int has = 0;
    int rc;

    if (line == NULL) { /* end of a network read: publish the batch */
        flush(r);
        return 0;
    }
    rc = wh_reflector_event(r->kind, line, len, r->rv, sizeof(r->rv), &r->batch[r->nbatch], &has,
                            &r->line_err);
    if (rc == WH_ENOTFOUND) {
        flush(r);
        return ERR_GONE;
    }
    if (rc == WH_EINVAL) {
        log_warnx("watch %s: skipping an object: %s", r->resource, r->line_err.msg);
        return 0;
    }
    if (rc != WH_OK) {
        flush(r);
        return ERR_GARBAGE;
    }
    wh_cache_note(r->cache, r->kind, WH_NOTE_OK);
    if (has && ++r->nbatch == BATCH_MAX)
        flush(r);
    return 0;
}

/* ---- list ------------------------------------------------------------- */

struct list {
    struct wh_kobj **objs;
    size_t n, alloc;
};

static void list_free(struct list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        wh_kobj_unref(l->objs[i]);
    free(l->objs);
    memset(l, 0, sizeof(*l));
}

/* Percent-encodes a continue token for the query string. */
static void escape_query(const char *s, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; *s && o + 4 < size; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
}

static void list_add_items(struct wh_reflector *r, const cJSON *items, struct list *l)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, items)
    {
        struct wh_kobj *o = NULL;
        struct wh_err err;

        if (wh_kobj_from_json(item, r->kind, &o, &err) != WH_OK) {
            log_warnx("list %s: skipping an object: %s", r->resource, err.msg);
            continue;
        }
        if (l->n == l->alloc) {
            l->alloc = l->alloc ? l->alloc * 2 : 256;
            l->objs = wh_realloc_array(l->objs, l->alloc, sizeof(*l->objs));
        }
        l->objs[l->n++] = o;
    }
}

/* One page; *cont receives the next continue token ("" at the end). */
static int list_page(struct wh_reflector *r, const char *cont, struct list *l, char *next,
                     size_t nsize, struct wh_err *err)
{
    char path[1024], esc[600];
    struct wh_buf body;
    cJSON *root = NULL;
    const cJSON *meta;
    long status = 0;
    int rc;

    escape_query(cont, esc, sizeof(esc));
    (void)snprintf(path, sizeof(path), "/api/v1/%s?limit=%llu%s%s", r->resource,
                   (unsigned long long)r->cfg->kube_page_size, esc[0] ? "&continue=" : "", esc);
    wh_buf_init(&body, r->cfg->kube_max_list);
    rc = wh_kube_get(r->kube, path, LIST_TIMEOUT, &body, &status, err);
    if (rc == WH_OK && status != 200)
        rc = wh_errf(err, status == 410 ? WH_ENOTFOUND : WH_EIO, "list %s: HTTP %ld", r->resource,
                     status);
    if (rc == WH_OK)
        rc = wh_json_parse(wh_buf_str(&body), body.len, 64, &root, err);
    meta = wh_json_get(root, "metadata", WH_JSON_OBJECT);
    if (rc == WH_OK && (!cJSON_IsArray(cJSON_GetObjectItem(root, "items")) || meta == NULL))
        rc = wh_errf(err, WH_EPARSE, "list %s: not a list", r->resource);
    if (rc == WH_OK) {
        list_add_items(r, cJSON_GetObjectItem(root, "items"), l);
        wh_strlcpy(next, wh_json_get_str(meta, "continue") ? wh_json_get_str(meta, "continue") : "",
                   nsize);
        wh_strlcpy(r->rv,
                   wh_json_get_str(meta, "resourceVersion")
                       ? wh_json_get_str(meta, "resourceVersion")
                       : "",
                   sizeof(r->rv));
    }
    cJSON_Delete(root);
    wh_buf_cleanup(&body);
    return rc;
}

static int list_all(struct wh_reflector *r, struct wh_err *err)
{
    char cont[512] = "", next[512];
    struct list l = { NULL, 0, 0 };
    int rc;

    do {
        rc = list_page(r, cont, &l, next, sizeof(next), err);
        wh_strlcpy(cont, next, sizeof(cont));
    } while (rc == WH_OK && cont[0] && !atomic_load(&r->stop));
    if (rc == WH_OK && !atomic_load(&r->stop)) {
        wh_cache_replace_kind(r->cache, r->kind, l.objs, l.n);
        l.n = 0; /* references moved into the cache */
        wh_cache_note(r->cache, r->kind, WH_NOTE_LISTED);
        log_info("listed %s at resourceVersion %s", r->resource, r->rv);
    }
    list_free(&l);
    return rc;
}

/* ---- watch ------------------------------------------------------------ */

enum watch_end {
    WATCH_ENDED,  /* clean end: watch again from rv */
    WATCH_GONE,   /* 410: list again */
    WATCH_FAILED, /* back off, then watch again from rv */
};

static enum watch_end watch(struct wh_reflector *r, struct wh_err *err)
{
    uint64_t base = r->cfg->kube_watch_timeout_s;
    /* Jitter the server-side timeout by +-20% so replicas do not re-watch together. */
    uint64_t t = base - base / 5 + (uint64_t)rand_r(&r->seed) % (base * 2 / 5 + 1);
    struct wh_lines lines;
    char path[512];
    long status = 0;
    int rc;

    (void)snprintf(path, sizeof(path),
                   "/api/v1/%s?watch=1&allowWatchBookmarks=true&resourceVersion=%s"
                   "&timeoutSeconds=%llu",
                   r->resource, r->rv, (unsigned long long)t);
    wh_lines_init(&lines, r->cfg->kube_max_event);
    rc = wh_kube_stream(r->kube, path, (long)t + 60, &lines, on_line, r, &r->stop, &status, err);
    flush(r);
    if (lines.dropped)
        log_warnx("watch %s: %zu events over kube.maxEventBytes dropped", r->resource,
                  lines.dropped);
    wh_lines_cleanup(&lines);
    if (rc == ERR_GONE || status == 410)
        return WATCH_GONE;
    if (rc == ERR_GARBAGE) {
        (void)wh_errf(err, WH_EPARSE, "watch %s: %s", r->resource, r->line_err.msg);
        return WATCH_FAILED;
    }
    if (rc != WH_OK)
        return WATCH_FAILED;
    if (status != 200) {
        (void)wh_errf(err, WH_EIO, "watch %s: HTTP %ld", r->resource, status);
        return WATCH_FAILED;
    }
    if (wh_lines_pending(&lines)) {
        (void)wh_errf(err, WH_EIO, "watch %s: stream cut inside an event", r->resource);
        return WATCH_FAILED;
    }
    wh_cache_note(r->cache, r->kind, WH_NOTE_OK);
    return WATCH_ENDED;
}

/* ---- loop ------------------------------------------------------------- */

/* Sleeps for the next backoff step (full jitter), or until stop. */
static void back_off(struct wh_reflector *r)
{
    uint64_t max = r->cfg->kube_backoff_max_s * 1000;
    uint64_t ms;
    struct timespec dl;

    r->backoff_ms = r->backoff_ms ? r->backoff_ms * 2 : BACKOFF_MIN;
    if (r->backoff_ms > max)
        r->backoff_ms = max;
    ms = r->backoff_ms / 2 + (uint64_t)rand_r(&r->seed) % (r->backoff_ms / 2 + 1);
    (void)clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += (time_t)(ms / 1000);
    dl.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    (void)pthread_mutex_lock(&r->mu);
    while (!atomic_load(&r->stop) && pthread_cond_timedwait(&r->cv, &r->mu, &dl) == 0)
        ;
    (void)pthread_mutex_unlock(&r->mu);
}

/* Warns on the 1st, 2nd, 4th, 8th... failure in a row. */
static void failed(struct wh_reflector *r, const char *what, const struct wh_err *err)
{
    r->failures++;
    if ((r->failures & (r->failures - 1)) == 0)
        log_warnx("%s %s failed (%u in a row; serving from the last snapshot): %s", what,
                  r->resource, r->failures, err->msg);
    wh_cache_note(r->cache, r->kind, WH_NOTE_RESTART);
    back_off(r);
}

static void *run(void *arg)
{
    struct wh_reflector *r = arg;
    bool need_list = true;
    struct wh_err err;

    while (!atomic_load(&r->stop)) {
        wh_err_clear(&err);
        if (need_list) {
            if (list_all(r, &err) != WH_OK) {
                failed(r, "list", &err);
                continue;
            }
            need_list = false;
            r->failures = 0;
            r->backoff_ms = 0;
        }
        switch (watch(r, &err)) {
        case WATCH_ENDED:
            r->failures = 0;
            r->backoff_ms = 0;
            break;
        case WATCH_GONE:
            log_info("watch %s: resourceVersion %s is gone (410); listing again", r->resource,
                     r->rv);
            need_list = true;
            break;
        case WATCH_FAILED:
            if (!atomic_load(&r->stop))
                failed(r, "watch", &err);
            break;
        }
    }
    return NULL;
}

int wh_reflector_start(struct wh_cache *cache, struct wh_kube *kube, const struct wh_config *cfg,
                       enum wh_kind kind, struct wh_reflector **out, struct wh_err *err)
{
    struct wh_reflector *r = wh_xcalloc(1, sizeof(*r));

    *out = NULL;
    r->cache = cache;
    r->kube = kube;
    r->cfg = cfg;
    r->kind = kind;
    r->resource = kind == WH_KIND_NAMESPACE ? "namespaces" : "serviceaccounts";
    r->seed = (unsigned)time(NULL) ^ (unsigned)kind * 2654435761u;
    atomic_init(&r->stop, false);
    (void)pthread_mutex_init(&r->mu, NULL);
    (void)pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->thread, NULL, run, r) != 0) {
        (void)pthread_cond_destroy(&r->cv);
        (void)pthread_mutex_destroy(&r->mu);
        free(r);
        return wh_errf(err, WH_EINTERNAL, "cannot start the %s reflector thread",
                       kind == WH_KIND_NAMESPACE ? "namespace" : "serviceaccount");
    }
    *out = r;
    return WH_OK;
}

void wh_reflector_stop(struct wh_reflector *r)
{
    size_t i;

    if (r == NULL)
        return;
    (void)pthread_mutex_lock(&r->mu);
    atomic_store(&r->stop, true);
    (void)pthread_cond_broadcast(&r->cv);
    (void)pthread_mutex_unlock(&r->mu);
    (void)pthread_join(r->thread, NULL);
    for (i = 0; i < r->nbatch; i++)
        wh_kobj_unref(r->batch[i].put);
    (void)pthread_cond_destroy(&r->cv);
    (void)pthread_mutex_destroy(&r->mu);
    free(r);
}
