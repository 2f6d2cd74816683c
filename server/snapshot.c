/* SPDX-License-Identifier: Apache-2.0
 *
 * snapshot.c - immutable, reference-counted cluster objects and snapshots;
 * see snapshot.h.
 *
 * An object is one allocation: the struct, its two key/value arrays, then
 * every string. A snapshot is two arrays of object pointers sorted by
 * (namespace, name), searched with bsearch. The builder records puts and
 * deletes in order and resolves them in one sort at build time, so building
 * from scratch or applying one watch event are both O(n log n).
 */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"

#include "banned.h"

struct wh_snapshot {
    atomic_uint refs;
    struct wh_kobj **objs[2]; /* indexed by enum wh_kind */
    size_t n[2];
};

/* ---- objects ---------------------------------------------------------- */

static int cmp_kv(const void *a, const void *b)
{
    return strcmp(((const struct wh_kv *)a)->key, ((const struct wh_kv *)b)->key);
}

/* Bytes needed for the strings of a map, or an error for non-string values. */
static int map_size(const cJSON *map, const char *what, size_t *count, size_t *bytes,
                    struct wh_err *err)
{
    const cJSON *it;

    *count = 0;
    cJSON_ArrayForEach(it, map)
    {
        if (!cJSON_IsString(it))
            return wh_errf(err, WH_EPARSE, "metadata.%s.%s: expected string, got %s", what,
                           it->string, wh_json_type_name(it));
        *bytes += strlen(it->string) + strlen(it->valuestring) + 2;
        if (*bytes > WH_KOBJ_MAX_BYTES)
            return wh_errf(err, WH_ETOOBIG, "metadata.%s: larger than %u bytes", what,
                           WH_KOBJ_MAX_BYTES);
        (*count)++;
    }
    return WH_OK;
}

static char *put_str(char **cursor, const char *s)
{
    size_t n = strlen(s) + 1;
    char *dst = *cursor;

    memcpy(dst, s, n);
    *cursor += n;
    return dst;
}

static void fill_map(const cJSON *map, struct wh_kv *kv, size_t n, char **cursor)
{
    const cJSON *it;
    size_t i = 0;

    cJSON_ArrayForEach(it, map)
    {
        kv[i].key = put_str(cursor, it->string);
        kv[i].value = put_str(cursor, it->valuestring);
        i++;
    }
    qsort(kv, n, sizeof(*kv), cmp_kv);
}

static int check_meta(const cJSON *meta, enum wh_kind kind, const char **ns, const char **name,
                      const char **uid, struct wh_err *err)
{
    *name = wh_json_get_str(meta, "name");
    *ns = kind == WH_KIND_NAMESPACE ? "" : wh_json_get_str(meta, "namespace");
    *uid = wh_json_get_str(meta, "uid");
    if (*uid == NULL)
        *uid = "";
    if (*name == NULL || (*name)[0] == '\0' || strlen(*name) > WH_NAME_MAX)
        return wh_errf(err, WH_EPARSE, "metadata.name: missing or longer than %d", WH_NAME_MAX);
    if (*ns == NULL || strlen(*ns) > WH_NAMESPACE_MAX ||
        (kind == WH_KIND_SERVICEACCOUNT && (*ns)[0] == '\0'))
        return wh_errf(err, WH_EPARSE, "metadata.namespace of %s: missing or longer than %d", *name,
                       WH_NAMESPACE_MAX);
    if (strlen(*uid) > WH_NAME_MAX)
        return wh_errf(err, WH_EPARSE, "metadata.uid of %s: too long", *name);
    return WH_OK;
}

int wh_kobj_from_json(const cJSON *obj, enum wh_kind kind, struct wh_kobj **out, struct wh_err *err)
{
    const cJSON *meta = wh_json_get(obj, "metadata", WH_JSON_OBJECT);
    const cJSON *labels = wh_json_get(meta, "labels", WH_JSON_OBJECT);
    const cJSON *annotations = wh_json_get(meta, "annotations", WH_JSON_OBJECT);
    const char *ns, *name, *uid;
    size_t nl = 0, na = 0, bytes = 0;
    struct wh_kobj *o;
    char *cursor;
    int rc;

    *out = NULL;
    if (meta == NULL)
        return wh_errf(err, WH_EPARSE, "metadata: expected object");
    rc = check_meta(meta, kind, &ns, &name, &uid, err);
    if (rc == WH_OK)
        rc = map_size(labels, "labels", &nl, &bytes, err);
    if (rc == WH_OK)
        rc = map_size(annotations, "annotations", &na, &bytes, err);
    if (rc != WH_OK)
        return rc;
    bytes += strlen(ns) + strlen(name) + strlen(uid) + 3;
    o = wh_xmalloc(sizeof(*o) + (nl + na) * sizeof(struct wh_kv) + bytes);
    atomic_init(&o->refs, 1);
    o->kind = kind;
    o->labels = (struct wh_kv *)(void *)(o + 1);
    o->annotations = o->labels + nl;
    o->nlabels = nl;
    o->nannotations = na;
    cursor = (char *)(o->annotations + na);
    o->ns = put_str(&cursor, ns);
    o->name = put_str(&cursor, name);
    o->uid = put_str(&cursor, uid);
    fill_map(labels, o->labels, nl, &cursor);
    fill_map(annotations, o->annotations, na, &cursor);
    *out = o;
    return WH_OK;
}

struct wh_kobj *wh_kobj_ref(struct wh_kobj *o)
{
    if (o)
        atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
    return o;
}

void wh_kobj_unref(struct wh_kobj *o)
{
    if (o && atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) == 1)
        free(o);
}

static const char *kv_find(const struct wh_kv *kv, size_t n, const char *key)
{
    struct wh_kv probe = { key, NULL };
    const struct wh_kv *hit = n ? bsearch(&probe, kv, n, sizeof(*kv), cmp_kv) : NULL;

    return hit ? hit->value : NULL;
}

const char *wh_kobj_annotation(const struct wh_kobj *o, const char *key)
{
    return o ? kv_find(o->annotations, o->nannotations, key) : NULL;
}

const char *wh_kobj_label(const struct wh_kobj *o, const char *key)
{
    return o ? kv_find(o->labels, o->nlabels, key) : NULL;
}

/* ---- snapshots -------------------------------------------------------- */

static int cmp_key(const char *ns1, const char *n1, const char *ns2, const char *n2)
{
    int c = strcmp(ns1, ns2);

    return c ? c : strcmp(n1, n2);
}

struct probe {
    const char *ns;
    const char *name;
};

static int cmp_probe(const void *key, const void *elem)
{
    const struct probe *p = key;
    const struct wh_kobj *o = *(struct wh_kobj *const *)elem;

    return cmp_key(p->ns, p->name, o->ns, o->name);
}

struct wh_snapshot *wh_snapshot_ref(struct wh_snapshot *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void wh_snapshot_unref(struct wh_snapshot *s)
{
    size_t k, i;

    if (s == NULL || atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (k = 0; k < 2; k++) {
        for (i = 0; i < s->n[k]; i++)
            wh_kobj_unref(s->objs[k][i]);
        free(s->objs[k]);
    }
    free(s);
}

static const struct wh_kobj *find(const struct wh_snapshot *s, enum wh_kind kind, const char *ns,
                                  const char *name)
{
    struct probe p = { ns, name };
    struct wh_kobj *const *hit;

    if (s == NULL || s->n[kind] == 0)
        return NULL;
    hit = bsearch(&p, s->objs[kind], s->n[kind], sizeof(*s->objs[kind]), cmp_probe);
    return hit ? *hit : NULL;
}

const struct wh_kobj *wh_snapshot_namespace(const struct wh_snapshot *s, const char *name)
{
    return find(s, WH_KIND_NAMESPACE, "", name);
}

const struct wh_kobj *wh_snapshot_serviceaccount(const struct wh_snapshot *s, const char *ns,
                                                 const char *name)
{
    return find(s, WH_KIND_SERVICEACCOUNT, ns, name);
}

struct wh_kobj *wh_snapshot_find_ref(const struct wh_snapshot *s, enum wh_kind kind, const char *ns,
                                     const char *name)
{
    struct probe p = { ns, name };
    struct wh_kobj *const *hit;

    if (s == NULL || s->n[kind] == 0)
        return NULL;
    hit = bsearch(&p, s->objs[kind], s->n[kind], sizeof(*s->objs[kind]), cmp_probe);
    return hit ? wh_kobj_ref(*hit) : NULL;
}

size_t wh_snapshot_count(const struct wh_snapshot *s, enum wh_kind kind)
{
    return s ? s->n[kind] : 0;
}

const struct wh_kobj *wh_snapshot_at(const struct wh_snapshot *s, enum wh_kind kind, size_t i)
{
    return s && i < s->n[kind] ? s->objs[kind][i] : NULL;
}

/* ---- builder ---------------------------------------------------------- */

struct entry {
    struct wh_kobj *o; /* NULL: a delete */
    enum wh_kind kind;
    const char *ns;
    const char *name;
    char *owned; /* "ns\0name" storage of a delete */
    size_t seq;
};

struct wh_snapshot_builder {
    struct entry *e;
    size_t n;
    size_t alloc;
};

static struct entry *push_entry(struct wh_snapshot_builder *b)
{
    struct entry *e;

    if (b->n == b->alloc) {
        b->alloc = b->alloc ? b->alloc * 2 : 64;
        b->e = wh_realloc_array(b->e, b->alloc, sizeof(*b->e));
    }
    e = &b->e[b->n];
    memset(e, 0, sizeof(*e));
    e->seq = b->n++;
    return e;
}

struct wh_snapshot_builder *wh_snapshot_builder_keep(const struct wh_snapshot *base, unsigned keep)
{
    struct wh_snapshot_builder *b = wh_xcalloc(1, sizeof(*b));
    size_t k, i;

    for (k = 0; base && k < 2; k++) {
        if ((keep & (1u << k)) == 0)
            continue;
        for (i = 0; i < base->n[k]; i++)
            wh_snapshot_builder_put(b, wh_kobj_ref(base->objs[k][i]));
    }
    return b;
}

struct wh_snapshot_builder *wh_snapshot_builder_new(const struct wh_snapshot *base)
{
    return wh_snapshot_builder_keep(base, 3u);
}

void wh_snapshot_builder_put(struct wh_snapshot_builder *b, struct wh_kobj *o)
{
    struct entry *e = push_entry(b);

    e->o = o;
    e->kind = o->kind;
    e->ns = o->ns;
    e->name = o->name;
}

void wh_snapshot_builder_delete(struct wh_snapshot_builder *b, enum wh_kind kind, const char *ns,
                                const char *name)
{
    struct entry *e = push_entry(b);
    size_t nslen = strlen(ns);
    size_t nlen = strlen(name);

    e->owned = wh_xmalloc(nslen + nlen + 2);
    memcpy(e->owned, ns, nslen + 1);
    memcpy(e->owned + nslen + 1, name, nlen + 1);
    e->kind = kind;
    e->ns = e->owned;
    e->name = e->owned + nslen + 1;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c;

    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    c = cmp_key(x->ns, x->name, y->ns, y->name);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void wh_snapshot_builder_free(struct wh_snapshot_builder *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n; i++) {
        wh_kobj_unref(b->e[i].o);
        free(b->e[i].owned);
    }
    free(b->e);
    free(b);
}

struct wh_snapshot *wh_snapshot_build(struct wh_snapshot_builder *b)
{
    struct wh_snapshot *s = wh_xcalloc(1, sizeof(*s));
    size_t i;

    atomic_init(&s->refs, 1);
    if (b->n) /* qsort's base must not be NULL, even for no elements */
        qsort(b->e, b->n, sizeof(*b->e), cmp_entry);
    s->objs[0] = wh_alloc_array(b->n ? b->n : 1, sizeof(struct wh_kobj *));
    s->objs[1] = wh_alloc_array(b->n ? b->n : 1, sizeof(struct wh_kobj *));
    for (i = 0; i < b->n; i++) {
        struct entry *e = &b->e[i];
        const struct entry *next = i + 1 < b->n ? &b->e[i + 1] : NULL;
        bool last = next == NULL || e->kind != next->kind ||
                    cmp_key(e->ns, e->name, next->ns, next->name) != 0;

        /* Within one key, the entry with the highest seq wins. */
        if (last && e->o != NULL) {
            s->objs[e->kind][s->n[e->kind]++] = e->o;
            e->o = NULL; /* moved into the snapshot */
        }
    }
    wh_snapshot_builder_free(b);
    return s;
}
