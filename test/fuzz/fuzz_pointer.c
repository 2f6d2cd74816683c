/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_pointer.c - RFC 6901 escaping (wh_ptr_seg) and unescaping
 * (wh_ptr_unescape), and their agreement with the patch applier. The input
 * up to its first NUL byte is a map key (an annotation or label key). For
 * every key:
 *   1. wh_ptr_seg succeeds exactly when the escaped form fits, and leaves
 *      the pointer unchanged when it does not;
 *   2. the escaped segment has no raw '/' and every '~' is followed by '0'
 *      or '1';
 *   3. wh_ptr_unescape gives the key back, and needs exactly strlen(key) + 1
 *      bytes of output (one less is WH_ETOOBIG);
 *   4. an "add" at /metadata/annotations/<escaped key> applied with
 *      wh_patch_apply creates exactly that key, and nothing else.
 * The raw input is also decoded as an escaped segment: when that succeeds
 * and the input has no '/', escaping the result gives the input back (the
 * escaped form of a key is unique).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "apply.h"
#include "fuzz.h"
#include "patch.h"
#include "util/buf.h"
#include "util/json.h"

#include "banned.h"

/* Prefixes the key's segment is appended to (the first input byte picks). */
static const char *const prefixes[] = {
    "",
    "/metadata/annotations",
    "/spec/containers/0/env",
};

static size_t escaped_len(const char *key)
{
    size_t n = 0;

    for (; *key; key++)
        n += (*key == '~' || *key == '/') ? 2 : 1;
    return n;
}

static void check_escape(const char *prefix, const char *key)
{
    char ptr[WH_PTR_MAX];
    char out[WH_PTR_MAX];
    size_t plen = strlen(prefix);
    size_t elen = escaped_len(key);
    size_t klen = strlen(key);
    const char *seg;
    size_t i;
    int rc;

    memcpy(ptr, prefix, plen + 1);
    rc = wh_ptr_seg(ptr, sizeof(ptr), key);
    if (plen + 1 + elen >= sizeof(ptr)) {
        FUZZ_CHECK(rc == WH_ETOOBIG, "key of escaped length %zu accepted", elen);
        FUZZ_CHECK(strcmp(ptr, prefix) == 0, "pointer changed on failure: %s", ptr);
        return;
    }
    FUZZ_CHECK(rc == WH_OK, "escaped length %zu fits but rc=%d", elen, rc);
    FUZZ_CHECK(strncmp(ptr, prefix, plen) == 0 && ptr[plen] == '/', "prefix lost: %s", ptr);
    seg = ptr + plen + 1;
    FUZZ_CHECK(strlen(seg) == elen, "escaped length %zu, expected %zu", strlen(seg), elen);
    for (i = 0; seg[i]; i++) {
        FUZZ_CHECK(seg[i] != '/', "raw '/' at %zu in %s", i, seg);
        if (seg[i] == '~')
            FUZZ_CHECK(seg[i + 1] == '0' || seg[i + 1] == '1', "bad escape at %zu in %s", i, seg);
    }
    rc = wh_ptr_unescape(seg, elen, out, klen + 1);
    FUZZ_CHECK(rc == WH_OK, "unescape of %s: rc=%d", seg, rc);
    FUZZ_CHECK(strcmp(out, key) == 0, "round trip: %s -> %s", key, out);
    rc = wh_ptr_unescape(seg, elen, out, klen);
    FUZZ_CHECK(rc == WH_ETOOBIG, "unescape into %zu bytes: rc=%d", klen, rc);
}

/* Check 4: the applier reads the pointer back as the same key. */
static void check_apply(const char *key)
{
    char ptr[WH_PTR_MAX] = "/metadata/annotations";
    cJSON *doc = cJSON_Parse("{\"metadata\":{\"annotations\":{}}}");
    const cJSON *ann, *item;
    struct wh_buf patch;
    struct wh_err err;
    int rc;

    if (wh_ptr_seg(ptr, sizeof(ptr), key) != WH_OK || doc == NULL) {
        cJSON_Delete(doc);
        return;
    }
    wh_buf_init(&patch, 8 * WH_PTR_MAX);
    rc = wh_buf_adds(&patch, "[{\"op\":\"add\",\"path\":");
    if (rc == WH_OK)
        rc = wh_json_escape(&patch, ptr);
    if (rc == WH_OK)
        rc = wh_buf_adds(&patch, ",\"value\":\"v\"}]");
    FUZZ_CHECK(rc == WH_OK, "patch text does not fit");
    rc = wh_patch_apply(doc, wh_buf_str(&patch), patch.len, &err);
    FUZZ_CHECK(rc == WH_OK, "apply %s: %s", wh_buf_str(&patch), err.msg);
    ann = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "metadata"),
                                           "annotations");
    FUZZ_CHECK(cJSON_GetArraySize(ann) == 1, "%d annotations after one add",
               cJSON_GetArraySize(ann));
    item = ann->child;
    FUZZ_CHECK(item->string && strcmp(item->string, key) == 0, "added key %s, wanted %s",
               item->string ? item->string : "(null)", key);
    FUZZ_CHECK(cJSON_IsString(item) && strcmp(item->valuestring, "v") == 0, "wrong value");
    wh_buf_cleanup(&patch);
    cJSON_Delete(doc);
}

/* The input as an escaped segment: a successful decode of a segment without
 * '/' re-escapes to the same bytes. */
static void check_unescape(const char *seg, size_t len)
{
    char out[WH_PTR_MAX];
    char ptr[WH_PTR_MAX] = "";
    int rc = wh_ptr_unescape(seg, len, out, sizeof(out));

    if (rc != WH_OK || memchr(seg, '/', len) != NULL || memchr(seg, '\0', len) != NULL)
        return;
    FUZZ_CHECK(strlen(out) <= len, "decoded longer than the input");
    if (wh_ptr_seg(ptr, sizeof(ptr), out) != WH_OK)
        return;
    FUZZ_CHECK(strlen(ptr + 1) == len && memcmp(ptr + 1, seg, len) == 0,
               "re-escape of the decoded segment differs: %.*s -> %s", (int)len, seg, ptr + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *key;
    size_t pick;

    fuzz_init();
    if (size == 0 || size > 4 * WH_PTR_MAX)
        return 0;
    pick = data[0] % WH_NELEM(prefixes);
    key = fuzz_text(data + 1, size - 1); /* ends at the first NUL of the input */
    check_escape(prefixes[pick], key);
    check_escape("", key);
    check_apply(key);
    check_unescape(key, size - 1);
    free(key);
    return 0;
}
