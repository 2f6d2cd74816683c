/* SPDX-License-Identifier: Apache-2.0
 *
 * test_smoke.c - the harness itself: a passing check passes, CHECK_JSON_EQ
 * ignores key order but not values.
 */
#include "check.h"

static void test_json_equal(void)
{
    CHECK(check_json_equal("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}"));
    CHECK(!check_json_equal("{\"a\":1}", "{\"a\":2}"));
    CHECK(!check_json_equal("[1,2]", "[2,1]"));
    CHECK(!check_json_equal("{", "{}"));
}

static const struct check_test tests[] = {
    CHECK_TEST(test_json_equal),
};

CHECK_MAIN(tests)
