/* SPDX-License-Identifier: Apache-2.0
 *
 * edit.c - surgical pod edits; see edit.h.
 */
#include "edit.h"

#include <string.h>

#include "util/json.h"
#include "util/str.h"

#include "banned.h"

#define VOLUMES_PATH "/spec/volumes"

static void sub_path(const struct wh_container *c, const char *field, char *buf, size_t size)
{
    size_t n;

    wh_pod_ctr_path(c, buf, size);
    n = strlen(buf);
    (void)wh_strlcpy(buf + n, field, size - n);
}

bool wh_edit_has_env(const struct wh_patch *p, const struct wh_container *c, const char *name)
{
    char path[WH_PTR_MAX];

    if (wh_pod_ctr_env(c, name) != NULL)
        return true;
    sub_path(c, "/env", path, sizeof(path));
    return wh_patch_find_item(p, path, "name", name) != NULL;
}

static const char *mount_named_at(const cJSON *mounts, const char *mount_path)
{
    const cJSON *m;

    cJSON_ArrayForEach(m, mounts)
    {
        const char *mp = wh_json_get_str(m, "mountPath");

        if (mp && strcmp(mp, mount_path) == 0)
            return wh_json_get_str(m, "name");
    }
    return NULL;
}

const char *wh_edit_mount_at(const struct wh_patch *p, const struct wh_container *c,
                             const char *mount_path)
{
    char path[WH_PTR_MAX];
    const char *name = c->volume_mounts ? mount_named_at(c->volume_mounts, mount_path) : NULL;

    if (name)
        return name;
    sub_path(c, "/volumeMounts", path, sizeof(path));
    return wh_json_get_str(wh_patch_find_item(p, path, "mountPath", mount_path), "name");
}

bool wh_edit_has_mount(const struct wh_patch *p, const struct wh_container *c, const char *name)
{
    char path[WH_PTR_MAX];
    const cJSON *m;

    cJSON_ArrayForEach(m, c->volume_mounts)
    {
        const char *n = wh_json_get_str(m, "name");

        if (n && strcmp(n, name) == 0)
            return true;
    }
    sub_path(c, "/volumeMounts", path, sizeof(path));
    return wh_patch_find_item(p, path, "name", name) != NULL;
}

bool wh_edit_has_volume(const struct wh_patch *p, const struct wh_pod *pod, const char *name)
{
    return wh_pod_volume(pod, name) != NULL ||
           wh_patch_find_item(p, VOLUMES_PATH, "name", name) != NULL;
}

int wh_edit_add_env(struct wh_patch *p, const struct wh_container *c, const char *name,
                    const char *value, struct wh_err *err)
{
    char path[WH_PTR_MAX];
    cJSON *env = cJSON_CreateObject();

    wh_json_add(env, "name", cJSON_CreateString(name));
    wh_json_add(env, "value", cJSON_CreateString(value));
    sub_path(c, "/env", path, sizeof(path));
    return wh_patch_append(p, c->env, path, env, err);
}

int wh_edit_add_mount(struct wh_patch *p, const struct wh_container *c, const char *name,
                      const char *mount_path, bool read_only, struct wh_err *err)
{
    char path[WH_PTR_MAX];
    cJSON *m = cJSON_CreateObject();

    wh_json_add(m, "name", cJSON_CreateString(name));
    if (read_only)
        wh_json_add(m, "readOnly", cJSON_CreateTrue());
    wh_json_add(m, "mountPath", cJSON_CreateString(mount_path));
    sub_path(c, "/volumeMounts", path, sizeof(path));
    return wh_patch_append(p, c->volume_mounts, path, m, err);
}

int wh_edit_add_volume(struct wh_patch *p, const struct wh_pod *pod, cJSON *vol, struct wh_err *err)
{
    return wh_patch_append(p, pod->volumes, VOLUMES_PATH, vol, err);
}
