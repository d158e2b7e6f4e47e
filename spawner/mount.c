// SPDX-License-Identifier: MIT
/*
 * The container's root: bind (or overlay) the rootfs onto itself, mount
 * /proc, /sys, /dev, /tmp and the [mounts] entries inside it, then
 * pivot_root and detach the old root.  Every destination is opened with
 * openat2(RESOLVE_IN_ROOT), so a symlink in the rootfs can never lead a
 * mount out of it, and the mount goes onto the opened descriptor.
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

#define NDEV 6
static const char *const dev_nodes[NDEV] = { "null", "zero", "full",
	"random", "urandom", "tty" };

struct mctx {
	struct run *r;
	int dev_fd[NDEV];	/* the host's nodes, opened before any mount */
	int null_fd;		/* /dev/null, checked to be 1:3, for masking */
	int root;		/* O_PATH of the new root mount */
	int writable;		/* may mount points be created? */
	int strict;		/* no symlink anywhere on a mount point's path */
	int proc, sys, dev;	/* the mounts nook made there, or -1 */
	const struct loc *loc;	/* what to blame */
	int key;
};

#define FAIL(m, ...) child_fail((m)->r, (m)->loc, (m)->key, errno, __VA_ARGS__)

static int
resolve(int dirfd, const char *path, int flags, unsigned long long how_)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_CLOEXEC,
		.resolve = how_ | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	return syscall(SYS_openat2, dirfd, *path ? path : ".", &how,
	    sizeof(how));
}

static int
in_root(int root, const char *path, int flags)
{
	return resolve(root, path, flags, RESOLVE_IN_ROOT);
}

static char *
fdpath(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

/* The parent directory of path inside the root, and path's last name. */
static int
parent_in_root(struct mctx *m, const char *path, const char **base)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	*base = slash + 1;
	if ((fd = in_root(m->root, dir, O_PATH | O_DIRECTORY)) < 0)
		FAIL(m, "open \"%s\" in the container's root", *dir ? dir : "/");
	return fd;
}

/* mkdir -p inside the root; each step resolved inside it. */
static void
mkdirs(struct mctx *m, const char *path, mode_t mode)
{
	char part[4096];
	const char *p = path, *base;
	int fd;

	while ((p = strchr(p + 1, '/')) || *path) {
		snprintf(part, sizeof(part), "%.*s",
		    (int)(p ? p - path : (long)strlen(path)), path);
		fd = parent_in_root(m, part, &base);
		if (*base && mkdirat(fd, base, mode) && errno != EEXIST)
			FAIL(m, "mkdir \"%s\"", part);
		close(fd);
		if (!p)
			break;
	}
}

/*
 * Open a mount point, creating it (a directory, or an empty file) when it
 * is missing and the root is writable.
 */
static int
mount_point(struct mctx *m, const char *dst, int create)
{
	unsigned long long how = RESOLVE_IN_ROOT |
	    (m->strict ? RESOLVE_NO_SYMLINKS : 0);
	const char *base;
	int fd, pfd;

	fd = resolve(m->root, dst, O_PATH, how);
	if (fd < 0 && errno == ELOOP && m->strict)
		FAIL(m, "\"%s\" in the image is a symbolic link (or is reached "
		    "through one); nook mounts there only on a real directory",
		    dst);
	if (fd >= 0 || errno != ENOENT)
		goto out;
	if (!m->writable && create == CREATE_NONE) {
		errno = ENOENT;
		FAIL(m, "mount point \"%s\" does not exist in the read-only "
		    "root (create it, or use overlay = tmpfs)", dst);
	}
	if (create == CREATE_FILE) {
		pfd = parent_in_root(m, dst, &base);
		fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0644);
		if (fd < 0)
			FAIL(m, "create \"%s\"", dst);
		close(fd);
		close(pfd);
	} else {
		mkdirs(m, dst, 0755);
	}
	fd = resolve(m->root, dst, O_PATH, how);
out:
	if (fd < 0)
		FAIL(m, "open mount point \"%s\"", dst);
	return fd;
}

static void
mount_fs(struct mctx *m, const char *dst, const char *type,
    unsigned long flags, const char *data)
{
	char buf[32];
	int fd = mount_point(m, dst, CREATE_DIR);

	if (mount(type, fdpath(fd, buf), type, flags, data))
		FAIL(m, "mount %s on \"%s\"", type, dst);
	close(fd);
}

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

static unsigned long long
mount_attrs(unsigned a)
{
	return (a & M_RO ? MOUNT_ATTR_RDONLY : 0) |
	    (a & M_NOSUID ? MOUNT_ATTR_NOSUID : 0) |
	    (a & M_NODEV ? MOUNT_ATTR_NODEV : 0) |
	    (a & M_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
}

/* Attach a detached tree on dst: open_tree/fsmount + move_mount. */
static void
attach(struct mctx *m, int tree, const char *dst, unsigned attrs, int create)
{
	struct mount_attr ma = { .attr_set = mount_attrs(attrs) };
	int fd;

	if (ma.attr_set && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma)))
		FAIL(m, "set attributes of \"%s\"", dst);
	fd = mount_point(m, dst, create);
	if (syscall(SYS_move_mount, tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "mount on \"%s\"", dst);
	close(fd);
	close(tree);
}

/* A bind: the mount point is made to match what the source is. */
static void
attach_tree(struct mctx *m, int tree, const char *dst, unsigned attrs,
    int create)
{
	struct stat st;

	if (create == CREATE_NONE && m->writable && !fstat(tree, &st))
		create = S_ISDIR(st.st_mode) ? CREATE_DIR : CREATE_FILE;
	attach(m, tree, dst, attrs, create);
}

static void
bind_host(struct mctx *m, int dirfd, const char *src, const char *dst,
    unsigned attrs, int create)
{
	int tree = syscall(SYS_open_tree, dirfd, src, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE | (*src ? 0 : AT_EMPTY_PATH));

	if (tree < 0)
		FAIL(m, "bind \"%s\"", src);
	attach_tree(m, tree, dst, attrs, create);
}

/* A file with the given text, on a private tmpfs, bound onto dst. */
static void
bind_text(struct mctx *m, const char *dst, const char *text)
{
	int fs, mnt, fd, tree;
	size_t len = strlen(text);

	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size",
	    "1m", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0))
		FAIL(m, "create a tmpfs for \"%s\"", dst);
	if ((mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0)) < 0)
		FAIL(m, "mount a tmpfs for \"%s\"", dst);
	fd = openat(mnt, "file", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		FAIL(m, "write the text of \"%s\"", dst);
	close(fd);
	tree = syscall(SYS_open_tree, mnt, "file", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC);
	if (tree < 0)
		FAIL(m, "clone the text of \"%s\"", dst);
	attach(m, tree, dst, M_NOSUID | M_NODEV | M_NOEXEC, CREATE_FILE);
	close(mnt);
	close(fs);
}

static void
make_symlink(struct mctx *m, const char *target, const char *link)
{
	const char *base;
	int pfd = parent_in_root(m, link, &base);

	if (symlinkat(target, pfd, base) && errno != EEXIST)
		FAIL(m, "symlink \"%s\" -> \"%s\"", link, target);
	close(pfd);
}

/*
 * The host's harmless device nodes, checked to be character devices and
 * opened before the first mount (a user namespace cannot mknod).
 */
static void
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
		if (m->dev_fd[i] < 0 || fstat(m->dev_fd[i], &st) ||
		    !S_ISCHR(st.st_mode)) {
			errno = errno ? errno : ENODEV;
			FAIL(m, "host %s is not a character device", host);
		}
	}
}

/* tmpfs with the host's device nodes bound in, a devpts, shm, mqueue. */
static void
setup_dev_minimal(struct mctx *m)
{
	static const char *const links[][2] = { { "/proc/self/fd", "/dev/fd" },
		{ "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" },
		{ "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" } };
	char dst[32], shm[64];
	size_t i;

	/* nodev: the nodes below are bind mounts of their own */
	m->dev = kernel_fs(m, "/dev", "tmpfs", MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, "mode=0755,size=1m");
	for (i = 0; i < NDEV; i++) {
		snprintf(dst, sizeof(dst), "/dev/%s", dev_nodes[i]);
		bind_host(m, m->dev_fd[i], "", dst, M_NOSUID | M_NOEXEC,
		    CREATE_FILE);
		close(m->dev_fd[i]);
	}
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		make_symlink(m, links[i][0], links[i][1]);
	mount_fs(m, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620");
	snprintf(shm, sizeof(shm), "mode=1777,size=%lld",
	    m->r->t->shm_size);
	if (m->r->t->shm_size < 0)
		strcpy(shm, "mode=1777");
	mount_fs(m, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, shm);
	if (m->r->t->ns[K_NS_IPC - NS_FIRST].mode == NS_NEW)
		mount_fs(m, "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV |
		    MS_NOEXEC, NULL);
}

static void
blame(struct mctx *m, int key)
{
	m->key = key;
	m->loc = tloc(m->r->c, key);
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

static void
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
	}
	blame(m, K_FS_DEV);
	if (dev == 0)
		setup_dev_minimal(m);
	else if (dev == 1) {
		m->strict = 1;
		bind_host(m, AT_FDCWD, "/dev", "/dev", 0, CREATE_DIR);
		m->strict = 0;
	}
	if (t->tmp) {
		blame(m, K_FS_TMP);
		mount_fs(m, "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	}
}

static void
setup_user_mounts(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	const struct mnt_spec *s;
	size_t i;

	for (i = 0; i < t->nmounts; i++) {
		s = &t->mounts[i];
		m->loc = &s->loc;
		m->key = s->kind;
		switch (s->kind) {
		case K_M_BIND:
		case K_M_BIND_RO:
			if (m->r->idbind[i] >= 0) {
				attach_tree(m, m->r->idbind[i], s->dst, s->attrs,
				    s->create);
				m->r->idbind[i] = -1;
				break;
			}
			if (s->optional && access(s->src, F_OK))
				break;
			bind_host(m, AT_FDCWD, s->src, s->dst, s->attrs,
			    s->create);
			break;
		case K_M_TMPFS:
			mount_fs(m, s->dst, "tmpfs", MS_NOSUID | MS_NODEV,
			    s->data);
			break;
		case K_M_MKDIR:
			mkdirs(m, s->dst, 0755);
			break;
		case K_M_SYMLINK:
			make_symlink(m, s->text, s->dst);
			break;
		case K_M_FILE:
			bind_text(m, s->dst, s->text);
			break;
		}
	}
}

/*
 * The descriptor opened on the host names a mount of the host's mount
 * namespace; mount calls want ours.  Reopen the path here - early, while
 * the child still has the host's uid, so a rootfs below a directory only
 * root may enter works with a private id range too - and make sure it is
 * still the same directory.
 */
void
mnt_open_root(struct run *r)
{
	const char *path = r->t->root_path;
	const struct loc *l = tloc(r->c, K_ROOT_PATH);
	struct stat a, b;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &a) || fstat(r->root_fd, &b))
		child_fail(r, l, K_ROOT_PATH, errno, "open \"%s\"", path);
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		child_fail(r, l, K_ROOT_PATH, ESTALE, "\"%s\" was replaced "
		    "while nook started", path);
	close(r->root_fd);
	r->root_fd = fd;
}

/* The overlay of overlay = tmpfs, as a detached mount. */
static int
overlay_tree(struct mctx *m)
{
	char lower[32], upper[64], work[64];
	int fs, up, ov, tree;

	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode",
	    "0755", 0) || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL,
	    NULL, 0) || (up = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC,
	    MOUNT_ATTR_NODEV)) < 0)
		FAIL(m, "create the tmpfs of the overlay");
	if (mkdirat(up, "upper", 0755) || mkdirat(up, "work", 0755))
		FAIL(m, "create the overlay's upper directory");
	/*
	 * overlayfs clones its layers privately, which it does only for
	 * mounts of our own namespace: attach the idmapped tree first.
	 */
	if (m->r->idroot >= 0 && syscall(SYS_move_mount, m->r->idroot, "",
	    m->r->root_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "attach the idmapped lower layer");
	snprintf(lower, sizeof(lower), "/proc/self/fd/%d", m->r->idroot >= 0 ?
	    m->r->idroot : m->r->root_fd);
	snprintf(upper, sizeof(upper), "/proc/self/fd/%d/upper", up);
	snprintf(work, sizeof(work), "/proc/self/fd/%d/work", up);
	ov = syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
	if (ov < 0 || syscall(SYS_fsconfig, ov, FSCONFIG_SET_STRING, "lowerdir",
	    lower, 0) || syscall(SYS_fsconfig, ov, FSCONFIG_SET_STRING,
	    "upperdir", upper, 0) || syscall(SYS_fsconfig, ov,
	    FSCONFIG_SET_STRING, "workdir", work, 0))
		FAIL(m, "configure the overlay");
	if (syscall(SYS_fsconfig, ov, FSCONFIG_SET_FLAG, "userxattr", NULL, 0))
		errno = 0;	/* older kernels: the plain xattrs work as root */
	if (syscall(SYS_fsconfig, ov, FSCONFIG_CMD_CREATE, NULL, NULL, 0) ||
	    (tree = syscall(SYS_fsmount, ov, FSMOUNT_CLOEXEC,
	    MOUNT_ATTR_NODEV)) < 0)
		FAIL(m, "mount the overlay");
	if (m->r->idroot >= 0) {
		close(m->r->idroot);
		m->r->idroot = -1;
	}
	close(fs);
	close(up);
	close(ov);
	return tree;
}

/*
 * The root as a detached tree - a recursive clone of the rootfs, or an
 * overlay over it - attached onto the rootfs directory and entered by
 * descriptor: a path lookup of "/" would never see a mount on top of it.
 */
static void
setup_root(struct mctx *m)
{
	const struct nook_config *t = m->r->t;
	int tree;

	blame(m, K_ROOT_PATH);
	if (t->overlay == OVERLAY_TMPFS) {
		blame(m, K_ROOT_OVERLAY);
		tree = overlay_tree(m);
		m->writable = 1;
	} else if (m->r->idroot >= 0) {
		tree = m->r->idroot;	/* made by the parent: idmap.c */
		m->r->idroot = -1;
		m->writable = !t->root_readonly;
	} else {
		tree = syscall(SYS_open_tree, m->r->root_fd, "", OPEN_TREE_CLONE |
		    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
		if (tree < 0)
			FAIL(m, "clone \"%s\"", t->root_path);
		m->writable = !t->root_readonly;
	}
	if (syscall(SYS_move_mount, tree, "", m->r->root_fd, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		FAIL(m, "attach the root");
	if (fchdir(tree))
		FAIL(m, "enter the root");
	m->root = tree;
}

static void
make_readonly(struct mctx *m)
{
	struct mount_attr ma = { .attr_set = MOUNT_ATTR_RDONLY };

	blame(m, K_ROOT_READONLY);
	if (syscall(SYS_mount_setattr, m->root, "", AT_EMPTY_PATH |
	    AT_RECURSIVE, &ma, sizeof(ma)))
		FAIL(m, "make the root read-only");
}

/* Open the host's /dev/null, refusing anything but the 1:3 device. */
static void
open_null(struct mctx *m)
{
	struct stat st;

	m->null_fd = open("/dev/null", O_PATH | O_CLOEXEC);
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

static void
mask_one(struct mctx *m, const char *path, int fd)
{
	struct stat st;
	char buf[32];
	int tree;

	if (fstat(fd, &st))
		FAIL(m, "mask \"%s\"", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", fdpath(fd, buf), "tmpfs", MS_RDONLY |
		    MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555"))
			FAIL(m, "mask \"%s\"", path);
		return;
	}
	tree = syscall(SYS_open_tree, m->null_fd, "", OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
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
static void
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
static void
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

void
mnt_setup(struct run *r)
{
	static const unsigned long prop[] = { [PROP_SLAVE] = MS_SLAVE,
		[PROP_PRIVATE] = MS_PRIVATE, [PROP_SHARED] = MS_SHARED,
		[PROP_UNBINDABLE] = MS_UNBINDABLE };
	struct mctx m = { .r = r, .root = -1, .proc = -1, .sys = -1,
		.dev = -1 };

	/*
	 * Build as slave whatever is asked: nothing of the setup may
	 * propagate to the host, and pivot_root refuses shared mounts.
	 */
	blame(&m, K_ROOT_PROPAGATION);
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL))
		FAIL(&m, "set the propagation of /");
	blame(&m, K_FS_DEV);
	open_dev_nodes(&m);
	blame(&m, K_FS_MASK);
	m.null_fd = -1;
	if (r->t->mask[0])
		open_null(&m);
	setup_root(&m);
	if (r->t->overlay == OVERLAY_NONE && r->t->root_readonly)
		make_readonly(&m);
	setup_filesystems(&m);
	setup_user_mounts(&m);
	mask_paths(&m);
	check_kernel_fs(&m);
	blame(&m, K_ROOT_PATH);
	if (syscall(SYS_pivot_root, ".", "."))
		FAIL(&m, "pivot_root");
	if (umount2(".", MNT_DETACH))
		FAIL(&m, "detach the old root");
	if (chdir("/"))
		FAIL(&m, "chdir /");
	blame(&m, K_ROOT_PROPAGATION);
	if (prop[r->t->propagation] != MS_SLAVE &&
	    mount(NULL, "/", NULL, MS_REC | prop[r->t->propagation], NULL))
		FAIL(&m, "set the propagation of the container's /");
	/* nothing may keep a handle on the old tree */
	close(m.root);
	close(r->root_fd);
	r->root_fd = -1;
	if (m.null_fd >= 0)
		close(m.null_fd);
}
