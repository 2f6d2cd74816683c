/* SPDX-License-Identifier: Apache-2.0
 *
 * token.h - `sparkhook token inspect`: decode and verify a projected
 * service-account token (see token.c).
 */
#ifndef WH_TOKEN_H
#define WH_TOKEN_H

/* Runs `sparkhook token SUBCOMMAND ...`; argv[0] is "token". Returns the
 * process exit code. */
int wh_token_main(int argc, char **argv);

#endif
