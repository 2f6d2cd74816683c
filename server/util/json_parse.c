/* SPDX-License-Identifier: Apache-2.0
 *
 * json_parse.c - the JSON parser and cJSON's allocator hooks; see json.h.
 */
#include "util/json.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "util/arena.h"
#include "util/json_scan.h"
#include "util/mem.h"

#include "banned.h"

/* cJSON allocates from the arena in use on this thread, if any (see
 * arena.h); freeing arena memory is a no-op, everything else is the heap's. */
static void *json_malloc(size_t n)
{
    struct wh_arena *a = wh_arena_current();

    return a ? wh_arena_alloc(a, n) : wh_xmalloc(n);
}

static void json_free(void *p)
{
    struct wh_arena *a = wh_arena_current();

    if (a && wh_arena_owns(a, p))
        return;
    free(p);
}

void wh_json_init(void)
{
    cJSON_Hooks hooks = { json_malloc, json_free };

    cJSON_InitHooks(&hooks);
}

/* ---- the parser ----------------------------------------------------------
 *
 * Recursive descent over the text, building cJSON nodes exactly as cJSON's
 * own parser links them (a child list's first ->prev is its last element),
 * so every cJSON function works on the result. What it adds over cJSON: one
 * pass (no separate scan), nodes and strings from an arena, members that are
 * checked but never built (skip paths), and strict RFC 8259 grammar (no
 * leading zeros, no raw control characters in strings, no lone surrogates). */

#define SKIP_MAX     8 /* skip paths */
#define SKIP_SEG_MAX 8 /* segments in one */
#define NUM_MAX      320

struct seg {
    const char *s;
    size_t len;
};

struct parser {
    const unsigned char *start, *p, *end;
    struct wh_arena *arena; /* NULL: the heap */
    int max_depth;
    struct seg skip[SKIP_MAX][SKIP_SEG_MAX];
    int nseg[SKIP_MAX];
    unsigned nskip;
    struct wh_err *err;
    int rc;
};

/* What a value checked but not built returns: any non-NULL pointer. */
static cJSON not_built;
static char empty[1];

static void *fail(struct parser *ps, const char *what)
{
    size_t off = (size_t)(ps->p - ps->start);

    if (ps->rc != WH_OK)
        return NULL;
    if (what)
        ps->rc = wh_errf(ps->err, WH_EPARSE, "invalid JSON: %s at offset %zu", what, off);
    else if (ps->p >= ps->end)
        ps->rc = wh_errf(ps->err, WH_EPARSE, "invalid JSON: unexpected end of input");
    else if (*ps->p == '\0')
        ps->rc = wh_errf(ps->err, WH_EPARSE, "invalid JSON: NUL byte at offset %zu", off);
    else
        ps->rc = wh_errf(ps->err, WH_EPARSE, "invalid JSON: syntax error at offset %zu", off);
    return NULL;
}

static void *alloc(struct parser *ps, size_t n)
{
    return ps->arena ? wh_arena_alloc(ps->arena, n) : wh_xmalloc(n);
}

static cJSON *node(struct parser *ps, int type)
{
    cJSON *item = alloc(ps, sizeof(*item));

    *item = (cJSON){ .type = type };
    return item;
}

/* Drops a partly built value on an error (an arena's go with the arena). */
static void drop(struct parser *ps, cJSON *item)
{
    if (ps->arena == NULL && item != &not_built)
        cJSON_Delete(item);
}

static void ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int hex4(const unsigned char *h, unsigned *out)
{
    unsigned v = 0;
    int i;

    for (i = 0; i < 4; i++) {
        unsigned c = h[i], d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* Writes code point cp as UTF-8 into buf; returns the bytes written. */
static int utf8(unsigned cp, char *buf)
{
    int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

    if (n == 1) {
        buf[0] = (char)cp;
        return 1;
    }
    for (i = n - 1; i > 0; i--, cp >>= 6)
        buf[i] = (char)(0x80 | (cp & 0x3F));
    buf[0] = (char)((0xF00u >> n & 0xF0) | cp); /* 110x, 1110, 11110 */
    return n;
}

/* Decodes the escape at *pp (just past the backslash) into out (NULL: only
 * checks it); advances *pp. Returns the bytes written, or -1. */
static int unescape(struct parser *ps, const unsigned char **pp, char *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const unsigned char *p = *pp;
    unsigned cp, lo;
    char buf[4];
    int n;

    if (p >= ps->end)
        return -1;
    if (*p != 'u') {
        const char *e = *p ? memchr(from, *p, sizeof(from) - 1) : NULL;

        if (e == NULL)
            return -1;
        if (out)
            out[0] = to[e - from];
        *pp = p + 1;
        return 1;
    }
    if (ps->end - p < 5 || hex4(p + 1, &cp) != 0)
        return -1;
    p += 4;
    if (cp == 0) {
        /* \u0000 would cut the string short here (C strings) where
         * kube-apiserver (Go) keeps it: two readers, two meanings. */
        ps->p = p - 5;
        (void)fail(ps, "\\u0000 in a string");
        return -1;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) /* a low surrogate first */
        return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF) { /* a high one: its low must follow */
        if (ps->end - p < 7 || p[1] != '\\' || p[2] != 'u' || hex4(p + 3, &lo) != 0 ||
            lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
    }
    n = utf8(cp, buf);
    if (out)
        memcpy(out, buf, (size_t)n);
    *pp = p + 1;
    return n;
}

/* Scans the string at ps->p (its opening quote) to its closing quote and
 * steps past it: the raw bytes between the quotes in *raw, *rawlen, and
 * whether they hold escapes (checked later, by decode). */
static bool scan_string(struct parser *ps, const unsigned char **raw, size_t *rawlen, bool *escapes)
{
    const unsigned char *p = ps->p + 1, *body = p;

    *escapes = false;
    for (;;) {
        p = wh_json_plain_end(p, ps->end);
        if (p >= ps->end) {
            ps->p = p;
            return fail(ps, NULL) != NULL;
        }
        if (*p == '"')
            break;
        if (*p != '\\') {
            ps->p = p;
            return fail(ps, *p ? "control character in a string" : NULL) != NULL;
        }
        *escapes = true;
        p += 2; /* the escape's letter is checked when decoding */
    }
    *raw = body;
    *rawlen = (size_t)(p - body);
    ps->p = p + 1;
    return true;
}

/* Decodes raw bytes with escapes into out (NULL: only checks them).
 * Returns the decoded length, or -1 with the error set. */
static WH_NOINLINE ssize_t unescape_all(struct parser *ps, const unsigned char *q, size_t len,
                                        char *out)
{
    const unsigned char *end = q + len;
    char *w = out;

    while (q < end) {
        const unsigned char *run = q;
        int n;

        while (q < end && *q != '\\')
            q++;
        if (w) {
            memcpy(w, run, (size_t)(q - run));
            w += q - run;
        }
        if (q >= end)
            break;
        q++;
        n = unescape(ps, &q, w);
        if (n < 0) {
            if (ps->rc == WH_OK) {
                ps->p = q - 1;
                (void)fail(ps, "bad escape in a string");
            }
            return -1;
        }
        if (w)
            w += n;
    }
    return w ? w - out : 0;
}

/* The text of a scanned string: built (NUL-terminated, in the arena or on
 * the heap) when build, else only checked ("" then). NULL on an error. */
static char *decode(struct parser *ps, const unsigned char *raw, size_t len, bool escapes,
                    bool build)
{
    char *out;
    ssize_t n;

    if (!build)
        return escapes && unescape_all(ps, raw, len, NULL) < 0 ? NULL : empty;
    out = alloc(ps, len + 1);
    if (!escapes) {
        memcpy(out, raw, len);
        out[len] = '\0';
        return out;
    }
    n = unescape_all(ps, raw, len, out);
    if (n < 0) {
        if (ps->arena == NULL)
            free(out);
        return NULL;
    }
    out[n] = '\0';
    return out;
}

static bool digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* strtod over [s, e) (at most NUM_MAX bytes; the sign skipped), which
 * the grammar has checked; apart from number() so that its buffer stays off
 * the common path. */
static WH_NOINLINE double parse_double(const unsigned char *s, const unsigned char *e, bool neg)
{
    char buf[NUM_MAX + 1];

    memcpy(buf, s, (size_t)(e - s));
    buf[e - s] = '\0';
    return strtod(neg ? buf + 1 : buf, NULL);
}

static cJSON *number(struct parser *ps, bool build)
{
    const unsigned char *p = ps->p, *s = p;
    bool neg = false, integer = true;
    uint64_t v = 0;
    int digits = 0;
    double d;
    cJSON *item;

    if (*p == '-') {
        neg = true;
        p++;
    }
    if (!digit(p, ps->end)) {
        ps->p = p;
        return fail(ps, NULL);
    }
    if (*p == '0') {
        p++;
    } else {
        while (digit(p, ps->end)) {
            if (digits++ < 18)
                v = v * 10 + (uint64_t)(*p - '0');
            p++;
        }
    }
    if (p < ps->end && *p == '.') {
        integer = false;
        if (!digit(++p, ps->end)) {
            ps->p = p;
            return fail(ps, NULL);
        }
        while (digit(p, ps->end))
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        integer = false;
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (!digit(p, ps->end)) {
            ps->p = p;
            return fail(ps, NULL);
        }
        while (digit(p, ps->end))
            p++;
    }
    ps->p = p;
    if ((size_t)(p - s) > NUM_MAX) { /* built or not: one answer for one text */
        ps->p = s;
        return fail(ps, "number longer than 320 characters");
    }
    if (!build)
        return &not_built;
    d = integer && digits <= 15 ? (double)v /* exact in a double */ : parse_double(s, p, neg);
    if (neg)
        d = -d;
    item = node(ps, cJSON_Number);
    item->valuedouble = d;
    /* as cJSON: saturate to int */
    if (d >= INT_MAX)
        item->valueint = INT_MAX;
    else if (d <= (double)INT_MIN)
        item->valueint = INT_MIN;
    else
        item->valueint = (int)d;
    return item;
}

static cJSON *literal(struct parser *ps, const char *word, size_t n, int type, bool build)
{
    cJSON *item;

    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, NULL);
    ps->p += n;
    if (!build)
        return &not_built;
    item = node(ps, type);
    if (type == cJSON_True)
        item->valueint = 1;
    return item;
}

/* A string value at ps->p: most values are, so containers call this
 * directly rather than through value(). */
static inline cJSON *string_value(struct parser *ps, bool build)
{
    const unsigned char *raw;
    size_t rawlen;
    bool escapes;
    cJSON *item;
    char *s;

    if (!scan_string(ps, &raw, &rawlen, &escapes))
        return NULL;
    s = decode(ps, raw, rawlen, escapes, build);
    if (s == NULL || !build)
        return s ? &not_built : NULL;
    item = node(ps, cJSON_String);
    item->valuestring = s;
    return item;
}

static cJSON *value(struct parser *ps, int depth, int level, unsigned live, bool build);

static void link_child(cJSON *parent, cJSON **last, cJSON *child)
{
    if (*last) {
        (*last)->next = child;
        child->prev = *last;
    } else {
        parent->child = child;
    }
    *last = child;
    parent->child->prev = child; /* cJSON: the first's prev is the last */
}

/* Which skip paths still match after key (raw bytes) at level; sets *skip
 * when one of them ends here. */
static unsigned match(const struct parser *ps, unsigned live, int level, const char *key,
                      size_t len, bool *skip)
{
    unsigned out = 0, i;

    *skip = false;
    for (i = 0; i < ps->nskip; i++) {
        const struct seg *sg = &ps->skip[i][level];

        if (!(live & 1u << i) || level >= ps->nseg[i] || sg->len != len ||
            memcmp(sg->s, key, len) != 0)
            continue;
        if (level + 1 == ps->nseg[i])
            *skip = true;
        else
            out |= 1u << i;
    }
    return out;
}

/* Steps past a container's opening bracket; true when close follows. */
static bool opens_empty(struct parser *ps, char close)
{
    ps->p++;
    ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    return false;
}

/* After a member or element: 1 past a ',' (another follows), 0 past close,
 * -1 on anything else. */
static inline int after_item(struct parser *ps, char close)
{
    int more;

    ws(ps);
    if (ps->p >= ps->end || (*ps->p != ',' && *ps->p != close))
        return -1;
    more = *ps->p++ == ',';
    ws(ps);
    return more;
}

static cJSON *object(struct parser *ps, int depth, int level, unsigned live, bool build)
{
    cJSON *item = build ? node(ps, cJSON_Object) : &not_built, *last = NULL;

    if (opens_empty(ps, '}'))
        return item;
    for (;;) {
        const unsigned char *raw = NULL;
        size_t rawlen = 0;
        unsigned sub = 0;
        bool skip = false, keep, escapes;
        int more;
        char *key;
        cJSON *child;

        if (ps->p >= ps->end || *ps->p != '"' || !scan_string(ps, &raw, &rawlen, &escapes))
            goto bad;
        if (live)
            sub = match(ps, live, level, (const char *)raw, rawlen, &skip);
        keep = build && !skip;
        key = decode(ps, raw, rawlen, escapes, keep);
        if (key == NULL)
            goto bad;
        ws(ps);
        child = NULL;
        if (ps->p < ps->end && *ps->p == ':') {
            ps->p++;
            ws(ps);
            child = ps->p < ps->end && *ps->p == '"' ? string_value(ps, keep)
                                                     : value(ps, depth, level + 1, sub, keep);
        }
        if (child == NULL) {
            if (keep && ps->arena == NULL)
                free(key);
            goto bad;
        }
        if (keep) {
            child->string = key;
            link_child(item, &last, child);
        }
        more = after_item(ps, '}');
        if (more == 0)
            return item;
        if (more < 0)
            goto bad;
    }
bad:
    drop(ps, item);
    return fail(ps, NULL);
}

static cJSON *array(struct parser *ps, int depth, bool build)
{
    cJSON *item = build ? node(ps, cJSON_Array) : &not_built, *last = NULL;

    if (opens_empty(ps, ']'))
        return item;
    for (;;) {
        cJSON *child = ps->p < ps->end && *ps->p == '"' ? string_value(ps, build)
                                                        : value(ps, depth, 0, 0, build);
        int more;

        if (child == NULL)
            goto bad;
        if (build)
            link_child(item, &last, child);
        more = after_item(ps, ']');
        if (more == 0)
            return item;
        if (more < 0)
            goto bad;
    }
bad:
    drop(ps, item);
    return fail(ps, NULL);
}

static WH_NOINLINE cJSON *too_deep(struct parser *ps)
{
    char what[64];

    (void)snprintf(what, sizeof(what), "nesting deeper than %d levels", ps->max_depth);
    return fail(ps, what);
}

/* One value at ps->p (no leading whitespace). depth: containers around it;
 * level and live: the skip paths matched so far (object members only). */
static cJSON *value(struct parser *ps, int depth, int level, unsigned live, bool build)
{
    if (ps->p >= ps->end)
        return fail(ps, NULL);
    switch (*ps->p) {
    case '{':
    case '[':
        if (depth + 1 > ps->max_depth)
            return too_deep(ps);
        return *ps->p == '{' ? object(ps, depth + 1, level, live, build)
                             : array(ps, depth + 1, build);
    case '"':
        return string_value(ps, build);
    case 't':
        return literal(ps, "true", 4, cJSON_True, build);
    case 'f':
        return literal(ps, "false", 5, cJSON_False, build);
    case 'n':
        return literal(ps, "null", 4, cJSON_NULL, build);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return number(ps, build);
        return fail(ps, NULL);
    }
}

/* Splits "/a/b" into its segments; paths with escapes (~0, ~1) or more
 * than SKIP_SEG_MAX segments are ignored. */
static void add_skip(struct parser *ps, const char *path)
{
    const char *p = path;
    int n = 0;

    if (ps->nskip == SKIP_MAX || path[0] != '/' || strchr(path, '~'))
        return;
    while (*p == '/' && n < SKIP_SEG_MAX) {
        const char *e = strchr(p + 1, '/');
        size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);

        ps->skip[ps->nskip][n].s = p + 1;
        ps->skip[ps->nskip][n].len = len;
        n++;
        p += len + 1;
    }
    if (*p != '\0')
        return;
    ps->nseg[ps->nskip++] = n;
}

int wh_json_parse_in(struct wh_arena *a, const char *s, size_t len, int max_depth,
                     const char *const *skip, cJSON **out, struct wh_err *err)
{
    struct parser ps;
    cJSON *root;

    *out = NULL;
    memset(&ps, 0, sizeof(ps));
    ps.start = ps.p = (const unsigned char *)s;
    ps.end = ps.start + len;
    ps.arena = a;
    ps.max_depth = max_depth;
    ps.err = err;
    ps.rc = WH_OK;
    for (; skip && *skip; skip++)
        add_skip(&ps, *skip);
    ws(&ps);
    if (ps.p >= ps.end)
        return wh_errf(err, WH_EPARSE, "invalid JSON: %s",
                       len == 0 ? "empty body" : "unexpected end of input");
    root = value(&ps, 0, 0, (1u << ps.nskip) - 1, true);
    if (root == NULL)
        return ps.rc != WH_OK ? ps.rc : wh_errf(err, WH_EPARSE, "invalid JSON");
    ws(&ps);
    if (ps.p < ps.end) {
        drop(&ps, root);
        (void)fail(&ps, NULL);
        return ps.rc;
    }
    *out = root;
    return WH_OK;
}

int wh_json_parse(const char *s, size_t len, int max_depth, cJSON **out, struct wh_err *err)
{
    return wh_json_parse_in(NULL, s, len, max_depth, NULL, out, err);
}
