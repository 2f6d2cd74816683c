/* SPDX-License-Identifier: Apache-2.0
 *
 * pauses.c - how long the machine itself stood still during a benchmark run.
 *
 * One thread per CPU, pinned to it at real-time priority (SCHED_FIFO: it
 * runs the moment its timer fires, ahead of every ordinary thread), sleeps
 * PERIOD and measures how late it woke. A thread that needs almost no CPU
 * and preempts everything else can only wake late when its CPU was not
 * running at all: the hypervisor had it, or the kernel did with preemption
 * off. Such a pause stalls the server and wrk alike, and a latency
 * percentile takes it whole: wrk accounts for the requests a stalled
 * connection did not send (coordinated omission), so a pause of P ms adds
 * about P / (interval between requests) samples of up to P ms to each
 * connection. Once the pauses add up to 1% of a run, no server can show a
 * p99 below them.
 *
 * usage: pauses [PERIOD_US [THRESHOLD_US]]
 *
 * Runs until SIGTERM or SIGINT, then prints one line:
 *   PAUSES cpus=2 fifo=1 wakeups=3998 count=3 paused_ms=41.2 max_ms=22.5
 * count: wake-ups later than THRESHOLD_US (default 2000); paused_ms: their
 * lateness summed, averaged over the CPUs; max_ms: the latest one. fifo=0
 * when real-time priority was refused (not root): lateness then includes
 * ordinary scheduling delay. PERIOD_US defaults to 5000 (200 wake-ups a
 * second per CPU: cheap enough not to slow what it measures).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_CPUS 256

struct probe {
    pthread_t thread;
    int cpu;
    long long wakeups, count, late_us, max_us;
};

static atomic_bool stop;
static long period_us = 5000, threshold_us = 2000;
static atomic_int fifo = 1;

static long long now_us(void)
{
    struct timespec t;

    (void)clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void *run(void *arg)
{
    struct probe *p = arg;
    struct sched_param sp = { .sched_priority = 1 };
    struct timespec d = { .tv_sec = period_us / 1000000, .tv_nsec = period_us % 1000000 * 1000 };
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET(p->cpu, &set);
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0)
        atomic_store(&fifo, 0);
    while (!atomic_load(&stop)) {
        long long t0 = now_us(), late;

        (void)clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL);
        late = now_us() - t0 - period_us;
        p->wakeups++;
        if (late > threshold_us) {
            p->count++;
            p->late_us += late;
        }
        if (late > p->max_us)
            p->max_us = late;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static struct probe probes[MAX_CPUS];
    long long wakeups = 0, count = 0, late = 0, max = 0;
    cpu_set_t allowed;
    sigset_t sigs;
    int n = 0, cpu, sig;

    if (argc > 1)
        period_us = strtol(argv[1], NULL, 10);
    if (argc > 2)
        threshold_us = strtol(argv[2], NULL, 10);
    if (argc > 3 || period_us < 100 || period_us > 1000000 || threshold_us < 0) {
        fprintf(stderr, "usage: pauses [PERIOD_US [THRESHOLD_US]]\n");
        return 2;
    }
    /* the probes inherit the mask: only this thread takes the signals */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    (void)pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
        perror("pauses: sched_getaffinity");
        return 1;
    }
    for (cpu = 0; cpu < CPU_SETSIZE && n < MAX_CPUS; cpu++) {
        if (!CPU_ISSET(cpu, &allowed))
            continue;
        probes[n].cpu = cpu;
        if (pthread_create(&probes[n].thread, NULL, run, &probes[n]) != 0) {
            perror("pauses: pthread_create");
            return 1;
        }
        n++;
    }
    (void)sigwait(&sigs, &sig);
    atomic_store(&stop, true);
    for (cpu = 0; cpu < n; cpu++) {
        (void)pthread_join(probes[cpu].thread, NULL);
        wakeups += probes[cpu].wakeups;
        count += probes[cpu].count;
        late += probes[cpu].late_us;
        if (probes[cpu].max_us > max)
            max = probes[cpu].max_us;
    }
    printf("PAUSES cpus=%d fifo=%d wakeups=%lld count=%lld paused_ms=%.1f max_ms=%.1f\n", n,
           atomic_load(&fifo), wakeups, count, n ? (double)late / n / 1000.0 : 0.0, max / 1000.0);
    return 0;
}
