// SPDX-License-Identifier: MIT
/*
 * floor - the least any container start must do, for bench/spawn.sh to
 * measure the spawners against:
 *
 *   floor [-abins] [-I INIT] [-m OUTSIDE] ROOT COMMAND [ARG...]
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
 *
 * -a (all) adds the kernel's side of every other default of nook's, one
 * system call for each thing nook asks the kernel for and no checks, so
 * that the bench can say what those defaults cost before any code of
 * nook's runs: a cgroup made for the child (clone3 into it, removed after
 * its exit) on the cgroup2 hierarchy when one is mounted, the hostname,
 * loopback up, a /dev of nook's shape (a tmpfs, six of the host's device
 * nodes bound on files, five links, devpts, a tmpfs on /dev/shm, mqueue),
 * a tmpfs on /tmp, a read-only /sys with the cgroup2 tree in it (under a
 * tmpfs on a hybrid host), nook's masked paths (a read-only tmpfs on a
 * directory, /dev/null on a file) and read-only paths (a recursive
 * read-only bind), the bounding set cut to Docker's default capabilities,
 * capset, no_new_privs; and with -I, INIT copied into a sealed memfd and
 * exec'd from there.  Use it with -i, -m, -s and -I for all of them.
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
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
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
#define F_CLONE_INTO_CGROUP 0x200000000ULL
#define F_SEALS_ALL (0x0001 | 0x0002 | 0x0004 | 0x0008)
#define F_CGROUP2_MAGIC 0x63677270
#define F_CAP_VERSION_3 0x20080522
/* Docker's default capabilities, as nook's: chown, dac_override, fowner,
 * fsetid, kill, setgid, setuid, setpcap, net_bind_service, net_raw,
 * sys_chroot, mknod, audit_write, setfcap */
#define F_CAPS ((1ULL << 0) | (1ULL << 1) | (1ULL << 3) | (1ULL << 4) | \
	(1ULL << 5) | (1ULL << 6) | (1ULL << 7) | (1ULL << 8) | \
	(1ULL << 10) | (1ULL << 13) | (1ULL << 18) | (1ULL << 27) | \
	(1ULL << 29) | (1ULL << 31))
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
static int bare, idmapped, filter, all, init_fd = -1;
static char cgroup_path[PATH_MAX];	/* -a: made by the parent, or "" */
static pid_t child_pid = -1;	/* in the parent, once cloned */
extern char **environ;

/* The parent's failure takes its child and its cgroup with it. */
static void
fail(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		waitpid(child_pid, NULL, 0);
	}
	if (child_pid != 0 && cgroup_path[0])
		rmdir(cgroup_path);
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

/* -a: a mount of fstype on path (relative to the new root) */
static void
mount_at(const char *src, const char *path, const char *fstype,
    unsigned long flags, const char *data)
{
	if (mount(src, path, fstype, flags, data))
		fail(path);
}

/* -a: the host's node bound on a file in the new /dev, as nook does */
static void
dev_node(int dev, const char *name)
{
	char path[32];
	int node, fd;

	snprintf(path, sizeof(path), "/dev/%s", name);
	node = syscall(SYS_open_tree, AT_FDCWD, path, F_OPEN_TREE_CLONE |
	    O_CLOEXEC);
	if (node < 0)
		fail(path);
	if ((fd = openat(dev, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0)
		fail(name);
	close(fd);
	if (syscall(SYS_move_mount, node, "", dev, name,
	    F_MOVE_MOUNT_F_EMPTY_PATH))
		fail(path);
	close(node);
}

/* -a: nook's /dev, /tmp and /sys under the new root (the cwd) */
static void
make_dev_tmp_sys(void)
{
	static const char *const nodes[] = { "null", "zero", "full",
		"random", "urandom", "tty" };
	static const char *const links[][2] = { { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" } };
	struct statfs sf;
	unsigned i;
	int dev;

	mount_at("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
	    "mode=0755,size=1m");
	if ((dev = open("dev", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail("dev");
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		dev_node(dev, nodes[i]);
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], dev, links[i][1]))
			fail(links[i][1]);
	if (mkdirat(dev, "pts", 0755) || mkdirat(dev, "shm", 0755) ||
	    mkdirat(dev, "mqueue", 0755))
		fail("mkdir in /dev");
	close(dev);
	mount_at("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620");
	mount_at("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777,size=64m");
	mount_at("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL);
	mount_at("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	mount_at("sysfs", "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL);
	/* the cgroup2 tree where the host has it: alone, or under a tmpfs */
	if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type ==
	    F_CGROUP2_MAGIC) {
		mount_at("cgroup2", "sys/fs/cgroup", "cgroup2", MS_RDONLY |
		    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
		return;
	}
	mount_at("tmpfs", "sys/fs/cgroup", "tmpfs", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, "mode=0755");
	if (mkdir("sys/fs/cgroup/unified", 0755))
		fail("sys/fs/cgroup/unified");
	mount_at("cgroup2", "sys/fs/cgroup/unified", "cgroup2", MS_RDONLY |
	    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_at(NULL, "sys/fs/cgroup", NULL, MS_REMOUNT | MS_BIND |
	    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* -a: nook's masked and read-only paths, those this kernel has */
static void
mask_paths(void)
{
	static const char *const masked[] = { "proc/acpi", "proc/asound",
		"proc/kcore", "proc/keys", "proc/latency_stats",
		"proc/timer_list", "proc/timer_stats", "proc/sched_debug",
		"proc/scsi", "sys/firmware", "sys/devices/virtual/powercap" };
	static const char *const readonly[] = { "proc/bus", "proc/fs",
		"proc/irq", "proc/sys", "proc/sysrq-trigger" };
	struct f_mount_attr ma = { .attr_set = F_MOUNT_ATTR_RDONLY };
	struct stat st;
	unsigned i;
	int tree;

	for (i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		if (stat(masked[i], &st))
			continue;
		if (S_ISDIR(st.st_mode))
			mount_at("tmpfs", masked[i], "tmpfs", MS_RDONLY |
			    MS_NOSUID | MS_NODEV | MS_NOEXEC,
			    "size=4k,mode=0555");
		else
			mount_at("dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	for (i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
		tree = syscall(SYS_open_tree, AT_FDCWD, readonly[i],
		    F_OPEN_TREE_CLONE | O_CLOEXEC | F_AT_RECURSIVE);
		if (tree < 0)
			continue;
		if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
		    F_AT_RECURSIVE, &ma, sizeof(ma)) ||
		    syscall(SYS_move_mount, tree, "", AT_FDCWD, readonly[i],
		    F_MOVE_MOUNT_F_EMPTY_PATH))
			fail(readonly[i]);
		close(tree);
	}
}

/* -a: root of the user namespace (whose files the mounts below make), the
 * hostname and loopback up, once the maps are written */
static void
name_and_lo(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s;

	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		fail("become root of the user namespace");
	if (sethostname("floor", 5))
		fail("sethostname");
	if ((s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    ioctl(s, SIOCGIFFLAGS, &ifr))
		fail("lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		fail("lo up");
	close(s);
}

/* -a: the bounding set cut to the default capabilities, capset, no new
 * privileges: nook's last steps before its filter */
static void
drop_caps(void)
{
	struct { uint32_t version; int pid; } head = { F_CAP_VERSION_3, 0 };
	struct { uint32_t eff, perm, inh; } data[2] = {
		{ (uint32_t)F_CAPS, (uint32_t)F_CAPS, 0 },
		{ (uint32_t)(F_CAPS >> 32), (uint32_t)(F_CAPS >> 32), 0 } };
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (!(F_CAPS & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap,
		    0, 0, 0)) {
			if (errno == EINVAL)
				break;
			fail("drop a capability");
		}
	if (setgroups(0, NULL) || syscall(SYS_capset, &head, data) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail("capabilities");
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
	mount_at("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL);
	if (all) {
		make_dev_tmp_sys();
		mask_paths();
	}
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

	if (all)
		drop_caps();
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
	if (all)
		name_and_lo();
	if (bare) {
		snprintf(path, sizeof(path), "%s%s", root, command[0]);
		execv(path, command);
		fail(path);
	}
	enter_root(tree);
	exec_command();
}

static pid_t
clone_child(uint64_t flags, int cgroup)
{
	struct f_clone_args args = { .flags = flags,
		.exit_signal = SIGCHLD };

	if (cgroup >= 0) {
		args.flags |= F_CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup;
	}
	return syscall(SYS_clone3, &args, sizeof(args));
}

/* -a: a cgroup for the child on the cgroup2 hierarchy, -1 without one */
static int
make_cgroup(void)
{
	static const char *const where[] = { "/sys/fs/cgroup",
		"/sys/fs/cgroup/unified" };
	struct statfs sf;
	unsigned i;
	int fd;

	for (i = 0; i < 2; i++)
		if (statfs(where[i], &sf) == 0 && sf.f_type ==
		    F_CGROUP2_MAGIC)
			break;
	if (i == 2)
		return -1;
	snprintf(cgroup_path, sizeof(cgroup_path), "%s/floor-%d", where[i],
	    (int)getpid());
	if (mkdir(cgroup_path, 0755))
		fail(cgroup_path);
	if ((fd = open(cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail(cgroup_path);
	return fd;
}

/* -a -I: INIT copied into a sealed memfd, as nook runs nook-init */
static void
init_into_memfd(void)
{
	struct stat st;
	int fd;

	if (fstat(init_fd, &st) || (fd = memfd_create("init", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) < 0)
		fail("memfd of the init");
	if (sendfile(fd, init_fd, NULL, (size_t)st.st_size) != st.st_size ||
	    fchmod(fd, 0555) || fcntl(fd, F_ADD_SEALS, F_SEALS_ALL))
		fail("copy the init");
	close(init_fd);
	init_fd = fd;
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
	int sv[2], st, cg = -1;
	pid_t pid;

	if (all && init_fd >= 0)
		init_into_memfd();
	if (all)
		cg = make_cgroup();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		fail("socketpair");
	pid = clone_child(flags, cg);
	if (pid < 0)
		fail("clone3");
	if (pid == 0) {
		child_pid = 0;
		close(sv[1]);
		child(sv[0]);
	}
	child_pid = pid;
	close(sv[0]);
	write_file(pid, "uid_map", map);
	write_file(pid, "gid_map", map);
	if (idmapped)
		send_root(pid, sv[1]);
	close(sv[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			fail("waitpid");
	child_pid = -1;
	if (cg >= 0 && (close(cg) || rmdir(cgroup_path)))
		fail(cgroup_path);
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

	while ((c = getopt(argc, argv, "+abnisI:m:")) != -1) {
		switch (c) {
		case 'a': all = 1; break;
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
			fprintf(stderr, "usage: floor [-a] [-b] [-n] [-i] [-s] "
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
