/* SPDX-License-Identifier: Apache-2.0
 *
 * admission.c - AdmissionReview parsing and response rendering; see
 * admission.h.
 */
#include "admission.h"

#include <string.h>

#include "util/arena.h"
#include "util/b64.h"
#include "util/json.h"

#include "banned.h"

#define API_V1      "admission.k8s.io/v1"
#define API_V1BETA1 "admission.k8s.io/v1beta1"

void wh_admission_init(struct wh_admission *adm)
{
    memset(adm, 0, sizeof(*adm));
    adm->namespace_ = "";
    adm->name = "";
    adm->username = "";
}

void wh_admission_cleanup(struct wh_admission *adm)
{
    if (adm->arena == NULL)
        cJSON_Delete(adm->root);
    wh_admission_init(adm);
}

static int parse_envelope(struct wh_admission *adm, const cJSON **request, struct wh_err *err)
{
    const char *v = wh_json_get_str(adm->root, "apiVersion");
    const char *kind = wh_json_get_str(adm->root, "kind");
    int rc;

    if (!cJSON_IsObject(adm->root))
        return wh_errf(err, WH_EPARSE, "expected an AdmissionReview object, got %s",
                       wh_json_type_name(adm->root));
    if (v == NULL || (strcmp(v, API_V1) != 0 && strcmp(v, API_V1BETA1) != 0))
        return wh_errf(err, WH_EPARSE, "apiVersion: expected %s or %s", API_V1, API_V1BETA1);
    adm->api_version = v;
    if (kind == NULL || strcmp(kind, "AdmissionReview") != 0)
        return wh_errf(err, WH_EPARSE, "kind: expected AdmissionReview");
    rc = wh_json_want(adm->root, "request", WH_JSON_OBJECT, "review", request, err);
    if (rc == WH_OK && *request == NULL)
        rc = wh_errf(err, WH_EPARSE, "request: missing");
    return rc;
}

static int want_str(const cJSON *obj, const char *key, const char *path, const char **out,
                    struct wh_err *err)
{
    const cJSON *s = NULL;
    int rc = wh_json_want(obj, key, WH_JSON_STRING, path, &s, err);

    if (s)
        *out = s->valuestring;
    return rc;
}

/* request.kind is {group, version, kind}; request.resource {group, version,
 * resource}. A pod CREATE is group "", kind Pod, resource pods, no
 * subresource. */
static int parse_target(struct wh_admission *adm, const cJSON *req, struct wh_err *err)
{
    const cJSON *kind = NULL, *res = NULL;
    const char *group = "", *k = "", *rgroup = "", *r = "", *sub = "";
    int rc;

    rc = wh_json_want(req, "kind", WH_JSON_OBJECT, "request", &kind, err);
    if (rc == WH_OK)
        rc = wh_json_want(req, "resource", WH_JSON_OBJECT, "request", &res, err);
    if (rc == WH_OK && (kind == NULL || res == NULL))
        rc = wh_errf(err, WH_EPARSE, "request.kind and request.resource: required");
    if (rc == WH_OK)
        rc = want_str(kind, "group", "request.kind", &group, err);
    if (rc == WH_OK)
        rc = want_str(kind, "kind", "request.kind", &k, err);
    if (rc == WH_OK)
        rc = want_str(res, "group", "request.resource", &rgroup, err);
    if (rc == WH_OK)
        rc = want_str(res, "resource", "request.resource", &r, err);
    if (rc == WH_OK)
        rc = want_str(req, "subResource", "request", &sub, err);
    if (rc == WH_OK)
        rc = want_str(req, "operation", "request", &adm->operation, err);
    if (rc == WH_OK && adm->operation == NULL)
        rc = wh_errf(err, WH_EPARSE, "request.operation: required");
    if (rc != WH_OK)
        return rc;
    adm->pod_create = group[0] == '\0' && strcmp(k, "Pod") == 0 && rgroup[0] == '\0' &&
                      strcmp(r, "pods") == 0 && sub[0] == '\0' &&
                      strcmp(adm->operation, "CREATE") == 0;
    return WH_OK;
}

static int parse_object(struct wh_admission *adm, const cJSON *req, struct wh_err *err)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(req, "object");
    const char *kind;

    if (!cJSON_IsObject(obj))
        return wh_errf(err, WH_EPARSE, "request.object: expected a Pod object, got %s",
                       wh_json_type_name(obj));
    kind = wh_json_get_str(obj, "kind");
    if (cJSON_GetObjectItemCaseSensitive(obj, "kind") != NULL &&
        (kind == NULL || strcmp(kind, "Pod") != 0))
        return wh_errf(err, WH_EPARSE, "request.object: kind is not Pod");
    adm->object = obj;
    return WH_OK;
}

static int parse_request(struct wh_admission *adm, const cJSON *req, struct wh_err *err)
{
    const cJSON *user = NULL;
    int rc;

    rc = want_str(req, "uid", "request", &adm->uid, err);
    if (rc == WH_OK && (adm->uid == NULL || adm->uid[0] == '\0'))
        rc = wh_errf(err, WH_EPARSE, "request.uid: missing");
    if (rc == WH_OK && strlen(adm->uid) > WH_UID_MAX) {
        adm->uid = NULL;
        rc = wh_errf(err, WH_EPARSE, "request.uid: longer than %d bytes", WH_UID_MAX);
    }
    if (rc == WH_OK)
        rc = want_str(req, "namespace", "request", &adm->namespace_, err);
    if (rc == WH_OK)
        rc = want_str(req, "name", "request", &adm->name, err);
    if (rc == WH_OK)
        rc = wh_json_want(req, "userInfo", WH_JSON_OBJECT, "request", &user, err);
    if (rc == WH_OK)
        rc = want_str(user, "username", "request.userInfo", &adm->username, err);
    if (rc == WH_OK)
        rc = parse_target(adm, req, err);
    if (rc == WH_OK && adm->pod_create)
        rc = parse_object(adm, req, err);
    return rc;
}

int wh_admission_parse(struct wh_admission *adm, const char *body, size_t len, int max_depth,
                       struct wh_err *err)
{
    /* Nothing reads these (managedFields are often half the review): they
     * are checked as JSON but never built. */
    static const char *const skip[] = { "/request/object/metadata/managedFields",
                                        "/request/oldObject/metadata/managedFields",
                                        "/request/object/status",
                                        "/request/userInfo/groups",
                                        "/request/userInfo/extra",
                                        "/request/options",
                                        NULL };
    const cJSON *req = NULL;
    int rc;

    adm->arena = wh_arena_current();
    rc = wh_json_parse_in(adm->arena, body, len, max_depth, skip, &adm->root, err);
    if (rc == WH_OK)
        rc = parse_envelope(adm, &req, err);
    if (rc == WH_OK)
        rc = parse_request(adm, req, err);
    return rc;
}

char *wh_admission_wrap_pod(cJSON *pod, const char *ns, const char *uid)
{
    cJSON *review = cJSON_CreateObject();
    cJSON *req = cJSON_CreateObject();
    cJSON *kind = cJSON_CreateObject();
    cJSON *res = cJSON_CreateObject();
    const char *name = wh_json_get_str(wh_json_get(pod, "metadata", WH_JSON_OBJECT), "name");
    char *text;

    wh_json_add(kind, "group", cJSON_CreateString(""));
    wh_json_add(kind, "version", cJSON_CreateString("v1"));
    wh_json_add(kind, "kind", cJSON_CreateString("Pod"));
    wh_json_add(res, "group", cJSON_CreateString(""));
    wh_json_add(res, "version", cJSON_CreateString("v1"));
    wh_json_add(res, "resource", cJSON_CreateString("pods"));
    wh_json_add(req, "uid", cJSON_CreateString(uid));
    wh_json_add(req, "kind", kind);
    wh_json_add(req, "resource", res);
    wh_json_add(req, "name", cJSON_CreateString(name ? name : ""));
    wh_json_add(req, "namespace", cJSON_CreateString(ns));
    wh_json_add(req, "operation", cJSON_CreateString("CREATE"));
    wh_json_add(req, "object", pod);
    wh_json_add(review, "apiVersion", cJSON_CreateString(API_V1));
    wh_json_add(review, "kind", cJSON_CreateString("AdmissionReview"));
    wh_json_add(review, "request", req);
    text = cJSON_PrintUnformatted(review);
    cJSON_Delete(review);
    return text;
}

static const char *version_of(const struct wh_admission *adm)
{
    return adm->api_version ? adm->api_version : API_V1;
}

static int open_response(const struct wh_admission *adm, bool allowed, struct wh_buf *out)
{
    int rc = wh_buf_adds(out, "{\"apiVersion\":\"");

    if (rc == WH_OK)
        rc = wh_buf_adds(out, version_of(adm));
    if (rc == WH_OK)
        rc = wh_buf_adds(out, "\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":");
    if (rc == WH_OK)
        rc = wh_json_escape(out, adm->uid ? adm->uid : "");
    if (rc == WH_OK)
        rc = wh_buf_adds(out, allowed ? ",\"allowed\":true" : ",\"allowed\":false");
    return rc;
}

static int add_warnings(const struct wh_warnings *w, struct wh_buf *out)
{
    size_t i;
    int rc;

    if (w == NULL || w->n == 0)
        return WH_OK;
    rc = wh_buf_adds(out, ",\"warnings\":[");
    for (i = 0; i < w->n && rc == WH_OK; i++) {
        if (i)
            rc = wh_buf_addc(out, ',');
        if (rc == WH_OK)
            rc = wh_json_escape(out, w->msg[i]);
    }
    if (rc == WH_OK && w->dropped)
        rc = wh_buf_printf(out, ",\"sparkhook: %zu more warnings not shown\"", w->dropped);
    if (rc == WH_OK)
        rc = wh_buf_addc(out, ']');
    return rc;
}

/* The document written when the real one does not fit the output cap: it
 * still echoes the uid (at most WH_UID_MAX bytes, escaped at most 6x), or
 * kube-apiserver would reject the answer instead of reading the error. */
static void fallback(const struct wh_admission *adm, struct wh_buf *out)
{
    struct wh_buf small;

    wh_buf_init(&small, 2048);
    (void)wh_buf_printf(&small,
                        "{\"apiVersion\":\"%s\",\"kind\":\"AdmissionReview\","
                        "\"response\":{\"uid\":",
                        version_of(adm));
    (void)wh_json_escape(&small, adm->uid ? adm->uid : "");
    (void)wh_buf_adds(&small, ",\"allowed\":false,\"status\":{\"code\":500,"
                              "\"message\":\"response larger than its cap\"}}}");
    wh_buf_reset(out);
    if (wh_buf_add(out, small.data, small.len) != WH_OK) {
        /* out's cap is below even this: hand over the small buffer itself. */
        size_t cap = out->cap;

        wh_buf_cleanup(out);
        *out = small;
        out->cap = cap > small.cap ? cap : small.cap;
        return;
    }
    wh_buf_cleanup(&small);
}

void wh_admission_allow(const struct wh_admission *adm, const char *patch, size_t patch_len,
                        const struct wh_warnings *warnings, struct wh_buf *out)
{
    bool has_patch = patch != NULL && patch_len > 2; /* "[]" is no patch */
    int rc;

    wh_buf_expect(out, (has_patch ? patch_len / 3 * 4 + 4 : 0) + 512); /* 512: the rest */
    rc = open_response(adm, true, out);

    if (rc == WH_OK && has_patch) {
        rc = wh_buf_adds(out, ",\"patchType\":\"JSONPatch\",\"patch\":\"");
        if (rc == WH_OK)
            rc = wh_b64_encode(patch, patch_len, out);
        if (rc == WH_OK)
            rc = wh_buf_addc(out, '"');
    }
    if (rc == WH_OK)
        rc = add_warnings(warnings, out);
    if (rc == WH_OK)
        rc = wh_buf_adds(out, "}}");
    if (rc != WH_OK)
        fallback(adm, out);
}

static const char *reason_of(int code)
{
    switch (code) {
    case 400:
        return "BadRequest";
    case 403:
        return "Forbidden";
    case 404:
        return "NotFound";
    case 405:
        return "MethodNotAllowed";
    case 415:
        return "UnsupportedMediaType";
    case 413:
        return "RequestEntityTooLarge";
    default:
        return "InternalError";
    }
}

void wh_admission_error(const struct wh_admission *adm, int code, const char *message,
                        struct wh_buf *out)
{
    int rc = open_response(adm, false, out);

    if (rc == WH_OK)
        rc = wh_buf_printf(out,
                           ",\"status\":{\"status\":\"Failure\",\"code\":%d,\"reason\":\"%s\","
                           "\"message\":",
                           code, reason_of(code));
    if (rc == WH_OK)
        rc = wh_json_escape(out, message);
    if (rc == WH_OK)
        rc = wh_buf_adds(out, "}}}");
    if (rc != WH_OK)
        fallback(adm, out);
}
