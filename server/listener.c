/* SPDX-License-Identifier: Apache-2.0
 *
 * listener.c - one listening socket, one accepting thread; see listener.h.
 */
#define _GNU_SOURCE /* accept4, pipe2 */
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util/mem.h"

#include "banned.h"

#define BURST    64 /* accepts per wake-up before looking at the stop pipe again */
#define PAUSE_MS 10 /* wait when full, or out of descriptors */

struct wh_listener {
    int fd;
    int wake[2]; /* a byte on wake[1] stops the thread */
    pthread_t thread;
    struct wh_listener_ops ops;
    uint16_t port;
    time_t last_warn;
};

static void warn_once_a_second(struct wh_listener *l, const char *what, int e)
{
    time_t now = time(NULL);

    if (now != l->last_warn) {
        l->last_warn = now;
        log_warnx("accept: %s: %s", what, strerror(e));
    }
}

/* Accepts what the backlog holds, up to BURST. Returns false to pause. */
static bool accept_burst(struct wh_listener *l)
{
    int n;

    for (n = 0; n < BURST; n++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd;

        if (l->ops.has_room && !l->ops.has_room(l->ops.arg))
            return false;
        fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            l->ops.take(l->ops.arg, fd, (struct sockaddr *)&ss, len);
            continue;
        }
        switch (errno) {
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return true;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue; /* that client is gone; the next may not be */
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            warn_once_a_second(l, "out of resources, connections wait", errno);
            return false;
        default:
            warn_once_a_second(l, "unexpected error", errno);
            return false;
        }
    }
    return true;
}

static void *accept_loop(void *arg)
{
    struct wh_listener *l = arg;
    bool paused = false;

    for (;;) {
        struct pollfd pfd[2] = { { l->wake[0], POLLIN, 0 }, { l->fd, POLLIN, 0 } };
        int rc = poll(pfd, paused ? 1 : 2, paused ? PAUSE_MS : -1);

        if (rc < 0 && errno != EINTR) {
            warn_once_a_second(l, "poll", errno);
            (void)poll(NULL, 0, PAUSE_MS);
            continue;
        }
        if (pfd[0].revents)
            break;
        paused = !accept_burst(l);
    }
    return NULL;
}

static int bind_error(struct wh_listener *l, struct wh_err *err, const char *what)
{
    int e = errno;

    if (l->fd >= 0)
        (void)close(l->fd);
    free(l);
    return wh_errf(err, WH_EIO, "%s: %s", what, strerror(e));
}

int wh_listener_start(const struct sockaddr *addr, socklen_t addrlen,
                      const struct wh_listener_ops *ops, struct wh_listener **out,
                      struct wh_err *err)
{
    struct wh_listener *l = wh_xcalloc(1, sizeof(*l));
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    int on = 1;

    *out = NULL;
    l->ops = *ops;
    l->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0)
        return bind_error(l, err, "socket");
    (void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (addr->sa_family == AF_INET6) /* as libmicrohttpd: IPv6 only, no mapped IPv4 */
        (void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
    if (bind(l->fd, addr, addrlen) != 0)
        return bind_error(l, err, "bind");
    if (listen(l->fd, SOMAXCONN) != 0)
        return bind_error(l, err, "listen");
    if (getsockname(l->fd, (struct sockaddr *)&bound, &blen) != 0)
        return bind_error(l, err, "getsockname");
    l->port = ntohs(bound.ss_family == AF_INET6
                        ? ((const struct sockaddr_in6 *)(const void *)&bound)->sin6_port
                        : ((const struct sockaddr_in *)(const void *)&bound)->sin_port);
    if (pipe2(l->wake, O_CLOEXEC) != 0)
        return bind_error(l, err, "pipe");
    errno = pthread_create(&l->thread, NULL, accept_loop, l);
    if (errno != 0) {
        (void)close(l->wake[0]);
        (void)close(l->wake[1]);
        return bind_error(l, err, "accept thread");
    }
    *out = l;
    return WH_OK;
}

uint16_t wh_listener_port(const struct wh_listener *l)
{
    return l->port;
}

void wh_listener_stop(struct wh_listener *l)
{
    if (l == NULL)
        return;
    while (write(l->wake[1], "x", 1) < 0 && errno == EINTR)
        ;
    (void)pthread_join(l->thread, NULL);
    (void)close(l->fd);
    (void)close(l->wake[0]);
    (void)close(l->wake[1]);
    free(l);
}
