/* SPDX-License-Identifier: Apache-2.0
 *
 * cache.c - current-snapshot holder, writers and the miss path; see cache.h.
 *
 * Two mutexes, never held together: `mu` guards only the current-snapshot
 * pointer (a reader holds it for one reference increment, a writer for one
 * pointer swap), `wmu` orders writers while they build the next snapshot,
 * so no reader ever waits for a build. The miss path's in-flight table has
 * its own mutex and condition variables.
 */
#include "cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reflector.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

#define FETCH_BODY_MAX (2u * 1024u * 1024u)

/* One miss-path GET in progress, shared by everyone asking for the object. */
struct flight {
    struct flight *next;
    enum wh_kind kind;
    char ns[WH_NAMESPACE_MAX + 1];
    char name[WH_NAME_MAX + 1];
    bool done;
    struct wh_kobj *result; /* one reference, owned by the flight */
    unsigned users;         /* the leader and the waiters still inside */
    pthread_cond_t cv;
};

struct wh_cache {
    const struct wh_config *cfg;
    pthread_rwlock_t mu; /* guards cur: every request reads it, an update writes it */
    struct wh_snapshot *cur;
    pthread_mutex_t wmu;
    struct wh_kube *kube;
    struct wh_reflector *refl[2];
    pthread_mutex_t smu; /* guards stats */
    struct wh_cache_stats stats;
    pthread_mutex_t fmu;
    struct flight *flights;
};

struct wh_cache *wh_cache_new(const struct wh_config *cfg)
{
    struct wh_cache *c = wh_xcalloc(1, sizeof(*c));

    c->cfg = cfg;
    (void)pthread_rwlock_init(&c->mu, NULL);
    (void)pthread_mutex_init(&c->wmu, NULL);
    (void)pthread_mutex_init(&c->smu, NULL);
    (void)pthread_mutex_init(&c->fmu, NULL);
    c->cur = wh_snapshot_build(wh_snapshot_builder_new(NULL));
    return c;
}

void wh_cache_free(struct wh_cache *c)
{
    size_t k;

    if (c == NULL)
        return;
    for (k = 0; k < 2; k++)
        wh_reflector_stop(c->refl[k]);
    wh_snapshot_unref(c->cur);
    (void)pthread_rwlock_destroy(&c->mu);
    (void)pthread_mutex_destroy(&c->wmu);
    (void)pthread_mutex_destroy(&c->smu);
    (void)pthread_mutex_destroy(&c->fmu);
    free(c);
}

struct wh_snapshot *wh_cache_snapshot_ref(struct wh_cache *c)
{
    struct wh_snapshot *s;

    (void)pthread_rwlock_rdlock(&c->mu);
    s = wh_snapshot_ref(c->cur);
    (void)pthread_rwlock_unlock(&c->mu);
    return s;
}

/* Swaps in snap (consumed); called with wmu held. */
static void swap_in(struct wh_cache *c, struct wh_snapshot *snap)
{
    struct wh_snapshot *old;
    size_t k;

    (void)pthread_rwlock_wrlock(&c->mu);
    old = c->cur;
    c->cur = snap;
    (void)pthread_rwlock_unlock(&c->mu);
    wh_snapshot_unref(old);
    (void)pthread_mutex_lock(&c->smu);
    for (k = 0; k < 2; k++)
        c->stats.objects[k] = wh_snapshot_count(snap, (enum wh_kind)k);
    (void)pthread_mutex_unlock(&c->smu);
}

void wh_cache_publish(struct wh_cache *c, struct wh_snapshot *snap)
{
    (void)pthread_mutex_lock(&c->wmu);
    swap_in(c, snap);
    (void)pthread_mutex_unlock(&c->wmu);
    (void)pthread_mutex_lock(&c->smu);
    c->stats.synced[0] = c->stats.synced[1] = true;
    c->stats.last_ok[0] = c->stats.last_ok[1] = time(NULL);
    (void)pthread_mutex_unlock(&c->smu);
}

void wh_cache_attach(struct wh_cache *c, struct wh_kube *kube)
{
    c->kube = kube;
}

void wh_cache_replace_kind(struct wh_cache *c, enum wh_kind kind, struct wh_kobj **objs, size_t n)
{
    struct wh_snapshot_builder *b;
    size_t i;

    (void)pthread_mutex_lock(&c->wmu);
    /* Keep the other kind as it is; this kind is exactly the list. */
    b = wh_snapshot_builder_keep(c->cur, 3u & ~(1u << kind));
    for (i = 0; i < n; i++)
        wh_snapshot_builder_put(b, objs[i]);
    swap_in(c, wh_snapshot_build(b));
    (void)pthread_mutex_unlock(&c->wmu);
}

void wh_cache_apply(struct wh_cache *c, struct wh_cache_change *changes, size_t n)
{
    struct wh_snapshot_builder *b;
    size_t i;

    if (n == 0)
        return;
    (void)pthread_mutex_lock(&c->wmu);
    b = wh_snapshot_builder_new(c->cur);
    for (i = 0; i < n; i++) {
        if (changes[i].put)
            wh_snapshot_builder_put(b, changes[i].put);
        else
            wh_snapshot_builder_delete(b, changes[i].kind, changes[i].ns, changes[i].name);
        changes[i].put = NULL;
    }
    swap_in(c, wh_snapshot_build(b));
    (void)pthread_mutex_unlock(&c->wmu);
}

/* Adds o unless the snapshot has the object already (the watch is newer). */
static void put_if_absent(struct wh_cache *c, struct wh_kobj *o)
{
    const struct wh_kobj *have;
    struct wh_snapshot_builder *b;

    (void)pthread_mutex_lock(&c->wmu);
    have = o->kind == WH_KIND_NAMESPACE ? wh_snapshot_namespace(c->cur, o->name)
                                        : wh_snapshot_serviceaccount(c->cur, o->ns, o->name);
    if (have == NULL) {
        b = wh_snapshot_builder_new(c->cur);
        wh_snapshot_builder_put(b, wh_kobj_ref(o));
        swap_in(c, wh_snapshot_build(b));
    }
    (void)pthread_mutex_unlock(&c->wmu);
}

void wh_cache_note(struct wh_cache *c, enum wh_kind kind, enum wh_cache_note note)
{
    (void)pthread_mutex_lock(&c->smu);
    switch (note) {
    case WH_NOTE_LISTED:
        if (c->stats.synced[kind])
            c->stats.relists[kind]++;
        c->stats.synced[kind] = true;
        c->stats.last_ok[kind] = time(NULL);
        break;
    case WH_NOTE_OK:
        c->stats.last_ok[kind] = time(NULL);
        break;
    case WH_NOTE_RESTART:
        c->stats.restarts[kind]++;
        break;
    }
    (void)pthread_mutex_unlock(&c->smu);
}

bool wh_cache_ready(struct wh_cache *c)
{
    struct wh_cache_stats st;

    wh_cache_stats(c, &st);
    return st.synced[0] && st.synced[1];
}

void wh_cache_stats(struct wh_cache *c, struct wh_cache_stats *out)
{
    (void)pthread_mutex_lock(&c->smu);
    *out = c->stats;
    (void)pthread_mutex_unlock(&c->smu);
}

int wh_cache_start(struct wh_cache *c, struct wh_kube *kube, struct wh_err *err)
{
    size_t k;

    c->kube = kube;
    for (k = 0; k < 2; k++) {
        int rc = wh_reflector_start(c, kube, c->cfg, (enum wh_kind)k, &c->refl[k], err);

        if (rc != WH_OK)
            return rc;
    }
    return WH_OK;
}

/* ---- miss path -------------------------------------------------------- */

/* DNS-1123 names only: nothing else can be spliced into the request path. */
static bool valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    const char *p;

    if (n == 0 || n > max)
        return false;
    for (p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return false;
    }
    return true;
}

/* One GET of the object; returns a reference or NULL. */
static struct wh_kobj *get_object(struct wh_cache *c, enum wh_kind kind, const char *ns,
                                  const char *name)
{
    char path[512];
    struct wh_buf body;
    struct wh_err err;
    struct wh_kobj *o = NULL;
    cJSON *root = NULL;
    struct wh_arena *before;
    long status = 0;

    if (kind == WH_KIND_NAMESPACE)
        (void)snprintf(path, sizeof(path), "/api/v1/namespaces/%s", name);
    else
        (void)snprintf(path, sizeof(path), "/api/v1/namespaces/%s/serviceaccounts/%s", ns, name);
    /* The object outlives the request: nothing of it may come from the
     * request's arena. */
    before = wh_arena_use(NULL);
    wh_buf_init(&body, FETCH_BODY_MAX);
    if (wh_kube_get(c->kube, path, (long)c->cfg->kube_miss_timeout_ms, &body, &status, &err) !=
        WH_OK)
        log_warnx("miss path GET %s: %s", path, err.msg);
    else if (status != 200 && status != 404)
        log_warnx("miss path GET %s: HTTP %ld", path, status);
    else if (status == 200 &&
             (wh_json_parse(wh_buf_str(&body), body.len, 64, &root, &err) != WH_OK ||
              wh_kobj_from_json(root, kind, &o, &err) != WH_OK))
        log_warnx("miss path GET %s: %s", path, err.msg);
    cJSON_Delete(root);
    wh_buf_cleanup(&body);
    (void)wh_arena_use(before);
    return o;
}

static struct flight *find_flight(struct wh_cache *c, enum wh_kind kind, const char *ns,
                                  const char *name)
{
    struct flight *f;

    for (f = c->flights; f; f = f->next) {
        if (f->kind == kind && strcmp(f->ns, ns) == 0 && strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

/* Drops one user of f (fmu held); the last one frees it. */
static void release_flight(struct flight *f)
{
    if (--f->users > 0)
        return;
    wh_kobj_unref(f->result);
    (void)pthread_cond_destroy(&f->cv);
    free(f);
}

static void unlink_flight(struct wh_cache *c, struct flight *f)
{
    struct flight **pp;

    for (pp = &c->flights; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            return;
        }
    }
}

/* Waits (fmu held) for the leader of f until the deadline. */
static struct wh_kobj *wait_flight(struct wh_cache *c, struct flight *f)
{
    struct timespec dl;
    struct wh_kobj *o;
    int rc = 0;

    (void)clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += (time_t)(c->cfg->kube_miss_timeout_ms / 1000);
    dl.tv_nsec += (long)(c->cfg->kube_miss_timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    while (!f->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&f->cv, &c->fmu, &dl);
    o = f->done ? wh_kobj_ref(f->result) : NULL;
    release_flight(f);
    return o;
}

struct wh_kobj *wh_cache_fetch(void *cache, enum wh_kind kind, const char *ns, const char *name)
{
    struct wh_cache *c = cache;
    struct flight *f;
    struct wh_kobj *o;

    if (c->kube == NULL ||
        !valid_name(name, kind == WH_KIND_NAMESPACE ? WH_NAMESPACE_MAX : WH_NAME_MAX) ||
        (kind == WH_KIND_SERVICEACCOUNT && !valid_name(ns, WH_NAMESPACE_MAX)))
        return NULL;
    (void)pthread_mutex_lock(&c->fmu);
    f = find_flight(c, kind, ns, name);
    if (f != NULL) {
        f->users++;
        o = wait_flight(c, f);
        (void)pthread_mutex_unlock(&c->fmu);
        return o;
    }
    /* The request's snapshot may predate an object a flight just fetched
     * and published: look in the current one before fetching again. */
    (void)pthread_rwlock_rdlock(&c->mu);
    o = wh_snapshot_find_ref(c->cur, kind, kind == WH_KIND_NAMESPACE ? "" : ns, name);
    (void)pthread_rwlock_unlock(&c->mu);
    if (o != NULL) {
        (void)pthread_mutex_unlock(&c->fmu);
        return o;
    }
    f = wh_xcalloc(1, sizeof(*f));
    f->kind = kind;
    wh_strlcpy(f->ns, ns, sizeof(f->ns));
    wh_strlcpy(f->name, name, sizeof(f->name));
    f->users = 1;
    (void)pthread_cond_init(&f->cv, NULL);
    f->next = c->flights;
    c->flights = f;
    (void)pthread_mutex_unlock(&c->fmu);

    o = get_object(c, kind, ns, name);
    if (o != NULL)
        put_if_absent(c, o);

    (void)pthread_mutex_lock(&c->fmu);
    (void)pthread_mutex_lock(&c->smu);
    c->stats.fetches++;
    (void)pthread_mutex_unlock(&c->smu);
    f->result = wh_kobj_ref(o);
    f->done = true;
    unlink_flight(c, f);
    (void)pthread_cond_broadcast(&f->cv);
    release_flight(f);
    (void)pthread_mutex_unlock(&c->fmu);
    return o;
}
