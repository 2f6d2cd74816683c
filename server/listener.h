/* SPDX-License-Identifier: Apache-2.0
 *
 * listener.h - the webhook's listening socket and the one thread that
 * accepts on it, handing every new connection to a callback that picks the
 * event loop to serve it.
 *
 * Why not libmicrohttpd's own accept: with a thread pool, every loop waits on
 * the shared socket and the first to wake takes a whole burst of
 * connections, so eight keep-alive clients that connect together can all
 * land on one core while the other idles. One acceptor and a least-loaded
 * choice spread them evenly.
 *
 * Ownership: the listener owns its socket and thread. Each accepted socket
 * (non-blocking, close-on-exec) belongs to the callback from the moment it is
 * called. wh_listener_stop() closes the socket and joins the thread; after it
 * returns the callbacks are no longer called.
 */
#ifndef WH_LISTENER_H
#define WH_LISTENER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wh.h"

struct wh_listener;

struct wh_listener_ops {
    /* Takes fd (a new connection from addr); called on the accept thread. */
    void (*take)(void *arg, int fd, const struct sockaddr *addr, socklen_t addrlen);
    /* Whether a connection could be taken now: while it says no, new
     * connections wait in the kernel's backlog. NULL: always. */
    bool (*has_room)(void *arg);
    void *arg;
};

/* Binds addr (port 0: any free port), listens and starts accepting.
 * WH_EIO with a message when the address cannot be bound. */
int wh_listener_start(const struct sockaddr *addr, socklen_t addrlen,
                      const struct wh_listener_ops *ops, struct wh_listener **out,
                      struct wh_err *err);

/* The bound port. */
uint16_t wh_listener_port(const struct wh_listener *l);

/* Stops accepting: closes the socket and joins the thread. NULL is a no-op. */
void wh_listener_stop(struct wh_listener *l);

#endif
