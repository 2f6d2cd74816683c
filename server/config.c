/* SPDX-License-Identifier: Apache-2.0
 *
 * config.c - the configuration key table, its loader and its renderer.
 *
 * Adding a setting is one field in struct wh_config and one row below: the
 * row carries the dotted key, the type, the bounds and the default (as text,
 * parsed by the same code as the file), and an optional value check.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "syntax.h"
#include "util/file.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

enum cfg_type {
    CFG_U64,
    CFG_BOOL,
    CFG_STR,
};

typedef int cfg_check_fn(const char *key, const char *value, struct wh_err *err);

struct cfg_key {
    const char *name;
    enum cfg_type type;
    size_t offset;
    uint64_t min; /* CFG_U64: smallest value; CFG_STR: shortest length */
    uint64_t max; /* CFG_U64: largest value; CFG_STR: longest length */
    const char *def;
    cfg_check_fn *check; /* CFG_STR only; may be NULL */
};

static cfg_check_fn check_region;
static cfg_check_fn check_abs_path;
static cfg_check_fn check_https;
static cfg_check_fn check_opt_path;

#define OFF(f) offsetof(struct wh_config, f)
#define KiB    1024ull
#define MiB    (1024ull * 1024ull)

static const struct cfg_key keys[] = {
    { "server.maxBodyBytes", CFG_U64, OFF(max_body), 1 * KiB, 64 * MiB, "3145728", NULL },
    { "server.maxJsonDepth", CFG_U64, OFF(max_depth), 16, 1000, "100", NULL },
    { "server.maxPatchBytes", CFG_U64, OFF(max_patch), 1 * KiB, 16 * MiB, "1048576", NULL },
    { "server.threads", CFG_U64, OFF(threads), 0, 256, "0", NULL },
    { "server.connectionTimeoutSeconds", CFG_U64, OFF(conn_timeout), 1, 3600, "30", NULL },
    { "server.maxConnections", CFG_U64, OFF(max_connections), 1, 65536, "4096", NULL },
    { "server.shutdownGraceSeconds", CFG_U64, OFF(shutdown_grace_s), 0, 600, "25", NULL },
    { "aws.region", CFG_STR, OFF(aws_region), 0, 32, "", check_region },
    { "aws.audience", CFG_STR, OFF(aws_audience), 1, 253, "sts.amazonaws.com", NULL },
    { "aws.tokenExpirationSeconds", CFG_U64, OFF(aws_expiration), 600, 86400, "86400", NULL },
    { "aws.stsRegionalEndpoints", CFG_BOOL, OFF(aws_sts_regional), 0, 1, "false", NULL },
    { "aws.mountPath", CFG_STR, OFF(aws_mount_path), 1, 255,
      "/var/run/secrets/eks.amazonaws.com/serviceaccount", check_abs_path },
    { "aws.fsGroup", CFG_U64, OFF(aws_fs_group), 0, 2147483647, "0", NULL },
    { "azure.tenantId", CFG_STR, OFF(azure_tenant_id), 0, 64, "", NULL },
    { "azure.authorityHost", CFG_STR, OFF(azure_authority_host), 8, 253,
      "https://login.microsoftonline.com/", check_https },
    { "azure.tokenExpirationSeconds", CFG_U64, OFF(azure_expiration), 3600, 86400, "3600", NULL },
    { "gcp.credentialMountPath", CFG_STR, OFF(gcp_credential_path), 1, 255,
      "/etc/workload-identity", check_abs_path },
    { "gcp.credentialKey", CFG_STR, OFF(gcp_credential_key), 1, 253,
      "credential-configuration.json", NULL },
    { "gcp.tokenMountPath", CFG_STR, OFF(gcp_token_path), 1, 255, "/var/run/service-account",
      check_abs_path },
    { "gcp.tokenExpirationSeconds", CFG_U64, OFF(gcp_expiration), 600, 86400, "3600", NULL },
    { "auth.bearerTokenFile", CFG_STR, OFF(auth_token_file), 0, 255, "", check_opt_path },
    { "auth.jwtKeysFile", CFG_STR, OFF(auth_jwt_keys), 0, 255, "", check_opt_path },
    { "auth.jwtIssuer", CFG_STR, OFF(auth_jwt_issuer), 0, 255, "", NULL },
    { "auth.jwtAudience", CFG_STR, OFF(auth_jwt_audience), 0, 255, "", NULL },
    { "auth.clientCaFile", CFG_STR, OFF(auth_client_ca), 0, 255, "", check_opt_path },
    { "kube.missTimeoutMs", CFG_U64, OFF(kube_miss_timeout_ms), 10, 5000, "250", NULL },
    { "kube.watchTimeoutSeconds", CFG_U64, OFF(kube_watch_timeout_s), 5, 3600, "300", NULL },
    { "kube.maxEventBytes", CFG_U64, OFF(kube_max_event), 4 * KiB, 64 * MiB, "2097152", NULL },
    { "kube.maxListBytes", CFG_U64, OFF(kube_max_list), 64 * KiB, 1024 * MiB, "67108864", NULL },
    { "kube.listPageSize", CFG_U64, OFF(kube_page_size), 10, 10000, "500", NULL },
    { "kube.backoffMaxSeconds", CFG_U64, OFF(kube_backoff_max_s), 1, 600, "30", NULL },
    { "kube.tokenRereadSeconds", CFG_U64, OFF(kube_token_reread_s), 1, 3600, "60", NULL },
};

static int check_region(const char *key, const char *value, struct wh_err *err)
{
    if (value[0] != '\0' && !wh_syntax_aws_region_ok(value))
        return wh_errf(err, WH_EINVAL, "%s: \"%s\" is not a region name (a-z, 0-9, -)", key, value);
    return WH_OK;
}

static int check_abs_path(const char *key, const char *value, struct wh_err *err)
{
    if (value[0] != '/' || strstr(value, "..") != NULL || strchr(value, ':') != NULL)
        return wh_errf(err, WH_EINVAL, "%s: \"%s\" must be an absolute path without '..' or ':'",
                       key, value);
    return WH_OK;
}

/* "" (off) or an absolute path. */
static int check_opt_path(const char *key, const char *value, struct wh_err *err)
{
    return value[0] == '\0' ? WH_OK : check_abs_path(key, value, err);
}

static int check_https(const char *key, const char *value, struct wh_err *err)
{
    if (strncmp(value, "https://", 8) != 0 || value[strlen(value) - 1] != '/')
        return wh_errf(err, WH_EINVAL, "%s: \"%s\" must be an https:// URL ending in /", key,
                       value);
    return WH_OK;
}

static const struct cfg_key *find_key(const char *name)
{
    size_t i;

    for (i = 0; i < WH_NELEM(keys); i++) {
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    }
    return NULL;
}

static int set_u64(struct wh_config *cfg, const struct cfg_key *k, uint64_t v, struct wh_err *err)
{
    if (v < k->min || v > k->max)
        return wh_errf(err, WH_EINVAL, "%s: %llu is out of range [%llu, %llu]", k->name,
                       (unsigned long long)v, (unsigned long long)k->min,
                       (unsigned long long)k->max);
    *(uint64_t *)(void *)((char *)cfg + k->offset) = v;
    return WH_OK;
}

static int set_str(struct wh_config *cfg, const struct cfg_key *k, const char *v,
                   struct wh_err *err)
{
    char **slot = (char **)(void *)((char *)cfg + k->offset);
    size_t len = strlen(v);
    int rc;

    if (len < k->min || len > k->max)
        return wh_errf(err, WH_EINVAL, "%s: length %zu is out of range [%llu, %llu]", k->name, len,
                       (unsigned long long)k->min, (unsigned long long)k->max);
    if (k->check) {
        rc = k->check(k->name, v, err);
        if (rc != WH_OK)
            return rc;
    }
    free(*slot);
    *slot = wh_xstrdup(v);
    return WH_OK;
}

static int set_from_json(struct wh_config *cfg, const struct cfg_key *k, const cJSON *v,
                         struct wh_err *err)
{
    switch (k->type) {
    case CFG_U64:
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
            floor(v->valuedouble) != v->valuedouble)
            return wh_errf(err, WH_EINVAL, "%s: expected a non-negative integer, got %s", k->name,
                           wh_json_type_name(v));
        return set_u64(cfg, k, (uint64_t)v->valuedouble, err);
    case CFG_BOOL:
        if (!cJSON_IsBool(v))
            return wh_errf(err, WH_EINVAL, "%s: expected a boolean, got %s", k->name,
                           wh_json_type_name(v));
        *(bool *)(void *)((char *)cfg + k->offset) = cJSON_IsTrue(v);
        return WH_OK;
    case CFG_STR:
        if (!cJSON_IsString(v))
            return wh_errf(err, WH_EINVAL, "%s: expected a string, got %s", k->name,
                           wh_json_type_name(v));
        return set_str(cfg, k, v->valuestring, err);
    }
    return wh_errf(err, WH_EINTERNAL, "%s: unknown key type", k->name);
}

static int set_default(struct wh_config *cfg, const struct cfg_key *k)
{
    uint64_t v = 0;

    switch (k->type) {
    case CFG_U64:
        if (wh_parse_u64(k->def, 0, UINT64_MAX, &v) != WH_OK)
            return WH_EINTERNAL;
        return set_u64(cfg, k, v, NULL);
    case CFG_BOOL:
        *(bool *)(void *)((char *)cfg + k->offset) = strcmp(k->def, "true") == 0;
        return WH_OK;
    case CFG_STR:
        return set_str(cfg, k, k->def, NULL);
    }
    return WH_EINTERNAL;
}

struct wh_config *wh_config_new_defaults(void)
{
    struct wh_config *cfg = wh_xcalloc(1, sizeof(*cfg));
    size_t i;

    for (i = 0; i < WH_NELEM(keys); i++) {
        /* The table is ours: a default that does not pass its own row is a bug. */
        if (set_default(cfg, &keys[i]) != WH_OK)
            abort();
    }
    return cfg;
}

/* Checks one profile entry: a namespace key sparkhook reads, a string value. */
static int check_profile_entry(const char *where, const cJSON *item, struct wh_err *err)
{
    if (wh_setting_by_ns_key(item->string) < 0)
        return wh_errf(err, WH_EINVAL, "%s: \"%s\" is not a sparkhook namespace setting", where,
                       item->string);
    if (!cJSON_IsString(item))
        return wh_errf(err, WH_EINVAL, "%s.%s: expected a string, got %s", where, item->string,
                       wh_json_type_name(item));
    if (strlen(item->valuestring) > WH_PROFILE_VALUE_MAX)
        return wh_errf(err, WH_EINVAL, "%s.%s: longer than %d bytes", where, item->string,
                       WH_PROFILE_VALUE_MAX);
    return wh_setting_validate(wh_setting_by_ns_key(item->string), item->valuestring, where, err);
}

/* Fills p (name already set) from a JSON object of namespace settings. */
static int parse_profile(const cJSON *obj, const char *where, struct wh_profile *p,
                         struct wh_err *err)
{
    const cJSON *item;
    size_t n = 0;
    int rc;

    if (!cJSON_IsObject(obj))
        return wh_errf(err, WH_EINVAL, "%s: expected an object, got %s", where,
                       wh_json_type_name(obj));
    cJSON_ArrayForEach(item, obj)
    {
        rc = check_profile_entry(where, item, err);
        if (rc != WH_OK)
            return rc;
        if (++n > WH_PROFILE_KEYS_MAX)
            return wh_errf(err, WH_EINVAL, "%s: more than %d settings", where, WH_PROFILE_KEYS_MAX);
    }
    p->e = wh_alloc_array(n ? n : 1, sizeof(*p->e));
    cJSON_ArrayForEach(item, obj)
    {
        p->e[p->n].key = wh_xstrdup(item->string);
        p->e[p->n].value = wh_xstrdup(item->valuestring);
        p->n++;
    }
    return WH_OK;
}

static bool profile_name_ok(const char *s)
{
    size_t n = strlen(s);
    const char *p;

    if (n == 0 || n > 63)
        return false;
    for (p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    }
    return true;
}

static int parse_profiles(struct wh_config *cfg, const cJSON *obj, struct wh_err *err)
{
    const cJSON *item;
    size_t n = 0;
    int rc = WH_OK;

    if (!cJSON_IsObject(obj))
        return wh_errf(err, WH_EINVAL, "profiles: expected an object, got %s",
                       wh_json_type_name(obj));
    n = (size_t)cJSON_GetArraySize(obj);
    if (n > WH_PROFILES_MAX)
        return wh_errf(err, WH_EINVAL, "profiles: more than %d", WH_PROFILES_MAX);
    cfg->profiles = wh_xcalloc(n ? n : 1, sizeof(*cfg->profiles));
    cJSON_ArrayForEach(item, obj)
    {
        char where[96];

        if (!profile_name_ok(item->string))
            return wh_errf(err, WH_EINVAL,
                           "profiles: \"%.64s\" is not a profile name (a-z, 0-9, -; 1-63)",
                           item->string);
        (void)snprintf(where, sizeof(where), "profiles.%s", item->string);
        cfg->profiles[cfg->nprofiles].name = wh_xstrdup(item->string);
        rc = parse_profile(item, where, &cfg->profiles[cfg->nprofiles++], err);
        if (rc != WH_OK)
            break;
    }
    return rc;
}

const struct wh_profile *wh_config_profile(const struct wh_config *cfg, const char *name)
{
    size_t i;

    for (i = 0; name && i < cfg->nprofiles; i++) {
        if (strcmp(cfg->profiles[i].name, name) == 0)
            return &cfg->profiles[i];
    }
    return NULL;
}

const char *wh_profile_get(const struct wh_profile *p, const char *key)
{
    size_t i;

    for (i = 0; p && i < p->n; i++) {
        if (strcmp(p->e[i].key, key) == 0)
            return p->e[i].value;
    }
    return NULL;
}

/* True when some key of the table lives in section name ("aws"). */
static bool is_section(const char *name)
{
    size_t n = strlen(name);
    size_t i;

    for (i = 0; i < WH_NELEM(keys); i++) {
        if (strncmp(keys[i].name, name, n) == 0 && keys[i].name[n] == '.')
            return true;
    }
    return false;
}

/* Walks one JSON object; prefix is the dotted path of obj ("" at the top). */
static int apply_object(struct wh_config *cfg, const cJSON *obj, const char *prefix,
                        struct wh_err *err)
{
    const cJSON *item;
    int rc = WH_OK;

    cJSON_ArrayForEach(item, obj)
    {
        char name[128];
        const struct cfg_key *k;
        int n = snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", item->string);

        if (n < 0 || (size_t)n >= sizeof(name))
            return wh_errf(err, WH_EINVAL, "unknown key \"%.64s...\"", name);
        k = find_key(name);
        if (*prefix == '\0' && strcmp(name, "defaults") == 0)
            rc = cfg->defaults.e ? wh_errf(err, WH_EINVAL, "defaults: given twice")
                                 : parse_profile(item, "defaults", &cfg->defaults, err);
        else if (*prefix == '\0' && strcmp(name, "profiles") == 0)
            rc = cfg->profiles ? wh_errf(err, WH_EINVAL, "profiles: given twice")
                               : parse_profiles(cfg, item, err);
        else if (k != NULL)
            rc = set_from_json(cfg, k, item, err);
        else if (cJSON_IsObject(item) && *prefix == '\0' && is_section(name))
            rc = apply_object(cfg, item, name, err);
        else
            rc = wh_errf(err, WH_EINVAL, "unknown key \"%s\"", name);
        if (rc != WH_OK)
            return rc;
    }
    return WH_OK;
}

int wh_config_parse(const char *text, size_t len, struct wh_config **out, struct wh_err *err)
{
    struct wh_config *cfg = NULL;
    cJSON *root = NULL;
    int rc;

    *out = NULL;
    rc = wh_json_parse(text, len, 16, &root, err);
    if (rc != WH_OK)
        goto out;
    if (!cJSON_IsObject(root)) {
        rc = wh_errf(err, WH_EINVAL, "config: expected a JSON object, got %s",
                     wh_json_type_name(root));
        goto out;
    }
    cfg = wh_config_new_defaults();
    rc = apply_object(cfg, root, "", err);
    if (rc != WH_OK)
        goto out;
    *out = cfg;
    cfg = NULL;
out:
    wh_config_free(cfg);
    cJSON_Delete(root);
    return rc;
}

int wh_config_load(const char *path, struct wh_config **out, struct wh_err *err)
{
    struct wh_buf text;
    int rc;

    *out = NULL;
    wh_buf_init(&text, WH_CONFIG_MAX_FILE);
    rc = wh_file_read(path, &text, err);
    if (rc == WH_OK)
        rc = wh_config_parse(wh_buf_str(&text), text.len, out, err);
    if (rc != WH_OK && err) {
        char detail[WH_ERR_MSG_MAX];

        wh_strlcpy(detail, err->msg, sizeof(detail));
        (void)wh_errf(err, (enum wh_rc)rc, "config %s: %s", path, detail);
    }
    wh_buf_cleanup(&text);
    return rc;
}

/* Renders one value of cfg as JSON text. */
static int render_value(const struct wh_config *cfg, const struct cfg_key *k, struct wh_buf *out)
{
    const char *base = (const char *)cfg + k->offset;

    switch (k->type) {
    case CFG_U64:
        return wh_buf_printf(out, "%llu",
                             (unsigned long long)*(const uint64_t *)(const void *)base);
    case CFG_BOOL:
        return wh_buf_adds(out, *(const bool *)(const void *)base ? "true" : "false");
    case CFG_STR:
        return wh_json_escape(out, *(char *const *)(const void *)base);
    }
    return WH_EINTERNAL;
}

static int render_profile(const struct wh_profile *p, const char *indent, struct wh_buf *out)
{
    size_t i;
    int rc = wh_buf_addc(out, '{');

    for (i = 0; i < p->n && rc == WH_OK; i++) {
        rc = wh_buf_printf(out, "%s\n%s  ", i ? "," : "", indent);
        if (rc == WH_OK)
            rc = wh_json_escape(out, p->e[i].key);
        if (rc == WH_OK)
            rc = wh_buf_adds(out, ": ");
        if (rc == WH_OK)
            rc = wh_json_escape(out, p->e[i].value);
    }
    if (rc == WH_OK)
        rc = wh_buf_printf(out, "%s%s}", p->n ? "\n" : "", p->n ? indent : "");
    return rc;
}

static int render_profiles(const struct wh_config *cfg, struct wh_buf *out)
{
    size_t i;
    int rc = wh_buf_adds(out, ",\n  \"defaults\": ");

    if (rc == WH_OK)
        rc = render_profile(&cfg->defaults, "  ", out);
    if (rc == WH_OK)
        rc = wh_buf_adds(out, ",\n  \"profiles\": {");
    for (i = 0; i < cfg->nprofiles && rc == WH_OK; i++) {
        rc = wh_buf_printf(out, "%s\n    ", i ? "," : "");
        if (rc == WH_OK)
            rc = wh_json_escape(out, cfg->profiles[i].name);
        if (rc == WH_OK)
            rc = wh_buf_adds(out, ": ");
        if (rc == WH_OK)
            rc = render_profile(&cfg->profiles[i], "    ", out);
    }
    if (rc == WH_OK)
        rc = wh_buf_adds(out, cfg->nprofiles ? "\n  }" : "}");
    return rc;
}

int wh_config_render(const struct wh_config *cfg, struct wh_buf *out)
{
    const char *section = NULL;
    size_t slen = 0;
    size_t i;
    int rc = wh_buf_addc(out, '{');

    /* Rows of one section are adjacent in the table. */
    for (i = 0; i < WH_NELEM(keys) && rc == WH_OK; i++) {
        const char *dot = strchr(keys[i].name, '.');
        size_t len = (size_t)(dot - keys[i].name);

        if (section == NULL || len != slen || strncmp(section, keys[i].name, len) != 0) {
            rc = wh_buf_printf(out, "%s\n  \"%.*s\": {", section ? "\n  }," : "", (int)len,
                               keys[i].name);
            section = keys[i].name;
            slen = len;
        } else {
            rc = wh_buf_addc(out, ',');
        }
        if (rc == WH_OK)
            rc = wh_buf_printf(out, "\n    \"%s\": ", dot + 1);
        if (rc == WH_OK)
            rc = render_value(cfg, &keys[i], out);
    }
    if (rc == WH_OK && section)
        rc = wh_buf_adds(out, "\n  }");
    if (rc == WH_OK)
        rc = render_profiles(cfg, out);
    if (rc == WH_OK)
        rc = wh_buf_adds(out, "\n}\n");
    return rc;
}

static void profile_free(struct wh_profile *p)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        free(p->e[i].key);
        free(p->e[i].value);
    }
    free(p->e);
    free(p->name);
}

void wh_config_free(struct wh_config *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    profile_free(&cfg->defaults);
    for (i = 0; i < cfg->nprofiles; i++)
        profile_free(&cfg->profiles[i]);
    free(cfg->profiles);
    for (i = 0; i < WH_NELEM(keys); i++) {
        if (keys[i].type == CFG_STR)
            free(*(char **)(void *)((char *)cfg + keys[i].offset));
    }
    free(cfg);
}
