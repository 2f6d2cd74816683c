/* SPDX-License-Identifier: Apache-2.0
 *
 * lookup.c - snapshot first, miss path second; see lookup.h.
 */
#include "lookup.h"

#include <string.h>

#include "banned.h"

void wh_lookup_init(struct wh_lookup *l, const struct wh_snapshot *snap, wh_miss_fn *miss,
                    void *miss_arg)
{
    memset(l, 0, sizeof(*l));
    l->snap = snap;
    l->miss = miss;
    l->miss_arg = miss_arg;
}

void wh_lookup_cleanup(struct wh_lookup *l)
{
    size_t i;

    for (i = 0; i < l->nheld; i++)
        wh_kobj_unref(l->held[i]);
    l->nheld = 0;
}

const struct wh_kobj *wh_lookup_find(struct wh_lookup *l, enum wh_kind kind, const char *ns,
                                     const char *name)
{
    const struct wh_kobj *o;
    struct wh_kobj *got;
    size_t i;

    o = kind == WH_KIND_NAMESPACE ? wh_snapshot_namespace(l->snap, name)
                                  : wh_snapshot_serviceaccount(l->snap, ns, name);
    if (o != NULL || l->miss == NULL || name[0] == '\0')
        return o;
    for (i = 0; i < l->nheld; i++) {
        o = l->held[i];
        if (o->kind == kind && strcmp(o->ns, ns) == 0 && strcmp(o->name, name) == 0)
            return o;
    }
    if (l->nheld == WH_LOOKUP_MAX_HELD)
        return NULL;
    l->misses++;
    got = l->miss(l->miss_arg, kind, ns, name);
    if (got != NULL)
        l->held[l->nheld++] = got;
    return got;
}
