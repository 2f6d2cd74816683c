/* SPDX-License-Identifier: Apache-2.0
 *
 * str.c - string helpers; see str.h.
 */
#include "util/str.h"

#include <openssl/crypto.h>
#include <string.h>

#include "wh.h"

#include "banned.h"

int wh_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *p;

    if (s == NULL || *s == '\0')
        return WH_EPARSE;
    for (p = s; *p; p++) {
        unsigned d;

        if (*p < '0' || *p > '9')
            return WH_EPARSE;
        d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return WH_ETOOBIG;
        v = v * 10 + d;
    }
    if (v < min || v > max)
        return WH_ETOOBIG;
    *out = v;
    return WH_OK;
}

size_t wh_strlcpy(char *dst, const char *src, size_t dstsize)
{
    size_t n = strlen(src);

    if (dstsize) {
        size_t c = n < dstsize - 1 ? n : dstsize - 1;

        memcpy(dst, src, c);
        dst[c] = '\0';
    }
    return n;
}

bool wh_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen)
        return false;
    return CRYPTO_memcmp(a, b, alen) == 0;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool wh_csv_contains(const char *list, const char *name, size_t len)
{
    const char *p = list;

    while (p && *p) {
        const char *end = strchr(p, ',');
        const char *stop = end ? end : p + strlen(p);
        const char *q = stop;

        while (p < q && is_space(*p))
            p++;
        while (q > p && is_space(q[-1]))
            q--;
        if ((size_t)(q - p) == len && len > 0 && memcmp(p, name, len) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

bool wh_str_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Each 8-byte word is folded in by a rotate, an xor and a multiply (as
 * FxHash does), the tail as a zero-padded word, and the end mixed so that
 * every bit of the result depends on every word. */
uint32_t wh_hash(const char *s, size_t len)
{
    const uint64_t k = 0x9E3779B97F4A7C15ull; /* 2^64 / golden ratio */
    uint64_t h = len * k, w;

    for (; len >= 8; s += 8, len -= 8) {
        memcpy(&w, s, 8);
        h = ((h << 5 | h >> 59) ^ w) * k;
    }
    if (len) {
        w = 0;
        memcpy(&w, s, len);
        h = ((h << 5 | h >> 59) ^ w) * k;
    }
    h ^= h >> 32;
    h *= k;
    return (uint32_t)(h >> 32);
}

uint32_t wh_fnv1a(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}
