/* SPDX-License-Identifier: Apache-2.0
 *
 * b64.c - base64 through OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock, with the
 * size arithmetic checked before anything is written.
 */
#include "util/b64.h"

#include <limits.h>
#include <openssl/evp.h>

#include "banned.h"
#include "wh.h"

int wh_b64_encode(const void *p, size_t len, struct wh_buf *out)
{
    size_t olen;
    char *dst;
    int rc;

    /* 4 * ceil(len / 3), checked; EVP_EncodeBlock takes an int length. */
    if (len > INT_MAX / 2 || __builtin_mul_overflow(len / 3 + (len % 3 != 0), (size_t)4, &olen))
        return WH_ETOOBIG;
    rc = wh_buf_extend(out, olen, &dst);
    if (rc != WH_OK)
        return rc;
    /* Writes olen characters and a NUL, which the buffer has room for. */
    (void)EVP_EncodeBlock((unsigned char *)dst, p, (int)len);
    return WH_OK;
}

int wh_b64_decode(const char *s, size_t len, struct wh_buf *out)
{
    size_t start = out->len;
    size_t pad = 0;
    char *dst;
    int rc;
    int n;

    if (len % 4 != 0 || len > INT_MAX)
        return WH_EPARSE;
    if (len == 0)
        return WH_OK;
    rc = wh_buf_extend(out, len / 4 * 3, &dst);
    if (rc != WH_OK)
        return rc;
    n = EVP_DecodeBlock((unsigned char *)dst, (const unsigned char *)s, (int)len);
    if (n < 0) {
        wh_buf_truncate(out, start);
        return WH_EPARSE;
    }
    /* EVP_DecodeBlock counts padding as zero bytes; drop them. */
    if (s[len - 1] == '=')
        pad++;
    if (s[len - 2] == '=')
        pad++;
    wh_buf_truncate(out, start + (size_t)n - pad);
    return WH_OK;
}
