/* SPDX-License-Identifier: Apache-2.0
 *
 * test_snapshot.c - server/snapshot and server/objects: objects from JSON
 * and their lookups and limits, builder put/replace/delete (last op wins),
 * builders from a base snapshot sharing objects, reference counts, and
 * kubectl List files with other kinds ignored and malformed items refused.
 */
#include <stdatomic.h>

#include "check.h"
#include "objects.h"
#include "snapshot.h"

#include "banned.h"

#define NS_JSON(name, meta) "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" name "\"" meta "}}"
#define SA_JSON(ns, name, meta)                                                            \
    "{\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"" name "\",\"namespace\":\"" ns \
    "\"" meta "}}"

static unsigned refs(struct wh_kobj *o)
{
    return atomic_load(&o->refs);
}

/* Builds an object from JSON text; kind Namespace or ServiceAccount. */
static int kobj_text(const char *text, enum wh_kind kind, struct wh_kobj **out, struct wh_err *err)
{
    cJSON *json = cJSON_Parse(text);
    int rc;

    CHECK(json != NULL);
    rc = wh_kobj_from_json(json, kind, out, err);
    cJSON_Delete(json);
    return rc;
}

static struct wh_kobj *kobj(const char *text, enum wh_kind kind)
{
    struct wh_err err = { 0 };
    struct wh_kobj *o = NULL;
    int rc = kobj_text(text, kind, &o, &err);

    if (rc != WH_OK)
        CHECK_FAIL_("wh_kobj_from_json(%s): %s", text, err.msg);
    return o;
}

static struct wh_kobj *ns_obj(const char *name, const char *value)
{
    char text[512];

    (void)snprintf(text, sizeof(text),
                   "{\"metadata\":{\"name\":\"%s\",\"annotations\":{\"v\":\"%s\"}}}", name, value);
    return kobj(text, WH_KIND_NAMESPACE);
}

static struct wh_kobj *sa_obj(const char *ns, const char *name)
{
    char text[512];

    (void)snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"%s\"}}",
                   name, ns);
    return kobj(text, WH_KIND_SERVICEACCOUNT);
}

static const char *ns_value(const struct wh_snapshot *s, const char *name)
{
    return wh_kobj_annotation(wh_snapshot_namespace(s, name), "v");
}

/* ---- objects ----------------------------------------------------------- */

static void test_kobj_namespace(void)
{
    struct wh_kobj *o =
        kobj(NS_JSON("spark-jobs", ",\"namespace\":\"ignored\",\"uid\":\"u-1\","
                                   "\"labels\":{\"team\":\"data\"},"
                                   "\"annotations\":{\"sparkhook.io/inject\":\"true\"}"),
             WH_KIND_NAMESPACE);

    CHECK_EQ(o->kind, WH_KIND_NAMESPACE);
    CHECK_STR_EQ(o->name, "spark-jobs");
    CHECK_STR_EQ(o->ns, "");
    CHECK_STR_EQ(o->uid, "u-1");
    CHECK_EQ(refs(o), 1);
    CHECK_STR_EQ(wh_kobj_annotation(o, "sparkhook.io/inject"), "true");
    CHECK_STR_EQ(wh_kobj_label(o, "team"), "data");
    CHECK(wh_kobj_annotation(o, "team") == NULL);
    CHECK(wh_kobj_label(o, "sparkhook.io/inject") == NULL);
    CHECK(wh_kobj_annotation(o, "sparkhook.io/injec") == NULL);
    wh_kobj_unref(o);
}

static void test_kobj_serviceaccount(void)
{
    struct wh_kobj *o =
        kobj(SA_JSON("spark-jobs", "spark",
                     ",\"annotations\":{\"eks.amazonaws.com/role-arn\":\"arn:aws:iam::1:role/x\"}"),
             WH_KIND_SERVICEACCOUNT);

    CHECK_EQ(o->kind, WH_KIND_SERVICEACCOUNT);
    CHECK_STR_EQ(o->ns, "spark-jobs");
    CHECK_STR_EQ(o->name, "spark");
    CHECK_STR_EQ(o->uid, "");
    CHECK_STR_EQ(wh_kobj_annotation(o, "eks.amazonaws.com/role-arn"), "arn:aws:iam::1:role/x");
    CHECK_EQ(o->nlabels, 0);
    CHECK(wh_kobj_label(o, "x") == NULL);
    wh_kobj_unref(o);
}

static void test_kobj_many_annotations(void)
{
    char text[4096];
    size_t off;
    struct wh_kobj *o;
    int i;

    off = (size_t)snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"n\",\"annotations\":{");
    for (i = 40; i > 0; i--)
        off += (size_t)snprintf(text + off, sizeof(text) - off, "\"k%02d\":\"v%d\"%s", i, i,
                                i > 1 ? "," : "}}}");
    o = kobj(text, WH_KIND_NAMESPACE);
    CHECK_EQ(o->nannotations, 40);
    for (i = 1; i <= 40; i++) {
        char key[8], want[8];

        (void)snprintf(key, sizeof(key), "k%02d", i);
        (void)snprintf(want, sizeof(want), "v%d", i);
        CHECK_STR_EQ(wh_kobj_annotation(o, key), want);
    }
    CHECK(wh_kobj_annotation(o, "k00") == NULL);
    CHECK(wh_kobj_annotation(o, "k41") == NULL);
    wh_kobj_unref(o);
}

static void check_kobj_bad(const char *text, enum wh_kind kind, int want_rc, const char *want)
{
    struct wh_err err = { 0 };
    struct wh_kobj *o = NULL;
    int rc = kobj_text(text, kind, &o, &err);

    if (rc == WH_OK)
        wh_kobj_unref(o);
    if (rc != want_rc)
        CHECK_FAIL_("%s: got %s, want %s", text, wh_rcname(rc), wh_rcname(want_rc));
    CHECK(o == NULL);
    if (strstr(err.msg, want) == NULL)
        CHECK_FAIL_("%s: message \"%s\" lacks \"%s\"", text, err.msg, want);
}

static void test_kobj_malformed(void)
{
    check_kobj_bad("{}", WH_KIND_NAMESPACE, WH_EPARSE, "metadata");
    check_kobj_bad("{\"metadata\":[]}", WH_KIND_NAMESPACE, WH_EPARSE, "metadata");
    check_kobj_bad("{\"metadata\":{}}", WH_KIND_NAMESPACE, WH_EPARSE, "metadata.name");
    check_kobj_bad(NS_JSON("", ""), WH_KIND_NAMESPACE, WH_EPARSE, "metadata.name");
    check_kobj_bad("{\"metadata\":{\"name\":5}}", WH_KIND_NAMESPACE, WH_EPARSE, "metadata.name");
    check_kobj_bad(NS_JSON("n", ",\"annotations\":{\"a\":\"x\",\"k\":5}"), WH_KIND_NAMESPACE,
                   WH_EPARSE, "metadata.annotations.k: expected string, got number");
    check_kobj_bad(NS_JSON("n", ",\"labels\":{\"l\":true}"), WH_KIND_NAMESPACE, WH_EPARSE,
                   "metadata.labels.l: expected string, got boolean");
    check_kobj_bad("{\"metadata\":{\"name\":\"spark\"}}", WH_KIND_SERVICEACCOUNT, WH_EPARSE,
                   "metadata.namespace");
    check_kobj_bad(SA_JSON("", "spark", ""), WH_KIND_SERVICEACCOUNT, WH_EPARSE,
                   "metadata.namespace");
}

static void test_kobj_name_length(void)
{
    char name[WH_NAME_MAX + 2];
    char text[WH_NAME_MAX + 64];
    struct wh_kobj *o;

    memset(name, 'a', WH_NAME_MAX);
    name[WH_NAME_MAX] = '\0';
    (void)snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"%s\"}}", name);
    o = kobj(text, WH_KIND_NAMESPACE);
    CHECK_EQ(strlen(o->name), WH_NAME_MAX);
    wh_kobj_unref(o);
    name[WH_NAME_MAX] = 'a';
    name[WH_NAME_MAX + 1] = '\0';
    (void)snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"%s\"}}", name);
    check_kobj_bad(text, WH_KIND_NAMESPACE, WH_EPARSE, "metadata.name");
}

static void test_kobj_namespace_length(void)
{
    char ns[WH_NAMESPACE_MAX + 2];
    char text[256];
    struct wh_kobj *o;

    memset(ns, 'n', WH_NAMESPACE_MAX);
    ns[WH_NAMESPACE_MAX] = '\0';
    o = sa_obj(ns, "spark");
    CHECK_EQ(strlen(o->ns), WH_NAMESPACE_MAX);
    wh_kobj_unref(o);
    ns[WH_NAMESPACE_MAX] = 'n';
    ns[WH_NAMESPACE_MAX + 1] = '\0';
    (void)snprintf(text, sizeof(text), "{\"metadata\":{\"name\":\"spark\",\"namespace\":\"%s\"}}",
                   ns);
    check_kobj_bad(text, WH_KIND_SERVICEACCOUNT, WH_EPARSE, "metadata.namespace of spark");
}

/* An object whose annotations hold value_len bytes in one value. */
static int big_kobj(size_t value_len, struct wh_kobj **out, struct wh_err *err)
{
    cJSON *json = cJSON_CreateObject();
    cJSON *meta = cJSON_AddObjectToObject(json, "metadata");
    cJSON *ann;
    char *value = malloc(value_len + 1);
    int rc;

    CHECK(value != NULL);
    memset(value, 'x', value_len);
    value[value_len] = '\0';
    cJSON_AddStringToObject(meta, "name", "big");
    ann = cJSON_AddObjectToObject(meta, "annotations");
    cJSON_AddStringToObject(ann, "k", value);
    free(value);
    rc = wh_kobj_from_json(json, WH_KIND_NAMESPACE, out, err);
    cJSON_Delete(json);
    return rc;
}

static void test_kobj_size_cap(void)
{
    struct wh_err err = { 0 };
    struct wh_kobj *o = NULL;

    CHECK_OK(big_kobj(WH_KOBJ_MAX_BYTES - 64, &o, &err));
    CHECK_EQ(strlen(wh_kobj_annotation(o, "k")), WH_KOBJ_MAX_BYTES - 64);
    wh_kobj_unref(o);
    o = NULL;
    CHECK_RC(big_kobj(WH_KOBJ_MAX_BYTES + 1, &o, &err), WH_ETOOBIG);
    CHECK(o == NULL);
    CHECK(strstr(err.msg, "metadata.annotations") != NULL);
}

static void test_kobj_refcount(void)
{
    struct wh_kobj *o = ns_obj("a", "1");

    CHECK(wh_kobj_ref(o) == o);
    CHECK_EQ(refs(o), 2);
    wh_kobj_unref(o);
    CHECK_EQ(refs(o), 1);
    CHECK_STR_EQ(o->name, "a");
    wh_kobj_unref(o);
}

static void test_null_is_safe(void)
{
    CHECK(wh_kobj_ref(NULL) == NULL);
    wh_kobj_unref(NULL);
    CHECK(wh_snapshot_ref(NULL) == NULL);
    wh_snapshot_unref(NULL);
    wh_snapshot_builder_free(NULL);
    CHECK(wh_kobj_annotation(NULL, "a") == NULL);
    CHECK(wh_kobj_label(NULL, "a") == NULL);
    CHECK(wh_snapshot_namespace(NULL, "a") == NULL);
    CHECK(wh_snapshot_serviceaccount(NULL, "a", "b") == NULL);
    CHECK_EQ(wh_snapshot_count(NULL, WH_KIND_NAMESPACE), 0);
    CHECK(wh_snapshot_at(NULL, WH_KIND_NAMESPACE, 0) == NULL);
}

/* ---- snapshots and builders ------------------------------------------- */

static void test_empty_snapshot(void)
{
    struct wh_snapshot *s = wh_snapshot_build(wh_snapshot_builder_new(NULL));

    CHECK(s != NULL);
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 0);
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_SERVICEACCOUNT), 0);
    CHECK(wh_snapshot_namespace(s, "default") == NULL);
    CHECK(wh_snapshot_at(s, WH_KIND_NAMESPACE, 0) == NULL);
    wh_snapshot_unref(s);
}

static void test_put_and_lookup(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, ns_obj("a", "1"));
    wh_snapshot_builder_put(b, ns_obj("b", "2"));
    wh_snapshot_builder_put(b, sa_obj("a", "spark"));
    wh_snapshot_builder_put(b, sa_obj("b", "spark"));
    s = wh_snapshot_build(b);
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 2);
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_SERVICEACCOUNT), 2);
    CHECK_STR_EQ(ns_value(s, "a"), "1");
    CHECK_STR_EQ(ns_value(s, "b"), "2");
    CHECK(wh_snapshot_namespace(s, "c") == NULL);
    CHECK_STR_EQ(wh_snapshot_serviceaccount(s, "b", "spark")->ns, "b");
    CHECK(wh_snapshot_serviceaccount(s, "c", "spark") == NULL);
    CHECK(wh_snapshot_serviceaccount(s, "a", "default") == NULL);
    /* Kinds do not mix: no Namespace is a ServiceAccount. */
    CHECK(wh_snapshot_serviceaccount(s, "", "a") == NULL);
    CHECK(wh_snapshot_namespace(s, "spark") == NULL);
    wh_snapshot_unref(s);
}

static void test_at_is_sorted(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, ns_obj("c", ""));
    wh_snapshot_builder_put(b, ns_obj("a", ""));
    wh_snapshot_builder_put(b, ns_obj("b", ""));
    wh_snapshot_builder_put(b, sa_obj("b", "a"));
    wh_snapshot_builder_put(b, sa_obj("a", "z"));
    wh_snapshot_builder_put(b, sa_obj("a", "b"));
    s = wh_snapshot_build(b);
    CHECK_STR_EQ(wh_snapshot_at(s, WH_KIND_NAMESPACE, 0)->name, "a");
    CHECK_STR_EQ(wh_snapshot_at(s, WH_KIND_NAMESPACE, 1)->name, "b");
    CHECK_STR_EQ(wh_snapshot_at(s, WH_KIND_NAMESPACE, 2)->name, "c");
    CHECK(wh_snapshot_at(s, WH_KIND_NAMESPACE, 3) == NULL);
    CHECK_STR_EQ(wh_snapshot_at(s, WH_KIND_SERVICEACCOUNT, 0)->name, "b");
    CHECK_STR_EQ(wh_snapshot_at(s, WH_KIND_SERVICEACCOUNT, 1)->name, "z");
    CHECK_STR_EQ(wh_snapshot_at(s, WH_KIND_SERVICEACCOUNT, 2)->ns, "b");
    wh_snapshot_unref(s);
}

static void test_put_replaces_last_wins(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, ns_obj("a", "1"));
    wh_snapshot_builder_put(b, ns_obj("b", "x"));
    wh_snapshot_builder_put(b, ns_obj("a", "2"));
    wh_snapshot_builder_put(b, ns_obj("a", "3"));
    s = wh_snapshot_build(b);
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 2);
    CHECK_STR_EQ(ns_value(s, "a"), "3");
    CHECK_STR_EQ(ns_value(s, "b"), "x");
    wh_snapshot_unref(s);
}

static void test_delete(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, ns_obj("a", "1"));
    wh_snapshot_builder_put(b, ns_obj("b", "1"));
    wh_snapshot_builder_delete(b, WH_KIND_NAMESPACE, "", "a");
    wh_snapshot_builder_delete(b, WH_KIND_NAMESPACE, "", "nonexistent");
    s = wh_snapshot_build(b);
    CHECK(wh_snapshot_namespace(s, "a") == NULL);
    CHECK_STR_EQ(ns_value(s, "b"), "1");
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 1);
    wh_snapshot_unref(s);
}

static void test_delete_then_put_and_put_delete_put(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_delete(b, WH_KIND_NAMESPACE, "", "a");
    wh_snapshot_builder_put(b, ns_obj("a", "1"));
    wh_snapshot_builder_put(b, ns_obj("b", "1"));
    wh_snapshot_builder_delete(b, WH_KIND_NAMESPACE, "", "b");
    wh_snapshot_builder_put(b, ns_obj("b", "2"));
    s = wh_snapshot_build(b);
    CHECK_STR_EQ(ns_value(s, "a"), "1");
    CHECK_STR_EQ(ns_value(s, "b"), "2");
    wh_snapshot_unref(s);
}

static void test_delete_is_per_kind(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, ns_obj("x", "1"));
    wh_snapshot_builder_put(b, sa_obj("x", "x"));
    wh_snapshot_builder_put(b, sa_obj("y", "x"));
    wh_snapshot_builder_delete(b, WH_KIND_SERVICEACCOUNT, "x", "x");
    s = wh_snapshot_build(b);
    CHECK(wh_snapshot_namespace(s, "x") != NULL);
    CHECK(wh_snapshot_serviceaccount(s, "x", "x") == NULL);
    CHECK(wh_snapshot_serviceaccount(s, "y", "x") != NULL);
    wh_snapshot_unref(s);
}

static void test_builder_from_base_shares_objects(void)
{
    struct wh_kobj *a = ns_obj("a", "1");
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *base, *next;

    wh_snapshot_builder_put(b, wh_kobj_ref(a));
    base = wh_snapshot_build(b);
    CHECK_EQ(refs(a), 2); /* ours + base */
    b = wh_snapshot_builder_new(base);
    CHECK_EQ(refs(a), 3); /* the builder took its own */
    wh_snapshot_builder_put(b, ns_obj("b", "2"));
    next = wh_snapshot_build(b);
    CHECK_EQ(refs(a), 3); /* ours + base + next */
    CHECK(wh_snapshot_namespace(next, "a") == a);
    CHECK(wh_snapshot_namespace(base, "a") == a);
    CHECK(wh_snapshot_namespace(base, "b") == NULL);
    wh_snapshot_unref(base);
    CHECK_EQ(refs(a), 2);
    CHECK_STR_EQ(ns_value(next, "a"), "1");
    wh_snapshot_unref(next);
    CHECK_EQ(refs(a), 1);
    wh_kobj_unref(a);
}

static void test_builder_from_base_leaves_base_alone(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *base, *next;

    wh_snapshot_builder_put(b, ns_obj("a", "1"));
    wh_snapshot_builder_put(b, ns_obj("b", "1"));
    base = wh_snapshot_build(b);
    b = wh_snapshot_builder_new(base);
    wh_snapshot_builder_delete(b, WH_KIND_NAMESPACE, "", "a");
    wh_snapshot_builder_put(b, ns_obj("b", "2"));
    next = wh_snapshot_build(b);
    CHECK(wh_snapshot_namespace(next, "a") == NULL);
    CHECK_STR_EQ(ns_value(next, "b"), "2");
    CHECK_STR_EQ(ns_value(base, "a"), "1");
    CHECK_STR_EQ(ns_value(base, "b"), "1");
    wh_snapshot_unref(next);
    wh_snapshot_unref(base);
}

static void test_builder_keep(void)
{
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *base, *next;

    wh_snapshot_builder_put(b, ns_obj("a", "1"));
    wh_snapshot_builder_put(b, sa_obj("a", "spark"));
    base = wh_snapshot_build(b);
    b = wh_snapshot_builder_keep(base, 1u << WH_KIND_NAMESPACE);
    next = wh_snapshot_build(b);
    CHECK_EQ(wh_snapshot_count(next, WH_KIND_NAMESPACE), 1);
    CHECK_EQ(wh_snapshot_count(next, WH_KIND_SERVICEACCOUNT), 0);
    CHECK_EQ(wh_snapshot_count(base, WH_KIND_SERVICEACCOUNT), 1);
    wh_snapshot_unref(next);
    wh_snapshot_unref(base);
}

static void test_builder_free_releases(void)
{
    struct wh_kobj *a = ns_obj("a", "1");
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);

    wh_snapshot_builder_put(b, wh_kobj_ref(a));
    wh_snapshot_builder_put(b, ns_obj("b", "1"));
    wh_snapshot_builder_delete(b, WH_KIND_NAMESPACE, "", "c");
    CHECK_EQ(refs(a), 2);
    wh_snapshot_builder_free(b);
    CHECK_EQ(refs(a), 1);
    wh_kobj_unref(a);
}

static void test_replaced_object_released(void)
{
    struct wh_kobj *old = ns_obj("a", "old");
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, wh_kobj_ref(old));
    wh_snapshot_builder_put(b, ns_obj("a", "new"));
    s = wh_snapshot_build(b);
    CHECK_EQ(refs(old), 1); /* the builder dropped its reference */
    CHECK_STR_EQ(ns_value(s, "a"), "new");
    wh_snapshot_unref(s);
    wh_kobj_unref(old);
}

static void test_snapshot_refcount(void)
{
    struct wh_kobj *a = ns_obj("a", "1");
    struct wh_snapshot_builder *b = wh_snapshot_builder_new(NULL);
    struct wh_snapshot *s;

    wh_snapshot_builder_put(b, wh_kobj_ref(a));
    s = wh_snapshot_build(b);
    CHECK(wh_snapshot_ref(s) == s);
    wh_snapshot_unref(s);
    CHECK_EQ(refs(a), 2); /* s is still alive */
    CHECK(wh_snapshot_namespace(s, "a") == a);
    wh_snapshot_unref(s);
    CHECK_EQ(refs(a), 1);
    wh_kobj_unref(a);
}

/* ---- kubectl List files ------------------------------------------------ */

static int parse_list(const char *text, struct wh_snapshot **out, struct wh_err *err)
{
    return wh_objects_parse(text, strlen(text), out, err);
}

static void test_objects_list(void)
{
    const char *list =
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"},"
        "\"items\":["
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"spark-jobs\","
        "\"uid\":\"1\",\"annotations\":{\"sparkhook.io/inject\":\"true\"}},"
        "\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"default\"}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm\","
        "\"namespace\":\"default\"},\"data\":{\"a\":\"b\"}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"spark\","
        "\"namespace\":\"spark-jobs\",\"annotations\":{\"eks.amazonaws.com/role-arn\":\"r\"}}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"annotations\":{\"k\":5}}}"
        "]}";
    struct wh_err err = { 0 };
    struct wh_snapshot *s = NULL;

    CHECK_OK(parse_list(list, &s, &err));
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 2);
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_SERVICEACCOUNT), 1);
    CHECK_STR_EQ(wh_kobj_annotation(wh_snapshot_namespace(s, "spark-jobs"), "sparkhook.io/inject"),
                 "true");
    CHECK_STR_EQ(wh_kobj_annotation(wh_snapshot_serviceaccount(s, "spark-jobs", "spark"),
                                    "eks.amazonaws.com/role-arn"),
                 "r");
    CHECK(wh_snapshot_namespace(s, "cm") == NULL);
    wh_snapshot_unref(s);
}

static void test_objects_empty_and_duplicates(void)
{
    struct wh_err err = { 0 };
    struct wh_snapshot *s = NULL;

    CHECK_OK(parse_list("{\"kind\":\"List\",\"items\":[]}", &s, &err));
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 0);
    wh_snapshot_unref(s);
    CHECK_OK(parse_list("{\"items\":[" NS_JSON("a", ",\"annotations\":{\"v\":\"1\"}") "," NS_JSON(
                            "a", ",\"annotations\":{\"v\":\"2\"}") "]}",
                        &s, &err));
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_NAMESPACE), 1);
    CHECK_STR_EQ(ns_value(s, "a"), "2");
    wh_snapshot_unref(s);
}

/* Expects a refusal whose message contains every string of want. */
static void check_list_bad(const char *text, const char *want1, const char *want2)
{
    struct wh_err err = { 0 };
    struct wh_snapshot *s = (struct wh_snapshot *)(void *)&err; /* must be reset to NULL */
    int rc = parse_list(text, &s, &err);

    if (rc == WH_OK) {
        wh_snapshot_unref(s);
        CHECK_FAIL_("wh_objects_parse accepted %s", text);
    }
    CHECK(s == NULL);
    if (strstr(err.msg, want1) == NULL || (want2 && strstr(err.msg, want2) == NULL))
        CHECK_FAIL_("message \"%s\" lacks \"%s\" or \"%s\"", err.msg, want1, want2 ? want2 : "");
}

static void test_objects_not_a_list(void)
{
    check_list_bad("[]", "items", NULL);
    check_list_bad("{}", "items", NULL);
    check_list_bad("{\"items\":{}}", "items", NULL);
    check_list_bad("5", "items", NULL);
    check_list_bad("{\"items\":[", "invalid JSON", NULL);
    check_list_bad("", "invalid JSON", NULL);
}

static void test_objects_item_without_kind(void)
{
    check_list_bad("{\"items\":[" NS_JSON("a", "") ",{\"metadata\":{\"name\":\"x\"}}]}",
                   "items[1].kind", NULL);
    check_list_bad("{\"items\":[5]}", "items[0].kind", NULL);
}

static void test_objects_annotation_not_a_string(void)
{
    check_list_bad("{\"items\":[" NS_JSON("a", "") "," NS_JSON(
                       "b", ",\"annotations\":{\"sparkhook.io/inject\":true}") "]}",
                   "items[1] (Namespace)", "metadata.annotations.sparkhook.io/inject");
}

static void test_objects_missing_name(void)
{
    check_list_bad("{\"items\":[{\"kind\":\"ServiceAccount\",\"metadata\":"
                   "{\"namespace\":\"spark-jobs\"}}]}",
                   "items[0] (ServiceAccount)", "metadata.name");
}

static void test_objects_namespace_length(void)
{
    struct wh_err err = { 0 };
    struct wh_snapshot *s = NULL;

    /* 63 characters: accepted. */
    CHECK_OK(parse_list(
        "{\"items\":[" SA_JSON("nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
                               "spark", "") "]}",
        &s, &err));
    CHECK_EQ(wh_snapshot_count(s, WH_KIND_SERVICEACCOUNT), 1);
    wh_snapshot_unref(s);
    /* 64 characters: refused, naming the item. */
    check_list_bad(
        "{\"items\":[" NS_JSON("a", "") "," SA_JSON(
            "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "spark", "") "]}",
        "items[1] (ServiceAccount)", "spark");
}

static const struct check_test tests[] = {
    CHECK_TEST(test_kobj_namespace),
    CHECK_TEST(test_kobj_serviceaccount),
    CHECK_TEST(test_kobj_many_annotations),
    CHECK_TEST(test_kobj_malformed),
    CHECK_TEST(test_kobj_name_length),
    CHECK_TEST(test_kobj_namespace_length),
    CHECK_TEST(test_kobj_size_cap),
    CHECK_TEST(test_kobj_refcount),
    CHECK_TEST(test_null_is_safe),
    CHECK_TEST(test_empty_snapshot),
    CHECK_TEST(test_put_and_lookup),
    CHECK_TEST(test_at_is_sorted),
    CHECK_TEST(test_put_replaces_last_wins),
    CHECK_TEST(test_delete),
    CHECK_TEST(test_delete_then_put_and_put_delete_put),
    CHECK_TEST(test_delete_is_per_kind),
    CHECK_TEST(test_builder_from_base_shares_objects),
    CHECK_TEST(test_builder_from_base_leaves_base_alone),
    CHECK_TEST(test_builder_keep),
    CHECK_TEST(test_builder_free_releases),
    CHECK_TEST(test_replaced_object_released),
    CHECK_TEST(test_snapshot_refcount),
    CHECK_TEST(test_objects_list),
    CHECK_TEST(test_objects_empty_and_duplicates),
    CHECK_TEST(test_objects_not_a_list),
    CHECK_TEST(test_objects_item_without_kind),
    CHECK_TEST(test_objects_annotation_not_a_string),
    CHECK_TEST(test_objects_missing_name),
    CHECK_TEST(test_objects_namespace_length),
};

CHECK_MAIN(tests)
