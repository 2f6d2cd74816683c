/* SPDX-License-Identifier: Apache-2.0
 *
 * syntax.c - annotation value parsers; see syntax.h.
 *
 * Parsing works on spans (pointer + length) into the caller's string; only a
 * span that has been validated, length included, is copied into a fixed-size
 * output field, so no input can write past one. All item lists go through one
 * driver, parse_list(), which applies both caps before looking at any item,
 * numbers items from 1 and hands each trimmed item to a per-syntax callback.
 * Messages quote input through quote(), which clips and escapes it, so an
 * error message is always short printable ASCII whatever the input holds.
 */
#include "syntax.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/str.h"

#include "banned.h"

struct span {
    const char *p;
    size_t len;
};

/* ---- spans ------------------------------------------------------------ */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c);
}

static bool is_alnum(char c)
{
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static struct span span_of(const char *p, size_t len)
{
    struct span s;

    s.p = p;
    s.len = len;
    return s;
}

static struct span trim(struct span s)
{
    while (s.len > 0 && is_blank(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_blank(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* Splits s at its first c into trimmed halves. Without a c, *left is all of
 * s (trimmed), *right is empty and the result is false. */
static bool split_at(struct span s, char c, struct span *left, struct span *right)
{
    const char *hit = memchr(s.p, c, s.len);
    size_t off;

    if (hit == NULL) {
        *left = trim(s);
        *right = span_of(s.p + s.len, 0);
        return false;
    }
    off = (size_t)(hit - s.p);
    *left = trim(span_of(s.p, off));
    *right = trim(span_of(hit + 1, s.len - off - 1));
    return true;
}

static bool span_is(struct span s, const char *z)
{
    return strlen(z) == s.len && memcmp(s.p, z, s.len) == 0;
}

/* Copies s into dst; callers validate s.len < size first, the clamp is a
 * second line of defence. */
static void copy_span(char *dst, size_t size, struct span s)
{
    size_t n = s.len < size ? s.len : size - 1;

    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* ---- messages --------------------------------------------------------- */

#define QUOTE_CLIP 40 /* bytes of output between the quotes */

struct qbuf {
    char s[QUOTE_CLIP + 8]; /* '"' text '..."' NUL */
};

/* Renders s as a double-quoted, clipped string; bytes outside printable
 * ASCII, '"' and '\\' become \xNN. Returns q->s. */
static const char *quote(struct qbuf *q, struct span s)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0, i;

    q->s[o++] = '"';
    for (i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        bool esc = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
        size_t need = esc ? 4 : 1;

        if (o - 1 + need > QUOTE_CLIP) {
            memcpy(q->s + o, "...", 3);
            o += 3;
            break;
        }
        if (esc) {
            q->s[o++] = '\\';
            q->s[o++] = 'x';
            q->s[o++] = hex[c >> 4];
            q->s[o++] = hex[c & 15];
        } else {
            q->s[o++] = (char)c;
        }
    }
    q->s[o++] = '"';
    q->s[o] = '\0';
    return q->s;
}

/* Writes "a, b, c" into buf (truncating at size) and returns buf. */
static const char *join(char *buf, size_t size, const char *const *names, size_t n)
{
    size_t o = 0, i;

    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        size_t len = strlen(names[i]);

        if (o + len + 3 > size)
            break;
        if (i > 0) {
            memcpy(buf + o, ", ", 2);
            o += 2;
        }
        memcpy(buf + o, names[i], len);
        o += len;
        buf[o] = '\0';
    }
    return buf;
}

static int item_errf(struct wh_err *err, size_t idx, struct span item, const char *fmt, ...)
    WH_PRINTF(4, 5);

/* Fails item idx with `item N "<item>": <fmt...>`. Returns WH_EPARSE. */
static int item_errf(struct wh_err *err, size_t idx, struct span item, const char *fmt, ...)
{
    char why[WH_ERR_MSG_MAX];
    struct qbuf q;
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return wh_errf(err, WH_EPARSE, "item %zu %s: %s", idx + 1, quote(&q, item), why);
}

/* ---- Kubernetes names ------------------------------------------------- */

/* Why s is not a DNS-1123 subdomain, or NULL when it is one. */
static const char *subdomain_invalid(struct span s)
{
    size_t i;

    if (s.len == 0)
        return "empty";
    if (s.len > WH_SYNTAX_SUBDOMAIN_MAX)
        return "longer than 253 characters";
    if (!is_lower_alnum(s.p[0]) || !is_lower_alnum(s.p[s.len - 1]))
        return "must start and end with a lowercase letter or digit";
    for (i = 1; i + 1 < s.len; i++) {
        char c = s.p[i];

        if (c == '.' && (!is_lower_alnum(s.p[i - 1]) || !is_lower_alnum(s.p[i + 1])))
            return "each dot-separated part must start and end with a letter or digit";
        if (!is_lower_alnum(c) && c != '-' && c != '.')
            return "only lowercase letters, digits, '-' and '.'";
    }
    return NULL;
}

enum name_fault { NAME_OK, NAME_LENGTH, NAME_ENDS, NAME_CHARS };

/* Checks a label value, or the name part of a label key: 1..63 characters of
 * [-_.A-Za-z0-9], alphanumeric at both ends. */
static enum name_fault name_check(struct span s)
{
    size_t i;

    if (s.len == 0 || s.len > WH_SYNTAX_LABEL_NAME_MAX)
        return NAME_LENGTH;
    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
            return NAME_CHARS;
    }
    if (!is_alnum(s.p[0]) || !is_alnum(s.p[s.len - 1]))
        return NAME_ENDS;
    return NAME_OK;
}

static const char *const key_name_faults[] = {
    [NAME_OK] = NULL,
    [NAME_LENGTH] = "the name must be 1-63 characters",
    [NAME_ENDS] = "the name must start and end with a letter or digit",
    [NAME_CHARS] = "the name may contain only letters, digits, '-', '_' and '.'",
};

static const char *const value_faults[] = {
    [NAME_OK] = NULL,
    [NAME_LENGTH] = "must be 1-63 characters",
    [NAME_ENDS] = "must start and end with a letter or digit",
    [NAME_CHARS] = "may contain only letters, digits, '-', '_' and '.'",
};

/* Why k is not a label key ([prefix/]name), or NULL when it is one. */
static const char *label_key_invalid(struct span k)
{
    const char *slash = memchr(k.p, '/', k.len);
    struct span name = k;

    if (slash != NULL) {
        size_t off = (size_t)(slash - k.p);

        name = span_of(slash + 1, k.len - off - 1);
        if (memchr(name.p, '/', name.len) != NULL)
            return "at most one '/' is allowed";
        if (subdomain_invalid(span_of(k.p, off)) != NULL)
            return "the prefix before '/' must be a DNS subdomain (lowercase letters, digits, "
                   "'-' and '.', at most 253)";
    }
    return key_name_faults[name_check(name)];
}

static const char *label_value_invalid(struct span v)
{
    return value_faults[name_check(v)];
}

/* True for a C identifier of at most WH_SYNTAX_ENV_NAME_MAX bytes. */
static bool c_identifier(struct span s)
{
    size_t i;

    if (s.len == 0 || s.len > WH_SYNTAX_ENV_NAME_MAX || is_digit(s.p[0]))
        return false;
    for (i = 0; i < s.len; i++) {
        if (!is_alnum(s.p[i]) && s.p[i] != '_')
            return false;
    }
    return true;
}

/* Why s is not a ConfigMap/Secret data key, or NULL when it is one. */
static const char *data_key_invalid(struct span s)
{
    size_t i;

    if (s.len == 0)
        return "is empty";
    if (s.len > WH_SYNTAX_DATA_KEY_MAX)
        return "is longer than 253 characters";
    for (i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
            return "may contain only letters, digits, '-', '_' and '.'";
    }
    if (span_is(s, ".") || (s.len >= 2 && s.p[0] == '.' && s.p[1] == '.'))
        return "may not be \".\" or start with \"..\"";
    return NULL;
}

/* Why p is not an acceptable mount path, or NULL when it is one. */
static const char *mount_path_invalid(struct span p)
{
    size_t i, seg = 1; /* start of the current segment */

    if (p.len > WH_SYNTAX_MOUNT_PATH_MAX)
        return "is longer than 255 bytes";
    if (p.len == 0 || p.p[0] != '/')
        return "must be absolute (start with '/')";
    if (p.len == 1)
        return "may not be \"/\"";
    for (i = 1; i <= p.len; i++) {
        char c = '/'; /* the end closes the last segment */
        struct span s;

        if (i < p.len)
            c = p.p[i];

        if (c == ':')
            return "may not contain ':'";
        if ((unsigned char)c < 0x20 || c == 0x7f)
            return "may not contain control characters";
        if (c != '/')
            continue;
        s = span_of(p.p + seg, i - seg);
        if (span_is(s, ".."))
            return "may not contain \"..\" segments";
        if (s.len == 0 || span_is(s, "."))
            return "must be clean (no \"//\", no \".\" segment, no trailing '/')";
        seg = i + 1;
    }
    return NULL;
}

/* ---- the list driver ---------------------------------------------------- */

typedef int item_fn(struct span item, size_t idx, void *out, struct wh_err *err);

/* Applies the caps to s, then calls fn on each trimmed ','-separated item;
 * *n is the number of items accepted. A blank s is an empty list. */
static int parse_list(const char *s, item_fn *fn, void *out, size_t *n, struct wh_err *err)
{
    size_t len = strnlen(s, WH_SYNTAX_MAX_INPUT + 1), count = 1, i, idx;
    struct span all;
    const char *p, *end;
    int rc;

    if (len > WH_SYNTAX_MAX_INPUT)
        return wh_errf(err, WH_EPARSE, "value is longer than %d bytes", WH_SYNTAX_MAX_INPUT);
    all = trim(span_of(s, len));
    if (all.len == 0)
        return WH_OK;
    for (i = 0; i < all.len; i++)
        count += all.p[i] == ',';
    if (count > WH_SYNTAX_MAX_ITEMS)
        return wh_errf(err, WH_EPARSE, "%zu items, at most %d are allowed", count,
                       WH_SYNTAX_MAX_ITEMS);
    p = all.p;
    end = all.p + all.len;
    for (idx = 0; idx < count; idx++) {
        const char *sep = memchr(p, ',', (size_t)(end - p));
        struct span item = trim(span_of(p, (size_t)((sep ? sep : end) - p)));

        if (item.len == 0)
            return wh_errf(err, WH_EPARSE, "item %zu is empty (stray ',')", idx + 1);
        rc = fn(item, idx, out, err);
        if (rc != WH_OK)
            return rc;
        *n = idx + 1;
        p = sep ? sep + 1 : end;
    }
    return WH_OK;
}

/* Clears out, parses s into it and clears it again on failure. */
static int run_list(const char *s, item_fn *fn, void *out, size_t size, size_t *n,
                    struct wh_err *err)
{
    int rc;

    memset(out, 0, size);
    if (s == NULL)
        return wh_errf(err, WH_EINVAL, "no value to parse");
    rc = parse_list(s, fn, out, n, err);
    if (rc != WH_OK)
        memset(out, 0, size);
    return rc;
}

/* ---- labels --------------------------------------------------------------- */

static int label_item(struct span item, size_t idx, void *arg, struct wh_err *err)
{
    struct wh_kv_list *out = arg;
    struct span k, v;
    struct qbuf q;
    const char *why;
    size_t j;

    if (!split_at(item, '=', &k, &v))
        return item_errf(err, idx, item, "expected key=value");
    if (k.len == 0)
        return item_errf(err, idx, item, "empty key");
    if (v.len == 0)
        return item_errf(err, idx, item, "empty value");
    why = label_key_invalid(k);
    if (why != NULL)
        return item_errf(err, idx, item, "key %s is not a label key: %s", quote(&q, k), why);
    why = label_value_invalid(v);
    if (why != NULL)
        return item_errf(err, idx, item, "value %s is not a label value: it %s", quote(&q, v), why);
    for (j = 0; j < idx; j++) {
        if (span_is(k, out->item[j].key))
            return item_errf(err, idx, item, "key %s is already set by item %zu", quote(&q, k),
                             j + 1);
    }
    copy_span(out->item[idx].key, sizeof(out->item[idx].key), k);
    copy_span(out->item[idx].value, sizeof(out->item[idx].value), v);
    return WH_OK;
}

int wh_syntax_labels(const char *s, struct wh_kv_list *out, struct wh_err *err)
{
    if (out == NULL)
        return wh_errf(err, WH_EINVAL, "no output for labels");
    return run_list(s, label_item, out, sizeof(*out), &out->n, err);
}

/* ---- tolerations ---------------------------------------------------------- */

static const char *const effects[] = { "NoSchedule", "PreferNoSchedule", "NoExecute" };

static bool ascii_case_eq(struct span s, const char *z)
{
    size_t i;

    if (strlen(z) != s.len)
        return false;
    for (i = 0; i < s.len; i++) {
        char a = s.p[i], b = z[i];

        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static const char *near_miss_span(struct span key, const char *const *known, size_t nknown,
                                  size_t max_dist);

/* Validates effect text e into t->effect. */
static int tol_effect(struct span e, size_t idx, struct span item, struct wh_toleration *t,
                      struct wh_err *err)
{
    const char *case_hint = NULL, *hint, *pre = "", *post = "";
    char list[64];
    struct qbuf q;
    size_t i;

    if (e.len == 0)
        return item_errf(err, idx, item, "empty effect after ':' (use one of %s, or no ':')",
                         join(list, sizeof(list), effects, WH_NELEM(effects)));
    for (i = 0; i < WH_NELEM(effects); i++) {
        if (span_is(e, effects[i])) {
            copy_span(t->effect, sizeof(t->effect), e);
            return WH_OK;
        }
        if (case_hint == NULL && ascii_case_eq(e, effects[i]))
            case_hint = effects[i];
    }
    hint = case_hint ? case_hint : near_miss_span(e, effects, WH_NELEM(effects), 2);
    if (hint != NULL) {
        pre = case_hint ? " (effects are case-sensitive: did you mean \"" : " (did you mean \"";
        post = "\"?)";
    }
    return item_errf(err, idx, item, "effect %s is not one of %s%s%s%s", quote(&q, e),
                     join(list, sizeof(list), effects, WH_NELEM(effects)), pre, hint ? hint : "",
                     post);
}

static bool same_toleration(const struct wh_toleration *a, const struct wh_toleration *b)
{
    return strcmp(a->key, b->key) == 0 && strcmp(a->value, b->value) == 0 &&
           strcmp(a->op, b->op) == 0 && strcmp(a->effect, b->effect) == 0;
}

static int toleration_item(struct span item, size_t idx, void *arg, struct wh_err *err)
{
    struct wh_toleration_list *out = arg;
    struct wh_toleration *t = &out->item[idx];
    struct span lhs, e, k, v;
    bool has_effect, has_value;
    struct qbuf q;
    const char *why;
    size_t j;
    int rc;

    has_effect = split_at(item, ':', &lhs, &e);
    has_value = split_at(lhs, '=', &k, &v);
    if (k.len == 0)
        return item_errf(err, idx, item,
                         "empty key; Kubernetes would read it as \"tolerate "
                         "every taint\", which is too broad: name the taint key");
    if (has_value && v.len == 0)
        return item_errf(err, idx, item,
                         "empty value; to tolerate any value of key %s, leave out the '='",
                         quote(&q, k));
    why = label_key_invalid(k);
    if (why != NULL)
        return item_errf(err, idx, item, "key %s is not a label key: %s", quote(&q, k), why);
    why = has_value ? label_value_invalid(v) : NULL;
    if (why != NULL)
        return item_errf(err, idx, item, "value %s is not a label value: it %s", quote(&q, v), why);
    if (has_effect) {
        rc = tol_effect(e, idx, item, t, err);
        if (rc != WH_OK)
            return rc;
    }
    copy_span(t->key, sizeof(t->key), k);
    copy_span(t->value, sizeof(t->value), v);
    (void)wh_strlcpy(t->op, has_value ? "Equal" : "Exists", sizeof(t->op));
    for (j = 0; j < idx; j++) {
        if (same_toleration(&out->item[j], t))
            return item_errf(err, idx, item, "same toleration as item %zu", j + 1);
    }
    return WH_OK;
}

int wh_syntax_tolerations(const char *s, struct wh_toleration_list *out, struct wh_err *err)
{
    if (out == NULL)
        return wh_errf(err, WH_EINVAL, "no output for tolerations");
    return run_list(s, toleration_item, out, sizeof(*out), &out->n, err);
}

/* ---- scratch volume ------------------------------------------------------- */

static const struct unit {
    const char *suffix;
    uint64_t mult;
} units[] = {
    { "", 1 },
    { "Ki", UINT64_C(1) << 10 },
    { "Mi", UINT64_C(1) << 20 },
    { "Gi", UINT64_C(1) << 30 },
    { "Ti", UINT64_C(1) << 40 },
    { "Pi", UINT64_C(1) << 50 },
    { "k", UINT64_C(1000) },
    { "M", UINT64_C(1000000) },
    { "G", UINT64_C(1000000000) },
    { "T", UINT64_C(1000000000000) },
    { "P", UINT64_C(1000000000000000) },
};

/* Index of the unit spelled s, or WH_NELEM(units). */
static size_t unit_find(struct span s)
{
    size_t i;

    for (i = 0; i < WH_NELEM(units); i++) {
        if (span_is(s, units[i].suffix))
            break;
    }
    return i;
}

static const char *const access_modes[] = { "ReadWriteOnce", "ReadWriteOncePod" };

/* size=<digits><unit>: 1 byte to WH_SYNTAX_SCRATCH_MAX, overflow-checked. */
static int scratch_size(struct span v, struct wh_scratch *out, struct wh_err *err)
{
    const char *names[WH_NELEM(units)];
    char digits[WH_SYNTAX_SIZE_TEXT_MAX + 1], list[64];
    struct qbuf q, qu;
    struct span unit;
    uint64_t n = 0, bytes = 0;
    size_t nd = 0, i;

    if (v.len > WH_SYNTAX_SIZE_TEXT_MAX)
        return wh_errf(err, WH_EPARSE, "size %s is longer than %d characters", quote(&q, v),
                       WH_SYNTAX_SIZE_TEXT_MAX);
    while (nd < v.len && is_digit(v.p[nd]))
        nd++;
    if (nd == 0)
        return wh_errf(err, WH_EPARSE, "size %s must start with a whole number (e.g. 200Gi)",
                       quote(&q, v));
    unit = span_of(v.p + nd, v.len - nd);
    if (unit.len > 0 && unit.p[0] == '.')
        return wh_errf(err, WH_EPARSE,
                       "size %s: fractions are not supported, use a smaller unit "
                       "(e.g. 1536Mi, not 1.5Gi)",
                       quote(&q, v));
    i = unit_find(unit);
    if (i == WH_NELEM(units)) {
        for (i = 1; i < WH_NELEM(units); i++)
            names[i - 1] = units[i].suffix;
        return wh_errf(err, WH_EPARSE, "size %s: unit %s is not one of %s (no unit means bytes)",
                       quote(&q, v), quote(&qu, unit),
                       join(list, sizeof(list), names, WH_NELEM(units) - 1));
    }
    copy_span(digits, sizeof(digits), span_of(v.p, nd));
    if (wh_parse_u64(digits, 0, UINT64_MAX, &n) != WH_OK ||
        __builtin_mul_overflow(n, units[i].mult, &bytes) || bytes > WH_SYNTAX_SCRATCH_MAX)
        return wh_errf(err, WH_EPARSE, "size %s is larger than the limit of 1Pi", quote(&q, v));
    if (bytes == 0)
        return wh_errf(err, WH_EPARSE, "size %s must be greater than 0", quote(&q, v));
    copy_span(out->size, sizeof(out->size), v);
    out->bytes = bytes;
    return WH_OK;
}

static int scratch_class(struct span v, struct wh_scratch *out, struct wh_err *err)
{
    struct qbuf q;
    const char *why = subdomain_invalid(v);

    if (why != NULL)
        return wh_errf(err, WH_EPARSE, "storageClass %s is not a DNS subdomain (%s)", quote(&q, v),
                       why);
    copy_span(out->storage_class, sizeof(out->storage_class), v);
    return WH_OK;
}

static int scratch_access(struct span v, struct wh_scratch *out, struct wh_err *err)
{
    char list[64];
    struct qbuf q;
    size_t i;

    for (i = 0; i < WH_NELEM(access_modes); i++) {
        if (span_is(v, access_modes[i])) {
            copy_span(out->access_mode, sizeof(out->access_mode), v);
            return WH_OK;
        }
    }
    return wh_errf(err, WH_EPARSE,
                   "accessMode %s is not one of %s (a scratch volume belongs to "
                   "one pod)",
                   quote(&q, v), join(list, sizeof(list), access_modes, WH_NELEM(access_modes)));
}

typedef int scratch_fn(struct span v, struct wh_scratch *out, struct wh_err *err);

enum { SCRATCH_SIZE, SCRATCH_CLASS, SCRATCH_ACCESS };

static const struct scratch_key {
    const char *name;
    scratch_fn *parse;
} scratch_keys[] = {
    [SCRATCH_SIZE] = { "size", scratch_size },
    [SCRATCH_CLASS] = { "storageClass", scratch_class },
    [SCRATCH_ACCESS] = { "accessMode", scratch_access },
};

/* Index of k in scratch_keys, or WH_NELEM(scratch_keys). */
static size_t scratch_key_find(struct span k)
{
    size_t i;

    for (i = 0; i < WH_NELEM(scratch_keys); i++) {
        if (span_is(k, scratch_keys[i].name))
            break;
    }
    return i;
}

struct scratch_state {
    struct wh_scratch *out;
    bool seen[WH_NELEM(scratch_keys)];
};

static int scratch_unknown(struct span item, size_t idx, struct span k, struct wh_err *err)
{
    const char *names[WH_NELEM(scratch_keys)], *hint;
    char list[64];
    struct qbuf q;
    size_t i;

    for (i = 0; i < WH_NELEM(scratch_keys); i++)
        names[i] = scratch_keys[i].name;
    hint = near_miss_span(k, names, WH_NELEM(names), 2);
    return item_errf(err, idx, item, "unknown key %s%s%s%s (known keys: %s)", quote(&q, k),
                     hint ? "; did you mean \"" : "", hint ? hint : "", hint ? "\"?" : "",
                     join(list, sizeof(list), names, WH_NELEM(names)));
}

static int scratch_item(struct span item, size_t idx, void *arg, struct wh_err *err)
{
    struct scratch_state *st = arg;
    struct span k, v;
    struct qbuf q;
    size_t i;

    if (!split_at(item, '=', &k, &v))
        return item_errf(err, idx, item, "expected key=value");
    if (k.len == 0)
        return item_errf(err, idx, item, "empty key");
    i = scratch_key_find(k);
    if (i == WH_NELEM(scratch_keys))
        return scratch_unknown(item, idx, k, err);
    if (st->seen[i])
        return item_errf(err, idx, item, "key %s is given twice", quote(&q, k));
    if (v.len == 0)
        return item_errf(err, idx, item, "empty value");
    st->seen[i] = true;
    return scratch_keys[i].parse(v, st->out, err);
}

int wh_syntax_scratch(const char *s, struct wh_scratch *out, struct wh_err *err)
{
    struct scratch_state st;
    size_t n = 0;
    int rc;

    if (out == NULL)
        return wh_errf(err, WH_EINVAL, "no output for scratch");
    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return wh_errf(err, WH_EINVAL, "no value to parse");
    memset(&st, 0, sizeof(st));
    st.out = out;
    rc = parse_list(s, scratch_item, &st, &n, err);
    if (rc != WH_OK)
        goto out;
    if (!st.seen[SCRATCH_SIZE]) {
        rc = wh_errf(err, WH_EPARSE, "size is required (e.g. size=200Gi)");
        goto out;
    }
    if (!st.seen[SCRATCH_ACCESS])
        (void)wh_strlcpy(out->access_mode, access_modes[0], sizeof(out->access_mode));
out:
    if (rc != WH_OK)
        memset(out, 0, sizeof(*out));
    return rc;
}

/* ---- secret mounts -------------------------------------------------------- */

static int mount_item(struct span item, size_t idx, void *arg, struct wh_err *err)
{
    struct wh_secret_mount_list *out = arg;
    struct span sec, path;
    struct qbuf q;
    const char *why;
    size_t j;

    if (!split_at(item, ':', &sec, &path))
        return item_errf(err, idx, item, "expected secret:/mount/path");
    if (sec.len == 0)
        return item_errf(err, idx, item, "empty secret name");
    if (path.len == 0)
        return item_errf(err, idx, item, "empty mount path");
    why = subdomain_invalid(sec);
    if (why != NULL)
        return item_errf(err, idx, item, "secret %s is not a DNS subdomain (%s)", quote(&q, sec),
                         why);
    why = mount_path_invalid(path);
    if (why != NULL)
        return item_errf(err, idx, item, "mount path %s %s", quote(&q, path), why);
    for (j = 0; j < idx; j++) {
        if (span_is(path, out->item[j].path))
            return item_errf(err, idx, item, "mount path %s is already used by item %zu",
                             quote(&q, path), j + 1);
    }
    copy_span(out->item[idx].secret, sizeof(out->item[idx].secret), sec);
    copy_span(out->item[idx].path, sizeof(out->item[idx].path), path);
    return WH_OK;
}

int wh_syntax_secret_mounts(const char *s, struct wh_secret_mount_list *out, struct wh_err *err)
{
    if (out == NULL)
        return wh_errf(err, WH_EINVAL, "no output for secret mounts");
    return run_list(s, mount_item, out, sizeof(*out), &out->n, err);
}

/* ---- secret env ----------------------------------------------------------- */

static int env_item(struct span item, size_t idx, void *arg, struct wh_err *err)
{
    struct wh_secret_env_list *out = arg;
    struct span env, ref, sec, key;
    struct qbuf q;
    const char *why;
    size_t j;

    if (!split_at(item, '=', &env, &ref) || !split_at(ref, ':', &sec, &key))
        return item_errf(err, idx, item, "expected ENV=secret:key");
    if (env.len == 0)
        return item_errf(err, idx, item, "empty variable name");
    if (sec.len == 0)
        return item_errf(err, idx, item, "empty secret name");
    if (key.len == 0)
        return item_errf(err, idx, item, "empty secret key");
    if (!c_identifier(env))
        return item_errf(err, idx, item,
                         "variable name %s is not a C identifier ([A-Za-z_][A-Za-z0-9_]*, at "
                         "most 255)",
                         quote(&q, env));
    why = subdomain_invalid(sec);
    if (why != NULL)
        return item_errf(err, idx, item, "secret %s is not a DNS subdomain (%s)", quote(&q, sec),
                         why);
    why = data_key_invalid(key);
    if (why != NULL)
        return item_errf(err, idx, item, "secret key %s %s", quote(&q, key), why);
    for (j = 0; j < idx; j++) {
        if (span_is(env, out->item[j].env))
            return item_errf(err, idx, item, "variable %s is already set by item %zu",
                             quote(&q, env), j + 1);
    }
    copy_span(out->item[idx].env, sizeof(out->item[idx].env), env);
    copy_span(out->item[idx].secret, sizeof(out->item[idx].secret), sec);
    copy_span(out->item[idx].key, sizeof(out->item[idx].key), key);
    return WH_OK;
}

int wh_syntax_secret_env(const char *s, struct wh_secret_env_list *out, struct wh_err *err)
{
    if (out == NULL)
        return wh_errf(err, WH_EINVAL, "no output for secret env");
    return run_list(s, env_item, out, sizeof(*out), &out->n, err);
}

/* ---- bool ----------------------------------------------------------------- */

int wh_syntax_bool(const char *s, bool *out, struct wh_err *err)
{
    struct qbuf q;

    if (s == NULL || out == NULL)
        return wh_errf(err, WH_EINVAL, "no value or output for bool");
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = s[0] == 't';
        return WH_OK;
    }
    return wh_errf(err, WH_EPARSE, "%s is not a boolean: write true or false (lower case)",
                   quote(&q, span_of(s, strnlen(s, QUOTE_CLIP + 1))));
}

/* ---- near miss ------------------------------------------------------------ */

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;

    return m < c ? m : c;
}

/* Optimal string alignment distance of a and b, both at most
 * WH_SYNTAX_NEAR_MISS_MAX bytes: three rolling rows on the stack. */
static size_t osa_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t rows[3][WH_SYNTAX_NEAR_MISS_MAX + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2], *t;
    size_t i, j;

    for (j = 0; j <= lb; j++)
        prev[j] = j;
    for (i = 1; i <= la; i++) {
        cur[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);

            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + cost < d)
                d = pp[j - 2] + cost;
            cur[j] = d;
        }
        t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

static const char *near_miss_span(struct span key, const char *const *known, size_t nknown,
                                  size_t max_dist)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX, i;

    if (key.len > WH_SYNTAX_NEAR_MISS_MAX || known == NULL || max_dist == 0)
        return NULL;
    for (i = 0; i < nknown; i++) {
        size_t len, diff, d;

        if (known[i] == NULL)
            continue;
        len = strnlen(known[i], WH_SYNTAX_NEAR_MISS_MAX + 1);
        if (len > WH_SYNTAX_NEAR_MISS_MAX)
            continue;
        if (len == key.len && memcmp(known[i], key.p, len) == 0)
            return NULL;
        /* The length difference is a lower bound of the distance. */
        diff = len > key.len ? len - key.len : key.len - len;
        if (diff > max_dist || diff >= best_d)
            continue;
        d = osa_distance(key.p, key.len, known[i], len);
        if (d <= max_dist && d < best_d) {
            best_d = d;
            best = known[i];
        }
    }
    return best;
}

const char *wh_syntax_near_miss(const char *key, const char *const *known, size_t nknown,
                                size_t max_dist)
{
    if (key == NULL)
        return NULL;
    return near_miss_span(span_of(key, strnlen(key, WH_SYNTAX_NEAR_MISS_MAX + 1)), known, nknown,
                          max_dist);
}

/* ---- list lookup ---------------------------------------------------------- */

bool wh_syntax_list_contains(const char *list, char sep, const char *name)
{
    size_t len, nlen;
    const char *p, *end;

    if (list == NULL || name == NULL || name[0] == '\0')
        return false;
    len = strnlen(list, WH_SYNTAX_MAX_INPUT + 1);
    nlen = strnlen(name, WH_SYNTAX_MAX_INPUT + 1);
    if (len > WH_SYNTAX_MAX_INPUT || nlen > WH_SYNTAX_MAX_INPUT)
        return false;
    p = list;
    end = list + len;
    for (;;) {
        const char *hit = memchr(p, sep, (size_t)(end - p));
        struct span e = trim(span_of(p, (size_t)((hit ? hit : end) - p)));

        if (e.len == nlen && memcmp(e.p, name, nlen) == 0)
            return true;
        if (hit == NULL)
            return false;
        p = hit + 1;
    }
}

/* ---- single identity values ---------------------------------------------- */

static bool arn_char(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("+=,.@_/-", c) != NULL);
}

bool wh_syntax_role_arn_ok(const char *s)
{
    const char *p;
    size_t i;

    if (strnlen(s, WH_SYNTAX_ARN_MAX + 1) > WH_SYNTAX_ARN_MAX || strncmp(s, "arn:", 4) != 0)
        return false;
    p = s + 4;
    for (i = 0; (p[i] >= 'a' && p[i] <= 'z') || p[i] == '-'; i++)
        ;
    if (i == 0 || strncmp(p + i, ":iam::", 6) != 0)
        return false;
    p += i + 6;
    for (i = 0; i < 12; i++) {
        if (!is_digit(p[i]))
            return false;
    }
    p += 12;
    if (strncmp(p, ":role/", 6) != 0 || p[6] == '\0')
        return false;
    for (p += 6; *p; p++) {
        if (!arn_char(*p))
            return false;
    }
    return p[-1] != '/';
}

static bool hex_digit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool wh_syntax_guid_ok(const char *s)
{
    enum { GUID_LEN = 36 }; /* 8-4-4-4-12 */
    size_t i;

    if (strnlen(s, GUID_LEN + 1) != GUID_LEN)
        return false;
    for (i = 0; i < GUID_LEN; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;

        if (dash ? s[i] != '-' : !hex_digit(s[i]))
            return false;
    }
    return true;
}

bool wh_syntax_gcp_audience_ok(const char *s)
{
    size_t len = strnlen(s, WH_SYNTAX_GCP_AUDIENCE_MAX + 1);
    size_t i;

    if (len > WH_SYNTAX_GCP_AUDIENCE_MAX ||
        (strncmp(s, "//iam.googleapis.com/", 21) != 0 && strncmp(s, "https://", 8) != 0))
        return false;
    for (i = 0; i < len; i++) {
        if (s[i] <= ' ' || s[i] > '~')
            return false;
    }
    return true;
}

bool wh_syntax_aws_region_ok(const char *s)
{
    size_t len = strnlen(s, WH_SYNTAX_AWS_REGION_MAX + 1);
    size_t i;

    if (len == 0 || len > WH_SYNTAX_AWS_REGION_MAX)
        return false;
    for (i = 0; i < len; i++) {
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    }
    return true;
}

const char *wh_syntax_subdomain_invalid(const char *s, size_t len)
{
    return subdomain_invalid(span_of(s, len));
}

const char *wh_syntax_data_key_invalid(const char *s)
{
    return data_key_invalid(span_of(s, strnlen(s, WH_SYNTAX_DATA_KEY_MAX + 1)));
}

int wh_syntax_configmap_ref(const char *s, struct wh_err *err)
{
    const char *colon = strchr(s, ':');
    size_t nlen = colon ? (size_t)(colon - s) : strnlen(s, WH_SYNTAX_SUBDOMAIN_MAX + 1);
    const char *why = wh_syntax_subdomain_invalid(s, nlen);

    if (why != NULL)
        return wh_errf(err, WH_EPARSE, "ConfigMap name \"%.*s\" is not a DNS subdomain (%s)",
                       (int)(nlen < 40 ? nlen : 40), s, why);
    why = colon ? wh_syntax_data_key_invalid(colon + 1) : NULL;
    if (why != NULL)
        return wh_errf(err, WH_EPARSE, "key \"%.40s\" %s", colon + 1, why);
    return WH_OK;
}
