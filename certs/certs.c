/* SPDX-License-Identifier: Apache-2.0
 *
 * certs.c - placeholder until the certificate tooling lands.
 */
#include "certs.h"

#include <stdio.h>

int wh_certs_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    (void)fputs("sparkhook certs: not built yet\n", stderr);
    return 2;
}
