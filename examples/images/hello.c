// SPDX-License-Identifier: MIT
/*
 * hello: the static program of examples/images/Dockerfile.scratch, an image
 * that holds nothing but nook-init and this file.  It says who it is and
 * who its parent is (pid 1 under nook-init), then waits
 * for SIGTERM or SIGINT - which reaches it only because nook-init, PID 1,
 * forwards it - and exits 0.  With --once it exits at once.
 *
 *   musl-gcc -static -Os -o build/hello examples/images/hello.c
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	sigset_t set;
	int sig;

	printf("hello: pid %d, child of pid %d\n", (int)getpid(),
	    (int)getppid());
	if (argc > 1 && !strcmp(argv[1], "--once"))
		return 0;
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (sigwait(&set, &sig)) {
		perror("hello: sigwait");
		return 1;
	}
	printf("hello: signal %d, bye\n", sig);
	return 0;
}
