/* SPDX-License-Identifier: Apache-2.0
 *
 * objects.h - the static source of cluster objects: a Kubernetes v1 List (as
 * `kubectl get ns,sa -A -o json` prints it) read into a snapshot. Items of
 * other kinds are ignored; a Namespace or ServiceAccount that is malformed
 * fails the whole load, naming the item.
 */
#ifndef WH_OBJECTS_H
#define WH_OBJECTS_H

#include <stddef.h>

#include "snapshot.h"
#include "wh.h"

#define WH_OBJECTS_MAX_FILE (256u * 1024u * 1024u)

/* Parses a List document (len bytes, NUL-terminated). On success *out holds
 * one reference to a new snapshot. */
int wh_objects_parse(const char *text, size_t len, struct wh_snapshot **out, struct wh_err *err);

/* Reads path ("-" = stdin) and parses it as above. */
int wh_objects_load(const char *path, struct wh_snapshot **out, struct wh_err *err);

#endif
