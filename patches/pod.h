/* SPDX-License-Identifier: Apache-2.0
 *
 * pod.h - a typed, validated view of the parts of a Pod that the generators
 * read, built once per request by wh_pod_parse(). Building it checks every
 * type on the way (containers is an array of objects with string names, env
 * is an array of {name: string}, ...), so generators never meet a wrong type
 * and a malformed pod is refused as a whole with the path that is wrong.
 *
 * Every pointer in the view is borrowed from the cJSON tree it was parsed
 * from and dies with it. wh_pod_cleanup() frees the container array only.
 * Not thread-safe; one view belongs to one request.
 */
#ifndef WH_POD_H
#define WH_POD_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wh.h"

#define WH_POD_MAX_CONTAINERS 1024 /* containers + initContainers + ephemeral */

enum wh_ctr_kind {
    WH_CTR_INIT,
    WH_CTR_MAIN,
};

struct wh_container {
    enum wh_ctr_kind kind;
    size_t index;               /* position in its array */
    const char *name;           /* never NULL */
    const cJSON *obj;           /* the container object */
    const cJSON *env;           /* array or NULL */
    const cJSON *volume_mounts; /* array or NULL */
    uint64_t env_names[8];      /* a Bloom filter of the env names (wh_pod_ctr_env) */
    char ptr[48];               /* its JSON pointer, "/spec/containers/N" */
};

struct wh_pod {
    const cJSON *obj;
    const char *name;              /* metadata.name or NULL */
    const char *generate_name;     /* metadata.generateName or NULL */
    const char *namespace_;        /* metadata.namespace or NULL */
    const cJSON *labels;           /* object or NULL */
    const cJSON *annotations;      /* object or NULL */
    const cJSON *spec;             /* object, never NULL after a successful parse */
    const char *service_account;   /* spec.serviceAccountName (or serviceAccount) or NULL */
    bool sa_alias;                 /* spec.serviceAccount (the deprecated alias) is present */
    bool owned_by_pod;             /* an ownerReference of kind Pod (Spark's executors) */
    const cJSON *volumes;          /* array or NULL */
    const cJSON *node_selector;    /* object or NULL */
    const cJSON *security_context; /* object or NULL */
    const cJSON *containers_arr;   /* array, never NULL */
    const cJSON *init_arr;         /* array or NULL */
    struct wh_container *ctrs;     /* init containers first, then containers */
    size_t nctrs;
};

void wh_pod_init(struct wh_pod *pod);
void wh_pod_cleanup(struct wh_pod *pod);

/* Builds the view of obj (request.object). Returns WH_OK, or WH_EPARSE with
 * the offending path ("object.spec.containers[2].env: expected array, got
 * object") in err; pod must be cleaned up either way. */
int wh_pod_parse(const cJSON *obj, struct wh_pod *pod, struct wh_err *err);

/* The string value of label / annotation key, or NULL. */
const char *wh_pod_label(const struct wh_pod *pod, const char *key);
const char *wh_pod_annotation(const struct wh_pod *pod, const char *key);

/* Writes the JSON pointer of container c ("/spec/containers/3") into buf. */
void wh_pod_ctr_path(const struct wh_container *c, char *buf, size_t size);

/* The env entry of c named name, or NULL. */
const cJSON *wh_pod_ctr_env(const struct wh_container *c, const char *name);

/* The Spark container of the pod (init containers excluded), found by name
 * (spark-kubernetes-driver, spark-kubernetes-executor, Spark 2.4's executor),
 * then by Spark's own env (SPARK_EXECUTOR_ID, SPARK_DRIVER_BIND_ADDRESS), then
 * by args[0] "driver"/"executor"; pod templates put sidecars first, so never
 * by position alone. NULL when none looks like Spark's. */
const struct wh_container *wh_pod_spark_container(const struct wh_pod *pod);

/* The volume of the pod named name, or NULL. */
const cJSON *wh_pod_volume(const struct wh_pod *pod, const char *name);

#endif
