/* SPDX-License-Identifier: Apache-2.0
 *
 * check.h - the project's test harness (after libuv's task.h): a table of
 * tests per binary, assertions that print both operands with file and line,
 * and a closing "N passed, N failed" line. A failed check ends its test (not
 * the binary); main() returns non-zero when any test failed.
 *
 * Use:
 *   static void test_x(void) { CHECK_EQ(1 + 1, 2); CHECK_STR_EQ(s, "a"); }
 *   static const struct check_test tests[] = { CHECK_TEST(test_x), };
 *   CHECK_MAIN(tests)
 */
#ifndef WH_CHECK_H
#define WH_CHECK_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "wh.h"

struct check_test {
    const char *name;
    void (*fn)(void);
};

#define CHECK_TEST(fn) \
    {                  \
#fn, fn        \
    }

extern jmp_buf check_jmp;
extern int check_failed_here;

#define CHECK_FAIL_(...)                                        \
    do {                                                        \
        (void)fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
        (void)fprintf(stderr, __VA_ARGS__);                     \
        (void)fputc('\n', stderr);                              \
        check_failed_here = 1;                                  \
        longjmp(check_jmp, 1);                                  \
    } while (0)

#define CHECK(cond)                                 \
    do {                                            \
        if (!(cond))                                \
            CHECK_FAIL_("CHECK(%s) failed", #cond); \
    } while (0)

#define CHECK_EQ(a, b)                                                     \
    do {                                                                   \
        long long a_ = (long long)(a), b_ = (long long)(b);                \
        if (a_ != b_)                                                      \
            CHECK_FAIL_("CHECK_EQ(%s, %s): %lld != %lld", #a, #b, a_, b_); \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                 \
    do {                                                                                   \
        const char *a_ = (a), *b_ = (b);                                                   \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                               \
            CHECK_FAIL_("CHECK_STR_EQ(%s, %s):\n    got  \"%s\"\n    want \"%s\"", #a, #b, \
                        a_ ? a_ : "(null)", b_ ? b_ : "(null)");                           \
    } while (0)

#define CHECK_OK(rc)                                                                     \
    do {                                                                                 \
        int rc_ = (rc);                                                                  \
        if (rc_ != WH_OK)                                                                \
            CHECK_FAIL_("CHECK_OK(%s): %s (%s)", #rc, wh_rcname(rc_), wh_strerror(rc_)); \
    } while (0)

#define CHECK_RC(rc, want)                                                                    \
    do {                                                                                      \
        int rc_ = (rc), w_ = (want);                                                          \
        if (rc_ != w_)                                                                        \
            CHECK_FAIL_("CHECK_RC(%s): got %s, want %s", #rc, wh_rcname(rc_), wh_rcname(w_)); \
    } while (0)

/* Compares two JSON texts after parsing: same values, object keys in any
 * order, arrays in order. */
#define CHECK_JSON_EQ(a, b)                                                                  \
    do {                                                                                     \
        const char *a_ = (a), *b_ = (b);                                                     \
        if (!check_json_equal(a_, b_))                                                       \
            CHECK_FAIL_("CHECK_JSON_EQ(%s, %s):\n    got  %s\n    want %s", #a, #b, a_, b_); \
    } while (0)

int check_json_equal(const char *a, const char *b);
int check_run(const struct check_test *tests, size_t n, int argc, char **argv);

#define CHECK_MAIN(tests)                                                      \
    int main(int argc, char **argv)                                            \
    {                                                                          \
        return check_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv); \
    }

#endif
