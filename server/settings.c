/* SPDX-License-Identifier: Apache-2.0
 *
 * settings.c - the settings table; see settings.h.
 */
#include "settings.h"

#include <string.h>

#include "wh.h"

#include "banned.h"

static const struct wh_setting_def defs[WH_SET_COUNT] = {
#define X(id, pod, sa, ns) [WH_SET_##id] = { #id, pod, sa, ns },
    WH_SETTINGS(X)
#undef X
};

static const char *const known[] = { WH_ANN_INJECT, WH_ANN_PROFILE, WH_ANN_INJECTED,
#define X(id, pod, sa, ns) ns,
                                     WH_SETTINGS(X)
#undef X
};

const struct wh_setting_def *wh_setting_def(enum wh_setting_id id)
{
    return (unsigned)id < WH_SET_COUNT ? &defs[id] : &defs[0];
}

int wh_setting_by_ns_key(const char *key)
{
    size_t i;

    for (i = 0; i < WH_SET_COUNT; i++) {
        if (defs[i].ns_key && strcmp(defs[i].ns_key, key) == 0)
            return (int)i;
    }
    return -1;
}

int wh_setting_validate(int id, const char *value, const char *where, struct wh_err *err)
{
    if ((unsigned)id >= WH_SET_COUNT)
        return wh_errf(err, WH_EINVAL, "%s: unknown setting", where);
    if (id == WH_SET_MODE && strcmp(value, "audit") != 0 && strcmp(value, "enforce") != 0)
        return wh_errf(err, WH_EINVAL, "%s.%s: \"%.32s\" is not audit or enforce", where,
                       defs[id].ns_key, value);
    return WH_OK;
}

const char *const *wh_setting_known_keys(size_t *n)
{
    *n = WH_NELEM(known);
    return known;
}
