/* SPDX-License-Identifier: Apache-2.0
 *
 * json.h - one strict JSON parser that builds cJSON trees (on the heap or in
 * a request's arena), typed access to them that reports type errors with the
 * path that failed, and the writers for JSON output made by hand (logs,
 * responses, patches).
 *
 * Every const cJSON * returned is borrowed from the tree passed in and dies
 * with it. Nothing here allocates except wh_json_parse (the caller owns the
 * tree: cJSON_Delete) and the appends to a caller's wh_buf.
 */
#ifndef WH_JSON_H
#define WH_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "wh.h"

/* Type masks for wh_json_want. */
#define WH_JSON_OBJECT cJSON_Object
#define WH_JSON_ARRAY  cJSON_Array
#define WH_JSON_STRING cJSON_String
#define WH_JSON_NUMBER cJSON_Number
#define WH_JSON_BOOL   (cJSON_True | cJSON_False)

struct wh_arena;

/* Installs cJSON's allocator: the arena in use on the calling thread (see
 * arena.h), else wh_xmalloc/free. Call once at start. */
void wh_json_init(void);

/* Parses exactly len bytes of s into *out: strict RFC 8259 JSON (no leading
 * zeros, no raw control characters or lone surrogates in strings), no NUL
 * byte and no \u0000 (C strings would cut there where Go does not), nesting
 * at most max_depth deep, nothing but whitespace after the value. Errors are
 * WH_EPARSE with a message that says where. The tree is a normal cJSON tree.
 *
 * wh_json_parse_in builds it in arena a (NULL: on the heap, for the caller to
 * cJSON_Delete); the members named by skip (NULL, or a NULL-terminated list
 * of JSON pointers through object members, like
 * "/request/object/metadata/managedFields") are checked but not built. At
 * most 8 paths of at most 8 members are used; a path with '~' or beyond
 * those limits is ignored (its member is built: safe, only slower). */
int wh_json_parse_in(struct wh_arena *a, const char *s, size_t len, int max_depth,
                     const char *const *skip, cJSON **out, struct wh_err *err);
int wh_json_parse(const char *s, size_t len, int max_depth, cJSON **out, struct wh_err *err);

/* Appends item as compact JSON, byte for byte what cJSON_PrintUnformatted
 * writes, without allocating anything but the buffer's growth. */
int wh_json_print(struct wh_buf *out, const cJSON *item);

/* Looks up key in obj (case-sensitively). Absent or JSON null: *out = NULL and
 * WH_OK. Present with a type outside mask: WH_EPARSE with "PATH.KEY: expected
 * T, got U" in err. obj may be NULL (then *out = NULL). */
int wh_json_want(const cJSON *obj, const char *key, int mask, const char *path, const cJSON **out,
                 struct wh_err *err);

/* Borrowed child of obj of the given type, or NULL (absent, null or another
 * type). */
const cJSON *wh_json_get(const cJSON *obj, const char *key, int mask);

/* The string value of obj[key], or NULL when absent or not a string. */
const char *wh_json_get_str(const cJSON *obj, const char *key);

/* The name of item's JSON type: "object", "string", ... */
const char *wh_json_type_name(const cJSON *item);

/* Appends s as a JSON string literal (with quotes) to out. */
int wh_json_escape(struct wh_buf *out, const char *s);

/* Adds item under key in obj; consumes item (on failure too). */
void wh_json_add(cJSON *obj, const char *key, cJSON *item);

/* Appends item to array; consumes item (on failure too). */
void wh_json_append(cJSON *array, cJSON *item);

/* cJSON_Delete, except for a tree in the arena in use on this thread: that
 * one goes with the arena's reset, and walking it would only free nothing
 * node by node (arena.h's rule keeps heap nodes out of arena trees). */
void wh_json_drop(cJSON *item);

#endif
