/* SPDX-License-Identifier: Apache-2.0
 *
 * token.h - `sparkhook token`: inspect and verify a JWT such as a projected
 * service-account token, and say whether it would satisfy a cloud trust
 * policy (AWS IRSA, Azure workload identity).
 *
 *   sparkhook token inspect [--key PEM | --jwks FILE] [--iss ISS] [--aud AUD]
 *                           [--trust aws|azure] [--role-sub NS:SA] [--now UNIX]
 *                           TOKEN_FILE|-
 *
 * The command prints the header and the claims (never the signature), then
 * one "ok", "FAIL" or "skip" line per check. The verification is jwt.h's. The
 * function prints to stdout/stderr and keeps no state between calls.
 */
#ifndef WH_TOKEN_H
#define WH_TOKEN_H

/* Exit codes of `sparkhook token`, in the order the checks decide them: when
 * several checks fail, the first one in this list is the exit code. */
#define WH_TOKEN_EXITS(X)                                                                      \
    X(WH_TOKEN_EXIT_OK, "the token passed every check asked for")                              \
    X(WH_TOKEN_EXIT_READ, "cannot read or decode the token, or cannot load --key/--jwks")      \
    X(WH_TOKEN_EXIT_USAGE, "usage error")                                                      \
    X(WH_TOKEN_EXIT_SIGNATURE, "signature invalid, or algorithm not allowed (none, HS*, ...)") \
    X(WH_TOKEN_EXIT_TIME, "expired, or not yet valid (exp, nbf, iat; 60 s leeway)")            \
    X(WH_TOKEN_EXIT_CLAIM, "iss or aud mismatch (--iss, --aud, --trust audience)")             \
    X(WH_TOKEN_EXIT_TRUST, "trust-policy mismatch: sub is not the --role-sub subject")

enum wh_token_exit {
#define X(name, msg) name,
    WH_TOKEN_EXITS(X)
#undef X
};

/* Runs `sparkhook token SUBCOMMAND ...`; argv[0] is "token". argv is only
 * read (never permuted), so the function can be called repeatedly, e.g. by
 * tests. Returns the process exit code, one of enum wh_token_exit. */
int wh_token_main(int argc, char **argv);

#endif
