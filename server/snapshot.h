/* SPDX-License-Identifier: Apache-2.0
 *
 * snapshot.h - an immutable view of the cluster objects the policy reads:
 * Namespaces and ServiceAccounts, each reduced to name, namespace, uid, labels
 * and annotations (struct wh_kobj). Where the objects come from (a kubectl
 * List file, a live list/watch) is not this module's business.
 *
 * Lifetime: objects and snapshots are reference-counted and never change once
 * built, so any thread may read them without locks while it holds a
 * reference. A new snapshot is made with a builder, which may start from an
 * older snapshot (sharing its objects) and then upsert and delete.
 *
 * Ownership: wh_kobj_new() returns one reference; the builder's add consumes
 * it. wh_snapshot_build() returns one reference to the caller. Every _ref has
 * exactly one _unref; _unref(NULL) is a no-op.
 */
#ifndef WH_SNAPSHOT_H
#define WH_SNAPSHOT_H

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wh.h"

/* Kubernetes bounds: a name is a DNS subdomain (253), a namespace a DNS label
 * (63); an object's annotations total at most 256 KiB. */
#define WH_NAME_MAX       253
#define WH_NAMESPACE_MAX  63
#define WH_KOBJ_MAX_BYTES (512u * 1024u)

enum wh_kind {
    WH_KIND_NAMESPACE,
    WH_KIND_SERVICEACCOUNT,
};

struct wh_kv {
    const char *key;
    const char *value;
};

struct wh_kobj {
    atomic_uint refs;
    enum wh_kind kind;
    const char *ns; /* "" for a Namespace */
    const char *name;
    const char *uid;
    struct wh_kv *labels; /* sorted by key */
    size_t nlabels;
    struct wh_kv *annotations; /* sorted by key */
    size_t nannotations;
    /* strings follow in the same allocation */
};

/* Builds an object from its JSON (a Namespace or ServiceAccount as the API
 * returns it). Only metadata is read. Returns WH_OK and one reference in
 * *out, WH_EPARSE with a message (wrong type, missing name, name too long),
 * or WH_ETOOBIG past WH_KOBJ_MAX_BYTES. */
int wh_kobj_from_json(const cJSON *obj, enum wh_kind kind, struct wh_kobj **out,
                      struct wh_err *err);
struct wh_kobj *wh_kobj_ref(struct wh_kobj *o);
void wh_kobj_unref(struct wh_kobj *o);

/* Borrowed value of an annotation / label, or NULL. */
const char *wh_kobj_annotation(const struct wh_kobj *o, const char *key);
const char *wh_kobj_label(const struct wh_kobj *o, const char *key);

struct wh_snapshot;

struct wh_snapshot *wh_snapshot_ref(struct wh_snapshot *s);
void wh_snapshot_unref(struct wh_snapshot *s);

/* Lookups return objects borrowed from s (valid while s is referenced). */
const struct wh_kobj *wh_snapshot_namespace(const struct wh_snapshot *s, const char *name);
const struct wh_kobj *wh_snapshot_serviceaccount(const struct wh_snapshot *s, const char *ns,
                                                 const char *name);
/* The object of that kind ("" namespace for a Namespace) with one reference
 * for the caller, or NULL. */
struct wh_kobj *wh_snapshot_find_ref(const struct wh_snapshot *s, enum wh_kind kind, const char *ns,
                                     const char *name);

size_t wh_snapshot_count(const struct wh_snapshot *s, enum wh_kind kind);

/* The i-th object of a kind, in (namespace, name) order; borrowed. */
const struct wh_kobj *wh_snapshot_at(const struct wh_snapshot *s, enum wh_kind kind, size_t i);

struct wh_snapshot_builder;

/* Starts a builder, empty or holding the objects of base (base may be NULL;
 * the builder takes its own references). Caller frees with _build or _free. */
struct wh_snapshot_builder *wh_snapshot_builder_new(const struct wh_snapshot *base);

/* Starts a builder holding only the objects of base whose kind is in keep,
 * a mask of (1u << kind) bits. */
struct wh_snapshot_builder *wh_snapshot_builder_keep(const struct wh_snapshot *base, unsigned keep);

/* Inserts o, replacing an object of the same kind, namespace and name.
 * Consumes the reference to o. */
void wh_snapshot_builder_put(struct wh_snapshot_builder *b, struct wh_kobj *o);

/* Removes the object of that kind, namespace and name, if present. */
void wh_snapshot_builder_delete(struct wh_snapshot_builder *b, enum wh_kind kind, const char *ns,
                                const char *name);

/* Consumes the builder and returns a new snapshot (one reference). */
struct wh_snapshot *wh_snapshot_build(struct wh_snapshot_builder *b);
void wh_snapshot_builder_free(struct wh_snapshot_builder *b);

#endif
