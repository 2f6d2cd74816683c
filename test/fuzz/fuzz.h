/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz.h - shared by the fuzz targets: the libFuzzer entry point, an
 * invariant check that aborts (so that libFuzzer and the replay driver both
 * report it as a crash, with the input saved), and a helper that copies the
 * input into a NUL-terminated heap buffer of exactly size + 1 bytes (the
 * project's parsers want text followed by a NUL; ASan then catches a read
 * past it).
 *
 * A target checks invariants, not just "did not crash" (h2o fuzz/driver_url.cc):
 * every FUZZ_CHECK states what must hold for any input.
 */
#ifndef WH_FUZZ_H
#define WH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                                      \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            (void)fprintf(stderr, "%s:%d: invariant violated: %s\n  ", __FILE__, __LINE__, #cond); \
            (void)fprintf(stderr, __VA_ARGS__);                                                    \
            (void)fputc('\n', stderr);                                                             \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Routes cJSON through wh_xmalloc, as the server does; call at the start of
 * every input (cheap, and the replay driver needs no hook of its own). */
static inline void fuzz_init(void)
{
    static int done;

    if (!done) {
        wh_json_init();
        done = 1;
    }
}

/* Returns a malloc'd copy of data with a NUL after size bytes. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    char *s = wh_xmalloc(size + 1);

    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
