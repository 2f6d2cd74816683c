/* SPDX-License-Identifier: Apache-2.0
 *
 * join.c - an answer's header and body in one write; see join.h.
 */
#include "join.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "banned.h"

#define JOIN_IOV 16 /* entries written with held bytes; the rest on the next call */

static ssize_t send_iov(int fd, const struct iovec *iov, int n)
{
    struct msghdr m;

    memset(&m, 0, sizeof(m));
    m.msg_iov = (struct iovec *)(uintptr_t)iov;
    m.msg_iovlen = (size_t)n;
    return sendmsg(fd, &m, MSG_NOSIGNAL);
}

void wh_join_init(struct wh_join *j, int fd)
{
    j->fd = fd;
    j->send = send_iov;
    j->armed = false;
    j->len = j->off = 0;
}

void wh_join_arm(struct wh_join *j)
{
    j->armed = true;
}

ssize_t wh_join_write(struct wh_join *j, const struct iovec *iov, int n)
{
    struct iovec v[JOIN_IOV + 1];
    size_t total = 0, rest;
    ssize_t w;
    int i;

    for (i = 0; i < n; i++)
        total += iov[i].iov_len;
    if (j->armed && j->len == 0 && total > 0 && total <= sizeof(j->held)) {
        for (i = 0; i < n; i++) {
            memcpy(j->held + j->len, iov[i].iov_base, iov[i].iov_len);
            j->len += (unsigned)iov[i].iov_len;
        }
        j->armed = false;
        return (ssize_t)total; /* written, as far as the caller can tell */
    }
    j->armed = false;
    if (j->off == j->len)
        return j->send(j->fd, iov, n);
    /* The held record first, then as much of this write as fits. */
    rest = j->len - j->off;
    v[0].iov_base = j->held + j->off;
    v[0].iov_len = rest;
    if (n > JOIN_IOV)
        n = JOIN_IOV; /* reported as a short write: the caller sends the rest */
    for (i = 0; i < n; i++)
        v[i + 1] = iov[i];
    w = j->send(j->fd, v, n + 1);
    if (w < 0)
        return -1;
    if ((size_t)w <= rest) {
        j->off += (unsigned)w;
        if (j->off == j->len)
            j->len = j->off = 0;
        errno = EAGAIN; /* nothing of this write is out yet */
        return -1;
    }
    j->len = j->off = 0;
    return w - (ssize_t)rest;
}

bool wh_join_flush(struct wh_join *j, int timeout_ms)
{
    j->armed = false;
    while (j->off < j->len) {
        struct iovec v = { j->held + j->off, j->len - j->off };
        struct pollfd pfd = { j->fd, POLLOUT, 0 };
        ssize_t w = j->send(j->fd, &v, 1);

        if (w > 0) {
            j->off += (unsigned)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (timeout_ms <= 0 || poll(&pfd, 1, timeout_ms) <= 0)
            return false;
        timeout_ms = 0; /* waited once */
    }
    j->len = j->off = 0;
    return true;
}
