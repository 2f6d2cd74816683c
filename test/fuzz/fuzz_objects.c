/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_objects.c - a kubectl List file read into a snapshot
 * (wh_objects_parse). For any input the parse either fails with a message
 * and no snapshot, or returns a snapshot in which:
 *   - each kind's objects are in strictly increasing (namespace, name) order
 *     (no duplicates), Namespaces with "" as namespace and ServiceAccounts
 *     with a non-empty one;
 *   - every object is found by its own namespace and name, as itself;
 *   - every label and annotation of an object is found by its key;
 *   - every Namespace and ServiceAccount item of the input is found by the
 *     metadata it carries, and when several items share a key the last one
 *     wins (its uid is the one kept).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "fuzz.h"
#include "objects.h"
#include "snapshot.h"
#include "util/json.h"

#include "banned.h"

static const struct wh_kobj *lookup(const struct wh_snapshot *s, enum wh_kind kind, const char *ns,
                                    const char *name)
{
    return kind == WH_KIND_NAMESPACE ? wh_snapshot_namespace(s, name)
                                     : wh_snapshot_serviceaccount(s, ns, name);
}

static void check_object(const struct wh_snapshot *s, enum wh_kind kind, size_t i)
{
    const struct wh_kobj *o = wh_snapshot_at(s, kind, i);
    const struct wh_kobj *prev = i ? wh_snapshot_at(s, kind, i - 1) : NULL;
    size_t j;

    FUZZ_CHECK(o != NULL, "object %zu of kind %d missing", i, (int)kind);
    FUZZ_CHECK(o->kind == kind, "object of kind %d in list %d", (int)o->kind, (int)kind);
    FUZZ_CHECK(o->name[0] != '\0' && strlen(o->name) <= WH_NAME_MAX, "bad name");
    FUZZ_CHECK(kind == WH_KIND_NAMESPACE ? o->ns[0] == '\0'
                                         : o->ns[0] != '\0' && strlen(o->ns) <= WH_NAMESPACE_MAX,
               "namespace %s does not fit kind %d", o->ns, (int)kind);
    if (prev) {
        int c = strcmp(prev->ns, o->ns);

        FUZZ_CHECK(c < 0 || (c == 0 && strcmp(prev->name, o->name) < 0),
                   "order: %s/%s before %s/%s", prev->ns, prev->name, o->ns, o->name);
    }
    FUZZ_CHECK(lookup(s, kind, o->ns, o->name) == o, "%s/%s not found as itself", o->ns, o->name);
    for (j = 0; j < o->nlabels; j++)
        FUZZ_CHECK(wh_kobj_label(o, o->labels[j].key) != NULL, "label %s not found",
                   o->labels[j].key);
    for (j = 0; j < o->nannotations; j++)
        FUZZ_CHECK(wh_kobj_annotation(o, o->annotations[j].key) != NULL, "annotation %s not found",
                   o->annotations[j].key);
}

static bool item_key(const cJSON *item, enum wh_kind *kind, const char **ns, const char **name,
                     const char **uid)
{
    const char *k = wh_json_get_str(item, "kind");
    const cJSON *meta = wh_json_get(item, "metadata", WH_JSON_OBJECT);

    if (k == NULL || meta == NULL)
        return false;
    if (strcmp(k, "Namespace") == 0)
        *kind = WH_KIND_NAMESPACE;
    else if (strcmp(k, "ServiceAccount") == 0)
        *kind = WH_KIND_SERVICEACCOUNT;
    else
        return false;
    *name = wh_json_get_str(meta, "name");
    *ns = *kind == WH_KIND_NAMESPACE ? "" : wh_json_get_str(meta, "namespace");
    *uid = wh_json_get_str(meta, "uid");
    if (*uid == NULL)
        *uid = "";
    return *name != NULL && *ns != NULL;
}

/* Every accepted item is in the snapshot; the last of equal keys wins. */
static void check_items(const struct wh_snapshot *s, const char *text, size_t len)
{
    const cJSON *items, *it, *later;
    cJSON *root = NULL;
    struct wh_err err;

    FUZZ_CHECK(wh_json_parse(text, len, 64, &root, &err) == WH_OK, "accepted text re-parse: %s",
               err.msg);
    items = wh_json_get(root, "items", WH_JSON_ARRAY);
    cJSON_ArrayForEach(it, items)
    {
        const char *ns, *name, *uid, *ns2, *name2, *uid2;
        enum wh_kind kind, kind2;
        const struct wh_kobj *o;
        bool last = true;

        if (!item_key(it, &kind, &ns, &name, &uid))
            continue;
        for (later = it->next; later; later = later->next) {
            if (item_key(later, &kind2, &ns2, &name2, &uid2) && kind2 == kind &&
                strcmp(ns2, ns) == 0 && strcmp(name2, name) == 0)
                last = false;
        }
        o = lookup(s, kind, ns, name);
        FUZZ_CHECK(o != NULL, "item %s/%s (kind %d) not in the snapshot", ns, name, (int)kind);
        if (last)
            FUZZ_CHECK(strcmp(o->uid, uid) == 0, "%s/%s: kept uid %s, last item has %s", ns, name,
                       o->uid, uid);
    }
    cJSON_Delete(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wh_snapshot *snap = NULL;
    struct wh_err err;
    char *text;
    size_t i;
    int k, rc;

    fuzz_init();
    text = fuzz_text(data, size);
    memset(&err, 0, sizeof(err));
    rc = wh_objects_parse(text, size, &snap, &err);
    if (rc != WH_OK) {
        FUZZ_CHECK(snap == NULL, "snapshot returned with rc=%d", rc);
        FUZZ_CHECK(err.msg[0] != '\0', "failure without a message (rc=%d)", rc);
    } else {
        FUZZ_CHECK(snap != NULL, "WH_OK without a snapshot");
        for (k = 0; k < 2; k++) {
            for (i = 0; i < wh_snapshot_count(snap, (enum wh_kind)k); i++)
                check_object(snap, (enum wh_kind)k, i);
            FUZZ_CHECK(wh_snapshot_at(snap, (enum wh_kind)k, i) == NULL, "object past the end");
        }
        check_items(snap, text, size);
    }
    wh_snapshot_unref(snap);
    free(text);
    return 0;
}
