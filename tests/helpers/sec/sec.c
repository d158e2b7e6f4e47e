// SPDX-License-Identifier: MIT
/*
 * sec - the attacker inside a nook container, for tests/nook-escape.t and
 * tests/nook-hardening.t.  Static (musl), raw system calls where libc
 * could get in the way.
 *
 *   sec CMD [ARGS] [+ CMD [ARGS]]...
 *
 * Each command prints one line "CMD RESULT", RESULT being "ok [DETAIL]"
 * or the errno name (EPERM, ENOENT, ...).  Commands:
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
 *   ids                 "ids ok R E S" of the uid
 *   status KEY          the KEY: line of /proc/self/status
 *   fds                 "fds ok 0 1 2 ..." (without the directory's own)
 *   chdir PATH          chdir, then "ok CWD" (getcwd) or the errno
 *   fchdir FD           fchdir(FD), then the same
 *   size PATH           "ok BYTES" read from PATH
 *   count DIR           "ok N" entries of DIR (without . and ..)
 *   write PATH TEXT     open O_WRONLY|O_CREAT|O_TRUNC and write TEXT
 *   forkloop N          fork up to N sleeping children: "ok K" when all
 *                       N were made, else the errno after K ("EAGAIN K")
 *   exit N              exit with N now
 *
 * Verbs of the issue-8 escapes (tests/nook-escape.t):
 *
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
 *
 * Verbs of the seccomp gaps (tests/nook-hardening.t):
 *
 *   personality HEX     raw personality(HEX) (0xffffffff only queries);
 *                       on success the old personality is put back
 *   kcmp                kcmp(self, self, KCMP_FILE, 0, 0)
 *   mbind               mbind(MPOL_DEFAULT) of a fresh page
 *   set_mempolicy       set_mempolicy(MPOL_DEFAULT, NULL, 0)
 *   move_pages          move_pages(self) of one page, status only
 *   memfd_secret        memfd_secret(0)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
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

static int status;
static int opened[64], nopened;

/* Remember a descriptor a command opened, closed after the command. */
static long
keep(long fd)
{
	if (fd >= 0 && nopened < 64)
		opened[nopened++] = (int)fd;
	return fd;
}

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

/* Print "CMD ok DETAIL" for r >= 0, else "CMD ERRNO". */
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
fds(void)
{
	char line[4096] = "";
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (!d) {
		result("fds", -1, NULL);
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
			    "%s%s", *line ? " " : "", e->d_name);
	closedir(d);
	result("fds", 0, line);
}

static void
status_line(const char *key)
{
	char line[512];
	size_t n = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		result("status", -1, NULL);
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
forkloop(int n)
{
	pid_t kids[4096];
	int k, e = 0;
	char buf[32];

	if (n > 4096)
		n = 4096;
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
	snprintf(buf, sizeof(buf), "%d", k);
	if (e)
		printf("forkloop %s %d\n", errname(e), k);
	else
		printf("forkloop ok %s\n", buf);
	fflush(stdout);
}

#define ARG(i) (argc > (i) ? argv[i] : "")

/* ---- issue 8 verbs: readstr, watchroot (one block, see the top) ---- */

static void
readstr(const char *cmd, const char *path, int n)
{
	char b[201];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
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
	result(cmd, r < 0 ? -1 : 0, b);
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

/*
 * Race a process that enters this pid namespace from outside: between its
 * clone and PR_SET_DUMPABLE 0 its /proc/P/root is the host's root.  A
 * SIGTERM ends the watch early, with the summary line.
 */
static void
watchroot(const char *path, int secs)
{
	char p[4200], b[64], last[32];
	long long end = mono_ms() + 1000LL * secs;
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
		for (int d = 0; d < 3 && l - d > 1; d++) {
			int fd;

			if (l - d == getpid())
				continue;
			snprintf(p, sizeof(p), "/proc/%d/root%s", l - d, path);
			fd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0) {
				eacces += errno == EACCES;
				continue;
			}
			n = read(fd, b, sizeof(b) - 1);
			close(fd);
			b[n > 0 ? n : 0] = 0;
			b[strcspn(b, "\n")] = 0;
			printf("watchroot ok %d %s\n", l - d, b);
			fflush(stdout);
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

/* 1 when CMD is one of the verbs of this block */
static int
issue8_verb(int argc, char **argv)
{
	if (!strcmp(argv[0], "readstr"))
		readstr(argv[0], ARG(1), atoi(ARG(2)));
	else if (!strcmp(argv[0], "watchroot"))
		watchroot(ARG(1), atoi(ARG(2)));
	else
		return 0;
	return 1;
}
/* ---- end of the issue 8 verbs ---- */

/* ---- seccomp gap verbs (one block, see the top) ---- */

/* 1 when CMD is one of the verbs of this block */
static int
seccomp_gap_verb(int argc, char **argv)
{
	const char *c = argv[0];
	char buf[64];
	long r;

	if (!strcmp(c, "personality")) {
		r = syscall(SYS_personality, strtoul(ARG(1), NULL, 16));
		snprintf(buf, sizeof(buf), "0x%lx", r);
		result(c, r, buf);
		if (r >= 0)
			syscall(SYS_personality, (unsigned long)r);
	} else if (!strcmp(c, "kcmp")) {
		result(c, syscall(SYS_kcmp, getpid(), getpid(), 0, 0, 0), NULL);
	} else if (!strcmp(c, "mbind")) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		result(c, p == MAP_FAILED ? -1 : syscall(SYS_mbind, p, 4096, 0,
		    NULL, 0, 0), NULL);
	} else if (!strcmp(c, "set_mempolicy")) {
		result(c, syscall(SYS_set_mempolicy, 0, NULL, 0), NULL);
	} else if (!strcmp(c, "move_pages")) {
		static char page[4096] __attribute__((aligned(4096)));
		void *pages[1] = { page };
		int st[1];

		page[0] = 1;
		result(c, syscall(SYS_move_pages, 0, 1, pages, NULL, st, 0),
		    NULL);
	} else if (!strcmp(c, "memfd_secret")) {
		result(c, keep(syscall(SYS_memfd_secret, 0)), NULL);
	} else {
		return 0;
	}
	return 1;
}
/* ---- end of the seccomp gap verbs ---- */

static int
run(int argc, char **argv)
{
	const char *c = argv[0];
	char buf[256];
	long r;
	int fd;

	if (!strcmp(c, "openw")) {
		result(c, keep(open(ARG(1), O_WRONLY | O_CLOEXEC)), NULL);
	} else if (!strcmp(c, "openrw")) {
		result(c, keep(open(ARG(1), O_RDWR | O_CLOEXEC)), NULL);
	} else if (!strcmp(c, "opentrunc")) {
		result(c, keep(open(ARG(1), O_WRONLY | O_TRUNC | O_CLOEXEC)),
		    NULL);
	} else if (!strcmp(c, "trunc")) {
		result(c, truncate(ARG(1), 0), NULL);
	} else if (!strcmp(c, "ftrunc")) {
		fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));
		result(c, fd < 0 ? fd : ftruncate(fd, 0), NULL);
	} else if (!strcmp(c, "reopenw")) {
		fd = keep(open(ARG(1), O_PATH | O_CLOEXEC));
		if (fd >= 0) {
			snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
			fd = keep(open(buf, O_WRONLY | O_CLOEXEC));
		}
		result(c, fd, NULL);
	} else if (!strcmp(c, "mmapw")) {
		void *p = MAP_FAILED;

		fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));
		if (fd >= 0)
			p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
		result(c, fd < 0 || p == MAP_FAILED ? -1 : 0, NULL);
	} else if (!strcmp(c, "seals")) {
		fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));
		r = fd < 0 ? -1 : fcntl(fd, F_GET_SEALS);
		snprintf(buf, sizeof(buf), "0x%lx", r);
		result(c, r, buf);
	} else if (!strcmp(c, "keyctl")) {
		/* KEYCTL_GET_KEYRING_ID of KEY_SPEC_PROCESS_KEYRING, create */
		result(c, syscall(SYS_keyctl, 0, -2, 1), NULL);
	} else if (!strcmp(c, "add_key")) {
		result(c, syscall(SYS_add_key, "user", "sec", "x", 1, -3), NULL);
	} else if (!strcmp(c, "request_key")) {
		result(c, syscall(SYS_request_key, "user", "sec-none", NULL, 0),
		    NULL);
	} else if (!strcmp(c, "bpf")) {
		result(c, syscall(SYS_bpf, 5, NULL, 0), NULL);
	} else if (!strcmp(c, "unshare")) {
		result(c, syscall(SYS_unshare, strtoul(ARG(1), NULL, 16)), NULL);
	} else if (!strcmp(c, "clone_userns")) {
		r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		result(c, r, NULL);
	} else if (!strcmp(c, "clone3")) {
		uint64_t args[11] = { 0 };

		args[4] = SIGCHLD;	/* exit_signal */
		r = syscall(SYS_clone3, args, 88);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		result(c, r, NULL);
	} else if (!strcmp(c, "sti")) {
		char ch = argc > 2 && *argv[2] ? argv[2][0] : 'Z';
		unsigned long req = TIOCSTI;

		if (argc > 3)
			req |= 1UL << 32;
		result(c, syscall(SYS_ioctl, atoi(ARG(1)), req, &ch), NULL);
	} else if (!strcmp(c, "cttysti")) {
		char ch = argc > 2 && *argv[2] ? argv[2][0] : 'Z';
		unsigned long req = TIOCSTI;
		pid_t p;
		int st;

		if (argc > 3)
			req |= 1UL << 32;
		fflush(stdout);
		if ((p = fork()) == 0) {
			if (setsid() < 0 || ioctl(atoi(ARG(1)), TIOCSCTTY, 0)) {
				result(c, -1, NULL);
				_exit(1);
			}
			result("sti", syscall(SYS_ioctl, atoi(ARG(1)), req, &ch),
			    NULL);
			_exit(0);
		}
		if (p < 0 || waitpid(p, &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			status = 1;
	} else if (!strcmp(c, "tioclinux")) {
		char sub = 6;	/* TIOCL_GETSHIFTSTATE */

		result(c, syscall(SYS_ioctl, atoi(ARG(1)), TIOCLINUX, &sub), NULL);
	} else if (!strcmp(c, "mount")) {
		result(c, syscall(SYS_mount, "tmpfs", ARG(1), "tmpfs", 0, NULL),
		    NULL);
	} else if (!strcmp(c, "umount")) {
		result(c, syscall(SYS_umount2, ARG(1), MNT_DETACH), NULL);
	} else if (!strcmp(c, "open_tree")) {
		result(c, keep(syscall(SYS_open_tree, AT_FDCWD, ARG(1),
		    OPEN_TREE_CLOEXEC)), NULL);
	} else if (!strcmp(c, "name_to_handle")) {
		struct { unsigned bytes; int type; unsigned char h[128]; } fh;
		int mid;

		fh.bytes = 128;
		result(c, syscall(SYS_name_to_handle_at, AT_FDCWD, ARG(1), &fh,
		    &mid, 0), NULL);
	} else if (!strcmp(c, "mknod")) {
		result(c, mknod(ARG(1), S_IFBLK | 0600, makedev(atoi(ARG(2)),
		    atoi(ARG(3)))), NULL);
	} else if (!strcmp(c, "open_by_handle")) {
		/* an ext4 handle (FILEID_INO32_GEN) of the root inode */
		struct { unsigned bytes; int type; uint32_t h[2]; } fh =
		    { 8, 1, { 2, 0 } };

		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		r = keep(fd < 0 ? fd : syscall(SYS_open_by_handle_at, fd, &fh,
		    O_RDONLY | O_CLOEXEC));
		close(fd);
		result(c, r, NULL);
	} else if (!strcmp(c, "bind")) {
		struct sockaddr_in sa = { .sin_family = AF_INET,
			.sin_port = htons((uint16_t)atoi(ARG(1))),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		fd = keep(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
		result(c, fd < 0 ? fd : bind(fd, (struct sockaddr *)&sa,
		    sizeof(sa)), NULL);
	} else if (!strcmp(c, "getcwd")) {
		r = syscall(SYS_getcwd, buf, sizeof(buf));
		result(c, r, r < 0 ? NULL : buf);
	} else if (!strcmp(c, "getpid")) {
		r = syscall(SYS_getpid);
		snprintf(buf, sizeof(buf), "%ld", r);
		result(c, r, buf);
	} else if (!strcmp(c, "x32")) {
		r = x32_getpid();
		if (r < 0 && r > -4096)
			errno = (int)-r, r = -1;
		snprintf(buf, sizeof(buf), "%ld", r);
		result(c, r, buf);
	} else if (!strcmp(c, "i386")) {
		r = i386_getpid();
		if (r < 0 && r > -4096)
			errno = (int)-r, r = -1;
		snprintf(buf, sizeof(buf), "%ld", r);
		result(c, r, buf);
	} else if (!strcmp(c, "ids")) {
		uid_t a, b, d;

		getresuid(&a, &b, &d);
		snprintf(buf, sizeof(buf), "%u %u %u", a, b, d);
		result(c, 0, buf);
	} else if (!strcmp(c, "status")) {
		status_line(ARG(1));
	} else if (!strcmp(c, "fds")) {
		fds();
	} else if (!strcmp(c, "chdir")) {
		show_cwd(c, chdir(ARG(1)));
	} else if (!strcmp(c, "fchdir")) {
		show_cwd(c, fchdir(atoi(ARG(1))));
	} else if (!strcmp(c, "size")) {
		long total = 0;
		char b[4096];

		fd = keep(open(ARG(1), O_RDONLY | O_CLOEXEC));
		r = fd;
		while (fd >= 0 && (r = read(fd, b, sizeof(b))) > 0)
			total += r;
		snprintf(buf, sizeof(buf), "%ld", total);
		result(c, r < 0 ? -1 : 0, buf);
	} else if (!strcmp(c, "count")) {
		DIR *d = opendir(ARG(1));
		struct dirent *e;
		int n = 0;

		while (d && (e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				n++;
		snprintf(buf, sizeof(buf), "%d", n);
		result(c, d ? 0 : -1, buf);
		if (d)
			closedir(d);
	} else if (!strcmp(c, "write")) {
		fd = keep(open(ARG(1), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644));
		r = fd < 0 ? -1 : write(fd, ARG(2), strlen(ARG(2)));
		result(c, r, NULL);
	} else if (!strcmp(c, "forkloop")) {
		forkloop(atoi(ARG(1)));
	} else if (issue8_verb(argc, argv)) {
		;
	} else if (seccomp_gap_verb(argc, argv)) {
		;
	} else if (!strcmp(c, "exit")) {
		exit(atoi(ARG(1)));
	} else {
		printf("%s unknown-command\n", c);
		status = 2;
	}
	while (nopened > 0)
		close(opened[--nopened]);
	return 0;
}

int
main(int argc, char **argv)
{
	int i, start = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i <= argc; i++)
		if (i == argc || !strcmp(argv[i], "+")) {
			if (i > start) {
				char *save = argv[i < argc ? i : argc];

				argv[i] = NULL;
				run(i - start, argv + start);
				if (i < argc)
					argv[i] = save;
			}
			start = i + 1;
		}
	return status;
}
