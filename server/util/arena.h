/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.h - a bump allocator for memory that lives exactly as long as one
 * request: the parsed AdmissionReview, the cJSON values the generators build
 * and everything else that is dropped together when the answer is written.
 * Allocation is a pointer bump; there is no per-object free, and
 * wh_arena_reset() drops everything at once while keeping one chunk for the
 * next request, so a request in the steady state calls malloc for none of it.
 *
 * cJSON allocates through hooks (wh_json_init): while a thread has an arena
 * in use (wh_arena_use), every cJSON node that thread creates comes from that
 * arena, and freeing such a node is a no-op. Rule: a cJSON tree built while an
 * arena is in use never outlives the arena's reset; code that keeps cJSON
 * beyond a request (caches, config) builds it with no arena in use.
 *
 * Ownership: the caller owns the arena; memory from it is owned by the arena.
 * Not thread-safe: one arena per thread (wh_arena_thread gives each thread
 * its own, freed when the thread exits).
 */
#ifndef WH_ARENA_H
#define WH_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Under AddressSanitizer every allocation takes the slow path, which
 * unpoisons exactly what it hands out. */
#if defined(__SANITIZE_ADDRESS__)
#define WH_ARENA_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WH_ARENA_CHECKED 1
#endif
#endif

struct wh_arena_chunk;

struct wh_arena {
    struct wh_arena_chunk *head; /* the chunk being filled; older ones follow */
    unsigned char *cur, *lim;    /* head's free space */
    size_t used;                 /* bytes handed out since the last reset */
};

#define WH_ARENA_FIRST (64u * 1024u)   /* the first chunk */
#define WH_ARENA_KEEP  (1024u * 1024u) /* the most a reset keeps for reuse */

void wh_arena_init(struct wh_arena *a);
/* Frees every chunk. */
void wh_arena_cleanup(struct wh_arena *a);

/* n bytes aligned for any type; never NULL (aborts when memory runs out,
 * like wh_xmalloc). The common case, room in the current chunk, is inline. */
void *wh_arena_alloc_slow(struct wh_arena *a, size_t n);

static inline void *wh_arena_alloc(struct wh_arena *a, size_t n)
{
#ifndef WH_ARENA_CHECKED
    size_t r = (n + 15) & ~(size_t)15;

    if (r >= n && r != 0 && (size_t)(a->lim - a->cur) >= r) {
        void *p = a->cur;

        a->cur += r;
        a->used += r;
        return p;
    }
#endif
    return wh_arena_alloc_slow(a, n);
}

/* Drops everything allocated. Keeps one chunk big enough for what the last
 * cycle used (at most WH_ARENA_KEEP), so a steady load allocates nothing. */
void wh_arena_reset(struct wh_arena *a);

/* Whether p points into memory handed out by a. */
bool wh_arena_owns(const struct wh_arena *a, const void *p);

/* The calling thread's own arena, created on first use. */
struct wh_arena *wh_arena_thread(void);

/* Makes a the arena cJSON allocates from on this thread (NULL: the heap);
 * returns the one in use before, for the caller to restore. */
struct wh_arena *wh_arena_use(struct wh_arena *a);
/* The arena in use on this thread, or NULL. */
struct wh_arena *wh_arena_current(void);

#endif
