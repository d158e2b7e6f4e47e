// SPDX-License-Identifier: MIT
/*
 * probe - answers questions from inside a nook container, for the
 * end-to-end tests (tests/nook-*.t).  Static, libc only.
 *
 *   probe CMD [ARGS] [+ CMD [ARGS]]...
 *
 * Several commands may be chained with "+"; each prints its answer on
 * stdout.  A command that fails prints "error ..." and makes the exit
 * status 1 (unless a later "exit N" says otherwise).
 *
 *   ns                 "NAME INODE" for user pid mnt net uts ipc cgroup time
 *   hostname           "hostname H" and "domainname D"
 *   ids                "uid R E S", "gid R E S", "groups G..."
 *   caps               the Cap* lines of /proc/self/status
 *   status KEY         the line KEY: of /proc/self/status (e.g. NoNewPrivs)
 *   fds                the open descriptors, one a line ("N -> TARGET")
 *   mounts             /proc/self/mountinfo
 *   env                the environment, one a line
 *   cwd                the working directory
 *   umask              the umask in octal
 *   pid                "pid P ppid Q sid S pgid G"
 *   pids               the numeric entries of /proc, one a line
 *   exe1               readlink /proc/1/exe
 *   readlink PATH      readlink PATH
 *   write FILE [TEXT]  create/truncate FILE, write TEXT; "ok" or "error E"
 *   mkdir DIR          "ok" or "error E"
 *   cat FILE           the file's contents
 *   cmdline PID        /proc/PID/cmdline, the arguments separated by blanks
 *   ls DIR             the names in DIR (sorted, no . and ..)
 *   exists PATH        "yes" or "no" (lstat)
 *   stat PATH          "TYPE MODE UID GID MAJ:MIN" (follows symlinks)
 *   lstat PATH         the same without following
 *   statvfs PATH       "ro" or "rw", then "nosuid" "nodev" "noexec" flags
 *   uptime             whole seconds of /proc/uptime, CLOCK_BOOTTIME and
 *                      CLOCK_MONOTONIC: "uptime U boottime B monotonic M"
 *   pty                open /dev/ptmx: "pty NAME" and the stat of NAME
 *   mq NAME            create the POSIX message queue /NAME: "ok" or error
 *   sleep SEC          sleep
 *   exit N             exit with N now
 *   kill SIG           kill itself with SIG (default action restored)
 *   sigwait [SEC]      print "ready", then the name of each signal that
 *                      arrives; exit 0 after TERM or INT, 3 after SEC
 *                      seconds (default 30)
 *   echo WORDS...      print the words (until "+")
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const struct {
	int n;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EACCES, "EACCES" },
	{ EROFS, "EROFS" }, { EEXIST, "EEXIST" }, { ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
	{ EBUSY, "EBUSY" }, { ELOOP, "ELOOP" }, { EXDEV, "EXDEV" },
	{ ENXIO, "ENXIO" }, { ENODEV, "ENODEV" }, { EBADF, "EBADF" },
};

static const struct {
	int n;
	const char *name;
} signames[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" }, { SIGSTOP, "STOP" },
	{ SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGWINCH, "WINCH" },
	{ SIGIO, "IO" }, { SIGPWR, "PWR" }, { SIGSYS, "SYS" },
};

static int status;

static const char *
errname(int e)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].n == e)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static const char *
signame(int s)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (signames[i].n == s)
			return signames[i].name;
	snprintf(buf, sizeof(buf), "%d", s);
	return buf;
}

static int
signum(const char *s)
{
	size_t i;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (!strcmp(signames[i].name, s))
			return signames[i].n;
	return atoi(s);
}

static void
error(const char *what, int e)
{
	printf("error %s %s\n", errname(e), what);
	status = 1;
}

static void
cat(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		error(path, errno);
		return;
	}
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			break;
	close(fd);
}

static void
cmd_cmdline(const char *pid)
{
	char path[64], buf[4096];
	ssize_t n, k;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error(path, errno);
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		error(path, errno);
		return;
	}
	for (k = 0; k < n; k++)
		if (!buf[k])
			buf[k] = k == n - 1 ? '\n' : ' ';
	buf[n] = 0;
	fputs(buf, stdout);
}

static void
cmd_ns(void)
{
	static const char *const names[] = { "user", "pid", "mnt", "net", "uts",
		"ipc", "cgroup", "time" };
	char path[64], link[128];
	const char *p;
	ssize_t n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0) {
			printf("%s none\n", names[i]);
			continue;
		}
		link[n] = 0;
		p = strchr(link, '[');
		printf("%s %.*s\n", names[i], p ? (int)strcspn(p + 1, "]") : (int)n,
		    p ? p + 1 : link);
	}
}

static void
cmd_hostname(void)
{
	struct utsname u;

	if (uname(&u)) {
		error("uname", errno);
		return;
	}
	printf("hostname %s\ndomainname %s\n", u.nodename, u.domainname);
}

static void
cmd_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[256];
	int n, i;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid %u %u %u\ngid %u %u %u\ngroups", r, e, s, gr, ge, gs);
	n = getgroups(256, g);
	for (i = 0; i < n; i++)
		printf(" %u", g[i]);
	printf("\n");
}

static void
status_lines(const char *prefix)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		error("/proc/self/status", errno);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)))
			fputs(line, stdout);
	fclose(f);
}

static void
cmd_fds(void)
{
	char path[300], link[300];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	ssize_t n;

	if (!dir) {
		error("/proc/self/fd", errno);
		return;
	}
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || atoi(d->d_name) == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		link[n < 0 ? 0 : n] = 0;
		printf("%s -> %s\n", d->d_name, link);
	}
	closedir(dir);
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_dir(const char *path, int numeric_only)
{
	struct dirent *d;
	DIR *dir = opendir(path);
	char **names = NULL, **nn;
	size_t n = 0, i;

	if (!dir) {
		error(path, errno);
		return;
	}
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (numeric_only && strspn(d->d_name, "0123456789") !=
		    strlen(d->d_name))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn)
			exit(2);
		names = nn;
		names[n++] = strdup(d->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), cmpstr);
	for (i = 0; i < n; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
}

static void
cmd_readlink(const char *path)
{
	char buf[4096];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0) {
		error(path, errno);
		return;
	}
	buf[n] = 0;
	printf("%s\n", buf);
}

static void
cmd_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0) {
		error(path, errno);
		return;
	}
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
		error(path, errno);
		close(fd);
		return;
	}
	close(fd);
	printf("ok\n");
}

static void
print_stat(const char *path, int follow)
{
	struct stat st;
	const char *t;

	if ((follow ? stat(path, &st) : lstat(path, &st))) {
		error(path, errno);
		return;
	}
	t = S_ISREG(st.st_mode) ? "reg" : S_ISDIR(st.st_mode) ? "dir" :
	    S_ISLNK(st.st_mode) ? "lnk" : S_ISCHR(st.st_mode) ? "chr" :
	    S_ISBLK(st.st_mode) ? "blk" : S_ISFIFO(st.st_mode) ? "fifo" :
	    S_ISSOCK(st.st_mode) ? "sock" : "?";
	printf("%s %04o %u %u %u:%u\n", t, (unsigned)(st.st_mode & 07777),
	    (unsigned)st.st_uid, (unsigned)st.st_gid, major(st.st_rdev),
	    minor(st.st_rdev));
}

static void
cmd_statvfs(const char *path)
{
	struct statvfs s;

	if (statvfs(path, &s)) {
		error(path, errno);
		return;
	}
	printf("%s%s%s%s\n", s.f_flag & ST_RDONLY ? "ro" : "rw",
	    s.f_flag & ST_NOSUID ? " nosuid" : "",
	    s.f_flag & ST_NODEV ? " nodev" : "",
	    s.f_flag & ST_NOEXEC ? " noexec" : "");
}

static void
cmd_uptime(void)
{
	struct timespec b, m;
	char buf[64] = "";
	ssize_t n;
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n < 0 ? 0 : n] = 0;
		close(fd);
	}
	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &m);
	printf("uptime %lld boottime %lld monotonic %lld\n", atoll(buf),
	    (long long)b.tv_sec, (long long)m.tv_sec);
}

static void
cmd_sigwait(int secs)
{
	struct timespec ts = { secs, 0 };
	sigset_t all;
	int s, i;

	/* Start clean: nothing inherited ignored or blocked. */
	for (i = 1; i < 65; i++)
		if (i != SIGKILL && i != SIGSTOP)
			signal(i, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		s = sigtimedwait(&all, NULL, &ts);
		if (s < 0 && errno == EINTR)
			continue;
		if (s < 0) {
			printf("timeout\n");
			fflush(stdout);
			exit(3);
		}
		printf("%s\n", signame(s));
		fflush(stdout);
		if (s == SIGTERM || s == SIGINT)
			exit(0);
	}
}

static void
cmd_kill(int sig)
{
	sigset_t set;

	fflush(stdout);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	kill(getpid(), sig);
	raise(sig);
	pause();
	exit(4);
}

static void
cmd_pty(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);
	const char *name;

	if (fd < 0 || grantpt(fd) || unlockpt(fd) || !(name = ptsname(fd))) {
		error("/dev/ptmx", errno);
		return;
	}
	printf("pty %s\n", name);
	print_stat(name, 1);
	close(fd);
}

static void
cmd_mq(const char *name)
{
	char path[256];
	struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	mqd_t q;

	snprintf(path, sizeof(path), "/%s", name);
	q = mq_open(path, O_RDWR | O_CREAT, 0600, &a);
	if (q == (mqd_t)-1) {
		error(path, errno);
		return;
	}
	mq_close(q);
	printf("ok\n");
}

static int
need(int argc, int i, int n, const char *cmd)
{
	if (i + n < argc)
		return 0;
	fprintf(stderr, "probe: %s: missing argument\n", cmd);
	exit(2);
}

int
main(int argc, char **argv)
{
	int i = 1, j;
	const char *c;

	if (argc < 2) {
		fputs("usage: probe CMD [ARGS] [+ CMD [ARGS]]...\n", stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (i < argc) {
		c = argv[i];
		if (!strcmp(c, "+")) {
			i++;
			continue;
		}
		if (!strcmp(c, "ns"))
			cmd_ns();
		else if (!strcmp(c, "hostname"))
			cmd_hostname();
		else if (!strcmp(c, "ids"))
			cmd_ids();
		else if (!strcmp(c, "caps"))
			status_lines("Cap");
		else if (!strcmp(c, "status") && !need(argc, i, 1, c))
			status_lines(argv[++i]);
		else if (!strcmp(c, "fds"))
			cmd_fds();
		else if (!strcmp(c, "mounts"))
			cat("/proc/self/mountinfo");
		else if (!strcmp(c, "env")) {
			extern char **environ;
			for (j = 0; environ[j]; j++)
				printf("%s\n", environ[j]);
		} else if (!strcmp(c, "cwd")) {
			char buf[4096];
			if (getcwd(buf, sizeof(buf)))
				printf("%s\n", buf);
			else
				error("getcwd", errno);
		} else if (!strcmp(c, "umask")) {
			mode_t m = umask(0);
			umask(m);
			printf("%04o\n", (unsigned)m);
		} else if (!strcmp(c, "pid"))
			printf("pid %d ppid %d sid %d pgid %d\n", (int)getpid(),
			    (int)getppid(), (int)getsid(0), (int)getpgrp());
		else if (!strcmp(c, "pids"))
			list_dir("/proc", 1);
		else if (!strcmp(c, "exe1"))
			cmd_readlink("/proc/1/exe");
		else if (!strcmp(c, "readlink") && !need(argc, i, 1, c))
			cmd_readlink(argv[++i]);
		else if (!strcmp(c, "write") && !need(argc, i, 1, c)) {
			const char *f = argv[++i], *t = "probe";
			if (i + 1 < argc && strcmp(argv[i + 1], "+"))
				t = argv[++i];
			cmd_write(f, t);
		} else if (!strcmp(c, "mkdir") && !need(argc, i, 1, c)) {
			if (mkdir(argv[++i], 0755))
				error(argv[i], errno);
			else
				printf("ok\n");
		} else if (!strcmp(c, "cat") && !need(argc, i, 1, c))
			cat(argv[++i]);
		else if (!strcmp(c, "cmdline") && !need(argc, i, 1, c))
			cmd_cmdline(argv[++i]);
		else if (!strcmp(c, "ls") && !need(argc, i, 1, c))
			list_dir(argv[++i], 0);
		else if (!strcmp(c, "exists") && !need(argc, i, 1, c)) {
			struct stat st;
			printf("%s\n", lstat(argv[++i], &st) ? "no" : "yes");
		} else if (!strcmp(c, "stat") && !need(argc, i, 1, c))
			print_stat(argv[++i], 1);
		else if (!strcmp(c, "lstat") && !need(argc, i, 1, c))
			print_stat(argv[++i], 0);
		else if (!strcmp(c, "statvfs") && !need(argc, i, 1, c))
			cmd_statvfs(argv[++i]);
		else if (!strcmp(c, "uptime"))
			cmd_uptime();
		else if (!strcmp(c, "pty"))
			cmd_pty();
		else if (!strcmp(c, "mq") && !need(argc, i, 1, c))
			cmd_mq(argv[++i]);
		else if (!strcmp(c, "sleep") && !need(argc, i, 1, c)) {
			struct timespec ts = { atoi(argv[++i]), 0 };
			while (nanosleep(&ts, &ts) && errno == EINTR)
				;
		} else if (!strcmp(c, "exit") && !need(argc, i, 1, c)) {
			fflush(stdout);
			exit(atoi(argv[++i]));
		} else if (!strcmp(c, "kill") && !need(argc, i, 1, c))
			cmd_kill(signum(argv[++i]));
		else if (!strcmp(c, "sigwait")) {
			int secs = 30;
			if (i + 1 < argc && strcmp(argv[i + 1], "+"))
				secs = atoi(argv[++i]);
			cmd_sigwait(secs);
		} else if (!strcmp(c, "echo")) {
			for (j = 0; i + 1 < argc && strcmp(argv[i + 1], "+"); j++)
				printf("%s%s", j ? " " : "", argv[++i]);
			printf("\n");
		} else {
			fprintf(stderr, "probe: %s: unknown command\n", c);
			return 2;
		}
		i++;
	}
	fflush(stdout);
	return status;
}
