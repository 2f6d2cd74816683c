/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.c - argument parsing; see cli.h.
 */
#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "banned.h"

static const char usage_text[] =
    "usage: sparkhook serve [--listen ADDR:PORT] --tls-cert FILE --tls-key FILE\n"
    "                       [--config FILE] [--probe-listen ADDR:PORT]\n"
    "                       [--objects FILE | --kube-api URL [--kube-token-file FILE]\n"
    "                        [--kube-ca-file FILE]] [--log-level LEVEL] [--log-format json|text]\n"
    "       sparkhook mutate [--config FILE] [--objects FILE] [--namespace NS]\n"
    "                       [--output response|patch|pod] [FILE|-]\n"
    "       sparkhook check-config FILE\n"
    "       sparkhook explain --namespace NS [--service-account SA] [--role driver|executor]\n"
    "                       [--config FILE] [--objects FILE | --kube-api URL ...]\n"
    "       sparkhook certs generate --service NAME --namespace NS [--out DIR] [...]\n"
    "       sparkhook certs check CERT KEY [--ca CA] [--dns NAME] [...]\n"
    "       sparkhook --version | --help\n";

static const char details_text[] =
    "\n"
    "commands:\n"
    "  serve          run the HTTPS admission webhook (POST /mutate)\n"
    "  mutate         run the same pipeline offline on an AdmissionReview or a bare Pod\n"
    "                 (wrapped as a CREATE) and print the response, patch or patched pod\n"
    "  check-config   validate a config file and print the effective configuration\n"
    "  explain        say what would be injected into a Spark pod of that namespace,\n"
    "                 service account and role, and why (settings and their sources)\n"
    "  certs          make a CA and serving certificate, or check a certificate\n"
    "                 (all options: sparkhook certs --help)\n"
    "\n"
    "options:\n"
    "  --listen ADDR:PORT     address to serve on (default 0.0.0.0:8443)\n"
    "  --tls-cert FILE        PEM certificate chain for HTTPS\n"
    "  --tls-key FILE         PEM private key for HTTPS\n"
    "  --config FILE          JSON config (default: embedded defaults)\n"
    "  --objects FILE         namespaces and service accounts, as a v1 List\n"
    "                         (kubectl get ns,sa -A -o json), instead of the API server\n"
    "  --kube-api URL         API server to list/watch (default in a pod: in-cluster)\n"
    "  --kube-token-file FILE bearer token file, re-read as it rotates\n"
    "  --kube-ca-file FILE    CA bundle that signs the API server's certificate\n"
    "  --probe-listen ADDR:PORT  plain-HTTP /healthz and /readyz (default: off)\n"
    "  --namespace NS         mutate: namespace of a bare pod without one; explain: namespace\n"
    "  --service-account SA   explain: the pod's service account (default: default)\n"
    "  --role ROLE            explain: driver or executor (default: executor)\n"
    "  --output KIND          mutate: response (default), patch or pod\n"
    "  --log-level LEVEL      debug, info (default), warn or error\n"
    "  --log-format FORMAT    json (default) or text\n"
    "\n"
    "exit status: 0 success, 1 runtime failure (or a refused review in mutate),\n"
    "             2 usage or configuration error, 3 explain: nothing would be injected\n"
    "             (certs and token: see sparkhook certs --help, sparkhook token --help)\n";

void wh_cli_usage(void *f)
{
    (void)fputs(usage_text, f);
    (void)fputs(details_text, f);
}

static int usage_error(const char *fmt, ...) WH_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    (void)fputs("sparkhook: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputs("\n", stderr);
    (void)fputs(usage_text, stderr);
    (void)fputs("(sparkhook --help explains every command and option)\n", stderr);
    return WH_EXIT_USAGE;
}

static int parse_command(const char *s, struct wh_cli *cli)
{
    static const struct {
        const char *name;
        enum wh_cmd cmd;
    } cmds[] = {
        { "serve", WH_CMD_SERVE },
        { "mutate", WH_CMD_MUTATE },
        { "check-config", WH_CMD_CHECK_CONFIG },
        { "explain", WH_CMD_EXPLAIN },
        { "--version", WH_CMD_VERSION },
        { "version", WH_CMD_VERSION },
        { "--help", WH_CMD_HELP },
        { "-h", WH_CMD_HELP },
        { "help", WH_CMD_HELP },
    };
    size_t i;

    for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(s, cmds[i].name) == 0) {
            cli->cmd = cmds[i].cmd;
            return WH_EXIT_OK;
        }
    }
    return usage_error("unknown command %s", s);
}

static int parse_output(const char *s, struct wh_cli *cli)
{
    if (strcmp(s, "response") == 0)
        cli->output = WH_OUT_RESPONSE;
    else if (strcmp(s, "patch") == 0)
        cli->output = WH_OUT_PATCH;
    else if (strcmp(s, "pod") == 0)
        cli->output = WH_OUT_POD;
    else
        return usage_error("--output %s: expected response, patch or pod", s);
    return WH_EXIT_OK;
}

enum {
    OPT_CONFIG = 256,
    OPT_KUBE_API,
    OPT_KUBE_CA_FILE,
    OPT_KUBE_TOKEN_FILE,
    OPT_LISTEN,
    OPT_LOG_FORMAT,
    OPT_LOG_LEVEL,
    OPT_NAMESPACE,
    OPT_OBJECTS,
    OPT_OUTPUT,
    OPT_PROBE_LISTEN,
    OPT_ROLE,
    OPT_SERVICE_ACCOUNT,
    OPT_TLS_CERT,
    OPT_TLS_KEY,
};

static const struct option long_opts[] = {
    { "config", required_argument, NULL, OPT_CONFIG },
    { "kube-api", required_argument, NULL, OPT_KUBE_API },
    { "kube-ca-file", required_argument, NULL, OPT_KUBE_CA_FILE },
    { "kube-token-file", required_argument, NULL, OPT_KUBE_TOKEN_FILE },
    { "listen", required_argument, NULL, OPT_LISTEN },
    { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
    { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
    { "namespace", required_argument, NULL, OPT_NAMESPACE },
    { "objects", required_argument, NULL, OPT_OBJECTS },
    { "output", required_argument, NULL, OPT_OUTPUT },
    { "probe-listen", required_argument, NULL, OPT_PROBE_LISTEN },
    { "role", required_argument, NULL, OPT_ROLE },
    { "service-account", required_argument, NULL, OPT_SERVICE_ACCOUNT },
    { "tls-cert", required_argument, NULL, OPT_TLS_CERT },
    { "tls-key", required_argument, NULL, OPT_TLS_KEY },
    { NULL, 0, NULL, 0 },
};

static int parse_option(int opt, const char *arg, struct wh_cli *cli)
{
    switch (opt) {
    case OPT_CONFIG:
        cli->config = arg;
        break;
    case OPT_KUBE_API:
        cli->kube_api = arg;
        break;
    case OPT_KUBE_CA_FILE:
        cli->kube_ca_file = arg;
        break;
    case OPT_KUBE_TOKEN_FILE:
        cli->kube_token_file = arg;
        break;
    case OPT_LISTEN:
        cli->listen = arg;
        break;
    case OPT_LOG_FORMAT:
        if (wh_log_format_parse(arg, &cli->log_format) != 0)
            return usage_error("--log-format %s: expected json or text", arg);
        break;
    case OPT_LOG_LEVEL:
        if (wh_log_level_parse(arg, &cli->log_level) != 0)
            return usage_error("--log-level %s: expected debug, info, warn or error", arg);
        break;
    case OPT_NAMESPACE:
        cli->namespace_ = arg;
        break;
    case OPT_OBJECTS:
        cli->objects = arg;
        break;
    case OPT_OUTPUT:
        return parse_output(arg, cli);
    case OPT_PROBE_LISTEN:
        cli->probe_listen = arg;
        break;
    case OPT_ROLE:
        if (strcmp(arg, "driver") != 0 && strcmp(arg, "executor") != 0)
            return usage_error("--role %s: expected driver or executor", arg);
        cli->role = arg;
        break;
    case OPT_SERVICE_ACCOUNT:
        cli->service_account = arg;
        break;
    case OPT_TLS_CERT:
        cli->tls_cert = arg;
        break;
    case OPT_TLS_KEY:
        cli->tls_key = arg;
        break;
    default:
        return usage_error("%s", "unknown option");
    }
    return WH_EXIT_OK;
}

/* Positional arguments and required options per command. */
static int check_args(int argc, char **argv, struct wh_cli *cli)
{
    int rest = argc - optind;

    switch (cli->cmd) {
    case WH_CMD_SERVE:
        if (rest > 0)
            return usage_error("serve: unexpected argument %s", argv[optind]);
        if (cli->tls_cert == NULL || cli->tls_key == NULL)
            return usage_error("%s", "serve: --tls-cert and --tls-key are required");
        if (cli->objects && (cli->kube_api || cli->kube_token_file || cli->kube_ca_file))
            return usage_error("%s", "serve: --objects and --kube-* are exclusive");
        break;
    case WH_CMD_MUTATE:
        if (rest > 1)
            return usage_error("mutate: unexpected argument %s", argv[optind + 1]);
        cli->input = rest == 1 ? argv[optind] : "-";
        break;
    case WH_CMD_CHECK_CONFIG:
        if (rest != 1)
            return usage_error("%s", "check-config: expected one FILE");
        cli->config = argv[optind];
        break;
    case WH_CMD_EXPLAIN:
        if (rest > 0)
            return usage_error("explain: unexpected argument %s", argv[optind]);
        if (cli->namespace_ == NULL)
            return usage_error("%s", "explain: --namespace is required");
        if (cli->objects && (cli->kube_api || cli->kube_token_file || cli->kube_ca_file))
            return usage_error("%s", "explain: --objects and --kube-* are exclusive");
        break;
    case WH_CMD_VERSION:
    case WH_CMD_HELP:
        break;
    }
    return WH_EXIT_OK;
}

int wh_cli_parse(int argc, char **argv, struct wh_cli *cli)
{
    int rc;
    int opt;

    memset(cli, 0, sizeof(*cli));
    cli->listen = "0.0.0.0:8443";
    cli->log_level = WH_LOG_INFO;
    cli->log_format = WH_LOG_JSON;
    if (argc < 2)
        return usage_error("%s", "missing command");
    rc = parse_command(argv[1], cli);
    if (rc != WH_EXIT_OK)
        return rc;
    optind = 2;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
        if (opt == '?' || opt == ':')
            return usage_error("bad or incomplete option %s", argv[optind - 1]);
        rc = parse_option(opt, optarg, cli);
        if (rc != WH_EXIT_OK)
            return rc;
    }
    return check_args(argc, argv, cli);
}
