/* SPDX-License-Identifier: Apache-2.0
 *
 * test_arena.c - util/arena: alignment, zero-size and large allocations,
 * growth past the first chunk, what a reset keeps (one chunk that holds the
 * last cycle, at most WH_ARENA_KEEP), wh_arena_owns, the per-thread arena and
 * wh_arena_use, wh_json_drop, and (in ASan builds) the poisoning of reset
 * memory.
 *
 * The arena's chunks are not visible through the API, so a chunk is observed
 * by the addresses it hands out: allocations in one chunk are contiguous
 * (each starts where the one before ended, rounded to 16), and two chunks
 * never touch (each is a separate malloc with a header and the allocator's
 * own bookkeeping in between). Memory still in use when a test fails is left
 * to valgrind and ASan, which run this in CI.
 */
#include <pthread.h>
#include <stdint.h>

#include "check.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#include "banned.h"

#define ALIGN 16u

static size_t round16(size_t n)
{
    return n ? (n + ALIGN - 1) / ALIGN * ALIGN : ALIGN;
}

static int aligned(const void *p)
{
    return (uintptr_t)p % ALIGN == 0;
}

static void test_alloc_aligned(void)
{
    struct wh_arena a;
    unsigned char *p[200];
    size_t i;

    wh_arena_init(&a);
    for (i = 0; i < WH_NELEM(p); i++) {
        size_t n = i % 50 + (i % 7 == 0 ? 1000 : 0);

        p[i] = wh_arena_alloc(&a, n);
        CHECK(aligned(p[i]));
        CHECK(wh_arena_owns(&a, p[i]));
        memset(p[i], (int)(i & 0xff), n); /* writable, no overlap: checked below */
    }
    for (i = 0; i < WH_NELEM(p); i++) {
        size_t n = i % 50 + (i % 7 == 0 ? 1000 : 0), j;

        for (j = 0; j < n; j++)
            CHECK_EQ(p[i][j], i & 0xff);
    }
    /* Odd sizes in a row stay aligned and end on the rounded size. */
    for (i = 1; i < 40; i++) {
        unsigned char *x = wh_arena_alloc(&a, i), *y = wh_arena_alloc(&a, 1);

        CHECK(aligned(x) && aligned(y));
        CHECK(y == x + round16(i));
    }
    wh_arena_cleanup(&a);
}

static void test_alloc_zero_size(void)
{
    struct wh_arena a;
    void *p, *q;

    wh_arena_init(&a);
    p = wh_arena_alloc(&a, 0);
    q = wh_arena_alloc(&a, 0);
    CHECK(p != NULL && q != NULL);
    CHECK(p != q);
    CHECK(aligned(p) && aligned(q));
    CHECK(wh_arena_owns(&a, p) && wh_arena_owns(&a, q));
    wh_arena_cleanup(&a);
}

static void test_alloc_grows_past_first_chunk(void)
{
    struct wh_arena a;
    unsigned char *first, *p = NULL, *big, *after;
    size_t i, n = 2 * WH_ARENA_FIRST / 1024;

    wh_arena_init(&a);
    first = wh_arena_alloc(&a, 1024);
    memset(first, 0xa5, 1024);
    for (i = 1; i < n; i++) {
        p = wh_arena_alloc(&a, 1024);
        memset(p, (int)(i & 0xff), 1024);
        CHECK(aligned(p));
    }
    CHECK(wh_arena_owns(&a, first) && wh_arena_owns(&a, p));
    CHECK_EQ(first[1023], 0xa5);
    /* One allocation larger than any chunk so far. */
    big = wh_arena_alloc(&a, 3 * WH_ARENA_FIRST + 5);
    memset(big, 0x5a, 3 * WH_ARENA_FIRST + 5);
    CHECK(aligned(big));
    CHECK(wh_arena_owns(&a, big) && wh_arena_owns(&a, big + 3 * WH_ARENA_FIRST + 4));
    after = wh_arena_alloc(&a, 16);
    CHECK(wh_arena_owns(&a, after));
    CHECK(wh_arena_owns(&a, first) && wh_arena_owns(&a, p));
    CHECK_EQ(first[0], 0xa5);
    CHECK_EQ(p[1023], (n - 1) & 0xff);
    wh_arena_cleanup(&a);
}

/* A mixed allocation pattern of about 13 * WH_ARENA_FIRST (less than
 * WH_ARENA_KEEP): several chunks on a fresh arena. */
static size_t pattern_size(size_t i)
{
    static const size_t sizes[] = { 24, 64, 7, 4096, 100, 0, 33, 1500, 16, 200 };

    return sizes[i % WH_NELEM(sizes)] + (i % 97 == 0 ? 20000 : 0);
}

#define PATTERN_N 1000

/* Runs the pattern; returns how many allocations followed the one before
 * contiguously (PATTERN_N - 1 when the whole pattern fitted in one chunk),
 * and the first address in *firstp. */
static size_t run_pattern(struct wh_arena *a, unsigned char **firstp)
{
    unsigned char *prev = NULL;
    size_t i, contiguous = 0;

    for (i = 0; i < PATTERN_N; i++) {
        size_t n = pattern_size(i);
        unsigned char *p = wh_arena_alloc(a, n);

        memset(p, 0x11, n);
        if (i == 0)
            *firstp = p;
        else if (p == prev + round16(pattern_size(i - 1)))
            contiguous++;
        prev = p;
    }
    return contiguous;
}

static void test_reset_keeps_one_chunk_that_fits(void)
{
    struct wh_arena a;
    unsigned char *first1, *first2, *first3;
    size_t total = 0, i;

    for (i = 0; i < PATTERN_N; i++)
        total += round16(pattern_size(i));
    CHECK(total > 4 * WH_ARENA_FIRST && total < WH_ARENA_KEEP);

    wh_arena_init(&a);
    CHECK(run_pattern(&a, &first1) < PATTERN_N - 1); /* several chunks */
    wh_arena_reset(&a);
    CHECK(!wh_arena_owns(&a, first1));
    /* After the reset the same pattern fits in the one chunk kept... */
    CHECK_EQ(run_pattern(&a, &first2), PATTERN_N - 1);
    wh_arena_reset(&a);
    /* ...and the next cycle reuses that chunk: no new one. */
    CHECK_EQ(run_pattern(&a, &first3), PATTERN_N - 1);
    CHECK(first3 == first2);
    wh_arena_cleanup(&a);
}

static void test_reset_single_chunk_reused(void)
{
    struct wh_arena a;
    unsigned char *p, *q;
    int round;

    wh_arena_init(&a);
    wh_arena_reset(&a); /* on an empty arena: nothing to do */
    p = wh_arena_alloc(&a, 100);
    (void)wh_arena_alloc(&a, WH_ARENA_FIRST / 2);
    for (round = 0; round < 3; round++) {
        wh_arena_reset(&a);
        CHECK(!wh_arena_owns(&a, p));
        q = wh_arena_alloc(&a, 100);
        CHECK(q == p);
        CHECK(wh_arena_owns(&a, q));
        (void)wh_arena_alloc(&a, WH_ARENA_FIRST / 2);
    }
    wh_arena_cleanup(&a);
}

/* The bytes the chunk kept by the last reset holds: 4 KiB allocations until
 * one lands elsewhere (capped at 8 * WH_ARENA_KEEP). */
static size_t kept_capacity(struct wh_arena *a)
{
    unsigned char *prev = wh_arena_alloc(a, 4096);
    size_t n = 4096;

    while (n < 8 * WH_ARENA_KEEP) {
        unsigned char *p = wh_arena_alloc(a, 4096);

        if (p != prev + 4096)
            break;
        n += 4096;
        prev = p;
    }
    return n;
}

/* A cycle of many chunks keeps no more than WH_ARENA_KEEP. */
static void test_reset_keep_cap_many_chunks(void)
{
    struct wh_arena a;
    size_t i;

    wh_arena_init(&a);
    for (i = 0; i < 4 * WH_ARENA_KEEP / 65536; i++)
        (void)wh_arena_alloc(&a, 65536);
    wh_arena_reset(&a);
    CHECK_EQ(kept_capacity(&a), WH_ARENA_KEEP);
    wh_arena_cleanup(&a);
}

/* One allocation bigger than WH_ARENA_KEEP on a fresh arena makes a single
 * chunk of its size; the reset must not keep all of it either. */
static void test_reset_keep_cap_single_big_chunk(void)
{
    struct wh_arena a;
    size_t kept;

    wh_arena_init(&a);
    (void)wh_arena_alloc(&a, 4 * WH_ARENA_KEEP);
    wh_arena_reset(&a);
    kept = kept_capacity(&a);
    wh_arena_cleanup(&a);
    CHECK(kept <= WH_ARENA_KEEP);
}

static void test_owns(void)
{
    struct wh_arena a;
    unsigned char *p, *q;
    int on_stack = 0;
    char *heap = wh_xmalloc(16);

    wh_arena_init(&a);
    CHECK(!wh_arena_owns(&a, heap)); /* no chunk at all */
    CHECK(!wh_arena_owns(&a, NULL));
    p = wh_arena_alloc(&a, 20);
    CHECK(wh_arena_owns(&a, p));
    CHECK(wh_arena_owns(&a, p + 19));
    CHECK(wh_arena_owns(&a, p + 31));  /* the rounding is handed out too */
    CHECK(!wh_arena_owns(&a, p + 32)); /* not yet handed out */
    CHECK(!wh_arena_owns(&a, p - 1));
    CHECK(!wh_arena_owns(&a, heap));
    CHECK(!wh_arena_owns(&a, &on_stack));
    CHECK(!wh_arena_owns(&a, NULL));
    q = wh_arena_alloc(&a, 2 * WH_ARENA_FIRST); /* a second chunk */
    CHECK(wh_arena_owns(&a, p) && wh_arena_owns(&a, q));
    CHECK(!wh_arena_owns(&a, heap));
    /* Memory from before a reset is no longer the arena's. */
    wh_arena_reset(&a);
    CHECK(!wh_arena_owns(&a, p));
    CHECK(!wh_arena_owns(&a, q));
    p = wh_arena_alloc(&a, 20);
    wh_arena_reset(&a); /* the single-chunk reset */
    CHECK(!wh_arena_owns(&a, p));
    wh_arena_cleanup(&a);
    CHECK(!wh_arena_owns(&a, p));
    free(heap);
}

/* wh_json_drop leaves a tree in the arena in use to the arena's reset, without
 * walking it, and deletes a tree on the heap. To see that the arena's tree is
 * not walked, it is given a heap leaf (against arena.h's rule): a walk would
 * free the leaf, and the reads and the delete below would be a use after
 * free and a double free. */
static void test_json_drop(void)
{
    struct wh_arena a;
    cJSON *heap_tree, *arena_tree, *leaf;

    wh_arena_init(&a);
    wh_json_drop(NULL);
    heap_tree = cJSON_CreateObject(); /* no arena in use: on the heap */
    (void)cJSON_AddStringToObject(heap_tree, "k", "v");
    leaf = cJSON_CreateString("on the heap");
    CHECK(!wh_arena_owns(&a, heap_tree) && !wh_arena_owns(&a, leaf));
    (void)wh_arena_use(&a);
    arena_tree = cJSON_CreateArray();
    CHECK(wh_arena_owns(&a, arena_tree));
    CHECK(cJSON_AddItemToArray(arena_tree, leaf));
    wh_json_drop(arena_tree);
    CHECK_STR_EQ(leaf->valuestring, "on the heap");
    wh_json_drop(heap_tree); /* deleted: valgrind and LeakSanitizer see a leak otherwise */
    (void)wh_arena_use(NULL);
    leaf->prev = leaf->next = NULL;
    cJSON_Delete(leaf);
    wh_arena_cleanup(&a);
}

/* ---- the thread's arena and wh_arena_use -------------------------------- */

struct thread_result {
    pthread_barrier_t *barrier;
    struct wh_arena *arena;
    int same_twice;    /* wh_arena_thread returned the same arena twice */
    int current_empty; /* no arena in use when the thread started */
    int cjson_in_own;  /* cJSON allocated from the thread's arena */
    cJSON *node;
};

static void *thread_main(void *arg)
{
    struct thread_result *r = arg;
    struct wh_arena *a;

    r->current_empty = wh_arena_current() == NULL;
    a = wh_arena_thread();
    r->same_twice = a != NULL && wh_arena_thread() == a;
    r->arena = a;
    (void)wh_arena_use(a);
    r->node = cJSON_CreateString("in the thread's arena");
    r->cjson_in_own = wh_arena_owns(a, r->node) && wh_arena_owns(a, r->node->valuestring);
    (void)wh_arena_alloc(a, 3 * WH_ARENA_FIRST); /* more than one chunk to free */
    /* Both threads hold their arenas here, so the addresses are comparable. */
    (void)pthread_barrier_wait(r->barrier);
    (void)pthread_barrier_wait(r->barrier);
    (void)wh_arena_use(NULL);
    return NULL;
}

/* Each thread gets its own arena, the same on every call, freed when the
 * thread exits (valgrind and LeakSanitizer would report it otherwise). */
static void test_thread_arenas(void)
{
    pthread_barrier_t barrier;
    struct thread_result r[2];
    pthread_t t[2];
    int i;

    memset(r, 0, sizeof(r));
    CHECK_EQ(pthread_barrier_init(&barrier, NULL, 3), 0);
    CHECK(wh_arena_use(NULL) == NULL);
    for (i = 0; i < 2; i++) {
        r[i].barrier = &barrier;
        CHECK_EQ(pthread_create(&t[i], NULL, thread_main, &r[i]), 0);
    }
    (void)pthread_barrier_wait(&barrier);
    CHECK(r[0].arena != NULL && r[1].arena != NULL);
    CHECK(r[0].arena != r[1].arena);
    CHECK(r[0].same_twice && r[1].same_twice);
    CHECK(r[0].current_empty && r[1].current_empty);
    CHECK(r[0].cjson_in_own && r[1].cjson_in_own);
    CHECK(!wh_arena_owns(r[0].arena, r[1].node) && !wh_arena_owns(r[1].arena, r[0].node));
    CHECK(wh_arena_current() == NULL); /* the threads' use left this one alone */
    (void)pthread_barrier_wait(&barrier);
    for (i = 0; i < 2; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    CHECK_EQ(pthread_barrier_destroy(&barrier), 0);
}

static void *thread_use(void *arg)
{
    struct wh_arena *a = arg;

    /* Another thread's wh_arena_use is not seen here. */
    return wh_arena_current() == NULL && wh_arena_use(a) == NULL && wh_arena_current() == a ? a
                                                                                            : NULL;
}

static void test_use_returns_previous(void)
{
    struct wh_arena a, b;
    pthread_t t;
    void *ret = NULL;

    wh_arena_init(&a);
    wh_arena_init(&b);
    CHECK(wh_arena_current() == NULL);
    CHECK(wh_arena_use(&a) == NULL);
    CHECK(wh_arena_current() == &a);
    CHECK(wh_arena_use(&b) == &a);
    CHECK(wh_arena_current() == &b);
    CHECK_EQ(pthread_create(&t, NULL, thread_use, &a), 0);
    CHECK_EQ(pthread_join(t, &ret), 0);
    CHECK(ret == &a);
    CHECK(wh_arena_current() == &b);
    CHECK(wh_arena_use(&b) == &b);
    CHECK(wh_arena_use(NULL) == &b);
    CHECK(wh_arena_current() == NULL);
    CHECK(wh_arena_use(NULL) == NULL);
    wh_arena_cleanup(&a);
    wh_arena_cleanup(&b);
}

/* In an ASan build, reset memory is poisoned: a pointer kept past its
 * request is caught at its first use. Elsewhere this checks nothing. */
static void test_reset_poisons(void)
{
#ifdef TEST_ASAN
    struct wh_arena a;
    unsigned char *p, *q, *big;

    wh_arena_init(&a);
    p = wh_arena_alloc(&a, 40);
    CHECK(!__asan_address_is_poisoned(p) && !__asan_address_is_poisoned(p + 39));
    CHECK(__asan_address_is_poisoned(p + 48)); /* not handed out yet */
    wh_arena_reset(&a);                        /* one chunk: reused */
    CHECK(__asan_address_is_poisoned(p));
    q = wh_arena_alloc(&a, 16);
    CHECK(q == p && !__asan_address_is_poisoned(q));
    CHECK(__asan_address_is_poisoned(p + 16));
    big = wh_arena_alloc(&a, 2 * WH_ARENA_FIRST);
    wh_arena_reset(&a); /* several chunks: replaced by a new one */
    q = wh_arena_alloc(&a, 16);
    CHECK(!__asan_address_is_poisoned(q));
    CHECK(__asan_address_is_poisoned(q + 16));
    (void)big;
    wh_arena_cleanup(&a);
#endif
}

static const struct check_test tests[] = {
    CHECK_TEST(test_alloc_aligned),
    CHECK_TEST(test_alloc_zero_size),
    CHECK_TEST(test_alloc_grows_past_first_chunk),
    CHECK_TEST(test_reset_keeps_one_chunk_that_fits),
    CHECK_TEST(test_reset_single_chunk_reused),
    CHECK_TEST(test_reset_keep_cap_many_chunks),
    CHECK_TEST(test_reset_keep_cap_single_big_chunk),
    CHECK_TEST(test_owns),
    CHECK_TEST(test_json_drop),
    CHECK_TEST(test_thread_arenas),
    CHECK_TEST(test_use_returns_previous),
    CHECK_TEST(test_reset_poisons),
};

CHECK_MAIN(tests)
