/* SPDX-License-Identifier: Apache-2.0
 *
 * args.h - a table-driven parser for the options of a subcommand
 * (`sparkhook certs generate --service NAME ...`, `sparkhook token inspect
 * ...`): "--name value", "--name=value", flags, "--" ending the options, and
 * positional arguments ("-" alone is one: stdin). It keeps no state between
 * calls and never reorders argv, so it can run many times in one process.
 *
 * Values are borrowed from argv and stored into the caller's struct at each
 * spec's offset. Pure: messages go to err, never to a stream.
 */
#ifndef WH_ARGS_H
#define WH_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "wh.h"

enum wh_arg_kind {
    WH_ARG_STR,  /* const char *, non-empty */
    WH_ARG_U64,  /* uint64_t in [min, max] */
    WH_ARG_FLAG, /* bool, takes no value */
};

struct wh_arg_spec {
    const char *name; /* without the leading "--" */
    enum wh_arg_kind kind;
    size_t off; /* offset of the field in the caller's struct */
    uint64_t min, max;
    const char *what; /* WH_ARG_U64: what the number is, for messages ("unix seconds") */
};

/* Parses argv[first..argc) for subcommand cmd: options per specs into the
 * struct at dst, positional arguments into args (at most max_args, count in
 * *nargs). Returns WH_OK, or WH_EINVAL with the message in err. */
int wh_args_parse(const char *cmd, int argc, char **argv, int first,
                  const struct wh_arg_spec *specs, size_t nspecs, void *dst, const char **args,
                  size_t max_args, size_t *nargs, struct wh_err *err);

#endif
