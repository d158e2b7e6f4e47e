/* orphans.c - run as the child of the init under test (PID 2 of a fresh
 * PID namespace).  Creates N double-forked orphans: for each one it forks
 * an intermediate process that forks a grandchild and _exits at once, so the
 * grandchild is re-parented to PID 1 (the init) which must reap it.  The
 * intermediates are reaped here.
 *
 * Mode "vfork" (default) uses vfork() for both levels: the intermediate is
 * suspended until the grandchild has exited, so every grandchild reaches the
 * init as an already-dead zombie (the kernel re-parents it and sends PID 1 a
 * SIGCHLD, exactly as for a live orphan that dies later).  Mode "fork" uses
 * fork(), so grandchildren usually die after being re-parented; on VMs where
 * fork() copies page tables slowly it costs ms per orphan, and the timing
 * then says more about the VM than about the init.
 *
 * Then it waits until PID 1 has reaped every orphan (only PID 1 and
 * ourselves left in /proc) and prints, on one line:
 *
 *   orphans=N loop_ms=.. drain_ms=.. init_cpu_ns=.. init_ticks=..
 *   init_wakeups=.. left=K fork_retries=..
 *
 * init_wakeups is the growth of PID 1's voluntary_ctxt_switches: how often
 * it went to sleep, i.e. how many orphans it reaps per wake-up on average.
 * init_cpu_ns is PID 1's on-CPU time from /proc/1/schedstat (falls back to
 * utime+stime ticks of /proc/1/stat), counted from just before the loop, so
 * the init's own start-up is excluded.  left>0 means orphans were not reaped
 * within the timeout.
 *
 * usage: orphans N [timeout_s] [vfork|fork]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* on-CPU ns of PID 1, or -1 */
static long long init_cpu_ns(void)
{
	FILE *f = fopen("/proc/1/schedstat", "r");
	long long ns = -1;
	if (f) {
		if (fscanf(f, "%lld", &ns) != 1)
			ns = -1;
		fclose(f);
	}
	return ns;
}

/* utime+stime ticks of PID 1, or -1 */
static long long init_ticks(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/1/stat", "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* after ") ": field 3 is state; utime is field 14, stime 15 */
	unsigned long long ut = 0, st = 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &ut, &st) != 2)
		return -1;
	return (long long)(ut + st);
}

/* voluntary context switches of PID 1 (its sleeps: ~ wake-ups), or -1 */
static long long init_wakeups(void)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen("/proc/1/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* processes in this PID namespace other than PID 1 and ourselves */
static int others(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	pid_t self = getpid();
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		if (pid != 1 && pid != self)
			n++;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: orphans N [timeout_s]\n");
		return 2;
	}
	long n = atol(argv[1]);
	double timeout_ms = (argc > 2 ? atof(argv[2]) : 30) * 1e3;
	int use_fork = argc > 3 && strcmp(argv[3], "fork") == 0;
	long retries = 0;

	long long cpu0 = init_cpu_ns(), tick0 = init_ticks(), wake0 = init_wakeups();
	double t0 = now_ms();
	for (long i = 0; i < n; i++) {
		pid_t pid = use_fork ? fork() : vfork();
		if (pid < 0) {
			if (errno == EAGAIN && retries < 100000) {
				retries++;
				usleep(1000);
				i--;
				continue;
			}
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			/* intermediate: the grandchild and we both exit at once */
			pid_t g = use_fork ? fork() : vfork();
			_exit(g < 0 ? 1 : 0);
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	double t1 = now_ms();
	int left;
	while ((left = others()) > 0 && now_ms() - t1 < timeout_ms)
		usleep(500);
	double t2 = now_ms();
	long long cpu1 = init_cpu_ns(), tick1 = init_ticks(), wake1 = init_wakeups();

	printf("orphans=%ld loop_ms=%.3f drain_ms=%.3f init_cpu_ns=%lld init_ticks=%lld init_wakeups=%lld left=%d fork_retries=%ld\n",
	       n, t1 - t0, t2 - t1,
	       (cpu0 >= 0 && cpu1 >= 0) ? cpu1 - cpu0 : -1,
	       (tick0 >= 0 && tick1 >= 0) ? tick1 - tick0 : -1,
	       (wake0 >= 0 && wake1 >= 0) ? wake1 - wake0 : -1, left, retries);
	fflush(stdout);
	return left ? 3 : 0;
}
