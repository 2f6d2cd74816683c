/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.h - command line: `sparkhook COMMAND [OPTIONS]` parsed with
 * getopt_long into struct wh_cli. Strings point into argv. Exit codes used
 * by every command: 0 success, 1 runtime failure, 2 usage or config error.
 */
#ifndef WH_CLI_H
#define WH_CLI_H

#include "log.h"

#define WH_EXIT_OK      0
#define WH_EXIT_FAILURE 1
#define WH_EXIT_USAGE   2
#define WH_EXIT_NOTHING 3 /* explain: nothing would be injected */

enum wh_cmd {
    WH_CMD_SERVE,
    WH_CMD_MUTATE,
    WH_CMD_CHECK_CONFIG,
    WH_CMD_EXPLAIN,
    WH_CMD_VERSION,
    WH_CMD_HELP,
};

enum wh_output {
    WH_OUT_RESPONSE,
    WH_OUT_PATCH,
    WH_OUT_POD,
};

struct wh_cli {
    enum wh_cmd cmd;
    const char *listen;
    const char *tls_cert;
    const char *tls_key;
    const char *config;
    const char *objects;
    const char *kube_api;
    const char *kube_token_file;
    const char *kube_ca_file;
    const char *probe_listen;
    const char *input;           /* mutate: file or "-" */
    const char *namespace_;      /* mutate: namespace for a bare pod; explain: the namespace */
    const char *service_account; /* explain */
    const char *role;            /* explain: driver or executor */
    enum wh_output output;
    enum wh_log_level log_level;
    enum wh_log_format log_format;
};

/* Parses argv into cli. On a usage error prints it with the synopsis to
 * stderr and returns WH_EXIT_USAGE; otherwise WH_EXIT_OK. */
int wh_cli_parse(int argc, char **argv, struct wh_cli *cli);

/* Prints the full help text to f. */
void wh_cli_usage(void *f);

#endif
