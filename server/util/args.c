/* SPDX-License-Identifier: Apache-2.0
 *
 * args.c - subcommand option parsing; see args.h.
 */
#include "util/args.h"

#include <stdbool.h>
#include <string.h>

#include "util/str.h"

#include "banned.h"

static const struct wh_arg_spec *find(const struct wh_arg_spec *specs, size_t n, const char *name,
                                      size_t len)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strlen(specs[i].name) == len && memcmp(specs[i].name, name, len) == 0)
            return &specs[i];
    }
    return NULL;
}

/* Stores value (NULL for a flag) into the field spec names. */
static int set(const struct wh_arg_spec *spec, const char *value, void *dst, struct wh_err *err)
{
    char *field = (char *)dst + spec->off;
    uint64_t n;
    bool yes = true;

    if (spec->kind == WH_ARG_FLAG) {
        memcpy(field, &yes, sizeof(yes));
        return WH_OK;
    }
    if (*value == '\0')
        return wh_errf(err, WH_EINVAL, "--%s: empty value", spec->name);
    if (spec->kind == WH_ARG_STR) {
        memcpy(field, &value, sizeof(value));
        return WH_OK;
    }
    if (wh_parse_u64(value, spec->min, spec->max, &n) != WH_OK)
        return wh_errf(err, WH_EINVAL, "--%s: want %s from %llu to %llu, not \"%.64s\"", spec->name,
                       spec->what ? spec->what : "a number", (unsigned long long)spec->min,
                       (unsigned long long)spec->max, value);
    memcpy(field, &n, sizeof(n));
    return WH_OK;
}

/* argv[*ip] is "--name[=value]": stores it, advancing *ip past its value. */
static int option(const char *cmd, int argc, char **argv, int *ip, const struct wh_arg_spec *specs,
                  size_t nspecs, void *dst, struct wh_err *err)
{
    const char *arg = argv[*ip] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct wh_arg_spec *spec = find(specs, nspecs, arg, len);
    const char *value = eq ? eq + 1 : NULL;

    if (spec == NULL)
        return wh_errf(err, WH_EINVAL, "%s: unknown option %.64s", cmd, argv[*ip]);
    if (spec->kind == WH_ARG_FLAG) {
        if (value != NULL)
            return wh_errf(err, WH_EINVAL, "--%s takes no value", spec->name);
        return set(spec, NULL, dst, err);
    }
    if (value == NULL) {
        if (*ip + 1 >= argc)
            return wh_errf(err, WH_EINVAL, "--%s needs a value", spec->name);
        *ip += 1;
        value = argv[*ip];
    }
    return set(spec, value, dst, err);
}

int wh_args_parse(const char *cmd, int argc, char **argv, int first,
                  const struct wh_arg_spec *specs, size_t nspecs, void *dst, const char **args,
                  size_t max_args, size_t *nargs, struct wh_err *err)
{
    bool opts_done = false;
    int rc;
    int i;

    *nargs = 0;
    for (i = first; i < argc; i++) {
        const char *arg = argv[i];

        if (!opts_done && strcmp(arg, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && strncmp(arg, "--", 2) == 0) {
            rc = option(cmd, argc, argv, &i, specs, nspecs, dst, err);
            if (rc != WH_OK)
                return rc;
        } else if (!opts_done && arg[0] == '-' && arg[1] != '\0') {
            return wh_errf(err, WH_EINVAL, "%s: unknown option %.64s", cmd, arg);
        } else if (*nargs < max_args) {
            args[(*nargs)++] = arg;
        } else {
            return wh_errf(err, WH_EINVAL, "%s: unexpected argument \"%.64s\"", cmd, arg);
        }
    }
    return WH_OK;
}
