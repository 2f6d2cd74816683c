/* SPDX-License-Identifier: Apache-2.0
 *
 * cache.c - current-snapshot holder; see cache.h.
 *
 * The mutex guards only the pointer swap and the reference increment, a few
 * nanoseconds; no reader ever waits on a writer's work, because snapshots are
 * built before publish() is called.
 */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>

#include "banned.h"
#include "util/mem.h"

struct wh_cache {
    pthread_mutex_t mu;
    struct wh_snapshot *cur;
};

struct wh_cache *wh_cache_new(void)
{
    struct wh_cache *c = wh_xcalloc(1, sizeof(*c));

    (void)pthread_mutex_init(&c->mu, NULL);
    c->cur = wh_snapshot_build(wh_snapshot_builder_new(NULL));
    return c;
}

void wh_cache_free(struct wh_cache *c)
{
    if (c == NULL)
        return;
    wh_snapshot_unref(c->cur);
    (void)pthread_mutex_destroy(&c->mu);
    free(c);
}

void wh_cache_publish(struct wh_cache *c, struct wh_snapshot *snap)
{
    struct wh_snapshot *old;

    (void)pthread_mutex_lock(&c->mu);
    old = c->cur;
    c->cur = snap;
    (void)pthread_mutex_unlock(&c->mu);
    wh_snapshot_unref(old);
}

struct wh_snapshot *wh_cache_snapshot_ref(struct wh_cache *c)
{
    struct wh_snapshot *s;

    (void)pthread_mutex_lock(&c->mu);
    s = wh_snapshot_ref(c->cur);
    (void)pthread_mutex_unlock(&c->mu);
    return s;
}
