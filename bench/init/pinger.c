/* pinger.c - the host side of the signal round-trip bench.
 * Opens FIFO for reading, waits for pong's 'r', then N times alternately
 * sends SIGUSR1 to the init (which must forward it to pong) and directly to
 * pong, each time waiting for pong's one-byte reply.  Prints, in µs:
 *
 *   via_med=.. via_p10=.. via_p90=.. direct_med=.. direct_p10=.. direct_p90=..
 *
 * Alternating the two kinds of round trip spreads the VM's noise evenly over
 * both.  A reply missing for 2 s aborts with exit status 3.
 *
 * usage: pinger FIFO INIT_PID CHILD_PID N [WARMUP]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int get_byte(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;
	if (poll(&p, 1, timeout_ms) != 1)
		return -1;
	return read(fd, &c, 1) == 1 ? c : -1;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double pct(double *v, int n, double p)
{
	return v[(int)(p * (n - 1) + 0.5)];
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: pinger FIFO INIT_PID CHILD_PID N [WARMUP]\n");
		return 2;
	}
	pid_t init = atoi(argv[2]), child = atoi(argv[3]);
	int n = atoi(argv[4]), warm = argc > 5 ? atoi(argv[5]) : 100;
	double *via = calloc(n, sizeof *via), *dir = calloc(n, sizeof *dir);
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || !via || !dir) {
		perror("pinger");
		return 1;
	}
	if (get_byte(fd, 10000) != 'r') {
		fprintf(stderr, "pinger: no ready byte from pong\n");
		return 3;
	}
	for (int i = -warm; i < n; i++) {
		for (int k = 0; k < 2; k++) {
			pid_t target = k == 0 ? init : child;
			double t0 = now_us();
			if (kill(target, SIGUSR1) < 0) {
				perror("pinger: kill");
				return 1;
			}
			if (get_byte(fd, 2000) < 0) {
				fprintf(stderr, "pinger: no reply after signal %d to %s (pid %d)\n",
					i + warm, k == 0 ? "init" : "child", target);
				return 3;
			}
			double dt = now_us() - t0;
			if (i >= 0)
				(k == 0 ? via : dir)[i] = dt;
		}
	}
	qsort(via, n, sizeof *via, cmp);
	qsort(dir, n, sizeof *dir, cmp);
	printf("via_med=%.2f via_p10=%.2f via_p90=%.2f direct_med=%.2f direct_p10=%.2f direct_p90=%.2f\n",
	       pct(via, n, .5), pct(via, n, .1), pct(via, n, .9),
	       pct(dir, n, .5), pct(dir, n, .1), pct(dir, n, .9));
	return 0;
}
