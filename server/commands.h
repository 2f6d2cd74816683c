/* SPDX-License-Identifier: Apache-2.0
 *
 * commands.h - the sparkhook subcommands. Each returns a process exit code
 * (WH_EXIT_*) and logs or prints its own errors.
 */
#ifndef WH_COMMANDS_H
#define WH_COMMANDS_H

#include "cli.h"

int wh_cmd_serve(const struct wh_cli *cli);
int wh_cmd_mutate(const struct wh_cli *cli);
int wh_cmd_check_config(const struct wh_cli *cli);

#endif
