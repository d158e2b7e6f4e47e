// SPDX-License-Identifier: MIT
/*
 * nook-init - a tiny PID 1 for containers and appliances.
 *
 * One process, one loop: every signal is blocked and taken synchronously
 * with rt_sigtimedwait(), SIGCHLD reaps, everything else is forwarded to
 * the child.  When the child exits the rest of the tree is stopped
 * gracefully (SIGTERM, grace period, SIGKILL) before the init exits - or,
 * as the real PID 1 of a machine, powers off, because exiting there panics
 * the kernel.  libc only, no heap after start-up, built static.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

/* Minimal stderr logger: stdio would triple the binary's size. */
static void
say(int level, const char *a, const char *b, const char *c)
{
	const char *parts[] = { "nook-init: ", a, b, c, "\n" };
	unsigned i;

	if (level > verbosity)
		return;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (parts[i] && write(2, parts[i], strlen(parts[i])) < 0)
			return;
}

static const char *
num(long v, char *buf)
{
	char *p = buf + 23;
	int neg = v < 0;
	unsigned long u = neg ? -(unsigned long)v : (unsigned long)v;

	*p = 0;
	do
		*--p = '0' + u % 10;
	while (u /= 10);
	if (neg)
		*--p = '-';
	return p;
}

/*
 * errstr(3) for the errors an init can meet; libc's whole table would be
 * an eighth of the binary.
 */
static const char *
errstr(int e)
{
	static const struct { int e; const char *s; } t[] = {
		{ EPERM, "Operation not permitted" },
		{ ENOENT, "No such file or directory" },
		{ ESRCH, "No such process" },
		{ E2BIG, "Argument list too long" },
		{ ENOEXEC, "Exec format error" },
		{ EAGAIN, "Resource temporarily unavailable" },
		{ ENOMEM, "Out of memory" },
		{ EACCES, "Permission denied" },
		{ EBUSY, "Resource busy" },
		{ ENODEV, "No such device" },
		{ ENOTDIR, "Not a directory" },
		{ EISDIR, "Is a directory" },
		{ EINVAL, "Invalid argument" },
		{ ETXTBSY, "Text file busy" },
		{ ENAMETOOLONG, "File name too long" },
		{ ENOSYS, "Function not implemented" },
		{ ELOOP, "Too many levels of symbolic links" },
		{ ELIBBAD, "Accessing a corrupted shared library" },
	};
	static char buf[24];
	char *p;
	unsigned i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].e == e)
			return t[i].s;
	p = (char *)num(e, buf) - 6;
	memcpy(p, "errno ", 6);
	return p;
}

static void
usage_error(const char *flag, const char *why)
{
	say(0, flag, ": ", why);
	say(0, "try 'nook-init --help'", 0, 0);
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

static const char sig_names[] =
	"HUP\0INT\0QUIT\0ILL\0TRAP\0ABRT\0BUS\0FPE\0KILL\0USR1\0SEGV\0USR2\0"
	"PIPE\0ALRM\0TERM\0STKFLT\0CHLD\0CONT\0STOP\0TSTP\0TTIN\0TTOU\0URG\0"
	"XCPU\0XFSZ\0VTALRM\0PROF\0WINCH\0IO\0PWR\0SYS\0";

/* "TERM", "SIGTERM", "15", "RTMIN+3", "SIGRTMAX-1"; -1 when unknown. */
static int
parse_signal(const char *s)
{
	const char *n = sig_names;
	long off;
	int i;

	if (*s >= '0' && *s <= '9')
		return parse_num(s, 1, KSIG_MAX);
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 1; *n; i++, n += strlen(n) + 1)
		if (!strcmp(s, n))
			return i;
	if (!strncmp(s, "RTMIN", 5)) {
		if (!s[5])
			return KSIG_RTMIN;
		off = s[5] == '+' ? parse_num(s + 6, 0, 30) : -1;
		return off < 0 ? -1 : KSIG_RTMIN + off;
	}
	if (!strncmp(s, "RTMAX", 5)) {
		if (!s[5])
			return KSIG_MAX;
		off = s[5] == '-' ? parse_num(s + 6, 0, 30) : -1;
		return off < 0 ? -1 : KSIG_MAX - off;
	}
	return -1;
}

static const char usage_text[] =
"usage: nook-init [OPTIONS] [--] PROGRAM [ARGS...]\n"
"Run PROGRAM as the child of a minimal init: reap zombies, forward signals,\n"
"and on exit stop what is left gracefully.\n"
"\n"
"  -s               become a child subreaper when not PID 1\n"
"  -g               forward signals to the child's process group\n"
"  -e CODE          treat exit code CODE as 0 (repeatable)\n"
"  -p SIGNAL        parent-death signal of the init\n"
"  -t, --grace SECONDS\n"
"                   grace between SIGTERM and SIGKILL at shutdown (5)\n"
"  -v               more messages on stderr (repeatable)\n"
"  --close-fds      close inherited descriptors above 2 before the exec\n"
"  --pass-fd=FD     but keep FD open (repeatable)\n"
"  -w, -l           accepted for tini compatibility\n"
"  --on-exit=poweroff|reboot|halt\n"
"                   machine PID 1 only: what to do when PROGRAM exits\n"
"  --restart=no|on-failure|always\n"
"                   restart PROGRAM with a back-off instead of exiting\n"
"  -h, --help       this text\n"
"  --version        print the version\n"
"\n"
"Environment: NOOK_INIT_SUBREAPER, NOOK_INIT_KILL_PROCESS_GROUP,\n"
"NOOK_INIT_VERBOSITY, NOOK_INIT_GRACE, NOOK_INIT_CLOSE_FDS (TINI_SUBREAPER,\n"
"TINI_KILL_PROCESS_GROUP and TINI_VERBOSITY are honoured too).\n"
"Exit status: PROGRAM's, 128+N if it died of signal N, 126 when it cannot\n"
"be executed, 127 when not found, 125 for the init's own errors.\n";

static void
put(const char *s)
{
	if (write(1, s, strlen(s)) < 0)
		return;
}

/* A long option's value: "--name=value" or "--name value". */
static const char *
long_value(char **argv, int *i, const char *arg, size_t len)
{
	if (arg[len] == '=')
		return arg + len + 1;
	if (arg[len] == 0 && argv[*i + 1])
		return argv[++*i];
	return 0;
}

static int
set_grace(const char *v, const char *flag)
{
	long g = parse_num(v, 0, 86400);

	if (g < 0) {
		usage_error(flag, "expects seconds from 0 to 86400");
		return -1;
	}
	grace = (int)g;
	return 0;
}

static int
parse_long(char **argv, int *i)
{
	const char *arg = argv[*i], *v;

	if (!strcmp(arg, "--help")) {
		put(usage_text);
		return 1;
	}
	if (!strcmp(arg, "--version")) {
		put("nook-init version " NOOK_VERSION " - git." NOOK_GIT "\n");
		return 1;
	}
	if (!strcmp(arg, "--close-fds")) {
		close_fds = 1;
		return 0;
	}
	if (!strncmp(arg, "--pass-fd", 9) && (arg[9] == '=' || !arg[9])) {
		long fd = parse_num(long_value(argv, i, arg, 9), 3, 65535);

		if (fd < 0 || npass_fd == 16)
			return usage_error("--pass-fd", "expects a descriptor "
			    "from 3 to 65535 (at most 16)"), -1;
		pass_fd[npass_fd++] = (int)fd;
		return 0;
	}
	if (!strncmp(arg, "--grace", 7) && (arg[7] == '=' || !arg[7]))
		return set_grace(long_value(argv, i, arg, 7), "--grace");
	if (!strncmp(arg, "--on-exit", 9) && (arg[9] == '=' || !arg[9])) {
		v = long_value(argv, i, arg, 9);
		if (v && !strcmp(v, "poweroff"))
			on_exit_cmd = RB_POWER_OFF;
		else if (v && !strcmp(v, "reboot"))
			on_exit_cmd = RB_AUTOBOOT;
		else if (v && !strcmp(v, "halt"))
			on_exit_cmd = RB_HALT_SYSTEM;
		else
			return usage_error("--on-exit",
			    "expects poweroff, reboot or halt"), -1;
		return 0;
	}
	if (!strncmp(arg, "--restart", 9) && (arg[9] == '=' || !arg[9])) {
		v = long_value(argv, i, arg, 9);
		if (v && !strcmp(v, "no"))
			restart = RESTART_NO;
		else if (v && !strcmp(v, "on-failure"))
			restart = RESTART_FAILURE;
		else if (v && !strcmp(v, "always"))
			restart = RESTART_ALWAYS;
		else
			return usage_error("--restart",
			    "expects no, on-failure or always"), -1;
		return 0;
	}
	usage_error(arg, "unknown option");
	return -1;
}

/* One short option with its value; returns -1 on error. */
static int
short_opt(char c, const char *v)
{
	long n;

	switch (c) {
	case 's': subreaper = 1; return 0;
	case 'g': group_kill = 1; return 0;
	case 'v': verbosity++; return 0;
	case 'w': case 'l': return 0;
	case 't': return set_grace(v, "-t");
	case 'e':
		if ((n = parse_num(v, 0, 255)) < 0)
			return usage_error("-e", "expects an exit code 0-255"), -1;
		expect_zero[n / 8] |= 1 << (n % 8);
		return 0;
	case 'p':
		if (!v || (pdeathsig = parse_signal(v)) < 0)
			return usage_error("-p", "expects a signal name or number"), -1;
		return 0;
	}
	return -1;
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
	const char *p, *v;
	char opt[3] = "-?";

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1 < argc ? i + 1 :
			    (usage_error("--", "PROGRAM is missing"), -1);
		if (argv[i][1] == '-') {
			if ((r = parse_long(argv, &i)))
				return r > 0 ? 0 : -1;
			continue;
		}
		if (!strcmp(argv[i], "-h"))
			return put(usage_text), 0;
		for (p = argv[i] + 1; *p; p++) {
			opt[1] = *p;
			v = 0;
			if (strchr("tep", *p)) {
				v = p[1] ? p + 1 : argv[++i];
				if (!v)
					return usage_error(opt, "needs a value"), -1;
			}
			if (short_opt(*p, v) < 0) {
				if (!strchr("tep", *p))
					usage_error(opt, "unknown option");
				return -1;
			}
			if (v)
				break;
		}
	}
	if (i >= argc)
		return usage_error("PROGRAM", "is missing"), -1;
	return i;
}

/* tini's variables too: images made for tini already set them. */
static void
env_options(void)
{
	const char *v;
	long n;

	if (((v = getenv("NOOK_INIT_SUBREAPER")) && *v) ||
	    ((v = getenv("TINI_SUBREAPER")) && *v))
		subreaper = 1;
	if (((v = getenv("NOOK_INIT_KILL_PROCESS_GROUP")) && *v) ||
	    ((v = getenv("TINI_KILL_PROCESS_GROUP")) && *v))
		group_kill = 1;
	if ((v = getenv("TINI_VERBOSITY")) && (n = parse_num(v, 0, 9)) >= 0)
		verbosity = (int)n;
	if ((v = getenv("NOOK_INIT_VERBOSITY")) && (n = parse_num(v, 0, 9)) >= 0)
		verbosity = (int)n;
	if ((v = getenv("NOOK_INIT_CLOSE_FDS")) && *v)
		close_fds = 1;
	if ((v = getenv("NOOK_INIT_GRACE")) && *v)
		set_grace(v, "NOOK_INIT_GRACE");
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

static void
mount_if_missing(const char *dir, const char *type, unsigned long flags,
    const char *data)
{
	struct stat root, st;

	mkdir(dir, 0755);
	if (syscall(SYS_stat, "/", &root) || syscall(SYS_stat, dir, &st))
		return;
	if (st.st_dev != root.st_dev)
		return;		/* something is mounted there already */
	if (mount(type, dir, type, flags, data))
		say(1, dir, ": mount: ", errstr(errno));
}

/* An initramfs /init starts with almost nothing: give it the basics. */
static void
machine_setup(void)
{
	int fd;

	mount_if_missing("/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
	mount_if_missing("/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0);
	mount_if_missing("/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	mount_if_missing("/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
	/* no O_CLOEXEC: it becomes the stdio that the child inherits */
	if (syscall(SYS_fcntl, 0, F_GETFD) < 0 &&
	    (fd = open("/dev/console", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
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
				close((int)from);
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
	size_t dlen, flen = strlen(argv[0]);
	int eacces = 0;

	if (!*argv[0])
		return ENOENT;
	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, envp);
		return errno;
	}
	for (seg = path; ; seg = end + 1) {
		end = strchrnul(seg, ':');
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
 * is one (SIGTTOU is still blocked, so tcsetpgrp cannot stop us), a clean
 * signal state and a PATH.  Inherited descriptors stay, as with tini,
 * dumb-init and catatonit: whoever passes fd 3 (--preserve-fds, socket
 * activation, "3<file") means it for the program.  The init's own are all
 * close-on-exec.
 */
static void __attribute__((noreturn))
exec_child(char **argv)
{
	struct { void *handler; unsigned long flags; void *restorer;
	    ksigset mask; } dfl = { SIG_DFL, 0, 0, 0 };
	const char *path = getenv("PATH");
	long listen = parse_num(getenv("LISTEN_FDS"), 1, 1024);
	char lpid[40] = "LISTEN_PID=", b[24];
	size_t n = 0;
	ksigset none = 0;
	int sig, e;

	while (environ[n])
		n++;
	char *envp[n + 2];
	memcpy(envp, environ, (n + 1) * sizeof(char *));
	/* socket activation: the descriptors and LISTEN_PID are the child's */
	strcat(lpid, num(getpid(), b));
	for (e = 0; listen > 0 && envp[e]; e++)
		if (!strncmp(envp[e], "LISTEN_PID=", 11))
			envp[e] = lpid;
	if (!path) {
		envp[n] = (char *)"PATH=" DEFAULT_PATH;
		envp[n + 1] = 0;
		path = DEFAULT_PATH;
	}
	setpgid(0, 0);
	if (isatty(0))
		tcsetpgrp(0, getpgrp());
	for (sig = 1; sig <= KSIG_MAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, 0, sizeof(ksigset));
	ksigprocmask(SIG_SETMASK, &none, 0);
	if (close_fds)
		close_extra_fds(3 + (listen > 0 ? listen : 0));
	e = exec_search(argv, envp, path);
	say(0, argv[0], ": ", errstr(e));
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

static pid_t
spawn(char **argv)
{
	/*
	 * The raw call: libc's fork() adds 2 KB of thread locking that a
	 * single-threaded init never needs.
	 */
	pid_t pid = syscall(SYS_fork);

	if (pid == 0)
		exec_child(argv);
	if (pid < 0) {
		say(0, "fork: ", errstr(errno), 0);
		return -1;
	}
	setpgid(pid, pid);	/* both sides, so no signal races the child's */
	return pid;
}

static void
forward(int sig)
{
	if (sig == SIGPWR || sig == KSIG_HALT || sig == KSIG_POWEROFF)
		sig = SIGTERM;	/* stop requests of lxc-stop and nspawn */
	if (sig == SIGTERM || sig == SIGINT)
		stopping = 1;
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
wait_signal(long ms, siginfo_t *si)
{
	ksigset set = waited_signals();
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	int sig;

	sig = syscall(SYS_rt_sigtimedwait, &set, si, ms < 0 ? 0 : &ts,
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
		pid = waitpid(-1, &st, WNOHANG);
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
	char buf[2048], name[40], stat[512], *p, *d;
	int dir, fd, n, found = -1;
	long pos, len, pid, self = getpid();

	if ((dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	n = readlinkat(dir, "self", name, sizeof(name) - 1);
	if (n > 0 && (name[n] = 0, !strcmp(name, num(self, stat))))
		found = 0;
	while (found >= 0 &&
	    (len = syscall(SYS_getdents64, dir, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < len; pos += *(unsigned short *)(buf + pos + 16)) {
			d = buf + pos + 19;	/* linux_dirent64.d_name */
			if ((pid = parse_num(d, 2, 1L << 30)) < 0 || pid == self)
				continue;
			strcat(strcpy(name, d), "/stat");
			if ((fd = openat(dir, name, O_RDONLY | O_CLOEXEC)) < 0)
				continue;
			n = read(fd, stat, sizeof(stat) - 1);
			close(fd);
			stat[n > 0 ? n : 0] = 0;
			if (!(p = strrchr(stat, ')')) || strlen(p) < 5)
				continue;
			if (live) {
				found += p[2] != 'Z' && p[2] != 'X' &&
				    !kill((pid_t)pid, 0);
				continue;
			}
			if ((d = strchr(p + 4, ' ')))
				*d = 0;
			if (parse_num(p + 4, 0, 1L << 30) != self)
				continue;
			found++;
			signal_child((pid_t)pid, sig);
		}
	}
	close(dir);
	return found;
}

static void
signal_rest(int sig)
{
	if (mode != MODE_PLAIN && getpid() == 1) {
		kill(-1, sig);	/* PID 1 of its own namespace: only ours */
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
	siginfo_t si;
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
		if (reap(&st) < 0 && !others_left())
			return;
		if (mode == MODE_PLAIN)
			scan_proc(SIGTERM, 0);	/* new orphans */
		if ((left = deadline - now_ms()) <= 0)
			break;
		wait_signal(left < 100 ? left : 100, &si);
	}
	say(1, "grace period over, sending SIGKILL", 0, 0);
	for (;;) {
		signal_rest(SIGKILL);
		if (reap(&st) < 0)
			return;
		wait_signal(100, &si);
	}
}

static void
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
		sleep(1);
	}
}

static int
should_restart(int st)
{
	if (stopping || restart == RESTART_NO)
		return 0;
	/* -e says how to report a status, not whether it failed */
	return restart == RESTART_ALWAYS || raw_code(st) != 0;
}

/* Sleep for a restart back-off while still reaping and taking signals. */
static int
backoff_wait(long ms)
{
	long deadline = now_ms() + ms, left;
	siginfo_t si;
	int sig, st;

	while ((left = deadline - now_ms()) > 0) {
		sig = wait_signal(left, &si);
		if (sig == SIGCHLD)
			reap(&st);
		else if (sig)
			forward(sig);
		if (stopping)
			return -1;
	}
	return 0;
}

static int
is_stop_request(int sig)
{
	return sig == SIGTERM || sig == SIGINT || sig == SIGPWR ||
	    sig == KSIG_HALT || sig == KSIG_POWEROFF;
}

/* Run the child until it exits (and again, with --restart). */
static int
supervise(char **argv)
{
	long started, backoff = 1000;
	siginfo_t si;
	int sig, st = 0;
	char b[24];

	for (;;) {
		started = now_ms();
		if ((child = spawn(argv)) < 0)
			return EXIT_USAGE;
		while (child > 0) {
			sig = wait_signal(-1, &si);
			if (sig == SIGCHLD) {
				reap(&st);
			} else if (sig && mode == MODE_MACHINE &&
			    is_stop_request(sig)) {
				stopping = 1;	/* stop_rest() takes it down */
				return 0;
			} else if (sig) {
				say(3, "forwarding signal ", num(sig, b), 0);
				forward(sig);
			}
		}
		say(2, argv[0], " exited with status ",
		    num(status_code(st), b));
		if (!should_restart(st))
			return status_code(st);
		if (now_ms() - started > 10000)
			backoff = 1000;
		say(1, "restarting ", argv[0], 0);
		if (backoff_wait(backoff) < 0)
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
	if (pdeathsig && prctl(PR_SET_PDEATHSIG, pdeathsig))
		say(1, "-p: ", errstr(errno), 0);
	if (mode == MODE_PLAIN && subreaper &&
	    prctl(PR_SET_CHILD_SUBREAPER, 1))
		say(1, "-s: ", errstr(errno), 0);
	if (mode == MODE_PLAIN && !subreaper)
		say(2, "not PID 1 and no -s: orphans will not be reaped here",
		    0, 0);
	code = supervise(argv + prog);
	if (mode != MODE_MACHINE)
		stop_rest();
	finish(code);
	return code;
}
