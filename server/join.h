/* SPDX-License-Identifier: Apache-2.0
 *
 * join.h - one write per answer. libmicrohttpd 0.9.75 hands its TLS library
 * an answer's header and body separately: two records, two sendmsg calls,
 * two packets, and for the client two wake-ups and twice the reads. A join
 * sits under the TLS library as its writer: armed once per answer, just
 * before the answer is queued, it holds the next record back (at most
 * WH_JOIN_MAX bytes; a bigger one goes out at once) and writes it together
 * with the record that follows, in one sendmsg. Everything else is written
 * as it comes.
 *
 * The writer contract is the TLS library's: wh_join_write returns how many
 * of the bytes it was given are written, or -1 with errno (EAGAIN when the
 * socket is full). Held bytes always go out first; a record is never
 * reported written before it is; a partial write keeps what is left.
 *
 * Ownership: the caller owns the struct; the socket stays the caller's.
 * One connection, one thread at a time.
 */
#ifndef WH_JOIN_H
#define WH_JOIN_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

#define WH_JOIN_MAX 512 /* an answer's header record fits with room to spare */

/* How bytes reach the socket: sendmsg by default (tests put in their own). */
typedef ssize_t wh_join_send_fn(int fd, const struct iovec *iov, int n);

struct wh_join {
    int fd;
    wh_join_send_fn *send;
    bool armed;
    unsigned len, off; /* held bytes, and how many of them are written */
    unsigned char held[WH_JOIN_MAX];
};

void wh_join_init(struct wh_join *j, int fd);

/* Holds the next write back until the one after it. */
void wh_join_arm(struct wh_join *j);

/* Writes iov (n entries) to the socket, or holds it; see above. */
ssize_t wh_join_write(struct wh_join *j, const struct iovec *iov, int n);

/* Writes what is still held, if anything (an answer that was one record
 * only): the caller's answer is complete. Waits up to timeout_ms for room
 * in the socket; false when the bytes could not all be written. */
bool wh_join_flush(struct wh_join *j, int timeout_ms);

#endif
