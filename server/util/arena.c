/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.c - the per-request bump allocator; see arena.h.
 */
#include "util/arena.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "util/mem.h"

#ifdef WH_ARENA_CHECKED
/* Memory of a reset arena is poisoned, so a pointer that outlived its
 * request is caught at its first use. */
#include <sanitizer/asan_interface.h>
#define POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)   ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#include "banned.h"

#define ALIGN 16u

struct wh_arena_chunk {
    struct wh_arena_chunk *next;
    size_t size; /* bytes in mem */
    size_t off;  /* bytes handed out, but for the head (see a->cur) */
    _Alignas(ALIGN) unsigned char mem[];
};

void wh_arena_init(struct wh_arena *a)
{
    a->head = NULL;
    a->cur = a->lim = NULL;
    a->used = 0;
}

/* Makes c the head, its free space the arena's. */
static void set_head(struct wh_arena *a, struct wh_arena_chunk *c)
{
    a->head = c;
    a->cur = c->mem + c->off;
    a->lim = c->mem + c->size;
}

static void free_chunks(struct wh_arena_chunk *c)
{
    while (c) {
        struct wh_arena_chunk *next = c->next;

        free(c);
        c = next;
    }
}

void wh_arena_cleanup(struct wh_arena *a)
{
    free_chunks(a->head);
    wh_arena_init(a);
}

static struct wh_arena_chunk *new_chunk(size_t size, struct wh_arena_chunk *next)
{
    struct wh_arena_chunk *c;

    if (size > SIZE_MAX - sizeof(*c))
        size = SIZE_MAX - sizeof(*c); /* wh_xmalloc then aborts */
    c = wh_xmalloc(sizeof(*c) + size);
    c->next = next;
    c->size = size;
    c->off = 0;
    POISON(c->mem, size);
    return c;
}

void *wh_arena_alloc_slow(struct wh_arena *a, size_t n)
{
    struct wh_arena_chunk *c = a->head;
    void *p;

    n = n ? (n + ALIGN - 1) & ~(size_t)(ALIGN - 1) : ALIGN;
    if (n < ALIGN) /* the rounding wrapped: no arena holds that */
        n = SIZE_MAX;
    if (c)
        c->off = (size_t)(a->cur - c->mem);
    if (c == NULL || c->size - c->off < n) {
        size_t size = c ? c->size * 2 : WH_ARENA_FIRST;

        if (size < n)
            size = n;
        c = new_chunk(size, c);
        set_head(a, c);
    }
    p = a->cur;
    a->cur += n;
    a->used += n;
    UNPOISON(p, n);
    return p;
}

void wh_arena_reset(struct wh_arena *a)
{
    struct wh_arena_chunk *c = a->head;
    size_t keep = WH_ARENA_FIRST;

    if (c == NULL)
        return;
    if (c->next == NULL && c->size <= WH_ARENA_KEEP) { /* everything fitted: reuse it */
        POISON(c->mem, (size_t)(a->cur - c->mem));
        c->off = 0;
        set_head(a, c);
        a->used = 0;
        return;
    }
    /* Several chunks, or one too big to keep: replace them by one that holds
     * what this cycle used (at most WH_ARENA_KEEP), so the next cycle like it
     * fits in one. */
    while (keep < a->used && keep < WH_ARENA_KEEP)
        keep *= 2;
    free_chunks(c);
    set_head(a, new_chunk(keep, NULL));
    a->used = 0;
}

bool wh_arena_owns(const struct wh_arena *a, const void *p)
{
    const struct wh_arena_chunk *c;
    uintptr_t u = (uintptr_t)p;

    for (c = a->head; c; c = c->next) {
        size_t off = c == a->head ? (size_t)(a->cur - c->mem) : c->off;

        if (u >= (uintptr_t)c->mem && u < (uintptr_t)c->mem + off)
            return true;
    }
    return false;
}

/* ---- the thread's arena, and the one cJSON uses ------------------------ */

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;
static _Thread_local struct wh_arena *thread_arena;
static _Thread_local struct wh_arena *current;

static void thread_exit(void *p)
{
    wh_arena_cleanup(p);
    free(p);
}

static void make_key(void)
{
    if (pthread_key_create(&thread_key, thread_exit) != 0)
        abort();
}

struct wh_arena *wh_arena_thread(void)
{
    if (thread_arena == NULL) {
        (void)pthread_once(&thread_once, make_key);
        thread_arena = wh_xmalloc(sizeof(*thread_arena));
        wh_arena_init(thread_arena);
        (void)pthread_setspecific(thread_key, thread_arena);
    }
    return thread_arena;
}

struct wh_arena *wh_arena_use(struct wh_arena *a)
{
    struct wh_arena *before = current;

    current = a;
    return before;
}

struct wh_arena *wh_arena_current(void)
{
    return current;
}
