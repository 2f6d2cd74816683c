/* SPDX-License-Identifier: Apache-2.0
 *
 * certs.h - `sparkhook certs`: certificate tooling on the OpenSSL library.
 */
#ifndef WH_CERTS_H
#define WH_CERTS_H

/* Runs `sparkhook certs SUBCOMMAND ...`; argv[0] is "certs". Returns the
 * process exit code. */
int wh_certs_main(int argc, char **argv);

#endif
