/* SPDX-License-Identifier: Apache-2.0
 *
 * lookup.h - how the request path finds cluster objects: first in the
 * snapshot it holds, then, only for an object the snapshot lacks and only if
 * the caller supplied one, through a miss function (the cache's bounded,
 * shared GET against the API server). Objects the miss function returns are
 * held by the lookup and released by wh_lookup_cleanup(); every pointer it
 * hands out is valid until then.
 *
 * Not thread-safe: a lookup belongs to one request.
 */
#ifndef WH_LOOKUP_H
#define WH_LOOKUP_H

#include "snapshot.h"

#define WH_LOOKUP_MAX_HELD 8

/* Returns one reference to the object, or NULL when it does not exist or
 * cannot be fetched in time. Called without locks held; may block for a
 * bounded time. */
typedef struct wh_kobj *wh_miss_fn(void *arg, enum wh_kind kind, const char *ns, const char *name);

struct wh_lookup {
    const struct wh_snapshot *snap;
    wh_miss_fn *miss; /* may be NULL: snapshot only */
    void *miss_arg;
    struct wh_kobj *held[WH_LOOKUP_MAX_HELD];
    size_t nheld;
    size_t misses; /* miss-path fetches attempted (for logs and metrics) */
};

void wh_lookup_init(struct wh_lookup *l, const struct wh_snapshot *snap, wh_miss_fn *miss,
                    void *miss_arg);
void wh_lookup_cleanup(struct wh_lookup *l);

/* The object of that kind ("" namespace for a Namespace), or NULL. */
const struct wh_kobj *wh_lookup_find(struct wh_lookup *l, enum wh_kind kind, const char *ns,
                                     const char *name);

#endif
