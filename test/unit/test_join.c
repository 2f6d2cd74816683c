/* SPDX-License-Identifier: Apache-2.0
 *
 * test_join.c - one write per answer: an armed join holds one record and
 * writes it with the next in a single call; unarmed writes and records too
 * big to hold pass straight through; partial writes (the socket full part
 * way through the held bytes, exactly at their end, or inside the next
 * record) never report bytes written before they are and keep the stream in
 * order; flush writes a record left alone; and the real sendmsg path over a
 * socketpair delivers the bytes in order.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "join.h"

#include "banned.h"

/* A fake socket: takes at most room bytes per call (-1/EAGAIN at 0) and
 * appends what it took to out. */
static struct {
    unsigned char out[8192];
    size_t len;
    size_t room;
    int calls;
} sock;

static ssize_t fake_send(int fd, const struct iovec *iov, int n)
{
    size_t took = 0;
    int i;

    (void)fd;
    sock.calls++;
    if (sock.room == 0) {
        errno = EAGAIN;
        return -1;
    }
    for (i = 0; i < n && took < sock.room; i++) {
        size_t k = iov[i].iov_len;

        if (k > sock.room - took)
            k = sock.room - took;
        memcpy(sock.out + sock.len, iov[i].iov_base, k);
        sock.len += k;
        took += k;
    }
    return (ssize_t)took;
}

static void fresh(struct wh_join *j)
{
    memset(&sock, 0, sizeof(sock));
    sock.room = sizeof(sock.out);
    wh_join_init(j, -1);
    j->send = fake_send;
}

static ssize_t write1(struct wh_join *j, const char *s)
{
    struct iovec v = { (void *)(uintptr_t)s, strlen(s) };

    return wh_join_write(j, &v, 1);
}

static void test_unarmed_passes_through(void)
{
    struct wh_join j;

    fresh(&j);
    CHECK_EQ(write1(&j, "header"), 6);
    CHECK_EQ(write1(&j, "body"), 4);
    CHECK_EQ(sock.calls, 2);
    CHECK_EQ(sock.len, 10);
    CHECK(memcmp(sock.out, "headerbody", 10) == 0);
}

static void test_armed_joins_two_records(void)
{
    struct wh_join j;

    fresh(&j);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "HEADER"), 6); /* held: reported written */
    CHECK_EQ(sock.calls, 0);
    CHECK_EQ(write1(&j, "BODY"), 4); /* both, one call */
    CHECK_EQ(sock.calls, 1);
    CHECK_EQ(sock.len, 10);
    CHECK(memcmp(sock.out, "HEADERBODY", 10) == 0);
    /* one record per arming: the next write goes straight out */
    CHECK_EQ(write1(&j, "x"), 1);
    CHECK_EQ(sock.calls, 2);
}

static void test_iov_entries_are_held_in_order(void)
{
    struct wh_join j;
    static char ab[] = "ab", none[] = "", cd[] = "cd";
    struct iovec v[3] = { { ab, 2 }, { none, 0 }, { cd, 2 } };

    fresh(&j);
    wh_join_arm(&j);
    CHECK_EQ(wh_join_write(&j, v, 3), 4);
    CHECK_EQ(wh_join_write(&j, v, 3), 4);
    CHECK_EQ(sock.len, 8);
    CHECK(memcmp(sock.out, "abcdabcd", 8) == 0);
}

static void test_too_big_to_hold_goes_out(void)
{
    static char big[WH_JOIN_MAX + 2];
    struct wh_join j;

    memset(big, 'b', sizeof(big) - 1);
    fresh(&j);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, big), (ssize_t)sizeof(big) - 1);
    CHECK_EQ(sock.calls, 1);
    CHECK_EQ(sock.len, sizeof(big) - 1);
}

static void test_socket_full_inside_held_bytes(void)
{
    struct wh_join j;

    fresh(&j);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "HEADER"), 6);
    sock.room = 4; /* "HEAD" only */
    CHECK_EQ(write1(&j, "BODY"), -1);
    CHECK_EQ(errno, EAGAIN);
    sock.room = 0;
    CHECK_EQ(write1(&j, "BODY"), -1);
    CHECK_EQ(errno, EAGAIN);
    sock.room = 100; /* the caller writes the same record again */
    CHECK_EQ(write1(&j, "BODY"), 4);
    CHECK_EQ(sock.len, 10);
    CHECK(memcmp(sock.out, "HEADERBODY", 10) == 0);
}

static void test_socket_full_at_end_of_held_bytes(void)
{
    struct wh_join j;

    fresh(&j);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "HEADER"), 6);
    sock.room = 6; /* the held record exactly: nothing of this one */
    CHECK_EQ(write1(&j, "BODY"), -1);
    CHECK_EQ(errno, EAGAIN);
    sock.room = 100;
    CHECK_EQ(write1(&j, "BODY"), 4);
    CHECK_EQ(sock.calls, 2);
    CHECK(memcmp(sock.out, "HEADERBODY", 10) == 0);
}

static void test_socket_full_inside_next_record(void)
{
    struct wh_join j;

    fresh(&j);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "HEADER"), 6);
    sock.room = 8;                   /* HEADER + "BO" */
    CHECK_EQ(write1(&j, "BODY"), 2); /* a short write of this record */
    sock.room = 100;
    CHECK_EQ(write1(&j, "DY"), 2); /* the caller goes on with the rest */
    CHECK_EQ(sock.len, 10);
    CHECK(memcmp(sock.out, "HEADERBODY", 10) == 0);
}

static void test_flush_writes_a_lone_record(void)
{
    struct wh_join j;

    fresh(&j);
    CHECK(wh_join_flush(&j, 0)); /* nothing held: nothing to do */
    CHECK_EQ(sock.calls, 0);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "ONLY"), 4);
    CHECK(wh_join_flush(&j, 0));
    CHECK_EQ(sock.len, 4);
    CHECK(memcmp(sock.out, "ONLY", 4) == 0);
    /* full socket: flush gives up after its wait */
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "MORE"), 4);
    sock.room = 0;
    CHECK(!wh_join_flush(&j, 0));
}

static void test_real_socket_in_order(void)
{
    struct wh_join j;
    char got[64];
    int sv[2];
    ssize_t n;

    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    wh_join_init(&j, sv[0]);
    wh_join_arm(&j);
    CHECK_EQ(write1(&j, "HTTP/1.1 200 OK\r\n\r\n"), 19);
    CHECK_EQ(write1(&j, "{}"), 2);
    n = read(sv[1], got, sizeof(got));
    CHECK_EQ(n, 21);
    CHECK(memcmp(got, "HTTP/1.1 200 OK\r\n\r\n{}", 21) == 0);
    (void)close(sv[0]);
    (void)close(sv[1]);
}

static const struct check_test tests[] = {
    CHECK_TEST(test_unarmed_passes_through),
    CHECK_TEST(test_armed_joins_two_records),
    CHECK_TEST(test_iov_entries_are_held_in_order),
    CHECK_TEST(test_too_big_to_hold_goes_out),
    CHECK_TEST(test_socket_full_inside_held_bytes),
    CHECK_TEST(test_socket_full_at_end_of_held_bytes),
    CHECK_TEST(test_socket_full_inside_next_record),
    CHECK_TEST(test_flush_writes_a_lone_record),
    CHECK_TEST(test_real_socket_in_order),
};

CHECK_MAIN(tests)
