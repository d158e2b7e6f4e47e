// SPDX-License-Identifier: MIT
/*
 * nook-init - a tiny PID 1 for containers and appliances.
 *
 * One process, one loop: every signal is blocked and taken synchronously
 * with rt_sigtimedwait(); every wake-up reaps, every signal but SIGCHLD is
 * forwarded to the child.  When the child exits the rest of the tree is stopped
 * gracefully (SIGTERM, grace period, SIGKILL) before the init exits - or,
 * as the real PID 1 of a machine, powers off, because exiting there panics
 * the kernel.  libc only, no heap after start-up, built static.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef NOOK_VERSION
#define NOOK_VERSION "0.0.0"
#endif
#ifndef NOOK_GIT
#define NOOK_GIT "unknown"
#endif

#define EXIT_USAGE 125
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* Kernel signal numbers, not libc's SIGRTMIN: musl and glibc disagree. */
#define KSIG_RTMIN 34
#define KSIG_HALT (KSIG_RTMIN + 3)	/* systemd-nspawn: halt */
#define KSIG_POWEROFF (KSIG_RTMIN + 4)	/* systemd-nspawn: poweroff */
#define KSIG_MAX 64
#define INIT_PIDNS_INO 0xEFFFFFFCU
#define MAX_TERMED 512
/*
 * For the string tables: GCC aligns every array of 32 bytes or more to 32
 * for vector loads that nobody does on them, padding the binary.
 */
#define UNALIGNED __attribute__((aligned(1)))

enum mode { MODE_PLAIN, MODE_NSINIT, MODE_MACHINE };
enum restart { RESTART_NO, RESTART_FAILURE, RESTART_ALWAYS };

typedef uint64_t ksigset;

static enum mode mode;
static int verbosity = 1;
static int subreaper, group_kill, pdeathsig, close_fds;
static int grace = 5;
static int on_exit_cmd = RB_POWER_OFF;
static enum restart restart;
static unsigned char expect_zero[32];
static pid_t child;
static int stopping;		/* a stop request arrived: never restart */
static pid_t termed[MAX_TERMED];	/* descendants already sent SIGTERM */
static int pass_fd[16];		/* --pass-fd: kept by --close-fds */
static int npass_fd;

/*
 * The few string functions the init needs, a byte at a time: musl's are
 * built for speed on long strings and would be a tenth of the binary.
 */
static size_t
slen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

/* stpcpy(3) */
static char *
scpy(char *d, const char *s)
{
	while ((*d = *s++))
		d++;
	return d;
}

/* s without the prefix p, or 0 when s does not start with p */
static const char *
after(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return s;
}

/* s from the first p in it on, past p; or 0 */
static const char *
find(const char *s, const char *p)
{
	const char *r;

	for (; *s; s++)
		if ((r = after(s, p)))
			return r;
	return 0;
}

/* Up to size - 1 bytes of file name (at dir) into buf, ended by a 0:
 * how many, or -1 when it cannot be opened. */
static int
slurp(int dir, const char *name, char *buf, int size)
{
	int fd = syscall(SYS_openat, dir, name, O_RDONLY | O_CLOEXEC), n = -1;

	if (fd >= 0) {
		n = syscall(SYS_read, fd, buf, size - 1);
		syscall(SYS_close, fd);
	}
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* In a list of entries "<key byte>text\0": the text of key k, or 0. */
static const char *
lookup(const char *list, int k)
{
	for (; *list; list += slen(list) + 1)
		if (*list == k)
			return list + 1;
	return 0;
}

/* strcmp(3) == 0 */
static int
same(const char *a, const char *b)
{
	const char *rest = after(a, b);

	return rest && !*rest;
}

/*
 * Raw syscall(2) for write, read and close: libc's are cancellation
 * points, which drags in code that a single-threaded init never runs.
 */
static void
out(int fd, const char *s)
{
	syscall(SYS_write, fd, s, slen(s));
}

/* Minimal stderr logger: stdio would triple the binary's size. */
static void
say(int level, const char *a, const char *b, const char *c)
{
	const char *parts[] = { "nook-init: ", a, b, c, "\n" };
	unsigned i;

	if (level > verbosity)
		return;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i])
			out(2, parts[i]);
}

/* Decimal digits of v, at the end of buf[24]: pids, signals, statuses. */
static const char *
num(unsigned long v, char *buf)
{
	char *p = buf + 23;

	*p = 0;
	do
		*--p = '0' + v % 10;
	while (v /= 10);
	return p;
}

/*
 * strerror(3) for the errors an init can meet; libc's whole table would be
 * an eighth of the binary.  Each message starts with its errno, one byte
 * in octal (Linux's numbers, the same on every architecture we build for).
 */
static const char err_msgs[] UNALIGNED =
	"\001Operation not permitted\0"
	"\002No such file or directory\0"
	"\003No such process\0"
	"\007Argument list too long\0"
	"\010Exec format error\0"
	"\013Resource temporarily unavailable\0"
	"\014Out of memory\0"
	"\015Permission denied\0"
	"\020Resource busy\0"
	"\023No such device\0"
	"\024Not a directory\0"
	"\025Is a directory\0"
	"\026Invalid argument\0"
	"\032Text file busy\0"
	"\044File name too long\0"
	"\046Function not implemented\0"
	"\050Too many levels of symbolic links\0"
	"\120Accessing a corrupted shared library\0";

static const char *
errstr(int e)
{
	static char buf[24];
	const char *m = lookup(err_msgs, e);
	char *p;

	if (m)
		return m;
	p = (char *)num(e, buf) - 6;
	memcpy(p, "errno ", 6);
	return p;
}

static int
usage_error(const char *flag, const char *why)
{
	say(0, flag, ": ", why);
	say(0, "try 'nook-init --help'", 0, 0);
	return -1;
}

/* Decimal in [lo, hi], the whole string; -1 when it is not. */
static long
parse_num(const char *s, long lo, long hi)
{
	long v = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > hi)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v < lo || v > hi ? -1 : v;
}

static const char sig_names[] UNALIGNED =
	"HUP\0INT\0QUIT\0ILL\0TRAP\0ABRT\0BUS\0FPE\0KILL\0USR1\0SEGV\0USR2\0"
	"PIPE\0ALRM\0TERM\0STKFLT\0CHLD\0CONT\0STOP\0TSTP\0TTIN\0TTOU\0URG\0"
	"XCPU\0XFSZ\0VTALRM\0PROF\0WINCH\0IO\0PWR\0SYS\0";

/* The index of v in a list of NUL-terminated words; -1 when absent. */
static int
pick(const char *v, const char *words)
{
	int i;

	for (i = 0; v && *words; i++, words += slen(words) + 1)
		if (same(v, words))
			return i;
	return -1;
}

/* "TERM", "SIGTERM", "15", "RTMIN+3", "SIGRTMAX-1"; -1 when unknown. */
static int
parse_signal(const char *s)
{
	const char *p;
	long off = 0;
	int i;

	if (*s >= '0' && *s <= '9')
		return parse_num(s, 1, KSIG_MAX);
	if ((p = after(s, "SIG")))
		s = p;
	if ((i = pick(s, sig_names)) >= 0)
		return i + 1;
	if (!(p = after(s, "RTMIN")) && !(p = after(s, "RTMAX")))
		return -1;
	/* RTMIN+N counts up, RTMAX-N down; s[3] tells MIN from MAX */
	if (*p)
		off = *p == (s[3] == 'I' ? '+' : '-') ?
		    parse_num(p + 1, 0, 30) : -1;
	if (off < 0)
		return -1;
	return s[3] == 'I' ? KSIG_RTMIN + off : KSIG_MAX - off;
}

/* Tabs, not spaces, align the columns: each space is a byte of the binary. */
static const char usage_text[] UNALIGNED =
"usage: nook-init [OPTIONS] [--] PROGRAM [ARGS...]\n"
"Run PROGRAM as the child of a minimal init: reap zombies, forward signals,\n"
"and on exit stop what is left gracefully.\n"
"\n"
"  -s\t\tbecome a child subreaper when not PID 1\n"
"  -g\t\tforward signals to the child's process group\n"
"  -e CODE\ttreat exit code CODE as 0 (repeatable)\n"
"  -p SIGNAL\tparent-death signal of the init\n"
"  -t, --grace SECONDS\n"
"\t\tgrace between SIGTERM and SIGKILL at shutdown (5)\n"
"  -v\t\tmore messages on stderr (repeatable)\n"
"  --close-fds\tclose inherited descriptors above 2 before the exec\n"
"  --pass-fd=FD\tbut keep FD open (repeatable)\n"
"  -w, -l\taccepted for tini compatibility\n"
"  --on-exit=poweroff|reboot|halt\n"
"\t\tmachine PID 1 only: what to do when PROGRAM exits\n"
"  --restart=no|on-failure|always\n"
"\t\trestart PROGRAM with a back-off instead of exiting\n"
"  -h, --help\tthis text\n"
"  --version\tprint the version\n"
"\n"
"Environment: NOOK_INIT_SUBREAPER, NOOK_INIT_KILL_PROCESS_GROUP,\n"
"NOOK_INIT_VERBOSITY, NOOK_INIT_GRACE, NOOK_INIT_CLOSE_FDS (TINI_SUBREAPER,\n"
"TINI_KILL_PROCESS_GROUP and TINI_VERBOSITY are honoured too).\n"
"Exit status: PROGRAM's, 128+N if it died of signal N, 126 when it cannot\n"
"be executed, 127 when not found, 125 for the init's own errors.\n";

/* What each option with a value expects, by option() letter. */
static const char expects[] UNALIGNED =
	"texpects seconds from 0 to 86400\0"
	"eexpects an exit code 0-255\0"
	"pexpects a signal name or number\0"
	"kexpects a descriptor from 3 to 65535 (at most 16)\0"
	"oexpects poweroff, reboot or halt\0"
	"rexpects no, on-failure or always\0";

/*
 * One option, short or long, with its value: 1 to stop (--help), -1 on
 * error.  Long-only options and the environment's verbosity (q) have
 * letters too, close to the short ones so that the switch stays small,
 * but no short option may use them.
 */
static int
option(int c, const char *v, const char *flag)
{
	static const int reboot_cmd[] = {
		RB_POWER_OFF, RB_AUTOBOOT, RB_HALT_SYSTEM
	};
	long n = 0;

	switch (c) {
	case 'h':
		out(1, usage_text);
		return 1;
	case 'i':
		out(1, "nook-init version " NOOK_VERSION " - git." NOOK_GIT
		    "\n");
		return 1;
	case 'f': close_fds = 1; break;
	case 's': subreaper = 1; break;
	case 'g': group_kill = 1; break;
	case 'v': verbosity++; break;
	case 'q':	/* the environment's verbosity: a bad one is ignored */
		if ((n = parse_num(v, 0, 9)) >= 0)
			verbosity = (int)n;
		return 0;
	case 'w': case 'l': break;
	case 't':
		if ((n = parse_num(v, 0, 86400)) >= 0)
			grace = (int)n;
		break;
	case 'e':
		if ((n = parse_num(v, 0, 255)) >= 0)
			expect_zero[n / 8] |= 1 << (n % 8);
		break;
	case 'p':
		n = pdeathsig = parse_signal(v);
		break;
	case 'k':
		if ((n = parse_num(v, 3, 65535)) >= 0 && npass_fd < 16)
			pass_fd[npass_fd++] = (int)n;
		else
			n = -1;
		break;
	case 'o':
		if ((n = pick(v, "poweroff\0reboot\0halt\0")) >= 0)
			on_exit_cmd = reboot_cmd[n];
		break;
	case 'r':
		if ((n = pick(v, "no\0on-failure\0always\0")) >= 0)
			restart = (enum restart)n;
		break;
	default:
		return usage_error(flag, "unknown option");
	}
	return n < 0 ? usage_error(flag, lookup(expects, c)) : 0;
}

/* The options with a value are those with something they expect. */
static int
takes_value(char c)
{
	return lookup(expects, c) != 0;
}

/* Each long option: the letter option() knows it by, then its name. */
static const char long_names[] UNALIGNED =
	"h--help\0i--version\0f--close-fds\0k--pass-fd\0t--grace\0"
	"o--on-exit\0r--restart\0";

/* "--name", "--name=value" or "--name value" */
static int
long_option(char **argv, int *i)
{
	const char *arg = argv[*i], *n, *p = 0;

	for (n = long_names; *n; n += slen(n) + 1)
		if ((p = after(arg, n + 1)) && (!*p || *p == '='))
			break;
	if (!*n || (*p && !takes_value(*n)))
		return usage_error(arg, "unknown option");
	if (takes_value(*n) && !(p = *p ? p + 1 : argv[++*i]))
		return usage_error(n + 1, "needs a value");
	return option(*n, p, n + 1);
}

/* The short options, as entries for lookup() */
static const char short_names[] = "h\0s\0g\0v\0w\0l\0t\0e\0p\0";

/* "-s", "-sg", "-e3", "-se 3": a value ends the cluster */
static int
short_options(char **argv, int *i)
{
	const char *p, *v;
	char flag[3] = "-?";
	int r;

	for (p = argv[*i] + 1; *p; p++) {
		flag[1] = *p;
		v = 0;
		if (!lookup(short_names, *p))
			return usage_error(flag, "unknown option");
		if (takes_value(*p) && !(v = p[1] ? p + 1 : argv[++*i]))
			return usage_error(flag, "needs a value");
		if ((r = option(*p, v, flag)) || v)
			return r;
	}
	return 0;
}

/*
 * tini's grammar: short options may be combined ("-sg", "-e3"); parsing
 * stops at "--" or at the first non-option, so a kernel's "init -v sh -c x"
 * works.  Returns the index of PROGRAM, 0 after --help/--version, -1 on
 * error.
 */
static int
parse_args(int argc, char **argv)
{
	int i, r;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (same(argv[i], "--"))
			return ++i < argc ? i :
			    usage_error("--", "PROGRAM is missing");
		r = argv[i][1] == '-' ? long_option(argv, &i) :
		    short_options(argv, &i);
		if (r)
			return r > 0 ? 0 : -1;
	}
	if (i >= argc)
		return usage_error("PROGRAM", "is missing");
	return i;
}

/* getenv(3): the value of name, 0 when it is not set */
static const char *
env(const char *name)
{
	const char *v;
	char **e;

	for (e = environ; *e; e++)
		if ((v = after(*e, name)) && *v == '=')
			return v + 1;
	return 0;
}

/*
 * The environment's options, tini's names too: images made for tini
 * already set them.  Each is the option() letter, then the name; set to
 * anything but "" turns a flag on.
 */
static const char env_names[] UNALIGNED =
	"qTINI_VERBOSITY\0qNOOK_INIT_VERBOSITY\0"
	"sNOOK_INIT_SUBREAPER\0sTINI_SUBREAPER\0"
	"gNOOK_INIT_KILL_PROCESS_GROUP\0gTINI_KILL_PROCESS_GROUP\0"
	"fNOOK_INIT_CLOSE_FDS\0tNOOK_INIT_GRACE\0";

static void
env_options(void)
{
	const char *n, *v;

	for (n = env_names; *n; n += slen(n) + 1)
		if ((v = env(n + 1)) && *v)
			option(*n, v, n + 1);
}

/*
 * The initial PID namespace is the only one where reboot(2) does more
 * than signal the namespace's init: elsewhere RB_DISABLE_CAD fails with
 * EINVAL (or EPERM).  Its inode is fixed too; check both so a container's
 * PID 1 is never taken for a machine's.  Only called when getpid() == 1.
 */
static enum mode
detect_mode(void)
{
	struct stat st;

	/* the inode first, so a container never even tries reboot(2) */
	if (syscall(SYS_stat, "/proc/self/ns/pid", &st) == 0 &&
	    st.st_ino != INIT_PIDNS_INO)
		return MODE_NSINIT;
	if (reboot(RB_DISABLE_CAD) != 0)
		return MODE_NSINIT;
	return MODE_MACHINE;
}

/*
 * An initramfs /init starts with almost nothing: give it /proc, /sys,
 * /dev and /run where nothing is mounted yet, and a console as stdio.
 */
static void
machine_setup(void)
{
	static const char mounts[] UNALIGNED =
		"/proc\0proc\0/sys\0sysfs\0/dev\0devtmpfs\0/run\0tmpfs\0";
	const char *dir = mounts, *type;
	struct stat root, st;
	unsigned long flags;
	int i, fd;

	for (i = 0; i < 4 && !syscall(SYS_stat, "/", &root); i++) {
		type = dir + slen(dir) + 1;
		/* noexec for proc and sysfs, nodev but for devtmpfs */
		flags = MS_NOSUID | (i < 2 ? MS_NOEXEC : 0) |
		    (i != 2 ? MS_NODEV : 0);
		syscall(SYS_mkdir, dir, 0755);
		/* something is mounted there already: leave it */
		if (!syscall(SYS_stat, dir, &st) && st.st_dev == root.st_dev &&
		    syscall(SYS_mount, type, dir, type, flags,
		    i < 2 ? 0 : "mode=0755"))
			say(1, dir, ": mount: ", errstr(errno));
		dir = type + slen(type) + 1;
	}
	/* no O_CLOEXEC: it becomes the stdio that the child inherits */
	if (syscall(SYS_fcntl, 0, F_GETFD) < 0 &&
	    (fd = syscall(SYS_openat, AT_FDCWD, "/dev/console", O_RDWR)) >= 0) {
		for (i = 0; i < 3; i++)
			syscall(SYS_dup2, fd, i);
		if (fd > 2)
			syscall(SYS_close, fd);
	}
}

static int
ksigprocmask(int how, const ksigset *set, ksigset *old)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, sizeof(ksigset));
}

static ksigset
ksig_bit(int sig)
{
	return (ksigset)1 << (sig - 1);
}

/*
 * Every signal.  A SIGSEGV or SIGFPE someone sends with kill(2) is
 * forwarded like any other; a real fault of the init is forced through by
 * the kernel, blocked or not, and keeps its default action.
 */
static ksigset
waited_signals(void)
{
	return ~(ksig_bit(SIGKILL) | ksig_bit(SIGSTOP));
}

/* Close every descriptor from `from` on but those of --pass-fd. */
static void
close_extra_fds(unsigned from)
{
	unsigned next;
	int i;

	for (;;) {
		next = ~0U;
		for (i = 0; i < npass_fd; i++)
			if ((unsigned)pass_fd[i] >= from &&
			    (unsigned)pass_fd[i] < next)
				next = (unsigned)pass_fd[i];
		if (next > from && syscall(SYS_close_range, from, next == ~0U ?
		    ~0U : next - 1, 0))
			for (; from < 65536 && from < next; from++)
				syscall(SYS_close, from);
		if (next == ~0U)
			return;
		from = next + 1;
	}
}

/* execvp(3) without the heap: search PATH, remember EACCES. */
static int
exec_search(char **argv, char **envp, const char *path)
{
	char file[4096];
	const char *seg, *end;
	size_t dlen, flen = slen(argv[0]);
	int eacces = 0;

	if (!*argv[0])
		return ENOENT;
	for (end = argv[0]; *end; end++)
		if (*end == '/') {
			execve(argv[0], argv, envp);
			return errno;
		}
	for (seg = path; ; seg = end + 1) {
		for (end = seg; *end && *end != ':'; end++)
			;
		dlen = end - seg;
		if (dlen + flen + 2 <= sizeof(file)) {
			memcpy(file, dlen ? seg : ".", dlen ? dlen : 1);
			dlen = dlen ? dlen : 1;
			file[dlen] = '/';
			memcpy(file + dlen + 1, argv[0], flen + 1);
			execve(file, argv, envp);
			if (errno == EACCES)
				eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR &&
			    errno != ELOOP && errno != ENAMETOOLONG)
				return errno;
		}
		if (!*end)
			break;
	}
	return eacces ? EACCES : ENOENT;
}

/*
 * In the child: own process group, the terminal's foreground when stdin
 * is one (no harm when it is not; SIGTTOU is still blocked, so tcsetpgrp
 * cannot stop us), a clean signal state and a PATH.  Inherited
 * descriptors stay, as with tini, dumb-init and catatonit: whoever passes
 * fd 3 (--preserve-fds, socket activation, "3<file") means it for the
 * program.  The init's own are all close-on-exec.
 */
static void __attribute__((noreturn))
exec_child(char **argv)
{
	/* the kernel's struct sigaction, all zero: SIG_DFL */
	static unsigned long dfl[4];	/* in .bss: no bytes in the file */
	const char *path = env("PATH");
	long listen = parse_num(env("LISTEN_FDS"), 1, 1024);
	char lpid[40], b[24], **e, st[4096];
	const char *p;
	unsigned long long ignored;
	int sig, me = getpid();
	size_t n;

	/* socket activation: the descriptors and LISTEN_PID are the child's */
	scpy(scpy(lpid, "LISTEN_PID="), num(me, b));
	for (e = environ; *e; e++)
		;
	n = e - environ;
	char *envp[n + 2];
	/* a copy: after a vfork, environ is the parent's own */
	for (e = envp; e < envp + n; e++) {
		*e = environ[e - envp];
		if (listen > 0 && after(*e, "LISTEN_PID="))
			*e = lpid;
	}
	envp[n] = path ? 0 : (char *)"PATH=" DEFAULT_PATH;
	envp[n + 1] = 0;
	if (!path)
		path = DEFAULT_PATH;
	syscall(SYS_setpgid, 0, 0);
	syscall(SYS_ioctl, 0, TIOCSPGRP, &me);	/* tcsetpgrp(3) */
	/*
	 * Handlers end at the exec; what we were given as ignored does not.
	 * /proc/self/status names those (one read, 7 us here, against 64
	 * system calls, 60 us); without a /proc that shows us, all 64.
	 */
	ignored = ~0ULL;
	if (slurp(AT_FDCWD, "/proc/self/status", st, sizeof(st)) > 0 &&
	    (p = find(st, "SigIgn:\t")))
		for (ignored = 0; *p > ' '; p++)
			ignored = ignored << 4 | ((*p & 15) + (*p > '9' ? 9 : 0));
	for (sig = 1; sig <= KSIG_MAX; sig++)	/* KILL, STOP: EINVAL */
		if (ignored >> (sig - 1) & 1)
			syscall(SYS_rt_sigaction, sig, dfl, 0,
			    sizeof(ksigset));
	ksigprocmask(SIG_SETMASK, (ksigset *)&dfl[3], 0);	/* all zero */
	if (close_fds)
		close_extra_fds(3 + (listen > 0 ? listen : 0));
	sig = exec_search(argv, envp, path);	/* an errno now */
	say(0, argv[0], ": ", errstr(sig));
	_exit(sig == ENOENT || sig == ENOTDIR ? 127 : 126);
}

static pid_t
spawn(char **argv)
{
	/*
	 * vfork: no copy of our memory for a child that only execs (a start
	 * of nook 45 us faster here).  Until its exec the child runs on our
	 * memory, below this frame, and never returns: it writes only its
	 * own frames, its signal state and its descriptors.  A kernel that
	 * refuses it (Linux 6.1 refuses CLONE_VM while our children are
	 * bound for another time namespace than ours: the container's PID 1
	 * after nook's clone) gets the raw fork - libc's adds 2 KB of thread
	 * locking that a single-threaded init never needs.
	 */
	pid_t pid = vfork();

	if (pid < 0 && errno == EINVAL)
		pid = syscall(SYS_fork);
	if (pid == 0)
		exec_child(argv);
	if (pid < 0) {
		say(0, "fork: ", errstr(errno), 0);
		return -1;
	}
	/* after a fork, both sides, so no signal races the child's; after
	 * a vfork the child has done it already (and exec'd: EACCES) */
	syscall(SYS_setpgid, pid, pid);
	return pid;
}

static void
forward(int sig)
{
	if (sig == SIGPWR || sig == KSIG_HALT || sig == KSIG_POWEROFF)
		sig = SIGTERM;	/* stop requests of lxc-stop and nspawn */
	if (sig == SIGTERM || sig == SIGINT) {
		stopping = 1;
		if (mode == MODE_MACHINE)
			return;	/* stop_rest() takes the machine down */
	}
	if (child <= 0)
		return;
	if (kill(group_kill ? -child : child, sig) && group_kill)
		kill(child, sig);
}

/* The wait status as a shell would report it, before -e. */
static int
raw_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
status_code(int st)
{
	int code = raw_code(st);

	if (expect_zero[code / 8] & (1 << (code % 8)))
		return 0;
	return code;
}

static long
now_ms(void)
{
	struct timespec ts;

	/* the raw call: the vDSO lookup costs more bytes than it saves */
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Wait up to ms (-1: forever) for one signal; 0 on timeout. */
static int
wait_signal(long ms)
{
	ksigset set = waited_signals();
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	int sig;

	/* no siginfo: who sent it does not change what we do with it */
	sig = syscall(SYS_rt_sigtimedwait, &set, 0, ms < 0 ? 0 : &ts,
	    sizeof(ksigset));
	return sig < 0 ? 0 : sig;
}

static void
termed_forget(pid_t pid)
{
	int i;

	for (i = 0; i < MAX_TERMED; i++)
		if (termed[i] == pid)
			termed[i] = 0;
}

/* Reap every zombie; -1 when no child is left at all. */
static int
reap(int *child_status)
{
	int st;
	pid_t pid;

	for (;;) {
		pid = syscall(SYS_wait4, -1, &st, WNOHANG, 0);
		if (pid == 0)
			return 0;
		if (pid < 0)
			return errno == ECHILD ? -1 : 0;
		termed_forget(pid);
		if (pid == child) {
			*child_status = st;
			child = 0;
		}
	}
}

/* SIGTERM each child once; the zombie of a signalled one keeps its pid. */
static void
signal_child(pid_t pid, int sig)
{
	int i, slot = -1;

	for (i = 0; i < MAX_TERMED; i++) {
		if (termed[i] == pid)
			break;
		if (!termed[i] && slot < 0)
			slot = i;
	}
	if (sig == SIGTERM && i < MAX_TERMED)
		return;
	if (sig == SIGTERM && slot >= 0)
		termed[slot] = pid;
	kill(pid, sig);
	if (sig == SIGTERM)	/* a stopped one cannot act on it */
		kill(pid, SIGCONT);
}

/*
 * Walk /proc, only if it is our PID namespace's own (/proc/self names us):
 * another namespace's would name strangers.  Without `live`, signal our
 * own children (not PID 1: kill(-1) would reach the whole machine) and
 * count them.  With `live`, count every other process that is alive and
 * that we may signal, whoever its parent: a zombie is gone already, and
 * one whose parent is outside is that parent's to reap, never ours.
 * Returns -1 when /proc cannot be trusted.
 */
static int
scan_proc(int sig, int live)
{
	char buf[2048], name[40], stat[512], me[24], *p, *d;
	long self_pid = getpid();
	const char *self = num(self_pid, me);
	int dir, n, found = -1;
	long pos, len, pid;

	if ((dir = syscall(SYS_openat, AT_FDCWD, "/proc",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	n = syscall(SYS_readlinkat, dir, "self", name, sizeof(name) - 1);
	if (n > 0 && (name[n] = 0, same(name, self)))
		found = 0;
	while (found >= 0 &&
	    (len = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < len; pos += *(unsigned short *)(buf + pos + 16)) {
			d = buf + pos + 19;	/* linux_dirent64.d_name */
			pid = parse_num(d, 2, 1L << 30);
			if (pid < 0 || pid == self_pid)
				continue;
			scpy(scpy(name, d), "/stat");
			if (slurp(dir, name, stat, sizeof(stat)) < 0)
				continue;
			/* the last ')': the comm may have one */
			for (p = 0, d = stat; *d; d++)
				if (*d == ')')
					p = d;
			if (!p || d - p < 5)
				continue;
			if (live) {
				found += p[2] != 'Z' && p[2] != 'X' &&
				    !kill((pid_t)pid, 0);
				continue;
			}
			/* "pid (comm) S ppid ...": is the ppid ours? */
			if (!(d = (char *)after(p + 4, self)) || *d != ' ')
				continue;
			found++;
			signal_child((pid_t)pid, sig);
		}
	}
	syscall(SYS_close, dir);
	return found;
}

/* kill(-1) said ESRCH: nobody else at all, zombies included, is left */
static int nobody_left;

static void
signal_rest(int sig)
{
	if (mode != MODE_PLAIN && getpid() == 1) {
		/* PID 1 of its own namespace: only ours */
		nobody_left = kill(-1, sig) && errno == ESRCH;
		if (sig == SIGTERM)
			kill(-1, SIGCONT);
	}
	else if (subreaper)
		scan_proc(sig, 0);
}

/*
 * Besides our children, whom reap() counts, is anyone left who deserves
 * the grace period?  A process that entered the namespace with setns
 * (nsenter, docker exec) is not our child, yet it may want to clean up.
 * Its zombie, though, only its parent outside can reap: waiting for it
 * would last as long as that parent pleases.  Without our own /proc to
 * tell the two apart, nobody counts.
 */
static int
others_left(void)
{
	return mode == MODE_NSINIT && scan_proc(0, 1) > 0;
}

/*
 * The main child is gone: SIGTERM the rest, reap them as they go, SIGKILL
 * what is still there after the grace period, reap that too.  After the
 * SIGKILL only our own children are waited for, as tini and catatonit
 * wait: waitpid() answers ECHILD once none is left.  Whatever else is in
 * the namespace the kernel kills when we exit.
 */
static void
stop_rest(void)
{
	long deadline = now_ms() + grace * 1000L, left;
	int st;

	if (mode == MODE_PLAIN && !subreaper) {
		reap(&st);
		return;
	}
	if (grace > 0) {
		say(2, "sending SIGTERM to the remaining processes", 0, 0);
		signal_rest(SIGTERM);
	}
	while (grace > 0) {
		if (reap(&st) < 0 && (nobody_left || !others_left()))
			return;
		if (mode == MODE_PLAIN)
			scan_proc(SIGTERM, 0);	/* new orphans */
		if ((left = deadline - now_ms()) <= 0)
			break;
		wait_signal(left < 100 ? left : 100);
	}
	say(1, "grace period over, sending SIGKILL", 0, 0);
	for (;;) {
		signal_rest(SIGKILL);
		if (reap(&st) < 0)
			return;
		wait_signal(100);
	}
}

static void __attribute__((noreturn))
finish(int code)
{

	if (mode != MODE_MACHINE)
		_exit(code);
	/* Exiting would panic the kernel: bring the machine down instead. */
	stop_rest();
	sync();
	say(1, on_exit_cmd == RB_AUTOBOOT ? "rebooting" : "powering off", 0, 0);
	for (;;) {
		reboot(on_exit_cmd);
		wait_signal(1000);
	}
}

/*
 * One turn of the loop: wait up to ms (-1: forever) for a signal, reap,
 * pass the signal on.  Reap on every wake-up, not only on SIGCHLD: the
 * kernel hands over a thread's own pending signals, then the
 * lowest-numbered ones first, so a steady stream of HUP, USR1, PIPE or
 * ALRM (all below 17) would keep SIGCHLD, and the child's exit, waiting
 * for as long as the stream lasts.
 */
static void
step(long ms, int *st)
{
	char b[24];
	int sig = wait_signal(ms);

	reap(st);
	if (!sig || sig == SIGCHLD)
		return;
	say(3, "forwarding signal ", num(sig, b), 0);
	forward(sig);	/* after the child's exit too: a stop still counts */
}

/* Run the child until it exits (and again, with --restart). */
static int
supervise(char **argv)
{
	long started, backoff = 1000, end, left;
	int st = 0;
	char b[24];

	for (;;) {
		started = now_ms();
		if ((child = spawn(argv)) < 0)
			return EXIT_USAGE;
		while (child > 0) {
			step(-1, &st);
			if (stopping && mode == MODE_MACHINE)
				return 0;
		}
		say(2, argv[0], " exited with status ",
		    num(status_code(st), b));
		/* -e says how to report a status, not whether it failed */
		if (stopping || restart == RESTART_NO ||
		    (restart == RESTART_FAILURE && raw_code(st) == 0))
			return status_code(st);
		if (now_ms() - started > 10000)
			backoff = 1000;
		say(1, "restarting ", argv[0], 0);
		/* the back-off, still reaping and taking signals */
		for (end = now_ms() + backoff; (left = end - now_ms()) > 0; )
			if (step(left, &st), stopping)
				return status_code(st);
		backoff = backoff < 30000 ? backoff * 2 : 60000;
	}
}

int
main(int argc, char **argv)
{
	ksigset waited = waited_signals();
	int prog, code;

	ksigprocmask(SIG_BLOCK, &waited, 0);	/* nothing may be lost */
	if (getpid() == 1)
		mode = detect_mode();
	env_options();
	if ((prog = parse_args(argc, argv)) <= 0)
		finish(prog == 0 ? 0 : EXIT_USAGE);
	if (mode == MODE_MACHINE)
		machine_setup();
	if (pdeathsig && syscall(SYS_prctl, PR_SET_PDEATHSIG, pdeathsig))
		say(1, "-p: ", errstr(errno), 0);
	if (mode == MODE_PLAIN && subreaper &&
	    syscall(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1))
		say(1, "-s: ", errstr(errno), 0);
	if (mode == MODE_PLAIN && !subreaper)
		say(2, "not PID 1 and no -s: orphans will not be reaped here",
		    0, 0);
	code = supervise(argv + prog);
	if (mode != MODE_MACHINE)
		stop_rest();
	finish(code);
}
