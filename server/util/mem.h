/* SPDX-License-Identifier: Apache-2.0
 *
 * mem.h - allocation that never returns NULL. Every input this program reads
 * is capped, so running out of memory means the process is sick: these
 * functions print one line and abort() instead of handing the caller an error
 * branch that would never be tested. The caller owns what they return and
 * releases it with free().
 */
#ifndef WH_MEM_H
#define WH_MEM_H

#include <stddef.h>

void *wh_xmalloc(size_t n);
void *wh_xcalloc(size_t n, size_t size);
void *wh_xrealloc(void *p, size_t n);
char *wh_xstrdup(const char *s);
/* Copies len bytes of s and adds a terminating NUL. */
char *wh_xstrndup(const char *s, size_t len);
/* Allocates n * size bytes, aborting if the product overflows. */
void *wh_alloc_array(size_t n, size_t size);
/* Grows p to n * size bytes, aborting if the product overflows. */
void *wh_realloc_array(void *p, size_t n, size_t size);

#endif
