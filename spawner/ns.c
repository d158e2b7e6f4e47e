// SPDX-License-Identifier: MIT
/*
 * Namespaces: which to create and which to join, the one clone3() that
 * creates them, the user namespace's id maps (written by the parent) and
 * the time namespace's offsets (the one step clone3 cannot take).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nook.h"

/*
 * The files of namespaces to join are opened here, on the host, and
 * checked to be nsfs of the right type before anything else touches them
 * (O_NONBLOCK: a FIFO must not hang the open).  The path is not printed:
 * it is a value of the config, which --check reports escaped.
 */
int
ns_prepare(struct run *r)
{
	const char *v, *why;
	struct statfs fs;
	int i, k, fd;

	r->clone_flags = 0;
	for (i = 0; i < NS_COUNT; i++) {
		k = NS_FIRST + i;
		v = r->t->ns[i].path;
		r->join_fd[i] = -1;
		if (r->t->ns[i].mode == NS_NEW) {
			if (k != K_NS_TIME)	/* see ns_child_time() */
				r->clone_flags |= ns_type_of(k);
		} else if (r->t->ns[i].mode == NS_JOIN) {
			fd = open(v, O_RDONLY | O_CLOEXEC | O_NONBLOCK |
			    O_NOCTTY);
			why = fd < 0 || fstatfs(fd, &fs) ? strerror(errno) :
			    fs.f_type != NSFS_MAGIC ? "not a namespace file" :
			    ioctl(fd, NS_GET_NSTYPE) != ns_type_of(k) ?
			    "not a namespace of this type" : NULL;
			if (why) {
				fprintf(stderr, "nook: %s: the namespace file: "
				    "%s\n", key_label(k), why);
				if (fd >= 0)
					close(fd);
				return -1;
			}
			r->join_fd[i] = fd;
		}
	}
	return 0;
}

/*
 * Joining happens in the parent, before clone: the child then starts in
 * them.  The user namespace goes last, since after it the host's
 * privileges are gone.
 */
int
ns_join(struct run *r)
{
	int i;

	for (i = NS_COUNT - 1; i >= 0; i--) {
		if (r->join_fd[i] < 0)
			continue;
		if (setns(r->join_fd[i], ns_type_of(NS_FIRST + i))) {
			fprintf(stderr, "nook: %s: join \"%s\": %s\n",
			    key_label(NS_FIRST + i), r->t->ns[i].path,
			    strerror(errno));
			return -1;
		}
		close(r->join_fd[i]);
		r->join_fd[i] = -1;
	}
	if (r->t->ns[K_NS_USER - NS_FIRST].mode == NS_JOIN)
		nook_ids_refresh();	/* what they are in the joined one */
	return 0;
}

/*
 * The stack below the clone3 is dead to both processes: nook's deepest
 * calls (the configuration's, its checks') wrote pages there before, and
 * after the clone nook's next calls (the id maps, the idmapped root, the
 * record) and the child's (the container) write them again - each first
 * write a copy-on-write fault, 13-15 us on this project's VM, nook's
 * between the clone and the child's release (a start took 88 faults, 82
 * with this).  Marked
 * wipe-on-fork for the clone alone, they stay nook's and the child gets
 * zero pages there: no copy, and no fault at all in nook.  The mark is
 * taken off at once in both, so that no later fork loses its stack.
 * 1 KiB below this frame is well under syscall()'s; 128 KiB reaches
 * past nook's deepest frames, and lies inside the stack's mapping or
 * the gap the kernel keeps below it (madvise passes over the unmapped
 * part).
 */
#define DEAD_STACK (128 * 1024)

static void
mark_dead_stack(uintptr_t below, int wipe)
{
	uintptr_t top = (below - 1024) & ~(uintptr_t)4095;
	int e = errno;

	madvise((void *)(top - DEAD_STACK), DEAD_STACK, wipe ?
	    MADV_WIPEONFORK : MADV_KEEPONFORK);
	errno = e;	/* clone3's; madvise says ENOMEM of the gap */
}

pid_t
ns_clone(struct run *r)
{
	uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
	struct clone_args args;
	pid_t pid;

	memset(&args, 0, sizeof(args));
	args.flags = (unsigned)r->clone_flags | CLONE_PIDFD;
	if (r->net.async)	/* made beside the child: net.c */
		args.flags &= ~(unsigned)CLONE_NEWNET;
	args.pidfd = (uintptr_t)&r->pidfd;
	if (r->cg.fd >= 0) {	/* born inside its limits: cgroup.c */
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned)r->cg.fd;
	}
	args.exit_signal = SIGCHLD;
	mark_dead_stack(frame, 1);
	pid = syscall(SYS_clone3, &args, sizeof(args));
	mark_dead_stack(frame, 0);
	return pid;
}

static int
write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	return write_text(path, text);
}

/* newuidmap/newgidmap for ranges an unprivileged user cannot write. */
static int
run_helper(struct run *r, const char *helper, struct idmap *m, size_t n)
{
	char *argv[2 + 3 * 8 + 1], num[3 * 8 + 1][24];
	size_t i, a = 0;
	pid_t p;
	int st;

	argv[a++] = (char *)helper;
	snprintf(num[0], sizeof(num[0]), "%d", r->pid);
	argv[a++] = num[0];
	for (i = 0; i < n; i++) {
		snprintf(num[1 + 3 * i], 24, "%llu", m[i].inside);
		snprintf(num[2 + 3 * i], 24, "%llu", m[i].outside);
		snprintf(num[3 + 3 * i], 24, "%llu", m[i].count);
		argv[a++] = num[1 + 3 * i];
		argv[a++] = num[2 + 3 * i];
		argv[a++] = num[3 + 3 * i];
	}
	argv[a] = NULL;
	if ((p = fork()) == 0) {
		execvp(helper, argv);
		fprintf(stderr, "nook: %s: %s\n", helper, strerror(errno));
		_exit(127);
	}
	if (p < 0 || waitpid(p, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : (errno = EPERM, -1);
}

/*
 * "auto": as root, container ids 0-65535 map onto the private range that
 * idmap_pick() holds (idmap.c); unprivileged, container root is the caller
 * and nothing else is mapped.  "identity" maps every id onto itself.
 */
static int
write_map(struct run *r, int k, unsigned long long self)
{
	const char *file = k == K_UID_MAP ? "uid_map" : "gid_map";
	const char *sub = k == K_UID_MAP ? "/etc/subuid" : "/etc/subgid";
	const char *helper = k == K_UID_MAP ? "newuidmap" : "newgidmap";
	const struct idmap_spec *spec = k == K_UID_MAP ? &r->t->uid_map :
	    &r->t->gid_map;
	char text[8 * 40] = "";
	struct idmap mine[MAX_RANGES], *m = mine;
	size_t n, i;
	int rc, privileged = nook_euid() == 0, direct = 1;

	n = spec->n;
	memcpy(m, spec->range, n * sizeof(*m));
	if (spec->kind == MAP_IDENTITY) {
		m[0] = (struct idmap){ 0, 0, 4294967295ULL, { NULL, 0 } };
		n = 1;
	} else if (spec->kind == MAP_AUTO && privileged) {
		idmap_auto(r, k, &m[0]);
		n = 1;
	} else if (spec->kind == MAP_AUTO) {
		m[0] = (struct idmap){ 0, self, 1, { NULL, 0 } };
		n = 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "%llu %llu %llu\n", m[i].inside, m[i].outside, m[i].count);
		if (!privileged && !(m[i].outside == self && m[i].count == 1))
			direct = 0;
	}
	if (!direct) {
		for (i = 0; i < n; i++)
			if (!(m[i].outside == self && m[i].count == 1) &&
			    !subid_allows(sub, m[i].outside, m[i].count)) {
				key_error(m[i].loc.file ? &m[i].loc :
				    tloc(r->c, k), k, "range %llu+%llu is not "
				    "yours in %s", m[i].outside, m[i].count, sub);
				return -1;
			}
		rc = run_helper(r, helper, m, n);
	} else {
		if (k == K_GID_MAP && !privileged)
			write_file(r->pid, "setgroups", "deny");
		rc = write_file(r->pid, file, text);
	}
	if (rc)
		key_error(tloc(r->c, k), k, "write /proc/%d/%s: %s", r->pid,
		    file, strerror(errno));
	return rc;
}

int
ns_write_maps(struct run *r)
{
	if (!(r->clone_flags & CLONE_NEWUSER))
		return 0;
	if (write_map(r, K_UID_MAP, nook_euid()) ||
	    write_map(r, K_GID_MAP, nook_egid()))
		return -1;
	return 0;
}

/*
 * A time namespace takes its offsets before its first process enters, so
 * the child makes it with unshare() (the exec moves it in) and, when there
 * are offsets, says "t" for the parent to write them: the non-dumpable
 * child, root only of its own user namespace, may not open its own
 * /proc/self/timens_offsets.  1 when the parent must write, 0 when not.
 */
int
ns_child_time(struct run *r)
{
	if (r->t->ns[K_NS_TIME - NS_FIRST].mode != NS_NEW)
		return 0;
	if (unshare(CLONE_NEWTIME))
		child_fail(r, tloc(r->c, K_NS_TIME), K_NS_TIME, errno,
		    "unshare");
	return ns_time_offsets(r->t);
}

int
ns_time_offsets(const struct nook_config *t)
{
	return t->ns[K_NS_TIME - NS_FIRST].mode == NS_NEW &&
	    (t->boottime_offset || t->monotonic_offset);
}

/* In the parent, once the child said "t". */
int
ns_write_time(struct run *r)
{
	long long b = r->t->boottime_offset;
	long long m = r->t->monotonic_offset;
	int k = b ? K_BOOTTIME_OFFSET : K_MONOTONIC_OFFSET;
	char text[128];

	snprintf(text, sizeof(text), "monotonic %lld %lld\nboottime %lld %lld\n",
	    m / 1000 - (m % 1000 < 0), ((m % 1000 + 1000) % 1000) * 1000000,
	    b / 1000 - (b % 1000 < 0), ((b % 1000 + 1000) % 1000) * 1000000);
	if (write_file(r->pid, "timens_offsets", text) == 0)
		return 0;
	key_error(tloc(r->c, k), k, "write timens_offsets: %s",
	    strerror(errno));
	return -1;
}

void
ns_child_uts(struct run *r)
{
	const char *h = r->t->hostname;
	const char *d = r->t->domainname;

	if (r->t->ns[K_NS_UTS - NS_FIRST].mode != NS_NEW)
		return;
	if (sethostname(h, strlen(h)))
		child_fail(r, tloc(r->c, K_HOSTNAME), K_HOSTNAME, errno,
		    "sethostname");
	if (setdomainname(d, strlen(d)))
		child_fail(r, tloc(r->c, K_DOMAINNAME), K_DOMAINNAME, errno,
		    "setdomainname");
}
