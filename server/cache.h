/* SPDX-License-Identifier: Apache-2.0
 *
 * cache.h - the holder of the current cluster snapshot. Writers publish whole
 * new snapshots; readers take a reference to the current one and read it
 * without any lock for as long as they hold it. The cache is the only writer
 * of cluster state.
 *
 * Thread-safety: every function may be called from any thread. Ownership:
 * wh_cache_publish() consumes the snapshot reference it is given;
 * wh_cache_snapshot_ref() returns a reference the caller must unref.
 */
#ifndef WH_CACHE_H
#define WH_CACHE_H

#include "snapshot.h"

struct wh_cache;

/* A cache holding an empty snapshot. */
struct wh_cache *wh_cache_new(void);
void wh_cache_free(struct wh_cache *c);

/* Replaces the current snapshot with snap (consumed). */
void wh_cache_publish(struct wh_cache *c, struct wh_snapshot *snap);

/* Returns one reference to the current snapshot (never NULL). */
struct wh_snapshot *wh_cache_snapshot_ref(struct wh_cache *c);

#endif
