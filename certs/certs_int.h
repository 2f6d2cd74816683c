/* SPDX-License-Identifier: Apache-2.0
 *
 * certs_int.h - what certs.c (command line), certs_gen.c (generate) and
 * certs_check.c (check) share. Not for use outside certs/.
 *
 * Every string in struct wh_certs_opts is borrowed from argv (or a static
 * default) and lives as long as the call to wh_certs_main().
 */
#ifndef WH_CERTS_INT_H
#define WH_CERTS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certs.h"
#include "wh.h"

#define WH_CERTS_CA_DAYS     1825       /* default CA lifetime: 5 years */
#define WH_CERTS_DAYS        365        /* default serving certificate lifetime: 1 year */
#define WH_CERTS_MAX_DAYS    36500      /* cap on every --*days option */
#define WH_CERTS_FILE_MAX    (1u << 20) /* largest PEM file `check` reads */
#define WH_CERTS_CA_CN       "sparkhook CA"
#define WH_CERTS_LABEL_MAX   63  /* DNS-1123 label */
#define WH_CERTS_BACKDATE_S  300 /* notBefore this far in the past, for clock skew */
#define WH_CERTS_SERIAL_BITS 128

struct wh_certs_opts {
    /* generate */
    const char *service;
    const char *ns;
    const char *out;
    uint64_t ca_days;
    uint64_t days;
    bool force;
    /* check */
    const char *cert;
    const char *key;
    const char *ca;
    const char *dns;
    uint64_t min_days;
    /* positional arguments, before they are assigned to cert and key */
    const char *args[2];
    size_t nargs;
};

/* The subcommands; each returns an exit code (enum wh_certs_exit) and
 * reports on stdout/stderr itself. */
int wh_certs_generate(const struct wh_certs_opts *o);
int wh_certs_check(const struct wh_certs_opts *o);

/* Prints "sparkhook certs: MESSAGE\n" on stderr. */
void wh_certs_msg(const char *fmt, ...) WH_PRINTF(1, 2);

/* Writes the reason of the most recent OpenSSL error into buf (size > 0),
 * clears the thread's error queue and returns buf. */
const char *wh_certs_ossl_reason(char *buf, size_t size);

#endif
