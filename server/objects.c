/* SPDX-License-Identifier: Apache-2.0
 *
 * objects.c - a kubectl List file as a snapshot; see objects.h.
 */
#include "objects.h"

#include <string.h>

#include "util/file.h"
#include "util/json.h"
#include "util/str.h"

#include "banned.h"

static int add_item(struct wh_snapshot_builder *b, const cJSON *item, int i, struct wh_err *err)
{
    const char *kind = wh_json_get_str(item, "kind");
    struct wh_kobj *o = NULL;
    enum wh_kind k;
    int rc;

    if (kind == NULL)
        return wh_errf(err, WH_EPARSE, "items[%d].kind: expected string", i);
    if (strcmp(kind, "Namespace") == 0)
        k = WH_KIND_NAMESPACE;
    else if (strcmp(kind, "ServiceAccount") == 0)
        k = WH_KIND_SERVICEACCOUNT;
    else
        return WH_OK; /* other kinds carry nothing the policy reads */
    rc = wh_kobj_from_json(item, k, &o, err);
    if (rc != WH_OK) {
        char detail[WH_ERR_MSG_MAX];

        wh_strlcpy(detail, err ? err->msg : "", sizeof(detail));
        return wh_errf(err, (enum wh_rc)rc, "items[%d] (%s): %s", i, kind, detail);
    }
    wh_snapshot_builder_put(b, o);
    return WH_OK;
}

int wh_objects_parse(const char *text, size_t len, struct wh_snapshot **out, struct wh_err *err)
{
    struct wh_snapshot_builder *b = NULL;
    const cJSON *items = NULL;
    const cJSON *item;
    cJSON *root = NULL;
    int i = 0;
    int rc;

    *out = NULL;
    rc = wh_json_parse(text, len, 64, &root, err);
    if (rc != WH_OK)
        goto out;
    rc = wh_json_want(root, "items", WH_JSON_ARRAY, "list", &items, err);
    if (rc == WH_OK && (!cJSON_IsObject(root) || items == NULL))
        rc = wh_errf(err, WH_EPARSE, "expected a v1 List with an items array");
    if (rc != WH_OK)
        goto out;
    b = wh_snapshot_builder_new(NULL);
    cJSON_ArrayForEach(item, items)
    {
        rc = add_item(b, item, i++, err);
        if (rc != WH_OK)
            goto out;
    }
    *out = wh_snapshot_build(b);
    b = NULL;
out:
    wh_snapshot_builder_free(b);
    cJSON_Delete(root);
    return rc;
}

int wh_objects_load(const char *path, struct wh_snapshot **out, struct wh_err *err)
{
    struct wh_buf text;
    int rc;

    *out = NULL;
    wh_buf_init(&text, WH_OBJECTS_MAX_FILE);
    rc = wh_file_read(path, &text, err);
    if (rc == WH_OK)
        rc = wh_objects_parse(wh_buf_str(&text), text.len, out, err);
    if (rc != WH_OK && err) {
        char detail[WH_ERR_MSG_MAX];

        wh_strlcpy(detail, err->msg, sizeof(detail));
        (void)wh_errf(err, (enum wh_rc)rc, "objects %s: %s", path, detail);
    }
    wh_buf_cleanup(&text);
    return rc;
}
