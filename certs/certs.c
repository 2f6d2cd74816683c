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

enum opt_kind {
    OPT_STR,  /* const char *, borrowed from argv */
    OPT_DAYS, /* uint64_t in [min, max] */
    OPT_FLAG, /* bool, no value */
};

struct opt_spec {
    const char *name; /* without the leading "--" */
    enum opt_kind kind;
    size_t off; /* offset in struct wh_certs_opts */
    uint64_t min, max;
};

#define OPT(name, kind, field, min, max)                            \
    {                                                               \
        name, kind, offsetof(struct wh_certs_opts, field), min, max \
    }

static const struct opt_spec generate_opts[] = {
    OPT("service", OPT_STR, service, 0, 0),
    OPT("namespace", OPT_STR, ns, 0, 0),
    OPT("out", OPT_STR, out, 0, 0),
    OPT("ca-days", OPT_DAYS, ca_days, 1, WH_CERTS_MAX_DAYS),
    OPT("days", OPT_DAYS, days, 1, WH_CERTS_MAX_DAYS),
    OPT("force", OPT_FLAG, force, 0, 0),
};

static const struct opt_spec check_opts[] = {
    OPT("ca", OPT_STR, ca, 0, 0),
    OPT("dns", OPT_STR, dns, 0, 0),
    OPT("min-days", OPT_DAYS, min_days, 0, WH_CERTS_MAX_DAYS),
};

typedef int wh_certs_cmd_fn(const struct wh_certs_opts *o);

static const struct subcmd {
    const char *name;
    const struct opt_spec *opts;
    size_t nopts;
    size_t nargs; /* positional arguments, exactly */
    wh_certs_cmd_fn *run;
} subcmds[] = {
    { "generate", generate_opts, WH_NELEM(generate_opts), 0, wh_certs_generate },
    { "check", check_opts, WH_NELEM(check_opts), 2, wh_certs_check },
};

static const struct opt_spec *find_opt(const struct subcmd *sc, const char *name, size_t len)
{
    for (size_t i = 0; i < sc->nopts; i++) {
        if (strlen(sc->opts[i].name) == len && memcmp(sc->opts[i].name, name, len) == 0)
            return &sc->opts[i];
    }
    return NULL;
}

/* Stores value (NULL for a flag) into the field of o that spec names.
 * Returns WH_CERTS_EXIT_OK or WH_CERTS_EXIT_USAGE (message printed). */
static int set_opt(const struct opt_spec *spec, const char *value, struct wh_certs_opts *o)
{
    char *field = (char *)o + spec->off;
    uint64_t n;

    switch (spec->kind) {
    case OPT_STR:
        if (*value == '\0') {
            wh_certs_msg("--%s: empty value", spec->name);
            return WH_CERTS_EXIT_USAGE;
        }
        memcpy(field, &value, sizeof(value));
        return WH_CERTS_EXIT_OK;
    case OPT_DAYS:
        if (wh_parse_u64(value, spec->min, spec->max, &n) != WH_OK) {
            wh_certs_msg("--%s: want a whole number of days from %llu to %llu, not \"%s\"",
                         spec->name, (unsigned long long)spec->min, (unsigned long long)spec->max,
                         value);
            return WH_CERTS_EXIT_USAGE;
        }
        memcpy(field, &n, sizeof(n));
        return WH_CERTS_EXIT_OK;
    case OPT_FLAG:
        *(bool *)field = true;
        return WH_CERTS_EXIT_OK;
    }
    return WH_CERTS_EXIT_USAGE;
}

/* Parses argv[i] (an option, at index *ip) and its value, advancing *ip past
 * what it used. Returns WH_CERTS_EXIT_OK or WH_CERTS_EXIT_USAGE. */
static int parse_opt(const struct subcmd *sc, int argc, char **argv, int *ip,
                     struct wh_certs_opts *o)
{
    const char *arg = argv[*ip] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const struct opt_spec *spec = find_opt(sc, arg, len);
    const char *value = eq ? eq + 1 : NULL;

    if (spec == NULL) {
        wh_certs_msg("%s: unknown option %s", sc->name, argv[*ip]);
        return WH_CERTS_EXIT_USAGE;
    }
    if (spec->kind == OPT_FLAG) {
        if (value != NULL) {
            wh_certs_msg("--%s takes no value", spec->name);
            return WH_CERTS_EXIT_USAGE;
        }
        return set_opt(spec, NULL, o);
    }
    if (value == NULL) {
        if (*ip + 1 >= argc) {
            wh_certs_msg("--%s needs a value", spec->name);
            return WH_CERTS_EXIT_USAGE;
        }
        *ip += 1;
        value = argv[*ip];
    }
    return set_opt(spec, value, o);
}

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* Parses the arguments after the subcommand name (argv[2] on) into o.
 * Returns WH_CERTS_EXIT_OK, or WH_CERTS_EXIT_USAGE with a message printed. */
static int parse_args(const struct subcmd *sc, int argc, char **argv, struct wh_certs_opts *o)
{
    bool opts_done = false;
    int rc;

    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];

        if (!opts_done && strcmp(arg, "--") == 0) {
            opts_done = true;
        } else if (!opts_done && strncmp(arg, "--", 2) == 0) {
            rc = parse_opt(sc, argc, argv, &i, o);
            if (rc != WH_CERTS_EXIT_OK)
                return rc;
        } else if (!opts_done && arg[0] == '-' && arg[1] != '\0') {
            wh_certs_msg("%s: unknown option %s", sc->name, arg);
            return WH_CERTS_EXIT_USAGE;
        } else if (o->nargs < sc->nargs) {
            o->args[o->nargs++] = arg;
        } else {
            wh_certs_msg("%s: unexpected argument \"%s\"", sc->name, arg);
            return WH_CERTS_EXIT_USAGE;
        }
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
