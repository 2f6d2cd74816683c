/* SPDX-License-Identifier: Apache-2.0
 *
 * commands.h - the sparkhook subcommands. Each returns a process exit code
 * (WH_EXIT_*) and logs or prints its own errors.
 */
#ifndef WH_COMMANDS_H
#define WH_COMMANDS_H

#include "cli.h"

#include "config.h"
#include "snapshot.h"

int wh_cmd_serve(const struct wh_cli *cli);
int wh_cmd_mutate(const struct wh_cli *cli);
int wh_cmd_check_config(const struct wh_cli *cli);
int wh_cmd_explain(const struct wh_cli *cli);

/* Shared by the commands: the config (--config or the embedded defaults) and
 * the objects of --objects (or an empty snapshot). WH_OK or an exit code,
 * with the error logged. The caller frees what it gets. */
int wh_cmd_load_config(const struct wh_cli *cli, struct wh_config **out);
int wh_cmd_load_objects(const struct wh_cli *cli, struct wh_snapshot **out);

#endif
