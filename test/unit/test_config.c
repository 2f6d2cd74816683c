/* SPDX-License-Identifier: Apache-2.0
 *
 * test_config.c - config: the embedded defaults, wh_config_parse's refusals
 * (unknown keys at both levels, wrong types, negative and fractional
 * numbers, bounds on both sides, bad regions and mount paths, a non-object
 * root), and a render that parses back to an equal configuration.
 */
#include <stdio.h>

#include "check.h"
#include "config.h"

#include "banned.h"

#define MOUNT_DEFAULT "/var/run/secrets/eks.amazonaws.com/serviceaccount"

static struct wh_config *parse_ok(const char *text)
{
    struct wh_err err = { 0 };
    struct wh_config *cfg = NULL;
    int rc = wh_config_parse(text, strlen(text), &cfg, &err);

    if (rc != WH_OK)
        CHECK_FAIL_("wh_config_parse(%s): %s: %s", text, wh_rcname(rc), err.msg);
    CHECK(cfg != NULL);
    return cfg;
}

/* Expects a refusal whose message contains want. */
static void parse_bad(const char *text, const char *want)
{
    static struct wh_config sentinel;
    struct wh_err err = { 0 };
    struct wh_config *cfg = &sentinel; /* must be reset to NULL */
    int rc = wh_config_parse(text, strlen(text), &cfg, &err);

    if (rc == WH_OK) {
        wh_config_free(cfg);
        CHECK_FAIL_("wh_config_parse(%s) accepted it", text);
    }
    if (cfg != NULL)
        CHECK_FAIL_("wh_config_parse(%s) failed but left *out set", text);
    if (strstr(err.msg, want) == NULL)
        CHECK_FAIL_("wh_config_parse(%s): message \"%s\" lacks \"%s\"", text, err.msg, want);
}

static void test_defaults(void)
{
    struct wh_config *cfg = wh_config_new_defaults();

    CHECK_EQ(cfg->max_body, 3145728);
    CHECK_EQ(cfg->max_depth, 100);
    CHECK_EQ(cfg->max_patch, 1048576);
    CHECK_EQ(cfg->threads, 0);
    CHECK_EQ(cfg->conn_timeout, 30);
    CHECK_EQ(cfg->max_connections, 4096);
    CHECK_STR_EQ(cfg->aws_region, "");
    CHECK_STR_EQ(cfg->aws_audience, "sts.amazonaws.com");
    CHECK_EQ(cfg->aws_expiration, 86400);
    CHECK(!cfg->aws_sts_regional);
    CHECK_STR_EQ(cfg->aws_mount_path, MOUNT_DEFAULT);
    CHECK_EQ(cfg->aws_fs_group, 0);
    wh_config_free(cfg);
    wh_config_free(NULL); /* a no-op */
}

static void test_empty_object_is_defaults(void)
{
    struct wh_config *cfg = parse_ok("{}");

    CHECK_EQ(cfg->max_body, 3145728);
    CHECK_EQ(cfg->aws_expiration, 86400);
    CHECK_STR_EQ(cfg->aws_mount_path, MOUNT_DEFAULT);
    wh_config_free(cfg);
}

static void test_values_override_defaults(void)
{
    struct wh_config *cfg = parse_ok("{\"server\":{\"maxBodyBytes\":2048,\"threads\":4},"
                                     "\"aws\":{\"region\":\"eu-west-1\",\"audience\":\"sts.cn\","
                                     "\"stsRegionalEndpoints\":true,\"fsGroup\":1000,"
                                     "\"mountPath\":\"/token\"}}");

    CHECK_EQ(cfg->max_body, 2048);
    CHECK_EQ(cfg->threads, 4);
    CHECK_EQ(cfg->max_patch, 1048576); /* untouched */
    CHECK_STR_EQ(cfg->aws_region, "eu-west-1");
    CHECK_STR_EQ(cfg->aws_audience, "sts.cn");
    CHECK(cfg->aws_sts_regional);
    CHECK_EQ(cfg->aws_fs_group, 1000);
    CHECK_STR_EQ(cfg->aws_mount_path, "/token");
    wh_config_free(cfg);
}

static void test_unknown_top_level_key(void)
{
    parse_bad("{\"foo\":1}", "\"foo\"");
    parse_bad("{\"server\":{},\"verbose\":true}", "\"verbose\"");
}

/* A misspelt section is an unknown key even when it is an empty object. */
static void test_unknown_top_level_section(void)
{
    parse_bad("{\"awz\":{\"region\":\"us-east-1\"}}", "awz");
    parse_bad("{\"serverr\":{}}", "serverr");
}

static void test_unknown_nested_key(void)
{
    parse_bad("{\"aws\":{\"regoin\":\"us-east-1\"}}", "\"aws.regoin\"");
    parse_bad("{\"server\":{\"maxBody\":1024}}", "\"server.maxBody\"");
    parse_bad("{\"aws\":{\"region\":{}}}", "aws.region");
    parse_bad("{\"aws\":{\"x\":{\"y\":1}}}", "aws.x");
}

static void test_wrong_types(void)
{
    parse_bad("{\"aws\":{\"region\":5}}", "aws.region: expected a string, got number");
    parse_bad("{\"server\":{\"threads\":\"4\"}}", "server.threads");
    parse_bad("{\"server\":{\"threads\":true}}", "server.threads");
    parse_bad("{\"server\":{\"threads\":null}}", "server.threads");
    parse_bad("{\"aws\":{\"stsRegionalEndpoints\":\"true\"}}",
              "aws.stsRegionalEndpoints: expected a boolean, got string");
    parse_bad("{\"aws\":{\"stsRegionalEndpoints\":1}}", "aws.stsRegionalEndpoints");
    parse_bad("{\"aws\":\"us-east-1\"}", "aws");
}

static void test_negative_and_fractional(void)
{
    parse_bad("{\"server\":{\"threads\":-1}}", "server.threads");
    parse_bad("{\"aws\":{\"fsGroup\":-1000}}", "aws.fsGroup");
    parse_bad("{\"server\":{\"threads\":1.5}}", "server.threads");
    parse_bad("{\"aws\":{\"tokenExpirationSeconds\":3600.5}}", "aws.tokenExpirationSeconds");
    parse_bad("{\"server\":{\"maxBodyBytes\":1e300}}", "server.maxBodyBytes");
}

static void test_integral_float_notation_accepted(void)
{
    struct wh_config *cfg = parse_ok("{\"server\":{\"threads\":4.0,\"maxBodyBytes\":2e3}}");

    CHECK_EQ(cfg->threads, 4);
    CHECK_EQ(cfg->max_body, 2000);
    wh_config_free(cfg);
}

static void test_token_expiration_bounds(void)
{
    struct wh_config *cfg;

    parse_bad("{\"aws\":{\"tokenExpirationSeconds\":599}}",
              "aws.tokenExpirationSeconds: 599 is out of range [600, 86400]");
    cfg = parse_ok("{\"aws\":{\"tokenExpirationSeconds\":600}}");
    CHECK_EQ(cfg->aws_expiration, 600);
    wh_config_free(cfg);
    cfg = parse_ok("{\"aws\":{\"tokenExpirationSeconds\":86400}}");
    CHECK_EQ(cfg->aws_expiration, 86400);
    wh_config_free(cfg);
    parse_bad("{\"aws\":{\"tokenExpirationSeconds\":86401}}",
              "aws.tokenExpirationSeconds: 86401 is out of range");
}

static void test_server_bounds(void)
{
    struct wh_config *cfg;

    parse_bad("{\"server\":{\"maxBodyBytes\":1023}}", "server.maxBodyBytes");
    parse_bad("{\"server\":{\"maxJsonDepth\":15}}", "server.maxJsonDepth");
    parse_bad("{\"server\":{\"maxJsonDepth\":1001}}", "server.maxJsonDepth");
    parse_bad("{\"server\":{\"maxPatchBytes\":1023}}", "server.maxPatchBytes");
    parse_bad("{\"server\":{\"threads\":257}}", "server.threads");
    parse_bad("{\"server\":{\"connectionTimeoutSeconds\":0}}", "server.connectionTimeoutSeconds");
    cfg = parse_ok("{\"server\":{\"maxBodyBytes\":1024,\"maxJsonDepth\":16,"
                   "\"maxPatchBytes\":1024,\"threads\":256}}");
    CHECK_EQ(cfg->max_body, 1024);
    CHECK_EQ(cfg->max_depth, 16);
    CHECK_EQ(cfg->max_patch, 1024);
    CHECK_EQ(cfg->threads, 256);
    wh_config_free(cfg);
    cfg = parse_ok("{\"server\":{\"maxJsonDepth\":1000}}");
    CHECK_EQ(cfg->max_depth, 1000);
    wh_config_free(cfg);
}

static void test_fs_group_bounds(void)
{
    struct wh_config *cfg = parse_ok("{\"aws\":{\"fsGroup\":2147483647}}");

    CHECK_EQ(cfg->aws_fs_group, 2147483647);
    wh_config_free(cfg);
    parse_bad("{\"aws\":{\"fsGroup\":2147483648}}", "aws.fsGroup");
}

static void test_region(void)
{
    struct wh_config *cfg = parse_ok("{\"aws\":{\"region\":\"us-gov-west-1\"}}");

    CHECK_STR_EQ(cfg->aws_region, "us-gov-west-1");
    wh_config_free(cfg);
    cfg = parse_ok("{\"aws\":{\"region\":\"\"}}");
    CHECK_STR_EQ(cfg->aws_region, "");
    wh_config_free(cfg);
    parse_bad("{\"aws\":{\"region\":\"US-EAST-1\"}}", "aws.region");
    parse_bad("{\"aws\":{\"region\":\"us_east_1\"}}", "aws.region");
    parse_bad("{\"aws\":{\"region\":\"us-east-1 \"}}", "aws.region");
    parse_bad("{\"aws\":{\"region\":\"us-east-1\\\"\"}}", "aws.region");
}

static void test_region_length(void)
{
    struct wh_config *cfg;

    /* 32 characters is the longest region accepted. */
    cfg = parse_ok("{\"aws\":{\"region\":\"abcdefghijklmnopqrstuvwxyz-12345\"}}");
    CHECK_EQ(strlen(cfg->aws_region), 32);
    wh_config_free(cfg);
    parse_bad("{\"aws\":{\"region\":\"abcdefghijklmnopqrstuvwxyz-123456\"}}", "aws.region");
}

static void test_mount_path(void)
{
    struct wh_config *cfg = parse_ok("{\"aws\":{\"mountPath\":\"/var/run/aws\"}}");

    CHECK_STR_EQ(cfg->aws_mount_path, "/var/run/aws");
    wh_config_free(cfg);
    parse_bad("{\"aws\":{\"mountPath\":\"var/run/aws\"}}", "aws.mountPath");
    parse_bad("{\"aws\":{\"mountPath\":\"/var/../etc\"}}", "aws.mountPath");
    parse_bad("{\"aws\":{\"mountPath\":\"/var/run/..\"}}", "aws.mountPath");
    parse_bad("{\"aws\":{\"mountPath\":\"..\"}}", "aws.mountPath");
    parse_bad("{\"aws\":{\"mountPath\":\"\"}}", "aws.mountPath");
    parse_bad("{\"aws\":{\"mountPath\":\"C:/token\"}}", "aws.mountPath");
}

static void test_audience_not_empty(void)
{
    parse_bad("{\"aws\":{\"audience\":\"\"}}", "aws.audience");
}

static void test_non_object_root(void)
{
    parse_bad("[]", "expected a JSON object, got array");
    parse_bad("5", "got number");
    parse_bad("\"aws\"", "got string");
    parse_bad("null", "got null");
}

static void test_malformed_json(void)
{
    parse_bad("{\"aws\":", "invalid JSON");
    parse_bad("", "invalid JSON");
    parse_bad("{} {}", "invalid JSON");
}

static void test_load_missing_file(void)
{
    struct wh_err err = { 0 };
    struct wh_config *cfg = NULL;

    CHECK(wh_config_load("/nonexistent/sparkhook.json", &cfg, &err) != WH_OK);
    CHECK(cfg == NULL);
    CHECK(strstr(err.msg, "/nonexistent/sparkhook.json") != NULL);
}

static char *render(const struct wh_config *cfg)
{
    struct wh_buf b;

    wh_buf_init(&b, 1 << 16);
    CHECK_OK(wh_config_render(cfg, &b));
    return wh_buf_take(&b, NULL);
}

/* Renders cfg, checks the text is JSON, parses it back and renders again:
 * the two renderings must be the same text. Returns the re-parsed config. */
static struct wh_config *round_trip(const struct wh_config *cfg)
{
    char *text = render(cfg);
    cJSON *json = cJSON_Parse(text);
    bool is_json = json != NULL;
    struct wh_err err = { 0 };
    struct wh_config *back = NULL;
    char *again;
    int rc;

    cJSON_Delete(json);
    rc = wh_config_parse(text, strlen(text), &back, &err);
    if (!is_json || rc != WH_OK) {
        (void)fprintf(stderr, "  rendered: %s\n  error: %s\n", text, err.msg);
        free(text);
        CHECK_FAIL_("rendered config does not parse back");
    }
    again = render(back);
    CHECK_JSON_EQ(again, text);
    free(again);
    free(text);
    return back;
}

static void test_render_defaults_round_trip(void)
{
    struct wh_config *cfg = wh_config_new_defaults();
    struct wh_config *back = round_trip(cfg);

    CHECK_EQ(back->max_body, cfg->max_body);
    CHECK_STR_EQ(back->aws_mount_path, cfg->aws_mount_path);
    wh_config_free(back);
    wh_config_free(cfg);
}

static void test_render_custom_round_trip(void)
{
    struct wh_config *cfg =
        parse_ok("{\"server\":{\"maxBodyBytes\":4096,\"maxJsonDepth\":16,\"maxPatchBytes\":2048,"
                 "\"threads\":3,\"connectionTimeoutSeconds\":7,\"maxConnections\":9},"
                 "\"aws\":{\"region\":\"ap-south-2\",\"audience\":\"a\\\"b\\\\c\\u00e9\","
                 "\"tokenExpirationSeconds\":600,\"stsRegionalEndpoints\":true,"
                 "\"mountPath\":\"/x y/z\",\"fsGroup\":2147483647}}");
    struct wh_config *back = round_trip(cfg);

    CHECK_EQ(back->max_body, 4096);
    CHECK_EQ(back->max_depth, 16);
    CHECK_EQ(back->max_patch, 2048);
    CHECK_EQ(back->threads, 3);
    CHECK_EQ(back->conn_timeout, 7);
    CHECK_EQ(back->max_connections, 9);
    CHECK_STR_EQ(back->aws_region, "ap-south-2");
    CHECK_STR_EQ(back->aws_audience, "a\"b\\c\xc3\xa9");
    CHECK_EQ(back->aws_expiration, 600);
    CHECK(back->aws_sts_regional);
    CHECK_STR_EQ(back->aws_mount_path, "/x y/z");
    CHECK_EQ(back->aws_fs_group, 2147483647);
    wh_config_free(back);
    wh_config_free(cfg);
}

static void test_render_has_sections(void)
{
    struct wh_config *cfg = wh_config_new_defaults();
    char *text = render(cfg);
    cJSON *json = cJSON_Parse(text);
    const cJSON *aws = cJSON_GetObjectItemCaseSensitive(json, "aws");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(aws, "tokenExpirationSeconds");

    free(text);
    CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(json, "server")));
    CHECK(cJSON_IsNumber(exp) && exp->valuedouble == 86400);
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(aws, "mountPath")->valuestring, MOUNT_DEFAULT);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(aws, "stsRegionalEndpoints")));
    cJSON_Delete(json);
    wh_config_free(cfg);
}

/* Profile and default values are checked when the config loads, with the
 * generators' own checks: what a pod's admission would refuse is refused
 * here, with the place named. */
static void test_profile_values(void)
{
    static const struct {
        const char *key, *value, *want; /* want NULL: accepted */
    } cases[] = {
        { "sparkhook.io/aws-role-arn", "arn:aws:iam::111122223333:role/spark", NULL },
        { "sparkhook.io/aws-role-arn", "arn:aws-cn:iam::111122223333:role/path/spark", NULL },
        { "sparkhook.io/aws-role-arn", "arn:aws:iam::1111:role/spark", "is not an IAM role ARN" },
        { "sparkhook.io/aws-role-arn", "arn:aws:iam::111122223333:role/",
          "is not an IAM role ARN" },
        { "sparkhook.io/aws-role-arn", "arn:aws:iam::111122223333:role/a/",
          "is not an IAM role ARN" },
        { "sparkhook.io/aws-role-arn", "spark", "is not an IAM role ARN" },
        { "sparkhook.io/azure-client-id", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", NULL },
        { "sparkhook.io/azure-tenant-id", "0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D", NULL },
        { "sparkhook.io/azure-client-id", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5", "is not a GUID" },
        { "sparkhook.io/azure-tenant-id", "0a1b2c3d_4e5f-6a7b-8c9d-0e1f2a3b4c5d", "is not a GUID" },
        { "sparkhook.io/azure-client-id", "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5g", "is not a GUID" },
        { "sparkhook.io/gcp-credential-configmap", "gcp-wif", NULL },
        { "sparkhook.io/gcp-credential-configmap", "gcp-wif:creds.json", NULL },
        { "sparkhook.io/gcp-credential-configmap", "Gcp_Wif",
          "ConfigMap name \"Gcp_Wif\" is not a DNS subdomain" },
        { "sparkhook.io/gcp-credential-configmap", "gcp-wif:a/b", "key \"a/b\" may contain only" },
        { "sparkhook.io/gcp-wif-audience",
          "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/k8s",
          NULL },
        { "sparkhook.io/gcp-wif-audience", "https://example.com/aud", NULL },
        { "sparkhook.io/gcp-wif-audience", "sts.googleapis.com",
          "is not a workload identity provider audience" },
        { "sparkhook.io/gcp-wif-audience", "https://a b",
          "is not a workload identity provider audience" },
        { "sparkhook.io/aws-region", "eu-west-1", NULL },
        { "sparkhook.io/aws-region", "us-gov-west-1", NULL },
        { "sparkhook.io/aws-region", "EU-West-1", "\"EU-West-1\" is not a region name" },
        { "sparkhook.io/aws-region", "", "\"\" is not a region name" },
        { "sparkhook.io/aws-region", "eu-west-1-eu-west-1-eu-west-1-eu1",
          "is not a region name" }, /* 33 characters */
        { "sparkhook.io/executor-service-account", "spark-executor", NULL },
        { "sparkhook.io/driver-service-account", "spark.driver", NULL },
        { "sparkhook.io/executor-service-account", "Spark_SA",
          "service account \"Spark_SA\" is not a DNS subdomain" },
        { "sparkhook.io/driver-service-account", "-spark", "is not a DNS subdomain" },
    };
    size_t i;

    for (i = 0; i < WH_NELEM(cases); i++) {
        char text[512], want[256];
        int n;

        n = snprintf(text, sizeof(text), "{\"profiles\":{\"team\":{\"%s\":\"%s\"}}}", cases[i].key,
                     cases[i].value);
        CHECK(n > 0 && (size_t)n < sizeof(text));
        if (cases[i].want == NULL) {
            wh_config_free(parse_ok(text));
        } else {
            parse_bad(text, cases[i].want);
            (void)snprintf(want, sizeof(want), "profiles.team.%s", cases[i].key);
            parse_bad(text, want); /* the place is named */
        }
        /* defaults are checked alike */
        n = snprintf(text, sizeof(text), "{\"defaults\":{\"%s\":\"%s\"}}", cases[i].key,
                     cases[i].value);
        CHECK(n > 0 && (size_t)n < sizeof(text));
        if (cases[i].want == NULL)
            wh_config_free(parse_ok(text));
        else
            parse_bad(text, cases[i].want);
    }
}

static const struct check_test tests[] = {
    CHECK_TEST(test_defaults),
    CHECK_TEST(test_empty_object_is_defaults),
    CHECK_TEST(test_values_override_defaults),
    CHECK_TEST(test_unknown_top_level_key),
    CHECK_TEST(test_unknown_top_level_section),
    CHECK_TEST(test_unknown_nested_key),
    CHECK_TEST(test_wrong_types),
    CHECK_TEST(test_negative_and_fractional),
    CHECK_TEST(test_integral_float_notation_accepted),
    CHECK_TEST(test_token_expiration_bounds),
    CHECK_TEST(test_server_bounds),
    CHECK_TEST(test_fs_group_bounds),
    CHECK_TEST(test_region),
    CHECK_TEST(test_region_length),
    CHECK_TEST(test_mount_path),
    CHECK_TEST(test_audience_not_empty),
    CHECK_TEST(test_non_object_root),
    CHECK_TEST(test_malformed_json),
    CHECK_TEST(test_load_missing_file),
    CHECK_TEST(test_render_defaults_round_trip),
    CHECK_TEST(test_render_custom_round_trip),
    CHECK_TEST(test_render_has_sections),
    CHECK_TEST(test_profile_values),
};

CHECK_MAIN(tests)
