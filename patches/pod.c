/* SPDX-License-Identifier: Apache-2.0
 *
 * pod.c - the validated pod view; see pod.h.
 */
#include "pod.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/mem.h"
#include "util/str.h"

#include "banned.h"

void wh_pod_init(struct wh_pod *pod)
{
    memset(pod, 0, sizeof(*pod));
}

void wh_pod_cleanup(struct wh_pod *pod)
{
    free(pod->ctrs);
    wh_pod_init(pod);
}

/* Three bits of a 512-bit filter per name, nine bits of its hash each: most
 * lookups are of names a container does not have (the ones a generator is
 * about to add), and the filter answers those without walking the list. With
 * a Spark executor's 35 or so env names, under 1% of such lookups still walk
 * it. */
static void filter_add(uint64_t f[8], const char *name)
{
    uint32_t h = wh_hash(name, strlen(name));
    int i;

    for (i = 0; i < 3; i++, h >>= 9)
        f[h >> 6 & 7] |= 1ull << (h & 63);
}

static bool filter_may_have(const uint64_t f[8], const char *name)
{
    uint32_t h = wh_hash(name, strlen(name));
    int i;

    for (i = 0; i < 3; i++, h >>= 9) {
        if (!(f[h >> 6 & 7] >> (h & 63) & 1))
            return false;
    }
    return true;
}

/* Checks that arr (at path + field, for messages) holds objects with a
 * string name; adds the names to filter (when not NULL). */
static int check_named_items(const cJSON *arr, const char *path, const char *field,
                             uint64_t filter[8], struct wh_err *err)
{
    const cJSON *item, *name;
    int i = 0;

    cJSON_ArrayForEach(item, arr)
    {
        if (!cJSON_IsObject(item))
            return wh_errf(err, WH_EPARSE, "%s%s[%d]: expected object, got %s", path, field, i,
                           wh_json_type_name(item));
        name = cJSON_GetObjectItemCaseSensitive(item, "name");
        if (!cJSON_IsString(name))
            return wh_errf(err, WH_EPARSE, "%s%s[%d].name: expected string", path, field, i);
        if (filter)
            filter_add(filter, name->valuestring);
        i++;
    }
    return WH_OK;
}

/* Writes a, b, sep, index and c into out, cut short at size (the callers'
 * sizes hold every list name and index): the two names every container
 * gets, without printf's cost. */
static void name_at(char *out, size_t size, const char *a, const char *b, const char *sep,
                    size_t index, const char *c)
{
    const char *parts[4] = { a, b, sep, c };
    char digits[24];
    size_t n = 0, k = 0, i;

    do { /* least significant first */
        digits[k++] = (char)('0' + index % 10);
        index /= 10;
    } while (index);
    for (i = 0; i < 4; i++) {
        const char *s = parts[i];

        while (*s && n + 1 < size)
            out[n++] = *s++;
        while (i == 2 && k && n + 1 < size) /* the index after sep */
            out[n++] = digits[--k];
    }
    out[n] = '\0';
}

static int parse_container(const cJSON *obj, enum wh_ctr_kind kind, size_t index,
                           struct wh_container *c, struct wh_err *err)
{
    const char *list = kind == WH_CTR_INIT ? "initContainers" : "containers";
    char path[96];
    const cJSON *item;
    int rc;

    name_at(path, sizeof(path), "object.spec.", list, "[", index, "]");
    if (!cJSON_IsObject(obj))
        return wh_errf(err, WH_EPARSE, "%s: expected object, got %s", path, wh_json_type_name(obj));
    item = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!cJSON_IsString(item))
        return wh_errf(err, WH_EPARSE, "%s.name: expected string", path);
    memset(c->env_names, 0, sizeof(c->env_names));
    c->kind = kind;
    c->index = index;
    name_at(c->ptr, sizeof(c->ptr), "/spec/", list, "/", index, "");
    c->name = item->valuestring;
    c->obj = obj;
    rc = wh_json_want(obj, "env", WH_JSON_ARRAY, path, &c->env, err);
    if (rc == WH_OK)
        rc = wh_json_want(obj, "volumeMounts", WH_JSON_ARRAY, path, &c->volume_mounts, err);
    if (rc == WH_OK && c->env)
        rc = check_named_items(c->env, path, ".env", c->env_names, err);
    if (rc == WH_OK && c->volume_mounts)
        rc = check_named_items(c->volume_mounts, path, ".volumeMounts", NULL, err);
    return rc;
}

static int parse_containers(const cJSON *arr, enum wh_ctr_kind kind, struct wh_pod *pod,
                            struct wh_err *err)
{
    const cJSON *item;
    size_t i = 0;
    int rc = WH_OK;

    if (arr == NULL)
        return WH_OK;
    cJSON_ArrayForEach(item, arr)
    {
        rc = parse_container(item, kind, i++, &pod->ctrs[pod->nctrs], err);
        if (rc != WH_OK)
            break;
        pod->nctrs++;
    }
    return rc;
}

/* Sets *out to the string obj[key], or NULL when absent. */
static int want_str(const cJSON *obj, const char *key, const char *path, const char **out,
                    struct wh_err *err)
{
    const cJSON *s = NULL;
    int rc = wh_json_want(obj, key, WH_JSON_STRING, path, &s, err);

    *out = s ? s->valuestring : NULL;
    return rc;
}

static int parse_owners(const cJSON *meta, struct wh_pod *pod, struct wh_err *err)
{
    const cJSON *owners = NULL;
    const cJSON *o;
    int rc = wh_json_want(meta, "ownerReferences", WH_JSON_ARRAY, "object.metadata", &owners, err);

    cJSON_ArrayForEach(o, owners)
    {
        const char *kind = wh_json_get_str(o, "kind");

        if (!cJSON_IsObject(o))
            return wh_errf(err, WH_EPARSE, "object.metadata.ownerReferences: expected objects");
        if (kind && strcmp(kind, "Pod") == 0)
            pod->owned_by_pod = true;
    }
    return rc;
}

static int parse_metadata(const cJSON *obj, struct wh_pod *pod, struct wh_err *err)
{
    const cJSON *meta;
    int rc;

    rc = wh_json_want(obj, "metadata", WH_JSON_OBJECT, "object", &meta, err);
    if (rc == WH_OK && meta == NULL)
        rc = wh_errf(err, WH_EPARSE, "object.metadata: missing");
    if (rc == WH_OK)
        rc = wh_json_want(meta, "labels", WH_JSON_OBJECT, "object.metadata", &pod->labels, err);
    if (rc == WH_OK)
        rc = wh_json_want(meta, "annotations", WH_JSON_OBJECT, "object.metadata", &pod->annotations,
                          err);
    if (rc == WH_OK)
        rc = want_str(meta, "name", "object.metadata", &pod->name, err);
    if (rc == WH_OK)
        rc = want_str(meta, "generateName", "object.metadata", &pod->generate_name, err);
    if (rc == WH_OK)
        rc = want_str(meta, "namespace", "object.metadata", &pod->namespace_, err);
    if (rc == WH_OK)
        rc = parse_owners(meta, pod, err);
    return rc;
}

static int parse_spec(const cJSON *spec, struct wh_pod *pod, struct wh_err *err)
{
    const char *sa = NULL;
    int rc;

    rc = wh_json_want(spec, "containers", WH_JSON_ARRAY, "object.spec", &pod->containers_arr, err);
    if (rc == WH_OK && pod->containers_arr == NULL)
        rc = wh_errf(err, WH_EPARSE, "object.spec.containers: missing");
    if (rc == WH_OK)
        rc =
            wh_json_want(spec, "initContainers", WH_JSON_ARRAY, "object.spec", &pod->init_arr, err);
    if (rc == WH_OK)
        rc = wh_json_want(spec, "volumes", WH_JSON_ARRAY, "object.spec", &pod->volumes, err);
    if (rc == WH_OK && pod->volumes)
        rc = check_named_items(pod->volumes, "object.spec.volumes", "", NULL, err);
    if (rc == WH_OK)
        rc = wh_json_want(spec, "nodeSelector", WH_JSON_OBJECT, "object.spec", &pod->node_selector,
                          err);
    if (rc == WH_OK)
        rc = wh_json_want(spec, "securityContext", WH_JSON_OBJECT, "object.spec",
                          &pod->security_context, err);
    if (rc == WH_OK)
        rc = want_str(spec, "serviceAccountName", "object.spec", &sa, err);
    /* serviceAccount is the deprecated alias; the apiserver keeps them equal. */
    if (rc == WH_OK) {
        const char *alias = NULL;

        rc = want_str(spec, "serviceAccount", "object.spec", &alias, err);
        pod->sa_alias = alias != NULL;
        if (sa == NULL)
            sa = alias;
    }
    if (rc == WH_OK && sa != NULL && sa[0] != '\0')
        pod->service_account = sa;
    return rc;
}

int wh_pod_parse(const cJSON *obj, struct wh_pod *pod, struct wh_err *err)
{
    size_t n;
    int rc;

    if (!cJSON_IsObject(obj))
        return wh_errf(err, WH_EPARSE, "object: expected a Pod object, got %s",
                       wh_json_type_name(obj));
    pod->obj = obj;
    rc = parse_metadata(obj, pod, err);
    if (rc == WH_OK)
        rc = wh_json_want(obj, "spec", WH_JSON_OBJECT, "object", &pod->spec, err);
    if (rc == WH_OK && pod->spec == NULL)
        rc = wh_errf(err, WH_EPARSE, "object.spec: missing");
    if (rc == WH_OK)
        rc = parse_spec(pod->spec, pod, err);
    if (rc != WH_OK)
        return rc;
    n = (size_t)cJSON_GetArraySize(pod->containers_arr) +
        (pod->init_arr ? (size_t)cJSON_GetArraySize(pod->init_arr) : 0);
    if (n > WH_POD_MAX_CONTAINERS)
        return wh_errf(err, WH_ETOOBIG, "object.spec: %zu containers, more than %d", n,
                       WH_POD_MAX_CONTAINERS);
    pod->ctrs = wh_alloc_array(n ? n : 1, sizeof(*pod->ctrs));
    rc = parse_containers(pod->init_arr, WH_CTR_INIT, pod, err);
    if (rc == WH_OK)
        rc = parse_containers(pod->containers_arr, WH_CTR_MAIN, pod, err);
    return rc;
}

const char *wh_pod_label(const struct wh_pod *pod, const char *key)
{
    return wh_json_get_str(pod->labels, key);
}

const char *wh_pod_annotation(const struct wh_pod *pod, const char *key)
{
    return wh_json_get_str(pod->annotations, key);
}

void wh_pod_ctr_path(const struct wh_container *c, char *buf, size_t size)
{
    (void)wh_strlcpy(buf, c->ptr, size);
}

static const cJSON *find_named(const cJSON *arr, const char *name)
{
    const cJSON *item;

    cJSON_ArrayForEach(item, arr)
    {
        const char *n = wh_json_get_str(item, "name");

        if (n && strcmp(n, name) == 0)
            return item;
    }
    return NULL;
}

const cJSON *wh_pod_ctr_env(const struct wh_container *c, const char *name)
{
    if (c->env == NULL || !filter_may_have(c->env_names, name))
        return NULL;
    return find_named(c->env, name);
}

static bool first_arg_is(const struct wh_container *c, const char *want)
{
    const cJSON *args = wh_json_get(c->obj, "args", WH_JSON_ARRAY);
    const cJSON *a0 = args ? cJSON_GetArrayItem(args, 0) : NULL;

    return cJSON_IsString(a0) && strcmp(a0->valuestring, want) == 0;
}

const struct wh_container *wh_pod_spark_container(const struct wh_pod *pod)
{
    static const char *const names[] = { "spark-kubernetes-driver", "spark-kubernetes-executor",
                                         "executor" };
    static const char *const envs[] = { "SPARK_EXECUTOR_ID", "SPARK_DRIVER_BIND_ADDRESS" };
    size_t i, j;

    for (j = 0; j < WH_NELEM(names); j++) {
        for (i = 0; i < pod->nctrs; i++) {
            if (pod->ctrs[i].kind == WH_CTR_MAIN && strcmp(pod->ctrs[i].name, names[j]) == 0)
                return &pod->ctrs[i];
        }
    }
    for (i = 0; i < pod->nctrs; i++) {
        const struct wh_container *c = &pod->ctrs[i];

        if (c->kind != WH_CTR_MAIN)
            continue;
        for (j = 0; j < WH_NELEM(envs); j++) {
            if (wh_pod_ctr_env(c, envs[j]) != NULL)
                return c;
        }
        if (first_arg_is(c, "driver") || first_arg_is(c, "executor"))
            return c;
    }
    return NULL;
}

const cJSON *wh_pod_volume(const struct wh_pod *pod, const char *name)
{
    return pod->volumes ? find_named(pod->volumes, name) : NULL;
}
