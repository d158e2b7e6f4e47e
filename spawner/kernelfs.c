// SPDX-License-Identifier: MIT
/*
 * The kernel's file systems in the container - /proc, /sys, a minimal
 * /dev, /tmp - each made detached and attached on a mount point reached
 * through no symlink, and the masks and read-only paths, applied through
 * the descriptors of those very mounts and checked again before
 * pivot_root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nook.h"
#include "mount.h"

static const char *const dev_nodes[NDEV] = { "null", "zero", "full",
	"random", "urandom", "tty" };

/*
 * /proc, /sys or the /dev tmpfs: made detached, then attached on a mount
 * point that is no symlink.  The descriptor of the mount is kept: masks
 * are applied through it, never through a path that could be swapped.
 */
static int
kernel_fs(struct mctx *m, const char *dst, const char *type,
    unsigned long long attrs, const char *data)
{
	char opts[128], *tok, *save, *eq;
	int fs, mnt, fd;

	if ((fs = syscall(SYS_fsopen, type, FSOPEN_CLOEXEC)) < 0)
		FAIL(m, "open a %s file system", type);
	snprintf(opts, sizeof(opts), "%s", data ? data : "");
	for (tok = strtok_r(opts, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')))
			*eq++ = 0;
		if (syscall(SYS_fsconfig, fs, eq ? FSCONFIG_SET_STRING :
		    FSCONFIG_SET_FLAG, tok, eq, 0))
			FAIL(m, "%s option %s", type, tok);
	}
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) ||
	    (mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs)) < 0)
		FAIL(m, "mount %s on \"%s\"", type, dst);
	m->strict = 1;
	fd = mount_point(m, dst, CREATE_DIR);
	m->strict = 0;
	if (syscall(SYS_move_mount, mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mount %s on \"%s\"", type, dst);
	close(fd);
	close(fs);
	return mnt;
}

/*
 * The host's harmless device nodes, checked to be character devices and
 * opened before the first mount (a user namespace cannot mknod).
 */
void
open_dev_nodes(struct mctx *m)
{
	char host[32];
	struct stat st;
	size_t i;

	for (i = 0; i < NDEV; i++) {
		m->dev_fd[i] = -1;
		if (m->r->t->dev != DEV_MINIMAL)
			continue;
		snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i]);
		m->dev_fd[i] = open(host, O_PATH | O_CLOEXEC);
		if (m->dev_fd[i] < 0 || fstat(m->dev_fd[i], &st))
			FAIL(m, "open the host's %s", host);
		if (!S_ISCHR(st.st_mode)) {
			errno = ENODEV;
			FAIL(m, "host %s is not a character device", host);
		}
	}
}

/*
 * A file system on the directory NAME of the /dev tmpfs nook just made:
 * reached through that mount's descriptor, nothing of the image's on the
 * way, and no path walked from the root again.
 */
static void
dev_fs(struct mctx *m, const char *name, const char *type,
    unsigned long flags, const char *data)
{
	char buf[32];
	int fd;

	if ((mkdirat(m->dev, name, 0755) && errno != EEXIST) ||
	    (fd = openat(m->dev, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0 || mount(type, fdpath(fd, buf), type, flags, data))
		FAIL(m, "mount %s on \"/dev/%s\"", type, name);
	close(fd);
}

/*
 * tmpfs with the host's device nodes bound in, a devpts, shm, mqueue -
 * all made in that fresh tmpfs through its descriptor.  The nodes are
 * nosuid and noexec by one call for the six of them.
 */
static void
setup_dev_minimal(struct mctx *m)
{
	static const char *const links[][2] = { { "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" } };
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_NOSUID |
		MOUNT_ATTR_NOEXEC };
	char shm[64];
	size_t i;
	int tree;

	/* nodev: the nodes below are bind mounts of their own */
	m->dev = kernel_fs(m, "/dev", "tmpfs", MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "mode=0755,size=1m");
	for (i = 0; i < NDEV; i++) {
		if (mknodat(m->dev, dev_nodes[i], S_IFREG | 0644, 0) ||
		    (tree = syscall(SYS_open_tree, m->dev_fd[i], "",
		    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH)) < 0 ||
		    syscall(SYS_move_mount, tree, "", m->dev, dev_nodes[i],
		    MOVE_MOUNT_F_EMPTY_PATH))
			FAIL(m, "bind the host's /dev/%s", dev_nodes[i]);
		close(tree);
		close(m->dev_fd[i]);
	}
	if (syscall(SYS_mount_setattr, m->dev, "", AT_EMPTY_PATH | AT_RECURSIVE,
	    &ma, sizeof(ma)))
		FAIL(m, "make the nodes of /dev nosuid and noexec");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], m->dev, links[i][1]) &&
		    errno != EEXIST)
			FAIL(m, "symlink \"/dev/%s\" -> \"%s\"", links[i][1],
			    links[i][0]);
	dev_fs(m, "pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620");
	snprintf(shm, sizeof(shm), "mode=1777,size=%lld",
	    m->r->t->shm_size);
	if (m->r->t->shm_size < 0)
		strcpy(shm, "mode=1777");
	dev_fs(m, "shm", "tmpfs", MS_NOSUID | MS_NODEV, shm);
	if (m->r->t->ns[K_NS_IPC - NS_FIRST].mode == NS_NEW)
		dev_fs(m, "mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		    NULL);
}

/*
 * A new user namespace may mount a proc only for a PID namespace, and a
 * sysfs only for a network namespace, that it owns.  Without one, the
 * defaults (config.c refuses a value given) bind the host's instead.
 */
static int
own_pidns(const struct run *r)
{
	return !(r->clone_flags & CLONE_NEWUSER) ||
	    r->clone_flags & CLONE_NEWPID;
}

static int
own_netns(const struct run *r)
{
	return !(r->clone_flags & CLONE_NEWUSER) ||
	    r->clone_flags & CLONE_NEWNET;
}

static void
host_kernel_fs(struct mctx *m, const char *dir, unsigned attrs)
{
	nook_info("%s: no namespace of its own to mount one for: the host's "
	    "%s is bound%s", key_label(m->key), dir, attrs & M_RO ?
	    " read-only" : "");
	m->strict = 1;
	bind_host(m, AT_FDCWD, dir, dir, attrs, CREATE_DIR);
	m->strict = 0;
}

void
setup_filesystems(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	int sys = t->sys, dev = t->dev;

	if (t->proc) {
		blame(m, K_FS_PROC);
		if (!own_pidns(m->r))
			host_kernel_fs(m, "/proc", M_NOSUID | M_NODEV | M_NOEXEC);
		else
			m->proc = kernel_fs(m, "/proc", "proc", MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, NULL);
	}
	if (sys != 2) {
		blame(m, K_FS_SYS);
		if (!own_netns(m->r))
			host_kernel_fs(m, "/sys", M_RO | M_NOSUID | M_NODEV |
			    M_NOEXEC);
		else
			m->sys = kernel_fs(m, "/sys", "sysfs", MOUNT_ATTR_NOSUID |
			    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
			    (sys == 0 ? MOUNT_ATTR_RDONLY : 0), NULL);
		cg_mount(m);	/* the container's cgroups: cgroup.c */
	}
	blame(m, K_FS_DEV);
	if (dev == 0)
		setup_dev_minimal(m);
	else if (dev == 1) {
		m->strict = 1;
		bind_host(m, AT_FDCWD, "/dev", "/dev", 0, CREATE_DIR);
		m->strict = 0;
	}
	tty_open_pty(m);	/* [process] tty: tty.c */
	if (t->tmp) {
		blame(m, K_FS_TMP);
		mount_fs(m, "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	}
}

/*
 * Open the host's /dev/null (or take the one dev = minimal opened),
 * refusing anything but the 1:3 device.
 */
void
open_null(struct mctx *m)
{
	struct stat st;

	m->null_fd = m->dev_fd[0] >= 0 ? fcntl(m->dev_fd[0], F_DUPFD_CLOEXEC,
	    0) : open("/dev/null", O_PATH | O_CLOEXEC);
	if (m->null_fd < 0 || fstat(m->null_fd, &st))
		FAIL(m, "open the host's /dev/null");
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 ||
	    minor(st.st_rdev) != 3) {
		errno = ENODEV;
		FAIL(m, "the host's /dev/null is not the 1:3 character device");
	}
}

/*
 * A path to mask or make read-only: below /proc, /sys or /dev through
 * the descriptor of the mount nook made there (a path walked again could
 * meet a directory swapped in meanwhile), elsewhere inside the root.
 */
static int
open_target(struct mctx *m, const char *path)
{
	const struct { const char *dir; int fd; } kfs[] = {
		{ "/proc", m->proc }, { "/sys", m->sys }, { "/dev", m->dev },
	};
	size_t i, n;

	for (i = 0; i < sizeof(kfs) / sizeof(kfs[0]); i++) {
		n = strlen(kfs[i].dir);
		if (kfs[i].fd >= 0 && !strncmp(path, kfs[i].dir, n) &&
		    (path[n] == '/' || !path[n]))
			return resolve(kfs[i].fd, path + n, O_PATH,
			    RESOLVE_BENEATH);
	}
	return in_root(m->root, path, O_PATH);
}

/*
 * The first masked directory gets an empty read-only tmpfs; every other
 * one a clone of that mount, not a file system of its own.
 */
static int
empty_dir(struct mctx *m, const char *path, int fd)
{
	int fs, mnt;

	if (m->empty >= 0)
		return (int)syscall(SYS_open_tree, m->empty, "",
		    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	/* read-only as a file system too, not only as a mount */
	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size",
	    "4k", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode",
	    "0555", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro",
	    NULL, 0) || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0) || (mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
	    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	    MOUNT_ATTR_NOEXEC)) < 0)
		FAIL(m, "mask \"%s\"", path);
	close(fs);
	/* attached, it can be cloned (a detached one only since 6.15) */
	if (syscall(SYS_move_mount, mnt, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mask \"%s\"", path);
	m->empty = mnt;
	return -2;
}

static void
mask_one(struct mctx *m, const char *path, int fd)
{
	struct stat st;
	int tree;

	if (fstat(fd, &st))
		FAIL(m, "mask \"%s\"", path);
	if (!S_ISDIR(st.st_mode))
		tree = syscall(SYS_open_tree, m->null_fd, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	else if ((tree = empty_dir(m, path, fd)) == -2)
		return;		/* the first: mounted there already */
	if (tree < 0 || syscall(SYS_move_mount, tree, "", fd, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mask \"%s\"", path);
	close(tree);
}

static void
readonly_one(struct mctx *m, const char *path, int fd)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };
	int tree = syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);

	if (tree < 0 || syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma)) || syscall(SYS_move_mount, tree,
	    "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "make \"%s\" read-only", path);
	close(tree);
}

/*
 * [filesystem] mask: /dev/null over files, an empty read-only tmpfs over
 * directories; readonly_path: a read-only bind of the path onto itself.
 * A path this kernel or image does not have (ENOENT) is skipped; any
 * other failure stops the setup: a defence is never silently left out.
 */
void
mask_paths(struct mctx *m)
{
	char *const *mask = m->r->t->mask;
	char *const *ro = m->r->t->readonly_paths;
	size_t i;
	int fd;

	blame(m, K_FS_MASK);
	for (i = 0; mask[i]; i++) {
		if ((fd = open_target(m, mask[i])) < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			FAIL(m, "open \"%s\"", mask[i]);
		mask_one(m, mask[i], fd);
		close(fd);
	}
	blame(m, K_FS_RO_PATH);
	for (i = 0; ro[i]; i++) {
		if ((fd = open_target(m, ro[i])) < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			FAIL(m, "open \"%s\"", ro[i]);
		readonly_one(m, ro[i], fd);
		close(fd);
	}
}

/*
 * Before pivot_root: /proc, /sys and /dev must still be the very mounts
 * nook made, not a directory of the image renamed into their place.
 */
void
check_kernel_fs(struct mctx *m)
{
	const struct { const char *dir; int fd, key; } kfs[] = {
		{ "/proc", m->proc, K_FS_PROC }, { "/sys", m->sys, K_FS_SYS },
		{ "/dev", m->dev, K_FS_DEV },
	};
	struct statx a, b;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(kfs) / sizeof(kfs[0]); i++) {
		if (kfs[i].fd < 0)
			continue;
		blame(m, kfs[i].key);
		fd = resolve(m->root, kfs[i].dir, O_PATH, RESOLVE_IN_ROOT |
		    RESOLVE_NO_SYMLINKS);
		if (fd < 0 || statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &a) ||
		    statx(kfs[i].fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &b))
			FAIL(m, "check \"%s\"", kfs[i].dir);
		if (!(a.stx_mask & STATX_MNT_ID) || a.stx_mnt_id != b.stx_mnt_id) {
			errno = ESTALE;
			FAIL(m, "\"%s\" is no longer the mount nook made there "
			    "(the image changed during the setup)", kfs[i].dir);
		}
		close(fd);
		close(kfs[i].fd);
	}
}

/*
 * [sysctl], through the proc file system nook mounted (never a path that
 * could have been swapped), before masks make /proc/sys read-only.  Each
 * parameter is the container's own: model.c admits only namespaced ones.
 */
void
write_sysctls(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	char path[300], *p;
	size_t i, len;
	int fd;

	for (i = 0; i < t->nsysctl; i++) {
		m->loc = &t->sysctl[i].loc;
		m->key = -1;
		if (m->proc < 0) {
			errno = ENOENT;
			FAIL(m, "[sysctl] %s: no /proc of the container's own to "
			    "write it through", t->sysctl[i].name);
		}
		snprintf(path, sizeof(path), "sys/%s", t->sysctl[i].name);
		if (!strchr(t->sysctl[i].name, '/'))
			for (p = path; *p; p++)
				if (*p == '.')
					*p = '/';
		fd = resolve(m->proc, path, O_WRONLY | O_NOFOLLOW | O_NOCTTY,
		    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		len = strlen(t->sysctl[i].value);
		if (fd < 0 || write(fd, t->sysctl[i].value, len) !=
		    (ssize_t)len)
			FAIL(m, "[sysctl] %s = %s", t->sysctl[i].name,
			    t->sysctl[i].value);
		close(fd);
	}
}
