// SPDX-License-Identifier: MIT
/*
 * nook-oci's hooks: config.json's "hooks" checked and typed at load, and
 * the runner that the lifecycle calls at each point (runtime-spec
 * config.md, "POSIX-platform Hooks").
 *
 * A hook is a host program the runtime trusts as much as itself: it gets
 * the container's state as JSON on its stdin, its own argv and exactly
 * its own environment, no descriptor of ours but 0-2, an empty signal
 * mask and default dispositions (nook blocks every signal while it runs),
 * and a timeout after which it is killed.  createContainer and
 * startContainer run "in the container namespace": the runner joins every
 * namespace of a given process that differs from ours with one
 * setns(pidfd, flags), so the hook's path is looked up in the
 * container's mount namespace; a different PID namespace takes a second
 * fork, since setns(CLONE_NEWPID) moves only the children.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci-int.h"
#include "oci-hooks.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x80
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define HOOK_MAX_TIMEOUT 86400	/* seconds: a day is surely a mistake */

static const char *const kind_names[OCI_HOOK__COUNT] = {
	"prestart", "createRuntime", "createContainer", "startContainer",
	"poststart", "poststop",
};

/* A kind's key in config.json: for errors, features and the driver. */
const char *
oci_hook_name(enum oci_hook_kind k)
{
	return k < OCI_HOOK__COUNT ? kind_names[k] : "?";
}

/* ---- the loader ---- */

/*
 * An array of strings, copied; env's must each be NAME=VALUE, or the
 * hook's environ would hold what no getenv() can find.
 */
static char **
str_array(struct oci *o, const char *path, jobj *v, int env)
{
	size_t i, k = 0, n;
	const char *s;
	char **out, *where;

	if (oci_want(o, path, v, json_type_array))
		return NULL;
	n = json_object_array_length(v);
	out = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		where = oci_idx(path, i);
		s = oci_jstr(o, where, json_object_array_get_idx(v, i));
		if (s && env && (*s == '=' || !strchr(s, '=')))
			oci_err(o, where, "\"%s\": expected NAME=VALUE", s);
		else if (s)
			out[k++] = xstrdup(s);
		free(where);
	}
	return out;
}

/* timeout: whole seconds, more than 0 (the spec's rule). */
static int
hook_timeout(struct oci *o, const char *path, jobj *v)
{
	int64_t n;

	if (oci_want(o, path, v, json_type_int))
		return 0;
	n = json_object_get_int64(v);
	if (n <= 0 || n > HOOK_MAX_TIMEOUT) {
		oci_err(o, path, "%lld: expected seconds, 1 to %d",
		    (long long)n, HOOK_MAX_TIMEOUT);
		return 0;
	}
	return (int)n;
}

/* One member of a hook; an unknown one is named, never skipped. */
static void
hook_member(struct oci *o, struct oci_hook *h, const char *where,
    const char *name, jobj *v)
{
	const char *s;

	if (!strcmp(name, "path")) {
		if (!(s = oci_jstr(o, where, v)))
			return;
		if (*s != '/')
			oci_err(o, where, "\"%s\": expected an absolute path",
			    s);
		else
			h->path = xstrdup(s);
	} else if (!strcmp(name, "args")) {
		free_strv(h->argv);
		h->argv = str_array(o, where, v, 0);
	} else if (!strcmp(name, "env")) {
		free_strv(h->env);
		h->env = str_array(o, where, v, 1);
	} else if (!strcmp(name, "timeout"))
		h->timeout = hook_timeout(o, where, v);
	else
		oci_err(o, where, "not supported yet");
}

/* One {path, args, env, timeout}; where is "hooks.KIND[i]". */
static void
hook_parse(struct oci *o, struct oci_hook *h, const char *where, jobj *v)
{
	struct json_object_iterator it, end;
	int seen_path = 0;
	char *sub;

	h->where = xstrdup(where);
	if (oci_want(o, where, v, json_type_object))
		return;
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *name = json_object_iter_peek_name(&it);

		seen_path |= !strcmp(name, "path");
		sub = oci_sub(where, name);
		hook_member(o, h, sub, name, json_object_iter_peek_value(&it));
		free(sub);
	}
	if (!seen_path) {
		sub = oci_sub(where, "path");
		oci_err(o, sub, "missing");
		free(sub);
	}
	if (h->path && (!h->argv || !h->argv[0])) {	/* as execv's argv */
		free_strv(h->argv);
		h->argv = xcalloc(2, sizeof(char *));
		h->argv[0] = xstrdup(h->path);
	}
	if (!h->env)
		h->env = xcalloc(1, sizeof(char *));
}

/* hooks.KIND: an array of hooks, each kept with its JSON path. */
static void
kind_parse(struct oci *o, struct oci_hooks *hs, int k, const char *path,
    jobj *v)
{
	size_t i, n;
	char *where;

	if (oci_want(o, path, v, json_type_array))
		return;
	n = json_object_array_length(v);
	hs->v[k] = xcalloc(n + 1, sizeof(struct oci_hook));
	for (i = 0; i < n; i++) {
		where = oci_idx(path, i);
		hook_parse(o, &hs->v[k][i], where, json_object_array_get_idx(v,
		    i));
		hs->n[k]++;
		free(where);
	}
}

/*
 * config.json's "hooks" into o->c->t.hooks, every kind and field checked;
 * an unknown kind is an error (with the likely one), never skipped.
 */
void
oci_hooks(struct oci *o, const char *path, jobj *v)
{
	struct json_object_iterator it, end;
	struct nook_config *t = &o->c->t;
	struct oci_hooks *hs;
	const char *name;
	char *where;
	int k;

	if (oci_want(o, path, v, json_type_object))
		return;
	oci_hooks_free(t->hooks);
	t->hooks = hs = xcalloc(1, sizeof(*hs));
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		name = json_object_iter_peek_name(&it);
		where = oci_sub(path, name);
		for (k = 0; k < OCI_HOOK__COUNT && strcmp(name, kind_names[k]);
		    k++)
			;
		if (k < OCI_HOOK__COUNT)
			kind_parse(o, hs, k, where, json_object_iter_peek_value(
			    &it));
		else if ((k = suggest(name, kind_names, OCI_HOOK__COUNT)) >= 0)
			oci_err(o, where, "unknown kind of hook (did you mean "
			    "%s?)", kind_names[k]);
		else
			oci_err(o, where, "unknown kind of hook (prestart, "
			    "createRuntime, createContainer, startContainer, "
			    "poststart, poststop)");
		free(where);
	}
}

/* With the typed config (free_typed): every string a hook owns. */
void
oci_hooks_free(struct oci_hooks *hs)
{
	size_t i;
	int k;

	if (!hs)
		return;
	for (k = 0; k < OCI_HOOK__COUNT; k++) {
		for (i = 0; i < hs->n[k]; i++) {
			free(hs->v[k][i].where);
			free(hs->v[k][i].path);
			free_strv(hs->v[k][i].argv);
			free_strv(hs->v[k][i].env);
		}
		free(hs->v[k]);
	}
	free(hs);
}

/* ---- the runner ---- */

/* What a hook's process tells the runner through its CLOEXEC pipe. */
enum { ST_SETNS = 1, ST_FORK, ST_EXEC, ST_WAIT };
struct hook_msg {
	int stage;
	int val;		/* errno, or ST_WAIT's wait status */
};

/* The namespaces a hook may join, and their names under /proc/PID/ns. */
static const struct {
	const char *name;
	int flag;
} ns_kinds[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
	{ "pid", CLONE_NEWPID }, { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};

/* A target for setns(): ns_pid's pidfd and the namespaces it differs in. */
struct ns_target {
	pid_t pid;
	int fd;
	int flags;
};

/* A timeout's clock: the wall clock may jump while a hook runs. */
static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
hook_say(const struct oci_hook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "nook-oci: hooks.KIND[i]: PATH: why": which hook, and what it was. */
static void
hook_say(const struct oci_hook *h, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	if (vasprintf(&why, fmt, ap) < 0)
		why = NULL;
	va_end(ap);
	fprintf(stderr, "nook-oci: %s: %s: %s\n", h->where, h->path,
	    why ? why : fmt);
	free(why);
}

/*
 * Open ns_pid as a pidfd and find the namespaces it does not share with
 * us: joining our own user namespace again is EINVAL, and the others
 * cost nothing to leave out.  A kernel without one (time) skips it.
 */
static int
ns_open(struct ns_target *nt, pid_t pid, int k)
{
	struct stat a, b;
	char p[64];
	size_t i;

	nt->pid = pid;
	nt->flags = 0;
	nt->fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (nt->fd < 0) {
		fprintf(stderr, "nook-oci: hooks.%s: the container's "
		    "process %d: %s\n", kind_names[k], (int)pid,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(ns_kinds) / sizeof(ns_kinds[0]); i++) {
		snprintf(p, sizeof(p), "/proc/self/ns/%s", ns_kinds[i].name);
		if (stat(p, &b))
			continue;
		snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid,
		    ns_kinds[i].name);
		if (stat(p, &a)) {	/* ENOENT: a zombie by now */
			fprintf(stderr, "nook-oci: hooks.%s: the container's "
			    "process %d: %s: %s\n", kind_names[k], (int)pid,
			    p, errno == ENOENT ? "gone" : strerror(errno));
			close(nt->fd);
			return -1;
		}
		if (a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			nt->flags |= ns_kinds[i].flag;
	}
	/* the pid was ns_pid's all along, not a new process's by then */
	if (syscall(SYS_pidfd_send_signal, nt->fd, 0, NULL, 0)) {
		fprintf(stderr, "nook-oci: hooks.%s: the container's "
		    "process %d: %s\n", kind_names[k], (int)pid,
		    strerror(errno));
		close(nt->fd);
		return -1;
	}
	return 0;
}

/* A hook's process failed before its exec: tell the runner, and go. */
static void __attribute__((noreturn))
hook_fail(int msg, int stage, int err)
{
	struct hook_msg m = { stage, err };

	if (write(msg, &m, sizeof(m)) < 0)
		_exit(EXIT_NOOK);
	_exit(stage == ST_EXEC ? (err == ENOENT ? 127 : 126) : EXIT_NOOK);
}

/*
 * Not nook's mask and dispositions: a hook starts as from a shell.  The
 * raw call: glibc's sigaction() refuses its own two realtime signals
 * (32, 33), which our caller may have left ignored - and an ignored
 * signal stays ignored across exec.
 */
static void
reset_signals(void)
{
	static const unsigned long dfl[4];	/* the kernel's: SIG_DFL */
	sigset_t none;
	int sig;

	for (sig = 1; sig <= 64; sig++)	/* KILL, STOP: EINVAL */
		syscall(SYS_rt_sigaction, sig, dfl, NULL, 8);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The hook's own program, its argv and exactly its environment. */
static void __attribute__((noreturn))
exec_hook(const struct oci_hook *h, int msg)
{
	static char *const empty[] = { NULL };

	/* no descriptor of ours but 0-2; the message pipe until the exec */
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC))
		for (int fd = 3; fd < 1024; fd++)
			if (fd != msg)
				close(fd);
	execve(h->path, h->argv, h->env ? h->env : empty);
	hook_fail(msg, ST_EXEC, errno);
}

/*
 * In a new PID namespace only the children of setns()'s caller are: the
 * hook is forked once more, and dies with us (PR_SET_PDEATHSIG; the pipe
 * "alive" closes the race of our death before that prctl).  Its wait
 * status goes to the runner through msg.
 */
static void __attribute__((noreturn))
fork_in_pidns(const struct oci_hook *h, int msg)
{
	struct pollfd pf;
	struct hook_msg m = { ST_WAIT, 0 };
	int alive[2], st;
	pid_t pid;

	if (pipe2(alive, O_CLOEXEC))
		hook_fail(msg, ST_FORK, errno);
	pid = fork();
	if (pid < 0)
		hook_fail(msg, ST_FORK, errno);
	if (pid == 0) {
		close(alive[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pf = (struct pollfd){ .fd = alive[0], .events = POLLIN };
		if (poll(&pf, 1, 0) != 0)	/* the writer is gone */
			_exit(EXIT_NOOK);
		exec_hook(h, msg);
	}
	close(alive[0]);
	close(0);	/* the runner sees the hook's own end of stdin */
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			hook_fail(msg, ST_FORK, errno);
	m.val = st;
	if (write(msg, &m, sizeof(m)) < 0)
		_exit(EXIT_NOOK);
	_exit(0);
}

/* The forked process of one hook: stdin, namespaces, signals, exec. */
static void __attribute__((noreturn))
hook_child(const struct oci_hook *h, int in, int msg,
    const struct ns_target *nt)
{
	reset_signals();
	if (in == 0 ? fcntl(0, F_SETFD, 0) : dup2(in, 0))
		hook_fail(msg, ST_FORK, errno);
	if (nt && nt->flags) {
		if (setns(nt->fd, nt->flags))
			hook_fail(msg, ST_SETNS, errno);
		/* container root, as its own process would be */
		if (nt->flags & CLONE_NEWUSER && (setresgid(0, 0, 0) ||
		    setresuid(0, 0, 0)) && errno != EINVAL)
			hook_fail(msg, ST_SETNS, errno);
		if (nt->flags & CLONE_NEWNS && chdir("/"))
			hook_fail(msg, ST_SETNS, errno);
		if (nt->flags & CLONE_NEWPID)
			fork_in_pidns(h, msg);
	}
	exec_hook(h, msg);
}

/*
 * Write the state to the hook's stdin while it runs, until its end or
 * the timeout (then SIGKILL).  All of it is offered; a hook that exits
 * or closes stdin without reading is no error (EPIPE; SIGPIPE blocked
 * here and a SIGPIPE of ours taken back).  Its wait status, or -1 on a
 * timeout (*st still set).
 */
static int
feed_and_wait(const struct oci_hook *h, int wfd, const char *state,
    size_t len, int pidfd, pid_t pid, int *st)
{
	long long deadline = h->timeout ? mono_ms() + h->timeout * 1000LL : -1;
	sigset_t pipe_set, old, pending;
	struct timespec zero = { 0, 0 };
	int timed_out = 0, was_pending, n, ms;
	struct pollfd pf[2];
	size_t off = 0;
	ssize_t w;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	fcntl(wfd, F_SETFL, O_NONBLOCK);
	if (!len) {
		close(wfd);
		wfd = -1;
	}
	for (;;) {
		pf[0] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		pf[1] = (struct pollfd){ .fd = wfd, .events = POLLOUT };
		ms = deadline < 0 ? -1 : (int)(deadline - mono_ms());
		if (deadline >= 0 && ms < 0)
			ms = 0;
		n = poll(pf, wfd >= 0 ? 2 : 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || n < 0) {	/* out of time (or poll broke) */
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			timed_out = n == 0;
			break;
		}
		if (wfd >= 0 && pf[1].revents) {
			w = write(wfd, state + off, len - off);
			if (w > 0)
				off += (size_t)w;
			if (off == len || (w < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(wfd);
				wfd = -1;
			}
		}
		if (pf[0].revents)
			break;
	}
	if (wfd >= 0)
		close(wfd);
	while (waitpid(pid, st, 0) < 0 && errno == EINTR)
		;
	sigpending(&pending);
	if (!was_pending && sigismember(&pending, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return timed_out ? -1 : 0;
}

/* Say what became of a hook: 0 for success, -1 said on stderr. */
static int
hook_result(const struct oci_hook *h, int msg, int st, int timed_out,
    const struct ns_target *nt)
{
	struct hook_msg m, fail = { 0, 0 };

	while (read(msg, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		if (m.stage == ST_WAIT)
			st = m.val;
		else if (!fail.stage)
			fail = m;
	}
	if (timed_out)
		hook_say(h, "timed out after %d s", h->timeout);
	else if (fail.stage == ST_SETNS)
		hook_say(h, "join the namespaces of process %d: %s",
		    nt ? (int)nt->pid : 0, strerror(fail.val));
	else if (fail.stage == ST_FORK)
		hook_say(h, "start: %s", strerror(fail.val));
	else if (fail.stage == ST_EXEC)
		hook_say(h, "%s", strerror(fail.val));
	else if (WIFSIGNALED(st))
		hook_say(h, "killed by signal %d", WTERMSIG(st));
	else if (WIFEXITED(st) && WEXITSTATUS(st))
		hook_say(h, "exited with %d", WEXITSTATUS(st));
	else
		return 0;
	return -1;
}

/*
 * One hook, from fork to its end: stdin a pipe of the state, a pidfd to
 * wait on it with a timeout, and a CLOEXEC pipe for what went wrong
 * before its exec (errno there, not a guess from 127).
 */
static int
run_one(const struct oci_hook *h, const char *state, size_t len,
    const struct ns_target *nt)
{
	int in[2], msg[2], pidfd = -1, st = 0, rc;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		goto fail;
	if (pipe2(msg, O_CLOEXEC | O_NONBLOCK)) {
		close(in[0]);
		close(in[1]);
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(in[1]);
		close(msg[0]);
		hook_child(h, in[0], msg[1], nt);
	}
	close(in[0]);
	close(msg[1]);
	if (pid < 0 || (pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		close(in[1]);
		close(msg[0]);
		goto fail;
	}
	rc = feed_and_wait(h, in[1], state, len, pidfd, pid, &st);
	close(pidfd);
	rc = hook_result(h, msg[0], st, rc < 0, nt);
	close(msg[0]);
	return rc;
fail:
	hook_say(h, "start: %s", strerror(errno));
	return -1;
}

int
oci_hooks_run(const struct oci_hooks *hs, enum oci_hook_kind k,
    const char *state_json, pid_t ns_pid)
{
	struct ns_target nt = { 0, -1, 0 };
	size_t i, len = state_json ? strlen(state_json) : 0;
	int rc = 0, warn_only;

	if (!hs || k >= OCI_HOOK__COUNT || !hs->n[k])
		return 0;
	if (ns_pid > 0 && ns_open(&nt, ns_pid, k))
		return -1;
	warn_only = k == OCI_HOOK_POSTSTART || k == OCI_HOOK_POSTSTOP;
	for (i = 0; i < hs->n[k]; i++) {
		if (run_one(&hs->v[k][i], state_json ? state_json : "", len,
		    ns_pid > 0 ? &nt : NULL) == 0)
			continue;
		rc = -1;
		if (!warn_only)
			break;
	}
	if (nt.fd >= 0)
		close(nt.fd);
	return rc;
}
