/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_json.c - the JSON parser (util/json_parse.c) and writer
 * (wh_json_print) against cJSON: the input is one JSON text.
 *
 * Invariants, for any input:
 *   1. the parser answers WH_OK or WH_EPARSE; on WH_EPARSE there is no tree,
 *      and the message starts "invalid JSON: " and any offset it names lies
 *      inside the input;
 *   2. what we accept, cJSON_ParseWithLengthOpts (require_null_terminated)
 *      accepts too, with the same tree: node for node and in order, the same
 *      types, keys, strings and numbers (bit for bit, valueint too), and
 *      cJSON_Compare agrees where it can decide (no repeated key, no infinite
 *      number). Not compared: documents with a number longer than the 63
 *      characters cJSON reads. cJSON is more lenient (leading zeros, raw
 *      control characters, \u0000 cut short, ...), so only this direction;
 *   3. our tree is linked as cJSON links its own (the first child's prev is
 *      the last child, next and prev agree, the root has neither);
 *   4. wh_json_print writes what cJSON_PrintUnformatted writes; the parser
 *      accepts that text, and its tree equals ours up to cJSON's rounding of
 *      numbers (an infinity prints as null) and prints to the same text (a
 *      fixed point; not for numbers within a rounding of DBL_MAX, which
 *      cJSON, and so we, print as 1.79769313486232e+308: an infinity when
 *      read back);
 *   5. arena mode (a local struct wh_arena) gives the same decision and
 *      message as heap mode, and an identical tree, all of it in the arena;
 *   6. with skip paths, heap and arena mode: the same decision and message as
 *      without them, an identical tree in both modes, and, when no byte of
 *      the input is a backslash (so every key is spelled as it reads), the
 *      full tree without the skipped members; and the input as the value of
 *      a skipped member ({"k":INPUT}) gets the same decision and message as
 *      when that member is built (and, without a backslash, the built tree
 *      without the skipped members);
 *   7. cJSON's own parser and printer run while an arena is in use allocate
 *      from it and free into it without harm (ASan would see a bad free).
 */
#include <cjson/cJSON.h>
#include <float.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/json.h"

#include "banned.h"

#define DEPTH       64
#define CJSON_NUM   63 /* the characters of a number cJSON reads */
#define PRINT_SLACK 64

static const char *const skip[] = {
    "/request/object/metadata/managedFields",
    "/a/b",
    "/k",
    NULL,
};

/* skip, split: what prune() removes. */
static const char *const skip_segs[][5] = {
    { "request", "object", "metadata", "managedFields", NULL },
    { "a", "b", NULL },
    { "k", NULL },
};

enum how { EXACT, ROUNDED };

static double mag(double d)
{
    return d < 0 ? -d : d;
}

static bool is_finite(double d)
{
    return d == d && d - d == 0;
}

/* Numbers as cJSON_Compare compares them. */
static bool close_enough(double a, double b)
{
    double m = mag(a) > mag(b) ? mag(a) : mag(b);

    return mag(a - b) <= m * DBL_EPSILON;
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* a and b node for node, in order. ROUNDED: numbers as cJSON_Compare sees
 * them, and an infinity in a may be null in b (that is how it prints). */
static bool same_tree(const cJSON *a, const cJSON *b, enum how how)
{
    const cJSON *x, *y;

    if (!same_str(a->string, b->string))
        return false;
    if (how == ROUNDED && cJSON_IsNumber(a) && !is_finite(a->valuedouble))
        return cJSON_IsNull(b);
    if (a->type != b->type)
        return false;
    switch (a->type & 0xff) {
    case cJSON_Number:
        if (how == ROUNDED)
            return close_enough(a->valuedouble, b->valuedouble);
        return memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) == 0 &&
               a->valueint == b->valueint;
    case cJSON_String:
        return same_str(a->valuestring, b->valuestring);
    case cJSON_Array:
    case cJSON_Object:
        for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
            if (!same_tree(x, y, how))
                return false;
        }
        return x == NULL && y == NULL;
    default:
        return a->valueint == b->valueint;
    }
}

/* Invariant 3, for every container of the tree. */
static bool linked(const cJSON *item)
{
    const cJSON *c, *last = NULL;

    for (c = item->child; c; c = c->next) {
        if (c != item->child && c->prev != last)
            return false;
        if (!linked(c))
            return false;
        last = c;
    }
    return item->child == NULL || item->child->prev == last;
}

/* Whether cJSON_Compare can judge the tree: no object repeats a key, no
 * number is infinite. */
static bool comparable(const cJSON *item)
{
    const cJSON *c, *d;

    if (cJSON_IsNumber(item))
        return is_finite(item->valuedouble);
    for (c = item->child; c; c = c->next) {
        if (cJSON_IsObject(item)) {
            for (d = c->next; d; d = d->next) {
                if (strcmp(c->string, d->string) == 0)
                    return false;
            }
        }
        if (!comparable(c))
            return false;
    }
    return true;
}

/* Whether a number of the tree prints (%1.15g, as cJSON's round-trip check
 * lets it: inf - d <= inf * DBL_EPSILON) as a text that reads back as an
 * infinity: values within a rounding of DBL_MAX. */
static bool prints_past_max(const cJSON *item)
{
    const cJSON *c;

    if (cJSON_IsNumber(item) && is_finite(item->valuedouble)) {
        char num[32];

        (void)snprintf(num, sizeof(num), "%1.15g", item->valuedouble);
        return !is_finite(strtod(num, NULL));
    }
    for (c = item->child; c; c = c->next) {
        if (prints_past_max(c))
            return true;
    }
    return false;
}

static bool all_in(const struct wh_arena *a, const cJSON *item)
{
    const cJSON *c;

    if (!wh_arena_owns(a, item) || (item->string && !wh_arena_owns(a, item->string)) ||
        (item->valuestring && !wh_arena_owns(a, item->valuestring)))
        return false;
    for (c = item->child; c; c = c->next) {
        if (!all_in(a, c))
            return false;
    }
    return true;
}

/* Whether a run of number characters outside strings is longer than cJSON
 * reads (s is valid JSON: strings are the only place for quotes). */
static bool long_number(const char *s, size_t len)
{
    size_t i, run = 0;
    bool in_str = false;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"')
            in_str = true;
        if (strchr("0123456789+-.eE", c) && c != '\0') {
            if (++run > CJSON_NUM)
                return true;
        } else {
            run = 0;
        }
    }
    return false;
}

/* Removes from obj the members skip names below level (live: the paths
 * still matching), as the parser matches them. */
static void prune(cJSON *obj, int level, unsigned live)
{
    cJSON *c = obj->child, *next;

    for (; c; c = next) {
        unsigned sub = 0, i;
        bool drop = false;

        next = c->next;
        for (i = 0; i < WH_NELEM(skip_segs); i++) {
            const char *seg = skip_segs[i][level];

            if (!(live & 1u << i) || seg == NULL || strcmp(seg, c->string) != 0)
                continue;
            if (skip_segs[i][level + 1] == NULL)
                drop = true;
            else
                sub |= 1u << i;
        }
        if (drop)
            cJSON_Delete(cJSON_DetachItemViaPointer(obj, c));
        else if (sub && cJSON_IsObject(c))
            prune(c, level + 1, sub);
    }
}

static void check_error(int rc, const cJSON *out, const struct wh_err *err, size_t size)
{
    const char *at;

    FUZZ_CHECK(rc == WH_EPARSE, "rc %d", rc);
    FUZZ_CHECK(out == NULL, "a tree on an error");
    FUZZ_CHECK(err->rc == WH_EPARSE && strncmp(err->msg, "invalid JSON: ", 14) == 0, "message %s",
               err->msg);
    at = strstr(err->msg, " at offset ");
    if (at)
        FUZZ_CHECK(strtoull(at + 11, NULL, 10) <= size, "offset past the input (%zu): %s", size,
                   err->msg);
}

/* Invariant 2 and 7: cJSON's parser, with the hooks allocating from an
 * arena. */
static void check_cjson(const char *text, size_t size, const cJSON *ours)
{
    struct wh_arena arena;
    struct wh_arena *before;
    cJSON *theirs;

    wh_arena_init(&arena);
    before = wh_arena_use(&arena);
    theirs = cJSON_ParseWithLengthOpts(text, size + 1, NULL, 1);
    if (ours && !long_number(text, size)) {
        FUZZ_CHECK(theirs != NULL, "cJSON rejects what we accept");
        FUZZ_CHECK(all_in(&arena, theirs), "cJSON's tree is not in the arena in use");
        FUZZ_CHECK(same_tree(ours, theirs, EXACT), "the trees differ from cJSON's");
        if (comparable(ours))
            FUZZ_CHECK(cJSON_Compare(ours, theirs, 1), "cJSON_Compare: the trees differ");
    }
    cJSON_Delete(theirs); /* a no-op: the arena's */
    FUZZ_CHECK(wh_arena_use(before) == &arena, "wh_arena_use lost the arena");
    wh_arena_cleanup(&arena);
}

/* Invariant 4. */
static void check_print(const cJSON *ours, size_t size)
{
    struct wh_buf b, again;
    struct wh_err err;
    cJSON *back = NULL;
    char *want = cJSON_PrintUnformatted(ours);
    int rc;

    /* A number prints in at most 24 bytes; the shortest takes 1. */
    wh_buf_init(&b, 32 * size + PRINT_SLACK);
    wh_buf_init(&again, 32 * size + PRINT_SLACK);
    FUZZ_CHECK(want != NULL, "cJSON_PrintUnformatted failed");
    FUZZ_CHECK(wh_json_print(&b, ours) == WH_OK, "wh_json_print failed");
    FUZZ_CHECK(b.len == strlen(want) && memcmp(wh_buf_str(&b), want, b.len) == 0,
               "wh_json_print and cJSON differ:\n  ours  %s\n  cJSON %s", wh_buf_str(&b), want);
    rc = wh_json_parse(wh_buf_str(&b), b.len, DEPTH, &back, &err);
    FUZZ_CHECK(rc == WH_OK, "our own output is rejected (%s): %s", err.msg, wh_buf_str(&b));
    FUZZ_CHECK(same_tree(ours, back, ROUNDED), "printed and parsed back, the tree differs: %s",
               wh_buf_str(&b));
    FUZZ_CHECK(wh_json_print(&again, back) == WH_OK, "wh_json_print failed");
    if (!prints_past_max(ours))
        FUZZ_CHECK(again.len == b.len && memcmp(wh_buf_str(&again), wh_buf_str(&b), b.len) == 0,
                   "printing is not a fixed point:\n  %s\n  %s", wh_buf_str(&b),
                   wh_buf_str(&again));
    cJSON_Delete(back);
    cJSON_free(want);
    wh_buf_cleanup(&again);
    wh_buf_cleanup(&b);
}

/* Invariant 6. */
static void check_skip(const char *text, size_t size, int rc_full, const struct wh_err *err_full,
                       cJSON *full)
{
    struct wh_arena arena;
    struct wh_err err, err_arena;
    cJSON *heap = NULL, *in_arena = NULL;
    int rc, rc_arena;

    wh_arena_init(&arena);
    rc = wh_json_parse_in(NULL, text, size, DEPTH, skip, &heap, &err);
    rc_arena = wh_json_parse_in(&arena, text, size, DEPTH, skip, &in_arena, &err_arena);
    FUZZ_CHECK(rc == rc_arena, "skip paths: heap %d, arena %d", rc, rc_arena);
    FUZZ_CHECK(rc == rc_full, "skip paths change the decision: %d, without %d (%s)", rc, rc_full,
               rc_full == WH_OK ? err.msg : err_full->msg);
    if (rc != WH_OK) {
        check_error(rc, heap, &err, size);
        check_error(rc_arena, in_arena, &err_arena, size);
        FUZZ_CHECK(strcmp(err.msg, err_arena.msg) == 0, "skip paths: heap \"%s\", arena \"%s\"",
                   err.msg, err_arena.msg);
        FUZZ_CHECK(strcmp(err.msg, err_full->msg) == 0,
                   "skip paths change the message: \"%s\", without \"%s\"", err.msg, err_full->msg);
    } else {
        FUZZ_CHECK(linked(heap), "skip paths: the tree is not linked as cJSON links it");
        FUZZ_CHECK(same_tree(heap, in_arena, EXACT), "skip paths: heap and arena trees differ");
        FUZZ_CHECK(all_in(&arena, in_arena), "skip paths: a node outside the arena");
        if (full && memchr(text, '\\', size) == NULL) {
            if (cJSON_IsObject(full))
                prune(full, 0, (1u << WH_NELEM(skip_segs)) - 1);
            FUZZ_CHECK(same_tree(full, heap, EXACT), "skipped the wrong members");
        }
    }
    cJSON_Delete(heap);
    wh_arena_cleanup(&arena);
}

/* Invariant 6, the input as a skipped value: {"k":INPUT} with skip paths
 * (heap) and without. */
static void check_skip_wrapped(const char *text, size_t size)
{
    static const char pre[] = "{\"k\":";
    size_t n = sizeof(pre) - 1 + size + 1;
    char *doc = malloc(n);
    struct wh_err err, err_full;
    cJSON *skipped = NULL, *built = NULL;
    int rc, rc_full;

    FUZZ_CHECK(doc != NULL, "out of memory");
    memcpy(doc, pre, sizeof(pre) - 1);
    memcpy(doc + sizeof(pre) - 1, text, size);
    doc[n - 1] = '}';
    rc = wh_json_parse_in(NULL, doc, n, DEPTH, skip, &skipped, &err);
    rc_full = wh_json_parse_in(NULL, doc, n, DEPTH, NULL, &built, &err_full);
    FUZZ_CHECK(rc == rc_full, "a skipped value changes the decision: %d, built %d (%s)", rc,
               rc_full, rc_full == WH_OK ? err.msg : err_full.msg);
    if (rc != WH_OK) {
        check_error(rc, skipped, &err, n);
        FUZZ_CHECK(strcmp(err.msg, err_full.msg) == 0,
                   "a skipped value changes the message: \"%s\", built \"%s\"", err.msg,
                   err_full.msg);
    } else if (memchr(text, '\\', size) == NULL) {
        prune(built, 0, (1u << WH_NELEM(skip_segs)) - 1);
        FUZZ_CHECK(same_tree(built, skipped, EXACT), "a skipped value: the wrong members built");
    }
    cJSON_Delete(skipped);
    cJSON_Delete(built);
    free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wh_arena arena;
    struct wh_err err, err_arena;
    cJSON *ours = NULL, *in_arena = NULL;
    char *text;
    int rc, rc_arena;

    fuzz_init();
    FUZZ_CHECK(wh_arena_current() == NULL, "an arena left in use");
    text = fuzz_text(data, size);
    wh_arena_init(&arena);
    rc = wh_json_parse(text, size, DEPTH, &ours, &err);
    rc_arena = wh_json_parse_in(&arena, text, size, DEPTH, NULL, &in_arena, &err_arena);
    FUZZ_CHECK(rc == rc_arena, "heap %d, arena %d", rc, rc_arena);
    if (rc != WH_OK) {
        check_error(rc, ours, &err, size);
        check_error(rc_arena, in_arena, &err_arena, size);
        FUZZ_CHECK(strcmp(err.msg, err_arena.msg) == 0, "heap \"%s\", arena \"%s\"", err.msg,
                   err_arena.msg);
    } else {
        FUZZ_CHECK(ours != NULL && ours->next == NULL && ours->prev == NULL, "a bad root");
        FUZZ_CHECK(linked(ours), "the tree is not linked as cJSON links it");
        FUZZ_CHECK(same_tree(ours, in_arena, EXACT), "heap and arena trees differ");
        FUZZ_CHECK(all_in(&arena, in_arena), "a node outside the arena");
        check_print(ours, size);
    }
    check_cjson(text, size, ours);
    check_skip_wrapped(text, size);
    check_skip(text, size, rc, &err, ours); /* prunes ours: last */
    cJSON_Delete(ours);
    wh_arena_cleanup(&arena);
    free(text);
    return 0;
}
