// SPDX-License-Identifier: MIT
/*
 * storm - signal and orphan storms for tests/init-storm.t.
 *
 *   storm child FILE [CODE]
 *	The init's child.  Takes every signal it can with sigtimedwait() and
 *	counts each kind in FILE (shared memory, read by "storm signals");
 *	exits CODE once "storm signals" or "storm quit" sets FILE's quit flag.
 *   storm signals PID FILE|- COUNT SECONDS SIG[,SIG...]
 *	Sends COUNT signals (0: no limit), the kinds in turn, to PID through a
 *	pidfd (never a recycled pid) as fast as it can, until COUNT, SECONDS
 *	or PID's exit.  Realtime signals are queued, not merged: at most
 *	RT_AHEAD of them are in flight at a time, far below RLIMIT_SIGPENDING,
 *	so a full queue never drops one.  With FILE, it then waits for the
 *	child's counts to settle and sends one more of each kind, alone, that
 *	must arrive too.  Prints "sent=N secs=S stopped=count|time|gone" and
 *	one line per kind: "kind SIG sent N got N last 0|1".
 *   storm idle FILE|- [CODE]
 *	Like child, but with every signal but SIGTERM ignored instead of
 *	counted; with "-", waits for SIGTERM.
 *   storm tgkill PID SIG COUNT
 *	Queues COUNT signals SIG for PID's main thread; prints "queued=N".
 *   storm quit FILE
 *	Sets FILE's quit flag.
 *   storm orphans N [SECONDS]
 *	Makes N double-forked orphans (0: until killed) for PID 1 to reap,
 *	waits up to SECONDS (30) for PID 1 to reap them all and prints
 *	"orphans=N left=K secs=S init_ticks=T init_cpu_ns=C": left counts the
 *	processes of the namespace other than PID 1 and itself; T and C are
 *	PID 1's CPU time over the storm from /proc/1/stat and
 *	/proc/1/schedstat.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NSIG_K 65
#define KSIG_RTMIN 34	/* the kernel's: signals from here on are queued */
#define RT_AHEAD 256

struct shared {
	int quit;
	int ready;
	unsigned long got[NSIG_K];
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct shared *
map_shared(const char *file)
{
	int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	void *p;

	if (fd < 0 || ftruncate(fd, sizeof(struct shared)) < 0) {
		perror(file);
		exit(2);
	}
	p = mmap(0, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	close(fd);
	return p;
}

static unsigned long
got(struct shared *s, int sig)
{
	return __atomic_load_n(&s->got[sig], __ATOMIC_ACQUIRE);
}

static int
run_child(const char *file, int code)
{
	struct shared *s = map_shared(file);
	struct timespec tmo = { 0, 50 * 1000000 };
	sigset_t all;
	int sig;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, 0);
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&s->quit, __ATOMIC_ACQUIRE)) {
		sig = sigtimedwait(&all, 0, &tmo);
		if (sig > 0 && sig < NSIG_K)
			__atomic_add_fetch(&s->got[sig], 1, __ATOMIC_RELEASE);
	}
	return code;
}

/*
 * Like run_child, but every signal is ignored: the forwarded storm wakes
 * nobody, so the init and the sender have the CPUs to themselves.
 */
static int
run_idle(const char *file, int code)
{
	struct shared *s = strcmp(file, "-") ? map_shared(file) : 0;
	int sig;

	for (sig = 1; sig < NSIG_K; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD &&
		    sig != SIGTERM)
			signal(sig, SIG_IGN);
	if (!s)
		for (;;)
			pause();
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&s->quit, __ATOMIC_ACQUIRE))
		usleep(10000);
	return code;
}

static int
send_sig(int pidfd, int sig)
{
	return syscall(SYS_pidfd_send_signal, pidfd, sig, 0, 0);
}

static int
exited(int pidfd)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

/* Wait (up to 20 s) until the queued signals are in and the counts rest. */
static void
settle(struct shared *s, const unsigned long *sent, const int *sigs, int n)
{
	unsigned long before[NSIG_K];
	double end = now_s() + 20;
	int i, moving, rt_missing;

	do {
		memcpy(before, s->got, sizeof(before));
		usleep(300000);
		moving = memcmp(before, s->got, sizeof(before)) != 0;
		rt_missing = 0;
		for (i = 0; i < n; i++)
			if (sigs[i] >= KSIG_RTMIN && got(s, sigs[i]) < sent[sigs[i]])
				rt_missing = 1;
	} while ((moving || rt_missing) && now_s() < end);
}

/* After the storm, one more of each kind, alone: it must arrive. */
static void
last_round(int pidfd, struct shared *s, unsigned long *sent,
    const int *sigs, int n)
{
	double end;
	unsigned long g;
	int i, ok;

	for (i = 0; i < n; i++) {
		g = got(s, sigs[i]);
		ok = send_sig(pidfd, sigs[i]) == 0;
		sent[sigs[i]] += ok;
		end = now_s() + 5;
		while (ok && got(s, sigs[i]) == g && now_s() < end)
			usleep(1000);
		printf("kind %d sent %lu got %lu last %d\n", sigs[i],
		    sent[sigs[i]], got(s, sigs[i]), ok && got(s, sigs[i]) > g);
	}
}

static int
parse_sigs(char *list, int *sigs)
{
	int n = 0;
	char *t;

	for (t = strtok(list, ","); t && n < NSIG_K; t = strtok(0, ","))
		if ((sigs[n] = atoi(t)) > 0 && sigs[n] < NSIG_K)
			n++;
	return n;
}

static int
run_signals(int argc, char **argv)
{
	struct shared *s = 0;
	unsigned long sent[NSIG_K] = { 0 }, total = 0, count, rt_sent = 0;
	unsigned long iter = 0;
	const char *why = "count";
	double t0 = now_s(), secs;
	int sigs[NSIG_K], n, i, pidfd, sig;

	if (argc < 7)
		return fprintf(stderr, "storm signals: too few arguments\n"), 2;
	if ((pidfd = syscall(SYS_pidfd_open, atoi(argv[2]), 0)) < 0)
		return perror("pidfd_open"), 2;
	if (strcmp(argv[3], "-"))
		s = map_shared(argv[3]);
	count = strtoul(argv[4], 0, 10);
	secs = atof(argv[5]);
	if (!(n = parse_sigs(argv[6], sigs)))
		return fprintf(stderr, "storm signals: no signal\n"), 2;
	for (i = 0; !count || total < count; ) {
		sig = sigs[i];
		if ((iter++ & 255) == 0) {
			if (now_s() - t0 > secs) {
				why = "time";
				break;
			}
			if (exited(pidfd)) {
				why = "gone";
				break;
			}
		}
		if (sig >= KSIG_RTMIN && s) {
			unsigned long rt_got = 0;
			int k;

			for (k = 0; k < n; k++)
				if (sigs[k] >= KSIG_RTMIN)
					rt_got += got(s, sigs[k]);
			if (rt_sent >= rt_got + RT_AHEAD) {
				sched_yield();
				continue;	/* until the child has caught up */
			}
		}
		if (send_sig(pidfd, sig) < 0) {
			if (errno == ESRCH) {
				why = "gone";
				break;
			}
			if (errno == EAGAIN)
				continue;	/* a full queue: again */
			return perror("pidfd_send_signal"), 2;
		}
		i = (i + 1) % n;
		sent[sig]++;
		total++;
		rt_sent += sig >= KSIG_RTMIN;
	}
	printf("sent=%lu secs=%.3f stopped=%s\n", total, now_s() - t0, why);
	if (!s)
		return 0;
	settle(s, sent, sigs, n);
	last_round(pidfd, s, sent, sigs, n);
	return 0;
}

/*
 * Queue COUNT signals to the thread of PID, not to the process: the kernel
 * hands over a thread's own pending signals before any process-wide one
 * (SIGCHLD is process-wide), and realtime ones queue instead of merging.
 */
static int
run_tgkill(int argc, char **argv)
{
	long pid, n, i, queued = 0;
	int sig;

	if (argc < 5)
		return fprintf(stderr, "storm tgkill: too few arguments\n"), 2;
	pid = atol(argv[2]);
	sig = atoi(argv[3]);
	n = atol(argv[4]);
	for (i = 0; i < n; i++) {
		if (syscall(SYS_tgkill, pid, pid, sig) == 0)
			queued++;
		else if (errno != EAGAIN)
			return perror("tgkill"), 2;
	}
	printf("queued=%ld\n", queued);
	return 0;
}

/* utime + stime of PID 1 in clock ticks, from /proc/1/stat */
static long
init_ticks(void)
{
	char buf[1024], *p;
	unsigned long ut, st;
	int fd = open("/proc/1/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (!(p = strrchr(buf, ')')) || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d "
	    "%*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* on-CPU ns of PID 1 from /proc/1/schedstat, or -1 */
static long long
init_cpu_ns(void)
{
	long long ns = -1;
	FILE *f = fopen("/proc/1/schedstat", "r");

	if (f) {
		if (fscanf(f, "%lld", &ns) != 1)
			ns = -1;
		fclose(f);
	}
	return ns;
}

/* processes of this PID namespace but PID 1 and ourselves */
static int
others(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long pid;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if ((pid = atol(e->d_name)) > 1 && pid != getpid())
			n++;
	closedir(d);
	return n;
}

/*
 * vfork at both levels: the intermediate waits until the grandchild has
 * exited, so each grandchild is already a zombie when it is re-parented to
 * PID 1 (the init's work is the same as for a live orphan: a SIGCHLD and a
 * waitpid), and the storm costs no page-table copies.
 */
static int
make_orphan(void)
{
	pid_t pid = vfork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(vfork() < 0);	/* the grandchild _exits at once too */
	while (waitpid(pid, 0, 0) < 0 && errno == EINTR)
		;
	return 0;
}

static int
run_orphans(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000, i, retries = 0;
	double wait = argc > 3 ? atof(argv[3]) : 30, t0, t1;
	long ticks0 = init_ticks(), ticks1;
	long long cpu0 = init_cpu_ns(), cpu1;
	int left;

	t0 = now_s();
	for (i = 0; !n || i < n; i++) {
		if (make_orphan() == 0)
			continue;
		if (errno != EAGAIN || ++retries > 100000)
			return perror("vfork"), 1;
		usleep(1000);
		i--;
	}
	t1 = now_s();
	while ((left = others()) > 0 && now_s() - t1 < wait)
		usleep(10000);
	ticks1 = init_ticks();
	cpu1 = init_cpu_ns();
	printf("orphans=%ld left=%d secs=%.3f init_ticks=%ld init_cpu_ns=%lld\n",
	    n, left, now_s() - t0, ticks0 < 0 ? -1 : ticks1 - ticks0,
	    cpu0 < 0 ? -1 : cpu1 - cpu0);
	return left != 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "child"))
		return run_child(argv[2], argc > 3 ? atoi(argv[3]) : 0);
	if (argc > 2 && !strcmp(argv[1], "idle"))
		return run_idle(argv[2], argc > 3 ? atoi(argv[3]) : 0);
	if (argc > 1 && !strcmp(argv[1], "signals"))
		return run_signals(argc, argv);
	if (argc > 2 && !strcmp(argv[1], "quit")) {
		__atomic_store_n(&map_shared(argv[2])->quit, 1,
		    __ATOMIC_RELEASE);
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "tgkill"))
		return run_tgkill(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "orphans"))
		return run_orphans(argc, argv);
	fprintf(stderr, "usage: storm child|signals|quit|orphans ...\n");
	return 2;
}
