/* SPDX-License-Identifier: Apache-2.0
 *
 * cache.h - the live view of cluster objects the policy reads. It holds the
 * current snapshot; readers take a reference and read it without any lock
 * for as long as they hold it. Writers (the reflectors of reflector.c, the
 * miss path, or a static objects file) build whole new snapshots off to the
 * side and publish them; a writer mutex orders writers, never readers.
 *
 * Sources: a static snapshot (wh_cache_publish, once), or the API server
 * (wh_cache_start: one list/watch reflector thread per kind). In the second
 * case wh_cache_ready() turns true after the first full list of both kinds,
 * and wh_cache_fetch() is the bounded miss path for objects not (yet) seen.
 *
 * Ownership: publish consumes the snapshot reference it is given;
 * snapshot_ref and fetch return references the caller releases.
 * Thread-safety: every function may be called from any thread.
 */
#ifndef WH_CACHE_H
#define WH_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "kube.h"
#include "snapshot.h"

struct wh_cache;

/* A cache holding an empty snapshot, not ready until a source is set. */
struct wh_cache *wh_cache_new(const struct wh_config *cfg);

/* Stops the reflectors (if started) and frees the cache. */
void wh_cache_free(struct wh_cache *c);

/* Static source: replaces the snapshot with snap (consumed) and marks the
 * cache ready. */
void wh_cache_publish(struct wh_cache *c, struct wh_snapshot *snap);

/* Live source: starts the list/watch reflectors on kube (borrowed until
 * wh_cache_free). Returns WH_OK or WH_EINTERNAL if a thread cannot start. */
int wh_cache_start(struct wh_cache *c, struct wh_kube *kube, struct wh_err *err);

/* Fetch-only source: wh_cache_fetch() GETs objects from kube (borrowed)
 * without any list/watch; for one-shot commands such as explain. */
void wh_cache_attach(struct wh_cache *c, struct wh_kube *kube);

/* Returns one reference to the current snapshot (never NULL). */
struct wh_snapshot *wh_cache_snapshot_ref(struct wh_cache *c);

/* True once both kinds have been fully listed (or a static snapshot set). */
bool wh_cache_ready(struct wh_cache *c);

/* The miss path (a wh_miss_fn; arg is the cache): one GET of the object
 * with the configured deadline, shared by concurrent callers asking for the
 * same object. A found object is added to the snapshot unless the watch put
 * it there first. Returns a reference, or NULL (absent, error, timeout, or
 * no live source). */
struct wh_kobj *wh_cache_fetch(void *cache, enum wh_kind kind, const char *ns, const char *name);

struct wh_cache_stats {
    bool synced[2];       /* per wh_kind: first full list done */
    time_t last_ok[2];    /* last list, event or clean stream end */
    uint64_t relists[2];  /* full lists after the first (410, restarts) */
    uint64_t restarts[2]; /* watch streams restarted after an error */
    uint64_t fetches;     /* miss-path GETs performed */
    size_t objects[2];
};

void wh_cache_stats(struct wh_cache *c, struct wh_cache_stats *out);

/* ---- writer side, used by reflector.c ---------------------------------- */

/* Replaces every object of kind with objs[0..n) (references consumed). */
void wh_cache_replace_kind(struct wh_cache *c, enum wh_kind kind, struct wh_kobj **objs, size_t n);

struct wh_cache_change {
    struct wh_kobj *put; /* upsert (reference consumed), or NULL for a delete */
    enum wh_kind kind;   /* for a delete */
    char ns[WH_NAMESPACE_MAX + 1];
    char name[WH_NAME_MAX + 1];
};

/* Applies changes in order, publishing one new snapshot. */
void wh_cache_apply(struct wh_cache *c, struct wh_cache_change *changes, size_t n);

enum wh_cache_note {
    WH_NOTE_LISTED,  /* a full list of the kind was published */
    WH_NOTE_OK,      /* the API server answered (event, bookmark, clean end) */
    WH_NOTE_RESTART, /* a watch failed and will be retried */
};

/* Records reflector progress for readiness and the stats. */
void wh_cache_note(struct wh_cache *c, enum wh_kind kind, enum wh_cache_note note);

#endif
