/* SPDX-License-Identifier: Apache-2.0
 *
 * reflector.h - one thread per kind (Namespaces, ServiceAccounts) that keeps
 * the cache in step with the API server, the way client-go's reflector does:
 * a paginated LIST, then a WATCH from the list's resourceVersion with
 * bookmarks and a server-side timeout; a clean end re-watches from the last
 * resourceVersion, 410 Gone re-lists, and failures retry with jittered
 * exponential backoff. Events received in one network read are applied to
 * the cache as one batch. Only name, namespace, uid, labels and annotations
 * of each object are kept.
 */
#ifndef WH_REFLECTOR_H
#define WH_REFLECTOR_H

#include "config.h"
#include "kube.h"
#include "snapshot.h"

struct wh_cache;
struct wh_reflector;

/* Starts the thread; cache, kube and cfg are borrowed until stop. */
int wh_reflector_start(struct wh_cache *cache, struct wh_kube *kube, const struct wh_config *cfg,
                       enum wh_kind kind, struct wh_reflector **out, struct wh_err *err);

/* Asks the thread to stop, joins it and frees r; NULL is a no-op. */
void wh_reflector_stop(struct wh_reflector *r);

/* Applies one watch event line to changes (exposed for tests and fuzzing).
 * Returns WH_OK (with *rv updated and, for ADDED/MODIFIED/DELETED,
 * *has_change set), WH_EINVAL for a well-formed event whose object cannot be
 * kept (rv still updated: skip it), WH_ENOTFOUND for a 410 Gone ERROR event,
 * or WH_EPARSE with a message for a line that is not a usable event. */
struct wh_cache_change;
int wh_reflector_event(enum wh_kind kind, const char *line, size_t len, char *rv, size_t rvsize,
                       struct wh_cache_change *change, int *has_change, struct wh_err *err);

#endif
