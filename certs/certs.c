/* SPDX-License-Identifier: Apache-2.0
 *
 * certs.c - the `sparkhook certs` command line: a table of subcommands, each
 * with a table of options, parsed without getopt so that argv is never
 * permuted and no global parser state survives a call (the unit tests call
 * wh_certs_main() many times in one process). Options take "--name VALUE" or
 * "--name=VALUE"; "--" ends them. The work happens in certs_gen.c and
 * certs_check.c.
 */
#include "certs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "certs_int.h"
#include "util/args.h"
#include "util/str.h"

#include "banned.h"

static const char usage_text[] =
    "usage: sparkhook certs generate --service NAME --namespace NS [--out DIR] [--force]\n"
    "                                [--ca-days N] [--days N]\n"
    "       sparkhook certs check CERT KEY [--ca CA] [--dns NAME] [--min-days N]\n"
    "\n"
    "generate  writes an ECDSA P-256 CA (ca.crt, ca.key; CN \"" WH_CERTS_CA_CN "\") and a\n"
    "          serving certificate (tls.crt, tls.key) for the Service NAME in namespace NS,\n"
    "          valid for NAME, NAME.NS, NAME.NS.svc and NAME.NS.svc.cluster.local, to DIR\n"
    "          (default \".\"), and prints the caBundle (base64 of ca.crt) on stdout\n"
    "  --service NAME   Service name (DNS-1123 label)\n"
    "  --namespace NS   namespace of the Service (DNS-1123 label)\n"
    "  --out DIR        output directory, created 0755 if missing (default .)\n"
    "  --ca-days N      CA lifetime in days (default 1825)\n"
    "  --days N         serving certificate lifetime in days, at most --ca-days (default 365)\n"
    "  --force          overwrite existing files\n"
    "check     checks that KEY matches CERT, that CERT is within its validity period,\n"
    "          and optionally that it chains to CA and is valid for the DNS name NAME;\n"
    "          prints one \"ok ...\" or \"FAIL ...\" line per check\n"
    "  --ca CA          PEM file of trusted CA certificates\n"
    "  --dns NAME       DNS name the certificate must hold in its subjectAltName\n"
    "  --min-days N     fail when fewer than N days are left (default 0)\n"
    "\n"
    "exit status:\n";

void wh_certs_msg(const char *fmt, ...)
{
    va_list ap;

    (void)fputs("sparkhook certs: ", stderr);
    va_start(ap, fmt);
    (void)vfprintf(stderr, fmt, ap);
    va_end(ap);
    (void)fputc('\n', stderr);
}

const char *wh_certs_ossl_reason(char *buf, size_t size)
{
    unsigned long e = ERR_peek_last_error();

    if (e == 0)
        (void)wh_strlcpy(buf, "unknown OpenSSL error", size);
    else
        ERR_error_string_n(e, buf, size);
    ERR_clear_error();
    return buf;
}

static void usage(FILE *f)
{
    static const char *const exit_msgs[] = {
#define X(name, msg) msg,
        WH_CERTS_EXITS(X)
#undef X
    };

    (void)fputs(usage_text, f);
    for (size_t i = 0; i < WH_NELEM(exit_msgs); i++)
        (void)fprintf(f, "  %zu  %s\n", i, exit_msgs[i]);
}

/* ---- option tables ------------------------------------------------------ */

#define OPT(name, kind, field, min, max, what)                            \
    {                                                                     \
        name, kind, offsetof(struct wh_certs_opts, field), min, max, what \
    }

static const struct wh_arg_spec generate_opts[] = {
    OPT("service", WH_ARG_STR, service, 0, 0, NULL),
    OPT("namespace", WH_ARG_STR, ns, 0, 0, NULL),
    OPT("out", WH_ARG_STR, out, 0, 0, NULL),
    OPT("ca-days", WH_ARG_U64, ca_days, 1, WH_CERTS_MAX_DAYS, "a whole number of days"),
    OPT("days", WH_ARG_U64, days, 1, WH_CERTS_MAX_DAYS, "a whole number of days"),
    OPT("force", WH_ARG_FLAG, force, 0, 0, NULL),
};

static const struct wh_arg_spec check_opts[] = {
    OPT("ca", WH_ARG_STR, ca, 0, 0, NULL),
    OPT("dns", WH_ARG_STR, dns, 0, 0, NULL),
    OPT("min-days", WH_ARG_U64, min_days, 0, WH_CERTS_MAX_DAYS, "a whole number of days"),
};

typedef int wh_certs_cmd_fn(const struct wh_certs_opts *o);

static const struct subcmd {
    const char *name;
    const struct wh_arg_spec *opts;
    size_t nopts;
    size_t nargs; /* positional arguments, exactly */
    wh_certs_cmd_fn *run;
} subcmds[] = {
    { "generate", generate_opts, WH_NELEM(generate_opts), 0, wh_certs_generate },
    { "check", check_opts, WH_NELEM(check_opts), 2, wh_certs_check },
};

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Parses the arguments after the subcommand name (argv[2] on) into o.
 * Returns WH_CERTS_EXIT_OK, or WH_CERTS_EXIT_USAGE with a message printed. */
static int parse_args(const struct subcmd *sc, int argc, char **argv, struct wh_certs_opts *o)
{
    struct wh_err err;

    if (wh_args_parse(sc->name, argc, argv, 2, sc->opts, sc->nopts, o, o->args, WH_NELEM(o->args),
                      &o->nargs, &err) != WH_OK) {
        wh_certs_msg("%s", err.msg);
        return WH_CERTS_EXIT_USAGE;
    }
    if (o->nargs != sc->nargs) {
        wh_certs_msg("%s: want %zu file arguments, got %zu", sc->name, sc->nargs, o->nargs);
        return WH_CERTS_EXIT_USAGE;
    }
    return WH_CERTS_EXIT_OK;
}

static void opts_init(struct wh_certs_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->out = ".";
    o->ca_days = WH_CERTS_CA_DAYS;
    o->days = WH_CERTS_DAYS;
    o->min_days = 0;
}

int wh_certs_main(int argc, char **argv)
{
    const struct subcmd *sc = NULL;
    struct wh_certs_opts o;
    int rc;

    if (argc < 2 || argv[1] == NULL) {
        usage(stderr);
        return WH_CERTS_EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (is_help(argv[i])) {
            usage(stdout);
            return WH_CERTS_EXIT_OK;
        }
    }
    for (size_t i = 0; i < WH_NELEM(subcmds); i++) {
        if (strcmp(argv[1], subcmds[i].name) == 0)
            sc = &subcmds[i];
    }
    if (sc == NULL) {
        wh_certs_msg("unknown subcommand \"%s\" (want generate or check)", argv[1]);
        usage(stderr);
        return WH_CERTS_EXIT_USAGE;
    }
    opts_init(&o);
    rc = parse_args(sc, argc, argv, &o);
    if (rc != WH_CERTS_EXIT_OK) {
        (void)fputs("run `sparkhook certs --help` for usage\n", stderr);
        return rc;
    }
    o.cert = o.args[0];
    o.key = o.args[1];
    return sc->run(&o);
}
