/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c - typed cJSON access and the nesting scan; see json.h.
 */
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#include "banned.h"

static void *json_malloc(size_t n)
{
    return wh_xmalloc(n);
}

void wh_json_init(void)
{
    cJSON_Hooks hooks = { json_malloc, free };

    cJSON_InitHooks(&hooks);
}

/* One pass over the text: NUL bytes and the nesting depth, outside strings.
 * cJSON recurses per level, so this runs before it does. */
static int scan(const char *s, size_t len, int max_depth, struct wh_err *err)
{
    int depth = 0;
    bool in_str = false;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (c == '\0')
            return wh_errf(err, WH_EPARSE, "invalid JSON: NUL byte at offset %zu", i);
        if (in_str) {
            /* \u0000 would cut the string short in cJSON (C strings) where
             * kube-apiserver (Go) keeps it: two readers, two meanings. */
            if (c == '\\' && len - i >= 6 && memcmp(s + i + 1, "u0000", 5) == 0)
                return wh_errf(err, WH_EPARSE, "invalid JSON: \\u0000 in a string at offset %zu",
                               i);
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            if (++depth > max_depth)
                return wh_errf(err, WH_EPARSE,
                               "invalid JSON: nesting deeper than %d levels at offset %zu",
                               max_depth, i);
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return WH_OK;
}

int wh_json_parse(const char *s, size_t len, int max_depth, cJSON **out, struct wh_err *err)
{
    const char *end = NULL;
    cJSON *root;
    int rc;

    *out = NULL;
    rc = scan(s, len, max_depth, err);
    if (rc != WH_OK)
        return rc;
    /* len + 1 covers the NUL that follows: cJSON then rejects trailing bytes. */
    root = cJSON_ParseWithLengthOpts(s, len + 1, &end, 1);
    if (root == NULL) {
        size_t off = end && end >= s ? (size_t)(end - s) : 0;

        if (len == 0)
            return wh_errf(err, WH_EPARSE, "invalid JSON: empty body");
        if (off >= len)
            return wh_errf(err, WH_EPARSE, "invalid JSON: unexpected end of input");
        return wh_errf(err, WH_EPARSE, "invalid JSON: syntax error at offset %zu", off);
    }
    *out = root;
    return WH_OK;
}

const char *wh_json_type_name(const cJSON *item)
{
    if (item == NULL)
        return "nothing";
    switch (item->type & 0xff) {
    case cJSON_False:
    case cJSON_True:
        return "boolean";
    case cJSON_NULL:
        return "null";
    case cJSON_Number:
        return "number";
    case cJSON_String:
        return "string";
    case cJSON_Array:
        return "array";
    case cJSON_Object:
        return "object";
    default:
        return "invalid";
    }
}

static const char *mask_name(int mask)
{
    switch (mask) {
    case WH_JSON_OBJECT:
        return "object";
    case WH_JSON_ARRAY:
        return "array";
    case WH_JSON_STRING:
        return "string";
    case WH_JSON_NUMBER:
        return "number";
    case WH_JSON_BOOL:
        return "boolean";
    default:
        return "another type";
    }
}

int wh_json_want(const cJSON *obj, const char *key, int mask, const char *path, const cJSON **out,
                 struct wh_err *err)
{
    const cJSON *item;

    *out = NULL;
    if (obj == NULL)
        return WH_OK;
    item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL || cJSON_IsNull(item))
        return WH_OK;
    if ((item->type & mask) == 0)
        return wh_errf(err, WH_EPARSE, "%s.%s: expected %s, got %s", path, key, mask_name(mask),
                       wh_json_type_name(item));
    *out = item;
    return WH_OK;
}

const cJSON *wh_json_get(const cJSON *obj, const char *key, int mask)
{
    const cJSON *item;

    if (obj == NULL || !cJSON_IsObject(obj))
        return NULL;
    item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (item == NULL || (item->type & mask) == 0)
        return NULL;
    return item;
}

const char *wh_json_get_str(const cJSON *obj, const char *key)
{
    const cJSON *item = wh_json_get(obj, key, WH_JSON_STRING);

    return item ? item->valuestring : NULL;
}

int wh_json_escape(struct wh_buf *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *run = p;
    int rc = wh_buf_addc(out, '"');

    for (; rc == WH_OK && *p; p++) {
        char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
        size_t n = 2;

        if (*p >= 0x20 && *p != '"' && *p != '\\')
            continue;
        rc = wh_buf_add(out, run, (size_t)(p - run));
        run = p + 1;
        switch (*p) {
        case '"':
        case '\\':
            esc[1] = (char)*p;
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            n = 6;
            break;
        }
        if (rc == WH_OK)
            rc = wh_buf_add(out, esc, n);
    }
    if (rc == WH_OK)
        rc = wh_buf_add(out, run, (size_t)(p - run));
    if (rc == WH_OK)
        rc = wh_buf_addc(out, '"');
    return rc;
}

void wh_json_add(cJSON *obj, const char *key, cJSON *item)
{
    if (!cJSON_AddItemToObject(obj, key, item))
        cJSON_Delete(item);
}

void wh_json_append(cJSON *array, cJSON *item)
{
    if (!cJSON_AddItemToArray(array, item))
        cJSON_Delete(item);
}
