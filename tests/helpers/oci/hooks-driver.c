// SPDX-License-Identifier: MIT
/*
 * hooks-driver BUNDLE KIND STATE-FILE [NS-PID]: the hooks of KIND in
 * BUNDLE/config.json, loaded by nook-oci's own loader, run by its runner
 * (spawner/oci-hooks.c) with the bytes of STATE-FILE on their stdin, in
 * the namespaces of NS-PID when it is given.  tests/oci-hooks.t reaches
 * the runner this way, apart from the lifecycle that calls it.
 *
 * It runs them as nook would: every signal blocked, SIGTERM and SIGINT
 * ignored, and descriptors 5 and 6 left open without CLOEXEC - none of
 * which a hook may see.  Exit: 0 all hooks succeeded, 1 one failed, 125
 * usage or config.json errors (said as nook-oci says them).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci-int.h"
#include "oci-hooks.h"

static char *
read_file(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f || !buf) {
		perror(path);
		exit(EXIT_NOOK);
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap && !(buf = realloc(buf, (cap *= 2) + 1))) {
			perror("realloc");
			exit(EXIT_NOOK);
		}
	}
	fclose(f);
	buf[len] = 0;
	return buf;
}

/* What nook's run() leaves behind when it calls the hooks. */
static void
like_nook(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t all;
	int fd = open("/dev/null", O_RDONLY);

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigaction(SIGTERM, &ign, NULL);
	sigaction(SIGINT, &ign, NULL);
	if (fd >= 0 && fd != 5) {
		dup2(fd, 5);
		dup2(fd, 6);
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	struct cfg c;
	char *state;
	size_t i;
	int k, rc;

	if (argc < 4 || argc > 5) {
		fputs("usage: hooks-driver BUNDLE KIND STATE-FILE [NS-PID]\n",
		    stderr);
		return EXIT_NOOK;
	}
	for (k = 0; k < OCI_HOOK__COUNT && strcmp(argv[2], oci_hook_name(k));
	    k++)
		;
	if (k == OCI_HOOK__COUNT) {
		fprintf(stderr, "hooks-driver: %s: no such kind\n", argv[2]);
		return EXIT_NOOK;
	}
	rc = oci_load_bundle(&c, argv[1], "hooktest", NULL);
	cfg_sort_errors(&c);
	for (i = 0; i < c.nerrs; i++)
		fprintf(stderr, "nook-oci: %s\n", c.errs[i]);
	if (rc) {
		cfg_free(&c);
		return EXIT_NOOK;
	}
	state = read_file(argv[3]);
	like_nook();
	rc = oci_hooks_run(c.t.hooks, k, state, argc > 4 ?
	    (pid_t)atoi(argv[4]) : 0);
	free(state);
	cfg_free(&c);
	return rc ? 1 : 0;
}
