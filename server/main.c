/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c - wiring only: parse the command line, set up logging and the JSON
 * allocator, run the command.
 */
#include <stdio.h>
#include <string.h>

#include "certs.h"
#include "cli.h"
#include "commands.h"
#include "log.h"
#include "token.h"
#include "util/json.h"

#include "banned.h"

int main(int argc, char **argv)
{
    struct wh_cli cli;
    int rc;

    /* `certs` and `token` have their own options; the rest goes through cli.c. */
    if (argc >= 2 && strcmp(argv[1], "certs") == 0) {
        wh_json_init();
        return wh_certs_main(argc - 1, argv + 1);
    }
    if (argc >= 2 && strcmp(argv[1], "token") == 0) {
        wh_json_init();
        return wh_token_main(argc - 1, argv + 1);
    }
    rc = wh_cli_parse(argc, argv, &cli);
    if (rc != WH_EXIT_OK)
        return rc;
    wh_log_setup(cli.log_level, cli.log_format);
    wh_json_init();
    switch (cli.cmd) {
    case WH_CMD_SERVE:
        return wh_cmd_serve(&cli);
    case WH_CMD_MUTATE:
        return wh_cmd_mutate(&cli);
    case WH_CMD_CHECK_CONFIG:
        return wh_cmd_check_config(&cli);
    case WH_CMD_EXPLAIN:
        return wh_cmd_explain(&cli);
    case WH_CMD_VERSION:
        (void)printf("sparkhook %s\n", WH_VERSION);
        return WH_EXIT_OK;
    case WH_CMD_HELP:
        wh_cli_usage(stdout);
        return WH_EXIT_OK;
    }
    return WH_EXIT_USAGE;
}
