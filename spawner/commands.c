// SPDX-License-Identifier: MIT
/*
 * The commands about running containers: nook ps lists them, nook stop
 * ends one as docker stop does (nook exec is exec.c).  The records they
 * read are state.c's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"

#define STOP_MARGIN_MS 5000	/* beyond stop_timeout: nook's own end */

/* How long since START (clock ticks after boot): "42s", "3m07s"... */
static void
uptime(unsigned long long start, char *buf, size_t len)
{
	struct timespec ts;
	long long s;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	s = ts.tv_sec - (long long)(start / (unsigned long long)
	    sysconf(_SC_CLK_TCK));
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

/* nook ps lists the records by name (qsort of the names). */
static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One line of nook ps for the record NAME, unless it is stale. */
static void
ps_line(int base, const char *name)
{
	struct state_rec rec;
	char up[32] = "setup", pid[16] = "-";
	int fd, rc = state_lock(base, name, 0, &fd);

	if (rc == 0)
		state_remove(base, name, fd, 0);
	if (rc != 1)
		return;
	memset(&rec, 0, sizeof(rec));
	rec.dirfd = base;
	snprintf(rec.rname, sizeof(rec.rname), "%s", name);
	if (state_read(&rec) || strcmp(rec.name, name))
		return;		/* being written or removed right now */
	if (rec.pid > 0) {
		snprintf(pid, sizeof(pid), "%d", (int)rec.pid);
		uptime(rec.start, up, sizeof(up));
	}
	printf("%-20s %8s %8s  %s\n", name, pid, up, rec.conf);
}

/* nook ps: the running containers, the stale records cleaned away. */
static int
ps_command(void)
{
	char **list = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *d;
	int base = state_base(0), fd;
	DIR *dir;

	if (base == -1)
		return EXIT_NOOK;
	printf("%-20s %8s %8s  %s\n", "NAME", "PID", "UPTIME", "CONFIG");
	if (base < 0)
		return fflush(stdout) ? EXIT_NOOK : 0;
	fd = openat(base, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		perror("nook: ps: read the state directory");
		if (fd >= 0)
			close(fd);
		close(base);
		return EXIT_NOOK;
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || strchr(d->d_name, '@'))
			continue;	/* a part of a record, or a temporary one */
		if (n == cap && !(list = realloc(list, (cap = cap * 2 + 16) *
		    sizeof(*list))))
			nook_oom();
		if (!(list[n++] = strdup(d->d_name)))
			nook_oom();
	}
	closedir(dir);
	if (n)		/* none: list is NULL, which qsort may not be given */
		qsort(list, n, sizeof(*list), by_name);
	for (i = 0; i < n; i++) {
		ps_line(base, list[i]);
		free(list[i]);
	}
	free(list);
	close(base);
	return fflush(stdout) ? EXIT_NOOK : 0;
}

/* Wait for a pidfd's process to end: 1 gone, 0 still there after MS. */
static int
wait_gone(int pidfd, long long ms)
{
	struct pollfd pf = { .fd = pidfd, .events = POLLIN };
	struct timespec t0, t;
	long long left = ms;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = poll(&pf, 1, left > INT_MAX ? INT_MAX : (int)left)) < 0 &&
	    errno == EINTR) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left < 0)
			left = 0;
	}
	return rc > 0;
}

/*
 * nook stop NAME: SIGTERM to the container's nook, which (as for a TERM
 * from anywhere) passes it to PID 1 and kills the container after
 * stop_timeout; we wait for that nook to end, a margin more at most.
 */
static int
stop_command(const char *name)
{
	struct state_rec rec;
	int nfd, cfd;

	if (state_find(name, &rec))
		return EXIT_NOOK;
	close(rec.dirfd);
	if ((nfd = state_pidfd(rec.nook_pid, rec.nook_start)) < 0) {
		fprintf(stderr, "nook: %s: its nook (pid %d) is gone\n", name,
		    (int)rec.nook_pid);
		return EXIT_NOOK;
	}
	cfd = rec.pid > 0 ? state_pidfd(rec.pid, rec.start) : -1;
	if (syscall(SYS_pidfd_send_signal, nfd, SIGTERM, NULL, 0) && errno !=
	    ESRCH) {
		fprintf(stderr, "nook: %s: signal its nook (pid %d): %s\n",
		    name, (int)rec.nook_pid, strerror(errno));
		return EXIT_NOOK;
	}
	if (wait_gone(nfd, rec.stop_timeout + STOP_MARGIN_MS))
		return 0;
	fprintf(stderr, "nook: %s: still running %lld ms after SIGTERM; "
	    "killing it\n", name, rec.stop_timeout + STOP_MARGIN_MS);
	/* nook cleans up when its PID 1 dies: kill that, not nook */
	if (cfd >= 0)
		syscall(SYS_pidfd_send_signal, cfd, SIGKILL, NULL, 0);
	if (wait_gone(nfd, STOP_MARGIN_MS))
		return 0;
	fprintf(stderr, "nook: %s: does not stop\n", name);
	return EXIT_NOOK;
}

int
state_is_command(const char *word)
{
	return !strcmp(word, "ps") || !strcmp(word, "exec") ||
	    !strcmp(word, "stop");
}

/* nook ps | exec NAME [--] COMMAND [ARG...] | stop NAME */
int
state_command(int argc, char **argv)
{
	if (!strcmp(argv[0], "exec"))
		return exec_command(argc, argv);
	if (!strcmp(argv[0], "ps") && argc == 1)
		return ps_command();
	if (!strcmp(argv[0], "stop") && argc == 2)
		return stop_command(argv[1]);
	fprintf(stderr, "nook: %s: usage: nook %s\ntry 'nook --help'\n",
	    argv[0], strcmp(argv[0], "ps") ? "stop NAME" : "ps");
	return EXIT_NOOK;
}
