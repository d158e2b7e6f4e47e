// SPDX-License-Identifier: MIT
/*
 * nook - start a container from an INI file.  main() is the list of steps:
 * read and check the config, open what the child needs on the host, clone
 * into the namespaces, write the id maps, release the child (which builds
 * the root and execs nook-init from a memfd), then forward signals and
 * exit with the container's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nook.h"
#include "oci.h"

#ifndef NOOK_VERSION
#define NOOK_VERSION "0.0.0"
#endif
#ifndef NOOK_GIT
#define NOOK_GIT "unknown"
#endif

struct opts {
	const char *file;
	char **command;
	char **sets;
	size_t nsets;
	int check, print;
	int tty;		/* -t: TTY_YES, -T: TTY_NO, 0: as configured */
};

static void
usage(FILE *f)
{
	fputs("usage: nook [OPTIONS] CONFIG [OPTIONS] [-- COMMAND [ARG...]]\n"
	    "       nook ps | exec NAME [--] COMMAND [ARG...] | stop NAME\n"
	    "Start a container described by the INI file CONFIG (a file named "
	    "ps, exec\nor stop as ./ps); list, enter or stop running ones by "
	    "their [container] name.\n\n"
	    "  -c, --check              check the config and the host; start "
	    "nothing\n"
	    "  -p, --print-config       print the effective config as INI\n"
	    "  -s, --set SEC.KEY=VALUE  override a key (repeatable)\n"
	    "  -t, --tty                a terminal for the container "
	    "(process.tty=yes)\n"
	    "  -T, --no-tty             no terminal (process.tty=no)\n"
	    "  -v, --verbose            more messages (repeatable)\n"
	    "  -q, --quiet              errors only\n"
	    "  -h, --help               this text\n"
	    "  -V, --version            print the version\n\n"
	    "COMMAND after -- replaces [process] command.  Exit status: the "
	    "command's,\n128+N if it died of signal N, 126/127 if it cannot "
	    "be run or found,\n125 for nook's own errors.  See nook(1) and "
	    "nook.ini(5).\n", f);
}

/*
 * getopt's '?': an unknown option, -s without its value, or a value
 * given to a long option that takes none (--check=yes).  arg is the
 * word getopt stopped at; for a short option it may be an earlier one.
 */
static void
bad_option(const char *arg, const struct option *lo)
{
	const struct option *o = lo;

	while (o->name && o->val != optopt)
		o++;
	if (!optopt)
		fprintf(stderr, "nook: %s: unknown option\n", arg);
	else if (!o->name)
		fprintf(stderr, "nook: -%c: unknown option\n", optopt);
	else if (!strncmp(arg, "--", 2))
		fprintf(stderr, "nook: %.*s: %s\n", (int)strcspn(arg, "="), arg,
		    strchr(arg, '=') ? "takes no value" : "needs a value");
	else
		fprintf(stderr, "nook: -%c: needs a value\n", optopt);
	fputs("try 'nook --help'\n", stderr);
}

/*
 * Options may come before and after CONFIG, up to "--"; what follows
 * "--" is the command, never options of nook.
 */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "check", no_argument, NULL, 'c' },
		{ "print-config", no_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },
		{ "tty", no_argument, NULL, 't' },
		{ "no-tty", no_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch, dd;

	for (dd = 1; dd < argc && strcmp(argv[dd], "--"); dd++)
		;
	o->sets = xcalloc(argc, sizeof(char *));
	opterr = 0;
	/*
	 * "+": getopt stops at each operand, which is taken here and the
	 * parse goes on after it - not getopt's own reordering of argv,
	 * which musl's does wrongly when the last option lacks its value.
	 */
	for (;;) {
		while ((ch = getopt_long(dd, argv, "+cps:tTvqhV", lo,
		    NULL)) != -1) {
			switch (ch) {
			case 'c': o->check = 1; break;
			case 'p': o->print = 1; break;
			case 's': o->sets[o->nsets++] = optarg; break;
			case 't': o->tty = TTY_YES; break;
			case 'T': o->tty = TTY_NO; break;
			case 'v': verbosity++; break;
			case 'q': verbosity = 0; break;
			case 'h': usage(stdout); exit(0);
			case 'V':
				printf("nook version %s - git.%s\n",
				    NOOK_VERSION, NOOK_GIT);
				exit(0);
			default:	/* optind is past dd after a missing value */
				bad_option(argv[optind - 1 < dd ? optind - 1 :
				    dd - 1], lo);
				return -1;
			}
		}
		if (optind >= dd)
			break;
		if (o->file) {
			fprintf(stderr, "nook: %s: unexpected argument (COMMAND "
			    "goes after --)\n", argv[optind]);
			return -1;
		}
		o->file = argv[optind++];
	}
	if (!o->file) {
		fputs("nook: CONFIG is missing\ntry 'nook --help'\n", stderr);
		return -1;
	}
	if (dd + 1 < argc)
		o->command = argv + dd + 1;
	else if (dd < argc) {
		fputs("nook: --: COMMAND is missing\n", stderr);
		return -1;
	}
	return 0;
}

static int
load_config(struct cfg *c, struct opts *o)
{
	size_t i;
	char *dir = self_dir();	/* util.c */

	cfg_init(c, o->file, dir);
	free(dir);
	if (cfg_load_file(c) != -2) {	/* the file could be read */
		for (i = 0; i < o->nsets; i++)
			cfg_set(c, o->sets[i]);
		if (o->tty)	/* -t or -T: after every -s */
			cfg_set(c, o->tty == TTY_YES ? "process.tty=yes" :
			    "process.tty=no");
		if (o->command)
			cfg_set_command(c, o->command);
		/* every error in one pass, the host's too unless only
		 * printing (a config for another machine) */
		cfg_validate(c);
		if (!o->print && !c->dropped)
			cfg_check_host(c);
	}
	cfg_sort_errors(c);
	for (i = 0; i < c->nerrs; i++)
		fprintf(stderr, "nook: %s\n", c->errs[i]);
	if (c->oom)
		fprintf(stderr, "nook: %s: out of memory reading the "
		    "configuration\n", o->file);
	return c->nerrs || c->oom ? -1 : 0;
}

static void
block_signals(sigset_t *all)
{
	/* a real fault still kills us: the kernel forces it through */
	sig_fill(all);
	sigprocmask(SIG_BLOCK, all, NULL);
}

/* The parent may have written "deny" to our /proc/PID/setgroups. */
static int
setgroups_denied(void)
{
	char buf[16] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	return !strncmp(buf, "deny", 4);
}

/*
 * Non-dumpable before joining anything and before the clone, so the child
 * is born that way: while its root is still the host's, no process of a
 * joined namespace may open /proc/PID/root, /proc/PID/fd or ptrace it
 * (the class of CVE-2016-9962).  The exception is an unprivileged caller
 * with a new user namespace: it must write the child's uid_map, which a
 * non-dumpable child's /proc refuses it; that child sits in a user
 * namespace of its own that nothing but the same user can reach.
 */
static int
hide_from_joined(struct run *r)
{
	if (nook_euid() != 0 && r->clone_flags & CLONE_NEWUSER)
		return 0;
	if (prctl(PR_SET_DUMPABLE, 0)) {
		perror("nook: prctl PR_SET_DUMPABLE");
		return -1;
	}
	return 0;
}

/*
 * The container built, the child still root: the parent's word to go on
 * - "o", or "l" when lo is the child's to bring up.  Before it, the
 * parent may still find the name taken and kill the child: nothing of
 * the command may run until then.
 */
static void
wait_word(struct run *r)
{
	char w = 0;

	net_join(r);	/* without /sys: the namespace first */
	if (recv(r->sock, &w, 1, 0) != 1)
		_exit(EXIT_NOOK);	/* the parent is gone */
	if (w == 'l')
		net_child_lo(r);
}

/* Everything in the child before the exec; never returns. */
static void __attribute__((noreturn))
child_main(struct run *r, const sigset_t *all)
{
	close(r->peer);
	if (r->range_lock >= 0)
		close(r->range_lock);	/* the parent holds it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (ns_child_time(r) && send(r->sock, "t", 1, MSG_NOSIGNAL) != 1)
		_exit(EXIT_NOOK);
	if (idmap_recv_go(r))		/* the parent is gone */
		_exit(EXIT_NOOK);
	cg_child(r);			/* in its cgroups now: cgroup.c */
	prctl(PR_SET_DUMPABLE, 0);
	r->setgroups_denied = setgroups_denied();
	/* still the host's uid: may open a rootfs below a 0700 directory */
	mnt_open_root(r);
	/* become container root, so setup creates files as a mapped id */
	if (r->t->ns[0].mode != NS_HOST && (setresgid(0, 0, 0) ||
	    setresuid(0, 0, 0)) && errno != EINVAL)
		child_fail(r, NULL, K_UID_MAP, errno, "become root in the user "
		    "namespace");
	ns_child_uts(r);
	net_child(r);
	mnt_setup(r);
	wait_word(r);
	sigprocmask(SIG_UNBLOCK, all, NULL);
	proc_exec(r);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Kill the child during setup: its namespaces and mounts go with it. */
static int
abort_child(struct run *r)
{
	net_async_abort(r);
	kill(r->pid, SIGKILL);
	waitpid(r->pid, NULL, 0);
	return -1;
}

/*
 * The child's next word during setup, as recv() returns it - unless
 * SIGTERM, SIGINT or SIGHUP comes first or [process] setup_timeout runs
 * out (an image that blocks a read, a hung file system): then the child
 * is killed (its namespaces and mounts go with it) and -2 returned.
 */
static ssize_t
setup_word(struct run *r, struct report *rep)
{
	long long limit = r->t->setup_timeout, left;
	struct signalfd_siginfo si;
	struct pollfd pf[2];
	sigset_t stop;
	int rc;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	if (r->stop_fd < 0 && (r->stop_fd = signalfd(-1, &stop, SFD_CLOEXEC |
	    SFD_NONBLOCK)) < 0)
		return tty_recv_word(r, rep, sizeof(*rep));
	pf[0] = (struct pollfd){ .fd = r->sock, .events = r->words_at_close ?
	    POLLRDHUP : POLLIN };
	pf[1] = (struct pollfd){ .fd = r->stop_fd, .events = POLLIN };
	do {	/* a word already waiting does not beat the deadline */
		left = r->setup_deadline - now_ms();
		rc = limit && left <= 0 ? 0 : poll(pf, 2, limit == 0 ? -1 :
		    (int)left);
	} while (rc < 0 && errno == EINTR);
	if (rc > 0 && pf[1].revents &&
	    read(r->stop_fd, &si, sizeof(si)) == sizeof(si))
		fprintf(stderr, "nook: setup: stopped by %s\n",
		    strsignal((int)si.ssi_signo));
	else if (rc == 0)
		fprintf(stderr, "nook: setup: not done within %lld ms ([process] "
		    "setup_timeout); stopped\n", limit);
	else
		return tty_recv_word(r, rep, sizeof(*rep));
	abort_child(r);
	return -2;
}

/*
 * Release the child and wait for its word: "x" right before the exec,
 * or a report of what failed.  0 once it is exec'ing, -1 otherwise.
 */
static int
start_child(struct run *r)
{
	struct report rep;
	int ready = 0, st, lo;
	ssize_t n;

	if (ns_write_maps(r) || sec_apply_rlimits(r) || cg_attach(r) ||
	    net_parent(r) || idmap_trees(r) || proc_set_oom(r) ||
	    (r->oci && r->oci->phase(r, OCI_PH_RUNTIME)))
		return abort_child(r);
	if (ns_time_offsets(r->t)) {	/* the child's "t" first */
		if ((n = setup_word(r, &rep)) != 1)
			goto failed;
		if (ns_write_time(r))
			return abort_child(r);
	}
	errno = 0;
	if (idmap_send_go(r)) {
		if (errno != EPIPE && errno != ECONNRESET) {
			if (errno)	/* 0: idmap_send_go said why */
				perror("nook: setup: release the container");
			return abort_child(r);
		}
		kill(r->pid, SIGKILL);	/* died just before: say how */
		n = 0;
		goto failed;
	}
	/*
	 * The child builds the container now, and waits for our word before
	 * its exec.  Meanwhile: the record's claim (the name may be taken:
	 * the child is killed, nothing of it has run), nook-init's memfd,
	 * the network namespace and lo; then the word; then what can wait.
	 * The namespace's helper is started only now: its clone (0.1-0.2 ms
	 * here) does not hold up the child's go, nook's page faults before
	 * it need no TLB shootdown on the helper's CPU (it shares nook's
	 * memory), and the child's /proc, /dev and /tmp still leave it time.
	 */
	if ((!r->st.claimed && state_claim(r)) || proc_fill_init(r))
		return abort_child(r);
	net_async_start(r);
	net_async_go(r, 1);	/* the helper may send the namespace now */
	if (net_async_wait(r) || (lo = net_parent_lo(r)) < 0)
		return abort_child(r);
	if (send(r->sock, lo ? "o" : "l", 1, MSG_NOSIGNAL) != 1 &&
	    errno != EPIPE && errno != ECONNRESET) {
		perror("nook: setup: release the container");
		return abort_child(r);
	}	/* a child gone already has its report waiting: read next */
	if (state_setup(r))
		return abort_child(r);
	cg_sweep(r);
	/*
	 * The child's last words ("x", or a report) come right before its
	 * exec or exit, which closes its end: woken only then, once, not by
	 * the word as well - that wake-up would cost the child a hand-over
	 * to this CPU right before its exec.  nook-oci's create waits for
	 * "x" alone: the child waits for start after it.
	 */
	r->words_at_close = !r->oci;
	while ((n = setup_word(r, &rep)) > 0) {
		if (n == 1) {
			ready = 1;
			continue;
		}
		goto failed;
	}
failed:
	r->words_at_close = 0;
	if (n > 1) {
		rep.msg[sizeof(rep.msg) - 1] = 0;
		fprintf(stderr, "nook: %s\n", rep.msg);
		waitpid(r->pid, NULL, 0);
		return -1;
	}
	if (n == -2)
		return -1;	/* stopped: said so */
	if (ready)
		return 0;
	/* gone without a word: killed during setup */
	if (waitpid(r->pid, &st, 0) == r->pid)
		fprintf(stderr, "nook: setup: the container's first process "
		    "died before its exec (%s %d)\n", WIFSIGNALED(st) ?
		    "signal" : "status", WIFSIGNALED(st) ? WTERMSIG(st) :
		    WEXITSTATUS(st));
	else
		perror("nook: setup: the container's first process is gone: "
		    "waitpid");
	return -1;
}

/* The next signal waiting for us, 0 when none. */
static int
next_signal(int sfd, const sigset_t *all)
{
	static const struct timespec now;
	struct signalfd_siginfo si;
	siginfo_t info;

	if (sfd >= 0)
		return read(sfd, &si, sizeof(si)) == sizeof(si) ?
		    (int)si.ssi_signo : 0;
	return sigtimedwait(all, &info, &now) > 0 ? info.si_signo : 0;
}

/* Said whatever the verbosity: a 137 is never left unexplained. */
static void
stop_kill(struct run *r)
{
	long long ms = r->t->stop_timeout;

	fprintf(stderr, "nook: stop timeout (%lld%s) passed: killing the "
	    "container%s\n", ms % 1000 ? ms : ms / 1000, ms % 1000 ? "ms" :
	    "s", r->tty.raw ? "\r" : "");
	syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
}

/*
 * Forward every signal to the container's PID 1 until it exits (but a
 * SIGWINCH that resizes its terminal); after a forwarded SIGTERM/SIGINT
 * it gets stop_timeout, then SIGKILL.  With a terminal, relay it too.
 */
static int
supervise(struct run *r, const sigset_t *all)
{
	long long deadline = -1, left;
	struct pollfd pf[3];
	int sfd, sig, st, n;

	/* the setup's signalfd, now for every signal; poll()s without one */
	sfd = signalfd(r->stop_fd, all, SFD_CLOEXEC | SFD_NONBLOCK);
	for (;;) {
		if (waitpid(r->pid, &st, WNOHANG) == r->pid) {
			tty_drain(&r->tty);
			return WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
		}
		left = deadline < 0 ? 1000 : deadline - now_ms();
		if (deadline >= 0 && left <= 0) {
			stop_kill(r);
			deadline = -1;
			continue;
		}
		pf[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		n = 1 + tty_poll_fds(&r->tty, pf + 1);
		if (poll(pf, n, sfd < 0 && left > 50 ? 50 : (int)left) > 0)
			tty_relay(&r->tty, pf + 1);
		while ((sig = next_signal(sfd, all)) > 0) {
			if (sig == SIGCHLD || tty_signal(r, sig))
				continue;
			syscall(SYS_pidfd_send_signal, r->pidfd, sig, NULL, 0);
			if ((sig == SIGTERM || sig == SIGINT) && deadline < 0)
				deadline = now_ms() + r->t->stop_timeout;
		}
	}
}

/*
 * Everything made on the host for the run goes here, whatever happened:
 * the cgroup, the veth pair, the record of the running container - and
 * our terminal's mode.
 */
static int
finish(struct run *r, int rc)
{
	tty_restore(&r->tty);	/* first: what follows may print */
	cg_cleanup(r);
	dev_cleanup(r);
	net_cleanup(r);
	state_release(r);
	return rc;
}

/*
 * The container's first process set up and about to exec: nook-oci's
 * create leaves it waiting for start and returns; everything else
 * supervises it to its end.
 */
static int
started(struct run *r, const sigset_t *all)
{
	struct oci_mode *m = r->oci;
	int rc;

	if (m && m->phase(r, OCI_PH_READY)) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		return finish(r, EXIT_NOOK);
	}
	if (m && m->create) {	/* the cgroup stays: delete removes it */
		if (r->cg.fd >= 0)
			close(r->cg.fd);
		return 0;
	}
	state_record(r);
	tty_start(r);
	rc = finish(r, supervise(r, all));
	if (m) {
		m->status = rc;
		m->phase(r, OCI_PH_ENDED);
	}
	return rc;
}

static int
run(struct cfg *c, struct oci_mode *m)
{
	struct run r = { .c = c, .t = &c->t, .pidfd = -1, .stop_fd = -1,
		.cg.fd = -1, .st.fd = -1, .st.base = -1, .tty.master = -1,
		.tty.slave = -1, .oci = m };
	int sv[2], joins_user;
	sigset_t all;

	r.command = c->t.command;
	r.tty.on = tty_want(&c->t);
	if (ns_prepare(&r) || proc_prepare_init(&r) || idmap_pick(&r) ||
	    sec_prepare_seccomp(&r))
		return EXIT_NOOK;
	r.root_fd = open(c->t.root_path, O_PATH | O_DIRECTORY |
	    O_CLOEXEC);
	if (r.root_fd < 0) {
		fprintf(stderr, "nook: %s: \"%s\": %s\n", key_label(K_ROOT_PATH),
		    c->t.root_path, strerror(errno));
		return EXIT_NOOK;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		perror("nook: socketpair");
		return EXIT_NOOK;
	}
	block_signals(&all);
	/*
	 * The name is claimed while the child builds the container
	 * (start_child) - but before joining a user namespace, where nook
	 * is nobody to its state directory; and the cgroups get a keeper
	 * that can remove them at the end (cgroup.c).
	 */
	joins_user = c->t.ns[K_NS_USER - NS_FIRST].mode == NS_JOIN;
	if ((joins_user && state_claim(&r)) || cg_prepare(&r) ||
	    net_prepare(&r) || dev_prepare(&r))
		return finish(&r, EXIT_NOOK);
	if ((joins_user && cg_keeper(&r)) || hide_from_joined(&r) ||
	    ns_join(&r))
		return finish(&r, EXIT_NOOK);
	fflush(NULL);
	r.sock = sv[1], r.peer = sv[0];
	r.setup_deadline = now_ms() + c->t.setup_timeout;
	r.pid = ns_clone(&r);
	if (r.pid == 0)
		child_main(&r, &all);
	if (r.pid < 0) {
		fprintf(stderr, "nook: clone3: %s\n", strerror(errno));
		return finish(&r, EXIT_NOOK);
	}
	close(sv[1]);
	r.sock = sv[0];
	if (m && m->exec_fd >= 0)	/* the child's alone: start finds it */
		close(m->exec_fd);
	if (start_child(&r))
		return finish(&r, EXIT_NOOK);
	dev_cleanup(&r);	/* the nodes are bound: kernelfs.c */
	close(r.sock);
	return started(&r, &all);
}

/*
 * A 0, 1 or 2 left closed by our caller would go to the first descriptor
 * nook opens - the init's memfd, the sync socket - which the child's
 * dup2() of a terminal onto 0-2 would then replace: /dev/null takes the
 * place, and is what the container gets.
 */
static int
open_stdio(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
			perror("nook: /dev/null");
			return -1;
		}
	return 0;
}

/* --print-config: the whole configuration on stdout */
static int
print_config(struct cfg *c)
{
	if (cfg_print(c, stdout)) {
		for (size_t i = 0; i < c->nerrs; i++)
			fprintf(stderr, "nook: %s\n", c->errs[i]);
		return EXIT_NOOK;
	}
	return fflush(stdout) ? EXIT_NOOK : 0;
}

/* --check: load_config said all there is to say */
static int
check_only(const struct opts *o)
{
	if (verbosity > 1)
		fprintf(stderr, "nook: %s: configuration and host are fine\n",
		    o->file);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct cfg c;
	int rc;

	if (open_stdio())
		return EXIT_NOOK;
	nook_ids_refresh();	/* before any child: util.c */
	if (argv[0] && !strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') +
	    1 : argv[0], "nook-oci"))
		return oci_main(argc, argv, run);
	if (argc > 1 && state_is_command(argv[1]))
		return state_command(argc - 1, argv + 1);
	if (parse_opts(argc, argv, &o)) {
		free(o.sets);
		return EXIT_NOOK;
	}
	if (load_config(&c, &o))
		rc = EXIT_NOOK;
	else if (o.print)
		rc = print_config(&c);
	else if (o.check)
		rc = check_only(&o);
	else
		rc = run(&c, NULL);
	cfg_free(&c);
	free(o.sets);
	return rc;
}
