// SPDX-License-Identifier: MIT
/*
 * floor - the least any container start must do, for bench/spawn.sh to
 * measure the spawners against:
 *
 *   floor [-b] [-n] [-i] [-s] [-I INIT] [-m OUTSIDE] ROOT COMMAND [ARG...]
 *
 * One clone3() into new user, pid, mount, net, uts, ipc, cgroup and time
 * namespaces; the parent writes the uid and gid maps (container 0 to 65535
 * onto OUTSIDE.., default 0) while the child waits on a socket; the child
 * makes the host's mounts slaves (pivot_root refuses shared ones), clones
 * ROOT into a read-only tree, mounts a fresh /proc in it, pivot_roots into
 * it and execs COMMAND as PID 1.  The parent waits and exits with the
 * child's status (128+N for signal N).
 *
 * -b (bare): no mounts, no pivot_root, no /proc: the child execs
 * ROOT/COMMAND from the host's tree.  -n: stay in the host's network
 * namespace, which is the dearest of the eight to make.  -i: the root is
 * an idmapped mount through the child's user namespace, as nook makes it
 * for a private id range (-m): the parent clones ROOT, idmaps it once the
 * maps are written and passes it to the child over a socket, which
 * attaches it instead of cloning ROOT itself.
 *
 * Nothing else: no cgroup, no masks, no capabilities, no seccomp, no init.
 * Two options add what the kernel alone charges for two of nook's
 * defaults, so that the bench can price them apart from nook's own code:
 * -s loads a seccomp filter of one instruction (allow everything) right
 * before the exec - whatever a filter says, loading one has a fixed cost;
 * -I INIT execs INIT (opened before the clone, as nook's memfd is) as PID
 * 1 with "-- COMMAND [ARG...]", the command line of nook-init and tini.
 * Both apply to the rooted floor only: -b execs ROOT/COMMAND as it is.
 * Needs root.  Exit status 125 for its own failures.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#define F_OPEN_TREE_CLONE 1
#define F_AT_RECURSIVE 0x8000
#define F_MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define F_MOUNT_ATTR_RDONLY 0x00000001
#define F_MOUNT_ATTR_IDMAP 0x00100000

/* the kernel's struct clone_args and struct mount_attr, as of 5.14 */
struct f_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/* classic BPF and seccomp(2), as the kernel's uapi has them */
struct f_sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

struct f_sock_fprog {
	unsigned short len;
	struct f_sock_filter *filter;
};

#define F_BPF_RET_K 0x06
#define F_SECCOMP_RET_ALLOW 0x7fff0000U
#define F_SECCOMP_SET_MODE_FILTER 1

struct f_mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};

static const char *root;
static char **command;
static int bare, idmapped, filter, init_fd = -1;
extern char **environ;

static void
fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	_exit(125);
}

static void
write_file(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		fail(path);
	close(fd);
}

/* Send fd over the socket s, or receive one (fd < 0); -1 on failure. */
static int
pass_fd(int s, int fd)
{
	char buf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 0;
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	if (fd >= 0) {
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		return sendmsg(s, &m, 0) == 1 ? 0 : -1;
	}
	if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) != 1 || !(cm = CMSG_FIRSTHDR(&m))
	    || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* A read-only clone of ROOT, idmapped through userns_fd when >= 0. */
static int
root_tree(int userns_fd)
{
	struct f_mount_attr ma = { .attr_set = F_MOUNT_ATTR_RDONLY };
	int tree;

	tree = syscall(SYS_open_tree, AT_FDCWD, root, F_OPEN_TREE_CLONE |
	    O_CLOEXEC | F_AT_RECURSIVE);
	if (tree < 0)
		fail("clone the root");
	if (userns_fd >= 0) {
		ma.attr_set |= F_MOUNT_ATTR_IDMAP;
		ma.userns_fd = (uint64_t)userns_fd;
	}
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
	    F_AT_RECURSIVE, &ma, sizeof(ma)))
		fail("make the root read-only");
	return tree;
}

/* The tree attached on ROOT and entered, /proc in it, pivot_root. */
static void
enter_root(int tree)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		fail("make / a slave");
	if (tree < 0)
		tree = root_tree(-1);
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, root,
	    F_MOVE_MOUNT_F_EMPTY_PATH))
		fail("attach the root");
	if (fchdir(tree))
		fail("enter the root");
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL))
		fail("mount /proc");
	if (syscall(SYS_pivot_root, ".", "."))
		fail("pivot_root");
	if (umount2(".", MNT_DETACH))
		fail("detach the old root");
	if (chdir("/"))
		fail("chdir /");
	close(tree);
}

/* -s and -I: the filter, then the init with the command, or the command */
static void
exec_command(void)
{
	struct f_sock_filter allow = { F_BPF_RET_K, 0, 0,
		F_SECCOMP_RET_ALLOW };
	struct f_sock_fprog prog = { 1, &allow };
	char **argv;
	int n;

	if (filter && syscall(SYS_seccomp, F_SECCOMP_SET_MODE_FILTER, 0,
	    &prog))
		fail("load the seccomp filter");
	if (init_fd < 0) {
		execv(command[0], command);
		fail(command[0]);
	}
	for (n = 0; command[n]; n++)
		;
	if (!(argv = calloc((size_t)n + 3, sizeof(*argv))))
		fail("calloc");
	argv[0] = "init";
	argv[1] = "--";
	memcpy(argv + 2, command, (size_t)n * sizeof(*argv));
	syscall(SYS_execveat, init_fd, "", argv, environ, AT_EMPTY_PATH);
	fail("exec the init");
}

static void
child(int sock)
{
	char path[PATH_MAX], c;
	int tree = -1;

	/* the idmapped root, or EOF once the parent has written the maps */
	if (idmapped && (tree = pass_fd(sock, -1)) < 0)
		fail("receive the root");
	else if (!idmapped && read(sock, &c, 1) < 0)
		fail("wait for the id maps");
	close(sock);
	if (bare) {
		snprintf(path, sizeof(path), "%s%s", root, command[0]);
		execv(path, command);
		fail(path);
	}
	enter_root(tree);
	exec_command();
}

static pid_t
clone_child(uint64_t flags)
{
	struct f_clone_args args = { .flags = flags,
		.exit_signal = SIGCHLD };

	return syscall(SYS_clone3, &args, sizeof(args));
}

/* After the maps: the idmapped root for the child. */
static void
send_root(pid_t pid, int sock)
{
	char path[64];
	int userns, tree;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if ((userns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		fail(path);
	tree = root_tree(userns);
	if (pass_fd(sock, tree))
		fail("send the root");
	close(tree);
	close(userns);
}

static int
run(uint64_t flags, const char *map)
{
	int sv[2], st;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		fail("socketpair");
	pid = clone_child(flags);
	if (pid < 0)
		fail("clone3");
	if (pid == 0) {
		close(sv[1]);
		child(sv[0]);
	}
	close(sv[0]);
	write_file(pid, "uid_map", map);
	write_file(pid, "gid_map", map);
	if (idmapped)
		send_root(pid, sv[1]);
	close(sv[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

int
main(int argc, char **argv)
{
	uint64_t flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS |
	    CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
	    CLONE_NEWTIME;
	unsigned long outside = 0;
	char map[64];
	int c;

	while ((c = getopt(argc, argv, "+bnisI:m:")) != -1) {
		switch (c) {
		case 'b': bare = 1; break;
		case 'i': idmapped = 1; break;
		case 's': filter = 1; break;
		case 'I':
			init_fd = open(optarg, O_RDONLY | O_CLOEXEC);
			if (init_fd < 0)
				fail(optarg);
			break;
		case 'n': flags &= ~(uint64_t)CLONE_NEWNET; break;
		case 'm': outside = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: floor [-b] [-n] [-i] [-s] "
			    "[-I INIT] [-m OUTSIDE] ROOT COMMAND [ARG...]\n");
			return 125;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "floor: needs ROOT and COMMAND\n");
		return 125;
	}
	root = argv[optind];
	command = argv + optind + 1;
	snprintf(map, sizeof(map), "0 %lu 65536\n", outside);
	return run(flags, map);
}
