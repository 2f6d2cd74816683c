/* SPDX-License-Identifier: Apache-2.0
 *
 * b64.c - base64: encoding by a table of character pairs (every answer's
 * patch goes through it), decoding through OpenSSL's EVP_DecodeBlock; the
 * size arithmetic checked before anything is written.
 */
#include "util/b64.h"

#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"
#include "wh.h"

#include "banned.h"

static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The two characters of each 12-bit value: three input bytes are two
 * lookups and two 2-byte copies (with one character per lookup, four and
 * four). 8 KiB, filled once. */
static char pairs[4096][2];
static pthread_once_t pairs_once = PTHREAD_ONCE_INIT;

static void fill_pairs(void)
{
    unsigned v;

    for (v = 0; v < 4096; v++) {
        pairs[v][0] = abc[v >> 6];
        pairs[v][1] = abc[v & 63];
    }
}

int wh_b64_encode(const void *p, size_t len, struct wh_buf *out)
{
    const unsigned char *in = p;
    size_t olen, i;
    char *dst;
    int rc;

    /* 4 * ceil(len / 3), checked */
    if (__builtin_mul_overflow(len / 3 + (len % 3 != 0), (size_t)4, &olen))
        return WH_ETOOBIG;
    rc = wh_buf_extend(out, olen, &dst);
    if (rc != WH_OK)
        return rc;
    (void)pthread_once(&pairs_once, fill_pairs);
    for (i = 0; i + 3 <= len; i += 3, dst += 4) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

        memcpy(dst, pairs[v >> 12], 2);
        memcpy(dst + 2, pairs[v & 4095], 2);
    }
    if (i < len) { /* one or two bytes left: padded */
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);

        dst[0] = abc[v >> 18];
        dst[1] = abc[v >> 12 & 63];
        dst[2] = i + 1 < len ? abc[v >> 6 & 63] : '=';
        dst[3] = '=';
    }
    return WH_OK;
}

/* Decoded length of standard padded base64, or -1 when the shape is wrong
 * ('=' only as the last one or two characters). */
static long decoded_len(const char *s, size_t len)
{
    size_t pad = 0;
    size_t i;

    if (len % 4 != 0)
        return -1;
    if (len && s[len - 1] == '=')
        pad++;
    if (len > 1 && s[len - 2] == '=')
        pad++;
    for (i = 0; i + pad < len; i++) {
        if (s[i] == '=')
            return -1;
    }
    return (long)(len / 4 * 3 - pad);
}

int wh_b64_decode(const char *s, size_t len, struct wh_buf *out)
{
    unsigned char *tmp;
    long n = decoded_len(s, len);
    char *dst;
    int rc;

    if (n < 0 || len > INT_MAX)
        return WH_EPARSE;
    if (n == 0)
        return WH_OK;
    /* EVP_DecodeBlock writes whole groups, padding included: decode aside so
     * only the real bytes count against out's cap. */
    tmp = wh_xmalloc(len / 4 * 3);
    if (EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len) < 0) {
        free(tmp);
        return WH_EPARSE;
    }
    rc = wh_buf_extend(out, (size_t)n, &dst);
    if (rc == WH_OK)
        memcpy(dst, tmp, (size_t)n);
    free(tmp);
    return rc;
}
