/* SPDX-License-Identifier: Apache-2.0
 *
 * edit.h - pod edits shared by the generators, each one surgical: it appends
 * to the pod's arrays (or creates them), never replaces them. The queries see
 * both the pod and what the patch already adds, so two generators can never
 * add the same volume name, mount path or env name twice.
 *
 * Strings are copied into the patch; nothing is retained from the caller.
 */
#ifndef WH_EDIT_H
#define WH_EDIT_H

#include <stdbool.h>

#include "patch.h"
#include "pod.h"

/* True when the container (or the patch, for it) defines env var name. */
bool wh_edit_has_env(const struct wh_patch *p, const struct wh_container *c, const char *name);

/* The name of the volume mounted at mount_path in c (pod or patch), or NULL. */
const char *wh_edit_mount_at(const struct wh_patch *p, const struct wh_container *c,
                             const char *mount_path);

/* True when c mounts the volume called name (pod or patch). */
bool wh_edit_has_mount(const struct wh_patch *p, const struct wh_container *c, const char *name);

/* True when the pod (or the patch) has a volume called name. */
bool wh_edit_has_volume(const struct wh_patch *p, const struct wh_pod *pod, const char *name);

/* Appends {name, value} to c's env. */
int wh_edit_add_env(struct wh_patch *p, const struct wh_container *c, const char *name,
                    const char *value, struct wh_err *err);

/* Appends {name, mountPath, readOnly} to c's volumeMounts. */
int wh_edit_add_mount(struct wh_patch *p, const struct wh_container *c, const char *name,
                      const char *mount_path, bool read_only, struct wh_err *err);

/* Appends vol (consumed) to the pod's volumes. */
int wh_edit_add_volume(struct wh_patch *p, const struct wh_pod *pod, cJSON *vol,
                       struct wh_err *err);

#endif
