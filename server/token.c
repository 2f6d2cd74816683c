/* SPDX-License-Identifier: Apache-2.0
 *
 * token.c - placeholder until `sparkhook token inspect` lands.
 */
#include "token.h"

#include <stdio.h>

#include "banned.h"

int wh_token_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    (void)fputs("sparkhook token: not built yet\n", stderr);
    return 2;
}
