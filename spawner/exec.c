// SPDX-License-Identifier: MIT
/*
 * nook exec NAME [--] COMMAND [ARG...]: a command in a running container,
 * made the way the container's own process was made.  Its record (state.c)
 * gives the ids and environment the first process had right after its
 * exec, its cgroups and the effective config; from the config come the
 * capabilities, no_new_privs, seccomp filter, cwd, umask and rlimits,
 * applied by the same code as at start (security.c).
 *
 * nook exec joins the namespaces itself and forks: setns(CLONE_NEWPID)
 * only moves children, so the command is a child in the container's PID
 * namespace, and nook exec, outside it, waits for it and passes signals
 * on.  What the command leaves behind is the init's: its parent is
 * inside.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook.h"
#include "state.h"

#define MAX_CG 16	/* cgroup hierarchies: one on a v2 host */

struct xjoin {
	struct state_rec rec;
	struct cfg c;
	struct run r;		/* what security.c reads: c, t; sock -1 */
	char **env;
	int pidfd;
	int nsfd[NS_COUNT];	/* /proc/PID/ns files, for kernels < 5.8 */
	int nsflags;		/* the namespaces that are not ours */
	int cgfd[MAX_CG];	/* cgroup.procs to join, opened on the host */
	size_t ncg;
	int parent;		/* a pidfd of nook exec, for the child */
	struct xoci *oci;	/* nook-oci exec, or NULL */
	int sync;		/* nook-oci: an errno goes up here, or -1 */
};

static const struct {
	const char *name;
	int flag;
} nses[NS_COUNT] = {	/* the user namespace first: it grants the rest */
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
	{ "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },
	{ "uts", CLONE_NEWUTS }, { "ipc", CLONE_NEWIPC },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* The effective config its nook wrote, loaded as nook loads any. */
static int
load_config(struct xjoin *x)
{
	char *path = xasprintf("%s@config.ini", x->rec.dir);
	size_t i;
	int rc;

	cfg_init(&x->c, path, "/");
	free(path);
	if (cfg_load_file(&x->c) != -2)
		cfg_validate(&x->c);
	cfg_sort_errors(&x->c);
	for (i = 0; i < x->c.nerrs; i++)
		fprintf(stderr, "nook: %s\n", x->c.errs[i]);
	rc = x->c.nerrs || x->c.oom ? -1 : 0;
	if (rc)
		fprintf(stderr, "nook: %s: its recorded config does not load\n",
		    x->rec.name);
	x->r.c = &x->c;
	x->r.t = &x->c.t;
	x->r.sock = -1;		/* child_fail() prints, then exits 125 */
	x->r.pid = 0;		/* sec_apply_rlimits() on ourselves */
	return rc;
}

/*
 * The environment of the container's PID 1, NUL-separated, from
 * /proc/PID/environ - read, then the pid checked to be still the one
 * recorded (its start time), so that a recycled pid lends nothing.
 */
static int
load_env(struct xjoin *x)
{
	size_t len, n = 0, i;
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)x->rec.pid);
	text = state_get_file(AT_FDCWD, path, &len);
	if (text && state_proc_start(x->rec.pid) != x->rec.start) {
		free(text);
		text = NULL;
		errno = ESRCH;
	}
	if (!text) {
		fprintf(stderr, "nook: %s: the environment of its PID 1: %s\n",
		    x->rec.name, strerror(errno));
		return -1;
	}
	for (i = 0; i < len; i++)
		n += !text[i];
	x->env = xcalloc(n + 1, sizeof(char *));
	for (i = n = 0; i < len; i += strlen(text + i) + 1)
		x->env[n++] = text + i;
	return 0;
}

/* Is TOK (N bytes) one of the comma-separated OPTS? */
static int
has_opt(const char *opts, const char *tok, size_t n)
{
	size_t m;

	for (; *opts; opts += m + !!opts[m]) {
		m = strcspn(opts, ",");
		if (m == n && !strncmp(opts, tok, n))
			return 1;
	}
	return 0;
}

/*
 * Where hierarchy CTL ("" for v2, "memory" or "cpu,cpuacct" for v1) is
 * mounted, from our mountinfo: the mount point, and the cgroup at its
 * root (not "/" in a cgroup namespace or for a bind mount).
 */
static int
xcg_mount(const char *ctl, char mnt[4096], char root[4096])
{
	char line[8192], fs[64], opts[1024], *dash;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;
	const char *c;
	size_t n;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (!(dash = strstr(line, " - ")) || sscanf(dash, " - %63s %*s "
		    "%1023s", fs, opts) != 2 || sscanf(line, "%*s %*s %*s "
		    "%4095s %4095s", root, mnt) != 2 ||
		    strcmp(fs, *ctl ? "cgroup" : "cgroup2"))
			continue;
		for (found = 1, c = ctl; found && *c; c += n + !!c[n]) {
			n = strcspn(c, ",");
			found = has_opt(opts, c, n);
		}
	}
	if (f)
		fclose(f);
	return found ? 0 : -1;
}

/* Our own line of /proc/self/cgroup for hierarchy HIER ("4:memory:"). */
static int
in_same_cgroup(const char *hier, size_t n, const char *path)
{
	char *self = state_get_file(AT_FDCWD, "/proc/self/cgroup", NULL), *p;
	int same = 0;

	for (p = self; p && *p; p += strcspn(p, "\n") + !!p[strcspn(p, "\n")])
		if (!strncmp(p, hier, n) && !strncmp(p + n, path,
		    strlen(path)) && (p[n + strlen(path)] == '\n' ||
		    !p[n + strlen(path)]))
			same = 1;
	free(self);
	return same;
}

/*
 * Open cgroup.procs of each cgroup the container's PID 1 was in, unless
 * it is ours: on the host, so the write from inside (the child writes
 * "0": itself) is checked against the opener - us, as the kernel does
 * since 5.16 - and nook exec itself never enters the container's cgroup.
 */
static int
xcg_open(struct xjoin *x)
{
	char mnt[4096], root[4096], *line, *save, *path, *ctl, *file;
	const char *why = "not mounted here";
	size_t rl;

	for (line = strtok_r(x->rec.cgroup, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!(ctl = strchr(line, ':')) ||
		    !(path = strchr(ctl + 1, ':')))
			continue;
		if (in_same_cgroup(line, (size_t)(path - line) + 1, path + 1))
			continue;
		*ctl++ = 0;	/* line "4", ctl "memory", path "/x" */
		*path++ = 0;
		rl = xcg_mount(ctl, mnt, root) ? 0 : strlen(root);
		if (!rl || x->ncg == MAX_CG || (strcmp(root, "/") &&
		    (strncmp(path, root, rl) || (path[rl] && path[rl] != '/'))))
			goto fail;
		file = xasprintf("%s%s/cgroup.procs", mnt, strcmp(root, "/") ?
		    path + rl : path);
		x->cgfd[x->ncg] = open(file, O_WRONLY | O_CLOEXEC);
		free(file);
		if (x->cgfd[x->ncg++] < 0) {
			why = strerror(errno);
			goto fail;
		}
	}
	return 0;
fail:
	fprintf(stderr, "nook: %s: join its cgroup %s:%s: %s\n", x->rec.name,
	    *ctl ? ctl : "(v2)", path, why);
	return -1;
}

/*
 * The container's namespaces that are not ours: joining the user
 * namespace we are in fails, and joining any other we share would ask,
 * from inside the joined user namespace, for a privilege over it that
 * is gone.  The files stay open for kernels without setns on a pidfd.
 */
static int
open_ns(struct xjoin *x)
{
	char path[64];
	struct stat a, b;
	int i;

	for (i = 0; i < NS_COUNT; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)x->rec.pid,
		    nses[i].name);
		if ((x->nsfd[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0 &&
		    errno == ENOENT && state_proc_start(x->rec.pid))
			continue;	/* a kernel without this kind */
		if (x->nsfd[i] < 0 || fstat(x->nsfd[i], &a)) {
			fprintf(stderr, "nook: %s: %s: %s\n", x->rec.name, path,
			    strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "/proc/self/ns/%s", nses[i].name);
		if (!stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev) {
			close(x->nsfd[i]);
			x->nsfd[i] = -1;
		} else
			x->nsflags |= nses[i].flag;
	}
	/* the files are of the recorded process, not of a recycled pid */
	if (state_proc_start(x->rec.pid) != x->rec.start) {
		fprintf(stderr, "nook: %s: is not running\n", x->rec.name);
		return -1;
	}
	return 0;
}

/* All at once through the pidfd (5.8), else one by one, user first. */
static int
join_ns(struct xjoin *x)
{
	int i;

	if (!x->nsflags || !setns(x->pidfd, x->nsflags))
		return 0;
	for (i = 0; errno == EINVAL && i < NS_COUNT; i++)
		if (x->nsfd[i] >= 0 && setns(x->nsfd[i], nses[i].flag))
			break;
	if (errno == EINVAL && i == NS_COUNT)
		return 0;
	fprintf(stderr, "nook: %s: join its namespaces: %s\n", x->rec.name,
	    strerror(errno));
	return -1;
}

/* Whether the container's user namespace denies setgroups(2). */
static int
setgroups_denied(pid_t pid)
{
	char path[64], *text;
	int denied;

	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	text = state_get_file(AT_FDCWD, path, NULL);
	denied = text && !strncmp(text, "deny", 4);
	free(text);
	return denied;
}

static void __attribute__((noreturn))
die(struct xjoin *x, const char *what)
{
	int e = errno;

	fprintf(stderr, "nook: %s: exec: %s: %s\n", x->rec.name, what,
	    strerror(e));
	if (x->sync >= 0 && write(x->sync, &e, sizeof(e)) < 0)
		e = 0;
	_exit(EXIT_NOOK);
}

/* The ids its first process had, as process.c's apply_creds set them. */
static void
set_ids(struct xjoin *x)
{
	const struct state_rec *rec = &x->rec;

	if (!x->r.setgroups_denied && setgroups(rec->ngroups, rec->groups))
		die(x, "setgroups");
	if (setresgid(rec->gid, rec->gid, rec->gid))
		die(x, "setresgid");
	if (setresuid(rec->uid, rec->uid, rec->uid))
		die(x, "setresuid");
}

/*
 * nook-oci exec --tty: a pty of the container's own devpts (its
 * /dev/ptmx, the mounts joined), the slave our controlling terminal and
 * 0-2, the master to whoever listens on --console-socket.
 */
static void
oci_terminal(struct xjoin *x)
{
	int m, s, i;
	char *name;

	if ((m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		die(x, "open the container's /dev/ptmx");
	if (unlockpt(m) || !(name = ptsname(m)))
		die(x, "unlock its pty");
	if ((s = open(name, O_RDWR | O_NOCTTY)) < 0)
		die(x, name);
	if (fchown(s, x->rec.uid, x->rec.gid) && errno != EINVAL)
		die(x, "chown its pty");
	if (x->r.t->tty_size[0] && ioctl(s, TIOCSWINSZ, &(struct winsize){
	    .ws_row = (unsigned short)x->r.t->tty_size[0],
	    .ws_col = (unsigned short)x->r.t->tty_size[1] }))
		die(x, "set the size of its pty");
	if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0))
		die(x, "make its pty the controlling terminal");
	for (i = 0; i < 3; i++)
		if (dup2(s, i) != i)
			die(x, "dup2 its pty");
	if (s > 2)
		close(s);
	if (x->oci->send_console(x->oci->console_fd, m))
		_exit(EXIT_NOOK);
	close(m);
	close(x->oci->console_fd);
}

/*
 * In the container's PID namespace: the rest in proc_exec()'s order -
 * the cgroup, the bounding set while fully privileged, the ids keeping
 * capabilities, the cwd as the user, the capability sets and
 * no_new_privs, the descriptors, seccomp last.  Never returns.
 */
static void __attribute__((noreturn))
child(struct xjoin *x, char **cmd, const sigset_t *mask)
{
	struct run *r = &x->r;
	size_t i;
	int e;

	for (i = 0; i < x->ncg; i++)
		if (write(x->cgfd[i], "0", 1) != 1)
			die(x, "join its cgroup");
	if (x->oci && x->oci->console_fd >= 0)
		oci_terminal(x);
	sec_drop_bounding(r);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	set_ids(x);
	/* it lives as long as nook exec, as the container with its nook:
	 * orphaned, it would go to a reaper of the host, not nook-init
	 * (set after the ids: changing them clears it); nook-oci exec
	 * --detach leaves it to its caller, a subreaper */
	if (!(x->oci && x->oci->detach) && (prctl(PR_SET_PDEATHSIG,
	    SIGKILL) || poll(&(struct pollfd){ .fd = x->parent,
	    .events = POLLIN }, 1, 0)))
		die(x, "follow nook exec");
	if (chdir(r->t->cwd))
		die(x, r->t->cwd);
	sec_apply_caps(r);
	umask((mode_t)r->t->umask);
	/* nothing of the host's goes in: not even what our caller leaked,
	 * but what nook-oci exec --preserve-fds passes */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC))
		die(x, "close_range");
	for (i = 0; x->oci && i < r->t->pass_fd.n; i++)
		if (fcntl(r->t->pass_fd.v[i], F_SETFD, 0))
			die(x, "pass a descriptor");
	sec_apply_seccomp(r);
	sec_release_admin(r);
	sigprocmask(SIG_SETMASK, mask, NULL);
	environ = x->env;
	execvp(cmd[0], cmd);
	e = errno;
	if (x->sync < 0)	/* nook-oci exec says it in runc's words */
		fprintf(stderr, "nook: %s: %s\n", cmd[0], strerror(e));
	else if (write(x->sync, &e, sizeof(e)) < 0)
		e = errno;
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}

/* Pass signals on until the command ends; its status, 128+N if killed. */
static int
wait_child(pid_t pid, const sigset_t *all)
{
	struct timespec ts = { 1, 0 };
	siginfo_t si;
	int sig, st;

	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
		sig = sigtimedwait(all, &si, &ts);
		if (sig > 0 && sig != SIGCHLD)
			kill(pid, sig);
	}
}

/* Everything nook exec does on the host, then the joins. */
static int
prepare(struct xjoin *x, const char *name)
{
	if (state_find(name, &x->rec))
		return -1;
	if (x->rec.pid <= 0) {
		fprintf(stderr, "nook: %s: is still being set up\n", name);
		return -1;
	}
	if ((x->pidfd = state_pidfd(x->rec.pid, x->rec.start)) < 0) {
		fprintf(stderr, "nook: %s: is not running\n", name);
		return -1;
	}
	if (load_config(x) || load_env(x) || sec_apply_rlimits(&x->r) ||
	    open_ns(x) || xcg_open(x))
		return -1;
	x->r.setgroups_denied = setgroups_denied(x->rec.pid);
	return join_ns(x);
}

/* nook exec NAME [--] COMMAND [ARG...] */
int
exec_command(int argc, char **argv)
{
	static struct xjoin x;
	int i = argc > 2 && !strcmp(argv[2], "--") ? 3 : 2;
	sigset_t all, old;
	pid_t pid;

	if (argc < 2 || i >= argc) {
		fputs("nook: exec: usage: nook exec NAME [--] COMMAND [ARG...]"
		    "\ntry 'nook --help'\n", stderr);
		return EXIT_NOOK;
	}
	x.pidfd = -1;
	x.sync = -1;
	for (i = 0; i < NS_COUNT; i++)
		x.nsfd[i] = -1;
	i = !strcmp(argv[2], "--") ? 3 : 2;
	/* before anything of the container may look: CVE-2016-9962 */
	if (prctl(PR_SET_DUMPABLE, 0)) {
		perror("nook: prctl PR_SET_DUMPABLE");
		return EXIT_NOOK;
	}
	if (prepare(&x, argv[1]))
		return EXIT_NOOK;
	sig_fill(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fflush(NULL);
	if ((x.parent = (int)syscall(SYS_pidfd_open, getpid(), 0)) < 0) {
		perror("nook: exec: pidfd_open");
		return EXIT_NOOK;
	}
	if ((pid = fork()) == 0)
		child(&x, argv + i, &old);
	if (pid < 0) {
		perror("nook: exec: fork");
		return EXIT_NOOK;
	}
	return wait_child(pid, &all);
}

/*
 * nook-oci exec: as nook exec, with the container's process and the
 * process's config given (the bundle's config.json with --process or
 * the command line over its "process") instead of a record.
 */
int
exec_oci(struct xoci *e)
{
	static struct xjoin x;
	const struct nook_config *t = &e->c->t;
	int sync[2], p[2], err, st, lo;
	sigset_t all, old;
	ssize_t n;
	size_t i;
	pid_t pid;
	char *cg, path[64];

	x.pidfd = -1;
	x.sync = -1;
	x.oci = e;
	for (i = 0; i < NS_COUNT; i++)
		x.nsfd[i] = -1;
	if (prctl(PR_SET_DUMPABLE, 0)) {
		perror("nook-oci: prctl PR_SET_DUMPABLE");
		return EXIT_NOOK;
	}
	snprintf(x.rec.name, sizeof(x.rec.name), "%s", e->id);
	x.rec.pid = e->pid;
	x.rec.start = e->start;
	x.rec.uid = (uid_t)t->user.id;
	x.rec.gid = (gid_t)t->group.id;
	for (i = 0; i < t->ngroups && i < 64; i++)
		x.rec.groups[i] = (gid_t)t->groups[i].id;
	x.rec.ngroups = i;
	if ((x.pidfd = state_pidfd(e->pid, e->start)) < 0) {
		fprintf(stderr, "nook-oci: %s: is not running\n", e->id);
		return EXIT_NOOK;
	}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)e->pid);
	if (!(cg = state_get_file(AT_FDCWD, path, NULL))) {
		fprintf(stderr, "nook-oci: %s: its cgroups: %s\n", e->id,
		    strerror(errno));
		return EXIT_NOOK;
	}
	snprintf(x.rec.cgroup, sizeof(x.rec.cgroup), "%s", cg);
	free(cg);
	x.r.c = e->c;
	x.r.t = t;
	x.r.sock = -1;
	x.r.pid = 0;
	x.env = t->env;
	if (sec_apply_rlimits(&x.r) || open_ns(&x) || xcg_open(&x))
		return EXIT_NOOK;
	x.r.setgroups_denied = setgroups_denied(e->pid);
	if (join_ns(&x))
		return EXIT_NOOK;
	sig_fill(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	fflush(NULL);
	if ((x.parent = (int)syscall(SYS_pidfd_open, getpid(), 0)) < 0) {
		perror("nook-oci: exec: pidfd_open");
		return EXIT_NOOK;
	}
	/* above any descriptor --preserve-fds passes */
	for (i = 0, lo = 3; i < t->pass_fd.n; i++)
		if (t->pass_fd.v[i] >= lo)
			lo = t->pass_fd.v[i] + 1;
	if (pipe2(p, O_CLOEXEC) ||
	    (sync[0] = fcntl(p[0], F_DUPFD_CLOEXEC, lo)) < 0 ||
	    (sync[1] = fcntl(p[1], F_DUPFD_CLOEXEC, lo)) < 0) {
		perror("nook-oci: exec: pipe");
		return EXIT_NOOK;
	}
	close(p[0]);
	close(p[1]);
	if ((pid = fork()) == 0) {
		close(sync[0]);
		x.sync = sync[1];
		child(&x, t->command, &old);
	}
	if (pid < 0) {
		perror("nook-oci: exec: fork");
		return EXIT_NOOK;
	}
	close(sync[1]);
	if (e->console_fd >= 0)
		close(e->console_fd);
	/* as runc: exec returns once the process runs, or says why not */
	while ((n = read(sync[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	close(sync[0]);
	if (n == sizeof(err)) {
		waitpid(pid, &st, 0);
		if (err == ENOENT || err == ENOTDIR)
			fprintf(stderr, "nook-oci: exec: \"%s\": executable file "
			    "not found in $PATH\n", t->command[0]);
		else if (err == EACCES)
			fprintf(stderr, "nook-oci: exec: \"%s\": permission "
			    "denied\n", t->command[0]);
		return WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_NOOK;
	}
	if (e->pid_base && e->write_pid_file(e->pid_dir, e->pid_base, pid)) {
		kill(pid, SIGKILL);
		return EXIT_NOOK;
	}
	return e->detach ? 0 : wait_child(pid, &all);
}
