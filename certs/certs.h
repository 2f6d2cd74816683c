/* SPDX-License-Identifier: Apache-2.0
 *
 * certs.h - `sparkhook certs`: certificate tooling on the OpenSSL library.
 *
 *   sparkhook certs generate --service NAME --namespace NS [--out DIR] [--force]
 *                            [--ca-days N] [--days N]
 *   sparkhook certs check CERT KEY [--ca CA] [--dns NAME] [--min-days N]
 *
 * `generate` makes an ECDSA P-256 CA and a serving certificate for the
 * Service NAME in namespace NS and writes ca.crt, ca.key, tls.crt and tls.key;
 * `check` verifies a certificate and key the way kube-apiserver will use them.
 * See certs/README.md. Everything is done in-process (no openssl CLI); the
 * functions print to stdout/stderr and keep no state between calls.
 */
#ifndef WH_CERTS_H
#define WH_CERTS_H

/* Exit codes of `sparkhook certs`, in the order `check` decides them: when
 * several checks fail, the first one in this list is the exit code. */
#define WH_CERTS_EXITS(X)                                                                         \
    X(WH_CERTS_EXIT_OK, "success: files written, or every check passed")                          \
    X(WH_CERTS_EXIT_IO, "cannot read or parse a file (generate: cannot write, or a file exists)") \
    X(WH_CERTS_EXIT_USAGE, "usage error (bad option, bad service or namespace name)")             \
    X(WH_CERTS_EXIT_KEY, "the key does not match the certificate")                                \
    X(WH_CERTS_EXIT_TIME, "expired, not yet valid, or fewer than --min-days days left")           \
    X(WH_CERTS_EXIT_CHAIN, "the certificate does not verify against --ca")                        \
    X(WH_CERTS_EXIT_DNS, "the --dns name is not in the certificate's subjectAltName")

enum wh_certs_exit {
#define X(name, msg) name,
    WH_CERTS_EXITS(X)
#undef X
};

/* Runs `sparkhook certs SUBCOMMAND ...`; argv[0] is "certs". argv is only
 * read (never permuted), so the function can be called repeatedly, e.g. by
 * tests. Returns the process exit code, one of enum wh_certs_exit. */
int wh_certs_main(int argc, char **argv);

#endif
