/* SPDX-License-Identifier: Apache-2.0
 *
 * replay_main.c - runs a fuzz target without libFuzzer (after cJSON's
 * fuzzing/fuzz_main.c): every regular file named on the command line, and
 * every regular file inside a directory named there (in name order, not
 * recursively), is passed to LLVMFuzzerTestOneInput once. Linked with each
 * fuzz_<target>.c into <target>_replay, so the corpora are replayed as
 * ordinary tests by any compiler; an invariant violation aborts the process.
 *
 * usage: <target>_replay FILE_OR_DIR...
 * Exits 0 after replaying at least one input, 2 on a usage or read error.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util/buf.h"
#include "util/file.h"
#include "wh.h"

#include "banned.h"

#define REPLAY_MAX_FILE (16u * 1024u * 1024u)

static int replay_file(const char *path)
{
    struct wh_buf b;
    struct wh_err err;
    int rc;

    wh_buf_init(&b, REPLAY_MAX_FILE);
    rc = wh_file_read(path, &b, &err);
    if (rc != WH_OK) {
        (void)fprintf(stderr, "replay: %s\n", err.msg);
    } else {
        /* A copy of exactly len bytes, as libFuzzer passes (no NUL after). */
        uint8_t *copy = wh_xmalloc(b.len ? b.len : 1);

        memcpy(copy, wh_buf_str(&b), b.len);
        (void)LLVMFuzzerTestOneInput(copy, b.len);
        free(copy);
    }
    wh_buf_cleanup(&b);
    return rc == WH_OK ? 0 : -1;
}

/* dir + "/" + name, malloc'd. */
static char *path_in(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = wh_xmalloc(dl + nl + 2);

    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the regular files of dir in name order; returns the count or -1. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, alloc = 0, i;
    long done = 0;

    if (d == NULL) {
        (void)fprintf(stderr, "replay: cannot open directory %s\n", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            names = wh_realloc_array(names, alloc, sizeof(*names));
        }
        names[n++] = wh_xstrdup(e->d_name);
    }
    (void)closedir(d);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (i = 0; i < n; i++) {
        char *path = path_in(dir, names[i]);
        struct stat st;

        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(path) != 0)
                done = -1;
            else if (done >= 0)
                done++;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    long total = 0;
    int i;

    if (argc < 2) {
        (void)fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;
        long n;

        if (stat(argv[i], &st) != 0) {
            (void)fprintf(stderr, "replay: cannot stat %s\n", argv[i]);
            return 2;
        }
        n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) == 0 ? 1 : -1;
        if (n < 0)
            return 2;
        total += n;
    }
    printf("replayed %ld inputs\n", total);
    return total > 0 ? 0 : 2;
}
