// SPDX-License-Identifier: MIT
/*
 * probe - answers questions from inside a container, and plays the
 * attacker there, for the shell tests.  Static (musl), libc only, raw
 * system calls where libc could get in the way.
 *
 *   probe CMD [ARGS] [+ CMD [ARGS]]...
 *   sec CMD [ARGS] [+ CMD [ARGS]]...
 *
 * The same program by any name without "probe" in it (/sec, a setuid
 * copy /suid) is the attacker: see the end of this list.
 *
 * Commands are chained with "+".  Two kinds of answer:
 *
 * Questions print their answer as is.  One that fails prints
 * "error ERRNO WHAT" and makes the exit status 1 (unless a later "exit N"
 * says otherwise).
 *
 *   ns                 "NAME INODE" for user pid mnt net uts ipc cgroup time
 *   hostname           "hostname H" and "domainname D"
 *   ids                "uid R E S", "gid R E S", "groups G..."
 *   caps               the Cap* lines of /proc/self/status
 *   status KEY         the lines of /proc/self/status starting KEY
 *   fds                the open descriptors, one a line ("N -> TARGET")
 *   mounts             /proc/self/mountinfo
 *   env                the environment, one a line
 *   cwd                the working directory
 *   umask              the umask in octal
 *   pid                "pid P ppid Q sid S pgid G"
 *   pids               the numeric entries of /proc, one a line
 *   exe1               readlink /proc/1/exe
 *   readlink PATH      readlink PATH
 *   write FILE [TEXT]  create/truncate FILE, write TEXT and a newline
 *                      (TEXT default "probe"): "ok" or the error
 *   mkdir DIR          "ok" or the error
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
 *   exit N [...]       exit with N now (what follows is not read)
 *   kill SIG           kill itself with SIG (default action restored)
 *   sigwait [SEC]      print "ready", then the name of each signal that
 *                      arrives; exit 0 after TERM or INT, 3 after SEC
 *                      seconds (default 30)
 *   echo WORDS...      print the words
 *
 * Attacks print one line "CMD RESULT", RESULT being "ok [DETAIL]" or the
 * errno's name (EPERM, ENOENT, ...), which makes the exit status 1:
 *
 *   openw PATH          open(PATH, O_WRONLY)
 *   openrw PATH         open(PATH, O_RDWR)
 *   opentrunc PATH      open(PATH, O_WRONLY | O_TRUNC)
 *   trunc PATH          truncate(PATH, 0)
 *   ftrunc PATH         open O_RDONLY, then ftruncate(fd, 0)
 *   reopenw PATH        open O_PATH, then /proc/self/fd/N with O_WRONLY
 *   mmapw PATH          open O_RDONLY, mmap(PROT_WRITE, MAP_SHARED)
 *   seals PATH          fcntl(F_GET_SEALS) of PATH opened read-only
 *   keyctl              keyctl(KEYCTL_GET_KEYRING_ID, PROCESS, create)
 *   add_key             add_key("user", "sec", "x", SESSION)
 *   request_key         request_key("user", "sec-none", NULL, 0)
 *   bpf                 bpf(BPF_PROG_LOAD) with a null attr
 *   unshare HEXFLAGS    unshare(flags); 0x10000000 is CLONE_NEWUSER
 *   clone_userns        raw clone(CLONE_NEWUSER | SIGCHLD)
 *   clone3              raw clone3() of a plain child
 *   sti FD [CH [HIGH]]  ioctl(FD, TIOCSTI, CH); HIGH sets bit 32 of the
 *                       request (the kernel truncates it to 32 bits)
 *   cttysti FD [CH [HIGH]]  in a forked child: setsid(), TIOCSCTTY on FD
 *                       (make it the controlling terminal if no session
 *                       has it), then the same as sti; "cttysti ERRNO" if
 *                       TIOCSCTTY failed
 *   tioclinux FD        ioctl(FD, TIOCLINUX, {TIOCL_GETSHIFTSTATE})
 *   mount DIR           mount("tmpfs", DIR, "tmpfs", 0, NULL)
 *   umount PATH         umount2(PATH, MNT_DETACH)
 *   open_tree PATH      open_tree(AT_FDCWD, PATH, 0): no capability needed
 *   name_to_handle PATH name_to_handle_at(PATH): no capability needed
 *   mknod PATH MAJ MIN  mknod(PATH, S_IFBLK | 0600, MAJ:MIN)
 *   open_by_handle      open_by_handle_at() of inode 2 (the "shocker"
 *                       escape of 2014)
 *   bind PORT           bind a TCP socket to 127.0.0.1:PORT
 *   getcwd              getcwd
 *   getpid              getpid
 *   x32                 getpid through the x32 ABI (nr | 0x40000000)
 *   i386                getpid through int $0x80
 *   chdir PATH          chdir, then "ok CWD" (getcwd) or the errno
 *   fchdir FD           fchdir(FD), then the same
 *   size PATH           "ok BYTES" read from PATH
 *   count DIR           "ok N" entries of DIR (without . and ..)
 *   forkloop N          fork up to N sleeping children: "ok K" when all
 *                       N were made, else the errno after K ("EAGAIN K")
 *   readstr PATH N      "ok TEXT": the first N bytes (at most 200) of
 *                       PATH, other than printable ASCII shown as "."
 *   watchroot PATH SECS print "watchroot ready", then for SECS seconds
 *                       try /proc/P/root/PATH for the newest pids P of
 *                       this pid namespace (ns_last_pid and the two
 *                       before it): "ok P TEXT" with the first bytes of
 *                       the file when one opens (the root of a process
 *                       outside the container's root, CVE-2016-9962),
 *                       else, after SECS or at a SIGTERM,
 *                       "none pids=N eacces=M" (status 1)
 *   personality HEX     raw personality(HEX) (0xffffffff only queries);
 *                       on success the old personality is put back
 *   kcmp                kcmp(self, self, KCMP_FILE, 0, 0)
 *   mbind               mbind(MPOL_DEFAULT) of a fresh page
 *   set_mempolicy       set_mempolicy(MPOL_DEFAULT, NULL, 0)
 *   move_pages          move_pages(self) of one page, status only
 *   memfd_secret        memfd_secret(0)
 *
 * Called by a name without "probe" in it (sec), four questions answer as
 * attacks instead:
 *
 *   ids                 "ids ok R E S" of the uid
 *   status KEY          "status KEY:<tab>VALUE" (or "status KEY: missing")
 *   fds                 "fds ok 0 1 2 ..." (without the directory's own)
 *   write PATH TEXT     TEXT without a newline: "write ok" or the errno
 *
 * A command that is not known, or has too few or too many arguments, ends
 * the probe at once with status 2.
 *
 * On the host, for the tests of nook itself:
 *
 *   probe nosetns PROG [ARGS]  exec PROG with a seccomp filter that makes
 *                       setns(2) fail with EPERM (as an LSM may): a nook
 *                       that cannot enter its container's network
 *                       namespace
 *   probe nosendfile PROG [ARGS]  the same for sendfile(2), with EINVAL
 *                       (what a file system that cannot splice from its
 *                       files answers): nook copies nook-init by read
 *   probe nonewnet PROG [ARGS]  the same for unshare(2) of a network
 *                       namespace (EPERM): a container that cannot have one
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447	/* x86_64, aarch64 */
#endif

#define LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ARG(i) (argc > (i) ? argv[i] : "")

static const struct {
	int n;
	const char *name;
} errnames[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EACCES, "EACCES" },
	{ EROFS, "EROFS" }, { EEXIST, "EEXIST" }, { ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
	{ EBUSY, "EBUSY" }, { ELOOP, "ELOOP" }, { EXDEV, "EXDEV" },
	{ ENXIO, "ENXIO" }, { ENODEV, "ENODEV" }, { EBADF, "EBADF" },
	{ ENOSYS, "ENOSYS" }, { ETXTBSY, "ETXTBSY" }, { ENOTTY, "ENOTTY" },
	{ EIO, "EIO" }, { EAGAIN, "EAGAIN" }, { EOVERFLOW, "EOVERFLOW" },
	{ ENOKEY, "ENOKEY" }, { EFAULT, "EFAULT" }, { EDQUOT, "EDQUOT" },
	{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENOMEM, "ENOMEM" },
	{ EMFILE, "EMFILE" }, { EFBIG, "EFBIG" },
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
static int opened[64], nopened;

static const char *
errname(int e)
{
	static char buf[32];
	size_t i;

	for (i = 0; i < LEN(errnames); i++)
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

	for (i = 0; i < LEN(signames); i++)
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
	for (i = 0; i < LEN(signames); i++)
		if (!strcmp(signames[i].name, s))
			return signames[i].n;
	return atoi(s);
}

/* A question's failure: "error ERRNO WHAT". */
static void
error(const char *what, int e)
{
	printf("error %s %s\n", errname(e), what);
	status = 1;
}

/* An attack's answer: "CMD ok DETAIL" for r >= 0, else "CMD ERRNO". */
static void
result(const char *cmd, long r, const char *detail)
{
	if (r < 0) {
		printf("%s %s\n", cmd, errname(errno));
		status = 1;
	} else {
		printf("%s ok%s%s\n", cmd, detail ? " " : "", detail ? detail : "");
	}
	fflush(stdout);
}

/* Remember a descriptor an attack opened, closed after the command. */
static long
keep(long fd)
{
	if (fd >= 0 && nopened < (int)LEN(opened))
		opened[nopened++] = (int)fd;
	return fd;
}

/* ---- questions ---------------------------------------------------------- */

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
q_cat(int argc, char **argv)
{
	(void)argc;
	cat(argv[1]);
}

static void
q_mounts(int argc, char **argv)
{
	(void)argc, (void)argv;
	cat("/proc/self/mountinfo");
}

static void
q_cmdline(int argc, char **argv)
{
	char path[64], buf[4096];
	ssize_t n, k;
	int fd;

	(void)argc;
	snprintf(path, sizeof(path), "/proc/%s/cmdline", argv[1]);
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
q_ns(int argc, char **argv)
{
	static const char *const names[] = { "user", "pid", "mnt", "net", "uts",
		"ipc", "cgroup", "time" };
	char path[64], link[128];
	const char *p;
	ssize_t n;
	size_t i;

	(void)argc, (void)argv;
	for (i = 0; i < LEN(names); i++) {
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
q_hostname(int argc, char **argv)
{
	struct utsname u;

	(void)argc, (void)argv;
	if (uname(&u)) {
		error("uname", errno);
		return;
	}
	printf("hostname %s\ndomainname %s\n", u.nodename, u.domainname);
}

static void
q_ids(int argc, char **argv)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, g[256];
	int n, i;

	(void)argc, (void)argv;
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
q_caps(int argc, char **argv)
{
	(void)argc, (void)argv;
	status_lines("Cap");
}

static void
q_status(int argc, char **argv)
{
	(void)argc;
	status_lines(argv[1]);
}

static void
q_fds(int argc, char **argv)
{
	char path[300], link[300];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/fd");
	ssize_t n;

	(void)argc, (void)argv;
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

static void
q_env(int argc, char **argv)
{
	extern char **environ;
	char **e;

	(void)argc, (void)argv;
	for (e = environ; *e; e++)
		printf("%s\n", *e);
}

static void
q_cwd(int argc, char **argv)
{
	char buf[4096];

	(void)argc, (void)argv;
	if (getcwd(buf, sizeof(buf)))
		printf("%s\n", buf);
	else
		error("getcwd", errno);
}

static void
q_umask(int argc, char **argv)
{
	mode_t m = umask(0);

	(void)argc, (void)argv;
	umask(m);
	printf("%04o\n", (unsigned)m);
}

static void
q_pid(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("pid %d ppid %d sid %d pgid %d\n", (int)getpid(),
	    (int)getppid(), (int)getsid(0), (int)getpgrp());
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
q_pids(int argc, char **argv)
{
	(void)argc, (void)argv;
	list_dir("/proc", 1);
}

static void
q_ls(int argc, char **argv)
{
	(void)argc;
	list_dir(argv[1], 0);
}

static void
do_readlink(const char *path)
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
q_exe1(int argc, char **argv)
{
	(void)argc, (void)argv;
	do_readlink("/proc/1/exe");
}

static void
q_readlink(int argc, char **argv)
{
	(void)argc;
	do_readlink(argv[1]);
}

static void
q_write(int argc, char **argv)
{
	const char *path = argv[1], *text = argc > 2 ? argv[2] : "probe";
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
q_mkdir(int argc, char **argv)
{
	(void)argc;
	if (mkdir(argv[1], 0755))
		error(argv[1], errno);
	else
		printf("ok\n");
}

static void
q_exists(int argc, char **argv)
{
	struct stat st;

	(void)argc;
	printf("%s\n", lstat(argv[1], &st) ? "no" : "yes");
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
q_stat(int argc, char **argv)
{
	(void)argc;
	print_stat(argv[1], !strcmp(argv[0], "stat"));
}

static void
q_statvfs(int argc, char **argv)
{
	struct statvfs s;

	(void)argc;
	if (statvfs(argv[1], &s)) {
		error(argv[1], errno);
		return;
	}
	printf("%s%s%s%s\n", s.f_flag & ST_RDONLY ? "ro" : "rw",
	    s.f_flag & ST_NOSUID ? " nosuid" : "",
	    s.f_flag & ST_NODEV ? " nodev" : "",
	    s.f_flag & ST_NOEXEC ? " noexec" : "");
}

static void
q_uptime(int argc, char **argv)
{
	struct timespec b, m;
	char buf[64] = "";
	ssize_t n;
	int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);

	(void)argc, (void)argv;
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
q_pty(int argc, char **argv)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);
	const char *name;

	(void)argc, (void)argv;
	if (fd < 0 || grantpt(fd) || unlockpt(fd) || !(name = ptsname(fd))) {
		error("/dev/ptmx", errno);
		return;
	}
	printf("pty %s\n", name);
	print_stat(name, 1);
	close(fd);
}

static void
q_mq(int argc, char **argv)
{
	char path[256];
	struct mq_attr a = { .mq_maxmsg = 1, .mq_msgsize = 16 };
	mqd_t q;

	(void)argc;
	snprintf(path, sizeof(path), "/%s", argv[1]);
	q = mq_open(path, O_RDWR | O_CREAT, 0600, &a);
	if (q == (mqd_t)-1) {
		error(path, errno);
		return;
	}
	mq_close(q);
	printf("ok\n");
}

static void
q_sleep(int argc, char **argv)
{
	struct timespec ts = { atoi(argv[1]), 0 };

	(void)argc;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void
q_exit(int argc, char **argv)
{
	(void)argc;
	fflush(stdout);
	exit(atoi(argv[1]));
}

static void
q_kill(int argc, char **argv)
{
	int sig = signum(argv[1]);
	sigset_t set;

	(void)argc;
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
q_sigwait(int argc, char **argv)
{
	struct timespec ts = { argc > 1 ? atoi(argv[1]) : 30, 0 };
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
q_echo(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		printf("%s%s", i > 1 ? " " : "", argv[i]);
	printf("\n");
}

/* ---- attacks: files ----------------------------------------------------- */

static void
a_open(int argc, char **argv)
{
	const char *c = argv[0];
	int flags = !strcmp(c, "openw") ? O_WRONLY : !strcmp(c, "openrw") ?
	    O_RDWR : O_WRONLY | O_TRUNC;

	result(c, keep(open(ARG(1), flags | O_CLOEXEC)), NULL);
}

static void
a_trunc(int argc, char **argv)
{
	result(argv[0], truncate(ARG(1), 0), NULL);
}

static void
a_ftrunc(int argc, char **argv)
{
	int fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));

	result(argv[0], fd < 0 ? fd : ftruncate(fd, 0), NULL);
}

static void
a_reopenw(int argc, char **argv)
{
	char buf[64];
	int fd = keep(open(ARG(1), O_PATH | O_CLOEXEC));

	if (fd >= 0) {
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
		fd = keep(open(buf, O_WRONLY | O_CLOEXEC));
	}
	result(argv[0], fd, NULL);
}

static void
a_mmapw(int argc, char **argv)
{
	void *p = MAP_FAILED;
	int fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));

	if (fd >= 0)
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	result(argv[0], fd < 0 || p == MAP_FAILED ? -1 : 0, NULL);
}

static void
a_seals(int argc, char **argv)
{
	char buf[32];
	int fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));
	long r = fd < 0 ? -1 : fcntl(fd, F_GET_SEALS);

	snprintf(buf, sizeof(buf), "0x%lx", r);
	result(argv[0], r, buf);
}

static void
a_write(int argc, char **argv)
{
	int fd = keep(open(ARG(1), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644));

	result(argv[0], fd < 0 ? -1 : write(fd, ARG(2), strlen(ARG(2))), NULL);
}

static void
a_size(int argc, char **argv)
{
	char b[4096], buf[32];
	long total = 0, r;
	int fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));

	r = fd;
	while (fd >= 0 && (r = read(fd, b, sizeof(b))) > 0)
		total += r;
	snprintf(buf, sizeof(buf), "%ld", total);
	result(argv[0], r < 0 ? -1 : 0, buf);
}

static void
a_count(int argc, char **argv)
{
	DIR *d = opendir(ARG(1));
	struct dirent *e;
	char buf[32];
	int n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	snprintf(buf, sizeof(buf), "%d", n);
	result(argv[0], d ? 0 : -1, buf);
	if (d)
		closedir(d);
}

static void
a_readstr(int argc, char **argv)
{
	char b[201];
	int n = atoi(ARG(2)), fd = open(ARG(1), O_RDONLY | O_NONBLOCK |
	    O_CLOEXEC);
	long r = fd;

	if (n < 1 || n > 200)
		n = 200;
	if (fd >= 0) {
		r = read(fd, b, (size_t)n);
		close(fd);
	}
	for (long i = 0; i < r; i++)
		if (b[i] < 0x20 || b[i] > 0x7e)
			b[i] = '.';
	b[r > 0 ? r : 0] = 0;
	result(argv[0], r < 0 ? -1 : 0, b);
}

/* ---- attacks: mounts, handles, devices ---------------------------------- */

static void
a_mount(int argc, char **argv)
{
	result(argv[0], syscall(SYS_mount, "tmpfs", ARG(1), "tmpfs", 0, NULL),
	    NULL);
}

static void
a_umount(int argc, char **argv)
{
	result(argv[0], syscall(SYS_umount2, ARG(1), MNT_DETACH), NULL);
}

static void
a_open_tree(int argc, char **argv)
{
	result(argv[0], keep(syscall(SYS_open_tree, AT_FDCWD, ARG(1),
	    OPEN_TREE_CLOEXEC)), NULL);
}

static void
a_name_to_handle(int argc, char **argv)
{
	struct { unsigned bytes; int type; unsigned char h[128]; } fh;
	int mid;

	fh.bytes = 128;
	result(argv[0], syscall(SYS_name_to_handle_at, AT_FDCWD, ARG(1), &fh,
	    &mid, 0), NULL);
}

static void
a_open_by_handle(int argc, char **argv)
{
	/* an ext4 handle (FILEID_INO32_GEN) of the root inode */
	struct { unsigned bytes; int type; uint32_t h[2]; } fh =
	    { 8, 1, { 2, 0 } };
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long r = keep(fd < 0 ? fd : syscall(SYS_open_by_handle_at, fd, &fh,
	    O_RDONLY | O_CLOEXEC));

	(void)argc;
	close(fd);
	result(argv[0], r, NULL);
}

static void
a_mknod(int argc, char **argv)
{
	result(argv[0], mknod(ARG(1), S_IFBLK | 0600, makedev(atoi(ARG(2)),
	    atoi(ARG(3)))), NULL);
}

/* ---- attacks: system calls a filter should stop ------------------------- */

static void
a_keys(int argc, char **argv)
{
	const char *c = argv[0];

	(void)argc;
	if (!strcmp(c, "keyctl"))	/* KEYCTL_GET_KEYRING_ID, PROCESS, create */
		result(c, syscall(SYS_keyctl, 0, -2, 1), NULL);
	else if (!strcmp(c, "add_key"))
		result(c, syscall(SYS_add_key, "user", "sec", "x", 1, -3), NULL);
	else
		result(c, syscall(SYS_request_key, "user", "sec-none", NULL, 0),
		    NULL);
}

static void
a_bpf(int argc, char **argv)
{
	(void)argc;
	result(argv[0], syscall(SYS_bpf, 5, NULL, 0), NULL);
}

static void
a_unshare(int argc, char **argv)
{
	result(argv[0], syscall(SYS_unshare, strtoul(ARG(1), NULL, 16)), NULL);
}

/* The child of a raw clone or clone3 leaves at once; the parent reaps it. */
static void
cloned(const char *cmd, long r)
{
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	result(cmd, r, NULL);
}

static void
a_clone_userns(int argc, char **argv)
{
	(void)argc;
	cloned(argv[0], syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
}

static void
a_clone3(int argc, char **argv)
{
	uint64_t args[11] = { 0 };

	(void)argc;
	args[4] = SIGCHLD;	/* exit_signal */
	cloned(argv[0], syscall(SYS_clone3, args, 88));
}

static long
x32_getpid(void)
{
	long r;

	__asm__ volatile ("syscall" : "=a"(r) : "0"(0x40000000L | 39)
	    : "rcx", "r11", "memory");
	return r;
}

static long
i386_getpid(void)
{
	long r = 20;	/* getpid on i386 */

	__asm__ volatile ("int $0x80" : "+a"(r) : : "memory");
	return r;
}

static void
a_getpid(int argc, char **argv)
{
	const char *c = argv[0];
	char buf[32];
	long r = !strcmp(c, "x32") ? x32_getpid() : !strcmp(c, "i386") ?
	    i386_getpid() : syscall(SYS_getpid);

	(void)argc;
	if (r < 0 && r > -4096)
		errno = (int)-r, r = -1;
	snprintf(buf, sizeof(buf), "%ld", r);
	result(c, r, buf);
}

static void
a_personality(int argc, char **argv)
{
	char buf[32];
	long r = syscall(SYS_personality, strtoul(ARG(1), NULL, 16));

	snprintf(buf, sizeof(buf), "0x%lx", r);
	result(argv[0], r, buf);
	if (r >= 0)
		syscall(SYS_personality, (unsigned long)r);
}

static void
a_kcmp(int argc, char **argv)
{
	(void)argc;
	result(argv[0], syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0), NULL);
}

static void
a_mempolicy(int argc, char **argv)
{
	static char page[4096] __attribute__((aligned(4096)));
	const char *c = argv[0];
	void *pages[1] = { page };
	int st[1];

	(void)argc;
	page[0] = 1;
	if (!strcmp(c, "mbind"))
		result(c, syscall(SYS_mbind, page, 4096, 0, NULL, 0, 0), NULL);
	else if (!strcmp(c, "set_mempolicy"))
		result(c, syscall(SYS_set_mempolicy, 0, NULL, 0), NULL);
	else
		result(c, syscall(SYS_move_pages, 0, 1, pages, NULL, st, 0),
		    NULL);
}

static void
a_memfd_secret(int argc, char **argv)
{
	(void)argc;
	result(argv[0], keep(syscall(SYS_memfd_secret, 0)), NULL);
}

/* ---- attacks: terminals ------------------------------------------------- */

static unsigned long
sti_request(int argc)
{
	return TIOCSTI | (argc > 3 ? 1UL << 32 : 0);
}

static void
a_sti(int argc, char **argv)
{
	char ch = argc > 2 && *argv[2] ? argv[2][0] : 'Z';

	result(argv[0], syscall(SYS_ioctl, atoi(ARG(1)), sti_request(argc),
	    &ch), NULL);
}

static void
a_cttysti(int argc, char **argv)
{
	char ch = argc > 2 && *argv[2] ? argv[2][0] : 'Z';
	pid_t p;
	int st;

	fflush(stdout);
	if ((p = fork()) == 0) {
		if (setsid() < 0 || ioctl(atoi(ARG(1)), TIOCSCTTY, 0)) {
			result(argv[0], -1, NULL);
			_exit(1);
		}
		result("sti", syscall(SYS_ioctl, atoi(ARG(1)),
		    sti_request(argc), &ch), NULL);
		_exit(0);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		status = 1;
}

static void
a_tioclinux(int argc, char **argv)
{
	char sub = 6;	/* TIOCL_GETSHIFTSTATE */

	result(argv[0], syscall(SYS_ioctl, atoi(ARG(1)), TIOCLINUX, &sub),
	    NULL);
}

/* ---- attacks: the process ----------------------------------------------- */

static void
a_bind(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
		.sin_port = htons((uint16_t)atoi(ARG(1))),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = keep(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));

	result(argv[0], fd < 0 ? fd : bind(fd, (struct sockaddr *)&sa,
	    sizeof(sa)), NULL);
}

/* "CMD ok CWD" after a chdir that worked (r), else "CMD ERRNO" */
static void
show_cwd(const char *cmd, long r)
{
	char buf[4096];

	if (r < 0) {
		result(cmd, r, NULL);
		return;
	}
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		snprintf(buf, sizeof(buf), "getcwd-%s", errname(errno));
	result(cmd, 0, buf);
}

static void
a_chdir(int argc, char **argv)
{
	const char *c = argv[0];

	show_cwd(c, !strcmp(c, "chdir") ? chdir(ARG(1)) : fchdir(atoi(ARG(1))));
}

static void
a_getcwd(int argc, char **argv)
{
	char buf[4096];
	long r = syscall(SYS_getcwd, buf, sizeof(buf));

	(void)argc;
	result(argv[0], r, r < 0 ? NULL : buf);
}

static void
a_ids(int argc, char **argv)
{
	char buf[64];
	uid_t a, b, d;

	(void)argc;
	getresuid(&a, &b, &d);
	snprintf(buf, sizeof(buf), "%u %u %u", a, b, d);
	result(argv[0], 0, buf);
}

static void
a_status(int argc, char **argv)
{
	char line[512];
	const char *key = ARG(1);
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		result(argv[0], -1, NULL);
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			line[strcspn(line, "\n")] = 0;
			printf("status %s\n", line);
			fclose(f);
			return;
		}
	fclose(f);
	printf("status %s: missing\n", key);
}

static void
a_fds(int argc, char **argv)
{
	char line[4096] = "";
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	(void)argc;
	if (!d) {
		result(argv[0], -1, NULL);
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
			    "%s%s", *line ? " " : "", e->d_name);
	closedir(d);
	result(argv[0], 0, line);
}

static void
a_forkloop(int argc, char **argv)
{
	static pid_t kids[4096];
	int n = atoi(ARG(1)), k, e = 0;

	if (n > (int)LEN(kids))
		n = LEN(kids);
	for (k = 0; k < n; k++) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			e = errno;
			break;
		}
		kids[k] = p;
	}
	for (int i = 0; i < k; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < k; i++)
		waitpid(kids[i], NULL, 0);
	if (e)
		printf("forkloop %s %d\n", errname(e), k);
	else
		printf("forkloop ok %d\n", k);
	fflush(stdout);
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static volatile sig_atomic_t watch_stop;

static void
on_term(int sig)
{
	(void)sig;
	watch_stop = 1;
}

/* "watchroot ok P TEXT" when /proc/P/root/PATH opens, 1; else 0 */
static int
try_root(int pid, const char *path, int *eacces)
{
	char p[4200], b[64];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/root%s", pid, path);
	fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*eacces += errno == EACCES;
		return 0;
	}
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	b[n > 0 ? n : 0] = 0;
	b[strcspn(b, "\n")] = 0;
	printf("watchroot ok %d %s\n", pid, b);
	fflush(stdout);
	return 1;
}

/*
 * Race a process that enters this pid namespace from outside: between its
 * clone and PR_SET_DUMPABLE 0 its /proc/P/root is the host's root.  A
 * SIGTERM ends the watch early, with the summary line.
 */
static void
a_watchroot(int argc, char **argv)
{
	char last[32];
	long long end = mono_ms() + 1000LL * atoi(ARG(2));
	int lfd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
	int seen = 0, eacces = 0, prev = -1;

	signal(SIGTERM, on_term);
	printf("watchroot ready\n");
	fflush(stdout);
	while (lfd >= 0 && !watch_stop && mono_ms() < end) {
		ssize_t n = pread(lfd, last, sizeof(last) - 1, 0);
		int l = n > 0 ? (last[n] = 0, atoi(last)) : 0;

		if (l != prev)
			seen++, prev = l;
		for (int d = 0; d < 3 && l - d > 1; d++)
			if (l - d != getpid() && try_root(l - d, ARG(1), &eacces)) {
				close(lfd);
				return;
			}
	}
	printf("watchroot none pids=%d eacces=%d%s\n", seen, eacces,
	    lfd < 0 ? " no-ns_last_pid" : "");
	fflush(stdout);
	status = 1;
	if (lfd >= 0)
		close(lfd);
}

/* ---- the table ---------------------------------------------------------- */

enum { Q, A };	/* a question's answer, an attack's "CMD RESULT" line */

static const struct cmd {
	const char *name;
	int min, max;	/* arguments; -1: any number */
	int kind;
	void (*run)(int argc, char **argv);
} cmds[] = {
	{ "ns", 0, 0, Q, q_ns }, { "hostname", 0, 0, Q, q_hostname },
	{ "ids", 0, 0, Q, q_ids }, { "caps", 0, 0, Q, q_caps },
	{ "status", 1, 1, Q, q_status }, { "fds", 0, 0, Q, q_fds },
	{ "mounts", 0, 0, Q, q_mounts }, { "env", 0, 0, Q, q_env },
	{ "cwd", 0, 0, Q, q_cwd }, { "umask", 0, 0, Q, q_umask },
	{ "pid", 0, 0, Q, q_pid }, { "pids", 0, 0, Q, q_pids },
	{ "exe1", 0, 0, Q, q_exe1 }, { "readlink", 1, 1, Q, q_readlink },
	{ "write", 1, 2, Q, q_write }, { "mkdir", 1, 1, Q, q_mkdir },
	{ "cat", 1, 1, Q, q_cat }, { "cmdline", 1, 1, Q, q_cmdline },
	{ "ls", 1, 1, Q, q_ls }, { "exists", 1, 1, Q, q_exists },
	{ "stat", 1, 1, Q, q_stat }, { "lstat", 1, 1, Q, q_stat },
	{ "statvfs", 1, 1, Q, q_statvfs }, { "uptime", 0, 0, Q, q_uptime },
	{ "pty", 0, 0, Q, q_pty }, { "mq", 1, 1, Q, q_mq },
	{ "sleep", 1, 1, Q, q_sleep }, { "exit", 1, -1, Q, q_exit },
	{ "kill", 1, 1, Q, q_kill }, { "sigwait", 0, 1, Q, q_sigwait },
	{ "echo", 0, -1, Q, q_echo },

	{ "openw", 1, 1, A, a_open }, { "openrw", 1, 1, A, a_open },
	{ "opentrunc", 1, 1, A, a_open }, { "trunc", 1, 1, A, a_trunc },
	{ "ftrunc", 1, 1, A, a_ftrunc }, { "reopenw", 1, 1, A, a_reopenw },
	{ "mmapw", 1, 1, A, a_mmapw }, { "seals", 1, 1, A, a_seals },
	{ "keyctl", 0, 0, A, a_keys }, { "add_key", 0, 0, A, a_keys },
	{ "request_key", 0, 0, A, a_keys }, { "bpf", 0, 0, A, a_bpf },
	{ "unshare", 1, 1, A, a_unshare },
	{ "clone_userns", 0, 0, A, a_clone_userns },
	{ "clone3", 0, 0, A, a_clone3 }, { "sti", 1, 3, A, a_sti },
	{ "cttysti", 1, 3, A, a_cttysti }, { "tioclinux", 1, 1, A, a_tioclinux },
	{ "mount", 1, 1, A, a_mount }, { "umount", 1, 1, A, a_umount },
	{ "open_tree", 1, 1, A, a_open_tree },
	{ "name_to_handle", 1, 1, A, a_name_to_handle },
	{ "mknod", 3, 3, A, a_mknod },
	{ "open_by_handle", 0, 0, A, a_open_by_handle },
	{ "bind", 1, 1, A, a_bind }, { "getcwd", 0, 0, A, a_getcwd },
	{ "getpid", 0, 0, A, a_getpid }, { "x32", 0, 0, A, a_getpid },
	{ "i386", 0, 0, A, a_getpid }, { "chdir", 1, 1, A, a_chdir },
	{ "fchdir", 1, 1, A, a_chdir }, { "size", 1, 1, A, a_size },
	{ "count", 1, 1, A, a_count }, { "forkloop", 1, 1, A, a_forkloop },
	{ "readstr", 2, 2, A, a_readstr }, { "watchroot", 2, 2, A, a_watchroot },
	{ "personality", 1, 1, A, a_personality }, { "kcmp", 0, 0, A, a_kcmp },
	{ "mbind", 0, 0, A, a_mempolicy }, { "set_mempolicy", 0, 0, A, a_mempolicy },
	{ "move_pages", 0, 0, A, a_mempolicy },
	{ "memfd_secret", 0, 0, A, a_memfd_secret },
	/* the four that answer as attacks when called "sec" (not "probe") */
	{ "ids", 0, 0, A, a_ids }, { "status", 1, 1, A, a_status },
	{ "fds", 0, 0, A, a_fds }, { "write", 2, 2, A, a_write },
};

/* The command NAME; of two by that name, the one of kind PREFER. */
static const struct cmd *
find(const char *name, int prefer)
{
	const struct cmd *found = NULL;
	size_t i;

	for (i = 0; i < LEN(cmds); i++) {
		if (strcmp(cmds[i].name, name))
			continue;
		if (cmds[i].kind == prefer)
			return &cmds[i];
		if (!found)
			found = &cmds[i];
	}
	return found;
}

/* Run one command, ARGV[0] with ARGC - 1 arguments; exit 2 if misused. */
static void
run(int argc, char **argv, int prefer)
{
	const struct cmd *c = find(argv[0], prefer);

	if (!c) {
		fprintf(stderr, "probe: %s: unknown command\n", argv[0]);
		exit(2);
	}
	if (argc - 1 < c->min || (c->max >= 0 && argc - 1 > c->max)) {
		fprintf(stderr, "probe: %s: %s argument\n", argv[0],
		    argc - 1 < c->min ? "missing" : "unexpected");
		exit(2);
	}
	c->run(argc, argv);
	while (nopened > 0)
		close(opened[--nopened]);
}

/*
 * probe nosetns PROG [ARGS]: PROG without setns(2) (EPERM); probe
 * nosendfile: without sendfile(2) (EINVAL); probe nonewnet: without a
 * new network namespace by unshare(2).  The classic BPF by hand:
 * musl's headers have no <linux/filter.h>.  The system call number is at
 * offset 0 of struct seccomp_data.
 */
struct bpf_ins {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

static int
load_and_exec(char **argv, struct bpf_ins *f, unsigned short n)
{
	struct {
		unsigned short len;
		struct bpf_ins *filter;
	} prog = { n, f };

	if (syscall(SYS_seccomp, 1 /* SET_MODE_FILTER */, 0, &prog)) {
		perror("probe: seccomp");
		return 2;
	}
	execvp(argv[0], argv);
	perror("probe: exec");
	return 127;
}

static int
deny_call(char **argv, uint32_t nr, uint32_t err)
{
	struct bpf_ins f[] = {
		{ 0x20, 0, 0, 0 },		/* ld [0]: the number */
		{ 0x15, 0, 1, nr },		/* jeq nr */
		{ 0x06, 0, 0, 0x00050000 | err },	/* ret ERRNO */
		{ 0x06, 0, 0, 0x7fff0000 },	/* ret ALLOW */
	};

	return load_and_exec(argv, f, LEN(f));
}

#ifndef CLONE_NEWNET
#define CLONE_NEWNET 0x40000000
#endif

/* probe nonewnet: unshare(2) with CLONE_NEWNET in its flags (args[0],
 * whose low half is at offset 16) fails with EPERM */
static int
no_new_net(char **argv)
{
	struct bpf_ins f[] = {
		{ 0x20, 0, 0, 0 },		/* ld [0]: the number */
		{ 0x15, 0, 3, SYS_unshare },	/* jeq unshare */
		{ 0x20, 0, 0, 16 },		/* ld [16]: flags, low half */
		{ 0x45, 0, 1, CLONE_NEWNET },	/* jset CLONE_NEWNET */
		{ 0x06, 0, 0, 0x00050000 | EPERM },	/* ret ERRNO */
		{ 0x06, 0, 0, 0x7fff0000 },	/* ret ALLOW */
	};

	return load_and_exec(argv, f, LEN(f));
}

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	int prefer = strstr(name ? name + 1 : argv[0], "probe") ? Q : A;
	int i, start = 1;

	if (argc < 2) {
		fputs("usage: probe CMD [ARGS] [+ CMD [ARGS]]...\n", stderr);
		return 2;
	}
	if (argc > 2 && !strcmp(argv[1], "nosetns"))
		return deny_call(argv + 2, SYS_setns, EPERM);
	if (argc > 2 && !strcmp(argv[1], "nosendfile"))
		return deny_call(argv + 2, SYS_sendfile, EINVAL);
	if (argc > 2 && !strcmp(argv[1], "nonewnet"))
		return no_new_net(argv + 2);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "+"))
			continue;
		if (i > start) {
			argv[i] = NULL;	/* argv[argc] is NULL already */
			run(i - start, argv + start, prefer);
		}
		start = i + 1;
	}
	fflush(stdout);
	return status;
}
