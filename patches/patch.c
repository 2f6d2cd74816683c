/* SPDX-License-Identifier: Apache-2.0
 *
 * patch.c - RFC 6902 operations and RFC 6901 pointers; see patch.h.
 */
#include "patch.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

void wh_patch_init(struct wh_patch *p)
{
    p->ops = NULL;
    p->n = 0;
    p->alloc = 0;
    p->edits = 0;
    p->head = p->tail = NULL;
    p->nbuckets = 0;
}

void wh_patch_cleanup(struct wh_patch *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        free(p->ops[i].path);
        wh_json_drop(p->ops[i].value);
    }
    free(p->ops);
    free(p->head);
    free(p->tail);
    wh_patch_init(p);
}

int wh_ptr_seg(char *ptr, size_t size, const char *seg)
{
    size_t start = strlen(ptr);
    size_t len = start;
    const char *s;

    if (len + 1 >= size)
        return WH_ETOOBIG;
    ptr[len++] = '/';
    for (s = seg; *s; s++) {
        const char *esc = *s == '~' ? "~0" : *s == '/' ? "~1" : NULL;
        size_t n = esc ? 2 : 1;

        if (len + n >= size) {
            ptr[start] = '\0'; /* leave the pointer as it was */
            return WH_ETOOBIG;
        }
        if (esc) {
            ptr[len++] = esc[0];
            ptr[len++] = esc[1];
        } else {
            ptr[len++] = *s;
        }
    }
    ptr[len] = '\0';
    return WH_OK;
}

int wh_ptr_idx(char *ptr, size_t size, size_t n)
{
    char digits[24];
    size_t len = strlen(ptr), k = 0;

    do { /* least significant first */
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    if (len + 1 + k >= size)
        return WH_ETOOBIG;
    ptr[len++] = '/';
    while (k)
        ptr[len++] = digits[--k];
    ptr[len] = '\0';
    return WH_OK;
}

int wh_ptr_unescape(const char *seg, size_t len, char *out, size_t size)
{
    size_t i;
    size_t o = 0;

    for (i = 0; i < len; i++) {
        char c = seg[i];

        if (c == '~') {
            if (i + 1 >= len || (seg[i + 1] != '0' && seg[i + 1] != '1'))
                return WH_EPARSE;
            c = seg[++i] == '0' ? '~' : '/';
        }
        if (o + 1 >= size)
            return WH_ETOOBIG;
        out[o++] = c;
    }
    if (size == 0)
        return WH_ETOOBIG;
    out[o] = '\0';
    return WH_OK;
}

/* The container an op adds to: the path itself for a created container,
 * the path less "/-" for an append. */
static uint32_t parent_hash(const char *path, bool created)
{
    size_t len = strlen(path);

    if (!created && len >= 2 && strcmp(path + len - 2, "/-") == 0)
        len -= 2;
    return wh_hash(path, len);
}

static void link_op(struct wh_patch *p, size_t i)
{
    size_t b = p->ops[i].parent_hash & (p->nbuckets - 1);

    p->ops[i].next = 0;
    if (p->tail[b])
        p->ops[p->tail[b] - 1].next = (uint32_t)(i + 1);
    else
        p->head[b] = (uint32_t)(i + 1);
    p->tail[b] = (uint32_t)(i + 1);
}

static void push(struct wh_patch *p, const char *path, cJSON *value, bool created)
{
    size_t i;

    if (p->n == p->alloc) {
        p->alloc = p->alloc ? p->alloc * 2 : 8;
        p->ops = wh_realloc_array(p->ops, p->alloc, sizeof(*p->ops));
        /* rebuild the index at twice the ops' room */
        p->nbuckets = p->alloc * 2;
        free(p->head);
        free(p->tail);
        p->head = wh_alloc_array(p->nbuckets, sizeof(*p->head));
        p->tail = wh_alloc_array(p->nbuckets, sizeof(*p->tail));
        memset(p->head, 0, p->nbuckets * sizeof(*p->head));
        memset(p->tail, 0, p->nbuckets * sizeof(*p->tail));
        for (i = 0; i < p->n; i++)
            link_op(p, i);
    }
    p->ops[p->n].path = wh_xstrdup(path);
    p->ops[p->n].value = value;
    p->ops[p->n].created = created;
    p->ops[p->n].parent_hash = parent_hash(path, created);
    link_op(p, p->n);
    p->n++;
    p->edits++;
}

/* The first op, in insertion order, whose parent hash is h (then follow
 * ->next), or NULL. */
static struct wh_patch_op *first_with(const struct wh_patch *p, uint32_t h)
{
    uint32_t i = p->nbuckets ? p->head[h & (p->nbuckets - 1)] : 0;

    return i ? &p->ops[i - 1] : NULL;
}

static struct wh_patch_op *next_of(const struct wh_patch *p, const struct wh_patch_op *op)
{
    return op->next ? &p->ops[op->next - 1] : NULL;
}

/* The op of this patch that created a container at path, or NULL. */
static struct wh_patch_op *created_at(const struct wh_patch *p, const char *path)
{
    uint32_t h = wh_hash(path, strlen(path));
    struct wh_patch_op *op;

    for (op = first_with(p, h); op; op = next_of(p, op)) {
        if (op->created && op->parent_hash == h && strcmp(op->path, path) == 0)
            return op;
    }
    return NULL;
}

int wh_patch_append(struct wh_patch *p, const cJSON *existing, const char *path, cJSON *item,
                    struct wh_err *err)
{
    char ptr[WH_PTR_MAX];
    struct wh_patch_op *op;
    cJSON *arr;

    if (existing != NULL) {
        size_t n = strlen(path);

        if (n + 2 >= sizeof(ptr)) {
            cJSON_Delete(item);
            return wh_errf(err, WH_ETOOBIG, "json pointer too long: %.64s...", path);
        }
        memcpy(ptr, path, n);
        memcpy(ptr + n, "/-", 3);
        push(p, ptr, item, false);
        return WH_OK;
    }
    op = created_at(p, path);
    if (op != NULL) {
        wh_json_append(op->value, item);
        p->edits++;
        return WH_OK;
    }
    arr = cJSON_CreateArray();
    wh_json_append(arr, item);
    push(p, path, arr, true);
    return WH_OK;
}

int wh_patch_put(struct wh_patch *p, const cJSON *existing, const char *path, const char *key,
                 cJSON *value, struct wh_err *err)
{
    char ptr[WH_PTR_MAX];
    struct wh_patch_op *op;
    cJSON *obj;

    if (existing != NULL) {
        if (wh_strlcpy(ptr, path, sizeof(ptr)) >= sizeof(ptr) ||
            wh_ptr_seg(ptr, sizeof(ptr), key) != WH_OK) {
            cJSON_Delete(value);
            return wh_errf(err, WH_ETOOBIG, "json pointer too long: %.64s...", path);
        }
        push(p, ptr, value, false);
        return WH_OK;
    }
    op = created_at(p, path);
    if (op != NULL) {
        wh_json_add(op->value, key, value);
        p->edits++;
        return WH_OK;
    }
    obj = cJSON_CreateObject();
    wh_json_add(obj, key, value);
    push(p, path, obj, true);
    return WH_OK;
}

int wh_patch_remove(struct wh_patch *p, const char *path, struct wh_err *err)
{
    (void)err;
    push(p, path, NULL, false);
    return WH_OK;
}

static bool item_matches(const cJSON *item, const char *field, const char *value)
{
    const char *s = wh_json_get_str(item, field);

    return s != NULL && strcmp(s, value) == 0;
}

const cJSON *wh_patch_find_item(const struct wh_patch *p, const char *path, const char *field,
                                const char *value)
{
    size_t plen = strlen(path);
    uint32_t h = wh_hash(path, plen);
    const struct wh_patch_op *op;

    for (op = first_with(p, h); op; op = next_of(p, op)) {
        const cJSON *item;

        if (op->parent_hash != h || strncmp(op->path, path, plen) != 0)
            continue;
        if (op->created && op->path[plen] == '\0') {
            cJSON_ArrayForEach(item, op->value)
            {
                if (item_matches(item, field, value))
                    return item;
            }
        } else if (strcmp(op->path + plen, "/-") == 0 && item_matches(op->value, field, value)) {
            return op->value;
        }
    }
    return NULL;
}

int wh_patch_render(const struct wh_patch *p, struct wh_buf *out)
{
    size_t i;
    int rc;

    wh_buf_expect(out, p->n * 160); /* a Spark pod's ops: 60 to 300 bytes each */
    rc = wh_buf_addc(out, '[');
    for (i = 0; i < p->n && rc == WH_OK; i++) {
        const struct wh_patch_op *op = &p->ops[i];

        rc = wh_buf_adds(out, i ? ",{\"op\":\"" : "{\"op\":\"");
        if (rc == WH_OK)
            rc = wh_buf_adds(out, op->value ? "add\",\"path\":" : "remove\",\"path\":");
        if (rc == WH_OK)
            rc = wh_json_escape(out, op->path);
        if (rc == WH_OK && op->value) {
            rc = wh_buf_adds(out, ",\"value\":");
            if (rc == WH_OK)
                rc = wh_json_print(out, op->value);
        }
        if (rc == WH_OK)
            rc = wh_buf_addc(out, '}');
    }
    if (rc == WH_OK)
        rc = wh_buf_addc(out, ']');
    return rc;
}
