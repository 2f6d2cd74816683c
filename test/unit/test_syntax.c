/* SPDX-License-Identifier: Apache-2.0
 *
 * test_syntax.c - patches/syntax: the annotation value parsers. Valid
 * examples (the ones in syntax.h), every error class with a check that the
 * message names the offending part, both sides of every cap (63/64-character
 * label names, 32/33 items, 1Pi and 1Pi+1, 4096/4097 bytes), blank values,
 * stray commas, unicode, the near-miss distances 0 to 3 and a pseudo-random
 * sweep that checks rc, cleared outputs and printable messages.
 */
#include "check.h"
#include "syntax.h"

#include <stdbool.h>
#include <stdint.h>

#include "banned.h"

#define CHECK_HAS(s, needle)                                                    \
    do {                                                                        \
        const char *s_ = (s), *n_ = (needle);                                   \
        if (strstr(s_, n_) == NULL)                                             \
            CHECK_FAIL_("%s does not contain \"%s\":\n    \"%s\"", #s, n_, s_); \
    } while (0)

/* A bounded string builder for long and repeated inputs. */
struct sb {
    char s[8192];
    size_t n;
};

static void sb_reset(struct sb *b)
{
    b->n = 0;
    b->s[0] = '\0';
}

static void sb_add(struct sb *b, const char *z)
{
    size_t len = strlen(z);

    if (b->n + len >= sizeof(b->s))
        abort();
    memcpy(b->s + b->n, z, len + 1);
    b->n += len;
}

static void sb_rep(struct sb *b, char c, size_t n)
{
    if (b->n + n >= sizeof(b->s))
        abort();
    memset(b->s + b->n, c, n);
    b->n += n;
    b->s[b->n] = '\0';
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t i;

    for (i = 0; i < n; i++) {
        if (c[i] != 0)
            return false;
    }
    return true;
}

static bool printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    }
    return true;
}

/* Parses s as labels, expecting WH_EPARSE with a message containing want. */
#define LABELS_FAIL(s, want)                                  \
    do {                                                      \
        struct wh_kv_list l_;                                 \
        struct wh_err e_;                                     \
        wh_err_clear(&e_);                                    \
        CHECK_RC(wh_syntax_labels((s), &l_, &e_), WH_EPARSE); \
        CHECK_HAS(e_.msg, (want));                            \
        CHECK(all_zero(&l_, sizeof(l_)));                     \
    } while (0)

#define TOL_FAIL(s, want)                                          \
    do {                                                           \
        struct wh_toleration_list t_;                              \
        struct wh_err e_;                                          \
        wh_err_clear(&e_);                                         \
        CHECK_RC(wh_syntax_tolerations((s), &t_, &e_), WH_EPARSE); \
        CHECK_HAS(e_.msg, (want));                                 \
        CHECK(all_zero(&t_, sizeof(t_)));                          \
    } while (0)

#define SCRATCH_FAIL(s, want)                                  \
    do {                                                       \
        struct wh_scratch c_;                                  \
        struct wh_err e_;                                      \
        wh_err_clear(&e_);                                     \
        CHECK_RC(wh_syntax_scratch((s), &c_, &e_), WH_EPARSE); \
        CHECK_HAS(e_.msg, (want));                             \
        CHECK(all_zero(&c_, sizeof(c_)));                      \
    } while (0)

#define MOUNTS_FAIL(s, want)                                         \
    do {                                                             \
        struct wh_secret_mount_list m_;                              \
        struct wh_err e_;                                            \
        wh_err_clear(&e_);                                           \
        CHECK_RC(wh_syntax_secret_mounts((s), &m_, &e_), WH_EPARSE); \
        CHECK_HAS(e_.msg, (want));                                   \
        CHECK(all_zero(&m_, sizeof(m_)));                            \
    } while (0)

#define ENV_FAIL(s, want)                                         \
    do {                                                          \
        struct wh_secret_env_list v_;                             \
        struct wh_err e_;                                         \
        wh_err_clear(&e_);                                        \
        CHECK_RC(wh_syntax_secret_env((s), &v_, &e_), WH_EPARSE); \
        CHECK_HAS(e_.msg, (want));                                \
        CHECK(all_zero(&v_, sizeof(v_)));                         \
    } while (0)

/* ---- labels --------------------------------------------------------------- */

static void test_labels_valid(void)
{
    struct wh_kv_list l;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_OK(wh_syntax_labels("topology.kubernetes.io/zone=eu-west-1a,pool=spark", &l, &err));
    CHECK_EQ(l.n, 2);
    CHECK_STR_EQ(l.item[0].key, "topology.kubernetes.io/zone");
    CHECK_STR_EQ(l.item[0].value, "eu-west-1a");
    CHECK_STR_EQ(l.item[1].key, "pool");
    CHECK_STR_EQ(l.item[1].value, "spark");

    CHECK_OK(wh_syntax_labels("  a = b ,\tC_x.y=Z-1_2.3 \n", &l, &err));
    CHECK_EQ(l.n, 2);
    CHECK_STR_EQ(l.item[0].key, "a");
    CHECK_STR_EQ(l.item[0].value, "b");
    CHECK_STR_EQ(l.item[1].key, "C_x.y");
    CHECK_STR_EQ(l.item[1].value, "Z-1_2.3");

    /* err may be NULL */
    CHECK_OK(wh_syntax_labels("x=1", &l, NULL));
    CHECK_EQ(l.n, 1);
    CHECK_RC(wh_syntax_labels("x", &l, NULL), WH_EPARSE);
}

static void test_labels_blank_is_empty(void)
{
    struct wh_kv_list l;

    CHECK_OK(wh_syntax_labels("", &l, NULL));
    CHECK_EQ(l.n, 0);
    CHECK_OK(wh_syntax_labels(" \t\r\n ", &l, NULL));
    CHECK_EQ(l.n, 0);
}

static void test_labels_errors(void)
{
    struct wh_kv_list l;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_RC(wh_syntax_labels("pool=spark,zone=", &l, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "item 2 \"zone=\": empty value");
    CHECK_EQ(err.rc, WH_EPARSE);

    LABELS_FAIL("zone", "item 1 \"zone\": expected key=value");
    LABELS_FAIL("=x", "item 1 \"=x\": empty key");
    LABELS_FAIL("Bad Key=x", "key \"Bad Key\" is not a label key: the name may contain only");
    LABELS_FAIL("-a=x", "key \"-a\" is not a label key: the name must start and end");
    LABELS_FAIL("a.=x", "the name must start and end with a letter or digit");
    LABELS_FAIL("Example.com/a=x", "key \"Example.com/a\" is not a label key: the prefix");
    LABELS_FAIL("/a=x", "the prefix before '/' must be a DNS subdomain");
    LABELS_FAIL("a..b/c=x", "the prefix before '/' must be a DNS subdomain");
    LABELS_FAIL("example.com/=x", "the name must be 1-63 characters");
    LABELS_FAIL("a/b/c=x", "key \"a/b/c\" is not a label key: at most one '/'");
    LABELS_FAIL("a=b c", "item 1 \"a=b c\": value \"b c\" is not a label value: it may contain");
    LABELS_FAIL("a=x=y", "value \"x=y\" is not a label value");
    LABELS_FAIL("a=_x", "value \"_x\" is not a label value: it must start and end");
    LABELS_FAIL("a=1,b=2,a=3", "item 3 \"a=3\": key \"a\" is already set by item 1");
}

static void test_labels_stray_commas(void)
{
    LABELS_FAIL(",", "item 1 is empty (stray ',')");
    LABELS_FAIL(",,,", "item 1 is empty");
    LABELS_FAIL("a=b,", "item 2 is empty (stray ',')");
    LABELS_FAIL("a=b, ,c=d", "item 2 is empty");
    LABELS_FAIL(",a=b", "item 1 is empty");
}

static void test_labels_unicode_is_escaped(void)
{
    struct wh_kv_list l;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_RC(wh_syntax_labels("z\xc3\xb6ne=a", &l, &err), WH_EPARSE);
    CHECK_HAS(err.msg, "key \"z\\xc3\\xb6ne\" is not a label key");
    CHECK(printable(err.msg));
    CHECK_RC(wh_syntax_labels("a=\"x\\", &l, &err), WH_EPARSE);
    CHECK_HAS(err.msg, "value \"\\x22x\\x5c\"");
}

static void test_labels_name_and_value_63_64(void)
{
    struct wh_kv_list l;
    struct sb b;

    sb_reset(&b);
    sb_rep(&b, 'k', 63);
    sb_add(&b, "=");
    sb_rep(&b, 'v', 63);
    CHECK_OK(wh_syntax_labels(b.s, &l, NULL));
    CHECK_EQ(strlen(l.item[0].key), 63);
    CHECK_EQ(strlen(l.item[0].value), 63);

    sb_reset(&b);
    sb_rep(&b, 'k', 64);
    sb_add(&b, "=v");
    LABELS_FAIL(b.s, "the name must be 1-63 characters");

    sb_reset(&b);
    sb_add(&b, "k=");
    sb_rep(&b, 'v', 64);
    LABELS_FAIL(b.s, "it must be 1-63 characters");
}

static void test_labels_prefix_253_254(void)
{
    struct wh_kv_list l;
    struct sb b;
    size_t i;

    /* 253-byte prefix of 63-byte parts plus a 63-byte name: the longest key */
    sb_reset(&b);
    for (i = 0; i < 4; i++) {
        if (i > 0)
            sb_add(&b, ".");
        sb_rep(&b, 'p', i < 3 ? 63 : 61);
    }
    CHECK_EQ(b.n, 253);
    sb_add(&b, "/");
    sb_rep(&b, 'n', 63);
    sb_add(&b, "=v");
    CHECK_OK(wh_syntax_labels(b.s, &l, NULL));
    CHECK_EQ(strlen(l.item[0].key), WH_SYNTAX_LABEL_KEY_MAX);
    CHECK_EQ(sizeof(l.item[0].key), WH_SYNTAX_LABEL_KEY_MAX + 1);

    sb_reset(&b);
    sb_rep(&b, 'p', 254);
    sb_add(&b, "/n=v");
    LABELS_FAIL(b.s, "the prefix before '/' must be a DNS subdomain");
}

static void test_labels_32_33_items(void)
{
    struct wh_kv_list l;
    struct sb b;
    char item[16];
    size_t i;

    sb_reset(&b);
    for (i = 0; i < 33; i++) {
        (void)snprintf(item, sizeof(item), "%sk%zu=v", i ? "," : "", i);
        if (i == 32) {
            CHECK_OK(wh_syntax_labels(b.s, &l, NULL));
            CHECK_EQ(l.n, 32);
            CHECK_STR_EQ(l.item[31].key, "k31");
        }
        sb_add(&b, item);
    }
    LABELS_FAIL(b.s, "33 items, at most 32 are allowed");
}

static void test_input_4096_4097(void)
{
    struct wh_kv_list l;
    struct sb b;

    sb_reset(&b);
    sb_add(&b, "a=b");
    sb_rep(&b, ' ', WH_SYNTAX_MAX_INPUT - 3);
    CHECK_OK(wh_syntax_labels(b.s, &l, NULL));
    CHECK_EQ(l.n, 1);
    sb_add(&b, " ");
    LABELS_FAIL(b.s, "value is longer than 4096 bytes");
    TOL_FAIL(b.s, "value is longer than 4096 bytes");
    SCRATCH_FAIL(b.s, "value is longer than 4096 bytes");
    MOUNTS_FAIL(b.s, "value is longer than 4096 bytes");
    ENV_FAIL(b.s, "value is longer than 4096 bytes");
}

static void test_null_arguments(void)
{
    struct wh_kv_list l;
    struct wh_toleration_list t;
    struct wh_scratch c;
    struct wh_secret_mount_list m;
    struct wh_secret_env_list v;
    struct wh_err err;
    bool b = true;

    CHECK_RC(wh_syntax_labels(NULL, &l, &err), WH_EINVAL);
    CHECK(all_zero(&l, sizeof(l)));
    CHECK_RC(wh_syntax_labels("a=b", NULL, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_tolerations(NULL, &t, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_tolerations("a", NULL, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_scratch(NULL, &c, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_scratch("size=1", NULL, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_secret_mounts(NULL, &m, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_secret_mounts("a:/b", NULL, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_secret_env(NULL, &v, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_secret_env("A=b:c", NULL, NULL), WH_EINVAL);
    CHECK_RC(wh_syntax_bool(NULL, &b, &err), WH_EINVAL);
    CHECK_RC(wh_syntax_bool("true", NULL, &err), WH_EINVAL);
    CHECK(b);
}

/* ---- tolerations ---------------------------------------------------------- */

static void check_tol(const struct wh_toleration *t, const char *key, const char *value,
                      const char *op, const char *effect)
{
    CHECK_STR_EQ(t->key, key);
    CHECK_STR_EQ(t->value, value);
    CHECK_STR_EQ(t->op, op);
    CHECK_STR_EQ(t->effect, effect);
}

static void test_tolerations_valid(void)
{
    struct wh_toleration_list t;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_OK(wh_syntax_tolerations("dedicated=spark:NoSchedule,spot:NoExecute,gpu=true,critical,"
                                   "example.com/pool:PreferNoSchedule",
                                   &t, &err));
    CHECK_EQ(t.n, 5);
    check_tol(&t.item[0], "dedicated", "spark", "Equal", "NoSchedule");
    check_tol(&t.item[1], "spot", "", "Exists", "NoExecute");
    check_tol(&t.item[2], "gpu", "true", "Equal", "");
    check_tol(&t.item[3], "critical", "", "Exists", "");
    check_tol(&t.item[4], "example.com/pool", "", "Exists", "PreferNoSchedule");

    CHECK_OK(wh_syntax_tolerations(" k = v : NoSchedule ,k:NoSchedule, k=v:NoExecute", &t, &err));
    CHECK_EQ(t.n, 3);
    check_tol(&t.item[0], "k", "v", "Equal", "NoSchedule");
    check_tol(&t.item[1], "k", "", "Exists", "NoSchedule");

    CHECK_OK(wh_syntax_tolerations("  ", &t, &err));
    CHECK_EQ(t.n, 0);
}

static void test_tolerations_errors(void)
{
    TOL_FAIL(":NoSchedule", "item 1 \":NoSchedule\": empty key; Kubernetes would read it as "
                            "\"tolerate every taint\"");
    TOL_FAIL("a,=v", "item 2 \"=v\": empty key");
    TOL_FAIL("k=:NoSchedule", "empty value; to tolerate any value of key \"k\", leave out the '='");
    TOL_FAIL("k=", "empty value");
    TOL_FAIL("k=v:", "item 1 \"k=v:\": empty effect after ':' (use one of NoSchedule, "
                     "PreferNoSchedule, NoExecute, or no ':')");
    TOL_FAIL("k:noschedule",
             "effect \"noschedule\" is not one of NoSchedule, PreferNoSchedule, "
             "NoExecute (effects are case-sensitive: did you mean \"NoSchedule\"?)");
    TOL_FAIL("k:NOEXECUTE", "(effects are case-sensitive: did you mean \"NoExecute\"?)");
    TOL_FAIL("k:NoSchedul", "effect \"NoSchedul\" is not one of NoSchedule, PreferNoSchedule, "
                            "NoExecute (did you mean \"NoSchedule\"?)");
    TOL_FAIL("k:Evict", "effect \"Evict\" is not one of NoSchedule, PreferNoSchedule, NoExecute");
    TOL_FAIL("k=v:NoSchedule:x", "effect \"NoSchedule:x\" is not one of");
    TOL_FAIL("k k:NoSchedule", "key \"k k\" is not a label key");
    TOL_FAIL("k=v v", "value \"v v\" is not a label value");
    TOL_FAIL("k:NoSchedule,j,k:NoSchedule", "item 3 \"k:NoSchedule\": same toleration as item 1");
    TOL_FAIL("k,", "item 2 is empty");
}

static void test_tolerations_no_hint_for_far_effect(void)
{
    struct wh_toleration_list t;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_RC(wh_syntax_tolerations("k:Evict", &t, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "did you mean") == NULL);
}

static void test_tolerations_32_33(void)
{
    struct wh_toleration_list t;
    struct sb b;
    char item[24];
    size_t i;

    sb_reset(&b);
    for (i = 0; i < 33; i++) {
        (void)snprintf(item, sizeof(item), "%sk%zu:NoSchedule", i ? "," : "", i);
        if (i == 32) {
            CHECK_OK(wh_syntax_tolerations(b.s, &t, NULL));
            CHECK_EQ(t.n, 32);
        }
        sb_add(&b, item);
    }
    TOL_FAIL(b.s, "33 items, at most 32 are allowed");
}

/* ---- scratch -------------------------------------------------------------- */

static void test_scratch_valid(void)
{
    struct wh_scratch c;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_OK(wh_syntax_scratch("size=200Gi,storageClass=gp3-encrypted", &c, &err));
    CHECK_STR_EQ(c.size, "200Gi");
    CHECK(c.bytes == (uint64_t)200 << 30);
    CHECK_STR_EQ(c.storage_class, "gp3-encrypted");
    CHECK_STR_EQ(c.access_mode, "ReadWriteOnce");

    CHECK_OK(wh_syntax_scratch(" accessMode = ReadWriteOncePod , size = 500M ", &c, &err));
    CHECK_STR_EQ(c.size, "500M");
    CHECK(c.bytes == UINT64_C(500000000));
    CHECK_STR_EQ(c.storage_class, "");
    CHECK_STR_EQ(c.access_mode, "ReadWriteOncePod");

    CHECK_OK(wh_syntax_scratch("size=1,accessMode=ReadWriteOnce", &c, &err));
    CHECK(c.bytes == 1);
    CHECK_OK(wh_syntax_scratch("size=64Ki", &c, &err));
    CHECK(c.bytes == 65536);
    CHECK_OK(wh_syntax_scratch("size=3k", &c, &err));
    CHECK(c.bytes == 3000);
    CHECK_OK(wh_syntax_scratch("size=2Ti", &c, &err));
    CHECK(c.bytes == UINT64_C(2) << 40);
    CHECK_OK(wh_syntax_scratch("size=7T", &c, &err));
    CHECK(c.bytes == UINT64_C(7000000000000));
    CHECK_OK(wh_syntax_scratch("size=010Mi", &c, &err));
    CHECK(c.bytes == UINT64_C(10) << 20);
}

static void test_scratch_size_1pi_boundary(void)
{
    struct wh_scratch c;

    CHECK_OK(wh_syntax_scratch("size=1Pi", &c, NULL));
    CHECK(c.bytes == WH_SYNTAX_SCRATCH_MAX);
    CHECK_OK(wh_syntax_scratch("size=1024Ti", &c, NULL));
    CHECK(c.bytes == WH_SYNTAX_SCRATCH_MAX);
    CHECK_OK(wh_syntax_scratch("size=1125899906842624", &c, NULL));
    CHECK(c.bytes == WH_SYNTAX_SCRATCH_MAX);
    CHECK_OK(wh_syntax_scratch("size=1P", &c, NULL));
    CHECK(c.bytes == UINT64_C(1000000000000000));

    SCRATCH_FAIL("size=1125899906842625", "size \"1125899906842625\" is larger than the limit "
                                          "of 1Pi");
    SCRATCH_FAIL("size=1025Ti", "size \"1025Ti\" is larger than the limit of 1Pi");
    SCRATCH_FAIL("size=2Pi", "larger than the limit of 1Pi");
    SCRATCH_FAIL("size=2P", "larger than the limit of 1Pi");
    /* overflow of the number itself, and of number * unit */
    SCRATCH_FAIL("size=18446744073709551616", "larger than the limit of 1Pi");
    SCRATCH_FAIL("size=18446744073709551615Ki", "larger than the limit of 1Pi");
    SCRATCH_FAIL("size=9999999999999999999999999999", "larger than the limit of 1Pi");
}

static void test_scratch_size_errors(void)
{
    SCRATCH_FAIL("size=0", "size \"0\" must be greater than 0");
    SCRATCH_FAIL("size=0Gi", "size \"0Gi\" must be greater than 0");
    SCRATCH_FAIL("size=1.5Gi", "size \"1.5Gi\": fractions are not supported");
    SCRATCH_FAIL("size=200GB", "size \"200GB\": unit \"GB\" is not one of Ki, Mi, Gi, Ti, Pi, "
                               "k, M, G, T, P (no unit means bytes)");
    SCRATCH_FAIL("size=200gi", "unit \"gi\" is not one of");
    SCRATCH_FAIL("size=1e3", "unit \"e3\" is not one of");
    SCRATCH_FAIL("size=200 Gi", "unit \" Gi\" is not one of");
    SCRATCH_FAIL("size=Gi", "size \"Gi\" must start with a whole number");
    SCRATCH_FAIL("size=-1Gi", "size \"-1Gi\" must start with a whole number");
}

static void test_scratch_size_text_31_32(void)
{
    struct wh_scratch c;
    struct sb b;

    sb_reset(&b);
    sb_add(&b, "size=");
    sb_rep(&b, '0', WH_SYNTAX_SIZE_TEXT_MAX - 3);
    sb_add(&b, "1Gi");
    CHECK_OK(wh_syntax_scratch(b.s, &c, NULL));
    CHECK_EQ(strlen(c.size), WH_SYNTAX_SIZE_TEXT_MAX);
    CHECK(c.bytes == UINT64_C(1) << 30);
    sb_reset(&b);
    sb_add(&b, "size=");
    sb_rep(&b, '0', WH_SYNTAX_SIZE_TEXT_MAX - 2);
    sb_add(&b, "1Gi");
    SCRATCH_FAIL(b.s, "is longer than 31 characters");
}

static void test_scratch_other_errors(void)
{
    SCRATCH_FAIL("size=1Gi,storageClass=gp3 encrypted",
                 "storageClass \"gp3 encrypted\" is not a DNS subdomain (only lowercase letters");
    SCRATCH_FAIL("size=1Gi,storageClass=GP3", "storageClass \"GP3\" is not a DNS subdomain");
    SCRATCH_FAIL("size=1Gi,storageClass=-gp3", "must start and end with a lowercase letter");
    SCRATCH_FAIL("size=1Gi,accessMode=ReadWriteMany",
                 "accessMode \"ReadWriteMany\" is not one of ReadWriteOnce, ReadWriteOncePod");
    SCRATCH_FAIL("size=1Gi,storageclass=gp3",
                 "item 2 \"storageclass=gp3\": unknown key \"storageclass\"; did you mean "
                 "\"storageClass\"? (known keys: size, storageClass, accessMode)");
    SCRATCH_FAIL("sise=1Gi", "unknown key \"sise\"; did you mean \"size\"?");
    SCRATCH_FAIL("size=1Gi,volumeMode=Block",
                 "unknown key \"volumeMode\" (known keys: size, storageClass, accessMode)");
    SCRATCH_FAIL("size=1Gi,size=2Gi", "item 2 \"size=2Gi\": key \"size\" is given twice");
    SCRATCH_FAIL("storageClass=gp3", "size is required (e.g. size=200Gi)");
    SCRATCH_FAIL("", "size is required");
    SCRATCH_FAIL("   ", "size is required");
    SCRATCH_FAIL("size", "item 1 \"size\": expected key=value");
    SCRATCH_FAIL("size=", "item 1 \"size=\": empty value");
    SCRATCH_FAIL("=1Gi", "empty key");
    SCRATCH_FAIL("size=1Gi,", "item 2 is empty");
}

static void test_scratch_unknown_has_no_hint_when_far(void)
{
    struct wh_scratch c;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_RC(wh_syntax_scratch("size=1Gi,volumeMode=Block", &c, &err), WH_EPARSE);
    CHECK(strstr(err.msg, "did you mean") == NULL);
}

/* ---- secret mounts -------------------------------------------------------- */

static void test_mounts_valid(void)
{
    struct wh_secret_mount_list m;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_OK(wh_syntax_secret_mounts("spark-conf:/etc/spark/conf, hive-keytab : /etc/security ,"
                                     "spark-conf:/opt/..x/.y",
                                     &m, &err));
    CHECK_EQ(m.n, 3);
    CHECK_STR_EQ(m.item[0].secret, "spark-conf");
    CHECK_STR_EQ(m.item[0].path, "/etc/spark/conf");
    CHECK_STR_EQ(m.item[1].secret, "hive-keytab");
    CHECK_STR_EQ(m.item[1].path, "/etc/security");
    CHECK_STR_EQ(m.item[2].path, "/opt/..x/.y");

    CHECK_OK(wh_syntax_secret_mounts("", &m, &err));
    CHECK_EQ(m.n, 0);
}

static void test_mounts_errors(void)
{
    MOUNTS_FAIL("conf", "item 1 \"conf\": expected secret:/mount/path");
    MOUNTS_FAIL(":/x", "empty secret name");
    MOUNTS_FAIL("s:", "item 1 \"s:\": empty mount path");
    MOUNTS_FAIL("Conf:/x", "secret \"Conf\" is not a DNS subdomain");
    MOUNTS_FAIL("a..b:/x", "secret \"a..b\" is not a DNS subdomain (each dot-separated part");
    MOUNTS_FAIL("s:etc/x", "mount path \"etc/x\" must be absolute");
    MOUNTS_FAIL("s:/", "mount path \"/\" may not be \"/\"");
    MOUNTS_FAIL("s:/a/../b", "mount path \"/a/../b\" may not contain \"..\" segments");
    MOUNTS_FAIL("s:/a/..", "may not contain \"..\" segments");
    MOUNTS_FAIL("s:/..", "may not contain \"..\" segments");
    MOUNTS_FAIL("s:/a//b", "mount path \"/a//b\" must be clean");
    MOUNTS_FAIL("s:/a/", "must be clean");
    MOUNTS_FAIL("s:/a/./b", "must be clean");
    MOUNTS_FAIL("s:/a/.", "must be clean");
    MOUNTS_FAIL("s:/a:b", "mount path \"/a:b\" may not contain ':'");
    MOUNTS_FAIL("s:/a\x01z", "mount path \"/a\\x01z\" may not contain control characters");
    MOUNTS_FAIL("a:/x,b:/y,c:/x", "item 3 \"c:/x\": mount path \"/x\" is already used by item 1");
    MOUNTS_FAIL("a:/x,", "item 2 is empty");
}

static void test_mounts_path_255_256(void)
{
    struct wh_secret_mount_list m;
    struct sb b;

    sb_reset(&b);
    sb_add(&b, "s:/");
    sb_rep(&b, 'p', 254);
    CHECK_OK(wh_syntax_secret_mounts(b.s, &m, NULL));
    CHECK_EQ(strlen(m.item[0].path), 255);
    sb_add(&b, "p");
    MOUNTS_FAIL(b.s, "is longer than 255 bytes");
}

/* ---- secret env ----------------------------------------------------------- */

static void test_env_valid(void)
{
    struct wh_secret_env_list v;
    struct wh_err err;

    wh_err_clear(&err);
    CHECK_OK(wh_syntax_secret_env("DB_PASSWORD=db-creds:password, API_TOKEN = api : token.json,"
                                  "_x9=a.b:-._Z",
                                  &v, &err));
    CHECK_EQ(v.n, 3);
    CHECK_STR_EQ(v.item[0].env, "DB_PASSWORD");
    CHECK_STR_EQ(v.item[0].secret, "db-creds");
    CHECK_STR_EQ(v.item[0].key, "password");
    CHECK_STR_EQ(v.item[1].env, "API_TOKEN");
    CHECK_STR_EQ(v.item[1].secret, "api");
    CHECK_STR_EQ(v.item[1].key, "token.json");
    CHECK_STR_EQ(v.item[2].env, "_x9");
    CHECK_STR_EQ(v.item[2].key, "-._Z");

    CHECK_OK(wh_syntax_secret_env("\t", &v, &err));
    CHECK_EQ(v.n, 0);
}

static void test_env_errors(void)
{
    ENV_FAIL("X", "item 1 \"X\": expected ENV=secret:key");
    ENV_FAIL("X=s", "item 1 \"X=s\": expected ENV=secret:key");
    ENV_FAIL("=s:k", "empty variable name");
    ENV_FAIL("X=:k", "empty secret name");
    ENV_FAIL("X=s:", "empty secret key");
    ENV_FAIL("1X=s:k", "variable name \"1X\" is not a C identifier");
    ENV_FAIL("X-Y=s:k", "variable name \"X-Y\" is not a C identifier");
    ENV_FAIL("X.Y=s:k", "is not a C identifier");
    ENV_FAIL("X=S:k", "secret \"S\" is not a DNS subdomain");
    ENV_FAIL("X=s:a/b", "secret key \"a/b\" may contain only letters, digits");
    ENV_FAIL("X=s:k:x", "secret key \"k:x\" may contain only");
    ENV_FAIL("X=s:.", "secret key \".\" may not be \".\" or start with \"..\"");
    ENV_FAIL("X=s:..", "secret key \"..\" may not be");
    ENV_FAIL("X=s:..x", "secret key \"..x\" may not be");
    ENV_FAIL("X=s:k,Y=s:k,X=t:k", "item 3 \"X=t:k\": variable \"X\" is already set by item 1");
}

static void test_env_lengths(void)
{
    struct wh_secret_env_list v;
    struct sb b;

    sb_reset(&b);
    sb_rep(&b, 'E', 255);
    sb_add(&b, "=s:k");
    CHECK_OK(wh_syntax_secret_env(b.s, &v, NULL));
    CHECK_EQ(strlen(v.item[0].env), 255);
    sb_reset(&b);
    sb_rep(&b, 'E', 256);
    sb_add(&b, "=s:k");
    ENV_FAIL(b.s, "is not a C identifier");

    sb_reset(&b);
    sb_add(&b, "E=s:");
    sb_rep(&b, 'k', 253);
    CHECK_OK(wh_syntax_secret_env(b.s, &v, NULL));
    CHECK_EQ(strlen(v.item[0].key), 253);
    sb_add(&b, "k");
    ENV_FAIL(b.s, "is longer than 253 characters");

    sb_reset(&b);
    sb_add(&b, "E=");
    sb_rep(&b, 's', 253);
    sb_add(&b, ":k");
    CHECK_OK(wh_syntax_secret_env(b.s, &v, NULL));
    CHECK_EQ(strlen(v.item[0].secret), 253);
    sb_reset(&b);
    sb_add(&b, "E=");
    sb_rep(&b, 's', 254);
    sb_add(&b, ":k");
    ENV_FAIL(b.s, "is not a DNS subdomain (longer than 253 characters)");
}

/* ---- bool ----------------------------------------------------------------- */

static void test_bool(void)
{
    static const char *const bad[] = { "",    "True", "TRUE", " true", "true ",
                                       "yes", "1",    "0",    "falsey" };
    struct wh_err err;
    bool b = false;
    size_t i;

    CHECK_OK(wh_syntax_bool("true", &b, NULL));
    CHECK(b);
    CHECK_OK(wh_syntax_bool("false", &b, NULL));
    CHECK(!b);
    for (i = 0; i < WH_NELEM(bad); i++) {
        b = true;
        wh_err_clear(&err);
        CHECK_RC(wh_syntax_bool(bad[i], &b, &err), WH_EPARSE);
        CHECK(b); /* untouched */
        CHECK_HAS(err.msg, "is not a boolean: write true or false");
    }
    CHECK_RC(wh_syntax_bool("True", &b, &err), WH_EPARSE);
    CHECK_STR_EQ(err.msg, "\"True\" is not a boolean: write true or false (lower case)");
}

/* ---- near miss ------------------------------------------------------------ */

static const char *const annotations[] = {
    "sparkhook.io/inject",
    "sparkhook.io/executor-node-selector",
    "sparkhook.io/driver-node-selector",
    "sparkhook.io/tolerations",
};

static void test_near_miss_distances(void)
{
    const size_t n = WH_NELEM(annotations);

    /* 0: an exact match is not a near miss */
    CHECK(wh_syntax_near_miss("sparkhook.io/inject", annotations, n, 2) == NULL);
    /* 1: deletion, insertion, substitution, transposition */
    CHECK_STR_EQ(wh_syntax_near_miss("sparkhook.io/executor-node-selectr", annotations, n, 2),
                 "sparkhook.io/executor-node-selector");
    CHECK_STR_EQ(wh_syntax_near_miss("sparkhook.io/injectt", annotations, n, 1),
                 "sparkhook.io/inject");
    CHECK_STR_EQ(wh_syntax_near_miss("sparkhook.io/Inject", annotations, n, 1),
                 "sparkhook.io/inject");
    CHECK_STR_EQ(wh_syntax_near_miss("sparkhook.io/tolreations", annotations, n, 1),
                 "sparkhook.io/tolerations");
    /* 2 */
    CHECK_STR_EQ(wh_syntax_near_miss("sparkhook.io/injc", annotations, n, 2),
                 "sparkhook.io/inject");
    CHECK(wh_syntax_near_miss("sparkhook.io/injc", annotations, n, 1) == NULL);
    /* 3 */
    CHECK(wh_syntax_near_miss("sparkhook.io/inj", annotations, n, 2) == NULL);
    CHECK_STR_EQ(wh_syntax_near_miss("sparkhook.io/inj", annotations, n, 3), "sparkhook.io/inject");
}

static void test_near_miss_closest_and_bounds(void)
{
    static const char *const known[] = { "abxy", "abcx", "abcy", NULL, "" };
    char long_key[WH_SYNTAX_NEAR_MISS_MAX + 2];

    CHECK_STR_EQ(wh_syntax_near_miss("abcd", known, 3, 2), "abcx"); /* closest, first of a tie */
    CHECK_STR_EQ(wh_syntax_near_miss("a", known, WH_NELEM(known), 1), ""); /* NULL skipped */
    CHECK(wh_syntax_near_miss("abcy", known, WH_NELEM(known), 2) == NULL); /* exact, later */
    CHECK(wh_syntax_near_miss("abcd", known, 3, 0) == NULL);
    CHECK(wh_syntax_near_miss(NULL, known, 3, 2) == NULL);
    CHECK(wh_syntax_near_miss("abcd", NULL, 0, 2) == NULL);

    memset(long_key, 'a', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    {
        const char *k1[] = { long_key };
        /* 129 bytes: refused, even against itself minus one byte */
        CHECK(wh_syntax_near_miss(long_key, k1, 1, 2) == NULL);
        long_key[WH_SYNTAX_NEAR_MISS_MAX] = '\0'; /* 128 bytes: compared */
        CHECK(wh_syntax_near_miss("aaaa", k1, 1, 200) == long_key);
        long_key[WH_SYNTAX_NEAR_MISS_MAX - 1] = 'b';
        CHECK(wh_syntax_near_miss(long_key, k1, 1, 2) == NULL); /* same pointer: exact */
    }
}

/* ---- list lookup ---------------------------------------------------------- */

static void test_list_contains(void)
{
    struct sb b;

    CHECK(wh_syntax_list_contains("istio-proxy, linkerd-proxy ,vault-agent", ',', "linkerd-proxy"));
    CHECK(wh_syntax_list_contains("istio-proxy;\tlinkerd-proxy", ';', "linkerd-proxy"));
    CHECK(wh_syntax_list_contains("a", ',', "a"));
    CHECK(!wh_syntax_list_contains("istio-proxy,linkerd-proxy", ';', "linkerd-proxy"));
    CHECK(!wh_syntax_list_contains("ab,abc", ',', "a"));
    CHECK(!wh_syntax_list_contains("a,,b", ',', ""));
    CHECK(!wh_syntax_list_contains("", ',', "a"));
    CHECK(!wh_syntax_list_contains(NULL, ',', "a"));
    CHECK(!wh_syntax_list_contains("a", ',', NULL));
    CHECK(!wh_syntax_list_contains(",,,", ',', "a"));
    CHECK(!wh_syntax_list_contains("Main", ',', "main"));

    sb_reset(&b);
    sb_add(&b, "main,");
    sb_rep(&b, ' ', WH_SYNTAX_MAX_INPUT - 5);
    CHECK(wh_syntax_list_contains(b.s, ',', "main"));
    sb_add(&b, " ");
    CHECK(!wh_syntax_list_contains(b.s, ',', "main"));
}

/* ---- robustness ----------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Every parser on one input: rc is OK or EPARSE; on EPARSE the output is
 * cleared and the message is non-empty printable ASCII. */
static void check_all_parsers(const char *s)
{
    static struct wh_kv_list l;
    static struct wh_toleration_list t;
    static struct wh_scratch c;
    static struct wh_secret_mount_list m;
    static struct wh_secret_env_list v;
    struct wh_err err;
    bool b;
    int rc;

#define ONE(call, obj)                                       \
    do {                                                     \
        wh_err_clear(&err);                                  \
        rc = (call);                                         \
        CHECK(rc == WH_OK || rc == WH_EPARSE);               \
        if (rc == WH_EPARSE) {                               \
            CHECK(err.msg[0] != '\0' && printable(err.msg)); \
            CHECK(all_zero(&(obj), sizeof(obj)));            \
        }                                                    \
    } while (0)
    ONE(wh_syntax_labels(s, &l, &err), l);
    ONE(wh_syntax_tolerations(s, &t, &err), t);
    ONE(wh_syntax_scratch(s, &c, &err), c);
    ONE(wh_syntax_secret_mounts(s, &m, &err), m);
    ONE(wh_syntax_secret_env(s, &v, &err), v);
#undef ONE
    b = true;
    wh_err_clear(&err);
    rc = wh_syntax_bool(s, &b, &err);
    CHECK(rc == WH_OK || (rc == WH_EPARSE && b && printable(err.msg)));
    (void)wh_syntax_near_miss(s, annotations, WH_NELEM(annotations), 3);
    (void)wh_syntax_list_contains(s, ',', "a");
}

static void test_odd_inputs(void)
{
    static const char *const odd[] = {
        "",
        ",",
        ",,,,",
        " , , ",
        "=",
        ":",
        "=:",
        ":=",
        "==",
        "::",
        "a=b=c:d:e",
        "\xff\xfe",
        "\xe2\x98\x83=\xe2\x98\x83",
        "size=\xe2\x98\x83",
        "k:\xe2\x98\x83",
        "\t\n\r\v\f",
        "a=b,\n",
        "s:/\xc3\xa9t\xc3\xa9",
        "E=\xc3\xa9:k",
    };
    struct sb b;
    size_t i;

    for (i = 0; i < WH_NELEM(odd); i++)
        check_all_parsers(odd[i]);
    sb_reset(&b);
    sb_rep(&b, ',', WH_SYNTAX_MAX_INPUT);
    check_all_parsers(b.s);
    sb_reset(&b);
    sb_rep(&b, 'x', sizeof(b.s) - 1);
    check_all_parsers(b.s);
    sb_reset(&b);
    sb_rep(&b, '=', 1000);
    check_all_parsers(b.s);
}

static void test_random_inputs(void)
{
    static const char alphabet[] = "ab=:,/. -_Z9\t\x01\xc3\xa9\"\\";
    struct sb b;
    size_t i, j, len;

    for (i = 0; i < 3000; i++) {
        sb_reset(&b);
        len = (size_t)(rng() % 80);
        for (j = 0; j < len; j++) {
            char c[2] = { alphabet[rng() % (sizeof(alphabet) - 1)], '\0' };
            sb_add(&b, c);
        }
        check_all_parsers(b.s);
    }
}

static const struct check_test tests[] = {
    CHECK_TEST(test_labels_valid),
    CHECK_TEST(test_labels_blank_is_empty),
    CHECK_TEST(test_labels_errors),
    CHECK_TEST(test_labels_stray_commas),
    CHECK_TEST(test_labels_unicode_is_escaped),
    CHECK_TEST(test_labels_name_and_value_63_64),
    CHECK_TEST(test_labels_prefix_253_254),
    CHECK_TEST(test_labels_32_33_items),
    CHECK_TEST(test_input_4096_4097),
    CHECK_TEST(test_null_arguments),
    CHECK_TEST(test_tolerations_valid),
    CHECK_TEST(test_tolerations_errors),
    CHECK_TEST(test_tolerations_no_hint_for_far_effect),
    CHECK_TEST(test_tolerations_32_33),
    CHECK_TEST(test_scratch_valid),
    CHECK_TEST(test_scratch_size_1pi_boundary),
    CHECK_TEST(test_scratch_size_errors),
    CHECK_TEST(test_scratch_size_text_31_32),
    CHECK_TEST(test_scratch_other_errors),
    CHECK_TEST(test_scratch_unknown_has_no_hint_when_far),
    CHECK_TEST(test_mounts_valid),
    CHECK_TEST(test_mounts_errors),
    CHECK_TEST(test_mounts_path_255_256),
    CHECK_TEST(test_env_valid),
    CHECK_TEST(test_env_errors),
    CHECK_TEST(test_env_lengths),
    CHECK_TEST(test_bool),
    CHECK_TEST(test_near_miss_distances),
    CHECK_TEST(test_near_miss_closest_and_bounds),
    CHECK_TEST(test_list_contains),
    CHECK_TEST(test_odd_inputs),
    CHECK_TEST(test_random_inputs),
};

CHECK_MAIN(tests)
