/* SPDX-License-Identifier: Apache-2.0
 *
 * linger.c - one thread that drains sockets before closing them; see
 * linger.h.
 */
#define _GNU_SOURCE /* pipe2 */
#include "linger.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "util/mem.h"

#include "banned.h"

struct slot {
    int fd;
    int64_t deadline; /* monotonic ms */
    size_t left;      /* bytes it may still send */
};

struct wh_linger {
    pthread_t thread;
    int wake[2];        /* a byte on wake[1]: something to take, or stop */
    pthread_mutex_t mu; /* guards incoming, nin, count, stopping */
    int incoming[WH_LINGER_MAX];
    size_t nin;
    size_t count; /* incoming and lingering: at most WH_LINGER_MAX */
    bool stopping;
    struct slot slots[WH_LINGER_MAX]; /* the thread's own */
    size_t nslots;
    unsigned ms; /* the bounds of each socket */
    size_t bytes;
};

/* Reads and drops what fd has. Returns false when it is done: closed by
 * the client, failed, or past its byte bound. */
static bool drain(struct slot *s)
{
    char buf[16384];

    for (;;) {
        ssize_t n = read(s->fd, buf, s->left < sizeof(buf) ? s->left : sizeof(buf));

        if (n > 0) {
            s->left -= (size_t)n;
            if (s->left == 0)
                return false;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        /* EAGAIN: drained for now. EWOULDBLOCK is the same on Linux. */
        return n < 0 && errno == EAGAIN;
    }
}

/* Moves what wh_linger_add queued into slots. Returns false to stop. */
static bool take_incoming(struct wh_linger *l)
{
    int64_t deadline = wh_now_ms() + l->ms;
    char junk[64];
    bool stop;
    size_t i;

    while (read(l->wake[0], junk, sizeof(junk)) > 0)
        ;
    (void)pthread_mutex_lock(&l->mu);
    for (i = 0; i < l->nin; i++)
        l->slots[l->nslots++] = (struct slot){ l->incoming[i], deadline, l->bytes };
    l->nin = 0;
    stop = l->stopping;
    (void)pthread_mutex_unlock(&l->mu);
    return !stop;
}

/* Closes slot i and frees its place: counted out first, so that once the
 * socket is seen closed, its place is free. */
static void release(struct wh_linger *l, size_t i)
{
    int fd = l->slots[i].fd;

    (void)pthread_mutex_lock(&l->mu);
    l->count--;
    (void)pthread_mutex_unlock(&l->mu);
    (void)close(fd);
    l->slots[i] = l->slots[--l->nslots];
}

static void *linger_loop(void *arg)
{
    struct wh_linger *l = arg;
    struct pollfd pfd[1 + WH_LINGER_MAX];
    size_t i;

    while (take_incoming(l)) {
        int64_t now = wh_now_ms(), wait = -1;

        pfd[0] = (struct pollfd){ l->wake[0], POLLIN, 0 };
        for (i = 0; i < l->nslots; i++) {
            int64_t left = l->slots[i].deadline - now;

            pfd[1 + i] = (struct pollfd){ l->slots[i].fd, POLLIN, 0 };
            if (wait < 0 || left < wait)
                wait = left < 0 ? 0 : left;
        }
        if (poll(pfd, 1 + l->nslots, (int)wait) < 0 && errno != EINTR) {
            log_warn("lingering close: poll");
            (void)poll(NULL, 0, 10);
            continue;
        }
        /* Backwards: release() moves the last slot into the one released,
         * and the last one's pollfd has been looked at by then. */
        now = wh_now_ms();
        for (i = l->nslots; i-- > 0;) {
            bool more = true;

            if (pfd[1 + i].revents)
                more = drain(&l->slots[i]);
            if (!more || now >= l->slots[i].deadline)
                release(l, i);
        }
    }
    while (l->nslots)
        release(l, l->nslots - 1);
    return NULL;
}

int wh_linger_start(unsigned ms, size_t bytes, struct wh_linger **out, struct wh_err *err)
{
    struct wh_linger *l = wh_xcalloc(1, sizeof(*l));

    *out = NULL;
    l->ms = ms;
    l->bytes = bytes;
    if (pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(l);
        return wh_errf(err, WH_EIO, "lingering close: pipe: %s", strerror(errno));
    }
    (void)pthread_mutex_init(&l->mu, NULL);
    errno = pthread_create(&l->thread, NULL, linger_loop, l);
    if (errno != 0) {
        int e = errno;

        (void)pthread_mutex_destroy(&l->mu);
        (void)close(l->wake[0]);
        (void)close(l->wake[1]);
        free(l);
        return wh_errf(err, WH_EIO, "lingering close: thread: %s", strerror(e));
    }
    *out = l;
    return WH_OK;
}

static void wake(struct wh_linger *l)
{
    /* A full pipe already holds a wake-up: EAGAIN is fine. */
    while (write(l->wake[1], "x", 1) < 0 && errno == EINTR)
        ;
}

void wh_linger_add(struct wh_linger *l, int fd)
{
    bool taken = false;

    /* Before the thread can see fd, which it may close at once. Reads must
     * not block the thread (libmicrohttpd's sockets are non-blocking). */
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    (void)shutdown(fd, SHUT_WR);
    (void)pthread_mutex_lock(&l->mu);
    if (!l->stopping && l->count < WH_LINGER_MAX) {
        l->incoming[l->nin++] = fd;
        l->count++;
        taken = true;
    }
    (void)pthread_mutex_unlock(&l->mu);
    if (!taken) {
        log_debug("lingering close: %d sockets linger already, closing one at once", WH_LINGER_MAX);
        (void)close(fd);
        return;
    }
    wake(l);
}

void wh_linger_stop(struct wh_linger *l)
{
    if (l == NULL)
        return;
    (void)pthread_mutex_lock(&l->mu);
    l->stopping = true;
    (void)pthread_mutex_unlock(&l->mu);
    wake(l);
    /* The thread's last look took what was queued, under the lock that set
     * stopping, and wh_linger_add queues nothing after it: it closes all. */
    (void)pthread_join(l->thread, NULL);
    (void)pthread_mutex_destroy(&l->mu);
    (void)close(l->wake[0]);
    (void)close(l->wake[1]);
    free(l);
}
