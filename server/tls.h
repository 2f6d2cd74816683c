/* SPDX-License-Identifier: Apache-2.0
 *
 * tls.h - the webhook's serving certificate, reloaded without a restart.
 *
 * The certificate chain and key are read from files and handed to GnuTLS
 * (libmicrohttpd's TLS library) through a certificate callback, so every new
 * handshake takes the current pair while established connections keep
 * theirs. A watcher thread polls the two files (following symlinks, as a
 * Kubernetes Secret volume swaps them) and loads a changed pair; a pair that
 * does not parse, does not match, or has expired is refused with a log line
 * and the old one stays in use.
 *
 * This is the only file that includes GnuTLS. There is one serving identity
 * per process: the state is a module singleton (the callback has no
 * closure argument). Old pairs are retired, not freed at once, because a
 * handshake may still be using one; only the oldest of a bounded ring is
 * freed. Thread-safe.
 */
#ifndef WH_TLS_H
#define WH_TLS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "wh.h"

/* Loads the pair and makes it current. Fails (nothing changed) when the files
 * cannot be read, do not parse, do not match or the certificate has expired. */
int wh_tls_load(const char *cert_path, const char *key_path, struct wh_err *err);

/* The GnuTLS certificate callback to pass to MHD_OPTION_HTTPS_CERT_CALLBACK
 * (a gnutls_certificate_retrieve_function2 *). */
void *wh_tls_callback(void);

/* Starts the watcher that reloads the files loaded last when they change,
 * checking every interval_ms. */
int wh_tls_watch_start(unsigned interval_ms, struct wh_err *err);

/* Stops the watcher and frees every pair. After this the callback must not
 * run any more (stop the server first). */
void wh_tls_shutdown(void);

/* notAfter of the current certificate (0 when none is loaded). */
time_t wh_tls_not_after(void);

/* True when the peer of session (a gnutls_session_t) presented a certificate
 * that verifies against the trusted CA (mTLS). */
bool wh_tls_peer_verified(void *session);

/* Number of successful reloads after the first load. */
uint64_t wh_tls_reloads(void);

/* ---- one record per answer --------------------------------------------
 *
 * libmicrohttpd hands GnuTLS an answer's header and its body in two calls:
 * two records, and for the client two records to read (an OpenSSL client
 * reads each in two calls). Corking the session just before the answer is
 * queued makes GnuTLS keep both; uncorking once libmicrohttpd is done with
 * the answer sends them as one record, in one write.
 *
 * Uncorking must not wait on a slow reader: libmicrohttpd believes the
 * answer sent, so nothing would ever retry it. Hence wh_tls_cork only corks
 * an answer of at most WH_TLS_CORK_MAX bytes, and only when the socket's send
 * buffer has room for it twice over; any other answer goes out as
 * libmicrohttpd writes it (two records, every partial write retried). */
#define WH_TLS_CORK_MAX 12288 /* with its header, one 16 KiB record */

/* The size of fd's send buffer, read once per connection for wh_tls_cork
 * (0 when unknown: nothing is corked). */
int wh_tls_sndbuf(int fd);

/* Corks session (a gnutls_session_t on socket fd, whose send buffer holds
 * sndbuf bytes) for an answer of body_len bytes, if it qualifies (see
 * above); true when corked. */
bool wh_tls_cork(void *session, int fd, int sndbuf, size_t body_len);

/* Sends what a cork kept, waiting at most timeout_ms in all for room in the
 * socket; false when it could not all be written (the caller closes). */
bool wh_tls_uncork(void *session, int fd, int timeout_ms);

#endif
