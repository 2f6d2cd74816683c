/* SPDX-License-Identifier: Apache-2.0
 *
 * run_golden.c - runs one golden case through the in-process pipeline.
 *
 * A case is a directory holding request.json (an AdmissionReview), and
 * optionally cluster.json (a v1 List; default: ../cluster.json, the one
 * beside the concern directories) and config.json. The runner checks:
 *   1. the response envelope: HTTP 200, uid and apiVersion echoed, patchType
 *      present exactly when a patch is, and the base64 patch decoding to the
 *      rendered patch;
 *   2. the patch equals expected-patch.json ([] for none);
 *   3. the patch applied to request.object equals expected-object.json;
 *   4. the warnings equal expected-warnings.json, when that file exists;
 *   5. idempotence: the patched pod submitted again yields no patch.
 * With WH_GOLDEN_UPDATE=1 it writes the expected files instead of comparing
 * (review the diff before committing).
 *
 * usage: run_golden CASE_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apply.h"
#include "config.h"
#include "mutate.h"
#include "objects.h"
#include "util/b64.h"
#include "util/file.h"
#include "util/json.h"
#include "util/mem.h"

#define MAX_FILE (16u * 1024u * 1024u)

static int failures;

static void fail(const char *dir, const char *what, const char *got, const char *want)
{
    (void)fprintf(stderr, "FAIL %s: %s\n", dir, what);
    if (got)
        (void)fprintf(stderr, "  got:  %s\n", got);
    if (want)
        (void)fprintf(stderr, "  want: %s\n", want);
    failures++;
}

static char *path_in(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = wh_xmalloc(dl + nl + 2);

    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

static int exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

/* Reads dir/name into a malloc'd string, or NULL when missing. */
static char *slurp(const char *dir, const char *name, size_t *len)
{
    char *path = path_in(dir, name);
    struct wh_buf b;
    struct wh_err err;
    char *text = NULL;

    wh_buf_init(&b, MAX_FILE);
    if (exists(path) && wh_file_read(path, &b, &err) == WH_OK)
        text = wh_buf_take(&b, len);
    wh_buf_cleanup(&b);
    free(path);
    return text;
}

static void write_pretty(const char *dir, const char *name, const cJSON *json)
{
    char *path = path_in(dir, name);
    char *text = cJSON_Print(json);
    FILE *f = fopen(path, "w");

    if (f == NULL || fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
        (void)fprintf(stderr, "cannot write %s\n", path);
        exit(2);
    }
    free(text);
    free(path);
}

static struct wh_config *load_config(const char *dir)
{
    char *path = path_in(dir, "config.json");
    struct wh_config *cfg = NULL;
    struct wh_err err;

    if (!exists(path))
        cfg = wh_config_new_defaults();
    else if (wh_config_load(path, &cfg, &err) != WH_OK)
        (void)fprintf(stderr, "%s\n", err.msg);
    free(path);
    return cfg;
}

static struct wh_snapshot *load_cluster(const char *dir)
{
    char *path = path_in(dir, "cluster.json");
    struct wh_snapshot *snap = NULL;
    struct wh_err err;

    if (!exists(path)) {
        free(path);
        path = path_in(dir, "../../cluster.json");
    }
    if (wh_objects_load(path, &snap, &err) != WH_OK)
        (void)fprintf(stderr, "%s\n", err.msg);
    free(path);
    return snap;
}

/* Check 1: the envelope of an allowed response. Returns the parsed body. */
static cJSON *check_envelope(const char *dir, const cJSON *review, const struct wh_result *res)
{
    cJSON *body = cJSON_Parse(wh_buf_str(&res->body));
    const cJSON *resp = cJSON_GetObjectItemCaseSensitive(body, "response");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(review, "request");
    const char *patch = wh_json_get_str(resp, "patch");
    const char *ptype = wh_json_get_str(resp, "patchType");
    struct wh_buf dec;

    if (res->http_status != 200 || !cJSON_IsTrue(cJSON_GetObjectItem(resp, "allowed")))
        fail(dir, "not allowed with HTTP 200", wh_buf_str(&res->body), NULL);
    if (strcmp(wh_json_get_str(body, "apiVersion") ? wh_json_get_str(body, "apiVersion") : "",
               wh_json_get_str(review, "apiVersion")) != 0)
        fail(dir, "apiVersion not echoed", wh_json_get_str(body, "apiVersion"), NULL);
    if (wh_json_get_str(resp, "uid") == NULL ||
        strcmp(wh_json_get_str(resp, "uid"), wh_json_get_str(req, "uid")) != 0)
        fail(dir, "uid not echoed", wh_json_get_str(resp, "uid"), wh_json_get_str(req, "uid"));
    if ((patch != NULL) != (res->patch.len > 0) || (ptype != NULL) != (patch != NULL) ||
        (ptype && strcmp(ptype, "JSONPatch") != 0))
        fail(dir, "patch/patchType pairing", wh_buf_str(&res->body), NULL);
    wh_buf_init(&dec, MAX_FILE);
    if (patch && (wh_b64_decode(patch, strlen(patch), &dec) != WH_OK ||
                  strcmp(wh_buf_str(&dec), wh_buf_str(&res->patch)) != 0))
        fail(dir, "base64 patch does not decode to the patch", wh_buf_str(&dec),
             wh_buf_str(&res->patch));
    wh_buf_cleanup(&dec);
    return body;
}

/* Compares got with dir/name (or writes it in update mode). */
static void compare(const char *dir, const char *name, const cJSON *got, int update)
{
    size_t len = 0;
    char *want_text;
    cJSON *want;

    if (update) {
        write_pretty(dir, name, got);
        return;
    }
    want_text = slurp(dir, name, &len);
    want = want_text ? cJSON_Parse(want_text) : NULL;
    if (want == NULL || !cJSON_Compare(got, want, 1)) {
        char *g = cJSON_PrintUnformatted(got);

        fail(dir, name, g, want_text ? want_text : "(missing)");
        free(g);
    }
    cJSON_Delete(want);
    free(want_text);
}

/* Check 5: the patched object as a new review yields no patch. */
static void check_idempotent(const char *dir, const struct wh_config *cfg,
                             const struct wh_snapshot *snap, cJSON *review, const cJSON *patched)
{
    cJSON *req = cJSON_GetObjectItemCaseSensitive(review, "request");
    struct wh_result res;
    char *text;

    cJSON_ReplaceItemInObjectCaseSensitive(req, "object", cJSON_Duplicate(patched, 1));
    text = cJSON_PrintUnformatted(review);
    wh_result_init(&res, cfg);
    wh_mutate(cfg, snap, text, strlen(text), &res);
    if (res.http_status != 200 || res.patch.len != 0)
        fail(dir, "second pass over the patched pod is not empty", wh_buf_str(&res.patch), "");
    wh_result_cleanup(&res);
    free(text);
}

static void run_case(const char *dir, const struct wh_config *cfg, const struct wh_snapshot *snap,
                     const char *text, size_t len, int update)
{
    struct wh_result res;
    struct wh_err err;
    cJSON *review = cJSON_Parse(text);
    cJSON *object = cJSON_Duplicate(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(review, "request"), "object"), 1);
    cJSON *patch, *body, *warnings;

    wh_result_init(&res, cfg);
    wh_mutate(cfg, snap, text, len, &res);
    body = check_envelope(dir, review, &res);
    patch = cJSON_Parse(res.patch.len ? wh_buf_str(&res.patch) : "[]");
    compare(dir, "expected-patch.json", patch, update);
    if (res.patch.len && wh_patch_apply(object, wh_buf_str(&res.patch), res.patch.len, &err))
        fail(dir, "patch does not apply", err.msg, NULL);
    compare(dir, "expected-object.json", object, update);
    warnings = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(body, "response"), "warnings");
    if (warnings == NULL)
        warnings = cJSON_AddArrayToObject(body, "noWarnings");
    {
        char *wpath = path_in(dir, "expected-warnings.json");

        if (update || exists(wpath))
            compare(dir, "expected-warnings.json", warnings, update);
        free(wpath);
    }
    check_idempotent(dir, cfg, snap, review, object);
    cJSON_Delete(body);
    cJSON_Delete(patch);
    cJSON_Delete(object);
    cJSON_Delete(review);
    wh_result_cleanup(&res);
}

int main(int argc, char **argv)
{
    const char *dir = argc == 2 ? argv[1] : NULL;
    const char *upd = getenv("WH_GOLDEN_UPDATE");
    struct wh_config *cfg;
    struct wh_snapshot *snap;
    size_t len = 0;
    char *text;

    if (dir == NULL) {
        (void)fprintf(stderr, "usage: run_golden CASE_DIR\n");
        return 2;
    }
    wh_json_init();
    cfg = load_config(dir);
    snap = load_cluster(dir);
    text = slurp(dir, "request.json", &len);
    if (cfg == NULL || snap == NULL || text == NULL) {
        (void)fprintf(stderr, "%s: cannot load the case\n", dir);
        return 2;
    }
    run_case(dir, cfg, snap, text, len, upd && strcmp(upd, "1") == 0);
    free(text);
    wh_snapshot_unref(snap);
    wh_config_free(cfg);
    (void)printf("%d passed, %d failed\n", failures ? 0 : 1, failures ? 1 : 0);
    return failures ? 1 : 0;
}
