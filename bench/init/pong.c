/* pong.c - the child of the init under test in the signal round-trip bench.
 * Blocks SIGUSR1, opens FIFO for writing, writes one 'r' (ready), then for
 * every SIGUSR1 it receives (forwarded by the init, or sent to it directly)
 * writes one byte to the FIFO.  Exits when the reader goes away (EPIPE /
 * SIGPIPE) or on SIGTERM (default action).
 *
 * usage: pong FIFO
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	sigset_t set;
	if (argc != 2) {
		fprintf(stderr, "usage: pong FIFO\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		perror("pong: open");
		return 1;
	}
	if (write(fd, "r", 1) != 1)
		return 1;
	for (;;) {
		if (sigwaitinfo(&set, NULL) < 0)
			continue;
		if (write(fd, "x", 1) != 1)
			return 0;
	}
}
