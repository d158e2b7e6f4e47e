// SPDX-License-Identifier: MIT
/*
 * runner - times container starts for bench/spawn.sh, so that no Python or
 * shell loop adds its own cost to every start and compresses the ratios.
 *
 *   runner seq [-n RUNS] [-w WARMUP] [-t TIMEOUT] [-e ERRDIR] SPECFILE
 *   runner par [-n ROUNDS] [-j JOBS] [-d SECONDS] [-t TIMEOUT] [-e ERRDIR]
 *       SPECFILE
 *
 * SPECFILE has one variant a line: a name and the command line, separated
 * by tabs.  "{}" in an argument becomes an id unique to that start (runc
 * needs a fresh container id, nook a fresh name when 8 run at once).
 *
 * seq runs every variant once a round, in a new random order each round
 * (so that no variant always follows the same one and inherits the work
 * the kernel defers after it, such as a network namespace's teardown),
 * and times each start alone: posix_spawn() (a vfork in glibc) to waitpid(),
 * on CLOCK_MONOTONIC.  It prints "run ROUND VARIANT NS STATUS CPU_NS" lines,
 * CPU_NS being the user and system time of the start and of everything it
 * waited for (wait4's rusage), which another job's load stretches less than
 * the wall time.
 *
 * par keeps JOBS starts of one variant in flight for SECONDS, starting a
 * new one as soon as one ends, and counts the starts that ended inside the
 * window; then it waits for the rest, which are not counted, and goes on to
 * the next variant, in a random order each round.  It prints "par ROUND VARIANT OK FAILED WINDOW_NS".
 *
 * wake [-n TRIPS] [-g GAP_US] measures the machine rather than a start: a
 * one-byte pipe round trip between two processes, pinned to one CPU, then
 * to two, with GAP_US microseconds of sleep before each trip so that the
 * other CPU goes idle as it does between the steps of a start.  A start
 * hands work between processes several times; on a virtual machine whose
 * idle CPUs halt without polling, each wake-up across CPUs costs tens of
 * microseconds, and the ratios move with it.  It prints "wake same|cross
 * MEDIAN_NS P90_NS" (no cross line on one CPU), then "cost syscall|fault|cow
 * NS": a system call, a page fault, a copy-on-write fault (run_costs).
 *
 * STATUS is the exit code, 128+N for signal N, -1 for a start killed after
 * TIMEOUT seconds.  Only the pid a start got is ever signalled.  Standard
 * input and output are /dev/null, standard error goes to ERRDIR/VARIANT.err.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_VARIANTS 32
#define MAX_ARGS 64
#define MAX_JOBS 64
#define ID_MARK "{}"

extern char **environ;

struct variant {
	char *name;
	char *argv[MAX_ARGS + 1];
	int err_fd;
};

/* one start: its argv with the ids filled in, its pid and start time */
struct start {
	pid_t pid;
	int var;
	int64_t t0;
	char *argv[MAX_ARGS + 1];
};

struct result {
	int round, var, status;
	int64_t ns, cpu_ns;
};

static struct variant vars[MAX_VARIANTS];
static int nvars;
static int order[MAX_VARIANTS];
static int null_fd;
static unsigned long start_count;
static double timeout_s = 60;

static void
die(const char *what)
{
	fprintf(stderr, "runner: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
on_alarm(int sig)
{
	(void)sig;	/* only here to make waitpid() return EINTR */
}

/* A tick every second, without SA_RESTART: how timeouts are noticed. */
static void
start_ticks(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 1, 0 }, { 1, 0 } };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) || setitimer(ITIMER_REAL, &it, NULL))
		die("setitimer");
}

static void
stop_ticks(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void
parse_line(char *line, const char *errdir)
{
	struct variant *v = &vars[nvars];
	char path[PATH_MAX], *p;
	int n = 0;

	line[strcspn(line, "\n")] = 0;
	if (!*line || *line == '#')
		return;
	if (nvars == MAX_VARIANTS)
		die("too many variants");
	v->name = strdup(strsep(&line, "\t"));
	while ((p = strsep(&line, "\t")) && n < MAX_ARGS)
		v->argv[n++] = strdup(p);
	if (n == 0 || p) {
		errno = EINVAL;
		die(v->name);
	}
	v->argv[n] = NULL;
	snprintf(path, sizeof(path), "%s/%s.err", errdir, v->name);
	for (p = path + strlen(errdir) + 1; *p; p++)
		if (*p == ' ' || *p == '/')
			*p = '-';
	v->err_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (v->err_fd < 0)
		die(path);
	nvars++;
}

static void
load_spec(const char *file, const char *errdir)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(file, "re");

	if (!f)
		die(file);
	while (getline(&line, &cap, f) > 0)
		parse_line(line, errdir);
	free(line);
	fclose(f);
	if (nvars == 0) {
		errno = EINVAL;
		die("no variants");
	}
}

/* The argv of one start: each "{}" replaced by PID-COUNT of this runner. */
static void
fill_argv(struct start *s, int var)
{
	char id[48], *mark, **a;
	int i;

	for (a = s->argv; *a; a++)
		free(*a);
	snprintf(id, sizeof(id), "%d-%lu", (int)getpid(), start_count++);
	for (i = 0; vars[var].argv[i]; i++) {
		const char *arg = vars[var].argv[i];

		mark = strstr(arg, ID_MARK);
		if (!mark)
			s->argv[i] = strdup(arg);
		else if (asprintf(&s->argv[i], "%.*s%s%s", (int)(mark - arg),
		    arg, id, mark + strlen(ID_MARK)) < 0)
			s->argv[i] = NULL;
		if (!s->argv[i])
			die("out of memory");
	}
	s->argv[i] = NULL;
	s->var = var;
}

static void
launch(struct start *s)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, null_fd, 0);
	posix_spawn_file_actions_adddup2(&fa, null_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, vars[s->var].err_fd, 2);
	s->t0 = now_ns();
	rc = posix_spawn(&s->pid, s->argv[0], &fa, NULL, s->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		errno = rc;
		die(s->argv[0]);
	}
}

static int
status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* Kill (by pid) every start in flight for longer than the timeout. */
static void
kill_late(struct start *s, int n, int *late)
{
	int64_t t = now_ns(), limit = (int64_t)(timeout_s * 1e9);
	int i;

	for (i = 0; i < n; i++) {
		if (s[i].pid <= 0 || late[i] || t - s[i].t0 <= limit)
			continue;
		fprintf(stderr, "runner: %s: pid %d timed out, killed\n",
		    vars[s[i].var].name, (int)s[i].pid);
		kill(s[i].pid, SIGKILL);
		late[i] = 1;
	}
}

static int64_t
cpu_ns(const struct rusage *ru)
{
	return ((int64_t)ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
	    1000000000 + ((int64_t)ru->ru_utime.tv_usec +
	    ru->ru_stime.tv_usec) * 1000;
}

/*
 * Wait for any start of s[0..n); its index, the status in *st, the end in
 * *t1, the CPU time of the start and all it waited for in *cpu.
 */
static int
reap(struct start *s, int n, int *late, int *st, int64_t *t1, int64_t *cpu)
{
	struct rusage ru;
	pid_t pid;
	int i, w;

	for (;;) {
		pid = wait4(-1, &w, 0, &ru);
		*t1 = now_ns();
		if (pid < 0 && errno == EINTR) {
			kill_late(s, n, late);
			continue;
		}
		if (pid < 0)
			die("waitpid");
		for (i = 0; i < n; i++)
			if (s[i].pid == pid)
				break;
		if (i == n)
			continue;
		*st = late[i] ? -1 : status_of(w);
		*cpu = cpu_ns(&ru);
		late[i] = 0;
		s[i].pid = 0;
		return i;
	}
}

/* A new random order of the variants: Fisher-Yates, a fixed seed. */
static void
shuffle(void)
{
	static unsigned seed = 12;
	int i, j, t;

	for (i = 0; i < nvars; i++)
		order[i] = i;
	for (i = nvars - 1; i > 0; i--) {
		j = (int)(rand_r(&seed) % (unsigned)(i + 1));
		t = order[i], order[i] = order[j], order[j] = t;
	}
}

static void
run_seq(int runs, int warmup)
{
	struct start s = { 0 };
	struct result *res = calloc((size_t)runs * nvars, sizeof(*res));
	int r, k, n = 0, late = 0, st;
	int64_t t1, cpu;

	if (!res)
		die("out of memory");
	start_ticks();
	for (r = 0; r < warmup + runs; r++)
		for (shuffle(), k = 0; k < nvars; k++) {
			fill_argv(&s, order[k]);
			launch(&s);
			reap(&s, 1, &late, &st, &t1, &cpu);
			if (r >= warmup)
				res[n++] = (struct result){ r - warmup, s.var,
				    st, t1 - s.t0, cpu };
		}
	stop_ticks();
	for (k = 0; k < nvars; k++)
		printf("variant %d %s\n", k, vars[k].name);
	for (r = 0; r < n; r++)
		printf("run %d %d %lld %d %lld\n", res[r].round, res[r].var,
		    (long long)res[r].ns, res[r].status,
		    (long long)res[r].cpu_ns);
	free(res);
}

/* One window of one variant, jobs at a time; ok and failed starts. */
static void
window(int var, int jobs, double secs, int *ok, int *failed)
{
	static struct start s[MAX_JOBS];
	int late[MAX_JOBS] = { 0 }, i, st, inflight = 0;
	int64_t t1, cpu, end = now_ns() + (int64_t)(secs * 1e9);

	*ok = *failed = 0;
	for (i = 0; i < jobs; i++, inflight++) {
		fill_argv(&s[i], var);
		launch(&s[i]);
	}
	while (inflight > 0) {
		i = reap(s, jobs, late, &st, &t1, &cpu);
		inflight--;
		if (st != 0)
			(*failed)++;
		else if (t1 <= end)
			(*ok)++;
		if (t1 < end) {
			fill_argv(&s[i], var);
			launch(&s[i]);
			inflight++;
		}
	}
}

static void
run_par(int rounds, int jobs, double secs)
{
	int r, k, v, ok, failed;

	if (jobs < 1 || jobs > MAX_JOBS) {
		errno = EINVAL;
		die("-j");
	}
	for (k = 0; k < nvars; k++)
		printf("variant %d %s\n", k, vars[k].name);
	start_ticks();
	for (r = 0; r < rounds; r++)
		for (shuffle(), k = 0; k < nvars; k++) {
			v = order[k];
			window(v, jobs, secs, &ok, &failed);
			printf("par %d %d %d %d %lld\n", r, v, ok, failed,
			    (long long)(secs * 1e9));
			fflush(stdout);
		}
	stop_ticks();
}

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static int
cmp_ll(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* One line: round trips between a process on CPU a and one on CPU b. */
static void
wake_pair(const char *what, int a, int b, int trips, int gap_us)
{
	int64_t *v = calloc((size_t)trips, sizeof(*v)), t0;
	int to[2], back[2], i, st;
	char c = 0;
	pid_t pid;

	if (!v || pipe2(to, O_CLOEXEC) || pipe2(back, O_CLOEXEC))
		die("wake: pipe");
	if ((pid = fork()) < 0)
		die("wake: fork");
	if (pid == 0) {
		if (pin(b))
			_exit(1);
		for (i = 0; i < trips; i++)
			if (read(to[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	if (pin(a))
		die("wake: sched_setaffinity");
	for (i = 0; i < trips; i++) {
		if (gap_us)
			usleep((useconds_t)gap_us);
		t0 = now_ns();
		if (write(to[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			die("wake: pipe");
		v[i] = now_ns() - t0;
	}
	if (waitpid(pid, &st, 0) != pid || st)
		die("wake: the other process");
	close(to[0]), close(to[1]), close(back[0]), close(back[1]);
	qsort(v, (size_t)trips, sizeof(*v), cmp_ll);
	printf("wake %s %lld %lld\n", what, (long long)v[trips / 2],
	    (long long)v[trips * 9 / 10]);
	free(v);
}

/*
 * What the machine charges for the kernel's smallest steps, which a start
 * takes hundreds of times: a system call (getppid), a page fault on a
 * fresh anonymous page, and a copy-on-write fault after a fork.  Each the
 * median of 9 batches.  On a virtual machine without hardware paging
 * support, each can cost ten times what it does on the host.
 */
#define COST_PAGES 256
#define COST_BATCHES 9

static void
cost_line(const char *what, int64_t *v, int per)
{
	qsort(v, COST_BATCHES, sizeof(*v), cmp_ll);
	printf("cost %s %lld\n", what, (long long)(v[COST_BATCHES / 2] / per));
}

static void
run_costs(void)
{
	int64_t sc[COST_BATCHES], pf[COST_BATCHES], cow[COST_BATCHES], t0;
	size_t len = (size_t)COST_PAGES * 4096;
	int b, i, st, fd[2];
	volatile char *p;
	pid_t pid;

	for (b = 0; b < COST_BATCHES; b++) {
		t0 = now_ns();
		for (i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		sc[b] = now_ns() - t0;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("cost: mmap");
		t0 = now_ns();
		for (i = 0; i < COST_PAGES; i++)
			p[(size_t)i * 4096] = 1;
		pf[b] = now_ns() - t0;
		/* the child writes every page the parent has: a copy each */
		if (pipe2(fd, O_CLOEXEC) || (pid = fork()) < 0)
			die("cost: fork");
		if (pid == 0) {
			t0 = now_ns();
			for (i = 0; i < COST_PAGES; i++)
				p[(size_t)i * 4096] = 2;
			t0 = now_ns() - t0;
			_exit(write(fd[1], &t0, sizeof(t0)) != sizeof(t0));
		}
		close(fd[1]);
		if (read(fd[0], &cow[b], sizeof(cow[b])) != sizeof(cow[b]) ||
		    waitpid(pid, &st, 0) != pid || st)
			die("cost: the child");
		close(fd[0]);
		munmap((void *)p, len);
	}
	cost_line("syscall", sc, 1000);
	cost_line("fault", pf, COST_PAGES);
	cost_line("cow", cow, COST_PAGES);
}

static void
run_wake(int trips, int gap_us)
{
	cpu_set_t set;
	int cpu[2], n = 0, i;

	if (sched_getaffinity(0, sizeof(set), &set))
		die("wake: sched_getaffinity");
	for (i = 0; i < CPU_SETSIZE && n < 2; i++)
		if (CPU_ISSET(i, &set))
			cpu[n++] = i;
	wake_pair("same", cpu[0], cpu[0], trips, gap_us);
	if (n == 2)
		wake_pair("cross", cpu[0], cpu[1], trips, gap_us);
	sched_setaffinity(0, sizeof(set), &set);
	run_costs();
}

static void
usage(void)
{
	fprintf(stderr, "usage: runner seq [-n RUNS] [-w WARMUP] [-t TIMEOUT] "
	    "[-e ERRDIR] SPECFILE\n"
	    "       runner par [-n ROUNDS] [-j JOBS] [-d SECONDS] "
	    "[-t TIMEOUT] [-e ERRDIR] SPECFILE\n"
	    "       runner wake [-n TRIPS] [-g GAP_US]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *errdir = ".";
	int c, n = 200, warmup = 5, jobs = 8, par, wake, gap = 200;
	double secs = 2;

	if (argc < 2 || (strcmp(argv[1], "seq") && strcmp(argv[1], "par") &&
	    strcmp(argv[1], "wake")))
		usage();
	par = !strcmp(argv[1], "par");
	wake = !strcmp(argv[1], "wake");
	argv++, argc--;
	while ((c = getopt(argc, argv, "n:w:j:d:t:e:g:")) != -1) {
		switch (c) {
		case 'g': gap = atoi(optarg); break;
		case 'n': n = atoi(optarg); break;
		case 'w': warmup = atoi(optarg); break;
		case 'j': jobs = atoi(optarg); break;
		case 'd': secs = atof(optarg); break;
		case 't': timeout_s = atof(optarg); break;
		case 'e': errdir = optarg; break;
		default: usage();
		}
	}
	if (wake) {
		if (optind != argc || n < 2 || gap < 0)
			usage();
		run_wake(n, gap);
		return 0;
	}
	if (optind != argc - 1 || n < 1 || warmup < 0 || secs <= 0)
		usage();
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0)
		die("/dev/null");
	load_spec(argv[optind], errdir);
	if (par)
		run_par(n, jobs, secs);
	else
		run_seq(n, warmup);
	return 0;
}
