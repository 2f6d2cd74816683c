/* SPDX-License-Identifier: Apache-2.0
 *
 * mem.c - allocate or abort; see mem.h.
 */
#include "util/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static void oom(size_t n)
{
    (void)fprintf(stderr, "{\"level\":\"fatal\",\"msg\":\"out of memory allocating %zu bytes\"}\n",
                  n);
    abort();
}

void *wh_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL)
        oom(n);
    return p;
}

void *wh_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        oom(n * size);
    return p;
}

void *wh_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        oom(n);
    return q;
}

char *wh_xstrndup(const char *s, size_t len)
{
    char *p = wh_xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *wh_xstrdup(const char *s)
{
    return wh_xstrndup(s, strlen(s));
}

void *wh_alloc_array(size_t n, size_t size)
{
    size_t total;

    if (__builtin_mul_overflow(n, size, &total))
        oom(SIZE_MAX);
    return wh_xmalloc(total);
}

void *wh_realloc_array(void *p, size_t n, size_t size)
{
    size_t total;

    if (__builtin_mul_overflow(n, size, &total))
        oom(SIZE_MAX);
    return wh_xrealloc(p, total);
}
