/* SPDX-License-Identifier: Apache-2.0
 *
 * check.c - the test runner behind check.h.
 */
#include "check.h"

#include <stdbool.h>

jmp_buf check_jmp;
int check_failed_here;

int check_json_equal(const char *a, const char *b)
{
    cJSON *ja = a ? cJSON_Parse(a) : NULL;
    cJSON *jb = b ? cJSON_Parse(b) : NULL;
    int eq = ja && jb && cJSON_Compare(ja, jb, 1);

    cJSON_Delete(ja);
    cJSON_Delete(jb);
    return eq;
}

/* Runs every test whose name contains argv[1] (all without an argument). */
int check_run(const struct check_test *tests, size_t n, int argc, char **argv)
{
    /* volatile: the counters live across setjmp/longjmp. */
    volatile size_t passed = 0, failed = 0;
    size_t i;

    wh_json_init();
    for (i = 0; i < n; i++) {
        if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
            continue;
        check_failed_here = 0;
        if (setjmp(check_jmp) == 0)
            tests[i].fn();
        if (check_failed_here) {
            (void)fprintf(stderr, "FAIL %s\n", tests[i].name);
            failed++;
        } else {
            (void)fprintf(stderr, "ok   %s\n", tests[i].name);
            passed++;
        }
    }
    (void)printf("%zu passed, %zu failed\n", passed, failed);
    return failed ? 1 : 0;
}
