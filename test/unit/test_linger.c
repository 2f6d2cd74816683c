/* SPDX-License-Identifier: Apache-2.0
 *
 * test_linger.c - lingering close: a socket handed over is shut for
 * sending, drained while its peer goes on sending, and closed when the peer
 * closes, when its time or byte bound is reached, or when the lingerer
 * stops; past WH_LINGER_MAX sockets one is closed at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "linger.h"

#include "banned.h"

static long long ms_now(void)
{
    struct timespec t;

    (void)clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Whether fd is closed (by the lingerer) within ms. */
static bool closed_within(int fd, long long ms)
{
    long long end = ms_now() + ms;

    while (fcntl(fd, F_GETFD) >= 0) {
        if (ms_now() > end)
            return false;
        (void)poll(NULL, 0, 5);
    }
    return errno == EBADF;
}

/* Sends n bytes from peer, a blocking socket; the errno of a failure, or 0. */
static int send_bytes(int peer, size_t n)
{
    char buf[4096];

    memset(buf, ' ', sizeof(buf));
    while (n) {
        ssize_t w = send(peer, buf, n < sizeof(buf) ? n : sizeof(buf), MSG_NOSIGNAL);

        if (w < 0)
            return errno;
        n -= (size_t)w;
    }
    return 0;
}

static void pair(int sv[2])
{
    struct timeval tv = { 5, 0 }; /* no test waits on a send for ever */

    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    CHECK_EQ(setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
}

static void test_drains_until_peer_closes(void)
{
    struct wh_linger *l;
    struct wh_err err;
    char c;
    int sv[2];

    CHECK_OK(wh_linger_start(5000, 1 << 20, &l, &err));
    pair(sv);
    wh_linger_add(l, sv[0]);
    CHECK_EQ(read(sv[1], &c, 1), 0);        /* shut for sending: end of the answer */
    CHECK_EQ(send_bytes(sv[1], 300000), 0); /* more than a socket buffer: drained */
    CHECK(!closed_within(sv[0], 100));      /* still open while the peer is */
    (void)close(sv[1]);
    CHECK(closed_within(sv[0], 2000));
    wh_linger_stop(l);
}

static void test_time_bound(void)
{
    struct wh_linger *l;
    struct wh_err err;
    long long start;
    int sv[2];

    CHECK_OK(wh_linger_start(200, 1 << 20, &l, &err));
    pair(sv);
    start = ms_now();
    wh_linger_add(l, sv[0]);
    CHECK(closed_within(sv[0], 3000));
    CHECK(ms_now() - start >= 190);
    CHECK_EQ(send_bytes(sv[1], 1), EPIPE);
    (void)close(sv[1]);
    wh_linger_stop(l);
}

static void test_byte_bound(void)
{
    struct wh_linger *l;
    struct wh_err err;
    int sv[2];

    CHECK_OK(wh_linger_start(10000, 65536, &l, &err));
    pair(sv);
    wh_linger_add(l, sv[0]);
    CHECK_EQ(send_bytes(sv[1], 65535), 0);
    CHECK(!closed_within(sv[0], 100)); /* one byte short of the bound */
    CHECK_EQ(send_bytes(sv[1], 1), 0);
    CHECK(closed_within(sv[0], 2000));
    (void)close(sv[1]);
    wh_linger_stop(l);
}

static void test_at_most_max(void)
{
    int mine[WH_LINGER_MAX], peers[WH_LINGER_MAX], extra[2];
    struct wh_linger *l;
    struct wh_err err;
    size_t i;

    CHECK_OK(wh_linger_start(10000, 1 << 20, &l, &err));
    for (i = 0; i < WH_LINGER_MAX; i++) {
        int sv[2];

        pair(sv);
        wh_linger_add(l, sv[0]);
        mine[i] = sv[0];
        peers[i] = sv[1];
    }
    pair(extra);
    wh_linger_add(l, extra[0]); /* one too many: closed at once */
    CHECK_EQ(send_bytes(extra[1], 1), EPIPE);
    for (i = 0; i < WH_LINGER_MAX; i++)
        CHECK_EQ(send_bytes(peers[i], 100), 0);
    (void)close(extra[1]);
    /* One closes, and its place is free again. */
    (void)close(peers[0]);
    CHECK(closed_within(mine[0], 2000));
    pair(extra);
    wh_linger_add(l, extra[0]);
    CHECK_EQ(send_bytes(extra[1], 100), 0);
    peers[0] = extra[1];
    wh_linger_stop(l); /* closes every lingering socket */
    for (i = 0; i < WH_LINGER_MAX; i++) {
        CHECK_EQ(send_bytes(peers[i], 1), EPIPE);
        (void)close(peers[i]);
    }
}

static void test_stop_null(void)
{
    wh_linger_stop(NULL);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_drains_until_peer_closes),
    CHECK_TEST(test_time_bound),
    CHECK_TEST(test_byte_bound),
    CHECK_TEST(test_at_most_max),
    CHECK_TEST(test_stop_null),
};

CHECK_MAIN(tests)
