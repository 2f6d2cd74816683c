/* SPDX-License-Identifier: Apache-2.0
 *
 * json_scan.h - the scan both JSON directions share, private to util/: the
 * end of a run of bytes a JSON string holds as they are (no quote, no
 * backslash, no control character), and those three kinds of bytes in 64
 * at once, as bit masks. Strings are most of a review's bytes, in and out;
 * with SSE2 (every x86-64) the scan takes 16 at a time.
 */
#ifndef WH_JSON_SCAN_H
#define WH_JSON_SCAN_H

#include <stdint.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* 1 for the bytes that end a plain run. */
static const unsigned char wh_json_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, ['\\'] = 1,
};

/* The first byte in [p, end) that ends a plain run, or end. */
static inline const unsigned char *wh_json_plain_end(const unsigned char *p,
                                                     const unsigned char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f), zero = _mm_setzero_si128();

    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* x <= 0x1f exactly when the saturating x - 0x1f is 0 */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmpeq_epi8(_mm_subs_epu8(x, ctl), zero));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);

        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (p < end && !wh_json_stop[*p])
        p++;
    return p;
}

/* The quotes, backslashes and control bytes among the 64 bytes at p: bit i
 * of each mask for p[i]. */
struct wh_json_bits {
    uint64_t quote, bslash, ctl;
};

static inline struct wh_json_bits wh_json_classify(const unsigned char *p)
{
    struct wh_json_bits b = { 0, 0, 0 };
    int i;
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f), zero = _mm_setzero_si128();

    for (i = 0; i < 64; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));

        b.quote |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, quote)) << i;
        b.bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, bslash)) << i;
        b.ctl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_subs_epu8(x, ctl), zero))
                 << i;
    }
#else
    for (i = 0; i < 64; i++) {
        b.quote |= (uint64_t)(p[i] == '"') << i;
        b.bslash |= (uint64_t)(p[i] == '\\') << i;
        b.ctl |= (uint64_t)(p[i] < 0x20) << i;
    }
#endif
    return b;
}

#endif
