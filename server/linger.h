/* SPDX-License-Identifier: Apache-2.0
 *
 * linger.h - lingering close for connections answered before their request
 * body was read (a 413 on the Content-Length alone, or a 401, 404, 405 or
 * 415 with a body on its way).
 *
 * A socket closed with unread bytes in it makes the kernel send a reset. A
 * client still sending its body then gets "broken pipe" or "connection
 * reset" instead of the answer it was sent. So the socket is kept open (a
 * duplicate of the descriptor, taken before libmicrohttpd closes its own)
 * and read and discarded until the client closes it, for a bounded time and
 * number of bytes (the server uses WH_LINGER_MS and WH_LINGER_BYTES), as
 * nginx's lingering close does. At most WH_LINGER_MAX sockets linger at
 * once; past that one is closed at once.
 *
 * Ownership: the lingerer owns its thread and every descriptor passed to
 * wh_linger_add(), from the call on. wh_linger_stop() closes them all and
 * joins the thread.
 */
#ifndef WH_LINGER_H
#define WH_LINGER_H

#include <stddef.h>

#include "wh.h"

#define WH_LINGER_MS    2000
#define WH_LINGER_BYTES (1024 * 1024)
#define WH_LINGER_MAX   64

struct wh_linger;

/* Starts the thread; each socket then lingers for at most ms milliseconds
 * and bytes bytes. WH_EIO with a message when it cannot. */
int wh_linger_start(unsigned ms, size_t bytes, struct wh_linger **out, struct wh_err *err);

/* Takes fd, a connected socket whose answer is out: shuts its sending side
 * and drains it, or closes it at once when WH_LINGER_MAX already linger.
 * Any thread may call it. */
void wh_linger_add(struct wh_linger *l, int fd);

/* Closes every lingering socket and joins the thread. NULL is a no-op. */
void wh_linger_stop(struct wh_linger *l);

#endif
