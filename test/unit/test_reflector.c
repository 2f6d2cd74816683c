/* SPDX-License-Identifier: Apache-2.0
 *
 * test_reflector.c - watch events as the reflector reads them: ADDED and
 * MODIFIED become upserts with only metadata kept, DELETED a delete,
 * BOOKMARK only moves the resourceVersion, ERROR 410 means relist, and
 * anything else is refused without touching the resourceVersion.
 */
#include "cache.h"
#include "check.h"
#include "reflector.h"

static int event(enum wh_kind kind, const char *line, char *rv, struct wh_cache_change *ch,
                 int *has)
{
    struct wh_err err;

    memset(ch, 0, sizeof(*ch));
    return wh_reflector_event(kind, line, strlen(line), rv, 64, ch, has, &err);
}

static void test_added_keeps_metadata_only(void)
{
    char rv[64] = "1";
    struct wh_cache_change ch;
    int has = 0;

    CHECK_OK(event(WH_KIND_SERVICEACCOUNT,
                   "{\"type\":\"ADDED\",\"object\":{\"kind\":\"ServiceAccount\",\"metadata\":{"
                   "\"name\":\"spark\",\"namespace\":\"jobs\",\"uid\":\"u1\",\"resourceVersion\":"
                   "\"42\",\"annotations\":{\"eks.amazonaws.com/role-arn\":\"arn\"}},"
                   "\"secrets\":[{\"name\":\"s\"}]}}",
                   rv, &ch, &has));
    CHECK_EQ(has, 1);
    CHECK(ch.put != NULL);
    CHECK_STR_EQ(ch.put->ns, "jobs");
    CHECK_STR_EQ(ch.put->name, "spark");
    CHECK_STR_EQ(wh_kobj_annotation(ch.put, "eks.amazonaws.com/role-arn"), "arn");
    CHECK_STR_EQ(rv, "42");
    wh_kobj_unref(ch.put);
}

static void test_deleted_and_bookmark(void)
{
    char rv[64] = "1";
    struct wh_cache_change ch;
    int has = 0;

    CHECK_OK(event(WH_KIND_NAMESPACE,
                   "{\"type\":\"DELETED\",\"object\":{\"metadata\":{\"name\":\"jobs\","
                   "\"resourceVersion\":\"50\"}}}",
                   rv, &ch, &has));
    CHECK_EQ(has, 1);
    CHECK(ch.put == NULL);
    CHECK_STR_EQ(ch.name, "jobs");
    CHECK_STR_EQ(rv, "50");
    CHECK_OK(event(WH_KIND_NAMESPACE,
                   "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"77\"}}}",
                   rv, &ch, &has));
    CHECK_EQ(has, 0);
    CHECK_STR_EQ(rv, "77");
}

static void test_error_gone_and_others(void)
{
    char rv[64] = "5";
    struct wh_cache_change ch;
    int has = 0;

    CHECK_RC(event(WH_KIND_NAMESPACE,
                   "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
                   "\"reason\":\"Expired\"}}",
                   rv, &ch, &has),
             WH_ENOTFOUND);
    CHECK_RC(event(WH_KIND_NAMESPACE,
                   "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":500}}", rv, &ch,
                   &has),
             WH_EPARSE);
    CHECK_RC(event(WH_KIND_NAMESPACE, "not json", rv, &ch, &has), WH_EPARSE);
    CHECK_RC(event(WH_KIND_NAMESPACE, "{\"type\":\"SURPRISE\",\"object\":{}}", rv, &ch, &has),
             WH_EPARSE);
    CHECK_STR_EQ(rv, "5");
    CHECK_EQ(has, 0);
    /* A ServiceAccount needs a namespace: skipped, but the stream moves on. */
    CHECK_RC(event(WH_KIND_SERVICEACCOUNT,
                   "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\","
                   "\"resourceVersion\":\"6\"}}}",
                   rv, &ch, &has),
             WH_EINVAL);
    CHECK_EQ(has, 0);
    CHECK_STR_EQ(rv, "6");
}

static const struct check_test tests[] = {
    CHECK_TEST(test_added_keeps_metadata_only),
    CHECK_TEST(test_deleted_and_bookmark),
    CHECK_TEST(test_error_gone_and_others),
};

CHECK_MAIN(tests)
