/* SPDX-License-Identifier: Apache-2.0
 *
 * apply.c - RFC 6902 "add" applier; see apply.h.
 */
#include "apply.h"

#include <string.h>

#include "patch.h"
#include "util/json.h"
#include "util/str.h"

#include "banned.h"

static cJSON *bad_path(const char *path, const char *why, struct wh_err *err)
{
    (void)wh_errf(err, WH_EINVAL, "path \"%.64s\": %s", path, why);
    return NULL;
}

/* Resolves the parent of path; *last receives the unescaped final segment. */
static cJSON *resolve_parent(cJSON *doc, const char *path, char *last, size_t size,
                             struct wh_err *err)
{
    const char *p = path;
    cJSON *cur = doc;

    if (*p != '/')
        return bad_path(path, "does not start with /", err);
    for (;;) {
        const char *seg = p + 1;
        const char *end = strchr(seg, '/');
        size_t len = end ? (size_t)(end - seg) : strlen(seg);
        uint64_t idx;

        if (wh_ptr_unescape(seg, len, last, size) != WH_OK)
            return bad_path(path, "bad segment", err);
        if (end == NULL)
            return cur;
        if (cJSON_IsObject(cur))
            cur = cJSON_GetObjectItemCaseSensitive(cur, last);
        else if (cJSON_IsArray(cur) && wh_parse_u64(last, 0, INT32_MAX, &idx) == WH_OK)
            cur = cJSON_GetArrayItem(cur, (int)idx);
        else
            cur = NULL;
        if (cur == NULL)
            return bad_path(path, "parent missing", err);
        p = end;
    }
}

/* Inserts item before position idx. cJSON_InsertItemInArray of cJSON 1.7.15
 * (Debian bookworm) loses the item, so the tail is moved by hand. */
static void insert_at(cJSON *arr, int idx, cJSON *item)
{
    cJSON *tail = cJSON_CreateArray();
    cJSON *it;

    while (cJSON_GetArraySize(arr) > idx)
        wh_json_append(tail, cJSON_DetachItemFromArray(arr, idx));
    wh_json_append(arr, item);
    while (cJSON_GetArraySize(tail) > 0) {
        it = cJSON_DetachItemFromArray(tail, 0);
        wh_json_append(arr, it);
    }
    cJSON_Delete(tail);
}

static int add_op(cJSON *doc, const char *path, const cJSON *value, struct wh_err *err)
{
    char last[WH_PTR_MAX];
    cJSON *parent = resolve_parent(doc, path, last, sizeof(last), err);
    cJSON *copy;
    uint64_t idx;

    if (parent == NULL)
        return WH_EINVAL;
    copy = cJSON_Duplicate(value, 1);
    if (cJSON_IsObject(parent)) {
        if (cJSON_GetObjectItemCaseSensitive(parent, last) != NULL)
            cJSON_ReplaceItemInObjectCaseSensitive(parent, last, copy);
        else
            wh_json_add(parent, last, copy);
        return WH_OK;
    }
    if (cJSON_IsArray(parent) && strcmp(last, "-") == 0) {
        wh_json_append(parent, copy);
        return WH_OK;
    }
    if (cJSON_IsArray(parent) &&
        wh_parse_u64(last, 0, (uint64_t)cJSON_GetArraySize(parent), &idx) == WH_OK) {
        insert_at(parent, (int)idx, copy);
        return WH_OK;
    }
    cJSON_Delete(copy);
    return wh_errf(err, WH_EINVAL, "path \"%.64s\": cannot add there", path);
}

/* Removes an object member (the only kind of remove sparkhook emits). */
static int remove_op(cJSON *doc, const char *path, struct wh_err *err)
{
    char last[WH_PTR_MAX];
    cJSON *parent = resolve_parent(doc, path, last, sizeof(last), err);

    if (parent == NULL)
        return WH_EINVAL;
    if (!cJSON_IsObject(parent) || cJSON_GetObjectItemCaseSensitive(parent, last) == NULL)
        return wh_errf(err, WH_EINVAL, "path \"%.64s\": nothing to remove", path);
    cJSON_DeleteItemFromObjectCaseSensitive(parent, last);
    return WH_OK;
}

int wh_patch_apply(cJSON *doc, const char *patch, size_t len, struct wh_err *err)
{
    const cJSON *op;
    cJSON *ops = NULL;
    int rc;

    rc = wh_json_parse(patch, len, 1000, &ops, err);
    if (rc == WH_OK && !cJSON_IsArray(ops))
        rc = wh_errf(err, WH_EPARSE, "patch: expected an array");
    cJSON_ArrayForEach(op, ops)
    {
        const char *kind = wh_json_get_str(op, "op");
        const char *path = wh_json_get_str(op, "path");
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");

        if (rc != WH_OK)
            break;
        if (kind != NULL && strcmp(kind, "remove") == 0 && path != NULL)
            rc = remove_op(doc, path, err);
        else if (kind == NULL || strcmp(kind, "add") != 0 || path == NULL || value == NULL)
            rc = wh_errf(err, WH_EINVAL, "patch: only add and remove operations");
        else
            rc = add_op(doc, path, value, err);
    }
    cJSON_Delete(ops);
    return rc;
}
