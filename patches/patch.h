/* SPDX-License-Identifier: Apache-2.0
 *
 * patch.h - RFC 6902 JSON Patch builder for AdmissionReview responses.
 *
 * Operations are kept in insertion order. They are "add", and "remove" of a
 * single object member (a volume's emptyDir when it becomes an ephemeral
 * volume): a patch never replaces or removes an array or a map the pod
 * already has as a whole, nor shifts an array index. The helpers encode the
 * surgical rules once:
 *   - wh_patch_append() appends to an array with "/-" when the pod has it,
 *     creates it with one element otherwise, and grows an array this patch
 *     created instead of emitting a second op for it;
 *   - wh_patch_put() adds a key to an object the same way.
 * JSON Pointer paths are built with wh_ptr_*(); escaping of '~' and '/'
 * (RFC 6901) happens only there.
 *
 * Ownership: the patch owns every value added to it (the add functions
 * consume the value, on failure too) and its paths. Not thread-safe: a patch
 * belongs to one request.
 */
#ifndef WH_PATCH_H
#define WH_PATCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "wh.h"

#define WH_PTR_MAX 512 /* longest JSON pointer we build */

struct wh_patch_op {
    char *path;
    uint32_t parent_hash; /* hash of the array/object the op adds to (path less "/-") */
    uint32_t next;        /* the next op (index + 1) with the same bucket, 0 at the end */
    cJSON *value;         /* NULL for a remove */
    bool created;         /* the op creates a container (array or object) at path */
};

struct wh_patch {
    struct wh_patch_op *ops;
    size_t n;
    size_t alloc;
    size_t edits; /* counts every addition, including growth of a created op */
    /* ops by parent_hash: chains in insertion order, so that a lookup of a
     * container's env or mounts reads only the ops that add to it */
    uint32_t *head, *tail; /* op index + 1 per bucket, 0 when empty */
    size_t nbuckets;       /* a power of two, 2 x alloc */
};

void wh_patch_init(struct wh_patch *p);
void wh_patch_cleanup(struct wh_patch *p);

/* JSON Pointer assembly into a caller's fixed buffer (at least WH_PTR_MAX).
 * wh_ptr_seg appends "/" and the escaped segment; wh_ptr_idx "/" and n.
 * Return WH_OK or WH_ETOOBIG when the pointer would not fit. */
int wh_ptr_seg(char *ptr, size_t size, const char *seg);
int wh_ptr_idx(char *ptr, size_t size, size_t n);

/* Decodes one escaped segment (len bytes) into out (size bytes). Returns
 * WH_OK, WH_EPARSE on a bad escape, WH_ETOOBIG when out is too small. */
int wh_ptr_unescape(const char *seg, size_t len, char *out, size_t size);

/* Appends item to the array at path. existing is that array in the pod (NULL
 * when the pod has none). Consumes item. */
int wh_patch_append(struct wh_patch *p, const cJSON *existing, const char *path, cJSON *item,
                    struct wh_err *err);

/* Adds key: value to the object at path. existing is that object in the pod
 * (NULL when absent; the object is then created). The caller has checked
 * that the key is not present. Consumes value. */
int wh_patch_put(struct wh_patch *p, const cJSON *existing, const char *path, const char *key,
                 cJSON *value, struct wh_err *err);

/* Removes the member at path (a field the pod has; never an array element,
 * so no later index shifts). Used to swap one volume source for another. */
int wh_patch_remove(struct wh_patch *p, const char *path, struct wh_err *err);

/* The element this patch adds to the array at path whose string field
 * equals value (e.g. a volume named "aws-iam-token"), or NULL. Borrowed. */
const cJSON *wh_patch_find_item(const struct wh_patch *p, const char *path, const char *field,
                                const char *value);

/* Renders the operations as a compact JSON array into out (whose cap bounds
 * the size). Returns WH_OK or WH_ETOOBIG. */
int wh_patch_render(const struct wh_patch *p, struct wh_buf *out);

#endif
