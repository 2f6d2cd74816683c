/* SPDX-License-Identifier: Apache-2.0
 *
 * json.h - typed access to cJSON trees that reports type errors with the path
 * that failed, a pre-parse scan that enforces the nesting cap, and a string
 * escaper for JSON output written by hand (logs, responses).
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

/* Installs wh_xmalloc/free as cJSON's allocator. Call once at start. */
void wh_json_init(void);

/* Parses exactly len bytes of s (which must be followed by a NUL byte, as a
 * wh_buf is) into *out. Rejects NUL bytes inside the text, nesting deeper than
 * max_depth, and trailing garbage, with a message that says where. */
int wh_json_parse(const char *s, size_t len, int max_depth, cJSON **out, struct wh_err *err);

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

#endif
