// SPDX-License-Identifier: MIT
/*
 * The container's process: the init binary sealed into a memfd on the
 * host, and, in the child after the root is built, its user and groups,
 * environment, working directory and the final exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>

#include "nook.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static int
init_error(struct run *r)
{
	int e = errno;

	fprintf(stderr, "nook: %s: \"%s\": %s\n", key_label(K_INIT_PATH),
	    r->t->init_path, strerror(e));
	return -1;
}

/*
 * nook-init goes into a sealed memfd: the container execs it from there,
 * so nothing inside can ever write to the host's binary via /proc/1/exe.
 * Here, before the clone, the file is opened and the memfd made (the
 * child inherits it); proc_fill_init() copies and seals it while the
 * child builds the container, before the word that lets it exec.
 */
int
proc_prepare_init(struct run *r)
{
	r->init_fd = r->init_src = -1;
	if (r->t->init_mode != INIT_MODE_INIT)
		return 0;
	if ((r->init_src = open(r->t->init_path, O_RDONLY | O_CLOEXEC)) < 0)
		return init_error(r);
	r->init_fd = memfd_create("nook-init", MFD_CLOEXEC | MFD_ALLOW_SEALING |
	    MFD_EXEC);
	if (r->init_fd < 0 && errno == EINVAL)
		r->init_fd = memfd_create("nook-init", MFD_CLOEXEC |
		    MFD_ALLOW_SEALING);
	return r->init_fd < 0 ? init_error(r) : 0;
}

/*
 * A file system that cannot splice from its files: sendfile refuses
 * before the first byte, and the file is read and written instead.
 */
static ssize_t
copy_by_read(int to, int from)
{
	char buf[8192];
	ssize_t n, w, done;

	while ((n = read(from, buf, sizeof(buf))) > 0)
		for (done = 0; done < n; done += w)
			if ((w = write(to, buf + done, (size_t)(n - done))) < 0)
				return -1;
	return n;
}

/*
 * The file into the memfd by sendfile: no buffer of ours, whose pages
 * would each be a page fault (9 us on this project's VM) for the
 * kernel's copy.
 */
int
proc_fill_init(struct run *r)
{
	ssize_t n, total = 0;

	if (r->init_src < 0)
		return 0;
	while ((n = sendfile(r->init_fd, r->init_src, NULL, 1 << 30)) > 0)
		total += n;
	if (n < 0 && !total && (errno == EINVAL || errno == ENOSYS))
		n = copy_by_read(r->init_fd, r->init_src);
	if (n < 0 || fchmod(r->init_fd, 0555) ||
	    fcntl(r->init_fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK |
	    F_SEAL_GROW | F_SEAL_WRITE))
		return init_error(r);
	close(r->init_src);
	r->init_src = -1;
	return 0;
}

/*
 * The container's /etc/passwd or /etc/group, untrusted: opened without
 * blocking (a FIFO would hang the setup) and refused unless a regular
 * file.  NULL with errno ENOENT when there is none.
 */
static FILE *
open_image_file(struct run *r, int k, const char *file)
{
	struct stat st;
	FILE *fp;
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return NULL;
	if (fd < 0)
		child_fail(r, tloc(r->c, k), k, errno, "open the container's "
		    "%s", file);
	/* /dev/null, where a [filesystem] mask put it, reads as empty */
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) &&
	    st.st_rdev == makedev(1, 3)))) {
		close(fd);
		child_fail(r, tloc(r->c, k), k, 0, "the container's %s is "
		    "not a regular file", file);
	}
	if (!(fp = fdopen(fd, "r")))
		child_fail(r, tloc(r->c, k), k, errno, "read %s", file);
	return fp;
}

/*
 * Look a user or group up in the container's own /etc/passwd or
 * /etc/group: an id (digits, told at load) by the id field alone, never
 * by name (an image may name a user "1000" with uid 0), a name by name.
 */
static int
lookup(struct run *r, int k, const char *file, const struct id_spec *who,
    unsigned long long *id, unsigned long long *gid, char *home,
    size_t home_len)
{
	char line[1024], *f[7], *p;
	int i, found = 0;
	FILE *fp = open_image_file(r, k, file);

	if (!fp)
		return -1;
	while (!found && fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\n")] = 0;
		for (i = 0, p = line; i < 7; i++) {
			f[i] = p;
			p = p ? strchr(p, ':') : NULL;
			if (p)
				*p++ = 0;
		}
		if (!f[2] || (who->numeric ? parse_uint(f[2], 4294967294ULL,
		    id) || *id != who->id : strcmp(f[0], who->name) != 0))
			continue;
		if (parse_uint(f[2], 4294967294ULL, id) || (gid && (!f[3] ||
		    parse_uint(f[3], 4294967294ULL, gid))))
			child_fail(r, tloc(r->c, k), k, 0, "the container's %s "
			    "has no valid id for \"%s\"", file, who->name);
		if (home && f[5])
			snprintf(home, home_len, "%s", f[5]);
		found = 1;
	}
	fclose(fp);
	return found ? 0 : -1;
}

struct creds {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	size_t ngroups;
	char home[512];
};

/* A group by name or id; an id not in /etc/group is used as it is. */
static gid_t
group_id(struct run *r, int k, const struct id_spec *g)
{
	unsigned long long gid = g->id;

	if (lookup(r, k, "/etc/group", g, &gid, NULL, NULL, 0) && !g->numeric)
		child_fail(r, tloc(r->c, k), k, 0, "no group \"%s\" in the "
		    "container's /etc/group", g->name);
	return (gid_t)(g->numeric ? g->id : gid);
}

static void
resolve_creds(struct run *r, struct creds *cr)
{
	const struct nook_config *t = r->t;
	unsigned long long id = t->user.id, gid = 0;
	size_t i;

	strcpy(cr->home, "/");
	if (lookup(r, K_USER, "/etc/passwd", &t->user, &id, &gid, cr->home,
	    sizeof(cr->home))) {
		if (!t->user.numeric)
			child_fail(r, tloc(r->c, K_USER), K_USER, 0, "no user "
			    "\"%s\" in the container's /etc/passwd",
			    t->user.name);
		id = t->user.id;
		gid = 0;
	}
	cr->uid = (uid_t)id;
	cr->gid = *t->group.name ? group_id(r, K_GROUP, &t->group) :
	    (gid_t)gid;
	for (i = cr->ngroups = 0; i < t->ngroups && i < 64; i++)
		cr->groups[cr->ngroups++] = group_id(r, K_GROUPS,
		    &t->groups[i]);
}

static void
apply_creds(struct run *r, const struct creds *cr)
{
	if (!r->setgroups_denied && setgroups(cr->ngroups, cr->groups))
		child_fail(r, tloc(r->c, K_GROUPS), K_GROUPS, errno,
		    "setgroups");
	if (r->setgroups_denied && cr->ngroups)
		child_fail(r, tloc(r->c, K_GROUPS), K_GROUPS, 0, "supplementary "
		    "groups need a user namespace with more than one id mapped "
		    "(setgroups is denied)");
	if (setresgid(cr->gid, cr->gid, cr->gid))
		child_fail(r, tloc(r->c, K_GROUP) ? tloc(r->c, K_GROUP) :
		    tloc(r->c, K_USER), tloc(r->c, K_GROUP) ? K_GROUP :
		    K_USER, errno, "setresgid %u (is it mapped?)",
		    (unsigned)cr->gid);
	if (setresuid(cr->uid, cr->uid, cr->uid))
		child_fail(r, tloc(r->c, K_USER), K_USER, errno,
		    "setresuid %u", (unsigned)cr->uid);
}

static void
env_add(char ***env, size_t *n, const char *s)
{
	size_t i, len = strcspn(s, "=");

	for (i = 0; i < *n; i++)	/* later wins */
		if (!strncmp((*env)[i], s, len) && (*env)[i][len] == '=') {
			(*env)[i] = (char *)s;
			return;
		}
	*env = realloc(*env, (*n + 2) * sizeof(char *));
	if (!*env)
		_exit(EXIT_NOOK);
	(*env)[(*n)++] = (char *)s;
	(*env)[*n] = NULL;
}

static char **
build_env(struct run *r, const struct creds *cr)
{
	char **env = NULL, *const *keep, *const *set;
	const char *v;
	size_t n = 0, i;

	env_add(&env, &n, "");
	n = 0;
	if (r->t->clear_env) {
		env_add(&env, &n, "PATH=/usr/local/sbin:/usr/local/bin:"
		    "/usr/sbin:/usr/bin:/sbin:/bin");
		env_add(&env, &n, xasprintf("HOME=%s", cr->home));
		if ((v = getenv("TERM")))
			env_add(&env, &n, xasprintf("TERM=%s", v));
		env_add(&env, &n, "container=nook");
	} else {
		for (i = 0; environ[i]; i++)
			env_add(&env, &n, environ[i]);
	}
	keep = r->t->env_keep;
	for (i = 0; keep[i]; i++)
		if ((v = getenv(keep[i])))
			env_add(&env, &n, xasprintf("%s=%s", keep[i], v));
	set = r->t->env;
	for (i = 0; set[i]; i++)
		env_add(&env, &n, set[i]);
	return env;
}

static char **
init_argv(struct run *r)
{
	char *const *args = r->t->init_args, **argv;
	const struct int_list *pass = &r->t->pass_fd;
	size_t na = 0, nc = 0, np = pass->n, i, j = 0;

	while (args[na])
		na++;
	while (r->command[nc])
		nc++;
	argv = xcalloc(na + nc + np + 3, sizeof(char *));
	argv[j++] = "nook-init";
	for (i = 0; i < np; i++)	/* the rest are close-on-exec */
		argv[j++] = xasprintf("--pass-fd=%d", pass->v[i]);
	for (i = 0; i < na; i++)
		argv[j++] = args[i];
	argv[j++] = "--";
	for (i = 0; i < nc; i++)
		argv[j++] = r->command[i];
	return argv;
}

/* Everything but 0-2 and pass_fd closes at exec. */
static void
close_fds(struct run *r)
{
	const struct int_list *pass = &r->t->pass_fd;
	size_t i;

	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC))
		child_fail(r, NULL, -1, errno, "close_range");
	for (i = 0; i < pass->n; i++)
		if (fcntl(pass->v[i], F_SETFD, 0))
			child_fail(r, tloc(r->c, K_PASS_FD), K_PASS_FD, errno,
			    "pass descriptor %d", pass->v[i]);
}

/*
 * nook-oci create: a command that cannot run fails create, as runc's
 * does (its words, which Podman reads to give 127 or 126), not later
 * when start has nobody to tell.
 */
static void
find_command(struct run *r, char **env)
{
	const char *cmd = r->command[0], *path = NULL, *p, *end;
	char buf[4096];
	size_t i;
	int e = ENOENT;

	for (i = 0; env[i] && !path; i++)
		if (!strncmp(env[i], "PATH=", 5))
			path = env[i] + 5;
	if (strchr(cmd, '/')) {
		if (!access(cmd, X_OK))
			return;
		e = errno;
	} else
		for (p = path ? path : "/usr/local/sbin:/usr/local/bin:"
		    "/usr/sbin:/usr/bin:/sbin:/bin"; *p; p = *end ? end + 1 :
		    end) {
			end = p + strcspn(p, ":");
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p),
			    end > p ? p : ".", cmd);
			if (!access(buf, X_OK))
				return;
			if (errno == EACCES)
				e = EACCES;
		}
	child_fail(r, NULL, -1, 0, "exec: \"%s\": %s", cmd, e == EACCES ?
	    "permission denied" : "executable file not found in $PATH");
}

/*
 * nook-oci create: the setup is done and said so; nook-oci exits and
 * the process waits, as runc's does, until `start` writes a byte into
 * the FIFO it holds open (read and write, so that no writer yet is not
 * an end of file).  A failure from here on goes to the container's
 * stderr: nobody listens on the socket any more.
 */
static void
wait_start(struct run *r)
{
	char b;
	ssize_t n;

	close(r->sock);
	r->sock = -1;
	do
		n = read(r->oci->exec_fd, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		child_fail(r, NULL, -1, n < 0 ? errno : 0, "wait for start");
	close(r->oci->exec_fd);
}

/*
 * [process] oom_score_adj, written by the parent (the child, not
 * dumpable, cannot open its own /proc files for writing as a mapped
 * root): 0, or -1 after saying why.  A value below nook's own needs
 * CAP_SYS_RESOURCE.
 */
int
proc_set_oom(struct run *r)
{
	char buf[16], path[64];
	int fd, n, e;

	if (r->t->oom_score_adj == OOM_ADJ_NONE)
		return 0;
	n = snprintf(buf, sizeof(buf), "%lld", r->t->oom_score_adj);
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)r->pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && write(fd, buf, (size_t)n) == n && !close(fd))
		return 0;
	e = errno;
	if (fd >= 0)
		close(fd);
	key_error(tloc(r->c, K_OOM_SCORE_ADJ), K_OOM_SCORE_ADJ, "%s: write "
	    "%s: %s", buf, path, strerror(e));
	return -1;
}

/* A leaked descriptor could have put the cwd outside the new root. */
static void
enter_cwd(struct run *r)
{
	char buf[4096];

	if (chdir(r->t->cwd))
		child_fail(r, tloc(r->c, K_CWD), K_CWD, errno, "chdir \"%s\"",
		    r->t->cwd);
	/* the raw call: libc may rebuild a path where the kernel says
	 * "(unreachable)" */
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0 || buf[0] != '/')
		child_fail(r, tloc(r->c, K_CWD), K_CWD, EXDEV, "the working "
		    "directory is outside the container's root");
}

/*
 * Runs in the child, inside the new root.  The order keeps every step
 * possible: limits and the bounding set while fully privileged, then the
 * ids (keeping capabilities), the capability sets and no_new_privs, the
 * descriptors, and seccomp last.  The session and its terminal come
 * first, while still root: the pty is chowned to the user.  Never returns.
 */
void
proc_exec(struct run *r)
{
	struct creds cr;
	char **env;
	int e;

	resolve_creds(r, &cr);
	env = build_env(r, &cr);
	if (r->t->new_session && setsid() < 0)
		child_fail(r, tloc(r->c, K_NEW_SESSION), K_NEW_SESSION, errno,
		    "setsid");
	tty_attach(r, cr.uid);	/* [process] tty: tty.c */
	sec_drop_bounding(r);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	apply_creds(r, &cr);
	enter_cwd(r);		/* as the user, before caps come back */
	sec_apply_caps(r);
	umask((mode_t)r->t->umask);
	/* credentials changed: the parent-death signal was reset; a
	 * created container outlives nook-oci create */
	prctl(PR_SET_PDEATHSIG, r->oci && r->oci->create ? 0 : SIGKILL);
	close_fds(r);
	if (r->oci && r->oci->create)
		find_command(r, env);
	if (tty_send_ready(r))	/* "about to exec", with the pty master */
		_exit(EXIT_NOOK);
	if (r->oci && r->oci->exec_fd >= 0)
		wait_start(r);
	sec_apply_seccomp(r);
	sec_release_admin(r);
	if (r->init_fd >= 0) {
		syscall(SYS_execveat, r->init_fd, "", init_argv(r), env,
		    AT_EMPTY_PATH);
		child_fail(r, tloc(r->c, K_INIT_PATH), K_INIT_PATH, errno,
		    "exec nook-init");
	}
	environ = env;
	execvp(r->command[0], r->command);
	e = errno;
	fprintf(stderr, "nook: %s: %s\n", r->command[0], strerror(e));
	_exit(e == ENOENT || e == ENOTDIR ? 127 : 126);
}
