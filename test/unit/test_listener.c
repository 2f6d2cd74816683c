/* SPDX-License-Identifier: Apache-2.0
 *
 * test_listener.c - the webhook's acceptor: every connection reaches the
 * callback exactly once, non-blocking and close-on-exec; while the callback
 * says it has no room, connections wait in the backlog and are taken once
 * it has; a port in use is an error; stop returns and no callback follows.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "listener.h"

#include "banned.h"

#define MAX_FDS 64

struct taken {
    atomic_int n;
    atomic_bool room;
    int fds[MAX_FDS];
    int flags_ok; /* every fd non-blocking and close-on-exec */
};

static void take(void *arg, int fd, const struct sockaddr *addr, socklen_t addrlen)
{
    struct taken *t = arg;
    int i = atomic_load(&t->n);
    int fl = fcntl(fd, F_GETFL), fdfl = fcntl(fd, F_GETFD);

    (void)addr;
    (void)addrlen;
    if (!(fl & O_NONBLOCK) || !(fdfl & FD_CLOEXEC))
        t->flags_ok = 0;
    if (i < MAX_FDS)
        t->fds[i] = fd;
    else
        (void)close(fd);
    atomic_store(&t->n, i + 1);
}

static bool has_room(void *arg)
{
    struct taken *t = arg;

    return atomic_load(&t->room);
}

static void loopback(struct sockaddr_in *sin, uint16_t port)
{
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static int dial(uint16_t port)
{
    struct sockaddr_in sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    loopback(&sin, port);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        (void)close(fd);
        return -1;
    }
    return fd;
}

/* Waits up to 2 s for the callback count to reach want. */
static int wait_taken(struct taken *t, int want)
{
    struct timespec tick = { 0, 5 * 1000 * 1000 };
    int i;

    for (i = 0; i < 400 && atomic_load(&t->n) < want; i++)
        (void)nanosleep(&tick, NULL);
    return atomic_load(&t->n);
}

static struct wh_listener *start(struct taken *t, uint16_t port, struct wh_err *err, int *rc)
{
    struct wh_listener_ops ops = { take, has_room, t };
    struct wh_listener *l = NULL;
    struct sockaddr_in sin;

    loopback(&sin, port);
    *rc = wh_listener_start((struct sockaddr *)&sin, sizeof(sin), &ops, &l, err);
    return l;
}

static void close_taken(struct taken *t)
{
    int i;

    for (i = 0; i < atomic_load(&t->n) && i < MAX_FDS; i++)
        (void)close(t->fds[i]);
}

static void test_every_connection_taken_once(void)
{
    struct taken t = { .flags_ok = 1 };
    struct wh_err err = { 0 };
    struct wh_listener *l;
    int clients[20], i, rc;

    atomic_init(&t.n, 0);
    atomic_init(&t.room, true);
    l = start(&t, 0, &err, &rc);
    CHECK_OK(rc);
    CHECK(wh_listener_port(l) != 0);
    for (i = 0; i < 20; i++) {
        clients[i] = dial(wh_listener_port(l));
        CHECK(clients[i] >= 0);
    }
    CHECK_EQ(wait_taken(&t, 20), 20);
    CHECK(t.flags_ok);
    wh_listener_stop(l);
    CHECK_EQ(atomic_load(&t.n), 20);
    for (i = 0; i < 20; i++)
        (void)close(clients[i]);
    close_taken(&t);
}

static void test_no_room_waits_in_backlog(void)
{
    struct taken t = { .flags_ok = 1 };
    struct timespec pause = { 0, 100 * 1000 * 1000 };
    struct wh_err err = { 0 };
    struct wh_listener *l;
    int c1, c2, rc;

    atomic_init(&t.n, 0);
    atomic_init(&t.room, false);
    l = start(&t, 0, &err, &rc);
    CHECK_OK(rc);
    /* The kernel completes the handshake (backlog); nobody accepts. */
    c1 = dial(wh_listener_port(l));
    c2 = dial(wh_listener_port(l));
    CHECK(c1 >= 0 && c2 >= 0);
    (void)nanosleep(&pause, NULL);
    CHECK_EQ(atomic_load(&t.n), 0);
    atomic_store(&t.room, true);
    CHECK_EQ(wait_taken(&t, 2), 2);
    wh_listener_stop(l);
    (void)close(c1);
    (void)close(c2);
    close_taken(&t);
}

static void test_port_in_use(void)
{
    struct taken t = { .flags_ok = 1 };
    struct wh_err err = { 0 };
    struct wh_listener *a, *b;
    int rc;

    atomic_init(&t.n, 0);
    atomic_init(&t.room, true);
    a = start(&t, 0, &err, &rc);
    CHECK_OK(rc);
    b = start(&t, wh_listener_port(a), &err, &rc);
    CHECK_RC(rc, WH_EIO);
    CHECK(b == NULL);
    CHECK(strstr(err.msg, "bind") != NULL);
    wh_listener_stop(a);
    wh_listener_stop(NULL);
}

static void test_stop_closes_the_port(void)
{
    struct taken t = { .flags_ok = 1 };
    struct wh_err err = { 0 };
    struct wh_listener *l;
    uint16_t port;
    int rc, fd;

    atomic_init(&t.n, 0);
    atomic_init(&t.room, true);
    l = start(&t, 0, &err, &rc);
    CHECK_OK(rc);
    port = wh_listener_port(l);
    wh_listener_stop(l);
    fd = dial(port);
    CHECK(fd < 0); /* refused: nothing listens any more */
    CHECK_EQ(atomic_load(&t.n), 0);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_every_connection_taken_once),
    CHECK_TEST(test_no_room_waits_in_backlog),
    CHECK_TEST(test_port_in_use),
    CHECK_TEST(test_stop_closes_the_port),
};

CHECK_MAIN(tests)
