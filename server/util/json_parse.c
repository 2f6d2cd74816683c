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

void wh_json_drop(cJSON *item)
{
    struct wh_arena *a = wh_arena_current();

    if (item == NULL || (a && wh_arena_owns(a, item)))
        return;
    cJSON_Delete(item);
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
 * checked but never built (skip paths, by a loop of their own below), and
 * strict RFC 8259 grammar (no leading zeros, no raw control characters in
 * strings, no lone surrogates). */

#define SKIP_MAX     8 /* skip paths */
#define SKIP_SEG_MAX 8 /* segments in one */
#define NUM_MAX      320
#define STACK_BITS   1024 /* containers one skip_value() frame keeps open */

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
    if (ps->arena == NULL)
        cJSON_Delete(item);
}

/* The first byte in [p, end) that is not whitespace (space, tab, LF, CR),
 * or end: one comparison for the usual non-blank byte. */
static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && *p <= ' ' &&
           (1ull << *p & (1ull << ' ' | 1ull << '\t' | 1ull << '\n' | 1ull << '\r')))
        p++;
    return p;
}

static void ws(struct parser *ps)
{
    ps->p = skip_ws(ps->p, ps->end);
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

/* What the one-letter escapes stand for (0: not one). */
static const unsigned char esc_char[256] = {
    ['"'] = '"',  ['\\'] = '\\', ['/'] = '/',  ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n',  ['r'] = '\r', ['t'] = '\t',
};

/* The escape at p (its backslash; end: the end of the text): its length (2,
 * 6, or 12 for a surrogate pair) with the code point in *cp, 0 when it is
 * no valid escape, -1 for \u0000. A bad escape may read past the string's
 * closing quote, but fails there: a quote is no hex digit, 'u' or '\\'. */
static inline int escape(const unsigned char *p, const unsigned char *end, unsigned *cp)
{
    unsigned lo;

    if (end - p >= 2 && esc_char[p[1]]) {
        *cp = esc_char[p[1]];
        return 2;
    }
    if (end - p < 6 || p[1] != 'u' || hex4(p + 2, cp) != 0)
        return 0;
    /* \u0000 would cut the string short here (C strings) where
     * kube-apiserver (Go) keeps it: two readers, two meanings. */
    if (*cp == 0)
        return -1;
    if (*cp >= 0xDC00 && *cp <= 0xDFFF) /* a low surrogate first */
        return 0;
    if (*cp < 0xD800 || *cp > 0xDBFF)
        return 6;
    /* a high one: its low must follow */
    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || hex4(p + 8, &lo) != 0 || lo < 0xDC00 ||
        lo > 0xDFFF)
        return 0;
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    return 12;
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
 * Returns the decoded length, or -1 with the error set (at the backslash). */
static WH_NOINLINE ssize_t unescape_all(struct parser *ps, const unsigned char *q, size_t len,
                                        char *out)
{
    const unsigned char *end = q + len;
    char *w = out;

    while (q < end) {
        const unsigned char *run = q;
        unsigned cp;
        int n;

        while (q < end && *q != '\\')
            q++;
        if (w) {
            memcpy(w, run, (size_t)(q - run));
            w += q - run;
        }
        if (q >= end)
            break;
        n = escape(q, ps->end, &cp);
        if (n <= 0) {
            ps->p = q;
            (void)fail(ps, n < 0 ? "\\u0000 in a string" : "bad escape in a string");
            return -1;
        }
        if (w)
            w += utf8(cp, w);
        q += n;
    }
    return w ? w - out : 0;
}

/* The text of a scanned string, NUL-terminated, in the arena or on the
 * heap. NULL on an error. */
static char *decode(struct parser *ps, const unsigned char *raw, size_t len, bool escapes)
{
    char *out;
    ssize_t n;

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

/* Checks the number at ps->p (a '-' or a digit) against the grammar and
 * the NUM_MAX cap; returns its end, or NULL with the error set. */
static const unsigned char *number_end(struct parser *ps)
{
    const unsigned char *p = ps->p;

    if (*p == '-')
        p++;
    if (!digit(p, ps->end))
        goto bad;
    if (*p == '0') {
        p++;
    } else {
        while (digit(p, ps->end))
            p++;
    }
    if (p < ps->end && *p == '.') {
        if (!digit(++p, ps->end))
            goto bad;
        while (digit(p, ps->end))
            p++;
    }
    if (p < ps->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < ps->end && (*p == '+' || *p == '-'))
            p++;
        if (!digit(p, ps->end))
            goto bad;
        while (digit(p, ps->end))
            p++;
    }
    if ((size_t)(p - ps->p) > NUM_MAX) /* built or not: one answer for one text */
        return fail(ps, "number longer than 320 characters");
    return p;
bad:
    ps->p = p;
    return fail(ps, NULL);
}

static cJSON *number(struct parser *ps)
{
    const unsigned char *s = ps->p, *e = number_end(ps), *p;
    bool neg = *s == '-';
    uint64_t v = 0;
    int digits = 0;
    double d;
    cJSON *item;

    if (e == NULL)
        return NULL;
    ps->p = e;
    for (p = s + neg; p < e && *p >= '0' && *p <= '9'; p++) {
        if (digits++ < 18)
            v = v * 10 + (uint64_t)(*p - '0');
    }
    /* an integer (p == e) of at most 15 digits is exact in a double */
    d = p == e && digits <= 15 ? (double)v : parse_double(s, e, neg);
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

/* Whether the n bytes of word are at p. */
static inline bool at_word(const unsigned char *p, const unsigned char *end, const char *word,
                           size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

static cJSON *literal(struct parser *ps, const char *word, size_t n, int type)
{
    cJSON *item;

    if (!at_word(ps->p, ps->end, word, n))
        return fail(ps, NULL);
    ps->p += n;
    item = node(ps, type);
    if (type == cJSON_True)
        item->valueint = 1;
    return item;
}

/* A string value at ps->p: most values are, so containers call this
 * directly rather than through value(). */
static inline cJSON *string_value(struct parser *ps)
{
    const unsigned char *raw;
    size_t rawlen;
    bool escapes;
    cJSON *item;
    char *s;

    if (!scan_string(ps, &raw, &rawlen, &escapes))
        return NULL;
    s = decode(ps, raw, rawlen, escapes);
    if (s == NULL)
        return NULL;
    item = node(ps, cJSON_String);
    item->valuestring = s;
    return item;
}

static WH_NOINLINE cJSON *too_deep(struct parser *ps)
{
    char what[64];

    (void)snprintf(what, sizeof(what), "nesting deeper than %d levels", ps->max_depth);
    return fail(ps, what);
}

/* ---- values checked but not built ----------------------------------------
 *
 * A skipped member's value is checked by a loop of its own: it is most of
 * a review's bytes (managedFields), and nothing of it is kept, so there is
 * no recursion, no node and no decoding. It accepts what value() accepts,
 * with the same message at the same offset for what it does not.
 *
 * Its strings are scanned in windows of 64 bytes of the text, one after
 * the other from where the value starts: each window is classified once
 * (json_scan.h), and a string's end is then a bit of a mask, found without
 * a load. Which bytes are escaped comes from the runs of backslashes (an
 * escaping one, then the byte it escapes), which can only be inside strings
 * here: skip_value rejects a backslash anywhere else before it reaches a
 * string behind it. */

struct window {
    const unsigned char *base; /* its first byte */
    uint64_t stops;            /* bit i: a string's scan stops at base[i] */
    uint64_t carry;            /* 1: base[64] is escaped */
};

/* Classifies the window at w->base (the one before it left w->carry). A
 * string's scan stops at a quote not escaped, at a control byte, and at the
 * backslash of an escape other than \" and \\ (and at the last byte, when
 * it escapes the next window's first). Past end, spaces stop nothing. */
static void window_fill(struct window *w, const unsigned char *end)
{
    const uint64_t odd = 0xAAAAAAAAAAAAAAAAull;
    const unsigned char *p = w->base;
    unsigned char last[64];
    struct wh_json_bits b;
    uint64_t lead, code, escaped;

    if (end - p < 64) {
        memset(last, ' ', sizeof(last));
        memcpy(last, p, (size_t)(end - p));
        p = last;
    }
    b = wh_json_classify(p);
    /* In a run of backslashes every other one escapes the byte after it,
     * from the first on (from the second when the window before escapes
     * the first). Subtracting each run's first bit from odd bits and the
     * run shifted in gives, by the parity of where the run starts, the
     * escaping backslashes and the byte after a run that ends with one:
     * code (simdjson's technique). */
    lead = b.bslash & ~w->carry;
    code = ((lead << 1 | odd) - lead) ^ odd;
    escaped = code ^ (b.bslash | w->carry);
    w->carry = (code & b.bslash) >> 63;
    w->stops =
        (b.quote & ~escaped) | b.ctl | (escaped & ~b.quote & ~b.bslash) >> 1 | w->carry << 63;
}

/* The first byte at or after q where a string's scan stops, or end. */
static inline const unsigned char *next_stop(struct window *w, const unsigned char *q,
                                             const unsigned char *end)
{
    for (;;) {
        size_t off = (size_t)(q - w->base);
        uint64_t m = off < 64 ? w->stops >> off : 0;

        if (m)
            return q + __builtin_ctzll(m);
        if (end - w->base <= 64)
            return end;
        w->base += 64;
        if (off < 64) /* none in this window: on in the next */
            q = w->base;
        window_fill(w, end);
    }
}

/* The string that skip_string could not step over at p (its opening
 * quote): the scan and the decoder of built strings walk it again, and
 * report its error as they would (a raw control character anywhere in it
 * before a bad escape). Returns the end, or NULL. */
static WH_NOINLINE const unsigned char *string_slow(struct parser *ps, const unsigned char *p)
{
    const unsigned char *raw;
    size_t len;
    bool escapes;

    ps->p = p;
    if (!scan_string(ps, &raw, &len, &escapes) || (escapes && unescape_all(ps, raw, len, NULL) < 0))
        return NULL;
    return ps->p;
}

/* Steps past the string at p (its opening quote), checking the escapes
 * its window stops at one by one. Returns the end, or NULL. */
static inline const unsigned char *skip_string(struct parser *ps, struct window *w,
                                               const unsigned char *p)
{
    const unsigned char *q = p + 1;
    unsigned cp;
    int n;

    for (;;) {
        q = next_stop(w, q, ps->end);
        if (q >= ps->end || *q != '\\')
            break;
        n = escape(q, ps->end, &cp);
        if (n <= 0)
            break;
        q += n;
    }
    return q < ps->end && *q == '"' ? q + 1 : string_slow(ps, p);
}

/* Steps past an object member's key and colon at p, and the whitespace
 * after them. Returns where the member's value starts, or NULL. */
static inline const unsigned char *skip_key(struct parser *ps, struct window *w,
                                            const unsigned char *p)
{
    if (p < ps->end && *p == '"') {
        p = skip_string(ps, w, p);
        if (p == NULL)
            return NULL;
        p = skip_ws(p, ps->end);
        if (p < ps->end && *p == ':')
            return skip_ws(p + 1, ps->end);
    }
    ps->p = p;
    return fail(ps, NULL);
}

/* Steps past the scalar at p. Returns its end, or NULL. */
static inline const unsigned char *skip_scalar(struct parser *ps, struct window *w,
                                               const unsigned char *p)
{
    switch (p < ps->end ? *p : 0) {
    case '"':
        return skip_string(ps, w, p);
    case 't':
        if (at_word(p, ps->end, "true", 4))
            return p + 4;
        break;
    case 'f':
        if (at_word(p, ps->end, "false", 5))
            return p + 5;
        break;
    case 'n':
        if (at_word(p, ps->end, "null", 4))
            return p + 4;
        break;
    default:
        if (p < ps->end && (*p == '-' || (*p >= '0' && *p <= '9'))) {
            ps->p = p;
            return number_end(ps);
        }
    }
    ps->p = p;
    return fail(ps, NULL);
}

/* Checks the value at ps->p (depth: the containers around it) as value()
 * would, without building it, and steps past it. The containers it opens
 * are a stack of bits, 1 for an object (its members start with a key);
 * past STACK_BITS of them, a nested frame takes the next ones. Returns
 * false with the error set. */
static bool skip_value(struct parser *ps, int depth)
{
    uint64_t objects[STACK_BITS / 64];
    const unsigned char *p = ps->p, *end = ps->end;
    const int limit = ps->max_depth - depth < STACK_BITS ? ps->max_depth - depth : STACK_BITS;
    struct window w = { p, 0, 0 };
    int n = 0;        /* containers open */
    int close = 0, c; /* the innermost one's closing bracket */

    window_fill(&w, end);
value: /* a value at p */
    if (p >= end || (*p != '{' && *p != '[')) {
        p = skip_scalar(ps, &w, p);
        if (p == NULL)
            return false;
        goto more;
    }
    if (n == limit) { /* too deep, or deeper than this frame keeps */
        ps->p = p;
        if (depth + n + 1 > ps->max_depth) {
            (void)too_deep(ps);
            return false;
        }
        if (!skip_value(ps, depth + n))
            return false;
        p = ps->p;
        goto more;
    }
    c = *p + 2; /* '{' + 2 is '}', '[' + 2 is ']' */
    p = skip_ws(p + 1, end);
    if (p < end && *p == c) { /* empty: nothing to keep open */
        p++;
        goto more;
    }
    if (c == '}')
        objects[n / 64] |= 1ull << n % 64;
    else
        objects[n / 64] &= ~(1ull << n % 64);
    n++;
    close = c;
    goto next;

more: /* after a value: the end of its container, or a comma and the next */
    if (n == 0) {
        ps->p = p;
        return true;
    }
    p = skip_ws(p, end);
    if (p < end && *p == close) {
        p++;
        n--;
        if (n > 0)
            close = objects[(n - 1) / 64] >> (n - 1) % 64 & 1 ? '}' : ']';
        goto more;
    }
    if (p >= end || *p != ',') {
        ps->p = p;
        (void)fail(ps, NULL);
        return false;
    }
    p = skip_ws(p + 1, end);

next: /* an element at p, or a member: its key first */
    if (close == '}') {
        p = skip_key(ps, &w, p);
        if (p == NULL)
            return false;
    }
    goto value;
}

static cJSON *value(struct parser *ps, int depth, int level, unsigned live);

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

/* Steps past the ':' after a key and the whitespace around it; false when
 * there is none. */
static bool colon(struct parser *ps)
{
    const unsigned char *p = ps->p;

    if (ps->end - p >= 2 && p[0] == ':' && p[1] > ' ') { /* compact text: most of it */
        ps->p = p + 1;
        return true;
    }
    ws(ps);
    if (ps->p >= ps->end || *ps->p != ':')
        return false;
    ps->p++;
    ws(ps);
    return true;
}

/* After a member or element: 1 past a ',' (another follows), 0 past close,
 * -1 on anything else. */
static inline int after_item(struct parser *ps, char close)
{
    const unsigned char *p = ps->p;
    int more;

    if (ps->end - p >= 2 && (p[0] == ',' || p[0] == close) && p[1] > ' ') {
        ps->p = p + 1;
        return p[0] == ',';
    }
    ws(ps);
    if (ps->p >= ps->end || (*ps->p != ',' && *ps->p != close))
        return -1;
    more = *ps->p++ == ',';
    ws(ps);
    return more;
}

static cJSON *object(struct parser *ps, int depth, int level, unsigned live)
{
    cJSON *item = node(ps, cJSON_Object), *last = NULL;

    if (opens_empty(ps, '}'))
        return item;
    for (;;) {
        const unsigned char *raw = NULL;
        size_t rawlen = 0;
        unsigned sub = 0;
        bool skip = false, escapes;
        int more;
        char *key;
        cJSON *child;

        if (ps->p >= ps->end || *ps->p != '"' || !scan_string(ps, &raw, &rawlen, &escapes))
            goto bad;
        if (live)
            sub = match(ps, live, level, (const char *)raw, rawlen, &skip);
        if (skip) {
            if ((escapes && unescape_all(ps, raw, rawlen, NULL) < 0) || !colon(ps) ||
                !skip_value(ps, depth))
                goto bad;
        } else {
            key = decode(ps, raw, rawlen, escapes);
            if (key == NULL)
                goto bad;
            child = NULL;
            if (colon(ps))
                child = ps->p < ps->end && *ps->p == '"' ? string_value(ps)
                                                         : value(ps, depth, level + 1, sub);
            if (child == NULL) {
                if (ps->arena == NULL)
                    free(key);
                goto bad;
            }
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

static cJSON *array(struct parser *ps, int depth)
{
    cJSON *item = node(ps, cJSON_Array), *last = NULL;

    if (opens_empty(ps, ']'))
        return item;
    for (;;) {
        cJSON *child = ps->p < ps->end && *ps->p == '"' ? string_value(ps) : value(ps, depth, 0, 0);
        int more;

        if (child == NULL)
            goto bad;
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

/* One value at ps->p (no leading whitespace), built. depth: containers
 * around it; level and live: the skip paths matched so far (object members
 * only). */
static cJSON *value(struct parser *ps, int depth, int level, unsigned live)
{
    if (ps->p >= ps->end)
        return fail(ps, NULL);
    switch (*ps->p) {
    case '{':
    case '[':
        if (depth + 1 > ps->max_depth)
            return too_deep(ps);
        return *ps->p == '{' ? object(ps, depth + 1, level, live) : array(ps, depth + 1);
    case '"':
        return string_value(ps);
    case 't':
        return literal(ps, "true", 4, cJSON_True);
    case 'f':
        return literal(ps, "false", 5, cJSON_False);
    case 'n':
        return literal(ps, "null", 4, cJSON_NULL);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return number(ps);
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
    root = value(&ps, 0, 0, (1u << ps.nskip) - 1);
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
